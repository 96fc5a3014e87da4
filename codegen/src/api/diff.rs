//! [`diff`]: what changed between two [`ApiSurface`]s, each change classified by what it
//! does to users of the generated crate.
//!
//! The rules, and why, are in the docs of [`crate::api`]; each [`Change`] carries its reason.

use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

use super::describe::{
    ApiSurface, Check, Constraint, EnumApi, ExceptionApi, MemberApi, OperationApi, PaginatorApi,
    StructureApi, TypeApi, UnionApi, UnionVariantApi,
};

/// How much a change matters to users of the generated crate, in semver terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Level {
    /// Nothing a user's code can observe through the Rust API changes (docs, `Debug`
    /// output, constraints the crate does not check, wire details).
    Patch,
    /// Compatible: new API, relaxed validation, deprecations, new behaviour.
    Minor,
    /// Breaking: code that compiled may not, or calls that passed validation may not.
    Major,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        })
    }
}

/// What kind of change, independent of its [`Level`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ChangeKind {
    /// `metadata.serviceId` changed.
    ServiceIdChanged,
    /// The protocol the crate speaks changed (e.g. awsJson 1.0 to 1.1).
    ProtocolChanged,
    /// The protocols the model lists changed, but not the one the crate speaks.
    ModelProtocolsChanged,
    /// The signing name or target prefix changed.
    WireProtocolChanged,
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The operation's `Client` method / module name changed.
    MethodRenamed,
    /// An operation or member became deprecated.
    Deprecated,
    /// An operation or member is no longer deprecated.
    Undeprecated,
    /// The deprecation note changed.
    DeprecationNoteChanged,
    /// An operation has a paginator now.
    PaginatorAdded,
    /// An operation's paginator is gone.
    PaginatorRemoved,
    /// A paginator lost `page_size` or `items()`, or its items changed type.
    PaginatorMethodRemoved,
    /// A paginator gained `page_size` or `items()`.
    PaginatorMethodAdded,
    /// A paginator follows other tokens, keys or `more_results`: the same API, other requests.
    PaginatorChanged,
    /// An operation lists a new error.
    ErrorAdded,
    /// An operation no longer lists an error.
    ErrorRemoved,
    /// A new optional member, or a required member of a struct that is not validated.
    MemberAdded,
    /// A new required member of a struct that is validated before sending.
    RequiredMemberAdded,
    /// A member is gone.
    MemberRemoved,
    /// A member's or union variant's Rust type changed.
    TypeChanged,
    /// A member's JSON key changed but its Rust name did not.
    WireNameChanged,
    /// A member became required.
    MadeRequired,
    /// A member is no longer required.
    MadeOptional,
    /// A min was raised or a max lowered (or one was added).
    ConstraintTightened,
    /// A min was lowered or a max raised (or one was removed).
    ConstraintLoosened,
    /// min/max changed in the model but not in what the generated code enforces.
    ConstraintNoEffect,
    /// A pattern was added, removed or changed.
    PatternChanged,
    /// What `Debug` redacts changed.
    SensitiveChanged,
    /// The SDK now fills the member with a UUID when unset.
    IdempotencyTokenAdded,
    /// The SDK no longer fills the member.
    IdempotencyTokenRemoved,
    /// A new type in `types`.
    TypeAdded,
    /// A type in `types` is gone.
    TypeRemoved,
    /// A type changed between struct, enum and union.
    TypeKindChanged,
    /// A new enum value.
    EnumValueAdded,
    /// An enum value is gone.
    EnumValueRemoved,
    /// An enum value's variant name changed.
    EnumVariantRenamed,
    /// A new union variant.
    UnionVariantAdded,
    /// A union variant is gone.
    UnionVariantRemoved,
    /// A new exception in `types::error`.
    ExceptionAdded,
    /// An exception is gone.
    ExceptionRemoved,
    /// An exception changed between client and server fault.
    FaultChanged,
}

/// The generated item a change belongs to, which decides the files it can touch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Owner {
    /// Service-wide: the client, the crate docs.
    Service,
    /// An operation, by model name: its module (input, output, error enum, builder).
    Operation(String),
    /// A type in `types`, by Rust name.
    Type(String),
    /// An exception in `types::error`, by Rust name.
    Exception(String),
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What it does to users of the crate.
    pub level: Level,
    /// What changed.
    pub kind: ChangeKind,
    /// The item it belongs to.
    pub owner: Owner,
    /// The Rust item, e.g. `MeterUsageInput.usage_quantity`, `UsageRecordResultStatus::Success`,
    /// `MeterUsageError::ThrottlingException`, `MeterUsage`.
    pub subject: String,
    /// What changed, as Markdown.
    pub summary: String,
    /// Why it has its level, as Markdown.
    pub reason: String,
}

