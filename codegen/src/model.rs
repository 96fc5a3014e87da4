//! The botocore JSON model, as serde reads it: these types mirror the file and
//! decide nothing. Unknown fields are ignored so a newer model still parses.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// `service-2.json`.
#[derive(Debug, Deserialize)]
pub struct Model {
    pub metadata: Metadata,
    #[serde(default)]
    pub documentation: Option<String>,
    pub operations: Ordered<Operation>,
    pub shapes: Ordered<Shape>,
}

/// The `metadata` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub endpoint_prefix: String,
    #[serde(default)]
    pub json_version: Option<String>,
    /// The one protocol of older models; newer ones also list `protocols`.
    #[serde(default)]
    pub protocol: Option<String>,
    /// The protocols the service speaks, the preferred first.
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
    #[serde(default)]
    pub service_id: Option<String>,
    #[serde(default)]
    pub signing_name: Option<String>,
    #[serde(default)]
    pub target_prefix: Option<String>,
    /// `awsQueryCompatible`: present (an empty object) when the service moved from the
    /// awsQuery protocol.
    #[serde(default)]
    pub aws_query_compatible: Option<serde::de::IgnoredAny>,
    /// `auth`: the service's auth schemes, the preferred first.
    #[serde(default)]
    pub auth: Option<Vec<String>>,
    /// `signatureVersion`: the service's auth in older models, e.g. `v4`.
    #[serde(default)]
    pub signature_version: Option<String>,
}

/// One entry of `operations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub deprecated_message: Option<String>,
    /// `endpoint`: a host prefix for the operation's requests.
    #[serde(default)]
    pub endpoint: Option<OperationEndpoint>,
    /// `endpointdiscovery`: the operation is sent to a discovered endpoint.
    #[serde(default)]
    pub endpointdiscovery: Option<EndpointDiscovery>,
    /// `auth`: the operation's auth schemes, the preferred first.
    #[serde(default)]
    pub auth: Option<Vec<String>>,
    /// `authtype`: the operation's auth in older models, e.g. `none`.
    #[serde(default)]
    pub authtype: Option<String>,
}

/// An operation's `endpoint` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationEndpoint {
    #[serde(default)]
    pub host_prefix: Option<String>,
}

/// An operation's `endpointdiscovery` object.
#[derive(Debug, Deserialize)]
pub struct EndpointDiscovery {
    #[serde(default)]
    pub required: bool,
}

/// A reference to a shape by name.
#[derive(Debug, Deserialize)]
pub struct ShapeRef {
    pub shape: String,
}

/// One entry of `shapes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub members: Option<Ordered<Member>>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    /// `error`: an exception's awsQuery `code` (and HTTP status), in query-compatible
    /// services.
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    #[serde(default)]
    pub member: Option<Member>,
    #[serde(default)]
    pub key: Option<Member>,
    #[serde(default)]
    pub value: Option<Member>,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub sparse: bool,
    /// An event stream (a union of events sent over one long response or request).
    #[serde(default)]
    pub eventstream: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub deprecated_message: Option<String>,
}

/// An exception shape's `error` object.
#[derive(Debug, Deserialize)]
pub struct ErrorTrait {
    /// The code the awsQuery protocol sends for it.
    #[serde(default)]
    pub code: Option<String>,
}

/// A structure member, list member, or map key/value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub shape: String,
    #[serde(default)]
    pub documentation: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub deprecated_message: Option<String>,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    /// `hostLabel`: the member's value goes into the operation's host prefix.
    #[serde(default)]
    pub host_label: bool,
}

/// `paginators-1.json`: how the operations that answer in pages are paged, as botocore's
/// `paginate.py` reads it.
#[derive(Debug, Deserialize)]
pub struct Paginators {
    /// Operation name → its paginator.
    pub pagination: Ordered<Paginator>,
}

/// One entry of `pagination`.
#[derive(Debug, Deserialize)]
pub struct Paginator {
    /// The input members that carry the tokens.
    pub input_token: OneOrMany,
    /// Where the output hands each token back: member paths, `a.b` for nested ones.
    pub output_token: OneOrMany,
    /// The input member that limits a page's size.
    #[serde(default)]
    pub limit_key: Option<String>,
    /// The boolean output member (path) that says whether more pages follow.
    #[serde(default)]
    pub more_results: Option<String>,
    /// The output members (paths) that hold the page's results.
    #[serde(default)]
    pub result_key: Option<OneOrMany>,
    /// Output members (paths) that are the same on every page.
    #[serde(default)]
    pub non_aggregate_keys: Vec<String>,
}

/// A string, or a list of them: botocore accepts either for tokens and result keys.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, in order.
    pub fn to_vec(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(one) => vec![one.as_str()],
            OneOrMany::Many(many) => many.iter().map(String::as_str).collect(),
        }
    }
}

/// A JSON object read in file order (serde_json's map would sort it), because
/// members are generated in the order the model lists them.
#[derive(Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Ordered<T> {
    /// The entry called `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OrderedVisitor<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, T)> = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, T>()? {
                    if entries.iter().any(|(seen, _)| *seen == key) {
                        return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                    }
                    entries.push((key, value));
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(OrderedVisitor(PhantomData))
    }
}
