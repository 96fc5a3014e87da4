//! Client configuration: region, credentials, endpoint.

use crate::credentials::Credentials;
use crate::error::ConfigError;
use std::time::Duration;

/// How a client reaches and authenticates to the service. Build it with
/// [`Config::builder`], or start from the environment with [`Config::from_env`].
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) region: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) connect_timeout: Duration,
}

impl Config {
    /// An empty builder: nothing is read from the environment.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A builder filled from the environment: region from `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`; credentials from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`. Settings made on the builder
    /// afterwards win.
    ///
    /// A half-set credential pair is an error naming the variable that is missing.
    pub async fn from_env() -> Result<ConfigBuilder, ConfigError> {
        ConfigBuilder::default().load_env(|name| std::env::var(name).ok())
    }

    /// The region requests are sent to and signed for.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint override, if any.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    /// The credentials requests are signed with.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }
}

/// Builds a [`Config`].
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Credentials>,
    endpoint_url: Option<String>,
    connect_timeout: Option<Duration>,
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
    /// test server.
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

    /// The finished configuration. Missing pieces are reported when a request needs
    /// them, as a [`ConfigError`] before anything is sent.
    pub fn build(self) -> Config {
        Config {
            region: self.region,
            credentials: self.credentials,
            endpoint_url: self.endpoint_url,
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_millis(3100)),
        }
    }

    /// Fills what is still unset from environment variables read through `lookup`.
    pub(crate) fn load_env(
        mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if self.region.is_none() {
            self.region = non_empty("AWS_REGION").or_else(|| non_empty("AWS_DEFAULT_REGION"));
        }
        if self.credentials.is_none() {
            self.credentials = Credentials::from_lookup(&lookup)?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_fills_only_unset_values() {
        let env = |name: &str| match name {
            "AWS_DEFAULT_REGION" => Some("eu-west-1".to_owned()),
            "AWS_ACCESS_KEY_ID" => Some("AKID".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("SECRET".to_owned()),
            _ => None,
        };
        let from_env = Config::builder().load_env(env).unwrap().build();
        assert_eq!(from_env.region(), Some("eu-west-1"));
        assert_eq!(from_env.credentials().unwrap().access_key_id(), "AKID");
        let explicit = Config::builder()
            .region("us-east-1")
            .load_env(env)
            .unwrap()
            .build();
        assert_eq!(explicit.region(), Some("us-east-1"));
    }
}
