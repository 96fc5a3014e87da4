//! What the providers of the default chain share: the variables, the STS and
//! IMDS settings, the `credential_process` timeout and the HTTP client.

use super::imds::ImdsClient;
use super::process;
use super::sts::StsConfig;
use crate::env::Env;
use std::sync::Arc;

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
    pub(crate) http_client: Option<marketplace_sdk_runtime::transport::SharedHttpClient>,
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
