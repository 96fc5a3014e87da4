//! The wire tests' harness (copied by `cargo xtask sweep --compile ladder` into the scratch
//! workspace's `ladder-wire` crate as `src/harness.rs`; edit it in `xtask/ladder/`).
//!
//! For every case of `cases/<service>.json` (made by `xtask/ladder/make_cases.py` with
//! botocore) it builds the operation's input from the case's params with serde, sends it with
//! the generated client over the runtime's replay transport (no socket) and compares:
//!
//! - the request the transport received with the one botocore's serializer made: method,
//!   path, the headers that carry the protocol (`Content-Type`, `X-Amz-Target`,
//!   `X-Amzn-Query-Mode`), the host with its host prefix, whether it is signed, and the body
//!   as JSON, where botocore's generated idempotency tokens (the marker `<uuid4>`) must be a
//!   version 4 UUID;
//! - that `Debug` of the input shows none of the values of sensitive members;
//! - for each modeled error in each form AWS sends it, the error variant the client picks
//!   and its `code()`, `message()` and `request_id()` with what botocore's parser and client
//!   make of the same response.
//!
//! Every mismatch is reported with service, operation, case and JSON path; a service's test
//! fails at the end if any was found, unless all of them are [`KNOWN_GAPS`]. The summary is
//! also written to `results/<service>.txt` for the sweep's report.

use marketplace_sdk_runtime::error::{ProvideErrorMetadata, SdkError};
use marketplace_sdk_runtime::test_util::{Recorded, ReplayClient, ReplayEvent};
use serde_json::Value;
use std::fmt::{Debug, Write as _};
use std::future::Future;

/// The region every client is configured with.
pub const REGION: &str = "us-east-1";
/// The fixed access key.
pub const ACCESS_KEY: &str = "AKIDLADDER";
/// The fixed secret key.
pub const SECRET_KEY: &str = "ladder-secret";
/// The endpoint every client sends to; a host prefix goes in front of its host, as botocore
/// does with an endpoint URL.
pub const ENDPOINT: &str = "https://ladder.example.com";
const HOST: &str = "ladder.example.com";
/// Where botocore generated an idempotency token.
const UUID_MARKER: &str = "<uuid4>";
/// The headers compared both ways: those botocore sets must be sent, with its value; those it
/// does not set must not be.
const PROTOCOL_HEADERS: &[&str] = &["content-type", "x-amz-target", "x-amzn-query-mode"];

/// Checks whose mismatches are known, waiting for a feature being built elsewhere: reported,
/// but they do not fail the test. Strict: a known gap that no longer shows fails, so that the
/// entry is removed when the feature lands and the check guards it from then on.
/// (check, services it applies to (empty: all), why).
pub const KNOWN_GAPS: &[(&str, &[&str], &str)] = &[];

/// One call: the input's params and the response the transport answers with.
pub struct Call {
    /// The input, in the JSON form the generated types deserialize from.
    pub params: Value,
    /// Status, headers and body of the response.
    pub response: (u16, Vec<(String, String)>, Vec<u8>),
}

/// What a call did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Why the params did not deserialize into the input type.
    pub input_error: Option<String>,
    /// `Debug` of the input.
    pub debug: String,
    /// What the transport received.
    pub sent: Vec<Recorded>,
    /// The service error.
    pub error: Option<ServiceError>,
    /// Any other failure of the call.
    pub failure: Option<String>,
}

/// A service error as the client gave it.
#[derive(Debug)]
pub struct ServiceError {
    /// The variant of the operation's error enum.
    pub variant: String,
    /// `code()`.
    pub code: Option<String>,
    /// `message()`.
    pub message: Option<String>,
    /// `request_id()`.
    pub request_id: Option<String>,
}

