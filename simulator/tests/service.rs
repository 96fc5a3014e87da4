//! The simulator's behaviour, through the generated client.
// The whole-number quantity members are deprecated in the model, but still sent by sellers
// and still part of what the simulator checks.
#![allow(deprecated)]

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::meter_usage::MeterUsageError;
use marketplace_metering::types::{Tag, UsageAllocation, UsageRecord, UsageRecordResultStatus};
use marketplace_metering::{Client, Config, Credentials};
use marketplace_metering_simulator::{
    parse_rfc3339, Customer, Product, ProductKind, Query, RecordSource, RegistrationToken,
    Simulator, SimulatorBuilder,
};

/// The quick start example, whose logic is tested at the end of this file.
#[allow(dead_code)]
#[path = "../examples/quick_start.rs"]
mod quick_start;

/// The simulator's fixed "now" in these tests.
fn now() -> SystemTime {
    parse_rfc3339("2026-12-02T08:30:00Z").unwrap()
}

fn at(text: &str) -> SystemTime {
    parse_rfc3339(text).unwrap()
}

/// A SaaS product `prod-saas` (users, gb), a container product `prod-box` (vcpu), an AMI
/// product `prod-ami` (hours); `cust-1` (111111111111) subscribed to all, `cust-2`
/// (222222222222) to nothing; the key AKID/SECRET; the clock fixed at [`now`].
fn builder() -> SimulatorBuilder {
    Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users", "gb"]))
        .product(Product::new("prod-box", ProductKind::Container).dimensions(["vcpu"]))
        .product(Product::new("prod-ami", ProductKind::Ami).dimensions(["hours"]))
        .customer(
            Customer::new("cust-1", "111111111111")
                .subscribed_to("prod-saas")
                .subscribed_to("prod-box")
                .subscribed_to("prod-ami"),
        )
        .customer(Customer::new("cust-2", "222222222222"))
        .access_key("AKID", "SECRET")
        .clock(now)
}

fn client_with(sim: &Simulator, key: &str, secret: &str, retry: RetryConfig) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(sim.endpoint_url())
        .credentials(Credentials::new(key, secret, None))
        .retry_config(retry.with_initial_backoff(Duration::from_millis(10)))
        .build();
    Client::from_conf(config)
}

fn client(sim: &Simulator) -> Client {
    client_with(sim, "AKID", "SECRET", RetryConfig::standard())
}

/// The error code of a failed call.
fn code<
    T: std::fmt::Debug,
    E: marketplace_metering::error::ProvideErrorMetadata + std::fmt::Debug,
>(
    result: Result<T, SdkError<E>>,
) -> String {
    let error = result.expect_err("the call should fail");
    error
        .code()
        .unwrap_or_else(|| panic!("not a service error: {error:?}"))
        .to_owned()
}

fn record(customer_account: &str, dimension: &str, quantity: &str, time: &str) -> UsageRecord {
    UsageRecord::builder()
        .customer_aws_account_id(customer_account)
        .dimension(dimension)
        .quantity_as_decimal(quantity)
        .timestamp(at(time))
        .build()
}

// ---- MeterUsage ----

#[tokio::test]
async fn meter_usage_records_once_per_hour_and_dimension() {
    let sim = builder()
        .buyer_account("111111111111")
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let meter = |time: &str, quantity: &str| {
        client
            .meter_usage()
            .product_code("prod-box")
            .timestamp(at(time))
            .usage_dimension("vcpu")
            .usage_quantity_as_decimal(quantity)
            .send()
    };
    let first = meter("2026-12-02T08:10:00Z", "4").await.unwrap();
    let id = first.metering_record_id().unwrap().to_owned();
    // The same hour and quantity (by value) again: the first record's id, nothing new.
    let again = meter("2026-12-02T08:50:00Z", "4.000").await.unwrap();
    assert_eq!(again.metering_record_id(), Some(id.as_str()));
    // Another quantity in the same hour.
    let error = meter("2026-12-02T08:20:00Z", "5").await.unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(MeterUsageError::DuplicateRequestException(_))
        ),
        "{error:?}"
    );
    // The next hour is a record of its own.
    meter("2026-12-02T09:00:00Z", "5").await.unwrap();

    let records = sim.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].record_id, id);
    assert_eq!(records[0].source, RecordSource::MeterUsage);
    assert_eq!(records[0].product_code, "prod-box");
    assert_eq!(records[0].customer_identifier.as_deref(), Some("cust-1"));
    assert_eq!(
        records[0].customer_aws_account_id.as_deref(),
        Some("111111111111")
    );
    assert_eq!(records[0].hour, at("2026-12-02T08:00:00Z"));
    assert_eq!(records[0].timestamp, at("2026-12-02T08:10:00Z"));
    assert_eq!(records[0].quantity, 4.0);
    assert_eq!(sim.billed("prod-box", "vcpu"), 9.0);
    assert_eq!(
        sim.billed_where(
            &Query::new()
                .product("prod-box")
                .hour(at("2026-12-02T09:59:00Z"))
        ),
        5.0
    );
    assert_eq!(sim.query(&Query::new().customer("cust-1")).len(), 2);
}

