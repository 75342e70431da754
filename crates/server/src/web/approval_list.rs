//! The construction project approval list (`/projects/approval-list`): the catalog's items
//! grouped by project type, each type by the plan it picks, derived from how that plan's
//! steps link to the catalog. Also a plan's link report (`/plans/{id}/links`) and the
//! project figures (`/projects/figures`: first-time pass rate, projects by stage, time per
//! module against plan) with the projects ready for a centralized submission, each with
//! its button.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::plan::figures::ProjectFigures;
use tongban_core::plan::link::LinkReport;

use super::chart::{self, HBar};
use super::ctx::Ctx;
use super::error::WebError;
use super::form::Posted;
use super::layout::page;
use super::view;
use crate::AppState;
use crate::app::{self, AppError, ApprovalListGroup};

/// The list's body.
pub fn render_list(ctx: &Ctx, groups: &[ApprovalListGroup]) -> Markup {
    html! {
        h1 { (ctx.t("papl.title")) }
        p.lead { (ctx.t("papl.lead")) }
        nav.toc {
            ul { @for g in groups { li { a href=(format!("#type-{}", g.project_type)) { (ctx.t(&format!("papl_type.{}", g.project_type))) } } } }
        }
        @for g in groups {
            section id=(format!("type-{}", g.project_type)) {
                h2 { (ctx.t(&format!("papl_type.{}", g.project_type))) }
                p {
                    a href=(format!("/plans/{}/links", g.plan)) { (g.plan_name) }
                    " · " (ctx.tf("papl.plan_facts", &[("steps", &g.steps.to_string()), ("days", &g.total_days.to_string()), ("items", &g.items.len().to_string())]))
                }
                @if g.items.is_empty() { p { (ctx.t("papl.none")) } } @else {
                    div.table-wrap { table {
                        thead { tr {
                            th scope="col" { (ctx.t("papl.code")) }
                            th scope="col" { (ctx.t("papl.item")) }
                            th scope="col" { (ctx.t("papl.department")) }
                            th scope="col" { (ctx.t("papl.steps")) }
                        } }
                        tbody { @for i in &g.items { tr {
                            td { a href=(format!("/items/{}", i.code)) { code { (i.code) } } }
                            td { (i.name) }
                            td { (i.department_name) }
                            td { (i.steps.join(", ")) }
                        } } }
                    } }
                }
            }
        }
    }
}

/// `GET /projects/approval-list` — the construction project approval list, public.
pub async fn approval_list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let groups = app::approval_list(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("papl.title"), render_list(&ctx, &groups)))
}

/// A plan's link report as a table: each step, its department and item, or why not.
pub fn render_links(ctx: &Ctx, id: &str, name: &str, report: &LinkReport) -> Markup {
    html! {
        h1 { (ctx.t("plink.title")) " " code { (id) } }
        p.lead { (name) " · " (ctx.tf("plink.summary", &[("linked", &report.linked.to_string()), ("total", &report.total.to_string())])) }
        @if !report.unknown_departments.is_empty() {
            p.warning { (ctx.t("plink.unknown")) " " (report.unknown_departments.join(", ")) }
        }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (ctx.t("plink.step")) }
                th scope="col" { (ctx.t("plink.name")) }
                th scope="col" { (ctx.t("plink.lead")) }
                th scope="col" { (ctx.t("plink.department")) }
                th scope="col" { (ctx.t("plink.item")) }
                th scope="col" { (ctx.t("plink.outcome")) }
            } }
            tbody { @for s in &report.steps { tr id=(format!("step-{}", s.step)) class=(if s.outcome.is_linked() { "linked" } else { "unlinked" }) {
                td { code { (s.step) } }
                td { (s.name) }
                td { (s.lead_department) }
                td { (s.department_name.as_deref().unwrap_or("")) }
                td { @if let Some(code) = &s.item { a href=(format!("/items/{code}")) { code { (code) } } " " (s.item_name.as_deref().unwrap_or("")) } }
                td { (ctx.t(&format!("plink.outcome_{}", s.outcome.as_str()))) @if !s.reason.is_empty() { br; small { (s.reason) } } }
            } } }
        } }
        p { a href="/api/v1/plans" { (ctx.t("plink.all_plans")) } " · " a href=(format!("/api/v1/plans/{id}/links")) { "JSON" } }
    }
}

