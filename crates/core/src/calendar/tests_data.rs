//! Unit tests: building a calendar — CSV, working hours, conflicts, closures and their errors.

use jiff::civil::Date;

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

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
fn a_date_both_holiday_and_workday_is_a_conflict() {
    let err = custom("date,kind,name\n2030-05-04,holiday,x\n2030-05-04,workday,y\n", "09:00-17:00", &[]);
    assert_eq!(err.err(), Some(CalendarError::Conflict { date: d("2030-05-04") }));
}

#[test]
fn exact_duplicate_rows_are_dropped() -> TestResult {
    let cal = custom("date,kind,name\n2030-05-01,holiday,劳动节\n2030-05-01,holiday,劳动节\n", "09:00-17:00", &[])?;
    assert_eq!(cal.days().len(), 1);
    Ok(())
}

#[test]
fn building_rejects_years_outside_the_law_and_takes_no_rows_as_all_provisional() -> TestResult {
    let hours = WorkingHours::default;
    let empty = WorkingCalendar::new(&[], hours(), &[])?;
    assert!(empty.announced_years().is_empty());
    assert!(!empty.is_working_day(d("2030-10-01"))?, "国庆节 by the law");
    let ancient = CalendarDay { date: d("1800-01-01"), kind: DayKind::Holiday, name: String::new() };
    assert_eq!(
        WorkingCalendar::new(&[ancient], hours(), &[]).err(),
        Some(CalendarError::YearNotSupported { year: 1800 })
    );
    let err = custom("date,kind,name\n2030-01-01,holiday,元旦\n", "09:00-17:00", &["2101-01-03"]);
    assert_eq!(err.err(), Some(CalendarError::YearNotSupported { year: 2101 }));
    let closed = custom("date,kind,name\n2030-01-01,holiday,元旦\n", "09:00-17:00", &["2031-01-02"])?;
    assert!(!closed.is_working_day(d("2031-01-02"))?, "a closure in a provisional year");
    Ok(())
}

#[test]
fn a_closure_closes_even_a_make_up_working_day() -> TestResult {
    let cal = custom("date,kind,name\n2030-01-05,workday,x\n", "09:00-17:00", &["2030-01-05", "2030-01-07"])?;
    assert_eq!(working(&cal, &["2030-01-04", "2030-01-05", "2030-01-07", "2030-01-08"]), [true, false, false, true]);
    assert_eq!(cal.closures(), [d("2030-01-05"), d("2030-01-07")]);
    Ok(())
}

#[test]
fn working_hours_are_validated() {
    for bad in [
        "",
        "12:00-09:00",
        "09:00-09:00",
        "09:00-12:00,11:00-13:00",
        "13:00-14:00,09:00-10:00",
        "09:00-24:01",
        "9-12",
        "09:60-10:00",
    ] {
        assert!(matches!(bad.parse::<WorkingHours>(), Err(CalendarError::InvalidHours { .. })), "{bad:?}");
    }
    assert!(WorkingHours::from_minutes(&[]).is_err());
    let with_seconds = (jiff::civil::time(9, 0, 30, 0), jiff::civil::time(12, 0, 0, 0));
    assert!(WorkingHours::new(&[with_seconds]).is_err());
    let ok = WorkingHours::new(&[(jiff::civil::time(9, 0, 0, 0), jiff::civil::time(12, 0, 0, 0))]);
    assert_eq!(ok.map(|h| h.to_string()), Ok("09:00-12:00".to_owned()));
    assert_eq!("09:00–12:00 , 13:30–17:30".parse::<WorkingHours>(), Ok(WorkingHours::default()));
}

#[test]
fn working_hours_serialize_as_text() -> TestResult {
    let json = serde_json::to_string(&WorkingHours::default())?;
    assert_eq!(json, r#""09:00-12:00,13:30-17:30""#);
    assert_eq!(serde_json::from_str::<WorkingHours>(&json)?, WorkingHours::default());
    assert!(serde_json::from_str::<WorkingHours>(r#""17:00-09:00""#).is_err());
    Ok(())
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let parse = |s: &str| WorkingCalendar::parse_csv(s).expect_err("bad CSV");
    let line_col = |e: CalendarError| match e {
        CalendarError::Parse { line, column, .. } => (line, column),
        other => panic!("not a parse error: {other}"),
    };
    assert_eq!(line_col(parse("")), (1, None));
    assert_eq!(line_col(parse("day,kind,name\n")), (1, None));
    assert_eq!(line_col(parse("date,kind,name\n2024-01-01,holiday,元旦\n2024-13-01,holiday,x\n")), (3, Some(1)));
    assert_eq!(line_col(parse("date,kind,name\n2024/01/01,holiday,x\n")), (2, Some(1)));
    assert_eq!(line_col(parse("date,kind,name\n2024-01-01,off,x\n")), (2, Some(2)));
    assert_eq!(line_col(parse("date,kind,name\n2024-01-01,holiday\n")), (2, None));
    let message = parse("date,kind,name\n2024-02-30,holiday,x\n").to_string();
    assert!(message.starts_with("line 2, column 1: "), "{message}");
}

#[test]
fn csv_round_trips_and_accepts_bom_crlf_and_blank_lines() -> TestResult {
    let builtin = WorkingCalendar::builtin();
    assert_eq!(WorkingCalendar::parse_csv(&WorkingCalendar::to_csv(builtin.days()))?, builtin.days());
    let odd = vec![CalendarDay { date: d("2030-01-01"), kind: DayKind::Holiday, name: "a, \"b\"\nc".to_owned() }];
    assert_eq!(WorkingCalendar::parse_csv(&WorkingCalendar::to_csv(&odd))?, odd);
    let days =
        WorkingCalendar::parse_csv("\u{feff}date,kind,name\r\n2030-01-01,holiday,元旦\r\n\r\n2030-01-05,workday,\r\n")?;
    assert_eq!(days.len(), 2);
    assert_eq!(days[1].name, "");
    Ok(())
}

#[test]
fn day_kind_is_lowercase_in_json() -> TestResult {
    let day = CalendarDay { date: d("2024-02-04"), kind: DayKind::Workday, name: "春节".to_owned() };
    assert_eq!(serde_json::to_string(&day)?, r#"{"date":"2024-02-04","kind":"workday","name":"春节"}"#);
    Ok(())
}

#[test]
fn calendar_is_clone_debug_send_sync() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync>() {}
    assert_traits::<WorkingCalendar>();
    let debug = format!("{:?}", WorkingCalendar::builtin());
    assert!(debug.contains("2020, 2021"), "{debug}");
}
