//! EC2 instance metadata, IMDSv2 only: a session token from
//! `PUT /latest/api/token`, then the instance role's credentials, or the region.

use super::container::json_credentials;
use super::http::single_line;
use super::http::{self, FetchError, Fetched, ProviderHttp};
use crate::env::Env;
use crate::profile::Profile;
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use marketplace_sdk_runtime::credentials::{SystemTimeSource, TimeSource};
use marketplace_sdk_runtime::transport::{HttpClient, HttpRequest, SharedHttpClient};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const NAME: &str = "EC2 instance metadata (IMDSv2)";
const IPV4_ENDPOINT: &str = "http://169.254.169.254";
const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
const DEFAULT_ATTEMPTS: u32 = 2;
const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(21_600);

/// A client of the EC2 instance metadata service (IMDS), version 2 only: every
/// request carries a session token from `PUT /latest/api/token`; there is no
/// fallback to tokenless IMDSv1 requests. Cheap to clone; clones share the
/// token.
///
/// Off EC2 (a laptop, a container whose hop limit drops the answers) nothing
/// answers, so the client is quick to give up. Defaults, and how to change them
/// (builder method, else variable, else profile key):
///
/// | setting | default | builder | variable / profile key |
/// | --- | --- | --- | --- |
/// | endpoint | `http://169.254.169.254` | [`endpoint`](ImdsClientBuilder::endpoint) | `AWS_EC2_METADATA_SERVICE_ENDPOINT` / `ec2_metadata_service_endpoint` |
/// | IPv6 endpoint `http://[fd00:ec2::254]` | IPv4 | [`ipv6`](ImdsClientBuilder::ipv6) | `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` / `ec2_metadata_service_endpoint_mode` = `IPv4` or `IPv6` |
/// | connect and read timeouts | 1 s each | [`connect_timeout`](ImdsClientBuilder::connect_timeout), [`read_timeout`](ImdsClientBuilder::read_timeout) | `AWS_METADATA_SERVICE_TIMEOUT` / `metadata_service_timeout` (seconds, both) |
/// | attempts per request | 2 | [`attempts`](ImdsClientBuilder::attempts) | `AWS_METADATA_SERVICE_NUM_ATTEMPTS` / `metadata_service_num_attempts` |
/// | token lifetime | 6 hours | [`token_ttl`](ImdsClientBuilder::token_ttl) | |
/// | disabled | no | [`disabled`](ImdsClientBuilder::disabled) | `AWS_EC2_METADATA_DISABLED=true` |
///
/// So off EC2 the credentials chain waits at most attempts × (connect + read)
/// timeouts, 4 s by default, usually far less (an unreachable address fails at
/// once). Set `AWS_EC2_METADATA_DISABLED=true` where there is no IMDS to skip it
/// entirely. Attempts are retried on connection errors, timeouts, 429 and 5xx.
///
/// The token is kept until shortly before its lifetime ends (a quarter of it,
/// at most a minute), and fetched again when IMDS answers 401. It never appears
/// in `Debug` or errors.
#[derive(Clone)]
pub struct ImdsClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Result<Settings, CredentialsError>,
    disabled: bool,
    time: Arc<dyn TimeSource>,
    http: ProviderHttp,
    token: tokio::sync::Mutex<Option<Token>>,
}

#[derive(Clone, Debug)]
struct Settings {
    endpoint: String,
    connect_timeout: Duration,
    read_timeout: Duration,
    attempts: u32,
    token_ttl: Duration,
}

struct Token {
    value: String,
    refresh_at: SystemTime,
}

/// Builds an [`ImdsClient`]; see there for the defaults.
#[derive(Debug)]
pub struct ImdsClientBuilder {
    endpoint: Option<String>,
    ipv6: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
    attempts: u32,
    token_ttl: Duration,
    disabled: bool,
    time: Arc<dyn TimeSource>,
    /// A problem with a variable or profile value, reported on use.
    problem: Option<String>,
    http_client: Option<SharedHttpClient>,
}

