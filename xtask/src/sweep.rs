//! `cargo xtask sweep`: the generator on every JSON-capable model of a botocore release.
//!
//! It takes the models from a botocore wheel or its unpacked `data` directory (or downloads
//! the wheel of a version with pip), generates a crate from each model whose
//! `metadata.protocols` lists `json` into a scratch cargo workspace outside the repository (or
//! under its `target/`), and checks the crates `--compile` names there at once: `cargo clippy
//! -D warnings` and `cargo doc` with `RUSTDOCFLAGS=-D warnings`, the settings of the
//! repository's CI. `--compile all` checks every crate (hours on a small machine: a
//! maintainer's run); `--compile ladder`, which CI runs, only the [`ladder`] of
//! services that covers the models' features, and runs its wire tests against botocore; the
//! scratch workspace's members are then only those crates. One workspace, so the runtime and
//! its dependencies compile once; its lock file starts as a copy of the repository's, so it
//! builds with the versions the repository is tested with.
//!
//! The crates depend on this checkout's runtime by path, and take their `[dependencies]` and
//! `[features]` from `generated/marketplace-metering/Cargo.toml` and the workspace's
//! `[workspace.dependencies]`, so the sweep builds them the way the shipped crate is built.
//! Files are written only when their bytes change, so a second run rebuilds only the crates
//! whose output changed.
//!
//! The compiler's messages are kept in `<out>/clippy.json` and `<out>/rustdoc.json` (cargo's
//! JSON messages). The report (stdout and `<out>/SWEEP.md`) has a row per service: the protocols its model
//! lists and the one generated, the files and lines generated and how long that took, or the
//! generator's error; the first error clippy and rustdoc found in its crate; for the ladder,
//! what it covers and the wire tests' summary. Exit code 1 when anything failed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::{files, ladder};

/// The crate whose `Cargo.toml` the sweep crates copy their dependencies and features from.
const TEMPLATE_CRATE: &str = "generated/marketplace-metering";

/// Reads the botocore models out of a wheel, an unpacked wheel or its `botocore/data`
/// directory, and writes, for every service, the newest API version's `service-2.json` and
/// `endpoint-rule-set-1.json` (gunzipped) to `<dest>/<service>/`, and `partitions.json` to
/// `<dest>/`. Prints the botocore version, if it can tell, on stdout.
/// Arguments: the source, the destination.
const EXTRACT_SCRIPT: &str = r#"
import gzip, os, re, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
if os.path.isfile(src):
    z = zipfile.ZipFile(src)
    full = {n[len('botocore/data/'):]: n for n in z.namelist() if n.startswith('botocore/data/')}
    read = z.read
    try:
        init = z.read('botocore/__init__.py').decode()
    except KeyError:
        init = ''
else:
    root = None
    for cand in (os.path.join(src, 'botocore', 'data'), src):
        if os.path.isfile(os.path.join(cand, 'partitions.json')):
            root = cand
            break
    if root is None:
        sys.exit(f'{src}: neither it nor its botocore/data has a partitions.json: not botocore data')
    full = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            full[os.path.relpath(p, root).replace(os.sep, '/')] = p
    read = lambda p: open(p, 'rb').read()
    init_path = os.path.join(root, '..', '__init__.py')
    init = open(init_path).read() if os.path.isfile(init_path) else ''

def get(rel):
    for name in (rel, rel + '.gz'):
        if name in full:
            data = read(full[name])
            return gzip.decompress(data) if name.endswith('.gz') else data
    return None

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.isfile(path) and open(path, 'rb').read() == data:
        return
    with open(path, 'wb') as f:
        f.write(data)

versions = {}
for rel in full:
    parts = rel.split('/')
    if len(parts) == 3 and parts[2] in ('service-2.json', 'service-2.json.gz'):
        versions.setdefault(parts[0], []).append(parts[1])
partitions = get('partitions.json')
if partitions is None:
    sys.exit(f'{src}: no partitions.json')
write(os.path.join(dest, 'partitions.json'), partitions)
for service, api_versions in sorted(versions.items()):
    newest = max(api_versions)
    for file in ('service-2.json', 'endpoint-rule-set-1.json', 'paginators-1.json'):
        data = get(f'{service}/{newest}/{file}')
        if data is not None:
            write(os.path.join(dest, service, file), data)
