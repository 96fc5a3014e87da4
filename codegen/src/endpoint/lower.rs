//! Type-checks a rule set and settles its Rust names.

use super::model::{self, RuleSet};
use super::*;
use crate::names::snake;
use crate::Error;
use serde_json::Value;

/// Lowers a rule set (and the partitions `aws.partition` needs) into the IR.
pub fn lower(rule_set_json: &str, partitions_json: Option<&str>) -> Result<EndpointRules, Error> {
    let rule_set: RuleSet = serde_json::from_str(rule_set_json)
        .map_err(|error| Error(format!("the endpoint rule set does not parse: {error}")))?;
    let partitions = match partitions_json {
        Some(text) => parse_partitions(text)?,
        None => Vec::new(),
    };
    let mut scope = Scope {
        vars: Vec::new(),
        uses_partition: false,
    };
    let mut params = Vec::new();
    for (name, param) in &rule_set.parameters.0 {
        let ty = match param.kind.as_str() {
            "boolean" | "Boolean" => ParamType::Bool,
            "string" | "String" => ParamType::Str,
            "stringArray" => ParamType::StrArray,
            other => {
                return Err(Error(format!(
                    "endpoint parameter `{name}` has unsupported type `{other}`"
                )))
            }
        };
        let field = snake(name);
        if field == "params" {
            return Err(Error(format!(
                "endpoint parameter `{name}` clashes with the resolver's argument"
            )));
        }
        let docs =
            crate::docs::html_to_markdown(param.documentation.as_deref().unwrap_or(""), &|_| None);
        let param = Param {
            wire_name: name.clone(),
            field: field.clone(),
            ty,
            default: param.default.clone(),
            built_in: param.built_in.clone(),
            docs,
        };
        scope.vars.push(Var {
            wire_name: name.clone(),
            rust: field,
            ty: match ty {
                ParamType::Bool => Type::Bool,
                ParamType::Str => Type::Str,
                ParamType::StrArray => Type::StrArray,
            },
            optional: param.optional(),
            owned: false,
        });
        params.push(param);
    }
    let rules = rule_set
        .rules
        .iter()
        .map(|rule| scope.rule(rule))
        .collect::<Result<Vec<_>, _>>()?;
    if scope.uses_partition && partitions.is_empty() {
        return Err(Error(
            "the endpoint rules call aws.partition but no partitions.json was given".into(),
        ));
    }
    Ok(EndpointRules {
        exhaustive: exhaustive(&rules),
        params,
        rules,
        partitions: if scope.uses_partition {
            partitions
        } else {
            Vec::new()
        },
    })
}

/// The partitions of botocore's `partitions.json`, in file order.
pub fn parse_partitions(partitions_json: &str) -> Result<Vec<model::Partition>, Error> {
    serde_json::from_str::<model::Partitions>(partitions_json)
        .map(|file| file.partitions)
        .map_err(|error| Error(format!("partitions.json does not parse: {error}")))
}

/// Whether a rule list always yields: its last rule has no conditions and yields.
fn exhaustive(rules: &[Rule]) -> bool {
    rules.last().is_some_and(|last| {
        last.conditions.is_empty()
            && match &last.body {
                RuleBody::Tree { exhaustive, .. } => *exhaustive,
                _ => true,
            }
    })
}

/// A name in scope.
#[derive(Clone)]
struct Var {
    wire_name: String,
    rust: String,
    ty: Type,
    optional: bool,
    owned: bool,
}

impl Var {
    /// A reference to this name.
    fn expr(self) -> Expr {
        Expr {
            kind: ExprKind::Var {
                name: self.rust,
                owned: self.owned,
            },
            ty: self.ty,
            optional: self.optional,
        }
    }
}

struct Scope {
    /// Parameters, then names bound by enclosing conditions (innermost last).
    vars: Vec<Var>,
    uses_partition: bool,
}