/// Builds the input `I` from `case.params` and sends it with `send` over a replay transport
/// that answers with `case.response`.
pub async fn call<I, F, Fut, O, E>(case: Call, send: F) -> Outcome
where
    I: serde::de::DeserializeOwned + Debug,
    F: FnOnce(ReplayClient, I) -> Fut,
    Fut: Future<Output = Result<O, SdkError<E>>>,
    E: ProvideErrorMetadata + Debug,
{
    let input: I = match serde_json::from_value(case.params) {
        Ok(input) => input,
        Err(error) => {
            return Outcome {
                input_error: Some(error.to_string()),
                ..Outcome::default()
            }
        }
    };
    let debug = format!("{input:?}");
    let (status, headers, body) = case.response;
    let mut response = http::Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(name, value);
    }
    let response = response.body(body).expect("a valid canned response");
    let expected = http::Request::post(ENDPOINT).body(Vec::new()).unwrap();
    let transport = ReplayClient::new(vec![ReplayEvent::new(expected, response)]);
    let result = send(transport.clone(), input).await;
    let mut outcome = Outcome {
        debug,
        sent: transport.actual_requests(),
        ..Outcome::default()
    };
    match result {
        Ok(_) => {}
        Err(SdkError::Service(error)) => {
            let rendered = format!("{error:?}");
            let variant = rendered
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or_default()
                .to_owned();
            outcome.error = Some(ServiceError {
                variant,
                code: error.code().map(str::to_owned),
                message: error.message().map(str::to_owned),
                request_id: error.request_id().map(str::to_owned),
            });
        }
        Err(other) => outcome.failure = Some(format!("{other:?}")),
    }
    outcome
}

/// One mismatch.
struct Finding {
    /// The check, as [`KNOWN_GAPS`] names it (`request`, `unsigned`, `error`, ...).
    check: &'static str,
    text: String,
}

/// Runs every case of a service's cases file through `run` (the generated dispatch: `None`
/// when the crate lacks the operation), prints the report, writes it to
/// `results/<service>.txt` and panics when there is a mismatch that is not a known gap.
pub async fn check_service<F, Fut>(cases: &str, run: F)
where
    F: Fn(String, Call) -> Fut,
    Fut: Future<Output = Option<Outcome>>,
{
    let cases: Value = serde_json::from_str(cases).expect("a cases file is JSON");
    let service = cases["service"].as_str().unwrap_or_default().to_owned();
    let mut findings: Vec<Finding> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let (mut requests, mut errors, mut operations) = (0, 0, 0);
    let empty = serde_json::Map::new();
    for (reason_op, reason) in cases["skipped"].as_object().unwrap_or(&empty) {
        notes.push(format!(
            "{service}/{reason_op}: no cases ({})",
            reason.as_str().unwrap_or_default()
        ));
    }
    for (operation, op) in cases["operations"].as_object().unwrap_or(&empty) {
        let here = format!("{service}/{operation}");
        let mut present = true;
        for case in op["requests"].as_array().into_iter().flatten() {
            let name = format!("{here} [{}]", case["case"].as_str().unwrap_or_default());
            let call = Call {
                params: case["params"].clone(),
                response: (
                    200,
                    vec![("content-type".into(), "application/x-amz-json-1.1".into())],
                    b"{}".to_vec(),
                ),
            };
            let Some(outcome) = run(operation.clone(), call).await else {
                present = false;
                break;
            };
            requests += 1;
            if params_deserialized(&name, &outcome, &mut findings) {
                check_request(&name, op, case, &outcome, &mut findings);
            }
        }
        if !present {
            notes.push(format!(
                "{here}: skipped, the crate does not have this operation"
            ));
            continue;
        }
        operations += 1;
        let params = op["requests"][0]["params"].clone();
        for case in op["errors"].as_array().into_iter().flatten() {
            let name = format!("{here} [{}]", case["case"].as_str().unwrap_or_default());
            let headers = case["headers"]
                .as_object()
                .unwrap_or(&empty)
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect();
            let call = Call {
                params: params.clone(),
                response: (
                    case["status"].as_u64().unwrap_or(400) as u16,
                    headers,
                    case["body"]
                        .as_str()
                        .unwrap_or_default()
                        .as_bytes()
                        .to_vec(),
                ),
            };
            let Some(outcome) = run(operation.clone(), call).await else {
                continue;
            };
            errors += 1;
            if params_deserialized(&name, &outcome, &mut findings) {
                check_error(&name, case, &outcome, &mut findings);
            }
        }
    }

    let gap = |finding: &Finding| {
        KNOWN_GAPS.iter().find(|(check, services, _)| {
            *check == finding.check && (services.is_empty() || services.contains(&&*service))
        })
    };
    let (known, real): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| gap(f).is_some());
    let mut stale = Vec::new();
    for (check, services, why) in KNOWN_GAPS {
        if (services.is_empty() || services.contains(&&*service))
            && !known.iter().any(|f| f.check == *check)
            && operations > 0
        {
            stale.push(format!(
                "known gap `{check}` ({why}) no longer shows in {service}: remove it from KNOWN_GAPS in xtask/ladder/harness.rs"
            ));
        }
    }
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{service}: {operations} operations, {requests} request cases, {errors} error cases: \
         {} mismatches, {} known gaps, {} notes",
        real.len() + stale.len(),
        known.len(),
        notes.len()
    );
    for finding in &real {
        let _ = writeln!(report, "MISMATCH {}", finding.text);
    }
    for line in &stale {
        let _ = writeln!(report, "MISMATCH {line}");
    }
    for finding in &known {
        let _ = writeln!(report, "KNOWN ({}) {}", finding.check, finding.text);
    }
    for note in &notes {
        let _ = writeln!(report, "NOTE {note}");
    }
    print!("{report}");
    let results = concat!(env!("CARGO_MANIFEST_DIR"), "/results");
    let _ = std::fs::create_dir_all(results);
    let _ = std::fs::write(format!("{results}/{service}.txt"), &report);
    assert!(
        real.is_empty() && stale.is_empty(),
        "{service}: {} mismatches with botocore (see above)",
        real.len() + stale.len()
    );
}

