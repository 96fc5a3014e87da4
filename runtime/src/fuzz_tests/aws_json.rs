//! awsJson error responses: the metadata read from the `X-Amzn-Errortype` header
//! and the body, a modeled exception's members, the excerpt of an unmodeled one,
//! and the retry and clock-skew decisions taken from them. (Success outputs are
//! deserialized into generated types: tests/tests/all/parsers_never_panic.rs.)

use super::generators::{config, json_bytes, neighbourhoods, text, tried};
use crate::aws_json::{body_excerpt, error_metadata, is_json_object, starts_object};
use crate::client::{parse_exception, unhandled};
use crate::datetime::DateTime;
use crate::error::{display_service_error, ErrorMetadata};
use crate::retry::{classify_response, is_clock_skew_error};
use proptest::option;
use proptest::prelude::*;
use std::fmt;

/// Error bodies as services send them, and bodies a proxy sends instead.
const ERROR_BODIES: &[&str] = &[
    r#"{"__type":"com.amazonaws.marketplace.metering#ThrottlingException","message":"Rate exceeded"}"#,
    r#"{"code":"aws.protocoltests#FooError:http://internal/","Message":"m","errorMessage":"e"}"#,
    r#"{"__type":"InvalidTokenException","message":"bad","Reason":"r","At":1700000000.5,"Nested":{"Items":["a",{"b":null}]}}"#,
    r#"{"__type":"RequestTimeTooSkewed","message":"Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z"}"#,
    r#"  {"message": null, "__type": 7}"#,
    "<html><body>Bad gateway</body></html>",
    "{}",
    "",
];

/// JSON syntax and members of error bodies.
const JSON_PARTS: &[&str] = &[
    "\"__type\":",
    "\"code\":",
    "\"message\":",
    "\"Message\":",
    "\"errorMessage\":",
    "\"ns#Code:uri\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\\u",
    "1e400",
    "-0",
];

/// `X-Amzn-Errortype` values.
const ERROR_TYPES: &[&str] = &[
    "ThrottlingException",
    "aws.protocoltests.restjson#FooError:http://internal/",
    "InvalidSignatureException",
    "##:",
    " ",
];

const ERROR_TYPE_PARTS: &[&str] = &["#", ":", " ", "\t", "http://x"];

/// A modeled exception, as generated code declares one: optional members of
/// several types.
#[derive(Debug, Default, serde::Deserialize)]
#[allow(dead_code)] // Read through `Debug` only.
struct Exception {
    message: Option<String>,
    #[serde(rename = "Reason")]
    reason: Option<String>,
    #[serde(rename = "At")]
    at: Option<DateTime>,
    #[serde(rename = "Nested")]
    nested: Option<serde_json::Value>,
}

/// A modeled exception's `Display`, as generated code writes it.
struct Shown<'a>(&'a ErrorMetadata);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_service_error("FuzzException", self.0, f)
    }
}

/// Reads an error response as the client does, and checks what it read.
fn read_error(status: u16, error_type: Option<&str>, request_id: Option<&str>, body: &[u8]) {
    let header = |name: &str| match name {
        "x-amzn-errortype" => error_type.map(str::to_owned),
        "x-amzn-requestid" => request_id.map(str::to_owned),
        _ => None,
    };
    let meta = error_metadata(status, header, body);
    // The code is what precedes the first `:` and follows the last `#`, trimmed.
    if let Some(code) = meta.code() {
        assert!(!code.is_empty() && code.trim() == code, "{code:?}");
        assert!(!code.contains([':', '#']), "{code:?}");
    }
    // A JSON object begins with `{`.
    assert!(!is_json_object(body) || starts_object(body));
    let excerpt = body_excerpt(body);
    assert!(excerpt.chars().count() <= 201, "{excerpt:?}");
    let exception: Exception = parse_exception(body);
    let unmodeled = unhandled(meta.clone(), body);
    let _ = format!("{exception:?} {unmodeled} {unmodeled:?} {}", Shown(&meta));
    let _ = is_clock_skew_error(meta.code(), meta.message());
    let _ = classify_response(status, meta.code());
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Any status, headers and body: no panic, and the code is sanitized.
    #[test]
    fn error_responses_never_panic(
        status in any::<u16>(),
        error_type in option::of(text(ERROR_TYPES, ERROR_TYPE_PARTS)),
        request_id in option::of(any::<String>()),
        body in json_bytes(ERROR_BODIES, JSON_PARTS),
    ) {
        read_error(status, error_type.as_deref(), request_id.as_deref(), &body);
    }
}

#[test]
fn error_body_neighbourhood() {
    let inputs = neighbourhoods(ERROR_BODIES, |body| {
        read_error(400, None, None, body.as_bytes())
    }) + neighbourhoods(ERROR_TYPES, |error_type| {
        read_error(400, Some(error_type), Some(error_type), b"{}")
    });
    tried(inputs);
}
