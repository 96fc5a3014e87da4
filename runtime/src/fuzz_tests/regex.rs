//! The partitions' `regionRegex`es as `endpoint::partition` runs them (compiled by
//! `regex-lite` once per pattern, then cached): each matches exactly the region names
//! a hand-written reference describes, on texts generated from the pattern, the same
//! edited, arbitrary texts, and every neighbour of real region names.
//!
//! The model's `pattern` constraints are not checked at run time (see
//! `validate.rs`: lengths, ranges and required members only), so no regex but these
//! runs, and only these are tested.

use super::generators::{config, edit_text, edits, neighbourhoods, tried};
use crate::endpoint::partition::{resolve, validate_region_regex, Partition, PartitionOutputs};
use crate::endpoint::partitions_table::AWS_PARTITIONS;
use proptest::prelude::*;
use proptest::strategy::Union;
use std::collections::BTreeSet;

/// Every `regionRegex` of the partitions, with the dash-separated fields a
/// region must start with (one list per alternative) before `\w+-\d+`.
const REGION_REGEXES: &[(&str, &[&[&str]])] = &[
    (
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        &[
            &["us"],
            &["eu"],
            &["ap"],
            &["sa"],
            &["ca"],
            &["me"],
            &["af"],
            &["il"],
            &["mx"],
        ],
    ),
    (r"^cn\-\w+\-\d+$", &[&["cn"]]),
    (r"^eusc\-(de)\-\w+\-\d+$", &[&["eusc", "de"]]),
    (r"^us\-iso\-\w+\-\d+$", &[&["us", "iso"]]),
    (r"^us\-isob\-\w+\-\d+$", &[&["us", "isob"]]),
    (r"^eu\-isoe\-\w+\-\d+$", &[&["eu", "isoe"]]),
    (r"^us\-isof\-\w+\-\d+$", &[&["us", "isof"]]),
    (r"^us\-gov\-\w+\-\d+$", &[&["us", "gov"]]),
];

/// Whether `region` is one of `prefixes`, then `-`, a `\w+` word, `-`, digits.
fn reference_region(prefixes: &[&[&str]], region: &str) -> bool {
    let fields: Vec<&str> = region.split('-').collect();
    prefixes.iter().any(|prefix| {
        let n = prefix.len();
        fields.len() == n + 2
            && fields[..n] == prefix[..]
            && !fields[n].is_empty()
            && fields[n]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !fields[n + 1].is_empty()
            && fields[n + 1].bytes().all(|b| b.is_ascii_digit())
    })
}

/// A strategy for texts `pattern` matches (anchors dropped, `\w` and `\d` made
/// ASCII, as regex-lite reads them).
fn matching(pattern: &str) -> BoxedStrategy<String> {
    let pattern = pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace(r"\w", "[0-9A-Za-z_]")
        .replace(r"\d", "[0-9]");
    proptest::string::string_regex(&pattern)
        .unwrap_or_else(|error| panic!("{pattern}: {error}"))
        .boxed()
}

const TEXT_PARTS: &[&str] = &["us-east-1", "-", "_", "0", ".", "arn:aws:"];

/// `(index of a pattern, text)`: texts the pattern matches, the same edited,
/// and arbitrary ones.
fn case_for(patterns: &'static [&'static str]) -> impl Strategy<Value = (usize, String)> {
    let matching = Union::new(
        patterns
            .iter()
            .enumerate()
            .map(|(index, pattern)| matching(pattern).prop_map(move |text| (index, text))),
    );
    let arbitrary = prop_oneof![any::<String>(), "[ -~]{0,24}", "[a-z0-9._-]{0,16}"];
    prop_oneof![
        2 => matching.clone(),
        2 => (matching, edits(TEXT_PARTS))
            .prop_map(|((index, text), edits)| (index, edit_text(&text, &edits))),
        1 => (0..patterns.len(), arbitrary),
    ]
}

fn region_patterns() -> &'static [&'static str] {
    static PATTERNS: std::sync::OnceLock<Vec<&str>> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| REGION_REGEXES.iter().map(|(pattern, _)| *pattern).collect())
}

/// Whether `region` belongs to a partition whose only way in is `pattern`: the
/// runtime's own matching, cache included, through [`resolve`].
fn matches(pattern: &'static str, region: &str) -> bool {
    const OUTPUTS: PartitionOutputs = PartitionOutputs {
        name: "test",
        dns_suffix: "example.com",
        dual_stack_dns_suffix: "example.com",
        supports_fips: false,
        supports_dual_stack: false,
        implicit_global_region: "test-1",
    };
    // Not `aws`, so that an unmatched region resolves to nothing.
    let partition = Partition {
        id: "test",
        region_regex: pattern,
        regions: &[],
        outputs: OUTPUTS,
    };
    resolve(&[partition], region).is_some()
}

/// Checks every region regex against its reference on `region`.
fn check_region(region: &str) {
    for &(pattern, prefixes) in REGION_REGEXES {
        assert_eq!(
            matches(pattern, region),
            reference_region(prefixes, region),
            "{pattern} on {region:?}"
        );
    }
}

proptest! {
    #![proptest_config(config(2_000))]

    /// The partitions' region regexes match exactly the regions their
    /// references describe.
    #[test]
    fn region_regexes_agree_with_their_references((index, text) in case_for(region_patterns())) {
        let (pattern, prefixes) = REGION_REGEXES[index];
        prop_assert_eq!(matches(pattern, &text), reference_region(prefixes, &text), "{} on {:?}", pattern, text);
    }
}

/// [`REGION_REGEXES`] are the runtime's partitions' (generated from the model's
/// `partitions.json`), and each compiles.
#[test]
fn the_region_regexes_are_all_here() {
    let in_table: BTreeSet<&str> = AWS_PARTITIONS.iter().map(|p| p.region_regex).collect();
    let here: BTreeSet<&str> = region_patterns().iter().copied().collect();
    assert_eq!(
        in_table, here,
        "a regionRegex changed: give it a reference here"
    );
    for pattern in here {
        validate_region_regex(pattern).unwrap();
    }
}

#[test]
fn region_neighbourhood() {
    let regions: Vec<&str> = AWS_PARTITIONS
        .iter()
        .flat_map(|p| p.regions.iter().map(|(name, _)| *name))
        .collect();
    tried(neighbourhoods(&regions, check_region));
}
