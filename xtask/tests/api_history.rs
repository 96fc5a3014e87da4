//! `api-diff` on the real history of the Metering model: the fixtures under
//! `tests/fixtures/models/` are `service-2.json` of botocore releases on PyPI, fetched with
//! `cargo xtask fetch-model` (see the README there). Every change between consecutive
//! fixtures, and of the reverse diffs, is classified exactly; regenerating from the older
//! model and then the newer one touches only files of what the report names; and the command
//! prints the report.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::api::{describe, diff, ApiDiff, ApiSurface, Bump, ChangeKind, Level, Owner};
use sha2::{Digest, Sha256};

use ChangeKind::*;
use Level::*;

/// The fixtures, oldest first: each release that first had a change, and the one before it.
const VERSIONS: [&str; 8] = [
    "1.4.74",   // MeterUsage only
    "1.4.75",   // first with BatchMeterUsage (and ResolveCustomer)
    "1.12.117", // last with UsageQuantity required
    "1.12.118", // UsageQuantity (and DryRun) optional
    "1.40.55",  // last without ClientToken
    "1.40.56",  // ClientToken and IdempotencyConflictException
    "1.44.0",   // last without decimal quantities
    "1.44.1",   // decimal quantities and deprecations: the model of botocore 1.44.8 too
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the workspace")
        .to_path_buf()
}

fn fixture_dir(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models")
        .join(version)
}

fn model(version: &str) -> String {
    let path = fixture_dir(version).join("service-2.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn surface(version: &str) -> ApiSurface {
    describe(&model(version)).unwrap_or_else(|e| panic!("botocore {version}: {e}"))
}

fn compare(old: &str, new: &str) -> ApiDiff {
    diff(&surface(old), &surface(new))
}

fn check(old: &str, new: &str, expected: &[(Level, ChangeKind, &str)], bump: Bump) {
    let d = compare(old, new);
    let actual: Vec<(Level, ChangeKind, &str)> = d
        .changes
        .iter()
        .map(|c| (c.level, c.kind, c.subject.as_str()))
        .collect();
    assert_eq!(actual, expected, "botocore {old} -> {new}");
    assert_eq!(d.bump(), bump, "botocore {old} -> {new}");
}

#[test]
fn fixtures_are_what_their_provenance_says() {
    for version in VERSIONS {
        let dir = fixture_dir(version);
        let provenance: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("provenance.json")).unwrap())
                .unwrap();
        assert_eq!(provenance["botocore_version"], version);
        let file = &provenance["files"][0];
        assert_eq!(file["file"], "service-2.json");
        let bytes = std::fs::read(dir.join("service-2.json")).unwrap();
        let sha: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(file["sha256"], sha.as_str(), "{version} was edited");
    }
}

/// The committed model compares with the history; while it is the newest fixture's (botocore
/// 1.44.1 and 1.44.8 ship the same file), there is nothing to report.
#[test]
fn committed_model_against_the_newest_fixture() {
    let committed =
        std::fs::read_to_string(root().join("model/meteringmarketplace/service-2.json")).unwrap();
    let newest = VERSIONS[VERSIONS.len() - 1];
    let d = diff(&surface(newest), &describe(&committed).unwrap());
    if committed == model(newest) {
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(d.bump(), Bump::None);
    }
}

#[test]
fn first_batch_meter_usage() {
    check(
        "1.4.74",
        "1.4.75",
        &[
            (Minor, OperationAdded, "BatchMeterUsage"),
            (Minor, OperationAdded, "ResolveCustomer"),
            (Minor, TypeAdded, "UsageRecord"),
            (Minor, TypeAdded, "UsageRecordResult"),
            (Minor, TypeAdded, "UsageRecordResultStatus"),
            (Minor, ExceptionAdded, "ExpiredTokenException"),
            (Minor, ExceptionAdded, "InvalidCustomerIdentifierException"),
            (Minor, ExceptionAdded, "InvalidTokenException"),
        ],
        Bump::Minor,
    );
    // Backwards, everything is gone.
    check(
        "1.4.75",
        "1.4.74",
        &[
            (Major, OperationRemoved, "BatchMeterUsage"),
            (Major, OperationRemoved, "ResolveCustomer"),
            (Major, TypeRemoved, "UsageRecord"),
            (Major, TypeRemoved, "UsageRecordResult"),
            (Major, TypeRemoved, "UsageRecordResultStatus"),
            (Major, ExceptionRemoved, "ExpiredTokenException"),
            (
                Major,
                ExceptionRemoved,
                "InvalidCustomerIdentifierException",
            ),
            (Major, ExceptionRemoved, "InvalidTokenException"),
        ],
        Bump::Major,
    );
}

