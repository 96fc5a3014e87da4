//! The hourly meterer and its journal, against a fake service and a clock the test moves.

mod common;

use common::{error, Fake};
use marketplace_metering_toolkit::hourly::{
    client_token, HourStatus, HourlyError, HourlyMeterer, Quantity,
};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-12-02T08:00:00Z.
const H0: i64 = 1_796_198_400;

/// A fresh directory for one test's journal.
fn journal(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("hourly-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("metering.journal")
}

/// A clock at `H0 + offset` seconds, moved by the test.
#[derive(Clone)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn new() -> Self {
        TestClock(Arc::new(AtomicI64::new(H0 + 60)))
    }
    fn set(&self, secs: i64) {
        self.0.store(secs, Ordering::SeqCst);
    }
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::SeqCst) as u64)
    }
}

fn open(path: &PathBuf, fake: &Fake, clock: &TestClock) -> HourlyMeterer {
    let clock = clock.clone();
    HourlyMeterer::at(path)
        .clock(move || clock.now())
        .open(fake.client(), "prod-ami")
        .unwrap()
}

fn ok_fake() -> Fake {
    Fake::new(|n, op, _| {
        assert_eq!(op, "MeterUsage");
        (200, json!({"MeteringRecordId": format!("mr-{n}")}))
    })
}

fn sent(fake: &Fake) -> Vec<Value> {
    fake.calls().into_iter().map(|c| c.body).collect()
}

#[tokio::test]
async fn each_ended_hour_is_sent_once_per_dimension() {
    let path = journal("once");
    let fake = ok_fake();
    let clock = TestClock::new();
    let meterer = open(&path, &fake, &clock);
    meterer.record("cpu", 2).unwrap();
    meterer.record("cpu", 3).unwrap();
    meterer.record("mem", 7).unwrap();
    // One meterer per journal in a process.
    assert!(matches!(
        HourlyMeterer::at(&path).open(fake.client(), "prod-ami"),
        Err(HourlyError::InUse { .. })
    ));
    // The hour has not ended: nothing to send.
    assert_eq!(meterer.flush().await.unwrap().hours().len(), 0);
    clock.set(H0 + 3600 + 5);
    meterer.record("cpu", 1).unwrap(); // the next hour
    let report = meterer.flush().await.unwrap();
    assert_eq!(report.hours().len(), 2);
    assert!(report.not_confirmed().next().is_none());
    let calls = sent(&fake);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["UsageDimension"], "cpu");
    assert_eq!(calls[0]["UsageQuantityAsDecimal"], "5");
    assert_eq!(calls[0]["Timestamp"], json!(H0 + 3599));
    assert_eq!(calls[0]["ProductCode"], "prod-ami");
    assert_eq!(
        calls[0]["ClientToken"],
        json!(client_token("prod-ami", "cpu", H0, Quantity::from(5), &[]))
    );
    assert!(calls[0].get("UsageAllocations").is_none());
    assert_eq!(calls[1]["UsageDimension"], "mem");
    assert_eq!(calls[1]["UsageQuantityAsDecimal"], "7");
    // Sent once: the next flush of the same hour sends nothing.
    assert_eq!(meterer.flush().await.unwrap().hours().len(), 0);
    assert_eq!(fake.calls().len(), 2);
    assert_eq!(
        meterer.open_usage(),
        [(H0 + 3600, "cpu".to_owned(), Quantity::from(1))]
    );

    // Once everything is confirmed, the journal goes away.
    clock.set(H0 + 2 * 3600);
    meterer.flush().await.unwrap();
    assert_eq!(fake.calls().len(), 3);
    assert!(!path.exists());
}

