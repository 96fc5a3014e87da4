//! Meters one usage record with the official SDK. Region, credentials and endpoint come
//! from the environment and the shared config files, as in a real deployment.

use aws_config::BehaviorVersion;
use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::Client;
use std::time::SystemTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
        let client = Client::new(&config);
        let output = client
            .meter_usage()
            .product_code("prod-abc123")
            .timestamp(DateTime::from(SystemTime::now()))
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
