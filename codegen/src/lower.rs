//! Lowering: the parsed model becomes the IR. Every naming, typing, doc and
//! error-set decision is made here, once.

use crate::docs::html_to_markdown;
use crate::ir::*;
use crate::model::{self, Model};
use crate::names::{bare, camel, snake, unique};
use crate::{Error, Input};
use std::collections::{BTreeMap, BTreeSet};

/// Members the model does not mark `sensitive` that are secrets all the same, so
/// `Debug` must not print them: (shape, member, why).
const SENSITIVE_MEMBERS: &[(&str, &str, &str)] = &[(
    "ResolveCustomerRequest",
    "RegistrationToken",
    "a buyer's registration token grants access to their subscription",
)];

/// Method names a member's field, setter or getter must not take.
const RESERVED_METHODS: &[&str] = &[
    "build",
    "builder",
    "validate",
    "meta",
    "send",
    "as_input",
    "code",
    "request_id",
    // The fluent builder's way to the operation's paginator.
    "into_paginator",
    // A builder's `fn add(mut self, input: T) -> Self` looks to clippy like `std::ops::Add::add`
    // (`should_implement_trait`; ecs's `KernelCapabilities.add`): so would these.
    "add",
    "sub",
    "mul",
    "div",
    "rem",
    "shl",
    "shr",
    "bitand",
    "bitor",
    "bitxor",
];

/// Method names the generated `Client` has besides one per operation (`clone` from
/// its derive): an operation named like one gets a numbered method and module.
const CLIENT_METHODS: &[&str] = &["from_conf", "config", "send", "clone"];

/// Variant names the error enums keep for themselves.
const RESERVED_ERROR_VARIANTS: &[&str] =
    &["Unhandled", "Validation", "Config", "Transport", "Response"];

/// Doc line for model elements without documentation.
const NO_DOCS: &str = "*The model has no documentation for this.*";

/// What each shape is used as.
struct Roles {
    /// Shapes that become types in `types` (reachable, referenced as members).
    types: BTreeSet<String>,
    /// Exception shapes any operation can return.
    exceptions: BTreeSet<String>,
    /// Shapes reachable from an operation input: they are validated before sending.
    in_inputs: BTreeSet<String>,
}

struct Lowering<'m> {
    model: &'m Model,
    /// The operations the crate has, in model order.
    operations: Vec<(&'m str, &'m model::Operation)>,
    /// Shape name → Rust type name, for shapes in `types`.
    type_names: BTreeMap<String, String>,
    /// Shape name → Rust type name, for exceptions.
    exception_names: BTreeMap<String, String>,
    /// Shape or operation name → intra-doc link target.
    links: BTreeMap<String, String>,
    /// Operation name → its `Client` method and `operation` module name.
    operation_modules: BTreeMap<String, String>,
    /// Structure/union edges that need a `Box`: (containing shape, member).
    boxed: BTreeSet<(String, String)>,
}

/// Lowers a parsed model.
pub fn lower(model: &Model, input: &Input<'_>) -> Result<Service, Error> {
    let metadata = &model.metadata;
    let (protocol, model_protocols) = choose_protocol(metadata)?;
    let target_prefix = metadata
        .target_prefix
        .clone()
        .ok_or_else(|| Error("metadata.targetPrefix is missing; awsJson needs it".into()))?;

    let mut included = Vec::new();
    let mut omitted = Vec::new();
    for (name, operation) in &model.operations.0 {
        match unsupported(model, operation)? {
            Some(reason) => omitted.push(OmittedOperation {
                wire_name: name.clone(),
                reason,
            }),
            None => included.push((name.as_str(), operation)),
        }
    }
    let roles = roles(model, &included)?;
    let mut lowering = Lowering {
        model,
        operations: included,
        type_names: BTreeMap::new(),
        exception_names: BTreeMap::new(),
        links: BTreeMap::new(),
        operation_modules: BTreeMap::new(),
        boxed: boxed_edges(model),
    };
    lowering.name_shapes(&roles);

    let mut operations = Vec::new();
    for &(name, operation) in &lowering.operations {
        operations.push(lowering.operation(name, operation)?);
    }
    let mut types = Vec::new();
    for (name, shape) in &model.shapes.0 {
        if roles.types.contains(name) {
            types.push(lowering.type_def(name, shape, roles.in_inputs.contains(name))?);
        }
    }
    let mut exceptions = Vec::new();
    for (name, shape) in &model.shapes.0 {
        if roles.exceptions.contains(name) {
            exceptions.push(lowering.exception(name, shape)?);
        }
    }
    let mut service = Service {
        header: header(input.origin),
        user_agent: format!(
            "{}/{}",
            input.crate_name.replace('_', "-"),
            input.crate_version
        ),
        service_id: metadata
            .service_id
            .clone()
            .unwrap_or_else(|| metadata.endpoint_prefix.clone()),
        signing_name: metadata
            .signing_name
            .clone()
            .unwrap_or_else(|| metadata.endpoint_prefix.clone()),
        target_prefix,
        query_compatible: metadata.aws_query_compatible.is_some(),
        protocol,
        model_protocols,
        docs: lowering.docs(model.documentation.as_deref()),
        operations,
        omitted,
        types,
        exceptions,
        omitted_paginators: Vec::new(),
    };
    if let Some(json) = input.paginators_json {
        crate::paginators::lower(&mut service, model, json)?;
    }
    Ok(service)
}

