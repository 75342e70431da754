//! Projects (supervision): the project library (项目库) as a table — each project's type,
//! stage, planned start, screening (筛选: planned to start building next year or the year
//! after) and count of door-to-door consultations (上门对接), filtered by stage and
//! screening, a page at a time; one project's record with its consultations
//! (`?project=CODE`); and running projects' approval plans drawn as graphs on the server —
//! steps as boxes in module columns, arrows for prerequisites, the critical path
//! highlighted and each step coloured by its state — followed by the same facts in a
//! table, so nothing depends on the picture. The first few running projects are drawn, or
//! the one chosen.
//!
//! The layout (where each box and arrow goes) is computed into a view model
//! ([`GraphView::of`]); the template only draws it.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::plan::{Module, ProjectCode, ProjectRun, ProjectStage, ProjectType, StepState};

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

/// A step's box in the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct StepBox {
    /// The step's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its name cut to fit the box.
    pub short: String,
    /// Working days it takes.
    pub days: u32,
    /// `waiting`, `running` or `done`.
    pub state: &'static str,
    /// Whether it is on the critical path.
    pub critical: bool,
    /// Its left edge.
    pub x: f64,
    /// Its top edge.
    pub y: f64,
}

/// An arrow from a prerequisite to the step that needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The SVG path.
    pub d: String,
    /// Whether it is on the critical path.
    pub critical: bool,
}

/// A plan drawn as a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphView {
    /// The element id, unique on the page.
    pub id: String,
    /// The plan's name.
    pub plan: String,
    /// Working days along the critical path.
    pub total_days: u32,
    /// The drawing's width.
    pub width: f64,
    /// The drawing's height.
    pub height: f64,
    /// Each module's column heading: its centre and the module.
    pub modules: Vec<(f64, Module)>,
    /// The arrows.
    pub edges: Vec<Edge>,
    /// The boxes.
    pub steps: Vec<StepBox>,
}

impl GraphView {
    /// The plan of `run` laid out; `id` must be unique on the page.
    pub fn of(id: &str, run: &ProjectRun) -> GraphView {
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
        let states: HashMap<&str, &StepState> = run.steps().map(|(s, st)| (s.id.as_str(), st)).collect();
        let mut edges = Vec::new();
        for step in plan.steps() {
            for p in &step.prerequisites {
                if let (Some((px, py)), Some((sx, sy))) = (at.get(p.as_str()), at.get(step.id.as_str())) {
                    let (x1, y1, x2, y2) = (px + BOX_W, py + BOX_H / 2.0, *sx, sy + BOX_H / 2.0);
                    let bend = ((x2 - x1).abs() / 2.0).max(30.0);
                    edges.push(Edge {
                        d: format!(
                            "M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}",
                            x1 + bend,
                            x2 - bend
                        ),
                        critical: critical_edges.contains(&(p.as_str(), step.id.as_str())),
                    });
                }
            }
        }
        let steps = plan
            .steps()
            .iter()
            .filter_map(|step| {
                let (x, y) = *at.get(step.id.as_str())?;
                Some(StepBox {
                    id: step.id.to_string(),
                    name: step.name.clone(),
                    short: short(&step.name, 12),
                    days: step.days,
                    state: states.get(step.id.as_str()).map_or("waiting", |s| state_name(s)),
                    critical: critical.contains(step.id.as_str()),
                    x,
                    y,
                })
            })
            .collect();
        GraphView {
            id: id.to_owned(),
            plan: plan.name().to_owned(),
            total_days: schedule.total_days,
            width: PAD * 2.0 + Module::ALL.len() as f64 * COL_W - (COL_W - BOX_W),
            height: HEAD + rows.iter().copied().max().unwrap_or(1) as f64 * ROW_H,
            modules: Module::ALL.iter().enumerate().map(|(i, m)| (PAD + i as f64 * COL_W + BOX_W / 2.0, *m)).collect(),
            edges,
            steps,
        }
    }
}

