//! Projects on their plans (supervision): each running project's approval plan drawn as a
//! graph on the server — steps as boxes in module columns, arrows for prerequisites, the
//! critical path highlighted and each step coloured by its state — followed by the same
//! facts in a table, so nothing depends on the picture.

use std::collections::{BTreeSet, HashMap};

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::plan::{Module, ProjectRun, StepState};

use super::ctx::Ctx;
use super::error::WebError;
use super::layout::page;
use crate::AppState;
use crate::app;

const COL_W: f64 = 210.0;
const BOX_W: f64 = 180.0;
const BOX_H: f64 = 54.0;
const ROW_H: f64 = 74.0;
const HEAD: f64 = 34.0;
const PAD: f64 = 12.0;

fn state_name(s: &StepState) -> &'static str {
    match s {
        StepState::Waiting => "waiting",
        StepState::Running { .. } => "running",
        StepState::Done { .. } => "done",
    }
}

fn short(name: &str, n: usize) -> String {
    if name.chars().count() > n {
        format!("{}…", name.chars().take(n - 1).collect::<String>())
    } else {
        name.to_owned()
    }
}

/// The plan of `run` as an SVG graph. `id` must be unique on the page.
pub fn plan_graph(ctx: &Ctx, id: &str, run: &ProjectRun) -> Markup {
    let plan = run.plan();
    let schedule = plan.schedule();
    let critical: BTreeSet<&str> = schedule.critical_path.iter().map(|s| s.as_str()).collect();
    let critical_edges: BTreeSet<(&str, &str)> =
        schedule.critical_path.windows(2).map(|w| (w[0].as_str(), w[1].as_str())).collect();
    // Place each step: its module's column, the next free row in it.
    let mut rows = [0usize; Module::ALL.len()];
    let mut at: HashMap<&str, (f64, f64)> = HashMap::new();
    for step in plan.steps() {
        let col = Module::ALL.iter().position(|m| *m == step.module).unwrap_or(0);
        let x = PAD + col as f64 * COL_W;
        let y = HEAD + rows[col] as f64 * ROW_H;
        rows[col] += 1;
        at.insert(step.id.as_str(), (x, y));
    }
    let width = PAD * 2.0 + Module::ALL.len() as f64 * COL_W - (COL_W - BOX_W);
    let height = HEAD + rows.iter().copied().max().unwrap_or(1) as f64 * ROW_H;
    let states: HashMap<&str, &StepState> = run.steps().map(|(s, st)| (s.id.as_str(), st)).collect();
    let marker = format!("{id}-arrow");
    let marker_crit = format!("{id}-arrow-crit");
    let title_id = format!("{id}-title");
    html! {
        figure.dag-figure {
            svg.dag id=(id) viewBox=(format!("0 0 {width:.0} {height:.0}")) role="img" aria-labelledby=(title_id)
                preserveAspectRatio="xMinYMin meet" {
                title id=(title_id) { (ctx.tf("proj.graph_title", &[("plan", plan.name()), ("days", &schedule.total_days.to_string())])) }
                defs {
                    marker id=(marker) viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse" {
                        path.arrow d="M 0 0 L 10 5 L 0 10 z" {}
                    }
                    marker id=(marker_crit) viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse" {
                        path.arrow.crit d="M 0 0 L 10 5 L 0 10 z" {}
                    }
                }
                @for (i, m) in Module::ALL.iter().enumerate() {
                    text.module x=(format!("{:.0}", PAD + i as f64 * COL_W + BOX_W / 2.0)) y="20" text-anchor="middle" {
                        (ctx.t(&format!("module.{}", m.as_str())))
                    }
                }
                @for step in plan.steps() {
                    @for p in &step.prerequisites {
                        @if let (Some((px, py)), Some((sx, sy))) = (at.get(p.as_str()), at.get(step.id.as_str())) {
                            @let crit = critical_edges.contains(&(p.as_str(), step.id.as_str()));
                            @let (x1, y1, x2, y2) = (px + BOX_W, py + BOX_H / 2.0, *sx, sy + BOX_H / 2.0);
                            @let bend = ((x2 - x1).abs() / 2.0).max(30.0);
                            path class=(if crit { "edge crit" } else { "edge" })
                                d=(format!("M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}", x1 + bend, x2 - bend))
                                marker-end=(format!("url(#{})", if crit { &marker_crit } else { &marker })) {}
                        }
                    }
                }
                @for step in plan.steps() {
                    @if let Some((x, y)) = at.get(step.id.as_str()) {
                        @let state = states.get(step.id.as_str()).map_or("waiting", |s| state_name(s));
                        @let crit = critical.contains(step.id.as_str());
                        g class=(format!("step state-{state}{}", if crit { " crit" } else { "" })) {
                            title { (step.id) " " (step.name) " · " (ctx.t(&format!("proj.state_{state}"))) " · " (ctx.tf("proj.days", &[("n", &step.days.to_string())])) }
                            rect x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(BOX_W) height=(BOX_H) rx="6" {}
                            text.step-id x=(format!("{:.1}", x + 8.0)) y=(format!("{:.1}", y + 20.0)) {
                                (step.id) " · " (ctx.tf("proj.days", &[("n", &step.days.to_string())]))
                            }
                            text.step-name x=(format!("{:.1}", x + 8.0)) y=(format!("{:.1}", y + 40.0)) { (short(&step.name, 12)) }
                        }
                    }
                }
            }
            figcaption.dag-legend {
                span.key.state-waiting { (ctx.t("proj.state_waiting")) }
                span.key.state-running { (ctx.t("proj.state_running")) }
                span.key.state-done { (ctx.t("proj.state_done")) }
                span.key.crit { (ctx.t("proj.critical")) }
            }
        }
    }
}

