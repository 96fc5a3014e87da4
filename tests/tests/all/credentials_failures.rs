//! What a flaky or hostile credentials source does to a metering call, per
//! source (STS for EKS IRSA, the container endpoint, EC2 instance metadata,
//! `credential_process`): a source that fails once, throttles, fails always,
//! hangs, answers with something truncated, or refuses.
//!
//! A transient failure is retried inside the provider (3 attempts, standard
//! backoff); if it lasts, the call fails with a retryable
//! `SdkError::Credentials` that the call's own retries may try again. A refusal
//! or a malformed answer is final at once. Nothing is ever sent unsigned.

use std::time::{Duration, Instant};

use crate::common::{meter_usage, meter_usage_with, Environment};
use integration_tests::emulators::{
    sts_credentials, sts_error, ContainerEmulator, ImdsEmulator, Issued, StsEmulator,
};
use integration_tests::{Fault, Reply};
use marketplace_metering::config::RetryConfig;
use marketplace_metering::error::{CredentialsError, CredentialsErrorKind, SdkError};
use marketplace_metering::operation::meter_usage::MeterUsageError;

const WEB_IDENTITY_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.irsa-token.sig";

/// An EKS pod with IRSA whose STS is `sts`, as the pod identity webhook sets it up.
async fn irsa(name: &str) -> (Environment, StsEmulator) {
    let mut env = Environment::new(name).await;
    let sts = StsEmulator::start().await;
    sts.expect_web_identity_token(WEB_IDENTITY_TOKEN);
    let token_file = env.dir.write("token", WEB_IDENTITY_TOKEN);
    env.var("AWS_REGION", "us-west-2");
    env.var("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/metering");
    env.var("AWS_WEB_IDENTITY_TOKEN_FILE", token_file);
    env.var("AWS_ENDPOINT_URL_STS", sts.url());
    (env, sts)
}

/// An ECS task or EKS Pod Identity pod whose agent is `agent`.
async fn container(name: &str) -> (Environment, ContainerEmulator) {
    let mut env = Environment::new(name).await;
    let agent = ContainerEmulator::start(Some("agent-token")).await;
    env.var("AWS_REGION", "us-east-2");
    env.var(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        format!("{}/v1/credentials", agent.url()),
    );
    env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN", "agent-token");
    (env, agent)
}

/// An EC2 instance whose metadata service is `imds`.
async fn ec2(name: &str) -> (Environment, ImdsEmulator) {
    let mut env = Environment::new(name).await;
    let imds = ImdsEmulator::start(Some("metering-role"), "eu-west-1").await;
    env.var("AWS_REGION", "eu-west-1");
    env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
    (env, imds)
}

/// The call's credentials error, or a panic saying what came instead.
fn credentials_error(result: Result<(), SdkError<MeterUsageError>>) -> CredentialsError {
    match result {
        Err(SdkError::Credentials(error)) => error,
        other => panic!("expected a credentials error, got {other:?}"),
    }
}

/// A call that is not retried, so each test counts one provider's attempts.
fn one_attempt(
    builder: marketplace_metering::config::ConfigBuilder,
) -> marketplace_metering::config::ConfigBuilder {
    builder.retry_config(RetryConfig::standard().with_max_attempts(1))
}

/// A successful STS answer cut in half: well-formed HTTP, malformed XML.
fn truncated(reply: Reply) -> Reply {
    let half = reply.body.len() / 2;
    let body = reply.body[..half].to_vec();
    Reply { body, ..reply }
}

fn issued() -> Issued {
    Issued {
        access_key_id: "ASIAONE".into(),
        secret_access_key: "SECRETONE".into(),
        session_token: "TOKENONE".into(),
        expiration: "2099-01-01T00:00:00Z".into(),
    }
}

// ------------------------------------------------------------------- STS (IRSA)

#[tokio::test]
async fn irsa_meters_when_sts_is_unavailable_once() {
    let (env, sts) = irsa("sts-503").await;
    sts.fail_next([sts_error(
        503,
        "ServiceUnavailable",
        "Service is unavailable",
    )]);
    meter_usage(&env.vars).await.expect("STS is asked again");
    assert_eq!(sts.server().request_count().await, 2);
    assert_eq!(env.metering.request_count().await, 1);
}

#[tokio::test]
async fn irsa_meters_when_sts_throttles_once() {
    let (env, sts) = irsa("sts-throttle").await;
    sts.fail_next([sts_error(400, "Throttling", "Rate exceeded")]);
    meter_usage(&env.vars).await.expect("STS is asked again");
    assert_eq!(sts.server().request_count().await, 2);
    assert_eq!(env.metering.request_count().await, 1);
}

#[tokio::test]
async fn irsa_meters_when_the_identity_provider_is_unreachable_once() {
    let (env, sts) = irsa("sts-idp").await;
    sts.fail_next([sts_error(
        400,
        "IDPCommunicationError",
        "The identity provider could not be reached",
    )]);
    meter_usage(&env.vars).await.expect("STS is asked again");
    assert_eq!(sts.server().request_count().await, 2);
}

