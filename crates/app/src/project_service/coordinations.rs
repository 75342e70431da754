//! Coordination meetings on complex projects (协调会商): each department's opinion, a joint
//! conclusion (靶向治疗), a decision per project (the plan applies, or the project exits with
//! its reasons), and the problems solved at the meeting, closed by it — all in one
//! transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::project_service::{
    Closing, Coordination, CoordinationDecision, CoordinationInput, Handling, SolvedInput,
};
use tongban_store::{CoordinationRow, ProblemRow, append_audit, insert_coordination, problem_in};

use super::department_codes;
use super::problems::close_one;
use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// 协调会商 figures: meetings, distinct projects coordinated, problems solved at meetings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CoordinationSummary {
    /// Meetings held.
    pub meetings: u64,
    /// Distinct projects coordinated.
    pub projects: u64,
    /// Problems closed by a meeting.
    pub problems_solved: u64,
}

/// The library's projects with their stages.
async fn project_stages(state: &App) -> Result<BTreeMap<ProjectCode, ProjectStage>, AppError> {
    Ok(state.store.projects(None).await?.into_iter().map(|r| (r.project.code, r.project.stage)).collect())
}

/// Checks each solved problem against the meeting: it exists, is open, is about a project
/// on the agenda, and its handling is one its class allows (an exit only for a project the
/// meeting exits, with the meeting's reasons).
fn check_solved(
    meeting: Option<&Coordination>,
    solved: &[SolvedInput],
    rows: &BTreeMap<i64, ProblemRow>,
    errors: &mut Vec<(String, String)>,
) -> Vec<(i64, Closing)> {
    let mut out = Vec::new();
    for (i, s) in solved.iter().enumerate() {
        let Some(row) = rows.get(&s.problem) else {
            errors.push((format!("solved[{i}].problem"), format!("problem {} does not exist", s.problem)));
            continue;
        };
        if row.closing.is_some() {
            errors.push((format!("solved[{i}].problem"), format!("problem {} is closed already", s.problem)));
            continue;
        }
        if out.iter().any(|(id, _)| *id == s.problem) {
            errors.push((format!("solved[{i}].problem"), format!("problem {} is listed twice", s.problem)));
            continue;
        }
        let agenda = meeting.map(|m| m.projects.iter().find(|p| p.project == row.project));
        if let Some(None) = agenda {
            errors.push((
                format!("solved[{i}].problem"),
                format!("problem {} is on project {}, which is not on the meeting's agenda", s.problem, row.project),
            ));
            continue;
        }
        let agenda = agenda.flatten();
        // An invalid meeting still has its handlings checked; its exit reasons are checked
        // with its projects.
        let reasons = agenda.map_or(Some("-"), |a| a.reasons.as_deref());
        match Closing::parse(row.problem.class, &s.handling, &s.note, reasons, &format!("solved[{i}].")) {
            Ok(c)
                if c.handling == Handling::Exited
                    && agenda.is_some_and(|a| a.decision != CoordinationDecision::Exit) =>
            {
                errors.push((
                    format!("solved[{i}].handling"),
                    format!("project {} does not exit at this meeting", row.project),
                ));
            }
            Ok(c) => out.push((s.problem, c)),
            Err(e) => errors.extend(e),
        }
    }
    out
}

/// Records a coordination meeting, listing every bad field: unknown departments
/// (`opinions[i].department`) and projects (`projects[i].project`), an exit without
/// reasons, problems that cannot be closed here (`solved[i].…`).
pub async fn record_coordination(
    state: &App,
    principal: &Principal,
    input: &CoordinationInput,
    solved: &[SolvedInput],
) -> Result<CoordinationRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let parsed = Coordination::parse(input);
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let departments = department_codes(state).await?;
    for (i, (d, _)) in input.opinions.iter().enumerate() {
        if DepartmentCode::parse(d).is_ok_and(|d| !departments.contains(&d)) {
            errors.push((format!("opinions[{i}].department"), format!("{d} is not a department of the center")));
        }
    }
    let projects = project_stages(state).await?;
    for (i, (p, decision, _)) in input.projects.iter().enumerate() {
        let Ok(code) = ProjectCode::parse(p) else { continue };
        match projects.get(&code) {
            None => errors.push((format!("projects[{i}].project"), format!("project {p} is not in the library"))),
            Some(ProjectStage::Exited) if decision.trim() == "exit" => {
                errors.push((format!("projects[{i}].project"), format!("project {p} has exited already")));
            }
            Some(_) => {}
        }
    }
    let mut rows = BTreeMap::new();
    for s in solved {
        if let Some(r) = state.store.problem_by_id(s.problem).await? {
            rows.insert(s.problem, r);
        }
    }
    let closings = check_solved(parsed.as_ref().ok(), solved, &rows, &mut errors);
    let meeting = match parsed {
        Ok(m) if errors.is_empty() => m,
        _ => return Err(AppError::Invalid(errors)),
    };
    let now = state.now();
    let stored = meeting.clone();
    let by = actor.clone();
    let ids: Vec<i64> = closings.iter().map(|(id, _)| *id).collect();
    let id = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = save(c, &stored, &closings, &by, now).await?;
                Ok::<_, AppError>(id)
            })
        })
        .await?;
    Ok(CoordinationRow { id, coordination: meeting, solved: ids, recorded_by: actor, recorded_at: now })
}

/// Saves a checked meeting in the caller's transaction: the meeting, each exit, each solved
/// problem closed by it, and the audit entry. Returns the meeting's id.
pub(super) async fn save(
    c: &mut tongban_store::Conn,
    meeting: &Coordination,
    closings: &[(i64, Closing)],
    by: &str,
    now: jiff::Timestamp,
) -> Result<i64, AppError> {
    let id = insert_coordination(c, meeting, by, now).await?;
    for p in meeting.projects.iter().filter(|p| p.decision == CoordinationDecision::Exit) {
        crate::projects::exit_project(c, &p.project, p.reasons.as_deref().unwrap_or_default(), by, now).await?;
    }
    for (problem, closing) in closings {
        let row = problem_in(c, *problem)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("problem {problem} does not exist")))?;
        // An exit was done above, for the whole project; the problem only records it.
        close_one(c, &row, closing, Some(id), false, by, now).await?;
    }
    let detail = serde_json::json!({
        "title": meeting.title,
        "projects": meeting.projects.len(),
        "solved": closings.len(),
    })
    .to_string();
    append_audit(c, now, by, "project.coordination", &id.to_string(), &detail).await?;
    Ok(id)
}

/// Coordination meetings, newest first.
pub async fn coordinations(state: &App, principal: &Principal) -> Result<Vec<CoordinationRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.coordinations().await?)
}

/// Meetings, projects coordinated and problems solved, counted from the records.
pub async fn coordination_summary(state: &App, principal: &Principal) -> Result<CoordinationSummary, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let (meetings, projects, problems_solved) = state.store.coordination_totals().await?;
    Ok(CoordinationSummary { meetings, projects, problems_solved })
}
