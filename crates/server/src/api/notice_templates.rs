//! Notice templates over HTTP (administrators): every event × channel in force with its
//! version, and saving the next version of one. A template whose own text cannot fit its
//! channel's length rules, names an unknown field, or (SMS, WeChat) lacks its provider
//! template is a 422 naming the field: `subject`, `body`, `provider_template`, `params`,
//! or `params.{i}.name|field|kind`.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use tongban_core::access::Action;
use tongban_core::notice::{Channel, NoticeEvent, NoticeTemplate, ParamKind, TemplateError, TemplateParam};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::notify;
use crate::app::{AppError, authorize};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// Most provider parameters a template may map.
pub const MAX_PARAMS: usize = 20;
/// Most characters of a subject as typed, placeholders included.
pub const MAX_SUBJECT_TYPED: usize = 1_000;
/// Most characters of a body as typed, placeholders included.
pub const MAX_BODY_TYPED: usize = 16_000;
/// Most characters of a provider template id or parameter name.
pub const MAX_NAME: usize = 128;

/// One provider template parameter, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateParamJson {
    /// The provider's name of the parameter (`number`, `thing2`).
    #[schema(example = "thing2")]
    pub name: String,
    /// The field it takes: one of `case_number`, `item`, `applicant`, `status`, `reason`,
    /// `missing`, `note`, `due_at`, `at`, `url`, `channel`, `center`.
    #[schema(example = "item")]
    pub field: String,
    /// `sms` (≤ 35 characters) on SMS; `thing` (≤ 20), `character_string` (≤ 32), `phrase`
    /// (≤ 5) or `time` on WeChat.
    #[schema(example = "thing")]
    pub kind: String,
}

/// One provider template parameter in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateParamView {
    /// The provider's name of the parameter.
    pub name: String,
    /// The field it takes.
    pub field: String,
    /// Its kind.
    pub kind: String,
    /// The most characters a value gets (longer values are cut).
    pub max_chars: usize,
}

/// A notice template in force for one event on one channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeTemplateJson {
    /// The event (`accepted`, `correction_requested`, `alert_red` …).
    #[schema(example = "correction_requested")]
    pub event: String,
    /// The channel (`inbox`, `email`, `sms`, `wechat`, `push`).
    #[schema(example = "email")]
    pub channel: String,
    /// Its version (1 is the built-in one).
    pub version: u32,
    /// The subject, with `{field}` placeholders.
    pub subject: String,
    /// The text, with `{field}` placeholders.
    pub body: String,
    /// The provider's approved template (SMS `TemplateCode`, WeChat `template_id`).
    pub provider_template: Option<String>,
    /// Its parameters, in order.
    pub params: Vec<TemplateParamView>,
    /// The most characters of fixed subject text the channel takes.
    pub max_subject_chars: usize,
    /// The most characters of fixed body text the channel takes.
    pub max_body_chars: usize,
}

fn kind_name(k: ParamKind) -> String {
    serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl From<NoticeTemplate> for NoticeTemplateJson {
    fn from(t: NoticeTemplate) -> Self {
        let (max_subject_chars, max_body_chars) = tongban_core::notice::template::limits(t.channel);
        NoticeTemplateJson {
            event: t.event.as_str().to_owned(),
            channel: t.channel.as_str().to_owned(),
            version: t.version,
            subject: t.subject,
            body: t.body,
            provider_template: t.provider_template,
            params: t
                .params
                .into_iter()
                .map(|p| TemplateParamView {
                    max_chars: p.kind.max_chars(),
                    kind: kind_name(p.kind),
                    name: p.name,
                    field: p.field,
                })
                .collect(),
            max_subject_chars,
            max_body_chars,
        }
    }
}

/// Every template in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeTemplateListJson {
    /// One per event and channel, by event then channel.
    pub items: Vec<NoticeTemplateJson>,
}

/// The next version of a template.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeTemplateRequest {
    /// The subject, with `{field}` placeholders (fixed text ≤ 200 characters).
    #[schema(example = "【{center}】受理通知：{case_number}")]
    pub subject: String,
    /// The text, with `{field}` placeholders (fixed text ≤ 4,000 characters; push ≤ 200).
    pub body: String,
    /// The provider's approved template: required on SMS and WeChat.
    #[serde(default)]
    pub provider_template: Option<String>,
    /// The provider template's parameters, in order: required on SMS and WeChat.
    #[serde(default)]
    pub params: Vec<TemplateParamJson>,
}

