//! The window workbench (`/workbench`): the queue ticket called, the next case to call,
//! and the department's cases by what they wait for.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::{Action, role_may};
use tongban_core::case::{Case, CaseState};
use tongban_core::identity::Role;

use crate::AppState;
use crate::app;
use crate::app::{AppError, CaseFilter};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::hall::{CaseRow, case_table, item_names};
use crate::web::layout::page;
use crate::web::view;

/// Cases shown per section.
const SHOWN: u32 = 20;

/// The workbench's query: a notice after a redirect, and the ticket just called.
#[derive(Debug, Default, Deserialize)]
pub struct WorkbenchQuery {
    /// The notice to show after a redirect.
    pub done: Option<String>,
    /// The ticket number just called, or `none` when nobody was waiting.
    pub called: Option<String>,
}

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

/// The ticket just called, as the banner shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Called {
    /// Nobody was waiting.
    Nobody,
    /// This ticket number.
    Number(String),
}

/// The called-ticket banner and the form that calls the next queue ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketBar {
    /// The ticket just called, if one was.
    pub called: Option<Called>,
    /// Tickets waiting.
    pub waiting: i64,
}

impl TicketBar {
    /// The bar after `called` (from the query; anything but a ticket number is ignored).
    pub fn of(called: Option<&str>, waiting: i64) -> TicketBar {
        let called = called
            .filter(|c| !c.is_empty() && c.len() <= 12 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map(|c| if c == "none" { Called::Nobody } else { Called::Number(c.to_owned()) });
        TicketBar { called, waiting }
    }
}

/// A section of cases.
#[derive(Debug, Clone)]
pub struct CaseSection {
    /// Its element id.
    pub id: &'static str,
    /// The message key of its title.
    pub title: &'static str,
    /// How many cases there are (more than shown, perhaps).
    pub total: u64,
    /// The cases shown.
    pub rows: Vec<CaseRow>,
}

/// The workbench.
#[derive(Debug, Clone)]
pub struct QueueView {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The ticket bar, for who calls tickets.
    pub tickets: Option<TicketBar>,
    /// The oldest waiting case's number: the next to call.
    pub next: Option<String>,
    /// Whether the link to it takes the focus (no ticket was just called).
    pub next_autofocus: bool,
    /// Whether the viewer is a window clerk (receives and verifies at the window).
    pub clerk: bool,
    /// The sections, in order.
    pub sections: Vec<CaseSection>,
}

fn ticket_bar(ctx: &Ctx, bar: &TicketBar) -> Markup {
    html! {
        @match &bar.called {
            Some(Called::Nobody) => { div.notice role="status" { (ctx.t("workbench.no_ticket")) } }
            Some(Called::Number(number)) => {
                div.called role="status" aria-live="assertive" {
                    p { (ctx.t("workbench.now_calling")) }
                    p.called-number { (number) }
                }
            }
            None => {}
        }
        form.inline-form.ticket-call method="post" action="/workbench/call" {
            (view::csrf(ctx))
            button.primary type="submit" accesskey="t" autofocus[bar.called.is_some()] {
                (ctx.t("workbench.call_ticket")) span.key aria-hidden="true" { " [T]" }
            }
            " " span.count role="status" { (ctx.tf("workbench.tickets_waiting", &[("n", &bar.waiting.to_string())])) }
        }
    }
}

fn section(ctx: &Ctx, s: &CaseSection) -> Markup {
    html! {
        section id=(s.id) {
            h2 { (ctx.t(s.title)) " " span.count { "(" (s.total) ")" } }
            @if s.rows.is_empty() { p { (ctx.t("workbench.empty")) } } @else { (case_table(ctx, &s.rows)) }
        }
    }
}

/// Draws the workbench.
pub fn render(ctx: &Ctx, v: &QueueView) -> Markup {
    html! {
        h1 { (ctx.t("workbench.title")) }
        (view::done_notice(ctx, v.done.as_deref()))
        // 考勤: the seat's check-in and check-out (window assessment).
        (crate::web::assessment::check_form(ctx, "/workbench"))
        @if let Some(bar) = &v.tickets { (ticket_bar(ctx, bar)) }
        div.callbar {
            @if let Some(next) = &v.next {
                a.button.primary href=(format!("/cases/{next}")) accesskey="n" autofocus[v.next_autofocus] {
                    (ctx.tf("workbench.call_next", &[("number", next)])) span.key aria-hidden="true" { " [N]" }
                }
            } @else {
                p { (ctx.t("workbench.queue_empty")) }
            }
            @if v.clerk {
                a.button href="/items" { (ctx.t("workbench.receive")) }
                a.button href="/workbench/verify" { (ctx.t("workbench.verify")) }
            }
        }
        @for s in &v.sections { (section(ctx, s)) }
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
    let rows = |cases: &[Case]| CaseRow::all(&ctx, cases, &names);
    let mut sections = Vec::new();
    if !offered.is_empty() {
        sections.push(CaseSection {
            id: "offered",
            title: "workbench.offered",
            total: offered.len() as u64,
            rows: rows(&offered),
        });
    }
    sections.push(CaseSection {
        id: "waiting",
        title: "workbench.waiting",
        total: waiting_total,
        rows: rows(&waiting),
    });
    sections.push(CaseSection {
        id: "correcting",
        title: "workbench.correcting",
        total: correcting_total,
        rows: rows(&correcting),
    });
    sections.push(CaseSection {
        id: "deliver",
        title: "workbench.deliver",
        total: approved_total + denied_total,
        rows: rows(&deliver),
    });
    let model = QueueView {
        done: q.done,
        tickets: tickets.map(|waiting| TicketBar::of(q.called.as_deref(), waiting)),
        next: waiting.first().map(|c| c.number.to_string()),
        next_autofocus: q.called.is_none(),
        clerk: account.role == Role::WindowClerk,
        sections,
    };
    Ok(page(&ctx, ctx.t("workbench.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn view(tickets: Option<TicketBar>) -> QueueView {
        QueueView {
            done: None,
            tickets,
            next: Some("FGW-2026-000001".into()),
            next_autofocus: true,
            clerk: true,
            sections: vec![CaseSection { id: "waiting", title: "workbench.waiting", total: 7, rows: Vec::new() }],
        }
    }

    #[test]
    fn only_a_ticket_number_from_the_query_is_shown() {
        assert_eq!(TicketBar::of(Some("A001"), 2).called, Some(Called::Number("A001".into())));
        assert_eq!(TicketBar::of(Some("none"), 0).called, Some(Called::Nobody));
        assert_eq!(TicketBar::of(Some("<script>"), 0).called, None);
        assert_eq!(TicketBar::of(Some(""), 0).called, None);
    }

    #[test]
    fn the_called_ticket_is_announced_and_the_next_case_linked() {
        let ctx = Ctx::for_test(Lang::En);
        let html = render(&ctx, &view(Some(TicketBar::of(Some("A007"), 3)))).into_string();
        assert!(html.contains("<p class=\"called-number\">A007</p>"), "{html}");
        assert!(html.contains("href=\"/cases/FGW-2026-000001\""), "{html}");
        assert!(html.contains("href=\"/workbench/verify\""), "{html}");
        assert!(html.contains("<span class=\"count\">(7)</span>"), "{html}");
        let html = render(&ctx, &view(None)).into_string();
        assert!(!html.contains("action=\"/workbench/call\""), "no ticket form without tickets: {html}");
    }
}
