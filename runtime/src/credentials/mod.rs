//! AWS credentials: the key pair and optional session token requests are signed
//! with, the [`ProvideCredentials`] trait of everything that finds them, and the
//! [`CredentialsCache`] every client keeps them in.
//!
//! A provider implements [`ProvideCredentials`]: an async call that returns
//! [`Credentials`], with an expiry when they are temporary, or a
//! [`CredentialsError`] saying what it tried. The providers that read the
//! environment (environment variables, profiles, web identity, the container
//! endpoint, EC2 instance metadata) and the default chain over them live in the
//! `marketplace-sdk-config` crate; this module has what a call needs.
//!
//! The cache refreshes credentials a few minutes before they expire (with
//! jitter), one refresh for all concurrent callers, and keeps the old
//! credentials while they are valid if a refresh fails.
//!
//! No secret appears in any `Debug`, `Display`, log line or error of this module.

mod cache;
mod provide;

pub use crate::error::{CredentialsError, CredentialsErrorKind};
pub use cache::{CredentialsCache, CredentialsCacheBuilder, SystemTimeSource, TimeSource};
#[doc(hidden)]
pub use provide::check_not_expired;
pub use provide::{
    Credentials, ProvideCredentials, ProvideCredentialsFuture, SharedCredentialsProvider,
};
