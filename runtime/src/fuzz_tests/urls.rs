//! Endpoint URLs, as configured (`AWS_ENDPOINT_URL*`, `endpoint_url`, `[services]`)
//! or resolved: the URL a request goes to and the target it is signed for, and the
//! redaction of passwords in them. (The STS, IMDS and container endpoints are
//! `marketplace-sdk-config`'s, tested there.)

use super::generators::{config, neighbourhoods, tried, url, URLS};
use crate::client::request_url;
use crate::config::EndpointUrl;
use crate::redact::redact_userinfo;
use crate::sigv4::SigningTarget;
use proptest::prelude::*;

/// The longest URI `http::Uri` parses.
const MAX_URI_BYTES: usize = u16::MAX as usize - 1;

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
