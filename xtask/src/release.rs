//! `cargo xtask release [--dry-run]`: packages every publishable crate of the workspace (the
//! runtime crates and every generated crate) in dependency order, checks what each package
//! holds, and has cargo verify each one by building it from its packaged sources alone, with
//! the packages before it standing in for crates.io. Without `--dry-run` it then publishes them
//! in the same order.
//!
//! Publishable means a member whose `publish` is not `false`; dev tools inherit `publish =
//! false` from the workspace.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, ExitCode};

/// Paths a package must not hold: test data, fixtures, benchmarks, integration tests.
const NOT_IN_A_PACKAGE: &[&str] = &["tests/", "benches/", "data/", "fixtures/", "examples/"];

/// `cargo xtask release`: package and verify (and with `publish`, publish) every crate.
pub(crate) fn run(root: &Path, publish: bool) -> Result<ExitCode, String> {
    let crates = publishable_in_order(&cargo_metadata(root)?)?;
    say!(
        "publishable crates, in dependency order: {}",
        crates.join(", ")
    );
    for name in &crates {
        let files = package_files(root, name)?;
        check_contents(name, &files)?;
        say!("{name}: {} files, none of them tests or data", files.len());
    }
    // One `cargo package` for all of them: it packages in dependency order and verifies each
    // package against the ones before it (cargo's local overlay of crates.io).
    let mut package = Command::new(cargo());
    package.current_dir(root).args(["package", "--locked"]);
    if !publish {
        // A check of the sources as they are; publishing needs them committed.
        package.arg("--allow-dirty");
    }
    for name in &crates {
        package.args(["-p", name]);
    }
    run_cargo(package)?;
    if publish {
        for name in &crates {
            let mut command = Command::new(cargo());
            command
                .current_dir(root)
                .args(["publish", "--locked", "-p", name]);
            run_cargo(command)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run_cargo(mut command: Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("{shown} failed ({status})")),
    }
}

fn cargo_metadata(root: &Path) -> Result<Value, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps", "--locked"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

/// The names of the publishable members, each after the members it depends on.
pub(crate) fn publishable_in_order(metadata: &Value) -> Result<Vec<String>, String> {
    let packages = metadata["packages"]
        .as_array()
        .ok_or("cargo metadata: no packages")?;
    let mut depends_on: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for package in packages {
        let name = package["name"]
            .as_str()
            .ok_or("cargo metadata: a package without a name")?;
        // `publish`: null means any registry; an empty list means none.
        let publishable =
            !matches!(&package["publish"], Value::Array(registries) if registries.is_empty());
        if publishable {
            depends_on.insert(name.to_owned(), BTreeSet::new());
        }
    }
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        let Some(deps) = depends_on.get(name).cloned() else {
            continue;
        };
        let mut deps = deps;
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let kind = dependency["kind"].as_str();
            let dep = dependency["name"].as_str().unwrap_or_default();
            if kind != Some("dev") && depends_on.contains_key(dep) {
                deps.insert(dep.to_owned());
            } else if kind != Some("dev") && dependency["path"].is_string() {
                return Err(format!(
                    "{name} depends on {dep}, a crate of this repository that is not publishable"
                ));
            }
        }
        depends_on.insert(name.to_owned(), deps);
    }
    let mut order = Vec::new();
    let mut placed = BTreeSet::new();
    while placed.len() < depends_on.len() {
        let ready: Vec<String> = depends_on
            .iter()
            .filter(|(name, deps)| !placed.contains(*name) && deps.is_subset(&placed))
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            return Err("the publishable crates depend on each other in a circle".to_owned());
        }
        for name in ready {
            placed.insert(name.clone());
            order.push(name);
        }
    }
    Ok(order)
}

