//! The tools end to end against the local Metering Service, through the generated client.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use marketplace_metering::types::UsageRecord;
use marketplace_metering::{Client, Config, Credentials};
use marketplace_metering_simulator::{Customer, Product, ProductKind, Query, Simulator};
use marketplace_metering_toolkit::batch::{BatchMeterer, Outcome, SaasRecord};
use marketplace_metering_toolkit::hourly::{HourStatus, HourlyMeterer};
use marketplace_metering_toolkit::register::{Expected, RegisterError, Verifier, VerifyError};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-12-02T08:00:00Z.
const H0: i64 = 1_796_198_400;

fn client(sim: &Simulator) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .endpoint_url(sim.endpoint_url())
            .build(),
    )
}

/// A clock the test moves, shared with the simulator.
fn clock() -> (
    Arc<AtomicI64>,
    impl Fn() -> SystemTime + Clone + Send + Sync + 'static,
) {
    let secs = Arc::new(AtomicI64::new(H0 + 60));
    let read = secs.clone();
    (secs, move || {
        UNIX_EPOCH + Duration::from_secs(read.load(Ordering::SeqCst) as u64)
    })
}

#[tokio::test]
async fn batch_metering_reports_every_record() {
    let (_, now) = clock();
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users", "gb"]))
        .product(Product::new("prod-other", ProductKind::Saas).dimensions(["users"]))
        .customer(
            Customer::new("cust-1", "111111111111")
                .subscribed_to("prod-saas")
                .subscribed_to("prod-other"),
        )
        .customer(Customer::new("cust-2", "222222222222").subscribed_to("prod-saas"))
        .customer(Customer::new("cust-3", "333333333333"))
        .access_key("AKID", "SECRET")
        .unprocessed_share(0.3)
        .seed(7)
        .clock(now.clone())
        .start()
        .await
        .unwrap();
    sim.faults().throttle_next(1);

    let accounts = ["111111111111", "222222222222", "333333333333"];
    let mut records = Vec::new();
    for n in 0..70u64 {
        let account = accounts[(n % 3) as usize];
        let product = if n % 7 == 0 {
            "prod-other"
        } else {
            "prod-saas"
        };
        let record = UsageRecord::builder()
            .customer_aws_account_id(account)
            .dimension("users")
            .quantity_as_decimal((1 + n % 5).to_string())
            // One record per customer, product, dimension and hour.
            .timestamp(now() - Duration::from_secs(n / 3 * 3600))
            .build();
        records.push(SaasRecord::new(product, record));
    }
    let meterer = BatchMeterer::builder(client(&sim))
        .max_requests_per_second(100.0)
        .initial_backoff(Duration::from_millis(5))
        .max_attempts(10)
        .build();
    let report = meterer.meter(records.clone()).await;

    assert_eq!(report.outcomes().len(), records.len());
    let mut successes = 0;
    for (outcome, input) in report.outcomes().iter().zip(&records) {
        assert_eq!(outcome.record(), input.record());
        let account = input.record().customer_aws_account_id().unwrap();
        let subscribed = account != "333333333333"
            && !(account == "222222222222" && input.product_code() == Some("prod-other"));
        match outcome.outcome() {
            Outcome::Success { .. } => {
                assert!(subscribed, "{outcome:?}");
                successes += 1;
            }
            Outcome::CustomerNotSubscribed => assert!(!subscribed, "{outcome:?}"),
            other => panic!("{other:?}"),
        }
    }
    // What was billed is exactly what was reported a success, once each.
    assert_eq!(sim.records().len(), successes);
    assert!(report.outcomes().iter().any(|o| o.attempts() > 1));

    // The same records again: de-duplicated by the service, nothing billed twice.
    let again = meterer.meter(records.clone()).await;
    assert_eq!(sim.records().len(), successes);
    assert_eq!(
        again.not_succeeded().count(),
        report.not_succeeded().count()
    );

    // Another quantity for a record already metered: `DuplicateRecord`.
    let mut changed = records[1].record().clone();
    changed.quantity_as_decimal = Some("99".into());
    let report = meterer.meter([SaasRecord::new("prod-saas", changed)]).await;
    assert!(matches!(
        report.outcomes()[0].outcome(),
        Outcome::DuplicateRecord
    ));
    sim.shutdown().await;
}

