//! The intermediate representation: the model with every Rust decision made.
//!
//! Lowering fills these types once; the emitters only print them. Names here are
//! final Rust identifiers (raw where needed); wire names are the model's.

/// The whole service.
#[derive(Debug)]
pub struct Service {
    /// The one-line header every file starts with.
    pub header: String,
    /// The crate's name and version, for the `User-Agent`.
    pub user_agent: String,
    /// `metadata.serviceId`.
    pub service_id: String,
    /// `metadata.signingName` (defaults to the endpoint prefix).
    pub signing_name: String,
    /// `metadata.targetPrefix`.
    pub target_prefix: String,
    /// `metadata.awsQueryCompatible` is present: error codes come from the
    /// `x-amzn-query-error` header, and requests say `x-amzn-query-mode: true`.
    pub query_compatible: bool,
    /// The protocol the crate speaks: the first of the model's that the runtime speaks.
    pub protocol: Protocol,
    /// The protocols the model lists (`metadata.protocols`, or `metadata.protocol`), in its
    /// order of preference.
    pub model_protocols: Vec<String>,
    /// The service's documentation, as Markdown lines.
    pub docs: Vec<String>,
    /// Operations in model order.
    pub operations: Vec<Operation>,
    /// Operations of the model that the crate leaves out, in model order: they need what
    /// the runtime does not do yet.
    pub omitted: Vec<OmittedOperation>,
    /// Shapes that become types in `types`, in model order.
    pub types: Vec<TypeDef>,
    /// Exception shapes, in model order; they become types in `types::error`.
    pub exceptions: Vec<Exception>,
    /// Paginators of `paginators-1.json` that the crate leaves out, in file order, with why:
    /// `operation` is the operation's name.
    pub omitted_paginators: Vec<OmittedOperation>,
}

impl Service {
    /// Whether some operation has a paginator.
    pub fn has_paginators(&self) -> bool {
        self.operations.iter().any(|op| op.paginator.is_some())
    }
}

/// A wire protocol the runtime speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson 1.0: botocore's `json` with `jsonVersion` 1.0.
    AwsJson1_0,
    /// awsJson 1.1: botocore's `json` with `jsonVersion` 1.1.
    AwsJson1_1,
}

impl Protocol {
    /// The awsJson version, as the runtime's `ServiceSpec` takes it.
    pub fn json_version(self) -> &'static str {
        match self {
            Protocol::AwsJson1_0 => "1.0",
            Protocol::AwsJson1_1 => "1.1",
        }
    }

    /// The protocol's Smithy name, e.g. `awsJson1_1`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::AwsJson1_0 => "awsJson1_0",
            Protocol::AwsJson1_1 => "awsJson1_1",
        }
    }
}

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// The model's name, e.g. `MeterUsage`.
    pub wire_name: String,
    /// The module under `operation`, and the `Client` method: `meter_usage`.
    pub module: String,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// The deprecation note, when the model deprecates the operation.
    pub deprecated: Option<String>,
    /// The input structure, named `<Operation>Input`.
    pub input: Structure,
    /// The output structure, named `<Operation>Output`.
    pub output: Structure,
    /// The error enum's name: `<Operation>Error`.
    pub error_name: String,
    /// The fluent builder's name: `<Operation>FluentBuilder`.
    pub fluent_name: String,
    /// The modeled exceptions, as variants of the error enum.
    pub errors: Vec<ErrorVariant>,
    /// How its requests are authenticated.
    pub auth: Auth,
    /// The prefix its requests put before the endpoint's host, if any.
    pub host_prefix: Option<HostPrefix>,
    /// Some doc printed in the operation's module links one of the module's own items by
    /// its own name (`[`XInput`](crate::operation::x::XInput)`), which rustdoc calls a
    /// redundant link there; the same docs need the path where the client prints them.
    pub links_own_items: bool,
    /// How it pages, when `paginators-1.json` says it does.
    pub paginator: Option<Paginator>,
}

/// How an operation pages: its entry of `paginators-1.json`, checked against the model.
#[derive(Debug)]
pub struct Paginator {
    /// The type `into_paginator()` returns: `<Operation>Paginator`.
    pub name: String,
    /// The type its `items()` returns: `<Operation>PaginatorItems`.
    pub items_name: String,
    /// Markdown doc lines of the paginator type: how the pages follow one another.
    pub docs: Vec<String>,
    /// The tokens, in the model's order (`input_token` with `output_token`).
    pub tokens: Vec<PaginationToken>,
    /// The input member `page_size` sets (`limit_key`).
    pub limit: Option<InputMember>,
    /// The boolean output member that says whether more pages follow (`more_results`).
    pub more_results: Option<OutputPath>,
    /// The output members holding a page's results (`result_key`), in the model's order.
    pub result_keys: Vec<OutputPath>,
    /// What `items()` yields, when the first result key is a list or map.
    pub items: Option<PaginatorItems>,
    /// Output members that are the same on every page (`non_aggregate_keys`), as the model
    /// writes them.
    pub non_aggregate_keys: Vec<String>,
}

