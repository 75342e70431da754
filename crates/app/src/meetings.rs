//! Joint review meetings (联审联批): recording a meeting and its decisions in one
//! transaction — an exit ends the project's approval with its reasons, a roadmap opens a
//! follow-up (督办) for each task, an unblocked project starts its run through the plan its
//! type picks — closing roadmap tasks, and the figures computed from the records.

use std::collections::{BTreeMap, BTreeSet};

use tongban_core::access::Action;
use tongban_core::calendar::local_date;
use tongban_core::division::DivisionCode;
use tongban_core::followup::FollowUpKind;
use tongban_core::joint_review::{Decision, Known, MeetingInput, Summary, summarize};
use tongban_core::plan::{ProjectCode, ProjectRun, ProjectStage};
use tongban_store::{
    NewFollowUp, ProjectRow, append_audit, close_follow_up, close_roadmap_tasks_of, finish_roadmap_task,
    insert_agenda_project, insert_follow_up, insert_meeting, insert_roadmap_task,
};

pub use tongban_store::{AgendaRow, MeetingRow, TaskRow};

use super::authorize;
use crate::actor::Principal;
use crate::projects::{RunRequest, exit_project, prepare_run, save_run};
use crate::{App, AppError};

/// Whether `division` is one of the center's (or inside one).
async fn center_division(state: &App, text: &str) -> Result<bool, AppError> {
    let Ok(d) = DivisionCode::parse(text) else { return Ok(false) };
    Ok(crate::public::division_exists(state, &d).await?
        && crate::public::division_codes(state).await?.iter().any(|u| d.is_within(u)))
}

/// The library's projects among the codes `input` names.
async fn named_projects(state: &App, input: &MeetingInput) -> Result<BTreeMap<ProjectCode, ProjectRow>, AppError> {
    let codes =
        input.projects.iter().map(|p| p.project.as_str()).chain(input.agenda.iter().flatten().map(String::as_str));
    let mut out = BTreeMap::new();
    for code in codes {
        let Ok(code) = ProjectCode::parse(code) else { continue };
        if out.contains_key(&code) {
            continue;
        }
        if let Some(row) = state.store.project_by_code(&code).await? {
            out.insert(code, row);
        }
    }
    Ok(out)
}

/// Records a joint review meeting and carries out its decisions, all in one transaction;
/// every bad field is reported at once (422).
pub async fn record_meeting(state: &App, principal: &Principal, input: MeetingInput) -> Result<MeetingRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let now = state.now();
    let projects = named_projects(state, &input).await?;
    let known_projects: BTreeSet<ProjectCode> = projects.keys().cloned().collect();
    let departments = crate::project_service::department_codes(state).await?;
    let calendar = state.calendar();
    let known = Known {
        division: center_division(state, &input.division).await?,
        projects: &known_projects,
        departments: &departments,
        today: local_date(now),
        calendar: &calendar,
    };
    let checked = input.check(&known);
    // What the library says about the decided projects: an exited project is decided no more.
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    for (i, p) in input.projects.iter().enumerate() {
        let Ok(code) = ProjectCode::parse(&p.project) else { continue };
        if projects.get(&code).is_some_and(|r| r.project.stage == ProjectStage::Exited) {
            errors.push((format!("projects[{i}].project"), format!("project {code} has exited the approval process")));
        }
    }
    let meeting = match checked {
        Ok(m) if errors.is_empty() => m,
        _ => return Err(AppError::Invalid(errors)),
    };
    // Unblocked projects not yet running get the run their type's plan gives.
    let mut runs: BTreeMap<ProjectCode, ProjectRun> = BTreeMap::new();
    let mut running: BTreeSet<ProjectCode> = BTreeSet::new();
    for d in meeting.decisions.iter().filter(|d| d.decision == Decision::Unblocked) {
        let Some(row) = projects.get(&d.project) else { continue };
        if state.store.run_for_project(&d.project).await?.is_some() {
            running.insert(d.project.clone());
        } else {
            runs.insert(d.project.clone(), prepare_run(state, &row.project, RunRequest::default()).await?);
        }
    }
    let id = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = insert_meeting(c, &meeting, &actor, now).await?;
                let decided: BTreeMap<&ProjectCode, _> = meeting.decisions.iter().map(|d| (&d.project, d)).collect();
                for (position, code) in meeting.agenda.iter().enumerate() {
                    let Some(d) = decided.get(code) else {
                        insert_agenda_project(c, id, position, code, None, "", &[], false).await?;
                        continue;
                    };
                    let was_running = running.contains(code);
                    insert_agenda_project(
                        c,
                        id,
                        position,
                        code,
                        Some(d.decision),
                        &d.reasons,
                        &d.blockages,
                        was_running,
                    )
                    .await?;
                    match d.decision {
                        Decision::Exit => {
                            exit_project(c, code, &d.reasons, &actor, now).await?;
                            // A roadmap given before is owed no more: its tasks close with their follow-ups.
                            for f in close_roadmap_tasks_of(c, code, &actor, now).await? {
                                close_follow_up(c, f, now).await?;
                            }
                        }
                        Decision::Roadmap => {
                            for t in &d.tasks {
                                let f = NewFollowUp {
                                    project: code.clone(),
                                    kind: FollowUpKind::RoadmapTask,
                                    title: t.title.clone(),
                                    department: t.department.clone(),
                                    owner: t.person.clone(),
                                    started_at: t.started_at,
                                    days: t.days,
                                    due_at: t.due_at,
                                };
                                let follow_up = insert_follow_up(c, &f).await?;
                                insert_roadmap_task(c, id, code, t, Some(follow_up)).await?;
                            }
                        }
                        Decision::Unblocked => {
                            if let Some(run) = runs.get(code) {
                                save_run(c, run, &actor, now).await?;
                            }
                        }
                    }
                }
                let detail = serde_json::json!({
                    "title": meeting.title, "date": meeting.date.to_string(), "division": meeting.division,
                    "decisions": meeting.decisions.iter().map(|d| (d.project.as_str(), d.decision.as_str()))
                        .collect::<BTreeMap<_, _>>(),
                })
                .to_string();
                append_audit(c, now, &actor, "meeting.record", &id.to_string(), &detail).await?;
                Ok::<_, AppError>(id)
            })
        })
        .await?;
    meeting_by_id(state, id).await
}

