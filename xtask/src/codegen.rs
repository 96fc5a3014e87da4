//! `cargo xtask codegen [--check]`: regenerates the `src/` of every service crate under
//! `generated/` (see [`crate::services`]) from its `model/<model>/`, and the runtime's partition
//! table, `runtime/src/endpoint/partitions_table.rs`.
//!
//! The generator is the pure `codegen` library (model text in, file contents out); this module
//! does the I/O around it. The generated sources are committed, so the command writes only the
//! files whose bytes change and removes the `.rs` files the generator no longer produces, and
//! `--check` lets CI fail, with a diff, when someone forgot to regenerate. It owns only the
//! crate's `src/`: `Cargo.toml` and anything else in the crate are written by hand. In the
//! runtime it owns that one file: the credential providers find STS with it, before any
//! service crate (and its own table) is known.
//!
//! The inputs of each crate are its model's `service-2.json`, `endpoint-rule-set-1.json`,
//! `partitions.json` and the crate's version (the runtime's table comes from the
//! `partitions.json` of [`RUNTIME_PARTITIONS_MODEL`]); headers name the model file. The botocore release the model came from is
//! recorded in `provenance.json` (and, for releases that change the API, in the crate's
//! `CHANGELOG.md`), which this command does not read: a botocore bump that leaves the three
//! model files alone changes no generated file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::files;
use crate::services::{self, Service, RUNTIME_PARTITIONS_MODEL};

/// The runtime crate, relative to the project root; `codegen::runtime_partitions` names the
/// file in it.
const RUNTIME_DIR: &str = "runtime";

