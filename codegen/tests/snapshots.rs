//! Snapshot tests: each fixture model under `tests/fixtures/` is generated and compared, file by
//! file, with the committed crate under `tests/snapshots/<fixture>/src/`. A fixture may come
//! with an endpoint rule set, `tests/fixtures/<fixture>.rules.json`, and paginators,
//! `tests/fixtures/<fixture>.paginators.json`.
//!
//! Run with `UPDATE_SNAPSHOTS=1` to (re)write the snapshots and delete stale ones. The snapshot
//! directories are workspace members (with hand-written `Cargo.toml` and `tests/`, which this
//! test never touches), so `cargo build`, clippy and rustdoc check that the output compiles.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The fixtures, by file stem. Each needs a snapshot crate and a workspace `members` entry.
const FIXTURES: &[&str] = &[
    "all_types",
    "auth_scheme",
    "names",
    "paginators",
    "quirks",
    "recursive",
    "s3_endpoints",
];

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The input every fixture is generated with; the crate name matches the snapshot crate's.
///
/// A fixture with a `<fixture>.rules.json` next to it is generated with that endpoint rule
/// set and the real model's `partitions.json`; without one, the fixture's client needs an
/// explicit endpoint URL. A `<fixture>.paginators.json` is its `paginators-1.json`.
fn generate(fixture: &str) -> Vec<codegen::GeneratedFile> {
    let fixtures = tests_dir().join("fixtures");
    let service_json = read(&fixtures.join(format!("{fixture}.json")));
    let rules_path = fixtures.join(format!("{fixture}.rules.json"));
    let (rule_set_json, partitions_json) = if rules_path.exists() {
        let partitions = tests_dir().join("../../model/meteringmarketplace/partitions.json");
        (Some(read(&rules_path)), Some(read(&partitions)))
    } else {
        (None, None)
    };
    let paginators_path = fixtures.join(format!("{fixture}.paginators.json"));
    let paginators_json = paginators_path.exists().then(|| read(&paginators_path));
    let origin = format!("codegen/tests/fixtures/{fixture}.json");
    let crate_name = format!("fixture_{fixture}");
    codegen::generate(&codegen::Input {
        service_json: &service_json,
        origin: &origin,
        crate_name: &crate_name,
        crate_version: "0.0.0",
        endpoint_rule_set_json: rule_set_json.as_deref(),
        partitions_json: partitions_json.as_deref(),
        paginators_json: paginators_json.as_deref(),
    })
    .unwrap_or_else(|error| panic!("codegen::generate failed on {fixture}.json: {error}"))
}

/// Every file under `dir`, as `/`-separated paths relative to `base`.
fn files_under(base: &Path, dir: &Path, out: &mut BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("reading a snapshot directory").path();
        if path.is_dir() {
            files_under(base, &path, out);
        } else {
            let rel = path.strip_prefix(base).expect("a path under the base");
            let rel: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(rel.join("/"));
        }
    }
}

/// The 1-based number and both versions of the first line where `old` and `new` differ.
fn first_difference(old: &str, new: &str) -> String {
    let (mut old_lines, mut new_lines) = (old.lines(), new.lines());
    let mut number = 1;
    loop {
        match (old_lines.next(), new_lines.next()) {
            (Some(a), Some(b)) if a == b => number += 1,
            (None, None) => return "only line endings or the final newline differ".into(),
            (a, b) => {
                let show =
                    |line: Option<&str>| line.map_or("<end of file>".into(), |l| format!("{l:?}"));
                return format!(
                    "first difference at line {number}:\n      snapshot:  {}\n      generated: {}",
                    show(a),
                    show(b)
                );
            }
        }
    }
}

/// Removes the empty directories under (and including) `dir`, deepest first.
fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                remove_empty_dirs(&entry.path());
            }
        }
    }
    // Fails harmlessly when the directory is not empty.
    let _ = fs::remove_dir(dir);
}

