//! Hourly metering for AMI and container products, with a durable journal.
//!
//! `MeterUsage` from an EC2 instance, ECS task or EKS pod takes one record per dimension per
//! hour, and the hour's quantity cannot be changed once sent. [`HourlyMeterer`] adds up usage
//! per dimension (and per set of allocation tags) for the hour it was recorded in, by its
//! clock, and [`flush`](HourlyMeterer::flush) reports each hour that has ended once, with a
//! `ClientToken` derived from the product, dimension, hour, quantity and allocations: sending
//! it again after a timeout, a crash or a restart is idempotent, never a second bill or a
//! conflict.
//!
//! Nothing lives only in memory. Every step is appended to a journal file and flushed to disk
//! (`fsync`) before it counts:
//!
//! 1. [`record`](HourlyMeterer::record) returns only once the usage is on disk;
//! 2. an ended hour's total, allocations and token are written ("closed") before it is sent,
//!    so later usage (a clock set back) can never change what is sent for it;
//! 3. the hour is marked done only after the service confirmed it.
//!
//! [`open`](HourlyMeterAt::open) replays the journal: usage of hours that have ended is
//! reported by the next flush, closed hours not confirmed are sent again with the same token.
//! Once hours are confirmed the journal is compacted (rewritten to what is still needed, then
//! atomically renamed over the old one), and removed when nothing is left. A crash in the middle
//! of an append leaves a torn last line without its newline: it was never acknowledged, so it
//! is dropped on open. Any other damage is an error naming the file and the line: a journal
//! is never silently discarded. One process at a time may use a journal (a second open in the
//! same process is refused; across processes, that is the caller's to ensure).
//!
//! ```no_run
//! use marketplace_metering_toolkit::hourly::HourlyMeterer;
//! use std::time::Duration;
//!
//! # async fn run(client: marketplace_metering::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let meterer = HourlyMeterer::at("/var/lib/my-product/metering.journal")
//!     .open(client, "prod-abc")?;
//! // Wherever usage happens (blocks for one fsync):
//! meterer.record("vcpu_hours", 2)?;
//! meterer.record("gb_hours", "0.25".parse::<marketplace_metering_toolkit::hourly::Quantity>()?)?;
//! meterer.record_tagged("vcpu_hours", 1, [("team", "analytics")])?;
//! // In the background, every few minutes:
//! let mut every = tokio::time::interval(Duration::from_secs(300));
//! loop {
//!     every.tick().await;
//!     let report = meterer.flush().await?;
//!     for hour in report.not_confirmed() {
//!         eprintln!("hour not metered yet: {hour}");
//!     }
//! }
//! # }
//! ```

pub use crate::quantity::{Quantity, QuantityError};
use crate::retry::is_transient;
use marketplace_metering::types::{Tag, UsageAllocation};
use marketplace_metering::{Client, DateTime, Error};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds in an hour.
const HOUR: i64 = 3600;
/// The most allocation tag sets `MeterUsage` takes for one hour.
pub const MAX_ALLOCATIONS: usize = 2500;
/// The largest journal read on open.
const MAX_JOURNAL_LEN: u64 = 256 * 1024 * 1024;
/// A journal grown past this (and past twice its size after the last compaction) is compacted
/// by `record`, so frequent small records never make it large.
#[cfg(not(test))]
const COMPACT_LEN: u64 = 8 * 1024 * 1024;
#[cfg(test)]
const COMPACT_LEN: u64 = 4096;
/// The journal format's version, in its first line.
const JOURNAL_VERSION: u32 = 1;

/// A clock: what time it is now.
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;
/// A step observer; see [`HourlyMeterAt::on_step`].
type StepHook = Arc<dyn Fn(Step<'_>) + Send + Sync>;

/// A step of the meterer, for [`HourlyMeterAt::on_step`]: each is reported after it is on
/// disk (or, for the two around a send, right before and after the call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step<'a> {
    /// `record` wrote and synced the usage; it returns next.
    UsageAccepted {
        /// The dimension.
        dimension: &'a str,
    },
    /// An ended hour's total was written and synced; it is sent next.
    HourClosed {
        /// The dimension.
        dimension: &'a str,
        /// The hour's start, in seconds since the epoch.
        hour: i64,
    },
    /// `MeterUsage` for an hour is about to be called.
    BeforeSend {
        /// The dimension.
        dimension: &'a str,
        /// The hour's start, in seconds since the epoch.
        hour: i64,
    },
    /// The service answered; the answer is not written yet.
    AfterSend {
        /// The dimension.
        dimension: &'a str,
        /// The hour's start, in seconds since the epoch.
        hour: i64,
    },
    /// The service's confirmation was written and synced.
    Confirmed {
        /// The dimension.
        dimension: &'a str,
        /// The hour's start, in seconds since the epoch.
        hour: i64,
    },
    /// The journal was compacted or removed.
    Compacted,
}

/// Where an [`HourlyMeterer`] keeps its journal, and its settings; made by
/// [`HourlyMeterer::at`].
#[derive(Clone)]
pub struct HourlyMeterAt {
    path: PathBuf,
    clock: Clock,
    on_step: Option<StepHook>,
}

