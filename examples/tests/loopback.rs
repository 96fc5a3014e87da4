//! Each example's logic against the local Metering Service on 127.0.0.1, through the
//! generated client.

use marketplace_metering::types::UsageRecord;
use marketplace_metering::{Client, Config, Credentials};
use marketplace_metering_simulator::{
    Customer, Product, ProductKind, RegistrationToken, Simulator,
};
use metering_examples::{hourly, register, registration, saas};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-12-02T08:00:00Z, plus a minute: the simulator's "now".
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_198_400 + 60)
}

fn client(sim: &Simulator) -> Client {
    Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .credentials(Credentials::new("AKID", "SECRET", None))
            .endpoint_url(sim.endpoint_url())
            .build(),
    )
}

#[tokio::test]
async fn hourly_container_bills_each_hour_once() {
    let sim = Simulator::builder()
        .product(Product::new("prod-ctr", ProductKind::Container).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-ctr"))
        .buyer_account("111111111111")
        .access_key("AKID", "SECRET")
        .clock(now)
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let hour = hourly::hour_of(now()) - Duration::from_secs(3600);
    let first = hourly::report_hour(&client, "prod-ctr", "users", hour, 4)
        .await
        .unwrap();
    // Sent again (a retry after a timeout, a restart): the same record, billed once.
    let again = hourly::report_hour(&client, "prod-ctr", "users", hour, 4)
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(sim.billed("prod-ctr", "users"), 4.0);
}

#[tokio::test]
async fn saas_batch_reports_every_record_with_its_outcome() {
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-saas"))
        .customer(Customer::new("cust-2", "222222222222"))
        .access_key("AKID", "SECRET")
        .unprocessed_share(0.5)
        .seed(3)
        .clock(now)
        .start()
        .await
        .unwrap();
    let record = |account: &str, hours_ago: u64| {
        UsageRecord::builder()
            .customer_aws_account_id(account)
            .dimension("users")
            .quantity_as_decimal("2")
            .timestamp(now() - Duration::from_secs(hours_ago * 3600))
            .build()
    };
    let records: Vec<UsageRecord> = (0..6)
        .map(|n| record("111111111111", n))
        .chain([record("222222222222", 0)])
        .collect();
    let outcomes = saas::report(&client(&sim), "prod-saas", records.clone(), 10)
        .await
        .unwrap();
    assert_eq!(outcomes.len(), records.len(), "{outcomes:?}");
    let metered = outcomes
        .iter()
        .filter(|(_, outcome)| matches!(outcome, saas::RecordOutcome::Metered(_)))
        .count();
    assert_eq!(metered, 6, "{outcomes:?}");
    assert!(outcomes.contains(&(
        records[6].clone(),
        saas::RecordOutcome::CustomerNotSubscribed
    )));
    assert_eq!(sim.billed("prod-saas", "users"), 12.0);
}

#[tokio::test]
async fn a_registration_post_resolves_to_its_customer() {
    let sim = Simulator::builder()
        .product(Product::new("prod-saas", ProductKind::Saas).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-saas"))
        .registration_token(RegistrationToken::new("tok+en/1=", "cust-1", "prod-saas"))
        .access_key("AKID", "SECRET")
        .clock(now)
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    let body = b"name=Jo&x-amzn-marketplace-token=tok%2Ben%2F1%3D";
    let customer = registration::resolve(&client, body).await.unwrap().unwrap();
    assert_eq!(
        customer,
        registration::NewCustomer {
            customer_identifier: "cust-1".into(),
            product_code: "prod-saas".into(),
            customer_aws_account_id: Some("111111111111".into()),
        }
    );
    assert_eq!(
        registration::resolve(&client, b"name=Jo").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn register_usage_tells_entitled_from_not_entitled() {
    let sim = Simulator::builder()
        .product(Product::new("prod-ctr", ProductKind::Container).dimensions(["users"]))
        .product(Product::new("prod-other", ProductKind::Container).dimensions(["users"]))
        .customer(Customer::new("cust-1", "111111111111").subscribed_to("prod-ctr"))
        .buyer_account("111111111111")
        .access_key("AKID", "SECRET")
        .clock(now)
        .start()
        .await
        .unwrap();
    let client = client(&sim);
    match register::register(&client, "prod-ctr", "nonce-1")
        .await
        .unwrap()
    {
        register::Entitlement::Entitled { signature } => {
            assert_eq!(signature.split('.').count(), 3, "{signature}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        register::register(&client, "prod-other", "nonce-2")
            .await
            .unwrap(),
        register::Entitlement::NotEntitled
    );
}
