//! The generator's output depends on the model alone, and on the model's order only where the
//! output lists things in model order.
//!
//! Each shape becomes its own file, whose bytes must not depend on where the shape or the
//! operation sits in the model; the indexes that list shapes and operations (`types.rs`,
//! `operation.rs`, the client's methods, the error enums) follow the model's order. Members
//! inside a structure follow the model's order too, so a model with reordered members is a
//! different API and its type file changes.

mod common;

use codegen::GeneratedFile;
use common::RealModel;
use std::collections::BTreeMap;

/// The top-level entries of the JSON object `text`, as (key, raw value text) in file order.
///
/// serde_json's `Map` sorts its keys (no `preserve_order` feature here), so re-serializing a
/// parsed model would also sort every structure's members; this scanner keeps each value's
/// text as it is.
fn object_entries(text: &str) -> Vec<(String, &str)> {
    let bytes = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    // Just past the end of the JSON value starting at `start`: at the first `,`, `}` or `]`
    // outside any string or nested container (or, for a string, after its closing quote).
    let value_end = |start: usize| {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, &b) in bytes.iter().enumerate().skip(start) {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' if depth == 0 => return i + 1,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return i,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => return i,
                _ => {}
            }
        }
        panic!("unterminated JSON value at byte {start}")
    };

    let mut i = skip_ws(0);
    assert_eq!(bytes[i], b'{', "not a JSON object");
    let mut entries = Vec::new();
    loop {
        i = skip_ws(i + 1); // past `{` or `,`
        if bytes[i] == b'}' {
            return entries;
        }
        let key_end = value_end(i);
        let key: String = serde_json::from_str(&text[i..key_end]).expect("a string key");
        i = skip_ws(key_end);
        assert_eq!(bytes[i], b':', "a colon after key {key:?}");
        let start = skip_ws(i + 1);
        i = skip_ws(value_end(start));
        entries.push((key, text[start..i].trim_end()));
        assert!(
            matches!(bytes[i], b',' | b'}'),
            "a `,` or `}}` after the value"
        );
        if bytes[i] == b'}' {
            return entries;
        }
    }
}

fn object_text<'a>(entries: impl IntoIterator<Item = (String, &'a str)>) -> String {
    let parts: Vec<String> = entries
        .into_iter()
        .map(|(key, value)| format!("{}: {value}", serde_json::to_string(&key).unwrap()))
        .collect();
    format!("{{\n{}\n}}", parts.join(",\n"))
}

/// The model with the entries of the top-level object `section` (`shapes` or `operations`)
/// put in the order `permute` gives; everything else, members included, keeps its text.
fn reorder(model: &str, section: &str, permute: fn(&mut Vec<(String, &str)>)) -> String {
    let mut found = false;
    let top: Vec<(String, String)> = object_entries(model)
        .into_iter()
        .map(|(key, value)| {
            if key == section {
                found = true;
                let mut entries = object_entries(value);
                permute(&mut entries);
                (key, object_text(entries))
            } else {
                (key, value.to_owned())
            }
        })
        .collect();
    assert!(found, "the model has no `{section}`");
    let reordered = object_text(top.iter().map(|(k, v)| (k.clone(), v.as_str())));
    // Only the order changed: the models are equal as JSON values (serde_json's maps are sorted).
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
    assert_eq!(
        parse(&reordered),
        parse(model),
        "reordering changed the model"
    );
    reordered
}

fn reverse(entries: &mut Vec<(String, &str)>) {
    entries.reverse();
}

/// The second half first: a different order from both the original and its reverse.
fn rotate(entries: &mut Vec<(String, &str)>) {
    let half = entries.len() / 2;
    entries.rotate_left(half);
}

fn by_path(files: Vec<GeneratedFile>) -> BTreeMap<String, String> {
    files.into_iter().map(|f| (f.path, f.contents)).collect()
}

/// A file generated for one shape or operation: its contents must not depend on model order.
fn is_per_shape(path: &str) -> bool {
    let private_module = |dir: &str| {
        path.strip_prefix(dir)
            .is_some_and(|file| file.starts_with('_') && !file.contains('/'))
    };
    path.starts_with("src/operation/")
        || private_module("src/types/")
        || private_module("src/types/error/")
}

/// Files that list shapes or operations in model order.
const ORDERED_INDEXES: &[&str] = &[
    "src/client.rs",
    "src/error.rs",
    "src/operation.rs",
    "src/types.rs",
    "src/types/error.rs",
];

/// The lines of `text` that match `pick`, in order.
fn lines_matching(text: &str, pick: impl Fn(&str) -> bool) -> Vec<&str> {
    text.lines().filter(|line| pick(line)).collect()
}

/// Compares the output for `original` and `shuffled` (the same model, reordered): the same
/// files, the per-shape ones byte for byte, and the others equal or differing only in the
/// order of their lines. Returns the paths that differ.
fn compare_reordered(
    original: &BTreeMap<String, String>,
    shuffled: &BTreeMap<String, String>,
) -> Vec<String> {
    assert_eq!(
        original.keys().collect::<Vec<_>>(),
        shuffled.keys().collect::<Vec<_>>(),
        "reordering the model changed the set of files"
    );
    let mut differing = Vec::new();
    for (path, before) in original {
        let after = &shuffled[path];
        if before == after {
            continue;
        }
        assert!(
            !is_per_shape(path),
            "{path} is generated for one shape or operation, but reordering the model's shapes \
             and operations changed it"
        );
        assert!(
            ORDERED_INDEXES.contains(&path.as_str()),
            "{path} changed when the model was reordered; only {ORDERED_INDEXES:?} list things in model order"
        );
        let sorted = |text: &str| {
            let mut lines: Vec<&str> = text.lines().collect();
            lines.sort_unstable();
            lines.join("\n")
        };
        assert_eq!(
            sorted(before),
            sorted(after),
            "{path} changed beyond the order of its lines when the model was reordered"
        );
        differing.push(path.clone());
    }
    differing
}

