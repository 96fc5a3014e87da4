//! Project automation, run as `cargo xtask <command>` (an alias in `.cargo/config.toml`).
//!
//! Follows rust-analyzer's xtask pattern: a plain binary in the workspace instead of shell
//! scripts or `build.rs`, so the tasks are written in Rust, run the same on every machine and
//! need nothing but cargo (and `python3` for `update-model`). Arguments are parsed by hand to
//! keep the dependency list, and so the build, short.

#![forbid(unsafe_code)]

/// Prints a line to stdout; a closed pipe (`--check | head`) is ignored instead of panicking
/// the way `println!` does.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints a line to stderr without ever panicking, like [`say!`].
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod api_diff;
mod codegen;
mod files;
mod ladder;
mod layers;
mod msrv;
mod release;
mod semver;
mod services;
mod sweep;
mod update_model;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The text of `cargo xtask --help`.
const HELP: &str = "\
cargo xtask: project automation

USAGE:
    cargo xtask <COMMAND> [OPTIONS]

COMMANDS:
    A service is a crate under generated/ whose hand-written Cargo.toml names
    its botocore model in [package.metadata.codegen] `model = \"...\"`; its
    model files are in model/<model>/ (marketplace-metering: meteringmarketplace).

    codegen [--check]
        Regenerate the src/ of every service crate from its model/<model>/
        service-2.json, and the runtime's partition table. Writes only files
        whose bytes change and removes .rs files the generator no longer
        produces.
        --check  Write nothing; print a unified diff of what would change and
                 exit 1 if anything would.

    update-model [--botocore-version <VERSION>]
        Download the botocore wheel from PyPI with pip (the newest one, or
        VERSION) and, for every service, copy its model files and
        partitions.json into model/<model>/ and record where they came from in
        model/<model>/provenance.json. When a service-2.json changes, print the
        api-diff report against the model it replaced and add it to that
        crate's CHANGELOG.md. Needs python3 with pip.

    add-service <MODEL>
        Fetch the botocore model MODEL (e.g. marketplace-entitlement) into
        model/MODEL/ at the botocore release model/meteringmarketplace/ pins,
        and generate its crate. First write the crate's Cargo.toml by hand
        (generated/<crate>/Cargo.toml, like marketplace-metering's, with
        [package.metadata.codegen] model = \"MODEL\") and list it in the
        workspace's members. Needs python3 with pip.

    api-diff [--service <NAME>] <OLD> <NEW>
        Print a Markdown report of what changes in the generated crate's public
        API from model OLD to model NEW: operations, fields, types, enum values
        and errors added or removed, required/optional, Rust type, min/max/pattern
        and deprecation changes, protocol, and a one-line summary of docs
        changes. Each change is classified major/minor/patch for users of the
        crate, and the report ends with the semver bump they imply. OLD and NEW
        are each a service-2.json file, a directory holding one (e.g.
        model/meteringmarketplace), or a botocore version to download (e.g.
        1.44.0; needs python3 with pip): the model of service NAME (a shipped
        service's model or crate name, or any botocore model name), by default
        of the one service the repository ships.

    fetch-model [--service <NAME>] <VERSION> <DIR>
        Download botocore VERSION and write the service-2.json of service NAME
        (as for api-diff) and a provenance.json for it into DIR (how the test
        fixtures of api-diff were made).

    msrv
        Check the rust-version of every workspace member against the locked
        dependency graph (`cargo metadata --locked`, every target): the library
        crates (marketplace-sdk-runtime, marketplace-sdk-config,
        marketplace-metering: members with a library target
        outside codegen/, xtask/, tests/ and benches/) count their normal and
        build dependencies, the dev tools also their own dev-dependencies. Print
        what each needs and the dependency path that sets it; exit 1 when a
        declared rust-version is lower than a dependency's, or a library crate
        declares none. Offline, run `cargo fetch --locked` once beforehand: it
        needs the manifests of other targets' crates too.

    semver [--bump]
        Check that generated/marketplace-metering's version covers the change of
        its public API since the release recorded in its release.json (the model
        that version was made from), as api-diff classifies it the 0.x way; exit 1
        when it does not. --bump sets that version in its Cargo.toml and the
        workspace's dependency, and records the release (update-model does this
        after a model update).

    release [--dry-run]
        Package every publishable crate (the runtime crates and the generated
        crates) in dependency order, check that no package holds tests, data or
        benches, and have cargo verify each by building it from its packaged
        sources alone. Without --dry-run, then publish them in that order.

    layers
        Check that no module of the runtime crates (runtime/, runtime-config/)
        imports, directly or through others, a module that imports it back.
        Print each cycle and exit 1 when there is one.

    sweep (--botocore <PATH> | --botocore-version <VERSION>) --out <DIR>
          [--compile all|ladder|none] [--services <A,B,..>]
        The generator on every model of a botocore release whose
        metadata.protocols lists json. Generates each into a scratch cargo
        workspace DIR/crates/<service>/ (outside the repository; path
        dependencies on this checkout's runtime), then runs clippy
        (-D warnings) and rustdoc (-D warnings) on the crates --compile names.
        PATH is a botocore wheel, an unpacked wheel or its botocore/data
        directory; VERSION is downloaded with pip. Prints a table per service
        (protocols, files, lines and generation time or the generator's error,
        the first clippy and rustdoc error) and writes it to DIR/SWEEP.md; exit
        1 when anything failed. Needs python3. A second run rebuilds only what
        changed.
        --compile    all (the default): every generated crate, hours on a small
                     machine. ladder: only the ladder (xtask/src/ladder.rs), a
                     fixed set of services that covers the models' features,
                     plus its wire tests: each operation's request and modeled
                     errors against botocore's serializer and parser
                     (xtask/ladder/make_cases.py, with botocore from PATH).
                     none: generate only (--no-check is the same).
        --services   Generate only these services (botocore names, e.g.
                     dynamodb,sqs); with --compile ladder, the ladder too.

    help
        Print this text.

OPTIONS:
    -h, --help  Print this text.
";

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Codegen {
        check: bool,
    },
    UpdateModel {
        botocore_version: Option<String>,
    },
    ApiDiff {
        service: Option<String>,
        old: String,
        new: String,
    },
    FetchModel {
        service: Option<String>,
        version: String,
        dir: String,
    },
    AddService {
        model: String,
    },
    Msrv,
    Layers,
    Release {
        dry_run: bool,
    },
    Semver {
        bump: bool,
    },
    Sweep(sweep::Options),
}

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| format!("argument {arg:?} is not valid UTF-8"))
        })
        .collect();
    match args.and_then(|args| parse_args(&args)).and_then(run) {
        Ok(code) => code,
        Err(message) => {
            note!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command from the project root.
fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Help => {
            say!("{}", HELP.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Command::Codegen { check } => codegen::run(&project_root(), check),
        Command::UpdateModel { botocore_version } => {
            update_model::run(&project_root(), botocore_version.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ApiDiff { service, old, new } => {
            api_diff::run(&project_root(), service.as_deref(), &old, &new)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::FetchModel {
            service,
            version,
            dir,
        } => {
            let model = services::botocore_model(&project_root(), service.as_deref())?;
            update_model::fetch_model(&version, &model, Path::new(&dir))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::AddService { model } => {
            update_model::add_service(&project_root(), &model)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Msrv => msrv::run(&project_root()),
        Command::Layers => layers::run(&project_root()).map(|()| ExitCode::SUCCESS),
        Command::Release { dry_run } => release::run(&project_root(), !dry_run),
        Command::Semver { bump } => semver::run(&project_root(), bump).map(|()| ExitCode::SUCCESS),
        Command::Sweep(options) => sweep::run(&project_root(), &options),
    }
}

/// The workspace root: the parent of this crate's directory, taken at compile time so the
/// commands work from any current directory.
fn project_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Parses the arguments after `cargo xtask`.
fn parse_args(args: &[String]) -> Result<Command, String> {
    let wants_help = |rest: &[String]| rest.iter().any(|a| a == "-h" || a == "--help");
    let Some((command, rest)) = args.split_first() else {
        return Err(format!("no command given\n\n{}", HELP.trim_end()));
    };
    match command.as_str() {
        "help" | "-h" | "--help" => Ok(Command::Help),
        _ if wants_help(rest) => Ok(Command::Help),
        "codegen" => {
            let mut check = false;
            for arg in rest {
                match arg.as_str() {
                    "--check" => check = true,
                    other => return Err(unexpected("codegen", other)),
                }
            }
            Ok(Command::Codegen { check })
        }
        "update-model" => {
            let mut botocore_version = None;
            let mut rest = rest.iter();
            while let Some(arg) = rest.next() {
                let value = if arg == "--botocore-version" {
                    rest.next().cloned().ok_or_else(|| {
                        "update-model: --botocore-version needs a value, e.g. 1.44.8".to_string()
                    })?
                } else if let Some(value) = arg.strip_prefix("--botocore-version=") {
                    value.to_string()
                } else {
                    return Err(unexpected("update-model", arg));
                };
                botocore_version = Some(value);
            }
            Ok(Command::UpdateModel { botocore_version })
        }
        "api-diff" => {
            let (service, args) = take_service("api-diff", rest)?;
            match args.as_slice() {
                [old, new] if !old.starts_with('-') && !new.starts_with('-') => {
                    Ok(Command::ApiDiff {
                        service,
                        old: old.clone(),
                        new: new.clone(),
                    })
                }
                _ => Err(
                    "api-diff: expected two models, OLD and NEW, each a service-2.json, a \
                     directory or a botocore version; run `cargo xtask --help`"
                        .to_string(),
                ),
            }
        }
        "fetch-model" => {
            let (service, args) = take_service("fetch-model", rest)?;
            match args.as_slice() {
                [version, dir] if !version.starts_with('-') && !dir.starts_with('-') => {
                    Ok(Command::FetchModel {
                        service,
                        version: version.clone(),
                        dir: dir.clone(),
                    })
                }
                _ => Err(
                    "fetch-model: expected a botocore VERSION and a DIR; run `cargo xtask --help`"
                        .to_string(),
                ),
            }
        }
        "add-service" => match rest {
            [model] if !model.starts_with('-') => Ok(Command::AddService {
                model: model.clone(),
            }),
            _ => Err(
                "add-service: expected the botocore name of the model, e.g. marketplace-entitlement; \
                 run `cargo xtask --help`"
                    .to_string(),
            ),
        },
        "sweep" => parse_sweep(rest),
        "msrv" => match rest.first() {
            None => Ok(Command::Msrv),
            Some(other) => Err(unexpected("msrv", other)),
        },
        "semver" => match rest {
            [] => Ok(Command::Semver { bump: false }),
            [flag] if flag == "--bump" => Ok(Command::Semver { bump: true }),
            [other, ..] => Err(unexpected("semver", other)),
        },
        "release" => match rest {
            [] => Ok(Command::Release { dry_run: false }),
            [flag] if flag == "--dry-run" => Ok(Command::Release { dry_run: true }),
            [other, ..] => Err(unexpected("release", other)),
        },
        "layers" => match rest.first() {
            None => Ok(Command::Layers),
            Some(other) => Err(unexpected("layers", other)),
        },
        other => Err(format!(
            "unknown command `{other}`; run `cargo xtask --help` for the list"
        )),
    }
}

/// Takes `--service NAME` (or `--service=NAME`) out of `rest`: the name and the other arguments.
fn take_service(command: &str, rest: &[String]) -> Result<(Option<String>, Vec<String>), String> {
    let mut service = None;
    let mut others = Vec::new();
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let value = if arg == "--service" {
            rest.next().cloned()
        } else if let Some(value) = arg.strip_prefix("--service=") {
            Some(value.to_string())
        } else {
            others.push(arg.clone());
            continue;
        };
        match value.filter(|v| !v.is_empty() && !v.starts_with('-')) {
            Some(value) if service.is_none() => service = Some(value),
            Some(_) => return Err(format!("{command}: --service is given twice")),
            None => {
                return Err(format!(
                    "{command}: --service needs a name, e.g. meteringmarketplace"
                ))
            }
        }
    }
    Ok((service, others))
}

/// `sweep`'s options.
fn parse_sweep(rest: &[String]) -> Result<Command, String> {
    let (mut source, mut out, mut services) = (None, None, Vec::new());
    let mut compile = None;
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| rest.next().cloned())
                .filter(|v| !v.is_empty() && !v.starts_with("--"))
                .ok_or_else(|| format!("sweep: {flag} needs a value; run `cargo xtask --help`"))
        };
        match flag {
            "--botocore" | "--botocore-version" if source.is_some() => {
                return Err("sweep: give one of --botocore and --botocore-version".into())
            }
            "--botocore" => source = Some(sweep::Source::Path(value()?)),
            "--botocore-version" => source = Some(sweep::Source::Version(value()?)),
            "--out" => out = Some(value()?),
            "--services" => {
                services = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "--compile" | "--no-check" if compile.is_some() => {
                return Err("sweep: give --compile (or --no-check) once".into())
            }
            "--compile" => compile = Some(sweep::Compile::parse(&value()?)?),
            // The option's name before --compile: the same as `--compile none`.
            "--no-check" if inline.is_none() => compile = Some(sweep::Compile::None),
            _ => return Err(unexpected("sweep", arg)),
        }
    }
    let source =
        source.ok_or("sweep: --botocore <PATH> or --botocore-version <VERSION> is needed")?;
    let out =
        out.ok_or("sweep: --out <DIR> is needed, a scratch directory outside the repository")?;
    Ok(Command::Sweep(sweep::Options {
        source,
        out,
        services,
        compile: compile.unwrap_or(sweep::Compile::All),
    }))
}

/// The error for an argument a command does not take.
fn unexpected(command: &str, arg: &str) -> String {
    format!("{command}: unexpected argument `{arg}`; run `cargo xtask --help`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        parse_args(&args)
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse(&["codegen"]), Ok(Command::Codegen { check: false }));
        assert_eq!(
            parse(&["codegen", "--check"]),
            Ok(Command::Codegen { check: true })
        );
        assert_eq!(
            parse(&["update-model"]),
            Ok(Command::UpdateModel {
                botocore_version: None
            })
        );
        let pinned = Ok(Command::UpdateModel {
            botocore_version: Some("1.44.8".into()),
        });
        assert_eq!(
            parse(&["update-model", "--botocore-version", "1.44.8"]),
            pinned
        );
        assert_eq!(
            parse(&["update-model", "--botocore-version=1.44.8"]),
            pinned
        );
        assert_eq!(
            parse(&["api-diff", "1.44.0", "model/meteringmarketplace"]),
            Ok(Command::ApiDiff {
                service: None,
                old: "1.44.0".into(),
                new: "model/meteringmarketplace".into()
            })
        );
        assert_eq!(
            parse(&[
                "api-diff",
                "--service",
                "marketplace-entitlement",
                "1.44.0",
                "1.44.8"
            ]),
            Ok(Command::ApiDiff {
                service: Some("marketplace-entitlement".into()),
                old: "1.44.0".into(),
                new: "1.44.8".into()
            })
        );
        assert_eq!(
            parse(&["add-service", "marketplace-entitlement"]),
            Ok(Command::AddService {
                model: "marketplace-entitlement".into()
            })
        );
        assert_eq!(
            parse(&["fetch-model", "1.44.0", "out"]),
            Ok(Command::FetchModel {
                service: None,
                version: "1.44.0".into(),
                dir: "out".into()
            })
        );
        assert_eq!(parse(&["msrv"]), Ok(Command::Msrv));
        assert_eq!(parse(&["layers"]), Ok(Command::Layers));
        assert_eq!(
            parse(&["release", "--dry-run"]),
            Ok(Command::Release { dry_run: true })
        );
        assert_eq!(
            parse(&[
                "sweep",
                "--botocore",
                "/tmp/b",
                "--out=/tmp/s",
                "--services",
                "sqs,kms",
                "--no-check"
            ]),
            Ok(Command::Sweep(sweep::Options {
                source: sweep::Source::Path("/tmp/b".into()),
                out: "/tmp/s".into(),
                services: vec!["sqs".into(), "kms".into()],
                compile: sweep::Compile::None,
            }))
        );
        assert_eq!(
            parse(&["sweep", "--botocore-version=1.44.8", "--out", "s"]),
            Ok(Command::Sweep(sweep::Options {
                source: sweep::Source::Version("1.44.8".into()),
                out: "s".into(),
                services: vec![],
                compile: sweep::Compile::All,
            }))
        );
        for (flag, compile) in [
            ("all", sweep::Compile::All),
            ("ladder", sweep::Compile::Ladder),
            ("none", sweep::Compile::None),
        ] {
            let expected = Ok(Command::Sweep(sweep::Options {
                source: sweep::Source::Path("w.whl".into()),
                out: "s".into(),
                services: vec![],
                compile,
            }));
            assert_eq!(
                parse(&[
                    "sweep",
                    "--botocore",
                    "w.whl",
                    "--out",
                    "s",
                    "--compile",
                    flag
                ]),
                expected
            );
            let inline = format!("--compile={flag}");
            assert_eq!(
                parse(&["sweep", &inline, "--botocore=w.whl", "--out=s"]),
                expected
            );
        }
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["codegen", "-h"]), Ok(Command::Help));
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["frobnicate"]).is_err());
        assert!(parse(&["codegen", "--chek"]).is_err());
        assert!(parse(&["update-model", "--botocore-version"]).is_err());
        assert!(parse(&["api-diff", "1.44.0"]).is_err());
        assert!(parse(&["api-diff", "a", "b", "c"]).is_err());
        assert!(parse(&["api-diff", "--old", "b"]).is_err());
        assert!(parse(&["fetch-model", "1.44.0"]).is_err());
        assert!(parse(&["fetch-model", "--service", "1.44.0", "out"]).is_err());
        assert!(parse(&["api-diff", "--service", "a", "--service=b", "1", "2"]).is_err());
        assert!(parse(&["add-service"]).is_err());
        assert!(parse(&["add-service", "a", "b"]).is_err());
        assert!(parse(&["msrv", "--check"]).is_err());
        assert!(parse(&["sweep", "--out", "s"]).is_err());
        assert!(parse(&["sweep", "--botocore", "b"]).is_err());
        assert!(parse(&[
            "sweep",
            "--botocore",
            "b",
            "--botocore-version",
            "1",
            "--out",
            "s"
        ])
        .is_err());
        assert!(parse(&["sweep", "--botocore", "--out", "s"]).is_err());
        assert!(parse(&["sweep", "--botocore", "b", "--out", "s", "--compile"]).is_err());
        assert!(parse(&[
            "sweep",
            "--botocore",
            "b",
            "--out",
            "s",
            "--compile",
            "some"
        ])
        .is_err());
        assert!(parse(&[
            "sweep",
            "--botocore",
            "b",
            "--out",
            "s",
            "--compile=all",
            "--no-check"
        ])
        .is_err());
        assert!(parse(&["sweep", "--botocore", "b", "--out", "s", "--no-check=yes"]).is_err());
    }
}