#[tokio::test]
async fn meter_usage_checks_product_dimension_and_timestamp() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let meter = |product: &str, dimension: &str, time: SystemTime| {
        client
            .meter_usage()
            .product_code(product)
            .timestamp(time)
            .usage_dimension(dimension)
            .usage_quantity(1)
            .send()
    };
    assert_eq!(
        code(meter("prod-nope", "vcpu", now()).await),
        "InvalidProductCodeException"
    );
    assert_eq!(
        code(meter("prod-box", "gpus", now()).await),
        "InvalidUsageDimensionException"
    );
    let six_hours = Duration::from_secs(6 * 3600);
    let second = Duration::from_secs(1);
    assert_eq!(
        code(meter("prod-box", "vcpu", now() - six_hours - second).await),
        "TimestampOutOfBoundsException"
    );
    assert_eq!(
        code(meter("prod-box", "vcpu", now() + six_hours + second).await),
        "TimestampOutOfBoundsException"
    );
    // Exactly six hours either way is still inside.
    meter("prod-box", "vcpu", now() - six_hours).await.unwrap();
    meter("prod-ami", "hours", now() + six_hours).await.unwrap();
    // SaaS products are metered with BatchMeterUsage.
    assert_eq!(
        code(meter("prod-saas", "users", now()).await),
        "InvalidProductCodeException"
    );
    assert_eq!(sim.records().len(), 2);
}

#[tokio::test]
async fn meter_usage_client_token_idempotency() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let meter = |token: &str, quantity: i32| {
        client
            .meter_usage()
            .product_code("prod-ami")
            .timestamp(now())
            .usage_dimension("hours")
            .usage_quantity(quantity)
            .client_token(token)
            .send()
    };
    let first = meter("token-1", 2).await.unwrap();
    let replay = meter("token-1", 2).await.unwrap();
    assert_eq!(first.metering_record_id(), replay.metering_record_id());
    let error = meter("token-1", 3).await.unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(MeterUsageError::IdempotencyConflictException(_))
        ),
        "{error:?}"
    );
    // A new token with the same hour and quantity: the hourly rule answers the same id.
    let other = meter("token-2", 2).await.unwrap();
    assert_eq!(first.metering_record_id(), other.metering_record_id());
    assert_eq!(sim.records().len(), 1);
}

#[tokio::test]
async fn meter_usage_dry_run_records_nothing() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let dry = |dimension: &str| {
        client
            .meter_usage()
            .product_code("prod-ami")
            .timestamp(now())
            .usage_dimension(dimension)
            .usage_quantity(2)
            .dry_run(true)
            .send()
    };
    assert_eq!(code(dry("hours").await), "DryRunOperation");
    assert_eq!(code(dry("nope").await), "InvalidUsageDimensionException");
    assert!(sim.records().is_empty());
}

