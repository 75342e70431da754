//! The form that records a joint review meeting (`/meetings/new`): the meeting's fields,
//! then agenda rows — a project code, its decision, the reasons, a roadmap's tasks (one a
//! line: `title | owner department | working days or YYYY-MM-DD | person`) and the
//! blockages solved (one a line). Blank rows are left out. A refused form comes back with
//! what was typed and each error beside its field. No JavaScript.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::{Action, role_may};
use tongban_core::joint_review::{Decision, MeetingInput, ProjectInput, RepresentativeInput, TaskInput};

use crate::AppState;
use crate::app::AppError;
use crate::app::meetings as use_case;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// Agenda rows shown by default, and at most.
const ROWS: usize = 6;
const MAX_ROWS: usize = 40;

/// `?rows=` of the form.
#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    /// How many agenda rows to show.
    pub rows: Option<usize>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn part(parts: &[&str], i: usize) -> Option<String> {
    parts.get(i).map(|p| p.trim()).filter(|p| !p.is_empty()).map(str::to_owned)
}

/// One task line: `title | owner | days or date | person`.
fn task(line: &str) -> TaskInput {
    let parts: Vec<&str> = line.split(['|', '\u{ff5c}']).collect();
    let deadline = part(&parts, 2);
    let days = deadline.as_deref().and_then(|d| d.parse::<u32>().ok());
    TaskInput {
        title: part(&parts, 0).unwrap_or_default(),
        owner: part(&parts, 1),
        person: part(&parts, 3),
        days,
        due: if days.is_some() { None } else { deadline },
    }
}

/// One representative line: `department, name or login` (a login has no CJK and no spaces).
fn representative(line: &str) -> RepresentativeInput {
    let mut it = line.splitn(2, [',', '\u{ff0c}', ' ']);
    let department = it.next().unwrap_or("").trim().to_owned();
    let who = it.next().map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned);
    let is_login = who.as_deref().is_some_and(|w| w.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    RepresentativeInput {
        department,
        name: if is_login { None } else { who.clone() },
        account: if is_login { who } else { None },
    }
}

/// The meeting the form describes, with the form row of each decision.
fn input(fields: &Fields, rows: usize) -> (MeetingInput, Vec<usize>) {
    let mut projects = Vec::new();
    let mut used = Vec::new();
    for i in 0..rows {
        let project = fields.get(&format!("project_{i}")).trim();
        if project.is_empty() {
            continue;
        }
        used.push(i);
        let reasons = fields.get(&format!("reasons_{i}")).trim();
        projects.push(ProjectInput {
            project: project.to_owned(),
            decision: fields.get(&format!("decision_{i}")).to_owned(),
            reasons: (!reasons.is_empty()).then(|| reasons.to_owned()),
            tasks: lines(fields.get(&format!("tasks_{i}"))).iter().map(|l| task(l)).collect(),
            blockages: lines(fields.get(&format!("blockages_{i}"))),
        });
    }
    let meeting = MeetingInput {
        title: fields.get("title").to_owned(),
        date: fields.get("date").to_owned(),
        division: fields.get("division").to_owned(),
        leaders: lines(fields.get("leaders")),
        representatives: lines(fields.get("representatives")).iter().map(|l| representative(l)).collect(),
        units: lines(fields.get("units")),
        agenda: None,
        minutes: fields.get("minutes").to_owned(),
        projects,
    };
    (meeting, used)
}

/// The form field an error's JSON path belongs to: `projects[2].tasks[0].owner` → the
/// tasks box of the form row of decision 2.
fn form_field(path: &str, used: &[usize]) -> String {
    let top = path.split(['.', '[']).next().unwrap_or(path);
    if top != "projects" {
        return top.to_owned();
    }
    let index: Option<usize> =
        path.strip_prefix("projects[").and_then(|r| r.split(']').next()).and_then(|n| n.parse().ok());
    let Some(row) = index.and_then(|k| used.get(k)) else { return "projects".into() };
    let rest = path.split_once("].").map_or("project", |(_, r)| r);
    let field = rest.split(['.', '[']).next().unwrap_or("project");
    format!("{field}_{row}")
}

fn message(ctx: &Ctx, path: &str, raw: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    let known = match last {
        "owner" | "reasons" => true,
        "title" | "division" | "date" => !path.contains('.'),
        _ => false,
    };
    let key = format!("mt_err.{last}");
    let text = if known { ctx.lang.get(&key).unwrap_or(raw) } else { raw };
    // Paths inside a row name the line they are about.
    match path.split_once("tasks[").and_then(|(_, r)| r.split(']').next()) {
        Some(j) => format!("{} {}: {text}", ctx.t("mt.task_line"), j.parse::<usize>().map_or(0, |n| n + 1)),
        None => text.to_owned(),
    }
}

