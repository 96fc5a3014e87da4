//! `compare-runner`: runs the side-by-side benchmark and prints Markdown tables.
//!
//! Started by `run.sh`, which builds the binaries first; see the usage below and
//! BENCHMARKS.md at the repository root.

use bench_common::{Measurement, Op};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: run.sh [calls|build|all] [options]

  calls   per-call cost: the raw, lean and official clients against a local server, in
          alternation, N calls each after a warm-up; medians over the rounds
            --op OP[,OP..]|all   MeterUsage (default), BatchMeterUsage, ResolveCustomer, RegisterUsage
            --rounds N           rounds per operation (default 5)
            --calls N            measured calls per client run (default 5000)
            --warmup N           unmeasured calls first (default 500)
            --instructions       also count user-space instructions per call under valgrind
                                 (callgrind): unlike CPU time, not disturbed by other load
  build   build cost of a minimal \"meter one usage record\" program on each SDK: packages in
          its Cargo.lock, clean debug and release build wall time (fresh target directory each
          time), release binary size before and after `strip`; takes minutes
            --build-rounds N     clean builds of each program and profile (default 1)
            --no-debug           skip the debug builds
  all     calls, then build (the default)

The tables go to stdout and to target/compare-results/<part>.md.";

/// The clients, in the order of the table.
const CLIENTS: [&str; 3] = ["raw", "lean", "official"];
/// The minimal programs, in the order of the table.
const PROGRAMS: [(&str, &str); 2] = [("lean", "minimal-lean"), ("official", "minimal-official")];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Calls,
    Build,
    All,
}

struct Options {
    part: Part,
    ops: Vec<Op>,
    rounds: u32,
    calls: u32,
    warmup: u32,
    build_rounds: u32,
    debug: bool,
    instructions: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        part: Part::All,
        ops: vec![Op::MeterUsage],
        rounds: 5,
        calls: 5000,
        warmup: 500,
        build_rounds: 1,
        debug: true,
        instructions: false,
    };
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        Some("calls") => options.part = Part::Calls,
        Some("build") => options.part = Part::Build,
        Some("all") => options.part = Part::All,
        _ => {}
    }
    if matches!(
        args.peek().map(String::as_str),
        Some("calls" | "build" | "all")
    ) {
        args.next();
    }
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--op" => {
                let text = value()?;
                options.ops = if text == "all" {
                    vec![Op::MeterUsage, Op::BatchMeterUsage, Op::ResolveCustomer]
                } else {
                    text.split(',')
                        .map(|name| {
                            Op::parse(name).ok_or_else(|| format!("unknown operation `{name}`"))
                        })
                        .collect::<Result<_, _>>()?
                };
            }
            "--rounds" => options.rounds = positive(&flag, &value()?)?,
            "--calls" => options.calls = positive(&flag, &value()?)?,
            "--warmup" => options.warmup = bench_common::number(&flag, &value()?)?,
            "--build-rounds" => options.build_rounds = positive(&flag, &value()?)?,
            "--no-debug" => options.debug = false,
            "--instructions" => options.instructions = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

fn positive(flag: &str, text: &str) -> Result<u32, String> {
    match bench_common::number(flag, text)? {
        0 => Err(format!("{flag} must be at least 1")),
        n => Ok(n),
    }
}

fn main() {
    let options = parse_options().unwrap_or_else(|problem| {
        eprintln!("compare-runner: {problem}\n\n{USAGE}");
        std::process::exit(2);
    });
    if let Err(problem) = run(&options) {
        eprintln!("compare-runner: {problem}");
        std::process::exit(1);
    }
}

/// Where things are.
struct Dirs {
    /// `benches/compare`.
    compare: PathBuf,
    /// Where `run.sh` put the release binaries.
    bin: PathBuf,
    /// `target/` of this workspace (scratch space and the results).
    target: PathBuf,
}

