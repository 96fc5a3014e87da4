//! Bridges to the official AWS SDK for Rust, for programs that use both: feature
//! `aws-credential-types` makes any of its credentials providers (such as
//! `aws_config`'s default chain, SSO included) one of this SDK's, and feature
//! `aws-types` builds a [`ConfigBuilder`] from an `aws_types::SdkConfig`, so one
//! `aws_config::load_defaults(..)` configures both SDKs.
//!
//! Both are off by default and cost nothing then: no package of the official SDK
//! enters a program's `Cargo.lock` unless it turns one on.
//!
//! ```no_run
//! # #[cfg(feature = "aws-types")]
//! # async fn run() {
//! use marketplace_sdk_config::config::Config;
//!
//! // What the official SDK loads: environment, profiles, SSO, web identity, ...
//! let sdk_config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let config = Config::from_sdk_config(&sdk_config).build();
//! # let _ = config;
//! # }
//! ```

use crate::credentials::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use std::error::Error as _;
use std::fmt;

#[cfg(feature = "aws-types")]
use crate::config::{Config, ConfigBuilder};

/// The name of the bridged provider in errors.
const PROVIDER: &str = "AWS SDK credentials provider";

/// Any credentials provider of the official SDK
/// (`aws_credential_types::provider::ProvideCredentials`) as this SDK's
/// [`ProvideCredentials`]. Its errors keep their meaning: not loaded, invalid
/// configuration, provider error, and a timeout as a transient failure.
///
/// ```no_run
/// # async fn run() {
/// use marketplace_sdk_config::aws_sdk::AwsSdkCredentialsProvider;
/// use marketplace_sdk_config::config::Config;
///
/// let sdk_config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let provider = sdk_config.credentials_provider().expect("a credentials provider");
/// let config = Config::builder()
///     .region("us-east-1")
///     .credentials_provider(AwsSdkCredentialsProvider::new(provider))
///     .build();
/// # let _ = config;
/// # }
/// ```
pub struct AwsSdkCredentialsProvider<P> {
    inner: P,
}

impl<P> AwsSdkCredentialsProvider<P>
where
    P: aws_credential_types::provider::ProvideCredentials,
{
    /// Wraps `provider`.
    pub fn new(provider: P) -> Self {
        AwsSdkCredentialsProvider { inner: provider }
    }
}

impl<P: fmt::Debug> fmt::Debug for AwsSdkCredentialsProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AwsSdkCredentialsProvider")
            .field(&self.inner)
            .finish()
    }
}

impl<P> ProvideCredentials for AwsSdkCredentialsProvider<P>
where
    P: aws_credential_types::provider::ProvideCredentials,
{
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(async move {
            match self.inner.provide_credentials().await {
                Ok(credentials) => Ok(from_aws_credentials(&credentials)),
                Err(error) => Err(from_aws_error(&error)),
            }
        })
    }
}

/// The same key pair, token and expiry.
fn from_aws_credentials(credentials: &aws_credential_types::Credentials) -> Credentials {
    let ours = Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(str::to_owned),
    );
    match credentials.expiry() {
        Some(expiry) => ours.with_expiry(expiry),
        None => ours,
    }
}

/// The official SDK's error as ours: its kind kept, its message and the messages
/// of its causes in one line.
fn from_aws_error(
    error: &aws_credential_types::provider::error::CredentialsError,
) -> CredentialsError {
    use aws_credential_types::provider::error::CredentialsError as Aws;
    let kind = match error {
        Aws::CredentialsNotLoaded(_) => CredentialsErrorKind::NotLoaded,
        Aws::InvalidConfiguration(_) => CredentialsErrorKind::InvalidConfiguration,
        Aws::ProviderTimedOut(_) => CredentialsErrorKind::TransientFailure,
        _ => CredentialsErrorKind::ProviderError,
    };
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    CredentialsError::new(kind, PROVIDER, message)
}

#[cfg(feature = "aws-types")]
impl Config {
    /// A builder with the settings of the official SDK's `SdkConfig`: region,
    /// credentials provider (behind this SDK's cache), endpoint URL, FIPS and
    /// dual-stack, retry mode, attempts and backoff, connect, attempt and
    /// operation timeouts, and the app name as the app id. What it leaves unset
    /// keeps this SDK's default; settings made on the builder afterwards win.
    pub fn from_sdk_config(sdk_config: &aws_types::SdkConfig) -> ConfigBuilder {
        let mut builder = Config::builder();
        builder.set_region(sdk_config.region().map(|region| region.as_ref().to_owned()));
        if let Some(provider) = sdk_config.credentials_provider() {
            builder = builder.credentials_provider(AwsSdkCredentialsProvider::new(provider));
        }
        builder.set_endpoint_url(sdk_config.endpoint_url().map(str::to_owned));
        builder.set_use_fips(sdk_config.use_fips());
        builder.set_use_dual_stack(sdk_config.use_dual_stack());
        if let Some(retry) = sdk_config.retry_config() {
            builder = builder.retry_config(retry_config(retry));
        }
        if let Some(timeouts) = sdk_config.timeout_config() {
            if let Some(timeout) = timeouts.connect_timeout() {
                builder = builder.connect_timeout(timeout);
            }
            if let Some(timeout) = timeouts.operation_attempt_timeout() {
                builder = builder.attempt_timeout(timeout);
            }
            if let Some(timeout) = timeouts.operation_timeout() {
                builder = builder.operation_timeout(timeout);
            }
        }
        builder.set_app_id(sdk_config.app_name().map(|name| name.as_ref().to_owned()));
        builder
    }
}

