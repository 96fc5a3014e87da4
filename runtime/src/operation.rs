//! What every generated operation implements: its input's [`Operation`], its
//! fluent builder's [`FluentBuilder`] and its error's [`OperationError`], with the
//! helpers generated error parsing calls. Below the client, so that the client
//! and the test doubles both build on it.

use crate::aws_json;
use crate::error::{ErrorMetadata, Unhandled, ValidationError};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An operation's input: how to check it, and what comes back.
///
/// Generated operation inputs implement this; [`Handle::send`](crate::client::Handle::send) drives it.
pub trait Operation: Serialize + Send + std::fmt::Debug + 'static {
    /// The operation's output shape.
    type Output: DeserializeOwned + Send + 'static;
    /// The operation's error enum.
    type Error: OperationError + Send + 'static;
    /// The operation name as the model spells it, e.g. `MeterUsage`.
    const NAME: &'static str;
    /// Checks the model's constraints: required members, lengths, ranges.
    fn validate(&self) -> Result<(), ValidationError>;
    /// Fills what the SDK provides when the caller did not, such as idempotency
    /// tokens. Called once per call, before the first attempt.
    fn prepare(&mut self) {}
}

/// An operation's fluent builder, what a client method such as
/// `Client::meter_usage` returns: it names the operation's input, so that test
/// doubles can be keyed by the client method
/// (`test_util::mock!(Client::meter_usage)`).
pub trait FluentBuilder {
    /// The operation's input.
    type Input: Operation;
}

/// An operation's error enum: built from an error response.
pub trait OperationError: Sized {
    /// The error for a response with this metadata and body.
    fn from_response(meta: ErrorMetadata, body: &[u8]) -> Self;
}

/// Reads a modeled exception's members from an error body; a body that is not a
/// JSON object, or lacks members, leaves them unset (the metadata still says what
/// happened).
pub fn parse_exception<T: DeserializeOwned + Default>(body: &[u8]) -> T {
    if !aws_json::starts_object(body) {
        return T::default();
    }
    serde_json::from_slice(body).unwrap_or_default()
}

/// The error of a code the operation does not model.
pub fn unhandled(meta: ErrorMetadata, body: &[u8]) -> Unhandled {
    let excerpt = (!body.iter().all(u8::is_ascii_whitespace) && !aws_json::is_json_object(body))
        .then(|| aws_json::body_excerpt(body));
    Unhandled::new(meta, excerpt)
}
