//! Standard and adaptive retries against scripted servers: which failures are
//! retried and how often, that every attempt is the same call (one invocation
//! id, one `ClientToken`, `amz-sdk-request` counting up, each signed anew), the
//! backoff's bounds, the retry quota, and that the error of a call that gives up
//! is its last failure.
//!
//! The clients record their backoff with [`RecordingSleep`] instead of waiting.

#![forbid(unsafe_code)]

use crate::retry_support::{
    assert_attempts_of_one_call, assert_backoff_bounds, builder, builder_from_env,
    client_recording, client_with, error_reply, meter, metered, throttled, RecordingSleep,
};
use integration_tests::{Reply, TestServer, REQUEST_ID};
use marketplace_metering::config::{RetryConfig, RetryMode};
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::meter_usage::MeterUsageError;
use marketplace_metering::{Client, Config};
use std::time::Duration;

#[tokio::test]
async fn throttling_then_success_is_one_call_in_three_attempts() {
    let server = TestServer::sequence(vec![throttled(), throttled(), metered()]).await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    let output = meter(&client).await.expect("the third attempt succeeds");
    assert_eq!(output.metering_record_id(), Some("rec-1"));
    let requests = server.requests().await;
    assert_eq!(requests.len(), 3);
    assert_attempts_of_one_call(&requests, 3);
    let waits = sleep.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_backoff_bounds(&waits);

    // The next call is a new invocation with a new token.
    meter(&client).await.unwrap();
    let requests = server.requests().await;
    assert_ne!(
        requests[3].header("amz-sdk-invocation-id"),
        requests[0].header("amz-sdk-invocation-id")
    );
    assert_ne!(
        requests[3].body_json()["ClientToken"],
        requests[0].body_json()["ClientToken"]
    );
    assert_eq!(
        requests[3].header("amz-sdk-request"),
        Some("attempt=1; max=3")
    );
}

#[tokio::test]
async fn every_throttling_code_and_transient_failure_is_retried() {
    let retried = [
        error_reply(400, "Throttling", "m"),
        error_reply(400, "ThrottlingException", "m"),
        error_reply(400, "ThrottledException", "m"),
        error_reply(400, "RequestThrottledException", "m"),
        error_reply(429, "TooManyRequestsException", "m"),
        error_reply(400, "ProvisionedThroughputExceededException", "m"),
        error_reply(400, "TransactionInProgressException", "m"),
        error_reply(400, "RequestLimitExceeded", "m"),
        error_reply(509, "BandwidthLimitExceeded", "m"),
        error_reply(400, "LimitExceededException", "m"),
        error_reply(400, "RequestThrottled", "m"),
        error_reply(503, "SlowDown", "m"),
        error_reply(400, "PriorRequestNotComplete", "m"),
        error_reply(400, "EC2ThrottledException", "m"),
        error_reply(408, "RequestTimeout", "m"),
        error_reply(400, "RequestTimeoutException", "m"),
        // The body's `__type` names the code as well as the header does.
        Reply::json(400, r#"{"__type":"com.amazonaws#ThrottlingException"}"#),
        error_reply(500, "InternalServiceErrorException", "m"),
        Reply::new(500),
        Reply::new(502).body("<html>Bad Gateway</html>"),
        Reply::new(503),
        Reply::new(504),
    ];
    for reply in retried {
        let server = TestServer::sequence(vec![reply.clone(), metered()]).await;
        let sleep = RecordingSleep::default();
        let result = meter(&client_recording(&server, &sleep)).await;
        assert!(result.is_ok(), "{reply:?}: {result:?}");
        assert_eq!(server.request_count().await, 2, "{reply:?}");
        assert_eq!(sleep.waits().len(), 1, "{reply:?}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let not_retried = [
        error_reply(400, "InvalidProductCodeException", "bad product"),
        error_reply(400, "ValidationException", "bad input"),
        error_reply(400, "InvalidUsageDimensionException", "m"),
        error_reply(400, "DuplicateRequestException", "m"),
        error_reply(403, "AccessDeniedException", "no"),
        error_reply(400, "UnrecognizedClientException", "m"),
        error_reply(404, "UnknownOperationException", "m"),
        Reply::new(400),
        Reply::new(401),
        Reply::new(429),
        Reply::new(501),
        Reply::new(301).header("location", "http://127.0.0.1:1/"),
        // Throttling is told by the code, exactly.
        error_reply(400, "throttlingexception", "m"),
    ];
    for reply in not_retried {
        let server = TestServer::always(reply.clone()).await;
        let sleep = RecordingSleep::default();
        let error = meter(&client_recording(&server, &sleep)).await.unwrap_err();
        assert!(
            matches!(error, SdkError::Service(_)),
            "{reply:?}: {error:?}"
        );
        assert_eq!(server.request_count().await, 1, "{reply:?}");
        assert!(sleep.waits().is_empty(), "{reply:?}");
    }
    // Invalid input is never sent at all.
    let server = TestServer::always(metered()).await;
    let error = client_recording(&server, &RecordingSleep::default())
        .meter_usage()
        .product_code("p")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::Validation(_)), "{error:?}");
    assert_eq!(server.request_count().await, 0);
}

