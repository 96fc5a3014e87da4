//! Structures, string enums, unions and exceptions: the types in `types` and
//! `types::error`, and the structure half of operation inputs and outputs.

use super::{
    docs, ident, is_copy, needs_validation, rust_type, serde_with, validate_value, wire_format,
};
use crate::ir::{
    EnumDef, Exception, Kind, Member, SetterAction, SetterParam, Setters, Structure, TypeDef,
    UnionDef,
};
use crate::names::bare;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// What a structure is for; it changes the builder and the extras.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A shape in `types`.
    Shape,
    /// An operation input: validated, fallible `build()`.
    Input,
    /// An operation output.
    Output,
    /// An exception: carries the response's error metadata.
    Exception,
}

/// A file in `types`.
pub fn type_def(def: &TypeDef) -> TokenStream {
    match def {
        TypeDef::Structure(s) => structure(s, Role::Shape),
        TypeDef::Enum(e) => enumeration(e),
        TypeDef::Union(u) => union(u),
    }
}

/// A file in `types::error`.
pub fn exception(exception: &Exception) -> TokenStream {
    let s = &exception.structure;
    let name = format_ident!("{}", s.name);
    let code = &exception.code;
    let fill_message = exception.message_field.as_ref().map(|field| {
        let field = ident(field);
        quote! {
            if error.#field.is_none() {
                error.#field = meta.message().map(::std::borrow::ToOwned::to_owned);
            }
        }
    });
    let kind_doc = if exception.fault {
        " The service failed (a server fault), not the request."
    } else {
        " The request was rejected (a client fault)."
    };
    let body = structure(s, Role::Exception);
    let fault = exception.fault;
    quote! {
        #body

        impl #name {
            /// Whether the service blames itself for this error.
            #[doc = #kind_doc]
            pub fn is_fault(&self) -> bool {
                #fault
            }

            /// Reads the error from a response with this metadata and body.
            pub(crate) fn from_response(meta: ::marketplace_sdk_runtime::error::ErrorMetadata, body: &[u8]) -> Self {
                let mut error: Self = ::marketplace_sdk_runtime::client::parse_exception(body);
                #fill_message
                error.meta = meta;
                error
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::marketplace_sdk_runtime::error::display_service_error(#code, &self.meta, f)
            }
        }

        impl ::std::error::Error for #name {}

        impl ::marketplace_sdk_runtime::error::ProvideErrorMetadata for #name {
            fn meta(&self) -> &::marketplace_sdk_runtime::error::ErrorMetadata {
                &self.meta
            }
        }
    }
}

/// A struct with getters and a builder.
pub fn structure(s: &Structure, role: Role) -> TokenStream {
    let name = format_ident!("{}", s.name);
    let builder = format_ident!("{}", s.builder);
    let doc = docs(&s.docs);
    let fields = s.members.iter().map(field);
    let field_names: Vec<_> = s.members.iter().map(|m| ident(&m.field)).collect();
    let getters = s.members.iter().map(getter);
    let setters = s.members.iter().map(|m| builder_methods(m, Holder::Fields));
    let builder_fields = s.members.iter().map(|m| {
        let field = ident(&m.field);
        let ty = field_type(m);
        quote!(pub(crate) #field: #ty,)
    });
    let meta_field = (role == Role::Exception).then(|| {
        quote! {
            /// Code, message and request id of the response this error came from.
            #[serde(skip)]
            pub(crate) meta: ::marketplace_sdk_runtime::error::ErrorMetadata,
        }
    });
    let meta_init =
        (role == Role::Exception).then(|| quote!(meta: ::std::default::Default::default(),));
    let sensitive = s.has_sensitive();
    let derive_debug = (!sensitive).then(|| quote!(::std::fmt::Debug,));
    let manual_debug = sensitive.then(|| {
        let struct_debug = debug_impl(&s.name, &s.members, role == Role::Exception);
        let builder_debug = debug_impl(&s.builder, &s.members, false);
        quote!(#struct_debug #builder_debug)
    });
    let validate = s.validated.then(|| validate_at(&s.members));
    let build = if role == Role::Input {
        quote! {
            /// The input, after checking the model's constraints (required members,
            /// lengths, ranges); the error names the member and the broken rule.
            pub fn build(self) -> ::std::result::Result<#name, ::marketplace_sdk_runtime::error::ValidationError> {
                let input = self.build_unchecked();
                input.validate_at(&::marketplace_sdk_runtime::validate::Path::Root)?;
                ::std::result::Result::Ok(input)
            }

            /// The input as set, unchecked: `send` checks it.
            pub(crate) fn build_unchecked(self) -> #name {
                #name { #( #field_names: self.#field_names, )* }
            }
        }
    } else {
        let doc = format!(" The [`{}`].", s.name);
        quote! {
            #[doc = #doc]
            pub fn build(self) -> #name {
                #name { #( #field_names: self.#field_names, )* #meta_init }
            }
        }
    };
    let builder_doc = format!(" Builds a [`{}`].", s.name);
    let new_builder_doc = format!(" A builder for [`{}`].", s.name);
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::default::Default, #derive_debug ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #( #fields )*
            #meta_field
        }

        impl #name {
            #( #getters )*

            #[doc = #new_builder_doc]
            pub fn builder() -> #builder {
                ::std::default::Default::default()
            }

            #validate
        }

        #[doc = #builder_doc]
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq, ::std::default::Default, #derive_debug)]
        pub struct #builder {
            #( #builder_fields )*
        }

        impl #builder {
            #( #setters )*

            #build
        }

        #manual_debug
    }
}

