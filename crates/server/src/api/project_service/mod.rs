//! Proactive project service (3+X, issue 19): training sessions that find blockages
//! (集中培训查堵, `/api/v1/trainings`), problems found on projects with the prescription
//! their class calls for (对症下药开方, `/api/v1/projects/{code}/problems`,
//! `/api/v1/problems`), and coordination meetings of several departments on complex
//! projects (协调会商, `/api/v1/coordinations`). Each problem is a follow-up (督办事项)
//! supervised until closed; an exit ends the project's approval with its reasons. The
//! summaries are counted from the records.

mod views;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongban_core::access::Action;
use tongban_core::plan::ProjectCode;
use tongban_core::project_service::{
    AttendeeInput, CoordinationInput, ProblemClass, ProblemInput, SolvedInput, TrainingInput,
};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::project_service as use_case;
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

pub use views::*;

/// The project code in a path, checked like [`path_id`](crate::api::path_id): read as a
/// stored code is, so a project recorded before the national format was checked is found.
fn project_code(principal: &Principal, action: Action, code: &str) -> Result<ProjectCode, AppError> {
    ProjectCode::from_stored(code).or_else(|_| {
        crate::app::authorize(principal, action)?;
        Err(AppError::NotFound(format!("project {code:?} does not exist")))
    })
}

/// The training as the use case takes it, with the problems found at it.
pub(crate) fn training_input(b: TrainingBody) -> (TrainingInput, Vec<use_case::FoundProblem>) {
    let found = b
        .problems
        .into_iter()
        .map(|p| use_case::FoundProblem {
            project: p.project,
            problem: ProblemInput {
                class: p.class,
                description: p.description,
                remedy: p.remedy,
                department: p.department,
                days: p.days,
                source: None,
                source_id: None,
            },
        })
        .collect();
    let input = TrainingInput {
        topic: b.topic,
        date: b.date,
        departments: b.departments,
        projects: b.projects,
        people: b.people.into_iter().map(|a| AttendeeInput { name: a.name, unit: a.unit, phone: a.phone }).collect(),
        policy_packs: b.policy_packs,
    };
    (input, found)
}

/// The problem as the use case takes it.
pub(crate) fn problem_input(b: ProblemBody) -> ProblemInput {
    ProblemInput {
        class: b.class,
        description: b.description,
        remedy: b.remedy,
        department: b.department,
        days: b.days,
        source: b.source,
        source_id: b.source_id,
    }
}

/// The problem list's filters, parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProblemFilters {
    /// One class only.
    pub class: Option<ProblemClass>,
    /// Open or closed only.
    pub open: Option<bool>,
    /// One project's only.
    pub project: Option<ProjectCode>,
}

/// The problems `f` lets through, newest first.
pub(crate) async fn filtered_problems(
    state: &AppState,
    principal: &Principal,
    f: &ProblemFilters,
) -> Result<Vec<crate::app::project_service::ProblemRow>, AppError> {
    match &f.project {
        None => use_case::problems(state, principal, f.class, f.open).await,
        Some(code) => {
            let mut rows = use_case::problems_of_project(state, principal, code).await?;
            rows.retain(|r| {
                f.class.is_none_or(|c| r.problem.class == c) && f.open.is_none_or(|o| r.closing.is_none() == o)
            });
            Ok(rows)
        }
    }
}

/// Parses the problem list's filters, naming each bad one.
pub(crate) fn problem_filters(q: &ProblemQuery) -> Result<ProblemFilters, AppError> {
    let mut errors = Vec::new();
    let class = match q.class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            let parsed = ProblemClass::parse(c);
            if parsed.is_none() {
                errors.push((
                    "class".to_owned(),
                    format!("{c:?}: missing_materials, poor_scheme, land_or_funds or illegal"),
                ));
            }
            parsed
        }
    };
    let open = match q.open.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(o) => {
            errors.push(("open".to_owned(), format!("{o:?}: true or false")));
            None
        }
    };
    let project = match q.project.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => ProjectCode::parse(p).map_err(|e| errors.push(("project".to_owned(), e.to_string()))).ok(),
    };
    if errors.is_empty() { Ok(ProblemFilters { class, open, project }) } else { Err(AppError::Invalid(errors)) }
}