impl Default for ImdsClientBuilder {
    fn default() -> Self {
        ImdsClientBuilder {
            endpoint: None,
            ipv6: false,
            connect_timeout: DEFAULT_TIMEOUT,
            read_timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
            token_ttl: DEFAULT_TOKEN_TTL,
            disabled: false,
            time: Arc::new(SystemTimeSource),
            problem: None,
            http_client: None,
        }
    }
}

impl ImdsClientBuilder {
    /// The base URL of IMDS, e.g. `http://127.0.0.1:8080` for an emulator.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Use the IPv6 endpoint `http://[fd00:ec2::254]` (unless an endpoint is set).
    pub fn ipv6(mut self, ipv6: bool) -> Self {
        self.ipv6 = ipv6;
        self
    }

    /// How long to wait for a connection (default 1 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for the answer once connected (default 1 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Attempts per request, at least 1 (default 2).
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The lifetime asked for session tokens, 1 s to 6 h (default 6 h).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl.clamp(Duration::from_secs(1), DEFAULT_TOKEN_TTL);
        self
    }

    /// Never ask IMDS: every call is "not loaded".
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }

    /// Read the time (for token lifetimes) from `time` (for tests).
    pub fn time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Arc::new(time);
        self
    }

    /// Send through `client` instead of a client of its own (see
    /// [`ConfigBuilder::http_client`](crate::config::ConfigBuilder::http_client)).
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http_client = Some(SharedHttpClient::new(client));
        self
    }

    /// The client.
    pub fn build(self) -> ImdsClient {
        let settings = match self.problem {
            Some(problem) => Err(CredentialsError::invalid_configuration(NAME, problem)),
            None => check_endpoint(self.endpoint.as_deref(), self.ipv6).map(|endpoint| Settings {
                endpoint,
                connect_timeout: self.connect_timeout,
                read_timeout: self.read_timeout,
                attempts: self.attempts.max(1),
                token_ttl: self.token_ttl,
            }),
        };
        let http = ProviderHttp::new(self.connect_timeout, self.read_timeout, true, None)
            .with_client(self.http_client);
        ImdsClient {
            inner: Arc::new(Inner {
                settings,
                disabled: self.disabled,
                time: self.time,
                http,
                token: tokio::sync::Mutex::new(None),
            }),
        }
    }
}

/// The endpoint without a trailing `/`, or why it cannot be used.
pub(crate) fn check_endpoint(
    endpoint: Option<&str>,
    ipv6: bool,
) -> Result<String, CredentialsError> {
    let Some(endpoint) = endpoint else {
        return Ok(if ipv6 { IPV6_ENDPOINT } else { IPV4_ENDPOINT }.to_owned());
    };
    let endpoint = endpoint.trim().trim_end_matches('/');
    let uri = endpoint
        .parse::<::http::Uri>()
        .ok()
        .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")))
        .filter(|uri| uri.host().is_some_and(|host| !host.is_empty()));
    let problem = match uri {
        None => "is not an absolute http:// or https:// URL",
        // It is printed in errors and `Debug`; IMDS has no use for one.
        Some(uri) if uri.authority().is_some_and(|a| a.as_str().contains('@')) => {
            "must not contain a user name or password"
        }
        Some(_) => return Ok(endpoint.to_owned()),
    };
    Err(CredentialsError::invalid_configuration(
        NAME,
        format!(
            "the endpoint `{}` {problem}",
            marketplace_sdk_runtime::redact::redact_userinfo(endpoint)
        ),
    ))
}

impl ImdsClient {
    /// A builder with the defaults (nothing read from the environment).
    pub fn builder() -> ImdsClientBuilder {
        ImdsClientBuilder::default()
    }

    /// Configured from the process environment (see the table above).
    pub fn from_env() -> Self {
        Self::from_env_and_profile(&Env::process(), None)
    }