/// Why the crate cannot have an operation yet, if it cannot: what it needs is not in the
/// runtime (event streams, endpoint discovery, an auth scheme other than SigV4 or none).
/// Such an operation is left out, and the crate docs list it.
fn unsupported(model: &Model, operation: &model::Operation) -> Result<Option<String>, Error> {
    for (side, shape_ref) in [("input", &operation.input), ("output", &operation.output)] {
        let Some(shape_ref) = shape_ref else { continue };
        for name in reachable(model, vec![shape_ref.shape.clone()])? {
            if shape(model, &name)?.eventstream {
                return Ok(Some(format!(
                    "its {side} has an event stream (`{name}`), which this SDK cannot send or read yet"
                )));
            }
        }
    }
    if let Err(reason) = resolve_auth(&model.metadata, operation) {
        return Ok(Some(reason));
    }
    if operation
        .endpointdiscovery
        .as_ref()
        .is_some_and(|d| d.required)
    {
        return Ok(Some(
            "it needs endpoint discovery, which this SDK does not do yet".into(),
        ));
    }
    Ok(None)
}

/// How an operation's requests are authenticated, as botocore 1.44.8 decides it
/// (`OperationModel.resolved_auth_type`, `ClientCreator` for the service): the operation's
/// `auth` list if it has a non-empty one, else its `authtype`, else the service's `auth`
/// list, else its `signatureVersion`. `Err` says why the runtime cannot send it.
fn resolve_auth(metadata: &model::Metadata, operation: &model::Operation) -> Result<Auth, String> {
    if let Some(list) = operation.auth.as_ref().filter(|list| !list.is_empty()) {
        return resolve_auth_list(list);
    }
    if let Some(authtype) = &operation.authtype {
        return match authtype.as_str() {
            "none" => Ok(Auth::NoAuth),
            "v4" => Ok(Auth::SigV4),
            other => Err(format!(
                "its `authtype` `{other}` is not one this SDK signs with (only `v4` and `none`)"
            )),
        };
    }
    if let Some(list) = metadata.auth.as_ref().filter(|list| !list.is_empty()) {
        return resolve_auth_list(list);
    }
    match metadata.signature_version.as_deref() {
        None | Some("v4") => Ok(Auth::SigV4),
        Some(other) => Err(format!(
            "the service's `signatureVersion` `{other}` is not one this SDK signs with (only `v4`)"
        )),
    }
}

