//! The same code, unchanged, gets credentials where metering runs — a laptop
//! with a profile, an ECS task, an EKS pod with IRSA or Pod Identity, an EC2
//! instance with IMDSv2 — and signs MeterUsage with them.
//!
//! Each test emulates one environment on loopback: the variables that
//! environment sets (passed with `Config::from_vars`, never the process
//! environment), and the credentials endpoint it has. Every test points IMDS at
//! a loopback server, so nothing ever reaches 169.254.169.254; those that are not
//! on EC2 check that it was never asked.

use crate::common::{meter_usage, Environment};
use integration_tests::emulators::{form, ContainerEmulator, ImdsEmulator, Issued, StsEmulator};
use integration_tests::{verify, RecordedRequest};

/// Checks that `request` is MeterUsage signed with `key`/`secret` for `region`,
/// with `token` sent and signed.
fn assert_signed(
    request: &RecordedRequest,
    key: &str,
    secret: &str,
    token: Option<&str>,
    region: &str,
) {
    assert_eq!(
        request.header("x-amz-target"),
        Some("AWSMPMeteringService.MeterUsage")
    );
    let outcome = verify(request, secret).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.access_key_id, key);
    assert_eq!(outcome.region, region);
    assert_eq!(outcome.service, "aws-marketplace");
    assert_eq!(request.header("x-amz-security-token"), token);
    if token.is_some() {
        assert!(outcome
            .signed_headers
            .iter()
            .any(|h| h == "x-amz-security-token"));
    }
}

fn assert_signed_with(request: &RecordedRequest, issued: &Issued, region: &str) {
    assert_signed(
        request,
        &issued.access_key_id,
        &issued.secret_access_key,
        Some(&issued.session_token),
        region,
    );
}

#[tokio::test]
async fn a_laptop_with_a_profile() {
    let mut env = Environment::new("laptop").await;
    let config = env
        .dir
        .write("config", "[profile seller]\nregion = eu-west-1\n");
    let credentials = env.dir.write(
        "credentials",
        "[seller]\naws_access_key_id = AKIDLAPTOP\naws_secret_access_key = LAPTOPSECRET\n",
    );
    env.var("AWS_CONFIG_FILE", config);
    env.var("AWS_SHARED_CREDENTIALS_FILE", credentials);
    env.var("AWS_PROFILE", "seller");

    meter_usage(&env.vars)
        .await
        .expect("signed with the profile's keys");
    let request = env.only_metering_request().await;
    assert_signed(&request, "AKIDLAPTOP", "LAPTOPSECRET", None, "eu-west-1");
    env.assert_imds_never_asked().await;
}

#[tokio::test]
async fn a_laptop_profile_that_assumes_a_role() {
    let mut env = Environment::new("laptop-role").await;
    let sts = StsEmulator::start().await;
    sts.trust("AKIDLAPTOP", "LAPTOPSECRET");
    let config = env.dir.write(
        "config",
        "[profile metering]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/metering\n\
         source_profile = laptop\nrole_session_name = laptop-session\nexternal_id = ext-1\n\
         [profile laptop]\nregion = us-east-1\n",
    );
    let credentials = env.dir.write(
        "credentials",
        "[laptop]\naws_access_key_id = AKIDLAPTOP\naws_secret_access_key = LAPTOPSECRET\n",
    );
    env.var("AWS_CONFIG_FILE", config);
    env.var("AWS_SHARED_CREDENTIALS_FILE", credentials);
    env.var("AWS_PROFILE", "metering");
    env.var("AWS_ENDPOINT_URL_STS", sts.url());

    meter_usage(&env.vars)
        .await
        .expect("signed with the role's credentials");
    let assume = &sts.server().requests().await[0];
    let fields = form(assume);
    assert_eq!(fields["Action"], "AssumeRole");
    assert_eq!(fields["RoleArn"], "arn:aws:iam::123456789012:role/metering");
    assert_eq!(fields["RoleSessionName"], "laptop-session");
    assert_eq!(fields["ExternalId"], "ext-1");
    // AssumeRole is signed with the source profile's keys, for STS in the region.
    let signed = verify(assume, "LAPTOPSECRET").unwrap();
    assert_eq!(
        (
            signed.access_key_id.as_str(),
            signed.service.as_str(),
            signed.region.as_str()
        ),
        ("AKIDLAPTOP", "sts", "eu-west-1")
    );
    let role = &sts.issued()[0];
    assert_signed_with(&env.only_metering_request().await, role, "eu-west-1");
    env.assert_imds_never_asked().await;
}

