//! Service-wide files: the crate root, the client, the service error, re-exports
//! and the module indexes.

use super::{bare, docs, module_docs};
use crate::ir::{Service, TypeDef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `src/lib.rs`: the model's service docs and the public modules.
pub fn lib(service: &Service) -> TokenStream {
    let lines = service.docs.iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    let usage = format!(
        " Create a [`Client`] from a [`Config`], then call one method per operation and `.send().await` it; \
         see the [`operation`] module for the inputs, outputs and errors of each, and [`Error`] for one \
         error type that every operation's error converts into with `?`. This crate is generated from \
         the `{}` service model.",
        service.service_id
    );
    let omitted = (!service.omitted.is_empty()).then(|| {
        let items = service
            .omitted
            .iter()
            .map(|op| format!(" - `{}`: {}.", op.wire_name, op.reason));
        quote! {
            #![doc = ""]
            #![doc = " # Operations not in this crate"]
            #![doc = ""]
            #![doc = " The model has these operations, which this crate leaves out:"]
            #![doc = ""]
            #( #![doc = #items] )*
        }
    });
    let omitted_paginators = (!service.omitted_paginators.is_empty()).then(|| {
        let items = service
            .omitted_paginators
            .iter()
            .map(|op| format!(" - `{}`: {}.", op.wire_name, op.reason));
        quote! {
            #![doc = ""]
            #![doc = " # Paginators not in this crate"]
            #![doc = ""]
            #![doc = " The model's `paginators-1.json` has paginators for these operations, which this crate leaves out (the operations are here; send their pagination tokens yourself):"]
            #![doc = ""]
            #( #![doc = #items] )*
        }
    });
    let paginator_module = service.has_paginators().then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod paginator;
        }
    });
    quote! {
        #( #![doc = #lines] )*
        #![doc = ""]
        #![doc = " # Using this crate"]
        #![doc = ""]
        #![doc = #usage]
        #![doc = ""]
        #![doc = " ```no_run"]
        #![doc = " # async fn run() -> Result<(), Box<dyn std::error::Error>> {"]
        #![doc = " // Region, credentials and endpoint as every AWS SDK reads them."]
        #![doc = concat!(" let config = ", env!("CARGO_CRATE_NAME"), "::Config::from_env().await?.build();")]
        #![doc = concat!(" let client = ", env!("CARGO_CRATE_NAME"), "::Client::from_conf(config);")]
        #![doc = " # let _ = client;"]
        #![doc = " # Ok(())"]
        #![doc = " # }"]
        #![doc = " ```"]
        #![doc = ""]
        #![doc = " # Features"]
        #![doc = ""]
        #![doc = " All off by default."]
        #![doc = ""]
        #![doc = " - `test-util`: test doubles in `config::test_util`: a replay HTTP client and per-operation mocks."]
        #![doc = " - `aws-credential-types`, `aws-types`: a bridge to the official AWS SDK: its credentials providers as this crate's, and `Config::from_sdk_config`."]
        #![doc = " - `native-roots`: the operating system's trust store, chosen with `Config::builder().trust_roots(TrustRoots::Native)`."]
        #![doc = ""]
        #![doc = " # MSRV and stability"]
        #![doc = ""]
        #![doc = " Rust 1.88 (the bridge features: 1.94.1, as the official SDK's crates). The version follows the model: a model update that breaks this crate's API bumps the minor version (0.x), any other change the patch version, as `cargo xtask api-diff` classifies it. Defaults that a minor version of the runtime may change: timeouts, retry settings, the order of the credentials chain, the user agent."]
        #omitted
        #omitted_paginators
        #![forbid(unsafe_code)]
        #![warn(missing_docs)]

        #[rustfmt::skip]
        pub mod client;
        #[rustfmt::skip]
        pub mod config;
        #[rustfmt::skip]
        pub mod endpoint;
        #[rustfmt::skip]
        pub mod error;
        #[rustfmt::skip]
        pub mod operation;
        #paginator_module
        #[rustfmt::skip]
        pub mod primitives;
        #[rustfmt::skip]
        pub mod types;

        pub use client::Client;
        pub use config::{Config, Credentials};
        pub use error::Error;
        pub use primitives::DateTime;
    }
}