fn run(options: &Options) -> Result<(), String> {
    let compare = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no parent of the runner's directory")?
        .to_path_buf();
    let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let bin = exe
        .parent()
        .ok_or("no directory of the runner")?
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| compare.join("target"));
    let dirs = Dirs {
        compare,
        bin,
        target,
    };

    let server = Server::start(&dirs.bin.join("bench-server"))?;
    let load_before = load_average();
    let mut report = machine(&dirs);
    let mut parts = Vec::new();
    if options.part != Part::Build {
        report.push_str(&calls(options, &dirs, &server)?);
        parts.push("calls");
    }
    if options.part != Part::Calls {
        if !report.ends_with("\n\n") {
            report.push('\n');
        }
        report.push_str(&build(options, &dirs, &server)?);
        parts.push("build");
    }
    let _ = writeln!(
        report,
        "\nLoad average (1 min) {load_before} at the start, {} at the end.",
        load_average()
    );
    drop(server);

    print!("{report}");
    let results = dirs.target.join("compare-results");
    std::fs::create_dir_all(&results).map_err(|e| format!("{}: {e}", results.display()))?;
    let file = results.join(format!("{}.md", parts.join("+")));
    std::fs::write(&file, &report).map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!("\nwritten to {}", file.display());
    Ok(())
}

/// One Markdown paragraph about the machine and the versions compared.
fn machine(dirs: &Dirs) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map_or("unknown CPU", |(_, model)| model.trim());
    let rustc = command_line("rustc", &["-V"]);
    let date = command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let lock = std::fs::read_to_string(dirs.compare.join("Cargo.lock")).unwrap_or_default();
    let versions: Vec<String> = [
        "aws-sdk-marketplacemetering",
        "aws-config",
        "aws-smithy-runtime",
        "aws-sigv4",
        "reqwest",
        "hyper",
        "tokio",
    ]
    .iter()
    .map(|name| {
        let versions = locked_versions(&lock, name);
        format!("{name} {}", versions.as_deref().unwrap_or("?"))
    })
    .collect();
    // The lean SDK is this repository's runtime and generated crate, as checked out.
    let repo = dirs.compare.join("../..");
    let revision = command_line_in(&repo, "git", &["rev-parse", "--short", "HEAD"]);
    let dirty = command_line_in(
        &repo,
        "git",
        &["status", "--porcelain", "--", "runtime", "generated"],
    );
    let lean = match (revision.as_str(), dirty.as_str()) {
        ("?" | "", _) => "lean SDK from a tree without git history".to_owned(),
        (revision, "") => format!("lean SDK at commit {revision}"),
        (revision, _) => format!("lean SDK at commit {revision} with uncommitted changes"),
    };
    format!(
        "Measured {date} on {cpus} CPUs ({model}), {rustc}; {lean}; {}.\n\n",
        versions.join(", ")
    )
}

fn command_line(program: &str, args: &[&str]) -> String {
    command_line_in(Path::new("."), program, args)
}

/// The trimmed stdout of a command run in `dir`, or `?` if it cannot run or fails.
fn command_line_in(dir: &Path, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map_or_else(|| "?".to_owned(), |text| text.trim().to_owned())
}

/// The versions of `name` in a Cargo.lock, `/`-separated (there may be several).
fn locked_versions(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == wanted {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                versions.push(version);
            }
        }
    }
    (!versions.is_empty()).then(|| versions.join("/"))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// The bench server, for as long as this value lives: it exits when its stdin closes.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    url: String,
}

impl Server {
    fn start(binary: &Path) -> Result<Server, String> {
        let mut child = Command::new(binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e} (run.sh builds it)", binary.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("reading the server's address: {e}"))?;
        let address = line
            .trim()
            .strip_prefix("LISTENING ")
            .ok_or_else(|| format!("unexpected first line from the server: {line:?}"))?;
        Ok(Server {
            url: format!("http://{address}"),
            child,
            stdin,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.wait();
    }
}

/// Removes the `AWS_*` variables, so only what we set reaches the clients.
fn clean_aws_env(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            command.env_remove(&name);
        }
    }
    command
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
}

