//! The crash test of the hourly meterer: a child process (tests/bin/crash_child.rs) meters
//! against the simulator running here and is killed with SIGKILL at randomized points, at
//! every step (after accepting usage, after closing an hour, before sending, after sending
//! but before the journal is updated, after confirming, after compacting) and at random
//! times; restarted each time on the same journal, which now and then is left with a torn last
//! line as a crash in the middle of an append would leave it. In the end every hour with usage is billed
//! exactly once, with the usage the child acknowledged (plus, at most, the one record each
//! killed child had on disk but had not acknowledged yet). `cpu` is metered in whole numbers,
//! `mem` in decimals.
//!
//! A fake clock shared by the child and the simulator makes an hour pass in 400 ms (the
//! service's 6-hour window is then 2.4 s: room for a loaded machine to restart a child). The
//! number of kills is `CRASH_KILLS` (default 100); the seed is printed and can be set with
//! `CRASH_SEED`.

use marketplace_metering_simulator::{Product, ProductKind, Simulator};
use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Real milliseconds per fake hour.
const HOUR_MS: f64 = 400.0;
/// The fake clock starts at 2026-12-02T08:00:00Z.
const FAKE_START: f64 = 1_796_198_400.0;
/// How long a child may run before it is killed, when it does not stop at its step first.
const MAX_LIFETIME: Duration = Duration::from_millis(700);
/// The steps a child can be told to stop at.
const STEPS: [&str; 6] = [
    "UsageAccepted",
    "HourClosed",
    "BeforeSend",
    "AfterSend",
    "Confirmed",
    "Compacted",
];

/// xorshift64*: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn micros(quantity: f64) -> u64 {
    (quantity * 1e6).round() as u64
}

fn real_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

struct Run {
    journal: std::path::PathBuf,
    endpoint: String,
    clock: String,
}

impl Run {
    /// Starts a child; its stdout lines arrive on the returned channel.
    fn spawn(&self, mode: &str, stop_at: Option<&str>) -> (Child, mpsc::Receiver<String>) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_toolkit-crash-child"));
        command
            .env("CRASH_JOURNAL", &self.journal)
            .env("CRASH_ENDPOINT", &self.endpoint)
            .env("CRASH_CLOCK", &self.clock)
            .env("CRASH_MODE", mode)
            .env_remove("CRASH_STOP_AT")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(stop_at) = stop_at {
            command.env("CRASH_STOP_AT", stop_at);
        }
        let mut child = command.spawn().expect("the crash child starts");
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        (child, receive)
    }
}

/// What the children said.
#[derive(Default)]
struct Seen {
    /// Acknowledged usage per (dimension, hour), in millionths.
    acked: BTreeMap<(String, u64), u64>,
    problems: Vec<String>,
}

impl Seen {
    fn take(&mut self, line: &str) {
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["ACK", hour, dimension, quantity] => {
                *self
                    .acked
                    .entry((dimension.to_string(), hour.parse().unwrap()))
                    .or_default() += micros(quantity.parse().unwrap());
            }
            ["HOUR", _, _, _, "confirmed"] | ["STOPPED", _] | ["DRAINED"] => {}
            // Pending hours are retried (a child killed while the service was answering).
            ["HOUR", _, _, _, "pending", ..] => {}
            _ => self.problems.push(line.to_owned()),
        }
    }
}

