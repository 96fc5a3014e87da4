//! Paginators: an operation that answers in pages, as a stream of its pages or of the items
//! on them, following the model's `paginators-1.json` as botocore does.
//!
//! A generated crate implements [`Paginate`] for the input of each operation its model lists
//! there: which input members carry the pagination tokens, where the output hands the next
//! ones back, and, when the model names one, the member that says whether more pages follow.
//! Its fluent builder's `into_paginator()` then makes a [`PageStream`] of outputs, and
//! `.items()` an [`ItemStream`] of the elements of the first result key ([`PaginateItems`]).
//! Everything between the two, sending a page, reading its tokens and deciding whether to go
//! on, is here, once.
//!
//! # When the pages end
//!
//! After a page whose output tokens are all absent or empty (an empty string, list or map is
//! no token, as in botocore), or whose `more_results` member is `false` or absent; after an
//! error, which is the stream's last item (the call's own retries have run by then).
//!
//! # A token sent twice
//!
//! A service that answers with tokens that an earlier page of the same stream was already
//! requested with would have the paginator ask for the same pages again, forever. The stream
//! yields the page that answered so, then one [`SdkError::Pagination`] naming the tokens and
//! the pages, then ends. botocore raises an error too (it compares with the previous page's
//! tokens only; this compares with every page's, which also catches a cycle through several
//! pages); aws-sdk-rust ends the stream without a word. Ending quietly would hand a program
//! that collects every page an incomplete listing that looks complete, so the error is part of
//! the stream: `?` or `collect::<Result<Vec<_>, _>>()` stops on it.

use crate::client::{Handle, Operation};
use crate::error::{PaginationError, SdkError};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An operation that answers in pages: implemented by generated code for the input of each
/// operation in the model's `paginators-1.json`.
pub trait Paginate: Operation + Clone {
    /// The values of the input tokens, one `Option` per token in the model's order, as a
    /// tuple: `(Option<String>,)` for the usual one `NextToken`.
    type Tokens: Tokens;
    /// The input tokens as the model names them, in the same order.
    const TOKENS: &'static [TokenName];
    /// The tokens this input sends.
    fn input_tokens(&self) -> Self::Tokens;
    /// Sets (or, with `None`, clears) the tokens this input sends.
    fn set_input_tokens(&mut self, tokens: Self::Tokens);
    /// The tokens `output` hands back for the next page: the model's `output_token` members,
    /// which may be nested (`StreamDescription.NextToken`).
    fn output_tokens(output: &Self::Output) -> Self::Tokens;
    /// Whether the model's `more_results` member of `output` says more pages follow; an
    /// absent member reads as `false`, as botocore reads it. Operations without one keep this
    /// default, `true`: their tokens alone decide.
    fn more_results(_output: &Self::Output) -> bool {
        true
    }
}

/// A paginated operation whose first result key is a list or map: the items an
/// [`ItemStream`] yields.
pub trait PaginateItems: Paginate {
    /// An element of the list (a `(key, value)` pair of the map).
    type Item: Send + 'static;
    /// The elements of the first result key of `output`; none when it is absent.
    fn items(output: Self::Output) -> Vec<Self::Item>;
}

/// An input token's name as the model spells it, and whether the model marks it
/// sensitive, for the error that names a repeated token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenName {
    /// The member name, e.g. `NextToken`.
    pub name: &'static str,
    /// The model marks the member sensitive: an error shows its name, never its value.
    pub sensitive: bool,
}

/// The value of one pagination token: a string for nearly every service, a map for a few
/// (DynamoDB's `ExclusiveStartKey`). An empty one counts as absent, as in botocore.
pub trait Token: Clone + PartialEq + fmt::Debug + Send + 'static {
    /// Whether it is empty, and so no token.
    fn is_empty(&self) -> bool;
}

impl Token for String {
    fn is_empty(&self) -> bool {
        String::is_empty(self)
    }
}