/// The first scheme of an `auth` list the runtime can use, as botocore's
/// `resolve_auth_type` picks it without the optional `awscrt`: `smithy.api#noAuth` and
/// `aws.auth#sigv4` are taken, `aws.auth#sigv4a` is passed over (botocore needs `awscrt`
/// for it); a bearer token, which botocore would use, or a scheme botocore does not know
/// (it raises `UnknownSignatureVersionError`) is refused.
fn resolve_auth_list(list: &[String]) -> Result<Auth, String> {
    for scheme in list {
        match scheme.as_str() {
            "smithy.api#noAuth" => return Ok(Auth::NoAuth),
            "aws.auth#sigv4" => return Ok(Auth::SigV4),
            "aws.auth#sigv4a" => continue,
            "smithy.api#httpBearerAuth" => {
                return Err(
                    "it is authenticated with a bearer token (`smithy.api#httpBearerAuth`), \
                     which this SDK does not do yet"
                        .into(),
                )
            }
            other => return Err(format!("its auth scheme `{other}` is unknown to this SDK")),
        }
    }
    Err(format!(
        "none of its auth schemes ({}) is one this SDK signs with (`aws.auth#sigv4` or \
         `smithy.api#noAuth`)",
        list.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// An operation's host prefix (`endpoint.hostPrefix`), checked: its `{Label}`s name input
/// members marked `hostLabel` that are strings, and its text is what a host name may hold.
fn host_prefix(
    model: &Model,
    name: &str,
    operation: &model::Operation,
    input: &Structure,
) -> Result<Option<HostPrefix>, Error> {
    let Some(template) = operation
        .endpoint
        .as_ref()
        .and_then(|e| e.host_prefix.as_ref())
    else {
        return Ok(None);
    };
    let context = format!("operation `{name}`: endpoint.hostPrefix `{template}`");
    let input_shape = operation
        .input
        .as_ref()
        .map(|r| shape(model, &r.shape).map(|s| (r.shape.as_str(), s)))
        .transpose()?;
    let mut labels = Vec::new();
    if let Some((shape_name, input_shape)) = input_shape {
        let members = input_shape.members.as_ref().map_or(&[][..], |m| &m.0[..]);
        for (member_name, member) in members.iter().filter(|(_, m)| m.host_label) {
            let field = input
                .members
                .iter()
                .find(|m| &m.wire_name == member_name)
                .ok_or_else(|| {
                    Error(format!(
                        "{context}: `{shape_name}.{member_name}` has no field"
                    ))
                })?;
            if !matches!(field.ty.kind, Kind::String)
                || shape(model, &member.shape)?.kind != "string"
            {
                return Err(Error(format!(
                    "{context}: the host label `{shape_name}.{member_name}` is not a string"
                )));
            }
            labels.push(HostLabel {
                wire_name: member_name.clone(),
                field: field.field.clone(),
            });
        }
    }
    let mut parts = Vec::new();
    let mut rest = template.as_str();
    while !rest.is_empty() {
        let (text, after) = match rest.find(['{', '}']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if !text.is_empty() {
            if let Some(bad) = text
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
            {
                return Err(Error(format!(
                    "{context}: `{bad}` cannot be part of a host name"
                )));
            }
            parts.push(HostPrefixPart::Text(text.to_owned()));
        }
        if after.is_empty() {
            break;
        }
        let label = after
            .strip_prefix('{')
            .and_then(|after| after.split_once('}'))
            .filter(|(label, _)| !label.is_empty() && !label.contains('{'));
        let Some((label, after)) = label else {
            return Err(Error(format!(
                "{context}: a `{{` or `}}` that does not enclose a label name"
            )));
        };
        let Some(host_label) = labels.iter().find(|l| l.wire_name == label) else {
            let input = input_shape.map_or("(none)", |(name, _)| name);
            return Err(Error(format!(
                "{context}: `{{{label}}}` is not a member of the input `{input}` marked hostLabel"
            )));
        };
        parts.push(HostPrefixPart::Label(host_label.clone()));
        rest = after;
    }
    Ok(Some(HostPrefix {
        template: template.clone(),
        parts,
        labels,
    }))
}

/// The first protocol the model lists that the runtime speaks (botocore's `json`, with
/// `jsonVersion` 1.0 or 1.1), and the protocols the model lists: `metadata.protocols` in its
/// order of preference, or else `metadata.protocol`. Models moving to Smithy RPC v2 CBOR list
/// it first and `json` second.
fn choose_protocol(metadata: &model::Metadata) -> Result<(Protocol, Vec<String>), Error> {
    let listed: Vec<String> = match (&metadata.protocols, &metadata.protocol) {
        (Some(list), _) if !list.is_empty() => list.clone(),
        (_, Some(one)) => vec![one.clone()],
        _ => {
            return Err(Error(
                "metadata lists no protocol (neither `protocols` nor `protocol`)".into(),
            ))
        }
    };
    if listed.iter().any(|p| p == "json") {
        let protocol = match metadata.json_version.as_deref() {
            None | Some("1.0") => Protocol::AwsJson1_0,
            Some("1.1") => Protocol::AwsJson1_1,
            Some(other) => {
                return Err(Error(format!(
                "protocol `json` with jsonVersion `{other}` is not supported: only 1.0 and 1.1 are"
            )))
            }
        };
        return Ok((protocol, listed));
    }
    let names = listed
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (what, verb) = match listed.len() {
        1 => ("protocol", "is"),
        _ => ("protocols", "are"),
    };
    Err(Error(format!(
        "the model's {what} {names} {verb} not supported; only `json` (awsJson 1.0/1.1) is"
    )))
}

/// The one-line header of every generated file, naming the model files it came from.
pub(crate) fn header(origin: &str) -> String {
    format!("// @generated by `cargo xtask codegen` from {origin}. Do not edit by hand.")
}

fn shape<'m>(model: &'m Model, name: &str) -> Result<&'m model::Shape, Error> {
    model
        .shapes
        .get(name)
        .ok_or_else(|| Error(format!("shape `{name}` is referenced but not defined")))
}

/// The shapes a shape's value refers to directly: members, list members, map values.
fn children(shape: &model::Shape) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    if let Some(members) = &shape.members {
        out.extend(
            members
                .0
                .iter()
                .map(|(name, m)| (name.as_str(), m.shape.as_str())),
        );
    }
    for member in [&shape.member, &shape.key, &shape.value]
        .into_iter()
        .flatten()
    {
        out.push(("", member.shape.as_str()));
    }
    out
}

fn is_named_type(shape: &model::Shape) -> bool {
    match shape.kind.as_str() {
        "structure" => !shape.document,
        "string" => shape.enum_values.is_some(),
        "union" => true,
        _ => false,
    }
}

/// Finds which shapes become types and which are exceptions, walking from the
/// operations so unused shapes generate nothing.
fn roles(model: &Model, operations: &[(&str, &model::Operation)]) -> Result<Roles, Error> {
    let mut exceptions = BTreeSet::new();
    let mut stack: Vec<String> = Vec::new();
    for (_, operation) in operations {
        for top in operation.input.iter().chain(&operation.output) {
            stack.push(top.shape.clone());
        }
        for error in &operation.errors {
            let error_shape = shape(model, &error.shape)?;
            if !error_shape.exception {
                return Err(Error(format!(
                    "`{}` is listed as an error but is not an exception",
                    error.shape
                )));
            }
            exceptions.insert(error.shape.clone());
            stack.push(error.shape.clone());
        }
    }
    // Named shapes met as members; top-level inputs, outputs and exceptions are
    // emitted in their own places unless something also nests them.
    let mut types = BTreeSet::new();
    for name in reachable(model, stack)? {
        for (_, child) in children(shape(model, &name)?) {
            if is_named_type(shape(model, child)?) {
                types.insert(child.to_owned());
            }
        }
    }
    let inputs = operations
        .iter()
        .filter_map(|(_, op)| op.input.as_ref())
        .map(|r| r.shape.clone());
    let in_inputs = reachable(model, inputs.collect())?;
    Ok(Roles {
        types,
        exceptions,
        in_inputs,
    })
}

/// Every shape reachable from `roots`, the roots included.
fn reachable(model: &Model, mut stack: Vec<String>) -> Result<BTreeSet<String>, Error> {
    let mut seen = BTreeSet::new();
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(
                children(shape(model, &name)?)
                    .into_iter()
                    .map(|(_, child)| child.to_owned()),
            );
        }
    }
    Ok(seen)
}

