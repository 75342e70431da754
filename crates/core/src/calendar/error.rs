//! The one error type of the working calendar: every variant names the rule that was broken.

use jiff::Timestamp;
use jiff::civil::Date;

/// Everything that can go wrong when building or querying a [`WorkingCalendar`](super::WorkingCalendar).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A query (or its answer) needs a day outside the years any calendar answers for
    /// (the holiday law's range, 1950–2100). Years inside it without an announced schedule
    /// are provisional, never an error. When an answer would fall after the last covered
    /// day, `date` is the first uncovered day.
    #[error("{date} is outside the working calendar, which covers {first}–{last}")]
    OutOfRange {
        /// The first date the query needed that is not covered.
        date: Date,
        /// First covered year.
        first: i16,
        /// Last covered year.
        last: i16,
    },
    /// The same date is listed as a holiday (放假) and as a make-up working day (调休上班).
    #[error("{date} is listed both as a holiday (放假) and as a working day (调休上班)")]
    Conflict {
        /// The date listed twice.
        date: Date,
    },
    /// A holiday CSV line could not be read.
    #[error("line {line}{}: {why}", column_suffix(.column))]
    Parse {
        /// 1-based line number in the CSV text.
        line: u64,
        /// 1-based column (1 = `date`, 2 = `kind`, 3 = `name`), when one column is to blame.
        column: Option<u32>,
        /// What is wrong, in words.
        why: String,
    },
    /// A date of a year the calendar does not support (see [`MIN_YEAR`](super::MIN_YEAR)).
    #[error(
        "year {year} is not supported: calendars cover {}–{}, the years of the holiday law",
        super::MIN_YEAR,
        super::MAX_YEAR
    )]
    YearNotSupported {
        /// The year given.
        year: i16,
    },
    /// Working hours (办公时间) that are empty, unsorted, overlapping or not whole minutes.
    #[error("invalid working hours: {why}")]
    InvalidHours {
        /// What is wrong, in words.
        why: String,
    },
    /// A suspension (挂起) that ends before it starts.
    #[error("suspension ends at {until} before it starts at {from}")]
    InvalidSuspension {
        /// Start of the suspension.
        from: Timestamp,
        /// End of the suspension.
        until: Timestamp,
    },
}

fn column_suffix(column: &Option<u32>) -> String {
    match column {
        Some(c) => format!(", column {c}"),
        None => String::new(),
    }
}