impl fmt::Debug for HourlyMeterAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HourlyMeterAt")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl HourlyMeterAt {
    /// The clock that says which hour usage belongs to and which hours have ended (default:
    /// the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Calls `hook` at each [`Step`], e.g. for metrics or crash tests. It runs on the thread
    /// of `record` or `flush`; it must not call the meterer.
    pub fn on_step(mut self, hook: impl Fn(Step<'_>) + Send + Sync + 'static) -> Self {
        self.on_step = Some(Arc::new(hook));
        self
    }

    /// Opens (or creates) the journal and replays it: the meterer for `product_code`,
    /// sending with `client`. Call [`flush`](HourlyMeterer::flush) next to report what a
    /// previous run left.
    pub fn open(
        self,
        client: Client,
        product_code: impl Into<String>,
    ) -> Result<HourlyMeterer, HourlyError> {
        let product_code = product_code.into();
        let claim = Claim::new(&self.path)?;
        let (journal, state) = Journal::open(&self.path, &product_code)?;
        Ok(HourlyMeterer {
            inner: Arc::new(Inner {
                client,
                product_code,
                clock: self.clock,
                on_step: self.on_step,
                state: Mutex::new(Locked { journal, state }),
                flushing: tokio::sync::Mutex::new(()),
                _claim: claim,
            }),
        })
    }
}

/// Meters usage by the hour through a durable journal; see the [module documentation](self).
///
/// Cheap to clone, `Send + Sync`: clones share the journal.
#[derive(Clone)]
pub struct HourlyMeterer {
    inner: Arc<Inner>,
}

impl fmt::Debug for HourlyMeterer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HourlyMeterer")
            .field("product_code", &self.inner.product_code)
            .field("journal", &self.lock().journal.path)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: Client,
    product_code: String,
    clock: Clock,
    on_step: Option<StepHook>,
    state: Mutex<Locked>,
    /// One flush at a time.
    flushing: tokio::sync::Mutex<()>,
    _claim: Claim,
}

/// The journals open in this process, by absolute path.
static OPEN_JOURNALS: Mutex<std::collections::BTreeSet<PathBuf>> =
    Mutex::new(std::collections::BTreeSet::new());

/// This process's claim on a journal path, given up when dropped: two meterers on one journal
/// would each send what the other closed.
struct Claim(PathBuf);

impl Claim {
    fn new(path: &Path) -> Result<Claim, HourlyError> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let absolute = fs::canonicalize(dir)
            .map_err(Journal::io(dir, "looking for the journal's directory"))?
            .join(path.file_name().unwrap_or_default());
        let mut open = OPEN_JOURNALS.lock().unwrap_or_else(PoisonError::into_inner);
        if !open.insert(absolute.clone()) {
            return Err(HourlyError::InUse {
                path: path.to_owned(),
            });
        }
        Ok(Claim(absolute))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        OPEN_JOURNALS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

struct Locked {
    journal: Journal,
    state: State,
}

/// An hour of one dimension: the hour's start (epoch seconds) and the dimension.
type HourKey = (i64, String);
/// A set of allocation tags, sorted by key; empty for untagged usage.
type TagSet = Vec<(String, String)>;

/// What the journal says, replayed.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct State {
    /// Usage of hours not closed yet, per tag set.
    pub(crate) open: BTreeMap<HourKey, BTreeMap<TagSet, Quantity>>,
    /// Closed hours the service has not confirmed.
    closed: BTreeMap<HourKey, Closed>,
    /// Hours before this are closed: usage recorded for them (a clock set back) goes here.
    watermark: Option<i64>,
    /// Lines that compaction would drop.
    garbage: usize,
}

/// What is sent for an hour.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Closed {
    pub(crate) quantity: Quantity,
    /// Per tag set; empty when all usage was untagged.
    pub(crate) allocations: Vec<(TagSet, Quantity)>,
    pub(crate) token: String,
}

impl HourlyMeterer {
    /// Starts a meterer with its journal at `path` (a file; its directory must exist).
    pub fn at(path: impl Into<PathBuf>) -> HourlyMeterAt {
        HourlyMeterAt {
            path: path.into(),
            clock: Arc::new(SystemTime::now),
            on_step: None,
        }
    }

    /// Records `quantity` of `dimension`, untagged, for the current hour. Returns once it is
    /// on disk, with the start of the hour it counts in; blocks for an `fsync` (from async
    /// code, consider `spawn_blocking`).
    ///
    /// The hour is the clock's, unless that hour was already sent (the clock was set back):
    /// then the usage counts in the first hour not sent yet.
    pub fn record(
        &self,
        dimension: &str,
        quantity: impl Into<Quantity>,
    ) -> Result<SystemTime, HourlyError> {
        self.record_tagged(dimension, quantity, std::iter::empty::<(&str, &str)>())
    }