/// The stored type of a member: optional, boxed when recursive.
fn field_type(m: &Member) -> TokenStream {
    let ty = rust_type(&m.ty);
    if m.boxed {
        quote!(::std::option::Option<::std::boxed::Box<#ty>>)
    } else {
        quote!(::std::option::Option<#ty>)
    }
}

/// Doc lines of a member with its requiredness and deprecation.
fn member_docs(m: &Member) -> TokenStream {
    let mut lines = m.docs.clone();
    if m.required {
        lines.extend(["".into(), "This member is required.".into()]);
    }
    if m.idempotency_token {
        lines.extend([
            "".into(),
            "When unset, the SDK sends a fresh random UUID, the same on every retry of a call."
                .into(),
        ]);
    }
    if let Some(note) = &m.deprecated {
        lines.extend([
            "".into(),
            format!("**Deprecated:** {}", escape_markdown(note)),
        ]);
    }
    docs(&lines)
}

fn escape_markdown(text: &str) -> String {
    text.replace('[', "\\[")
        .replace(']', "\\]")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn deprecated(m: &Member) -> Option<TokenStream> {
    m.deprecated
        .as_ref()
        .map(|note| quote!(#[deprecated(note = #note)]))
}

fn field(m: &Member) -> TokenStream {
    let doc = member_docs(m);
    let field = ident(&m.field);
    let ty = field_type(m);
    let wire = &m.wire_name;
    let with = wire_format(&m.ty).map(|format| {
        let with = serde_with(&format!(
            "::marketplace_sdk_runtime::serde_support::Opt<{format}>"
        ));
        quote!(, #with)
    });
    quote! {
        #doc
        #[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none" #with)]
        pub #field: #ty,
    }
}

fn getter(m: &Member) -> TokenStream {
    let doc = member_docs(m);
    let deprecated = deprecated(m);
    let field = ident(&m.field);
    let getter = ident(&m.getter);
    let ty = rust_type(&m.ty);
    let (ret, body) = match &m.ty.kind {
        Kind::String => (
            quote!(::std::option::Option<&str>),
            quote!(self.#field.as_deref()),
        ),
        Kind::List { member, sparse } => {
            let item = rust_type(member);
            let item = if *sparse {
                quote!(::std::option::Option<#item>)
            } else {
                item
            };
            (
                quote!(&[#item]),
                quote!(self.#field.as_deref().unwrap_or_default()),
            )
        }
        _ if is_copy(&m.ty) => (quote!(::std::option::Option<#ty>), quote!(self.#field)),
        _ if m.boxed => (
            quote!(::std::option::Option<&#ty>),
            quote!(self.#field.as_deref()),
        ),
        _ => (
            quote!(::std::option::Option<&#ty>),
            quote!(self.#field.as_ref()),
        ),
    };
    quote! {
        #doc
        #deprecated
        pub fn #getter(&self) -> #ret {
            #body
        }
    }
}

/// Where a builder keeps what its setters are given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// In its own fields: a structure's builder.
    Fields,
    /// In `inner`, the input's builder, whose methods of the same name it calls: an
    /// operation's fluent builder.
    Inner,
}

/// A member's builder methods: the one-value setter (`x`, which sets the member, appends to
/// a list or adds to a map), `set_x` and `get_x`. Both kinds of builder print them here, so
/// their signatures and docs cannot drift apart; only where the value goes differs.
pub fn builder_methods(m: &Member, holder: Holder) -> TokenStream {
    let Setters {
        name,
        action,
        set,
        get,
    } = &m.setters;
    let doc = member_docs(m);
    let deprecated = deprecated(m);
    let field = ident(&m.field);
    let (name, set, get) = (ident(name), ident(set), ident(get));
    // Intra-doc links take the bare name: rustdoc reads `Self::r#type` as a path to `r`.
    let (name_link, set_link) = (bare(&m.setters.name), bare(&m.setters.set));
    let wire = &m.wire_name;
    let forward = |call: TokenStream| {
        quote! {
            #[allow(deprecated)]
            { self.inner = self.inner.#call; }
            self
        }
    };
    let (intro, params, args, store) = match action {
        SetterAction::Set(param) => {
            let value = param_value(param, quote!(input));
            let value = if m.boxed {
                quote!(::std::boxed::Box::new(#value))
            } else {
                value
            };
            let ty = param_type(param);
            (
                None,
                quote!(input: #ty),
                quote!(input),
                quote!(self.#field = ::std::option::Option::Some(#value);),
            )
        }
        SetterAction::Append(param) => {
            let value = param_value(param, quote!(input));
            let ty = param_type(param);
            (
                Some(format!(
                    " Appends an item to `{wire}`; [`{set_link}`](Self::{set_link}) replaces the whole list."
                )),
                quote!(input: #ty),
                quote!(input),
                quote!(self.#field.get_or_insert_with(::std::vec::Vec::new).push(#value);),
            )
        }
        SetterAction::Insert(param) => {
            let value = param_value(param, quote!(value));
            let ty = param_type(param);
            (
                Some(format!(
                    " Adds an entry to `{wire}`; [`{set_link}`](Self::{set_link}) replaces the whole map."
                )),
                quote!(key: impl ::std::convert::Into<::std::string::String>, value: #ty),
                quote!(key, value),
                quote!(self.#field.get_or_insert_with(::std::collections::HashMap::new).insert(key.into(), #value);),
            )
        }
    };
    let intro = intro.map(|line| quote!(#[doc = #line] #[doc = ""]));
    let ty = rust_type(&m.ty);
    let stored = field_type(m);
    let (one_body, set_body, get_body) = match holder {
        Holder::Fields => {
            let set_value = if m.boxed {
                quote!(input.map(::std::boxed::Box::new))
            } else {
                quote!(input)
            };
            (
                quote!(#store self),
                quote!(self.#field = #set_value; self),
                quote!(&self.#field),
            )
        }
        Holder::Inner => (
            forward(quote!(#name(#args))),
            forward(quote!(#set(input))),
            quote!(#[allow(deprecated)] self.inner.#get()),
        ),
    };
    let set_doc = format!(" Sets or clears `{wire}`; see [`{name_link}`](Self::{name_link}).");
    let get_doc = format!(" The value set for `{wire}`.");
    quote! {
        #intro
        #doc
        #deprecated
        pub fn #name(mut self, #params) -> Self {
            #one_body
        }

        #[doc = #set_doc]
        #deprecated
        pub fn #set(mut self, input: ::std::option::Option<#ty>) -> Self {
            #set_body
        }

        #[doc = #get_doc]
        #deprecated
        pub fn #get(&self) -> &#stored {
            #get_body
        }
    }
}

/// The parameter type of a setter.
fn param_type(param: &SetterParam) -> TokenStream {
    let ty = rust_type(&param.ty);
    if param.into {
        quote!(impl ::std::convert::Into<#ty>)
    } else if param.optional {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}

/// The value to store for the setter argument `input`.
fn param_value(param: &SetterParam, input: TokenStream) -> TokenStream {
    if param.into {
        quote!(#input.into())
    } else {
        input
    }
}

/// `Debug` that prints sensitive members as a placeholder.
fn debug_impl(type_name: &str, members: &[Member], with_meta: bool) -> TokenStream {
    let name = format_ident!("{}", type_name);
    let fields = members.iter().map(|m| {
        let field = ident(&m.field);
        let label = bare(&m.field);
        if m.sensitive {
            quote!(out.field(#label, &"*** sensitive data redacted ***");)
        } else {
            quote!(out.field(#label, &self.#field);)
        }
    });
    let meta = with_meta.then(|| quote!(out.field("meta", &self.meta);));
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut out = f.debug_struct(#type_name);
                #( #fields )*
                #meta
                out.finish()
            }
        }
    }
}

/// `validate_at`: required members first, then each set member's constraints.
fn validate_at(members: &[Member]) -> TokenStream {
    let checks: Vec<TokenStream> = members
        .iter()
        .filter(|m| m.required || needs_validation(&m.ty))
        .map(|m| {
            let field = ident(&m.field);
            let wire = &m.wire_name;
            let required = m.required.then(
                || quote!(::marketplace_sdk_runtime::validate::required(&path, &self.#field)?;),
            );
            let value = needs_validation(&m.ty).then(|| {
                let check = validate_value(&m.ty, quote!(value));
                quote! {
                    if let ::std::option::Option::Some(value) = &self.#field {
                        #check
                    }
                }
            });
            quote! {
                {
                    let path = path.member(#wire);
                    #required
                    #value
                }
            }
        })
        .collect();
    let unused = checks.is_empty().then(|| quote!(let _ = path;));
    quote! {
        /// Checks the model's constraints, naming the member path of the first failure.
        pub(crate) fn validate_at(
            &self,
            path: &::marketplace_sdk_runtime::validate::Path<'_>,
        ) -> ::std::result::Result<(), ::marketplace_sdk_runtime::error::ValidationError> {
            #unused
            #( #checks )*
            ::std::result::Result::Ok(())
        }
    }
}

/// An open string enum.
fn enumeration(e: &EnumDef) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = docs(&e.docs);
    let variants: Vec<_> = e
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.name))
        .collect();
    let values: Vec<_> = e.variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|value| format!(" `{value}`"));
    quote! {
        #doc
        ///
        /// An open enum: values this version of the SDK does not know arrive as
        /// `Unknown`, keeping the string.
        #[non_exhaustive]
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::cmp::PartialOrd, ::std::cmp::Ord, ::std::hash::Hash)]
        pub enum #name {
            #( #[doc = #variant_docs] #variants, )*
            /// A value this version of the SDK does not know; [`as_str`](Self::as_str) gives it.
            Unknown(crate::primitives::UnknownVariantValue),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Every value this version of the SDK knows.
            pub const fn values() -> &'static [&'static str] {
                &[ #( #values ),* ]
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(crate::primitives::UnknownVariantValue::new(other)),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_ref()))
            }
        }
    }
}

/// A union: one variant per member, plus `Unknown` for members added later.
fn union(u: &UnionDef) -> TokenStream {
    let name = format_ident!("{}", u.name);
    let name_text = &u.name;
    let doc = docs(&u.docs);
    let variants = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let doc = docs(&v.docs);
        let wire = &v.wire_name;
        let ty = rust_type(&v.ty);
        let ty = if v.boxed {
            quote!(::std::boxed::Box<#ty>)
        } else {
            ty
        };
        let with = wire_format(&v.ty).map(|format| {
            let with = serde_with(&format);
            quote!(, #with)
        });
        quote! {
            #doc
            #[serde(rename = #wire #with)]
            #variant(#ty),
        }
    });
    let arms = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let wire = &v.wire_name;
        let read = match wire_format(&v.ty) {
            Some(format) => {
                let read: syn::ExprPath = syn::parse_str(&format!(
                    "::marketplace_sdk_runtime::serde_support::union_value_with::<{format}, _, _>"
                ))
                .expect("a format is a path");
                quote!(#read(&member, value))
            }
            None => quote!(::marketplace_sdk_runtime::serde_support::union_value(
                &member, value
            )),
        };
        let wrap = if v.boxed {
            quote!(|value| Self::#variant(::std::boxed::Box::new(value)))
        } else {
            quote!(Self::#variant)
        };
        quote!(#wire => #read.map(#wrap),)
    });
    let accessors = u.variants.iter().map(|v| {
        let variant = format_ident!("{}", v.name);
        let accessor = format_ident!("{}", v.accessor);
        let ty = rust_type(&v.ty);
        let doc = format!(" The `{}` member, when it is the one set.", v.wire_name);
        quote! {
            #[doc = #doc]
            pub fn #accessor(&self) -> ::std::option::Option<&#ty> {
                match self {
                    Self::#variant(value) => ::std::option::Option::Some(value),
                    _ => ::std::option::Option::None,
                }
            }
        }
    });
    let validate_arms = u
        .variants
        .iter()
        .filter(|v| needs_validation(&v.ty))
        .map(|v| {
            let variant = format_ident!("{}", v.name);
            let wire = &v.wire_name;
            let check = validate_value(&v.ty, quote!(value));
            quote! {
                Self::#variant(value) => {
                    let path = path.member(#wire);
                    #check
                    ::std::result::Result::Ok(())
                }
            }
        });
    // A catch-all only when some member has nothing to check: it would be unreachable
    // otherwise, and a `match` of `Unknown` and `_ => {}` alone trips clippy.
    let unchecked = u
        .variants
        .iter()
        .any(|v| !needs_validation(&v.ty))
        .then(|| quote!(_ => ::std::result::Result::Ok(()),));
    let validate = u.validated.then(|| {
        quote! {
            /// Checks the model's constraints of the member that is set.
            pub(crate) fn validate_at(
                &self,
                path: &::marketplace_sdk_runtime::validate::Path<'_>,
            ) -> ::std::result::Result<(), ::marketplace_sdk_runtime::error::ValidationError> {
                match self {
                    #( #validate_arms )*
                    Self::Unknown(member) => ::std::result::Result::Err(path.error(::std::format!("unknown union member `{}` cannot be sent", member.as_str()))),
                    #unchecked
                }
            }
        }
    });
    let sensitive = u.variants.iter().any(|v| v.sensitive);
    let derive_debug = (!sensitive).then(|| quote!(::std::fmt::Debug,));
    let manual_debug = sensitive.then(|| {
        let arms = u.variants.iter().map(|v| {
            let variant = format_ident!("{}", v.name);
            let label = &v.name;
            if v.sensitive {
                quote!(Self::#variant(_) => f.debug_tuple(#label).field(&"*** sensitive data redacted ***").finish(),)
            } else {
                quote!(Self::#variant(value) => f.debug_tuple(#label).field(value).finish(),)
            }
        });
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self {
                        #( #arms )*
                        Self::Unknown(value) => f.debug_tuple("Unknown").field(value).finish(),
                    }
                }
            }
        }
    });
    quote! {
        #doc
        #[non_exhaustive]
        #[derive(::std::clone::Clone, #derive_debug ::std::cmp::PartialEq, ::serde::Serialize)]
        // Variants hold the members as the model sizes them; boxing the big ones by a size
        // heuristic would make the API depend on it.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #( #variants )*
            /// A member this version of the SDK does not know, by name. It cannot be sent.
            #[serde(skip_serializing)]
            Unknown(crate::primitives::UnknownVariantValue),
        }

        impl #name {
            #( #accessors )*

            /// Whether the member set is one this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            #validate
        }

        #manual_debug

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let (member, value) = ::marketplace_sdk_runtime::serde_support::union_member(deserializer, #name_text)?;
                match member.as_str() {
                    #( #arms )*
                    _ => ::std::result::Result::Ok(Self::Unknown(crate::primitives::UnknownVariantValue::new(member))),
                }
            }
        }
    }
}
