//! The replay HTTP client: answers from a script and reports what differed.

use crate::transport::{
    HttpClient, HttpError, HttpErrorKind, HttpFuture, HttpRequest, HttpResponse,
};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// Headers that differ on every run and are never compared: the signature,
/// its time, the invocation id and the user agents.
pub const VOLATILE_HEADERS: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "user-agent",
    "x-amz-user-agent",
];

/// One exchange a [`ReplayClient`] expects: a request like `expected`
/// arrives, and `response` answers it.
#[derive(Debug)]
pub struct ReplayEvent {
    expected: Recorded,
    response: HttpResponse,
}

impl ReplayEvent {
    /// The exchange of `expected` for `response`. Only the headers `expected`
    /// has are compared.
    pub fn new(expected: HttpRequest, response: HttpResponse) -> Self {
        ReplayEvent {
            expected: Recorded::of(&expected),
            response,
        }
    }
}

/// A request as it arrived: what is compared and shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The whole URI.
    pub uri: String,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    fn of(request: &HttpRequest) -> Self {
        Recorded {
            method: request.method().to_string(),
            uri: request.uri().to_string(),
            headers: request
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: request.body().clone(),
        }
    }

    /// The values of header `name`.
    pub fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// An [`HttpClient`] that answers from a script and records what it was
/// sent; clones share the script and the record.
#[derive(Clone, Default)]
pub struct ReplayClient {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    pending: VecDeque<ReplayEvent>,
    /// Every request that arrived, with what was expected of it (`None`: it
    /// came after the script ran out).
    exchanges: Vec<(Recorded, Option<Recorded>)>,
}

impl ReplayClient {
    /// A client that expects `events`, in order.
    pub fn new(events: Vec<ReplayEvent>) -> Self {
        ReplayClient {
            state: Arc::new(Mutex::new(State {
                pending: events.into(),
                exchanges: Vec::new(),
            })),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every request that arrived, in order.
    pub fn actual_requests(&self) -> Vec<Recorded> {
        self.state()
            .exchanges
            .iter()
            .map(|(actual, _)| actual.clone())
            .collect()
    }

    /// What differs between the requests that arrived and the expected ones,
    /// one line each; headers named in `ignore` (and [`VOLATILE_HEADERS`])
    /// are not compared. Empty when everything matched and every expected
    /// request arrived.
    pub fn mismatches(&self, ignore: &[&str]) -> Vec<String> {
        let state = self.state();
        let mut problems = Vec::new();
        for (index, (actual, expected)) in state.exchanges.iter().enumerate() {
            let number = index + 1;
            match expected {
                None => problems.push(format!(
                    "request {number} ({} {}) was not expected: the script had ended",
                    actual.method, actual.uri
                )),
                Some(expected) => problems.extend(
                    differences(expected, actual, ignore)
                        .into_iter()
                        .map(|problem| format!("request {number}: {problem}")),
                ),
            }
        }
        for (index, event) in state.pending.iter().enumerate() {
            problems.push(format!(
                "request {} ({} {}) was expected but never sent",
                state.exchanges.len() + index + 1,
                event.expected.method,
                event.expected.uri
            ));
        }
        problems
    }

    /// Panics with every mismatch (see [`ReplayClient::mismatches`]).
    #[track_caller]
    pub fn assert_requests_match(&self, ignore: &[&str]) {
        let problems = self.mismatches(ignore);
        assert!(
            problems.is_empty(),
            "the requests did not match the script:\n  {}",
            problems.join("\n  ")
        );
    }
}

/// What differs between `expected` and `actual`.
fn differences(expected: &Recorded, actual: &Recorded, ignore: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    if expected.method != actual.method {
        problems.push(format!(
            "method {} instead of {}",
            actual.method, expected.method
        ));
    }
    if expected.uri != actual.uri {
        problems.push(format!("URI {} instead of {}", actual.uri, expected.uri));
    }
    let ignored = |name: &str| {
        ignore
            .iter()
            .chain(VOLATILE_HEADERS)
            .any(|ignored| ignored.eq_ignore_ascii_case(name))
    };
    for (name, _) in expected.headers.iter().filter(|(name, _)| !ignored(name)) {
        let (want, got) = (expected.header(name), actual.header(name));
        if want != got {
            problems.push(format!("header {name} is {got:?} instead of {want:?}"));
        }
    }
    if !bodies_match(&expected.body, &actual.body) {
        problems.push(format!(
            "body {} instead of {}",
            String::from_utf8_lossy(&actual.body),
            String::from_utf8_lossy(&expected.body)
        ));
    }
    problems
}

/// Whether two bodies are the same: as JSON values when both are JSON (key
/// order and spacing do not matter), else byte for byte.
fn bodies_match(expected: &[u8], actual: &[u8]) -> bool {
    match (
        serde_json::from_slice::<serde_json::Value>(expected),
        serde_json::from_slice::<serde_json::Value>(actual),
    ) {
        (Ok(expected), Ok(actual)) => expected == actual,
        _ => expected == actual,
    }
}

/// The script ran out.
#[derive(Debug)]
struct ScriptEnded(usize);

impl fmt::Display for ScriptEnded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the replay script has no answer for request {}: it expected fewer requests",
            self.0
        )
    }
}