/// One pagination token: the input member that sends it and where the output hands it back.
#[derive(Debug)]
pub struct PaginationToken {
    /// The input member.
    pub input: InputMember,
    /// The output member, of the same Rust type.
    pub output: OutputPath,
}

/// A top-level member of an operation's input.
#[derive(Debug)]
pub struct InputMember {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust field.
    pub field: String,
    /// The value type.
    pub ty: Type,
    /// Redacted in `Debug` (and in the error that names a repeated token).
    pub sensitive: bool,
}

/// A member of an operation's output, reached through nested structures.
#[derive(Debug)]
pub struct OutputPath {
    /// As the model writes it: `StreamDescription.NextToken`.
    pub wire: String,
    /// The Rust field at each step, from the output structure.
    pub fields: Vec<String>,
    /// The value type at the end.
    pub ty: Type,
}

/// The items of a paginator: the elements of its first result key, whose type is a
/// [`Kind::List`] (items are its elements) or a [`Kind::Map`] (items are `(key, value)`
/// pairs).
#[derive(Debug)]
pub struct PaginatorItems {
    /// The result key.
    pub key: OutputPath,
}

/// How an operation's requests are authenticated, as botocore resolves the model's
/// `auth` list, `authtype` and the service's `auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// SigV4.
    SigV4,
    /// Unsigned: no credentials needed.
    NoAuth,
}

/// An operation's `endpoint.hostPrefix`.
#[derive(Debug)]
pub struct HostPrefix {
    /// As the model writes it, e.g. `{Label}.data-`.
    pub template: String,
    /// The template's text and labels, in order.
    pub parts: Vec<HostPrefixPart>,
    /// Every input member marked `hostLabel`, in model order: all are checked, as
    /// botocore checks them, whether the template names them or not.
    pub labels: Vec<HostLabel>,
}

/// A piece of a host prefix.
#[derive(Debug)]
pub enum HostPrefixPart {
    /// Text as it is.
    Text(String),
    /// The value of this input member.
    Label(HostLabel),
}

/// An input member whose value goes into the host prefix.
#[derive(Debug, Clone)]
pub struct HostLabel {
    /// The member's name in the model.
    pub wire_name: String,
    /// The input's Rust field (a `String`).
    pub field: String,
}

/// An operation the crate leaves out.
#[derive(Debug)]
pub struct OmittedOperation {
    /// The model's name.
    pub wire_name: String,
    /// Why, as Markdown ending without a period: "its output is an event stream".
    pub reason: String,
}

/// A modeled exception of an operation.
#[derive(Debug, Clone)]
pub struct ErrorVariant {
    /// The variant name: the exception's type name, as the model spells it.
    pub variant: String,
    /// The error code on the wire.
    pub code: String,
    /// The awsQuery code of a query-compatible service's exception (its `error.code`),
    /// which botocore maps to the exception too.
    pub query_code: Option<String>,
    /// Markdown doc lines.
    pub docs: Vec<String>,
}

/// A shape that becomes a type in `types`.
#[derive(Debug)]
pub enum TypeDef {
    /// A structure.
    Structure(Structure),
    /// A string enum.
    Enum(EnumDef),
    /// A union (tagged structure).
    Union(UnionDef),
}

impl TypeDef {
    /// The Rust type name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Structure(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
        }
    }

    /// The private module (file) name, e.g. `_usage_record`.
    pub fn file(&self) -> &str {
        match self {
            TypeDef::Structure(s) => &s.file,
            TypeDef::Enum(e) => &e.file,
            TypeDef::Union(u) => &u.file,
        }
    }
}

/// A structure: a Rust struct with a builder.
#[derive(Debug)]
pub struct Structure {
    /// The Rust type name.
    pub name: String,
    /// The private module (file) name.
    pub file: String,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// Members in model order.
    pub members: Vec<Member>,
    /// The builder's type name.
    pub builder: String,
    /// Reachable from an operation input, so it needs client-side validation.
    pub validated: bool,
}

impl Structure {
    /// Whether `Debug` must redact something.
    pub fn has_sensitive(&self) -> bool {
        self.members.iter().any(|m| m.sensitive)
    }
}

/// A member of a structure.
#[derive(Debug)]
pub struct Member {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust field name (possibly raw, `r#type`).
    pub field: String,
    /// The structure's getter: named like the field.
    pub getter: String,
    /// The builder's methods; an operation's fluent builder has the same for its input.
    pub setters: Setters,
    /// The value type.
    pub ty: Type,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// The model marks it required.
    pub required: bool,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// The SDK fills it with a fresh UUID when the caller does not.
    pub idempotency_token: bool,
    /// The deprecation note.
    pub deprecated: Option<String>,
    /// Stored in a `Box` because the structure contains itself through it.
    pub boxed: bool,
}

