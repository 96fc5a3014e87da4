//! The two STS calls the providers need, over the awsQuery protocol:
//! `AssumeRole` (SigV4-signed with the source credentials) and
//! `AssumeRoleWithWebIdentity` (unsigned: the token is the proof).
//!
//! A request is a form-encoded POST of `Action=…&Version=2011-06-15&…` to the
//! regional endpoint `https://sts.{region}.{dns suffix}` (the global
//! `https://sts.amazonaws.com` when no region is configured), or to the URL of
//! `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the profile's
//! `[services]` entry for `sts`. The answer is XML, read with a real parser.

use super::http::{self, excerpt, form_encode, scrub, FetchError, ProviderHttp};
use crate::env::Env;
use marketplace_sdk_runtime::config::check_region;
use marketplace_sdk_runtime::config::EndpointUrl;
use marketplace_sdk_runtime::credentials::{Credentials, CredentialsError};
use marketplace_sdk_runtime::datetime::DateTime;
use marketplace_sdk_runtime::sigv4::{Signer, SigningParams, SigningTarget};
use marketplace_sdk_runtime::tls::{CaBundle, TrustRoots};
use marketplace_sdk_runtime::transport::SharedHttpClient;
use std::time::{Duration, SystemTime};

const VERSION: &str = "2011-06-15";
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Where STS is and how to reach it: the configuration's region, FIPS choice
/// and configured STS endpoint. Cheap to clone; clones share one HTTP client,
/// built on first use.
#[derive(Clone)]
pub(crate) struct StsConfig {
    region: Option<String>,
    use_fips: bool,
    endpoint: Option<EndpointUrl>,
    /// How STS is reached: the configured HTTP client, or one with the CA
    /// bundle of the configuration (a proxy that intercepts TLS to the service
    /// intercepts it to STS too).
    http: ProviderHttp,
}

impl std::fmt::Debug for StsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StsConfig")
            .field("region", &self.region)
            .field("use_fips", &self.use_fips)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// The parameters of an `AssumeRole` call.
pub(crate) struct AssumeRole<'a> {
    pub(crate) role_arn: &'a str,
    pub(crate) session_name: &'a str,
    pub(crate) external_id: Option<&'a str>,
    pub(crate) duration_seconds: Option<u32>,
}

/// A session name for when none is configured: unique enough to tell sessions
/// apart in CloudTrail.
pub(crate) fn default_session_name() -> String {
    let millis = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    format!("marketplace-sdk-runtime-{millis}")
}

/// The DNS suffix of the partition `region` is in, as `aws.partition` finds it in
/// the runtime's own copy of botocore's `partitions.json` (the credential providers
/// are built before any service crate, with its table, is known). A region no
/// partition lists or matches is in `aws`, so its suffix is `amazonaws.com`; FIPS
/// hosts use the same suffix.
fn dns_suffix(region: &str) -> &'static str {
    use marketplace_sdk_runtime::endpoint::{partition, partitions_table::AWS_PARTITIONS};
    // `None` only for a table without an `aws` partition, which codegen refuses.
    partition::resolve(AWS_PARTITIONS, region).map_or("amazonaws.com", |p| p.dns_suffix)
}

impl StsConfig {
    pub(crate) fn new(
        region: Option<String>,
        use_fips: bool,
        endpoint: Option<EndpointUrl>,
        ca_bundle: Option<CaBundle>,
    ) -> Self {
        StsConfig {
            region,
            use_fips,
            endpoint,
            http: ProviderHttp::new(CONNECT_TIMEOUT, READ_TIMEOUT, false, ca_bundle),
        }
    }

    /// Sends through `client` instead of a client of its own, when there is one.
    pub(crate) fn with_http_client(mut self, client: Option<SharedHttpClient>) -> Self {
        self.http = self.http.with_client(client);
        self
    }

    /// Its own client trusts `roots` when there is no CA bundle.
    pub(crate) fn with_trust_roots(mut self, roots: TrustRoots) -> Self {
        self.http = self.http.with_trust_roots(roots);
        self
    }

