//! The credentials cache every client keeps: refresh before expiry with jitter,
//! one refresh for all concurrent callers, old credentials kept through a failed
//! refresh while they are still valid.

use super::provide::{
    check_not_expired, Credentials, ProvideCredentials, ProvideCredentialsFuture,
    SharedCredentialsProvider,
};
use crate::error::CredentialsError;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

/// Where the cache (and the IMDS token cache) read the time: the system clock,
/// or a clock a test controls.
pub trait TimeSource: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemTimeSource;

impl TimeSource for SystemTimeSource {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// How long before expiry credentials are refreshed, by default.
const DEFAULT_BUFFER: Duration = Duration::from_secs(5 * 60);
/// Up to how much earlier still, at random, so that many clients started
/// together do not refresh together.
const DEFAULT_JITTER: Duration = Duration::from_secs(60);
/// After a failed refresh while the old credentials are still valid, how long
/// until the next try.
const DEFAULT_RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// Caches the credentials of a provider; cheap to clone, clones share the cache.
///
/// - Credentials without an expiry are kept for good.
/// - Temporary credentials are refreshed `buffer` (5 minutes) plus a random
///   part of `jitter` (up to 1 minute) before they expire, and at the latest
///   halfway through their remaining life, so short-lived credentials are used
///   too.
/// - However many callers need credentials at once, the provider is asked once;
///   the others wait for that answer (and share its error).
/// - When a refresh fails while the cached credentials are still valid, they are
///   kept, the failure is logged (`tracing` warning) and the refresh is tried
///   again after `retry_after_failure` (10 seconds).
/// - Credentials that arrive already expired are an error.
///
/// Every client's configuration wraps its provider in one; build one yourself to
/// change the timings or the clock, and give it to the configuration builder's
/// `credentials_cache`.
#[derive(Clone)]
pub struct CredentialsCache {
    inner: Arc<Inner>,
}

struct Inner {
    provider: SharedCredentialsProvider,
    time: Arc<dyn TimeSource>,
    buffer: Duration,
    jitter: Duration,
    retry_after_failure: Duration,
    state: RwLock<State>,
    /// Held by the one caller that refreshes.
    refresh: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// Counts refreshes, so that callers who waited for one learn its outcome.
    generation: u64,
    /// The error of the latest refresh, when it failed with nothing to keep.
    last_error: Option<CredentialsError>,
}

struct Cached {
    credentials: Credentials,
    /// When to ask the provider again; `None`: never.
    refresh_at: Option<SystemTime>,
}

/// Builds a [`CredentialsCache`].
#[derive(Debug)]
pub struct CredentialsCacheBuilder {
    provider: SharedCredentialsProvider,
    time: Arc<dyn TimeSource>,
    buffer: Duration,
    jitter: Duration,
    retry_after_failure: Duration,
}

impl CredentialsCacheBuilder {
    /// Refresh this long before expiry (default 5 minutes).
    pub fn buffer(mut self, buffer: Duration) -> Self {
        self.buffer = buffer;
        self
    }

    /// Refresh up to this much earlier still, at random (default 1 minute).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// After a failed refresh with valid credentials kept, try again after this
    /// long (default 10 seconds).
    pub fn retry_after_failure(mut self, delay: Duration) -> Self {
        self.retry_after_failure = delay;
        self
    }

    /// Read the time from `time` instead of the system clock (for tests).
    pub fn time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Arc::new(time);
        self
    }