/// The files `cargo package` would put in `name`'s package.
fn package_files(root: &Path, name: &str) -> Result<Vec<String>, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["package", "--list", "--allow-dirty", "-p", name])
        .output()
        .map_err(|e| format!("cannot run cargo package --list: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo package --list -p {name} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Fails when a package holds test data, fixtures or benches, or lacks a README.
pub(crate) fn check_contents(name: &str, files: &[String]) -> Result<(), String> {
    let unwanted: Vec<&String> = files
        .iter()
        .filter(|file| NOT_IN_A_PACKAGE.iter().any(|dir| file.starts_with(dir)))
        .collect();
    if !unwanted.is_empty() {
        return Err(format!(
            "the package of {name} would hold files it does not need: {unwanted:?}; narrow \
             `include` in its Cargo.toml"
        ));
    }
    for needed in ["Cargo.toml", "README.md", "src/lib.rs"] {
        if !files.iter().any(|file| file == needed) {
            return Err(format!("the package of {name} has no {needed}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, publish: Value, deps: &[(&str, Option<&str>)]) -> Value {
        let deps: Vec<Value> = deps
            .iter()
            .map(|(dep, kind)| json!({ "name": dep, "kind": kind, "path": "/ws/x" }))
            .collect();
        json!({ "name": name, "publish": publish, "dependencies": deps })
    }

    #[test]
    fn crates_come_after_what_they_depend_on_and_dev_tools_are_left_out() {
        let metadata = json!({ "packages": [
            package("service", Value::Null, &[("config", None), ("runtime", None), ("helper", Some("dev"))]),
            package("config", Value::Null, &[("runtime", None)]),
            package("runtime", Value::Null, &[]),
            package("helper", json!([]), &[("service", None)]),
        ]});
        assert_eq!(
            publishable_in_order(&metadata).unwrap(),
            ["runtime", "config", "service"]
        );
    }

    #[test]
    fn a_publishable_crate_on_an_unpublishable_one_is_an_error() {
        let metadata = json!({ "packages": [
            package("service", Value::Null, &[("tool", None)]),
            package("tool", json!([]), &[]),
        ]});
        let error = publishable_in_order(&metadata).unwrap_err();
        assert!(error.contains("service depends on tool"), "{error}");
    }

    #[test]
    fn test_data_in_a_package_is_refused() {
        let files = |extra: &str| {
            ["Cargo.toml", "README.md", "src/lib.rs", extra]
                .map(str::to_owned)
                .to_vec()
        };
        assert!(check_contents("a", &files("src/client.rs")).is_ok());
        let error = check_contents("a", &files("tests/data/cases.json")).unwrap_err();
        assert!(error.contains("tests/data/cases.json"), "{error}");
        let error = check_contents("a", &["Cargo.toml".to_owned()]).unwrap_err();
        assert!(error.contains("no README.md"), "{error}");
    }

    /// The opt-in features cost a program that does not turn them on nothing: the minimal
    /// metering program's committed lock file is current (`--locked` fails otherwise) and
    /// holds no package of the official-SDK bridge, the OS trust store or the toolkit (on
    /// this machine's platform; `benches/compare/run.sh build` counts every platform).
    #[test]
    fn the_minimal_programs_lock_is_current_and_has_no_opt_in_package() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let manifest = root.join("benches/compare/minimal-lean/Cargo.toml");
        // This machine's packages only: the build has them, so no download is needed.
        let rustc = Command::new("rustc").arg("-vV").output().unwrap();
        let host = String::from_utf8_lossy(&rustc.stdout)
            .lines()
            .find_map(|line| line.strip_prefix("host: ").map(str::to_owned))
            .unwrap();
        let output = Command::new(cargo())
            .args(["metadata", "--format-version", "1", "--locked", "--offline"])
            .args(["--filter-platform", &host, "--manifest-path"])
            .arg(&manifest)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
        let names: Vec<&str> = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"marketplace-metering"), "{names:?}");
        for opt_in in [
            "aws-credential-types",
            "aws-types",
            "aws-smithy-types",
            "rustls-native-certs",
            "marketplace-metering-toolkit",
            "marketplace-metering-simulator",
        ] {
            assert!(!names.contains(&opt_in), "{opt_in} in {names:?}");
        }
    }
}
