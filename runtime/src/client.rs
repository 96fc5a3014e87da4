//! One call, start to end: validate, serialize, sign, send, read the answer.
//!
//! The only generic code is [`Handle::send`], which is short: serializing the input
//! and parsing the output are per shape, everything else is `Handle::invoke`, which
//! is compiled once for every operation of every service.

use crate::aws_json;
use crate::config::ClientConfig;
use crate::credentials::Credentials;
use crate::datetime::parse_http_date;
use crate::endpoint::{Builtins, Endpoint, EndpointError};
// Where generated code has always found them.
use crate::error::ErrorMetadata;
use crate::error::{
    ConfigError, CredentialsError, ResponseError, SdkError, TimeoutError, TransportError,
    ValidationError,
};
pub use crate::operation::{
    host_label, parse_exception, unhandled, AuthScheme, FluentBuilder, Operation, OperationError,
};
use crate::redact::redact_userinfo;
use crate::retry::{self, ClockSkew, Decision, RetryReason, RetryStrategy};
use crate::sigv4::{Signer, SigningParams, SigningTarget};
use crate::transport::{
    HttpClient, HttpError, HttpErrorKind, HttpRequest, ReqwestHttpClient, SharedHttpClient,
    DEFAULT_BODY_LIMIT,
};
use crate::user_agent::{check_app_id, UserAgent};
use std::borrow::Cow;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tracing::field::Empty;
use tracing::Instrument;

/// The largest response body a client reads; a bigger one is a [`ResponseError`].
/// Metering responses are a few hundred bytes; the bound keeps a broken or hostile
/// server from exhausting memory.
pub const MAX_RESPONSE_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What the generated crate knows about its service, from the model's `metadata`.
#[derive(Debug)]
pub struct ServiceSpec {
    /// `metadata.serviceId`, e.g. `Marketplace Metering`.
    pub service_id: &'static str,
    /// `metadata.signingName`: the service name in the SigV4 scope, unless the
    /// endpoint's auth scheme names another.
    pub signing_name: &'static str,
    /// `metadata.targetPrefix`: the first half of `X-Amz-Target`.
    pub target_prefix: &'static str,
    /// `metadata.jsonVersion`: `1.0` or `1.1`.
    pub json_version: &'static str,
    /// `metadata.awsQueryCompatible`: the service moved from the awsQuery
    /// protocol. Its requests carry `x-amzn-query-mode: true`, and the code of an
    /// error response is the awsQuery code its `x-amzn-query-error` header names
    /// (see [`ErrorMetadata::with_query_error`]), as botocore reads it.
    pub query_compatible: bool,
    /// The crate's name and version, `name/version`: the first part of the
    /// `User-Agent` and `x-amz-user-agent` headers it sends.
    pub user_agent: &'static str,
    /// The service's endpoint rules, generated from its rule set.
    pub resolve_endpoint: fn(&Builtins<'_>) -> Result<Endpoint, EndpointError>,
}

/// A configured connection to one service; cheap to clone, shared by every call.
#[derive(Clone, Debug)]
pub struct Handle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: ClientConfig,
    service: &'static ServiceSpec,
    /// Sends every request; `Err` when the default HTTP client could not be
    /// built, reported on each call.
    http: Result<SharedHttpClient, String>,
    /// The headers every request of this handle carries (content type, user
    /// agents), made once; `Err` when the configured app id is unusable, reported
    /// on each call.
    fixed_headers: Result<http::HeaderMap, ConfigError>,
    /// Where calls go and how they are signed; `Err` when the configuration
    /// gives no usable endpoint, reported on each call.
    route: Result<Route, ConfigError>,
    /// Signs every call, keeping the day's signing key.
    signer: Signer,
    /// The retry quota and rate limiter every call of this client shares.
    retry: RetryStrategy,
    /// How far the service's clock is ahead of the local one, in milliseconds,
    /// as learned from a clock-skew error; requests are signed with the local time
    /// plus this.
    clock_skew_ms: AtomicI64,
}

/// Where every call of a handle goes and how it is signed. It depends on the
/// configuration only, so it is settled once, when the handle is made.
#[derive(Debug)]
struct Route {
    /// The headers the endpoint's rules add to every request.
    endpoint_headers: http::HeaderMap,
    /// The endpoint with the request URI `/`, as sent (parsed once, not per call).
    url: http::Uri,
    target: SigningTarget,
    /// The region and service name in the signature's scope: the configured
    /// region and the model's signing name unless the endpoint's auth scheme
    /// names others. No region is an error for signed operations only.
    signing_region: Result<String, ConfigError>,
    signing_name: String,
}

impl Route {
    fn new(config: &ClientConfig, service: &ServiceSpec) -> Result<Self, ConfigError> {
        let builtins = Builtins {
            region: config.checked_region()?,
            use_fips: config.use_fips,
            use_dual_stack: config.use_dual_stack,
            endpoint: config.endpoint_url.as_ref().map(|url| url.url()),
        };
        let endpoint = (service.resolve_endpoint)(&builtins).map_err(|error| {
            ConfigError::new(format!("no endpoint for this configuration: {error}"))
        })?;
        let url = request_url(endpoint.url())?;
        // Signed as sent: the URL parser lower-cases the host, drops a default port
        // and resolves dot segments, and the request carries that form.
        let target = SigningTarget::from_url(url.as_str())?;
        let url = url.as_str().parse().map_err(|error| {
            ConfigError::new(format!("endpoint URL `{url}` cannot be sent to: {error}"))
        })?;
        let scheme = endpoint.sigv4_scheme();
        let signing_region = scheme
            .and_then(|s| s.signing_region)
            .or(builtins.region)
            .map(str::to_owned)
            .ok_or_else(|| {
                ConfigError::new(
                    "no region is configured to sign with: set Config::builder().region(..) or AWS_REGION",
                )
            });
        let signing_name = scheme
            .and_then(|s| s.signing_name)
            .unwrap_or(service.signing_name)
            .to_owned();
        let endpoint_headers = header_map(endpoint.headers().iter().flat_map(|(name, values)| {
            values
                .iter()
                .map(move |value| (name.as_str(), value.as_str()))
        }))?;
        Ok(Route {
            endpoint_headers,
            url,
            target,
            signing_region,
            signing_name,
        })
    }

