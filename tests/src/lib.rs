//! Shared infrastructure for the SDK's integration tests.
//!
//! The tests in `tests/tests/` run the real client against servers on
//! `127.0.0.1` and never touch the network beyond loopback. Those in
//! `tests/tests/all/` are modules of one test binary; a file directly in
//! `tests/tests/` is a test that needs a process of its own. This library
//! gives them:
//!
//! - [`server`]: a tiny hand-written HTTP/1.1 server ([`TestServer`]) that
//!   records every request and answers with scripted [`Reply`]s, including
//!   faults (hanging, dropping the connection) and delays;
//! - [`sigv4`]: an independent reference verifier for AWS Signature Version 4
//!   ([`verify`]), to check that the requests the SDK signs would be accepted;
//! - [`emulators`]: where credentials come from — EC2 instance metadata
//!   (IMDSv2), the container credentials endpoint and STS — emulated on
//!   [`TestServer`]s.
//!
//! It is hand-written on Tokio's `TcpListener` instead of using an HTTP
//! framework so that the server under test shares no HTTP code with the
//! client being tested, and so that it can misbehave on purpose.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod emulators;
pub mod server;
pub mod sigv4;

pub use server::{refused_url, Fault, RecordedRequest, Reply, Responder, TestServer, REQUEST_ID};
pub use sigv4::{verify, VerifyOutcome};

/// The README's Rust examples, compiled by `cargo test` as doctests so they cannot
/// drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
