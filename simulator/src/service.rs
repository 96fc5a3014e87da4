//! The service's semantics: authentication, throttling, faults and the four operations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value};

use crate::config::{Customer, Product, ProductKind, RegistrationToken};
use crate::faults::{Fault, Faults};
use crate::jwt::Signer;
use crate::quantity::Micros;
use crate::records::{Allocation, MeteringRecord, RecordSource, Registration};
use crate::time::{epoch_millis, epoch_secs_f64, format_rfc3339_millis, truncate_to_hour};
use crate::wire::{Reply, Request};

/// How far from "now" a `MeterUsage` timestamp may be (either way).
const METER_USAGE_WINDOW: Duration = Duration::from_secs(6 * 3600);
/// How far in the past a `BatchMeterUsage` record may be.
const BATCH_PAST_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// How far in the future a `BatchMeterUsage` record may be.
const BATCH_FUTURE_WINDOW: Duration = Duration::from_secs(6 * 3600);

/// The simulator's clock.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Everything fixed at start.
pub(crate) struct Settings {
    pub(crate) region: String,
    pub(crate) products: Vec<Product>,
    pub(crate) customers: Vec<Customer>,
    pub(crate) tokens: Vec<RegistrationToken>,
    pub(crate) buyer_account_id: Option<String>,
    pub(crate) access_keys: HashMap<String, String>,
    pub(crate) throttle_per_second: Option<f64>,
    pub(crate) unprocessed_share: f64,
    pub(crate) public_key_version: i32,
    pub(crate) public_key_rotation: Option<SystemTime>,
    pub(crate) clock: Clock,
}

/// Everything that changes.
struct State {
    records: Vec<MeteringRecord>,
    registrations: Vec<Registration>,
    /// `MeterUsage`: (product, dimension, hour, buyer account) -> index in `records`.
    hourly: HashMap<(String, String, i64, Option<String>), usize>,
    /// `BatchMeterUsage`: (product, customer identifier, dimension, hour) -> index.
    batch: HashMap<(String, String, String, i64), usize>,
    /// `ClientToken` -> (the request's other parameters, the answer).
    client_tokens: HashMap<String, (Value, Result<Value, ServiceError>)>,
    /// Per access key: (tokens, last refill).
    buckets: HashMap<String, (f64, Instant)>,
    rng: u64,
}

/// The running service, shared by the connections.
pub(crate) struct Service {
    settings: Settings,
    signer: Arc<Signer>,
    faults: Faults,
    requests: AtomicU64,
    state: Mutex<State>,
}

/// An error answer: HTTP status, `__type` and message.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ServiceError {
    status: u16,
    code: &'static str,
    message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> ServiceError {
    let status = match code {
        "InternalServiceErrorException" => 500,
        "ServiceUnavailableException" => 503,
        _ => 400,
    };
    ServiceError {
        status,
        code,
        message: message.into(),
    }
}

fn validation(member: &str, value: &Value, constraint: &str) -> ServiceError {
    err(
        "ValidationException",
        format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"),
    )
}

impl Service {
    pub(crate) fn new(settings: Settings, signer: Arc<Signer>, faults: Faults, seed: u64) -> Self {
        Self {
            settings,
            signer,
            faults,
            requests: AtomicU64::new(0),
            state: Mutex::new(State {
                records: Vec::new(),
                registrations: Vec::new(),
                hourly: HashMap::new(),
                batch: HashMap::new(),
                client_tokens: HashMap::new(),
                buckets: HashMap::new(),
                rng: seed,
            }),
        }
    }

    pub(crate) fn public_key_version(&self) -> i32 {
        self.settings.public_key_version
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }

    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    pub(crate) fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    pub(crate) fn records(&self) -> Vec<MeteringRecord> {
        self.state.lock().expect("state lock").records.clone()
    }

    pub(crate) fn registrations(&self) -> Vec<Registration> {
        self.state.lock().expect("state lock").registrations.clone()
    }

    pub(crate) fn now(&self) -> SystemTime {
        (self.settings.clock)()
    }