    /// Configured from these variables instead of the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::from_env_and_profile(&Env::from_vars(vars), None)
    }

    /// Configured from the variables, else the profile.
    pub(crate) fn from_env_and_profile(env: &Env, profile: Option<&Profile>) -> Self {
        let mut builder = ImdsClient::builder();
        // (value, where it came from)
        let setting = |variable: &str, key: &str| -> Option<(String, String)> {
            if let Some(value) = env.value(variable) {
                return Some((value.to_owned(), format!("environment variable {variable}")));
            }
            let property = profile?.property(key)?;
            let value = property.value().trim();
            (!value.is_empty()).then(|| {
                (
                    value.to_owned(),
                    format!("`{key}` ({}, line {})", property.path(), property.line()),
                )
            })
        };
        let mut problems = Vec::new();
        builder.disabled = env
            .value("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|value| value.eq_ignore_ascii_case("true"));
        if let Some((url, _)) = setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "ec2_metadata_service_endpoint",
        ) {
            builder.endpoint = Some(url);
        }
        if let Some((mode, origin)) = setting(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
            "ec2_metadata_service_endpoint_mode",
        ) {
            if mode.eq_ignore_ascii_case("ipv6") {
                builder.ipv6 = true;
            } else if !mode.eq_ignore_ascii_case("ipv4") {
                problems.push(format!("{origin} is `{mode}`: expected `IPv4` or `IPv6`"));
            }
        }
        if let Some((timeout, origin)) =
            setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
        {
            match timeout.parse::<f64>() {
                Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0 => {
                    builder.connect_timeout = Duration::from_secs_f64(seconds);
                    builder.read_timeout = Duration::from_secs_f64(seconds);
                }
                _ => problems.push(format!(
                    "{origin} is `{timeout}`: expected a number of seconds above 0"
                )),
            }
        }
        if let Some((attempts, origin)) = setting(
            "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
            "metadata_service_num_attempts",
        ) {
            match attempts.parse::<u32>() {
                Ok(attempts) if (1..=10).contains(&attempts) => builder.attempts = attempts,
                _ => problems.push(format!(
                    "{origin} is `{attempts}`: expected a whole number from 1 to 10"
                )),
            }
        }
        if !problems.is_empty() {
            builder.problem = Some(problems.join("; "));
        }
        builder.build()
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` (or the builder) turned IMDS off.
    pub fn is_disabled(&self) -> bool {
        self.inner.disabled
    }

    /// The settings, or why IMDS is not asked.
    fn settings(&self) -> Result<&Settings, CredentialsError> {
        if self.inner.disabled {
            return Err(CredentialsError::not_loaded(
                NAME,
                "AWS_EC2_METADATA_DISABLED is true",
            ));
        }
        self.inner.settings.as_ref().map_err(Clone::clone)
    }

    /// The same client sending through `client`, when there is one (with no
    /// session token yet).
    pub(crate) fn with_http_client(&self, client: Option<SharedHttpClient>) -> ImdsClient {
        if client.is_none() {
            return self.clone();
        }
        let inner = &*self.inner;
        ImdsClient {
            inner: Arc::new(Inner {
                settings: inner.settings.clone(),
                disabled: inner.disabled,
                time: inner.time.clone(),
                http: inner.http.clone().with_client(client),
                token: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// GETs a metadata path such as `/latest/meta-data/placement/region` and
    /// returns the body. A 404 is [`CredentialsErrorKind::NotLoaded`](super::CredentialsErrorKind::NotLoaded); so is an
    /// IMDS that does not answer at all.
    pub async fn get(&self, path: &str) -> Result<String, CredentialsError> {
        let settings = self.settings()?;
        self.get_with_attempts(path, settings.attempts).await
    }

    /// The region the instance runs in, from `placement/region`.
    pub async fn region(&self) -> Result<String, CredentialsError> {
        let settings = self.settings()?;
        self.region_with_attempts(settings.attempts).await
    }

    /// The region, with `attempts` attempts (one when loading a configuration).
    pub(crate) async fn region_with_attempts(
        &self,
        attempts: u32,
    ) -> Result<String, CredentialsError> {
        let region = self.get_with_attempts(REGION_PATH, attempts).await?;
        // It goes into host names: refused, as configured regions are, unless a host label.
        marketplace_sdk_runtime::config::check_region(
            region.trim(),
            &format!("the answer to {REGION_PATH}"),
        )
        .map(str::to_owned)
        .map_err(|error| CredentialsError::invalid_configuration(NAME, error.to_string()))
    }

    async fn get_with_attempts(
        &self,
        path: &str,
        attempts: u32,
    ) -> Result<String, CredentialsError> {
        let settings = self.settings()?;
        let url = format!("{}{path}", settings.endpoint);
        let response = self.authorized_get(settings, &url, attempts).await?;
        match response.status {
            200..=299 => String::from_utf8(response.body).map_err(|_| {
                CredentialsError::provider_error(NAME, format!("{url}: the answer is not UTF-8"))
            }),
            404 => Err(CredentialsError::not_loaded(
                NAME,
                format!("{url} does not exist (HTTP 404)"),
            )),
            status => Err(http::refused(
                NAME,
                status,
                None,
                format!("{url} answered HTTP {status}"),
            )),
        }
    }

    /// A GET with the session token; on 401 the token is fetched again once.
    async fn authorized_get(
        &self,
        settings: &Settings,
        url: &str,
        attempts: u32,
    ) -> Result<Fetched, CredentialsError> {
        let mut refreshed = false;
        loop {
            let token = self.token(settings, attempts, refreshed).await?;
            let response = self
                .send(settings, url, attempts, || {
                    http::request(
                        ::http::Method::GET,
                        url,
                        &[(TOKEN_HEADER, token.as_str())],
                        Vec::new(),
                    )
                })
                .await
                .map_err(|error| {
                    // It answered for a token: the service is there, but failing now.
                    if error.kind() == CredentialsErrorKind::NotLoaded {
                        CredentialsError::transient_failure(NAME, error.message())
                    } else {
                        error
                    }
                })?;
            if response.status == 401 && !refreshed {
                refreshed = true;
                continue;
            }
            if response.status == 401 {
                return Err(CredentialsError::provider_error(
                    NAME,
                    format!("{url} refused a fresh session token (HTTP 401)"),
                ));
            }
            return Ok(response);
        }
    }

    /// A session token: the cached one while it is fresh, else a new one.
    async fn token(
        &self,
        settings: &Settings,
        attempts: u32,
        force: bool,
    ) -> Result<String, CredentialsError> {
        let mut cached = self.inner.token.lock().await;
        if !force {
            if let Some(token) = cached
                .as_ref()
                .filter(|token| self.inner.time.now() < token.refresh_at)
            {
                return Ok(token.value.clone());
            }
        }
        *cached = None;
        let url = format!("{}{TOKEN_PATH}", settings.endpoint);
        let ttl = settings.token_ttl;
        let requested_at = self.inner.time.now();
        let response = self
            .send(settings, &url, attempts, || {
                let ttl = ttl.as_secs().to_string();
                http::request(
                    ::http::Method::PUT,
                    &url,
                    &[(TOKEN_TTL_HEADER, ttl.as_str())],
                    Vec::new(),
                )
            })
            .await?;
        let fail = |message: String| CredentialsError::provider_error(NAME, message);
        match response.status {
            200..=299 => {}
            403 => {
                return Err(fail(format!(
                    "{url} refused a session token (HTTP 403): the instance metadata service \
                     is turned off for this instance"
                )))
            }
            404 | 405 => {
                return Err(fail(format!(
                    "{url} answered HTTP {}: this metadata service does not support IMDSv2 \
                     session tokens (IMDSv1 is never used)",
                    response.status
                )))
            }
            status => {
                return Err(http::refused(
                    NAME,
                    status,
                    None,
                    format!("{url} answered HTTP {status} to the session token request"),
                ))
            }
        }
        let token = String::from_utf8(response.body)
            .ok()
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty() && single_line(token) && token.is_ascii())
            .ok_or_else(|| {
                fail(format!(
                    "{url}: the session token is empty or not a single line of ASCII"
                ))
            })?;
        let margin = (ttl / 4).min(Duration::from_secs(60));
        *cached = Some(Token {
            value: token.clone(),
            refresh_at: requested_at + ttl - margin,
        });
        Ok(token)
    }

    /// Sends a request made by `make`, with up to `attempts` attempts on
    /// connection errors, timeouts, 429 and 5xx.
    async fn send(
        &self,
        settings: &Settings,
        url: &str,
        attempts: u32,
        make: impl Fn() -> Result<HttpRequest, String>,
    ) -> Result<Fetched, CredentialsError> {
        let mut last = String::new();
        for attempt in 1..=attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(Duration::from_millis(50 * u64::from(attempt))).await;
            }
            let request = make().map_err(|problem| {
                CredentialsError::invalid_configuration(NAME, format!("{url}: {problem}"))
            })?;
            match self.inner.http.fetch(request).await {
                Ok(response)
                    if (response.status == 429 || response.status >= 500) && attempt < attempts =>
                {
                    last = format!("HTTP {}", response.status);
                }
                Ok(response) => return Ok(response),
                Err(FetchError::Transport(error)) => last = error,
                Err(error) => {
                    return Err(CredentialsError::provider_error(
                        NAME,
                        format!("{url}: {}", error.describe()),
                    ))
                }
            }
        }
        Err(CredentialsError::not_loaded(
            NAME,
            format!(
                "no instance metadata service answered at {} ({attempts} attempt{}): {last}",
                settings.endpoint,
                if attempts == 1 { "" } else { "s" }
            ),
        ))
    }

    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let settings = self.settings()?;
        let fail = |message: String| CredentialsError::provider_error(NAME, message);
        let url = format!("{}{CREDENTIALS_PATH}", settings.endpoint);
        let response = self
            .authorized_get(settings, &url, settings.attempts)
            .await?;
        let role = match response.status {
            200..=299 => String::from_utf8(response.body).unwrap_or_default(),
            404 => {
                return Err(CredentialsError::not_loaded(
                    NAME,
                    "no IAM role is attached to this instance (no instance profile)",
                ))
            }
            status => {
                return Err(http::refused(
                    NAME,
                    status,
                    None,
                    format!("{url} answered HTTP {status}"),
                ))
            }
        };
        let role = role.lines().map(str::trim).find(|line| !line.is_empty());
        let role = role
            .filter(|role| {
                role.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
            })
            .ok_or_else(|| fail(format!("{CREDENTIALS_PATH} does not name an IAM role")))?;
        let url = format!("{}{CREDENTIALS_PATH}{role}", settings.endpoint);
        let response = self
            .authorized_get(settings, &url, settings.attempts)
            .await?;
        if !(200..300).contains(&response.status) {
            return Err(http::refused(
                NAME,
                response.status,
                None,
                format!(
                    "{url} answered HTTP {} for the credentials of role {role}",
                    response.status
                ),
            ));
        }
        let credentials = json_credentials(&response, &[("Code", "Success")])
            .map_err(|problem| fail(format!("{url}: {problem}")))?;
        marketplace_sdk_runtime::credentials::check_not_expired(
            NAME,
            credentials,
            self.inner.time.now(),
        )
    }
}

impl fmt::Debug for ImdsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ImdsClient");
        match &self.inner.settings {
            Ok(settings) => debug
                .field("endpoint", &settings.endpoint)
                .field("connect_timeout", &settings.connect_timeout)
                .field("read_timeout", &settings.read_timeout)
                .field("attempts", &settings.attempts),
            Err(error) => debug.field("invalid", &error.message()),
        };
        debug.field("disabled", &self.inner.disabled).finish()
    }
}

/// The credentials of the instance's IAM role, from IMDSv2 (see [`ImdsClient`]).
///
/// Not loaded when IMDS is disabled, does not answer, or no role is attached to
/// the instance.
#[derive(Clone, Debug)]
pub struct ImdsCredentialsProvider {
    client: ImdsClient,
}

impl ImdsCredentialsProvider {
    /// Credentials through `client`.
    pub fn new(client: ImdsClient) -> Self {
        ImdsCredentialsProvider { client }
    }

    /// Through a client configured from the process environment.
    pub fn from_env() -> Self {
        Self::new(ImdsClient::from_env())
    }

    /// The client it asks.
    pub fn client(&self) -> &ImdsClient {
        &self.client
    }
}

impl ProvideCredentials for ImdsCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.client.credentials())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_variables_and_profile() {
        let client = ImdsClient::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")]);
        assert_eq!(
            client.settings().unwrap().endpoint,
            "http://[fd00:ec2::254]"
        );
        let client = ImdsClient::from_vars([
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"),
            ("AWS_METADATA_SERVICE_TIMEOUT", "0.5"),
            ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"),
        ]);
        let settings = client.settings().unwrap();
        assert_eq!(settings.endpoint, "http://127.0.0.1:9");
        assert_eq!(settings.connect_timeout, Duration::from_millis(500));
        assert_eq!(settings.attempts, 3);
        let default = ImdsClient::from_vars([("X", "y")]);
        let settings = default.settings().unwrap();
        assert_eq!(settings.endpoint, "http://169.254.169.254");
        assert_eq!(
            (settings.attempts, settings.read_timeout),
            (2, DEFAULT_TIMEOUT)
        );

        let set = crate::profile::ProfileSet::parse(
            Some((
                "/c",
                "[default]\nec2_metadata_service_endpoint_mode = ipv7\nmetadata_service_num_attempts = 0",
            )),
            None,
        )
        .unwrap();
        let client =
            ImdsClient::from_env_and_profile(&Env::from_vars([("X", "y")]), set.profile("default"));
        let error = client.settings().unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            error.message(),
            "`ec2_metadata_service_endpoint_mode` (/c, line 2) is `ipv7`: expected `IPv4` or \
             `IPv6`; `metadata_service_num_attempts` (/c, line 3) is `0`: expected a whole \
             number from 1 to 10"
        );
        let client =
            ImdsClient::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254")]);
        assert!(client
            .settings()
            .unwrap_err()
            .message()
            .contains("not an absolute"));
        let client = ImdsClient::from_vars([(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "http://user:hunter2@169.254.169.254",
        )]);
        let message = client.settings().unwrap_err().message().to_owned();
        assert_eq!(
            message,
            "the endpoint `http://***@169.254.169.254` must not contain a user name or password"
        );
    }

    #[tokio::test]
    async fn disabled_is_not_loaded() {
        let client = ImdsClient::from_vars([("AWS_EC2_METADATA_DISABLED", "TRUE")]);
        assert!(client.is_disabled());
        let error = ImdsCredentialsProvider::new(client.clone())
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(
            error.to_string(),
            "EC2 instance metadata (IMDSv2): AWS_EC2_METADATA_DISABLED is true"
        );
        assert!(client.region().await.is_err());
    }

    #[tokio::test]
    async fn nothing_listening_is_not_loaded_and_quick() {
        // A port on loopback that nothing listens on: refused at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = ImdsClient::builder()
            .endpoint(format!("http://127.0.0.1:{port}"))
            .build();
        let started = std::time::Instant::now();
        let error = ImdsCredentialsProvider::new(client)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        assert!(
            error.message().starts_with(&format!(
                "no instance metadata service answered at http://127.0.0.1:{port} (2 attempts): cannot connect"
            )),
            "{error}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
