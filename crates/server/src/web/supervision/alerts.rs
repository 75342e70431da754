//! `/supervision/alerts` — alerts with their escalation level.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{SHOWN, colour_label, person, section_tabs, stored_time};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;

/// `GET /supervision/alerts`.
pub async fn alerts(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let rows = app::alerts(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let count = |f: &dyn Fn(&crate::app::AlertRow) -> bool| rows.iter().filter(|a| f(a)).count();
    let body = html! {
        h1 { (ctx.t("sup.alerts_title")) }
        (section_tabs(&ctx))
        p.lead { (ctx.t("sup.alerts_lead")) }
        ul.kpis {
            li { span.k { (rows.len()) } span.l { (ctx.t("sup.alerts_all")) } }
            li { span.k { (count(&|a| a.colour == "red")) } span.l { (ctx.t("level.red")) } }
            li { span.k { (count(&|a| a.level == "chief")) } span.l { (ctx.t("escalation.chief")) } }
            li { span.k { (count(&|a| a.level == "supervisor")) } span.l { (ctx.t("escalation.supervisor")) } }
        }
        @if rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if rows.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("sup.alerts_title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("sup.colour")) }
                        th scope="col" { (ctx.t("sup.since")) }
                        th scope="col" { (ctx.t("sup.owner")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("sup.raised")) }
                        th scope="col" { (ctx.t("sup.level")) }
                    } }
                    tbody {
                        @for a in rows.iter().take(SHOWN) {
                            tr {
                                td { a href=(format!("/cases/{}", a.case_number)) { (a.case_number) } }
                                td { (colour_label(&ctx, &a.colour)) }
                                td { (stored_time(&a.since)) }
                                td { (person(&names, &a.owner)) }
                                td { (department_name(&departments, &a.department)) }
                                td { (stored_time(&a.raised_at)) }
                                td {
                                    span class=(format!("badge escalation-{}", a.level)) { (ctx.t(&format!("escalation.{}", a.level))) }
                                    @if let Some(at) = &a.escalated_at { " " span.when { (stored_time(at)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("sup.alerts_title"), body))
}
