//! Hand-written: the client signs with the region and signing name the resolved endpoint's
//! `authSchemes` property says, and sends (and signs) the headers the rule set adds.
//!
//! `codegen/tests/fixtures/auth_scheme.rules.json` resolves every request to the configured
//! endpoint URL; by the configured region it adds:
//! - `us-west-2`: a `sigv4` scheme signing for `custom-name` in `eu-central-1`, and the
//!   header `x-rules-header: from-the-rule-set`;
//! - `eu-west-1`: a `sigv4a` scheme, then a `sigv4` one signing for `other-service` in the
//!   templated region `{Region}-signing`;
//! - any other region: no properties, so the configured region and the model's
//!   `signingName` (`model-signing-name`) apply.
//!
//! The loopback server records each request and the reference verifier checks its
//! signature, so the scope asserted here is the one a real endpoint would check.

use fixture_auth_scheme::endpoint::{resolve, Params};
use fixture_auth_scheme::{Client, Config, Credentials};
use integration_tests::{verify, RecordedRequest, Reply, TestServer, VerifyOutcome};
use serde_json::json;

const SECRET: &str = "SECRET";
/// The model's `signingName`.
const MODEL_SIGNING_NAME: &str = "model-signing-name";

fn client(server: &TestServer, region: &str) -> Client {
    Client::from_conf(
        Config::builder()
            .region(region)
            .credentials(Credentials::new("AKIDEXAMPLE", SECRET, None))
            .endpoint_url(server.url())
            .build(),
    )
}

/// Sends one `Ping` with `region` configured; returns the request as the server saw it
/// and what its verified signature claims.
async fn ping(region: &str) -> (RecordedRequest, VerifyOutcome) {
    let server = TestServer::always(Reply::json(200, r#"{"Message":"pong"}"#)).await;
    let out = client(&server, region)
        .ping()
        .message("hello")
        .send()
        .await
        .unwrap_or_else(|error| panic!("Ping with region {region} failed: {error:?}"));
    assert_eq!(out.message(), Some("pong"));
    let mut requests = server.requests().await;
    assert_eq!(requests.len(), 1, "one request");
    let request = requests.remove(0);
    let signed = verify(&request, SECRET)
        .unwrap_or_else(|error| panic!("the signature does not verify: {error}"));
    (request, signed)
}

#[tokio::test]
async fn signs_with_the_auth_schemes_region_and_name() {
    let (request, signed) = ping("us-west-2").await;
    assert_eq!(
        (signed.region.as_str(), signed.service.as_str()),
        ("eu-central-1", "custom-name"),
        "the scope is the endpoint's, not the configured region and the model's signing name"
    );
    assert_eq!(
        request.header_all("x-rules-header"),
        ["from-the-rule-set"],
        "the rule set's header is sent once"
    );
    assert!(
        signed.signed_headers.iter().any(|h| h == "x-rules-header"),
        "the rule set's header is signed: {:?}",
        signed.signed_headers
    );
    assert_eq!(request.body_json(), json!({"Message": "hello"}));
}

#[tokio::test]
async fn picks_the_sigv4_scheme_and_its_templated_region() {
    let (request, signed) = ping("eu-west-1").await;
    assert_eq!(
        (signed.region.as_str(), signed.service.as_str()),
        ("eu-west-1-signing", "other-service")
    );
    assert!(request.header("x-rules-header").is_none());
}

#[tokio::test]
async fn without_auth_schemes_the_configured_region_and_model_name_sign() {
    let (request, signed) = ping("ap-south-1").await;
    assert_eq!(
        (signed.region.as_str(), signed.service.as_str()),
        ("ap-south-1", MODEL_SIGNING_NAME)
    );
    assert!(request.header("x-rules-header").is_none());
    assert!(!signed.signed_headers.iter().any(|h| h == "x-rules-header"));
}

#[test]
fn the_resolver_returns_the_rule_sets_properties_and_headers() {
    let params = |region: &str| Params {
        region: Some(region.into()),
        endpoint: Some("http://127.0.0.1:1".into()),
        ..Params::default()
    };

    let endpoint = resolve(&params("us-west-2")).unwrap();
    assert_eq!(endpoint.url(), "http://127.0.0.1:1");
    assert_eq!(
        endpoint.headers().get("x-rules-header"),
        Some(&vec!["from-the-rule-set".to_owned()])
    );
    assert_eq!(
        serde_json::Value::Object(endpoint.properties().clone()),
        json!({"authSchemes": [{
            "name": "sigv4",
            "signingName": "custom-name",
            "signingRegion": "eu-central-1",
            "disableDoubleEncoding": true
        }]})
    );
    let scheme = endpoint.sigv4_scheme().unwrap();
    assert_eq!(
        (scheme.signing_name, scheme.signing_region),
        (Some("custom-name"), Some("eu-central-1"))
    );

    let endpoint = resolve(&params("eu-west-1")).unwrap();
    let scheme = endpoint.sigv4_scheme().unwrap();
    assert_eq!(
        (scheme.signing_name, scheme.signing_region),
        (Some("other-service"), Some("eu-west-1-signing"))
    );
    assert_eq!(
        endpoint.properties()["authSchemes"][0],
        json!({"name": "sigv4a", "signingName": "other-service", "signingRegionSet": ["*"]})
    );

    let endpoint = resolve(&params("ap-south-1")).unwrap();
    assert!(endpoint.properties().is_empty() && endpoint.headers().is_empty());
    assert_eq!(endpoint.sigv4_scheme(), None);

    assert_eq!(
        resolve(&Params::default()).unwrap_err().message(),
        "This fixture only resolves a configured endpoint URL"
    );
}
