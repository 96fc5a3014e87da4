//! [`describe`]: the public surface of the crate the generator makes from a model, as plain
//! data read off the IR, so two models can be compared the way the crate's users see them.

use serde::Serialize;
use std::collections::BTreeMap;

use crate::ir::{self, Kind, Type, TypeDef};
use crate::names::bare;
use crate::{lower, model, Error, Input};

/// The public API of the crate generated from one model.
///
/// Everything is keyed the way users reach it: operations by model name (which decides the
/// `Client` method and the module), types and exceptions by Rust name. A shape that is
/// renamed in the model but keeps its Rust name is the same entry here; a member that moves
/// to another shape of the same Rust type keeps its `rust_type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiSurface {
    /// The service-wide facts the crate compiles in.
    pub service: ServiceApi,
    /// Operations, by model name.
    pub operations: BTreeMap<String, OperationApi>,
    /// The types in `types`, by Rust name.
    pub types: BTreeMap<String, TypeApi>,
    /// The exceptions in `types::error`, by Rust name.
    pub exceptions: BTreeMap<String, ExceptionApi>,
}

/// The model's metadata as the generated client uses it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceApi {
    /// `metadata.serviceId` (or the endpoint prefix): names the endpoint-URL environment
    /// variable and profile section the configuration reads.
    pub service_id: String,
    /// The SigV4 signing name.
    pub signing_name: String,
    /// The `X-Amz-Target` prefix.
    pub target_prefix: String,
    /// The protocol the crate speaks, by its Smithy name, e.g. `awsJson1_1`.
    pub protocol: String,
    /// The protocols the model lists, in its order of preference, e.g.
    /// `["smithy-rpc-v2-cbor", "json"]`.
    pub model_protocols: Vec<String>,
    /// A hash of the crate docs taken from the model.
    pub docs_hash: u64,
}

/// One operation: a `Client` method, a module with input, output, error enum and builder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationApi {
    /// The model's name, e.g. `MeterUsage`.
    pub name: String,
    /// The `Client` method and `operation` module, e.g. `meter_usage`.
    pub method: String,
    /// The generated file, e.g. `src/operation/meter_usage.rs`.
    pub file: String,
    /// The deprecation note, when deprecated.
    pub deprecated: Option<String>,
    /// A hash of the operation's docs.
    pub docs_hash: u64,
    /// `<Operation>Input`.
    pub input: StructureApi,
    /// `<Operation>Output`.
    pub output: StructureApi,
    /// `<Operation>Error`.
    pub error_enum: String,
    /// The modeled errors: the variants of the error enum besides `Unhandled`, in model order.
    pub errors: Vec<String>,
    /// The paginator `into_paginator()` makes, when `paginators-1.json` has one.
    pub paginator: Option<PaginatorApi>,
}

/// An operation's paginator: the `<Operation>Paginator` type and how its pages follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaginatorApi {
    /// The type `into_paginator()` returns.
    pub name: String,
    /// Each token as `output path → input member`, e.g. `NextToken → NextToken`.
    pub tokens: Vec<String>,
    /// The Rust type `page_size` takes, when the model has a `limit_key`.
    pub page_size: Option<String>,
    /// The `more_results` member path.
    pub more_results: Option<String>,
    /// The result keys, in the model's order.
    pub result_keys: Vec<String>,
    /// The Rust type of the items `items()` yields, when the first result key is a list or map.
    pub item: Option<String>,
    /// The non-aggregate keys.
    pub non_aggregate_keys: Vec<String>,
}

/// A generated struct: an operation input or output, a type, or an exception's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StructureApi {
    /// The Rust name.
    pub name: String,
    /// Checked before sending (reachable from an operation input): `required`, lengths and
    /// ranges of its members are enforced by `build()`/`send()`.
    pub validated: bool,
    /// A hash of the struct's docs.
    pub docs_hash: u64,
    /// The fields, in model order.
    pub members: Vec<MemberApi>,
}

/// A field of a generated struct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberApi {
    /// The Rust field, getter and setter name.
    pub field: String,
    /// The JSON key.
    pub wire_name: String,
    /// The field's type exactly as generated, with short paths:
    /// `Option<Vec<types::UsageRecord>>`.
    pub rust_type: String,
    /// The model marks it required (enforced client-side when the struct is validated).
    pub required: bool,
    /// min/max/pattern at each level of the value.
    pub constraints: Vec<Constraint>,
    /// The deprecation note, when deprecated.
    pub deprecated: Option<String>,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// Filled with a fresh UUID by the SDK when unset.
    pub idempotency_token: bool,
    /// A hash of the member's docs.
    pub docs_hash: u64,
}

