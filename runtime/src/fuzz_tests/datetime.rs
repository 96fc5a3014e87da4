//! Date-times: RFC 3339 (the `Expiration` of STS, container and IMDS credentials,
//! `iso8601` members), HTTP dates (the `Date` header the clock skew is learned
//! from) and epoch seconds (awsJson timestamps, in any form `Deserialize` reads).

use super::generators::{config, grammar, neighbourhoods, text, tried};
use crate::datetime::{parse_http_date, DateTime};
use crate::retry::learned_clock_skew;
use proptest::prelude::*;

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years RFC 3339 can write.
const MIN_SECS: i64 = -62_167_219_200;
const MAX_SECS: i64 = 253_402_300_799;

const RFC3339: &[&str] = &[
    "2030-01-02T03:04:05Z",
    "2024-02-29T23:59:60.123456789+14:00",
    "1970-01-01t00:00:00.5-00:30",
    "0000-01-01 00:00:00z",
    "9999-12-31T23:59:59.9999999999Z",
    "2023-11-14T22:13:20.000001Z",
];

const RFC3339_PARTS: &[&str] = &[
    "T",
    "t",
    " ",
    "Z",
    "z",
    "+",
    "-",
    ":",
    ".",
    ",",
    "+00:00",
    "-23:59",
    "+24:00",
    "+0100",
    "+01",
    ".000000001",
    "60",
    "61",
    "24",
    "13",
    "02-29",
    "€123",
    "+0€1",
    "0000",
    "9999",
    "12345",
];

/// RFC 3339 field by field, with borderline values.
const RFC3339_GRAMMAR: &[&[&str]] = &[
    &["2030", "0000", "9999", "1970", "2024"],
    &["-"],
    &["01", "02", "12", "13", "00"],
    &["-"],
    &["01", "28", "29", "31", "00"],
    &["T", "t", " "],
    &["00", "23", "24"],
    &[":"],
    &["00", "59", "60"],
    &[":"],
    &["00", "59", "60", "61"],
    &["", ".5", ".123456789", ".0000000001", ",5", "."],
    &["Z", "z", "+00:00", "-23:59", "+14:00", "+0100", "+01", ""],
];

/// The IMF-fixdate form of HTTP dates field by field.
const HTTP_DATE_GRAMMAR: &[&[&str]] = &[
    &["Sun", "Mon", "Xyz"],
    &[", "],
    &["06", "29", "31", "00"],
    &[" "],
    &["Nov", "Feb", "Xyz"],
    &[" "],
    &["1994", "2000", "9999", "0000"],
    &[" "],
    &["08:49:37", "23:59:60", "24:00:00"],
    &[" GMT", " UTC"],
];

const HTTP_DATES: &[&str] = &[
    "Sun, 06 Nov 1994 08:49:37 GMT",
    "Tue, 29 Feb 2000 23:59:60 GMT",
    " Fri, 31 Dec 9999 23:59:59 GMT ",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Sunday, 06-Nov-94 08:49:37 GMT",
    "Sun Nov  6 08:49:37 1994",
];

const HTTP_PARTS: &[&str] = &["Mon", "Feb", "Xyz", ", ", " GMT", "UTC", "31", "99", "+6"];

/// JSON values a timestamp member may hold: numbers, and strings in every form
/// `Deserialize` reads.
const TIMESTAMP_JSON: &[&str] = &[
    "1700000000",
    "1700000000.123",
    "-1.5",
    "253402300799",
    "1.7e9",
    "\"1700000000.5\"",
    "\"2030-01-02T03:04:05.5+01:00\"",
    "\"2030-01-02T03:04:05\"",
    "\"Tue, 14 Nov 2023 22:13:20 GMT\"",
    "{\"at\":\"2030-01-02T03:04:05Z\",\"at\":null}",
    "null",
];

