//! Problems and prescriptions (对症下药开方): the class shares as a chart and how problems
//! were handled, the list filtered by class and open or closed, a form to record a problem
//! on a project (what was typed is kept when it is refused) and a form to close each open
//! one with a handling its class allows.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::plan::ProjectCode;
use tongban_core::project_service::{Handling, NewProblem, ProblemClass, ProblemInput};

use super::{department_names, may_manage, named, refused, section, see_other};
use crate::AppState;
use crate::api::project_service::{ProblemQuery, filtered_problems, problem_filters};
use crate::app::AppError;
use crate::app::project_service::{self as use_case, ProblemRow, ProblemSummary};
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input, typed};

/// Problems listed (the API lists all).
const SHOWN: usize = 200;

/// What the page draws.
struct ProblemsPage<'a> {
    summary: ProblemSummary,
    /// Departments' names by code.
    names: std::collections::BTreeMap<String, String>,
    rows: Vec<ProblemRow>,
    query: &'a ProblemQuery,
    /// What was typed in the form to record a problem, when it was refused.
    typed: Option<&'a Fields>,
    errors: FieldErrors,
    done: Option<&'a str>,
}

fn class_label(ctx: &Ctx, class: ProblemClass) -> &'static str {
    ctx.t(&format!("svc.class_{}", class.as_str()))
}

fn handling_label(ctx: &Ctx, h: &str) -> &'static str {
    ctx.t(&format!("svc.handling_{h}"))
}

/// A success notice after a redirect (`?done=problem_recorded`, `problem_closed`).
fn done_notice(ctx: &Ctx, done: Option<&str>) -> Markup {
    html! {
        @if let Some(d) = done.filter(|d| matches!(*d, "problem_recorded" | "problem_closed")) {
            div.notice.ok role="status" { (ctx.t(&format!("svc.done_{d}"))) }
        }
    }
}

fn filters(ctx: &Ctx, q: &ProblemQuery) -> Markup {
    let class = q.class.as_deref().unwrap_or("");
    let open = q.open.as_deref().unwrap_or("");
    html! {
        form.filters method="get" action="/service/problems" {
            @if let Some(p) = q.project.as_deref().filter(|p| !p.is_empty()) {
                input type="hidden" name="project" value=(p);
                p { (ctx.t("svc.project")) " " code { (p) } " · " a href="/service/problems" { (ctx.t("svc.all")) } }
            }
            label for="f-class" { (ctx.t("svc.class")) }
            select id="f-class" name="class" {
                option value="" selected[class.is_empty()] { (ctx.t("svc.all")) }
                @for c in ProblemClass::ALL { option value=(c.as_str()) selected[class == c.as_str()] { (class_label(ctx, c)) } }
            }
            label for="f-open" { (ctx.t("svc.state")) }
            select id="f-open" name="open" {
                option value="" selected[open.is_empty()] { (ctx.t("svc.all")) }
                option value="true" selected[open == "true"] { (ctx.t("svc.open")) }
                option value="false" selected[open == "false"] { (ctx.t("svc.closed")) }
            }
            button type="submit" { (ctx.t("svc.filter")) }
        }
    }
}

fn add_form(ctx: &Ctx, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let class = typed(fields, "class", "missing_materials");
    let source = typed(fields, "source", "other");
    let field = |label: &str, name: &str, default: &str, required: bool| {
        view::input(
            ctx.t(label),
            name,
            typed(fields, name, default),
            errors,
            Input { required, scope: "add", ..Input::default() },
        )
    };
    html! {
        section.form-card {
            h2 { (ctx.t("svc.add_problem")) }
            form method="post" action="/service/problems" {
                (view::csrf(ctx))
                (field("svc.project", "project", "", true))
                div class=(if errors.get("class").is_some() { "field invalid" } else { "field" }) {
                    label for="f-add-class" { (ctx.t("svc.class")) }
                    select id="f-add-class" name="class" {
                        @for c in ProblemClass::ALL {
                            option value=(c.as_str()) selected[class == c.as_str()] {
                                (class_label(ctx, c)) " — " (ctx.t(&format!("svc.prescription_{}", c.prescription().as_str())))
                            }
                        }
                    }
                    (view::field_error(errors, "class"))
                }
                (view::textarea(ctx.t("svc.description"), "description", typed(fields, "description", ""), errors, true, "add"))
                (view::textarea(ctx.t("svc.remedy"), "remedy", typed(fields, "remedy", ""), errors, false, "add"))
                (field("svc.department", "department", "", true))
                (field("svc.days", "days", "5", true))
                div class=(if errors.get("source").is_some() { "field invalid" } else { "field" }) {
                    label for="f-add-source" { (ctx.t("svc.source")) }
                    select id="f-add-source" name="source" {
                        @for s in ["other", "training", "consultation", "coordination"] {
                            option value=(s) selected[source == s] { (ctx.t(&format!("svc.source_{s}"))) }
                        }
                    }
                    (view::field_error(errors, "source"))
                }
                (field("svc.source_id", "source_id", "", false))
                button type="submit" { (ctx.t("svc.record")) }
            }
        }
    }
}