    /// The URL and signing target of a request whose host gets `prefix` (an
    /// operation's expanded `hostPrefix`) before the endpoint's host, as botocore's
    /// `_urljoin` puts it before the URL's authority. The result is normalized as
    /// the endpoint was (host in lower case, as the request carries it) and signed
    /// as sent. An endpoint whose host is an IP address cannot take a prefix.
    fn prefixed(&self, prefix: &str) -> Result<(http::Uri, SigningTarget), ConfigError> {
        let scheme = self.url.scheme_str().unwrap_or("https");
        let authority = self.url.authority().map_or("", |a| a.as_str());
        let path = self.url.path_and_query().map_or("/", |p| p.as_str());
        let host = self.url.host().unwrap_or("");
        let refused = |why: String| {
            ConfigError::new(format!(
                "cannot send to the host prefix `{prefix}` + `{authority}`: {why}; \
                 to send this operation to the endpoint's own host, set \
                 Config::builder().disable_host_prefix(true) or AWS_DISABLE_HOST_PREFIX_INJECTION=true"
            ))
        };
        if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
            return Err(refused("the endpoint's host is an IP address".into()));
        }
        let url = reqwest::Url::parse(&format!("{scheme}://{prefix}{authority}{path}"))
            .map_err(|error| refused(error.to_string()))?;
        let target = SigningTarget::from_url(url.as_str())?;
        let uri = url
            .as_str()
            .parse()
            .map_err(|error: http::uri::InvalidUri| refused(error.to_string()))?;
        Ok((uri, target))
    }
}

/// What [`Handle::invoke`] needs to know about the operation it sends, besides
/// its body.
struct CallSpec {
    /// The operation name, e.g. `MeterUsage`.
    operation: &'static str,
    /// Whether its requests are signed.
    auth: AuthScheme,
    /// Its expanded host prefix, if it has one.
    host_prefix: Option<String>,
}

/// A response as it came off the wire.
struct RawResponse {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<String> {
        header_text(&self.headers, name)
    }
}

/// Why a call failed without a response to read.
enum SendFailure {
    Config(ConfigError),
    Credentials(CredentialsError),
    Transport(TransportError),
    /// A response arrived but was refused before it was parsed (too big).
    Response(ResponseError),
}

impl<E> From<SendFailure> for SdkError<E> {
    fn from(failure: SendFailure) -> Self {
        match failure {
            SendFailure::Config(error) => SdkError::Config(error),
            SendFailure::Credentials(error) => SdkError::Credentials(error),
            SendFailure::Transport(error) => SdkError::Transport(error),
            SendFailure::Response(error) => SdkError::Response(error),
        }
    }
}

/// How one attempt ended, as the retry loop sees it.
enum AttemptOutcome {
    /// A 2xx response: the call is done.
    Success(RawResponse),
    /// An error response, and whether it may be retried.
    Refused(RawResponse, Option<RetryReason>),
    /// No response, and whether the attempt may be retried.
    Failed(TransportError, Option<RetryReason>),
    /// Not sent: the credentials' source failed transiently.
    NoCredentials(CredentialsError),
    /// A response arrived but was refused before it was read (too big); not
    /// retried.
    Unreadable(ResponseError),
    /// The operation ran out of time while the attempt was under way.
    OperationTimedOut,
}

/// What every attempt of a call sends: settled once, by [`Handle::plan_call`].
struct CallPlan<'a> {
    operation: &'static str,
    auth: AuthScheme,
    http: &'a SharedHttpClient,
    route: &'a Route,
    /// Where the request goes and how that is signed: the route's, or with the
    /// operation's host prefix.
    url: Cow<'a, http::Uri>,
    target: Cow<'a, SigningTarget>,
    /// Every header but `amz-sdk-request` and the signature's.
    headers: http::HeaderMap,
    body: Vec<u8>,
    /// When the operation timeout ends the call; `None` if that is past the
    /// end of time.
    deadline: Option<Instant>,
    operation_timeout: Duration,
}

impl CallPlan<'_> {
    /// The time left before the operation timeout.
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// The call's error when the operation timeout ends it, saying what failed
    /// before.
    fn operation_timeout(&self, last: &Option<LastFailure>) -> SendFailure {
        SendFailure::Transport(TransportError::new(
            self.operation,
            self.url.to_string(),
            Box::new(TimeoutError::operation(
                self.operation_timeout,
                last.as_ref().map(LastFailure::describe),
            )),
        ))
    }
}

/// The headers of one attempt, signed, and the clock skew they were signed with.
struct SignedAttempt {
    headers: http::HeaderMap,
    skew_ms: i64,
}

/// How one attempt ended, as recorded on its span: the call's answer, a failure
/// to decide on, or the end of the operation's time.
enum Recorded {
    /// A 2xx response, or an answer no retry can change.
    Done(RawResponse),
    /// The attempt failed; the reason it may be retried, and the failure.
    Failed(Option<RetryReason>, LastFailure),
    /// The operation timeout passed during the attempt.
    OperationTimedOut,
    /// A response that cannot be read; the call ends with it.
    Unreadable(ResponseError),
}

/// Stage: records how an attempt ended on its span (status, request id, retry
/// reason) and sorts the outcome for the retry loop.
fn record(outcome: AttemptOutcome, attempt_span: &tracing::Span) -> Recorded {
    let record_response = |response: &RawResponse| {
        attempt_span.record("status", response.status);
        if let Some(id) = response.header("x-amzn-requestid") {
            attempt_span.record("request_id", id.as_str());
        }
    };
    let (reason, failure) = match outcome {
        AttemptOutcome::Success(response) => {
            record_response(&response);
            return Recorded::Done(response);
        }
        AttemptOutcome::OperationTimedOut => return Recorded::OperationTimedOut,
        AttemptOutcome::Refused(response, reason) => {
            record_response(&response);
            (reason, LastFailure::Refused(response))
        }
        AttemptOutcome::Failed(error, reason) => (reason, LastFailure::Transport(error)),
        AttemptOutcome::NoCredentials(error) => (
            Some(RetryReason::Transient),
            LastFailure::Credentials(error),
        ),
        AttemptOutcome::Unreadable(error) => return Recorded::Unreadable(error),
    };
    if let Some(reason) = reason {
        attempt_span.record("retry_reason", reason.as_str());
    }
    Recorded::Failed(reason, failure)
}