const NUMBER_PARTS: &[&str] = &[
    "e",
    "E",
    "e-400",
    "e400",
    "-",
    "0",
    "9999999999999999999999",
    "18446744073709551615",
    "-9223372036854775808",
    "1.7976931348623157e308",
    "5e-324",
    "Infinity",
    "\"",
    "T",
    "GMT",
];

/// A struct with an `iso8601` member, as generated code declares one.
#[derive(serde::Deserialize)]
struct Iso8601Member {
    #[serde(with = "crate::datetime::serde_format::iso8601")]
    at: DateTime,
}

/// The same, optional.
#[derive(serde::Deserialize)]
struct OptionalIso8601Member {
    #[serde(default, with = "crate::datetime::serde_format::iso8601::option")]
    at: Option<DateTime>,
}

/// `time` in the IMF-fixdate form of an HTTP `Date` header.
fn imf_fixdate(seconds: i64) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // `YYYY-MM-DDTHH:MM:SSZ`, for years 0 to 9999.
    let rfc3339 = DateTime::from_secs(seconds).to_string();
    let month: usize = rfc3339[5..7].parse().unwrap();
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[(seconds.div_euclid(86_400) + 3).rem_euclid(7) as usize];
    format!(
        "{weekday}, {} {} {} {} GMT",
        &rfc3339[8..10],
        MONTHS[month - 1],
        &rfc3339[..4],
        &rfc3339[11..19]
    )
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Any text: no panic, and what parses prints (in UTC) as text that parses
    /// back to the same instant.
    #[test]
    fn rfc3339_never_panics(
        text in prop_oneof![text(RFC3339, RFC3339_PARTS), grammar(RFC3339_GRAMMAR, RFC3339_PARTS)],
    ) {
        if let Ok(time) = DateTime::parse_rfc3339(&text) {
            if (MIN_SECS..=MAX_SECS).contains(&time.secs()) {
                prop_assert_eq!(DateTime::parse_rfc3339(&time.to_string()), Ok(time));
            }
        }
        let _ = serde_json::from_str::<DateTime>(&json_string(&text));
    }

    /// Every instant of years 0 to 9999 prints as RFC 3339 and parses back.
    #[test]
    fn rfc3339_round_trips(seconds in MIN_SECS..=MAX_SECS, nanos in 0u32..1_000_000_000) {
        let time = DateTime::from_secs_and_nanos(seconds, nanos);
        prop_assert_eq!(DateTime::parse_rfc3339(&time.to_string()), Ok(time));
    }

    /// A local time with a `±HH:MM` offset is that UTC instant minus the offset.
    #[test]
    fn rfc3339_offsets_shift_the_instant(
        seconds in MIN_SECS + 86_400..=MAX_SECS - 86_400,
        offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
    ) {
        let local = DateTime::from_secs(seconds + offset_minutes * 60).to_string();
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let (hours, minutes) = (offset_minutes.abs() / 60, offset_minutes.abs() % 60);
        let text = format!("{}{sign}{hours:02}:{minutes:02}", local.trim_end_matches('Z'));
        prop_assert_eq!(DateTime::parse_rfc3339(&text), Ok(DateTime::from_secs(seconds)));
    }

    /// Any `Date` header: no panic, and no overflow learning the clock skew
    /// from it, whatever the local clock and the offset learned before.
    #[test]
    fn http_dates_never_panic(
        text in prop_oneof![text(HTTP_DATES, HTTP_PARTS), grammar(HTTP_DATE_GRAMMAR, HTTP_PARTS)],
        local_ms in any::<i64>(),
        offset_ms in any::<i64>(),
    ) {
        if let Some(server_secs) = parse_http_date(&text) {
            let _ = learned_clock_skew(server_secs, local_ms, offset_ms);
        }
        let _ = serde_json::from_str::<DateTime>(&json_string(&text));
    }

    /// Every instant of years 0 to 9999 written as an HTTP date parses back.
    #[test]
    fn http_dates_round_trip(seconds in MIN_SECS..=MAX_SECS) {
        prop_assert_eq!(parse_http_date(&imf_fixdate(seconds)), Some(seconds));
    }

    /// Any JSON where a timestamp is expected: no panic, for a timestamp
    /// member and for `iso8601` members, required and optional.
    #[test]
    fn timestamp_members_never_panic(json in text(TIMESTAMP_JSON, NUMBER_PARTS)) {
        let _ = serde_json::from_str::<DateTime>(&json);
        let wrapped = format!("{{\"at\":{json}}}");
        let _ = serde_json::from_str::<Iso8601Member>(&wrapped).map(|member| member.at);
        let _ = serde_json::from_str::<OptionalIso8601Member>(&wrapped).map(|member| member.at);
        let _ = serde_json::from_str::<OptionalIso8601Member>(&json);
    }

    /// Epoch seconds: any `f64` is a date within a second of it or an error for
    /// one outside years 0 to 9999; any `i64` is that second; a `u64` above
    /// `i64::MAX` is an error.
    #[test]
    fn epoch_seconds_of_any_number(value in any::<f64>(), whole in any::<i64>(), big in any::<u64>()) {
        match DateTime::from_secs_f64(value) {
            Ok(time) => prop_assert!((time.secs() as f64 - value).abs() <= 1.0, "{value} {time}"),
            Err(_) => prop_assert!(!value.is_finite() || value.abs() > MAX_SECS as f64),
        }
        let parsed = serde_json::from_str::<DateTime>(&whole.to_string()).ok();
        prop_assert_eq!(parsed, Some(DateTime::from_secs(whole)));
        let parsed = serde_json::from_str::<DateTime>(&big.to_string());
        prop_assert_eq!(parsed.is_ok(), i64::try_from(big).is_ok());
    }

    /// What awsJson writes for a timestamp (to the millisecond, up to 2100) reads
    /// back the same.
    #[test]
    fn epoch_seconds_round_trip(seconds in 0i64..=4_102_444_800, millis in 0u32..1000) {
        let time = DateTime::from_secs_and_nanos(seconds, millis * 1_000_000);
        let text = time.to_epoch_seconds_string();
        prop_assert_eq!(serde_json::from_str::<DateTime>(&text).ok(), Some(time));
        let json = serde_json::to_string(&time).unwrap();
        prop_assert_eq!(serde_json::from_str::<DateTime>(&json).ok(), Some(time));
    }
}

