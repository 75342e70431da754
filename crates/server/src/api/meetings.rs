//! Joint review meetings (联审联批) and their roadmaps (路线图): recording a meeting with the
//! decision on each agenda project (exit, roadmap, unblocked), reading meetings and their
//! figures, and following roadmap tasks until done.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_core::joint_review::{MeetingInput, ProjectInput, RepresentativeInput, RoadmapStatus, Summary, TaskInput};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::api::path_id;
use crate::app::meetings::{AgendaRow, MeetingRow, TaskRow};
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

/// A chief representative (首席代表) of a window at the meeting.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct RepresentativeBody {
    /// The department's code.
    #[serde(default)]
    pub department: String,
    /// The representative's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Or the staff login.
    #[serde(default)]
    pub account: Option<String>,
}

/// A roadmap task as entered.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TaskBody {
    /// What is to be done.
    #[serde(default)]
    pub title: String,
    /// The owner department's code (required).
    #[serde(default)]
    pub owner: Option<String>,
    /// The person responsible.
    #[serde(default)]
    pub person: Option<String>,
    /// The deadline in working days from the meeting day (or give `due`).
    #[serde(default)]
    pub days: Option<u32>,
    /// The deadline as a date, `YYYY-MM-DD`.
    #[serde(default)]
    pub due: Option<String>,
}

/// The decision on one agenda project.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// 项目代码.
    #[serde(default)]
    pub project: String,
    /// `exit`, `roadmap` or `unblocked`.
    #[serde(default)]
    pub decision: String,
    /// The reasons (required for `exit`: told to the investor).
    #[serde(default)]
    pub reasons: Option<String>,
    /// For `roadmap`: the tasks.
    #[serde(default)]
    pub tasks: Vec<TaskBody>,
    /// For `unblocked`: the blockages recorded as solved.
    #[serde(default)]
    pub blockages: Vec<String>,
}

/// A joint review meeting to record.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeetingCreate {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// The day it was held, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: String,
    /// The county or functional zone holding it (a division code of the center).
    #[serde(default)]
    pub division: String,
    /// The leaders chairing it (names).
    #[serde(default)]
    pub leaders: Vec<String>,
    /// Each window's chief representative.
    #[serde(default)]
    pub representatives: Vec<RepresentativeBody>,
    /// The project units attending (names).
    #[serde(default)]
    pub units: Vec<String>,
    /// The agenda (project codes); when given, every decided project must be on it.
    #[serde(default)]
    pub agenda: Option<Vec<String>>,
    /// 会议纪要.
    #[serde(default)]
    pub minutes: String,
    /// The decisions.
    #[serde(default)]
    pub projects: Vec<DecisionBody>,
}

impl From<MeetingCreate> for MeetingInput {
    fn from(m: MeetingCreate) -> Self {
        MeetingInput {
            title: m.title,
            date: m.date,
            division: m.division,
            leaders: m.leaders,
            representatives: m
                .representatives
                .into_iter()
                .map(|r| RepresentativeInput { department: r.department, name: r.name, account: r.account })
                .collect(),
            units: m.units,
            agenda: m.agenda,
            minutes: m.minutes,
            projects: m
                .projects
                .into_iter()
                .map(|p| ProjectInput {
                    project: p.project,
                    decision: p.decision,
                    reasons: p.reasons,
                    tasks: p
                        .tasks
                        .into_iter()
                        .map(|t| TaskInput {
                            title: t.title,
                            owner: t.owner,
                            person: t.person,
                            days: t.days,
                            due: t.due,
                        })
                        .collect(),
                    blockages: p.blockages,
                })
                .collect(),
        }
    }
}

/// A roadmap task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// Its id.
    pub id: i64,
    /// The meeting that gave it.
    pub meeting: i64,
    /// 项目代码.
    pub project: String,
    /// What is to be done.
    pub title: String,
    /// The owner department.
    pub owner: String,
    /// The person responsible.
    pub person: Option<String>,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Its working days.
    pub days: u32,
    /// When it is due (RFC 3339).
    pub due_at: String,
    /// The follow-up (督办事项) it is supervised as.
    pub follow_up_id: Option<i64>,
    /// When it was done.
    pub done_at: Option<String>,
    /// Who said so.
    pub done_by: Option<String>,
    /// Open and past due now.
    pub overdue: bool,
}