#[tokio::test]
async fn meter_usage_allocations_and_tags() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    let allocation = |q: &str, tags: Vec<Tag>| {
        tags.into_iter()
            .fold(
                UsageAllocation::builder().allocated_usage_quantity_as_decimal(q),
                |b, t| b.tags(t),
            )
            .build()
    };
    let meter = |allocations: Vec<UsageAllocation>, time: SystemTime| {
        allocations
            .into_iter()
            .fold(
                client
                    .meter_usage()
                    .product_code("prod-ami")
                    .timestamp(time)
                    .usage_dimension("hours")
                    .usage_quantity_as_decimal("3.5"),
                |b, a| b.usage_allocations(a),
            )
            .send()
    };
    assert_eq!(
        code(
            meter(
                vec![
                    allocation("1", vec![tag("team", "a")]),
                    allocation("2", vec![])
                ],
                now()
            )
            .await
        ),
        "InvalidUsageAllocationsException"
    );
    // More than 5 tags is refused by the client before sending (see raw_requests_are_validated).
    assert_eq!(
        code(meter(vec![allocation("3.5", vec![tag("team", "a|b")])], now()).await),
        "InvalidTagException"
    );
    meter(
        vec![
            allocation("1.5", vec![tag("team", "a")]),
            allocation("2", vec![]),
        ],
        now(),
    )
    .await
    .unwrap();
    let records = sim.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].allocations.len(), 2);
    assert_eq!(records[0].allocations[0].quantity_decimal, "1.5");
    assert_eq!(
        records[0].allocations[0].tags,
        vec![("team".to_owned(), "a".to_owned())]
    );
    assert!(records[0].allocations[1].tags.is_empty());
}

#[tokio::test]
async fn meter_usage_needs_an_entitled_buyer() {
    let sim = builder()
        .buyer_account("222222222222")
        .start()
        .await
        .unwrap();
    let result = client(&sim)
        .meter_usage()
        .product_code("prod-ami")
        .timestamp(now())
        .usage_dimension("hours")
        .send()
        .await;
    assert_eq!(code(result), "CustomerNotEntitledException");
}

// ---- BatchMeterUsage ----

#[tokio::test]
async fn batch_meter_usage_statuses() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let out = client
        .batch_meter_usage()
        .product_code("prod-saas")
        .usage_records(record("111111111111", "users", "3", "2026-12-02T08:05:00Z"))
        .usage_records(
            UsageRecord::builder()
                .customer_identifier("cust-1")
                .dimension("gb")
                .quantity(7)
                .timestamp(at("2026-12-01T09:00:00Z"))
                .build(),
        )
        .usage_records(record("222222222222", "users", "1", "2026-12-02T08:05:00Z"))
        .usage_records(record("999999999999", "users", "1", "2026-12-02T08:05:00Z"))
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = out.results().iter().map(|r| r.status().cloned()).collect();
    assert_eq!(
        statuses,
        vec![
            Some(UsageRecordResultStatus::Success),
            Some(UsageRecordResultStatus::Success),
            Some(UsageRecordResultStatus::CustomerNotSubscribed),
            Some(UsageRecordResultStatus::CustomerNotSubscribed),
        ]
    );
    assert!(out.unprocessed_records().is_empty());
    let id = out.results()[0].metering_record_id().unwrap().to_owned();
    assert_eq!(
        out.results()[0].usage_record().unwrap().dimension(),
        Some("users")
    );

    // The same customer (now by identifier), dimension and hour: same quantity is the same
    // record, another quantity is a DuplicateRecord.
    let out = client
        .batch_meter_usage()
        .product_code("prod-saas")
        .usage_records(
            UsageRecord::builder()
                .customer_identifier("cust-1")
                .dimension("users")
                .quantity_as_decimal("3.000")
                .timestamp(at("2026-12-02T08:59:59Z"))
                .build(),
        )
        .usage_records(record("111111111111", "users", "4", "2026-12-02T08:00:00Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.results()[0].status(),
        Some(&UsageRecordResultStatus::Success)
    );
    assert_eq!(out.results()[0].metering_record_id(), Some(id.as_str()));
    assert_eq!(
        out.results()[1].status(),
        Some(&UsageRecordResultStatus::DuplicateRecord)
    );

    assert_eq!(sim.records().len(), 2);
    assert_eq!(sim.billed("prod-saas", "users"), 3.0);
    assert_eq!(sim.billed("prod-saas", "gb"), 7.0);
    let cust = sim.query(&Query::new().customer("111111111111").dimension("gb"));
    assert_eq!(cust[0].customer_identifier.as_deref(), Some("cust-1"));
    assert_eq!(cust[0].source, RecordSource::BatchMeterUsage);
}

