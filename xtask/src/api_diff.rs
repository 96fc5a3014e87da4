//! `cargo xtask api-diff [--service NAME] OLD NEW`: what a model change does to the generated
//! crate's API.
//!
//! Each side is a `service-2.json`, a directory holding one, or a botocore version, fetched
//! from PyPI with [`update_model::fetch`]: the model of the service `--service` names (a
//! service the repository ships, by model or crate name, or any botocore model name), by
//! default the one service the repository ships. The comparison and the report are
//! `codegen::api` (pure: model text in, Markdown out); this module only finds the models and
//! prints. `update-model` uses [`record_update`] to print the same report for the model it
//! replaces and add it to the crate's `CHANGELOG.md`.

use std::io::Write;
use std::path::Path;

use codegen::api::ApiDiff;

use crate::files::{self, TempDir};
use crate::services::{self, Service};
use crate::update_model::{self, Wanted};
/// The line after which `update-model` adds entries.
const MARKER: &str =
    "<!-- `cargo xtask update-model` adds entries below this line, newest first. -->";

/// One side of the comparison.
#[derive(Debug)]
struct Side {
    /// How the report names it.
    label: String,
    /// The text of its `service-2.json`.
    service_json: String,
    /// The text of the `paginators-1.json` next to it, when there is one.
    paginators_json: Option<String>,
}

/// Runs the command: prints the report for `old` → `new`.
pub(crate) fn run(root: &Path, service: Option<&str>, old: &str, new: &str) -> Result<(), String> {
    let tmp = TempDir::new("xtask-api-diff")?;
    // The botocore model to fetch when a side is a version: decided only when one is.
    let model = || services::botocore_model(root, service);
    let old = resolve(old, &model, &tmp.path().join("old"))?;
    let new = resolve(new, &model, &tmp.path().join("new"))?;
    let diff = compare_models(
        (&old.service_json, old.paginators_json.as_deref()),
        (&new.service_json, new.paginators_json.as_deref()),
    )
    .map_err(|e| format!("{e} (comparing {} with {})", old.label, new.label))?;
    say!("{}", report(&old.label, &new.label, &diff, None).trim_end());
    Ok(())
}

/// Finds the model `arg` names: a file, a directory with `service-2.json`, or a botocore
/// version to fetch into `scratch`. A path that exists wins over a version.
fn resolve(
    arg: &str,
    model: &dyn Fn() -> Result<String, String>,
    scratch: &Path,
) -> Result<Side, String> {
    let path = Path::new(arg);
    if path.is_dir() {
        let file = path.join("service-2.json");
        let service_json = files::read_text(&file)?;
        // A directory laid out like model/ or a fixture says which botocore it came from.
        let version = files::read_optional(&path.join("provenance.json"))?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| update_model::botocore_version(&text).ok());
        let label = match version {
            Some(version) => format!("botocore {version} ({arg})"),
            None => arg.to_string(),
        };
        return Ok(Side {
            label,
            service_json,
            paginators_json: paginators_next_to(&file)?,
        });
    }
    if path.is_file() {
        return Ok(Side {
            label: arg.to_string(),
            service_json: files::read_text(path)?,
            paginators_json: paginators_next_to(path)?,
        });
    }
    if update_model::check_version(arg).is_err() {
        return Err(format!(
            "`{arg}` is not a model file, a directory holding service-2.json, or a botocore version like 1.44.8"
        ));
    }
    let fetched = update_model::fetch(Some(arg), &model()?, Wanted::ServiceOnly, scratch)?;
    let service_json = files::read_text(&scratch.join("service-2.json"))?;
    Ok(Side {
        label: format!("botocore {}", fetched.version),
        service_json,
        paginators_json: paginators_next_to(&scratch.join("service-2.json"))?,
    })
}

/// The `paginators-1.json` in the directory of the `service-2.json` at `service`, if any.
fn paginators_next_to(service: &Path) -> Result<Option<String>, String> {
    let Some(dir) = service.parent() else {
        return Ok(None);
    };
    files::read_optional(&dir.join("paginators-1.json"))?
        .map(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| format!("{}/paginators-1.json: {e}", dir.display()))
        })
        .transpose()
}

