//! Reading the settings of a configuration from environment variables and the
//! selected profile of the shared config files.
//!
//! Every setting is read the same way: the environment variable wins over the
//! profile (and a value set on the builder afterwards over both). An empty variable or property is
//! unset; a value that cannot be used is an error saying where it is, never a
//! silent default.

use super::endpoints::{ConfiguredEndpoints, SERVICE_VARIABLE_PREFIX};
use crate::env::Env;
use crate::profile::{Profile, ProfileSet, Property};
use marketplace_sdk_runtime::config::{check_region, EndpointUrl};
use marketplace_sdk_runtime::error::ConfigError;
use marketplace_sdk_runtime::retry::{RetryConfig, RetryMode, RETRY_MODE_VALUES};
use marketplace_sdk_runtime::tls::CaBundle;
use marketplace_sdk_runtime::user_agent::check_app_id;
use std::collections::BTreeMap;

/// What the environment and the profile it selects configure; `None`: not set
/// there.
pub(crate) struct Loaded {
    pub(crate) region: Option<String>,
    pub(crate) use_fips: Option<bool>,
    pub(crate) use_dual_stack: Option<bool>,
    pub(crate) disable_host_prefix: Option<bool>,
    pub(crate) retry_config: Option<RetryConfig>,
    pub(crate) app_id: Option<String>,
    pub(crate) ca_bundle: Option<CaBundle>,
    pub(crate) configured_endpoints: ConfiguredEndpoints,
    /// The shared files, for the default credentials chain.
    pub(crate) profiles: ProfileSet,
    /// The selected profile's name (`AWS_PROFILE`, else `default`).
    pub(crate) profile_name: String,
}

/// Reads every setting from `env` and the profile it selects.
pub(crate) fn load(env: &Env) -> Result<Loaded, ConfigError> {
    let profiles = ProfileSet::load(&|name| env.get(name))?;
    let profile = select_profile(env, &profiles)?;
    let ca_bundle = match env.value("AWS_CA_BUNDLE") {
        Some(path) => Some(CaBundle {
            path: path.into(),
            origin: "environment variable AWS_CA_BUNDLE".to_owned(),
        }),
        None => profile_value(profile, "ca_bundle")?.map(|(path, property)| CaBundle {
            path: path.into(),
            origin: format!(
                "`ca_bundle` in profile `{}`, {}",
                profile.map(Profile::name).unwrap_or_default(),
                location(property)
            ),
        }),
    };
    Ok(Loaded {
        region: region(env, profile)?,
        use_fips: bool_setting(env, "AWS_USE_FIPS_ENDPOINT", profile, "use_fips_endpoint")?,
        use_dual_stack: bool_setting(
            env,
            "AWS_USE_DUALSTACK_ENDPOINT",
            profile,
            "use_dualstack_endpoint",
        )?,
        // botocore's `disable_host_prefix_injection` (`configprovider.py`).
        disable_host_prefix: bool_setting(
            env,
            "AWS_DISABLE_HOST_PREFIX_INJECTION",
            profile,
            "disable_host_prefix_injection",
        )?,
        retry_config: retry_config(env, profile)?,
        app_id: setting(env, "AWS_SDK_UA_APP_ID", profile, "sdk_ua_app_id", |id| {
            check_app_id(id).map(|()| id.to_owned())
        })?,
        ca_bundle,
        configured_endpoints: configured_endpoints(env, &profiles, profile)?,
        profile_name: env.value("AWS_PROFILE").unwrap_or("default").to_owned(),
        profiles,
    })
}

/// The profile `AWS_PROFILE` names, else `default`. A named profile that does not
/// exist is an error (the AWS SDKs refuse it too); a missing `default` is not.
fn select_profile<'a>(
    env: &Env,
    profiles: &'a ProfileSet,
) -> Result<Option<&'a Profile>, ConfigError> {
    let name = env.value("AWS_PROFILE").unwrap_or("default");
    if let Some(profile) = profiles.profile(name) {
        return Ok(Some(profile));
    }
    if name == "default" {
        return Ok(None);
    }
    let mut message = format!(
        "AWS_PROFILE is `{name}`, but there is no profile `{name}` in {}",
        profiles.describe_files()
    );
    let known: Vec<&str> = profiles.profile_names().collect();
    if !known.is_empty() {
        message.push_str(&format!("; the profiles are: {}", known.join(", ")));
    }
    // Say why a section of that name did not count, e.g. `[prod]` in the config file.
    for warning in profiles
        .warnings()
        .iter()
        .filter(|warning| warning.is_about_section(name))
    {
        message.push_str(&format!("; {warning}"));
    }
    Err(ConfigError::new(message))
}

/// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`;
/// an error naming the setting when it is not a host label.
fn region(env: &Env, profile: Option<&Profile>) -> Result<Option<String>, ConfigError> {
    for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = env.value(variable) {
            let origin = format!("environment variable {variable}");
            return Ok(Some(check_region(region, &origin)?.to_owned()));
        }
    }
    let (Some(profile), Some((region, property))) = (profile, profile_value(profile, "region")?)
    else {
        return Ok(None);
    };
    let origin = format!(
        "`region` in profile `{}`, {}",
        profile.name(),
        location(property)
    );
    Ok(Some(check_region(region, &origin)?.to_owned()))
}

/// `PATH, line N`, where a property was written.
fn location(property: &Property) -> String {
    format!("{}, line {}", property.path(), property.line())
}

/// A single-line, non-empty property of the profile.
fn profile_value<'a>(
    profile: Option<&'a Profile>,
    name: &str,
) -> Result<Option<(&'a str, &'a Property)>, ConfigError> {
    let Some((profile, property)) =
        profile.and_then(|profile| Some((profile, profile.property(name)?)))
    else {
        return Ok(None);
    };
    let value = property.value();
    if value.contains('\n') {
        return Err(ConfigError::new(format!(
            "{}: `{name}` in profile `{}` continues on indented lines, but it takes a single value",
            location(property),
            profile.name()
        )));
    }
    Ok((!value.is_empty()).then_some((value, property)))
}

/// `true` or `false` in any case.
fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A boolean from `variable`, else from the profile's `name`.
fn bool_setting(
    env: &Env,
    variable: &str,
    profile: Option<&Profile>,
    name: &str,
) -> Result<Option<bool>, ConfigError> {
    setting(env, variable, profile, name, |value| {
        parse_bool(value).ok_or_else(|| "expected `true` or `false`".to_owned())
    })
}

