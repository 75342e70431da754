//! 考核期 — the month an assessment covers, `YYYY-MM` in China Standard Time.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A calendar month, as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    year: i16,
    month: i8,
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the period {0:?} is not a month written YYYY-MM")]
pub struct PeriodError(pub String);

impl Period {
    /// Parses `YYYY-MM` (years 1970–9999).
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let fail = || PeriodError(text.to_owned());
        let (y, m) = text.trim().split_once('-').ok_or_else(fail)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(fail());
        }
        let year: i16 = y.parse().map_err(|_| fail())?;
        let month: i8 = m.parse().map_err(|_| fail())?;
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(fail());
        }
        Ok(Period { year, month })
    }

    /// The month a moment falls in, in China Standard Time (as the published figures count).
    pub fn of(t: Timestamp) -> Period {
        Period::of_date(crate::calendar::local_date(t))
    }

    /// The month of a calendar date.
    pub fn of_date(date: Date) -> Period {
        Period { year: date.year(), month: date.month() }
    }

    /// Whether `date` lies in this month.
    pub fn contains(self, date: Date) -> bool {
        Period::of_date(date) == self
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).unwrap_or_default()
    }

    /// The month's moments: from its first local midnight (inclusive) to the next month's.
    pub fn bounds(self) -> (Timestamp, Timestamp) {
        let tz = jiff::tz::TimeZone::fixed(crate::calendar::CHINA_STANDARD_TIME);
        let start = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or_default();
        let next = self.first_day().last_of_month().tomorrow().unwrap_or_else(|_| self.first_day());
        (start(self.first_day()), start(next))
    }

    /// The month before.
    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { month: self.month - 1, ..self }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Period::parse(&text)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_months_and_refuses_the_rest() {
        assert_eq!(Period::parse("2026-03").map(|p| p.to_string()), Ok("2026-03".into()));
        for bad in ["2026-3", "2026-13", "26-03", "2026/03", "", "2026-00", "１９９９-01", "2026-03-01"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Period::parse("2026-01").map(Period::previous), Period::parse("2025-12"));
    }

    #[test]
    fn a_moment_counts_in_its_china_month() {
        let t: Timestamp = "2026-01-31T20:00:00Z".parse().expect("literal");
        assert_eq!(Period::of(t).to_string(), "2026-02");
        let (from, to) = Period::parse("2026-02").expect("period").bounds();
        assert_eq!((from.to_string(), to.to_string()), ("2026-01-31T16:00:00Z".into(), "2026-02-28T16:00:00Z".into()));
    }
}