m = re.search(r"__version__ = '([^']+)'", init)
version_file = os.path.join(dest, 'botocore-version')
if m:
    write(version_file, m.group(1).encode())
print(open(version_file).read() if os.path.isfile(version_file) else '')
"#;

/// Where the models come from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A wheel, an unpacked wheel or its `botocore/data` directory.
    Path(String),
    /// A botocore version to download with pip.
    Version(String),
}

/// Which generated crates the sweep compiles (clippy and rustdoc, `-D warnings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compile {
    /// Every generated crate: the full check, hours on a small machine.
    All,
    /// The services of [`ladder::LADDER`], and their wire tests
    /// against botocore.
    Ladder,
    /// None: generation only.
    None,
}

impl Compile {
    /// Parses the value of `--compile`.
    pub(crate) fn parse(value: &str) -> Result<Self, String> {
        match value {
            "all" => Ok(Compile::All),
            "ladder" => Ok(Compile::Ladder),
            "none" => Ok(Compile::None),
            other => Err(format!(
                "sweep: --compile takes all, ladder or none, not `{other}`"
            )),
        }
    }
}

/// What `cargo xtask sweep` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) source: Source,
    /// The scratch directory: `models/`, `crates/`, `Cargo.toml`, `target/`, `SWEEP.md`.
    pub(crate) out: String,
    /// Only these services (botocore directory names); all when empty. With
    /// `--compile ladder` the ladder's services are generated as well.
    pub(crate) services: Vec<String>,
    /// Which generated crates to compile.
    pub(crate) compile: Compile,
}

/// The services to generate, of the `available` ones (sorted): those asked for (all when
/// none is), and the ladder's when it is compiled.
pub(crate) fn to_generate(available: &[String], options: &Options) -> Vec<String> {
    available
        .iter()
        .filter(|service| {
            options.services.is_empty()
                || options.services.contains(service)
                || (options.compile == Compile::Ladder && ladder::on_ladder(service))
        })
        .cloned()
        .collect()
}

/// The generated services to compile (and make the scratch workspace's members of).
pub(crate) fn to_compile(generated: &[String], compile: Compile) -> Vec<String> {
    match compile {
        Compile::All | Compile::None => generated.to_vec(),
        Compile::Ladder => generated
            .iter()
            .filter(|service| ladder::on_ladder(service))
            .cloned()
            .collect(),
    }
}

/// One service's row of the report.
#[derive(Debug, Default)]
struct Row {
    /// The protocols the model lists.
    protocols: Vec<String>,
    /// Generated: files and lines; or the generator's error.
    generated: Option<Result<(usize, usize), String>>,
    /// How long the generator took.
    generate_time: Duration,
    /// The first error (and how many) clippy found in the crate.
    clippy: Option<Problems>,
    /// Likewise rustdoc.
    doc: Option<Problems>,
    /// The first line of the wire tests' report, for a ladder service.
    wire: Option<String>,
}

/// The errors a tool found in one crate.
#[derive(Debug, Default, Clone)]
struct Problems {
    count: usize,
    /// The first error, as the compiler renders it.
    first: String,
    /// Each distinct message (without its location), with how often it came.
    kinds: BTreeMap<String, usize>,
    /// The rendered errors seen: an error the compiler reports twice (a library checked as a
    /// library and as a dependency's test, say) counts once.
    seen: std::collections::BTreeSet<String>,
}

