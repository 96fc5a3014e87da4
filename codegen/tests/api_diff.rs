//! `codegen::api::diff` on small synthetic models: each change of the model, and its reverse,
//! is classified exactly, with the breaking side (removals, optional→required, tightened
//! bounds, type changes) covered where the real history of the Metering model has none.

use codegen::api::{describe, diff, ApiDiff, Bump, ChangeKind, Level};
use serde_json::{json, Value};

use ChangeKind::*;
use Level::*;

/// One operation with a validated input, an output, a type used on both sides, an output-only
/// type, an enum, a union and an exception.
fn base() -> Value {
    json!({
        "metadata": {
            "endpointPrefix": "svc", "protocol": "json", "jsonVersion": "1.1",
            "serviceId": "Svc", "targetPrefix": "Svc"
        },
        "documentation": "<p>A service.</p>",
        "operations": {
            "Put": {
                "input": {"shape": "PutRequest"}, "output": {"shape": "PutResult"},
                "errors": [{"shape": "BadThing"}], "documentation": "<p>Puts.</p>"
            },
            "Get": {"input": {"shape": "GetRequest"}, "output": {"shape": "GetResult"}}
        },
        "shapes": {
            "PutRequest": {"type": "structure", "required": ["Name"], "members": {
                "Name": {"shape": "Name"},
                "Count": {"shape": "Count"},
                "Items": {"shape": "ItemList"},
                "Token": {"shape": "Token", "idempotencyToken": true},
                "Color": {"shape": "Color"},
                "Pick": {"shape": "Pick"}
            }},
            "PutResult": {"type": "structure", "required": ["Id"], "members": {
                "Id": {"shape": "Name"},
                "Color": {"shape": "Color"},
                "Receipt": {"shape": "Receipt"}
            }},
            "GetRequest": {"type": "structure", "members": {"Key": {"shape": "Text"}}},
            "GetResult": {"type": "structure", "members": {"Item": {"shape": "Item"}}},
            "Name": {"type": "string", "min": 1, "max": 64, "pattern": "^[a-z]+$"},
            "Count": {"type": "integer", "min": 0, "max": 100},
            "Token": {"type": "string", "min": 1, "max": 64},
            "Text": {"type": "string"},
            "ItemList": {"type": "list", "member": {"shape": "Item"}, "max": 10},
            "Item": {"type": "structure", "required": ["Key"], "members": {
                "Key": {"shape": "Text"}, "Note": {"shape": "Text"}
            }},
            "Receipt": {"type": "structure", "required": ["At"], "members": {
                "At": {"shape": "Count"}
            }},
            "Color": {"type": "string", "enum": ["red", "green"]},
            "Pick": {"type": "union", "members": {
                "A": {"shape": "Text"}, "B": {"shape": "Count"}
            }},
            "BadThing": {"type": "structure", "exception": true, "members": {
                "message": {"shape": "Text"}
            }}
        }
    })
}

fn compare(old: &Value, new: &Value) -> ApiDiff {
    let old = describe(&old.to_string()).expect("the old model describes");
    let new = describe(&new.to_string()).expect("the new model describes");
    diff(&old, &new)
}

/// (level, kind, subject) of every change, in report order.
fn changes(old: &Value, new: &Value) -> Vec<(Level, ChangeKind, String)> {
    compare(old, new)
        .changes
        .into_iter()
        .map(|c| (c.level, c.kind, c.subject))
        .collect()
}

fn expect(actual: Vec<(Level, ChangeKind, String)>, expected: &[(Level, ChangeKind, &str)]) {
    let expected: Vec<(Level, ChangeKind, String)> = expected
        .iter()
        .map(|(l, k, s)| (*l, *k, s.to_string()))
        .collect();
    assert_eq!(actual, expected);
}

/// `base()` changed by `edit`.
fn edited(edit: impl FnOnce(&mut Value)) -> Value {
    let mut model = base();
    edit(&mut model);
    model
}

fn shapes(model: &mut Value) -> &mut Value {
    &mut model["shapes"]
}

#[test]
fn identical_models_have_no_changes() {
    let d = compare(&base(), &base());
    assert!(d.is_empty());
    assert_eq!(d.bump(), Bump::None);
    let md = d.to_markdown();
    assert!(md.contains("No change to the API."), "{md}");
    assert!(
        md.ends_with("**Semver: none** (nothing to release).\n"),
        "{md}"
    );
}