// ---------------------------------------------------------------------------------------------
// calls

fn calls(options: &Options, dirs: &Dirs, server: &Server) -> Result<String, String> {
    let mut results: BTreeMap<(usize, &str), Vec<Measurement>> = BTreeMap::new();
    for (op_index, op) in options.ops.iter().enumerate() {
        for round in 0..options.rounds as usize {
            // Rotate the order so no client always runs first or last.
            for k in 0..CLIENTS.len() {
                let client = CLIENTS[(round + k) % CLIENTS.len()];
                let m = run_client(dirs, server, client, *op, options)?;
                eprintln!(
                    "[calls] {} round {}/{}: {client:>8} {:>9.0} calls/s {:>8.1} µs/call {:>8.1} CPU µs/call",
                    op.name(),
                    round + 1,
                    options.rounds,
                    m.calls_per_second(),
                    m.wall_us_per_call(),
                    m.cpu_us_per_call()
                );
                results.entry((op_index, client)).or_default().push(m);
            }
        }
    }

    let mut instructions: BTreeMap<(usize, &str), f64> = BTreeMap::new();
    if options.instructions {
        for (op_index, op) in options.ops.iter().enumerate() {
            for client in CLIENTS {
                let per_call = instructions_per_call(dirs, server, client, *op)?;
                eprintln!(
                    "[calls] {} under callgrind: {client:>8} {per_call:>9.0} instructions/call",
                    op.name()
                );
                instructions.insert((op_index, client), per_call);
            }
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Per call\n\n{} rounds per operation; in each round every client makes {} calls after {} warm-up calls, on one keep-alive connection, in a process of its own (the server is another process). Medians over the rounds; the range is the lowest and highest round.\n",
        options.rounds, options.calls, options.warmup
    );
    out.push_str("| operation | client | calls/s | µs per call | client CPU µs per call (range) | CPU vs official | wall vs official | peak RSS MiB |");
    if options.instructions {
        out.push_str(" instructions per call | vs official |");
    }
    out.push_str("\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    if options.instructions {
        out.push_str(" ---: | ---: |");
    }
    out.push('\n');
    let mut verdicts = Vec::new();
    for (op_index, op) in options.ops.iter().enumerate() {
        let stats = |client: &str| Stats::of(&results[&(op_index, client)]);
        let official = stats("official");
        for client in CLIENTS {
            let s = stats(client);
            let _ = write!(
                out,
                "| {} | {client} | {:.0} | {:.1} | {:.1} ({:.1}–{:.1}) | {:.2}× | {:.2}× | {:.1} |",
                op.name(),
                s.calls_per_second,
                s.wall_us,
                s.cpu_us,
                s.cpu_us_min,
                s.cpu_us_max,
                s.cpu_us / official.cpu_us,
                s.wall_us / official.wall_us,
                s.max_rss_kib / 1024.0
            );
            if let (Some(mine), Some(theirs)) = (
                instructions.get(&(op_index, client)),
                instructions.get(&(op_index, "official")),
            ) {
                let _ = write!(out, " {mine:.0} | {:.2}× |", mine / theirs);
            }
            out.push('\n');
        }
        let ratio = stats("lean").cpu_us / official.cpu_us;
        verdicts.push(format!(
            "{}: {:.2}× ({})",
            op.name(),
            ratio,
            if ratio <= 0.4 { "met" } else { "missed" }
        ));
    }
    let _ = writeln!(
        out,
        "\nTarget: client CPU per call of lean ≤ 0.4× official. {}.",
        verdicts.join("; ")
    );
    if options.instructions {
        let _ = writeln!(
            out,
            "\nInstructions per call: user-space instructions counted by `valgrind --tool=callgrind`, the difference between a run of {INSTR_HIGH} and one of {INSTR_LOW} calls (after {INSTR_WARMUP} warm-up calls) divided by {}; kernel time is not in it. Valgrind hides SHA-NI and AVX-512 from the program, so SHA-256 (SigV4) weighs more there than on this CPU.",
            INSTR_HIGH - INSTR_LOW
        );
    }
    out.push('\n');
    Ok(out)
}

fn run_client(
    dirs: &Dirs,
    server: &Server,
    client: &str,
    op: Op,
    options: &Options,
) -> Result<Measurement, String> {
    let binary = dirs.bin.join(format!("client-{client}"));
    let output = clean_aws_env(&mut Command::new(&binary))
        .args(["--url", &server.url, "--op", op.name()])
        .args(["--calls", &options.calls.to_string()])
        .args(["--warmup", &options.warmup.to_string()])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e} (run.sh builds it)", binary.display()))?;
    if !output.status.success() {
        return Err(format!("{} failed: {}", binary.display(), output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(Measurement::parse_result_line)
        .ok_or_else(|| format!("no RESULT line from {}: {stdout}", binary.display()))
}

const INSTR_LOW: u32 = 100;
const INSTR_HIGH: u32 = 600;
const INSTR_WARMUP: u32 = 50;

/// User-space instructions per call: two runs under callgrind, the difference per call.
fn instructions_per_call(
    dirs: &Dirs,
    server: &Server,
    client: &str,
    op: Op,
) -> Result<f64, String> {
    let binary = dirs.bin.join(format!("client-{client}"));
    let run = |calls: u32| -> Result<u64, String> {
        let output = clean_aws_env(&mut Command::new("valgrind"))
            .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
            .arg(&binary)
            .args(["--url", &server.url, "--op", op.name()])
            .args(["--calls", &calls.to_string()])
            .args(["--warmup", &INSTR_WARMUP.to_string()])
            .output()
            .map_err(|e| format!("cannot run valgrind (needed by --instructions): {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!(
                "{} under valgrind failed: {stderr}",
                binary.display()
            ));
        }
        stderr
            .lines()
            .find_map(|line| line.split("Collected : ").nth(1)?.trim().parse().ok())
            .ok_or_else(|| format!("no instruction count from valgrind: {stderr}"))
    };
    let low = run(INSTR_LOW)?;
    let high = run(INSTR_HIGH)?;
    Ok(high.saturating_sub(low) as f64 / f64::from(INSTR_HIGH - INSTR_LOW))
}

/// Medians of one client's rounds.
struct Stats {
    calls_per_second: f64,
    wall_us: f64,
    cpu_us: f64,
    cpu_us_min: f64,
    cpu_us_max: f64,
    max_rss_kib: f64,
}

impl Stats {
    fn of(rounds: &[Measurement]) -> Stats {
        let all = |f: fn(&Measurement) -> f64| rounds.iter().map(f).collect::<Vec<_>>();
        let cpu = all(Measurement::cpu_us_per_call);
        Stats {
            calls_per_second: median(all(Measurement::calls_per_second)),
            wall_us: median(all(Measurement::wall_us_per_call)),
            cpu_us_min: cpu.iter().copied().fold(f64::INFINITY, f64::min),
            cpu_us_max: cpu.iter().copied().fold(0.0, f64::max),
            cpu_us: median(cpu),
            max_rss_kib: median(all(|m| m.max_rss_kib as f64)),
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

// ---------------------------------------------------------------------------------------------
// build

#[derive(Default)]
struct BuildCost {
    lock_packages: usize,
    compiled_packages: Option<usize>,
    debug_seconds: Vec<f64>,
    release_seconds: Vec<f64>,
    debug_cpu_seconds: Vec<f64>,
    release_cpu_seconds: Vec<f64>,
    binary_bytes: u64,
    stripped_bytes: Option<u64>,
    smoke: String,
}

fn build(options: &Options, dirs: &Dirs, server: &Server) -> Result<String, String> {
    let scratch = dirs.target.join("build-bench");
    let mut costs: BTreeMap<&str, BuildCost> = BTreeMap::new();
    for (label, program) in PROGRAMS {
        let dir = dirs.compare.join(program);
        // Not --locked: minimal-lean follows the runtime in this repository, so cargo may have
        // to add or drop entries of its lock file (pinned versions stay). The builds that
        // follow are --locked and --offline.
        eprintln!("[build] {program}: fetching sources (not timed)");
        cargo(&dir, &["fetch"], None)?;
        let lock = std::fs::read_to_string(dir.join("Cargo.lock"))
            .map_err(|e| format!("{program}/Cargo.lock: {e}"))?;
        costs.insert(
            label,
            BuildCost {
                lock_packages: lock.matches("[[package]]").count(),
                ..BuildCost::default()
            },
        );
    }
    for round in 0..options.build_rounds as usize {
        for k in 0..PROGRAMS.len() {
            let (label, program) = PROGRAMS[(round + k) % PROGRAMS.len()];
            let dir = dirs.compare.join(program);
            let cost = costs.get_mut(label).expect("inserted above");
            if options.debug {
                let target = scratch.join(format!("{program}-debug"));
                let (seconds, cpu, compiled) = timed_build(&dir, &target, false)?;
                eprintln!(
                    "[build] {program} debug, round {}: {seconds:.1} s ({cpu:.1} CPU s)",
                    round + 1
                );
                cost.debug_seconds.push(seconds);
                cost.debug_cpu_seconds.push(cpu);
                cost.compiled_packages.get_or_insert(compiled);
                remove(&target);
            }
            let target = scratch.join(format!("{program}-release"));
            let (seconds, cpu, compiled) = timed_build(&dir, &target, true)?;
            eprintln!(
                "[build] {program} release, round {}: {seconds:.1} s ({cpu:.1} CPU s)",
                round + 1
            );
            cost.release_seconds.push(seconds);
            cost.release_cpu_seconds.push(cpu);
            cost.compiled_packages.get_or_insert(compiled);
            let binary = target.join("release").join(program);
            cost.binary_bytes = size(&binary)?;
            let stripped = scratch.join(format!("{program}.stripped"));
            std::fs::copy(&binary, &stripped).map_err(|e| format!("copy {program}: {e}"))?;
            cost.stripped_bytes = Command::new("strip")
                .arg(&stripped)
                .status()
                .ok()
                .filter(|s| s.success())
                .and_then(|_| size(&stripped).ok());
            cost.smoke = smoke(&binary, server);
            remove(&target);
        }
    }

    let lean = &costs["lean"];
    let official = &costs["official"];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Build cost of a minimal \"meter one usage record\" program\n\n`benches/compare/minimal-lean` and `minimal-official`, each its own workspace; clean builds with a fresh `CARGO_TARGET_DIR`, sources already fetched, `CARGO_INCREMENTAL=0`, default `dev` and `release` profiles; {} round(s), medians. Wall time is the target's measure; CPU time (user + system of cargo, rustc, build scripts, cc and the linker, from `getrusage(RUSAGE_CHILDREN)`) is less disturbed by other load on the machine.\n",
        options.build_rounds
    );
    out.push_str(
        "| | lean | official | lean ÷ official | target |\n| --- | ---: | ---: | ---: | --- |\n",
    );
    let row = |out: &mut String, what: &str, l: f64, o: f64, digits: usize, target: Option<f64>| {
        let ratio = l / o;
        let verdict = match target {
            Some(t) if ratio <= t => format!("≤ {t}×: met ({ratio:.3}×)"),
            Some(t) => format!("≤ {t}×: missed ({ratio:.3}×)"),
            None => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {what} | {l:.digits$} | {o:.digits$} | {ratio:.2}× | {verdict} |"
        );
    };
    row(
        &mut out,
        "packages in Cargo.lock",
        lean.lock_packages as f64,
        official.lock_packages as f64,
        0,
        Some(0.6),
    );
    if let (Some(l), Some(o)) = (lean.compiled_packages, official.compiled_packages) {
        row(
            &mut out,
            "packages compiled (this platform)",
            l as f64,
            o as f64,
            0,
            None,
        );
    }
    if options.debug {
        row(
            &mut out,
            "clean debug build, wall s",
            median(lean.debug_seconds.clone()),
            median(official.debug_seconds.clone()),
            1,
            None,
        );
        row(
            &mut out,
            "clean debug build, CPU s",
            median(lean.debug_cpu_seconds.clone()),
            median(official.debug_cpu_seconds.clone()),
            1,
            None,
        );
    }
    row(
        &mut out,
        "clean release build, wall s",
        median(lean.release_seconds.clone()),
        median(official.release_seconds.clone()),
        1,
        Some(0.4),
    );
    row(
        &mut out,
        "clean release build, CPU s",
        median(lean.release_cpu_seconds.clone()),
        median(official.release_cpu_seconds.clone()),
        1,
        None,
    );
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    row(
        &mut out,
        "release binary, MiB",
        mib(lean.binary_bytes),
        mib(official.binary_bytes),
        2,
        None,
    );
    if let (Some(l), Some(o)) = (lean.stripped_bytes, official.stripped_bytes) {
        row(
            &mut out,
            "stripped release binary, MiB",
            mib(l),
            mib(o),
            2,
            Some(0.4),
        );
    }
    let _ = writeln!(
        out,
        "| one MeterUsage against the local server | {} | {} | | |",
        lean.smoke, official.smoke
    );
    Ok(out)
}

/// A clean build of the program in `dir` into `target`: wall seconds, CPU seconds (user +
/// system of cargo, rustc, build scripts, the C compiler and the linker) and how many packages
/// were compiled.
fn timed_build(dir: &Path, target: &Path, release: bool) -> Result<(f64, f64, usize), String> {
    remove(target);
    let mut args = vec!["build", "--locked", "--offline"];
    if release {
        args.push("--release");
    }
    let cpu_start = bench_common::children_cpu_time();
    let start = Instant::now();
    let stderr = cargo(dir, &args, Some(target))?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = (bench_common::children_cpu_time() - cpu_start).as_secs_f64();
    let compiled = stderr
        .lines()
        .filter(|line| line.trim_start().starts_with("Compiling "))
        .count();
    Ok((seconds, cpu, compiled))
}

/// Runs cargo in `dir`; returns its stderr.
fn cargo(dir: &Path, args: &[&str], target: Option<&Path>) -> Result<String, String> {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_RUSTC_WRAPPER");
    match target {
        Some(target) => command.env("CARGO_TARGET_DIR", target),
        None => command.env_remove("CARGO_TARGET_DIR"),
    };
    let output = command
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!(
            "`cargo {}` in {} failed:\n{stderr}",
            args.join(" "),
            dir.display()
        ));
    }
    Ok(stderr)
}

/// Runs a minimal program once against the bench server, configured by the environment.
fn smoke(binary: &Path, server: &Server) -> String {
    let child = clean_aws_env(&mut Command::new(binary))
        .env("AWS_ACCESS_KEY_ID", bench_common::fixtures::ACCESS_KEY_ID)
        .env(
            "AWS_SECRET_ACCESS_KEY",
            bench_common::fixtures::SECRET_ACCESS_KEY,
        )
        .env("AWS_REGION", bench_common::fixtures::REGION)
        .env("AWS_ENDPOINT_URL", &server.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => return format!("cannot run: {error}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return "timed out".into();
            }
        }
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            if text.contains("metering record") {
                "ok".into()
            } else {
                format!("unexpected output {:?}", text.trim())
            }
        }
        Ok(out) => format!(
            "failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .trim()
                .replace('\n', " ")
        ),
        Err(error) => format!("failed: {error}"),
    }
}

fn size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}
