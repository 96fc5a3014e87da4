//! Generates a Rust service crate from a botocore JSON model.
//!
//! A pure library: [`generate`] takes the model's text and returns the files of the
//! crate's `src/` as strings, and [`runtime_partitions`] the runtime's partition table.
//! `xtask` does all the reading and writing.

#![forbid(unsafe_code)]

pub mod api;
mod docs;
mod emit;
mod endpoint;
mod ir;
mod lower;
mod model;
mod names;
mod paginators;

use std::fmt;

/// What to generate from.
pub struct Input<'a> {
    /// The text of `service-2.json`.
    pub service_json: &'a str,
    /// The model files, for the header of every file, e.g.
    /// `model/meteringmarketplace/ (service-2.json, endpoint-rule-set-1.json, partitions.json)`.
    /// Name the files, not the botocore release they came from: a release that leaves the
    /// model alone should change no generated file.
    pub origin: &'a str,
    /// The Rust name of the generated crate, e.g. `marketplace_metering`.
    pub crate_name: &'a str,
    /// The crate's version, for the `User-Agent` it sends.
    pub crate_version: &'a str,
    /// The text of `endpoint-rule-set-1.json`; without one, requests need an
    /// explicit endpoint URL.
    pub endpoint_rule_set_json: Option<&'a str>,
    /// The text of botocore's `partitions.json`, for rule sets that call `aws.partition`.
    pub partitions_json: Option<&'a str>,
    /// The text of `paginators-1.json`; without one, no operation has a paginator.
    pub paginators_json: Option<&'a str>,
}

/// The [`Input::origin`] of a crate generated from the model files in `model_dir`, naming
/// each file: e.g. `model/marketplace-entitlement/ (service-2.json, endpoint-rule-set-1.json,
/// partitions.json, paginators-1.json)`.
pub fn model_files(model_dir: &str, has_paginators: bool) -> String {
    let paginators = if has_paginators {
        ", paginators-1.json"
    } else {
        ""
    };
    format!("{model_dir}/ (service-2.json, endpoint-rule-set-1.json, partitions.json{paginators})")
}

/// The rule set of a model that ships none: an explicit endpoint, or an error
/// saying one is needed.
const NO_RULE_SET: &str = r#"{
  "version": "1.0",
  "parameters": {
    "Region": { "builtIn": "AWS::Region", "required": false, "type": "String",
                "documentation": "The AWS region used to dispatch the request." },
    "UseFIPS": { "builtIn": "AWS::UseFIPS", "required": true, "default": false, "type": "Boolean",
                 "documentation": "When true, send this request to the FIPS-compliant regional endpoint." },
    "UseDualStack": { "builtIn": "AWS::UseDualStack", "required": true, "default": false, "type": "Boolean",
                      "documentation": "When true, use the dual-stack endpoint." },
    "Endpoint": { "builtIn": "SDK::Endpoint", "required": false, "type": "String",
                  "documentation": "Override the endpoint used to send this request" }
  },
  "rules": [
    { "conditions": [{ "fn": "isSet", "argv": [{ "ref": "Endpoint" }] }], "type": "endpoint",
      "endpoint": { "url": { "ref": "Endpoint" } } },
    { "conditions": [], "type": "error",
      "error": "This service model ships no endpoint rule set: configure an endpoint URL" }
  ]
}"#;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate root, with `/` separators, e.g. `src/types/_tag.rs`.
    pub path: String,
    /// The whole file.
    pub contents: String,
}

/// Why a model could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Generates every file of the crate's `src/`, sorted by path.
pub fn generate(input: &Input<'_>) -> Result<Vec<GeneratedFile>, Error> {
    let model: model::Model = serde_json::from_str(input.service_json)
        .map_err(|error| Error(format!("the service model does not parse: {error}")))?;
    let service = lower::lower(&model, input).map_err(|error| in_service(&model, error))?;
    let rules = endpoint::lower(
        input.endpoint_rule_set_json.unwrap_or(NO_RULE_SET),
        input.partitions_json,
    )?;
    emit::emit(&service, &rules).map_err(|error| in_service(&model, error))
}

/// `error`, prefixed with the service it concerns, so a message read among many models'
/// (`cargo xtask sweep`) says which one failed.
fn in_service(model: &model::Model, error: Error) -> Error {
    let metadata = &model.metadata;
    let name = metadata
        .service_id
        .as_deref()
        .unwrap_or(&metadata.endpoint_prefix);
    Error(format!("service `{name}`: {error}"))
}

/// Generates the runtime's own partition table, `src/endpoint/partitions_table.rs` of
/// `marketplace-sdk-runtime` (the returned path is relative to the runtime crate's root), from the text
/// of botocore's `partitions.json`. `origin` names that file in the header, e.g.
/// `model/meteringmarketplace/partitions.json`.
///
/// The runtime's credential providers find STS with it: they are built before any service
/// crate, and so any service crate's table, is known. It is printed by the same emitter as
/// the service crates' `src/endpoint/partitions.rs`, so the two tables cannot drift apart
/// when both are generated from one `partitions.json`.
pub fn runtime_partitions(partitions_json: &str, origin: &str) -> Result<GeneratedFile, Error> {
    let partitions = endpoint::parse_partitions(partitions_json)?;
    // `partition::resolve` falls back to `aws` for regions no partition claims.
    if !partitions.iter().any(|partition| partition.id == "aws") {
        return Err(Error(
            "partitions.json has no `aws` partition, which unknown regions resolve to".into(),
        ));
    }
    emit::runtime_partitions(&lower::header(origin), &partitions)
}