/// Runs the sweep.
pub(crate) fn run(root: &Path, options: &Options) -> Result<ExitCode, String> {
    let out = absolute(Path::new(&options.out))?;
    if !out_allowed(root, &out) {
        return Err(format!(
            "sweep: --out {} is inside the repository; choose a scratch directory outside it \
             or under its target/",
            out.display()
        ));
    }
    fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let models = out.join("models");
    let (version, botocore) = extract(&options.source, &out, &models)?;

    let mut services: Vec<String> = fs::read_dir(&models)
        .map_err(|e| format!("listing {}: {e}", models.display()))?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("service-2.json").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    services.sort();
    for wanted in &options.services {
        if !services.contains(wanted) {
            return Err(format!("sweep: botocore has no service `{wanted}`"));
        }
    }
    if options.compile == Compile::Ladder {
        for rung in ladder::LADDER {
            if !services.iter().any(|s| s == rung.service) {
                return Err(format!(
                    "sweep: botocore has no service `{}`, which is on the ladder",
                    rung.service
                ));
            }
        }
    }
    let services = to_generate(&services, options);
    let partitions = files::read_text(&models.join("partitions.json"))?;

    let started = Instant::now();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut not_json = 0;
    let mut wire = Vec::new();
    for service in &services {
        let dir = models.join(service);
        let service_json = files::read_text(&dir.join("service-2.json"))?;
        let protocols = listed_protocols(&service_json)
            .map_err(|e| format!("{}: {e}", dir.join("service-2.json").display()))?;
        if !protocols.iter().any(|p| p == "json") {
            not_json += 1;
            continue;
        }
        let rules = files::read_optional(&dir.join("endpoint-rule-set-1.json"))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let paginators = files::read_optional(&dir.join("paginators-1.json"))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let mut row = Row {
            protocols,
            ..Row::default()
        };
        let begin = Instant::now();
        let origin = format!("botocore {version}: {service}/service-2.json");
        let crate_name = crate_name(service).replace('-', "_");
        let input = ::codegen::Input {
            service_json: &service_json,
            origin: &origin,
            crate_name: &crate_name,
            crate_version: "0.0.0",
            endpoint_rule_set_json: rules.as_deref(),
            partitions_json: Some(&partitions),
            paginators_json: paginators.as_deref(),
        };
        let generated = std::panic::catch_unwind(|| ::codegen::generate(&input));
        row.generate_time = begin.elapsed();
        row.generated = Some(match generated {
            Err(_) => Err("the generator panicked (see the message above)".into()),
            Ok(Err(error)) => Err(error.to_string()),
            Ok(Ok(files)) => {
                let lines = files.iter().map(|f| f.contents.lines().count()).sum();
                write_crate(root, &out.join("crates").join(service), service, &files)?;
                if options.compile == Compile::Ladder && ladder::on_ladder(service) {
                    wire.push(ladder::WireService::describe(
                        service,
                        &self::crate_name(service),
                        &service_json,
                    )?);
                }
                Ok((files.len(), lines))
            }
        });
        rows.insert(service.clone(), row);
    }
    let generate_time = started.elapsed();
    let generated: Vec<String> = rows
        .iter()
        .filter(|(_, row)| matches!(row.generated, Some(Ok(_))))
        .map(|(service, _)| service.clone())
        .collect();
    note!(
        "generated {} of {} JSON-capable models in {:.1} s ({not_json} other models skipped)",
        generated.len(),
        rows.len(),
        generate_time.as_secs_f64()
    );
    let members = to_compile(&generated, options.compile);
    let mut workspace_members: Vec<String> =
        members.iter().map(|m| format!("crates/{m}")).collect();
    if options.compile == Compile::Ladder {
        ladder::write_wire_crate(&out, &wire)?;
        let wired: Vec<String> = wire.iter().map(|w| w.service.clone()).collect();
        ladder::make_cases(root, &botocore, &models, &out, &wired)?;
        workspace_members.push(format!("crates/{}", ladder::WIRE_CRATE));
    }
    write_workspace(root, &out, &workspace_members)?;

    let mut check_times = Vec::new();
    // Errors in targets that are no service's crate (the wire-test crate's tests): they fail
    // the run as much as a crate's own.
    let mut other_problems: Vec<(Tool, String, Problems)> = Vec::new();
    if options.compile != Compile::None && !members.is_empty() {
        for tool in [Tool::Clippy, Tool::Doc] {
            note!(
                "running {} on {} crates in {}",
                tool.name(),
                members.len(),
                out.display()
            );
            let begin = Instant::now();
            let mut problems = check(&out, tool, options.compile == Compile::Ladder)?;
            check_times.push((tool, begin.elapsed()));
            let service_targets: Vec<String> = members
                .iter()
                .map(|service| crate_name(service).replace('-', "_"))
                .collect();
            problems.retain(|target, found| {
                let theirs = service_targets.contains(target);
                if !theirs && found.count > 0 {
                    other_problems.push((tool, target.clone(), found.clone()));
                }
                theirs
            });
            for (service, row) in rows.iter_mut() {
                if members.contains(service) {
                    let found = problems
                        .get(&crate_name(service).replace('-', "_"))
                        .cloned()
                        .unwrap_or_default();
                    match tool {
                        Tool::Clippy => row.clippy = Some(found),
                        Tool::Doc => row.doc = Some(found),
                        Tool::Wire => {}
                    }
                }
            }
        }
    }

    if options.compile == Compile::Ladder && !wire.is_empty() {
        note!("running the wire tests of {} ladder services", wire.len());
        let begin = Instant::now();
        let results = ladder::run_wire_tests(&out)?;
        check_times.push((Tool::Wire, begin.elapsed()));
        for (service, row) in rows.iter_mut() {
            if ladder::on_ladder(service) {
                row.wire = Some(results.get(service).cloned().unwrap_or_else(|| {
                    "**no result** (the test did not run; see wire.log)".to_owned()
                }));
            }
        }
    }

    let mut report = report(&version, &rows, generate_time, &check_times);
    for (tool, target, found) in &other_problems {
        let _ = write!(
            report,
            "\n## {} errors in `{target}` (not a service's crate)\n\n{} error(s); the first:\n\n```text\n{}\n```\n",
            tool.name(),
            found.count,
            found.first
        );
    }
    files::ensure_file_contents(&out.join("SWEEP.md"), report.as_bytes())?;
    say!("{report}");
    let failed = !other_problems.is_empty()
        || rows.values().any(|row| {
            !matches!(row.generated, Some(Ok(_)))
                || row.clippy.as_ref().is_some_and(|p| p.count > 0)
                || row.doc.as_ref().is_some_and(|p| p.count > 0)
                || row.wire.as_ref().is_some_and(|w| !ladder::wire_passed(w))
        });
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Whether the scratch workspace may be at `out`: outside the repository, or under its
/// `target/` (ignored by git, and where CI keeps it between runs).
fn out_allowed(root: &Path, out: &Path) -> bool {
    let target = root.join("target");
    !out.starts_with(root) || (out.starts_with(&target) && out != target)
}

/// `sweep-<service>`: the package name of a service's crate.
fn crate_name(service: &str) -> String {
    format!("sweep-{service}")
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        let cwd = std::env::current_dir().map_err(|e| format!("the current directory: {e}"))?;
        Ok(cwd.join(path))
    }
}

