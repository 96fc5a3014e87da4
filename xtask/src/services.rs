//! The services the repository ships: for each, the model under `model/<model>/` and the
//! crate under `generated/<crate>/`.
//!
//! A crate under `generated/` is a service's when its hand-written `Cargo.toml` names the
//! botocore model it is generated from:
//!
//! ```toml
//! [package.metadata.codegen]
//! model = "meteringmarketplace"
//! ```
//!
//! So adding a service is writing that `Cargo.toml` (and listing the crate in the workspace),
//! then `cargo xtask add-service <model>` to fetch the model the way `update-model` does, at the
//! botocore release the other services pin, and regenerate.

use std::fs;
use std::path::Path;

use crate::files;

/// The model whose `partitions.json` the runtime's own partition table is generated from. Every
/// model directory holds a copy from the same botocore release; one of them is the runtime's.
pub(crate) const RUNTIME_PARTITIONS_MODEL: &str = "meteringmarketplace";

/// One service the repository ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// botocore's name for the model, and its directory under `model/`: `meteringmarketplace`.
    pub(crate) model: String,
    /// The crate's directory, relative to the project root: `generated/marketplace-metering`.
    pub(crate) crate_dir: String,
    /// The crate's package name: `marketplace-metering`.
    pub(crate) package: String,
}

impl Service {
    /// `model/<model>`, relative to the project root.
    pub(crate) fn model_dir(&self) -> String {
        format!("model/{}", self.model)
    }

    /// The crate's Rust name: `marketplace_metering`.
    pub(crate) fn crate_name(&self) -> String {
        self.package.replace('-', "_")
    }

    /// Whether `name` names this service: its model or its package.
    fn is(&self, name: &str) -> bool {
        self.model == name || self.package == name
    }
}

/// Every service under `root`, sorted by crate directory: each directory of `generated/` whose
/// `Cargo.toml` has a `[package.metadata.codegen]` `model`. Two crates of one model, or a
/// crate without a package name, are errors.
pub(crate) fn all(root: &Path) -> Result<Vec<Service>, String> {
    let generated = root.join("generated");
    let entries =
        fs::read_dir(&generated).map_err(|e| format!("listing {}: {e}", generated.display()))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("listing {}: {e}", generated.display()))?;
        if entry.path().join("Cargo.toml").is_file() {
            dirs.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    dirs.sort();
    let mut services: Vec<Service> = Vec::new();
    for dir in dirs {
        let crate_dir = format!("generated/{dir}");
        let manifest_rel = format!("{crate_dir}/Cargo.toml");
        let manifest = files::read_text(&root.join(&manifest_rel))?;
        let Some(model) = toml_string(&manifest, "package.metadata.codegen", "model") else {
            continue;
        };
        let package = toml_string(&manifest, "package", "name")
            .ok_or_else(|| format!("{manifest_rel}: no `name = \"...\"` in [package]"))?;
        if let Some(other) = services.iter().find(|s| s.model == model) {
            return Err(format!(
                "{manifest_rel} and {}/Cargo.toml are both generated from model `{model}`",
                other.crate_dir
            ));
        }
        services.push(Service {
            model: model.to_owned(),
            crate_dir,
            package: package.to_owned(),
        });
    }
    if services.is_empty() {
        return Err(
            "no crate under generated/ names its model in [package.metadata.codegen]".into(),
        );
    }
    Ok(services)
}

/// The service `name` names (its model or package name) or, without a name, the only one.
pub(crate) fn find(root: &Path, name: Option<&str>) -> Result<Service, String> {
    let services = all(root)?;
    let names = || {
        services
            .iter()
            .map(|s| format!("{} ({})", s.model, s.package))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => services
            .iter()
            .find(|s| s.is(name))
            .cloned()
            .ok_or_else(|| format!("no service `{name}`; the repository ships {}", names())),
        None if services.len() == 1 => Ok(services[0].clone()),
        None => Err(format!(
            "the repository ships several services ({}); name one with --service",
            names()
        )),
    }
}

