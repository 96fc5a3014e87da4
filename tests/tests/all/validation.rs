//! Client-side validation of the model's constraints: the error names the
//! member path and the broken rule, and nothing is sent.

use std::fmt::Debug;

use crate::common::{allocation, client, record, tag, valid_meter_usage, valid_register_usage};
use integration_tests::{Reply, TestServer};
use marketplace_metering::error::{SdkError, ValidationError};
use marketplace_metering::operation::batch_meter_usage::{
    BatchMeterUsageFluentBuilder, BatchMeterUsageInput,
};
use marketplace_metering::operation::meter_usage::MeterUsageInput;
use marketplace_metering::operation::register_usage::RegisterUsageInput;
use marketplace_metering::types::{Tag, UsageAllocation, UsageRecord};
use marketplace_metering::{Client, DateTime};

async fn setup() -> (TestServer, Client) {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = client(&server);
    (server, client)
}

/// An allocation without tags (Tags is optional).
fn untagged() -> UsageAllocation {
    UsageAllocation::builder()
        .allocated_usage_quantity_as_decimal("1")
        .build()
}

/// A BatchMeterUsage call with `records`.
fn batch(client: &Client, records: Vec<UsageRecord>) -> BatchMeterUsageFluentBuilder {
    client
        .batch_meter_usage()
        .product_code("p")
        .set_usage_records(Some(records))
}

/// Checks that `result` is a validation error at `path` for `problem` (an
/// exact text, or with a leading `~` a fragment), and that the server got
/// nothing.
async fn assert_invalid<O: Debug, E: Debug>(
    server: &TestServer,
    result: Result<O, SdkError<E>>,
    path: &str,
    problem: &str,
) -> ValidationError {
    let error = match result {
        Err(SdkError::Validation(error)) => error,
        other => panic!("{path}: expected a validation error, got {other:?}"),
    };
    assert_eq!(error.path(), path, "{error}");
    let text = error.to_string();
    match problem.strip_prefix('~') {
        Some(fragment) => {
            assert!(error.problem().contains(fragment), "{text}");
            assert!(text.contains(&format!("{path}: ")), "{text}");
        }
        None => {
            assert_eq!(error.problem(), problem, "{text}");
            assert!(text.contains(&format!("{path}: {problem}")), "{text}");
        }
    }
    assert!(
        server.requests().await.is_empty(),
        "{path}: an invalid input must not be sent"
    );
    error
}

#[tokio::test]
async fn required_members_must_be_set() {
    let (server, client) = setup().await;
    let result = client
        .meter_usage()
        .timestamp(DateTime::from_secs(1))
        .usage_dimension("d")
        .send()
        .await;
    assert_invalid(&server, result, "ProductCode", "~required").await;

    let result = client
        .meter_usage()
        .product_code("p")
        .usage_dimension("d")
        .send()
        .await;
    assert_invalid(&server, result, "Timestamp", "~required").await;

    let result = client.batch_meter_usage().product_code("p").send().await;
    assert_invalid(&server, result, "UsageRecords", "~required").await;

    let result = client.register_usage().product_code("p").send().await;
    assert_invalid(&server, result, "PublicKeyVersion", "~required").await;

    let result = client.resolve_customer().send().await;
    assert_invalid(&server, result, "RegistrationToken", "~required").await;
}

#[tokio::test]
async fn string_length_limits() {
    let (server, client) = setup().await;
    let valid = || valid_meter_usage(&client);
    let cases = [
        (
            valid().product_code("x".repeat(256)),
            "ProductCode",
            "length 256 is above the maximum 255",
        ),
        (
            valid().usage_dimension(""),
            "UsageDimension",
            "length 0 is below the minimum 1",
        ),
        (
            valid().usage_quantity_as_decimal("1".repeat(18)),
            "UsageQuantityAsDecimal",
            "length 18 is above the maximum 17",
        ),
        (
            valid().client_token("t".repeat(65)),
            "ClientToken",
            "length 65 is above the maximum 64",
        ),
    ];
    for (call, path, problem) in cases {
        assert_invalid(&server, call.send().await, path, problem).await;
    }

    let result = valid_register_usage(&client)
        .nonce("n".repeat(256))
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "Nonce",
        "length 256 is above the maximum 255",
    )
    .await;
}

