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

pub(crate) mod run;
mod views;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongban_core::division::DivisionCode;
use tongban_core::plan::{Project, ProjectCode, ProjectError, ProjectStage, ProjectType, SmallType};
use tongban_store::{Consultation, ProjectRow, append_audit, insert_consultation, insert_project, stage_name};

use crate::AppState;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

use views::run_view;
pub use views::*;

/// The largest investment accepted, in yuan (it is stored in fen).
const MAX_INVESTMENT_YUAN: u64 = 10u64.pow(15);

const STAGES: [ProjectStage; 5] = [
    ProjectStage::PreConsultation,
    ProjectStage::InApproval,
    ProjectStage::UnderConstruction,
    ProjectStage::Completed,
    ProjectStage::Exited,
];

fn project_code(code: &str) -> Result<ProjectCode, ApiError> {
    ProjectCode::parse(code).map_err(|_| ApiError::NotFound(format!("project {code:?} does not exist")))
}

async fn project_row(state: &AppState, code: &ProjectCode) -> Result<ProjectRow, ApiError> {
    state.store.project_by_code(code).await?.ok_or_else(|| ApiError::NotFound(format!("project {code} does not exist")))
}

fn parse_project_type(kind: &str, small: Option<&str>, errors: &mut Vec<(String, String)>) -> Option<ProjectType> {
    let small = match small.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("parking_lot") => Some(SmallType::ParkingLot),
        Some("coal_to_gas_boiler") => Some(SmallType::CoalToGasBoiler),
        Some("other") => Some(SmallType::Other),
        Some(other) => {
            errors.push(("small_type".into(), format!("{other:?}: parking_lot, coal_to_gas_boiler or other")));
            return None;
        }
    };
    match (kind.trim(), small) {
        ("government_invested", None) => Some(ProjectType::GovernmentInvested),
        ("enterprise_invested", None) => Some(ProjectType::EnterpriseInvested),
        ("small", Some(s)) => Some(ProjectType::Small(s)),
        ("small", None) => {
            errors.push(("small_type".into(), "a small project needs its small_type".into()));
            None
        }
        ("government_invested" | "enterprise_invested", Some(_)) => {
            errors.push(("small_type".into(), "only a small project has a small_type".into()));
            None
        }
        (other, _) => {
            errors
                .push(("project_type".into(), format!("{other:?}: government_invested, enterprise_invested or small")));
            None
        }
    }
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
    authorize(&principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let mut errors = Vec::new();
    let code = ProjectCode::parse(&req.code).map_err(|e| errors.push(("code".into(), e.to_string()))).ok();
    let kind = parse_project_type(&req.project_type, req.small_type.as_deref(), &mut errors);
    if req.investment_yuan > MAX_INVESTMENT_YUAN {
        errors.push(("investment_yuan".into(), format!("at most {MAX_INVESTMENT_YUAN} yuan")));
    }
    let division = match DivisionCode::parse(&req.division) {
        Ok(d) if state.store.division_codes().await?.contains(&d) => Some(d),
        Ok(d) => {
            errors.push(("division".into(), format!("{d} is not one of the center's divisions")));
            None
        }
        Err(e) => {
            errors.push(("division".into(), e.to_string()));
            None
        }
    };
    let credit_code = req.credit_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    if credit_code.as_deref().is_some_and(|c| !tongban_core::identity::is_valid_credit_code(c)) {
        errors.push(("credit_code".into(), "not a valid 统一社会信用代码".into()));
    }
    let phone = req.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
    if phone.as_deref().is_some_and(|p| {
        p.len() > 32 || !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
    }) {
        errors.push(("phone".into(), "at most 32 digits, spaces, '-', '+', '(' or ')'".into()));
    }
    let project = match (code, kind, division) {
        (Some(code), Some(kind), Some(division)) => {
            match Project::new(code, &req.name, &req.unit, kind, req.investment_yuan, division) {
                Ok(p) => Some(p),
                Err(ProjectError::BadText(field)) => {
                    errors.push((field.into(), "1–200 characters without line breaks".into()));
                    None
                }
                Err(e) => {
                    errors.push(("code".into(), e.to_string()));
                    None
                }
            }
        }
        _ => None,
    };
    let Some(project) = project.filter(|_| errors.is_empty()) else { return Err(ApiError::Invalid(errors)) };
    let now = state.now();
    let row = ProjectRow { project, credit_code, phone, created_by: actor.clone(), created_at: now, updated_at: now };
    let stored = row.clone();
    let pending = crate::idempotency::pending();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                crate::idempotency::claim(c, pending.as_ref(), now).await?;
                insert_project(c, &stored).await?;
                let detail = serde_json::json!({ "name": stored.project.name }).to_string();
                append_audit(c, now, &actor, "project.create", stored.project.code.as_str(), &detail).await?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(ProjectView::from(&row))))
}

/// The project library, by code.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, description = "Projects", body = Vec<ProjectView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown stage", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn list_projects(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ProjectQuery>,
) -> Result<Json<Vec<ProjectView>>, ApiError> {
    authorize(&principal, Action::ReadProjects)?;
    let stage = match q.stage.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            STAGES
                .into_iter()
                .find(|st| stage_name(*st) == s)
                .ok_or_else(|| ApiError::Invalid(vec![("stage".into(), format!("unknown stage {s:?}"))]))?,
        ),
    };
    let rows = state.store.projects(stage).await?;
    Ok(Json(rows.iter().map(ProjectView::from).collect()))
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
    authorize(&principal, Action::ReadProjects)?;
    let code = project_code(&code)?;
    let row = project_row(&state, &code).await?;
    let consultations = state.store.consultations_for_project(&code).await?;
    let run = state.store.run_for_project(&code).await?;
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
    authorize(&principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let code = project_code(&code)?;
    project_row(&state, &code).await?;
    let now = state.now();
    let mut errors = Vec::new();
    let at = match req.at.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Some(now),
        Some(s) => s.trim().parse().map_err(|e: jiff::Error| errors.push(("at".into(), e.to_string()))).ok(),
    };
    let notes = req.notes.trim().to_owned();
    if notes.is_empty() || notes.chars().count() > 2000 {
        errors.push(("notes".into(), "1–2000 characters".into()));
    }
    let Some(at) = at.filter(|_| errors.is_empty()) else { return Err(ApiError::Invalid(errors)) };
    let visit = Consultation { project: code, at, by: actor.clone(), notes };
    let stored = visit.clone();
    let pending = crate::idempotency::pending();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                crate::idempotency::claim(c, pending.as_ref(), now).await?;
                insert_consultation(c, &stored, now).await?;
                let detail = serde_json::json!({ "at": stored.at.to_string() }).to_string();
                append_audit(c, now, &actor, "project.consultation", stored.project.as_str(), &detail).await?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(ConsultationView::from(&visit))))
}