#[test]
fn operations_added_and_removed() {
    let more = edited(|m| {
        m["operations"]["List"] = json!({"input": {"shape": "GetRequest"}});
    });
    expect(changes(&base(), &more), &[(Minor, OperationAdded, "List")]);
    expect(
        changes(&more, &base()),
        &[(Major, OperationRemoved, "List")],
    );
    assert_eq!(compare(&more, &base()).bump(), Bump::Major);
}

#[test]
fn members_added_and_removed() {
    let fewer = edited(|m| {
        shapes(m)["PutRequest"]["members"]
            .as_object_mut()
            .unwrap()
            .remove("Count");
    });
    expect(
        changes(&base(), &fewer),
        &[(Major, MemberRemoved, "PutInput.count")],
    );
    expect(
        changes(&fewer, &base()),
        &[(Minor, MemberAdded, "PutInput.count")],
    );
}

#[test]
fn new_required_members_break_only_checked_structs() {
    let more = edited(|m| {
        let s = shapes(m);
        s["PutRequest"]["members"]["Extra"] = json!({"shape": "Text"});
        s["PutRequest"]["required"] = json!(["Name", "Extra"]);
        s["PutResult"]["members"]["Extra"] = json!({"shape": "Text"});
        s["PutResult"]["required"] = json!(["Id", "Extra"]);
    });
    expect(
        changes(&base(), &more),
        &[
            (Major, RequiredMemberAdded, "PutInput.extra"),
            (Minor, MemberAdded, "PutOutput.extra"),
        ],
    );
}

#[test]
fn optional_to_required_breaks_inputs_only() {
    let required = edited(|m| {
        let s = shapes(m);
        s["PutRequest"]["required"] = json!(["Name", "Count"]);
        s["PutResult"]["required"] = json!(["Id", "Color"]);
        s["Item"]["required"] = json!(["Key", "Note"]);
    });
    // `Item` is reachable from `PutInput.items`, so it is checked before sending even though
    // `GetOutput` returns it too.
    expect(
        changes(&base(), &required),
        &[
            (Major, MadeRequired, "PutInput.count"),
            (Patch, MadeRequired, "PutOutput.color"),
            (Major, MadeRequired, "Item.note"),
        ],
    );
    expect(
        changes(&required, &base()),
        &[
            (Minor, MadeOptional, "PutInput.count"),
            (Patch, MadeOptional, "PutOutput.color"),
            (Minor, MadeOptional, "Item.note"),
        ],
    );
}

#[test]
fn bounds_tightened_and_loosened() {
    let tighter = edited(|m| {
        let s = shapes(m);
        s["Count"]["max"] = json!(50);
        s["ItemList"]["min"] = json!(1);
    });
    // `Count` is checked in the input and in the union (reachable from the input), not in
    // the output-only `Receipt`; a list length of at least 1 is a new bound.
    expect(
        changes(&base(), &tighter),
        &[
            (Major, ConstraintTightened, "PutInput.count"),
            (Major, ConstraintTightened, "PutInput.items"),
            (Major, ConstraintTightened, "Pick::B"),
            (Patch, ConstraintTightened, "Receipt.at"),
        ],
    );
    expect(
        changes(&tighter, &base()),
        &[
            (Minor, ConstraintLoosened, "PutInput.count"),
            (Minor, ConstraintLoosened, "PutInput.items"),
            (Minor, ConstraintLoosened, "Pick::B"),
            (Patch, ConstraintLoosened, "Receipt.at"),
        ],
    );
    let md = compare(&base(), &tighter).to_markdown();
    assert!(
        md.contains("`PutInput.count`: value max lowered from 100 to 50"),
        "{md}"
    );
}

#[test]
fn map_key_bounds_are_checked_constraints() {
    let with_labels = |key_max: u64| {
        edited(|m| {
            let s = shapes(m);
            s["PutRequest"]["members"]["Labels"] = json!({"shape": "Labels"});
            s["Labels"] =
                json!({"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Text"}});
            s["Key"] = json!({"type": "string", "min": 1, "max": key_max});
        })
    };
    expect(
        changes(&with_labels(8), &with_labels(4)),
        &[(Major, ConstraintTightened, "PutInput.labels")],
    );
    expect(
        changes(&with_labels(4), &with_labels(8)),
        &[(Minor, ConstraintLoosened, "PutInput.labels")],
    );
}

