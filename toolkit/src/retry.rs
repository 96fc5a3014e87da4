//! What the tools share about failed calls: which errors are worth another try, and how long
//! to wait before it.

use marketplace_metering::error::ProvideErrorMetadata as _;
use marketplace_metering::Error;
use std::time::Duration;

/// Whether asking again later may succeed, and whether the service may already have acted on
/// the request: throttling, the service's internal errors, 5xx answers, connections that
/// failed or answers that could not be read, credentials whose source failed transiently.
pub(crate) fn is_transient(error: &Error) -> bool {
    match error {
        Error::ThrottlingException(_)
        | Error::InternalServiceErrorException(_)
        | Error::Transport(_)
        | Error::Response(_) => true,
        Error::Credentials(error) => error.is_retryable(),
        Error::Unhandled(error) => error.meta().status().is_none_or(|status| status >= 500),
        _ => false,
    }
}

/// Exponential backoff: `initial` doubled for each attempt that failed before, up to `max`.
pub(crate) fn backoff(initial: Duration, max: Duration, failed_attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(failed_attempts.saturating_sub(1).min(16));
    initial.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let ms = Duration::from_millis;
        assert_eq!(backoff(ms(10), ms(100), 1), ms(10));
        assert_eq!(backoff(ms(10), ms(100), 2), ms(20));
        assert_eq!(backoff(ms(10), ms(100), 4), ms(80));
        assert_eq!(backoff(ms(10), ms(100), 5), ms(100));
        assert_eq!(backoff(ms(10), ms(100), u32::MAX), ms(100));
    }
}
