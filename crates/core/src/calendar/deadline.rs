//! Case due times (办结时限): a [`Limit`] from the acceptance moment, with the clock stopped
//! during every [`Suspension`] (挂起).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CalendarError, WorkingCalendar};

/// A promised or legal time limit (承诺时限 / 法定时限), counted in working time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// 当日办结 — finished the same working day: due at the end of the acceptance working day.
    EndOfDay,
    /// N个工作日 — due at the end of the N-th working day after the acceptance working day.
    WorkingDays(u32),
    /// N个工作时 — due N × 60 working minutes after the acceptance moment.
    WorkingHours(u32),
}

/// A suspension (挂起: expert review, hearing, public notice, field survey …) during which
/// the case's clock stops. A closed interval `[from, until]`; for one still running, pass
/// `now` as `until`. At minute precision it stops the working minutes in `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Suspension {
    /// When the clock stopped.
    pub from: Timestamp,
    /// When the clock restarted (or `now` if it has not yet).
    pub until: Timestamp,
}

impl WorkingCalendar {
    /// When a case accepted (受理) at `accepted` with `limit` is due (到期), the clock stopped
    /// during `suspensions`.
    ///
    /// The clock starts at [`next_working_moment(accepted)`](Self::next_working_moment), so a
    /// case accepted after hours or on a holiday starts on the next working morning. Without
    /// suspensions:
    /// - [`Limit::EndOfDay`] is the end of that working day (17:30);
    /// - [`Limit::WorkingDays`]`(n)` is [`add_working_days(accepted, n)`](Self::add_working_days);
    /// - [`Limit::WorkingHours`]`(h)` is [`add_working_minutes(accepted, 60 h)`](Self::add_working_minutes).
    ///
    /// That fixes the allowance: L = [`allowed_minutes`](Self::allowed_minutes) working minutes.
    /// Suspensions (overlaps merged) stop the clock: the due time is the earliest moment by
    /// which L working minutes *outside* every suspension have passed since the start. Put
    /// differently, the due time is extended by exactly the working minutes of each suspension
    /// that fall before the extended due time; suspended minutes before acceptance, after the
    /// due time or outside working hours change nothing. Suspensions may overlap and come in
    /// any order. A limit of zero working hours is due at the next working moment.
    ///
    /// Errors: a suspension that ends before it starts; `accepted` or the due time outside the
    /// covered years.
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use tongban_core::calendar::{Limit, Suspension, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::builtin();
    /// let t = |s: &str| s.parse::<Timestamp>();
    /// // Accepted Saturday 2025-01-25, the day before a make-up working day: counts from Sunday 26.
    /// let accepted = t("2025-01-25T10:00+08:00")?;
    /// assert_eq!(cal.due(accepted, Limit::EndOfDay, &[])?, t("2025-01-26T17:30+08:00")?);
    /// // 2 working days: Mon 27, then Wed 5 Feb (28 Jan–4 Feb off for 春节).
    /// assert_eq!(cal.due(accepted, Limit::WorkingDays(2), &[])?, t("2025-02-05T17:30+08:00")?);
    /// // 8 working hours: all of Sunday 26 (7 h) and one hour of Monday 27.
    /// assert_eq!(cal.due(accepted, Limit::WorkingHours(8), &[])?, t("2025-01-27T10:00+08:00")?);
    /// // A 2-hour expert review on Monday morning pushes that out by 2 working hours.
    /// let review = Suspension { from: t("2025-01-27T09:00+08:00")?, until: t("2025-01-27T11:00+08:00")? };
    /// assert_eq!(cal.due(accepted, Limit::WorkingHours(8), &[review])?, t("2025-01-27T12:00+08:00")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn due(
        &self,
        accepted: Timestamp,
        limit: Limit,
        suspensions: &[Suspension],
    ) -> Result<Timestamp, CalendarError> {
        validate(suspensions)?;
        let start = self.rank(accepted)?;
        let allowed = self.allowance(start, limit);
        if allowed == 0 {
            return self.next_working_moment(accepted);
        }
        let mut cursor = start;
        let mut remaining = allowed;
        for (stop, resume) in self.stops(start, suspensions) {
            // Stops are sorted, disjoint and at or after `cursor`.
            let available = stop - cursor;
            if available >= remaining {
                break;
            }
            remaining -= available;
            cursor = resume;
        }
        self.end_of(cursor + remaining - 1)
    }

