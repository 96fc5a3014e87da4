//! Meters one usage record with this SDK. Region, credentials and endpoint come from the
//! environment and the shared config files, as in a real deployment.

use marketplace_metering::{Client, Config};
use std::time::SystemTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = Config::from_env().await?.build();
        let client = Client::from_conf(config);
        let output = client
            .meter_usage()
            .product_code("prod-abc123")
            .timestamp(SystemTime::now())
            .usage_dimension("users")
            .usage_quantity(3)
            .send()
            .await?;
        println!(
            "metering record {}",
            output.metering_record_id().unwrap_or("?")
        );
        Ok(())
    })
}