#[test]
fn register_usage_and_the_service_id() {
    // Models before 1.12 had no `serviceId`; the generator falls back to the endpoint
    // prefix, so the endpoint-URL settings the crate reads change name: breaking.
    check(
        "1.4.75",
        "1.12.117",
        &[
            (Major, ServiceIdChanged, "service"),
            (
                Minor,
                ErrorAdded,
                "BatchMeterUsageError::DisabledApiException",
            ),
            (Minor, OperationAdded, "RegisterUsage"),
            (
                Minor,
                ErrorAdded,
                "ResolveCustomerError::DisabledApiException",
            ),
            (Minor, ExceptionAdded, "CustomerNotEntitledException"),
            (Minor, ExceptionAdded, "DisabledApiException"),
            (Minor, ExceptionAdded, "InvalidPublicKeyVersionException"),
            (Minor, ExceptionAdded, "InvalidRegionException"),
            (Minor, ExceptionAdded, "PlatformNotSupportedException"),
        ],
        Bump::Major,
    );
}

#[test]
fn usage_quantity_optional() {
    check(
        "1.12.117",
        "1.12.118",
        &[
            (Minor, ConstraintLoosened, "MeterUsageInput.usage_quantity"),
            (Minor, MadeOptional, "MeterUsageInput.usage_quantity"),
            (Minor, MadeOptional, "MeterUsageInput.dry_run"),
            (Minor, ConstraintLoosened, "UsageRecord.quantity"),
            (Minor, MadeOptional, "UsageRecord.quantity"),
        ],
        Bump::Minor,
    );
    // Backwards: optional→required on inputs, and a lower max, both checked before sending.
    check(
        "1.12.118",
        "1.12.117",
        &[
            (Major, ConstraintTightened, "MeterUsageInput.usage_quantity"),
            (Major, MadeRequired, "MeterUsageInput.usage_quantity"),
            (Major, MadeRequired, "MeterUsageInput.dry_run"),
            (Major, ConstraintTightened, "UsageRecord.quantity"),
            (Major, MadeRequired, "UsageRecord.quantity"),
        ],
        Bump::Major,
    );
    let md = compare("1.12.117", "1.12.118").to_markdown();
    assert!(
        md.contains(
            "- `MeterUsageInput.usage_quantity`: value max raised from 1000000 to 2147483647."
        ),
        "{md}"
    );
}

