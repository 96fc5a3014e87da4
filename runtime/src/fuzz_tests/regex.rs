//! The runtime's own regex engine (`endpoint::regex`), which matches regions
//! against each partition's `regionRegex` at run time.
//!
//! The model's `pattern` constraints are not checked at run time (see
//! `validate.rs`: lengths, ranges and required members only), so what runs is
//! fuzzed instead: the engine, with the real patterns of the model and of the
//! partitions against arbitrary texts and a hand-written reference for each,
//! with arbitrary pattern text (it must compile or say why not), and with
//! generated patterns against the `regex` crate as an oracle.

use super::generators::{config, edit_text, edits, neighbourhoods, text, tried};
use crate::endpoint::regex::compile;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use std::collections::BTreeSet;

/// The model the service crate is generated from.
const MODEL: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../model/meteringmarketplace/service-2.json"
));

/// The ARN pattern of `LicenseArn`: `{0,1023}` is above the engine's limit of
/// 1,000 repetitions, so the engine refuses it (harmless: patterns are not
/// checked at run time).
const LICENSE_ARN: &str = "^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.-]{0,1023}$";

/// What a pattern means, written by hand: whether it matches a text.
type Reference = fn(&str) -> bool;

/// Every distinct `pattern` of the model, with its reference.
const MODEL_PATTERNS: &[(&str, Reference)] = &[
    (r"[A-Za-z0-9_/-]+", |text| {
        text.chars()
            .any(|c| c.is_ascii_alphanumeric() || "_/-".contains(c))
    }),
    (r"[\s\S]*", |_| true),
    (r"[\s\S]+", |text| !text.is_empty()),
    (r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,6})?$", |text| {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
        let digits = |s: &str, max: usize| {
            (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
        };
        digits(whole, 10) && (whole == "0" || !whole.starts_with('0')) && digits(fraction, 6)
    }),
    (r"^[-a-zA-Z0-9/=:_.@]*$", |text| {
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-/=:_.@".contains(c))
    }),
    (r"^[0-9]+$", |text| {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
    }),
    // ` -=` is a range: space to `=`.
    (r"^[a-zA-Z0-9+ -=._:\/@]+$", |text| {
        !text.is_empty()
            && text.chars().all(|c| {
                c.is_ascii_alphanumeric() || (' '..='=').contains(&c) || "+._:/@".contains(c)
            })
    }),
];

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
/// ASCII, as the engine reads them).
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

/// The patterns of [`MODEL_PATTERNS`] and [`REGION_REGEXES`] alone, for
/// strategies.
fn model_patterns() -> &'static [&'static str] {
    static PATTERNS: std::sync::OnceLock<Vec<&str>> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| MODEL_PATTERNS.iter().map(|(pattern, _)| *pattern).collect())
}

fn region_patterns() -> &'static [&'static str] {
    static PATTERNS: std::sync::OnceLock<Vec<&str>> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| REGION_REGEXES.iter().map(|(pattern, _)| *pattern).collect())
}

/// A pattern in the syntax this engine and the `regex` crate share, over ASCII.
#[derive(Clone, Debug)]
enum Pattern {
    Literal(char),
    Any,
    /// `\d`, `\w`, `\s` and their negations, by letter.
    Perl(char),
    /// A bracket class: negated, ranges (a single character is a range of one)
    /// and Perl classes.
    Class(bool, Vec<(char, char)>, Vec<char>),
    Start,
    End,
    Concat(Vec<Pattern>),
    Alternation(Vec<Pattern>),
    /// `(?: … )` repeated `min` to `max` times, lazily or not.
    Repeat(Box<Pattern>, u32, Option<u32>, bool),
}

/// `c` as a pattern writes it: escaped when it is syntax, `\xHH` when it is not
/// a letter or digit inside a class or not printable.
fn push_char(out: &mut String, c: char, in_class: bool) {
    if c.is_ascii_alphanumeric() || (!in_class && (c == ' ' || c.is_ascii_punctuation())) {
        if !in_class && r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    } else {
        out.push_str(&format!("\\x{:02X}", u32::from(c)));
    }
}

impl Pattern {
    fn render(&self, out: &mut String) {
        match self {
            Pattern::Literal(c) => push_char(out, *c, false),
            Pattern::Any => out.push('.'),
            Pattern::Perl(letter) => out.extend(['\\', *letter]),
            Pattern::Class(negated, ranges, perls) => {
                out.push('[');
                if *negated {
                    out.push('^');
                }
                for &(low, high) in ranges {
                    push_char(out, low, true);
                    if high != low {
                        out.push('-');
                        push_char(out, high, true);
                    }
                }
                for letter in perls {
                    out.extend(['\\', *letter]);
                }
                out.push(']');
            }
            Pattern::Start => out.push('^'),
            Pattern::End => out.push('$'),
            Pattern::Concat(items) => {
                for item in items {
                    out.push_str("(?:");
                    item.render(out);
                    out.push(')');
                }
            }
            Pattern::Alternation(branches) => {
                out.push_str("(?:");
                for (n, branch) in branches.iter().enumerate() {
                    if n > 0 {
                        out.push('|');
                    }
                    branch.render(out);
                }
                out.push(')');
            }
            Pattern::Repeat(inner, min, max, lazy) => {
                out.push_str("(?:");
                inner.render(out);
                out.push(')');
                match (min, max) {
                    (0, None) => out.push('*'),
                    (1, None) => out.push('+'),
                    (0, Some(1)) => out.push('?'),
                    (min, None) => out.push_str(&format!("{{{min},}}")),
                    (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
                    (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
                }
                if *lazy {
                    out.push('?');
                }
            }
        }
    }
}

/// The characters generated patterns and texts are made of.
const ALPHABET: &str = "ab0_- .\n\t*(]\\\u{7f}";

fn alphabet_char() -> impl Strategy<Value = char> {
    select(ALPHABET.chars().collect::<Vec<_>>())
}

fn pattern() -> impl Strategy<Value = Pattern> {
    let perl = select(&['d', 'D', 'w', 'W', 's', 'S'][..]);
    let range =
        (alphabet_char(), alphabet_char()).prop_map(|(a, b)| if a <= b { (a, b) } else { (b, a) });
    let class = (
        any::<bool>(),
        proptest::collection::vec(range, 1..4),
        proptest::collection::vec(perl.clone(), 0..2),
    )
        .prop_map(|(negated, ranges, perls)| Pattern::Class(negated, ranges, perls));
    let leaf = prop_oneof![
        4 => alphabet_char().prop_map(Pattern::Literal),
        1 => Just(Pattern::Any),
        1 => perl.prop_map(Pattern::Perl),
        2 => class,
        1 => Just(Pattern::Start),
        1 => Just(Pattern::End),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Pattern::Concat),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Pattern::Alternation),
            (inner, 0u32..4, proptest::option::of(0u32..4), any::<bool>()).prop_map(
                |(inner, min, extra, lazy)| {
                    Pattern::Repeat(Box::new(inner), min, extra.map(|extra| min + extra), lazy)
                }
            ),
        ]
    })
}