impl<T: Clone + PartialEq + fmt::Debug + Send + 'static> Token for Vec<T> {
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

impl<V: Clone + PartialEq + fmt::Debug + Send + 'static> Token for HashMap<String, V> {
    fn is_empty(&self) -> bool {
        HashMap::is_empty(self)
    }
}

/// The values of all the input tokens of an operation: a tuple of one `Option<T: Token>` per
/// token (up to four; botocore's models have at most three).
pub trait Tokens: Clone + PartialEq + Send + 'static {
    /// The same tokens with the empty ones absent.
    fn without_empty(self) -> Self;
    /// Whether every token is absent: the last page.
    fn all_absent(&self) -> bool;
    /// `NextToken "abc"`, each token by name, `(absent)` or `(sensitive)` instead of a value
    /// where there is none to show.
    fn describe(&self, names: &[TokenName]) -> String;
}

macro_rules! tokens_tuple {
    ($($t:ident $i:tt),+) => {
        impl<$($t: Token),+> Tokens for ($(Option<$t>,)+) {
            fn without_empty(self) -> Self {
                ($(self.$i.filter(|token| !token.is_empty()),)+)
            }
            fn all_absent(&self) -> bool {
                true $(&& self.$i.is_none())+
            }
            fn describe(&self, names: &[TokenName]) -> String {
                let values: Vec<Option<&dyn fmt::Debug>> =
                    vec![$(self.$i.as_ref().map(|token| token as &dyn fmt::Debug)),+];
                describe(&values, names)
            }
        }
    };
}

tokens_tuple!(A 0);
tokens_tuple!(A 0, B 1);
tokens_tuple!(A 0, B 1, C 2);
tokens_tuple!(A 0, B 1, C 2, D 3);