#[test]
fn tags_account_ids_and_patterns() {
    check(
        "1.12.118",
        "1.40.55",
        &[
            (Minor, PatternChanged, "BatchMeterUsageInput.product_code"),
            (
                Minor,
                ErrorAdded,
                "BatchMeterUsageError::InvalidTagException",
            ),
            (
                Minor,
                ErrorAdded,
                "BatchMeterUsageError::InvalidUsageAllocationsException",
            ),
            (Minor, PatternChanged, "MeterUsageInput.product_code"),
            (Minor, PatternChanged, "MeterUsageInput.usage_dimension"),
            (Minor, MemberAdded, "MeterUsageInput.usage_allocations"),
            (Minor, ErrorAdded, "MeterUsageError::InvalidTagException"),
            (
                Minor,
                ErrorAdded,
                "MeterUsageError::InvalidUsageAllocationsException",
            ),
            (
                Minor,
                ErrorAdded,
                "MeterUsageError::CustomerNotEntitledException",
            ),
            (Minor, PatternChanged, "RegisterUsageInput.product_code"),
            (Minor, PatternChanged, "RegisterUsageInput.nonce"),
            (Patch, PatternChanged, "RegisterUsageOutput.signature"),
            (
                Minor,
                PatternChanged,
                "ResolveCustomerInput.registration_token",
            ),
            (
                Patch,
                ConstraintLoosened,
                "ResolveCustomerOutput.customer_identifier",
            ),
            (
                Patch,
                PatternChanged,
                "ResolveCustomerOutput.customer_identifier",
            ),
            (Patch, PatternChanged, "ResolveCustomerOutput.product_code"),
            (
                Minor,
                MemberAdded,
                "ResolveCustomerOutput.customer_aws_account_id",
            ),
            (Minor, TypeAdded, "Tag"),
            (Minor, TypeAdded, "UsageAllocation"),
            (Minor, ConstraintLoosened, "UsageRecord.customer_identifier"),
            (Minor, PatternChanged, "UsageRecord.customer_identifier"),
            (Minor, MadeOptional, "UsageRecord.customer_identifier"),
            (Minor, PatternChanged, "UsageRecord.dimension"),
            (Minor, MemberAdded, "UsageRecord.usage_allocations"),
            (Minor, MemberAdded, "UsageRecord.customer_aws_account_id"),
            (Minor, ExceptionAdded, "InvalidTagException"),
            (Minor, ExceptionAdded, "InvalidUsageAllocationsException"),
        ],
        Bump::Minor,
    );
}

#[test]
fn client_token() {
    check(
        "1.40.55",
        "1.40.56",
        &[
            (Minor, MemberAdded, "MeterUsageInput.client_token"),
            (
                Minor,
                ErrorAdded,
                "MeterUsageError::IdempotencyConflictException",
            ),
            (Minor, ExceptionAdded, "IdempotencyConflictException"),
        ],
        Bump::Minor,
    );
    let md = compare("1.40.55", "1.40.56").to_markdown();
    assert!(
        md.contains("- New field `MeterUsageInput.client_token: Option<String>`, an idempotency token the SDK fills with a fresh UUID when unset."),
        "{md}"
    );
    check(
        "1.40.56",
        "1.40.55",
        &[
            (Major, MemberRemoved, "MeterUsageInput.client_token"),
            (
                Major,
                ErrorRemoved,
                "MeterUsageError::IdempotencyConflictException",
            ),
            (Major, ExceptionRemoved, "IdempotencyConflictException"),
        ],
        Bump::Major,
    );
}

#[test]
fn license_arns_and_metadata() {
    check(
        "1.40.56",
        "1.44.0",
        &[
            (
                Minor,
                ConstraintLoosened,
                "BatchMeterUsageInput.product_code",
            ),
            (Minor, MadeOptional, "BatchMeterUsageInput.product_code"),
            (
                Minor,
                ErrorAdded,
                "BatchMeterUsageError::InvalidLicenseException",
            ),
            (Minor, ConstraintLoosened, "MeterUsageInput.product_code"),
            (Minor, ConstraintLoosened, "RegisterUsageInput.product_code"),
            (
                Patch,
                ConstraintLoosened,
                "ResolveCustomerOutput.product_code",
            ),
            (Minor, MemberAdded, "ResolveCustomerOutput.license_arn"),
            (Minor, MemberAdded, "ResolveCustomerOutput.metadata"),
            (Minor, TypeAdded, "Metadata"),
            (Minor, MemberAdded, "UsageRecord.license_arn"),
            (Minor, ExceptionAdded, "InvalidLicenseException"),
        ],
        Bump::Minor,
    );
}

