//! Faults on the wire: connections reset or closed mid-response, slow headers, a
//! stalled body, an endpoint that never answers, a skewed service clock, 200s
//! with garbage, an oversized body. Every call ends in success or in a clear
//! error within its configured time bounds, and a retried call is one call.

#![forbid(unsafe_code)]

use std::error::Error as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common;
use crate::retry_support::{
    assert_attempts_of_one_call, builder, builder_for, client_recording, client_with, error_reply,
    meter, metered, RecordingSleep, METERED,
};
use integration_tests::{emulators, verify, Fault, Reply, TestServer};
use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::SdkError;
use marketplace_metering::Client;

/// Generous bound for "ended promptly" on a loaded 2-core machine.
const PROMPTLY: Duration = Duration::from_secs(5);

fn short_timeouts(server: &TestServer, attempt: Duration, sleep: &RecordingSleep) -> Client {
    Client::from_conf(
        builder(server)
            .attempt_timeout(attempt)
            .sleep_impl(sleep.clone())
            .build(),
    )
}

#[tokio::test]
async fn a_connection_reset_mid_response_is_retried() {
    let half_sent = Reply::json(200, METERED).with_fault(Fault::ResetMidBody);
    let server = TestServer::sequence(vec![half_sent, metered()]).await;
    let sleep = RecordingSleep::default();
    let output = meter(&client_recording(&server, &sleep)).await.unwrap();
    assert_eq!(output.metering_record_id(), Some("rec-1"));
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    assert_attempts_of_one_call(&requests, 3);
    assert_eq!(sleep.waits().len(), 1);
}

#[tokio::test]
async fn resets_and_closes_before_a_response_are_retried_then_reported() {
    for fault in [Reply::close(), Reply::new(200).with_fault(Fault::Reset)] {
        let server = TestServer::always(fault.clone()).await;
        let sleep = RecordingSleep::default();
        let error = meter(&client_recording(&server, &sleep)).await.unwrap_err();
        let SdkError::Transport(transport) = &error else {
            panic!("{fault:?}: {error:?}");
        };
        assert!(!transport.is_timeout(), "{transport}");
        assert_eq!(transport.attempt(), Some(3));
        assert!(transport.source().is_some());
        let text = error.to_string();
        assert!(
            text.contains("MeterUsage") && text.contains("(attempt 3 of 3)"),
            "{text}"
        );
        let requests = server.requests().await;
        assert_eq!(requests.len(), 3, "{fault:?}");
        assert_attempts_of_one_call(&requests, 3);
    }
}

#[tokio::test]
async fn a_truncated_body_is_retried() {
    // The head promises more than the body holds and the connection closes.
    let truncated = Reply::json(200, r#"{"MeteringRecordId""#).header("Content-Length", "100");
    let server = TestServer::sequence(vec![truncated, metered()]).await;
    let output = meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap();
    assert_eq!(output.metering_record_id(), Some("rec-1"));
    assert_eq!(server.request_count().await, 2);
}

#[tokio::test]
async fn slow_headers_time_out_and_the_retry_succeeds() {
    let slow = metered().delayed(Duration::from_secs(10));
    let server = TestServer::sequence(vec![slow, metered()]).await;
    let sleep = RecordingSleep::default();
    let client = short_timeouts(&server, Duration::from_millis(500), &sleep);
    let start = Instant::now();
    let output = meter(&client).await.unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(output.metering_record_id(), Some("rec-1"));
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    assert_attempts_of_one_call(&requests, 3);
    // The retry went out on a new connection: the slow one was abandoned.
    let connections = server.connection_ids().await;
    assert_ne!(connections[0], connections[1]);
}

#[tokio::test]
async fn a_stalled_body_is_a_timeout_not_a_hang() {
    let stalled = Reply::json(200, METERED).with_fault(Fault::StallBody);
    let server = TestServer::always(stalled).await;
    let sleep = RecordingSleep::default();
    let client = short_timeouts(&server, Duration::from_millis(200), &sleep);
    let start = Instant::now();
    let error = meter(&client).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < PROMPTLY, "{elapsed:?}");
    let SdkError::Transport(transport) = &error else {
        panic!("{error:?}");
    };
    assert!(transport.is_timeout(), "{transport}");
    assert!(!transport.is_operation_timeout());
    let text = error.to_string();
    assert!(
        text.contains("timed out") && text.contains("200ms") && text.contains("attempt 3 of 3"),
        "{text}"
    );
    // Timeouts are retried like other connection failures.
    let requests = server.requests().await;
    assert_eq!(requests.len(), 3);
    assert_attempts_of_one_call(&requests, 3);
}

