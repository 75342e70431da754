//! Joint review meetings (联审联批) pages: `/meetings` — the figures (meetings, projects,
//! exit / roadmap / unblocked as a bar chart, the investment) and the meetings held;
//! `/meetings/{id}` — one meeting: who attended, the agenda with each decision, the
//! roadmap tasks with their colour (green, yellow, red: overdue) and the minutes. No
//! JavaScript; the texts are in the message files.

mod form;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::access::{Action, role_may};
use tongban_core::followup::colour_at;
use tongban_core::joint_review::{Decision, RoadmapStatus, Summary};
use tongban_core::supervision::{Colour, Rule};

use super::chart::{self, Bar};
use super::ctx::Ctx;
use super::error::WebError;
use super::layout::page;
use super::supervision::section_tabs;
use super::view;
use crate::AppState;
use crate::app::meetings::{self as use_case, MeetingRow, TaskRow};

/// Yuan as 亿元 with two decimals.
fn hundred_millions(ctx: &Ctx, yuan: u64) -> String {
    // Whole fen-free yuan; the display rounds to the hundredth of 100 million.
    let text = format!("{:.2}", yuan as f64 / 1e8);
    ctx.tf("mt.yi", &[("n", &text)])
}

fn decision_label(ctx: &Ctx, d: Option<Decision>) -> &'static str {
    match d {
        Some(d) => ctx.t(&format!("mt.decision_{}", d.as_str())),
        None => ctx.t("mt.undecided"),
    }
}

fn name_of<'a>(names: &'a [(String, String)], code: &'a str) -> &'a str {
    names.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
}

/// The figures at the top of the list: the KPIs and the decisions as bars.
fn figures(ctx: &Ctx, s: &Summary) -> Markup {
    let bars = [
        Bar { label: ctx.t("mt.decision_exit").into(), value: s.exit, rate: None },
        Bar { label: ctx.t("mt.decision_roadmap").into(), value: s.roadmap, rate: None },
        Bar { label: ctx.t("mt.decision_unblocked").into(), value: s.unblocked, rate: None },
    ];
    html! {
        ul.kpis {
            li { span.k { (s.meetings) } span.l { (ctx.t("mt.meetings")) } }
            li { span.k { (s.projects) } span.l { (ctx.t("mt.projects")) } }
            li { span.k { (s.exit) } span.l { (ctx.t("mt.decision_exit")) } }
            li { span.k { (s.roadmap) } span.l { (ctx.t("mt.decision_roadmap")) } }
            li { span.k { (s.unblocked) } span.l { (ctx.t("mt.decision_unblocked")) } }
            li { span.k { (hundred_millions(ctx, s.total_investment_yuan)) } span.l { (ctx.t("mt.total_investment")) } }
            li { span.k { (hundred_millions(ctx, s.annual_investment_yuan)) } span.l { (ctx.t("mt.annual_investment")) } }
            li { span.k { (hundred_millions(ctx, s.unblocked_investment_yuan)) } span.l { (ctx.t("mt.unblocked_investment")) } }
        }
        @if s.projects > 0 {
            (chart::bars("meeting-decisions", ctx.t("mt.chart"), ctx.t("mt.chart_desc"), &bars))
        }
    }
}

fn counts(m: &MeetingRow, d: Decision) -> usize {
    m.projects.iter().filter(|a| a.decision == Some(d)).count()
}

