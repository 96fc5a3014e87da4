//! The registration page of a SaaS product resolves the token AWS Marketplace posts. Here
//! the POST body is read from stdin, e.g. `x-amzn-marketplace-token=...`.
//!
//! ```sh
//! echo 'x-amzn-marketplace-token=TOKEN' | cargo run -p metering-examples --example registration
//! ```

use marketplace_metering::{Client, Config};
use metering_examples::registration::resolve;
use std::io::Read;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body)?;
    let client = Client::from_conf(Config::from_env().await?.build());
    match resolve(&client, &body).await? {
        Some(customer) => println!("new customer: {customer:?}"),
        None => eprintln!("the POST has no x-amzn-marketplace-token"),
    }
    Ok(())
}
