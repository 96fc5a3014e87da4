//! The container credentials endpoint (ECS, EKS Pod Identity) and STS (web
//! identity, profile roles), against emulators on loopback: what is sent, what
//! is checked, and clear errors for every fault and hostile answer.

use std::time::{Duration, SystemTime};

use crate::common::TempDir;
use integration_tests::emulators::{
    form, rfc3339, sts_credentials, sts_error, ContainerEmulator, Issued, StsEmulator,
};
use integration_tests::{verify, Reply, TestServer};
use marketplace_metering::config::credentials::{
    ContainerCredentialsProvider, CredentialsErrorKind, ProfileCredentialsProvider,
    ProvideCredentials, WebIdentityTokenCredentialsProvider,
};

fn good_json(secret: &str) -> String {
    format!(
        r#"{{"AccessKeyId":"ASIAX","SecretAccessKey":"{secret}","Token":"HOSTILETOKEN","Expiration":"2030-01-01T00:00:00Z"}}"#
    )
}

// ---------------------------------------------------------------- container

#[tokio::test]
async fn the_token_file_is_read_again_on_every_call() {
    let dir = TempDir::new("pod-identity");
    let agent = ContainerEmulator::start(Some("token-one")).await;
    let file = dir.write("token", "token-one");
    let provider = ContainerCredentialsProvider::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/v1/credentials", agent.url()),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file.clone()),
        // The file wins over the variable.
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored".to_owned()),
    ]);
    let first = provider.provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), agent.issued()[0].access_key_id);
    // EKS rotates the token.
    dir.write("token", "token-two\n");
    agent.set_authorization(Some("token-two"));
    let second = provider.provide_credentials().await.unwrap();
    assert_eq!(second.access_key_id(), agent.issued()[1].access_key_id);
    let sent: Vec<Option<String>> = agent
        .server()
        .requests()
        .await
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [Some("token-one".to_owned()), Some("token-two".to_owned())]
    );
    let text = format!("{provider:?}");
    assert!(
        !text.contains("token-one") && !text.contains("token-two"),
        "{text}"
    );
}

#[tokio::test]
async fn a_refused_token_is_a_clear_error_without_the_token() {
    let agent = ContainerEmulator::start(Some("the-right-token")).await;
    let provider = ContainerCredentialsProvider::from_vars([
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/creds", agent.url()),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "WRONGSECRETTOKEN".to_owned(),
        ),
    ]);
    let error = provider.provide_credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
    assert_eq!(
        error.to_string(),
        format!(
            "container: {}/creds answered HTTP 401: AccessDeniedException: the authorization \
             token is not valid",
            agent.url()
        )
    );
}

#[tokio::test]
async fn header_injection_through_the_token_file_is_refused() {
    let dir = TempDir::new("injection");
    let agent = ContainerEmulator::start(None).await;
    let file = dir.write("token", "abc\r\nX-Injected: yes");
    let provider = ContainerCredentialsProvider::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.url()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file),
    ]);
    let error = provider.provide_credentials().await.unwrap_err();
    assert!(error.to_string().contains("holds a CR or LF"), "{error}");
    assert!(!error.to_string().contains("X-Injected"), "{error}");
    assert_eq!(agent.server().request_count().await, 0);
}

#[tokio::test]
async fn the_ecs_relative_uri() {
    let agent = ContainerEmulator::start(None).await;
    let provider = ContainerCredentialsProvider::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "/v2/credentials/5d4c3b2a",
    )])
    .relative_uri_base(agent.url());
    provider.provide_credentials().await.unwrap();
    assert_eq!(
        agent.server().requests().await[0].path,
        "/v2/credentials/5d4c3b2a"
    );
    assert!(agent.server().requests().await[0]
        .header("authorization")
        .is_none());
}

