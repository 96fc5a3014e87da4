//! Configuration and credentials from where a program runs, for the marketplace
//! SDK crates: [`Config::from_env`](config::Config::from_env) reads the environment
//! and the shared config and credentials files in the order every AWS SDK reads
//! them, and the [`credentials`] providers find credentials on a laptop, in CI,
//! in ECS and EKS containers and on EC2 instances.
//!
//! Everything a call runs (the protocol, signing, HTTP, retries) is in
//! `marketplace-sdk-runtime`, which this crate builds on and never the other way
//! round: a [`Config`](config::Config) hands each client a plain
//! `marketplace_sdk_runtime::config::ClientConfig` for its service. Users never
//! name this crate: the service crates re-export what they need.
//!
//! # Features
//!
//! All off by default; the service crates forward them under the same names.
//!
//! - `aws-credential-types`: `aws_sdk::AwsSdkCredentialsProvider` makes any
//!   credentials provider of the official AWS SDK one of this SDK's.
//! - `aws-types`: `Config::from_sdk_config(&aws_types::SdkConfig)`, so one
//!   `aws_config::load_defaults(..)` configures both SDKs.
//! - `native-roots`: `TrustRoots::Native` for `ConfigBuilder::trust_roots`.
//! - `test-util`: `ConfigBuilder::mock_rules`, over the runtime's test doubles.
//!
//! # Example
//!
//! ```
//! use marketplace_sdk_config::config::Config;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // `Config::from_env()` reads the process environment; `from_vars` the given variables.
//! let config = Config::from_vars([
//!     ("AWS_REGION", "eu-west-1"),
//!     ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
//!     ("AWS_SECRET_ACCESS_KEY", "secret"),
//!     ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", "http://127.0.0.1:8080"),
//!     ("AWS_EC2_METADATA_DISABLED", "true"),
//! ])
//! .await?
//! .build();
//! assert_eq!(config.region(), Some("eu-west-1"));
//! let metering = config.client_config("Marketplace Metering");
//! assert_eq!(metering.endpoint_url.unwrap().url(), "http://127.0.0.1:8080");
//! # Ok(())
//! # }
//! ```
//!
//! # MSRV and stability
//!
//! Rust 1.88 (1.94.1 with the bridge features, as the official SDK's crates). The crate
//! is 0.x: a minor version may change the public API and defaults such as the
//! timeouts, the retry settings and the order of the credentials chain; a patch version
//! does not.

#![forbid(unsafe_code)]

#[cfg(feature = "aws-credential-types")]
pub mod aws_sdk;
pub mod config;
pub mod credentials;
mod env;
#[cfg(test)]
mod fuzz_tests;
pub mod profile;
#[cfg(test)]
#[path = "../../runtime/src/temp_dir.rs"]
mod temp_dir;
