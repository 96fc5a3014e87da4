//! A paid container product checks its entitlement with `RegisterUsage` when it starts,
//! and stops if the buyer is not entitled.
//!
//! ```sh
//! MARKETPLACE_PRODUCT_CODE=prod-abc cargo run -p metering-examples --example register_usage
//! ```

use marketplace_metering::{Client, Config};
use metering_examples::register::{register, Entitlement};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let product_code = std::env::var("MARKETPLACE_PRODUCT_CODE")?;
    let client = Client::from_conf(Config::from_env().await?.build());
    // A fresh nonce per start, to check in the signed answer.
    let nonce = format!("{:x}", std::process::id());
    match register(&client, &product_code, &nonce).await? {
        Entitlement::Entitled { .. } => println!("entitled: starting"),
        Entitlement::NotEntitled => {
            eprintln!("not entitled to {product_code}: stopping");
            std::process::exit(1);
        }
    }
    Ok(())
}