    /// Records `quantity` of `dimension` for the current hour, allocated to `tags` (up to 5
    /// key/value pairs with distinct keys: vendor-metered tagging). Returns once it is on
    /// disk, with the start of the hour it counts in.
    pub fn record_tagged<K: Into<String>, V: Into<String>>(
        &self,
        dimension: &str,
        quantity: impl Into<Quantity>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Result<SystemTime, HourlyError> {
        let mut tags: TagSet = tags
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        tags.sort();
        let quantity = quantity.into();
        check_usage(dimension, &tags)?;
        let now = (self.inner.clock)();
        let mut hour = hour_of(now);
        {
            let mut locked = self.lock();
            let Locked { journal, state } = &mut *locked;
            if let Some(watermark) = state.watermark {
                hour = hour.max(watermark);
            }
            if !(0..=LAST_HOUR).contains(&hour) {
                return Err(HourlyError::InvalidUsage(format!(
                    "the clock says {}, outside the years 1970 to 9999",
                    DateTime::from(now)
                )));
            }
            let key = (hour, dimension.to_owned());
            let usage = state.open.get(&key);
            let total = usage.map_or(Some(Quantity::ZERO), |u| sum(u.values()));
            if total.and_then(|t| t.checked_add(quantity)).is_none() {
                return Err(HourlyError::InvalidUsage(format!(
                    "the hour's total of {dimension:?} would exceed {}",
                    Quantity::MAX
                )));
            }
            if usage.is_some_and(|u| !u.contains_key(&tags) && u.len() >= MAX_ALLOCATIONS) {
                return Err(HourlyError::InvalidUsage(format!(
                    "more than {MAX_ALLOCATIONS} tag sets for {dimension:?} in one hour"
                )));
            }
            journal.append(
                &[Entry::Usage {
                    dim: dimension.to_owned(),
                    hour,
                    qty: quantity,
                    tags: tags.clone(),
                }],
                state.watermark,
            )?;
            let slot = state.open.entry(key).or_default().entry(tags).or_default();
            // Checked above: the hour's total, so this part too, stays within the maximum.
            *slot = slot.checked_add(quantity).unwrap_or(Quantity::MAX);
            // The usage is accepted: a compaction that fails now is only logged (the journal
            // stays as it was, or refuses further writes when its end is unknown).
            if journal.len > COMPACT_LEN.max(journal.compacted_len.saturating_mul(2)) {
                if let Err(error) = journal.rewrite(&self.inner.product_code, state) {
                    tracing::warn!(%error, "compacting the metering journal failed");
                }
            }
        }
        self.step(Step::UsageAccepted { dimension });
        Ok(epoch_time(hour))
    }

    /// Reports every hour that has ended and is not confirmed yet, once per dimension, and
    /// compacts the journal. An error is about the journal; what became of each hour is in the
    /// [`FlushReport`]. Hours not confirmed stay in the journal for the next flush.
    ///
    /// Cancel-safe: dropped before it completes (a timeout around it), it leaves every hour it
    /// did not see confirmed for the next flush, with the same token.
    pub async fn flush(&self) -> Result<FlushReport, HourlyError> {
        let _flushing = self.inner.flushing.lock().await;
        let current = hour_of((self.inner.clock)());
        let (newly_closed, to_send) = {
            let mut locked = self.lock();
            let Locked { journal, state } = &mut *locked;
            let ended: Vec<HourKey> = state
                .open
                .range(..(current, String::new()))
                .map(|(key, _)| key.clone())
                .collect();
            let mut entries = Vec::new();
            let mut closing = Vec::new();
            for key in &ended {
                let usage = &state.open[key];
                let closed = close(&self.inner.product_code, key, usage);
                entries.push(Entry::Close {
                    dim: key.1.clone(),
                    hour: key.0,
                    closed: closed.clone(),
                });
                closing.push((key.clone(), closed));
            }
            if !entries.is_empty() {
                journal.append(&entries, state.watermark)?;
                for (key, closed) in closing {
                    state.open.remove(&key);
                    state.watermark = Some(
                        state
                            .watermark
                            .unwrap_or(i64::MIN)
                            .max(key.0.saturating_add(HOUR)),
                    );
                    state.closed.insert(key, closed);
                }
            }
            let to_send: Vec<(HourKey, Closed)> = state
                .closed
                .iter()
                .map(|(key, closed)| (key.clone(), closed.clone()))
                .collect();
            (ended, to_send)
        };
        for (hour, dimension) in &newly_closed {
            self.step(Step::HourClosed {
                dimension,
                hour: *hour,
            });
        }

        let mut report = FlushReport::default();
        for ((hour, dimension), closed) in to_send {
            let status = self.send(hour, &dimension, &closed).await?;
            report.hours.push(HourReport {
                dimension,
                hour,
                quantity: closed.quantity,
                status,
            });
        }
        self.compact()?;
        Ok(report)
    }

    /// Sends one closed hour and writes down the answer.
    async fn send(
        &self,
        hour: i64,
        dimension: &str,
        closed: &Closed,
    ) -> Result<HourStatus, HourlyError> {
        self.step(Step::BeforeSend { dimension, hour });
        let allocations = (!closed.allocations.is_empty()).then(|| {
            closed
                .allocations
                .iter()
                .map(|(tags, quantity)| {
                    let tags = (!tags.is_empty()).then(|| {
                        tags.iter()
                            .map(|(k, v)| Tag::builder().key(k).value(v).build())
                            .collect()
                    });
                    UsageAllocation::builder()
                        .allocated_usage_quantity_as_decimal(quantity.to_string())
                        .set_tags(tags)
                        .build()
                })
                .collect()
        });
        let sent = self
            .inner
            .client
            .meter_usage()
            .product_code(&self.inner.product_code)
            // The hour's last second: the service rounds it down to the hour, and it leaves the
            // most time of the service's 6-hour window.
            .timestamp(DateTime::from_secs(hour.saturating_add(HOUR - 1)))
            .usage_dimension(dimension)
            .usage_quantity_as_decimal(closed.quantity.to_string())
            .set_usage_allocations(allocations)
            .client_token(&closed.token)
            .send()
            .await;
        self.step(Step::AfterSend { dimension, hour });
        let key = (hour, dimension.to_owned());
        match sent {
            Ok(output) => {
                let id = output.metering_record_id().map(str::to_owned);
                self.resolve(
                    &key,
                    Entry::Done {
                        dim: dimension.to_owned(),
                        hour,
                        id: id.clone(),
                    },
                )?;
                self.step(Step::Confirmed { dimension, hour });
                Ok(HourStatus::Confirmed {
                    metering_record_id: id,
                })
            }
            Err(error) => {
                let error = Arc::new(Error::from(error));
                if is_rejection(&error) {
                    tracing::error!(%error, dimension, hour, quantity = %closed.quantity, "MeterUsage refused an hour; it will not be sent again");
                    self.resolve(
                        &key,
                        Entry::Rejected {
                            dim: dimension.to_owned(),
                            hour,
                            code: error.code().unwrap_or("").to_owned(),
                        },
                    )?;
                    Ok(HourStatus::Rejected(error))
                } else {
                    tracing::warn!(%error, transient = is_transient(&error), dimension, hour, "MeterUsage failed; the hour will be sent again");
                    Ok(HourStatus::Pending(error))
                }
            }
        }
    }

    /// Writes that a closed hour is resolved (done or rejected) and forgets it.
    fn resolve(&self, key: &HourKey, entry: Entry) -> Result<(), HourlyError> {
        let mut locked = self.lock();
        let Locked { journal, state } = &mut *locked;
        journal.append(&[entry], state.watermark)?;
        if state.closed.remove(key).is_some() {
            state.garbage += 2;
        }
        Ok(())
    }

    /// Rewrites the journal to what is still needed, or removes it when nothing is, once there
    /// is something to drop.
    fn compact(&self) -> Result<(), HourlyError> {
        let compacted = {
            let mut locked = self.lock();
            let Locked { journal, state } = &mut *locked;
            if state.garbage == 0 {
                false
            } else {
                journal.rewrite(&self.inner.product_code, state)?;
                state.garbage = 0;
                true
            }
        };
        if compacted {
            self.step(Step::Compacted);
        }
        Ok(())
    }

    /// Hours closed and not confirmed yet, as (hour start in epoch seconds, dimension,
    /// quantity).
    pub fn unconfirmed(&self) -> Vec<(i64, String, Quantity)> {
        self.lock()
            .state
            .closed
            .iter()
            .map(|((hour, dimension), closed)| (*hour, dimension.clone(), closed.quantity))
            .collect()
    }

    /// Usage of hours not closed yet, as (hour start in epoch seconds, dimension, total).
    pub fn open_usage(&self) -> Vec<(i64, String, Quantity)> {
        self.lock()
            .state
            .open
            .iter()
            .map(|((hour, dimension), usage)| {
                (
                    *hour,
                    dimension.clone(),
                    sum(usage.values()).unwrap_or(Quantity::MAX),
                )
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Locked> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn step(&self, step: Step<'_>) {
        if let Some(hook) = &self.inner.on_step {
            hook(step);
        }
    }
}

/// What a [`HourlyMeterer::flush`] did with each hour it sent.
#[derive(Clone, Debug, Default)]
pub struct FlushReport {
    hours: Vec<HourReport>,
}

impl FlushReport {
    /// One entry per hour and dimension sent, oldest first.
    pub fn hours(&self) -> &[HourReport] {
        &self.hours
    }
    /// The hours not confirmed by this flush.
    pub fn not_confirmed(&self) -> impl Iterator<Item = &HourReport> {
        self.hours
            .iter()
            .filter(|h| !matches!(h.status, HourStatus::Confirmed { .. }))
    }
}

/// One hour of one dimension, as sent.
#[derive(Clone, Debug)]
pub struct HourReport {
    dimension: String,
    hour: i64,
    quantity: Quantity,
    status: HourStatus,
}

impl HourReport {
    /// The dimension.
    pub fn dimension(&self) -> &str {
        &self.dimension
    }
    /// The hour's start.
    pub fn hour(&self) -> SystemTime {
        epoch_time(self.hour)
    }
    /// The quantity sent.
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }
    /// What became of it.
    pub fn status(&self) -> &HourStatus {
        &self.status
    }
}

impl fmt::Display for HourReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {:?} in the hour from {}: {}",
            self.quantity,
            self.dimension,
            DateTime::from_secs(self.hour),
            self.status
        )
    }
}