/// Describes both models, `(service-2.json, paginators-1.json if any)`, as the generator
/// lowers them and compares the results.
pub(crate) fn compare_models(
    old: (&str, Option<&str>),
    new: (&str, Option<&str>),
) -> Result<ApiDiff, String> {
    let old =
        codegen::api::describe_model(old.0, old.1).map_err(|e| format!("the old model: {e}"))?;
    let new =
        codegen::api::describe_model(new.0, new.1).map_err(|e| format!("the new model: {e}"))?;
    Ok(codegen::api::diff(&old, &new))
}

/// The report under a `##` heading naming both sides; with `crate_version`, it ends with
/// the version to release the crate as.
pub(crate) fn report(old: &str, new: &str, diff: &ApiDiff, crate_version: Option<&str>) -> String {
    let body = match crate_version {
        Some(version) => diff.to_markdown_for(version),
        None => diff.to_markdown(),
    };
    format!("## {old} → {new}\n\n{body}")
}

/// One side of a model update: the bytes of `service-2.json` and, when the release has
/// one, of `paginators-1.json` (a paginator is part of the crate's API too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ModelFiles<'a> {
    /// `service-2.json`.
    pub(crate) service: &'a [u8],
    /// `paginators-1.json`, if any.
    pub(crate) paginators: Option<&'a [u8]>,
}

impl<'a> ModelFiles<'a> {
    /// A model without paginators.
    #[cfg(test)]
    pub(crate) fn service(service: &'a [u8]) -> Self {
        ModelFiles {
            service,
            paginators: None,
        }
    }

    /// Both files as text; `which` (old, new) names the side in the error.
    fn texts(&self, which: &str) -> Result<(String, Option<String>), String> {
        let text = |bytes: &[u8], file: &str| {
            String::from_utf8(bytes.to_vec())
                .map_err(|e| format!("the {which} {file} is not UTF-8: {e}"))
        };
        Ok((
            text(self.service, "service-2.json")?,
            self.paginators
                .map(|bytes| text(bytes, "paginators-1.json"))
                .transpose()?,
        ))
    }
}

/// For `update-model`: prints the report for the model `old` → `new` to `out` and
/// adds it to the service crate's `CHANGELOG.md`.
pub(crate) fn record_update(
    root: &Path,
    service: &Service,
    old: ModelFiles<'_>,
    new: ModelFiles<'_>,
    labels: (&str, &str),
    out: &mut dyn Write,
) -> Result<(), String> {
    let (old_label, new_label) = labels;
    let (old, new) = (old.texts("old")?, new.texts("new")?);
    let diff = compare_models((&old.0, old.1.as_deref()), (&new.0, new.1.as_deref()))?;
    let cargo_toml = files::read_text(&root.join(&service.crate_dir).join("Cargo.toml"))?;
    let crate_version = crate::codegen::package_version(&cargo_toml);
    let entry = report(old_label, new_label, &diff, crate_version);
    // Output errors are ignored, as everywhere in xtask: a closed pipe must not stop the update.
    let _ = writeln!(out, "\n{}\n", entry.trim_end());

    let changelog = format!("{}/CHANGELOG.md", service.crate_dir);
    let path = root.join(&changelog);
    let existing =
        files::read_optional(&path)?.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    let updated = insert_entry(existing.as_deref(), &service.package, &entry);
    files::ensure_file_contents(&path, updated.as_bytes())?;
    let _ = writeln!(out, "added the report to {changelog}");
    Ok(())
}