impl Scope {
    fn rule(&mut self, rule: &model::Rule) -> Result<Rule, Error> {
        let depth = self.vars.len();
        let mut conditions = Vec::new();
        for condition in &rule.conditions {
            conditions.push(self.condition(condition)?);
        }
        let body = match rule.kind.as_str() {
            "endpoint" => {
                let endpoint = rule
                    .endpoint
                    .as_ref()
                    .ok_or_else(|| Error("an endpoint rule has no `endpoint`".into()))?;
                let url = self.string(&endpoint.url, "an endpoint URL")?;
                let headers = endpoint
                    .headers
                    .0
                    .iter()
                    .map(|(name, values)| {
                        let values = values
                            .iter()
                            .map(|v| self.string(v, "a header value"))
                            .collect::<Result<_, _>>()?;
                        Ok((name.clone(), values))
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                let properties = endpoint
                    .properties
                    .0
                    .iter()
                    .map(|(name, value)| Ok((name.clone(), self.expr(value)?)))
                    .collect::<Result<Vec<_>, Error>>()?;
                RuleBody::Endpoint {
                    url,
                    headers,
                    properties,
                }
            }
            "error" => {
                let message = rule
                    .error
                    .as_ref()
                    .ok_or_else(|| Error("an error rule has no `error`".into()))?;
                RuleBody::Error(self.string(message, "an error message")?)
            }
            "tree" => {
                let rules = rule
                    .rules
                    .iter()
                    .map(|r| self.rule(r))
                    .collect::<Result<Vec<_>, _>>()?;
                RuleBody::Tree {
                    exhaustive: exhaustive(&rules),
                    rules,
                }
            }
            other => return Err(Error(format!("unknown endpoint rule type `{other}`"))),
        };
        // Names bound by this rule's conditions end with it.
        self.vars.truncate(depth);
        Ok(Rule { conditions, body })
    }

    fn condition(&mut self, condition: &model::Condition) -> Result<Condition, Error> {
        if condition.function == "isSet" && condition.assign.is_none() {
            if let [Value::Object(arg)] = condition.argv.as_slice() {
                if let Some(Value::String(name)) = arg.get("ref") {
                    let var = self.lookup(name)?;
                    if var.optional {
                        self.vars.push(Var {
                            optional: false,
                            ..var.clone()
                        });
                        return Ok(Condition::Narrow { var: var.rust });
                    }
                }
            }
        }
        let call = serde_json::json!({ "fn": condition.function, "argv": condition.argv });
        let expr = self.expr(&call)?;
        match &condition.assign {
            Some(name) => {
                let owned = expr.ty == Type::Str
                    && matches!(expr.kind, ExprKind::Call(..) | ExprKind::Template(_));
                let rust = snake(name);
                self.vars.push(Var {
                    wire_name: name.clone(),
                    rust: rust.clone(),
                    ty: expr.ty,
                    optional: false,
                    owned,
                });
                Ok(Condition::Bind { var: rust, expr })
            }
            None => {
                if expr.ty != Type::Bool && !expr.optional {
                    return Err(Error(format!(
                        "condition `{}` is neither a test nor an assignment",
                        condition.function
                    )));
                }
                Ok(Condition::Test(expr))
            }
        }
    }

    fn lookup(&self, name: &str) -> Result<Var, Error> {
        self.vars
            .iter()
            .rev()
            .find(|v| v.wire_name == name)
            .cloned()
            .ok_or_else(|| {
                Error(format!(
                    "endpoint rules refer to `{name}`, which is not in scope"
                ))
            })
    }

    /// A string-valued expression (templates allowed), for URLs, messages and headers.
    fn string(&mut self, value: &Value, what: &str) -> Result<Expr, Error> {
        let expr = self.expr(value)?;
        if expr.ty != Type::Str {
            return Err(Error(format!("{what} is not a string: {value}")));
        }
        Ok(expr)
    }

    fn expr(&mut self, value: &Value) -> Result<Expr, Error> {
        let plain = |kind, ty| Expr {
            kind,
            ty,
            optional: false,
        };
        Ok(match value {
            Value::Bool(b) => plain(ExprKind::Bool(*b), Type::Bool),
            Value::Number(n) => plain(
                ExprKind::Int(
                    n.as_i64()
                        .ok_or_else(|| Error(format!("{n} is not an integer")))?,
                ),
                Type::Int,
            ),
            Value::String(text) => plain(ExprKind::Template(self.template(text)?), Type::Str),
            Value::Array(items) => plain(
                ExprKind::Array(
                    items
                        .iter()
                        .map(|i| self.expr(i))
                        .collect::<Result<_, _>>()?,
                ),
                Type::Json,
            ),
            Value::Object(object) => {
                if let Some(Value::String(name)) = object.get("ref") {
                    self.lookup(name)?.expr()
                } else if let Some(Value::String(function)) = object.get("fn") {
                    let argv = match object.get("argv") {
                        Some(Value::Array(argv)) => argv,
                        _ => return Err(Error(format!("call of `{function}` has no argv"))),
                    };
                    self.call(function, argv)?
                } else {
                    let fields = object
                        .iter()
                        .map(|(key, value)| Ok((key.clone(), self.expr(value)?)))
                        .collect::<Result<Vec<_>, Error>>()?;
                    plain(ExprKind::Record(fields), Type::Json)
                }
            }
            Value::Null => return Err(Error("null in endpoint rules".into())),
        })
    }

    fn call(&mut self, function: &str, argv: &[Value]) -> Result<Expr, Error> {
        let arity = |n: usize| {
            if argv.len() == n {
                Ok(())
            } else {
                Err(Error(format!(
                    "`{function}` takes {n} arguments, got {}",
                    argv.len()
                )))
            }
        };
        let typed = |expr: Expr, ty: Type, what: &str| {
            if expr.ty == ty {
                Ok(expr)
            } else {
                Err(Error(format!(
                    "`{function}` needs {what}, got {:?}",
                    expr.ty
                )))
            }
        };
        let boxed = Box::new;
        let result = |kind, ty, optional| Expr { kind, ty, optional };
        Ok(match function {
            "isSet" => {
                arity(1)?;
                result(
                    ExprKind::IsSet(boxed(self.expr(&argv[0])?)),
                    Type::Bool,
                    false,
                )
            }
            "not" => {
                arity(1)?;
                let arg = typed(self.expr(&argv[0])?, Type::Bool, "a boolean")?;
                let optional = arg.optional;
                result(ExprKind::Not(boxed(arg)), Type::Bool, optional)
            }
            "booleanEquals" => {
                arity(2)?;
                let a = typed(self.expr(&argv[0])?, Type::Bool, "booleans")?;
                let b = typed(self.expr(&argv[1])?, Type::Bool, "booleans")?;
                result(ExprKind::BoolEquals(boxed(a), boxed(b)), Type::Bool, false)
            }
            "stringEquals" => {
                arity(2)?;
                let a = typed(self.expr(&argv[0])?, Type::Str, "strings")?;
                let b = typed(self.expr(&argv[1])?, Type::Str, "strings")?;
                result(ExprKind::StrEquals(boxed(a), boxed(b)), Type::Bool, false)
            }
            "getAttr" => {
                arity(2)?;
                let target = self.expr(&argv[0])?;
                let Value::String(path) = &argv[1] else {
                    return Err(Error("getAttr needs a literal path".into()));
                };
                get_attr(target, path)?
            }
            "aws.partition" => {
                arity(1)?;
                self.uses_partition = true;
                let region = typed(self.expr(&argv[0])?, Type::Str, "a region string")?;
                result(
                    ExprKind::Call(Function::Partition, vec![region]),
                    Type::Partition,
                    true,
                )
            }
            "aws.parseArn" => {
                arity(1)?;
                let arn = typed(self.expr(&argv[0])?, Type::Str, "a string")?;
                result(
                    ExprKind::Call(Function::ParseArn, vec![arn]),
                    Type::Arn,
                    true,
                )
            }
            "parseURL" => {
                arity(1)?;
                let url = typed(self.expr(&argv[0])?, Type::Str, "a string")?;
                result(
                    ExprKind::Call(Function::ParseUrl, vec![url]),
                    Type::Url,
                    true,
                )
            }
            "substring" => {
                arity(4)?;
                let args = vec![
                    typed(self.expr(&argv[0])?, Type::Str, "a string")?,
                    typed(self.expr(&argv[1])?, Type::Int, "an integer start")?,
                    typed(self.expr(&argv[2])?, Type::Int, "an integer stop")?,
                    typed(self.expr(&argv[3])?, Type::Bool, "a boolean")?,
                ];
                result(ExprKind::Call(Function::Substring, args), Type::Str, true)
            }
            "uriEncode" => {
                arity(1)?;
                let arg = typed(self.expr(&argv[0])?, Type::Str, "a string")?;
                let optional = arg.optional;
                result(
                    ExprKind::Call(Function::UriEncode, vec![arg]),
                    Type::Str,
                    optional,
                )
            }
            "isValidHostLabel" | "aws.isVirtualHostableS3Bucket" => {
                arity(2)?;
                let args = vec![
                    typed(self.expr(&argv[0])?, Type::Str, "a string")?,
                    typed(self.expr(&argv[1])?, Type::Bool, "a boolean")?,
                ];
                let f = if function == "isValidHostLabel" {
                    Function::IsValidHostLabel
                } else {
                    Function::IsVirtualHostableS3Bucket
                };
                result(ExprKind::Call(f, args), Type::Bool, false)
            }
            other => {
                return Err(Error(format!(
                    "endpoint rule function `{other}` is not supported"
                )))
            }
        })
    }

    /// Splits `https://{Region}.{PartitionResult#dnsSuffix}` into literals and values.
    fn template(&mut self, text: &str) -> Result<Vec<TemplatePart>, Error> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => {
                                return Err(Error(format!("unclosed `{{` in template `{text}`")))
                            }
                        }
                    }
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                    }
                    let value = match name.split_once('#') {
                        Some((var, path)) => get_attr(self.lookup(var)?.expr(), path)?,
                        None => self.lookup(&name)?.expr(),
                    };
                    if value.ty != Type::Str {
                        return Err(Error(format!(
                            "template `{text}` inserts `{name}`, which is not a string"
                        )));
                    }
                    parts.push(TemplatePart::Value(value));
                }
                c => literal.push(c),
            }
        }
        if !literal.is_empty() || parts.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        Ok(parts)
    }
}

