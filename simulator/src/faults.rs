//! Misbehaviour on demand: the next requests fail, reset or wait.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One deliberate misbehaviour, applied to one request before anything else looks at it; a
/// failed or reset request is not processed (nothing is recorded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 500 with `InternalServiceErrorException`.
    InternalError,
    /// HTTP 503 with `ServiceUnavailableException`.
    ServiceUnavailable,
    /// HTTP 400 with `ThrottlingException`, whatever the throttling rate.
    Throttle,
    /// The connection is reset (TCP RST) without an answer.
    Reset,
    /// The answer comes after this delay; the request is then processed normally.
    Delay(Duration),
}

/// The queue of faults for the next requests, shared with the running simulator: settable at
/// any time from tests through [`Simulator::faults`](crate::Simulator::faults).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    queue: Arc<Mutex<VecDeque<Fault>>>,
}

impl Faults {
    /// The next `n` requests (after those already queued) get `fault`.
    pub fn push(&self, fault: Fault, n: usize) -> &Self {
        let mut queue = self.queue.lock().expect("faults lock");
        queue.extend(std::iter::repeat_n(fault, n));
        self
    }

    /// The next `n` requests get HTTP 500 `InternalServiceErrorException`.
    pub fn fail_next(&self, n: usize) -> &Self {
        self.push(Fault::InternalError, n)
    }

    /// The next `n` requests get HTTP 503.
    pub fn unavailable_next(&self, n: usize) -> &Self {
        self.push(Fault::ServiceUnavailable, n)
    }

    /// The next `n` requests get `ThrottlingException`.
    pub fn throttle_next(&self, n: usize) -> &Self {
        self.push(Fault::Throttle, n)
    }

    /// The next `n` requests have their connection reset.
    pub fn reset_next(&self, n: usize) -> &Self {
        self.push(Fault::Reset, n)
    }

    /// The next `n` requests are answered after `delay`.
    pub fn delay_next(&self, n: usize, delay: Duration) -> &Self {
        self.push(Fault::Delay(delay), n)
    }

    /// How many faults are still queued.
    pub fn pending(&self) -> usize {
        self.queue.lock().expect("faults lock").len()
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        self.queue.lock().expect("faults lock").clear();
    }

    /// Takes the fault for the request that just arrived.
    pub(crate) fn take(&self) -> Option<Fault> {
        self.queue.lock().expect("faults lock").pop_front()
    }
}
