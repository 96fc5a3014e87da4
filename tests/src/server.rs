//! A tiny HTTP/1.1 server on `127.0.0.1` for integration tests.
//!
//! It records every request it receives and answers each one with a [`Reply`]
//! chosen by a responder closure. It is deliberately small and strict about
//! bounds, but lenient about failure: malformed input never panics, the
//! connection is simply closed.
//!
//! ```no_run
//! # async fn demo() {
//! use integration_tests::server::{Reply, TestServer};
//!
//! let server = TestServer::always(Reply::json(200, r#"{"Result":"Success"}"#)).await;
//! // ... point the client under test at `server.url()` ...
//! let requests = server.requests().await;
//! assert_eq!(requests[0].method, "POST");
//! # }
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// The `x-amzn-RequestId` value that [`Reply::json`] sends, so tests can check
/// that the SDK surfaces it (for example in error values).
pub const REQUEST_ID: &str = "7f3c1e2a-4b5d-4c6e-8f90-123456789abc";

/// The content type of the AWS JSON 1.1 protocol, set by [`Reply::json`].
pub const AMZ_JSON_1_1: &str = "application/x-amz-json-1.1";

/// The largest request body accepted; bigger bodies get `413` and a closed
/// connection, so a runaway client cannot exhaust the test machine's memory.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The largest request head (request line plus headers) accepted.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Chooses the reply for each request. It runs on the server's tasks, so it
/// must be `Send + Sync`; it is called once per request, in arrival order per
/// connection.
pub type Responder = Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>;

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, exactly as sent (for example `POST`).
    pub method: String,
    /// The request target as sent: the path plus any `?query`.
    pub path: String,
    /// Every header in the order received, names lowercased, values with
    /// surrounding whitespace trimmed. Repeated headers appear repeatedly.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked if it was sent with `Transfer-Encoding: chunked`.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The value of the first header called `name` (compared
    /// case-insensitively), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the headers called `name` (case-insensitively), in the
    /// order received.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The body as text, with invalid UTF-8 replaced (for assertions and
    /// failure messages).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// If the body is not valid JSON; the message shows the body, since this
    /// is meant for test assertions.
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// A deliberate misbehaviour instead of a normal response, for fault tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Never answer; keep the connection open until the server is dropped.
    Hang,
    /// Close the connection without sending any response bytes.
    Close,
    /// Reset the connection (TCP RST) without sending any response bytes.
    Reset,
    /// Send the head and the first half of the body (so the reply needs a
    /// body of at least two bytes), then reset the connection.
    ResetMidBody,
    /// Send the head and the first half of the body, then send nothing more
    /// and keep the connection open until the server is dropped: a body that
    /// stalls.
    StallBody,
}

/// What the server sends back for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers sent in this order, names as given. `Content-Length` is added
    /// automatically unless present here.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Wait this long before answering (or before the fault), e.g. to trip a
    /// client's timeout with a reply that would otherwise succeed.
    pub delay: Option<Duration>,
    /// Misbehave instead of answering. `status`, `headers` and `body` are
    /// then ignored, except by [`Fault::ResetMidBody`] and
    /// [`Fault::StallBody`], which send part of them.
    pub fault: Option<Fault>,
}

impl Reply {
    /// A reply with `status`, no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            fault: None,
        }
    }

    /// An AWS JSON 1.1 reply: `status`, `body`, content type
    /// [`AMZ_JSON_1_1`] and `x-amzn-RequestId: `[`REQUEST_ID`].
    pub fn json(status: u16, body: &str) -> Self {
        Reply::new(status)
            .header("content-type", AMZ_JSON_1_1)
            .header("x-amzn-RequestId", REQUEST_ID)
            .body(body)
    }

    /// Adds a header (after those already present).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Waits `delay` before answering.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Never answers, holding the connection open until the server is dropped.
    pub fn hang() -> Self {
        Reply {
            fault: Some(Fault::Hang),
            ..Reply::new(0)
        }
    }

    /// Closes the connection without sending anything.
    pub fn close() -> Self {
        Reply {
            fault: Some(Fault::Close),
            ..Reply::new(0)
        }
    }

    /// Misbehaves with `fault`, e.g. `Reply::json(200, body).with_fault(Fault::StallBody)`.
    pub fn with_fault(mut self, fault: Fault) -> Self {
        self.fault = Some(fault);
        self
    }
}