#[tokio::test]
async fn a_server_error_storm_ends_in_the_last_error() {
    let server = TestServer::sequence(vec![
        error_reply(500, "InternalServiceErrorException", "first"),
        error_reply(503, "ServiceUnavailable", "second"),
        error_reply(503, "SlowDown", "third and last"),
        metered(),
    ])
    .await;
    let sleep = RecordingSleep::default();
    let error = meter(&client_recording(&server, &sleep)).await.unwrap_err();
    assert_eq!(error.code(), Some("SlowDown"));
    assert_eq!(error.message(), Some("third and last"));
    assert_eq!(error.request_id(), Some(REQUEST_ID));
    let text = error.to_string();
    assert!(
        text.contains("SlowDown") && text.contains("HTTP 503"),
        "{text}"
    );
    let requests = server.requests().await;
    assert_eq!(requests.len(), 3, "max attempts is 3 by default");
    assert_attempts_of_one_call(&requests, 3);
    assert_eq!(sleep.waits().len(), 2);
}

#[tokio::test]
async fn max_attempts_is_configurable() {
    let server = TestServer::always(Reply::new(503)).await;
    let sleep = RecordingSleep::default();
    let client = client_with(
        &server,
        RetryConfig::standard().with_max_attempts(5),
        &sleep,
    );
    assert_eq!(client.config().retry_config().max_attempts(), 5);
    let error = meter(&client).await.unwrap_err();
    assert!(error.to_string().contains("HTTP 503"), "{error}");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 5);
    assert_attempts_of_one_call(&requests, 5);
    let waits = sleep.waits();
    assert_eq!(waits.len(), 4);
    assert_backoff_bounds(&waits);

    // One attempt: no retries at all.
    let server = TestServer::always(Reply::new(503)).await;
    let sleep = RecordingSleep::default();
    meter(&client_with(&server, RetryConfig::disabled(), &sleep))
        .await
        .unwrap_err();
    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    assert_attempts_of_one_call(&requests, 1);
    assert!(sleep.waits().is_empty());

    // Zero attempts is a configuration error, before any I/O.
    let server = TestServer::always(metered()).await;
    let error = meter(&client_with(
        &server,
        RetryConfig::standard().with_max_attempts(0),
        &sleep,
    ))
    .await
    .unwrap_err();
    assert!(matches!(error, SdkError::Config(_)), "{error:?}");
    assert!(error.to_string().contains("max attempts is 0"), "{error}");
    assert_eq!(server.request_count().await, 0);
}

#[tokio::test]
async fn the_environment_and_profile_set_the_retries() {
    let server = TestServer::always(Reply::new(500)).await;
    let sleep = RecordingSleep::default();
    let config = builder_from_env(
        &server,
        &[("AWS_MAX_ATTEMPTS", "4"), ("AWS_RETRY_MODE", "adaptive")],
    )
    .await
    .sleep_impl(sleep.clone())
    .build();
    assert_eq!(config.retry_config().mode(), RetryMode::Adaptive);
    meter(&Client::from_conf(config)).await.unwrap_err();
    assert_eq!(server.request_count().await, 4);
    let error = Config::from_vars([("AWS_MAX_ATTEMPTS", "many")])
        .await
        .unwrap_err();
    assert!(error.to_string().contains("AWS_MAX_ATTEMPTS"), "{error}");
}

#[tokio::test]
async fn backoff_grows_exponentially_up_to_the_cap_with_full_jitter() {
    let server = TestServer::always(Reply::new(500)).await;
    let sleep = RecordingSleep::default();
    let client = client_with(
        &server,
        RetryConfig::standard().with_max_attempts(8),
        &sleep,
    );
    // Many calls, so that the jitter spreads over its whole range.
    for _ in 0..12 {
        meter(&client).await.unwrap_err();
    }
    let waits = sleep.waits();
    assert_eq!(waits.len(), 12 * 7);
    for call in waits.chunks(7) {
        assert_backoff_bounds(call);
    }
    // Full jitter: the waits after the 6th attempt (cap 20 s) are spread out,
    // not all at the cap or all near zero.
    let capped: Vec<Duration> = waits.chunks(7).map(|call| call[6]).collect();
    assert!(
        capped.iter().any(|wait| *wait > Duration::from_secs(5)),
        "{capped:?}"
    );
    assert!(
        capped.iter().any(|wait| *wait < Duration::from_secs(15)),
        "{capped:?}"
    );

    // The base and the cap are configurable.
    let sleep = RecordingSleep::default();
    let client = client_with(
        &server,
        RetryConfig::standard()
            .with_max_attempts(6)
            .with_initial_backoff(Duration::from_millis(10))
            .with_max_backoff(Duration::from_millis(25)),
        &sleep,
    );
    meter(&client).await.unwrap_err();
    let waits = sleep.waits();
    let ceilings = [10, 20, 25, 25, 25].map(Duration::from_millis);
    assert_eq!(waits.len(), ceilings.len());
    for (wait, ceiling) in waits.iter().zip(ceilings) {
        assert!(*wait <= ceiling, "{waits:?}");
    }
}

