//! Failures before a response: the connection (transport) and the
//! configuration (checked before any I/O).

use std::error::Error as _;

use crate::common::{self, client_for, valid_meter_usage};
use integration_tests::{refused_url, Reply, TestServer};
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::meter_usage::MeterUsageError;
use marketplace_metering::{Client, Config, Credentials, Error};

async fn meter(client: &Client) -> Result<(), SdkError<MeterUsageError>> {
    valid_meter_usage(client).send().await.map(drop)
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let url = refused_url();
    let error = meter(&client_for(&url)).await.unwrap_err();
    match &error {
        SdkError::Transport(transport) => {
            assert!(transport.is_connect(), "{transport:?}");
            assert!(!transport.is_timeout());
            assert!(transport.source().is_some(), "the cause is kept");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("MeterUsage"), "{text}");
    assert!(text.contains(&url), "{text}");
    assert_eq!(error.code(), None);
    assert_eq!(error.request_id(), None);
    let flat = Error::from(error);
    assert!(matches!(flat, Error::Transport(_)), "{flat:?}");
    assert!(flat.to_string().contains(&url));
    assert!(flat.source().is_some());
}

#[tokio::test]
async fn a_closed_connection_is_a_transport_error() {
    let server = TestServer::always(Reply::close()).await;
    let error = meter(&common::client(&server)).await.unwrap_err();
    match &error {
        SdkError::Transport(transport) => {
            assert!(!transport.is_timeout(), "{transport:?}");
            assert_eq!(transport.attempt(), Some(3));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("MeterUsage"), "{text}");
    assert!(text.contains(&server.url()), "{text}");
    assert!(text.contains("(attempt 3 of 3)"), "{text}");
    // The request did reach the server before it hung up, and a closed
    // connection is retried: three attempts by default.
    assert_eq!(server.request_count().await, 3);
}

#[tokio::test]
async fn no_region_is_a_config_error_before_any_io() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = Client::from_conf(
        Config::builder()
            .credentials(Credentials::new(
                "AKIDEXAMPLE",
                "SECRET",
                Some("TOKEN".into()),
            ))
            .endpoint_url(server.url())
            .build(),
    );
    let error = meter(&client).await.unwrap_err();
    assert!(matches!(error, SdkError::Config(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("region"), "{text}");
    assert!(server.requests().await.is_empty());
    assert!(matches!(Error::from(error), Error::Config(_)));
}

#[tokio::test]
async fn no_credentials_is_a_credentials_error_before_any_io() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(server.url())
            .build(),
    );
    let error = meter(&client).await.unwrap_err();
    match &error {
        SdkError::Credentials(error) => assert!(!error.is_retryable(), "{error:?}"),
        other => panic!("expected a credentials error, got {other:?}"),
    }
    assert!(
        error.to_string().starts_with(
            "no credentials to sign with: configuration: no credentials are configured"
        ),
        "{error}"
    );
    assert!(server.requests().await.is_empty());
}

#[tokio::test]
async fn an_endpoint_without_a_scheme_is_a_config_error_naming_it() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let bare = server.addr().to_string(); // 127.0.0.1:PORT
    for url in [bare.clone(), format!("ftp://{bare}")] {
        let error = meter(&client_for(&url)).await.unwrap_err();
        assert!(matches!(error, SdkError::Config(_)), "{url}: {error:?}");
        let text = error.to_string();
        assert!(text.contains(&url), "{url}: {text}");
    }
    assert!(server.requests().await.is_empty());
}

#[test]
fn the_config_is_readable_from_the_client() {
    let client = client_for("http://127.0.0.1:1");
    let config = client.config();
    assert_eq!(config.region(), Some("us-east-1"));
    assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:1"));
    let credentials = config.credentials().expect("credentials");
    assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE");
    assert_eq!(credentials.session_token(), Some("TOKEN"));
}