fn push(findings: &mut Vec<Finding>, check: &'static str, text: String) {
    findings.push(Finding { check, text });
}

/// Whether the case's params made an input; a finding when they did not (nothing was sent).
fn params_deserialized(name: &str, outcome: &Outcome, out: &mut Vec<Finding>) -> bool {
    let Some(error) = &outcome.input_error else {
        return true;
    };
    push(
        out,
        "params",
        format!("{name}: the params do not deserialize: {error}"),
    );
    false
}

fn check_request(name: &str, op: &Value, case: &Value, outcome: &Outcome, out: &mut Vec<Finding>) {
    if let Some(failure) = &outcome.failure {
        push(
            out,
            "request",
            format!("{name}: the call failed: {failure}"),
        );
    }
    if let Some(ServiceError { variant, code, .. }) = &outcome.error {
        push(
            out,
            "request",
            format!("{name}: the call failed with {variant} {code:?} on a 200 {{}} response"),
        );
    }
    for value in case["redacted"].as_array().into_iter().flatten() {
        let value = value.as_str().unwrap_or_default();
        if !value.is_empty() && outcome.debug.contains(value) {
            push(
                out,
                "sensitive",
                format!("{name}: Debug of the input shows the sensitive value {value:?}"),
            );
        }
    }
    let Some(sent) = outcome.sent.first() else {
        if outcome.failure.is_none() {
            push(out, "request", format!("{name}: nothing was sent"));
        }
        return;
    };
    if sent.method != case["method"].as_str().unwrap_or_default() {
        push(
            out,
            "request",
            format!(
                "{name}: method {} instead of {}",
                sent.method, case["method"]
            ),
        );
    }
    let uri: http::Uri = match sent.uri.parse() {
        Ok(uri) => uri,
        Err(error) => {
            push(
                out,
                "request",
                format!("{name}: URI {} does not parse: {error}", sent.uri),
            );
            return;
        }
    };
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let want_path = case["path"].as_str().unwrap_or("/");
    if path_and_query != want_path {
        push(
            out,
            "request",
            format!("{name}: path {path_and_query} instead of {want_path}"),
        );
    }
    let prefix = case["host_prefix"].as_str().unwrap_or_default();
    let want_host = format!("{prefix}{HOST}");
    let host = uri.host().unwrap_or_default();
    if host != want_host {
        push(
            out,
            if prefix.is_empty() {
                "request"
            } else {
                "host-prefix"
            },
            format!("{name}: host {host} instead of {want_host}"),
        );
    }
    let empty = serde_json::Map::new();
    let want_headers = case["headers"].as_object().unwrap_or(&empty);
    for header in PROTOCOL_HEADERS {
        let got = sent.header(header);
        let want: Vec<&str> = want_headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(header))
            .filter_map(|(_, v)| v.as_str())
            .collect();
        if got != want {
            let check = if *header == "x-amzn-query-mode" {
                "query-mode"
            } else {
                "request"
            };
            push(
                out,
                check,
                format!("{name}: header {header} is {got:?} instead of {want:?}"),
            );
        }
    }
    let signed = !sent.header("authorization").is_empty();
    let want_unsigned = op["unsigned"].as_bool().unwrap_or(false);
    if signed == want_unsigned {
        push(
            out,
            "unsigned",
            format!(
                "{name}: the request is {} but botocore's client {} it (authtype {})",
                if signed { "signed" } else { "unsigned" },
                if want_unsigned {
                    "does not sign"
                } else {
                    "signs"
                },
                op["authtype"].as_str().unwrap_or("default"),
            ),
        );
    }
    match (&case["body"], serde_json::from_slice::<Value>(&sent.body)) {
        (Value::Null, _) => {}
        (Value::String(want), _) if want.is_empty() => {
            if !sent.body.is_empty() {
                push(
                    out,
                    "request",
                    format!(
                        "{name}: body {} instead of none",
                        String::from_utf8_lossy(&sent.body)
                    ),
                );
            }
        }
        (want, Ok(got)) => {
            let mut differences = Vec::new();
            compare(want, &got, String::new(), &mut differences);
            for difference in differences {
                push(out, "request", format!("{name}: body{difference}"));
            }
        }
        (_, Err(error)) => push(
            out,
            "request",
            format!(
                "{name}: the body is not JSON ({error}): {}",
                String::from_utf8_lossy(&sent.body)
            ),
        ),
    }
}

