//! Hand-written: the generated `names` crate, whose model names collide with Rust keywords,
//! with each other and with the SDK's own methods, is usable and keeps the wire names.

use fixture_names::operation::get_thing::{GetThingError, GetThingInput, GetThingOutput};
use fixture_names::operation::old_operation::{OldOperationInput, OldOperationOutput};
use fixture_names::types::{
    FooBar, FooBar2, Kind, Option as OptionEnum, Pick, Result as ResultShape, SelfValue,
};
use marketplace_sdk_runtime::client::OperationError;
use marketplace_sdk_runtime::error::{ErrorMetadata, ProvideErrorMetadata};
use serde_json::json;

#[test]
fn keyword_and_colliding_members_keep_their_wire_names() {
    let input = GetThingInput::builder()
        .r#type("t")
        .self_value("s")
        .r#match(Kind::Type)
        .r#async(true)
        .foo_bar("FooBar")
        .foo_bar_2("Foo_Bar")
        .foo_bar_3("fooBar")
        .build_2("Build")
        .builder_2("Builder")
        .validate_2("Validate")
        .foo("Foo")
        .set_foo_2("SetFoo")
        .get_foo_2("GetFoo")
        .set_bar("SetBar")
        .bar_2("Bar")
        .n2fa("2FA")
        .ipv6_address("::1")
        .result(ResultShape::builder().ok("yes").err("no").build())
        .option(OptionEnum::Some)
        .self_ref(
            SelfValue::builder()
                .self_value("me")
                .super_value("up")
                .crate_value("c")
                .build(),
        )
        .pick(Pick::SelfValue("picked".into()))
        .build()
        .unwrap();
    let wire = serde_json::to_value(&input).unwrap();
    assert_eq!(
        wire,
        json!({
            "Type": "t", "Self": "s", "Match": "type", "Async": true,
            "FooBar": "FooBar", "Foo_Bar": "Foo_Bar", "fooBar": "fooBar",
            "Build": "Build", "Builder": "Builder", "Validate": "Validate",
            "Foo": "Foo", "SetFoo": "SetFoo", "GetFoo": "GetFoo", "SetBar": "SetBar", "Bar": "Bar",
            "2FA": "2FA", "IPv6Address": "::1",
            "Result": {"Ok": "yes", "Err": "no"},
            "Option": "Some",
            "SelfRef": {"Self": "me", "Super": "up", "Crate": "c"},
            "Pick": {"Self": "picked"}
        })
    );
    let back: GetThingInput = serde_json::from_value(wire).unwrap();
    assert_eq!(back, input);
    assert_eq!(back.r#type(), Some("t"));
    assert_eq!(back.self_value(), Some("s"));
    assert_eq!(back.foo_bar_2(), Some("Foo_Bar"));
    assert_eq!(back.set_foo_2(), Some("SetFoo"));
    assert_eq!(back.result().unwrap().ok(), Some("yes"));
}

#[test]
fn setters_getters_and_build_do_not_clash_with_members() {
    let builder = GetThingInput::builder()
        .set_type(Some("t".into()))
        .set_self_value(Some("s".into()))
        .set_build_2(Some("b".into()))
        .set_set_foo_2(Some("sf".into()));
    assert_eq!(builder.get_type().as_deref(), Some("t"));
    assert_eq!(builder.get_build_2().as_deref(), Some("b"));
    assert_eq!(builder.get_set_foo_2().as_deref(), Some("sf"));
    let input = builder.build().unwrap();
    assert_eq!(input.build_2(), Some("b"));
}

#[test]
fn required_keyword_members_are_checked() {
    let error = GetThingInput::builder().build().unwrap_err();
    assert_eq!(error.path(), "Type");
    let error = GetThingInput::builder().r#type("t").build().unwrap_err();
    assert_eq!(error.path(), "Self");
}

#[test]
fn enum_values_that_name_alike_get_distinct_variants() {
    let all = [
        (Kind::SelfValue, "self"),
        (Kind::SelfValue2, "Self"),
        (Kind::Type, "type"),
        (Kind::Type2, "TYPE"),
        (Kind::UnknownValue, "unknown"),
        (Kind::UnknownValue2, "UNKNOWN"),
        (Kind::AB, "a.b"),
        (Kind::AB2, "a-b"),
        (Kind::Value, ""),
        (Kind::Value100, "100"),
    ];
    for (variant, value) in all {
        assert_eq!(variant.as_str(), value);
        assert_eq!(Kind::from(value), variant);
        assert_eq!(serde_json::to_value(&variant).unwrap(), json!(value));
    }
    assert_eq!(Kind::values().len(), 10);
    assert!(matches!(Kind::from("Unknown"), Kind::Unknown(_)));
    assert_eq!(OptionEnum::from("None"), OptionEnum::None);
}

#[test]
fn union_members_that_name_alike() {
    for (pick, wire) in [
        (Pick::Type("a".into()), json!({"Type": "a"})),
        (Pick::SelfValue("b".into()), json!({"Self": "b"})),
        (Pick::Unknown2("c".into()), json!({"Unknown": "c"})),
        (Pick::Unknown3(true), json!({"unknown": true})),
    ] {
        assert_eq!(serde_json::to_value(&pick).unwrap(), wire);
        assert_eq!(serde_json::from_value::<Pick>(wire).unwrap(), pick);
    }
    assert_eq!(
        Pick::Unknown2("c".into()).as_unknown().map(String::as_str),
        Some("c")
    );
    assert_eq!(Pick::Unknown3(true).as_unknown_2(), Some(&true));
    // The SDK's own `Unknown` is a member the model does not have.
    let later: Pick = serde_json::from_value(json!({"UNKNOWN": 1})).unwrap();
    assert!(later.is_unknown());
    assert!(!Pick::Unknown2("c".into()).is_unknown());
}

#[test]
fn shapes_named_alike_are_distinct_types() {
    let output: GetThingOutput = serde_json::from_value(json!({
        "Type": "TYPE",
        "Foo_Bar": {"Value": "lower"},
        "FooBar": {"Value": "upper"},
        "Ok": true
    }))
    .unwrap();
    let lower: &FooBar2 = output.foo_bar().unwrap();
    let upper: &FooBar = output.foo_bar_2().unwrap();
    assert_eq!(lower.value(), Some("lower"));
    assert_eq!(upper.value(), Some("upper"));
    assert_eq!(output.r#type(), Some(&Kind::Type2));
    assert_eq!(output.ok(), Some(true));
}

#[test]
fn exception_members_named_like_error_methods() {
    let meta = ErrorMetadata::new(
        Some("ConflictException".into()),
        Some("header message".into()),
        Some("req-9".into()),
        Some(409),
    );
    let body =
        br#"{"Message": "body message", "Code": "C-1", "Meta": "m", "RequestId": "body-id"}"#;
    let GetThingError::ConflictException(error) = GetThingError::from_response(meta, body) else {
        panic!("not a ConflictException");
    };
    // The members are renamed; the metadata keeps its own methods.
    assert_eq!(error.code_2(), Some("C-1"));
    assert_eq!(error.meta_2(), Some("m"));
    assert_eq!(error.request_id_2(), Some("body-id"));
    assert_eq!(error.message(), Some("body message"));
    assert_eq!(error.meta().code(), Some("ConflictException"));
    assert_eq!(error.meta().request_id(), Some("req-9"));
}

#[test]
fn an_exception_named_unhandled_is_not_the_catch_all() {
    let meta =
        |code: &str| ErrorMetadata::new(Some(code.into()), Some("m".into()), None, Some(400));
    let modeled = GetThingError::from_response(meta("Unhandled"), b"{}");
    let GetThingError::Unhandled2(exception) = &modeled else {
        panic!("{modeled:?}");
    };
    assert_eq!(exception.message(), Some("m"));
    assert!(matches!(
        GetThingError::from_response(meta("SomethingElse"), b"{}"),
        GetThingError::Unhandled(_)
    ));
    let error: fixture_names::Error = modeled.into();
    assert!(matches!(error, fixture_names::Error::Unhandled2(_)));
}

#[test]
#[allow(deprecated)]
fn a_shape_used_as_input_and_output() {
    let input = OldOperationInput::builder()
        .r#loop("l")
        .r#where("w")
        .build()
        .unwrap();
    let wire = serde_json::to_value(&input).unwrap();
    assert_eq!(wire, json!({"Loop": "l", "Where": "w"}));
    let output: OldOperationOutput = serde_json::from_value(wire).unwrap();
    assert_eq!(output.r#loop(), Some("l"));
    assert_eq!(output.r#where(), Some("w"));
    // The deprecated operation is still on the client.
    let _ = fixture_names::Client::old_operation;
}

#[test]
fn an_operation_named_like_a_client_method_gets_a_numbered_method() {
    use fixture_names::operation::config_2::{ConfigFluentBuilder, ConfigInput};
    use marketplace_sdk_runtime::client::Operation;
    // `Client::config` stays the configuration; the operation is `config_2`,
    // and still `Config` on the wire.
    let _: fn(&fixture_names::Client) -> &fixture_names::Config = fixture_names::Client::config;
    let _: fn(&fixture_names::Client) -> ConfigFluentBuilder = fixture_names::Client::config_2;
    assert_eq!(ConfigInput::NAME, "Config");
}
