//! What a call tells the outside world: `tracing` spans for the operation and
//! each attempt (never a secret, session token or registration token in them),
//! and the user agent headers that name this SDK, the OS, the Rust version and
//! the application.

#![forbid(unsafe_code)]

mod common;
mod retry_support;

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use integration_tests::{verify, Reply, TestServer, REQUEST_ID};
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, Credentials};
use retry_support::{builder, meter, metered, RecordingSleep};
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
    let config = Config::from_vars([
        ("AWS_SDK_UA_APP_ID", "from-env"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_ENDPOINT_URL", server.url().as_str()),
    ])
    .await
    .unwrap()
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
