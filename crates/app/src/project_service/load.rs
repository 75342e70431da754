//! Loading many service records at once (the demo, a migration from another system): the
//! trainings, coordination meetings and problems of a period in one transaction, with the
//! same rows, follow-ups and exits as recording them one by one, and one audit entry.

use jiff::Timestamp;
use tongban_core::access::Action;
use tongban_core::plan::ProjectCode;
use tongban_core::project_service::{
    Closing, Coordination, CoordinationDecision, Handling, NewProblem, ProblemSource, Training,
};
use tongban_store::{append_audit, close_follow_up, insert_coordination, insert_training, problem_in};

use super::problems::insert_one;
use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// A meeting to load, recorded at `at`.
#[derive(Debug, Clone)]
pub struct LoadCoordination {
    /// The meeting (checked).
    pub meeting: Coordination,
    /// When it was recorded.
    pub at: Timestamp,
}

/// A problem to load. Its source `Training(i)` / `Coordination(i)` is the index `i` of
/// the training or meeting in the same [`ServiceLoad`], not an id.
#[derive(Debug, Clone)]
pub struct LoadProblem {
    /// The project.
    pub project: ProjectCode,
    /// The problem (checked).
    pub problem: NewProblem,
    /// When it was found.
    pub found_at: Timestamp,
    /// When it is due (core's `followup::due_after`).
    pub due_at: Timestamp,
    /// How and when it was closed, and the index of the meeting that closed it, if one did.
    pub closed: Option<(Closing, Timestamp, Option<usize>)>,
}

/// Records of a period to load together.
#[derive(Debug, Clone, Default)]
pub struct ServiceLoad {
    /// Training sessions with when they were recorded.
    pub trainings: Vec<(Training, Timestamp)>,
    /// Coordination meetings.
    pub coordinations: Vec<LoadCoordination>,
    /// Problems.
    pub problems: Vec<LoadProblem>,
}

fn id_at(ids: &[i64], i: i64, what: &str) -> Result<i64, AppError> {
    usize::try_from(i)
        .ok()
        .and_then(|i| ids.get(i).copied())
        .ok_or_else(|| AppError::Invalid(vec![("source_id".into(), format!("no {what} {i} in the load"))]))
}

/// Loads `load` in one transaction: trainings, meetings (their exits end the projects'
/// approval), problems with their follow-ups, closed as given. Returns how many problems
/// were loaded.
pub async fn load_service(
    state: &App,
    principal: &Principal,
    load: ServiceLoad,
    now: Timestamp,
) -> Result<usize, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut trainings = Vec::new();
                for (t, at) in &load.trainings {
                    trainings.push(insert_training(c, t, &actor, *at).await?);
                }
                let mut meetings = Vec::new();
                for m in &load.coordinations {
                    meetings.push(insert_coordination(c, &m.meeting, &actor, m.at).await?);
                    for p in m.meeting.projects.iter().filter(|p| p.decision == CoordinationDecision::Exit) {
                        let reasons = p.reasons.as_deref().unwrap_or_default();
                        crate::projects::exit_project(c, &p.project, reasons, &actor, m.at).await?;
                    }
                }
                for p in &load.problems {
                    let mut problem = p.problem.clone();
                    problem.source = match problem.source {
                        ProblemSource::Training(i) => ProblemSource::Training(id_at(&trainings, i, "training")?),
                        ProblemSource::Coordination(i) => {
                            ProblemSource::Coordination(id_at(&meetings, i, "coordination")?)
                        }
                        other => other,
                    };
                    let id = insert_one(c, &p.project, &problem, p.found_at, p.due_at, &actor, p.found_at).await?;
                    let Some((closing, at, by_meeting)) = &p.closed else { continue };
                    let meeting = by_meeting
                        .map(|i| meetings.get(i).copied().ok_or_else(|| AppError::Internal(format!("no meeting {i}"))))
                        .transpose()?;
                    tongban_store::close_problem(c, id, closing, meeting, &actor, *at).await?;
                    let row = problem_in(c, id)
                        .await?
                        .ok_or_else(|| AppError::Internal("a loaded problem is gone".into()))?;
                    close_follow_up(c, row.follow_up_id, *at).await?;
                    if closing.handling == Handling::Exited && meeting.is_none() {
                        let reasons = closing.reasons.as_deref().unwrap_or_default();
                        crate::projects::exit_project(c, &p.project, reasons, &actor, *at).await?;
                    }
                }
                let detail = serde_json::json!({
                    "trainings": trainings.len(),
                    "coordinations": meetings.len(),
                    "problems": load.problems.len(),
                })
                .to_string();
                append_audit(c, now, &actor, "project.service.load", "-", &detail).await?;
                Ok::<_, AppError>(load.problems.len())
            })
        })
        .await
}