#[test]
fn bounds_the_generated_code_ignores_are_patch() {
    // A length minimum of 0 is no minimum; min/max on an enum are not checked.
    let same = edited(|m| {
        let s = shapes(m);
        s["Text"]["min"] = json!(0);
        s["Color"]["max"] = json!(10);
    });
    let d = changes(&base(), &same);
    assert!(
        d.iter()
            .all(|(l, k, _)| *l == Patch && *k == ConstraintNoEffect),
        "{d:?}"
    );
    assert_eq!(compare(&base(), &same).bump(), Bump::Patch);
    // Raising a string's min from 1 to 0 removes the bound.
    let looser = edited(|m| shapes(m)["Token"]["min"] = json!(0));
    expect(
        changes(&base(), &looser),
        &[(Minor, ConstraintLoosened, "PutInput.token")],
    );
}

#[test]
fn patterns_are_not_checked_client_side() {
    let other = edited(|m| shapes(m)["Name"]["pattern"] = json!("^[a-z0-9]+$"));
    expect(
        changes(&base(), &other),
        &[
            (Minor, PatternChanged, "PutInput.name"),
            (Patch, PatternChanged, "PutOutput.id"),
        ],
    );
    let md = compare(&base(), &other).to_markdown();
    assert!(md.contains("not checked client-side"), "{md}");
}

#[test]
fn rust_types_not_shape_names() {
    // The member moves to another shape with the same Rust type and bounds: nothing changes.
    let renamed = edited(|m| {
        let s = shapes(m);
        s["Quantity"] = json!({"type": "integer", "min": 0, "max": 100});
        s["PutRequest"]["members"]["Count"] = json!({"shape": "Quantity"});
    });
    assert!(compare(&base(), &renamed).changes.is_empty());

    let wider = edited(|m| shapes(m)["Count"]["type"] = json!("long"));
    expect(
        changes(&base(), &wider),
        &[
            (Major, TypeChanged, "PutInput.count"),
            (Major, TypeChanged, "Pick::B"),
            (Major, TypeChanged, "Receipt.at"),
        ],
    );
    let md = compare(&base(), &wider).to_markdown();
    assert!(
        md.contains("`PutInput.count` changed type from `Option<i32>` to `Option<i64>`"),
        "{md}"
    );
}

#[test]
fn enum_values_and_union_variants() {
    let more = edited(|m| {
        let s = shapes(m);
        s["Color"]["enum"] = json!(["red", "green", "blue"]);
        s["Pick"]["members"]["C"] = json!({"shape": "Name"});
    });
    expect(
        changes(&base(), &more),
        &[
            (Minor, EnumValueAdded, "Color::Blue"),
            (Minor, UnionVariantAdded, "Pick::C"),
        ],
    );
    expect(
        changes(&more, &base()),
        &[
            (Major, EnumValueRemoved, "Color::Blue"),
            (Major, UnionVariantRemoved, "Pick::C"),
        ],
    );
    let kind = edited(|m| {
        shapes(m)["Color"] = json!({"type": "structure", "members": {"Hex": {"shape": "Text"}}});
    });
    expect(
        changes(&base(), &kind),
        &[(Major, TypeKindChanged, "Color")],
    );
}

#[test]
fn errors_and_exceptions() {
    let more = edited(|m| {
        shapes(m)["Busy"] = json!({"type": "structure", "exception": true, "fault": true,
                                    "members": {"message": {"shape": "Text"}}});
        m["operations"]["Put"]["errors"] = json!([{"shape": "BadThing"}, {"shape": "Busy"}]);
        m["operations"]["Get"]["errors"] = json!([{"shape": "BadThing"}]);
    });
    expect(
        changes(&base(), &more),
        &[
            (Minor, ErrorAdded, "GetError::BadThing"),
            (Minor, ErrorAdded, "PutError::Busy"),
            (Minor, ExceptionAdded, "Busy"),
        ],
    );
    expect(
        changes(&more, &base()),
        &[
            (Major, ErrorRemoved, "GetError::BadThing"),
            (Major, ErrorRemoved, "PutError::Busy"),
            (Major, ExceptionRemoved, "Busy"),
        ],
    );
    let server = edited(|m| shapes(m)["BadThing"]["fault"] = json!(true));
    expect(
        changes(&base(), &server),
        &[(Minor, FaultChanged, "BadThing")],
    );
}