/// Fills `models` from the source; returns the botocore version (or `unknown version`) and
/// the wheel or directory read.
fn extract(source: &Source, out: &Path, models: &Path) -> Result<(String, PathBuf), String> {
    let path = match source {
        Source::Path(path) => absolute(Path::new(path))?,
        Source::Version(version) => {
            crate::update_model::check_version(version)
                .map_err(|e| format!("botocore version {version:?}: {e}"))?;
            let download = out.join("download");
            let _ = fs::remove_dir_all(&download);
            crate::update_model::download_wheel(Some(version), &download)?
        }
    };
    note!("reading the models of {}", path.display());
    let output = Command::new("python3")
        .args(["-I", "-c", EXTRACT_SCRIPT])
        .arg(&path)
        .arg(models)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("sweep: could not run python3: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "sweep: reading the models of {} failed ({})",
            path.display(),
            output.status
        ));
    }
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let version = if version.is_empty() {
        "(unknown version)".into()
    } else {
        version
    };
    Ok((version, path))
}

/// `metadata.protocols`, or `[metadata.protocol]`.
fn listed_protocols(service_json: &str) -> Result<Vec<String>, String> {
    let model: serde_json::Value =
        serde_json::from_str(service_json).map_err(|e| format!("does not parse: {e}"))?;
    let metadata = &model["metadata"];
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|p| p.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut listed = strings(&metadata["protocols"]);
    if listed.is_empty() {
        listed.extend(metadata["protocol"].as_str().map(str::to_owned));
    }
    Ok(listed)
}

/// The lines of the `[section]` table of a TOML file, without the header, up to the next
/// table header.
fn toml_section(text: &str, header: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed == header;
            continue;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_owned()
}

