//! Retries as the AWS SDKs define them: which failures are retried, how long to wait,
//! and when to stop.
//!
//! *Standard* mode (the default) is the AWS SDKs' standard retry mode:
//!
//! - at most [`RetryConfig::max_attempts`] attempts per call, 3 by default;
//! - retried: the throttling error codes ([`THROTTLING_CODES`]), the transient
//!   codes ([`TRANSIENT_CODES`]), HTTP 500, 502, 503 and 504, and failures to
//!   connect, reset or closed connections and timeouts; never validation or other
//!   client errors, and never a response that arrived but cannot be read;
//! - before retry *n* (after attempt *n* failed) the client waits
//!   `rand(0,1) * min(initial_backoff * 2^(n-1), max_backoff)`, 1 s and 20 s by
//!   default ("full jitter");
//! - a retry quota shared by every call of a client (and its clones) stops retry
//!   storms: it starts with 500 tokens, a retry takes 5 (10 after a timeout or a
//!   connection error), a call that succeeds gives back what its last retry took,
//!   or 1 when it succeeded at once; when the quota cannot pay for a retry, the
//!   call fails with its last error.
//!
//! *Adaptive* mode adds a client-side rate limiter: after the first throttling
//! error, every attempt takes a token from a bucket whose fill rate follows
//! CUBIC congestion control — cut to 70% of the measured send rate on each
//! throttling error, growing back along a cubic curve while requests succeed, as
//! botocore's `retries/adaptive.py` and aws-sdk-rust's client rate limiter do.
//!
//! Clock skew is a separate, single retry: when the service says the request's
//! time is off (see [`is_clock_skew_error`]) and its `Date` header shows the local
//! clock is off by more than [`MIN_CLOCK_SKEW`], the client signs with the
//! service's time from then on and retries the call once, at once, without taking
//! from the quota. A `Date` more than [`MAX_CLOCK_SKEW`] away from the local clock
//! is not believed: it is more likely a proxy's or a broken server's than the
//! service's, and would move the signing time by days or years.
//!
//! Everything here is pure: the time is passed in, the random numbers come from an
//! injected source, and the waiting is done by the caller, so the tests never sleep.

use crate::error::ConfigError;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The attempts per call unless configured: the first and two retries.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// The base of the exponential backoff.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// The longest backoff before jitter.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The tokens the retry quota starts with, and its most.
pub const RETRY_QUOTA_CAPACITY: u32 = 500;
/// What a retry takes from the quota.
pub const RETRY_COST: u32 = 5;
/// What a retry after a timeout or a connection error takes from the quota.
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// What a call that succeeds on its first attempt gives to the quota.
pub const NO_RETRY_INCREMENT: u32 = 1;

/// Error codes that mean the service is throttling the caller: the standard list
/// of the AWS SDKs.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes of transient failures.
pub const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// HTTP statuses of transient failures, whatever the error code.
pub const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Error codes that can mean the request's signing time is too far from the
/// service's clock. `InvalidSignatureException` counts only with a message about
/// time ("Signature expired", "not yet current").
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "InvalidSignatureException",
];

/// The smallest difference between the local clock and the service's `Date` that
/// counts as clock skew. SigV4 signatures are accepted within 5 minutes of the
/// service's time, so a smaller difference cannot be why a request was refused
/// (the AWS SDK for Java uses the same bound).
pub const MIN_CLOCK_SKEW: Duration = Duration::from_secs(4 * 60);

/// The largest correction of the local clock a service's `Date` can teach: 24
/// hours. A host's clock that is off by more is broken beyond what signing
/// can fix, while a `Date` that claims it is usually comes from something
/// between the client and the service.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(24 * 60 * 60);

/// Which retry behaviour a client has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryMode {
    /// The AWS SDKs' standard mode: backoff with jitter and a retry quota.
    #[default]
    Standard,
    /// Standard, plus a client-side rate limiter that slows down after throttling.
    Adaptive,
}

impl RetryMode {
    /// The name as `AWS_RETRY_MODE` spells it: `standard` or `adaptive`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RetryMode::Standard => "standard",
            RetryMode::Adaptive => "adaptive",
        }
    }
}

impl fmt::Display for RetryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `AWS_RETRY_MODE` and `retry_mode` accept, for error messages.
#[doc(hidden)]
pub const RETRY_MODE_VALUES: &str = "`standard`, `adaptive` or `legacy`";

impl FromStr for RetryMode {
    type Err = ConfigError;

    /// `standard` or `adaptive`, in any case. `legacy`, which other AWS SDKs
    /// accept for their older behaviour, means `standard` here: the standard
    /// mode replaced it, and a shared config file written for them keeps working.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("standard") || value.eq_ignore_ascii_case("legacy") {
            Ok(RetryMode::Standard)
        } else if value.eq_ignore_ascii_case("adaptive") {
            Ok(RetryMode::Adaptive)
        } else {
            Err(ConfigError::new(format!(
                "`{value}` is not a retry mode: expected {RETRY_MODE_VALUES}"
            )))
        }
    }
}

