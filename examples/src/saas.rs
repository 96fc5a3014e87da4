//! SaaS usage with `BatchMeterUsage`: a call that succeeds can still leave records
//! unprocessed, and each processed record has a status of its own.

use marketplace_metering::types::{UsageRecord, UsageRecordResultStatus};
use marketplace_metering::{Client, Error};

/// What became of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Billed (or billed before: the service answers the first record's id).
    Metered(String),
    /// The customer has no subscription to the product: not billed.
    CustomerNotSubscribed,
    /// The same customer, dimension and hour were already billed with another quantity.
    DuplicateRecord,
    /// Still unprocessed after every attempt: keep it and send it again later.
    Unprocessed,
}

/// Sends `records` (at most 25, all of `product_code`), sending unprocessed records again up
/// to `attempts` times, and returns each record with its outcome, in no particular order.
/// No record is left out: what was never processed comes back as `Unprocessed`.
pub async fn report(
    client: &Client,
    product_code: &str,
    mut records: Vec<UsageRecord>,
    attempts: u32,
) -> Result<Vec<(UsageRecord, RecordOutcome)>, Error> {
    let mut outcomes = Vec::new();
    for _ in 0..attempts {
        if records.is_empty() {
            break;
        }
        let out = client
            .batch_meter_usage()
            .product_code(product_code)
            .set_usage_records(Some(records))
            .send()
            .await?;
        for result in out.results().iter() {
            let outcome = match result.status() {
                Some(UsageRecordResultStatus::Success) => RecordOutcome::Metered(
                    result.metering_record_id().unwrap_or_default().to_owned(),
                ),
                Some(UsageRecordResultStatus::CustomerNotSubscribed) => {
                    RecordOutcome::CustomerNotSubscribed
                }
                Some(UsageRecordResultStatus::DuplicateRecord) => RecordOutcome::DuplicateRecord,
                // A status this program does not know: treat the record as not billed yet.
                _ => RecordOutcome::Unprocessed,
            };
            if let Some(record) = result.usage_record() {
                outcomes.push((record.clone(), outcome));
            }
        }
        records = out.unprocessed_records().to_vec();
    }
    outcomes.extend(
        records
            .into_iter()
            .map(|record| (record, RecordOutcome::Unprocessed)),
    );
    Ok(outcomes)
}
