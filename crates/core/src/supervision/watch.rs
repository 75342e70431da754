//! The watches of a case besides its due time (首接责任, 无缝转接): the owner's act-by time
//! where it differs from the due time, and an open hand-over offer's time limit. Each runs on
//! a [`Board`] keyed by (case, [`AlertKind`]), so a tick touches only what changes and each
//! alert is named once by its [`AlertKey`](super::AlertKey) and kind.
//!
//! - **act_by**: a submitted case not yet accepted must be accepted (or refused) by the end of
//!   the working day after its submission; a decided case must be delivered by the end of the
//!   working day after its decision ([`Case::owner_act_by`]). While the case runs, its act-by
//!   time is its due time, already watched as `due`: not raised twice. A case waiting for the
//!   applicant's correction is the applicant's move, not the owner's: not watched.
//! - **hand_over**: an open offer not taken up within [`HandOverRule::limit`] (default 8
//!   until the end of the next working day, as for the act-by time) alerts once, when it runs
//!   out; red only.

use std::hash::Hash;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AlertKind, Board, CaseClock, Colour, ColourChange, Rule};
use crate::calendar::{CalendarError, CalendarSet, Limit};
use crate::case::{Case, CaseState};

/// The limit of the owner's act-by time: to the end of the next working day, as
/// [`Case::owner_act_by`] shows it.
pub const ACT_BY_LIMIT: Limit = Limit::WorkingDays(1);

/// How long a hand-over offer may wait for its receiver (转接时限).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HandOverRule {
    /// The time the receiver has to take the case up.
    pub limit: Limit,
}

impl Default for HandOverRule {
    /// One working day: to the end of the working day after the offer's, like the act-by
    /// time (a receiver who is out today still has tomorrow).
    fn default() -> Self {
        HandOverRule { limit: Limit::WorkingDays(1) }
    }
}

/// The act-by clock of `case`: from the moment the owner's turn began, in the phases where
/// the act-by time is not the due time; none otherwise.
pub fn act_by_clock(case: &Case) -> Option<CaseClock> {
    let start = match case.state {
        CaseState::Submitted => case.submitted_at,
        CaseState::Approved | CaseState::Denied => case.decided_at?,
        _ => return None,
    };
    Some(CaseClock { accepted_at: start, limit: ACT_BY_LIMIT, suspensions: vec![], suspended_since: None })
}

/// The clock of `case`'s open hand-over offer under `rule`; none when no offer is open (or
/// its moment is unknown, in snapshots older than the limit).
pub fn hand_over_clock(case: &Case, rule: &HandOverRule) -> Option<CaseClock> {
    case.pending_handover.as_ref()?;
    let offered = case.pending_handover_at?;
    (!case.state.is_final()).then(|| CaseClock {
        accepted_at: offered,
        limit: rule.limit,
        suspensions: vec![],
        suspended_since: None,
    })
}

/// Whether a change of a `kind` watch to `colour` raises an alert: a hand-over offer only
/// when it runs out (red); every other watch on yellow and red.
pub fn raises(kind: &AlertKind, colour: Colour) -> bool {
    match colour {
        Colour::Green => false,
        Colour::Yellow => *kind != AlertKind::HAND_OVER,
        Colour::Red => true,
    }
}

/// When a hand-over offer of `case` runs out under `rule`, on `calendar`; none when no offer
/// is open. For the case page ("expired since …").
pub fn hand_over_expires(
    case: &Case,
    rule: &HandOverRule,
    calendar: &crate::calendar::WorkingCalendar,
) -> Option<Timestamp> {
    let clock = hand_over_clock(case, rule)?;
    calendar.due(clock.accepted_at, clock.limit, &[]).ok()
}

/// The act-by and hand-over watches of every case: a [`Board`] keyed by (case, kind).
#[derive(Debug, Clone)]
pub struct Watches<K> {
    board: Board<(K, AlertKind)>,
    hand_over: HandOverRule,
}

impl<K: Clone + Ord + Hash> Watches<K> {
    /// No watches yet, on a center's calendars.
    pub fn on(calendars: CalendarSet, hand_over: HandOverRule) -> Watches<K> {
        Watches { board: Board::on(calendars, 0), hand_over }
    }

    /// Puts `case` (keyed `key`) under its watches as it is now, or takes it off those that
    /// no longer apply; `rule` sets the act-by yellow. Returns the changes that raise alerts.
    /// A watch the calendar cannot evaluate is dropped and reported.
    pub fn track(
        &mut self,
        key: K,
        case: &Case,
        rule: Rule,
        now: Timestamp,
    ) -> (Vec<ColourChange<(K, AlertKind)>>, Vec<CalendarError>) {
        let mut changes = Vec::new();
        let mut failed = Vec::new();
        let watches =
            [(AlertKind::ACT_BY, act_by_clock(case)), (AlertKind::HAND_OVER, hand_over_clock(case, &self.hand_over))];
        for (kind, clock) in watches {
            let id = (key.clone(), kind);
            let Some(clock) = clock else {
                self.board.remove(&id);
                continue;
            };
            // A clock restarted (a new offer, a new decision) is a new episode: start green.
            if self.board.outlook(&id).is_some_and(|o| o.accepted_at != clock.accepted_at) {
                self.board.remove(&id);
            }
            match self.board.upsert_in(Some(case.division.clone()), id, clock, rule, now) {
                Ok(Some(c)) if raises(&c.case.1, c.to) => changes.push(c),
                Ok(_) => {}
                Err(e) => failed.push(e),
            }
        }
        (changes, failed)
    }

    /// Takes a case off every watch.
    pub fn remove(&mut self, key: &K) {
        for kind in [AlertKind::ACT_BY, AlertKind::HAND_OVER] {
            self.board.remove(&(key.clone(), kind));
        }
    }

    /// Brings the watches to `now`; returns the changes that raise alerts, in order.
    pub fn tick(&mut self, now: Timestamp) -> Vec<ColourChange<(K, AlertKind)>> {
        self.board.tick(now).into_iter().filter(|c| raises(&c.case.1, c.to)).collect()
    }

    /// Recomputes every watch (repair, a new calendar); returns the changes that raise alerts.
    pub fn full_reevaluation(&mut self, now: Timestamp) -> Vec<ColourChange<(K, AlertKind)>> {
        self.board.full_reevaluation(now).changes.into_iter().filter(|c| raises(&c.case.1, c.to)).collect()
    }

    /// Changes the calendars (nothing recomputed until [`full_reevaluation`](Self::full_reevaluation)).
    pub fn set_calendars(&mut self, calendars: CalendarSet) {
        self.board.set_calendars(calendars);
    }

    /// The colour of one watch of a case, if it is watched.
    pub fn colour(&self, key: &K, kind: &AlertKind) -> Option<Colour> {
        self.board.colour(&(key.clone(), kind.clone()))
    }

    /// Number of running watches.
    pub fn len(&self) -> usize {
        self.board.len()
    }

    /// Whether nothing is watched.
    pub fn is_empty(&self) -> bool {
        self.board.is_empty()
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
