//! What each operation puts on the wire: method, path, headers, the exact JSON
//! body, and a SigV4 signature an independent verifier accepts.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{
    self, allocation, assert_body, assert_envelope, client, only_request, record, tag,
    valid_meter_usage,
};
use integration_tests::{verify, Reply, TestServer};
use marketplace_metering::types::UsageRecord;
use marketplace_metering::DateTime;
use serde_json::json;

async fn ok_server(body: &str) -> TestServer {
    TestServer::always(Reply::json(200, body)).await
}

#[tokio::test]
async fn meter_usage_sends_every_member() {
    let server = ok_server(r#"{"MeteringRecordId":"rec-1"}"#).await;
    let out = client(&server)
        .meter_usage()
        .product_code("prod-ñ-製品")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users-🚀")
        .usage_quantity_as_decimal("3.5")
        .dry_run(true)
        .usage_allocations(allocation(
            "1.25",
            vec![tag("team", "red"), tag("ключ", "значение \"quoted\"")],
        ))
        .usage_allocations(allocation("2.25", vec![tag("team", "blue")]))
        .client_token("token-123")
        .send()
        .await
        .expect("MeterUsage succeeds");
    assert_eq!(out.metering_record_id(), Some("rec-1"));

    let req = only_request(&server).await;
    assert_envelope(&req, "MeterUsage");
    assert_body(
        &req,
        &json!({
            "ProductCode": "prod-ñ-製品",
            "Timestamp": 1_700_000_000,
            "UsageDimension": "users-🚀",
            "UsageQuantityAsDecimal": "3.5",
            "DryRun": true,
            "UsageAllocations": [
                {
                    "AllocatedUsageQuantityAsDecimal": "1.25",
                    "Tags": [
                        {"Key": "team", "Value": "red"},
                        {"Key": "ключ", "Value": "значение \"quoted\""}
                    ]
                },
                {
                    "AllocatedUsageQuantityAsDecimal": "2.25",
                    "Tags": [{"Key": "team", "Value": "blue"}]
                }
            ],
            "ClientToken": "token-123"
        }),
    );
    let raw = req.body_text();
    assert!(raw.contains(r#""UsageQuantityAsDecimal":"3.5""#), "{raw}");
    assert!(
        raw.contains(r#""AllocatedUsageQuantityAsDecimal":"1.25""#),
        "{raw}"
    );
}

#[tokio::test]
async fn meter_usage_whole_quantities_are_json_integers() {
    let server = ok_server("{}").await;
    #[allow(deprecated)]
    let builder = client(&server)
        .meter_usage()
        .product_code("p")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("d")
        .usage_quantity(7)
        .usage_allocations(
            marketplace_metering::types::UsageAllocation::builder()
                .allocated_usage_quantity(7)
                .tags(tag("k", "v"))
                .build(),
        )
        .client_token("t");
    builder.send().await.unwrap();
    let req = only_request(&server).await;
    assert_body(
        &req,
        &json!({
            "ProductCode": "p",
            "Timestamp": 1_700_000_000,
            "UsageDimension": "d",
            "UsageQuantity": 7,
            "UsageAllocations": [
                {"AllocatedUsageQuantity": 7, "Tags": [{"Key": "k", "Value": "v"}]}
            ],
            "ClientToken": "t"
        }),
    );
    let raw = req.body_text();
    assert!(raw.contains(r#""UsageQuantity":7"#), "{raw}");
    assert!(raw.contains(r#""Timestamp":1700000000"#), "{raw}");
    assert!(
        !raw.contains("1700000000."),
        "whole seconds have no fraction: {raw}"
    );
}

#[tokio::test]
async fn timestamps_are_epoch_seconds_with_and_without_fraction() {
    let server = ok_server("{}").await;
    let client = client(&server);
    let whole = DateTime::from_secs(1_700_000_000);
    let millis = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
    for timestamp in [whole, DateTime::from(millis)] {
        valid_meter_usage(&client)
            .timestamp(timestamp)
            .client_token("t")
            .send()
            .await
            .unwrap();
    }
    // A SystemTime goes in directly, too.
    valid_meter_usage(&client)
        .timestamp(millis)
        .client_token("t")
        .send()
        .await
        .unwrap();

    let requests = server.requests().await;
    assert_eq!(requests.len(), 3);
    let raw: Vec<String> = requests.iter().map(|r| r.body_text()).collect();
    assert!(raw[0].contains(r#""Timestamp":1700000000,"#), "{}", raw[0]);
    for text in &raw[1..] {
        assert!(text.contains(r#""Timestamp":1700000000.123,"#), "{text}");
    }
    assert_eq!(requests[0].body_json()["Timestamp"], json!(1_700_000_000));
    assert_eq!(
        requests[1].body_json()["Timestamp"],
        json!(1_700_000_000.123)
    );
}

#[tokio::test]
async fn meter_usage_with_only_required_members_sends_only_those() {
    let server = ok_server("{}").await;
    client(&server)
        .meter_usage()
        .product_code("p")
        .timestamp(DateTime::from_secs(1))
        .usage_dimension("d")
        .client_token("t")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "MeterUsage");
    assert_body(
        &req,
        &json!({"ProductCode": "p", "Timestamp": 1, "UsageDimension": "d", "ClientToken": "t"}),
    );
}

#[tokio::test]
async fn batch_meter_usage_sends_nested_records() {
    let server = ok_server(r#"{"Results":[],"UnprocessedRecords":[]}"#).await;
    let full = UsageRecord::builder()
        .timestamp(UNIX_EPOCH + Duration::from_millis(1_700_000_000_500))
        .customer_identifier("cust-ü")
        .dimension("api_calls")
        .quantity_as_decimal("0.000001")
        .usage_allocations(allocation("0.000001", vec![tag("env", "prod")]))
        .customer_aws_account_id("123456789012")
        .license_arn("arn:aws:license-manager::123456789012:license:l-1")
        .build();
    #[allow(deprecated)]
    let whole = UsageRecord::builder()
        .timestamp(DateTime::from_secs(1_700_000_001))
        .dimension("seats")
        .quantity(0)
        .customer_aws_account_id("210987654321")
        .build();
    let out = client(&server)
        .batch_meter_usage()
        .product_code("prod-1")
        .usage_records(full)
        .usage_records(whole)
        .send()
        .await
        .unwrap();
    assert!(out.results().is_empty());

    let req = only_request(&server).await;
    assert_envelope(&req, "BatchMeterUsage");
    assert_body(
        &req,
        &json!({
            "UsageRecords": [
                {
                    "Timestamp": 1_700_000_000.5,
                    "CustomerIdentifier": "cust-ü",
                    "Dimension": "api_calls",
                    "QuantityAsDecimal": "0.000001",
                    "UsageAllocations": [
                        {
                            "AllocatedUsageQuantityAsDecimal": "0.000001",
                            "Tags": [{"Key": "env", "Value": "prod"}]
                        }
                    ],
                    "CustomerAWSAccountId": "123456789012",
                    "LicenseArn": "arn:aws:license-manager::123456789012:license:l-1"
                },
                {
                    "Timestamp": 1_700_000_001,
                    "Dimension": "seats",
                    "Quantity": 0,
                    "CustomerAWSAccountId": "210987654321"
                }
            ],
            "ProductCode": "prod-1"
        }),
    );
    let raw = req.body_text();
    assert!(raw.contains(r#""Timestamp":1700000000.5,"#), "{raw}");
    assert!(raw.contains(r#""QuantityAsDecimal":"0.000001""#), "{raw}");
}

#[tokio::test]
async fn batch_meter_usage_with_only_required_members() {
    let server = ok_server("{}").await;
    client(&server)
        .batch_meter_usage()
        .usage_records(record("d"))
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "BatchMeterUsage");
    assert_body(
        &req,
        &json!({"UsageRecords": [{"Timestamp": 1_700_000_000, "Dimension": "d"}]}),
    );
    // BatchMeterUsage has no idempotency token: nothing is added.
    assert!(!req.body_text().contains("ClientToken"));
}

#[tokio::test]
async fn batch_meter_usage_with_an_empty_list_sends_it() {
    let server = ok_server("{}").await;
    client(&server)
        .batch_meter_usage()
        .set_usage_records(Some(Vec::new()))
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_body(&req, &json!({"UsageRecords": []}));
}

#[tokio::test]
async fn register_usage_sends_every_member() {
    let server = ok_server("{}").await;
    client(&server)
        .register_usage()
        .product_code("prod-ä")
        .public_key_version(1)
        .nonce("nonce-ß-1")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "RegisterUsage");
    assert_body(
        &req,
        &json!({"ProductCode": "prod-ä", "PublicKeyVersion": 1, "Nonce": "nonce-ß-1"}),
    );
    assert!(req.body_text().contains(r#""PublicKeyVersion":1"#));
}

#[tokio::test]
async fn register_usage_with_only_required_members() {
    let server = ok_server("{}").await;
    client(&server)
        .register_usage()
        .product_code("p")
        .public_key_version(2)
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "RegisterUsage");
    assert_body(&req, &json!({"ProductCode": "p", "PublicKeyVersion": 2}));
    assert!(!req.body_text().contains("Nonce"));
}

#[tokio::test]
async fn resolve_customer_sends_the_token() {
    let server = ok_server("{}").await;
    client(&server)
        .resolve_customer()
        .registration_token("reg+tok/en=ü")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "ResolveCustomer");
    assert_body(&req, &json!({"RegistrationToken": "reg+tok/en=ü"}));
}

#[tokio::test]
async fn the_signature_covers_the_body() {
    let server = ok_server("{}").await;
    client(&server)
        .resolve_customer()
        .registration_token("tok")
        .send()
        .await
        .unwrap();
    let mut req = only_request(&server).await;
    verify(&req, common::SECRET).unwrap();
    req.body = br#"{"RegistrationToken":"other"}"#.to_vec();
    assert!(verify(&req, common::SECRET).is_err());
}

#[tokio::test]
async fn an_endpoint_with_a_trailing_slash_still_posts_to_root() {
    let server = ok_server("{}").await;
    let client = common::client_for(&format!("{}/", server.url()));
    client
        .resolve_customer()
        .registration_token("t")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_envelope(&req, "ResolveCustomer");
}

#[tokio::test]
async fn an_endpoint_path_is_signed_as_it_is_sent() {
    // A proxy in front of the service under a path prefix: the URL parser resolves
    // the dot segments before the request goes out, and the signature must cover
    // that form (with the escaped space encoded once more, as SigV4 wants).
    let server = ok_server("{}").await;
    let client = common::client_for(&format!("{}/proxy/./x/../metering%20two", server.url()));
    client
        .resolve_customer()
        .registration_token("t")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.path, "/proxy/metering%20two/");
    verify(&req, common::SECRET).unwrap();
}

#[tokio::test]
async fn meter_usage_generates_a_uuid_v4_client_token_per_call() {
    let server = ok_server("{}").await;
    let client = client(&server);
    for _ in 0..2 {
        valid_meter_usage(&client)
            .timestamp(SystemTime::now())
            .send()
            .await
            .unwrap();
    }
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    let tokens: Vec<String> = requests
        .iter()
        .map(|r| {
            assert_envelope(r, "MeterUsage");
            r.body_json()["ClientToken"]
                .as_str()
                .unwrap_or_else(|| panic!("no ClientToken in {}", r.body_text()))
                .to_owned()
        })
        .collect();
    for token in &tokens {
        assert_eq!(token.len(), 36, "{token}");
        assert_eq!(&token[14..15], "4", "version nibble of {token}");
        assert!(common::is_uuid_v4(token), "{token} is not a UUID v4");
    }
    assert_ne!(tokens[0], tokens[1], "each call needs its own token");
}

#[tokio::test]
async fn meter_usage_keeps_an_explicit_client_token() {
    let server = ok_server("{}").await;
    let client = client(&server);
    for _ in 0..2 {
        valid_meter_usage(&client)
            .timestamp(SystemTime::now())
            .client_token("my-token-42")
            .send()
            .await
            .unwrap();
    }
    for req in server.requests().await {
        assert_eq!(req.body_json()["ClientToken"], json!("my-token-42"));
    }
}

#[tokio::test]
async fn long_term_credentials_send_no_session_token() {
    let server = ok_server("{}").await;
    let client = marketplace_metering::Client::from_conf(
        marketplace_metering::Config::builder()
            .region("us-east-1")
            .credentials(marketplace_metering::Credentials::new(
                "AKIDEXAMPLE",
                "SECRET",
                None,
            ))
            .endpoint_url(server.url())
            .build(),
    );
    client
        .resolve_customer()
        .registration_token("t")
        .send()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.header("x-amz-security-token"), None);
    let outcome = verify(&req, common::SECRET).unwrap();
    assert_eq!(outcome.service, common::SIGNING_NAME);
    assert!(!outcome
        .signed_headers
        .iter()
        .any(|h| h == "x-amz-security-token"));
}