    /// Answers one request.
    pub(crate) async fn handle(&self, req: Request) -> Reply {
        self.requests.fetch_add(1, Ordering::SeqCst);
        match self.faults.take() {
            None => {}
            Some(Fault::Reset) => return Reply::Reset,
            Some(Fault::InternalError) => {
                return reply_err(err("InternalServiceErrorException", "Injected fault."))
            }
            Some(Fault::ServiceUnavailable) => {
                return reply_err(err("ServiceUnavailableException", "Injected fault."))
            }
            Some(Fault::Throttle) => return reply_err(err("ThrottlingException", "Rate exceeded")),
            Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        }
        match self.answer(&req) {
            Ok(body) => Reply::Response {
                status: 200,
                error_type: None,
                body: body.to_string(),
            },
            Err(e) => reply_err(e),
        }
    }

    fn answer(&self, req: &Request) -> Result<Value, ServiceError> {
        let access_key = if self.settings.access_keys.is_empty() {
            "anonymous".to_owned()
        } else {
            crate::sigv4::verify(req, &self.settings.region, |id| {
                self.settings.access_keys.get(id).map(String::as_str)
            })
            .map_err(|f| err(f.code, f.message))?
        };
        self.throttle(&access_key)?;
        let operation = req
            .header("x-amz-target")
            .and_then(|t| t.strip_prefix("AWSMPMeteringService."))
            .unwrap_or_default();
        let input: Map<String, Value> = match serde_json::from_slice(&req.body) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(err(
                    "SerializationException",
                    "The request body is not a JSON object.",
                ))
            }
        };
        match operation {
            "MeterUsage" => self.meter_usage(&input),
            "BatchMeterUsage" => self.batch_meter_usage(&input),
            "ResolveCustomer" => self.resolve_customer(&input),
            "RegisterUsage" => self.register_usage(&input),
            _ => Err(err(
                "UnknownOperationException",
                format!(
                    "Unknown operation {:?}",
                    req.header("x-amz-target").unwrap_or_default()
                ),
            )),
        }
    }

    /// A token bucket per access key: `rate` tokens a second, holding at most `max(rate, 1)`.
    fn throttle(&self, access_key: &str) -> Result<(), ServiceError> {
        let Some(rate) = self.settings.throttle_per_second else {
            return Ok(());
        };
        let burst = rate.max(1.0);
        let now = Instant::now();
        let mut state = self.state.lock().expect("state lock");
        let (tokens, last) = state
            .buckets
            .entry(access_key.to_owned())
            .or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(err("ThrottlingException", "Rate exceeded"))
        }
    }

    fn product(&self, code: &str) -> Result<&Product, ServiceError> {
        self.settings
            .products
            .iter()
            .find(|p| p.code == code)
            .ok_or_else(|| {
                err(
                    "InvalidProductCodeException",
                    format!("Product code {code} is not valid."),
                )
            })
    }

    /// For `MeterUsage` and `RegisterUsage`: the configured buyer account must be subscribed.
    fn check_buyer_entitled(&self, product: &str) -> Result<Option<&Customer>, ServiceError> {
        let Some(account) = &self.settings.buyer_account_id else {
            return Ok(None);
        };
        match self
            .settings
            .customers
            .iter()
            .find(|c| c.aws_account_id == *account)
        {
            Some(c) if c.is_subscribed_to(product) => Ok(Some(c)),
            _ => Err(err(
                "CustomerNotEntitledException",
                format!("The customer (account {account}) is not entitled to product {product}."),
            )),
        }
    }

    fn meter_usage(&self, input: &Map<String, Value>) -> Result<Value, ServiceError> {
        let request = MeterUsage::parse(input)?;
        // One lock for the whole call: two requests with one ClientToken, or for one hour,
        // are answered one after the other.
        let mut state = self.state.lock().expect("state lock");
        let Some(token) = &request.client_token else {
            return self.meter_usage_checked(&mut state, &request);
        };
        if let Some((seen, answer)) = state.client_tokens.get(token) {
            if *seen != request.fingerprint {
                return Err(err(
                    "IdempotencyConflictException",
                    format!("ClientToken {token} was used by a request with other parameters."),
                ));
            }
            return answer.clone();
        }
        let answer = self.meter_usage_checked(&mut state, &request);
        // A dry run is not the request itself; throttling and faults are not answers to keep.
        let keep = !request.dry_run
            && !matches!(&answer, Err(e) if e.code == "ThrottlingException" || e.status >= 500);
        if keep {
            state
                .client_tokens
                .insert(token.clone(), (request.fingerprint.clone(), answer.clone()));
        }
        answer
    }

    fn meter_usage_checked(
        &self,
        state: &mut State,
        request: &MeterUsage,
    ) -> Result<Value, ServiceError> {
        let MeterUsage {
            product_code,
            timestamp,
            dimension,
            quantity,
            decimal,
            allocations,
            dry_run,
            ..
        } = request;
        let product = self.product(product_code)?;
        if product.kind == ProductKind::Saas {
            return Err(err(
                "InvalidProductCodeException",
                format!("Product {product_code} is a SaaS product: meter it with BatchMeterUsage."),
            ));
        }
        check_dimension(product, dimension)?;
        let now = self.now();
        if !within(*timestamp, now, METER_USAGE_WINDOW, METER_USAGE_WINDOW) {
            return Err(err(
                "TimestampOutOfBoundsException",
                format!(
                    "Timestamp {} is more than 6 hours away from the current time {}.",
                    format_rfc3339_millis(*timestamp),
                    format_rfc3339_millis(now)
                ),
            ));
        }
        check_allocations(allocations, *quantity, *decimal)?;
        let customer = self.check_buyer_entitled(product_code)?;
        if *dry_run {
            return Err(err(
                "DryRunOperation",
                "Request would have succeeded, but the DryRun flag is set.",
            ));
        }
        let hour = truncate_to_hour(*timestamp);
        let key = (
            product_code.clone(),
            dimension.clone(),
            epoch_millis(hour),
            self.settings.buyer_account_id.clone(),
        );
        if let Some(&index) = state.hourly.get(&key) {
            let first = &state.records[index];
            if Micros::parse_decimal(&first.quantity_decimal) == Some(*quantity) {
                return Ok(json!({ "MeteringRecordId": first.record_id }));
            }
            return Err(err(
                "DuplicateRequestException",
                format!(
                    "Usage of {dimension} for the hour {} was already metered with quantity {}.",
                    format_rfc3339_millis(hour),
                    first.quantity_decimal
                ),
            ));
        }
        let record = MeteringRecord {
            record_id: random_uuid(),
            source: RecordSource::MeterUsage,
            product_code: product_code.clone(),
            customer_identifier: customer.map(|c| c.identifier.clone()),
            customer_aws_account_id: self.settings.buyer_account_id.clone(),
            dimension: dimension.clone(),
            hour,
            timestamp: *timestamp,
            quantity: quantity.to_f64(),
            quantity_decimal: quantity.to_decimal_string(),
            allocations: allocations.iter().map(ParsedAllocation::public).collect(),
        };
        let id = record.record_id.clone();
        state.records.push(record);
        let index = state.records.len() - 1;
        state.hourly.insert(key, index);
        Ok(json!({ "MeteringRecordId": id }))
    }

    fn batch_meter_usage(&self, input: &Map<String, Value>) -> Result<Value, ServiceError> {
        let records = match input.get("UsageRecords") {
            None | Some(Value::Null) => return Err(missing("usageRecords")),
            Some(Value::Array(records)) => records,
            Some(v) => return Err(validation("usageRecords", v, "Member must be a list")),
        };
        if records.len() > 25 {
            return Err(validation(
                "usageRecords",
                &json!(records.len()),
                "Member must have length less than or equal to 25",
            ));
        }
        let product_code =
            product_code_member(input, "ProductCode", "productCode")?.ok_or_else(|| {
                err(
                "InvalidProductCodeException",
                "ProductCode is required: the simulator does not model LicenseArn-based metering.",
            )
            })?;
        let mut parsed = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            parsed.push(parse_usage_record(record, i + 1)?);
        }
        let product = self.product(&product_code)?;
        if product.kind != ProductKind::Saas {
            return Err(err(
                "InvalidProductCodeException",
                format!(
                    "Product {product_code} is not a SaaS product: BatchMeterUsage is for SaaS."
                ),
            ));
        }
        let now = self.now();
        for record in &parsed {
            check_dimension(product, &record.dimension)?;
            if !within(
                record.timestamp,
                now,
                BATCH_PAST_WINDOW,
                BATCH_FUTURE_WINDOW,
            ) {
                return Err(err(
                    "TimestampOutOfBoundsException",
                    format!(
                        "Timestamp {} is out of the allowed range (24 hours in the past, 6 in the future) around {}; no record of the batch was processed.",
                        format_rfc3339_millis(record.timestamp),
                        format_rfc3339_millis(now)
                    ),
                ));
            }
            check_allocations(&record.allocations, record.quantity, record.decimal)?;
        }
        let mut state = self.state.lock().expect("state lock");
        let mut results = Vec::new();
        let mut unprocessed = Vec::new();
        for (raw, record) in records.iter().zip(&parsed) {
            if self.settings.unprocessed_share > 0.0
                && next_unit(&mut state.rng) < self.settings.unprocessed_share
            {
                unprocessed.push(raw.clone());
                continue;
            }
            let customer = self
                .settings
                .customers
                .iter()
                .find(|c| match &record.customer {
                    CustomerRef::Identifier(id) => c.identifier == *id,
                    CustomerRef::Account(account) => c.aws_account_id == *account,
                });
            let Some(customer) = customer.filter(|c| c.is_subscribed_to(&product_code)) else {
                results.push(json!({ "UsageRecord": raw, "Status": "CustomerNotSubscribed" }));
                continue;
            };
            let hour = truncate_to_hour(record.timestamp);
            let key = (
                product_code.clone(),
                customer.identifier.clone(),
                record.dimension.clone(),
                epoch_millis(hour),
            );
            if let Some(&index) = state.batch.get(&key) {
                let first = &state.records[index];
                if Micros::parse_decimal(&first.quantity_decimal) == Some(record.quantity) {
                    results.push(json!({
                        "UsageRecord": raw,
                        "MeteringRecordId": first.record_id,
                        "Status": "Success",
                    }));
                } else {
                    results.push(json!({ "UsageRecord": raw, "Status": "DuplicateRecord" }));
                }
                continue;
            }
            let metering = MeteringRecord {
                record_id: random_uuid(),
                source: RecordSource::BatchMeterUsage,
                product_code: product_code.clone(),
                customer_identifier: Some(customer.identifier.clone()),
                customer_aws_account_id: Some(customer.aws_account_id.clone()),
                dimension: record.dimension.clone(),
                hour,
                timestamp: record.timestamp,
                quantity: record.quantity.to_f64(),
                quantity_decimal: record.quantity.to_decimal_string(),
                allocations: record
                    .allocations
                    .iter()
                    .map(ParsedAllocation::public)
                    .collect(),
            };
            results.push(json!({
                "UsageRecord": raw,
                "MeteringRecordId": metering.record_id,
                "Status": "Success",
            }));
            state.records.push(metering);
            let index = state.records.len() - 1;
            state.batch.insert(key, index);
        }
        Ok(json!({ "Results": results, "UnprocessedRecords": unprocessed }))
    }

    fn resolve_customer(&self, input: &Map<String, Value>) -> Result<Value, ServiceError> {
        let token = match input.get("RegistrationToken") {
            None | Some(Value::Null) => return Err(missing("registrationToken")),
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(v) => {
                return Err(validation(
                    "registrationToken",
                    v,
                    "Member must satisfy regular expression pattern: [\\s\\S]+",
                ))
            }
        };
        let Some(issued) = self.settings.tokens.iter().find(|t| t.token == *token) else {
            return Err(err(
                "InvalidTokenException",
                "Registration token is invalid.",
            ));
        };
        if issued.expires_at.is_some_and(|at| self.now() >= at) {
            return Err(err(
                "ExpiredTokenException",
                "The submitted registration token has expired.",
            ));
        }
        let mut out = json!({
            "CustomerIdentifier": issued.customer,
            "ProductCode": issued.product_code,
        });
        if let Some(customer) = self
            .settings
            .customers
            .iter()
            .find(|c| c.identifier == issued.customer)
        {
            out["CustomerAWSAccountId"] = json!(customer.aws_account_id);
        }
        Ok(out)
    }

    fn register_usage(&self, input: &Map<String, Value>) -> Result<Value, ServiceError> {
        let product_code = product_code_member(input, "ProductCode", "productCode")?
            .ok_or_else(|| missing("productCode"))?;
        let version = match input.get("PublicKeyVersion") {
            None | Some(Value::Null) => return Err(missing("publicKeyVersion")),
            Some(v) => match v.as_i64() {
                Some(n) if (1..=i64::from(i32::MAX)).contains(&n) => n,
                _ => {
                    return Err(validation(
                        "publicKeyVersion",
                        v,
                        "Member must have value greater than or equal to 1",
                    ))
                }
            },
        };
        let nonce = optional_string(input, "Nonce", "nonce", 0, 255)?;
        let product = self.product(&product_code)?;
        if product.kind != ProductKind::Container {
            return Err(err(
                "PlatformNotSupportedException",
                format!("Product {product_code} is not a container product: RegisterUsage is for paid container products."),
            ));
        }
        if version != i64::from(self.settings.public_key_version) {
            return Err(err(
                "InvalidPublicKeyVersionException",
                format!("Public key version {version} is invalid."),
            ));
        }
        self.check_buyer_entitled(&product_code)?;
        let mut payload = format!(
            r#"{{"productCode":{},"publicKeyVersion":{version}"#,
            Value::from(product_code.as_str())
        );
        if let Some(nonce) = &nonce {
            payload.push_str(&format!(r#","nonce":{}"#, Value::from(nonce.as_str())));
        }
        let issued_at = self.now();
        payload.push_str(&format!(
            r#","issuedAt":"{}"}}"#,
            format_rfc3339_millis(issued_at)
        ));
        let signature = self.signer.sign_jwt(&payload);
        self.state
            .lock()
            .expect("state lock")
            .registrations
            .push(Registration {
                product_code: product_code.clone(),
                customer_aws_account_id: self.settings.buyer_account_id.clone(),
                nonce,
                public_key_version: self.settings.public_key_version,
                issued_at,
                signature: signature.clone(),
            });
        let mut out = json!({ "Signature": signature });
        if let Some(rotation) = self.settings.public_key_rotation {
            out["PublicKeyRotationTimestamp"] = json!(epoch_secs_f64(rotation));
        }
        Ok(out)
    }
}

/// A `MeterUsage` request, read and checked against the model's bounds.
struct MeterUsage {
    product_code: String,
    timestamp: SystemTime,
    dimension: String,
    quantity: Micros,
    /// Whether the quantity came as `UsageQuantityAsDecimal`.
    decimal: bool,
    allocations: Vec<ParsedAllocation>,
    dry_run: bool,
    client_token: Option<String>,
    /// Every parameter but the `ClientToken`, quantities by value: what a reused token must
    /// come with again.
    fingerprint: Value,
}

impl MeterUsage {
    fn parse(input: &Map<String, Value>) -> Result<Self, ServiceError> {
        let product_code = product_code_member(input, "ProductCode", "productCode")?
            .ok_or_else(|| missing("productCode"))?;
        let timestamp = timestamp_member(input, "Timestamp", "timestamp")?
            .ok_or_else(|| missing("timestamp"))?;
        let dimension = dimension_member(input, "UsageDimension", "usageDimension")?
            .ok_or_else(|| missing("usageDimension"))?;
        let (quantity, decimal) = quantity_members(
            input,
            ("UsageQuantity", "usageQuantity"),
            ("UsageQuantityAsDecimal", "usageQuantityAsDecimal"),
        )?;
        let dry_run = match input.get("DryRun") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => return Err(validation("dryRun", v, "Member must be a boolean")),
        };
        let client_token = optional_string(input, "ClientToken", "clientToken", 1, 64)?;
        let allocations = allocations_member(input.get("UsageAllocations"), "usageAllocations")?;
        let fingerprint = json!({
            "ProductCode": product_code,
            "Timestamp": epoch_millis(timestamp),
            "UsageDimension": dimension,
            "Quantity": quantity.0,
            "Decimal": decimal,
            "DryRun": dry_run,
            "UsageAllocations": input.get("UsageAllocations"),
        });
        Ok(Self {
            product_code,
            timestamp,
            dimension,
            quantity,
            decimal,
            allocations,
            dry_run,
            client_token,
            fingerprint,
        })
    }
}