/// Runs the command; returns exit code 1 when `--check` finds stale files.
pub(crate) fn run(root: &Path, check: bool) -> Result<ExitCode, String> {
    let mut stdout = std::io::stdout();
    let changed = regenerate(root, check, ::codegen::generate, &mut stdout)?;
    if check || changed == 0 {
        note!("{}", summary(changed));
    }
    Ok(if check && changed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The signature of `codegen::generate`, so tests can run [`regenerate`] on a stand-in.
type Generator =
    fn(&::codegen::Input<'_>) -> Result<Vec<::codegen::GeneratedFile>, ::codegen::Error>;

/// Does the work of [`run`] under `root` with `generate`, for every service the repository
/// ships (see [`services`]) and the runtime's partition table, printing the
/// `updated`/`removed` lines or (with `check`) the diffs to `out`. Returns how many files
/// differ(ed).
fn regenerate(
    root: &Path,
    check: bool,
    generate: Generator,
    out: &mut dyn Write,
) -> Result<usize, String> {
    let services = services::all(root)?;
    let mut changes = Vec::new();
    for service in &services {
        changes.extend(plan_service(root, service, generate)?);
    }

    let partitions_rel = format!("model/{RUNTIME_PARTITIONS_MODEL}/partitions.json");
    let partitions_json = files::read_text(&root.join(&partitions_rel))?;
    let table = std::panic::catch_unwind(|| {
        ::codegen::runtime_partitions(&partitions_json, &partitions_rel)
    })
    .map_err(|_| {
        format!("codegen::runtime_partitions panicked on {partitions_rel} (see the message above)")
    })?
    .map_err(|e| format!("codegen::runtime_partitions failed on {partitions_rel}: {e}"))?;
    changes.extend(plan_runtime(root, &table)?);

    // Output errors are ignored: a closed pipe (`--check | head`) must not hide the exit code.
    for change in &changes {
        if check {
            let _ = out.write_all(change.diff().as_bytes());
        } else {
            let _ = writeln!(out, "{}", change.apply()?);
        }
    }
    if !check {
        for service in &services {
            files::remove_empty_dirs(&root.join(&service.crate_dir).join("src"))?;
        }
    }
    Ok(changes.len())
}

/// Generates one service's crate from `model/<model>/` and compares it with its `src/`.
fn plan_service(
    root: &Path,
    service: &Service,
    generate: Generator,
) -> Result<Vec<Change>, String> {
    let model_dir = service.model_dir();
    let service_rel = format!("{model_dir}/service-2.json");
    if !root.join(&service_rel).is_file() {
        return Err(format!(
            "{}/Cargo.toml names the model `{}`, but {service_rel} is missing; run `cargo xtask add-service {}`",
            service.crate_dir, service.model, service.model
        ));
    }
    let service_json = files::read_text(&root.join(&service_rel))?;

    let cargo_toml_rel = format!("{}/Cargo.toml", service.crate_dir);
    let cargo_toml = files::read_text(&root.join(&cargo_toml_rel))?;
    let crate_version = package_version(&cargo_toml).ok_or_else(|| {
        format!("{cargo_toml_rel}: no `version = \"...\"` line in its [package] section")
    })?;

    let rule_set_json =
        files::read_text(&root.join(format!("{model_dir}/endpoint-rule-set-1.json")))?;
    let partitions_json = files::read_text(&root.join(format!("{model_dir}/partitions.json")))?;
    // Optional, as in botocore: a model without paginators has no file.
    let paginators_json =
        files::read_optional(&root.join(format!("{model_dir}/paginators-1.json")))?
            .map(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|e| format!("{model_dir}/paginators-1.json is not UTF-8: {e}"))
            })
            .transpose()?;

    // Every file's header names the model files it is generated from, not the botocore release
    // they came from (that is in `provenance.json`): a botocore bump that leaves them alone
    // changes nothing.
    let origin = ::codegen::model_files(&model_dir, paginators_json.is_some());
    let crate_name = service.crate_name();
    let input = ::codegen::Input {
        service_json: &service_json,
        origin: &origin,
        crate_name: &crate_name,
        crate_version,
        endpoint_rule_set_json: Some(&rule_set_json),
        partitions_json: Some(&partitions_json),
        paginators_json: paginators_json.as_deref(),
    };
    // A panicking generator should end in `error:` and exit code 1 like any other failure; the
    // panic hook has already printed its message and location.
    let generated = std::panic::catch_unwind(|| generate(&input))
        .map_err(|_| {
            format!("codegen::generate panicked on {service_rel} (see the message above)")
        })?
        .map_err(|e| format!("codegen::generate failed on {service_rel}: {e}"))?;
    if generated.is_empty() {
        // Deleting every file of the crate is never what a working generator means.
        return Err(format!(
            "codegen::generate returned no files for {service_rel}; refusing to empty {}/src",
            service.crate_dir
        ));
    }
    plan(
        &root.join(&service.crate_dir),
        &service.crate_dir,
        &generated,
    )
}

/// One file that `codegen` would write or delete.
#[derive(Debug)]
pub(crate) struct Change {
    /// Relative to the project root with `/` separators, e.g.
    /// `generated/marketplace-metering/src/lib.rs`; printed and used in diff headers.
    path: String,
    /// Where the file is on disk.
    fs_path: PathBuf,
    /// The current contents; `None` if the file does not exist yet.
    old: Option<Vec<u8>>,
    /// The generated contents; `None` if the file is to be deleted.
    new: Option<String>,
}

impl Change {
    /// The change that writes `contents` to `fs_path`, unless the file already holds them.
    fn update(path: String, fs_path: PathBuf, contents: &str) -> Result<Option<Change>, String> {
        let old = files::read_optional(&fs_path)?;
        if old.as_deref() == Some(contents.as_bytes()) {
            return Ok(None);
        }
        Ok(Some(Change {
            path,
            fs_path,
            old,
            new: Some(contents.to_owned()),
        }))
    }

    /// The unified diff from what is on disk to what would be there.
    fn diff(&self) -> String {
        let old = self.old.as_deref().unwrap_or_default();
        let new = self.new.as_deref().unwrap_or_default().as_bytes();
        unified_diff(&self.path, old, new)
    }

    /// Writes or deletes the file; returns the line to print about it.
    fn apply(&self) -> Result<String, String> {
        match &self.new {
            Some(contents) => {
                files::ensure_file_contents(&self.fs_path, contents.as_bytes())?;
                Ok(format!("updated {}", self.path))
            }
            None => {
                std::fs::remove_file(&self.fs_path)
                    .map_err(|e| format!("removing {}: {e}", self.fs_path.display()))?;
                Ok(format!("removed {}", self.path))
            }
        }
    }
}

/// Compares the generated files with the crate on disk: the files whose bytes differ or that
/// are missing, then every `.rs` file under `src/` that was not generated. Sorted by path.
/// Rejects generated paths that are not plain relative paths under `src/`.
pub(crate) fn plan(
    crate_dir: &Path,
    crate_rel: &str,
    generated: &[::codegen::GeneratedFile],
) -> Result<Vec<Change>, String> {
    let mut paths = BTreeSet::new();
    let mut changes = Vec::new();
    for file in generated {
        let fs_path = crate_dir.join(checked_path(&file.path)?);
        if !paths.insert(file.path.as_str()) {
            return Err(format!("codegen::generate returned `{}` twice", file.path));
        }
        let path = format!("{crate_rel}/{}", file.path);
        changes.extend(Change::update(path, fs_path, &file.contents)?);
    }

    let src = crate_dir.join("src");
    for rel in files::files_with_extension(&src, ".rs")? {
        let mut path = String::from("src");
        for component in rel.components() {
            path.push('/');
            path.push_str(&component.as_os_str().to_string_lossy());
        }
        if !paths.contains(path.as_str()) {
            let fs_path = src.join(&rel);
            let old = files::read_optional(&fs_path)?;
            changes.push(Change {
                path: format!("{crate_rel}/{path}"),
                fs_path,
                old,
                new: None,
            });
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(changes)
}

/// The change, if any, that brings the runtime's partition table (`table`, from
/// `codegen::runtime_partitions`) up to date under `root`. Only that one file of the runtime is
/// generated, so nothing else there is ever removed.
fn plan_runtime(root: &Path, table: &::codegen::GeneratedFile) -> Result<Option<Change>, String> {
    let fs_path = root.join(RUNTIME_DIR).join(checked_path(&table.path)?);
    let path = format!("{RUNTIME_DIR}/{}", table.path);
    Change::update(path, fs_path, &table.contents)
}

/// Turns a generated path into a relative [`PathBuf`], accepting only `src/...` made of
/// ordinary `/`-separated names, so a generator bug cannot write outside the crate's `src/`.
fn checked_path(path: &str) -> Result<PathBuf, String> {
    let reject = |why: &str| Err(format!("codegen returned the path `{path}`, {why}"));
    if path.contains('\\') || path.contains('\0') {
        return reject("which contains `\\` or NUL; use `/` separators");
    }
    let components: Vec<&str> = path.split('/').collect();
    if components.first() != Some(&"src") || components.len() < 2 {
        return reject("which is not a relative path under `src/`");
    }
    if components
        .iter()
        .any(|c| c.is_empty() || *c == "." || *c == "..")
    {
        return reject("which has an empty, `.` or `..` component");
    }
    Ok(components.iter().collect())
}

/// A unified diff of one file with 3 lines of context and `a/`, `b/` headers like git's, so
/// the output of `--check` can be read in CI logs or applied with `git apply`. A missing file
/// is diffed against empty contents.
pub(crate) fn unified_diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let old_text = String::from_utf8_lossy(old);
    let new_text = String::from_utf8_lossy(new);
    let diff = similar::TextDiff::from_lines(old_text.as_ref(), new_text.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if diff.is_empty() && old != new {
        // The bytes differ only where they are not UTF-8, which a text diff cannot show.
        return format!("Binary files a/{path} and b/{path} differ\n");
    }
    diff
}

/// The status line for `n` changed files.
fn summary(n: usize) -> String {
    match n {
        0 => "the generated code is up to date".to_string(),
        1 => "the generated code is stale: 1 file differs; run cargo xtask codegen".to_string(),
        n => format!("the generated code is stale: {n} files differ; run cargo xtask codegen"),
    }
}

/// The `version = "..."` of a `Cargo.toml`'s `[package]` section. A line-based parse, enough
/// for the hand-written manifest of the generated crate; `version.workspace = true` is not
/// understood and yields `None`.
pub(crate) fn package_version(cargo_toml: &str) -> Option<&str> {
    services::toml_string(cargo_toml, "package", "version")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::read_text;
    use crate::files::TempDir;
    use ::codegen::GeneratedFile;
    use std::collections::BTreeMap;
    use std::fs;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    #[test]
    fn diff_of_changed_file() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        let expected = "\
--- a/generated/x/src/lib.rs
+++ b/generated/x/src/lib.rs
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
";
        assert_eq!(
            unified_diff("generated/x/src/lib.rs", old.as_bytes(), new.as_bytes()),
            expected
        );
    }

    #[test]
    fn diff_of_new_and_deleted_file() {
        let added = unified_diff("src/a.rs", b"", b"fn a() {}\n");
        assert_eq!(
            added,
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -0,0 +1 @@\n+fn a() {}\n"
        );
        let removed = unified_diff("src/a.rs", b"x\ny\n", b"");
        assert_eq!(
            removed,
            "--- a/src/a.rs\n+++ b/src/a.rs\n@@ -1,2 +0,0 @@\n-x\n-y\n"
        );
        assert_eq!(unified_diff("src/a.rs", b"same\n", b"same\n"), "");
    }

    #[test]
    fn plan_finds_stale_files_and_apply_fixes_them() {
        let tmp = TempDir::new("xtask-test-codegen").unwrap();
        let crate_dir = tmp.path();
        fs::create_dir_all(crate_dir.join("src/types")).unwrap();
        fs::create_dir_all(crate_dir.join("src/old_module")).unwrap();
        fs::write(crate_dir.join("Cargo.toml"), "[package]\n").unwrap();
        fs::write(crate_dir.join("src/lib.rs"), "// lib\n").unwrap();
        fs::write(crate_dir.join("src/types/_tag.rs"), "// old tag\n").unwrap();
        fs::write(crate_dir.join("src/old_module/gone.rs"), "// gone\n").unwrap();
        fs::write(crate_dir.join("src/notes.md"), "not rust\n").unwrap();

        let generated = [
            file("src/lib.rs", "// lib\n"),
            file("src/types/_tag.rs", "// new tag\n"),
            file("src/client.rs", "// client\n"),
        ];
        let changes = plan(crate_dir, CRATE_DIR, &generated).unwrap();
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.path.as_str(), c.old.is_some(), c.new.is_some()))
            .collect();
        assert_eq!(
            summary,
            [
                ("generated/marketplace-metering/src/client.rs", false, true),
                (
                    "generated/marketplace-metering/src/old_module/gone.rs",
                    true,
                    false
                ),
                (
                    "generated/marketplace-metering/src/types/_tag.rs",
                    true,
                    true
                ),
            ]
        );
        assert!(changes[1].diff().contains("-// gone\n"));

        let lines: Vec<String> = changes.iter().map(|c| c.apply().unwrap()).collect();
        assert_eq!(
            lines,
            [
                "updated generated/marketplace-metering/src/client.rs",
                "removed generated/marketplace-metering/src/old_module/gone.rs",
                "updated generated/marketplace-metering/src/types/_tag.rs",
            ]
        );
        files::remove_empty_dirs(&crate_dir.join("src")).unwrap();
        assert!(plan(crate_dir, CRATE_DIR, &generated).unwrap().is_empty());
        assert!(!crate_dir.join("src/old_module").exists());
        assert_eq!(
            fs::read_to_string(crate_dir.join("src/types/_tag.rs")).unwrap(),
            "// new tag\n"
        );
        // Only `src/**/*.rs` is the generator's: the rest of the crate is left alone.
        assert!(crate_dir.join("Cargo.toml").exists());
        assert!(crate_dir.join("src/notes.md").exists());
    }

    /// A `partitions.json` with one partition, as botocore writes them.
    const PARTITIONS_JSON: &str = r#"{
  "partitions": [{
    "id": "aws",
    "outputs": {
      "dnsSuffix": "amazonaws.com", "dualStackDnsSuffix": "api.aws",
      "implicitGlobalRegion": "us-east-1", "name": "aws",
      "supportsDualStack": true, "supportsFIPS": true
    },
    "regionRegex": "^(us|eu)\\-\\w+\\-\\d+$",
    "regions": { "us-east-1": { "description": "US East (N. Virginia)" } }
  }],
  "version": "1.1"
}"#;

    /// The runtime's partition table, relative to the project root.
    const RUNTIME_TABLE: &str = "runtime/src/endpoint/partitions_table.rs";
    /// The model directory of the service the tests generate.
    const MODEL_DIR: &str = "model/meteringmarketplace";
    /// Its crate.
    const CRATE_DIR: &str = "generated/marketplace-metering";

    /// Stands in for the generator: checks what it is given and returns two files.
    fn fake_generate(input: &::codegen::Input<'_>) -> Result<Vec<GeneratedFile>, ::codegen::Error> {
        assert_eq!(
            input.origin,
            "model/meteringmarketplace/ (service-2.json, endpoint-rule-set-1.json, partitions.json)"
        );
        assert_eq!(input.crate_name, "marketplace_metering");
        assert_eq!(input.crate_version, "0.4.0");
        if input.service_json.contains("broken") {
            return Err(::codegen::Error("bad shape `Foo`".into()));
        }
        Ok(vec![
            file("src/lib.rs", "pub mod a;\n"),
            file("src/a.rs", input.service_json),
        ])
    }

    /// Writes `text` to `rel` under `root`.
    fn write(root: &Path, rel: &str, text: &str) {
        files::ensure_file_contents(&root.join(rel), text.as_bytes()).unwrap();
    }

    /// The model and the crate manifest `fake_generate` expects, under `root`.
    fn write_model(root: &Path) {
        write(root, &format!("{MODEL_DIR}/service-2.json"), "{}\n");
        write(
            root,
            &format!("{MODEL_DIR}/endpoint-rule-set-1.json"),
            "{}\n",
        );
        write(
            root,
            &format!("{MODEL_DIR}/partitions.json"),
            PARTITIONS_JSON,
        );
        write(
            root,
            &format!("{MODEL_DIR}/provenance.json"),
            r#"{"botocore_version": "1.2.3"}"#,
        );
        write(
            root,
            &format!("{CRATE_DIR}/Cargo.toml"),
            "[package]\nname = \"marketplace-metering\"\nversion = \"0.4.0\"\n\n\
             [package.metadata.codegen]\nmodel = \"meteringmarketplace\"\n",
        );
    }

    #[test]
    fn regenerate_writes_then_checks_clean() {
        let tmp = TempDir::new("xtask-test-codegen").unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| write(root, rel, text);
        write_model(root);
        write(&format!("{CRATE_DIR}/src/stale.rs"), "old\n");

        let mut out = Vec::new();
        assert_eq!(regenerate(root, true, fake_generate, &mut out), Ok(4));
        let diff = String::from_utf8(out).unwrap();
        assert!(
            diff.contains("+++ b/generated/marketplace-metering/src/a.rs\n@@ -0,0 +1 @@\n+{}\n")
        );
        assert!(diff.contains("--- a/generated/marketplace-metering/src/stale.rs\n"));
        assert!(diff.contains(&format!("+++ b/{RUNTIME_TABLE}\n")));
        assert!(
            root.join(CRATE_DIR).join("src/stale.rs").exists(),
            "--check wrote"
        );
        assert!(!root.join(RUNTIME_TABLE).exists(), "--check wrote");

        let mut out = Vec::new();
        assert_eq!(regenerate(root, false, fake_generate, &mut out), Ok(4));
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "updated generated/marketplace-metering/src/a.rs\n\
             updated generated/marketplace-metering/src/lib.rs\n\
             removed generated/marketplace-metering/src/stale.rs\n\
             updated runtime/src/endpoint/partitions_table.rs\n"
        );
        let mut out = Vec::new();
        assert_eq!(regenerate(root, true, fake_generate, &mut out), Ok(0));
        assert!(out.is_empty());

        // `provenance.json` is no input of the generator: without it nothing changes.
        fs::remove_file(root.join(MODEL_DIR).join("provenance.json")).unwrap();
        assert_eq!(
            regenerate(root, true, fake_generate, &mut Vec::new()),
            Ok(0)
        );

        write(&format!("{MODEL_DIR}/service-2.json"), "broken");
        let err = regenerate(root, false, fake_generate, &mut Vec::new()).unwrap_err();
        assert_eq!(
            err,
            "codegen::generate failed on model/meteringmarketplace/service-2.json: bad shape `Foo`"
        );
    }

    /// Every file `cargo xtask codegen` owns under `root`: the crate's `src/**/*.rs` and the
    /// runtime's partition table, by path relative to `root`.
    fn generated_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let src = root.join(CRATE_DIR).join("src");
        let mut tree = BTreeMap::new();
        for rel in files::files_with_extension(&src, ".rs").unwrap() {
            let path = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            tree.insert(
                format!("{CRATE_DIR}/src/{path}"),
                fs::read(src.join(&rel)).unwrap(),
            );
        }
        tree.insert(
            RUNTIME_TABLE.to_owned(),
            fs::read(root.join(RUNTIME_TABLE)).unwrap(),
        );
        tree
    }

    /// A botocore release that leaves `service-2.json`, `endpoint-rule-set-1.json` and
    /// `partitions.json` alone changes no generated file, so reviewers of a model update see
    /// only what changed. 1.44.1 → 1.44.8 is such a bump: the fixture of 1.44.1 under
    /// `tests/fixtures/models/` holds the `service-2.json` that `model/` has from 1.44.8. Runs
    /// the real generator offline on copies of the real model, one per `provenance.json`.
    #[test]
    fn a_botocore_bump_that_keeps_the_model_changes_no_generated_file() {
        let project = crate::project_root();
        let model_dir = project.join(MODEL_DIR);
        let fixture_dir = project.join("xtask/tests/fixtures/models/1.44.1");
        let read = |path: PathBuf| fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(
            read(fixture_dir.join("service-2.json")),
            read(model_dir.join("service-2.json")),
            "the premise: botocore 1.44.1 and model/ have the same service-2.json"
        );
        let provenances = [
            fixture_dir.join("provenance.json"),
            model_dir.join("provenance.json"),
        ];
        let versions = provenances.clone().map(|path| {
            crate::update_model::botocore_version(&String::from_utf8(read(path)).unwrap()).unwrap()
        });
        assert_ne!(versions[0], versions[1]);

        let projects = provenances.clone().map(|provenance| {
            let tmp = TempDir::new("xtask-test-botocore-bump").unwrap();
            for file in [
                "service-2.json",
                "endpoint-rule-set-1.json",
                "partitions.json",
            ] {
                let rel = format!("{MODEL_DIR}/{file}");
                write(tmp.path(), &rel, &read_text(&project.join(&rel)).unwrap());
            }
            let provenance_rel = format!("{MODEL_DIR}/provenance.json");
            write(
                tmp.path(),
                &provenance_rel,
                &read_text(&provenance).unwrap(),
            );
            let cargo_toml = format!("{CRATE_DIR}/Cargo.toml");
            write(
                tmp.path(),
                &cargo_toml,
                &read_text(&project.join(&cargo_toml)).unwrap(),
            );
            let written = regenerate(tmp.path(), false, ::codegen::generate, &mut Vec::new());
            assert!(written.unwrap() > 1);
            tmp
        });
        let [old, new] = projects.each_ref().map(|tmp| generated_tree(tmp.path()));
        assert_eq!(
            old.keys().collect::<Vec<_>>(),
            new.keys().collect::<Vec<_>>()
        );
        for (path, old_bytes) in &old {
            assert!(
                *old_bytes == new[path],
                "{path} differs between botocore {} and {}:\n{}",
                versions[0],
                versions[1],
                unified_diff(path, old_bytes, &new[path])
            );
            let text = String::from_utf8_lossy(old_bytes);
            for version in &versions {
                assert!(!text.contains(version.as_str()), "{path} names {version}");
            }
        }

        // The bump done in place, as `update-model` does it: `--check` finds nothing to do.
        let bumped = projects[0].path();
        write(
            bumped,
            &format!("{MODEL_DIR}/provenance.json"),
            &read_text(&provenances[1]).unwrap(),
        );
        let mut out = Vec::new();
        assert_eq!(
            regenerate(bumped, true, ::codegen::generate, &mut out),
            Ok(0)
        );
        assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    }

    /// The runtime's partition table is checked and written with the generated crate, from
    /// the same `partitions.json`.
    #[test]
    fn a_stale_runtime_partition_table_fails_the_check() {
        let tmp = TempDir::new("xtask-test-codegen").unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| write(root, rel, text);
        write_model(root);
        regenerate(root, false, fake_generate, &mut Vec::new()).unwrap();
        let table = fs::read_to_string(root.join(RUNTIME_TABLE)).unwrap();
        assert!(
            table.starts_with(
                "// @generated by `cargo xtask codegen` from \
                 model/meteringmarketplace/partitions.json. Do not edit by hand.\n"
            ),
            "{table}"
        );
        assert!(
            table.contains("pub static AWS_PARTITIONS: &[Partition] = &["),
            "{table}"
        );
        assert_eq!(
            regenerate(root, true, fake_generate, &mut Vec::new()),
            Ok(0)
        );

        // A runtime table edited by hand, or left behind by a change of partitions.json, is
        // stale like any generated file; regenerating puts it back.
        write(
            RUNTIME_TABLE,
            &table.replace("amazonaws.com", "example.com"),
        );
        let mut out = Vec::new();
        assert_eq!(regenerate(root, true, fake_generate, &mut out), Ok(1));
        let diff = String::from_utf8(out).unwrap();
        assert!(
            diff.starts_with(&format!("--- a/{RUNTIME_TABLE}\n")),
            "{diff}"
        );
        assert!(
            diff.contains("+            dns_suffix: \"amazonaws.com\",\n"),
            "{diff}"
        );
        write(
            &format!("{MODEL_DIR}/partitions.json"),
            &PARTITIONS_JSON.replace("amazonaws.com", "amazonaws.eu"),
        );
        assert_eq!(
            regenerate(root, true, fake_generate, &mut Vec::new()),
            Ok(1)
        );
        assert_eq!(
            regenerate(root, false, fake_generate, &mut Vec::new()),
            Ok(1)
        );
        assert!(fs::read_to_string(root.join(RUNTIME_TABLE))
            .unwrap()
            .contains("dns_suffix: \"amazonaws.eu\","));
        assert_eq!(
            regenerate(root, true, fake_generate, &mut Vec::new()),
            Ok(0)
        );

        write(
            &format!("{MODEL_DIR}/partitions.json"),
            r#"{"partitions": []}"#,
        );
        let err = regenerate(root, true, fake_generate, &mut Vec::new()).unwrap_err();
        assert!(
            err.starts_with(
                "codegen::runtime_partitions failed on model/meteringmarketplace/partitions.json: "
            ),
            "{err}"
        );
    }

    #[test]
    fn a_panicking_generator_is_an_error() {
        let tmp = TempDir::new("xtask-test-codegen").unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            files::ensure_file_contents(&root.join(rel), text.as_bytes()).unwrap()
        };
        write(&format!("{MODEL_DIR}/service-2.json"), "{}");
        write(&format!("{MODEL_DIR}/endpoint-rule-set-1.json"), "{}");
        write(&format!("{MODEL_DIR}/partitions.json"), "{}");
        write(
            &format!("{CRATE_DIR}/Cargo.toml"),
            "[package]\nname = \"marketplace-metering\"\nversion = \"1.0.0\"\n\n\
             [package.metadata.codegen]\nmodel = \"meteringmarketplace\"\n",
        );
        let err = regenerate(root, false, |_| panic!("boom"), &mut Vec::new()).unwrap_err();
        assert!(err.contains("panicked"), "{err}");
        let err = regenerate(root, false, |_| Ok(Vec::new()), &mut Vec::new()).unwrap_err();
        assert!(err.contains("returned no files"), "{err}");
    }

    #[test]
    fn plan_rejects_paths_outside_src() {
        let tmp = TempDir::new("xtask-test-codegen").unwrap();
        for bad in [
            "Cargo.toml",
            "/src/lib.rs",
            "src",
            "src/",
            "src/../Cargo.toml",
            "src//lib.rs",
            "src/./lib.rs",
            "src\\lib.rs",
            "../src/lib.rs",
        ] {
            let err = plan(tmp.path(), CRATE_DIR, &[file(bad, "")]).unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        let twice = [file("src/lib.rs", ""), file("src/lib.rs", "")];
        assert!(plan(tmp.path(), CRATE_DIR, &twice).is_err());
    }

    #[test]
    fn summaries() {
        assert_eq!(summary(0), "the generated code is up to date");
        assert_eq!(
            summary(2),
            "the generated code is stale: 2 files differ; run cargo xtask codegen"
        );
        assert!(summary(1).contains("1 file differs"));
    }

    #[test]
    fn reads_package_version() {
        let toml = "\
[package]
name = \"marketplace-metering\"
version = \"0.3.1\" # bumped by hand

[dependencies]
version = \"9\"
";
        assert_eq!(package_version(toml), Some("0.3.1"));
        assert_eq!(
            package_version("[package]\nversion.workspace = true\n"),
            None
        );
        assert_eq!(package_version("[dependencies]\nversion = \"1\"\n"), None);
    }
}
