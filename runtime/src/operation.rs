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
    /// How the operation's requests are authenticated: the model's `auth` list (or
    /// its older `authtype`), resolved as botocore resolves it.
    const AUTH: AuthScheme = AuthScheme::SigV4;
    /// The prefix the operation puts before the endpoint's host (the model's
    /// `endpoint.hostPrefix`, its `{Label}`s filled from the input's `hostLabel`
    /// members, e.g. `data-` or `my-label.`), or `None` when it has none. An empty
    /// or missing label, or one with a character other than an ASCII letter, digit,
    /// `-` or `.`, is a [`ValidationError`] naming the member; the call checks it
    /// before anything is sent, even when the host prefix is disabled.
    fn host_prefix(&self) -> Result<Option<String>, ValidationError> {
        Ok(None)
    }
}

/// How an operation's requests are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// Signed with SigV4 (the model's `aws.auth#sigv4`, or `authtype` `v4`): every
    /// attempt needs credentials.
    SigV4,
    /// Sent unsigned (`smithy.api#noAuth`, or `authtype` `none`), as botocore
    /// sends it with `signature_version=UNSIGNED`: no credentials are looked up,
    /// and no `Authorization`, `X-Amz-Date` or `X-Amz-Security-Token` header is
    /// sent.
    NoAuth,
}

/// Checks the value of an input member marked `hostLabel` for the operation's host
/// prefix, as botocore's serializer does (`HOST_PREFIX_RE`, `^[A-Za-z0-9\.\-]+$`):
/// one or more ASCII letters, digits, hyphens and periods. `member` is the member's
/// name in the model, for the error.
pub fn host_label<'a>(member: &str, value: Option<&'a str>) -> Result<&'a str, ValidationError> {
    let value = value.ok_or_else(|| {
        ValidationError::new(
            member,
            "is required: it is part of the host name the request is sent to",
        )
    })?;
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(ValidationError::new(
            member,
            format!(
                "{value:?} cannot be part of the host name the request is sent to: it must be \
                 one or more ASCII letters, digits, hyphens or periods"
            ),
        ));
    }
    Ok(value)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_labels_are_letters_digits_hyphens_and_periods() {
        for ok in ["a", "my-label", "A.b-9", "..", "-"] {
            assert_eq!(host_label("Label", Some(ok)), Ok(ok));
        }
        for bad in ["", "a b", "a/b", "a_b", "a:1", "é", "a\n", "a@b"] {
            let error = host_label("Label", Some(bad)).unwrap_err();
            assert_eq!(error.path(), "Label");
            assert!(error.problem().contains("host name"), "{error}");
        }
        let error = host_label("Label", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid input: Label: is required: it is part of the host name the request is sent to"
        );
    }
}
