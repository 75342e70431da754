//! The touch-screen kiosk (自助终端, `/kiosk`): large targets, item search and guides, and a
//! case look-up by number and phone, and queue tickets (排队号). Every page but the start goes back to the start after
//! idle time (a meta refresh: no JavaScript needed), so the next person finds it clean.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::case::Case;
use tongban_core::item::ItemCode;

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted};
use super::layout::kiosk;
use super::portal::{SearchQuery, department_name, guide, item_card};
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::app::AppError;

/// `GET /kiosk`.
pub async fn home(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("kiosk.welcome")) }
        div.big-tiles {
            a.big href="/kiosk/items" { span { (ctx.t("kiosk.find")) } span.sub { (ctx.t("kiosk.find_text")) } }
            a.big href="/kiosk/ticket" { span { (ctx.t("kiosk.take_ticket")) } span.sub { (ctx.t("kiosk.take_ticket_text")) } }
            a.big href="/kiosk/lookup" { span { (ctx.t("kiosk.lookup")) } span.sub { (ctx.t("kiosk.lookup_text")) } }
        }
    };
    kiosk(&ctx, ctx.t("kiosk.title"), body, false)
}

/// `GET /kiosk/items`.
pub async fn items(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    state.rate(crate::app::limits::Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    let found = crate::app::public::items(&state, &q.filter(8)).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("kiosk.find")) }
        form.search.big-search role="search" method="get" action="/kiosk/items" {
            label for="q" { (ctx.t("search.words")) }
            input id="q" type="search" name="q" value=(q.q) maxlength=(tongban_core::text::SEARCH) autofocus placeholder=(ctx.t("search.placeholder"));
            button.primary type="submit" { (ctx.t("search.submit")) }
        }
        p.count role="status" { (ctx.tf("items.found", &[("n", &found.total.to_string())])) }
        ul.cards.big-cards {
            @for row in &found.items { li { (item_card(&ctx, row, &departments, "/kiosk/items")) } }
        }
        (view::pager(&ctx, found.page, found.per_page, found.total, |p| q.href("/kiosk/items", p)))
        (back(&ctx))
    };
    Ok(kiosk(&ctx, ctx.t("kiosk.find"), body, true))
}

fn back(ctx: &Ctx) -> Markup {
    html! { p.back { a.button.big-button href="/kiosk" { (ctx.t("kiosk.start")) } } }
}

/// `GET /kiosk/items/{code}`.
pub async fn item(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, WebError> {
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(&code).map_err(|_| not_found())?;
    let row = crate::app::public::item(&state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let i = &row.item;
    let body = html! {
        h1 { (i.name) }
        (guide(&ctx, i, department_name(&departments, i.department.as_str()), None))
        p.back { a.button.big-button href="/kiosk/items" { (ctx.t("kiosk.back_search")) } }
        (back(&ctx))
    };
    Ok(kiosk(&ctx, &i.name, body, true))
}

fn lookup_form(ctx: &Ctx, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.lookup")) }
        (view::form_error(errors))
        form.stack.big-form method="post" action="/kiosk/lookup" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("kiosk.number"), "number", view::typed(fields, "number", ""), errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("kiosk.number_hint")), ..Input::default() }))
            (view::input(ctx.t("kiosk.phone"), "phone", view::typed(fields, "phone", ""), errors,
                Input { kind: "tel", required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("kiosk.lookup_submit")) }
        }
        (back(ctx))
    }
}

/// `GET /kiosk/lookup`.
pub async fn lookup_page(ctx: Ctx) -> Response {
    kiosk(&ctx, ctx.t("kiosk.lookup"), lookup_form(&ctx, None, &FieldErrors::default()), true)
}

fn result(ctx: &Ctx, case: &Case, item_name: &str) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.result")) }
        div.result-card {
            p.big-number { code { (case.number) } }
            p { (view::state_badge(ctx, case.state)) }
            dl.facts {
                dt { (ctx.t("case.item")) } dd { (item_name) }
                dt { (ctx.t("case.submitted")) } dd { (view::time(case.submitted_at)) }
                dt { (ctx.t("case.due")) } dd { (view::case_due(ctx, case, ctx.t("case.not_started"))) }
                @if !case.pending_correction.is_empty() {
                    dt { (ctx.t("case.missing")) } dd { (case.pending_correction.join(ctx.t("list.sep"))) }
                }
            }
            p { (ctx.t(&format!("kiosk.next.{}", case.state.as_str()))) }
        }
        (back(ctx))
    }
}

