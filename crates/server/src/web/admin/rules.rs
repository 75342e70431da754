//! `/admin/rules` — the supervision rules (center, department, item).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tongban_core::supervision::Rule;

use super::{DoneQuery, access, field_message, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self, Input};

async fn rules_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: Option<(&Fields, &FieldErrors)>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, true)?;
    let default = Rule::center_default(state.calendars().base());
    let book = app::rule_book(state).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let none = FieldErrors::default();
    let (fields, errors) = failed.map_or((None, &none), |(f, e)| (Some(f), e));
    let typed = |name: &str, default: &'static str| view::typed(fields, name, default);
    let rule_cells = |r: &Rule| {
        html! {
            td { (r.used_percent()) "%" }
            td { (view::minutes(ctx, i64::from(r.remaining_minutes()))) }
        }
    };
    let scope = typed("scope", "center");
    let body = html! {
        h1 { (ctx.t("rules.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, may_change))
        (view::done_notice(ctx, done))
        p.lead { (ctx.t("rules.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("rules.scope")) }
                    th scope="col" { (ctx.t("rules.key")) }
                    th scope="col" { (ctx.t("rules.used_percent")) }
                    th scope="col" { (ctx.t("rules.remaining")) }
                } }
                tbody {
                    tr { th scope="row" { (ctx.t("rules.scope_center")) } td { "–" @if book.center == default { " (" (ctx.t("rules.default")) ")" } } (rule_cells(&book.center)) }
                    @for (d, r) in &book.departments {
                        tr { th scope="row" { (ctx.t("rules.scope_department")) } td { (department_name(&departments, d.as_str())) " " code { (d) } } (rule_cells(r)) }
                    }
                    @for (i, r) in &book.items {
                        tr { th scope="row" { (ctx.t("rules.scope_item")) } td { a href=(format!("/items/{i}")) { code { (i) } } } (rule_cells(r)) }
                    }
                }
            }
        }
        p.hint { (ctx.t("rules.effect")) }
        @if may_change {
            section.action id="set-rule" aria-labelledby="h-set-rule" {
                h2 id="h-set-rule" { (ctx.t("rules.set")) }
                @if !errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
                form.stack method="post" action="/admin/rules" novalidate {
                    (view::csrf(ctx))
                    fieldset class=(if errors.get("scope").is_some() { "field invalid" } else { "field" }) {
                        legend { (ctx.t("rules.scope")) }
                        @for s in ["center", "department", "item"] {
                            label.choice { input type="radio" name="scope" value=(s) checked[scope == s]; " " (ctx.t(&format!("rules.scope_{s}"))) }
                        }
                        (view::field_error(errors, "scope"))
                    }
                    (view::input(ctx.t("rules.key"), "key", typed("key", ""), errors, Input { hint: Some(ctx.t("rules.key_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.used_percent"), "used_percent", typed("used_percent", "80"), errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.used_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.remaining_minutes"), "remaining_minutes", typed("remaining_minutes", "480"), errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.remaining_hint")), ..Input::default() }))
                    button.primary type="submit" { (ctx.t("rules.submit")) }
                }
            }
        }
    };
    Ok(page(ctx, ctx.t("rules.title"), body))
}

/// `GET /admin/rules` — the supervision rules.
pub async fn rules(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    rules_page(&state, &ctx, q.done.as_deref(), None).await
}

/// `POST /admin/rules` — sets a supervision rule.
pub async fn set_rule(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may set rules is checked before what they typed.
    app::authorize(&ctx.principal, tongban_core::access::Action::ConfigureSupervision).map_err(|e| ctx.fail(e))?;
    let mut errors = FieldErrors::default();
    let used = fields.get("used_percent").trim().parse::<u8>().ok().filter(|p| *p <= 100);
    let remaining = fields.get("remaining_minutes").trim().parse::<u32>().ok();
    if used.is_none() {
        errors.add("used_percent", ctx.t("admin_err.used_percent"));
    }
    if remaining.is_none() {
        errors.add("remaining_minutes", ctx.t("admin_err.remaining_minutes"));
    }
    let scope = fields.get("scope");
    if scope != "center" && fields.get("key").trim().is_empty() {
        errors.add("key", ctx.t("err.required"));
    }
    if let (Some(used), Some(remaining), true) = (used, remaining, errors.is_empty()) {
        match app::set_supervision_rule(&state, &ctx.principal, scope, fields.get("key"), used, remaining).await {
            Ok(()) => return Ok(see_other(&ctx, "/admin/rules?done=rule_set".to_owned())),
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    if errors.get(&f).is_none() {
                        let message = field_message(&ctx, &f, &m);
                        errors.add(&f, message);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let response = rules_page(&state, &ctx, None, Some((&fields, &errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}