/// The model's constraints at one level of a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Constraint {
    /// Where in the value: `""` for the value itself, then `[]` per list level and `{}` per
    /// map level, e.g. `[]` for each element of a list; `{key}` for the keys of a map.
    pub at: String,
    /// What the generated validation does with `min`/`max` at this level.
    pub check: Check,
    /// `min` as the model gives it.
    pub min: Option<f64>,
    /// `max` as the model gives it.
    pub max: Option<f64>,
    /// `pattern` as the model gives it. Never checked client-side.
    pub pattern: Option<String>,
}

/// How the generated code checks `min`/`max` of a value of some kind (mirrors
/// `emit::validate_value`): only in structs that are [`StructureApi::validated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Check {
    /// Length of a string (characters), blob (bytes), list or map; a bound of 0 or less is
    /// no bound.
    Length,
    /// Value of a number.
    Range,
    /// Not checked (booleans, timestamps, documents, enums, structures, unions).
    Unchecked,
}

impl Constraint {
    /// The lower bound the generated code enforces.
    pub fn effective_min(&self) -> Option<f64> {
        self.effective(self.min)
    }

    /// The upper bound the generated code enforces.
    pub fn effective_max(&self) -> Option<f64> {
        self.effective(self.max)
    }

    fn effective(&self, bound: Option<f64>) -> Option<f64> {
        match self.check {
            // `emit::limit_u64`: `value as u64`, and only above 0.
            Check::Length => bound.filter(|b| *b > 0.0).map(f64::trunc),
            Check::Range => bound,
            Check::Unchecked => None,
        }
    }
}

/// A type in `types`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TypeApi {
    /// A struct with a builder.
    Structure(TypeFile<StructureApi>),
    /// An open string enum.
    Enum(TypeFile<EnumApi>),
    /// A union enum.
    Union(TypeFile<UnionApi>),
}

/// A type and the file it is generated into.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeFile<T> {
    /// E.g. `src/types/_usage_record.rs`.
    pub file: String,
    /// The type.
    pub def: T,
}

impl TypeApi {
    /// `struct`, `enum` or `union`.
    pub fn kind(&self) -> &'static str {
        match self {
            TypeApi::Structure(_) => "struct",
            TypeApi::Enum(_) => "enum",
            TypeApi::Union(_) => "union",
        }
    }

    /// The generated file.
    pub fn file(&self) -> &str {
        match self {
            TypeApi::Structure(t) => &t.file,
            TypeApi::Enum(t) => &t.file,
            TypeApi::Union(t) => &t.file,
        }
    }
}

/// An open string enum: known values, plus `Unknown` for the rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumApi {
    /// The Rust name.
    pub name: String,
    /// A hash of the enum's docs.
    pub docs_hash: u64,
    /// The known values, in model order.
    pub values: Vec<EnumValueApi>,
}

/// A known value of an enum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnumValueApi {
    /// The variant.
    pub variant: String,
    /// The string on the wire.
    pub value: String,
}

/// A union: one variant per member, plus `Unknown`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionApi {
    /// The Rust name.
    pub name: String,
    /// Checked before sending (reachable from an operation input).
    pub validated: bool,
    /// A hash of the union's docs.
    pub docs_hash: u64,
    /// The variants, in model order.
    pub variants: Vec<UnionVariantApi>,
}

/// A variant of a union.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionVariantApi {
    /// The variant name.
    pub variant: String,
    /// The JSON key.
    pub wire_name: String,
    /// The accessor, `as_<member>`.
    pub accessor: String,
    /// The payload type as generated: `String`, `Box<types::Choice>`.
    pub rust_type: String,
    /// min/max/pattern at each level of the value.
    pub constraints: Vec<Constraint>,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// A hash of the member's docs.
    pub docs_hash: u64,
}

/// An exception: a struct in `types::error`, a variant of `crate::Error`, and a variant of
/// the error enum of each operation that lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExceptionApi {
    /// The generated file, e.g. `src/types/error/_throttling_exception.rs`.
    pub file: String,
    /// The error code the service sends.
    pub code: String,
    /// A server fault (`is_fault()`).
    pub fault: bool,
    /// Its fields.
    pub structure: StructureApi,
}

/// Lowers `service_json` the way `codegen::generate` does and describes the public API of
/// the result. Fails where `generate` would. Without paginators: see [`describe_model`].
pub fn describe(service_json: &str) -> Result<ApiSurface, Error> {
    describe_model(service_json, None)
}

