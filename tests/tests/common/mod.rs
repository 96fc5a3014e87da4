//! Setup shared by the integration tests: the standard client and a valid
//! call, the model's error lists, assertions about what went over the wire, a
//! temporary directory and a clock the tests move by hand.
//!
//! Everything here uses only the public API of `marketplace_metering` and
//! `integration_tests`; no test names `marketplace_sdk_runtime`.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use integration_tests::{verify, RecordedRequest, Reply, TestServer};
use marketplace_metering::config::credentials::TimeSource;
use marketplace_metering::config::{ConfigBuilder, RetryConfig};
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::batch_meter_usage::{
    BatchMeterUsageError, BatchMeterUsageFluentBuilder,
};
use marketplace_metering::operation::meter_usage::{MeterUsageError, MeterUsageFluentBuilder};
use marketplace_metering::operation::register_usage::{
    RegisterUsageError, RegisterUsageFluentBuilder,
};
use marketplace_metering::operation::resolve_customer::{
    ResolveCustomerError, ResolveCustomerFluentBuilder,
};
use marketplace_metering::types::{Tag, UsageAllocation, UsageRecord};
use marketplace_metering::{Client, Config, Credentials, DateTime, Error};
use serde_json::Value;

pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "SECRET";
pub const TOKEN: &str = "TOKEN";
pub const REGION: &str = "us-east-1";
/// The model's `signingName`; the endpoint prefix is `metering.marketplace`.
pub const SIGNING_NAME: &str = "aws-marketplace";
pub const TARGET_PREFIX: &str = "AWSMPMeteringService";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The four operations, as the model names them.
pub const OPERATIONS: [&str; 4] = [
    "BatchMeterUsage",
    "MeterUsage",
    "RegisterUsage",
    "ResolveCustomer",
];

/// The standard test configuration, pointed at `url`.
pub fn config_for(url: &str) -> Config {
    Config::builder()
        .region(REGION)
        .credentials(Credentials::new(ACCESS_KEY_ID, SECRET, Some(TOKEN.into())))
        .endpoint_url(url)
        .build()
}

/// The standard test client, pointed at `url`.
pub fn client_for(url: &str) -> Client {
    Client::from_conf(config_for(url))
}

/// The standard test client, pointed at `server`.
pub fn client(server: &TestServer) -> Client {
    client_for(&server.url())
}

/// The standard test client with retries off (one attempt per call), for tests
/// of how one response is read; `retries.rs` tests the retries.
pub fn client_without_retries(server: &TestServer) -> Client {
    let config = Config::builder()
        .region(REGION)
        .credentials(Credentials::new(ACCESS_KEY_ID, SECRET, Some(TOKEN.into())))
        .endpoint_url(server.url())
        .retry_config(RetryConfig::disabled())
        .build();
    Client::from_conf(config)
}

/// A MeterUsage call that is valid as it stands, to send or to change first.
pub fn valid_meter_usage(client: &Client) -> MeterUsageFluentBuilder {
    client
        .meter_usage()
        .product_code("p")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("d")
        .usage_quantity_as_decimal("1")
}

/// A BatchMeterUsage call with one record, valid as it stands.
pub fn valid_batch_meter_usage(client: &Client) -> BatchMeterUsageFluentBuilder {
    client
        .batch_meter_usage()
        .product_code("p")
        .usage_records(record("d"))
}

/// A RegisterUsage call that is valid as it stands.
pub fn valid_register_usage(client: &Client) -> RegisterUsageFluentBuilder {
    client
        .register_usage()
        .product_code("p")
        .public_key_version(1)
}

/// A ResolveCustomer call that is valid as it stands.
pub fn valid_resolve_customer(client: &Client) -> ResolveCustomerFluentBuilder {
    client.resolve_customer().registration_token("t")
}

/// The botocore model the crate is generated from.
pub fn model() -> Value {
    serde_json::from_str(include_str!(
        "../../../model/meteringmarketplace/service-2.json"
    ))
    .expect("the model is JSON")
}

