//! Batch metering for SaaS products: any number of usage records in, every record's outcome
//! out.
//!
//! [`BatchMeterer::meter`] groups the records by product, sends `BatchMeterUsage` calls of at
//! most 25 records (and under the service's 1 MB), paced to a request rate, and resends what the service did not confirm
//! (`UnprocessedRecords`, records missing from the results, calls that throttled, failed on
//! the way or failed inside the service) with exponential backoff, for a bounded number of
//! attempts. Resending is safe: the service de-duplicates identical records. When a call is
//! refused because of some of its records (a timestamp out of bounds, bad allocations, an
//! unknown customer), the call is split in halves until the records at fault are found, so the
//! others are still metered.
//!
//! The [`BatchReport`] has one [`RecordOutcome`] per input record, in input order: no record
//! is dropped silently. What could not be confirmed is [`Outcome::Unconfirmed`], for the caller
//! to keep and send again later.
//!
//! ```no_run
//! use marketplace_metering::types::UsageRecord;
//! use marketplace_metering_toolkit::batch::{BatchMeterer, Outcome, SaasRecord};
//!
//! # async fn run(client: marketplace_metering::Client) {
//! let meterer = BatchMeterer::builder(client).max_requests_per_second(5.0).build();
//! let records = (0..60).map(|n| {
//!     SaasRecord::new(
//!         "prod-abc",
//!         UsageRecord::builder()
//!             .customer_aws_account_id(format!("1234567890{:02}", n % 7))
//!             .dimension("api_calls")
//!             .quantity_as_decimal(n.to_string())
//!             .timestamp(std::time::SystemTime::now())
//!             .build(),
//!     )
//! });
//! let report = meterer.meter(records).await;
//! for outcome in report.outcomes() {
//!     match outcome.outcome() {
//!         Outcome::Success { .. } => {}
//!         Outcome::Unconfirmed { .. } => { /* keep outcome.record() and send it again later */ }
//!         other => eprintln!("record {} not metered: {other}", outcome.index()),
//!     }
//! }
//! # }
//! ```

use crate::retry::{backoff, is_transient};
use marketplace_metering::error::ProvideErrorMetadata as _;
use marketplace_metering::types::{UsageRecord, UsageRecordResult, UsageRecordResultStatus};
use marketplace_metering::{Client, Error};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The most records `BatchMeterUsage` takes in one call.
pub const MAX_RECORDS_PER_CALL: usize = 25;
/// The most bytes of records put in one call: the service takes requests under 1 MB, and the
/// rest of the request (headers, product code) is small.
const MAX_RECORD_BYTES_PER_CALL: usize = 900 * 1024;

/// A usage record and the product it is for.
#[derive(Clone, Debug, PartialEq)]
pub struct SaasRecord {
    product_code: Option<String>,
    record: UsageRecord,
}

impl SaasRecord {
    /// A record for `product_code` (integrations that name the customer by
    /// `CustomerAWSAccountId` or `CustomerIdentifier`).
    pub fn new(product_code: impl Into<String>, record: UsageRecord) -> Self {
        SaasRecord {
            product_code: Some(product_code.into()),
            record,
        }
    }

    /// A record that names its agreement by `LicenseArn` (Concurrent Agreements): sent without
    /// a `ProductCode`, as the service asks for such records.
    pub fn with_license(record: UsageRecord) -> Self {
        SaasRecord {
            product_code: None,
            record,
        }
    }

    /// The product code, `None` for a license-based record.
    pub fn product_code(&self) -> Option<&str> {
        self.product_code.as_deref()
    }

    /// The usage record.
    pub fn record(&self) -> &UsageRecord {
        &self.record
    }
}

/// What became of one record.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Metered.
    Success {
        /// The service's id for the metering record.
        metering_record_id: Option<String>,
    },
    /// The customer has no subscription to the product: not metered.
    CustomerNotSubscribed,
    /// An earlier record for the same customer, dimension and time had another quantity; this
    /// one was not honored.
    DuplicateRecord,
    /// A result status this version of the SDK does not know.
    OtherStatus(String),
    /// The service refused the call that carried the record (alone, after splitting), with an
    /// error that another try would not change.
    Failed(Arc<Error>),
    /// Not confirmed after the allowed attempts: unprocessed, throttled, or every call that
    /// carried it failed transiently. It may or may not be metered; sending the same record
    /// again later is safe (the service de-duplicates identical records).
    Unconfirmed {
        /// The last transient error, when a call failed (none when the service answered but
        /// left the record unprocessed).
        last_error: Option<Arc<Error>>,
    },
}