/// How a client retries: the mode, the attempts per call and the backoff.
///
/// ```
/// # use marketplace_sdk_runtime::retry::RetryConfig;
/// let retries = RetryConfig::standard().with_max_attempts(5);
/// assert_eq!(retries.max_attempts(), 5);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    mode: RetryMode,
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig::standard()
    }
}

impl RetryConfig {
    /// Standard mode: 3 attempts, backoff from 1 s up to 20 s.
    pub fn standard() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }

    /// Adaptive mode: standard, plus client-side rate limiting after throttling.
    pub fn adaptive() -> Self {
        RetryConfig::standard().with_mode(RetryMode::Adaptive)
    }

    /// One attempt per call: no retries at all (not even for clock skew).
    pub fn disabled() -> Self {
        RetryConfig::standard().with_max_attempts(1)
    }

    /// The mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// Attempts per call, the first one included; 1 means no retries. 0 is
    /// reported as a configuration error when a call is made.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// The base of the exponential backoff (default 1 s).
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// The longest wait before a retry, before jitter (default 20 s).
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// The mode.
    pub fn mode(&self) -> RetryMode {
        self.mode
    }

    /// Attempts per call, the first one included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The base of the exponential backoff.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest wait before a retry, before jitter.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Whether a call can be made with this configuration.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.max_attempts == 0 {
            return Err(ConfigError::new(
                "max attempts is 0: a call needs at least 1 attempt (RetryConfig::with_max_attempts)",
            ));
        }
        Ok(())
    }
}

/// Why a failed attempt may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// A throttling error code.
    Throttling,
    /// A transient error code or a 5xx status.
    Transient,
    /// The attempt timed out.
    Timeout,
    /// The connection failed: not made, reset or closed.
    Connection,
    /// The signing time was off; the clock offset has been learned.
    ClockSkew,
}

impl RetryReason {
    /// For traces and messages.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RetryReason::Throttling => "throttling error",
            RetryReason::Transient => "transient error",
            RetryReason::Timeout => "timeout",
            RetryReason::Connection => "connection error",
            RetryReason::ClockSkew => "clock skew",
        }
    }

    /// What a retry for this reason takes from the quota.
    fn quota_cost(self) -> u32 {
        match self {
            RetryReason::Timeout | RetryReason::Connection => TIMEOUT_RETRY_COST,
            RetryReason::Throttling | RetryReason::Transient => RETRY_COST,
            RetryReason::ClockSkew => 0,
        }
    }
}

/// Why an error response may be retried: its code, else its status.
pub(crate) fn classify_response(status: u16, code: Option<&str>) -> Option<RetryReason> {
    if let Some(code) = code {
        if THROTTLING_CODES.contains(&code) {
            return Some(RetryReason::Throttling);
        }
        if TRANSIENT_CODES.contains(&code) {
            return Some(RetryReason::Transient);
        }
    }
    TRANSIENT_STATUSES
        .contains(&status)
        .then_some(RetryReason::Transient)
}

/// Whether an error response says the request's time is off.
pub fn is_clock_skew_error(code: Option<&str>, message: Option<&str>) -> bool {
    match code {
        Some("InvalidSignatureException") => message.is_some_and(|message| {
            let message = message.to_ascii_lowercase();
            ["expired", "not yet current", "skew"]
                .iter()
                .any(|hint| message.contains(hint))
        }),
        Some(code) => CLOCK_SKEW_CODES.contains(&code),
        None => false,
    }
}

/// What a clock-skew error's `Date` says about the clock a request was signed
/// with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClockSkew {
    /// Within [`MIN_CLOCK_SKEW`] of the service's (or the `Date` is out of
    /// range): skew cannot explain the error.
    Unexplained,
    /// Off by more: sign with this offset from the local clock, in
    /// milliseconds, and retry.
    Learned(i64),
    /// The `Date` is this many milliseconds from the local clock, more than
    /// [`MAX_CLOCK_SKEW`]: not believed, neither learned nor retried.
    Implausible(i64),
}

/// What a response's `Date` (whole seconds since the epoch) says about the
/// clock the request was signed with: the local clock `local_ms` moved by
/// `offset_ms`, both in milliseconds.
pub(crate) fn learned_clock_skew(server_secs: i64, local_ms: i64, offset_ms: i64) -> ClockSkew {
    let Some(new_offset) = server_secs
        .checked_mul(1000)
        .and_then(|server_ms| server_ms.checked_sub(local_ms))
    else {
        return ClockSkew::Unexplained;
    };
    if new_offset.unsigned_abs() > MAX_CLOCK_SKEW.as_millis() as u64 {
        return ClockSkew::Implausible(new_offset);
    }
    let change = new_offset.abs_diff(offset_ms);
    if change > MIN_CLOCK_SKEW.as_millis() as u64 {
        ClockSkew::Learned(new_offset)
    } else {
        ClockSkew::Unexplained
    }
}