/// What became of an hour.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum HourStatus {
    /// The service metered it.
    Confirmed {
        /// The service's id for the metering record.
        metering_record_id: Option<String>,
    },
    /// The call failed (the service's internal error, throttling, the network, credentials,
    /// the product's configuration): the hour stays in the journal and the next flush sends
    /// it again with the same token.
    Pending(Arc<Error>),
    /// The service refused this hour for good (its timestamp is out of bounds, the quantity
    /// differs from what was already metered for it, the dimension or allocations are
    /// invalid): it is not sent again. Logged at error level.
    Rejected(Arc<Error>),
}

impl fmt::Display for HourStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HourStatus::Confirmed { .. } => f.write_str("confirmed"),
            HourStatus::Pending(error) => write!(f, "pending ({error})"),
            HourStatus::Rejected(error) => write!(f, "rejected ({error})"),
        }
    }
}

/// Why the hourly meterer could not do what was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum HourlyError {
    /// Reading, writing or syncing the journal failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        doing: &'static str,
        /// The error.
        source: io::Error,
    },
    /// A line of the journal is damaged or out of place.
    CorruptJournal {
        /// The file.
        path: PathBuf,
        /// The line, counting from 1.
        line: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// The journal belongs to another product.
    OtherProduct {
        /// The file.
        path: PathBuf,
        /// The product it is for.
        product_code: String,
    },
    /// A failed write could not be undone, so the journal's end is unknown: reopen it.
    Poisoned {
        /// The file.
        path: PathBuf,
    },
    /// The usage cannot be metered: what is wrong with it.
    InvalidUsage(String),
    /// Another meterer of this process has the journal open (clone that one instead).
    InUse {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for HourlyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HourlyError::Io {
                path,
                doing,
                source,
            } => {
                write!(f, "{doing} {}: {source}", path.display())
            }
            HourlyError::CorruptJournal {
                path,
                line,
                problem,
            } => write!(f, "{}:{line}: corrupt journal: {problem}", path.display()),
            HourlyError::OtherProduct { path, product_code } => write!(
                f,
                "{} is the journal of product {product_code:?}",
                path.display()
            ),
            HourlyError::Poisoned { path } => write!(
                f,
                "{}: a failed write could not be undone; reopen the journal",
                path.display()
            ),
            HourlyError::InvalidUsage(problem) => write!(f, "invalid usage: {problem}"),
            HourlyError::InUse { path } => write!(
                f,
                "{} is already open in this process; clone its meterer instead",
                path.display()
            ),
        }
    }
}