#[tokio::test]
async fn tagged_usage_is_sent_as_allocations() {
    let path = journal("tags");
    let fake = ok_fake();
    let clock = TestClock::new();
    let meterer = open(&path, &fake, &clock);
    meterer
        .record_tagged("cpu", 2, [("team", "a"), ("env", "prod")])
        .unwrap();
    meterer
        .record_tagged("cpu", 3, [("env", "prod"), ("team", "a")])
        .unwrap();
    meterer.record_tagged("cpu", 4, [("team", "b")]).unwrap();
    meterer.record("cpu", 1).unwrap();
    clock.set(H0 + 3600);
    meterer.flush().await.unwrap();
    let call = &sent(&fake)[0];
    assert_eq!(call["UsageQuantityAsDecimal"], "10");
    assert_eq!(
        call["UsageAllocations"],
        json!([
            {"AllocatedUsageQuantityAsDecimal": "1"},
            {"AllocatedUsageQuantityAsDecimal": "5", "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}]},
            {"AllocatedUsageQuantityAsDecimal": "4", "Tags": [{"Key": "team", "Value": "b"}]}
        ])
    );
}

#[tokio::test]
async fn usage_survives_a_restart_and_failed_hours_are_resent_with_the_same_token() {
    let path = journal("restart");
    let clock = TestClock::new();
    let down = Fake::new(|_, _, _| error(500, "InternalServiceErrorException"));
    {
        let meterer = open(&path, &down, &clock);
        meterer.record("cpu", 4).unwrap();
        meterer.record("cpu", 5).unwrap();
    }
    // Restarted: the usage is still there.
    let meterer = open(&path, &down, &clock);
    assert_eq!(
        meterer.open_usage(),
        [(H0, "cpu".to_owned(), Quantity::from(9))]
    );
    clock.set(H0 + 3600);
    let report = meterer.flush().await.unwrap();
    assert!(matches!(report.hours()[0].status(), HourStatus::Pending(_)));
    drop(meterer);

    // Restarted again, the service back: the closed hour goes with the token it had.
    let fake = ok_fake();
    let meterer = open(&path, &fake, &clock);
    assert_eq!(
        meterer.unconfirmed(),
        [(H0, "cpu".to_owned(), Quantity::from(9))]
    );
    let report = meterer.flush().await.unwrap();
    assert!(matches!(
        report.hours()[0].status(),
        HourStatus::Confirmed { metering_record_id: Some(id) } if id == "mr-0"
    ));
    assert_eq!(sent(&down)[0]["ClientToken"], sent(&fake)[0]["ClientToken"]);
    assert!(meterer.unconfirmed().is_empty());
    assert!(!path.exists());
}

#[tokio::test]
async fn a_refused_hour_is_reported_and_not_sent_again() {
    let path = journal("refused");
    let clock = TestClock::new();
    let fake = Fake::new(|_, _, _| error(400, "DuplicateRequestException"));
    let meterer = open(&path, &fake, &clock);
    meterer.record("cpu", 4).unwrap();
    clock.set(H0 + 3600);
    let report = meterer.flush().await.unwrap();
    assert!(
        matches!(report.hours()[0].status(), HourStatus::Rejected(e) if e.code() == Some("DuplicateRequestException"))
    );
    assert_eq!(meterer.flush().await.unwrap().hours().len(), 0);
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test]
async fn usage_after_the_clock_went_back_never_changes_a_closed_hour() {
    let path = journal("clock-back");
    let fake = ok_fake();
    let clock = TestClock::new();
    let meterer = open(&path, &fake, &clock);
    meterer.record("cpu", 1).unwrap();
    clock.set(H0 + 3600 + 10);
    meterer.flush().await.unwrap();
    clock.set(H0 + 30); // back into the hour already sent
    meterer.record("cpu", 2).unwrap();
    assert_eq!(
        meterer.open_usage(),
        [(H0 + 3600, "cpu".to_owned(), Quantity::from(2))]
    );
    drop(meterer);
    let meterer = open(&path, &fake, &clock);
    meterer.record("cpu", 2).unwrap();
    assert_eq!(
        meterer.open_usage(),
        [(H0 + 3600, "cpu".to_owned(), Quantity::from(4))]
    );
}

#[tokio::test]
async fn a_torn_last_line_is_dropped_and_other_damage_is_an_error() {
    let path = journal("torn");
    let fake = ok_fake();
    let clock = TestClock::new();
    {
        let meterer = open(&path, &fake, &clock);
        meterer.record("cpu", 1).unwrap();
        meterer.record("cpu", 2).unwrap();
    }
    let good = std::fs::read(&path).unwrap();

    // A crash in the middle of an append: the line has no newline. Dropped, file cut back.
    let mut torn = good.clone();
    torn.extend_from_slice(br#"0badf00d {"usage":{"dim":"cpu","ho"#);
    std::fs::write(&path, &torn).unwrap();
    let meterer = open(&path, &fake, &clock);
    assert_eq!(
        meterer.open_usage(),
        [(H0, "cpu".to_owned(), Quantity::from(3))]
    );
    assert_eq!(std::fs::read(&path).unwrap(), good);
    meterer.record("cpu", 4).unwrap();
    drop(meterer);
    assert_eq!(
        open(&path, &fake, &clock).open_usage(),
        [(H0, "cpu".to_owned(), Quantity::from(7))]
    );

    // A complete line that is damaged: an error naming the file and the line.
    let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    let damaged = text.replacen("\"qty\":2", "\"qty\":9", 1);
    std::fs::write(&path, &damaged).unwrap();
    let clock2 = clock.clone();
    let error = HourlyMeterer::at(&path)
        .clock(move || clock2.now())
        .open(fake.client(), "prod-ami")
        .unwrap_err();
    assert!(
        matches!(&error, HourlyError::CorruptJournal { line: 3, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("metering.journal:3"), "{message}");
    assert!(message.contains("checksum"), "{message}");

    // Garbage with a newline is not a torn line either.
    let mut garbage = good.clone();
    garbage.extend_from_slice(b"not a line\n");
    std::fs::write(&path, &garbage).unwrap();
    assert!(matches!(
        HourlyMeterer::at(&path).open(fake.client(), "prod-ami"),
        Err(HourlyError::CorruptJournal { line: 4, .. })
    ));

    // A crash right after the file was created, or while its first line was written.
    for start in [&b""[..], &good[..20]] {
        std::fs::write(&path, start).unwrap();
        let meterer = open(&path, &fake, &clock);
        assert!(meterer.open_usage().is_empty());
        meterer.record("cpu", 1).unwrap();
        drop(meterer);
        assert_eq!(
            open(&path, &fake, &clock).open_usage(),
            [(H0, "cpu".to_owned(), Quantity::from(1))]
        );
    }

    // A blank line is damage too.
    let mut blank = good.clone();
    blank.extend_from_slice(b"\n");
    std::fs::write(&path, &blank).unwrap();
    assert!(matches!(
        HourlyMeterer::at(&path).open(fake.client(), "prod-ami"),
        Err(HourlyError::CorruptJournal { line: 4, .. })
    ));

    // Another product's journal.
    std::fs::write(&path, &good).unwrap();
    assert!(matches!(
        HourlyMeterer::at(&path).open(fake.client(), "prod-other"),
        Err(HourlyError::OtherProduct { product_code, .. }) if product_code == "prod-ami"
    ));
}

#[tokio::test]
async fn invalid_usage_is_refused_before_it_is_written() {
    let path = journal("invalid");
    let fake = ok_fake();
    let clock = TestClock::new();
    let meterer = open(&path, &fake, &clock);
    let six: Vec<(String, String)> = (0..6).map(|i| (format!("k{i}"), "v".into())).collect();
    for result in [
        meterer.record("", 1),
        meterer.record(&"d".repeat(256), 1),
        meterer.record_tagged("cpu", 1, six),
        meterer.record_tagged("cpu", 1, [("a", "x"), ("a", "y")]),
        meterer.record_tagged("cpu", 1, [("bad\u{7}key", "x")]),
        meterer.record_tagged("cpu", 1, [("key", "")]),
    ] {
        assert!(
            matches!(result, Err(HourlyError::InvalidUsage(_))),
            "{result:?}"
        );
    }
    // A clock gone wild is refused, not written down.
    let wild = HourlyMeterer::at(journal("wild"))
        .clock(|| UNIX_EPOCH + Duration::from_secs(300_000_000_000))
        .open(fake.client(), "prod-ami")
        .unwrap();
    assert!(matches!(
        wild.record("cpu", 1),
        Err(HourlyError::InvalidUsage(_))
    ));
    // An hour's total stays within what `UsageQuantityAsDecimal` can say.
    meterer.record("cpu", Quantity::MAX).unwrap();
    assert!(matches!(
        meterer.record("cpu", "0.000001".parse::<Quantity>().unwrap()),
        Err(HourlyError::InvalidUsage(_))
    ));
    assert_eq!(
        meterer.open_usage(),
        [(H0, "cpu".to_owned(), Quantity::MAX)]
    );
    // Decimals add up exactly and are sent as the shortest decimal text.
    let fake2 = ok_fake();
    let meterer = open(&journal("decimals"), &fake2, &clock);
    for text in ["0.1", "0.2", "1.000001"] {
        meterer
            .record("mem", text.parse::<Quantity>().unwrap())
            .unwrap();
    }
    clock.set(H0 + 3600);
    meterer.flush().await.unwrap();
    assert_eq!(sent(&fake2)[0]["UsageQuantityAsDecimal"], "1.300001");
}
