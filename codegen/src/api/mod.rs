//! What a model change does to the generated crate's public API.
//!
//! [`describe`] lowers a model exactly as [`generate`](crate::generate) does and reads the
//! public surface off the IR: operations with their input and output fields (Rust name, Rust
//! type as generated, required, min/max/pattern, deprecation, a hash of the docs) and error
//! variants, the types in `types` (structs, enums with their values, unions) and the
//! exceptions. Comparing two of those with [`diff`] compares what users of the crate see,
//! not the model's shape names: a member that moves to another shape of the same Rust type
//! has not changed type.
//!
//! [`diff()`] classifies each change as major, minor or patch for users of the generated
//! crate, and [`ApiDiff::to_markdown`] renders the report, which ends with the semver bump it
//! implies. Pure like the rest of the library: `cargo xtask api-diff` and `update-model` do
//! the fetching and printing.
//!
//! # How changes are classified
//!
//! The rules follow from how the generator maps the model:
//!
//! - Every struct (inputs, outputs, types, exceptions) is `#[non_exhaustive]`, made with a
//!   builder, and every field is an `Option`. A new field breaks nobody (minor); a removed
//!   field, or one whose Rust type changes, breaks code that uses it (major). New operations
//!   and types are minor, removed ones major.
//! - "Required" never changes a field's type. It matters only where the generated code checks
//!   it: `build()` and `send()` validate the structs reachable from an operation input
//!   ([`StructureApi::validated`]). There, optional→required makes calls that used to work
//!   fail validation (major) and required→optional accepts more (minor); a new required
//!   member is major. Elsewhere (outputs, exceptions) requiredness is documentation (patch).
//! - min/max are checked the same way, on lengths and numbers: a tightened bound on a
//!   validated struct rejects values that used to pass (major), a loosened one accepts more
//!   (minor), anything else is invisible to the crate (patch). Patterns are never checked
//!   client-side; a pattern change on an input is reported as minor, because the values the
//!   service accepts changed even though no Rust code or validation result does.
//! - Enums, unions, operation error enums and `crate::Error` are `#[non_exhaustive]`: new
//!   values, variants and errors are minor; removed ones are major.
//! - Deprecations add `#[deprecated]` warnings: minor. Docs, `Debug` redaction and JSON keys
//!   are patch. A new service id is major: it names the endpoint-URL settings users configure.
//! - Paginators ([`describe_model`] with the model's `paginators-1.json`): a new one is minor,
//!   a removed one major, as are a removed `page_size` or `items()` or a new item type; other
//!   tokens, `more_results` or result keys change the requests, not the Rust API: minor.
//! - The protocol the crate speaks is the first of the model's `metadata.protocols` that the
//!   runtime speaks. When it changes (awsJson 1.0 to 1.1, say), what goes on the wire changes
//!   but no Rust API does: minor. When only the model's list changes (AWS puts Smithy RPC v2
//!   CBOR in front of `json`), the crate sends what it sent before: patch, reported so the
//!   maintainers see the service moving.
//!
//! ```
//! let old = r#"{"metadata": {"endpointPrefix": "x", "protocol": "json", "targetPrefix": "X"},
//!   "operations": {"Ping": {"input": {"shape": "PingRequest"}}},
//!   "shapes": {"PingRequest": {"type": "structure", "members": {"Id": {"shape": "Id"}}},
//!              "Id": {"type": "string", "max": 10}}}"#;
//! let new = old.replace(r#""max": 10"#, r#""max": 5"#);
//! let diff = codegen::api::diff(
//!     &codegen::api::describe(old).unwrap(),
//!     &codegen::api::describe(&new).unwrap(),
//! );
//! assert_eq!(diff.bump(), codegen::api::Bump::Major);
//! assert!(diff.to_markdown().contains("`PingInput.id`: length max lowered from 10 to 5"));
//! ```

mod describe;
mod diff;
mod markdown;

pub(crate) use describe::rust_type;
pub use describe::{
    describe, describe_model, ApiSurface, Check, Constraint, EnumApi, EnumValueApi, ExceptionApi,
    MemberApi, OperationApi, PaginatorApi, ServiceApi, StructureApi, TypeApi, TypeFile, UnionApi,
    UnionVariantApi,
};
pub use diff::{diff, ApiDiff, Bump, Change, ChangeKind, DocsChange, Level, Owner};