#[tokio::test]
async fn hostile_container_answers_are_clear_errors() {
    let good = good_json("HOSTILESECRET");
    let expired = good.replace(
        "2030-01-01T00:00:00Z",
        &rfc3339(SystemTime::now() - Duration::from_secs(1)),
    );
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::new(200)
                .header("content-type", "application/json")
                .body(&good[..good.len() - 10]),
            "(content type `application/json`, ",
        ),
        (
            Reply::new(200)
                .header("content-type", "text/html")
                .body("<html>Service Unavailable</html>"),
            "the answer (content type `text/html`, 32 bytes) is not JSON",
        ),
        (
            Reply::new(200).body(format!("[{}]", "1,".repeat(50_000) + "1")),
            "the response body is larger than 64 KiB",
        ),
        (
            Reply::new(200).body(expired),
            "the credentials it returned expired at",
        ),
        (
            Reply::new(200).body(good.replace("\"Token\"", "\"Tok\"")),
            "the answer has no `Token`",
        ),
        (
            Reply::new(404).body("no such task"),
            "answered HTTP 404: \"no such task\"",
        ),
    ];
    for (reply, expected) in cases {
        let agent = ContainerEmulator::start(None).await;
        agent.set_reply(reply);
        let provider = ContainerCredentialsProvider::from_vars([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            agent.url(),
        )]);
        let error = provider.provide_credentials().await.unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("container: "), "{text}");
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        assert!(
            !text.contains("HOSTILESECRET") && !text.contains("HOSTILETOKEN"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn container_faults() {
    // A 5xx is retried once.
    let agent =
        TestServer::sequence(vec![Reply::new(503), Reply::new(200).body(good_json("S"))]).await;
    let provider = ContainerCredentialsProvider::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        agent.url(),
    )]);
    assert_eq!(
        provider
            .provide_credentials()
            .await
            .unwrap()
            .access_key_id(),
        "ASIAX"
    );
    assert_eq!(agent.request_count().await, 2);
    // A closed connection, three times, is a transient error naming the URL.
    let closing = TestServer::always(Reply::close()).await;
    let provider = ContainerCredentialsProvider::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        closing.url(),
    )]);
    let error = provider.provide_credentials().await.unwrap_err();
    assert!(error.is_retryable(), "{error:?}");
    assert!(
        error.to_string().starts_with(&format!(
            "container: 3 attempts failed; the last: no answer from {}",
            closing.url()
        )),
        "{error}"
    );
    assert_eq!(closing.request_count().await, 3);
    // A disallowed host is refused before anything is sent.
    let provider = ContainerCredentialsProvider::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://metadata.example.com/creds",
    )]);
    let error = provider.provide_credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
}

// ---------------------------------------------------------------- STS

fn web_identity(
    dir: &TempDir,
    sts: &StsEmulator,
    token: &str,
) -> WebIdentityTokenCredentialsProvider {
    let file = dir.write("token", token);
    WebIdentityTokenCredentialsProvider::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/irsa".to_owned(),
        ),
        ("AWS_REGION", "us-west-2".to_owned()),
        ("AWS_ENDPOINT_URL_STS", sts.url()),
    ])
}

#[tokio::test]
async fn the_web_identity_token_is_read_again_on_every_call() {
    let dir = TempDir::new("irsa-rotation");
    let sts = StsEmulator::start().await;
    sts.expect_web_identity_token("jwt-one");
    let provider = web_identity(&dir, &sts, "jwt-one");
    let first = provider.provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), sts.issued()[0].access_key_id);
    assert_eq!(
        rfc3339(first.expiry().unwrap()),
        sts.issued()[0].expiration,
        "Expiration is read from the XML"
    );
    dir.write("token", "jwt-two");
    sts.expect_web_identity_token("jwt-two");
    provider.provide_credentials().await.unwrap();
    let requests = sts.server().requests().await;
    let tokens: Vec<String> = requests
        .iter()
        .map(|r| form(r)["WebIdentityToken"].clone())
        .collect();
    assert_eq!(tokens, ["jwt-one", "jwt-two"]);
    let session = form(&requests[0])["RoleSessionName"].clone();
    assert!(session.starts_with("marketplace-sdk-runtime-"), "{session}");
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(!format!("{provider:?}").contains("jwt-"));
}