impl std::error::Error for HourlyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HourlyError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Whether the service refused a `MeterUsage` for good, for reasons of the hour itself.
fn is_rejection(error: &Error) -> bool {
    matches!(
        error,
        Error::Validation(_)
            | Error::TimestampOutOfBoundsException(_)
            | Error::DuplicateRequestException(_)
            | Error::IdempotencyConflictException(_)
            | Error::InvalidUsageAllocationsException(_)
            | Error::InvalidTagException(_)
            | Error::InvalidUsageDimensionException(_)
    )
}

/// Checks usage against the model's rules before it is written down.
fn check_usage(dimension: &str, tags: &TagSet) -> Result<(), HourlyError> {
    let invalid = |problem: String| Err(HourlyError::InvalidUsage(problem));
    if dimension.is_empty() || dimension.chars().count() > 255 {
        return invalid(format!(
            "the dimension {dimension:?} must be 1 to 255 characters"
        ));
    }
    if tags.len() > 5 {
        return invalid(format!("{} tags; at most 5 are allowed", tags.len()));
    }
    let allowed = |text: &str| {
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || ('+'..='=').contains(&c) || "._:/@ ".contains(c))
    };
    for (index, (key, value)) in tags.iter().enumerate() {
        if key.is_empty() || key.chars().count() > 100 || !allowed(key) {
            return invalid(format!("the tag key {key:?} must be 1 to 100 characters of letters, digits, spaces and + - = . _ : / @"));
        }
        if value.is_empty() || value.chars().count() > 256 || !allowed(value) {
            return invalid(format!("the tag value {value:?} of {key:?} must be 1 to 256 characters of letters, digits, spaces and + - = . _ : / @"));
        }
        if index > 0 && tags[index - 1].0 == *key {
            return invalid(format!("the tag key {key:?} is given twice"));
        }
    }
    Ok(())
}

/// What is sent for an hour's usage.
fn close(product_code: &str, key: &HourKey, usage: &BTreeMap<TagSet, Quantity>) -> Closed {
    // Kept within the maximum by `record` and `replay`.
    let quantity = sum(usage.values()).unwrap_or(Quantity::MAX);
    let allocations: Vec<(TagSet, Quantity)> = if usage.keys().all(Vec::is_empty) {
        Vec::new()
    } else {
        usage.iter().map(|(t, q)| (t.clone(), *q)).collect()
    };
    let token = client_token(product_code, &key.1, key.0, quantity, &allocations);
    Closed {
        quantity,
        allocations,
        token,
    }
}

/// The `ClientToken` of an hour: the hex SHA-256 (64 characters, the most the model allows)
/// of everything sent, so the same hour always has the same token and another quantity
/// another one.
pub fn client_token(
    product_code: &str,
    dimension: &str,
    hour: i64,
    quantity: Quantity,
    allocations: &[(Vec<(String, String)>, Quantity)],
) -> String {
    let allocations: Vec<(&[(String, String)], String)> = allocations
        .iter()
        .map(|(tags, quantity)| (tags.as_slice(), quantity.to_string()))
        .collect();
    let canonical = serde_json::json!([
        "marketplace-metering-toolkit/hourly/1",
        product_code,
        dimension,
        hour,
        quantity.to_string(),
        allocations
    ]);
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.to_string().as_bytes());
    hex(digest.as_ref())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sum of `quantities`, if within the maximum.
fn sum<'a>(quantities: impl IntoIterator<Item = &'a Quantity>) -> Option<Quantity> {
    quantities
        .into_iter()
        .try_fold(Quantity::ZERO, |total, q| total.checked_add(*q))
}

/// The start of the hour `time` is in, in seconds since the epoch.
fn hour_of(time: SystemTime) -> i64 {
    DateTime::from(time).secs().div_euclid(HOUR) * HOUR
}

fn epoch_time(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// A journal line.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum Entry {
    /// The first line: the format and the product.
    Journal { version: u32, product: String },
    /// Usage accepted.
    Usage {
        dim: String,
        hour: i64,
        qty: Quantity,
        tags: TagSet,
    },
    /// An hour closed: exactly what is sent for it.
    Close {
        dim: String,
        hour: i64,
        closed: Closed,
    },
    /// The service confirmed an hour.
    Done {
        dim: String,
        hour: i64,
        id: Option<String>,
    },
    /// The service refused an hour for good.
    Rejected {
        dim: String,
        hour: i64,
        code: String,
    },
    /// Hours before `hour` are closed (written by compaction).
    Mark { hour: i64 },
}