/// `getAttr(target, "a.b[2]")`, typed by the target's type.
fn get_attr(target: Expr, path: &str) -> Result<Expr, Error> {
    if target.optional {
        return Err(Error(format!(
            "getAttr `{path}` on a value that may be unset"
        )));
    }
    let mut steps = Vec::new();
    let mut ty = target.ty;
    let mut optional = false;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => {
                let index = rest
                    .strip_suffix(']')
                    .and_then(|i| i.parse::<usize>().ok())
                    .ok_or_else(|| Error(format!("bad index in getAttr path `{path}`")))?;
                (name, Some(index))
            }
            None => (segment, None),
        };
        if !name.is_empty() {
            let (field, field_ty, owned) = field_of(ty, name)
                .ok_or_else(|| Error(format!("getAttr: {ty:?} has no attribute `{name}`")))?;
            steps.push(AttrStep::Field {
                name: field.to_owned(),
                owned,
            });
            ty = field_ty;
        }
        if let Some(index) = index {
            if ty != Type::StrArray {
                return Err(Error(format!("getAttr `{path}` indexes a {ty:?}")));
            }
            steps.push(AttrStep::Index(index));
            ty = Type::Str;
            optional = true;
        }
    }
    Ok(Expr {
        kind: ExprKind::GetAttr(Box::new(target), steps),
        ty,
        optional,
    })
}

