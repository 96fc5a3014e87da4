//! The operating system's trust store (feature `native-roots`,
//! `TrustRoots::Native`): a test CA installed in a scratch trust directory
//! (`SSL_CERT_DIR`, which the store reads on Linux as OpenSSL does) is trusted by a
//! client that chooses the native roots, and not by one with the bundled roots.
//!
//! A binary of its own: the store is read once per process, from the process
//! environment, which this test sets.

#![forbid(unsafe_code)]

mod common;
mod tls_server;

use marketplace_metering::config::{RetryConfig, TrustRoots};
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, Credentials};
use tls_server::{https_server, test_ca};

fn config(url: &str, roots: TrustRoots) -> Config {
    Config::builder()
        .region(common::REGION)
        .credentials(Credentials::new(
            common::ACCESS_KEY_ID,
            common::SECRET,
            None,
        ))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
        .trust_roots(roots)
        .build()
}

#[tokio::test]
async fn a_ca_in_the_system_trust_directory_is_trusted_with_native_roots() {
    let store = common::TempDir::new("native-roots");
    let ca = std::fs::read_to_string(test_ca()).unwrap();
    store.write("test-ca.pem", &ca);
    std::env::remove_var("SSL_CERT_FILE");
    std::env::set_var("SSL_CERT_DIR", store.path());

    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url, TrustRoots::Native));
    common::valid_meter_usage(&client)
        .send()
        .await
        .expect("the native store vouches for the server");
    let seen = server.await.unwrap();
    assert_eq!(seen.alpn, [b"http/1.1".to_vec()]);
    let request = seen
        .request
        .expect("a request over the verified connection");
    integration_tests::verify(&request, common::SECRET).unwrap();

    // The same server is unknown to the bundled roots.
    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url, TrustRoots::Bundled));
    let error = common::valid_meter_usage(&client).send().await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    assert!(server.await.unwrap().request.is_none());
}
