//! The supervision board (监察看板): every running case's colour, indexed by the next moment it
//! can change, so that a [`tick`](Board::tick) touches only the cases whose colour changes.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AlertKey, CaseClock, Colour, Outlook, Rule};
use crate::calendar::{CalendarError, CalendarSet, WorkingCalendar};
use crate::case::Case;
use crate::division::DivisionCode;

/// A case's colour changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ColourChange<K> {
    /// The case.
    pub case: K,
    /// Its colour before (green for a case the board had not seen).
    pub from: Colour,
    /// Its colour now.
    pub to: Colour,
    /// When the new colour began, from the case's clock alone (not when the board noticed):
    /// [`Outlook::since`]. So the same change found twice — by a late tick, by a rebuilt
    /// board — has the same moment. A return to green (after a rule change) is dated `now`.
    pub at: Timestamp,
}

impl<K: Clone> ColourChange<K> {
    /// The alert this change raises: one for every change to yellow or red, none for green.
    pub fn alert(&self) -> Option<AlertKey<K>> {
        (self.to != Colour::Green).then(|| AlertKey { case: self.case.clone(), colour: self.to, since: self.at })
    }
}

/// What a [`full_reevaluation`](Board::full_reevaluation) found.
#[derive(Debug, Clone, PartialEq)]
pub struct Reevaluation<K> {
    /// Colours that were wrong (or had changed since the last tick), ordered by moment and case.
    pub changes: Vec<ColourChange<K>>,
    /// Cases the calendar could not evaluate; they were taken off the board.
    pub failed: Vec<(K, CalendarError)>,
}

/// How many watched cases have each colour (for `/metrics`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColourCounts {
    /// Green cases.
    pub green: usize,
    /// Yellow cases.
    pub yellow: usize,
    /// Red cases.
    pub red: usize,
    /// Of all of these, how many are suspended (their colour frozen).
    pub suspended: usize,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Whose calendar the clock runs on; none for the national one.
    division: Option<DivisionCode>,
    clock: CaseClock,
    rule: Rule,
    outlook: Outlook,
    colour: Colour,
    next: Option<Timestamp>,
}

/// Every running case's colour and the next moment it can change (监察看板).
///
/// `K` is the case key: a [`CaseNumber`](crate::case::CaseNumber), or anything cheaper.
/// Feed it every event ([`upsert`](Self::upsert), [`remove`](Self::remove)) and call
/// [`tick`](Self::tick) as time passes; a tick costs O(c log n) for the c cases due, however
/// many are watched. [`full_reevaluation`](Self::full_reevaluation) recomputes everything
/// (repair, a new calendar).
///
/// ```
/// use jiff::Timestamp;
/// use tongban_core::calendar::{Limit, WorkingCalendar};
/// use tongban_core::supervision::{Board, CaseClock, Colour, Rule};
///
/// let t = |s: &str| s.parse::<Timestamp>();
/// let mut board = Board::new(WorkingCalendar::builtin());
/// let clock = CaseClock {
///     accepted_at: t("2024-10-08T09:00+08:00")?,
///     limit: Limit::WorkingHours(2),
///     suspensions: vec![],
///     suspended_since: None,
/// };
/// assert_eq!(board.upsert(1u64, clock, Rule::new(80, 0)?, t("2024-10-08T09:00+08:00")?)?, None);
/// assert!(board.tick(t("2024-10-08T10:00+08:00")?).is_empty());
/// let changes = board.tick(t("2024-10-08T11:00+08:00")?);
/// assert_eq!((changes[0].to, changes[0].at), (Colour::Yellow, t("2024-10-08T10:36+08:00")?));
/// assert_eq!(board.colour(&1), Some(Colour::Yellow));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Board<K> {
    calendars: CalendarSet,
    entries: HashMap<K, Entry>,
    queue: BTreeSet<(Timestamp, K)>,
}

impl<K: Clone + Ord + Hash> Board<K> {
    /// An empty board on `calendar`.
    pub fn new(calendar: WorkingCalendar) -> Board<K> {
        Board::with_capacity(calendar, 0)
    }

    /// An empty board on `calendar` with room for `cases` cases.
    pub fn with_capacity(calendar: WorkingCalendar, cases: usize) -> Board<K> {
        Board::on(CalendarSet::national(calendar), cases)
    }

    /// An empty board on a center's calendars (each case on its division's) with room for
    /// `cases` cases.
    pub fn on(calendars: CalendarSet, cases: usize) -> Board<K> {
        Board { calendars, entries: HashMap::with_capacity(cases), queue: BTreeSet::new() }
    }

