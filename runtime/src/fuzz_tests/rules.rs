//! The rules-engine functions generated endpoint resolvers call with configured
//! values (region, endpoint URL, ARNs, bucket names): `parseURL`, `aws.parseArn`,
//! `substring`, `uriEncode`, `isValidHostLabel`, `aws.isVirtualHostableS3Bucket`.
//! Each is checked against a reference: a plain re-statement of the spec, or a
//! pattern run by `regex-lite` (an independent implementation).

use super::generators::{config, grammar, neighbourhoods, text, tried};
use super::generators::{url, URLS};
use crate::endpoint::functions::{
    is_valid_host_label, is_virtual_hostable_s3_bucket, parse_arn, parse_url, substring, uri_encode,
};
use proptest::prelude::*;
use regex_lite::Regex;
use std::sync::OnceLock;

const ARNS: &[&str] = &[
    "arn:aws:sns:us-west-2:012345678910:example-sns-topic-name",
    "arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE",
    "arn:aws:s3:us-east-2:012345678:outpost:op-1234/bucket",
    "arn:aws:s3:::my_corporate_bucket/Development/*",
    "arn:aws-cn:iam::012345678910:user/johndoe",
];

/// ARNs field by field.
const ARN_GRAMMAR: &[&[&str]] = &[
    &["arn", "ARN", "arnx"],
    &[":"],
    &["aws", "aws-cn", ""],
    &[":"],
    &["s3", "iam", ""],
    &[":"],
    &["us-east-1", ""],
    &[":"],
    &["012345678910", ""],
    &[":"],
    &["bucket", "user/john", "outpost:op-1/b", "a//b:", ""],
];

const ARN_PARTS: &[&str] = &[":", "::", "/", "arn", "aws", "*", "é"];

const LABELS: &[&str] = &[
    "us-east-1",
    "a",
    "part1.part2",
    "my.bucket.name",
    "192.168.1.1",
    "a--b--x-s3",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

const LABEL_PARTS: &[&str] = &[".", "-", "..", ".-", "-.", "_", "A", "0", "999"];

/// `pattern`, compiled once per test process.
fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap())
}

/// The reference of `isValidHostLabel`: RFC 1123 labels as a pattern.
fn reference_host_label(value: &str, allow_subdomains: bool) -> bool {
    static LABEL: OnceLock<Regex> = OnceLock::new();
    static LABELS: OnceLock<Regex> = OnceLock::new();
    const ONE: &str = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    if allow_subdomains {
        regex(&LABELS, &format!("^{ONE}(\\.{ONE})*$")).is_match(value)
    } else {
        regex(&LABEL, &format!("^{ONE}$")).is_match(value)
    }
}

/// The reference of `aws.isVirtualHostableS3Bucket`: 3 to 63 characters; one
/// label of lower-case letters, digits and `-` starting and ending with a letter
/// or digit, or with `allow_subdomains` several joined by single dots, and then
/// not four groups of 1 to 3 digits.
fn reference_bucket(bucket: &str, allow_subdomains: bool) -> bool {
    static LABEL: OnceLock<Regex> = OnceLock::new();
    static LABELS: OnceLock<Regex> = OnceLock::new();
    static QUAD: OnceLock<Regex> = OnceLock::new();
    const ONE: &str = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";
    if !(3..=63).contains(&bucket.len()) {
        return false;
    }
    if !allow_subdomains {
        return regex(&LABEL, &format!("^{ONE}$")).is_match(bucket);
    }
    regex(&LABELS, &format!("^{ONE}(\\.{ONE})*$")).is_match(bucket)
        && !regex(&QUAD, r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$").is_match(bucket)
}

/// `uriEncode`'s output decoded: `None` if it holds anything but unreserved
/// characters and `%XX` with upper-case hex digits.
fn percent_decode(encoded: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut bytes = encoded.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let hex = |b: Option<u8>| b.filter(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
            let (high, low) = (hex(bytes.next())?, hex(bytes.next())?);
            let text = [high, low];
            out.push(u8::from_str_radix(std::str::from_utf8(&text).ok()?, 16).ok()?);
        } else if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte);
        } else {
            return None;
        }
    }
    Some(out)
}

