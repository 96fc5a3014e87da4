//! What sellers build around the AWS Marketplace Metering calls, built once: tools on top of
//! the generated [`marketplace_metering`] client.
//!
//! - [`batch`]: metering for SaaS products. Any number of usage records in, grouped by
//!   product, sent in `BatchMeterUsage` calls of 25 at a paced rate, unprocessed records sent
//!   again with backoff; every record's outcome out, none dropped.
//! - [`hourly`]: metering for AMI and container products. Usage added up per dimension and
//!   hour, each ended hour reported once with `MeterUsage` and an idempotency token derived
//!   from it, through a journal on disk that survives crashes and restarts.
//! - [`register`]: checking the signature `RegisterUsage` returns to a paid container
//!   product, and its claims.
//!
//! A program that uses only the generated client does not depend on this crate, and this
//! crate adds no package the client does not already bring.
//!
//! # MSRV and stability
//!
//! Rust 1.88. The crate is 0.x: a minor version may change the API and defaults such as
//! the batch request rate, the number of attempts and the journal's compaction size; a
//! patch version does not. The journal's format changes only with a minor version.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
#[cfg(test)]
mod fuzz_tests;
pub mod hourly;
mod quantity;
pub mod register;
mod retry;

/// The README's examples, compiled as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