#[tokio::test]
async fn irsa_meters_when_the_sts_connection_breaks_mid_answer_once() {
    let (env, sts) = irsa("sts-reset").await;
    sts.fail_next([
        sts_credentials("AssumeRoleWithWebIdentity", &issued()).with_fault(Fault::ResetMidBody)
    ]);
    meter_usage(&env.vars).await.expect("STS is asked again");
    assert_eq!(sts.server().request_count().await, 2);
}

#[tokio::test]
async fn irsa_access_denied_fails_at_once_with_a_credentials_error() {
    let (env, sts) = irsa("sts-denied").await;
    sts.fail_next([sts_error(
        403,
        "AccessDenied",
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )]);
    let started = Instant::now();
    let error = credentials_error(meter_usage(&env.vars).await);
    assert!(!error.is_retryable(), "{error:?}");
    assert_eq!(error.kind(), CredentialsErrorKind::ProviderError);
    let text = error.to_string();
    assert!(
        text.contains("AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity"),
        "{text}"
    );
    assert!(!text.contains(WEB_IDENTITY_TOKEN), "{text}");
    assert_eq!(sts.server().request_count().await, 1, "not retried");
    assert_eq!(env.metering.request_count().await, 0);
    // No backoff was waited for a final answer.
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn irsa_with_sts_down_fails_with_a_retryable_credentials_error() {
    let (env, sts) = irsa("sts-down").await;
    sts.set_reply(Some(sts_error(503, "ServiceUnavailable", "down")));
    let error = credentials_error(meter_usage_with(&env.vars, one_attempt).await);
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.kind(), CredentialsErrorKind::TransientFailure);
    assert!(error.to_string().contains("3 attempts failed"), "{error}");
    assert_eq!(sts.server().request_count().await, 3);
    assert_eq!(env.metering.request_count().await, 0);
}

#[tokio::test]
async fn a_transient_credentials_failure_is_retried_by_the_call() {
    let (env, sts) = irsa("sts-call-retry").await;
    // Three failures use up the provider's attempts; the call's second attempt
    // asks again and gets credentials.
    sts.fail_next((0..3).map(|_| sts_error(500, "InternalFailure", "oops")));
    meter_usage_with(&env.vars, |builder| {
        builder.retry_config(RetryConfig::standard().with_max_attempts(2))
    })
    .await
    .expect("the call retries");
    assert_eq!(sts.server().request_count().await, 4);
    assert_eq!(env.metering.request_count().await, 1);
}

#[tokio::test]
async fn irsa_with_a_truncated_sts_answer_fails_at_once() {
    let (env, sts) = irsa("sts-truncated").await;
    sts.fail_next([truncated(sts_credentials(
        "AssumeRoleWithWebIdentity",
        &issued(),
    ))]);
    let error = credentials_error(meter_usage(&env.vars).await);
    assert!(!error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("not well-formed XML"), "{error}");
    assert!(!error.to_string().contains("SECRETONE"), "{error}");
    assert_eq!(sts.server().request_count().await, 1);
}

