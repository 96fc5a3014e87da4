//! The small HTTP layer of the credential providers: bounded bodies, bounded
//! time, a few attempts, and errors that say what happened without a secret.

use marketplace_sdk_runtime::credentials::CredentialsError;
use marketplace_sdk_runtime::retry::{self, RetryConfig};
use marketplace_sdk_runtime::tls::{CaBundle, TrustRoots};
use marketplace_sdk_runtime::transport::{
    BodyLimit, HttpClient, HttpErrorKind, HttpRequest, ReqwestHttpClient, SharedHttpClient,
};
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often a provider asks its source before it gives up on a transient
/// failure: the standard retry mode's 3 attempts, with its backoff between them.
pub(crate) const ATTEMPTS: u32 = 3;

/// The largest body a credentials endpoint may send: real answers are a few
/// kilobytes, and a hostile endpoint must not exhaust memory.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// A response, read whole.
pub(crate) struct Fetched {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Fetched {
    /// `content type X` or `no content type`, for messages about a body.
    pub(crate) fn describe_content_type(&self) -> String {
        match &self.content_type {
            Some(content_type) => format!("content type `{content_type}`"),
            None => "no content type".to_owned(),
        }
    }
}

/// Why no response was read.
pub(crate) enum FetchError {
    /// No connection, a timeout, a reset: the endpoint may simply not exist here.
    Transport(String),
    /// The body is over [`MAX_BODY_BYTES`].
    TooLarge,
    /// The provider's own HTTP client cannot be built (a bad CA bundle).
    Setup(String),
}

impl FetchError {
    pub(crate) fn describe(&self) -> String {
        match self {
            FetchError::Transport(error) | FetchError::Setup(error) => error.clone(),
            FetchError::TooLarge => {
                format!(
                    "the response body is larger than {} KiB",
                    MAX_BODY_BYTES / 1024
                )
            }
        }
    }
}

/// How a provider reaches its source: through the configured
/// [`HttpClient`](marketplace_sdk_runtime::transport::HttpClient) when there is one, else through
/// its own, built on first use (no proxy when `direct`: metadata endpoints are
/// link-local, and a proxy would answer for another machine). Either way each
/// request is bounded by the provider's connect and read timeouts and by
/// [`MAX_BODY_BYTES`]. Cheap to clone; clones share the client.
#[derive(Clone)]
pub(crate) struct ProviderHttp {
    configured: Option<SharedHttpClient>,
    own: Arc<OnceLock<Result<SharedHttpClient, String>>>,
    connect_timeout: Duration,
    read_timeout: Duration,
    direct: bool,
    trust_roots: TrustRoots,
    ca_bundle: Option<CaBundle>,
}

impl ProviderHttp {
    /// A provider's own client, with these settings.
    pub(crate) fn new(
        connect_timeout: Duration,
        read_timeout: Duration,
        direct: bool,
        ca_bundle: Option<CaBundle>,
    ) -> Self {
        ProviderHttp {
            configured: None,
            own: Arc::default(),
            connect_timeout,
            read_timeout,
            direct,
            trust_roots: TrustRoots::Bundled,
            ca_bundle,
        }
    }

    /// Trusts `roots` when there is no CA bundle.
    pub(crate) fn with_trust_roots(mut self, roots: TrustRoots) -> Self {
        self.trust_roots = roots;
        self
    }

    /// Sends through `client` instead, when there is one.
    pub(crate) fn with_client(mut self, client: Option<SharedHttpClient>) -> Self {
        if client.is_some() {
            self.configured = client;
        }
        self
    }

