//! Endpoint URLs configured outside the code: `AWS_ENDPOINT_URL_<SERVICE>`,
//! `AWS_ENDPOINT_URL`, a profile's `[services NAME]` section and its
//! `endpoint_url`.
//!
//! The service is only known when a client is made, while the configuration is
//! loaded once for every service, so loading keeps every candidate and
//! [`ConfiguredEndpoints::for_service`] picks one later.

use marketplace_sdk_runtime::config::EndpointUrl;
use std::collections::BTreeMap;

/// The prefix of the service-specific variables.
pub(crate) const SERVICE_VARIABLE_PREFIX: &str = "AWS_ENDPOINT_URL_";

/// The `[services NAME]` key of a service: its id lowercased, spaces and hyphens
/// made underscores (`Marketplace Metering` → `marketplace_metering`).
pub fn service_config_key(service_id: &str) -> String {
    service_id
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The environment variable of a service's endpoint URL:
/// `AWS_ENDPOINT_URL_MARKETPLACE_METERING` for `Marketplace Metering`.
pub fn service_endpoint_variable(service_id: &str) -> String {
    format!(
        "{SERVICE_VARIABLE_PREFIX}{}",
        service_config_key(service_id).to_ascii_uppercase()
    )
}

/// Every endpoint URL the environment and the selected profile configure, in
/// their order of precedence. Empty when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or
/// `ignore_configured_endpoint_urls` is true.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ConfiguredEndpoints {
    /// `AWS_ENDPOINT_URL_<SERVICE>` variables, by variable name.
    pub(crate) service_variables: BTreeMap<String, EndpointUrl>,
    /// `AWS_ENDPOINT_URL`.
    pub(crate) variable: Option<EndpointUrl>,
    /// The profile's `[services NAME]` section: `endpoint_url` by service key.
    pub(crate) services_section: BTreeMap<String, EndpointUrl>,
    /// The profile's own `endpoint_url`.
    pub(crate) profile: Option<EndpointUrl>,
}

impl ConfiguredEndpoints {
    /// The URL for the service with `service_id`: its variable, the global
    /// variable, its `[services]` entry, the profile's `endpoint_url`.
    pub(crate) fn for_service(&self, service_id: &str) -> Option<&EndpointUrl> {
        self.service_variables
            .get(&service_endpoint_variable(service_id))
            .or(self.variable.as_ref())
            .or_else(|| self.services_section.get(&service_config_key(service_id)))
            .or(self.profile.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert_eq!(
            service_config_key("Marketplace Metering"),
            "marketplace_metering"
        );
        assert_eq!(
            service_endpoint_variable("Marketplace Metering"),
            "AWS_ENDPOINT_URL_MARKETPLACE_METERING"
        );
        assert_eq!(service_config_key("SSO-OIDC"), "sso_oidc");
        assert_eq!(
            service_endpoint_variable("Marketplace Entitlement Service"),
            "AWS_ENDPOINT_URL_MARKETPLACE_ENTITLEMENT_SERVICE"
        );
    }
}
