//! Electronic supervision (电子监察, DOMAIN.md §8): every running case measured against its
//! due time, the alerts and accountability records that follow, the other watched
//! conditions, and the center's figures. Pure: "now" is always an argument.
//!
//! # Colours
//!
//! A running case (accepted, in process or suspended) is
//! - [`Colour::Red`] (超期) when overdue: `now > due`, the due time extended by every
//!   suspension ([`WorkingCalendar::due`](crate::calendar::WorkingCalendar::due));
//! - otherwise [`Colour::Yellow`] (预警) when its [`Rule`] says so: at least P % of the allowed
//!   working minutes used, or at most N working minutes left;
//! - otherwise [`Colour::Green`] (正常).
//!
//! **Suspension freezes the colour.** While a case is suspended (挂起) its clock stops, and so
//! does its colour: a suspended case has the colour it had at the instant the suspension
//! started. Used time cannot grow during a suspension anyway, so this only matters in one
//! corner: a case suspended exactly at its due moment (nothing left, not yet overdue) stays
//! yellow while suspended and turns red on resumption, since a suspension after the limit is
//! used up does not extend the due time.
//!
//! Without a rule change the colours of a case only ever go green → yellow → red, so each case
//! has at most one yellow and one red episode, and [`AlertKey`] (case, colour, the moment the
//! colour began) names each exactly once, however often and from wherever it is computed.
//!
//! Decided, delivered and rejected cases are not watched ([`CaseClock::from_case`] is none).
//!
//! # Pieces
//!
//! - [`colour`] from scratch, [`next_change`] and [`Outlook`]: one case at one moment;
//! - [`Board`]: every running case's colour, indexed by the next moment it can change, so a
//!   [`tick`](Board::tick) touches only the cases that change;
//! - [`AlertKey`], [`escalations`], [`Accountability`] (问责): what a change leads to;
//! - [`concerns`]: the other watched conditions of a case;
//! - [`figures`], [`roll_up`]: the center's figures by department, window, staff, item or
//!   division.

mod alert;
mod board;
mod clock;
mod concern;
mod figures;
mod rule;
mod watch;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use alert::{
    Accountability, AccountabilityError, AccountabilityState, AlertKey, AlertKind, AlertKindError, EscalationRule,
    Level, Statement, escalations, next_escalation,
};
pub use board::{Board, ColourChange, ColourCounts, Reevaluation};
pub use clock::{CaseClock, Outlook, colour, next_change};
pub use concern::{
    Concern, Decision, concerns, decided_without_authority, decision_concern, missing_materials, repeated_correction,
    unanswered_bad_rating,
};
pub use figures::{
    CaseFacts, FigureSpec, Figures, GroupBy, GroupKey, Period, Ratio, figures, month_of, on_time, roll_up,
};
pub use rule::{Rule, RuleBook, RuleError};
pub use watch::{ACT_BY_LIMIT, HandOverRule, Watches, act_by_clock, hand_over_clock, hand_over_expires, raises};

/// A running case's supervision colour (红黄绿灯). Ordered green < yellow < red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    /// 绿灯 — normal: time enough left.
    Green,
    /// 黄灯 — warning (预警): most of the limit used or little time left.
    Yellow,
    /// 红灯 — overdue (超期).
    Red,
}

impl Colour {
    /// All colours, green first.
    pub const ALL: [Colour; 3] = [Self::Green, Self::Yellow, Self::Red];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }

    /// The Chinese name used on the supervision screen.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Green => "绿灯",
            Self::Yellow => "黄灯",
            Self::Red => "红灯",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
