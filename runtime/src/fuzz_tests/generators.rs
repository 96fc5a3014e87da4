//! The input generators and helpers shared by the property tests: those of the
//! runtime (`runtime/src/fuzz_tests/`) and those of the generated crate
//! (`tests/tests/all/parsers_never_panic.rs`, which includes this file by path), so
//! it names nothing but `std` and `proptest`.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The configuration of a property: `default_cases` inputs, or as many as
/// `PROPTEST_CASES` says; nothing is written to disk when a case fails (the
/// failure is turned into a regression `#[test]` by hand).
pub fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Fragments that break parsers written for well-behaved input: multibyte,
/// invisible and replacement characters, controls and line ends, quotes and
/// brackets of every format, signs and extreme numbers.
const HOSTILE: &[&str] = &[
    "€",
    "é",
    "\u{1F600}",
    "\u{FFFD}",
    "\u{FEFF}",
    "\u{200B}",
    "\u{2028}",
    "\u{0}",
    "\u{7F}",
    "\r",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\\",
    "\"",
    "'",
    "<",
    ">",
    "&",
    "%",
    "%00",
    "%zz",
    "#",
    "?",
    "/",
    "@",
    ":",
    ";",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "-",
    "+",
    "0",
    "00",
    "-1",
    "99999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "1e999",
    "NaN",
];

/// `(open, close)` pairs for deep nesting; an empty `close` leaves it unbalanced.
const NESTING: &[(&str, &str)] = &[
    ("[", "]"),
    ("{\"a\":", "}"),
    ("<a>", "</a>"),
    ("(", ")"),
    ("[", ""),
    ("{", ""),
    ("<a>", ""),
    ("\"", ""),
];

/// Where in a document an [`Edit`] applies, as a fraction of the document's
/// positions at the time of the edit (every byte of byte input, every character
/// boundary of text, so text stays valid UTF-8): `At(0)` is the start,
/// `At(u16::MAX)` the end. Shrinks towards the start.
#[derive(Clone, Copy, Debug)]
pub struct At(u16);

impl At {
    /// The position among `count` (at least 1).
    fn of(self, count: usize) -> usize {
        (usize::from(self.0) * count) >> 16
    }
}

/// One change to a document.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Cuts the document there.
    Truncate(At),
    /// Inserts a fragment there.
    Insert(At, String),
    /// Puts a fragment in place of up to this many positions.
    Replace(At, usize, String),
    /// Writes a span of this many positions again, this many more times.
    Repeat(At, usize, usize),
    /// Inserts an opener this many times, then as many closers.
    Nest(At, (&'static str, &'static str), usize),
    /// Sets a byte to any value (in text: puts `char::from(byte)` in place of a
    /// character).
    Byte(At, u8),
}

/// The positions of `document` an [`Edit`] may start or end at.
fn stops(document: &[u8], text: bool) -> Vec<usize> {
    if text {
        let text = std::str::from_utf8(document).expect("text edits keep UTF-8");
        text.char_indices()
            .map(|(at, _)| at)
            .chain([text.len()])
            .collect()
    } else {
        (0..=document.len()).collect()
    }
}

/// `seed` with `edits` applied in order; `text` keeps it valid UTF-8.
fn apply(seed: &[u8], edits: &[Edit], text: bool) -> Vec<u8> {
    let mut out = seed.to_vec();
    for edit in edits {
        let stops = stops(&out, text);
        let last = stops.len() - 1;
        let start = |at: &At| at.of(stops.len());
        let span = |at: &At, length: usize| {
            let first = start(at);
            (stops[first], stops[(first + length).min(last)])
        };
        match edit {
            Edit::Truncate(at) => out.truncate(stops[start(at)]),
            Edit::Insert(at, fragment) => {
                let at = stops[start(at)];
                out.splice(at..at, fragment.bytes());
            }
            Edit::Replace(at, length, fragment) => {
                let (from, to) = span(at, *length);
                out.splice(from..to, fragment.bytes());
            }
            Edit::Repeat(at, length, times) => {
                let (from, to) = span(at, *length);
                let repeated = out[from..to].repeat(*times);
                out.splice(to..to, repeated);
            }
            Edit::Nest(at, (open, close), depth) => {
                let at = stops[start(at)];
                let nested = [open.repeat(*depth), close.repeat(*depth)].concat();
                out.splice(at..at, nested.into_bytes());
            }
            Edit::Byte(at, byte) => {
                let (from, to) = span(at, 1);
                if text {
                    let replacement = char::from(*byte).to_string();
                    out.splice(from..to, replacement.into_bytes());
                } else if from < out.len() {
                    out[from] = *byte;
                } else {
                    out.push(*byte);
                }
            }
        }
    }
    out
}

