//! `cargo xtask msrv`: checks that every workspace member's `rust-version` is at least what
//! its locked dependencies declare, without installing a second toolchain.
//!
//! **Where the graph comes from.** `cargo metadata --format-version 1 --locked --all-features`
//! has everything the check needs in one place: the resolved graph of `Cargo.lock`, every
//! package's `rust_version` (read by cargo from the package's own manifest) and, on each edge,
//! whether it is a normal, build or dev dependency and for which target. `Cargo.lock` plus the
//! registry sources would need the same downloaded manifests, a TOML parser, and a
//! re-implementation of what the lock file leaves out: it does not record dependency kinds, so
//! a workspace member's dev-dependencies cannot be told from its normal ones. `--locked`
//! makes the check read the committed lock file and fail, instead of silently re-resolving,
//! when it is stale; `--all-features` puts optional dependencies in the graph. Those of the
//! workspace's own crates (the bridge to the official SDK, the OS trust store) are features a
//! user opts into: they do not count towards the declared `rust-version`, which promises the
//! default build, and the report prints what each library needs with them on. No `--filter-platform`: a Windows or wasm user compiles `windows-sys` or
//! `wasm-bindgen`, so those count too. Cargo downloads any manifest it lacks (Linux builds
//! never fetch the Windows and wasm crates) from the lock file's sources, all crates.io; on
//! a machine that must stay offline, `cargo fetch --locked` once beforehand fetches them all.
//!
//! **Library crates and dev tools.** The library crates are what users depend on: every
//! workspace member with a library target whose directory is not one of [`DEV_TOOL_DIRS`]
//! (`codegen/`, with the generator's compiled snapshot fixtures below it, `xtask/`, `tests/`
//! `benches/` and `examples/`). Today that is `runtime/` (`marketplace-sdk-runtime`) and `generated/*`
//! (`marketplace-metering`); a new crate anywhere else is checked as a library by default.
//! For a library, what counts is the closure of its normal and build dependencies: what a
//! user's compiler builds. Its own dev-dependencies are printed for information only. A
//! library must declare a `rust-version`. Everything else is a dev tool, run only by the
//! people working on this repository; for those the member's own dev-dependencies count too
//! (their tests and benchmarks are their point), and a dev tool may leave `rust-version` out.
//! In both cases a dev-dependency of a crate further down the graph never counts: cargo
//! does not build it.
//!
//! **What fails.** A declared `rust-version` below the `rust_version` of any package in the
//! closure (each named with the dependency path that pulls it in), or a library without one.
//! A declared value higher than the dependencies need is allowed (the crate's own code may
//! need more); the real minimum is printed either way. What the check cannot see is the
//! crate's own code: clippy's `incompatible_msrv` lint checks its uses of the standard
//! library against the declared value.
//!
//! **With the resolver.** The workspace's `resolver = "3"` makes `cargo update` prefer the
//! releases whose `rust-version` the members' declared ones allow; this check catches what
//! that preference cannot avoid (no fitting release, or a hand-edited `Cargo.lock`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Component, Path};
use std::process::{Command, ExitCode, Stdio};

use serde_json::Value;

/// The directories, relative to the workspace root, whose members are dev tools rather than
/// library crates: the generator and its snapshot fixtures, this tool, the integration tests
/// and the benchmarks.
pub(crate) const DEV_TOOL_DIRS: [&str; 5] = ["codegen", "xtask", "tests", "benches", "examples"];

/// Runs the check on the workspace at `root` and prints its report; exit code 1 when a
/// declared `rust-version` is too low (or a library crate has none).
pub(crate) fn run(root: &Path) -> Result<ExitCode, String> {
    let json = cargo_metadata(root)?;
    let metadata = Metadata::parse(&json)?;
    let reports = check(&metadata)?;
    say!("{}", render(&reports).trim_end());
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.name.as_str())
        .collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        note!(
            "error: rust-version too low or missing in: {}. Raise it to what the dependencies \
             need (shown above), or hold the dependency back with \
             `cargo update -p NAME --precise VERSION`",
            failed.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}

/// The output of `cargo metadata` for the workspace at `root`, from the cargo that runs this
/// tool. Cargo's own progress and errors go to stderr as they come.
fn cargo_metadata(root: &Path) -> Result<String, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {}: {e}", Path::new(&cargo).display()))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata --locked` failed ({}). It needs Cargo.lock to be up to date and \
             the manifest of every locked package, on every target; offline, run \
             `cargo fetch --locked` once while online",
            output.status
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| "cargo metadata printed invalid UTF-8".into())
}