/// Writes a service's crate: its `Cargo.toml`, and `src/` as generated (only files whose
/// bytes change; `.rs` files no longer generated are removed).
fn write_crate(
    root: &Path,
    dir: &Path,
    service: &str,
    generated: &[::codegen::GeneratedFile],
) -> Result<(), String> {
    let template = files::read_text(&root.join(TEMPLATE_CRATE).join("Cargo.toml"))?;
    let manifest = format!(
        "# Written by `cargo xtask sweep`.\n\
         [package]\n\
         name = \"{}\"\n\
         version = \"0.0.0\"\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         publish = false\n\n\
         [lib]\n\
         path = \"src/lib.rs\"\n\n\
         [features]\n{}\n\n\
         [dependencies]\n{}\n",
        crate_name(service),
        toml_section(&template, "[features]"),
        toml_section(&template, "[dependencies]"),
    );
    files::ensure_file_contents(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    let src = dir.join("src");
    let mut keep = std::collections::BTreeSet::new();
    for file in generated {
        let rel = file
            .path
            .strip_prefix("src/")
            .filter(|rel| !rel.split('/').any(|part| part == ".." || part.is_empty()))
            .ok_or_else(|| {
                format!(
                    "{service}: generated path `{}` is not under src/",
                    file.path
                )
            })?;
        keep.insert(PathBuf::from(rel));
        files::ensure_file_contents(&src.join(rel), file.contents.as_bytes())?;
    }
    for stale in files::files_with_extension(&src, ".rs")? {
        if !keep.contains(&stale) {
            let path = src.join(&stale);
            fs::remove_file(&path).map_err(|e| format!("removing {}: {e}", path.display()))?;
        }
    }
    files::remove_empty_dirs(&src)
}

/// The scratch workspace's `Cargo.toml` (its members, the repository's
/// `[workspace.package]` and `[workspace.dependencies]` with paths made absolute), and, the
/// first time, the repository's `Cargo.lock`.
/// `members` are paths relative to `out`.
fn write_workspace(root: &Path, out: &Path, members: &[String]) -> Result<(), String> {
    let workspace = files::read_text(&root.join("Cargo.toml"))?;
    let root_text = root.to_string_lossy().replace('\\', "/");
    let dependencies = toml_section(&workspace, "[workspace.dependencies]")
        .replace("path = \"", &format!("path = \"{root_text}/"));
    let mut manifest = String::from(
        "# Written by `cargo xtask sweep`: a scratch workspace of generated crates.\n\
         [workspace]\nresolver = \"3\"\nmembers = [\n",
    );
    for member in members {
        let _ = writeln!(manifest, "    \"{member}\",");
    }
    let _ = write!(
        manifest,
        "]\n\n[workspace.package]\n{}\n\n[workspace.dependencies]\n{dependencies}\n\n\
         [profile.dev]\ndebug = false\n",
        toml_section(&workspace, "[workspace.package]"),
    );
    files::ensure_file_contents(&out.join("Cargo.toml"), manifest.as_bytes())?;
    let lock = out.join("Cargo.lock");
    if !lock.exists() {
        let bytes = fs::read(root.join("Cargo.lock"))
            .map_err(|e| format!("reading {}: {e}", root.join("Cargo.lock").display()))?;
        files::ensure_file_contents(&lock, &bytes)?;
    }
    Ok(())
}

/// A check run on the whole scratch workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    /// `cargo clippy --workspace --lib -- -D warnings`.
    Clippy,
    /// `cargo doc --workspace --no-deps` with `RUSTDOCFLAGS=-D warnings`.
    Doc,
    /// `cargo test -p ladder-wire`: the ladder's wire tests (not run by [`check`]).
    Wire,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Clippy => "clippy",
            Tool::Doc => "rustdoc",
            Tool::Wire => "wire tests",
        }
    }
}