fn step_table(ctx: &Ctx, run: &ProjectRun) -> Markup {
    let schedule = run.plan().schedule();
    let critical: BTreeSet<&str> = schedule.critical_path.iter().map(|s| s.as_str()).collect();
    html! {
        details {
            summary { (ctx.t("proj.steps_table")) }
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("proj.step")) }
                        th scope="col" { (ctx.t("proj.module")) }
                        th scope="col" { (ctx.t("proj.prerequisites")) }
                        th scope="col" { (ctx.t("proj.state")) }
                        th scope="col" { (ctx.t("proj.critical")) }
                    } }
                    tbody {
                        @for (step, state) in run.steps() {
                            tr {
                                td { code { (step.id) } " " (step.name) }
                                td { (ctx.t(&format!("module.{}", step.module.as_str()))) }
                                td { (step.prerequisites.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { (ctx.t(&format!("proj.state_{}", state_name(state)))) }
                                td { @if critical.contains(step.id.as_str()) { "✓" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /supervision/projects`.
pub async fn projects(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let all = app::projects::projects_with_runs(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let running: Vec<_> =
        all.into_iter().filter_map(|(row, run)| run.filter(|r| !r.run.is_complete()).map(|r| (row, r.run))).collect();
    let body = html! {
        h1 { (ctx.t("proj.title")) }
        (super::supervision::section_tabs(&ctx))
        p.lead { (ctx.t("proj.lead")) }
        @if running.is_empty() { p { (ctx.t("proj.none")) } }
        @for (i, (row, run)) in running.iter().enumerate() {
            section.project id=(format!("project-{}", row.project.code)) {
                h2 { (row.project.name) " " code { (row.project.code) } }
                p { (row.project.unit) " · " (run.plan().name()) }
                (plan_graph(&ctx, &format!("dag-{i}"), run))
                (step_table(&ctx, run))
            }
        }
    };
    Ok(page(&ctx, ctx.t("proj.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/supervision/projects", get(projects))
}
