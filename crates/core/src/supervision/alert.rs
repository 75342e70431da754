//! What a colour change leads to: an alert (预警/督办) raised once, escalated from the case
//! owner to their chief and to the supervisor as working hours pass, and for an overdue case
//! an accountability record (问责) that the department answers and a supervisor closes.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Colour, ColourChange};
use crate::calendar::{CalendarError, WorkingCalendar};
use crate::org::check_name;

/// The identity of an alert (预警): case, colour and the moment the colour began.
///
/// A case's colours only go green → yellow → red (without a rule change), so this names each
/// warning exactly once however often it is found — by a tick, by a late tick, by a board
/// rebuilt after a restart. A store can make it a unique key and insert with
/// "on conflict do nothing".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AlertKey<K> {
    /// The case.
    pub case: K,
    /// Yellow (预警) or red (超期).
    pub colour: Colour,
    /// When the colour began ([`ColourChange::at`]).
    pub since: Timestamp,
}

/// What an alert watches: an open set of stable names, so that other watches (a rating's
/// rectification, …) add theirs without a schema change. A name is 1–32 lowercase ASCII
/// letters, digits or `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AlertKind(std::borrow::Cow<'static, str>);

impl AlertKind {
    /// The case's own due time (办理时限).
    pub const DUE: AlertKind = AlertKind(std::borrow::Cow::Borrowed("due"));
    /// The owner's act-by time (首接时限) where it differs from the due time.
    pub const ACT_BY: AlertKind = AlertKind(std::borrow::Cow::Borrowed("act_by"));
    /// A hand-over offer not taken up in time (转接超时).
    pub const HAND_OVER: AlertKind = AlertKind(std::borrow::Cow::Borrowed("hand_over"));

    /// Checks a name.
    pub fn parse(name: &str) -> Result<AlertKind, AlertKindError> {
        let ok = (1..=32).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok { Ok(AlertKind(std::borrow::Cow::Owned(name.to_owned()))) } else { Err(AlertKindError(name.to_owned())) }
    }

    /// The stable name (stored, and in the API).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for AlertKind {
    type Error = AlertKindError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        AlertKind::parse(&name)
    }
}

impl From<AlertKind> for String {
    fn from(kind: AlertKind) -> String {
        kind.0.into_owned()
    }
}

/// A name that is not an alert kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an alert kind: 1–32 lowercase letters, digits or _, starting with a letter")]
pub struct AlertKindError(pub String);

/// Who an alert is addressed to, in escalation order (逐级督办).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 承办人 — the case owner, at once.
    Owner,
    /// 科室负责人 — the owner's chief.
    Chief,
    /// 监察员 — the center's supervisor (电子监察室).
    Supervisor,
}

impl Level {
    /// All levels, in escalation order.
    pub const ALL: [Level; 3] = [Self::Owner, Self::Chief, Self::Supervisor];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Chief => "chief",
            Self::Supervisor => "supervisor",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When an alert goes up the chain, in working hours after it was raised (0 = at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EscalationRule {
    /// Working hours until the owner's chief is told.
    pub chief_after_hours: u32,
    /// Working hours until the supervisor is told.
    pub supervisor_after_hours: u32,
}

impl Default for EscalationRule {
    /// The chief after half a working day (4 h), the supervisor after 8 working hours.
    fn default() -> Self {
        EscalationRule { chief_after_hours: 4, supervisor_after_hours: 8 }
    }
}

impl EscalationRule {
    /// Working hours after raising at which `level` is told.
    pub fn after_hours(&self, level: Level) -> u32 {
        match level {
            Level::Owner => 0,
            Level::Chief => self.chief_after_hours,
            Level::Supervisor => self.supervisor_after_hours,
        }
    }
}

/// The moment `level` is due for an alert raised at `raised_at`.
fn moment(
    level: Level,
    raised_at: Timestamp,
    rule: &EscalationRule,
    calendar: &WorkingCalendar,
) -> Result<Timestamp, CalendarError> {
    match u64::from(rule.after_hours(level)) * 60 {
        0 => Ok(raised_at),
        minutes => calendar.add_working_minutes(raised_at, minutes),
    }
}

/// The levels an alert raised at `raised_at` has reached by `now`: the owner at once, the
/// chief and the supervisor once their working hours have passed. (Use [`AlertKey::since`] as
/// `raised_at` so that the answer does not depend on when a worker noticed.) Each
/// (alert, level) is one notice; a store can key notices on the pair.
///
/// ```
/// use tongban_core::calendar::WorkingCalendar;
/// use tongban_core::supervision::{escalations, EscalationRule, Level};
///
/// let cal = WorkingCalendar::builtin();
/// let rule = EscalationRule { chief_after_hours: 4, supervisor_after_hours: 8 };
/// let raised = "2024-09-30T15:00+08:00".parse()?; // Monday before National Day
/// // 2.5 working hours on 30 Sep, then nothing until Tuesday 8 Oct.
/// let levels = escalations(raised, "2024-10-07T12:00+08:00".parse()?, &rule, &cal)?;
/// assert_eq!(levels, [Level::Owner]);
/// let levels = escalations(raised, "2024-10-08T10:30+08:00".parse()?, &rule, &cal)?;
/// assert_eq!(levels, [Level::Owner, Level::Chief]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn escalations(
    raised_at: Timestamp,
    now: Timestamp,
    rule: &EscalationRule,
    calendar: &WorkingCalendar,
) -> Result<Vec<Level>, CalendarError> {
    let mut due = Vec::with_capacity(Level::ALL.len());
    for level in Level::ALL {
        if moment(level, raised_at, rule, calendar)? <= now {
            due.push(level);
        }
    }
    Ok(due)
}

/// The next level an alert raised at `raised_at` will reach after `now`, and when; none once
/// every level has been reached.
pub fn next_escalation(
    raised_at: Timestamp,
    now: Timestamp,
    rule: &EscalationRule,
    calendar: &WorkingCalendar,
) -> Result<Option<(Level, Timestamp)>, CalendarError> {
    let mut next: Option<(Level, Timestamp)> = None;
    for level in Level::ALL {
        let t = moment(level, raised_at, rule, calendar)?;
        if t > now && next.is_none_or(|(_, n)| t < n) {
            next = Some((level, t));
        }
    }
    Ok(next)
}

/// Where an accountability record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountabilityState {
    /// 待说明 — opened; the department must explain.
    Open,
    /// 已说明 — the department has answered; a supervisor must close it.
    Answered,
    /// 已办结 — closed by a supervisor with a conclusion.
    Closed,
}

