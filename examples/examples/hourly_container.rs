//! An hourly metering loop for a container product: at the end of each hour, report the
//! hour's usage with `MeterUsage`. Configuration comes from where the container runs
//! (`Config::from_env`: the ECS task role or EKS credentials, the region).
//!
//! ```sh
//! MARKETPLACE_PRODUCT_CODE=prod-abc cargo run -p metering-examples --example hourly_container
//! ```

use marketplace_metering::{Client, Config};
use metering_examples::hourly::{hour_of, report_hour};
use std::time::{Duration, SystemTime};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let product_code = std::env::var("MARKETPLACE_PRODUCT_CODE")?;
    let client = Client::from_conf(Config::from_env().await?.build());
    loop {
        let this_hour = hour_of(SystemTime::now());
        let next_hour = this_hour + Duration::from_secs(3600);
        tokio::time::sleep(
            next_hour
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        )
        .await;
        // Your program's count of what was used in the hour that just ended.
        let users = 1;
        let record = report_hour(&client, &product_code, "users", this_hour, users).await?;
        println!("reported {users} users for the hour: record {record}");
    }
}