    /// The national calendar colours are computed on.
    pub fn calendar(&self) -> &WorkingCalendar {
        self.calendars.base()
    }

    /// Changes the calendar (e.g. a newly published holiday schedule). Nothing is recomputed
    /// until [`full_reevaluation`](Self::full_reevaluation).
    pub fn set_calendar(&mut self, calendar: WorkingCalendar) {
        self.calendars = CalendarSet::national(calendar);
    }

    /// Changes the calendars (a year imported, a closure added). Nothing is recomputed until
    /// [`full_reevaluation`](Self::full_reevaluation).
    pub fn set_calendars(&mut self, calendars: CalendarSet) {
        self.calendars = calendars;
    }

    /// Puts a running case on the board, or updates it after any event: its clock and rule as
    /// they are now. Returns the colour change this causes (a new case counts as green before).
    ///
    /// Errors: the calendar cannot evaluate the clock (a year not covered, a backwards
    /// suspension); the case is then taken off the board, never left with a stale clock.
    pub fn upsert(
        &mut self,
        case: K,
        clock: CaseClock,
        rule: Rule,
        now: Timestamp,
    ) -> Result<Option<ColourChange<K>>, CalendarError> {
        self.upsert_in(None, case, clock, rule, now)
    }

    /// [`upsert`](Self::upsert) on the calendar of `division` (none: the national one).
    pub fn upsert_in(
        &mut self,
        division: Option<DivisionCode>,
        case: K,
        clock: CaseClock,
        rule: Rule,
        now: Timestamp,
    ) -> Result<Option<ColourChange<K>>, CalendarError> {
        let calendar = match &division {
            Some(d) => self.calendars.for_division(d),
            None => self.calendars.base(),
        };
        let outlook = match Outlook::of(&clock, &rule, calendar) {
            Ok(outlook) => outlook,
            Err(e) => {
                self.remove(&case);
                return Err(e);
            }
        };
        let colour = outlook.colour_at(now);
        let next = outlook.next_change_after(now);
        let entry = Entry { division, clock, rule, outlook, colour, next };
        let before = match self.entries.insert(case.clone(), entry) {
            Some(old) => {
                if let Some(t) = old.next {
                    self.queue.remove(&(t, case.clone()));
                }
                old.colour
            }
            None => Colour::Green,
        };
        if let Some(t) = next {
            self.queue.insert((t, case.clone()));
        }
        Ok((before != colour).then(|| change(case, before, colour, &outlook, now)))
    }

    /// After any event on `case`: [`upsert`](Self::upsert) its clock while it runs, or
    /// [`remove`](Self::remove) it once decided, delivered or rejected (no change reported).
    pub fn track(
        &mut self,
        key: K,
        case: &Case,
        rule: Rule,
        now: Timestamp,
    ) -> Result<Option<ColourChange<K>>, CalendarError> {
        match CaseClock::from_case(case) {
            Some(clock) => self.upsert_in(Some(case.division.clone()), key, clock, rule, now),
            None => {
                self.remove(&key);
                Ok(None)
            }
        }
    }

    /// Takes a case off the board (decided, delivered, withdrawn); returns its last colour.
    pub fn remove(&mut self, case: &K) -> Option<Colour> {
        let entry = self.entries.remove(case)?;
        if let Some(t) = entry.next {
            self.queue.remove(&(t, case.clone()));
        }
        Some(entry.colour)
    }

    /// Brings the board to `now`: visits only the cases whose next-change moment is at or
    /// before `now`, and returns their colour changes in the order they became due.
    pub fn tick(&mut self, now: Timestamp) -> Vec<ColourChange<K>> {
        let mut changes = Vec::new();
        while self.queue.first().is_some_and(|(t, _)| *t <= now) {
            let Some((_, case)) = self.queue.pop_first() else {
                break;
            };
            let Some(entry) = self.entries.get_mut(&case) else {
                continue;
            };
            let colour = entry.outlook.colour_at(now);
            entry.next = entry.outlook.next_change_after(now);
            if let Some(t) = entry.next {
                self.queue.insert((t, case.clone()));
            }
            if colour != entry.colour {
                let before = std::mem::replace(&mut entry.colour, colour);
                changes.push(change(case, before, colour, &entry.outlook, now));
            }
        }
        changes
    }

