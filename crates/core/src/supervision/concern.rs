//! Watched conditions other than time (其他监察事项): plain predicates over a case — repeated
//! corrections, acceptance with materials missing, cases sent back (退回) or reopened
//! (重新办理), bad ratings left unanswered (差评整改) — and over its decisions: each must have
//! been taken under authority valid at that moment.

use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::case::{BAD_RATING, Case, CaseEvent};
use crate::delegation::Delegations;
use crate::identity::Power;
use crate::item::ServiceItem;

/// Something about a case the supervisor should look at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Concern {
    /// 多次补正 — the applicant was asked for corrections more than once (一次性告知 broken).
    RepeatedCorrection {
        /// How many correction requests so far.
        times: u32,
    },
    /// 材料不全受理 — accepted although required materials are missing.
    AcceptedWithMissingMaterials {
        /// The required materials not handed in, in the item's order.
        missing: Vec<String>,
    },
    /// 退回 — sent back to the window after acceptance.
    Returned {
        /// How many times.
        times: u32,
    },
    /// 重新办理 — reopened after delivery.
    Reopened {
        /// How many times.
        times: u32,
    },
    /// 差评 — a bad rating not answered yet.
    BadRatingUnanswered {
        /// The score, 1–2.
        score: u8,
        /// When the answer is due (差评整改时限); none when the calendar cannot say.
        due: Option<jiff::Timestamp>,
    },
    /// 无权审批 — a decision (准予, 不予) taken without authority valid at that moment.
    DecisionWithoutAuthority {
        /// The decision's event kind (`approved`, `denied`).
        decision: String,
        /// Who took it.
        actor: String,
        /// When.
        at: jiff::Timestamp,
    },
    /// An administrator alone gave an account a role that decides cases (a department head's
    /// or a center leader's): for a supervisor to review (the guardrail chosen over a second
    /// administrator's approval).
    DecisionPowerConferred {
        /// The role given.
        role: String,
        /// The administrator who gave it.
        by: String,
        /// When.
        at: jiff::Timestamp,
    },
}

impl Concern {
    /// The concern's stable name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RepeatedCorrection { .. } => "repeated_correction",
            Self::AcceptedWithMissingMaterials { .. } => "accepted_with_missing_materials",
            Self::Returned { .. } => "returned",
            Self::Reopened { .. } => "reopened",
            Self::BadRatingUnanswered { .. } => "bad_rating",
            Self::DecisionWithoutAuthority { .. } => "decision_without_valid_authority",
            Self::DecisionPowerConferred { .. } => "decision_power_conferred",
        }
    }
}

/// Whether corrections were requested more than once; their number if so.
pub fn repeated_correction(case: &Case) -> Option<u32> {
    (case.corrections > 1).then_some(case.corrections)
}

/// The item's required materials that an accepted case lacks; empty for a case not accepted
/// (before acceptance, missing materials are what correction is for). `item` must be the
/// version the case was applied under.
pub fn missing_materials(case: &Case, item: &ServiceItem) -> Vec<String> {
    if case.accepted_at.is_none() {
        return Vec::new();
    }
    item.required_materials()
        .filter(|required| !case.materials.iter().any(|m| m == required))
        .map(str::to_owned)
        .collect()
}

/// When a bad rating of `case` must be answered, if it has one still unanswered: its score
/// and the due time, `answer_days` working days after the rating on `calendar` (the
/// center's rectification limit, [`crate::case::BAD_RATING_ANSWER_DAYS`] unless configured).
pub fn unanswered_bad_rating(
    case: &Case,
    calendar: &WorkingCalendar,
    answer_days: u32,
) -> Option<(u8, Option<jiff::Timestamp>)> {
    let score = case.rating.filter(|s| *s <= BAD_RATING)?;
    if case.rating_answered_at.is_some() {
        return None;
    }
    Some((score, case.rated_at.and_then(|t| calendar.add_working_days(t, answer_days).ok())))
}

/// Everything about `case` (of `item`, worked on `calendar`, a bad rating to be answered
/// within `answer_days` working days) that is watched besides its colour and its decisions:
/// the conditions it stands in now, each of a kind at most once.
pub fn concerns(case: &Case, item: &ServiceItem, calendar: &WorkingCalendar, answer_days: u32) -> Vec<Concern> {
    let mut found = Vec::new();
    if let Some(times) = repeated_correction(case) {
        found.push(Concern::RepeatedCorrection { times });
    }
    let missing = missing_materials(case, item);
    if !missing.is_empty() {
        found.push(Concern::AcceptedWithMissingMaterials { missing });
    }
    if case.returns > 0 {
        found.push(Concern::Returned { times: case.returns });
    }
    if case.reopens > 0 {
        found.push(Concern::Reopened { times: case.reopens });
    }
    if let Some((score, due)) = unanswered_bad_rating(case, calendar, answer_days) {
        found.push(Concern::BadRatingUnanswered { score, due });
    }
    found
}