/// The last failed attempt, which becomes the call's error when no retry
/// follows it.
enum LastFailure {
    /// An error response: the service's error.
    Refused(RawResponse),
    /// No response.
    Transport(TransportError),
    /// Not sent: no credentials for now.
    Credentials(CredentialsError),
}

impl LastFailure {
    fn describe(&self) -> String {
        match self {
            LastFailure::Refused(response) => format!("HTTP {}", response.status),
            LastFailure::Transport(error) => error.to_string(),
            LastFailure::Credentials(error) => format!("no credentials: {error}"),
        }
    }
}

/// Why a transport failure may be retried: all of them may, as the request may
/// not have reached the service or its answer was lost, except a request that
/// could not be sent as it is.
fn classify_transport(error: &HttpError) -> Option<RetryReason> {
    match error.kind() {
        _ if !error.is_retryable() => None,
        HttpErrorKind::Timeout => Some(RetryReason::Timeout),
        _ => Some(RetryReason::Connection),
    }
}

/// The local time in milliseconds since the epoch.
fn local_millis(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// `now` moved by `offset_ms` milliseconds; `now` itself if that does not fit.
fn shifted(now: SystemTime, offset_ms: i64) -> SystemTime {
    let offset = Duration::from_millis(offset_ms.unsigned_abs());
    let moved = if offset_ms >= 0 {
        now.checked_add(offset)
    } else {
        now.checked_sub(offset)
    };
    moved.unwrap_or(now)
}

impl Handle {
    /// A handle for `service` with `config` (its settings for this service); one
    /// connection pool for its lifetime, shared by every clone.
    pub fn new(config: ClientConfig, service: &'static ServiceSpec) -> Self {
        let http = match &config.http_client {
            Some(client) => Ok(client.clone()),
            None => default_http_client(&config),
        };
        let user_agent = match config.app_id.as_deref() {
            Some(app_id) => check_app_id(app_id)
                .map(|()| UserAgent::new(service.user_agent, Some(app_id)))
                .map_err(|problem| ConfigError::new(format!("app id `{app_id}` {problem}"))),
            None => Ok(UserAgent::new(service.user_agent, None)),
        };
        let fixed_headers = user_agent.and_then(|user_agent| {
            let content_type = aws_json::content_type(service.json_version);
            let mut headers = vec![
                ("content-type", content_type.as_str()),
                ("user-agent", &user_agent.user_agent),
                ("x-amz-user-agent", &user_agent.amz_user_agent),
            ];
            // botocore's `_handle_query_compatible_trait`.
            if service.query_compatible {
                headers.push(("x-amzn-query-mode", "true"));
            }
            header_map(headers)
        });
        let retry = RetryStrategy::new(&config.retry_config);
        let route = Route::new(&config, service);
        Handle {
            inner: Arc::new(Inner {
                config,
                service,
                http,
                fixed_headers,
                route,
                signer: Signer::new(),
                retry,
                clock_skew_ms: AtomicI64::new(0),
            }),
        }
    }

    /// The configuration this handle was made with.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Sends one operation and reads its answer.
    pub async fn send<O: Operation>(&self, mut input: O) -> Result<O::Output, SdkError<O::Error>> {
        // Tokens first: a required idempotency token is the SDK's to fill.
        input.prepare();
        input.validate().map_err(SdkError::Validation)?;
        // Its labels are checked even when the prefix is not sent, as botocore
        // serializes them before `inject_host_prefix` drops the prefix.
        let host_prefix = input.host_prefix().map_err(SdkError::Validation)?;
        #[cfg(feature = "test-util")]
        if let Some(mocks) = &self.inner.config.mock_rules {
            return mocks.answer(&input);
        }
        let body = serde_json::to_vec(&input).map_err(|error| {
            SdkError::Validation(ValidationError::new(
                O::NAME,
                format!("cannot be serialized: {error}"),
            ))
        })?;
        let call = CallSpec {
            operation: O::NAME,
            auth: O::AUTH,
            host_prefix,
        };
        let response = self.invoke(call, body).await?;
        if (200..300).contains(&response.status) {
            let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
                b"{}"
            } else {
                &response.body
            };
            let reject = |problem: String| {
                SdkError::Response(ResponseError::new(
                    O::NAME,
                    response.status,
                    response.header("x-amzn-requestid"),
                    format!(
                        "{problem}; body: {:?}",
                        aws_json::body_excerpt(&response.body)
                    ),
                ))
            };
            // serde's derived structs also accept arrays (fields by position); an
            // awsJson output is always an object.
            if !aws_json::starts_object(body) {
                return Err(reject("expected a JSON object".to_owned()));
            }
            serde_json::from_slice(body).map_err(|error| reject(error.to_string()))
        } else {
            let meta = self.error_metadata(&response);
            Err(SdkError::Service(O::Error::from_response(
                meta,
                &response.body,
            )))
        }
    }

    /// Signs and sends one serialized request, retrying as the configuration says;
    /// the non-generic part of every call. The answer is the first 2xx response,
    /// or the last failure: an error response, or why no response came.
    async fn invoke(&self, call: CallSpec, body: Vec<u8>) -> Result<RawResponse, SendFailure> {
        let span = tracing::debug_span!(
            "operation",
            service = self.inner.service.service_id,
            operation = call.operation,
            invocation_id = Empty,
            attempts = Empty,
        );
        self.attempts(call, body, span.clone())
            .instrument(span)
            .await
    }

    /// The retry loop of [`Handle::invoke`], in the operation's span: plan the
    /// call once, then per attempt wait for the rate limiter, get credentials,
    /// sign, send and classify, and decide whether to try again.
    async fn attempts(
        &self,
        call: CallSpec,
        body: Vec<u8>,
        span: tracing::Span,
    ) -> Result<RawResponse, SendFailure> {
        let plan = self.plan_call(call, body, &span)?;
        let mut retries = self.inner.retry.start_call(&self.inner.config.retry_config);
        let max_attempts = retries.max_attempts();
        // The last failure, returned when no retry follows it.
        let mut last: Option<LastFailure> = None;
        for attempt in 1..=max_attempts {
            span.record("attempts", attempt);
            let attempt_span = tracing::debug_span!(
                "attempt",
                attempt,
                max_attempts,
                status = Empty,
                request_id = Empty,
                retry_reason = Empty,
            );
            self.wait_for_rate_limiter(&plan, &mut retries, &last, &attempt_span)
                .await?;
            let credentials = match plan.auth {
                // Unsigned, as botocore sends `signature_version=UNSIGNED`: no
                // credentials are needed.
                AuthScheme::NoAuth => Ok(None),
                _ => self.credentials_for_attempt(&plan, &last).await?.map(Some),
            };
            let outcome = match credentials {
                // Their source failed for now: the attempt fails as a transient
                // error would, and the call may retry it.
                Err(error) if error.is_retryable() => AttemptOutcome::NoCredentials(error),
                Err(error) => return Err(SendFailure::Credentials(error)),
                Ok(credentials) => {
                    let signed =
                        self.sign_attempt(&plan, credentials.as_ref(), attempt, max_attempts)?;
                    self.send_attempt(&plan, signed, attempt, max_attempts)
                        .instrument(attempt_span.clone())
                        .await
                }
            };
            let (reason, failure) = match record(outcome, &attempt_span) {
                Recorded::Done(response) => {
                    retries.succeeded();
                    return Ok(response);
                }
                Recorded::OperationTimedOut => return Err(plan.operation_timeout(&last)),
                Recorded::Unreadable(error) => return Err(SendFailure::Response(error)),
                Recorded::Failed(reason, failure) => (reason, failure),
            };
            last = Some(failure);
            if !self
                .decide(&plan, &mut retries, attempt, reason, &attempt_span)
                .await
            {
                break;
            }
        }
        match last {
            Some(LastFailure::Refused(response)) => Ok(response),
            Some(LastFailure::Transport(error)) => Err(SendFailure::Transport(error)),
            Some(LastFailure::Credentials(error)) => Err(SendFailure::Credentials(error)),
            // The loop runs at least once (max_attempts >= 1) and sets `last`
            // whenever it does not return; this is for completeness.
            None => Err(plan.operation_timeout(&None)),
        }
    }

    /// Stage: settles everything that does not change between the attempts of a
    /// call: the client's HTTP client and route (or why there are none), and
    /// the headers of every attempt with the call's invocation id.
    fn plan_call<'a>(
        &'a self,
        call: CallSpec,
        body: Vec<u8>,
        span: &tracing::Span,
    ) -> Result<CallPlan<'a>, SendFailure> {
        let operation = call.operation;
        let inner = &*self.inner;
        let config = &inner.config;
        let deadline = Instant::now().checked_add(config.operation_timeout);
        let http = inner
            .http
            .as_ref()
            .map_err(|e| SendFailure::Config(ConfigError::new(e.clone())))?;
        let fixed_headers = inner
            .fixed_headers
            .as_ref()
            .map_err(|error| SendFailure::Config(error.clone()))?;
        config.retry_config.check().map_err(SendFailure::Config)?;
        let route = inner
            .route
            .as_ref()
            .map_err(|error| SendFailure::Config(error.clone()))?;
        if call.auth != AuthScheme::NoAuth {
            if let Err(error) = &route.signing_region {
                return Err(SendFailure::Config(error.clone()));
            }
        }
        // botocore adds the prefix to a configured endpoint URL too, unless
        // `inject_host_prefix` is off.
        let (url, signing_target) = match call.host_prefix {
            Some(prefix) if !config.disable_host_prefix => {
                let (url, target) = route.prefixed(&prefix).map_err(SendFailure::Config)?;
                (Cow::Owned(url), Cow::Owned(target))
            }
            _ => (Cow::Borrowed(&route.url), Cow::Borrowed(&route.target)),
        };
        let target = aws_json::target(inner.service.target_prefix, operation);
        // One id for every attempt of the call, so the service can tell retries apart
        // from new calls.
        let invocation_id = crate::random::uuid_v4();
        span.record("invocation_id", invocation_id.as_str());
        let mut headers = fixed_headers.clone();
        // Appended, not `extend`ed: that would replace a header of the same name.
        for (name, value) in &route.endpoint_headers {
            headers.append(name.clone(), value.clone());
        }
        headers.append(
            http::HeaderName::from_static("x-amz-target"),
            header_value("x-amz-target", target).map_err(SendFailure::Config)?,
        );
        headers.append(
            http::HeaderName::from_static("amz-sdk-invocation-id"),
            header_value("amz-sdk-invocation-id", invocation_id).map_err(SendFailure::Config)?,
        );
        Ok(CallPlan {
            operation,
            auth: call.auth,
            http,
            route,
            url,
            target: signing_target,
            headers,
            body,
            deadline,
            operation_timeout: config.operation_timeout,
        })
    }

    /// Stage: in adaptive mode, waits until the client-side rate limiter lets the
    /// attempt go, unless the operation would time out first.
    async fn wait_for_rate_limiter(
        &self,
        plan: &CallPlan<'_>,
        retries: &mut retry::CallRetries<'_>,
        last: &Option<LastFailure>,
        attempt_span: &tracing::Span,
    ) -> Result<(), SendFailure> {
        let wait = retries.before_attempt();
        if wait.is_zero() {
            return Ok(());
        }
        if plan.remaining().is_some_and(|left| wait >= left) {
            retries.attempt_abandoned();
            return Err(plan.operation_timeout(last));
        }
        attempt_span.in_scope(|| {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "waiting for the client-side rate limiter"
            )
        });
        self.inner.config.sleep.sleep(wait).await;
        Ok(())
    }

    /// Stage: the credentials to sign this attempt with, from the config's cache
    /// (cheap while they are fresh), looked up for every attempt so that a retry
    /// signs with current ones. The lookup counts against the operation timeout.
    async fn credentials_for_attempt(
        &self,
        plan: &CallPlan<'_>,
        last: &Option<LastFailure>,
    ) -> Result<Result<Credentials, CredentialsError>, SendFailure> {
        let lookup = self.inner.config.signing_credentials();
        match plan.remaining() {
            Some(left) => tokio::time::timeout(left, lookup)
                .await
                .map_err(|_elapsed| plan.operation_timeout(last)),
            None => Ok(lookup.await),
        }
    }

    /// Stage: the headers of one attempt, signed anew (a fresh time, and its own
    /// attempt number), with the signing clock moved by the learned skew; without
    /// credentials (an unsigned operation) only the attempt number is added.
    fn sign_attempt(
        &self,
        plan: &CallPlan<'_>,
        credentials: Option<&Credentials>,
        attempt: u32,
        max_attempts: u32,
    ) -> Result<SignedAttempt, SendFailure> {
        let inner = &*self.inner;
        let route = plan.route;
        let skew_ms = inner.clock_skew_ms.load(Ordering::Relaxed);
        let mut headers = plan.headers.clone();
        headers.append(
            http::HeaderName::from_static("amz-sdk-request"),
            header_value(
                "amz-sdk-request",
                format!("attempt={attempt}; max={max_attempts}"),
            )
            .map_err(SendFailure::Config)?,
        );
        let Some(credentials) = credentials else {
            return Ok(SignedAttempt { headers, skew_ms });
        };
        let signing_region = route
            .signing_region
            .as_deref()
            .map_err(|error| SendFailure::Config(error.clone()))?;
        // Every value went in as text, so each reads back as text.
        let to_sign: Vec<(&str, &str)> = headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        let signature = inner
            .signer
            .sign(
                &plan.target,
                &to_sign,
                &plan.body,
                &SigningParams {
                    credentials,
                    region: signing_region,
                    service: &route.signing_name,
                    time: shifted(SystemTime::now(), skew_ms),
                },
            )
            .map_err(SendFailure::Config)?;
        for (name, value) in signature {
            headers.append(
                http::HeaderName::from_static(name),
                header_value(name, value).map_err(SendFailure::Config)?,
            );
        }
        Ok(SignedAttempt { headers, skew_ms })
    }

    /// Stage: sends one signed attempt within the attempt timeout and what is
    /// left of the operation's, and classifies how it ended.
    async fn send_attempt(
        &self,
        plan: &CallPlan<'_>,
        signed: SignedAttempt,
        attempt: u32,
        max_attempts: u32,
    ) -> AttemptOutcome {
        let config = &self.inner.config;
        let left = plan.remaining();
        let limit = left.map_or(config.attempt_timeout, |left| {
            config.attempt_timeout.min(left)
        });
        let bounded_by_operation = left.is_some_and(|left| left <= config.attempt_timeout);
        let sent = tokio::time::timeout(
            limit,
            exchange(plan.http, &plan.url, signed.headers, plan.body.clone()),
        )
        .await;
        let transport = |source: Box<dyn std::error::Error + Send + Sync>| {
            let error = TransportError::new(plan.operation, plan.url.to_string(), source);
            if max_attempts > 1 {
                error.on_attempt(attempt, max_attempts)
            } else {
                error
            }
        };
        match sent {
            Err(_elapsed) if bounded_by_operation => AttemptOutcome::OperationTimedOut,
            Err(_elapsed) => AttemptOutcome::Failed(
                transport(Box::new(TimeoutError::attempt(limit))),
                Some(RetryReason::Timeout),
            ),
            Ok(Err(error)) if error.kind() == HttpErrorKind::BodyTooLarge => {
                let head = error.response_head();
                AttemptOutcome::Unreadable(ResponseError::new(
                    plan.operation,
                    head.map_or(0, |head| head.status.as_u16()),
                    head.and_then(|head| header_text(&head.headers, "x-amzn-requestid")),
                    format!("the body is larger than the limit of {MAX_RESPONSE_BODY_BYTES} bytes"),
                ))
            }
            Ok(Err(error)) => {
                let reason = classify_transport(&error);
                AttemptOutcome::Failed(transport(Box::new(error)), reason)
            }
            Ok(Ok(response)) if (200..300).contains(&response.status) => {
                AttemptOutcome::Success(response)
            }
            Ok(Ok(response)) => {
                let reason = self.classify_error_response(&response, signed.skew_ms);
                AttemptOutcome::Refused(response, reason)
            }
        }
    }

    /// Stage: after a failed attempt, whether to try again, and waits the
    /// backoff when so. Not when the retry strategy says stop, nor when the
    /// operation would time out during the wait.
    async fn decide(
        &self,
        plan: &CallPlan<'_>,
        retries: &mut retry::CallRetries<'_>,
        attempt: u32,
        reason: Option<RetryReason>,
        attempt_span: &tracing::Span,
    ) -> bool {
        match retries.failed(attempt, reason) {
            Decision::Retry(delay) => {
                if plan.remaining().is_some_and(|left| delay >= left) {
                    attempt_span.in_scope(|| {
                        tracing::debug!(
                            delay_ms = delay.as_millis() as u64,
                            "not retrying: the operation timeout would pass first"
                        )
                    });
                    return false;
                }
                attempt_span.in_scope(|| {
                    tracing::debug!(
                        reason = reason.map(RetryReason::as_str),
                        delay_ms = delay.as_millis() as u64,
                        quota = self.inner.retry.quota_available(),
                        "retrying"
                    )
                });
                if !delay.is_zero() {
                    self.inner.config.sleep.sleep(delay).await;
                }
                true
            }
            Decision::Stop(stop) => {
                attempt_span.in_scope(|| {
                    tracing::debug!(
                        reason = reason.map(RetryReason::as_str),
                        stop = stop.as_str(),
                        "not retrying"
                    )
                });
                false
            }
        }
    }

    /// Whether an error response may be retried. A clock-skew error whose `Date`
    /// shows the signing clock is off teaches the client the offset first, and
    /// then it is retried as clock skew.
    fn classify_error_response(&self, response: &RawResponse, skew_ms: i64) -> Option<RetryReason> {
        let meta = self.error_metadata(response);
        if retry::is_clock_skew_error(meta.code(), meta.message()) {
            let skew = response
                .header("date")
                .and_then(|date| parse_http_date(&date))
                .map(|server_secs| {
                    retry::learned_clock_skew(server_secs, local_millis(SystemTime::now()), skew_ms)
                });
            match skew {
                Some(ClockSkew::Learned(offset_ms)) => {
                    self.inner.clock_skew_ms.store(offset_ms, Ordering::Relaxed);
                    tracing::debug!(
                        offset_ms,
                        "learned the clock offset from the service's Date"
                    );
                    return Some(RetryReason::ClockSkew);
                }
                Some(ClockSkew::Implausible(offset_ms)) => tracing::warn!(
                    offset_ms,
                    max_offset_ms = retry::MAX_CLOCK_SKEW.as_millis() as u64,
                    "not correcting the clock: the Date of a clock-skew error is too far from the local time"
                ),
                Some(ClockSkew::Unexplained) | None => {}
            }
        }
        retry::classify_response(response.status, meta.code())
    }
}

