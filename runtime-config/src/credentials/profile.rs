//! Credentials from a profile of the shared config and credentials files.

use super::container::ContainerCredentialsProvider;
use super::context::ProviderContext;
use super::environment::EnvironmentCredentialsProvider;
use super::imds::ImdsCredentialsProvider;
use super::process;
use super::process::ProcessError;
use super::sts::{default_session_name, AssumeRole};
use super::web_identity::{self, WebIdentityTokenCredentialsProvider};
use crate::env::Env;
use crate::profile::{Profile, ProfileSet, Property};
use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
    ProvideCredentialsFuture,
};
use marketplace_sdk_runtime::error::ConfigError;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Credentials from the selected profile (`AWS_PROFILE`, else `default`) of the
/// shared files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/config` and `~/.aws/credentials`).
///
/// What the profile says, first match wins:
///
/// 1. `role_arn` with `web_identity_token_file` (and `role_session_name`): STS
///    `AssumeRoleWithWebIdentity` with the token in that file.
/// 2. `role_arn` with `source_profile = NAME`: the credentials of profile NAME,
///    then STS `AssumeRole` (with `role_session_name`, `external_id`,
///    `duration_seconds`). NAME may have a `role_arn` of its own, and so on: a
///    chain, assumed from its end. A profile that names itself uses its own static
///    keys. In a source profile, static keys win over its `role_arn`. A chain
///    that comes back to a profile is an error that shows the loop.
/// 3. `role_arn` with `credential_source`: `Environment`, `Ec2InstanceMetadata`
///    or `EcsContainer` gives the credentials for `AssumeRole`.
/// 4. `credential_process`: the command's JSON output (see the AWS CLI's
///    `credential_process`), with its `Expiration`.
/// 5. `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`.
///
/// Not loaded when the profile does not exist or has none of these; every
/// other problem names the file and line. Profiles for IAM Identity Center
/// (`sso_*`) are not supported: the error says how to use them through
/// `credential_process`.
#[derive(Clone)]
pub struct ProfileCredentialsProvider {
    profiles: Profiles,
    profile_name: Option<String>,
    context: ProviderContext,
}

#[derive(Clone)]
enum Profiles {
    /// Loaded with the rest of the configuration.
    Loaded(Arc<ProfileSet>),
    /// Read from the files the variables name, on each call.
    FromFiles,
}

/// Where the first credentials of a profile chain come from.
enum Base {
    Static(Credentials),
    Process { command: String, location: String },
    WebIdentity(web_identity::Settings),
    Source { source: Source, location: String },
}

#[derive(Clone, Copy, Debug)]
enum Source {
    Environment,
    Ec2InstanceMetadata,
    EcsContainer,
}

/// One `AssumeRole` of a chain.
struct Role {
    profile: String,
    location: String,
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration_seconds: Option<u32>,
}

/// A resolved profile chain: the base credentials, then roles to assume, the
/// last one first.
struct Chain {
    base: Base,
    roles: Vec<Role>,
}

impl ProfileCredentialsProvider {
    /// Reads the process environment, once, now; the files are read on each call.
    pub fn new() -> Self {
        Self::with_context(ProviderContext::from_env(Env::process()))
    }

