//! Programs a seller can run, each a thin `main` in `examples/` over a function here that
//! `tests/loopback.rs` runs against the local Metering Service:
//!
//! - [`hourly`]: a container (or AMI) product reports an hour's usage with `MeterUsage`;
//! - [`saas`]: a SaaS back end reports usage with `BatchMeterUsage`, handling unprocessed
//!   records and each record's status;
//! - [`registration`]: the registration page resolves the token AWS Marketplace posts;
//! - [`register`]: a paid container checks its entitlement with `RegisterUsage` at start.
//!
//! For production, `marketplace-metering-toolkit` does more of this for you (a durable
//! journal for hourly usage, rate limits and resends for batches, signature checks).

#![forbid(unsafe_code)]

pub mod hourly;
pub mod register;
pub mod registration;
pub mod saas;
