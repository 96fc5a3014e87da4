//! Container credentials: ECS task roles and EKS Pod Identity.

use super::http::single_line;
use super::http::{self, excerpt, FetchError, Fetched, ProviderHttp};
use super::sts::parse_expiration;
use crate::env::Env;
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
};
use marketplace_sdk_runtime::file::{read_capped, TOKEN_FILE_LIMIT};
use marketplace_sdk_runtime::transport::{HttpClient, SharedHttpClient};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

const NAME: &str = "container";
/// The ECS agent's credentials endpoint, for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
const ECS_BASE: &str = "http://169.254.170.2";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Credentials from the container credentials endpoint: ECS task roles and EKS
/// Pod Identity.
///
/// - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (ECS): a path on
///   `http://169.254.170.2`. It wins over the full URI.
/// - `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity, ECS Anywhere,
///   local agents): any `https://` URL, or an `http://` URL whose host is a
///   loopback address (`127.0.0.0/8`, `[::1]`, `localhost`), the ECS endpoint
///   `169.254.170.2` or the EKS Pod Identity agent `169.254.170.23` /
///   `[fd00:ec2::23]`. Any other host is a configuration error.
/// - `Authorization` header: the contents of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`,
///   read again on every call (EKS rotates it), else
///   `AWS_CONTAINER_AUTHORIZATION_TOKEN`. A token with a CR or LF is refused.
///
/// The answer is JSON with `AccessKeyId`, `SecretAccessKey`, `Token` and
/// `Expiration`. Timeouts: 2 s to connect, 5 s to read; 3 attempts with the
/// standard backoff when the endpoint cannot be reached or answers 429 or 5xx,
/// then a [transient failure](super::CredentialsErrorKind::TransientFailure).
/// Not loaded when neither URI variable is set. The authorization token never appears in `Debug` or errors.
#[derive(Clone)]
pub struct ContainerCredentialsProvider {
    endpoint: Result<Endpoint, CredentialsError>,
    auth: Result<Auth, CredentialsError>,
    relative_base: String,
    http: ProviderHttp,
}

#[derive(Clone, Debug)]
enum Endpoint {
    Relative(String),
    Full(String),
}

#[derive(Clone)]
enum Auth {
    None,
    Token(String),
    File(PathBuf),
}

impl ContainerCredentialsProvider {
    /// Reads the process environment, once, now.
    pub fn new() -> Self {
        Self::with_env(&Env::process())
    }

    /// Reads these variables instead of the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::with_env(&Env::from_vars(vars))
    }

    /// Resolves `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` against `base` instead
    /// of `http://169.254.170.2`: for tests and local agents.
    pub fn relative_uri_base(mut self, base: impl Into<String>) -> Self {
        self.relative_base = base.into().trim_end_matches('/').to_owned();
        self
    }

    pub(crate) fn with_env(env: &Env) -> Self {
        let endpoint = if let Some(relative) = env.value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            if relative.bytes().any(|b| b.is_ascii_control() || b == b' ') {
                Err(CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI contains spaces or control characters",
                ))
            } else if relative.starts_with('/') {
                Ok(Endpoint::Relative(relative.to_owned()))
            } else {
                Ok(Endpoint::Relative(format!("/{relative}")))
            }
        } else if let Some(full) = env.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            check_full_uri(full)
                .map(|()| Endpoint::Full(full.to_owned()))
                .map_err(|problem| {
                    CredentialsError::invalid_configuration(
                        NAME,
                        format!("AWS_CONTAINER_CREDENTIALS_FULL_URI {problem}"),
                    )
                })
        } else {
            Err(CredentialsError::not_loaded(
                NAME,
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI \
                 are not set",
            ))
        };
        let auth = if let Some(file) = env.value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Ok(Auth::File(PathBuf::from(file)))
        } else if let Some(token) = env.value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            if single_line(token) {
                Ok(Auth::Token(token.to_owned()))
            } else {
                Err(CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN contains a CR or LF, which cannot go in \
                     an HTTP header",
                ))
            }
        } else {
            Ok(Auth::None)
        };
        ContainerCredentialsProvider {
            endpoint,
            auth,
            relative_base: ECS_BASE.to_owned(),
            http: ProviderHttp::new(CONNECT_TIMEOUT, READ_TIMEOUT, true, None),
        }
    }

    /// Sends through `client` instead of a client of its own (see
    /// [`ConfigBuilder::http_client`](crate::config::ConfigBuilder::http_client)).
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http = self.http.with_client(Some(SharedHttpClient::new(client)));
        self
    }

    /// The same, with an optional shared client.
    pub(crate) fn with_http_client(mut self, client: Option<SharedHttpClient>) -> Self {
        self.http = self.http.with_client(client);
        self
    }

    fn url(&self) -> Result<String, CredentialsError> {
        match self.endpoint.as_ref().map_err(Clone::clone)? {
            Endpoint::Relative(path) => Ok(format!("{}{path}", self.relative_base)),
            Endpoint::Full(url) => Ok(url.clone()),
        }
    }

    /// The `Authorization` value, read now.
    fn authorization(&self) -> Result<Option<String>, CredentialsError> {
        match self.auth.as_ref().map_err(Clone::clone)? {
            Auth::None => Ok(None),
            Auth::Token(token) => Ok(Some(token.clone())),
            Auth::File(path) => {
                let fail = |problem: String| {
                    CredentialsError::provider_error(
                        NAME,
                        format!(
                            "the authorization token file {} (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) \
                             {problem}",
                            path.display()
                        ),
                    )
                };
                let bytes =
                    read_capped(path, TOKEN_FILE_LIMIT).map_err(|error| fail(error.to_string()))?;
                let text = String::from_utf8(bytes).map_err(|_| fail("is not UTF-8".into()))?;
                let token = text.trim();
                if token.is_empty() {
                    return Err(fail("is empty".to_owned()));
                }
                if !single_line(token) {
                    return Err(fail(
                        "holds a CR or LF inside the token, which cannot go in an HTTP header"
                            .to_owned(),
                    ));
                }
                Ok(Some(token.to_owned()))
            }
        }
    }

    pub(crate) async fn load(&self) -> Result<Credentials, CredentialsError> {
        let url = self.url()?;
        http::with_retries(|_attempt| async {
            // Read again for every attempt: EKS rotates the token file.
            let authorization = self.authorization()?;
            let mut headers = vec![("accept", "application/json")];
            if let Some(value) = &authorization {
                headers.push(("authorization", value));
            }
            let request = http::request(::http::Method::GET, &url, &headers, Vec::new())
                .map_err(|problem| CredentialsError::invalid_configuration(NAME, problem))?;
            let secrets: Vec<&str> = authorization.iter().map(String::as_str).collect();
            match self.http.fetch(request).await {
                Ok(response) => answer(&url, &response, &secrets),
                Err(error @ FetchError::Transport(_)) => Err(CredentialsError::transient_failure(
                    NAME,
                    format!("no answer from {url}: {}", error.describe()),
                )),
                Err(error) => Err(CredentialsError::provider_error(
                    NAME,
                    format!("{url}: {}", error.describe()),
                )),
            }
        })
        .await
    }
}

