//! Fixtures for the hot-path benchmarks (`benches/hot_path.rs`): one input of each operation
//! as a caller builds it, each output body as the service sends it, an error response, the
//! SigV4 signing the client does, and the generator's input for this model.
//!
//! Run the benchmarks with `cargo bench -p hot-path`; `cargo test -p hot-path` checks the
//! fixtures and runs every benchmark once.

#![forbid(unsafe_code)]

use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageInput;
use marketplace_metering::operation::meter_usage::MeterUsageInput;
use marketplace_metering::operation::register_usage::RegisterUsageInput;
use marketplace_metering::operation::resolve_customer::ResolveCustomerInput;
use marketplace_metering::types::{Tag, UsageAllocation, UsageRecord};
use marketplace_sdk_runtime::sigv4::{Signer, SigningParams, SigningTarget};
use std::time::{Duration, SystemTime};

/// A fixed instant (2026-01-01T00:00:00Z), so every run serializes the same bytes.
pub fn timestamp() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

/// `MeterUsage` with a decimal quantity, two tagged allocations and a client token: every
/// kind of member the input has.
pub fn meter_usage_input() -> MeterUsageInput {
    let allocation = |quantity: &str, team: &str| {
        UsageAllocation::builder()
            .allocated_usage_quantity_as_decimal(quantity)
            .tags(Tag::builder().key("team").value(team).build())
            .tags(Tag::builder().key("env").value("prod").build())
            .build()
    };
    MeterUsageInput::builder()
        .product_code("prod-abc123xyz")
        .timestamp(timestamp())
        .usage_dimension("users")
        .usage_quantity_as_decimal("3.5")
        .usage_allocations(allocation("1.5", "alpha"))
        .usage_allocations(allocation("2", "beta"))
        .client_token("3b1f8e2a-7c4d-4e5f-8a9b-0c1d2e3f4a5b")
        .build()
        .expect("a valid MeterUsage input")
}

/// The largest `BatchMeterUsage` the service accepts: 25 records.
pub const BATCH_RECORDS: usize = 25;

/// `BatchMeterUsage` with [`BATCH_RECORDS`] records.
pub fn batch_meter_usage_input() -> BatchMeterUsageInput {
    let mut builder = BatchMeterUsageInput::builder().product_code("prod-abc123xyz");
    for i in 0..BATCH_RECORDS {
        builder = builder.usage_records(
            UsageRecord::builder()
                .timestamp(timestamp())
                .customer_aws_account_id(format!("1234567890{i:02}"))
                .dimension("users")
                .quantity_as_decimal("3.5")
                .build(),
        );
    }
    builder.build().expect("a valid BatchMeterUsage input")
}

pub fn register_usage_input() -> RegisterUsageInput {
    RegisterUsageInput::builder()
        .product_code("prod-abc123xyz")
        .public_key_version(1)
        .nonce("c0ffee00-1234-4abc-9def-0123456789ab")
        .build()
        .expect("a valid RegisterUsage input")
}

pub fn resolve_customer_input() -> ResolveCustomerInput {
    ResolveCustomerInput::builder()
        .registration_token("x-amzn-marketplace-token-7b3f9c2e1d4a5b6c8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")
        .build()
        .expect("a valid ResolveCustomer input")
}

pub const METER_USAGE_OUTPUT: &str =
    r#"{"MeteringRecordId":"8f5e2b1c-0d3a-4e6f-9a7b-1c2d3e4f5a6b"}"#;

