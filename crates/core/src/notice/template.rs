//! Notice templates: per event and channel, versioned data (version 1 of each is built in
//! here, in Chinese). Inbox, e-mail and push carry a subject and a body with `{field}`
//! placeholders; SMS and WeChat send only templates the provider approved, so theirs name
//! the provider's template and map its parameters, in order, to fields. Each channel limits
//! lengths: values from data are cut to fit; template text that cannot fit is refused when
//! it is saved.

use serde::{Deserialize, Serialize};

use super::{Channel, NoticeEvent};

/// The fields a template may name.
pub const FIELDS: [&str; 12] = [
    "case_number",
    "item",
    "applicant",
    "status",
    "reason",
    "missing",
    "note",
    "due_at",
    "at",
    "url",
    "channel",
    "center",
];

/// Longest e-mail, inbox or push subject.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest push body (the payload must stay small once encrypted).
pub const MAX_PUSH_BODY_CHARS: usize = 200;
/// Longest e-mail or inbox body.
pub const MAX_BODY_CHARS: usize = 4_000;
/// Longest SMS template variable (Aliyun and Tencent both cap variables).
pub const MAX_SMS_VARIABLE_CHARS: usize = 35;

/// The kind of a provider template parameter, which fixes its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// An SMS template variable (≤ 35 characters).
    Sms,
    /// WeChat `thing` (≤ 20 characters).
    Thing,
    /// WeChat `character_string` (≤ 32 characters).
    CharacterString,
    /// WeChat `phrase` (≤ 5 characters).
    Phrase,
    /// WeChat `time` (a date and time).
    Time,
}

impl ParamKind {
    /// The most characters a value may have.
    pub fn max_chars(self) -> usize {
        match self {
            ParamKind::Sms => MAX_SMS_VARIABLE_CHARS,
            ParamKind::Thing => 20,
            ParamKind::CharacterString => 32,
            ParamKind::Phrase => 5,
            ParamKind::Time => 32,
        }
    }
}

/// One provider template parameter: its name at the provider, the field it takes, its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateParam {
    /// The provider's name (`number`, `thing2`).
    pub name: String,
    /// The field it takes (one of [`FIELDS`]).
    pub field: String,
    /// Its kind.
    pub kind: ParamKind,
}

/// A notice template of one event on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTemplate {
    /// The event.
    pub event: NoticeEvent,
    /// The channel.
    pub channel: Channel,
    /// Its version (1 is built in).
    pub version: u32,
    /// The subject, with `{field}` placeholders.
    pub subject: String,
    /// The text, with `{field}` placeholders.
    pub body: String,
    /// The provider's template (SMS `TemplateCode`, WeChat `template_id`), for the channels
    /// that need one.
    pub provider_template: Option<String>,
    /// Its parameters, in order.
    pub params: Vec<TemplateParam>,
}

/// A notice rendered for its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The provider template and its parameter values, in order.
    pub provider: Option<(String, Vec<(String, String)>)>,
}

/// Why a template cannot be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A placeholder names no field.
    #[error("unknown field {{{0}}}")]
    UnknownField(String),
    /// A `{` without its `}`.
    #[error("an unclosed placeholder")]
    Unclosed,
    /// Its own text is longer than the channel allows.
    #[error("{what} is {chars} characters before any field; {channel} allows {max}")]
    TooLong {
        /// Subject or body.
        what: &'static str,
        /// The channel.
        channel: Channel,
        /// Characters of fixed text.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// SMS and WeChat need a provider template.
    #[error("{0} sends only provider-approved templates: provider_template and params are required")]
    NeedsProviderTemplate(Channel),
    /// A WeChat parameter's kind on SMS, or the other way round.
    #[error("parameter {0} has a kind {1} does not take")]
    WrongKind(String, Channel),
}

/// The most characters of a subject and of a body on `channel`.
pub fn limits(channel: Channel) -> (usize, usize) {
    match channel {
        Channel::Push => (MAX_SUBJECT_CHARS, MAX_PUSH_BODY_CHARS),
        _ => (MAX_SUBJECT_CHARS, MAX_BODY_CHARS),
    }
}

/// `value` cut to `max` characters (the last one an ellipsis when cut), with line breaks
/// and other control characters made spaces.
pub fn cut(value: &str, max: usize) -> String {
    let clean: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() <= max {
        return clean;
    }
    if max <= 5 {
        return clean.chars().take(max).collect();
    }
    let mut out: String = clean.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Splits `text` into literal pieces and placeholder names.
fn pieces(text: &str) -> Result<Vec<(bool, &str)>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push((false, &rest[..open]));
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unclosed)?;
        out.push((true, &after[..close]));
        rest = &after[close + 1..];
    }
    out.push((false, rest));
    Ok(out)
}