/// A builder's methods for one member: `x(..)`, `set_x(..)` and `get_x()`.
#[derive(Debug, Clone)]
pub struct Setters {
    /// The method that takes one value, named like the field (possibly raw, `r#type`).
    pub name: String,
    /// What that method does with its argument.
    pub action: SetterAction,
    /// `set_<member>`: sets or clears the whole value, taking an `Option`.
    pub set: String,
    /// `get_<member>`: the value set so far.
    pub get: String,
}

/// What a member's one-value setter does.
#[derive(Debug, Clone)]
pub enum SetterAction {
    /// `x(input)` sets the member.
    Set(SetterParam),
    /// `x(input)` appends an item to the list.
    Append(SetterParam),
    /// `x(key, value)` adds an entry to the map, the key taken as `impl Into<String>` and
    /// the value as this parameter.
    Insert(SetterParam),
}

/// How a setter takes a value.
#[derive(Debug, Clone)]
pub struct SetterParam {
    /// The value's type.
    pub ty: Type,
    /// Taken as `impl Into<T>` and converted: strings, timestamps and blobs, so that a `&str`
    /// or a `SystemTime` will do.
    pub into: bool,
    /// Taken as `Option<T>`: an element of a sparse list or map, which may be null.
    pub optional: bool,
}

/// A value type with the constraints of the shape it came from.
#[derive(Debug, Clone)]
pub struct Type {
    /// What kind of value.
    pub kind: Kind,
    /// `min`: length for strings, blobs, lists and maps; value for numbers.
    pub min: Option<f64>,
    /// `max`, likewise.
    pub max: Option<f64>,
    /// `pattern`, a regular expression for strings. Not checked client-side (the emitters
    /// ignore it); kept so [`crate::api`] can report changes to it.
    pub pattern: Option<String>,
}

/// The kinds of value a member can hold.
#[derive(Debug, Clone)]
pub enum Kind {
    /// `string`.
    String,
    /// `boolean`.
    Boolean,
    /// `byte`.
    Byte,
    /// `short`.
    Short,
    /// `integer`.
    Integer,
    /// `long`.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `timestamp`, with its wire format.
    Timestamp(TimestampFormat),
    /// `blob`.
    Blob,
    /// A `structure` with `document: true`.
    Document,
    /// `list`; sparse lists keep `null` elements.
    List { member: Box<Type>, sparse: bool },
    /// `map` with string keys; sparse maps keep `null` values. `key` is always
    /// [`Kind::String`] (keys of an enum shape too): it carries the key shape's
    /// length limits and pattern.
    Map {
        key: Box<Type>,
        value: Box<Type>,
        sparse: bool,
    },
    /// A structure, string enum or union in `types`, by Rust name.
    Named { name: String, kind: NamedKind },
}

/// What a named type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    /// A struct.
    Structure,
    /// An open string enum.
    Enum,
    /// A union enum.
    Union,
}

/// How a timestamp travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// Epoch seconds, the awsJson default.
    EpochSeconds,
    /// RFC 3339 text.
    Iso8601,
}

/// An open string enum.
#[derive(Debug)]
pub struct EnumDef {
    /// The Rust type name.
    pub name: String,
    /// The private module (file) name.
    pub file: String,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// Known values in model order.
    pub variants: Vec<EnumVariant>,
}

/// A known value of a string enum.
#[derive(Debug)]
pub struct EnumVariant {
    /// The variant name.
    pub name: String,
    /// The value on the wire.
    pub value: String,
}

/// A union: exactly one member is set.
#[derive(Debug)]
pub struct UnionDef {
    /// The Rust type name.
    pub name: String,
    /// The private module (file) name.
    pub file: String,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// One variant per member, in model order.
    pub variants: Vec<UnionVariant>,
    /// Reachable from an operation input, so it needs client-side validation.
    pub validated: bool,
}

/// A member of a union.
#[derive(Debug)]
pub struct UnionVariant {
    /// The variant name.
    pub name: String,
    /// The member name on the wire.
    pub wire_name: String,
    /// The method that borrows the value when this member is set: `as_<member>`.
    pub accessor: String,
    /// The value type.
    pub ty: Type,
    /// Markdown doc lines.
    pub docs: Vec<String>,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// Boxed because the union contains itself through it.
    pub boxed: bool,
}

/// An exception shape: a struct that is also an error.
#[derive(Debug)]
pub struct Exception {
    /// Its members as a structure (the builder is unused).
    pub structure: Structure,
    /// The error code the service sends.
    pub code: String,
    /// The model marks it a server fault.
    pub fault: bool,
    /// The member holding the message, if any.
    pub message_field: Option<String>,
}
