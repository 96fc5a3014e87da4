//! An independent reference verifier for AWS Signature Version 4.
//!
//! Written from the public description of the algorithm, not from the
//! `aws-sigv4` crate the SDK signs with, so that a request which verifies here
//! is evidence the SDK signs correctly rather than merely consistently:
//!
//! 1. canonical request: method, canonical URI, canonical query string,
//!    canonical headers, signed-header list and payload hash, one per line;
//! 2. string to sign: `AWS4-HMAC-SHA256`, the `x-amz-date` timestamp, the
//!    credential scope and the hex SHA-256 of the canonical request;
//! 3. signing key: HMAC-SHA256 chained over `"AWS4" + secret`, date, region,
//!    service and `aws4_request`;
//! 4. signature: hex HMAC-SHA256 of the string to sign under that key.
//!
//! The canonical URI follows the rules for every service except S3: the path
//! is normalized (dot segments removed, repeated slashes merged) and each
//! segment of it as sent on the wire is URI-encoded again.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::server::RecordedRequest;

type HmacSha256 = Hmac<Sha256>;

/// The only algorithm this verifier accepts.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The `x-amz-content-sha256` value that opts a payload out of signing.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What a successfully verified `Authorization` header claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyOutcome {
    /// The access key id from the credential scope.
    pub access_key_id: String,
    /// The scope date, `yyyymmdd`.
    pub date: String,
    /// The scope region, e.g. `us-east-1`.
    pub region: String,
    /// The scope service name, e.g. `aws-marketplace`.
    pub service: String,
    /// The signed header names, lowercase and sorted, as listed in the header.
    pub signed_headers: Vec<String>,
    /// The `x-amz-date` timestamp, `yyyymmddThhmmssZ`.
    pub amz_date: String,
}

/// The parts of an `Authorization` header.
struct Authorization {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

/// Checks that `req` carries a valid SigV4 `Authorization` header signed
/// with `secret_access_key`.
///
/// Besides the signature itself this checks what a real endpoint would:
/// `x-amz-date` is present, well formed, signed and on the scope's date;
/// `host` is signed; a present `x-amz-security-token` is signed; and a present
/// `x-amz-content-sha256` (other than `UNSIGNED-PAYLOAD`) matches the body.
///
/// # Errors
///
/// A message saying what was wrong. Once the header has been parsed, the
/// message also shows the canonical request (and, for a signature mismatch,
/// the string to sign) rebuilt here, to compare with the signer's.
pub fn verify(req: &RecordedRequest, secret_access_key: &str) -> Result<VerifyOutcome, String> {
    let header = req
        .header("authorization")
        .ok_or("no Authorization header")?;
    let auth = parse_authorization(header)?;
    let canonical = canonical_request(req, &auth.signed_headers)?;
    // Every later failure shows what we built, which is usually the quickest
    // way to see the difference from the signer.
    let fail = |what: String| format!("{what}\n--- canonical request (verifier) ---\n{canonical}");

    let amz_date = req
        .header("x-amz-date")
        .ok_or_else(|| fail("no x-amz-date header".into()))?;
    if !is_amz_date(amz_date) {
        return Err(fail(format!(
            "x-amz-date {amz_date:?} is not yyyymmddThhmmssZ"
        )));
    }
    if amz_date[..8] != auth.date {
        return Err(fail(format!(
            "credential scope date {} differs from x-amz-date {amz_date}",
            auth.date
        )));
    }
    for required in ["host", "x-amz-date"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(fail(format!(
                "{required} is not among the signed headers {:?}",
                auth.signed_headers
            )));
        }
    }
    if req.header("x-amz-security-token").is_some()
        && !auth
            .signed_headers
            .iter()
            .any(|h| h == "x-amz-security-token")
    {
        return Err(fail(
            "x-amz-security-token is sent but not among the signed headers".into(),
        ));
    }
    if let Some(claimed) = req.header("x-amz-content-sha256") {
        let actual = hex_sha256(&req.body);
        if claimed != UNSIGNED_PAYLOAD && claimed != actual {
            return Err(fail(format!(
                "x-amz-content-sha256 is {claimed} but the body hashes to {actual}"
            )));
        }
    }

    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let key = signing_key(secret_access_key, &auth.date, &auth.region, &auth.service);
    let expected = hex::encode(hmac(&key, string_to_sign.as_bytes()));
    if !constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        return Err(fail(format!(
            "signature mismatch: request has {}, verifier computed {expected}\n\
             --- string to sign (verifier) ---\n{string_to_sign}",
            auth.signature
        )));
    }

    Ok(VerifyOutcome {
        access_key_id: auth.access_key_id,
        date: auth.date,
        region: auth.region,
        service: auth.service,
        signed_headers: auth.signed_headers,
        amz_date: amz_date.to_string(),
    })
}

