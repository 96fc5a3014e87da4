//! Reading successful responses: every output member, unknown fields and enum
//! values, and empty bodies.

use crate::common::{self, client};
use integration_tests::{Reply, TestServer};
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
use marketplace_metering::operation::meter_usage::MeterUsageOutput;
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::operation::resolve_customer::ResolveCustomerOutput;
use marketplace_metering::types::UsageRecordResultStatus;
use marketplace_metering::{Client, DateTime};

async fn answering(body: &str) -> (TestServer, Client) {
    let server = TestServer::always(Reply::json(200, body)).await;
    let client = client(&server);
    (server, client)
}

async fn meter_usage(client: &Client) -> MeterUsageOutput {
    common::valid_meter_usage(client)
        .send()
        .await
        .expect("MeterUsage succeeds")
}

async fn batch_meter_usage(client: &Client) -> BatchMeterUsageOutput {
    common::valid_batch_meter_usage(client)
        .send()
        .await
        .expect("BatchMeterUsage succeeds")
}

async fn register_usage(client: &Client) -> RegisterUsageOutput {
    common::valid_register_usage(client)
        .send()
        .await
        .expect("RegisterUsage succeeds")
}

async fn resolve_customer(client: &Client) -> ResolveCustomerOutput {
    common::valid_resolve_customer(client)
        .send()
        .await
        .expect("ResolveCustomer succeeds")
}

#[tokio::test]
async fn meter_usage_output() {
    let (_server, client) = answering(r#"{"MeteringRecordId":"8f0c-ü-1"}"#).await;
    let out = meter_usage(&client).await;
    assert_eq!(out.metering_record_id(), Some("8f0c-ü-1"));
}

#[tokio::test]
async fn resolve_customer_output() {
    let (_server, client) = answering(
        r#"{
            "CustomerIdentifier": "cust-1",
            "ProductCode": "prod-1",
            "CustomerAWSAccountId": "123456789012",
            "LicenseArn": "arn:aws:license-manager::123456789012:license:l-1",
            "Metadata": {"AgreementId": "agmt-123"}
        }"#,
    )
    .await;
    let out = resolve_customer(&client).await;
    assert_eq!(out.customer_identifier(), Some("cust-1"));
    assert_eq!(out.product_code(), Some("prod-1"));
    assert_eq!(out.customer_aws_account_id(), Some("123456789012"));
    assert_eq!(
        out.license_arn(),
        Some("arn:aws:license-manager::123456789012:license:l-1")
    );
    assert_eq!(
        out.metadata().and_then(|m| m.agreement_id()),
        Some("agmt-123")
    );
}

