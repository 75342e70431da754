//! Property tests: every `WorkingCalendar` operation against a naive, obviously-correct oracle
//! that steps minute by minute (or day by day) and re-derives working days from the raw CSV
//! rows and the weekday — on the built-in 2020–2026 calendar (Spring Festival, National Day,
//! year boundaries, after-hours starts) and on random custom calendars.

use std::collections::HashSet;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use tongban_core::calendar::{
    CalendarDay, CalendarError, DayKind, Limit, MAX_YEAR, MIN_YEAR, Suspension, WorkingCalendar, WorkingHours, law,
};

const CST: Offset = jiff::tz::offset(8);

const RAW_CSV: [&str; 7] = [
    include_str!("../data/holidays/cn-2020.csv"),
    include_str!("../data/holidays/cn-2021.csv"),
    include_str!("../data/holidays/cn-2022.csv"),
    include_str!("../data/holidays/cn-2023.csv"),
    include_str!("../data/holidays/cn-2024.csv"),
    include_str!("../data/holidays/cn-2025.csv"),
    include_str!("../data/holidays/cn-2026.csv"),
];

/// Why the oracle (or the calendar) gives no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fail {
    OutOfRange,
    InvalidSuspension,
}

type Answer<T> = Result<T, Fail>;

/// The calendar's answer, with its error reduced to the oracle's vocabulary.
fn actual<T>(r: Result<T, CalendarError>) -> Answer<T> {
    r.map_err(|e| match e {
        CalendarError::OutOfRange { .. } => Fail::OutOfRange,
        CalendarError::InvalidSuspension { .. } => Fail::InvalidSuspension,
        other => panic!("unexpected error: {other}"),
    })
}

/// A local (CST) minute: a date and the minute after its midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Minute {
    date: Date,
    minute: i32,
}

impl Minute {
    fn of(t: Timestamp) -> Minute {
        let dt = TimeZone::fixed(CST).to_datetime(t);
        Minute { date: dt.date(), minute: i32::from(dt.hour()) * 60 + i32::from(dt.minute()) }
    }
    fn next(self) -> Minute {
        if self.minute == 1439 {
            Minute { date: self.date.tomorrow().expect("far from year 9999"), minute: 0 }
        } else {
            Minute { minute: self.minute + 1, ..self }
        }
    }
    fn start(self) -> Timestamp {
        midnight(self.date) + i64::from(self.minute).minutes()
    }
    fn end(self) -> Timestamp {
        self.start() + 1.minute()
    }
}

fn midnight(date: Date) -> Timestamp {
    TimeZone::fixed(CST).to_timestamp(date.to_datetime(Time::midnight())).expect("representable")
}

static STATUTORY: std::sync::LazyLock<HashSet<Date>> = std::sync::LazyLock::new(|| {
    (MIN_YEAR..=MAX_YEAR).flat_map(|y| law::statutory_days(y).expect("law year")).map(|d| d.date).collect()
});

/// The naive calendar: sets of raw rows, the weekday rule, and a minute-by-minute walk.
struct Oracle {
    holidays: HashSet<Date>,
    workdays: HashSet<Date>,
    closures: HashSet<Date>,
    periods: Vec<(i32, i32)>,
    /// The announced years; every other year of 1950–2100 follows the holiday law.
    years: std::ops::RangeInclusive<i16>,
    /// The law's statutory days off of every year.
    statutory: &'static HashSet<Date>,
}

impl Oracle {
    fn new(rows: &[(Date, bool)], periods: &[(u16, u16)], closures: &[Date]) -> Oracle {
        let years = rows.iter().map(|r| r.0.year());
        let years = years.clone().min().expect("rows")..=years.max().expect("rows");
        Oracle {
            holidays: rows.iter().filter(|r| !r.1).map(|r| r.0).collect(),
            workdays: rows.iter().filter(|r| r.1).map(|r| r.0).collect(),
            closures: closures.iter().copied().collect(),
            periods: periods.iter().map(|&(s, e)| (i32::from(s), i32::from(e))).collect(),
            years,
            statutory: &STATUTORY,
        }
    }