fn describe(values: &[Option<&dyn fmt::Debug>], names: &[TokenName]) -> String {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let token = names.get(index).copied().unwrap_or(TokenName {
                name: "token",
                sensitive: true,
            });
            match value {
                None => format!("{} (absent)", token.name),
                Some(_) if token.sensitive => format!("{} (sensitive)", token.name),
                Some(value) => format!("{} {value:?}", token.name),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The result of sending one page.
type PageResult<I> = Result<<I as Operation>::Output, SdkError<<I as Operation>::Error>>;

/// The result of one item.
type ItemResult<I> = Result<<I as PaginateItems>::Item, SdkError<<I as Operation>::Error>>;

/// One page on its way.
type PageFuture<I> = Pin<Box<dyn Future<Output = PageResult<I>> + Send>>;

/// How a stream sends one page: [`Handle::send`], or a stand-in in tests.
type SendPage<I> = Box<dyn Fn(I) -> PageFuture<I> + Send + Sync>;

/// The pages of a paginated operation: an async stream of `Result<Output, SdkError<Error>>`,
/// one request per page, sent when the stream is polled for it. The first request is the
/// input as built (with a starting token, if one was set); each next one the same input with
/// the tokens the page before handed back. See [the module](self) for when it ends.
///
/// Read it with [`next`](Self::next) or [`collect`](Self::collect), or as a
/// `futures_core::Stream` with any stream combinators.
pub struct PageStream<I: Paginate> {
    send: SendPage<I>,
    state: State<I>,
    /// The tokens each page so far was requested with, in page order.
    sent: Vec<I::Tokens>,
}

enum State<I: Paginate> {
    /// The next page's input, not sent yet.
    Next(I),
    /// A page on its way, and the input it was sent with.
    Sending { input: I, page: PageFuture<I> },
    /// The page before answered with tokens already sent: this error comes next.
    Repeated(PaginationError),
    /// Nothing more.
    Done,
}

// The one future is boxed; nothing relies on the stream itself staying put.
impl<I: Paginate> Unpin for PageStream<I> {}

impl<I: Paginate> PageStream<I> {
    /// The pages of `input`'s operation, sent with `handle`.
    pub fn new(handle: Handle, input: I) -> Self {
        Self::with_sender(input, move |input| {
            let handle = handle.clone();
            Box::pin(async move { handle.send(input).await })
        })
    }

    /// The pages of `input`'s operation, each sent with `send`.
    pub(crate) fn with_sender(
        input: I,
        send: impl Fn(I) -> PageFuture<I> + Send + Sync + 'static,
    ) -> Self {
        PageStream {
            send: Box::new(send),
            state: State::Next(input),
            sent: Vec::new(),
        }
    }

    /// The next page; `None` after the last.
    pub async fn next(&mut self) -> Option<PageResult<I>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// Every page, into any collection of the stream's items: `Vec<Result<_, _>>`, or
    /// `Result<Vec<_>, _>`, which stops at the first error.
    pub async fn collect<C: FromIterator<PageResult<I>>>(mut self) -> C {
        let mut pages = Vec::new();
        while let Some(page) = self.next().await {
            pages.push(page);
        }
        pages.into_iter().collect()
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<PageResult<I>>> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Repeated(error) => {
                    return Poll::Ready(Some(Err(SdkError::Pagination(error))))
                }
                State::Next(input) => {
                    self.sent.push(input.input_tokens().without_empty());
                    let page = (self.send)(input.clone());
                    self.state = State::Sending { input, page };
                }
                State::Sending { input, mut page } => {
                    return match page.as_mut().poll(cx) {
                        Poll::Pending => {
                            self.state = State::Sending { input, page };
                            Poll::Pending
                        }
                        Poll::Ready(Err(error)) => Poll::Ready(Some(Err(error))),
                        Poll::Ready(Ok(output)) => {
                            self.state = self.after(input, &output);
                            Poll::Ready(Some(Ok(output)))
                        }
                    };
                }
            }
        }
    }

    /// What follows the page `input` asked for and `output` answered.
    fn after(&self, mut input: I, output: &I::Output) -> State<I> {
        if !I::more_results(output) {
            return State::Done;
        }
        let tokens = I::output_tokens(output).without_empty();
        if tokens.all_absent() {
            return State::Done;
        }
        if let Some(index) = self.sent.iter().position(|sent| *sent == tokens) {
            return State::Repeated(PaginationError::new(
                I::NAME,
                self.sent.len(),
                index + 1,
                tokens.describe(I::TOKENS),
            ));
        }
        input.set_input_tokens(tokens);
        State::Next(input)
    }
}

impl<I: Paginate> futures_core::Stream for PageStream<I> {
    type Item = PageResult<I>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

impl<I: Paginate> fmt::Debug for PageStream<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("operation", &I::NAME)
            .field("pages_requested", &self.sent.len())
            .finish_non_exhaustive()
    }
}

/// The items of a paginated operation across its pages: the elements of the model's first
/// result key (an operation with several result keys, such as DynamoDB's `Query`, has its
/// pages' other keys only in the pages). An async stream of `Result<Item, SdkError<Error>>`
/// that requests a page when it has yielded every item of the one before; a page's error, or
/// a [repeated token](self#a-token-sent-twice), is yielded once after the items before it,
/// and ends the stream.
pub struct ItemStream<I: PaginateItems> {
    pages: PageStream<I>,
    items: std::vec::IntoIter<I::Item>,
}

// Items are moved out, never borrowed across polls.
impl<I: PaginateItems> Unpin for ItemStream<I> {}

impl<I: PaginateItems> ItemStream<I> {
    /// The items of `pages`.
    pub fn new(pages: PageStream<I>) -> Self {
        ItemStream {
            pages,
            items: Vec::new().into_iter(),
        }
    }

