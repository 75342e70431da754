//! `/supervision/concerns` — the other watched conditions.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{SHOWN, allow, section_tabs};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;
use tongban_core::access::Action;

/// The kinds of concern, in the order shown.
const CONCERNS: [&str; 7] = [
    "decision_power_conferred",
    "decision_without_valid_authority",
    "accepted_with_missing_materials",
    "repeated_correction",
    "returned",
    "reopened",
    "bad_rating",
];

/// `GET /supervision/concerns`.
pub async fn concerns(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    allow(&ctx, Action::Supervise)?;
    let mut rows = app::concerns(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    rows.sort_by_key(|c| CONCERNS.iter().position(|k| *k == c.kind).unwrap_or(CONCERNS.len()));
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("concern.title")) }
        (section_tabs(&ctx))
        p.lead { (ctx.t("concern.lead")) }
        ul.kpis {
            @for k in CONCERNS {
                li { span.k { (rows.iter().filter(|c| c.kind == k).count()) } span.l { (ctx.t(&format!("concern.{k}"))) } }
            }
        }
        @if rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if rows.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("concern.title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("concern.kind")) }
                        th scope="col" { (ctx.t("concern.detail")) }
                    } }
                    tbody {
                        @for c in rows.iter().take(SHOWN) {
                            tr {
                                td {
                                    @match (&c.case_number, &c.account) {
                                        (Some(n), _) => { a href=(format!("/cases/{n}")) { (n) } }
                                        (None, Some(login)) => { code { (login) } }
                                        (None, None) => { "–" }
                                    }
                                }
                                td { (department_name(&departments, &c.department)) }
                                td { span class=(format!("badge concern-{}", c.kind)) { (ctx.t(&format!("concern.{}", c.kind))) } }
                                td { (c.detail) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("concern.title"), body))
}
