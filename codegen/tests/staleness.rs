//! `generated/marketplace-metering/src/` and `runtime/src/endpoint/partitions_table.rs` are what
//! the generator makes of the real model today: the same check as `cargo xtask codegen --check`,
//! run by `cargo test`, so a generator change without a regeneration fails here too.

mod common;

use common::{RealModel, CRATE_DIR};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Every `.rs` file under `dir`, as `/`-separated paths relative to `base`.
fn rust_files(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(base, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let rel = path.strip_prefix(base).expect("a path under the base");
            let parts: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"));
        }
    }
}

#[test]
fn generated_crate_is_up_to_date() {
    let model = RealModel::read();
    let generated = model.generate(&model.service_json);
    let crate_dir = common::root().join(CRATE_DIR);

    let mut extra = BTreeSet::new();
    rust_files(&crate_dir, &crate_dir.join("src"), &mut extra);
    let (mut stale, mut missing) = (Vec::new(), Vec::new());
    for file in &generated {
        extra.remove(&file.path);
        match fs::read(crate_dir.join(&file.path)) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => stale.push(file.path.as_str()),
            Err(_) => missing.push(file.path.as_str()),
        }
    }
    let mut report = Vec::new();
    for (what, paths) in [
        ("stale (contents differ)", stale),
        ("missing", missing),
        (
            "extra (no longer generated)",
            extra.iter().map(String::as_str).collect(),
        ),
    ] {
        if !paths.is_empty() {
            report.push(format!(
                "{what}:\n    {CRATE_DIR}/{}",
                paths.join(&format!("\n    {CRATE_DIR}/"))
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{CRATE_DIR}/src does not match the generator's output for the model:\n  {}\n\
         Run `cargo xtask codegen` to regenerate it (`cargo xtask codegen --check` shows the diff).",
        report.join("\n  ")
    );
}

/// `RUNTIME_DIR` in xtask.
const RUNTIME_DIR: &str = "runtime";

/// The `origin` xtask gives `codegen::runtime_partitions`: the crate's, naming
/// `partitions.json` instead of `service-2.json`.
fn partitions_origin(model: &RealModel) -> String {
    model
        .origin
        .replacen("/service-2.json", "/partitions.json", 1)
}

/// The runtime's partition table, which the credential providers resolve STS hosts with.
fn runtime_table(model: &RealModel) -> codegen::GeneratedFile {
    codegen::runtime_partitions(&model.partitions_json, &partitions_origin(model))
        .unwrap_or_else(|error| panic!("codegen::runtime_partitions failed: {error}"))
}

#[test]
fn runtime_partition_table_is_up_to_date() {
    let model = RealModel::read();
    let table = runtime_table(&model);
    assert_eq!(table.path, "src/endpoint/partitions_table.rs");
    let rel = format!("{RUNTIME_DIR}/{}", table.path);
    assert!(
        common::read(&rel) == table.contents,
        "{rel} does not match the generator's output for partitions.json.\n\
         Run `cargo xtask codegen` to regenerate it (`cargo xtask codegen --check` shows the diff)."
    );
}

/// The runtime's table and the generated crate's hold the same partitions, printed by the same
/// emitter from the same `partitions.json`: only the header, the import path and the
/// `static`'s visibility and name differ.
#[test]
fn runtime_and_crate_partition_tables_are_one_table() {
    let model = RealModel::read();
    let runtime = runtime_table(&model).contents;
    let generated = model.generate(&model.service_json);
    let service = &generated
        .iter()
        .find(|file| file.path == "src/endpoint/partitions.rs")
        .expect("the crate has a partition table")
        .contents;
    let (runtime_head, runtime_rows) = runtime.split_once(" = &[").expect("a static table");
    let (service_head, service_rows) = service.split_once(" = &[").expect("a static table");
    assert_eq!(runtime_rows, service_rows);
    assert!(runtime_rows.contains("dns_suffix: \"amazonaws.eu\""));
    assert!(runtime_head.ends_with("pub static AWS_PARTITIONS: &[Partition]"));
    assert!(service_head.ends_with("pub(super) static PARTITIONS: &[Partition]"));
    assert!(runtime_head.contains(
        "\nuse crate::endpoint::partition::{Partition, PartitionOutputs, RegionOverride};\n"
    ));
    assert!(runtime_head.starts_with(&format!(
        "// @generated by `cargo xtask codegen` from {}. Do not edit by hand.\n",
        partitions_origin(&model)
    )));
}

#[test]
fn runtime_partition_table_needs_an_aws_partition() {
    let error = codegen::runtime_partitions(r#"{"partitions": []}"#, "p.json").unwrap_err();
    assert!(error.0.contains("no `aws` partition"), "{error}");
    let error = codegen::runtime_partitions("{}", "p.json").unwrap_err();
    assert!(
        error.0.contains("partitions.json does not parse"),
        "{error}"
    );
}
