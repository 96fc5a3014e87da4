//! What the integration tests of the generator share: the real model, read exactly as
//! `cargo xtask codegen` reads it.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ is inside the workspace")
        .to_path_buf()
}

pub fn read(rel: &str) -> String {
    let path = root().join(rel);
    fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

/// The inputs `cargo xtask codegen` passes to `codegen::generate` for the real model.
///
/// Keep in sync with `regenerate` in `xtask/src/codegen.rs`: the model directory, the
/// crate name and where the crate version comes from are duplicated here (the `origin` text
/// is `codegen::model_files`, as in xtask) so that these tests need nothing from xtask.
pub struct RealModel {
    pub service_json: String,
    pub origin: String,
    pub crate_version: String,
    pub rule_set_json: String,
    pub partitions_json: String,
    pub paginators_json: String,
}

/// `MODEL_DIR` in xtask; it has a `paginators-1.json`.
pub const MODEL_DIR: &str = "model/meteringmarketplace";
/// `CRATE_DIR` in xtask.
pub const CRATE_DIR: &str = "generated/marketplace-metering";
/// `CRATE_NAME` in xtask.
pub const CRATE_NAME: &str = "marketplace_metering";

impl RealModel {
    pub fn read() -> Self {
        let service_rel = format!("{MODEL_DIR}/service-2.json");
        RealModel {
            service_json: read(&service_rel),
            origin: codegen::model_files(MODEL_DIR, true),
            crate_version: package_version(&read(&format!("{CRATE_DIR}/Cargo.toml"))),
            rule_set_json: read(&format!("{MODEL_DIR}/endpoint-rule-set-1.json")),
            partitions_json: read(&format!("{MODEL_DIR}/partitions.json")),
            paginators_json: read(&format!("{MODEL_DIR}/paginators-1.json")),
        }
    }

    /// The input for `service_json`, which is the real model's or a variant of it.
    pub fn input<'a>(&'a self, service_json: &'a str) -> codegen::Input<'a> {
        codegen::Input {
            service_json,
            origin: &self.origin,
            crate_name: CRATE_NAME,
            crate_version: &self.crate_version,
            endpoint_rule_set_json: Some(&self.rule_set_json),
            partitions_json: Some(&self.partitions_json),
            paginators_json: Some(&self.paginators_json),
        }
    }

    pub fn generate(&self, service_json: &str) -> Vec<codegen::GeneratedFile> {
        codegen::generate(&self.input(service_json))
            .unwrap_or_else(|error| panic!("codegen::generate failed on the real model: {error}"))
    }
}

/// The `version = "..."` of the `[package]` section, as xtask's `package_version` reads it.
fn package_version(cargo_toml: &str) -> String {
    let mut in_package = false;
    for line in cargo_toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some(value) = line.strip_prefix("version").filter(|_| in_package) {
            if let Some(value) = value.trim_start().strip_prefix('=') {
                let value = value.trim().trim_matches('"');
                return value.to_owned();
            }
        }
    }
    panic!("{CRATE_DIR}/Cargo.toml has no `version = \"...\"` in [package]")
}
