//! Region names. A region becomes part of a host name (`metering.marketplace.
//! REGION.amazonaws.com`, `sts.REGION.amazonaws.com`), so a region such as
//! `x.example.org/` would send the signed request, the session token and the
//! metering record to another host. A region is therefore refused unless it is
//! one host label, as botocore refuses it.

use crate::error::ConfigError;
use std::fmt;

/// The longest region shown in full in an error; a longer one is cut.
const SHOWN_CHARS: usize = 80;

/// Whether `region` is one host label, as botocore's `validate_region_name`
/// (`botocore/utils.py`) checks it with
/// `^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{,63}(?<!-)$`: at most 63 ASCII letters, digits
/// and hyphens, not all digits, neither starting nor ending with a hyphen.
///
/// Stricter than that regex in two ways: the empty string is refused (it
/// would make the host `metering.marketplace..amazonaws.com`), and so is a
/// trailing newline (Python's `$` lets one through).
pub fn is_valid_region(region: &str) -> bool {
    let bytes = region.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !bytes.iter().all(u8::is_ascii_digit)
}

/// `region` if it is valid (see [`is_valid_region`]); else an error naming it
/// and `origin`, where it was configured: `environment variable AWS_REGION`,
/// a profile's file and line, `EC2 instance metadata (…)`.
///
/// Every place a region goes into a host name calls this before sending
/// anything.
pub fn check_region<'a>(region: &'a str, origin: &str) -> Result<&'a str, InvalidRegion> {
    if is_valid_region(region) {
        Ok(region)
    } else {
        Err(InvalidRegion {
            region: shown(region),
            origin: origin.to_owned(),
        })
    }
}

/// A region that cannot be a host label, with where it was configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRegion {
    /// The region, escaped and cut for printing.
    region: String,
    origin: String,
}

impl fmt::Display for InvalidRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the region `{}` ({}) is not a region name: a region must be one host label, \
             1 to 63 ASCII letters, digits and hyphens, not all digits, neither starting \
             nor ending with a hyphen",
            self.region, self.origin
        )
    }
}

impl std::error::Error for InvalidRegion {}

impl From<InvalidRegion> for ConfigError {
    fn from(error: InvalidRegion) -> Self {
        ConfigError::new(error.to_string())
    }
}

/// `region` with control characters escaped and at most [`SHOWN_CHARS`]
/// characters, for one line of an error message.
fn shown(region: &str) -> String {
    let mut text: String = region
        .chars()
        .take(SHOWN_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if region.chars().nth(SHOWN_CHARS).is_some() {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_host_labels() {
        let longest = "a".repeat(63);
        for region in [
            "us-east-1",
            "eu-central-1",
            "us-gov-west-1",
            "cn-north-1",
            "eusc-de-east-1",
            "US-EAST-1",
            "a",
            "1a",
            "a-1",
            longest.as_str(),
        ] {
            assert!(is_valid_region(region), "{region}");
        }
        let too_long = "a".repeat(64);
        for region in [
            "",
            "x.example.org/",
            "x.example.org",
            "127.0.0.1",
            "x@127.0.0.1:9",
            "us-east-1/",
            "us-east-1#",
            "us-east-1?",
            "us east 1",
            "us_east_1",
            "-us-east-1",
            "us-east-1-",
            "-",
            "123",
            "0",
            "us-east-1\n",
            "\u{0130}stanbul",
            "us-east-１",
            too_long.as_str(),
        ] {
            assert!(!is_valid_region(region), "{region:?}");
        }
    }

    #[test]
    fn the_error_names_the_region_and_where_it_was_set() {
        assert_eq!(check_region("us-east-1", "test"), Ok("us-east-1"));
        let error = check_region("x.example.org/", "environment variable AWS_REGION").unwrap_err();
        assert_eq!(
            error.to_string(),
            "the region `x.example.org/` (environment variable AWS_REGION) is not a region \
             name: a region must be one host label, 1 to 63 ASCII letters, digits and \
             hyphens, not all digits, neither starting nor ending with a hyphen"
        );
        let config: ConfigError = error.into();
        assert!(config
            .to_string()
            .starts_with("invalid configuration: the region `x.example.org/`"));
    }

    #[test]
    fn the_error_shows_a_hostile_region_on_one_short_line() {
        let error = check_region("us\r\nX-Injected: 1", "o")
            .unwrap_err()
            .to_string();
        assert!(error.contains("`us\\r\\nX-Injected: 1`"), "{error}");
        let long = "x".repeat(10_000);
        let error = check_region(&long, "o").unwrap_err().to_string();
        assert!(error.contains(&format!("`{}…`", "x".repeat(80))), "{error}");
        assert!(error.len() < 400, "{error}");
    }
}