/// Whether the standard retry mode retries an error answer with HTTP `status`
/// and error `code` (when the body had one): a throttling or transient error
/// code, or a transient status (500, 502, 503, 504).
pub fn is_retryable_response(status: u16, code: Option<&str>) -> bool {
    classify_response(status, code).is_some()
}

impl RetryConfig {
    /// The standard backoff before the retry that follows failed attempt
    /// `failed_attempt` (from 1), with fresh randomness:
    /// `rand(0,1) * min(initial * 2^(failed_attempt-1), max)`.
    pub fn backoff_after(&self, failed_attempt: u32) -> Duration {
        backoff(self, failed_attempt, random_unit())
    }
}

/// The wait before the retry that follows failed attempt `failed_attempt` (from
/// 1): `random * min(initial * 2^(failed_attempt-1), max)`, `random` in `[0, 1]`.
pub(crate) fn backoff(config: &RetryConfig, failed_attempt: u32, random: f64) -> Duration {
    let ceiling = 2u32
        .checked_pow(failed_attempt.saturating_sub(1))
        .and_then(|factor| config.initial_backoff.checked_mul(factor))
        .map_or(config.max_backoff, |wait| wait.min(config.max_backoff));
    // Out-of-range randomness waits the most rather than not at all.
    let random = if (0.0..=1.0).contains(&random) {
        random
    } else {
        1.0
    };
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * random)
        .unwrap_or(ceiling)
        .min(ceiling)
}

/// A number in `[0, 1)` from the operating system's randomness.
pub(crate) fn random_unit() -> f64 {
    let bits = crate::random::u64() >> 11; // 53 random bits
    bits as f64 / (1u64 << 53) as f64
}

/// The source of the backoff's randomness.
pub(crate) type Random = Arc<dyn Fn() -> f64 + Send + Sync>;

/// The retry quota: a token bucket that pays for retries.
#[derive(Debug)]
pub(crate) struct RetryQuota {
    available: AtomicU32,
}

impl RetryQuota {
    pub(crate) fn new() -> Self {
        RetryQuota {
            available: AtomicU32::new(RETRY_QUOTA_CAPACITY),
        }
    }

    /// Takes `cost` tokens, or nothing and `false` when there are not enough.
    fn try_acquire(&self, cost: u32) -> bool {
        self.available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |available| {
                available.checked_sub(cost)
            })
            .is_ok()
    }

    /// Gives `amount` tokens back, up to the capacity.
    fn release(&self, amount: u32) {
        let _ = self
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |available| {
                Some(available.saturating_add(amount).min(RETRY_QUOTA_CAPACITY))
            });
    }

    /// The tokens left.
    pub(crate) fn available(&self) -> u32 {
        self.available.load(Ordering::Acquire)
    }
}

/// The smallest fill rate of the adaptive token bucket, in requests per second.
const MIN_FILL_RATE: f64 = 0.5;
/// The smallest capacity of the adaptive token bucket.
const MIN_CAPACITY: f64 = 1.0;
/// How much of a new send-rate measurement counts (exponential smoothing).
const SMOOTHING: f64 = 0.8;
/// The send rate is measured over buckets of this many seconds.
const RATE_BUCKET_SECONDS: f64 = 0.5;
/// CUBIC's multiplicative decrease: the rate after a throttle, as a share.
const BETA: f64 = 0.7;
/// CUBIC's scaling constant: how fast the rate grows back.
const SCALE_CONSTANT: f64 = 0.4;

/// The client-side rate limiter of adaptive mode. Times are seconds on a
/// monotonic clock.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    /// Off until the first throttling error.
    enabled: bool,
    /// Requests per second the bucket refills with.
    fill_rate: f64,
    max_capacity: f64,
    /// May go below zero: a request that had to wait has reserved its token.
    capacity: f64,
    last_refill: Option<f64>,
    /// The smoothed rate responses come back at.
    measured_rate: f64,
    /// The start of the current measurement bucket.
    last_bucket: f64,
    /// Responses in the current measurement bucket.
    count: u64,
    /// CUBIC: the rate when last throttled, and when.
    last_max_rate: f64,
    last_throttle: f64,
}

