//! Property tests of the toolkit's parsers, as TESTING.md describes for the runtime's: the
//! `RegisterUsage` signature (from the network), public keys and the journal (from files),
//! quantities (from callers). Whatever arrives, no panic; and where there is an oracle, the
//! oracle's answer: an edited token never verifies, every truncation of a journal replays to
//! the lines it still holds, quantities print and parse back.
//!
//! Inputs start from valid documents with a few edits (bytes replaced, inserted, removed,
//! truncation), or are arbitrary. `PROPTEST_CASES` sets the number of cases.

use crate::hourly::{line_of, replay, Entry, Quantity};
use crate::register::{der_element, Expected, Verifier};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use proptest::prelude::*;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PSS_SHA256};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

const TEST_KEY: &str = include_str!("../tests/data/test_key.pk8.pem");
const TEST_PUBLIC: &str = include_str!("../tests/data/test_key.spki.pem");

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A valid token, signed with the test key.
fn token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let body: String = TEST_KEY
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let key = RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap();
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"PS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(
                r#"{"productCode":"prod-abc","publicKeyVersion":1,"nonce":"n-1","issuedAt":"2026-12-02T08:00:00.000Z"}"#
            )
        );
        let mut signature = vec![0; key.public().modulus_len()];
        key.sign(&RSA_PSS_SHA256, &SystemRandom::new(), signed.as_bytes(), &mut signature)
            .unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
    })
}

fn verifier() -> Verifier {
    Verifier::new()
        .with_public_key(1, TEST_PUBLIC)
        .unwrap()
        .clock(|| UNIX_EPOCH + Duration::from_secs(1_796_198_460))
}

fn expected() -> Expected {
    Expected::new("prod-abc", 1).nonce("n-1")
}

/// An edit of a text: replace, insert or remove a character, or truncate.
#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Remove(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let hostile = prop_oneof![
        prop::sample::select(vec![
            'A', 'a', '0', '-', '_', '.', '=', '+', '/', '{', '}', '"', ':', ' ', '\n', '\0', '€',
            '\u{7f}'
        ]),
        any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), hostile.clone()).prop_map(|(at, c)| Edit::Replace(at, c)),
        (any::<usize>(), hostile).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Replace(at, c) if len > 0 => chars[at % len] = c,
            Edit::Insert(at, c) => chars.insert(at % (len + 1), c),
            Edit::Remove(at) if len > 0 => {
                chars.remove(at % len);
            }
            Edit::Truncate(at) => chars.truncate(at % (len + 1)),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn an_edited_token_never_verifies(edits in prop::collection::vec(edit(), 1..4)) {
        let edited = apply(token(), &edits);
        let result = verifier().verify(&edited, &expected());
        if edited == token() {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err(), "{edited}");
        }
    }

    #[test]
    fn any_text_is_refused_without_a_panic(text in any::<String>()) {
        prop_assert!(verifier().verify(&text, &expected()).is_err());
    }

    #[test]
    fn public_keys_never_panic(edits in prop::collection::vec(edit(), 0..4)) {
        let _ = Verifier::new().with_public_key(1, &apply(TEST_PUBLIC, &edits));
    }

    #[test]
    fn der_elements_stay_inside_their_input(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok((_, content, rest)) = der_element(&bytes) {
            prop_assert!(content.len() + rest.len() + 2 <= bytes.len());
        }
    }

    #[test]
    fn quantities_print_and_parse_back(micros in 0..=Quantity::MAX.micros()) {
        let quantity = Quantity::from_micros(micros).unwrap();
        prop_assert_eq!(quantity.to_string().parse::<Quantity>(), Ok(quantity));
        prop_assert!(quantity.to_string().len() <= 17);
    }

    #[test]
    fn quantity_text_never_panics(text in "[0-9.]{0,20}|\\PC{0,20}") {
        if let Ok(quantity) = text.parse::<Quantity>() {
            prop_assert!(quantity <= Quantity::MAX);
        }
    }

    #[test]
    fn an_edited_journal_never_panics(edits in prop::collection::vec(edit(), 1..4)) {
        let _ = replay(Path::new("j"), apply(&journal(), &edits).as_bytes(), "prod-abc");
    }

    #[test]
    fn any_bytes_as_a_journal_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = replay(Path::new("j"), &bytes, "prod-abc");
    }
}

/// A journal of a header, usage, a closed hour and its confirmation.
fn journal() -> String {
    let mut text = line_of(&Entry::Journal {
        version: 1,
        product: "prod-abc".into(),
    });
    for (hour, dim, qty) in [
        (0, "cpu", 1),
        (0, "cpu", 2),
        (3600, "mem", 5),
        (0, "mem", 1),
    ] {
        text.push_str(&line_of(&Entry::Usage {
            dim: dim.into(),
            hour,
            qty: Quantity::from(qty),
            tags: vec![("team".into(), "a".into())],
        }));
    }
    text
}

proptest! {
    #![proptest_config(config(200))]

    /// Lines with valid checksums and any values: the checksum is no protection from a journal
    /// written by something else.
    #[test]
    fn journal_lines_of_any_values_never_panic(
        entries in prop::collection::vec(
            (
                0..5u8,
                prop_oneof![
                    any::<i64>(),
                    (0..1000i64).prop_map(|h| h * 3600),
                    Just(i64::MAX),
                    Just(i64::MIN),
                    Just(i64::MAX / 3600 * 3600),
                ],
                any::<u64>(),
                "[a-z]{0,3}",
            ),
            0..6,
        )
    ) {
        let mut text = line_of(&Entry::Journal { version: 1, product: "prod-abc".into() });
        for (kind, hour, micros, dim) in entries {
            let qty = Quantity::from_micros(micros).unwrap_or(Quantity::MAX);
            let entry = match kind {
                0 => Entry::Usage { dim, hour, qty, tags: Vec::new() },
                1 => Entry::Close {
                    dim,
                    hour,
                    closed: crate::hourly::Closed {
                        quantity: qty,
                        allocations: Vec::new(),
                        token: "t".into(),
                    },
                },
                2 => Entry::Done { dim, hour, id: None },
                3 => Entry::Rejected { dim, hour, code: String::new() },
                _ => Entry::Mark { hour },
            };
            text.push_str(&line_of(&entry));
        }
        let _ = replay(Path::new("j"), text.as_bytes(), "prod-abc");
    }
}

#[test]
fn every_truncation_of_a_journal_replays_its_whole_lines() {
    let text = journal();
    let full_lines: Vec<usize> = text
        .char_indices()
        .filter(|(_, c)| *c == '\n')
        .map(|(i, _)| i + 1)
        .collect();
    for cut in 0..=text.len() {
        let (state, good) = replay(Path::new("j"), &text.as_bytes()[..cut], "prod-abc").unwrap();
        let whole = full_lines.iter().filter(|&&end| end <= cut).count();
        assert_eq!(good, if whole == 0 { 0 } else { full_lines[whole - 1] });
        // Lines after the header are usage lines, one per whole line.
        let usage_lines = whole.saturating_sub(1);
        let total: u64 = state
            .open
            .values()
            .flat_map(|u| u.values())
            .map(|q| q.micros())
            .sum();
        let expected: u64 = [1, 2, 5, 1][..usage_lines]
            .iter()
            .map(|q| q * 1_000_000)
            .sum();
        assert_eq!(total, expected, "cut at {cut}");
    }
}