/// A Rust version as `rust-version` spells it: `1.88` or `1.94.1`. A missing part counts as
/// 0 when comparing (`1.88` and `1.88.0` are equal) and is kept for printing.
#[derive(Clone, Debug)]
pub(crate) struct RustVersion {
    /// The numbers as written, one to three of them.
    parts: Vec<u64>,
}

impl RustVersion {
    /// Parses `major[.minor[.patch]]`, the forms cargo accepts for `rust-version`.
    pub(crate) fn parse(text: &str) -> Result<RustVersion, String> {
        let parts: Option<Vec<u64>> = text
            .split('.')
            .map(|part| {
                let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| part.parse().ok()).flatten()
            })
            .collect();
        match parts {
            Some(parts) if parts.len() <= 3 => Ok(RustVersion { parts }),
            _ => Err(format!("invalid rust-version `{text}`")),
        }
    }

    /// `[major, minor, patch]`, with the parts left out as 0.
    fn key(&self) -> [u64; 3] {
        let part = |i: usize| self.parts.get(i).copied().unwrap_or(0);
        [part(0), part(1), part(2)]
    }
}

impl PartialEq for RustVersion {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for RustVersion {}

impl PartialOrd for RustVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RustVersion {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl fmt::Display for RustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

/// One package of the graph.
#[derive(Debug)]
struct Package {
    name: String,
    version: String,
    rust_version: Option<RustVersion>,
    /// The manifest's directory relative to the workspace root; only read for members.
    dir: String,
    /// Whether it has a target other crates can depend on (lib, rlib, dylib or proc-macro).
    has_lib: bool,
    /// The crate names (as `extern crate` sees them) of its optional dependencies.
    optional_deps: BTreeSet<String>,
}

/// One dependency edge: the package depended on, and as what (on any target).
#[derive(Debug)]
struct Edge {
    to: String,
    normal: bool,
    build: bool,
    dev: bool,
    /// An optional dependency of a workspace member: only there with one of its features.
    feature_gated: bool,
}

/// The parts of `cargo metadata --format-version 1` the check reads.
#[derive(Debug)]
pub(crate) struct Metadata {
    /// Every package of the resolved graph, by package id.
    packages: BTreeMap<String, Package>,
    /// The workspace members' package ids, in cargo's order.
    members: Vec<String>,
    /// Each package's dependency edges, by package id, in cargo's order.
    deps: BTreeMap<String, Vec<Edge>>,
}

impl Metadata {
    /// Reads the JSON `cargo metadata --format-version 1` prints (without `--no-deps`).
    pub(crate) fn parse(json: &str) -> Result<Metadata, String> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| format!("cargo metadata: invalid JSON: {e}"))?;
        let root = Path::new(text(&value, "workspace_root")?);

