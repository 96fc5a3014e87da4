//! Endpoint resolution support: the result and error types, and the standard
//! library of the Smithy rules engine that generated resolvers call.
//!
//! Each service's `endpoint-rule-set-1.json` is turned into Rust code at codegen
//! time; that code calls the functions in [`functions`] and [`partition`], written
//! once here for every service. The runtime's own endpoints (STS, for the credential
//! providers of `marketplace-sdk-config`) use `partitions_table`, which `cargo xtask codegen` writes here from the
//! same `partitions.json` as the service crates' tables.

pub mod functions;
pub mod partition;
#[rustfmt::skip]
#[doc(hidden)]
pub mod partitions_table;

use crate::redact::redact_userinfo;
use std::collections::BTreeMap;
use std::fmt;

/// A resolved endpoint: the URL, headers to add, and properties such as the auth
/// schemes to sign with.
///
/// `Debug` hides a user name and password in the URL (`https://***@host`).
#[derive(Clone, PartialEq)]
pub struct Endpoint {
    url: String,
    headers: BTreeMap<String, Vec<String>>,
    properties: serde_json::Map<String, serde_json::Value>,
}

impl Endpoint {
    /// An endpoint at `url` with no headers or properties.
    pub fn new(url: impl Into<String>) -> Self {
        Endpoint {
            url: url.into(),
            headers: BTreeMap::new(),
            properties: serde_json::Map::new(),
        }
    }

    /// Adds a header value.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers
            .entry(name.into())
            .or_default()
            .push(value.into());
        self
    }

    /// Sets a property.
    pub fn with_property(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.properties.insert(name.into(), value);
        self
    }

    /// The URL requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Headers the rule set adds to requests.
    pub fn headers(&self) -> &BTreeMap<String, Vec<String>> {
        &self.headers
    }

    /// Properties, e.g. `authSchemes`.
    pub fn properties(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.properties
    }

    /// The SigV4 scheme of `authSchemes`, if the endpoint names one: the signing
    /// name and region it asks for.
    pub fn sigv4_scheme(&self) -> Option<SigV4Scheme<'_>> {
        let schemes = self.properties.get("authSchemes")?.as_array()?;
        let scheme = schemes
            .iter()
            .find(|s| s.get("name").and_then(|n| n.as_str()) == Some("sigv4"))?;
        Some(SigV4Scheme {
            signing_name: scheme.get("signingName").and_then(|v| v.as_str()),
            signing_region: scheme.get("signingRegion").and_then(|v| v.as_str()),
        })
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &redact_userinfo(&self.url))
            .field("headers", &self.headers)
            .field("properties", &self.properties)
            .finish()
    }
}

/// What an endpoint's `sigv4` auth scheme says to sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigV4Scheme<'a> {
    /// The service name for the signature scope, when it differs from the model's.
    pub signing_name: Option<&'a str>,
    /// The region for the signature scope, when it differs from the configured one.
    pub signing_region: Option<&'a str>,
}

/// The rule set found no endpoint; the message is the rule set's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError {
    message: String,
}

impl EndpointError {
    /// An error with the rule set's message.
    pub fn new(message: impl Into<String>) -> Self {
        EndpointError {
            message: message.into(),
        }
    }

    /// The rule set's message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EndpointError {}

/// The values a client's configuration gives the rule set's built-in parameters
/// (`AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack`, `SDK::Endpoint`).
///
/// `Debug` hides a user name and password in the endpoint URL.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Builtins<'a> {
    /// `AWS::Region`.
    pub region: Option<&'a str>,
    /// `AWS::UseFIPS`.
    pub use_fips: bool,
    /// `AWS::UseDualStack`.
    pub use_dual_stack: bool,
    /// `SDK::Endpoint`: the configured endpoint URL.
    pub endpoint: Option<&'a str>,
}

impl fmt::Debug for Builtins<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builtins")
            .field("region", &self.region)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("endpoint", &self.endpoint.map(redact_userinfo))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_passwords_in_endpoint_urls() {
        let url = "https://user:hunter2@proxy:8443/p";
        let endpoint = Endpoint::new(url).with_header("h", "v");
        let builtins = Builtins {
            region: Some("us-east-1"),
            endpoint: Some(url),
            ..Builtins::default()
        };
        for text in [format!("{endpoint:?}"), format!("{builtins:?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("https://***@proxy:8443/p"), "{text}");
        }
        assert!(format!("{builtins:?}").contains("us-east-1"));
        assert!(format!("{endpoint:?}").contains("\"h\": [\"v\"]"));
        assert_eq!(endpoint.url(), url, "the URL itself is kept as given");
    }
}
