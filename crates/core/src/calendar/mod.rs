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
//! - **Announced and provisional years**: a calendar answers for every day of
//!   [`MIN_YEAR`]..=[`MAX_YEAR`] (1950–2100, the range of the holiday law's lunar dates). A
//!   year with a State Council schedule (节假日安排) is *announced* and follows it; every other
//!   year is *provisional* (暂定): weekends off and the statutory days of the holiday law
//!   ([`law`]) off, no make-up working days. Answers that touch a provisional day say so
//!   ([`touches_provisional`](WorkingCalendar::touches_provisional)); only days outside the
//!   range fail, with [`CalendarError::OutOfRange`].
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
mod explain;
mod hours;
mod index;
pub mod law;
mod query;
mod schedule;
mod set;
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
pub use explain::{DayNote, DueExplanation, NotedDay};
pub use hours::WorkingHours;
use index::{Index, Place, days_from_civil};
pub use schedule::Schedule;
pub use set::{CalendarSet, Closure};

/// China Standard Time (北京时间), UTC+08:00 all year.
pub const CHINA_STANDARD_TIME: Offset = jiff::tz::offset(8);

/// The earliest year a calendar answers for (the holiday law's first year).
pub const MIN_YEAR: i16 = law::FIRST_YEAR;
/// The latest year a calendar answers for (the holiday law's last year).
pub const MAX_YEAR: i16 = law::LAST_YEAR;

/// The embedded State Council schedules, 2020–2026 (see `crates/core/data/holidays/`).
const BUILTIN_CSV: [(i16, &str); 7] = [
    (2020, include_str!("../../data/holidays/cn-2020.csv")),
    (2021, include_str!("../../data/holidays/cn-2021.csv")),
    (2022, include_str!("../../data/holidays/cn-2022.csv")),
    (2023, include_str!("../../data/holidays/cn-2023.csv")),
    (2024, include_str!("../../data/holidays/cn-2024.csv")),
    (2025, include_str!("../../data/holidays/cn-2025.csv")),
    (2026, include_str!("../../data/holidays/cn-2026.csv")),
];

static BUILTIN_SCHEDULES: LazyLock<Vec<Schedule>> = LazyLock::new(|| {
    BUILTIN_CSV
        .iter()
        .map(|(year, text)| Schedule::parse(*year, text).expect("embedded holiday CSV is valid (unit-tested)"))
        .collect()
});

static BUILTIN: LazyLock<WorkingCalendar> = LazyLock::new(|| {
    WorkingCalendar::from_schedules(&BUILTIN_SCHEDULES, WorkingHours::default(), &[])
        .expect("embedded holidays have no conflicts (unit-tested)")
});

/// A working calendar (工作日历): holiday schedule + working hours + local closures, indexed.
///
/// Cheap to clone (the index is shared) and safe to share between threads.
#[derive(Clone)]
pub struct WorkingCalendar {
    inner: Arc<Inner>,
    /// Which stored calendar this is (0: the built-in one); recorded with every due time.
    revision: u64,
}

struct Inner {
    days: Vec<CalendarDay>,
    /// Years with an announced schedule, sorted; every other year is provisional.
    announced: Vec<i16>,
    closures: Vec<Date>,
    hours: WorkingHours,
    index: Index,
}

impl fmt::Debug for WorkingCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkingCalendar")
            .field("announced_years", &self.inner.announced)
            .field("revision", &self.revision)
            .field("hours", &self.inner.hours.to_string())
            .field("days", &self.inner.days.len())
            .field("closures", &self.inner.closures)
            .finish()
    }
}

impl WorkingCalendar {
    /// China's calendar with the State Council schedules of 2020–2026 embedded in the crate
    /// (other years provisional), the default hours 09:00–12:00 and 13:30–17:30 and no
    /// closures. Built once, then cloned.
    ///
    /// ```
    /// use tongban_core::calendar::WorkingCalendar;
    ///
    /// let cal = WorkingCalendar::builtin();
    /// assert_eq!(cal.announced_years(), [2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    /// assert!(!cal.is_working_day("2024-10-01".parse()?)?); // 国庆节
    /// assert!(cal.is_working_day("2024-10-12".parse()?)?); // Saturday, 调休上班
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builtin() -> WorkingCalendar {
        BUILTIN.clone()
    }

