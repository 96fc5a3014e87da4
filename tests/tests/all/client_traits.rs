//! The client as a value: secrets stay out of `Debug`, and it is `Clone +
//! Send + Sync` so clones can be shared across tasks.
//!
//! Connection-pool sharing between clones is not tested here: the test server
//! records requests but not which connection carried them, so reuse of one TCP
//! connection cannot be observed from the tests.

use std::time::SystemTime;

use crate::common::{self, client};
use integration_tests::{Reply, TestServer};
use marketplace_metering::operation::resolve_customer::ResolveCustomerInput;
use marketplace_metering::{Client, Config, Credentials};

const SECRET_KEY: &str = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKENvalue";
const REGISTRATION_TOKEN: &str = "x-amz-marketplace-token-REGISTRATIONSECRET";

fn assert_hidden(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} leaked into: {text}");
    }
}

#[tokio::test]
async fn resolve_customer_debug_hides_the_registration_token() {
    let builder = ResolveCustomerInput::builder().registration_token(REGISTRATION_TOKEN);
    assert_hidden(&format!("{builder:?}"), &[REGISTRATION_TOKEN]);
    assert_hidden(&format!("{builder:#?}"), &[REGISTRATION_TOKEN]);

    let input = builder.build().unwrap();
    assert_eq!(input.registration_token(), Some(REGISTRATION_TOKEN));
    assert_hidden(&format!("{input:?}"), &[REGISTRATION_TOKEN]);
    assert_hidden(&format!("{input:#?}"), &[REGISTRATION_TOKEN]);

    let server = TestServer::always(Reply::json(200, "{}")).await;
    let fluent = client(&server)
        .resolve_customer()
        .registration_token(REGISTRATION_TOKEN);
    assert_hidden(&format!("{fluent:?}"), &[REGISTRATION_TOKEN]);
    assert_hidden(&format!("{fluent:#?}"), &[REGISTRATION_TOKEN]);

    // Redaction is for logs only: the token is still sent.
    fluent.send().await.unwrap();
    let req = common::only_request(&server).await;
    assert_eq!(req.body_json()["RegistrationToken"], REGISTRATION_TOKEN);
}

#[test]
fn credentials_debug_hides_the_secret_and_token() {
    let credentials = Credentials::new("AKIDVISIBLE", SECRET_KEY, Some(SESSION_TOKEN.into()));
    let text = format!("{credentials:?}");
    assert!(text.contains("AKIDVISIBLE"), "{text}");
    assert_hidden(&text, &[SECRET_KEY, SESSION_TOKEN]);
    assert_hidden(&format!("{credentials:#?}"), &[SECRET_KEY, SESSION_TOKEN]);
}

#[test]
fn config_and_client_debug_hide_the_secret_and_token() {
    let credentials = Credentials::new("AKIDVISIBLE", SECRET_KEY, Some(SESSION_TOKEN.into()));
    let builder = Config::builder()
        .region("us-east-1")
        .credentials(credentials)
        .endpoint_url("http://127.0.0.1:1");
    assert_hidden(&format!("{builder:?}"), &[SECRET_KEY, SESSION_TOKEN]);
    let config = builder.build();
    assert_hidden(&format!("{config:?}"), &[SECRET_KEY, SESSION_TOKEN]);
    assert_hidden(&format!("{config:#?}"), &[SECRET_KEY, SESSION_TOKEN]);
    let client = Client::from_conf(config);
    assert_hidden(&format!("{client:?}"), &[SECRET_KEY, SESSION_TOKEN]);
    assert_hidden(&format!("{client:#?}"), &[SECRET_KEY, SESSION_TOKEN]);
    let fluent = client.meter_usage().product_code("p");
    assert_hidden(&format!("{fluent:?}"), &[SECRET_KEY, SESSION_TOKEN]);
}

#[test]
fn debug_of_the_standard_client_hides_secret_and_token() {
    let client = common::client_for("http://127.0.0.1:1");
    let text = format!("{client:?}");
    assert!(!text.contains("SECRET"), "{text}");
    assert!(!text.contains("TOKEN"), "{text}");
}

fn assert_clone_send_sync<T: Clone + Send + Sync + 'static>() {}
fn assert_send<T: Send>(_: &T) {}

const _: fn() = assert_clone_send_sync::<Client>;
const _: fn() = assert_clone_send_sync::<Config>;
const _: fn() = assert_clone_send_sync::<Credentials>;

#[tokio::test]
async fn clones_work_from_other_tasks() {
    let server = TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"r"}"#)).await;
    let client = client(&server);
    let call = client
        .meter_usage()
        .product_code("p")
        .timestamp(SystemTime::now())
        .usage_dimension("d")
        .send();
    assert_send(&call);
    drop(call);

    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .meter_usage()
                    .product_code(format!("p{i}"))
                    .timestamp(SystemTime::now())
                    .usage_dimension("d")
                    .usage_quantity_as_decimal("1")
                    .send()
                    .await
            })
        })
        .collect();
    for task in tasks {
        let out = task.await.expect("task").expect("call");
        assert_eq!(out.metering_record_id(), Some("r"));
    }
    let mut codes: Vec<String> = server
        .requests()
        .await
        .iter()
        .map(|r| r.body_json()["ProductCode"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    assert_eq!(codes, ["p0", "p1", "p2", "p3"]);
}
