//! Client configuration: region, credentials, endpoint, FIPS and dual-stack.
//!
//! [`Config::builder`] starts empty; [`Config::from_env`] starts from the
//! environment and the shared config files, in the order every AWS SDK reads them.
//! Settings made on the builder afterwards always win. A client takes the
//! [`ClientConfig`] of its service from [`Config::client_config`].

mod endpoints;
mod load;

pub use endpoints::{service_config_key, service_endpoint_variable};
pub use marketplace_sdk_runtime::config::{
    ClientConfig, EndpointUrl, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_OPERATION_TIMEOUT,
};

use crate::credentials::{
    Credentials, CredentialsCache, DefaultCredentialsChain, ImdsClient, ProvideCredentials,
    ProviderContext, SharedCredentialsProvider, StsConfig,
};
use crate::env::Env;
use crate::profile::ProfileSet;
use endpoints::ConfiguredEndpoints;
use marketplace_sdk_runtime::error::ConfigError;
use marketplace_sdk_runtime::retry::RetryConfig;
use marketplace_sdk_runtime::sleep::Sleep;
use marketplace_sdk_runtime::tls::CaBundle;
pub use marketplace_sdk_runtime::tls::TrustRoots;
use marketplace_sdk_runtime::transport::{HttpClient, ReqwestHttpClient, SharedHttpClient};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How a client reaches and authenticates to the service. Build it with
/// [`Config::builder`], or start from the environment with [`Config::from_env`].
///
/// `Debug` never shows the secret key or session token.
#[derive(Clone, Debug)]
pub struct Config {
    /// What every client gets; its endpoint URL is the explicit one of
    /// [`ConfigBuilder::endpoint_url`], and [`Config::client_config`] puts in
    /// the one configured for the client's service.
    client: ClientConfig,
    /// Static credentials, as set with [`ConfigBuilder::credentials`].
    credentials: Option<Credentials>,
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
    /// - Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`. It
    ///   goes into host names, so one that is not a host label (such as
    ///   `x.example.org/`) is an error: see [`ConfigBuilder::region`].
    /// - FIPS and dual-stack endpoints: `AWS_USE_FIPS_ENDPOINT` /
    ///   `use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT` /
    ///   `use_dualstack_endpoint`: `true` or `false` in any case; any other value is
    ///   an error.
    /// - Endpoint URL, per service (see [`Config::endpoint_url_for`]):
    ///   `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the profile's
    ///   `[services NAME]` section, the profile's `endpoint_url`; none of them when
    ///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or `ignore_configured_endpoint_urls`
    ///   is `true`.
    /// - Host prefixes: `AWS_DISABLE_HOST_PREFIX_INJECTION` /
    ///   `disable_host_prefix_injection`, `true` or `false` in any case, as botocore
    ///   reads them (see [`ConfigBuilder::disable_host_prefix`]).
    /// - Retries: `AWS_RETRY_MODE` / `retry_mode` (`standard`, `adaptive`, or
    ///   `legacy`, which means `standard`) and `AWS_MAX_ATTEMPTS` /
    ///   `max_attempts` (a whole number, 1 or more); any other value is an error.
    /// - Application id for the user agent: `AWS_SDK_UA_APP_ID` /
    ///   `sdk_ua_app_id`.
    /// - Credentials: the [`DefaultCredentialsChain`] — environment, the profile
    ///   (static keys, `credential_process`, roles), web identity (EKS IRSA), the
    ///   container endpoint (ECS, EKS Pod Identity), EC2 instance metadata
    ///   (IMDSv2). Nothing is fetched now: the first request that needs
    ///   credentials asks the chain, and a configuration with no credentials
    ///   anywhere fails then, with an error that lists what every provider tried.
    ///   Credentials set on the builder replace the chain.
    /// - Region, last resort: when nothing above sets one and
    ///   `AWS_EC2_METADATA_DISABLED` is not `true`, the EC2 instance metadata's
    ///   `placement/region`, asked once (one attempt, 1 s connect and read
    ///   timeouts, or `AWS_METADATA_SERVICE_TIMEOUT`): off EC2 this costs at most
    ///   that, usually nothing (no route), and leaves the region unset. An
    ///   answer that is not a host label is an error.
    ///
    /// An empty variable or property counts as unset. Unreadable or malformed files
    /// and bad values are errors that say where they are.
    pub async fn from_env() -> Result<ConfigBuilder, ConfigError> {
        ConfigBuilder::default()
            .load_from(&Env::process())?
            .region_from_imds()
            .await
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
        ConfigBuilder::default()
            .load_from(&Env::from_vars(vars))?
            .region_from_imds()
            .await
    }

