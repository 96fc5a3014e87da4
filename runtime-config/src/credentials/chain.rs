//! Chains of providers, and the default chain.

use super::container::ContainerCredentialsProvider;
use super::context::ProviderContext;
use super::environment::EnvironmentCredentialsProvider;
use super::imds::ImdsCredentialsProvider;
use super::profile::ProfileCredentialsProvider;
use super::web_identity::WebIdentityTokenCredentialsProvider;
use crate::env::Env;
use crate::profile::ProfileSet;
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture, SharedCredentialsProvider,
};
use marketplace_sdk_runtime::error::ConfigError;
use std::sync::Arc;

/// Providers asked in order: the first with credentials wins.
///
/// A provider that answers [`CredentialsErrorKind::NotLoaded`] is passed over;
/// any other error stops the chain, so a configured but broken provider is not
/// silently replaced by the next. Either way the error lists what every
/// provider asked so far answered.
#[derive(Clone, Debug)]
pub struct CredentialsProviderChain {
    name: String,
    providers: Vec<SharedCredentialsProvider>,
}

impl CredentialsProviderChain {
    /// A chain called `name` (for its errors) that asks `provider` first.
    pub fn first_try(name: impl Into<String>, provider: impl ProvideCredentials + 'static) -> Self {
        CredentialsProviderChain {
            name: name.into(),
            providers: vec![SharedCredentialsProvider::new(provider)],
        }
    }

    /// Asks `provider` next.
    pub fn or_else(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.providers
            .push(SharedCredentialsProvider::new(provider));
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut tried = Vec::new();
        for provider in &self.providers {
            match provider.provide_credentials().await {
                Ok(credentials) => return Ok(credentials),
                Err(error) if error.kind() == CredentialsErrorKind::NotLoaded => tried.push(error),
                Err(error) => {
                    let kind = error.kind();
                    let message = format!(
                        "{} is configured but failed; asked in order",
                        error.provider()
                    );
                    tried.push(error);
                    return Err(CredentialsError::new(kind, &self.name, message).with_tried(tried));
                }
            }
        }
        Err(
            CredentialsError::not_loaded(&self.name, "no credentials found; asked in order")
                .with_tried(tried),
        )
    }
}

impl ProvideCredentials for CredentialsProviderChain {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

/// The standard chain, for where metering runs: environment, then the profile,
/// web identity (EKS IRSA), the container endpoint (ECS, EKS Pod Identity), and
/// EC2 instance metadata (IMDSv2). See the [module](super) for the rules and
/// each provider for what it reads.
///
/// [`Config::from_env`](crate::config::Config::from_env) installs it, with STS
/// calls going to the configuration's region and FIPS choice. With nothing
/// found anywhere, the error reads like:
///
/// ```text
/// default credentials chain: no credentials found; asked in order: 1. environment: AWS_ACCESS_KEY_ID and
/// AWS_SECRET_ACCESS_KEY are not set; 2. profile `default`: there is no profile `default` in
/// /home/me/.aws/config (not found) or /home/me/.aws/credentials (not found); 3. web identity token:
/// AWS_WEB_IDENTITY_TOKEN_FILE is not set; 4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and
/// AWS_CONTAINER_CREDENTIALS_FULL_URI are not set; 5. EC2 instance metadata (IMDSv2): no instance
/// metadata service answered at http://169.254.169.254 (2 attempts): timed out: …
/// ```
#[derive(Clone, Debug)]
pub struct DefaultCredentialsChain {
    chain: CredentialsProviderChain,
}

impl DefaultCredentialsChain {
    /// The chain over the process environment and the files it names (read now).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::with_env(Env::process())
    }

