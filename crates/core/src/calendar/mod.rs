//! The working calendar (工作日历): which days and minutes are working time in China, and
//! exact, constant-time arithmetic on them — N working days or hours after a moment, working
//! time between two moments, and case due times (办结时限) with suspensions (挂起).
//!
//! # The model
//!
//! - **Time zone**: China Standard Time, the fixed offset +08:00 ([`CHINA_STANDARD_TIME`];
//!   China has had no daylight saving since 1991). Dates are civil dates in that zone.
//! - **Working day (工作日)**: Monday to Friday, except a `holiday` row (放假) of the State
//!   Council's schedule; plus weekend days listed as `workday` (调休上班); minus the center's
//!   own closure days (闭厅). A weekday `workday` row (e.g. 2020-02-03) changes nothing.
//! - **Working time**: the [`WorkingHours`] periods of a working day, half-open
//!   (`09:00 ≤ t < 12:00`, `13:30 ≤ t < 17:30` by default).
//! - **Minute precision**: every moment is truncated to its whole minute (10:00:45 counts as
//!   10:00, so the minute in which a case is accepted counts in full). Working time is counted
//!   in whole working minutes; answers are whole minutes, except that
//!   [`next_working_moment`](WorkingCalendar::next_working_moment) returns a working `t`
//!   unchanged.
//! - **Covered years**: a calendar knows the years from the first to the last year that appears
//!   in its rows ([`covered_years`](WorkingCalendar::covered_years)); a query that touches any
//!   other day fails with [`CalendarError::OutOfRange`] — it never guesses.
//!
//! # Speed
//!
//! [`WorkingCalendar`] precomputes a dense index over every covered day (working flag and a
//! prefix count of working days), the list of working days (for "the k-th working day") and a
//! per-minute table of the working day; every query is O(1) (suspensions: O(s log s) in
//! their number). See `index.rs`.
//!
//! ```
//! use jiff::Timestamp;
//! use tongban_core::calendar::{Limit, WorkingCalendar};
//!
//! let cal = WorkingCalendar::builtin();
//! // Accepted on Thursday before the 2024 Spring Festival (10–17 Feb off, Sunday 18 Feb worked):
//! let accepted: Timestamp = "2024-02-08T10:00+08:00".parse()?;
//! let due = cal.due(accepted, Limit::WorkingDays(2), &[])?;
//! assert_eq!(due, "2024-02-18T17:30+08:00".parse()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod day;
mod deadline;
mod error;
mod hours;
mod index;
mod query;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_data;
#[cfg(test)]
mod tests_deadline;

use std::fmt;
use std::ops::RangeInclusive;
use std::sync::{Arc, LazyLock};

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};

pub use day::{CalendarDay, DayKind};
pub use deadline::{Limit, Suspension};
pub use error::CalendarError;
pub use hours::WorkingHours;
use index::{Index, Place, days_from_civil};

/// China Standard Time (北京时间), UTC+08:00 all year.
pub const CHINA_STANDARD_TIME: Offset = jiff::tz::offset(8);

/// The earliest year a calendar may cover.
pub const MIN_YEAR: i16 = 1900;
/// The latest year a calendar may cover.
pub const MAX_YEAR: i16 = 2999;

/// The embedded State Council schedules, 2020–2026 (see `crates/core/data/holidays/`).
const BUILTIN_CSV: [&str; 7] = [
    include_str!("../../data/holidays/cn-2020.csv"),
    include_str!("../../data/holidays/cn-2021.csv"),
    include_str!("../../data/holidays/cn-2022.csv"),
    include_str!("../../data/holidays/cn-2023.csv"),
    include_str!("../../data/holidays/cn-2024.csv"),
    include_str!("../../data/holidays/cn-2025.csv"),
    include_str!("../../data/holidays/cn-2026.csv"),
];

static BUILTIN: LazyLock<WorkingCalendar> = LazyLock::new(|| {
    let mut days = Vec::new();
    for text in BUILTIN_CSV {
        days.extend(WorkingCalendar::parse_csv(text).expect("embedded holiday CSV is valid (unit-tested)"));
    }
    WorkingCalendar::new(&days, WorkingHours::default(), &[])
        .expect("embedded holidays have no conflicts (unit-tested)")
});

/// A working calendar (工作日历): holiday schedule + working hours + local closures, indexed.
///
/// Cheap to clone (the index is shared) and safe to share between threads.
#[derive(Clone)]
pub struct WorkingCalendar {
    inner: Arc<Inner>,
}