    /// The settings a client of the service with `service_id` (the model's
    /// `metadata.serviceId`) makes its calls with: everything here, with the
    /// endpoint URL of [`Config::endpoint_url_for`].
    pub fn client_config(&self, service_id: &str) -> ClientConfig {
        let mut client = self.client.clone();
        client.endpoint_url = self.endpoint_url_with_origin(service_id).cloned();
        client
    }

    /// The region requests are sent to and signed for.
    pub fn region(&self) -> Option<&str> {
        self.client.region.as_deref()
    }

    /// The endpoint set with [`ConfigBuilder::endpoint_url`], if any. Endpoints
    /// configured in the environment or the profile depend on the service: see
    /// [`Config::endpoint_url_for`].
    pub fn endpoint_url(&self) -> Option<&str> {
        self.client.endpoint_url.as_ref().map(EndpointUrl::url)
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
        self.endpoint_url_with_origin(service_id)
            .map(EndpointUrl::url)
    }

    /// [`Config::endpoint_url_for`] with where the URL was configured, for
    /// messages about a bad URL.
    pub fn endpoint_url_with_origin_for(&self, service_id: &str) -> Option<EndpointUrl> {
        self.endpoint_url_with_origin(service_id).cloned()
    }

    fn endpoint_url_with_origin(&self, service_id: &str) -> Option<&EndpointUrl> {
        self.client
            .endpoint_url
            .as_ref()
            .or_else(|| self.configured_endpoints.for_service(service_id))
    }

    /// The static credentials set with [`ConfigBuilder::credentials`], if any.
    /// Credentials from a provider, such as the default chain of
    /// [`Config::from_env`], are only known once asked for: see
    /// [`Config::credentials_cache`].
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The cache requests get their credentials from (it asks the configured
    /// provider when it has nothing fresh); `None` when no credentials are
    /// configured. `config.credentials_cache().unwrap().credentials().await`
    /// gets what the next request will be signed with.
    pub fn credentials_cache(&self) -> Option<&CredentialsCache> {
        self.client.credentials.as_ref()
    }

    /// Whether to use the service's FIPS 140 endpoint.
    pub fn use_fips(&self) -> bool {
        self.client.use_fips
    }

    /// Whether to use the service's dual-stack (IPv4 and IPv6) endpoint.
    pub fn use_dual_stack(&self) -> bool {
        self.client.use_dual_stack
    }

    /// Whether operations with a host prefix are sent to the endpoint's own host
    /// (see [`ConfigBuilder::disable_host_prefix`]).
    pub fn disable_host_prefix(&self) -> bool {
        self.client.disable_host_prefix
    }

    /// How calls are retried.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.client.retry_config
    }

    /// How long to wait for a connection.
    pub fn connect_timeout(&self) -> Duration {
        self.client.connect_timeout
    }

    /// How long one attempt may take.
    pub fn attempt_timeout(&self) -> Duration {
        self.client.attempt_timeout
    }

    /// How long a call may take, retries included.
    pub fn operation_timeout(&self) -> Duration {
        self.client.operation_timeout
    }