    /// The chain over these variables instead of the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, ConfigError> {
        Self::with_env(Env::from_vars(vars))
    }

    fn with_env(env: Env) -> Result<Self, ConfigError> {
        let profiles = ProfileSet::load(&|name| env.get(name))?;
        let profile_name = env.value("AWS_PROFILE").unwrap_or("default").to_owned();
        let mut context = ProviderContext::from_env(env);
        context.imds = super::imds::ImdsClient::from_env_and_profile(
            &context.env,
            profiles.profile(&profile_name),
        );
        Ok(Self::new(context, Arc::new(profiles), profile_name))
    }

    /// The chain over loaded profiles and a context.
    pub(crate) fn new(
        context: ProviderContext,
        profiles: Arc<ProfileSet>,
        profile_name: String,
    ) -> Self {
        let chain = CredentialsProviderChain::first_try(
            "default credentials chain",
            EnvironmentCredentialsProvider::with_env(context.env.clone()),
        )
        .or_else(ProfileCredentialsProvider::loaded(
            profiles,
            profile_name,
            context.clone(),
        ))
        .or_else(WebIdentityTokenCredentialsProvider::from_context(&context))
        .or_else(
            ContainerCredentialsProvider::with_env(&context.env)
                .with_http_client(context.http_client.clone()),
        )
        .or_else(ImdsCredentialsProvider::new(context.imds.clone()));
        DefaultCredentialsChain { chain }
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.chain.provide_credentials()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fixed(Result<Credentials, CredentialsError>);

    impl ProvideCredentials for Fixed {
        fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
            Box::pin(std::future::ready(self.0.clone()))
        }
    }

    fn not_loaded(name: &str) -> Fixed {
        Fixed(Err(CredentialsError::not_loaded(name, "not here")))
    }

    #[tokio::test]
    async fn the_first_with_credentials_wins() {
        let chain = CredentialsProviderChain::first_try("chain", not_loaded("a"))
            .or_else(Fixed(Ok(Credentials::new("B", "S", None))))
            .or_else(Fixed(Ok(Credentials::new("C", "S", None))));
        assert_eq!(
            chain.provide_credentials().await.unwrap().access_key_id(),
            "B"
        );
    }

    #[tokio::test]
    async fn nothing_found_lists_every_provider() {
        let chain =
            CredentialsProviderChain::first_try("chain", not_loaded("a")).or_else(not_loaded("b"));
        let error = chain.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(error.tried().len(), 2);
        assert_eq!(
            error.to_string(),
            "chain: no credentials found; asked in order: 1. a: not here; 2. b: not here"
        );
    }

    #[tokio::test]
    async fn a_configured_provider_that_fails_stops_the_chain() {
        let chain = CredentialsProviderChain::first_try("chain", not_loaded("a"))
            .or_else(Fixed(Err(CredentialsError::provider_error(
                "b",
                "STS said no",
            ))))
            .or_else(Fixed(Ok(Credentials::new("C", "S", None))));
        let error = chain.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
        assert_eq!(
            error.to_string(),
            "chain: b is configured but failed; asked in order: 1. a: not here; 2. b: STS said no"
        );
    }

    #[tokio::test]
    async fn the_default_chain_asks_in_the_standard_order() {
        let chain = DefaultCredentialsChain::from_vars([
            ("HOME", "/nonexistent"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ])
        .unwrap();
        let error = chain.provide_credentials().await.unwrap_err();
        let providers: Vec<&str> = error.tried().iter().map(|e| e.provider()).collect();
        assert_eq!(
            providers,
            [
                "environment",
                "profile `default`",
                "web identity token",
                "container",
                "EC2 instance metadata (IMDSv2)"
            ]
        );
        assert!(
            error.to_string().starts_with(
                "default credentials chain: no credentials found; asked in order: 1. \
                 environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; 2. \
                 profile `default`: there is no profile `default` in \
                 /nonexistent/.aws/config (not found) or /nonexistent/.aws/credentials (not \
                 found); 3. web identity token: AWS_WEB_IDENTITY_TOKEN_FILE is not set; 4. \
                 container:"
            ),
            "{error}"
        );
        // The environment comes first.
        let chain = DefaultCredentialsChain::from_vars([
            ("HOME", "/nonexistent"),
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/"),
        ])
        .unwrap();
        assert_eq!(
            chain.provide_credentials().await.unwrap().access_key_id(),
            "ENVKEY"
        );
    }
}