/// An item whose generated docs changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DocsChange {
    /// The item it belongs to.
    pub owner: Owner,
    /// The Rust item, as in [`Change::subject`].
    pub subject: String,
}

/// The semver bump a diff implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Only changes invisible to the Rust API.
    Patch,
    /// Compatible changes.
    Minor,
    /// Breaking changes.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

impl Bump {
    /// The version after `current` (`MAJOR.MINOR.PATCH`) for this bump, following Cargo's
    /// reading of semver: in `0.y.z` the minor number is the breaking one, so a major
    /// change bumps `y` and anything else bumps `z`; in `0.0.z` every release is breaking
    /// and bumps `z`. `None` when `current` is not a plain `MAJOR.MINOR.PATCH`.
    pub fn next_version(self, current: &str) -> Option<String> {
        let mut parts = current.split('.').map(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u64>().ok())
                .flatten()
        });
        let (x, y, z) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() {
            return None;
        }
        let (x, y, z) = match (self, x, y) {
            (Bump::None, ..) => (x, y, z),
            (_, 0, 0) => (0, 0, z + 1),
            (Bump::Major, 0, _) => (0, y + 1, 0),
            (_, 0, _) => (0, y, z + 1),
            (Bump::Major, ..) => (x + 1, 0, 0),
            (Bump::Minor, ..) => (x, y + 1, 0),
            (Bump::Patch, ..) => (x, y, z + 1),
        };
        Some(format!("{x}.{y}.{z}"))
    }
}

/// Everything that changed from one model to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiDiff {
    /// The changes, in report order: service, operations, types, exceptions, each by name.
    pub changes: Vec<Change>,
    /// Items that exist on both sides whose docs changed.
    pub docs: Vec<DocsChange>,
}

impl ApiDiff {
    /// The semver bump the changes imply: the highest level, `Patch` for docs alone.
    pub fn bump(&self) -> Bump {
        match self.changes.iter().map(|c| c.level).max() {
            Some(Level::Major) => Bump::Major,
            Some(Level::Minor) => Bump::Minor,
            Some(Level::Patch) => Bump::Patch,
            None if !self.docs.is_empty() => Bump::Patch,
            None => Bump::None,
        }
    }

    /// Whether the two models generate the same API with the same docs.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.docs.is_empty()
    }

    /// The changes of one level.
    pub fn at(&self, level: Level) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.level == level)
    }

    /// Every item the report names, changes and docs alike.
    pub fn owners(&self) -> BTreeSet<&Owner> {
        self.changes
            .iter()
            .map(|c| &c.owner)
            .chain(self.docs.iter().map(|d| &d.owner))
            .collect()
    }
}

/// Compares two API surfaces and classifies every change (see [`crate::api`] for the rules).
pub fn diff(old: &ApiSurface, new: &ApiSurface) -> ApiDiff {
    let mut d = Differ::default();
    d.service(old, new);
    for name in keys(&old.operations, &new.operations) {
        match (old.operations.get(name), new.operations.get(name)) {
            (Some(o), Some(n)) => d.operation(o, n),
            (Some(o), None) => d.push(
                Level::Major,
                ChangeKind::OperationRemoved,
                Owner::Operation(name.clone()),
                name,
                format!("removed operation `{name}` (`Client::{}`)", o.method),
                "the `Client` method, its `operation` module and the types in it are gone: code using them no longer compiles",
            ),
            (None, Some(n)) => d.push(
                Level::Minor,
                ChangeKind::OperationAdded,
                Owner::Operation(name.clone()),
                name,
                format!("new operation `{name}` (`Client::{}`)", n.method),
                "a new `Client` method and `operation` module; nothing existing changes",
            ),
            (None, None) => {}
        }
    }
    for name in keys(&old.types, &new.types) {
        let owner = Owner::Type(name.clone());
        match (old.types.get(name), new.types.get(name)) {
            (Some(o), Some(n)) => d.type_def(name, o, n),
            (Some(o), None) => d.push(
                Level::Major,
                ChangeKind::TypeRemoved,
                owner,
                name,
                format!("removed {} `types::{name}`", o.kind()),
                "code that names the type no longer compiles",
            ),
            (None, Some(n)) => d.push(
                Level::Minor,
                ChangeKind::TypeAdded,
                owner,
                name,
                format!("new {} `types::{name}`", n.kind()),
                "a new type; nothing existing changes",
            ),
            (None, None) => {}
        }
    }
    for name in keys(&old.exceptions, &new.exceptions) {
        let owner = Owner::Exception(name.clone());
        match (old.exceptions.get(name), new.exceptions.get(name)) {
            (Some(o), Some(n)) => d.exception(name, o, n),
            (Some(_), None) => d.push(
                Level::Major,
                ChangeKind::ExceptionRemoved,
                owner,
                name,
                format!("removed error type `types::error::{name}`"),
                "the type and its `crate::Error` variant are gone: code naming them no longer compiles",
            ),
            (None, Some(_)) => d.push(
                Level::Minor,
                ChangeKind::ExceptionAdded,
                owner,
                name,
                format!("new error type `types::error::{name}`"),
                "a new type and a new variant of `crate::Error`, which is `#[non_exhaustive]`",
            ),
            (None, None) => {}
        }
    }
    ApiDiff {
        changes: d.changes,
        docs: d.docs,
    }
}

