//! Hourly metering from a container: one `MeterUsage` per dimension for each ended hour.

use marketplace_metering::{Client, Error};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The start of the hour `time` is in.
pub fn hour_of(time: SystemTime) -> SystemTime {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    UNIX_EPOCH + Duration::from_secs(secs - secs % 3600)
}

/// Reports `quantity` of `dimension` used during the hour that starts at `hour`, and returns
/// the metering record id. The client token is the same for the same product, dimension,
/// hour and quantity, so sending again after a timeout or a restart cannot bill twice.
pub async fn report_hour(
    client: &Client,
    product_code: &str,
    dimension: &str,
    hour: SystemTime,
    quantity: u32,
) -> Result<String, Error> {
    let hour_secs = hour
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let out = client
        .meter_usage()
        .product_code(product_code)
        .usage_dimension(dimension)
        .timestamp(hour)
        .usage_quantity_as_decimal(quantity.to_string())
        .client_token(format!("{product_code}-{dimension}-{hour_secs}-{quantity}"))
        .send()
        .await?;
    Ok(out.metering_record_id().unwrap_or_default().to_owned())
}
