//! Error responses: every modeled exception of every operation, the ways the
//! error type and message can be spelled, unmodeled codes, non-JSON bodies, and
//! the service-wide `Error`.
//!
//! The client here makes one attempt per call, so that each call reads exactly
//! one scripted response; retrying the retryable ones is `retries.rs`'s subject.

use std::fmt::{Debug, Display};
use std::future::Future;

use crate::common::{
    self, batch_meter_usage_variant, client_without_retries as client, meter_usage_variant,
    modeled_errors, register_usage_variant, resolve_customer_variant, service_error_variant,
};
use integration_tests::{Reply, TestServer, REQUEST_ID};
use marketplace_metering::error::{ProvideErrorMetadata, SdkError};
use marketplace_metering::operation::batch_meter_usage::BatchMeterUsageError;
use marketplace_metering::operation::meter_usage::MeterUsageError;
use marketplace_metering::operation::register_usage::RegisterUsageError;
use marketplace_metering::operation::resolve_customer::ResolveCustomerError;
use marketplace_metering::{Client, DateTime, Error};

const NAMESPACE: &str = "com.amazonaws.marketplace.metering";

async fn call_meter_usage(client: Client) -> Result<(), SdkError<MeterUsageError>> {
    common::valid_meter_usage(&client).send().await.map(drop)
}

async fn call_batch_meter_usage(client: Client) -> Result<(), SdkError<BatchMeterUsageError>> {
    common::valid_batch_meter_usage(&client)
        .send()
        .await
        .map(drop)
}

async fn call_register_usage(client: Client) -> Result<(), SdkError<RegisterUsageError>> {
    common::valid_register_usage(&client).send().await.map(drop)
}

async fn call_resolve_customer(client: Client) -> Result<(), SdkError<ResolveCustomerError>> {
    common::valid_resolve_customer(&client)
        .send()
        .await
        .map(drop)
}

/// The ways a service names the error and spells the message.
#[derive(Clone, Copy, Debug)]
enum Style {
    /// `X-Amzn-Errortype: Code:http://...`, body `{"message": ..}`.
    Header,
    /// Body `{"code": "Code", "Message": ..}`.
    BodyCode,
    /// Body `{"__type": "namespace#Code", "errorMessage": ..}`.
    BodyType,
    /// Body `{"__type": "namespace#Code:http://...", "message": ..}`.
    BodyTypeWithUri,
}

const STYLES: [Style; 4] = [
    Style::Header,
    Style::BodyCode,
    Style::BodyType,
    Style::BodyTypeWithUri,
];

fn message_for(code: &str, style: Style) -> String {
    format!("{code} happened ({style:?}) — réessayez")
}

fn error_reply(code: &str, style: Style) -> Reply {
    let status = if code == "InternalServiceErrorException" {
        500
    } else {
        400
    };
    let message = message_for(code, style);
    let body = match style {
        Style::Header => serde_json::json!({ "message": message }),
        Style::BodyCode => serde_json::json!({ "code": code, "Message": message }),
        Style::BodyType => {
            serde_json::json!({ "__type": format!("{NAMESPACE}#{code}"), "errorMessage": message })
        }
        Style::BodyTypeWithUri => serde_json::json!({
            "__type": format!("{NAMESPACE}#{code}:http://internal.amazon.com/coral/{NAMESPACE}/"),
            "message": message
        }),
    };
    let reply = Reply::json(status, &body.to_string());
    match style {
        Style::Header => reply.header(
            "X-Amzn-Errortype",
            format!("{code}:http://internal.amazon.com/coral/{NAMESPACE}/"),
        ),
        _ => reply,
    }
}