/// Credentials from an answer, or what is wrong with it: an error status is
/// transient for 429 and 5xx, else final.
fn answer(
    url: &str,
    response: &Fetched,
    secrets: &[&str],
) -> Result<Credentials, CredentialsError> {
    let fail = |message: String| CredentialsError::provider_error(NAME, message);
    if !(200..300).contains(&response.status) {
        let detail = json_error(&response.body)
            .map(|text| http::scrub(&text, secrets))
            .unwrap_or_else(|| excerpt(&response.body, secrets));
        let message = format!("{url} answered HTTP {}: {detail}", response.status);
        return Err(http::refused(NAME, response.status, None, message));
    }
    let credentials =
        json_credentials(response, &[]).map_err(|problem| fail(format!("{url}: {problem}")))?;
    marketplace_sdk_runtime::credentials::check_not_expired(
        NAME,
        credentials,
        std::time::SystemTime::now(),
    )
}

/// `code: message` of a JSON error body.
pub(crate) fn json_error(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let field = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|name| value.get(*name)?.as_str().map(str::to_owned))
    };
    match (field(["code", "Code"]), field(["message", "Message"])) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (Some(text), None) | (None, Some(text)) => Some(text),
        (None, None) => None,
    }
}

/// The credentials of a JSON answer of the container endpoint or IMDS:
/// `AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration` (RFC 3339), plus the
/// members in `extra` that must be there. The message never quotes the body.
pub(crate) fn json_credentials(
    response: &Fetched,
    extra: &[(&str, &str)],
) -> Result<Credentials, String> {
    let value: serde_json::Value = serde_json::from_slice(&response.body).map_err(|error| {
        format!(
            "the answer ({}, {} bytes) is not JSON: {error}",
            response.describe_content_type(),
            response.body.len()
        )
    })?;
    let object = value.as_object().ok_or_else(|| {
        format!(
            "the answer ({}) is JSON but not an object",
            response.describe_content_type()
        )
    })?;
    let field = |name: &str| -> Result<&str, String> {
        match object.get(name) {
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => Ok(text.trim()),
            Some(serde_json::Value::String(_)) => Err(format!("`{name}` is empty")),
            Some(_) => Err(format!("`{name}` is not a string")),
            None => Err(format!("the answer has no `{name}`")),
        }
    };
    for (name, expected) in extra {
        let actual = field(name)?;
        if actual != *expected {
            return Err(format!("`{name}` is `{actual}`, not `{expected}`"));
        }
    }
    let credentials = Credentials::new(
        field("AccessKeyId")?,
        field("SecretAccessKey")?,
        Some(field("Token")?.to_owned()),
    );
    Ok(credentials.with_expiry(parse_expiration(field("Expiration")?)?))
}

