//! Setup shared by the retry, fault and hostile-response tests: a sleeper that
//! records the backoff instead of waiting, clients with a chosen retry
//! configuration, scripted error replies, and checks that the attempts of one
//! call are the same call.
//!
//! Only the public API of `marketplace_metering` is used.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{is_uuid_v4, ACCESS_KEY_ID, REGION, SECRET, TOKEN};
use integration_tests::{verify, RecordedRequest, Reply, TestServer};
use marketplace_metering::config::{ConfigBuilder, RetryConfig, Sleep, SleepFuture};
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::meter_usage::{MeterUsageError, MeterUsageOutput};
use marketplace_metering::{Client, Config, Credentials, DateTime};

/// A [`Sleep`] that records how long it was asked to wait and returns at once,
/// so backoff can be checked without waiting for it.
#[derive(Clone, Debug, Default)]
pub struct RecordingSleep {
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl RecordingSleep {
    /// Every wait asked for so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl Sleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.waits.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// The standard test configuration for `server`, to add to.
pub fn builder(server: &TestServer) -> ConfigBuilder {
    builder_for(&server.url())
}

/// The standard test configuration for the endpoint `url`, to add to.
pub fn builder_for(url: &str) -> ConfigBuilder {
    Config::builder()
        .region(REGION)
        .credentials(Credentials::new(ACCESS_KEY_ID, SECRET, Some(TOKEN.into())))
        .endpoint_url(url)
}

/// The configuration from an environment with `settings` and the standard test
/// region, keys and endpoint (`server`), to add to.
pub async fn builder_from_env(server: &TestServer, settings: &[(&str, &str)]) -> ConfigBuilder {
    let url = server.url();
    let standard = [
        ("AWS_REGION", REGION),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ];
    Config::from_vars(settings.iter().copied().chain(standard))
        .await
        .unwrap()
}

/// A client for `server` with `retries`, recording its waits in `sleep`.
pub fn client_with(server: &TestServer, retries: RetryConfig, sleep: &RecordingSleep) -> Client {
    Client::from_conf(
        builder(server)
            .retry_config(retries)
            .sleep_impl(sleep.clone())
            .build(),
    )
}

/// A client for `server` with the default retries, recording its waits.
pub fn client_recording(server: &TestServer, sleep: &RecordingSleep) -> Client {
    Client::from_conf(builder(server).sleep_impl(sleep.clone()).build())
}

/// One valid `MeterUsage` call; the SDK fills its `ClientToken`.
pub async fn meter(client: &Client) -> Result<MeterUsageOutput, SdkError<MeterUsageError>> {
    client
        .meter_usage()
        .product_code("prod-1")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .usage_quantity_as_decimal("2")
        .send()
        .await
}

/// The success body of `MeterUsage`.
pub const METERED: &str = r#"{"MeteringRecordId":"rec-1"}"#;

/// A successful `MeterUsage` reply.
pub fn metered() -> Reply {
    Reply::json(200, METERED)
}

/// An error reply with the code in `X-Amzn-Errortype` and `message` in the body.
pub fn error_reply(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &serde_json::json!({ "message": message }).to_string(),
    )
    .header("X-Amzn-Errortype", code)
}

/// A `ThrottlingException`, as the service sends it.
pub fn throttled() -> Reply {
    error_reply(400, "ThrottlingException", "Rate exceeded")
}

/// Checks that `requests` are the attempts of one call: the same invocation id (a
/// UUID v4) and the same `ClientToken` on every one, `amz-sdk-request` counting
/// `attempt=1..n` with `max=max_attempts`, and each signed anew with a signature
/// that verifies. Returns the `ClientToken`.
pub fn assert_attempts_of_one_call(requests: &[RecordedRequest], max_attempts: u32) -> String {
    assert!(!requests.is_empty(), "no requests");
    let first = &requests[0];
    let invocation_id = first
        .header("amz-sdk-invocation-id")
        .expect("amz-sdk-invocation-id");
    assert!(is_uuid_v4(invocation_id), "{invocation_id}");
    let token = first.body_json()["ClientToken"]
        .as_str()
        .expect("a ClientToken")
        .to_owned();
    assert!(is_uuid_v4(&token), "{token}");
    for (n, request) in requests.iter().enumerate() {
        let attempt = n + 1;
        assert_eq!(
            request.header_all("amz-sdk-invocation-id"),
            [invocation_id],
            "invocation id of attempt {attempt}"
        );
        assert_eq!(
            request.header_all("amz-sdk-request"),
            [format!("attempt={attempt}; max={max_attempts}")],
            "amz-sdk-request of attempt {attempt}"
        );
        assert_eq!(
            request.body_json()["ClientToken"].as_str(),
            Some(token.as_str()),
            "ClientToken of attempt {attempt}"
        );
        assert_eq!(request.body, first.body, "body of attempt {attempt}");
        let outcome = verify(request, SECRET).unwrap_or_else(|e| panic!("attempt {attempt}: {e}"));
        for signed in ["amz-sdk-invocation-id", "amz-sdk-request", "x-amz-date"] {
            assert!(
                outcome.signed_headers.iter().any(|h| h == signed),
                "{signed} is not signed on attempt {attempt}"
            );
        }
    }
    token
}

/// Asserts that the waits of one call are within full jitter's bounds with the
/// default backoff: the wait after failed attempt `n` (from 1) is at most
/// `min(1 s * 2^(n-1), 20 s)`.
pub fn assert_backoff_bounds(waits: &[Duration]) {
    for (n, wait) in waits.iter().enumerate() {
        let ceiling = Duration::from_secs(1u64 << n.min(10)).min(Duration::from_secs(20));
        assert!(
            *wait <= ceiling,
            "wait {n}: {wait:?} is over {ceiling:?}; all: {waits:?}"
        );
    }
}
