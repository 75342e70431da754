//! What happens to a case: its events, the source of truth every state is folded from.

use serde::{Deserialize, Serialize};

use super::Submission;
use crate::calendar::Limit;
use crate::division::DivisionCode;
use crate::item::ItemCode;

/// Something that happened to a case. The event log is the source of truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The case was opened.
    Submitted {
        /// The item applied for.
        item: ItemCode,
        /// The catalog version the item was taken from.
        item_version: u32,
        /// Where the case is handled.
        division: DivisionCode,
        /// What was handed in.
        submission: Submission,
    },
    /// Accepted; due at `due_at` unless suspended.
    Accepted {
        /// The limit that runs from now.
        limit: Limit,
        /// When it is due.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// Not accepted.
    Rejected {
        /// Why.
        reason: String,
    },
    /// Correction requested.
    CorrectionRequested {
        /// What to hand in.
        missing: Vec<String>,
        /// Note to the applicant.
        note: String,
    },
    /// Materials handed in after a correction request.
    Resubmitted {
        /// What was handed in.
        materials: Vec<String>,
    },
    /// A step was completed.
    StepCompleted {
        /// Step name.
        step: String,
        /// Note.
        note: String,
    },
    /// The clock stopped.
    Suspended {
        /// Why.
        reason: String,
    },
    /// The clock restarted; the due time moved by the suspension's working time.
    Resumed {
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// Approved.
    Approved {
        /// Note.
        note: String,
    },
    /// Denied.
    Denied {
        /// Why.
        reason: String,
        /// The provision relied on.
        legal_basis: String,
    },
    /// The decision was delivered.
    Delivered {
        /// How (送达方式); free text in events recorded before the methods were fixed.
        #[serde(flatten)]
        method: super::DeliveryMethod,
    },
    /// The owner offered the case to someone.
    HandOverOffered {
        /// The owner.
        from: String,
        /// The offered receiver.
        to: String,
        /// Who made the offer (the owner, their chief or head, a supervisor); absent in
        /// older events, where the owner made it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// 撤回转交 — the open hand-over offer was withdrawn.
    HandOverWithdrawn {
        /// The person it had been offered to.
        to: String,
    },
    /// The receiver took the case over; they are the owner now.
    HandedOver {
        /// The previous owner.
        from: String,
        /// The new owner.
        to: String,
    },
    /// A supervisor moved the case.
    Reassigned {
        /// The previous owner.
        from: String,
        /// The new owner.
        to: String,
    },
    /// The applicant rated the service.
    Rated {
        /// 1–5.
        score: u8,
        /// Comment.
        comment: String,
        /// Where it was given; none in ratings recorded before channels were (the case's
        /// own channel, see `RatingChannel::of_case`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<crate::rating::RatingChannel>,
    },
    /// The department answered a bad rating.
    RatingAnswered {
        /// The answer.
        answer: String,
    },
    /// Sent back to the window; the clock stopped.
    Returned {
        /// Why.
        reason: String,
    },
    /// Reopened after delivery; due again from now.
    Reopened {
        /// Why.
        reason: String,
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision the due time was computed with.
        #[serde(default, skip_serializing_if = "is_zero")]
        calendar_revision: u64,
    },
    /// The working calendar changed under the running case (a year's schedule imported, a
    /// closure added or lifted): its due time computed afresh (时限重算).
    DueRecomputed {
        /// The due time before.
        previous: jiff::Timestamp,
        /// The new due time.
        due_at: jiff::Timestamp,
        /// The calendar revision it was computed with.
        calendar_revision: u64,
        /// Why, in words (e.g. "2027 schedule imported").
        reason: String,
    },
}

#[expect(clippy::trivially_copy_pass_by_ref, reason = "serde's skip_serializing_if passes a reference")]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl CaseEvent {
    /// The event as shown in a case's history: personal data masked as on the case itself.
    pub fn masked(&self) -> CaseEvent {
        match self {
            Self::Submitted { item, item_version, division, submission } => Self::Submitted {
                item: item.clone(),
                item_version: *item_version,
                division: division.clone(),
                submission: Submission { applicant: submission.applicant.masked(), ..submission.clone() },
            },
            other => other.clone(),
        }
    }

    /// Whether the event decides the case (准予 or 不予): what finishes a project step.
    pub fn is_decision(&self) -> bool {
        matches!(self, Self::Approved { .. } | Self::Denied { .. })
    }

    /// The event's stable name (the `type` in its JSON).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Accepted { .. } => "accepted",
            Self::Rejected { .. } => "rejected",
            Self::CorrectionRequested { .. } => "correction_requested",
            Self::Resubmitted { .. } => "resubmitted",
            Self::StepCompleted { .. } => "step_completed",
            Self::Suspended { .. } => "suspended",
            Self::Resumed { .. } => "resumed",
            Self::Approved { .. } => "approved",
            Self::Denied { .. } => "denied",
            Self::Delivered { .. } => "delivered",
            Self::HandOverOffered { .. } => "hand_over_offered",
            Self::HandOverWithdrawn { .. } => "hand_over_withdrawn",
            Self::HandedOver { .. } => "handed_over",
            Self::Reassigned { .. } => "reassigned",
            Self::Rated { .. } => "rated",
            Self::RatingAnswered { .. } => "rating_answered",
            Self::Returned { .. } => "returned",
            Self::Reopened { .. } => "reopened",
            Self::DueRecomputed { .. } => "due_recomputed",
        }
    }
}

/// Ratings at or below this are bad (差评) and must be answered.
pub const BAD_RATING: u8 = 2;

/// Working days a department has to answer a bad rating (差评整改时限).
pub const BAD_RATING_ANSWER_DAYS: u32 = 5;