    /// Reads these variables instead of the process environment (`HOME`,
    /// `AWS_PROFILE`, `AWS_CONFIG_FILE`, …).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self::with_context(ProviderContext::from_env(Env::from_vars(vars)))
    }

    fn with_context(context: ProviderContext) -> Self {
        ProfileCredentialsProvider {
            profiles: Profiles::FromFiles,
            profile_name: None,
            context,
        }
    }

    /// For the default chain: the profiles loaded with the configuration.
    pub(crate) fn loaded(
        profiles: Arc<ProfileSet>,
        profile_name: String,
        context: ProviderContext,
    ) -> Self {
        ProfileCredentialsProvider {
            profiles: Profiles::Loaded(profiles),
            profile_name: Some(profile_name),
            context,
        }
    }

    /// Use profile `name` instead of `AWS_PROFILE` or `default`.
    pub fn profile_name(mut self, name: impl Into<String>) -> Self {
        self.profile_name = Some(name.into());
        self
    }

    fn selected(&self) -> String {
        self.profile_name
            .clone()
            .or_else(|| self.context.env.value("AWS_PROFILE").map(str::to_owned))
            .unwrap_or_else(|| "default".to_owned())
    }

    pub(crate) async fn load(&self) -> Result<Credentials, CredentialsError> {
        let name = self.selected();
        let provider = format!("profile `{name}`");
        let profiles = match &self.profiles {
            Profiles::Loaded(profiles) => profiles.clone(),
            Profiles::FromFiles => Arc::new(
                ProfileSet::load(&|variable| self.context.env.get(variable)).map_err(|error| {
                    CredentialsError::invalid_configuration(&provider, error.to_string())
                })?,
            ),
        };
        let chain = resolve(&profiles, &name)
            .map_err(|(kind, message)| CredentialsError::new(kind, &provider, message))?;
        let mut credentials = self.base(&provider, chain.base).await?;
        for role in chain.roles.iter().rev() {
            let session_name = role
                .session_name
                .clone()
                .unwrap_or_else(default_session_name);
            let params = AssumeRole {
                role_arn: &role.role_arn,
                session_name: &session_name,
                external_id: role.external_id.as_deref(),
                duration_seconds: role.duration_seconds,
            };
            credentials = self
                .context
                .sts
                .assume_role(&provider, &credentials, &params)
                .await
                .map_err(|error| {
                    error.context(format!(
                        "role_arn {} of profile `{}` ({})",
                        role.role_arn, role.profile, role.location
                    ))
                })?;
        }
        Ok(credentials)
    }

    async fn base(&self, provider: &str, base: Base) -> Result<Credentials, CredentialsError> {
        match base {
            Base::Static(credentials) => Ok(credentials),
            Base::Process { command, location } => {
                process::run(&command, self.context.process_timeout)
                    .await
                    .map_err(|error| {
                        let message = format!("credential_process ({location}) {error}");
                        match error {
                            ProcessError::TimedOut(_) => {
                                CredentialsError::transient_failure(provider, message)
                            }
                            ProcessError::Failed(_) => {
                                CredentialsError::provider_error(provider, message)
                            }
                        }
                    })
            }
            Base::WebIdentity(settings) => WebIdentityTokenCredentialsProvider::with_settings(
                settings,
                self.context.sts.clone(),
            )
            .load()
            .await
            .map_err(|error| error.within(provider, "web_identity_token_file")),
            Base::Source { source, location } => {
                let result = match source {
                    Source::Environment => {
                        EnvironmentCredentialsProvider::with_env(self.context.env.clone()).load()
                    }
                    Source::Ec2InstanceMetadata => {
                        ImdsCredentialsProvider::new(self.context.imds.clone())
                            .provide_credentials()
                            .await
                    }
                    Source::EcsContainer => {
                        ContainerCredentialsProvider::with_env(&self.context.env)
                            .with_http_client(self.context.http_client.clone())
                            .load()
                            .await
                    }
                };
                result.map_err(|error| {
                    error.within(
                        provider,
                        format!("credential_source = {source:?} ({location})"),
                    )
                })
            }
        }
    }
}

/// `PATH, line N`, where a property was written.
fn location(property: &Property) -> String {
    format!("{}, line {}", property.path(), property.line())
}

type Problem = (CredentialsErrorKind, String);

fn invalid(message: String) -> Problem {
    (CredentialsErrorKind::InvalidConfiguration, message)
}

/// A single-line, non-empty property.
fn value<'a>(profile: &'a Profile, name: &str) -> Result<Option<(&'a str, &'a Property)>, Problem> {
    let Some(property) = profile.property(name) else {
        return Ok(None);
    };
    let value = property.value().trim();
    if value.contains('\n') {
        return Err(invalid(format!(
            "{}: `{name}` in profile `{}` continues on indented lines, but it takes a single value",
            location(property),
            profile.name()
        )));
    }
    Ok((!value.is_empty()).then_some((value, property)))
}