/// The journal file, open for appending.
struct Journal {
    path: PathBuf,
    /// `None` while the journal is removed (nothing to keep); created on the next append.
    file: Option<File>,
    /// The length of its acknowledged content.
    len: u64,
    poisoned: bool,
    /// The length after the last compaction.
    compacted_len: u64,
    /// The first line, written whenever the file is (re)created.
    header: String,
}

/// One journal line: 8 hex digits of the SHA-256 of the JSON, a space, the JSON, a newline.
pub(crate) fn line_of(entry: &Entry) -> String {
    // An entry of strings and integers always serializes.
    let json = serde_json::to_string(entry).unwrap_or_default();
    format!("{} {json}\n", checksum(&json))
}

fn checksum(json: &str) -> String {
    hex(&ring::digest::digest(&ring::digest::SHA256, json.as_bytes()).as_ref()[..4])
}

impl Journal {
    fn io<'a>(path: &'a Path, doing: &'static str) -> impl FnOnce(io::Error) -> HourlyError + 'a {
        move |source| HourlyError::Io {
            path: path.to_owned(),
            doing,
            source,
        }
    }

    /// Opens the journal at `path` and replays it.
    fn open(path: &Path, product_code: &str) -> Result<(Journal, State), HourlyError> {
        let header = line_of(&Entry::Journal {
            version: JOURNAL_VERSION,
            product: product_code.to_owned(),
        });
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if !fs::metadata(dir)
            .map_err(Journal::io(dir, "looking for the journal's directory"))?
            .is_dir()
        {
            return Err(Journal::io(dir, "looking for the journal's directory")(
                io::Error::other("not a directory"),
            ));
        }
        // A compaction that crashed before its rename: the journal itself is intact.
        let temp = temp_path(path);
        match fs::remove_file(&temp) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => {
                return Err(Journal::io(&temp, "removing")(error))
            }
            _ => {}
        }
        let mut file = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let journal = Journal {
                    path: path.to_owned(),
                    file: None,
                    len: 0,
                    poisoned: false,
                    compacted_len: 0,
                    header,
                };
                return Ok((journal, State::default()));
            }
            Err(error) => return Err(Journal::io(path, "opening")(error)),
        };
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_JOURNAL_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(Journal::io(path, "reading"))?;
        if bytes.len() as u64 > MAX_JOURNAL_LEN {
            return Err(HourlyError::CorruptJournal {
                path: path.to_owned(),
                line: 1,
                problem: format!("the journal is larger than {MAX_JOURNAL_LEN} bytes"),
            });
        }
        let (state, good_len) = replay(path, &bytes, product_code)?;
        if good_len < bytes.len() {
            // The torn last line of an append that never returned: not acknowledged.
            tracing::warn!(
                path = %path.display(),
                bytes = bytes.len() - good_len,
                "dropping the torn last line of the metering journal"
            );
            file.set_len(good_len as u64)
                .and_then(|()| file.sync_data())
                .map_err(Journal::io(path, "truncating the torn last line of"))?;
        }
        let journal = Journal {
            path: path.to_owned(),
            file: (good_len > 0).then_some(file),
            len: good_len as u64,
            poisoned: false,
            compacted_len: good_len as u64,
            header,
        };
        Ok((journal, state))
    }

    /// Appends `entries` and syncs them to disk; on failure, cuts the file back. A journal
    /// (re)created for them starts with its header and the `watermark`.
    fn append(&mut self, entries: &[Entry], watermark: Option<i64>) -> Result<(), HourlyError> {
        if self.poisoned {
            return Err(HourlyError::Poisoned {
                path: self.path.clone(),
            });
        }
        let mut text = String::new();
        if self.file.is_none() {
            self.create()?;
            text.push_str(&self.header);
            if let Some(hour) = watermark {
                text.push_str(&line_of(&Entry::Mark { hour }));
            }
        }
        for entry in entries {
            text.push_str(&line_of(entry));
        }
        let Some(file) = self.file.as_mut() else {
            return Err(HourlyError::Poisoned {
                path: self.path.clone(),
            });
        };
        match file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
        {
            Ok(()) => {
                self.len += text.len() as u64;
                Ok(())
            }
            Err(error) => {
                if file
                    .set_len(self.len)
                    .and_then(|()| file.sync_data())
                    .is_err()
                {
                    self.poisoned = true;
                }
                Err(Journal::io(&self.path, "writing")(error))
            }
        }
    }

    /// Creates an empty journal file, durably.
    fn create(&mut self) -> Result<(), HourlyError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(Journal::io(&self.path, "creating"))?;
        file.set_len(0)
            .map_err(Journal::io(&self.path, "creating"))?;
        sync_dir(&self.path)?;
        self.file = Some(file);
        self.len = 0;
        Ok(())
    }

    /// Replaces the journal by one holding just `state`, or removes it when `state` holds
    /// nothing to keep.
    fn rewrite(&mut self, product_code: &str, state: &State) -> Result<(), HourlyError> {
        if self.poisoned {
            return Err(HourlyError::Poisoned {
                path: self.path.clone(),
            });
        }
        if state.open.is_empty() && state.closed.is_empty() {
            self.file = None;
            self.len = 0;
            match fs::remove_file(&self.path) {
                Err(error) if error.kind() != io::ErrorKind::NotFound => {
                    self.poisoned = true;
                    return Err(Journal::io(&self.path, "removing")(error));
                }
                _ => {}
            }
            return sync_dir(&self.path);
        }
        let mut text = self.header.clone();
        if let Some(hour) = state.watermark {
            text.push_str(&line_of(&Entry::Mark { hour }));
        }
        for ((hour, dim), usage) in &state.open {
            for (tags, qty) in usage {
                text.push_str(&line_of(&Entry::Usage {
                    dim: dim.clone(),
                    hour: *hour,
                    qty: *qty,
                    tags: tags.clone(),
                }));
            }
        }
        for ((hour, dim), closed) in &state.closed {
            text.push_str(&line_of(&Entry::Close {
                dim: dim.clone(),
                hour: *hour,
                closed: closed.clone(),
            }));
        }
        debug_assert!(replay(&self.path, text.as_bytes(), product_code).is_ok_and(
            |(replayed, _)| replayed.open == state.open && replayed.closed == state.closed
        ));
        let temp = temp_path(&self.path);
        let written = (|| {
            let mut file = File::create(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_data()?;
            fs::rename(&temp, &self.path)
        })();
        if let Err(error) = written {
            let _ = fs::remove_file(&temp);
            return Err(Journal::io(&self.path, "compacting")(error));
        }
        sync_dir(&self.path)?;
        let file = OpenOptions::new().read(true).append(true).open(&self.path);
        match file {
            Ok(file) => {
                self.file = Some(file);
                self.len = text.len() as u64;
                self.compacted_len = self.len;
                Ok(())
            }
            Err(error) => {
                self.poisoned = true;
                Err(Journal::io(&self.path, "reopening")(error))
            }
        }
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".compacting");
    path.with_file_name(name)
}