/// Inputs that panicked the RFC 3339 parser of commit 34e67fe (a byte index
/// inside a multibyte character).
#[test]
fn rfc3339_regressions() {
    for text in [
        "2030-01-01T00:00:00€123",
        "2030-01-01T00:00:00+0€1",
        "9999-12-31T23:59:59.999999é999Z",
        "9999-12-31T23:59:59.999999\u{80}999Z",
    ] {
        assert!(DateTime::parse_rfc3339(text).is_err(), "{text:?}");
        assert!(
            serde_json::from_str::<DateTime>(&json_string(text)).is_err(),
            "{text:?}"
        );
    }
}

#[test]
fn rfc3339_neighbourhood() {
    let inputs = neighbourhoods(RFC3339, |text| {
        let _ = DateTime::parse_rfc3339(text);
        let _ = serde_json::from_str::<DateTime>(&json_string(text));
    });
    tried(inputs);
}

#[test]
fn http_date_neighbourhood() {
    let inputs = neighbourhoods(HTTP_DATES, |text| {
        let _ = parse_http_date(text);
        let _ = serde_json::from_str::<DateTime>(&json_string(text));
    });
    tried(inputs);
}

#[test]
fn epoch_neighbourhood() {
    let inputs = neighbourhoods(TIMESTAMP_JSON, |json| {
        let _ = serde_json::from_str::<DateTime>(json);
    });
    tried(inputs);
}
