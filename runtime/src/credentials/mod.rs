//! AWS credentials: the key pair and optional session token requests are signed
//! with, and the providers that find them where metering runs.
//!
//! A provider implements [`ProvideCredentials`]: an async call that returns
//! [`Credentials`], with an expiry when they are temporary, or a
//! [`CredentialsError`] saying what it tried. [`Config::from_env`] installs the
//! [`DefaultCredentialsChain`], which asks, in order:
//!
//! 1. the environment ([`EnvironmentCredentialsProvider`]): `AWS_ACCESS_KEY_ID`,
//!    `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (a laptop, CI);
//! 2. the selected profile of the shared files ([`ProfileCredentialsProvider`]):
//!    static keys, `credential_process`, `role_arn` with `source_profile`,
//!    `credential_source` or `web_identity_token_file`;
//! 3. web identity ([`WebIdentityTokenCredentialsProvider`]): EKS IAM roles for
//!    service accounts (IRSA), `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`;
//! 4. the container endpoint ([`ContainerCredentialsProvider`]): ECS task roles
//!    and EKS Pod Identity;
//! 5. EC2 instance metadata, IMDSv2 only ([`ImdsCredentialsProvider`]).
//!
//! The first provider that has credentials wins. One that is not configured
//! steps aside; one that is configured but fails stops the chain with its error,
//! so a broken role setup is never silently replaced by other credentials. When
//! nobody has credentials, the error lists every provider and why it did not
//! apply.
//!
//! Every client keeps its credentials in a [`CredentialsCache`]: refreshed a few
//! minutes before they expire (with jitter), one refresh for all concurrent
//! callers, and the old credentials kept while they are valid if a refresh fails.
//!
//! No secret — secret key, session token, web identity token, container
//! authorization token, IMDS token — appears in any `Debug`, `Display`, log line
//! or error of this module.
//!
//! [`Config::from_env`]: crate::config::Config::from_env

mod cache;
mod chain;
pub(crate) mod container;
mod environment;
pub(crate) mod http;
pub(crate) mod imds;
pub(crate) mod process;
mod profile;
pub(crate) mod sts;
mod web_identity;

pub use cache::{CredentialsCache, CredentialsCacheBuilder, SystemTimeSource, TimeSource};
pub use chain::{CredentialsProviderChain, DefaultCredentialsChain};
pub use container::ContainerCredentialsProvider;
pub use environment::EnvironmentCredentialsProvider;
pub use imds::{ImdsClient, ImdsClientBuilder, ImdsCredentialsProvider};
pub use profile::ProfileCredentialsProvider;
pub use web_identity::WebIdentityTokenCredentialsProvider;

pub use crate::error::{CredentialsError, CredentialsErrorKind};
pub(crate) use process::DEFAULT_TIMEOUT as DEFAULT_PROCESS_TIMEOUT;
pub(crate) use sts::StsConfig;

use crate::config::Env;
use crate::datetime::DateTime;
use crate::error::ConfigError;
use crate::profile::{Profile, Property};
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

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
    ///
    /// `Ok(None)` when neither key variable is set; an error when only one is, or
    /// when one is set but empty, since a half-configured environment is a mistake.
    pub fn from_env() -> Result<Option<Self>, crate::error::ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Credentials::from_env`] over any variable lookup (tests pass a map).
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, crate::error::ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let key = non_empty("AWS_ACCESS_KEY_ID");
        let secret = non_empty("AWS_SECRET_ACCESS_KEY");
        match (key, secret) {
            (None, None) => Ok(None),
            (Some(key), Some(secret)) => Ok(Some(Credentials::new(
                key.trim(),
                secret.trim(),
                non_empty("AWS_SESSION_TOKEN").map(|token| token.trim().to_owned()),
            ))),
            (Some(_), None) => Err(crate::error::ConfigError::new(
                "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is missing or empty",
            )),
            (None, Some(_)) => Err(crate::error::ConfigError::new(
                "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is missing or empty",
            )),
        }
    }

    /// The static keys of a profile of the shared files: `aws_access_key_id`,
    /// `aws_secret_access_key` and, for temporary credentials, `aws_session_token`.
    ///
    /// `Ok(None)` when the profile sets neither key (it may get credentials another
    /// way); an error naming the file and line when it sets only one, since a
    /// half-written profile is a mistake. Empty values count as unset.
    pub fn from_profile(profile: &Profile) -> Result<Option<Self>, ConfigError> {
        let property = |name: &str| {
            profile
                .property(name)
                .filter(|property| !property.value().is_empty())
        };
        let key = property("aws_access_key_id");
        let secret = property("aws_secret_access_key");
        let half_set = |set: &Property, missing: &str| {
            ConfigError::new(format!(
                "{}, line {}: profile `{}` sets {} but not {missing}",
                set.path(),
                set.line(),
                profile.name(),
                set.name()
            ))
        };
        match (key, secret) {
            (None, None) => Ok(None),
            (Some(key), Some(secret)) => Ok(Some(Credentials::new(
                key.value(),
                secret.value(),
                property("aws_session_token").map(|token| token.value().to_owned()),
            ))),
            (Some(key), None) => Err(half_set(key, "aws_secret_access_key")),
            (None, Some(secret)) => Err(half_set(secret, "aws_access_key_id")),
        }
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
/// [`CredentialsCache`] has none that are fresh, so an implementation need not
/// cache. Return [`CredentialsErrorKind::NotLoaded`] when the provider is not
/// configured where it runs (a [`CredentialsProviderChain`] then asks the next
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

/// What the providers of the default chain read: the variables, the STS and
/// IMDS settings. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ProviderContext {
    pub(crate) env: Arc<Env>,
    pub(crate) sts: StsConfig,
    pub(crate) imds: ImdsClient,
    /// How long a `credential_process` may run before it is killed.
    pub(crate) process_timeout: std::time::Duration,
    /// The configured HTTP client, for the container endpoint (STS and IMDS
    /// have theirs already); `None`: each provider's own.
    pub(crate) http_client: Option<crate::transport::SharedHttpClient>,
}

impl ProviderContext {
    /// Everything from the variables alone (no profile): for the providers'
    /// public constructors.
    pub(crate) fn from_env(env: Env) -> Self {
        let imds = ImdsClient::from_env_and_profile(&env, None);
        ProviderContext {
            sts: StsConfig::from_env(&env),
            imds,
            env: Arc::new(env),
            process_timeout: process::DEFAULT_TIMEOUT,
            http_client: None,
        }
    }
}

/// Checks that credentials a provider just got are not already expired.
pub(crate) fn check_not_expired(
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

/// `text` when it holds no CR or LF: what may go into an HTTP header.
pub(crate) fn single_line(text: &str) -> bool {
    !text.contains(['\r', '\n'])
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
    use std::collections::HashMap;

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

    #[test]
    fn reads_the_environment() {
        let env: HashMap<&str, &str> = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
            ("AWS_SESSION_TOKEN", "T"),
        ]
        .into();
        let found = Credentials::from_lookup(|k| env.get(k).map(|v| v.to_string()))
            .unwrap()
            .unwrap();
        assert_eq!(found, Credentials::new("AKID", "S", Some("T".into())));
        assert_eq!(Credentials::from_lookup(|_| None).unwrap(), None);
        let half =
            Credentials::from_lookup(|k| (k == "AWS_ACCESS_KEY_ID").then(|| "AKID".to_string()));
        assert!(half
            .unwrap_err()
            .to_string()
            .contains("AWS_SECRET_ACCESS_KEY"));
    }
}