    /// The cache.
    pub fn build(self) -> CredentialsCache {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider: self.provider,
                time: self.time,
                buffer: self.buffer,
                jitter: self.jitter,
                retry_after_failure: self.retry_after_failure,
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl CredentialsCache {
    /// A cache over `provider`, with the default timings.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::builder(provider).build()
    }

    /// A builder for a cache over `provider`.
    pub fn builder(provider: impl ProvideCredentials + 'static) -> CredentialsCacheBuilder {
        CredentialsCacheBuilder {
            provider: SharedCredentialsProvider::new(provider),
            time: Arc::new(SystemTimeSource),
            buffer: DEFAULT_BUFFER,
            jitter: DEFAULT_JITTER,
            retry_after_failure: DEFAULT_RETRY_AFTER_FAILURE,
        }
    }

    /// The provider behind the cache.
    pub fn provider(&self) -> &SharedCredentialsProvider {
        &self.inner.provider
    }

    /// Fresh credentials: cached ones while they are fresh, else the provider's.
    pub async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let inner = &*self.inner;
        let generation = {
            let state = inner.read();
            if let Some(credentials) = state.fresh(inner.time.now()) {
                return Ok(credentials);
            }
            state.generation
        };
        let _refreshing = inner.refresh.lock().await;
        {
            // Someone else may have refreshed while this caller waited.
            let state = inner.read();
            if let Some(credentials) = state.fresh(inner.time.now()) {
                return Ok(credentials);
            }
            if state.generation != generation {
                if let Some(error) = &state.last_error {
                    return Err(error.clone());
                }
            }
        }
        let result = inner.provider.provide_credentials().await;
        let now = inner.time.now();
        let result = result
            .and_then(|credentials| check_not_expired("credentials provider", credentials, now));
        let mut state = inner.write();
        state.generation += 1;
        match result {
            Ok(credentials) => {
                state.last_error = None;
                state.cached = Some(Cached {
                    refresh_at: inner.refresh_at(&credentials, now),
                    credentials: credentials.clone(),
                });
                Ok(credentials)
            }
            Err(error) => {
                let retry_at = now + inner.retry_after_failure;
                let state = &mut *state;
                if let Some(cached) = state.cached.as_mut().filter(|c| c.valid_at(now)) {
                    tracing::warn!(
                        error = %error,
                        expiry = ?cached.credentials.expiry().map(crate::datetime::DateTime::from),
                        "refreshing credentials failed; using the cached credentials until they expire"
                    );
                    let expiry = cached.credentials.expiry();
                    cached.refresh_at = Some(expiry.map_or(retry_at, |e| e.min(retry_at)));
                    let credentials = cached.credentials.clone();
                    state.last_error = None;
                    return Ok(credentials);
                }
                state.cached = None;
                state.last_error = Some(error.clone());
                Err(error)
            }
        }
    }
}

impl Inner {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// When to refresh credentials received at `now`.
    fn refresh_at(&self, credentials: &Credentials, now: SystemTime) -> Option<SystemTime> {
        let expiry = credentials.expiry()?;
        let remaining = expiry.duration_since(now).unwrap_or_default();
        let lead = (self.buffer + random_up_to(self.jitter)).min(remaining / 2);
        Some(expiry - lead)
    }
}

impl State {
    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        let cached = self.cached.as_ref()?;
        match cached.refresh_at {
            Some(refresh_at) if now >= refresh_at => None,
            _ => Some(cached.credentials.clone()),
        }
    }
}

impl Cached {
    fn valid_at(&self, now: SystemTime) -> bool {
        self.credentials.expiry().is_none_or(|expiry| now < expiry)
    }
}