#[test]
fn same_model_same_bytes() {
    let model = RealModel::read();
    let first = model.generate(&model.service_json);
    let second = model.generate(&model.service_json);
    assert!(!first.is_empty());
    let paths = |files: &[GeneratedFile]| files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(
        paths(&first),
        paths(&second),
        "two runs made different files"
    );
    for (a, b) in first.iter().zip(&second) {
        assert!(
            a.contents == b.contents,
            "two runs made different bytes for {}",
            a.path
        );
    }
    let mut sorted = paths(&first);
    sorted.sort();
    assert_eq!(
        paths(&first),
        sorted,
        "generate returns the files sorted by path"
    );
}

#[test]
fn reversed_shapes_and_operations() {
    let model = RealModel::read();
    let original = by_path(model.generate(&model.service_json));
    let reversed = reorder(&model.service_json, "shapes", reverse);
    let reversed = reorder(&reversed, "operations", reverse);
    let shuffled = by_path(model.generate(&reversed));
    let differing = compare_reordered(&original, &shuffled);

    // The indexes do follow the model: with two or more operations and types, reversing the
    // model reverses their lists.
    for (path, pick) in [
        (
            "src/operation.rs",
            (|l: &str| l.starts_with("pub mod ")) as fn(&str) -> bool,
        ),
        ("src/types.rs", |l: &str| l.starts_with("mod _")),
        ("src/types/error.rs", |l: &str| l.starts_with("mod _")),
    ] {
        let before = lines_matching(&original[path], pick);
        let mut after = lines_matching(&shuffled[path], pick);
        assert!(
            before.len() >= 2,
            "{path}: expected at least two entries to reorder"
        );
        after.reverse();
        assert_eq!(
            before, after,
            "{path} does not list its entries in model order"
        );
        assert!(differing.contains(&path.to_owned()));
    }
}

#[test]
fn rotated_shapes_and_operations() {
    let model = RealModel::read();
    let original = by_path(model.generate(&model.service_json));
    let rotated = reorder(&model.service_json, "shapes", rotate);
    let rotated = reorder(&rotated, "operations", rotate);
    assert_ne!(rotated, reorder(&model.service_json, "shapes", reverse));
    compare_reordered(&original, &by_path(model.generate(&rotated)));
}

/// The fixtures cover shapes the real model lacks (unions, enums, recursion, exceptions of
/// every kind); their per-shape files must not depend on model order either. (The `names`
/// fixture is left out on purpose: which of two shapes that camel-case alike gets the `2`
/// suffix is decided by model order.)
#[test]
fn reordered_fixtures() {
    for fixture in ["all_types", "recursive"] {
        let text = common::read(&format!("codegen/tests/fixtures/{fixture}.json"));
        let generate = |text: &str| {
            by_path(
                codegen::generate(&codegen::Input {
                    service_json: text,
                    origin: "fixture",
                    crate_name: "fixture",
                    crate_version: "0.0.0",
                    endpoint_rule_set_json: None,
                    partitions_json: None,
                    paginators_json: None,
                })
                .unwrap_or_else(|error| panic!("{fixture}: {error}")),
            )
        };
        let original = generate(&text);
        for permute in [reverse, rotate] {
            let shuffled = reorder(&reorder(&text, "shapes", permute), "operations", permute);
            compare_reordered(&original, &generate(&shuffled));
        }
    }
}

/// Members are generated in model order, not sorted: reordering one structure's members
/// reorders its fields and changes only the files that print that structure.
#[test]
fn members_follow_model_order() {
    let model = RealModel::read();
    let original = by_path(model.generate(&model.service_json));
    let shape = "UsageRecord";
    let top = object_entries(&model.service_json);
    let shapes = object_entries(top.iter().find(|(k, _)| k == "shapes").unwrap().1);
    let usage_record = shapes.iter().find(|(k, _)| k == shape).unwrap().1;
    let members_text = object_entries(usage_record)
        .into_iter()
        .find(|(k, _)| k == "members")
        .unwrap()
        .1;
    let members: Vec<String> = object_entries(members_text)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(members.len() >= 3);
    let mut reversed_members = object_entries(members_text);
    reversed_members.reverse();
    let changed = model
        .service_json
        .replacen(members_text, &object_text(reversed_members), 1);
    assert_ne!(changed, model.service_json);
    let changed = by_path(model.generate(&changed));

    let path = "src/types/_usage_record.rs";
    let wire_order = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|line| line.trim().strip_prefix("rename = \""))
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        wire_order(&original[path]),
        members,
        "fields follow the model"
    );
    let mut expected = members.clone();
    expected.reverse();
    assert_eq!(
        wire_order(&changed[path]),
        expected,
        "fields follow the reordered model"
    );
    for (file, before) in &original {
        if file != path && before != &changed[file] {
            // Only files that embed the structure's members may change (none do today, but
            // an operation file printing a builder for it would be fine).
            assert!(
                file.starts_with("src/operation/"),
                "{file} changed when only {shape}'s members were reordered"
            );
        }
    }
}
