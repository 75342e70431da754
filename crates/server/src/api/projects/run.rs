//! A project's run: starting it, starting steps (one, a bundle, a module's block),
//! finishing them. The use cases are `app::projects`; these handlers translate.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongban_core::plan::StepId;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::projects::{self, RunRequest};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

use super::project_code;
use super::views::{Bundle, RunStart, RunView, run_view};

fn step_id(step: &str) -> Result<StepId, AppError> {
    StepId::parse(step).map_err(|_| AppError::NotFound(format!("the plan has no step {step:?}")))
}

/// Start the project's run through a plan: the project moves to `in_approval`; a
/// green-channel run uses the given shortened limits.
#[utoipa::path(post, path = "/api/v1/projects/{code}/run", tag = "projects", request_body = RunStart,
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 201, description = "Started", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The project has a run already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown plan, or green-channel limits that do not fit it", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn start_run(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    AppJson(req): AppJson<RunStart>,
) -> Result<(StatusCode, Json<RunView>), ApiError> {
    let req = RunRequest {
        plan: req.plan,
        plan_version: req.plan_version,
        green_channel: req.green_channel,
        green_limits: req.green_limits.unwrap_or_default(),
    };
    let row = projects::start_run(&state, &principal, &project_code(&code)?, req).await?;
    Ok((StatusCode::CREATED, Json(run_view(&row, &state))))
}

/// Start one startable step: it gets its deadline, and a case when linked to an item.
#[utoipa::path(post, path = "/api/v1/projects/{code}/steps/{step}/start", tag = "projects",
    params(("code" = String, Path, description = "项目代码"), ("step" = String, Path, description = "Step id")),
    responses((status = 200, description = "Started", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, run or step", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Started already, or waiting on prerequisites", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A case could not be opened", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code, step.id = %step))]
pub async fn start_step(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, step)): Path<(String, String)>,
) -> Result<Json<RunView>, ApiError> {
    let row = projects::start_steps(&state, &principal, &project_code(&code)?, vec![step_id(&step)?]).await?;
    Ok(Json(run_view(&row, &state)))
}

/// 打捆报 — one submission starts several startable steps at once, each with its own
/// deadline (and case); if any cannot start, none does.
#[utoipa::path(post, path = "/api/v1/projects/{code}/bundle", tag = "projects", request_body = Bundle,
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 200, description = "Started", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, run or step", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A step started already, or waits on prerequisites", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No steps, or a case could not be opened", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn bundle(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
    AppJson(req): AppJson<Bundle>,
) -> Result<Json<RunView>, ApiError> {
    let ids = req
        .steps
        .iter()
        .map(|s| StepId::parse(s).map_err(|e| AppError::Invalid(vec![("steps".into(), e.to_string())])))
        .collect::<Result<Vec<_>, _>>()?;
    let row = projects::start_steps(&state, &principal, &project_code(&code)?, ids).await?;
    Ok(Json(run_view(&row, &state)))
}

/// 分块报 — submit one module of the plan as a block: every step of `module` that can start
/// now starts, each with its own deadline (and case). Together with single steps
/// (随报随批: each step submitted and handled as soon as it is ready) and bundles (打捆报),
/// these are the submission modes of modular approval.
#[utoipa::path(post, path = "/api/v1/projects/{code}/blocks/{module}", tag = "projects",
    params(("code" = String, Path, description = "项目代码"), ("module" = String, Path, description = "Module: initiation, land, planning, construction, acceptance (or 立项, 用地, 规划, 施工, 验收)")),
    responses((status = 200, description = "Started", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, run or module", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No step of the module can start now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A case could not be opened", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code, plan.module = %module))]
pub async fn block(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, module)): Path<(String, String)>,
) -> Result<Json<RunView>, ApiError> {
    let module = tongban_core::plan::Module::parse(&module).map_err(|e| AppError::NotFound(e.to_string()))?;
    let row = projects::start_block(&state, &principal, &project_code(&code)?, module).await?;
    Ok(Json(run_view(&row, &state)))
}

/// 集中报批 — one centralized submission starts every step of the plan that can start now,
/// across modules, each opening its case at its department (audited with mode
/// `centralized`). It joins 随报随批 (one step), 打捆报 (chosen steps) and 分块报 (a module).
#[utoipa::path(post, path = "/api/v1/projects/{code}/run/centralized", tag = "projects",
    params(("code" = String, Path, description = "项目代码")),
    responses((status = 200, description = "Started", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project or run", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No step can start now", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A case could not be opened", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code))]
pub async fn centralized(
    State(state): State<AppState>,
    principal: Principal,
    Path(code): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let row = projects::start_centralized(&state, &principal, &project_code(&code)?).await?;
    Ok(Json(run_view(&row, &state)))
}

/// 建设项目审批清单 — the catalog's items grouped by project type: an item belongs to a type
/// when a step of the plan the type picks links to it.
#[utoipa::path(get, path = "/api/v1/projects/approval-list", tag = "projects",
    responses((status = 200, description = "Items by project type", body = Vec<ApprovalListGroupView>)))]