        let mut packages = BTreeMap::new();
        for package in array(&value, "packages")? {
            let id = text(package, "id")?;
            let rust_version = match package.get("rust_version") {
                None | Some(Value::Null) => None,
                Some(_) => Some(
                    RustVersion::parse(text(package, "rust_version")?)
                        .map_err(|e| format!("cargo metadata: package {id}: {e}"))?,
                ),
            };
            let manifest = Path::new(text(package, "manifest_path")?);
            let dir = manifest
                .parent()
                .and_then(|dir| dir.strip_prefix(root).ok())
                .map(|dir| dir.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut has_lib = false;
            for target in array(package, "targets")? {
                for kind in array(target, "kind")? {
                    let kind = kind.as_str().unwrap_or_default();
                    has_lib |= matches!(kind, "lib" | "rlib" | "dylib" | "proc-macro");
                }
            }
            let mut optional_deps = BTreeSet::new();
            let declared = package.get("dependencies").and_then(Value::as_array);
            for dependency in declared.into_iter().flatten() {
                if dependency.get("optional").and_then(Value::as_bool) == Some(true) {
                    let name = match dependency.get("rename").and_then(Value::as_str) {
                        Some(rename) => rename,
                        None => text(dependency, "name")?,
                    };
                    optional_deps.insert(name.replace('-', "_"));
                }
            }
            let package = Package {
                name: text(package, "name")?.to_string(),
                version: text(package, "version")?.to_string(),
                rust_version,
                dir,
                has_lib,
                optional_deps,
            };
            packages.insert(id.to_string(), package);
        }

        let members = array(&value, "workspace_members")?
            .iter()
            .map(|id| {
                id.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "cargo metadata: a workspace member is not a string".to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;

        let resolve = value
            .get("resolve")
            .filter(|resolve| !resolve.is_null())
            .ok_or("cargo metadata: no `resolve` graph")?;
        let mut deps = BTreeMap::new();
        for node in array(resolve, "nodes")? {
            let from = text(node, "id")?;
            let is_member = members.iter().any(|member| member == from);
            let optional = packages.get(from).map(|p: &Package| &p.optional_deps);
            let mut edges = Vec::new();
            for dep in array(node, "deps")? {
                let name = text(dep, "name")?;
                let mut edge = Edge {
                    to: text(dep, "pkg")?.to_string(),
                    normal: false,
                    build: false,
                    dev: false,
                    feature_gated: is_member && optional.is_some_and(|o| o.contains(name)),
                };
                for kind in array(dep, "dep_kinds")? {
                    match kind.get("kind").and_then(Value::as_str) {
                        None => edge.normal = true,
                        Some("build") => edge.build = true,
                        Some("dev") => edge.dev = true,
                        Some(other) => {
                            return Err(format!(
                                "cargo metadata: unknown dependency kind `{other}`"
                            ))
                        }
                    }
                }
                edges.push(edge);
            }
            deps.insert(text(node, "id")?.to_string(), edges);
        }

        let metadata = Metadata {
            packages,
            members,
            deps,
        };
        let known = |id: &String| metadata.packages.contains_key(id);
        let unknown = metadata
            .members
            .iter()
            .chain(metadata.deps.keys())
            .chain(metadata.deps.values().flatten().map(|edge| &edge.to))
            .find(|id| !known(id));
        if let Some(id) = unknown {
            return Err(format!(
                "cargo metadata: the graph names unknown package {id}"
            ));
        }
        Ok(metadata)
    }

    /// `name version` of a package, for messages.
    fn label(&self, id: &str) -> String {
        let package = &self.packages[id];
        format!("{} {}", package.name, package.version)
    }
}

/// The string field `key` of a JSON object.
fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("cargo metadata: missing string field `{key}`"))
}

/// The array field `key` of a JSON object.
fn array<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("cargo metadata: missing array field `{key}`"))
}

/// What a workspace member is to the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A crate users depend on: normal and build dependencies count, and it must declare a
    /// `rust-version`.
    Library,
    /// A crate only this repository's developers build: its own dev-dependencies count too,
    /// and `rust-version` is optional.
    DevTool,
}

/// The role of a member with `has_lib` in directory `dir` (relative to the workspace root).
fn role(dir: &str, has_lib: bool) -> Role {
    let first = Path::new(dir).components().next();
    let in_tool_dir = matches!(first, Some(Component::Normal(name))
        if DEV_TOOL_DIRS.iter().any(|tool| name == *tool));
    if has_lib && !in_tool_dir {
        Role::Library
    } else {
        Role::DevTool
    }
}

/// A package of a member's dependency graph that declares a `rust-version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Requirement {
    /// `name version` of the package.
    pub(crate) package: String,
    /// Its `rust-version`.
    pub(crate) rust_version: RustVersion,
    /// The names of the packages from the member to it, both included (a shortest path).
    pub(crate) path: Vec<String>,
    /// Whether it is a workspace member itself, whose own report shows what sets its
    /// `rust-version`.
    pub(crate) member: bool,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} needs {}: {}",
            self.package,
            self.rust_version,
            self.path.join(" -> ")
        )
    }
}

/// The verdict on one workspace member.
#[derive(Debug)]
pub(crate) struct MemberReport {
    /// The package name.
    pub(crate) name: String,
    /// Library crate or dev tool.
    pub(crate) role: Role,
    /// Its declared `rust-version`, if any.
    pub(crate) declared: Option<RustVersion>,
    /// Every package of the counted closure with the highest `rust-version` in it: the real
    /// minimum, and what sets it. Empty when no dependency declares one.
    pub(crate) needs: Vec<Requirement>,
    /// The packages whose `rust-version` exceeds the declared one, highest first.
    pub(crate) too_new: Vec<Requirement>,
    /// For a library crate: the highest `rust-version` once its own dev-dependencies are
    /// added (what its tests need), when that is higher than [`MemberReport::needs`].
    pub(crate) tests_need: Option<Requirement>,
    /// For a library crate: the highest `rust-version` with the optional dependencies of the
    /// workspace's crates on (features a user opts into), when higher than
    /// [`MemberReport::needs`].
    pub(crate) features_need: Option<Requirement>,
}