/// `POST /kiosk/lookup`.
pub async fn lookup(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let mut errors = FieldErrors::default();
    if fields.get("number").trim().is_empty() {
        errors.add("number", ctx.t("err.required"));
    }
    if fields.get("phone").trim().is_empty() {
        errors.add("phone", ctx.t("err.required"));
    }
    if errors.is_empty() {
        match app::case_by_number_and_phone(&state, &ctx.principal, fields.get("number"), fields.get("phone")).await {
            Ok(case) => {
                let name = crate::app::public::item_in_version(&state, &case.item, case.item_version)
                    .await
                    .map_err(|e| ctx.fail(e))?
                    .map_or_else(|| case.item.to_string(), |r| r.item.name);
                return Ok(kiosk(&ctx, ctx.t("kiosk.result"), result(&ctx, &case, &name), true));
            }
            Err(crate::app::AppError::NotFound(_)) => errors.add("", ctx.t("kiosk.not_found")),
            Err(crate::app::AppError::TooManyAttempts(s)) => {
                errors.add("", ctx.tf("login.too_many", &[("s", &s.to_string())]))
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = lookup_form(&ctx, Some(&fields), &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, kiosk(&ctx, ctx.t("kiosk.lookup"), body, true)).into_response())
}

fn ticket_form(ctx: &Ctx, departments: &[(String, String)], errors: &FieldErrors) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.take_ticket")) }
        (view::form_error(errors))
        form.big-form method="post" action="/kiosk/ticket" {
            (view::csrf(ctx))
            fieldset.ticket-queues aria-describedby=[errors.get("queue").map(|_| "err-queue")] {
                legend { (ctx.t("kiosk.ticket_choose")) }
                (view::field_error(errors, "queue"))
                div.big-tiles {
                    button.big type="submit" name="queue" value=(app::COMPREHENSIVE) autofocus {
                        span { (ctx.t("kiosk.comprehensive")) } span.sub { (ctx.t("kiosk.comprehensive_text")) }
                    }
                    @for (code, name) in departments {
                        button.big type="submit" name="queue" value=(code) { span { (name) } }
                    }
                }
            }
        }
        (back(ctx))
    }
}

/// `GET /kiosk/ticket`.
pub async fn ticket_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    Ok(kiosk(&ctx, ctx.t("kiosk.take_ticket"), ticket_form(&ctx, &departments, &FieldErrors::default()), true))
}

/// `POST /kiosk/ticket`: takes a ticket and shows its number, large.
pub async fn take_ticket(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let queue = fields.get("queue").trim();
    let mut errors = FieldErrors::default();
    if queue.is_empty() {
        errors.add("queue", ctx.t("err.required"));
    } else {
        match app::take_ticket(&state, &ctx.principal, queue).await {
            Ok(taken) => {
                let queue_name = if taken.ticket.queue == app::COMPREHENSIVE {
                    ctx.t("kiosk.comprehensive").to_owned()
                } else {
                    department_name(&departments, &taken.ticket.queue).to_owned()
                };
                let body = html! {
                    h1 { (ctx.t("kiosk.ticket_yours")) }
                    div.result-card.ticket-card {
                        p.ticket-number role="status" aria-live="polite" { (taken.ticket.number) }
                        p { (ctx.tf("kiosk.ticket_queue", &[("queue", &queue_name)])) }
                        p.ticket-ahead { (ctx.tf("kiosk.ticket_ahead", &[("n", &taken.ahead.to_string())])) }
                        p { (ctx.t("kiosk.ticket_wait")) }
                    }
                    (back(&ctx))
                };
                return Ok((StatusCode::CREATED, kiosk(&ctx, ctx.t("kiosk.ticket_yours"), body, true)).into_response());
            }
            Err(crate::app::AppError::Invalid(_)) => errors.add("queue", ctx.t("kiosk.ticket_no_queue")),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = ticket_form(&ctx, &departments, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, kiosk(&ctx, ctx.t("kiosk.take_ticket"), body, true)).into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/kiosk", get(home))
        .route("/kiosk/items", get(items))
        .route("/kiosk/items/{code}", get(item))
        .route("/kiosk/ticket", get(ticket_page).post(take_ticket))
        .route("/kiosk/lookup", get(lookup_page).post(lookup))
}
