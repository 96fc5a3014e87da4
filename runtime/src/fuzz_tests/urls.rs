//! Endpoint URLs, as configured (`AWS_ENDPOINT_URL*`, `endpoint_url`, `[services]`)
//! or resolved: the URL a request goes to and the target it is signed for, the
//! STS, IMDS and container endpoints, and the redaction of passwords in them.

use super::generators::{config, grammar, neighbourhoods, text, tried};
use crate::client::request_url;
use crate::config::EndpointUrl;
use crate::credentials::container::check_full_uri;
use crate::credentials::imds::check_endpoint;
use crate::credentials::StsConfig;
use crate::redact::redact_userinfo;
use crate::sigv4::SigningTarget;
use proptest::option;
use proptest::prelude::*;

pub(super) const URLS: &[&str] = &[
    "https://metering.marketplace.us-east-1.amazonaws.com",
    "http://127.0.0.1:9/",
    "https://Example.COM:443/a/./b/../c",
    "https://user:pw@host.example/p",
    "http://[::1]:8080/p",
    "https://[fe80::1%25eth0]/",
    "http://169.254.170.23/v1/credentials",
    "https://example.com/path?x=1#frag",
    "HTTPS://a.b:65535",
    "http://localhost",
];

const URL_PARTS: &[&str] = &[
    "://",
    "http",
    "https",
    ":",
    "@",
    "[",
    "]",
    "%25",
    "%2F",
    "..",
    "./",
    "//",
    ":0",
    ":65536",
    ":99999999999",
    "::1",
    "::ffff:127.0.0.1",
    "localhost",
    "127.0.0.1",
    "169.254.170.2",
    "xn--",
    "user:pass@",
];

/// URLs part by part, with borderline parts.
const URL_GRAMMAR: &[&[&str]] = &[
    &["https", "http", "HTTPS", "ftp"],
    &["://"],
    &["", "", "user:pw@", "@", "u@v@"],
    &[
        "example.com",
        "127.0.0.1",
        "[::1]",
        "[fe80::1%25eth0]",
        "localhost",
        "169.254.170.23",
        "xn--bcher-kva.example",
        "999.1.1.1",
        "",
    ],
    &["", "", ":443", ":0", ":65535", ":65536", ":"],
    &["", "/", "/a/./b/../c", "//x", "/%2F", "/é"],
    &["", "", "?", "?x=1"],
    &["", "", "#f", "#"],
];

/// Configured URLs: edited seeds, and URLs built part by part.
pub(super) fn url() -> impl Strategy<Value = String> {
    prop_oneof![text(URLS, URL_PARTS), grammar(URL_GRAMMAR, URL_PARTS)]
}

/// The longest URI `http::Uri` parses.
const MAX_URI_BYTES: usize = u16::MAX as usize - 1;

const REGIONS: &[&str] = &[
    "us-east-1",
    "cn-north-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
];

/// Every check of an endpoint URL the runtime makes, on `url`.
fn check_url(url: &str) {
    // What the client sends to has no query or user info, and can be signed
    // unless it is longer than an `http::Uri` may be (percent-encoding can make
    // it so; the client then refuses the configuration).
    if let Ok(parsed) = request_url(url) {
        assert!(
            parsed.query().is_none() && parsed.username().is_empty(),
            "{parsed}"
        );
        assert!(parsed.password().is_none(), "{parsed}");
        let signed = SigningTarget::from_url(parsed.as_str());
        assert!(
            signed.is_ok() || parsed.as_str().len() > MAX_URI_BYTES,
            "{url:?}"
        );
    }
    let _ = check_full_uri(url);
    let _ = check_endpoint(Some(url), false);
    let sts = StsConfig::new(None, false, Some(EndpointUrl::new(url, "fuzz")), None);
    let _ = sts.endpoint();
    let _ = SigningTarget::from_url(url);
    let _ = format!("{:?}", EndpointUrl::new(url, "fuzz"));
    let _ = redact_userinfo(url);
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Any configured URL: no panic, and what the client accepts it can sign.
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

    /// A password in a URL never shows in `Debug` or in redacted text.
    #[test]
    fn passwords_in_urls_are_hidden(
        scheme in "[a-zA-Z]{0,6}(://)?",
        user in "[^/?#@]{0,8}",
        secret in "[A-Z0-9]{6,12}",
        host in "[^/?#@]{0,12}",
        rest in "([/?#].{0,16})?",
    ) {
        let password = format!("P4SS{secret}");
        let url = format!("{scheme}{user}:{password}@{host}{rest}");
        // Where the authority is: after the first `://`, if any (the generated
        // scheme may hold none and the user one).
        let authority_start = url.find("://").map_or(0, |at| at + 3);
        let in_authority = url[authority_start..]
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|authority| authority.contains(&password));
        if in_authority && !host.contains(&password) && !rest.contains(&password) {
            let shown = redact_userinfo(&url);
            prop_assert!(!shown.contains(&password), "{shown}");
            let debug = format!("{:?}", EndpointUrl::new(url.clone(), "fuzz"));
            prop_assert!(!debug.contains(&password), "{debug}");
        }
    }
}

#[test]
fn endpoint_url_neighbourhood() {
    let inputs = neighbourhoods(URLS, check_url);
    tried(inputs);
}
