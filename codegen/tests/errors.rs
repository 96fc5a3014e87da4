//! Models the generator cannot handle are rejected with an `Error` that says what is wrong
//! and where, never with a panic or with code that does not compile.

use serde_json::{json, Value};

/// A minimal awsJson model with these `shapes` and one operation `Go` taking `GoRequest`
/// (when the shapes define it).
fn model(shapes: Value) -> Value {
    let mut operation = json!({"name": "Go", "http": {"method": "POST", "requestUri": "/"}});
    if shapes.get("GoRequest").is_some() {
        operation["input"] = json!({"shape": "GoRequest"});
    }
    json!({
        "version": "2.0",
        "metadata": {
            "endpointPrefix": "errors",
            "jsonVersion": "1.1",
            "protocol": "json",
            "serviceId": "Errors",
            "signingName": "errors",
            "targetPrefix": "ErrorsService"
        },
        "operations": {"Go": operation},
        "shapes": shapes
    })
}

fn generate(model: &Value) -> Result<Vec<codegen::GeneratedFile>, codegen::Error> {
    let text = serde_json::to_string_pretty(model).unwrap();
    codegen::generate(&codegen::Input {
        service_json: &text,
        origin: "codegen/tests/errors.rs",
        crate_name: "errors",
        crate_version: "0.0.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json: None,
    })
}

/// The error message, failing the test when generation succeeds.
fn error(model: &Value) -> String {
    match generate(model) {
        Ok(_) => panic!("generated a crate from an invalid model"),
        Err(error) => error.to_string(),
    }
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(
            message.contains(part),
            "{message:?} does not mention {part:?}"
        );
    }
}

fn request(members: Value) -> Value {
    json!({"GoRequest": {"type": "structure", "members": members}, "String": {"type": "string"}})
}

#[test]
fn the_base_model_generates() {
    let files = generate(&model(request(json!({"Name": {"shape": "String"}})))).unwrap();
    assert!(files.iter().any(|f| f.path == "src/operation/go.rs"));
}

#[test]
fn unsupported_protocol() {
    for protocol in [
        "rest-xml",
        "rest-json",
        "query",
        "ec2",
        "smithy-rpc-v2-cbor",
    ] {
        let mut model = model(request(json!({})));
        model["metadata"]["protocol"] = json!(protocol);
        let message = error(&model);
        assert_mentions(
            &message,
            &[&format!("`{protocol}`"), "not supported", "json"],
        );
    }
}

#[test]
fn no_supported_protocol_among_several() {
    // `protocols` wins over `protocol`; the error names every protocol the model lists.
    let mut model = model(request(json!({})));
    model["metadata"]["protocols"] = json!(["smithy-rpc-v2-cbor", "query"]);
    assert_mentions(
        &error(&model),
        &["`smithy-rpc-v2-cbor`, `query`", "not supported", "json"],
    );
}

