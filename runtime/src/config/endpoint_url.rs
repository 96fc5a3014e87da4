//! An endpoint URL with where it was configured, for messages about it.

use crate::redact::redact_userinfo;
use std::fmt;

/// An endpoint URL and the setting it came from.
///
/// `Debug` hides a user name and password in the URL (`https://***@host`);
/// [`EndpointUrl::url`] is the URL as configured.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointUrl {
    url: String,
    origin: String,
}

impl EndpointUrl {
    /// `url`, configured in `origin` (`environment variable AWS_ENDPOINT_URL`,
    /// a file and line, `Config::builder().endpoint_url(..)`).
    pub fn new(url: impl Into<String>, origin: impl Into<String>) -> Self {
        EndpointUrl {
            url: url.into(),
            origin: origin.into(),
        }
    }

    /// The URL, as configured.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where it was configured, for messages: `environment variable
    /// AWS_ENDPOINT_URL`, or a file, line and setting.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl fmt::Debug for EndpointUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointUrl")
            .field("url", &redact_userinfo(&self.url))
            .field("origin", &self.origin)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_passwords_in_urls() {
        let url = EndpointUrl::new("https://user:hunter2@proxy:8080/p?q=a@b", "test");
        let text = format!("{url:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("https://***@proxy:8080/p?q=a@b"), "{text}");
    }
}