impl std::error::Error for ScriptEnded {}

impl HttpClient for ReplayClient {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let actual = Recorded::of(&request);
        let mut state = self.state();
        let answer = match state.pending.pop_front() {
            Some(event) => {
                state.exchanges.push((actual, Some(event.expected)));
                Ok(event.response)
            }
            None => {
                state.exchanges.push((actual, None));
                let number = state.exchanges.len();
                Err(HttpError::new(HttpErrorKind::Request, ScriptEnded(number)))
            }
        };
        Box::pin(std::future::ready(answer))
    }
}

impl fmt::Debug for ReplayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("ReplayClient")
            .field("pending", &state.pending.len())
            .field("received", &state.exchanges.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(body: &str, target: &str) -> HttpRequest {
        http::Request::post("https://example.com/")
            .header("x-amz-target", target)
            .header("authorization", "AWS4-HMAC-SHA256 whatever")
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    fn ok(body: &str) -> HttpResponse {
        http::Response::new(body.as_bytes().to_vec())
    }

    #[tokio::test]
    async fn answers_in_order_and_compares_json_as_json() {
        let replay = ReplayClient::new(vec![
            ReplayEvent::new(post(r#"{"a":1,"b":2}"#, "S.One"), ok("1")),
            ReplayEvent::new(post("{}", "S.Two"), ok("2")),
        ]);
        let first = replay
            .send(post(r#"{ "b": 2, "a": 1 }"#, "S.One"))
            .await
            .unwrap();
        assert_eq!(first.body(), b"1");
        let second = replay.send(post("{}", "S.Two")).await.unwrap();
        assert_eq!(second.body(), b"2");
        replay.assert_requests_match(&[]);
        assert_eq!(replay.actual_requests().len(), 2);
    }

    #[tokio::test]
    async fn reports_what_differs_and_what_is_missing_or_extra() {
        let replay = ReplayClient::new(vec![
            ReplayEvent::new(post(r#"{"a":1}"#, "S.One"), ok("1")),
            ReplayEvent::new(post("{}", "S.Two"), ok("2")),
        ]);
        replay.send(post(r#"{"a":2}"#, "S.Other")).await.unwrap();
        let problems = replay.mismatches(&[]);
        assert_eq!(
            problems,
            [
                r#"request 1: header x-amz-target is ["S.Other"] instead of ["S.One"]"#,
                r#"request 1: body {"a":2} instead of {"a":1}"#,
                "request 2 (POST https://example.com/) was expected but never sent",
            ]
        );
        // The target can be ignored by name.
        assert_eq!(replay.mismatches(&["X-Amz-Target"]).len(), 2);
        replay.send(post("{}", "S.Two")).await.unwrap();
        let error = replay.send(post("{}", "S.Three")).await.unwrap_err();
        assert!(
            error.to_string().contains("no answer for request 3"),
            "{error}"
        );
        assert!(replay.mismatches(&[]).contains(
            &"request 3 (POST https://example.com/) was not expected: the script had ended"
                .to_owned()
        ));
    }
}