/// A `BatchMeterUsage` answer with [`BATCH_RECORDS`] results, each echoing its record.
pub fn batch_meter_usage_output() -> String {
    let results: Vec<String> = (0..BATCH_RECORDS)
        .map(|i| {
            format!(
                r#"{{"UsageRecord":{{"Timestamp":1767225600,"CustomerAWSAccountId":"1234567890{i:02}","Dimension":"users","QuantityAsDecimal":"3.5"}},"MeteringRecordId":"8f5e2b1c-0d3a-4e6f-9a7b-1c2d3e4f5a{i:02}","Status":"Success"}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Results":[{}],"UnprocessedRecords":[]}}"#,
        results.join(",")
    )
}

pub const REGISTER_USAGE_OUTPUT: &str = r#"{"PublicKeyRotationTimestamp":1767225600,"Signature":"eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJwcm9kdWN0Q29kZSI6InByb2QtYWJjMTIzeHl6In0.c2lnbmF0dXJl"}"#;

pub const RESOLVE_CUSTOMER_OUTPUT: &str = r#"{"CustomerIdentifier":"cust-7xK2mQ9pL4","ProductCode":"prod-abc123xyz","CustomerAWSAccountId":"123456789012","LicenseArn":"arn:aws:license-manager::123456789012:license:l-0123456789abcdef0"}"#;

/// A modeled error as the service sends it: the code in `X-Amzn-Errortype`, the message in
/// the body.
pub const THROTTLING_ERROR_TYPE: &str =
    "ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.awsmpmeteringservice/";
pub const THROTTLING_ERROR_BODY: &str = r#"{"__type":"com.amazonaws.awsmpmeteringservice#ThrottlingException","message":"Rate exceeded"}"#;
pub const REQUEST_ID: &str = "7f3c1e2a-4b5d-4c6e-8f90-123456789abc";

/// The response headers of the error, looked up the way the client looks them up.
pub fn error_header(name: &str) -> Option<String> {
    match name {
        "x-amzn-errortype" => Some(THROTTLING_ERROR_TYPE.to_owned()),
        "x-amzn-requestid" => Some(REQUEST_ID.to_owned()),
        _ => None,
    }
}

/// Credentials for [`sign`].
pub fn credentials() -> marketplace_sdk_runtime::credentials::Credentials {
    marketplace_sdk_runtime::credentials::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("session-token".to_owned()),
    )
}

/// The headers the client signs besides `host` and `x-amz-date`, as `marketplace_sdk_runtime::client`
/// sends them on the first attempt (`user-agent` is sent but, as in every AWS SDK, not signed).
pub fn request_headers(target: &str) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/x-amz-json-1.1".to_owned()),
        ("x-amz-target", target.to_owned()),
        (
            "user-agent",
            "marketplace-metering/0.1.0 os/linux lang/rust/1.95.0".to_owned(),
        ),
        (
            "x-amz-user-agent",
            "marketplace-metering/0.1.0 ua/2.1 os/linux lang/rust/1.95.0".to_owned(),
        ),
        (
            "amz-sdk-invocation-id",
            "0f5c3d2e-8a1b-4c7d-9e6f-1a2b3c4d5e6f".to_owned(),
        ),
        ("amz-sdk-request", "attempt=1; max=3".to_owned()),
    ]
}

