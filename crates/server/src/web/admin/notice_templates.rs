//! `/admin/notice-templates` — the notice templates in force, each event × channel with its
//! version, and a form per event and channel that saves the next version. SMS and WeChat
//! send only provider-approved templates, so their form also names the provider template
//! and maps its parameters, in order, to fields. A refused template comes back with each
//! reason beside its field and what was typed kept; a saved one shows its new version.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::notice::template::{FIELDS, limits};
use tongban_core::notice::{Channel, NoticeTemplate, ParamKind, TemplateError};

use super::{DoneQuery, access, section_tabs, see_other};
use crate::AppState;
use crate::api::notice_templates::{self as api, MAX_PARAMS, NoticeTemplateRequest, TemplateParamJson};
use crate::app::AppError;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// Blank parameter rows offered after those in force.
const BLANK_ROWS: usize = 2;

/// The kinds a parameter may have on `channel`.
fn kinds(channel: Channel) -> &'static [&'static str] {
    match channel {
        Channel::Sms => &["sms"],
        _ => &["thing", "character_string", "phrase", "time"],
    }
}

fn kind_name(k: ParamKind) -> &'static str {
    match k {
        ParamKind::Sms => "sms",
        ParamKind::Thing => "thing",
        ParamKind::CharacterString => "character_string",
        ParamKind::Phrase => "phrase",
        ParamKind::Time => "time",
    }
}

/// Whether `channel` sends provider-approved templates only.
fn needs_provider(channel: Channel) -> bool {
    matches!(channel, Channel::Sms | Channel::Wechat)
}

/// The edit form, as shown or as sent back.
#[derive(Debug, Clone)]
pub(super) struct EditView {
    /// The template in force (its event, channel and version).
    pub current: NoticeTemplate,
    /// Saved just now (the version shown is the new one).
    pub saved: bool,
    /// The subject shown (typed, when refused).
    pub subject: String,
    /// The body shown.
    pub body: String,
    /// The provider template shown.
    pub provider_template: String,
    /// Parameter rows shown: name, field, kind.
    pub params: Vec<TemplateParamJson>,
    /// What was wrong, by form field.
    pub errors: FieldErrors,
}

impl EditView {
    /// The form from the template in force, with blank parameter rows to add.
    pub fn of(t: NoticeTemplate) -> EditView {
        let mut params: Vec<TemplateParamJson> = t
            .params
            .iter()
            .map(|p| TemplateParamJson { name: p.name.clone(), field: p.field.clone(), kind: kind_name(p.kind).into() })
            .collect();
        pad(&mut params);
        EditView {
            subject: t.subject.clone(),
            body: t.body.clone(),
            provider_template: t.provider_template.clone().unwrap_or_default(),
            params,
            saved: false,
            errors: FieldErrors::default(),
            current: t,
        }
    }
}

fn pad(params: &mut Vec<TemplateParamJson>) {
    let rows = (params.len() + BLANK_ROWS).min(MAX_PARAMS);
    params.resize_with(rows, TemplateParamJson::default);
}

fn edit_href(t: &NoticeTemplate) -> String {
    format!("/admin/notice-templates/{}/{}", t.event.as_str(), t.channel.as_str())
}

