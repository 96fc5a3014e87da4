//! Configuration from the environment and profile files, seen on the wire: where a
//! request goes and how it is signed. Variables are passed with `Config::from_vars`,
//! so no test touches the process environment.

use integration_tests::emulators::ImdsEmulator;
use integration_tests::{verify, Reply, TestServer};
use marketplace_metering::error::SdkError;
use marketplace_metering::{Client, Config, DateTime};
use std::path::PathBuf;

/// A profile file in a fresh temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("mm-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

async fn meter(
    client: &Client,
) -> Result<(), SdkError<marketplace_metering::operation::meter_usage::MeterUsageError>> {
    client
        .meter_usage()
        .product_code("prod")
        .timestamp(DateTime::from_secs(1_700_000_000))
        .usage_dimension("users")
        .send()
        .await
        .map(|_| ())
}

const NO_FILES: [(&str, &str); 2] = [
    ("AWS_CONFIG_FILE", "/nonexistent/config"),
    ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
];

#[tokio::test]
async fn the_service_endpoint_variable_and_credentials_come_from_the_environment() {
    let server = TestServer::always(Reply::json(200, r#"{"MeteringRecordId":"r"}"#)).await;
    let url = server.url();
    let mut vars = vec![
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "SECRETENV"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ENDPOINT_URL_MARKETPLACE_METERING", url.as_str()),
    ];
    vars.extend(NO_FILES);
    let config = Config::from_vars(vars).await.unwrap().build();
    meter(&Client::from_conf(config))
        .await
        .expect("sent to the service-specific URL");
    let request = &server.requests().await[0];
    let signed = verify(request, "SECRETENV").expect("signed with the environment's key");
    assert_eq!(
        (signed.access_key_id.as_str(), signed.region.as_str()),
        ("AKIDENV", "eu-west-1")
    );
}

#[tokio::test]
async fn a_profile_gives_region_keys_and_the_services_endpoint() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let config_file = TempFile::new(
        "config",
        &format!(
            "[profile seller]\nregion = ap-southeast-2\nservices = local\n\n[services local]\nmarketplace_metering =\n  endpoint_url = {}\n",
            server.url()
        ),
    );
    let credentials_file = TempFile::new(
        "credentials",
        "[seller]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = SECRETPROFILE\n",
    );
    let vars = [
        ("AWS_PROFILE", "seller"),
        ("AWS_CONFIG_FILE", config_file.path()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials_file.path()),
    ];
    let config = Config::from_vars(vars).await.unwrap().build();
    meter(&Client::from_conf(config))
        .await
        .expect("sent to the profile's services endpoint");
    let signed = verify(&server.requests().await[0], "SECRETPROFILE").unwrap();
    assert_eq!(
        (signed.access_key_id.as_str(), signed.region.as_str()),
        ("AKIDPROFILE", "ap-southeast-2")
    );
}

#[tokio::test]
async fn explicit_settings_win_over_the_environment() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let mut vars = vec![
        ("AWS_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "SECRETENV"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ];
    vars.extend(NO_FILES);
    let config = Config::from_vars(vars)
        .await
        .unwrap()
        .region("us-west-2")
        .endpoint_url(server.url())
        .build();
    meter(&Client::from_conf(config)).await.unwrap();
    assert_eq!(
        verify(&server.requests().await[0], "SECRETENV")
            .unwrap()
            .region,
        "us-west-2"
    );
}

#[tokio::test]
async fn fips_with_a_custom_endpoint_is_the_rule_sets_error_and_nothing_is_sent() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let mut vars = vec![
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
    ];
    vars.extend(NO_FILES);
    let config = Config::from_vars(vars)
        .await
        .unwrap()
        .endpoint_url(server.url())
        .build();
    let error = meter(&Client::from_conf(config)).await.unwrap_err();
    assert!(matches!(error, SdkError::Config(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("FIPS and custom endpoint are not supported"),
        "{error}"
    );
    assert!(server.requests().await.is_empty());
}

#[tokio::test]
async fn a_bad_boolean_names_its_variable() {
    let mut vars = vec![("AWS_USE_DUALSTACK_ENDPOINT", "maybe")];
    vars.extend(NO_FILES);
    let error = Config::from_vars(vars).await.unwrap_err().to_string();
    assert!(
        error.contains("AWS_USE_DUALSTACK_ENDPOINT") && error.contains("maybe"),
        "{error}"
    );
}

#[tokio::test]
async fn without_a_region_the_rule_set_says_so_before_any_io() {
    let config = Config::builder()
        .credentials(marketplace_metering::Credentials::new("A", "S", None))
        .build();
    let error = meter(&Client::from_conf(config)).await.unwrap_err();
    assert!(error.to_string().contains("Missing Region"), "{error}");
}

/// A region that would put another host in the endpoint's URL
/// (`https://metering.marketplace.x.example.org/.amazonaws.com`).
const HOSTILE_REGION: &str = "x.example.org/";

/// Variables for a configuration that would send to `server` and sign with
/// static keys, without instance metadata, plus `extra`.
fn vars_for<'a>(server: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_ENDPOINT_URL", server),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    vars.extend(NO_FILES);
    vars.extend_from_slice(extra);
    vars
}

#[tokio::test]
async fn a_region_that_is_not_a_host_label_is_refused_when_loaded() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let url = server.url();
    for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        let vars = vars_for(&url, &[(variable, HOSTILE_REGION)]);
        let error = Config::from_vars(vars).await.unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "the region `{HOSTILE_REGION}` (environment variable {variable}) is not a region name"
            )),
            "{error}"
        );
    }
    let profile = TempFile::new(
        "bad-region",
        &format!("[default]\nregion = {HOSTILE_REGION}\n"),
    );
    let vars = vars_for(&url, &[("AWS_CONFIG_FILE", profile.path())]);
    let error = Config::from_vars(vars).await.unwrap_err().to_string();
    assert!(
        error.contains(&format!(
            "the region `{HOSTILE_REGION}` (`region` in profile `default`, {}, line 2) is not a \
             region name",
            profile.path()
        )),
        "{error}"
    );
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test]
async fn a_region_set_in_code_that_is_not_a_host_label_sends_nothing() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let url = server.url();
    let loaded = Config::from_vars(vars_for(&url, &[("AWS_REGION", "us-east-1")]))
        .await
        .unwrap();
    let only_code =
        Config::builder()
            .endpoint_url(&url)
            .credentials(marketplace_metering::Credentials::new(
                "AKID", "SECRET", None,
            ));
    for region in [HOSTILE_REGION, "123", "-us-east-1", "us-east-1#"] {
        for builder in [loaded.clone(), only_code.clone()] {
            let client = Client::from_conf(builder.region(region).build());
            let error = meter(&client).await.unwrap_err();
            assert!(matches!(error, SdkError::Config(_)), "{error:?}");
            let text = error.to_string();
            assert!(
                text.contains(&format!(
                    "the region `{region}` (set in code with Config::builder().region(..)) \
                     is not a region name"
                )),
                "{text}"
            );
        }
    }
    assert_eq!(server.request_count().await, 0);
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test]
async fn a_region_from_instance_metadata_that_is_not_a_host_label_is_refused() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let url = server.url();
    for region in [HOSTILE_REGION, "123"] {
        let imds = ImdsEmulator::start(None, region).await;
        let imds_url = imds.url();
        let mut vars = vars_for(&url, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds_url)]);
        vars.retain(|(name, _)| *name != "AWS_EC2_METADATA_DISABLED");
        let error = Config::from_vars(vars).await.unwrap_err().to_string();
        assert!(
            error.contains(&format!(
                "the region `{region}` (the answer to /latest/meta-data/placement/region) is not \
                 a region name"
            )),
            "{error}"
        );
        assert_eq!(
            imds.server().request_count().await,
            2,
            "a token, then the region"
        );
    }
    assert_eq!(server.connection_count(), 0);
}