fn check_snapshot(fixture: &str) {
    let crate_dir = tests_dir().join("snapshots").join(fixture);
    let generated = generate(fixture);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");

    let mut on_disk = BTreeSet::new();
    files_under(&crate_dir, &crate_dir.join("src"), &mut on_disk);

    let mut problems = Vec::new();
    for file in &generated {
        assert!(
            file.path.starts_with("src/") && !file.path.contains(".."),
            "generated path {} is not under src/",
            file.path
        );
        on_disk.remove(&file.path);
        let path = crate_dir.join(&file.path);
        let problem = match fs::read_to_string(&path) {
            Ok(old) if old == file.contents => continue,
            Ok(old) => format!(
                "{}: differs; {}",
                file.path,
                first_difference(&old, &file.contents)
            ),
            Err(_) => format!("{}: missing from the snapshot", file.path),
        };
        if update {
            fs::create_dir_all(path.parent().expect("a file has a parent"))
                .and_then(|()| fs::write(&path, &file.contents))
                .unwrap_or_else(|error| panic!("writing {}: {error}", path.display()));
        }
        problems.push(problem);
    }
    for stale in &on_disk {
        if update {
            let path = crate_dir.join(stale);
            fs::remove_file(&path)
                .unwrap_or_else(|error| panic!("removing {}: {error}", path.display()));
        }
        problems.push(format!("{stale}: no longer generated"));
    }
    if update {
        remove_empty_dirs(&crate_dir.join("src"));
        for problem in &problems {
            eprintln!("updated snapshot {fixture}/{problem}");
        }
        return;
    }
    assert!(
        problems.is_empty(),
        "the output for tests/fixtures/{fixture}.json differs from tests/snapshots/{fixture}/ in {} file(s):\n  - {}\n\
         If the change is intended, run `UPDATE_SNAPSHOTS=1 cargo test -p codegen --test snapshots`, \
         review the diff, and make sure the snapshot crates still build (`cargo test -p fixture-...`).",
        problems.len(),
        problems.join("\n  - ")
    );
}

#[test]
fn all_types() {
    check_snapshot("all_types");
}

#[test]
fn auth_scheme() {
    check_snapshot("auth_scheme");
}

#[test]
fn names() {
    check_snapshot("names");
}

#[test]
fn paginators() {
    check_snapshot("paginators");
}

#[test]
fn quirks() {
    check_snapshot("quirks");
}

#[test]
fn recursive() {
    check_snapshot("recursive");
}

#[test]
fn s3_endpoints() {
    check_snapshot("s3_endpoints");
}

/// A fixture without a snapshot test, snapshot crate or workspace entry would be checked by
/// nothing; so would a snapshot crate whose fixture is gone.
#[test]
fn every_fixture_is_a_compiled_snapshot_crate() {
    let stems = |dir: &str, want_dir: bool| -> BTreeSet<String> {
        fs::read_dir(tests_dir().join(dir))
            .unwrap_or_else(|error| panic!("reading tests/{dir}: {error}"))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.is_dir() == want_dir)
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?;
                // `<fixture>.rules.json` and `<fixture>.paginators.json` belong to
                // `<fixture>.json`.
                let stem = name
                    .strip_suffix(".rules.json")
                    .or(name.strip_suffix(".paginators.json"))
                    .or(name.strip_suffix(".json"));
                Some(stem.unwrap_or(name).to_owned())
            })
            .collect()
    };
    let listed: BTreeSet<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        stems("fixtures", false),
        listed,
        "tests/fixtures/*.json vs FIXTURES"
    );
    assert_eq!(
        stems("snapshots", true),
        listed,
        "tests/snapshots/*/ vs FIXTURES"
    );

    let workspace = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
        .expect("reading the workspace Cargo.toml");
    for fixture in FIXTURES {
        let manifest = tests_dir()
            .join("snapshots")
            .join(fixture)
            .join("Cargo.toml");
        let manifest = fs::read_to_string(&manifest)
            .unwrap_or_else(|error| panic!("reading {}: {error}", manifest.display()));
        let package = format!("name = \"fixture-{}\"", fixture.replace('_', "-"));
        assert!(
            manifest.contains(&package),
            "tests/snapshots/{fixture}/Cargo.toml must say {package}, to match the crate name the snapshot is generated with"
        );
        let member = format!("\"codegen/tests/snapshots/{fixture}\"");
        assert!(
            workspace.contains(&member),
            "the workspace Cargo.toml must list {member} in `members`, so the snapshot is compiled"
        );
    }
}