#[test]
fn no_protocol_at_all() {
    let mut model = model(request(json!({})));
    model["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("protocol");
    assert_mentions(&error(&model), &["no protocol", "`protocols`"]);
}

#[test]
fn json_is_chosen_when_listed_after_cbor() {
    // marketplace-entitlement and 40 other models of botocore 1.44.8: CBOR first, json second.
    let mut model = model(request(json!({})));
    model["metadata"]["protocol"] = json!("smithy-rpc-v2-cbor");
    model["metadata"]["protocols"] = json!(["smithy-rpc-v2-cbor", "json", "query"]);
    let files = generate(&model).unwrap();
    let client = files.iter().find(|f| f.path == "src/client.rs").unwrap();
    assert!(client.contents.contains(r#"json_version: "1.1""#));
}

#[test]
fn unsupported_json_version() {
    let mut model = model(request(json!({})));
    model["metadata"]["jsonVersion"] = json!("2.0");
    assert_mentions(&error(&model), &["jsonVersion", "2.0"]);
}

#[test]
fn missing_target_prefix() {
    let mut model = model(request(json!({})));
    model["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("targetPrefix");
    assert_mentions(&error(&model), &["targetPrefix"]);
}

#[test]
fn undefined_shapes_are_named() {
    // As a member, as an operation's input, as a list member and as an error.
    let member = model(request(json!({"Thing": {"shape": "NoSuchThing"}})));
    assert_mentions(&error(&member), &["`NoSuchThing`", "not defined"]);

    let mut input = model(json!({}));
    input["operations"]["Go"]["input"] = json!({"shape": "NoSuchRequest"});
    assert_mentions(&error(&input), &["`NoSuchRequest`", "not defined"]);

    let mut shapes = request(json!({"Items": {"shape": "ItemList"}}));
    shapes["ItemList"] = json!({"type": "list", "member": {"shape": "NoSuchItem"}});
    assert_mentions(&error(&model(shapes)), &["`NoSuchItem`", "not defined"]);

    let mut error_ref = model(request(json!({})));
    error_ref["operations"]["Go"]["errors"] = json!([{"shape": "NoSuchException"}]);
    assert_mentions(&error(&error_ref), &["`NoSuchException`", "not defined"]);
}

#[test]
fn maps_need_string_keys() {
    for key_type in ["integer", "long", "boolean", "timestamp", "blob"] {
        let mut shapes = request(json!({"Counts": {"shape": "CountMap"}}));
        shapes["Key"] = json!({"type": key_type});
        shapes["CountMap"] =
            json!({"type": "map", "key": {"shape": "Key"}, "value": {"shape": "String"}});
        assert_mentions(&error(&model(shapes)), &["`CountMap`", "non-string keys"]);
    }
    // An enum is a string: allowed.
    let mut shapes = request(json!({"Counts": {"shape": "CountMap"}}));
    shapes["Key"] = json!({"type": "string", "enum": ["a", "b"]});
    shapes["CountMap"] =
        json!({"type": "map", "key": {"shape": "Key"}, "value": {"shape": "String"}});
    generate(&model(shapes)).unwrap();
}

#[test]
fn errors_must_be_exceptions() {
    let mut model = model(request(json!({})));
    model["shapes"]["NotAnException"] = json!({"type": "structure", "members": {}});
    model["operations"]["Go"]["errors"] = json!([{"shape": "NotAnException"}]);
    assert_mentions(&error(&model), &["`NotAnException`", "not an exception"]);
}

#[test]
fn required_members_must_exist() {
    let mut shapes = request(json!({"Name": {"shape": "String"}}));
    shapes["GoRequest"]["required"] = json!(["Nmae"]);
    assert_mentions(&error(&model(shapes)), &["`GoRequest`", "`Nmae`"]);
}

#[test]
fn unsupported_shapes_and_formats() {
    let mut shapes = request(json!({"Tags": {"shape": "TagSet"}}));
    shapes["TagSet"] = json!({"type": "set", "member": {"shape": "String"}});
    assert_mentions(&error(&model(shapes)), &["`TagSet`", "`set`"]);

    let mut shapes = request(json!({"When": {"shape": "When"}}));
    shapes["When"] = json!({"type": "timestamp", "timestampFormat": "rfc822"});
    assert_mentions(&error(&model(shapes)), &["rfc822"]);

    let mut shapes = request(json!({"Items": {"shape": "ItemList"}}));
    shapes["ItemList"] = json!({"type": "list"});
    assert_mentions(&error(&model(shapes)), &["`ItemList`", "no member"]);
}

#[test]
fn malformed_json() {
    let error = codegen::generate(&codegen::Input {
        service_json: "{\"metadata\": ",
        origin: "x",
        crate_name: "x",
        crate_version: "0.0.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json: None,
    })
    .unwrap_err();
    assert_mentions(&error.to_string(), &["does not parse"]);
}

#[test]
fn host_prefixes_that_cannot_be_expanded_name_the_operation_and_member() {
    let with_prefix = |prefix: &str, members: Value| {
        let mut model = model(request(members));
        model["operations"]["Go"]["endpoint"] = json!({"hostPrefix": prefix});
        model
    };
    let label = json!({"Label": {"shape": "String", "hostLabel": true}});
    for (prefix, members, parts) in [
        (
            "{Missing}.",
            label.clone(),
            &[
                "service `Errors`",
                "operation `Go`",
                "`{Missing}`",
                "`GoRequest`",
                "hostLabel",
            ][..],
        ),
        (
            "{Name}.",
            json!({"Name": {"shape": "String"}}),
            &["operation `Go`", "`{Name}`", "hostLabel"][..],
        ),
        (
            "{Count}.",
            json!({"Count": {"shape": "Integer", "hostLabel": true}}),
            &["operation `Go`", "`GoRequest.Count`", "not a string"][..],
        ),
        (
            "{Label.",
            label.clone(),
            &["operation `Go`", "`{Label.`", "label name"][..],
        ),
        (
            "Label}.",
            label.clone(),
            &["operation `Go`", "label name"][..],
        ),
        ("{}.", label.clone(), &["operation `Go`", "label name"][..]),
        (
            "a_b.",
            label.clone(),
            &["operation `Go`", "`_` cannot be part of a host name"][..],
        ),
    ] {
        let mut model = with_prefix(prefix, members);
        model["shapes"]["Integer"] = json!({"type": "integer"});
        assert_mentions(&error(&model), parts);
    }
    // With no input at all, a label has nothing to come from.
    let mut model = model(json!({}));
    model["operations"]["Go"]["endpoint"] = json!({"hostPrefix": "{Label}."});
    assert_mentions(&error(&model), &["operation `Go`", "`{Label}`", "(none)"]);
    // Without labels, and with a label the template uses, it generates.
    generate(&with_prefix("data-", json!({}))).unwrap();
    generate(&with_prefix("{Label}.data-", label)).unwrap();
}

#[test]
fn auth_schemes_the_runtime_cannot_use_leave_the_operation_out() {
    for (auth, authtype, reason) in [
        (
            json!(["smithy.api#httpBearerAuth", "aws.auth#sigv4"]),
            None,
            "bearer token",
        ),
        (
            json!(["aws.auth#sigv4a"]),
            None,
            "none of its auth schemes (`aws.auth#sigv4a`)",
        ),
        (
            json!(["example#custom"]),
            None,
            "`example#custom` is unknown",
        ),
        (
            Value::Null,
            Some("v4-unsigned-body"),
            "`authtype` `v4-unsigned-body`",
        ),
    ] {
        let mut model = model(request(json!({})));
        if !auth.is_null() {
            model["operations"]["Go"]["auth"] = auth;
        }
        if let Some(authtype) = authtype {
            model["operations"]["Go"]["authtype"] = json!(authtype);
        }
        let files = generate(&model).unwrap();
        assert!(!files.iter().any(|f| f.path == "src/operation/go.rs"));
        let lib = &files
            .iter()
            .find(|f| f.path == "src/lib.rs")
            .unwrap()
            .contents;
        assert!(lib.contains("//! - `Go`: "), "{lib}");
        assert!(lib.contains(reason), "{reason}: {lib}");
    }
}

/// The model of [`paginator_error`]: `Go` takes `NextToken` and `MaxResults` and answers
/// `NextToken`, `Page.Token`, `Items` and `Done`.
fn paged_model() -> Value {
    let mut model = model(request(json!({
        "NextToken": {"shape": "String"},
        "MaxResults": {"shape": "String"}
    })));
    model["operations"]["Go"]["output"] = json!({"shape": "GoResponse"});
    let shapes = &mut model["shapes"];
    shapes["GoResponse"] = json!({"type": "structure", "members": {
        "NextToken": {"shape": "String"}, "Page": {"shape": "Page"},
        "Items": {"shape": "Items"}, "Done": {"shape": "String"}
    }});
    shapes["Page"] = json!({"type": "structure", "members": {"Token": {"shape": "Number"}}});
    shapes["Items"] = json!({"type": "list", "member": {"shape": "String"}});
    shapes["Number"] = json!({"type": "integer"});
    model
}

/// The error for the paginator `entry` of `Go` in [`paged_model`].
fn paginator_error(operation: &str, entry: Value) -> String {
    let service = serde_json::to_string(&paged_model()).unwrap();
    let paginators = json!({"pagination": {operation: entry}}).to_string();
    let result = codegen::generate(&codegen::Input {
        service_json: &service,
        origin: "codegen/tests/errors.rs",
        crate_name: "errors",
        crate_version: "0.0.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json: Some(&paginators),
    });
    match result {
        Ok(_) => panic!("generated a crate from an invalid paginator: {entry}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn invalid_paginators_name_the_service_operation_and_key() {
    let entry = |changes: Value| {
        let mut entry = json!({"input_token": "NextToken", "output_token": "NextToken",
                               "limit_key": "MaxResults", "result_key": "Items"});
        for (key, value) in changes.as_object().unwrap() {
            entry[key] = value.clone();
        }
        entry.as_object_mut().unwrap().retain(|_, v| !v.is_null());
        entry
    };
    let service = ["service `Errors`", "the paginator of `Go`"];
    for (changes, parts) in [
        (
            json!({"limit_key": null, "output_token": "Page.Missing"}),
            vec!["`output_token` `Page.Missing`", "no member `Missing`"],
        ),
        (
            json!({"limit_key": null, "output_token": "Page.Token"}),
            vec!["`output_token` `Page.Token` is `i32` but `input_token` `NextToken` is `String`"],
        ),
        (
            json!({"limit_key": null, "output_token": "NextToken.Deeper"}),
            vec!["`NextToken` is `String`, not a structure"],
        ),
        (
            json!({"limit_key": null, "input_token": "Cursor"}),
            vec!["`input_token` `Cursor` is not a member of the input"],
        ),
        (
            json!({"limit_key": null, "input_token": ["NextToken", "NextToken"]}),
            vec!["2 `input_token` but 1 `output_token`"],
        ),
        (
            json!({}),
            vec!["`limit_key` `MaxResults` is `String`, not an integer"],
        ),
        (
            json!({"limit_key": null, "more_results": "Done"}),
            vec!["`more_results` `Done` is `String`, not a boolean"],
        ),
        (
            json!({"limit_key": null, "result_key": ["Items", "Nothing"]}),
            vec!["`result_key` `Nothing`"],
        ),
        (
            json!({"limit_key": null, "non_aggregate_keys": ["Page.None"]}),
            vec!["`non_aggregate_keys` `Page.None`"],
        ),
    ] {
        let message = paginator_error("Go", entry(changes));
        assert_mentions(&message, &service);
        assert_mentions(&message, &parts);
    }
    let message = paginator_error("Stop", entry(json!({"limit_key": null})));
    assert_mentions(&message, &["`Stop`", "no operation"]);
    let message = paginator_error("Go", json!({"input_token": "NextToken"}));
    assert_mentions(&message, &["paginators-1.json does not parse"]);
}