/// The field of `t` that `e` is about, as the API and the page name it.
pub(crate) fn field_of(t: &NoticeTemplate, e: &TemplateError) -> String {
    let has_placeholder = |text: &str, name: &str| text.contains(&format!("{{{name}}}"));
    let unclosed = |text: &str| {
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            match rest[open + 1..].find('}') {
                Some(close) => rest = &rest[open + 1 + close + 1..],
                None => return true,
            }
        }
        false
    };
    match e {
        TemplateError::TooLong { what, .. } => (*what).to_owned(),
        TemplateError::Unclosed => if unclosed(&t.subject) { "subject" } else { "body" }.to_owned(),
        TemplateError::UnknownField(name) => {
            if has_placeholder(&t.subject, name) {
                "subject".to_owned()
            } else if has_placeholder(&t.body, name) {
                "body".to_owned()
            } else {
                t.params
                    .iter()
                    .position(|p| &p.field == name)
                    .map_or_else(|| "params".to_owned(), |i| format!("params.{i}.field"))
            }
        }
        TemplateError::NeedsProviderTemplate(_) => {
            if t.provider_template.as_deref().is_none_or(|s| s.trim().is_empty()) {
                "provider_template".to_owned()
            } else {
                "params".to_owned()
            }
        }
        TemplateError::WrongKind(name, _) => t
            .params
            .iter()
            .position(|p| &p.name == name)
            .map_or_else(|| "params".to_owned(), |i| format!("params.{i}.kind")),
    }
}

