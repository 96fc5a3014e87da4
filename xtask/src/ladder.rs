//! The sweep's ladder: a fixed set of services, chosen so that each feature of the models the
//! generator and the runtime handle is in at least one of them, that `cargo xtask sweep
//! --compile ladder` (and CI) compiles and tests against botocore's own serializer and parser,
//! instead of all the models of a release.
//!
//! The wire tests: `xtask/ladder/make_cases.py` runs botocore (imported from the wheel the
//! sweep reads) on a sample input of every operation of every ladder service and writes what
//! botocore sends and how it reads modeled errors to `crates/ladder-wire/cases/<service>.json`;
//! the crate `ladder-wire`, written here into the scratch workspace, sends the same inputs
//! through the generated clients over the runtime's replay transport and compares
//! (`xtask/ladder/harness.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::files;

/// One rung of the ladder: a botocore service and what it is there for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rung {
    /// The botocore name of the service, e.g. `dynamodb`.
    pub(crate) service: &'static str,
    /// The features of its model that no other rung has (or has as well), for the report.
    pub(crate) covers: &'static str,
}

/// The ladder. One place: the sweep's `--compile ladder`, the wire tests and the README's
/// description all follow it.
pub(crate) const LADDER: &[Rung] = &[
    Rung {
        service: "marketplace-entitlement",
        covers: "smithy-rpc-v2-cbor listed before json (the crate speaks awsJson 1.1); \
                 a map of lists",
    },
    Rung {
        service: "dynamodb",
        covers: "awsJson 1.0; optional endpoint discovery; recursive attribute values \
                 (a union); idempotency tokens; blobs and blob sets",
    },
    Rung {
        service: "sqs",
        covers: "awsQueryCompatible (x-amzn-query-mode, x-amzn-query-error codes); \
                 awsJson 1.0",
    },
    Rung {
        service: "kinesis",
        covers: "an event-stream operation left out (SubscribeToShard); blobs; timestamps",
    },
    Rung {
        service: "kms",
        covers: "blobs, sensitive blobs; many modeled errors per operation",
    },
    Rung {
        service: "secretsmanager",
        covers: "idempotency tokens (top level); sensitive members (strings and blobs)",
    },
    Rung {
        service: "stepfunctions",
        covers: "hostPrefix (StartSyncExecution); awsJson 1.0; sensitive members; an \
                 idempotency token",
    },
    Rung {
        service: "servicediscovery",
        covers: "hostPrefix (DiscoverInstances); smithy-rpc-v2-cbor listed first; \
                 idempotency tokens",
    },
    Rung {
        service: "codecommit",
        covers: "operations that list the same error twice; idempotency tokens; blobs",
    },
    Rung {
        service: "cloudtrail",
        covers: "operations that list the same error twice; timestamps",
    },
    Rung {
        service: "logs",
        covers: "awsJson 1.1; event-stream operations left out (StartLiveTail, \
                 GetLogObject); hostPrefix; many operations",
    },
    Rung {
        service: "cognito-identity",
        covers: "authtype none (unsigned operations: GetId, GetOpenIdToken, ...); \
                 sensitive members",
    },
    Rung {
        service: "verifiedpermissions",
        covers: "unions, recursive unions, documents; sensitive members; awsJson 1.0",
    },
    Rung {
        service: "timestream-query",
        covers: "required endpoint discovery (operations left out); idempotency tokens",
    },
    Rung {
        service: "timestream-influxdb",
        covers: "timestampFormat iso8601 on input members (sent as RFC 3339 text); only \
                 `protocol: json`, no `protocols` list",
    },
];

/// Whether `service` is on the ladder.
pub(crate) fn on_ladder(service: &str) -> bool {
    LADDER.iter().any(|rung| rung.service == service)
}

/// The package name of the wire-test crate in the scratch workspace.
pub(crate) const WIRE_CRATE: &str = "ladder-wire";

/// The script that makes the expected requests and errors with botocore.
const MAKE_CASES: &str = "xtask/ladder/make_cases.py";

/// The hand-written part of the wire-test crate, copied into it as `src/harness.rs`.
const HARNESS: &str = include_str!("../ladder/harness.rs");

