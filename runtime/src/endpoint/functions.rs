//! The Smithy rules-engine standard library (`substring`, `uriEncode`,
//! `isValidHostLabel`, `parseURL`, `stringEquals`, `booleanEquals`) and the AWS
//! extensions `aws.parseArn` and `aws.isVirtualHostableS3Bucket`.
//!
//! Generated endpoint resolvers call these on every request, so each is a plain
//! function over borrowed input that allocates only for what it returns. Behaviour
//! follows the Smithy specification and its reference implementation (including the
//! rules-engine test suite's edge cases); where botocore or smithy-rs differ, the
//! function's documentation says which way it goes.
//!
//! `isSet`, `not` and `getAttr` need no function: generated code writes them as
//! `Option::is_some`, `!` and field access.

/// `stringEquals`: whether two strings are both set and equal.
///
/// Exists so generated code can compare optional parameters and literals the same way;
/// an unset value never equals anything, as a rule's condition on it must fail.
pub fn string_equals(a: Option<&str>, b: Option<&str>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

/// `booleanEquals`: whether two booleans are both set and equal.
///
/// The counterpart of [`string_equals`]; an unset value never equals anything.
pub fn boolean_equals(a: Option<bool>, b: Option<bool>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a == b)
}

/// `substring`: the characters `start..stop` of `input`, counted from the end when
/// `reverse` is true.
///
/// Rule sets use it to pick fixed-width fields out of identifiers (S3 Express zone ids,
/// outpost ids). Per the spec, the result is `None` when `input` holds any non-ASCII
/// character, when `start >= stop`, or when `input` is shorter than `stop`; otherwise
/// it is exactly `stop - start` characters long. With `reverse`, `start` and `stop`
/// are measured back from the end: `substring("abcdefg", 0, 4, true)` is `"defg"`.
pub fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<String> {
    if !input.is_ascii() || start >= stop || stop > input.len() {
        return None;
    }
    let (from, to) = if reverse {
        (input.len() - stop, input.len() - start)
    } else {
        (start, stop)
    };
    // ASCII only, so every byte index is a char boundary.
    Some(input[from..to].to_owned())
}

/// `uriEncode`: percent-encodes every byte of `input`'s UTF-8 form except the RFC 3986
/// unreserved characters `A-Z a-z 0-9 - _ . ~`, with uppercase hex digits.
///
/// Rule sets use it to put parameter values (bucket keys, ARNs) into URL paths and
/// hosts; the space becomes `%20`, never `+`. The same encoding as SigV4's
/// ([`URI_ENCODE_SET`](crate::sigv4::URI_ENCODE_SET)).
pub fn uri_encode(input: &str) -> String {
    percent_encoding::utf8_percent_encode(input, crate::sigv4::URI_ENCODE_SET).to_string()
}

/// `isValidHostLabel`: whether `value` can be one RFC 1123 DNS label (or, with
/// `allow_subdomains`, several joined by `.`).
///
/// Rule sets check it before templating a parameter (a region, an account id) into a
/// hostname. A label is 1 to 63 ASCII letters, digits and `-` that starts and ends with
/// a letter or digit, as RFC 1123 and botocore require (the Smithy Java implementation
/// also accepts a trailing `-`, which would template names such as `us-east-1-` into
/// hostnames DNS cannot resolve). With `allow_subdomains` every `.`-separated label must
/// be valid, so empty labels (`a..b`, `a.`, `.a`) are rejected.
pub fn is_valid_host_label(value: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        value.split('.').all(is_single_host_label)
    } else {
        is_single_host_label(value)
    }
}

fn is_single_host_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The result of `parseURL`: an endpoint URL split into the parts rule sets template
/// into the final endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`, lowercase, without `://`.
    pub scheme: String,
    /// The host and, when the URL gives one, the port (`example.com:8443`,
    /// `[fe80::1]`), exactly as written.
    pub authority: String,
    /// The path exactly as written: empty for `https://example.com`, `/` for
    /// `https://example.com/`.
    pub path: String,
    /// The path with a leading and a trailing `/`, so rule sets can append to it:
    /// `/` for an empty path, `/foo/bar/` for `/foo/bar`.
    pub normalized_path: String,
    /// Whether the host is an IPv4 address or a bracketed IPv6 address, which rule
    /// sets must not prefix with virtual-host labels.
    pub is_ip: bool,
}