#[test]
fn each_hour_is_billed_exactly_once_across_sigkills() {
    let kills: usize = std::env::var("CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
        | 1;
    println!("crash test: {kills} kills, CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let start_ms = real_ms();
    let speed = 3_600_000.0 / HOUR_MS;
    let fake_clock = move || {
        let fake = FAKE_START + 60.0 + (real_ms() - start_ms) / 1000.0 * speed;
        UNIX_EPOCH + Duration::from_secs_f64(fake)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = runtime
        .block_on(
            Simulator::builder()
                .product(Product::new("prod-ami", ProductKind::Ami).dimensions(["cpu", "mem"]))
                .access_key("AKID", "SECRET")
                .clock(fake_clock)
                .start(),
        )
        .expect("the simulator starts");

    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crash");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = Run {
        journal: dir.join("metering.journal"),
        endpoint: sim.endpoint_url(),
        clock: format!("{start_ms},{},{speed}", FAKE_START + 60.0),
    };

    let began = Instant::now();
    let mut seen = Seen::default();
    let mut stops: BTreeMap<String, usize> = BTreeMap::new();
    let mut torn_tails = 0;
    for _ in 0..kills {
        // Three in four children stop at a chosen step; the others die at a random time.
        let plan = rng.below(8);
        let stop_at = (plan < 6).then(|| format!("{}:{}", STEPS[plan as usize], 1 + rng.below(2)));
        let lifetime = match &stop_at {
            Some(_) => MAX_LIFETIME,
            None => Duration::from_millis(5 + rng.below(400)),
        };
        let (mut child, lines) = run.spawn("run", stop_at.as_deref());
        let deadline = Instant::now() + lifetime;
        let mut stopped = None;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(kind) = line.strip_prefix("STOPPED ") {
                        stopped = Some(kind.to_owned());
                        seen.take(&line);
                        break;
                    }
                    seen.take(&line);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    seen.problems.push("a child ended by itself".into());
                    break;
                }
            }
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        // What it printed before it died.
        while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
            seen.take(&line);
        }
        let point = stopped.unwrap_or_else(|| "random time".into());
        *stops.entry(point).or_default() += 1;
        // One time in eight, a torn last line as a crash in the middle of an append leaves it
        // (never acknowledged): the next child must drop it and go on.
        if rng.below(8) == 0 && run.journal.exists() {
            let torn = r#"1f2e3d4c {"usage":{"dim":"cpu","hour":1796198400,"qty":"#;
            let cut = 1 + rng.below(torn.len() as u64 - 1) as usize;
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&run.journal)
                .unwrap();
            std::io::Write::write_all(&mut file, &torn.as_bytes()[..cut]).unwrap();
            torn_tails += 1;
        }
    }

    // A last child that records nothing and reports every hour left.
    let (mut child, lines) = run.spawn("drain", None);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut drained = false;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match lines.recv_timeout(left) {
            Ok(line) => {
                drained |= line == "DRAINED";
                seen.take(&line);
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    child.wait().unwrap();
    let elapsed = began.elapsed();
    println!("crash test: {kills} kills in {elapsed:?}: {stops:?}; {torn_tails} torn tails");
    assert!(drained, "the last child did not report every hour");
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    for step in STEPS {
        assert!(stops.contains_key(step), "no kill at {step}: {stops:?}");
    }

    // Each hour with usage billed exactly once, with at least the acknowledged usage; what
    // was billed beyond it is the record each killed child had on disk and had not
    // acknowledged, at most one per child of at most 3.
    let mut billed: BTreeMap<(String, u64), Vec<u64>> = BTreeMap::new();
    for record in sim.records() {
        assert_eq!(record.product_code, "prod-ami");
        let hour = record.hour.duration_since(UNIX_EPOCH).unwrap().as_secs();
        billed
            .entry((record.dimension.clone(), hour))
            .or_default()
            .push(micros(record.quantity));
    }
    let mut unacknowledged = 0;
    for (key, quantities) in &billed {
        assert_eq!(quantities.len(), 1, "{key:?} billed {quantities:?}");
        let acked = seen.acked.get(key).copied().unwrap_or(0);
        assert!(
            quantities[0] >= acked,
            "{key:?}: billed {} < acknowledged {acked}",
            quantities[0]
        );
        unacknowledged += quantities[0] - acked;
    }
    for key in seen.acked.keys() {
        assert!(
            billed.contains_key(key),
            "{key:?} acknowledged, never billed"
        );
    }
    assert!(
        unacknowledged <= 3_000_000 * kills as u64,
        "{unacknowledged} billed beyond what was acknowledged"
    );
    println!(
        "crash test: {} hours billed once each, {unacknowledged} millionths of unacknowledged usage billed",
        billed.len()
    );
    assert!(billed.len() >= 20, "only {} hours billed", billed.len());
    runtime.block_on(sim.shutdown());
}