/// Whether a full URI may be used: `Ok` or what is wrong with it.
pub(crate) fn check_full_uri(uri: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(uri).map_err(|error| format!("is not a valid URL: {error}"))?;
    // It is printed in errors, and the authorization token is the credential.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    match url.scheme() {
        "https" => return Ok(()),
        "http" => {}
        scheme => {
            return Err(format!(
                "has the scheme `{scheme}`; only http and https are allowed"
            ))
        }
    }
    let host = url.host_str().unwrap_or_default();
    let allowed = match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip == Ipv4Addr::new(169, 254, 170, 2)
                || ip == Ipv4Addr::new(169, 254, 170, 23)
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback() || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)
        }
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "has the host `{host}`: over http only a loopback address, 169.254.170.2, \
             169.254.170.23 or [fd00:ec2::23] is allowed (use https for any other host)"
        ))
    }
}

impl Default for ContainerCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for ContainerCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

impl fmt::Debug for ContainerCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Ok(Auth::None) => "none".to_owned(),
            Ok(Auth::Token(_)) => "AWS_CONTAINER_AUTHORIZATION_TOKEN (redacted)".to_owned(),
            Ok(Auth::File(path)) => format!("token file {}", path.display()),
            Err(_) => "invalid".to_owned(),
        };
        f.debug_struct("ContainerCredentialsProvider")
            .field("endpoint", &self.endpoint.as_ref().ok())
            .field("relative_base", &self.relative_base)
            .field("authorization", &auth)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;

    #[test]
    fn full_uri_hosts() {
        for allowed in [
            "https://example.com/creds",
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/creds",
            "http://[::1]:80/creds",
            "http://localhost/creds",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
        ] {
            assert_eq!(check_full_uri(allowed), Ok(()), "{allowed}");
        }
        for (refused, problem) in [
            ("http://example.com/creds", "has the host `example.com`"),
            (
                "http://169.254.169.254/creds",
                "has the host `169.254.169.254`",
            ),
            ("http://[fd00:ec2::254]/", "has the host `[fd00:ec2::254]`"),
            ("http://10.0.0.1/", "has the host `10.0.0.1`"),
            ("ftp://127.0.0.1/", "has the scheme `ftp`"),
            ("not a url", "is not a valid URL"),
            (
                "https://user:hunter2@agent.example/creds",
                "must not contain a user name or password",
            ),
        ] {
            let error = check_full_uri(refused).unwrap_err();
            assert!(error.starts_with(problem), "{refused}: {error}");
        }
    }

    #[tokio::test]
    async fn configuration_errors() {
        let provider = ContainerCredentialsProvider::from_vars([("UNRELATED", "x")]);
        let error = provider.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        let provider = ContainerCredentialsProvider::from_vars([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://192.168.1.1/creds",
        )]);
        let error = provider.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            error
                .to_string()
                .contains("AWS_CONTAINER_CREDENTIALS_FULL_URI has the host"),
            "{error}"
        );
        let provider = ContainerCredentialsProvider::from_vars([
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/"),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                "SECRET\r\nX-Injected: 1",
            ),
        ]);
        let error = provider.provide_credentials().await.unwrap_err();
        assert!(error.to_string().contains("CR or LF"), "{error}");
        assert!(!error.to_string().contains("SECRET"), "{error}");
        assert!(!format!("{provider:?}").contains("SECRET"));
    }

    #[test]
    fn the_relative_uri_goes_to_the_ecs_agent() {
        let provider = ContainerCredentialsProvider::from_vars([
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/abc",
            ),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1/ignored",
            ),
        ]);
        assert_eq!(
            provider.url().unwrap(),
            "http://169.254.170.2/v2/credentials/abc"
        );
        let provider = provider.relative_uri_base("http://127.0.0.1:9/");
        assert_eq!(
            provider.url().unwrap(),
            "http://127.0.0.1:9/v2/credentials/abc"
        );
    }

    #[test]
    fn json_answers() {
        let fetched = |body: &str, content_type: Option<&str>| Fetched {
            status: 200,
            content_type: content_type.map(str::to_owned),
            body: body.as_bytes().to_vec(),
        };
        let good = r#"{"AccessKeyId":"ASIA","SecretAccessKey":"SECRETKEY","Token":"TOKENVALUE","Expiration":"2030-01-01T00:00:00Z","RoleArn":"arn"}"#;
        let credentials = json_credentials(&fetched(good, None), &[]).unwrap();
        assert_eq!(credentials.session_token(), Some("TOKENVALUE"));
        for (body, content_type, expected) in [
            (
                &good[..good.len() - 20],
                Some("application/json"),
                "the answer (content type `application/json`, 105 bytes) is not JSON",
            ),
            (
                "<html>oops</html>",
                Some("text/html"),
                "the answer (content type `text/html`, 17 bytes) is not JSON",
            ),
            (
                "[1]",
                None,
                "the answer (no content type) is JSON but not an object",
            ),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":"SECRETKEY","Token":"T"}"#,
                None,
                "the answer has no `Expiration`",
            ),
            (
                r#"{"AccessKeyId":1}"#,
                None,
                "`AccessKeyId` is not a string",
            ),
        ] {
            let error = json_credentials(&fetched(body, content_type), &[]).unwrap_err();
            assert!(error.starts_with(expected), "{body}: {error}");
            assert!(!error.contains("SECRETKEY"), "{error}");
        }
    }
}
