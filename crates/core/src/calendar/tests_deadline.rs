//! Unit tests: due times, suspensions and used time.

use jiff::Timestamp;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn t(s: &str) -> Timestamp {
    s.parse().expect("test timestamps are valid")
}

fn stop(from: &str, until: &str) -> Suspension {
    Suspension { from: t(from), until: t(until) }
}

#[test]
fn end_of_day_is_due_at_the_end_of_the_acceptance_working_day() -> TestResult {
    let cal = WorkingCalendar::builtin();
    assert_eq!(cal.due(t("2024-03-01T10:00+08:00"), Limit::EndOfDay, &[])?, t("2024-03-01T17:30+08:00"));
    assert_eq!(cal.due(t("2024-03-01T12:30+08:00"), Limit::EndOfDay, &[])?, t("2024-03-01T17:30+08:00"));
    // Accepted after hours on Friday or during the National Day holiday: the next working day.
    assert_eq!(cal.due(t("2024-03-01T17:30+08:00"), Limit::EndOfDay, &[])?, t("2024-03-04T17:30+08:00"));
    assert_eq!(cal.due(t("2024-10-03T10:00+08:00"), Limit::EndOfDay, &[])?, t("2024-10-08T17:30+08:00"));
    Ok(())
}

#[test]
fn working_days_skip_the_spring_festival_and_count_make_up_days() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-02-08T10:00+08:00"); // Thursday
    let due = |n| cal.due(accepted, Limit::WorkingDays(n), &[]);
    assert_eq!(due(1)?, t("2024-02-09T17:30+08:00"));
    assert_eq!(due(2)?, t("2024-02-18T17:30+08:00")); // Sunday, worked
    assert_eq!(due(3)?, t("2024-02-19T17:30+08:00"));
    // 2025: 26 Jan (Sunday) worked, 28 Jan–4 Feb off, 8 Feb (Saturday) worked.
    let accepted = t("2025-01-24T16:00+08:00"); // Friday
    let due = |n| cal.due(accepted, Limit::WorkingDays(n), &[]);
    assert_eq!(due(1)?, t("2025-01-26T17:30+08:00"));
    assert_eq!(due(2)?, t("2025-01-27T17:30+08:00"));
    assert_eq!(due(3)?, t("2025-02-05T17:30+08:00"));
    assert_eq!(due(6)?, t("2025-02-08T17:30+08:00"));
    Ok(())
}

#[test]
fn working_hours_count_from_the_next_working_moment() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let lunch = t("2024-09-27T12:00+08:00"); // Friday; Sunday 29 Sep is worked
    assert_eq!(cal.due(lunch, Limit::WorkingHours(4), &[])?, t("2024-09-27T17:30+08:00"));
    assert_eq!(cal.due(lunch, Limit::WorkingHours(5), &[])?, t("2024-09-29T10:00+08:00"));
    assert_eq!(cal.due(lunch, Limit::WorkingHours(0), &[])?, t("2024-09-27T13:30+08:00"));
    assert_eq!(cal.allowed_minutes(lunch, Limit::WorkingHours(5))?, 300);
    Ok(())
}

#[test]
fn suspension_extends_the_due_time_by_its_working_minutes() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-03-04T09:00+08:00"); // Monday
    let plain = cal.due(accepted, Limit::WorkingDays(1), &[])?;
    assert_eq!(plain, t("2024-03-05T17:30+08:00"));
    // Monday 16:00 → Tuesday 10:00 stops 90 + 60 working minutes: due Wednesday 11:30.
    let review = stop("2024-03-04T16:00+08:00", "2024-03-05T10:00+08:00");
    assert_eq!(cal.due(accepted, Limit::WorkingDays(1), &[review])?, t("2024-03-06T11:30+08:00"));
    Ok(())
}

#[test]
fn suspensions_outside_the_counted_time_change_nothing() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-03-04T09:00+08:00");
    let limit = Limit::WorkingHours(7); // due Monday 17:30
    let due = t("2024-03-04T17:30+08:00");
    let harmless = [
        stop("2024-03-01T10:00+08:00", "2024-03-04T09:00+08:00"), // before acceptance
        stop("2024-03-04T12:00+08:00", "2024-03-04T13:30+08:00"), // lunch break
        stop("2024-03-04T17:30+08:00", "2024-03-05T09:00+08:00"), // starts at the due time
        stop("2024-03-09T09:00+08:00", "2024-03-10T17:00+08:00"), // weekend
        stop("2024-03-04T10:00+08:00", "2024-03-04T10:00+08:00"), // empty
    ];
    for s in harmless {
        assert_eq!(cal.due(accepted, limit, &[s])?, due, "{s:?}");
    }
    Ok(())
}

#[test]
fn overlapping_suspensions_are_counted_once() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-03-04T09:00+08:00");
    let a = stop("2024-03-04T10:00+08:00", "2024-03-04T11:00+08:00");
    let b = stop("2024-03-04T10:30+08:00", "2024-03-04T11:30+08:00");
    // 90 stopped minutes (10:00–11:30): 60 counted before, 30 to 12:00, 30 after lunch.
    assert_eq!(cal.due(accepted, Limit::WorkingHours(2), &[b, a, a])?, t("2024-03-04T14:00+08:00"));
    Ok(())
}

