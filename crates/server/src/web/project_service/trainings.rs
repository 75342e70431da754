//! Training sessions (集中培训查堵): the figures, the sessions newest first, one session.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;

use super::{department_names, named, section};
use crate::AppState;
use crate::app::AppError;
use crate::app::project_service as use_case;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;

/// `GET /service/trainings`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let summary = use_case::training_summary(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let rows = use_case::trainings(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let names = department_names(&state, &ctx).await?;
    let body = html! {
        h1 { (ctx.t("svc.trainings_title")) }
        (section(&ctx))
        p.lead { (ctx.t("svc.trainings_lead")) }
        ul.kpis {
            li { span.k { (summary.sessions) } span.l { (ctx.t("svc.sessions")) } }
            li { span.k { (summary.attendees) } span.l { (ctx.t("svc.attendees")) } }
            li { span.k { (summary.projects) } span.l { (ctx.t("svc.projects_trained")) } }
        }
        @if rows.is_empty() {
            p { (ctx.t("svc.none")) }
        } @else {
            div.table-wrap { table.cases {
                caption.sr-only { (ctx.t("svc.trainings_title")) }
                thead { tr {
                    th scope="col" { (ctx.t("svc.date")) }
                    th scope="col" { (ctx.t("svc.topic")) }
                    th scope="col" { (ctx.t("svc.departments")) }
                    th scope="col" { (ctx.t("svc.attendees")) }
                    th scope="col" { (ctx.t("svc.projects")) }
                } }
                tbody { @for r in &rows { tr {
                    td { (r.training.date) }
                    td { a href=(format!("/service/trainings/{}", r.id)) { (r.training.topic) } }
                    td { (r.training.departments.iter().map(|d| named(&names, d.as_str())).collect::<Vec<_>>().join(", ")) }
                    td.num { (r.training.people.len()) }
                    td.num { (r.training.projects.len()) }
                } } }
            } }
        }
    };
    Ok(page(&ctx, ctx.t("svc.trainings_title"), body))
}

/// `GET /service/trainings/{id}`.
pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("training {id}"))))?;
    let r = use_case::training(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    let t = &r.training;
    let names = department_names(&state, &ctx).await?;
    let body = html! {
        h1 { (t.topic) }
        (section(&ctx))
        dl.facts {
            dt { (ctx.t("svc.date")) } dd { (t.date) }
            dt { (ctx.t("svc.departments")) } dd { (t.departments.iter().map(|d| named(&names, d.as_str())).collect::<Vec<_>>().join(", ")) }
            dt { (ctx.t("svc.attendees")) } dd { (t.people.len()) }
            dt { (ctx.t("svc.policy_packs")) } dd { (t.policy_packs.join("; ")) }
            dt { (ctx.t("svc.problems_found")) } dd { (r.problems.len()) }
        }
        h2 { (ctx.t("svc.projects")) " (" (t.projects.len()) ")" }
        p { @for (i, p) in t.projects.iter().enumerate() { @if i > 0 { ", " } code { (p) } } }
        h2 { (ctx.t("svc.people")) }
        div.table-wrap { table.cases {
            thead { tr {
                th scope="col" { (ctx.t("svc.name")) }
                th scope="col" { (ctx.t("svc.unit")) }
                th scope="col" { (ctx.t("svc.phone")) }
            } }
            tbody { @for a in &t.people { tr {
                td { (a.name) } td { (a.unit) } td { (a.phone.as_deref().unwrap_or("")) }
            } } }
        } }
        p { a href="/service/trainings" { (ctx.t("svc.back")) } }
    };
    Ok(page(&ctx, &t.topic, body))
}