#[tokio::test]
async fn list_length_limits() {
    let (server, client) = setup().await;
    let records: Vec<UsageRecord> = (0..26).map(|i| record(&format!("d{i}"))).collect();
    let result = batch(&client, records).send().await;
    assert_invalid(
        &server,
        result,
        "UsageRecords",
        "length 26 is above the maximum 25",
    )
    .await;

    let many: Vec<UsageAllocation> = (0..2501).map(|_| untagged()).collect();
    let six: Vec<Tag> = (0..6).map(|i| tag(&format!("k{i}"), "v")).collect();
    let valid = || valid_meter_usage(&client);
    let cases = [
        (
            valid().set_usage_allocations(Some(Vec::new())),
            "UsageAllocations",
            "length 0 is below the minimum 1",
        ),
        (
            valid().set_usage_allocations(Some(many)),
            "UsageAllocations",
            "length 2501 is above the maximum 2500",
        ),
        (
            valid().usage_allocations(allocation("1", vec![])),
            "UsageAllocations[0].Tags",
            "length 0 is below the minimum 1",
        ),
        (
            valid()
                .usage_allocations(allocation("1", vec![tag("k", "v")]))
                .usage_allocations(allocation("1", six)),
            "UsageAllocations[1].Tags",
            "length 6 is above the maximum 5",
        ),
    ];
    for (call, path, problem) in cases {
        assert_invalid(&server, call.send().await, path, problem).await;
    }
}

#[tokio::test]
async fn nested_paths_name_the_element() {
    let (server, client) = setup().await;
    let mut records: Vec<UsageRecord> = (0..5).map(|i| record(&format!("d{i}"))).collect();
    records[3] = record("");
    let result = batch(&client, records).send().await;
    assert_invalid(
        &server,
        result,
        "UsageRecords[3].Dimension",
        "length 0 is below the minimum 1",
    )
    .await;

    let result = valid_meter_usage(&client)
        .usage_allocations(allocation(
            "1",
            vec![tag("ok", "v"), Tag::builder().value("v").build()],
        ))
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "UsageAllocations[0].Tags[1].Key",
        "~required",
    )
    .await;

    let result = valid_meter_usage(&client)
        .usage_allocations(allocation(
            "1",
            vec![tag("ok", "v"), tag(&"k".repeat(101), "v")],
        ))
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "UsageAllocations[0].Tags[1].Key",
        "length 101 is above the maximum 100",
    )
    .await;

    let deep = UsageRecord::builder()
        .timestamp(DateTime::from_secs(1))
        .dimension("d")
        .usage_allocations(allocation("1", vec![tag("k", &"v".repeat(257))]))
        .build();
    let result = batch(&client, vec![record("a"), deep]).send().await;
    assert_invalid(
        &server,
        result,
        "UsageRecords[1].UsageAllocations[0].Tags[0].Value",
        "length 257 is above the maximum 256",
    )
    .await;

    let no_timestamp = UsageRecord::builder().dimension("d").build();
    let result = batch(&client, vec![no_timestamp]).send().await;
    assert_invalid(&server, result, "UsageRecords[0].Timestamp", "~required").await;
}

#[tokio::test]
#[allow(deprecated)]
async fn numeric_ranges() {
    let (server, client) = setup().await;
    let result = valid_meter_usage(&client).usage_quantity(-1).send().await;
    assert_invalid(
        &server,
        result,
        "UsageQuantity",
        "value -1 is below the minimum 0",
    )
    .await;

    let result = client
        .register_usage()
        .product_code("p")
        .public_key_version(0)
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "PublicKeyVersion",
        "value 0 is below the minimum 1",
    )
    .await;

    let negative = UsageRecord::builder()
        .timestamp(DateTime::from_secs(1))
        .dimension("d")
        .quantity(-5)
        .build();
    let result = batch(&client, vec![negative]).send().await;
    assert_invalid(
        &server,
        result,
        "UsageRecords[0].Quantity",
        "value -5 is below the minimum 0",
    )
    .await;

    let result = valid_meter_usage(&client)
        .usage_allocations(
            UsageAllocation::builder()
                .allocated_usage_quantity(-1)
                .tags(tag("k", "v"))
                .build(),
        )
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "UsageAllocations[0].AllocatedUsageQuantity",
        "value -1 is below the minimum 0",
    )
    .await;
}

