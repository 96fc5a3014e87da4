//! Property tests of every parser fed by the network or by files: they must never
//! panic, whatever arrives, and where a cheap oracle exists they must also agree
//! with it. TESTING.md at the repository root lists what each module covers and
//! how to run the long run.
//!
//! Inputs are structure-aware: most start from a valid document of the format (an
//! STS response, a credentials JSON, a profile file, a date, a URL, an ARN) and
//! apply a few [`Edit`](generators::Edit)s to it — truncation, inserted or replaced fragments
//! (multibyte characters, NUL, CR/LF, huge numbers, the format's own syntax),
//! repeated spans (duplicate keys, sections, elements), deep nesting, raw bytes —
//! the rest are arbitrary strings or bytes. Next to the random properties, a
//! deterministic [`neighbourhood`](generators::neighbourhood) test per format tries every truncation of its
//! seeds and a few hostile characters at every position.
//!
//! Each property runs the number of cases given to [`config`](generators::config), or
//! `PROPTEST_CASES` when it is set. A panic found becomes a plain `#[test]` with
//! the exact input, in the module of its parser.

mod aws_json;
mod datetime;
mod generators;
mod regex;
mod rules;
mod urls;