/// The static keys of a profile of the shared files: `aws_access_key_id`,
/// `aws_secret_access_key` and, for temporary credentials, `aws_session_token`.
///
/// `Ok(None)` when the profile sets neither key (it may get credentials another
/// way); an error naming the file and line when it sets only one, since a
/// half-written profile is a mistake. Empty values count as unset.
pub(crate) fn keys_of(profile: &Profile) -> Result<Option<Credentials>, ConfigError> {
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

/// The static keys of a profile; half-set keys are an error.
fn static_keys(profile: &Profile) -> Result<Option<Credentials>, Problem> {
    keys_of(profile).map_err(|error| {
        invalid(
            error
                .to_string()
                .trim_start_matches("invalid configuration: ")
                .to_owned(),
        )
    })
}

/// Resolves the chain of profiles that starts at `start`.
fn resolve(profiles: &ProfileSet, start: &str) -> Result<Chain, Problem> {
    let mut visited: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    let mut name = start.to_owned();
    // The profile that named `name` as its source, for messages.
    let mut named_by: Option<(String, String)> = None;
    loop {
        let Some(profile) = profiles.profile(&name) else {
            return Err(match named_by {
                None => (
                    CredentialsErrorKind::NotLoaded,
                    format!(
                        "there is no profile `{name}` in {}",
                        profiles.describe_files()
                    ),
                ),
                Some((by, at)) => invalid(format!(
                    "{at}: profile `{by}` has `source_profile = {name}`, but there is no \
                     profile `{name}`"
                )),
            });
        };
        if visited.contains(&name) {
            visited.push(name.clone());
            return Err(invalid(format!(
                "the source_profile chain loops: {}",
                visited.join(" -> ")
            )));
        }
        visited.push(name.clone());
        // In a source profile, static keys end the chain.
        if visited.len() > 1 {
            if let Some(credentials) = static_keys(profile)? {
                return Ok(Chain {
                    base: Base::Static(credentials),
                    roles,
                });
            }
        }
        let Some((role_arn, role_property)) = value(profile, "role_arn")? else {
            let base = base_of(profile, named_by.is_some())?;
            return Ok(Chain { base, roles });
        };
        let role_location = location(role_property);
        let session_name = value(profile, "role_session_name")?.map(|(v, _)| v.to_owned());
        if let Some((file, _)) = value(profile, "web_identity_token_file")? {
            return Ok(Chain {
                base: Base::WebIdentity(web_identity::Settings {
                    token_file: PathBuf::from(file),
                    role_arn: role_arn.to_owned(),
                    session_name,
                    source: format!("profile `{name}`, {role_location}"),
                }),
                roles,
            });
        }
        let duration_seconds = match value(profile, "duration_seconds")? {
            None => None,
            Some((text, property)) => match text.parse::<u32>() {
                Ok(seconds) if (900..=43_200).contains(&seconds) => Some(seconds),
                _ => {
                    return Err(invalid(format!(
                        "{}: `duration_seconds = {text}` in profile `{name}`: expected seconds \
                         from 900 to 43200",
                        location(property)
                    )))
                }
            },
        };
        roles.push(Role {
            profile: name.clone(),
            location: role_location.clone(),
            role_arn: role_arn.to_owned(),
            session_name,
            external_id: value(profile, "external_id")?.map(|(v, _)| v.to_owned()),
            duration_seconds,
        });
        let source_profile = value(profile, "source_profile")?;
        let credential_source = value(profile, "credential_source")?;
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "{role_location}: profile `{name}` sets both source_profile and \
                     credential_source; a role takes its credentials from one of them"
                )))
            }
            (None, None) => {
                return Err(invalid(format!(
                    "{role_location}: profile `{name}` sets role_arn without source_profile, \
                     credential_source or web_identity_token_file, so nothing gives the \
                     credentials to assume the role with"
                )))
            }
            (None, Some((source, property))) => {
                let source = match source.to_ascii_lowercase().as_str() {
                    "environment" => Source::Environment,
                    "ec2instancemetadata" => Source::Ec2InstanceMetadata,
                    "ecscontainer" => Source::EcsContainer,
                    _ => {
                        return Err(invalid(format!(
                            "{}: `credential_source = {source}` in profile `{name}`: expected \
                             Environment, Ec2InstanceMetadata or EcsContainer",
                            location(property)
                        )))
                    }
                };
                return Ok(Chain {
                    base: Base::Source {
                        source,
                        location: location(property),
                    },
                    roles,
                });
            }
            (Some((source, property)), None) => {
                if source == name {
                    // A profile that is its own source uses its own keys.
                    return match static_keys(profile)? {
                        Some(credentials) => Ok(Chain {
                            base: Base::Static(credentials),
                            roles,
                        }),
                        None => Err(invalid(format!(
                            "{}: profile `{name}` is its own source_profile but has no \
                             aws_access_key_id and aws_secret_access_key",
                            location(property)
                        ))),
                    };
                }
                named_by = Some((name.clone(), location(property)));
                name = source.to_owned();
            }
        }
    }
}