fn close_form(ctx: &Ctx, r: &ProblemRow) -> Markup {
    let scope = format!("close-{}", r.id);
    html! {
        form.inline method="post" action=(format!("/service/problems/{}/close", r.id)) {
            (view::csrf(ctx))
            label for=(format!("f-{scope}-handling")) { (ctx.t("svc.handling")) }
            select id=(format!("f-{scope}-handling")) name="handling" {
                @for h in r.problem.class.handlings() { option value=(h.as_str()) { (handling_label(ctx, h.as_str())) } }
            }
            label for=(format!("f-{scope}-note")) { (ctx.t("svc.note")) }
            input id=(format!("f-{scope}-note")) name="note" type="text";
            @if r.problem.class.allows(Handling::Exited) {
                label for=(format!("f-{scope}-reasons")) { (ctx.t("svc.reasons")) }
                input id=(format!("f-{scope}-reasons")) name="reasons" type="text";
            }
            button type="submit" { (ctx.t("svc.close")) }
        }
    }
}

fn render(ctx: &Ctx, v: &ProblemsPage<'_>) -> Markup {
    let s = &v.summary;
    let bars: Vec<HBar> = ProblemClass::ALL
        .iter()
        .map(|c| {
            let share = s.shares.get(c.as_str()).copied().unwrap_or(0.0);
            HBar {
                label: class_label(ctx, *c).to_owned(),
                share,
                text: format!("{:.1}% ({})", share * 100.0, s.classes.get(c.as_str()).copied().unwrap_or(0)),
                tone: None,
            }
        })
        .collect();
    let refused = v.typed.is_some();
    html! {
        h1 { (ctx.t("svc.problems_title")) }
        (section(ctx))
        p.lead { (ctx.t("svc.problems_lead")) }
        (done_notice(ctx, v.done))
        (view::form_error(&v.errors))
        // A refused problem comes back on top, beside its errors, not below the list.
        @if refused && may_manage(ctx) { (add_form(ctx, v.typed, &v.errors)) }
        ul.kpis {
            li { span.k { (s.total) } span.l { (ctx.t("svc.total")) } }
            li { span.k { (s.total - s.handled.get("open").copied().unwrap_or(0)) } span.l { (ctx.t("svc.solved")) } }
            li { span.k { (s.handled.get("open").copied().unwrap_or(0)) } span.l { (ctx.t("svc.open")) } }
        }
        (chart::hbars("problem-shares", ctx.t("svc.shares"), ctx.t("svc.shares_desc"), &bars))
        div.table-wrap { table.cases {
            caption { (ctx.t("svc.handled")) }
            thead { tr { th scope="col" { (ctx.t("svc.handling")) } th scope="col" { (ctx.t("svc.count")) } } }
            tbody { @for h in Handling::ALL.iter().map(|h| h.as_str()).chain(["open"]) {
                tr { td { (handling_label(ctx, h)) } td.num { (s.handled.get(h).copied().unwrap_or(0)) } }
            } }
        } }
        (filters(ctx, v.query))
        @if v.rows.is_empty() {
            p { (ctx.t("svc.none")) }
        } @else {
            @if v.rows.len() > SHOWN {
                p.hint { (ctx.tf("svc.shown", &[("shown", &SHOWN.to_string()), ("total", &v.rows.len().to_string())])) }
            }
            div.table-wrap { table.cases {
                caption.sr-only { (ctx.t("svc.problems_title")) }
                thead { tr {
                    th scope="col" { (ctx.t("svc.project")) }
                    th scope="col" { (ctx.t("svc.class")) }
                    th scope="col" { (ctx.t("svc.description")) }
                    th scope="col" { (ctx.t("svc.owner")) }
                    th scope="col" { (ctx.t("svc.due")) }
                    th scope="col" { (ctx.t("svc.handling")) }
                } }
                tbody { @for r in v.rows.iter().take(SHOWN) { tr id=(format!("problem-{}", r.id)) {
                    td { code { (r.project) } }
                    td { (class_label(ctx, r.problem.class)) br; small { (ctx.t(&format!("svc.prescription_{}", r.problem.class.prescription().as_str()))) } }
                    td { (r.problem.description) @if let Some(remedy) = &r.problem.remedy { br; small { (remedy) } } }
                    td { (named(&v.names, r.problem.department.as_str())) }
                    td { (view::time(r.due_at)) }
                    td {
                        @if let Some(c) = &r.closing {
                            (handling_label(ctx, c.handling.as_str()))
                            @if let Some(reasons) = &c.reasons { ": " (reasons) }
                        } @else if may_manage(ctx) {
                            (close_form(ctx, r))
                        } @else {
                            (ctx.t("svc.open"))
                        }
                    }
                } } }
            } }
        }
        @if !refused && may_manage(ctx) { (add_form(ctx, v.typed, &v.errors)) }
    }
}