#[tokio::test]
async fn batch_meter_usage_rejects_whole_batches() {
    let sim = builder().start().await.unwrap();
    let client = client(&sim);
    let batch = |product: &str, records: Vec<UsageRecord>| {
        records
            .into_iter()
            .fold(client.batch_meter_usage().product_code(product), |b, r| {
                b.usage_records(r)
            })
            .send()
    };
    let ok = || record("111111111111", "users", "1", "2026-12-02T08:00:00Z");
    let cases = [
        ("prod-box", vec![ok()], "InvalidProductCodeException"),
        ("prod-nope", vec![ok()], "InvalidProductCodeException"),
        (
            "prod-saas",
            vec![
                ok(),
                record("111111111111", "cpus", "1", "2026-12-02T08:00:00Z"),
            ],
            "InvalidUsageDimensionException",
        ),
        // 24 hours back is the limit for BatchMeterUsage.
        (
            "prod-saas",
            vec![
                ok(),
                record("111111111111", "gb", "1", "2026-12-01T08:29:59Z"),
            ],
            "TimestampOutOfBoundsException",
        ),
    ];
    for (product, records, expected) in cases {
        assert_eq!(code(batch(product, records).await), expected, "{product}");
    }
    assert!(
        sim.records().is_empty(),
        "no record of a rejected batch counts"
    );
    // More than 25 records is refused by the client before sending; the simulator says the
    // same to anyone else (see raw_requests_are_validated).
}

#[tokio::test]
async fn batch_meter_usage_leaves_a_seeded_share_unprocessed() {
    async fn run(seed: u64) -> (Vec<String>, usize) {
        let sim = builder()
            .unprocessed_share(0.4)
            .seed(seed)
            .start()
            .await
            .unwrap();
        let client = client(&sim);
        let mut batch = client.batch_meter_usage().product_code("prod-saas");
        for i in 0..25u64 {
            // Two dimensions over 13 hours: no record repeats another's customer,
            // dimension and hour.
            let dimension = if i % 2 == 0 { "users" } else { "gb" };
            let time = at("2026-12-02T08:00:00Z") - Duration::from_secs(3600 * (i / 2));
            batch = batch.usage_records(
                UsageRecord::builder()
                    .customer_aws_account_id("111111111111")
                    .dimension(dimension)
                    .quantity_as_decimal("1")
                    .timestamp(time)
                    .build(),
            );
        }
        let out = batch.send().await.unwrap();
        assert_eq!(out.results().len() + out.unprocessed_records().len(), 25);
        let unprocessed = out
            .unprocessed_records()
            .iter()
            .map(|r| format!("{:?} {:?}", r.dimension(), r.timestamp()))
            .collect();
        (unprocessed, sim.records().len())
    }
    let (a, recorded) = run(7).await;
    let (b, _) = run(7).await;
    assert_eq!(a, b, "the same seed leaves the same records unprocessed");
    assert!(!a.is_empty() && a.len() < 25, "{} unprocessed", a.len());
    assert_eq!(recorded, 25 - a.len(), "what was processed is recorded");
    let (c, _) = run(8).await;
    assert_ne!(a, c, "another seed, another draw");
}

// ---- ResolveCustomer ----

#[tokio::test]
async fn resolve_customer_tokens() {
    let sim = builder()
        .registration_token(RegistrationToken::new("tok-ok", "cust-1", "prod-saas"))
        .registration_token(
            RegistrationToken::new("tok-old", "cust-1", "prod-saas")
                .expires_at(at("2026-12-02T08:00:00Z")),
        )
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let out = client
        .resolve_customer()
        .registration_token("tok-ok")
        .send()
        .await
        .unwrap();
    assert_eq!(out.customer_identifier(), Some("cust-1"));
    assert_eq!(out.product_code(), Some("prod-saas"));
    assert_eq!(out.customer_aws_account_id(), Some("111111111111"));
    let resolve = |token: &str| client.resolve_customer().registration_token(token).send();
    assert_eq!(code(resolve("tok-old").await), "ExpiredTokenException");
    assert_eq!(code(resolve("tok-forged").await), "InvalidTokenException");
}

// ---- RegisterUsage ----