impl RateLimiter {
    pub(crate) fn new(now: f64) -> Self {
        RateLimiter {
            enabled: false,
            fill_rate: MIN_FILL_RATE,
            max_capacity: MIN_CAPACITY,
            capacity: 0.0,
            last_refill: None,
            measured_rate: 0.0,
            last_bucket: now.floor(),
            count: 0,
            last_max_rate: MIN_FILL_RATE,
            last_throttle: now,
        }
    }

    /// Takes a token to send a request; how long to wait before sending it.
    pub(crate) fn acquire(&mut self, now: f64) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        self.capacity -= 1.0;
        if self.capacity >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-self.capacity / self.fill_rate).unwrap_or(Duration::MAX)
        }
    }

    /// Returns a token taken for a request that was not sent.
    pub(crate) fn give_back(&mut self) {
        if self.enabled {
            self.capacity = (self.capacity + 1.0).min(self.max_capacity);
        }
    }

    /// Learns from a response (or a failure to get one): throttled or not.
    pub(crate) fn update(&mut self, now: f64, throttled: bool) {
        let measured = self.measure(now);
        let rate = if throttled {
            let rate = if self.enabled {
                measured.min(self.fill_rate)
            } else {
                measured
            };
            self.last_max_rate = rate;
            self.last_throttle = now;
            self.enabled = true;
            rate * BETA
        } else {
            // CUBIC: back to the rate of the last throttle `k` seconds after it,
            // and beyond.
            let k = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
            SCALE_CONSTANT * (now - self.last_throttle - k).powi(3) + self.last_max_rate
        };
        self.set_rate(now, rate.min(2.0 * measured));
    }

    /// The bucket's current fill rate, in requests per second.
    #[cfg(test)]
    fn fill_rate(&self) -> f64 {
        self.fill_rate
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            let elapsed = (now - last).max(0.0);
            self.capacity = (self.capacity + elapsed * self.fill_rate).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    fn set_rate(&mut self, now: f64, rate: f64) {
        // Tokens earned so far are earned at the old rate.
        self.refill(now);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.max_capacity = rate.max(MIN_CAPACITY);
        self.capacity = self.capacity.min(self.max_capacity);
    }

    /// Counts a response and returns the smoothed rate they arrive at.
    fn measure(&mut self, now: f64) -> f64 {
        let bucket = (now / RATE_BUCKET_SECONDS).floor() * RATE_BUCKET_SECONDS;
        self.count += 1;
        if bucket > self.last_bucket {
            let rate = self.count as f64 / (bucket - self.last_bucket);
            self.measured_rate = rate * SMOOTHING + self.measured_rate * (1.0 - SMOOTHING);
            self.count = 0;
            self.last_bucket = bucket;
        }
        self.measured_rate
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Decision {
    /// Try again after waiting this long.
    Retry(Duration),
    /// Stop: the last failure is the call's error.
    Stop(Stop),
}

/// Why a call stops retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The failure is not one that is retried.
    NotRetryable,
    /// The call made all its attempts.
    AttemptsExhausted,
    /// The retry quota cannot pay for another retry.
    QuotaExhausted,
    /// The clock was corrected once already in this call.
    SkewAlreadyCorrected,
}

impl Stop {
    /// For traces.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Stop::NotRetryable => "not retryable",
            Stop::AttemptsExhausted => "max attempts reached",
            Stop::QuotaExhausted => "retry quota exhausted",
            Stop::SkewAlreadyCorrected => "clock skew already corrected once",
        }
    }
}

/// The retry state a client shares between its calls: the quota and, in adaptive
/// mode, the rate limiter.
pub(crate) struct RetryStrategy {
    quota: RetryQuota,
    limiter: Option<Mutex<RateLimiter>>,
    random: Random,
    /// The zero of the rate limiter's clock.
    origin: Instant,
}

impl fmt::Debug for RetryStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryStrategy")
            .field("quota", &self.quota.available())
            .field("adaptive", &self.limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl RetryStrategy {
    /// The state for a client with `config`.
    pub(crate) fn new(config: &RetryConfig) -> Self {
        RetryStrategy::with_random(config, Arc::new(random_unit))
    }

    /// [`RetryStrategy::new`] with another source of randomness.
    pub(crate) fn with_random(config: &RetryConfig, random: Random) -> Self {
        let limiter =
            (config.mode == RetryMode::Adaptive).then(|| Mutex::new(RateLimiter::new(0.0)));
        RetryStrategy {
            quota: RetryQuota::new(),
            limiter,
            random,
            origin: Instant::now(),
        }
    }

    /// The tokens left in the retry quota.
    pub(crate) fn quota_available(&self) -> u32 {
        self.quota.available()
    }

    /// Starts the retry bookkeeping of one call.
    pub(crate) fn start_call<'a>(&'a self, config: &'a RetryConfig) -> CallRetries<'a> {
        CallRetries {
            strategy: self,
            config,
            acquired: None,
            skew_corrected: false,
        }
    }

    fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }

    fn with_limiter(&self, f: impl FnOnce(&mut RateLimiter, f64)) {
        if let Some(limiter) = &self.limiter {
            let now = self.now();
            // A panic elsewhere while holding the lock leaves valid numbers behind.
            let mut limiter = limiter.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut limiter, now);
        }
    }
}

