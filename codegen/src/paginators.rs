//! Lowering of `paginators-1.json`: each entry is checked against the lowered operation it
//! names and becomes its [`Paginator`].
//!
//! Every token, limit, `more_results`, result and non-aggregate key must name members that
//! exist, with the types botocore's `paginate.py` needs (input tokens and the limit are
//! top-level input members; output paths `a.b` go through structures); an entry that does
//! not is an error naming the operation and the key. An output path that is a JMESPath
//! expression rather than member names (kinesis `DescribeStream`'s
//! `StreamDescription.Shards[-1].ShardId`) is not evaluated: that paginator is left out and
//! the crate docs say so.

use crate::api::rust_type;
use crate::ir::{
    InputMember, Kind, NamedKind, OmittedOperation, Operation, OutputPath, PaginationToken,
    Paginator, PaginatorItems, Service, Structure, TypeDef,
};
use crate::model::{self, Model};
use crate::names::bare;
use crate::Error;
use std::collections::BTreeMap;

/// The most tokens one paginator may have: what the runtime's `Tokens` tuples go up to
/// (botocore's models have at most three).
const MAX_TOKENS: usize = 4;

/// Parses `json` and gives each operation it names its paginator; entries the crate cannot
/// follow go to [`Service::omitted_paginators`].
pub fn lower(service: &mut Service, model: &Model, json: &str) -> Result<(), Error> {
    let file: model::Paginators = serde_json::from_str(json)
        .map_err(|error| Error(format!("paginators-1.json does not parse: {error}")))?;
    let structures: BTreeMap<&str, &Structure> = service
        .types
        .iter()
        .filter_map(|def| match def {
            TypeDef::Structure(s) => Some((s.name.as_str(), s)),
            _ => None,
        })
        .collect();
    let mut lowered = BTreeMap::new();
    let mut omitted = Vec::new();
    for (name, entry) in &file.pagination.0 {
        if model.operations.get(name).is_none() {
            return Err(Error(format!(
                "paginators-1.json has a paginator for `{name}`, which the model has no operation of"
            )));
        }
        // An operation the crate leaves out takes its paginator with it; the docs list it.
        let Some(operation) = service.operations.iter().find(|op| op.wire_name == *name) else {
            continue;
        };
        let context = |error: String| Error(format!("the paginator of `{name}`: {error}"));
        if let Some(expression) = expression(entry) {
            omitted.push(OmittedOperation {
                wire_name: name.clone(),
                reason: format!(
                    "its `{}` `{}` is a JMESPath expression, which this SDK does not evaluate",
                    expression.0, expression.1
                ),
            });
            continue;
        }
        let paginator = paginator(operation, entry, &structures).map_err(context)?;
        lowered.insert(name.clone(), paginator);
    }
    for operation in &mut service.operations {
        operation.paginator = lowered.remove(&operation.wire_name);
    }
    service.omitted_paginators = omitted;
    Ok(())
}

