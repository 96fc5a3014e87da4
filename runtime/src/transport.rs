//! The transport seam: how one HTTP request is sent and its response read.
//!
//! Every request of the SDK, to the service and to the credentials sources
//! (STS, the container endpoint, instance metadata), goes through an
//! [`HttpClient`]. The default is [`ReqwestHttpClient`], reqwest on rustls;
//! `Config::builder().http_client(..)` takes any other: your own
//! `reqwest::Client` (its pools, proxies and middleware), another HTTP stack,
//! or a test double that answers without a socket.
//!
//! A request and a response are the `http` crate's types with the whole body
//! in memory: AWS JSON calls are small, and a body read whole is one the
//! retry loop can send again. The caller sets the largest response body it
//! accepts as a [`BodyLimit`] extension of the request; an implementation must
//! not read past it.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

/// A request: method, URI, headers and the whole body.
pub type HttpRequest = http::Request<Vec<u8>>;

/// A response: status, headers and the whole body.
pub type HttpResponse = http::Response<Vec<u8>>;

/// What [`HttpClient::send`] returns.
pub type HttpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'a>>;

/// Sends one HTTP request and reads the whole response.
///
/// Called once per attempt; retries, signing and timeouts are the caller's. An
/// implementation reports a failure to connect, a timeout of its own, or a
/// broken connection as an [`HttpError`] of the matching kind (the caller
/// retries those), and an error status as a response, not an error.
///
/// ```
/// use marketplace_sdk_runtime::transport::{HttpClient, HttpFuture, HttpRequest, HttpResponse};
///
/// /// Answers every request with `{}`.
/// #[derive(Debug)]
/// struct Canned;
///
/// impl HttpClient for Canned {
///     fn send(&self, _request: HttpRequest) -> HttpFuture<'_> {
///         Box::pin(async { Ok(HttpResponse::new(b"{}".to_vec())) })
///     }
/// }
/// ```
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the response, up to the request's
    /// [`BodyLimit`].
    fn send(&self, request: HttpRequest) -> HttpFuture<'_>;
}

impl<T: HttpClient + ?Sized> HttpClient for Arc<T> {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        (**self).send(request)
    }
}

/// Any [`HttpClient`] behind an `Arc`: cheap to clone and share.
#[derive(Clone)]
pub struct SharedHttpClient(Arc<dyn HttpClient>);

impl SharedHttpClient {
    /// Shares `client`.
    pub fn new(client: impl HttpClient + 'static) -> Self {
        SharedHttpClient(Arc::new(client))
    }
}

impl fmt::Debug for SharedHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl HttpClient for SharedHttpClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        self.0.send(request)
    }
}

/// The largest response body the sender of a request accepts, in bytes: a
/// request extension. Without one, [`DEFAULT_BODY_LIMIT`] applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

/// The body limit of a request that sets none: 16 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

impl BodyLimit {
    /// The limit `request` carries, or the default.
    pub fn of<B>(request: &http::Request<B>) -> usize {
        request
            .extensions()
            .get::<BodyLimit>()
            .map_or(DEFAULT_BODY_LIMIT, |limit| limit.0)
    }
}

/// What went wrong, as the retry logic needs to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpErrorKind {
    /// No connection could be made: the request was not sent.
    Connect,
    /// The client's own time limit ran out.
    Timeout,
    /// The connection broke while sending or reading.
    Io,
    /// The response body is larger than the request's [`BodyLimit`].
    BodyTooLarge,
    /// The request could not be sent as it is (a bad URI, a refused header):
    /// trying again cannot help.
    Request,
}

/// Why no response was read.
#[derive(Debug)]
pub struct HttpError {
    kind: HttpErrorKind,
    source: Box<dyn StdError + Send + Sync>,
    /// The status and headers of a response whose body was refused.
    head: Option<Box<http::response::Parts>>,
}

impl HttpError {
    /// An error of `kind`, caused by `source`.
    pub fn new(kind: HttpErrorKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        HttpError {
            kind,
            source: source.into(),
            head: None,
        }
    }

    /// A response with `head` whose body is over `limit` bytes.
    pub fn body_too_large(head: http::response::Parts, limit: usize) -> Self {
        HttpError {
            head: Some(Box::new(head)),
            ..HttpError::new(HttpErrorKind::BodyTooLarge, TooLarge(limit))
        }
    }

    /// The status and headers of the response, when one arrived but its body
    /// was refused.
    pub fn response_head(&self) -> Option<&http::response::Parts> {
        self.head.as_deref()
    }

    /// What went wrong.
    pub fn kind(&self) -> HttpErrorKind {
        self.kind
    }

    /// Whether sending again may work: every kind but [`HttpErrorKind::Request`]
    /// and [`HttpErrorKind::BodyTooLarge`].
    pub fn is_retryable(&self) -> bool {
        !matches!(
            self.kind,
            HttpErrorKind::Request | HttpErrorKind::BodyTooLarge
        )
    }

    fn from_reqwest(error: reqwest::Error) -> Self {
        let kind = if error.is_timeout() {
            HttpErrorKind::Timeout
        } else if error.is_connect() {
            HttpErrorKind::Connect
        } else if error.is_builder() || error.is_redirect() {
            HttpErrorKind::Request
        } else {
            HttpErrorKind::Io
        };
        HttpError::new(kind, error)
    }
}

