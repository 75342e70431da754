//! Proactive project service (issue 19): concentrated trainings that find blockages
//! (集中培训查堵), problems on projects with their prescriptions (对症下药开方), and
//! coordination meetings of several departments on complex projects (协调会商). Each
//! problem opens a follow-up (督办事项) in its own transaction and closing it closes the
//! follow-up; an exit (of an illegal project, or decided by a meeting) ends the project's
//! approval with its reasons.
//!
//! Writes need [`Action::ManageProjects`], reads [`Action::ReadProjects`].

mod coordinations;
mod load;
mod problems;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::followup::due_after;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::{ProjectCode, ProjectStage};
use tongban_core::project_service::{NewProblem, ProblemInput, ProblemSource, Training, TrainingInput};
pub use tongban_store::{CoordinationRow, ProblemRow, TrainingRow};
use tongban_store::{ProjectRow, append_audit, insert_training};

pub use coordinations::{CoordinationSummary, coordination_summary, coordinations, record_coordination};
pub use load::{LoadCoordination, LoadProblem, ServiceLoad, load_service};
pub use problems::{
    ProblemSummary, add_problem, close_problem, problem, problem_summary, problems, problems_of_project,
};

use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// 集中培训查堵 figures: sessions, people who attended (summed over sessions), and the
/// distinct projects whose units attended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TrainingSummary {
    /// Sessions held.
    pub sessions: u64,
    /// People attending, summed over sessions.
    pub attendees: u64,
    /// Distinct projects trained.
    pub projects: u64,
}

/// The departments of the center in service.
pub(crate) async fn department_codes(state: &App) -> Result<BTreeSet<DepartmentCode>, AppError> {
    Ok(state.store.departments().await?.into_iter().map(|d| d.code).collect())
}

/// A problem found at a training, on one of the projects trained.
#[derive(Debug, Clone, Default)]
pub struct FoundProblem {
    /// The project's code (one of the session's projects).
    pub project: String,
    /// The problem (its source is the training: `source` and `source_id` are ignored).
    pub problem: ProblemInput,
}

/// Records a training session (集中培训查堵), listing every bad field: unknown
/// departments (`departments[i]`) and projects (`projects[i]`) among them.
pub async fn record_training(
    state: &App,
    principal: &Principal,
    input: &TrainingInput,
) -> Result<TrainingRow, AppError> {
    record_training_with_problems(state, principal, input, &[]).await
}

/// Records a training session and the problems found at it on its projects, in one
/// transaction: each problem opens its follow-up, due by its working days from now on the
/// calendar of its project's division. Bad fields of a problem are named
/// `problems[i].<field>`; its project must be one of the session's (`problems[i].project`).
pub async fn record_training_with_problems(
    state: &App,
    principal: &Principal,
    input: &TrainingInput,
    found: &[FoundProblem],
) -> Result<TrainingRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let mut errors = match Training::parse(input) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    let departments = department_codes(state).await?;
    for (i, d) in input.departments.iter().enumerate() {
        if DepartmentCode::parse(d).is_ok_and(|d| !departments.contains(&d)) {
            errors.push((format!("departments[{i}]"), format!("{d} is not a department of the center")));
        }
    }
    let library: BTreeMap<ProjectCode, ProjectRow> =
        state.store.projects(None).await?.into_iter().map(|r| (r.project.code.clone(), r)).collect();
    for (i, p) in input.projects.iter().enumerate() {
        if ProjectCode::parse(p).is_ok_and(|p| !library.contains_key(&p)) {
            errors.push((format!("projects[{i}]"), format!("project {p} is not in the library")));
        }
    }
    let trained: BTreeSet<ProjectCode> = input.projects.iter().filter_map(|p| ProjectCode::parse(p).ok()).collect();
    let now = state.now();
    let mut problems = Vec::new();
    for (i, f) in found.iter().enumerate() {
        let mut problem = f.problem.clone();
        // Found here: the training is the source, whatever was sent (its id is not known yet).
        (problem.source, problem.source_id) = (Some("training".into()), Some(0));
        let parsed = match NewProblem::parse(&problem) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.extend(e.into_iter().map(|(field, m)| (format!("problems[{i}].{field}"), m)));
                None
            }
        };
        if let Ok(d) = DepartmentCode::parse(&problem.department)
            && !departments.contains(&d)
        {
            errors.push((format!("problems[{i}].department"), format!("{d} is not a department of the center")));
        }
        let row = match ProjectCode::parse(&f.project) {
            Ok(c) if trained.contains(&c) => match library.get(&c) {
                Some(row) if row.project.stage == ProjectStage::Exited => {
                    errors.push((
                        format!("problems[{i}].project"),
                        format!("project {c} has exited the approval process"),
                    ));
                    None
                }
                row => row,
            },
            Ok(c) => {
                errors.push((
                    format!("problems[{i}].project"),
                    format!("project {c} is not among the session's projects"),
                ));
                None
            }
            Err(e) => {
                errors.push((format!("problems[{i}].project"), e.to_string()));
                None
            }
        };
        if let (Some(p), Some(row)) = (parsed, row) {
            let due =
                due_after(&state.calendar_of(&row.project.division), now, p.days).map_err(problems::deadline_error)?;
            problems.push((row.project.code.clone(), p, due));
        }
    }
    let training = match Training::parse(input) {
        Ok(t) if errors.is_empty() => t,
        _ => return Err(AppError::Invalid(errors)),
    };
    let stored = training.clone();
    let by = actor.clone();
    let (id, ids) = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = insert_training(c, &stored, &by, now).await?;
                let detail = serde_json::json!({ "topic": stored.topic, "people": stored.people.len() }).to_string();
                append_audit(c, now, &by, "project.training", &id.to_string(), &detail).await?;
                let mut ids = Vec::new();
                for (code, mut problem, due) in problems {
                    problem.source = ProblemSource::Training(id);
                    let pid = problems::insert_one(c, &code, &problem, now, due, &by, now).await?;
                    let detail = serde_json::json!({ "problem": pid, "class": problem.class.as_str() }).to_string();
                    append_audit(c, now, &by, "project.problem", code.as_str(), &detail).await?;
                    ids.push(pid);
                }
                Ok::<_, AppError>((id, ids))
            })
        })
        .await?;
    Ok(TrainingRow { id, training, problems: ids, recorded_by: actor, recorded_at: now })
}

/// Training sessions, newest first.
pub async fn trainings(state: &App, principal: &Principal) -> Result<Vec<TrainingRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.trainings(None).await?)
}

/// One training session.
pub async fn training(state: &App, principal: &Principal, id: i64) -> Result<TrainingRow, AppError> {
    authorize(principal, Action::ReadProjects)?;
    state
        .store
        .trainings(Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("training {id} does not exist")))
}

/// Sessions, attendees and projects trained, counted from the records.
pub async fn training_summary(state: &App, principal: &Principal) -> Result<TrainingSummary, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let (sessions, attendees, projects) = state.store.training_totals().await?;
    Ok(TrainingSummary { sessions, attendees, projects })
}
