//! The window workbench (clerks: the queue of their department's submitted cases, oldest
//! first, cases offered to them, cases to deliver) and the approver inbox (cases waiting for
//! a decision, with the authority held for each and its grant chain).

use crate::app::CaseFilter;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::case::{Case, CaseState};
use tongban_core::identity::{Power, Role};

use super::case_page::chain;
use super::ctx::Ctx;
use super::error::WebError;
use super::form::Posted;
use super::hall::{ListQuery, case_table, item_names};
use super::layout::page;
use super::view;
use crate::AppState;
use crate::app;
use crate::app::AppError;
use tongban_core::access::{Action, role_may};

/// Cases shown per section.
const SHOWN: u32 = 20;

/// The department's cases in `state`, oldest first (at most [`SHOWN`]), and how many there are.
async fn oldest(state: &AppState, ctx: &Ctx, s: CaseState) -> Result<(Vec<Case>, u64), WebError> {
    let count = CaseFilter { state: Some(s), page: 1, per_page: 1, ..Default::default() };
    let total = app::search_cases(state, &ctx.principal, count).await.map_err(|e| ctx.fail(e))?.total;
    // The store lists newest first, so the oldest are on the last page.
    let last = u32::try_from(total.div_ceil(u64::from(SHOWN))).unwrap_or(1).max(1);
    let filter = CaseFilter { state: Some(s), page: last, per_page: SHOWN, ..Default::default() };
    let mut cases = app::search_cases(state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?.items;
    cases.reverse();
    Ok((cases, total))
}

/// The department's newest cases in `state`.
async fn newest(state: &AppState, ctx: &Ctx, s: CaseState) -> Result<(Vec<Case>, u64), WebError> {
    let filter = CaseFilter { state: Some(s), page: 1, per_page: SHOWN, ..Default::default() };
    let page = app::search_cases(state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?;
    Ok((page.items, page.total))
}

fn section(ctx: &Ctx, id: &str, title: &str, total: u64, cases: &[Case], names: &[(String, String)]) -> Markup {
    html! {
        section id=(id) {
            h2 { (title) " " span.count { "(" (total) ")" } }
            @if cases.is_empty() { p { (ctx.t("workbench.empty")) } } @else { (case_table(ctx, cases, names)) }
        }
    }
}

/// The workbench's query: a notice after a redirect, and the ticket just called.
#[derive(Debug, Default, Deserialize)]
pub struct WorkbenchQuery {
    /// The notice to show after a redirect.
    pub done: Option<String>,
    /// The ticket number just called, or `none` when nobody was waiting.
    pub called: Option<String>,
}

/// The called-ticket banner and the form that calls the next queue ticket.
fn ticket_bar(ctx: &Ctx, called: Option<&str>, waiting: i64) -> Markup {
    let called = called.filter(|c| !c.is_empty() && c.len() <= 12 && c.bytes().all(|b| b.is_ascii_alphanumeric()));
    html! {
        @match called {
            Some("none") => { div.notice role="status" { (ctx.t("workbench.no_ticket")) } }
            Some(number) => {
                div.called role="status" aria-live="assertive" {
                    p { (ctx.t("workbench.now_calling")) }
                    p.called-number { (number) }
                }
            }
            None => {}
        }
        form.inline-form.ticket-call method="post" action="/workbench/call" {
            (view::csrf(ctx))
            button.primary type="submit" accesskey="t" autofocus[called.is_some()] {
                (ctx.t("workbench.call_ticket")) span.key aria-hidden="true" { " [T]" }
            }
            " " span.count role="status" { (ctx.tf("workbench.tickets_waiting", &[("n", &waiting.to_string())])) }
        }
    }
}

/// `POST /workbench/call`: calls the oldest waiting queue ticket of the caller's department
/// or of the comprehensive window, and goes back to the workbench showing its number.
pub async fn call_next(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let called = app::call_next_ticket(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let number = called.map_or_else(|| "none".to_owned(), |t| t.number);
    Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, format!("/workbench?called={number}"))])))
}