    /// Recomputes every case from its clock and rule with the calendar, rebuilds the index,
    /// and returns what differed: for repair, after a calendar change, or to check the index.
    pub fn full_reevaluation(&mut self, now: Timestamp) -> Reevaluation<K> {
        let mut changes = Vec::new();
        let mut failed = Vec::new();
        let mut schedule = Vec::with_capacity(self.entries.len());
        let calendars = &self.calendars;
        self.entries.retain(|case, entry| {
            let calendar = match &entry.division {
                Some(d) => calendars.for_division(d),
                None => calendars.base(),
            };
            let outlook = match Outlook::of(&entry.clock, &entry.rule, calendar) {
                Ok(outlook) => outlook,
                Err(e) => {
                    failed.push((case.clone(), e));
                    return false;
                }
            };
            let colour = outlook.colour_at(now);
            entry.outlook = outlook;
            entry.next = outlook.next_change_after(now);
            if let Some(t) = entry.next {
                schedule.push((t, case.clone()));
            }
            if colour != entry.colour {
                let before = std::mem::replace(&mut entry.colour, colour);
                changes.push(change(case.clone(), before, colour, &outlook, now));
            }
            true
        });
        schedule.sort_unstable();
        self.queue = schedule.into_iter().collect();
        changes.sort_unstable_by(|a, b| (a.at, &a.case).cmp(&(b.at, &b.case)));
        failed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Reevaluation { changes, failed }
    }

    /// A case's colour, if it is on the board.
    pub fn colour(&self, case: &K) -> Option<Colour> {
        self.entries.get(case).map(|e| e.colour)
    }

    /// When a case's colour next changes without a new event; none if it cannot.
    pub fn next_change(&self, case: &K) -> Option<Timestamp> {
        self.entries.get(case).and_then(|e| e.next)
    }

    /// A case's outlook: when it turns yellow and red.
    pub fn outlook(&self, case: &K) -> Option<&Outlook> {
        self.entries.get(case).map(|e| &e.outlook)
    }

