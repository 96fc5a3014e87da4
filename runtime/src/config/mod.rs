//! Client configuration: region, credentials, endpoint, FIPS and dual-stack.
//!
//! [`Config::builder`] starts empty; [`Config::from_env`] starts from the
//! environment and the shared config files, in the order every AWS SDK reads them.
//! Settings made on the builder afterwards always win.

mod endpoint_url;
mod load;

pub use endpoint_url::{service_config_key, service_endpoint_variable, EndpointUrl};

use crate::credentials::Credentials;
use crate::error::ConfigError;
use endpoint_url::ConfiguredEndpoints;
use load::Env;
use std::time::Duration;

/// How a client reaches and authenticates to the service. Build it with
/// [`Config::builder`], or start from the environment with [`Config::from_env`].
///
/// `Debug` never shows the secret key or session token.
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    /// The explicit override: [`ConfigBuilder::endpoint_url`].
    pub(crate) endpoint_url: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) use_fips: bool,
    pub(crate) use_dual_stack: bool,
    /// Endpoint URLs from the environment and the profile, for whichever service
    /// the config ends up in.
    configured_endpoints: ConfiguredEndpoints,
}

/// Where an explicit endpoint URL comes from, in [`EndpointUrl::origin`].
const EXPLICIT_ENDPOINT_ORIGIN: &str = "Config::builder().endpoint_url(..)";

impl Config {
    /// An empty builder: nothing is read from the environment.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A builder filled from the environment and the shared config files, as the
    /// AWS SDKs do; settings made on the builder afterwards win.
    ///
    /// - Profile: `AWS_PROFILE` (default `default`), from `AWS_CONFIG_FILE`
    ///   (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE` (default
    ///   `~/.aws/credentials`). A selected profile that does not exist is an error,
    ///   unless it is `default`.
    /// - Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`.
    /// - FIPS and dual-stack endpoints: `AWS_USE_FIPS_ENDPOINT` /
    ///   `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` /
    ///   `use_dualstack_endpoint`: `true` or `false` in any case; any other value is
    ///   an error.
    /// - Endpoint URL, per service (see [`Config::endpoint_url_for`]):
    ///   `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    ///   `[services NAME]` section, the profile's `endpoint_url`; none of them when
    ///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or `ignore_configured_endpoint_urls`
    ///   is `true`.
    /// - Credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    ///   `AWS_SESSION_TOKEN`, else the profile's `aws_access_key_id`,
    ///   `aws_secret_access_key` and `aws_session_token`.
    ///
    /// An empty variable or property counts as unset. Unreadable or malformed files,
    /// bad values and half-set key pairs are errors that say where they are.
    pub async fn from_env() -> Result<ConfigBuilder, ConfigError> {
        ConfigBuilder::default().load_from(&Env::process())
    }

    /// [`Config::from_env`] over the given variables instead of the process
    /// environment: for tests, or to load a configuration for someone else. Files
    /// are read from the paths these variables name (`HOME` included).
    pub async fn from_vars<K, V>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<ConfigBuilder, ConfigError>
    where
        K: Into<String>,
        V: Into<String>,
    {
        ConfigBuilder::default().load_from(&Env::from_vars(vars))
    }

    /// The region requests are sent to and signed for.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint set with [`ConfigBuilder::endpoint_url`], if any. Endpoints
    /// configured in the environment or the profile depend on the service: see
    /// [`Config::endpoint_url_for`].
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// The endpoint URL for the service with `service_id` (the model's
    /// `metadata.serviceId`, e.g. `Marketplace Metering`), first of:
    ///
    /// 1. [`ConfigBuilder::endpoint_url`];
    /// 2. `AWS_ENDPOINT_URL_<SERVICE>`, the id uppercased with spaces and hyphens
    ///    made underscores (`AWS_ENDPOINT_URL_MARKETPLACE_METERING`);
    /// 3. `AWS_ENDPOINT_URL`;
    /// 4. in the `[services NAME]` section the profile names with `services = NAME`,
    ///    the `endpoint_url` sub-property of the service's key, the id lowercased
    ///    the same way (`marketplace_metering`);
    /// 5. the profile's `endpoint_url`.
    ///
    /// `None` means the service's own endpoint for the region. Only the first is
    /// left when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's
    /// `ignore_configured_endpoint_urls` is `true`.
    pub fn endpoint_url_for(&self, service_id: &str) -> Option<&str> {
        match &self.endpoint_url {
            Some(url) => Some(url),
            None => self
                .configured_endpoints
                .for_service(service_id)
                .map(EndpointUrl::url),
        }
    }