fn reply_err(e: ServiceError) -> Reply {
    Reply::Response {
        status: e.status,
        body: json!({ "__type": e.code, "message": e.message }).to_string(),
        error_type: Some(e.code.to_owned()),
    }
}

fn missing(member: &str) -> ServiceError {
    err(
        "ValidationException",
        format!("1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"),
    )
}

fn within(t: SystemTime, now: SystemTime, past: Duration, future: Duration) -> bool {
    match now.duration_since(t) {
        Ok(behind) => behind <= past,
        Err(ahead) => ahead.duration() <= future,
    }
}

fn check_dimension(product: &Product, dimension: &str) -> Result<(), ServiceError> {
    if product.dimensions.iter().any(|d| d == dimension) {
        Ok(())
    } else {
        Err(err(
            "InvalidUsageDimensionException",
            format!(
                "The usage dimension {dimension} is not one of product {}'s dimensions.",
                product.code
            ),
        ))
    }
}

fn optional_string(
    input: &Map<String, Value>,
    name: &str,
    member: &str,
    min: usize,
    max: usize,
) -> Result<Option<String>, ServiceError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let len = s.chars().count();
            if len < min {
                Err(validation(
                    member,
                    &json!(s),
                    &format!("Member must have length greater than or equal to {min}"),
                ))
            } else if len > max {
                Err(validation(
                    member,
                    &json!(s),
                    &format!("Member must have length less than or equal to {max}"),
                ))
            } else {
                Ok(Some(s.clone()))
            }
        }
        Some(v) => Err(validation(member, v, "Member must be a string")),
    }
}

