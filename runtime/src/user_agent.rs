//! The `User-Agent` and `x-amz-user-agent` headers: this SDK and its version, the
//! operating system, the Rust version it was built with, and the application's id.
//!
//! `User-Agent: marketplace-metering/0.1.0 os/linux lang/rust/1.85.0 app/my-app`
//! and `x-amz-user-agent: marketplace-metering/0.1.0 ua/2.1 os/linux lang/rust/1.85.0
//! app/my-app`, in the shape the AWS SDKs use, so the service can tell which SDK
//! and which application a request came from.

/// The Rust release the runtime was compiled with, recorded by `build.rs`.
pub const RUST_VERSION: &str = env!("SDK_RUNTIME_RUSTC_VERSION");

/// The longest application id the AWS SDKs accept.
pub const MAX_APP_ID_LEN: usize = 50;

/// The two user agent headers of a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserAgent {
    /// `User-Agent`.
    pub(crate) user_agent: String,
    /// `x-amz-user-agent`.
    pub(crate) amz_user_agent: String,
}

impl UserAgent {
    /// The headers for the SDK `sdk` (`name/version`, from the generated crate) and
    /// an optional application id, which must pass [`check_app_id`].
    pub(crate) fn new(sdk: &str, app_id: Option<&str>) -> Self {
        let sdk = sanitize(sdk);
        let os = os_name();
        let lang = format!("lang/rust/{}", sanitize(RUST_VERSION));
        let app = app_id.map(|id| format!(" app/{id}")).unwrap_or_default();
        UserAgent {
            user_agent: format!("{sdk} os/{os} {lang}{app}"),
            amz_user_agent: format!("{sdk} ua/2.1 os/{os} {lang}{app}"),
        }
    }
}

/// The operating system as the AWS SDKs name it.
fn os_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "macos",
        "windows" => "windows",
        "android" => "android",
        "ios" => "ios",
        _ => "other",
    }
}

/// Whether `byte` may appear in a user agent token (RFC 9110 `tchar`, plus `/`
/// between name and version).
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/".contains(&byte)
}

/// `text` with every character a token cannot hold replaced by `_`.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() && is_token_byte(c as u8) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Checks an application id (`AWS_SDK_UA_APP_ID`, `sdk_ua_app_id`, or
/// `ConfigBuilder::app_id`): at most 50 characters, letters, digits and
/// ``!#$%&'*+-.^_`|~``; the problem otherwise.
pub fn check_app_id(app_id: &str) -> Result<(), String> {
    if app_id.len() > MAX_APP_ID_LEN {
        return Err(format!(
            "is {} bytes long: an app id is at most {MAX_APP_ID_LEN}",
            app_id.len()
        ));
    }
    if let Some(bad) = app_id
        .chars()
        .find(|&c| !c.is_ascii() || c == '/' || !is_token_byte(c as u8))
    {
        return Err(format!(
            "contains {bad:?}: an app id has only letters, digits and !#$%&'*+-.^_`|~"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_sdk_os_and_rust_version() {
        let ua = UserAgent::new("marketplace-metering/0.1.0", None);
        let os = os_name();
        assert_eq!(
            ua.user_agent,
            format!("marketplace-metering/0.1.0 os/{os} lang/rust/{RUST_VERSION}")
        );
        assert_eq!(
            ua.amz_user_agent,
            format!("marketplace-metering/0.1.0 ua/2.1 os/{os} lang/rust/{RUST_VERSION}")
        );
        assert!(
            RUST_VERSION.starts_with("1.") || RUST_VERSION == "unknown",
            "{RUST_VERSION}"
        );
        let ua = UserAgent::new("svc/1.0", Some("billing-agent"));
        assert!(ua.user_agent.ends_with(" app/billing-agent"));
        assert!(ua.amz_user_agent.ends_with(" app/billing-agent"));
        let odd = UserAgent::new("svc (beta)/1.0", None);
        assert!(odd.user_agent.starts_with("svc__beta_/1.0 "), "{odd:?}");
    }

    #[test]
    fn app_ids_are_short_tokens() {
        assert!(check_app_id("my-app_1.0").is_ok());
        assert!(check_app_id(&"a".repeat(50)).is_ok());
        assert!(check_app_id(&"a".repeat(51))
            .unwrap_err()
            .contains("51 bytes"));
        for bad in ["two words", "a/b", "naïve", "x\r\ny"] {
            assert!(check_app_id(bad).is_err(), "{bad}");
        }
    }
}
