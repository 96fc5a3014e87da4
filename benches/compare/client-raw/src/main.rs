//! The floor: builds one awsJson request, signs it once with SigV4 (aws-sigv4, whose output the
//! lean runtime's own signer matches byte for byte), then writes the same bytes over one keep-alive
//! TCP connection for every call and reads the response head and body. No SDK, no HTTP library,
//! no JSON parsing: whatever a client spends above this is its own overhead.

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use bench_common::{fixtures, ClientArgs};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::SystemTime;

fn main() {
    let args = ClientArgs::from_process();
    let authority = bench_common::authority(&args.url).unwrap_or_else(|e| fail(&e));
    let request = signed_request(&args, authority);
    let mut stream = TcpStream::connect(authority).unwrap_or_else(|e| fail(&e.to_string()));
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let mut buffer = Vec::with_capacity(8 * 1024);
    let measurement = bench_common::measure_blocking("raw", &args, || {
        stream.write_all(&request).expect("write the request");
        let body = read_response(&mut stream, &mut buffer);
        assert!(body > 0, "empty response body");
    });
    measurement.report();
}

/// The whole request, head and body, with the SigV4 headers of one signature.
fn signed_request(args: &ClientArgs, authority: &str) -> Vec<u8> {
    let body = fixtures::request_body(args.op, bench_common::epoch_seconds());
    let target = format!("{}.{}", fixtures::TARGET_PREFIX, args.op.name());
    let url = format!("http://{authority}/");
    let headers = [
        ("content-type", fixtures::CONTENT_TYPE),
        ("x-amz-target", target.as_str()),
    ];
    let identity = aws_credential_types::Credentials::new(
        fixtures::ACCESS_KEY_ID,
        fixtures::SECRET_ACCESS_KEY,
        None,
        None,
        "client-raw",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(fixtures::REGION)
        .name(fixtures::SIGNING_NAME)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        "POST",
        &url,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable request");
    let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
        .expect("sign")
        .into_parts();
    let (signed_headers, _query) = instructions.into_parts();

    let mut head = format!("POST / HTTP/1.1\r\nhost: {authority}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    for header in &signed_headers {
        head.push_str(&format!("{}: {}\r\n", header.name(), header.value()));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut request = head.into_bytes();
    request.extend_from_slice(body.as_bytes());
    request
}

/// Reads one response: the head up to the blank line, then `Content-Length` bytes of body.
/// Returns the body's length; panics on anything but a 200.
fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> usize {
    buffer.clear();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).expect("read the response");
        assert!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buffer[..head_end]).expect("an ASCII head");
    assert!(
        head.starts_with("HTTP/1.1 200"),
        "unexpected response: {}",
        head.lines().next().unwrap_or("")
    );
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("a Content-Length");
    while buffer.len() < head_end + length {
        let n = stream.read(&mut chunk).expect("read the body");
        assert!(n > 0, "the server closed the connection");
        buffer.extend_from_slice(&chunk[..n]);
    }
    length
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn fail(problem: &str) -> ! {
    eprintln!("client-raw: {problem}");
    std::process::exit(1);
}