fn product_code_member(
    input: &Map<String, Value>,
    name: &str,
    member: &str,
) -> Result<Option<String>, ServiceError> {
    let code = optional_string(input, name, member, 0, 255)?;
    if let Some(code) = &code {
        if !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-/=:_.@".contains(&b))
        {
            return Err(validation(
                member,
                &json!(code),
                "Member must satisfy regular expression pattern: ^[-a-zA-Z0-9/=:_.@]*$",
            ));
        }
    }
    Ok(code)
}

fn dimension_member(
    input: &Map<String, Value>,
    name: &str,
    member: &str,
) -> Result<Option<String>, ServiceError> {
    optional_string(input, name, member, 1, 255)
}

fn timestamp_member(
    input: &Map<String, Value>,
    name: &str,
    member: &str,
) -> Result<Option<SystemTime>, ServiceError> {
    match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(crate::time::from_epoch_secs_f64)
            .map(Some)
            .ok_or_else(|| {
                validation(
                    member,
                    &Value::Number(n.clone()),
                    "Member must be a timestamp",
                )
            }),
        Some(Value::String(s)) => s
            .parse::<f64>()
            .ok()
            .and_then(crate::time::from_epoch_secs_f64)
            .or_else(|| crate::time::parse_rfc3339(s))
            .map(Some)
            .ok_or_else(|| validation(member, &json!(s), "Member must be a timestamp")),
        Some(v) => Err(validation(member, v, "Member must be a timestamp")),
    }
}