#[test]
fn decimal_quantities_and_deprecations() {
    check(
        "1.44.0",
        "1.44.1",
        &[
            (Minor, Deprecated, "MeterUsageInput.usage_quantity"),
            (
                Minor,
                MemberAdded,
                "MeterUsageInput.usage_quantity_as_decimal",
            ),
            (
                Minor,
                MadeOptional,
                "UsageAllocation.allocated_usage_quantity",
            ),
            (
                Minor,
                Deprecated,
                "UsageAllocation.allocated_usage_quantity",
            ),
            (
                Minor,
                MemberAdded,
                "UsageAllocation.allocated_usage_quantity_as_decimal",
            ),
            (Minor, Deprecated, "UsageRecord.quantity"),
            (Minor, MemberAdded, "UsageRecord.quantity_as_decimal"),
        ],
        Bump::Minor,
    );
    let d = compare("1.44.0", "1.44.1");
    let docs: Vec<&str> = d.docs.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(
        docs,
        [
            "BatchMeterUsage",
            "MeterUsage",
            "MeterUsageInput.usage_quantity",
            "MeterUsageInput.usage_allocations",
            "UsageAllocation.allocated_usage_quantity",
            "UsageRecord.quantity",
            "UsageRecord.usage_allocations",
            "DuplicateRequestException",
            "InvalidUsageAllocationsException",
        ]
    );
    // Backwards: the new fields go, and AllocatedUsageQuantity is required again in a struct
    // that is checked before sending.
    check(
        "1.44.1",
        "1.44.0",
        &[
            (Patch, Undeprecated, "MeterUsageInput.usage_quantity"),
            (
                Major,
                MemberRemoved,
                "MeterUsageInput.usage_quantity_as_decimal",
            ),
            (
                Major,
                MadeRequired,
                "UsageAllocation.allocated_usage_quantity",
            ),
            (
                Patch,
                Undeprecated,
                "UsageAllocation.allocated_usage_quantity",
            ),
            (
                Major,
                MemberRemoved,
                "UsageAllocation.allocated_usage_quantity_as_decimal",
            ),
            (Patch, Undeprecated, "UsageRecord.quantity"),
            (Major, MemberRemoved, "UsageRecord.quantity_as_decimal"),
        ],
        Bump::Major,
    );
}

#[test]
fn every_release_is_undone_by_a_major_change() {
    for pair in VERSIONS.windows(2) {
        assert_eq!(
            compare(pair[1], pair[0]).bump(),
            Bump::Major,
            "{} -> {}",
            pair[1],
            pair[0]
        );
    }
}

/// The files `codegen::generate` makes from a fixture, with everything but the model fixed.
fn generate(version: &str) -> BTreeMap<String, String> {
    let service_json = model(version);
    let input = codegen::Input {
        service_json: &service_json,
        origin: "model/meteringmarketplace/service-2.json",
        crate_name: "marketplace_metering",
        crate_version: "0.1.0",
        endpoint_rule_set_json: None,
        partitions_json: None,
        paginators_json: None,
    };
    codegen::generate(&input)
        .unwrap_or_else(|e| panic!("botocore {version}: {e}"))
        .into_iter()
        .map(|f| (f.path, f.contents))
        .collect()
}

/// Which items a generated file belongs to, by the descriptions of both models.
fn file_owners(path: &str, old: &ApiSurface, new: &ApiSurface) -> Option<Vec<Owner>> {
    let mut owners = BTreeSet::new();
    for api in [old, new] {
        for op in api.operations.values() {
            if op.file == path {
                owners.insert(Owner::Operation(op.name.clone()));
                // An error enum variant carries the exception's docs.
                owners.extend(op.errors.iter().map(|e| Owner::Exception(e.clone())));
            }
        }
        for (name, ty) in &api.types {
            if ty.file() == path {
                owners.insert(Owner::Type(name.clone()));
            }
        }
        for (name, e) in &api.exceptions {
            if e.file == path {
                owners.insert(Owner::Exception(name.clone()));
            }
        }
    }
    if !owners.is_empty() {
        return Some(owners.into_iter().collect());
    }
    let all = |f: fn(&ApiSurface) -> Vec<Owner>| {
        let mut v = f(old);
        v.extend(f(new));
        v
    };
    let ops = |a: &ApiSurface| -> Vec<Owner> {
        a.operations
            .keys()
            .map(|n| Owner::Operation(n.clone()))
            .collect()
    };
    let types =
        |a: &ApiSurface| -> Vec<Owner> { a.types.keys().map(|n| Owner::Type(n.clone())).collect() };
    let exceptions = |a: &ApiSurface| -> Vec<Owner> {
        a.exceptions
            .keys()
            .map(|n| Owner::Exception(n.clone()))
            .collect()
    };
    // The index files list the items (with their docs); the client has a method per
    // operation and the service's metadata.
    match path {
        "src/lib.rs" => Some(vec![Owner::Service]),
        "src/client.rs" => {
            let mut v = all(ops);
            v.push(Owner::Service);
            Some(v)
        }
        "src/operation.rs" => Some(all(ops)),
        "src/types.rs" => Some(all(types)),
        "src/types/error.rs" | "src/error.rs" => Some(all(exceptions)),
        _ => None,
    }
}