    /// The next item; `None` after the last.
    pub async fn next(&mut self) -> Option<ItemResult<I>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Every item, into any collection of the stream's items: `Vec<Result<_, _>>`, or
    /// `Result<Vec<_>, _>`, which stops at the first error.
    pub async fn collect<C: FromIterator<ItemResult<I>>>(mut self) -> C {
        let mut items = Vec::new();
        while let Some(item) = self.next().await {
            items.push(item);
        }
        items.into_iter().collect()
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<ItemResult<I>>> {
        loop {
            if let Some(item) = self.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(Some(Ok(output))) => self.items = I::items(output).into_iter(),
            }
        }
    }
}

impl<I: PaginateItems> futures_core::Stream for ItemStream<I> {
    type Item = ItemResult<I>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}

impl<I: PaginateItems> fmt::Debug for ItemStream<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("pages", &self.pages)
            .field("buffered_items", &self.items.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorMetadata, ValidationError};
    use crate::operation::OperationError;
    use futures_core::Stream;
    use serde::{Deserialize, Serialize};
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    /// An input with two tokens, like botocore's `ListObjectVersions`: `Marker`, and
    /// `PageToken` from the output's nested `Page.NextToken`.
    #[derive(Clone, Debug, Default, PartialEq, Serialize)]
    struct ListInput {
        page_token: Option<String>,
        marker: Option<String>,
    }

    #[derive(Clone, Debug, Default, Deserialize)]
    struct ListOutput {
        items: Option<Vec<u32>>,
        page: Option<Box<Page>>,
        marker: Option<String>,
        truncated: Option<bool>,
    }

    #[derive(Clone, Debug, Default, Deserialize)]
    struct Page {
        next_token: Option<String>,
    }

    #[derive(Debug, PartialEq)]
    struct ListError(String);

    impl fmt::Display for ListError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl OperationError for ListError {
        fn from_response(meta: ErrorMetadata, _body: &[u8]) -> Self {
            ListError(meta.code().unwrap_or_default().to_owned())
        }
    }

    impl Operation for ListInput {
        type Output = ListOutput;
        type Error = ListError;
        const NAME: &'static str = "List";
        fn validate(&self) -> Result<(), ValidationError> {
            Ok(())
        }
    }

    // What the generator prints for `"input_token": ["PageToken", "Marker"],
    // "output_token": ["Page.NextToken", "Marker"], "result_key": "Items"`.
    impl Paginate for ListInput {
        type Tokens = (Option<String>, Option<String>);
        const TOKENS: &'static [TokenName] = &[
            TokenName {
                name: "PageToken",
                sensitive: false,
            },
            TokenName {
                name: "Marker",
                sensitive: true,
            },
        ];
        fn input_tokens(&self) -> Self::Tokens {
            (self.page_token.clone(), self.marker.clone())
        }
        fn set_input_tokens(&mut self, tokens: Self::Tokens) {
            (self.page_token, self.marker) = tokens;
        }
        fn output_tokens(output: &ListOutput) -> Self::Tokens {
            (
                output
                    .page
                    .as_ref()
                    .and_then(|page| page.next_token.clone()),
                output.marker.clone(),
            )
        }
    }

    impl PaginateItems for ListInput {
        type Item = u32;
        fn items(output: ListOutput) -> Vec<u32> {
            output.items.unwrap_or_default()
        }
    }

    /// The same operation with `"more_results": "Truncated"` and the one token `Marker`.
    #[derive(Clone, Debug, Default, Serialize)]
    struct TruncatedInput {
        marker: Option<String>,
    }

    impl Operation for TruncatedInput {
        type Output = ListOutput;
        type Error = ListError;
        const NAME: &'static str = "ListTruncated";
        fn validate(&self) -> Result<(), ValidationError> {
            Ok(())
        }
    }

    impl Paginate for TruncatedInput {
        type Tokens = (Option<String>,);
        const TOKENS: &'static [TokenName] = &[TokenName {
            name: "Marker",
            sensitive: false,
        }];
        fn input_tokens(&self) -> Self::Tokens {
            (self.marker.clone(),)
        }
        fn set_input_tokens(&mut self, tokens: Self::Tokens) {
            (self.marker,) = tokens;
        }
        fn output_tokens(output: &ListOutput) -> Self::Tokens {
            (output.marker.clone(),)
        }
        fn more_results(output: &ListOutput) -> bool {
            output.truncated.unwrap_or(false)
        }
    }

    fn page(items: &[u32], next_token: Option<&str>, marker: Option<&str>) -> ListOutput {
        ListOutput {
            items: Some(items.to_vec()),
            page: next_token.map(|token| {
                Box::new(Page {
                    next_token: Some(token.to_owned()),
                })
            }),
            marker: marker.map(str::to_owned),
            truncated: None,
        }
    }

    fn truncated(mut output: ListOutput, truncated: Option<bool>) -> ListOutput {
        output.truncated = truncated;
        output
    }

    /// A stream whose pages come from `answers` in order, and the inputs it sent.
    fn scripted<I: Paginate<Output = ListOutput, Error = ListError>>(
        input: I,
        answers: Vec<Result<ListOutput, &'static str>>,
    ) -> (PageStream<I>, Arc<Mutex<Vec<I>>>) {
        let answers = Arc::new(Mutex::new(VecDeque::from(answers)));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = sent.clone();
        let stream = PageStream::with_sender(input, move |input: I| {
            record.lock().unwrap().push(input);
            let answer = answers
                .lock()
                .unwrap()
                .pop_front()
                .expect("a page the test did not script was requested");
            Box::pin(
                async move { answer.map_err(|code| SdkError::Service(ListError(code.to_owned()))) },
            )
        });
        (stream, sent)
    }

    fn tokens(input: &ListInput) -> (Option<&str>, Option<&str>) {
        (input.page_token.as_deref(), input.marker.as_deref())
    }

    #[tokio::test]
    async fn nested_and_several_tokens_are_sent_back_until_all_are_absent() {
        let (mut stream, sent) = scripted(
            ListInput::default(),
            vec![
                Ok(page(&[1], Some("a"), Some("m1"))),
                // One token absent: the next request leaves it out, as botocore does.
                Ok(page(&[2], None, Some("m2"))),
                // An empty string is no token.
                Ok(page(&[3], Some(""), None)),
            ],
        );
        let mut items = Vec::new();
        while let Some(page) = stream.next().await {
            items.extend(page.unwrap().items.unwrap());
        }
        assert_eq!(items, [1, 2, 3]);
        assert!(stream.next().await.is_none(), "ended streams stay ended");
        let sent = sent.lock().unwrap();
        let sent: Vec<_> = sent.iter().map(tokens).collect();
        assert_eq!(
            sent,
            [(None, None), (Some("a"), Some("m1")), (None, Some("m2"))]
        );
    }

    #[tokio::test]
    async fn more_results_false_or_absent_ends_the_pages_whatever_the_tokens() {
        for last in [Some(false), None] {
            let (stream, sent) = scripted(
                TruncatedInput::default(),
                vec![
                    Ok(truncated(page(&[1], None, Some("m1")), Some(true))),
                    Ok(truncated(page(&[2], None, Some("m2")), last)),
                ],
            );
            let pages: Vec<_> = stream.collect::<Result<Vec<_>, _>>().await.unwrap();
            assert_eq!(pages.len(), 2, "{last:?}");
            let markers: Vec<_> = sent
                .lock()
                .unwrap()
                .iter()
                .map(|i| i.marker.clone())
                .collect();
            assert_eq!(markers, [None, Some("m1".to_owned())]);
        }
        // `more_results` true without a token: the tokens end it, as in botocore.
        let (stream, _) = scripted(
            TruncatedInput::default(),
            vec![Ok(truncated(page(&[1], None, None), Some(true)))],
        );
        assert_eq!(stream.collect::<Vec<_>>().await.len(), 1);
    }

    #[tokio::test]
    async fn a_token_sent_before_yields_the_page_then_an_error_then_nothing() {
        // A cycle over two pages: the previous page's token alone would not catch it.
        let (mut stream, sent) = scripted(
            ListInput::default(),
            vec![
                Ok(page(&[1], Some("a"), None)),
                Ok(page(&[2], Some("b"), None)),
                Ok(page(&[3], Some("a"), None)),
            ],
        );
        for expected in 1..=3 {
            let output = stream.next().await.unwrap().unwrap();
            assert_eq!(output.items.unwrap(), [expected]);
        }
        let error = stream.next().await.unwrap().unwrap_err();
        let SdkError::Pagination(error) = &error else {
            panic!("{error:?}")
        };
        assert_eq!((error.page(), error.first_page()), (3, 2));
        assert_eq!(error.tokens(), r#"PageToken "a", Marker (absent)"#);
        assert_eq!(
            error.to_string(),
            "List page 3 answered with PageToken \"a\", Marker (absent), which page 2 was \
             requested with: the paginator stops rather than request the same pages again"
        );
        assert!(stream.next().await.is_none());
        assert_eq!(sent.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_starting_token_counts_as_sent_and_sensitive_values_are_not_shown() {
        let start = ListInput {
            page_token: None,
            marker: Some("secret".into()),
        };
        let (mut stream, sent) = scripted(start, vec![Ok(page(&[1], None, Some("secret")))]);
        assert!(stream.next().await.unwrap().is_ok());
        let error = stream.next().await.unwrap().unwrap_err().to_string();
        assert!(
            error.contains(
                "page 1 answered with PageToken (absent), Marker (sensitive), which page 1"
            ),
            "{error}"
        );
        assert!(!error.contains("secret"), "{error}");
        assert_eq!(tokens(&sent.lock().unwrap()[0]), (None, Some("secret")));
    }

    #[tokio::test]
    async fn an_error_is_the_last_item() {
        let (mut stream, sent) = scripted(
            ListInput::default(),
            vec![
                Ok(page(&[1], Some("a"), None)),
                Ok(page(&[2], Some("b"), None)),
                Err("ThrottlingException"),
            ],
        );
        assert!(stream.next().await.unwrap().is_ok());
        assert!(stream.next().await.unwrap().is_ok());
        let error = stream.next().await.unwrap().unwrap_err();
        assert_eq!(
            error.into_service_error(),
            Some(ListError("ThrottlingException".into()))
        );
        assert!(stream.next().await.is_none());
        assert_eq!(sent.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn items_flow_across_pages_and_empty_pages() {
        let (pages, _) = scripted(
            ListInput::default(),
            vec![
                Ok(page(&[1, 2], Some("a"), None)),
                // No items, but a token: the pages go on.
                Ok(page(&[], Some("b"), None)),
                Ok(ListOutput {
                    page: Some(Box::new(Page {
                        next_token: Some("c".into()),
                    })),
                    ..ListOutput::default()
                }),
                Ok(page(&[3], None, None)),
            ],
        );
        let items: Vec<u32> = ItemStream::new(pages)
            .collect::<Result<_, _>>()
            .await
            .unwrap();
        assert_eq!(items, [1, 2, 3]);

        let (pages, _) = scripted(
            ListInput::default(),
            vec![Ok(page(&[1, 2], Some("a"), None)), Err("InternalError")],
        );
        let items: Vec<_> = ItemStream::new(pages).collect().await;
        assert_eq!(items.len(), 3);
        assert!(items[..2].iter().all(Result::is_ok));
        assert!(items[2].is_err());
    }

    #[tokio::test]
    async fn the_streams_are_futures_core_streams() {
        fn assert_stream<S: futures_core::Stream + Unpin + Send>(_: &S) {}
        let (pages, _) = scripted(ListInput::default(), vec![Ok(page(&[7], None, None))]);
        assert_stream(&pages);
        let mut items = ItemStream::new(pages);
        assert_stream(&items);
        let first = std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await;
        assert_eq!(first.unwrap().unwrap(), 7);
        let _ = format!("{items:?}");
    }
}