/// A value from `variable`, else from the profile's `name`, read by `parse`,
/// which says what is wrong with a value it refuses.
fn setting<T>(
    env: &Env,
    variable: &str,
    profile: Option<&Profile>,
    name: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>, ConfigError> {
    if let Some(value) = env.value(variable) {
        return parse(value).map(Some).map_err(|problem| {
            ConfigError::new(format!(
                "environment variable {variable} is `{value}`: {problem}"
            ))
        });
    }
    let Some((value, property)) = profile_value(profile, name)? else {
        return Ok(None);
    };
    parse(value).map(Some).map_err(|problem| {
        ConfigError::new(format!(
            "{}: `{name} = {value}` in profile `{}`: {problem}",
            location(property),
            profile.map(Profile::name).unwrap_or_default()
        ))
    })
}

/// The retry mode and the attempts per call, each from its variable, else from
/// the profile; `None` when neither is set anywhere.
fn retry_config(env: &Env, profile: Option<&Profile>) -> Result<Option<RetryConfig>, ConfigError> {
    let mode = setting(env, "AWS_RETRY_MODE", profile, "retry_mode", |value| {
        value
            .parse::<RetryMode>()
            .map_err(|_| format!("expected {RETRY_MODE_VALUES}"))
    })?;
    let max_attempts = setting(env, "AWS_MAX_ATTEMPTS", profile, "max_attempts", |value| {
        value
            .parse::<u32>()
            .ok()
            .filter(|attempts| *attempts >= 1 && value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| "expected a whole number of attempts, 1 or more".to_owned())
    })?;
    if mode.is_none() && max_attempts.is_none() {
        return Ok(None);
    }
    let mut config = RetryConfig::standard().with_mode(mode.unwrap_or_default());
    if let Some(max_attempts) = max_attempts {
        config = config.with_max_attempts(max_attempts);
    }
    Ok(Some(config))
}

/// The endpoint URLs the environment and the profile configure, unless told to
/// ignore them.
fn configured_endpoints(
    env: &Env,
    profiles: &ProfileSet,
    profile: Option<&Profile>,
) -> Result<ConfiguredEndpoints, ConfigError> {
    let ignore = bool_setting(
        env,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        profile,
        "ignore_configured_endpoint_urls",
    )?;
    if ignore == Some(true) {
        return Ok(ConfiguredEndpoints::default());
    }
    let from_variable =
        |name: &str, url: &str| EndpointUrl::new(url, format!("environment variable {name}"));
    let service_variables = env
        .names_starting_with(SERVICE_VARIABLE_PREFIX)
        .filter_map(|name| Some((name.clone(), from_variable(name, env.value(name)?))))
        .collect();
    let variable = env
        .value("AWS_ENDPOINT_URL")
        .map(|url| from_variable("AWS_ENDPOINT_URL", url));
    let profile_url = match (profile, profile_value(profile, "endpoint_url")?) {
        (Some(profile), Some((url, property))) => Some(EndpointUrl::new(
            url,
            format!(
                "`endpoint_url` in profile `{}` ({})",
                profile.name(),
                location(property)
            ),
        )),
        _ => None,
    };
    Ok(ConfiguredEndpoints {
        service_variables,
        variable,
        services_section: services_section_urls(profiles, profile)?,
        profile: profile_url,
    })
}

/// The `endpoint_url` of each service in the `[services NAME]` section the
/// profile selects with `services = NAME`.
fn services_section_urls(
    profiles: &ProfileSet,
    profile: Option<&Profile>,
) -> Result<BTreeMap<String, EndpointUrl>, ConfigError> {
    let mut urls = BTreeMap::new();
    let (Some(profile), Some((name, property))) = (profile, profile_value(profile, "services")?)
    else {
        return Ok(urls);
    };
    // A missing section is a typo that would send requests to the real service.
    let Some(section) = profiles.services(name) else {
        return Err(ConfigError::new(format!(
            "{}: profile `{}` sets `services = {name}`, but there is no [services {name}] \
             section in {}",
            location(property),
            profile.name(),
            profiles.config_path().unwrap_or("the config file")
        )));
    };
    for entry in section.properties() {
        match entry.sub_properties() {
            Some(settings) => {
                let url = settings
                    .get("endpoint_url")
                    .map(|url| url.trim())
                    .filter(|url| !url.is_empty());
                if let Some(url) = url {
                    let origin = format!(
                        "`endpoint_url` under `{}` in [services {name}] ({})",
                        entry.name(),
                        location(entry)
                    );
                    urls.insert(entry.name().to_owned(), EndpointUrl::new(url, origin));
                }
            }
            None if entry.value().is_empty() => {}
            None => {
                return Err(ConfigError::new(format!(
                    "{}: `{}` in [services {name}] has a value of its own, but a service's \
                     settings are indented lines under it: `{} =` then `  endpoint_url = URL`",
                    location(entry),
                    entry.name(),
                    entry.name()
                )))
            }
        }
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigBuilder};
    use crate::credentials::{Credentials, CredentialsError, CredentialsErrorKind};
    use crate::temp_dir::TempDir;

    const SERVICE: &str = "Marketplace Metering";

    /// Shared files in a temp dir and variables that point at them.
    struct Setup {
        _dir: TempDir,
        vars: BTreeMap<String, String>,
    }

    impl Setup {
        fn new(config: &str, credentials: &str) -> Self {
            let dir = TempDir::new();
            let vars = BTreeMap::from([
                ("AWS_CONFIG_FILE".to_owned(), dir.write("config", config)),
                (
                    "AWS_SHARED_CREDENTIALS_FILE".to_owned(),
                    dir.write("credentials", credentials),
                ),
                // The credentials chain must never reach for a real IMDS here.
                ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
            ]);
            Setup { _dir: dir, vars }
        }

        /// What the configuration's credentials chain finds.
        async fn credentials(&self) -> Result<Credentials, CredentialsError> {
            let config = self.load();
            assert!(config.credentials().is_none(), "the chain is not static");
            config.credentials_cache().unwrap().credentials().await
        }

        fn var(mut self, name: &str, value: &str) -> Self {
            self.vars.insert(name.to_owned(), value.to_owned());
            self
        }

        fn path(&self, variable: &str) -> &str {
            &self.vars[variable]
        }

        fn builder(&self) -> Result<ConfigBuilder, ConfigError> {
            Config::builder().load_from(&Env::from_vars(self.vars.clone()))
        }

        fn load(&self) -> Config {
            self.builder().unwrap().build()
        }

        fn error(&self) -> String {
            self.builder().unwrap_err().to_string()
        }
    }

    #[test]
    fn nothing_configured_is_fine() {
        let config = Config::builder()
            .load_from(&Env::from_vars(Vec::<(String, String)>::new()))
            .unwrap()
            .build();
        assert_eq!(config.region(), None);
        assert!(config.credentials().is_none());
        // The default chain is installed; it finds nothing only when asked.
        assert!(config.credentials_cache().is_some());
        assert!(!config.use_fips() && !config.use_dual_stack());
        assert_eq!(config.endpoint_url_for(SERVICE), None);
        // Missing files, and a missing `default` profile, are fine too.
        let setup = Setup::new("", "").var("AWS_PROFILE", "default");
        assert_eq!(setup.load().region(), None);
    }

    #[test]
    fn region_precedence() {
        let setup = Setup::new(
            "[default]\nregion = from-default\n[profile p]\nregion = from-profile",
            "",
        );
        assert_eq!(setup.load().region(), Some("from-default"));
        let setup = setup.var("AWS_PROFILE", "p");
        assert_eq!(setup.load().region(), Some("from-profile"));
        let setup = setup.var("AWS_DEFAULT_REGION", "from-default-var");
        assert_eq!(setup.load().region(), Some("from-default-var"));
        let setup = setup.var("AWS_REGION", "from-var");
        assert_eq!(setup.load().region(), Some("from-var"));
        let explicit = setup.builder().unwrap().region("explicit").build();
        assert_eq!(explicit.region(), Some("explicit"));
        // A value set before loading is kept as well.
        let kept = Config::builder()
            .region("kept")
            .load_from(&Env::from_vars(setup.vars.clone()))
            .unwrap()
            .build();
        assert_eq!(kept.region(), Some("kept"));
        // Empty variables are unset.
        let setup = setup.var("AWS_REGION", " ").var("AWS_DEFAULT_REGION", "");
        assert_eq!(setup.load().region(), Some("from-profile"));
    }

    #[test]
    fn a_region_that_is_not_a_host_label_names_its_setting() {
        let setup = Setup::new("[default]\n\nregion = x.example.org/", "");
        let error = setup.error();
        let config = setup.path("AWS_CONFIG_FILE");
        assert!(
            error.contains(&format!(
                "the region `x.example.org/` (`region` in profile `default`, {config}, line 3) \
                 is not a region name"
            )),
            "{error}"
        );
        for variable in ["AWS_DEFAULT_REGION", "AWS_REGION"] {
            let error = Setup::new("", "").var(variable, "-bad").error();
            assert!(
                error.contains(&format!(
                    "the region `-bad` (environment variable {variable}) is not a region name"
                )),
                "{error}"
            );
        }
        // Only the region that is used is checked, as for every setting.
        let setup = setup
            .var("AWS_REGION", "us-east-1")
            .var("AWS_DEFAULT_REGION", "a/b");
        assert_eq!(setup.load().region(), Some("us-east-1"));
    }

    #[test]
    fn disable_host_prefix_from_the_environment_and_the_profile() {
        let setup = Setup::new("[default]\ndisable_host_prefix_injection = TRUE", "");
        assert!(setup.load().disable_host_prefix());
        assert!(!Setup::new("", "").load().disable_host_prefix());
        let setup = setup.var("AWS_DISABLE_HOST_PREFIX_INJECTION", "false");
        assert!(!setup.load().disable_host_prefix());
        let explicit = setup.builder().unwrap().disable_host_prefix(true).build();
        assert!(explicit.disable_host_prefix());
        let error = Setup::new("", "")
            .var("AWS_DISABLE_HOST_PREFIX_INJECTION", "1")
            .builder()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("AWS_DISABLE_HOST_PREFIX_INJECTION"),
            "{error}"
        );
    }

    #[test]
    fn fips_and_dual_stack_precedence() {
        let setup = Setup::new(
            "[default]\nuse_fips_endpoint = TRUE\nuse_dualstack_endpoint = true\n\
             [profile off]\nuse_fips_endpoint = false",
            "",
        );
        let config = setup.load();
        assert!(config.use_fips() && config.use_dual_stack());
        let config = Setup::new("", "").load();
        assert!(!config.use_fips() && !config.use_dual_stack());
        let setup = setup
            .var("AWS_USE_FIPS_ENDPOINT", "False")
            .var("AWS_USE_DUALSTACK_ENDPOINT", "");
        let config = setup.load();
        assert!(!config.use_fips() && config.use_dual_stack());
        let setup = setup.var("AWS_USE_DUALSTACK_ENDPOINT", "FALSE");
        assert!(!setup.load().use_dual_stack());
        let explicit = setup
            .builder()
            .unwrap()
            .use_fips(true)
            .use_dual_stack(true)
            .build();
        assert!(explicit.use_fips() && explicit.use_dual_stack());
        let setup =
            Setup::new("[profile off]\nuse_fips_endpoint = false", "").var("AWS_PROFILE", "off");
        assert!(!setup.load().use_fips());
    }

    #[test]
    fn bad_booleans_are_errors() {
        let setup = Setup::new("", "").var("AWS_USE_FIPS_ENDPOINT", "maybe");
        assert_eq!(
            setup.error(),
            "invalid configuration: environment variable AWS_USE_FIPS_ENDPOINT is `maybe`: \
             expected `true` or `false`"
        );
        let setup = Setup::new("", "").var("AWS_USE_DUALSTACK_ENDPOINT", "1");
        assert!(setup.error().contains("AWS_USE_DUALSTACK_ENDPOINT is `1`"));
        let setup = Setup::new("[profile p]\nregion = r\nuse_dualstack_endpoint = yes", "")
            .var("AWS_PROFILE", "p");
        assert_eq!(
            setup.error(),
            format!(
                "invalid configuration: {}, line 3: `use_dualstack_endpoint = yes` in profile \
                 `p`: expected `true` or `false`",
                setup.path("AWS_CONFIG_FILE")
            )
        );
        // A valid variable means the profile's value is not read.
        let setup = setup.var("AWS_USE_DUALSTACK_ENDPOINT", "true");
        assert!(setup.load().use_dual_stack());
        let setup = Setup::new("[default]\nignore_configured_endpoint_urls = nope", "");
        assert!(setup
            .error()
            .contains("`ignore_configured_endpoint_urls = nope` in profile `default`"));
        let setup = Setup::new("", "").var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "on");
        assert!(setup
            .error()
            .contains("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is `on`"));
    }

    #[test]
    fn retry_settings_precedence() {
        let setup = Setup::new("", "");
        assert_eq!(setup.load().retry_config(), &RetryConfig::standard());
        let setup = Setup::new(
            "[default]\nretry_mode = adaptive\nmax_attempts = 7\n[profile p]\nmax_attempts = 2",
            "",
        );
        assert_eq!(
            setup.load().retry_config(),
            &RetryConfig::adaptive().with_max_attempts(7)
        );
        // Each setting on its own: the variable wins over the profile.
        let setup = setup.var("AWS_MAX_ATTEMPTS", "4");
        assert_eq!(
            setup.load().retry_config(),
            &RetryConfig::adaptive().with_max_attempts(4)
        );
        let setup = setup.var("AWS_RETRY_MODE", "STANDARD");
        assert_eq!(
            setup.load().retry_config(),
            &RetryConfig::standard().with_max_attempts(4)
        );
        let setup = Setup::new("[profile p]\nmax_attempts = 2", "").var("AWS_PROFILE", "p");
        assert_eq!(
            setup.load().retry_config(),
            &RetryConfig::standard().with_max_attempts(2)
        );
        let setup = Setup::new("", "").var("AWS_RETRY_MODE", "legacy");
        assert_eq!(setup.load().retry_config(), &RetryConfig::standard());
        // The builder's setting replaces both.
        let explicit = setup
            .var("AWS_MAX_ATTEMPTS", "9")
            .builder()
            .unwrap()
            .retry_config(RetryConfig::disabled())
            .build();
        assert_eq!(explicit.retry_config(), &RetryConfig::disabled());
    }

    #[test]
    fn bad_retry_settings_are_errors() {
        for value in ["0", "-1", "three", "2.5", "+3", "99999999999"] {
            let setup = Setup::new("", "").var("AWS_MAX_ATTEMPTS", value);
            assert_eq!(
                setup.error(),
                format!(
                    "invalid configuration: environment variable AWS_MAX_ATTEMPTS is `{value}`: \
                     expected a whole number of attempts, 1 or more"
                )
            );
        }
        let setup = Setup::new("", "").var("AWS_RETRY_MODE", "fast");
        assert_eq!(
            setup.error(),
            "invalid configuration: environment variable AWS_RETRY_MODE is `fast`: expected \
             `standard`, `adaptive` or `legacy`"
        );
        let setup = Setup::new("[default]\nregion = r\nmax_attempts = 0", "");
        assert_eq!(
            setup.error(),
            format!(
                "invalid configuration: {}, line 3: `max_attempts = 0` in profile `default`: \
                 expected a whole number of attempts, 1 or more",
                setup.path("AWS_CONFIG_FILE")
            )
        );
        let setup = Setup::new("[default]\nretry_mode = sometimes", "");
        assert!(setup
            .error()
            .contains("line 2: `retry_mode = sometimes` in profile `default`: expected"));
        // A valid variable means the profile's value is not read.
        let setup = setup.var("AWS_RETRY_MODE", "adaptive");
        assert_eq!(setup.load().retry_config().mode(), RetryMode::Adaptive);
    }

    #[test]
    fn app_id_precedence_and_errors() {
        let setup = Setup::new("[default]\nsdk_ua_app_id = from-profile", "");
        assert_eq!(setup.load().app_id(), Some("from-profile"));
        let setup = setup.var("AWS_SDK_UA_APP_ID", "from-env");
        assert_eq!(setup.load().app_id(), Some("from-env"));
        let explicit = setup.builder().unwrap().app_id("explicit").build();
        assert_eq!(explicit.app_id(), Some("explicit"));
        let setup = Setup::new("", "").var("AWS_SDK_UA_APP_ID", "has space");
        assert!(setup
            .error()
            .starts_with("invalid configuration: environment variable AWS_SDK_UA_APP_ID is `has space`: contains ' '"));
        let long = "x".repeat(51);
        let setup = Setup::new(&format!("[default]\nsdk_ua_app_id = {long}"), "");
        assert!(
            setup.error().contains("line 2: `sdk_ua_app_id = xxxx"),
            "{}",
            setup.error()
        );
    }

    #[test]
    fn ca_bundle_precedence() {
        use std::path::Path;
        assert_eq!(Setup::new("", "").load().ca_bundle(), None);
        let setup = Setup::new("[default]\nca_bundle = /etc/profile-ca.pem", "");
        let config = setup.load();
        assert_eq!(config.ca_bundle(), Some(Path::new("/etc/profile-ca.pem")));
        let origin = &config.client.ca_bundle.as_ref().unwrap().origin;
        assert!(origin.contains("`ca_bundle` in profile `default`") && origin.contains("line 2"));
        let setup = setup.var("AWS_CA_BUNDLE", "/etc/env-ca.pem");
        assert_eq!(setup.load().ca_bundle(), Some(Path::new("/etc/env-ca.pem")));
        let explicit = setup
            .builder()
            .unwrap()
            .ca_bundle("/etc/explicit.pem")
            .build();
        assert_eq!(explicit.ca_bundle(), Some(Path::new("/etc/explicit.pem")));
        let explicit_first = Config::builder()
            .ca_bundle("/etc/explicit.pem")
            .load_from(&Env::from_vars([("AWS_CA_BUNDLE", "/etc/env-ca.pem")]))
            .unwrap()
            .build();
        assert_eq!(
            explicit_first.ca_bundle(),
            Some(Path::new("/etc/explicit.pem"))
        );
    }

    #[test]
    fn multi_line_values_are_errors() {
        let setup = Setup::new("[default]\nregion = us-east-1\n  eu-west-1", "");
        assert!(setup.error().contains(
            "line 2: `region` in profile `default` continues on indented lines, but it takes a \
             single value"
        ));
    }

    /// The profiles of the AWS CLI's endpoint URL tests, for Marketplace Metering.
    const ENDPOINT_PROFILES: &str = "\
[default]
region = us-east-1