    /// China's schedule, read from the raw files with a plain `split(',')`.
    fn builtin() -> Oracle {
        let mut rows = Vec::new();
        for text in RAW_CSV {
            for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
                let fields: Vec<&str> = line.split(',').collect();
                rows.push((fields[0].parse().expect("raw date"), fields[1] == "workday"));
            }
        }
        Oracle::new(&rows, &[(540, 720), (810, 1050)], &[])
    }

    fn day(&self, d: Date) -> Answer<bool> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
            return Err(Fail::OutOfRange);
        }
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        if !self.years.contains(&d.year()) {
            // Provisional: weekends and the law's days off, nothing else.
            return Ok(!self.closures.contains(&d) && !self.statutory.contains(&d) && !weekend);
        }
        Ok(!self.closures.contains(&d) && !self.holidays.contains(&d) && (self.workdays.contains(&d) || !weekend))
    }

    /// A moment to count up to: a covered minute, or 00:00 right after the last covered day
    /// (24:00 of that day, where a due time can fall when the working day runs to midnight).
    fn bound(&self, m: Minute) -> Answer<()> {
        if self.day(m.date).is_ok() {
            return Ok(());
        }
        let after_the_last_day =
            m.minute == 0 && m.date.year() == MAX_YEAR + 1 && m.date.month() == 1 && m.date.day() == 1;
        if after_the_last_day { Ok(()) } else { Err(Fail::OutOfRange) }
    }

    fn in_hours(&self, minute: i32) -> bool {
        self.periods.iter().any(|&(s, e)| s <= minute && minute < e)
    }

    fn working(&self, m: Minute) -> Answer<bool> {
        Ok(self.day(m.date)? && self.in_hours(m.minute))
    }

    fn day_end(&self, d: Date) -> Timestamp {
        midnight(d) + i64::from(self.periods.last().expect("periods").1).minutes()
    }

    /// Walks minute by minute from `m` until `stop` says so; out of range if it leaves the years.
    fn walk(&self, mut m: Minute, mut stop: impl FnMut(Minute, bool) -> bool) -> Answer<Minute> {
        let mut day = (m.date, self.day(m.date)?); // the day's answer, looked up once per day
        loop {
            if day.0 != m.date {
                match self.day(m.date) {
                    Ok(w) => day = (m.date, w),
                    // Leaving the years: fine only if the walk ends right here.
                    Err(e) => return if stop(m, false) { Ok(m) } else { Err(e) },
                }
            }
            if stop(m, day.1 && self.in_hours(m.minute)) {
                return Ok(m);
            }
            m = m.next();
        }
    }

    fn next_working_moment(&self, t: Timestamp) -> Answer<Timestamp> {
        if self.working(Minute::of(t))? {
            return Ok(t);
        }
        Ok(self.walk(Minute::of(t), |_, w| w)?.start())
    }

    fn add_working_minutes(&self, t: Timestamp, n: u64) -> Answer<Timestamp> {
        if n == 0 {
            return self.next_working_moment(t);
        }
        let mut count = 0;
        let last = self.walk(Minute::of(t), |_, w| {
            count += u64::from(w);
            count == n
        })?;
        Ok(last.end())
    }

    fn count(&self, from: Minute, to: Minute, counts: impl Fn(Minute) -> bool) -> Answer<i64> {
        if from >= to {
            return Ok(0);
        }
        let mut n = 0;
        self.walk(from, |m, w| {
            if m >= to {
                return true;
            }
            n += i64::from(w && counts(m));
            false
        })?;
        Ok(n)
    }

    fn working_minutes_between(&self, a: Timestamp, b: Timestamp) -> Answer<i64> {
        let (ma, mb) = (Minute::of(a), Minute::of(b));
        self.bound(ma)?;
        self.bound(mb)?;
        if ma <= mb { self.count(ma, mb, |_| true) } else { Ok(-self.count(mb, ma, |_| true)?) }
    }

    fn end_of_working_day(&self, t: Timestamp) -> Answer<Timestamp> {
        Ok(self.day_end(Minute::of(self.next_working_moment(t)?).date))
    }

    /// The N-th working day after the day of the next working moment, walking day by day.
    fn nth_working_day(&self, t: Timestamp, n: u32) -> Answer<Date> {
        let mut d = Minute::of(self.next_working_moment(t)?).date;
        let mut k = 0;
        while k < n {
            d = d.tomorrow().expect("far from 9999");
            k += u32::from(self.day(d)?);
        }
        Ok(d)
    }

    fn add_working_days(&self, t: Timestamp, n: u32) -> Answer<Timestamp> {
        Ok(self.day_end(self.nth_working_day(t, n)?))
    }

    fn allowed(&self, accepted: Timestamp, limit: Limit) -> Answer<i64> {
        let n = match limit {
            Limit::WorkingHours(h) => return Ok(i64::from(h) * 60),
            Limit::EndOfDay => 0,
            Limit::WorkingDays(n) => n,
        };
        let last = self.nth_working_day(accepted, n)?;
        let end = self.periods.last().expect("periods").1;
        let (mut m, mut count) = (Minute::of(accepted), 0);
        while m.date < last || (m.date == last && m.minute < end) {
            count += i64::from(self.working(m)?);
            m = m.next();
        }
        Ok(count)
    }

    fn due(&self, accepted: Timestamp, limit: Limit, stops: &[Suspension]) -> Answer<Timestamp> {
        check(stops)?;
        let allowed = self.allowed(accepted, limit)?;
        if allowed == 0 {
            return self.next_working_moment(accepted);
        }
        let stops = minutes_of(stops);
        let mut count = 0;
        let last = self.walk(Minute::of(accepted), |m, w| {
            count += i64::from(w && !suspended(&stops, m));
            count == allowed
        })?;
        Ok(last.end())
    }

    fn used(&self, accepted: Timestamp, now: Timestamp, stops: &[Suspension]) -> Answer<i64> {
        check(stops)?;
        let (ma, mn) = (Minute::of(accepted), Minute::of(now));
        self.bound(ma)?;
        self.bound(mn)?;
        let stops = minutes_of(stops);
        if mn <= ma { Ok(0) } else { self.count(ma, mn, |m| !suspended(&stops, m)) }
    }
}