/// Syncs the directory holding `path`, so a created, renamed or removed file stays so.
fn sync_dir(path: &Path) -> Result<(), HourlyError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(Journal::io(dir, "syncing the directory"))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Replays journal `bytes`: the state, and the length of the acknowledged part (all but a
/// torn last line).
pub(crate) fn replay(
    path: &Path,
    bytes: &[u8],
    product_code: &str,
) -> Result<(State, usize), HourlyError> {
    let good_len = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |last| last + 1);
    let mut state = State::default();
    if good_len == 0 {
        // Nothing whole (a crash before the header was on disk): an empty journal.
        return Ok((state, 0));
    }
    let whole = &bytes[..good_len - 1];
    for (index, raw) in whole.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let corrupt = |problem: String| HourlyError::CorruptJournal {
            path: path.to_owned(),
            line,
            problem,
        };
        let text = std::str::from_utf8(raw).map_err(|_| corrupt("not UTF-8".into()))?;
        let (sum, json) = text
            .split_once(' ')
            .ok_or_else(|| corrupt("no checksum".into()))?;
        if sum != checksum(json) {
            return Err(corrupt("the checksum does not match".into()));
        }
        let entry: Entry =
            serde_json::from_str(json).map_err(|error| corrupt(error.to_string()))?;
        if index == 0 {
            match entry {
                Entry::Journal { version, product } => {
                    if version != JOURNAL_VERSION {
                        return Err(corrupt(format!("unknown journal version {version}")));
                    }
                    if product != product_code {
                        return Err(HourlyError::OtherProduct {
                            path: path.to_owned(),
                            product_code: product,
                        });
                    }
                    continue;
                }
                _ => return Err(corrupt("the first line is not the journal's header".into())),
            }
        }
        apply(&mut state, entry).map_err(corrupt)?;
    }
    Ok((state, good_len))
}

/// The latest hour start a journal may name: 9999-12-31T23:00:00Z.
const LAST_HOUR: i64 = 253_402_297_200;