/// The quantity from its whole-number or decimal member (at most one; neither is 0), and
/// whether it was the decimal one.
fn quantity_members(
    input: &Map<String, Value>,
    whole: (&str, &str),
    decimal: (&str, &str),
) -> Result<(Micros, bool), ServiceError> {
    let w = input.get(whole.0).filter(|v| !v.is_null());
    let d = input.get(decimal.0).filter(|v| !v.is_null());
    match (w, d) {
        (Some(_), Some(_)) => Err(err(
            "ValidationException",
            format!("You can't specify both {} and {}.", whole.0, decimal.0),
        )),
        (Some(v), None) => match v.as_i64() {
            Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => Ok((Micros::whole(n as u64), false)),
            _ => Err(validation(
                whole.1,
                v,
                "Member must have value between 0 and 2147483647",
            )),
        },
        (None, Some(v)) => v
            .as_str()
            .and_then(Micros::parse_decimal)
            .map(|q| (q, true))
            .ok_or_else(|| {
                validation(
                    decimal.1,
                    v,
                    "Member must satisfy regular expression pattern: ^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,6})?$",
                )
            }),
        (None, None) => Ok((Micros::default(), false)),
    }
}

/// One allocation as sent: its quantity, whether decimal, and its tags.
struct ParsedAllocation {
    quantity: Option<Micros>,
    decimal: bool,
    tags: Vec<(String, String)>,
}

