//! The TLS every HTTP client of this runtime uses: rustls with the `ring` provider,
//! TLS 1.2 and 1.3, HTTP/1.1 by ALPN, trusting the Mozilla roots bundled by
//! `webpki-roots` or, when configured, the certificates of a CA bundle instead.
//!
//! Built here rather than through reqwest's `rustls-tls` feature: that feature also
//! names reqwest's optional HTTP/3 stack (`quinn?/ring`), which puts a dozen
//! packages that are never compiled into every user's `Cargo.lock`.

use crate::file::{read_capped, CA_BUNDLE_LIMIT};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A PEM file of certificate authorities to trust instead of the bundled roots,
/// e.g. a corporate proxy's: `AWS_CA_BUNDLE`, `ca_bundle` in the profile, or
/// `ConfigBuilder::ca_bundle` of `marketplace-sdk-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaBundle {
    pub path: PathBuf,
    /// Where the setting came from, for error messages.
    pub origin: String,
}

impl fmt::Display for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CA bundle `{}` ({})", self.path.display(), self.origin)
    }
}

/// A reqwest client builder with this runtime's TLS settings, trusting `ca_bundle`
/// when there is one. The error says what is wrong with the bundle.
pub fn client_builder(ca_bundle: Option<&CaBundle>) -> Result<reqwest::ClientBuilder, String> {
    let config = match ca_bundle {
        None => default_client_config()?,
        Some(bundle) => client_config(bundle_roots(bundle)?)?,
    };
    Ok(reqwest::Client::builder().use_preconfigured_tls(config))
}

/// The configuration with the bundled roots, built once per process (it holds the
/// root store) and cloned for each HTTP client.
fn default_client_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            client_config(rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            })
        })
        .clone()
}

fn client_config(roots: rustls::RootCertStore) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("cannot set up TLS: {error}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Every certificate in the bundle's PEM file.
fn bundle_roots(bundle: &CaBundle) -> Result<rustls::RootCertStore, String> {
    read_roots(&bundle.path).map_err(|problem| format!("{bundle} {problem}"))
}

fn read_roots(path: &Path) -> Result<rustls::RootCertStore, String> {
    let pem = read_capped(path, CA_BUNDLE_LIMIT).map_err(|error| error.to_string())?;
    let mut roots = rustls::RootCertStore::empty();
    for (index, certificate) in CertificateDer::pem_slice_iter(&pem).enumerate() {
        let certificate =
            certificate.map_err(|error| format!("is not a valid PEM file: {error}"))?;
        roots
            .add(certificate)
            .map_err(|error| format!("has an unusable certificate (#{}): {error}", index + 1))?;
    }
    if roots.is_empty() {
        return Err(
            "has no certificates: expected PEM `-----BEGIN CERTIFICATE-----` blocks".to_owned(),
        );
    }
    Ok(roots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;

    #[test]
    fn an_oversized_bundle_is_refused_with_its_limit_and_origin() {
        let dir = TempDir::new();
        let path = dir.0.join("huge.pem");
        std::fs::write(&path, vec![b'\n'; 4 * 1024 * 1024 + 1]).unwrap();
        let bundle = CaBundle {
            path: path.clone(),
            origin: "environment variable AWS_CA_BUNDLE".to_owned(),
        };
        let error = client_builder(Some(&bundle)).unwrap_err();
        assert_eq!(
            error,
            format!(
                "CA bundle `{}` (environment variable AWS_CA_BUNDLE) is larger than 4 MiB, \
                 too large for a CA bundle",
                path.display()
            )
        );
    }
}