/// Runs `tool` on the workspace in `out` (target directory `out/target`), `--keep-going` so
/// every crate is tried; returns the errors per crate (library target name). Clippy checks
/// the libraries, not `--all-targets`: a generated crate has no test code, and its test target
/// would check the same code a second time; with `wire_tests`, also the wire tests (which
/// rustdoc leaves out).
fn check(out: &Path, tool: Tool, wire_tests: bool) -> Result<BTreeMap<String, Problems>, String> {
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .current_dir(out)
        .env("CARGO_TARGET_DIR", out.join("target"));
    match tool {
        Tool::Clippy => {
            cargo.args(["clippy", "--workspace", "--lib", "--keep-going"]);
            if wire_tests {
                cargo.args(["--test", "wire"]);
            }
            cargo.args(["--message-format=json", "--", "-D", "warnings"]);
        }
        Tool::Doc => {
            cargo.args(["doc", "--workspace", "--no-deps", "--keep-going"]);
            if wire_tests {
                // Its docs are nothing to check, and documenting it would first check every
                // ladder crate again as its dependency.
                cargo.args(["--exclude", ladder::WIRE_CRATE]);
            }
            cargo.args(["--message-format=json"]);
            cargo.env("RUSTDOCFLAGS", "-D warnings");
        }
        Tool::Wire => unreachable!("the wire tests run in ladder::run_wire_tests"),
    }
    // The compiler's messages go to a file as they come, so a run stopped halfway still
    // shows what it found; the report is read from it.
    let log_path = out.join(format!("{}.json", tool.name()));
    let log =
        fs::File::create(&log_path).map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let status = cargo
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| format!("sweep: could not run cargo {}: {e}", tool.name()))?;
    let messages = files::read_text(&log_path)?;
    let mut problems: BTreeMap<String, Problems> = BTreeMap::new();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            continue;
        }
        let text = message["message"]["message"].as_str().unwrap_or_default();
        if text.starts_with("aborting due to") {
            continue;
        }
        let target = message["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let entry = problems.entry(target).or_default();
        let rendered = message["message"]["rendered"].as_str().unwrap_or(text);
        if !entry.seen.insert(rendered.to_owned()) {
            continue;
        }
        if entry.count == 0 {
            entry.first = rendered.lines().take(12).collect::<Vec<_>>().join("\n");
        }
        entry.count += 1;
        *entry.kinds.entry(text.to_owned()).or_default() += 1;
    }
    if !status.success() && problems.is_empty() {
        return Err(format!(
            "sweep: cargo {} failed ({status}) without a compiler error; see its output above",
            tool.name(),
        ));
    }
    Ok(problems)
}

/// The Markdown report.
fn report(
    version: &str,
    rows: &BTreeMap<String, Row>,
    generate_time: Duration,
    check_times: &[(Tool, Duration)],
) -> String {
    let generated = rows
        .values()
        .filter(|r| matches!(r.generated, Some(Ok(_))))
        .count();
    let clean = |pick: fn(&Row) -> &Option<Problems>| {
        rows.values()
            .filter(|r| pick(r).as_ref().is_some_and(|p| p.count == 0))
            .count()
    };
    let lines: usize = rows
        .values()
        .filter_map(|r| r.generated.as_ref()?.as_ref().ok().map(|(_, lines)| lines))
        .sum();
    let mut out = String::new();
    let _ = writeln!(out, "# Sweep of botocore {version}\n");
    let _ = writeln!(
        out,
        "- {generated}/{} JSON-capable models generated ({lines} lines) in {:.1} s",
        rows.len(),
        generate_time.as_secs_f64()
    );
    let compiled = rows.values().filter(|r| r.clippy.is_some()).count();
    for (tool, time) in check_times {
        let (passed, of, what) = match tool {
            Tool::Clippy => (clean(|r| &r.clippy), compiled, "crates without warnings"),
            Tool::Doc => (clean(|r| &r.doc), compiled, "crates without warnings"),
            Tool::Wire => {
                let wired: Vec<_> = rows.values().filter_map(|r| r.wire.as_ref()).collect();
                let passed = wired.iter().filter(|w| ladder::wire_passed(w)).count();
                (passed, wired.len(), "ladder services without a mismatch")
            }
        };
        let _ = writeln!(
            out,
            "- {}: {passed}/{of} {what}, {:.0} s",
            tool.name(),
            time.as_secs_f64()
        );
    }
    let _ = writeln!(
        out,
        "\n| service | protocols | generated | lines | ms | clippy | rustdoc |\n| --- | --- | --- | --- | --- | --- | --- |"
    );
    let status = |p: &Option<Problems>| match p {
        None => "not compiled".to_owned(),
        Some(p) if p.count == 0 => "ok".to_owned(),
        Some(p) => format!("{} error(s)", p.count),
    };
    for (service, row) in rows {
        let (generated, lines) = match &row.generated {
            Some(Ok((files, lines))) => (format!("{files} files"), lines.to_string()),
            Some(Err(error)) => (format!("**failed**: {}", table_cell(error)), "-".into()),
            None => ("-".into(), "-".into()),
        };
        let _ = writeln!(
            out,
            "| {service} | {} | {generated} | {lines} | {} | {} | {} |",
            row.protocols.join(", "),
            row.generate_time.as_millis(),
            status(&row.clippy),
            status(&row.doc),
        );
    }
    if rows.values().any(|r| r.wire.is_some()) {
        let _ = writeln!(
            out,
            "\n## The ladder\n\nCompiled, and their wire tests run against botocore's \
             serializer and parser (`results/<service>.txt` in `crates/{}/` has every line).\n\n\
             | service | covers | wire tests |\n| --- | --- | --- |",
            ladder::WIRE_CRATE
        );
        for rung in ladder::LADDER {
            let wire = rows
                .get(rung.service)
                .and_then(|r| r.wire.as_deref())
                .unwrap_or("-");
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                rung.service,
                table_cell(rung.covers),
                table_cell(wire)
            );
        }
    }
    let failures: Vec<_> = rows
        .iter()
        .flat_map(|(service, row)| {
            [("clippy", &row.clippy), ("rustdoc", &row.doc)]
                .into_iter()
                .filter_map(move |(tool, p)| {
                    p.as_ref()
                        .filter(|p| p.count > 0)
                        .map(|p| (service, tool, p))
                })
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\n## First error per crate\n");
        for (service, tool, problems) in failures {
            let _ = writeln!(
                out,
                "### {service} ({tool}, {} error(s))\n\n```text\n{}\n```\n",
                problems.count, problems.first
            );
            for (kind, n) in &problems.kinds {
                let _ = writeln!(out, "- {n}× {}", table_cell(kind));
            }
            out.push('\n');
        }
    }
    out
}

