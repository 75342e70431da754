//! Unit tests: known facts of the Chinese calendar and the arithmetic on it.

use jiff::Timestamp;
use jiff::civil::Date;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn t(s: &str) -> Timestamp {
    s.parse().expect("test timestamps are valid")
}

fn d(s: &str) -> Date {
    s.parse().expect("test dates are valid")
}

fn working(cal: &WorkingCalendar, dates: &[&str]) -> Vec<bool> {
    dates.iter().map(|s| cal.is_working_day(d(s)).expect("covered")).collect()
}

fn custom(csv: &str, hours: &str, closures: &[&str]) -> Result<WorkingCalendar, CalendarError> {
    let closures: Vec<Date> = closures.iter().map(|s| d(s)).collect();
    WorkingCalendar::new(&WorkingCalendar::parse_csv(csv)?, hours.parse()?, &closures)
}

#[test]
fn builtin_announces_2020_to_2026_from_every_embedded_row() {
    let cal = WorkingCalendar::builtin();
    assert_eq!(cal.announced_years(), [2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    assert_eq!(cal.covered_years(), 1950..=2100);
    // 261 lines in the 7 files, minus 7 headers.
    assert_eq!(cal.days().len(), 254);
    assert!(cal.days().windows(2).all(|w| w[0].date < w[1].date));
    assert_eq!(cal.minutes_per_working_day(), 420);
}

#[test]
fn spring_festival_2024_is_off_10_to_17_feb_and_4_and_18_feb_are_worked() {
    let cal = WorkingCalendar::builtin();
    for day in 10..=17 {
        assert!(!cal.is_working_day(d(&format!("2024-02-{day:02}"))).expect("covered"), "2024-02-{day}");
    }
    assert_eq!(working(&cal, &["2024-02-04", "2024-02-09", "2024-02-18", "2024-02-19"]), [true; 4]);
    assert_eq!(working(&cal, &["2024-02-03", "2024-02-24"]), [false; 2]); // ordinary Saturdays
}

#[test]
fn national_day_2024_is_off_1_to_7_oct_and_29_sep_and_12_oct_are_worked() {
    let cal = WorkingCalendar::builtin();
    for day in 1..=7 {
        assert!(!cal.is_working_day(d(&format!("2024-10-{day:02}"))).expect("covered"));
    }
    assert_eq!(working(&cal, &["2024-09-29", "2024-10-12", "2024-10-08"]), [true; 3]);
    assert_eq!(working(&cal, &["2024-09-28", "2024-10-13"]), [false; 2]);
}

#[test]
fn spring_festival_2025_is_off_28_jan_to_4_feb_and_26_jan_and_8_feb_are_worked() {
    let cal = WorkingCalendar::builtin();
    let off = [
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-01",
        "2025-02-02",
        "2025-02-03",
        "2025-02-04",
    ];
    assert_eq!(working(&cal, &off), [false; 8]);
    assert_eq!(working(&cal, &["2025-01-26", "2025-02-08", "2025-01-27", "2025-02-05"]), [true; 4]);
}

#[test]
fn the_extended_spring_festival_of_2020_is_kept() {
    let cal = WorkingCalendar::builtin();
    // 1 Feb 2020 (Saturday) was first a make-up day, then a holiday when the festival was extended.
    assert_eq!(working(&cal, &["2020-01-19", "2020-02-01", "2020-02-02", "2020-02-03"]), [true, false, false, true]);
}

#[test]
fn a_row_of_the_previous_year_counts_for_its_own_year() {
    let cal = WorkingCalendar::builtin();
    assert!(cal.days().iter().any(|r| r.date == d("2022-12-31") && r.kind == DayKind::Holiday));
    assert_eq!(working(&cal, &["2022-12-30", "2022-12-31", "2023-01-02", "2023-01-03"]), [true, false, false, true]);
}

#[test]
fn after_hours_start_counts_from_the_next_working_morning() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let friday_evening = t("2024-03-01T18:00+08:00");
    assert_eq!(cal.next_working_moment(friday_evening)?, t("2024-03-04T09:00+08:00"));
    assert_eq!(cal.add_working_minutes(friday_evening, 30)?, t("2024-03-04T09:30+08:00"));
    assert_eq!(cal.add_working_days(friday_evening, 0)?, t("2024-03-04T17:30+08:00"));
    assert_eq!(cal.add_working_days(friday_evening, 1)?, t("2024-03-05T17:30+08:00"));
    let early = t("2024-03-04T07:00+08:00");
    assert_eq!(cal.next_working_moment(early)?, t("2024-03-04T09:00+08:00"));
    assert_eq!(cal.working_minutes_between(friday_evening, early)?, 0);
    Ok(())
}

#[test]
fn lunch_break_start_counts_from_1330() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let lunch = t("2024-03-01T12:15+08:00");
    assert!(!cal.is_working_time(lunch)?);
    assert_eq!(cal.add_working_minutes(lunch, 1)?, t("2024-03-01T13:31+08:00"));
    assert_eq!(cal.working_minutes_between(t("2024-03-01T11:59+08:00"), t("2024-03-01T13:31+08:00"))?, 2);
    assert!(cal.is_working_time(t("2024-03-01T11:59:59+08:00"))?);
    assert!(!cal.is_working_time(t("2024-03-01T12:00+08:00"))?);
    assert!(cal.is_working_time(t("2024-03-01T13:30+08:00"))?);
    Ok(())
}

