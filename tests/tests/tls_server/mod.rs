//! A one-connection HTTPS server on 127.0.0.1 whose certificate for that address is
//! issued by a test-only CA (`tests/data/test-ca.pem`; the server's certificate and
//! key are `tests/data/test-server-*.der`), which no bundled root knows. Shared by
//! `all/tls.rs` and `native_roots.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use integration_tests::RecordedRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::Acceptor;
use tokio_rustls::LazyConfigAcceptor;

const CERT: &[u8] = include_bytes!("../../data/test-server-cert.der");
const KEY: &[u8] = include_bytes!("../../data/test-server-key.der");

/// The test-only CA that issued the server's certificate.
pub fn test_ca() -> PathBuf {
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
pub struct Seen {
    pub alpn: Vec<Vec<u8>>,
    pub request: Option<RecordedRequest>,
}

/// A one-connection HTTPS server answering `200 {}`; its URL and what it saw.
pub async fn https_server() -> (String, JoinHandle<Seen>) {
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
