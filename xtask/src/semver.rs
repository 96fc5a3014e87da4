//! The generated crate's version follows its public API.
//!
//! `generated/<crate>/release.json` records the crate's version and the model that version
//! was generated from (`service-2.json`, and `paginators-1.json` when there is one: the
//! paginators are API too). `cargo xtask semver` (CI) describes both models' APIs, diffs them as
//! `api-diff` does, and fails when the API changed but `Cargo.toml`'s version is still the
//! recorded one, or was bumped less than the change needs (the 0.x way: a breaking change
//! bumps the minor number, anything else the patch number). `update-model` runs the bump step
//! after adding the report to the CHANGELOG: it sets the version the change needs in the
//! crate's `Cargo.toml` and in the workspace's path dependency on it, and records the new
//! release; `cargo xtask semver --bump` does the same after a model edited by hand.

use crate::api_diff::ModelFiles;
use crate::files;
use crate::services::{self, Service};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// The file, in the crate's directory, that records the last release.
const RELEASE_FILE: &str = "release.json";

/// A released version and the model it was generated from.
struct Release {
    version: String,
    model: String,
    /// The model's `paginators-1.json`; releases recorded before paginators have none.
    paginators: Option<String>,
}

fn read_release(crate_dir: &Path) -> Result<Release, String> {
    let path = crate_dir.join(RELEASE_FILE);
    let value: Value = serde_json::from_str(&files::read_text(&path)?)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let version = value["version"]
        .as_str()
        .ok_or_else(|| format!("{}: no \"version\"", path.display()))?;
    let model = value
        .get("model")
        .filter(|model| model.is_object())
        .ok_or_else(|| format!("{}: no \"model\" object", path.display()))?;
    let paginators = value
        .get("paginators")
        .filter(|paginators| paginators.is_object())
        .map(Value::to_string);
    Ok(Release {
        version: version.to_owned(),
        model: model.to_string(),
        paginators,
    })
}

fn write_release(
    crate_dir: &Path,
    version: &str,
    model: &str,
    paginators: Option<&str>,
) -> Result<(), String> {
    let model: Value =
        serde_json::from_str(model).map_err(|e| format!("the model is not JSON: {e}"))?;
    let mut release = serde_json::json!({
        "//": "The version this crate was last released as and the model it was generated from; \
               `cargo xtask semver` checks the version against the API change since then.",
        "version": version,
        "model": model,
    });
    if let Some(paginators) = paginators {
        release["paginators"] = serde_json::from_str(paginators)
            .map_err(|e| format!("paginators-1.json is not JSON: {e}"))?;
    }
    let text = serde_json::to_string_pretty(&release).map_err(|e| e.to_string())? + "\n";
    files::ensure_file_contents(&crate_dir.join(RELEASE_FILE), text.as_bytes()).map(|_| ())
}

/// The version in the crate's `Cargo.toml`.
fn crate_version(crate_dir: &Path) -> Result<String, String> {
    let path = crate_dir.join("Cargo.toml");
    crate::codegen::package_version(&files::read_text(&path)?)
        .map(str::to_owned)
        .ok_or_else(|| format!("{}: no [package] version", path.display()))
}

/// What the API change since the release needs: `None` when the API is the same, else the
/// bump and the version it leads to.
fn needed(
    release: &Release,
    model: &str,
    paginators: Option<&str>,
) -> Result<Option<(codegen::api::Bump, String)>, String> {
    let diff = crate::api_diff::compare_models(
        (&release.model, release.paginators.as_deref()),
        (model, paginators),
    )?;
    let bump = diff.bump();
    if bump == codegen::api::Bump::None {
        return Ok(None);
    }
    let next = bump.next_version(&release.version).ok_or_else(|| {
        format!(
            "release version {} is not MAJOR.MINOR.PATCH",
            release.version
        )
    })?;
    Ok(Some((bump, next)))
}

/// `MAJOR.MINOR.PATCH` as numbers, for comparing versions.
fn parts(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    let parsed = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(parsed)
}

/// The `paginators-1.json` of `service`'s model, if it has one.
fn paginators(root: &Path, service: &Service) -> Result<Option<String>, String> {
    let path = root.join(service.model_dir()).join("paginators-1.json");
    files::read_optional(&path)?
        .map(|bytes| String::from_utf8(bytes).map_err(|e| format!("{}: {e}", path.display())))
        .transpose()
}

