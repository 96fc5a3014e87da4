//! What can go wrong with a call, sorted by where it went wrong.
//!
//! [`SdkError`] tells apart a request that was never sent (invalid input or
//! configuration), one that never got an answer (transport), an answer that could
//! not be read, and an error the service returned. The service error `E` is the
//! generated per-operation enum; the rest is shared by every operation.

use crate::transport::{HttpError, HttpErrorKind};
use std::error::Error as StdError;
use std::fmt;

/// Code, message, request id and HTTP status of an error response.
///
/// For a service that moved from the awsQuery protocol (the model's
/// `awsQueryCompatible`), the code is the one the `x-amzn-query-error` header
/// names, as botocore and aws-sdk-rust report it, and the code of the JSON
/// error document is kept as [`ErrorMetadata::protocol_code`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    status: Option<u16>,
    /// The protocol's own code, when the query code replaced it as `code`.
    protocol_code: Option<String>,
    /// `Sender` or `Receiver`, from the `x-amzn-query-error` header.
    query_error_type: Option<String>,
}

impl ErrorMetadata {
    /// Metadata from its parts.
    pub fn new(
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        status: Option<u16>,
    ) -> Self {
        ErrorMetadata {
            code,
            message,
            request_id,
            status,
            protocol_code: None,
            query_error_type: None,
        }
    }

    /// The same metadata with the awsQuery error code and type of a query-compatible
    /// service's `x-amzn-query-error` header (`Code;Type`, e.g.
    /// `AWS.SimpleQueueService.NonExistentQueue;Sender`), as botocore reads it: only a
    /// value of exactly two `;`-separated parts with a non-empty code counts; then the
    /// code replaces [`code`](Self::code), which stays readable as
    /// [`protocol_code`](Self::protocol_code), and the type (possibly empty) is
    /// [`query_error_type`](Self::query_error_type). Any other value, or none, leaves
    /// the metadata as it is.
    pub fn with_query_error(mut self, header: Option<&str>) -> Self {
        let Some((code, error_type)) = header.and_then(|value| value.split_once(';')) else {
            return self;
        };
        if code.is_empty() || error_type.contains(';') {
            return self;
        }
        self.protocol_code = self.code.take();
        self.code = Some(code.to_owned());
        self.query_error_type = Some(error_type.to_owned());
        self
    }

    /// The error code, e.g. `ThrottlingException`; for a query-compatible service
    /// whose response named an awsQuery code, that code (e.g.
    /// `AWS.SimpleQueueService.NonExistentQueue`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The code of the protocol's error document (awsJson's `__type` or
    /// `X-Amzn-Errortype`, e.g. `QueueDoesNotExist`), which names the modeled
    /// exception: the same as [`code`](Self::code) unless an awsQuery code replaced
    /// it ([`with_query_error`](Self::with_query_error)).
    pub fn protocol_code(&self) -> Option<&str> {
        match &self.query_error_type {
            Some(_) => self.protocol_code.as_deref(),
            None => self.code.as_deref(),
        }
    }

    /// The awsQuery error type of a query-compatible service's response, `Sender`
    /// (the caller's fault) or `Receiver` (the service's), when its
    /// `x-amzn-query-error` header named one.
    pub fn query_error_type(&self) -> Option<&str> {
        self.query_error_type.as_deref()
    }

    /// The service's message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `x-amzn-RequestId` of the response, for AWS support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Writes `Code: message (HTTP 400, request id X)`, with what is known.
    fn write_summary(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "{code}: {message}")?,
            (Some(code), None) => write!(f, "{code}")?,
            (None, Some(message)) => write!(f, "service error without a code: {message}")?,
            (None, None) => f.write_str("service error without a code or message")?,
        }
        let mut extra = Vec::new();
        if let Some(status) = self.status {
            extra.push(format!("HTTP {status}"));
        }
        if let Some(id) = &self.request_id {
            extra.push(format!("request id {id}"));
        }
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

/// Access to the [`ErrorMetadata`] of a service error.
pub trait ProvideErrorMetadata {
    /// The metadata of the response this error came from.
    fn meta(&self) -> &ErrorMetadata;
    /// The error code.
    fn code(&self) -> Option<&str> {
        self.meta().code()
    }
    /// The service's message.
    fn message(&self) -> Option<&str> {
        self.meta().message()
    }
    /// The request id.
    fn request_id(&self) -> Option<&str> {
        self.meta().request_id()
    }
}

/// A service error whose code the model does not list for the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhandled {
    meta: ErrorMetadata,
    body_excerpt: Option<String>,
}

impl Unhandled {
    /// An unhandled error from a response's metadata and, when the body was not
    /// a JSON error document, the start of it for the error text.
    pub fn new(meta: ErrorMetadata, body_excerpt: Option<String>) -> Self {
        Unhandled { meta, body_excerpt }
    }

