//! Hand-written: the generated `quirks` crate, made from a model with the quirks the sweep of
//! botocore's JSON models found (see the fixture's docs), compiles and behaves.

use fixture_quirks::operation::create_user::CreateUserInput;
use fixture_quirks::operation::post_comment::{PostCommentError, PostCommentInput};
use fixture_quirks::types::Location;
use marketplace_sdk_runtime::client::{Operation, OperationError};
use marketplace_sdk_runtime::error::ErrorMetadata;

#[test]
fn errors_listed_twice_are_one_variant() {
    let meta = ErrorMetadata::new(
        Some("PathRequiredException".into()),
        Some("no path".into()),
        None,
        Some(400),
    );
    let error = PostCommentError::from_response(meta, b"{}");
    assert!(matches!(error, PostCommentError::PathRequiredException(_)));
    // awsJson sends the shape name in `__type`; the awsQueryCompatible `error.code` of
    // the model is the code of the `x-amzn-query-error` header, and botocore maps that
    // to the exception too (see tests/wire.rs).
    let meta = |code: &str| ErrorMetadata::new(Some(code.into()), None, None, Some(400));
    assert!(matches!(
        PostCommentError::from_response(meta("AWS.Quirks.PathRequired"), b"{}"),
        PostCommentError::PathRequiredException(_)
    ));
    assert!(matches!(
        PostCommentError::from_response(meta("AWS.Quirks.Other"), b"{}"),
        PostCommentError::Unhandled(_)
    ));
    assert!(matches!(
        PostCommentError::from_response(meta("InvalidPathException"), b"{}"),
        PostCommentError::InvalidPathException(_)
    ));
}

#[test]
fn map_keys_are_checked_without_the_values() {
    let ok = CreateUserInput::builder()
        .extensions("name", "anything".to_owned())
        .build();
    assert!(ok.is_ok());
    let error = CreateUserInput::builder()
        .extensions("", "anything".to_owned())
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("Extensions"), "{error}");
}

#[test]
fn only_the_inputs_idempotency_tokens_are_filled() {
    let mut input = PostCommentInput::builder()
        .path("a.txt")
        .location(Location::builder().line(3).build())
        .build()
        .unwrap();
    input.prepare();
    assert!(input.client_request_token().is_some());
    assert_eq!(input.location().unwrap().token(), None);
}

#[test]
fn a_member_named_like_an_operator_method_is_renamed() {
    let location = Location::builder().add_2("a").add_2("b").build();
    assert_eq!(location.add_2(), ["a", "b"]);
    assert_eq!(
        serde_json::to_value(&location).unwrap(),
        serde_json::json!({"Add": ["a", "b"]})
    );
}

#[test]
fn operations_the_runtime_cannot_send_are_left_out_and_listed() {
    // `subscribe`, `use_bearer` and `write_records` do not exist on the client (this would
    // not compile otherwise); the crate docs name them, and `get_item` (optional endpoint
    // discovery), `describe_endpoints` and `run_sync` (a host prefix) are there.
    let client = fixture_quirks::Client::from_conf(fixture_quirks::Config::builder().build());
    let _ = (
        client.get_item(),
        client.describe_endpoints(),
        client.ping(),
        client.run_sync(),
    );
    let lib = include_str!("../src/lib.rs");
    for line in [
        "//! - `Subscribe`: its output has an event stream (`EventStream`)",
        "//! - `UseBearer`: it is authenticated with a bearer token",
        "//! - `WriteRecords`: it needs endpoint discovery",
    ] {
        assert!(lib.contains(line), "{line}");
    }
}
