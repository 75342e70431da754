//! The precomputed index that makes every query O(1): dense per-day arrays and a per-minute
//! table of the working day, all in plain integers (no time-zone conversion in the hot path).
//!
//! The central number is the *rank* of a minute: how many working minutes of the covered
//! range lie before it. Working minutes are numbered 0, 1, 2, … across all working days; the
//! `g`-th one sits on working day `g / P` (P = working minutes per day) at in-day position
//! `g % P`, so rank → time is two array lookups and time → rank is one.

use jiff::Timestamp;

use super::hours::{MINUTES_PER_DAY, WorkingHours};

/// China Standard Time (UTC+8, no daylight saving since 1991), in seconds.
pub(super) const OFFSET_SECONDS: i64 = 8 * 3600;
const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12; // March = 0, so the leap day is last
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole seconds of `t`, rounded towards the past (jiff truncates towards zero).
#[inline]
pub(super) fn floor_second(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// Where a timestamp falls, relative to the covered days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// Before the first covered day.
    Before,
    /// On covered day `day` (0-based), at `minute` after local midnight (0..1440).
    At { day: usize, minute: usize },
    /// After the last covered day.
    After,
}

#[derive(Debug, Clone, Copy)]
struct DayEntry {
    /// Working days strictly before this day.
    before: u32,
    working: bool,
}

/// The dense index over all days of the covered years.
#[derive(Debug, Clone)]
pub(super) struct Index {
    /// Day number (days since 1970-01-01) of the first covered day.
    first_day: i64,
    days: Vec<DayEntry>,
    /// Day offsets (from `first_day`) of the working days, in order: the k-th working day.
    nth: Vec<u32>,
    /// Working minutes per working day (P ≥ 1).
    per_day: i64,
    /// `cum[m]` = working minutes in `[00:00, m)` of a working day; 1441 entries.
    cum: Vec<u16>,
    /// `inv[r]` = minute after midnight of the r-th working minute of a working day; P entries.
    inv: Vec<u16>,
}

impl Index {
    /// Builds the index for `len` days from `first_day`; `working[i]` says whether day i is worked.
    pub(super) fn new(first_day: i64, working: &[bool], hours: &WorkingHours) -> Index {
        let mut days = Vec::with_capacity(working.len());
        let mut nth = Vec::new();
        let mut before = 0u32;
        for (i, &w) in working.iter().enumerate() {
            days.push(DayEntry { before, working: w });
            if w {
                // At most a few hundred thousand days (years are bounded), so this fits.
                nth.push(u32::try_from(i).unwrap_or(u32::MAX));
                before += 1;
            }
        }
        let mut cum = Vec::with_capacity(usize::from(MINUTES_PER_DAY) + 1);
        let mut inv = Vec::new();
        let mut count = 0u16;
        for m in 0..MINUTES_PER_DAY {
            cum.push(count);
            if hours.contains_minute(m) {
                inv.push(m);
                count += 1;
            }
        }
        cum.push(count);
        Index { first_day, days, nth, per_day: i64::from(count).max(1), cum, inv }
    }

    /// Working minutes per working day.
    pub(super) fn per_day(&self) -> i64 {
        self.per_day
    }

    /// Total working minutes in the covered range; valid ranks are `0..=total`.
    pub(super) fn total(&self) -> i64 {
        i64::try_from(self.nth.len()).unwrap_or(i64::MAX) * self.per_day
    }

    /// Index of the day with day number `day_number`, if covered.
    pub(super) fn day_of_number(&self, day_number: i64) -> Option<usize> {
        usize::try_from(day_number - self.first_day).ok().filter(|&d| d < self.days.len())
    }

    /// Whether covered day `day` is a working day.
    pub(super) fn is_working_day(&self, day: usize) -> bool {
        self.days.get(day).is_some_and(|e| e.working)
    }

    /// Where `t` falls, in local (CST) days and minutes.
    #[inline]
    pub(super) fn place(&self, t: Timestamp) -> Place {
        let local = floor_second(t) + OFFSET_SECONDS;
        let offset = local.div_euclid(SECONDS_PER_DAY) - self.first_day;
        if offset < 0 {
            return Place::Before;
        }
        match usize::try_from(offset) {
            Ok(day) if day < self.days.len() => {
                // rem_euclid is in 0..86400, so the minute is in 0..1440.
                let minute = usize::try_from(local.rem_euclid(SECONDS_PER_DAY) / 60).unwrap_or(0);
                Place::At { day, minute }
            }
            _ => Place::After,
        }
    }

    /// Whether `t` lies in the first minute after the covered range (00:00 after the last
    /// day): the end of a working day that runs until 24:00, which is still a valid answer.
    pub(super) fn is_end_minute(&self, t: Timestamp) -> bool {
        let local = floor_second(t) + OFFSET_SECONDS;
        let end = (self.first_day + i64::try_from(self.days.len()).unwrap_or(i64::MAX)) * SECONDS_PER_DAY;
        (end..end + 60).contains(&local)
    }

    /// Whether `minute` of covered day `day` is working time.
    #[inline]
    pub(super) fn is_working_minute(&self, day: usize, minute: usize) -> bool {
        self.is_working_day(day) && self.cum.get(minute + 1) > self.cum.get(minute)
    }

    /// Rank of `minute` on covered `day`: working minutes of the covered range before it.
    /// For a working minute this is its own number; otherwise that of the next working minute.
    #[inline]
    pub(super) fn rank(&self, day: usize, minute: usize) -> i64 {
        match self.days.get(day) {
            Some(e) => {
                let within = if e.working { self.cum.get(minute).copied().unwrap_or(0) } else { 0 };
                i64::from(e.before) * self.per_day + i64::from(within)
            }
            None => self.total(),
        }
    }

    /// Rank of `t`, clamped to `0..=total` for moments outside the covered range.
    pub(super) fn rank_clamped(&self, t: Timestamp) -> i64 {
        match self.place(t) {
            Place::Before => 0,
            Place::At { day, minute } => self.rank(day, minute),
            Place::After => self.total(),
        }
    }

    /// Unix seconds at which working minute `g` starts; `None` past the covered range.
    #[inline]
    pub(super) fn minute_start(&self, g: i64) -> Option<i64> {
        if g < 0 {
            return None;
        }
        let day = *self.nth.get(usize::try_from(g / self.per_day).ok()?)?;
        let minute = *self.inv.get(usize::try_from(g % self.per_day).ok()?)?;
        let day_number = self.first_day + i64::from(day);
        Some(day_number * SECONDS_PER_DAY - OFFSET_SECONDS + i64::from(minute) * 60)
    }

    /// Rank of the last working minute of the working day that holds working minute `g`.
    #[inline]
    pub(super) fn last_minute_of_day(&self, g: i64) -> i64 {
        (g / self.per_day) * self.per_day + self.per_day - 1
    }
}