/// The union of two maps' keys, sorted.
fn keys<'a, V>(
    a: &'a std::collections::BTreeMap<String, V>,
    b: &'a std::collections::BTreeMap<String, V>,
) -> BTreeSet<&'a String> {
    a.keys().chain(b.keys()).collect()
}

#[derive(Default)]
struct Differ {
    changes: Vec<Change>,
    docs: Vec<DocsChange>,
}

/// Where a struct's members are checked, which decides what requiredness and bounds mean.
#[derive(Clone, Copy)]
struct Checked {
    /// The struct was validated before sending in the old crate.
    old: bool,
    /// And in the new one.
    new: bool,
}

impl Differ {
    fn push(
        &mut self,
        level: Level,
        kind: ChangeKind,
        owner: Owner,
        subject: &str,
        summary: String,
        reason: &str,
    ) {
        self.changes.push(Change {
            level,
            kind,
            owner,
            subject: subject.to_owned(),
            summary,
            reason: reason.to_owned(),
        });
    }

    fn docs(&mut self, old: u64, new: u64, owner: &Owner, subject: &str) {
        if old != new {
            self.docs.push(DocsChange {
                owner: owner.clone(),
                subject: subject.to_owned(),
            });
        }
    }

    fn service(&mut self, old: &ApiSurface, new: &ApiSurface) {
        let (o, n) = (&old.service, &new.service);
        if o.service_id != n.service_id {
            self.push(
                Level::Major,
                ChangeKind::ServiceIdChanged,
                Owner::Service,
                "service",
                format!(
                    "service id changed from `{}` to `{}`",
                    o.service_id, n.service_id
                ),
                "the service id names the endpoint-URL environment variable (`AWS_ENDPOINT_URL_<ID>`) and profile `services` key the configuration reads: existing configuration stops applying",
            );
        }
        if o.protocol != n.protocol {
            self.push(
                Level::Minor,
                ChangeKind::ProtocolChanged,
                Owner::Service,
                "service",
                format!(
                    "protocol changed from `{}` to `{}`",
                    o.protocol, n.protocol
                ),
                "every request goes out in another protocol: no Rust API changes, but what is sent does",
            );
        } else if o.model_protocols != n.model_protocols {
            let list = |protocols: &[String]| {
                protocols
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.push(
                Level::Patch,
                ChangeKind::ModelProtocolsChanged,
                Owner::Service,
                "service",
                format!(
                    "the model's protocols changed from {} to {}",
                    list(&o.model_protocols),
                    list(&n.model_protocols)
                ),
                &format!(
                    "the crate still speaks `{}`, the first of them the runtime speaks",
                    n.protocol
                ),
            );
        }
        for (what, a, b) in [
            ("signing name", &o.signing_name, &n.signing_name),
            ("target prefix", &o.target_prefix, &n.target_prefix),
        ] {
            if a != b {
                self.push(
                    Level::Patch,
                    ChangeKind::WireProtocolChanged,
                    Owner::Service,
                    "service",
                    format!("{what} changed from `{a}` to `{b}`"),
                    "how requests are signed or addressed changes; no Rust API does",
                );
            }
        }
        self.docs(o.docs_hash, n.docs_hash, &Owner::Service, "crate docs");
    }

    fn operation(&mut self, o: &OperationApi, n: &OperationApi) {
        let owner = Owner::Operation(n.name.clone());
        let name = &n.name;
        if o.method != n.method {
            self.push(
                Level::Major,
                ChangeKind::MethodRenamed,
                owner.clone(),
                name,
                format!(
                    "`{name}` moved from `Client::{}` to `Client::{}`",
                    o.method, n.method
                ),
                "code calling the old method or naming the old module no longer compiles",
            );
        }
        self.deprecation(
            o.deprecated.as_deref(),
            n.deprecated.as_deref(),
            &owner,
            name,
            "operation",
        );
        self.docs(o.docs_hash, n.docs_hash, &owner, name);
        let checked = Checked {
            old: o.input.validated,
            new: n.input.validated,
        };
        self.structure(&o.input, &n.input, &owner, checked);
        let checked = Checked {
            old: o.output.validated,
            new: n.output.validated,
        };
        self.structure(&o.output, &n.output, &owner, checked);
        self.paginator(o.paginator.as_ref(), n.paginator.as_ref(), &owner, name);
        let enum_name = &n.error_enum;
        for variant in &o.errors {
            if !n.errors.contains(variant) {
                self.push(
                    Level::Major,
                    ChangeKind::ErrorRemoved,
                    owner.clone(),
                    &format!("{enum_name}::{variant}"),
                    format!("`{name}` no longer lists `{variant}`: `{enum_name}::{variant}` is gone"),
                    "code that matches or builds the variant no longer compiles (the error now arrives as `Unhandled`)",
                );
            }
        }
        for variant in &n.errors {
            if !o.errors.contains(variant) {
                self.push(
                    Level::Minor,
                    ChangeKind::ErrorAdded,
                    owner.clone(),
                    &format!("{enum_name}::{variant}"),
                    format!("`{name}` can return `{variant}`: new variant `{enum_name}::{variant}`"),
                    "the error enum is `#[non_exhaustive]`, so every `match` already has a catch-all; the code used to arrive as `Unhandled`",
                );
            }
        }
    }

    fn paginator(
        &mut self,
        o: Option<&PaginatorApi>,
        n: Option<&PaginatorApi>,
        owner: &Owner,
        name: &str,
    ) {
        let (o, n) = match (o, n) {
            (None, None) => return,
            (None, Some(n)) => {
                return self.push(
                    Level::Minor,
                    ChangeKind::PaginatorAdded,
                    owner.clone(),
                    &n.name,
                    format!(
                        "`{name}` has a paginator: `into_paginator()` and `{}`",
                        n.name
                    ),
                    "new methods and types break nobody",
                )
            }
            (Some(o), None) => {
                return self.push(
                    Level::Major,
                    ChangeKind::PaginatorRemoved,
                    owner.clone(),
                    &o.name,
                    format!(
                        "`{name}` has no paginator any more: `into_paginator()` and `{}` are gone",
                        o.name
                    ),
                    "code that pages through the operation no longer compiles",
                )
            }
            (Some(o), Some(n)) => (o, n),
        };
        for (method, old, new) in [
            ("page_size", &o.page_size, &n.page_size),
            ("items", &o.item, &n.item),
        ] {
            let subject = format!("{}::{method}", n.name);
            match (old, new) {
                (Some(old), None) => self.push(
                    Level::Major,
                    ChangeKind::PaginatorMethodRemoved,
                    owner.clone(),
                    &subject,
                    format!("`{subject}` (of `{old}`) is gone"),
                    "code calling it no longer compiles",
                ),
                (Some(old), Some(new)) if old != new => self.push(
                    Level::Major,
                    ChangeKind::PaginatorMethodRemoved,
                    owner.clone(),
                    &subject,
                    format!("`{subject}` changed from `{old}` to `{new}`"),
                    "code that passes or reads the old type no longer compiles",
                ),
                (None, Some(new)) => self.push(
                    Level::Minor,
                    ChangeKind::PaginatorMethodAdded,
                    owner.clone(),
                    &subject,
                    format!("new `{subject}` (of `{new}`)"),
                    "a new method breaks nobody",
                ),
                _ => {}
            }
        }
        let follows = |p: &PaginatorApi| {
            (
                p.tokens.clone(),
                p.more_results.clone(),
                p.result_keys.clone(),
                p.non_aggregate_keys.clone(),
            )
        };
        if follows(o) != follows(n) {
            self.push(
                Level::Minor,
                ChangeKind::PaginatorChanged,
                owner.clone(),
                &n.name,
                format!(
                    "`{}` follows other members: tokens {} → {}, `more_results` {:?} → {:?}, result keys {} → {}",
                    n.name,
                    o.tokens.join(", "),
                    n.tokens.join(", "),
                    o.more_results,
                    n.more_results,
                    o.result_keys.join(", "),
                    n.result_keys.join(", ")
                ),
                "no Rust API changes, but the pages are requested and ended differently",
            );
        }
    }

    fn deprecation(
        &mut self,
        old: Option<&str>,
        new: Option<&str>,
        owner: &Owner,
        subject: &str,
        what: &str,
    ) {
        let (level, kind, summary, reason) = match (old, new) {
            (None, Some(note)) => (
                Level::Minor,
                ChangeKind::Deprecated,
                format!("{what} `{subject}` is now deprecated ({})", quote(note)),
                "adds `#[deprecated]`: uses get a warning, nothing stops compiling",
            ),
            (Some(_), None) => (
                Level::Patch,
                ChangeKind::Undeprecated,
                format!("{what} `{subject}` is no longer deprecated"),
                "only removes a warning",
            ),
            (Some(a), Some(b)) if a != b => (
                Level::Patch,
                ChangeKind::DeprecationNoteChanged,
                format!(
                    "{what} `{subject}`: deprecation note changed to {}",
                    quote(b)
                ),
                "only the warning text changes",
            ),
            _ => return,
        };
        self.push(level, kind, owner.clone(), subject, summary, reason);
    }

    fn type_def(&mut self, name: &str, o: &TypeApi, n: &TypeApi) {
        let owner = Owner::Type(name.to_owned());
        match (o, n) {
            (TypeApi::Structure(a), TypeApi::Structure(b)) => {
                let checked = Checked {
                    old: a.def.validated,
                    new: b.def.validated,
                };
                self.docs(a.def.docs_hash, b.def.docs_hash, &owner, name);
                self.structure(&a.def, &b.def, &owner, checked);
            }
            (TypeApi::Enum(a), TypeApi::Enum(b)) => self.enumeration(&a.def, &b.def, &owner),
            (TypeApi::Union(a), TypeApi::Union(b)) => self.union(&a.def, &b.def, &owner),
            _ => self.push(
                Level::Major,
                ChangeKind::TypeKindChanged,
                owner,
                name,
                format!(
                    "`types::{name}` changed from a {} to a {}",
                    o.kind(),
                    n.kind()
                ),
                "a different kind of type under the same name: code using it no longer compiles",
            ),
        }
    }

    fn exception(&mut self, name: &str, o: &ExceptionApi, n: &ExceptionApi) {
        let owner = Owner::Exception(name.to_owned());
        if o.fault != n.fault {
            let fault = |f: bool| if f { "server fault" } else { "client fault" };
            self.push(
                Level::Minor,
                ChangeKind::FaultChanged,
                owner.clone(),
                name,
                format!(
                    "`{name}` changed from a {} to a {}",
                    fault(o.fault),
                    fault(n.fault)
                ),
                "`is_fault()` answers differently; no signature changes",
            );
        }
        self.docs(o.structure.docs_hash, n.structure.docs_hash, &owner, name);
        let checked = Checked {
            old: o.structure.validated,
            new: n.structure.validated,
        };
        self.structure(&o.structure, &n.structure, &owner, checked);
    }

    fn structure(&mut self, o: &StructureApi, n: &StructureApi, owner: &Owner, checked: Checked) {
        // Input and output structs carry the operation's docs role line plus the shape's docs.
        if matches!(owner, Owner::Operation(_)) {
            self.docs(o.docs_hash, n.docs_hash, owner, &n.name);
        }
        for old in &o.members {
            let subject = format!("{}.{}", n.name, old.field);
            match n.members.iter().find(|m| m.field == old.field) {
                Some(new) => self.member(old, new, owner, &subject, checked),
                None => self.push(
                    Level::Major,
                    ChangeKind::MemberRemoved,
                    owner.clone(),
                    &subject,
                    format!("removed field `{subject}`"),
                    "the field, its getter and its setters are gone: code using them no longer compiles",
                ),
            }
        }
        for new in &n.members {
            if o.members.iter().any(|m| m.field == new.field) {
                continue;
            }
            let subject = format!("{}.{}", n.name, new.field);
            let mut summary = format!("new field `{subject}: {}`", new.rust_type);
            if new.idempotency_token {
                summary
                    .push_str(", an idempotency token the SDK fills with a fresh UUID when unset");
            }
            if let Some(note) = &new.deprecated {
                summary.push_str(&format!(", deprecated ({})", quote(note)));
            }
            if new.required && checked.new {
                self.push(
                    Level::Major,
                    ChangeKind::RequiredMemberAdded,
                    owner.clone(),
                    &subject,
                    format!("{summary}, required"),
                    "the struct is checked before sending, so calls that do not set the new member now fail validation",
                );
            } else {
                let reason = if new.required {
                    "structs are `#[non_exhaustive]` and made with builders, so a new field breaks no code; \"required\" is not checked on this struct"
                } else {
                    "structs are `#[non_exhaustive]` and made with builders, so a new field breaks no code"
                };
                self.push(
                    Level::Minor,
                    ChangeKind::MemberAdded,
                    owner.clone(),
                    &subject,
                    summary,
                    reason,
                );
            }
        }
    }

    fn member(
        &mut self,
        o: &MemberApi,
        n: &MemberApi,
        owner: &Owner,
        subject: &str,
        checked: Checked,
    ) {
        self.value(o.into(), n.into(), owner, subject, checked);
        match (o.required, n.required) {
            (false, true) if checked.new => self.push(
                Level::Major,
                ChangeKind::MadeRequired,
                owner.clone(),
                subject,
                format!("`{subject}` is now required"),
                "the field stays `Option`, but this struct is checked before sending: calls that leave it unset used to work and now fail validation",
            ),
            (false, true) => self.push(
                Level::Patch,
                ChangeKind::MadeRequired,
                owner.clone(),
                subject,
                format!("`{subject}` is now required"),
                "the field stays `Option` and this struct is not checked client-side: only the docs change",
            ),
            (true, false) if checked.old => self.push(
                Level::Minor,
                ChangeKind::MadeOptional,
                owner.clone(),
                subject,
                format!("`{subject}` is no longer required"),
                "every field is already `Option`, so no type changes; calls that leave it unset stop failing validation",
            ),
            (true, false) => self.push(
                Level::Patch,
                ChangeKind::MadeOptional,
                owner.clone(),
                subject,
                format!("`{subject}` is no longer required"),
                "every field is already `Option` and this struct is not checked client-side: only the docs change (the service may now leave it out, so do not unwrap it)",
            ),
            _ => {}
        }
        self.deprecation(
            o.deprecated.as_deref(),
            n.deprecated.as_deref(),
            owner,
            subject,
            "field",
        );
        match (o.idempotency_token, n.idempotency_token) {
            (false, true) => self.push(
                Level::Minor,
                ChangeKind::IdempotencyTokenAdded,
                owner.clone(),
                subject,
                format!("`{subject}` is now an idempotency token"),
                "when unset, the SDK now fills it with a fresh UUID: new behaviour, no signature changes",
            ),
            (true, false) => self.push(
                Level::Major,
                ChangeKind::IdempotencyTokenRemoved,
                owner.clone(),
                subject,
                format!("`{subject}` is no longer an idempotency token"),
                "calls that relied on the SDK filling it now send none, so their retries are no longer idempotent",
            ),
            _ => {}
        }
        self.docs(o.docs_hash, n.docs_hash, owner, subject);
    }

    fn enumeration(&mut self, o: &EnumApi, n: &EnumApi, owner: &Owner) {
        let name = &n.name;
        self.docs(o.docs_hash, n.docs_hash, owner, name);
        for old in &o.values {
            match n.values.iter().find(|v| v.value == old.value) {
                None => self.push(
                    Level::Major,
                    ChangeKind::EnumValueRemoved,
                    owner.clone(),
                    &format!("{name}::{}", old.variant),
                    format!("removed value `{}` (`{name}::{}`)", old.value, old.variant),
                    "code naming the variant no longer compiles (the value now arrives as `Unknown`)",
                ),
                Some(new) if new.variant != old.variant => self.push(
                    Level::Major,
                    ChangeKind::EnumVariantRenamed,
                    owner.clone(),
                    &format!("{name}::{}", new.variant),
                    format!(
                        "value `{}` is now `{name}::{}` (was `{name}::{}`)",
                        new.value, new.variant, old.variant
                    ),
                    "code naming the old variant no longer compiles",
                ),
                Some(_) => {}
            }
        }
        for new in &n.values {
            if !o.values.iter().any(|v| v.value == new.value) {
                self.push(
                    Level::Minor,
                    ChangeKind::EnumValueAdded,
                    owner.clone(),
                    &format!("{name}::{}", new.variant),
                    format!("new value `{}` (`{name}::{}`)", new.value, new.variant),
                    "enums are `#[non_exhaustive]`, so every `match` already has a catch-all; the value used to arrive as `Unknown`",
                );
            }
        }
    }

    fn union(&mut self, o: &UnionApi, n: &UnionApi, owner: &Owner) {
        let name = &n.name;
        self.docs(o.docs_hash, n.docs_hash, owner, name);
        let checked = Checked {
            old: o.validated,
            new: n.validated,
        };
        for old in &o.variants {
            let subject = format!("{name}::{}", old.variant);
            match n.variants.iter().find(|v| v.variant == old.variant) {
                None => self.push(
                    Level::Major,
                    ChangeKind::UnionVariantRemoved,
                    owner.clone(),
                    &subject,
                    format!("removed union variant `{subject}`"),
                    "code naming the variant or its accessor no longer compiles",
                ),
                Some(new) => self.union_variant(old, new, owner, &subject, checked),
            }
        }
        for new in &n.variants {
            if !o.variants.iter().any(|v| v.variant == new.variant) {
                let subject = format!("{name}::{}", new.variant);
                self.push(
                    Level::Minor,
                    ChangeKind::UnionVariantAdded,
                    owner.clone(),
                    &subject,
                    format!("new union variant `{subject}({})`", new.rust_type),
                    "unions are `#[non_exhaustive]`, so every `match` already has a catch-all; the member used to arrive as `Unknown`",
                );
            }
        }
    }

    fn union_variant(
        &mut self,
        o: &UnionVariantApi,
        n: &UnionVariantApi,
        owner: &Owner,
        subject: &str,
        checked: Checked,
    ) {
        self.value(o.into(), n.into(), owner, subject, checked);
        if o.accessor != n.accessor {
            self.push(
                Level::Major,
                ChangeKind::MethodRenamed,
                owner.clone(),
                subject,
                format!(
                    "`{subject}`: accessor renamed from `{}` to `{}`",
                    o.accessor, n.accessor
                ),
                "code calling the old accessor no longer compiles",
            );
        }
        self.docs(o.docs_hash, n.docs_hash, owner, subject);
    }

    /// What members and union variants share: type, JSON key, constraints, redaction.
    fn value(
        &mut self,
        o: ValueSide<'_>,
        n: ValueSide<'_>,
        owner: &Owner,
        subject: &str,
        checked: Checked,
    ) {
        if o.rust_type != n.rust_type {
            self.push(
                Level::Major,
                ChangeKind::TypeChanged,
                owner.clone(),
                subject,
                format!(
                    "`{subject}` changed type from `{}` to `{}`",
                    o.rust_type, n.rust_type
                ),
                "getters, setters and code reading the field see a different Rust type and no longer compile",
            );
        } else {
            // Same type, so the same levels line up.
            for (a, b) in o.constraints.iter().zip(n.constraints) {
                self.constraint(a, b, owner, subject, checked);
            }
        }
        if o.wire_name != n.wire_name {
            self.push(
                Level::Patch,
                ChangeKind::WireNameChanged,
                owner.clone(),
                subject,
                format!(
                    "`{subject}` is sent as `{}` (was `{}`)",
                    n.wire_name, o.wire_name
                ),
                "only the JSON key changes; the Rust API is the same",
            );
        }
        if o.sensitive != n.sensitive {
            let (what, reason) = if n.sensitive {
                (
                    "is now redacted in `Debug`",
                    "only what `Debug` prints changes",
                )
            } else {
                (
                    "is no longer redacted in `Debug`",
                    "only what `Debug` prints changes",
                )
            };
            self.push(
                Level::Patch,
                ChangeKind::SensitiveChanged,
                owner.clone(),
                subject,
                format!("`{subject}` {what}"),
                reason,
            );
        }
    }

    fn constraint(
        &mut self,
        o: &Constraint,
        n: &Constraint,
        owner: &Owner,
        subject: &str,
        checked: Checked,
    ) {
        let place = format!("{subject}{}", n.at);
        let what = match n.check {
            Check::Length => "length",
            Check::Range => "value",
            Check::Unchecked => "value",
        };
        for (bound, old_raw, new_raw, old_eff, new_eff) in [
            ("min", o.min, n.min, o.effective_min(), n.effective_min()),
            ("max", o.max, n.max, o.effective_max(), n.effective_max()),
        ] {
            if old_raw == new_raw {
                continue;
            }
            let summary = format!(
                "`{place}`: {what} {bound} {}",
                bound_change(old_raw, new_raw)
            );
            // Tighter: a higher min or a lower max, where `None` is no bound.
            let tighter = match (old_eff, new_eff) {
                (a, b) if a == b => None,
                (None, Some(_)) => Some(true),
                (Some(_), None) => Some(false),
                (Some(a), Some(b)) => Some(if bound == "min" { b > a } else { b < a }),
                (None, None) => None,
            };
            let (level, kind, reason) = match tighter {
                None => (
                    Level::Patch,
                    ChangeKind::ConstraintNoEffect,
                    "the bound the generated code enforces is unchanged (it checks no length bound of 0, and no bounds on this kind of value)",
                ),
                Some(true) if checked.new => (
                    Level::Major,
                    ChangeKind::ConstraintTightened,
                    "checked before sending: values that used to pass are now rejected with a validation error",
                ),
                Some(false) if checked.old => (
                    Level::Minor,
                    ChangeKind::ConstraintLoosened,
                    "checked before sending: values that used to be rejected now go through",
                ),
                Some(true) => (
                    Level::Patch,
                    ChangeKind::ConstraintTightened,
                    "this struct is not checked client-side, so nothing in the crate changes",
                ),
                Some(false) => (
                    Level::Patch,
                    ChangeKind::ConstraintLoosened,
                    "this struct is not checked client-side, so nothing in the crate changes",
                ),
            };
            self.push(level, kind, owner.clone(), subject, summary, reason);
        }
        if o.pattern != n.pattern {
            let summary = match (&o.pattern, &n.pattern) {
                (None, Some(p)) => format!("`{place}`: pattern added: {}", code(p)),
                (Some(p), None) => format!("`{place}`: pattern removed (was {})", code(p)),
                (Some(a), Some(b)) => {
                    format!("`{place}`: pattern changed from {} to {}", code(a), code(b))
                }
                (None, None) => unreachable!("the patterns differ"),
            };
            let (level, reason) = if checked.old || checked.new {
                (
                    Level::Minor,
                    "patterns are not checked client-side, so no code or validation result changes, but the values the service accepts did: check what you send",
                )
            } else {
                (
                    Level::Patch,
                    "patterns are not checked client-side and this struct is never sent: nothing in the crate changes",
                )
            };
            self.push(
                level,
                ChangeKind::PatternChanged,
                owner.clone(),
                subject,
                summary,
                reason,
            );
        }
    }
}

/// The parts of a member or union variant that [`Differ::value`] compares.
struct ValueSide<'a> {
    rust_type: &'a str,
    wire_name: &'a str,
    constraints: &'a [Constraint],
    sensitive: bool,
}

