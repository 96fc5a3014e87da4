//! What the compare binaries share: the operations, the clients' command line, CPU time from
//! `getrusage`, the fixed request and response bodies, and the `RESULT` line the runner reads.

pub mod fixtures;

use std::future::Future;
use std::time::{Duration, Instant};

/// The operations a client can call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    MeterUsage,
    BatchMeterUsage,
    ResolveCustomer,
    RegisterUsage,
}

impl Op {
    /// Every operation, in the order the runner reports them.
    pub const ALL: [Op; 4] = [
        Op::MeterUsage,
        Op::BatchMeterUsage,
        Op::ResolveCustomer,
        Op::RegisterUsage,
    ];

    /// The model's name, as in `X-Amz-Target`.
    pub fn name(self) -> &'static str {
        match self {
            Op::MeterUsage => "MeterUsage",
            Op::BatchMeterUsage => "BatchMeterUsage",
            Op::ResolveCustomer => "ResolveCustomer",
            Op::RegisterUsage => "RegisterUsage",
        }
    }

    /// `MeterUsage`, `meter-usage` or `meter_usage`, in any case.
    pub fn parse(text: &str) -> Option<Op> {
        let wanted: String = text
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        Op::ALL
            .into_iter()
            .find(|op| op.name().to_ascii_lowercase() == wanted)
    }

    /// The operation an `X-Amz-Target` value names.
    pub fn from_target(target: &str) -> Option<Op> {
        let name = target
            .strip_prefix(fixtures::TARGET_PREFIX)?
            .strip_prefix('.')?;
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// A client binary's command line.
#[derive(Clone, Debug)]
pub struct ClientArgs {
    /// The server, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    pub op: Op,
    /// Measured calls.
    pub calls: u32,
    /// Calls made before measuring: connection set-up, lazy initialisation, caches.
    pub warmup: u32,
}

/// The usage line of every client binary.
pub const CLIENT_USAGE: &str =
    "--url http://127.0.0.1:PORT [--op MeterUsage|BatchMeterUsage|ResolveCustomer|RegisterUsage] [--calls N] [--warmup N]";

impl ClientArgs {
    /// Reads the process arguments; exits with the usage on a bad one.
    pub fn from_process() -> ClientArgs {
        let program = std::env::args().next().unwrap_or_else(|| "client".into());
        match ClientArgs::parse(std::env::args().skip(1)) {
            Ok(args) => args,
            Err(problem) => {
                eprintln!("{program}: {problem}\nusage: {program} {CLIENT_USAGE}");
                std::process::exit(2);
            }
        }
    }

    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<ClientArgs, String> {
        let mut url = None;
        let mut op = Op::MeterUsage;
        let mut calls = 5000;
        let mut warmup = 500;
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--url" => url = Some(value()?),
                "--op" => {
                    let text = value()?;
                    op = Op::parse(&text).ok_or_else(|| format!("unknown operation `{text}`"))?;
                }
                "--calls" => calls = number(&flag, &value()?)?,
                "--warmup" => warmup = number(&flag, &value()?)?,
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        let url = url.ok_or("--url is required")?;
        if calls == 0 {
            return Err("--calls must be at least 1".into());
        }
        Ok(ClientArgs {
            url,
            op,
            calls,
            warmup,
        })
    }
}

/// Parses a flag's number.
pub fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: `{text}` is not a number"))
}

/// CPU time this process has used so far, user + system, all threads
/// (`getrusage(RUSAGE_SELF)`).
pub fn cpu_time() -> Duration {
    let usage = rusage();
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// CPU time, user + system, of this process's children that have ended and been waited for,
/// and of their waited-for descendants (`getrusage(RUSAGE_CHILDREN)`): what a `cargo build`
/// run from here cost, rustc and the linker included.
pub fn children_cpu_time() -> Duration {
    let usage = rusage_of(libc::RUSAGE_CHILDREN);
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// The process's peak resident set, in KiB.
pub fn max_rss_kib() -> u64 {
    u64::try_from(rusage().ru_maxrss).unwrap_or(0)
}

fn rusage() -> libc::rusage {
    rusage_of(libc::RUSAGE_SELF)
}

fn rusage_of(who: libc::c_int) -> libc::rusage {
    // SAFETY: getrusage only writes the struct we pass; all-zero is a valid `rusage`.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let rc = libc::getrusage(who, &mut usage);
        assert_eq!(rc, 0, "getrusage failed");
        usage
    }
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec as u64) + Duration::from_micros(tv.tv_usec as u64)
}