/// Record a training session (集中培训查堵): topic, day, organising departments, the
/// projects and people who attended, the policy packs (审批政策包) handed out, and the
/// problems found there on its projects (each a follow-up under supervision).
#[utoipa::path(post, path = "/api/v1/trainings", tag = "projects", request_body = TrainingBody,
    responses((status = 201, description = "Recorded", body = TrainingView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_training(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<TrainingBody>,
) -> Result<(StatusCode, Json<TrainingView>), ApiError> {
    let (input, found) = training_input(body);
    let row = use_case::record_training_with_problems(&state, &principal, &input, &found).await?;
    Ok((StatusCode::CREATED, Json(TrainingView::from(&row))))
}

/// Training sessions, newest first.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "projects",
    responses((status = 200, description = "Sessions", body = Vec<TrainingView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_trainings(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<TrainingView>>, ApiError> {
    let rows = use_case::trainings(&state, &principal).await?;
    Ok(Json(rows.iter().map(TrainingView::from).collect()))
}

/// One training session with its attendees.
#[utoipa::path(get, path = "/api/v1/trainings/{id}", tag = "projects",
    params(("id" = i64, Path, description = "The session's id")),
    responses((status = 200, description = "The session", body = TrainingView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(training.id = %id))]
pub async fn get_training(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<TrainingView>, ApiError> {
    let row =
        use_case::training(&state, &principal, crate::api::path_id(&principal, Action::ReadProjects, &id, "training")?)
            .await?;
    Ok(Json(TrainingView::from(&row)))
}

/// Sessions held and people who attended (summed over sessions), and projects trained.
#[utoipa::path(get, path = "/api/v1/trainings/summary", tag = "projects",
    responses((status = 200, description = "Figures", body = TrainingSummaryView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn training_summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<TrainingSummaryView>, ApiError> {
    Ok(Json(use_case::training_summary(&state, &principal).await?.into()))
}

/// Record a problem found on a project (对症下药): its class decides the prescription; the
/// owner department answers for it within its working days, supervised as a follow-up.
#[utoipa::path(post, path = "/api/v1/projects/{code}/problems", tag = "projects", request_body = ProblemBody,
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 201, description = "Recorded", body = ProblemView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The project has exited", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn create_problem(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    AppJson(body): AppJson<ProblemBody>,
) -> Result<(StatusCode, Json<ProblemView>), ApiError> {
    let row = use_case::add_problem(
        &state,
        &principal,
        &project_code(&principal, Action::ManageProjects, &code)?,
        &problem_input(body),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ProblemView::from(&row))))
}

/// A project's problems, newest first.
#[utoipa::path(get, path = "/api/v1/projects/{code}/problems", tag = "projects",
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 200, description = "Problems", body = Vec<ProblemView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn project_problems(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<Vec<ProblemView>>, ApiError> {
    let code = project_code(&principal, Action::ReadProjects, &code)?;
    let rows = use_case::problems_of_project(&state, &principal, &code).await?;
    if rows.is_empty() {
        crate::app::projects::project(&state, &code).await?;
    }
    Ok(Json(rows.iter().map(ProblemView::from).collect()))
}

/// Problems, newest first: of one class, open or closed only, of one project.
#[utoipa::path(get, path = "/api/v1/problems", tag = "projects", params(ProblemQuery),
    responses((status = 200, description = "Problems", body = Vec<ProblemView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filters, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_problems(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ProblemQuery>,
) -> Result<Json<Vec<ProblemView>>, ApiError> {
    let rows = filtered_problems(&state, &principal, &problem_filters(&q)?).await?;
    Ok(Json(rows.iter().map(ProblemView::from).collect()))
}

/// Close a problem with how it was handled (one its class's prescription allows); an exit
/// ends the project's approval with the reasons told to the investor.
#[utoipa::path(post, path = "/api/v1/problems/{id}/close", tag = "projects", request_body = CloseBody,
    params(("id" = i64, Path, description = "The problem's id")),
    responses((status = 200, description = "Closed", body = ProblemView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such problem", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(problem.id = %id))]
pub async fn close_problem(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppJson(body): AppJson<CloseBody>,
) -> Result<Json<ProblemView>, ApiError> {
    let id = crate::api::path_id(&principal, Action::ManageProjects, &id, "problem")?;
    let row =
        use_case::close_problem(&state, &principal, id, &body.handling, &body.note, body.reasons.as_deref()).await?;
    Ok(Json(ProblemView::from(&row)))
}

/// Problems in all, each class's share, and how they were handled.
#[utoipa::path(get, path = "/api/v1/problems/summary", tag = "projects",
    responses((status = 200, description = "Figures", body = ProblemSummaryView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn problem_summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ProblemSummaryView>, ApiError> {
    Ok(Json(use_case::problem_summary(&state, &principal).await?.into()))
}

/// The meeting as the use case takes it.
pub(crate) fn coordination_input(b: &CoordinationBody) -> (CoordinationInput, Vec<SolvedInput>) {
    let input = CoordinationInput {
        title: b.title.clone(),
        date: b.date.clone(),
        opinions: b.opinions.iter().map(|o| (o.department.clone(), o.opinion.clone())).collect(),
        conclusion: b.conclusion.clone(),
        projects: b.projects.iter().map(|p| (p.project.clone(), p.decision.clone(), p.reasons.clone())).collect(),
    };
    let solved = b
        .solved
        .iter()
        .map(|s| SolvedInput { problem: s.problem, handling: s.handling.clone(), note: s.note.clone() })
        .collect();
    (input, solved)
}

/// Record a coordination meeting (协调会商) on complex projects: each department's opinion,
/// the joint conclusion (靶向治疗), each project's decision (`plan` or `exit` with reasons),
/// and the problems solved at it, closed by it.
#[utoipa::path(post, path = "/api/v1/coordinations", tag = "projects", request_body = CoordinationBody,
    responses((status = 201, description = "Recorded", body = CoordinationView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A problem was closed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_coordination(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<CoordinationBody>,
) -> Result<(StatusCode, Json<CoordinationView>), ApiError> {
    let (input, solved) = coordination_input(&body);
    let row = use_case::record_coordination(&state, &principal, &input, &solved).await?;
    Ok((StatusCode::CREATED, Json(CoordinationView::from(&row))))
}

/// Coordination meetings, newest first.
#[utoipa::path(get, path = "/api/v1/coordinations", tag = "projects",
    responses((status = 200, description = "Meetings", body = Vec<CoordinationView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_coordinations(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<CoordinationView>>, ApiError> {
    let rows = use_case::coordinations(&state, &principal).await?;
    Ok(Json(rows.iter().map(CoordinationView::from).collect()))
}

/// Meetings held, distinct projects coordinated, and problems solved at them.
#[utoipa::path(get, path = "/api/v1/coordinations/summary", tag = "projects",
    responses((status = 200, description = "Figures", body = CoordinationSummaryView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn coordination_summary(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<CoordinationSummaryView>, ApiError> {
    Ok(Json(use_case::coordination_summary(&state, &principal).await?.into()))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_training, list_trainings))
        .routes(routes!(training_summary))
        .routes(routes!(get_training))
        .routes(routes!(create_problem, project_problems))
        .routes(routes!(list_problems))
        .routes(routes!(problem_summary))
        .routes(routes!(close_problem))
        .routes(routes!(create_coordination, list_coordinations))
        .routes(routes!(coordination_summary))
}
