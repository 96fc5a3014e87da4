//! A minimal keep-alive HTTP/1.1 server on 127.0.0.1 that answers every awsJson request with a
//! fixed body chosen by its `X-Amz-Target` (see `bench_common::fixtures`).
//!
//! `bench-server [--port P] [--max-seconds S]` prints `LISTENING 127.0.0.1:PORT` on stdout,
//! serves one thread per connection, and exits when its standard input closes (the runner
//! holds it open) or after S seconds (default 3600), whichever comes first. It does not check
//! signatures: it stands in for the service so the clients' own cost can be measured.

use bench_common::{fixtures, number, Op};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Requests with a bigger head or body are refused and the connection closed.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 1024 * 1024;

fn main() {
    let mut port: u16 = 0;
    let mut max_seconds: u64 = 3600;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let parsed = match flag.as_str() {
            "--port" => number(&flag, &value).map(|v| port = v),
            "--max-seconds" => number(&flag, &value).map(|v| max_seconds = v),
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(problem) = parsed {
            eprintln!("bench-server: {problem}\nusage: bench-server [--port P] [--max-seconds S]");
            std::process::exit(2);
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|error| {
        eprintln!("bench-server: cannot listen on 127.0.0.1:{port}: {error}");
        std::process::exit(1);
    });
    let address = listener.local_addr().expect("local address");
    println!("LISTENING {address}");
    io::stdout().flush().ok();

    // Stop when whoever started us goes away, or at the deadline.
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(max_seconds));
        eprintln!("bench-server: {max_seconds} s are up, exiting");
        std::process::exit(0);
    });

    let responses = Responses::new();
    let responses: &'static Responses = Box::leak(Box::new(responses));
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                std::thread::spawn(move || {
                    let _ = serve(stream, responses);
                });
            }
            Err(error) => eprintln!("bench-server: accept failed: {error}"),
        }
    }
}

/// Every response, head and body, encoded once.
struct Responses {
    by_op: Vec<(Op, Vec<u8>)>,
    unknown: Vec<u8>,
}

impl Responses {
    fn new() -> Responses {
        Responses {
            by_op: Op::ALL
                .into_iter()
                .map(|op| (op, encode("200 OK", &fixtures::response_body(op))))
                .collect(),
            unknown: encode("400 Bad Request", fixtures::UNKNOWN_OPERATION_BODY),
        }
    }

    fn for_target(&self, target: Option<&str>) -> &[u8] {
        target
            .and_then(Op::from_target)
            .and_then(|op| self.by_op.iter().find(|(o, _)| *o == op))
            .map_or(&self.unknown, |(_, bytes)| bytes)
    }
}

fn encode(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nx-amzn-RequestId: {}\r\nContent-Length: {}\r\n\r\n{body}",
        fixtures::CONTENT_TYPE,
        fixtures::REQUEST_ID,
        body.len()
    )
    .into_bytes()
}

/// Serves one connection until the client closes it, asks to, or sends something we refuse.
fn serve(stream: TcpStream, responses: &Responses) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        // Request line; tolerate blank lines between requests.
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line.trim().is_empty() {
            continue;
        }
        let mut head_bytes = line.len();
        let mut content_length = 0usize;
        let mut chunked = false;
        let mut close = false;
        let mut target: Option<String> = None;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            head_bytes += line.len();
            if head_bytes > MAX_HEAD_BYTES {
                return refuse(&mut writer, "431 Request Header Fields Too Large");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                return refuse(&mut writer, "400 Bad Request");
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                match value.parse() {
                    Ok(n) => content_length = n,
                    Err(_) => return refuse(&mut writer, "400 Bad Request"),
                }
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            } else if name.eq_ignore_ascii_case("x-amz-target") {
                target = Some(value.to_owned());
            }
        }
        body.clear();
        if chunked {
            read_chunked(&mut reader, &mut body, &mut line)?;
        } else {
            if content_length > MAX_BODY_BYTES {
                return refuse(&mut writer, "413 Payload Too Large");
            }
            body.resize(content_length, 0);
            reader.read_exact(&mut body)?;
        }
        writer.write_all(responses.for_target(target.as_deref()))?;
        if close {
            return Ok(());
        }
    }
}

fn read_chunked(
    reader: &mut BufReader<TcpStream>,
    body: &mut Vec<u8>,
    line: &mut String,
) -> io::Result<()> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    loop {
        line.clear();
        reader.read_line(line)?;
        let size_text = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_text, 16).map_err(|_| invalid("bad chunk size"))?;
        if body.len() + size > MAX_BODY_BYTES {
            return Err(invalid("body too large"));
        }
        if size == 0 {
            // Trailers, then the blank line.
            loop {
                line.clear();
                if reader.read_line(line)? == 0 || line.trim().is_empty() {
                    return Ok(());
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        line.clear();
        reader.read_line(line)?; // the CRLF after the chunk
    }
}

fn refuse(writer: &mut TcpStream, status: &str) -> io::Result<()> {
    let response = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    writer.write_all(response.as_bytes())
}
