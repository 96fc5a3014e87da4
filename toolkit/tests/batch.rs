//! The batch meterer against a fake service that answers each call as the test says.

mod common;

use common::{error, Fake};
use marketplace_metering::types::UsageRecord;
use marketplace_metering_toolkit::batch::{BatchMeterer, Outcome, SaasRecord};
use serde_json::{json, Value};
use std::time::{Duration, UNIX_EPOCH};

fn record(customer: usize, quantity: usize) -> UsageRecord {
    UsageRecord::builder()
        .customer_aws_account_id(format!("{:012}", customer))
        .dimension("users")
        .quantity_as_decimal(quantity.to_string())
        .timestamp(UNIX_EPOCH + Duration::from_secs(1_796_198_400))
        .build()
}

/// Answers every record of a call with `status` (`Success` etc.), unprocessed none.
fn answer_all(body: &Value, status: &str) -> Value {
    let results: Vec<Value> = body["UsageRecords"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"UsageRecord": r, "MeteringRecordId": format!("mr-{i}"), "Status": status}))
        .collect();
    json!({"Results": results, "UnprocessedRecords": []})
}

fn meterer(fake: &Fake) -> BatchMeterer {
    BatchMeterer::builder(fake.client())
        .max_requests_per_second(1000.0)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .max_attempts(3)
        .build()
}

