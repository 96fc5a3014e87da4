//! Test doubles for code that calls AWS through this SDK (feature `test-util`).
//!
//! Two levels, as a seller's tests need them:
//!
//! - **Mocks** ([`mock!`], [`Rule`]): answer an operation with an output or an
//!   error chosen by the test, matched on the typed input, with no HTTP at all.
//!   `Config::builder().mock_rules([..])`; a rule counts its calls.
//! - **Replay** ([`ReplayClient`]): an [`HttpClient`](crate::transport::HttpClient)
//!   that answers from a script of expected requests and canned responses, so
//!   a test also checks what went over the wire (signed, serialized), still
//!   with no socket. `Config::builder().http_client(replay.clone())`.
//!
//! ```
//! use marketplace_sdk_runtime::test_util::{ReplayClient, ReplayEvent};
//!
//! let replay = ReplayClient::new(vec![ReplayEvent::new(
//!     http::Request::post("https://metering.marketplace.us-east-1.amazonaws.com/")
//!         .header("x-amz-target", "AWSMPMeteringService.MeterUsage")
//!         .body(br#"{"ProductCode":"prod-1"}"#.to_vec())
//!         .unwrap(),
//!     http::Response::builder()
//!         .status(200)
//!         .body(br#"{"MeteringRecordId":"record-1"}"#.to_vec())
//!         .unwrap(),
//! )]);
//! // ... Config::builder().http_client(replay.clone()) ... make the calls ...
//! // replay.assert_requests_match(&[]);
//! ```

mod mock;
mod replay;

pub use crate::mock;
pub use mock::{mock_operation, MockRules, Rule, RuleBuilder, Sequence};
pub use replay::{Recorded, ReplayClient, ReplayEvent, VOLATILE_HEADERS};