    /// The embedded State Council schedules, 2020–2026.
    pub fn builtin_schedules() -> &'static [Schedule] {
        &BUILTIN_SCHEDULES
    }

    /// Builds a calendar from schedule rows, working hours and the center's closure days (闭厅).
    ///
    /// The years from the first to the last year of any row's date are announced (a 2023
    /// schedule that lists 2022-12-31 also announces 2022); the others are provisional. Rows
    /// may come in any order; exact duplicates are dropped. A closure makes its day a
    /// non-working day, even a make-up working day. Use [`from_schedules`](Self::from_schedules)
    /// to say exactly which years are announced.
    ///
    /// Errors: a date both `holiday` and `workday` ([`CalendarError::Conflict`]); a row or
    /// closure outside [`MIN_YEAR`]..=[`MAX_YEAR`] ([`CalendarError::YearNotSupported`]).
    ///
    /// ```
    /// use tongban_core::calendar::{CalendarError, WorkingCalendar, WorkingHours};
    ///
    /// let rows = WorkingCalendar::parse_csv("date,kind,name\n2030-01-01,holiday,元旦\n")?;
    /// let closures = ["2030-01-02".parse()?];
    /// let cal = WorkingCalendar::new(&rows, WorkingHours::default(), &closures)?;
    /// assert!(!cal.is_working_day("2030-01-02".parse()?)?);
    /// // 2031 is provisional: the holiday law's days off, weekends off.
    /// assert!(cal.is_provisional_year(2031));
    /// assert!(!cal.is_working_day("2031-10-02".parse()?)?);
    /// assert!(matches!(cal.is_working_day("2101-01-02".parse()?), Err(CalendarError::OutOfRange { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(days: &[CalendarDay], hours: WorkingHours, closures: &[Date]) -> Result<Self, CalendarError> {
        let first = days.iter().map(|d| d.date.year()).min();
        let last = days.iter().map(|d| d.date.year()).max();
        let announced: Vec<i16> = match (first, last) {
            (Some(first), Some(last)) => (first..=last).collect(),
            _ => Vec::new(),
        };
        Self::build(days.to_vec(), announced, hours, closures)
    }

    /// Builds a calendar from the announced schedules (one per year; later ones replace
    /// earlier ones of the same year), working hours and closure days. Every year without a
    /// schedule is provisional.
    ///
    /// Errors as for [`new`](Self::new).
    pub fn from_schedules(
        schedules: &[Schedule],
        hours: WorkingHours,
        closures: &[Date],
    ) -> Result<Self, CalendarError> {
        let mut by_year: Vec<&Schedule> = Vec::new();
        for s in schedules {
            by_year.retain(|o| o.year() != s.year());
            by_year.push(s);
        }
        let announced = by_year.iter().map(|s| s.year()).collect();
        let rows = by_year.iter().flat_map(|s| s.days().iter().cloned()).collect();
        Self::build(rows, announced, hours, closures)
    }

    /// The same calendar with other closure days (e.g. a division's own, 闭厅).
    pub fn with_closures(&self, closures: &[Date]) -> Result<Self, CalendarError> {
        let cal =
            Self::build(self.inner.days.clone(), self.inner.announced.clone(), self.inner.hours.clone(), closures)?;
        Ok(cal.with_revision(self.revision))
    }

    /// The same calendar marked as stored revision `revision`.
    pub fn with_revision(mut self, revision: u64) -> Self {
        self.revision = revision;
        self
    }

    /// Which stored calendar this is: 0 for the built-in one, otherwise the stored revision
    /// it was loaded from. Due times record it, so they can be explained later.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    fn build(
        mut rows: Vec<CalendarDay>,
        mut announced: Vec<i16>,
        hours: WorkingHours,
        closures: &[Date],
    ) -> Result<Self, CalendarError> {
        rows.sort_by_key(|a| (a.date, a.kind));
        rows.dedup_by(|b, a| a.date == b.date && a.kind == b.kind);
        if let Some(pair) = rows.windows(2).find(|w| w[0].date == w[1].date) {
            return Err(CalendarError::Conflict { date: pair[0].date });
        }
        announced.sort_unstable();
        announced.dedup();
        let supported = |year: i16| {
            if (MIN_YEAR..=MAX_YEAR).contains(&year) { Ok(()) } else { Err(CalendarError::YearNotSupported { year }) }
        };
        for &year in &announced {
            supported(year)?;
        }
        for d in rows.iter().map(|r| r.date).chain(closures.iter().copied()) {
            supported(d.year())?;
        }
        let first_day = days_from_civil(MIN_YEAR.into(), 1, 1);
        let end_day = days_from_civil(i64::from(MAX_YEAR) + 1, 1, 1);
        let mut working: Vec<bool> = (first_day..end_day)
            .map(|n| !matches!((n + 4).rem_euclid(7), 0 | 6)) // 1970-01-01 was a Thursday; 0 = Sunday
            .collect();
        let mut set = |date: Date, value: bool| {
            if let Some(w) = usize::try_from(day_number(date) - first_day).ok().and_then(|i| working.get_mut(i)) {
                *w = value;
            }
        };
        for year in MIN_YEAR..=MAX_YEAR {
            if announced.binary_search(&year).is_err() {
                for row in law::statutory_days(year)? {
                    set(row.date, false);
                }
            }
        }
        for row in &rows {
            set(row.date, row.kind == DayKind::Workday);
        }
        let mut closures = closures.to_vec();
        closures.sort();
        closures.dedup();
        for &date in &closures {
            set(date, false);
        }
        let index = Index::new(first_day, &working, &hours);
        Ok(WorkingCalendar { inner: Arc::new(Inner { days: rows, announced, closures, hours, index }), revision: 0 })
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

    /// The years the calendar answers for: [`MIN_YEAR`]..=[`MAX_YEAR`].
    pub fn covered_years(&self) -> RangeInclusive<i16> {
        MIN_YEAR..=MAX_YEAR
    }

    /// The years with an announced schedule, sorted.
    pub fn announced_years(&self) -> &[i16] {
        &self.inner.announced
    }

    /// Whether `year` follows the holiday law only (暂定), for want of an announced schedule.
    pub fn is_provisional_year(&self, year: i16) -> bool {
        self.inner.announced.binary_search(&year).is_err()
    }

    /// Whether any day from `from`'s date to `to`'s date (either order) lies in a provisional
    /// year: an answer computed over that span is provisional (暂定).
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use tongban_core::calendar::{Limit, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::builtin();
    /// let accepted: Timestamp = "2026-12-24T10:00+08:00".parse()?;
    /// let due = cal.due(accepted, Limit::WorkingDays(10), &[])?; // runs into 2027
    /// assert!(cal.touches_provisional(accepted, due));
    /// assert!(!cal.touches_provisional(accepted, accepted));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn touches_provisional(&self, from: Timestamp, to: Timestamp) -> bool {
        let (a, b) = (local_date(from.min(to)).year(), local_date(from.max(to)).year());
        (a..=b).any(|y| self.is_provisional_year(y))
    }

    /// The schedule rows of `year`: its announced rows, or for a provisional year the holiday
    /// law's statutory days (kind `holiday`). Sorted by date.
    pub fn year_days(&self, year: i16) -> Result<Vec<CalendarDay>, CalendarError> {
        if self.is_provisional_year(year) {
            return law::statutory_days(year);
        }
        Ok(self.inner.days.iter().filter(|d| d.date.year() == year).cloned().collect())
    }

    /// The last day of the run of announced years that holds `today`, or `None` when `today`'s
    /// year is provisional.
    pub fn announced_until(&self, today: Date) -> Option<Date> {
        let mut year = today.year();
        if self.is_provisional_year(year) {
            return None;
        }
        while year < MAX_YEAR && !self.is_provisional_year(year + 1) {
            year += 1;
        }
        Date::new(year, 12, 31).ok()
    }

    /// The year a center should load next, when it is time to warn (60 days before the last
    /// announced day, or at once when `today`'s own year is provisional); `None` otherwise.
    pub fn year_to_load(&self, today: Date) -> Option<i16> {
        match self.announced_until(today) {
            None => Some(today.year()),
            Some(until) if until.year() >= MAX_YEAR => None,
            Some(until) => {
                let warn_from = until.checked_sub(jiff::Span::new().days(60)).unwrap_or(until);
                (today >= warn_from).then_some(until.year() + 1)
            }
        }
    }

    fn index(&self) -> &Index {
        &self.inner.index
    }

    /// The error for a query about `date`, which is not covered.
    fn out_of_range(&self, date: Date) -> CalendarError {
        CalendarError::OutOfRange { date, first: MIN_YEAR, last: MAX_YEAR }
    }

    /// The error for an answer that would fall after the last covered day.
    fn past_the_end(&self) -> CalendarError {
        let date = Date::new(MAX_YEAR.saturating_add(1), 1, 1).unwrap_or(Date::MAX);
        self.out_of_range(date)
    }

    /// Where `t` falls: covered `(day, minute)`, or the OutOfRange error naming its date.
    #[inline]
    fn locate(&self, t: Timestamp) -> Result<(usize, usize), CalendarError> {
        match self.index().place(t) {
            Place::At { day, minute } => Ok((day, minute)),
            Place::Before | Place::After => Err(self.out_of_range(local_date(t))),
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

/// The civil date of `t` in China Standard Time.
pub fn local_date(t: Timestamp) -> Date {
    TimeZone::fixed(CHINA_STANDARD_TIME).to_datetime(t).date()
}

/// Day number (days since 1970-01-01) of a civil date.
fn day_number(date: Date) -> i64 {
    days_from_civil(date.year().into(), date.month().into(), date.day().into())
}