/// Draws a plan's graph.
pub fn plan_graph(ctx: &Ctx, g: &GraphView) -> Markup {
    let marker = format!("{}-arrow", g.id);
    let marker_crit = format!("{}-arrow-crit", g.id);
    let title_id = format!("{}-title", g.id);
    html! {
        figure.dag-figure {
            svg.dag id=(g.id) viewBox=(format!("0 0 {:.0} {:.0}", g.width, g.height)) role="img" aria-labelledby=(title_id)
                preserveAspectRatio="xMinYMin meet" {
                title id=(title_id) { (ctx.tf("proj.graph_title", &[("plan", &g.plan), ("days", &g.total_days.to_string())])) }
                defs {
                    marker id=(marker) viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse" {
                        path.arrow d="M 0 0 L 10 5 L 0 10 z" {}
                    }
                    marker id=(marker_crit) viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse" {
                        path.arrow.crit d="M 0 0 L 10 5 L 0 10 z" {}
                    }
                }
                @for (x, m) in &g.modules {
                    text.module x=(format!("{x:.0}")) y="20" text-anchor="middle" {
                        (ctx.t(&format!("module.{}", m.as_str())))
                    }
                }
                @for e in &g.edges {
                    path class=(if e.critical { "edge crit" } else { "edge" })
                        d=(e.d)
                        marker-end=(format!("url(#{})", if e.critical { &marker_crit } else { &marker })) {}
                }
                @for s in &g.steps {
                    g class=(format!("step state-{}{}", s.state, if s.critical { " crit" } else { "" })) {
                        title { (s.id) " " (s.name) " · " (ctx.t(&format!("proj.state_{}", s.state))) " · " (ctx.tf("proj.days", &[("n", &s.days.to_string())])) }
                        rect x=(format!("{:.1}", s.x)) y=(format!("{:.1}", s.y)) width=(BOX_W) height=(BOX_H) rx="6" {}
                        text.step-id x=(format!("{:.1}", s.x + 8.0)) y=(format!("{:.1}", s.y + 20.0)) {
                            (s.id) " · " (ctx.tf("proj.days", &[("n", &s.days.to_string())]))
                        }
                        text.step-name x=(format!("{:.1}", s.x + 8.0)) y=(format!("{:.1}", s.y + 40.0)) { (s.short) }
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

/// A step's row in the table under the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// The step's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its module.
    pub module: Module,
    /// Its prerequisites' ids, joined.
    pub prerequisites: String,
    /// `waiting`, `running` or `done`.
    pub state: &'static str,
    /// Whether it is on the critical path.
    pub critical: bool,
}

impl StepRow {
    /// The rows of `run`'s steps.
    pub fn all(run: &ProjectRun) -> Vec<StepRow> {
        let schedule = run.plan().schedule();
        let critical: BTreeSet<&str> = schedule.critical_path.iter().map(|s| s.as_str()).collect();
        run.steps()
            .map(|(step, state)| StepRow {
                id: step.id.to_string(),
                name: step.name.clone(),
                module: step.module,
                prerequisites: step.prerequisites.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "),
                state: state_name(state),
                critical: critical.contains(step.id.as_str()),
            })
            .collect()
    }
}

fn step_table(ctx: &Ctx, rows: &[StepRow]) -> Markup {
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
                        @for r in rows {
                            tr {
                                td { code { (r.id) } " " (r.name) }
                                td { (ctx.t(&format!("module.{}", r.module.as_str()))) }
                                td { (r.prerequisites) }
                                td { (ctx.t(&format!("proj.state_{}", r.state))) }
                                td { @if r.critical { "✓" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A running project on its plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    /// The project's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The unit carrying it out.
    pub unit: String,
    /// The plan's name.
    pub plan: String,
    /// The plan as a graph.
    pub graph: GraphView,
    /// The plan's steps as a table.
    pub steps: Vec<StepRow>,
}

/// How many running projects are drawn when none is chosen.
const DRAWN: usize = 5;
/// Library rows per page.
const PER_PAGE: usize = 50;

/// A project of the library as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryRow {
    /// The project's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its division's code.
    pub division: String,
    /// The message key of its type.
    pub kind: String,
    /// Its stage.
    pub stage: ProjectStage,
    /// 计划开工, `YYYY-MM`.
    pub planned_start: Option<String>,
    /// 筛选.
    pub screened: bool,
    /// Consultations on record.
    pub consultations: u64,
    /// 总投资 in 万元 (ten thousand yuan).
    pub investment_wan: u64,
}

/// One project's record with its consultations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// The project as listed.
    pub row: LibraryRow,
    /// The unit.
    pub unit: String,
    /// 年度计划投资 in 万元.
    pub annual_wan: u64,
    /// Each consultation: when (local date), who, notes; oldest first.
    pub consultations: Vec<(String, String, String)>,
}

/// The library page's model.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryView {
    /// Projects in the library (after the filters).
    pub total: usize,
    /// Of them, screened.
    pub screened: usize,
    /// Of them, per stage.
    pub by_stage: Vec<(ProjectStage, usize)>,
    /// The stage filter, as given.
    pub stage: String,
    /// The screening filter: `true`, `false` or empty.
    pub screening: String,
    /// This page (1-based) and the number of pages.
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// This page's rows.
    pub rows: Vec<LibraryRow>,
    /// The chosen project's record.
    pub record: Option<RecordView>,
    /// Running projects not drawn.
    pub more_running: usize,
}

fn kind_key(kind: ProjectType) -> String {
    match kind {
        ProjectType::GovernmentInvested => "projlib.type_government_invested".into(),
        ProjectType::EnterpriseInvested => "projlib.type_enterprise_invested".into(),
        ProjectType::Small(s) => format!("projlib.small_{}", s.as_str()),
    }
}

fn library_row(e: &crate::app::project_import::LibraryEntry) -> LibraryRow {
    let p = &e.row.project;
    LibraryRow {
        code: p.code.to_string(),
        name: p.name.clone(),
        division: p.division.to_string(),
        kind: kind_key(p.kind),
        stage: p.stage,
        planned_start: p.planned_start.map(|s| s.to_string()),
        screened: e.screened,
        consultations: e.consultations,
        investment_wan: p.investment_yuan / 10_000,
    }
}

fn page_link(v: &LibraryView, page: usize) -> String {
    format!("/supervision/projects?stage={}&screened={}&page={page}#library", v.stage, v.screening)
}

fn record(ctx: &Ctx, r: &RecordView) -> Markup {
    html! {
        section.record id=(format!("record-{}", r.row.code)) {
            h2 { (r.row.name) " " code { (r.row.code) } }
            dl.facts {
                dt { (ctx.t("projlib.unit")) } dd { (r.unit) }
                dt { (ctx.t("projlib.type")) } dd { (ctx.t(&r.row.kind)) }
                dt { (ctx.t("projlib.division")) } dd { (r.row.division) }
                dt { (ctx.t("projlib.stage")) } dd { (ctx.t(&format!("projlib.stage_{}", r.row.stage.as_str()))) }
                dt { (ctx.t("projlib.planned_start")) } dd { (r.row.planned_start.as_deref().unwrap_or("—")) }
                dt { (ctx.t("projlib.screened")) } dd { (ctx.t(if r.row.screened { "projlib.yes" } else { "projlib.no" })) }
                dt { (ctx.t("projlib.investment")) } dd { (ctx.tf("projlib.wan", &[("n", &r.row.investment_wan.to_string())])) }
                dt { (ctx.t("projlib.annual")) } dd { (ctx.tf("projlib.wan", &[("n", &r.annual_wan.to_string())])) }
            }
            p { a href=(format!("/service/problems?project={}", r.row.code)) { (ctx.t("svc.project_problems")) } }
            h3 { (ctx.t("projlib.consultations")) }
            @if r.consultations.is_empty() {
                p { (ctx.t("projlib.no_consultations")) }
            } @else {
                ol.consultations {
                    @for (at, by, notes) in &r.consultations {
                        li { time { (at) } " · " (by) " · " (notes) }
                    }
                }
            }
        }
    }
}

/// Draws the library: counts, filters, a page of rows, the chosen record.
pub fn render_library(ctx: &Ctx, v: &LibraryView) -> Markup {
    html! {
        section.library id="library" {
            h2 { (ctx.t("projlib.title")) }
            p.summary {
                (ctx.tf("projlib.summary", &[("total", &v.total.to_string()), ("screened", &v.screened.to_string())]))
                @for (stage, n) in &v.by_stage {
                    " · " (ctx.t(&format!("projlib.stage_{}", stage.as_str()))) " " (n)
                }
            }
            form.filters method="get" action="/supervision/projects#library" {
                label for="f-stage" { (ctx.t("projlib.stage")) }
                select id="f-stage" name="stage" {
                    option value="" selected[v.stage.is_empty()] { (ctx.t("projlib.all")) }
                    @for s in ProjectStage::ALL {
                        option value=(s.as_str()) selected[v.stage == s.as_str()] { (ctx.t(&format!("projlib.stage_{}", s.as_str()))) }
                    }
                }
                label for="f-screened" { (ctx.t("projlib.screened")) }
                select id="f-screened" name="screened" {
                    option value="" selected[v.screening.is_empty()] { (ctx.t("projlib.all")) }
                    option value="true" selected[v.screening == "true"] { (ctx.t("projlib.screened_only")) }
                    option value="false" selected[v.screening == "false"] { (ctx.t("projlib.not_screened")) }
                }
                button type="submit" { (ctx.t("projlib.filter")) }
            }
            @if let Some(r) = &v.record { (record(ctx, r)) }
            @if v.rows.is_empty() {
                p { (ctx.t("projlib.empty")) }
            } @else {
                div.table-wrap {
                    table {
                        thead { tr {
                            th scope="col" { (ctx.t("projlib.code")) }
                            th scope="col" { (ctx.t("projlib.name")) }
                            th scope="col" { (ctx.t("projlib.division")) }
                            th scope="col" { (ctx.t("projlib.type")) }
                            th scope="col" { (ctx.t("projlib.stage")) }
                            th scope="col" { (ctx.t("projlib.planned_start")) }
                            th scope="col" { (ctx.t("projlib.screened")) }
                            th scope="col" { (ctx.t("projlib.consultations")) }
                            th scope="col" { (ctx.t("projlib.investment")) }
                        } }
                        tbody {
                            @for r in &v.rows {
                                tr {
                                    td { a href=(format!("/supervision/projects?project={}#record-{}", r.code, r.code)) { code { (r.code) } } }
                                    td { (r.name) }
                                    td { (r.division) }
                                    td { (ctx.t(&r.kind)) }
                                    td { (ctx.t(&format!("projlib.stage_{}", r.stage.as_str()))) }
                                    td { (r.planned_start.as_deref().unwrap_or("—")) }
                                    td { @if r.screened { "✓" } }
                                    td.num { (r.consultations) }
                                    td.num { (ctx.tf("projlib.wan", &[("n", &r.investment_wan.to_string())])) }
                                }
                            }
                        }
                    }
                }
                @if v.pages > 1 {
                    nav.pager aria-label=(ctx.t("projlib.pages")) {
                        @if v.page > 1 { a rel="prev" href=(page_link(v, v.page - 1)) { (ctx.t("projlib.prev")) } " " }
                        span { (ctx.tf("projlib.page", &[("page", &v.page.to_string()), ("pages", &v.pages.to_string())])) }
                        @if v.page < v.pages { " " a rel="next" href=(page_link(v, v.page + 1)) { (ctx.t("projlib.next")) } }
                    }
                }
            }
        }
    }
}

/// Draws the running projects.
pub fn render(ctx: &Ctx, projects: &[ProjectView]) -> Markup {
    html! {
        h1 { (ctx.t("proj.title")) }
        (super::supervision::section_tabs(ctx))
        p.lead { (ctx.t("proj.lead")) }
        p { a href="/projects/figures" { (ctx.t("pfig.title")) } " · " a href="/projects/approval-list" { (ctx.t("papl.title")) } }
        @if projects.is_empty() { p { (ctx.t("proj.none")) } }
        @for p in projects {
            section.project id=(format!("project-{}", p.code)) {
                h2 { (p.name) " " code { (p.code) } }
                p { (p.unit) " · " (p.plan) " · " a href=(format!("/projects/figures#ready-{}", p.code)) { (ctx.t("papl.centralized")) } }
                (plan_graph(ctx, &p.graph))
                (step_table(ctx, &p.steps))
            }
        }
    }
}

/// The page's filters and choice.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ProjectsQuery {
    /// A stage, or empty for all.
    pub stage: Option<String>,
    /// `true` (screened only), `false` (the others) or empty.
    pub screened: Option<String>,
    /// The page of the library, from 1.
    pub page: Option<String>,
    /// A project whose record and plan are shown.
    pub project: Option<String>,
}

/// `GET /supervision/projects`.
pub async fn projects(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ProjectsQuery>,
) -> Result<Response, WebError> {
    let stage_text = q.stage.as_deref().map(str::trim).unwrap_or("").to_owned();
    let stage = ProjectStage::parse(&stage_text);
    let stage_text = if stage.is_some() { stage_text } else { String::new() };
    let screening = match q.screened.as_deref().map(str::trim) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    };
    let entries =
        app::project_import::library(&state, &ctx.principal, stage, screening).await.map_err(|e| ctx.fail(e))?;
    let chosen = q.project.as_deref().and_then(|c| ProjectCode::from_stored(c).ok());
    let record = match chosen.as_ref() {
        None => None,
        Some(code) => match app::projects::detail(&state, &ctx.principal, code).await {
            Ok((row, visits, _)) => {
                let count = visits.len() as u64;
                let entry = app::project_import::LibraryEntry {
                    screened: row.project.is_screened(app::project_import::this_year(state.now())),
                    consultations: count,
                    row,
                };
                Some(RecordView {
                    row: library_row(&entry),
                    unit: entry.row.project.unit.clone(),
                    annual_wan: entry.row.project.annual_investment_yuan / 10_000,
                    consultations: visits
                        .iter()
                        .map(|c| (tongban_core::calendar::local_date(c.at).to_string(), c.by.clone(), c.notes.clone()))
                        .collect(),
                })
            }
            Err(crate::app::AppError::NotFound(_)) => None,
            Err(e) => return Err(ctx.fail(e)),
        },
    };
    let pages = entries.len().div_ceil(PER_PAGE).max(1);
    let at_page = q.page.as_deref().and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let library = LibraryView {
        total: entries.len(),
        screened: entries.iter().filter(|e| e.screened).count(),
        by_stage: ProjectStage::ALL
            .iter()
            .map(|s| (*s, entries.iter().filter(|e| e.row.project.stage == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect(),
        stage: stage_text,
        screening: screening.map(|s| s.to_string()).unwrap_or_default(),
        page: at_page,
        pages,
        rows: entries.iter().skip((at_page - 1) * PER_PAGE).take(PER_PAGE).map(library_row).collect(),
        record,
        more_running: 0,
    };
    // The running projects: the chosen one, else the first few.
    let running = app::project_import::running(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let names: HashMap<String, (String, String)> = entries
        .iter()
        .map(|e| (e.row.project.code.to_string(), (e.row.project.name.clone(), e.row.project.unit.clone())))
        .collect();
    let mut runs: Vec<ProjectRun> = running.into_iter().map(|r| r.run).collect();
    if let Some(code) = &chosen {
        runs.retain(|r| r.project() == code);
    }
    let more_running = runs.len().saturating_sub(DRAWN);
    let mut model = Vec::new();
    for (i, run) in runs.into_iter().take(DRAWN).enumerate() {
        let code = run.project().to_string();
        let (name, unit) = match names.get(&code) {
            Some(n) => n.clone(),
            None => {
                let row = app::projects::project(&state, run.project()).await.map_err(|e| ctx.fail(e))?;
                (row.project.name, row.project.unit)
            }
        };
        model.push(ProjectView {
            code,
            name,
            unit,
            plan: run.plan().name().to_owned(),
            graph: GraphView::of(&format!("dag-{i}"), &run),
            steps: StepRow::all(&run),
        });
    }
    let library = LibraryView { more_running, ..library };
    let body = html! {
        (render(&ctx, &model))
        @if library.more_running > 0 {
            p.more { (ctx.tf("projlib.more_running", &[("n", &library.more_running.to_string())])) }
        }
        (render_library(&ctx, &library))
    };
    Ok(page(&ctx, ctx.t("proj.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/supervision/projects", get(projects))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn step(id: &str, critical: bool, state: &'static str) -> StepBox {
        StepBox {
            id: id.into(),
            name: format!("Step {id}"),
            short: format!("Step {id}"),
            days: 3,
            state,
            critical,
            x: 12.0,
            y: 34.0,
        }
    }

    #[test]
    fn names_too_long_for_a_box_are_cut_with_an_ellipsis() {
        assert_eq!(short("abcdefghijklmnop", 12), "abcdefghijk…");
        assert_eq!(short("abc", 12), "abc");
    }

    #[test]
    fn the_critical_path_is_drawn_apart_and_each_step_coloured_by_its_state() {
        let ctx = Ctx::for_test(Lang::En);
        let graph = GraphView {
            id: "dag-0".into(),
            plan: "Plan".into(),
            total_days: 6,
            width: 400.0,
            height: 200.0,
            modules: vec![(102.0, Module::ALL[0])],
            edges: vec![
                Edge { d: "M 0 0 C 1 1, 2 2, 3 3".into(), critical: true },
                Edge { d: "M 5 5 C 1 1, 2 2, 3 3".into(), critical: false },
            ],
            steps: vec![step("S1", true, "done"), step("S2", false, "running")],
        };
        let html = plan_graph(&ctx, &graph).into_string();
        assert!(
            html.contains("class=\"edge crit\" d=\"M 0 0 C 1 1, 2 2, 3 3\" marker-end=\"url(#dag-0-arrow-crit)\""),
            "{html}"
        );
        assert!(html.contains("class=\"edge\" d=\"M 5 5 C 1 1, 2 2, 3 3\" marker-end=\"url(#dag-0-arrow)\""), "{html}");
        assert!(html.contains("<g class=\"step state-done crit\">"), "{html}");
        assert!(html.contains("<g class=\"step state-running\">"), "{html}");
        assert!(html.contains("viewBox=\"0 0 400 200\""), "{html}");
    }
}
