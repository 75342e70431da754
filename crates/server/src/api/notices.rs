//! Notice routes (通知): the asking person's inbox (站内信) and channel preferences, and the
//! administrator's delivery figures and failed notices (retry, cancel). A case's notices
//! come with the case (`notices` of `GET /api/v1/cases/{number}`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer, Serialize};
use tongban_core::access::Action;
use tongban_core::notice::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::format_ts;
use crate::app::notify::{self, ChannelStats, InboxMessage, NoticeView, Preferences};
use crate::app::{AppError, authorize};
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

/// A notice and where it stands: proof that a notice reached (or did not reach) its person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeJson {
    /// Id.
    pub id: i64,
    /// The case it is about, if any.
    pub case_number: Option<String>,
    /// The account it is for.
    pub recipient: String,
    /// `inbox`, `email`, `sms`, `wechat` or `push`.
    #[schema(example = "sms")]
    pub channel: String,
    /// `queued`, `sending` (handed to the provider, answer not yet recorded), `sent`,
    /// `delivered`, `failed` or `cancelled`.
    #[schema(example = "delivered")]
    pub state: String,
    /// What caused it: `accepted`, `correction_requested`, `approved`, `alert_red` …
    #[schema(example = "correction_requested")]
    pub event: String,
    /// Why it failed or was cancelled, when it was.
    pub reason: Option<String>,
    /// Its subject line.
    pub subject: String,
    /// Tries so far.
    pub attempts: u32,
    /// When it was written (RFC 3339), in the same transaction as its event.
    pub created_at: String,
    /// When the provider took it.
    pub sent_at: Option<String>,
    /// When it was reported delivered.
    pub delivered_at: Option<String>,
}

impl From<NoticeView> for NoticeJson {
    fn from(n: NoticeView) -> Self {
        NoticeJson {
            id: n.id,
            case_number: n.case_number,
            recipient: n.recipient,
            channel: n.channel.as_str().to_owned(),
            state: n.state.as_str().to_owned(),
            event: n.event,
            reason: n.reason,
            subject: n.subject,
            attempts: n.attempts,
            created_at: format_ts(n.created_at),
            sent_at: n.sent_at.map(format_ts),
            delivered_at: n.delivered_at.map(format_ts),
        }
    }
}

/// A message in the hall's inbox (站内信).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxMessageJson {
    /// Id.
    pub id: i64,
    /// The case it is about, if any.
    pub case_number: Option<String>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// When it arrived (RFC 3339).
    pub created_at: String,
    /// Has the person opened it?
    pub read: bool,
}

impl From<InboxMessage> for InboxMessageJson {
    fn from(m: InboxMessage) -> Self {
        InboxMessageJson {
            id: m.id,
            case_number: m.case_number,
            subject: m.subject,
            body: m.body,
            created_at: format_ts(m.created_at),
            read: m.read,
        }
    }
}

/// The asking person's inbox, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxJson {
    /// The messages.
    pub items: Vec<InboxMessageJson>,
    /// How many are unread.
    pub unread: u64,
}

/// A person's contact details and channel choices.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreferencesJson {
    /// E-mail address.
    pub email: Option<String>,
    /// Mobile number.
    pub mobile: Option<String>,
    /// Consent per channel, by name (`inbox` is always true).
    #[schema(example = json!({"inbox": true, "email": true, "sms": false, "wechat": false, "push": false}))]
    pub channels: BTreeMap<String, bool>,
    /// Whether the deployment offers each channel and the profile holds an address for it.
    pub available: BTreeMap<String, bool>,
    /// When consent to each channel was last given or withdrawn (RFC 3339), where it was.
    pub changed_at: BTreeMap<String, String>,
}

