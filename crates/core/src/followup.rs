//! Follow-ups (督办事项) of proactive project service: a problem found on a project (对症下药)
//! or a task of a joint review meeting's roadmap (路线图) — something a department owes a
//! project by a working-day deadline. They are supervised like case deadlines: the same
//! colours over the same calendar and rule, from the moment the follow-up was opened until
//! it is done.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Limit, WorkingCalendar};
use crate::supervision::{CaseClock, Colour, Outlook, Rule};

/// The longest deadline a follow-up may be given, in working days (about a year).
pub const MAX_DAYS: u32 = 250;

/// What a follow-up is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// 问题 — a problem found at a training, a visit or a 会商, to be prescribed and solved.
    Problem,
    /// 路线图任务 — a task of a joint review meeting's roadmap.
    RoadmapTask,
}

impl FollowUpKind {
    /// Every kind.
    pub const ALL: [FollowUpKind; 2] = [Self::Problem, Self::RoadmapTask];

    /// The stable name (stored, and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Problem => "problem",
            Self::RoadmapTask => "roadmap_task",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Why a deadline cannot be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FollowUpError {
    /// Zero days, or more than [`MAX_DAYS`].
    #[error("a deadline is 1–{MAX_DAYS} working days, not {0}")]
    BadDays(u32),
    /// The calendar does not cover the deadline.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// The due time of a follow-up opened at `started` with `days` working days: the end of
/// the `days`-th working day after `started`'s, counted as a case's deadline is.
pub fn due_after(cal: &WorkingCalendar, started: Timestamp, days: u32) -> Result<Timestamp, FollowUpError> {
    if days == 0 || days > MAX_DAYS {
        return Err(FollowUpError::BadDays(days));
    }
    Ok(cal.due(started, Limit::WorkingDays(days), &[])?)
}

/// The colour of an open follow-up at `now` and since when it has had it: a case's colour
/// under `rule` for a case accepted at `started` with `days` working days, never suspended.
pub fn colour_at(
    started: Timestamp,
    days: u32,
    rule: &Rule,
    now: Timestamp,
    cal: &WorkingCalendar,
) -> Result<(Colour, Timestamp), CalendarError> {
    let clock =
        CaseClock { accepted_at: started, limit: Limit::WorkingDays(days), suspensions: vec![], suspended_since: None };
    let outlook = Outlook::of(&clock, rule, cal)?;
    let colour = outlook.colour_at(now);
    Ok((colour, outlook.since(colour)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn deadlines_count_working_days_like_cases() {
        let cal = WorkingCalendar::builtin();
        // Monday 2024-09-30 09:00 + 2 working days: 1–7 October are the National Day holiday.
        assert_eq!(due_after(&cal, t("2024-09-30T09:00+08:00"), 2).unwrap(), t("2024-10-09T17:30+08:00"));
        assert_eq!(due_after(&cal, t("2024-09-30T09:00+08:00"), 0), Err(FollowUpError::BadDays(0)));
        assert_eq!(
            due_after(&cal, t("2024-09-30T09:00+08:00"), MAX_DAYS + 1),
            Err(FollowUpError::BadDays(MAX_DAYS + 1))
        );
    }

    #[test]
    fn a_follow_up_turns_yellow_then_red_like_a_case() {
        let cal = WorkingCalendar::builtin();
        let rule = Rule::center_default(&cal);
        let started = t("2024-09-30T09:00+08:00");
        let at = |s: &str| colour_at(started, 2, &rule, t(s), &cal).unwrap();
        assert_eq!(at("2024-10-08T17:29+08:00"), (Colour::Green, started));
        assert_eq!(at("2024-10-09T17:30+08:00"), (Colour::Yellow, t("2024-10-08T17:30+08:00")));
        let (red, since) = at("2024-10-10T09:01+08:00");
        assert_eq!(red, Colour::Red);
        assert!(since > t("2024-10-09T17:30+08:00") && since < t("2024-10-09T17:30:01+08:00"));
        // The oracle: the colour computed from scratch agrees.
        let clock = CaseClock {
            accepted_at: started,
            limit: Limit::WorkingDays(2),
            suspensions: vec![],
            suspended_since: None,
        };
        for s in ["2024-10-08T17:29+08:00", "2024-10-09T17:30+08:00", "2024-10-10T09:01+08:00"] {
            assert_eq!(crate::supervision::colour(&clock, &rule, t(s), &cal).unwrap(), at(s).0);
        }
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for k in FollowUpKind::ALL {
            assert_eq!(FollowUpKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(FollowUpKind::parse("meeting"), None);
    }
}
