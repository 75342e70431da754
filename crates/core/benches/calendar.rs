//! Benchmarks of the indexed working calendar against a naive oracle (the same stepping
//! approach as `tests/calendar_props.rs`), for a 20-working-day span, in one run:
//!
//! - `add_working_days`: indexed vs stepping day by day;
//! - `add_working_minutes` (20 × 420 minutes) and `working_minutes_between` (a 20-working-day
//!   span): indexed vs stepping minute by minute;
//! - throughput of `add_working_days` over 1,024 varied moments of 2020–2026.
//!
//! Run with `cargo bench -p tongban-core --bench calendar`.

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_main};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use tongban_core::calendar::{Limit, Suspension, WorkingCalendar};

const CST: Offset = jiff::tz::offset(8);
const PERIODS: [(i32, i32); 2] = [(540, 720), (810, 1050)];
const SPAN_DAYS: u32 = 20;

const RAW_CSV: [&str; 7] = [
    include_str!("../data/holidays/cn-2020.csv"),
    include_str!("../data/holidays/cn-2021.csv"),
    include_str!("../data/holidays/cn-2022.csv"),
    include_str!("../data/holidays/cn-2023.csv"),
    include_str!("../data/holidays/cn-2024.csv"),
    include_str!("../data/holidays/cn-2025.csv"),
    include_str!("../data/holidays/cn-2026.csv"),
];

/// The naive calendar: raw rows in hash sets, the weekday rule, one step per day or minute.
struct Naive {
    holidays: HashSet<Date>,
    workdays: HashSet<Date>,
}

impl Naive {
    fn new() -> Naive {
        let (mut holidays, mut workdays) = (HashSet::new(), HashSet::new());
        for line in RAW_CSV.iter().flat_map(|t| t.lines().skip(1)) {
            let fields: Vec<&str> = line.split(',').collect();
            let date: Date = fields[0].parse().expect("raw date");
            if fields[1] == "workday" {
                workdays.insert(date)
            } else {
                holidays.insert(date)
            };
        }
        Naive { holidays, workdays }
    }

    fn day(&self, d: Date) -> Option<bool> {
        if !(2020..=2026).contains(&d.year()) {
            return None;
        }
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        Some(!self.holidays.contains(&d) && (self.workdays.contains(&d) || !weekend))
    }

    fn local(t: Timestamp) -> (Date, i32) {
        let dt = TimeZone::fixed(CST).to_datetime(t);
        (dt.date(), i32::from(dt.hour()) * 60 + i32::from(dt.minute()))
    }

    fn at(date: Date, minute: i32) -> Timestamp {
        let midnight = TimeZone::fixed(CST).to_timestamp(date.to_datetime(Time::midnight())).expect("in range");
        midnight + i64::from(minute).minutes()
    }

    /// Walks minute by minute (day answer cached per day) until `stop` says so.
    fn walk(&self, from: Timestamp, mut stop: impl FnMut(Date, i32, bool) -> bool) -> Option<(Date, i32)> {
        let (mut date, mut minute) = Self::local(from);
        let mut working_day = self.day(date)?;
        loop {
            let working = working_day && PERIODS.iter().any(|&(s, e)| s <= minute && minute < e);
            if stop(date, minute, working) {
                return Some((date, minute));
            }
            minute += 1;
            if minute == 1440 {
                (date, minute) = (date.tomorrow().ok()?, 0);
                working_day = self.day(date)?;
            }
        }
    }

    fn add_working_days(&self, from: Timestamp, n: u32) -> Option<Timestamp> {
        let (mut date, _) = self.walk(from, |_, _, w| w)?;
        let mut k = 0;
        while k < n {
            date = date.tomorrow().ok()?;
            k += u32::from(self.day(date)?);
        }
        Some(Self::at(date, PERIODS[1].1))
    }

    fn add_working_minutes(&self, from: Timestamp, n: u64) -> Option<Timestamp> {
        let mut count = 0;
        let (date, minute) = self.walk(from, |_, _, w| {
            count += u64::from(w);
            count == n
        })?;
        Some(Self::at(date, minute + 1))
    }

