//! Notices that arrive (通知): an outbox written in the same transaction as the event that
//! causes it, delivered by one worker across servers over the configured [`Gateways`] —
//! the hall's inbox (站内信), e-mail, SMS, WeChat and Web Push — with consent per channel,
//! retries, and the proof on the case that a notice reached its person.

use serde::Serialize;
use tongban_core::case::CaseNumber;
use tongban_core::notice::{Channel, NoticeState};

use crate::actor::Principal;
use crate::{App, AppError};

pub mod aliyun;
pub mod gateway;
pub mod push;
pub mod smtp;
pub mod tencent;
pub mod wechat;
pub mod worker;

pub use gateway::{Gateways, Outgoing, ProviderTemplate, Receipt, SendError, Sent, SmsGateway};

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
    /// Does this deployment offer it, and does the profile hold an address for it?
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

fn not_built() -> AppError {
    AppError::Conflict("notifications are being built".into())
}

/// The notices of a case, for whoever may see the case.
pub async fn case_notices(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<Vec<NoticeView>, AppError> {
    let _ = (state, principal, number);
    Err(not_built())
}

/// The asking person's inbox, newest first.
pub async fn inbox(state: &App, principal: &Principal) -> Result<Vec<InboxMessage>, AppError> {
    let _ = (state, principal);
    Err(not_built())
}

/// Marks an inbox message of the asking person read.
pub async fn mark_read(state: &App, principal: &Principal, id: i64) -> Result<(), AppError> {
    let _ = (state, principal, id);
    Err(not_built())
}

/// The asking person's contact details and channel choices.
pub async fn preferences(state: &App, principal: &Principal) -> Result<Preferences, AppError> {
    let _ = (state, principal);
    Err(not_built())
}

/// Sets the asking person's e-mail address and mobile number (validated by core); a
/// changed address withdraws the consent given for the old one.
pub async fn set_contact(
    state: &App,
    principal: &Principal,
    email: Option<String>,
    mobile: Option<String>,
) -> Result<Preferences, AppError> {
    let _ = (state, principal, email, mobile);
    Err(not_built())
}

/// Gives (`true`) or withdraws consent to `channel` for the asking person.
pub async fn set_consent(
    state: &App,
    principal: &Principal,
    channel: Channel,
    given: bool,
) -> Result<Preferences, AppError> {
    let _ = (state, principal, channel, given);
    Err(not_built())
}

/// Delivery figures per channel (administrator, supervisor).
pub async fn delivery_stats(state: &App, principal: &Principal) -> Result<Vec<ChannelStats>, AppError> {
    let _ = (state, principal);
    Err(not_built())
}

/// Notices that failed, newest first (administrator).
pub async fn failed_notices(state: &App, principal: &Principal) -> Result<Vec<NoticeView>, AppError> {
    let _ = (state, principal);
    Err(not_built())
}

/// Queues a failed notice again (administrator).
pub async fn retry_notice(state: &App, principal: &Principal, id: i64) -> Result<NoticeView, AppError> {
    let _ = (state, principal, id);
    Err(not_built())
}

/// Cancels a queued or failed notice (administrator).
pub async fn cancel_notice(state: &App, principal: &Principal, id: i64) -> Result<NoticeView, AppError> {
    let _ = (state, principal, id);
    Err(not_built())
}