fn fill(text: &str, value: impl Fn(&str) -> String) -> String {
    match pieces(text) {
        Ok(parts) => parts.into_iter().map(|(field, s)| if field { value(s) } else { s.to_owned() }).collect(),
        Err(_) => text.to_owned(),
    }
}

impl NoticeTemplate {
    /// Checks the template: every placeholder and parameter names a field, fixed text fits
    /// the channel, SMS and WeChat name a provider template with parameters of their kinds.
    pub fn check(&self) -> Result<(), TemplateError> {
        let (max_subject, max_body) = limits(self.channel);
        for (what, text, max) in [("subject", &self.subject, max_subject), ("body", &self.body, max_body)] {
            let mut fixed = 0;
            for (field, s) in pieces(text)? {
                if field {
                    if !FIELDS.contains(&s) {
                        return Err(TemplateError::UnknownField(s.to_owned()));
                    }
                } else {
                    fixed += s.chars().count();
                }
            }
            if fixed > max {
                return Err(TemplateError::TooLong { what, channel: self.channel, chars: fixed, max });
            }
        }
        for p in &self.params {
            if !FIELDS.contains(&p.field.as_str()) {
                return Err(TemplateError::UnknownField(p.field.clone()));
            }
            let fits = match self.channel {
                Channel::Sms => p.kind == ParamKind::Sms,
                Channel::Wechat => p.kind != ParamKind::Sms,
                _ => true,
            };
            if !fits {
                return Err(TemplateError::WrongKind(p.name.clone(), self.channel));
            }
        }
        let needs = matches!(self.channel, Channel::Sms | Channel::Wechat);
        if needs && (self.provider_template.as_deref().is_none_or(str::is_empty) || self.params.is_empty()) {
            return Err(TemplateError::NeedsProviderTemplate(self.channel));
        }
        Ok(())
    }

    /// Renders the template with `fields` (absent fields are empty), each value cut to fit
    /// where it goes.
    pub fn render(&self, fields: &[(&str, String)]) -> Rendered {
        let get = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or("");
        let (max_subject, max_body) = limits(self.channel);
        let subject = cut(&fill(&self.subject, |f| get(f).to_owned()), max_subject);
        let body = fill(&self.body, |f| get(f).to_owned());
        let body = if body.chars().count() > max_body { cut(&body, max_body) } else { body };
        let provider = self.provider_template.as_ref().map(|id| {
            let values = self.params.iter().map(|p| (p.name.clone(), cut(get(&p.field), p.kind.max_chars()))).collect();
            (id.clone(), values)
        });
        Rendered { subject, body, provider }
    }

    /// Version 1 of the template of `event` on `channel`, built in.
    pub fn builtin(event: NoticeEvent, channel: Channel) -> NoticeTemplate {
        let (subject, body) = builtin_text(event);
        let param = |name: &str, field: &str, kind| TemplateParam { name: name.into(), field: field.into(), kind };
        let (provider_template, params) = match channel {
            Channel::Sms => (
                Some(format!("SMS_TONGBAN_{}", event.as_str().to_ascii_uppercase())),
                vec![
                    param("number", "case_number", ParamKind::Sms),
                    param("item", "item", ParamKind::Sms),
                    param("status", "status", ParamKind::Sms),
                ],
            ),
            Channel::Wechat => (
                Some(format!("tongban-{}", event.as_str())),
                vec![
                    param("character_string1", "case_number", ParamKind::CharacterString),
                    param("thing2", "item", ParamKind::Thing),
                    param("phrase3", "status", ParamKind::Phrase),
                    param("time4", "at", ParamKind::Time),
                    param("thing5", "reason", ParamKind::Thing),
                ],
            ),
            _ => (None, Vec::new()),
        };
        NoticeTemplate {
            event,
            channel,
            version: 1,
            subject: subject.into(),
            body: body.into(),
            provider_template,
            params,
        }
    }
}

