//! 差评整改 — what a bad rating opens: the department verifies it (核实), rectifies (整改) and
//! feeds back to the rater (反馈) within a working-day deadline; the rater then accepts the
//! answer or rates again. One not fed back by its deadline is overdue: alerted and held to
//! account once.

use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Limit, WorkingCalendar};

/// Working days a department has to feed back on a bad rating, unless configured otherwise
/// (差评整改时限): the same limit the supervision concern on an unanswered bad rating counts.
pub const DEFAULT_RECTIFICATION_DAYS: u32 = crate::case::BAD_RATING_ANSWER_DAYS;

/// The kind of the supervision alert (and accountability record) an overdue rectification
/// raises.
pub const ALERT_KIND: &str = "rating";

/// Where a rectification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opened by the bad rating; to be verified.
    Opened,
    /// 已核实 — verified; to be rectified.
    Verified,
    /// 已整改 — rectified; to be fed back.
    Rectified,
    /// 已反馈 — fed back; the rater may accept or rate again.
    FedBack,
    /// The rater accepted the answer. Closed.
    Accepted,
    /// The rater rated again. Closed.
    Rerated,
}

impl Stage {
    /// All stages, in order.
    pub const ALL: [Stage; 6] =
        [Self::Opened, Self::Verified, Self::Rectified, Self::FedBack, Self::Accepted, Self::Rerated];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Verified => "verified",
            Self::Rectified => "rectified",
            Self::FedBack => "fed_back",
            Self::Accepted => "accepted",
            Self::Rerated => "rerated",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the department still owes the rater its feedback.
    pub fn awaits_department(self) -> bool {
        matches!(self, Self::Opened | Self::Verified | Self::Rectified)
    }

    /// Whether it is closed.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Accepted | Self::Rerated)
    }
}

/// A step taken on a rectification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 核实 — the department checks what happened (department).
    Verify,
    /// 整改 — the department puts it right (department).
    Rectify,
    /// 反馈 — the department tells the rater (department).
    FeedBack,
    /// The rater accepts the answer (rater).
    Accept,
    /// The rater rates again (rater).
    Rerate,
}

impl Step {
    /// All steps.
    pub const ALL: [Step; 5] = [Self::Verify, Self::Rectify, Self::FeedBack, Self::Accept, Self::Rerate];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Rectify => "rectify",
            Self::FeedBack => "feed_back",
            Self::Accept => "accept",
            Self::Rerate => "rerate",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Taken by the rater, not the department.
    pub fn by_rater(self) -> bool {
        matches!(self, Self::Accept | Self::Rerate)
    }

    /// Whether it carries a text (what was found, done, told).
    pub fn needs_text(self) -> bool {
        matches!(self, Self::Verify | Self::Rectify | Self::FeedBack)
    }
}

/// A step refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RectificationError {
    /// Out of order.
    #[error(
        "a rectification that is {from} cannot be taken to {step}: verify, rectify, feed back, then the rater accepts or rates again"
    )]
    OutOfOrder {
        /// Where it stands.
        from: &'static str,
        /// The step tried.
        step: &'static str,
    },
    /// The step needs a text.
    #[error("{0} needs a text of 1 to 2000 characters")]
    Text(&'static str),
}

/// The stage after `step` from `stage`.
pub fn advance(stage: Stage, step: Step, text: &str) -> Result<Stage, RectificationError> {
    let next = match (stage, step) {
        (Stage::Opened, Step::Verify) => Stage::Verified,
        (Stage::Verified, Step::Rectify) => Stage::Rectified,
        (Stage::Rectified, Step::FeedBack) => Stage::FedBack,
        (Stage::FedBack, Step::Accept) => Stage::Accepted,
        (Stage::FedBack, Step::Rerate) => Stage::Rerated,
        _ => return Err(RectificationError::OutOfOrder { from: stage.as_str(), step: step.as_str() }),
    };
    let len = text.trim().chars().count();
    if step.needs_text() && !(1..=2000).contains(&len) {
        return Err(RectificationError::Text(step.as_str()));
    }
    Ok(next)
}

/// When a rectification opened at `opened_at` must be fed back: the end of the `days`-th
/// working day after.
pub fn due(
    calendar: &WorkingCalendar,
    opened_at: jiff::Timestamp,
    days: u32,
) -> Result<jiff::Timestamp, CalendarError> {
    calendar.due(opened_at, Limit::WorkingDays(days), &[])
}

/// Whether a rectification is overdue at `now`: the department still owes its feedback and
/// the deadline has passed.
pub fn is_overdue(stage: Stage, due_at: jiff::Timestamp, now: jiff::Timestamp) -> bool {
    stage.awaits_department() && now > due_at
}