/// An HTTP/1.1 server on `127.0.0.1` with an OS-chosen port.
///
/// Dropping it stops accepting, closes every open connection (including
/// hanging ones) and frees the port.
pub struct TestServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Logged>>>,
    /// Connections accepted so far.
    accepted: Arc<AtomicUsize>,
    accept: JoinHandle<()>,
}

/// A recorded request and the connection it came on.
#[derive(Clone, Debug)]
struct Logged {
    request: RecordedRequest,
    connection: usize,
}

impl fmt::Debug for TestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts a server that answers each request with `responder(&request)`.
    ///
    /// The port is bound before this returns, so the URL is usable at once.
    ///
    /// # Panics
    ///
    /// If binding `127.0.0.1:0` fails, or if called outside a Tokio runtime.
    pub async fn start<F>(responder: F) -> TestServer
    where
        F: Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    {
        let responder: Responder = Arc::new(responder);
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind 127.0.0.1:0 for the test server");
        let addr = listener.local_addr().expect("test server local address");
        let log = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let accept = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&log),
            Arc::clone(&accepted),
            responder,
        ));
        TestServer {
            addr,
            log,
            accepted,
            accept,
        }
    }

    /// Starts a server that answers every request with a clone of `reply`.
    pub async fn always(reply: Reply) -> TestServer {
        TestServer::start(move |_| reply.clone()).await
    }

    /// Starts a server that answers the n-th request it receives (counting
    /// from the first, across all connections) with `replies[n]`, and every
    /// request after the last with the last reply. Handy for retry tests,
    /// e.g. `[500, 500, 200]`.
    ///
    /// # Panics
    ///
    /// If `replies` is empty.
    pub async fn sequence(replies: Vec<Reply>) -> TestServer {
        assert!(!replies.is_empty(), "TestServer::sequence needs a reply");
        let next = AtomicUsize::new(0);
        TestServer::start(move |_| {
            let n = next.fetch_add(1, Ordering::SeqCst);
            replies[n.min(replies.len() - 1)].clone()
        })
        .await
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in the order their heads and bodies
    /// were fully read. A request is recorded before its reply is sent, so
    /// once a client has seen a response its request is here.
    pub async fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log)
            .iter()
            .map(|logged| logged.request.clone())
            .collect()
    }

    /// How many requests have been received so far.
    pub async fn request_count(&self) -> usize {
        lock(&self.log).len()
    }

    /// The connection each request came on, in the order of
    /// [`TestServer::requests`]: connections are numbered from 0 in the order
    /// they were accepted, so requests with the same number shared a
    /// connection (keep-alive).
    pub async fn connection_ids(&self) -> Vec<usize> {
        lock(&self.log)
            .iter()
            .map(|logged| logged.connection)
            .collect()
    }

    /// How many connections have been accepted so far, including ones that
    /// sent no complete request.
    pub fn connection_count(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The connection tasks live in a JoinSet owned by the accept task, so
        // aborting it also aborts (and closes) every connection.
        self.accept.abort();
    }
}

/// A loopback URL nothing listens on: a port is bound, then freed, so
/// connections to it are refused at once.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// Locks the log, ignoring poisoning: a panicking responder must not hide the
/// requests recorded so far from the test that wants to report them.
fn lock(log: &Mutex<Vec<Logged>>) -> std::sync::MutexGuard<'_, Vec<Logged>> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

async fn accept_loop(
    listener: TcpListener,
    log: Arc<Mutex<Vec<Logged>>>,
    accepted: Arc<AtomicUsize>,
    responder: Responder,
) {
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let connection = accepted.fetch_add(1, Ordering::SeqCst);
                // Reap finished connections so the set does not grow forever.
                while connections.try_join_next().is_some() {}
                // Responses go out in one write, but disable Nagle anyway so a
                // delayed ACK can never add latency to timing-sensitive tests.
                let _ = stream.set_nodelay(true);
                connections.spawn(serve_connection(
                    stream,
                    connection,
                    Arc::clone(&log),
                    Arc::clone(&responder),
                ));
            }
            // Transient (e.g. out of file descriptors): back off rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Why reading a request stopped.
#[derive(Debug, PartialEq, Eq)]
enum ReadError {
    /// The peer closed the connection cleanly between requests.
    Closed,
    /// The body is over [`MAX_BODY_BYTES`]; answer 413 and close.
    TooLarge,
    /// Anything else: malformed input, EOF mid-request, I/O error. Close.
    Bad,
}