#[test]
fn arithmetic_crosses_the_year_boundary() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let eve = t("2024-12-31T17:00+08:00"); // Tuesday; 1 Jan 2025 is 元旦
    assert_eq!(cal.add_working_minutes(eve, 60)?, t("2025-01-02T09:30+08:00"));
    assert_eq!(cal.add_working_days(eve, 1)?, t("2025-01-02T17:30+08:00"));
    assert_eq!(cal.working_minutes_between(eve, t("2025-01-02T10:00+08:00"))?, 90);
    assert_eq!(cal.end_of_working_day(t("2025-01-01T10:00+08:00"))?, t("2025-01-02T17:30+08:00"));
    Ok(())
}

#[test]
fn a_period_end_is_the_answer_when_the_count_ends_there() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let morning = t("2024-03-01T09:00+08:00");
    assert_eq!(cal.add_working_minutes(morning, 180)?, t("2024-03-01T12:00+08:00"));
    assert_eq!(cal.add_working_minutes(morning, 420)?, t("2024-03-01T17:30+08:00"));
    assert_eq!(cal.add_working_minutes(morning, 421)?, t("2024-03-04T09:01+08:00"));
    assert_eq!(cal.add_working_minutes(morning, 0)?, morning);
    Ok(())
}

#[test]
fn seconds_are_truncated_to_the_minute() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let odd = t("2024-03-01T10:00:45.5+08:00");
    assert_eq!(cal.next_working_moment(odd)?, odd);
    assert_eq!(cal.add_working_minutes(odd, 60)?, t("2024-03-01T11:00+08:00"));
    assert_eq!(cal.working_minutes_between(t("2024-03-01T10:00:59+08:00"), t("2024-03-01T10:01+08:00"))?, 1);
    assert_eq!(cal.working_minutes_between(odd, t("2024-03-01T10:00:59+08:00"))?, 0);
    Ok(())
}

#[test]
fn working_days_between_is_working_minutes_over_a_working_day() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let (a, b) = (t("2024-03-01T10:00+08:00"), t("2024-03-04T10:00+08:00"));
    assert_eq!(cal.working_days_between(a, b)?, 1.0);
    assert_eq!(cal.working_days_between(b, a)?, -1.0);
    assert_eq!(cal.working_days_between(a, t("2024-03-01T13:30+08:00"))?, 2.0 / 7.0);
    Ok(())
}

