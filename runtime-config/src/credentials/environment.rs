//! Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `AWS_SESSION_TOKEN`.

use crate::env::Env;
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
};
use marketplace_sdk_runtime::error::ConfigError;
use std::fmt;
use std::sync::Arc;

const NAME: &str = "environment";

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for
/// temporary credentials, `AWS_SESSION_TOKEN`.
///
/// Not loaded when neither key variable is set; a configuration error when only
/// one is (empty counts as unset), since a half-configured environment is a
/// mistake that must not fall through to other credentials.
#[derive(Clone)]
pub struct EnvironmentCredentialsProvider {
    env: Arc<Env>,
}

impl EnvironmentCredentialsProvider {
    /// Reads the process environment, once, now.
    pub fn new() -> Self {
        Self::with_env(Arc::new(Env::process()))
    }

    /// Reads these variables instead of the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::with_env(Arc::new(Env::from_vars(vars)))
    }

    pub(crate) fn with_env(env: Arc<Env>) -> Self {
        EnvironmentCredentialsProvider { env }
    }

    pub(crate) fn load(&self) -> Result<Credentials, CredentialsError> {
        match from_lookup(|name| self.env.get(name)) {
            Ok(Some(credentials)) => Ok(credentials),
            Ok(None) => Err(CredentialsError::not_loaded(
                NAME,
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
            )),
            Err(error) => Err(CredentialsError::invalid_configuration(
                NAME,
                error
                    .to_string()
                    .trim_start_matches("invalid configuration: environment: "),
            )),
        }
    }
}

impl Default for EnvironmentCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for EnvironmentCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(std::future::ready(self.load()))
    }
}

impl fmt::Debug for EnvironmentCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvironmentCredentialsProvider")
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN` as `lookup` finds them.
///
/// `Ok(None)` when neither key variable is set; an error when only one is, or
/// when one is set but empty, since a half-configured environment is a mistake.
pub(crate) fn from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, ConfigError> {
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
        (Some(_), None) => Err(ConfigError::new(
            "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is missing or empty",
        )),
        (None, Some(_)) => Err(ConfigError::new(
            "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is missing or empty",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;

    #[tokio::test]
    async fn reads_the_variables() {
        let provider = EnvironmentCredentialsProvider::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRETVALUE"),
            ("AWS_SESSION_TOKEN", "TOKENVALUE"),
        ]);
        let credentials = provider.provide_credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("TOKENVALUE"));
        assert_eq!(credentials.expiry(), None);
        assert_eq!(format!("{provider:?}"), "EnvironmentCredentialsProvider");
    }

    #[tokio::test]
    async fn unset_is_not_loaded_and_half_set_is_an_error() {
        let none = EnvironmentCredentialsProvider::from_vars([("AWS_ACCESS_KEY_ID", " ")]);
        let error = none.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(
            error.to_string(),
            "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
        );
        let half =
            EnvironmentCredentialsProvider::from_vars([("AWS_SECRET_ACCESS_KEY", "NOTSHOWN")]);
        let error = half.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            error.to_string(),
            "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is missing or empty"
        );
    }

    #[test]
    fn reads_the_environment() {
        use std::collections::HashMap;
        let env: HashMap<&str, &str> = [
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
            ("AWS_SESSION_TOKEN", "T"),
        ]
        .into();
        let found = from_lookup(|k| env.get(k).map(|v| v.to_string()))
            .unwrap()
            .unwrap();
        assert_eq!(found, Credentials::new("AKID", "S", Some("T".into())));
        assert_eq!(from_lookup(|_| None).unwrap(), None);
        let half = from_lookup(|k| (k == "AWS_ACCESS_KEY_ID").then(|| "AKID".to_string()));
        assert!(half
            .unwrap_err()
            .to_string()
            .contains("AWS_SECRET_ACCESS_KEY"));
    }
}