    /// The start of a response body that was not a JSON error document.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.body_excerpt.as_deref()
    }
}

impl ProvideErrorMetadata for Unhandled {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.meta.write_summary(f)?;
        if let Some(body) = &self.body_excerpt {
            write!(f, "; body: {body:?}")?;
        }
        Ok(())
    }
}

impl StdError for Unhandled {}

/// Input that breaks a rule of the model, found before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    path: String,
    problem: String,
}

impl ValidationError {
    /// A broken rule at a member path such as `UsageRecords[3].Dimension`.
    pub fn new(path: impl Into<String>, problem: impl Into<String>) -> Self {
        ValidationError {
            path: path.into(),
            problem: problem.into(),
        }
    }

    /// Where the broken rule is, in wire member names: `UsageRecords[3].Dimension`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong there.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid input: {}: {}", self.path, self.problem)
    }
}

impl StdError for ValidationError {}

/// Configuration that cannot make a request: no region, no credentials, a bad
/// endpoint URL or a malformed setting, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl ConfigError {
    /// A configuration problem, described.
    pub fn new(description: impl Into<String>) -> Self {
        ConfigError(description.into())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.0)
    }
}

impl StdError for ConfigError {}

/// Why a [`CredentialsError`] happened, which decides what a chain does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The provider is not configured here (its variables are unset, no role is
    /// attached, no metadata service answered): a chain asks the next provider.
    NotLoaded,
    /// The provider is configured, but wrongly: a half-set key pair, a
    /// disallowed URL, a profile chain that loops. A chain stops here.
    InvalidConfiguration,
    /// The provider is configured but could not get credentials: an STS error,
    /// a malformed answer, a failing `credential_process`. A chain stops here.
    ProviderError,
    /// The provider is configured, but its source failed in a way that may pass:
    /// it could not be reached, timed out, or answered with a server error or
    /// throttling. The provider has already retried a few times with backoff; a
    /// chain stops here, and a call may try again later
    /// ([`CredentialsError::is_retryable`]).
    TransientFailure,
}

/// Why a provider has no credentials: which provider, what it tried, and, for a
/// chain, the same for every provider it asked.
///
/// Messages name variables, files and lines, URLs and HTTP statuses, never a
/// secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    kind: CredentialsErrorKind,
    provider: String,
    message: String,
    tried: Vec<CredentialsError>,
}