/// Draws the list of templates in force.
pub(super) fn render_list(ctx: &Ctx, all: &[NoticeTemplate]) -> Markup {
    html! {
        h1 { (ctx.t("ntpl.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("ntpl.lead")) }
        div.table-wrap {
            table.notice-templates {
                thead { tr {
                    th scope="col" { (ctx.t("ntpl.col_event")) }
                    th scope="col" { (ctx.t("ntpl.col_channel")) }
                    th scope="col" { (ctx.t("ntpl.col_version")) }
                    th scope="col" { (ctx.t("ntpl.col_text")) }
                    th scope="col" { span.sr-only { (ctx.t("ntpl.col_actions")) } }
                } }
                tbody {
                    @for t in all {
                        tr id=(format!("t-{}-{}", t.event.as_str(), t.channel.as_str())) {
                            th scope="row" { (ctx.t(&format!("ntpl.event.{}", t.event.as_str()))) }
                            td { (crate::web::notices::channel_name(ctx, t.channel)) }
                            td { (ctx.tf("ntpl.version", &[("n", &t.version.to_string())])) }
                            td {
                                @if let Some(p) = &t.provider_template { code { (p) } " · " }
                                (t.subject)
                            }
                            td { a href=(edit_href(t)) { (ctx.t("ntpl.edit")) } }
                        }
                    }
                }
            }
        }
    }
}

/// Draws the edit form.
pub(super) fn render_edit(ctx: &Ctx, v: &EditView) -> Markup {
    let t = &v.current;
    let errors = &v.errors;
    let event = ctx.t(&format!("ntpl.event.{}", t.event.as_str()));
    let channel = crate::web::notices::channel_name(ctx, t.channel);
    let (max_subject, max_body) = limits(t.channel);
    let version = t.version.to_string();
    html! {
        h1 { (ctx.tf("ntpl.edit_title", &[("event", event), ("channel", channel)])) " "
            span.badge { (ctx.tf("ntpl.version", &[("n", &version)])) } }
        (section_tabs(ctx))
        p { a href="/admin/notice-templates" { (ctx.t("ntpl.back")) } }
        @if v.saved { div.notice.ok role="status" { (ctx.tf("ntpl.saved", &[("n", &version)])) } }
        @if !errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        (view::form_error(errors))
        p.lead { (ctx.tf("ntpl.limits", &[("subject", &max_subject.to_string()), ("body", &max_body.to_string())])) }
        details {
            summary { (ctx.t("ntpl.fields_title")) }
            dl.facts { @for f in FIELDS { dt { code { "{" (f) "}" } } dd { (ctx.t(&format!("ntpl.field.{f}"))) } } }
        }
        (preview(ctx, t))
        form.stack method="post" action=(edit_href(t)) novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("ntpl.subject"), "subject", &v.subject, errors,
                Input { hint: Some(ctx.t("ntpl.subject_hint")), ..Input::default() }))
            @let invalid = errors.get("body").is_some();
            div class=(if invalid { "field invalid" } else { "field" }) {
                label for="f-body" { (ctx.t("ntpl.body")) }
                p.hint { (ctx.t("ntpl.body_hint")) }
                textarea id="f-body" name="body" rows="6"
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("err-body")] { (v.body) }
                (view::field_error(errors, "body"))
            }
            @if needs_provider(t.channel) {
                (view::input(ctx.t("ntpl.provider_template"), "provider_template", &v.provider_template, errors,
                    Input { hint: Some(ctx.t(&format!("ntpl.provider_hint_{}", t.channel.as_str()))), ..Input::default() }))
                fieldset.field.params {
                    legend { (ctx.t("ntpl.params")) }
                    p.hint { (ctx.t("ntpl.params_hint")) }
                    (view::field_error(errors, "params"))
                    @for (i, p) in v.params.iter().enumerate() {
                        @let row = (i + 1).to_string();
                        div.param-row {
                            p { strong { (ctx.tf("ntpl.param_row", &[("n", &row)])) } }
                            (view::input(ctx.t("ntpl.param_name"), &format!("params.{i}.name"), &p.name, errors, Input::default()))
                            (select(ctx, &format!("params.{i}.field"), ctx.t("ntpl.param_field"), &p.field,
                                FIELDS.iter().map(|f| (*f, ctx.t(&format!("ntpl.field.{f}")))).collect(), errors))
                            (select(ctx, &format!("params.{i}.kind"), ctx.t("ntpl.param_kind"), &p.kind,
                                kinds(t.channel).iter().map(|k| (*k, ctx.t(&format!("ntpl.kind.{k}")))).collect(), errors))
                        }
                    }
                }
            }
            button.primary type="submit" { (ctx.t("ntpl.submit")) }
        }
    }
}

/// The template in force rendered with sample values, as a notice of it would read (values
/// cut to fit where they go).
fn preview(ctx: &Ctx, t: &NoticeTemplate) -> Markup {
    let fields: Vec<(&str, String)> =
        FIELDS.iter().map(|f| (*f, ctx.t(&format!("ntpl.sample.{f}")).to_owned())).collect();
    let r = t.render(&fields);
    html! {
        section.preview aria-labelledby="h-preview" {
            h2 id="h-preview" { (ctx.t("ntpl.preview")) }
            p.hint { (ctx.t("ntpl.preview_hint")) }
            dl.facts {
                dt { (ctx.t("ntpl.subject")) } dd { (r.subject) }
                @if let Some((id, values)) = &r.provider {
                    dt { (ctx.t("ntpl.provider_template")) } dd { code { (id) } }
                    @for (name, value) in values { dt { code { (name) } } dd { (value) } }
                } @else {
                    dt { (ctx.t("ntpl.body")) } dd { (r.body) }
                }
            }
        }
    }
}