fn check(stops: &[Suspension]) -> Answer<()> {
    if stops.iter().any(|s| s.until < s.from) { Err(Fail::InvalidSuspension) } else { Ok(()) }
}

/// Each suspension stops the minutes in `[minute of from, minute of until)`.
fn minutes_of(stops: &[Suspension]) -> Vec<(Minute, Minute)> {
    stops.iter().map(|s| (Minute::of(s.from), Minute::of(s.until))).collect()
}

fn suspended(stops: &[(Minute, Minute)], m: Minute) -> bool {
    stops.iter().any(|&(from, until)| from <= m && m < until)
}

fn ts(date: Date, minute: i32, second: i32) -> Timestamp {
    midnight(date) + i64::from(minute).minutes() + i64::from(second).seconds()
}

/// A moment: a random day of `first..=last` ± a few days, with the time of day either random
/// or on a working-hours boundary (± 1 minute).
fn moment_in(first: Date, days: i32) -> impl Strategy<Value = Timestamp> {
    let minute = prop_oneof![
        0..1440i32,
        prop::sample::select(vec![539, 540, 541, 719, 720, 809, 810, 1049, 1050, 1051, 0, 1439])
    ];
    (-3..days + 3, minute, 0..60i32).prop_map(move |(d, m, s)| ts(first + d.days(), m, s))
}

/// Moments around the holidays and year boundaries of 2020–2026, or anywhere in those years.
fn builtin_moment() -> impl Strategy<Value = Timestamp> {
    let anchors: Vec<Date> = [
        "2020-01-01",
        "2020-01-24",
        "2020-10-01",
        "2021-01-01",
        "2021-02-11",
        "2021-10-01",
        "2022-01-01",
        "2022-01-31",
        "2022-10-01",
        "2023-01-01",
        "2023-01-21",
        "2023-09-29",
        "2024-01-01",
        "2024-02-10",
        "2024-09-29",
        "2024-10-01",
        "2025-01-01",
        "2025-01-26",
        "2025-10-01",
        "2026-01-01",
        "2026-02-15",
        "2026-10-01",
        "2026-12-31",
        "2027-01-01",
        "2027-02-06",
        "2027-10-01",
        "2030-02-03",
    ]
    .iter()
    .map(|s| s.parse().expect("anchor"))
    .collect();
    let first: Date = "2020-01-01".parse().expect("date");
    prop_oneof![prop::sample::select(anchors).prop_flat_map(|a| moment_in(a - 6.days(), 12)), moment_in(first, 4018),]
}

