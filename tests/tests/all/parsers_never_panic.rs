//! Responses read into the generated types never panic, and valid responses
//! read back exactly what was sent.
//!
//! hostile_responses.rs runs a fixed-seed stream of mutated bodies through the
//! deserializers and a real client. This adds proptest properties, whose failing
//! inputs shrink to a minimal response: structure-aware mutations of valid
//! bodies, read as every output and every exception of the model (an error body
//! is read as its exception the same way); valid bodies generated from the
//! shapes, with arbitrary strings, extreme numbers, unknown enum values and
//! members, which must parse and serialize back to equal values; and the
//! generated endpoint resolver, with any region and endpoint. The generators are
//! the runtime's (`runtime/src/fuzz_tests/generators.rs`, included by path); see
//! TESTING.md for case counts and the long run.

#![forbid(unsafe_code)]

#[allow(dead_code)] // The runtime's property tests use the rest.
#[path = "../../../runtime/src/fuzz_tests/generators.rs"]
mod generators;

use generators::{config, json_bytes, neighbourhoods, text, tried};
use marketplace_metering::endpoint::{resolve, Params};
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageOutput;
use marketplace_metering::operation::meter_usage::MeterUsageOutput;
use marketplace_metering::operation::register_usage::RegisterUsageOutput;
use marketplace_metering::operation::resolve_customer::ResolveCustomerOutput;
use marketplace_metering::types::error::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};

/// Reads `$body` as each of the types; what parses must serialize and parse
/// back to an equal value when `$exact`, else just print. Evaluates to how
/// many types read it.
macro_rules! read_as {
    ($body:expr, $exact:expr; $($shape:ty),+ $(,)?) => {{
        let body: &[u8] = $body;
        let mut parsed = 0;
        $(
            if let Ok(value) = serde_json::from_slice::<$shape>(body) {
                parsed += 1;
                let _ = format!("{value:?}");
                let written = serde_json::to_vec(&value).expect("what was read can be written");
                let again = serde_json::from_slice::<$shape>(&written);
                if $exact {
                    let again = again.expect("what was written can be read");
                    assert_eq!(again, value, "{}", String::from_utf8_lossy(&written));
                }
            }
        )+
        parsed
    }};
}

/// Reads `body` as every output and exception of the model.
fn read_all(body: &[u8], exact: bool) -> usize {
    read_as!(body, exact;
        MeterUsageOutput, BatchMeterUsageOutput, RegisterUsageOutput, ResolveCustomerOutput,
        CustomerNotEntitledException, DisabledApiException, DuplicateRequestException,
        ExpiredTokenException, IdempotencyConflictException, InternalServiceErrorException,
        InvalidCustomerIdentifierException, InvalidEndpointRegionException,
        InvalidLicenseException, InvalidProductCodeException, InvalidPublicKeyVersionException,
        InvalidRegionException, InvalidTagException, InvalidTokenException,
        InvalidUsageAllocationsException, InvalidUsageDimensionException,
        PlatformNotSupportedException, ThrottlingException, TimestampOutOfBoundsException,
    )
}

/// Valid bodies of every output, and error bodies.
const BODIES: &[&str] = &[
    r#"{"MeteringRecordId":"rec-1"}"#,
    r#"{"Results":[{"UsageRecord":{"Timestamp":1700000000,"CustomerIdentifier":"c","Dimension":"d","Quantity":1,"UsageAllocations":[{"AllocatedUsageQuantity":1,"Tags":[{"Key":"k","Value":"v"}]}],"LicenseArn":"arn:aws:l"},"MeteringRecordId":"r","Status":"Success"},{"Status":"SomethingNew"}],"UnprocessedRecords":[{"Timestamp":1700000000.5,"Dimension":"d","QuantityAsDecimal":"1.5","AllocatedUsageQuantityAsDecimal":"0.25"}]}"#,
    r#"{"PublicKeyRotationTimestamp":1.7e9,"Signature":"eyJhbGciOi"}"#,
    r#"{"PublicKeyRotationTimestamp":"2030-01-02T03:04:05.123Z","Signature":null}"#,
    r#"{"CustomerIdentifier":"c","ProductCode":"p","CustomerAWSAccountId":"123456789012","LicenseArn":"arn:aws:license-manager::1:license:l","Metadata":{"AgreementId":"agmt-1","Other":[1,{"x":null}]}}"#,
    r#"{"__type":"com.amazonaws.marketplace.metering#ThrottlingException","message":"Rate exceeded"}"#,
];

const JSON_PARTS: &[&str] = &[
    "-0",
    "1e400",
    "2147483648",
    "-2147483649",
    "1.5",
    "\"Success\"",
    "\"Timestamp\":",
    "\"Status\":",
    "\"Results\":[",
    "\"Metadata\":",
    "\"message\":",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"Tue, 14 Nov 2023 22:13:20 GMT\"",
];

/// A JSON object of the members that are set.
fn object(members: Vec<(&'static str, Option<Value>)>) -> Value {
    Value::Object(
        members
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)))
            .collect(),
    )
}

/// An optional member: absent, `null`, or a value.
fn member(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        4 => value.prop_map(Some),
    ]
}

fn string() -> impl Strategy<Value = Value> {
    any::<String>().prop_map(Value::from)
}

fn integer() -> impl Strategy<Value = Value> {
    any::<i32>().prop_map(Value::from)
}