impl TaskView {
    /// The view of `t` at `now`.
    pub fn of(t: &TaskRow, now: jiff::Timestamp) -> Self {
        TaskView {
            id: t.id,
            meeting: t.meeting,
            project: t.project.to_string(),
            title: t.task.title.clone(),
            owner: t.task.department.to_string(),
            person: t.task.person.clone(),
            started_at: t.task.started_at.to_string(),
            days: t.task.days,
            due_at: t.task.due_at.to_string(),
            follow_up_id: t.follow_up_id,
            done_at: t.done_at.map(|d| d.to_string()),
            done_by: t.done_by.clone(),
            overdue: t.done_at.is_none() && t.task.due_at < now,
        }
    }
}

/// Where a roadmap stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoadmapView {
    /// Tasks.
    pub tasks: usize,
    /// Done.
    pub done: usize,
    /// Open past their deadline.
    pub overdue: usize,
    /// Every task done: a later meeting may unblock the project.
    pub all_done: bool,
}

/// A project on a meeting's agenda, with its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaView {
    /// 项目代码.
    pub project: String,
    /// 项目名称.
    pub name: String,
    /// 总投资, yuan.
    pub investment_yuan: u64,
    /// `exit`, `roadmap`, `unblocked`, or none (on the agenda, not decided).
    pub decision: Option<String>,
    /// The reasons.
    pub reasons: String,
    /// The blockages recorded as solved.
    pub blockages: Vec<String>,
    /// Unblocked while already running: its run was left as it was.
    pub was_running: bool,
    /// The roadmap's tasks.
    pub tasks: Vec<TaskView>,
    /// For a roadmap: where it stands.
    pub roadmap: Option<RoadmapView>,
}

impl AgendaView {
    fn of(a: &AgendaRow, now: jiff::Timestamp) -> Self {
        let roadmap = (!a.tasks.is_empty()).then(|| {
            let s = RoadmapStatus::of(a.tasks.iter().map(|t| (t.task.due_at, t.done_at)), now);
            RoadmapView { tasks: s.tasks, done: s.done, overdue: s.overdue, all_done: s.all_done() }
        });
        AgendaView {
            project: a.project.to_string(),
            name: a.name.clone(),
            investment_yuan: a.investment_yuan,
            decision: a.decision.map(|d| d.as_str().to_owned()),
            reasons: a.reasons.clone(),
            blockages: a.blockages.clone(),
            was_running: a.was_running,
            tasks: a.tasks.iter().map(|t| TaskView::of(t, now)).collect(),
            roadmap,
        }
    }
}

/// A joint review meeting (联审联批会议).
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The day it was held.
    pub date: String,
    /// The county or functional zone (division code).
    pub division: String,
    /// Leaders.
    pub leaders: Vec<String>,
    /// Chief representatives (首席代表).
    pub representatives: Vec<RepresentativeBody>,
    /// Project units.
    pub units: Vec<String>,
    /// 会议纪要.
    pub minutes: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
    /// The agenda with the decisions.
    pub projects: Vec<AgendaView>,
}

impl MeetingView {
    /// The view of `m` at `now`.
    pub fn of(m: &MeetingRow, now: jiff::Timestamp) -> Self {
        MeetingView {
            id: m.id,
            title: m.title.clone(),
            date: m.date.to_string(),
            division: m.division.to_string(),
            leaders: m.leaders.clone(),
            representatives: m
                .representatives
                .iter()
                .map(|r| RepresentativeBody {
                    department: r.department.to_string(),
                    name: r.name.clone(),
                    account: r.account.clone(),
                })
                .collect(),
            units: m.units.clone(),
            minutes: m.minutes.clone(),
            recorded_by: m.recorded_by.clone(),
            recorded_at: m.recorded_at.to_string(),
            projects: m.projects.iter().map(|a| AgendaView::of(a, now)).collect(),
        }
    }
}