struct Inner {
    days: Vec<CalendarDay>,
    closures: Vec<Date>,
    hours: WorkingHours,
    first_year: i16,
    last_year: i16,
    index: Index,
}

impl fmt::Debug for WorkingCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkingCalendar")
            .field("covered_years", &self.covered_years())
            .field("hours", &self.inner.hours.to_string())
            .field("days", &self.inner.days.len())
            .field("closures", &self.inner.closures)
            .finish()
    }
}

impl WorkingCalendar {
    /// China's calendar for 2020–2026 from the State Council schedules embedded in the crate,
    /// with the default hours 09:00–12:00 and 13:30–17:30 and no closures. Built once, then cloned.
    ///
    /// ```
    /// use tongban_core::calendar::WorkingCalendar;
    ///
    /// let cal = WorkingCalendar::builtin();
    /// assert_eq!(cal.covered_years(), 2020..=2026);
    /// assert!(!cal.is_working_day("2024-10-01".parse()?)?); // 国庆节
    /// assert!(cal.is_working_day("2024-10-12".parse()?)?); // Saturday, 调休上班
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builtin() -> WorkingCalendar {
        BUILTIN.clone()
    }

    /// Builds a calendar from schedule rows, working hours and the center's closure days (闭厅).
    ///
    /// Covered years are the first to the last year of any row's date (not of a file name: a
    /// 2023 schedule lists 2022-12-31). Rows may come in any order; exact duplicates are
    /// dropped. A closure makes its day a non-working day, even a make-up working day.
    ///
    /// Errors: no rows ([`CalendarError::Empty`]); a date both `holiday` and `workday`
    /// ([`CalendarError::Conflict`]); a year outside [`MIN_YEAR`]..=[`MAX_YEAR`]; a closure
    /// outside the covered years ([`CalendarError::OutOfRange`]).
    ///
    /// ```
    /// use tongban_core::calendar::{CalendarError, WorkingCalendar, WorkingHours};
    ///
    /// let rows = WorkingCalendar::parse_csv("date,kind,name\n2030-01-01,holiday,元旦\n")?;
    /// let closures = ["2030-01-02".parse()?];
    /// let cal = WorkingCalendar::new(&rows, WorkingHours::default(), &closures)?;
    /// assert!(!cal.is_working_day("2030-01-02".parse()?)?);
    /// assert!(matches!(cal.is_working_day("2031-01-02".parse()?), Err(CalendarError::OutOfRange { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(days: &[CalendarDay], hours: WorkingHours, closures: &[Date]) -> Result<Self, CalendarError> {
        let mut rows = days.to_vec();
        rows.sort_by_key(|a| (a.date, a.kind));
        rows.dedup_by(|b, a| a.date == b.date && a.kind == b.kind);
        if let Some(pair) = rows.windows(2).find(|w| w[0].date == w[1].date) {
            return Err(CalendarError::Conflict { date: pair[0].date });
        }
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Err(CalendarError::Empty);
        };
        let (first_year, last_year) = (first.date.year(), last.date.year());
        for year in [first_year, last_year] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
                return Err(CalendarError::YearNotSupported { year });
            }
        }
        let first_day = days_from_civil(first_year.into(), 1, 1);
        let end_day = days_from_civil(i64::from(last_year) + 1, 1, 1);
        let mut working: Vec<bool> = (first_day..end_day)
            .map(|n| !matches!((n + 4).rem_euclid(7), 0 | 6)) // 1970-01-01 was a Thursday; 0 = Sunday
            .collect();
        let mut set = |date: Date, value: bool| match usize::try_from(day_number(date) - first_day) {
            Ok(i) if i < working.len() => {
                working[i] = value;
                Ok(())
            }
            _ => Err(CalendarError::OutOfRange { date, first: first_year, last: last_year }),
        };
        for row in &rows {
            set(row.date, row.kind == DayKind::Workday)?;
        }
        let mut closures = closures.to_vec();
        closures.sort();
        closures.dedup();
        for &date in &closures {
            set(date, false)?;
        }
        let index = Index::new(first_day, &working, &hours);
        Ok(WorkingCalendar { inner: Arc::new(Inner { days: rows, closures, hours, first_year, last_year, index }) })
    }

    /// Parses a holiday schedule in CSV: header `date,kind,name`, then one row per date, e.g.
    /// `2024-02-10,holiday,春节`. Dates are `YYYY-MM-DD`; kind is `holiday` or `workday`.
    ///
    /// Errors name the 1-based line and, where one field is to blame, the column.
    ///
    /// ```
    /// use tongban_core::calendar::{CalendarError, DayKind, WorkingCalendar};
    ///
    /// let days = WorkingCalendar::parse_csv("date,kind,name\n2024-02-04,workday,春节\n")?;
    /// assert_eq!(days[0].kind, DayKind::Workday);
    /// let err = WorkingCalendar::parse_csv("date,kind,name\n2024-02-04,holliday,春节\n").unwrap_err();
    /// assert_eq!(err.to_string(), "line 2, column 2: kind must be `holiday` or `workday`, not `holliday`");
    /// # Ok::<(), CalendarError>(())
    /// ```
    pub fn parse_csv(text: &str) -> Result<Vec<CalendarDay>, CalendarError> {
        day::parse_csv(text)
    }

    /// Writes rows as CSV with the header `date,kind,name`; [`parse_csv`](Self::parse_csv) reads it back.
    pub fn to_csv(days: &[CalendarDay]) -> String {
        day::to_csv(days)
    }

    /// The schedule rows the calendar was built from, sorted by date, without exact duplicates.
    pub fn days(&self) -> &[CalendarDay] {
        &self.inner.days
    }

    /// The center's closure days (闭厅), sorted.
    pub fn closures(&self) -> &[Date] {
        &self.inner.closures
    }

    /// The working hours of every working day.
    pub fn hours(&self) -> &WorkingHours {
        &self.inner.hours
    }

    /// Working minutes in one working day (420 for the default hours).
    pub fn minutes_per_working_day(&self) -> i64 {
        self.inner.index.per_day()
    }

    /// The years the calendar knows, e.g. `2020..=2026` for [`builtin`](Self::builtin).
    pub fn covered_years(&self) -> RangeInclusive<i16> {
        self.inner.first_year..=self.inner.last_year
    }

    fn index(&self) -> &Index {
        &self.inner.index
    }

    /// The error for a query about `date`, which is not covered.
    fn out_of_range(&self, date: Date) -> CalendarError {
        CalendarError::OutOfRange { date, first: self.inner.first_year, last: self.inner.last_year }
    }

    /// The error for an answer that would fall after the last covered day.
    fn past_the_end(&self) -> CalendarError {
        let date = Date::new(self.inner.last_year.saturating_add(1), 1, 1).unwrap_or(Date::MAX);
        self.out_of_range(date)
    }

    /// Where `t` falls: covered `(day, minute)`, or the OutOfRange error naming its date.
    #[inline]
    fn locate(&self, t: Timestamp) -> Result<(usize, usize), CalendarError> {
        match self.index().place(t) {
            Place::At { day, minute } => Ok((day, minute)),
            Place::Before | Place::After => {
                Err(self.out_of_range(TimeZone::fixed(CHINA_STANDARD_TIME).to_datetime(t).date()))
            }
        }
    }

    /// Rank of `t` (working minutes of the covered range before its minute); `t` must be covered.
    #[inline]
    fn rank(&self, t: Timestamp) -> Result<i64, CalendarError> {
        if self.index().is_end_minute(t) {
            // 24:00 of the last covered day, e.g. a due time there: every minute is before it.
            return Ok(self.index().total());
        }
        let (day, minute) = self.locate(t)?;
        Ok(self.index().rank(day, minute))
    }

    /// The moment working minute `g` starts.
    #[inline]
    fn start_of(&self, g: i64) -> Result<Timestamp, CalendarError> {
        let secs = self.index().minute_start(g).ok_or_else(|| self.past_the_end())?;
        Timestamp::from_second(secs).map_err(|_| self.past_the_end())
    }

    /// The moment working minute `g` ends (its start + 60 s): e.g. 17:30 for the day's last.
    #[inline]
    fn end_of(&self, g: i64) -> Result<Timestamp, CalendarError> {
        let secs = self.index().minute_start(g).ok_or_else(|| self.past_the_end())?;
        Timestamp::from_second(secs + 60).map_err(|_| self.past_the_end())
    }
}

/// Day number (days since 1970-01-01) of a civil date.
fn day_number(date: Date) -> i64 {
    days_from_civil(date.year().into(), date.month().into(), date.day().into())
}