/// `src/client.rs`: the service's constants and one method per operation.
pub fn client(service: &Service) -> TokenStream {
    let Service {
        service_id,
        signing_name,
        target_prefix,
        protocol,
        user_agent,
        query_compatible,
        ..
    } = service;
    let json_version = protocol.json_version();
    let doc = format!(" A client for {service_id}: cheap to clone, `Send + Sync`, one connection pool for all clones.");
    let methods = service.operations.iter().map(|op| {
        let method = super::ident(&op.module);
        let module = format_ident!("{}", bare(&op.module));
        let fluent = format_ident!("{}", op.fluent_name);
        let op_docs = docs(&op.docs);
        let deprecated = op
            .deprecated
            .as_ref()
            .map(|note| quote!(#[deprecated(note = #note)]));
        quote! {
            #op_docs
            #deprecated
            pub fn #method(&self) -> crate::operation::#module::#fluent {
                crate::operation::#module::#fluent::new(self.handle.clone())
            }
        }
    });
    quote! {
        #![doc = " The client: one method per operation."]

        /// What the runtime needs to know about the service, from the model's metadata.
        static SERVICE: ::marketplace_sdk_runtime::client::ServiceSpec = ::marketplace_sdk_runtime::client::ServiceSpec {
            service_id: #service_id,
            signing_name: #signing_name,
            target_prefix: #target_prefix,
            json_version: #json_version,
            query_compatible: #query_compatible,
            user_agent: #user_agent,
            resolve_endpoint: crate::endpoint::resolve_builtins,
        };

        #[doc = #doc]
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        pub struct Client {
            handle: ::marketplace_sdk_runtime::client::Handle,
            config: ::std::sync::Arc<crate::Config>,
        }

        impl Client {
            /// A client with this configuration.
            pub fn from_conf(config: crate::Config) -> Self {
                let handle = ::marketplace_sdk_runtime::client::Handle::new(
                    config.client_config(SERVICE.service_id),
                    &SERVICE,
                );
                Self { handle, config: ::std::sync::Arc::new(config) }
            }

            /// The configuration the client was made with.
            pub fn config(&self) -> &crate::Config {
                &self.config
            }

            /// Sends any operation's input, e.g. one built with its builder or read
            /// with serde.
            pub async fn send<I: crate::operation::Operation>(
                &self,
                input: I,
            ) -> ::std::result::Result<I::Output, crate::error::SdkError<I::Error>> {
                self.handle.send(input).await
            }

            #( #methods )*
        }
    }
}

/// `src/config.rs`: the configuration types of `marketplace-sdk-config` and the
/// runtime under this crate's name.
pub fn config() -> TokenStream {
    quote! {
        #![doc = " Configuration: region, credentials, endpoint, retries, timeouts and the HTTP client."]
        pub use ::marketplace_sdk_config::config::{Config, ConfigBuilder, TrustRoots};
        pub use ::marketplace_sdk_config::credentials::{self, Credentials};
        pub use ::marketplace_sdk_runtime::retry::{RetryConfig, RetryMode};
        pub use ::marketplace_sdk_runtime::sleep::{Sleep, SleepFuture, TokioSleep};
        pub use ::marketplace_sdk_runtime::transport;
        /// Test doubles for your tests (feature `test-util`): the replay HTTP client
        /// and mock rules.
        #[cfg(feature = "test-util")]
        pub use ::marketplace_sdk_runtime::test_util;
        /// The bridge to the official AWS SDK (feature `aws-credential-types`): its
        /// credentials providers as this SDK's; with feature `aws-types` also
        /// `Config::from_sdk_config`.
        #[cfg(feature = "aws-credential-types")]
        pub use ::marketplace_sdk_config::aws_sdk;
    }
}

/// `src/primitives.rs`: value types shapes use.
pub fn primitives() -> TokenStream {
    quote! {
        #![doc = " Value types used by shapes: date-times, binary data, documents."]
        pub use ::marketplace_sdk_runtime::blob::Blob;
        pub use ::marketplace_sdk_runtime::datetime::{DateTime, DateTimeError};
        pub use ::marketplace_sdk_runtime::enums::UnknownVariantValue;
        pub use ::marketplace_sdk_runtime::Document;
    }
}

/// `src/error.rs`: one error type for every operation.
pub fn error(service: &Service) -> TokenStream {
    let variants: Vec<_> = service
        .exceptions
        .iter()
        .map(|e| format_ident!("{}", e.structure.name))
        .collect();
    let variant_docs = service.exceptions.iter().map(|e| docs(&e.structure.docs));
    quote! {
        #![doc = " Errors: the service-wide [`Error`], and the pieces every operation's error is made of."]
        pub use ::marketplace_sdk_runtime::error::{
            ConfigError, CredentialsError, CredentialsErrorKind, ErrorMetadata, PaginationError,
            ProvideErrorMetadata, ResponseError, SdkError, TransportError, Unhandled, ValidationError,
        };

        /// Any error of any operation, in one flat enum: every exception the model
        /// defines, and the ways a call fails before or after the service answers.
        ///
        /// Every operation's error, and every `SdkError` of it, converts into this with `?`.
        #[non_exhaustive]
        #[derive(::std::fmt::Debug)]
        pub enum Error {
            #( #variant_docs #variants(crate::types::error::#variants), )*
            /// An error code the model does not list for the operation.
            Unhandled(Unhandled),
            /// The input broke a rule of the model; nothing was sent.
            Validation(ValidationError),
            /// The configuration cannot make a request; nothing was sent.
            Config(ConfigError),
            /// No credentials to sign with; nothing was sent. `is_retryable()` says
            /// whether their source failed transiently.
            Credentials(CredentialsError),
            /// The request failed on the way: connect, TLS, timeout, closed connection.
            Transport(TransportError),
            /// The response could not be read.
            Response(ResponseError),
            /// A paginator stopped: a page answered with pagination tokens that an earlier
            /// page was requested with.
            Pagination(PaginationError),
        }

        impl Error {
            /// The service's error code, for errors the service returned.
            pub fn code(&self) -> ::std::option::Option<&str> {
                self.meta().and_then(ErrorMetadata::code)
            }

            /// The service's message, or what is wrong with the input.
            pub fn message(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::Validation(error) => ::std::option::Option::Some(error.problem()),
                    _ => self.meta().and_then(ErrorMetadata::message),
                }
            }

            /// The request id, when a response arrived.
            pub fn request_id(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::Response(error) => error.request_id(),
                    _ => self.meta().and_then(ErrorMetadata::request_id),
                }
            }

            fn meta(&self) -> ::std::option::Option<&ErrorMetadata> {
                match self {
                    #( Self::#variants(error) => ::std::option::Option::Some(ProvideErrorMetadata::meta(error)), )*
                    Self::Unhandled(error) => ::std::option::Option::Some(ProvideErrorMetadata::meta(error)),
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for Error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #( Self::#variants(error) => ::std::fmt::Display::fmt(error, f), )*
                    Self::Unhandled(error) => ::std::fmt::Display::fmt(error, f),
                    Self::Validation(error) => ::std::fmt::Display::fmt(error, f),
                    Self::Config(error) => ::std::fmt::Display::fmt(error, f),
                    Self::Credentials(error) => ::marketplace_sdk_runtime::error::display_credentials_error(error, f),
                    Self::Transport(error) => ::std::fmt::Display::fmt(error, f),
                    Self::Response(error) => ::std::fmt::Display::fmt(error, f),
                    Self::Pagination(error) => ::std::fmt::Display::fmt(error, f),
                }
            }
        }

        impl ::std::error::Error for Error {
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    Self::Transport(error) => ::std::error::Error::source(error),
                    _ => ::std::option::Option::None,
                }
            }
        }

        /// Flattens an operation's `SdkError` into [`Error`].
        pub(crate) fn from_sdk_error<E: ::std::convert::Into<Error>>(error: SdkError<E>) -> Error {
            match error {
                SdkError::Validation(error) => Error::Validation(error),
                SdkError::Config(error) => Error::Config(error),
                SdkError::Credentials(error) => Error::Credentials(error),
                SdkError::Transport(error) => Error::Transport(error),
                SdkError::Response(error) => Error::Response(error),
                SdkError::Service(error) => error.into(),
                SdkError::Pagination(error) => Error::Pagination(error),
            }
        }
    }
}

