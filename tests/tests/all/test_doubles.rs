//! A seller's unit test, as a user of the crate writes it: the code under test
//! meters usage, and the test checks what it did without a socket or an AWS
//! account, through the test doubles of the `test-util` feature: mock rules
//! (typed input in, output or error out, no HTTP) and the replay HTTP client
//! (what went over the wire). And a `reqwest::Client` of one's own, handed to
//! the config, is the one that sends.

use crate::common::TempDir;
use integration_tests::emulators::{sts_credentials, Issued};
use integration_tests::{Reply, TestServer};
use marketplace_metering::config::test_util::{mock, ReplayClient, ReplayEvent};
use marketplace_metering::error::SdkError;
use marketplace_metering::operation::meter_usage::{MeterUsageError, MeterUsageOutput};
use marketplace_metering::types::error::ThrottlingException;
use marketplace_metering::{Client, Config, Credentials, DateTime};

/// The code under test: reports one hour of usage.
async fn report_hour(client: &Client) -> Result<String, marketplace_metering::Error> {
    let out = client
        .meter_usage()
        .product_code("prod-abc")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .usage_quantity_as_decimal("3")
        // Fixed in the test so the body is known; left out, the SDK makes one.
        .client_token("token-1")
        .send()
        .await?;
    Ok(out.metering_record_id().unwrap_or_default().to_owned())
}

/// The code under test, with a retry of its own on throttling: what a seller's
/// hourly job does on top of the SDK's retries.
async fn report_hour_patiently(client: &Client) -> Result<String, marketplace_metering::Error> {
    match report_hour(client).await {
        Err(marketplace_metering::Error::ThrottlingException(_)) => report_hour(client).await,
        other => other,
    }
}

#[tokio::test]
async fn meters_through_mock_rules_without_http() {
    let throttled_then_accepted = mock!(Client::meter_usage)
        .match_requests(|input| input.product_code() == Some("prod-abc"))
        .sequence()
        .error(|| {
            MeterUsageError::ThrottlingException(
                ThrottlingException::builder()
                    .message("Rate exceeded")
                    .build(),
            )
        })
        .output(|| {
            MeterUsageOutput::builder()
                .metering_record_id("record-9")
                .build()
        })
        .build();
    // No region, no credentials, no endpoint: nothing is signed or sent.
    let config = Config::builder()
        .mock_rules([throttled_then_accepted.clone()])
        .build();
    let client = Client::from_conf(config);
    assert_eq!(report_hour_patiently(&client).await.unwrap(), "record-9");
    assert_eq!(throttled_then_accepted.num_calls(), 2);
    assert!(throttled_then_accepted.is_exhausted());
    // Used up, and nothing else answers: a clear error, not a silent default.
    let error = report_hour(&client).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no mock rule answers this MeterUsage call"),
        "{error}"
    );
}

#[tokio::test]
async fn mock_rules_see_the_validated_input() {
    let any = mock!(Client::meter_usage).then_output(MeterUsageOutput::default);
    let client = Client::from_conf(Config::builder().mock_rules([any.clone()]).build());
    // The model's rules still apply before a mock answers.
    let error = client
        .meter_usage()
        .product_code("prod-abc")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, SdkError::Validation(_)), "{error:?}");
    assert_eq!(any.num_calls(), 0);
    report_hour(&client).await.unwrap();
    report_hour(&client).await.unwrap();
    assert_eq!(any.num_calls(), 2);
}

fn metering_exchange() -> ReplayEvent {
    ReplayEvent::new(
        http::Request::post("https://metering.marketplace.us-east-1.amazonaws.com/")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSMPMeteringService.MeterUsage")
            .body(
                serde_json::json!({
                    "ProductCode": "prod-abc",
                    "Timestamp": 1_700_000_000,
                    "UsageDimension": "users",
                    "UsageQuantityAsDecimal": "3",
                    "ClientToken": "token-1"
                })
                .to_string()
                .into_bytes(),
            )
            .unwrap(),
        http::Response::builder()
            .status(200)
            .body(br#"{"MeteringRecordId":"record-1"}"#.to_vec())
            .unwrap(),
    )
}

/// A configuration whose every request goes to `replay`.
fn replaying(replay: &ReplayClient) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .http_client(replay.clone())
        .build()
}