/// A labelled select keeping what was chosen, with an empty first choice and its error beside it.
fn select(
    ctx: &Ctx,
    name: &str,
    label: &str,
    chosen: &str,
    options: Vec<(&str, &str)>,
    errors: &FieldErrors,
) -> Markup {
    let id = view::field_id("", name);
    let invalid = errors.get(name).is_some();
    let err = format!("err-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    html! {
        div class=(if invalid { "field invalid" } else { "field" }) {
            label for=(id) { (label) }
            select id=(id) name=(name) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then_some(err)] {
                option value="" selected[chosen.is_empty()] { (ctx.t("ntpl.choose")) }
                // A value typed that is not offered stays chosen, beside its error.
                @if !chosen.is_empty() && !options.iter().any(|(v, _)| *v == chosen) {
                    option value=(chosen) selected { (chosen) }
                }
                @for (value, words) in options {
                    option value=(value) selected[value == chosen] { (words) " (" (value) ")" }
                }
            }
            (view::field_error(errors, name))
        }
    }
}

/// Why field `field` of the typed template `typed` was refused, in the page's language;
/// the rule's own words when no message says it.
fn reason(ctx: &Ctx, typed: Option<&NoticeTemplate>, field: &str, raw: &str) -> String {
    if let Some(t) = typed
        && let Err(e) = t.check()
        && api::field_of(t, &e) == field
    {
        let channel = crate::web::notices::channel_name(ctx, t.channel);
        return match e {
            TemplateError::TooLong { what, chars, max, .. } => ctx.tf(
                "ntpl_err.too_long",
                &[
                    ("what", ctx.t(&format!("ntpl.{what}"))),
                    ("chars", &chars.to_string()),
                    ("channel", channel),
                    ("max", &max.to_string()),
                ],
            ),
            TemplateError::UnknownField(name) => ctx.tf("ntpl_err.unknown_field", &[("field", &name)]),
            TemplateError::Unclosed => ctx.t("ntpl_err.unclosed").to_owned(),
            TemplateError::NeedsProviderTemplate(_) => ctx.tf("ntpl_err.needs_provider", &[("channel", channel)]),
            TemplateError::WrongKind(name, _) => {
                ctx.tf("ntpl_err.wrong_kind", &[("name", &name), ("channel", channel)])
            }
        };
    }
    let max = |n: usize| n.to_string();
    match field.rsplit('.').next().unwrap_or(field) {
        "subject" => ctx.tf("ntpl_err.typed_long", &[("max", &max(api::MAX_SUBJECT_TYPED))]),
        "body" => ctx.tf("ntpl_err.typed_long", &[("max", &max(api::MAX_BODY_TYPED))]),
        "provider_template" => ctx.tf("ntpl_err.provider", &[("max", &max(api::MAX_NAME))]),
        "name" => ctx.tf("ntpl_err.param_name", &[("max", &max(api::MAX_NAME))]),
        "kind" => ctx.t("ntpl_err.param_kind").to_owned(),
        "params" => ctx.tf("ntpl_err.params", &[("max", &max(MAX_PARAMS))]),
        _ => raw.to_owned(),
    }
}

/// `GET /admin/notice-templates`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    access(&ctx, false)?;
    let all = api::all_templates(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("ntpl.title"), render_list(&ctx, &all)))
}

/// `GET /admin/notice-templates/{event}/{channel}`.
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((event, channel)): Path<(String, String)>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    access(&ctx, false)?;
    let t = api::one_template(&state, &ctx.principal, &event, &channel).await.map_err(|e| ctx.fail(e))?;
    let mut model = EditView::of(t);
    model.saved = q.done.as_deref() == Some("saved");
    Ok(page(&ctx, ctx.t("ntpl.title"), render_edit(&ctx, &model)))
}

/// The rows of the form that were filled in: their row number and the parameter.
fn typed_params(fields: &Fields) -> Vec<(usize, TemplateParamJson)> {
    (0..MAX_PARAMS)
        .map(|i| {
            let get = |what: &str| fields.get(&format!("params.{i}.{what}")).trim().to_owned();
            (i, TemplateParamJson { name: get("name"), field: get("field"), kind: get("kind") })
        })
        .filter(|(_, p)| !(p.name.is_empty() && p.field.is_empty() && p.kind.is_empty()))
        .collect()
}