#[tokio::test]
async fn irsa_with_a_hanging_sts_ends_at_the_operation_timeout() {
    let (env, sts) = irsa("sts-hang").await;
    sts.set_reply(Some(Reply::hang()));
    let started = Instant::now();
    let result = meter_usage_with(&env.vars, |builder| {
        builder.operation_timeout(Duration::from_millis(800))
    })
    .await;
    match result {
        Err(SdkError::Transport(error)) => assert!(error.is_operation_timeout(), "{error}"),
        other => panic!("expected the operation timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(env.metering.request_count().await, 0);
}

// ------------------------------------------------------------------- container

#[tokio::test]
async fn the_container_agent_failing_once_or_throttling_once_still_meters() {
    for (name, failure) in [
        ("container-500", Reply::new(500)),
        ("container-429", Reply::new(429)),
        ("container-close", Reply::close()),
    ] {
        let (env, agent) = container(name).await;
        agent.fail_next([failure]);
        meter_usage(&env.vars)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(agent.server().request_count().await, 2, "{name}");
        assert_eq!(env.metering.request_count().await, 1, "{name}");
    }
}

#[tokio::test]
async fn the_container_agent_refusing_fails_at_once_without_echoing_the_token() {
    let (env, agent) = container("container-denied").await;
    agent.fail_next([Reply::new(403)
        .header("content-type", "application/json")
        .body(r#"{"code":"AccessDenied","message":"token agent-token\nis not allowed"}"#)]);
    let error = credentials_error(meter_usage(&env.vars).await);
    assert!(!error.is_retryable(), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("HTTP 403: AccessDenied: token ** redacted **"),
        "{text}"
    );
    assert!(
        !text.contains("agent-token") && !text.contains('\n'),
        "{text}"
    );
    assert_eq!(agent.server().request_count().await, 1);
}

#[tokio::test]
async fn the_container_agent_down_is_a_retryable_credentials_error() {
    let (env, agent) = container("container-down").await;
    agent.set_reply(Reply::new(503));
    let error = credentials_error(meter_usage_with(&env.vars, one_attempt).await);
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(agent.server().request_count().await, 3);
    assert_eq!(env.metering.request_count().await, 0);
}

#[tokio::test]
async fn a_truncated_container_answer_fails_at_once() {
    let (env, agent) = container("container-truncated").await;
    agent.fail_next([Reply::json(
        200,
        r#"{"AccessKeyId":"ASIA","SecretAccessKey":"SEC"#,
    )]);
    let error = credentials_error(meter_usage(&env.vars).await);
    assert!(!error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("is not JSON"), "{error}");
    assert_eq!(agent.server().request_count().await, 1);
}

#[tokio::test]
async fn a_hanging_container_agent_ends_at_the_operation_timeout() {
    let (env, agent) = container("container-hang").await;
    agent.set_reply(Reply::hang());
    let started = Instant::now();
    let result = meter_usage_with(&env.vars, |builder| {
        builder.operation_timeout(Duration::from_millis(800))
    })
    .await;
    assert!(
        matches!(&result, Err(SdkError::Transport(error)) if error.is_operation_timeout()),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

// ------------------------------------------------------------------- IMDS

#[tokio::test]
async fn imds_failing_once_still_meters() {
    let (env, imds) = ec2("imds-503").await;
    imds.fail_next([Reply::new(503)]);
    meter_usage(&env.vars).await.expect("IMDS is asked again");
    assert_eq!(env.metering.request_count().await, 1);
}

#[tokio::test]
async fn imds_failing_always_is_a_retryable_credentials_error() {
    let (env, imds) = ec2("imds-down").await;
    imds.set_credentials_reply(Reply::new(500));
    let error = credentials_error(meter_usage_with(&env.vars, one_attempt).await);
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.kind(), CredentialsErrorKind::TransientFailure);
    assert_eq!(env.metering.request_count().await, 0);
}

#[tokio::test]
async fn a_truncated_imds_answer_fails_at_once() {
    let (env, imds) = ec2("imds-truncated").await;
    imds.fail_next([Reply::new(200).body(r#"{"Code":"Success","AccessKeyId":"AS"#)]);
    let error = credentials_error(meter_usage(&env.vars).await);
    assert!(!error.is_retryable(), "{error:?}");
    assert!(error.to_string().contains("is not JSON"), "{error}");
}

// ------------------------------------------------------------------- credential_process

/// A profile whose `credential_process` is the shell `script`, which can count
/// its runs in the file `runs`.
fn with_credential_process(env: &mut Environment, script: &str) {
    let script = env.dir.write("helper.sh", script);
    let config = env.dir.write(
        "config",
        &format!("[default]\nregion = us-east-1\ncredential_process = sh {script}\n"),
    );
    env.var("AWS_CONFIG_FILE", config);
}

const PRINT_CREDENTIALS: &str =
    r#"printf '%s' '{"Version":1,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"PROCESSSECRET"}'"#;

#[tokio::test]
async fn a_hung_credential_process_is_killed_and_the_call_tries_again() {
    let mut env = Environment::new("process-hang").await;
    let runs = env.dir.path().join("runs");
    // The first run hangs; the next one answers.
    let script = format!(
        "echo run >> {runs}\nif [ $(wc -l < {runs}) -eq 1 ]; then exec sleep 30; fi\n{PRINT_CREDENTIALS}\n",
        runs = runs.display()
    );
    with_credential_process(&mut env, &script);
    let started = Instant::now();
    meter_usage_with(&env.vars, |builder| {
        builder.credential_process_timeout(Duration::from_millis(500))
    })
    .await
    .expect("the second run gives credentials");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 2);
    assert_eq!(env.metering.request_count().await, 1);
}

#[tokio::test]
async fn a_failing_or_truncated_credential_process_fails_at_once() {
    for (name, output, expected) in [
        ("process-exit", "exit 3", "failed: exit status: 3"),
        (
            "process-truncated",
            r#"printf '%s' '{"Version":1,"AccessKeyId":"AKID","Secret'"#,
            "that are not JSON",
        ),
    ] {
        let mut env = Environment::new(name).await;
        let runs = env.dir.path().join("runs");
        with_credential_process(
            &mut env,
            &format!("echo run >> {}\n{output}\n", runs.display()),
        );
        let error = credentials_error(meter_usage(&env.vars).await);
        assert!(!error.is_retryable(), "{name}: {error:?}");
        assert!(error.to_string().contains(expected), "{name}: {error}");
        assert_eq!(
            std::fs::read_to_string(&runs).unwrap().lines().count(),
            1,
            "{name}: run once"
        );
        assert_eq!(env.metering.request_count().await, 0);
    }
}