#[tokio::test]
async fn register_usage_output_with_whole_seconds() {
    let (_server, client) =
        answering(r#"{"PublicKeyRotationTimestamp":1700000000,"Signature":"eyJhbGciOi.sig"}"#)
            .await;
    let out = register_usage(&client).await;
    assert_eq!(
        out.public_key_rotation_timestamp(),
        Some(DateTime::from_secs(1_700_000_000))
    );
    assert_eq!(out.signature(), Some("eyJhbGciOi.sig"));
}

#[tokio::test]
async fn register_usage_output_with_fractional_seconds() {
    let (_server, client) =
        answering(r#"{"PublicKeyRotationTimestamp":1700000000.123,"Signature":"s"}"#).await;
    let out = register_usage(&client).await;
    let ts = out.public_key_rotation_timestamp().expect("timestamp");
    assert_eq!(ts.secs(), 1_700_000_000);
    assert_eq!(ts.subsec_nanos(), 123_000_000);
    assert_eq!(
        ts,
        DateTime::from_secs_and_nanos(1_700_000_000, 123_000_000)
    );
}

#[tokio::test]
async fn batch_meter_usage_output() {
    let (_server, client) = answering(
        r#"{
            "Results": [
                {
                    "UsageRecord": {
                        "Timestamp": 1700000000.5,
                        "CustomerIdentifier": "cust-1",
                        "Dimension": "api",
                        "Quantity": 3,
                        "QuantityAsDecimal": "3.5",
                        "UsageAllocations": [
                            {
                                "AllocatedUsageQuantity": 3,
                                "AllocatedUsageQuantityAsDecimal": "3.5",
                                "Tags": [{"Key": "team", "Value": "red"}]
                            }
                        ],
                        "CustomerAWSAccountId": "123456789012",
                        "LicenseArn": "arn:l"
                    },
                    "MeteringRecordId": "mr-1",
                    "Status": "Success"
                },
                {"MeteringRecordId": "mr-2", "Status": "CustomerNotSubscribed"},
                {"MeteringRecordId": "mr-3", "Status": "DuplicateRecord"},
                {"MeteringRecordId": "mr-4", "Status": "SomethingNew"}
            ],
            "UnprocessedRecords": [
                {"Timestamp": 1700000001, "Dimension": "retry-me", "QuantityAsDecimal": "1"}
            ]
        }"#,
    )
    .await;
    let out = batch_meter_usage(&client).await;
    let results = out.results();
    assert_eq!(results.len(), 4);

    let first = &results[0];
    assert_eq!(first.metering_record_id(), Some("mr-1"));
    assert_eq!(first.status(), Some(&UsageRecordResultStatus::Success));
    let record = first.usage_record().expect("usage record");
    assert_eq!(
        record.timestamp(),
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
    );
    assert_eq!(record.customer_identifier(), Some("cust-1"));
    assert_eq!(record.dimension(), Some("api"));
    #[allow(deprecated)]
    {
        assert_eq!(record.quantity(), Some(3));
        assert_eq!(
            record.usage_allocations()[0].allocated_usage_quantity(),
            Some(3)
        );
    }
    assert_eq!(record.quantity_as_decimal(), Some("3.5"));
    assert_eq!(record.customer_aws_account_id(), Some("123456789012"));
    assert_eq!(record.license_arn(), Some("arn:l"));
    let allocations = record.usage_allocations();
    assert_eq!(allocations.len(), 1);
    assert_eq!(
        allocations[0].allocated_usage_quantity_as_decimal(),
        Some("3.5")
    );
    assert_eq!(allocations[0].tags().len(), 1);
    assert_eq!(allocations[0].tags()[0].key(), Some("team"));
    assert_eq!(allocations[0].tags()[0].value(), Some("red"));

    assert_eq!(
        results[1].status(),
        Some(&UsageRecordResultStatus::CustomerNotSubscribed)
    );
    assert!(results[1].usage_record().is_none());
    assert_eq!(
        results[2].status(),
        Some(&UsageRecordResultStatus::DuplicateRecord)
    );

    let unknown = results[3].status().expect("status");
    assert_eq!(unknown.as_str(), "SomethingNew");
    assert_eq!(unknown.to_string(), "SomethingNew");
    assert!(
        matches!(unknown, UsageRecordResultStatus::Unknown(v) if v.as_str() == "SomethingNew"),
        "{unknown:?}"
    );

    let unprocessed = out.unprocessed_records();
    assert_eq!(unprocessed.len(), 1);
    assert_eq!(unprocessed[0].dimension(), Some("retry-me"));
    assert_eq!(
        unprocessed[0].timestamp(),
        Some(DateTime::from_secs(1_700_000_001))
    );
    assert_eq!(unprocessed[0].quantity_as_decimal(), Some("1"));
}

#[test]
fn known_status_strings_map_to_variants() {
    for (text, variant) in [
        ("Success", UsageRecordResultStatus::Success),
        (
            "CustomerNotSubscribed",
            UsageRecordResultStatus::CustomerNotSubscribed,
        ),
        ("DuplicateRecord", UsageRecordResultStatus::DuplicateRecord),
    ] {
        assert_eq!(UsageRecordResultStatus::from(text), variant);
        assert_eq!(variant.as_str(), text);
    }
    assert!(matches!(
        UsageRecordResultStatus::from("success"),
        UsageRecordResultStatus::Unknown(_)
    ));
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let (_server, client) = answering(
        r#"{
            "NewTopLevel": {"deep": [1, 2, {"x": null}]},
            "Results": [
                {"MeteringRecordId": "mr-1", "Status": "Success", "Extra": 5,
                 "UsageRecord": {"Dimension": "d", "FutureMember": "x"}}
            ],
            "AlsoNew": "v"
        }"#,
    )
    .await;
    let out = batch_meter_usage(&client).await;
    assert_eq!(out.results().len(), 1);
    assert_eq!(out.results()[0].metering_record_id(), Some("mr-1"));
    assert_eq!(
        out.results()[0].usage_record().and_then(|r| r.dimension()),
        Some("d")
    );
    assert!(out.unprocessed_records().is_empty());

    let (_server, client) =
        answering(r#"{"Signature":"s","Unexpected":true,"Metadata":{"AgreementId":"a"}}"#).await;
    let out = register_usage(&client).await;
    assert_eq!(out.signature(), Some("s"));
    assert_eq!(out.public_key_rotation_timestamp(), None);
}

#[tokio::test]
async fn null_members_read_as_absent() {
    let (_server, client) = answering(
        r#"{"CustomerIdentifier":null,"ProductCode":"p","Metadata":null,"LicenseArn":null}"#,
    )
    .await;
    let out = resolve_customer(&client).await;
    assert_eq!(out.product_code(), Some("p"));
    assert_eq!(out.customer_identifier(), None);
    assert_eq!(out.metadata(), None);
    assert_eq!(out.license_arn(), None);
}

/// `{}`, a zero-length body and a whitespace-only body all give empty outputs.
#[tokio::test]
async fn empty_bodies_give_empty_outputs() {
    for body in ["{}", "", " \r\n"] {
        let (_server, client) = answering(body).await;

        let out = meter_usage(&client).await;
        assert_eq!(out.metering_record_id(), None, "body {body:?}");
        assert_eq!(out, MeterUsageOutput::default());

        let out = batch_meter_usage(&client).await;
        assert!(out.results().is_empty() && out.unprocessed_records().is_empty());
        assert_eq!(out, BatchMeterUsageOutput::default());

        let out = register_usage(&client).await;
        assert_eq!(out.public_key_rotation_timestamp(), None);
        assert_eq!(out.signature(), None);
        assert_eq!(out, RegisterUsageOutput::default());

        let out = resolve_customer(&client).await;
        assert_eq!(out.customer_identifier(), None);
        assert_eq!(out.product_code(), None);
        assert_eq!(out.customer_aws_account_id(), None);
        assert_eq!(out.license_arn(), None);
        assert_eq!(out.metadata(), None);
        assert_eq!(out, ResolveCustomerOutput::default());
    }
}

#[tokio::test]
async fn a_zero_length_body_without_content_type_is_an_empty_output() {
    let server = TestServer::always(Reply::new(200)).await;
    let out = meter_usage(&client(&server)).await;
    assert_eq!(out, MeterUsageOutput::default());
}

/// Every timestamp form botocore reads in a response (epoch seconds as numbers or
/// text, ISO 8601 with or without fraction and zone, HTTP dates) reads as the same
/// instant, at botocore's microsecond precision; what botocore refuses is refused.
/// The table is botocore's own answers (tests/data/derive_timestamp_cases.py).
#[tokio::test]
async fn timestamps_read_as_botocore_reads_them() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("../../data/timestamp_cases.json")).unwrap();
    let cases = table.as_array().expect("a list of cases");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in cases {
        let value = &case["value"];
        let body = serde_json::json!({ "PublicKeyRotationTimestamp": value, "Signature": "s" });
        let (_server, client) = answering(&body.to_string()).await;
        let result = common::valid_register_usage(&client).send().await;
        match &case["botocore"] {
            serde_json::Value::Null => {
                let error = result.expect_err(&format!("{value} is refused, as by botocore"));
                assert!(
                    error.to_string().contains("is not a timestamp")
                        || error.to_string().contains("not a representable date"),
                    "{value}: {error}"
                );
            }
            expected => {
                let out = result.unwrap_or_else(|e| panic!("{value}: {e}"));
                let ours = out.public_key_rotation_timestamp().expect("a timestamp");
                let ours_nanos =
                    i128::from(ours.secs()) * 1_000_000_000 + i128::from(ours.subsec_nanos());
                let botocore_nanos = i128::from(expected["seconds"].as_i64().unwrap())
                    * 1_000_000_000
                    + i128::from(expected["micros"].as_i64().unwrap()) * 1_000;
                // botocore keeps microseconds (rounded from a float, or cut from text):
                // within a microsecond of it is the same instant.
                assert!(
                    (ours_nanos - botocore_nanos).abs() < 1_000,
                    "{value}: ours {ours}, botocore {expected}"
                );
            }
        }
    }
}