impl ParsedAllocation {
    fn public(&self) -> Allocation {
        let q = self.quantity.unwrap_or_default();
        Allocation {
            quantity: q.to_f64(),
            quantity_decimal: q.to_decimal_string(),
            tags: self.tags.clone(),
        }
    }
}

fn allocations_member(
    value: Option<&Value>,
    member: &str,
) -> Result<Vec<ParsedAllocation>, ServiceError> {
    let list = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(v) => return Err(validation(member, v, "Member must be a list")),
    };
    if list.is_empty() || list.len() > 2500 {
        return Err(validation(
            member,
            &json!(list.len()),
            "Member must have length between 1 and 2500",
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let Some(obj) = item.as_object() else {
            return Err(validation(member, item, "Member must be a structure"));
        };
        let whole = obj.get("AllocatedUsageQuantity").filter(|v| !v.is_null());
        let decimal = obj
            .get("AllocatedUsageQuantityAsDecimal")
            .filter(|v| !v.is_null());
        let (quantity, is_decimal) = match (whole, decimal) {
            (Some(_), Some(_)) => {
                return Err(err(
                    "InvalidUsageAllocationsException",
                    "An allocation must specify exactly one of AllocatedUsageQuantity or AllocatedUsageQuantityAsDecimal.",
                ))
            }
            (Some(v), None) => match v.as_i64() {
                Some(n) if (0..=i64::from(i32::MAX)).contains(&n) => (Some(Micros::whole(n as u64)), false),
                _ => return Err(validation("allocatedUsageQuantity", v, "Member must have value between 0 and 2147483647")),
            },
            (None, Some(v)) => match v.as_str().and_then(Micros::parse_decimal) {
                Some(q) => (Some(q), true),
                None => return Err(validation("allocatedUsageQuantityAsDecimal", v, "Member must satisfy regular expression pattern: ^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,6})?$")),
            },
            (None, None) => (None, false),
        };
        let tags = tags_member(obj.get("Tags"))?;
        out.push(ParsedAllocation {
            quantity,
            decimal: is_decimal,
            tags,
        });
    }
    Ok(out)
}

fn tags_member(value: Option<&Value>) -> Result<Vec<(String, String)>, ServiceError> {
    let list = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(err("InvalidTagException", "Tags must be a list.")),
    };
    if list.is_empty() || list.len() > 5 {
        return Err(err(
            "InvalidTagException",
            format!(
                "An allocation has {} tags: between 1 and 5 are allowed.",
                list.len()
            ),
        ));
    }
    let mut tags: Vec<(String, String)> = Vec::with_capacity(list.len());
    for tag in list {
        let key = tag.get("Key").and_then(Value::as_str);
        let value = tag.get("Value").and_then(Value::as_str);
        let (Some(key), Some(value)) = (key, value) else {
            return Err(err(
                "InvalidTagException",
                "Every tag needs a Key and a Value.",
            ));
        };
        for (what, text, max) in [("key", key, 100), ("value", value, 256)] {
            let len = text.chars().count();
            if len == 0 || len > max || !text.bytes().all(tag_byte) {
                return Err(err(
                    "InvalidTagException",
                    format!("Tag {what} {text:?} must be 1 to {max} characters of ^[a-zA-Z0-9+ -=._:\\/@]+$."),
                ));
            }
        }
        if tags.iter().any(|(k, _)| k == key) {
            return Err(err(
                "InvalidTagException",
                format!("Tag key {key:?} appears twice in one allocation."),
            ));
        }
        tags.push((key.to_owned(), value.to_owned()));
    }
    Ok(tags)
}