/// Regenerating from the older model and then the newer one changes only files that belong
/// to something the report names, and every item the report says changed in generated code
/// has a changed file.
#[test]
fn regeneration_touches_only_what_the_report_names() {
    for pair in VERSIONS.windows(2) {
        let (old_v, new_v) = (pair[0], pair[1]);
        let (old, new) = (surface(old_v), surface(new_v));
        let d = diff(&old, &new);
        let named = d.owners();
        let (old_files, new_files) = (generate(old_v), generate(new_v));
        let paths: BTreeSet<&String> = old_files.keys().chain(new_files.keys()).collect();
        let changed: Vec<&String> = paths
            .into_iter()
            .filter(|p| old_files.get(*p) != new_files.get(*p))
            .collect();
        assert!(!changed.is_empty(), "{old_v} -> {new_v}: nothing changed");
        for path in &changed {
            let owners = file_owners(path, &old, &new).unwrap_or_else(|| {
                panic!("{old_v} -> {new_v}: {path} changed but belongs to no item of the API")
            });
            assert!(
                owners.iter().any(|o| named.contains(o)),
                "{old_v} -> {new_v}: {path} changed, but the report names none of {owners:?}"
            );
        }
        // The converse: what the report says changes in the generated code did.
        for change in &d.changes {
            let invisible = matches!(
                change.kind,
                PatternChanged | ConstraintNoEffect | ConstraintTightened | ConstraintLoosened
            ) && change.level == Patch;
            // Patterns are not in the generated code at all.
            if invisible || change.kind == PatternChanged {
                continue;
            }
            let file = match &change.owner {
                Owner::Service => "src/client.rs".to_string(),
                Owner::Operation(name) => new
                    .operations
                    .get(name)
                    .or(old.operations.get(name))
                    .unwrap()
                    .file
                    .clone(),
                Owner::Type(name) => new
                    .types
                    .get(name)
                    .or(old.types.get(name))
                    .unwrap()
                    .file()
                    .to_string(),
                Owner::Exception(name) => new
                    .exceptions
                    .get(name)
                    .or(old.exceptions.get(name))
                    .unwrap()
                    .file
                    .clone(),
            };
            assert!(
                changed.contains(&&file),
                "{old_v} -> {new_v}: the report says {:?} but {file} did not change",
                change.summary
            );
        }
    }
}

#[test]
fn the_command_prints_the_report() {
    let (old, new) = (fixture_dir("1.44.0"), fixture_dir("1.44.1"));
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("api-diff")
        .arg(&old)
        .arg(&new)
        .output()
        .expect("xtask runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let expected = format!(
        "## botocore 1.44.0 ({}) → botocore 1.44.1 ({})\n\n{}",
        old.display(),
        new.display(),
        compare("1.44.0", "1.44.1").to_markdown()
    );
    assert_eq!(stdout, expected);
    assert!(
        stdout.ends_with("anything else bumps the patch number.\n"),
        "{stdout}"
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["api-diff", "no/such/dir", "--x"])
        .output()
        .expect("xtask runs");
    assert!(!bad.status.success());
}
