//! One call, start to end: validate, serialize, sign, send, read the answer.
//!
//! The only generic code is [`Handle::send`], which is short: serializing the input
//! and parsing the output are per shape, everything else is `Handle::invoke`, which
//! is compiled once for every operation of every service.

use crate::aws_json;
use crate::config::Config;
use crate::endpoint::{Builtins, Endpoint, EndpointError};
use crate::error::{
    ConfigError, ErrorMetadata, ResponseError, SdkError, TransportError, Unhandled, ValidationError,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::SystemTime;

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
    /// The `User-Agent` the crate sends: its name and version.
    pub user_agent: &'static str,
    /// The service's endpoint rules, generated from its rule set.
    pub resolve_endpoint: fn(&Builtins<'_>) -> Result<Endpoint, EndpointError>,
}

/// An operation's input: how to check it, and what comes back.
///
/// Generated operation inputs implement this; [`Handle::send`] drives it.
pub trait Operation: Serialize + Send {
    /// The operation's output shape.
    type Output: DeserializeOwned;
    /// The operation's error enum.
    type Error: OperationError;
    /// The operation name as the model spells it, e.g. `MeterUsage`.
    const NAME: &'static str;
    /// Checks the model's constraints: required members, lengths, ranges.
    fn validate(&self) -> Result<(), ValidationError>;
    /// Fills what the SDK provides when the caller did not, such as idempotency
    /// tokens. Called once per call, before the first attempt.
    fn prepare(&mut self) {}
}

/// An operation's error enum: built from an error response.
pub trait OperationError: Sized {
    /// The error for a response with this metadata and body.
    fn from_response(meta: ErrorMetadata, body: &[u8]) -> Self;
}

/// Reads a modeled exception's members from an error body; a body that is not a
/// JSON object, or lacks members, leaves them unset (the metadata still says what
/// happened).
pub fn parse_exception<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    if !aws_json::starts_object(body) {
        return T::default();
    }
    serde_json::from_slice(body).unwrap_or_default()
}

/// The error of a code the operation does not model.
pub fn unhandled(meta: ErrorMetadata, body: &[u8]) -> Unhandled {
    let excerpt = (!body.iter().all(u8::is_ascii_whitespace) && !aws_json::is_json_object(body))
        .then(|| aws_json::body_excerpt(body));
    Unhandled::new(meta, excerpt)
}

/// A configured connection to one service; cheap to clone, shared by every call.
#[derive(Clone, Debug)]
pub struct Handle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    service: &'static ServiceSpec,
    /// `Err` when the HTTP client could not be built; reported on each call.
    http: Result<reqwest::Client, String>,
    content_type: String,
}

/// A response as it came off the wire.
struct RawResponse {
    status: u16,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Why a call failed before a response was read.
enum SendFailure {
    Config(ConfigError),
    Transport(TransportError),
}

impl<E> From<SendFailure> for SdkError<E> {
    fn from(failure: SendFailure) -> Self {
        match failure {
            SendFailure::Config(error) => SdkError::Config(error),
            SendFailure::Transport(error) => SdkError::Transport(error),
        }
    }
}

impl Handle {
    /// A handle for `service` with `config`; one connection pool for its lifetime.
    pub fn new(config: Config, service: &'static ServiceSpec) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(service.user_agent)
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|error| format!("cannot build the HTTP client: {error}"));
        let content_type = aws_json::content_type(service.json_version);
        Handle {
            inner: Arc::new(Inner {
                config,
                service,
                http,
                content_type,
            }),
        }
    }