impl MemberReport {
    /// The real minimum: the highest `rust-version` among the counted dependencies.
    pub(crate) fn minimum(&self) -> Option<&RustVersion> {
        self.needs.first().map(|need| &need.rust_version)
    }

    /// Whether the member passes: nothing needs more than it declares, and a library crate
    /// declares something.
    pub(crate) fn ok(&self) -> bool {
        self.too_new.is_empty() && (self.declared.is_some() || self.role == Role::DevTool)
    }
}

/// Checks every workspace member (library crates first). Fails only when the metadata has no
/// library crate at all: the rule that finds them no longer matches the layout.
pub(crate) fn check(metadata: &Metadata) -> Result<Vec<MemberReport>, String> {
    let mut reports: Vec<MemberReport> = metadata
        .members
        .iter()
        .map(|id| check_member(metadata, id))
        .collect();
    if !reports.iter().any(|r| r.role == Role::Library) {
        return Err(format!(
            "no library crate found: every workspace member either lacks a library target or \
             lives in one of the dev-tool directories {DEV_TOOL_DIRS:?} (see xtask/src/msrv.rs)"
        ));
    }
    reports.sort_by_key(|r| r.role == Role::DevTool);
    Ok(reports)
}

/// The report on the member with package id `id`.
fn check_member(metadata: &Metadata, id: &str) -> MemberReport {
    let member = &metadata.packages[id];
    let role = role(&member.dir, member.has_lib);
    let requirements = closure(metadata, id, role == Role::DevTool, false);
    let needs = highest(&requirements);
    let too_new = match &member.rust_version {
        Some(declared) => {
            let mut too_new: Vec<Requirement> = requirements
                .iter()
                .filter(|r| r.rust_version > *declared)
                .cloned()
                .collect();
            too_new.sort_by(|a, b| b.rust_version.cmp(&a.rust_version));
            too_new
        }
        None => Vec::new(),
    };
    let tests_need = match role {
        Role::Library => highest(&closure(metadata, id, true, false))
            .into_iter()
            .next()
            .filter(|with_dev| {
                needs
                    .first()
                    .is_none_or(|need| with_dev.rust_version > need.rust_version)
            }),
        Role::DevTool => None,
    };
    let features_need = match role {
        Role::Library => highest(&closure(metadata, id, false, true))
            .into_iter()
            .next()
            .filter(|with_features| {
                needs
                    .first()
                    .is_none_or(|need| with_features.rust_version > need.rust_version)
            }),
        Role::DevTool => None,
    };
    MemberReport {
        name: member.name.clone(),
        role,
        declared: member.rust_version.clone(),
        needs,
        too_new,
        tests_need,
        features_need,
    }
}

