//! `GetEntitlements` through its paginator, against a server on loopback: each page's request
//! on the wire (`NextToken`, `MaxResults` and the rest of the input in the JSON body), pages
//! that continue while a token comes back (an empty one included), a token sent twice, an
//! error on the third page, and the items across pages.

use crate::common;
use integration_tests::{Reply, TestServer};
use marketplace_entitlement::error::SdkError;
use marketplace_entitlement::operation::get_entitlements::{
    GetEntitlementsError, GetEntitlementsOutput,
};
use marketplace_entitlement::types::Entitlement;
use serde_json::{json, Value};

fn client(server: &TestServer) -> marketplace_entitlement::Client {
    marketplace_entitlement::Client::from_conf(common::config_for(&server.url()))
}

/// A page with entitlements for these dimensions and, if any, a `NextToken`.
fn page(dimensions: &[&str], next_token: Option<&str>) -> Reply {
    let entitlements: Vec<Value> = dimensions
        .iter()
        .map(|d| json!({"ProductCode": "prod-abc", "Dimension": d}))
        .collect();
    let mut body = json!({ "Entitlements": entitlements });
    if let Some(token) = next_token {
        body["NextToken"] = json!(token);
    }
    Reply::json(200, &body.to_string())
}

/// The `NextToken` and `MaxResults` of each request the server got, after checking that every
/// request carries the rest of the input unchanged.
async fn tokens_sent(server: &TestServer) -> Vec<(Option<String>, Option<i64>)> {
    let mut sent = Vec::new();
    for request in server.requests().await {
        assert_eq!(
            request.header("x-amz-target"),
            Some("AWSMPEntitlementService.GetEntitlements")
        );
        let body = request.body_json();
        assert_eq!(body["ProductCode"], "prod-abc", "{body}");
        assert_eq!(
            body["Filter"],
            json!({"CUSTOMER_IDENTIFIER": ["cust-1"]}),
            "{body}"
        );
        sent.push((
            body.get("NextToken")
                .and_then(Value::as_str)
                .map(str::to_owned),
            body.get("MaxResults").and_then(Value::as_i64),
        ));
    }
    sent
}

fn dimensions(output: &GetEntitlementsOutput) -> Vec<&str> {
    output
        .entitlements()
        .iter()
        .filter_map(Entitlement::dimension)
        .collect()
}

#[tokio::test]
async fn pages_follow_next_token_with_the_page_size_and_an_empty_page_continues() {
    let server = TestServer::sequence(vec![
        page(&["a", "b"], Some("t2")),
        // No entitlements, but a token: the model's docs say to go on.
        page(&[], Some("t3")),
        page(&["c"], None),
    ])
    .await;
    let mut pages = client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .filter("CUSTOMER_IDENTIFIER", vec!["cust-1".to_owned()])
        .into_paginator()
        .page_size(2)
        .send();
    let mut seen = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.expect("every page succeeds");
        seen.push(dimensions(&page).join(","));
    }
    assert_eq!(seen, ["a,b", "", "c"]);
    assert_eq!(
        tokens_sent(&server).await,
        [
            (None, Some(2)),
            (Some("t2".into()), Some(2)),
            (Some("t3".into()), Some(2)),
        ]
    );
}

#[tokio::test]
async fn items_flow_across_pages_and_an_empty_token_ends_them() {
    let server =
        TestServer::sequence(vec![page(&["a"], Some("t2")), page(&["b", "c"], Some(""))]).await;
    let items: Vec<Entitlement> = client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .filter("CUSTOMER_IDENTIFIER", vec!["cust-1".to_owned()])
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("every page succeeds");
    let dimensions: Vec<_> = items.iter().filter_map(Entitlement::dimension).collect();
    assert_eq!(dimensions, ["a", "b", "c"]);
    // Without `page_size`, `MaxResults` is not sent.
    assert_eq!(
        tokens_sent(&server).await,
        [(None, None), (Some("t2".into()), None)]
    );
}

#[tokio::test]
async fn a_token_sent_before_ends_the_stream_with_an_error_after_its_page() {
    let server = TestServer::sequence(vec![
        page(&["a"], Some("t2")),
        page(&["b"], Some("t3")),
        // Back to the token of page 2: following it would loop forever.
        page(&["c"], Some("t2")),
        page(&["never"], None),
    ])
    .await;
    let pages: Vec<_> = client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .filter("CUSTOMER_IDENTIFIER", vec!["cust-1".to_owned()])
        .into_paginator()
        .send()
        .collect()
        .await;
    assert_eq!(pages.len(), 4, "three pages and the error: {pages:?}");
    let seen: Vec<_> = pages[..3]
        .iter()
        .map(|page| dimensions(page.as_ref().expect("a page")).join(","))
        .collect();
    assert_eq!(seen, ["a", "b", "c"]);
    let Err(SdkError::Pagination(error)) = &pages[3] else {
        panic!("{:?}", pages[3]);
    };
    assert_eq!((error.page(), error.first_page()), (3, 2));
    assert_eq!(error.tokens(), r#"NextToken "t2""#);
    assert!(error
        .to_string()
        .starts_with("GetEntitlements page 3 answered with NextToken \"t2\""));
    // Into the service-wide error, as every call's error does.
    let error: marketplace_entitlement::Error =
        pages.into_iter().nth(3).unwrap().unwrap_err().into();
    assert!(matches!(
        error,
        marketplace_entitlement::Error::Pagination(_)
    ));
    assert_eq!(server.request_count().await, 3);
}

#[tokio::test]
async fn an_error_on_the_third_page_is_the_last_item() {
    let server = TestServer::sequence(vec![
        page(&["a"], Some("t2")),
        page(&["b"], Some("t3")),
        Reply::json(
            400,
            r#"{"__type":"InvalidParameterException","message":"bad token"}"#,
        ),
        page(&["never"], None),
    ])
    .await;
    let mut items = client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .filter("CUSTOMER_IDENTIFIER", vec!["cust-1".to_owned()])
        .into_paginator()
        .items()
        .send();
    for expected in ["a", "b"] {
        let item = items.next().await.unwrap().expect("an item");
        assert_eq!(item.dimension(), Some(expected));
    }
    let error = items.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            error.as_service_error(),
            Some(GetEntitlementsError::InvalidParameterException(_))
        ),
        "{error:?}"
    );
    assert!(items.next().await.is_none());
    assert_eq!(server.request_count().await, 3);
    assert_eq!(
        tokens_sent(&server).await,
        [
            (None, None),
            (Some("t2".into()), None),
            (Some("t3".into()), None),
        ]
    );
}

#[tokio::test]
async fn the_streams_are_futures_streams() {
    fn is_stream<S: futures_core::Stream + Send + Unpin>(stream: S) -> S {
        stream
    }
    let server = TestServer::always(page(&["a"], None)).await;
    let paginator = client(&server)
        .get_entitlements()
        .product_code("prod-abc")
        .into_paginator();
    let mut pages = is_stream(paginator.clone().send());
    assert!(pages.next().await.unwrap().is_ok());
    let mut items = is_stream(paginator.items().send());
    assert_eq!(items.next().await.unwrap().unwrap().dimension(), Some("a"));
    assert!(items.next().await.is_none());
}
