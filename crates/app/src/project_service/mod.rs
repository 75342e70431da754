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

use std::collections::BTreeSet;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::org::DepartmentCode;
use tongban_core::plan::ProjectCode;
use tongban_core::project_service::{Training, TrainingInput};
pub use tongban_store::{CoordinationRow, ProblemRow, TrainingRow};
use tongban_store::{append_audit, insert_training};

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

/// The codes of the project library.
pub(crate) async fn project_codes(state: &App) -> Result<BTreeSet<ProjectCode>, AppError> {
    Ok(state.store.projects(None).await?.into_iter().map(|r| r.project.code).collect())
}

/// Records a training session (集中培训查堵), listing every bad field: unknown
/// departments (`departments[i]`) and projects (`projects[i]`) among them.
pub async fn record_training(
    state: &App,
    principal: &Principal,
    input: &TrainingInput,
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
    let projects = project_codes(state).await?;
    for (i, p) in input.projects.iter().enumerate() {
        if ProjectCode::parse(p).is_ok_and(|p| !projects.contains(&p)) {
            errors.push((format!("projects[{i}]"), format!("project {p} is not in the library")));
        }
    }
    let training = match Training::parse(input) {
        Ok(t) if errors.is_empty() => t,
        _ => {
            return Err(AppError::Invalid(errors));
        }
    };
    let now = state.now();
    let stored = training.clone();
    let by = actor.clone();
    let id = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = insert_training(c, &stored, &by, now).await?;
                let detail = serde_json::json!({ "topic": stored.topic, "people": stored.people.len() }).to_string();
                append_audit(c, now, &by, "project.training", &id.to_string(), &detail).await?;
                Ok::<_, AppError>(id)
            })
        })
        .await?;
    Ok(TrainingRow { id, training, recorded_by: actor, recorded_at: now })
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
