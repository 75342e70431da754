//! The center's figures (统计分析): volume, on-time rate, time used against time promised,
//! suspensions, rejections, corrections — by department, window, staff member, item or
//! division (rolled up city → county), over a period.
//!
//! # Definitions
//!
//! Each count is attributed to the period by its own moment:
//! - **received** (收件): submitted in the period; **corrections** (补正) are the correction
//!   requests of the cases received in it (the case keeps only their number);
//! - **accepted** (受理): accepted in it; **rejected** (不予受理): rejected in it;
//! - **decided** (办理完毕): approved or denied in it; **awaiting delivery** of those, the ones
//!   not delivered yet;
//! - **finished** (办结): delivered (送达) in it. Only finished cases enter the timing figures:
//!   **on time** (按时办结) is delivered at or before the due time; **early** (提前办结) is on
//!   time with at least [`FigureSpec::early_margin_minutes`] working minutes of the limit
//!   unused; **used** and **allowed** working minutes are summed over them (used is counted
//!   from acceptance to the decision, without suspensions, as
//!   [`Case::working_minutes_used`] does). A decided case not yet delivered is neither on
//!   time nor late: it enters the on-time rate when it is delivered;
//! - **suspensions** (挂起): suspensions started in the period.
//!
//! Rates are exact [`Ratio`]s, with an `f64` only for display.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize, Serializer};

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::case::{Case, CaseNumber, CaseState};
use crate::division::DivisionCode;
use crate::item::ItemCode;
use crate::org::{DepartmentCode, WindowCode};

/// 按时办结 — whether a case closed at `closed_at` kept its due time `due_at`: delivered at
/// or before it. A case with no due time (or not closed) is not counted on time. The one
/// rule for every figure; the store records its verdict per case ([`Case::delivered_on_time`]).
pub fn on_time(closed_at: Option<Timestamp>, due_at: Option<Timestamp>) -> bool {
    closed_at.zip(due_at).is_some_and(|(closed, due)| closed <= due)
}

/// The month a moment counts in for the published figures: its calendar month in China
/// Standard Time, as `YYYY-MM` (a case closed at 2026-01-31T20:00Z counts in February).
pub fn month_of(t: Timestamp) -> String {
    let date = crate::calendar::local_date(t);
    format!("{:04}-{:02}", date.year(), date.month())
}

impl Case {
    /// For a delivered case, whether it was delivered on time ([`on_time`]); none for any
    /// other state.
    pub fn delivered_on_time(&self) -> Option<bool> {
        (self.state == CaseState::Delivered).then(|| on_time(self.closed_at, self.due_at))
    }
}

/// What the figures need of one case: its keys and moments, and its working time computed
/// once with the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The case.
    pub number: CaseNumber,
    /// The department handling its item.
    pub department: DepartmentCode,
    /// The window that received it; none for online, app and mail cases.
    pub window: Option<WindowCode>,
    /// Its owner (承办人).
    pub staff: String,
    /// Its item.
    pub item: ItemCode,
    /// Its division.
    pub division: DivisionCode,
    /// Its state.
    pub state: CaseState,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// When it was accepted.
    pub accepted_at: Option<Timestamp>,
    /// When it was decided.
    pub decided_at: Option<Timestamp>,
    /// When it was delivered or rejected.
    pub closed_at: Option<Timestamp>,
    /// When it was due (with its suspensions).
    pub due_at: Option<Timestamp>,
    /// Working minutes used from acceptance to the decision; none until decided.
    pub used_minutes: Option<i64>,
    /// Working minutes its limit allowed; none until accepted.
    pub allowed_minutes: Option<i64>,
    /// When each of its suspensions started.
    pub suspension_starts: Vec<Timestamp>,
    /// Correction requests.
    pub corrections: u32,
}

impl CaseFacts {
    /// The facts of `case`, handled by `department` (its item's) and received at `window`.
    ///
    /// Errors: the case's moments fall outside the calendar.
    pub fn from_case(
        case: &Case,
        department: DepartmentCode,
        window: Option<WindowCode>,
        calendar: &WorkingCalendar,
    ) -> Result<CaseFacts, CalendarError> {
        let used_minutes = match case.decided_at {
            Some(decided) => case.working_minutes_used(decided, calendar)?,
            None => None,
        };
        let allowed_minutes = match case.accepted_at.zip(case.limit) {
            Some((accepted, limit)) => Some(calendar.allowed_minutes(accepted, limit)?),
            None => None,
        };
        Ok(CaseFacts {
            number: case.number.clone(),
            department,
            window,
            staff: case.owner.clone(),
            item: case.item.clone(),
            division: case.division.clone(),
            state: case.state,
            submitted_at: case.submitted_at,
            accepted_at: case.accepted_at,
            decided_at: case.decided_at,
            closed_at: case.closed_at,
            due_at: case.due_at,
            used_minutes,
            allowed_minutes,
            suspension_starts: case.suspensions.iter().map(|s| s.from).collect(),
            corrections: case.corrections,
        })
    }
}

