//! Hand-written: exercises the generated `all_types` crate at runtime (serde wire forms,
//! builders, validation, redaction, errors). `src/` is a snapshot; this file is not.

use fixture_all_types::operation::fire::FireInput;
use fixture_all_types::operation::nothing::{NothingInput, NothingOutput};
use fixture_all_types::operation::ping::{PingInput, PingOutput};
use fixture_all_types::operation::put_everything::{PutEverythingError, PutEverythingInput};
use fixture_all_types::operation::Operation;
use fixture_all_types::primitives::{Blob, DateTime};
use fixture_all_types::types::{Choice, Everything, Size};
use marketplace_sdk_runtime::client::OperationError;
use marketplace_sdk_runtime::error::{ErrorMetadata, ProvideErrorMetadata};
use serde_json::{json, Value};
use std::collections::HashMap;

fn everything() -> Everything {
    Everything::builder()
        .text("hello")
        .size(Size::Value2xl)
        .count(7)
        .total(1 << 40)
        .ratio(f32::INFINITY)
        .precise(0.25)
        .flag(true)
        .tiny(-8)
        .small(999)
        .created_at(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
        .updated_at(DateTime::from_secs(0))
        .deleted_at(DateTime::from_secs(1_700_000_000))
        .payload(Blob::new(*b"\x00\x01\x02\xff"))
        .metadata(json!({"nested": [1, "two", null, {"three": true}]}))
        .names("a")
        .names("b")
        .maybe_names(Some("x".into()))
        .maybe_names(None)
        .labels("k", "v".into())
        .maybe_labels("gone", None)
        .groups("g", vec!["one".into(), "two".into()])
        .sizes(Size::UsEast1)
        .sizes(Size::from("galactic"))
        .secret("hunter2")
        .password("correct horse")
        .times(DateTime::from_secs(86_400))
        .epoch_times(DateTime::from_secs(86_400))
        .ratios("nan", Some(f32::NAN))
        .ratios("none", None)
        .ratios("neg", Some(f32::NEG_INFINITY))
        .samples(vec![1.5, f64::INFINITY])
        .build()
}

#[test]
fn every_type_has_its_wire_form() {
    let value = serde_json::to_value(everything()).unwrap();
    let expected = json!({
        "Text": "hello",
        "Size": "2XL",
        "Count": 7,
        "Total": 1_099_511_627_776_i64,
        "Ratio": "Infinity",
        "Precise": 0.25,
        "Flag": true,
        "Tiny": -8,
        "Small": 999,
        "CreatedAt": 1_700_000_000.5,
        "UpdatedAt": "1970-01-01T00:00:00Z",
        "DeletedAt": "2023-11-14T22:13:20Z",
        "Payload": "AAEC/w==",
        "Metadata": {"nested": [1, "two", null, {"three": true}]},
        "Names": ["a", "b"],
        "MaybeNames": ["x", null],
        "Labels": {"k": "v"},
        "MaybeLabels": {"gone": null},
        "Groups": {"g": ["one", "two"]},
        "Sizes": ["us-east-1", "galactic"],
        "Secret": "hunter2",
        "Password": "correct horse",
        "Times": ["1970-01-02T00:00:00Z"],
        "EpochTimes": [86_400],
        "Ratios": {"nan": "NaN", "none": null, "neg": "-Infinity"},
        "Samples": [[1.5, "Infinity"]]
    });
    assert_eq!(value, expected);
}

#[test]
fn every_type_reads_back() {
    let text = serde_json::to_string(&everything()).unwrap();
    let back: Everything = serde_json::from_str(&text).unwrap();
    // NaN is not equal to itself: compare it apart, then the rest.
    assert!(back.ratios().unwrap()["nan"].unwrap().is_nan());
    let mut without_nan = back.clone();
    without_nan.ratios.as_mut().unwrap().remove("nan");
    let mut expected = everything();
    expected.ratios.as_mut().unwrap().remove("nan");
    assert_eq!(without_nan, expected);

    assert_eq!(back.payload().unwrap().as_bytes(), b"\x00\x01\x02\xff");
    assert_eq!(back.maybe_names(), [Some("x".to_owned()), None]);
    assert_eq!(back.maybe_labels().unwrap()["gone"], None);
    assert_eq!(back.created_at().unwrap().subsec_nanos(), 500_000_000);
    assert_eq!(back.ratio(), Some(f32::INFINITY));
    assert_eq!(back.samples()[0][1], f64::INFINITY);
}

#[test]
fn missing_and_null_members_are_unset() {
    let empty: Everything = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, Everything::default());
    assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    let nulls: Everything =
        serde_json::from_str(r#"{"Text":null,"Ratio":null,"UpdatedAt":null,"Times":null}"#)
            .unwrap();
    assert_eq!(nulls, Everything::default());
    assert!(empty.names().is_empty());
}

#[test]
fn timestamps_follow_their_format() {
    // Epoch seconds as integers or fractions; RFC 3339 with offsets and fractions.
    let read: Everything = serde_json::from_str(
        r#"{"CreatedAt": 1700000000, "UpdatedAt": "2023-11-14T23:13:20.25+01:00",
            "DeletedAt": "2023-11-14T22:13:20Z", "EpochTimes": [1.5], "Times": ["1970-01-01T00:00:01Z"]}"#,
    )
    .unwrap();
    assert_eq!(read.created_at(), Some(DateTime::from_secs(1_700_000_000)));
    assert_eq!(
        read.updated_at(),
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000))
    );
    assert_eq!(read.deleted_at(), Some(DateTime::from_secs(1_700_000_000)));
    assert_eq!(
        read.epoch_times(),
        [DateTime::from_secs_and_nanos(1, 500_000_000)]
    );
    assert_eq!(read.times(), [DateTime::from_secs(1)]);
    // Each member reads the other format too, as botocore does, and writes its own.
    let lenient: Everything = serde_json::from_str(
        r#"{"CreatedAt": "1970-01-01T00:00:02Z", "UpdatedAt": 3, "Times": ["4"]}"#,
    )
    .unwrap();
    assert_eq!(lenient.created_at(), Some(DateTime::from_secs(2)));
    assert_eq!(lenient.updated_at(), Some(DateTime::from_secs(3)));
    assert_eq!(lenient.times(), [DateTime::from_secs(4)]);
    let written = serde_json::to_value(&lenient).unwrap();
    assert_eq!(written["CreatedAt"], 2);
    assert_eq!(written["UpdatedAt"], "1970-01-01T00:00:03Z");
    // What is no timestamp in any form is refused.
    assert!(serde_json::from_str::<Everything>(r#"{"CreatedAt": "soon"}"#).is_err());
    assert!(serde_json::from_str::<Everything>(r#"{"UpdatedAt": true}"#).is_err());
    assert!(serde_json::from_str::<Everything>(r#"{"Times": [[0]]}"#).is_err());
}

#[test]
fn floats_accept_numbers_and_the_three_strings() {
    let read: Everything = serde_json::from_str(
        r#"{"Ratio": "NaN", "Precise": "-Infinity", "Samples": [[1, "NaN"]], "Ratios": {"a": 2}}"#,
    )
    .unwrap();
    assert!(read.ratio().unwrap().is_nan());
    assert_eq!(read.precise(), Some(f64::NEG_INFINITY));
    assert_eq!(read.samples()[0][0], 1.0);
    assert!(read.samples()[0][1].is_nan());
    assert_eq!(read.ratios().unwrap()["a"], Some(2.0));
    assert!(serde_json::from_str::<Everything>(r#"{"Precise": "lots"}"#).is_err());
}

#[test]
fn blobs_are_base64() {
    let read: Everything = serde_json::from_str(r#"{"Payload": "aGk="}"#).unwrap();
    assert_eq!(read.payload().unwrap().as_bytes(), b"hi");
    assert!(serde_json::from_str::<Everything>(r#"{"Payload": "not base64!"}"#).is_err());
}

#[test]
fn enums_keep_unknown_values() {
    for (variant, value) in [
        (Size::UsEast1, "us-east-1"),
        (Size::Value2xl, "2XL"),
        (Size::UnknownValue, "Unknown"),
        (Size::FooBar, "foo-bar"),
        (Size::FooBar2, "foo_bar"),
        (Size::Small, "small"),
    ] {
        assert_eq!(variant.as_str(), value);
        assert_eq!(Size::from(value), variant);
        assert_eq!(value.parse::<Size>().unwrap(), variant);
        assert_eq!(serde_json::to_value(&variant).unwrap(), json!(value));
        assert_eq!(
            serde_json::from_value::<Size>(json!(value)).unwrap(),
            variant
        );
    }
    assert_eq!(
        Size::values(),
        ["us-east-1", "2XL", "Unknown", "foo-bar", "foo_bar", "small"]
    );
    let unknown: Size = serde_json::from_value(json!("xl-new")).unwrap();
    assert!(matches!(unknown, Size::Unknown(_)));
    assert_eq!(unknown.as_str(), "xl-new");
    assert_eq!(unknown.to_string(), "xl-new");
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("xl-new"));
    // Case matters: `small` is known, `SMALL` is not.
    assert!(matches!(Size::from("SMALL"), Size::Unknown(_)));
}

#[test]
fn unions_are_one_member_objects() {
    let cases = [
        (Choice::Text("hi".into()), json!({"Text": "hi"})),
        (Choice::Number(3), json!({"Number": 3})),
        (
            Choice::When(DateTime::from_secs(60)),
            json!({"When": "1970-01-01T00:01:00Z"}),
        ),
        (Choice::Epoch(DateTime::from_secs(60)), json!({"Epoch": 60})),
        (Choice::Bytes(Blob::new(*b"hi")), json!({"Bytes": "aGk="})),
        (Choice::Ratio(f64::INFINITY), json!({"Ratio": "Infinity"})),
        (Choice::Names(vec!["a".into()]), json!({"Names": ["a"]})),
        (
            Choice::Labels(HashMap::from([("k".into(), "v".into())])),
            json!({"Labels": {"k": "v"}}),
        ),
        (Choice::Size(Size::UsEast1), json!({"Size": "us-east-1"})),
        (
            Choice::Doc(json!([1, {"a": null}])),
            json!({"Doc": [1, {"a": null}]}),
        ),
        (
            Choice::Times(vec![DateTime::from_secs(0)]),
            json!({"Times": ["1970-01-01T00:00:00Z"]}),
        ),
        (
            Choice::Everything(Everything::builder().count(1).build()),
            json!({"Everything": {"Count": 1}}),
        ),
    ];
    for (choice, wire) in cases {
        assert_eq!(serde_json::to_value(&choice).unwrap(), wire, "{choice:?}");
        assert_eq!(serde_json::from_value::<Choice>(wire).unwrap(), choice);
    }
    let nan: Choice = serde_json::from_value(json!({"Ratio": "NaN"})).unwrap();
    assert!(nan.as_ratio().unwrap().is_nan());
    assert_eq!(serde_json::to_value(&nan).unwrap(), json!({"Ratio": "NaN"}));
    assert_eq!(Choice::Number(3).as_number(), Some(&3));
    assert_eq!(Choice::Number(3).as_text(), None);
}

#[test]
fn unions_ignore_nulls_and_type_and_keep_unknown_members() {
    let read: Choice =
        serde_json::from_value(json!({"Text": null, "__type": "x", "Number": 5})).unwrap();
    assert_eq!(read, Choice::Number(5));

    let unknown: Choice = serde_json::from_value(json!({"AddedLater": {"x": 1}})).unwrap();
    assert!(unknown.is_unknown());
    assert!(matches!(&unknown, Choice::Unknown(name) if name.as_str() == "AddedLater"));
    // An unknown member cannot be sent: serializing fails rather than sending `{}`.
    assert!(serde_json::to_value(&unknown).is_err());

    for bad in [
        json!({}),
        json!({"Text": "a", "Number": 1}),
        json!({"Number": "one"}),
    ] {
        let error = serde_json::from_value::<Choice>(bad.clone()).unwrap_err();
        assert!(
            error.to_string().contains("Choice") || error.to_string().contains("Number"),
            "{bad}: {error}"
        );
    }
    let error = serde_json::from_value::<Choice>(json!({"When": "soon"})).unwrap_err();
    assert!(error.to_string().contains("`When`"), "{error}");
}

fn valid_input() -> fixture_all_types::operation::put_everything::PutEverythingInputBuilder {
    PutEverythingInput::builder().everything(everything())
}

fn validation_error(
    builder: fixture_all_types::operation::put_everything::PutEverythingInputBuilder,
) -> (String, String) {
    let error = builder.build().expect_err("the input is invalid");
    (error.path().to_owned(), error.problem().to_owned())
}

#[test]
fn build_checks_required_members() {
    let (path, problem) = validation_error(PutEverythingInput::builder());
    assert_eq!(path, "Everything");
    assert!(problem.contains("required"), "{problem}");
    valid_input().build().unwrap();
    valid_input()
        .choice(Choice::Text("".into()))
        .build()
        .unwrap();
}

#[test]
fn build_checks_nested_constraints_and_names_the_path() {
    let with =
        |change: fn(Everything) -> Everything| valid_input().everything(change(everything()));
    let cases: Vec<(_, &str, &str)> = vec![
        (
            with(|mut e| {
                e.text = Some("".into());
                e
            }),
            "Everything.Text",
            "below the minimum 1",
        ),
        (
            with(|mut e| {
                e.text = Some("0123456789x".into());
                e
            }),
            "Everything.Text",
            "above the maximum 10",
        ),
        (
            with(|mut e| {
                e.count = Some(101);
                e
            }),
            "Everything.Count",
            "above the maximum 100",
        ),
        (
            with(|mut e| {
                e.count = Some(-1);
                e
            }),
            "Everything.Count",
            "below the minimum 0",
        ),
        (
            with(|mut e| {
                e.precise = Some(-2.0);
                e
            }),
            "Everything.Precise",
            "below the minimum -1.5",
        ),
        (
            with(|mut e| {
                e.small = Some(1001);
                e
            }),
            "Everything.Small",
            "above the maximum 1000",
        ),
        (
            with(|mut e| {
                e.payload = Some(Blob::new(vec![0; 17]));
                e
            }),
            "Everything.Payload",
            "above the maximum 16",
        ),
        (
            with(|mut e| {
                e.names = Some(vec![]);
                e
            }),
            "Everything.Names",
            "below the minimum 1",
        ),
        (
            with(|mut e| {
                e.names = Some(vec!["ok".into(), "".into()]);
                e
            }),
            "Everything.Names[1]",
            "below the minimum 1",
        ),
        (
            with(|mut e| {
                e.maybe_names = Some(vec![None, Some("".into())]);
                e
            }),
            "Everything.MaybeNames[1]",
            "below the minimum 1",
        ),
        (
            with(|mut e| {
                e.labels = Some(HashMap::from([
                    ("b".into(), "".into()),
                    ("a".into(), "".into()),
                ]));
                e
            }),
            // Map entries are checked in key order, so the first failure is stable.
            "Everything.Labels[\"a\"]",
            "below the minimum 1",
        ),
        (
            with(|mut e| {
                e.labels = Some(HashMap::from([
                    ("a".into(), "1".into()),
                    ("b".into(), "2".into()),
                    ("c".into(), "3".into()),
                ]));
                e
            }),
            "Everything.Labels",
            "above the maximum 2",
        ),
        (
            with(|mut e| {
                e.groups = Some(HashMap::from([("g".into(), vec![])]));
                e
            }),
            "Everything.Groups[\"g\"]",
            "below the minimum 1",
        ),
        (
            valid_input().client_token("too short"),
            "ClientToken",
            "below the minimum 32",
        ),
        (
            valid_input().choice(Choice::Number(200)),
            "Choice.Number",
            "above the maximum 100",
        ),
        (
            valid_input().choice(Choice::Names(vec!["far too long".into()])),
            "Choice.Names[0]",
            "above the maximum 10",
        ),
        (
            valid_input().choice(Choice::Everything(
                Everything::builder().tiny(1).text("").build(),
            )),
            "Choice.Everything.Text",
            "below the minimum 1",
        ),
        (
            valid_input()
                .choices(Choice::Text("a".into()))
                .choices(Choice::Number(-5)),
            "Choices[1].Number",
            "below the minimum 0",
        ),
        (
            valid_input().set_choices(Some(vec![Choice::Number(1); 4])),
            "Choices",
            "above the maximum 3",
        ),
    ];
    for (builder, expected_path, expected_problem) in cases {
        let (path, problem) = validation_error(builder);
        assert_eq!(path, expected_path, "{problem}");
        assert!(problem.contains(expected_problem), "{path}: {problem}");
    }
}

#[test]
fn unknown_union_members_cannot_be_sent() {
    let unknown: Choice = serde_json::from_value(json!({"AddedLater": 1})).unwrap();
    let (path, problem) = validation_error(valid_input().choice(unknown));
    assert_eq!(path, "Choice");
    assert!(problem.contains("AddedLater"), "{problem}");
}

#[test]
fn idempotency_tokens_are_filled_once() {
    let mut input = valid_input().build().unwrap();
    assert_eq!(input.client_token(), None);
    input.prepare();
    let token = input.client_token().unwrap().to_owned();
    assert_eq!(token.len(), 36, "a UUID: {token}");
    input.validate().unwrap();
    input.prepare();
    assert_eq!(
        input.client_token(),
        Some(token.as_str()),
        "kept across retries"
    );

    let mut mine = valid_input()
        .client_token("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    mine.prepare();
    assert_eq!(
        mine.client_token(),
        Some("0123456789abcdef0123456789abcdef")
    );
    let wire = serde_json::to_value(&mine).unwrap();
    assert_eq!(wire["ClientToken"], "0123456789abcdef0123456789abcdef");
}

#[test]
fn debug_redacts_sensitive_members() {
    let e = everything();
    for text in [
        format!("{e:?}"),
        format!(
            "{:?}",
            Everything::builder()
                .secret("hunter2")
                .password("correct horse")
        ),
    ] {
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("correct horse"), "{text}");
        assert!(text.contains("*** sensitive data redacted ***"), "{text}");
    }
    let text = format!("{e:?}");
    assert!(
        text.contains("\"hello\""),
        "other members still print: {text}"
    );
    // A structure that holds one with secrets redacts them too.
    let text = format!("{:?}", valid_input().build().unwrap());
    assert!(!text.contains("hunter2"), "{text}");
    // Blobs print their size, not their bytes.
    assert!(format!("{e:?}").contains("Blob(4 bytes)"));

    // Lists and maps of sensitive values are redacted as a whole.
    let nested = Everything::builder()
        .secrets("k", vec!["s3cr3t".into()])
        .build();
    let text = format!("{nested:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(
        text.contains("secrets: \"*** sensitive data redacted ***\""),
        "{text}"
    );
    assert_eq!(
        serde_json::to_value(&nested).unwrap(),
        json!({"Secrets": {"k": ["s3cr3t"]}}),
        "redaction is for Debug only"
    );

    // So are a union's sensitive members; the others still print.
    let secret = Choice::Secret("s3cr3t".into());
    assert_eq!(
        format!("{secret:?}"),
        "Secret(\"*** sensitive data redacted ***\")"
    );
    assert_eq!(
        serde_json::to_value(&secret).unwrap(),
        json!({"Secret": "s3cr3t"})
    );
    assert_eq!(format!("{:?}", Choice::Number(4)), "Number(4)");
    let unknown: Choice = serde_json::from_value(json!({"New": 1})).unwrap();
    assert_eq!(format!("{unknown:?}"), "Unknown(\"New\")");
}

#[test]
#[allow(deprecated)]
fn deprecated_members_still_work() {
    let e = Everything::builder()
        .old_text("old")
        .legacy("older")
        .build();
    assert_eq!(e.old_text(), Some("old"));
    assert_eq!(e.legacy(), Some("older"));
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"OldText": "old", "Legacy": "older"})
    );
}

fn meta(code: &str, message: Option<&str>) -> ErrorMetadata {
    ErrorMetadata::new(
        Some(code.into()),
        message.map(Into::into),
        Some("req-1".into()),
        Some(400),
    )
}

#[test]
fn exceptions_read_their_members_and_message() {
    let error = PutEverythingError::from_response(
        meta("ValidationException", Some("from the header")),
        br#"{"__type": "ValidationException", "Message": "from the body", "FieldName": "Text"}"#,
    );
    let PutEverythingError::ValidationException(exception) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(exception.message(), Some("from the body"));
    assert_eq!(exception.field_name(), Some("Text"));
    assert!(!exception.is_fault());
    assert_eq!(error.meta().request_id(), Some("req-1"));
    assert!(error.to_string().contains("ValidationException"), "{error}");

    // A lower-case `message` member, filled from the metadata when the body lacks it.
    let error = PutEverythingError::from_response(meta("InternalFailure", Some("boom")), b"{}");
    let PutEverythingError::InternalFailure(exception) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(exception.message(), Some("boom"));
    assert!(exception.is_fault());

    // No members at all.
    let error = PutEverythingError::from_response(meta("ThrottledException", None), b"");
    assert!(matches!(error, PutEverythingError::ThrottledException(_)));

    // A code the operation does not list.
    let error = PutEverythingError::from_response(meta("Teapot", Some("short and stout")), b"{}");
    assert!(matches!(error, PutEverythingError::Unhandled(_)));
    let error: fixture_all_types::Error = error.into();
    assert_eq!(error.code(), Some("Teapot"));
    assert_eq!(error.message(), Some("short and stout"));

    let service: fixture_all_types::Error =
        PutEverythingError::from_response(meta("ValidationException", None), br#"{"Message":"m"}"#)
            .into();
    assert!(matches!(
        service,
        fixture_all_types::Error::ValidationException(_)
    ));
    assert_eq!(service.code(), Some("ValidationException"));
}

#[test]
fn operations_without_input_or_output() {
    // No input: an empty structure that validates and sends `{}`.
    let ping = PingInput::builder().build().unwrap();
    ping.validate().unwrap();
    assert_eq!(serde_json::to_string(&ping).unwrap(), "{}");
    let out: PingOutput =
        serde_json::from_str(r#"{"Status": "ok", "ServerTime": "2024-02-29T12:00:00Z"}"#).unwrap();
    assert_eq!(out.status(), Some("ok"));
    assert_eq!(
        out.server_time().unwrap().to_string(),
        "2024-02-29T12:00:00Z"
    );

    // No output: an empty structure read from any object.
    assert_eq!(FireInput::builder().build().unwrap_err().path(), "Target");
    FireInput::builder().target("t").build().unwrap();
    let _: fixture_all_types::operation::fire::FireOutput =
        serde_json::from_str(r#"{"Whatever": 1}"#).unwrap();

    NothingInput::builder().build().unwrap();
    let _: NothingOutput = serde_json::from_value(Value::Object(Default::default())).unwrap();
}