/// The error shapes the model lists for `operation`, in model order.
pub fn modeled_errors(operation: &str) -> Vec<String> {
    let model = model();
    let errors = model["operations"][operation]["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("the model has no error list for {operation}"));
    errors
        .iter()
        .map(|e| e["shape"].as_str().expect("error shape name").to_owned())
        .collect()
}

/// Every exception shape the model defines.
pub fn all_exceptions() -> BTreeSet<String> {
    let model = model();
    model["shapes"]
        .as_object()
        .expect("shapes")
        .iter()
        .filter(|(_, shape)| shape["exception"].as_bool() == Some(true))
        .map(|(name, _)| name.clone())
        .collect()
}

/// The one request `server` received; panics if it got none or several.
pub async fn only_request(server: &TestServer) -> RecordedRequest {
    let mut requests = server.requests().await;
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {requests:#?}"
    );
    requests.remove(0)
}

/// Checks the protocol envelope of a request for `operation`: method, path,
/// content type, target, and a SigV4 signature that an independent verifier
/// accepts for the right scope, with the session token sent and signed.
pub fn assert_envelope(req: &RecordedRequest, operation: &str) {
    assert_eq!(req.method, "POST", "method of {operation}");
    assert_eq!(req.path, "/", "path of {operation}");
    assert_eq!(
        req.header_all("content-type"),
        vec![CONTENT_TYPE],
        "content type of {operation}"
    );
    let target = format!("{TARGET_PREFIX}.{operation}");
    assert_eq!(
        req.header_all("x-amz-target"),
        vec![target.as_str()],
        "target of {operation}"
    );
    assert_eq!(
        req.header_all("x-amz-security-token"),
        vec![TOKEN],
        "session token of {operation}"
    );

    let outcome = verify(req, SECRET).unwrap_or_else(|e| panic!("{operation}: {e}"));
    assert_eq!(outcome.access_key_id, ACCESS_KEY_ID);
    assert_eq!(outcome.region, REGION);
    assert_eq!(
        outcome.service, SIGNING_NAME,
        "the scope must use the signingName, not the endpoint prefix"
    );
    for signed in [
        "host",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-target",
        "content-type",
    ] {
        assert!(
            outcome.signed_headers.iter().any(|h| h == signed),
            "{signed} is not signed for {operation}: {:?}",
            outcome.signed_headers
        );
    }
    let wrong = verify(req, "NOT-THE-SECRET").expect_err("a wrong secret must not verify");
    assert!(wrong.contains("signature mismatch"), "{wrong}");
}

/// Checks that the body is exactly `expected` (as JSON), and that every object
/// key of `expected` appears spelled exactly so in the raw text.
pub fn assert_body(req: &RecordedRequest, expected: &Value) {
    let raw = req.body_text();
    assert_eq!(&req.body_json(), expected, "body as sent: {raw}");
    let mut keys = Vec::new();
    collect_keys(expected, &mut keys);
    for key in keys {
        assert!(
            raw.contains(&format!("\"{key}\":")),
            "key {key:?} is not spelled so in the raw body: {raw}"
        );
    }
    assert!(
        !raw.contains("null"),
        "absent members must be omitted: {raw}"
    );
}

fn collect_keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                out.push(key.clone());
                collect_keys(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, out)),
        _ => {}
    }
}

/// Whether `text` is a random UUID v4 in its canonical lowercase form.
pub fn is_uuid_v4(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
        && bytes[14] == b'4'
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b')
}

/// A tag.
pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

/// A usage allocation with a decimal quantity and these tags.
pub fn allocation(quantity: &str, tags: Vec<Tag>) -> UsageAllocation {
    UsageAllocation::builder()
        .allocated_usage_quantity_as_decimal(quantity)
        .set_tags(Some(tags))
        .build()
}

/// A valid usage record with only its required members.
pub fn record(dimension: &str) -> UsageRecord {
    UsageRecord::builder()
        .timestamp(DateTime::from_secs(1_700_000_000))
        .dimension(dimension)
        .build()
}