impl Outcome {
    /// Whether the record was metered.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Success { .. })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Success { .. } => f.write_str("metered"),
            Outcome::CustomerNotSubscribed => f.write_str("customer not subscribed"),
            Outcome::DuplicateRecord => {
                f.write_str("duplicate record: an earlier one had another quantity")
            }
            Outcome::OtherStatus(status) => write!(f, "status {status:?}"),
            Outcome::Failed(error) => write!(f, "failed: {error}"),
            Outcome::Unconfirmed {
                last_error: Some(error),
            } => write!(f, "unconfirmed; last error: {error}"),
            Outcome::Unconfirmed { last_error: None } => {
                f.write_str("unconfirmed: left unprocessed by the service")
            }
        }
    }
}

/// The outcome of one input record.
#[derive(Clone, Debug)]
pub struct RecordOutcome {
    index: usize,
    product_code: Option<String>,
    record: UsageRecord,
    outcome: Outcome,
    attempts: u32,
}

impl RecordOutcome {
    /// The record's position in the input.
    pub fn index(&self) -> usize {
        self.index
    }
    /// The product code it was sent with.
    pub fn product_code(&self) -> Option<&str> {
        self.product_code.as_deref()
    }
    /// The record, as given.
    pub fn record(&self) -> &UsageRecord {
        &self.record
    }
    /// What became of it.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
    /// How many calls carried it.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// The record back as a [`SaasRecord`], e.g. to send again an unconfirmed one.
    pub fn to_saas_record(&self) -> SaasRecord {
        SaasRecord {
            product_code: self.product_code.clone(),
            record: self.record.clone(),
        }
    }
}

/// Every input record's outcome, in input order.
#[derive(Clone, Debug, Default)]
pub struct BatchReport {
    outcomes: Vec<RecordOutcome>,
}

impl BatchReport {
    /// One outcome per input record, in input order.
    pub fn outcomes(&self) -> &[RecordOutcome] {
        &self.outcomes
    }
    /// The outcomes, owned.
    pub fn into_outcomes(self) -> Vec<RecordOutcome> {
        self.outcomes
    }
    /// Whether every record was metered.
    pub fn all_succeeded(&self) -> bool {
        self.outcomes.iter().all(|o| o.outcome.is_success())
    }
    /// The records that were not metered, whatever the reason.
    pub fn not_succeeded(&self) -> impl Iterator<Item = &RecordOutcome> {
        self.outcomes.iter().filter(|o| !o.outcome.is_success())
    }
    /// The records to send again later: those [`Outcome::Unconfirmed`].
    pub fn unconfirmed(&self) -> impl Iterator<Item = &RecordOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Unconfirmed { .. }))
    }
}

/// Sends usage records with `BatchMeterUsage`; see the [module documentation](self).
///
/// Cheap to clone; clones share the request pacing.
#[derive(Clone, Debug)]
pub struct BatchMeterer {
    client: Client,
    min_interval: Duration,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    next_request: Arc<tokio::sync::Mutex<Option<Instant>>>,
}