/// CI's check: the crate's version covers the API change since its last release.
pub(crate) fn check(
    crate_dir: &Path,
    model: &str,
    paginators: Option<&str>,
) -> Result<String, String> {
    let release = read_release(crate_dir)?;
    let current = crate_version(crate_dir)?;
    let Some((bump, next)) = needed(&release, model, paginators)? else {
        return Ok(format!(
            "the public API is that of release {} (version {current})",
            release.version
        ));
    };
    let enough = match (parts(&current), parts(&next)) {
        (Some(current), Some(next)) => current >= next,
        _ => false,
    };
    if current == release.version || !enough {
        return Err(format!(
            "the public API changed since release {} ({bump} change: see `cargo xtask api-diff`), \
             but the crate's version is {current}; it needs {next}: run `cargo xtask semver --bump`",
            release.version
        ));
    }
    Ok(format!(
        "the public API changed ({bump}) since release {}; version {current} covers it",
        release.version
    ))
}

/// The bump step: sets the version the API change needs in the crate's `Cargo.toml` and in
/// the workspace's dependency on it, and records the release. `None` when the API did not
/// change.
pub(crate) fn bump(
    root: &Path,
    service: &Service,
    model: &str,
) -> Result<Option<(String, String)>, String> {
    let crate_dir = root.join(&service.crate_dir);
    let release = read_release(&crate_dir)?;
    let paginators = paginators(root, service)?;
    let Some((_, next)) = needed(&release, model, paginators.as_deref())? else {
        return Ok(None);
    };
    let current = crate_version(&crate_dir)?;
    set_package_version(&crate_dir.join("Cargo.toml"), &current, &next)?;
    set_dependency_version(&root.join("Cargo.toml"), &service.package, &current, &next)?;
    write_release(&crate_dir, &next, model, paginators.as_deref())?;
    Ok(Some((current, next)))
}

/// For a new service (`add-service`): its current version and model as its release.
pub(crate) fn record_first_release(root: &Path, service: &Service) -> Result<(), String> {
    let crate_dir = root.join(&service.crate_dir);
    let model = files::read_text(&root.join(service.model_dir()).join("service-2.json"))?;
    let paginators = paginators(root, service)?;
    write_release(
        &crate_dir,
        &crate_version(&crate_dir)?,
        &model,
        paginators.as_deref(),
    )
}

/// `update-model`'s report and bump: the api-diff report into the CHANGELOG, then
/// [`bump`].
pub(crate) fn record_and_bump(
    root: &Path,
    service: &Service,
    old: ModelFiles<'_>,
    new: ModelFiles<'_>,
    labels: (&str, &str),
    out: &mut dyn Write,
) -> Result<(), String> {
    crate::api_diff::record_update(root, service, old, new, labels, out)?;
    let new = String::from_utf8(new.service.to_vec()).map_err(|e| format!("the new model: {e}"))?;
    if let Some((from, to)) = bump(root, service, &new)? {
        let _ = writeln!(out, "{}: version {from} -> {to}", service.package);
    }
    Ok(())
}

/// Replaces the `[package]` version `from` by `to`.
fn set_package_version(path: &Path, from: &str, to: &str) -> Result<(), String> {
    let text = files::read_text(path)?;
    let old = format!("version = \"{from}\"");
    let at = text
        .find("[package]")
        .and_then(|start| text[start..].find(&old).map(|at| start + at))
        .ok_or_else(|| format!("{}: no `{old}` in [package]", path.display()))?;
    let updated = format!(
        "{}version = \"{to}\"{}",
        &text[..at],
        &text[at + old.len()..]
    );
    files::ensure_file_contents(path, updated.as_bytes()).map(|_| ())
}

