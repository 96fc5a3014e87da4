//! The TLS every HTTP client of this runtime uses: rustls with the `ring` provider
//! and the Mozilla roots bundled by `webpki-roots`, TLS 1.2 and 1.3, HTTP/1.1 by
//! ALPN.
//!
//! Built here rather than through reqwest's `rustls-tls` feature: that feature also
//! names reqwest's optional HTTP/3 stack (`quinn?/ring`), which puts a dozen
//! packages that are never compiled into every user's `Cargo.lock`.

use std::sync::{Arc, OnceLock};

/// A reqwest client builder with this runtime's TLS settings.
pub(crate) fn client_builder() -> Result<reqwest::ClientBuilder, String> {
    let config = client_config()?;
    Ok(reqwest::Client::builder().use_preconfigured_tls(config))
}

/// The rustls client configuration, built once per process (it holds the root
/// store) and cloned for each HTTP client.
fn client_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|error| format!("cannot set up TLS: {error}"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}
