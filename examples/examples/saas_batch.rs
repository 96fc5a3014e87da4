//! A SaaS back end reports usage with `BatchMeterUsage` and acts on every record's outcome.
//!
//! ```sh
//! MARKETPLACE_PRODUCT_CODE=prod-abc CUSTOMER_ACCOUNT=123456789012 \
//!     cargo run -p metering-examples --example saas_batch
//! ```

use marketplace_metering::types::UsageRecord;
use marketplace_metering::{Client, Config};
use metering_examples::saas::{report, RecordOutcome};
use std::time::SystemTime;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let product_code = std::env::var("MARKETPLACE_PRODUCT_CODE")?;
    let account = std::env::var("CUSTOMER_ACCOUNT")?;
    let client = Client::from_conf(Config::from_env().await?.build());
    let records = vec![UsageRecord::builder()
        .customer_aws_account_id(account)
        .dimension("users")
        .quantity_as_decimal("3")
        .timestamp(SystemTime::now())
        .build()];
    for (record, outcome) in report(&client, &product_code, records, 3).await? {
        match outcome {
            RecordOutcome::Metered(id) => println!("billed: {id}"),
            RecordOutcome::Unprocessed => eprintln!("not processed, keep for later: {record:?}"),
            other => eprintln!("not billed ({other:?}): {record:?}"),
        }
    }
    Ok(())
}
