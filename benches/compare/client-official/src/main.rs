//! N sequential calls with the official AWS SDK for Rust (`aws-sdk-marketplacemetering` on
//! `aws-config`) against the bench server, on a current-thread tokio runtime, after a warm-up.
//!
//! Region, credentials and endpoint are explicit, so nothing reaches for the network (no
//! IMDS, no profile credentials); the runner also clears `AWS_*` and sets
//! `AWS_EC2_METADATA_DISABLED=true`. Everything else is the SDK's default behaviour.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_marketplacemetering::config::Credentials;
use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::types::UsageRecord;
use aws_sdk_marketplacemetering::Client;
use bench_common::{fixtures, ClientArgs, Op};
use std::hint::black_box;
use std::time::SystemTime;

// The whole-number quantity: aws-sdk-marketplacemetering has no decimal one yet, and this
// SDK marks the whole-number one deprecated.
#[allow(deprecated)]
fn main() {
    let args = ClientArgs::from_process();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let measurement = runtime.block_on(async {
        let sdk_config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(fixtures::REGION))
            .credentials_provider(Credentials::new(
                fixtures::ACCESS_KEY_ID,
                fixtures::SECRET_ACCESS_KEY,
                None,
                None,
                "bench",
            ))
            .endpoint_url(args.url.as_str())
            .load()
            .await;
        let client = Client::new(&sdk_config);
        let client = &client;
        match args.op {
            Op::MeterUsage => {
                bench_common::measure("official", &args, move || async move {
                    let output = client
                        .meter_usage()
                        .product_code(fixtures::PRODUCT_CODE)
                        .timestamp(DateTime::from(SystemTime::now()))
                        .usage_dimension(fixtures::USAGE_DIMENSION)
                        .usage_quantity(fixtures::QUANTITY)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("MeterUsage failed: {e:?}"));
                    assert!(black_box(output).metering_record_id().is_some());
                })
                .await
            }
            Op::BatchMeterUsage => {
                bench_common::measure("official", &args, move || async move {
                    let mut call = client
                        .batch_meter_usage()
                        .product_code(fixtures::PRODUCT_CODE);
                    let now = DateTime::from(SystemTime::now());
                    for _ in 0..fixtures::BATCH_RECORDS {
                        call = call.usage_records(
                            UsageRecord::builder()
                                .timestamp(now)
                                .customer_aws_account_id(fixtures::CUSTOMER_AWS_ACCOUNT_ID)
                                .dimension(fixtures::USAGE_DIMENSION)
                                .quantity(fixtures::QUANTITY)
                                .build()
                                .expect("a usage record"),
                        );
                    }
                    let output = call
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("BatchMeterUsage failed: {e:?}"));
                    assert_eq!(black_box(output).results().len(), fixtures::BATCH_RECORDS);
                })
                .await
            }
            Op::ResolveCustomer => {
                bench_common::measure("official", &args, move || async move {
                    let output = client
                        .resolve_customer()
                        .registration_token(fixtures::REGISTRATION_TOKEN)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("ResolveCustomer failed: {e:?}"));
                    assert!(black_box(output).customer_aws_account_id().is_some());
                })
                .await
            }
            Op::RegisterUsage => {
                bench_common::measure("official", &args, move || async move {
                    let output = client
                        .register_usage()
                        .product_code(fixtures::PRODUCT_CODE)
                        .public_key_version(fixtures::PUBLIC_KEY_VERSION)
                        .nonce(fixtures::NONCE)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("RegisterUsage failed: {e:?}"));
                    assert!(black_box(output).signature().is_some());
                })
                .await
            }
        }
    });
    measurement.report();
}
