//! A fake Metering Service behind the client's HTTP seam: a closure answers each call from
//! its operation name and JSON body, and every call is kept for assertions.

#![allow(dead_code)]

use marketplace_metering::config::transport::{HttpClient, HttpFuture, HttpRequest};
use marketplace_metering::config::RetryConfig;
use marketplace_metering::{Client, Config, Credentials};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An answer: HTTP status and JSON body (an error is `{"__type": "...", "message": ".."}`).
pub type Answer = (u16, Value);

type Handler = dyn Fn(usize, &str, &Value) -> Answer + Send + Sync;

/// The fake service; clone it to keep a handle on its calls.
#[derive(Clone)]
pub struct Fake {
    handler: Arc<Handler>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// One call the fake answered.
#[derive(Clone, Debug)]
pub struct Call {
    pub operation: String,
    pub body: Value,
    pub at: tokio::time::Instant,
}

impl std::fmt::Debug for Fake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fake")
    }
}

impl Fake {
    /// A fake answering with `handler(call number from 0, operation, body)`.
    pub fn new(handler: impl Fn(usize, &str, &Value) -> Answer + Send + Sync + 'static) -> Self {
        Fake {
            handler: Arc::new(handler),
            calls: Arc::default(),
        }
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// A client sending to this fake, without retries of its own.
    pub fn client(&self) -> Client {
        Client::from_conf(
            Config::builder()
                .region("us-east-1")
                .credentials(Credentials::new("AKID", "SECRET", None))
                .retry_config(RetryConfig::disabled())
                .attempt_timeout(Duration::from_secs(5))
                .http_client(self.clone())
                .build(),
        )
    }
}

impl HttpClient for Fake {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('.').next())
            .unwrap_or("")
            .to_owned();
        let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
        let number = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(Call {
                operation: operation.clone(),
                body: body.clone(),
                at: tokio::time::Instant::now(),
            });
            calls.len() - 1
        };
        let (status, answer) = (self.handler)(number, &operation, &body);
        Box::pin(async move {
            Ok(http::Response::builder()
                .status(status)
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amzn-requestid", format!("req-{number}"))
                .body(answer.to_string().into_bytes())
                .unwrap())
        })
    }
}

/// An error answer.
pub fn error(status: u16, code: &str) -> Answer {
    (
        status,
        serde_json::json!({"__type": code, "message": format!("{code} from the fake")}),
    )
}