/// The joint review figures, computed from the records.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSummaryView {
    /// Meetings held.
    pub meetings: u64,
    /// Distinct projects on their agendas.
    pub projects: u64,
    /// Projects whose latest decision is exit.
    pub exit: u64,
    /// … a roadmap.
    pub roadmap: u64,
    /// … unblocked.
    pub unblocked: u64,
    /// 总投资 of the distinct projects, yuan.
    pub total_investment_yuan: u64,
    /// 年度计划投资 of the distinct projects, yuan.
    pub annual_investment_yuan: u64,
    /// 总投资 of the projects unblocked, yuan.
    pub unblocked_investment_yuan: u64,
}

impl From<Summary> for MeetingSummaryView {
    fn from(s: Summary) -> Self {
        MeetingSummaryView {
            meetings: s.meetings,
            projects: s.projects,
            exit: s.exit,
            roadmap: s.roadmap,
            unblocked: s.unblocked,
            total_investment_yuan: s.total_investment_yuan,
            annual_investment_yuan: s.annual_investment_yuan,
            unblocked_investment_yuan: s.unblocked_investment_yuan,
        }
    }
}

/// `?open=` of the roadmap task list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// `true`: only open tasks; `false`: only done ones; none: all.
    pub open: Option<bool>,
}

/// Record a joint review meeting (联审联批) and carry out its decisions: an exit ends the
/// project's approval with its reasons, a roadmap opens a follow-up per task, an unblocked
/// project starts its run through the plan its type picks.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "projects", request_body = MeetingCreate,
    responses((status = 201, description = "Recorded", body = MeetingView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed by its path", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_meeting(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<MeetingCreate>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    let row = crate::app::meetings::record_meeting(&state, &principal, req.into()).await?;
    Ok((StatusCode::CREATED, Json(MeetingView::of(&row, state.now()))))
}

/// Joint review meetings, the latest first, with their agendas and decisions.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "projects",
    responses((status = 200, description = "Meetings", body = Vec<MeetingView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_meetings(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<MeetingView>>, ApiError> {
    let rows = crate::app::meetings::meetings(&state, &principal).await?;
    let now = state.now();
    Ok(Json(rows.iter().map(|m| MeetingView::of(m, now)).collect()))
}

/// The joint review figures: meetings, distinct projects, exit / roadmap / unblocked (each
/// project under its latest decision), and their investment.
#[utoipa::path(get, path = "/api/v1/meetings/summary", tag = "projects",
    responses((status = 200, description = "Figures", body = MeetingSummaryView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn meeting_summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<MeetingSummaryView>, ApiError> {
    Ok(Json(crate::app::meetings::summary(&state, &principal).await?.into()))
}

/// One joint review meeting.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The meeting's id")),
    responses((status = 200, description = "The meeting", body = MeetingView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such meeting", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(meeting.id = %id))]
pub async fn get_meeting(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<MeetingView>, ApiError> {
    let row =
        crate::app::meetings::meeting(&state, &principal, path_id(&principal, Action::ReadProjects, &id, "meeting")?)
            .await?;
    Ok(Json(MeetingView::of(&row, state.now())))
}

/// Roadmap tasks (路线图), by id; `?open=true` for those not yet done.
#[utoipa::path(get, path = "/api/v1/roadmap-tasks", tag = "projects", params(TaskQuery),
    responses((status = 200, description = "Tasks", body = Vec<TaskView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_roadmap_tasks(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<TaskQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    let rows = crate::app::meetings::roadmap_tasks(&state, &principal, q.open).await?;
    let now = state.now();
    Ok(Json(rows.iter().map(|t| TaskView::of(t, now)).collect()))
}

/// Mark a roadmap task done, closing its follow-up.
#[utoipa::path(post, path = "/api/v1/roadmap-tasks/{id}/done", tag = "projects",
    params(("id" = i64, Path, description = "The task's id")),
    responses((status = 200, description = "Done", body = TaskView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Done already", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(task.id = %id))]
pub async fn finish_roadmap_task(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<TaskView>, ApiError> {
    let row = crate::app::meetings::finish_task(
        &state,
        &principal,
        path_id(&principal, Action::ManageProjects, &id, "roadmap task")?,
    )
    .await?;
    Ok(Json(TaskView::of(&row, state.now())))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_meeting, list_meetings))
        .routes(routes!(meeting_summary))
        .routes(routes!(get_meeting))
        .routes(routes!(list_roadmap_tasks))
        .routes(routes!(finish_roadmap_task))
}
