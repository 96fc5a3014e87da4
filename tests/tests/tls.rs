//! HTTPS: the client speaks TLS through rustls with the ring provider, offers
//! HTTP/1.1 by ALPN, and refuses a server whose certificate no bundled root
//! vouches for, with an error that says so.
//!
//! The server is a rustls server on 127.0.0.1 with a self-signed certificate for
//! that address (`tests/data/untrusted-server-*.der`, test-only, trusted by
//! nothing), so the handshake must fail at the client's certificate check.

mod common;

use std::sync::Arc;

use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, Credentials};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::LazyConfigAcceptor;

const CERT: &[u8] = include_bytes!("../data/untrusted-server-cert.der");
const KEY: &[u8] = include_bytes!("../data/untrusted-server-key.der");

/// What the server saw of the client's hello.
#[derive(Debug)]
struct Hello {
    alpn: Vec<Vec<u8>>,
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_after_an_http1_tls_hello() {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(CERT)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY)),
        )
        .unwrap();
    let server_config = Arc::new(server_config);

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let (hello_tx, hello_rx) = oneshot::channel();
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let start = LazyConfigAcceptor::new(Acceptor::default(), stream)
            .await
            .unwrap();
        let alpn = start
            .client_hello()
            .alpn()
            .map(|protocols| protocols.map(<[u8]>::to_vec).collect())
            .unwrap_or_default();
        hello_tx.send(Hello { alpn }).unwrap();
        // The client aborts the handshake when it sees the certificate.
        start.into_stream(server_config).await.err()
    });

    let config = Config::builder()
        .region(common::REGION)
        .credentials(Credentials::new(
            common::ACCESS_KEY_ID,
            common::SECRET,
            None,
        ))
        .endpoint_url(&url)
        .retry_config(RetryConfig::disabled())
        .build();
    let error = common::valid_meter_usage(&Client::from_conf(config))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("certificate"), "names the cause: {text}");

    let hello = hello_rx.await.unwrap();
    assert_eq!(hello.alpn, [b"http/1.1".to_vec()], "{hello:?}");
    let server_side = server.await.unwrap();
    assert!(server_side.is_some(), "the handshake did not complete");
}
