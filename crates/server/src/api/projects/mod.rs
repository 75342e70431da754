//! The project library (项目库) and project runs: projects and their pre-consultation
//! records (上门对接建库), a run through an approval plan, starting steps one by one or as a
//! bundled submission (打捆报), finishing them, and the expected completion over the
//! working calendar, recomputed as steps finish early or late.
//!
//! A started step gets its own deadline (its working days from the start). When the step
//! is linked to a service item in the catalog and the project unit has a credit code, the
//! step also opens a real case for the unit at the item's department, in the same
//! transaction; such a step finishes only once its case is decided, and deciding the case
//! (approval or denial, in [`crate::app::act_on_case`]) finishes it in the same transaction.
//! A green-channel run's cases are priority cases (绿色通道), listed first in queues.
//!
//! `views` holds the request and response bodies, `run` the routes of a project's run.

mod library;
pub use library::ProjectImportView;
pub(crate) mod run;
mod views;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongban_core::plan::{ProjectCode, ProjectStage};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

use views::run_view;
pub use views::*;

/// A code in a path: as stored (a record kept before the format was checked still answers).
fn project_code(code: &str) -> Result<ProjectCode, AppError> {
    ProjectCode::from_stored(code).map_err(|_| AppError::NotFound(format!("project {code:?} does not exist")))
}

/// Enter a project in the library (项目库), at the pre-consultation stage.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectCreate,
    responses((status = 201, description = "Entered", body = ProjectView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each listed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_project(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<ProjectCreate>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let req = crate::app::projects::NewProject {
        code: req.code,
        name: req.name,
        unit: req.unit,
        project_type: req.project_type,
        small_type: req.small_type,
        investment_yuan: req.investment_yuan,
        division: req.division,
        credit_code: req.credit_code,
        phone: req.phone,
        planned_start: req.planned_start,
        annual_investment_yuan: req.annual_investment_yuan,
    };
    let row = crate::app::projects::create_project(&state, &principal, req).await?;
    Ok((StatusCode::CREATED, Json(ProjectView::from(&row))))
}

/// The project library, by code, each project with its screening (筛选: planned to start
/// building next year or the year after) and its count of door-to-door consultations;
/// `?stage=` and `?screened=` filter it.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "Projects", body = Vec<LibraryProjectView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown stage", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_projects(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ProjectQuery>,
) -> Result<Json<Vec<LibraryProjectView>>, ApiError> {
    let stage = match q.stage.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            ProjectStage::parse(s)
                .ok_or_else(|| AppError::Invalid(vec![("stage".into(), format!("unknown stage {s:?}"))]))?,
        ),
    };
    let rows = crate::app::project_import::library(&state, &principal, stage, q.screened).await?;
    Ok(Json(rows.iter().map(LibraryProjectView::from).collect()))
}

/// One project: the record, its pre-consultation visits, and its run with every step's
/// deadline and the expected completion.
#[utoipa::path(get, path = "/api/v1/projects/{code}", tag = "projects",
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 200, description = "The project", body = ProjectDetail),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn get_project(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<ProjectDetail>, ApiError> {
    let (row, consultations, run) = crate::app::projects::detail(&state, &principal, &project_code(&code)?).await?;
    Ok(Json(ProjectDetail {
        project: ProjectView::from(&row),
        consultations: consultations.iter().map(ConsultationView::from).collect(),
        run: run.as_ref().map(|r| run_view(r, &state)),
    }))
}

/// Record a pre-consultation visit (上门对接建库).
#[utoipa::path(post, path = "/api/v1/projects/{code}/consultations", tag = "projects", request_body = ConsultationCreate,
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 201, description = "Recorded", body = ConsultationView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn add_consultation(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    AppJson(req): AppJson<ConsultationCreate>,
) -> Result<(StatusCode, Json<ConsultationView>), ApiError> {
    let visit =
        crate::app::projects::add_consultation(&state, &principal, &project_code(&code)?, req.at, &req.notes).await?;
    Ok((StatusCode::CREATED, Json(ConsultationView::from(&visit))))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_project, list_projects))
        .routes(routes!(get_project))
        .routes(routes!(add_consultation))
        .merge(library::routes())
        .merge(run::routes())
}
