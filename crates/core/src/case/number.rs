//! Case numbers (办件编号): one number whatever the channel (一号一网一窗).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::division::DivisionCode;

/// A case number: division code, year, sequence, e.g. `620100-2026-000123`.
///
/// Unique across all levels because the division code leads; the sequence restarts
/// each year per division and has at least six digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

/// Why a text is not a case number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case number {0:?} must look like 620100-2026-000123")]
pub struct BadCaseNumber(pub String);

impl CaseNumber {
    /// Builds the number of the `sequence`th case of `year` in `division`.
    pub fn new(division: &DivisionCode, year: i16, sequence: u64) -> Self {
        Self(format!("{division}-{year:04}-{sequence:06}"))
    }

    /// The year a case opened at `t` is numbered in: the year in China Standard Time, so
    /// the sequences restart at Beijing's midnight of 1 January, not Greenwich's.
    pub fn year_of(t: jiff::Timestamp) -> i16 {
        crate::calendar::CHINA_STANDARD_TIME.to_datetime(t).year()
    }

    /// Parses a case number.
    pub fn parse(text: &str) -> Result<Self, BadCaseNumber> {
        let bad = || BadCaseNumber(text.to_owned());
        let mut parts = text.split('-');
        let (Some(div), Some(year), Some(seq), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if DivisionCode::parse(div).is_err()
            || year.len() != 4
            || !digits(year)
            || seq.len() < 6
            || seq.len() > 12
            || !digits(seq)
        {
            return Err(bad());
        }
        Ok(Self(text.to_owned()))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = BadCaseNumber;
    fn try_from(s: String) -> Result<Self, BadCaseNumber> {
        Self::parse(&s)
    }
}

impl From<CaseNumber> for String {
    fn from(c: CaseNumber) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_refuse_garbage() {
        let d = DivisionCode::parse("620100").expect("valid");
        let n = CaseNumber::new(&d, 2026, 123);
        assert_eq!(n.as_str(), "620100-2026-000123");
        assert_eq!(CaseNumber::parse(n.as_str()), Ok(n));
        for bad in [
            "",
            "620100-2026",
            "620100-26-000123",
            "62010-2026-000123",
            "620100-2026-12",
            "620100-2026-00012x",
            "a-b-c-d",
        ] {
            assert!(CaseNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