/// The template `request` describes for `event` on `channel`, or what is wrong with its shape.
pub(crate) fn template_of(
    event: NoticeEvent,
    channel: Channel,
    request: NoticeTemplateRequest,
) -> Result<NoticeTemplate, AppError> {
    let mut errors = Vec::new();
    let too_long = |s: &str, max: usize| s.chars().count() > max;
    if too_long(&request.subject, MAX_SUBJECT_TYPED) {
        errors.push(("subject".to_owned(), format!("at most {MAX_SUBJECT_TYPED} characters as typed")));
    }
    if too_long(&request.body, MAX_BODY_TYPED) {
        errors.push(("body".to_owned(), format!("at most {MAX_BODY_TYPED} characters as typed")));
    }
    let provider_template = request.provider_template.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if provider_template.as_deref().is_some_and(|s| too_long(s, MAX_NAME) || s.chars().any(char::is_control)) {
        errors.push(("provider_template".to_owned(), format!("at most {MAX_NAME} characters, on one line")));
    }
    if request.params.len() > MAX_PARAMS {
        errors.push(("params".to_owned(), format!("at most {MAX_PARAMS} parameters")));
    }
    let mut params = Vec::new();
    for (i, p) in request.params.into_iter().take(MAX_PARAMS).enumerate() {
        let name = p.name.trim().to_owned();
        if name.is_empty() || too_long(&name, MAX_NAME) || name.chars().any(char::is_control) {
            errors.push((format!("params.{i}.name"), format!("1–{MAX_NAME} characters, on one line")));
        }
        match serde_json::from_value::<ParamKind>(serde_json::Value::String(p.kind.trim().to_owned())) {
            Ok(kind) => params.push(TemplateParam { name, field: p.field.trim().to_owned(), kind }),
            Err(_) => errors.push((
                format!("params.{i}.kind"),
                format!("unknown kind {:?}: sms, thing, character_string, phrase or time", p.kind),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(NoticeTemplate {
        event,
        channel,
        version: 0,
        subject: request.subject,
        body: request.body,
        provider_template,
        params,
    })
}

/// The event and channel named in a path; authorization is answered first, so one who
/// may not manage templates learns nothing of which exist.
fn parse_key(principal: &Principal, event: &str, channel: &str) -> Result<(NoticeEvent, Channel), AppError> {
    authorize(principal, Action::ManageNotices)?;
    let e = NoticeEvent::parse(event).ok_or_else(|| AppError::NotFound(format!("no notice event {event:?}")))?;
    let c = Channel::parse(channel).ok_or_else(|| AppError::NotFound(format!("no channel {channel:?}")))?;
    Ok((e, c))
}

/// Every template in force, by event then channel (administrators).
pub(crate) async fn all_templates(state: &AppState, principal: &Principal) -> Result<Vec<NoticeTemplate>, AppError> {
    let mut out = Vec::with_capacity(NoticeEvent::ALL.len() * Channel::ALL.len());
    for event in NoticeEvent::ALL {
        for channel in Channel::ALL {
            out.push(notify::notice_template(state, principal, event, channel).await?);
        }
    }
    Ok(out)
}

/// The template in force of the event and channel named (administrators).
pub(crate) async fn one_template(
    state: &AppState,
    principal: &Principal,
    event: &str,
    channel: &str,
) -> Result<NoticeTemplate, AppError> {
    let (event, channel) = parse_key(principal, event, channel)?;
    notify::notice_template(state, principal, event, channel).await
}

/// Saves `request` as the next version of the template of `event` on `channel`
/// (administrators); a refusal names the field it is about.
pub(crate) async fn save(
    state: &AppState,
    principal: &Principal,
    event: &str,
    channel: &str,
    request: NoticeTemplateRequest,
) -> Result<NoticeTemplate, AppError> {
    let (event, channel) = parse_key(principal, event, channel)?;
    let template = template_of(event, channel, request)?;
    // The app checks the template again and names it whole; the core's reason tells which
    // field it is about.
    let check = template.check();
    match notify::save_notice_template(state, principal, template.clone()).await {
        Err(AppError::Invalid(list)) => Err(AppError::Invalid(
            list.into_iter()
                .map(|(f, m)| match &check {
                    Err(e) if f == "template" => (field_of(&template, e), m),
                    _ => (f, m),
                })
                .collect(),
        )),
        other => other,
    }
}

/// Every notice template in force — each event × channel — with its version
/// (administrators).
#[utoipa::path(get, path = "/api/v1/notice-templates", tag = "notices",
    responses((status = 200, description = "The templates in force", body = NoticeTemplateListJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<NoticeTemplateListJson>, ApiError> {
    let items = all_templates(&state, &principal).await?;
    Ok(Json(NoticeTemplateListJson { items: items.into_iter().map(NoticeTemplateJson::from).collect() }))
}

/// The template in force of an event on a channel, with its version (administrators).
#[utoipa::path(get, path = "/api/v1/notice-templates/{event}/{channel}", tag = "notices",
    params(("event" = String, Path, description = "The event, as in the list"),
        ("channel" = String, Path, description = "The channel: `inbox`, `email`, `sms`, `wechat`, `push`")),
    responses((status = 200, description = "The template in force", body = NoticeTemplateJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event or channel", body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path((event, channel)): Path<(String, String)>,
) -> Result<Json<NoticeTemplateJson>, ApiError> {
    Ok(Json(one_template(&state, &principal, &event, &channel).await?.into()))
}

/// Saves the next version of the template of an event on a channel (administrators).
/// Notices written from now on use it; values from data are cut to fit the channel, but
/// the template's own text must fit: else 422 naming the field.
#[utoipa::path(put, path = "/api/v1/notice-templates/{event}/{channel}", tag = "notices",
    request_body = NoticeTemplateRequest,
    params(("event" = String, Path, description = "The event: `submitted`, `accepted`, `not_accepted`, `correction_requested`, `approved`, `denied`, `delivered`, `rating_invitation`, `alert_yellow`, `alert_red`, `channel_failing`"),
        ("channel" = String, Path, description = "The channel: `inbox`, `email`, `sms`, `wechat`, `push`")),
    responses((status = 200, description = "The new version, in force", body = NoticeTemplateJson),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event or channel", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Text that cannot fit the channel, an unknown field, or a missing provider template; the field is named", body = Problem, content_type = "application/problem+json")))]
pub async fn put(
    State(state): State<AppState>,
    principal: Principal,
    Path((event, channel)): Path<(String, String)>,
    AppJson(request): AppJson<NoticeTemplateRequest>,
) -> Result<Json<NoticeTemplateJson>, ApiError> {
    Ok(Json(save(&state, &principal, &event, &channel, request).await?.into()))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(list)).routes(routes!(get, put))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(params: Vec<TemplateParam>, provider: Option<&str>) -> NoticeTemplate {
        NoticeTemplate {
            event: NoticeEvent::Accepted,
            channel: Channel::Sms,
            version: 0,
            subject: "s {case_number}".into(),
            body: "b {bogus".into(),
            provider_template: provider.map(str::to_owned),
            params,
        }
    }

    #[test]
    fn each_refusal_names_its_field() {
        let p = |name: &str, field: &str, kind| TemplateParam { name: name.into(), field: field.into(), kind };
        let t = sms(vec![p("a", "item", ParamKind::Sms), p("b", "nope", ParamKind::Thing)], Some("SMS_1"));
        assert_eq!(field_of(&t, &TemplateError::Unclosed), "body");
        assert_eq!(field_of(&t, &TemplateError::UnknownField("nope".into())), "params.1.field");
        assert_eq!(field_of(&t, &TemplateError::WrongKind("b".into(), Channel::Sms)), "params.1.kind");
        assert_eq!(field_of(&t, &TemplateError::NeedsProviderTemplate(Channel::Sms)), "params");
        assert_eq!(
            field_of(&sms(vec![], None), &TemplateError::NeedsProviderTemplate(Channel::Sms)),
            "provider_template"
        );
        let long = TemplateError::TooLong { what: "subject", channel: Channel::Sms, chars: 300, max: 200 };
        assert_eq!(field_of(&t, &long), "subject");
    }

    #[test]
    fn a_parameter_of_no_known_kind_is_named() {
        let request = NoticeTemplateRequest {
            subject: "s".into(),
            body: "b".into(),
            provider_template: Some("SMS_1".into()),
            params: vec![TemplateParamJson { name: "n".into(), field: "item".into(), kind: "pigeon".into() }],
        };
        let Err(AppError::Invalid(list)) = template_of(NoticeEvent::Accepted, Channel::Sms, request) else {
            panic!("refused")
        };
        assert_eq!(list[0].0, "params.0.kind");
    }
}
