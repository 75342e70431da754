//! Queries on a [`WorkingCalendar`]: is it working time, the next working moment, N working
//! days or minutes later, working time between two moments. All O(1).

use jiff::Timestamp;
use jiff::civil::Date;

use super::{CalendarError, WorkingCalendar, day_number};

impl WorkingCalendar {
    /// Whether `d` is a working day (工作日): a weekday that is not a holiday or closure, or a
    /// make-up working day (调休上班).
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// assert!(cal.is_working_day("2024-02-04".parse()?)?); // Sunday, worked for 春节
    /// assert!(!cal.is_working_day("2024-02-12".parse()?)?); // Monday, 春节
    /// assert!(cal.is_working_day("2101-01-03".parse()?).is_err()); // after the holiday law's years
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        let day = self.index().day_of_number(day_number(d)).ok_or_else(|| self.out_of_range(d))?;
        Ok(self.index().is_working_day(day))
    }

    /// Whether `t` is working time: a working day, inside a working period (start included,
    /// end excluded — 17:30 is after hours).
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// assert!(cal.is_working_time("2024-03-01T09:00+08:00".parse()?)?);
    /// assert!(!cal.is_working_time("2024-03-01T12:30+08:00".parse()?)?); // lunch break
    /// assert!(!cal.is_working_time("2024-03-01T17:30+08:00".parse()?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_working_time(&self, t: Timestamp) -> Result<bool, CalendarError> {
        let (day, minute) = self.locate(t)?;
        Ok(self.index().is_working_minute(day, minute))
    }

    /// `t` itself if it is working time, otherwise the start of the next working period.
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// // Friday 2024-03-01 after hours → Monday 09:00.
    /// let t = cal.next_working_moment("2024-03-01T18:00+08:00".parse()?)?;
    /// assert_eq!(t, "2024-03-04T09:00+08:00".parse()?);
    /// // Lunch break → 13:30 the same day.
    /// let t = cal.next_working_moment("2024-03-01T12:15+08:00".parse()?)?;
    /// assert_eq!(t, "2024-03-01T13:30+08:00".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_working_moment(&self, t: Timestamp) -> Result<Timestamp, CalendarError> {
        let (day, minute) = self.locate(t)?;
        if self.index().is_working_minute(day, minute) {
            return Ok(t);
        }
        self.start_of(self.index().rank(day, minute))
    }

    /// The end of the working day of [`next_working_moment(t)`](Self::next_working_moment):
    /// the end of its last working period (17:30 by default).
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// let t = cal.end_of_working_day("2024-09-30T20:00+08:00".parse()?)?;
    /// assert_eq!(t, "2024-10-08T17:30+08:00".parse()?); // 1–7 Oct off
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn end_of_working_day(&self, t: Timestamp) -> Result<Timestamp, CalendarError> {
        let g = self.rank(t)?;
        self.end_of(self.index().last_minute_of_day(g))
    }

    /// The end (17:30 by default) of the `n`-th working day after the working day of
    /// [`next_working_moment(from)`](Self::next_working_moment); `n = 0` is the end of that day.
    ///
    /// So a case accepted after hours or on a holiday starts on the next working day, and a
    /// limit of N working days (N个工作日) gives the rest of the acceptance day plus N full days.
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// // Thursday 2024-10-10 → Fri 11, Sat 12 (worked), Mon 14.
    /// let due = cal.add_working_days("2024-10-10T15:00+08:00".parse()?, 3)?;
    /// assert_eq!(due, "2024-10-14T17:30+08:00".parse()?);
    /// // Accepted Thursday at 18:00: the count starts on Friday.
    /// let due = cal.add_working_days("2024-10-10T18:00+08:00".parse()?, 1)?;
    /// assert_eq!(due, "2024-10-12T17:30+08:00".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn add_working_days(&self, from: Timestamp, n: u32) -> Result<Timestamp, CalendarError> {
        let g = self.rank(from)?;
        let per_day = self.index().per_day();
        self.end_of(self.index().last_minute_of_day(g) + i64::from(n) * per_day)
    }

    /// The moment `minutes` working minutes after `from`, counted from
    /// [`next_working_moment(from)`](Self::next_working_moment) (whose minute counts in full: 10:00:45
    /// counts as 10:00). A count that ends with a working period answers that period's end
    /// (12:00 or 17:30), not the start of the next. `minutes = 0` answers the next working moment.
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// let from = "2024-03-01T11:00+08:00".parse()?; // Friday
    /// assert_eq!(cal.add_working_minutes(from, 60)?, "2024-03-01T12:00+08:00".parse()?);
    /// assert_eq!(cal.add_working_minutes(from, 61)?, "2024-03-01T13:31+08:00".parse()?);
    /// assert_eq!(cal.add_working_minutes(from, 5 * 60)?, "2024-03-01T17:30+08:00".parse()?);
    /// assert_eq!(cal.add_working_minutes(from, 5 * 60 + 1)?, "2024-03-04T09:01+08:00".parse()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn add_working_minutes(&self, from: Timestamp, minutes: u64) -> Result<Timestamp, CalendarError> {
        if minutes == 0 {
            return self.next_working_moment(from);
        }
        let g = self.rank(from)?;
        let last = i64::try_from(minutes).ok().and_then(|m| g.checked_add(m - 1));
        self.end_of(last.ok_or_else(|| self.past_the_end())?)
    }

    /// Working minutes from `a` to `b`: the whole working minutes in `[a, b)`, each moment
    /// truncated to its minute; negative if `b < a`. `add_working_minutes(a, n)` is always `n`
    /// working minutes after `a` by this measure.
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// let (a, b) = ("2024-03-01T11:00+08:00".parse()?, "2024-03-04T10:00+08:00".parse()?);
    /// assert_eq!(cal.working_minutes_between(a, b)?, 5 * 60 + 60);
    /// assert_eq!(cal.working_minutes_between(b, a)?, -(5 * 60 + 60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn working_minutes_between(&self, a: Timestamp, b: Timestamp) -> Result<i64, CalendarError> {
        Ok(self.rank(b)? - self.rank(a)?)
    }

    /// Working days from `a` to `b`, as a fraction: [`working_minutes_between`](Self::working_minutes_between)
    /// divided by the working minutes of one working day (420 by default). One full working day
    /// is `1.0` whatever its calendar span (Friday 10:00 → Monday 10:00 is `1.0`); negative if `b < a`.
    ///
    /// ```
    /// # use tongban_core::calendar::WorkingCalendar;
    /// let cal = WorkingCalendar::builtin();
    /// let (a, b) = ("2024-03-01T09:00+08:00".parse()?, "2024-03-04T14:00+08:00".parse()?);
    /// assert_eq!(cal.working_days_between(a, b)?, 1.5); // (7 h + 3.5 h) / 7 h
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn working_days_between(&self, a: Timestamp, b: Timestamp) -> Result<f64, CalendarError> {
        let minutes = self.working_minutes_between(a, b)?;
        // Both are far below 2^53, so the division is exact to f64 precision.
        Ok(minutes as f64 / self.index().per_day() as f64)
    }
}
