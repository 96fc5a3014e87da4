//! AWS credentials: the key pair and optional session token requests are signed
//! with, and the providers that find them where metering runs.
//!
//! A provider implements [`ProvideCredentials`]: an async call that returns
//! [`Credentials`], with an expiry when they are temporary, or a
//! [`CredentialsError`] saying what it tried. [`Config::from_env`] installs the
//! [`DefaultCredentialsChain`], which asks, in order:
//!
//! 1. the environment ([`EnvironmentCredentialsProvider`]): `AWS_ACCESS_KEY_ID`,
//!    `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (a laptop, CI);
//! 2. the selected profile of the shared files ([`ProfileCredentialsProvider`]):
//!    static keys, `credential_process`, `role_arn` with `source_profile`,
//!    `credential_source` or `web_identity_token_file`;
//! 3. web identity ([`WebIdentityTokenCredentialsProvider`]): EKS IAM roles for
//!    service accounts (IRSA), `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`;
//! 4. the container endpoint ([`ContainerCredentialsProvider`]): ECS task roles
//!    and EKS Pod Identity;
//! 5. EC2 instance metadata, IMDSv2 only ([`ImdsCredentialsProvider`]).
//!
//! The first provider that has credentials wins. One that is not configured
//! steps aside; one that is configured but fails stops the chain with its error,
//! so a broken role setup is never silently replaced by other credentials. When
//! nobody has credentials, the error lists every provider and why it did not
//! apply.
//!
//! Every client keeps its credentials in a [`CredentialsCache`]: refreshed a few
//! minutes before they expire (with jitter), one refresh for all concurrent
//! callers, and the old credentials kept while they are valid if a refresh fails.
//!
//! No secret — secret key, session token, web identity token, container
//! authorization token, IMDS token — appears in any `Debug`, `Display`, log line
//! or error of this module.
//!
//! [`Config::from_env`]: crate::config::Config::from_env

mod chain;
pub(crate) mod container;
mod context;
mod environment;
pub(crate) mod http;
pub(crate) mod imds;
pub(crate) mod process;
mod profile;
pub(crate) mod sts;
mod web_identity;

pub use chain::{CredentialsProviderChain, DefaultCredentialsChain};
pub use container::ContainerCredentialsProvider;
pub use environment::EnvironmentCredentialsProvider;
pub use imds::{ImdsClient, ImdsClientBuilder, ImdsCredentialsProvider};
pub use marketplace_sdk_runtime::credentials::{
    Credentials, CredentialsCache, CredentialsCacheBuilder, CredentialsError, CredentialsErrorKind,
    ProvideCredentials, ProvideCredentialsFuture, SharedCredentialsProvider, SystemTimeSource,
    TimeSource,
};
pub use profile::ProfileCredentialsProvider;
pub use web_identity::WebIdentityTokenCredentialsProvider;

pub(crate) use context::ProviderContext;
pub(crate) use process::DEFAULT_TIMEOUT as DEFAULT_PROCESS_TIMEOUT;
#[cfg(test)]
pub(crate) use profile::keys_of;
pub(crate) use sts::StsConfig;