/// The credentials of a profile without `role_arn`.
fn base_of(profile: &Profile, is_source: bool) -> Result<Base, Problem> {
    let name = profile.name();
    if let Some((_, property)) = value(profile, "web_identity_token_file")? {
        return Err(invalid(format!(
            "{}: profile `{name}` sets web_identity_token_file without role_arn",
            location(property)
        )));
    }
    if let Some((command, property)) = value(profile, "credential_process")? {
        return Ok(Base::Process {
            command: command.to_owned(),
            location: location(property),
        });
    }
    if let Some(credentials) = static_keys(profile)? {
        return Ok(Base::Static(credentials));
    }
    let sso = [
        "sso_session",
        "sso_start_url",
        "sso_account_id",
        "sso_role_name",
    ]
    .into_iter()
    .find_map(|key| profile.property(key));
    if let Some(property) = sso {
        return Err(invalid(format!(
            "{}: profile `{name}` signs in with IAM Identity Center (sso_*), which this SDK \
             does not support; use `credential_process = aws configure export-credentials \
             --profile {name} --format process` in another profile",
            location(property)
        )));
    }
    let message = format!(
        "profile `{name}` has no credentials (aws_access_key_id, credential_process, role_arn)"
    );
    if is_source {
        Err(invalid(message))
    } else {
        Err((CredentialsErrorKind::NotLoaded, message))
    }
}

impl Default for ProfileCredentialsProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for ProfileCredentialsProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