#[tracing::instrument(skip_all)]
pub async fn approval_list(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<ApprovalListGroupView>>, ApiError> {
    let groups = crate::app::approval_list(&state, &principal).await?;
    Ok(Json(groups.into_iter().map(ApprovalListGroupView::from).collect()))
}

/// Project figures from the records: projects by stage, the first-time submission pass
/// rate (一次性报件合格率: step cases accepted without a correction request, of those
/// answered) per project type and department, and time per module against plan (working
/// days of finished steps against their limits).
#[utoipa::path(get, path = "/api/v1/projects/figures", tag = "projects",
    responses((status = 200, description = "The figures", body = ProjectFiguresView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn figures(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ProjectFiguresView>, ApiError> {
    let f = crate::app::project_figures(&state, &principal).await?;
    Ok(Json(ProjectFiguresView::from(f)))
}

/// One item of the 建设项目审批清单.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApprovalListItemView {
    /// 事项编码.
    pub code: String,
    /// 事项名称.
    pub name: String,
    /// Its department's code.
    pub department: String,
    /// Its department's name.
    pub department_name: String,
    /// The plan steps handled as it.
    pub steps: Vec<String>,
}

/// The items of one project type.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApprovalListGroupView {
    /// `government_invested`, `enterprise_invested`, `parking_lot`, `coal_to_gas_boiler`,
    /// `simple_government_investment`, `municipal_road` or `other`.
    pub project_type: String,
    /// The built-in plan the type picks.
    pub plan: String,
    /// Its name.
    pub plan_name: String,
    /// 环节数.
    pub steps: usize,
    /// 总工作日.
    pub total_days: u32,
    /// The items its linked steps open, in plan order.
    pub items: Vec<ApprovalListItemView>,
}

impl From<crate::app::ApprovalListGroup> for ApprovalListGroupView {
    fn from(g: crate::app::ApprovalListGroup) -> Self {
        Self {
            project_type: g.project_type,
            plan: g.plan,
            plan_name: g.plan_name,
            steps: g.steps,
            total_days: g.total_days,
            items: g
                .items
                .into_iter()
                .map(|i| ApprovalListItemView {
                    code: i.code,
                    name: i.name,
                    department: i.department,
                    department_name: i.department_name,
                    steps: i.steps,
                })
                .collect(),
        }
    }
}

/// A first-time pass rate.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PassRateView {
    /// The project type or department code (`all` for the total).
    pub key: String,
    /// Step cases whose first submission was answered.
    pub answered: u32,
    /// Of those, accepted without a correction request.
    pub passed: u32,
    /// passed / answered; null when none was answered.
    pub rate: Option<f64>,
}

/// Time of one module against plan.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ModuleTimeView {
    /// The module.
    pub module: String,
    /// Finished steps.
    pub steps: u32,
    /// Their limits, working days.
    pub planned_days: u32,
    /// The working days they took.
    pub actual_days: f64,
    /// actual / planned.
    pub ratio: Option<f64>,
}

/// Project figures.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ProjectFiguresView {
    /// Projects in the library.
    pub projects: u32,
    /// Projects by stage (every stage).
    pub by_stage: std::collections::BTreeMap<String, u32>,
    /// 一次性报件合格率 over all step cases.
    pub pass_rate: PassRateView,
    /// Per project type.
    pub pass_rate_by_type: Vec<PassRateView>,
    /// Per department.
    pub pass_rate_by_department: Vec<PassRateView>,
    /// Time per module against plan, in module order.
    pub modules: Vec<ModuleTimeView>,
}

fn pass_rate_view(r: tongban_core::plan::figures::PassRate) -> PassRateView {
    PassRateView { key: r.key, answered: r.answered, passed: r.passed, rate: r.rate }
}

impl From<tongban_core::plan::figures::ProjectFigures> for ProjectFiguresView {
    fn from(f: tongban_core::plan::figures::ProjectFigures) -> Self {
        Self {
            projects: f.projects,
            by_stage: f.by_stage,
            pass_rate: pass_rate_view(f.pass_rate),
            pass_rate_by_type: f.pass_rate_by_type.into_iter().map(pass_rate_view).collect(),
            pass_rate_by_department: f.pass_rate_by_department.into_iter().map(pass_rate_view).collect(),
            modules: f
                .modules
                .into_iter()
                .map(|m| ModuleTimeView {
                    module: m.module,
                    steps: m.steps,
                    planned_days: m.planned_days,
                    actual_days: m.actual_days,
                    ratio: m.ratio,
                })
                .collect(),
        }
    }
}

/// Finish a running step now. A step handled as a case finishes only once the case is
/// decided — and deciding it (approval or denial) finishes the step by itself, see
/// [`crate::app::act_on_case`] (one rule: [`tongban_core::plan::case_lets_step_finish`]); this call is left for steps without a case, and for a case
/// closed without a decision (不予受理). When every step is done the project is `completed`.
#[utoipa::path(post, path = "/api/v1/projects/{code}/steps/{step}/finish", tag = "projects",
    params(("code" = String, Path, description = "项目代码"), ("step" = String, Path, description = "Step id")),
    responses((status = 200, description = "Finished", body = RunView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, run or step", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not running, or its case is not decided", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(project.code = %code, step.id = %step))]
pub async fn finish_step(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, step)): Path<(String, String)>,
) -> Result<Json<RunView>, ApiError> {
    let row = projects::finish_step(&state, &principal, &project_code(&code)?, &step_id(&step)?).await?;
    Ok(Json(run_view(&row, &state)))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(start_run))
        .routes(routes!(start_step))
        .routes(routes!(finish_step))
        .routes(routes!(bundle))
        .routes(routes!(block))
        .routes(routes!(centralized))
        .routes(routes!(approval_list))
        .routes(routes!(figures))
}