#[tokio::test]
async fn an_exhausted_retry_quota_stops_retries_for_every_clone() {
    let failing = TestServer::always(Reply::new(500)).await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&failing, &sleep);
    // 500 tokens, 5 per retry: 50 calls of 2 retries each use them all up. The
    // quota belongs to the client, so clones draw on it too.
    for n in 0..50 {
        let clone = client.clone();
        meter(&clone).await.unwrap_err();
        assert_eq!(failing.request_count().await, (n + 1) * 3);
    }
    let error = meter(&client).await.unwrap_err();
    assert!(error.to_string().contains("HTTP 500"), "{error}");
    assert_eq!(
        failing.request_count().await,
        151,
        "with the quota empty a call makes one attempt"
    );
    assert_eq!(sleep.waits().len(), 100);

    // A first-try success adds one token: five of them pay for one retry.
    let server = TestServer::start({
        let counter = std::sync::atomic::AtomicUsize::new(0);
        move |_| {
            // 50 failing calls (150 requests), then 5 successes, then failures.
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if (150..155).contains(&n) {
                metered()
            } else {
                Reply::new(500)
            }
        }
    })
    .await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    for _ in 0..50 {
        meter(&client).await.unwrap_err();
    }
    assert_eq!(server.request_count().await, 150);
    for _ in 0..5 {
        meter(&client).await.unwrap();
    }
    // Five tokens: one retry (5), then the quota is empty again.
    meter(&client).await.unwrap_err();
    assert_eq!(server.request_count().await, 157);
    meter(&client).await.unwrap_err();
    assert_eq!(server.request_count().await, 158);
}

#[tokio::test]
async fn retries_after_connection_failures_cost_twice_as_much() {
    // 10 tokens per retry after a connection error: 25 calls use up the quota.
    let server = TestServer::always(Reply::close()).await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    for _ in 0..25 {
        meter(&client).await.unwrap_err();
    }
    assert_eq!(server.request_count().await, 75);
    let error = meter(&client).await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    assert_eq!(server.request_count().await, 76);
    assert_eq!(sleep.waits().len(), 50);
}

#[tokio::test]
async fn success_after_a_retry_refunds_the_quota() {
    let server = TestServer::start({
        let counter = std::sync::atomic::AtomicUsize::new(0);
        move |_| {
            // Odd requests fail, even ones succeed: every call retries once.
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n & 1 == 0 {
                Reply::new(503)
            } else {
                metered()
            }
        }
    })
    .await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    // Far more retries than the quota could pay for without refunds.
    for _ in 0..150 {
        meter(&client).await.unwrap();
    }
    assert_eq!(server.request_count().await, 300);
    assert_eq!(sleep.waits().len(), 150);
}

#[tokio::test]
async fn adaptive_mode_slows_down_after_throttling() {
    let server = TestServer::sequence(vec![throttled(), metered()]).await;
    let sleep = RecordingSleep::default();
    let client = client_with(&server, RetryConfig::adaptive(), &sleep);
    meter(&client).await.unwrap();
    let waits = sleep.waits();
    // The backoff, then the rate limiter's wait for a token (its bucket starts
    // empty once it is enabled, and this sleeper lets no time pass).
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert_backoff_bounds(&waits[..1]);
    assert!(waits[1] > Duration::ZERO, "{waits:?}");
    assert_attempts_of_one_call(&server.requests().await, 3);
    // From now on every call waits for the limiter, even a first attempt.
    meter(&client).await.unwrap();
    assert_eq!(sleep.waits().len(), 3);
    assert!(sleep.waits()[2] > Duration::ZERO);

    // Standard mode never waits before a first attempt.
    let server = TestServer::sequence(vec![throttled(), metered()]).await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    meter(&client).await.unwrap();
    meter(&client).await.unwrap();
    assert_eq!(sleep.waits().len(), 1);
}

#[tokio::test]
async fn the_default_is_standard_mode_with_real_backoff() {
    // Real sleeping, a real (short) backoff: the retry waits at most its cap.
    let server = TestServer::sequence(vec![Reply::new(503), metered()]).await;
    let client = Client::from_conf(
        builder(&server)
            .retry_config(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_millis(50))
                    .with_max_backoff(Duration::from_millis(50)),
            )
            .build(),
    );
    assert_eq!(client.config().retry_config().mode(), RetryMode::Standard);
    let start = std::time::Instant::now();
    meter(&client).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(server.request_count().await, 2);
    assert_eq!(
        Config::builder().build().retry_config(),
        &RetryConfig::standard()
    );
}

/// `MeterUsageError` carries the last failure's typed variant.
#[tokio::test]
async fn the_final_error_is_the_typed_last_failure() {
    let server = TestServer::sequence(vec![
        Reply::new(503),
        error_reply(400, "ThrottlingException", "slow down"),
        error_reply(400, "ThrottlingException", "still too fast"),
    ])
    .await;
    let error = meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap_err();
    match error.into_service_error() {
        Some(MeterUsageError::ThrottlingException(e)) => {
            assert_eq!(e.message(), Some("still too fast"));
        }
        other => panic!("{other:?}"),
    }
}
