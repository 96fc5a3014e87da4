//! Quick start: a seller program that meters usage with `marketplace_metering`.
//!
//! ```text
//! cargo run -p marketplace-metering-simulator --example quick_start
//! ```
//!
//! With no AWS configuration it starts the embedded Marketplace Metering simulator on
//! 127.0.0.1, meters against it and prints what was recorded: no AWS account needed.
//!
//! With AWS configuration (`AWS_REGION` or `AWS_DEFAULT_REGION`, and credentials from the
//! environment, a profile or a role), or with `--aws`, the same code meters against AWS:
//!
//! ```text
//! AWS_REGION=us-east-1 MARKETPLACE_PRODUCT_CODE=prod-xyz MARKETPLACE_DIMENSION=hours \
//!     cargo run -p marketplace-metering-simulator --example quick_start
//! ```
//!
//! Flags: `--aws` / `--simulator` choose the target; `--product-code CODE`, `--dimension
//! NAME` and `--quantity DECIMAL` say what to meter (also `MARKETPLACE_PRODUCT_CODE`,
//! `MARKETPLACE_DIMENSION`, `MARKETPLACE_QUANTITY`).

use std::error::Error;
use std::time::SystemTime;

use marketplace_metering::{Client, Config, Credentials};
use marketplace_metering_simulator::{
    format_rfc3339_millis, Customer, Product, ProductKind, Simulator,
};

/// Where to meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The embedded simulator.
    Simulator,
    /// AWS, configured from the environment.
    Aws,
}

/// What to meter, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub target: Target,
    pub product_code: String,
    pub dimension: String,
    pub quantity: String,
}

/// Reads the flags, then the environment (`env` looks a variable up).
pub fn options(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Options, String> {
    let mut target = None;
    let mut product_code = env("MARKETPLACE_PRODUCT_CODE");
    let mut dimension = env("MARKETPLACE_DIMENSION");
    let mut quantity = env("MARKETPLACE_QUANTITY");
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--aws" => target = Some(Target::Aws),
            "--simulator" => target = Some(Target::Simulator),
            "--product-code" => product_code = Some(value()?),
            "--dimension" => dimension = Some(value()?),
            "--quantity" => quantity = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let aws_configured = (set("AWS_REGION") || set("AWS_DEFAULT_REGION"))
        && [
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        ]
        .iter()
        .any(|name| set(name));
    let target = target.unwrap_or(if aws_configured {
        Target::Aws
    } else {
        Target::Simulator
    });
    let product_code = match (product_code, target) {
        (Some(code), _) => code,
        (None, Target::Simulator) => "prod-quickstart".to_owned(),
        (None, Target::Aws) => {
            return Err(
                "metering against AWS needs your product code: --product-code or MARKETPLACE_PRODUCT_CODE"
                    .to_owned(),
            )
        }
    };
    Ok(Options {
        target,
        product_code,
        dimension: dimension.unwrap_or_else(|| "hours".to_owned()),
        quantity: quantity.unwrap_or_else(|| "3.5".to_owned()),
    })
}

/// The seller's metering call: this hour's usage of one dimension. Returns the metering
/// record id.
pub async fn meter(
    client: &Client,
    options: &Options,
) -> Result<String, marketplace_metering::Error> {
    let output = client
        .meter_usage()
        .product_code(&options.product_code)
        .timestamp(SystemTime::now())
        .usage_dimension(&options.dimension)
        .usage_quantity_as_decimal(&options.quantity)
        .send()
        .await?;
    Ok(output.metering_record_id().unwrap_or("(none)").to_owned())
}

/// A simulator that knows the product to meter, its buyer, and the access key AKID/SECRET.
pub async fn start_simulator(options: &Options) -> Result<Simulator, Box<dyn Error>> {
    Ok(Simulator::builder()
        .product(
            Product::new(&options.product_code, ProductKind::Ami).dimensions([&options.dimension]),
        )
        .customer(
            Customer::new("quickstart-buyer", "123456789012").subscribed_to(&options.product_code),
        )
        .buyer_account("123456789012")
        .access_key("AKID", "SECRET")
        .start()
        .await?)
}

/// Meters as `options` say and returns what to print.
pub async fn run(options: &Options) -> Result<String, Box<dyn Error>> {
    match options.target {
        Target::Aws => {
            let config = Config::from_env().await?.build();
            let client = Client::from_conf(config);
            let id = meter(&client, options).await?;
            Ok(format!(
                "Metered {} {} of {} on AWS: metering record {id}\n",
                options.quantity, options.dimension, options.product_code
            ))
        }
        Target::Simulator => {
            let sim = start_simulator(options).await?;
            let config = Config::builder()
                .region("us-east-1")
                .endpoint_url(sim.endpoint_url())
                .credentials(Credentials::new("AKID", "SECRET", None))
                .build();
            let client = Client::from_conf(config);
            let id = meter(&client, options).await?;
            // Metering the same hour again (a retry, a restart) is answered with the same record.
            let again = meter(&client, options).await?;
            let mut report = format!(
                "No AWS configuration: metering against the local simulator at {}\n\
                 MeterUsage answered metering record {id} (and {again} when sent again)\n\
                 What would be billed:\n",
                sim.endpoint_url()
            );
            for record in sim.records() {
                report.push_str(&format!(
                    "  {} / {} / hour {}: {} (account {})\n",
                    record.product_code,
                    record.dimension,
                    format_rfc3339_millis(record.hour),
                    record.quantity_decimal,
                    record.customer_aws_account_id.as_deref().unwrap_or("-"),
                ));
            }
            sim.shutdown().await;
            Ok(report)
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let options = options(std::env::args().skip(1), |name| std::env::var(name).ok())?;
    print!("{}", run(&options).await?);
    Ok(())
}