    /// The configuration this handle was made with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Sends one operation and reads its answer.
    pub async fn send<O: Operation>(&self, mut input: O) -> Result<O::Output, SdkError<O::Error>> {
        // Tokens first: a required idempotency token is the SDK's to fill.
        input.prepare();
        input.validate().map_err(SdkError::Validation)?;
        let body = serde_json::to_vec(&input).map_err(|error| {
            SdkError::Validation(ValidationError::new(
                O::NAME,
                format!("cannot be serialized: {error}"),
            ))
        })?;
        let response = self.invoke(O::NAME, body).await?;
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
            let meta = aws_json::error_metadata(
                response.status,
                |name| response.header(name),
                &response.body,
            );
            Err(SdkError::Service(O::Error::from_response(
                meta,
                &response.body,
            )))
        }
    }

    /// Signs and sends one serialized request; the non-generic part of every call.
    async fn invoke(
        &self,
        operation: &'static str,
        body: Vec<u8>,
    ) -> Result<RawResponse, SendFailure> {
        let inner = &*self.inner;
        let http = inner
            .http
            .as_ref()
            .map_err(|e| SendFailure::Config(ConfigError::new(e.clone())))?;
        let config = &inner.config;
        let builtins = Builtins {
            region: config.region.as_deref(),
            use_fips: config.use_fips(),
            use_dual_stack: config.use_dual_stack(),
            endpoint: config.endpoint_url_for(inner.service.service_id),
        };
        let endpoint = (inner.service.resolve_endpoint)(&builtins).map_err(|error| {
            SendFailure::Config(ConfigError::new(format!(
                "no endpoint for this configuration: {error}"
            )))
        })?;
        let url = request_url(endpoint.url()).map_err(SendFailure::Config)?;
        // The endpoint's auth scheme may sign for another region or service name.
        let scheme = endpoint.sigv4_scheme();
        let signing_region = scheme.and_then(|s| s.signing_region).or(builtins.region).ok_or_else(|| {
            SendFailure::Config(ConfigError::new(
                "no region is configured to sign with: set Config::builder().region(..) or AWS_REGION",
            ))
        })?;
        let signing_name = scheme
            .and_then(|s| s.signing_name)
            .unwrap_or(inner.service.signing_name);
        let credentials = config.credentials.as_ref().ok_or_else(|| {
            SendFailure::Config(ConfigError::new(
                "no credentials are configured: set Config::builder().credentials(..) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            ))
        })?;
        let target = aws_json::target(inner.service.target_prefix, operation);
        let mut headers = vec![
            ("content-type", inner.content_type.as_str()),
            ("x-amz-target", target.as_str()),
        ];
        for (name, values) in endpoint.headers() {
            headers.extend(values.iter().map(|value| (name.as_str(), value.as_str())));
        }
        let signature = sign(
            &url,
            &headers,
            &body,
            credentials,
            signing_region,
            signing_name,
        )
        .map_err(SendFailure::Config)?;

        let mut request = http.post(&url).body(body);
        for (name, value) in headers
            .iter()
            .copied()
            .chain(signature.iter().map(|(n, v)| (*n, v.as_str())))
        {
            request = request.header(name, value);
        }
        let transport = |error: reqwest::Error| {
            SendFailure::Transport(TransportError::new(operation, url.clone(), Box::new(error)))
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

/// The URL an awsJson request goes to: the endpoint with the request URI `/`.
fn request_url(endpoint: &str) -> Result<String, ConfigError> {
    let base = endpoint.trim_end_matches('/');
    let url = format!("{base}/");
    let uri: http::Uri = url.parse().map_err(|error| {
        ConfigError::new(format!("endpoint URL `{base}` is not a valid URL: {error}"))
    })?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none_or(str::is_empty) {
        return Err(ConfigError::new(format!(
            "endpoint URL `{base}` must be an absolute http:// or https:// URL"
        )));
    }
    if uri.query().is_some() {
        return Err(ConfigError::new(format!(
            "endpoint URL `{base}` must not have a query string"
        )));
    }
    Ok(url)
}

/// SigV4 headers for a POST of `body` to `url` with `headers`.
fn sign(
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &crate::credentials::Credentials,
    region: &str,
    signing_name: &str,
) -> Result<Vec<(&'static str, String)>, ConfigError> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(str::to_owned),
        credentials.expiry(),
        "sdk-runtime",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|error| ConfigError::new(format!("cannot sign the request: {error}")))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .and_then(|request| aws_sigv4::http_request::sign(request, &params))
    .map_err(|error| ConfigError::new(format!("cannot sign the request: {error}")))?;
    let (instructions, _signature) = request.into_parts();
    let (signed_headers, _query) = instructions.into_parts();
    Ok(signed_headers
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_urls_are_absolute_http_urls() {
        assert_eq!(
            request_url("https://metering.marketplace.us-east-1.amazonaws.com").unwrap(),
            "https://metering.marketplace.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            request_url("http://127.0.0.1:9/").unwrap(),
            "http://127.0.0.1:9/"
        );
        assert!(request_url("127.0.0.1:9")
            .unwrap_err()
            .to_string()
            .contains("127.0.0.1:9"));
        assert!(request_url("ftp://h").is_err());
        assert!(request_url("https://h/?q=1").is_err());
    }
}