#[tokio::test]
async fn sts_calls_use_the_ca_bundle() {
    // A proxy that intercepts TLS to the service intercepts it to STS too, so
    // STS trusts the same bundle; an unusable one is the provider's error, named.
    let dir = TempDir::new("irsa-ca-bundle");
    let token = dir.write("token", "jwt");
    let missing = dir.path().join("corporate-ca.pem");
    let provider = WebIdentityTokenCredentialsProvider::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/irsa".to_owned(),
        ),
        ("AWS_REGION", "us-west-2".to_owned()),
        ("AWS_ENDPOINT_URL_STS", "https://127.0.0.1:9".to_owned()),
        ("AWS_CA_BUNDLE", missing.display().to_string()),
    ]);
    let error = provider
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "CA bundle `{}` (environment variable AWS_CA_BUNDLE) cannot be read",
            missing.display()
        )),
        "{error}"
    );
}

#[tokio::test]
async fn sts_error_documents_are_reported_without_the_token() {
    let dir = TempDir::new("irsa-error");
    let sts = StsEmulator::start().await;
    sts.expect_web_identity_token("a-different-token");
    let provider = web_identity(&dir, &sts, "SECRETJWT");
    let error = provider.provide_credentials().await.unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
    assert_eq!(
        error.to_string(),
        format!(
            "web identity token: role arn:aws:iam::123456789012:role/irsa: STS \
             AssumeRoleWithWebIdentity at {}/ (environment variable AWS_ENDPOINT_URL_STS) \
             failed: InvalidIdentityToken: The web identity token that was passed could not be \
             validated (request id 4c2e9d6e-sts-emulator)",
            sts.url()
        )
    );
}

#[tokio::test]
async fn sts_faults_and_hostile_answers_are_clear_errors() {
    let expired = Issued {
        access_key_id: "ASIAOLD".into(),
        secret_access_key: "HOSTILESECRET".into(),
        session_token: "HOSTILETOKEN".into(),
        expiration: rfc3339(SystemTime::now() - Duration::from_secs(5)),
    };
    let good = sts_credentials(
        "AssumeRoleWithWebIdentity",
        &Issued {
            expiration: "2030-01-01T00:00:00Z".into(),
            ..expired.clone()
        },
    );
    let good_text = String::from_utf8(good.body.clone()).unwrap();
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::new(503)
                .header("content-type", "text/html")
                .body("<html><h1>503 Service Temporarily Unavailable</h1></html>"),
            "failed: HTTP 503 with a body that is not an STS error document (content type \
             `text/html`): \"<html><h1>503 Service Temporarily Unavailable</h1></html>\"",
        ),
        (
            Reply::new(200).body(good_text[..good_text.len() / 2].to_owned()),
            "unreadable response: the body is not well-formed XML",
        ),
        (
            Reply::new(200)
                .header("content-type", "application/json")
                .body(r#"{"Credentials":{}}"#),
            "unreadable response: the body is not well-formed XML",
        ),
        (
            Reply::new(200).body(good_text.replace("AssumeRoleWithWebIdentityResult", "Result")),
            "unreadable response: <AssumeRoleWithWebIdentityResponse> has no <AssumeRoleWithWebIdentityResult>",
        ),
        (
            Reply::new(200).body(format!("<a>{}</a>", "x".repeat(100 * 1024))),
            "the response body is larger than 64 KiB",
        ),
        (
            sts_credentials("AssumeRoleWithWebIdentity", &expired),
            "the credentials it returned expired at",
        ),
        (
            Reply::new(400).body("echoing your request: WebIdentityToken=SECRETJWT"),
            "echoing your request: WebIdentityToken=** redacted **",
        ),
        (Reply::close(), "connection failed"),
        (
            sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
            "failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
        ),
    ];
    for (reply, expected) in cases {
        let dir = TempDir::new("irsa-hostile");
        let sts = StsEmulator::start().await;
        sts.set_reply(Some(reply));
        let error = web_identity(&dir, &sts, "SECRETJWT")
            .provide_credentials()
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        for secret in ["SECRETJWT", "HOSTILESECRET", "HOSTILETOKEN"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[tokio::test]
async fn a_chain_of_roles_is_assumed_from_its_end() {
    let dir = TempDir::new("role-chain");
    let sts = StsEmulator::start().await;
    sts.trust("AKIDBASE", "BASESECRET");
    let config = dir.write(
        "config",
        "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = hop\n\
         duration_seconds = 900\n\
         [profile hop]\nrole_arn = arn:aws:iam::222222222222:role/hop\nsource_profile = base\n\
         [profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = BASESECRET\n",
    );
    let provider = ProfileCredentialsProvider::from_vars([
        ("AWS_CONFIG_FILE", config),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".to_owned()),
        ("AWS_REGION", "eu-west-3".to_owned()),
        ("AWS_ENDPOINT_URL_STS", sts.url()),
    ])
    .profile_name("deploy");
    let credentials = provider.provide_credentials().await.unwrap();
    let issued = sts.issued();
    assert_eq!(credentials.access_key_id(), issued[1].access_key_id);
    let requests = sts.server().requests().await;
    assert_eq!(requests.len(), 2);
    let first = form(&requests[0]);
    assert_eq!(first["RoleArn"], "arn:aws:iam::222222222222:role/hop");
    let signed = verify(&requests[0], "BASESECRET").unwrap();
    assert_eq!(
        (signed.access_key_id.as_str(), signed.region.as_str()),
        ("AKIDBASE", "eu-west-3")
    );
    let second = form(&requests[1]);
    assert_eq!(second["RoleArn"], "arn:aws:iam::111111111111:role/deploy");
    assert_eq!(second["DurationSeconds"], "900");
    let signed = verify(&requests[1], &issued[0].secret_access_key).unwrap();
    assert_eq!(signed.access_key_id, issued[0].access_key_id);
    assert_eq!(
        requests[1].header("x-amz-security-token"),
        Some(issued[0].session_token.as_str())
    );
}

#[tokio::test]
async fn assume_role_with_unknown_keys_is_sts_s_error() {
    let dir = TempDir::new("role-denied");
    let sts = StsEmulator::start().await;
    let config = dir.write(
        "config",
        "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n\
         aws_access_key_id = AKIDUNKNOWN\naws_secret_access_key = NOTTRUSTED\n",
    );
    let error = ProfileCredentialsProvider::from_vars([
        ("AWS_CONFIG_FILE", config.clone()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".to_owned()),
        ("AWS_ENDPOINT_URL_STS", sts.url()),
    ])
    .provide_credentials()
    .await
    .unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "profile `default`: role_arn arn:aws:iam::1:role/r of profile `default` ({config}, \
             line 2): STS AssumeRole at {}/",
            sts.url()
        )),
        "{text}"
    );
    assert!(text.contains("failed: InvalidClientTokenId"), "{text}");
    assert!(!text.contains("NOTTRUSTED"), "{text}");
}