/// `GET /workbench`.
pub async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<WorkbenchQuery>,
) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?.clone();
    if !role_may(account.role, Action::Case(tongban_core::case::CaseCommandKind::Accept)) {
        return Err(ctx.fail(AppError::Forbidden(format!("a {} has no window queue", account.role))));
    }
    let (waiting, waiting_total) = oldest(&state, &ctx, CaseState::Submitted).await?;
    let (correcting, correcting_total) = newest(&state, &ctx, CaseState::CorrectionRequested).await?;
    let (mut deliver, approved_total) = newest(&state, &ctx, CaseState::Approved).await?;
    let (denied, denied_total) = newest(&state, &ctx, CaseState::Denied).await?;
    deliver.extend(denied);
    let offered = crate::app::org::cases_offered_to_me(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let all = waiting.iter().chain(&correcting).chain(&deliver).chain(&offered);
    let names = item_names(&state, all.map(|c| &c.item)).await.map_err(|e| ctx.fail(e))?;
    let tickets = if account.department.is_some() && role_may(account.role, Action::CallTicket) {
        Some(app::waiting_for(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?)
    } else {
        None
    };
    let body = html! {
        h1 { (ctx.t("workbench.title")) }
        (view::done_notice(&ctx, q.done.as_deref()))
        @if let Some(waiting) = tickets { (ticket_bar(&ctx, q.called.as_deref(), waiting)) }
        div.callbar {
            @if let Some(next) = waiting.first() {
                a.button.primary href=(format!("/cases/{}", next.number)) accesskey="n" autofocus[q.called.is_none()] {
                    (ctx.tf("workbench.call_next", &[("number", next.number.as_str())])) span.key aria-hidden="true" { " [N]" }
                }
            } @else {
                p { (ctx.t("workbench.queue_empty")) }
            }
            @if account.role == Role::WindowClerk {
                a.button href="/items" { (ctx.t("workbench.receive")) }
                a.button href="/workbench/verify" { (ctx.t("workbench.verify")) }
            }
        }
        @if !offered.is_empty() {
            (section(&ctx, "offered", ctx.t("workbench.offered"), offered.len() as u64, &offered, &names))
        }
        (section(&ctx, "waiting", ctx.t("workbench.waiting"), waiting_total, &waiting, &names))
        (section(&ctx, "correcting", ctx.t("workbench.correcting"), correcting_total, &correcting, &names))
        (section(&ctx, "deliver", ctx.t("workbench.deliver"), approved_total + denied_total, &deliver, &names))
    };
    Ok(page(&ctx, ctx.t("workbench.title"), body))
}

/// `GET /inbox`.
pub async fn inbox(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?.clone();
    let power = match account.role {
        Role::Approver | Role::DepartmentHead => Power::Approve,
        Role::Reviewer => Power::Review,
        r => return Err(ctx.fail(AppError::Forbidden(format!("a {r} has no approval inbox")))),
    };
    let mut cases = Vec::new();
    for s in [CaseState::Accepted, CaseState::InProcess, CaseState::Suspended] {
        let filter = CaseFilter { state: Some(s), page: 1, per_page: 100, ..Default::default() };
        cases.extend(app::search_cases(&state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?.items);
    }
    cases.sort_by_key(|c| c.due_at);
    let names = item_names(&state, cases.iter().map(|c| &c.item)).await.map_err(|e| ctx.fail(e))?;
    let delegations = crate::app::org::delegations(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let now = state.now();
    let department = account.department.clone();
    let book = app::rule_book(&state).await.map_err(|e| ctx.fail(e))?;
    let calendars = state.calendars();
    let mine: Vec<_> = delegations.grants().filter(|g| g.grantee == account.id && g.is_active(now)).cloned().collect();
    let power_name = ctx.t(&format!("power.{}", power.as_str()));
    let body = html! {
        h1 { (ctx.t("inbox.title")) }
        (view::done_notice(&ctx, q.done.as_deref()))
        section.authority-box {
            h2 { (ctx.tf("authority.yours", &[("power", power_name)])) }
            @if mine.is_empty() {
                p { (ctx.t("authority.by_office_or_none")) }
            }
            p { a.button href="/admin/grants/new" { (ctx.t("grant.new_link")) } }
            @for g in &mine {
                @let ids = delegations.chain_is_valid(g, now);
                div.grant {
                    p {
                        code { (g.id) } " · "
                        (g.powers.iter().map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned()).collect::<Vec<_>>().join(ctx.t("list.sep")))
                        " · "
                        @match &g.items { None => (ctx.t("authority.all_items")), Some(items) => (items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) }
                    }
                    @match ids { Some(ids) => (chain(&ctx, &delegations, &ids)), None => p.late { (ctx.t("authority.broken")) } }
                }
            }
        }
        section {
            h2 { (ctx.t("inbox.waiting")) " " span.count { "(" (cases.len()) ")" } }
            @if cases.is_empty() { p { (ctx.t("workbench.empty")) } } @else {
                div.table-wrap {
                    table.cases {
                        thead { tr {
                            th scope="col" { (ctx.t("case.number")) }
                            th scope="col" { (ctx.t("case.item")) }
                            th scope="col" { (ctx.t("case.state")) }
                            th scope="col" { (ctx.t("case.due")) }
                            th scope="col" { (ctx.t("case.remaining")) }
                            th scope="col" { (ctx.t("inbox.authority")) }
                        } }
                        tbody {
                            @for c in &cases {
                                @let clock = state.clock_of(c);
                                // The colour the board shows, by the rules in force.
                                @let level = department.as_ref().and_then(|d| app::colour_of(&calendars, now, &book, c, d)).map_or("green", |c| c.as_str());
                                @let held = department.as_ref().and_then(|d| delegations.authority(&account.id, d, &c.item, power, now));
                                tr {
                                    td { a href=(format!("/cases/{}", c.number)) { (c.number) } }
                                    td { (names.iter().find(|(k, _)| k == c.item.as_str()).map_or(c.item.as_str(), |(_, n)| n.as_str())) }
                                    td { (view::state_badge(&ctx, c.state)) }
                                    td { (view::case_due(&ctx, c, "–")) }
                                    td class=(format!("level-{level}")) {
                                        span.dot aria-hidden="true" {} " " (ctx.t(&format!("level.{level}")))
                                        @if let Some(r) = clock.remaining_minutes { " · " (view::minutes(&ctx, r)) }
                                    }
                                    td {
                                        @match &held {
                                            Some(ids) if ids.is_empty() => { (ctx.t("authority.by_office")) }
                                            Some(ids) => { "✓ " code { (ids.join(" → ")) } }
                                            None => { span.late { "✗ " (ctx.t("authority.none")) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("inbox.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/workbench", get(queue))
        .route("/workbench/call", post(call_next))
        .route("/inbox", get(inbox))
}
