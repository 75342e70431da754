//! Notices (通知): what the center tells an applicant or a staff member when something
//! happens to a case — by the hall's own inbox (站内信), e-mail, SMS, WeChat subscribe
//! messages or Web Push — and the rules for whom, on which channel, and when.

use serde::{Deserialize, Serialize};

mod address;
mod event;
pub mod policy;
pub mod template;

pub use address::{AddressError, MAX_EMAIL_CHARS, check_email, check_mobile};
pub use event::{Audience, NoticeEvent, applicant_recipient, case_event_fields};
pub use template::{NoticeTemplate, ParamKind, Rendered, TemplateError, TemplateParam};

/// A way a notice reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The hall's own inbox (站内信): always on, needs no consent.
    Inbox,
    /// E-mail over SMTP.
    Email,
    /// SMS through the deployment's gateway (Aliyun or Tencent Cloud).
    Sms,
    /// A WeChat subscribe message (订阅消息).
    Wechat,
    /// Web Push to the installed online hall (移动APP客户端).
    Push,
}

impl Channel {
    /// Every channel, in the order a statutory notice falls back through them.
    pub const ALL: [Channel; 5] = [Channel::Inbox, Channel::Sms, Channel::Wechat, Channel::Email, Channel::Push];

    /// The stable name (API, database).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Inbox => "inbox",
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
            Channel::Push => "push",
        }
    }

    /// The channel named `name`.
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// Written with its event, waiting for the worker (or for a retry).
    Queued,
    /// Handed to the provider; its answer is not recorded yet (in doubt after a crash).
    Sending,
    /// The provider accepted it (its message id is recorded).
    Sent,
    /// The provider reported it delivered (or the inbox holds it).
    Delivered,
    /// Given up on, with the reason.
    Failed,
    /// Cancelled by the administrator.
    Cancelled,
}

impl NoticeState {
    /// The stable name (API, database).
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeState::Queued => "queued",
            NoticeState::Sending => "sending",
            NoticeState::Sent => "sent",
            NoticeState::Delivered => "delivered",
            NoticeState::Failed => "failed",
            NoticeState::Cancelled => "cancelled",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<NoticeState> {
        [Self::Queued, Self::Sending, Self::Sent, Self::Delivered, Self::Failed, Self::Cancelled]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}