/// The changelog with `entry` added: right below [`MARKER`] (newest first), at the end of
/// a file that lost its marker, or in a new file with the standard header.
fn insert_entry(existing: Option<&str>, package: &str, entry: &str) -> String {
    let entry = entry.trim_end();
    let Some(existing) = existing else {
        return format!("{}\n{entry}\n", new_changelog_header(package));
    };
    match existing.find(MARKER) {
        Some(at) => {
            let after_marker = at + MARKER.len();
            let (head, rest) = existing.split_at(after_marker);
            let rest = rest.trim_start_matches(['\r', '\n']);
            if rest.is_empty() {
                format!("{head}\n\n{entry}\n")
            } else {
                format!("{head}\n\n{entry}\n\n{rest}")
            }
        }
        None => format!("{}\n\n{entry}\n", existing.trim_end()),
    }
}

/// The hand-written part of a changelog created from scratch; the committed one starts the
/// same way.
fn new_changelog_header(package: &str) -> String {
    format!(
        "# Changelog\n\n\
         API changes of `{package}` from one botocore model to the next. Each entry \
         is the report of `cargo xtask api-diff` that `cargo xtask update-model` printed when it \
         replaced the model, ending with the version the crate should be released as.\n\n\
         {MARKER}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed crate's changelog, relative to the project root.
    const CHANGELOG: &str = "generated/marketplace-metering/CHANGELOG.md";
    /// Its manifest.
    const CARGO_TOML: &str = "generated/marketplace-metering/Cargo.toml";

    /// The service the tests record updates for.
    fn metering() -> Service {
        Service {
            model: "meteringmarketplace".into(),
            crate_dir: "generated/marketplace-metering".into(),
            package: "marketplace-metering".into(),
        }
    }

    #[test]
    fn entries_go_below_the_marker_newest_first() {
        let created = insert_entry(None, "marketplace-metering", "## a → b\n\nfirst\n");
        assert!(created.starts_with("# Changelog\n"), "{created}");
        assert!(created.ends_with(&format!("{MARKER}\n\n## a → b\n\nfirst\n")));

        let second = insert_entry(
            Some(&created),
            "marketplace-metering",
            "## b → c\n\nsecond\n\n",
        );
        assert!(
            second.ends_with(&format!(
                "{MARKER}\n\n## b → c\n\nsecond\n\n## a → b\n\nfirst\n"
            )),
            "{second}"
        );

        let no_marker = insert_entry(Some("# Mine\n\nold\n"), "x", "## x\n");
        assert_eq!(no_marker, "# Mine\n\nold\n\n## x\n");
    }

    #[test]
    fn committed_changelog_has_the_marker() {
        let root = crate::project_root();
        let text = files::read_text(&root.join(CHANGELOG)).unwrap();
        assert!(text.contains(MARKER), "{CHANGELOG} lost its marker line");
        assert!(text.starts_with("# Changelog\n"));
    }

    fn fixture(version: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/models")
            .join(version)
            .join("service-2.json");
        std::fs::read(&path).unwrap()
    }

    /// A project root with the crate manifest (version 0.1.0) and, optionally, a changelog.
    fn scratch_root(changelog: Option<&str>) -> TempDir {
        let tmp = TempDir::new("xtask-test-changelog").unwrap();
        let manifest = tmp.path().join(CARGO_TOML);
        files::ensure_file_contents(
            &manifest,
            b"[package]\nname = \"marketplace-metering\"\nversion = \"0.1.0\"\n\n\
              [package.metadata.codegen]\nmodel = \"meteringmarketplace\"\n",
        )
        .unwrap();
        if let Some(text) = changelog {
            files::ensure_file_contents(&tmp.path().join(CHANGELOG), text.as_bytes()).unwrap();
        }
        tmp
    }

    #[test]
    fn update_reports_go_into_the_changelog() {
        let committed = files::read_text(&crate::project_root().join(CHANGELOG)).unwrap();
        let tmp = scratch_root(Some(&committed));
        let mut out = Vec::new();
        record_update(
            tmp.path(),
            &metering(),
            ModelFiles::service(&fixture("1.44.0")),
            ModelFiles::service(&fixture("1.44.1")),
            ("botocore 1.44.0", "botocore 1.44.1"),
            &mut out,
        )
        .unwrap();
        let printed = String::from_utf8(out).unwrap();
        assert!(
            printed.starts_with("\n## botocore 1.44.0 → botocore 1.44.1\n"),
            "{printed}"
        );
        assert!(printed.ends_with(&format!("added the report to {CHANGELOG}\n")));
        let text = files::read_text(&tmp.path().join(CHANGELOG)).unwrap();
        let (head, entries) = text.split_once(MARKER).unwrap();
        assert_eq!(head, committed.split_once(MARKER).unwrap().0);
        assert!(
            entries.starts_with(
                "\n\n## botocore 1.44.0 → botocore 1.44.1\n\n### Compatible changes (minor)\n"
            ),
            "{entries}"
        );
        assert!(
            entries.contains("Release the crate as 0.1.1 (from 0.1.0)"),
            "{entries}"
        );
        // The older entries follow.
        assert!(entries
            .trim_end()
            .ends_with(committed.split_once(MARKER).unwrap().1.trim_end()));

        // Without a changelog, one is created.
        let tmp = scratch_root(None);
        let (old, new) = (fixture("1.12.118"), fixture("1.12.117"));
        record_update(
            tmp.path(),
            &metering(),
            ModelFiles::service(&old),
            ModelFiles::service(&new),
            ("a", "b"),
            &mut Vec::new(),
        )
        .unwrap();
        let text = files::read_text(&tmp.path().join(CHANGELOG)).unwrap();
        assert!(text.starts_with("# Changelog\n"), "{text}");
        assert!(text.contains("### Breaking changes (major)"), "{text}");
        assert!(
            text.contains("Release the crate as 0.2.0 (from 0.1.0)"),
            "{text}"
        );
    }

    /// `update-model` end to end on a scratch project whose model is botocore 1.44.0: needs
    /// python3, pip and PyPI, so it only runs when asked (`cargo test -p xtask -- --ignored`).
    #[test]
    #[ignore = "downloads botocore from PyPI"]
    fn update_model_reports_against_the_model_it_replaces() {
        let tmp = scratch_root(None);
        let model_dir = tmp.path().join("model/meteringmarketplace");
        files::ensure_file_contents(&model_dir.join("service-2.json"), &fixture("1.44.0")).unwrap();
        files::ensure_file_contents(
            &model_dir.join("provenance.json"),
            br#"{"botocore_version": "1.44.0"}"#,
        )
        .unwrap();
        crate::update_model::run(tmp.path(), Some("1.44.1")).unwrap();
        assert_eq!(
            std::fs::read(model_dir.join("service-2.json")).unwrap(),
            fixture("1.44.1")
        );
        let text = files::read_text(&tmp.path().join(CHANGELOG)).unwrap();
        assert!(
            text.contains("## botocore 1.44.0 → botocore 1.44.1\n\n### Compatible changes (minor)"),
            "{text}"
        );
    }

    /// For sides that are paths: the model to fetch is never asked for.
    fn no_model() -> Result<String, String> {
        panic!("a path side needs no model name")
    }

    #[test]
    fn sides_are_paths_or_versions() {
        let tmp = TempDir::new("xtask-test-api-diff").unwrap();
        let dir = tmp.path().join("m");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("service-2.json"), "{}").unwrap();
        let side = resolve(dir.to_str().unwrap(), &no_model, &tmp.path().join("s")).unwrap();
        assert_eq!(side.service_json, "{}");
        assert_eq!(side.label, dir.to_str().unwrap());

        std::fs::write(
            dir.join("provenance.json"),
            r#"{"botocore_version": "1.2.3"}"#,
        )
        .unwrap();
        let side = resolve(dir.to_str().unwrap(), &no_model, &tmp.path().join("s")).unwrap();
        assert_eq!(side.label, format!("botocore 1.2.3 ({})", dir.display()));

        let file = dir.join("service-2.json");
        let side = resolve(file.to_str().unwrap(), &no_model, &tmp.path().join("s")).unwrap();
        assert_eq!(side.label, file.to_str().unwrap());

        let err = resolve("no/such/model.json", &no_model, &tmp.path().join("s")).unwrap_err();
        assert!(err.contains("is not a model file"), "{err}");
    }
}
