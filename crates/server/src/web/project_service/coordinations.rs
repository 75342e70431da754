//! Coordination meetings (协调会商): the figures and the meetings, newest first, with each
//! department's opinion, the joint conclusion and each project's decision.

use axum::extract::State;
use axum::response::Response;
use maud::html;

use super::{department_names, named, section};
use crate::AppState;
use crate::app::project_service as use_case;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;

/// Meetings shown (the API lists all).
const SHOWN: usize = 100;

/// `GET /service/coordinations`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let summary = use_case::coordination_summary(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let rows = use_case::coordinations(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let names = department_names(&state, &ctx).await?;
    let body = html! {
        h1 { (ctx.t("svc.coordinations_title")) }
        (section(&ctx))
        p.lead { (ctx.t("svc.coordinations_lead")) }
        ul.kpis {
            li { span.k { (summary.meetings) } span.l { (ctx.t("svc.meetings")) } }
            li { span.k { (summary.projects) } span.l { (ctx.t("svc.projects_coordinated")) } }
            li { span.k { (summary.problems_solved) } span.l { (ctx.t("svc.problems_solved")) } }
        }
        @if rows.is_empty() { p { (ctx.t("svc.none")) } }
        @for r in rows.iter().take(SHOWN) {
            @let c = &r.coordination;
            section.meeting id=(format!("coordination-{}", r.id)) {
                h2 { (c.date) " " (c.title) }
                ul {
                    @for o in &c.opinions { li { strong { (named(&names, o.department.as_str())) } ": " (o.opinion) } }
                }
                p { strong { (ctx.t("svc.conclusion")) ": " } (c.conclusion) }
                ul {
                    @for p in &c.projects {
                        li {
                            code { (p.project) } " — " (ctx.t(&format!("svc.decision_{}", p.decision.as_str())))
                            @if let Some(reasons) = &p.reasons { ": " (reasons) }
                        }
                    }
                }
                @if !r.solved.is_empty() { p { (ctx.t("svc.problems_solved")) ": " (r.solved.len()) } }
            }
        }
    };
    Ok(page(&ctx, ctx.t("svc.coordinations_title"), body))
}