/// The PKCS#1 RSAPublicKey inside a PEM SubjectPublicKeyInfo, which ring wants.
fn pkcs1_from_spki_pem(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(b64).unwrap();
    // SEQUENCE { SEQUENCE { OID, NULL }, BIT STRING { 0x00, RSAPublicKey } }
    fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = der[0];
        let (len, start) = if der[1] < 0x80 {
            (der[1] as usize, 2)
        } else {
            let n = (der[1] & 0x7f) as usize;
            (
                der[2..2 + n]
                    .iter()
                    .fold(0, |acc, b| acc * 256 + *b as usize),
                2 + n,
            )
        };
        (tag, &der[start..start + len], &der[start + len..])
    }
    let (tag, spki, _) = tlv(&der);
    assert_eq!(tag, 0x30);
    let (tag, algorithm, rest) = tlv(spki);
    assert_eq!(tag, 0x30);
    assert_eq!(
        &algorithm[..11],
        &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
    );
    let (tag, bits, _) = tlv(rest);
    assert_eq!(tag, 0x03);
    assert_eq!(bits[0], 0);
    bits[1..].to_vec()
}

#[tokio::test]
async fn register_usage_signs_a_ps256_jwt() {
    let rotation = at("2027-01-01T00:00:00Z");
    let sim = builder()
        .buyer_account("111111111111")
        .public_key_rotation(rotation)
        .start()
        .await
        .unwrap();
    assert_eq!(sim.public_key_version(), 1);
    let out = client(&sim)
        .register_usage()
        .product_code("prod-box")
        .public_key_version(1)
        .nonce("nonce-123")
        .send()
        .await
        .unwrap();
    let jwt = out.signature().unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header = URL_SAFE_NO_PAD.decode(parts[0]).unwrap();
    assert_eq!(header, br#"{"alg":"PS256","typ":"JWT"}"#);
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(
        payload,
        r#"{"productCode":"prod-box","publicKeyVersion":1,"nonce":"nonce-123","issuedAt":"2026-12-02T08:30:00.000Z"}"#
    );
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PSS_2048_8192_SHA256,
        pkcs1_from_spki_pem(&sim.public_key_pem()),
    );
    let signed = format!("{}.{}", parts[0], parts[1]);
    key.verify(signed.as_bytes(), &signature)
        .expect("the signature verifies");
    let mut tampered = signed.clone().into_bytes();
    tampered[signed.len() - 3] ^= 1;
    assert!(key.verify(&tampered, &signature).is_err());
    let rotation_out = out.public_key_rotation_timestamp().unwrap();
    assert_eq!(SystemTime::try_from(rotation_out).unwrap(), rotation);

    // Without a nonce, the payload has none.
    let out = client(&sim)
        .register_usage()
        .product_code("prod-box")
        .public_key_version(1)
        .send()
        .await
        .unwrap();
    let payload = out
        .signature()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap()
        .to_owned();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(!payload.contains("nonce"), "{payload}");

    let registrations = sim.registrations();
    assert_eq!(registrations.len(), 2);
    assert_eq!(registrations[0].product_code, "prod-box");
    assert_eq!(registrations[0].nonce.as_deref(), Some("nonce-123"));
    assert_eq!(
        registrations[0].customer_aws_account_id.as_deref(),
        Some("111111111111")
    );
    assert_eq!(registrations[0].issued_at, now());
    assert_eq!(registrations[0].signature, jwt);
    assert_eq!(registrations[1].nonce, None);
}

#[tokio::test]
async fn register_usage_errors() {
    let sim = builder()
        .buyer_account("222222222222")
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let register = |product: &str, version: i32| {
        client
            .register_usage()
            .product_code(product)
            .public_key_version(version)
            .send()
    };
    assert_eq!(
        code(register("prod-box", 1).await),
        "CustomerNotEntitledException"
    );
    assert_eq!(
        code(register("prod-box", 2).await),
        "InvalidPublicKeyVersionException"
    );
    assert_eq!(
        code(register("prod-nope", 1).await),
        "InvalidProductCodeException"
    );
    assert_eq!(
        code(register("prod-saas", 1).await),
        "PlatformNotSupportedException"
    );
}

// ---- SigV4, throttling, faults ----