#[tokio::test]
async fn an_endpoint_that_never_answers_times_out() {
    // A listening socket that never accepts: the kernel completes the handshake,
    // the request is sent, and nothing ever comes back.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", blackhole.local_addr().unwrap());
    let sleep = RecordingSleep::default();
    let client = Client::from_conf(
        builder_for(&url)
            .attempt_timeout(Duration::from_millis(200))
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .sleep_impl(sleep.clone())
            .build(),
    );
    let start = Instant::now();
    let error = meter(&client).await.unwrap_err();
    assert!(start.elapsed() < PROMPTLY, "{:?}", start.elapsed());
    match &error {
        SdkError::Transport(transport) => assert!(transport.is_timeout(), "{transport}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(sleep.waits().len(), 1);
}

#[tokio::test]
async fn the_operation_timeout_bounds_the_whole_call() {
    let server = TestServer::always(Reply::hang()).await;
    let client = Client::from_conf(
        builder(&server)
            .operation_timeout(Duration::from_millis(300))
            .build(),
    );
    assert_eq!(
        client.config().operation_timeout(),
        Duration::from_millis(300)
    );
    let start = Instant::now();
    let error = meter(&client).await.unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < PROMPTLY, "{elapsed:?}");
    let SdkError::Transport(transport) = &error else {
        panic!("{error:?}");
    };
    assert!(transport.is_timeout() && transport.is_operation_timeout());
    assert!(
        error
            .to_string()
            .contains("the operation did not complete within its timeout of 300ms"),
        "{error}"
    );
    assert_eq!(server.request_count().await, 1);

    // Running out of time after a failure names that failure too.
    let server = TestServer::sequence(vec![
        error_reply(503, "ServiceUnavailable", "busy"),
        Reply::hang(),
    ])
    .await;
    let client = Client::from_conf(
        builder(&server)
            .operation_timeout(Duration::from_secs(1))
            .retry_config(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(1)),
            )
            .build(),
    );
    let error = meter(&client).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("timed out") && text.contains("before that: HTTP 503"),
        "{text}"
    );
    assert_eq!(server.request_count().await, 2);
}

#[tokio::test]
async fn a_retry_that_cannot_start_in_time_returns_the_last_error() {
    // A backoff longer than what is left of the operation: no pointless wait.
    let server = TestServer::always(error_reply(503, "ServiceUnavailable", "busy")).await;
    let sleep = RecordingSleep::default();
    let client = Client::from_conf(
        builder(&server)
            .operation_timeout(Duration::from_secs(2))
            .retry_config(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_secs(3600))
                    .with_max_backoff(Duration::from_secs(3600)),
            )
            .sleep_impl(sleep.clone())
            .build(),
    );
    let start = Instant::now();
    let error = meter(&client).await.unwrap_err();
    assert!(start.elapsed() < PROMPTLY);
    assert_eq!(error.code(), Some("ServiceUnavailable"));
    assert!(!error.to_string().contains("timed out"), "{error}");
    // The jitter is random: the retry is skipped unless it drew a wait that fits
    // in the 2 s left (about 1 in 2,000).
    match (server.request_count().await, sleep.waits().as_slice()) {
        (1, []) => {}
        (2, [wait]) => assert!(*wait < Duration::from_secs(2), "{wait:?}"),
        other => panic!("{other:?}"),
    }
}

/// An HTTP date `offset` seconds away from now.
fn http_date(offset: i64) -> String {
    emulators::http_date(UNIX_EPOCH + Duration::from_secs((now_secs() + offset) as u64))
}