/// Builds the `Authorization` header value that signs `req` (which must
/// already carry `x-amz-date` and every header in `signed_headers`).
///
/// Not used to check the SDK — only [`verify`] is — but handy for tests of
/// the verifier itself and for hand-made requests.
///
/// # Errors
///
/// If `x-amz-date` is missing or malformed, or a signed header is missing.
pub fn authorization_header(
    req: &RecordedRequest,
    access_key_id: &str,
    secret_access_key: &str,
    region: &str,
    service: &str,
    signed_headers: &[&str],
) -> Result<String, String> {
    let amz_date = req.header("x-amz-date").ok_or("no x-amz-date header")?;
    if !is_amz_date(amz_date) {
        return Err(format!("x-amz-date {amz_date:?} is not yyyymmddThhmmssZ"));
    }
    let date = &amz_date[..8];
    let mut names: Vec<String> = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let canonical = canonical_request(req, &names)?;
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let key = signing_key(secret_access_key, date, region, service);
    let signature = hex::encode(hmac(&key, string_to_sign.as_bytes()));
    Ok(format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={signature}",
        names.join(";")
    ))
}

/// Builds the canonical request for `req` covering `signed_headers`
/// (lowercase, sorted), exactly as [`verify`] does.
///
/// # Errors
///
/// If a signed header is absent from the request.
pub fn canonical_request(
    req: &RecordedRequest,
    signed_headers: &[String],
) -> Result<String, String> {
    let (path, query) = match req.path.split_once('?') {
        Some((path, query)) => (path, query),
        None => (req.path.as_str(), ""),
    };
    let mut out = String::new();
    out.push_str(&req.method);
    out.push('\n');
    out.push_str(&canonical_uri(path));
    out.push('\n');
    out.push_str(&canonical_query(query));
    out.push('\n');
    for name in signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| collapse_whitespace(v))
            .collect();
        if values.is_empty() {
            return Err(format!(
                "signed header {name:?} is not in the request; headers are {:?}",
                req.headers
            ));
        }
        // Repeated headers join with commas, in the order they were sent.
        out.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    match req.header("x-amz-content-sha256") {
        Some(claimed) => out.push_str(claimed),
        None => out.push_str(&hex_sha256(&req.body)),
    }
    Ok(out)
}

/// The signing key: HMAC-SHA256 chained over the scope, starting from
/// `"AWS4" + secret`.
pub fn signing_key(secret_access_key: &str, date: &str, region: &str, service: &str) -> Vec<u8> {
    let k_date = hmac(
        format!("AWS4{secret_access_key}").as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

fn parse_authorization(value: &str) -> Result<Authorization, String> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| format!("Authorization does not start with {ALGORITHM:?}: {value:?}"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("Authorization component {part:?} has no '='"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(format!("unknown Authorization component {other:?}")),
        };
        if slot.replace(val).is_some() {
            return Err(format!("Authorization repeats {key}"));
        }
    }
    let missing = |what: &str| format!("Authorization has no {what}: {value:?}");
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;

    let scope: Vec<&str> = credential.split('/').collect();
    let [akid, date, region, service, terminator] = scope[..] else {
        return Err(format!(
            "Credential {credential:?} is not AKID/date/region/service/aws4_request"
        ));
    };
    if akid.is_empty() || region.is_empty() || service.is_empty() || terminator != "aws4_request" {
        return Err(format!(
            "Credential {credential:?} is not AKID/date/region/service/aws4_request"
        ));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("Credential date {date:?} is not yyyymmdd"));
    }

    let signed_headers: Vec<String> = signed.split(';').map(str::to_string).collect();
    // The list must be in canonical form: the signer lowercases and sorts it.
    if signed_headers
        .iter()
        .any(|h| h.is_empty() || *h != h.to_ascii_lowercase())
        || signed_headers.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(format!(
            "SignedHeaders {signed:?} is not a sorted, lowercase, duplicate-free list"
        ));
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "Signature {signature:?} is not 64 lowercase hex digits"
        ));
    }

    Ok(Authorization {
        access_key_id: akid.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers,
        signature: signature.to_string(),
    })
}

fn is_amz_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
}

