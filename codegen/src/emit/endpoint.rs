//! `src/endpoint.rs` and `src/endpoint/partitions.rs`: the rule set as Rust code; and the
//! runtime's own partition table, printed by the same [`partition_table`].

use super::{docs, ident, option_expr};
use crate::endpoint::{
    model::{Partition, RegionOutputs},
    AttrStep, Condition, EndpointRules, Expr, ExprKind, Function, Param, ParamType, Rule, RuleBody,
    TemplatePart, Type,
};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

const NO_MATCH: &str = "no endpoint rule matched the parameters";

/// `src/endpoint.rs`: `Params`, `resolve` and the glue the client calls.
pub fn endpoint(rules: &EndpointRules) -> TokenStream {
    let fields = rules.params.iter().map(|p| {
        let mut lines = p.docs.clone();
        let origin = match (&p.built_in, builtin_value(p)) {
            (Some(built_in), Some(_)) => format!(
                "The rule set's `{}`; the client sets it from `{built_in}`.",
                p.wire_name
            ),
            (Some(built_in), None) => format!(
                "The rule set's `{}` (built-in `{built_in}`, which the client does not set: \
                 it resolves with the default).",
                p.wire_name
            ),
            (None, _) => format!("The rule set's `{}`.", p.wire_name),
        };
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(origin);
        let doc = docs(&lines);
        let field = ident(&p.field);
        let ty = param_type(p);
        quote!(#doc pub #field: #ty,)
    });
    let defaults = rules.params.iter().map(|p| {
        let field = ident(&p.field);
        let value = default_value(p);
        quote!(#field: #value,)
    });
    let locals = rules.params.iter().map(|p| {
        let field = ident(&p.field);
        let value = match (p.ty, p.optional()) {
            (ParamType::Bool, _) => quote!(params.#field),
            (ParamType::Str, true) | (ParamType::StrArray, true) => {
                quote!(params.#field.as_deref())
            }
            (ParamType::Str, false) => quote!(params.#field.as_str()),
            (ParamType::StrArray, false) => quote!(params.#field.as_slice()),
        };
        quote!(let #field = #value;)
    });
    let mut all_builtin = true;
    let from_builtins: Vec<TokenStream> = rules
        .params
        .iter()
        .filter_map(|p| {
            let field = ident(&p.field);
            let Some(value) = builtin_value(p) else {
                all_builtin = false;
                return None;
            };
            Some(match (p.ty, p.optional()) {
                (ParamType::Bool, false) => quote!(#field: #value,),
                (ParamType::Bool, true) => quote!(#field: ::std::option::Option::Some(#value),),
                (_, true) => quote!(#field: #value.map(::std::borrow::ToOwned::to_owned),),
                (_, false) => {
                    let default = default_value(p);
                    quote!(#field: #value.map_or_else(|| #default, ::std::borrow::ToOwned::to_owned),)
                }
            })
        })
        .collect();
    let rest = (!all_builtin).then(|| quote!(..::std::default::Default::default()));
    // `Default` is derived when the rule set's defaults are the types' own.
    let derivable = rules.params.iter().all(|p| match &p.default {
        None | Some(serde_json::Value::Bool(false)) => true,
        Some(serde_json::Value::String(s)) => s.is_empty(),
        Some(serde_json::Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    });
    let (derive_default, default_impl) = if derivable {
        (Some(quote!(::std::default::Default,)), None)
    } else {
        (
            None,
            Some(quote! {
                impl ::std::default::Default for Params {
                    fn default() -> Self {
                        Self { #( #defaults )* }
                    }
                }
            }),
        )
    };
    let body = rules.rules.iter().map(rule);
    let fall_through = (!rules.exhaustive).then(no_match);
    let partitions = (!rules.partitions.is_empty()).then(|| {
        quote!(
            mod partitions;
            use partitions::PARTITIONS;
        )
    });
    quote! {
        #![doc = " Endpoint resolution, generated from the service's endpoint rule set."]
        #![doc = ""]
        #![doc = " The client calls [`resolve`] for every request with the values of its configuration;"]
        #![doc = " call it yourself to see where a configuration would send requests."]

        pub use ::marketplace_sdk_runtime::endpoint::{Endpoint, EndpointError};
        #partitions

        /// The endpoint rule set's parameters. `Default` gives the rule set's defaults.
        #[derive(::std::clone::Clone, ::std::fmt::Debug, #derive_default ::std::cmp::PartialEq)]
        pub struct Params {
            #( #fields )*
        }

        #default_impl

        /// Picks the endpoint for `params` as the rule set says, or returns the rule
        /// set's error message.
        #[allow(
            unused_variables,
            unreachable_code,
            clippy::needless_return,
            clippy::collapsible_if,
            clippy::nonminimal_bool,
            clippy::bool_comparison
        )]
        pub fn resolve(params: &Params) -> ::std::result::Result<Endpoint, EndpointError> {
            #( #locals )*
            #( #body )*
            #fall_through
        }

        /// Resolves with the parameters the client's configuration sets.
        pub(crate) fn resolve_builtins(
            builtins: &::marketplace_sdk_runtime::endpoint::Builtins<'_>,
        ) -> ::std::result::Result<Endpoint, EndpointError> {
            resolve(&Params { #( #from_builtins )* #rest })
        }
    }
}

/// Where `resolve_builtins` takes a parameter from: the built-ins the client's
/// configuration has (`marketplace_sdk_runtime::endpoint::Builtins`); `None` for any other parameter.
fn builtin_value(p: &Param) -> Option<TokenStream> {
    Some(match (p.built_in.as_deref()?, p.ty) {
        ("AWS::Region", ParamType::Str) => quote!(builtins.region),
        ("SDK::Endpoint", ParamType::Str) => quote!(builtins.endpoint),
        ("AWS::UseFIPS", ParamType::Bool) => quote!(builtins.use_fips),
        ("AWS::UseDualStack", ParamType::Bool) => quote!(builtins.use_dual_stack),
        _ => return None,
    })
}

/// Where a partition table is printed. The generated crate's table and the runtime's own
/// differ only in these.
pub struct TableSite {
    /// The file's module doc, one line.
    pub doc: &'static str,
    /// The path of the runtime's `endpoint::partition` module, as seen from the file.
    pub module: TokenStream,
    /// The visibility of the `static`.
    pub vis: TokenStream,
    /// The name of the `static`.
    pub name: &'static str,
}

/// `src/endpoint/partitions.rs`: botocore's partitions, for `aws.partition`.
pub fn partitions(rules: &EndpointRules) -> Option<TokenStream> {
    if rules.partitions.is_empty() {
        return None;
    }
    let site = TableSite {
        doc: "The partitions `aws.partition` chooses from, from botocore's `partitions.json`.",
        module: quote!(::marketplace_sdk_runtime::endpoint::partition),
        vis: quote!(pub(super)),
        name: "PARTITIONS",
    };
    Some(partition_table(&rules.partitions, &site))
}

/// A file holding `partitions` as a `static` table of the runtime's partition types.
pub fn partition_table(partitions: &[Partition], site: &TableSite) -> TokenStream {
    let TableSite {
        doc,
        module,
        vis,
        name,
    } = site;
    let doc = format!(" {doc}");
    let name = format_ident!("{}", name);
    let partitions = partitions.iter().map(partition);
    quote! {
        #![doc = #doc]
        use #module::{Partition, PartitionOutputs, RegionOverride};

        /// Every partition, in `partitions.json` order.
        #vis static #name: &[Partition] = &[ #( #partitions ),* ];
    }
}

fn partition(p: &Partition) -> TokenStream {
    let id = &p.id;
    let regex = &p.region_regex;
    let o = &p.outputs;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (name, dns, dual, global) = (
        text(&o.name),
        text(&o.dns_suffix),
        text(&o.dual_stack_dns_suffix),
        text(&o.implicit_global_region),
    );
    let (fips, dual_stack) = (
        o.supports_fips.unwrap_or(false),
        o.supports_dual_stack.unwrap_or(false),
    );
    let regions = p.regions.0.iter().map(|(region, overrides)| {
        let overrides = region_override(overrides);
        quote!((#region, #overrides))
    });
    quote! {
        Partition {
            id: #id,
            region_regex: #regex,
            regions: &[ #( #regions ),* ],
            outputs: PartitionOutputs {
                name: #name,
                dns_suffix: #dns,
                dual_stack_dns_suffix: #dual,
                supports_fips: #fips,
                supports_dual_stack: #dual_stack,
                implicit_global_region: #global,
            },
        }
    }
}

fn region_override(o: &RegionOutputs) -> TokenStream {
    if o.name.is_none()
        && o.dns_suffix.is_none()
        && o.dual_stack_dns_suffix.is_none()
        && o.supports_fips.is_none()
        && o.supports_dual_stack.is_none()
        && o.implicit_global_region.is_none()
    {
        return quote!(RegionOverride::NONE);
    }
    let (name, dns, dual, global) = (
        option_expr(o.name.as_ref()),
        option_expr(o.dns_suffix.as_ref()),
        option_expr(o.dual_stack_dns_suffix.as_ref()),
        option_expr(o.implicit_global_region.as_ref()),
    );
    let (fips, dual_stack) = (
        option_expr(o.supports_fips),
        option_expr(o.supports_dual_stack),
    );
    quote! {
        RegionOverride {
            name: #name,
            dns_suffix: #dns,
            dual_stack_dns_suffix: #dual,
            supports_fips: #fips,
            supports_dual_stack: #dual_stack,
            implicit_global_region: #global,
        }
    }
}

fn param_type(p: &Param) -> TokenStream {
    let inner = match p.ty {
        ParamType::Bool => quote!(bool),
        ParamType::Str => quote!(::std::string::String),
        ParamType::StrArray => quote!(::std::vec::Vec<::std::string::String>),
    };
    if p.optional() {
        quote!(::std::option::Option<#inner>)
    } else {
        inner
    }
}

fn default_value(p: &Param) -> TokenStream {
    match &p.default {
        None => quote!(::std::option::Option::None),
        Some(serde_json::Value::Bool(b)) => quote!(#b),
        Some(serde_json::Value::String(s)) => quote!(::std::string::String::from(#s)),
        Some(serde_json::Value::Array(items)) => {
            let items = items.iter().filter_map(|i| i.as_str());
            quote!(::std::vec![ #( ::std::string::String::from(#items) ),* ])
        }
        Some(_) => quote!(::std::default::Default::default()),
    }
}

fn no_match() -> TokenStream {
    quote!(return ::std::result::Result::Err(EndpointError::new(#NO_MATCH));)
}

/// A rule: its conditions wrap its body, innermost last.
fn rule(r: &Rule) -> TokenStream {
    let mut inner = match &r.body {
        RuleBody::Endpoint {
            url,
            headers,
            properties,
        } => {
            let url = string(url);
            let headers = headers.iter().flat_map(|(name, values)| {
                values.iter().map(move |value| {
                    let value = string(value);
                    quote!(.with_header(#name, #value))
                })
            });
            let properties = properties.iter().map(|(name, value)| {
                let value = json(value);
                quote!(.with_property(#name, #value))
            });
            quote!(return ::std::result::Result::Ok(Endpoint::new(#url) #( #headers )* #( #properties )*);)
        }
        RuleBody::Error(message) => {
            let message = string(message);
            quote!(return ::std::result::Result::Err(EndpointError::new(#message));)
        }
        RuleBody::Tree { rules, exhaustive } => {
            let rules = rules.iter().map(rule);
            let fall_through = (!exhaustive).then(no_match);
            quote!(#( #rules )* #fall_through)
        }
    };
    // Adjacent tests join with `&&`; bindings open their own `if let`.
    let mut tests: Vec<TokenStream> = Vec::new();
    let flush = |inner: TokenStream, tests: &mut Vec<TokenStream>| {
        if tests.is_empty() {
            inner
        } else {
            tests.reverse();
            let joined = std::mem::take(tests);
            quote!(if #( #joined )&&* { #inner })
        }
    };
    for condition in r.conditions.iter().rev() {
        match condition {
            Condition::Test(expr) => tests.push(test(expr)),
            Condition::Bind { var, expr } => {
                inner = flush(inner, &mut tests);
                let var = format_ident!("{}", var);
                let raw = raw(expr);
                inner = if expr.optional {
                    quote!(if let ::std::option::Option::Some(#var) = #raw { #inner })
                } else {
                    quote!({ let #var = #raw; #inner })
                };
            }
            Condition::Narrow { var } => {
                inner = flush(inner, &mut tests);
                let var = format_ident!("{}", var);
                inner = quote!(if let ::std::option::Option::Some(#var) = #var { #inner });
            }
        }
    }
    flush(inner, &mut tests)
}

/// A condition that holds when `true` or set.
fn test(e: &Expr) -> TokenStream {
    let value = value(e);
    match (e.ty, e.optional) {
        (Type::Bool, false) => value,
        (Type::Bool, true) => quote!(#value == ::std::option::Option::Some(true)),
        _ => quote!(#value.is_some()),
    }
}

/// Whether an expression prints as one token tree (no parentheses needed around it).
fn atomic(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Var { .. } | ExprKind::Bool(_) | ExprKind::Call(..) | ExprKind::GetAttr(..)
    )
}

/// The value as used in tests and arguments: strings as `&str`.
fn value(e: &Expr) -> TokenStream {
    match &e.kind {
        ExprKind::Bool(b) => quote!(#b),
        ExprKind::Int(n) => {
            let n = Literal::usize_unsuffixed(*n as usize);
            quote!(#n)
        }
        ExprKind::Template(parts) => match (literal_only(parts), parts.as_slice()) {
            (Some(text), _) => quote!(#text),
            // `"{Region}"` is the value itself: no `String` to build.
            (None, [TemplatePart::Value(v)]) => {
                let v_value = value(v);
                if v.optional {
                    quote!(#v_value.unwrap_or_default())
                } else {
                    v_value
                }
            }
            (None, _) => {
                let formatted = format(parts);
                quote!(#formatted.as_str())
            }
        },
        ExprKind::Var { name, owned } => {
            let name = format_ident!("{}", name);
            match (e.ty, owned, e.optional) {
                (Type::Str, true, false) => quote!(#name.as_str()),
                (Type::Str, true, true) => quote!(#name.as_deref()),
                _ => quote!(#name),
            }
        }
        ExprKind::Not(inner) => {
            let v = value(inner);
            let v = if atomic(inner) { v } else { quote!((#v)) };
            if inner.optional {
                quote!(#v.map(|value| !value))
            } else {
                quote!(!#v)
            }
        }
        ExprKind::IsSet(inner) => {
            if inner.optional {
                let v = value(inner);
                quote!(#v.is_some())
            } else {
                quote!(true)
            }
        }
        ExprKind::BoolEquals(a, b) => bool_equals(a, b),
        ExprKind::StrEquals(a, b) => {
            let (va, vb) = (value(a), value(b));
            let empty = |e: &Expr| match &e.kind {
                ExprKind::Template(parts) => literal_only(parts).is_some_and(|t| t.is_empty()),
                _ => false,
            };
            match (a.optional, b.optional) {
                // `x == ""` and `x.as_str().is_empty()` both draw clippy lints; a call does not.
                (false, false) if empty(b) => quote!(::std::primitive::str::is_empty(#va)),
                (false, false) if empty(a) => quote!(::std::primitive::str::is_empty(#vb)),
                (false, false) => quote!(#va == #vb),
                _ => {
                    let va = some_if(va, a.optional);
                    let vb = some_if(vb, b.optional);
                    quote!(::marketplace_sdk_runtime::endpoint::functions::string_equals(#va, #vb))
                }
            }
        }
        ExprKind::GetAttr(target, steps) => get_attr(target, steps),
        ExprKind::Call(..) => {
            let raw = raw(e);
            match (e.ty, e.optional) {
                (Type::Str, false) => quote!(#raw.as_str()),
                (Type::Str, true) => quote!(#raw.as_deref()),
                _ => raw,
            }
        }
        ExprKind::Array(_) | ExprKind::Record(_) => json(e),
    }
}

fn some_if(value: TokenStream, optional: bool) -> TokenStream {
    if optional {
        value
    } else {
        quote!(::std::option::Option::Some(#value))
    }
}

fn bool_equals(a: &Expr, b: &Expr) -> TokenStream {
    // `booleanEquals(x, true)` reads best as `x`; `(x, false)` as `!x`.
    let literal = |e: &Expr| match e.kind {
        ExprKind::Bool(b) => Some(b),
        _ => None,
    };
    let (other, lit) = match (literal(a), literal(b)) {
        (_, Some(lit)) if !a.optional => (a, Some(lit)),
        (Some(lit), _) if !b.optional => (b, Some(lit)),
        _ => (a, None),
    };
    if let Some(lit) = lit {
        let v = value(other);
        return match (lit, atomic(other)) {
            (true, _) => v,
            (false, true) => quote!(!#v),
            (false, false) => quote!(!(#v)),
        };
    }
    let (va, vb) = (value(a), value(b));
    match (a.optional, b.optional) {
        (false, false) => quote!(#va == #vb),
        (true, false) => quote!(#va == ::std::option::Option::Some(#vb)),
        (false, true) => quote!(::std::option::Option::Some(#va) == #vb),
        (true, true) => quote!(#va.is_some() && #va == #vb),
    }
}

fn get_attr(target: &Expr, steps: &[AttrStep]) -> TokenStream {
    let mut out = match &target.kind {
        ExprKind::Var { name, .. } => {
            let name = format_ident!("{}", name);
            quote!(#name)
        }
        _ => raw(target),
    };
    let mut borrowed_string = false;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        match step {
            AttrStep::Field { name, owned } => {
                let field = format_ident!("{}", name);
                out = quote!(#out.#field);
                borrowed_string = *owned && last;
            }
            AttrStep::Index(0) => {
                out = quote!(#out.first().map(::std::string::String::as_str));
                borrowed_string = false;
            }
            AttrStep::Index(index) => {
                out = quote!(#out.get(#index).map(::std::string::String::as_str));
                borrowed_string = false;
            }
        }
    }
    if borrowed_string {
        quote!(#out.as_str())
    } else {
        out
    }
}

/// The value as computed: calls return their owned results, templates `String`s.
fn raw(e: &Expr) -> TokenStream {
    match &e.kind {
        ExprKind::Call(function, args) => call(*function, args),
        ExprKind::Template(parts) => format(parts),
        _ => value(e),
    }
}

fn call(function: Function, args: &[Expr]) -> TokenStream {
    let f = quote!(::marketplace_sdk_runtime::endpoint::functions);
    // Unset arguments make the call unset (or false): wrap them outside-in.
    let mut wrappers = Vec::new();
    let values: Vec<TokenStream> = args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            if arg.optional {
                let name = format_ident!("arg{}", i);
                wrappers.push((value(arg), name.clone()));
                quote!(#name)
            } else {
                value(arg)
            }
        })
        .collect();
    let base = match function {
        Function::Partition => {
            quote!(::marketplace_sdk_runtime::endpoint::partition::resolve(PARTITIONS, #(#values),*))
        }
        Function::ParseArn => quote!(#f::parse_arn(#(#values),*)),
        Function::ParseUrl => quote!(#f::parse_url(#(#values),*)),
        Function::Substring => quote!(#f::substring(#(#values),*)),
        Function::UriEncode => quote!(#f::uri_encode(#(#values),*)),
        Function::IsValidHostLabel => quote!(#f::is_valid_host_label(#(#values),*)),
        Function::IsVirtualHostableS3Bucket => {
            quote!(#f::is_virtual_hostable_s3_bucket(#(#values),*))
        }
    };
    let returns_bool = matches!(
        function,
        Function::IsValidHostLabel | Function::IsVirtualHostableS3Bucket
    );
    let returns_value = function == Function::UriEncode;
    let count = wrappers.len();
    wrappers
        .into_iter()
        .rev()
        .enumerate()
        .fold(base, |inner, (i, (arg, name))| {
            let innermost = i == 0;
            if returns_bool {
                quote!(#arg.is_some_and(|#name| #inner))
            } else if returns_value && innermost && count > 0 {
                quote!(#arg.map(|#name| #inner))
            } else {
                quote!(#arg.and_then(|#name| #inner))
            }
        })
}

fn literal_only(parts: &[TemplatePart]) -> Option<String> {
    let mut text = String::new();
    for part in parts {
        match part {
            TemplatePart::Literal(l) => text.push_str(l),
            TemplatePart::Value(_) => return None,
        }
    }
    Some(text)
}

/// A template as a `String`.
fn format(parts: &[TemplatePart]) -> TokenStream {
    if let Some(text) = literal_only(parts) {
        return quote!(::std::string::String::from(#text));
    }
    // `"{Endpoint}"`: one value, nothing to format.
    if let [TemplatePart::Value(v)] = parts {
        let value = value(v);
        return if v.optional {
            quote!(::std::string::String::from(#value.unwrap_or_default()))
        } else {
            quote!(::std::string::String::from(#value))
        };
    }
    let mut pattern = String::new();
    let mut args = Vec::new();
    for part in parts {
        match part {
            TemplatePart::Literal(l) => pattern.push_str(&l.replace('{', "{{").replace('}', "}}")),
            TemplatePart::Value(v) => {
                pattern.push_str("{}");
                let value = value(v);
                args.push(if v.optional {
                    quote!(#value.unwrap_or_default())
                } else {
                    value
                });
            }
        }
    }
    quote!(::std::format!(#pattern, #( #args ),*))
}

/// A string expression for an endpoint URL, header or message (`impl Into<String>`).
fn string(e: &Expr) -> TokenStream {
    match &e.kind {
        ExprKind::Template(parts) => match literal_only(parts) {
            Some(text) => quote!(#text),
            None => format(parts),
        },
        _ => {
            let v = value(e);
            if e.optional {
                quote!(#v.unwrap_or_default())
            } else {
                quote!(#v)
            }
        }
    }
}

/// A property value as JSON.
fn json(e: &Expr) -> TokenStream {
    let sj = quote!(::marketplace_sdk_runtime::__private::serde_json);
    match (&e.kind, e.ty) {
        (ExprKind::Array(items), _) => {
            let items = items.iter().map(json);
            quote!(#sj::Value::Array(::std::vec![ #( #items ),* ]))
        }
        (ExprKind::Record(fields), _) => {
            let fields = fields.iter().map(|(k, v)| {
                let v = json(v);
                quote!((::std::string::String::from(#k), #v))
            });
            quote!(#sj::Value::Object(#sj::Map::from_iter([ #( #fields ),* ])))
        }
        (_, Type::Bool) => {
            let v = value(e);
            quote!(#sj::Value::Bool(#v))
        }
        (ExprKind::Int(n), _) => quote!(#sj::Value::from(#n)),
        (ExprKind::Template(parts), _) => {
            let s = format(parts);
            quote!(#sj::Value::String(#s))
        }
        (_, Type::Str) => {
            let s = string(e);
            quote!(#sj::Value::String(::std::string::String::from(#s)))
        }
        _ => quote!(#sj::Value::Null),
    }
}