/// One client run: what the runner reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub client: String,
    pub op: Op,
    pub calls: u32,
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
}

impl Measurement {
    pub fn calls_per_second(&self) -> f64 {
        f64::from(self.calls) / self.wall.as_secs_f64()
    }

    pub fn wall_us_per_call(&self) -> f64 {
        self.wall.as_secs_f64() * 1e6 / f64::from(self.calls)
    }

    pub fn cpu_us_per_call(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / f64::from(self.calls)
    }

    /// The line the runner parses.
    pub fn result_line(&self) -> String {
        format!(
            "RESULT client={} op={} calls={} wall_ns={} cpu_ns={} max_rss_kib={}",
            self.client,
            self.op.name(),
            self.calls,
            self.wall.as_nanos(),
            self.cpu.as_nanos(),
            self.max_rss_kib
        )
    }

    /// Reads a [`Measurement::result_line`].
    pub fn parse_result_line(line: &str) -> Option<Measurement> {
        let rest = line.trim().strip_prefix("RESULT ")?;
        let field = |name: &str| {
            rest.split(' ')
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        };
        let nanos = |name: &str| -> Option<Duration> {
            Some(Duration::from_nanos(field(name)?.parse().ok()?))
        };
        Some(Measurement {
            client: field("client")?.to_owned(),
            op: Op::parse(field("op")?)?,
            calls: field("calls")?.parse().ok()?,
            wall: nanos("wall_ns")?,
            cpu: nanos("cpu_ns")?,
            max_rss_kib: field("max_rss_kib")?.parse().ok()?,
        })
    }

    /// Prints a human line to stderr and the result line to stdout.
    pub fn report(&self) {
        eprintln!(
            "{:>8} {:<16} {:>9.0} calls/s {:>8.1} µs/call {:>8.1} CPU µs/call",
            self.client,
            self.op.name(),
            self.calls_per_second(),
            self.wall_us_per_call(),
            self.cpu_us_per_call()
        );
        println!("{}", self.result_line());
    }
}

/// Makes `args.warmup` calls, then measures `args.calls` more: wall time and this process's
/// CPU time. Each call panics on failure, so a broken client cannot report a time.
pub async fn measure<F, Fut>(client: &str, args: &ClientArgs, mut call: F) -> Measurement
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    for _ in 0..args.warmup {
        call().await;
    }
    let cpu_start = cpu_time();
    let start = Instant::now();
    for _ in 0..args.calls {
        call().await;
    }
    let wall = start.elapsed();
    let cpu = cpu_time() - cpu_start;
    Measurement {
        client: client.to_owned(),
        op: args.op,
        calls: args.calls,
        wall,
        cpu,
        max_rss_kib: max_rss_kib(),
    }
}

/// [`measure`] for a blocking client.
pub fn measure_blocking(client: &str, args: &ClientArgs, mut call: impl FnMut()) -> Measurement {
    for _ in 0..args.warmup {
        call();
    }
    let cpu_start = cpu_time();
    let start = Instant::now();
    for _ in 0..args.calls {
        call();
    }
    let wall = start.elapsed();
    let cpu = cpu_time() - cpu_start;
    Measurement {
        client: client.to_owned(),
        op: args.op,
        calls: args.calls,
        wall,
        cpu,
        max_rss_kib: max_rss_kib(),
    }
}

/// `host:port` of an `http://host:port[/]` URL.
pub fn authority(url: &str) -> Result<&str, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("`{url}` is not an http:// URL"))?;
    Ok(rest.split('/').next().unwrap_or(rest))
}

/// Seconds since the Unix epoch, now.
pub fn epoch_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_round_trip() {
        let m = Measurement {
            client: "lean".into(),
            op: Op::BatchMeterUsage,
            calls: 10,
            wall: Duration::from_nanos(123_456),
            cpu: Duration::from_nanos(7_890),
            max_rss_kib: 4242,
        };
        assert_eq!(Measurement::parse_result_line(&m.result_line()), Some(m));
    }

    #[test]
    fn operations_parse_in_any_spelling() {
        assert_eq!(Op::parse("meter-usage"), Some(Op::MeterUsage));
        assert_eq!(Op::parse("BatchMeterUsage"), Some(Op::BatchMeterUsage));
        assert_eq!(Op::parse("resolve_customer"), Some(Op::ResolveCustomer));
        assert_eq!(
            Op::from_target("AWSMPMeteringService.RegisterUsage"),
            Some(Op::RegisterUsage)
        );
        assert_eq!(Op::parse("nope"), None);
    }
}