impl Handle {
    /// The code, message and request id of an error response; for a
    /// query-compatible service, with the awsQuery code and type of its
    /// `x-amzn-query-error` header, as botocore's JSON parser reads them (the
    /// code retries are decided on too).
    fn error_metadata(&self, response: &RawResponse) -> ErrorMetadata {
        let meta = aws_json::error_metadata(
            response.status,
            |name| response.header(name),
            &response.body,
        );
        if self.inner.service.query_compatible {
            meta.with_query_error(response.header("x-amzn-query-error").as_deref())
        } else {
            meta
        }
    }
}

/// One HTTP exchange through the configured client: a POST of `body` to `url`,
/// the whole response read, up to [`MAX_RESPONSE_BODY_BYTES`].
async fn exchange(
    http: &SharedHttpClient,
    url: &http::Uri,
    headers: http::HeaderMap,
    body: Vec<u8>,
) -> Result<RawResponse, HttpError> {
    let mut request = HttpRequest::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = url.clone();
    *request.headers_mut() = headers;
    // The limit is the transports' default, so no extension (an allocation per
    // call) is needed to say it.
    const _: () = assert!(MAX_RESPONSE_BODY_BYTES == DEFAULT_BODY_LIMIT);
    let response = http.send(request).await?;
    if response.body().len() > MAX_RESPONSE_BODY_BYTES {
        // A client of the user's that read past the limit.
        return Err(HttpError::body_too_large(
            response.into_parts().0,
            MAX_RESPONSE_BODY_BYTES,
        ));
    }
    let (head, body) = response.into_parts();
    Ok(RawResponse {
        status: head.status.as_u16(),
        headers: head.headers,
        body,
    })
}

