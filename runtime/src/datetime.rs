//! The one date-time type of the SDK.
//!
//! awsJson sends timestamps as epoch seconds, possibly fractional; users think in
//! `SystemTime` and read RFC 3339. [`DateTime`] keeps whole seconds and nanoseconds
//! separately so no precision is lost between the two.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time with nanosecond precision, as seconds since the Unix epoch.
///
/// Converts from and to [`SystemTime`], prints as RFC 3339 (`2024-01-02T03:04:05.5Z`),
/// and (de)serializes with serde as awsJson does: epoch seconds, fractional when
/// there are sub-second digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// Why a [`DateTime`] could not be made from a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError(String);

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// A date-time from whole seconds since the epoch and a sub-second part.
    ///
    /// `nanos` above 999,999,999 carry into the seconds.
    pub fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Self {
        let carry = i64::from(nanos / 1_000_000_000);
        DateTime {
            seconds: seconds.saturating_add(carry),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// A date-time from whole seconds since the epoch.
    pub fn from_secs(seconds: i64) -> Self {
        DateTime { seconds, nanos: 0 }
    }

    /// A date-time from fractional seconds since the epoch, rounded to the microsecond
    /// (an `f64` near today's epoch holds no more than that).
    pub fn from_secs_f64(value: f64) -> Result<Self, DateTimeError> {
        if !value.is_finite() || value.abs() > 253_402_300_799.0 {
            return Err(DateTimeError(format!(
                "epoch seconds {value} are not a representable date"
            )));
        }
        let micros = (value * 1_000_000.0).round() as i64;
        Ok(DateTime {
            seconds: micros.div_euclid(1_000_000),
            nanos: (micros.rem_euclid(1_000_000) * 1_000) as u32,
        })
    }

    /// The current time.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// Whole seconds since the epoch (the floor for times before it).
    pub fn secs(&self) -> i64 {
        self.seconds
    }

    /// The sub-second part, in nanoseconds.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Epoch seconds as awsJson writes them: an integer, or a decimal with trailing
    /// zeros trimmed.
    pub fn to_epoch_seconds_string(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        let mut text = format!("{}.{:09}", self.seconds, self.nanos);
        while text.ends_with('0') {
            text.pop();
        }
        text
    }

    /// Parses RFC 3339 (`2024-01-02T03:04:05Z`, fractional seconds and `±HH:MM`
    /// offsets allowed), as restJson and XML protocols send timestamps.
    pub fn parse_rfc3339(text: &str) -> Result<Self, DateTimeError> {
        parse_iso8601(text, Iso8601::Rfc3339)
            .ok_or_else(|| DateTimeError(format!("{text:?} is not an RFC 3339 date-time")))
    }

    /// Parses a timestamp in any form botocore reads in a response, whatever
    /// format the model names: epoch seconds as text (`1700000000`,
    /// `1700000000.123`, `1.7e9`), ISO 8601 / RFC 3339 with or without a
    /// fraction, with `Z`, an offset (`+01:00`, `+0100`, `+01`) or no zone (read
    /// as UTC), and HTTP dates (`Tue, 14 Nov 2023 22:13:20 GMT`). Surrounding
    /// white space is ignored.
    pub fn parse_lenient(text: &str) -> Result<Self, DateTimeError> {
        parse_lenient(text).ok_or_else(|| {
            DateTimeError(format!(
                "{text:?} is not a timestamp: expected epoch seconds, or an ISO 8601 or HTTP date"
            ))
        })
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => {
                DateTime::from_secs_and_nanos(after.as_secs() as i64, after.subsec_nanos())
            }
            Err(before) => {
                let before = before.duration();
                let mut seconds = -(before.as_secs() as i64);
                let mut nanos = before.subsec_nanos();
                if nanos > 0 {
                    seconds -= 1;
                    nanos = 1_000_000_000 - nanos;
                }
                DateTime { seconds, nanos }
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeError;

    fn try_from(time: DateTime) -> Result<Self, Self::Error> {
        let out_of_range = || DateTimeError(format!("{time} does not fit in a SystemTime"));
        if time.seconds >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::new(time.seconds as u64, time.nanos))
                .ok_or_else(out_of_range)
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(time.seconds.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(time.nanos))))
                .ok_or_else(out_of_range)
        }
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339 in UTC; sub-second digits only when there are any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(86_400);
        let second_of_day = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        if self.nanos != 0 {
            let digits = format!("{:09}", self.nanos);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.nanos == 0 {
            serializer.serialize_i64(self.seconds)
        } else {
            // JSON numbers go through f64 in serde_json; near today's epoch that keeps
            // microseconds, which is finer than any AWS service records.
            serializer.serialize_f64(self.seconds as f64 + f64::from(self.nanos) / 1e9)
        }
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    /// Reads any form botocore reads in a response (see [`DateTime::parse_lenient`]),
    /// since services do not always send the form their model names.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LenientTimestamp)
    }
}

