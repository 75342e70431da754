//! `/supervision/accountability` — records, the department's answer, the supervisor's
//! conclusion.

use std::collections::HashMap;
use tongban_core::supervision::AccountabilityState;

use crate::app::AccountabilityRow;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{SHOWN, allow, person, section_tabs, stored_time};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self};
use tongban_core::access::{Action, role_may};

/// `?state=&done=` of the accountability page.
#[derive(Debug, Default, Deserialize)]
pub struct AccountabilityQuery {
    /// `open`, `answered`, `closed`; all when none.
    pub state: Option<String>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

/// The form of one record being shown again: (case number, since, what was typed, errors).
type FailedStep<'a> = Option<(&'a str, &'a str, &'a Fields, &'a FieldErrors)>;

/// The record states, in the order records are listed.
fn record_states() -> [&'static str; 3] {
    AccountabilityState::ALL.map(AccountabilityState::as_str)
}

fn record_id(r: &AccountabilityRow) -> String {
    format!("rec-{}-{}", r.case_number, r.since).replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
}

/// One accountability record with the form its viewer may use on it.
fn record(
    ctx: &Ctx,
    r: &AccountabilityRow,
    departments: &[(String, String)],
    names: &HashMap<String, String>,
    failed: FailedStep<'_>,
) -> Markup {
    let id = record_id(r);
    let role = ctx.role();
    let answer_here = r.state == AccountabilityState::Open.as_str()
        && role_may(role, Action::AnswerAccountability)
        && app::may_see_department(&ctx.principal, &r.department);
    let close_here = r.state == AccountabilityState::Answered.as_str() && role_may(role, Action::CloseAccountability);
    let mine = failed.filter(|(n, s, _, _)| *n == r.case_number && *s == r.since);
    let no_errors = FieldErrors::default();
    let (typed, errors) = mine.map_or(("", &no_errors), |(_, _, f, e)| (f.get("text"), e));
    let form = |step: &str, label: &str, button: &str| {
        html! {
            form.stack method="post" action=(format!("/supervision/accountability/{}/{step}", r.case_number)) novalidate {
                (view::csrf(ctx))
                input type="hidden" name="since" value=(r.since);
                (view::textarea(label, "text", typed, errors, true, &id))
                button.primary type="submit" { (button) }
            }
        }
    };
    html! {
        article.record id=(id) {
            header {
                h3 { a href=(format!("/cases/{}", r.case_number)) { (r.case_number) } }
                span class=(format!("badge acct-{}", r.state)) { (ctx.t(&format!("acct_state.{}", r.state))) }
            }
            dl.facts {
                dt { (ctx.t("item.department")) } dd { (department_name(departments, &r.department)) }
                dt { (ctx.t("sup.owner")) } dd { (person(names, &r.owner)) }
                dt { (ctx.t("acct.red_since")) } dd { (stored_time(&r.since)) }
                dt { (ctx.t("acct.opened")) } dd { (stored_time(&r.opened_at)) }
                @if let Some(a) = &r.answer {
                    dt { (ctx.t("acct.answer")) }
                    dd { p.statement { (a) } span.when { (r.answered_by.as_deref().map(|b| person(names, b)).unwrap_or_default()) @if let Some(t) = &r.answered_at { " · " (stored_time(t)) } } }
                }
                @if let Some(c) = &r.conclusion {
                    dt { (ctx.t("acct.conclusion")) }
                    dd { p.statement { (c) } span.when { (r.closed_by.as_deref().map(|b| person(names, b)).unwrap_or_default()) @if let Some(t) = &r.closed_at { " · " (stored_time(t)) } } }
                }
            }
            @if answer_here { (form("answer", ctx.t("acct.answer_label"), ctx.t("acct.answer_submit"))) }
            @if close_here { (form("close", ctx.t("acct.close_label"), ctx.t("acct.close_submit"))) }
        }
    }
}

async fn accountability_page(
    state: &AppState,
    ctx: &Ctx,
    q: &AccountabilityQuery,
    failed: FailedStep<'_>,
) -> Result<Response, WebError> {
    let all = app::accountability_records(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let wanted = q.state.as_deref().filter(|s| record_states().contains(s));
    let mut shown: Vec<&AccountabilityRow> = all.iter().filter(|r| wanted.is_none_or(|s| r.state == s)).collect();
    // The ones waiting on someone first: open, then answered, then closed; newest first within.
    shown.sort_by_key(|r| record_states().iter().position(|s| *s == r.state).unwrap_or(3));
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("acct.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("acct.lead")) }
        (view::done_notice(ctx, q.done.as_deref()))
        @if let Some((_, _, _, e)) = failed {
            @if let Some(m) = e.get("") {
                div.notice.error role="alert" { (m) }
            } @else if !e.is_empty() {
                div.notice.error role="alert" { (ctx.t("err.see_fields")) }
            }
        }
        nav.filters aria-label=(ctx.t("acct.filter")) {
            ul {
                li { @if wanted.is_none() { a href="/supervision/accountability" aria-current="true" { (ctx.t("acct.all")) " (" (all.len()) ")" } } @else { a href="/supervision/accountability" { (ctx.t("acct.all")) " (" (all.len()) ")" } } }
                @for s in record_states() {
                    @let n = all.iter().filter(|r| r.state == s).count();
                    li {
                        @if wanted == Some(s) {
                            a href=(format!("/supervision/accountability?state={s}")) aria-current="true" { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        } @else {
                            a href=(format!("/supervision/accountability?state={s}")) { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        }
                    }
                }
            }
        }
        @if shown.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if shown.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.records {
                @for r in shown.iter().take(SHOWN) { (record(ctx, r, &departments, &names, failed)) }
            }
        }
    };
    Ok(page(ctx, ctx.t("acct.title"), body))
}

/// `GET /supervision/accountability`.
pub async fn accountability(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountabilityQuery>,
) -> Result<Response, WebError> {
    accountability_page(&state, &ctx, &q, None).await
}

async fn step(state: &AppState, number: &str, posted: Posted, close: bool) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may answer or close is checked before what they typed.
    let action = if close { Action::CloseAccountability } else { Action::AnswerAccountability };
    allow(&ctx, action)?;
    let since = fields.get("since").to_owned();
    let mut errors = FieldErrors::default();
    let text = fields.get("text").trim().to_owned();
    if text.is_empty() {
        errors.add("text", ctx.t("err.required"));
    } else {
        match app::accountability_step(state, &ctx.principal, number, &since, &text, close).await {
            Ok(()) => {
                let done = if close { "accountability_closed" } else { "accountability_answered" };
                let to = format!("/supervision/accountability?done={done}");
                return Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)])));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "text" { "text" } else { "" };
                    errors.add(field, if field == "text" { ctx.t("acct.text_invalid").to_owned() } else { m });
                }
            }
            Err(crate::app::AppError::Conflict(_)) => {
                errors.add("", ctx.t(if close { "acct.not_answered" } else { "acct.not_open" }));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let status = if errors.get("").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let q = AccountabilityQuery::default();
    let response = accountability_page(state, &ctx, &q, Some((number, &since, &fields, &errors))).await?;
    Ok((status, response).into_response())
}

/// `POST /supervision/accountability/{number}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, false).await
}

/// `POST /supervision/accountability/{number}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, true).await
}
