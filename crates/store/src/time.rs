//! Timestamps as stored: UTC, RFC 3339, always six fractional digits, so that text order
//! is time order on both backends.

use jiff::Timestamp;

use crate::StoreError;

/// Formats a timestamp for storage, e.g. `2026-11-25T07:40:00.000000Z`.
pub fn format_ts(t: Timestamp) -> String {
    let dt = jiff::tz::Offset::UTC.to_datetime(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 1000
    )
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
    }
}