/// The serde visitor of every timestamp in a response: epoch seconds as a number,
/// or a string that [`DateTime::parse_lenient`] reads.
struct LenientTimestamp;

impl serde::de::Visitor<'_> for LenientTimestamp {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timestamp: epoch seconds, or an ISO 8601 or HTTP date string")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DateTime, E> {
        Ok(DateTime::from_secs(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DateTime, E> {
        i64::try_from(v)
            .map(DateTime::from_secs)
            .map_err(|_| E::custom(format!("epoch seconds {v} out of range")))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DateTime, E> {
        DateTime::from_secs_f64(v).map_err(E::custom)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
        DateTime::parse_lenient(v).map_err(E::custom)
    }
}

/// serde adapters for timestamps whose model asks for another wire format.
pub mod serde_format {
    /// `timestampFormat: iso8601`: an RFC 3339 string.
    pub mod iso8601 {
        use super::super::DateTime;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the date-time as an RFC 3339 string.
        pub fn serialize<S: Serializer>(value: &DateTime, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(value)
        }

        /// Reads an RFC 3339 string, or any other form botocore reads in a
        /// response ([`DateTime::parse_lenient`]).
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
            DateTime::deserialize(d)
        }

        /// The same for optional members.
        pub mod option {
            use super::super::super::DateTime;
            use serde::{Deserialize, Deserializer, Serializer};

            /// Writes `Some` as an RFC 3339 string (`None` is skipped by the caller).
            pub fn serialize<S: Serializer>(
                value: &Option<DateTime>,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                match value {
                    Some(value) => s.collect_str(value),
                    None => s.serialize_none(),
                }
            }

            /// Reads an optional timestamp, as [`super::deserialize`] does.
            pub fn deserialize<'de, D: Deserializer<'de>>(
                d: D,
            ) -> Result<Option<DateTime>, D::Error> {
                <Option<DateTime>>::deserialize(d)
            }
        }
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// How [`parse_iso8601`] reads a date-time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Iso8601 {
    /// RFC 3339: a zone is required (`Z` or `±HH:MM`).
    Rfc3339,
    /// What botocore accepts in responses besides: no zone (read as UTC), `±HHMM`
    /// and `±HH` offsets, and a comma before the fraction.
    Lenient,
}

/// Reads `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][zone]`. Reads bytes one at a time
/// and never slices the text, so any input, multibyte characters included, is
/// either a date-time or `None`.
fn parse_iso8601(text: &str, rules: Iso8601) -> Option<DateTime> {
    let mut input = Cursor(text.as_bytes());
    let year = input.number(4)?;
    input.expect(b"-")?;
    let month = input.number(2)? as u32;
    input.expect(b"-")?;
    let day = input.number(2)? as u32;
    input.expect(b"Tt ")?;
    let hour = input.number(2)?;
    input.expect(b":")?;
    let minute = input.number(2)?;
    input.expect(b":")?;
    let second = input.number(2)?;
    let separators: &[u8] = if rules == Iso8601::Lenient {
        b".,"
    } else {
        b"."
    };
    let nanos = match input.expect(separators) {
        Some(()) => input.fraction()?,
        None => 0,
    };
    let offset = input.zone(rules)?;
    if !input.0.is_empty() || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    if day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(DateTime::from_secs_and_nanos(seconds, nanos))
}

/// The unread rest of a date-time's bytes.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// Takes the next byte if it is one of `allowed`.
    fn expect(&mut self, allowed: &[u8]) -> Option<()> {
        let (&first, rest) = self.0.split_first()?;
        allowed.contains(&first).then(|| self.0 = rest)
    }

    /// Takes exactly `digits` ASCII digits as a number.
    fn number(&mut self, digits: usize) -> Option<i64> {
        let part = self.0.get(..digits)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[digits..];
        Some(part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    /// Takes the digits of a fraction of a second, at least one, as nanoseconds;
    /// digits past the ninth are read and dropped.
    fn fraction(&mut self) -> Option<u32> {
        let digits = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let nanos = self.0[..digits]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(9)
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        self.0 = &self.0[digits..];
        Some(nanos)
    }

    /// Takes the zone and returns its offset east of UTC in seconds.
    fn zone(&mut self, rules: Iso8601) -> Option<i64> {
        let lenient = rules == Iso8601::Lenient;
        let Some((&first, rest)) = self.0.split_first() else {
            // No zone: UTC, as AWS means it, where no zone is tolerated.
            return lenient.then_some(0);
        };
        self.0 = rest;
        let sign = match first {
            b'Z' | b'z' => return Some(0),
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hours = self.number(2)?;
        let minutes = if self.expect(b":").is_some() {
            self.number(2)?
        } else if lenient && self.0.is_empty() {
            0
        } else if lenient {
            self.number(2)?
        } else {
            return None;
        };
        (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
    }
}

/// Epoch seconds written as text, `1700000000` or `-1.5`, read exactly; other
/// numeric forms that botocore reads with Python's `float()` (`1e9`, `.5`) go
/// through `f64`.
fn parse_epoch_seconds_text(text: &str) -> Option<DateTime> {
    let text = text.trim();
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let plain = !whole.is_empty()
        && whole.len() <= 12
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !plain {
        // `f64`'s parser also takes `inf` and `NaN`, which are no date.
        let value: f64 = text.parse().ok()?;
        return DateTime::from_secs_f64(value).ok();
    }
    let seconds: i64 = whole.parse().ok()?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        Cursor(fraction.as_bytes()).fraction()?
    };
    Some(if !negative {
        DateTime::from_secs_and_nanos(seconds, nanos)
    } else if nanos == 0 {
        DateTime::from_secs(-seconds)
    } else {
        DateTime::from_secs_and_nanos(-seconds - 1, 1_000_000_000 - nanos)
    })
}

/// A timestamp in any form botocore reads in a response, whatever the model
/// says: epoch seconds as text, ISO 8601 / RFC 3339, or an HTTP date.
fn parse_lenient(text: &str) -> Option<DateTime> {
    parse_epoch_seconds_text(text)
        .or_else(|| parse_iso8601(text.trim(), Iso8601::Lenient))
        .or_else(|| parse_http_date(text).map(DateTime::from_secs))
}

/// Seconds since the epoch of an HTTP date in the IMF-fixdate form every server
/// sends (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`; `None` for
/// anything else.
pub(crate) fn parse_http_date(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() != 29 || !text.is_ascii() || &text[3..5] != ", " || &text[25..] != " GMT" {
        return None;
    }
    if !DAYS.contains(&&text[..3]) || bytes[7] != b' ' || bytes[11] != b' ' || bytes[16] != b' ' {
        return None;
    }
    if bytes[19] != b':' || bytes[22] != b':' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let day = number(5..7)? as u32;
    let month = MONTHS.iter().position(|m| *m == &text[8..11])? as u32 + 1;
    let year = number(12..16)?;
    let (hour, minute, second) = (number(17..19)?, number(20..22)?, number(23..25)?);
    if day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date(" Tue, 14 Nov 2023 22:13:20 GMT "),
            Some(1_700_000_000)
        );
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Xyz 1994 08:49:37 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{e9}",
            "Sun, 06 Nov 1994 08:49:3é GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn prints_rfc3339_with_and_without_fraction() {
        assert_eq!(DateTime::from_secs(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            DateTime::from_secs(1_700_000_000).to_string(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000).to_string(),
            "2023-11-14T22:13:20.5Z"
        );
        assert_eq!(DateTime::from_secs(-1).to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(
            DateTime::from_secs(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn parses_rfc3339_and_round_trips() {
        for secs in [-86_401, 0, 951_782_400, 1_700_000_000, 4_102_444_800] {
            let time = DateTime::from_secs_and_nanos(secs, 123_000_000);
            assert_eq!(DateTime::parse_rfc3339(&time.to_string()).unwrap(), time);
        }
        assert_eq!(
            DateTime::parse_rfc3339("2023-11-14T23:13:20+01:00").unwrap(),
            DateTime::from_secs(1_700_000_000)
        );
        for bad in [
            "",
            "2023-13-01T00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20.Z",
            "yesterday",
        ] {
            assert!(DateTime::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    /// Bytes after the seconds that are not ASCII once made the parser slice inside
    /// a character and panic.
    #[test]
    fn multibyte_characters_anywhere_are_refused_not_a_panic() {
        for bad in [
            "2030-01-01T00:00:00€123",
            "2030-01-01T00:00:00+0€1",
            "2030-01-01T00:00:00.€",
            "2030-01-01T00:00:00+01:0€",
            "2030-01-01T00:00:0€Z",
            "€030-01-01T00:00:00Z",
            "2030-01-01T00:00:00Zé",
        ] {
            assert!(DateTime::parse_rfc3339(bad).is_err(), "{bad}");
            assert!(DateTime::parse_lenient(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lenient_parsing_takes_what_botocore_takes() {
        let at = |secs, nanos| Ok(DateTime::from_secs_and_nanos(secs, nanos));
        for (text, expected) in [
            ("1700000000", at(1_700_000_000, 0)),
            (" 1700000000.25 ", at(1_700_000_000, 250_000_000)),
            ("-1.5", at(-2, 500_000_000)),
            ("1.7e9", at(1_700_000_000, 0)),
            ("2023-11-14T22:13:20", at(1_700_000_000, 0)),
            ("2023-11-14T23:13:20+0100", at(1_700_000_000, 0)),
            ("2023-11-14T23:13:20+01", at(1_700_000_000, 0)),
            ("2023-11-14T22:13:20,5Z", at(1_700_000_000, 500_000_000)),
            (
                "2023-11-14T22:13:20.123456789123Z",
                at(1_700_000_000, 123_456_789),
            ),
            ("Tue, 14 Nov 2023 22:13:20 GMT", at(1_700_000_000, 0)),
        ] {
            assert_eq!(DateTime::parse_lenient(text), expected, "{text}");
        }
        for bad in [
            "",
            "inf",
            "NaN",
            "soon",
            "2023-11-14T22:13:20+24:00",
            "1e400",
        ] {
            let error = DateTime::parse_lenient(bad).unwrap_err();
            assert!(error.to_string().contains("is not a timestamp"), "{error}");
        }
        // RFC 3339 stays strict: a zone is required, and only as `Z` or `±HH:MM`.
        for not_rfc3339 in [
            "2023-11-14T22:13:20",
            "2023-11-14T23:13:20+0100",
            "1700000000",
        ] {
            assert!(
                DateTime::parse_rfc3339(not_rfc3339).is_err(),
                "{not_rfc3339}"
            );
        }
    }

    #[test]
    fn converts_with_system_time() {
        let now = SystemTime::now();
        assert_eq!(SystemTime::try_from(DateTime::from(now)).unwrap(), now);
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        let time = DateTime::from(before);
        assert_eq!((time.secs(), time.subsec_nanos()), (-2, 500_000_000));
        assert_eq!(SystemTime::try_from(time).unwrap(), before);
    }

    #[test]
    fn serializes_as_epoch_seconds() {
        let whole = DateTime::from_secs(1_700_000_000);
        assert_eq!(serde_json::to_string(&whole).unwrap(), "1700000000");
        let fractional = DateTime::from_secs_and_nanos(1_700_000_000, 123_000_000);
        assert_eq!(
            serde_json::to_string(&fractional).unwrap(),
            "1700000000.123"
        );
        assert_eq!(fractional.to_epoch_seconds_string(), "1700000000.123");
        assert_eq!(
            serde_json::from_str::<DateTime>("1700000000.123").unwrap(),
            fractional
        );
        assert_eq!(
            serde_json::from_str::<DateTime>("1700000000").unwrap(),
            whole
        );
        assert!(serde_json::from_str::<DateTime>("\"soon\"").is_err());
        // Responses are read leniently, whatever the model says.
        assert_eq!(
            serde_json::from_str::<DateTime>("\"2023-11-14T22:13:20Z\"").unwrap(),
            whole
        );
        assert_eq!(
            serde_json::from_str::<DateTime>("\"1700000000.123\"").unwrap(),
            fractional
        );
    }
}