/// [`describe`] with the model's `paginators-1.json`, whose paginators are API too.
pub fn describe_model(
    service_json: &str,
    paginators_json: Option<&str>,
) -> Result<ApiSurface, Error> {
    let model: model::Model = serde_json::from_str(service_json)
        .map_err(|error| Error(format!("the service model does not parse: {error}")))?;
    // Only the header and the User-Agent depend on these; neither is API.
    let input = Input {
        service_json,
        origin: "",
        crate_name: "crate",
        crate_version: "0.0.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json,
    };
    let service = lower::lower(&model, &input).map_err(|error| crate::in_service(&model, error))?;
    Ok(surface(&service))
}

fn surface(service: &ir::Service) -> ApiSurface {
    let operations = service
        .operations
        .iter()
        .map(|op| {
            let api = OperationApi {
                name: op.wire_name.clone(),
                method: op.module.clone(),
                file: format!("src/operation/{}.rs", bare(&op.module)),
                deprecated: op.deprecated.clone(),
                docs_hash: docs_hash(&op.docs),
                input: structure(&op.input),
                output: structure(&op.output),
                error_enum: op.error_name.clone(),
                errors: op.errors.iter().map(|e| e.variant.clone()).collect(),
                paginator: op.paginator.as_ref().map(paginator),
            };
            (op.wire_name.clone(), api)
        })
        .collect();
    let types = service
        .types
        .iter()
        .map(|def| {
            let file = format!("src/types/{}.rs", def.file());
            let api = match def {
                TypeDef::Structure(s) => TypeApi::Structure(TypeFile {
                    file,
                    def: structure(s),
                }),
                TypeDef::Enum(e) => TypeApi::Enum(TypeFile {
                    file,
                    def: EnumApi {
                        name: e.name.clone(),
                        docs_hash: docs_hash(&e.docs),
                        values: e
                            .variants
                            .iter()
                            .map(|v| EnumValueApi {
                                variant: v.name.clone(),
                                value: v.value.clone(),
                            })
                            .collect(),
                    },
                }),
                TypeDef::Union(u) => TypeApi::Union(TypeFile {
                    file,
                    def: UnionApi {
                        name: u.name.clone(),
                        validated: u.validated,
                        docs_hash: docs_hash(&u.docs),
                        variants: u
                            .variants
                            .iter()
                            .map(|v| UnionVariantApi {
                                variant: v.name.clone(),
                                wire_name: v.wire_name.clone(),
                                accessor: v.accessor.clone(),
                                rust_type: boxed(rust_type(&v.ty), v.boxed),
                                constraints: constraints(&v.ty),
                                sensitive: v.sensitive,
                                docs_hash: docs_hash(&v.docs),
                            })
                            .collect(),
                    },
                }),
            };
            (def.name().to_owned(), api)
        })
        .collect();
    let exceptions = service
        .exceptions
        .iter()
        .map(|e| {
            let api = ExceptionApi {
                file: format!("src/types/error/{}.rs", e.structure.file),
                code: e.code.clone(),
                fault: e.fault,
                structure: structure(&e.structure),
            };
            (e.structure.name.clone(), api)
        })
        .collect();
    ApiSurface {
        service: ServiceApi {
            service_id: service.service_id.clone(),
            signing_name: service.signing_name.clone(),
            target_prefix: service.target_prefix.clone(),
            protocol: service.protocol.name().to_owned(),
            model_protocols: service.model_protocols.clone(),
            docs_hash: docs_hash(&service.docs),
        },
        operations,
        types,
        exceptions,
    }
}

fn paginator(p: &ir::Paginator) -> PaginatorApi {
    let item = p.items.as_ref().map(|items| match &items.key.ty.kind {
        Kind::List { member, sparse } => sparse_element(member, *sparse),
        Kind::Map { value, sparse, .. } => format!("(String, {})", sparse_element(value, *sparse)),
        _ => rust_type(&items.key.ty),
    });
    PaginatorApi {
        name: p.name.clone(),
        tokens: p
            .tokens
            .iter()
            .map(|t| format!("{} → {}", t.output.wire, t.input.wire_name))
            .collect(),
        page_size: p.limit.as_ref().map(|limit| rust_type(&limit.ty)),
        more_results: p.more_results.as_ref().map(|more| more.wire.clone()),
        result_keys: p.result_keys.iter().map(|key| key.wire.clone()).collect(),
        item,
        non_aggregate_keys: p.non_aggregate_keys.clone(),
    }
}