/// A connection with a read buffer that survives across requests, since a
/// client may pipeline or the kernel may coalesce two requests in one read.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Reads more bytes into the buffer; EOF is an error here because callers
    /// only ask for more when they need it.
    async fn fill(&mut self) -> Result<(), ReadError> {
        self.buf.reserve(8 * 1024);
        match self.stream.read_buf(&mut self.buf).await {
            Ok(0) | Err(_) => Err(ReadError::Bad),
            Ok(_) => Ok(()),
        }
    }

    /// Removes and returns the bytes before the first `delim`, dropping the
    /// delimiter. Fails if `limit` bytes arrive without one.
    async fn take_until(&mut self, delim: &[u8], limit: usize) -> Result<Vec<u8>, ReadError> {
        let mut searched = 0;
        loop {
            if let Some(i) = find(&self.buf[searched..], delim) {
                let end = searched + i;
                let line = self.buf[..end].to_vec();
                self.buf.drain(..end + delim.len());
                return Ok(line);
            }
            if self.buf.len() > limit {
                return Err(ReadError::Bad);
            }
            // Re-scan only the tail that could hold a delimiter split by reads.
            searched = self.buf.len().saturating_sub(delim.len() - 1);
            self.fill().await?;
        }
    }

    /// Removes and returns exactly `n` bytes (the caller bounds `n`).
    async fn take_exact(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        if self.buf.len() < n {
            self.buf.reserve(n - self.buf.len());
        }
        while self.buf.len() < n {
            self.fill().await?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads the next request; `Closed` if the peer hung up before sending
    /// any byte of it.
    async fn read_request(&mut self) -> Result<Head, ReadError> {
        // RFC 9112 §2.2: ignore empty lines before a request line.
        loop {
            while self.buf.is_empty() {
                self.buf.reserve(8 * 1024);
                match self.stream.read_buf(&mut self.buf).await {
                    Ok(0) | Err(_) => return Err(ReadError::Closed),
                    Ok(_) => {}
                }
            }
            if self.buf.starts_with(b"\r\n") {
                self.buf.drain(..2);
            } else if self.buf == b"\r" {
                self.fill().await?;
            } else {
                break;
            }
        }
        let head = self.take_until(b"\r\n\r\n", MAX_HEAD_BYTES).await?;
        parse_head(&head)
    }

    /// Reads a body of `Content-Length` bytes.
    async fn read_sized_body(&mut self, len: usize) -> Result<Vec<u8>, ReadError> {
        self.take_exact(len).await
    }

    /// Reads and de-chunks a `Transfer-Encoding: chunked` body, discarding
    /// any trailer fields.
    async fn read_chunked_body(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.take_until(b"\r\n", 4096).await?;
            let size = parse_chunk_size(&line)?;
            if size == 0 {
                break;
            }
            if size > MAX_BODY_BYTES - body.len() {
                return Err(ReadError::TooLarge);
            }
            body.extend_from_slice(&self.take_exact(size).await?);
            if self.take_exact(2).await? != b"\r\n" {
                return Err(ReadError::Bad);
            }
        }
        // Trailer section: header lines up to an empty line, bounded overall.
        let mut trailer_bytes = 0;
        loop {
            let line = self.take_until(b"\r\n", MAX_HEAD_BYTES).await?;
            if line.is_empty() {
                return Ok(body);
            }
            trailer_bytes += line.len() + 2;
            if trailer_bytes > MAX_HEAD_BYTES || !line.contains(&b':') {
                return Err(ReadError::Bad);
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `chunk-size [ ; chunk-ext ]` in hex; extensions are ignored.
fn parse_chunk_size(line: &[u8]) -> Result<usize, ReadError> {
    let line = std::str::from_utf8(line).map_err(|_| ReadError::Bad)?;
    let digits = line
        .split(';')
        .next()
        .unwrap_or("")
        .trim_matches([' ', '\t']);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ReadError::Bad);
    }
    // Too many digits to fit is certainly too large; avoids overflow.
    if digits.trim_start_matches('0').len() > 8 {
        return Err(ReadError::TooLarge);
    }
    let size = usize::from_str_radix(digits, 16).map_err(|_| ReadError::Bad)?;
    if size > MAX_BODY_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(size)
}

/// How the body of a request is delimited.
#[derive(Debug, PartialEq, Eq)]
enum Framing {
    Sized(usize),
    Chunked,
}

/// A parsed request head.
#[derive(Debug)]
struct Head {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    framing: Framing,
    keep_alive: bool,
    expect_continue: bool,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b) // RFC 9110 tchar
        })
}