/// Answers one call per (modeled error, style) and checks that each maps to the
/// typed variant of that name, with its code, message, request id and text,
/// and converts into the service-wide `Error` variant of the same name.
async fn check_modeled_errors<E, Fut>(
    operation: &str,
    call: impl Fn(Client) -> Fut,
    variant: fn(&E) -> &'static str,
) where
    Fut: Future<Output = Result<(), SdkError<E>>>,
    E: ProvideErrorMetadata + Display + Debug,
    Error: From<SdkError<E>>,
{
    let codes = modeled_errors(operation);
    assert!(!codes.is_empty(), "the model lists errors for {operation}");
    let cases: Vec<(String, Style)> = codes
        .iter()
        .flat_map(|code| STYLES.iter().map(move |style| (code.clone(), *style)))
        .collect();
    let server =
        TestServer::sequence(cases.iter().map(|(c, s)| error_reply(c, *s)).collect()).await;
    let client = client(&server);

    for (code, style) in &cases {
        let context = format!("{operation} / {code} / {style:?}");
        let message = message_for(code, *style);
        let error = call(client.clone())
            .await
            .expect_err(&format!("{context}: the call must fail"));

        assert_eq!(error.code(), Some(code.as_str()), "{context}");
        assert_eq!(error.message(), Some(message.as_str()), "{context}");
        assert_eq!(error.request_id(), Some(REQUEST_ID), "{context}");
        let text = error.to_string();
        assert!(
            text.contains(code.as_str()) && text.contains(&message),
            "{context}: {text}"
        );

        let service = match &error {
            SdkError::Service(service) => service,
            other => panic!("{context}: expected a service error, got {other:?}"),
        };
        assert_eq!(variant(service), code, "{context}: {service:?}");
        assert_eq!(service.code(), Some(code.as_str()), "{context}");
        assert_eq!(service.message(), Some(message.as_str()), "{context}");
        assert_eq!(service.request_id(), Some(REQUEST_ID), "{context}");
        let text = service.to_string();
        assert!(
            text.contains(code.as_str()) && text.contains(&message),
            "{context}: {text}"
        );

        let flat = Error::from(error);
        assert_eq!(service_error_variant(&flat), code, "{context}: {flat:?}");
        assert_eq!(flat.code(), Some(code.as_str()), "{context}");
        assert_eq!(flat.message(), Some(message.as_str()), "{context}");
        assert_eq!(flat.request_id(), Some(REQUEST_ID), "{context}");
        let text = flat.to_string();
        assert!(
            text.contains(code.as_str()) && text.contains(&message),
            "{context}: {text}"
        );
    }
    assert_eq!(server.request_count().await, cases.len());
}

#[tokio::test]
async fn meter_usage_maps_every_modeled_error() {
    check_modeled_errors("MeterUsage", call_meter_usage, meter_usage_variant).await;
}

#[tokio::test]
async fn batch_meter_usage_maps_every_modeled_error() {
    check_modeled_errors(
        "BatchMeterUsage",
        call_batch_meter_usage,
        batch_meter_usage_variant,
    )
    .await;
}

#[tokio::test]
async fn register_usage_maps_every_modeled_error() {
    check_modeled_errors("RegisterUsage", call_register_usage, register_usage_variant).await;
}

#[tokio::test]
async fn resolve_customer_maps_every_modeled_error() {
    check_modeled_errors(
        "ResolveCustomer",
        call_resolve_customer,
        resolve_customer_variant,
    )
    .await;
}

#[test]
fn every_exception_is_an_error_of_some_operation() {
    let listed: std::collections::BTreeSet<String> = common::OPERATIONS
        .iter()
        .flat_map(|op| modeled_errors(op))
        .collect();
    assert_eq!(listed, common::all_exceptions());
}