/// The SDK's own HTTP client: rustls with the bundled roots or the configured
/// CA bundle, the connect timeout, no redirects (AWS endpoints do not redirect;
/// a redirect is an error response to report).
fn default_http_client(config: &ClientConfig) -> Result<SharedHttpClient, String> {
    let client = crate::tls::client_builder(config.trust_roots, config.ca_bundle.as_ref())?
        .connect_timeout(config.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| format!("cannot build the HTTP client: {error}"))?;
    Ok(SharedHttpClient::new(ReqwestHttpClient::new(client)))
}

/// The text of header `name`, when it has one.
fn header_text(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// A header map of `(name, value)` pairs; an error names the header that HTTP
/// cannot carry.
fn header_map<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<http::HeaderMap, ConfigError> {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ConfigError::new(format!("`{name}` is not a valid header name")))?;
        let value = header_value(name.as_str(), value.to_owned())?;
        map.append(name, value);
    }
    Ok(map)
}

/// `value` as a header value, taken over without a copy. Only visible ASCII,
/// spaces and tabs: what every header this client sends is made of, and what the
/// signer reads back.
fn header_value(name: &str, value: String) -> Result<http::HeaderValue, ConfigError> {
    let refused = || {
        ConfigError::new(format!(
            "the value of header `{name}` has characters HTTP headers cannot carry"
        ))
    };
    // `HeaderValue` alone would also take bytes above 0x7f, which `to_str` cannot read back.
    if !value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(refused());
    }
    http::HeaderValue::try_from(value).map_err(|_| refused())
}