/// `?class=&open=&done=`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    /// One class only.
    pub class: Option<String>,
    /// `true` or `false`.
    pub open: Option<String>,
    /// One project's only.
    pub project: Option<String>,
    /// The notice after a redirect.
    pub done: Option<String>,
}

async fn draw(
    state: &AppState,
    ctx: &Ctx,
    query: &ProblemQuery,
    typed: Option<&Fields>,
    errors: FieldErrors,
    done: Option<&str>,
) -> Result<Markup, WebError> {
    let filters = problem_filters(query).map_err(|e| ctx.fail(e))?;
    let summary = use_case::problem_summary(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let rows = filtered_problems(state, &ctx.principal, &filters).await.map_err(|e| ctx.fail(e))?;
    let names = department_names(state, ctx).await?;
    Ok(render(ctx, &ProblemsPage { summary, names, rows, query, typed, errors, done }))
}

/// `GET /service/problems`.
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Response, WebError> {
    let query = ProblemQuery { class: q.class, open: q.open, project: q.project };
    let body = draw(&state, &ctx, &query, None, FieldErrors::default(), q.done.as_deref()).await?;
    Ok(page(&ctx, ctx.t("svc.problems_title"), body))
}

/// `POST /service/problems` — record a problem on a project.
pub async fn add(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let mut errors = FieldErrors::default();
    let days = fields.get("days").trim().parse::<u32>().unwrap_or_else(|_| {
        errors.add("days", ctx.t("svc.err_days"));
        1
    });
    let source_id = match fields.get("source_id").trim() {
        "" => None,
        t => t.parse::<i64>().map_err(|_| errors.add("source_id", ctx.t("svc.err_number"))).ok(),
    };
    let input = ProblemInput {
        class: fields.get("class").to_owned(),
        description: fields.get("description").to_owned(),
        remedy: Some(fields.get("remedy").to_owned()),
        department: fields.get("department").trim().to_owned(),
        days,
        source: Some(fields.get("source").to_owned()),
        source_id,
    };
    let code = ProjectCode::parse(fields.get("project"));
    if code.is_err() {
        errors.add("project", ctx.t("svc.err_project"));
        // The rest of the form is checked too, so every error shows at once.
        for (f, m) in NewProblem::parse(&input).err().unwrap_or_default() {
            if errors.get(&f).is_none() {
                errors.add(&f, m);
            }
        }
    }
    if let (Ok(code), true) = (&code, errors.is_empty()) {
        match use_case::add_problem(&state, &ctx.principal, code, &input).await {
            Ok(_) => return Ok(see_other(&ctx, "/service/problems?open=true&done=problem_recorded".into())),
            Err(AppError::Invalid(list)) => list.into_iter().for_each(|(f, m)| errors.add(&f, m)),
            Err(AppError::NotFound(m)) => errors.add("project", m),
            Err(AppError::Conflict(m)) => errors.add("", m),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body =
        draw(&state, &ctx, &ProblemQuery { class: None, open: None, project: None }, Some(&fields), errors, None)
            .await?;
    Ok(refused(&ctx, ctx.t("svc.problems_title"), body))
}

/// `POST /service/problems/{id}/close` — close an open problem.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("problem {id}"))))?;
    let reasons = Some(fields.get("reasons")).filter(|r| !r.trim().is_empty());
    match use_case::close_problem(&state, &ctx.principal, id, fields.get("handling"), fields.get("note"), reasons).await
    {
        Ok(_) => Ok(see_other(&ctx, "/service/problems?done=problem_closed".into())),
        Err(AppError::Invalid(list)) => {
            let mut errors = FieldErrors::default();
            let text: Vec<String> = list.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            errors.add("", format!("{} #{id}: {}", ctx.t("svc.close_refused"), text.join("; ")));
            let body = draw(
                &state,
                &ctx,
                &ProblemQuery { class: None, open: Some("true".into()), project: None },
                None,
                errors,
                None,
            )
            .await?;
            Ok(refused(&ctx, ctx.t("svc.problems_title"), body))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
