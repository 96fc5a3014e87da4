//! The runtime's SigV4 signer against `aws-sigv4`, the AWS SDK for Rust's signer
//! (a dev-dependency only): for thousands of generated requests — header names in
//! any case, repeated headers, spaces to trim, unsigned headers, default and other
//! ports, paths to normalize and encode, with and without a session token, across
//! days, regions, services and secrets through one `Signer` — both must give the
//! same headers, or both refuse the request.

use marketplace_sdk_runtime::credentials::Credentials;
use marketplace_sdk_runtime::sigv4::{Signer, SigningParams, SigningTarget};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// xorshift64*: deterministic, so a failure names a case that can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

const SCHEMES: &[&str] = &["http", "https"];
const HOSTS: &[&str] = &[
    "metering.marketplace.us-east-1.amazonaws.com",
    "127.0.0.1",
    "[::1]",
    "Example.COM",
];
const PORTS: &[&str] = &["", ":80", ":443", ":8080"];
const PATHS: &[&str] = &[
    "",
    "/",
    "/a",
    "/a/",
    "/a/./b",
    "/a/../b/",
    "//x//y",
    "/c%20d",
    "/a-b_c~d.e",
    "/%2F/%7e",
    "/a+b=c",
    "/..",
    "/a/b/..",
    "/a/.",
];
const NAMES: &[&str] = &[
    "content-type",
    "Content-Type",
    "X-Amz-Target",
    "x-amz-user-agent",
    "user-agent",
    "User-Agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "x-custom",
    "X-CUSTOM",
    "x-amzn-trace-id",
    "authorization",
    "transfer-encoding",
    "host",
    "x-amz-date",
    "x-amz-security-token",
];
const VALUES: &[&str] = &[
    "application/x-amz-json-1.1",
    "AWSMPMeteringService.MeterUsage",
    "  padded  ",
    "a   b    c",
    "attempt=1; max=3",
    "",
    " ",
    "tab\there",
    "\tleading tab",
    "caf\u{e9} \u{a0}nbsp",
    "aws-sdk-rust/1.0 os/linux lang/rust#1.95",
];
const BAD_VALUES: &[&str] = &["line\nbreak", "nul\0", "del\u{7f}"];
const BAD_NAMES: &[&str] = &["bad name", "colon:", ""];
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1"];
const SERVICES: &[&str] = &["aws-marketplace", "sts", "s3"];
const SECRETS: &[&str] = &[
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "another/secret+with=symbols",
    "",
];

fn reference(
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id(),
        credentials.secret_access_key(),
        credentials.session_token().map(str::to_owned),
        None,
        "reference",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = aws_sigv4::http_request::sign(request, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (headers, _) = instructions.into_parts();
    Ok(headers
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}

#[test]
fn signs_exactly_like_aws_sigv4() {
    let mut rng = Rng(0x005e_ed0f_5147_a55e);
    let signer = Signer::new();
    let (mut signed, mut refused) = (0, 0);
    for case in 0..4000 {
        let url = format!(
            "{}://{}{}{}",
            rng.pick(SCHEMES),
            rng.pick(HOSTS),
            rng.pick(PORTS),
            rng.pick(PATHS)
        );
        let mut headers: Vec<(&str, &str)> = Vec::new();
        for _ in 0..rng.below(8) {
            let name = if rng.below(100) == 0 {
                rng.pick(BAD_NAMES)
            } else {
                rng.pick(NAMES)
            };
            let value = if rng.below(100) == 0 {
                rng.pick(BAD_VALUES)
            } else {
                rng.pick(VALUES)
            };
            headers.push((name, value));
        }
        let body: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
        let token = match rng.below(3) {
            0 => None,
            1 => Some("FwoGZXIvYXdzEBYaD+token/with=chars".to_owned()),
            _ => Some("  spaced   token ".to_owned()),
        };
        let credentials = Credentials::new("AKIDEXAMPLE", rng.pick(SECRETS), token);
        let region = rng.pick(REGIONS);
        let service = rng.pick(SERVICES);
        // 2015 to 2035, to the second.
        let time = UNIX_EPOCH + Duration::from_secs(1_420_070_400 + rng.next() % 631_152_000);

        let expected = reference(&url, &headers, &body, &credentials, region, service, time);
        let actual = SigningTarget::from_url(&url).and_then(|target| {
            signer.sign(
                &target,
                &headers,
                &body,
                &SigningParams {
                    credentials: &credentials,
                    region,
                    service,
                    time,
                },
            )
        });
        match (&expected, &actual) {
            (Ok(expected), Ok(actual)) => {
                assert_eq!(actual, expected, "case {case}: {url} {headers:?}");
                signed += 1;
            }
            (Err(_), Err(_)) => refused += 1,
            _ => panic!("case {case}: {url} {headers:?}: aws-sigv4 {expected:?}, ours {actual:?}"),
        }
    }
    // The generator must exercise both outcomes.
    assert!(
        signed > 3000 && refused > 20,
        "{signed} signed, {refused} refused"
    );
}