/// The exception struct itself carries the message, whatever its spelling.
#[tokio::test]
async fn the_exception_struct_carries_the_message() {
    let server = TestServer::sequence(
        STYLES
            .iter()
            .map(|s| error_reply("ThrottlingException", *s))
            .collect(),
    )
    .await;
    let client = client(&server);
    for style in STYLES {
        let error = call_meter_usage(client.clone()).await.unwrap_err();
        match error.into_service_error() {
            Some(MeterUsageError::ThrottlingException(e)) => {
                let expected = message_for("ThrottlingException", style);
                assert_eq!(e.message(), Some(expected.as_str()), "{style:?}");
                assert!(!e.is_fault());
            }
            other => panic!("{style:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_error_type_header_wins_over_the_body() {
    let server = TestServer::always(
        Reply::json(
            400,
            &format!(r#"{{"__type":"{NAMESPACE}#InvalidTagException","message":"m"}}"#),
        )
        .header("X-Amzn-Errortype", "ThrottlingException"),
    )
    .await;
    let error = call_meter_usage(client(&server)).await.unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(MeterUsageError::ThrottlingException(_))
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_internal_error_is_a_fault() {
    let server =
        TestServer::always(error_reply("InternalServiceErrorException", Style::Header)).await;
    match call_resolve_customer(client(&server)).await.unwrap_err() {
        SdkError::Service(ResolveCustomerError::InternalServiceErrorException(e)) => {
            assert!(e.is_fault());
            assert_eq!(
                ProvideErrorMetadata::code(&e),
                Some("InternalServiceErrorException")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unmodeled_code_is_unhandled_and_keeps_everything() {
    let server = TestServer::always(Reply::json(
        400,
        r#"{"__type":"com.amazonaws.marketplace.metering#BrandNewException","message":"something new"}"#,
    ))
    .await;
    let error = call_meter_usage(client(&server)).await.unwrap_err();
    assert_eq!(error.code(), Some("BrandNewException"));
    assert_eq!(error.message(), Some("something new"));
    assert_eq!(error.request_id(), Some(REQUEST_ID));
    let text = error.to_string();
    assert!(
        text.contains("BrandNewException") && text.contains("something new"),
        "{text}"
    );
    match &error {
        SdkError::Service(MeterUsageError::Unhandled(u)) => {
            assert_eq!(u.code(), Some("BrandNewException"));
            assert_eq!(u.message(), Some("something new"));
            assert_eq!(u.request_id(), Some(REQUEST_ID));
        }
        other => panic!("{other:?}"),
    }
    let flat = Error::from(error);
    assert!(matches!(flat, Error::Unhandled(_)), "{flat:?}");
    assert_eq!(flat.code(), Some("BrandNewException"));
    assert_eq!(flat.message(), Some("something new"));
    assert_eq!(flat.request_id(), Some(REQUEST_ID));
}

/// A code the model lists for another operation is not one of this
/// operation's variants.
#[tokio::test]
async fn another_operations_exception_is_unhandled() {
    let server = TestServer::always(error_reply("InvalidTokenException", Style::BodyType)).await;
    let error = call_meter_usage(client(&server)).await.unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(MeterUsageError::Unhandled(_))
        ),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("InvalidTokenException"));
    // The service-wide error still has no better variant than Unhandled for it:
    // the operation did not model it.
    assert!(matches!(Error::from(error), Error::Unhandled(_)));
}

#[tokio::test]
async fn server_errors_without_a_json_body_name_the_status() {
    let html = "<html><head><title>Service Unavailable</title></head><body>Try later</body></html>";
    let replies = vec![
        Reply::new(500),
        Reply::new(503),
        Reply::new(503)
            .header("content-type", "text/html")
            .body(html),
        Reply::new(500)
            .header("content-type", "text/html")
            .body(html),
    ];
    let expected = ["500", "503", "503", "500"];
    let server = TestServer::sequence(replies).await;
    let client = client(&server);
    for status in expected {
        let error = call_meter_usage(client.clone()).await.unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(status),
            "status {status} missing from: {text}"
        );
        assert_eq!(error.code(), None, "{error:?}");
        assert!(
            matches!(
                error,
                SdkError::Service(MeterUsageError::Unhandled(_)) | SdkError::Response(_)
            ),
            "{error:?}"
        );
        let flat = Error::from(error);
        assert!(flat.to_string().contains(status), "{flat}");
    }
}

#[tokio::test]
async fn an_unreadable_success_body_is_a_response_error() {
    for body in [
        "<html>oops</html>",
        "not json at all",
        r#"{"MeteringRecordId": 5}"#,
        r#"{"MeteringRecordId": "x""#,
    ] {
        let server = TestServer::always(Reply::json(200, body)).await;
        let error = call_meter_usage(client(&server))
            .await
            .expect_err(&format!("{body:?} must not be read as an output"));
        match &error {
            SdkError::Response(response) => {
                assert_eq!(response.status(), 200);
                assert_eq!(response.request_id(), Some(REQUEST_ID));
            }
            other => panic!("{body:?}: expected a response error, got {other:?}"),
        }
        assert_eq!(error.request_id(), Some(REQUEST_ID));
        let text = error.to_string();
        assert!(text.contains("MeterUsage"), "{body:?}: {text}");
        assert!(text.contains("200"), "{body:?}: {text}");
        let flat = Error::from(error);
        assert!(matches!(flat, Error::Response(_)), "{flat:?}");
        assert_eq!(flat.request_id(), Some(REQUEST_ID));
    }
}

/// awsJson outputs are JSON objects; an array is as unreadable as HTML. Serde's
/// derived struct deserializers also accept arrays positionally, which must not
/// leak into the protocol: `["abc"]` is not `{"MeteringRecordId":"abc"}`.
#[tokio::test]
async fn a_json_array_success_body_is_a_response_error() {
    let mut wrong = Vec::new();
    for body in ["[]", r#"["abc"]"#] {
        let server = TestServer::always(Reply::json(200, body)).await;
        let result = client(&server)
            .meter_usage()
            .product_code("p")
            .timestamp(DateTime::from_secs(1_700_000_000))
            .usage_dimension("d")
            .send()
            .await;
        match result {
            Err(SdkError::Response(error)) => {
                assert!(error.to_string().contains("MeterUsage"), "{error}");
            }
            other => wrong.push(format!("{body:?} gave {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "expected response errors: {wrong:#?}");
}

/// The same for error bodies: an array carries no members, so the exception's
/// message stays unset (the error type still comes from the header).
#[tokio::test]
async fn a_json_array_error_body_sets_no_members() {
    let server = TestServer::always(
        Reply::json(400, r#"["leaked"]"#).header("X-Amzn-Errortype", "ThrottlingException"),
    )
    .await;
    match call_meter_usage(client(&server)).await.unwrap_err() {
        SdkError::Service(MeterUsageError::ThrottlingException(e)) => {
            assert_eq!(e.message(), None, "{e:?}");
            assert_eq!(ProvideErrorMetadata::message(&e), None);
        }
        other => panic!("{other:?}"),
    }
}

/// Application code puts several calls in one function returning the
/// service-wide error, and matches the exception in one level.
async fn onboard_and_meter(client: &Client) -> Result<String, Error> {
    let customer = client
        .resolve_customer()
        .registration_token("tok")
        .send()
        .await?;
    let account = customer.customer_aws_account_id().unwrap_or("").to_owned();
    client
        .batch_meter_usage()
        .product_code("p")
        .usage_records(
            marketplace_metering::types::UsageRecord::builder()
                .timestamp(DateTime::from_secs(1_700_000_000))
                .dimension("d")
                .customer_aws_account_id(account.clone())
                .quantity_as_decimal("1")
                .build(),
        )
        .send()
        .await?;
    Ok(account)
}

#[tokio::test]
async fn errors_convert_into_the_service_error_with_question_mark() {
    let server = TestServer::sequence(vec![
        Reply::json(200, r#"{"CustomerAWSAccountId":"123456789012"}"#),
        error_reply("ThrottlingException", Style::Header),
    ])
    .await;
    match onboard_and_meter(&client(&server)).await {
        Err(Error::ThrottlingException(e)) => {
            let expected = message_for("ThrottlingException", Style::Header);
            assert_eq!(e.message(), Some(expected.as_str()));
            assert_eq!(ProvideErrorMetadata::request_id(&e), Some(REQUEST_ID));
        }
        other => panic!("expected Error::ThrottlingException, got {other:?}"),
    }
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].body_json()["UsageRecords"][0]["CustomerAWSAccountId"],
        "123456789012"
    );
}

#[tokio::test]
async fn every_category_converts_into_the_service_error() {
    // Validation: nothing reaches the server.
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = client(&server);
    let validation: Error = client
        .resolve_customer()
        .send()
        .await
        .map(drop)
        .unwrap_err()
        .into();
    assert!(matches!(validation, Error::Validation(_)), "{validation:?}");
    assert_eq!(validation.code(), None);
    assert!(validation.message().unwrap().contains("required"));
    assert!(validation.to_string().contains("RegistrationToken"));
    assert!(server.requests().await.is_empty());

    // Boxing works with `?` too.
    async fn boxed(client: &Client) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        client.resolve_customer().send().await?;
        Ok(())
    }
    let error = boxed(&client).await.unwrap_err();
    assert!(error.to_string().contains("RegistrationToken"), "{error}");
}
