//! Endpoint rules: the service's rule set becomes Rust code at codegen time.
//!
//! `model` mirrors the JSON; `lower` type-checks every expression and settles
//! Rust names into the IR below; `emit` (in `crate::emit::endpoint`) only prints.
//! The generated code calls the rules-engine standard library in
//! `marketplace_sdk_runtime::endpoint`, written once for every service.

mod lower;
pub mod model;

pub use lower::{lower, parse_partitions};

/// A rule set ready to print.
#[derive(Debug)]
pub struct EndpointRules {
    /// The parameters, in rule-set order: the fields of `endpoint::Params`.
    pub params: Vec<Param>,
    /// The top-level rules.
    pub rules: Vec<Rule>,
    /// Whether the rules always end in an endpoint or error (no fall-through).
    pub exhaustive: bool,
    /// The partitions `aws.partition` picks from.
    pub partitions: Vec<model::Partition>,
}

/// A rule-set parameter.
#[derive(Debug)]
pub struct Param {
    /// The rule set's name, e.g. `UseFIPS`.
    pub wire_name: String,
    /// The Rust field, e.g. `use_fips`.
    pub field: String,
    /// The value type.
    pub ty: ParamType,
    /// The default, when the rule set gives one (the field is then not optional).
    pub default: Option<serde_json::Value>,
    /// `AWS::Region` and friends: where the client fills it from.
    pub built_in: Option<String>,
    /// Markdown doc lines.
    pub docs: Vec<String>,
}

impl Param {
    /// Whether the field is an `Option`.
    pub fn optional(&self) -> bool {
        self.default.is_none()
    }
}

/// Parameter value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `boolean`.
    Bool,
    /// `string`.
    Str,
    /// `stringArray`.
    StrArray,
}

/// A rule: conditions in order, then what it yields.
#[derive(Debug)]
pub struct Rule {
    /// Conditions; all must hold.
    pub conditions: Vec<Condition>,
    /// The result.
    pub body: RuleBody,
}

/// What a rule yields once its conditions hold.
#[derive(Debug)]
pub enum RuleBody {
    /// An endpoint.
    Endpoint {
        /// The URL (a string expression).
        url: Expr,
        /// Headers: name and value expressions.
        headers: Vec<(String, Vec<Expr>)>,
        /// Properties: name and value expressions.
        properties: Vec<(String, Expr)>,
    },
    /// An error with this message (a string expression).
    Error(Expr),
    /// Nested rules; `exhaustive` when they never fall through.
    Tree {
        /// The nested rules.
        rules: Vec<Rule>,
        /// Whether the last nested rule always yields.
        exhaustive: bool,
    },
}

/// One condition.
#[derive(Debug)]
pub enum Condition {
    /// Holds when the expression is `true` (a boolean) or set (an option).
    Test(Expr),
    /// Holds when the expression is set; binds its value to `var`.
    Bind {
        /// The Rust variable.
        var: String,
        /// The expression (optional, or always set).
        expr: Expr,
    },
    /// `isSet(Param)` on an optional parameter: binds the value under the same name.
    Narrow {
        /// The Rust variable, shadowed by its unwrapped value.
        var: String,
    },
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// The type of its value.
    pub ty: Type,
    /// Whether the value is an `Option`.
    pub optional: bool,
}

/// Value types of expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// A string, printed as `&str`.
    Str,
    /// An integer literal.
    Int,
    /// `marketplace_sdk_runtime::endpoint::partition::PartitionOutputs`.
    Partition,
    /// `marketplace_sdk_runtime::endpoint::functions::Url`.
    Url,
    /// `marketplace_sdk_runtime::endpoint::functions::Arn`.
    Arn,
    /// A list of strings.
    StrArray,
    /// A JSON array or object (endpoint properties only).
    Json,
}

/// Expression forms.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string with `{Var}` / `{Var#attr}` placeholders.
    Template(Vec<TemplatePart>),
    /// A variable: a parameter or a bound value. `owned` when it holds a `String`.
    Var { name: String, owned: bool },
    /// `not`.
    Not(Box<Expr>),
    /// `isSet`.
    IsSet(Box<Expr>),
    /// `booleanEquals`.
    BoolEquals(Box<Expr>, Box<Expr>),
    /// `stringEquals`.
    StrEquals(Box<Expr>, Box<Expr>),
    /// `getAttr`: field steps and list indexes.
    GetAttr(Box<Expr>, Vec<AttrStep>),
    /// A standard-library call.
    Call(Function, Vec<Expr>),
    /// A JSON array (properties).
    Array(Vec<Expr>),
    /// A JSON object (properties).
    Record(Vec<(String, Expr)>),
}

/// A piece of a template string.
#[derive(Debug, Clone)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// A string expression.
    Value(Expr),
}

/// A `getAttr` step.
#[derive(Debug, Clone)]
pub enum AttrStep {
    /// A field; `owned` when the field is a `String` (borrowed with `as_str`).
    Field { name: String, owned: bool },
    /// An element of a list.
    Index(usize),
}

/// The standard-library functions with a runtime implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `aws.partition`.
    Partition,
    /// `aws.parseArn`.
    ParseArn,
    /// `parseURL`.
    ParseUrl,
    /// `substring`.
    Substring,
    /// `uriEncode`.
    UriEncode,
    /// `isValidHostLabel`.
    IsValidHostLabel,
    /// `aws.isVirtualHostableS3Bucket`.
    IsVirtualHostableS3Bucket,
}