/// The retry bookkeeping of one call.
#[derive(Debug)]
pub(crate) struct CallRetries<'a> {
    strategy: &'a RetryStrategy,
    config: &'a RetryConfig,
    /// What the last retry took from the quota.
    acquired: Option<u32>,
    skew_corrected: bool,
}

impl CallRetries<'_> {
    /// Attempts per call.
    pub(crate) fn max_attempts(&self) -> u32 {
        self.config.max_attempts
    }

    /// Before sending an attempt: how long the rate limiter says to wait first
    /// (always zero in standard mode, and in adaptive mode until throttled).
    pub(crate) fn before_attempt(&mut self) -> Duration {
        let mut wait = Duration::ZERO;
        self.strategy
            .with_limiter(|limiter, now| wait = limiter.acquire(now));
        wait
    }

    /// The attempt that [`CallRetries::before_attempt`] made wait is not sent.
    pub(crate) fn attempt_abandoned(&mut self) {
        self.strategy.with_limiter(|limiter, _| limiter.give_back());
    }

    /// The call succeeded: pay the quota back.
    pub(crate) fn succeeded(&mut self) {
        self.strategy
            .quota
            .release(self.acquired.unwrap_or(NO_RETRY_INCREMENT));
        self.strategy
            .with_limiter(|limiter, now| limiter.update(now, false));
    }

    /// Attempt `attempt` (from 1) failed, retryably for `reason` or not at all.
    pub(crate) fn failed(&mut self, attempt: u32, reason: Option<RetryReason>) -> Decision {
        let throttled = reason == Some(RetryReason::Throttling);
        self.strategy
            .with_limiter(|limiter, now| limiter.update(now, throttled));
        let Some(reason) = reason else {
            return Decision::Stop(Stop::NotRetryable);
        };
        if attempt >= self.config.max_attempts {
            return Decision::Stop(Stop::AttemptsExhausted);
        }
        if reason == RetryReason::ClockSkew {
            if self.skew_corrected {
                return Decision::Stop(Stop::SkewAlreadyCorrected);
            }
            // The cause is fixed: retry at once, and the quota is for outages.
            self.skew_corrected = true;
            return Decision::Retry(Duration::ZERO);
        }
        let cost = reason.quota_cost();
        if !self.strategy.quota.try_acquire(cost) {
            return Decision::Stop(Stop::QuotaExhausted);
        }
        self.acquired = Some(cost);
        Decision::Retry(backoff(self.config, attempt, (self.strategy.random)()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(random: f64) -> Random {
        Arc::new(move || random)
    }

    #[test]
    fn config_defaults_and_setters() {
        let config = RetryConfig::standard();
        assert_eq!(config, RetryConfig::default());
        assert_eq!(config.mode(), RetryMode::Standard);
        assert_eq!(config.max_attempts(), 3);
        assert_eq!(config.initial_backoff(), Duration::from_secs(1));
        assert_eq!(config.max_backoff(), Duration::from_secs(20));
        assert!(config.check().is_ok());
        assert_eq!(RetryConfig::adaptive().mode(), RetryMode::Adaptive);
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
        let zero = RetryConfig::standard().with_max_attempts(0);
        assert!(zero
            .check()
            .unwrap_err()
            .to_string()
            .contains("max attempts is 0"));
    }

    #[test]
    fn modes_parse_in_any_case() {
        assert_eq!(
            "standard".parse::<RetryMode>().unwrap(),
            RetryMode::Standard
        );
        assert_eq!(
            " Adaptive ".parse::<RetryMode>().unwrap(),
            RetryMode::Adaptive
        );
        assert_eq!("legacy".parse::<RetryMode>().unwrap(), RetryMode::Standard);
        let error = "fast".parse::<RetryMode>().unwrap_err().to_string();
        assert!(error.contains("`fast` is not a retry mode"), "{error}");
        assert_eq!(RetryMode::Adaptive.to_string(), "adaptive");
    }

    #[test]
    fn classifies_codes_then_statuses() {
        for code in THROTTLING_CODES {
            assert_eq!(
                classify_response(400, Some(code)),
                Some(RetryReason::Throttling),
                "{code}"
            );
        }
        // A throttling code on a 5xx is still throttling (it matters to adaptive mode).
        assert_eq!(
            classify_response(503, Some("SlowDown")),
            Some(RetryReason::Throttling)
        );
        for code in ["RequestTimeout", "RequestTimeoutException"] {
            assert_eq!(
                classify_response(400, Some(code)),
                Some(RetryReason::Transient)
            );
        }
        for status in [500, 502, 503, 504] {
            assert_eq!(
                classify_response(status, None),
                Some(RetryReason::Transient)
            );
            assert_eq!(
                classify_response(status, Some("InternalServiceErrorException")),
                Some(RetryReason::Transient)
            );
        }
        for (status, code) in [
            (400, Some("ValidationException")),
            (400, Some("InvalidProductCodeException")),
            (403, Some("AccessDeniedException")),
            (400, None),
            (404, None),
            (429, None),
            (501, None),
            (505, None),
            (200, None),
            // Codes are compared exactly.
            (400, Some("throttlingexception")),
        ] {
            assert_eq!(classify_response(status, code), None, "{status} {code:?}");
        }
    }

    #[test]
    fn recognizes_clock_skew_errors() {
        for code in [
            "RequestTimeTooSkewed",
            "RequestExpired",
            "RequestInTheFuture",
            "SignatureDoesNotMatch",
        ] {
            assert!(is_clock_skew_error(Some(code), None), "{code}");
        }
        assert!(is_clock_skew_error(
            Some("InvalidSignatureException"),
            Some("Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z")
        ));
        assert!(is_clock_skew_error(
            Some("InvalidSignatureException"),
            Some("Signature not yet current: 20240101T010000Z is still later than ...")
        ));
        assert!(!is_clock_skew_error(
            Some("InvalidSignatureException"),
            Some("The request signature we calculated does not match")
        ));
        assert!(!is_clock_skew_error(
            Some("InvalidSignatureException"),
            None
        ));
        assert!(!is_clock_skew_error(Some("ThrottlingException"), None));
        assert!(!is_clock_skew_error(None, Some("expired")));
    }

    #[test]
    fn learns_skew_only_beyond_the_bound() {
        let local_ms = 1_700_000_000_000;
        // Server one hour ahead.
        assert_eq!(
            learned_clock_skew(1_700_003_600, local_ms, 0),
            ClockSkew::Learned(3_600_000)
        );
        // Server one hour behind, with a sub-second local time.
        assert_eq!(
            learned_clock_skew(1_699_996_400, local_ms + 500, 0),
            ClockSkew::Learned(-3_600_500)
        );
        // Within the bound: not skew.
        assert_eq!(
            learned_clock_skew(1_700_000_200, local_ms, 0),
            ClockSkew::Unexplained
        );
        // Already corrected for.
        assert_eq!(
            learned_clock_skew(1_700_003_600, local_ms, 3_600_000),
            ClockSkew::Unexplained
        );
        assert_eq!(
            learned_clock_skew(i64::MAX, local_ms, 0),
            ClockSkew::Unexplained
        );
    }

    #[test]
    fn a_correction_over_a_day_is_not_believed() {
        const DAY_SECS: i64 = 24 * 60 * 60;
        let local_secs = 1_700_000_000;
        let local_ms = local_secs * 1000;
        // Exactly a day, either way, is still believed.
        assert_eq!(
            learned_clock_skew(local_secs + DAY_SECS, local_ms, 0),
            ClockSkew::Learned(DAY_SECS * 1000)
        );
        assert_eq!(
            learned_clock_skew(local_secs - DAY_SECS, local_ms, 0),
            ClockSkew::Learned(-DAY_SECS * 1000)
        );
        // A second more, years, or the epoch, is not.
        assert_eq!(
            learned_clock_skew(local_secs + DAY_SECS + 1, local_ms, 0),
            ClockSkew::Implausible((DAY_SECS + 1) * 1000)
        );
        let ten_years_ms = 10 * 365 * DAY_SECS * 1000;
        assert_eq!(
            learned_clock_skew(local_secs + ten_years_ms / 1000, local_ms, 0),
            ClockSkew::Implausible(ten_years_ms)
        );
        assert_eq!(
            learned_clock_skew(0, local_ms, 0),
            ClockSkew::Implausible(-local_ms)
        );
        // Measured from the local clock, not from an offset already learned.
        assert_eq!(
            learned_clock_skew(local_secs + DAY_SECS + 60, local_ms, 23 * 3600 * 1000),
            ClockSkew::Implausible((DAY_SECS + 60) * 1000)
        );
        assert_eq!(MAX_CLOCK_SKEW, Duration::from_secs(DAY_SECS as u64));
    }

    #[test]
    fn backoff_is_full_jitter_over_a_capped_exponential() {
        let config = RetryConfig::standard();
        let secs = |attempt, random| backoff(&config, attempt, random).as_secs_f64();
        assert_eq!(secs(1, 1.0), 1.0);
        assert_eq!(secs(2, 1.0), 2.0);
        assert_eq!(secs(3, 1.0), 4.0);
        assert_eq!(secs(5, 1.0), 16.0);
        assert_eq!(secs(6, 1.0), 20.0);
        assert_eq!(secs(40, 1.0), 20.0);
        assert_eq!(secs(u32::MAX, 1.0), 20.0);
        assert_eq!(secs(1, 0.0), 0.0);
        assert_eq!(secs(2, 0.25), 0.5);
        assert_eq!(secs(6, 0.5), 10.0);
        // Nonsense randomness waits the most.
        assert_eq!(secs(1, f64::NAN), 1.0);
        assert_eq!(secs(1, -1.0), 1.0);
        let custom = RetryConfig::standard()
            .with_initial_backoff(Duration::from_millis(10))
            .with_max_backoff(Duration::MAX);
        assert_eq!(backoff(&custom, 3, 1.0), Duration::from_millis(40));
        assert_eq!(backoff(&custom, 200, 1.0), Duration::MAX);
        assert!(random_unit() >= 0.0 && random_unit() < 1.0);
    }

    #[test]
    fn standard_retries_up_to_max_attempts() {
        let config = RetryConfig::standard();
        let strategy = RetryStrategy::with_random(&config, fixed(0.5));
        let mut call = strategy.start_call(&config);
        assert_eq!(call.before_attempt(), Duration::ZERO);
        assert_eq!(
            call.failed(1, Some(RetryReason::Throttling)),
            Decision::Retry(Duration::from_millis(500))
        );
        assert_eq!(strategy.quota_available(), 495);
        assert_eq!(
            call.failed(2, Some(RetryReason::Transient)),
            Decision::Retry(Duration::from_secs(1))
        );
        assert_eq!(strategy.quota_available(), 490);
        assert_eq!(
            call.failed(3, Some(RetryReason::Transient)),
            Decision::Stop(Stop::AttemptsExhausted)
        );
        assert_eq!(strategy.quota_available(), 490);
        // Not retryable: stop at once, and the quota is untouched.
        let mut call = strategy.start_call(&config);
        assert_eq!(call.failed(1, None), Decision::Stop(Stop::NotRetryable));
        assert_eq!(strategy.quota_available(), 490);
    }

    #[test]
    fn quota_costs_refunds_and_rewards() {
        let config = RetryConfig::standard().with_max_attempts(10);
        let strategy = RetryStrategy::with_random(&config, fixed(0.0));
        let mut call = strategy.start_call(&config);
        assert!(matches!(
            call.failed(1, Some(RetryReason::Timeout)),
            Decision::Retry(_)
        ));
        assert_eq!(strategy.quota_available(), 490);
        assert!(matches!(
            call.failed(2, Some(RetryReason::Connection)),
            Decision::Retry(_)
        ));
        assert_eq!(strategy.quota_available(), 480);
        assert!(matches!(
            call.failed(3, Some(RetryReason::Throttling)),
            Decision::Retry(_)
        ));
        assert_eq!(strategy.quota_available(), 475);
        // Success gives back what the last retry took.
        call.succeeded();
        assert_eq!(strategy.quota_available(), 480);
        // A first-try success adds one, never above the capacity.
        let mut call = strategy.start_call(&config);
        call.succeeded();
        assert_eq!(strategy.quota_available(), 481);
        for _ in 0..100 {
            strategy.start_call(&config).succeeded();
        }
        assert_eq!(strategy.quota_available(), RETRY_QUOTA_CAPACITY);
    }

    #[test]
    fn an_empty_quota_stops_retries() {
        let config = RetryConfig::standard().with_max_attempts(1000);
        let strategy = RetryStrategy::with_random(&config, fixed(0.0));
        let mut call = strategy.start_call(&config);
        let mut retries = 0;
        let mut attempt = 1;
        let stop = loop {
            match call.failed(attempt, Some(RetryReason::Transient)) {
                Decision::Retry(_) => retries += 1,
                Decision::Stop(stop) => break stop,
            }
            attempt += 1;
        };
        assert_eq!(stop, Stop::QuotaExhausted);
        assert_eq!(retries, 100);
        assert_eq!(strategy.quota_available(), 0);
        // Timeouts cost more: with 5 tokens left, one cannot be paid for.
        strategy.quota.release(5);
        let mut call = strategy.start_call(&config);
        assert_eq!(
            call.failed(1, Some(RetryReason::Timeout)),
            Decision::Stop(Stop::QuotaExhausted)
        );
        assert!(matches!(
            call.failed(1, Some(RetryReason::Throttling)),
            Decision::Retry(_)
        ));
        // The clock-skew retry is free.
        let mut call = strategy.start_call(&config);
        assert_eq!(
            call.failed(1, Some(RetryReason::ClockSkew)),
            Decision::Retry(Duration::ZERO)
        );
    }

    #[test]
    fn clock_skew_is_retried_once_per_call() {
        let config = RetryConfig::standard();
        let strategy = RetryStrategy::with_random(&config, fixed(1.0));
        let mut call = strategy.start_call(&config);
        assert_eq!(
            call.failed(1, Some(RetryReason::ClockSkew)),
            Decision::Retry(Duration::ZERO)
        );
        assert_eq!(
            call.failed(2, Some(RetryReason::ClockSkew)),
            Decision::Stop(Stop::SkewAlreadyCorrected)
        );
        assert_eq!(strategy.quota_available(), RETRY_QUOTA_CAPACITY);
        // Still within max attempts.
        let single = RetryConfig::disabled();
        let mut call = strategy.start_call(&single);
        assert_eq!(
            call.failed(1, Some(RetryReason::ClockSkew)),
            Decision::Stop(Stop::AttemptsExhausted)
        );
    }

    #[test]
    fn rate_limiter_is_off_until_throttled() {
        let mut limiter = RateLimiter::new(0.0);
        for i in 0..100 {
            let now = f64::from(i) * 0.01;
            assert_eq!(limiter.acquire(now), Duration::ZERO);
            limiter.update(now, false);
        }
        assert!(!limiter.enabled);
    }

    #[test]
    fn rate_limiter_cuts_the_rate_on_throttling_and_grows_it_back() {
        let mut limiter = RateLimiter::new(0.0);
        // 10 responses a second for 5 seconds: the measured rate approaches 10.
        let mut now = 0.0;
        for _ in 0..50 {
            now += 0.1;
            limiter.update(now, false);
        }
        let measured = limiter.measured_rate;
        assert!((9.0..=11.0).contains(&measured), "{measured}");
        // A throttle: the rate drops to 70% of what was measured.
        now += 0.1;
        limiter.update(now, true);
        assert!(limiter.enabled);
        let cut = limiter.fill_rate();
        assert!((cut - limiter.last_max_rate * BETA).abs() < 1e-9, "{cut}");
        assert!(cut < measured);
        // Right after the throttle CUBIC is at its low point; it grows back to the
        // old maximum `k` seconds later and beyond it after that.
        let k = (limiter.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
        let max = limiter.last_max_rate;
        let throttle = limiter.last_throttle;
        let cubic = |t: f64| SCALE_CONSTANT * (t - throttle - k).powi(3) + max;
        assert!((cubic(throttle) - max * BETA).abs() < 1e-9);
        assert!((cubic(throttle + k) - max).abs() < 1e-9);
        assert!(cubic(throttle + k + 1.0) > max);
        // Successes at a steady 10 a second raise the fill rate again.
        for _ in 0..30 {
            now += 0.1;
            limiter.update(now, false);
        }
        assert!(
            limiter.fill_rate() > cut,
            "{} <= {cut}",
            limiter.fill_rate()
        );
        // Never more than twice the measured rate.
        assert!(limiter.fill_rate() <= 2.0 * limiter.measured_rate + 1e-9);
    }

    #[test]
    fn rate_limiter_makes_requests_wait_for_tokens() {
        let mut limiter = RateLimiter::new(0.0);
        limiter.update(0.0, true);
        // Throttled with nothing measured: the slowest rate, 0.5 a second.
        assert_eq!(limiter.fill_rate(), MIN_FILL_RATE);
        // The bucket starts empty; each request reserves the next token.
        assert_eq!(limiter.acquire(0.0), Duration::from_secs(2));
        assert_eq!(limiter.acquire(0.0), Duration::from_secs(4));
        limiter.give_back();
        assert_eq!(limiter.acquire(0.0), Duration::from_secs(4));
        // Time refills the bucket, up to its capacity.
        assert_eq!(limiter.acquire(100.0), Duration::ZERO);
        assert_eq!(limiter.acquire(100.0), Duration::from_secs(2));
    }

    #[test]
    fn adaptive_strategy_throttles_the_next_attempt() {
        let config = RetryConfig::adaptive();
        let strategy = RetryStrategy::with_random(&config, fixed(0.0));
        let mut call = strategy.start_call(&config);
        assert_eq!(call.before_attempt(), Duration::ZERO);
        assert_eq!(
            call.failed(1, Some(RetryReason::Throttling)),
            Decision::Retry(Duration::ZERO)
        );
        // Now limited: the bucket is empty, the next attempt waits.
        assert!(call.before_attempt() > Duration::ZERO);
        // Standard mode never waits for a limiter.
        let config = RetryConfig::standard();
        let strategy = RetryStrategy::with_random(&config, fixed(0.0));
        let mut call = strategy.start_call(&config);
        call.failed(1, Some(RetryReason::Throttling));
        assert_eq!(call.before_attempt(), Duration::ZERO);
    }
}
