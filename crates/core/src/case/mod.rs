//! Cases (办件): the state machine from submission to delivery.
//!
//! Every change is a typed [`CaseCommand`] that [`Case::handle`] turns into events or a
//! [`CaseError`] naming the broken rule — never a panic. [`Case::apply`] folds an event
//! into the current state, so a case is always the replay of its event log.

mod command;
mod delivery;
mod error;
mod event;
mod handover;
mod machine;
mod number;
mod state;

use serde::{Deserialize, Serialize};

pub use command::CaseCommandKind;
pub use delivery::{DeliveryError, DeliveryMethod, MAX_CARRIER, MAX_TRACKING_NUMBER, MIN_TRACKING_NUMBER};
pub use error::{CaseError, CaseField};
pub use event::{BAD_RATING, BAD_RATING_ANSWER_DAYS, CaseEvent};
pub use handover::{HandOverActor, check_hand_over_by, check_receiver, check_withdraw_by};
pub use machine::{
    Case, Context, MAX_BYTES_PER_CASE, MAX_FILES_PER_CASE, OpenSuspension, OwnerCandidate, check_owner,
    check_upload_quota,
};
pub use number::{BadCaseNumber, CaseNumber};
pub use state::CaseState;

use crate::item::{Channel, ItemCode};

/// Who applies (申请人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Individual or enterprise.
    pub kind: ApplicantKind,
    /// Full name, or the enterprise's registered name.
    pub name: String,
    /// ID card number, or 统一社会信用代码 for an enterprise.
    pub id_number: String,
    /// A phone number to reach them (and to look the case up at a kiosk).
    #[serde(default)]
    pub phone: Option<String>,
}

/// Individual or enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 个人 — a citizen.
    Individual,
    /// 企业 — an enterprise or other organisation.
    Enterprise,
}

/// What an applicant hands in to open a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The applicant.
    pub applicant: Applicant,
    /// The channel it came through.
    pub channel: Channel,
    /// Names of the materials handed in.
    pub materials: Vec<String>,
    /// The first contact (首接): the staff member or hall channel that received it. Owns the case.
    pub owner: String,
    /// 绿色通道 — handled before other cases in every queue: set for the cases a
    /// green-channel project's steps open. Absent in older events, where it reads as false.
    #[serde(default)]
    pub priority: bool,
    /// The account that handed it in; set by the server, never taken from the request.
    /// Absent in older events.
    #[serde(default)]
    pub submitter: Option<Submitter>,
}

/// Who handed a submission in (recorded on every case): the account, and whether the
/// identity the case is in the name of was verified when it came in — by a clerk who saw
/// the document at the window, or because the applicant's account is verified (实名认证)
/// under that very identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submitter {
    /// Login of the account.
    pub account: String,
    /// Whether the applicant's identity was verified at submission.
    pub verified: bool,
}

/// A submission as typed or posted, before it is checked against the item: every front
/// door (the API, the hall's form, a window) parses through here.
#[derive(Debug, Clone, Default)]
pub struct SubmissionRequest {
    /// The item's code.
    pub item: String,
    /// `individual` or `enterprise`.
    pub applicant_kind: String,
    /// The applicant's name.
    pub name: String,
    /// ID card number or credit code.
    pub id_number: String,
    /// A phone, if given.
    pub phone: Option<String>,
    /// `window`, `online`, `kiosk`, `app` or `mail`.
    pub channel: String,
    /// Names of the materials handed in.
    pub materials: Vec<String>,
    /// The staff member receiving it at a window; none: the channel's hall account.
    pub received_by: Option<String>,
}

