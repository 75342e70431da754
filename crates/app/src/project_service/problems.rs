//! Problems found on projects and their prescriptions (对症下药开方): recorded with a
//! follow-up in one transaction, closed with a handling their class allows.

use std::collections::BTreeMap;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::case::CaseError;
use tongban_core::followup::{FollowUpError, FollowUpKind, due_after};
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::project_service::{Closing, Handling, NewProblem, ProblemClass, ProblemInput};
use tongban_store::{
    Conn, NewFollowUp, ProblemFilter, ProblemRow, ProblemToInsert, append_audit, close_follow_up, insert_follow_up,
    insert_problem, problem_in, problem_source_exists,
};

use super::department_codes;
use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// 对症下药 figures: how many problems, each class's share of all, and how they were
/// handled, counted from the records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemSummary {
    /// All problems.
    pub total: u64,
    /// Problems per class.
    pub classes: BTreeMap<&'static str, u64>,
    /// Each class's fraction of all problems (0 when there are none).
    pub shares: BTreeMap<&'static str, f64>,
    /// Closed problems per handling, and `open`.
    pub handled: BTreeMap<&'static str, u64>,
}

/// A follow-up's title: the problem's description, cut to fit.
fn follow_up_title(p: &NewProblem) -> String {
    let text: String = p.description.chars().take(190).collect();
    format!("[{}] {text}", p.class.as_str())
}

/// A deadline the calendar cannot give, as the API answers it.
pub(crate) fn deadline_error(e: FollowUpError) -> AppError {
    match e {
        FollowUpError::BadDays(_) => AppError::Invalid(vec![("days".into(), e.to_string())]),
        FollowUpError::Calendar(c) => AppError::Case(CaseError::Calendar(c)),
    }
}

/// Records a problem found on project `code` (its department must be one of the center's,
/// its source record must exist) and opens its follow-up, due `days` working days from now
/// on the calendar of the project's division.
pub async fn add_problem(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    input: &ProblemInput,
) -> Result<ProblemRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let project = crate::projects::project(state, code).await?;
    let mut errors = NewProblem::parse(input).err().unwrap_or_default();
    if let Ok(d) = tongban_core::org::DepartmentCode::parse(&input.department)
        && !department_codes(state).await?.contains(&d)
    {
        errors.push(("department".into(), format!("{d} is not a department of the center")));
    }
    let problem = match NewProblem::parse(input) {
        Ok(p) if errors.is_empty() => p,
        _ => return Err(AppError::Invalid(errors)),
    };
    if project.project.stage == ProjectStage::Exited {
        return Err(AppError::Conflict(format!("project {code} has exited the approval process")));
    }
    let now = state.now();
    let due = due_after(&state.calendar_of(&project.project.division), now, problem.days).map_err(deadline_error)?;
    let (code, by) = (code.clone(), actor);
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = insert_one(c, &code, &problem, now, due, &by, now).await?;
                let detail = serde_json::json!({ "problem": id, "class": problem.class.as_str() }).to_string();
                append_audit(c, now, &by, "project.problem", code.as_str(), &detail).await?;
                problem_in(c, id).await?.ok_or_else(|| AppError::Internal("a problem just recorded is gone".into()))
            })
        })
        .await
}

/// Inserts a problem and its follow-up (in the caller's transaction); the source record
/// must exist. Returns the problem's id.
pub(super) async fn insert_one(
    c: &mut Conn,
    code: &ProjectCode,
    problem: &NewProblem,
    found_at: jiff::Timestamp,
    due_at: jiff::Timestamp,
    by: &str,
    now: jiff::Timestamp,
) -> Result<i64, AppError> {
    if !problem_source_exists(c, problem.source, code).await? {
        return Err(AppError::Invalid(vec![(
            "source_id".into(),
            match problem.source {
                tongban_core::project_service::ProblemSource::Training(id) => format!("no training {id} exists"),
                s => format!("no {} {} about project {code} exists", s.kind(), s.id().unwrap_or_default()),
            },
        )]));
    }
    let follow_up = NewFollowUp {
        project: code.clone(),
        kind: FollowUpKind::Problem,
        title: follow_up_title(problem),
        department: problem.department.clone(),
        owner: None,
        started_at: found_at,
        days: problem.days,
        due_at,
    };
    let follow_up_id = insert_follow_up(c, &follow_up).await?;
    let row = ProblemToInsert { project: code, problem, found_at, due_at, follow_up_id, by, at: now };
    Ok(insert_problem(c, &row).await?)
}

