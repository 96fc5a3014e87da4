//! A small HTTP/1.1 server on 127.0.0.1: keep-alive, `Content-Length` bodies, bounded reads.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::service::Service;
use crate::wire::{Reply, Request};

/// The largest request head (request line and headers) read.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest body read: the service's documented 1 MB request limit, rounded up.
const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A connection that sends nothing for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts connections until the task is aborted; each one is served on a task of its own,
/// aborted with the accept loop.
pub(crate) async fn serve(listener: TcpListener, service: Arc<Service>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = service.clone();
                    connections.spawn(async move { serve_connection(stream, service).await });
                }
                // Out of file descriptors or the like: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(mut stream: TcpStream, service: Arc<Service>) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let request =
            match tokio::time::timeout(IDLE_TIMEOUT, read_request(&mut stream, &mut buf)).await {
                Ok(Ok(Some(request))) => request,
                Ok(Err(status)) => {
                    let _ = write_response(&mut stream, status, None, "", true).await;
                    return;
                }
                Ok(Ok(None)) | Err(_) => return,
            };
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        match service.handle(request).await {
            Reply::Reset => {
                // SO_LINGER 0: closing sends RST instead of FIN.
                let _ = stream.set_zero_linger();
                return;
            }
            Reply::Response {
                status,
                error_type,
                body,
            } => {
                if write_response(&mut stream, status, error_type.as_deref(), &body, close)
                    .await
                    .is_err()
                    || close
                {
                    return;
                }
            }
        }
    }
}

/// Reads one request; `Ok(None)` when the peer closed the connection between requests, `Err`
/// with the status to answer for a request that cannot be read.
async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Option<Request>, u16> {
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD_BYTES {
            return Err(431);
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(_version)) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Err(400);
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(400);
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Err(411);
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| 400u16)?,
    };
    if length > MAX_BODY_BYTES {
        return Err(413);
    }
    if request
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        && buf.len() - (head_end + 4) < length
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
    }
    let body_start = head_end + 4;
    while buf.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    request.body = buf[body_start..body_start + length].to_vec();
    buf.drain(..body_start + length);
    Ok(Some(request))
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    error_type: Option<&str>,
    body: &str,
    close: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        411 => "Length Required",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nx-amzn-RequestId: {}\r\n",
        body.len(),
        crate::service::random_uuid()
    );
    if let Some(error_type) = error_type {
        head.push_str(&format!("x-amzn-ErrorType: {error_type}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    stream.write_all(&bytes).await?;
    stream.flush().await
}