fn check_error(name: &str, case: &Value, outcome: &Outcome, out: &mut Vec<Finding>) {
    let Some(ServiceError {
        variant,
        code,
        message,
        request_id,
    }) = &outcome.error
    else {
        push(
            out,
            "error",
            format!(
                "{name}: no service error; {}",
                outcome.failure.as_deref().unwrap_or("the call succeeded")
            ),
        );
        return;
    };
    let want_variant = case["shape"].as_str().unwrap_or("Unhandled");
    let query = case["query_error"].as_bool().unwrap_or(false);
    let check = if query { "query-error" } else { "error" };
    // The generator names variants in Rust's UpperCamelCase (`KMSInternalException` becomes
    // `KmsInternalException`): the same name, compared without case.
    if !variant.eq_ignore_ascii_case(want_variant) {
        push(out, check, format!("{name}: variant {variant} instead of {want_variant} (botocore's client's exception)"));
    }
    let want_code = case["code"].as_str();
    if code.as_deref() != want_code {
        push(
            out,
            check,
            format!("{name}: code() {code:?} instead of {want_code:?}"),
        );
    }
    let want_message = case["message"].as_str().filter(|m| !m.is_empty());
    if message.as_deref() != want_message {
        push(
            out,
            "error",
            format!("{name}: message() {message:?} instead of {want_message:?}"),
        );
    }
    let want_id = case["request_id"].as_str();
    if request_id.as_deref() != want_id {
        push(
            out,
            "error",
            format!("{name}: request_id() {request_id:?} instead of {want_id:?}"),
        );
    }
}

/// Whether `text` is a version 4 UUID in its canonical form.
fn is_uuid4(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && bytes[14] == b'4'
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

/// Appends a line per difference between `want` (botocore's) and `got` (ours) at `path`.
fn compare(want: &Value, got: &Value, path: String, out: &mut Vec<String>) {
    let at = if path.is_empty() {
        ".".to_owned()
    } else {
        path.clone()
    };
    match (want, got) {
        (Value::String(w), Value::String(g)) if w == UUID_MARKER => {
            if !is_uuid4(g) {
                out.push(format!(
                    "{at}: {g:?} is not a v4 UUID (botocore generated one)"
                ));
            }
        }
        (Value::String(w), g) if w == UUID_MARKER => {
            out.push(format!("{at}: {g} instead of a generated v4 UUID"));
        }
        (Value::Object(w), Value::Object(g)) => {
            for (key, value) in w {
                match g.get(key) {
                    Some(other) => compare(value, other, format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}: missing (botocore sends {value})")),
                }
            }
            for (key, value) in g {
                if !w.contains_key(key) {
                    out.push(format!(
                        "{path}.{key}: {value} is sent, botocore sends nothing"
                    ));
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (w, g)) in w.iter().zip(g).enumerate() {
                compare(w, g, format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(w), Value::Number(g)) if w.as_f64() == g.as_f64() => {}
        (w, g) if w == g => {}
        (w, g) => out.push(format!("{at}: {g} instead of {w}")),
    }
}