impl From<Preferences> for PreferencesJson {
    fn from(p: Preferences) -> Self {
        let name = |c: Channel| c.as_str().to_owned();
        PreferencesJson {
            email: p.email,
            mobile: p.mobile,
            channels: p.channels.iter().map(|c| (name(c.channel), c.consented)).collect(),
            available: p.channels.iter().map(|c| (name(c.channel), c.available)).collect(),
            changed_at: p
                .channels
                .iter()
                .filter_map(|c| c.changed_at.map(|t| (name(c.channel), format_ts(t))))
                .collect(),
        }
    }
}

/// `Some(value)` for a field that is present (also when null), so a missing field can be
/// told from one sent as null.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A change of contact details and channel choices: fields left out stay as they are; an
/// address sent as null or "" is removed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// E-mail address (at most 200 characters).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub email: Option<Option<String>>,
    /// Mobile number (at most 30 characters).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 30)]
    pub mobile: Option<Option<String>>,
    /// Consent to give (`true`) or withdraw (`false`), by channel name.
    #[serde(default)]
    #[schema(example = json!({"sms": true, "email": false}))]
    pub channels: BTreeMap<String, bool>,
}

/// Delivery figures of one channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelStatsJson {
    /// The channel.
    pub channel: String,
    /// Waiting (queued, or in doubt after a crash).
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

impl From<ChannelStats> for ChannelStatsJson {
    fn from(s: ChannelStats) -> Self {
        ChannelStatsJson {
            channel: s.channel.as_str().to_owned(),
            queued: s.queued,
            sent: s.sent,
            delivered: s.delivered,
            failed: s.failed,
            cancelled: s.cancelled,
            failing: s.failing,
        }
    }
}

/// Delivery figures per channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeStatsJson {
    /// One row per channel.
    pub channels: Vec<ChannelStatsJson>,
}

/// A list of notices.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeListJson {
    /// The notices, newest first.
    pub items: Vec<NoticeJson>,
}

/// Which notices to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeParams {
    /// `failed` (the default, and the only state listed for now).
    pub state: Option<String>,
}

