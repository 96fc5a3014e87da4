//! The default chain's order and fall-through, its one combined error, and the
//! client's credentials cache (refresh with a controllable clock, one fetch for
//! concurrent calls, old credentials kept through a failed refresh), seen
//! through the client and the wire.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::ManualClock;
use integration_tests::emulators::{ContainerEmulator, ImdsEmulator, StsEmulator};
use integration_tests::{refused_url, verify, RecordedRequest, Reply, TestServer};
use marketplace_metering::config::credentials::{
    ContainerCredentialsProvider, Credentials, CredentialsCache, CredentialsError,
    ProvideCredentials, ProvideCredentialsFuture,
};
use marketplace_metering::error::{CredentialsErrorKind, SdkError};
use marketplace_metering::operation::meter_usage::MeterUsageError;
use marketplace_metering::{Client, Config, DateTime};

async fn meter(client: &Client) -> Result<(), SdkError<MeterUsageError>> {
    client
        .meter_usage()
        .product_code("prod-abc")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .send()
        .await
        .map(|_| ())
}

async fn metering_server() -> TestServer {
    TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"r"}"#)).await
}

fn key_of(request: &RecordedRequest) -> String {
    request
        .header("authorization")
        .and_then(|h| h.split("Credential=").nth(1))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn nothing_anywhere_fails_only_when_a_request_needs_credentials_with_one_error() {
    let metering = metering_server().await;
    let imds = refused_url();
    let config = Config::from_vars([
        ("HOME", "/nonexistent".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", metering.url()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.clone()),
    ])
    .await
    .expect("loading needs no credentials")
    .build();
    let error = meter(&Client::from_conf(config)).await.unwrap_err();
    match &error {
        SdkError::Credentials(error) => {
            assert_eq!(error.kind(), CredentialsErrorKind::NotLoaded);
            assert!(!error.is_retryable());
        }
        other => panic!("expected a credentials error, got {other:?}"),
    }
    let text = error.to_string();
    let expected_start = "no credentials to sign with: default credentials \
         chain: no credentials found; asked in order: \
         1. environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; \
         2. profile `default`: there is no profile `default` in /nonexistent/.aws/config (not \
         found) or /nonexistent/.aws/credentials (not found); \
         3. web identity token: AWS_WEB_IDENTITY_TOKEN_FILE is not set; \
         4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and \
         AWS_CONTAINER_CREDENTIALS_FULL_URI are not set; \
         5. EC2 instance metadata (IMDSv2): no instance metadata service answered at ";
    assert!(text.starts_with(expected_start), "{text}");
    assert!(
        text.contains(&format!("{imds} (2 attempts): cannot connect")),
        "{text}"
    );
    assert_eq!(
        metering.request_count().await,
        0,
        "nothing is sent unsigned"
    );
}

/// Which of the emulators answered, for a configuration with all of them.
struct Everything {
    metering: TestServer,
    sts: StsEmulator,
    container: ContainerEmulator,
    imds: ImdsEmulator,
    dir: std::path::PathBuf,
}

impl Everything {
    async fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mm-chain-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), "jwt").unwrap();
        std::fs::write(
            dir.join("credentials"),
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = PROFILESECRET\n",
        )
        .unwrap();
        let sts = StsEmulator::start().await;
        sts.expect_web_identity_token("jwt");
        Everything {
            metering: metering_server().await,
            sts,
            container: ContainerEmulator::start(None).await,
            imds: ImdsEmulator::start(Some("role"), "us-east-1").await,
            dir,
        }
    }

    /// Every source configured, less those in `without`.
    fn vars(&self, without: &[&str]) -> Vec<(String, String)> {
        let dir = self.dir.display();
        let all = [
            ("environment", "AWS_ACCESS_KEY_ID", "AKIDENV".to_owned()),
            (
                "environment",
                "AWS_SECRET_ACCESS_KEY",
                "ENVSECRET".to_owned(),
            ),
            (
                "profile",
                "AWS_SHARED_CREDENTIALS_FILE",
                format!("{dir}/credentials"),
            ),
            (
                "web identity",
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                format!("{dir}/token"),
            ),
            (
                "web identity",
                "AWS_ROLE_ARN",
                "arn:aws:iam::1:role/irsa".to_owned(),
            ),
            (
                "container",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                self.container.url(),
            ),
            ("imds", "AWS_EC2_METADATA_SERVICE_ENDPOINT", self.imds.url()),
        ];
        let mut vars: Vec<(String, String)> = all
            .into_iter()
            .filter(|(source, _, _)| !without.contains(source))
            .map(|(_, name, value)| (name.to_owned(), value))
            .collect();
        if without.contains(&"imds") {
            vars.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT".into(), refused_url()));
        }
        vars.extend([
            ("AWS_CONFIG_FILE".to_owned(), "/nonexistent".to_owned()),
            ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
            ("AWS_ENDPOINT_URL_STS".to_owned(), self.sts.url()),
            (
                "AWS_ENDPOINT_URL_MARKETPLACE_METERING".to_owned(),
                self.metering.url(),
            ),
        ]);
        vars
    }

    /// The access key the metering request was signed with, and how many
    /// requests each source got.
    async fn sign_with(&self, without: &[&str]) -> (String, [usize; 3]) {
        let config = Config::from_vars(self.vars(without)).await.unwrap().build();
        meter(&Client::from_conf(config)).await.unwrap();
        let requests = self.metering.requests().await;
        let key = key_of(requests.last().unwrap());
        (
            key,
            [
                self.sts.server().request_count().await,
                self.container.server().request_count().await,
                self.imds.server().request_count().await,
            ],
        )
    }
}