impl AccountabilityState {
    /// Every state, in the order a record goes through them (the order records are listed).
    pub const ALL: [AccountabilityState; 3] = [Self::Open, Self::Answered, Self::Closed];

    /// The stable name (stored, and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A statement in an accountability record: who, what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Who made it (staff id or department code).
    pub by: String,
    /// What was said.
    pub text: String,
    /// When.
    pub at: Timestamp,
}

/// A move an accountability record does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountabilityError {
    /// Only an open record can be answered.
    #[error("the accountability record is {0:?}; only an open one can be answered")]
    NotOpen(AccountabilityState),
    /// Only an answered record can be closed: the department must explain first.
    #[error("the accountability record is {0:?}; only an answered one can be closed")]
    NotAnswered(AccountabilityState),
    /// An empty or overlong name or text.
    #[error("{0} must be 1–{1} characters")]
    BadText(&'static str, usize),
    /// A statement dated before the step it follows.
    #[error("a statement at {at} cannot come before {previous}")]
    BeforePrevious {
        /// The statement's moment.
        at: Timestamp,
        /// The moment of the step before.
        previous: Timestamp,
    },
}

/// An accountability record (问责): opened when a case turns red, answered by the department
/// (情况说明), closed by a supervisor (处理意见). Open → answered → closed, nothing else.
///
/// Keyed by (case, opened_at), `opened_at` being the red [`AlertKey::since`], so it is opened
/// once however often the change is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountability<K> {
    /// The overdue case.
    pub case: K,
    /// When the case turned red.
    pub opened_at: Timestamp,
    /// Where it stands.
    pub state: AccountabilityState,
    /// The department's explanation, once answered.
    pub answer: Option<Statement>,
    /// The supervisor's conclusion, once closed.
    pub conclusion: Option<Statement>,
}

impl<K: Clone> Accountability<K> {
    /// The record a change to red opens; none for any other change.
    pub fn open(change: &ColourChange<K>) -> Option<Accountability<K>> {
        (change.to == Colour::Red).then(|| Accountability {
            case: change.case.clone(),
            opened_at: change.at,
            state: AccountabilityState::Open,
            answer: None,
            conclusion: None,
        })
    }
}

impl<K> Accountability<K> {
    /// The department answers (情况说明). Changes nothing on error.
    pub fn answer(&mut self, by: &str, text: &str, at: Timestamp) -> Result<(), AccountabilityError> {
        if self.state != AccountabilityState::Open {
            return Err(AccountabilityError::NotOpen(self.state));
        }
        let statement = statement(by, text, at, self.opened_at)?;
        self.answer = Some(statement);
        self.state = AccountabilityState::Answered;
        Ok(())
    }

    /// A supervisor closes the answered record with a conclusion (处理意见). Changes nothing
    /// on error.
    pub fn close(&mut self, by: &str, conclusion: &str, at: Timestamp) -> Result<(), AccountabilityError> {
        let previous = match (&self.state, &self.answer) {
            (AccountabilityState::Answered, Some(answer)) => answer.at,
            (state, _) => return Err(AccountabilityError::NotAnswered(*state)),
        };
        let statement = statement(by, conclusion, at, previous)?;
        self.conclusion = Some(statement);
        self.state = AccountabilityState::Closed;
        Ok(())
    }
}