fn builtin_text(event: NoticeEvent) -> (&'static str, &'static str) {
    match event {
        NoticeEvent::Submitted => (
            "【{center}】收件回执：{case_number}",
            "您申请的“{item}”已收件，办件编号 {case_number}。我们将尽快审查，结果会及时通知您。办件详情：{url}",
        ),
        NoticeEvent::Accepted => (
            "【{center}】受理通知：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）已受理，承诺办结时间 {due_at}。办件详情：{url}",
        ),
        NoticeEvent::NotAccepted => (
            "【{center}】不予受理通知：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）不予受理。理由：{reason}。办件详情：{url}",
        ),
        NoticeEvent::CorrectionRequested => (
            "【{center}】补正告知：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）材料需要补正，请补交：{missing}。说明：{note}。办件详情：{url}",
        ),
        NoticeEvent::Approved => (
            "【{center}】准予许可决定：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）已准予许可。{note} 办件详情：{url}",
        ),
        NoticeEvent::Denied => (
            "【{center}】不予许可决定：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）不予许可。理由：{reason}（依据：{note}）。办件详情：{url}",
        ),
        NoticeEvent::Delivered => (
            "【{center}】办结通知：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）已办结，结果已送达。办件详情：{url}",
        ),
        NoticeEvent::RatingInvitation => (
            "【{center}】请您评价：{case_number}",
            "您申请的“{item}”（办件编号 {case_number}）已办结，欢迎对我们的服务作出评价（好差评）：{url}",
        ),
        NoticeEvent::AlertYellow => (
            "【{center}】黄灯预警：{case_number}",
            "您负责的办件 {case_number}（{item}）即将超期，承诺办结时间 {due_at}，请及时办理。{url}",
        ),
        NoticeEvent::AlertRed => (
            "【{center}】红灯超期：{case_number}",
            "您负责的办件 {case_number}（{item}）已超期（承诺办结时间 {due_at}），请立即办理并说明情况。{url}",
        ),
        NoticeEvent::ChannelFailing => (
            "【{center}】通知通道故障：{channel}",
            "通知通道 {channel} 连续发送失败（{reason}），请检查网关配置与服务商状态。{url}",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_builtin_template_checks() {
        for event in NoticeEvent::ALL {
            for channel in Channel::ALL {
                let t = NoticeTemplate::builtin(event, channel);
                assert_eq!(t.check(), Ok(()), "{event} on {channel}");
            }
        }
    }

    #[test]
    fn rendering_fills_fields_and_cuts_provider_values_to_their_kind() {
        let t = NoticeTemplate::builtin(NoticeEvent::CorrectionRequested, Channel::Wechat);
        let fields = [
            ("case_number", "620100-2026-000123".to_owned()),
            ("item", "食品经营许可（新办、延续、变更、注销）及其他相关事项".to_owned()),
            ("status", NoticeEvent::CorrectionRequested.status_word().to_owned()),
        ];
        let r = t.render(&fields);
        let (id, params) = r.provider.expect("wechat has a provider template");
        assert_eq!(id, "tongban-correction_requested");
        assert_eq!(params[0], ("character_string1".to_owned(), "620100-2026-000123".to_owned()));
        assert_eq!(params[1].1.chars().count(), 20);
        assert!(params[1].1.ends_with('…'));
        let email = NoticeTemplate::builtin(NoticeEvent::CorrectionRequested, Channel::Email).render(&fields);
        assert!(email.subject.contains("620100-2026-000123"));
        assert!(email.body.contains("补正"));
    }

    #[test]
    fn templates_that_cannot_fit_or_name_unknown_fields_are_refused() {
        let mut t = NoticeTemplate::builtin(NoticeEvent::Accepted, Channel::Email);
        t.subject = "x".repeat(MAX_SUBJECT_CHARS + 1);
        assert!(matches!(t.check(), Err(TemplateError::TooLong { what: "subject", .. })));
        t.subject = "{nope}".into();
        assert_eq!(t.check(), Err(TemplateError::UnknownField("nope".into())));
        t.subject = "{case_number".into();
        assert_eq!(t.check(), Err(TemplateError::Unclosed));
        let mut s = NoticeTemplate::builtin(NoticeEvent::Accepted, Channel::Sms);
        s.provider_template = None;
        assert_eq!(s.check(), Err(TemplateError::NeedsProviderTemplate(Channel::Sms)));
        let mut w = NoticeTemplate::builtin(NoticeEvent::Accepted, Channel::Wechat);
        w.params[0].kind = ParamKind::Sms;
        assert!(matches!(w.check(), Err(TemplateError::WrongKind(..))));
    }

    proptest! {
        #[test]
        fn cut_values_fit_and_hold_no_line_breaks(v in "\\PC{0,60}|[\\s\\S]{0,60}", max in 1usize..40) {
            let c = cut(&v, max);
            prop_assert!(c.chars().count() <= max);
            prop_assert!(!c.contains(['\r', '\n']));
        }

        #[test]
        fn rendered_values_fit_every_channel(value in "\\PC{0,300}") {
            for event in NoticeEvent::ALL {
                for channel in Channel::ALL {
                    let t = NoticeTemplate::builtin(event, channel);
                    let fields: Vec<(&str, String)> = FIELDS.iter().map(|f| (*f, value.clone())).collect();
                    let r = t.render(&fields);
                    let (ms, mb) = limits(channel);
                    prop_assert!(r.subject.chars().count() <= ms);
                    prop_assert!(r.body.chars().count() <= mb);
                    for ((_, v), p) in r.provider.iter().flat_map(|(_, ps)| ps).zip(&t.params) {
                        prop_assert!(v.chars().count() <= p.kind.max_chars());
                    }
                }
            }
        }
    }
}
