//! HTTPS: the client speaks TLS through rustls with the ring provider and offers
//! HTTP/1.1 by ALPN; it refuses a server whose certificate no bundled root vouches
//! for, with an error that says so; and with a CA bundle configured it trusts
//! that bundle's authorities, end to end.
//!
//! The server is a rustls server on 127.0.0.1 whose certificate for that address
//! is issued by a test-only CA (`tests/data/test-ca.pem`; the server's
//! certificate and key are `tests/data/test-server-*.der`), which no bundled root
//! knows.

use std::path::PathBuf;

use crate::common;
use crate::tls_server::{https_server, test_ca};
use integration_tests::verify;
use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, Credentials};

fn config(url: &str) -> marketplace_metering::config::ConfigBuilder {
    Config::builder()
        .region(common::REGION)
        .credentials(Credentials::new(
            common::ACCESS_KEY_ID,
            common::SECRET,
            None,
        ))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_after_an_http1_tls_hello() {
    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url).build());
    let error = common::valid_meter_usage(&client).send().await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("certificate"), "names the cause: {text}");

    let seen = server.await.unwrap();
    assert_eq!(seen.alpn, [b"http/1.1".to_vec()], "{seen:?}");
    assert!(seen.request.is_none(), "the handshake did not complete");
}

#[tokio::test]
async fn a_ca_bundle_is_trusted_instead_of_the_bundled_roots() {
    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url).ca_bundle(test_ca()).build());
    let output = client
        .resolve_customer()
        .registration_token("token")
        .send()
        .await
        .unwrap();
    assert_eq!(output.customer_identifier(), None);

    let seen = server.await.unwrap();
    let request = seen
        .request
        .expect("a request over the verified connection");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/")
    );
    assert_eq!(request.header("host"), Some(&url["https://".len()..]));
    verify(&request, common::SECRET).unwrap();
}

#[tokio::test]
async fn an_unusable_ca_bundle_is_a_config_error_naming_it() {
    let dir = common::TempDir::new("ca-bundle");
    let not_pem = dir.write("not-pem.txt", "this is not a certificate\n");
    let missing = dir.path().join("missing.pem");
    for (path, problem) in [
        (PathBuf::from(&not_pem), "has no certificates"),
        (missing.clone(), "cannot be read"),
    ] {
        // Nothing listens there: the error comes before any connection.
        let client = Client::from_conf(config("https://127.0.0.1:9").ca_bundle(&path).build());
        let error = common::valid_meter_usage(&client).send().await.unwrap_err();
        assert!(matches!(error, SdkError::Config(_)), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("Config::builder().ca_bundle(..)"), "{text}");
        assert!(text.contains(problem), "{text}");
    }
}
