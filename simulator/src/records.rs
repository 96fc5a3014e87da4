//! What was metered, as a bill would show it.

use std::time::SystemTime;

/// The operation a record came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordSource {
    /// `MeterUsage`.
    MeterUsage,
    /// `BatchMeterUsage`.
    BatchMeterUsage,
}

/// One accepted metering record. Repeats that the service answers idempotently (the same
/// hour and quantity again, or a replayed `ClientToken`) do not add records.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MeteringRecord {
    /// The `MeteringRecordId` the service answered.
    pub record_id: String,
    /// Which operation recorded it.
    pub source: RecordSource,
    /// The product code.
    pub product_code: String,
    /// The customer identifier: the configured customer the record is for, if known.
    pub customer_identifier: Option<String>,
    /// The buyer's AWS account id: the record's customer, or for `MeterUsage` the configured
    /// buyer account, if any.
    pub customer_aws_account_id: Option<String>,
    /// The usage dimension.
    pub dimension: String,
    /// The start of the hour of `timestamp`: what duplicates are detected by.
    pub hour: SystemTime,
    /// The timestamp as sent.
    pub timestamp: SystemTime,
    /// The quantity as a number.
    pub quantity: f64,
    /// The quantity as the shortest decimal text (`3`, `3.5`), exact.
    pub quantity_decimal: String,
    /// The usage allocations as sent (empty when none).
    pub allocations: Vec<Allocation>,
}

/// A share of a record's quantity, with the tags it is allocated to.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Allocation {
    /// The allocated quantity as a number.
    pub quantity: f64,
    /// The allocated quantity as exact decimal text.
    pub quantity_decimal: String,
    /// The tags, `(key, value)`, in the order sent (empty for the untagged bucket).
    pub tags: Vec<(String, String)>,
}

/// Which records to select, for [`Simulator::query`](crate::Simulator::query): each field that
/// is set must match.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Query {
    /// The product code.
    pub product_code: Option<String>,
    /// The customer: matches its identifier or its AWS account id.
    pub customer: Option<String>,
    /// The usage dimension.
    pub dimension: Option<String>,
    /// The hour (any time in it).
    pub hour: Option<SystemTime>,
}

impl Query {
    /// Matches every record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only records of this product.
    pub fn product(mut self, product_code: impl Into<String>) -> Self {
        self.product_code = Some(product_code.into());
        self
    }

    /// Only records of this customer (identifier or AWS account id).
    pub fn customer(mut self, customer: impl Into<String>) -> Self {
        self.customer = Some(customer.into());
        self
    }

    /// Only records of this dimension.
    pub fn dimension(mut self, dimension: impl Into<String>) -> Self {
        self.dimension = Some(dimension.into());
        self
    }

    /// Only records of the hour `at` falls in.
    pub fn hour(mut self, at: SystemTime) -> Self {
        self.hour = Some(crate::time::truncate_to_hour(at));
        self
    }

    /// Whether `record` is selected.
    pub fn matches(&self, record: &MeteringRecord) -> bool {
        self.product_code
            .as_ref()
            .is_none_or(|p| *p == record.product_code)
            && self
                .dimension
                .as_ref()
                .is_none_or(|d| *d == record.dimension)
            && self
                .hour
                .is_none_or(|h| crate::time::truncate_to_hour(h) == record.hour)
            && self.customer.as_ref().is_none_or(|c| {
                record.customer_identifier.as_ref() == Some(c)
                    || record.customer_aws_account_id.as_ref() == Some(c)
            })
    }
}

/// One successful `RegisterUsage` call: the start of a metered container task.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Registration {
    /// The product code.
    pub product_code: String,
    /// The buyer account it ran under, if one is configured.
    pub customer_aws_account_id: Option<String>,
    /// The request's `Nonce`, if any.
    pub nonce: Option<String>,
    /// The public key version it was signed for.
    pub public_key_version: i32,
    /// The signature's `issuedAt`.
    pub issued_at: SystemTime,
    /// The JWT answered as `Signature`.
    pub signature: String,
}