impl fmt::Debug for ProfileCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileCredentialsProvider")
            .field("profile", &self.selected())
            .field(
                "files",
                &match &self.profiles {
                    Profiles::Loaded(profiles) => profiles.describe_files(),
                    Profiles::FromFiles => "read on each call".to_owned(),
                },
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;

    fn provider(config: &str, credentials: &str, profile: &str) -> ProfileCredentialsProvider {
        let set = ProfileSet::parse(Some(("/c", config)), Some(("/k", credentials))).unwrap();
        let context = ProviderContext::from_env(Env::from_vars([
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
        ]));
        ProfileCredentialsProvider::loaded(Arc::new(set), profile.to_owned(), context)
    }

    async fn error(config: &str, credentials: &str, profile: &str) -> CredentialsError {
        provider(config, credentials, profile)
            .provide_credentials()
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn static_keys_and_missing_profiles() {
        let credentials = provider(
            "[profile p]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = S",
            "[p]\naws_access_key_id = AKID\naws_secret_access_key = S\naws_session_token = T",
            "p",
        )
        .provide_credentials()
        .await
        .unwrap();
        assert_eq!(credentials.access_key_id(), "AKID");
        assert_eq!(credentials.session_token(), Some("T"));
        let missing = error("", "", "default").await;
        assert_eq!(missing.kind(), CredentialsErrorKind::NotLoaded);
        assert_eq!(
            missing.to_string(),
            "profile `default`: there is no profile `default` in /c or /k"
        );
        let empty = error("[default]\nregion = r", "", "default").await;
        assert_eq!(empty.kind(), CredentialsErrorKind::NotLoaded);
        assert!(empty.message().contains("has no credentials"), "{empty}");
        let half = error("[default]\naws_access_key_id = A", "", "default").await;
        assert_eq!(half.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            half.message(),
            "/c, line 2: profile `default` sets aws_access_key_id but not aws_secret_access_key"
        );
    }

    #[tokio::test]
    async fn credential_process_with_expiration() {
        let dir = TempDir::new();
        let script = dir.write(
            "creds.sh",
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"PROCESSKEY\", \
             \"SecretAccessKey\": \"PROCESSSECRET\", \"SessionToken\": \"PT\", \
             \"Expiration\": \"2031-05-06T07:08:09Z\"}'\n",
        );
        let config = format!("[default]\ncredential_process = sh {script}\n");
        let credentials = provider(&config, "", "default")
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "PROCESSKEY");
        assert_eq!(
            marketplace_sdk_runtime::datetime::DateTime::from(credentials.expiry().unwrap())
                .to_string(),
            "2031-05-06T07:08:09Z"
        );
        // credential_process wins over static keys in the same profile.
        let config = format!("{config}aws_access_key_id = A\naws_secret_access_key = S\n");
        let credentials = provider(&config, "", "default")
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(credentials.access_key_id(), "PROCESSKEY");
        let failing = error("[default]\ncredential_process = exit 7", "", "default").await;
        assert_eq!(failing.kind(), CredentialsErrorKind::ProviderError);
        assert_eq!(
            failing.to_string(),
            "profile `default`: credential_process (/c, line 2) failed: exit status: 7"
        );
    }

    #[tokio::test]
    async fn chains_with_loops_and_bad_references() {
        let looping = error(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\n\
             [profile b]\nrole_arn = arn:b\nsource_profile = c\n\
             [profile c]\nrole_arn = arn:c\nsource_profile = a",
            "",
            "a",
        )
        .await;
        assert_eq!(looping.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            looping.to_string(),
            "profile `a`: the source_profile chain loops: a -> b -> c -> a"
        );
        let missing = error(
            "[profile a]\nrole_arn = arn:a\nsource_profile = nope",
            "",
            "a",
        )
        .await;
        assert_eq!(
            missing.message(),
            "/c, line 3: profile `a` has `source_profile = nope`, but there is no profile `nope`"
        );
        let both = error(
            "[profile a]\nrole_arn = arn:a\nsource_profile = a\ncredential_source = Environment",
            "",
            "a",
        )
        .await;
        assert!(both
            .message()
            .contains("sets both source_profile and credential_source"));
        let neither = error("[profile a]\nrole_arn = arn:a", "", "a").await;
        assert!(neither
            .message()
            .starts_with("/c, line 2: profile `a` sets role_arn without"));
        let bad_source = error(
            "[profile a]\nrole_arn = arn:a\ncredential_source = Laptop",
            "",
            "a",
        )
        .await;
        assert!(bad_source
            .message()
            .contains("expected Environment, Ec2InstanceMetadata"));
        let empty_source = error(
            "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nregion = r",
            "",
            "a",
        )
        .await;
        assert_eq!(
            empty_source.kind(),
            CredentialsErrorKind::InvalidConfiguration
        );
        let sso = error("[default]\nsso_session = corp", "", "default").await;
        assert!(
            sso.message().contains("aws configure export-credentials"),
            "{sso}"
        );
        let duration = error(
            "[profile a]\nrole_arn = arn:a\nsource_profile = a\nduration_seconds = 60",
            "",
            "a",
        )
        .await;
        assert!(duration
            .message()
            .contains("expected seconds from 900 to 43200"));
    }

    #[test]
    fn chains_resolve_in_order() {
        let set = ProfileSet::parse(
            Some((
                "/c",
                "[profile top]\nrole_arn = arn:top\nsource_profile = middle\nexternal_id = X\n\
                 [profile middle]\nrole_arn = arn:middle\nsource_profile = base\n\
                 [profile base]\nrole_arn = arn:ignored\naws_access_key_id = BASEKEY\n\
                 aws_secret_access_key = S\n\
                 [profile self]\nrole_arn = arn:self\nsource_profile = self\n\
                 aws_access_key_id = SELFKEY\naws_secret_access_key = S\n\
                 [profile irsa]\nrole_arn = arn:irsa\nweb_identity_token_file = /t\n\
                 [profile ec2]\nrole_arn = arn:ec2\ncredential_source = Ec2InstanceMetadata",
            )),
            None,
        )
        .unwrap();
        let chain = resolve(&set, "top").ok().unwrap();
        let arns: Vec<&str> = chain.roles.iter().map(|r| r.role_arn.as_str()).collect();
        assert_eq!(arns, ["arn:top", "arn:middle"]);
        assert_eq!(chain.roles[0].external_id.as_deref(), Some("X"));
        assert!(matches!(&chain.base, Base::Static(c) if c.access_key_id() == "BASEKEY"));
        let chain = resolve(&set, "self").ok().unwrap();
        assert!(matches!(&chain.base, Base::Static(c) if c.access_key_id() == "SELFKEY"));
        assert_eq!(chain.roles.len(), 1);
        let chain = resolve(&set, "irsa").ok().unwrap();
        assert!(matches!(&chain.base, Base::WebIdentity(s) if s.role_arn == "arn:irsa"));
        assert!(chain.roles.is_empty());
        let chain = resolve(&set, "ec2").ok().unwrap();
        assert!(matches!(
            chain.base,
            Base::Source {
                source: Source::Ec2InstanceMetadata,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_credential_source_that_is_not_there_is_an_error() {
        let error = error(
            "[profile a]\nrole_arn = arn:a\ncredential_source = Ec2InstanceMetadata",
            "",
            "a",
        )
        .await;
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert_eq!(
            error.to_string(),
            "profile `a`: credential_source = Ec2InstanceMetadata (/c, line 3): EC2 instance \
             metadata (IMDSv2): AWS_EC2_METADATA_DISABLED is true"
        );
    }
}