/// The botocore model `name` means: a shipped service's (by model or crate name), else `name`
/// itself as botocore names models; without a name, the model of the only service.
pub(crate) fn botocore_model(root: &Path, name: Option<&str>) -> Result<String, String> {
    match name {
        Some(name) => Ok(all(root)?
            .into_iter()
            .find(|s| s.is(name))
            .map_or_else(|| name.to_owned(), |s| s.model)),
        None => find(root, None).map(|s| s.model),
    }
}

/// The string value of `key` in the `[table]` of a `Cargo.toml`. A line-based parse, enough
/// for the hand-written manifests of the generated crates: `key = "value"` on one line;
/// `key.workspace = true` and other forms yield `None`.
pub(crate) fn toml_string<'a>(text: &'a str, table: &str, key: &str) -> Option<&'a str> {
    let header = format!("[{table}]");
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == header;
            continue;
        }
        if !inside {
            continue;
        }
        let Some(value) = line
            .strip_prefix(key)
            .and_then(|rest| rest.trim_start().strip_prefix('='))
        else {
            continue;
        };
        let value = value.trim_start().strip_prefix('"')?;
        return value.split_once('"').map(|(value, _)| value);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::TempDir;

    fn manifest(name: &str, model: Option<&str>) -> String {
        let mut text = format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
        if let Some(model) = model {
            text.push_str(&format!(
                "\n[package.metadata.codegen]\nmodel = \"{model}\"\n"
            ));
        }
        text.push_str("\n[dependencies]\nname = \"not this\"\n");
        text
    }

    #[test]
    fn reads_toml_strings() {
        let text = manifest("a-b", Some("ab"));
        assert_eq!(toml_string(&text, "package", "name"), Some("a-b"));
        assert_eq!(toml_string(&text, "package", "version"), Some("0.1.0"));
        assert_eq!(
            toml_string(&text, "package.metadata.codegen", "model"),
            Some("ab")
        );
        assert_eq!(toml_string(&text, "package", "model"), None);
        assert_eq!(
            toml_string(
                "[package]\nversion.workspace = true\n",
                "package",
                "version"
            ),
            None
        );
    }

    #[test]
    fn finds_the_services_by_their_manifests() {
        let tmp = TempDir::new("xtask-test-services").unwrap();
        let root = tmp.path();
        let write = |dir: &str, text: String| {
            files::ensure_file_contents(&root.join(dir).join("Cargo.toml"), text.as_bytes())
                .unwrap();
        };
        write("generated/b-crate", manifest("b-crate", Some("bmodel")));
        write("generated/a-crate", manifest("a-crate", Some("amodel")));
        write("generated/helper", manifest("helper", None));
        let found = all(root).unwrap();
        assert_eq!(
            found.iter().map(|s| s.model.as_str()).collect::<Vec<_>>(),
            ["amodel", "bmodel"]
        );
        assert_eq!(found[0].crate_dir, "generated/a-crate");
        assert_eq!(found[0].crate_name(), "a_crate");
        assert_eq!(found[0].model_dir(), "model/amodel");
        assert_eq!(find(root, Some("b-crate")).unwrap().model, "bmodel");
        assert_eq!(find(root, Some("bmodel")).unwrap().package, "b-crate");
        assert!(find(root, None).unwrap_err().contains("--service"));
        assert!(find(root, Some("c"))
            .unwrap_err()
            .contains("amodel (a-crate)"));

        write("generated/c-crate", manifest("c-crate", Some("amodel")));
        assert!(all(root)
            .unwrap_err()
            .contains("both generated from model `amodel`"));
    }

    #[test]
    fn the_repository_ships_metering() {
        let services = all(&crate::project_root()).unwrap();
        assert!(services.iter().any(|s| s.model == RUNTIME_PARTITIONS_MODEL));
        assert!(services.iter().any(|s| s.package == "marketplace-metering"
            && s.crate_dir == "generated/marketplace-metering"));
    }
}