/// The official SDK's retry settings as ours.
#[cfg(feature = "aws-types")]
fn retry_config(
    retry: &aws_types::sdk_config::RetryConfig,
) -> marketplace_sdk_runtime::retry::RetryConfig {
    use aws_smithy_types::retry::RetryMode as Aws;
    use marketplace_sdk_runtime::retry::{RetryConfig, RetryMode};
    let mode = match retry.mode() {
        Aws::Adaptive => RetryMode::Adaptive,
        _ => RetryMode::Standard,
    };
    RetryConfig::standard()
        .with_mode(mode)
        .with_max_attempts(retry.max_attempts())
        .with_initial_backoff(retry.initial_backoff())
        .with_max_backoff(retry.max_backoff())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::error::CredentialsError as Aws;
    use std::time::{Duration, SystemTime};

    #[derive(Debug)]
    struct Answer(Result<aws_credential_types::Credentials, &'static str>);

    impl aws_credential_types::provider::ProvideCredentials for Answer {
        fn provide_credentials<'a>(
            &'a self,
        ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            aws_credential_types::provider::future::ProvideCredentials::ready(match &self.0 {
                Ok(credentials) => Ok(credentials.clone()),
                Err("not loaded") => Err(Aws::not_loaded("no AWS_ACCESS_KEY_ID")),
                Err("timeout") => Err(Aws::provider_timed_out(Duration::from_secs(5))),
                Err("invalid") => Err(Aws::invalid_configuration("bad profile")),
                Err(other) => Err(Aws::provider_error(*other)),
            })
        }
    }

    #[tokio::test]
    async fn credentials_keep_their_keys_token_and_expiry() {
        let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        let aws = aws_credential_types::Credentials::new(
            "AKID",
            "SECRET",
            Some("TOKEN".into()),
            Some(expiry),
            "test",
        );
        let ours = AwsSdkCredentialsProvider::new(Answer(Ok(aws)))
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(
            ours,
            Credentials::new("AKID", "SECRET", Some("TOKEN".into())).with_expiry(expiry)
        );
    }

    #[tokio::test]
    async fn errors_keep_their_kind() {
        for (answer, kind) in [
            ("not loaded", CredentialsErrorKind::NotLoaded),
            ("timeout", CredentialsErrorKind::TransientFailure),
            ("invalid", CredentialsErrorKind::InvalidConfiguration),
            ("sso token expired", CredentialsErrorKind::ProviderError),
        ] {
            let error = AwsSdkCredentialsProvider::new(Answer(Err(answer)))
                .provide_credentials()
                .await
                .unwrap_err();
            assert_eq!(error.kind(), kind, "{error}");
            assert_eq!(error.provider(), PROVIDER);
        }
        let error = AwsSdkCredentialsProvider::new(Answer(Err("sso token expired")))
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(error.message().contains("sso token expired"), "{error}");
    }

    #[cfg(feature = "aws-types")]
    #[test]
    fn a_config_from_sdk_config_takes_its_settings() {
        use aws_types::sdk_config::{RetryConfig, TimeoutConfig};
        let sdk_config = aws_types::SdkConfig::builder()
            .region(aws_types::region::Region::new("eu-west-1"))
            .endpoint_url("http://127.0.0.1:9")
            .use_fips(true)
            .use_dual_stack(true)
            .retry_config(RetryConfig::adaptive().with_max_attempts(5))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(1))
                    .operation_attempt_timeout(Duration::from_secs(2))
                    .operation_timeout(Duration::from_secs(3))
                    .build(),
            )
            .app_name(aws_types::app_name::AppName::new("seller-app").unwrap())
            .build();
        let config = Config::from_sdk_config(&sdk_config).build();
        assert_eq!(config.region(), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9"));
        assert!(config.use_fips() && config.use_dual_stack());
        assert_eq!(
            config.retry_config().mode(),
            marketplace_sdk_runtime::retry::RetryMode::Adaptive
        );
        assert_eq!(config.retry_config().max_attempts(), 5);
        assert_eq!(config.connect_timeout(), Duration::from_secs(1));
        assert_eq!(config.attempt_timeout(), Duration::from_secs(2));
        assert_eq!(config.operation_timeout(), Duration::from_secs(3));
        assert_eq!(config.app_id(), Some("seller-app"));
        assert!(config.credentials_cache().is_none());
        // Nothing set: this SDK's defaults.
        let config = Config::from_sdk_config(&aws_types::SdkConfig::builder().build()).build();
        assert_eq!(config.region(), None);
        assert_eq!(config.retry_config().max_attempts(), 3);
    }
}