impl SubmissionRequest {
    /// The item and the submission, or every field that is wrong as (field, why) pairs
    /// (`item`, `channel`, `applicant.kind`).
    pub fn parse(self) -> Result<(ItemCode, Submission), Vec<(String, String)>> {
        let mut errors = Vec::new();
        let item = ItemCode::parse(&self.item).map_err(|e| errors.push(("item".into(), e.to_string()))).ok();
        let channel = Channel::parse(&self.channel).map_err(|e| errors.push(("channel".into(), e.message))).ok();
        let kind = match self.applicant_kind.as_str() {
            "individual" => Some(ApplicantKind::Individual),
            "enterprise" => Some(ApplicantKind::Enterprise),
            other => {
                errors.push((
                    "applicant.kind".into(),
                    format!("unknown applicant kind {other:?} (expected individual or enterprise)"),
                ));
                None
            }
        };
        let (Some(item), Some(channel), Some(kind)) = (item, channel, kind) else {
            return Err(errors);
        };
        let owner = self.received_by.unwrap_or_else(|| format!("hall.{}", channel.as_str()));
        let applicant = Applicant { kind, name: self.name, id_number: self.id_number, phone: self.phone };
        let submission =
            Submission { applicant, channel, materials: self.materials, owner, priority: false, submitter: None };
        Ok((item, submission))
    }
}

impl Applicant {
    /// The applicant as shown to anyone but at a window: identity number and phone masked.
    pub fn masked(&self) -> Applicant {
        Applicant {
            id_number: crate::identity::mask_id_number(&self.id_number),
            phone: self.phone.as_deref().map(crate::identity::mask_phone),
            ..self.clone()
        }
    }
}

/// A command on an existing case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseCommand {
    /// 受理 — accept: the clock starts.
    Accept,
    /// 不予受理 — refuse to accept, with a reason.
    Reject {
        /// Why.
        reason: String,
    },
    /// 补正 — ask for missing or defective materials. The clock does not start.
    RequestCorrection {
        /// The materials to hand in (again).
        missing: Vec<String>,
        /// A note to the applicant.
        #[serde(default)]
        note: String,
    },
    /// The applicant hands in what a correction asked for.
    Resubmit {
        /// Names of the materials handed in now.
        materials: Vec<String>,
    },
    /// A step of the item is done.
    CompleteStep {
        /// The step's name, e.g. 审核.
        step: String,
        /// A note.
        #[serde(default)]
        note: String,
    },
    /// 挂起 — stop the clock.
    Suspend {
        /// Why: expert review, hearing, public notice, field survey …
        reason: String,
    },
    /// Restart the clock.
    Resume,
    /// 准予 — approve.
    Approve {
        /// A note for the decision.
        #[serde(default)]
        note: String,
    },
    /// 不予 — deny with reason and legal basis.
    Deny {
        /// Why.
        reason: String,
        /// The provision relied on.
        legal_basis: String,
    },
    /// 送达 — deliver the decision.
    Deliver {
        /// How: at the window, by mail with its tracking number, electronically.
        #[serde(flatten)]
        method: DeliveryMethod,
    },
    /// 转交 — offer the case to another person; ownership moves when they accept.
    HandOver {
        /// The account that should take it over.
        to: String,
    },
    /// The receiver of a hand-over takes the case.
    TakeOver,
    /// 撤回转交 — withdraw the open hand-over offer: the offered person can no longer take
    /// the case over.
    WithdrawHandOver,
    /// A supervisor moves the case to another owner directly.
    Reassign {
        /// The new owner.
        to: String,
    },
    /// 评价 — the applicant rates the service (好差评), 1 (very dissatisfied) to 5 (very satisfied).
    Rate {
        /// 1–5.
        score: u8,
        /// A comment.
        #[serde(default)]
        comment: String,
    },
    /// 评价 through a named channel (`window_device`, `online`, `kiosk`, `app`, `sms`): one
    /// rating per channel, or a re-rating (`again`) through a channel rated before once its
    /// rectification was fed back (the app checks that, and the rating window).
    RateVia {
        /// 1–5.
        score: u8,
        /// A comment.
        #[serde(default)]
        comment: String,
        /// Where it is given.
        channel: crate::rating::RatingChannel,
        /// A re-rating.
        #[serde(default)]
        again: bool,
    },
    /// 差评整改答复 — the department answers a bad rating (1–2): verified, rectified, told.
    AnswerRating {
        /// The answer shown to the rater.
        answer: String,
    },
    /// 退回 — send an accepted case back to the window for acceptance again: the clock
    /// stops and restarts in full at the new acceptance.
    Return {
        /// Why.
        reason: String,
    },
    /// 重新办理 — reopen a delivered case (e.g. after an administrative review): it is worked
    /// again with its full limit from now.
    Reopen {
        /// Why.
        reason: String,
    },
}

#[cfg(test)]
mod tests;