[profile global_only]
endpoint_url = https://global.profile

[profile service_specific]
services = metering_local

[profile global_and_service_specific]
endpoint_url = https://global.profile
services = metering_local

[profile other_service_only]
endpoint_url = https://global.profile
services = s3_only

[profile ignore]
endpoint_url = https://global.profile
services = metering_local
ignore_configured_endpoint_urls = true

[services metering_local]
s3 =
  endpoint_url = https://s3.section
marketplace_metering =
  # the local fake
  endpoint_url = https://metering.section ; inline comment
  region = ignored-here

[services s3_only]
s3 =
  endpoint_url = https://s3.section
";

    #[test]
    fn endpoint_url_precedence() {
        let global_env = [("AWS_ENDPOINT_URL", "https://global.env")];
        let service_env = [(
            "AWS_ENDPOINT_URL_MARKETPLACE_METERING",
            "https://metering.env",
        )];
        let both_env = [global_env[0], service_env[0]];
        let none: &[(&str, &str)] = &[];
        // (profile, variables, expected URL)
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case<'_>] = &[
            ("default", none, None),
            ("global_only", none, Some("https://global.profile")),
            ("service_specific", none, Some("https://metering.section")),
            (
                "global_and_service_specific",
                none,
                Some("https://metering.section"),
            ),
            ("other_service_only", none, Some("https://global.profile")),
            ("default", &global_env, Some("https://global.env")),
            ("global_only", &global_env, Some("https://global.env")),
            ("service_specific", &global_env, Some("https://global.env")),
            (
                "global_and_service_specific",
                &global_env,
                Some("https://global.env"),
            ),
            ("default", &service_env, Some("https://metering.env")),
            ("global_only", &service_env, Some("https://metering.env")),
            (
                "global_and_service_specific",
                &service_env,
                Some("https://metering.env"),
            ),
            ("default", &both_env, Some("https://metering.env")),
            (
                "global_and_service_specific",
                &both_env,
                Some("https://metering.env"),
            ),
            ("ignore", none, None),
            ("ignore", &both_env, None),
        ];
        for (profile, vars, expected) in cases {
            let mut setup = Setup::new(ENDPOINT_PROFILES, "").var("AWS_PROFILE", profile);
            for (name, value) in *vars {
                setup = setup.var(name, value);
            }
            let config = setup.load();
            assert_eq!(
                config.endpoint_url_for(SERVICE),
                *expected,
                "profile {profile}, variables {vars:?}"
            );
            assert_eq!(config.endpoint_url(), None, "only explicit URLs show here");
            // The explicit URL always wins, ignore flag or not.
            let explicit = setup
                .builder()
                .unwrap()
                .endpoint_url("https://explicit")
                .build();
            assert_eq!(explicit.endpoint_url_for(SERVICE), Some("https://explicit"));
        }
    }

    #[test]
    fn endpoint_urls_depend_on_the_service() {
        let config = Setup::new(ENDPOINT_PROFILES, "")
            .var("AWS_PROFILE", "service_specific")
            .var("AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb.env")
            .load();
        assert_eq!(config.endpoint_url_for("S3"), Some("https://s3.section"));
        assert_eq!(
            config.endpoint_url_for("DynamoDB"),
            Some("https://dynamodb.env")
        );
        assert_eq!(
            config.endpoint_url_for(SERVICE),
            Some("https://metering.section")
        );
        assert_eq!(config.endpoint_url_for("Lambda"), None);
    }

    #[test]
    fn endpoint_url_origins() {
        let origin = |setup: &Setup| {
            let url = setup.load().endpoint_url_with_origin_for(SERVICE).unwrap();
            url.origin()
                .replace(setup.path("AWS_CONFIG_FILE"), "CONFIG")
        };
        let setup =
            Setup::new(ENDPOINT_PROFILES, "").var("AWS_PROFILE", "global_and_service_specific");
        assert_eq!(
            origin(&setup),
            "`endpoint_url` under `marketplace_metering` in [services metering_local] \
             (CONFIG, line 26)"
        );
        let setup = Setup::new(ENDPOINT_PROFILES, "").var("AWS_PROFILE", "global_only");
        assert_eq!(
            origin(&setup),
            "`endpoint_url` in profile `global_only` (CONFIG, line 5)"
        );
        let setup = setup.var("AWS_ENDPOINT_URL", "https://global.env");
        assert_eq!(origin(&setup), "environment variable AWS_ENDPOINT_URL");
        let setup = setup.var("AWS_ENDPOINT_URL_MARKETPLACE_METERING", "https://m");
        assert_eq!(
            origin(&setup),
            "environment variable AWS_ENDPOINT_URL_MARKETPLACE_METERING"
        );
    }

    #[test]
    fn ignore_flag_precedence() {
        // The variable wins over the profile, both ways.
        let setup = Setup::new(ENDPOINT_PROFILES, "")
            .var("AWS_PROFILE", "ignore")
            .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
        assert_eq!(
            setup.load().endpoint_url_for(SERVICE),
            Some("https://metering.section")
        );
        let setup = Setup::new(ENDPOINT_PROFILES, "")
            .var("AWS_PROFILE", "global_only")
            .var("AWS_ENDPOINT_URL", "https://global.env")
            .var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
        assert_eq!(setup.load().endpoint_url_for(SERVICE), None);
    }

    #[test]
    fn broken_services_references_are_errors() {
        let setup = Setup::new("[default]\nservices = nowhere", "");
        assert_eq!(
            setup.error(),
            format!(
                "invalid configuration: {path}, line 2: profile `default` sets `services = \
                 nowhere`, but there is no [services nowhere] section in {path}",
                path = setup.path("AWS_CONFIG_FILE")
            )
        );
        // Unless configured endpoints are ignored anyway.
        let setup = setup.var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
        assert!(setup.builder().is_ok());
        let setup = Setup::new(
            "[default]\nservices = s\n[services s]\nmarketplace_metering = http://flat",
            "",
        );
        assert!(setup.error().contains(
            "line 4: `marketplace_metering` in [services s] has a value of its own, but a \
             service's settings are indented lines under it"
        ));
    }

    #[test]
    fn a_missing_selected_profile_is_an_error() {
        let setup = Setup::new("[default]\n[prod]\nregion = r\n[profile staging]", "")
            .var("AWS_PROFILE", "prod");
        let config = setup.path("AWS_CONFIG_FILE").to_owned();
        let credentials = setup.path("AWS_SHARED_CREDENTIALS_FILE").to_owned();
        assert_eq!(
            setup.error(),
            format!(
                "invalid configuration: AWS_PROFILE is `prod`, but there is no profile `prod` in \
                 {config} or {credentials}; the profiles are: default, staging; {config}, line \
                 2: [prod] skipped: in the config file a profile is written [profile prod] \
                 (only [default] goes without `profile`)"
            )
        );
        let error = Config::builder()
            .load_from(&Env::from_vars([("AWS_PROFILE", "prod")]))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid configuration: AWS_PROFILE is `prod`, but there is no profile `prod` in no \
             config or credentials file (neither AWS_CONFIG_FILE nor HOME is set)"
        );
    }

    #[tokio::test]
    async fn profile_files_are_found_through_home() {
        let dir = TempDir::new();
        dir.write(".aws/config", "[profile p]\nregion = home-region");
        dir.write(
            ".aws/credentials",
            "[p]\naws_access_key_id = AKID\naws_secret_access_key = S",
        );
        let env = Env::from_vars([
            ("HOME", dir.0.display().to_string()),
            ("USERPROFILE", dir.0.display().to_string()),
            ("AWS_PROFILE", "p".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ]);
        let config = Config::builder().load_from(&env).unwrap().build();
        assert_eq!(config.region(), Some("home-region"));
        let credentials = config.credentials_cache().unwrap().credentials().await;
        assert_eq!(credentials.unwrap().access_key_id(), "AKID");
    }

    #[test]
    fn malformed_files_fail_loading() {
        let setup = Setup::new("", "[default]\naws_access_key_id = AKID\nregion");
        assert_eq!(
            setup.error(),
            format!(
                "invalid configuration: {}, line 3: the line has no `=`: a property is a `name \
                 = value` line",
                setup.path("AWS_SHARED_CREDENTIALS_FILE")
            )
        );
    }

    #[tokio::test]
    async fn credentials_precedence() {
        let setup = Setup::new(
            "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET",
            "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n\
             aws_session_token = CREDTOKEN",
        );
        let credentials = setup.credentials().await.unwrap();
        assert_eq!(credentials.access_key_id(), "CREDKEY");
        assert_eq!(credentials.secret_access_key(), "CREDSECRET");
        assert_eq!(credentials.session_token(), Some("CREDTOKEN"));
        let only_config = Setup::new(
            "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET",
            "",
        )
        .credentials()
        .await
        .unwrap();
        assert_eq!(only_config.access_key_id(), "CONFIGKEY");
        assert_eq!(only_config.session_token(), None);
        let setup = setup
            .var("AWS_ACCESS_KEY_ID", "ENVKEY")
            .var("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
        let from_env = setup.credentials().await.unwrap();
        assert_eq!(from_env.access_key_id(), "ENVKEY");
        assert_eq!(from_env.session_token(), None);
        let explicit = setup
            .builder()
            .unwrap()
            .credentials(Credentials::new("CODEKEY", "CODESECRET", None))
            .build();
        assert_eq!(explicit.credentials().unwrap().access_key_id(), "CODEKEY");
        // Credentials set before loading are kept too: no chain is installed.
        let kept = Config::builder()
            .credentials(Credentials::new("KEPT", "S", None))
            .load_from(&Env::from_vars(setup.vars.clone()))
            .unwrap()
            .build();
        assert_eq!(kept.credentials().unwrap().access_key_id(), "KEPT");
    }

    #[tokio::test]
    async fn half_set_keys_are_errors_when_credentials_are_needed() {
        // Loading succeeds: credentials are only looked for when a request needs them.
        let setup = Setup::new("", "[default]\naws_access_key_id = AKID");
        let error = setup.credentials().await.unwrap_err();
        assert_eq!(error.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(
            error.to_string().contains(&format!(
                "profile `default`: {}, line 2: profile `default` sets aws_access_key_id but \
                 not aws_secret_access_key",
                setup.path("AWS_SHARED_CREDENTIALS_FILE")
            )),
            "{error}"
        );
        let setup = Setup::new("[default]\naws_secret_access_key = NOTSHOWN", "");
        let error = setup.credentials().await.unwrap_err().to_string();
        assert!(
            error.contains("sets aws_secret_access_key but not aws_access_key_id"),
            "{error}"
        );
        assert!(!error.contains("NOTSHOWN"), "{error}");
        // Credentials from the environment come first: the profile is not read.
        let setup = setup
            .var("AWS_ACCESS_KEY_ID", "K")
            .var("AWS_SECRET_ACCESS_KEY", "S");
        assert_eq!(setup.credentials().await.unwrap().access_key_id(), "K");
        // A half-set environment is an error of its own, and stops the chain.
        let setup = Setup::new(
            "[default]\naws_access_key_id = P\naws_secret_access_key = S",
            "",
        )
        .var("AWS_ACCESS_KEY_ID", "K");
        let error = setup.credentials().await.unwrap_err().to_string();
        assert!(
            error.contains("AWS_SECRET_ACCESS_KEY is missing"),
            "{error}"
        );
    }

    #[test]
    fn debug_never_shows_secrets() {
        let setup = Setup::new(
            "[default]\nendpoint_url = https://user:URLPASSWORD@proxy\n",
            "[default]\naws_access_key_id = AKIDVISIBLE\naws_secret_access_key = SECRETVALUE\n\
             aws_session_token = TOKENVALUE",
        );
        let builder = setup.builder().unwrap();
        let config = builder.clone().build();
        let with_static = builder
            .clone()
            .credentials(Credentials::new(
                "AKIDVISIBLE",
                "SECRETVALUE",
                Some("TOKENVALUE".into()),
            ))
            .build();
        assert!(format!("{with_static:?}").contains("AKIDVISIBLE"));
        for text in [
            format!("{builder:?}"),
            format!("{config:#?}"),
            format!("{with_static:#?}"),
        ] {
            assert!(
                text.contains("DefaultCredentialsChain") || text.contains("AKIDVISIBLE"),
                "{text}"
            );
            for secret in ["SECRETVALUE", "TOKENVALUE", "URLPASSWORD"] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
        }
    }
}
