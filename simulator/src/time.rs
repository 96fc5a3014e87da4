//! Times as the service sees them: RFC 3339 text, epoch seconds, hours.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the epoch (negative before it).
pub(crate) fn epoch_secs_f64(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// Milliseconds since the epoch (negative before it).
pub(crate) fn epoch_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// The time `secs` seconds after the epoch, if it is a finite number.
pub(crate) fn from_epoch_secs_f64(secs: f64) -> Option<SystemTime> {
    if !secs.is_finite() || secs.abs() > 1e13 {
        return None;
    }
    let d = Duration::from_secs_f64(secs.abs());
    Some(if secs >= 0.0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    })
}

/// The start of the hour `t` falls in.
pub fn truncate_to_hour(t: SystemTime) -> SystemTime {
    let secs = epoch_millis(t).div_euclid(1000);
    let hour = secs - secs.rem_euclid(3600);
    if hour >= 0 {
        UNIX_EPOCH + Duration::from_secs(hour as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(hour.unsigned_abs())
    }
}

/// `2026-12-02T08:00:00.000Z`: RFC 3339 in UTC with milliseconds.
pub fn format_rfc3339_millis(t: SystemTime) -> String {
    let millis = epoch_millis(t);
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Reads RFC 3339 (`2026-12-02T08:00:00Z`, with optional fraction and a `Z` or `±hh:mm` offset).
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 9 {
                nanos = nanos * 10 + u64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let offset = match &text[i..] {
        "Z" | "z" => 0,
        rest if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60)
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo as u32, d as u32) * 86_400 + h * 3600 + mi * 60 + s - offset;
    let base = if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    Some(base + Duration::from_nanos(nanos))
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse_rfc3339("2026-12-02T08:15:30.123Z").unwrap();
        assert_eq!(format_rfc3339_millis(t), "2026-12-02T08:15:30.123Z");
        assert_eq!(
            format_rfc3339_millis(truncate_to_hour(t)),
            "2026-12-02T08:00:00.000Z"
        );
        assert_eq!(
            parse_rfc3339("2026-12-02T09:15:30.123+01:00"),
            Some(t),
            "offsets are applied"
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(UNIX_EPOCH));
        assert_eq!(parse_rfc3339("2026-13-02T08:15:30Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