#[tokio::test]
async fn an_ecs_task() {
    let mut env = Environment::new("ecs").await;
    let agent = ContainerEmulator::start(Some("ecs-task-authorization")).await;
    env.var("AWS_REGION", "us-east-2");
    // ECS sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI for 169.254.170.2, which a
    // test cannot bind; the full URI form (ECS Anywhere, local agents) with a
    // token is the same request to a loopback agent.
    env.var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("{}/v2/credentials/0f1e2d3c", agent.url()),
    );
    env.var(
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "ecs-task-authorization",
    );

    meter_usage(&env.vars)
        .await
        .expect("signed with the task role");
    let asked = &agent.server().requests().await[0];
    assert_eq!(
        (asked.method.as_str(), asked.path.as_str()),
        ("GET", "/v2/credentials/0f1e2d3c")
    );
    assert_eq!(
        asked.header("authorization"),
        Some("ecs-task-authorization")
    );
    assert_signed_with(
        &env.only_metering_request().await,
        &agent.issued()[0],
        "us-east-2",
    );
    env.assert_imds_never_asked().await;
}

#[tokio::test]
async fn an_eks_pod_with_irsa() {
    let mut env = Environment::new("irsa").await;
    let sts = StsEmulator::start().await;
    sts.expect_web_identity_token("eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.sig");
    let token_file = env.dir.write(
        "token",
        "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.sig",
    );
    // What the EKS pod identity webhook injects for IRSA.
    env.var("AWS_REGION", "us-west-2");
    env.var("AWS_DEFAULT_REGION", "us-west-2");
    env.var("AWS_STS_REGIONAL_ENDPOINTS", "regional");
    env.var(
        "AWS_ROLE_ARN",
        "arn:aws:iam::123456789012:role/metering-irsa",
    );
    env.var("AWS_WEB_IDENTITY_TOKEN_FILE", token_file);
    env.var("AWS_ROLE_SESSION_NAME", "metering-pod");
    env.var("AWS_ENDPOINT_URL_STS", sts.url());

    meter_usage(&env.vars)
        .await
        .expect("signed with the IRSA role");
    let exchange = &sts.server().requests().await[0];
    assert_eq!(exchange.method, "POST");
    assert!(
        exchange.header("authorization").is_none(),
        "the call is unsigned"
    );
    let fields = form(exchange);
    assert_eq!(fields["Action"], "AssumeRoleWithWebIdentity");
    assert_eq!(fields["Version"], "2011-06-15");
    assert_eq!(
        fields["RoleArn"],
        "arn:aws:iam::123456789012:role/metering-irsa"
    );
    assert_eq!(fields["RoleSessionName"], "metering-pod");
    assert_signed_with(
        &env.only_metering_request().await,
        &sts.issued()[0],
        "us-west-2",
    );
    env.assert_imds_never_asked().await;
}

#[tokio::test]
async fn an_eks_pod_with_pod_identity() {
    let mut env = Environment::new("pod-identity").await;
    let agent = ContainerEmulator::start(Some("eks-pod-identity-token")).await;
    let token_file = env
        .dir
        .write("eks-pod-identity-token", "eks-pod-identity-token\n");
    // What EKS Pod Identity injects (with the agent on 169.254.170.23).
    env.var("AWS_REGION", "eu-central-1");
    env.var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("{}/v1/credentials", agent.url()),
    );
    env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file);

    meter_usage(&env.vars)
        .await
        .expect("signed with the pod's role");
    let asked = &agent.server().requests().await[0];
    assert_eq!(asked.path, "/v1/credentials");
    assert_eq!(
        asked.header("authorization"),
        Some("eks-pod-identity-token")
    );
    assert_signed_with(
        &env.only_metering_request().await,
        &agent.issued()[0],
        "eu-central-1",
    );
    env.assert_imds_never_asked().await;
}

#[tokio::test]
async fn an_ec2_instance_with_imdsv2() {
    let mut env = Environment::new("ec2").await;
    let imds = ImdsEmulator::start(Some("metering-instance-role"), "ap-southeast-2").await;
    // No region anywhere: it comes from the instance metadata too.
    env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());

    meter_usage(&env.vars)
        .await
        .expect("signed with the instance role");
    assert_signed_with(
        &env.only_metering_request().await,
        &imds.issued()[0],
        "ap-southeast-2",
    );
    let requests = imds.server().requests().await;
    let asked: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        asked,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/placement/region"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/metering-instance-role"
            ),
        ],
        "one session token for everything"
    );
    assert_eq!(imds.token_ttls(), [21_600]);
    for request in requests.iter().filter(|r| r.method == "GET") {
        assert_eq!(
            request.header("x-aws-ec2-metadata-token"),
            Some("imds-session-token-1"),
            "IMDSv2 only: every GET carries the session token"
        );
    }
}