/// The first key of `entry` that is not a plain member path, and which key it is.
fn expression(entry: &model::Paginator) -> Option<(&'static str, &str)> {
    let plain = |path: &str| {
        !path.is_empty()
            && path.split('.').all(|step| {
                !step.is_empty() && step.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    };
    let keys = entry
        .input_token
        .to_vec()
        .into_iter()
        .map(|key| ("input_token", key))
        .chain(
            entry
                .output_token
                .to_vec()
                .into_iter()
                .map(|k| ("output_token", k)),
        )
        .chain(entry.limit_key.iter().map(|k| ("limit_key", k.as_str())))
        .chain(
            entry
                .more_results
                .iter()
                .map(|k| ("more_results", k.as_str())),
        )
        .chain(
            entry
                .result_key
                .iter()
                .flat_map(|keys| keys.to_vec())
                .map(|k| ("result_key", k)),
        )
        .chain(
            entry
                .non_aggregate_keys
                .iter()
                .map(|k| ("non_aggregate_keys", k.as_str())),
        );
    keys.into_iter().find(|(_, key)| !plain(key))
}

fn paginator(
    operation: &Operation,
    entry: &model::Paginator,
    structures: &BTreeMap<&str, &Structure>,
) -> Result<Paginator, String> {
    let inputs = entry.input_token.to_vec();
    let outputs = entry.output_token.to_vec();
    if inputs.len() != outputs.len() {
        return Err(format!(
            "{} `input_token` but {} `output_token`; each input token needs its output token",
            inputs.len(),
            outputs.len()
        ));
    }
    if inputs.is_empty() || inputs.len() > MAX_TOKENS {
        return Err(format!(
            "{} tokens; a paginator has 1 to {MAX_TOKENS}",
            inputs.len()
        ));
    }
    let mut tokens = Vec::new();
    for (input, output) in inputs.into_iter().zip(outputs) {
        let input = input_member(&operation.input, input, "input_token")?;
        if !matches!(
            input.ty.kind,
            Kind::String | Kind::List { .. } | Kind::Map { .. }
        ) {
            return Err(format!(
                "`input_token` `{}` is `{}`; tokens are strings, lists or maps",
                input.wire_name,
                rust_type(&input.ty)
            ));
        }
        let output = output_path(&operation.output, output, structures, "output_token")?;
        if rust_type(&output.ty) != rust_type(&input.ty) {
            return Err(format!(
                "`output_token` `{}` is `{}` but `input_token` `{}` is `{}`",
                output.wire,
                rust_type(&output.ty),
                input.wire_name,
                rust_type(&input.ty)
            ));
        }
        tokens.push(PaginationToken { input, output });
    }
    let limit = match &entry.limit_key {
        Some(key) => {
            let limit = input_member(&operation.input, key, "limit_key")?;
            if !matches!(
                limit.ty.kind,
                Kind::Byte | Kind::Short | Kind::Integer | Kind::Long
            ) {
                return Err(format!(
                    "`limit_key` `{key}` is `{}`, not an integer",
                    rust_type(&limit.ty)
                ));
            }
            Some(limit)
        }
        None => None,
    };
    let more_results = match &entry.more_results {
        Some(path) => {
            let more = output_path(&operation.output, path, structures, "more_results")?;
            if !matches!(more.ty.kind, Kind::Boolean) {
                return Err(format!(
                    "`more_results` `{path}` is `{}`, not a boolean",
                    rust_type(&more.ty)
                ));
            }
            Some(more)
        }
        None => None,
    };
    let result_keys = entry
        .result_key
        .iter()
        .flat_map(|keys| keys.to_vec())
        .map(|key| output_path(&operation.output, key, structures, "result_key"))
        .collect::<Result<Vec<_>, _>>()?;
    for key in &entry.non_aggregate_keys {
        output_path(&operation.output, key, structures, "non_aggregate_keys")?;
    }
    let items = result_keys
        .first()
        .filter(|key| matches!(key.ty.kind, Kind::List { .. } | Kind::Map { .. }))
        .map(|key| PaginatorItems {
            key: OutputPath {
                wire: key.wire.clone(),
                fields: key.fields.clone(),
                ty: key.ty.clone(),
            },
        });
    let base = operation
        .fluent_name
        .strip_suffix("FluentBuilder")
        .unwrap_or(&operation.fluent_name);
    let mut paginator = Paginator {
        name: format!("{base}Paginator"),
        items_name: format!("{base}PaginatorItems"),
        docs: Vec::new(),
        tokens,
        limit,
        more_results,
        result_keys,
        items,
        non_aggregate_keys: entry.non_aggregate_keys.clone(),
    };
    paginator.docs = docs(operation, &paginator);
    Ok(paginator)
}

/// A top-level member of the input: botocore sets tokens and the limit as keyword arguments.
fn input_member(input: &Structure, name: &str, key: &str) -> Result<InputMember, String> {
    let member = input
        .members
        .iter()
        .find(|m| m.wire_name == name)
        .ok_or_else(|| format!("`{key}` `{name}` is not a member of the input"))?;
    Ok(InputMember {
        wire_name: member.wire_name.clone(),
        field: member.field.clone(),
        ty: member.ty.clone(),
        sensitive: member.sensitive,
    })
}

/// A member path `a.b` from the output, through structures.
fn output_path(
    output: &Structure,
    path: &str,
    structures: &BTreeMap<&str, &Structure>,
    key: &str,
) -> Result<OutputPath, String> {
    let mut structure = output;
    let mut fields = Vec::new();
    let steps: Vec<&str> = path.split('.').collect();
    for (index, step) in steps.iter().enumerate() {
        let member = structure
            .members
            .iter()
            .find(|m| m.wire_name == *step)
            .ok_or_else(|| {
                format!(
                    "`{key}` `{path}`: `{}` has no member `{step}`",
                    structure.name
                )
            })?;
        fields.push(member.field.clone());
        if index + 1 == steps.len() {
            return Ok(OutputPath {
                wire: path.to_owned(),
                fields,
                ty: member.ty.clone(),
            });
        }
        structure = match &member.ty.kind {
            Kind::Named {
                name,
                kind: NamedKind::Structure,
            } => structures
                .get(name.as_str())
                .ok_or_else(|| format!("`{key}` `{path}`: no structure `{name}`"))?,
            _ => {
                return Err(format!(
                    "`{key}` `{path}`: `{step}` is `{}`, not a structure",
                    rust_type(&member.ty)
                ))
            }
        };
    }
    Err(format!("`{key}` is empty"))
}

/// The paginator type's docs: how one page leads to the next, and what the pages hold.
fn docs(operation: &Operation, paginator: &Paginator) -> Vec<String> {
    let method = bare(&operation.module);
    let names = |paths: &mut dyn Iterator<Item = &str>| {
        paths
            .map(|path| format!("`{path}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let items = match &paginator.items {
        Some(items) => format!(
            ", [`items`](Self::items) that of the elements of `{}`, the first result key",
            items.key.wire
        ),
        None => String::new(),
    };
    let mut lines = vec![
        format!(
            "The pages of [`{}`](crate::Client::{method}), made by [`{}::into_paginator`]: \
             [`send`](Self::send) makes the stream of pages{items}.",
            operation.wire_name, operation.fluent_name
        ),
        String::new(),
    ];
    let follow = paginator
        .tokens
        .iter()
        .map(|token| {
            format!(
                "the page's `{}` as the request's `{}`",
                token.output.wire, token.input.wire_name
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut ends = "until a page has none".to_owned();
    if paginator.tokens.len() > 1 {
        ends =
            "until a page has none of them (a token a page lacks is left out of the next request)"
                .into();
    }
    if let Some(more) = &paginator.more_results {
        ends.push_str(&format!(" or its `{}` is not `true`", more.wire));
    }
    lines.push(format!(
        "The first request is the input as built; each next one sends {follow}, {ends}. \
         A page that answers with tokens an earlier page was requested with ends the stream \
         with [`Error::Pagination`](crate::Error::Pagination)."
    ));
    if !paginator.result_keys.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "A page's results: {}.",
            names(&mut paginator.result_keys.iter().map(|k| k.wire.as_str()))
        ));
    }
    if !paginator.non_aggregate_keys.is_empty() {
        lines.push(format!(
            "The same on every page: {}.",
            names(&mut paginator.non_aggregate_keys.iter().map(String::as_str))
        ));
    }
    lines
}
