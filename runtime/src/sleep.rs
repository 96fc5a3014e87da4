//! Waiting without blocking: how the client sleeps between attempts.
//!
//! The client waits before a retry (the backoff) and, in adaptive retry mode, before
//! sending when its rate limiter says so. It does that through [`Sleep`], so a test can
//! record the waits instead of waiting, and a program on another async runtime can
//! supply its own timer. The default is [`TokioSleep`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future a [`Sleep`] returns: it completes when the time is up.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Something that can wait for a while.
///
/// Set one with `ConfigBuilder::sleep_impl`: for tests that check the backoff
/// without waiting for it, or for runtimes other than Tokio. Timeouts are not
/// measured with it: they always use Tokio's timer, so a sleeper that returns at
/// once cannot make a call time out early.
pub trait Sleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// [`Sleep`] on Tokio's timer (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokio_sleep_waits() {
        let start = std::time::Instant::now();
        TokioSleep.sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
    }
}
