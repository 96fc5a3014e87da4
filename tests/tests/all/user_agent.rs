//! The user agent headers: this SDK and its version, the OS, the Rust version it
//! was built with, and the application's id.

#![forbid(unsafe_code)]

use crate::common;
use crate::retry_support::{builder, builder_from_env, meter, metered};
use integration_tests::{verify, TestServer};
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config};

#[tokio::test]
async fn the_user_agent_names_this_sdk_the_os_and_rust() {
    let server = TestServer::always(metered()).await;
    meter(&common::client(&server)).await.unwrap();
    let request = common::only_request(&server).await;
    let user_agent = request.header("user-agent").unwrap();
    let amz_user_agent = request.header("x-amz-user-agent").unwrap();
    let parts: Vec<&str> = user_agent.split(' ').collect();
    assert_eq!(parts.len(), 3, "{user_agent}");
    assert_eq!(parts[0], "marketplace-metering/0.1.0");
    assert_eq!(parts[1], format!("os/{}", std::env::consts::OS));
    let rust = parts[2].strip_prefix("lang/rust/").expect(user_agent);
    assert!(rust.starts_with("1."), "{user_agent}");
    assert_eq!(
        amz_user_agent,
        format!(
            "marketplace-metering/0.1.0 ua/2.1 {} {}",
            parts[1], parts[2]
        )
    );
    assert!(!user_agent.contains("aws-sdk-rust"));
    // x-amz-user-agent is signed; User-Agent is not (proxies rewrite it).
    let outcome = verify(&request, common::SECRET).unwrap();
    assert!(outcome
        .signed_headers
        .iter()
        .any(|h| h == "x-amz-user-agent"));
    assert!(!outcome.signed_headers.iter().any(|h| h == "user-agent"));
}

#[tokio::test]
async fn the_app_id_comes_from_the_config_or_the_environment() {
    let server = TestServer::always(metered()).await;
    let client = Client::from_conf(builder(&server).app_id("billing-agent").build());
    meter(&client).await.unwrap();
    let config = builder_from_env(&server, &[("AWS_SDK_UA_APP_ID", "from-env")])
        .await
        .build();
    assert_eq!(config.app_id(), Some("from-env"));
    meter(&Client::from_conf(config)).await.unwrap();
    let requests = server.requests().await;
    for (request, app) in requests.iter().zip(["billing-agent", "from-env"]) {
        let suffix = format!(" app/{app}");
        assert!(request.header("user-agent").unwrap().ends_with(&suffix));
        assert!(request
            .header("x-amz-user-agent")
            .unwrap()
            .ends_with(&suffix));
    }

    // A bad id is an error that names its source, before any request.
    let error = Config::from_vars([("AWS_SDK_UA_APP_ID", "two words")])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("AWS_SDK_UA_APP_ID"), "{error}");
    let client = Client::from_conf(builder(&server).app_id("x".repeat(51)).build());
    let error = meter(&client).await.unwrap_err();
    assert!(matches!(error, SdkError::Config(_)), "{error:?}");
    assert!(error.to_string().contains("app id"), "{error}");
    assert_eq!(server.request_count().await, 2);
}