/// Builds a [`BatchMeterer`].
#[derive(Clone, Debug)]
pub struct BatchMetererBuilder {
    client: Client,
    max_requests_per_second: f64,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl BatchMetererBuilder {
    /// The most calls per second this meterer starts (default 5: half the service's quota of
    /// 10 per second per account and region, for other callers). Values that are not positive
    /// and finite mean 1 per second; more than 1000 means 1000.
    pub fn max_requests_per_second(mut self, rate: f64) -> Self {
        self.max_requests_per_second = rate;
        self
    }

    /// How many calls may carry a record before it is reported
    /// [`Outcome::Unconfirmed`] (default 5, at least 1). The client's own retries of one call
    /// come on top.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the second attempt, doubled for each later one up to
    /// [`max_backoff`](Self::max_backoff) (default 200 ms).
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between attempts (default 10 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The meterer.
    pub fn build(self) -> BatchMeterer {
        let rate = self.max_requests_per_second;
        let rate = if rate.is_finite() && rate > 0.0 {
            rate.min(1000.0)
        } else {
            1.0
        };
        BatchMeterer {
            client: self.client,
            min_interval: Duration::from_secs_f64(1.0 / rate),
            max_attempts: self.max_attempts,
            initial_backoff: self.initial_backoff,
            max_backoff: self.max_backoff,
            next_request: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }
}

/// A record while it is being metered.
struct Slot {
    product_code: Option<String>,
    record: UsageRecord,
    outcome: Option<Outcome>,
    attempts: u32,
    last_error: Option<Arc<Error>>,
}

impl BatchMeterer {
    /// A meterer with the default settings.
    pub fn new(client: Client) -> Self {
        Self::builder(client).build()
    }

    /// A builder for a meterer sending through `client`.
    pub fn builder(client: Client) -> BatchMetererBuilder {
        BatchMetererBuilder {
            client,
            max_requests_per_second: 5.0,
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
        }
    }

    /// Meters `records` and reports what became of each; see the
    /// [module documentation](self). Never fails as a whole: failures are per record.
    ///
    /// Dropped before it completes (a timeout around it), it reports nothing, though some
    /// records may be metered: send them all again, which the service de-duplicates.
    pub async fn meter(&self, records: impl IntoIterator<Item = SaasRecord>) -> BatchReport {
        let mut slots: Vec<Slot> = records
            .into_iter()
            .map(|saas| Slot {
                product_code: saas.product_code,
                record: saas.record,
                outcome: None,
                attempts: 0,
                last_error: None,
            })
            .collect();
        let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
        for (index, slot) in slots.iter().enumerate() {
            groups
                .entry(slot.product_code.clone())
                .or_default()
                .push(index);
        }
        for (product_code, indices) in groups {
            self.meter_product(product_code.as_deref(), indices, &mut slots)
                .await;
        }
        let outcomes = slots
            .into_iter()
            .enumerate()
            .map(|(index, slot)| RecordOutcome {
                index,
                product_code: slot.product_code,
                record: slot.record,
                outcome: slot.outcome.unwrap_or(Outcome::Unconfirmed {
                    last_error: slot.last_error,
                }),
                attempts: slot.attempts,
            })
            .collect();
        BatchReport { outcomes }
    }

    /// Meters the records of one product (the `indices` of `slots`).
    async fn meter_product(
        &self,
        product_code: Option<&str>,
        mut pending: Vec<usize>,
        slots: &mut [Slot],
    ) {
        for attempt in 1..=self.max_attempts {
            if pending.is_empty() {
                return;
            }
            if attempt > 1 {
                tokio::time::sleep(backoff(self.initial_backoff, self.max_backoff, attempt - 1))
                    .await;
            }
            let mut calls = calls_of(&pending, slots);
            let mut again = Vec::new();
            while let Some(call) = calls.pop_front() {
                for &index in &call {
                    slots[index].attempts += 1;
                }
                let records = call.iter().map(|&i| slots[i].record.clone()).collect();
                self.pace().await;
                let sent = self
                    .client
                    .batch_meter_usage()
                    .set_product_code(product_code.map(str::to_owned))
                    .set_usage_records(Some(records))
                    .send()
                    .await;
                match sent {
                    Ok(output) => again.extend(match_results(&call, output.results(), slots)),
                    Err(error) => {
                        let error = Arc::new(Error::from(error));
                        if is_transient(&error) {
                            tracing::warn!(%error, records = call.len(), "BatchMeterUsage failed transiently; the records will be sent again");
                            for &index in &call {
                                slots[index].last_error = Some(error.clone());
                            }
                            again.extend(call);
                        } else if call.len() > 1 && is_about_records(&error) {
                            // Find the records at fault: send each half on its own.
                            let (first, second) = call.split_at(call.len() / 2);
                            calls.push_front(second.to_vec());
                            calls.push_front(first.to_vec());
                        } else {
                            tracing::warn!(%error, records = call.len(), "BatchMeterUsage refused the records");
                            for &index in &call {
                                slots[index].outcome = Some(Outcome::Failed(error.clone()));
                            }
                        }
                    }
                }
            }
            pending = again;
        }
        if !pending.is_empty() {
            tracing::warn!(
                records = pending.len(),
                product_code,
                "usage records still unconfirmed after every attempt"
            );
        }
    }

    /// Waits until the next call may start.
    async fn pace(&self) {
        let mut next = self.next_request.lock().await;
        let now = Instant::now();
        let start = match *next {
            Some(at) if at > now => at,
            _ => now,
        };
        *next = Some(start + self.min_interval);
        drop(next);
        tokio::time::sleep_until(start).await;
    }
}

/// Splits `pending` into calls of at most 25 records and of at most
/// `MAX_RECORD_BYTES_PER_CALL` bytes of JSON (a record larger than that goes alone).
fn calls_of(pending: &[usize], slots: &[Slot]) -> VecDeque<Vec<usize>> {
    let mut calls = VecDeque::new();
    let mut call = Vec::new();
    let mut bytes = 0;
    for &index in pending {
        // A record of strings and numbers always serializes; 0 would only mean no split.
        let size = serde_json::to_vec(&slots[index].record).map_or(0, |json| json.len() + 1);
        if !call.is_empty()
            && (call.len() == MAX_RECORDS_PER_CALL || bytes + size > MAX_RECORD_BYTES_PER_CALL)
        {
            calls.push_back(std::mem::take(&mut call));
            bytes = 0;
        }
        call.push(index);
        bytes += size;
    }
    if !call.is_empty() {
        calls.push_back(call);
    }
    calls
}

/// Whether a refused call may have been refused for some of its records only, so that
/// sending them in smaller calls finds the others acceptable.
fn is_about_records(error: &Error) -> bool {
    if let Error::Unhandled(error) = error {
        // The service's own input validation (e.g. a quantity that is not a decimal).
        return error.meta().code() == Some("ValidationException");
    }
    matches!(
        error,
        Error::Validation(_)
            | Error::TimestampOutOfBoundsException(_)
            | Error::InvalidUsageAllocationsException(_)
            | Error::InvalidTagException(_)
            | Error::InvalidCustomerIdentifierException(_)
            | Error::InvalidLicenseException(_)
            | Error::InvalidUsageDimensionException(_)
    )
}

/// Gives the records of `call` the outcomes of the results that name them, and returns the
/// records no result named, in call order.
///
/// A result names the first record of the call without an outcome that is equal to its
/// `UsageRecord`; failing that, the first one with the same customer, license, dimension and
/// timestamp second (should the service write a record back differently, e.g. `17.0` for
/// `17`). Results that name no record sent are logged and ignored.
fn match_results(call: &[usize], results: &[UsageRecordResult], slots: &mut [Slot]) -> Vec<usize> {
    let mut matched = vec![false; call.len()];
    for result in results {
        let (Some(record), Some(status)) = (result.usage_record(), result.status()) else {
            tracing::warn!("a BatchMeterUsage result without a record or a status");
            continue;
        };
        let position = (0..call.len())
            .find(|&p| !matched[p] && slots[call[p]].record == *record)
            .or_else(|| {
                (0..call.len()).find(|&p| !matched[p] && same_key(&slots[call[p]].record, record))
            });
        let Some(position) = position else {
            tracing::warn!(
                dimension = record.dimension(),
                "a BatchMeterUsage result names no record that was sent"
            );
            continue;
        };
        matched[position] = true;
        slots[call[position]].outcome = Some(match status {
            UsageRecordResultStatus::Success => Outcome::Success {
                metering_record_id: result.metering_record_id().map(str::to_owned),
            },
            UsageRecordResultStatus::CustomerNotSubscribed => Outcome::CustomerNotSubscribed,
            UsageRecordResultStatus::DuplicateRecord => Outcome::DuplicateRecord,
            other => Outcome::OtherStatus(other.as_str().to_owned()),
        });
    }
    call.iter()
        .zip(matched)
        .filter(|(_, matched)| !matched)
        .map(|(&index, _)| index)
        .collect()
}

/// Whether two records are for the same customer, license, dimension and second.
fn same_key(a: &UsageRecord, b: &UsageRecord) -> bool {
    a.customer_identifier() == b.customer_identifier()
        && a.customer_aws_account_id() == b.customer_aws_account_id()
        && a.license_arn() == b.license_arn()
        && a.dimension() == b.dimension()
        && a.timestamp().map(|t| t.secs()) == b.timestamp().map(|t| t.secs())
}
