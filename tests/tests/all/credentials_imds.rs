//! EC2 instance metadata (IMDSv2) against an emulator on loopback: session
//! tokens and their TTLs, the role and its credentials, the region, faults and
//! hostile answers.

use std::time::{Duration, Instant, SystemTime};

use crate::common::ManualClock;
use integration_tests::emulators::{rfc3339, ImdsEmulator};
use integration_tests::{Reply, TestServer};
use marketplace_metering::config::credentials::{
    CredentialsErrorKind, ImdsClient, ImdsCredentialsProvider, ProvideCredentials,
};

fn provider(url: &str) -> ImdsCredentialsProvider {
    ImdsCredentialsProvider::new(ImdsClient::builder().endpoint(url).build())
}

#[tokio::test]
async fn credentials_through_one_session_token() {
    let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
    let provider = provider(&imds.url());
    let first = provider.provide_credentials().await.unwrap();
    let issued = &imds.issued()[0];
    assert_eq!(first.access_key_id(), issued.access_key_id);
    assert_eq!(first.secret_access_key(), issued.secret_access_key);
    assert_eq!(first.session_token(), Some(issued.session_token.as_str()));
    assert_eq!(
        rfc3339(first.expiry().expect("IMDS credentials expire")),
        issued.expiration
    );
    let second = provider.provide_credentials().await.unwrap();
    assert_eq!(second.access_key_id(), imds.issued()[1].access_key_id);

    let requests = imds.server().requests().await;
    let puts: Vec<_> = requests.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "the session token is reused");
    assert_eq!(
        puts[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    for get in requests.iter().filter(|r| r.method == "GET") {
        assert_eq!(
            get.header("x-aws-ec2-metadata-token"),
            Some("imds-session-token-1")
        );
    }
    // Debug shows the endpoint, never a token.
    let text = format!("{provider:?}");
    assert!(
        text.contains(&imds.url()) && !text.contains("imds-session-token"),
        "{text}"
    );
}

#[tokio::test]
async fn the_emulator_refuses_imdsv1() {
    let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
    let status = reqwest_free_get(&imds.url(), "/latest/meta-data/iam/security-credentials/").await;
    assert_eq!(status, 401);
}

/// A tokenless GET, written by hand (no HTTP client needed).
async fn reqwest_free_get(url: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer[9..12].parse().unwrap()
}

#[tokio::test]
async fn the_token_is_renewed_shortly_before_its_ttl_ends() {
    let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
    let clock = ManualClock::new();
    let client = ImdsClient::builder()
        .endpoint(imds.url())
        .token_ttl(Duration::from_secs(100))
        .time_source(clock.clone())
        .build();
    client.region().await.unwrap();
    // A quarter of the TTL (at most a minute) before it ends, a new one is fetched.
    clock.advance(Duration::from_secs(74));
    client.region().await.unwrap();
    assert_eq!(imds.token_ttls(), [100]);
    clock.advance(Duration::from_secs(2));
    client.region().await.unwrap();
    assert_eq!(imds.token_ttls(), [100, 100]);
}

#[tokio::test]
async fn a_token_imds_no_longer_accepts_is_replaced() {
    let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
    let client = ImdsClient::builder().endpoint(imds.url()).build();
    assert_eq!(client.region().await.unwrap(), "us-east-1");
    imds.expire_tokens();
    assert_eq!(client.region().await.unwrap(), "us-east-1");
    let statuses: Vec<(String, Option<String>)> = imds
        .server()
        .requests()
        .await
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.header("x-aws-ec2-metadata-token").map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("PUT".to_owned(), None),
            ("GET".to_owned(), Some("imds-session-token-1".to_owned())),
            ("GET".to_owned(), Some("imds-session-token-1".to_owned())), // 401
            ("PUT".to_owned(), None),
            ("GET".to_owned(), Some("imds-session-token-2".to_owned())),
        ]
    );
}

#[tokio::test]
async fn the_region_comes_from_placement() {
    let imds = ImdsEmulator::start(None, "eu-north-1").await;
    let client = ImdsClient::builder().endpoint(imds.url()).build();
    assert_eq!(client.region().await.unwrap(), "eu-north-1");
    let odd = ImdsEmulator::start(None, "<html>not a region</html>").await;
    let client = ImdsClient::builder().endpoint(odd.url()).build();
    let error = client.region().await.unwrap_err();
    assert!(
        error.to_string().contains("is not a region name"),
        "{error}"
    );
}

