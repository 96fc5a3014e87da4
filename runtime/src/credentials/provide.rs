//! The credentials value and the trait of everything that provides it.

use crate::datetime::DateTime;
use crate::error::CredentialsError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

/// An access key, its secret and an optional session token.
///
/// `Debug` shows the access key id only; the secret and the token never reach logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
}

impl Credentials {
    /// Credentials from an access key id, a secret access key and, for temporary
    /// credentials, a session token.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry: None,
        }
    }

    /// The same credentials, valid until `expiry`.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// The access key id (not secret; it appears in every signed request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// When temporary credentials stop working.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }
}

impl ProvideCredentials for Credentials {
    /// Static credentials provide themselves.
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// What [`ProvideCredentials::provide_credentials`] returns: a boxed, `Send`
/// future of the credentials or of why there are none.
pub type ProvideCredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// Something that can find credentials: the chain's providers, a cache, static
/// [`Credentials`], or your own.
///
/// Called whenever a request needs credentials and the client's
/// [`CredentialsCache`](super::CredentialsCache) has none that are fresh, so an implementation need not
/// cache. Return [`CredentialsErrorKind::NotLoaded`](crate::error::CredentialsErrorKind::NotLoaded) when the provider is not
/// configured where it runs (a chain of providers then asks the next
/// one), any other kind when it is configured but failed. `Debug` must not show
/// secrets.
///
/// ```
/// use marketplace_sdk_runtime::credentials::{
///     Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
/// };
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
///         Box::pin(async {
///             // ... ask the vault ...
///             Err(CredentialsError::provider_error("vault", "the vault is sealed"))
///         })
///     }
/// }
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Finds credentials, or says why there are none.
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_>;
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }
}

/// Any credentials provider behind an `Arc`: cheap to clone and share between
/// clients.
#[derive(Clone)]
pub struct SharedCredentialsProvider(Arc<dyn ProvideCredentials>);

impl SharedCredentialsProvider {
    /// Shares `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        SharedCredentialsProvider(Arc::new(provider))
    }
}

impl fmt::Debug for SharedCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl ProvideCredentials for SharedCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.0.provide_credentials()
    }
}

/// Checks that credentials a provider just got are not already expired (shared
/// with the providers of `marketplace-sdk-config`).
pub fn check_not_expired(
    provider: &str,
    credentials: Credentials,
    now: SystemTime,
) -> Result<Credentials, CredentialsError> {
    match credentials.expiry() {
        Some(expiry) if expiry <= now => Err(CredentialsError::provider_error(
            provider,
            format!(
                "the credentials it returned expired at {} (it is now {})",
                DateTime::from(expiry),
                DateTime::from(now)
            ),
        )),
        _ => Ok(credentials),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expiry", &self.expiry)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let credentials = Credentials::new("AKIDVISIBLE", "SECRETVALUE", Some("TOKENVALUE".into()));
        let text = format!("{credentials:?}");
        assert!(text.contains("AKIDVISIBLE"));
        assert!(
            !text.contains("SECRETVALUE") && !text.contains("TOKENVALUE"),
            "{text}"
        );
    }
}