/// Replaces the version of the workspace's path dependency on the crate.
fn set_dependency_version(path: &Path, package: &str, from: &str, to: &str) -> Result<(), String> {
    let text = files::read_text(path)?;
    let prefix = format!("{package} = {{");
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(&prefix) && line.contains(&format!("version = \"{from}\"")) {
                found = true;
                line.replace(
                    &format!("version = \"{from}\""),
                    &format!("version = \"{to}\""),
                )
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !found {
        return Err(format!(
            "{}: no `{prefix} .., version = \"{from}\" }}` dependency",
            path.display()
        ));
    }
    files::ensure_file_contents(path, (lines.join("\n") + "\n").as_bytes()).map(|_| ())
}

/// `cargo xtask semver [--bump]`, for every service the repository ships.
pub(crate) fn run(root: &Path, bump_it: bool) -> Result<(), String> {
    let mut failed = Vec::new();
    for service in services::all(root)? {
        let model = files::read_text(&root.join(service.model_dir()).join("service-2.json"))?;
        let name = &service.package;
        if bump_it {
            match bump(root, &service, &model)? {
                Some((from, to)) => say!("{name}: version {from} -> {to}"),
                None => say!("{name}: the public API did not change; nothing to bump"),
            }
            continue;
        }
        let paginators = paginators(root, &service)?;
        match check(
            &root.join(&service.crate_dir),
            &model,
            paginators.as_deref(),
        ) {
            Ok(verdict) => say!("{name}: {verdict}"),
            Err(error) => {
                note!("error: {name}: {error}");
                failed.push(name.clone());
            }
        }
    }
    match failed.is_empty() {
        true => Ok(()),
        false => Err(format!("versions to bump: {}", failed.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::TempDir;
    use std::fs;

    const MODEL_V1: &str = r#"{"metadata": {"endpointPrefix": "x", "protocol": "json", "jsonVersion": "1.1", "targetPrefix": "X", "serviceId": "X", "signingName": "x"},
      "operations": {"Ping": {"name": "Ping", "input": {"shape": "PingRequest"}, "output": {"shape": "PingResult"}}},
      "shapes": {"PingRequest": {"type": "structure", "members": {"Id": {"shape": "Id"}, "Note": {"shape": "Id"}}},
                 "PingResult": {"type": "structure", "members": {}},
                 "Id": {"type": "string"}}}"#;

    const CRATE_DIR: &str = "generated/marketplace-metering";

    fn service() -> Service {
        Service {
            model: "meteringmarketplace".into(),
            crate_dir: CRATE_DIR.into(),
            package: "marketplace-metering".into(),
        }
    }

    /// A repository with the crate at version 0.1.0, released from `MODEL_V1`.
    fn repo() -> TempDir {
        let tmp = TempDir::new("xtask-test-semver").unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join(CRATE_DIR)).unwrap();
        fs::write(
            root.join(CRATE_DIR).join("Cargo.toml"),
            "[package]\nname = \"marketplace-metering\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n",
        )
        .unwrap();
        fs::write(
            root.join("Cargo.toml"),
            "[workspace.dependencies]\nmarketplace-metering = { path = \"generated/marketplace-metering\", version = \"0.1.0\" }\n",
        )
        .unwrap();
        write_release(&root.join(CRATE_DIR), "0.1.0", MODEL_V1, None).unwrap();
        tmp
    }

    #[test]
    fn removing_a_member_bumps_the_minor_version_with_a_changelog_entry() {
        let tmp = repo();
        let root = tmp.path();
        let v2 = MODEL_V1.replace(r#", "Note": {"shape": "Id"}"#, "");
        // CI's check fails until the version is bumped.
        let error = check(&root.join(CRATE_DIR), &v2, None).unwrap_err();
        assert!(
            error.contains("major change") && error.contains("needs 0.2.0"),
            "{error}"
        );

        let mut out = Vec::new();
        record_and_bump(
            root,
            &service(),
            ModelFiles::service(MODEL_V1.as_bytes()),
            ModelFiles::service(v2.as_bytes()),
            ("v1", "v2"),
            &mut out,
        )
        .unwrap();
        let cargo = fs::read_to_string(root.join(CRATE_DIR).join("Cargo.toml")).unwrap();
        assert!(cargo.contains("version = \"0.2.0\""), "{cargo}");
        let workspace = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(workspace.contains("version = \"0.2.0\""), "{workspace}");
        let changelog = fs::read_to_string(root.join(CRATE_DIR).join("CHANGELOG.md")).unwrap();
        assert!(changelog.contains("## v1 → v2"), "{changelog}");
        assert!(changelog.contains("note"), "{changelog}");
        assert!(String::from_utf8(out)
            .unwrap()
            .contains("version 0.1.0 -> 0.2.0"));
        // Released: the check passes, and a second bump has nothing to do.
        check(&root.join(CRATE_DIR), &v2, None).unwrap();
        assert_eq!(bump(root, &service(), &v2).unwrap(), None);
    }

    #[test]
    fn an_addition_needs_a_patch_bump_and_a_bigger_one_is_fine() {
        let tmp = repo();
        let dir = tmp.path().join(CRATE_DIR);
        let v2 = MODEL_V1.replace(
            r#""Note": {"shape": "Id"}"#,
            r#""Note": {"shape": "Id"}, "More": {"shape": "Id"}"#,
        );
        let error = check(&dir, &v2, None).unwrap_err();
        assert!(
            error.contains("minor change") && error.contains("needs 0.1.1"),
            "{error}"
        );
        set_package_version(&dir.join("Cargo.toml"), "0.1.0", "0.2.0").unwrap();
        assert!(check(&dir, &v2, None)
            .unwrap()
            .contains("version 0.2.0 covers it"));
        // The same model: nothing to check.
        assert!(check(&dir, MODEL_V1, None)
            .unwrap()
            .contains("is that of release 0.1.0"));
    }

    #[test]
    fn paginators_are_api_recorded_with_the_release() {
        let tmp = repo();
        let dir = tmp.path().join(CRATE_DIR);
        let model = MODEL_V1.replace(
            r#""PingResult": {"type": "structure", "members": {}}"#,
            r#""PingResult": {"type": "structure", "members": {"Id": {"shape": "Id"}}}"#,
        );
        write_release(&dir, "0.1.0", &model, None).unwrap();
        let paginators = r#"{"pagination": {"Ping": {"input_token": "Id", "output_token": "Id"}}}"#;
        // A release recorded before paginators: the new paginator is a minor change.
        let error = check(&dir, &model, Some(paginators)).unwrap_err();
        assert!(
            error.contains("minor change") && error.contains("needs 0.1.1"),
            "{error}"
        );
        write_release(&dir, "0.1.1", &model, Some(paginators)).unwrap();
        set_package_version(&dir.join("Cargo.toml"), "0.1.0", "0.1.1").unwrap();
        assert!(check(&dir, &model, Some(paginators))
            .unwrap()
            .contains("is that of release 0.1.1"));
        // Dropping it is breaking.
        let error = check(&dir, &model, None).unwrap_err();
        assert!(error.contains("major change"), "{error}");
    }

    #[test]
    fn an_update_that_only_adds_a_paginator_is_reported_and_bumped() {
        let tmp = repo();
        let root = tmp.path();
        let model = MODEL_V1.replace(
            r#""PingResult": {"type": "structure", "members": {}}"#,
            r#""PingResult": {"type": "structure", "members": {"Id": {"shape": "Id"}}}"#,
        );
        write_release(&root.join(CRATE_DIR), "0.1.0", &model, None).unwrap();
        let paginators = r#"{"pagination": {"Ping": {"input_token": "Id", "output_token": "Id"}}}"#;
        // update-model has written the new files before it reports.
        let model_dir = root.join(service().model_dir());
        fs::create_dir_all(&model_dir).unwrap();
        fs::write(model_dir.join("paginators-1.json"), paginators).unwrap();

        let mut out = Vec::new();
        record_and_bump(
            root,
            &service(),
            ModelFiles::service(model.as_bytes()),
            ModelFiles {
                service: model.as_bytes(),
                paginators: Some(paginators.as_bytes()),
            },
            ("v1", "v2"),
            &mut out,
        )
        .unwrap();
        let changelog = fs::read_to_string(root.join(CRATE_DIR).join("CHANGELOG.md")).unwrap();
        assert!(changelog.contains("## v1 → v2"), "{changelog}");
        assert!(changelog.contains("aginator"), "{changelog}");
        let cargo = fs::read_to_string(root.join(CRATE_DIR).join("Cargo.toml")).unwrap();
        assert!(cargo.contains("version = \"0.1.1\""), "{cargo}");
        assert!(check(&root.join(CRATE_DIR), &model, Some(paginators))
            .unwrap()
            .contains("is that of release 0.1.1"));
    }
}