    /// The application id sent in the user agent.
    pub fn app_id(&self) -> Option<&str> {
        self.client.app_id.as_deref()
    }

    /// The roots HTTPS connections trust when no CA bundle is configured.
    pub fn trust_roots(&self) -> TrustRoots {
        self.client.trust_roots
    }

    /// The PEM file of certificate authorities HTTPS connections trust instead of
    /// the bundled Mozilla roots, if one is configured.
    pub fn ca_bundle(&self) -> Option<&Path> {
        self.client
            .ca_bundle
            .as_ref()
            .map(|bundle| bundle.path.as_path())
    }
}

/// Where a configuration's credentials come from.
#[derive(Clone, Debug, Default)]
enum CredentialsSetting {
    #[default]
    None,
    Static(Credentials),
    Provider(SharedCredentialsProvider),
    Cache(CredentialsCache),
    /// [`DefaultCredentialsChain`], made by [`ConfigBuilder::build`] so that it
    /// uses the final region for STS.
    DefaultChain(ChainInputs),
}

/// What [`Config::from_env`] read for the default chain.
#[derive(Clone)]
struct ChainInputs {
    env: Arc<Env>,
    profiles: Arc<ProfileSet>,
    profile_name: String,
    imds: ImdsClient,
}

impl fmt::Debug for ChainInputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DefaultCredentialsChain")
            .field("profile", &self.profile_name)
            .field("files", &self.profiles.describe_files())
            .field("imds", &self.imds)
            .finish()
    }
}

/// Builds a [`Config`].
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: CredentialsSetting,
    endpoint_url: Option<EndpointUrl>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    retry_config: Option<RetryConfig>,
    app_id: Option<String>,
    sleep: Option<Arc<dyn Sleep>>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    disable_host_prefix: Option<bool>,
    pub(crate) ca_bundle: Option<CaBundle>,
    trust_roots: Option<TrustRoots>,
    configured_endpoints: ConfiguredEndpoints,
    credential_process_timeout: Option<Duration>,
    http_client: Option<SharedHttpClient>,
    #[cfg(feature = "test-util")]
    mock_rules: Option<marketplace_sdk_runtime::test_util::MockRules>,
}

impl ConfigBuilder {
    /// The AWS region, e.g. `us-east-1`. It goes into the endpoint's host name,
    /// so it must be one host label, as botocore requires: 1 to 63 ASCII
    /// letters, digits and hyphens, not all digits, neither starting nor ending
    /// with a hyphen. Any other value makes every call fail with a
    /// [`ConfigError`] naming it, before anything is sent.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets or clears the region.
    pub fn set_region(&mut self, region: Option<String>) -> &mut Self {
        self.region = region;
        self
    }