async fn meeting_by_id(state: &App, id: i64) -> Result<MeetingRow, AppError> {
    state
        .store
        .meetings(Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("meeting {id} does not exist")))
}

/// Every meeting, the latest first, with its agenda, decisions and roadmap tasks.
pub async fn meetings(state: &App, principal: &Principal) -> Result<Vec<MeetingRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.meetings(None).await?)
}

/// One meeting.
pub async fn meeting(state: &App, principal: &Principal, id: i64) -> Result<MeetingRow, AppError> {
    authorize(principal, Action::ReadProjects)?;
    meeting_by_id(state, id).await
}

/// The joint review figures, from the records.
pub async fn summary(state: &App, principal: &Principal) -> Result<Summary, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let (count, rows) = state.store.decided_rows().await?;
    Ok(summarize(count, &rows))
}

/// This year's joint review candidates: the projects at the pre-consultation stage with an
/// annual planned investment, by code, with their division and unit.
pub async fn candidates(
    state: &App,
    principal: &Principal,
) -> Result<Vec<(ProjectCode, DivisionCode, String)>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.joint_review_candidates().await?)
}

/// The names of the divisions holding meetings: (code, name).
pub async fn division_names(state: &App, principal: &Principal) -> Result<Vec<(String, String)>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.meeting_division_names().await?)
}

/// Roadmap tasks; only the open (or done) ones when asked.
pub async fn roadmap_tasks(state: &App, principal: &Principal, open: Option<bool>) -> Result<Vec<TaskRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.roadmap_tasks(open).await?)
}

/// Marks roadmap task `id` done now, closing its follow-up; a task done already is a conflict.
pub async fn finish_task(state: &App, principal: &Principal, id: i64) -> Result<TaskRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let task = state
        .store
        .roadmap_task(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("roadmap task {id} does not exist")))?;
    if task.done_at.is_some() {
        return Err(AppError::Conflict(format!("roadmap task {id} is done already")));
    }
    let now = state.now();
    let project = task.project.clone();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                let Some(follow_up) = finish_roadmap_task(c, id, &actor, now).await? else {
                    return Err(AppError::Conflict(format!("roadmap task {id} is done already")));
                };
                if let Some(f) = follow_up {
                    close_follow_up(c, f, now).await?;
                }
                let detail = serde_json::json!({ "task": id }).to_string();
                append_audit(c, now, &actor, "roadmap_task.done", project.as_str(), &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    state.store.roadmap_task(id).await?.ok_or_else(|| AppError::NotFound(format!("roadmap task {id} does not exist")))
}
