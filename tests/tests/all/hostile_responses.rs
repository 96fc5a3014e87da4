//! Hostile input from a server never panics the client: a seeded, deterministic
//! fuzz test of the response deserializers and of the error path.
//!
//! Run length (fixed, so the test is reproducible and its time bounded):
//!
//! - [`DESERIALIZER_INPUTS`] = 20,000 inputs, each fed to the `Deserialize` of
//!   every operation output and of two exception shapes: mutations of valid
//!   documents (byte flips, truncation, spliced JSON fragments, huge numbers,
//!   wrong types, deep nesting, invalid UTF-8) and plain random bytes;
//! - [`ROUND_TRIPS`] = 1,000 responses sent by the loopback test server to real
//!   calls of all four operations, with random statuses, error-type headers,
//!   `Date` headers and bodies, through the SDK's whole response path: status,
//!   error metadata and message parsing, exception mapping, output parsing,
//!   retry classification and clock-skew detection.
//!
//! Each call must end in `Ok` or an error; a panic fails the test. Change
//! [`SEED`] to explore other inputs.

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use crate::{common, retry_support};
use integration_tests::{Reply, TestServer};
use marketplace_metering::config::RetryConfig;
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
use marketplace_metering::operation::meter_usage::MeterUsageOutput;
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::operation::resolve_customer::ResolveCustomerOutput;
use marketplace_metering::types::error::{InvalidTokenException, ThrottlingException};
use marketplace_metering::Client;

/// The seed of every run.
const SEED: u64 = 0x5EED_0FAC_E5ED;
/// Inputs for the deserializers.
const DESERIALIZER_INPUTS: usize = 20_000;
/// Responses through the whole client.
const ROUND_TRIPS: usize = 1_000;

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Valid documents of every output and error shape, to mutate.
const DOCUMENTS: &[&str] = &[
    r#"{"MeteringRecordId":"rec-1"}"#,
    r#"{"Results":[{"UsageRecord":{"Timestamp":1700000000,"CustomerIdentifier":"c","Dimension":"d","Quantity":1,"UsageAllocations":[{"AllocatedUsageQuantity":1,"Tags":[{"Key":"k","Value":"v"}]}],"LicenseArn":"arn:aws:l"},"MeteringRecordId":"r","Status":"Success"}],"UnprocessedRecords":[{"Timestamp":1700000000.5,"Dimension":"d","QuantityAsDecimal":"1.5"}]}"#,
    r#"{"PublicKeyRotationTimestamp":1700000000.25,"Signature":"eyJhbGciOi"}"#,
    r#"{"CustomerIdentifier":"c","ProductCode":"p","CustomerAWSAccountId":"123456789012","LicenseArn":"arn:aws:license-manager::1:license:l","Metadata":{"AgreementId":"agmt-1"}}"#,
    r#"{"__type":"com.amazonaws.marketplace.metering#ThrottlingException","message":"Rate exceeded"}"#,
    r#"{"code":"InvalidTokenException","Message":"bad token"}"#,
    r#"{}"#,
];

/// Fragments spliced into documents: structure, extremes and wrong types.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999999",
    "-1e999999",
    "18446744073709551616",
    "-9223372036854775809",
    "1.7976931348623157e309",
    "0.0000000000000000000000000000000001",
    "NaN",
    "Infinity",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\uZZZZ\"",
    "\"\\",
    "[]",
    "{}",
    "\"Success\"",
    "\"Unknown-Status\"",
    "{\"a\":1}",
    "\"Timestamp\":",
    "\"Status\":",
    "\"Results\":",
    "\"__type\":",
    "\"message\":",
    "\u{feff}",
    "\u{1F600}",
    "<html>",
    "</body>",
];

fn mutate(rng: &mut Rng, document: &[u8]) -> Vec<u8> {
    let mut bytes = document.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(8) {
            // Flip a byte to anything, including invalid UTF-8.
            0 if !bytes.is_empty() => {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            // Truncate.
            1 => bytes.truncate(rng.below(bytes.len() + 1)),
            // Splice a fragment in.
            2 | 3 => {
                let at = rng.below(bytes.len() + 1);
                let fragment = rng.pick(FRAGMENTS).as_bytes();
                bytes.splice(at..at, fragment.iter().copied());
            }
            // Replace a value-looking span with a fragment (wrong types).
            4 => {
                let at = rng.below(bytes.len() + 1);
                let end = (at + rng.below(12)).min(bytes.len());
                let fragment = rng.pick(FRAGMENTS).as_bytes();
                bytes.splice(at..end, fragment.iter().copied());
            }
            // Deep nesting around or inside.
            5 => {
                let depth = 1 + rng.below(5_000);
                let at = rng.below(bytes.len() + 1);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                bytes.splice(at..at, std::iter::repeat_n(open, depth));
            }
            // Duplicate a span.
            6 if !bytes.is_empty() => {
                let at = rng.below(bytes.len());
                let end = (at + rng.below(40)).min(bytes.len());
                let span = bytes[at..end].to_vec();
                bytes.splice(at..at, span);
            }
            // Random bytes appended.
            _ => bytes.extend((0..rng.below(16)).map(|_| rng.next() as u8)),
        }
    }
    bytes
}

