//! Emitters: IR in, files out. They decide nothing; every name and type comes
//! from the IR. Paths in generated code are fully qualified so that a model shape
//! called `String` or `Result` cannot shadow anything.

mod endpoint;
mod operation;
mod service;
mod shapes;

use crate::endpoint::EndpointRules;
use crate::ir::{Kind, NamedKind, Service, TimestampFormat, Type};
use crate::GeneratedFile;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

/// Every file of the crate's `src/`, sorted by path.
pub fn emit(service: &Service, rules: &EndpointRules) -> Result<Vec<GeneratedFile>, crate::Error> {
    let mut files = Vec::new();
    let mut add = |path: String, tokens: TokenStream| -> Result<(), crate::Error> {
        files.push(GeneratedFile {
            contents: render(&service.header, &path, tokens)?,
            path,
        });
        Ok(())
    };
    add("src/lib.rs".into(), service::lib(service))?;
    add("src/client.rs".into(), service::client(service))?;
    add("src/config.rs".into(), service::config())?;
    add("src/endpoint.rs".into(), endpoint::endpoint(rules))?;
    if let Some(partitions) = endpoint::partitions(rules) {
        add("src/endpoint/partitions.rs".into(), partitions)?;
    }
    add("src/primitives.rs".into(), service::primitives())?;
    add("src/error.rs".into(), service::error(service))?;
    add("src/operation.rs".into(), service::operation_index(service))?;
    if service.has_paginators() {
        add("src/paginator.rs".into(), service::paginator())?;
    }
    add("src/types.rs".into(), service::types_index(service))?;
    add(
        "src/types/error.rs".into(),
        service::exceptions_index(service),
    )?;
    for operation in &service.operations {
        add(
            format!("src/operation/{}.rs", bare(&operation.module)),
            operation::operation(operation, service.query_compatible),
        )?;
    }
    for def in &service.types {
        add(
            format!("src/types/{}.rs", def.file()),
            shapes::type_def(def),
        )?;
    }
    for exception in &service.exceptions {
        add(
            format!("src/types/error/{}.rs", exception.structure.file),
            shapes::exception(exception),
        )?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The runtime's own partition table, `src/endpoint/partitions_table.rs` of
/// `marketplace-sdk-runtime`: the STS credential providers of `marketplace-sdk-config`
/// resolve STS hosts with it before any service crate is known.
pub fn runtime_partitions(
    header: &str,
    partitions: &[crate::endpoint::model::Partition],
) -> Result<GeneratedFile, crate::Error> {
    let site = endpoint::TableSite {
        doc: "The partitions of botocore's `partitions.json`, for the runtime's own STS endpoints.",
        module: quote!(crate::endpoint::partition),
        vis: quote!(pub),
        name: "AWS_PARTITIONS",
    };
    let path = "src/endpoint/partitions_table.rs";
    Ok(GeneratedFile {
        contents: render(header, path, endpoint::partition_table(partitions, &site))?,
        path: path.into(),
    })
}

/// Pretty-prints one file behind the one-line generated header.
fn render(header: &str, path: &str, tokens: TokenStream) -> Result<String, crate::Error> {
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|error| crate::Error(format!("generated {path} does not parse: {error}")))?;
    Ok(format!("{header}\n{}", prettyplease::unparse(&file)))
}

fn bare(ident: &str) -> &str {
    crate::names::bare(ident)
}

/// An identifier from the IR, raw when it is a keyword.
fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[doc = " line"]` per line: prettyplease prints each as `/// line`.
fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Inner doc attributes (`//!`) for a module file.
fn module_docs(lines: &[&str]) -> TokenStream {
    let lines = lines.iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #![doc = #lines] )* }
}

/// The Rust type of a value.
fn rust_type(ty: &Type) -> TokenStream {
    match &ty.kind {
        Kind::String => quote!(::std::string::String),
        Kind::Boolean => quote!(bool),
        Kind::Byte => quote!(i8),
        Kind::Short => quote!(i16),
        Kind::Integer => quote!(i32),
        Kind::Long => quote!(i64),
        Kind::Float => quote!(f32),
        Kind::Double => quote!(f64),
        Kind::Timestamp(_) => quote!(crate::primitives::DateTime),
        Kind::Blob => quote!(crate::primitives::Blob),
        Kind::Document => quote!(crate::primitives::Document),
        Kind::List { member, sparse } => {
            let member = rust_type(member);
            if *sparse {
                quote!(::std::vec::Vec<::std::option::Option<#member>>)
            } else {
                quote!(::std::vec::Vec<#member>)
            }
        }
        Kind::Map { value, sparse, .. } => {
            let value = rust_type(value);
            if *sparse {
                quote!(::std::collections::HashMap<::std::string::String, ::std::option::Option<#value>>)
            } else {
                quote!(::std::collections::HashMap<::std::string::String, #value>)
            }
        }
        Kind::Named { name, .. } => {
            let name = format_ident!("{}", name);
            quote!(crate::types::#name)
        }
    }
}

/// The `marketplace_sdk_runtime::serde_support::Format` a value needs where serde's derive would get its
/// wire form wrong (non-finite floats, RFC 3339 timestamps), at any depth of lists and maps;
/// `None` where derive is right. A path to use in a `serialize_with` string.
fn wire_format(ty: &Type) -> Option<String> {
    const FORMATS: &str = "::marketplace_sdk_runtime::serde_support";
    let nested = |outer: &str, inner: &Type, sparse: bool| {
        wire_format(inner).map(|inner| match sparse {
            true => format!("{FORMATS}::{outer}<{FORMATS}::Opt<{inner}>>"),
            false => format!("{FORMATS}::{outer}<{inner}>"),
        })
    };
    match &ty.kind {
        Kind::Float | Kind::Double => Some(format!("{FORMATS}::Float")),
        Kind::Timestamp(TimestampFormat::Iso8601) => Some(format!("{FORMATS}::Iso8601")),
        Kind::List { member, sparse } => nested("List", member, *sparse),
        Kind::Map { value, sparse, .. } => nested("Map", value, *sparse),
        _ => None,
    }
}

/// `serialize_with = ..., deserialize_with = ...` for a value in `format`.
fn serde_with(format: &str) -> TokenStream {
    let serialize =
        format!("::marketplace_sdk_runtime::serde_support::serialize::<{format}, _, _>");
    let deserialize =
        format!("::marketplace_sdk_runtime::serde_support::deserialize::<{format}, _, _>");
    quote!(serialize_with = #serialize, deserialize_with = #deserialize)
}

/// Whether a value of this type is `Copy` (getters return it by value).
fn is_copy(ty: &Type) -> bool {
    matches!(
        ty.kind,
        Kind::Boolean
            | Kind::Byte
            | Kind::Short
            | Kind::Integer
            | Kind::Long
            | Kind::Float
            | Kind::Double
            | Kind::Timestamp(_)
    )
}

/// Whether validating a value of this type can fail.
fn needs_validation(ty: &Type) -> bool {
    match &ty.kind {
        Kind::String | Kind::Blob => has_length_limits(ty),
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double => {
            ty.min.is_some() || ty.max.is_some()
        }
        Kind::List { member: inner, .. } => has_length_limits(ty) || needs_validation(inner),
        Kind::Map { key, value, .. } => {
            has_length_limits(ty) || has_length_limits(key) || needs_validation(value)
        }
        Kind::Named { kind, .. } => *kind != NamedKind::Enum,
        Kind::Boolean | Kind::Timestamp(_) | Kind::Document => false,
    }
}

fn has_length_limits(ty: &Type) -> bool {
    ty.min.is_some_and(|min| min > 0.0) || ty.max.is_some()
}

/// `value` as an `Option` expression: `Some(value)` or `None`.
fn option_expr<T: ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}

/// A length limit; zero, the same as none, is left out.
fn limit_u64(limit: Option<f64>) -> TokenStream {
    option_expr(limit.filter(|&value| value > 0.0).map(|value| value as u64))
}

/// Statements that check `value` (a reference) of type `ty` at `path`.
fn validate_value(ty: &Type, value: TokenStream) -> TokenStream {
    let v = quote!(::marketplace_sdk_runtime::validate);
    match &ty.kind {
        Kind::String => {
            let (min, max) = (limit_u64(ty.min), limit_u64(ty.max));
            quote!(#v::string_length(&path, #value, #min, #max)?;)
        }
        Kind::Blob => {
            let (min, max) = (limit_u64(ty.min), limit_u64(ty.max));
            quote!(#v::length(&path, #value.as_bytes().len(), #min, #max)?;)
        }
        Kind::Byte | Kind::Short | Kind::Integer | Kind::Long | Kind::Float | Kind::Double => {
            let (min, max) = (option_expr(ty.min), option_expr(ty.max));
            // `f64 as f64` is clippy's `unnecessary_cast`.
            let number = if matches!(ty.kind, Kind::Double) {
                quote!(*#value)
            } else {
                quote!(*#value as f64)
            };
            quote!(#v::range(&path, #number, #min, #max)?;)
        }
        Kind::List { member, sparse } => {
            let length = length_check(ty, &value);
            let items = needs_validation(member).then(|| {
                let check = element_check(member, *sparse);
                quote! {
                    for (index, item) in #value.iter().enumerate() {
                        let path = path.index(index);
                        #check
                    }
                }
            });
            quote!(#length #items)
        }
        Kind::Map {
            key,
            value: inner,
            sparse,
        } => {
            let length = length_check(ty, &value);
            let key_check = has_length_limits(key).then(|| {
                let (min, max) = (limit_u64(key.min), limit_u64(key.max));
                quote!(#v::key_length(&path, key, #min, #max)?;)
            });
            let value_check = needs_validation(inner).then(|| element_check(inner, *sparse));
            // Only the keys have limits (identitystore's `CreateUser`): the values go unnamed.
            let item = match value_check {
                Some(_) => quote!(item),
                None => quote!(_),
            };
            let items = (key_check.is_some() || value_check.is_some()).then(|| {
                // Sorted keys: the first failure reported does not depend on hash order.
                quote! {
                    let mut entries: ::std::vec::Vec<_> = #value.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    for (key, #item) in entries {
                        let path = path.key(key);
                        #key_check
                        #value_check
                    }
                }
            });
            quote!(#length #items)
        }
        Kind::Named {
            kind: NamedKind::Structure | NamedKind::Union,
            ..
        } => quote!(#value.validate_at(&path)?;),
        _ => quote!(),
    }
}

/// The length check of a list or map `value`, if its type limits the length.
fn length_check(ty: &Type, value: &TokenStream) -> Option<TokenStream> {
    has_length_limits(ty).then(|| {
        let (min, max) = (limit_u64(ty.min), limit_u64(ty.max));
        quote!(::marketplace_sdk_runtime::validate::length(&path, #value.len(), #min, #max)?;)
    })
}

/// The checks of `item`, one element of a list or map; in a sparse one it may be null.
fn element_check(element: &Type, sparse: bool) -> TokenStream {
    let check = validate_value(element, quote!(item));
    if sparse {
        quote!(if let ::std::option::Option::Some(item) = item { #check })
    } else {
        check
    }
}
