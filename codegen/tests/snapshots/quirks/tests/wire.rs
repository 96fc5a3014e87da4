//! Hand-written: what the quirks crate sends and reads, through a loopback server whose
//! reference verifier checks every signature.
//!
//! - Host prefixes (`RunSync`: `sync-`; `DiscoverItems`: `{Namespace}.data-`) go before
//!   the endpoint's host, a configured one too, and are signed; `disable_host_prefix`
//!   leaves them out; a bad label is refused before anything is sent.
//! - Unsigned operations (`GetToken`, `GetLegacyToken`) need no credentials and carry no
//!   signature; `PreferSigV4`, whose `auth` lists `sigv4` before `noAuth`, is signed.
//! - The service is awsQuery-compatible: requests say `x-amzn-query-mode: true`, and an
//!   error's code is the one the `x-amzn-query-error` header names.
//!
//! The prefixed hosts are names under `quirks.test`, which a `reqwest::Client` of the
//! test's own resolves to the loopback server, so the `Host` header the server sees is
//! the prefixed one a real endpoint would see.

use fixture_quirks::error::{ProvideErrorMetadata, SdkError};
use fixture_quirks::operation::post_comment::PostCommentError;
use fixture_quirks::{Client, Config, Credentials};
use integration_tests::{verify, RecordedRequest, Reply, TestServer};

const SECRET: &str = "SECRET";
const HOST: &str = "quirks.test";

/// A builder pointed at `http://quirks.test:<port>`, resolving that host and `prefixed`
/// hosts before it to `server`; with credentials when `signed`.
fn builder(
    server: &TestServer,
    prefixed: &[&str],
    signed: bool,
) -> fixture_quirks::config::ConfigBuilder {
    let mut http = fixture_quirks::config::transport::reqwest_client_builder();
    for host in
        std::iter::once(HOST.to_owned()).chain(prefixed.iter().map(|p| format!("{p}{HOST}")))
    {
        http = http.resolve(&host, server.addr());
    }
    let builder = Config::builder()
        .region("us-east-1")
        .endpoint_url(format!("http://{HOST}:{}", server.addr().port()))
        .reqwest_client(http.build().unwrap());
    if signed {
        builder.credentials(Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            Some("TOKEN".into()),
        ))
    } else {
        builder
    }
}

async fn only_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests().await;
    assert_eq!(requests.len(), 1, "one request");
    requests.remove(0)
}

fn header<'a>(request: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    request.header(name)
}

#[tokio::test]
async fn host_prefixes_go_before_the_endpoints_host_and_are_signed() {
    let port = |server: &TestServer| server.addr().port();
    // Without a label: `sync-`.
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = Client::from_conf(builder(&server, &["sync-"], true).build());
    client.run_sync().name("n").send().await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "host"),
        Some(format!("sync-{HOST}:{}", port(&server)).as_str())
    );
    let signed = verify(&request, SECRET).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        signed.signed_headers.iter().any(|h| h == "host"),
        "{signed:?}"
    );
    // With a label from the input, in the case the model gives it but sent (and signed)
    // in lower case, as HTTP clients send host names.
    let server = TestServer::always(Reply::json(200, r#"{"Id":"1"}"#)).await;
    let client = Client::from_conf(builder(&server, &["my-ns.data-"], true).build());
    let out = client
        .discover_items()
        .namespace("My-NS")
        .query("q")
        .send()
        .await
        .unwrap();
    assert_eq!(out.id(), Some("1"));
    let request = only_request(&server).await;
    assert_eq!(
        header(&request, "host"),
        Some(format!("my-ns.data-{HOST}:{}", port(&server)).as_str())
    );
    verify(&request, SECRET).unwrap_or_else(|error| panic!("{error}"));
    // The label travels in the body too, as botocore serializes it.
    assert_eq!(request.body_json()["Namespace"], "My-NS");
}

#[tokio::test]
async fn a_disabled_host_prefix_sends_to_the_endpoints_own_host() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = Client::from_conf(
        builder(&server, &[], true)
            .disable_host_prefix(true)
            .build(),
    );
    assert!(client.config().disable_host_prefix());
    client
        .discover_items()
        .namespace("ns")
        .send()
        .await
        .unwrap();
    client.run_sync().send().await.unwrap();
    for request in server.requests().await {
        assert_eq!(
            header(&request, "host"),
            Some(format!("{HOST}:{}", server.addr().port()).as_str())
        );
        verify(&request, SECRET).unwrap_or_else(|error| panic!("{error}"));
    }
}

