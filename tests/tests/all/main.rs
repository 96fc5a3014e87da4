//! The integration tests that can share a process, built as one test binary:
//! the SDK, reqwest and rustls are linked once instead of once per file, which
//! was most of the time `cargo test` spent building this crate. Each file here
//! is a module, so `cargo test -p integration-tests --test all wire::` runs the
//! tests of `wire.rs` alone.
//!
//! A test that needs a process of its own is a file directly in `tests/tests/`,
//! which Cargo builds as a binary of its own: `proxy.rs` sets environment
//! variables, and `observability.rs` depends on `tracing`'s process-wide
//! callsite cache. The tests here run on parallel threads of one process, so
//! they change nothing the process shares: each has its own servers (on port 0),
//! temporary directories ([`common::TempDir`]), clients and clocks, and passes
//! variables with `Config::from_vars`, never through the process environment.

#![forbid(unsafe_code)]

// Shared with the binaries of their own in `tests/tests/`.
#[path = "../common/mod.rs"]
mod common;
#[path = "../retry_support/mod.rs"]
mod retry_support;
#[path = "../tls_server/mod.rs"]
mod tls_server;

mod client_traits;
mod config_resolution;
mod credentials_chain_and_cache;
mod credentials_container_and_sts;
mod credentials_environments;
mod credentials_failures;
mod credentials_imds;
mod endpoint_rules;
mod entitlement;
mod entitlement_paginator;
mod errors;
mod faults;
mod hostile_responses;
mod parsers_never_panic;
mod responses;
mod retries;
mod test_doubles;
mod tls;
mod transport_and_config;
mod user_agent;
mod validation;
mod values;
mod wire;

/// A file of this directory that no `mod` line above names is never compiled,
/// and its tests would silently not run.
#[test]
fn every_file_here_is_a_module() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/all");
    let main = include_str!("main.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&here).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().and_then(|name| name.to_str());
        let Some(module) = file.and_then(|name| name.strip_suffix(".rs")) else {
            continue;
        };
        if module != "main" && !main.lines().any(|line| line == format!("mod {module};")) {
            missing.push(module.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "tests/tests/all/main.rs names no module for {missing:?}"
    );
}