/// A decision taken on a case, as its event records it.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// The event.
    pub event: &'a CaseEvent,
    /// Who took it.
    pub actor: &'a str,
    /// When.
    pub at: jiff::Timestamp,
    /// The grant chain recorded with it, root first; empty for authority by office, none
    /// when nothing was recorded.
    pub authority: Option<&'a [String]>,
}

/// Whether `decision` on a case of `item` was taken without valid authority: a decision
/// (准予, 不予) needs a delegated power, so its recorded chain must have ended at the actor
/// and been valid at that moment; authority by office must have been held then. Events that
/// decide nothing are never concerns.
pub fn decided_without_authority(decision: &Decision<'_>, item: &ServiceItem, delegations: &Delegations) -> bool {
    let power = match decision.event {
        CaseEvent::Approved { .. } | CaseEvent::Denied { .. } => Power::Approve,
        _ => return false,
    };
    let valid = decision.authority.is_some_and(|chain| match chain.last() {
        None => delegations
            .authority(decision.actor, &item.department, &item.code, power, decision.at)
            .is_some_and(|c| c.is_empty()),
        Some(leaf) => delegations
            .grant(leaf)
            .is_some_and(|g| g.grantee == decision.actor && delegations.chain_is_valid(g, decision.at).is_some()),
    });
    !valid
}

/// The concern `decision` raises when it was taken without valid authority
/// ([`decided_without_authority`]).
pub fn decision_concern(decision: &Decision<'_>, item: &ServiceItem, delegations: &Delegations) -> Option<Concern> {
    decided_without_authority(decision, item, delegations).then(|| Concern::DecisionWithoutAuthority {
        decision: decision.event.kind().to_owned(),
        actor: decision.actor.to_owned(),
        at: decision.at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Limit;
    use crate::case::BAD_RATING_ANSWER_DAYS;
    use crate::case::CaseEvent;
    use crate::item::tests::sample_item;
    use crate::supervision::clock::tests::{at, replayed};

    fn accepted() -> CaseEvent {
        CaseEvent::Accepted { limit: Limit::WorkingDays(5), due_at: at("2024-10-14T17:30+08:00"), calendar_revision: 0 }
    }

    fn correction() -> CaseEvent {
        CaseEvent::CorrectionRequested { missing: vec!["营业执照".into()], note: String::new() }
    }

    #[test]
    fn accepted_without_a_required_material_is_a_concern() {
        let item = sample_item(); // requires 项目备案申请表 and 营业执照
        let pending = replayed(&[]);
        assert_eq!(concerns(&pending, &item, &WorkingCalendar::builtin(), BAD_RATING_ANSWER_DAYS), vec![]);
        let case = replayed(&[(accepted(), "2024-09-30T09:00+08:00")]);
        assert_eq!(
            concerns(&case, &item, &WorkingCalendar::builtin(), BAD_RATING_ANSWER_DAYS),
            vec![Concern::AcceptedWithMissingMaterials { missing: vec!["营业执照".into()] }]
        );
    }

    #[test]
    fn a_bad_rating_is_due_within_the_centers_rectification_limit() {
        let rated = CaseEvent::Rated { score: 1, comment: String::new(), channel: None };
        // Rated on Monday 12 October 2026 10:00: the limit is counted in working days.
        let case = replayed(&[(rated, "2026-10-12T10:00+08:00")]);
        let calendar = WorkingCalendar::builtin();
        let due = |days| unanswered_bad_rating(&case, &calendar, days).and_then(|(_, due)| due);
        // One working day: the end of the next working day.
        assert_eq!(due(1), Some(at("2026-10-13T17:30+08:00")));
        assert_eq!(due(5), calendar.add_working_days(at("2026-10-12T10:00+08:00"), 5).ok());
        assert!(due(3) < due(5));
    }

    #[test]
    fn a_second_correction_request_is_a_concern() {
        let item = sample_item();
        let resubmitted = CaseEvent::Resubmitted { materials: vec!["营业执照".into()] };
        let once =
            replayed(&[(correction(), "2024-09-30T09:00+08:00"), (resubmitted.clone(), "2024-09-30T10:00+08:00")]);
        assert_eq!(repeated_correction(&once), None);
        let twice = replayed(&[
            (correction(), "2024-09-30T09:00+08:00"),
            (resubmitted.clone(), "2024-09-30T10:00+08:00"),
            (correction(), "2024-09-30T11:00+08:00"),
            (resubmitted, "2024-09-30T12:00+08:00"),
            (accepted(), "2024-09-30T13:30+08:00"),
        ]);
        assert_eq!(
            concerns(&twice, &item, &WorkingCalendar::builtin(), BAD_RATING_ANSWER_DAYS),
            vec![Concern::RepeatedCorrection { times: 2 }]
        );
    }
}
