//! Notices that arrive (通知): an outbox written in the same transaction as the event that
//! causes it, delivered by one worker across servers over the configured [`Gateways`] —
//! the hall's inbox (站内信), e-mail, SMS, WeChat and Web Push — with consent per channel,
//! retries, and the proof on the case that a notice reached its person.

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::case::CaseNumber;
use tongban_core::notice::{Audience, Channel, NoticeEvent, NoticeState, NoticeTemplate, check_email, check_mobile};
use tongban_store::{NoticeRow, append_audit};

use crate::actor::Principal;
use crate::{App, AppError, authorize};

pub mod aliyun;
pub mod gateway;
pub(crate) mod outbox;
pub mod push;
pub mod smtp;
pub mod templates;
pub mod tencent;
pub mod wechat;
pub mod worker;

pub use gateway::{Gateways, Outgoing, ProviderTemplate, Receipt, SendError, Sent, SmsGateway};
pub use outbox::ReachCache;

/// A notice as the case page, the API (`notices` of `GET /api/v1/cases/{n}`) and the
/// administrator's delivery page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    /// Id.
    pub id: i64,
    /// The case it is about, if any.
    pub case_number: Option<String>,
    /// The account it is for.
    pub recipient: String,
    /// How it goes.
    pub channel: Channel,
    /// What caused it (`accepted`, `correction_requested`, `approved`, `alert_red` …).
    pub event: String,
    /// Where it stands.
    pub state: NoticeState,
    /// Why it failed (or was cancelled), when it did.
    pub reason: Option<String>,
    /// Its subject line.
    pub subject: String,
    /// Tries so far.
    pub attempts: u32,
    /// When it was written.
    pub created_at: jiff::Timestamp,
    /// When the provider took it.
    pub sent_at: Option<jiff::Timestamp>,
    /// When it was reported delivered.
    pub delivered_at: Option<jiff::Timestamp>,
}

/// A message in the hall's inbox (站内信).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxMessage {
    /// Id.
    pub id: i64,
    /// The case it is about, if any.
    pub case_number: Option<String>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// When it arrived.
    pub created_at: jiff::Timestamp,
    /// Has the person opened it?
    pub read: bool,
}

/// One channel on a person's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelConsent {
    /// The channel.
    pub channel: Channel,
    /// Does this deployment offer it, and can the person be reached on it (an address in
    /// the profile; for push, at least one subscribed browser)?
    pub available: bool,
    /// Has the person consented (the inbox always is)?
    pub consented: bool,
    /// When consent was last given or withdrawn.
    pub changed_at: Option<jiff::Timestamp>,
}

/// A person's contact details and channel choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preferences {
    /// E-mail address.
    pub email: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// Each channel.
    pub channels: Vec<ChannelConsent>,
}

/// Delivery figures of one channel (the administrator's page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelStats {
    /// The channel.
    pub channel: Channel,
    /// Waiting (queued or in doubt).
    pub queued: u64,
    /// Taken by the provider.
    pub sent: u64,
    /// Reported delivered.
    pub delivered: u64,
    /// Given up on.
    pub failed: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Does the channel keep failing (the administrator has been alerted)?
    pub failing: bool,
}

/// Most notices a list shows.
const SHOWN: u32 = 500;

impl From<NoticeRow> for NoticeView {
    fn from(n: NoticeRow) -> Self {
        NoticeView {
            id: n.id,
            case_number: n.case_number,
            recipient: n.recipient,
            channel: n.channel,
            event: n.event,
            state: n.state,
            reason: n.reason,
            subject: n.subject,
            attempts: n.attempts,
            created_at: n.created_at,
            sent_at: n.sent_at,
            delivered_at: n.delivered_at,
        }
    }
}

fn staff_only(event: &str) -> bool {
    NoticeEvent::parse(event).is_some_and(|e| e.audience() != Audience::Applicant)
}

