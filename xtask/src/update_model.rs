//! `cargo xtask update-model [--botocore-version V]`: refreshes `model/<model>/` of every
//! service the repository ships (see [`crate::services`]) from one botocore release; and
//! `cargo xtask add-service <model>`, which fetches a new service's model at the release the
//! others pin.
//!
//! The model is copied from botocore's wheel on PyPI, the authoritative published copy, and
//! `provenance.json` records the version and a SHA-256 of every file so a later reader can
//! tell where the committed model came from and that nobody edited it by hand. pip fetches
//! the wheel and a few lines of inline Python unzip and gunzip it, which keeps zip and gzip
//! crates out of the build; deciding which members to take happens here in Rust.
//!
//! [`fetch`] is that download on its own, shared with `cargo xtask api-diff` (a botocore
//! version as either side) and `cargo xtask fetch-model` (test fixtures). When a service
//! model changes, `update-model` prints the API report against the model it replaced and adds
//! it to that crate's `CHANGELOG.md` (see [`crate::api_diff`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::api_diff::ModelFiles;
use crate::files::{self, TempDir};
use crate::services::{self, Service, RUNTIME_PARTITIONS_MODEL};

/// Where a service's files live in the wheel, one directory per API version below it.
fn service_prefix(model: &str) -> String {
    format!("botocore/data/{model}/")
}
/// The per-service files taken from the newest API version directory, without extension.
const SERVICE_FILES: [&str; 3] = ["service-2", "endpoint-rule-set-1", "paginators-1"];
/// botocore's partition table, shared by all services, without extension.
const PARTITIONS: &str = "botocore/data/partitions";

/// Lists the wheel's members on stdout, one a line, as UTF-8. Argument: the wheel.
const LIST_SCRIPT: &str = "\
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
sys.stdout.buffer.write(''.join(n + '\\n' for n in names).encode('utf-8'))
";

/// Writes members of the wheel to files, gunzipping those named `*.gz`.
/// Arguments: the wheel, then pairs of member name and destination path.
const EXTRACT_SCRIPT: &str = "\
import gzip, sys, zipfile
args = sys.argv[2:]
with zipfile.ZipFile(sys.argv[1]) as z:
    for member, dest in zip(args[0::2], args[1::2]):
        data = z.read(member)
        if member.endswith('.gz'):
            data = gzip.decompress(data)
        with open(dest, 'wb') as f:
            f.write(data)
";

/// One model file: its name in `model/<model>/` and the wheel member it came from.
#[derive(Debug, PartialEq, Eq)]
struct Member {
    file: String,
    original_path: String,
}

/// One entry of `provenance.json`.
#[derive(Debug)]
struct FileRecord {
    file: String,
    original_path: String,
    sha256: String,
}

impl FileRecord {
    fn of(file: &FetchedFile) -> FileRecord {
        FileRecord {
            file: file.file.clone(),
            original_path: file.original_path.clone(),
            sha256: sha256_hex(&file.bytes),
        }
    }
}

/// Which model files [`fetch`] takes from the wheel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// Everything `model/` holds: the service files and `partitions.json`, each required.
    Model,
    /// `service-2.json`, which every botocore release with the service has (old releases
    /// have no endpoint rule set), and `paginators-1.json` when the release has one: what
    /// comparing APIs needs.
    ServiceOnly,
}

/// What [`fetch`] wrote.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// The botocore version, read from the wheel's name.
    pub(crate) version: String,
    /// The files written, by name in the destination, with their wheel paths and hashes.
    pub(crate) files: Vec<FetchedFile>,
}

/// One file [`fetch`] wrote.
#[derive(Debug)]
pub(crate) struct FetchedFile {
    /// The name in the destination directory, e.g. `service-2.json`.
    pub(crate) file: String,
    /// The wheel member it came from.
    pub(crate) original_path: String,
    /// The (gunzipped) contents.
    pub(crate) bytes: Vec<u8>,
}