/// Applies one replayed entry.
fn apply(state: &mut State, entry: Entry) -> Result<(), String> {
    let hour = match &entry {
        Entry::Journal { .. } => 0,
        Entry::Usage { hour, .. }
        | Entry::Close { hour, .. }
        | Entry::Done { hour, .. }
        | Entry::Rejected { hour, .. }
        | Entry::Mark { hour } => *hour,
    };
    if !(0..=LAST_HOUR).contains(&hour) || hour % HOUR != 0 {
        return Err(format!("{hour} is not the start of an hour"));
    }
    match entry {
        Entry::Journal { .. } => return Err("a second header".into()),
        Entry::Usage {
            dim,
            hour,
            qty,
            tags,
        } => {
            let key = (hour, dim);
            if state.closed.contains_key(&key) || state.watermark.is_some_and(|w| hour < w) {
                return Err(format!("usage for the closed hour {hour} of {:?}", key.1));
            }
            let usage = state.open.entry(key).or_default();
            let part = usage.entry(tags).or_default();
            *part = part
                .checked_add(qty)
                .ok_or("the hour's total exceeds the maximum quantity")?;
            if sum(usage.values()).is_none() {
                return Err("the hour's total exceeds the maximum quantity".into());
            }
        }
        Entry::Close { dim, hour, closed } => {
            let key = (hour, dim);
            if state.closed.contains_key(&key) {
                return Err(format!("the hour {hour} of {:?} is closed twice", key.1));
            }
            if let Some(usage) = state.open.remove(&key) {
                if sum(usage.values()) != Some(closed.quantity) {
                    return Err(format!(
                        "the hour {hour} of {:?} is closed with another quantity than recorded",
                        key.1
                    ));
                }
            }
            state.watermark = Some(
                state
                    .watermark
                    .unwrap_or(i64::MIN)
                    .max(hour.saturating_add(HOUR)),
            );
            state.closed.insert(key, closed);
        }
        Entry::Done { dim, hour, .. } | Entry::Rejected { dim, hour, .. } => {
            if state.closed.remove(&(hour, dim.clone())).is_none() {
                return Err(format!(
                    "the hour {hour} of {dim:?} is resolved but not closed"
                ));
            }
            state.garbage += 2;
        }
        Entry::Mark { hour } => {
            state.watermark = Some(state.watermark.unwrap_or(i64::MIN).max(hour));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketplace_metering::{Config, Credentials};

    fn client() -> Client {
        Client::from_conf(
            Config::builder()
                .region("us-east-1")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .endpoint_url("http://127.0.0.1:9")
                .build(),
        )
    }

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("toolkit-hourly-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_client_token_is_stable_and_fits_the_model() {
        let token = client_token("prod-abc", "cpu", 1_796_198_400, Quantity::from(5), &[]);
        assert_eq!(token.len(), 64);
        assert_eq!(
            token,
            client_token("prod-abc", "cpu", 1_796_198_400, Quantity::from(5), &[])
        );
        assert_ne!(
            token,
            client_token("prod-abc", "cpu", 1_796_198_400, Quantity::from(6), &[])
        );
        assert_ne!(
            token,
            client_token("prod-abc", "cpu", 1_796_202_000, Quantity::from(5), &[])
        );
        assert_ne!(
            token,
            client_token("prod-abc", "mem", 1_796_198_400, Quantity::from(5), &[])
        );
        assert_ne!(
            token,
            client_token("prod-abd", "cpu", 1_796_198_400, Quantity::from(5), &[])
        );
        let tagged = vec![(vec![("team".to_owned(), "a".to_owned())], Quantity::from(5))];
        assert_ne!(
            token,
            client_token("prod-abc", "cpu", 1_796_198_400, Quantity::from(5), &tagged)
        );
        // Pinned (the SHA-256 of `["marketplace-metering-toolkit/hourly/1","prod-abc","cpu",
        // 1796198400,"5",[]]`): open usage in a journal of this version gets this token later.
        assert_eq!(
            token,
            "df313ab3d86df0ec102bc68218ee6663254fb25ac96203ef8ff0c7fc3bae9f16"
        );
    }

    #[test]
    fn frequent_records_keep_the_journal_small() {
        let path = dir("small").join("journal");
        let meterer = HourlyMeterer::at(&path)
            .clock(|| UNIX_EPOCH + Duration::from_secs(1_796_198_460))
            .open(client(), "prod-abc")
            .unwrap();
        for n in 0..300 {
            meterer.record(["cpu", "mem"][n % 2], 1).unwrap();
        }
        let len = fs::metadata(&path).unwrap().len();
        assert!(len < 3 * COMPACT_LEN, "{len} bytes");
        drop(meterer);
        let meterer = HourlyMeterer::at(&path).open(client(), "prod-abc").unwrap();
        assert_eq!(
            meterer.open_usage(),
            [
                (1_796_198_400, "cpu".to_owned(), Quantity::from(150)),
                (1_796_198_400, "mem".to_owned(), Quantity::from(150))
            ]
        );
    }

    #[test]
    fn replay_refuses_entries_out_of_place() {
        let path = Path::new("j");
        let header = line_of(&Entry::Journal {
            version: JOURNAL_VERSION,
            product: "p".into(),
        });
        let done = line_of(&Entry::Done {
            dim: "cpu".into(),
            hour: 0,
            id: None,
        });
        let error = replay(path, format!("{header}{done}").as_bytes(), "p").unwrap_err();
        assert!(
            matches!(&error, HourlyError::CorruptJournal { line: 2, problem, .. } if problem.contains("not closed")),
            "{error}"
        );
        let error = replay(path, done.as_bytes(), "p").unwrap_err();
        assert!(matches!(error, HourlyError::CorruptJournal { line: 1, .. }));
        let close = line_of(&Entry::Close {
            dim: "cpu".into(),
            hour: 0,
            closed: Closed {
                quantity: Quantity::from(1),
                allocations: Vec::new(),
                token: "t".into(),
            },
        });
        let late = line_of(&Entry::Usage {
            dim: "cpu".into(),
            hour: 0,
            qty: Quantity::from(1),
            tags: Vec::new(),
        });
        let error = replay(path, format!("{header}{close}{late}").as_bytes(), "p").unwrap_err();
        assert!(matches!(error, HourlyError::CorruptJournal { line: 3, .. }));
        // Found by the property tests: an hour near the end of `i64` overflowed `hour + HOUR`.
        let far = line_of(&Entry::Close {
            dim: "cpu".into(),
            hour: i64::MAX,
            closed: Closed {
                quantity: Quantity::from(1),
                allocations: Vec::new(),
                token: "t".into(),
            },
        });
        let error = replay(path, format!("{header}{far}").as_bytes(), "p").unwrap_err();
        assert!(
            matches!(&error, HourlyError::CorruptJournal { line: 2, problem, .. } if problem.contains("not the start of an hour")),
            "{error}"
        );
        // A torn last line is left out of the acknowledged length.
        let bytes = format!("{header}{late}{}", &close[..10]);
        let (state, good) = replay(path, bytes.as_bytes(), "p").unwrap();
        assert_eq!(good, header.len() + late.len());
        assert_eq!(state.open.len(), 1);
    }
}
