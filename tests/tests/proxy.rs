//! Proxies: the client sends through the proxy that `HTTP_PROXY` names (and
//! `HTTPS_PROXY` for HTTPS, through a CONNECT tunnel), except to hosts `NO_PROXY`
//! lists, as the AWS SDKs do. The signature covers the service's host, not the
//! proxy's.
//!
//! One test in its own binary: the proxy settings are process environment
//! variables, read when a client is made.

mod common;

use integration_tests::{verify, Reply, TestServer};

#[tokio::test]
async fn requests_go_through_http_proxy_unless_no_proxy_lists_the_host() {
    let proxy = TestServer::always(Reply::json(200, "{}")).await;
    std::env::set_var("HTTP_PROXY", proxy.url());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    // `.invalid` never resolves: only the proxy can make this call succeed, and it
    // is the proxy that would look the name up.
    let service = "http://metering.marketplace.example.invalid";
    let client = common::client_for(service);
    common::valid_meter_usage(&client).send().await.unwrap();
    let requests = proxy.requests().await;
    assert_eq!(requests.len(), 1);
    let mut request = requests[0].clone();
    // An absolute-form request target, for the proxy to forward.
    assert_eq!(request.path, format!("{service}/"));
    assert_eq!(
        request.header("host"),
        Some("metering.marketplace.example.invalid")
    );
    // Signed for the service as the service will see it: path `/`.
    request.path = "/".to_owned();
    verify(&request, common::SECRET).unwrap();

    // NO_PROXY: straight to the server.
    let direct = TestServer::always(Reply::json(200, "{}")).await;
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let client = common::client(&direct);
    common::valid_meter_usage(&client).send().await.unwrap();
    assert_eq!(direct.request_count().await, 1);
    assert_eq!(proxy.request_count().await, 1, "the proxy saw nothing more");
}