fn parse_head(head: &[u8]) -> Result<Head, ReadError> {
    let head = std::str::from_utf8(head).map_err(|_| ReadError::Bad)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or(ReadError::Bad)?;
    let mut parts = request_line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(ReadError::Bad),
    };
    if !is_token(method) || target.is_empty() || target.bytes().any(|b| b.is_ascii_control()) {
        return Err(ReadError::Bad);
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(ReadError::Bad),
    };

    let mut headers = Vec::new();
    for line in lines {
        // Obsolete line folding (a line starting with whitespace) is rejected,
        // as RFC 9112 allows; no modern client sends it.
        let (name, value) = line.split_once(':').ok_or(ReadError::Bad)?;
        if !is_token(name) {
            return Err(ReadError::Bad);
        }
        let value = value.trim_matches([' ', '\t']);
        if value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(ReadError::Bad);
        }
        headers.push((name.to_ascii_lowercase(), value.to_string()));
    }

    let values = |name: &'static str| list_values(&headers, name);

    // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); the only
    // framing coding we can decode is a final `chunked`.
    let framing = if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        if values("transfer-encoding").last().as_deref() != Some("chunked") {
            return Err(ReadError::Bad);
        }
        Framing::Chunked
    } else {
        let mut length: Option<u64> = None;
        for v in values("content-length") {
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ReadError::Bad);
            }
            // Absurdly long digit strings are simply too large.
            let n = v.parse::<u64>().unwrap_or(u64::MAX);
            if length.is_some_and(|l| l != n) {
                return Err(ReadError::Bad);
            }
            length = Some(n);
        }
        let length = length.unwrap_or(0);
        if length > MAX_BODY_BYTES as u64 {
            return Err(ReadError::TooLarge);
        }
        Framing::Sized(length as usize)
    };

    let connection: Vec<String> = values("connection").collect();
    let keep_alive = if http11 {
        !connection.iter().any(|v| v == "close")
    } else {
        connection.iter().any(|v| v == "keep-alive")
    };
    let expect_continue = http11 && values("expect").any(|v| v == "100-continue");

    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        framing,
        keep_alive,
        expect_continue,
    })
}

/// The comma-separated elements of every `name` header, trimmed and
/// lowercased (header names in `headers` are already lowercase).
fn list_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = String> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n == name)
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim_matches([' ', '\t']).to_ascii_lowercase())
}

const TOO_LARGE: &[u8] =
    b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

async fn serve_connection(
    stream: TcpStream,
    connection: usize,
    log: Arc<Mutex<Vec<Logged>>>,
    responder: Responder,
) {
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
    };
    loop {
        let head = match conn.read_request().await {
            Ok(head) => head,
            Err(ReadError::TooLarge) => {
                let _ = conn.stream.write_all(TOO_LARGE).await;
                return;
            }
            Err(ReadError::Closed | ReadError::Bad) => return,
        };
        // Clients that wait for the interim response before sending the body
        // would otherwise stall until their own timeout.
        if head.expect_continue
            && conn
                .stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .is_err()
        {
            return;
        }
        let body = match head.framing {
            Framing::Sized(len) => conn.read_sized_body(len).await,
            Framing::Chunked => conn.read_chunked_body().await,
        };
        let body = match body {
            Ok(body) => body,
            Err(ReadError::TooLarge) => {
                let _ = conn.stream.write_all(TOO_LARGE).await;
                return;
            }
            Err(_) => return,
        };
        let request = RecordedRequest {
            method: head.method,
            path: head.target,
            headers: head.headers,
            body,
        };
        // Record before answering, so a client that has its response can
        // rely on `requests()` including the request.
        lock(&log).push(Logged {
            request: request.clone(),
            connection,
        });
        let reply = responder(&request);

        if let Some(delay) = reply.delay {
            tokio::time::sleep(delay).await;
        }
        match reply.fault {
            // Holding `conn` keeps the socket open; the server's Drop aborts us.
            Some(Fault::Hang) => std::future::pending::<()>().await,
            Some(Fault::Close) => return,
            Some(Fault::Reset) => {
                // With a zero linger time, dropping the socket sends RST.
                let _ = conn.stream.set_zero_linger();
                return;
            }
            Some(fault @ (Fault::ResetMidBody | Fault::StallBody)) => {
                let (bytes, _) = encode_reply(&reply, &request.method, true);
                let body_len = if request.method == "HEAD" {
                    0
                } else {
                    reply.body.len()
                };
                let head_len = bytes.len() - body_len;
                let partial = &bytes[..head_len + body_len / 2];
                if conn.stream.write_all(partial).await.is_err()
                    || conn.stream.flush().await.is_err()
                {
                    return;
                }
                if fault == Fault::StallBody {
                    std::future::pending::<()>().await;
                }
                // Let the client start on the body before the reset.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = conn.stream.set_zero_linger();
                return;
            }
            None => {}
        }
        let (bytes, keep_open) = encode_reply(&reply, &request.method, head.keep_alive);
        if conn.stream.write_all(&bytes).await.is_err() || conn.stream.flush().await.is_err() {
            return;
        }
        if !keep_open {
            let _ = conn.stream.shutdown().await;
            return;
        }
    }
}

