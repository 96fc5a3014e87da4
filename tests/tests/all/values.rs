//! Inputs, outputs and shapes are plain values: built with builders, sent with
//! `client.send`, and read and written with serde in the wire format.

use crate::common::{self, allocation, assert_body, assert_envelope, client, only_request, tag};
use integration_tests::{Reply, TestServer};
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
use marketplace_metering::operation::meter_usage::MeterUsageInput;
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::operation::resolve_customer::{
    ResolveCustomerInput, ResolveCustomerOutput,
};
use marketplace_metering::types::{UsageRecord, UsageRecordResultStatus};
use marketplace_metering::DateTime;
use serde_json::{json, Value};

const METER_USAGE_WIRE: &str = r#"{
    "ProductCode": "prod-ü",
    "Timestamp": 1700000000.25,
    "UsageDimension": "users",
    "UsageQuantityAsDecimal": "3.5",
    "DryRun": false,
    "UsageAllocations": [
        {"AllocatedUsageQuantityAsDecimal": "3.5", "Tags": [{"Key": "k", "Value": "v"}]}
    ],
    "ClientToken": "fixed-token"
}"#;

#[tokio::test]
async fn a_built_input_is_sent_with_client_send() {
    let server = TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"r"}"#)).await;
    let input = MeterUsageInput::builder()
        .product_code("p")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("d")
        .usage_quantity_as_decimal("2.5")
        .usage_allocations(allocation("2.5", vec![tag("k", "v")]))
        .client_token("tok")
        .build()
        .expect("valid input");
    assert_eq!(input.product_code(), Some("p"));
    assert_eq!(input.usage_allocations().len(), 1);

    let out = client(&server).send(input).await.expect("sent");
    assert_eq!(out.metering_record_id(), Some("r"));
    let req = only_request(&server).await;
    assert_envelope(&req, "MeterUsage");
    assert_body(
        &req,
        &json!({
            "ProductCode": "p",
            "Timestamp": 1_700_000_000,
            "UsageDimension": "d",
            "UsageQuantityAsDecimal": "2.5",
            "UsageAllocations": [
                {"AllocatedUsageQuantityAsDecimal": "2.5", "Tags": [{"Key": "k", "Value": "v"}]}
            ],
            "ClientToken": "tok"
        }),
    );
}

#[tokio::test]
async fn a_built_input_without_token_gets_one_when_sent() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let input = MeterUsageInput::builder()
        .product_code("p")
        .timestamp(DateTime::from_secs(1))
        .usage_dimension("d")
        .build()
        .unwrap();
    assert_eq!(input.client_token(), None);
    client(&server).send(input).await.unwrap();
    let req = only_request(&server).await;
    let token = req.body_json()["ClientToken"].as_str().unwrap().to_owned();
    assert!(common::is_uuid_v4(&token), "{token}");
}

#[tokio::test]
async fn a_wire_body_round_trips_and_is_sent_unchanged() {
    let wire: Value = serde_json::from_str(METER_USAGE_WIRE).unwrap();
    let input: MeterUsageInput = serde_json::from_str(METER_USAGE_WIRE).expect("wire JSON reads");
    assert_eq!(input.product_code(), Some("prod-ü"));
    assert_eq!(
        input.timestamp(),
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000))
    );
    assert_eq!(input.dry_run(), Some(false));
    assert_eq!(serde_json::to_value(&input).unwrap(), wire);

    let server = TestServer::always(Reply::json(200, "{}")).await;
    client(&server).send(input).await.expect("sent");
    let req = only_request(&server).await;
    assert_envelope(&req, "MeterUsage");
    assert_body(&req, &wire);
}

#[tokio::test]
async fn a_deserialized_resolve_customer_input_is_sent() {
    let input: ResolveCustomerInput =
        serde_json::from_str(r#"{"RegistrationToken":"abc"}"#).unwrap();
    let server = TestServer::always(Reply::json(200, "{}")).await;
    client(&server).send(input).await.unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "ResolveCustomer");
    assert_body(&req, &json!({"RegistrationToken": "abc"}));
}