impl fmt::Display for HttpError {
    /// The cause chain: an HTTP stack's own text alone says little.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            HttpErrorKind::Connect => f.write_str("cannot connect")?,
            HttpErrorKind::Timeout => f.write_str("timed out")?,
            HttpErrorKind::Io => f.write_str("connection failed")?,
            HttpErrorKind::BodyTooLarge => f.write_str("response too large")?,
            HttpErrorKind::Request => f.write_str("request not sendable")?,
        }
        let mut cause: Option<&(dyn StdError + 'static)> = Some(&*self.source);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

impl StdError for HttpError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// A body over the limit.
#[derive(Debug)]
struct TooLarge(usize);

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the body is larger than the limit of {} bytes", self.0)
    }
}

impl StdError for TooLarge {}

/// A `reqwest::ClientBuilder` with the SDK's TLS settings (rustls on ring,
/// the bundled Mozilla roots, HTTP/1.1), to build a `reqwest::Client` of your
/// own: add pools, proxies, default headers, middleware, then hand it to
/// `Config::builder().reqwest_client(..)`.
///
/// Use it rather than `reqwest::Client::builder()`: the SDK builds reqwest
/// without a default crypto provider (so that no second crypto stack enters
/// your build), and reqwest's own builder panics without one unless your
/// program installs one (`rustls::crypto::ring::default_provider().install_default()`).
pub fn reqwest_client_builder() -> reqwest::ClientBuilder {
    match crate::tls::client_builder(crate::tls::TrustRoots::Bundled, None) {
        Ok(builder) => builder,
        // Fails only if rustls refuses its own safe defaults with the bundled
        // roots, which it does not; reqwest's plain builder is all there is then.
        Err(_) => reqwest::Client::builder(),
    }
}

/// The default transport: a `reqwest::Client`, yours or the SDK's own (rustls
/// with the bundled roots or a CA bundle, HTTP/1.1, no redirects).
///
/// Requests to one URI parse it once: the last URI sent is kept parsed, and a
/// client sends to one endpoint.
pub struct ReqwestHttpClient {
    client: reqwest::Client,
    last_url: Mutex<Option<(http::Uri, reqwest::Url)>>,
}

impl ReqwestHttpClient {
    /// Sends with `client`, as it is configured: its timeouts, proxies,
    /// redirect policy and TLS roots apply.
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestHttpClient {
            client,
            last_url: Mutex::new(None),
        }
    }

    /// `uri` as reqwest's URL type.
    fn url(&self, uri: &http::Uri) -> Result<reqwest::Url, HttpError> {
        let mut last = self.last_url.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((last_uri, url)) = &*last {
            if last_uri == uri {
                return Ok(url.clone());
            }
        }
        let url = reqwest::Url::parse(&uri.to_string())
            .map_err(|error| HttpError::new(HttpErrorKind::Request, error))?;
        *last = Some((uri.clone(), url.clone()));
        Ok(url)
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let limit = BodyLimit::of(&request);
        let (parts, body) = request.into_parts();
        let mut outgoing = reqwest::Request::new(parts.method, self.url(&parts.uri)?);
        *outgoing.headers_mut() = parts.headers;
        *outgoing.version_mut() = parts.version;
        *outgoing.body_mut() = Some(body.into());
        let mut response = self
            .client
            .execute(outgoing)
            .await
            .map_err(HttpError::from_reqwest)?;
        let mut answer = HttpResponse::new(Vec::new());
        *answer.status_mut() = response.status();
        *answer.version_mut() = response.version();
        // Moved out, not copied: the body is read through the response.
        *answer.headers_mut() = std::mem::take(response.headers_mut());
        let too_large =
            |answer: HttpResponse| HttpError::body_too_large(answer.into_parts().0, limit);
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large(answer));
        }
        while let Some(chunk) = response.chunk().await.map_err(HttpError::from_reqwest)? {
            if chunk.len() > limit - answer.body().len() {
                return Err(too_large(answer));
            }
            answer.body_mut().extend_from_slice(&chunk);
        }
        Ok(answer)
    }
}

impl From<reqwest::Client> for ReqwestHttpClient {
    fn from(client: reqwest::Client) -> Self {
        ReqwestHttpClient::new(client)
    }
}

impl fmt::Debug for ReqwestHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestHttpClient").finish_non_exhaustive()
    }
}

impl HttpClient for ReqwestHttpClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(self.execute(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_kind_and_why() {
        let error = HttpError::new(HttpErrorKind::Timeout, "no answer in 3 s");
        assert_eq!(error.to_string(), "timed out: no answer in 3 s");
        assert!(error.is_retryable());
        let error = HttpError::new(HttpErrorKind::BodyTooLarge, TooLarge(10));
        assert_eq!(
            error.to_string(),
            "response too large: the body is larger than the limit of 10 bytes"
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn the_body_limit_is_a_request_extension() {
        let mut request = HttpRequest::new(Vec::new());
        assert_eq!(BodyLimit::of(&request), DEFAULT_BODY_LIMIT);
        request.extensions_mut().insert(BodyLimit(64));
        assert_eq!(BodyLimit::of(&request), 64);
    }
}
