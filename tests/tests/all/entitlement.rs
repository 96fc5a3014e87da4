//! Marketplace Entitlement (`GetEntitlements`), the second generated crate on the same runtime
//! and configuration: the request on the wire, the answer read, every modeled error, its
//! endpoints, and one credentials cache serving a metering and an entitlement client.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::{self, only_request};
use integration_tests::{verify, Reply, TestServer};
use marketplace_entitlement::endpoint::{resolve, Params};
use marketplace_entitlement::operation::get_entitlements::GetEntitlementsError;
use marketplace_metering::config::credentials::{
    Credentials, ProvideCredentials, ProvideCredentialsFuture,
};
use serde_json::json;

fn entitlement_client(server: &TestServer) -> marketplace_entitlement::Client {
    marketplace_entitlement::Client::from_conf(common::config_for(&server.url()))
}

#[tokio::test]
async fn get_entitlements_on_the_wire_and_back() {
    let server = TestServer::always(Reply::json(
        200,
        r#"{"Entitlements":[{"ProductCode":"prod-abc","Dimension":"seats","CustomerIdentifier":"cust-1",
            "CustomerAWSAccountId":"111111111111","Value":{"IntegerValue":25},"ExpirationDate":1893456000}],
            "NextToken":"page-2"}"#,
    ))
    .await;
    let filter = HashMap::from([("CUSTOMER_IDENTIFIER".to_owned(), vec!["cust-1".to_owned()])]);
    let out = entitlement_client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .set_filter(Some(filter))
        .max_results(10)
        .send()
        .await
        .expect("GetEntitlements succeeds");
    let entitlement = &out.entitlements()[0];
    assert_eq!(entitlement.dimension(), Some("seats"));
    assert_eq!(
        entitlement.value().and_then(|v| v.integer_value()),
        Some(25)
    );
    assert_eq!(
        entitlement.expiration_date().map(|d| d.secs()),
        Some(1_893_456_000)
    );
    assert_eq!(out.next_token(), Some("page-2"));

    let req = only_request(&server).await;
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", "/"));
    assert_eq!(
        req.header("x-amz-target"),
        Some("AWSMPEntitlementService.GetEntitlements")
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(
        req.body_json(),
        json!({"ProductCode": "prod-abc", "Filter": {"CUSTOMER_IDENTIFIER": ["cust-1"]}, "MaxResults": 10})
    );
    let authorization = req.header("authorization").unwrap();
    assert!(
        authorization.contains("/us-east-1/aws-marketplace/aws4_request"),
        "{authorization}"
    );
    verify(&req, common::SECRET).unwrap();
}

#[tokio::test]
async fn every_modeled_error_is_its_variant() {
    for (code, check) in [
        (
            "InvalidParameterException",
            (|e: &GetEntitlementsError| {
                matches!(e, GetEntitlementsError::InvalidParameterException(_))
            }) as fn(&GetEntitlementsError) -> bool,
        ),
        ("ThrottlingException", |e| {
            matches!(e, GetEntitlementsError::ThrottlingException(_))
        }),
        ("InternalServiceErrorException", |e| {
            matches!(e, GetEntitlementsError::InternalServiceErrorException(_))
        }),
    ] {
        let status = if code == "InternalServiceErrorException" {
            500
        } else {
            400
        };
        let body = format!(r#"{{"__type":"{code}","message":"said {code}"}}"#);
        let server = TestServer::always(Reply::json(status, &body)).await;
        let client = marketplace_entitlement::Client::from_conf(
            marketplace_entitlement::Config::builder()
                .region(common::REGION)
                .credentials(Credentials::new(
                    common::ACCESS_KEY_ID,
                    common::SECRET,
                    None,
                ))
                .endpoint_url(server.url())
                .retry_config(marketplace_entitlement::config::RetryConfig::disabled())
                .build(),
        );
        let error = client
            .get_entitlements()
            .product_code("prod-abc")
            .send()
            .await
            .unwrap_err();
        let service = error.as_service_error().expect("a service error");
        assert!(check(service), "{code}: {service:?}");
        assert!(
            error.to_string().contains(&format!("said {code}")),
            "{error}"
        );
    }
}

#[test]
fn endpoints_for_every_partition_fips_and_dual_stack() {
    // As the model's rule set has them: dual-stack and China hosts are `entitlement-marketplace`.
    let url = |region: &str, fips: bool, dual: bool| {
        resolve(&Params {
            region: Some(region.to_owned()),
            use_fips: fips,
            use_dual_stack: dual,
            endpoint: None,
        })
        .map(|e| e.url().to_owned())
        .unwrap_or_else(|e| format!("error: {e}"))
    };
    assert_eq!(
        url("us-east-1", false, false),
        "https://entitlement.marketplace.us-east-1.amazonaws.com"
    );
    assert_eq!(
        url("us-east-1", true, false),
        "https://entitlement.marketplace-fips.us-east-1.amazonaws.com"
    );
    assert_eq!(
        url("us-east-1", false, true),
        "https://entitlement-marketplace.us-east-1.api.aws"
    );
    assert_eq!(
        url("cn-north-1", false, false),
        "https://entitlement-marketplace.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        url("us-gov-west-1", false, false),
        "https://entitlement.marketplace.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(
        url("us-iso-east-1", false, false),
        "https://entitlement.marketplace.us-iso-east-1.c2s.ic.gov"
    );
    assert_eq!(
        url("us-isob-east-1", false, false),
        "https://entitlement.marketplace.us-isob-east-1.sc2s.sgov.gov"
    );
    assert_eq!(
        url("eusc-de-east-1", false, false),
        "https://entitlement-marketplace.eusc-de-east-1.amazonaws.eu"
    );
    assert_eq!(
        url("us-gov-west-1", true, false),
        "https://entitlement.marketplace-fips.us-gov-west-1.amazonaws.com"
    );
}

/// Counts how often it is asked.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {
            Ok(Credentials::new(
                common::ACCESS_KEY_ID,
                common::SECRET,
                None,
            ))
        })
    }
}

#[tokio::test]
async fn one_config_and_credentials_cache_serve_both_clients() {
    let server = TestServer::always(Reply::json(200, r#"{"Entitlements":[]}"#)).await;
    let provider = Arc::new(Counting::default());
    // One configuration type for both crates: the entitlement client takes the metering
    // crate's Config as it is.
    let config: marketplace_metering::Config = marketplace_metering::Config::builder()
        .region(common::REGION)
        .credentials_provider(provider.clone())
        .endpoint_url(server.url())
        .build();
    let entitlement = marketplace_entitlement::Client::from_conf(config.clone());
    let metering = marketplace_metering::Client::from_conf(config);
    entitlement
        .get_entitlements()
        .product_code("prod-abc")
        .send()
        .await
        .unwrap();
    let _ = common::valid_meter_usage(&metering).send().await;
    assert_eq!(server.request_count().await, 2);
    assert_eq!(
        provider.0.load(Ordering::SeqCst),
        1,
        "one cache for both clients"
    );
}