/// Closes problem `id` with a handling its class allows (and, for an exit, the reasons
/// told to the investor: the project exits its approval), closing its follow-up.
pub async fn close_problem(
    state: &App,
    principal: &Principal,
    id: i64,
    handling: &str,
    note: &str,
    reasons: Option<&str>,
) -> Result<ProblemRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let row = problem_row(state, id).await?;
    let closing = Closing::parse(row.problem.class, handling, note, reasons, "").map_err(AppError::Invalid)?;
    let now = state.now();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                let row = problem_in(c, id)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("problem {id} does not exist")))?;
                close_one(c, &row, &closing, None, true, &actor, now).await?;
                problem_in(c, id).await?.ok_or_else(|| AppError::Internal("a problem just closed is gone".into()))
            })
        })
        .await
}

/// Closes an open problem and its follow-up in the caller's transaction, exiting the project
/// for an exit handling when `exit` (a meeting exits its projects itself), and audits it; a closed one is a conflict.
pub(super) async fn close_one(
    c: &mut Conn,
    row: &ProblemRow,
    closing: &Closing,
    coordination: Option<i64>,
    exit: bool,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<(), AppError> {
    if !tongban_store::close_problem(c, row.id, closing, coordination, actor, now).await? {
        return Err(AppError::Conflict(format!("problem {} is closed already", row.id)));
    }
    close_follow_up(c, row.follow_up_id, now).await?;
    if exit && closing.handling == Handling::Exited {
        let reasons = closing.reasons.as_deref().unwrap_or_default();
        crate::projects::exit_project(c, &row.project, reasons, actor, now).await?;
    }
    let detail = serde_json::json!({ "problem": row.id, "handling": closing.handling.as_str() }).to_string();
    append_audit(c, now, actor, "project.problem.close", row.project.as_str(), &detail).await?;
    Ok(())
}

async fn problem_row(state: &App, id: i64) -> Result<ProblemRow, AppError> {
    state.store.problem_by_id(id).await?.ok_or_else(|| AppError::NotFound(format!("problem {id} does not exist")))
}

/// One problem.
pub async fn problem(state: &App, principal: &Principal, id: i64) -> Result<ProblemRow, AppError> {
    authorize(principal, Action::ReadProjects)?;
    problem_row(state, id).await
}

/// Problems, newest first: of one class, open or closed only, when asked.
pub async fn problems(
    state: &App,
    principal: &Principal,
    class: Option<ProblemClass>,
    open: Option<bool>,
) -> Result<Vec<ProblemRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.problems(&ProblemFilter { class, open, project: None }).await?)
}

/// A project's problems, newest first.
pub async fn problems_of_project(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
) -> Result<Vec<ProblemRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.problems(&ProblemFilter { project: Some(code.clone()), ..ProblemFilter::default() }).await?)
}

/// Totals, class shares and handlings, counted from the records.
pub async fn problem_summary(state: &App, principal: &Principal) -> Result<ProblemSummary, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let counts = state.store.problem_counts().await?;
    let mut classes: BTreeMap<&'static str, u64> = ProblemClass::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    let mut handled: BTreeMap<&'static str, u64> = Handling::ALL.iter().map(|h| (h.as_str(), 0)).collect();
    handled.insert("open", 0);
    for (class, handling, n) in counts.rows {
        *classes.entry(class.as_str()).or_default() += n;
        *handled.entry(handling.map_or("open", Handling::as_str)).or_default() += n;
    }
    let total: u64 = classes.values().sum();
    #[expect(clippy::cast_precision_loss, reason = "counts of problems are far below 2^52")]
    let shares = classes.iter().map(|(k, n)| (*k, if total == 0 { 0.0 } else { *n as f64 / total as f64 })).collect();
    Ok(ProblemSummary { total, classes, shares, handled })
}
