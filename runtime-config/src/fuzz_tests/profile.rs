//! The shared `config` and `credentials` files: the parser, the static keys of a
//! profile, and the configuration loaded from them (region, booleans, retry
//! settings, app id, endpoint URLs and `[services]` sections, IMDS settings).
//!
//! Besides "never panics": what parses has lower-case identifier names and
//! values trimmed of blanks, secret-named values stay out of `Debug`, errors name
//! a line of the file, and files written with arbitrary values read back those
//! values.

use super::generators::{config, neighbourhoods, text, tried};
use crate::config::Config;
use crate::env::Env;
use crate::profile::{is_secret_name, ProfileError, ProfileSet};
use crate::temp_dir::TempDir;
use marketplace_sdk_runtime::client::request_url;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

const CONFIG_FILES: &[&str] = &["\u{feff}# comment
[default]
region = us-west-2 ; comment
use_fips_endpoint = false
use_dualstack_endpoint = TRUE
ec2_metadata_service_endpoint_mode = IPv6
metadata_service_timeout = 1.5
metadata_service_num_attempts = 3
[profile prod]
services = local
max_attempts = 3
retry_mode = adaptive
sdk_ua_app_id = app#1
endpoint_url = https://example.com:8443/p
ca_bundle = ~/ca.pem
[services local]
marketplace_metering =
  endpoint_url = http://127.0.0.1:9
sts =
\tendpoint_url = http://localhost
[profile multi]
description = first line
  second line
\tthird
[ profile  spaced ]# note
ignore_configured_endpoint_urls = false
"];

const CREDENTIALS_FILES: &[&str] = &["[default]
aws_access_key_id = AKIDEXAMPLE
aws_secret_access_key = SECRETKEY#notacomment
aws_session_token = SECRETTOKEN ; comment
[prod]
aws_access_key_id=A
aws_secret_access_key=SECRETKEY2
[profile skipped]
x = y
"];

const PROFILE_PARTS: &[&str] = &[
    "[",
    "]",
    "[default]",
    "[profile ",
    "[services ",
    "\n[profile prod]\n",
    "=",
    " = ",
    "\n  ",
    "\n\t",
    "\n",
    "\r\n",
    " #",
    "\t;",
    "aws_secret_access_key = ",
    "aws_access_key_id = ",
    "region = ",
    "endpoint_url = ",
    "services = ",
    "max_attempts = ",
    "retry_mode = ",
    "use_fips_endpoint = ",
    "sdk_ua_app_id = ",
    "metadata_service_timeout = ",
    "true",
    "TRUE",
    "1e309",
    "NaN",
    "0",
    "4294967296",
    "http://",
    "https://[::1]:65536/",
];

/// Checks what the parser made of a config and a credentials file.
fn check_parsed(
    result: &Result<ProfileSet, ProfileError>,
    config: &str,
    credentials: &str,
) -> Result<(), TestCaseError> {
    let set = match result {
        Ok(set) => set,
        Err(error) => {
            let lines = match error.path() {
                "config" => config.lines().count(),
                "credentials" => credentials.lines().count(),
                other => return Err(TestCaseError::fail(format!("path {other:?}"))),
            };
            let line = error.line().unwrap_or(0);
            prop_assert!((1..=lines).contains(&line), "{error}");
            return Ok(());
        }
    };
    let blank = [' ', '\t'];
    for name in set.profile_names() {
        let profile = set.profile(name).unwrap();
        let _ = crate::credentials::keys_of(profile);
        for property in profile.properties() {
            let property_name = property.name();
            prop_assert!(!property_name.is_empty(), "{property:?}");
            prop_assert!(
                property_name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() && !c.is_ascii_uppercase()
                        || "_-/.%@:+".contains(c)),
                "{property_name:?}"
            );
            let value = property.value();
            prop_assert!(
                !value.starts_with(blank) && !value.ends_with(blank),
                "{value:?}"
            );
            if is_secret_name(property_name) && value.contains("SECRET") {
                let debug = format!("{property:?}");
                prop_assert!(!debug.contains(value), "{debug}");
            }
        }
    }
    Ok(())
}

/// Loads the configuration from the files, as `Config::from_env` does, with a
/// profile chosen by `profile`; returns the endpoint URL the client would use.
fn load(config: &str, credentials: &str, profile: &str) {
    let dir = TempDir::new();
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", dir.write("config", config)),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.write("credentials", credentials),
        ),
        ("AWS_PROFILE", profile.to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    if let Ok(builder) = Config::builder().load_from(&env) {
        let config = builder.build();
        for service in ["Marketplace Metering", "STS"] {
            if let Some(url) = config.endpoint_url_for(service) {
                let _ = request_url(url);
            }
        }
    }
}

/// A name the format allows for sections and properties, other than `default`
/// (whose two spellings in the config file are tested by the parser's own tests).
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_./%@:+-]{1,12}".prop_map(|name| {
        if name.eq_ignore_ascii_case("default") {
            format!("{name}-")
        } else {
            name
        }
    })
}