/// The notices of a case, for whoever may see the case (an applicant sees those to the
/// applicant, not the staff's alerts).
pub async fn case_notices(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<Vec<NoticeView>, AppError> {
    crate::visible_case(state, principal, number).await?;
    let applicant = principal.account.as_ref().is_some_and(|a| a.role == tongban_core::identity::Role::Applicant);
    Ok(state
        .store
        .notices_of_case(number.as_str())
        .await?
        .into_iter()
        .filter(|n| !(applicant && staff_only(&n.event)))
        .map(NoticeView::from)
        .collect())
}

/// The asking person's inbox, newest first.
pub async fn inbox(state: &App, principal: &Principal) -> Result<Vec<InboxMessage>, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?;
    Ok(state
        .store
        .inbox(&me.id, SHOWN)
        .await?
        .into_iter()
        .map(|n| InboxMessage {
            id: n.id,
            case_number: n.case_number,
            subject: n.subject,
            body: n.body,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect())
}

/// Marks an inbox message of the asking person read.
pub async fn mark_read(state: &App, principal: &Principal, id: i64) -> Result<(), AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    let now = state.now();
    let found = state
        .store
        .write(move |c| Box::pin(async move { tongban_store::mark_notice_read(c, id, &me, now).await }))
        .await?;
    if found { Ok(()) } else { Err(AppError::NotFound(format!("no message {id} in your inbox"))) }
}

/// The asking person's contact details and channel choices.
pub async fn preferences(state: &App, principal: &Principal) -> Result<Preferences, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?;
    let reach = state.store.notice_reach(&me.id).await?.unwrap_or_default();
    // Push reaches a person only through a browser that subscribed.
    let subscribed = state.gateways.offers(Channel::Push) && !state.store.push_subscriptions(&me.id).await?.is_empty();
    let channels = Channel::ALL
        .into_iter()
        .map(|channel| {
            let address = match channel {
                Channel::Inbox => true,
                Channel::Push => subscribed,
                Channel::Email => reach.email.is_some(),
                Channel::Sms => reach.phone.as_deref().is_some_and(|p| check_mobile(p).is_ok()),
                Channel::Wechat => reach.wechat_openid.is_some(),
            };
            let consent = reach.consents.iter().find(|(c, ..)| *c == channel);
            ChannelConsent {
                channel,
                available: state.gateways.offers(channel) && address,
                consented: channel == Channel::Inbox || consent.is_some_and(|(_, given, _)| *given),
                changed_at: consent.map(|(.., at)| *at),
            }
        })
        .collect();
    Ok(Preferences { email: reach.email, mobile: reach.phone, channels })
}

/// Sets the asking person's e-mail address and mobile number (validated by core); a
/// changed address withdraws the consent given for the old one.
pub async fn set_contact(
    state: &App,
    principal: &Principal,
    email: Option<String>,
    mobile: Option<String>,
) -> Result<Preferences, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    let mut errors = Vec::new();
    let email = match email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(check_email) {
        None => None,
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            errors.push(("email".to_owned(), e.to_string()));
            None
        }
    };
    let mobile = match mobile.as_deref().map(str::trim).filter(|m| !m.is_empty()).map(check_mobile) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            errors.push(("mobile".to_owned(), e.to_string()));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let before = state.store.notice_reach(&me).await?.unwrap_or_default();
    let email_changed = before.email != email;
    let mobile_changed = before.phone.as_deref().map(|p| check_mobile(p).unwrap_or_else(|_| p.to_owned())) != mobile;
    let now = state.now();
    let who = me.clone();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                if email_changed {
                    tongban_store::set_contact_email(c, &who, email.as_deref(), now).await?;
                    if before.consented(Channel::Email) {
                        tongban_store::set_notice_consent(c, &who, Channel::Email, false, now).await?;
                    }
                }
                if mobile_changed {
                    tongban_store::set_account_phone(c, &who, mobile.as_deref()).await?;
                    if before.consented(Channel::Sms) {
                        tongban_store::set_notice_consent(c, &who, Channel::Sms, false, now).await?;
                    }
                }
                let detail = serde_json::json!({ "email": email_changed, "mobile": mobile_changed }).to_string();
                append_audit(c, now, &who, "notice.contact", &who, &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.notice_reach.forget(&principal.require()?.id);
    preferences(state, principal).await
}

