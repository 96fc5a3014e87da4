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

/// Which certificate authorities HTTPS connections trust when no CA bundle is
/// configured (a CA bundle replaces either).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustRoots {
    /// The Mozilla roots bundled by `webpki-roots`: the same on every machine.
    #[default]
    Bundled,
    /// The operating system's trust store (feature `native-roots`): the files of
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR` when either is set, else the system's
    /// store (OpenSSL's locations on Linux, the keychain on macOS, the Windows
    /// store). For companies that push their own roots to every machine. Read
    /// once per process; a store with no usable certificate is an error that
    /// every call reports.
    #[cfg(feature = "native-roots")]
    Native,
}

/// A reqwest client builder with this runtime's TLS settings, trusting `ca_bundle`
/// when there is one, else `roots`. The error says what is wrong with the bundle
/// or the store.
pub fn client_builder(
    roots: TrustRoots,
    ca_bundle: Option<&CaBundle>,
) -> Result<reqwest::ClientBuilder, String> {
    let config = match (ca_bundle, roots) {
        (Some(bundle), _) => client_config(bundle_roots(bundle)?)?,
        (None, TrustRoots::Bundled) => default_client_config()?,
        #[cfg(feature = "native-roots")]
        (None, TrustRoots::Native) => native_client_config()?,
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

/// The configuration with the operating system's roots, read once per process.
#[cfg(feature = "native-roots")]
fn native_client_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| client_config(native_roots()?))
        .clone()
}

/// Every usable certificate of the operating system's trust store.
#[cfg(feature = "native-roots")]
fn native_roots() -> Result<rustls::RootCertStore, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (_, unusable) = roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let problems: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the operating system's trust store has no usable certificate \
             ({unusable} unusable; {})",
            match problems.is_empty() {
                true => "no error reading it".to_owned(),
                false => problems.join("; "),
            }
        ));
    }
    for problem in &found.errors {
        tracing::debug!(error = %problem, "part of the operating system's trust store was not read");
    }
    Ok(roots)
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
        let error = client_builder(TrustRoots::Bundled, Some(&bundle)).unwrap_err();
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