    /// Static credentials to sign with; they replace any provider.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = CredentialsSetting::Static(credentials);
        self
    }

    /// Sets static credentials, or clears whatever credentials were configured.
    pub fn set_credentials(&mut self, credentials: Option<Credentials>) -> &mut Self {
        self.credentials = credentials.map_or(CredentialsSetting::None, CredentialsSetting::Static);
        self
    }

    /// Where to get credentials: any [`ProvideCredentials`], such as a
    /// [`DefaultCredentialsChain`] or your own. It replaces any credentials or
    /// provider set before (the default chain of [`Config::from_env`] too). The
    /// config caches what it provides in a [`CredentialsCache`].
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = CredentialsSetting::Provider(SharedCredentialsProvider::new(provider));
        self
    }

    /// Sets a credentials provider, or clears whatever credentials were
    /// configured.
    pub fn set_credentials_provider(
        &mut self,
        provider: Option<SharedCredentialsProvider>,
    ) -> &mut Self {
        self.credentials = provider.map_or(CredentialsSetting::None, CredentialsSetting::Provider);
        self
    }

    /// A credentials cache built with your own timings or clock (see
    /// [`CredentialsCache::builder`]), over its provider; it replaces any
    /// credentials or provider set before.
    pub fn credentials_cache(mut self, cache: CredentialsCache) -> Self {
        self.credentials = CredentialsSetting::Cache(cache);
        self
    }

    /// Fills what is still unset from `env` and the profile it selects (see
    /// [`Config::from_env`]), and installs the default credentials chain over
    /// them unless credentials are set.
    pub(crate) fn load_from(mut self, env: &Env) -> Result<Self, ConfigError> {
        let loaded = load::load(env)?;
        self.region = self.region.or(loaded.region);
        self.use_fips = self.use_fips.or(loaded.use_fips);
        self.use_dual_stack = self.use_dual_stack.or(loaded.use_dual_stack);
        self.disable_host_prefix = self.disable_host_prefix.or(loaded.disable_host_prefix);
        self.retry_config = self.retry_config.or(loaded.retry_config);
        self.app_id = self.app_id.or(loaded.app_id);
        self.ca_bundle = self.ca_bundle.or(loaded.ca_bundle);
        self.configured_endpoints = loaded.configured_endpoints;
        self.default_chain(env, loaded.profiles, &loaded.profile_name);
        Ok(self)
    }

    /// Installs the default chain over what [`Config::from_env`] read, unless
    /// credentials are already set.
    fn default_chain(&mut self, env: &Env, profiles: ProfileSet, profile_name: &str) {
        if !matches!(self.credentials, CredentialsSetting::None) {
            return;
        }
        let imds = ImdsClient::from_env_and_profile(env, profiles.profile(profile_name));
        self.credentials = CredentialsSetting::DefaultChain(ChainInputs {
            env: Arc::new(env.clone()),
            profiles: Arc::new(profiles),
            profile_name: profile_name.to_owned(),
            imds,
        });
    }

    /// The region from EC2 instance metadata, when nothing else set one (see
    /// [`Config::from_env`]).
    async fn region_from_imds(mut self) -> Result<Self, ConfigError> {
        let CredentialsSetting::DefaultChain(inputs) = &self.credentials else {
            return Ok(self);
        };
        if self.region.is_some() || inputs.imds.is_disabled() {
            return Ok(self);
        }
        match inputs.imds.region_with_attempts(1).await {
            Ok(region) => self.region = Some(region),
            Err(error)
                if error.kind()
                    == crate::credentials::CredentialsErrorKind::InvalidConfiguration =>
            {
                return Err(ConfigError::new(error.to_string()));
            }
            Err(error) => {
                tracing::debug!(error = %error, "no region from EC2 instance metadata");
            }
        }
        Ok(self)
    }

    /// Sends requests to this URL instead of the region's endpoint, e.g. a local
    /// test server. It wins over every endpoint URL of the environment and the
    /// profile.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.set_endpoint_url(Some(url.into()));
        self
    }

    /// Sets or clears the endpoint override.
    pub fn set_endpoint_url(&mut self, url: Option<String>) -> &mut Self {
        self.endpoint_url = url.map(|url| EndpointUrl::new(url, EXPLICIT_ENDPOINT_ORIGIN));
        self
    }

    /// How long to wait for a connection (default 3.1 s, as the AWS SDKs).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How long one attempt may take, from connecting to the last byte of the
    /// response (default 30 s). An attempt that runs out of time fails with a
    /// timeout, which is retried: a server that stops answering halfway through
    /// a response cannot hold a call forever.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// How long a call may take, every attempt and every wait between them
    /// included (default 90 s). When it runs out the call fails with a timeout
    /// error; when a retry could not start before it runs out, the call fails
    /// with the error of its last attempt instead.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// How calls are retried (default: standard mode, 3 attempts), e.g.
    /// `RetryConfig::standard().with_max_attempts(5)`, `RetryConfig::adaptive()`
    /// or `RetryConfig::disabled()`. It replaces `AWS_RETRY_MODE`,
    /// `AWS_MAX_ATTEMPTS` and the profile's `retry_mode` and `max_attempts`.
    pub fn retry_config(mut self, retry_config: RetryConfig) -> Self {
        self.retry_config = Some(retry_config);
        self
    }

    /// Sets or clears the retry configuration; cleared means the default.
    pub fn set_retry_config(&mut self, retry_config: Option<RetryConfig>) -> &mut Self {
        self.retry_config = retry_config;
        self
    }

    /// An id for the application, sent in the user agent (`app/ID`) so that
    /// requests can be told apart in the service's logs: at most 50 letters,
    /// digits and ``!#$%&'*+-.^_`|~``. A bad id is a configuration error when a
    /// call is made.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Sets or clears the application id.
    pub fn set_app_id(&mut self, app_id: Option<String>) -> &mut Self {
        self.app_id = app_id;
        self
    }

    /// How the client waits between attempts (default: Tokio's timer). For tests
    /// that check the backoff without waiting for it, and for other async
    /// runtimes; timeouts are measured with Tokio's timer whatever is set here.
    pub fn sleep_impl(mut self, sleep: impl Sleep + 'static) -> Self {
        self.sleep = Some(Arc::new(sleep));
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

    /// Whether to send operations that have a host prefix (the model's
    /// `endpoint.hostPrefix`, such as stepfunctions' `StartSyncExecution` to
    /// `sync-states.<region>.amazonaws.com`, or servicediscovery's
    /// `DiscoverInstances` to `data-servicediscovery…`) to the endpoint's own host
    /// instead (default false). As in botocore (`inject_host_prefix=False`) and
    /// aws-sdk-rust (`disable_host_prefix`), the prefix is added to a configured
    /// endpoint URL too unless this is set: set it for a local emulator or a proxy
    /// that serves those operations on its own host. An endpoint whose host is an
    /// IP address cannot take a prefix; such a call fails with a [`ConfigError`]
    /// saying to set this. The input's host labels are checked either way.
    pub fn disable_host_prefix(mut self, disable_host_prefix: bool) -> Self {
        self.disable_host_prefix = Some(disable_host_prefix);
        self
    }

    /// Sets or clears the host prefix choice; cleared means false (the prefix is
    /// added).
    pub fn set_disable_host_prefix(&mut self, disable_host_prefix: Option<bool>) -> &mut Self {
        self.disable_host_prefix = disable_host_prefix;
        self
    }

    /// A PEM file of certificate authorities to trust for HTTPS instead of the
    /// bundled Mozilla roots: for a proxy that intercepts TLS with its own CA.
    /// Applies to the service and to STS (assumed roles, web identity). Read when a
    /// client is made; a file that cannot be read or holds no certificate makes
    /// every call fail with a [`ConfigError`] naming it.
    /// `AWS_CA_BUNDLE` or `ca_bundle` in the profile set it from the environment.
    pub fn ca_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.set_ca_bundle(Some(path.into()));
        self
    }

    /// Sends every request with `client` instead of the SDK's own HTTP client:
    /// requests to the service, and to STS, the container credentials endpoint
    /// and instance metadata for the default credentials chain. Any
    /// [`HttpClient`] works: a test double, another HTTP stack, or your own
    /// `reqwest::Client` ([`ConfigBuilder::reqwest_client`]).
    ///
    /// The SDK still applies its attempt and operation timeouts, retries and
    /// signing; the client's own settings (its connect timeout, proxies, TLS
    /// roots, redirect policy) apply instead of the SDK's, and
    /// [`ConfigBuilder::connect_timeout`] and [`ConfigBuilder::ca_bundle`] do
    /// not.
    pub fn http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.http_client = Some(SharedHttpClient::new(client));
        self
    }

    /// Answers every call of the clients made with this configuration from
    /// `rules` instead of the service (feature `test-util`): no request is
    /// signed or sent. See [`marketplace_sdk_runtime::test_util::mock!`].
    #[cfg(feature = "test-util")]
    pub fn mock_rules(
        mut self,
        rules: impl IntoIterator<Item = marketplace_sdk_runtime::test_util::Rule>,
    ) -> Self {
        self.mock_rules = Some(marketplace_sdk_runtime::test_util::MockRules::new(rules));
        self
    }

    /// Sends every request with your `reqwest::Client`: its connection pool,
    /// proxies and TLS settings. See [`ConfigBuilder::http_client`].
    pub fn reqwest_client(self, client: reqwest::Client) -> Self {
        self.http_client(ReqwestHttpClient::new(client))
    }

    /// How long a profile's `credential_process` may run before it is killed
    /// and the lookup fails as a transient credentials error (default 60 s).
    /// Applies to the default chain of [`Config::from_env`].
    pub fn credential_process_timeout(mut self, timeout: Duration) -> Self {
        self.credential_process_timeout = Some(timeout);
        self
    }

    /// Which roots HTTPS connections trust when no CA bundle is configured
    /// (default [`TrustRoots::Bundled`], the Mozilla roots built in). With
    /// feature `native-roots`, `TrustRoots::Native` trusts the operating
    /// system's store instead, for the service and STS. A CA bundle wins over
    /// either.
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.trust_roots = Some(roots);
        self
    }

    /// Sets or clears the CA bundle: see [`ConfigBuilder::ca_bundle`].
    pub fn set_ca_bundle(&mut self, path: Option<PathBuf>) -> &mut Self {
        self.ca_bundle = path.map(|path| CaBundle {
            path,
            origin: "Config::builder().ca_bundle(..)".to_owned(),
        });
        self
    }

    /// The finished configuration. Missing pieces are reported when a request needs
    /// them, as a [`ConfigError`] before anything is sent.
    pub fn build(self) -> Config {
        let (credentials, credentials_cache) = self.finished_credentials();
        let mut client = ClientConfig::default();
        client.region = self.region;
        client.credentials = credentials_cache;
        client.endpoint_url = self.endpoint_url;
        client.connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        client.attempt_timeout = self.attempt_timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT);
        client.operation_timeout = self.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT);
        client.retry_config = self.retry_config.unwrap_or_default();
        client.app_id = self.app_id;
        if let Some(sleep) = self.sleep {
            client.sleep = sleep;
        }
        client.use_fips = self.use_fips.unwrap_or(false);
        client.use_dual_stack = self.use_dual_stack.unwrap_or(false);
        client.disable_host_prefix = self.disable_host_prefix.unwrap_or(false);
        client.trust_roots = self.trust_roots.unwrap_or_default();
        client.ca_bundle = self.ca_bundle;
        client.http_client = self.http_client;
        #[cfg(feature = "test-util")]
        {
            client.mock_rules = self.mock_rules;
        }
        Config {
            client,
            credentials,
            configured_endpoints: self.configured_endpoints,
        }
    }
}