    /// The working minutes `limit` allows a case accepted at `accepted` (before suspensions):
    /// `60 h` for [`Limit::WorkingHours`]`(h)`; for working days, the working minutes left in
    /// the acceptance working day plus `n` full working days. Fails like [`due`](Self::due)
    /// if the unsuspended due time is not covered.
    ///
    /// ```
    /// # use tongban_core::calendar::{Limit, WorkingCalendar};
    /// let cal = WorkingCalendar::builtin();
    /// let accepted = "2024-03-01T16:30+08:00".parse()?;
    /// assert_eq!(cal.allowed_minutes(accepted, Limit::EndOfDay)?, 60);
    /// assert_eq!(cal.allowed_minutes(accepted, Limit::WorkingDays(2))?, 60 + 2 * 420);
    /// assert_eq!(cal.allowed_minutes(accepted, Limit::WorkingHours(3))?, 180);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allowed_minutes(&self, accepted: Timestamp, limit: Limit) -> Result<i64, CalendarError> {
        let start = self.rank(accepted)?;
        let allowed = self.allowance(start, limit);
        // The unsuspended due time must be covered, as for `due`.
        if allowed == 0 {
            self.start_of(start)?;
        } else {
            self.end_of(start + allowed - 1)?;
        }
        Ok(allowed)
    }

    /// Working minutes counted against the limit (已用时间) from `accepted` to `now`: the
    /// working minutes in `[accepted, now)` that no suspension stopped; 0 if `now` is not
    /// after the acceptance. With the same suspensions, a case's used time at its
    /// [`due`](Self::due) time is exactly its [`allowed_minutes`](Self::allowed_minutes).
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use tongban_core::calendar::{Suspension, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::builtin();
    /// let t = |s: &str| s.parse::<Timestamp>();
    /// let accepted = t("2024-03-01T09:00+08:00")?;
    /// let now = t("2024-03-04T10:00+08:00")?;
    /// assert_eq!(cal.working_minutes_used(accepted, now, &[])?, 420 + 60);
    /// // A survey running since Friday 16:30 (`until` = now) stopped 60 + 60 minutes.
    /// let survey = Suspension { from: t("2024-03-01T16:30+08:00")?, until: now };
    /// assert_eq!(cal.working_minutes_used(accepted, now, &[survey])?, 420 - 60);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn working_minutes_used(
        &self,
        accepted: Timestamp,
        now: Timestamp,
        suspensions: &[Suspension],
    ) -> Result<i64, CalendarError> {
        validate(suspensions)?;
        let start = self.rank(accepted)?;
        let end = self.rank(now)?;
        if end <= start {
            return Ok(0);
        }
        let stopped: i64 =
            self.stops(start, suspensions).iter().map(|&(stop, resume)| (resume.min(end) - stop).max(0)).sum();
        Ok(end - start - stopped)
    }

    /// Working minutes `limit` allows from the working minute of rank `start`.
    fn allowance(&self, start: i64, limit: Limit) -> i64 {
        let per_day = self.index().per_day();
        let days = match limit {
            Limit::WorkingHours(h) => return i64::from(h) * 60,
            Limit::EndOfDay => 0,
            Limit::WorkingDays(n) => i64::from(n),
        };
        self.index().last_minute_of_day(start) + days * per_day - start + 1
    }

    /// The (validated) suspensions as sorted, disjoint rank intervals `[stop, resume)` at or after `start`.
    fn stops(&self, start: i64, suspensions: &[Suspension]) -> Vec<(i64, i64)> {
        let mut stops = Vec::with_capacity(suspensions.len());
        for s in suspensions {
            // Clamping is exact: only minutes at or after `start` (a covered minute) matter,
            // and a stop running past the covered range makes any later due time uncovered.
            let stop = self.index().rank_clamped(s.from).max(start);
            let resume = self.index().rank_clamped(s.until);
            if stop < resume {
                stops.push((stop, resume));
            }
        }
        stops.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(stops.len());
        for (stop, resume) in stops {
            match merged.last_mut() {
                Some(last) if stop <= last.1 => last.1 = last.1.max(resume),
                _ => merged.push((stop, resume)),
            }
        }
        merged
    }
}

/// Rejects a suspension that ends before it starts.
fn validate(suspensions: &[Suspension]) -> Result<(), CalendarError> {
    match suspensions.iter().find(|s| s.until < s.from) {
        Some(s) => Err(CalendarError::InvalidSuspension { from: s.from, until: s.until }),
        None => Ok(()),
    }
}