/// A value as the file holds it: any characters but line ends, no blank at
/// either end, no blank before `#` or `;` (which would start a comment), not
/// starting with `#` or `;`.
fn value() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|raw| {
        let mut value = String::new();
        for c in raw.chars().filter(|c| !matches!(c, '\n' | '\r')) {
            let after_blank = value.is_empty() || value.ends_with([' ', '\t']);
            value.push(if after_blank && matches!(c, '#' | ';') {
                'x'
            } else {
                c
            });
        }
        value.trim_matches([' ', '\t']).to_owned()
    })
}

/// Blanks around `=` and before a comment.
fn blank() -> impl Strategy<Value = &'static str> {
    select(&["", " ", "\t", "  "][..])
}

/// One `name = value` line, with blanks and maybe a comment.
fn property_line() -> impl Strategy<Value = ((String, String), String)> {
    let comment = prop_oneof![
        Just(String::new()),
        ("[ \t]{1,2}[#;]", "[^\r\n]{0,12}").prop_map(|(start, text)| format!("{start}{text}")),
    ];
    (name(), value(), blank(), blank(), comment).prop_map(|(name, value, a, b, comment)| {
        let line = format!("{name}{a}={b}{value}{comment}");
        ((name, value), line)
    })
}

/// A file of sections, each with property lines (and blank or comment lines
/// between), and what each section should read as: names lower-cased, the
/// last value of a name winning.
type Written = (String, BTreeMap<String, BTreeMap<String, String>>);

fn written(prefix: &'static str) -> impl Strategy<Value = Written> {
    let section = vec(
        (
            property_line(),
            select(&["", "\n", "# note\n", "  ; indented comment\n"][..]),
        ),
        0..6,
    );
    btree_map(name(), section, 0..4).prop_map(move |sections| {
        let mut file = String::new();
        let mut expected = BTreeMap::new();
        for (name, lines) in sections {
            file.push_str(&format!("[{prefix}{name}]\n"));
            let properties: &mut BTreeMap<String, String> = expected.entry(name).or_default();
            for (((property, value), line), between) in lines {
                file.push_str(&format!("{line}\n{between}"));
                properties.insert(property.to_ascii_lowercase(), value);
            }
        }
        (file, expected)
    })
}

proptest! {
    #![proptest_config(config(1_000))]

    /// Any pair of files: no panic, and what parses is well-formed.
    #[test]
    fn profile_files_never_panic(
        config in text(CONFIG_FILES, PROFILE_PARTS),
        credentials in text(CREDENTIALS_FILES, PROFILE_PARTS),
    ) {
        let parsed = ProfileSet::parse(Some(("config", &config)), Some(("credentials", &credentials)));
        check_parsed(&parsed, &config, &credentials)?;
        let _ = format!("{parsed:?}");
    }

}

proptest! {
    #![proptest_config(config(500))]

    /// Files written with arbitrary names and values read back those values,
    /// the credentials file's winning over the config file's.
    #[test]
    fn profile_files_read_back_what_was_written(
        (config, mut expected) in written("profile "),
        (credentials, in_credentials) in written(""),
    ) {
        let set = ProfileSet::parse(Some(("config", &config)), Some(("credentials", &credentials)))
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        for (name, properties) in in_credentials {
            expected.entry(name).or_default().extend(properties);
        }
        prop_assert_eq!(set.profile_names().count(), expected.len());
        for (name, properties) in expected {
            let profile = set.profile(&name).ok_or_else(|| TestCaseError::fail(name.clone()))?;
            prop_assert_eq!(profile.properties().count(), properties.len());
            for (property, value) in properties {
                prop_assert_eq!(profile.get(&property), Some(value.as_str()), "{}", property);
            }
        }
    }
}

proptest! {
    // Each case writes two files.
    #![proptest_config(config(200))]

    /// Any pair of files, any selected profile: loading the configuration from
    /// them never panics.
    #[test]
    fn configuration_from_any_files_never_panics(
        config in text(CONFIG_FILES, PROFILE_PARTS),
        credentials in text(CREDENTIALS_FILES, PROFILE_PARTS),
        profile in select(&["default", "prod", "multi", "spaced", "missing"][..]),
    ) {
        load(&config, &credentials, profile);
    }
}

#[test]
fn profile_file_neighbourhood() {
    let inputs = neighbourhoods(CONFIG_FILES, |config| {
        let parsed = ProfileSet::parse(Some(("config", config)), None);
        check_parsed(&parsed, config, "").unwrap();
    }) + neighbourhoods(CREDENTIALS_FILES, |credentials| {
        let parsed = ProfileSet::parse(None, Some(("credentials", credentials)));
        check_parsed(&parsed, "", credentials).unwrap();
    });
    tried(inputs);
}