/// `GET /plans/{id}/links` — how a plan's steps link to the center's catalog, public like
/// the plans.
pub async fn plan_links(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, WebError> {
    let (plan, _, report) = app::plan_links(&state, &ctx.principal, &id, None).await.map_err(|e| ctx.fail(e))?;
    let body = render_links(&ctx, plan.id().as_str(), plan.name(), &report);
    Ok(page(&ctx, ctx.t("plink.title"), body))
}

/// The centralized submission button of a running project.
pub fn centralized_button(ctx: &Ctx, code: &str) -> Markup {
    html! {
        form.inline method="post" action=(format!("/projects/{code}/centralized")) {
            (view::csrf(ctx))
            button.primary type="submit" { (ctx.t("papl.centralized")) }
        }
    }
}

/// `POST /supervision/projects/{code}/centralized` — every startable step of the project at
/// once, then back to the projects page.
pub async fn centralized(
    State(state): State<AppState>,
    Path(code): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, .. } = posted;
    let code = tongban_core::plan::ProjectCode::parse(&code)
        .map_err(|_| ctx.fail(AppError::NotFound(format!("project {code} does not exist"))))?;
    app::projects::start_centralized(&state, &ctx.principal, &code).await.map_err(|e| ctx.fail(e))?;
    let to = format!("/projects/figures#ready-{code}");
    Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)])))
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// The figures section of the projects page.
pub fn figures_section(ctx: &Ctx, f: &ProjectFigures) -> Markup {
    let rate_bars = |rates: &[tongban_core::plan::figures::PassRate], typed: bool| -> Vec<HBar> {
        rates
            .iter()
            .map(|r| HBar {
                label: if typed { ctx.t(&format!("papl_type.{}", r.key)).to_owned() } else { r.key.clone() },
                share: r.rate.unwrap_or(0.0),
                text: format!("{} ({}/{})", percent(r.rate), r.passed, r.answered),
                tone: r.rate.map(|x| {
                    if x >= 0.9 {
                        "good"
                    } else if x >= 0.7 {
                        "fair"
                    } else {
                        "poor"
                    }
                }),
            })
            .collect()
    };
    let max_stage = f.by_stage.values().copied().max().unwrap_or(0).max(1);
    let stages: Vec<HBar> = f
        .by_stage
        .iter()
        .map(|(s, n)| HBar {
            label: ctx.t(&format!("papl_stage.{s}")).to_owned(),
            share: f64::from(*n) / f64::from(max_stage),
            text: n.to_string(),
            tone: None,
        })
        .collect();
    html! {
        section id="project-figures" {
            p { (ctx.tf("pfig.pass_rate", &[("rate", &percent(f.pass_rate.rate)), ("passed", &f.pass_rate.passed.to_string()), ("answered", &f.pass_rate.answered.to_string())])) }
            (chart::hbars("pfig-stage", ctx.t("pfig.by_stage"), ctx.t("pfig.by_stage_desc"), &stages))
            @if !f.pass_rate_by_type.is_empty() {
                (chart::hbars("pfig-type", ctx.t("pfig.by_type"), ctx.t("pfig.rate_desc"), &rate_bars(&f.pass_rate_by_type, true)))
            }
            @if !f.pass_rate_by_department.is_empty() {
                (chart::hbars("pfig-dept", ctx.t("pfig.by_department"), ctx.t("pfig.rate_desc"), &rate_bars(&f.pass_rate_by_department, false)))
            }
            h3 { (ctx.t("pfig.modules")) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("proj.module")) }
                    th scope="col" { (ctx.t("pfig.finished")) }
                    th scope="col" { (ctx.t("pfig.planned")) }
                    th scope="col" { (ctx.t("pfig.actual")) }
                    th scope="col" { (ctx.t("pfig.ratio")) }
                } }
                tbody { @for m in &f.modules { tr {
                    td { (ctx.t(&format!("module.{}", m.module))) }
                    td { (m.steps) }
                    td { (m.planned_days) }
                    td { (format!("{:.1}", m.actual_days)) }
                    td { (percent(m.ratio)) }
                } } }
            } }
            p { a href="/projects/approval-list" { (ctx.t("papl.title")) } " · " a href="/api/v1/projects/figures" { "JSON" } }
        }
    }
}