/// Reads `$wire` as a `$ty`, checks that writing it gives the same JSON and
/// that reading that again gives the same value; evaluates to the value.
macro_rules! assert_round_trip {
    ($ty:ty, $wire:expr $(,)?) => {{
        let wire: &str = $wire;
        let expected: Value = serde_json::from_str(wire).unwrap();
        let value: $ty = serde_json::from_str(wire).unwrap_or_else(|e| panic!("{e}: {wire}"));
        assert_eq!(serde_json::to_value(&value).unwrap(), expected);
        let again: $ty = serde_json::from_value(expected).unwrap();
        assert_eq!(again, value);
        value
    }};
}

#[test]
fn outputs_round_trip() {
    let out = assert_round_trip!(
        BatchMeterUsageOutput,
        r#"{
            "Results": [
                {
                    "UsageRecord": {
                        "Timestamp": 1700000000,
                        "CustomerAWSAccountId": "123456789012",
                        "Dimension": "d",
                        "QuantityAsDecimal": "1.5",
                        "UsageAllocations": [
                            {"AllocatedUsageQuantityAsDecimal": "1.5", "Tags": [{"Key": "k", "Value": "v"}]}
                        ]
                    },
                    "MeteringRecordId": "m",
                    "Status": "Success"
                },
                {"MeteringRecordId": "n", "Status": "SomethingNew"}
            ],
            "UnprocessedRecords": [{"Timestamp": 1700000000.5, "Dimension": "e", "Quantity": 2}]
        }"#,
    );
    assert_eq!(
        out.results()[0].status(),
        Some(&UsageRecordResultStatus::Success)
    );
    assert_eq!(
        out.results()[1].status().map(|s| s.as_str()),
        Some("SomethingNew")
    );

    let out = assert_round_trip!(
        ResolveCustomerOutput,
        r#"{"CustomerIdentifier":"c","ProductCode":"p","CustomerAWSAccountId":"1",
            "LicenseArn":"arn:l","Metadata":{"AgreementId":"a"}}"#,
    );
    assert_eq!(out.metadata().and_then(|m| m.agreement_id()), Some("a"));

    let out = assert_round_trip!(
        RegisterUsageOutput,
        r#"{"PublicKeyRotationTimestamp":1700000000.125,"Signature":"s"}"#
    );
    assert_eq!(
        out.public_key_rotation_timestamp(),
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 125_000_000))
    );

    // Fractions that binary floating point cannot hold exactly still come back
    // as the same JSON number.
    for fraction in ["001", "123", "5", "999", "000001"] {
        let wire = format!(r#"{{"PublicKeyRotationTimestamp":1700000000.{fraction}}}"#);
        assert_round_trip!(RegisterUsageOutput, &wire);
        let text =
            serde_json::to_string(&serde_json::from_str::<RegisterUsageOutput>(&wire).unwrap())
                .unwrap();
        assert_eq!(text, wire);
    }

    let empty = assert_round_trip!(RegisterUsageOutput, "{}");
    assert_eq!(empty, RegisterUsageOutput::default());
}

#[test]
fn a_usage_record_round_trips() {
    let record = assert_round_trip!(
        UsageRecord,
        r#"{
            "Timestamp": 1700000000.5,
            "CustomerIdentifier": "cust",
            "Dimension": "d",
            "Quantity": 4,
            "QuantityAsDecimal": "4.0",
            "UsageAllocations": [
                {"AllocatedUsageQuantity": 4, "AllocatedUsageQuantityAsDecimal": "4.0",
                 "Tags": [{"Key": "k", "Value": "ü"}]}
            ],
            "CustomerAWSAccountId": "123456789012",
            "LicenseArn": "arn:l"
        }"#,
    );
    assert_eq!(record.dimension(), Some("d"));
    assert_eq!(record.usage_allocations()[0].tags()[0].value(), Some("ü"));

    // A record made with its builder writes the same wire form.
    #[allow(deprecated)]
    let built = UsageRecord::builder()
        .timestamp(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
        .customer_identifier("cust")
        .dimension("d")
        .quantity(4)
        .quantity_as_decimal("4.0")
        .usage_allocations(
            marketplace_metering::types::UsageAllocation::builder()
                .allocated_usage_quantity(4)
                .allocated_usage_quantity_as_decimal("4.0")
                .tags(tag("k", "ü"))
                .build(),
        )
        .customer_aws_account_id("123456789012")
        .license_arn("arn:l")
        .build();
    assert_eq!(built, record);
}