/// A ladder service as generated: what the wire tests need of its crate.
pub(crate) struct WireService {
    /// The botocore name.
    pub(crate) service: String,
    /// The Rust name of its crate, e.g. `sweep_dynamodb`.
    pub(crate) crate_ident: String,
    /// The package name, e.g. `sweep-dynamodb`.
    pub(crate) package: String,
    /// The operations the crate has: (model name, module under `operation`, input type).
    pub(crate) operations: Vec<(String, String, String)>,
}

impl WireService {
    /// Reads the generated crate's operations off the model.
    pub(crate) fn describe(
        service: &str,
        package: &str,
        service_json: &str,
    ) -> Result<Self, String> {
        let surface =
            ::codegen::api::describe(service_json).map_err(|e| format!("{service}: {e}"))?;
        Ok(WireService {
            service: service.to_owned(),
            crate_ident: package.replace('-', "_"),
            package: package.to_owned(),
            operations: surface
                .operations
                .values()
                .map(|op| (op.name.clone(), op.method.clone(), op.input.name.clone()))
                .collect(),
        })
    }
}

/// Writes `<out>/crates/ladder-wire/`: its manifest, the harness, the dispatch per service
/// (model operation name → the generated input type and client), and one test per service.
pub(crate) fn write_wire_crate(out: &Path, services: &[WireService]) -> Result<(), String> {
    let dir = out.join("crates").join(WIRE_CRATE);
    let mut manifest = format!(
        "# Written by `cargo xtask sweep --compile ladder`.\n\
         [package]\nname = \"{WIRE_CRATE}\"\nversion = \"0.0.0\"\n\
         edition.workspace = true\nrust-version.workspace = true\n\
         license.workspace = true\npublish = false\n\n\
         [dependencies]\n\
         serde = {{ workspace = true }}\n\
         serde_json = {{ workspace = true }}\n\
         http = {{ workspace = true }}\n\
         tokio = {{ workspace = true, features = [\"rt\", \"macros\"] }}\n\
         marketplace-sdk-runtime = {{ workspace = true, features = [\"test-util\"] }}\n"
    );
    for service in services {
        let _ = writeln!(
            manifest,
            "{} = {{ path = \"../{}\", features = [\"test-util\"] }}",
            service.package, service.service
        );
    }
    files::ensure_file_contents(&dir.join("Cargo.toml"), manifest.as_bytes())?;
    files::ensure_file_contents(&dir.join("src/harness.rs"), HARNESS.as_bytes())?;

    let mut lib = String::from(
        "// Written by `cargo xtask sweep --compile ladder`.\n\
         //! The sweep's wire tests: each ladder service's generated client against the \
         requests botocore makes\n\
         //! and the errors it reads (`cases/<service>.json`, made by `xtask/ladder/make_cases.py`).\n\n\
         pub mod harness;\n",
    );
    let mut tests = String::from("// Written by `cargo xtask sweep --compile ladder`.\n\n");
    for service in services {
        let module = service.service.replace('-', "_");
        let _ = write!(
            lib,
            "\n/// `{0}`: runs one case of an operation of `{1}`; `None` when the crate \
             does not have the operation.\n\
             pub mod {module} {{\n\
             \x20   use {1} as sdk;\n\n\
             \x20   /// A client on `transport` with the harness's fixed settings.\n\
             \x20   fn client(transport: &::marketplace_sdk_runtime::test_util::ReplayClient) -> sdk::Client {{\n\
             \x20       let config = sdk::Config::builder()\n\
             \x20           .region(crate::harness::REGION)\n\
             \x20           .credentials(sdk::Credentials::new(crate::harness::ACCESS_KEY, crate::harness::SECRET_KEY, None))\n\
             \x20           .endpoint_url(crate::harness::ENDPOINT)\n\
             \x20           .retry_config(sdk::config::RetryConfig::standard().with_max_attempts(1))\n\
             \x20           .http_client(transport.clone())\n\
             \x20           .build();\n\
             \x20       sdk::Client::from_conf(config)\n\
             \x20   }}\n\n\
             \x20   /// Runs `case` of `operation`.\n\
             \x20   pub async fn run(operation: ::std::string::String, case: crate::harness::Call) -> ::std::option::Option<crate::harness::Outcome> {{\n\
             \x20       ::std::option::Option::Some(match operation.as_str() {{\n",
            service.service, service.crate_ident,
        );
        for (name, method, input) in &service.operations {
            let _ = writeln!(
                lib,
                "            {name:?} => crate::harness::call::<sdk::operation::{method}::{input}, _, _, _, _>(case, |transport, input| async move {{ client(&transport).send(input).await }}).await,"
            );
        }
        let _ = write!(
            lib,
            "            _ => return ::std::option::Option::None,\n        }})\n    }}\n}}\n"
        );
        let _ = write!(
            tests,
            "#[tokio::test(flavor = \"current_thread\")]\n\
             async fn {module}() {{\n\
             \x20   let cases = include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/cases/{0}.json\"));\n\
             \x20   ladder_wire::harness::check_service(cases, ladder_wire::{module}::run).await;\n\
             }}\n\n",
            service.service
        );
    }
    files::ensure_file_contents(&dir.join("src/lib.rs"), lib.as_bytes())?;
    files::ensure_file_contents(&dir.join("tests/wire.rs"), tests.as_bytes())?;
    Ok(())
}

