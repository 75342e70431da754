//! A year's announced holiday schedule (节假日安排): the rows of one State Council notice,
//! checked as a whole before it may replace a provisional year or an earlier import.

use jiff::civil::{Date, Weekday};
use serde::Serialize;

use super::day::{parse_csv_lines, parse_error, to_csv};
use super::{CalendarDay, CalendarError, DayKind, MAX_YEAR, MIN_YEAR};

/// One year's announced schedule: its `holiday` and `workday` rows, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    year: i16,
    days: Vec<CalendarDay>,
}

impl Schedule {
    /// Reads `year`'s schedule from `date,kind,name` CSV and checks it as a notice:
    /// - every date is in `year`, except the days of a 元旦 break that starts in the last days
    ///   of the year before and runs into 1 January (2023's notice lists 2022-12-31);
    /// - no date is listed twice;
    /// - a `workday` (调休上班) is a Saturday or Sunday: a weekday is worked anyway, so the
    ///   row is a mistake;
    /// - at least one row.
    ///
    /// Errors name the 1-based line (and the column where one field is to blame); nothing is
    /// half-read.
    ///
    /// ```
    /// use tongban_core::calendar::Schedule;
    ///
    /// let s = Schedule::parse(2027, "date,kind,name\n2027-01-01,holiday,元旦\n")?;
    /// assert_eq!(s.days().len(), 1);
    /// let err = Schedule::parse(2027, "date,kind,name\n2027-01-01,holiday,元旦\n2026-10-01,holiday,国庆节\n").unwrap_err();
    /// assert_eq!(err.to_string(), "line 3, column 1: 2026-10-01 is not in 2027");
    /// # Ok::<(), tongban_core::calendar::CalendarError>(())
    /// ```
    pub fn parse(year: i16, text: &str) -> Result<Schedule, CalendarError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(CalendarError::YearNotSupported { year });
        }
        let rows = parse_csv_lines(text)?;
        if rows.is_empty() {
            return Err(parse_error(1, None, &format!("no rows: a schedule for {year} lists at least one day")));
        }
        let holidays: Vec<Date> =
            rows.iter().filter(|(_, d)| d.kind == DayKind::Holiday).map(|(_, d)| d.date).collect();
        let mut seen: Vec<(Date, u64)> = Vec::with_capacity(rows.len());
        for (line, day) in &rows {
            let line = *line;
            if day.date.year() != year && !bridges_into(year, day, &holidays) {
                return Err(parse_error(line, Some(1), &format!("{} is not in {year}", day.date)));
            }
            if let Some((_, first)) = seen.iter().find(|(d, _)| *d == day.date) {
                return Err(parse_error(
                    line,
                    Some(1),
                    &format!("{} is listed twice (first on line {first})", day.date),
                ));
            }
            seen.push((day.date, line));
            if day.kind == DayKind::Workday && !matches!(day.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                let why = format!(
                    "{} is a {:?}, a working day anyway: a make-up working day (调休上班) is a Saturday or Sunday",
                    day.date,
                    day.date.weekday()
                );
                return Err(parse_error(line, Some(2), &why));
            }
        }
        let mut days: Vec<CalendarDay> = rows.into_iter().map(|(_, d)| d).collect();
        days.sort_by_key(|d| d.date);
        Ok(Schedule { year, days })
    }

    /// A schedule read back from storage, where it was checked by [`parse`](Self::parse) when
    /// it was stored (or migrated from before that check existed): taken as it is.
    pub fn stored(year: i16, mut days: Vec<CalendarDay>) -> Schedule {
        days.sort_by_key(|d| d.date);
        Schedule { year, days }
    }

    /// The year it announces.
    pub fn year(&self) -> i16 {
        self.year
    }

    /// Its rows, sorted by date.
    pub fn days(&self) -> &[CalendarDay] {
        &self.days
    }

    /// The year most rows fall in: the year of a file read without one named.
    pub fn likely_year(text: &str) -> Result<i16, CalendarError> {
        let rows = parse_csv_lines(text)?;
        let mut counts: Vec<(i16, usize)> = Vec::new();
        for (_, d) in &rows {
            match counts.iter_mut().find(|(y, _)| *y == d.date.year()) {
                Some((_, n)) => *n += 1,
                None => counts.push((d.date.year(), 1)),
            }
        }
        counts
            .into_iter()
            .max_by_key(|&(y, n)| (n, y))
            .map(|(y, _)| y)
            .ok_or_else(|| parse_error(1, None, "no rows: a schedule lists at least one day"))
    }

    /// As `date,kind,name` CSV, which [`parse`](Self::parse) reads back.
    pub fn to_csv(&self) -> String {
        to_csv(&self.days)
    }
}

/// Whether an out-of-year `day` is part of a holiday break that runs into `year` across
/// 1 January (or out of it across 31 December): every day between it and the boundary is a
/// holiday of the same notice.
fn bridges_into(year: i16, day: &CalendarDay, holidays: &[Date]) -> bool {
    if day.kind != DayKind::Holiday {
        return false;
    }
    let (Ok(first), Ok(last)) = (Date::new(year, 1, 1), Date::new(year, 12, 31)) else {
        return false;
    };
    let (mut from, to) = if day.date < first { (day.date, first) } else { (last, day.date) };
    while from <= to {
        if !holidays.contains(&from) {
            return false;
        }
        match from.tomorrow() {
            Ok(next) => from = next,
            Err(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(year: i16, text: &str) -> String {
        Schedule::parse(year, text).expect_err("refused").to_string()
    }

    #[test]
    fn every_shipped_schedule_is_valid() {
        for s in super::super::WorkingCalendar::builtin_schedules() {
            assert!(!s.days().is_empty(), "{}", s.year());
        }
    }

    #[test]
    fn a_new_year_break_from_the_year_before_is_part_of_the_notice() -> Result<(), CalendarError> {
        let s = Schedule::parse(
            2023,
            "date,kind,name\n2022-12-31,holiday,元旦\n2023-01-01,holiday,元旦\n2023-01-02,holiday,元旦\n",
        )?;
        assert_eq!(s.days().len(), 3);
        // Not joined to 1 January: refused.
        assert_eq!(
            err(2023, "date,kind,name\n2022-12-30,holiday,元旦\n2023-01-01,holiday,元旦\n"),
            "line 2, column 1: 2022-12-30 is not in 2023"
        );
        Ok(())
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        assert_eq!(
            err(2027, "date,kind,name\n2027-10-01,holiday,国庆节\n2027-10-01,holiday,国庆节\n"),
            "line 3, column 1: 2027-10-01 is listed twice (first on line 2)"
        );
        assert_eq!(
            err(2027, "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-03,workday,春节\n"),
            "line 3, column 2: 2027-02-03 is a Wednesday, a working day anyway: a make-up working day (调休上班) is a Saturday or Sunday"
        );
        assert_eq!(
            err(2027, "date,kind,name\n2027-01-01,rest,元旦\n"),
            "line 2, column 2: kind must be `holiday` or `workday`, not `rest`"
        );
        assert_eq!(err(2027, "date,kind,name\n"), "line 1: no rows: a schedule for 2027 lists at least one day");
        assert!(Schedule::parse(2101, "date,kind,name\n2101-01-01,holiday,元旦\n").is_err());
    }

    #[test]
    fn the_likely_year_is_the_year_of_most_rows() -> Result<(), CalendarError> {
        assert_eq!(
            Schedule::likely_year(
                "date,kind,name\n2022-12-31,holiday,元旦\n2023-01-01,holiday,元旦\n2023-01-02,holiday,元旦\n"
            )?,
            2023
        );
        Ok(())
    }
}