fn input(rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0 => (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
        1 => rng.pick(DOCUMENTS).as_bytes().to_vec(),
        _ => {
            let document = rng.pick(DOCUMENTS).as_bytes();
            mutate(rng, document)
        }
    }
}

/// Parses `bytes` as every shape; only a panic would fail.
fn parse_all(bytes: &[u8]) -> usize {
    let results = [
        serde_json::from_slice::<MeterUsageOutput>(bytes).is_ok(),
        serde_json::from_slice::<BatchMeterUsageOutput>(bytes).is_ok(),
        serde_json::from_slice::<RegisterUsageOutput>(bytes).is_ok(),
        serde_json::from_slice::<ResolveCustomerOutput>(bytes).is_ok(),
        serde_json::from_slice::<ThrottlingException>(bytes).is_ok(),
        serde_json::from_slice::<InvalidTokenException>(bytes).is_ok(),
    ];
    results.iter().filter(|ok| **ok).count()
}

#[test]
fn the_deserializers_survive_arbitrary_bytes() {
    // The valid documents do parse, so the mutations start from real input.
    for document in DOCUMENTS {
        assert!(parse_all(document.as_bytes()) > 0, "{document}");
    }
    let mut rng = Rng(SEED);
    let mut parsed = 0;
    let mut refused = 0;
    for _ in 0..DESERIALIZER_INPUTS {
        let bytes = input(&mut rng);
        let ok = parse_all(&bytes);
        parsed += ok;
        refused += 6 - ok;
    }
    // Both outcomes occur: the generator reaches valid and invalid input.
    assert!(parsed > 1_000 && refused > 10_000, "{parsed} {refused}");
}

/// A random response: status, headers and body.
fn hostile_reply(rng: &mut Rng) -> Reply {
    let status = *rng.pick(&[
        200, 200, 200, 400, 400, 403, 404, 500, 502, 503, 504, 302, 599,
    ]);
    let body = input(rng);
    let mut reply = Reply::new(status).body(body);
    if rng.below(2) == 0 {
        reply = reply.header("content-type", "application/x-amz-json-1.1");
    }
    if rng.below(2) == 0 {
        reply = reply.header("x-amzn-RequestId", "req-fuzz");
    }
    if rng.below(3) == 0 {
        let code = *rng.pick(&[
            "ThrottlingException",
            "InvalidTokenException",
            "RequestTimeTooSkewed",
            "SignatureDoesNotMatch",
            "InvalidSignatureException",
            "ns#Weird:http://x",
            ":::",
            "##",
            "",
            " ",
            "Very\tOdd",
        ]);
        reply = reply.header("X-Amzn-Errortype", code);
    }
    if rng.below(3) == 0 {
        let date = *rng.pick(&[
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Mon, 29 Feb 2100 00:00:00 GMT",
            "not a date",
            "",
        ]);
        reply = reply.header("Date", date);
    }
    reply
}

async fn call(client: &Client, operation: usize) -> bool {
    match operation % 4 {
        0 => retry_support::meter(client).await.is_ok(),
        1 => common::valid_batch_meter_usage(client).send().await.is_ok(),
        2 => common::valid_register_usage(client).send().await.is_ok(),
        _ => common::valid_resolve_customer(client).send().await.is_ok(),
    }
}

#[tokio::test]
async fn the_client_survives_hostile_responses() {
    let mut rng = Rng(SEED ^ 0xFFFF);
    let replies: Vec<Reply> = (0..ROUND_TRIPS).map(|_| hostile_reply(&mut rng)).collect();
    let server = TestServer::sequence(replies).await;
    // One attempt per call, so that each call reads exactly one reply.
    let client = Client::from_conf(
        retry_support::builder(&server)
            .retry_config(RetryConfig::disabled())
            .attempt_timeout(Duration::from_secs(5))
            .build(),
    );
    let start = Instant::now();
    let mut succeeded = 0;
    for n in 0..ROUND_TRIPS {
        succeeded += usize::from(call(&client, n).await);
    }
    assert_eq!(server.request_count().await, ROUND_TRIPS);
    assert!(succeeded > 0, "some replies are valid successes");
    assert!(succeeded < ROUND_TRIPS);
    assert!(
        start.elapsed() < Duration::from_secs(120),
        "{:?}",
        start.elapsed()
    );
}
