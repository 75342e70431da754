//! The states of a case and which moves between them are allowed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a case stands in its life (DOMAIN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 申请 — submitted, waiting for a window to accept it.
    Submitted,
    /// 补正 — the applicant must hand in missing materials; the clock has not started.
    CorrectionRequested,
    /// 不予受理 — not accepted, with a reason. Final.
    Rejected,
    /// 受理 — accepted; the clock runs.
    Accepted,
    /// 办理中 — being worked through the item's steps.
    InProcess,
    /// 挂起 — suspended (expert review, hearing, public notice, field survey): the clock stops.
    Suspended,
    /// 准予 — approved, waiting for delivery.
    Approved,
    /// 不予 — denied with reason and legal basis, waiting for delivery.
    Denied,
    /// 送达/办结 — the decision has been delivered. Final.
    Delivered,
}

impl CaseState {
    /// All states.
    pub const ALL: [CaseState; 9] = [
        Self::Submitted,
        Self::CorrectionRequested,
        Self::Rejected,
        Self::Accepted,
        Self::InProcess,
        Self::Suspended,
        Self::Approved,
        Self::Denied,
        Self::Delivered,
    ];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::CorrectionRequested => "correction_requested",
            Self::Rejected => "rejected",
            Self::Accepted => "accepted",
            Self::InProcess => "in_process",
            Self::Suspended => "suspended",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Delivered => "delivered",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// True while the clock can run: accepted and not yet decided.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Accepted | Self::InProcess | Self::Suspended)
    }

    /// True when nothing more can happen to the case.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Rejected | Self::Delivered)
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
