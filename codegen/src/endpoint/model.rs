//! `endpoint-rule-set-1.json` and `partitions.json` as serde reads them.

use crate::model::Ordered;
use serde::Deserialize;

/// An endpoint rule set.
#[derive(Debug, Deserialize)]
pub struct RuleSet {
    pub parameters: Ordered<Parameter>,
    pub rules: Vec<Rule>,
}

/// A rule-set parameter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Parameter {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub built_in: Option<String>,
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub documentation: Option<String>,
}

/// A rule: conditions, then an endpoint, an error or more rules.
#[derive(Debug, Deserialize)]
pub struct Rule {
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub endpoint: Option<EndpointDef>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A condition: a function call whose result may be bound to a name.
#[derive(Debug, Deserialize)]
pub struct Condition {
    #[serde(rename = "fn")]
    pub function: String,
    pub argv: Vec<serde_json::Value>,
    #[serde(default)]
    pub assign: Option<String>,
}

/// The endpoint a rule yields.
#[derive(Debug, Deserialize)]
pub struct EndpointDef {
    pub url: serde_json::Value,
    #[serde(default)]
    pub properties: Ordered<serde_json::Value>,
    #[serde(default)]
    pub headers: Ordered<Vec<serde_json::Value>>,
}

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

/// botocore's `partitions.json`.
#[derive(Debug, Deserialize)]
pub struct Partitions {
    pub partitions: Vec<Partition>,
}

/// One partition.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Partition {
    pub id: String,
    pub region_regex: String,
    pub regions: Ordered<RegionOutputs>,
    pub outputs: RegionOutputs,
}

/// A partition's outputs, or a region's overrides of them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionOutputs {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub dns_suffix: Option<String>,
    #[serde(default)]
    pub dual_stack_dns_suffix: Option<String>,
    #[serde(default, rename = "supportsFIPS")]
    pub supports_fips: Option<bool>,
    #[serde(default)]
    pub supports_dual_stack: Option<bool>,
    #[serde(default)]
    pub implicit_global_region: Option<String>,
}
