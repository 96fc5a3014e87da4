//! The values every client sends and the bodies the server answers with, so the three
//! clients do the same work.

use crate::Op;

pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The signing name of the service (the SigV4 scope), from the model's metadata.
pub const SIGNING_NAME: &str = "aws-marketplace";
pub const TARGET_PREFIX: &str = "AWSMPMeteringService";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
pub const REQUEST_ID: &str = "7f3c1e2a-4b5d-4c6e-8f90-123456789abc";

pub const PRODUCT_CODE: &str = "prod-abc123xyz";
pub const USAGE_DIMENSION: &str = "users";
/// The quantity of every usage record (a whole number: aws-sdk-marketplacemetering has no
/// `UsageQuantityAsDecimal` yet).
pub const QUANTITY: i32 = 3;
pub const CUSTOMER_AWS_ACCOUNT_ID: &str = "123456789012";
/// Usage records in each `BatchMeterUsage` call.
pub const BATCH_RECORDS: usize = 3;
pub const REGISTRATION_TOKEN: &str = "x-amzn-marketplace-token-7b3f9c2e1d4a5b6c8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
pub const PUBLIC_KEY_VERSION: i32 = 1;
pub const NONCE: &str = "c0ffee00-1234-4abc-9def-0123456789ab";
/// The `ClientToken` the raw client sends (the SDKs make a fresh one per call).
pub const CLIENT_TOKEN: &str = "3b1f8e2a-7c4d-4e5f-8a9b-0c1d2e3f4a5b";

/// A fixed timestamp for response bodies: 2026-01-01T00:00:00Z.
const RESPONSE_TIMESTAMP: u64 = 1_767_225_600;

/// The request body the raw client sends for `op`, the same members the SDK clients set.
pub fn request_body(op: Op, timestamp: u64) -> String {
    match op {
        Op::MeterUsage => format!(
            r#"{{"ProductCode":"{PRODUCT_CODE}","Timestamp":{timestamp},"UsageDimension":"{USAGE_DIMENSION}","UsageQuantity":{QUANTITY},"ClientToken":"{CLIENT_TOKEN}"}}"#
        ),
        Op::BatchMeterUsage => {
            let record = format!(
                r#"{{"Timestamp":{timestamp},"CustomerAWSAccountId":"{CUSTOMER_AWS_ACCOUNT_ID}","Dimension":"{USAGE_DIMENSION}","Quantity":{QUANTITY}}}"#
            );
            let records = vec![record; BATCH_RECORDS].join(",");
            format!(r#"{{"UsageRecords":[{records}],"ProductCode":"{PRODUCT_CODE}"}}"#)
        }
        Op::ResolveCustomer => format!(r#"{{"RegistrationToken":"{REGISTRATION_TOKEN}"}}"#),
        Op::RegisterUsage => format!(
            r#"{{"ProductCode":"{PRODUCT_CODE}","PublicKeyVersion":{PUBLIC_KEY_VERSION},"Nonce":"{NONCE}"}}"#
        ),
    }
}

/// The body of the server's 200 answer to `op`.
pub fn response_body(op: Op) -> String {
    match op {
        Op::MeterUsage => {
            r#"{"MeteringRecordId":"8f5e2b1c-0d3a-4e6f-9a7b-1c2d3e4f5a6b"}"#.to_owned()
        }
        Op::BatchMeterUsage => {
            let results: Vec<String> = (0..BATCH_RECORDS)
                .map(|i| {
                    format!(
                        r#"{{"UsageRecord":{{"Timestamp":{RESPONSE_TIMESTAMP},"CustomerAWSAccountId":"{CUSTOMER_AWS_ACCOUNT_ID}","Dimension":"{USAGE_DIMENSION}","Quantity":{QUANTITY}}},"MeteringRecordId":"8f5e2b1c-0d3a-4e6f-9a7b-1c2d3e4f5a{i:02}","Status":"Success"}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"Results":[{}],"UnprocessedRecords":[]}}"#,
                results.join(",")
            )
        }
        Op::ResolveCustomer => format!(
            r#"{{"CustomerIdentifier":"cust-7xK2mQ9pL4","ProductCode":"{PRODUCT_CODE}","CustomerAWSAccountId":"{CUSTOMER_AWS_ACCOUNT_ID}","LicenseArn":"arn:aws:license-manager::{CUSTOMER_AWS_ACCOUNT_ID}:license:l-0123456789abcdef0"}}"#
        ),
        Op::RegisterUsage => format!(
            r#"{{"PublicKeyRotationTimestamp":{RESPONSE_TIMESTAMP},"Signature":"eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9.eyJwcm9kdWN0Q29kZSI6InByb2QtYWJjMTIzeHl6In0.c2lnbmF0dXJl"}}"#
        ),
    }
}

/// The body of the server's answer to a target it does not know (status 400).
pub const UNKNOWN_OPERATION_BODY: &str = r#"{"__type":"com.amazon.coral.service#UnknownOperationException","message":"unknown X-Amz-Target"}"#;