    fn working_minutes_between(&self, a: Timestamp, b: Timestamp) -> Option<i64> {
        let end = Self::local(b);
        let mut count = 0;
        self.walk(a, |d, m, w| {
            count += i64::from(w && (d, m) < end);
            (d, m) >= end
        })?;
        Some(count)
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("bench timestamp")
}

fn span_benches(c: &mut Criterion) {
    let cal = WorkingCalendar::builtin();
    let naive = Naive::new();
    // 20 working days from just before the 2024 Spring Festival: the span crosses 10–17 Feb.
    let from = ts("2024-02-01T10:15+08:00");
    let minutes = u64::from(SPAN_DAYS) * 420;
    let to = cal.add_working_days(from, SPAN_DAYS).expect("covered");
    assert_eq!(cal.add_working_days(from, SPAN_DAYS).ok(), naive.add_working_days(from, SPAN_DAYS));
    assert_eq!(cal.add_working_minutes(from, minutes).ok(), naive.add_working_minutes(from, minutes));
    assert_eq!(cal.working_minutes_between(from, to).ok(), naive.working_minutes_between(from, to));

    let mut group = c.benchmark_group("add_working_days_20");
    group.bench_function("indexed", |b| b.iter(|| cal.add_working_days(black_box(from), black_box(SPAN_DAYS))));
    group.bench_function("naive_day_by_day", |b| {
        b.iter(|| naive.add_working_days(black_box(from), black_box(SPAN_DAYS)))
    });
    group.finish();

    let mut group = c.benchmark_group("add_working_minutes_20x420");
    group.bench_function("indexed", |b| b.iter(|| cal.add_working_minutes(black_box(from), black_box(minutes))));
    group.bench_function("naive_minute_by_minute", |b| {
        b.iter(|| naive.add_working_minutes(black_box(from), black_box(minutes)))
    });
    group.finish();

    let mut group = c.benchmark_group("working_minutes_between_20d");
    group.bench_function("indexed", |b| b.iter(|| cal.working_minutes_between(black_box(from), black_box(to))));
    group.bench_function("naive_minute_by_minute", |b| {
        b.iter(|| naive.working_minutes_between(black_box(from), black_box(to)))
    });
    group.finish();
}

fn throughput_benches(c: &mut Criterion) {
    let cal = WorkingCalendar::builtin();
    // 1,024 moments spread over 2020–2025 at every time of day (after hours, lunch, holidays).
    let start = ts("2020-01-01T00:00+08:00");
    let moments: Vec<Timestamp> = (0..1024i64).map(|i| start + (i * 2_000_000_017 % 189_000_000).seconds()).collect();
    let mut group = c.benchmark_group("throughput_1024_moments");
    group.throughput(Throughput::Elements(moments.len() as u64));
    group.bench_with_input(BenchmarkId::new("add_working_days", SPAN_DAYS), &moments, |b, moments| {
        b.iter(|| moments.iter().filter_map(|&t| cal.add_working_days(t, black_box(SPAN_DAYS)).ok()).count())
    });
    let review = [Suspension { from: ts("2024-02-05T10:00+08:00"), until: ts("2024-02-06T11:00+08:00") }];
    group.bench_with_input(BenchmarkId::new("due_with_suspension", SPAN_DAYS), &moments, |b, moments| {
        b.iter(|| {
            moments.iter().filter_map(|&t| cal.due(t, Limit::WorkingDays(SPAN_DAYS), black_box(&review)).ok()).count()
        })
    });
    // The same over provisional years (2027–2032: the holiday law's days, no schedule).
    let later = ts("2027-01-01T00:00+08:00");
    let provisional: Vec<Timestamp> =
        (0..1024i64).map(|i| later + (i * 2_000_000_017 % 189_000_000).seconds()).collect();
    group.bench_with_input(BenchmarkId::new("add_working_days_provisional", SPAN_DAYS), &provisional, |b, moments| {
        b.iter(|| moments.iter().filter_map(|&t| cal.add_working_days(t, black_box(SPAN_DAYS)).ok()).count())
    });
    group.finish();
}

// In a private module, so the undocumented `pub fn` the macro makes is not exported.
mod group {
    use criterion::criterion_group;
    criterion_group!(benches, super::span_benches, super::throughput_benches);
}
criterion_main!(group::benches);