/// `text` with `edits` applied, still valid UTF-8.
pub fn edit_text(text: &str, edits: &[Edit]) -> String {
    String::from_utf8(apply(text.as_bytes(), edits, true)).expect("text edits keep UTF-8")
}

/// A fragment to insert: hostile, of the format (`parts`), or arbitrary.
fn fragment(parts: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => select(HOSTILE).prop_map(str::to_owned),
        4 => select(parts).prop_map(str::to_owned),
        1 => vec(any::<char>(), 0..8).prop_map(String::from_iter),
    ]
}

/// Zero to five edits, their fragments hostile, of the format or arbitrary.
pub fn edits(parts: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    let at = || any::<u16>().prop_map(At);
    let edit = prop_oneof![
        1 => at().prop_map(Edit::Truncate),
        4 => (at(), fragment(parts)).prop_map(|(at, f)| Edit::Insert(at, f)),
        3 => (at(), 0..16usize, fragment(parts))
            .prop_map(|(at, length, f)| Edit::Replace(at, length, f)),
        1 => (at(), 1..64usize, 1..8usize)
            .prop_map(|(at, length, times)| Edit::Repeat(at, length, times)),
        1 => (at(), select(NESTING), 1..10_000usize)
            .prop_map(|(at, pair, depth)| Edit::Nest(at, pair, depth)),
        2 => (at(), any::<u8>()).prop_map(|(at, byte)| Edit::Byte(at, byte)),
    ];
    vec(edit, 0..6)
}

/// Text input for a parser: mostly one of `seeds` with [`edits`], else any
/// string, else a soup of the format's `parts` and hostile fragments.
pub fn text(
    seeds: &'static [&'static str],
    parts: &'static [&'static str],
) -> BoxedStrategy<String> {
    prop_oneof![
        8 => (select(seeds), edits(parts)).prop_map(|(seed, edits)| edit_text(seed, &edits)),
        1 => any::<String>(),
        1 => vec(fragment(parts), 0..16).prop_map(|fragments| fragments.concat()),
    ]
    .boxed()
}

/// Byte input for a parser: as [`text`], with byte-level edits that may break
/// UTF-8, and arbitrary bytes.
pub fn bytes(
    seeds: &'static [&'static str],
    parts: &'static [&'static str],
) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        8 => (select(seeds), edits(parts))
            .prop_map(|(seed, edits)| apply(seed.as_bytes(), &edits, false)),
        1 => text(seeds, parts).prop_map(String::into_bytes),
        1 => vec(any::<u8>(), 0..256),
    ]
    .boxed()
}

/// JSON's own syntax, spliced into every JSON document besides the members and
/// values of its format.
pub const JSON_SYNTAX: &[&str] = &["{", "}", "[", "]", "\"", ":", ",", "null", "true"];

/// Byte input for a JSON parser: [`bytes`] with the format's `parts`, or with
/// [`JSON_SYNTAX`].
pub fn json_bytes(
    seeds: &'static [&'static str],
    parts: &'static [&'static str],
) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![bytes(seeds, parts), bytes(seeds, JSON_SYNTAX)].boxed()
}

/// Text built slot by slot, for formats with fixed fields (dates, URLs, ARNs):
/// each slot is mostly one of its `forms` (valid or borderline), else a
/// fragment (hostile, of the format's `parts`, or arbitrary), else empty. Finds
/// what edits of whole documents rarely reach: a hostile character exactly
/// where a field begins or ends.
pub fn grammar(
    slots: &'static [&'static [&'static str]],
    parts: &'static [&'static str],
) -> BoxedStrategy<String> {
    let slots: Vec<BoxedStrategy<String>> = slots
        .iter()
        .map(|forms| {
            prop_oneof![
                6 => select(*forms).prop_map(str::to_owned),
                1 => fragment(parts),
                1 => Just(String::new()),
            ]
            .boxed()
        })
        .collect();
    slots.prop_map(|pieces| pieces.concat()).boxed()
}

/// What [`neighbourhood`] puts at, and in place of, every character of a seed.
const NEIGHBOURS: &[&str] = &[
    "€", "é", "\u{0}", "\n", "\r\n", " ", "9", "-", ":", "\"", "<", "[", "%",
];