    /// [`Config::endpoint_url_for`] with where the URL was configured, for
    /// messages about a bad URL.
    pub fn endpoint_url_with_origin_for(&self, service_id: &str) -> Option<EndpointUrl> {
        match &self.endpoint_url {
            Some(url) => Some(EndpointUrl::new(url.clone(), EXPLICIT_ENDPOINT_ORIGIN)),
            None => self.configured_endpoints.for_service(service_id).cloned(),
        }
    }

    /// The credentials requests are signed with.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Whether to use the service's FIPS 140 endpoint.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }

    /// Whether to use the service's dual-stack (IPv4 and IPv6) endpoint.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }
}

/// Builds a [`Config`].
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Credentials>,
    endpoint_url: Option<String>,
    connect_timeout: Option<Duration>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    configured_endpoints: ConfiguredEndpoints,
}

impl ConfigBuilder {
    /// The AWS region, e.g. `us-east-1`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets or clears the region.
    pub fn set_region(&mut self, region: Option<String>) -> &mut Self {
        self.region = region;
        self
    }

    /// The credentials to sign with.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Sets or clears the credentials.
    pub fn set_credentials(&mut self, credentials: Option<Credentials>) -> &mut Self {
        self.credentials = credentials;
        self
    }

    /// Sends requests to this URL instead of the region's endpoint, e.g. a local
    /// test server. It wins over every endpoint URL of the environment and the
    /// profile.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Sets or clears the endpoint override.
    pub fn set_endpoint_url(&mut self, url: Option<String>) -> &mut Self {
        self.endpoint_url = url;
        self
    }

    /// How long to wait for a connection (default 3.1 s, as the AWS SDKs).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Whether to use the service's FIPS 140 endpoint (default false).
    pub fn use_fips(mut self, use_fips: bool) -> Self {
        self.use_fips = Some(use_fips);
        self
    }

    /// Sets or clears the FIPS choice; cleared means false.
    pub fn set_use_fips(&mut self, use_fips: Option<bool>) -> &mut Self {
        self.use_fips = use_fips;
        self
    }

    /// Whether to use the service's dual-stack (IPv4 and IPv6) endpoint (default
    /// false).
    pub fn use_dual_stack(mut self, use_dual_stack: bool) -> Self {
        self.use_dual_stack = Some(use_dual_stack);
        self
    }

    /// Sets or clears the dual-stack choice; cleared means false.
    pub fn set_use_dual_stack(&mut self, use_dual_stack: Option<bool>) -> &mut Self {
        self.use_dual_stack = use_dual_stack;
        self
    }

    /// The finished configuration. Missing pieces are reported when a request needs
    /// them, as a [`ConfigError`] before anything is sent.
    pub fn build(self) -> Config {
        Config {
            region: self.region,
            credentials: self.credentials,
            endpoint_url: self.endpoint_url,
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_millis(3100)),
            use_fips: self.use_fips.unwrap_or(false),
            use_dual_stack: self.use_dual_stack.unwrap_or(false),
            configured_endpoints: self.configured_endpoints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_defaults_and_setters() {
        let config = Config::builder().build();
        assert!(!config.use_fips() && !config.use_dual_stack());
        assert_eq!(config.endpoint_url_for("Marketplace Metering"), None);
        let config = Config::builder()
            .use_fips(true)
            .use_dual_stack(true)
            .endpoint_url("http://127.0.0.1:9")
            .build();
        assert!(config.use_fips() && config.use_dual_stack());
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9"));
        assert_eq!(
            config.endpoint_url_for("Marketplace Metering"),
            Some("http://127.0.0.1:9")
        );
        let with_origin = config
            .endpoint_url_with_origin_for("Marketplace Metering")
            .unwrap();
        assert_eq!(with_origin.origin(), "Config::builder().endpoint_url(..)");
        let mut builder = Config::builder().use_fips(true);
        builder.set_use_fips(None).set_use_dual_stack(Some(true));
        let config = builder.build();
        assert!(!config.use_fips() && config.use_dual_stack());
    }

    #[tokio::test]
    async fn from_vars_reads_the_given_variables() {
        let builder = Config::from_vars([("AWS_REGION", "eu-central-1")])
            .await
            .unwrap();
        assert_eq!(builder.build().region(), Some("eu-central-1"));
        let error = Config::from_vars([("AWS_USE_FIPS_ENDPOINT", "maybe")])
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("AWS_USE_FIPS_ENDPOINT"),
            "{error}"
        );
    }
}