#[test]
fn deprecations() {
    let deprecated = edited(|m| {
        m["operations"]["Get"]["deprecated"] = json!(true);
        m["operations"]["Get"]["deprecatedMessage"] = json!("Use Put.");
        shapes(m)["PutRequest"]["members"]["Count"] = json!({"shape": "Count", "deprecated": true});
    });
    expect(
        changes(&base(), &deprecated),
        &[
            (Minor, Deprecated, "Get"),
            (Minor, Deprecated, "PutInput.count"),
        ],
    );
    expect(
        changes(&deprecated, &base()),
        &[
            (Patch, Undeprecated, "Get"),
            (Patch, Undeprecated, "PutInput.count"),
        ],
    );
}

#[test]
fn idempotency_redaction_and_json_keys() {
    let changed = edited(|m| {
        let s = shapes(m);
        s["PutRequest"]["members"]["Token"] = json!({"shape": "Token"});
        s["Text"]["sensitive"] = json!(true);
        // Same Rust field (`key`), another JSON key.
        let get = s["GetRequest"]["members"].as_object_mut().unwrap();
        get.remove("Key");
        get.insert("KEY".into(), json!({"shape": "Text"}));
    });
    expect(
        changes(&base(), &changed),
        &[
            (Patch, WireNameChanged, "GetInput.key"),
            (Patch, SensitiveChanged, "GetInput.key"),
            (Major, IdempotencyTokenRemoved, "PutInput.token"),
            (Patch, SensitiveChanged, "Item.key"),
            (Patch, SensitiveChanged, "Item.note"),
            (Patch, SensitiveChanged, "Pick::A"),
            (Patch, SensitiveChanged, "BadThing.message"),
        ],
    );
    expect(
        changes(
            &base(),
            &edited(|m| {
                shapes(m)["PutRequest"]["members"]["Count"]["idempotencyToken"] = json!(true)
            }),
        ),
        &[(Minor, IdempotencyTokenAdded, "PutInput.count")],
    );
}

#[test]
fn service_metadata() {
    let renamed = edited(|m| {
        m["metadata"]["serviceId"] = json!("Other");
        m["metadata"]["targetPrefix"] = json!("Other");
    });
    expect(
        changes(&base(), &renamed),
        &[
            (Major, ServiceIdChanged, "service"),
            (Patch, WireProtocolChanged, "service"),
        ],
    );
}

#[test]
fn protocol_changes() {
    // The chosen protocol changes: reported, with what the crate speaks now.
    let json_1_0 = edited(|m| m["metadata"]["jsonVersion"] = json!("1.0"));
    let diff = compare(&base(), &json_1_0);
    expect(
        changes(&base(), &json_1_0),
        &[(Minor, ProtocolChanged, "service")],
    );
    assert!(diff
        .to_markdown()
        .contains("Protocol changed from `awsJson1_1` to `awsJson1_0`"));

    // CBOR listed first, json second: the crate still speaks awsJson 1.1, and says so.
    let cbor_first = edited(|m| {
        m["metadata"]["protocol"] = json!("smithy-rpc-v2-cbor");
        m["metadata"]["protocols"] = json!(["smithy-rpc-v2-cbor", "json"]);
    });
    expect(
        changes(&base(), &cbor_first),
        &[(Patch, ModelProtocolsChanged, "service")],
    );
    let report = compare(&base(), &cbor_first).to_markdown();
    assert!(
        report.contains("protocols changed from `json` to `smithy-rpc-v2-cbor`, `json`")
            && report.contains("The crate still speaks `awsJson1_1`"),
        "{report}"
    );
    assert_eq!(compare(&base(), &cbor_first).bump(), Bump::Patch);
}