#[tokio::test]
async fn batch_metering_stays_within_the_request_rate() {
    let (_, now) = clock();
    // The service throttles beyond 5 calls a second (bursts of 5); the meterer sends 4.
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-saas"))
        .access_key("AKID", "SECRET")
        .throttle_per_second(5.0)
        .clock(now.clone())
        .start()
        .await
        .unwrap();
    let records: Vec<SaasRecord> = (0..200u64)
        .map(|n| {
            SaasRecord::new(
                "prod-saas",
                UsageRecord::builder()
                    .customer_aws_account_id("111111111111")
                    .dimension("users")
                    .quantity_as_decimal("1")
                    // Minutes apart: many records of one hour, the same quantity, all accepted.
                    .timestamp(now() - Duration::from_secs(n * 60))
                    .build(),
            )
        })
        .collect();
    let report = BatchMeterer::builder(client(&sim))
        .max_requests_per_second(4.0)
        .build()
        .meter(records)
        .await;
    assert!(report.all_succeeded());
    // Eight calls, none throttled: every record went once.
    assert_eq!(sim.request_count(), 8);
    assert!(report.outcomes().iter().all(|o| o.attempts() == 1));
    sim.shutdown().await;
}

#[tokio::test]
async fn batch_metering_isolates_a_record_out_of_bounds() {
    let (_, now) = clock();
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-saas"))
        .access_key("AKID", "SECRET")
        .clock(now.clone())
        .start()
        .await
        .unwrap();
    let records: Vec<SaasRecord> = (0..20u64)
        .map(|n| {
            // Record 13 is two days old: outside what the service accepts.
            let age = if n == 13 { 48 * 3600 } else { n * 3600 };
            SaasRecord::new(
                "prod-saas",
                UsageRecord::builder()
                    .customer_aws_account_id("111111111111")
                    .dimension("users")
                    .quantity_as_decimal("1")
                    .timestamp(now() - Duration::from_secs(age))
                    .build(),
            )
        })
        .collect();
    let report = BatchMeterer::builder(client(&sim))
        .max_requests_per_second(100.0)
        .build()
        .meter(records)
        .await;
    for outcome in report.outcomes() {
        if outcome.index() == 13 {
            assert!(
                matches!(outcome.outcome(), Outcome::Failed(e) if e.code() == Some("TimestampOutOfBoundsException")),
                "{outcome:?}"
            );
        } else {
            assert!(outcome.outcome().is_success(), "{outcome:?}");
        }
    }
    assert_eq!(sim.records().len(), 19);
    sim.shutdown().await;
}