/// Checks `parseURL` on `input` against what it promises.
fn check_parse_url(input: &str) {
    let Some(url) = parse_url(input) else { return };
    assert!(url.scheme == "http" || url.scheme == "https", "{url:?}");
    // The input is the scheme, `://`, the authority, the path, maybe a fragment.
    let rebuilt = format!("{}://{}{}", url.scheme, url.authority, url.path);
    let written = input.split('#').next().unwrap_or_default();
    assert!(
        written.eq_ignore_ascii_case(&rebuilt),
        "{input:?} -> {url:?}"
    );
    assert!(!url.authority.is_empty() && !url.authority.contains(['@', '/', '?']));
    assert!(url.path.is_empty() || url.path.starts_with('/'), "{url:?}");
    assert!(url.normalized_path.starts_with('/') && url.normalized_path.ends_with('/'));
    if url.is_ip && !url.authority.starts_with('[') {
        let host = url.authority.split(':').next().unwrap_or_default();
        assert_eq!(host.split('.').count(), 4, "{url:?}");
    }
}

/// Checks `aws.parseArn` on `input` against a plain split on `:`.
fn check_parse_arn(input: &str) {
    let fields: Vec<&str> = input.splitn(6, ':').collect();
    let expected = fields.len() == 6
        && fields[0] == "arn"
        && !fields[1].is_empty()
        && !fields[2].is_empty()
        && !fields[5].is_empty();
    let Some(arn) = parse_arn(input) else {
        assert!(!expected, "{input:?} refused");
        return;
    };
    assert!(expected, "{input:?} accepted");
    assert_eq!(
        [&arn.partition, &arn.service, &arn.region, &arn.account_id],
        [fields[1], fields[2], fields[3], fields[4]]
    );
    let resource = fields[5];
    assert_eq!(
        arn.resource_id.len(),
        1 + resource.matches([':', '/']).count()
    );
    assert!(arn
        .resource_id
        .iter()
        .all(|part| !part.contains([':', '/'])));
}

proptest! {
    #![proptest_config(config(2_000))]

    /// `parseURL` never panics, and what it returns is the input taken apart.
    #[test]
    fn parse_url_takes_the_input_apart(input in url()) {
        check_parse_url(&input);
    }

    /// `aws.parseArn` agrees with a plain split on `:`.
    #[test]
    fn parse_arn_agrees_with_a_split(
        input in prop_oneof![text(ARNS, ARN_PARTS), grammar(ARN_GRAMMAR, ARN_PARTS)],
    ) {
        check_parse_arn(&input);
    }

    /// `substring` is the ASCII input's characters `start..stop` (from the end
    /// with `reverse`), or `None` when the spec says so.
    #[test]
    fn substring_agrees_with_the_spec(
        input in prop_oneof!["[ -~]{0,12}", any::<String>()],
        start in 0usize..16,
        stop in 0usize..16,
        reverse in any::<bool>(),
    ) {
        let expected = (input.is_ascii() && start < stop && stop <= input.len()).then(|| {
            let chars: Vec<char> = input.chars().collect();
            let (from, to) = if reverse { (chars.len() - stop, chars.len() - start) } else { (start, stop) };
            chars[from..to].iter().collect::<String>()
        });
        prop_assert_eq!(substring(&input, start, stop, reverse), expected);
    }

    /// `uriEncode` writes only unreserved characters and `%XX`, and decodes back
    /// to its input.
    #[test]
    fn uri_encode_decodes_back(input in any::<String>()) {
        let encoded = uri_encode(&input);
        prop_assert_eq!(percent_decode(&encoded), Some(input.into_bytes()), "{}", encoded);
    }

    /// `isValidHostLabel` and `aws.isVirtualHostableS3Bucket` agree with their
    /// definitions as patterns.
    #[test]
    fn host_labels_agree_with_their_patterns(
        value in prop_oneof![text(LABELS, LABEL_PARTS), "[a-zA-Z0-9.-]{0,70}", "[0-9.]{0,16}"],
        allow_subdomains in any::<bool>(),
    ) {
        prop_assert_eq!(
            is_valid_host_label(&value, allow_subdomains),
            reference_host_label(&value, allow_subdomains),
            "{:?}", value
        );
        prop_assert_eq!(
            is_virtual_hostable_s3_bucket(&value, allow_subdomains),
            reference_bucket(&value, allow_subdomains),
            "{:?}", value
        );
    }
}

#[test]
fn rules_function_neighbourhood() {
    let inputs = neighbourhoods(URLS, check_parse_url)
        + neighbourhoods(ARNS, check_parse_arn)
        + neighbourhoods(LABELS, |value| {
            for allow_subdomains in [false, true] {
                let label = is_valid_host_label(value, allow_subdomains);
                assert_eq!(
                    label,
                    reference_host_label(value, allow_subdomains),
                    "{value:?}"
                );
                let bucket = is_virtual_hostable_s3_bucket(value, allow_subdomains);
                assert_eq!(
                    bucket,
                    reference_bucket(value, allow_subdomains),
                    "{value:?}"
                );
            }
        });
    tried(inputs);
}