/// Gives (`true`) or withdraws consent to `channel` for the asking person.
pub async fn set_consent(
    state: &App,
    principal: &Principal,
    channel: Channel,
    given: bool,
) -> Result<Preferences, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    if channel == Channel::Inbox {
        return if given {
            preferences(state, principal).await
        } else {
            Err(AppError::Invalid(vec![("channel".into(), "the inbox is always on".into())]))
        };
    }
    if given {
        let prefs = preferences(state, principal).await?;
        if !prefs.channels.iter().any(|c| c.channel == channel && c.available) {
            let why = if state.gateways.offers(channel) {
                format!("no address on file for {channel}")
            } else {
                format!("{channel} is not offered here")
            };
            return Err(AppError::Invalid(vec![("channel".into(), why)]));
        }
    }
    let now = state.now();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                tongban_store::set_notice_consent(c, &me, channel, given, now).await?;
                let detail = serde_json::json!({ "channel": channel.as_str(), "given": given }).to_string();
                append_audit(c, now, &me, "notice.consent", &me, &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.notice_reach.forget(&principal.require()?.id);
    preferences(state, principal).await
}

/// Records a WeChat subscribe-message consent the mini program or official account page
/// reported for the asking person: their `openid`, and consent to `template_id`, long-term
/// or for one message. It also gives consent to the WeChat channel.
pub async fn record_wechat_consent(
    state: &App,
    principal: &Principal,
    openid: &str,
    template_id: &str,
    long_term: bool,
) -> Result<Preferences, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    let ok =
        |s: &str| !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
    let mut errors = Vec::new();
    if !ok(openid.trim()) {
        errors.push(("openid".to_owned(), "1–128 of A–Z a–z 0–9 - _".to_owned()));
    }
    if !ok(template_id.trim()) {
        errors.push(("template_id".to_owned(), "1–128 of A–Z a–z 0–9 - _".to_owned()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let (openid, template, now) = (openid.trim().to_owned(), template_id.trim().to_owned(), state.now());
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                tongban_store::set_contact_openid(c, &me, &openid, now).await?;
                tongban_store::record_wechat_consent(c, &me, &template, long_term, now).await?;
                tongban_store::set_notice_consent(c, &me, Channel::Wechat, true, now).await?;
                let detail = serde_json::json!({ "template": template, "long_term": long_term }).to_string();
                append_audit(c, now, &me, "notice.wechat_consent", &me, &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.notice_reach.forget(&principal.require()?.id);
    preferences(state, principal).await
}

/// Delivery figures per channel (administrator, supervisor).
pub async fn delivery_stats(state: &App, principal: &Principal) -> Result<Vec<ChannelStats>, AppError> {
    authorize(principal, Action::ReadDeliveryStats)?;
    let counts = state.store.notice_counts().await?;
    let health = state.store.notice_channels().await?;
    Ok(Channel::ALL
        .into_iter()
        .map(|channel| {
            let n = |states: &[NoticeState]| {
                counts.iter().filter(|(c, s, _)| *c == channel && states.contains(s)).map(|(.., n)| n).sum()
            };
            ChannelStats {
                channel,
                queued: n(&[NoticeState::Queued, NoticeState::Sending]),
                sent: n(&[NoticeState::Sent]),
                delivered: n(&[NoticeState::Delivered]),
                failed: n(&[NoticeState::Failed]),
                cancelled: n(&[NoticeState::Cancelled]),
                failing: health.iter().any(|(c, h)| *c == channel && h.failing),
            }
        })
        .collect())
}

/// Notices that failed, newest first (administrator).
pub async fn failed_notices(state: &App, principal: &Principal) -> Result<Vec<NoticeView>, AppError> {
    authorize(principal, Action::ManageNotices)?;
    Ok(state.store.notices_in_state(NoticeState::Failed, SHOWN).await?.into_iter().map(NoticeView::from).collect())
}

async fn notice_view(state: &App, id: i64) -> Result<NoticeView, AppError> {
    state.store.notice(id).await?.map(NoticeView::from).ok_or_else(|| AppError::NotFound(format!("no notice {id}")))
}

/// Queues a failed notice again (administrator).
pub async fn retry_notice(state: &App, principal: &Principal, id: i64) -> Result<NoticeView, AppError> {
    authorize(principal, Action::ManageNotices)?;
    let who = principal.require()?.id.clone();
    let before = notice_view(state, id).await?;
    let now = state.now();
    let done = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let done = tongban_store::requeue_notice(c, id, now).await?;
                if done {
                    append_audit(c, now, &who, "notice.retry", &id.to_string(), "{}").await?;
                }
                Ok::<_, AppError>(done)
            })
        })
        .await?;
    if !done {
        return Err(AppError::Conflict(format!(
            "notice {id} is {}: only a failed notice is retried",
            before.state.as_str()
        )));
    }
    notice_view(state, id).await
}