/// A temporary directory, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new directory whose name has `name` in it. Tests of several files run on
    /// the threads of one process and may pick the same `name`: a count makes each
    /// directory the process makes its own.
    pub fn new(name: &str) -> Self {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "mm-credentials-{}-{}-{name}-{nanos}",
            std::process::id(),
            MADE.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes the file `name` in the directory; returns its path.
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A clock that moves only when told.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    pub fn new() -> Self {
        ManualClock(Arc::new(Mutex::new(SystemTime::now())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl TimeSource for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// The variant of each operation's error enum, by name, so tests can compare
/// it with the model's error list.
pub fn meter_usage_variant(error: &MeterUsageError) -> &'static str {
    match error {
        MeterUsageError::InternalServiceErrorException(_) => "InternalServiceErrorException",
        MeterUsageError::InvalidProductCodeException(_) => "InvalidProductCodeException",
        MeterUsageError::InvalidUsageDimensionException(_) => "InvalidUsageDimensionException",
        MeterUsageError::InvalidTagException(_) => "InvalidTagException",
        MeterUsageError::InvalidUsageAllocationsException(_) => "InvalidUsageAllocationsException",
        MeterUsageError::InvalidEndpointRegionException(_) => "InvalidEndpointRegionException",
        MeterUsageError::TimestampOutOfBoundsException(_) => "TimestampOutOfBoundsException",
        MeterUsageError::DuplicateRequestException(_) => "DuplicateRequestException",
        MeterUsageError::IdempotencyConflictException(_) => "IdempotencyConflictException",
        MeterUsageError::ThrottlingException(_) => "ThrottlingException",
        MeterUsageError::CustomerNotEntitledException(_) => "CustomerNotEntitledException",
        MeterUsageError::Unhandled(_) => "Unhandled",
        _ => "(a variant this test does not know)",
    }
}

pub fn batch_meter_usage_variant(error: &BatchMeterUsageError) -> &'static str {
    match error {
        BatchMeterUsageError::InternalServiceErrorException(_) => "InternalServiceErrorException",
        BatchMeterUsageError::InvalidProductCodeException(_) => "InvalidProductCodeException",
        BatchMeterUsageError::InvalidUsageDimensionException(_) => "InvalidUsageDimensionException",
        BatchMeterUsageError::InvalidTagException(_) => "InvalidTagException",
        BatchMeterUsageError::InvalidUsageAllocationsException(_) => {
            "InvalidUsageAllocationsException"
        }
        BatchMeterUsageError::InvalidCustomerIdentifierException(_) => {
            "InvalidCustomerIdentifierException"
        }
        BatchMeterUsageError::TimestampOutOfBoundsException(_) => "TimestampOutOfBoundsException",
        BatchMeterUsageError::ThrottlingException(_) => "ThrottlingException",
        BatchMeterUsageError::DisabledApiException(_) => "DisabledApiException",
        BatchMeterUsageError::InvalidLicenseException(_) => "InvalidLicenseException",
        BatchMeterUsageError::Unhandled(_) => "Unhandled",
        _ => "(a variant this test does not know)",
    }
}

pub fn register_usage_variant(error: &RegisterUsageError) -> &'static str {
    match error {
        RegisterUsageError::InvalidProductCodeException(_) => "InvalidProductCodeException",
        RegisterUsageError::InvalidRegionException(_) => "InvalidRegionException",
        RegisterUsageError::InvalidPublicKeyVersionException(_) => {
            "InvalidPublicKeyVersionException"
        }
        RegisterUsageError::PlatformNotSupportedException(_) => "PlatformNotSupportedException",
        RegisterUsageError::CustomerNotEntitledException(_) => "CustomerNotEntitledException",
        RegisterUsageError::ThrottlingException(_) => "ThrottlingException",
        RegisterUsageError::InternalServiceErrorException(_) => "InternalServiceErrorException",
        RegisterUsageError::DisabledApiException(_) => "DisabledApiException",
        RegisterUsageError::Unhandled(_) => "Unhandled",
        _ => "(a variant this test does not know)",
    }
}

pub fn resolve_customer_variant(error: &ResolveCustomerError) -> &'static str {
    match error {
        ResolveCustomerError::InvalidTokenException(_) => "InvalidTokenException",
        ResolveCustomerError::ExpiredTokenException(_) => "ExpiredTokenException",
        ResolveCustomerError::ThrottlingException(_) => "ThrottlingException",
        ResolveCustomerError::InternalServiceErrorException(_) => "InternalServiceErrorException",
        ResolveCustomerError::DisabledApiException(_) => "DisabledApiException",
        ResolveCustomerError::Unhandled(_) => "Unhandled",
        _ => "(a variant this test does not know)",
    }
}

