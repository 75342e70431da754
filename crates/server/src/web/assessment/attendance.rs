//! `/attendance` — the attendance ledger (考勤台账) of a month: a clerk's own days with the
//! check-in and check-out buttons, a head's department, everyone's for the overseers.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::{Action, role_may};
use tongban_core::assessment::{DayStatus, Period};

use super::see_other;
use crate::AppState;
use crate::app::assessment::ledger::{self, AttendanceDay};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::layout::page;
use crate::web::view;

/// `?period=` as typed.
#[derive(Debug, Default, Deserialize)]
pub struct LedgerQuery {
    /// `YYYY-MM`; default this month.
    #[serde(default)]
    pub period: String,
}

fn status_key(s: DayStatus) -> &'static str {
    match s {
        DayStatus::Present => "attend.present",
        DayStatus::Late => "attend.late",
        DayStatus::Leave => "attend.leave",
        DayStatus::Absent => "attend.absent",
    }
}

/// The check-in and check-out buttons (on the workbench and on this page); nothing for a
/// role that keeps no ledger. `back` is where the form returns.
pub(crate) fn check_form(ctx: &Ctx, back: &str) -> Markup {
    html! {
        @if role_may(ctx.role(), Action::CheckIn) {
            div.check-in {
                form method="post" action="/attendance/check-in" {
                    (view::csrf(ctx))
                    input type="hidden" name="back" value=(back);
                    button type="submit" { (ctx.t("attend.check_in")) }
                }
                form method="post" action="/attendance/check-out" {
                    (view::csrf(ctx))
                    input type="hidden" name="back" value=(back);
                    button type="submit" { (ctx.t("attend.check_out")) }
                }
            }
        }
    }
}

/// The page's body.
pub(super) fn render(ctx: &Ctx, period: Period, days: &[AttendanceDay]) -> Markup {
    html! {
        h1 { (ctx.t("attend.title")) }
        (check_form(ctx, "/attendance"))
        form.search method="get" action="/attendance" {
            div.field {
                label for="l-period" { (ctx.t("assess.period")) }
                input id="l-period" name="period" type="month" value=(period.to_string());
            }
            button type="submit" { (ctx.t("assess.show")) }
        }
        @if days.is_empty() { p { (ctx.t("attend.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("attend.account")) }
                    th scope="col" { (ctx.t("attend.day")) }
                    th scope="col" { (ctx.t("attend.in")) }
                    th scope="col" { (ctx.t("attend.out")) }
                    th scope="col" { (ctx.t("attend.status")) }
                } }
                tbody { @for d in days { tr {
                    td { (d.account) }
                    td { (d.day) }
                    td { (d.check_in.as_deref().unwrap_or("–")) }
                    td { (d.check_out.as_deref().unwrap_or("–")) }
                    td { (ctx.t(status_key(d.status))) }
                } } }
            } }
        }
        p.hint { (ctx.t("attend.rule")) }
        (super::ledger_forms::forms(ctx))
    }
}

/// `GET /attendance`.
pub async fn ledger(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, WebError> {
    let period = Period::parse(q.period.trim()).unwrap_or_else(|_| Period::of(state.now()));
    let days = ledger::attendance(&state, &ctx.principal, period, None).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("attend.title"), render(&ctx, period, &days)))
}

/// Where a form returns: the workbench or this page, nothing else (no open redirect).
fn back(posted: &Posted) -> &'static str {
    if posted.fields.get("back") == "/workbench" { "/workbench" } else { "/attendance" }
}

/// `POST /attendance/check-in`.
pub async fn check_in(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    ledger::check(&state, &posted.ctx.principal, false).await.map_err(|e| posted.ctx.fail(e))?;
    Ok(see_other(&posted.ctx, back(&posted)))
}

/// `POST /attendance/check-out`.
pub async fn check_out(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    ledger::check(&state, &posted.ctx.principal, true).await.map_err(|e| posted.ctx.fail(e))?;
    Ok(see_other(&posted.ctx, back(&posted)))
}