#[tokio::test]
async fn records_are_grouped_by_product_and_chunked_by_25() {
    let fake = Fake::new(|_, op, body| {
        assert_eq!(op, "BatchMeterUsage");
        (200, answer_all(body, "Success"))
    });
    let mut records = Vec::new();
    for n in 0..60 {
        let product = ["prod-a", "prod-b"][n % 2];
        records.push(SaasRecord::new(product, record(n, n)));
    }
    let licensed = UsageRecord::builder()
        .license_arn("arn:aws:license-manager::123456789012:license:l-1")
        .dimension("users")
        .quantity_as_decimal("1")
        .timestamp(UNIX_EPOCH + Duration::from_secs(1_796_198_400))
        .build();
    records.push(SaasRecord::with_license(licensed));
    let report = meterer(&fake).meter(records.clone()).await;

    assert!(report.all_succeeded());
    assert_eq!(report.outcomes().len(), 61);
    for (i, outcome) in report.outcomes().iter().enumerate() {
        assert_eq!(outcome.index(), i);
        assert_eq!(outcome.record(), records[i].record());
        assert_eq!(outcome.attempts(), 1);
    }
    let calls = fake.calls();
    // None (the license-based record) sorts first, then prod-a (2 calls), prod-b (2 calls).
    let shape: Vec<(Option<&str>, usize)> = calls
        .iter()
        .map(|c| {
            (
                c.body["ProductCode"].as_str(),
                c.body["UsageRecords"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (None, 1),
            (Some("prod-a"), 25),
            (Some("prod-a"), 5),
            (Some("prod-b"), 25),
            (Some("prod-b"), 5)
        ]
    );
}

#[tokio::test]
async fn unprocessed_and_unanswered_records_are_sent_again() {
    // First call: record 0 unprocessed, record 1 not mentioned at all, results out of order
    // and written back differently (`3.0` for `3`); later calls: everything succeeds.
    let fake = Fake::new(|n, _, body| {
        if n > 0 {
            return (200, answer_all(body, "Success"));
        }
        let sent = body["UsageRecords"].as_array().unwrap();
        let mut rewritten = sent[3].clone();
        rewritten["QuantityAsDecimal"] = json!("3.0");
        (
            200,
            json!({
                "Results": [
                    {"UsageRecord": rewritten, "MeteringRecordId": "mr-3", "Status": "Success"},
                    {"UsageRecord": sent[2], "MeteringRecordId": "mr-2", "Status": "CustomerNotSubscribed"},
                    {"UsageRecord": sent[4], "Status": "DuplicateRecord"},
                    {"UsageRecord": record(99, 1), "Status": "Success"},
                    {"UsageRecord": sent[5], "Status": "SomethingNew"}
                ],
                "UnprocessedRecords": [sent[0]]
            }),
        )
    });
    let records: Vec<SaasRecord> = (0..6)
        .map(|n| SaasRecord::new("prod-a", record(n, n)))
        .collect();
    let report = meterer(&fake).meter(records).await;
    let outcomes = report.outcomes();
    assert!(matches!(outcomes[0].outcome(), Outcome::Success { .. }));
    assert_eq!(outcomes[0].attempts(), 2);
    assert!(matches!(outcomes[1].outcome(), Outcome::Success { .. }));
    assert_eq!(outcomes[1].attempts(), 2);
    assert!(matches!(
        outcomes[2].outcome(),
        Outcome::CustomerNotSubscribed
    ));
    assert!(matches!(
        outcomes[3].outcome(),
        Outcome::Success { metering_record_id: Some(id) } if id == "mr-3"
    ));
    assert_eq!(outcomes[3].attempts(), 1);
    assert!(matches!(outcomes[4].outcome(), Outcome::DuplicateRecord));
    assert!(matches!(outcomes[5].outcome(), Outcome::OtherStatus(s) if s == "SomethingNew"));
    // The second call carried exactly the two unconfirmed records.
    let calls = fake.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].body["UsageRecords"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn records_never_confirmed_are_reported_unconfirmed() {
    let fake = Fake::new(|n, _, body| match n {
        0 => error(400, "ThrottlingException"),
        1 => error(500, "InternalServiceErrorException"),
        _ => (
            200,
            json!({"Results": [], "UnprocessedRecords": body["UsageRecords"]}),
        ),
    });
    let records: Vec<SaasRecord> = (0..3)
        .map(|n| SaasRecord::new("prod-a", record(n, n)))
        .collect();
    let report = meterer(&fake).meter(records).await;
    assert_eq!(fake.calls().len(), 3, "max_attempts bounds the calls");
    assert_eq!(report.unconfirmed().count(), 3);
    for outcome in report.outcomes() {
        assert_eq!(outcome.attempts(), 3);
        // The last error is kept for the caller to see.
        match outcome.outcome() {
            Outcome::Unconfirmed {
                last_error: Some(error),
            } => assert_eq!(error.code(), Some("InternalServiceErrorException")),
            other => panic!("{other:?}"),
        }
    }

    // Only transient failures, to the end.
    let fake = Fake::new(|_, _, _| error(503, "ServiceUnavailable"));
    let report = meterer(&fake)
        .meter([SaasRecord::new("prod-a", record(1, 1))])
        .await;
    assert!(matches!(
        report.outcomes()[0].outcome(),
        Outcome::Unconfirmed {
            last_error: Some(_)
        }
    ));
}

#[tokio::test]
async fn a_call_refused_for_one_record_is_split_to_find_it() {
    // The service refuses any call carrying customer 5's record.
    let fake = Fake::new(|_, _, body| {
        let bad = body["UsageRecords"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["CustomerAWSAccountId"] == json!(format!("{:012}", 5)));
        if bad {
            error(400, "TimestampOutOfBoundsException")
        } else {
            (200, answer_all(body, "Success"))
        }
    });
    let records: Vec<SaasRecord> = (0..25)
        .map(|n| SaasRecord::new("prod-a", record(n, n)))
        .collect();
    let report = meterer(&fake).meter(records).await;
    for outcome in report.outcomes() {
        if outcome.index() == 5 {
            assert!(
                matches!(outcome.outcome(), Outcome::Failed(e) if e.code() == Some("TimestampOutOfBoundsException"))
            );
        } else {
            assert!(outcome.outcome().is_success(), "{outcome:?}");
        }
    }
    // Binary search: far fewer calls than one per record.
    assert!(fake.calls().len() <= 12, "{} calls", fake.calls().len());

    // The same for a record the client refuses to send (no dimension) and one the service's
    // validation refuses (not a decimal).
    let fake = Fake::new(|_, _, body| {
        let bad = body["UsageRecords"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["QuantityAsDecimal"] == json!("1,5"));
        if bad {
            error(400, "ValidationException")
        } else {
            (200, answer_all(body, "Success"))
        }
    });
    let mut records: Vec<SaasRecord> = (0..10)
        .map(|n| SaasRecord::new("prod-a", record(n, n)))
        .collect();
    let mut no_dimension = record(3, 3);
    no_dimension.dimension = None;
    records[3] = SaasRecord::new("prod-a", no_dimension);
    let mut comma = record(7, 7);
    comma.quantity_as_decimal = Some("1,5".into());
    records[7] = SaasRecord::new("prod-a", comma);
    let report = meterer(&fake).meter(records).await;
    for outcome in report.outcomes() {
        match outcome.index() {
            3 => assert!(
                matches!(outcome.outcome(), Outcome::Failed(e) if matches!(**e, marketplace_metering::Error::Validation(_))),
                "{outcome:?}"
            ),
            7 => assert!(
                matches!(outcome.outcome(), Outcome::Failed(e) if e.code() == Some("ValidationException")),
                "{outcome:?}"
            ),
            _ => assert!(outcome.outcome().is_success(), "{outcome:?}"),
        }
    }

    // A refusal about the call as a whole fails its records at once, without splitting.
    let fake = Fake::new(|_, _, _| error(400, "InvalidProductCodeException"));
    let records: Vec<SaasRecord> = (0..25)
        .map(|n| SaasRecord::new("prod-x", record(n, n)))
        .collect();
    let report = meterer(&fake).meter(records).await;
    assert_eq!(fake.calls().len(), 1);
    assert!(report
        .outcomes()
        .iter()
        .all(|o| matches!(o.outcome(), Outcome::Failed(_))));
}

#[tokio::test]
async fn calls_are_paced_to_the_rate() {
    let fake = Fake::new(|_, _, body| (200, answer_all(body, "Success")));
    let meterer = BatchMeterer::builder(fake.client())
        .max_requests_per_second(50.0)
        .build();
    let records: Vec<SaasRecord> = (0..125)
        .map(|n| SaasRecord::new("prod-a", record(n, n)))
        .collect();
    let report = meterer.meter(records).await;
    assert!(report.all_succeeded());
    let calls = fake.calls();
    assert_eq!(calls.len(), 5);
    // Five calls at 50 per second: the last starts at least 4 intervals of 20 ms after the
    // first (a lower bound only; a slow machine takes longer).
    let span = calls[4].at - calls[0].at;
    assert!(span >= Duration::from_millis(75), "{span:?}");
}

#[tokio::test]
async fn calls_stay_under_a_megabyte() {
    let fake = Fake::new(|_, _, body| (200, answer_all(body, "Success")));
    // Records of 2,500 allocations of 5 tags each: about 400 KB of JSON apiece.
    let allocation = marketplace_metering::types::UsageAllocation::builder()
        .allocated_usage_quantity_as_decimal("0")
        .set_tags(Some(
            (0..5)
                .map(|k| {
                    marketplace_metering::types::Tag::builder()
                        .key(format!("key-{k}"))
                        .value("v".repeat(20))
                        .build()
                })
                .collect(),
        ))
        .build();
    let records: Vec<SaasRecord> = (0..5)
        .map(|n| {
            let mut r = record(n, 0);
            r.usage_allocations = Some(vec![allocation.clone(); 2500]);
            SaasRecord::new("prod-a", r)
        })
        .collect();
    let report = meterer(&fake).meter(records).await;
    assert!(report.all_succeeded());
    let calls = fake.calls();
    assert!(calls.len() >= 3, "{} calls", calls.len());
    for call in calls {
        assert!(call.body.to_string().len() < 1_000_000);
    }
}