/// The `x-amz-date` of a request as seconds since the epoch.
fn amz_date_secs(request: &integration_tests::RecordedRequest) -> i64 {
    let date = verify(request, common::SECRET).unwrap().amz_date;
    let field = |range: std::ops::Range<usize>| date[range].parse::<i64>().unwrap();
    let (y, m, d) = (field(0..4), field(4..6), field(6..8));
    let (hh, mm, ss) = (field(9..11), field(11..13), field(13..15));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + hh * 3600 + mm * 60 + ss
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn clock_skew_is_learned_from_the_date_header_and_retried_once() {
    const HOUR: i64 = 3600;
    let skewed = error_reply(
        403,
        "InvalidSignatureException",
        "Signature expired: 20240101T000000Z is now earlier than 20240101T010000Z",
    )
    .header("Date", http_date(HOUR));
    let server = TestServer::sequence(vec![skewed, metered()]).await;
    let sleep = RecordingSleep::default();
    let client = client_recording(&server, &sleep);
    meter(&client).await.expect("the corrected retry succeeds");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    assert_attempts_of_one_call(&requests, 3);
    assert!((amz_date_secs(&requests[0]) - now_secs()).abs() < 60);
    // The retry is signed with the service's time, at once.
    assert!((amz_date_secs(&requests[1]) - (now_secs() + HOUR)).abs() < 60);
    assert!(sleep.waits().is_empty(), "{:?}", sleep.waits());
    // And so is every later call of the client.
    meter(&client).await.unwrap();
    let later = &server.requests().await[2];
    assert!((amz_date_secs(later) - (now_secs() + HOUR)).abs() < 60);

    // Every skew code, a service clock behind as well as ahead.
    for code in [
        "RequestTimeTooSkewed",
        "RequestExpired",
        "RequestInTheFuture",
        "SignatureDoesNotMatch",
    ] {
        let skewed = error_reply(400, code, "m").header("Date", http_date(-2 * HOUR));
        let server = TestServer::sequence(vec![skewed, metered()]).await;
        meter(&client_recording(&server, &RecordingSleep::default()))
            .await
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        let requests = server.requests().await;
        assert_eq!(requests.len(), 2, "{code}");
        assert!((amz_date_secs(&requests[1]) - (now_secs() - 2 * HOUR)).abs() < 60);
    }
}

#[tokio::test]
async fn clock_skew_is_corrected_only_once_and_only_when_real() {
    // The service keeps refusing: one corrected retry, then its error.
    let skewed =
        error_reply(400, "RequestTimeTooSkewed", "too skewed").header("Date", http_date(7200));
    let server = TestServer::always(skewed).await;
    let error = meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(server.request_count().await, 2);

    // A skew error whose Date agrees with the local clock is something else:
    // a wrong secret is not fixed by retrying.
    for reply in [
        error_reply(403, "SignatureDoesNotMatch", "wrong secret").header("Date", http_date(0)),
        error_reply(403, "SignatureDoesNotMatch", "no date"),
        error_reply(403, "SignatureDoesNotMatch", "bad date").header("Date", "yesterday"),
        error_reply(
            403,
            "InvalidSignatureException",
            "The signature does not match",
        )
        .header("Date", http_date(7200)),
    ] {
        let server = TestServer::always(reply.clone()).await;
        let error = meter(&client_recording(&server, &RecordingSleep::default()))
            .await
            .unwrap_err();
        assert!(matches!(error, SdkError::Service(_)), "{error:?}");
        assert_eq!(server.request_count().await, 1, "{reply:?}");
    }

    // With retries off, the offset is still learned for the next call.
    let server = TestServer::sequence(vec![
        error_reply(400, "RequestTimeTooSkewed", "m").header("Date", http_date(7200)),
        metered(),
    ])
    .await;
    let client = client_with(&server, RetryConfig::disabled(), &RecordingSleep::default());
    meter(&client).await.unwrap_err();
    meter(&client).await.unwrap();
    let requests = server.requests().await;
    assert!((amz_date_secs(&requests[1]) - (now_secs() + 7200)).abs() < 60);
}

#[tokio::test]
async fn a_date_over_a_day_away_is_not_believed_as_clock_skew() {
    const DAY: i64 = 24 * 3600;
    // A proxy's bogus Date, ahead or behind: not learned, not retried.
    for offset in [DAY + 120, -(DAY + 120), 10 * 365 * DAY, -now_secs()] {
        let reply = error_reply(400, "RequestTimeTooSkewed", "m").header("Date", http_date(offset));
        let server = TestServer::sequence(vec![reply, metered()]).await;
        let sleep = RecordingSleep::default();
        let client = client_recording(&server, &sleep);
        let error = meter(&client).await.unwrap_err();
        assert_eq!(error.code(), Some("RequestTimeTooSkewed"), "{offset}");
        assert_eq!(server.request_count().await, 1, "{offset}: not retried");
        // The next call still signs with the local clock.
        meter(&client).await.unwrap();
        let next = &server.requests().await[1];
        assert!((amz_date_secs(next) - now_secs()).abs() < 60, "{offset}");
        assert!(sleep.waits().is_empty(), "{:?}", sleep.waits());
    }
    // Just under a day is still a correction.
    let reply = error_reply(400, "RequestTimeTooSkewed", "m").header("Date", http_date(DAY - 120));
    let server = TestServer::sequence(vec![reply, metered()]).await;
    meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap();
    let retried = &server.requests().await[1];
    assert!((amz_date_secs(retried) - (now_secs() + DAY - 120)).abs() < 60);
}

#[tokio::test]
async fn a_200_with_garbage_is_a_response_error_and_not_retried() {
    let garbage: [&[u8]; 8] = [
        b"<html><body>Welcome to nginx</body></html>",
        br#"{"MeteringRecordId":"#,
        br#"{"MeteringRecordId": 42}"#,
        br#"[1, 2, 3]"#,
        b"\xff\xfe\xfd not utf-8",
        br#"{"MeteringRecordId":1e999999}"#,
        b"null",
        br#""just a string""#,
    ];
    for body in garbage {
        let server = TestServer::always(Reply::json(200, "").body(body)).await;
        let sleep = RecordingSleep::default();
        let error = meter(&client_recording(&server, &sleep)).await.unwrap_err();
        assert!(
            matches!(error, SdkError::Response(_)),
            "{:?}: {error:?}",
            String::from_utf8_lossy(body)
        );
        assert!(
            error.to_string().contains("unreadable MeterUsage response"),
            "{error}"
        );
        assert_eq!(server.request_count().await, 1);
        assert!(sleep.waits().is_empty());
    }
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let server = TestServer::always(Reply::json(200, "").body(deep.clone())).await;
    let error = meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::Response(_)), "{error:?}");
    let nested = format!(
        r#"{{"MeteringRecordId":{}1{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let server = TestServer::always(Reply::json(200, "").body(nested)).await;
    let error = meter(&client_recording(&server, &RecordingSleep::default()))
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::Response(_)), "{error:?}");
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let limit = 16 * 1024 * 1024;
    let mut huge = br#"{"MeteringRecordId":""#.to_vec();
    huge.resize(limit + 1, b'a');
    let server = TestServer::always(Reply::json(200, "").body(huge)).await;
    let sleep = RecordingSleep::default();
    let error = meter(&client_recording(&server, &sleep)).await.unwrap_err();
    let SdkError::Response(response) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(response.status(), 200);
    assert!(
        error
            .to_string()
            .contains("larger than the limit of 16777216 bytes"),
        "{error}"
    );
    assert_eq!(server.request_count().await, 1);
    // A body of exactly the limit is read.
    let mut at_limit = br#"{"MeteringRecordId":""#.to_vec();
    at_limit.resize(limit - 2, b'a');
    at_limit.extend_from_slice(br#""}"#);
    let server = TestServer::always(Reply::json(200, "").body(at_limit)).await;
    let output = meter(&client_recording(&server, &sleep)).await.unwrap();
    assert_eq!(output.metering_record_id().map(str::len), Some(limit - 23));
}

#[tokio::test]
async fn clones_of_a_client_share_one_connection_pool() {
    let server = TestServer::always(metered()).await;
    let client = common::client(&server);
    let clone = client.clone();
    meter(&client).await.unwrap();
    meter(&clone).await.unwrap();
    let from_another_task = client.clone();
    tokio::spawn(async move { meter(&from_another_task).await.unwrap() })
        .await
        .unwrap();
    assert_eq!(server.connection_ids().await, [0, 0, 0]);
    assert_eq!(server.connection_count(), 1);
    // A client made separately has a pool of its own.
    meter(&common::client(&server)).await.unwrap();
    assert_eq!(server.connection_ids().await, [0, 0, 0, 1]);
}