/// Downloads the botocore wheel (the newest, or `requested`) from PyPI with pip and writes
/// the files of the botocore model `model` it holds into `dest`, named as in `model/`. Used by
/// `api-diff` and `fetch-model`, so every copy of a model comes from the same place the same
/// way (`update-model` downloads once for all services and calls [`fetch_from_wheel`]).
pub(crate) fn fetch(
    requested: Option<&str>,
    model: &str,
    wanted: Wanted,
    dest: &Path,
) -> Result<Fetched, String> {
    let tmp = TempDir::new("xtask-fetch-model")?;
    let wheel = download(requested, tmp.path())?;
    fetch_from_wheel(&wheel, model, wanted, dest)
}

/// [`download_wheel`] into `<scratch>/download`, after checking the version.
fn download(requested: Option<&str>, scratch: &Path) -> Result<PathBuf, String> {
    if let Some(version) = requested {
        check_version(version).map_err(|e| format!("botocore version {version:?}: {e}"))?;
    }
    let download_dir = scratch.join("download");
    fs::create_dir(&download_dir)
        .map_err(|e| format!("creating {}: {e}", download_dir.display()))?;
    download_wheel(requested, &download_dir)
}

/// The files of the botocore model `model` in `wheel`, written into `dest`.
pub(crate) fn fetch_from_wheel(
    wheel: &Path,
    model: &str,
    wanted: Wanted,
    dest: &Path,
) -> Result<Fetched, String> {
    fs::create_dir_all(dest).map_err(|e| format!("creating {}: {e}", dest.display()))?;
    let wheel_name = wheel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let version = wheel_version(&wheel_name)?;

    let mut list = Command::new("python3");
    list.args(["-I", "-c", LIST_SCRIPT]).arg(wheel);
    let listing = run_command(&mut list, &format!("python3 listing {wheel_name}"))?;
    let listing = String::from_utf8(listing)
        .map_err(|e| format!("python3 listing {wheel_name}: output is not UTF-8: {e}"))?;
    let names: Vec<&str> = listing.lines().collect();
    let members = match wanted {
        Wanted::Model => select_members(&names, model, &SERVICE_FILES, true),
        Wanted::ServiceOnly => {
            select_members(&names, model, &["service-2"], false).map(|mut members| {
                // Optional: a model without paginators has no file.
                members.extend(
                    select_members(&names, model, &["paginators-1"], false).unwrap_or_default(),
                );
                members
            })
        }
    }
    .map_err(|e| format!("{wheel_name}: {e}"))?;

    let mut extract = Command::new("python3");
    extract.args(["-I", "-c", EXTRACT_SCRIPT]).arg(wheel);
    for member in &members {
        extract
            .arg(&member.original_path)
            .arg(dest.join(&member.file));
    }
    run_command(
        &mut extract,
        &format!("python3 extracting from {wheel_name}"),
    )?;

    let mut files = Vec::new();
    for member in members {
        let path = dest.join(&member.file);
        let bytes = fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        files.push(FetchedFile {
            file: member.file,
            original_path: member.original_path,
            bytes,
        });
    }
    Ok(Fetched { version, files })
}

/// Downloads the botocore wheel (the newest, or `requested`) from PyPI with pip into `dir`;
/// returns its path. Also used by `cargo xtask sweep --botocore-version`.
pub(crate) fn download_wheel(requested: Option<&str>, dir: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let spec = match requested {
        Some(version) => format!("botocore=={version}"),
        None => "botocore".to_string(),
    };
    note!("downloading {spec} from PyPI with pip");
    let mut pip = Command::new("python3");
    pip.args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--quiet", "--disable-pip-version-check", "--no-input"])
        .arg("--dest")
        .arg(dir)
        .arg(&spec);
    run_command(&mut pip, &format!("python3 -m pip download {spec}"))?;
    find_wheel(dir)
}

/// `cargo xtask fetch-model VERSION DIR`: `service-2.json` (and `paginators-1.json`, if any) of the
/// model `model` in botocore `VERSION` and a `provenance.json` for them in `DIR`, e.g. for a test
/// fixture.
pub(crate) fn fetch_model(version: &str, model: &str, dir: &Path) -> Result<(), String> {
    let fetched = fetch(Some(version), model, Wanted::ServiceOnly, dir)?;
    let records: Vec<FileRecord> = fetched.files.iter().map(FileRecord::of).collect();
    let provenance = render_provenance(&fetched.version, &records);
    files::ensure_file_contents(&dir.join("provenance.json"), provenance.as_bytes())?;
    for record in &records {
        say!(
            "{}: {} of botocore {} ({}, sha256 {})",
            dir.join(&record.file).display(),
            record.file,
            fetched.version,
            record.original_path,
            record.sha256
        );
    }
    Ok(())
}

