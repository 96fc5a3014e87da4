//! The per-call hot path, piece by piece, and the generator's own time for this model.
//!
//! `cargo bench -p hot-path [-- FILTER]`. Groups:
//! - `serialize/<operation>`: the input to its JSON body (`serde_json::to_vec`, as the client).
//! - `validate/<operation>`: the model's constraints checked before sending.
//! - `sign/<operation>`: SigV4 over the request (as `marketplace_sdk_runtime::client` signs).
//! - `sign_aws_sigv4/<operation>`: the same signature through `aws-sigv4`, for comparison.
//! - `parse/<operation>`: an output body to its output struct.
//! - `parse_error/<operation>`: error metadata from headers and body, then the modeled error.
//! - `endpoint/<case>`: the endpoint rule set for a configuration.
//! - `codegen/marketplace_metering`: `codegen::generate` for the whole model.

#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hot_path::*;
use marketplace_metering::endpoint::{resolve, Params};
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
use marketplace_metering::operation::meter_usage::{MeterUsageError, MeterUsageOutput};
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::operation::resolve_customer::ResolveCustomerOutput;
use marketplace_sdk_runtime::client::{Operation, OperationError};
use marketplace_sdk_runtime::sigv4::{Signer, SigningTarget};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::hint::black_box;
use std::time::Duration;

fn serialize(c: &mut Criterion) {
    let mut group = c.benchmark_group("serialize");
    fn one<I: Serialize>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        input: I,
    ) {
        group.throughput(Throughput::Bytes(
            serde_json::to_vec(&input).unwrap().len() as u64
        ));
        group.bench_function(name, |b| {
            b.iter(|| serde_json::to_vec(black_box(&input)).unwrap())
        });
    }
    one(&mut group, "meter_usage", meter_usage_input());
    one(
        &mut group,
        "batch_meter_usage_25",
        batch_meter_usage_input(),
    );
    one(&mut group, "register_usage", register_usage_input());
    one(&mut group, "resolve_customer", resolve_customer_input());
    group.finish();
}

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    let meter = meter_usage_input();
    group.bench_function("meter_usage", |b| {
        b.iter(|| black_box(&meter).validate().unwrap())
    });
    let batch = batch_meter_usage_input();
    group.bench_function("batch_meter_usage_25", |b| {
        b.iter(|| black_box(&batch).validate().unwrap())
    });
    group.finish();
}

fn sign_requests(c: &mut Criterion) {
    let credentials = credentials();
    let url = "https://metering.marketplace.us-east-1.amazonaws.com/";
    let target = SigningTarget::from_url(url).unwrap();
    let signer = Signer::new();
    let requests = [
        (
            "meter_usage",
            serde_json::to_vec(&meter_usage_input()).unwrap(),
            request_headers("AWSMPMeteringService.MeterUsage"),
        ),
        (
            "batch_meter_usage_25",
            serde_json::to_vec(&batch_meter_usage_input()).unwrap(),
            request_headers("AWSMPMeteringService.BatchMeterUsage"),
        ),
    ];
    let mut group = c.benchmark_group("sign");
    for (name, body, headers) in &requests {
        group.bench_function(*name, |b| {
            b.iter(|| {
                sign(
                    &signer,
                    &credentials,
                    &target,
                    headers,
                    black_box(body),
                    timestamp(),
                )
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("sign_aws_sigv4");
    for (name, body, headers) in &requests {
        group.bench_function(*name, |b| {
            b.iter(|| sign_with_aws_sigv4(&credentials, url, headers, black_box(body), timestamp()))
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    fn one<O: DeserializeOwned>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        body: &[u8],
    ) {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| serde_json::from_slice::<O>(black_box(body)).unwrap())
        });
    }
    one::<MeterUsageOutput>(&mut group, "meter_usage", METER_USAGE_OUTPUT.as_bytes());
    let batch = batch_meter_usage_output();
    one::<BatchMeterUsageOutput>(&mut group, "batch_meter_usage_25", batch.as_bytes());
    one::<RegisterUsageOutput>(
        &mut group,
        "register_usage",
        REGISTER_USAGE_OUTPUT.as_bytes(),
    );
    one::<ResolveCustomerOutput>(
        &mut group,
        "resolve_customer",
        RESOLVE_CUSTOMER_OUTPUT.as_bytes(),
    );
    group.finish();
}

fn parse_error(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_error");
    let body = THROTTLING_ERROR_BODY.as_bytes();
    group.bench_function("meter_usage_throttling", |b| {
        b.iter(|| {
            let meta = marketplace_sdk_runtime::aws_json::error_metadata(
                400,
                error_header,
                black_box(body),
            );
            MeterUsageError::from_response(meta, body)
        })
    });
    group.finish();
}

fn endpoint(c: &mut Criterion) {
    let mut group = c.benchmark_group("endpoint");
    let cases = [
        (
            "us_east_1",
            Params {
                region: Some("us-east-1".into()),
                ..Params::default()
            },
        ),
        (
            "us_gov_west_1_fips_dualstack",
            Params {
                region: Some("us-gov-west-1".into()),
                use_fips: true,
                use_dual_stack: true,
                ..Params::default()
            },
        ),
        (
            "custom_url",
            Params {
                region: Some("us-east-1".into()),
                endpoint: Some("http://127.0.0.1:8080".into()),
                ..Params::default()
            },
        ),
    ];
    for (name, params) in &cases {
        group.bench_function(*name, |b| b.iter(|| resolve(black_box(params)).unwrap()));
    }
    group.finish();
}

fn generator(c: &mut Criterion) {
    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    let input = codegen_input();
    group.bench_function("marketplace_metering", |b| {
        b.iter(|| codegen::generate(black_box(&input)).unwrap())
    });
    group.finish();
}

criterion_group! {
    name = hot_path;
    // Short runs: these are nanosecond- to microsecond-scale functions.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = serialize, validate, sign_requests, parse, parse_error, endpoint, generator
}
criterion_main!(hot_path);