/// A running project with steps that can start now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its plan's name.
    pub plan: String,
    /// The steps that can start now.
    pub startable: Vec<String>,
}

/// The projects whose startable steps a centralized submission would start, with its button.
pub fn ready_section(ctx: &Ctx, ready: &[Ready], may_submit: bool) -> Markup {
    html! {
        section id="centralized" {
            h2 { (ctx.t("papl.ready")) }
            p { (ctx.t("papl.ready_lead")) }
            @if ready.is_empty() { p { (ctx.t("papl.ready_none")) } } @else {
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (ctx.t("papl.project")) }
                        th scope="col" { (ctx.t("papl.plan")) }
                        th scope="col" { (ctx.t("papl.startable")) }
                        @if may_submit { th scope="col" { (ctx.t("papl.submit")) } }
                    } }
                    tbody { @for r in ready { tr id=(format!("ready-{}", r.code)) {
                        td { (r.name) " " code { (r.code) } }
                        td { (r.plan) }
                        td { (r.startable.join(", ")) }
                        @if may_submit { td { (centralized_button(ctx, &r.code)) } }
                    } } }
                } }
            }
        }
    }
}

/// `GET /projects/figures` — the project figures and the projects ready for a centralized
/// submission.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let figures = app::project_figures(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let runs = app::projects::projects_with_runs(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let ready: Vec<Ready> = runs
        .into_iter()
        .filter_map(|(row, run)| {
            let run = run?.run;
            let startable: Vec<String> = run.startable().iter().map(ToString::to_string).collect();
            (!startable.is_empty()).then(|| Ready {
                code: row.project.code.to_string(),
                name: row.project.name.clone(),
                plan: run.plan().name().to_owned(),
                startable,
            })
        })
        .collect();
    let may_submit = app::authorize(&ctx.principal, tongban_core::access::Action::ManageProjects).is_ok();
    let body = html! {
        h1 { (ctx.t("pfig.title")) }
        (figures_section(&ctx, &figures))
        (ready_section(&ctx, &ready, may_submit))
    };
    Ok(page(&ctx, ctx.t("pfig.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/projects/approval-list", get(approval_list))
        .route("/plans/{id}/links", get(plan_links))
        .route("/projects/figures", get(figures))
        .route("/projects/{code}/centralized", post(centralized))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;

    #[test]
    fn the_list_names_each_type_and_links_its_items() {
        let group = ApprovalListGroup {
            project_type: "parking_lot".into(),
            plan: "parking_lot".into(),
            plan_name: "P".into(),
            steps: 10,
            total_days: 20,
            items: vec![app::ApprovalListItem {
                code: "620100-ZJJ-001".into(),
                name: "Permit".into(),
                department: "zjj".into(),
                department_name: "Housing".into(),
                steps: vec!["SG01".into()],
            }],
        };
        let html = render_list(&Ctx::for_test(Lang::En), &[group]).into_string();
        assert!(html.contains(r#"<section id="type-parking_lot"><h2>"#), "{html}");
        assert!(html.contains(Lang::En.t("papl_type.parking_lot")), "{html}");
        assert!(html.contains(r#"<a href="/items/620100-ZJJ-001"><code>620100-ZJJ-001</code></a>"#), "{html}");
        assert!(html.contains(r#"href="/plans/parking_lot/links""#), "{html}");
    }
}