    /// From the variables alone: `AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// `AWS_USE_FIPS_ENDPOINT`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` (unless
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`).
    pub(crate) fn from_env(env: &Env) -> Self {
        let is_true = |name: &str| {
            env.value(name)
                .is_some_and(|value| value.eq_ignore_ascii_case("true"))
        };
        let endpoint = if is_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
            None
        } else {
            ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]
                .into_iter()
                .find_map(|name| {
                    env.value(name)
                        .map(|url| EndpointUrl::new(url, format!("environment variable {name}")))
                })
        };
        let region = env
            .value("AWS_REGION")
            .or_else(|| env.value("AWS_DEFAULT_REGION"))
            .map(str::to_owned);
        let ca_bundle = env.value("AWS_CA_BUNDLE").map(|path| CaBundle {
            path: path.into(),
            origin: "environment variable AWS_CA_BUNDLE".to_owned(),
        });
        StsConfig::new(
            region,
            is_true("AWS_USE_FIPS_ENDPOINT"),
            endpoint,
            ca_bundle,
        )
    }

    /// The request URL, where it came from, and the region to sign for.
    pub(crate) fn endpoint(&self) -> Result<(String, String, String), String> {
        let signing_region = self
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_owned());
        if let Some(endpoint) = &self.endpoint {
            let url = endpoint.url().trim_end_matches('/');
            check_endpoint_url(url).map_err(|problem| {
                format!("the STS endpoint URL of {} {problem}", endpoint.origin())
            })?;
            return Ok((
                format!("{url}/"),
                endpoint.origin().to_owned(),
                signing_region,
            ));
        }
        let Some(region) = &self.region else {
            return Ok((
                "https://sts.amazonaws.com/".to_owned(),
                "the global STS endpoint (no region is configured)".to_owned(),
                signing_region,
            ));
        };
        check_region(region, "the region STS is called in").map_err(|error| error.to_string())?;
        let host = if self.use_fips { "sts-fips" } else { "sts" };
        Ok((
            format!("https://{host}.{region}.{}/", dns_suffix(region)),
            format!("the regional STS endpoint of {region}"),
            signing_region,
        ))
    }

    /// `AssumeRole`, signed with `source`; errors are `provider`'s.
    pub(crate) async fn assume_role(
        &self,
        provider: &str,
        source: &Credentials,
        role: &AssumeRole<'_>,
    ) -> Result<Credentials, CredentialsError> {
        let mut params = vec![
            ("RoleArn", role.role_arn.to_owned()),
            ("RoleSessionName", role.session_name.to_owned()),
        ];
        if let Some(external_id) = role.external_id {
            params.push(("ExternalId", external_id.to_owned()));
        }
        if let Some(duration) = role.duration_seconds {
            params.push(("DurationSeconds", duration.to_string()));
        }
        self.call(provider, "AssumeRole", &params, Some(source), &[])
            .await
    }

    /// `AssumeRoleWithWebIdentity`, unsigned; errors are `provider`'s.
    pub(crate) async fn assume_role_with_web_identity(
        &self,
        provider: &str,
        role_arn: &str,
        session_name: &str,
        token: &str,
    ) -> Result<Credentials, CredentialsError> {
        let params = [
            ("RoleArn", role_arn.to_owned()),
            ("RoleSessionName", session_name.to_owned()),
            ("WebIdentityToken", token.to_owned()),
        ];
        self.call(
            provider,
            "AssumeRoleWithWebIdentity",
            &params,
            None,
            &[token],
        )
        .await
    }

    /// One STS call, retried (with the same body, signed anew) while it fails
    /// transiently: no connection, a timeout, a 5xx, throttling, or
    /// `IDPCommunicationError` (the identity provider did not answer STS).
    async fn call(
        &self,
        provider: &str,
        action: &str,
        params: &[(&str, String)],
        signer: Option<&Credentials>,
        secrets: &[&str],
    ) -> Result<Credentials, CredentialsError> {
        let (url, origin, signing_region) = self
            .endpoint()
            .map_err(|message| CredentialsError::invalid_configuration(provider, message))?;
        let mut body = format!("Action={action}&Version={VERSION}");
        for (name, value) in params {
            body.push_str(&format!("&{name}={}", form_encode(value)));
        }
        let request = StsRequest {
            provider,
            action,
            what: format!("STS {action} at {url} ({origin})"),
            url,
            signing_region,
            body,
            signer,
            secrets,
        };
        http::with_retries(|_attempt| request.send(&self.http)).await
    }
}

/// An STS call, ready to send as often as it takes.
struct StsRequest<'a> {
    provider: &'a str,
    action: &'a str,
    /// `STS Action at URL (where the URL came from)`, for messages.
    what: String,
    url: String,
    signing_region: String,
    body: String,
    /// The credentials `AssumeRole` is signed with; `None` for unsigned calls.
    signer: Option<&'a Credentials>,
    /// What the server must not be quoted with, should it echo it.
    secrets: &'a [&'a str],
}

impl StsRequest<'_> {
    fn fail(&self, message: String) -> CredentialsError {
        CredentialsError::provider_error(self.provider, message)
    }

    fn transient(&self, message: String) -> CredentialsError {
        CredentialsError::transient_failure(self.provider, message)
    }

    /// Signs (with the current time) and sends the call once, and reads the answer.
    async fn send(&self, http: &ProviderHttp) -> Result<Credentials, CredentialsError> {
        let what = &self.what;
        let content_type = "application/x-www-form-urlencoded";
        let mut headers = vec![("content-type".to_owned(), content_type.to_owned())];
        if let Some(source) = self.signer {
            let to_sign = [("content-type", content_type)];
            // STS calls are rare (once per credentials refresh): a fresh signer,
            // no key worth keeping.
            let signed = SigningTarget::from_url(&self.url)
                .and_then(|target| {
                    Signer::new().sign(
                        &target,
                        &to_sign,
                        self.body.as_bytes(),
                        &SigningParams {
                            credentials: source,
                            region: &self.signing_region,
                            service: "sts",
                            time: SystemTime::now(),
                        },
                    )
                })
                .map_err(|error| self.fail(format!("{what}: {error}")))?;
            headers.extend(
                signed
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value)),
            );
        }
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let request = http::request(
            ::http::Method::POST,
            &self.url,
            &headers,
            self.body.clone().into_bytes(),
        )
        .map_err(|problem| self.fail(format!("{what}: {problem}")))?;
        let response = match http.fetch(request).await {
            Ok(response) => response,
            Err(error @ FetchError::Transport(_)) => {
                return Err(self.transient(format!("{what}: {}", error.describe())))
            }
            Err(error) => return Err(self.fail(format!("{what}: {}", error.describe()))),
        };
        if !(200..300).contains(&response.status) {
            return Err(self.refused(&response));
        }
        let credentials = parse_credentials(self.action, &response.body)
            .map_err(|problem| self.fail(format!("{what}: unreadable response: {problem}")))?;
        marketplace_sdk_runtime::credentials::check_not_expired(
            self.provider,
            credentials,
            SystemTime::now(),
        )
        .map_err(|error| error.context(what))
    }

    /// The error of an error answer: transient for server errors, throttling and
    /// an unreachable identity provider, else final (`AccessDenied`,
    /// `InvalidIdentityToken`, `ExpiredTokenException`, …).
    fn refused(&self, response: &http::Fetched) -> CredentialsError {
        let error = parse_error(&response.body);
        let code = error.as_ref().map(|error| error.code.as_str());
        let detail = match &error {
            Some(error) => error.describe(self.secrets),
            None => format!(
                "HTTP {} with a body that is not an STS error document ({}): {}",
                response.status,
                response.describe_content_type(),
                excerpt(&response.body, self.secrets)
            ),
        };
        let message = format!("{} failed: {detail}", self.what);
        // STS's own retryable code (botocore's _retry.json): the identity
        // provider did not answer STS.
        if code == Some("IDPCommunicationError") {
            return self.transient(message);
        }
        http::refused(self.provider, response.status, code, message)
    }
}

/// Whether `url` can be an STS endpoint, or what is wrong with it: an absolute
/// http(s) URL, without a query (the form body is the request) and without a
/// user name or password (they would go out as basic auth beside the
/// signature, and into messages).
fn check_endpoint_url(url: &str) -> Result<(), &'static str> {
    let uri: ::http::Uri = url
        .parse()
        .map_err(|_| "is not an absolute http:// or https:// URL")?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none_or(str::is_empty) {
        return Err("is not an absolute http:// or https:// URL");
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("must not contain a user name or password");
    }
    if uri.query().is_some() {
        return Err("must not have a query string");
    }
    Ok(())
}

/// The first child element of `node` called `name`.
fn child<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|child| child.is_element() && child.tag_name().name() == name)
}

/// The trimmed text of a child element; `None` when missing or empty.
fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    let text: String = child(node, name)?
        .children()
        .filter_map(|n| n.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn parse_document(body: &[u8]) -> Result<roxmltree::Document<'_>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8 text".to_owned())?;
    if text.trim().is_empty() {
        return Err("the body is empty".to_owned());
    }
    roxmltree::Document::parse(text)
        .map_err(|error| format!("the body is not well-formed XML: {error}"))
}

/// The credentials of a successful `{action}Response`.
pub(crate) fn parse_credentials(action: &str, body: &[u8]) -> Result<Credentials, String> {
    let document = parse_document(body)?;
    let root = document.root_element();
    let expected = format!("{action}Response");
    if root.tag_name().name() != expected {
        return Err(format!(
            "the XML document is <{}>, not <{expected}>",
            root.tag_name().name()
        ));
    }
    let result_name = format!("{action}Result");
    let result =
        child(root, &result_name).ok_or_else(|| format!("<{expected}> has no <{result_name}>"))?;
    let credentials = child(result, "Credentials")
        .ok_or_else(|| format!("<{result_name}> has no <Credentials>"))?;
    let field = |name: &str| {
        child_text(credentials, name)
            .ok_or_else(|| format!("<Credentials> has no <{name}> (or it is empty)"))
    };
    let access_key_id = field("AccessKeyId")?;
    let secret_access_key = field("SecretAccessKey")?;
    let session_token = field("SessionToken")?;
    let expiration = field("Expiration")?;
    let expiry = parse_expiration(&expiration)?;
    Ok(Credentials::new(access_key_id, secret_access_key, Some(session_token)).with_expiry(expiry))
}

/// An RFC 3339 `Expiration` as a `SystemTime`.
pub(crate) fn parse_expiration(text: &str) -> Result<SystemTime, String> {
    let time = DateTime::parse_rfc3339(text)
        .map_err(|_| format!("Expiration {text:?} is not an RFC 3339 date-time"))?;
    SystemTime::try_from(time).map_err(|_| format!("Expiration {text:?} is out of range"))
}

/// The `<Error>` of an STS `<ErrorResponse>`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct StsError {
    code: String,
    message: Option<String>,
    request_id: Option<String>,
}

impl StsError {
    /// `Code: message (request id X)`, with what the server sent scrubbed of
    /// `secrets` and control characters.
    pub(crate) fn describe(&self, secrets: &[&str]) -> String {
        let mut text = scrub(&self.code, secrets);
        if let Some(message) = &self.message {
            text.push_str(&format!(": {}", scrub(message, secrets)));
        }
        if let Some(request_id) = &self.request_id {
            text.push_str(&format!(" (request id {})", scrub(request_id, secrets)));
        }
        text
    }
}

/// The error of an STS `<ErrorResponse>`; `None` for any other body.
pub(crate) fn parse_error(body: &[u8]) -> Option<StsError> {
    let document = parse_document(body).ok()?;
    let root = document.root_element();
    if root.tag_name().name() != "ErrorResponse" {
        return None;
    }
    let error = child(root, "Error")?;
    Some(StsError {
        code: child_text(error, "Code")?,
        message: child_text(error, "Message"),
        request_id: child_text(root, "RequestId"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const WEB_IDENTITY_RESPONSE: &str = r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:metering</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/metering/session</Arn>
      <AssumedRoleId>AROAEXAMPLE:session</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>SESSIONTOKEN</SessionToken>
      <SecretAccessKey>
        SECRETKEY
      </SecretAccessKey>
      <Expiration>2030-01-02T03:04:05Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#;

    #[test]
    fn parses_credentials() {
        let credentials = parse_credentials(
            "AssumeRoleWithWebIdentity",
            WEB_IDENTITY_RESPONSE.as_bytes(),
        )
        .unwrap();
        assert_eq!(credentials.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(credentials.secret_access_key(), "SECRETKEY");
        assert_eq!(credentials.session_token(), Some("SESSIONTOKEN"));
        assert_eq!(
            DateTime::from(credentials.expiry().unwrap()).to_string(),
            "2030-01-02T03:04:05Z"
        );
        // The wrong action's document is refused.
        let error = parse_credentials("AssumeRole", WEB_IDENTITY_RESPONSE.as_bytes()).unwrap_err();
        assert_eq!(
            error,
            "the XML document is <AssumeRoleWithWebIdentityResponse>, not <AssumeRoleResponse>"
        );
    }

    #[test]
    fn malformed_documents_say_what_is_wrong_without_secrets() {
        let truncated = &WEB_IDENTITY_RESPONSE[..WEB_IDENTITY_RESPONSE.len() / 2];
        let error =
            parse_credentials("AssumeRoleWithWebIdentity", truncated.as_bytes()).unwrap_err();
        assert!(
            error.starts_with("the body is not well-formed XML"),
            "{error}"
        );
        assert!(!error.contains("SECRETKEY") && !error.contains("SESSIONTOKEN"));
        let no_token =
            WEB_IDENTITY_RESPONSE.replace("<SessionToken>SESSIONTOKEN</SessionToken>", "");
        assert_eq!(
            parse_credentials("AssumeRoleWithWebIdentity", no_token.as_bytes()).unwrap_err(),
            "<Credentials> has no <SessionToken> (or it is empty)"
        );
        let bad_date = WEB_IDENTITY_RESPONSE.replace("2030-01-02T03:04:05Z", "tomorrow");
        assert_eq!(
            parse_credentials("AssumeRoleWithWebIdentity", bad_date.as_bytes()).unwrap_err(),
            "Expiration \"tomorrow\" is not an RFC 3339 date-time"
        );
        for (body, expected) in [
            (&b""[..], "the body is empty"),
            (&[0xff, 0xfe][..], "the body is not UTF-8 text"),
            (b"{\"json\": true}", "the body is not well-formed XML"),
            (
                b"<html><body>Bad gateway</body></html>",
                "the XML document is <html>",
            ),
        ] {
            let error = parse_credentials("AssumeRole", body).unwrap_err();
            assert!(error.starts_with(expected), "{error}");
        }
        // No entity expansion: a DTD is refused outright.
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><AssumeRoleResponse>&lol2;</AssumeRoleResponse>";
        assert!(parse_credentials("AssumeRole", bomb.as_bytes()).is_err());
    }

    #[test]
    fn parses_error_documents() {
        let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidIdentityToken</Code>
    <Message>Couldn't retrieve verification key from your identity provider</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>"#;
        assert_eq!(
            parse_error(body.as_bytes()).unwrap().describe(&[]),
            "InvalidIdentityToken: Couldn't retrieve verification key from your identity \
             provider (request id c6104cbe-af31-11e0-8154-cbc7ccf896c7)"
        );
        // What the server echoes is scrubbed: no token, no forged lines.
        let echo = body.replace("Couldn't retrieve", "token WEBTOKEN\nFAKE LOG LINE");
        let text = parse_error(echo.as_bytes())
            .unwrap()
            .describe(&["WEBTOKEN"]);
        assert!(!text.contains("WEBTOKEN") && !text.contains('\n'), "{text}");
        assert!(text.contains("** redacted **\\nFAKE LOG LINE"), "{text}");
        assert_eq!(
            parse_error(b"<ErrorResponse><Error/></ErrorResponse>"),
            None
        );
        assert_eq!(parse_error(b"Service Unavailable"), None);
    }

    #[test]
    fn endpoints_follow_region_partition_fips_and_overrides() {
        let endpoint = |region: Option<&str>, fips: bool, url: Option<&str>| {
            StsConfig::new(
                region.map(str::to_owned),
                fips,
                url.map(|url| EndpointUrl::new(url, "test")),
                None,
            )
            .endpoint()
            .map(|(url, _, signing_region)| (url, signing_region))
        };
        assert_eq!(
            endpoint(Some("eu-west-1"), false, None).unwrap(),
            (
                "https://sts.eu-west-1.amazonaws.com/".into(),
                "eu-west-1".into()
            )
        );
        assert_eq!(
            endpoint(Some("cn-north-1"), false, None).unwrap().0,
            "https://sts.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            endpoint(Some("us-gov-west-1"), true, None).unwrap().0,
            "https://sts-fips.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint(Some("us-isob-east-1"), false, None).unwrap().0,
            "https://sts.us-isob-east-1.sc2s.sgov.gov/"
        );
        // Every partition's suffix comes from partitions.json, listed or by regex;
        // regions no partition claims are commercial.
        for (region, host) in [
            ("eusc-de-east-1", "sts.eusc-de-east-1.amazonaws.eu"),
            ("eusc-de-west-9", "sts.eusc-de-west-9.amazonaws.eu"),
            ("cn-northwest-1", "sts.cn-northwest-1.amazonaws.com.cn"),
            ("us-iso-east-1", "sts.us-iso-east-1.c2s.ic.gov"),
            ("us-isof-south-1", "sts.us-isof-south-1.csp.hci.ic.gov"),
            ("eu-isoe-west-1", "sts.eu-isoe-west-1.cloud.adc-e.uk"),
            ("us-gov-east-1", "sts.us-gov-east-1.amazonaws.com"),
            ("ap-southeast-99", "sts.ap-southeast-99.amazonaws.com"),
            ("mars-east-1", "sts.mars-east-1.amazonaws.com"),
            ("local", "sts.local.amazonaws.com"),
        ] {
            let url = endpoint(Some(region), false, None).unwrap().0;
            assert_eq!(url, format!("https://{host}/"), "{region}");
        }
        assert_eq!(
            endpoint(Some("eusc-de-east-1"), true, None).unwrap().0,
            "https://sts-fips.eusc-de-east-1.amazonaws.eu/"
        );
        assert_eq!(
            endpoint(None, false, None).unwrap(),
            ("https://sts.amazonaws.com/".into(), "us-east-1".into())
        );
        assert_eq!(
            endpoint(Some("eu-west-1"), false, Some("http://127.0.0.1:9/")).unwrap(),
            ("http://127.0.0.1:9/".into(), "eu-west-1".into())
        );
        assert!(endpoint(Some("evil.com/x"), false, None).is_err());
        assert!(endpoint(None, false, Some("127.0.0.1:9")).is_err());
        // No user name, password or query: the error names the origin, not the password.
        let error = endpoint(None, false, Some("https://user:hunter2@sts.example")).unwrap_err();
        assert_eq!(
            error,
            "the STS endpoint URL of test must not contain a user name or password"
        );
        let error = endpoint(None, false, Some("https://sts.example/?Action=x")).unwrap_err();
        assert_eq!(
            error,
            "the STS endpoint URL of test must not have a query string"
        );
        let error = endpoint(Some("us-east-1.evil.example/"), false, None).unwrap_err();
        assert!(error.contains("is not a region name"), "{error}");
    }

    #[test]
    fn configuration_from_the_environment() {
        let env = Env::from_vars([
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("AWS_ENDPOINT_URL", "http://global"),
            ("AWS_ENDPOINT_URL_STS", "http://sts-only"),
        ]);
        let config = StsConfig::from_env(&env);
        assert_eq!(config.region.as_deref(), Some("ap-south-1"));
        assert_eq!(config.endpoint.as_ref().unwrap().url(), "http://sts-only");
        let env = Env::from_vars([
            ("AWS_ENDPOINT_URL", "http://global"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
        ]);
        assert!(StsConfig::from_env(&env).endpoint.is_none());
    }
}