/// `parseURL`: splits a custom endpoint such as `https://example.com:8443/base` into
/// a [`Url`], or `None` when rule sets must not use it.
///
/// `None` when:
/// - the scheme is not `http` or `https` (compared case-insensitively), or `://` is
///   missing (`example.com`);
/// - the URL has a query (`?`, even an empty one), which the spec forbids;
/// - the URL has a userinfo part (`user@host`), which the spec's `authority` must not
///   carry and an endpoint never needs;
/// - the host is empty, holds a character a host cannot (space, `\`, non-ASCII, …),
///   or is a bracketed IPv6 address that does not parse;
/// - the port is not 1 to 5 digits up to 65535 (`http://abc.com:a/foo`);
/// - the URL holds whitespace, control or non-ASCII characters anywhere.
///
/// Host labels are otherwise not validated (`http://99_ab-.com` parses), and a
/// fragment (`#…`) is dropped, as in the reference implementation. `is_ip` uses the
/// reference heuristic for IPv4: four dot-separated decimal numbers of one to three
/// digits without leading zeros, not checked against 255.
pub fn parse_url(input: &str) -> Option<Url> {
    if input.bytes().any(|b| b <= b' ' || b >= 0x7F) {
        return None;
    }
    let (scheme, rest) = input.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest
        .split_once('#')
        .map_or(rest, |(before, _fragment)| before);
    if rest.contains('?') {
        return None;
    }
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_host_port(authority)?;
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
        if !valid {
            return None;
        }
    }
    let is_ip = if let Some(inner) = host.strip_prefix('[') {
        let address = inner.strip_suffix(']')?;
        // An IPv6 zone id (`%25eth0`) may follow the address.
        let address = address
            .split_once('%')
            .map_or(address, |(address, _zone)| address);
        address.parse::<std::net::Ipv6Addr>().ok()?;
        true
    } else {
        if host.is_empty() || !host.bytes().all(is_host_byte) {
            return None;
        }
        looks_like_ipv4(host)
    };
    let mut normalized_path = String::with_capacity(path.len() + 2);
    if !path.starts_with('/') {
        normalized_path.push('/');
    }
    normalized_path.push_str(path);
    if !normalized_path.ends_with('/') {
        normalized_path.push('/');
    }
    Some(Url {
        scheme,
        authority: authority.to_owned(),
        path: path.to_owned(),
        normalized_path,
        is_ip,
    })
}

/// Splits `host[:port]`, keeping the brackets of an IPv6 host; `None` when something
/// other than a port follows a bracketed host.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at(close + 1);
        if after.is_empty() {
            Some((host, None))
        } else {
            Some((host, Some(after.strip_prefix(':')?)))
        }
    } else {
        Some(match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        })
    }
}

/// Characters RFC 3986 allows in a registered host name: unreserved, sub-delims and
/// `%` of percent-encodings.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&b)
}

/// The Smithy reference heuristic for "this host is an IPv4 address": exactly four
/// `.`-separated decimal numbers of 1 to 3 digits, none but `0` itself starting with
/// `0`. Values above 255 still count: `999.999.999.999` is treated as an address.
fn looks_like_ipv4(host: &str) -> bool {
    let mut segments = 0;
    for segment in host.split('.') {
        segments += 1;
        let bytes = segment.as_bytes();
        let well_formed = (1..=3).contains(&bytes.len())
            && bytes.iter().all(u8::is_ascii_digit)
            && (bytes.len() == 1 || bytes[0] != b'0');
        if segments > 4 || !well_formed {
            return false;
        }
    }
    segments == 4
}

