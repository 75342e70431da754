//! The names of the case commands, and which of them a case offers in its state.
//!
//! [`CaseCommandKind`] is the one vocabulary: the authorization table, the API and the
//! pages all name commands through it, so a command cannot be known to one door and not to
//! the other.

use std::fmt;

use super::{BAD_RATING, Case, CaseCommand, CaseState};
use crate::identity::{Power, Role};
use crate::item::Category;

/// A case command without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseCommandKind {
    /// 受理.
    Accept,
    /// 不予受理.
    Reject,
    /// 补正告知.
    RequestCorrection,
    /// 补正材料.
    Resubmit,
    /// A step done.
    CompleteStep,
    /// 挂起.
    Suspend,
    /// 恢复.
    Resume,
    /// 准予.
    Approve,
    /// 不予.
    Deny,
    /// 送达.
    Deliver,
    /// 转交.
    HandOver,
    /// 接收转交.
    TakeOver,
    /// 撤回转交.
    WithdrawHandOver,
    /// 改派.
    Reassign,
    /// 评价.
    Rate,
    /// 差评整改答复.
    AnswerRating,
    /// 退回.
    Return,
    /// 重新办理.
    Reopen,
}

impl CaseCommandKind {
    /// Every command, in the order a case page lists them.
    pub const ALL: [CaseCommandKind; 18] = [
        Self::Accept,
        Self::RequestCorrection,
        Self::Reject,
        Self::Resubmit,
        Self::CompleteStep,
        Self::Suspend,
        Self::Resume,
        Self::Approve,
        Self::Deny,
        Self::Return,
        Self::Deliver,
        Self::Reopen,
        Self::Rate,
        Self::AnswerRating,
        Self::HandOver,
        Self::TakeOver,
        Self::WithdrawHandOver,
        Self::Reassign,
    ];

    /// The stable name (the `action` of the API, the form value of the pages).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::RequestCorrection => "request_correction",
            Self::Resubmit => "resubmit",
            Self::CompleteStep => "complete_step",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Approve => "approve",
            Self::Deny => "deny",
            Self::Deliver => "deliver",
            Self::HandOver => "hand_over",
            Self::TakeOver => "take_over",
            Self::WithdrawHandOver => "withdraw_hand_over",
            Self::Reassign => "reassign",
            Self::Rate => "rate",
            Self::AnswerRating => "answer_rating",
            Self::Return => "return",
            Self::Reopen => "reopen",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The delegated power the command needs, if any: deciding a case takes authority
    /// delegated down a recorded chain; handing it on, rating or answering a rating does not.
    pub fn power(self) -> Option<Power> {
        match self {
            Self::Accept | Self::Reject | Self::RequestCorrection => Some(Power::Accept),
            Self::CompleteStep | Self::Suspend | Self::Resume | Self::Return => Some(Power::Review),
            Self::Approve | Self::Deny | Self::Reopen => Some(Power::Approve),
            Self::Deliver => Some(Power::Deliver),
            Self::Resubmit
            | Self::HandOver
            | Self::TakeOver
            | Self::WithdrawHandOver
            | Self::Reassign
            | Self::Rate
            | Self::AnswerRating => None,
        }
    }

    /// Whether a case in `state` takes the command at all (its arguments aside).
    pub fn offered_in(self, state: CaseState) -> bool {
        use CaseState as S;
        match self {
            Self::Accept | Self::RequestCorrection => state == S::Submitted,
            Self::Reject => matches!(state, S::Submitted | S::CorrectionRequested),
            Self::Resubmit => state == S::CorrectionRequested,
            Self::CompleteStep | Self::Suspend | Self::Approve | Self::Deny | Self::Return => {
                matches!(state, S::Accepted | S::InProcess)
            }
            Self::Resume => state == S::Suspended,
            Self::Deliver => matches!(state, S::Approved | S::Denied),
            Self::Rate | Self::AnswerRating | Self::Reopen => state == S::Delivered,
            Self::HandOver | Self::TakeOver | Self::WithdrawHandOver | Self::Reassign => !state.is_final(),
        }
    }
}

impl fmt::Display for CaseCommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CaseCommand {
    /// The command without its arguments.
    pub fn kind(&self) -> CaseCommandKind {
        use CaseCommandKind as K;
        match self {
            Self::Accept => K::Accept,
            Self::Reject { .. } => K::Reject,
            Self::RequestCorrection { .. } => K::RequestCorrection,
            Self::Resubmit { .. } => K::Resubmit,
            Self::CompleteStep { .. } => K::CompleteStep,
            Self::Suspend { .. } => K::Suspend,
            Self::Resume => K::Resume,
            Self::Approve { .. } => K::Approve,
            Self::Deny { .. } => K::Deny,
            Self::Deliver { .. } => K::Deliver,
            Self::HandOver { .. } => K::HandOver,
            Self::TakeOver => K::TakeOver,
            Self::WithdrawHandOver => K::WithdrawHandOver,
            Self::Reassign { .. } => K::Reassign,
            Self::Rate { .. } | Self::RateVia { .. } => K::Rate,
            Self::AnswerRating { .. } => K::AnswerRating,
            Self::Return { .. } => K::Return,
            Self::Reopen { .. } => K::Reopen,
        }
    }

    /// The command's stable name.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The delegated power the command needs, if any.
    pub fn power(&self) -> Option<Power> {
        self.kind().power()
    }
}

impl Case {
    /// Whether the case, as it stands, takes a command of `kind` from `actor`: its state
    /// allows it, a hand-over is taken only by the one it is offered to and withdrawn only
    /// while one is open, a case is rated once
    /// and only a bad rating is answered, once.
    pub fn takes(&self, kind: CaseCommandKind, actor: &str) -> bool {
        use CaseCommandKind as K;
        kind.offered_in(self.state)
            && match kind {
                K::TakeOver => self.pending_handover.as_deref() == Some(actor),
                K::WithdrawHandOver => self.pending_handover.is_some(),
                // The case page rates through the channel the case came in by; the other
                // channels rate through their own doors (`CaseCommand::RateVia`).
                K::Rate => !self.rated_channels.contains(&crate::rating::RatingChannel::of_case(self.channel)),
                K::AnswerRating => self.rating.is_some_and(|r| r <= BAD_RATING) && self.rating_answered_at.is_none(),
                _ => true,
            }
    }

    /// The commands `actor`, in `role`, can try on the case (of an item in `category`) now:
    /// the ones the case takes and the role may attempt on such an item
    /// ([`crate::access::role_may_on_item`]). Delegated authority and the case's department
    /// are checked when the command is made; this is what each door offers.
    pub fn available(&self, role: Role, actor: &str, category: Category) -> Vec<CaseCommandKind> {
        CaseCommandKind::ALL
            .into_iter()
            .filter(|&k| self.takes(k, actor) && crate::access::role_may_on_item(role, k, category))
            .collect()
    }
}