#[tokio::test]
async fn signatures_are_checked() {
    let sim = builder().start().await.unwrap();
    let meter = |client: Client| async move {
        client
            .meter_usage()
            .product_code("prod-ami")
            .timestamp(now())
            .usage_dimension("hours")
            .send()
            .await
    };
    let wrong_secret = client_with(&sim, "AKID", "NOT-THE-SECRET", RetryConfig::disabled());
    let error = meter(wrong_secret).await.unwrap_err();
    assert_eq!(error.code(), Some("InvalidSignatureException"), "{error:?}");
    assert!(error
        .message()
        .unwrap()
        .contains("signature we calculated does not match"));
    let unknown_key = client_with(&sim, "AKIDOTHER", "SECRET", RetryConfig::disabled());
    assert_eq!(
        code(meter(unknown_key).await),
        "UnrecognizedClientException"
    );
    assert!(sim.records().is_empty());
    meter(client(&sim)).await.unwrap();
    assert_eq!(sim.records().len(), 1);
}

#[tokio::test]
async fn throttling_at_the_configured_rate() {
    // One request every 100 s: the second of a quick pair is throttled.
    let sim = builder().throttle_per_second(0.01).start().await.unwrap();
    let client = client_with(&sim, "AKID", "SECRET", RetryConfig::disabled());
    let meter = || {
        client
            .meter_usage()
            .product_code("prod-ami")
            .timestamp(now())
            .usage_dimension("hours")
            .send()
    };
    meter().await.unwrap();
    let error = meter().await.unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(MeterUsageError::ThrottlingException(_))
        ),
        "{error:?}"
    );
    assert_eq!(sim.request_count(), 2);
}

#[tokio::test]
async fn faults_fail_reset_and_delay_requests() {
    let sim = builder().start().await.unwrap();
    let faults = sim.faults();
    let meter = |client: Client, quantity: i32| async move {
        client
            .meter_usage()
            .product_code("prod-ami")
            .timestamp(now())
            .usage_dimension("hours")
            .usage_quantity(quantity)
            .send()
            .await
    };
    let no_retry = client_with(&sim, "AKID", "SECRET", RetryConfig::disabled());

    faults.fail_next(1);
    assert_eq!(
        code(meter(no_retry.clone(), 1).await),
        "InternalServiceErrorException"
    );
    faults.throttle_next(1);
    assert_eq!(
        code(meter(no_retry.clone(), 1).await),
        "ThrottlingException"
    );
    faults.reset_next(1);
    let error = meter(no_retry.clone(), 1).await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    assert_eq!(sim.request_count(), 3);
    assert!(sim.records().is_empty(), "faulted requests record nothing");

    // With retries, the client gets through a 500 and a reset.
    faults.fail_next(1).reset_next(1);
    meter(client(&sim), 1).await.unwrap();
    assert_eq!(sim.request_count(), 6);
    assert_eq!(faults.pending(), 0);

    // A delay longer than the attempt timeout.
    faults.delay_next(1, Duration::from_secs(3));
    let impatient = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(sim.endpoint_url())
            .credentials(Credentials::new("AKID", "SECRET", None))
            .retry_config(RetryConfig::disabled())
            .attempt_timeout(Duration::from_millis(200))
            .build(),
    );
    let error = meter(impatient, 1).await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    // A short delay is only a delay.
    faults.delay_next(1, Duration::from_millis(50));
    meter(client(&sim), 1).await.unwrap();
    assert_eq!(sim.records().len(), 1);
    faults.fail_next(5);
    faults.clear();
    assert_eq!(faults.pending(), 0);
}

// ---- Configuration, raw requests, lifecycle ----