    fn client(&self) -> Result<&SharedHttpClient, String> {
        if let Some(client) = &self.configured {
            return Ok(client);
        }
        self.own
            .get_or_init(|| {
                let mut builder = marketplace_sdk_runtime::tls::client_builder(
                    self.trust_roots,
                    self.ca_bundle.as_ref(),
                )?
                .connect_timeout(self.connect_timeout)
                .read_timeout(self.read_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!(
                    "marketplace-sdk-runtime/",
                    env!("CARGO_PKG_VERSION")
                ));
                if self.direct {
                    builder = builder.no_proxy();
                }
                let client = builder
                    .build()
                    .map_err(|error| format!("cannot build the HTTP client: {error}"))?;
                Ok(SharedHttpClient::new(ReqwestHttpClient::new(client)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Sends `request` and reads the body, up to [`MAX_BODY_BYTES`], within
    /// the connect and read timeouts together.
    pub(crate) async fn fetch(&self, mut request: HttpRequest) -> Result<Fetched, FetchError> {
        let client = self.client().map_err(FetchError::Setup)?;
        request.extensions_mut().insert(BodyLimit(MAX_BODY_BYTES));
        let limit = self.connect_timeout + self.read_timeout;
        let response = match tokio::time::timeout(limit, client.send(request)).await {
            Err(_elapsed) => {
                return Err(FetchError::Transport(format!(
                    "timed out: no answer within {limit:?}"
                )))
            }
            Ok(Err(error)) if error.kind() == HttpErrorKind::BodyTooLarge => {
                return Err(FetchError::TooLarge)
            }
            Ok(Err(error)) => return Err(FetchError::Transport(error.to_string())),
            Ok(Ok(response)) if response.body().len() > MAX_BODY_BYTES => {
                return Err(FetchError::TooLarge)
            }
            Ok(Ok(response)) => response,
        };
        let (head, body) = response.into_parts();
        Ok(Fetched {
            status: head.status.as_u16(),
            content_type: head
                .headers
                .get(::http::header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            body,
        })
    }
}

/// A request to a credentials source.
pub(crate) fn request(
    method: ::http::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<HttpRequest, String> {
    let mut request = HttpRequest::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = url
        .parse()
        .map_err(|error| format!("`{url}` is not a URL that can be sent to: {error}"))?;
    for (name, value) in headers {
        let name = ::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        let value = ::http::HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` cannot go in a request"))?;
        request.headers_mut().append(name, value);
    }
    Ok(request)
}

/// Runs `attempt` (given its number, from 1) until it succeeds, fails for
/// good, or has failed transiently [`ATTEMPTS`] times, waiting the standard
/// backoff (`rand(0,1) * min(1 s * 2^(n-1), 20 s)`) between attempts. A
/// transient failure that remains says how many attempts were made.
pub(crate) async fn with_retries<T, F, Fut>(mut attempt: F) -> Result<T, CredentialsError>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, CredentialsError>>,
{
    let backoff = RetryConfig::standard();
    let mut number = 1;
    loop {
        match attempt(number).await {
            Err(error) if error.is_retryable() && number < ATTEMPTS => {
                let wait = backoff.backoff_after(number);
                tracing::debug!(
                    provider = error.provider(),
                    error = error.message(),
                    wait_ms = wait.as_millis() as u64,
                    "credentials source failed transiently; asking again"
                );
                tokio::time::sleep(wait).await;
                number += 1;
            }
            Err(error) if error.is_retryable() => {
                return Err(error.context(format!("{number} attempts failed; the last")))
            }
            result => return result,
        }
    }
}

/// `provider`'s error for an error answer (HTTP `status`, error `code` when
/// the body had one): a transient failure for the standard retry mode's
/// throttling and transient codes, 5xx and 429 (the source is there but
/// failing now), else final.
pub(crate) fn refused(
    provider: &str,
    status: u16,
    code: Option<&str>,
    message: String,
) -> CredentialsError {
    if status == 429 || retry::is_retryable_response(status, code) {
        CredentialsError::transient_failure(provider, message)
    } else {
        CredentialsError::provider_error(provider, message)
    }
}

/// The start of a body that is not what was expected, for an error message:
/// at most 200 characters, quoted with control characters escaped, and any of
/// `secrets` that a misbehaving server echoes back cut out.
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    format!(
        "{:?}",
        redact_and_cut(&String::from_utf8_lossy(body), secrets)
    )
}

/// Text a server sent (an error's code or message), fit for an error message:
/// any of `secrets` it echoes cut out, at most 200 characters, control
/// characters escaped (no forged log lines).
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let shown = redact_and_cut(text, secrets);
    if shown.chars().any(char::is_control) {
        shown.escape_debug().to_string()
    } else {
        shown
    }
}

/// `text` without `secrets`, cut to 200 characters (`…` marks a cut).
fn redact_and_cut(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|secret| !secret.is_empty()) {
        text = text.replace(secret, "** redacted **");
    }
    let mut shown: String = text.chars().take(200).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// Form-encodes `value` for an `application/x-www-form-urlencoded` body:
/// unreserved characters as they are, everything else as `%XX`.
pub(crate) fn form_encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, marketplace_sdk_runtime::sigv4::URI_ENCODE_SET)
        .to_string()
}

/// `text` when it holds no CR or LF: what may go into an HTTP header.
pub(crate) fn single_line(text: &str) -> bool {
    !text.contains(['\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        assert_eq!(
            form_encode("arn:aws:iam::123:role/a b+c"),
            "arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fa%20b%2Bc"
        );
        assert_eq!(form_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(form_encode("é"), "%C3%A9");
    }

    #[test]
    fn excerpts_are_short_and_scrubbed() {
        let body = format!("echo: TOKEN123 {}", "x".repeat(500));
        let text = excerpt(body.as_bytes(), &["TOKEN123"]);
        assert!(!text.contains("TOKEN123"), "{text}");
        assert!(
            text.contains("** redacted **") && text.ends_with("…\""),
            "{text}"
        );
        assert!(text.chars().count() < 220);
        assert_eq!(excerpt(b"a\nb", &[]), "\"a\\nb\"");
    }
}