/// Runs the command: download once, then for every service extract, copy into its
/// `model/<model>/`, record provenance, report the API changes against the model it replaced
/// and add them to the crate's changelog.
pub(crate) fn run(root: &Path, requested: Option<&str>) -> Result<(), String> {
    let services = services::all(root)?;
    let tmp = TempDir::new("xtask-update-model")?;
    let wheel = download(requested, tmp.path())?;
    let mut changed = 0;
    for service in &services {
        changed += update_service(root, service, &wheel, &tmp.path().join(&service.model))?;
    }
    if changed > 0 {
        say!("next: run `cargo xtask codegen` and review the diff");
    }
    Ok(())
}

/// `cargo xtask add-service <model>`: fetches the model of a service whose crate's
/// `Cargo.toml` names it, at the botocore release the other services pin, and generates
/// the crate.
pub(crate) fn add_service(root: &Path, model: &str) -> Result<(), String> {
    let service = services::all(root)?
        .into_iter()
        .find(|s| s.model == model)
        .ok_or_else(|| {
            format!(
                "no crate under generated/ names the model `{model}`; write its Cargo.toml \
                 (e.g. generated/<crate>/Cargo.toml, like generated/marketplace-metering/'s) \
                 with\n\n[package.metadata.codegen]\nmodel = \"{model}\"\n\n\
                 list the crate in the workspace's members, and run this again"
            )
        })?;
    let pinned_rel = format!("model/{RUNTIME_PARTITIONS_MODEL}/provenance.json");
    let pinned = botocore_version(&files::read_text(&root.join(&pinned_rel))?)
        .map_err(|e| format!("{pinned_rel}: {e}"))?;
    let tmp = TempDir::new("xtask-add-service")?;
    let wheel = download(Some(&pinned), tmp.path())?;
    update_service(root, &service, &wheel, &tmp.path().join(model))?;
    crate::codegen::run(root, false)?;
    crate::semver::record_first_release(root, &service)?;
    say!(
        "added {}/ and {}/src/ (botocore {pinned}); review them, then write the crate's README and CHANGELOG head",
        service.model_dir(),
        service.crate_dir
    );
    Ok(())
}

/// Updates one service's `model/<model>/` from `wheel` (extracting into `scratch`); returns
/// how many files changed.
fn update_service(
    root: &Path,
    service: &Service,
    wheel: &Path,
    scratch: &Path,
) -> Result<usize, String> {
    let fetched = fetch_from_wheel(wheel, &service.model, Wanted::Model, scratch)?;
    let version = fetched.version.clone();
    let model_rel = service.model_dir();
    let model_dir = root.join(&model_rel);
    let provenance_path = model_dir.join("provenance.json");
    let previous = files::read_optional(&provenance_path)?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| botocore_version(&text).ok());
    let previous_service = files::read_optional(&model_dir.join("service-2.json"))?;
    let previous_paginators = files::read_optional(&model_dir.join("paginators-1.json"))?;

    let mut records = Vec::new();
    let mut changed = 0;
    for file in &fetched.files {
        changed += usize::from(write_model_file(
            &model_dir,
            &model_rel,
            &file.file,
            &file.bytes,
        )?);
        records.push(FileRecord::of(file));
    }
    // A release can drop the paginators: the old file would keep generating them.
    let stale_paginators = model_dir.join("paginators-1.json");
    if previous_paginators.is_some() && !fetched.files.iter().any(|f| f.file == "paginators-1.json")
    {
        fs::remove_file(&stale_paginators)
            .map_err(|e| format!("{}: {e}", stale_paginators.display()))?;
        say!("removed {model_rel}/paginators-1.json (the release has none)");
        changed += 1;
    }
    let provenance = render_provenance(&version, &records);
    changed += usize::from(write_model_file(
        &model_dir,
        &model_rel,
        "provenance.json",
        provenance.as_bytes(),
    )?);

    match &previous {
        Some(previous) if *previous != version => {
            say!("{model_rel}/: botocore {previous} -> {version}, {changed} files changed")
        }
        _ if changed == 0 => say!("{model_rel}/ is up to date with botocore {version}"),
        _ => say!("{model_rel}/: botocore {version}, {changed} files changed"),
    }

    let fetched_file = |name: &str| {
        fetched
            .files
            .iter()
            .find(|f| f.file == name)
            .map(|f| f.bytes.as_slice())
    };
    if let (Some(old), Some(new)) = (previous_service.as_deref(), fetched_file("service-2.json")) {
        let old = ModelFiles {
            service: old,
            paginators: previous_paginators.as_deref(),
        };
        let new = ModelFiles {
            service: new,
            paginators: fetched_file("paginators-1.json"),
        };
        // A paginator is part of the crate's API: a release that changes only
        // paginators-1.json gets its report and bump too.
        if old != new {
            let old_label = match &previous {
                Some(previous) => format!("botocore {previous}"),
                None => "the previous model".to_string(),
            };
            let new_label = format!("botocore {version}");
            let labels = (old_label.as_str(), new_label.as_str());
            // The model is updated either way; a model the generator cannot lower gets no
            // report (and `cargo xtask codegen` will say why).
            if let Err(e) = crate::semver::record_and_bump(
                root,
                service,
                old,
                new,
                labels,
                &mut std::io::stdout(),
            ) {
                note!("warning: no API report for {}: {e}", service.package);
            }
        }
    }
    Ok(changed)
}