/// The list page's body.
pub(crate) fn render_list(ctx: &Ctx, s: &Summary, meetings: &[MeetingRow], divisions: &[(String, String)]) -> Markup {
    html! {
        h1 { (ctx.t("mt.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("mt.lead")) }
        @if role_may(ctx.role(), Action::ManageProjects) {
            p { a.button href="/meetings/new" { (ctx.t("mt.new")) } }
        }
        (figures(ctx, s))
        @if meetings.is_empty() {
            p { (ctx.t("mt.none")) }
        } @else {
            div.table-wrap { table {
                caption.sr-only { (ctx.t("mt.title")) }
                thead { tr {
                    th scope="col" { (ctx.t("mt.date")) }
                    th scope="col" { (ctx.t("mt.meeting")) }
                    th scope="col" { (ctx.t("mt.division")) }
                    th scope="col" { (ctx.t("mt.projects")) }
                    th scope="col" { (ctx.t("mt.decision_exit")) }
                    th scope="col" { (ctx.t("mt.decision_roadmap")) }
                    th scope="col" { (ctx.t("mt.decision_unblocked")) }
                } }
                tbody { @for m in meetings { tr {
                    td { (m.date.to_string()) }
                    td { a href=(format!("/meetings/{}", m.id)) { (m.title) } }
                    td { (name_of(divisions, m.division.as_str())) }
                    td { (m.projects.len()) }
                    td { (counts(m, Decision::Exit)) }
                    td { (counts(m, Decision::Roadmap)) }
                    td { (counts(m, Decision::Unblocked)) }
                } } }
            } }
        }
    }
}

/// A task's state now: done, or its colour (red: overdue).
fn task_state(
    ctx: &Ctx,
    t: &TaskRow,
    rule: &Rule,
    now: jiff::Timestamp,
    cal: &tongban_core::calendar::WorkingCalendar,
) -> Markup {
    if let Some(done) = t.done_at {
        return html! { span.badge { (ctx.t("mt.task_done")) } " " (view::time(done)) };
    }
    let colour = colour_at(t.task.started_at, t.task.days, rule, now, cal)
        .map(|(c, _)| c)
        .unwrap_or(if t.task.due_at < now { Colour::Red } else { Colour::Green });
    let c = colour.as_str();
    html! { span class=(format!("level-{c}")) { span.dot aria-hidden="true" {} " " (ctx.t(&format!("level.{c}"))) } }
}

/// The detail page's body.
pub(crate) fn render_detail(
    ctx: &Ctx,
    m: &MeetingRow,
    names: &[(String, String)],
    divisions: &[(String, String)],
    now: jiff::Timestamp,
    cal: &tongban_core::calendar::WorkingCalendar,
) -> Markup {
    let rule = Rule::center_default(cal);
    let sep = ctx.t("list.sep");
    let tasks: Vec<&TaskRow> = m.projects.iter().flat_map(|a| a.tasks.iter()).collect();
    html! {
        h1 { (m.title) }
        (section_tabs(ctx))
        p { a href="/meetings" { (ctx.t("mt.back")) } }
        dl.facts {
            dt { (ctx.t("mt.date")) } dd { (m.date.to_string()) }
            dt { (ctx.t("mt.division")) } dd { (name_of(divisions, m.division.as_str())) " " code { (m.division.as_str()) } }
            dt { (ctx.t("mt.leaders")) } dd { (m.leaders.join(sep)) }
            dt { (ctx.t("mt.representatives")) }
            dd {
                @for (i, r) in m.representatives.iter().enumerate() {
                    @if i > 0 { (sep) }
                    (name_of(names, r.department.as_str())) " "
                    (r.name.clone().or_else(|| r.account.clone()).unwrap_or_default())
                }
            }
            dt { (ctx.t("mt.units")) } dd { (m.units.join(sep)) }
        }
        h2 { (ctx.t("mt.agenda")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (ctx.t("mt.project")) }
                th scope="col" { (ctx.t("mt.investment")) }
                th scope="col" { (ctx.t("mt.decision")) }
                th scope="col" { (ctx.t("mt.reasons")) }
                th scope="col" { (ctx.t("mt.roadmap")) }
            } }
            tbody { @for a in &m.projects { tr {
                td { (a.name) br; code { (a.project.as_str()) } }
                td { (hundred_millions(ctx, a.investment_yuan)) }
                td { (decision_label(ctx, a.decision))
                    @if a.was_running { br; small { (ctx.t("mt.was_running")) } } }
                td {
                    (a.reasons)
                    @if !a.blockages.is_empty() {
                        @if !a.reasons.is_empty() { br; }
                        (ctx.t("mt.blockages")) " " (a.blockages.join(sep))
                    }
                }
                td {
                    @if !a.tasks.is_empty() {
                        @let s = RoadmapStatus::of(a.tasks.iter().map(|t| (t.task.due_at, t.done_at)), now);
                        (ctx.tf("mt.roadmap_status", &[("done", &s.done.to_string()), ("tasks", &s.tasks.to_string()), ("overdue", &s.overdue.to_string())]))
                        @if s.all_done() { br; strong { (ctx.t("mt.all_done")) } }
                    }
                }
            } } }
        } }
        @if !tasks.is_empty() {
            h2 { (ctx.t("mt.tasks")) }
            div.table-wrap { table.cases {
                thead { tr {
                    th scope="col" { (ctx.t("mt.project")) }
                    th scope="col" { (ctx.t("mt.task")) }
                    th scope="col" { (ctx.t("mt.owner")) }
                    th scope="col" { (ctx.t("mt.due")) }
                    th scope="col" { (ctx.t("mt.state")) }
                } }
                tbody { @for t in &tasks { tr {
                    td { code { (t.project.as_str()) } }
                    td { (t.task.title) }
                    td { (name_of(names, t.task.department.as_str()))
                        @if let Some(p) = &t.task.person { " " (p) } }
                    td { (view::time(t.task.due_at)) " (" (ctx.tf("mt.days", &[("n", &t.task.days.to_string())])) ")" }
                    td { (task_state(ctx, t, &rule, now, cal)) }
                } } }
            } }
        }
        h2 { (ctx.t("mt.minutes")) }
        @if m.minutes.is_empty() {
            p { (ctx.t("mt.no_minutes")) }
        } @else {
            div.minutes style="white-space: pre-wrap" { (m.minutes) }
        }
    }
}

/// `GET /meetings`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    crate::app::authorize(&ctx.principal, Action::ReadProjects).map_err(|e| ctx.fail(e))?;
    let summary = use_case::summary(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let meetings = use_case::meetings(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let divisions = use_case::division_names(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("mt.title"), render_list(&ctx, &summary, &meetings, &divisions)))
}

/// `GET /meetings/{id}`.
pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, WebError> {
    let id = id.parse().unwrap_or(-1);
    let m = use_case::meeting(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    let names = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let divisions = use_case::division_names(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = render_detail(&ctx, &m, &names, &divisions, state.now(), &state.calendar());
    Ok(page(&ctx, &m.title, body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/meetings", get(list))
        .route("/meetings/new", get(form::new).post(form::record))
        .route("/meetings/{id}", get(detail))
}