/// `[a-zA-Z0-9+ -=._:\/@]`: note ` -=` is the range from space to `=`.
fn tag_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || (b' '..=b'=').contains(&b) || b"._:/@+".contains(&b)
}

fn check_allocations(
    allocations: &[ParsedAllocation],
    quantity: Micros,
    decimal: bool,
) -> Result<(), ServiceError> {
    if allocations.is_empty() {
        return Ok(());
    }
    let mut sum: u64 = 0;
    for a in allocations {
        let Some(q) = a.quantity else {
            return Err(err(
                "InvalidUsageAllocationsException",
                "Every allocation must specify AllocatedUsageQuantity or AllocatedUsageQuantityAsDecimal.",
            ));
        };
        if a.decimal != decimal {
            return Err(err(
                "InvalidUsageAllocationsException",
                "Allocations must use the same type of quantity (whole number or decimal) as the usage quantity.",
            ));
        }
        sum = sum.saturating_add(q.0);
    }
    if sum != quantity.0 {
        return Err(err(
            "InvalidUsageAllocationsException",
            format!(
                "The allocated quantities sum to {}, not to the usage quantity {}.",
                Micros(sum).to_decimal_string(),
                quantity.to_decimal_string()
            ),
        ));
    }
    let mut sets: Vec<Vec<&(String, String)>> = Vec::new();
    for a in allocations {
        let mut set: Vec<&(String, String)> = a.tags.iter().collect();
        set.sort();
        if sets.contains(&set) {
            return Err(err(
                "InvalidUsageAllocationsException",
                "Each allocation must have a unique set of tags.",
            ));
        }
        sets.push(set);
    }
    Ok(())
}