/// Normalizes the path (RFC 3986 dot-segment removal, empty segments merged,
/// a trailing slash kept) and URI-encodes each segment.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::from("/");
    out.push_str(
        &segments
            .iter()
            .map(|s| uri_encode(s.as_bytes()))
            .collect::<Vec<_>>()
            .join("/"),
    );
    // "/a/", "/a/." and "/a/b/.." all denote a directory, so keep the slash.
    let ends_as_directory = matches!(path.rsplit('/').next(), Some("" | "." | ".."));
    if ends_as_directory && !out.ends_with('/') {
        out.push('/');
    }
    out
}

/// Decodes each `name=value` pair, re-encodes it canonically and sorts by
/// encoded name, then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&query_decode(name)),
                uri_encode(&query_decode(value)),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-decodes a query component, reading `+` as a space as
/// `application/x-www-form-urlencoded` (and so AWS endpoints) do. A `%` not
/// followed by two hex digits is kept literally.
fn query_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// URI-encodes every byte except the unreserved `A-Z a-z 0-9 - . _ ~`, with
/// uppercase hex, as SigV4 requires.
fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Trims and collapses each run of whitespace to one space.
fn collapse_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Compares without returning early on the first differing byte, as a real
/// verifier must to avoid leaking the expected signature through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const AKID: &str = "AKIDEXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const HOST: (&str, &str) = ("Host", "example.amazonaws.com");
    const DATE: (&str, &str) = ("X-Amz-Date", "20150830T123600Z");

    /// A request as the server would record it (names lowercased), with an
    /// `Authorization` header carrying `signature` over `signed`.
    fn signed_request(
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        signed: &str,
        signature: &str,
    ) -> RecordedRequest {
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        headers.push((
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={AKID}/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders={signed}, Signature={signature}"
            ),
        ));
        RecordedRequest {
            method: method.into(),
            path: path.into(),
            headers,
            body: body.to_vec(),
        }
    }

    fn get_vanilla() -> RecordedRequest {
        signed_request(
            "GET",
            "/",
            &[HOST, DATE],
            b"",
            "host;x-amz-date",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        )
    }

    fn post_vanilla() -> RecordedRequest {
        signed_request(
            "POST",
            "/",
            &[HOST, DATE],
            b"",
            "host;x-amz-date",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        )
    }

    fn set_header(req: &mut RecordedRequest, name: &str, value: &str) {
        for (n, v) in &mut req.headers {
            if n == name {
                *v = value.to_string();
            }
        }
    }

    #[test]
    fn get_vanilla_verifies() {
        let outcome = verify(&get_vanilla(), SECRET).unwrap();
        assert_eq!(
            outcome,
            VerifyOutcome {
                access_key_id: AKID.into(),
                date: "20150830".into(),
                region: "us-east-1".into(),
                service: "service".into(),
                signed_headers: vec!["host".into(), "x-amz-date".into()],
                amz_date: "20150830T123600Z".into(),
            }
        );
    }

    #[test]
    fn get_vanilla_canonical_request_matches_suite() {
        let creq = canonical_request(&get_vanilla(), &["host".into(), "x-amz-date".into()]);
        assert_eq!(
            creq.unwrap(),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n\
             host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn post_vanilla_verifies() {
        verify(&post_vanilla(), SECRET).unwrap();
    }

    /// More vectors from the AWS SigV4 test suite (request, signature).
    #[test]
    fn suite_vectors_verify() {
        let date_host = "host;x-amz-date";
        let cases: Vec<(&str, RecordedRequest)> = vec![
            (
                "get-vanilla-query-order-key-case",
                signed_request(
                    "GET",
                    "/?Param2=value2&Param1=value1",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
                ),
            ),
            (
                "get-vanilla-query-order-encoded",
                signed_request(
                    "GET",
                    "/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
                ),
            ),
            (
                "get-vanilla-utf8-query",
                signed_request(
                    "GET",
                    "/?\u{1234}=bar",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
                ),
            ),
            (
                "get-vanilla-empty-query-key",
                signed_request(
                    "GET",
                    "/?Param1=value1",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
                ),
            ),
            (
                "get-vanilla-query-unreserved",
                signed_request(
                    "GET",
                    "/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\
                     =-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
                ),
            ),
            (
                "get-utf8",
                signed_request(
                    "GET",
                    "/\u{1234}",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
                ),
            ),
            (
                "get-unreserved",
                signed_request(
                    "GET",
                    "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
                ),
            ),
            (
                "get-slashes-normalized",
                signed_request(
                    "GET",
                    "//example//",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
                ),
            ),
            (
                "get-relative-relative-normalized",
                signed_request(
                    "GET",
                    "/example1/example2/../..",
                    &[HOST, DATE],
                    b"",
                    date_host,
                    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                ),
            ),
            (
                "get-header-value-trim",
                signed_request(
                    "GET",
                    "/",
                    &[
                        HOST,
                        ("My-Header1", "value1"),
                        ("My-Header2", "\"a   b   c\""),
                        DATE,
                    ],
                    b"",
                    "host;my-header1;my-header2;x-amz-date",
                    "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
                ),
            ),
            (
                "get-header-key-duplicate",
                signed_request(
                    "GET",
                    "/",
                    &[
                        HOST,
                        ("My-Header1", "value2"),
                        ("My-Header1", "value2"),
                        ("My-Header1", "value1"),
                        DATE,
                    ],
                    b"",
                    "host;my-header1;x-amz-date",
                    "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
                ),
            ),
            (
                "get-vanilla-with-session-token",
                signed_request(
                    "GET",
                    "/",
                    &[
                        HOST,
                        (
                            "X-Amz-Security-Token",
                            "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
                        ),
                        DATE,
                    ],
                    b"",
                    "host;x-amz-date;x-amz-security-token",
                    "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
                ),
            ),
            (
                "post-x-www-form-urlencoded",
                signed_request(
                    "POST",
                    "/",
                    &[
                        ("Content-Type", "application/x-www-form-urlencoded"),
                        HOST,
                        ("Content-Length", "13"),
                        DATE,
                        (
                            "x-amz-content-sha256",
                            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
                        ),
                    ],
                    b"Param1=value1",
                    "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
                    "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
                ),
            ),
        ];
        for (name, req) in cases {
            if let Err(e) = verify(&req, SECRET) {
                panic!("{name} failed: {e}");
            }
        }
    }

    #[test]
    fn double_encodes_path_like_non_s3_services() {
        // From the suite's "double-url-encode" vector (canonical request only).
        let req = RecordedRequest {
            method: "POST".into(),
            path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312\
                   %3Afunction%3Amy-rusty-fun/invocations"
                .into(),
            headers: vec![
                ("host".into(), "lambda.us-east-2.amazonaws.com".into()),
                ("x-amz-date".into(), "20210511T154045Z".into()),
            ],
            body: vec![],
        };
        let creq = canonical_request(&req, &["host".into(), "x-amz-date".into()]).unwrap();
        assert_eq!(
            creq,
            "POST\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-west-2%253A892717189312\
             %253Afunction%253Amy-rusty-fun/invocations\n\n\
             host:lambda.us-east-2.amazonaws.com\nx-amz-date:20210511T154045Z\n\n\
             host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn canonical_uri_and_query_edge_cases() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a/./b/../c/"), "/a/c/");
        assert_eq!(canonical_uri("/a/b/."), "/a/b/");
        assert_eq!(canonical_uri("/../a"), "/a");
        assert_eq!(canonical_uri("/a b@"), "/a%20b%40");
        assert_eq!(canonical_query(""), "");
        assert_eq!(
            canonical_query("b=2&a&a=1&&c=x+y%2b%zz"),
            "a=&a=1&b=2&c=x%20y%2B%25zz"
        );
    }

    #[test]
    fn unsigned_extra_headers_are_fine() {
        // Clients add headers (user-agent, content-length) after signing.
        let mut req = get_vanilla();
        req.headers.push(("user-agent".into(), "test/1.0".into()));
        verify(&req, SECRET).unwrap();
    }

    #[test]
    fn tampered_body_fails() {
        let mut req = post_vanilla();
        req.body = b"{}".to_vec();
        let err = verify(&req, SECRET).unwrap_err();
        assert!(err.contains("signature mismatch"), "{err}");
        // The error shows the canonical request the verifier built.
        assert!(
            err.contains("--- canonical request (verifier) ---\nPOST\n/\n"),
            "{err}"
        );
        assert!(err.contains(&hex_sha256(b"{}")), "{err}");
    }

    #[test]
    fn tampered_content_sha256_body_fails() {
        let mut req = signed_request(
            "POST",
            "/",
            &[
                HOST,
                DATE,
                (
                    "x-amz-content-sha256",
                    "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
                ),
            ],
            b"Param1=value1",
            "host;x-amz-content-sha256;x-amz-date",
            &"0".repeat(64),
        );
        req.body = b"Param1=value2".to_vec();
        let err = verify(&req, SECRET).unwrap_err();
        assert!(err.contains("x-amz-content-sha256 is 9095"), "{err}");
    }

    #[test]
    fn tampered_signed_headers_fail() {
        let mut req = get_vanilla();
        set_header(&mut req, "host", "evil.example.com");
        assert!(verify(&req, SECRET)
            .unwrap_err()
            .contains("host:evil.example.com"));

        let mut req = get_vanilla();
        set_header(&mut req, "x-amz-date", "20150830T123601Z");
        assert!(verify(&req, SECRET)
            .unwrap_err()
            .contains("signature mismatch"));

        let mut req = get_vanilla();
        set_header(&mut req, "x-amz-date", "20150831T123600Z");
        assert!(verify(&req, SECRET)
            .unwrap_err()
            .contains("credential scope date 20150830 differs"));

        let mut req = get_vanilla();
        req.method = "POST".into();
        assert!(verify(&req, SECRET).is_err());
    }

    #[test]
    fn wrong_secret_fails() {
        let err = verify(&get_vanilla(), "not-the-secret").unwrap_err();
        assert!(err.contains("signature mismatch"), "{err}");
        assert!(err.contains("--- string to sign (verifier) ---\nAWS4-HMAC-SHA256\n"));
    }

    #[test]
    fn structural_problems_are_reported() {
        let mut req = get_vanilla();
        req.headers.retain(|(n, _)| n != "authorization");
        assert_eq!(verify(&req, SECRET).unwrap_err(), "no Authorization header");

        let mut req = get_vanilla();
        req.headers.retain(|(n, _)| n != "x-amz-date");
        // x-amz-date is signed, so the canonical request cannot be built.
        assert!(verify(&req, SECRET)
            .unwrap_err()
            .contains("signed header \"x-amz-date\" is not in the request"));

        let host_unsigned = signed_request(
            "GET",
            "/",
            &[HOST, DATE],
            b"",
            "x-amz-date",
            &"0".repeat(64),
        );
        assert!(verify(&host_unsigned, SECRET)
            .unwrap_err()
            .contains("host is not among the signed headers"));

        let mut token_unsigned = get_vanilla();
        token_unsigned
            .headers
            .push(("x-amz-security-token".into(), "tok".into()));
        assert!(verify(&token_unsigned, SECRET)
            .unwrap_err()
            .contains("x-amz-security-token is sent but not among the signed headers"));

        let unsorted = signed_request(
            "GET",
            "/",
            &[HOST, DATE],
            b"",
            "x-amz-date;host",
            &"0".repeat(64),
        );
        assert!(verify(&unsorted, SECRET).unwrap_err().contains("sorted"));

        let bad_headers = [
            "AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host",
            "AWS4-HMAC-SHA256 Credential=a/2015083/r/s/aws4_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws5_request, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=XYZ",
            "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, Credential=b, SignedHeaders=host, Signature=00",
            "AWS4-HMAC-SHA256 Foo=1",
            "",
        ];
        for header in bad_headers {
            let mut req = get_vanilla();
            set_header(&mut req, "authorization", header);
            assert!(verify(&req, SECRET).is_err(), "accepted {header:?}");
        }

        let mut bad_date = get_vanilla();
        set_header(&mut bad_date, "x-amz-date", "2015-08-30T12:36:00Z");
        assert!(verify(&bad_date, SECRET)
            .unwrap_err()
            .contains("is not yyyymmddThhmmssZ"));
    }

    #[test]
    fn authorization_header_reproduces_suite_vector() {
        let mut req = get_vanilla();
        let expected = req.header("authorization").unwrap().to_string();
        req.headers.retain(|(n, _)| n != "authorization");
        let built = authorization_header(
            &req,
            AKID,
            SECRET,
            "us-east-1",
            "service",
            &["X-Amz-Date", "host"],
        )
        .unwrap();
        assert_eq!(built, expected);
    }

    #[test]
    fn signing_key_matches_documented_example() {
        // The derived-key example from the SigV4 documentation.
        let key = signing_key(SECRET, "20150830", "us-east-1", "iam");
        assert_eq!(
            hex::encode(key),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }

    #[tokio::test]
    async fn verifies_a_request_recorded_by_the_server() {
        use crate::server::{Reply, TestServer};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};

        let server = TestServer::always(Reply::new(200)).await;
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let auth = get_vanilla().header("authorization").unwrap().to_string();
        let raw = format!(
            "POST / HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n\
             Authorization:{}\r\nConnection: close\r\n\r\n",
            auth.replace(
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
            )
        );
        stream.write_all(raw.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));

        let recorded = &server.requests().await[0];
        let outcome = verify(recorded, SECRET).unwrap();
        assert_eq!(outcome.access_key_id, AKID);
    }
}
