//! `/admin/plans` — the approval plans, stored and built in.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;

use super::{DoneQuery, access, read_only_note, section_tabs};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view::{self};

/// `GET /admin/plans` — the approval plans (审批流程方案): the stored ones and the built-in
/// reform plans; each links to its JSON with the schedule and critical path.
pub async fn plans(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let rows = app::list_plans(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("plans.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        (view::done_notice(&ctx, q.done.as_deref()))
        p.lead { (ctx.t("plans.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("plans.id")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("admin.version")) }
                    th scope="col" { (ctx.t("plans.steps")) }
                    th scope="col" { (ctx.t("plans.days")) }
                    th scope="col" { (ctx.t("plans.source")) }
                } }
                tbody {
                    @for p in &rows {
                        tr id=(format!("plan-{}", p.id)) {
                            td { a href=(format!("/api/v1/plans/{}", p.id)) { code { (p.id) } } }
                            td { (p.name) }
                            td { "v" (p.version) }
                            td { (p.steps) }
                            td { (p.total_days) }
                            td { @match &p.imported_at { Some(t) => { (ctx.t("plans.imported")) " " (view::time(*t)) }, None => (ctx.t("plans.builtin")) } }
                        }
                    }
                }
            }
        }
        p.hint { (ctx.t("plans.import_hint")) }
        @if may_change { p { a.button.primary href="/admin/plans/import" { (ctx.t("plans.import_title")) } } }
    };
    Ok(page(&ctx, ctx.t("plans.title"), body))
}