#[tokio::test]
async fn hourly_metering_bills_each_hour_once() {
    let (secs, now) = clock();
    let sim = Simulator::builder()
        .product(Product::new("prod-ami", ProductKind::Ami).dimensions(["cpu", "mem"]))
        .access_key("AKID", "SECRET")
        .clock(now.clone())
        .start()
        .await
        .unwrap();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("simulator-hourly");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("metering.journal");
    let open = || {
        HourlyMeterer::at(&path)
            .clock(now.clone())
            .open(client(&sim), "prod-ami")
            .unwrap()
    };

    let meterer = open();
    for hour in 0..3 {
        secs.store(H0 + hour * 3600 + 100, Ordering::SeqCst);
        meterer.record("cpu", 2).unwrap();
        meterer
            .record_tagged("cpu", 3, [("team", "analytics")])
            .unwrap();
        meterer.record("mem", 5).unwrap();
        let report = meterer.flush().await.unwrap();
        assert!(report.not_confirmed().next().is_none(), "{report:?}");
    }
    // A restart in the middle: what is open carries over.
    drop(meterer);
    let meterer = open();
    secs.store(H0 + 3 * 3600 + 100, Ordering::SeqCst);
    meterer.flush().await.unwrap();

    let records = sim.records();
    assert_eq!(records.len(), 6);
    let keys: BTreeSet<(String, SystemTime)> = records
        .iter()
        .map(|r| (r.dimension.clone(), r.hour))
        .collect();
    assert_eq!(keys.len(), 6, "one record per dimension and hour");
    for hour in 0..3 {
        let at = UNIX_EPOCH + Duration::from_secs((H0 + hour * 3600) as u64);
        let cpu = sim.query(&Query::new().dimension("cpu").hour(at));
        assert_eq!(cpu.len(), 1);
        assert_eq!(cpu[0].quantity, 5.0);
        assert_eq!(cpu[0].allocations.len(), 2);
        let mem = sim.query(&Query::new().dimension("mem").hour(at));
        assert_eq!(mem[0].quantity, 5.0);
        assert!(mem[0].allocations.is_empty());
    }

    // A failure of the service leaves the hour for the next flush, which sends it with the
    // same token; the simulator's failures answer 5xx.
    secs.store(H0 + 4 * 3600 + 100, Ordering::SeqCst);
    meterer.record("cpu", 1).unwrap();
    secs.store(H0 + 5 * 3600 + 100, Ordering::SeqCst);
    sim.faults().fail_next(10);
    let report = meterer.flush().await.unwrap();
    assert!(matches!(report.hours()[0].status(), HourStatus::Pending(_)));
    sim.faults().clear();
    let report = meterer.flush().await.unwrap();
    assert!(matches!(
        report.hours()[0].status(),
        HourStatus::Confirmed { .. }
    ));
    assert_eq!(sim.records().len(), 7);
    assert!(
        !path.exists(),
        "the journal is removed once all is confirmed"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn register_usage_signatures_verify_and_tampering_is_caught() {
    let (secs, now) = clock();
    let sim = Simulator::builder()
        .product(Product::new("prod-box", ProductKind::Container))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-box"))
        .buyer_account("111111111111")
        .access_key("AKID", "SECRET")
        .clock(now.clone())
        .start()
        .await
        .unwrap();
    let version = i64::from(sim.public_key_version());
    let verifier = Verifier::new()
        .with_public_key(version, &sim.public_key_pem())
        .unwrap()
        .clock(now.clone());
    let client = client(&sim);

    let output = client
        .register_usage()
        .product_code("prod-box")
        .public_key_version(sim.public_key_version())
        .nonce("nonce-42")
        .send()
        .await
        .unwrap();
    let expected = Expected::new("prod-box", version).nonce("nonce-42");
    let claims = verifier.verify_output(&output, &expected).unwrap();
    assert_eq!(claims.product_code(), "prod-box");
    assert_eq!(claims.nonce(), Some("nonce-42"));
    assert_eq!(claims.issued_at(), now());

    // The whole check in one call, with a random nonce.
    let claims = verifier
        .register_usage(&client, "prod-box", sim.public_key_version())
        .await
        .unwrap();
    assert_eq!(claims.nonce().map(str::len), Some(32));
    let refused = verifier.register_usage(&client, "prod-none", 1).await;
    assert!(
        matches!(&refused, Err(RegisterError::Call(e)) if e.code() == Some("InvalidProductCodeException")),
        "{refused:?}"
    );

    let token = output.signature().unwrap();
    // Another nonce, product or key version than the call's.
    assert!(matches!(
        verifier.verify(token, &Expected::new("prod-box", version).nonce("nonce-43")),
        Err(VerifyError::NonceMismatch { .. })
    ));
    assert!(matches!(
        verifier.verify(token, &Expected::new("prod-box", version)),
        Err(VerifyError::NonceMismatch { .. })
    ));
    assert!(matches!(
        verifier.verify(token, &Expected::new("prod-x", version).nonce("nonce-42")),
        Err(VerifyError::ProductCodeMismatch { .. })
    ));
    let two_keys = verifier
        .clone()
        .with_public_key(version + 1, &sim.public_key_pem())
        .unwrap();
    assert!(matches!(
        two_keys.verify(
            token,
            &Expected::new("prod-box", version + 1).nonce("nonce-42")
        ),
        Err(VerifyError::PublicKeyVersionMismatch { .. })
    ));
    // Tampered payload, header, signature; `alg: none`; another key.
    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let forged = URL_SAFE_NO_PAD.encode(payload.replace("nonce-42", "nonce-99"));
    assert_eq!(
        verifier.verify(
            &format!("{}.{forged}.{}", parts[0], parts[2]),
            &Expected::new("prod-box", version).nonce("nonce-99")
        ),
        Err(VerifyError::BadSignature)
    );
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256","typ":"JWT","kid":"x"}"#);
    assert_eq!(
        verifier.verify(&format!("{header}.{}.{}", parts[1], parts[2]), &expected),
        Err(VerifyError::BadSignature)
    );
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let last = signature.len() - 1;
    signature[last] ^= 0x80;
    assert_eq!(
        verifier.verify(
            &format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                URL_SAFE_NO_PAD.encode(&signature)
            ),
            &expected
        ),
        Err(VerifyError::BadSignature)
    );
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    assert_eq!(
        verifier.verify(&format!("{none}.{}.", parts[1]), &expected),
        Err(VerifyError::UnsupportedAlgorithm("none".into()))
    );
    let other = Verifier::new()
        .with_public_key(version, include_str!("data/other_key.spki.pem"))
        .unwrap()
        .clock(now.clone());
    assert_eq!(
        other.verify(token, &expected),
        Err(VerifyError::BadSignature)
    );
    // A buyer without a subscription.
    let (_, now2) = clock();
    let unsubscribed = Simulator::builder()
        .product(Product::new("prod-box", ProductKind::Container))
        .customer(Customer::new("cust-9", "999999999999"))
        .buyer_account("999999999999")
        .access_key("AKID", "SECRET")
        .clock(now2)
        .start()
        .await
        .unwrap();
    let refused = verifier
        .register_usage(&self::client(&unsubscribed), "prod-box", 1)
        .await;
    assert!(
        matches!(&refused, Err(RegisterError::Call(e)) if e.code() == Some("CustomerNotEntitledException")),
        "{refused:?}"
    );
    unsubscribed.shutdown().await;
    // Kept too long.
    secs.fetch_add(3600, Ordering::SeqCst);
    assert!(matches!(
        verifier.verify(token, &expected),
        Err(VerifyError::Expired { .. })
    ));
    sim.shutdown().await;
}