#[tokio::test]
async fn configured_from_json() {
    let json = r#"{
        "region": "eu-west-1",
        "products": [{"code": "prod-j", "kind": "SaaS", "dimensions": ["users"]}],
        "customers": [{"identifier": "c-j", "aws_account_id": "333333333333", "subscriptions": ["prod-j"]}],
        "registration_tokens": [{"token": "t-j", "customer": "c-j", "product_code": "prod-j", "expires_at": "2099-01-01T00:00:00Z"}],
        "access_keys": [{"access_key_id": "AKJ", "secret_access_key": "SJ"}],
        "unprocessed_share": 0.0,
        "seed": 3
    }"#;
    let sim = Simulator::builder().from_json(json).start().await.unwrap();
    let client = Client::from_conf(
        Config::builder()
            .region("eu-west-1")
            .endpoint_url(sim.endpoint_url())
            .credentials(Credentials::new("AKJ", "SJ", None))
            .build(),
    );
    let out = client
        .resolve_customer()
        .registration_token("t-j")
        .send()
        .await
        .unwrap();
    assert_eq!(out.customer_aws_account_id(), Some("333333333333"));
    let out = client
        .batch_meter_usage()
        .product_code("prod-j")
        .usage_records(
            UsageRecord::builder()
                .customer_aws_account_id("333333333333")
                .dimension("users")
                .quantity(2)
                .timestamp(SystemTime::now())
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.results()[0].status(),
        Some(&UsageRecordResultStatus::Success)
    );

    // A request signed for another region is refused.
    let elsewhere = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(sim.endpoint_url())
            .credentials(Credentials::new("AKJ", "SJ", None))
            .retry_config(RetryConfig::disabled())
            .build(),
    );
    let result = elsewhere
        .resolve_customer()
        .registration_token("t-j")
        .send()
        .await;
    assert_eq!(code(result), "InvalidSignatureException");
}