/// Writes one file into the model directory if its bytes changed, printing what it did.
fn write_model_file(
    model_dir: &Path,
    model_rel: &str,
    file: &str,
    bytes: &[u8],
) -> Result<bool, String> {
    let path = model_dir.join(file);
    let existed = path.exists();
    let wrote = files::ensure_file_contents(&path, bytes)?;
    if wrote {
        let verb = if existed { "updated" } else { "added" };
        say!("{verb} {model_rel}/{file}");
    }
    Ok(wrote)
}

/// Runs a command with stderr passed through and returns its stdout, failing with the name
/// `what` when it cannot start or exits unsuccessfully.
fn run_command(command: &mut Command, what: &str) -> Result<Vec<u8>, String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{what}: could not run python3: {e}"))?;
    if !output.status.success() {
        return Err(format!("{what} failed ({})", output.status));
    }
    Ok(output.stdout)
}

/// The one `botocore-*.whl` that pip left in `dir`.
fn find_wheel(dir: &Path) -> Result<PathBuf, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("listing {}: {e}", dir.display()))?;
    let mut wheels = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("botocore-") && name.ends_with(".whl") {
            wheels.push(entry.path());
        }
    }
    match wheels.len() {
        1 => Ok(wheels.remove(0)),
        n => Err(format!(
            "pip download left {n} botocore-*.whl files in {}, expected 1",
            dir.display()
        )),
    }
}

/// The version in a botocore wheel's file name, `botocore-<version>-<tags>.whl`.
fn wheel_version(file_name: &str) -> Result<String, String> {
    let version = file_name
        .strip_prefix("botocore-")
        .and_then(|rest| rest.strip_suffix(".whl"))
        .and_then(|rest| rest.split('-').next())
        .filter(|version| check_version(version).is_ok());
    version
        .map(str::to_string)
        .ok_or_else(|| format!("cannot read a version from the wheel name `{file_name}`"))
}

/// Accepts what a PEP 440 version can contain, so a version never reaches pip as an option
/// or a second requirement.
pub(crate) fn check_version(version: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '_');
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("a version starts with a digit, e.g. 1.44.8".into());
    }
    if !version.chars().all(allowed) {
        return Err("a version has only letters, digits and `.+!_`".into());
    }
    Ok(())
}

