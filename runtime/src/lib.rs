//! The hand-written runtime under the generated AWS service crates: what every
//! call runs.
//!
//! Generated code is thin: it declares shapes with serde derives and calls the plain
//! functions here for everything shared by every operation — the awsJson protocol,
//! SigV4 signing, HTTP, retries, error parsing and input validation. Nothing here
//! reads the environment: a client runs with a [`config::ClientConfig`], which
//! `marketplace-sdk-config` builds from the environment and the shared files. Users
//! never name this crate: the service crate re-exports what they need.
//!
//! Its pieces stand alone too, for instance the SigV4 signer:
//!
//! ```
//! use marketplace_sdk_runtime::credentials::Credentials;
//! use marketplace_sdk_runtime::sigv4::{Signer, SigningParams, SigningTarget};
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! let credentials = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None);
//! let target = SigningTarget::from_url("https://metering.marketplace.us-east-1.amazonaws.com/")?;
//! let params = SigningParams {
//!     credentials: &credentials,
//!     region: "us-east-1",
//!     service: "aws-marketplace",
//!     time: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
//! };
//! let headers = Signer::new().sign(&target, &[("content-type", "application/x-amz-json-1.1")], b"{}", &params)?;
//! let authorization = &headers.iter().find(|(name, _)| *name == "authorization").unwrap().1;
//! assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/"));
//! # Ok::<(), marketplace_sdk_runtime::error::ConfigError>(())
//! ```
//!
//! # Features
//!
//! - `test-util`: the replay HTTP client and per-operation mocks (`test_util`).
//! - `native-roots`: `tls::TrustRoots::Native`, the operating system's trust store.
//!
//! # MSRV and stability
//!
//! Rust 1.88. The crate is 0.x: a minor version may change the public API and defaults
//! such as the timeouts, the retry settings and the user agent; a patch version does not.

#![forbid(unsafe_code)]

pub mod aws_json;
pub mod blob;
pub mod client;
pub mod config;
pub mod credentials;
pub mod datetime;
pub mod endpoint;
pub mod enums;
pub mod error;
#[doc(hidden)]
pub mod file;
#[cfg(test)]
mod fuzz_tests;
pub mod operation;
pub mod paginator;
mod random;
#[doc(hidden)]
pub mod redact;
pub mod retry;
pub mod serde_support;
pub mod sigv4;
pub mod sleep;
#[cfg(test)]
mod temp_dir;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod tls;
pub mod transport;
#[doc(hidden)]
pub mod user_agent;
pub mod validate;

/// An untyped JSON value, for the model's `document` shapes.
pub type Document = serde_json::Value;

/// A fresh idempotency token: a random UUID v4, as the AWS SDKs send.
pub fn idempotency_token() -> String {
    random::uuid_v4()
}

#[doc(hidden)]
pub mod __private {
    //! Re-exports generated code refers to, so the service crate needs no direct
    //! dependency on them.
    pub use serde;
    pub use serde_json;
}