impl CredentialsError {
    /// `provider` is not configured here, because `message`.
    pub fn not_loaded(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::NotLoaded, provider, message)
    }

    /// `provider` is configured wrongly: `message`.
    pub fn invalid_configuration(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(
            CredentialsErrorKind::InvalidConfiguration,
            provider,
            message,
        )
    }

    /// `provider` is configured but failed: `message`.
    pub fn provider_error(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::ProviderError, provider, message)
    }

    /// `provider` is configured, but its source failed in a way that may pass
    /// (unreachable, timed out, a server error, throttling): `message`.
    pub fn transient_failure(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(CredentialsErrorKind::TransientFailure, provider, message)
    }

    /// An error of any `kind` from `provider`: `message`.
    pub fn new(
        kind: CredentialsErrorKind,
        provider: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        CredentialsError {
            kind,
            provider: provider.into(),
            message: message.into(),
            tried: Vec::new(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// Whether asking again later may succeed: the source failed transiently
    /// ([`CredentialsErrorKind::TransientFailure`]). Missing, wrong or refused
    /// credentials are not retryable.
    pub fn is_retryable(&self) -> bool {
        self.kind == CredentialsErrorKind::TransientFailure
    }

    /// The provider that failed, e.g. `environment` or `EC2 instance metadata`.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// What went wrong, without the provider's name.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For a chain: what each provider it asked answered, in order.
    pub fn tried(&self) -> &[CredentialsError] {
        &self.tried
    }

    /// The same error with the provider's answers attached (for chains).
    pub fn with_tried(mut self, tried: Vec<CredentialsError>) -> Self {
        self.tried = tried;
        self
    }

    /// The error of an inner provider as `provider`'s, the inner provider's name
    /// and `context` before its message; "not loaded" becomes a configuration
    /// error, since `provider` was told to use the inner one.
    pub fn within(self, provider: &str, context: impl fmt::Display) -> Self {
        let kind = match self.kind {
            CredentialsErrorKind::NotLoaded => CredentialsErrorKind::InvalidConfiguration,
            kind => kind,
        };
        CredentialsError {
            kind,
            provider: provider.to_owned(),
            message: format!("{context}: {}: {}", self.provider, self.message),
            tried: self.tried,
        }
    }

    /// The same error with `context` before its message.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.provider, self.message)?;
        for (index, tried) in self.tried.iter().enumerate() {
            write!(
                f,
                "{} {}. {tried}",
                if index == 0 { ":" } else { ";" },
                index + 1
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for CredentialsError {}

/// The request may not have reached the service, or its answer did not come back:
/// connection refused, DNS, TLS, timeout, connection closed.
#[derive(Debug)]
pub struct TransportError {
    operation: &'static str,
    url: String,
    source: Box<dyn StdError + Send + Sync>,
    /// Which attempt of how many failed so, when the call was retried.
    attempt: Option<(u32, u32)>,
}

impl TransportError {
    /// A transport failure calling `operation` at `url`.
    pub fn new(
        operation: &'static str,
        url: impl Into<String>,
        source: Box<dyn StdError + Send + Sync>,
    ) -> Self {
        TransportError {
            operation,
            url: url.into(),
            source,
            attempt: None,
        }
    }

    /// The same failure, on attempt `attempt` of at most `max_attempts`.
    pub(crate) fn on_attempt(mut self, attempt: u32, max_attempts: u32) -> Self {
        self.attempt = Some((attempt, max_attempts));
        self
    }

    /// Whether the failure was a timeout: connecting, an attempt or the whole
    /// operation took longer than its configured limit.
    pub fn is_timeout(&self) -> bool {
        self.source.downcast_ref::<TimeoutError>().is_some()
            || self.http_error_kind() == Some(HttpErrorKind::Timeout)
    }

    /// Whether the failure was the whole operation running out of time
    /// (`ConfigBuilder::operation_timeout`), rather than one attempt.
    pub fn is_operation_timeout(&self) -> bool {
        self.source
            .downcast_ref::<TimeoutError>()
            .is_some_and(|timeout| timeout.kind == TimeoutKind::Operation)
    }

    /// The attempt that failed so, from 1, when the client retried.
    pub fn attempt(&self) -> Option<u32> {
        self.attempt.map(|(attempt, _)| attempt)
    }

    /// Whether the connection could not be made (so the request was not sent).
    pub fn is_connect(&self) -> bool {
        self.http_error_kind() == Some(HttpErrorKind::Connect)
    }

    /// The kind of the transport's error, when the source is one.
    fn http_error_kind(&self) -> Option<HttpErrorKind> {
        self.source.downcast_ref::<HttpError>().map(HttpError::kind)
    }
}

impl fmt::Display for TransportError {
    /// The whole cause chain: reqwest's own text alone says little.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} request to {} failed", self.operation, self.url)?;
        if let Some((attempt, max_attempts)) = self.attempt {
            write!(f, " (attempt {attempt} of {max_attempts})")?;
        }
        let mut cause: Option<&(dyn StdError + 'static)> = Some(&*self.source);
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}

/// Which time limit ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeoutKind {
    /// One attempt: `ConfigBuilder::attempt_timeout`.
    Attempt,
    /// The whole call, retries included: `ConfigBuilder::operation_timeout`.
    Operation,
}

/// A time limit of the client ran out; the source of a [`TransportError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TimeoutError {
    kind: TimeoutKind,
    limit: std::time::Duration,
    /// What went wrong before, for an operation that ran out of time retrying.
    previous: Option<String>,
}

impl TimeoutError {
    pub(crate) fn attempt(limit: std::time::Duration) -> Self {
        TimeoutError {
            kind: TimeoutKind::Attempt,
            limit,
            previous: None,
        }
    }

    pub(crate) fn operation(limit: std::time::Duration, previous: Option<String>) -> Self {
        TimeoutError {
            kind: TimeoutKind::Operation,
            limit,
            previous,
        }
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Attempt => write!(
                f,
                "timed out: no complete response within the attempt timeout of {:?}",
                self.limit
            )?,
            TimeoutKind::Operation => write!(
                f,
                "timed out: the operation did not complete within its timeout of {:?}",
                self.limit
            )?,
        }
        if let Some(previous) = &self.previous {
            write!(f, "; before that: {previous}")?;
        }
        Ok(())
    }
}

impl StdError for TimeoutError {}

/// A response arrived but could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    operation: &'static str,
    status: u16,
    request_id: Option<String>,
    problem: String,
}

impl ResponseError {
    /// A response to `operation` with `status` that could not be read, and why.
    pub fn new(
        operation: &'static str,
        status: u16,
        request_id: Option<String>,
        problem: impl Into<String>,
    ) -> Self {
        ResponseError {
            operation,
            status,
            request_id,
            problem: problem.into(),
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request id of the response, when it had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable {} response (HTTP {}",
            self.operation, self.status
        )?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        write!(f, "): {}", self.problem)
    }
}

impl StdError for ResponseError {}

/// A paginator stopped: a page answered with pagination tokens that an earlier page of the
/// same stream was requested with, so following them would request the same pages again,
/// forever. The pages before arrived; no later page was requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaginationError {
    operation: &'static str,
    page: usize,
    first_page: usize,
    tokens: String,
}

impl PaginationError {
    /// Page `page` of `operation` answered with `tokens` (described, e.g. `NextToken "abc"`),
    /// which page `first_page` was requested with.
    pub fn new(
        operation: &'static str,
        page: usize,
        first_page: usize,
        tokens: impl Into<String>,
    ) -> Self {
        PaginationError {
            operation,
            page,
            first_page,
            tokens: tokens.into(),
        }
    }

    /// The operation, e.g. `GetEntitlements`.
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// The page, from 1, that answered with the tokens again.
    pub fn page(&self) -> usize {
        self.page
    }

    /// The page, from 1, that was requested with those tokens before.
    pub fn first_page(&self) -> usize {
        self.first_page
    }

    /// The tokens by name, with their values unless the model marks them sensitive:
    /// `NextToken "abc"`.
    pub fn tokens(&self) -> &str {
        &self.tokens
    }
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} page {} answered with {}, which page {} was requested with: the paginator stops \
             rather than request the same pages again",
            self.operation, self.page, self.tokens, self.first_page
        )
    }
}

