//! 申诉复核 — a rating the department holds mistaken or malicious leaves the figures only
//! through an appeal with reasons, reviewed by a supervisor: upheld, it is excluded; rejected,
//! it stays. Both are recorded (and audited by the app).

use serde::{Deserialize, Serialize};

/// Where an appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Lodged; awaiting review.
    Pending,
    /// 申诉成立 — upheld: the rating is excluded from the figures.
    Upheld,
    /// 申诉驳回 — rejected: the rating stays.
    Rejected,
}

impl Verdict {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Upheld => "upheld",
            Self::Rejected => "rejected",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Verdict> {
        [Self::Pending, Self::Upheld, Self::Rejected].into_iter().find(|v| v.as_str() == text)
    }
}

/// An appeal or review refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    /// A rating is appealed once.
    #[error("this rating was appealed already; a rating is appealed once")]
    AlreadyAppealed,
    /// Only a pending appeal is reviewed, to upheld or rejected.
    #[error("only a pending appeal is reviewed, and only to upheld or rejected")]
    NotPending,
    /// Reasons and review notes are required.
    #[error("{0} needs a text of 1 to 2000 characters")]
    Text(&'static str),
}

fn text(what: &'static str, t: &str) -> Result<(), AppealError> {
    if (1..=2000).contains(&t.trim().chars().count()) { Ok(()) } else { Err(AppealError::Text(what)) }
}

/// Checks an appeal against a rating appealed `before` times.
pub fn check_appeal(before: usize, reasons: &str) -> Result<(), AppealError> {
    if before > 0 {
        return Err(AppealError::AlreadyAppealed);
    }
    text("reasons", reasons)
}

/// Checks a review of an appeal that is `current`, deciding `verdict`.
pub fn check_review(current: Verdict, verdict: Verdict, note: &str) -> Result<(), AppealError> {
    if current != Verdict::Pending || verdict == Verdict::Pending {
        return Err(AppealError::NotPending);
    }
    text("note", note)
}

/// Whether a rating with this appeal outcome counts in the figures.
pub fn counts(verdict: Option<Verdict>) -> bool {
    verdict != Some(Verdict::Upheld)
}