impl Drop for Everything {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn the_chain_asks_in_the_standard_order() {
    let everything = Everything::new("order").await;
    // (sources left out, key expected, requests [STS, container, IMDS] so far)
    let steps: [(&[&str], &str, [usize; 3]); 5] = [
        (&[], "AKIDENV", [0, 0, 0]),
        (&["environment"], "AKIDPROFILE", [0, 0, 0]),
        (&["environment", "profile"], "ASIASTS1", [1, 0, 0]),
        (
            &["environment", "profile", "web identity"],
            "ASIACONTAINER1",
            [1, 1, 0],
        ),
        (
            &["environment", "profile", "web identity", "container"],
            "ASIAIMDS1",
            [1, 1, 3],
        ),
    ];
    for (without, key, counts) in steps {
        assert_eq!(
            everything.sign_with(without).await,
            (key.to_owned(), counts),
            "without {without:?}"
        );
    }
}

#[tokio::test]
async fn a_configured_provider_that_fails_stops_the_chain() {
    let everything = Everything::new("stops").await;
    everything.sts.expect_web_identity_token("another token");
    let config = Config::from_vars(everything.vars(&["environment", "profile"]))
        .await
        .unwrap()
        .build();
    let error = meter(&Client::from_conf(config)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with(
            "no credentials to sign with: default credentials chain: \
             web identity token is configured but failed; asked in order: 1. environment"
        ),
        "{text}"
    );
    assert!(text.contains("InvalidIdentityToken"), "{text}");
    // Neither the container endpoint nor IMDS stood in for the broken role.
    assert_eq!(everything.container.server().request_count().await, 0);
    assert_eq!(everything.imds.server().request_count().await, 0);
    assert_eq!(everything.metering.request_count().await, 0);
}

/// A client for `metering` that caches credentials from the container endpoint
/// `agent` (no jitter), and the clock its cache reads.
fn client_with_cache(metering: &TestServer, agent: &ContainerEmulator) -> (Client, ManualClock) {
    let clock = ManualClock::new();
    let provider = ContainerCredentialsProvider::from_vars([(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        agent.url(),
    )]);
    let cache = CredentialsCache::builder(provider)
        .time_source(clock.clone())
        .jitter(Duration::ZERO)
        .build();
    let client = Client::from_conf(
        Config::builder()
            .region("us-east-1")
            .endpoint_url(metering.url())
            .credentials_cache(cache)
            .build(),
    );
    (client, clock)
}

#[tokio::test]
async fn the_client_refreshes_credentials_before_they_expire() {
    let metering = metering_server().await;
    let agent = ContainerEmulator::start(None).await;
    let (client, clock) = client_with_cache(&metering, &agent);
    meter(&client).await.unwrap();
    meter(&client).await.unwrap();
    assert_eq!(agent.issued().len(), 1, "cached between calls");
    // The emulator's credentials last 6 hours; 5 minutes before that, refresh.
    clock.advance(Duration::from_secs(6 * 3600 - 5 * 60 + 1));
    meter(&client).await.unwrap();
    let issued = agent.issued();
    assert_eq!(issued.len(), 2);
    let requests = metering.requests().await;
    let keys: Vec<String> = requests.iter().map(key_of).collect();
    assert_eq!(
        keys,
        [
            issued[0].access_key_id.clone(),
            issued[0].access_key_id.clone(),
            issued[1].access_key_id.clone()
        ]
    );
    verify(&requests[2], &issued[1].secret_access_key).unwrap();
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_valid_credentials() {
    let metering = metering_server().await;
    let agent = ContainerEmulator::start(None).await;
    let (client, clock) = client_with_cache(&metering, &agent);
    meter(&client).await.unwrap();
    agent.set_reply(Reply::new(500));
    clock.advance(Duration::from_secs(6 * 3600 - 60));
    meter(&client)
        .await
        .expect("the old credentials are still valid");
    let first = agent.issued()[0].access_key_id.clone();
    assert_eq!(key_of(&metering.requests().await[1]), first);
    // Once they expire, the failure is the call's.
    clock.advance(Duration::from_secs(120));
    let error = meter(&client).await.unwrap_err();
    assert!(error.to_string().contains("answered HTTP 500"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_credentials_fetch() {
    let metering = metering_server().await;
    let slow_agent = TestServer::always(
        Reply::new(200)
            .body(
                r#"{"AccessKeyId":"ASIASHARED","SecretAccessKey":"SHAREDSECRET","Token":"T","Expiration":"2099-01-01T00:00:00Z"}"#,
            )
            .delayed(Duration::from_millis(300)),
    )
    .await;
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(metering.url())
        .credentials_provider(ContainerCredentialsProvider::from_vars([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            slow_agent.url(),
        )]))
        .build();
    let client = Client::from_conf(config);
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { meter(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        slow_agent.request_count().await,
        1,
        "one fetch for ten calls"
    );
    for request in metering.requests().await {
        verify(&request, "SHAREDSECRET").unwrap();
    }
}

/// A provider of the user's own: counts its calls, fails with its own words.
#[derive(Debug)]
struct Vault {
    calls: Arc<AtomicUsize>,
    sealed: bool,
}

impl ProvideCredentials for Vault {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.sealed {
                return Err(CredentialsError::provider_error(
                    "vault",
                    "the vault is sealed",
                ));
            }
            Ok(Credentials::new("AKIDVAULT", "VAULTSECRET", None))
        })
    }
}

#[tokio::test]
async fn a_provider_of_ones_own() {
    let metering = metering_server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let config = Config::from_vars([("AWS_REGION", "us-east-1"), ("HOME", "/nonexistent")])
        .await
        .unwrap()
        .endpoint_url(metering.url())
        .credentials_provider(Vault {
            calls: calls.clone(),
            sealed: false,
        })
        .build();
    let client = Client::from_conf(config);
    meter(&client).await.unwrap();
    meter(&client).await.unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "static credentials are cached"
    );
    verify(&metering.requests().await[0], "VAULTSECRET").unwrap();

    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(metering.url())
        .credentials_provider(Vault {
            calls: calls.clone(),
            sealed: true,
        })
        .build();
    let error = meter(&Client::from_conf(config)).await.unwrap_err();
    assert!(matches!(error, SdkError::Credentials(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "no credentials to sign with: vault: the vault is sealed"
    );
}

#[tokio::test]
async fn secrets_stay_out_of_debug() {
    let config = Config::from_vars([
        ("HOME", "/nonexistent"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDVISIBLE"),
        ("AWS_SECRET_ACCESS_KEY", "SECRETVALUE"),
        ("AWS_SESSION_TOKEN", "SESSIONTOKENVALUE"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "CONTAINERTOKENVALUE"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        // A closed loopback port: the call fails without leaving this machine.
        (
            "AWS_ENDPOINT_URL_MARKETPLACE_METERING",
            "http://127.0.0.1:1",
        ),
    ])
    .await
    .unwrap()
    .build();
    let client = Client::from_conf(config.clone());
    meter(&client).await.ok();
    let credentials = config
        .credentials_cache()
        .unwrap()
        .credentials()
        .await
        .unwrap();
    assert_eq!(credentials.access_key_id(), "AKIDVISIBLE");
    for text in [
        format!("{config:?}"),
        format!("{client:#?}"),
        format!("{credentials:?}"),
    ] {
        for secret in ["SECRETVALUE", "SESSIONTOKENVALUE", "CONTAINERTOKENVALUE"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