/// Calls `check` with every truncation of `seed`, and with each of
/// [`NEIGHBOURS`] inserted before, and put in place of, each character; returns
/// how many inputs that was. A panic is raised again naming the input.
pub fn neighbourhood(seed: &str, mut check: impl FnMut(&str)) -> usize {
    let mut count = 0;
    let mut run = |input: String| {
        count += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!("panicked on {input:?}: {message}");
        }
    };
    let stops: Vec<usize> = seed
        .char_indices()
        .map(|(at, _)| at)
        .chain([seed.len()])
        .collect();
    for (n, &at) in stops.iter().enumerate() {
        run(seed[..at].to_owned());
        for neighbour in NEIGHBOURS {
            run(format!("{}{neighbour}{}", &seed[..at], &seed[at..]));
            if let Some(&next) = stops.get(n + 1) {
                run(format!("{}{neighbour}{}", &seed[..at], &seed[next..]));
            }
        }
    }
    count
}

/// Runs [`neighbourhood`] over each of `seeds`; returns the number of inputs.
pub fn neighbourhoods(seeds: &[&str], mut check: impl FnMut(&str)) -> usize {
    seeds
        .iter()
        .map(|seed| neighbourhood(seed, &mut check))
        .sum()
}

/// Reports how many inputs a deterministic test tried (shown with
/// `--nocapture`), and checks that it tried some.
pub fn tried(inputs: usize) {
    println!("{inputs} inputs");
    assert!(inputs > 1_000, "only {inputs} inputs");
}

/// Endpoint URLs as configured, for the URL properties of both crates.
pub const URLS: &[&str] = &[
    "https://metering.marketplace.us-east-1.amazonaws.com",
    "http://127.0.0.1:9/",
    "https://Example.COM:443/a/./b/../c",
    "https://user:pw@host.example/p",
    "http://[::1]:8080/p",
    "https://[fe80::1%25eth0]/",
    "http://169.254.170.23/v1/credentials",
    "https://example.com/path?x=1#frag",
    "HTTPS://a.b:65535",
    "http://localhost",
];

pub const URL_PARTS: &[&str] = &[
    "://",
    "http",
    "https",
    ":",
    "@",
    "[",
    "]",
    "%25",
    "%2F",
    "..",
    "./",
    "//",
    ":0",
    ":65536",
    ":99999999999",
    "::1",
    "::ffff:127.0.0.1",
    "localhost",
    "127.0.0.1",
    "169.254.170.2",
    "xn--",
    "user:pass@",
];

/// URLs part by part, with borderline parts.
pub const URL_GRAMMAR: &[&[&str]] = &[
    &["https", "http", "HTTPS", "ftp"],
    &["://"],
    &["", "", "user:pw@", "@", "u@v@"],
    &[
        "example.com",
        "127.0.0.1",
        "[::1]",
        "[fe80::1%25eth0]",
        "localhost",
        "169.254.170.23",
        "xn--bcher-kva.example",
        "999.1.1.1",
        "",
    ],
    &["", "", ":443", ":0", ":65535", ":65536", ":"],
    &["", "/", "/a/./b/../c", "//x", "/%2F", "/é"],
    &["", "", "?", "?x=1"],
    &["", "", "#f", "#"],
];

/// Configured URLs (endpoint URLs, STS, IMDS and container endpoints): edited
/// seeds, and URLs built part by part.
pub fn url() -> impl Strategy<Value = String> {
    prop_oneof![text(URLS, URL_PARTS), grammar(URL_GRAMMAR, URL_PARTS)]
}

#[test]
fn edits_keep_text_valid_and_reach_every_kind_of_change() {
    let (start, end) = (At(0), At(u16::MAX));
    let edits = [
        Edit::Insert(end, "é".into()),
        Edit::Replace(start, 1, "\n".into()),
        Edit::Byte(end, 0xff),
        Edit::Repeat(start, 2, 2),
        Edit::Nest(start, ("[", "]"), 2),
    ];
    assert_eq!(edit_text("a€b", &edits), "[[]]\n€\n€\n€bé\u{ff}");
    let edits = [Edit::Byte(start, 0xff), Edit::Truncate(end)];
    assert_eq!(apply(b"abc", &edits, false), b"\xffbc");
    assert_eq!(apply(b"abc", &[Edit::Truncate(At(1 << 15))], false), b"ab");
    assert_eq!(neighbourhood("ab", |_| {}), 3 + 5 * NEIGHBOURS.len());
}