/// The SigV4 headers for an awsJson POST to `target`, as `marketplace_sdk_runtime::client` signs a
/// request: the same signer (one per client, so its signing key is derived once a day), the
/// same headers. Returns the headers to add.
pub fn sign(
    signer: &Signer,
    credentials: &marketplace_sdk_runtime::credentials::Credentials,
    target: &SigningTarget,
    headers: &[(&'static str, String)],
    body: &[u8],
    time: SystemTime,
) -> Vec<(&'static str, String)> {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    signer
        .sign(
            target,
            &headers,
            body,
            &SigningParams {
                credentials,
                region: "us-east-1",
                service: "aws-marketplace",
                time,
            },
        )
        .expect("signed")
}

/// The same signature through `aws-sigv4`, the AWS SDK for Rust's signer (which this
/// runtime used before it signed by itself), for comparison.
pub fn sign_with_aws_sigv4(
    credentials: &marketplace_sdk_runtime::credentials::Credentials,
    url: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
    time: SystemTime,
) -> Vec<(&'static str, String)> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(str::to_owned),
        None,
        "hot-path",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("aws-marketplace")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().map(|(name, value)| (*name, value.as_str())),
        SignableBody::Bytes(body),
    )
    .expect("a signable request");
    let (instructions, _signature) = aws_sigv4::http_request::sign(request, &params)
        .expect("signed")
        .into_parts();
    let (signed_headers, _query) = instructions.into_parts();
    signed_headers
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect()
}

/// The generator's input for this repository's model, as `cargo xtask codegen` builds it.
pub fn codegen_input() -> codegen::Input<'static> {
    codegen::Input {
        service_json: include_str!("../../../model/meteringmarketplace/service-2.json"),
        origin: "model/meteringmarketplace/service-2.json (hot-path benchmark)",
        crate_name: "marketplace_metering",
        crate_version: "0.1.0",
        endpoint_rule_set_json: Some(include_str!(
            "../../../model/meteringmarketplace/endpoint-rule-set-1.json"
        )),
        partitions_json: Some(include_str!(
            "../../../model/meteringmarketplace/partitions.json"
        )),
        paginators_json: Some(include_str!(
            "../../../model/meteringmarketplace/paginators-1.json"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
    use marketplace_metering::operation::meter_usage::{MeterUsageError, MeterUsageOutput};
    use marketplace_metering::operation::register_usage::RegisterUsageOutput;
    use marketplace_metering::operation::resolve_customer::ResolveCustomerOutput;
    use marketplace_sdk_runtime::client::OperationError;

    #[test]
    fn the_outputs_parse_with_every_member() {
        let meter: MeterUsageOutput = serde_json::from_str(METER_USAGE_OUTPUT).unwrap();
        assert!(meter.metering_record_id().is_some());
        let batch: BatchMeterUsageOutput =
            serde_json::from_str(&batch_meter_usage_output()).unwrap();
        assert_eq!(batch.results().len(), BATCH_RECORDS);
        let register: RegisterUsageOutput = serde_json::from_str(REGISTER_USAGE_OUTPUT).unwrap();
        assert!(register.signature().is_some());
        let resolve: ResolveCustomerOutput = serde_json::from_str(RESOLVE_CUSTOMER_OUTPUT).unwrap();
        assert!(resolve.license_arn().is_some());
    }

    #[test]
    fn the_error_is_the_modeled_throttling_exception() {
        let meta = marketplace_sdk_runtime::aws_json::error_metadata(
            400,
            error_header,
            THROTTLING_ERROR_BODY.as_bytes(),
        );
        let error = MeterUsageError::from_response(meta, THROTTLING_ERROR_BODY.as_bytes());
        assert!(
            matches!(error, MeterUsageError::ThrottlingException(_)),
            "{error:?}"
        );
    }

    #[test]
    fn the_inputs_serialize_every_member() {
        let meter = serde_json::to_string(&meter_usage_input()).unwrap();
        assert!(meter.contains("\"UsageAllocations\"") && meter.contains("\"ClientToken\""));
        let batch = serde_json::to_string(&batch_meter_usage_input()).unwrap();
        assert_eq!(batch.matches("\"Dimension\"").count(), BATCH_RECORDS);
        assert!(serde_json::to_string(&register_usage_input())
            .unwrap()
            .contains("\"Nonce\""));
        assert!(serde_json::to_string(&resolve_customer_input())
            .unwrap()
            .contains("\"RegistrationToken\""));
    }

    #[test]
    fn signing_adds_date_token_and_authorization() {
        let url = "https://metering.marketplace.us-east-1.amazonaws.com/";
        let request = request_headers("AWSMPMeteringService.MeterUsage");
        let headers = sign(
            &Signer::new(),
            &credentials(),
            &SigningTarget::from_url(url).unwrap(),
            &request,
            b"{}",
            timestamp(),
        );
        assert_eq!(
            headers,
            sign_with_aws_sigv4(&credentials(), url, &request, b"{}", timestamp())
        );
        let names: Vec<&str> = headers.iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"authorization"), "{names:?}");
        assert!(names.contains(&"x-amz-date"), "{names:?}");
        assert!(names.contains(&"x-amz-security-token"), "{names:?}");
        let authorization = &headers
            .iter()
            .find(|(n, _)| *n == "authorization")
            .unwrap()
            .1;
        assert!(
            authorization.contains("amz-sdk-invocation-id;amz-sdk-request;content-type;host;"),
            "{authorization}"
        );
    }
}