/// Epoch seconds to the millisecond, 1970 to 2100, as an integer when whole.
fn timestamp() -> impl Strategy<Value = Value> {
    (0i64..=4_102_444_800_000).prop_map(|millis| {
        if millis % 1000 == 0 {
            json!(millis / 1000)
        } else {
            json!(millis as f64 / 1000.0)
        }
    })
}

fn list<S: Strategy<Value = Value>>(item: S) -> impl Strategy<Value = Value> {
    vec(item, 0..4).prop_map(Value::from)
}

fn tag() -> impl Strategy<Value = Value> {
    (member(string()), member(string()))
        .prop_map(|(key, value)| object(vec![("Key", key), ("Value", value)]))
}

fn usage_record() -> impl Strategy<Value = Value> {
    let allocation = (member(integer()), member(string()), member(list(tag()))).prop_map(
        |(quantity, decimal, tags)| {
            object(vec![
                ("AllocatedUsageQuantity", quantity),
                ("AllocatedUsageQuantityAsDecimal", decimal),
                ("Tags", tags),
            ])
        },
    );
    (
        (member(timestamp()), member(string()), member(string())),
        (
            member(integer()),
            member(string()),
            member(list(allocation)),
        ),
        (member(string()), member(string())),
    )
        .prop_map(
            |((at, customer, dimension), (quantity, decimal, allocations), (account, arn))| {
                object(vec![
                    ("Timestamp", at),
                    ("CustomerIdentifier", customer),
                    ("Dimension", dimension),
                    ("Quantity", quantity),
                    ("QuantityAsDecimal", decimal),
                    ("UsageAllocations", allocations),
                    ("CustomerAWSAccountId", account),
                    ("LicenseArn", arn),
                ])
            },
        )
}

/// A valid body of any output or exception, with an unknown member sometimes.
fn valid_body() -> impl Strategy<Value = Value> {
    let status = prop_oneof![
        select(&["Success", "CustomerNotSubscribed", "DuplicateRecord"][..]).prop_map(Value::from),
        string(),
    ];
    let result = (member(usage_record()), member(string()), member(status)).prop_map(
        |(record, id, status)| {
            object(vec![
                ("UsageRecord", record),
                ("MeteringRecordId", id),
                ("Status", status),
            ])
        },
    );
    let batch =
        (member(list(result)), member(list(usage_record()))).prop_map(|(results, unprocessed)| {
            object(vec![
                ("Results", results),
                ("UnprocessedRecords", unprocessed),
            ])
        });
    let meter = member(string()).prop_map(|id| object(vec![("MeteringRecordId", id)]));
    let register = (member(timestamp()), member(string())).prop_map(|(at, signature)| {
        object(vec![
            ("PublicKeyRotationTimestamp", at),
            ("Signature", signature),
        ])
    });
    let metadata = member(string()).prop_map(|id| object(vec![("AgreementId", id)]));
    let resolve = (
        (member(string()), member(string()), member(string())),
        (member(string()), member(metadata)),
    )
        .prop_map(|((customer, product, account), (arn, metadata))| {
            object(vec![
                ("CustomerIdentifier", customer),
                ("ProductCode", product),
                ("CustomerAWSAccountId", account),
                ("LicenseArn", arn),
                ("Metadata", metadata),
            ])
        });
    let exception = member(string()).prop_map(|message| object(vec![("message", message)]));
    let body = prop_oneof![batch, meter, register, resolve, exception];
    (body, option::of((any::<String>(), string()))).prop_map(|(mut body, unknown)| {
        if let (Some((name, value)), Value::Object(members)) = (unknown, &mut body) {
            members.entry(name).or_insert(value);
        }
        body
    })
}

const REGIONS: &[&str] = &["us-east-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1"];
const ENDPOINTS: &[&str] = &[
    "https://example.com:8443/base",
    "http://127.0.0.1:9",
    "https://[::1]",
];
const HOST_PARTS: &[&str] = &["-", ".", "/", ":", "@", "%", "_", "A", "0"];

proptest! {
    #![proptest_config(config(1_000))]

    /// Any body, read as every output and exception: no panic.
    #[test]
    fn responses_never_panic(body in json_bytes(BODIES, JSON_PARTS)) {
        read_all(&body, false);
    }

    /// Valid bodies are read by their shape and written back unchanged.
    #[test]
    fn valid_responses_read_back_what_was_sent(body in valid_body()) {
        let body = serde_json::to_vec(&body).unwrap();
        prop_assert!(read_all(&body, true) > 0, "{}", String::from_utf8_lossy(&body));
    }

    /// Any region and endpoint: the rule set resolves or refuses, no panic,
    /// and a region it resolves for is in the host.
    #[test]
    fn endpoint_resolution_never_panics(
        region in option::of(text(REGIONS, HOST_PARTS)),
        endpoint in option::of(text(ENDPOINTS, HOST_PARTS)),
        use_fips in any::<bool>(),
        use_dual_stack in any::<bool>(),
    ) {
        let params = Params {
            region: region.clone(),
            endpoint: endpoint.clone(),
            use_fips,
            use_dual_stack,
        };
        if let (Ok(resolved), None, Some(region)) = (resolve(&params), endpoint, region) {
            prop_assert!(resolved.url().starts_with("https://"), "{}", resolved.url());
            prop_assert!(resolved.url().contains(&region), "{} {}", region, resolved.url());
        }
    }
}

#[test]
fn response_neighbourhood() {
    let inputs = neighbourhoods(BODIES, |body| {
        read_all(body.as_bytes(), false);
    });
    tried(inputs);
}