/// The variant of the service-wide error, by name.
pub fn service_error_variant(error: &Error) -> &'static str {
    match error {
        Error::CustomerNotEntitledException(_) => "CustomerNotEntitledException",
        Error::DisabledApiException(_) => "DisabledApiException",
        Error::DuplicateRequestException(_) => "DuplicateRequestException",
        Error::ExpiredTokenException(_) => "ExpiredTokenException",
        Error::IdempotencyConflictException(_) => "IdempotencyConflictException",
        Error::InternalServiceErrorException(_) => "InternalServiceErrorException",
        Error::InvalidCustomerIdentifierException(_) => "InvalidCustomerIdentifierException",
        Error::InvalidEndpointRegionException(_) => "InvalidEndpointRegionException",
        Error::InvalidLicenseException(_) => "InvalidLicenseException",
        Error::InvalidProductCodeException(_) => "InvalidProductCodeException",
        Error::InvalidPublicKeyVersionException(_) => "InvalidPublicKeyVersionException",
        Error::InvalidRegionException(_) => "InvalidRegionException",
        Error::InvalidTagException(_) => "InvalidTagException",
        Error::InvalidTokenException(_) => "InvalidTokenException",
        Error::InvalidUsageAllocationsException(_) => "InvalidUsageAllocationsException",
        Error::InvalidUsageDimensionException(_) => "InvalidUsageDimensionException",
        Error::PlatformNotSupportedException(_) => "PlatformNotSupportedException",
        Error::ThrottlingException(_) => "ThrottlingException",
        Error::TimestampOutOfBoundsException(_) => "TimestampOutOfBoundsException",
        Error::Unhandled(_) => "Unhandled",
        Error::Validation(_) => "Validation",
        Error::Config(_) => "Config",
        Error::Transport(_) => "Transport",
        Error::Response(_) => "Response",
        _ => "(a variant this test does not know)",
    }
}

// ------------------------------------------------------------ environments

/// What every deployment runs: configuration from the environment, one
/// MeterUsage call.
pub async fn meter_usage(vars: &[(String, String)]) -> Result<(), SdkError<MeterUsageError>> {
    meter_usage_with(vars, |builder| builder).await
}

/// [`meter_usage`], with settings made in code on top of the environment's.
pub async fn meter_usage_with(
    vars: &[(String, String)],
    configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> Result<(), SdkError<MeterUsageError>> {
    let builder = Config::from_vars(vars.iter().cloned())
        .await
        .expect("the configuration loads");
    let config = configure(builder).build();
    Client::from_conf(config)
        .meter_usage()
        .product_code("prod-abc")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .usage_quantity_as_decimal("1")
        .send()
        .await
        .map(|_| ())
}

/// The metering service, a tripwire IMDS, and the variables every environment
/// has: no profile files unless a test writes some, metering and IMDS on loopback.
pub struct Environment {
    pub metering: TestServer,
    pub tripwire_imds: TestServer,
    pub dir: TempDir,
    pub vars: Vec<(String, String)>,
}

impl Environment {
    pub async fn new(name: &str) -> Self {
        let metering =
            TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"record-1"}"#)).await;
        let tripwire_imds = TestServer::always(Reply::new(500)).await;
        let dir = TempDir::new(name);
        let vars = vec![
            ("HOME".to_owned(), dir.path().display().to_string()),
            (
                "AWS_ENDPOINT_URL_MARKETPLACE_METERING".to_owned(),
                metering.url(),
            ),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(),
                tripwire_imds.url(),
            ),
        ];
        Environment {
            metering,
            tripwire_imds,
            dir,
            vars,
        }
    }

    pub fn var(&mut self, name: &str, value: impl Into<String>) {
        self.vars.retain(|(existing, _)| existing != name);
        self.vars.push((name.to_owned(), value.into()));
    }

    pub async fn only_metering_request(&self) -> RecordedRequest {
        let mut requests = self.metering.requests().await;
        assert_eq!(requests.len(), 1, "{requests:#?}");
        requests.remove(0)
    }

    pub async fn assert_imds_never_asked(&self) {
        assert_eq!(self.tripwire_imds.request_count().await, 0);
    }
}
