//! AWS credentials: the key pair and optional session token requests are signed with.

use crate::error::ConfigError;
use crate::profile::{Profile, Property};
use std::fmt;
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