#[test]
fn years_without_a_schedule_are_provisional_and_only_the_law_s_range_fails() -> TestResult {
    let cal = WorkingCalendar::builtin();
    assert!(cal.is_provisional_year(2019) && cal.is_provisional_year(2027) && !cal.is_provisional_year(2026));
    // 2019 by the law: 1 Jan off, 2 Jan worked; 2027: 元旦 Friday off, Monday 4 Jan worked.
    assert!(!cal.is_working_time(t("2019-01-01T10:00+08:00"))?);
    assert!(cal.is_working_time(t("2019-01-02T10:00+08:00"))?);
    assert!(!cal.is_working_day(d("2027-01-01"))?);
    assert!(cal.is_working_day(d("2027-01-04"))?);
    // Counting runs on from the last announced evening into the provisional year.
    assert_eq!(cal.next_working_moment(t("2026-12-31T18:00+08:00"))?, t("2027-01-04T09:00+08:00"));
    assert_eq!(cal.add_working_days(t("2026-12-30T10:00+08:00"), 2)?, t("2027-01-04T17:30+08:00"));
    // Outside 1950–2100: refused, naming the range.
    let err = cal.is_working_time(t("1949-12-31T23:59+08:00")).expect_err("1949 is not covered");
    assert_eq!(err, CalendarError::OutOfRange { date: d("1949-12-31"), first: 1950, last: 2100 });
    assert!(err.to_string().contains("1950–2100"), "{err}");
    let past = CalendarError::OutOfRange { date: d("2101-01-01"), first: 1950, last: 2100 };
    assert_eq!(cal.next_working_moment(t("2100-12-31T18:00+08:00")), Err(past.clone()));
    assert_eq!(cal.add_working_minutes(t("2020-01-02T09:00+08:00"), u64::MAX), Err(past));
    assert!(cal.working_minutes_between(t("2020-06-01T10:00Z"), t("2101-06-01T10:00Z")).is_err());
    Ok(())
}

#[test]
fn statutory_days_of_the_shipped_years_are_holidays_in_their_schedules() -> TestResult {
    for schedule in WorkingCalendar::builtin_schedules() {
        let year = schedule.year();
        let statutory = super::law::statutory_days(year)?;
        for day in &statutory {
            let listed = schedule.days().iter().find(|r| r.date == day.date);
            assert_eq!(listed.map(|r| r.kind), Some(DayKind::Holiday), "{} ({}) in {year}", day.date, day.name);
        }
        let expected = match year {
            2025 | 2026 => 13,
            2020 => 10, // 国庆节 and 中秋节 on 1 October
            _ => 11,
        };
        assert_eq!(statutory.len(), expected, "{year}");
    }
    // The version in force: 2024's 除夕 (9 Feb) was worked, 2025's (28 Jan) was not.
    let cal = WorkingCalendar::builtin();
    assert!(cal.is_working_day(d("2024-02-09"))?);
    assert!(!cal.is_working_day(d("2025-01-28"))?);
    Ok(())
}

#[test]
fn custom_hours_up_to_midnight_work() -> TestResult {
    let cal = custom("date,kind,name\n2030-01-01,holiday,元旦\n", "08:00-12:00,12:00-24:00", &[])?;
    assert_eq!(cal.minutes_per_working_day(), 16 * 60);
    let thursday = t("2030-01-03T23:00+08:00");
    assert_eq!(cal.add_working_minutes(thursday, 60)?, t("2030-01-04T00:00+08:00"));
    assert_eq!(cal.end_of_working_day(thursday)?, t("2030-01-04T00:00+08:00"));
    assert_eq!(cal.add_working_minutes(thursday, 61)?, t("2030-01-04T08:01+08:00"));
    assert_eq!(cal.working_minutes_between(t("2030-01-03T11:00+08:00"), t("2030-01-03T13:00+08:00"))?, 120);
    Ok(())
}

#[test]
fn timestamps_before_1970_are_floored_not_truncated() -> TestResult {
    let cal = custom("date,kind,name\n1969-10-01,holiday,国庆节\n", "09:00-17:00", &[])?;
    let morning = t("1969-12-31T09:00:00.5+08:00"); // Wednesday, before the Unix epoch
    assert!(cal.is_working_time(morning)?);
    assert!(!cal.is_working_time(t("1969-12-31T08:59:59.5+08:00"))?);
    assert_eq!(cal.add_working_minutes(morning, 1)?, t("1969-12-31T09:01+08:00"));
    Ok(())
}