#[test]
fn an_extension_that_reaches_a_later_suspension_is_extended_again() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-03-04T09:00+08:00");
    let first = stop("2024-03-04T09:00+08:00", "2024-03-04T10:00+08:00");
    let later = stop("2024-03-04T10:30+08:00", "2024-03-04T11:00+08:00");
    // 1 working hour: without `first` due 10:00 and `later` would not matter; with it the
    // due time moves to 11:00, past `later`, which then stops 30 more minutes.
    assert_eq!(cal.due(accepted, Limit::WorkingHours(1), &[later])?, t("2024-03-04T10:00+08:00"));
    assert_eq!(cal.due(accepted, Limit::WorkingHours(1), &[first, later])?, t("2024-03-04T11:30+08:00"));
    Ok(())
}

#[test]
fn a_running_suspension_uses_now_as_until() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-03-04T09:00+08:00");
    let now = t("2024-03-04T11:00+08:00");
    let running = stop("2024-03-04T10:00+08:00", "2024-03-04T11:00+08:00");
    assert_eq!(cal.working_minutes_used(accepted, now, &[running])?, 60);
    assert_eq!(cal.due(accepted, Limit::WorkingHours(2), &[running])?, t("2024-03-04T12:00+08:00"));
    Ok(())
}

#[test]
fn used_time_at_the_due_time_is_the_allowance() -> TestResult {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2024-09-27T15:12:30+08:00");
    let stops = [
        stop("2024-09-27T16:00+08:00", "2024-09-29T10:00+08:00"),
        stop("2024-09-30T12:00+08:00", "2024-10-08T11:00+08:00"),
    ];
    for limit in [Limit::EndOfDay, Limit::WorkingDays(3), Limit::WorkingHours(9)] {
        let due = cal.due(accepted, limit, &stops)?;
        assert_eq!(
            cal.working_minutes_used(accepted, due, &stops)?,
            cal.allowed_minutes(accepted, limit)?,
            "{limit:?}"
        );
    }
    assert_eq!(cal.working_minutes_used(accepted, t("2024-09-27T10:00+08:00"), &stops)?, 0);
    Ok(())
}

#[test]
fn a_suspension_ending_before_it_starts_is_rejected() {
    let cal = WorkingCalendar::builtin();
    let backwards = stop("2024-03-05T10:00+08:00", "2024-03-04T10:00+08:00");
    let expected = Err(CalendarError::InvalidSuspension { from: backwards.from, until: backwards.until });
    assert_eq!(cal.due(t("2024-03-04T09:00+08:00"), Limit::EndOfDay, &[backwards]), expected);
    let now = t("2024-03-06T09:00+08:00");
    assert!(cal.working_minutes_used(t("2024-03-04T09:00+08:00"), now, &[backwards]).is_err());
}

#[test]
fn a_due_time_past_the_covered_years_is_an_error() {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2100-12-30T10:00+08:00"); // Thursday
    assert!(cal.due(accepted, Limit::WorkingDays(1), &[]).is_ok());
    assert!(matches!(cal.due(accepted, Limit::WorkingDays(2), &[]), Err(CalendarError::OutOfRange { .. })));
    assert!(cal.allowed_minutes(accepted, Limit::WorkingDays(2)).is_err());
    // A suspension running into 2101 pushes the due time out of the covered years.
    let long = stop("2100-12-30T11:00+08:00", "2101-03-01T10:00+08:00");
    assert!(cal.due(accepted, Limit::WorkingDays(1), &[long]).is_err());
    // …but one starting after the due time does not matter.
    let late = stop("2100-12-31T17:30+08:00", "2101-03-01T10:00+08:00");
    assert_eq!(cal.due(accepted, Limit::WorkingDays(1), &[late]), Ok(t("2100-12-31T17:30+08:00")));
}

#[test]
fn a_due_time_in_a_provisional_year_is_computed_and_says_so() {
    let cal = WorkingCalendar::builtin();
    let accepted = t("2026-12-30T10:00+08:00");
    let due = cal.due(accepted, Limit::WorkingDays(2), &[]).expect("2027 is provisional, not unknown");
    // 31 Dec, then 1 Jan 2027 (元旦, Friday) and the weekend off: Monday 4 January.
    assert_eq!(due, t("2027-01-04T17:30+08:00"));
    assert!(cal.touches_provisional(accepted, due));
    let why = cal.explain_due(accepted, Limit::WorkingDays(2), &[]).expect("explained");
    assert!(why.provisional);
    assert_eq!(why.days.first().map(|d| (d.note, d.name.as_str())), Some((DayNote::ProvisionalHoliday, "元旦")));
}

#[test]
fn limit_serializes_in_snake_case() -> TestResult {
    assert_eq!(serde_json::to_string(&Limit::EndOfDay)?, r#""end_of_day""#);
    assert_eq!(serde_json::to_string(&Limit::WorkingDays(5))?, r#"{"working_days":5}"#);
    assert_eq!(serde_json::from_str::<Limit>(r#"{"working_hours":4}"#)?, Limit::WorkingHours(4));
    Ok(())
}