fn structure(s: &ir::Structure) -> StructureApi {
    StructureApi {
        name: s.name.clone(),
        validated: s.validated,
        docs_hash: docs_hash(&s.docs),
        members: s
            .members
            .iter()
            .map(|m| MemberApi {
                field: m.field.clone(),
                wire_name: m.wire_name.clone(),
                // Every field is an `Option` (emit::shapes::field_type), whatever `required`
                // says: requiredness is checked when sending, not by the type system.
                rust_type: format!("Option<{}>", boxed(rust_type(&m.ty), m.boxed)),
                required: m.required,
                constraints: constraints(&m.ty),
                deprecated: m.deprecated.clone(),
                sensitive: m.sensitive,
                idempotency_token: m.idempotency_token,
                docs_hash: docs_hash(&m.docs),
            })
            .collect(),
    }
}

fn boxed(ty: String, boxed: bool) -> String {
    if boxed {
        format!("Box<{ty}>")
    } else {
        ty
    }
}

/// The Rust type of a value, as `emit::rust_type` prints it but with short paths:
/// `String`, `Vec<T>`, `HashMap<String, T>`, `Option<T>` for sparse elements, the
/// `primitives` by name (`DateTime`, `Blob`, `Document`) and the `types` as `types::Name`.
pub(crate) fn rust_type(ty: &Type) -> String {
    match &ty.kind {
        Kind::String => "String".into(),
        Kind::Boolean => "bool".into(),
        Kind::Byte => "i8".into(),
        Kind::Short => "i16".into(),
        Kind::Integer => "i32".into(),
        Kind::Long => "i64".into(),
        Kind::Float => "f32".into(),
        Kind::Double => "f64".into(),
        Kind::Timestamp(_) => "DateTime".into(),
        Kind::Blob => "Blob".into(),
        Kind::Document => "Document".into(),
        Kind::List { member, sparse } => format!("Vec<{}>", sparse_element(member, *sparse)),
        Kind::Map { value, sparse, .. } => {
            format!("HashMap<String, {}>", sparse_element(value, *sparse))
        }
        // Qualified: a model shape may be called `String` or `Vec`.
        Kind::Named { name, .. } => format!("types::{name}"),
    }
}

fn sparse_element(ty: &Type, sparse: bool) -> String {
    if sparse {
        format!("Option<{}>", rust_type(ty))
    } else {
        rust_type(ty)
    }
}

/// The constraints at every level of a value, outermost first.
fn constraints(ty: &Type) -> Vec<Constraint> {
    let mut out = Vec::new();
    collect_constraints(ty, String::new(), &mut out);
    out
}

fn collect_constraints(ty: &Type, at: String, out: &mut Vec<Constraint>) {
    let check = match &ty.kind {
        Kind::String | Kind::Blob | Kind::List { .. } | Kind::Map { .. } => Check::Length,
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double => {
            Check::Range
        }
        // Enums are not checked; structures and unions check their own members.
        Kind::Boolean | Kind::Timestamp(_) | Kind::Document | Kind::Named { .. } => {
            Check::Unchecked
        }
    };
    out.push(Constraint {
        at: at.clone(),
        check,
        min: ty.min,
        max: ty.max,
        pattern: ty.pattern.clone(),
    });
    match &ty.kind {
        Kind::List { member, .. } => collect_constraints(member, format!("{at}[]"), out),
        Kind::Map { key, value, .. } => {
            collect_constraints(key, format!("{at}{{key}}"), out);
            collect_constraints(value, format!("{at}{{}}"), out);
        }
        _ => {}
    }
}

/// FNV-1a over the doc lines: stable across runs, platforms and Rust versions (std's
/// hasher promises none of that), and plenty to tell "changed" from "unchanged".
fn docs_hash(lines: &[String]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, line) in lines.iter().enumerate() {
        let separator: &[u8] = if i == 0 { b"" } else { b"\n" };
        for byte in separator.iter().chain(line.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_hash_is_fnv1a() {
        // The FNV-1a 64 test vectors.
        assert_eq!(docs_hash(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(docs_hash(&["a".into()]), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(
            docs_hash(&["a".into(), "b".into()]),
            docs_hash(&["ab".into()])
        );
    }

    #[test]
    fn effective_bounds_follow_the_validation() {
        let c = |check, min, max| Constraint {
            at: String::new(),
            check,
            min,
            max,
            pattern: None,
        };
        assert_eq!(c(Check::Length, Some(0.0), None).effective_min(), None);
        assert_eq!(c(Check::Length, Some(1.0), None).effective_min(), Some(1.0));
        assert_eq!(c(Check::Range, Some(0.0), None).effective_min(), Some(0.0));
        assert_eq!(c(Check::Unchecked, None, Some(5.0)).effective_max(), None);
    }
}