/// The URL an awsJson request goes to: the endpoint with the request URI `/`.
#[doc(hidden)]
pub fn request_url(endpoint: &str) -> Result<reqwest::Url, ConfigError> {
    let base = endpoint.trim_end_matches('/');
    let url = format!("{base}/");
    // Every message shows the URL without a user name or password.
    let shown = redact_userinfo(base);
    let uri: http::Uri = url.parse().map_err(|error| {
        ConfigError::new(format!(
            "endpoint URL `{shown}` is not a valid URL: {error}"
        ))
    })?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none_or(str::is_empty) {
        return Err(ConfigError::new(format!(
            "endpoint URL `{shown}` must be an absolute http:// or https:// URL"
        )));
    }
    if uri.query().is_some() {
        return Err(ConfigError::new(format!(
            "endpoint URL `{shown}` must not have a query string"
        )));
    }
    // Credentials in the URL would go out as HTTP basic auth, beside SigV4's
    // `authorization` header.
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(ConfigError::new(format!(
            "endpoint URL `{shown}` must not contain a user name or password"
        )));
    }
    reqwest::Url::parse(&url).map_err(|error| {
        ConfigError::new(format!(
            "endpoint URL `{shown}` is not a valid URL: {error}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls_are_absolute_http_urls() {
        assert_eq!(
            request_url("https://metering.marketplace.us-east-1.amazonaws.com")
                .unwrap()
                .as_str(),
            "https://metering.marketplace.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            request_url("http://127.0.0.1:9/").unwrap().as_str(),
            "http://127.0.0.1:9/"
        );
        // As sent: host in lower case, no default port, dot segments resolved.
        assert_eq!(
            request_url("https://Example.COM:443/a/./b/../c")
                .unwrap()
                .as_str(),
            "https://example.com/a/c/"
        );
        let error = request_url("https://user:hunter2@example.com").unwrap_err();
        assert!(
            error.to_string().contains("user name or password"),
            "{error}"
        );
        assert!(!error.to_string().contains("hunter2"), "{error}");
        assert!(
            error.to_string().contains("`https://***@example.com`"),
            "{error}"
        );
        assert!(request_url("127.0.0.1:9")
            .unwrap_err()
            .to_string()
            .contains("127.0.0.1:9"));
        assert!(request_url("ftp://h").is_err());
        assert!(request_url("https://h/?q=1").is_err());
    }

    #[test]
    fn no_refused_endpoint_url_shows_its_password() {
        for (url, shown) in [
            ("https://u:hunter2@h/?q=1", "`https://***@h/?q=1`"),
            ("ftp://u:hunter2@h", "`ftp://***@h`"),
            ("u:hunter2@h:80", "`***@h:80`"),
            ("https://u:hunter2@h:99999", "`https://***@h:99999`"),
            ("https://u:hunter2@h st", "`https://***@h st`"),
        ] {
            let error = request_url(url).unwrap_err().to_string();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains(shown), "{error}");
        }
    }

    fn route(url: &str) -> Route {
        Route {
            endpoint_headers: http::HeaderMap::new(),
            url: url.parse().unwrap(),
            target: SigningTarget::from_url(url).unwrap(),
            signing_region: Ok("us-east-1".into()),
            signing_name: "svc".into(),
        }
    }

    #[test]
    fn a_host_prefix_goes_before_the_endpoints_host_and_is_signed() {
        let (url, target) = route("https://states.us-east-1.amazonaws.com/")
            .prefixed("sync-")
            .unwrap();
        assert_eq!(
            url.to_string(),
            "https://sync-states.us-east-1.amazonaws.com/"
        );
        assert_eq!(target.host(), "sync-states.us-east-1.amazonaws.com");
        // A configured endpoint keeps its port and path; the host is sent (and so
        // signed) in lower case.
        let (url, target) = route("http://svc.test:8080/base/")
            .prefixed("Data-My.Label.")
            .unwrap();
        assert_eq!(url.to_string(), "http://data-my.label.svc.test:8080/base/");
        assert_eq!(target.host(), "data-my.label.svc.test:8080");
        assert_eq!(target.canonical_uri(), "/base/");
        for ip in ["http://127.0.0.1:8080/", "http://[::1]:8080/"] {
            let error = route(ip).prefixed("data-").unwrap_err().to_string();
            assert!(error.contains("is an IP address"), "{error}");
            assert!(error.contains("disable_host_prefix(true)"), "{error}");
        }
    }

    /// An HTTP client that records each request and answers with a status and
    /// body.
    #[derive(Debug, Default)]
    struct Capture {
        requests: std::sync::Mutex<Vec<HttpRequest>>,
        reply: (u16, Vec<(&'static str, &'static str)>, &'static str),
    }

    impl HttpClient for Capture {
        fn send(&self, request: HttpRequest) -> crate::transport::HttpFuture<'_> {
            self.requests.lock().unwrap().push(request);
            let (status, headers, body) = &self.reply;
            let mut response = http::Response::builder().status(*status);
            for (name, value) in headers {
                response = response.header(*name, *value);
            }
            let response = response.body(body.as_bytes().to_vec()).unwrap();
            Box::pin(async move { Ok(response) })
        }
    }

    fn resolve(builtins: &Builtins<'_>) -> Result<Endpoint, EndpointError> {
        match builtins.endpoint {
            Some(url) => Ok(Endpoint::new(url)),
            None => Ok(Endpoint::new(format!(
                "https://svc.{}.amazonaws.com",
                builtins.region.unwrap_or("no-region")
            ))),
        }
    }

    static SERVICE: ServiceSpec = ServiceSpec {
        service_id: "Svc",
        signing_name: "svc",
        target_prefix: "Svc",
        json_version: "1.0",
        query_compatible: false,
        user_agent: "svc/0.0.0",
        resolve_endpoint: resolve,
    };

    static QUERY_COMPATIBLE: ServiceSpec = ServiceSpec {
        query_compatible: true,
        ..SERVICE
    };

    /// An operation with a labelled host prefix, `{Label}.data-`; sent unsigned
    /// when `UNSIGNED`.
    #[derive(Debug, serde::Serialize)]
    struct Prefixed<const UNSIGNED: bool> {
        #[serde(rename = "Label")]
        label: Option<String>,
    }

    #[derive(Debug, PartialEq)]
    struct Failed(ErrorMetadata);

    impl OperationError for Failed {
        fn from_response(meta: ErrorMetadata, _body: &[u8]) -> Self {
            Failed(meta)
        }
    }

    impl<const UNSIGNED: bool> Operation for Prefixed<UNSIGNED> {
        type Output = serde_json::Value;
        type Error = Failed;
        const NAME: &'static str = "Prefixed";
        const AUTH: AuthScheme = if UNSIGNED {
            AuthScheme::NoAuth
        } else {
            AuthScheme::SigV4
        };
        fn validate(&self) -> Result<(), ValidationError> {
            Ok(())
        }
        fn host_prefix(&self) -> Result<Option<String>, ValidationError> {
            let label = host_label("Label", self.label.as_deref())?;
            Ok(Some(format!("{label}.data-")))
        }
    }

    fn handle(
        service: &'static ServiceSpec,
        capture: &Arc<Capture>,
        change: impl FnOnce(&mut ClientConfig),
    ) -> Handle {
        let mut config = ClientConfig {
            region: Some("us-east-1".into()),
            credentials: Some(crate::credentials::CredentialsCache::new(Credentials::new(
                "AKID",
                "SECRET",
                Some("TOKEN".into()),
            ))),
            http_client: Some(SharedHttpClient::new(capture.clone())),
            ..ClientConfig::default()
        };
        change(&mut config);
        Handle::new(config, service)
    }

    fn run<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// The `authorization` a fresh signer gives `request`'s headers for `url` at
    /// the request's `x-amz-date`.
    fn resign(request: &HttpRequest, url: &str) -> String {
        let date = request.headers()["x-amz-date"].to_str().unwrap();
        let rfc3339 = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &date[..4],
            &date[4..6],
            &date[6..8],
            &date[9..11],
            &date[11..13],
            &date[13..15]
        );
        let secs = crate::datetime::DateTime::parse_rfc3339(&rfc3339)
            .unwrap()
            .secs();
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter(|(name, _)| {
                !matches!(
                    name.as_str(),
                    "authorization" | "x-amz-date" | "x-amz-security-token"
                )
            })
            .map(|(name, value)| (name.as_str(), value.to_str().unwrap()))
            .collect();
        let credentials = Credentials::new("AKID", "SECRET", Some("TOKEN".into()));
        let signed = Signer::new()
            .sign(
                &SigningTarget::from_url(url).unwrap(),
                &headers,
                request.body(),
                &SigningParams {
                    credentials: &credentials,
                    region: "us-east-1",
                    service: "svc",
                    time: UNIX_EPOCH + Duration::from_secs(secs as u64),
                },
            )
            .unwrap();
        signed
            .into_iter()
            .find(|(name, _)| *name == "authorization")
            .unwrap()
            .1
    }

    fn labelled<const UNSIGNED: bool>(label: &str) -> Prefixed<UNSIGNED> {
        Prefixed {
            label: Some(label.into()),
        }
    }

    #[test]
    fn a_call_goes_to_the_prefixed_host_and_signs_it() {
        let capture = Arc::new(Capture {
            reply: (200, vec![], "{}"),
            ..Capture::default()
        });
        let handle = handle(&SERVICE, &capture, |_| {});
        run(handle.send(labelled::<false>("My-Label"))).unwrap();
        let requests = capture.requests.lock().unwrap();
        assert_eq!(
            requests[0].uri().to_string(),
            "https://my-label.data-svc.us-east-1.amazonaws.com/"
        );
        let authorization = requests[0].headers()["authorization"].to_str().unwrap();
        assert!(authorization.contains("SignedHeaders="), "{authorization}");
        assert!(authorization.contains("host;"), "{authorization}");
        // Signed again for the prefixed host at the same time, the request's own
        // headers give the same `authorization`; for the endpoint's host, another.
        assert_eq!(
            resign(
                &requests[0],
                "https://my-label.data-svc.us-east-1.amazonaws.com/"
            ),
            authorization
        );
        assert_ne!(
            resign(&requests[0], "https://svc.us-east-1.amazonaws.com/"),
            authorization
        );
    }

    #[test]
    fn an_invalid_or_missing_label_is_a_validation_error_before_sending() {
        let capture = Arc::new(Capture::default());
        let handle = handle(&SERVICE, &capture, |config| {
            config.disable_host_prefix = true
        });
        for input in [
            labelled::<false>("a b"),
            labelled::<false>(""),
            Prefixed { label: None },
        ] {
            match run(handle.send(input)) {
                Err(SdkError::Validation(error)) => assert_eq!(error.path(), "Label"),
                other => panic!("{other:?}"),
            }
        }
        assert!(capture.requests.lock().unwrap().is_empty());
    }

    #[test]
    fn a_disabled_host_prefix_sends_to_the_endpoints_own_host() {
        let capture = Arc::new(Capture {
            reply: (200, vec![], "{}"),
            ..Capture::default()
        });
        let handle = handle(&SERVICE, &capture, |config| {
            config.disable_host_prefix = true;
            config.endpoint_url = Some(crate::config::EndpointUrl::new(
                "http://127.0.0.1:9",
                "set in code",
            ));
        });
        run(handle.send(labelled::<false>("label"))).unwrap();
        assert_eq!(
            capture.requests.lock().unwrap()[0].uri().to_string(),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn an_unsigned_operation_needs_no_credentials_and_sends_no_signature() {
        let capture = Arc::new(Capture {
            reply: (200, vec![], "{}"),
            ..Capture::default()
        });
        // No credentials, and no region either: a configured endpoint will do.
        let handle = handle(&SERVICE, &capture, |config| {
            config.credentials = None;
            config.region = None;
            config.disable_host_prefix = true;
            config.endpoint_url = Some(crate::config::EndpointUrl::new(
                "http://127.0.0.1:9",
                "set in code",
            ));
        });
        run(handle.send(labelled::<true>("label"))).unwrap();
        let requests = capture.requests.lock().unwrap();
        let headers = requests[0].headers();
        for unsent in ["authorization", "x-amz-date", "x-amz-security-token"] {
            assert!(!headers.contains_key(unsent), "{unsent}: {headers:?}");
        }
        assert_eq!(headers["amz-sdk-request"], "attempt=1; max=3");
        drop(requests);
        // A signed operation of the same client needs both.
        match run(handle.send(labelled::<false>("label"))) {
            Err(SdkError::Config(error)) => {
                assert!(error.to_string().contains("no region"), "{error}")
            }
            other => panic!("{other:?}"),
        }
        let handle = self::handle(&SERVICE, &capture, |config| config.credentials = None);
        match run(handle.send(labelled::<false>("label"))) {
            Err(SdkError::Credentials(error)) => {
                assert!(error.to_string().contains("no credentials"), "{error}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(capture.requests.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_query_compatible_service_asks_for_query_mode_and_reads_query_codes() {
        let reply = (
            400,
            vec![(
                "x-amzn-query-error",
                "AWS.SimpleQueueService.NonExistentQueue;Sender",
            )],
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}"#,
        );
        for (service, query_mode, code) in [
            (
                &QUERY_COMPATIBLE,
                Some("true"),
                "AWS.SimpleQueueService.NonExistentQueue",
            ),
            (&SERVICE, None, "QueueDoesNotExist"),
        ] {
            let capture = Arc::new(Capture {
                reply: reply.clone(),
                ..Capture::default()
            });
            let handle = handle(service, &capture, |_| {});
            let Err(SdkError::Service(Failed(meta))) = run(handle.send(labelled::<false>("a")))
            else {
                panic!("expected the service's error");
            };
            assert_eq!(meta.code(), Some(code));
            assert_eq!(meta.protocol_code(), Some("QueueDoesNotExist"));
            let requests = capture.requests.lock().unwrap();
            assert_eq!(
                requests[0]
                    .headers()
                    .get("x-amzn-query-mode")
                    .map(|v| v.to_str().unwrap()),
                query_mode
            );
        }
    }
}