/// Picks the wheel members to copy: the service files named by `stems` from the newest API
/// version directory (API versions are dates, so the greatest string is the newest) and, with
/// `partitions`, `partitions.json`. Each may be stored as `.json` or `.json.gz`; like
/// botocore's loader, plain JSON wins.
fn select_members(
    names: &[&str],
    model: &str,
    stems: &[&str],
    partitions: bool,
) -> Result<Vec<Member>, String> {
    let prefix = service_prefix(model);
    let api_version = names
        .iter()
        .filter_map(|name| {
            let (dir, file) = name.strip_prefix(prefix.as_str())?.split_once('/')?;
            matches!(file, "service-2.json" | "service-2.json.gz").then_some(dir)
        })
        .max()
        .ok_or_else(|| format!("no {prefix}<apiVersion>/service-2.json(.gz)"))?;
    let stems = stems
        .iter()
        .map(|stem| format!("{prefix}{api_version}/{stem}"))
        .chain(partitions.then(|| PARTITIONS.to_string()));
    stems
        .map(|stem| {
            let plain = format!("{stem}.json");
            let gzipped = format!("{plain}.gz");
            let original_path = [plain.as_str(), gzipped.as_str()]
                .into_iter()
                .find(|candidate| names.contains(candidate))
                .ok_or_else(|| format!("no {plain} or {gzipped}"))?;
            let file = plain.rsplit('/').next().unwrap_or(&plain).to_string();
            Ok(Member {
                file,
                original_path: original_path.to_string(),
            })
        })
        .collect()
}

/// The lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `botocore_version` recorded in `provenance.json`. Only the commands that deal with
/// botocore releases read it: `cargo xtask codegen` does not, so the generated code depends on
/// the model files alone.
pub(crate) fn botocore_version(provenance: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(provenance).map_err(|e| format!("invalid JSON: {e}"))?;
    value
        .get("botocore_version")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| "no string field `botocore_version`".to_string())
}