fn statement(by: &str, text: &str, at: Timestamp, previous: Timestamp) -> Result<Statement, AccountabilityError> {
    let by = check_name("who", by, 64).map_err(|_| AccountabilityError::BadText("who", 64))?;
    let text = check_name("text", text, 4000).map_err(|_| AccountabilityError::BadText("text", 4000))?;
    if at < previous {
        return Err(AccountabilityError::BeforePrevious { at, previous });
    }
    Ok(Statement { by, text, at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervision::clock::tests::at;

    #[test]
    fn alert_kinds_are_an_open_set_of_checked_names() {
        assert_eq!(AlertKind::parse("act_by"), Ok(AlertKind::ACT_BY));
        assert_eq!(AlertKind::parse("rating").map(|k| k.to_string()), Ok("rating".to_owned()));
        for bad in ["", "Due", "1x", "due-time", "x".repeat(33).as_str(), "到期"] {
            assert!(AlertKind::parse(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_string(&AlertKind::HAND_OVER).expect("serialises");
        assert_eq!(json, "\"hand_over\"");
        assert!(serde_json::from_str::<AlertKind>("\"Bad\"").is_err());
    }

    #[test]
    fn escalation_counts_working_hours_only() {
        let cal = WorkingCalendar::builtin();
        let rule = EscalationRule::default();
        let raised = at("2024-09-30T15:00+08:00");
        assert_eq!(escalations(raised, at("2024-09-30T14:59+08:00"), &rule, &cal), Ok(vec![]));
        assert_eq!(
            next_escalation(raised, raised, &rule, &cal),
            Ok(Some((Level::Chief, at("2024-10-08T10:30+08:00"))))
        );
        assert_eq!(
            next_escalation(raised, at("2024-10-08T10:30+08:00"), &rule, &cal),
            Ok(Some((Level::Supervisor, at("2024-10-08T16:00+08:00"))))
        );
        assert_eq!(
            escalations(raised, at("2024-10-08T15:59+08:00"), &rule, &cal),
            Ok(vec![Level::Owner, Level::Chief])
        );
        assert_eq!(escalations(raised, at("2024-10-08T16:00+08:00"), &rule, &cal), Ok(Level::ALL.to_vec()));
        assert_eq!(next_escalation(raised, at("2024-10-08T16:00+08:00"), &rule, &cal), Ok(None));
    }

    #[test]
    fn zero_hours_escalates_at_once() {
        let cal = WorkingCalendar::builtin();
        let rule = EscalationRule { chief_after_hours: 0, supervisor_after_hours: 1 };
        let raised = at("2024-10-01T10:00+08:00"); // a holiday
        assert_eq!(escalations(raised, raised, &rule, &cal), Ok(vec![Level::Owner, Level::Chief]));
        assert_eq!(
            next_escalation(raised, raised, &rule, &cal),
            Ok(Some((Level::Supervisor, at("2024-10-08T10:00+08:00"))))
        );
    }

    fn red() -> ColourChange<u32> {
        ColourChange { case: 9, from: Colour::Yellow, to: Colour::Red, at: at("2024-10-08T17:30:00.000000001+08:00") }
    }

    #[test]
    fn accountability_goes_open_answered_closed() {
        let yellow = ColourChange { to: Colour::Yellow, ..red() };
        assert_eq!(Accountability::open(&yellow), None);
        let mut record = Accountability::open(&red()).expect("red opens one");
        assert_eq!(record.opened_at, red().at);
        let t = at("2024-10-09T10:00+08:00");
        assert_eq!(record.close("jcs.li", "同意", t), Err(AccountabilityError::NotAnswered(AccountabilityState::Open)));
        assert_eq!(record.answer("fgw", "  ", t), Err(AccountabilityError::BadText("text", 4000)));
        assert!(matches!(
            record.answer("fgw", "专家评审延误", at("2024-10-08T09:00+08:00")),
            Err(AccountabilityError::BeforePrevious { .. })
        ));
        assert_eq!(record.state, AccountabilityState::Open);
        record.answer("fgw", " 专家评审延误 ", t).expect("open");
        assert_eq!(record.answer.as_ref().map(|a| a.text.as_str()), Some("专家评审延误"));
        assert_eq!(record.answer("fgw", "again", t), Err(AccountabilityError::NotOpen(AccountabilityState::Answered)));
        record.close("jcs.li", "予以提醒", t).expect("answered");
        assert_eq!(record.state, AccountabilityState::Closed);
        assert_eq!(
            record.close("jcs.li", "again", t),
            Err(AccountabilityError::NotAnswered(AccountabilityState::Closed))
        );
    }
}
