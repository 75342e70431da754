//! Timestamps as stored: UTC, RFC 3339, always six fractional digits, so that text order
//! is time order on both backends.

use jiff::Timestamp;

use crate::StoreError;

/// Formats a timestamp for storage, e.g. `2026-11-25T07:40:00.000000Z`.
///
/// Written digit by digit: every write stores several timestamps, and `format!` with
/// seven padded fields was a noticeable share of the SQLite writer's time.
pub fn format_ts(t: Timestamp) -> String {
    let dt = jiff::tz::Offset::UTC.to_datetime(t);
    let Ok(year) = u32::try_from(dt.year()) else {
        // Before year 0: never stored in practice; kept exact all the same.
        return format!("{dt:?}Z");
    };
    let mut out = String::with_capacity(27);
    let mut push = |value: u32, width: u32, then: Option<char>| {
        for p in (0..width).rev() {
            let digit = (value / 10_u32.pow(p)) % 10;
            out.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
        }
        if let Some(c) = then {
            out.push(c);
        }
    };
    let two = |v: i8| u32::try_from(v).unwrap_or(0);
    push(year, 4, Some('-'));
    push(two(dt.month()), 2, Some('-'));
    push(two(dt.day()), 2, Some('T'));
    push(two(dt.hour()), 2, Some(':'));
    push(two(dt.minute()), 2, Some(':'));
    push(two(dt.second()), 2, Some('.'));
    push(u32::try_from(dt.subsec_nanosecond() / 1000).unwrap_or(0), 6, Some('Z'));
    out
}

/// Reads a stored timestamp back.
pub fn parse_ts(table: &'static str, text: &str) -> Result<Timestamp, StoreError> {
    text.parse().map_err(|e| StoreError::corrupt(table, format!("timestamp {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_timestamps_are_fixed_width_and_round_trip() {
        let t: Timestamp = "2024-02-08T02:00:00.5Z".parse().expect("valid");
        let s = format_ts(t);
        assert_eq!(s, "2024-02-08T02:00:00.500000Z");
        assert_eq!(parse_ts("t", &s).expect("parses"), t);
        let t: Timestamp = "0999-01-02T03:04:05.000006Z".parse().expect("valid");
        assert_eq!(format_ts(t), "0999-01-02T03:04:05.000006Z");
    }

    proptest::proptest! {
        /// The digit-by-digit writer agrees with `format!` and reads back the same instant.
        #[test]
        fn formatting_matches_the_plain_formatter(secs in 0_i64..253_402_300_799, micros in 0_i32..1_000_000) {
            let t = Timestamp::new(secs, micros * 1000).expect("in range");
            let dt = jiff::tz::Offset::UTC.to_datetime(t);
            let plain = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second(), dt.subsec_nanosecond() / 1000
            );
            proptest::prop_assert_eq!(format_ts(t), plain);
            proptest::prop_assert_eq!(parse_ts("t", &format_ts(t)).expect("parses"), t);
        }
    }
}