/// Renders `provenance.json` by hand, so its key order and layout are fixed whatever
/// features of `serde_json` the workspace happens to enable (`preserve_order` changes how
/// `Map` orders keys); `serde_json` only escapes the strings.
fn render_provenance(botocore_version: &str, records: &[FileRecord]) -> String {
    let s = |text: &str| serde_json::Value::String(text.to_string()).to_string();
    let mut out = String::from("{\n");
    out.push_str("  \"source\": \"botocore\",\n");
    out.push_str(&format!(
        "  \"botocore_version\": {},\n",
        s(botocore_version)
    ));
    out.push_str("  \"files\": [\n");
    for (i, record) in records.iter().enumerate() {
        let comma = if i + 1 < records.len() { "," } else { "" };
        out.push_str(&format!(
            "    {{ \"file\": {}, \"original_path\": {}, \"sha256\": {} }}{comma}\n",
            s(&record.file),
            s(&record.original_path),
            s(&record.sha256),
        ));
    }
    out.push_str("  ]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_from_wheel_name() {
        assert_eq!(
            wheel_version("botocore-1.44.8-py3-none-any.whl"),
            Ok("1.44.8".to_string())
        );
        assert_eq!(
            wheel_version("botocore-1.45.0rc1-1-py3-none-any.whl"),
            Ok("1.45.0rc1".to_string())
        );
        for bad in [
            "boto3-1.44.8-py3-none-any.whl",
            "botocore-1.44.8.tar.gz",
            "botocore--py3-none-any.whl",
            "botocore-latest-py3-none-any.whl",
        ] {
            assert!(wheel_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_versions_pip_would_misread() {
        assert!(check_version("1.44.8").is_ok());
        for bad in ["", "--index-url=x", "1.44.8 requests", ">=1", "1;x"] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn selects_newest_api_version_and_either_extension() {
        let names = [
            "botocore/__init__.py",
            "botocore/data/partitions.json",
            "botocore/data/meteringmarketplace/2015-01-01/service-2.json",
            "botocore/data/meteringmarketplace/2015-01-01/paginators-1.json",
            "botocore/data/meteringmarketplace/2016-01-14/service-2.json.gz",
            "botocore/data/meteringmarketplace/2016-01-14/endpoint-rule-set-1.json.gz",
            "botocore/data/meteringmarketplace/2016-01-14/examples-1.json",
            "botocore/data/meteringmarketplace/2016-01-14/paginators-1.json",
            "botocore/data/meteringmarketplacex/2099-01-01/service-2.json",
        ];
        let members = select_members(&names, "meteringmarketplace", &SERVICE_FILES, true).unwrap();
        let got: Vec<(&str, &str)> = members
            .iter()
            .map(|m| (m.file.as_str(), m.original_path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "service-2.json",
                    "botocore/data/meteringmarketplace/2016-01-14/service-2.json.gz"
                ),
                (
                    "endpoint-rule-set-1.json",
                    "botocore/data/meteringmarketplace/2016-01-14/endpoint-rule-set-1.json.gz"
                ),
                (
                    "paginators-1.json",
                    "botocore/data/meteringmarketplace/2016-01-14/paginators-1.json"
                ),
                ("partitions.json", "botocore/data/partitions.json"),
            ]
        );
    }

    #[test]
    fn missing_members_are_errors() {
        assert!(select_members(
            &["botocore/data/partitions.json"],
            "meteringmarketplace",
            &SERVICE_FILES,
            true
        )
        .is_err());
        let no_paginators = [
            "botocore/data/partitions.json",
            "botocore/data/meteringmarketplace/2016-01-14/service-2.json",
            "botocore/data/meteringmarketplace/2016-01-14/endpoint-rule-set-1.json",
        ];
        let err = select_members(&no_paginators, "meteringmarketplace", &SERVICE_FILES, true)
            .unwrap_err();
        assert!(err.contains("paginators-1.json"), "{err}");
    }

    #[test]
    fn selects_only_the_service_model_when_asked() {
        let names = [
            "botocore/data/partitions.json",
            "botocore/data/meteringmarketplace/2016-01-14/service-2.json",
        ];
        let members = select_members(&names, "meteringmarketplace", &["service-2"], false).unwrap();
        assert_eq!(
            members,
            [Member {
                file: "service-2.json".into(),
                original_path: "botocore/data/meteringmarketplace/2016-01-14/service-2.json".into(),
            }]
        );
    }

    #[test]
    fn hashes_as_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// CI's sweep step downloads the botocore release `model/meteringmarketplace/provenance.json`
    /// names: every model must come from that one.
    #[test]
    fn every_model_pins_the_same_botocore_release() {
        let root = crate::project_root();
        let mut versions = std::collections::BTreeMap::new();
        for entry in fs::read_dir(root.join("model")).unwrap() {
            let path = entry.unwrap().path().join("provenance.json");
            if let Some(text) = files::read_optional(&path).unwrap() {
                let version = botocore_version(&String::from_utf8(text).unwrap()).unwrap();
                versions.insert(path.display().to_string(), version);
            }
        }
        assert!(versions.len() >= 2, "{versions:?}");
        let pinned = &versions[&root
            .join("model/meteringmarketplace/provenance.json")
            .display()
            .to_string()];
        assert!(versions.values().all(|v| v == pinned), "{versions:?}");
    }

    #[test]
    fn reads_botocore_version() {
        assert_eq!(
            botocore_version(r#"{"botocore_version": "1.44.8"}"#),
            Ok("1.44.8".to_string())
        );
        assert!(botocore_version("{}").is_err());
        assert!(botocore_version("not json").is_err());
    }

    #[test]
    fn renders_provenance() {
        let records = [
            FileRecord {
                file: "service-2.json".into(),
                original_path: "botocore/data/meteringmarketplace/2016-01-14/service-2.json.gz"
                    .into(),
                sha256: "aa".into(),
            },
            FileRecord {
                file: "partitions.json".into(),
                original_path: "botocore/data/partitions.json".into(),
                sha256: "bb".into(),
            },
        ];
        let expected = r#"{
  "source": "botocore",
  "botocore_version": "1.44.8",
  "files": [
    { "file": "service-2.json", "original_path": "botocore/data/meteringmarketplace/2016-01-14/service-2.json.gz", "sha256": "aa" },
    { "file": "partitions.json", "original_path": "botocore/data/partitions.json", "sha256": "bb" }
  ]
}
"#;
        let rendered = render_provenance("1.44.8", &records);
        assert_eq!(rendered, expected);
        // Valid JSON that `codegen` can read the version back from.
        assert_eq!(botocore_version(&rendered), Ok("1.44.8".into()));
        assert!(render_provenance("1", &[]).contains("\"files\": [\n  ]"));
    }
}