impl ConfigBuilder {
    /// The static credentials and the cache of the finished configuration.
    fn finished_credentials(&self) -> (Option<Credentials>, Option<CredentialsCache>) {
        match &self.credentials {
            CredentialsSetting::None => (None, None),
            CredentialsSetting::Static(credentials) => (
                Some(credentials.clone()),
                Some(CredentialsCache::new(credentials.clone())),
            ),
            CredentialsSetting::Provider(provider) => {
                (None, Some(CredentialsCache::new(provider.clone())))
            }
            CredentialsSetting::Cache(cache) => (None, Some(cache.clone())),
            CredentialsSetting::DefaultChain(inputs) => {
                // STS goes to the final region, with the final FIPS choice.
                let sts = StsConfig::new(
                    self.region.clone(),
                    self.use_fips.unwrap_or(false),
                    self.configured_endpoints.for_service("STS").cloned(),
                    self.ca_bundle.clone(),
                )
                .with_http_client(self.http_client.clone())
                .with_trust_roots(self.trust_roots.unwrap_or_default());
                let context = ProviderContext {
                    env: inputs.env.clone(),
                    sts,
                    imds: inputs.imds.with_http_client(self.http_client.clone()),
                    process_timeout: self
                        .credential_process_timeout
                        .unwrap_or(crate::credentials::DEFAULT_PROCESS_TIMEOUT),
                    http_client: self.http_client.clone(),
                };
                let chain = DefaultCredentialsChain::new(
                    context,
                    inputs.profiles.clone(),
                    inputs.profile_name.clone(),
                );
                (None, Some(CredentialsCache::new(chain)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use marketplace_sdk_runtime::sleep::TokioSleep;

    #[test]
    fn retry_timeout_and_app_id_settings() {
        let config = Config::builder().build();
        assert_eq!(config.retry_config(), &RetryConfig::standard());
        assert_eq!(config.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(config.attempt_timeout(), Duration::from_secs(30));
        assert_eq!(config.operation_timeout(), Duration::from_secs(90));
        assert_eq!(config.app_id(), None);
        let config = Config::builder()
            .retry_config(RetryConfig::adaptive().with_max_attempts(5))
            .connect_timeout(Duration::from_secs(1))
            .attempt_timeout(Duration::from_secs(2))
            .operation_timeout(Duration::from_secs(3))
            .app_id("app")
            .sleep_impl(TokioSleep)
            .build();
        assert_eq!(
            config.retry_config(),
            &RetryConfig::adaptive().with_max_attempts(5)
        );
        assert_eq!(config.connect_timeout(), Duration::from_secs(1));
        assert_eq!(config.attempt_timeout(), Duration::from_secs(2));
        assert_eq!(config.operation_timeout(), Duration::from_secs(3));
        assert_eq!(config.app_id(), Some("app"));
        let mut builder = Config::builder().app_id("app");
        builder
            .set_app_id(None)
            .set_retry_config(Some(RetryConfig::disabled()));
        let config = builder.build();
        assert_eq!(config.app_id(), None);
        assert_eq!(config.retry_config().max_attempts(), 1);
    }

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
    async fn a_client_gets_the_settings_of_its_service() {
        let config = Config::from_vars([
            ("AWS_REGION", "us-west-2"),
            (
                "AWS_ENDPOINT_URL_MARKETPLACE_METERING",
                "http://127.0.0.1:1",
            ),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ])
        .await
        .unwrap()
        .use_fips(true)
        .build();
        let metering = config.client_config("Marketplace Metering");
        assert_eq!(metering.region.as_deref(), Some("us-west-2"));
        assert!(metering.use_fips && metering.credentials.is_some());
        let url = metering.endpoint_url.unwrap();
        assert_eq!(url.url(), "http://127.0.0.1:1");
        assert_eq!(
            url.origin(),
            "environment variable AWS_ENDPOINT_URL_MARKETPLACE_METERING"
        );
        assert_eq!(
            config
                .client_config("Marketplace Entitlement Service")
                .endpoint_url,
            None
        );
        // A region set in code is kept as given; the client refuses it when used.
        let config = Config::builder().region("evil.example/").build();
        assert_eq!(
            config.client_config("S").region.as_deref(),
            Some("evil.example/")
        );
    }

    #[test]
    fn debug_hides_the_password_of_an_explicit_endpoint_url() {
        let builder = Config::builder().endpoint_url("https://user:hunter2@proxy:8443");
        let config = builder.clone().build();
        for text in [format!("{builder:?}"), format!("{config:?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("https://***@proxy:8443"), "{text}");
        }
        // The URL itself is kept as given.
        assert_eq!(
            config.endpoint_url(),
            Some("https://user:hunter2@proxy:8443")
        );
        let mut builder = builder;
        builder.set_endpoint_url(None);
        assert_eq!(builder.build().endpoint_url(), None);
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