/// `src/paginator.rs`, in crates with paginators: the streams they make.
pub fn paginator() -> TokenStream {
    quote! {
        #![doc = " The streams paginators make: an operation's pages, or the items on them."]
        #![doc = ""]
        #![doc = " An operation that answers in pages has `into_paginator()` on its fluent builder; see the runtime's [`marketplace_sdk_runtime::paginator`] for when the pages end."]
        pub use ::marketplace_sdk_runtime::paginator::{ItemStream, PageStream};
    }
}

/// `src/operation.rs`: a module per operation.
pub fn operation_index(service: &Service) -> TokenStream {
    let modules = service
        .operations
        .iter()
        .map(|op| format_ident!("{}", bare(&op.module)));
    let module_docs_lines = service
        .operations
        .iter()
        .map(|op| format!(" The `{}` operation.", op.wire_name));
    let doc = module_docs(&[
        "Operations: a module per operation with its input, output, error and fluent builder.",
    ]);
    quote! {
        #doc
        pub use ::marketplace_sdk_runtime::client::Operation;
        #( #[doc = #module_docs_lines] pub mod #modules; )*
    }
}

/// `src/types.rs`: the shapes used inside inputs and outputs.
pub fn types_index(service: &Service) -> TokenStream {
    let doc = module_docs(&["Shapes used inside operation inputs and outputs."]);
    let files: Vec<_> = service
        .types
        .iter()
        .map(|t| format_ident!("{}", t.file()))
        .collect();
    let names = service.types.iter().map(|t| format_ident!("{}", t.name()));
    let builders = service.types.iter().filter_map(|t| match t {
        TypeDef::Structure(s) => {
            let file = format_ident!("{}", s.file);
            let builder = format_ident!("{}", s.builder);
            Some(quote!(pub use super::#file::#builder;))
        }
        _ => None,
    });
    quote! {
        #doc
        #( mod #files; )*
        #( pub use self::#files::#names; )*

        /// Builders for the structures in this module.
        pub mod builders {
            #( #builders )*
        }

        pub mod error;
    }
}

/// `src/types/error.rs`: the exceptions.
pub fn exceptions_index(service: &Service) -> TokenStream {
    let doc = module_docs(&[
        "The service's exceptions, as the variants of each operation's error carry them.",
    ]);
    let files: Vec<_> = service
        .exceptions
        .iter()
        .map(|e| format_ident!("{}", e.structure.file))
        .collect();
    let names = service
        .exceptions
        .iter()
        .map(|e| format_ident!("{}", e.structure.name));
    let builders = service
        .exceptions
        .iter()
        .map(|e| format_ident!("{}", e.structure.builder));
    let files2 = files.clone();
    quote! {
        #doc
        #( mod #files; )*
        #( pub use self::#files::#names; )*

        /// Builders for the exceptions, e.g. for tests of code that handles them.
        pub mod builders {
            #( pub use super::#files2::#builders; )*
        }
    }
}
