//! The endpoints of the credential sources: the container endpoint
//! (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), IMDS (`AWS_EC2_METADATA_SERVICE_ENDPOINT`)
//! and STS (a configured URL, or the region's host), on any configured URL or
//! region.

use super::generators::{config, neighbourhoods, text, tried, url, URLS, URL_PARTS};
use crate::credentials::container::check_full_uri;
use crate::credentials::imds::check_endpoint;
use crate::credentials::StsConfig;
use marketplace_sdk_runtime::config::EndpointUrl;
use marketplace_sdk_runtime::sigv4::SigningTarget;
use proptest::option;
use proptest::prelude::*;

const REGIONS: &[&str] = &[
    "us-east-1",
    "cn-north-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
];

/// Every check of a credential source's endpoint, on `url`.
fn check_url(url: &str) {
    let _ = check_full_uri(url);
    let _ = check_endpoint(Some(url), false);
    let sts = StsConfig::new(None, false, Some(EndpointUrl::new(url, "fuzz")), None);
    let _ = sts.endpoint();
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Any configured URL: no panic.
    #[test]
    fn endpoint_urls_never_panic(url in url()) {
        check_url(&url);
    }

    /// Any region: the STS endpoint is refused or a URL on the region's host.
    #[test]
    fn sts_endpoints_of_any_region(region in option::of(text(REGIONS, URL_PARTS)), fips in any::<bool>()) {
        let sts = StsConfig::new(region.clone(), fips, None, None);
        if let (Ok((url, _, signing_region)), Some(region)) = (sts.endpoint(), region) {
            prop_assert!(url.starts_with("https://sts"), "{url}");
            prop_assert!(region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{url}");
            prop_assert_eq!(signing_region, region);
            prop_assert!(SigningTarget::from_url(&url).is_ok(), "{url}");
        }
    }
}

#[test]
fn endpoint_url_neighbourhood() {
    let inputs = neighbourhoods(URLS, check_url);
    tried(inputs);
}
