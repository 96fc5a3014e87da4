//! Checks AWS Signature Version 4 on a request, as the service does before anything else.

use ring::{digest, hmac};

use crate::wire::Request;

/// Why a signature was not accepted: the error code and message the service answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthFailure {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

fn fail(code: &'static str, message: impl Into<String>) -> AuthFailure {
    AuthFailure {
        code,
        message: message.into(),
    }
}

/// The access key id of a correctly signed request.
///
/// `secret_for` looks up a secret access key by access key id.
pub(crate) fn verify<'a>(
    req: &Request,
    region: &str,
    secret_for: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, AuthFailure> {
    let Some(authorization) = req.header("authorization") else {
        return Err(fail(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    let parts = parse_authorization(authorization).ok_or_else(|| {
        fail(
            "IncompleteSignatureException",
            format!("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of the AWS4-HMAC-SHA256 algorithm. Authorization={authorization}"),
        )
    })?;
    let Some(secret) = secret_for(&parts.access_key_id) else {
        return Err(fail(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
    };
    if parts.service != "aws-marketplace" {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to correct service: 'aws-marketplace', not '{}'.",
                parts.service
            ),
        ));
    }
    if parts.region != region {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'. This endpoint is in '{region}'.",
                parts.region
            ),
        ));
    }
    let Some(amz_date) = req.header("x-amz-date") else {
        return Err(fail(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ));
    };
    if !amz_date.starts_with(&parts.date) {
        return Err(fail(
            "InvalidSignatureException",
            format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'.",
                parts.date,
                amz_date.get(..8).unwrap_or(amz_date)
            ),
        ));
    }
    if !parts.signed_headers.iter().any(|h| h == "host") {
        return Err(fail(
            "InvalidSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    let canonical = canonical_request(req, &parts.signed_headers);
    let scope = format!(
        "{}/{}/{}/aws4_request",
        parts.date, parts.region, parts.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [
        parts.date.as_str(),
        parts.region.as_str(),
        parts.service.as_str(),
        "aws4_request",
    ] {
        key = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), part.as_bytes())
            .as_ref()
            .to_vec();
    }
    let expected = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, &key),
        string_to_sign.as_bytes(),
    );
    if hex(expected.as_ref()) != parts.signature.to_ascii_lowercase() {
        return Err(fail(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    Ok(parts.access_key_id)
}

struct Authorization {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(header: &str) -> Option<Authorization> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for item in rest.split(',') {
        let (k, v) = item.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => {}
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    if scope.len() != 5 || scope[4] != "aws4_request" {
        return None;
    }
    Some(Authorization {
        access_key_id: scope[0].to_owned(),
        date: scope[1].to_owned(),
        region: scope[2].to_owned(),
        service: scope[3].to_owned(),
        signed_headers: signed?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

fn canonical_request(req: &Request, signed_headers: &[String]) -> String {
    let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
    let mut out = String::new();
    out.push_str(&req.method);
    out.push('\n');
    out.push_str(&canonical_uri(path));
    out.push('\n');
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k)),
                uri_encode(&percent_decode(v)),
            )
        })
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    out.push_str(&query.join("&"));
    out.push('\n');
    for name in signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    match req.header("x-amz-content-sha256") {
        Some(hash) => out.push_str(hash),
        None => out.push_str(&hex(digest::digest(&digest::SHA256, &req.body).as_ref())),
    }
    out
}

/// The path with dot segments removed and empty segments merged, each segment encoded again.
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
    let encoded: Vec<String> = segments.iter().map(|s| uri_encode(s)).collect();
    out.push_str(&encoded.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

fn uri_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(Ok(v)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uris() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/a/./b/../c//d"), "/a/c/d");
        assert_eq!(canonical_uri("/a%20b/"), "/a%2520b/");
        assert_eq!(percent_decode("a%2Fb%"), "a/b%");
    }
}