impl<'a> From<&'a MemberApi> for ValueSide<'a> {
    fn from(member: &'a MemberApi) -> Self {
        ValueSide {
            rust_type: &member.rust_type,
            wire_name: &member.wire_name,
            constraints: &member.constraints,
            sensitive: member.sensitive,
        }
    }
}

impl<'a> From<&'a UnionVariantApi> for ValueSide<'a> {
    fn from(variant: &'a UnionVariantApi) -> Self {
        ValueSide {
            rust_type: &variant.rust_type,
            wire_name: &variant.wire_name,
            constraints: &variant.constraints,
            sensitive: variant.sensitive,
        }
    }
}

/// `added (5)`, `removed (was 5)`, `raised from 1 to 5`, `lowered from 5 to 1`.
fn bound_change(old: Option<f64>, new: Option<f64>) -> String {
    match (old, new) {
        (None, Some(b)) => format!("added ({})", number(b)),
        (Some(a), None) => format!("removed (was {})", number(a)),
        (Some(a), Some(b)) if b > a => format!("raised from {} to {}", number(a), number(b)),
        (Some(a), Some(b)) => format!("lowered from {} to {}", number(a), number(b)),
        (None, None) => "unchanged".into(),
    }
}

/// A bound as the model writes it: `5`, not `5.0`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Text as a Markdown code span, whatever backticks it holds.
pub(crate) fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A deprecation note as a quoted code span.
fn quote(note: &str) -> String {
    code(note.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_versions() {
        assert_eq!(Bump::Major.next_version("0.1.0").as_deref(), Some("0.2.0"));
        assert_eq!(Bump::Minor.next_version("0.1.0").as_deref(), Some("0.1.1"));
        assert_eq!(Bump::Patch.next_version("0.1.3").as_deref(), Some("0.1.4"));
        assert_eq!(Bump::Major.next_version("0.0.3").as_deref(), Some("0.0.4"));
        assert_eq!(Bump::Major.next_version("1.2.3").as_deref(), Some("2.0.0"));
        assert_eq!(Bump::Minor.next_version("1.2.3").as_deref(), Some("1.3.0"));
        assert_eq!(Bump::Patch.next_version("1.2.3").as_deref(), Some("1.2.4"));
        assert_eq!(Bump::None.next_version("1.2.3").as_deref(), Some("1.2.3"));
        for bad in ["1.2", "1.2.3-rc.1", "1.2.3.4", "x.1.2", ""] {
            assert_eq!(Bump::Major.next_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn code_spans() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn numbers() {
        assert_eq!(number(2147483647.0), "2147483647");
        assert_eq!(number(0.5), "0.5");
    }
}