fn limit() -> impl Strategy<Value = Limit> {
    prop_oneof![
        Just(Limit::EndOfDay),
        (0..25u32).prop_map(Limit::WorkingDays),
        (0..60u32).prop_map(Limit::WorkingHours)
    ]
}

/// Up to three suspensions near `accepted`; now and then one that ends before it starts.
fn suspensions(accepted: Timestamp) -> impl Strategy<Value = Vec<Suspension>> {
    let length = prop_oneof![1 => -120..0i64, 15 => 0..6 * 1440i64];
    let one = (-3 * 1440..20 * 1440i64, length).prop_map(move |(start, len)| {
        let from = accepted + start.minutes();
        Suspension { from, until: from + len.minutes() }
    });
    prop::collection::vec(one, 0..=3)
}

/// Runs every operation on `cal` and `oracle` at the given inputs and compares.
fn compare_all(
    cal: &WorkingCalendar,
    oracle: &Oracle,
    a: Timestamp,
    b: Timestamp,
    n: u32,
    minutes: u64,
) -> Result<(), TestCaseError> {
    let date = Minute::of(a).date;
    prop_assert_eq!(actual(cal.is_working_day(date)), oracle.day(date));
    prop_assert_eq!(actual(cal.is_working_time(a)), oracle.working(Minute::of(a)));
    prop_assert_eq!(actual(cal.next_working_moment(a)), oracle.next_working_moment(a));
    prop_assert_eq!(actual(cal.end_of_working_day(a)), oracle.end_of_working_day(a));
    prop_assert_eq!(actual(cal.add_working_days(a, n)), oracle.add_working_days(a, n));
    prop_assert_eq!(actual(cal.add_working_minutes(a, minutes)), oracle.add_working_minutes(a, minutes));
    let between = oracle.working_minutes_between(a, b);
    prop_assert_eq!(actual(cal.working_minutes_between(a, b)), between);
    let per_day = cal.minutes_per_working_day() as f64;
    prop_assert_eq!(actual(cal.working_days_between(a, b)), between.map(|m| m as f64 / per_day));
    Ok(())
}

fn compare_deadline(
    cal: &WorkingCalendar,
    oracle: &Oracle,
    accepted: Timestamp,
    limit: Limit,
    stops: &[Suspension],
    now: Timestamp,
) -> Result<(), TestCaseError> {
    let due = actual(cal.due(accepted, limit, stops));
    prop_assert_eq!(due, oracle.due(accepted, limit, stops));
    prop_assert_eq!(actual(cal.working_minutes_used(accepted, now, stops)), oracle.used(accepted, now, stops));
    if let Ok(due) = due {
        // At the due time exactly the allowance is used.
        let allowed = actual(cal.allowed_minutes(accepted, limit));
        prop_assert_eq!(allowed, oracle.allowed(accepted, limit));
        prop_assert_eq!(actual(cal.working_minutes_used(accepted, due, stops)), allowed);
    }
    Ok(())
}

/// A random custom calendar: one or two years from 2030, random holidays, make-up days,
/// closures and working hours (1–3 periods, possibly touching, possibly ending at 24:00).
#[derive(Debug, Clone)]
struct Custom {
    rows: Vec<(Date, bool)>,
    closures: Vec<Date>,
    periods: Vec<(u16, u16)>,
}

