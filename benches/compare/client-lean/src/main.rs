//! N sequential calls with this repository's SDK (`generated/marketplace-metering`) against the
//! bench server, on a current-thread tokio runtime, after a warm-up.

use bench_common::{fixtures, ClientArgs, Op};
use marketplace_metering::types::UsageRecord;
use marketplace_metering::{Client, Config, Credentials};
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
        let config = Config::builder()
            .region(fixtures::REGION)
            .credentials(Credentials::new(
                fixtures::ACCESS_KEY_ID,
                fixtures::SECRET_ACCESS_KEY,
                None,
            ))
            .endpoint_url(args.url.as_str())
            .build();
        let client = Client::from_conf(config);
        let client = &client;
        match args.op {
            Op::MeterUsage => {
                bench_common::measure("lean", &args, move || async move {
                    let output = client
                        .meter_usage()
                        .product_code(fixtures::PRODUCT_CODE)
                        .timestamp(SystemTime::now())
                        .usage_dimension(fixtures::USAGE_DIMENSION)
                        .usage_quantity(fixtures::QUANTITY)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("MeterUsage failed: {e}"));
                    assert!(black_box(output).metering_record_id().is_some());
                })
                .await
            }
            Op::BatchMeterUsage => {
                bench_common::measure("lean", &args, move || async move {
                    let mut call = client
                        .batch_meter_usage()
                        .product_code(fixtures::PRODUCT_CODE);
                    let now = SystemTime::now();
                    for _ in 0..fixtures::BATCH_RECORDS {
                        call = call.usage_records(
                            UsageRecord::builder()
                                .timestamp(now)
                                .customer_aws_account_id(fixtures::CUSTOMER_AWS_ACCOUNT_ID)
                                .dimension(fixtures::USAGE_DIMENSION)
                                .quantity(fixtures::QUANTITY)
                                .build(),
                        );
                    }
                    let output = call
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("BatchMeterUsage failed: {e}"));
                    assert_eq!(black_box(output).results().len(), fixtures::BATCH_RECORDS);
                })
                .await
            }
            Op::ResolveCustomer => {
                bench_common::measure("lean", &args, move || async move {
                    let output = client
                        .resolve_customer()
                        .registration_token(fixtures::REGISTRATION_TOKEN)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("ResolveCustomer failed: {e}"));
                    assert!(black_box(output).customer_aws_account_id().is_some());
                })
                .await
            }
            Op::RegisterUsage => {
                bench_common::measure("lean", &args, move || async move {
                    let output = client
                        .register_usage()
                        .product_code(fixtures::PRODUCT_CODE)
                        .public_key_version(fixtures::PUBLIC_KEY_VERSION)
                        .nonce(fixtures::NONCE)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("RegisterUsage failed: {e}"));
                    assert!(black_box(output).signature().is_some());
                })
                .await
            }
        }
    });
    measurement.report();
}
