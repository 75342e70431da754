//! One case's clock against the colours: [`colour`] from scratch, and the [`Outlook`] — the
//! moments at which the colour will change if nothing else happens — behind [`next_change`].

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{Colour, Rule};
use crate::calendar::{CalendarError, Limit, Suspension, WorkingCalendar};
use crate::case::Case;

/// What supervision needs of a running case (在办件): when its clock started, its limit, and
/// when it was stopped.
///
/// Every answer about a clock is for a `now` at or after its last event (acceptance, a
/// suspension's start or end).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClock {
    /// When the case was accepted (受理): the clock starts at the next working moment.
    pub accepted_at: Timestamp,
    /// The limit running since acceptance.
    pub limit: Limit,
    /// Finished suspensions (挂起), in any order.
    pub suspensions: Vec<Suspension>,
    /// When the running suspension started; none unless the case is suspended now.
    pub suspended_since: Option<Timestamp>,
}

impl CaseClock {
    /// The clock of a running case (accepted, in process or suspended); none for a case not
    /// yet accepted or already decided, delivered or rejected — those are not watched.
    pub fn from_case(case: &Case) -> Option<CaseClock> {
        if !case.state.is_running() {
            return None;
        }
        let mut suspensions = Vec::with_capacity(case.suspensions.len());
        let mut suspended_since: Option<Timestamp> = None;
        for s in &case.suspensions {
            match s.until {
                Some(until) => suspensions.push(Suspension { from: s.from, until }),
                None => suspended_since = Some(suspended_since.map_or(s.from, |t| t.min(s.from))),
            }
        }
        Some(CaseClock { accepted_at: case.accepted_at?, limit: case.limit?, suspensions, suspended_since })
    }

    /// Whether the clock is stopped now.
    pub fn is_suspended(&self) -> bool {
        self.suspended_since.is_some()
    }

    /// The moment whose colour counts at `now`: `now`, or the start of the running suspension
    /// (the colour is frozen while suspended); never before acceptance.
    pub fn effective_moment(&self, now: Timestamp) -> Timestamp {
        self.suspended_since.map_or(now, |since| since.min(now)).max(self.accepted_at)
    }
}

/// A case's colour at `now`, computed from scratch with the calendar's plain queries: red if
/// the moment that counts ([`CaseClock::effective_moment`]) is after the due time, else
/// yellow if the [`Rule`] says the working minutes used by then are a warning, else green.
///
/// ```
/// use jiff::Timestamp;
/// use tongban_core::calendar::{Limit, WorkingCalendar};
/// use tongban_core::supervision::{colour, CaseClock, Colour, Rule};
///
/// let cal = WorkingCalendar::builtin();
/// let t = |s: &str| s.parse::<Timestamp>();
/// // Accepted Monday 2024-09-30 09:00 with 2 working days: due Wed 9 Oct 17:30 (1–7 Oct off).
/// let clock = CaseClock {
///     accepted_at: t("2024-09-30T09:00+08:00")?,
///     limit: Limit::WorkingDays(2),
///     suspensions: vec![],
///     suspended_since: None,
/// };
/// let rule = Rule::center_default(&cal); // 80 % or one working day left
/// // Allowed: 420 + 2 × 420 minutes; yellow from 840 used (one working day left).
/// assert_eq!(colour(&clock, &rule, t("2024-10-08T17:29+08:00")?, &cal)?, Colour::Green);
/// assert_eq!(colour(&clock, &rule, t("2024-10-08T17:30+08:00")?, &cal)?, Colour::Yellow);
/// assert_eq!(colour(&clock, &rule, t("2024-10-09T17:30+08:00")?, &cal)?, Colour::Yellow);
/// assert_eq!(colour(&clock, &rule, t("2024-10-09T17:31+08:00")?, &cal)?, Colour::Red);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn colour(
    clock: &CaseClock,
    rule: &Rule,
    now: Timestamp,
    calendar: &WorkingCalendar,
) -> Result<Colour, CalendarError> {
    let at = clock.effective_moment(now);
    let due = calendar.due(clock.accepted_at, clock.limit, &clock.suspensions)?;
    if at > due {
        return Ok(Colour::Red);
    }
    let allowed = calendar.allowed_minutes(clock.accepted_at, clock.limit)?;
    let used = calendar.working_minutes_used(clock.accepted_at, at, &clock.suspensions)?;
    Ok(if rule.is_yellow(used, allowed) { Colour::Yellow } else { Colour::Green })
}

/// The next moment after `now` at which the case's colour changes without any new event
/// (its yellow moment or its first overdue moment); none while suspended (frozen) or once red.
///
/// ```
/// use jiff::Timestamp;
/// use tongban_core::calendar::{Limit, WorkingCalendar};
/// use tongban_core::supervision::{next_change, CaseClock, Rule};
///
/// let cal = WorkingCalendar::builtin();
/// let t = |s: &str| s.parse::<Timestamp>();
/// let clock = CaseClock {
///     accepted_at: t("2024-09-30T09:00+08:00")?,
///     limit: Limit::WorkingHours(10),
///     suspensions: vec![],
///     suspended_since: None,
/// };
/// let rule = Rule::new(80, 0)?;
/// let now = t("2024-09-30T10:00+08:00")?;
/// // 80 % of 600 minutes = 480: all of Monday (420) and one hour of Tuesday 8 Oct.
/// assert_eq!(next_change(&clock, &rule, now, &cal)?, Some(t("2024-10-08T10:00+08:00")?));
/// // Then red one nanosecond after the due time, 8 Oct 12:00.
/// let next = next_change(&clock, &rule, t("2024-10-08T10:00+08:00")?, &cal)?;
/// assert_eq!(next, Some(t("2024-10-08T12:00:00.000000001+08:00")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn next_change(
    clock: &CaseClock,
    rule: &Rule,
    now: Timestamp,
    calendar: &WorkingCalendar,
) -> Result<Option<Timestamp>, CalendarError> {
    Ok(Outlook::of(clock, rule, calendar)?.next_change_after(now))
}

