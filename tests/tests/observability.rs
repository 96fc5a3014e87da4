//! The `tracing` spans of a call: one for the operation and one per attempt,
//! with what happened and never a secret, session token or registration token.
//!
//! This file holds a single test on purpose: `tracing` caches per call site
//! whether anyone listens, and a test on another thread of the same binary
//! without the capturing subscriber could make the cache miss events.

#![forbid(unsafe_code)]

mod common;
mod retry_support;

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use integration_tests::{Reply, TestServer, REQUEST_ID};
use marketplace_metering::{Client, Config, Credentials};
use retry_support::RecordingSleep;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A `tracing` subscriber that writes every span, field record and event, at
/// every level and from every crate, as a line of text.
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    fn push(&self, line: String) {
        self.lines.lock().unwrap().push(line);
    }

    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

#[derive(Default)]
struct Fields(String);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let mut fields = Fields::default();
        span.record(&mut fields);
        self.push(format!("span {id} {}{}", span.metadata().name(), fields.0));
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        self.push(format!("record {}{}", span.into_u64(), fields.0));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        self.push(format!(
            "event {} {}{}",
            meta.level(),
            meta.target(),
            fields.0
        ));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

const SECRET_KEY: &str = "wJalrXUtnFEMI-secret-key-value";
const SESSION_TOKEN: &str = "FwoGZXIvYXdz-session-token-value";
const REGISTRATION_TOKEN: &str = "reg-token-from-the-buyer-4242";

#[tokio::test]
async fn spans_name_the_operation_and_attempts_and_keep_secrets_out() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let resolved = r#"{"CustomerIdentifier":"cust-1","ProductCode":"p","CustomerAWSAccountId":"123456789012"}"#;
    let server = TestServer::sequence(vec![
        Reply::json(503, r#"{"message":"busy"}"#),
        Reply::json(200, resolved),
    ])
    .await;
    let sleep = RecordingSleep::default();
    let client = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new(
                "AKIDVISIBLE",
                SECRET_KEY,
                Some(SESSION_TOKEN.into()),
            ))
            .endpoint_url(server.url())
            .sleep_impl(sleep.clone())
            .build(),
    );
    let output = client
        .resolve_customer()
        .registration_token(REGISTRATION_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(output.customer_identifier(), Some("cust-1"));
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    let invocation_id = requests[0].header("amz-sdk-invocation-id").unwrap();

    let log = capture.text();
    let expect = |needle: &str| assert!(log.contains(needle), "{needle:?} not in:\n{log}");
    expect("operation service=Marketplace Metering operation=ResolveCustomer");
    expect(&format!("invocation_id={invocation_id}"));
    expect("attempt attempt=1 max_attempts=3");
    expect("attempt attempt=2 max_attempts=3");
    expect("status=503");
    expect("status=200");
    expect("retry_reason=transient error");
    expect(&format!("request_id={REQUEST_ID}"));
    expect("attempts=2");
    expect("retrying");
    for secret in [SECRET_KEY, SESSION_TOKEN, REGISTRATION_TOKEN] {
        assert!(!log.contains(secret), "{secret} in the trace:\n{log}");
    }
}