fn render(ctx: &Ctx, fields: Option<&Fields>, errors: &FieldErrors, rows: usize) -> Markup {
    let typed = |name: &str| view::typed(fields, name, "").to_owned();
    let opt = |required: bool, kind: &'static str, hint: Option<&'static str>| Input {
        kind,
        required,
        hint,
        ..Input::default()
    };
    html! {
        h1 { (ctx.t("mt.new")) }
        p { a href="/meetings" { (ctx.t("mt.back")) } }
        (view::form_error(errors))
        form method="post" action=(format!("/meetings/new?rows={rows}")) {
            (view::csrf(ctx))
            (view::input(ctx.t("mt.meeting"), "title", &typed("title"), errors, opt(true, "", None)))
            (view::input(ctx.t("mt.date"), "date", &typed("date"), errors, opt(true, "date", None)))
            (view::input(ctx.t("mt.division"), "division", &typed("division"), errors, opt(true, "", Some(ctx.t("mt.division_hint")))))
            (view::textarea(ctx.t("mt.leaders"), "leaders", &typed("leaders"), errors, false, ""))
            (view::textarea(ctx.t("mt.representatives_form"), "representatives", &typed("representatives"), errors, false, ""))
            (view::textarea(ctx.t("mt.units"), "units", &typed("units"), errors, false, ""))
            (view::field_error(errors, "projects"))
            @for i in 0..rows {
                fieldset {
                    legend { (ctx.tf("mt.row", &[("n", &(i + 1).to_string())])) }
                    (view::input(ctx.t("mt.project"), &format!("project_{i}"), &typed(&format!("project_{i}")), errors, opt(false, "", None)))
                    @let name = format!("decision_{i}");
                    @let chosen = typed(&name);
                    div class=(if errors.get(&name).is_some() { "field invalid" } else { "field" }) {
                        label for=(view::field_id("", &name)) { (ctx.t("mt.decision")) }
                        select id=(view::field_id("", &name)) name=(name) {
                            @for d in Decision::ALL {
                                option value=(d.as_str()) selected[chosen == d.as_str()] { (ctx.t(&format!("mt.decision_{}", d.as_str()))) }
                            }
                        }
                        (view::field_error(errors, &name))
                    }
                    (view::input(ctx.t("mt.reasons"), &format!("reasons_{i}"), &typed(&format!("reasons_{i}")), errors, opt(false, "", Some(ctx.t("mt.reasons_hint")))))
                    p.hint { (ctx.t("mt.tasks_hint")) }
                    (view::textarea(ctx.t("mt.tasks"), &format!("tasks_{i}"), &typed(&format!("tasks_{i}")), errors, false, ""))
                    (view::textarea(ctx.t("mt.blockages_form"), &format!("blockages_{i}"), &typed(&format!("blockages_{i}")), errors, false, ""))
                }
            }
            p { a href=(format!("/meetings/new?rows={}", (rows + ROWS).min(MAX_ROWS))) { (ctx.t("mt.more_rows")) } }
            (view::textarea(ctx.t("mt.minutes"), "minutes", &typed("minutes"), errors, false, ""))
            button type="submit" { (ctx.t("mt.record")) }
        }
    }
}

fn allow(ctx: &Ctx) -> Result<(), WebError> {
    if role_may(ctx.role(), Action::ManageProjects) {
        Ok(())
    } else {
        Err(ctx.fail(AppError::Forbidden("recording a meeting needs the project manager's role".into())))
    }
}

/// `GET /meetings/new`.
pub async fn new(ctx: Ctx, Query(q): Query<FormQuery>) -> Result<Response, WebError> {
    allow(&ctx)?;
    let rows = q.rows.unwrap_or(ROWS).clamp(1, MAX_ROWS);
    Ok(page(&ctx, ctx.t("mt.new"), render(&ctx, None, &FieldErrors::default(), rows)))
}

/// `POST /meetings/new` — records the meeting and shows it, or the form again with the errors.
pub async fn record(
    State(state): State<AppState>,
    Query(q): Query<FormQuery>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    allow(&ctx)?;
    let rows = q.rows.unwrap_or(ROWS).clamp(1, MAX_ROWS);
    let (meeting, used) = input(&fields, rows);
    match use_case::record_meeting(&state, &ctx.principal, meeting).await {
        Ok(m) => Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, format!("/meetings/{}", m.id))]))),
        Err(AppError::Invalid(list)) => {
            let mut errors = FieldErrors::default();
            for (path, raw) in list {
                let field = form_field(&path, &used);
                let text = message(&ctx, &path, &raw);
                match errors.get(&field).map(str::to_owned) {
                    Some(before) => {
                        errors.0.retain(|(f, _)| *f != field);
                        errors.add(&field, format!("{before}; {text}"));
                    }
                    None => errors.add(&field, text),
                }
            }
            let body = render(&ctx, Some(&fields), &errors, rows);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("mt.new"), body)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_tasks_representatives_and_error_fields() {
        let t = task("materials | zjj | 5 | Zhang San");
        assert_eq!(
            (t.owner.as_deref(), t.days, t.due, t.person.as_deref()),
            (Some("zjj"), Some(5), None, Some("Zhang San"))
        );
        let t = task("funds||2026-03-31");
        assert_eq!((t.owner, t.days, t.due.as_deref()), (None, None, Some("2026-03-31")));
        let r = representative("fgw, Li Shou");
        assert_eq!((r.department.as_str(), r.name.as_deref(), r.account), ("fgw", Some("Li Shou"), None));
        assert_eq!(representative("zjj outsider").account.as_deref(), Some("outsider"));
        assert_eq!(form_field("projects[1].tasks[0].owner", &[0, 3]), "tasks_3");
        assert_eq!(form_field("projects[0].reasons", &[2]), "reasons_2");
        assert_eq!(form_field("representatives[0].department", &[]), "representatives");
        assert_eq!(form_field("title", &[]), "title");
    }
}