/// Serializes `reply`; also says whether the connection may carry another
/// request afterwards.
fn encode_reply(reply: &Reply, method: &str, keep_alive: bool) -> (Vec<u8>, bool) {
    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status)).into_bytes();
    let mut has_length = false;
    // A hand-set Content-Length that lies desynchronizes the stream, so the
    // connection is closed after such a reply.
    let mut honest = true;
    for (name, value) in &reply.headers {
        if name.eq_ignore_ascii_case("content-length") {
            has_length = true;
            honest &= value.trim().parse::<usize>().ok() == Some(reply.body.len());
        }
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    if !has_length {
        out.extend_from_slice(format!("content-length: {}\r\n", reply.body.len()).as_bytes());
    }
    let keep_open = keep_alive && honest;
    if !keep_open {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    // A HEAD response advertises the length but carries no body.
    if method != "HEAD" {
        out.extend_from_slice(&reply.body);
    }
    (out, keep_open)
}

/// Reason phrases for the statuses tests are likely to use; clients ignore
/// the phrase, so anything else gets a generic one.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;
    use tokio::time::timeout;

    /// A raw client that keeps unread bytes between responses.
    struct RawClient {
        stream: TcpStream,
        buf: Vec<u8>,
    }

    /// A response as read by [`RawClient`]: the head text and the body.
    struct RawResponse {
        head: String,
        body: Vec<u8>,
    }

    impl RawClient {
        async fn connect(server: &TestServer) -> RawClient {
            RawClient {
                stream: TcpStream::connect(server.addr()).await.unwrap(),
                buf: Vec::new(),
            }
        }

        async fn send(&mut self, bytes: &[u8]) {
            self.stream.write_all(bytes).await.unwrap();
        }

        /// Reads one response framed by Content-Length; `None` on EOF
        /// before any byte of it.
        async fn response(&mut self) -> Option<RawResponse> {
            let head_end = loop {
                if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                    break i;
                }
                let n = self.stream.read_buf(&mut self.buf).await.unwrap_or(0);
                if n == 0 {
                    assert!(self.buf.is_empty(), "EOF mid-response: {:?}", self.buf);
                    return None;
                }
            };
            let head = String::from_utf8(self.buf[..head_end].to_vec()).unwrap();
            self.buf.drain(..head_end + 4);
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .expect("response has content-length")
                .parse()
                .unwrap();
            while self.buf.len() < len {
                let n = self.stream.read_buf(&mut self.buf).await.unwrap();
                assert_ne!(n, 0, "EOF mid-body");
            }
            let body = self.buf.drain(..len).collect();
            Some(RawResponse { head, body })
        }

        /// True if the server closes the connection (EOF or reset) within 5s
        /// without sending anything more.
        async fn closed(&mut self) -> bool {
            let mut byte = [0u8; 1];
            matches!(
                timeout(Duration::from_secs(5), self.stream.read(&mut byte)).await,
                Ok(Ok(0) | Err(_))
            )
        }
    }

    #[tokio::test]
    async fn keep_alive_sized_then_chunked() {
        let server = TestServer::start(|req| {
            Reply::json(200, &format!(r#"{{"n":{}}}"#, req.body.len())).header("x-extra", "yes")
        })
        .await;
        let mut client = RawClient::connect(&server).await;

        client
            .send(
                b"POST /?a=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Svc.Op\r\n\
                  Content-Type: application/x-amz-json-1.1\r\nContent-Length: 13\r\n\r\n\
                  {\"Key\":\"v1\"}\n",
            )
            .await;
        let first = client.response().await.unwrap();
        let expected_head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amzn-RequestId: {REQUEST_ID}\r\nx-extra: yes\r\ncontent-length: 8"
        );
        assert_eq!(first.head, expected_head);
        assert_eq!(first.body, br#"{"n":13}"#);

        // Same connection: a chunked body with an extension and a trailer.
        client
            .send(
                b"PUT /chunked HTTP/1.1\r\nhost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                  5;ext=1\r\nhello\r\nA\r\n, world!!!\r\n0\r\nx-trailer: t\r\n\r\n",
            )
            .await;
        let second = client.response().await.unwrap();
        assert!(second.head.starts_with("HTTP/1.1 200 OK\r\n"));
        assert_eq!(second.body, br#"{"n":15}"#);

        let requests = server.requests().await;
        assert_eq!(requests.len(), 2);
        let r0 = &requests[0];
        assert_eq!(r0.method, "POST");
        assert_eq!(r0.path, "/?a=1");
        assert_eq!(
            r0.headers,
            vec![
                ("host".to_string(), "127.0.0.1".to_string()),
                ("x-amz-target".to_string(), "Svc.Op".to_string()),
                (
                    "content-type".to_string(),
                    "application/x-amz-json-1.1".to_string()
                ),
                ("content-length".to_string(), "13".to_string()),
            ]
        );
        assert_eq!(r0.header("X-AMZ-TARGET"), Some("Svc.Op"));
        assert_eq!(r0.header("missing"), None);
        assert_eq!(r0.body_json(), serde_json::json!({"Key": "v1"}));
        let r1 = &requests[1];
        assert_eq!((r1.method.as_str(), r1.path.as_str()), ("PUT", "/chunked"));
        assert_eq!(r1.body, b"hello, world!!!");
        assert_eq!(r1.body_text(), "hello, world!!!");
    }

    #[tokio::test]
    async fn pipelined_requests_in_one_write() {
        let server = TestServer::always(Reply::new(204)).await;
        let mut client = RawClient::connect(&server).await;
        client
            .send(b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
            .await;
        for _ in 0..2 {
            let resp = client.response().await.unwrap();
            assert_eq!(resp.head, "HTTP/1.1 204 No Content\r\ncontent-length: 0");
        }
        let paths: Vec<String> = server
            .requests()
            .await
            .into_iter()
            .map(|r| r.path)
            .collect();
        assert_eq!(paths, ["/1", "/2"]);
    }

    #[tokio::test]
    async fn repeated_headers_are_all_kept() {
        let server = TestServer::always(Reply::new(200)).await;
        let mut client = RawClient::connect(&server).await;
        client
            .send(b"GET / HTTP/1.1\r\nX-A:  1 \r\nx-a:\t2\r\n\r\n")
            .await;
        client.response().await.unwrap();
        let req = &server.requests().await[0];
        assert_eq!(req.header("x-a"), Some("1"));
        assert_eq!(req.header_all("X-A"), ["1", "2"]);
    }

    #[tokio::test]
    async fn sequence_repeats_last_reply() {
        let server = TestServer::sequence(vec![Reply::new(500), Reply::new(200)]).await;
        let mut client = RawClient::connect(&server).await;
        let mut statuses = Vec::new();
        for _ in 0..3 {
            client.send(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n").await;
            statuses.push(client.response().await.unwrap().head[9..12].to_string());
        }
        assert_eq!(statuses, ["500", "200", "200"]);
        assert_eq!(server.request_count().await, 3);
    }

    #[tokio::test]
    async fn connection_close_and_http10_close_after_reply() {
        let server = TestServer::always(Reply::new(200).body("ok")).await;
        let mut client = RawClient::connect(&server).await;
        client
            .send(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
            .await;
        let resp = client.response().await.unwrap();
        assert!(resp.head.ends_with("connection: close"), "{}", resp.head);
        assert_eq!(resp.body, b"ok");
        assert!(client.closed().await);

        let mut client = RawClient::connect(&server).await;
        client.send(b"GET / HTTP/1.0\r\n\r\n").await;
        assert_eq!(client.response().await.unwrap().body, b"ok");
        assert!(client.closed().await);
    }

    #[tokio::test]
    async fn head_response_has_length_but_no_body() {
        let server = TestServer::always(Reply::new(200).body("12345")).await;
        let mut client = RawClient::connect(&server).await;
        client.send(b"HEAD / HTTP/1.1\r\n\r\n").await;
        let mut got = Vec::new();
        let _ = timeout(
            Duration::from_millis(300),
            client.stream.read_to_end(&mut got),
        )
        .await;
        assert_eq!(got, b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n");
    }

    #[tokio::test]
    async fn lying_content_length_is_sent_then_connection_closed() {
        let reply = Reply::new(200).header("Content-Length", "10").body("abc");
        let server = TestServer::always(reply).await;
        let mut client = RawClient::connect(&server).await;
        client.send(b"GET / HTTP/1.1\r\n\r\n").await;
        let mut got = Vec::new();
        timeout(Duration::from_secs(5), client.stream.read_to_end(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            got,
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nconnection: close\r\n\r\nabc"
        );
    }

    #[tokio::test]
    async fn expect_continue_gets_interim_response() {
        let server = TestServer::always(Reply::new(200)).await;
        let mut client = RawClient::connect(&server).await;
        client
            .send(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            .await;
        let interim = client.response_head_only().await;
        assert_eq!(interim, "HTTP/1.1 100 Continue");
        client.send(b"hi").await;
        assert!(client
            .response()
            .await
            .unwrap()
            .head
            .starts_with("HTTP/1.1 200"));
        assert_eq!(server.requests().await[0].body, b"hi");
    }

    impl RawClient {
        /// Reads a head with no body (for the 100 Continue interim response).
        async fn response_head_only(&mut self) -> String {
            loop {
                if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                    let head = String::from_utf8(self.buf[..i].to_vec()).unwrap();
                    self.buf.drain(..i + 4);
                    return head;
                }
                let n = self.stream.read_buf(&mut self.buf).await.unwrap();
                assert_ne!(n, 0);
            }
        }
    }

    #[tokio::test]
    async fn close_fault_sends_nothing_but_records() {
        let server = TestServer::always(Reply::close()).await;
        let mut client = RawClient::connect(&server).await;
        client
            .send(b"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx")
            .await;
        assert!(client.response().await.is_none());
        assert_eq!(server.requests().await[0].body, b"x");
    }

    #[tokio::test]
    async fn hang_holds_connection_until_drop() {
        let server = TestServer::start(|req| {
            if req.path == "/hang" {
                Reply::hang()
            } else {
                Reply::new(200)
            }
        })
        .await;
        let mut hung = RawClient::connect(&server).await;
        hung.send(b"GET /hang HTTP/1.1\r\n\r\n").await;
        let mut byte = [0u8; 1];
        let waited = timeout(Duration::from_millis(200), hung.stream.read(&mut byte)).await;
        assert!(waited.is_err(), "a hanging reply must not answer");

        // Other connections are still served concurrently.
        let mut other = RawClient::connect(&server).await;
        other.send(b"GET /ok HTTP/1.1\r\n\r\n").await;
        assert!(other.response().await.is_some());

        let addr = server.addr();
        drop(server);
        assert!(hung.closed().await, "drop must close hanging connections");
        assert!(other.closed().await, "drop must close idle connections");

        // The listener goes away too; aborting is asynchronous, so poll.
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(addr).await.is_ok() {
            assert!(Instant::now() < deadline, "listener still accepting");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn connection_ids_tell_connections_apart() {
        let server = TestServer::always(Reply::new(200)).await;
        let mut first = RawClient::connect(&server).await;
        first.send(b"GET /a HTTP/1.1\r\n\r\n").await;
        first.response().await.unwrap();
        let mut second = RawClient::connect(&server).await;
        second.send(b"GET /b HTTP/1.1\r\n\r\n").await;
        second.response().await.unwrap();
        first.send(b"GET /c HTTP/1.1\r\n\r\n").await;
        first.response().await.unwrap();
        assert_eq!(server.connection_ids().await, [0, 1, 0]);
        assert_eq!(server.connection_count(), 2);
    }

    #[tokio::test]
    async fn reset_faults_send_rst() {
        let server = TestServer::start(|req| {
            let reply = Reply::new(200).body("0123456789");
            match req.path.as_str() {
                "/reset" => Reply::new(200).with_fault(Fault::Reset),
                "/mid" => reply.with_fault(Fault::ResetMidBody),
                _ => reply.with_fault(Fault::StallBody),
            }
        })
        .await;
        let mut client = RawClient::connect(&server).await;
        client.send(b"GET /reset HTTP/1.1\r\n\r\n").await;
        let mut got = Vec::new();
        let read = timeout(Duration::from_secs(5), client.stream.read_to_end(&mut got))
            .await
            .unwrap();
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(
            read.unwrap_err().kind(),
            std::io::ErrorKind::ConnectionReset
        );

        // Half the body, then a reset.
        let mut client = RawClient::connect(&server).await;
        client.send(b"GET /mid HTTP/1.1\r\n\r\n").await;
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        let end = loop {
            match timeout(Duration::from_secs(5), client.stream.read(&mut buf))
                .await
                .unwrap()
            {
                Ok(0) => break None,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(error) => break Some(error.kind()),
            }
        };
        assert_eq!(end, Some(std::io::ErrorKind::ConnectionReset));
        assert!(
            got.ends_with(b"content-length: 10\r\n\r\n01234"),
            "{:?}",
            String::from_utf8_lossy(&got)
        );

        // Half the body, then nothing: the connection stays open.
        let mut client = RawClient::connect(&server).await;
        client.send(b"GET /stall HTTP/1.1\r\n\r\n").await;
        let mut got = Vec::new();
        let stalled = timeout(Duration::from_millis(300), async {
            loop {
                let n = client.stream.read(&mut buf).await.unwrap();
                assert_ne!(n, 0, "closed instead of stalling");
                got.extend_from_slice(&buf[..n]);
            }
        })
        .await;
        assert!(stalled.is_err());
        assert!(got.ends_with(b"\r\n\r\n01234"), "{got:?}");
    }

    #[tokio::test]
    async fn delayed_reply_waits() {
        let server = TestServer::always(Reply::new(200).delayed(Duration::from_millis(150))).await;
        let mut client = RawClient::connect(&server).await;
        let start = Instant::now();
        client.send(b"GET / HTTP/1.1\r\n\r\n").await;
        client.response().await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn oversized_bodies_get_413() {
        let server = TestServer::always(Reply::new(200)).await;
        let mut client = RawClient::connect(&server).await;
        let head = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        );
        client.send(head.as_bytes()).await;
        let resp = client.response().await.unwrap();
        assert!(resp.head.starts_with("HTTP/1.1 413 "), "{}", resp.head);
        assert!(client.closed().await);

        let mut client = RawClient::connect(&server).await;
        client
            .send(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000001\r\n")
            .await;
        assert!(client
            .response()
            .await
            .unwrap()
            .head
            .starts_with("HTTP/1.1 413 "));
        assert_eq!(server.request_count().await, 0);
    }

    #[tokio::test]
    async fn malformed_input_closes_connection_and_server_survives() {
        let server = TestServer::always(Reply::new(200)).await;
        let bad: &[&[u8]] = &[
            b"garbage\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\n folded: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
            b"\xff\xfe / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        ];
        for input in bad {
            let mut client = RawClient::connect(&server).await;
            client.send(input).await;
            let mut got = Vec::new();
            let read = timeout(Duration::from_secs(5), client.stream.read_to_end(&mut got)).await;
            assert!(
                read.is_ok(),
                "not closed for {:?}",
                String::from_utf8_lossy(input)
            );
            // Only the over-long Content-Length earns a reply (413).
            assert!(
                got.is_empty() || got.starts_with(b"HTTP/1.1 413"),
                "{:?}",
                String::from_utf8_lossy(&got)
            );
        }
        // A head that never ends is cut off at the bound.
        let mut client = RawClient::connect(&server).await;
        client.send(b"GET / HTTP/1.1\r\n").await;
        let filler = vec![b'a'; MAX_HEAD_BYTES + 10];
        let _ = client.stream.write_all(&filler).await;
        assert!(client.closed().await);

        // Still alive and nothing was recorded.
        assert_eq!(server.request_count().await, 0);
        let mut client = RawClient::connect(&server).await;
        client.send(b"\r\nGET / HTTP/1.1\r\n\r\n").await;
        assert!(client.response().await.is_some());
    }

    #[test]
    fn json_reply_sets_protocol_headers() {
        let reply = Reply::json(400, "{}");
        assert_eq!(reply.status, 400);
        assert_eq!(
            reply.headers,
            vec![
                ("content-type".to_string(), AMZ_JSON_1_1.to_string()),
                ("x-amzn-RequestId".to_string(), REQUEST_ID.to_string()),
            ]
        );
        assert_eq!(reply.body, b"{}");
        assert_eq!(Reply::hang().fault, Some(Fault::Hang));
        assert_eq!(Reply::close().fault, Some(Fault::Close));
    }

    #[test]
    #[should_panic(expected = "request body is not JSON")]
    fn body_json_panics_with_the_body() {
        RecordedRequest {
            method: "POST".into(),
            path: "/".into(),
            headers: vec![],
            body: b"nope".to_vec(),
        }
        .body_json();
    }
}