/// Every package that declares a `rust-version` in the closure of `root`'s normal and build
/// dependencies (and of its own dev-dependencies with `with_dev`), `root` excluded, each with
/// a shortest path from `root`, in breadth-first order.
fn closure(
    metadata: &Metadata,
    root: &str,
    with_dev: bool,
    with_features: bool,
) -> Vec<Requirement> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::from([root]);
    while let Some(id) = queue.pop_front() {
        for edge in metadata.deps.get(id).into_iter().flatten() {
            let counts = (edge.normal || edge.build || (with_dev && id == root && edge.dev))
                && (with_features || !edge.feature_gated);
            if counts && edge.to != root && !parent.contains_key(edge.to.as_str()) {
                parent.insert(&edge.to, id);
                order.push(edge.to.as_str());
                queue.push_back(&edge.to);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| {
            let rust_version = metadata.packages[id].rust_version.clone()?;
            let mut path = vec![metadata.packages[id].name.clone()];
            let mut at = id;
            while let Some(&up) = parent.get(at) {
                path.push(metadata.packages[up].name.clone());
                at = up;
            }
            path.reverse();
            Some(Requirement {
                package: metadata.label(id),
                rust_version,
                path,
                member: metadata.members.iter().any(|member| member == id),
            })
        })
        .collect()
}

/// The requirements with the highest `rust-version`, those of packages outside the workspace
/// first (the first is what the report names: the cause, rather than a member that merely
/// declares the same value), otherwise in their original order.
fn highest(requirements: &[Requirement]) -> Vec<Requirement> {
    let Some(max) = requirements.iter().map(|r| &r.rust_version).max() else {
        return Vec::new();
    };
    let mut highest: Vec<Requirement> = requirements
        .iter()
        .filter(|r| r.rust_version == *max)
        .cloned()
        .collect();
    highest.sort_by_key(|r| r.member);
    highest
}

/// The text `cargo xtask msrv` prints for `reports`.
pub(crate) fn render(reports: &[MemberReport]) -> String {
    let mut out = String::new();
    let mut last_role = None;
    for report in reports {
        if last_role != Some(report.role) {
            last_role = Some(report.role);
            out.push_str(match report.role {
                Role::Library => {
                    "Library crates: their normal and build dependencies on every target, \
                     what users compile.\n"
                }
                Role::DevTool => {
                    "Dev tools: their normal, build and own dev dependencies on every target.\n"
                }
            });
        }
        render_member(report, &mut out);
    }
    let libraries: Vec<&MemberReport> =
        reports.iter().filter(|r| r.role == Role::Library).collect();
    let msrv = libraries.iter().filter_map(|r| r.minimum()).max();
    if let Some(msrv) = msrv {
        let names: Vec<&str> = libraries.iter().map(|r| r.name.as_str()).collect();
        out.push_str(&format!(
            "The library crates ({}) need Rust {msrv}.\n",
            names.join(", ")
        ));
    }
    out
}

/// Appends the lines about one member to `out`.
fn render_member(report: &MemberReport, out: &mut String) {
    let declared = match &report.declared {
        Some(declared) => format!("rust-version {declared}"),
        None => "no rust-version".to_string(),
    };
    let minimum = match report.minimum() {
        Some(minimum) => format!("dependencies need {minimum}"),
        None => "no dependency declares a rust-version".to_string(),
    };
    let verdict = if !report.too_new.is_empty() {
        "TOO LOW"
    } else if report.declared.is_none() && report.role == Role::Library {
        "MISSING: a library crate must declare its rust-version"
    } else {
        "ok"
    };
    out.push_str(&format!(
        "  {}: {declared}, {minimum}: {verdict}\n",
        report.name
    ));
    if report.too_new.is_empty() {
        if let Some(first) = report.needs.first() {
            let more = match report.needs.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more package)".to_string(),
                n => format!(" (and {n} more packages)"),
            };
            out.push_str(&format!("      {first}{more}\n"));
        }
    } else {
        for requirement in &report.too_new {
            out.push_str(&format!("      {requirement}\n"));
        }
    }
    if let Some(features) = &report.features_need {
        out.push_str(&format!(
            "      with its optional features it needs {} (opt-in; not counted): {}: {}\n",
            features.rust_version,
            features.package,
            features.path.join(" -> ")
        ));
    }
    if let Some(tests) = &report.tests_need {
        out.push_str(&format!(
            "      its tests need {} (dev-dependencies; not counted): {}: {}\n",
            tests.rust_version,
            tests.package,
            tests.path.join(" -> ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A package of hand-made metadata: `dir` relative to the workspace root `/ws` for
    /// members, `None` for a registry package.
    fn package(name: &str, rust_version: Option<&str>, dir: Option<&str>) -> Value {
        let manifest = match dir {
            Some(dir) => format!("/ws/{dir}/Cargo.toml"),
            None => format!("/registry/{name}-1.0.0/Cargo.toml"),
        };
        let kind = if dir == Some("xtask") { "bin" } else { "lib" };
        json!({
            "id": id(name),
            "name": name,
            "version": "1.0.0",
            "rust_version": rust_version,
            "manifest_path": manifest,
            "targets": [{ "kind": [kind], "name": name }],
        })
    }

    fn id(name: &str) -> String {
        format!("{name}@1.0.0")
    }

    /// An edge to `to` of the given kinds: `None` normal, `Some("build")`, `Some("dev")`.
    fn edge(to: &str, kinds: &[Option<&str>]) -> Value {
        let kinds: Vec<Value> = kinds
            .iter()
            .map(|kind| json!({ "kind": kind, "target": null }))
            .collect();
        json!({ "name": to, "pkg": id(to), "dep_kinds": kinds })
    }

    /// Metadata of `packages`, with `members` (names) and `edges` (from, edges).
    fn metadata(
        packages: Vec<Value>,
        members: &[&str],
        edges: Vec<(&str, Vec<Value>)>,
    ) -> Metadata {
        let mut nodes: Vec<Value> = packages
            .iter()
            .map(|p| {
                let name = p["name"].as_str().unwrap();
                let deps = edges
                    .iter()
                    .find(|(from, _)| *from == name)
                    .map(|(_, deps)| deps.clone())
                    .unwrap_or_default();
                json!({ "id": id(name), "deps": deps })
            })
            .collect();
        nodes.sort_by_key(|n| n["id"].as_str().unwrap().to_string());
        let members: Vec<String> = members.iter().map(|m| id(m)).collect();
        let json = json!({
            "packages": packages,
            "workspace_members": members,
            "workspace_root": "/ws",
            "resolve": { "nodes": nodes, "root": null },
            "version": 1,
        });
        Metadata::parse(&json.to_string()).unwrap()
    }

    fn v(text: &str) -> RustVersion {
        RustVersion::parse(text).unwrap()
    }

    fn report<'a>(reports: &'a [MemberReport], name: &str) -> &'a MemberReport {
        reports.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn a_dependency_that_needs_more_fails_naming_it_and_its_path() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("lib-a")),
                package("mid", Some("1.70"), None),
                package("newer", Some("1.88"), None),
            ],
            &["lib-a"],
            vec![
                ("lib-a", vec![edge("mid", &[None])]),
                ("mid", vec![edge("newer", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        let lib = report(&reports, "lib-a");
        assert_eq!(lib.role, Role::Library);
        assert!(!lib.ok());
        assert_eq!(lib.minimum(), Some(&v("1.88")));
        assert_eq!(lib.too_new.len(), 1);
        assert_eq!(
            lib.too_new[0].to_string(),
            "newer 1.0.0 needs 1.88: lib-a -> mid -> newer"
        );
        let text = render(&reports);
        assert!(text.contains("lib-a: rust-version 1.85, dependencies need 1.88: TOO LOW"));
        assert!(text.contains("newer 1.0.0 needs 1.88: lib-a -> mid -> newer"));
        assert!(!text.contains("mid 1.0.0 needs"), "{text}");
    }

    #[test]
    fn a_declaration_that_covers_the_dependencies_passes_and_names_the_minimum() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.90"), Some("lib-a")),
                package("newer", Some("1.88.0"), None),
                package("older", Some("1.60"), None),
                package("unversioned", None, None),
            ],
            &["lib-a"],
            vec![(
                "lib-a",
                vec![
                    edge("newer", &[None]),
                    edge("older", &[None]),
                    edge("unversioned", &[None]),
                ],
            )],
        );
        let reports = check(&m).unwrap();
        let lib = report(&reports, "lib-a");
        assert!(lib.ok());
        assert_eq!(lib.minimum(), Some(&v("1.88")));
        let text = render(&reports);
        assert!(text.contains("lib-a: rust-version 1.90, dependencies need 1.88.0: ok"));
        assert!(text.contains("The library crates (lib-a) need Rust 1.88.0."));
    }

    #[test]
    fn dev_only_dependencies_of_a_library_are_ignored() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("lib-a")),
                package("old", Some("1.70"), None),
                package("test-helper", Some("1.94.1"), None),
            ],
            &["lib-a"],
            vec![(
                "lib-a",
                vec![edge("old", &[None]), edge("test-helper", &[Some("dev")])],
            )],
        );
        let reports = check(&m).unwrap();
        let lib = report(&reports, "lib-a");
        assert!(lib.ok(), "{lib:?}");
        assert_eq!(lib.minimum(), Some(&v("1.70")));
        // Printed, not counted.
        let tests = lib.tests_need.as_ref().unwrap();
        assert_eq!(tests.package, "test-helper 1.0.0");
        assert!(render(&reports).contains("its tests need 1.94.1 (dev-dependencies; not counted)"));
    }

    #[test]
    fn optional_dependencies_of_members_are_printed_not_counted() {
        let mut lib = package("lib-a", Some("1.85"), Some("lib-a"));
        lib["dependencies"] = json!([
            { "name": "old", "optional": false },
            { "name": "official-sdk", "optional": true },
        ]);
        let m = metadata(
            vec![
                lib,
                package("lib-b", Some("1.85"), Some("lib-b")),
                package("old", Some("1.70"), None),
                package("official-sdk", Some("1.94.1"), None),
            ],
            &["lib-a", "lib-b"],
            vec![
                (
                    "lib-a",
                    vec![
                        edge("old", &[None]),
                        // The resolve graph names a dependency as `extern crate` does.
                        json!({ "name": "official_sdk", "pkg": id("official-sdk"),
                                "dep_kinds": [{ "kind": null, "target": null }] }),
                    ],
                ),
                // A crate that forwards the feature: the optional edge is lib-a's.
                ("lib-b", vec![edge("lib-a", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        for name in ["lib-a", "lib-b"] {
            let lib = report(&reports, name);
            assert!(lib.ok(), "{lib:?}");
            let minimum = if name == "lib-b" { "1.85" } else { "1.70" };
            assert_eq!(lib.minimum(), Some(&v(minimum)));
            let features = lib.features_need.as_ref().unwrap();
            assert_eq!(features.package, "official-sdk 1.0.0");
        }
        assert!(render(&reports).contains(
            "with its optional features it needs 1.94.1 (opt-in; not counted): \
             official-sdk 1.0.0: lib-a -> official-sdk"
        ));
    }

    #[test]
    fn a_dependency_both_dev_and_normal_counts() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("lib-a")),
                package("both", Some("1.88"), None),
            ],
            &["lib-a"],
            vec![("lib-a", vec![edge("both", &[None, Some("dev")])])],
        );
        assert!(!report(&check(&m).unwrap(), "lib-a").ok());
    }

    #[test]
    fn build_dependencies_and_their_dependencies_count() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("lib-a")),
                package("sys", Some("1.60"), None),
                package("cc", Some("1.63"), None),
                package("shlex", Some("1.88"), None),
            ],
            &["lib-a"],
            vec![
                ("lib-a", vec![edge("sys", &[None])]),
                ("sys", vec![edge("cc", &[Some("build")])]),
                ("cc", vec![edge("shlex", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        let lib = report(&reports, "lib-a");
        assert!(!lib.ok());
        assert_eq!(
            lib.too_new[0].to_string(),
            "shlex 1.0.0 needs 1.88: lib-a -> sys -> cc -> shlex"
        );
    }

    #[test]
    fn dev_dependencies_of_members_further_down_never_count() {
        // lib-b depends on the workspace member lib-a, whose tests use test-helper.
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("runtime")),
                package("lib-b", Some("1.85"), Some("generated/lib-b")),
                package("test-helper", Some("1.94.1"), None),
            ],
            &["lib-a", "lib-b"],
            vec![
                ("lib-a", vec![edge("test-helper", &[Some("dev")])]),
                ("lib-b", vec![edge("lib-a", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        let lib_b = report(&reports, "lib-b");
        assert!(lib_b.ok());
        // The member it depends on is a requirement like any other...
        assert_eq!(
            lib_b.needs[0].to_string(),
            "lib-a 1.0.0 needs 1.85: lib-b -> lib-a"
        );
        assert!(lib_b.needs[0].member);
        assert!(lib_b.tests_need.is_none());
    }

    #[test]
    fn the_minimum_names_a_cause_outside_the_workspace_first() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.88"), Some("runtime")),
                package("lib-b", Some("1.88"), Some("generated/lib-b")),
                package("icu", Some("1.88"), None),
            ],
            &["lib-a", "lib-b"],
            vec![
                ("lib-a", vec![edge("icu", &[None])]),
                ("lib-b", vec![edge("lib-a", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        let needs: Vec<String> = report(&reports, "lib-b")
            .needs
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            needs,
            [
                "icu 1.0.0 needs 1.88: lib-b -> lib-a -> icu",
                "lib-a 1.0.0 needs 1.88: lib-b -> lib-a"
            ]
        );
    }

    #[test]
    fn a_library_without_rust_version_fails() {
        let m = metadata(
            vec![
                package("lib-a", None, Some("lib-a")),
                package("dep", Some("1.70"), None),
            ],
            &["lib-a"],
            vec![("lib-a", vec![edge("dep", &[None])])],
        );
        let reports = check(&m).unwrap();
        assert!(!report(&reports, "lib-a").ok());
        assert!(
            render(&reports).contains("lib-a: no rust-version, dependencies need 1.70: MISSING")
        );
    }

    #[test]
    fn dev_tools_count_their_dev_dependencies_and_may_declare_nothing() {
        let m = metadata(
            vec![
                package("lib-a", Some("1.85"), Some("runtime")),
                package(
                    "fixture",
                    Some("1.85"),
                    Some("codegen/tests/snapshots/names"),
                ),
                package("bench", Some("1.85"), Some("benches/hot-path")),
                package("itests", None, Some("tests")),
                package("xtask", Some("1.85"), Some("xtask")),
                package("criterion", Some("1.86"), None),
                package("sha2", Some("1.88"), None),
                package("serde", Some("1.60"), None),
            ],
            &["lib-a", "fixture", "bench", "itests", "xtask"],
            vec![
                ("lib-a", vec![edge("serde", &[None])]),
                ("fixture", vec![edge("lib-a", &[None])]),
                (
                    "bench",
                    vec![edge("lib-a", &[None]), edge("criterion", &[Some("dev")])],
                ),
                ("itests", vec![edge("sha2", &[Some("dev")])]),
                ("xtask", vec![edge("sha2", &[None])]),
            ],
        );
        let reports = check(&m).unwrap();
        let roles: Vec<(&str, Role)> = reports.iter().map(|r| (r.name.as_str(), r.role)).collect();
        assert_eq!(
            roles,
            [
                ("lib-a", Role::Library),
                ("fixture", Role::DevTool),
                ("bench", Role::DevTool),
                ("itests", Role::DevTool),
                ("xtask", Role::DevTool),
            ]
        );
        assert!(report(&reports, "fixture").ok());
        let bench = report(&reports, "bench");
        assert!(!bench.ok());
        assert_eq!(bench.too_new[0].package, "criterion 1.0.0");
        let itests = report(&reports, "itests");
        assert!(itests.ok());
        assert_eq!(itests.minimum(), Some(&v("1.88")));
        assert!(!report(&reports, "xtask").ok());
        let text = render(&reports);
        assert!(text.contains("itests: no rust-version, dependencies need 1.88: ok"));
        // The libraries' minimum ignores the dev tools.
        assert!(text.contains("The library crates (lib-a) need Rust 1.60."));
    }

    #[test]
    fn the_library_rule_follows_the_directory_and_the_targets() {
        assert_eq!(role("runtime", true), Role::Library);
        assert_eq!(role("generated/marketplace-metering", true), Role::Library);
        assert_eq!(role("codegen", true), Role::DevTool);
        assert_eq!(
            role("codegen/tests/snapshots/all_types", true),
            Role::DevTool
        );
        assert_eq!(role("benches/hot-path", true), Role::DevTool);
        assert_eq!(role("tests", true), Role::DevTool);
        assert_eq!(role("xtask", false), Role::DevTool);
        assert_eq!(role("tools-extra", false), Role::DevTool);
        assert_eq!(role("testsuite", true), Role::Library);
    }

    #[test]
    fn no_library_crate_is_an_error() {
        let m = metadata(
            vec![package("xtask", Some("1.85"), Some("xtask"))],
            &["xtask"],
            vec![],
        );
        assert!(check(&m).unwrap_err().contains("no library crate found"));
    }

    #[test]
    fn rust_versions_compare_numerically_with_missing_parts_as_zero() {
        assert_eq!(v("1.88"), v("1.88.0"));
        assert!(v("1.94.1") > v("1.94"));
        assert!(v("1.100") > v("1.99.9"));
        assert!(v("2") > v("1.99"));
        assert_eq!(v("1.94.1").to_string(), "1.94.1");
        assert_eq!(v("1.88").to_string(), "1.88");
        for bad in ["", "1.", "1.x", "1.2.3.4", "1.88-beta", " 1.88"] {
            assert!(RustVersion::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn malformed_metadata_is_an_error() {
        assert!(Metadata::parse("{").is_err());
        assert!(Metadata::parse(r#"{"workspace_root": "/ws", "packages": []}"#).is_err());
        let dangling = json!({
            "packages": [],
            "workspace_members": ["ghost@1.0.0"],
            "workspace_root": "/ws",
            "resolve": { "nodes": [] },
        });
        assert!(Metadata::parse(&dangling.to_string())
            .unwrap_err()
            .contains("unknown package ghost@1.0.0"));
    }
}
