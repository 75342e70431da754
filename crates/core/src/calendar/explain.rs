//! "Why is this due then?" — a due time taken apart: the limit, where the clock started,
//! the suspensions, and every day in between that was not worked (or was worked although a
//! weekend), with the calendar revision and whether a provisional year was involved.

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::{CalendarError, DayKind, Limit, Suspension, WorkingCalendar, local_date};

/// Why a day between the start and the due time counts differently from a plain weekday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayNote {
    /// A Saturday or Sunday, not worked.
    Weekend,
    /// A holiday of an announced schedule (放假).
    Holiday,
    /// A statutory day off of the holiday law in a provisional year (暂定).
    ProvisionalHoliday,
    /// A closure of the hall (闭厅).
    Closure,
    /// A weekend day worked (调休上班).
    MakeUpWorkday,
}

/// One noted day of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotedDay {
    /// The date.
    pub date: Date,
    /// What it was.
    pub note: DayNote,
    /// The festival's name, where there is one.
    pub name: String,
}

/// A due time and everything it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DueExplanation {
    /// When the case was accepted (or reopened).
    pub accepted: Timestamp,
    /// When the clock started: the next working moment from `accepted`.
    pub clock_start: Timestamp,
    /// The limit.
    pub limit: Limit,
    /// Working minutes the limit allows.
    pub allowed_minutes: i64,
    /// The suspensions that stopped the clock.
    pub suspensions: Vec<Suspension>,
    /// Working minutes the suspensions stopped before the due time.
    pub suspended_minutes: i64,
    /// The due time.
    pub due: Timestamp,
    /// Whether a day of a provisional year was involved (暂定).
    pub provisional: bool,
    /// The calendar revision it was computed with.
    pub calendar_revision: u64,
    /// The days from the clock's start to the due time that were not plain weekdays.
    pub days: Vec<NotedDay>,
}

impl WorkingCalendar {
    /// Explains [`due`](Self::due) for the same arguments.
    ///
    /// ```
    /// use tongban_core::calendar::{DayNote, Limit, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::builtin();
    /// let why = cal.explain_due("2024-02-08T10:00+08:00".parse()?, Limit::WorkingDays(2), &[])?;
    /// assert_eq!(why.due, "2024-02-18T17:30+08:00".parse()?);
    /// assert_eq!(why.days.iter().filter(|d| d.note == DayNote::Holiday).count(), 8); // 10–17 Feb, 春节
    /// assert_eq!(why.days.last().map(|d| d.note), Some(DayNote::MakeUpWorkday)); // Sunday 18 Feb
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain_due(
        &self,
        accepted: Timestamp,
        limit: Limit,
        suspensions: &[Suspension],
    ) -> Result<DueExplanation, CalendarError> {
        let due = self.due(accepted, limit, suspensions)?;
        let clock_start = self.next_working_moment(accepted)?;
        let allowed = self.allowed_minutes(accepted, limit)?;
        let used = self.working_minutes_between(clock_start, due)?;
        let mut days = Vec::new();
        let (first, last) = (local_date(clock_start), local_date(due));
        let mut day = first;
        while day <= last {
            if let Some(noted) = self.note(day)? {
                days.push(noted);
            }
            day = match day.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        Ok(DueExplanation {
            accepted,
            clock_start,
            limit,
            allowed_minutes: allowed,
            suspensions: suspensions.to_vec(),
            suspended_minutes: (used - allowed).max(0),
            due,
            provisional: self.touches_provisional(accepted, due),
            calendar_revision: self.revision(),
            days,
        })
    }

    /// What sets `date` apart from a plain weekday, if anything.
    fn note(&self, date: Date) -> Result<Option<NotedDay>, CalendarError> {
        let working = self.is_working_day(date)?;
        let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
        let noted = |note, name: &str| Ok(Some(NotedDay { date, note, name: name.to_owned() }));
        if self.closures().binary_search(&date).is_ok() {
            return noted(DayNote::Closure, "");
        }
        if self.is_provisional_year(date.year()) {
            if !working && !weekend {
                let name = super::law::statutory_days(date.year())?
                    .into_iter()
                    .find(|d| d.date == date)
                    .map(|d| d.name)
                    .unwrap_or_default();
                return noted(DayNote::ProvisionalHoliday, &name);
            }
        } else if let Ok(i) = self.days().binary_search_by_key(&date, |d| d.date) {
            let row = &self.days()[i];
            return match row.kind {
                DayKind::Holiday => noted(DayNote::Holiday, &row.name),
                DayKind::Workday if weekend => noted(DayNote::MakeUpWorkday, &row.name),
                DayKind::Workday => Ok(None),
            };
        }
        if weekend && !working { noted(DayNote::Weekend, "") } else { Ok(None) }
    }
}
