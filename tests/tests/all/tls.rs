//! HTTPS: the client speaks TLS through rustls with the ring provider and offers
//! HTTP/1.1 by ALPN; it refuses a server whose certificate no bundled root vouches
//! for, with an error that says so; and with a CA bundle configured it trusts
//! that bundle's authorities, end to end.
//!
//! The server is a rustls server on 127.0.0.1 whose certificate for that address
//! is issued by a test-only CA (`tests/data/test-ca.pem`; the server's
//! certificate and key are `tests/data/test-server-*.der`), which no bundled root
//! knows.

use std::path::PathBuf;
use std::sync::Arc;

use crate::common;
use integration_tests::{verify, RecordedRequest};
use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, Credentials};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::LazyConfigAcceptor;

const CERT: &[u8] = include_bytes!("../../data/test-server-cert.der");
const KEY: &[u8] = include_bytes!("../../data/test-server-key.der");

fn test_ca() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/test-ca.pem")
}

fn server_config() -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(CERT)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY)),
        )
        .unwrap();
    Arc::new(config)
}

/// What the server saw: the ALPN protocols of the client's hello, and the request
/// if the handshake completed.
#[derive(Debug)]
struct Seen {
    alpn: Vec<Vec<u8>>,
    request: Option<RecordedRequest>,
}

/// A one-connection HTTPS server answering `200 {}`; its URL and what it saw.
async fn https_server() -> (String, JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
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
        // An untrusting client aborts the handshake when it sees the certificate.
        let Ok(mut tls) = start.into_stream(server_config()).await else {
            return Seen {
                alpn,
                request: None,
            };
        };
        let request = read_request(&mut tls).await;
        let body = "{}";
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amzn-requestid: tls-1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(reply.as_bytes()).await.unwrap();
        tls.flush().await.unwrap();
        Seen {
            alpn,
            request: Some(request),
        }
    });
    (url, server)
}

/// One HTTP/1.1 request with a `content-length` body.
async fn read_request(stream: &mut (impl AsyncReadExt + Unpin)) -> RecordedRequest {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed before a whole request");
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8(data[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap().split(' ');
    let method = request_line.next().unwrap().to_owned();
    let path = request_line.next().unwrap().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map_or(0, |(_, value)| value.parse().unwrap());
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed before the whole body");
        data.extend_from_slice(&buf[..n]);
    }
    RecordedRequest {
        method,
        path,
        headers,
        body: data[head_end..head_end + length].to_vec(),
    }
}

fn config(url: &str) -> marketplace_metering::config::ConfigBuilder {
    Config::builder()
        .region(common::REGION)
        .credentials(Credentials::new(
            common::ACCESS_KEY_ID,
            common::SECRET,
            None,
        ))
        .endpoint_url(url)
        .retry_config(RetryConfig::disabled())
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_after_an_http1_tls_hello() {
    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url).build());
    let error = common::valid_meter_usage(&client).send().await.unwrap_err();
    assert!(matches!(error, SdkError::Transport(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("certificate"), "names the cause: {text}");

    let seen = server.await.unwrap();
    assert_eq!(seen.alpn, [b"http/1.1".to_vec()], "{seen:?}");
    assert!(seen.request.is_none(), "the handshake did not complete");
}

#[tokio::test]
async fn a_ca_bundle_is_trusted_instead_of_the_bundled_roots() {
    let (url, server) = https_server().await;
    let client = Client::from_conf(config(&url).ca_bundle(test_ca()).build());
    let output = client
        .resolve_customer()
        .registration_token("token")
        .send()
        .await
        .unwrap();
    assert_eq!(output.customer_identifier(), None);

    let seen = server.await.unwrap();
    let request = seen
        .request
        .expect("a request over the verified connection");
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/")
    );
    assert_eq!(request.header("host"), Some(&url["https://".len()..]));
    verify(&request, common::SECRET).unwrap();
}

#[tokio::test]
async fn an_unusable_ca_bundle_is_a_config_error_naming_it() {
    let dir = common::TempDir::new("ca-bundle");
    let not_pem = dir.write("not-pem.txt", "this is not a certificate\n");
    let missing = dir.path().join("missing.pem");
    for (path, problem) in [
        (PathBuf::from(&not_pem), "has no certificates"),
        (missing.clone(), "cannot be read"),
    ] {
        // Nothing listens there: the error comes before any connection.
        let client = Client::from_conf(config("https://127.0.0.1:9").ca_bundle(&path).build());
        let error = common::valid_meter_usage(&client).send().await.unwrap_err();
        assert!(matches!(error, SdkError::Config(_)), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(text.contains("Config::builder().ca_bundle(..)"), "{text}");
        assert!(text.contains(problem), "{text}");
    }
}