/// The result of `aws.parseArn`: an Amazon Resource Name's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    /// The partition, e.g. `aws` or `aws-cn`; never empty.
    pub partition: String,
    /// The service namespace, e.g. `s3`; never empty.
    pub service: String,
    /// The region; empty for global resources (`arn:aws:iam::…`).
    pub region: String,
    /// The owning account; empty when the resource has none (`arn:aws:s3:::bucket`).
    pub account_id: String,
    /// The resource part split on both `:` and `/`: `vpc/vpc-0e98` becomes
    /// `["vpc", "vpc-0e98"]`. Never empty, though its items may be.
    pub resource_id: Vec<String>,
}

/// `aws.parseArn`: parses `arn:partition:service:region:account:resource`, or `None`
/// when `input` is not an ARN.
///
/// Rule sets use it to route requests made with ARNs (S3 access points, outposts) to
/// the ARN's own partition and region. `None` when the first field is not exactly
/// `arn`, when there are fewer than six `:`-separated fields, or when the partition,
/// service or resource is empty. Region and account may be empty. Only the first five
/// `:` separate fields; later ones belong to the resource, which is then split on `:`
/// and `/`.
pub fn parse_arn(input: &str) -> Option<Arn> {
    let mut fields = input.splitn(6, ':');
    let (prefix, partition, service, region, account_id, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if prefix != "arn" || partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    Some(Arn {
        partition: partition.to_owned(),
        service: service.to_owned(),
        region: region.to_owned(),
        account_id: account_id.to_owned(),
        resource_id: resource.split([':', '/']).map(str::to_owned).collect(),
    })
}

/// `aws.isVirtualHostableS3Bucket`: whether `bucket` can be the first label(s) of an
/// S3 virtual-hosted-style hostname (`bucket.s3.amazonaws.com`).
///
/// S3 rule sets fall back to path-style addressing when this is false. Following the
/// Smithy reference implementation: the whole name is 3 to 63 characters of lowercase
/// ASCII letters, digits and `-`, and starts and ends with a letter or digit. With
/// `allow_subdomains`, `.` is allowed too, but not next to another `.` or a `-`
/// (`a..b`, `a-.b`, `a.-b`), and the name must not be formatted as an IPv4 address:
/// four `.`-separated groups of 1 to 3 digits, leading zeros included (`192.168.1.1`,
/// `01.02.03.04`), as botocore checks; the Java SDK also counts leading zeros, unlike
/// [`parse_url`]'s `is_ip`. Labels between dots may then be short (`a.b-c` is accepted),
/// as the 3-character minimum applies to the whole name. Without `allow_subdomains` a
/// `.` makes the name invalid.
pub fn is_virtual_hostable_s3_bucket(bucket: &str, allow_subdomains: bool) -> bool {
    fn lower_alnum(b: u8) -> bool {
        b.is_ascii_lowercase() || b.is_ascii_digit()
    }
    let bytes = bucket.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !(3..=63).contains(&bytes.len()) || !lower_alnum(first) || !lower_alnum(last) {
        return false;
    }
    if !allow_subdomains {
        return bytes.iter().all(|&b| lower_alnum(b) || b == b'-');
    }
    let valid_sequence = bytes.windows(2).all(|pair| match (pair[0], pair[1]) {
        (b'.' | b'-', b'.') | (b'.', b'-') => false,
        (_, b) => lower_alnum(b) || b == b'.' || b == b'-',
    });
    valid_sequence && !is_dotted_quad(bucket)
}

/// Whether `name` is four `.`-separated groups of 1 to 3 ASCII digits (botocore's
/// `IPV4_RE`). Looser than [`looks_like_ipv4`]: bucket names are checked for the format,
/// not for being an address a URL could use.
fn is_dotted_quad(name: &str) -> bool {
    let mut groups = 0;
    name.split('.').all(|group| {
        groups += 1;
        groups <= 4 && (1..=3).contains(&group.len()) && group.bytes().all(|b| b.is_ascii_digit())
    }) && groups == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_need_both_values_set() {
        assert!(string_equals(Some("a"), Some("a")));
        assert!(!string_equals(Some("a"), Some("b")));
        assert!(!string_equals(Some("a"), None));
        assert!(!string_equals(None, None));
        assert!(boolean_equals(Some(false), Some(false)));
        assert!(!boolean_equals(Some(true), Some(false)));
        assert!(!boolean_equals(None, Some(true)));
        assert!(!boolean_equals(None, None));
    }

    #[test]
    fn substring_follows_the_spec_test_suite() {
        let first4 = |s: &str| substring(s, 0, 4, false);
        let last4 = |s: &str| substring(s, 0, 4, true);
        let middle = |s: &str| substring(s, 1, 3, false);
        assert_eq!(first4("abcdefg").as_deref(), Some("abcd"));
        assert_eq!(first4("abcd").as_deref(), Some("abcd"));
        assert_eq!(first4("abc"), None);
        assert_eq!(first4(""), None);
        assert_eq!(first4("\u{fdfd}"), None);
        assert_eq!(first4("\u{7f}abcdef").as_deref(), Some("\u{7f}abc"));
        assert_eq!(last4("abcdefg").as_deref(), Some("defg"));
        assert_eq!(last4("defg").as_deref(), Some("defg"));
        assert_eq!(last4("abc"), None);
        assert_eq!(last4(""), None);
        assert_eq!(last4("\u{fdfd}"), None);
        assert_eq!(middle("defg").as_deref(), Some("ef"));
        assert_eq!(middle("def").as_deref(), Some("ef"));
        assert_eq!(middle("ab"), None);
        assert_eq!(middle(""), None);
        assert_eq!(middle("\u{fdfd}"), None);
    }

    #[test]
    fn substring_edge_cases() {
        assert_eq!(substring("abc", 1, 1, false), None);
        assert_eq!(substring("abc", 2, 1, false), None);
        assert_eq!(substring("abc", 0, 3, false).as_deref(), Some("abc"));
        assert_eq!(substring("abcdef", 1, 3, true).as_deref(), Some("de"));
        // Non-ASCII anywhere rejects, even outside the requested range.
        assert_eq!(substring("abcdé", 0, 2, false), None);
        assert_eq!(substring("abc", 0, usize::MAX, false), None);
    }

    #[test]
    fn uri_encode_follows_the_spec_test_suite() {
        assert_eq!(uri_encode("abcdefg"), "abcdefg");
        assert_eq!(uri_encode("abc:defg"), "abc%3Adefg");
        assert_eq!(
            uri_encode("/:,?#[]{}|@! $&'()*+;=%<>\"^`\\"),
            "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
        );
        assert_eq!(
            uri_encode("0123456789.underscore_dash-Tilda~"),
            "0123456789.underscore_dash-Tilda~"
        );
        assert_eq!(uri_encode("\u{1F639}"), "%F0%9F%98%B9");
        let printable: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(
            uri_encode(&printable),
            "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40\
             ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"
        );
        assert_eq!(uri_encode(""), "");
        assert_eq!(uri_encode("\n\u{7f}"), "%0A%7F");
    }

    #[test]
    fn host_labels_follow_the_spec_test_suite() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(is_valid_host_label("3aws4", false));
        assert!(!is_valid_host_label("part1.part2", false));
        assert!(is_valid_host_label("part1.part2", true));
        assert!(!is_valid_host_label("part1 part2", false));
        assert!(!is_valid_host_label("part1 part2", true));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label("", true));
        assert!(!is_valid_host_label("part1.", true));
        assert!(!is_valid_host_label("part1..part2", true));
        assert!(!is_valid_host_label("part1.-part2", true));
    }

    #[test]
    fn host_label_edge_cases() {
        assert!(!is_valid_host_label("-foo", false));
        assert!(!is_valid_host_label(".foo", true));
        assert!(!is_valid_host_label(".", true));
        assert!(is_valid_host_label("a-b.foo", true));
        assert!(!is_valid_host_label("foo-", false));
        assert!(!is_valid_host_label("us-east-1-", true));
        assert!(!is_valid_host_label("a.b-", true));
        assert!(!is_valid_host_label("a-.b", true));
        assert!(is_valid_host_label("a", false));
        assert!(is_valid_host_label("a-1", false));
        assert!(is_valid_host_label("Foo", false));
        assert!(!is_valid_host_label("a_b", true));
        assert!(!is_valid_host_label("é", false));
        assert!(is_valid_host_label(&"a".repeat(63), false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(is_valid_host_label(
            &format!("{0}.{0}", "a".repeat(63)),
            true
        ));
        assert!(!is_valid_host_label(&format!("{}.a", "a".repeat(64)), true));
    }

    fn url(
        scheme: &str,
        authority: &str,
        path: &str,
        normalized_path: &str,
        is_ip: bool,
    ) -> Option<Url> {
        Some(Url {
            scheme: scheme.into(),
            authority: authority.into(),
            path: path.into(),
            normalized_path: normalized_path.into(),
            is_ip,
        })
    }

    #[test]
    fn parse_url_spec_examples() {
        assert_eq!(
            parse_url("https://example.com"),
            url("https", "example.com", "", "/", false)
        );
        assert_eq!(parse_url("https://example.com:8443?foo=bar&faz=baz"), None);
        assert_eq!(
            parse_url("http://example.com:80/foo/bar"),
            url("http", "example.com:80", "/foo/bar", "/foo/bar/", false)
        );
        assert_eq!(
            parse_url("https://127.0.0.1"),
            url("https", "127.0.0.1", "", "/", true)
        );
        assert_eq!(
            parse_url("https://[fe80::1]"),
            url("https", "[fe80::1]", "", "/", true)
        );
        assert_eq!(parse_url("https://example.com?foo=bar"), None);
        assert_eq!(parse_url("example.com"), None);
    }

    #[test]
    fn parse_url_follows_the_spec_test_suite() {
        assert_eq!(
            parse_url("https://authority.com/custom-path"),
            url(
                "https",
                "authority.com",
                "/custom-path",
                "/custom-path/",
                false
            )
        );
        assert_eq!(
            parse_url("https://authority.com/"),
            url("https", "authority.com", "/", "/", false)
        );
        assert_eq!(
            parse_url("https://authority.com:8000/port"),
            url("https", "authority.com:8000", "/port", "/port/", false)
        );
        assert_eq!(
            parse_url("http://authority.com:8000/port"),
            url("http", "authority.com:8000", "/port", "/port/", false)
        );
        assert_eq!(parse_url("acbd://example.com"), None);
        assert_eq!(
            parse_url("http://99_ab.com"),
            url("http", "99_ab.com", "", "/", false)
        );
        assert_eq!(
            parse_url("http://99_ab-.com"),
            url("http", "99_ab-.com", "", "/", false)
        );
        assert_eq!(parse_url("http://abc.com:a/foo"), None);
        assert_eq!(
            parse_url("http://192.168.1.1/foo/"),
            url("http", "192.168.1.1", "/foo/", "/foo/", true)
        );
        assert_eq!(
            parse_url("http://192.168.1.1:1234/foo/"),
            url("http", "192.168.1.1:1234", "/foo/", "/foo/", true)
        );
        assert_eq!(
            parse_url("https://[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443"),
            url(
                "https",
                "[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443",
                "",
                "/",
                true
            )
        );
        assert_eq!(
            parse_url("https://999.999.abc.blah"),
            url("https", "999.999.abc.blah", "", "/", false)
        );
        assert_eq!(parse_url("https://example.com/path?query1=foo"), None);
    }

    #[test]
    fn parse_url_edge_cases() {
        assert_eq!(
            parse_url("HTTPS://Example.com/A").map(|u| (u.scheme, u.authority)),
            Some(("https".into(), "Example.com".into()))
        );
        assert_eq!(parse_url("https://example.com?"), None);
        assert_eq!(
            parse_url("https://example.com/a#frag?x"),
            url("https", "example.com", "/a", "/a/", false)
        );
        assert_eq!(
            parse_url("https://example.com//a//"),
            url("https", "example.com", "//a//", "//a//", false)
        );
        assert_eq!(parse_url("https://"), None);
        assert_eq!(parse_url("https:///path"), None);
        assert_eq!(parse_url("https://:443"), None);
        assert_eq!(parse_url("https://user:pw@example.com"), None);
        assert_eq!(parse_url("https://example.com:"), None);
        assert_eq!(parse_url("https://example.com:65536"), None);
        assert_eq!(parse_url("https://example.com:123456"), None);
        assert_eq!(parse_url("https://example.com:+1"), None);
        assert!(parse_url("https://example.com:65535").is_some());
        assert_eq!(parse_url("https://exa mple.com"), None);
        assert_eq!(parse_url(" https://example.com"), None);
        assert_eq!(parse_url("https://example.com/\n"), None);
        assert_eq!(parse_url("https://exämple.com"), None);
        assert_eq!(parse_url("https://a\\b.com"), None);
        assert_eq!(parse_url("ftp://example.com"), None);
        assert_eq!(parse_url("https:example.com"), None);
        assert_eq!(parse_url("https://[not-v6]"), None);
        assert_eq!(parse_url("https://[::1"), None);
        assert_eq!(parse_url("https://[::1]x"), None);
        assert_eq!(parse_url("https://[::1]:"), None);
        assert_eq!(
            parse_url("https://[::1]:8080/p").map(|u| (u.authority, u.is_ip)),
            Some(("[::1]:8080".into(), true))
        );
        assert_eq!(
            parse_url("https://[fe80::1%25eth0]").map(|u| u.is_ip),
            Some(true)
        );
        assert_eq!(parse_url("https://a:1:2"), None);
        assert_eq!(
            parse_url("https://localhost:8000").map(|u| u.is_ip),
            Some(false)
        );
        assert_eq!(
            parse_url("https://999.999.999.999").map(|u| u.is_ip),
            Some(true)
        );
        assert_eq!(parse_url("https://1.2.3.4.5").map(|u| u.is_ip), Some(false));
        assert_eq!(parse_url("https://01.2.3.4").map(|u| u.is_ip), Some(false));
        assert_eq!(parse_url("https://1.2.3").map(|u| u.is_ip), Some(false));
    }

    fn arn(
        partition: &str,
        service: &str,
        region: &str,
        account_id: &str,
        resource: &[&str],
    ) -> Option<Arn> {
        Some(Arn {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account_id: account_id.into(),
            resource_id: resource.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn parse_arn_spec_examples() {
        assert_eq!(
            parse_arn("arn:aws:sns:us-west-2:012345678910:example-sns-topic-name"),
            arn(
                "aws",
                "sns",
                "us-west-2",
                "012345678910",
                &["example-sns-topic-name"]
            )
        );
        assert_eq!(parse_arn("11111111-2222-3333-4444-555555555555"), None);
        assert_eq!(
            parse_arn("arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE"),
            arn(
                "aws",
                "ec2",
                "us-east-1",
                "012345678910",
                &["vpc", "vpc-0e9801d129EXAMPLE"]
            )
        );
        assert_eq!(
            parse_arn("arn:aws:iam::012345678910:user/johndoe"),
            arn("aws", "iam", "", "012345678910", &["user", "johndoe"])
        );
        assert_eq!(
            parse_arn("arn:aws:s3:::bucket_name"),
            arn("aws", "s3", "", "", &["bucket_name"])
        );
    }

    #[test]
    fn parse_arn_edge_cases() {
        assert_eq!(
            parse_arn("arn:aws:s3:us-east-2:012345678:outpost:op-1234/bucket"),
            arn(
                "aws",
                "s3",
                "us-east-2",
                "012345678",
                &["outpost", "op-1234", "bucket"]
            )
        );
        assert_eq!(
            parse_arn("arn:aws:s3:::my_corporate_bucket/Development/*"),
            arn(
                "aws",
                "s3",
                "",
                "",
                &["my_corporate_bucket", "Development", "*"]
            )
        );
        assert_eq!(
            parse_arn("arn:aws:s3:::a//b:"),
            arn("aws", "s3", "", "", &["a", "", "b", ""])
        );
        assert_eq!(parse_arn("arn:aws:s3:us-east-2:012345678:"), None);
        assert_eq!(parse_arn("arn::s3:us-east-2:012345678:x"), None);
        assert_eq!(parse_arn("arn:aws::us-east-2:012345678:x"), None);
        assert_eq!(parse_arn("arn:aws:s3:us-east-2:012345678"), None);
        assert_eq!(parse_arn("ARN:aws:s3:::x"), None);
        assert_eq!(parse_arn("arnx:aws:s3:::x"), None);
        assert_eq!(parse_arn(""), None);
    }

    #[test]
    fn virtual_hostable_buckets_follow_the_reference_tests() {
        let cases: &[(&str, bool, bool)] = &[
            ("ab", false, false),
            ("abc", false, true),
            (&"a".repeat(63), false, true),
            (&"a".repeat(64), false, false),
            ("-abc", false, false),
            (".abc", true, false),
            ("abc-", false, false),
            ("abc.", true, false),
            ("abc", false, true),
            ("a-b-c", false, true),
            ("a.b-c", false, false),
            ("abc", true, true),
            ("a-b-c", true, true),
            ("a.b-c", true, true),
            ("a..b", true, false),
            ("a-.b", true, false),
            ("a.-b", true, false),
            ("192.168.1.1", true, false),
            ("999.999.999.999", true, false),
            ("192.168.1.word", true, true),
            ("a-b.c-d", true, true),
            ("a0b1c2", true, true),
            ("123", true, true),
            ("abc123", true, true),
            ("123abc", true, true),
            ("a0.b1.c2", true, true),
            ("abc_def", true, false),
            ("abcDef", true, false),
            ("abc#def", true, false),
        ];
        for &(bucket, allow_subdomains, expected) in cases {
            assert_eq!(
                is_virtual_hostable_s3_bucket(bucket, allow_subdomains),
                expected,
                "{bucket} {allow_subdomains}"
            );
        }
    }

    #[test]
    fn virtual_hostable_bucket_edge_cases() {
        assert!(!is_virtual_hostable_s3_bucket("", false));
        assert!(!is_virtual_hostable_s3_bucket("", true));
        assert!(is_virtual_hostable_s3_bucket("a--b--x-s3", false));
        assert!(!is_virtual_hostable_s3_bucket("a-.b-.c", true));
        assert!(!is_virtual_hostable_s3_bucket("bücket", false));
        assert!(!is_virtual_hostable_s3_bucket(
            &format!("{0}.{0}", "a".repeat(32)),
            true
        ));
        assert!(is_virtual_hostable_s3_bucket(
            &format!("{0}.{0}", "a".repeat(31)),
            true
        ));
        assert!(is_virtual_hostable_s3_bucket("my.bucket.name", true));
        assert!(!is_virtual_hostable_s3_bucket("my.bucket.name", false));
        assert!(is_virtual_hostable_s3_bucket("1.2.3", true));
        assert!(is_virtual_hostable_s3_bucket("1.2.3.4.5", true));
        // Formatted as an IPv4 address even where a URL's host would not count as one.
        assert!(!is_virtual_hostable_s3_bucket("01.02.03.04", true));
        assert!(!is_virtual_hostable_s3_bucket("000.000.000.000", true));
        assert!(!is_virtual_hostable_s3_bucket("1.2.3.4", true));
        assert!(is_virtual_hostable_s3_bucket("1234.1.1.1", true));
        assert!(is_virtual_hostable_s3_bucket("1.2.3.a4", true));
    }
}