/// `text` fit for one Markdown table cell.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_toml_sections() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\na = 1\nb = { workspace = true }\n\n[dev-dependencies]\nc = 2\n";
        assert_eq!(
            toml_section(text, "[dependencies]"),
            "a = 1\nb = { workspace = true }"
        );
        assert_eq!(toml_section(text, "[features]"), "");
    }

    #[test]
    fn keeps_the_scratch_workspace_out_of_the_sources() {
        let root = Path::new("/repo");
        assert!(out_allowed(root, Path::new("/tmp/sweep")));
        assert!(out_allowed(root, Path::new("/repo/target/sweep")));
        assert!(!out_allowed(root, Path::new("/repo/target")));
        assert!(!out_allowed(root, Path::new("/repo/generated/sweep")));
        assert!(!out_allowed(root, Path::new("/repo")));
    }

    #[test]
    fn selects_what_to_generate_and_compile() {
        let available: Vec<String> = ["acm", "dynamodb", "kms", "s3", "sqs"]
            .map(str::to_owned)
            .to_vec();
        let options = |services: &[&str], compile| Options {
            source: Source::Path("w".into()),
            out: "o".into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            compile,
        };
        // Without --services every model is generated, whatever is compiled.
        for compile in [Compile::All, Compile::Ladder, Compile::None] {
            assert_eq!(to_generate(&available, &options(&[], compile)), available);
        }
        // --services picks; the ladder's services come along when it is compiled.
        assert_eq!(
            to_generate(&available, &options(&["acm"], Compile::All)),
            ["acm"]
        );
        assert_eq!(
            to_generate(&available, &options(&["acm"], Compile::Ladder)),
            ["acm", "dynamodb", "kms", "sqs"]
        );
        // The ladder compiles only its own crates, the others are not workspace members.
        assert_eq!(
            to_compile(&available, Compile::Ladder),
            ["dynamodb", "kms", "sqs"]
        );
        assert_eq!(to_compile(&available, Compile::All), available);
    }

    #[test]
    fn reads_listed_protocols() {
        let both = r#"{"metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor", "json"]}}"#;
        assert_eq!(
            listed_protocols(both).unwrap(),
            ["smithy-rpc-v2-cbor", "json"]
        );
        let one = r#"{"metadata": {"protocol": "json"}}"#;
        assert_eq!(listed_protocols(one).unwrap(), ["json"]);
        assert!(listed_protocols("{").is_err());
    }
}