#[tokio::test]
async fn meters_through_the_replay_client_without_a_socket() {
    let replay = ReplayClient::new(vec![metering_exchange()]);
    let config = replaying(&replay);
    let record = report_hour(&Client::from_conf(config)).await.unwrap();
    assert_eq!(record, "record-1");
    replay.assert_requests_match(&[]);
    // The request was signed, for the service's signing name.
    let sent = &replay.actual_requests()[0];
    let authorization = sent.header("authorization")[0];
    assert!(
        authorization.contains("/us-east-1/aws-marketplace/aws4_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn a_wrong_request_is_reported_not_answered_silently() {
    let replay = ReplayClient::new(vec![metering_exchange()]);
    let config = replaying(&replay);
    let client = Client::from_conf(config);
    client
        .meter_usage()
        .product_code("prod-other")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .usage_quantity_as_decimal("3")
        .client_token("token-1")
        .send()
        .await
        .unwrap();
    let problems = replay.mismatches(&[]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(r#""ProductCode":"prod-other""#),
        "{problems:?}"
    );
}

/// The default credentials chain goes through the same client: an EKS pod's
/// web identity exchange with STS, then the call, all from the script.
#[tokio::test]
async fn sts_goes_through_the_configured_client_too() {
    let dir = TempDir::new("replay-irsa");
    let token_file = dir.write("token", "web-identity-token");
    let role = Issued {
        access_key_id: "ASIAROLE".into(),
        secret_access_key: "ROLESECRET".into(),
        session_token: "ROLETOKEN".into(),
        expiration: "2099-01-01T00:00:00Z".into(),
    };
    let sts = sts_credentials("AssumeRoleWithWebIdentity", &role);
    let mut sts_response = http::Response::builder().status(sts.status);
    for (name, value) in &sts.headers {
        sts_response = sts_response.header(name, value);
    }
    let replay = ReplayClient::new(vec![
        ReplayEvent::new(
            http::Request::post("https://sts.us-east-1.amazonaws.com/")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(
                    "Action=AssumeRoleWithWebIdentity&Version=2011-06-15\
                     &RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fmetering\
                     &RoleSessionName=pod&WebIdentityToken=web-identity-token"
                        .as_bytes()
                        .to_vec(),
                )
                .unwrap(),
            sts_response.body(sts.body.clone()).unwrap(),
        ),
        metering_exchange(),
    ]);
    let config = Config::from_vars([
        ("HOME", dir.path().display().to_string()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        (
            "AWS_ROLE_ARN",
            "arn:aws:iam::123456789012:role/metering".to_owned(),
        ),
        ("AWS_ROLE_SESSION_NAME", "pod".to_owned()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file),
    ])
    .await
    .unwrap()
    .http_client(replay.clone())
    .build();
    let record = report_hour(&Client::from_conf(config)).await.unwrap();
    assert_eq!(record, "record-1");
    replay.assert_requests_match(&[]);
    // Signed with the role's credentials.
    let metering = &replay.actual_requests()[1];
    assert_eq!(metering.header("x-amz-security-token"), ["ROLETOKEN"]);
}

#[tokio::test]
async fn a_reqwest_client_of_ones_own_is_the_one_that_sends() {
    let server = TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"record-2"}"#)).await;
    let mut headers = http::HeaderMap::new();
    headers.insert("x-seller-client", http::HeaderValue::from_static("mine"));
    let mine = marketplace_metering::config::transport::reqwest_client_builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None))
        .endpoint_url(server.url())
        .reqwest_client(mine)
        .build();
    let record = report_hour(&Client::from_conf(config)).await.unwrap();
    assert_eq!(record, "record-2");
    let requests = server.requests().await;
    assert_eq!(requests[0].header("x-seller-client"), Some("mine"));
}
