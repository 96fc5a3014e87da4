//! What a client runs with: [`ClientConfig`], a plain value of settings that are
//! already decided, plus the value types settings are made of (endpoint URLs and
//! regions, checked before they go into a host name).
//!
//! Nothing here reads the environment: `marketplace-sdk-config` loads settings
//! from the environment and the shared files, and its `Config` hands each
//! client a `ClientConfig` for that client's service.

mod endpoint_url;
mod region;

pub use endpoint_url::EndpointUrl;
pub use region::{check_region, is_valid_region, InvalidRegion};

use crate::credentials::{Credentials, CredentialsCache, CredentialsError};
use crate::error::ConfigError;
use crate::retry::RetryConfig;
use crate::sleep::{Sleep, TokioSleep};
use crate::tls::{CaBundle, TrustRoots};
use crate::transport::SharedHttpClient;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for a connection unless configured, as the AWS SDKs.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// How long one attempt may take unless configured: connecting, sending, and
/// reading the whole response.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a call may take unless configured, every attempt and wait included.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(90);

/// Where a region set in code comes from, in errors.
const EXPLICIT_REGION_ORIGIN: &str = "set in code with Config::builder().region(..)";

/// The settings one client makes its calls with, for one service: every choice
/// already made (the endpoint URL is this service's), so a client reads fields
/// and never looks anything up.
///
/// Start from [`ClientConfig::default`] (the SDKs' defaults, no region, no
/// credentials) and set fields; `Config::client_config` of
/// `marketplace-sdk-config` builds one from a loaded configuration.
///
/// `Debug` never shows the secret key or session token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The region requests are sent to and signed for. Checked (see
    /// [`check_region`]) when a call is made.
    pub region: Option<String>,
    /// Where requests get their credentials; `None`: no credentials are
    /// configured, and every call fails with an error saying so.
    pub credentials: Option<CredentialsCache>,
    /// The endpoint to send to instead of the one the service's rules give.
    pub endpoint_url: Option<EndpointUrl>,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one attempt may take, from connecting to the last byte of the
    /// response.
    pub attempt_timeout: Duration,
    /// How long a call may take, every attempt and wait included.
    pub operation_timeout: Duration,
    /// How calls are retried.
    pub retry_config: RetryConfig,
    /// The application id for the user agent; checked when a client is made.
    pub app_id: Option<String>,
    /// How the client waits between attempts.
    pub sleep: Arc<dyn Sleep>,
    /// Whether to use the service's FIPS 140 endpoint.
    pub use_fips: bool,
    /// Whether to use the service's dual-stack endpoint.
    pub use_dual_stack: bool,
    /// Whether to leave out the host prefix some operations put before the
    /// endpoint's host (the model's `hostPrefix`, e.g. stepfunctions'
    /// `StartSyncExecution` goes to `sync-states.<region>.amazonaws.com`). By
    /// default it is added, to a configured endpoint URL too, as botocore and
    /// aws-sdk-rust do; set this for an endpoint (a local emulator, a proxy) that
    /// serves those operations on its own host. Labels in the prefix are checked
    /// either way.
    pub disable_host_prefix: bool,
    /// The roots HTTPS connections trust when there is no `ca_bundle`.
    pub trust_roots: TrustRoots,
    /// Certificate authorities to trust instead of `trust_roots`.
    pub ca_bundle: Option<CaBundle>,
    /// The HTTP client to send with; `None`: the SDK's own, built with
    /// `connect_timeout` and `ca_bundle`.
    pub http_client: Option<SharedHttpClient>,
    /// Mock rules that answer every call instead of the service (feature
    /// `test-util`).
    #[cfg(feature = "test-util")]
    pub mock_rules: Option<crate::test_util::MockRules>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            region: None,
            credentials: None,
            endpoint_url: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            retry_config: RetryConfig::default(),
            app_id: None,
            sleep: Arc::new(TokioSleep),
            use_fips: false,
            use_dual_stack: false,
            disable_host_prefix: false,
            trust_roots: TrustRoots::Bundled,
            ca_bundle: None,
            http_client: None,
            #[cfg(feature = "test-util")]
            mock_rules: None,
        }
    }
}

impl ClientConfig {
    /// The region, refused unless it is a host label (see [`check_region`]),
    /// for building a host name. Loaders check the regions they read where they
    /// read them, so one refused here was set in code.
    pub(crate) fn checked_region(&self) -> Result<Option<&str>, ConfigError> {
        match self.region.as_deref() {
            Some(region) => Ok(Some(check_region(region, EXPLICIT_REGION_ORIGIN)?)),
            None => Ok(None),
        }
    }

    /// The credentials to sign a request with, from the cache, or why there
    /// are none.
    pub(crate) async fn signing_credentials(&self) -> Result<Credentials, CredentialsError> {
        let Some(cache) = &self.credentials else {
            return Err(CredentialsError::not_loaded(
                "configuration",
                "no credentials are configured: set Config::builder().credentials(..) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use Config::from_env()",
            ));
        };
        cache.credentials().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_set_in_code_is_checked_before_it_builds_a_host() {
        let config = ClientConfig {
            region: Some("us-west-2".into()),
            ..ClientConfig::default()
        };
        assert_eq!(config.checked_region().unwrap(), Some("us-west-2"));
        assert_eq!(ClientConfig::default().checked_region().unwrap(), None);
        let config = ClientConfig {
            region: Some("evil.example/".into()),
            ..ClientConfig::default()
        };
        // Kept as given, refused when used.
        assert_eq!(config.region.as_deref(), Some("evil.example/"));
        let error = config.checked_region().unwrap_err().to_string();
        assert!(
            error.contains(
                "the region `evil.example/` (set in code with Config::builder().region(..)) \
                 is not a region name"
            ),
            "{error}"
        );
    }
}