#[tokio::test]
async fn bad_labels_and_ip_endpoints_are_refused_before_sending() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = Client::from_conf(builder(&server, &[], true).build());
    for namespace in ["a/b", "", "a b", "ns:1"] {
        match client.discover_items().namespace(namespace).send().await {
            Err(SdkError::Validation(error)) => {
                assert_eq!(error.path(), "Namespace", "{error}");
                assert!(error.to_string().contains("host name"), "{error}");
            }
            other => panic!("{namespace:?}: {other:?}"),
        }
    }
    // Required by the model, so the model's check names it first.
    match client.discover_items().send().await {
        Err(SdkError::Validation(error)) => assert_eq!(error.path(), "Namespace"),
        other => panic!("{other:?}"),
    }
    // Checked even when the prefix is not sent, as botocore does.
    let disabled = Client::from_conf(
        builder(&server, &[], true)
            .disable_host_prefix(true)
            .build(),
    );
    assert!(matches!(
        disabled.discover_items().namespace("a/b").send().await,
        Err(SdkError::Validation(_))
    ));
    // An IP address cannot take a prefix: the error says how to send without it.
    let on_ip = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKIDEXAMPLE", SECRET, None))
            .endpoint_url(server.url())
            .build(),
    );
    match on_ip.run_sync().send().await {
        Err(SdkError::Config(error)) => {
            assert!(
                error.to_string().contains("disable_host_prefix(true)"),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count().await, 0);
}

#[tokio::test]
async fn unsigned_operations_need_no_credentials_and_carry_no_signature() {
    let server = TestServer::always(Reply::json(200, r#"{"Id":"t"}"#)).await;
    let client = Client::from_conf(builder(&server, &[], false).build());
    assert_eq!(
        client.get_token().name("n").send().await.unwrap().id(),
        Some("t")
    );
    client.get_legacy_token().send().await.unwrap();
    for request in server.requests().await {
        for unsent in ["authorization", "x-amz-date", "x-amz-security-token"] {
            assert_eq!(header(&request, unsent), None, "{unsent}");
        }
        assert_eq!(
            header(&request, "x-amz-target").map(|t| t.starts_with("QuirksService.")),
            Some(true)
        );
    }
    // `PreferSigV4` lists `sigv4` before `noAuth`: signed, so without credentials it fails
    // before sending, saying so.
    match client.prefer_sig_v4().send().await {
        Err(SdkError::Credentials(error)) => {
            assert!(error.to_string().contains("no credentials"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count().await, 2);
    let signed = Client::from_conf(builder(&server, &[], true).build());
    signed.prefer_sig_v4().send().await.unwrap();
    // An unsigned operation stays unsigned when credentials are configured.
    signed.get_token().send().await.unwrap();
    let requests = server.requests().await;
    verify(&requests[2], SECRET).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(header(&requests[3], "authorization"), None);
}

#[tokio::test]
async fn query_compatible_errors_carry_the_query_code() {
    let error_reply = |query_error: Option<&str>, code: &str| {
        let reply = Reply::json(
            400,
            &format!(r#"{{"__type":"com.amazonaws.quirks#{code}","message":"m"}}"#),
        );
        match query_error {
            Some(value) => reply.header("x-amzn-query-error", value),
            None => reply,
        }
    };
    let server = TestServer::sequence(vec![
        // The exception's `error.code`, as cloudwatch's.
        error_reply(
            Some("AWS.Quirks.PathRequired;Sender"),
            "PathRequiredException",
        ),
        // An exception without `error.code`, as SQS's: chosen by `__type`.
        error_reply(
            Some("AWS.Quirks.InvalidPath;Sender"),
            "InvalidPathException",
        ),
        // A header botocore does not read: the `__type` code stands.
        error_reply(Some("NoType"), "InvalidPathException"),
        error_reply(None, "PathRequiredException"),
    ])
    .await;
    let client = Client::from_conf(builder(&server, &[], true).build());
    let mut seen = Vec::new();
    for _ in 0..4 {
        let error = client.post_comment().path("p").send().await.unwrap_err();
        let SdkError::Service(error) = error else {
            panic!("{error:?}")
        };
        let variant = match &error {
            PostCommentError::PathRequiredException(_) => "PathRequiredException",
            PostCommentError::InvalidPathException(_) => "InvalidPathException",
            _ => "other",
        };
        seen.push((
            variant,
            error.code().map(str::to_owned),
            error.meta().query_error_type().map(str::to_owned),
        ));
        // `Display` shows the code botocore's `ClientError` shows.
        assert!(
            error.to_string().starts_with(error.code().unwrap()),
            "{error}"
        );
    }
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        seen,
        [
            (
                "PathRequiredException",
                some("AWS.Quirks.PathRequired"),
                some("Sender")
            ),
            (
                "InvalidPathException",
                some("AWS.Quirks.InvalidPath"),
                some("Sender")
            ),
            ("InvalidPathException", some("InvalidPathException"), None),
            ("PathRequiredException", some("PathRequiredException"), None),
        ]
    );
    for request in server.requests().await {
        assert_eq!(header(&request, "x-amzn-query-mode"), Some("true"));
        verify(&request, SECRET).unwrap_or_else(|error| panic!("{error}"));
    }
    // The service-wide error says the same.
    let server = TestServer::always(error_reply(
        Some("AWS.Quirks.PathRequired;Sender"),
        "PathRequiredException",
    ))
    .await;
    let client = Client::from_conf(builder(&server, &[], true).build());
    let error: fixture_quirks::Error = client
        .post_comment()
        .path("p")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(matches!(
        error,
        fixture_quirks::Error::PathRequiredException(_)
    ));
    assert_eq!(error.code(), Some("AWS.Quirks.PathRequired"));
}