#[tokio::test]
async fn credential_process_from_a_script() {
    let dir = TempDir::new("process");
    let expiration = rfc3339(SystemTime::now() + Duration::from_secs(900));
    let script = dir.write(
        "get-credentials.sh",
        &format!(
            "#!/bin/sh\n# prints credentials the way `aws configure export-credentials` does\n\
             cat <<EOF\n{{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKIDPROCESS\",\n  \
             \"SecretAccessKey\": \"PROCESSSECRET\",\n  \"SessionToken\": \"PROCESSTOKEN\",\n  \
             \"Expiration\": \"{expiration}\"\n}}\nEOF\n"
        ),
    );
    let config = dir.write(
        "config",
        &format!("[profile tool]\ncredential_process = sh {script}\n"),
    );
    let provider = ProfileCredentialsProvider::from_vars([
        ("AWS_CONFIG_FILE", config.clone()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".to_owned()),
        ("AWS_PROFILE", "tool".to_owned()),
    ]);
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDPROCESS");
    assert_eq!(credentials.session_token(), Some("PROCESSTOKEN"));
    assert_eq!(rfc3339(credentials.expiry().unwrap()), expiration);
    // A script that prints garbage: the error names the profile, file and line.
    let broken = dir.write("broken.sh", "#!/bin/sh\necho 'SECRET-LOOKING garbage'\n");
    let config = dir.write(
        "config",
        &format!("[profile tool]\ncredential_process = sh {broken}\n"),
    );
    let error = provider.provide_credentials().await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "profile `tool`: credential_process ({config}, line 2) printed 23 bytes that are \
             not JSON (expected value at line 1 column 1)"
        )
    );
}
