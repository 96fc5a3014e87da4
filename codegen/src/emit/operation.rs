//! One file per operation: input, output, error enum and fluent builder.

use super::docs;
use super::shapes::{builder_methods, structure, Holder, Role};
use crate::ir::{Auth, HostPrefixPart, Kind, Operation, OutputPath, Paginator};
use crate::names::bare;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `src/operation/<name>.rs`.
pub fn operation(op: &Operation, query_compatible: bool) -> TokenStream {
    let module_doc = format!(
        " The `{}` operation: input, output, errors and fluent builder.",
        op.wire_name
    );
    let input = structure(&op.input, Role::Input);
    let output = structure(&op.output, Role::Output);
    let operation_impl = operation_impl(op);
    let error = error_enum(op, query_compatible);
    let fluent = fluent_builder(op);
    let paginator = op.paginator.as_ref().map(|p| paginator(op, p));
    let allow = op
        .links_own_items
        .then(|| quote!(#![allow(rustdoc::redundant_explicit_links)]));
    quote! {
        #![doc = #module_doc]
        #allow
        #input
        #operation_impl
        #output
        #error
        #fluent
        #paginator
    }
}

/// `impl Operation for <Op>Input`: what `Client::send` needs.
fn operation_impl(op: &Operation) -> TokenStream {
    let input = format_ident!("{}", op.input.name);
    let output = format_ident!("{}", op.output.name);
    let error = format_ident!("{}", op.error_name);
    let name = &op.wire_name;
    let tokens = op
        .input
        .members
        .iter()
        .filter(|m| m.idempotency_token)
        .map(|m| {
            let field = super::ident(&m.field);
            quote! {
                if self.#field.is_none() {
                    self.#field = ::std::option::Option::Some(::marketplace_sdk_runtime::idempotency_token());
                }
            }
        });
    let auth = (op.auth == Auth::NoAuth).then(|| {
        quote! {
            const AUTH: ::marketplace_sdk_runtime::client::AuthScheme = ::marketplace_sdk_runtime::client::AuthScheme::NoAuth;
        }
    });
    let host_prefix = op.host_prefix.as_ref().map(|prefix| {
        // The local holding a label's checked value.
        let label_var = |field: &str| format_ident!("label_{}", bare(field));
        let checks = prefix.labels.iter().map(|label| {
            let var = label_var(&label.field);
            let field = super::ident(&label.field);
            let wire = &label.wire_name;
            quote! {
                let #var = ::marketplace_sdk_runtime::client::host_label(#wire, self.#field.as_deref())?;
            }
        });
        let pieces = prefix.parts.iter().map(|part| match part {
            HostPrefixPart::Text(text) => quote!(#text),
            HostPrefixPart::Label(label) => {
                let var = label_var(&label.field);
                quote!(#var)
            }
        });
        // A label checked but not in the template is still checked, as botocore does.
        let unused = prefix
            .labels
            .iter()
            .filter(|label| {
                !prefix
                    .parts
                    .iter()
                    .any(|part| matches!(part, HostPrefixPart::Label(used) if used.wire_name == label.wire_name))
            })
            .map(|label| label_var(&label.field));
        let prefix = match &prefix.parts[..] {
            [HostPrefixPart::Text(text)] => quote!(::std::string::String::from(#text)),
            _ => quote!([#( #pieces ),*].concat()),
        };
        quote! {
            fn host_prefix(&self) -> ::std::result::Result<::std::option::Option<::std::string::String>, ::marketplace_sdk_runtime::error::ValidationError> {
                #( #checks )*
                #( let _ = #unused; )*
                ::std::result::Result::Ok(::std::option::Option::Some(#prefix))
            }
        }
    });
    quote! {
        impl ::marketplace_sdk_runtime::client::Operation for #input {
            type Output = #output;
            type Error = #error;
            const NAME: &'static str = #name;
            #auth

            fn validate(&self) -> ::std::result::Result<(), ::marketplace_sdk_runtime::error::ValidationError> {
                self.validate_at(&::marketplace_sdk_runtime::validate::Path::Root)
            }

            fn prepare(&mut self) {
                #( #tokens )*
            }

            #host_prefix
        }
    }
}

/// The operation's error enum: one variant per modeled exception, and `Unhandled`. In a
/// query-compatible service, a variant is chosen by the awsQuery code of its exception
/// (`error.code`), as botocore maps `Error.Code`, or else by the code of the JSON error
/// document, which the query code replaced as `code()` (botocore's SQS handler chooses
/// that way).
fn error_enum(op: &Operation, query_compatible: bool) -> TokenStream {
    let name = format_ident!("{}", op.error_name);
    let doc = format!(
        " The errors `{}` can return: one variant per exception the model lists, and `Unhandled` for any other code.",
        op.wire_name
    );
    let variants: Vec<_> = op
        .errors
        .iter()
        .map(|e| format_ident!("{}", e.variant))
        .collect();
    let variant_docs = op.errors.iter().map(|e| docs(&e.docs));
    let codes = op.errors.iter().map(|e| e.code.as_str());
    let unhandled =
        quote! { Self::Unhandled(::marketplace_sdk_runtime::client::unhandled(meta, body)) };
    // Without modeled errors a `match` would have only the catch-all, which clippy rejects.
    let from_response = if op.errors.is_empty() {
        unhandled
    } else if query_compatible {
        let patterns = op.errors.iter().map(|e| {
            let code = e.code.as_str();
            match &e.query_code {
                Some(query) => quote! {
                    (::std::option::Option::Some(#query), _) | (_, ::std::option::Option::Some(#code))
                },
                None => quote!((_, ::std::option::Option::Some(#code))),
            }
        });
        quote! {
            match (meta.code(), meta.protocol_code()) {
                #( #patterns => Self::#variants(crate::types::error::#variants::from_response(meta, body)), )*
                _ => #unhandled,
            }
        }
    } else {
        quote! {
            match meta.code() {
                #( ::std::option::Option::Some(#codes) => Self::#variants(crate::types::error::#variants::from_response(meta, body)), )*
                _ => #unhandled,
            }
        }
    };
    quote! {
        #[doc = #doc]
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
        pub enum #name {
            #( #variant_docs #variants(crate::types::error::#variants), )*
            /// An error code the model does not list for this operation.
            Unhandled(crate::error::Unhandled),
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(error) => ::std::fmt::Display::fmt(error, f), )*
                    Self::Unhandled(error) => ::std::fmt::Display::fmt(error, f),
                }
            }
        }

        impl ::std::error::Error for #name {}

        impl ::marketplace_sdk_runtime::error::ProvideErrorMetadata for #name {
            fn meta(&self) -> &::marketplace_sdk_runtime::error::ErrorMetadata {
                match self {
                    #( Self::#variants(error) => ::marketplace_sdk_runtime::error::ProvideErrorMetadata::meta(error), )*
                    Self::Unhandled(error) => ::marketplace_sdk_runtime::error::ProvideErrorMetadata::meta(error),
                }
            }
        }

        impl ::marketplace_sdk_runtime::client::OperationError for #name {
            fn from_response(meta: ::marketplace_sdk_runtime::error::ErrorMetadata, body: &[u8]) -> Self {
                #from_response
            }
        }

        impl ::std::convert::From<#name> for crate::Error {
            fn from(error: #name) -> Self {
                match error {
                    #( #name::#variants(error) => crate::Error::#variants(error), )*
                    #name::Unhandled(error) => crate::Error::Unhandled(error),
                }
            }
        }

        impl ::std::convert::From<crate::error::SdkError<#name>> for crate::Error {
            fn from(error: crate::error::SdkError<#name>) -> Self {
                crate::error::from_sdk_error(error)
            }
        }
    }
}

/// `client.<operation>()`: a builder that holds the client and sends itself.
fn fluent_builder(op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.fluent_name);
    let input = format_ident!("{}", op.input.name);
    let input_builder = format_ident!("{}", op.input.builder);
    let output = format_ident!("{}", op.output.name);
    let error = format_ident!("{}", op.error_name);
    let doc = format!(
        " Sends a `{}` request; made by [`Client::{module}`](crate::Client::{module}).",
        op.wire_name,
        module = bare(&op.module),
    );
    let setters = op
        .input
        .members
        .iter()
        .map(|m| builder_methods(m, Holder::Inner));
    let op_doc = docs(&op.docs);
    let into_paginator = op.paginator.as_ref().map(|p| {
        let paginator = format_ident!("{}", p.name);
        let doc = format!(
            " The pages of `{}` as a stream, one request per page: see [`{}`].",
            op.wire_name, p.name
        );
        quote! {
            #[doc = #doc]
            pub fn into_paginator(self) -> #paginator {
                #paginator { handle: self.handle, inner: self.inner }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[doc = ""]
        #op_doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct #name {
            handle: ::marketplace_sdk_runtime::client::Handle,
            inner: #input_builder,
        }

        impl #name {
            pub(crate) fn new(handle: ::marketplace_sdk_runtime::client::Handle) -> Self {
                Self { handle, inner: ::std::default::Default::default() }
            }

            /// The input as set so far.
            pub fn as_input(&self) -> &#input_builder {
                &self.inner
            }

            /// Checks the input, sends it and reads the answer. Nothing is sent when
            /// the input breaks a rule of the model.
            pub async fn send(self) -> ::std::result::Result<#output, crate::error::SdkError<#error>> {
                let input: #input = self.inner.build_unchecked();
                self.handle.send(input).await
            }

            #into_paginator

            #( #setters )*
        }

        impl ::marketplace_sdk_runtime::client::FluentBuilder for #name {
            type Input = #input;
        }
    }
}

/// The paginator: `impl Paginate` (and `PaginateItems`) for the input, the paginator type
/// `into_paginator()` returns, and its items type.
fn paginator(op: &Operation, p: &Paginator) -> TokenStream {
    let runtime = quote!(::marketplace_sdk_runtime::paginator);
    let input = format_ident!("{}", op.input.name);
    let input_builder = format_ident!("{}", op.input.builder);
    let output = format_ident!("{}", op.output.name);
    let name = format_ident!("{}", p.name);
    let token_types = p.tokens.iter().map(|t| {
        let ty = super::rust_type(&t.input.ty);
        quote!(::std::option::Option<#ty>)
    });
    let token_names = p.tokens.iter().map(|t| {
        let (wire, sensitive) = (&t.input.wire_name, t.input.sensitive);
        quote!(#runtime::TokenName { name: #wire, sensitive: #sensitive })
    });
    let input_fields: Vec<_> = p
        .tokens
        .iter()
        .map(|t| super::ident(&t.input.field))
        .collect();
    let output_tokens = p
        .tokens
        .iter()
        .map(|t| path(&t.output, quote!(output), Access::Clone));
    let more_results = p.more_results.as_ref().map(|more| {
        let value = path(more, quote!(output), Access::Copy);
        quote! {
            fn more_results(output: &#output) -> bool {
                #value.unwrap_or(false)
            }
        }
    });
    let items_impl = p.items.as_ref().map(|items| {
        let (item, collect) = match &items.key.ty.kind {
            Kind::List { member, sparse } => (element(member, *sparse), quote!()),
            Kind::Map { value, sparse, .. } => {
                let value = element(value, *sparse);
                (
                    quote!((::std::string::String, #value)),
                    quote!(.into_iter().collect()),
                )
            }
            _ => unreachable!("lowering keeps items only for lists and maps"),
        };
        let value = path(&items.key, quote!(output), Access::Move);
        quote! {
            #[allow(deprecated)]
            impl #runtime::PaginateItems for #input {
                type Item = #item;
                fn items(output: #output) -> ::std::vec::Vec<Self::Item> {
                    #value.unwrap_or_default() #collect
                }
            }
        }
    });
    let page_size = p.limit.as_ref().map(|limit| {
        let field = super::ident(&limit.field);
        let ty = super::rust_type(&limit.ty);
        let doc = format!(
            " Sets `{}`, the most results a page holds (the service's default and maximum apply).",
            limit.wire_name
        );
        quote! {
            #[doc = #doc]
            pub fn page_size(mut self, size: #ty) -> Self {
                #[allow(deprecated)]
                {
                    self.inner.#field = ::std::option::Option::Some(size);
                }
                self
            }
        }
    });
    let (items_method, items_struct) = match &p.items {
        Some(items) => {
            let items_name = format_ident!("{}", p.items_name);
            let items_doc = format!(
                " The elements of `{}` across the pages of `{}`: made by [`{}::items`].",
                items.key.wire, op.wire_name, p.name
            );
            let method_doc = format!(
                " The elements of `{}` across the pages, as a stream: see [`{}::send`].",
                items.key.wire, p.items_name
            );
            let method = quote! {
                #[doc = #method_doc]
                pub fn items(self) -> #items_name {
                    #items_name(self)
                }
            };
            let structure = quote! {
                #[doc = #items_doc]
                #[derive(::std::clone::Clone, ::std::fmt::Debug)]
                pub struct #items_name(#name);

                impl #items_name {
                    /// The stream of items, each a `Result`: a page is requested when the items
                    /// of the one before are used up. An error is the stream's last item.
                    pub fn send(self) -> crate::paginator::ItemStream<#input> {
                        crate::paginator::ItemStream::new(self.0.send())
                    }
                }
            };
            (Some(method), Some(structure))
        }
        None => (None, None),
    };
    let paginator_docs = docs(&p.docs);
    quote! {
        #[allow(deprecated)]
        impl #runtime::Paginate for #input {
            type Tokens = ( #( #token_types, )* );
            const TOKENS: &'static [#runtime::TokenName] = &[ #( #token_names ),* ];

            fn input_tokens(&self) -> Self::Tokens {
                ( #( self.#input_fields.clone(), )* )
            }

            fn set_input_tokens(&mut self, tokens: Self::Tokens) {
                ( #( self.#input_fields, )* ) = tokens;
            }

            fn output_tokens(output: &#output) -> Self::Tokens {
                ( #( #output_tokens, )* )
            }

            #more_results
        }

        #items_impl

        #paginator_docs
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct #name {
            handle: ::marketplace_sdk_runtime::client::Handle,
            inner: #input_builder,
        }

        impl #name {
            #page_size

            /// The stream of pages, each a `Result` of the output: the first request is sent
            /// when the stream is first polled, each next one when the page before has been
            /// yielded. An error is the stream's last item.
            pub fn send(self) -> crate::paginator::PageStream<#input> {
                crate::paginator::PageStream::new(self.handle, self.inner.build_unchecked())
            }

            #items_method
        }

        #items_struct
    }
}

/// How a member path's value is taken.
#[derive(Clone, Copy)]
enum Access {
    /// Cloned out of a borrowed output: `Option<T>`.
    Clone,
    /// Copied out of a borrowed output (booleans): `Option<T>`.
    Copy,
    /// Moved out of an owned output: `Option<T>`.
    Move,
}

/// `root.a.b` as an `Option` of the value at the end, through the `Option`s (and `Box`es)
/// of the structures on the way.
fn path(path: &OutputPath, root: TokenStream, access: Access) -> TokenStream {
    let fields: Vec<_> = path.fields.iter().map(|f| super::ident(f)).collect();
    let (last, steps) = fields.split_last().expect("a path has a member");
    let take = |value: TokenStream| match access {
        Access::Clone => quote!(#value.clone()),
        Access::Copy | Access::Move => value,
    };
    let Some((first, middle)) = steps.split_first() else {
        return take(quote!(#root.#last));
    };
    let mut value = match access {
        Access::Move => quote!(#root.#first),
        Access::Clone | Access::Copy => quote!(#root.#first.as_ref()),
    };
    for field in middle {
        value = match access {
            Access::Move => quote!(#value.and_then(|value| value.#field)),
            Access::Clone | Access::Copy => quote!(#value.and_then(|value| value.#field.as_ref())),
        };
    }
    let last = take(quote!(value.#last));
    quote!(#value.and_then(|value| #last))
}

/// The type of an element of a list or a map value; `Option` in a sparse one.
fn element(ty: &crate::ir::Type, sparse: bool) -> TokenStream {
    let ty = super::rust_type(ty);
    if sparse {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}