/// A random duration in `0..=max` (uniform enough for jitter).
fn random_up_to(max: Duration) -> Duration {
    let nanos = max.as_nanos();
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = u128::from(crate::random::u64()) % (nanos + 1);
    Duration::from_nanos(random as u64)
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.credentials())
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field("buffer", &self.inner.buffer)
            .field("jitter", &self.inner.jitter)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// A clock that only moves when told.
    #[derive(Clone, Debug)]
    pub(crate) struct ManualClock(pub(crate) Arc<Mutex<SystemTime>>);

    impl ManualClock {
        pub(crate) fn new() -> Self {
            ManualClock(Arc::new(Mutex::new(
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            )))
        }

        pub(crate) fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }

        pub(crate) fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl TimeSource for ManualClock {
        fn now(&self) -> SystemTime {
            ManualClock::now(self)
        }
    }

    /// Answers from a script, counting calls; each answer waits `delay`.
    #[derive(Debug)]
    struct Scripted {
        calls: Arc<AtomicUsize>,
        answers: Mutex<Vec<Result<Credentials, CredentialsError>>>,
        delay: Duration,
    }

    impl Scripted {
        fn new(answers: Vec<Result<Credentials, CredentialsError>>) -> (Self, Arc<AtomicUsize>) {
            let calls = Arc::new(AtomicUsize::new(0));
            let scripted = Scripted {
                calls: calls.clone(),
                answers: Mutex::new(answers.into_iter().rev().collect()),
                delay: Duration::ZERO,
            };
            (scripted, calls)
        }
    }

    impl ProvideCredentials for Scripted {
        fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                self.answers
                    .lock()
                    .unwrap()
                    .pop()
                    .expect("the script has an answer")
            })
        }
    }

    fn temporary(key: &str, expiry: SystemTime) -> Credentials {
        Credentials::new(key, "SECRET", Some("TOKEN".into())).with_expiry(expiry)
    }

    fn cache(provider: Scripted, clock: &ManualClock) -> CredentialsCache {
        CredentialsCache::builder(provider)
            .jitter(Duration::ZERO)
            .time_source(clock.clone())
            .build()
    }

    #[tokio::test]
    async fn static_credentials_are_fetched_once() {
        let clock = ManualClock::new();
        let (provider, calls) = Scripted::new(vec![Ok(Credentials::new("A", "S", None))]);
        let cache = cache(provider, &clock);
        for _ in 0..3 {
            assert_eq!(cache.credentials().await.unwrap().access_key_id(), "A");
            clock.advance(Duration::from_secs(365 * 24 * 3600));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refreshes_before_expiry_with_the_buffer() {
        let clock = ManualClock::new();
        let hour = Duration::from_secs(3600);
        let t0 = clock.now();
        let (provider, calls) = Scripted::new(vec![
            Ok(temporary("FIRST", t0 + hour)),
            Ok(temporary("SECOND", t0 + 2 * hour)),
        ]);
        let cache = cache(provider, &clock);
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "FIRST");
        // 5 minutes before expiry is the refresh point.
        clock.advance(hour - Duration::from_secs(5 * 60 + 1));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "FIRST");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "SECOND");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn short_lived_credentials_are_used_for_half_their_life() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let (provider, calls) = Scripted::new(vec![
            Ok(temporary("SHORT", t0 + Duration::from_secs(120))),
            Ok(temporary("NEXT", t0 + Duration::from_secs(7200))),
        ]);
        let cache = cache(provider, &clock);
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "SHORT");
        clock.advance(Duration::from_secs(59));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "SHORT");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "NEXT");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn jitter_moves_the_refresh_earlier_within_bounds() {
        let (provider, _) = Scripted::new(vec![]);
        let cache = CredentialsCache::builder(provider)
            .jitter(Duration::from_secs(60))
            .build();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let expiry = now + Duration::from_secs(6 * 3600);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            let at = cache
                .inner
                .refresh_at(&temporary("A", expiry), now)
                .unwrap();
            let lead = expiry.duration_since(at).unwrap();
            assert!(lead >= DEFAULT_BUFFER && lead <= DEFAULT_BUFFER + Duration::from_secs(60));
            seen.insert(lead);
        }
        assert!(seen.len() > 1, "the jitter is random");
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_valid_credentials_and_retries_later() {
        let clock = ManualClock::new();
        let hour = Duration::from_secs(3600);
        let t0 = clock.now();
        let (provider, calls) = Scripted::new(vec![
            Ok(temporary("FIRST", t0 + hour)),
            Err(CredentialsError::provider_error("sts", "throttled")),
            Ok(temporary("SECOND", t0 + 2 * hour)),
        ]);
        let cache = cache(provider, &clock);
        cache.credentials().await.unwrap();
        clock.advance(hour - Duration::from_secs(60));
        // The refresh fails: the still-valid credentials are kept.
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "FIRST");
        // And are not asked for again on every call.
        clock.advance(Duration::from_secs(5));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "FIRST");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        clock.advance(Duration::from_secs(5));
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "SECOND");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_failed_refresh_after_expiry_is_an_error() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let (provider, _) = Scripted::new(vec![
            Ok(temporary("FIRST", t0 + Duration::from_secs(3600))),
            Err(CredentialsError::provider_error("sts", "down")),
            Ok(temporary("LATER", t0 + Duration::from_secs(9000))),
        ]);
        let cache = cache(provider, &clock);
        cache.credentials().await.unwrap();
        clock.advance(Duration::from_secs(3600));
        let error = cache.credentials().await.unwrap_err();
        assert_eq!(error.to_string(), "sts: down");
        // The next call tries again.
        assert_eq!(cache.credentials().await.unwrap().access_key_id(), "LATER");
    }

    #[tokio::test]
    async fn credentials_that_arrive_expired_are_an_error() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let (provider, _) = Scripted::new(vec![Ok(temporary("OLD", t0 - Duration::from_secs(1)))]);
        let cache = cache(provider, &clock);
        let error = cache.credentials().await.unwrap_err();
        let text = error.to_string();
        assert!(text.contains("expired at 2023-11-14T22:13:19Z"), "{text}");
        assert!(
            !text.contains("SECRET") && !text.contains("TOKEN"),
            "{text}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        let clock = ManualClock::new();
        let t0 = clock.now();
        let (mut provider, calls) =
            Scripted::new(vec![Ok(temporary("ONE", t0 + Duration::from_secs(3600)))]);
        provider.delay = Duration::from_millis(100);
        let cache = cache(provider, &clock);
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.credentials().await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().access_key_id(), "ONE");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_failure() {
        let clock = ManualClock::new();
        let (mut provider, calls) =
            Scripted::new(vec![Err(CredentialsError::not_loaded("x", "nothing"))]);
        provider.delay = Duration::from_millis(300);
        let cache = cache(provider, &clock);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.credentials().await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap_err().message(), "nothing");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