/// An exact rate or average: `numerator / denominator`. Serialized with its `value` as `f64`
/// (null when the denominator is zero), for display only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ratio {
    /// Above the line.
    pub numerator: u64,
    /// Below the line; zero when nothing was counted.
    pub denominator: u64,
}

impl Ratio {
    /// The value for display; none when nothing was counted.
    pub fn value(&self) -> Option<f64> {
        // Counts stay far below 2^53, so the conversion is exact.
        (self.denominator != 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown {
            numerator: u64,
            denominator: u64,
            value: Option<f64>,
        }
        Shown { numerator: self.numerator, denominator: self.denominator, value: self.value() }.serialize(serializer)
    }
}

/// The figures of one group over one period; additive, so groups can be merged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// 收件 — submitted in the period.
    pub received: u64,
    /// 受理 — accepted in the period.
    pub accepted: u64,
    /// 不予受理 — rejected in the period.
    pub rejected: u64,
    /// Approved or denied in the period.
    pub decided: u64,
    /// Of those, not delivered yet.
    pub awaiting_delivery: u64,
    /// 办结 — delivered in the period.
    pub finished: u64,
    /// Of those, delivered at or before the due time.
    pub on_time: u64,
    /// Of those, on time with the early margin unused.
    pub early: u64,
    /// Finished cases whose used and allowed working minutes are known (all, normally).
    pub timed: u64,
    /// Working minutes used by the timed cases, summed.
    pub used_minutes: u64,
    /// Working minutes their limits allowed, summed.
    pub allowed_minutes: u64,
    /// 挂起 — suspensions started in the period.
    pub suspensions: u64,
    /// 补正 — correction requests of the cases received in the period.
    pub corrections: u64,
}

impl Figures {
    /// 按时办结率 — on time / finished.
    pub fn on_time_rate(&self) -> Ratio {
        Ratio { numerator: self.on_time, denominator: self.finished }
    }

    /// 提前办结率 — early / finished.
    pub fn early_rate(&self) -> Ratio {
        Ratio { numerator: self.early, denominator: self.finished }
    }

    /// Average working minutes used per finished case.
    pub fn average_used_minutes(&self) -> Ratio {
        Ratio { numerator: self.used_minutes, denominator: self.timed }
    }

    /// Average working minutes allowed per finished case.
    pub fn average_allowed_minutes(&self) -> Ratio {
        Ratio { numerator: self.allowed_minutes, denominator: self.timed }
    }

    /// Share of the allowed time used (时限利用率): used / allowed minutes.
    pub fn used_share(&self) -> Ratio {
        Ratio { numerator: self.used_minutes, denominator: self.allowed_minutes }
    }

    /// Adds another group's figures to these (saturating: sums never wrap).
    pub fn merge(&mut self, o: &Figures) {
        self.received = self.received.saturating_add(o.received);
        self.accepted = self.accepted.saturating_add(o.accepted);
        self.rejected = self.rejected.saturating_add(o.rejected);
        self.decided = self.decided.saturating_add(o.decided);
        self.awaiting_delivery = self.awaiting_delivery.saturating_add(o.awaiting_delivery);
        self.finished = self.finished.saturating_add(o.finished);
        self.on_time = self.on_time.saturating_add(o.on_time);
        self.early = self.early.saturating_add(o.early);
        self.timed = self.timed.saturating_add(o.timed);
        self.used_minutes = self.used_minutes.saturating_add(o.used_minutes);
        self.allowed_minutes = self.allowed_minutes.saturating_add(o.allowed_minutes);
        self.suspensions = self.suspensions.saturating_add(o.suspensions);
        self.corrections = self.corrections.saturating_add(o.corrections);
    }