/// The colour course of a clock if nothing else happens: yellow from one moment, red from
/// another, or frozen by a running suspension. Computed once per event with the calendar's
/// O(1) arithmetic; after that, the colour at any later moment needs no calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlook {
    /// When the case was accepted.
    pub accepted_at: Timestamp,
    /// The start of the running suspension, which freezes the colour; none when running.
    pub frozen_at: Option<Timestamp>,
    /// The first moment the case is yellow: when its used working minutes reach the rule's
    /// threshold (the acceptance moment if that threshold is zero).
    pub yellow_from: Timestamp,
    /// The first moment the case is red: one nanosecond after its due time, or — if a
    /// suspension that began by the due time was still running then — that suspension's end.
    pub red_from: Timestamp,
}

impl Outlook {
    /// The outlook of `clock` under `rule`.
    ///
    /// Errors: a suspension that ends before it starts; a moment outside the calendar.
    pub fn of(clock: &CaseClock, rule: &Rule, calendar: &WorkingCalendar) -> Result<Outlook, CalendarError> {
        let accepted = clock.accepted_at;
        let stops = merged(&clock.suspensions)?;
        let allowed = calendar.allowed_minutes(accepted, clock.limit)?;
        let due = calendar.due(accepted, clock.limit, &clock.suspensions)?;
        let threshold = rule.yellow_threshold(allowed);
        let yellow_from = moment_used_reaches(calendar, accepted, threshold, &stops)?;
        // `now > due` first holds one nanosecond after the due time, unless the case was
        // suspended then with a colour frozen before the due time: then on resumption.
        let mut red_from = due.checked_add(SignedDuration::from_nanos(1)).unwrap_or(Timestamp::MAX);
        for s in &stops {
            if s.from < red_from && red_from < s.until {
                red_from = s.until;
            }
        }
        Ok(Outlook { accepted_at: accepted, frozen_at: clock.suspended_since, yellow_from, red_from })
    }

    /// The colour at `now` (at or after the clock's last event).
    pub fn colour_at(&self, now: Timestamp) -> Colour {
        let at = self.frozen_at.map_or(now, |since| since.min(now)).max(self.accepted_at);
        if at >= self.red_from {
            Colour::Red
        } else if at >= self.yellow_from {
            Colour::Yellow
        } else {
            Colour::Green
        }
    }

    /// When the case first had `colour` in this course: acceptance for green, else
    /// [`yellow_from`](Self::yellow_from) or [`red_from`](Self::red_from).
    pub fn since(&self, colour: Colour) -> Timestamp {
        match colour {
            Colour::Green => self.accepted_at,
            Colour::Yellow => self.yellow_from,
            Colour::Red => self.red_from,
        }
    }

    /// The first moment after `now` at which the colour differs from its colour at `now`;
    /// none while frozen or once red.
    pub fn next_change_after(&self, now: Timestamp) -> Option<Timestamp> {
        if self.frozen_at.is_some() {
            return None;
        }
        let at = now.max(self.accepted_at);
        [self.yellow_from, self.red_from].into_iter().find(|&moment| moment > at)
    }
}

/// Suspensions sorted and merged where they overlap or touch; refuses one that ends before
/// it starts (as the calendar does).
fn merged(suspensions: &[Suspension]) -> Result<Vec<Suspension>, CalendarError> {
    if let Some(s) = suspensions.iter().find(|s| s.until < s.from) {
        return Err(CalendarError::InvalidSuspension { from: s.from, until: s.until });
    }
    let mut sorted = suspensions.to_vec();
    sorted.sort_unstable_by_key(|s| (s.from, s.until));
    let mut out: Vec<Suspension> = Vec::with_capacity(sorted.len());
    for s in sorted {
        match out.last_mut() {
            Some(last) if s.from <= last.until => last.until = last.until.max(s.until),
            _ => out.push(s),
        }
    }
    Ok(out)
}

/// The first moment by which `minutes` working minutes outside `stops` (sorted, disjoint)
/// have passed since `accepted`: the same count as
/// [`working_minutes_used`](WorkingCalendar::working_minutes_used), run forwards.
fn moment_used_reaches(
    calendar: &WorkingCalendar,
    accepted: Timestamp,
    minutes: i64,
    stops: &[Suspension],
) -> Result<Timestamp, CalendarError> {
    if minutes <= 0 {
        return Ok(accepted);
    }
    let mut cursor = accepted;
    let mut remaining = minutes;
    for s in stops {
        if s.until <= cursor {
            continue;
        }
        let available = calendar.working_minutes_between(cursor, s.from.max(cursor))?;
        if available >= remaining {
            break;
        }
        remaining -= available;
        cursor = s.until;
    }
    calendar.add_working_minutes(cursor, remaining.unsigned_abs())
}

#[cfg(test)]
#[path = "clock_tests.rs"]
pub(crate) mod tests;