    /// The scheduled changes, earliest first: the first is when the next tick has work
    /// (a worker can sleep until then), and a first one before `now` is the supervision lag.
    pub fn upcoming(&self) -> impl Iterator<Item = (Timestamp, &K)> + '_ {
        self.queue.iter().map(|(t, k)| (*t, k))
    }

    /// Every watched case and its colour, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, Colour)> + '_ {
        self.entries.iter().map(|(k, e)| (k, e.colour))
    }

    /// How many watched cases have each colour.
    pub fn counts(&self) -> ColourCounts {
        let mut counts = ColourCounts::default();
        for e in self.entries.values() {
            match e.colour {
                Colour::Green => counts.green += 1,
                Colour::Yellow => counts.yellow += 1,
                Colour::Red => counts.red += 1,
            }
            counts.suspended += usize::from(e.clock.is_suspended());
        }
        counts
    }

    /// Number of watched cases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no case is watched.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn change<K>(case: K, from: Colour, to: Colour, outlook: &Outlook, now: Timestamp) -> ColourChange<K> {
    let at = match to {
        Colour::Green => now,
        Colour::Yellow | Colour::Red => outlook.since(to),
    };
    ColourChange { case, from, to, at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Limit, Suspension};
    use crate::supervision::clock::tests::at;

    fn clock(accepted: &str, limit: Limit) -> CaseClock {
        CaseClock { accepted_at: at(accepted), limit, suspensions: vec![], suspended_since: None }
    }

    fn rule() -> Rule {
        Rule::new(80, 0).expect("valid")
    }

    #[test]
    fn a_late_tick_reports_the_moments_the_colours_began() {
        let mut board = Board::new(WorkingCalendar::builtin());
        let c = clock("2024-10-08T09:00+08:00", Limit::WorkingHours(1));
        board.upsert("a", c, rule(), at("2024-10-08T09:00+08:00")).expect("covered");
        // Green → red in one late tick: one change, dated one nanosecond after 10:00.
        let changes = board.tick(at("2024-10-08T15:00+08:00"));
        assert_eq!(changes.len(), 1);
        assert_eq!((changes[0].from, changes[0].to), (Colour::Green, Colour::Red));
        assert_eq!(changes[0].at, at("2024-10-08T10:00:00.000000001+08:00"));
        assert_eq!(board.next_change(&"a"), None);
        assert!(board.upcoming().next().is_none());
    }

    #[test]
    fn suspension_unschedules_and_resumption_reschedules() {
        let mut board = Board::new(WorkingCalendar::builtin());
        let mut c = clock("2024-10-08T09:00+08:00", Limit::WorkingHours(2));
        board.upsert(7u64, c.clone(), rule(), at("2024-10-08T09:00+08:00")).expect("covered");
        assert_eq!(board.next_change(&7), Some(at("2024-10-08T10:36+08:00")));
        c.suspended_since = Some(at("2024-10-08T10:00+08:00"));
        board.upsert(7, c.clone(), rule(), at("2024-10-08T10:00+08:00")).expect("covered");
        assert_eq!(board.next_change(&7), None);
        assert!(board.tick(at("2024-10-09T10:00+08:00")).is_empty());
        c.suspended_since = None;
        c.suspensions.push(Suspension { from: at("2024-10-08T10:00+08:00"), until: at("2024-10-09T10:00+08:00") });
        board.upsert(7, c, rule(), at("2024-10-09T10:00+08:00")).expect("covered");
        assert_eq!(board.next_change(&7), Some(at("2024-10-09T10:36+08:00")));
        assert_eq!(board.counts().green, 1);
        assert_eq!(board.remove(&7), Some(Colour::Green));
        assert!(board.is_empty() && board.upcoming().next().is_none());
    }

    #[test]
    fn tracking_a_case_watches_it_until_it_is_decided() {
        use crate::case::CaseEvent;
        use crate::supervision::clock::tests::replayed;

        let accepted = CaseEvent::Accepted {
            limit: Limit::WorkingHours(1),
            due_at: at("2024-09-30T10:00+08:00"),
            calendar_revision: 0,
        };
        let approved = CaseEvent::Approved { note: String::new() };
        let mut board = Board::new(WorkingCalendar::builtin());
        let running = replayed(&[(accepted.clone(), "2024-09-30T09:00+08:00")]);
        let now = at("2024-09-30T09:50+08:00");
        let change = board.track("c", &running, rule(), now).expect("covered");
        assert_eq!(change.map(|c| c.to), Some(Colour::Yellow));
        let decided = replayed(&[(accepted, "2024-09-30T09:00+08:00"), (approved, "2024-09-30T09:55+08:00")]);
        assert_eq!(board.track("c", &decided, rule(), now), Ok(None));
        assert!(board.is_empty());
    }

    #[test]
    fn a_rebuilt_board_names_the_same_alerts() {
        let mut first = Board::new(WorkingCalendar::builtin());
        let c = clock("2024-10-08T09:00+08:00", Limit::WorkingHours(3));
        first.upsert(1u8, c.clone(), rule(), at("2024-10-08T09:00+08:00")).expect("covered");
        let seen: Vec<_> = first.tick(at("2024-10-08T11:50+08:00")).iter().filter_map(ColourChange::alert).collect();
        let mut second = Board::new(WorkingCalendar::builtin());
        let again = second.upsert(1u8, c, rule(), at("2024-10-08T11:55+08:00")).expect("covered");
        assert_eq!(again.and_then(|ch| ch.alert()), seen.first().cloned());
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn full_reevaluation_repairs_and_drops_what_it_cannot_evaluate() {
        let mut board = Board::new(WorkingCalendar::builtin());
        for (k, h) in [(1u32, 1), (2, 2), (3, 40)] {
            let c = clock("2024-10-08T09:00+08:00", Limit::WorkingHours(h));
            board.upsert(k, c, rule(), at("2024-10-08T09:00+08:00")).expect("covered");
        }
        let found = board.full_reevaluation(at("2024-10-08T10:30+08:00"));
        assert_eq!(found.failed, vec![]);
        let to: Vec<_> = found.changes.iter().map(|c| (c.case, c.to)).collect();
        assert_eq!(to, vec![(1, Colour::Red)]);
        // The rebuilt index agrees with a tick: 2 turns yellow at 10:36.
        assert_eq!(board.tick(at("2024-10-08T10:30+08:00")), vec![]);
        assert_eq!(board.tick(at("2024-10-08T10:36+08:00")).len(), 1);
        // A case the new calendar cannot evaluate is taken off the board: due on the last
        // day of 2100 only if Saturday 25 December 2100 is worked.
        let rows = WorkingCalendar::parse_csv("date,kind,name\n2100-12-25,workday,x\n").expect("valid");
        board.set_calendar(WorkingCalendar::new(&rows, Default::default(), &[]).expect("valid"));
        let edge = clock("2100-12-25T09:00+08:00", Limit::WorkingHours(42));
        board.upsert(4u32, edge, rule(), at("2024-10-08T11:00+08:00")).expect("covered with the make-up day");
        board.set_calendar(WorkingCalendar::builtin());
        let found = board.full_reevaluation(at("2024-10-08T11:00+08:00"));
        assert_eq!(found.failed.len(), 1);
        assert_eq!(board.len(), 3);
    }
}