fn custom() -> impl Strategy<Value = Custom> {
    let first: Date = "2030-01-01".parse().expect("date");
    let day = move |span: i32| (0..span).prop_map(move |d| first + d.days());
    // Boundaries: random, or 0 / 12:00 / 24:00 so that periods touch and end at midnight.
    let bound = prop_oneof![0..=1440u16, prop::sample::select(vec![0u16, 720, 720, 1440])];
    let bounds = prop::collection::vec(bound, 2..=6);
    (
        0..2i32,
        prop::collection::vec(day(730), 1..40),
        prop::collection::vec(day(730), 0..20),
        prop::collection::vec(day(730), 0..10),
        bounds,
    )
        .prop_map(|(extra_year, holidays, workdays, closures, mut bounds)| {
            let last_year = 2030 + extra_year as i16;
            let keep = |d: &Date| d.year() <= last_year;
            let holidays: Vec<Date> = holidays.into_iter().filter(keep).collect();
            let mut rows: Vec<(Date, bool)> = holidays.iter().map(|&d| (d, false)).collect();
            rows.extend(workdays.into_iter().filter(keep).filter(|d| !holidays.contains(d)).map(|d| (d, true)));
            if rows.is_empty() {
                rows.push(("2030-01-01".parse().expect("date"), false));
            }
            let years = rows.iter().map(|r| r.0.year()).min().unwrap_or(2030)
                ..=rows.iter().map(|r| r.0.year()).max().unwrap_or(2030);
            let closures = closures.into_iter().filter(|d| years.contains(&d.year())).collect();
            bounds.sort_unstable();
            let mut periods: Vec<(u16, u16)> =
                bounds.chunks(2).filter(|p| p.len() == 2 && p[0] < p[1]).map(|p| (p[0], p[1])).collect();
            if periods.is_empty() {
                periods.push((480, 1020));
            }
            Custom { rows, closures, periods }
        })
}

