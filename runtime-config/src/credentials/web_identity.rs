//! Web identity: EKS IAM roles for service accounts (IRSA). A projected
//! service-account token is exchanged for role credentials with STS
//! `AssumeRoleWithWebIdentity`.

use super::context::ProviderContext;
use super::sts::{default_session_name, StsConfig};
use crate::env::Env;
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
};
use marketplace_sdk_runtime::file::{read_capped, TOKEN_FILE_LIMIT};
use std::fmt;
use std::path::{Path, PathBuf};

const NAME: &str = "web identity token";

/// Credentials for the role `AWS_ROLE_ARN`, from STS `AssumeRoleWithWebIdentity`
/// with the token in the file `AWS_WEB_IDENTITY_TOKEN_FILE` (what EKS sets up
/// for IAM roles for service accounts).
///
/// - The token file is read again on every call: the kubelet rotates it.
/// - The session name is `AWS_ROLE_SESSION_NAME`, else `marketplace-sdk-runtime-<millis>`.
/// - STS is called on the regional endpoint of `AWS_REGION` /
///   `AWS_DEFAULT_REGION` (with [`Config::from_env`], the configuration's
///   region), or `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`; the call is not
///   signed.
///
/// Not loaded when `AWS_WEB_IDENTITY_TOKEN_FILE` is unset; a configuration
/// error when it is set without `AWS_ROLE_ARN`. The token never appears in
/// `Debug` or errors.
///
/// [`Config::from_env`]: crate::config::Config::from_env
#[derive(Clone)]
pub struct WebIdentityTokenCredentialsProvider {
    settings: Result<Settings, CredentialsError>,
    sts: StsConfig,
}

#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) token_file: PathBuf,
    pub(crate) role_arn: String,
    pub(crate) session_name: Option<String>,
    /// Where the settings come from, for messages: `environment` or a profile.
    pub(crate) source: String,
}

impl WebIdentityTokenCredentialsProvider {
    /// Reads the process environment, once, now.
    pub fn new() -> Self {
        Self::from_context(&ProviderContext::from_env(Env::process()))
    }

    /// Reads these variables instead of the process environment.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::from_context(&ProviderContext::from_env(Env::from_vars(vars)))
    }

    pub(crate) fn from_context(context: &ProviderContext) -> Self {
        let env = &context.env;
        let settings = match env.value("AWS_WEB_IDENTITY_TOKEN_FILE") {
            None => Err(CredentialsError::not_loaded(
                NAME,
                "AWS_WEB_IDENTITY_TOKEN_FILE is not set",
            )),
            Some(file) => match env.value("AWS_ROLE_ARN") {
                None => Err(CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
                )),
                Some(role_arn) => Ok(Settings {
                    token_file: PathBuf::from(file),
                    role_arn: role_arn.to_owned(),
                    session_name: env.value("AWS_ROLE_SESSION_NAME").map(str::to_owned),
                    source: "environment".to_owned(),
                }),
            },
        };
        WebIdentityTokenCredentialsProvider {
            settings,
            sts: context.sts.clone(),
        }
    }

    /// For a profile's `role_arn` with `web_identity_token_file`.
    pub(crate) fn with_settings(settings: Settings, sts: StsConfig) -> Self {
        WebIdentityTokenCredentialsProvider {
            settings: Ok(settings),
            sts,
        }
    }

    pub(crate) async fn load(&self) -> Result<Credentials, CredentialsError> {
        let settings = self.settings.as_ref().map_err(Clone::clone)?;
        let token = read_token(&settings.token_file).map_err(|problem| {
            CredentialsError::provider_error(
                NAME,
                format!(
                    "the token file {} ({}) {problem}",
                    settings.token_file.display(),
                    settings.source
                ),
            )
        })?;
        let session_name = settings
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        self.sts
            .assume_role_with_web_identity(NAME, &settings.role_arn, &session_name, &token)
            .await
            .map_err(|error| error.context(format!("role {}", settings.role_arn)))
    }
}

impl Default for WebIdentityTokenCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// The token in `path`, trimmed; what is wrong with the file otherwise.
fn read_token(path: &Path) -> Result<String, String> {
    let bytes = read_capped(path, TOKEN_FILE_LIMIT).map_err(|error| error.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    let token = text.trim();
    if token.is_empty() {
        return Err("is empty".to_owned());
    }
    Ok(token.to_owned())
}

impl ProvideCredentials for WebIdentityTokenCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

impl fmt::Debug for WebIdentityTokenCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("WebIdentityTokenCredentialsProvider");
        match &self.settings {
            Ok(settings) => debug
                .field("token_file", &settings.token_file)
                .field("role_arn", &settings.role_arn),
            Err(_) => debug.field("configured", &false),
        };
        debug.field("sts", &self.sts).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;
    use crate::temp_dir::TempDir;

    #[tokio::test]
    async fn unset_is_not_loaded_and_a_missing_role_is_an_error() {
        let provider = WebIdentityTokenCredentialsProvider::from_vars([("AWS_ROLE_ARN", "arn")]);
        let error = provider.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(
            error.to_string(),
            "web identity token: AWS_WEB_IDENTITY_TOKEN_FILE is not set"
        );
        let provider =
            WebIdentityTokenCredentialsProvider::from_vars([("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")]);
        let error = provider.provide_credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(error.to_string().contains("AWS_ROLE_ARN is not"), "{error}");
    }

    #[tokio::test]
    async fn token_file_problems_name_the_file() {
        let dir = TempDir::new();
        let empty = dir.write("empty", "\n");
        let missing = dir.0.join("missing").display().to_string();
        let huge = dir.write("huge", &"x".repeat(100 * 1024));
        for (file, problem) in [
            (empty, "is empty"),
            (missing, "cannot be read"),
            (huge, "too large for a token"),
        ] {
            let provider = WebIdentityTokenCredentialsProvider::from_vars([
                ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
                ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
                ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
            ]);
            let error = provider.provide_credentials().await.unwrap_err();
            assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
            let text = error.to_string();
            assert!(text.contains(&file) && text.contains(problem), "{text}");
        }
    }

    #[test]
    fn debug_shows_no_token() {
        let dir = TempDir::new();
        let file = dir.write("token", "SECRETJWT");
        let provider = WebIdentityTokenCredentialsProvider::from_vars([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
            ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
        ]);
        let text = format!("{provider:?}");
        assert!(text.contains("arn:aws:iam::1:role/r") && !text.contains("SECRETJWT"));
    }
}