/// `POST /admin/notice-templates/{event}/{channel}` — saves the next version.
pub async fn save(
    State(state): State<AppState>,
    Path((event, channel)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    access(&ctx, false)?;
    let current = api::one_template(&state, &ctx.principal, &event, &channel).await.map_err(|e| ctx.fail(e))?;
    let rows = typed_params(&fields);
    let provider = needs_provider(current.channel);
    let request = NoticeTemplateRequest {
        subject: fields.get("subject").to_owned(),
        body: fields.get("body").to_owned(),
        provider_template: provider.then(|| fields.get("provider_template").to_owned()),
        params: if provider { rows.iter().map(|(_, p)| p.clone()).collect() } else { Vec::new() },
    };
    // The template as typed, to say in the page's language why it was refused.
    let typed = api::template_of(current.event, current.channel, request.clone()).ok();
    let mut errors = FieldErrors::default();
    match api::save(&state, &ctx.principal, &event, &channel, request).await {
        Ok(_) => return Ok(see_other(&ctx, format!("{}?done=saved", edit_href(&current)))),
        Err(AppError::Invalid(list)) => {
            for (f, m) in list {
                let why = reason(&ctx, typed.as_ref(), &f, &m);
                // The API counts the rows sent; the form, the rows shown.
                let f = match f.strip_prefix("params.").and_then(|r| r.split_once('.')) {
                    Some((j, what)) => match j.parse::<usize>().ok().and_then(|j| rows.get(j)) {
                        Some((i, _)) => format!("params.{i}.{what}"),
                        None => "params".to_owned(),
                    },
                    None if ["subject", "body", "provider_template", "params"].contains(&f.as_str()) => f,
                    None => String::new(),
                };
                errors.add(&f, ctx.tf("ntpl.refused", &[("why", &why)]));
            }
        }
        Err(e) => return Err(ctx.fail(e)),
    }
    let mut model = EditView::of(current);
    model.subject = fields.get("subject").to_owned();
    model.body = fields.get("body").to_owned();
    model.provider_template = fields.get("provider_template").to_owned();
    let last = rows.last().map_or(0, |(i, _)| i + 1);
    let mut params = vec![TemplateParamJson::default(); last];
    for (i, p) in rows {
        params[i] = p;
    }
    pad(&mut params);
    model.params = params;
    model.errors = errors;
    let body = render_edit(&ctx, &model);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("ntpl.title"), body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;
    use tongban_core::notice::NoticeEvent;

    #[test]
    fn a_refused_parameter_is_shown_again_as_typed_beside_its_reason() {
        let mut v = EditView::of(NoticeTemplate::builtin(NoticeEvent::CorrectionRequested, Channel::Wechat));
        assert_eq!(v.params.len(), 5 + BLANK_ROWS);
        v.params[1].kind = "sms".into();
        v.subject = "typed subject".into();
        v.errors.add("params.1.kind", "wrong kind");
        let html = render_edit(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains("value=\"typed subject\""), "{html}");
        assert!(html.contains("id=\"err-params-1-kind\" role=\"alert\">wrong kind<"), "{html}");
        assert!(html.contains("<option value=\"sms\" selected>sms</option>"), "the typed kind stays chosen: {html}");
        assert!(html.contains("action=\"/admin/notice-templates/correction_requested/wechat\""), "{html}");
        assert!(html.contains("name=\"provider_template\""), "{html}");
    }

    #[test]
    fn an_e_mail_template_has_no_provider_fields() {
        let v = EditView::of(NoticeTemplate::builtin(NoticeEvent::Accepted, Channel::Email));
        let html = render_edit(&Ctx::for_test_as(Lang::Zh, Role::Administrator), &v).into_string();
        assert!(!html.contains("provider_template") && !html.contains("params.0.name"), "{html}");
        assert!(html.contains("name=\"body\""), "{html}");
    }

    #[test]
    fn the_preview_cuts_each_wechat_value_to_its_kind() {
        let ctx = Ctx::for_test_as(Lang::Zh, Role::Administrator);
        let t = NoticeTemplate::builtin(NoticeEvent::CorrectionRequested, Channel::Wechat);
        let html = preview(&ctx, &t).into_string();
        let item = ctx.t("ntpl.sample.item");
        assert!(item.chars().count() > 20, "the sample item is long enough to be cut");
        let cut: String = item.chars().take(19).collect();
        assert!(html.contains(&format!("{cut}\u{2026}<")), "{html}");
        assert!(html.contains("<code>thing2</code>"), "{html}");
    }

    #[test]
    fn every_event_kind_and_field_has_its_words_in_both_languages() {
        for lang in Lang::ALL {
            let keys = NoticeEvent::ALL
                .iter()
                .map(|e| format!("ntpl.event.{e}"))
                .chain(["sms", "thing", "character_string", "phrase", "time"].map(|k| format!("ntpl.kind.{k}")))
                .chain(FIELDS.map(|f| format!("ntpl.field.{f}")))
                .chain(["sms", "wechat"].map(|c| format!("ntpl.provider_hint_{c}")))
                .chain(
                    [
                        "too_long",
                        "unknown_field",
                        "unclosed",
                        "needs_provider",
                        "wrong_kind",
                        "typed_long",
                        "provider",
                        "param_name",
                        "param_kind",
                        "params",
                    ]
                    .map(|k| format!("ntpl_err.{k}")),
                )
                .chain(FIELDS.map(|f| format!("ntpl.sample.{f}")));
            for key in keys {
                assert!(lang.get(&key).is_some(), "{key} in {}", lang.code());
            }
        }
    }
}