impl StdError for PaginationError {}

/// The error of a call: `E` is the operation's own error enum.
///
/// The seven categories are fixed by how a call can fail, so the enum is exhaustive:
/// match it without a wildcard.
#[derive(Debug)]
pub enum SdkError<E> {
    /// The input broke a rule of the model; nothing was sent.
    Validation(ValidationError),
    /// The configuration cannot make a request; nothing was sent.
    Config(ConfigError),
    /// No credentials to sign with: none are configured anywhere, their source
    /// refused (`AccessDenied`, a bad token), or it failed transiently and the
    /// call's retries ran out ([`CredentialsError::is_retryable`]); nothing was
    /// sent.
    Credentials(CredentialsError),
    /// The request failed on the way: connect, TLS, timeout, closed connection.
    Transport(TransportError),
    /// The response could not be read.
    Response(ResponseError),
    /// The service returned an error.
    Service(E),
    /// A paginator's page answered with pagination tokens it had already sent, and the
    /// paginator stopped (only paginators return this).
    Pagination(PaginationError),
}

impl<E: ProvideErrorMetadata> SdkError<E> {
    /// The service's error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        self.service_meta().and_then(ErrorMetadata::code)
    }

    /// The service's message, for service errors; the problem otherwise.
    pub fn message(&self) -> Option<&str> {
        match self {
            SdkError::Service(error) => error.meta().message(),
            SdkError::Validation(error) => Some(error.problem()),
            _ => None,
        }
    }

    /// The request id, when a response arrived.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Service(error) => error.meta().request_id(),
            SdkError::Response(error) => error.request_id(),
            _ => None,
        }
    }

    fn service_meta(&self) -> Option<&ErrorMetadata> {
        match self {
            SdkError::Service(error) => Some(error.meta()),
            _ => None,
        }
    }
}

impl<E> SdkError<E> {
    /// The operation's error, when the service returned one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }

    /// Takes the operation's error out, when the service returned one.
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(error) => Some(error),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Validation(error) => fmt::Display::fmt(error, f),
            SdkError::Config(error) => fmt::Display::fmt(error, f),
            SdkError::Credentials(error) => display_credentials_error(error, f),
            SdkError::Transport(error) => fmt::Display::fmt(error, f),
            SdkError::Response(error) => fmt::Display::fmt(error, f),
            SdkError::Service(error) => fmt::Display::fmt(error, f),
            SdkError::Pagination(error) => fmt::Display::fmt(error, f),
        }
    }
}

impl<E: StdError + 'static> StdError for SdkError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SdkError::Validation(error) => Some(error),
            SdkError::Config(error) => Some(error),
            SdkError::Credentials(error) => Some(error),
            SdkError::Transport(error) => Some(error),
            SdkError::Response(error) => Some(error),
            SdkError::Service(error) => Some(error),
            SdkError::Pagination(error) => Some(error),
        }
    }
}

/// Writes a call's credentials error as `no credentials to sign with: provider:
/// message`; the generated service-wide error calls this too.
pub fn display_credentials_error(
    error: &CredentialsError,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    write!(f, "no credentials to sign with: {error}")
}

/// Writes a service error as `Code: message (HTTP 400, request id X)`; generated
/// exception types call this from their `Display`. `name` stands in for the code
/// when the error was not read from a response.
pub fn display_service_error(
    name: &str,
    meta: &ErrorMetadata,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    if meta.code.is_some() {
        meta.write_summary(f)
    } else {
        let named = ErrorMetadata {
            code: Some(name.to_owned()),
            ..meta.clone()
        };
        named.write_summary(f)
    }
}