/// The asking person's inbox (站内信), newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notices",
    responses((status = 200, description = "The inbox", body = InboxJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn my_inbox(State(state): State<AppState>, principal: Principal) -> Result<Json<InboxJson>, ApiError> {
    authorize(&principal, Action::OwnNotices)?;
    let items: Vec<InboxMessageJson> =
        notify::inbox(&state, &principal).await?.into_iter().map(InboxMessageJson::from).collect();
    let unread = items.iter().filter(|m| !m.read).count() as u64;
    Ok(Json(InboxJson { items, unread }))
}

/// Marks one of the asking person's inbox messages read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "notices",
    params(("id" = String, Path, description = "The message's id")),
    responses((status = 204, description = "Marked read"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message of yours", body = Problem, content_type = "application/problem+json")))]
pub async fn mark_read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = super::path_id(&principal, Action::OwnNotices, &id, "message")?;
    notify::mark_read(&state, &principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The asking person's contact details and channel choices.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "notices",
    responses((status = 200, description = "The preferences", body = PreferencesJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn my_preferences(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<PreferencesJson>, ApiError> {
    authorize(&principal, Action::OwnNotices)?;
    Ok(Json(notify::preferences(&state, &principal).await?.into()))
}

/// The channel each name in `names` stands for, or the invalid fields.
fn parse_channels(names: &BTreeMap<String, bool>) -> Result<Vec<(Channel, bool)>, AppError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (name, given) in names {
        match Channel::parse(name) {
            Some(c) => out.push((c, *given)),
            None => errors.push((format!("channels.{name}"), format!("unknown channel {name:?}"))),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(AppError::Invalid(errors)) }
}

/// Applies `update` for `principal`: contact details first (a changed address withdraws
/// the consent given for the old one), then consents; the preferences after it.
pub(crate) async fn apply_preferences(
    state: &AppState,
    principal: &Principal,
    update: PreferencesUpdate,
) -> Result<Preferences, AppError> {
    let channels = parse_channels(&update.channels)?;
    let mut prefs = notify::preferences(state, principal).await?;
    if update.email.is_some() || update.mobile.is_some() {
        let keep = |sent: Option<Option<String>>, now: Option<String>| match sent {
            Some(v) => v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            None => now,
        };
        let email = keep(update.email, prefs.email.clone());
        let mobile = keep(update.mobile, prefs.mobile.clone());
        if email != prefs.email || mobile != prefs.mobile {
            prefs = notify::set_contact(state, principal, email, mobile).await?;
        }
    }
    for (channel, given) in channels {
        let now = prefs.channels.iter().find(|c| c.channel == channel).map(|c| c.consented);
        if now != Some(given) {
            prefs = notify::set_consent(state, principal, channel, given).await?;
        }
    }
    Ok(prefs)
}

/// Sets the asking person's e-mail address and mobile number and gives or withdraws
/// consent per channel. Fields left out stay as they are.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "notices", request_body = PreferencesUpdate,
    responses((status = 200, description = "The preferences after the change", body = PreferencesJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid address, an unknown channel, or consent to a channel without an address", body = Problem, content_type = "application/problem+json")))]
pub async fn set_preferences(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(update): AppJson<PreferencesUpdate>,
) -> Result<Json<PreferencesJson>, ApiError> {
    authorize(&principal, Action::OwnNotices)?;
    Ok(Json(apply_preferences(&state, &principal, update).await?.into()))
}

/// Delivery figures per channel (administrators, supervisors).
#[utoipa::path(get, path = "/api/v1/notices/stats", tag = "notices",
    responses((status = 200, description = "Figures per channel", body = NoticeStatsJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn stats(State(state): State<AppState>, principal: Principal) -> Result<Json<NoticeStatsJson>, ApiError> {
    authorize(&principal, Action::ReadDeliveryStats)?;
    let channels = notify::delivery_stats(&state, &principal).await?;
    Ok(Json(NoticeStatsJson { channels: channels.into_iter().map(ChannelStatsJson::from).collect() }))
}

/// Notices in a state, newest first (administrators): `state=failed`.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", params(NoticeParams),
    responses((status = 200, description = "The notices", body = NoticeListJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A state that is not listed", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<NoticeParams>,
) -> Result<Json<NoticeListJson>, ApiError> {
    // Who asks first, then what: the app function decides who may list.
    let items = notify::failed_notices(&state, &principal).await?;
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty() && *s != "failed") {
        return Err(
            AppError::Invalid(vec![("state".into(), format!("only failed notices are listed, not {s:?}"))]).into()
        );
    }
    Ok(Json(NoticeListJson { items: items.into_iter().map(NoticeJson::from).collect() }))
}

/// Queues a failed notice again (administrators).
#[utoipa::path(post, path = "/api/v1/notices/{id}/retry", tag = "notices",
    params(("id" = String, Path, description = "The notice's id")),
    responses((status = 200, description = "The notice, queued again", body = NoticeJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The notice has not failed", body = Problem, content_type = "application/problem+json")))]
pub async fn retry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<NoticeJson>, ApiError> {
    let id = super::path_id(&principal, Action::ManageNotices, &id, "notice")?;
    Ok(Json(notify::retry_notice(&state, &principal, id).await?.into()))
}

/// Cancels a queued or failed notice (administrators).
#[utoipa::path(post, path = "/api/v1/notices/{id}/cancel", tag = "notices",
    params(("id" = String, Path, description = "The notice's id")),
    responses((status = 200, description = "The notice, cancelled", body = NoticeJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The notice was sent or delivered already", body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<NoticeJson>, ApiError> {
    let id = super::path_id(&principal, Action::ManageNotices, &id, "notice")?;
    Ok(Json(notify::cancel_notice(&state, &principal, id).await?.into()))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(my_inbox))
        .routes(routes!(mark_read))
        .routes(routes!(my_preferences, set_preferences))
        .routes(routes!(stats))
        .routes(routes!(list))
        .routes(routes!(retry))
        .routes(routes!(cancel))
}