#[tokio::test]
async fn bad_configurations_are_errors() {
    for (json, needle) in [
        (
            r#"{"products": [{"code": "p", "kind": "toaster"}]}"#,
            "unknown variant",
        ),
        (r#"{"colour": "red"}"#, "unknown field"),
        (
            r#"{"customers": [{"identifier": "c", "aws_account_id": "1", "subscriptions": ["p"]}]}"#,
            "unknown product p",
        ),
        (r#"{"unprocessed_share": 2}"#, "between 0 and 1"),
        (r#"{"now": "noon"}"#, "RFC 3339"),
    ] {
        let error = Simulator::builder()
            .from_json(json)
            .start()
            .await
            .unwrap_err();
        assert!(error.to_string().contains(needle), "{json}: {error}");
    }
    let error = Simulator::builder()
        .from_file("/nonexistent/sim.json")
        .start()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/sim.json"),
        "{error}"
    );
}

/// Sends one raw HTTP request and returns the status line and body.
async fn raw(sim: &Simulator, target: &str, body: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(sim.local_addr())
        .await
        .unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        sim.local_addr(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .unwrap()
    .unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

#[tokio::test]
async fn raw_requests_are_validated() {
    // No access key configured: signatures are not checked, so raw requests get through.
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users"]))
        .clock(now)
        .start()
        .await
        .unwrap();
    let (status, body) = raw(
        &sim,
        "AWSMPMeteringService.MeterUsage",
        r#"{"ProductCode":"prod-saas"}"#,
    )
    .await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(body.contains(r#""__type":"ValidationException""#), "{body}");
    assert!(body.contains("timestamp"), "{body}");

    let records: Vec<String> = (0..26)
        .map(|_| {
            r#"{"Timestamp":1796200000,"Dimension":"users","CustomerAWSAccountId":"1"}"#.to_owned()
        })
        .collect();
    let body = format!(
        r#"{{"ProductCode":"prod-saas","UsageRecords":[{}]}}"#,
        records.join(",")
    );
    let (_, body) = raw(&sim, "AWSMPMeteringService.BatchMeterUsage", &body).await;
    assert!(body.contains("less than or equal to 25"), "{body}");

    let (_, body) = raw(&sim, "AWSMPMeteringService.MeterUsage", r#"{"ProductCode":"prod-saas","Timestamp":1796200000,"UsageDimension":"users","UsageQuantity":1,"UsageQuantityAsDecimal":"1"}"#).await;
    assert!(body.contains("both"), "{body}");

    let tags: Vec<String> = (0..6)
        .map(|i| format!(r#"{{"Key":"k{i}","Value":"v"}}"#))
        .collect();
    let body = format!(
        r#"{{"ProductCode":"prod-saas","UsageRecords":[{{"Timestamp":1796200000,"Dimension":"users","CustomerAWSAccountId":"1","Quantity":1,"UsageAllocations":[{{"AllocatedUsageQuantity":1,"Tags":[{}]}}]}}]}}"#,
        tags.join(",")
    );
    let (_, body) = raw(&sim, "AWSMPMeteringService.BatchMeterUsage", &body).await;
    assert!(body.contains("InvalidTagException"), "{body}");

    let (_, body) = raw(&sim, "AWSMPMeteringService.Nope", "{}").await;
    assert!(body.contains("UnknownOperationException"), "{body}");
    let (_, body) = raw(&sim, "AWSMPMeteringService.MeterUsage", "not json").await;
    assert!(body.contains("SerializationException"), "{body}");

    // With keys configured, an unsigned request is refused.
    let signed = builder().start().await.unwrap();
    let (status, body) = raw(&signed, "AWSMPMeteringService.MeterUsage", "{}").await;
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    assert!(
        body.contains("MissingAuthenticationTokenException"),
        "{body}"
    );
}

#[tokio::test]
async fn shutdown_and_drop_stop_it() {
    let sim = builder().start().await.unwrap();
    let addr = sim.local_addr();
    sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let sim = builder().start().await.unwrap();
    let addr = sim.local_addr();
    drop(sim);
    // The accept loop is aborted on drop; give the runtime a moment to run the abort.
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "{addr} still accepts connections after drop");
}

// ---- The quick start ----

#[tokio::test]
async fn quick_start_meters_against_the_simulator_without_aws_configuration() {
    let no_env = |_: &str| None;
    let options = quick_start::options(Vec::<String>::new(), no_env).unwrap();
    assert_eq!(options.target, quick_start::Target::Simulator);
    let report = quick_start::run(&options).await.unwrap();
    assert!(
        report.contains("local simulator at http://127.0.0.1:"),
        "{report}"
    );
    assert!(
        report.contains("prod-quickstart / hours / hour "),
        "{report}"
    );
    assert!(report.contains(": 3.5 (account 123456789012)"), "{report}");
    assert_eq!(report.matches("prod-quickstart /").count(), 1, "{report}");
}

#[test]
fn quick_start_chooses_aws_when_configured() {
    let env = |name: &str| match name {
        "AWS_REGION" => Some("us-east-1".to_owned()),
        "AWS_ACCESS_KEY_ID" => Some("AKIA".to_owned()),
        "MARKETPLACE_PRODUCT_CODE" => Some("prod-real".to_owned()),
        _ => None,
    };
    let options = quick_start::options(Vec::<String>::new(), env).unwrap();
    assert_eq!(options.target, quick_start::Target::Aws);
    assert_eq!(options.product_code, "prod-real");
    // A flag wins over the environment; AWS needs a product code.
    let forced = quick_start::options(vec!["--simulator".to_owned()], env).unwrap();
    assert_eq!(forced.target, quick_start::Target::Simulator);
    let error = quick_start::options(vec!["--aws".to_owned()], |_: &str| None).unwrap_err();
    assert!(error.contains("product code"), "{error}");
}

// ---- The binary ----

#[tokio::test]
async fn the_binary_serves_a_config_file() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = std::env::temp_dir().join(format!("sim-bin-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("sim.json");
    let key = dir.join("key.pem");
    std::fs::write(
        &config,
        r#"{
            "products": [{"code": "prod-bin", "kind": "ami", "dimensions": ["hours"]}],
            "access_keys": [{"access_key_id": "AKID", "secret_access_key": "SECRET"}]
        }"#,
    )
    .unwrap();
    /// Ends the child process however the test ends.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_marketplace-metering-simulator"))
        .arg("--config")
        .arg(&config)
        .arg("--port")
        .arg("0")
        .arg("--public-key-out")
        .arg(&key)
        .stdout(Stdio::piped())
        .spawn()
        .map(KillOnDrop)
        .unwrap();
    let mut first_line = String::new();
    // Kept open until the child is ended.
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    stdout.read_line(&mut first_line).unwrap();
    let endpoint = first_line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{first_line:?}");
    let pem = std::fs::read_to_string(&key).unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let client = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(&endpoint)
            .credentials(Credentials::new("AKID", "SECRET", None))
            .build(),
    );
    let result = client
        .meter_usage()
        .product_code("prod-bin")
        .timestamp(SystemTime::now())
        .usage_dimension("hours")
        .usage_quantity_as_decimal("1")
        .send()
        .await;
    drop(child);
    drop(stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(result.unwrap().metering_record_id().is_some());
}