    fn count(&mut self, c: &CaseFacts, spec: &FigureSpec) {
        let within = |t: Option<Timestamp>| t.is_some_and(|t| spec.period.is_none_or(|p| p.contains(t)));
        if within(Some(c.submitted_at)) {
            self.received += 1;
            self.corrections += u64::from(c.corrections);
        }
        self.accepted += u64::from(within(c.accepted_at));
        self.suspensions += c.suspension_starts.iter().filter(|&&t| within(Some(t))).count() as u64;
        if within(c.decided_at) {
            self.decided += 1;
            self.awaiting_delivery += u64::from(matches!(c.state, CaseState::Approved | CaseState::Denied));
        }
        if !within(c.closed_at) {
            return;
        }
        match c.state {
            CaseState::Rejected => self.rejected += 1,
            CaseState::Delivered => {
                self.finished += 1;
                let on_time = on_time(c.closed_at, c.due_at);
                self.on_time += u64::from(on_time);
                if let (Some(used), Some(allowed)) = (c.used_minutes, c.allowed_minutes) {
                    self.timed += 1;
                    self.used_minutes += used.unsigned_abs();
                    self.allowed_minutes += allowed.unsigned_abs();
                    self.early += u64::from(on_time && allowed.saturating_sub(used) >= spec.early_margin_minutes);
                }
            }
            _ => {}
        }
    }
}

/// A half-open period `[from, until)` (统计周期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// First moment in the period.
    pub from: Timestamp,
    /// First moment after it.
    pub until: Timestamp,
}

impl Period {
    /// Whether `t` falls in the period.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t < self.until
    }
}

/// What the figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// The whole center, one group.
    Center,
    /// 部门.
    Department,
    /// 窗口.
    Window,
    /// 工作人员 — the case owner.
    Staff,
    /// 事项.
    Item,
    /// 行政区划, exact (see [`roll_up`] for city → county totals).
    Division,
}

/// One group's key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "by", content = "key", rename_all = "snake_case")]
pub enum GroupKey {
    /// The whole center.
    Center,
    /// A department.
    Department(DepartmentCode),
    /// A window; none for cases that came through no window.
    Window(Option<WindowCode>),
    /// A staff member.
    Staff(String),
    /// An item.
    Item(ItemCode),
    /// A division.
    Division(DivisionCode),
}

impl GroupKey {
    fn of(c: &CaseFacts, by: GroupBy) -> GroupKey {
        match by {
            GroupBy::Center => GroupKey::Center,
            GroupBy::Department => GroupKey::Department(c.department.clone()),
            GroupBy::Window => GroupKey::Window(c.window.clone()),
            GroupBy::Staff => GroupKey::Staff(c.staff.clone()),
            GroupBy::Item => GroupKey::Item(c.item.clone()),
            GroupBy::Division => GroupKey::Division(c.division.clone()),
        }
    }
}

/// How to compute figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureSpec {
    /// The grouping.
    pub by: GroupBy,
    /// The period; none for all time.
    pub period: Option<Period>,
    /// Working minutes of the limit that must be left for an on-time case to count as early,
    /// e.g. one working day ([`minutes_per_working_day`](WorkingCalendar::minutes_per_working_day)).
    pub early_margin_minutes: i64,
}

/// The figures of `cases` per group. Groups with nothing in the period are left out.
pub fn figures(cases: &[CaseFacts], spec: &FigureSpec) -> BTreeMap<GroupKey, Figures> {
    let mut out: BTreeMap<GroupKey, Figures> = BTreeMap::new();
    for c in cases {
        let mut one = Figures::default();
        one.count(c, spec);
        if one != Figures::default() {
            out.entry(GroupKey::of(c, spec.by)).or_default().merge(&one);
        }
    }
    out
}

/// The figures of each of `divisions` with everything inside it (市 → 县 by code prefix,
/// [`DivisionCode::is_within`]): a city's figures include its counties'. Every division asked
/// for is in the answer, with zero figures if nothing happened there. `spec.by` is ignored.
pub fn roll_up(cases: &[CaseFacts], divisions: &[DivisionCode], spec: &FigureSpec) -> BTreeMap<DivisionCode, Figures> {
    let exact = figures(cases, &FigureSpec { by: GroupBy::Division, ..*spec });
    divisions
        .iter()
        .map(|target| {
            let mut total = Figures::default();
            for (key, f) in &exact {
                if let GroupKey::Division(d) = key
                    && d.is_within(target)
                {
                    total.merge(f);
                }
            }
            (target.clone(), total)
        })
        .collect()
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