/// Pattern syntax, for arbitrary pattern text.
const PATTERN_SEEDS: &[&str] = &[
    r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
    r"^arn:aws[a-zA-Z-]*:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}$",
    r"^[a-zA-Z0-9+ -=._:\/@]+$",
    r"(?:a|b)*?c{2,5}[^\x00-\x1F\s]\A\z",
];

const PATTERN_PARTS: &[&str] = &[
    "(",
    ")",
    "(?:",
    "(?",
    "[",
    "]",
    "[^",
    "|",
    "*",
    "+",
    "?",
    "??",
    "{",
    "}",
    "{2}",
    "{2,}",
    "{1,1000}",
    "{1001}",
    "{4294967296}",
    "\\",
    "\\d",
    "\\w",
    "\\s",
    "\\x",
    "\\x4",
    "\\xFF",
    "\\p{L}",
    "\\b",
    "\\1",
    "^",
    "$",
    ".",
    "-",
    "a-",
    "z-a",
    "[:alpha:]",
];

proptest! {
    #![proptest_config(config(2_000))]

    /// The model's patterns match exactly what their references say.
    #[test]
    fn model_patterns_agree_with_their_references((index, text) in case_for(model_patterns())) {
        let (pattern, reference) = MODEL_PATTERNS[index];
        let regex = compile(pattern).map_err(TestCaseError::fail)?;
        prop_assert_eq!(regex.is_match(&text), reference(&text), "{} on {:?}", pattern, text);
    }

    /// The partitions' region regexes match exactly the regions their
    /// references describe.
    #[test]
    fn region_regexes_agree_with_their_references((index, text) in case_for(region_patterns())) {
        let (pattern, prefixes) = REGION_REGEXES[index];
        let regex = compile(pattern).map_err(TestCaseError::fail)?;
        prop_assert_eq!(regex.is_match(&text), reference_region(prefixes, &text), "{} on {:?}", pattern, text);
    }

    /// Any pattern text compiles or is refused, without a panic, and then
    /// matches any text without one.
    #[test]
    fn any_pattern_compiles_or_is_refused(
        pattern in text(PATTERN_SEEDS, PATTERN_PARTS),
        input in prop_oneof![any::<String>(), text(&["us-east-1", "arn:aws:s3:::b"], TEXT_PARTS)],
    ) {
        if let Ok(regex) = compile(&pattern) {
            let _ = regex.is_match(&input);
        }
    }

    /// Generated patterns match what the `regex` crate matches, on ASCII text.
    #[test]
    fn generated_patterns_agree_with_the_regex_crate(
        pattern in pattern(),
        inputs in proptest::collection::vec(
            proptest::collection::vec(alphabet_char(), 0..10).prop_map(String::from_iter),
            1..8,
        ),
    ) {
        let mut text = String::new();
        pattern.render(&mut text);
        let ours = compile(&text).map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        let theirs = ::regex::bytes::RegexBuilder::new(&text)
            .unicode(false)
            .build()
            .map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
        for input in inputs {
            prop_assert_eq!(
                ours.is_match(&input),
                theirs.is_match(input.as_bytes()),
                "{} on {:?}", text, input
            );
        }
    }
}

#[test]
fn the_model_patterns_are_all_here() {
    let model: serde_json::Value = serde_json::from_str(MODEL).unwrap();
    let in_model: BTreeSet<&str> = model["shapes"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|shape| shape.get("pattern")?.as_str())
        .collect();
    let here: BTreeSet<&str> = model_patterns()
        .iter()
        .copied()
        .chain([LICENSE_ARN])
        .collect();
    assert_eq!(
        in_model, here,
        "a pattern changed: give it a reference here"
    );
    assert!(compile(LICENSE_ARN).is_err());
}

#[test]
fn pattern_neighbourhood() {
    let patterns: Vec<&str> = model_patterns()
        .iter()
        .chain(region_patterns())
        .chain(PATTERN_SEEDS)
        .copied()
        .collect();
    let inputs = neighbourhoods(&patterns, |pattern| {
        if let Ok(regex) = compile(pattern) {
            let _ = regex.is_match("us-east-1");
        }
    });
    tried(inputs);
}