enum CustomerRef {
    Identifier(String),
    Account(String),
}

struct ParsedRecord {
    timestamp: SystemTime,
    dimension: String,
    quantity: Micros,
    decimal: bool,
    customer: CustomerRef,
    allocations: Vec<ParsedAllocation>,
}

fn parse_usage_record(value: &Value, n: usize) -> Result<ParsedRecord, ServiceError> {
    let Some(input) = value.as_object() else {
        return Err(validation(
            &format!("usageRecords.{n}.member"),
            value,
            "Member must be a structure",
        ));
    };
    let at = |m: &str| format!("usageRecords.{n}.member.{m}");
    let timestamp = timestamp_member(input, "Timestamp", &at("timestamp"))?
        .ok_or_else(|| missing(&at("timestamp")))?;
    let dimension = dimension_member(input, "Dimension", &at("dimension"))?
        .ok_or_else(|| missing(&at("dimension")))?;
    let (quantity, decimal) = quantity_members(
        input,
        ("Quantity", &at("quantity")),
        ("QuantityAsDecimal", &at("quantityAsDecimal")),
    )?;
    let identifier = optional_string(
        input,
        "CustomerIdentifier",
        &at("customerIdentifier"),
        0,
        255,
    )?;
    let account = optional_string(
        input,
        "CustomerAWSAccountId",
        &at("customerAWSAccountId"),
        1,
        255,
    )?;
    if let Some(account) = &account {
        if !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(validation(
                &at("customerAWSAccountId"),
                &json!(account),
                "Member must satisfy regular expression pattern: ^[0-9]+$",
            ));
        }
    }
    let customer = match (identifier, account) {
        (Some(id), None) => CustomerRef::Identifier(id),
        (None, Some(account)) => CustomerRef::Account(account),
        (Some(_), Some(_)) => {
            return Err(err(
                "ValidationException",
                format!(
                "Usage record {n} has both CustomerIdentifier and CustomerAWSAccountId: give one."
            ),
            ))
        }
        (None, None) => {
            return Err(err(
                "ValidationException",
                format!(
                    "Usage record {n} has neither CustomerIdentifier nor CustomerAWSAccountId."
                ),
            ))
        }
    };
    let allocations = allocations_member(input.get("UsageAllocations"), &at("usageAllocations"))?;
    Ok(ParsedRecord {
        timestamp,
        dimension,
        quantity,
        decimal,
        customer,
        allocations,
    })
}

/// splitmix64: a uniform number in [0, 1), reproducible from the seed.
fn next_unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A random version-4 UUID, for record and request ids.
pub(crate) fn random_uuid() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        // Unique within the process all the same.
        bytes[..8].copy_from_slice(&COUNTER.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = crate::sigv4::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