/// The runtime's field for an attribute: (Rust name, type, is a `String`).
fn field_of(ty: Type, attribute: &str) -> Option<(&'static str, Type, bool)> {
    Some(match (ty, attribute) {
        (Type::Partition, "name") => ("name", Type::Str, false),
        (Type::Partition, "dnsSuffix") => ("dns_suffix", Type::Str, false),
        (Type::Partition, "dualStackDnsSuffix") => ("dual_stack_dns_suffix", Type::Str, false),
        (Type::Partition, "implicitGlobalRegion") => ("implicit_global_region", Type::Str, false),
        (Type::Partition, "supportsFIPS") => ("supports_fips", Type::Bool, false),
        (Type::Partition, "supportsDualStack") => ("supports_dual_stack", Type::Bool, false),
        (Type::Url, "scheme") => ("scheme", Type::Str, true),
        (Type::Url, "authority") => ("authority", Type::Str, true),
        (Type::Url, "path") => ("path", Type::Str, true),
        (Type::Url, "normalizedPath") => ("normalized_path", Type::Str, true),
        (Type::Url, "isIp") => ("is_ip", Type::Bool, false),
        (Type::Arn, "partition") => ("partition", Type::Str, true),
        (Type::Arn, "service") => ("service", Type::Str, true),
        (Type::Arn, "region") => ("region", Type::Str, true),
        (Type::Arn, "accountId") => ("account_id", Type::Str, true),
        (Type::Arn, "resourceId") => ("resource_id", Type::StrArray, true),
        _ => return None,
    })
}