#[test]
fn docs_only_changes_are_one_line() {
    let docs = edited(|m| {
        m["documentation"] = json!("<p>The service.</p>");
        m["operations"]["Put"]["documentation"] = json!("<p>Puts it.</p>");
        shapes(m)["Item"]["documentation"] = json!("<p>An item.</p>");
        // Whitespace the Markdown conversion drops is no change.
        m["operations"]["Get"]["documentation"] = json!("<p> </p>");
    });
    let d = compare(&base(), &docs);
    assert!(d.changes.is_empty());
    assert_eq!(d.bump(), Bump::Patch);
    let subjects: Vec<&str> = d.docs.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects, ["crate docs", "Put", "Item"]);
    let md = d.to_markdown();
    let docs_lines: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("Documentation"))
        .collect();
    assert_eq!(
        docs_lines,
        ["Documentation: the docs of 3 items changed: `crate docs`, `Put`, `Item`."]
    );
    assert!(
        md.contains("**Semver: patch** (no change to the Rust API)."),
        "{md}"
    );
}

#[test]
fn report_sections_and_semver() {
    let changed = edited(|m| {
        m["operations"]["List"] = json!({"input": {"shape": "GetRequest"}});
        shapes(m)["Count"]["max"] = json!(50);
        shapes(m)["Name"]["sensitive"] = json!(true);
    });
    let d = compare(&base(), &changed);
    assert_eq!(d.bump(), Bump::Major);
    let md = d.to_markdown_for("0.3.1");
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(
        headings,
        [
            "### Breaking changes (major)",
            "### Compatible changes (minor)",
            "### No change to the Rust API (patch)"
        ]
    );
    assert!(
        md.contains("- New operation `List` (`Client::list`). *A new `Client` method"),
        "{md}"
    );
    let last = md.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with(
            "**Semver: major** (breaking changes). Release the crate as 0.4.0 (from 0.3.1)"
        ),
        "{last}"
    );
}

/// The paginators of the `paginators` fixture, as `describe_model` sees them with and without
/// an edit of its `paginators-1.json`.
#[test]
fn paginators_added_removed_and_changed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let service = std::fs::read_to_string(format!("{dir}/paginators.json")).unwrap();
    let paginators: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/paginators.paginators.json")).unwrap(),
    )
    .unwrap();
    let surface = |paginators: Option<&Value>| {
        let text = paginators.map(Value::to_string);
        codegen::api::describe_model(&service, text.as_deref()).unwrap()
    };
    let kinds = |old: Option<&Value>, new: Option<&Value>| -> Vec<(Level, ChangeKind, String)> {
        diff(&surface(old), &surface(new))
            .changes
            .iter()
            .map(|c| (c.level, c.kind, c.subject.clone()))
            .collect()
    };
    let listed = surface(Some(&paginators));
    let things = listed.operations["ListThings"].paginator.as_ref().unwrap();
    assert_eq!(
        things.tokens,
        ["Page.NextToken → NextToken", "Marker → Marker"]
    );
    assert_eq!(things.page_size.as_deref(), Some("i32"));
    assert_eq!(things.item.as_deref(), Some("types::Thing"));
    assert!(listed.operations["DescribeStream"].paginator.is_none());

    let added = kinds(None, Some(&paginators));
    assert_eq!(added.len(), 4, "{added:?}");
    assert!(added
        .iter()
        .all(|(level, kind, _)| (*level, *kind) == (Minor, PaginatorAdded)));
    let removed = diff(&surface(Some(&paginators)), &surface(None));
    assert_eq!(removed.bump(), Bump::Major);

    let mut edited = paginators.clone();
    let entry = &mut edited["pagination"]["ListThings"];
    entry.as_object_mut().unwrap().remove("limit_key");
    entry["result_key"] = json!(["Count"]);
    edited["pagination"]["ListTags"]
        .as_object_mut()
        .unwrap()
        .remove("more_results");
    expect(
        kinds(Some(&paginators), Some(&edited)),
        &[
            (Minor, PaginatorChanged, "ListTagsPaginator"),
            (
                Major,
                PaginatorMethodRemoved,
                "ListThingsPaginator::page_size",
            ),
            (Major, PaginatorMethodRemoved, "ListThingsPaginator::items"),
            (Minor, PaginatorChanged, "ListThingsPaginator"),
        ],
    );
}