/// Member edges that close a cycle of directly nested structures or unions.
/// Lists and maps already put their elements on the heap, so only direct edges count.
fn boxed_edges(model: &Model) -> BTreeSet<(String, String)> {
    let direct = |name: &str| -> Vec<(String, String)> {
        let Some(shape) = model.shapes.get(name) else {
            return Vec::new();
        };
        let Some(members) = &shape.members else {
            return Vec::new();
        };
        members
            .0
            .iter()
            .filter(|(_, m)| {
                model.shapes.get(&m.shape).is_some_and(|s| {
                    matches!(s.kind.as_str(), "structure" | "union") && !s.document
                })
            })
            .map(|(member, m)| (member.clone(), m.shape.clone()))
            .collect()
    };
    let reaches = |from: &str, to: &str| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(name) = stack.pop() {
            if name == to {
                return true;
            }
            if seen.insert(name.clone()) {
                stack.extend(direct(&name).into_iter().map(|(_, target)| target));
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for (name, _) in &model.shapes.0 {
        for (member, target) in direct(name) {
            if reaches(&target, name) {
                boxed.insert((name.clone(), member));
            }
        }
    }
    boxed
}

impl Lowering<'_> {
    /// Rust names for types, exceptions and the doc links to them.
    fn name_shapes(&mut self, roles: &Roles) {
        let mut taken = Vec::new();
        let mut taken_exceptions: Vec<String> = RESERVED_ERROR_VARIANTS
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (name, _) in &self.model.shapes.0 {
            if roles.types.contains(name) {
                let rust = unique(camel(name), &mut taken);
                self.links
                    .insert(name.clone(), format!("crate::types::{rust}"));
                self.type_names.insert(name.clone(), rust);
            }
            if roles.exceptions.contains(name) {
                let rust = unique(camel(name), &mut taken_exceptions);
                self.links
                    .entry(name.clone())
                    .or_insert(format!("crate::types::error::{rust}"));
                self.exception_names.insert(name.clone(), rust);
            }
        }
        let mut taken_modules: Vec<String> = CLIENT_METHODS.iter().map(|s| s.to_string()).collect();
        for &(name, operation) in &self.operations {
            let module = unique(snake(name), &mut taken_modules);
            self.operation_modules
                .insert(name.to_owned(), module.clone());
            self.links
                .insert(name.to_owned(), format!("crate::Client::{}", bare(&module)));
            if let Some(input) = &operation.input {
                let path = format!("crate::operation::{}::{}Input", bare(&module), camel(name));
                self.links.entry(input.shape.clone()).or_insert(path);
            }
            if let Some(output) = &operation.output {
                let path = format!("crate::operation::{}::{}Output", bare(&module), camel(name));
                self.links.entry(output.shape.clone()).or_insert(path);
            }
        }
    }

    fn docs(&self, html: Option<&str>) -> Vec<String> {
        let lines = html_to_markdown(html.unwrap_or(""), &|text| self.links.get(text).cloned());
        if lines.is_empty() {
            vec![NO_DOCS.to_owned()]
        } else {
            lines
        }
    }

    fn operation(&self, name: &str, operation: &model::Operation) -> Result<Operation, Error> {
        let module = self
            .operation_modules
            .get(name)
            .cloned()
            .ok_or_else(|| Error(format!("operation `{name}` has no module name")))?;
        let base = camel(name);
        let structure_for = |shape_ref: &Option<model::ShapeRef>,
                             suffix: &str|
         -> Result<Structure, Error> {
            let rust = format!("{base}{suffix}");
            let validated = suffix == "Input";
            let role = format!(
                "The {} of [`{name}`](crate::Client::{}).",
                suffix.to_lowercase(),
                bare(&module)
            );
            match shape_ref {
                Some(r) => {
                    let model_shape = shape(self.model, &r.shape)?;
                    let mut structure = self.structure(&r.shape, model_shape, rust, validated)?;
                    // The SDK fills the idempotency tokens of an operation's input, as botocore
                    // and the other SDKs do; one nested deeper is the caller's to set.
                    if validated {
                        let members = model_shape.members.as_ref();
                        for member in &mut structure.members {
                            member.idempotency_token = members
                                .and_then(|m| m.get(&member.wire_name))
                                .is_some_and(|m| m.idempotency_token);
                        }
                    }
                    // The shape's own docs, if any, follow the line that says what it is.
                    structure.docs.retain(|line| line != NO_DOCS);
                    if !structure.docs.is_empty() {
                        structure.docs.insert(0, String::new());
                    }
                    structure.docs.insert(0, role);
                    Ok(structure)
                }
                None => Ok(Structure {
                    builder: format!("{rust}Builder"),
                    name: rust,
                    file: String::new(),
                    docs: vec![format!(
                        "The model gives `{name}` no {}.",
                        suffix.to_lowercase()
                    )],
                    members: Vec::new(),
                    validated,
                }),
            }
        };
        // An error listed twice (codecommit's `PostCommentForComparedCommit`) is one variant.
        let mut listed = BTreeSet::new();
        let errors = operation
            .errors
            .iter()
            .filter(|error| listed.insert(error.shape.as_str()))
            .map(|error| {
                let exception = shape(self.model, &error.shape)?;
                Ok(ErrorVariant {
                    variant: self.exception_names[&error.shape].clone(),
                    code: error_code(&error.shape),
                    query_code: self.query_code(exception),
                    docs: self.docs(exception.documentation.as_deref()),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let input = structure_for(&operation.input, "Input")?;
        let host_prefix = host_prefix(self.model, name, operation, &input)?;
        let auth = resolve_auth(&self.model.metadata, operation)
            .map_err(|reason| Error(format!("operation `{name}`: {reason}")))?;
        let mut docs = self.docs(operation.documentation.as_deref());
        if auth == Auth::NoAuth {
            docs.push(String::new());
            docs.push("*Sent unsigned, as the model says: it needs no credentials.*".into());
        }
        if let Some(prefix) = &host_prefix {
            docs.push(String::new());
            docs.push(format!(
                "*Sent to the endpoint's host with the prefix `{}` before it, unless \
                 `disable_host_prefix` is configured.*",
                prefix.template
            ));
        }
        let mut operation = Operation {
            wire_name: name.to_owned(),
            docs,
            deprecated: operation.deprecated.then(|| {
                operation
                    .deprecated_message
                    .clone()
                    .unwrap_or_else(|| "deprecated by the model".into())
            }),
            input,
            output: structure_for(&operation.output, "Output")?,
            error_name: format!("{base}Error"),
            fluent_name: format!("{base}FluentBuilder"),
            errors,
            auth,
            host_prefix,
            module,
            links_own_items: false,
            paginator: None,
        };
        operation.links_own_items = links_own_items(&operation);
        Ok(operation)
    }

    /// The awsQuery code of an exception of a query-compatible service (its
    /// `error.code`), if the model gives one.
    fn query_code(&self, exception: &model::Shape) -> Option<String> {
        self.model.metadata.aws_query_compatible.as_ref()?;
        exception.error.as_ref()?.code.clone()
    }

    fn type_def(
        &self,
        name: &str,
        shape: &model::Shape,
        validated: bool,
    ) -> Result<TypeDef, Error> {
        let rust = self.type_names[name].clone();
        let file = format!("_{}", bare(&snake(&rust)));
        let docs = self.docs(shape.documentation.as_deref());
        if let Some(values) = &shape.enum_values {
            let mut taken = vec!["Unknown".to_owned()];
            let variants = values
                .iter()
                .map(|value| {
                    let candidate = match camel(value) {
                        c if c == "Unknown" => "UnknownValue".to_owned(),
                        c => c,
                    };
                    EnumVariant {
                        name: unique(candidate, &mut taken),
                        value: value.clone(),
                    }
                })
                .collect();
            return Ok(TypeDef::Enum(EnumDef {
                name: rust,
                file,
                docs,
                variants,
            }));
        }
        if shape.union || shape.kind == "union" {
            let mut taken = vec!["Unknown".to_owned()];
            // Accessors are unique on their own: members `Unknown` and `unknown` would
            // both read `as_unknown`.
            let mut taken_accessors = Vec::new();
            let mut variants = Vec::new();
            for (member_name, member) in &shape
                .members
                .as_ref()
                .map_or(&[][..], |m| &m.0[..])
                .to_vec_ref()
            {
                variants.push(UnionVariant {
                    name: unique(camel(member_name), &mut taken),
                    accessor: unique(
                        format!("as_{}", bare(&snake(member_name))),
                        &mut taken_accessors,
                    ),
                    wire_name: member_name.to_string(),
                    ty: self.member_type(member)?,
                    docs: self.docs(member.documentation.as_deref()),
                    sensitive: is_sensitive(self.model, member),
                    boxed: self
                        .boxed
                        .contains(&(name.to_owned(), member_name.to_string())),
                });
            }
            return Ok(TypeDef::Union(UnionDef {
                name: rust,
                file,
                docs,
                variants,
                validated,
            }));
        }
        Ok(TypeDef::Structure(
            self.structure(name, shape, rust, validated)?,
        ))
    }

    fn exception(&self, name: &str, shape: &model::Shape) -> Result<Exception, Error> {
        let rust = self.exception_names[name].clone();
        let structure = self.structure(name, shape, rust, false)?;
        let message_field = structure
            .members
            .iter()
            .find(|m| {
                m.wire_name.eq_ignore_ascii_case("message") && matches!(m.ty.kind, Kind::String)
            })
            .map(|m| m.field.clone());
        Ok(Exception {
            structure,
            code: error_code(name),
            fault: shape.fault,
            message_field,
        })
    }

    fn structure(
        &self,
        name: &str,
        shape: &model::Shape,
        rust: String,
        validated: bool,
    ) -> Result<Structure, Error> {
        if shape.kind != "structure" {
            return Err(Error(format!(
                "`{name}` is used as a structure but is a {}",
                shape.kind
            )));
        }
        let mut taken: Vec<String> = RESERVED_METHODS.iter().map(|s| s.to_string()).collect();
        let mut members = Vec::new();
        let entries = shape.members.as_ref().map_or(&[][..], |m| &m.0[..]);
        for (member_name, member) in entries {
            let target = shape_of(self.model, &member.shape)?;
            let field = unique_member(snake(member_name), &mut taken);
            let ty = self.member_type(member)?;
            let [_, set, get] = method_names(&field);
            let sensitive_override = SENSITIVE_MEMBERS
                .iter()
                .any(|(s, m, _)| *s == name && m == member_name);
            members.push(Member {
                wire_name: member_name.clone(),
                getter: field.clone(),
                setters: Setters {
                    name: field.clone(),
                    action: setter_action(&ty),
                    set,
                    get,
                },
                ty,
                docs: self.docs(member.documentation.as_deref()),
                required: shape.required.contains(member_name),
                sensitive: is_sensitive(self.model, member) || sensitive_override,
                // Only members of an operation input are filled (see `operation`).
                idempotency_token: false,
                deprecated: (member.deprecated || target.deprecated).then(|| {
                    member
                        .deprecated_message
                        .clone()
                        .or_else(|| target.deprecated_message.clone())
                        .unwrap_or_else(|| "deprecated by the model".into())
                }),
                boxed: self.boxed.contains(&(name.to_owned(), member_name.clone())),
                field,
            });
        }
        for required in &shape.required {
            if !members.iter().any(|m| &m.wire_name == required) {
                return Err(Error(format!(
                    "`{name}` requires `{required}`, which is not a member"
                )));
            }
        }
        Ok(Structure {
            builder: format!("{rust}Builder"),
            file: format!("_{}", bare(&snake(&rust))),
            name: rust,
            docs: self.docs(shape.documentation.as_deref()),
            members,
            validated,
        })
    }

    fn member_type(&self, member: &model::Member) -> Result<Type, Error> {
        let mut ty = self.shape_type(&member.shape)?;
        if let (Kind::Timestamp(format), Some(text)) = (&mut ty.kind, &member.timestamp_format) {
            *format = timestamp_format(text)?;
        }
        Ok(ty)
    }

    fn shape_type(&self, name: &str) -> Result<Type, Error> {
        let shape = shape_of(self.model, name)?;
        let named = |kind| {
            Ok(Kind::Named {
                name: self
                    .type_names
                    .get(name)
                    .cloned()
                    .ok_or_else(|| Error(format!("`{name}` has no type name")))?,
                kind,
            })
        };
        let kind = match shape.kind.as_str() {
            "string" if shape.enum_values.is_some() => named(NamedKind::Enum)?,
            "string" => Kind::String,
            "boolean" => Kind::Boolean,
            "byte" => Kind::Byte,
            "short" => Kind::Short,
            "integer" => Kind::Integer,
            "long" => Kind::Long,
            "float" => Kind::Float,
            "double" => Kind::Double,
            "blob" => Kind::Blob,
            "timestamp" => Kind::Timestamp(match &shape.timestamp_format {
                Some(text) => timestamp_format(text)?,
                None => TimestampFormat::EpochSeconds,
            }),
            "structure" if shape.document => Kind::Document,
            "structure" if shape.union => named(NamedKind::Union)?,
            "union" => named(NamedKind::Union)?,
            "structure" => named(NamedKind::Structure)?,
            "list" => {
                let member = shape
                    .member
                    .as_ref()
                    .ok_or_else(|| Error(format!("list `{name}` has no member")))?;
                Kind::List {
                    member: Box::new(self.member_type(member)?),
                    sparse: shape.sparse,
                }
            }
            "map" => {
                let key = shape
                    .key
                    .as_ref()
                    .ok_or_else(|| Error(format!("map `{name}` has no key")))?;
                let key_shape = shape_of(self.model, &key.shape)?;
                if key_shape.kind != "string" {
                    return Err(Error(format!(
                        "map `{name}` has non-string keys, which JSON cannot hold"
                    )));
                }
                let value = shape
                    .value
                    .as_ref()
                    .ok_or_else(|| Error(format!("map `{name}` has no value")))?;
                Kind::Map {
                    key: Box::new(Type {
                        kind: Kind::String,
                        min: key_shape.min,
                        max: key_shape.max,
                        pattern: key_shape.pattern.clone(),
                    }),
                    value: Box::new(self.member_type(value)?),
                    sparse: shape.sparse,
                }
            }
            other => {
                return Err(Error(format!(
                    "shape `{name}` has unsupported type `{other}`"
                )))
            }
        };
        Ok(Type {
            kind,
            min: shape.min,
            max: shape.max,
            pattern: shape.pattern.clone(),
        })
    }
}

/// Whether a doc printed in the operation's module links the input or output by its own
/// name, with the full path (see [`Operation::links_own_items`]).
fn links_own_items(op: &Operation) -> bool {
    let module = bare(&op.module);
    let patterns: Vec<String> = [&op.input.name, &op.output.name]
        .iter()
        .map(|name| format!("[`{name}`](crate::operation::{module}::{name})"))
        .collect();
    let structures = [&op.input, &op.output];
    let mut lines = op
        .docs
        .iter()
        .chain(structures.iter().flat_map(|s| &s.docs))
        .chain(
            structures
                .iter()
                .flat_map(|s| s.members.iter().flat_map(|m| &m.docs)),
        )
        .chain(op.errors.iter().flat_map(|e| &e.docs));
    lines.any(|line| patterns.iter().any(|p| line.contains(p.as_str())))
}

/// Whether `Debug` must redact a member's value: the member or its shape is `sensitive`,
/// or the shape is a list or map that holds sensitive values (`["secret"]` prints the
/// secret as readily as `"secret"`). Structures and unions redact their own members.
fn is_sensitive(model: &Model, member: &model::Member) -> bool {
    member.sensitive
        || model.shapes.get(&member.shape).is_some_and(|shape| {
            shape.sensitive
                || (matches!(shape.kind.as_str(), "list" | "map")
                    && [&shape.member, &shape.key, &shape.value]
                        .into_iter()
                        .flatten()
                        .any(|inner| is_sensitive(model, inner)))
        })
}

fn shape_of<'m>(model: &'m Model, name: &str) -> Result<&'m model::Shape, Error> {
    shape(model, name)
}

/// The methods a member with this field takes, without `r#`: its getter and one-value
/// setter (named like the field), `set_<field>` and `get_<field>`.
fn method_names(field: &str) -> [String; 3] {
    let plain = bare(field);
    [
        plain.to_owned(),
        format!("set_{plain}"),
        format!("get_{plain}"),
    ]
}

/// A member name whose field, setters and getters are all free.
fn unique_member(candidate: String, taken: &mut Vec<String>) -> String {
    let clashes =
        |name: &str, taken: &Vec<String>| method_names(name).iter().any(|n| taken.contains(n));
    let mut name = candidate.clone();
    let mut n = 2;
    while clashes(&name, taken) {
        name = format!("{}_{n}", bare(&candidate));
        n += 1;
    }
    taken.extend(method_names(&name));
    name
}

/// What the one-value setter of a member of this type does: sets it, appends to a list or
/// adds to a map. Strings, timestamps and blobs are taken as `impl Into<T>` where they are the
/// whole value or a list item; map values as they are, since `map("k", "v".into())` would no
/// longer compile with `impl Into`. Null elements of sparse lists and maps are `Option<T>`.
fn setter_action(ty: &Type) -> SetterAction {
    let param = |ty: &Type, into: bool, optional: bool| SetterParam {
        ty: ty.clone(),
        into: into
            && !optional
            && matches!(ty.kind, Kind::String | Kind::Timestamp(_) | Kind::Blob),
        optional,
    };
    match &ty.kind {
        Kind::List { member, sparse } => SetterAction::Append(param(member, true, *sparse)),
        Kind::Map { value, sparse, .. } => SetterAction::Insert(param(value, false, *sparse)),
        _ => SetterAction::Set(param(ty, true, false)),
    }
}

/// The code the service sends for an exception: the shape name, in JSON protocols.
fn error_code(name: &str) -> String {
    name.to_owned()
}

fn timestamp_format(text: &str) -> Result<TimestampFormat, Error> {
    match text {
        "unixTimestamp" => Ok(TimestampFormat::EpochSeconds),
        "iso8601" => Ok(TimestampFormat::Iso8601),
        other => Err(Error(format!(
            "timestampFormat `{other}` is not supported in JSON protocols"
        ))),
    }
}

/// Borrowing helper so union and structure members iterate alike.
trait ToVecRef<T> {
    fn to_vec_ref(&self) -> Vec<(&str, &T)>;
}

impl<T> ToVecRef<T> for &[(String, T)] {
    fn to_vec_ref(&self) -> Vec<(&str, &T)> {
        self.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }
}
