//! What causes a notice, and to whom it goes: a case's events tell its applicant (收件,
//! 受理, 不予受理, 补正, 准予/不予许可, 办结 and the rating invitation 好差评), supervision
//! alerts tell the case's owner (and whoever they escalated to), and a channel that keeps
//! failing tells the administrators.

use serde::{Deserialize, Serialize};

use crate::case::CaseEvent;

/// Why a notice is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEvent {
    /// 收件回执: the case was handed in.
    Submitted,
    /// 受理通知.
    Accepted,
    /// 不予受理通知.
    NotAccepted,
    /// 补正告知: materials to hand in.
    CorrectionRequested,
    /// 准予许可.
    Approved,
    /// 不予许可.
    Denied,
    /// 办结: the result was delivered (or is ready).
    Delivered,
    /// 好差评: the applicant is invited to rate the service, after delivery.
    RatingInvitation,
    /// 黄灯预警 to the case's owner.
    AlertYellow,
    /// 红灯超期 to the case's owner (never held back by quiet hours).
    AlertRed,
    /// A channel keeps failing (to the administrators).
    ChannelFailing,
}

/// Who a notice of an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The applicant's account of the case.
    Applicant,
    /// The staff the alert is addressed to.
    Staff,
    /// The center's administrators.
    Administrator,
}

impl NoticeEvent {
    /// Every event.
    pub const ALL: [NoticeEvent; 11] = [
        Self::Submitted,
        Self::Accepted,
        Self::NotAccepted,
        Self::CorrectionRequested,
        Self::Approved,
        Self::Denied,
        Self::Delivered,
        Self::RatingInvitation,
        Self::AlertYellow,
        Self::AlertRed,
        Self::ChannelFailing,
    ];

    /// The stable name (API, database).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::NotAccepted => "not_accepted",
            Self::CorrectionRequested => "correction_requested",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Delivered => "delivered",
            Self::RatingInvitation => "rating_invitation",
            Self::AlertYellow => "alert_yellow",
            Self::AlertRed => "alert_red",
            Self::ChannelFailing => "channel_failing",
        }
    }

    /// The event named `name`.
    pub fn parse(name: &str) -> Option<NoticeEvent> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// Whether the law requires the applicant be told (受理, 不予受理, 补正, 准予/不予许可
    /// 决定): such a notice falls back to another consented channel when one fails.
    pub fn is_statutory(self) -> bool {
        matches!(self, Self::Accepted | Self::NotAccepted | Self::CorrectionRequested | Self::Approved | Self::Denied)
    }

    /// Whom it is for.
    pub fn audience(self) -> Audience {
        match self {
            Self::AlertYellow | Self::AlertRed => Audience::Staff,
            Self::ChannelFailing => Audience::Administrator,
            _ => Audience::Applicant,
        }
    }

    /// Whether it goes out at once whatever the hour: staff alerts other than red wait for
    /// working time (quiet hours); applicants' notices and red alerts do not wait.
    pub fn waits_for_working_time(self) -> bool {
        matches!(self, Self::AlertYellow | Self::ChannelFailing)
    }

    /// A short word for the state it announces (WeChat `phrase`, at most five characters).
    pub fn status_word(self) -> &'static str {
        match self {
            Self::Submitted => "已收件",
            Self::Accepted => "已受理",
            Self::NotAccepted => "不予受理",
            Self::CorrectionRequested => "需补正",
            Self::Approved => "准予许可",
            Self::Denied => "不予许可",
            Self::Delivered => "已办结",
            Self::RatingInvitation => "待评价",
            Self::AlertYellow => "黄灯预警",
            Self::AlertRed => "红灯超期",
            Self::ChannelFailing => "通道故障",
        }
    }

    /// The notices a case event causes to its applicant, in order.
    pub fn of_case_event(event: &CaseEvent) -> &'static [NoticeEvent] {
        match event {
            CaseEvent::Submitted { .. } => &[Self::Submitted],
            CaseEvent::Accepted { .. } => &[Self::Accepted],
            CaseEvent::Rejected { .. } => &[Self::NotAccepted],
            CaseEvent::CorrectionRequested { .. } => &[Self::CorrectionRequested],
            CaseEvent::Approved { .. } => &[Self::Approved],
            CaseEvent::Denied { .. } => &[Self::Denied],
            CaseEvent::Delivered { .. } => &[Self::Delivered, Self::RatingInvitation],
            _ => &[],
        }
    }

    /// The alert notice of a supervision colour; none for green.
    pub fn of_colour(colour: crate::supervision::Colour) -> Option<NoticeEvent> {
        match colour {
            crate::supervision::Colour::Green => None,
            crate::supervision::Colour::Yellow => Some(Self::AlertYellow),
            crate::supervision::Colour::Red => Some(Self::AlertRed),
        }
    }
}

impl std::fmt::Display for NoticeEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The template fields a case event brings (beyond the case's own): why, what is missing,
/// the note.
pub fn case_event_fields(event: &CaseEvent) -> Vec<(&'static str, String)> {
    match event {
        CaseEvent::Rejected { reason } => vec![("reason", reason.clone())],
        CaseEvent::CorrectionRequested { missing, note } => {
            vec![("missing", missing.join("、")), ("note", note.clone()), ("reason", note.clone())]
        }
        CaseEvent::Approved { note } => vec![("note", note.clone())],
        CaseEvent::Denied { reason, legal_basis } => {
            vec![("reason", reason.clone()), ("note", legal_basis.clone())]
        }
        _ => Vec::new(),
    }
}

/// Whom an applicant's notice of a case goes to: the account that handed the case in when
/// that is an applicant's, else the account verified as the case's applicant, if any.
pub fn applicant_recipient(submitter_is_applicant: Option<&str>, verified_holder: Option<&str>) -> Option<String> {
    submitter_is_applicant.or(verified_holder).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_statutory_events_are_the_decisions_and_their_steps() {
        for e in NoticeEvent::ALL {
            assert_eq!(NoticeEvent::parse(e.as_str()), Some(e));
            assert!(e.status_word().chars().count() <= 5, "{e}");
        }
        let statutory: Vec<_> = NoticeEvent::ALL.into_iter().filter(|e| e.is_statutory()).map(|e| e.as_str()).collect();
        assert_eq!(statutory, ["accepted", "not_accepted", "correction_requested", "approved", "denied"]);
        assert_eq!(NoticeEvent::AlertRed.audience(), Audience::Staff);
        assert!(!NoticeEvent::AlertRed.waits_for_working_time());
        assert!(NoticeEvent::AlertYellow.waits_for_working_time());
    }

    #[test]
    fn delivery_brings_the_rating_invitation_and_a_correction_its_list() {
        let delivered = CaseEvent::Delivered { method: crate::case::DeliveryMethod::Window };
        assert_eq!(NoticeEvent::of_case_event(&delivered), [NoticeEvent::Delivered, NoticeEvent::RatingInvitation]);
        let c = CaseEvent::CorrectionRequested {
            missing: vec!["营业执照".into(), "身份证".into()],
            note: "请补交".into(),
        };
        assert_eq!(NoticeEvent::of_case_event(&c), [NoticeEvent::CorrectionRequested]);
        assert!(case_event_fields(&c).contains(&("missing", "营业执照、身份证".to_owned())));
        let s = CaseEvent::Suspended { reason: "x".into() };
        assert!(NoticeEvent::of_case_event(&s).is_empty());
        assert_eq!(applicant_recipient(None, Some("wang")), Some("wang".into()));
        assert_eq!(applicant_recipient(Some("li"), Some("wang")), Some("li".into()));
    }
}