#[tokio::test]
async fn input_builders_report_the_same_error() {
    let (server, client) = setup().await;
    let built = MeterUsageInput::builder()
        .product_code("x".repeat(256))
        .timestamp(DateTime::from_secs(1))
        .usage_dimension("d")
        .build()
        .expect_err("the builder validates");
    let sent = valid_meter_usage(&client)
        .product_code("x".repeat(256))
        .send()
        .await;
    let sent = assert_invalid(
        &server,
        sent,
        "ProductCode",
        "length 256 is above the maximum 255",
    )
    .await;
    assert_eq!(built, sent);
    assert_eq!(built.to_string(), sent.to_string());

    let mut records: Vec<UsageRecord> = (0..4).map(|i| record(&format!("d{i}"))).collect();
    records[3] = record("");
    let built = BatchMeterUsageInput::builder()
        .set_usage_records(Some(records))
        .build()
        .unwrap_err();
    assert_eq!(built.path(), "UsageRecords[3].Dimension");
    assert!(
        built
            .to_string()
            .contains("UsageRecords[3].Dimension: length 0 is below the minimum 1"),
        "{built}"
    );

    let built = RegisterUsageInput::builder()
        .product_code("p")
        .public_key_version(0)
        .build()
        .unwrap_err();
    assert_eq!(built.path(), "PublicKeyVersion");
    assert!(built.to_string().contains("value 0 is below the minimum 1"));

    // A deserialized input skips the builder; sending it still validates.
    let unchecked: MeterUsageInput =
        serde_json::from_str(r#"{"ProductCode":"p","Timestamp":1,"UsageDimension":""}"#).unwrap();
    let result = client.send(unchecked).await;
    assert_invalid(
        &server,
        result,
        "UsageDimension",
        "length 0 is below the minimum 1",
    )
    .await;
}

#[tokio::test]
async fn string_lengths_count_characters_not_bytes() {
    let (server, client) = setup().await;
    let accented = "é".repeat(255);
    assert_eq!(accented.len(), 510);
    let result = valid_meter_usage(&client)
        .product_code("é".repeat(256))
        .send()
        .await;
    assert_invalid(
        &server,
        result,
        "ProductCode",
        "length 256 is above the maximum 255",
    )
    .await;

    valid_meter_usage(&client)
        .product_code(accented.clone())
        .usage_dimension("🚀".repeat(255))
        .send()
        .await
        .expect("255 characters fit a maximum of 255, whatever their byte length");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body_json()["ProductCode"], accented.as_str());

    MeterUsageInput::builder()
        .product_code(accented)
        .timestamp(DateTime::from_secs(1))
        .usage_dimension("d")
        .build()
        .expect("the builder counts characters too");
}

#[tokio::test]
#[allow(deprecated)]
async fn values_on_the_bounds_are_accepted() {
    let (server, client) = setup().await;
    let records: Vec<UsageRecord> = (0..25).map(|i| record(&format!("d{i}"))).collect();
    batch(&client, records).send().await.expect("25 records");

    let five: Vec<Tag> = (0..5).map(|i| tag(&format!("k{i}"), "v")).collect();
    valid_meter_usage(&client)
        .usage_allocations(allocation("1", five))
        .usage_quantity(0)
        .usage_quantity_as_decimal("1".repeat(17))
        .client_token("t".repeat(64))
        .product_code("x".repeat(255))
        .send()
        .await
        .expect("every member on its bound");

    let many: Vec<UsageAllocation> = (0..2500).map(|_| untagged()).collect();
    valid_meter_usage(&client)
        .set_usage_allocations(Some(many))
        .send()
        .await
        .expect("2500 allocations");

    valid_register_usage(&client)
        .send()
        .await
        .expect("public key version 1");

    assert_eq!(server.request_count().await, 4);
}