/// Runs `make_cases.py` with botocore from `botocore` (the wheel or directory the sweep read)
/// on the models in `models`, writing `crates/ladder-wire/cases/<service>.json`.
pub(crate) fn make_cases(
    root: &Path,
    botocore: &Path,
    models: &Path,
    out: &Path,
    services: &[String],
) -> Result<(), String> {
    let cases = out.join("crates").join(WIRE_CRATE).join("cases");
    note!(
        "writing what botocore sends for {} ladder services to {}",
        services.len(),
        cases.display()
    );
    let status = Command::new("python3")
        .arg(root.join(MAKE_CASES))
        .arg("--botocore")
        .arg(botocore)
        .arg("--models")
        .arg(models)
        .arg("--out")
        .arg(&cases)
        .args(services)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("sweep: could not run python3: {e}"))?;
    if !status.success() {
        return Err(format!("sweep: {MAKE_CASES} failed ({status})"));
    }
    Ok(())
}

/// Runs `cargo test -p ladder-wire` in the scratch workspace (its output in `<out>/wire.log`);
/// returns the first line of each service's report (`results/<service>.txt`).
pub(crate) fn run_wire_tests(out: &Path) -> Result<BTreeMap<String, String>, String> {
    let results = out.join("crates").join(WIRE_CRATE).join("results");
    let _ = fs::remove_dir_all(&results);
    let log_path = out.join("wire.log");
    let log =
        fs::File::create(&log_path).map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(out)
        .env("CARGO_TARGET_DIR", out.join("target"))
        .args([
            "test",
            "-p",
            WIRE_CRATE,
            "--test",
            "wire",
            "--",
            "--nocapture",
        ])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| format!("sweep: could not run cargo test: {e}"))?;
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(&results).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(service) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let text = files::read_text(&path)?;
        let first = text.lines().next().unwrap_or_default();
        let summary = first.split_once(": ").map_or(first, |(_, rest)| rest);
        found.insert(service.to_owned(), summary.to_owned());
    }
    if found.is_empty() && !status.success() {
        return Err(format!(
            "sweep: the wire tests failed to run ({status}); see {}",
            log_path.display()
        ));
    }
    Ok(found)
}

/// Whether a service's wire-test summary (see [`run_wire_tests`]) has no mismatch.
pub(crate) fn wire_passed(summary: &str) -> bool {
    summary.contains(" 0 mismatches,")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_has_ten_distinct_services_or_more() {
        assert!(LADDER.len() >= 10);
        let mut names: Vec<_> = LADDER.iter().map(|r| r.service).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            LADDER.len(),
            "a service is on the ladder twice"
        );
        assert!(LADDER.iter().all(|r| !r.covers.is_empty()));
        assert!(on_ladder("dynamodb"));
        assert!(!on_ladder("s3"));
    }
}
