//! `codegen::api::describe` reports the Rust types the generator actually emits: every field
//! and union variant it describes is found, with that type, in the generated file.

use codegen::api::{describe, StructureApi, TypeApi};
use codegen::GeneratedFile;
use std::collections::BTreeMap;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ is inside the workspace")
}

fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The short type of the description with the generator's full paths:
/// `Option<Vec<types::X>>` → `::std::option::Option<::std::vec::Vec<crate::types::X>>`.
fn expand(short: &str) -> String {
    let mut out = String::new();
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let t = token.trim();
        if !t.is_empty() {
            out.push_str(&match t {
                "String" => "::std::string::String".to_string(),
                "Vec" => "::std::vec::Vec".to_string(),
                "HashMap" => "::std::collections::HashMap".to_string(),
                "Option" => "::std::option::Option".to_string(),
                "Box" => "::std::boxed::Box".to_string(),
                "DateTime" | "Blob" | "Document" => format!("crate::primitives::{t}"),
                "bool" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64" => t.to_string(),
                _ => match t.strip_prefix("types::") {
                    Some(name) => format!("crate::types::{name}"),
                    None => panic!("unexpected type name `{t}` in `{short}`"),
                },
            });
        }
        token.clear();
    };
    for c in short.chars() {
        if matches!(c, '<' | '>' | ',') {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// The text without whitespace, and without the trailing comma prettyplease puts before the
/// `>` or `)` it moves to a line of its own.
fn squeeze(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.replace(",>", ">").replace(",)", ")")
}

fn check_structure(files: &BTreeMap<String, String>, file: &str, s: &StructureApi) -> usize {
    let text = files
        .get(file)
        .unwrap_or_else(|| panic!("{file} was not generated"));
    for m in &s.members {
        let needle = format!("pub{}:{},", m.field, expand(&m.rust_type));
        assert!(
            text.contains(&needle),
            "{file}: `{}.{}` is described as `{}` but `{needle}` is not in the file",
            s.name,
            m.field,
            m.rust_type
        );
    }
    s.members.len()
}

/// Checks every described field and variant; returns how many it checked.
fn check(service_json: &str) -> usize {
    let input = codegen::Input {
        service_json,
        origin: "test",
        crate_name: "test_crate",
        crate_version: "0.0.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json: None,
    };
    let files: BTreeMap<String, String> = codegen::generate(&input)
        .expect("the model generates")
        .into_iter()
        .map(|GeneratedFile { path, contents }| (path, squeeze(&contents)))
        .collect();
    let api = describe(service_json).expect("the model describes");
    let mut checked = 0;
    for op in api.operations.values() {
        checked += check_structure(&files, &op.file, &op.input);
        checked += check_structure(&files, &op.file, &op.output);
        let text = &files[&op.file];
        for variant in &op.errors {
            assert!(
                text.contains(&format!("{variant}(crate::types::error::{variant}),")),
                "{}: no variant `{variant}`",
                op.file
            );
        }
    }
    for ty in api.types.values() {
        match ty {
            TypeApi::Structure(s) => checked += check_structure(&files, &s.file, &s.def),
            TypeApi::Enum(e) => {
                let text = &files[&e.file];
                for v in &e.def.values {
                    assert!(text.contains(&format!("{},", v.variant)), "{}", e.file);
                    checked += 1;
                }
            }
            TypeApi::Union(u) => {
                let text = &files[&u.file];
                for v in &u.def.variants {
                    let needle = format!("{}({}),", v.variant, expand(&v.rust_type));
                    assert!(text.contains(&needle), "{}: `{needle}` not found", u.file);
                    checked += 1;
                }
            }
        }
    }
    for e in api.exceptions.values() {
        checked += check_structure(&files, &e.file, &e.structure);
    }
    // Every generated operation, type and exception file is described.
    let described: Vec<&str> = api
        .operations
        .values()
        .map(|o| o.file.as_str())
        .chain(api.types.values().map(|t| t.file()))
        .chain(api.exceptions.values().map(|e| e.file.as_str()))
        .collect();
    for path in files.keys() {
        // Types and exceptions are `_name.rs`; `types/error.rs` is the exceptions' index.
        let per_item = path.starts_with("src/operation/") || path.contains("/_");
        if per_item {
            assert!(
                described.contains(&path.as_str()),
                "{path} is not described"
            );
        }
    }
    checked
}

#[test]
fn fixture_types_match_the_generated_code() {
    for fixture in ["all_types", "names", "recursive"] {
        let checked = check(&read(&format!("codegen/tests/fixtures/{fixture}.json")));
        assert!(checked > 5, "{fixture}: only {checked} items checked");
    }
}

#[test]
fn real_model_types_match_the_generated_code() {
    let checked = check(&read("model/meteringmarketplace/service-2.json"));
    assert!(checked > 40, "only {checked} items checked");
}

#[test]
fn real_model_surface() {
    let api = describe(&read("model/meteringmarketplace/service-2.json")).unwrap();
    let ops: Vec<&str> = api.operations.keys().map(String::as_str).collect();
    assert_eq!(
        ops,
        [
            "BatchMeterUsage",
            "MeterUsage",
            "RegisterUsage",
            "ResolveCustomer"
        ]
    );
    let meter = &api.operations["MeterUsage"];
    assert_eq!(meter.method, "meter_usage");
    assert!(meter.input.validated && !meter.output.validated);
    let quantity = meter
        .input
        .members
        .iter()
        .find(|m| m.field == "usage_quantity")
        .unwrap();
    assert_eq!(quantity.rust_type, "Option<i32>");
    assert!(!quantity.required);
    assert_eq!(
        quantity.deprecated.as_deref(),
        Some("Use UsageQuantityAsDecimal instead.")
    );
    let decimal = meter
        .input
        .members
        .iter()
        .find(|m| m.field == "usage_quantity_as_decimal")
        .unwrap();
    assert_eq!(decimal.constraints.len(), 1);
    assert_eq!(
        decimal.constraints[0].pattern.as_deref(),
        Some("^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,6})?$")
    );
    let allocations = meter
        .input
        .members
        .iter()
        .find(|m| m.field == "usage_allocations")
        .unwrap();
    assert_eq!(allocations.rust_type, "Option<Vec<types::UsageAllocation>>");
    let at: Vec<&str> = allocations
        .constraints
        .iter()
        .map(|c| c.at.as_str())
        .collect();
    assert_eq!(at, ["", "[]"]);
    assert!(meter
        .input
        .members
        .iter()
        .any(|m| m.field == "client_token" && m.idempotency_token));
    match &api.types["UsageRecordResultStatus"] {
        TypeApi::Enum(e) => {
            let values: Vec<&str> = e.def.values.iter().map(|v| v.value.as_str()).collect();
            assert_eq!(
                values,
                ["Success", "CustomerNotSubscribed", "DuplicateRecord"]
            );
        }
        other => panic!("not an enum: {other:?}"),
    }
    assert!(api.exceptions.contains_key("IdempotencyConflictException"));
    assert_eq!(api.service.service_id, "Marketplace Metering");
}
