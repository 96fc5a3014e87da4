//! The bridge to the official SDK (features `aws-credential-types` and `aws-types`): a
//! program that loads `aws_config`'s defaults meters through this SDK with the official
//! chain's credentials, and the request is signed with them.
//!
//! A binary of its own: the official loader reads the process environment, which this
//! test sets.

#![forbid(unsafe_code)]

use aws_smithy_runtime_api::client::http::{
    http_client_fn, HttpConnector, HttpConnectorFuture, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use integration_tests::{sigv4, Reply, TestServer};
use marketplace_metering::{Client, Config};

/// The official loader's HTTP client (it wants one for IMDS and SSO even when they are
/// not asked): refuses every request, so nothing leaves the machine.
#[derive(Debug)]
struct NoNetwork;

impl HttpConnector for NoNetwork {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        HttpConnectorFuture::ready(Err(ConnectorError::other(
            "the test allows no network".into(),
            None,
        )))
    }
}

#[tokio::test]
async fn meters_with_the_official_default_chain() {
    // What the official default chain finds first: the environment.
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDFROMAWSCONFIG");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "secret-from-aws-config");
    std::env::set_var("AWS_SESSION_TOKEN", "token-from-aws-config");
    std::env::set_var("AWS_REGION", "eu-central-1");
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/config");
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");

    let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client_fn(|_, _| SharedHttpConnector::new(NoNetwork)))
        .load()
        .await;
    let server = TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"record-1"}"#)).await;
    let config = Config::from_sdk_config(&sdk_config)
        .endpoint_url(server.url())
        .build();
    assert_eq!(config.region(), Some("eu-central-1"));
    let out = Client::from_conf(config)
        .meter_usage()
        .product_code("prod-abc")
        .timestamp(std::time::SystemTime::now())
        .usage_dimension("users")
        .usage_quantity_as_decimal("1")
        .send()
        .await
        .expect("metered");
    assert_eq!(out.metering_record_id(), Some("record-1"));

    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.contains("Credential=AKIDFROMAWSCONFIG/")
            && authorization.contains("/eu-central-1/aws-marketplace/aws4_request"),
        "{authorization}"
    );
    assert_eq!(
        request.header("x-amz-security-token"),
        Some("token-from-aws-config")
    );
    sigv4::verify(request, "secret-from-aws-config").expect("a valid signature");
}