#[tokio::test]
async fn no_instance_role_is_not_loaded() {
    let imds = ImdsEmulator::start(None, "us-east-1").await;
    let error = provider(&imds.url())
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
    assert_eq!(
        error.to_string(),
        "EC2 instance metadata (IMDSv2): no IAM role is attached to this instance (no instance profile)"
    );
}

#[tokio::test]
async fn hostile_credentials_answers_are_clear_errors() {
    let good = r#"{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIAX","SecretAccessKey":"HOSTILESECRET","Token":"HOSTILETOKEN","Expiration":"2030-01-01T00:00:00Z"}"#;
    let expired = good.replace(
        "2030-01-01T00:00:00Z",
        &rfc3339(SystemTime::now() - Duration::from_secs(60)),
    );
    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(200 * 1024));
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::new(200)
                .header("content-type", "text/plain")
                .body(&good[..good.len() / 2]),
            "is not JSON",
        ),
        (
            Reply::new(200)
                .header("content-type", "text/html")
                .body("<html><body>Welcome to nginx</body></html>"),
            "the answer (content type `text/html`, 42 bytes) is not JSON",
        ),
        (Reply::new(200).body(huge), "larger than 64 KiB"),
        (
            Reply::new(200).body(good.replace("Success", "AssumeRoleUnauthorizedAccess")),
            "`Code` is `AssumeRoleUnauthorizedAccess`, not `Success`",
        ),
        (
            Reply::new(200).body(expired),
            "the credentials it returned expired at",
        ),
        (
            Reply::new(200).body(good.replace("\"Expiration\"", "\"Expires\"")),
            "the answer has no `Expiration`",
        ),
        (Reply::new(200).body(""), "is not JSON"),
        (
            Reply::new(500),
            "answered HTTP 500 for the credentials of role role-a",
        ),
    ];
    for (reply, expected) in cases {
        let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
        imds.set_credentials_reply(reply);
        let error = provider(&imds.url())
            .provide_credentials()
            .await
            .unwrap_err();
        let text = error.to_string();
        // A server error may pass; every malformed answer is final.
        let kind = if expected.contains("HTTP 500") {
            CredentialsErrorKind::TransientFailure
        } else {
            CredentialsErrorKind::ProviderError
        };
        assert_eq!(error.kind(), kind, "{text}");
        assert!(
            text.starts_with("EC2 instance metadata (IMDSv2): "),
            "{text}"
        );
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        for secret in ["HOSTILESECRET", "HOSTILETOKEN", "imds-session-token"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[tokio::test]
async fn token_refusals_say_why() {
    for (reply, expected) in [
        (Reply::new(403), "is turned off for this instance"),
        (
            Reply::new(404),
            "does not support IMDSv2 session tokens (IMDSv1 is never used)",
        ),
        (
            Reply::new(200).body("two\nlines"),
            "not a single line of ASCII",
        ),
    ] {
        let imds = ImdsEmulator::start(Some("role-a"), "us-east-1").await;
        imds.set_token_reply(reply);
        let error = provider(&imds.url())
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
        // No GET was ever tried without a token.
        let gets = imds
            .server()
            .requests()
            .await
            .iter()
            .filter(|r| r.method == "GET")
            .count();
        assert_eq!(gets, 0);
    }
}

#[tokio::test]
async fn a_silent_imds_fails_fast_with_the_configured_attempts() {
    let silent = TestServer::always(Reply::hang()).await;
    let client = ImdsClient::builder()
        .endpoint(silent.url())
        .connect_timeout(Duration::from_millis(200))
        .read_timeout(Duration::from_millis(200))
        .attempts(3)
        .build();
    let started = Instant::now();
    let error = ImdsCredentialsProvider::new(client)
        .provide_credentials()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded, "{error}");
    assert!(
        error.message().contains("(3 attempts): timed out"),
        "{error}"
    );
    assert_eq!(silent.request_count().await, 3);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    // The defaults from variables: one attempt.
    let client = ImdsClient::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", silent.url()),
        ("AWS_METADATA_SERVICE_TIMEOUT", "0.2".to_owned()),
        ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1".to_owned()),
    ]);
    let started = Instant::now();
    assert!(client.region().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(silent.request_count().await, 4);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let imds = TestServer::sequence(vec![
        Reply::new(503),
        Reply::new(200).body("token-after-retry"),
        Reply::new(200).body("sa-east-1"),
    ])
    .await;
    let client = ImdsClient::builder().endpoint(imds.url()).build();
    assert_eq!(client.region().await.unwrap(), "sa-east-1");
    let requests = imds.requests().await;
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[2].header("x-aws-ec2-metadata-token"),
        Some("token-after-retry")
    );
}