/// Cancels a queued or failed notice (administrator).
pub async fn cancel_notice(state: &App, principal: &Principal, id: i64) -> Result<NoticeView, AppError> {
    authorize(principal, Action::ManageNotices)?;
    let who = principal.require()?.id.clone();
    let before = notice_view(state, id).await?;
    let now = state.now();
    let reason = format!("cancelled by {who}");
    let done = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let done = tongban_store::cancel_notice(c, id, &reason).await?;
                if done {
                    append_audit(c, now, &who, "notice.cancel", &id.to_string(), "{}").await?;
                }
                Ok::<_, AppError>(done)
            })
        })
        .await?;
    if !done {
        return Err(AppError::Conflict(format!(
            "notice {id} is {}: only a queued or failed notice is cancelled",
            before.state.as_str()
        )));
    }
    notice_view(state, id).await
}

/// The template in force of `event` on `channel` (administrator).
pub async fn notice_template(
    state: &App,
    principal: &Principal,
    event: NoticeEvent,
    channel: Channel,
) -> Result<NoticeTemplate, AppError> {
    authorize(principal, Action::ManageNotices)?;
    Ok(templates::in_force(state).await?.get(event, channel))
}

/// Saves `template` as the next version of its event and channel's (administrator); a
/// template whose own text cannot fit its channel, or that names an unknown field, is
/// refused (field `template`).
pub async fn save_notice_template(
    state: &App,
    principal: &Principal,
    template: NoticeTemplate,
) -> Result<NoticeTemplate, AppError> {
    authorize(principal, Action::ManageNotices)?;
    let who = principal.require()?.id.clone();
    template.check().map_err(|e| AppError::Invalid(vec![("template".into(), e.to_string())]))?;
    let now = state.now();
    let saved = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let mut t = template;
                let (event, channel) = (t.event.as_str(), t.channel);
                let version = tongban_store::insert_notice_template(
                    c,
                    event,
                    channel,
                    |version| {
                        t.version = version;
                        // A plain struct of strings: serialising it cannot fail.
                        serde_json::to_string(&t).unwrap_or_default()
                    },
                    now,
                    &who,
                )
                .await?;
                let detail = serde_json::json!({ "version": version }).to_string();
                append_audit(c, now, &who, "notice.template", &format!("{event}/{channel}"), &detail).await?;
                Ok::<_, AppError>(t)
            })
        })
        .await?;
    state.notice_templates.clear();
    Ok(saved)
}