fn build(c: &Custom) -> Result<WorkingCalendar, CalendarError> {
    let kind = |w: bool| {
        if w { DayKind::Workday } else { DayKind::Holiday }
    };
    let days: Vec<CalendarDay> =
        c.rows.iter().map(|&(date, w)| CalendarDay { date, kind: kind(w), name: String::new() }).collect();
    WorkingCalendar::new(&days, WorkingHours::from_minutes(&c.periods)?, &c.closures)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn builtin_queries_match_the_naive_oracle(
        a in builtin_moment(),
        span in -45 * 86_400..45 * 86_400i64,
        n in 0..25u32,
        minutes in prop_oneof![0..500u64, 0..20 * 420u64],
    ) {
        let cal = WorkingCalendar::builtin();
        compare_all(&cal, &Oracle::builtin(), a, a + span.seconds(), n, minutes)?;
    }

    #[test]
    fn builtin_due_and_used_match_the_naive_oracle(
        (accepted, stops) in builtin_moment().prop_flat_map(|a| (Just(a), suspensions(a))),
        limit in limit(),
        elapsed in -86_400..40 * 86_400i64,
    ) {
        let cal = WorkingCalendar::builtin();
        compare_deadline(&cal, &Oracle::builtin(), accepted, limit, &stops, accepted + elapsed.seconds())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn custom_calendars_match_the_naive_oracle(
        c in custom(),
        (a, b) in (moment_in("2030-01-01".parse().expect("date"), 730), moment_in("2030-01-01".parse().expect("date"), 730)),
        n in 0..25u32,
        minutes in 0..12_000u64,
        limit in limit(),
        stops in suspensions("2030-06-01T09:00+08:00".parse().expect("ts")),
    ) {
        let cal = build(&c)?;
        let oracle = Oracle::new(&c.rows, &c.periods, &c.closures);
        prop_assert_eq!(cal.announced_years().to_vec(), oracle.years.clone().collect::<Vec<_>>());
        compare_all(&cal, &oracle, a, b, n, minutes)?;
        compare_deadline(&cal, &oracle, a, limit, &stops, b)?;
    }

    #[test]
    fn a_date_listed_as_holiday_and_workday_is_a_conflict(c in custom(), pick in any::<prop::sample::Index>()) {
        let mut c = c;
        let (date, w) = *pick.get(&c.rows);
        c.rows.push((date, !w));
        prop_assert_eq!(build(&c).err(), Some(CalendarError::Conflict { date }));
    }

    #[test]
    fn csv_round_trips(c in custom()) {
        let cal = build(&c)?;
        prop_assert_eq!(WorkingCalendar::parse_csv(&WorkingCalendar::to_csv(cal.days()))?, cal.days());
    }
}

#[test]
fn oracle_agrees_with_the_published_2024_facts() {
    let oracle = Oracle::builtin();
    let day = |s: &str| oracle.day(s.parse().expect("date")).expect("covered");
    assert!(!day("2024-02-12") && day("2024-02-04") && day("2024-02-18") && !day("2024-10-07") && day("2024-10-12"));
}

/// A random import of a provisional year: some of its weekdays made holidays, some
/// weekends made make-up working days.
fn import_of(year: i16) -> impl Strategy<Value = Vec<CalendarDay>> {
    let first = Date::new(year, 1, 1).expect("date");
    (prop::collection::vec(0..365i32, 0..15), prop::collection::vec(0..365i32, 0..6)).prop_map(move |(off, on)| {
        let mut days: Vec<CalendarDay> = Vec::new();
        for d in off {
            let date = first + d.days();
            if date.year() == year && !days.iter().any(|r| r.date == date) {
                days.push(CalendarDay { date, kind: DayKind::Holiday, name: "假".into() });
            }
        }
        for d in on {
            let date = first + d.days();
            let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
            if date.year() == year && weekend && !days.iter().any(|r| r.date == date) {
                days.push(CalendarDay { date, kind: DayKind::Workday, name: "班".into() });
            }
        }
        if days.is_empty() {
            days.push(CalendarDay { date: first, kind: DayKind::Holiday, name: "元旦".into() });
        }
        days
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A case accepted (and suspended, resumed) under a provisional 2027, then recomputed
    /// after 2027 is imported, is due exactly when a case computed from scratch on the
    /// imported calendar is.
    #[test]
    fn a_due_time_recomputed_after_an_import_equals_one_computed_from_scratch(
        accepted in moment_in("2026-11-01".parse().expect("date"), 120),
        limit in limit(),
        stops in prop::collection::vec((0..30 * 1440i64, 0..5 * 1440i64), 0..3),
        import in import_of(2027),
    ) {
        use tongban_core::calendar::Schedule;
        use tongban_core::case::{Case, CaseEvent};
        let before = WorkingCalendar::builtin();
        let csv = WorkingCalendar::to_csv(&import);
        let schedule = Schedule::parse(2027, &csv).expect("a valid import");
        let mut schedules = WorkingCalendar::builtin_schedules().to_vec();
        schedules.push(schedule);
        let after = WorkingCalendar::from_schedules(&schedules, WorkingHours::default(), &[]).expect("calendar").with_revision(1);
        let suspensions: Vec<Suspension> = stops.iter().map(|&(start, len)| {
            let from = accepted + start.minutes();
            Suspension { from, until: from + len.minutes() }
        }).collect();
        // The case as it would be: accepted with `before`, its suspensions closed, each
        // resumption recomputing with `before` (the events' due times).
        let Ok(mut due) = before.due(accepted, limit, &[]) else { return Ok(()) };
        let mut case: Case = serde_json::from_value(serde_json::json!({
            "number": "620100-2026-000001", "item": "620100-FGW-001", "item_version": 1, "division": "620100",
            "applicant": { "kind": "enterprise", "name": "x", "id_number": "x" }, "channel": "window",
            "materials": [], "state": "accepted", "owner": "clerk", "version": 2,
            "submitted_at": accepted, "accepted_at": accepted, "limit": limit, "due_at": due,
            "suspensions": [], "corrections": 0, "pending_correction": [], "decided_at": null, "closed_at": null,
        })).expect("case");
        let mut closed = Vec::new();
        for s in &suspensions {
            case.apply(&CaseEvent::Suspended { reason: "评审".into() }, s.from);
            closed.push(*s);
            due = before.due(accepted, limit, &closed).unwrap_or(due);
            case.apply(&CaseEvent::Resumed { due_at: due, calendar_revision: 0 }, s.until);
        }
        let fresh = actual(after.due(accepted, limit, &closed));
        match case.recompute_due(&after, "2027 imported") {
            Ok(Some(event)) => {
                case.apply(&event, accepted);
                prop_assert_eq!(Ok(case.due_at.expect("due")), fresh);
                prop_assert_eq!(case.calendar_revision, 1);
            }
            Ok(None) => prop_assert_eq!(Ok(case.due_at.expect("due")), fresh),
            Err(_) => prop_assert!(fresh.is_err()),
        }
    }
}
