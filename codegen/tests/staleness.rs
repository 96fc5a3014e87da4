//! `generated/marketplace-metering/src/` is what the generator makes of the real model today:
//! the same check as `cargo xtask codegen --check`, run by `cargo test`, so a generator change
//! without a regeneration fails here too.

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
