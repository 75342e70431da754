//! 好差评 — ratings as the national rules have them (国办发〔2019〕51号, GB/T 39734-2020):
//! five levels, one rating per case per channel, given inside a rating window after
//! delivery; a bad rating opens a rectification ([`rectification`]) and is taken out of the
//! figures only through a reviewed appeal ([`appeal`]); satisfaction sums them up
//! ([`satisfaction`]).

pub mod appeal;
pub mod rectification;
pub mod satisfaction;

use serde::{Deserialize, Serialize};

use crate::calendar::{CalendarError, Limit, WorkingCalendar};
use crate::item::Channel;

/// Working days after delivery in which a case may be rated, unless configured otherwise.
/// The national notice leaves the period to each place; ten working days gives a rater two
/// working weeks, SMS invitations included, and closes the figures of a month soon after.
pub const DEFAULT_RATING_DAYS: u32 = 10;

/// The five levels (评价等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 非常不满意 — 1.
    VeryDissatisfied = 1,
    /// 不满意 — 2.
    Dissatisfied = 2,
    /// 基本满意 — 3.
    FairlySatisfied = 3,
    /// 满意 — 4.
    Satisfied = 4,
    /// 非常满意 — 5.
    VerySatisfied = 5,
}

impl Level {
    /// All levels, worst first.
    pub const ALL: [Level; 5] =
        [Self::VeryDissatisfied, Self::Dissatisfied, Self::FairlySatisfied, Self::Satisfied, Self::VerySatisfied];

    /// The level of a score 1–5.
    pub fn from_score(score: u8) -> Result<Level, RatingError> {
        Self::ALL.get(usize::from(score).wrapping_sub(1)).copied().ok_or(RatingError::Score(score))
    }

    /// Its score, 1–5.
    pub fn score(self) -> u8 {
        self as u8
    }

    /// 差评 — 不满意 or 非常不满意: opens a rectification.
    pub fn is_bad(self) -> bool {
        self <= Self::Dissatisfied
    }

    /// Counts as satisfied in the figures: 基本满意 and above.
    pub fn is_satisfied(self) -> bool {
        self >= Self::FairlySatisfied
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::VeryDissatisfied => "非常不满意",
            Self::Dissatisfied => "不满意",
            Self::FairlySatisfied => "基本满意",
            Self::Satisfied => "满意",
            Self::VerySatisfied => "非常满意",
        }
    }
}

/// Where a rating was given (评价渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// 窗口评价器 — the device at the window.
    WindowDevice,
    /// 网上评价 — the online hall.
    Online,
    /// 自助终端 — a kiosk.
    Kiosk,
    /// 移动端 — the app.
    App,
    /// 短信评价 — a reply to the SMS invitation.
    Sms,
}

impl RatingChannel {
    /// All channels.
    pub const ALL: [RatingChannel; 5] = [Self::WindowDevice, Self::Online, Self::Kiosk, Self::App, Self::Sms];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WindowDevice => "window_device",
            Self::Online => "online",
            Self::Kiosk => "kiosk",
            Self::App => "app",
            Self::Sms => "sms",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Result<RatingChannel, RatingError> {
        Self::ALL.into_iter().find(|c| c.as_str() == text.trim()).ok_or_else(|| RatingError::Channel(text.to_owned()))
    }

    /// The channel a rating without one was given through: where the case came in (a mailed
    /// case is rated by SMS). Used for ratings recorded before channels were.
    pub fn of_case(channel: Channel) -> RatingChannel {
        match channel {
            Channel::Window => Self::WindowDevice,
            Channel::Online => Self::Online,
            Channel::Kiosk => Self::Kiosk,
            Channel::App => Self::App,
            Channel::Mail => Self::Sms,
        }
    }
}

/// A rating refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    /// Not 1–5.
    #[error("a rating is a score from 1 (非常不满意) to 5 (非常满意), not {0}")]
    Score(u8),
    /// An unknown channel.
    #[error("unknown rating channel {0:?}: window_device, online, kiosk, app or sms")]
    Channel(String),
    /// Not delivered yet.
    #[error("a case is rated after it is delivered")]
    NotDelivered,
    /// Outside the rating window.
    #[error("the rating window closed at {closed}: a case is rated within {days} working days of delivery")]
    WindowClosed {
        /// When it closed.
        closed: jiff::Timestamp,
        /// Its length.
        days: u32,
    },
    /// Rated through this channel already.
    #[error("the case was already rated through {0}; one rating per case per channel")]
    AlreadyRated(&'static str),
    /// The calendar cannot say.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// Whether `role` may give a rating through `channel`: the applicant through any channel; a
/// window clerk only records what the applicant pressed on the device at their window.
pub fn may_rate(role: crate::identity::Role, channel: RatingChannel) -> bool {
    use crate::identity::Role as R;
    role == R::Applicant || (role == R::WindowClerk && channel == RatingChannel::WindowDevice)
}

/// When the rating window of a case delivered at `delivered_at` closes: the end of the
/// `days`-th working day after the delivery day.
pub fn rating_closes(
    calendar: &WorkingCalendar,
    delivered_at: jiff::Timestamp,
    days: u32,
) -> Result<jiff::Timestamp, RatingError> {
    Ok(calendar.due(delivered_at, Limit::WorkingDays(days), &[])?)
}

/// Checks that a case delivered at `delivered_at` (none: not delivered) may be rated at `now`
/// through `channel`, given the channels it was rated through already.
pub fn check_rating(
    calendar: &WorkingCalendar,
    delivered_at: Option<jiff::Timestamp>,
    days: u32,
    channel: RatingChannel,
    rated: &[RatingChannel],
    now: jiff::Timestamp,
) -> Result<(), RatingError> {
    let delivered = delivered_at.ok_or(RatingError::NotDelivered)?;
    if rated.contains(&channel) {
        return Err(RatingError::AlreadyRated(channel.as_str()));
    }
    let closed = rating_closes(calendar, delivered, days)?;
    if now > closed {
        return Err(RatingError::WindowClosed { closed, days });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
