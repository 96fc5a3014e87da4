//! The child process of the crash test (tests/crash.rs): meters through an
//! [`HourlyMeterer`] against the simulator the test runs, printing what it was told, and can
//! be made to stop dead at a chosen step so the test kills it there with SIGKILL.
//!
//! Configured by environment variables (all set by the test):
//! - `CRASH_JOURNAL`: the journal file; `CRASH_ENDPOINT`: the simulator's URL;
//! - `CRASH_CLOCK`: `real_ms,fake_secs,speed`: the fake clock shared with the simulator, at
//!   `fake_secs` when the real clock was at `real_ms` and running `speed` times as fast;
//! - `CRASH_MODE`: `run` (record usage and flush, in a loop) or `drain` (record nothing; flush
//!   until every hour with usage is confirmed, then exit 0);
//! - `CRASH_STOP_AT`: `Kind:n` (optional), e.g. `AfterSend:2`: at the `n`th step of that kind,
//!   print `STOPPED Kind` and wait, without going on, for the test to kill the process.
//!
//! Output lines: `ACK <hour> <dimension> <quantity>` once `record` returned,
//! `HOUR <hour> <dimension> <quantity> <status>` per hour a flush sent, `STOPPED <kind>`,
//! `DRAINED`.

use marketplace_metering::config::RetryConfig;
use marketplace_metering::{Client, Config, Credentials};
use marketplace_metering_toolkit::hourly::{HourStatus, HourlyMeterer, Quantity, Step};
use std::io::{BufRead as _, Write as _};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("crash child: {name} is not set");
        std::process::exit(2)
    })
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn step_kind(step: &Step<'_>) -> &'static str {
    match step {
        Step::UsageAccepted { .. } => "UsageAccepted",
        Step::HourClosed { .. } => "HourClosed",
        Step::BeforeSend { .. } => "BeforeSend",
        Step::AfterSend { .. } => "AfterSend",
        Step::Confirmed { .. } => "Confirmed",
        Step::Compacted => "Compacted",
        _ => "Other",
    }
}

fn main() {
    let clock: Vec<f64> = var("CRASH_CLOCK")
        .split(',')
        .map(|part| part.parse().unwrap_or(0.0))
        .collect();
    let (real_ms, fake_secs, speed) = (clock[0], clock[1], clock[2]);
    let fake_clock = move || {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        let fake = fake_secs + (real - real_ms) / 1000.0 * speed;
        UNIX_EPOCH + Duration::from_secs_f64(fake.max(0.0))
    };
    let drain = var("CRASH_MODE") == "drain";
    let stop_at = std::env::var("CRASH_STOP_AT").ok().and_then(|spec| {
        let (kind, n) = spec.split_once(':')?;
        Some((kind.to_owned(), n.parse::<u32>().ok()?))
    });
    let seen = Arc::new(AtomicU32::new(0));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| {
            eprintln!("crash child: no runtime: {error}");
            std::process::exit(2)
        });
    let client = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .endpoint_url(var("CRASH_ENDPOINT"))
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .attempt_timeout(Duration::from_secs(2))
            .build(),
    );
    let mut at = HourlyMeterer::at(var("CRASH_JOURNAL")).clock(fake_clock);
    if let Some((kind, n)) = stop_at {
        at = at.on_step(move |step| {
            if step_kind(&step) == kind && seen.fetch_add(1, Ordering::SeqCst) + 1 == n {
                say(&format!("STOPPED {kind}"));
                // Wait to be killed: never go on past this step.
                let mut line = String::new();
                loop {
                    line.clear();
                    if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
                        std::thread::sleep(Duration::from_secs(3600));
                    }
                }
            }
        });
    }
    let meterer = at.open(client, "prod-ami").unwrap_or_else(|error| {
        say(&format!("ERROR {error}"));
        std::process::exit(3)
    });

    runtime.block_on(async {
        for iteration in 0u64..100_000 {
            if !drain {
                // Whole numbers for `cpu`, decimals for `mem`.
                let (dimension, quantity) = if iteration % 2 == 0 {
                    ("cpu", Quantity::from(1 + (iteration % 3) as u32))
                } else {
                    (
                        "mem",
                        ["0.5", "1.25", "0.000001"][(iteration % 3) as usize]
                            .parse()
                            .unwrap_or_default(),
                    )
                };
                match meterer.record(dimension, quantity) {
                    Ok(hour) => say(&format!("ACK {} {dimension} {quantity}", secs(hour))),
                    Err(error) => say(&format!("ERROR {error}")),
                }
            }
            if drain || iteration % 4 == 0 {
                match meterer.flush().await {
                    Ok(report) => {
                        for hour in report.hours() {
                            let status = match hour.status() {
                                HourStatus::Confirmed { .. } => "confirmed".to_owned(),
                                HourStatus::Pending(error) => format!("pending {error}"),
                                HourStatus::Rejected(error) => format!("rejected {error}"),
                                _ => "other".to_owned(),
                            };
                            say(&format!(
                                "HOUR {} {} {} {status}",
                                secs(hour.hour()),
                                hour.dimension(),
                                hour.quantity()
                            ));
                        }
                    }
                    Err(error) => say(&format!("ERROR {error}")),
                }
            }
            if drain && meterer.open_usage().is_empty() && meterer.unconfirmed().is_empty() {
                say("DRAINED");
                return;
            }
            tokio::time::sleep(Duration::from_millis(if drain { 20 } else { 3 })).await;
        }
    });
}
