//! Dates in: ISO 8601 / RFC 3339 text (`2026-03-01`, `2026-03-01T09:30`,
//! `2026-03-01T09:30:00+02:00`, `…Z`) into Unix milliseconds. Dates out:
//! `imprint_engine::timestamp::rfc3339_millis`. Text without an offset is UTC.

use crate::{ContentError, ContentResult};

/// Parses a date or date-time. `what` names the value in the error message.
pub fn parse(what: &str, text: &str) -> ContentResult<i64> {
    parse_inner(text.trim()).ok_or_else(|| {
        ContentError::new(format!(
            "{what} expects a date like \"2026-03-01\" or \"2026-03-01T09:30:00Z\", got \"{}\"",
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// Formats Unix milliseconds as RFC 3339 UTC.
pub fn format(millis: i64) -> String {
    imprint_engine::timestamp::rfc3339_millis(millis)
}

fn parse_inner(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = digits(text.get(0..4)?)?;
    let month = digits(text.get(5..7)?)?;
    let day = digits(text.get(8..10)?)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let rest = text.get(10..)?;
    if rest.is_empty() {
        return Some(millis);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // HH:MM[:SS[.fff]] then an optional offset.
    let (clock, offset) = split_offset(rest)?;
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let hour = digits(parts[0])?;
    let minute = digits(parts[1])?;
    let (second, fraction_ms) = match parts.get(2) {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let fraction_ms = if fraction.is_empty() {
                0
            } else {
                if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let padded: String = fraction.chars().chain("000".chars()).take(3).collect();
                digits(&padded)?
            };
            (digits(whole)?, fraction_ms)
        }
    };
    if hour > 23 || minute > 59 || second > 60 || parts[0].len() != 2 || parts[1].len() != 2 {
        return None;
    }
    millis += (hour * 3600 + minute * 60 + second) * 1000 + fraction_ms;
    Some(millis - offset * 60_000)
}

/// Splits `09:30:00+02:00` into the clock and the offset in minutes east of UTC.
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    if let Some(position) = text.rfind(['+', '-']) {
        let (clock, offset) = text.split_at(position);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let offset = offset.get(1..)?;
        let (hours, minutes) = match offset.split_once(':') {
            Some((h, m)) => (digits(h)?, digits(m)?),
            None if offset.len() == 4 => (digits(offset.get(..2)?)?, digits(offset.get(2..)?)?),
            None if offset.len() == 2 => (digits(offset)?, 0),
            None => return None,
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        return Some((clock, sign * (hours * 60 + minutes)));
    }
    Some((text, 0))
}

fn digits(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil: days since 1970-01-01.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_shapes() {
        assert_eq!(parse("d", "1970-01-01").unwrap(), 0);
        assert_eq!(parse("d", "2000-02-29").unwrap(), 951_782_400_000);
        assert_eq!(
            format(parse("d", "2026-11-22T03:54:58.123Z").unwrap()),
            "2026-11-22T03:54:58.123Z"
        );
        assert_eq!(
            format(parse("d", "2026-11-22T05:54:58+02:00").unwrap()),
            "2026-11-22T03:54:58.000Z"
        );
        assert_eq!(
            format(parse("d", "2026-11-22 03:54").unwrap()),
            "2026-11-22T03:54:00.000Z"
        );
        assert_eq!(
            format(parse("d", "2026-11-21T23:00:00-0500").unwrap()),
            "2026-11-22T04:00:00.000Z"
        );
    }

    #[test]
    fn rejects_nonsense_with_the_name() {
        for bad in [
            "",
            "tomorrow",
            "2026-02-30",
            "2026-13-01",
            "2026-01-01T25:00",
            "2026-01-01Tx",
        ] {
            let error = parse("postDate", bad).unwrap_err();
            assert!(
                error.0.starts_with("postDate expects a date"),
                "{bad}: {error}"
            );
        }
    }
}
