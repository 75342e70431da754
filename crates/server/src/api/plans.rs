//! Approval plans (审批流程方案) of modular approval: the list, one plan with its
//! critical-path schedule, the reform comparison, BPMN 2.0 import and export.
//!
//! A plan id names the latest stored version, else one of the built-in reform plans
//! (`before-reform`, `after-reform`), which core holds and the store never does; importing
//! a plan with one of those ids overrides the built-in one (as `tongban plan` does).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::plan::bpmn;
use tongban_core::plan::{Plan, PlanComparison, PlanSummary};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

pub use crate::app::MAX_BPMN_BYTES;

/// A plan in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanListEntry {
    /// Its id.
    pub id: String,
    /// The latest version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// 环节数 — number of steps.
    pub steps: u32,
    /// 总工作日 — working days on the critical path.
    pub total_days: u32,
    /// True for a built-in reform plan (not stored).
    pub builtin: bool,
    /// When this version was imported; none for a built-in plan.
    pub imported_at: Option<String>,
}

/// One step of a plan with its schedule, in working days from the project's start.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanStepView {
    /// Step id.
    pub id: String,
    /// What is done.
    pub name: String,
    /// Module: `initiation`, `land`, `planning`, `construction`, `acceptance`.
    pub module: String,
    /// 模块, e.g. 立项.
    pub module_zh: String,
    /// Section: `guidance`, `scheme_review`, `approval`, `concurrent`.
    pub section: String,
    /// 板块, e.g. 行政审批.
    pub section_zh: String,
    /// 牵头部门.
    pub lead_department: String,
    /// 配合单位.
    pub cooperating: Vec<String>,
    /// The service item it is handled as.
    pub item: Option<String>,
    /// 时限 — working days (0 = milestone).
    pub days: u32,
    /// 前置环节.
    pub prerequisites: Vec<String>,
    /// 最早开始.
    pub earliest_start: u32,
    /// 最早完成.
    pub earliest_finish: u32,
    /// 最迟开始.
    pub latest_start: u32,
    /// 最迟完成.
    pub latest_finish: u32,
    /// 机动时间 — slack in working days.
    pub slack: u32,
    /// No slack: any delay delays the whole project.
    pub critical: bool,
}

/// A plan and its schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// True for a built-in reform plan.
    pub builtin: bool,
    /// 总工作日 — working days on the critical path.
    pub total_days: u32,
    /// 关键路径 — step ids, in order.
    pub critical_path: Vec<String>,
    /// Every step, in plan order.
    pub steps: Vec<PlanStepView>,
}

impl PlanView {
    fn new(plan: &Plan, builtin: bool) -> Self {
        let schedule = plan.schedule();
        let steps = plan
            .steps()
            .iter()
            .zip(&schedule.steps)
            .map(|(s, t)| PlanStepView {
                id: s.id.to_string(),
                name: s.name.clone(),
                module: s.module.as_str().into(),
                module_zh: s.module.zh().into(),
                section: s.section.as_str().into(),
                section_zh: s.section.zh().into(),
                lead_department: s.lead_department.clone(),
                cooperating: s.cooperating.clone(),
                item: s.item.as_ref().map(ToString::to_string),
                days: s.days,
                prerequisites: s.prerequisites.iter().map(ToString::to_string).collect(),
                earliest_start: t.earliest_start,
                earliest_finish: t.earliest_finish,
                latest_start: t.latest_start,
                latest_finish: t.latest_finish,
                slack: t.slack,
                critical: t.is_critical(),
            })
            .collect();
        Self {
            id: plan.id().to_string(),
            version: plan.version(),
            name: plan.name().to_owned(),
            builtin,
            total_days: schedule.total_days,
            critical_path: schedule.critical_path.iter().map(ToString::to_string).collect(),
            steps,
        }
    }
}

/// A plan's headline figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummaryView {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// 环节数.
    pub steps: usize,
    /// 总工作日 (critical path).
    pub days: u32,
}

impl From<PlanSummary> for PlanSummaryView {
    fn from(s: PlanSummary) -> Self {
        Self { id: s.id.to_string(), version: s.version, name: s.name, steps: s.steps, days: s.days }
    }
}

/// The reform report: two plans side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonView {
    /// The plan before.
    pub before: PlanSummaryView,
    /// The plan after.
    pub after: PlanSummaryView,
    /// 环节压减 — steps cut, percent of before, one decimal (negative if they grew).
    pub steps_cut_percent: f64,
    /// 时限压减 — working days cut, percent of before, one decimal.
    pub days_cut_percent: f64,
    /// The same as a plain-text table.
    pub report: String,
}

/// A stored plan version, as imported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedPlan {
    /// Its id.
    pub id: String,
    /// The version it was stored as.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// 环节数.
    pub steps: usize,
    /// 总工作日 (critical path).
    pub total_days: u32,
    /// 关键路径.
    pub critical_path: Vec<String>,
}

/// Which version of a plan.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A stored version; the latest when absent.
    pub version: Option<u32>,
}

/// The two plans to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The plan before, e.g. `before-reform`.
    pub before: String,
    /// The plan after, e.g. `after-reform`.
    pub after: String,
}

/// Every plan: the latest version of each stored one, then the built-in reform plans no
/// stored plan overrides.
#[utoipa::path(get, path = "/api/v1/plans", tag = "plans",
    responses((status = 200, description = "Plans", body = Vec<PlanListEntry>)))]
#[tracing::instrument(skip_all)]
pub async fn list_plans(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<PlanListEntry>>, ApiError> {
    let list = crate::app::list_plans(&state, &principal)
        .await?
        .into_iter()
        .map(|p| PlanListEntry {
            builtin: p.imported_at.is_none(),
            imported_at: p.imported_at.map(|t| t.to_string()),
            id: p.id,
            version: p.version,
            name: p.name,
            steps: p.steps,
            total_days: p.total_days,
        })
        .collect();
    Ok(Json(list))
}

/// One plan: its steps (module, section, lead department, working days, prerequisites) and
/// its schedule — critical path, total working days, earliest and latest start and slack
/// of every step.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "Plan id, e.g. after-reform"), VersionQuery),
    responses((status = 200, description = "The plan and its schedule", body = PlanView),
        (status = 404, description = "No such plan or version", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(plan.id = %id))]
pub async fn get_plan(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppQuery(q): AppQuery<VersionQuery>,
) -> Result<Json<PlanView>, ApiError> {
    authorize(&principal, Action::ReadPlans)?;
    let (plan, builtin) = crate::app::resolve_plan(&state, &id, q.version).await?;
    Ok(Json(PlanView::new(&plan, builtin)))
}

/// The reform report: steps, critical-path working days and the cuts in percent, e.g.
/// `before=before-reform&after=after-reform` (111 → 48 steps, 232 → 72 days).
#[utoipa::path(get, path = "/api/v1/plans/compare", tag = "plans", params(CompareQuery),
    responses((status = 200, description = "The comparison", body = ComparisonView),
        (status = 404, description = "No such plan", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn compare_plans(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<CompareQuery>,
) -> Result<Json<ComparisonView>, ApiError> {
    authorize(&principal, Action::ReadPlans)?;
    let (before, _) = crate::app::resolve_plan(&state, &q.before, None).await?;
    let (after, _) = crate::app::resolve_plan(&state, &q.after, None).await?;
    let c = PlanComparison::new(&before, &after);
    let report = c.to_string();
    Ok(Json(ComparisonView {
        before: c.before.into(),
        after: c.after.into(),
        steps_cut_percent: c.steps_cut_percent,
        days_cut_percent: c.days_cut_percent,
        report,
    }))
}

/// A plan as BPMN 2.0 XML with a diagram, which common modelers open.
#[utoipa::path(get, path = "/api/v1/plans/{id}/bpmn", tag = "plans",
    params(("id" = String, Path, description = "Plan id"), VersionQuery),
    responses((status = 200, description = "BPMN 2.0 XML", body = String, content_type = "application/xml"),
        (status = 404, description = "No such plan or version", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(plan.id = %id))]
pub async fn export_plan(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppQuery(q): AppQuery<VersionQuery>,
) -> Result<Response, ApiError> {
    authorize(&principal, Action::ReadPlans)?;
    let (plan, _) = crate::app::resolve_plan(&state, &id, q.version).await?;
    let mut response = bpmn::export(&plan).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    let disposition = format!("attachment; filename=\"{}-v{}.bpmn\"", plan.id(), plan.version());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Import a BPMN 2.0 process as a plan (the next version when its id exists); the body is
/// the XML (`Content-Type: application/xml`, `text/xml` or `application/bpmn+xml`). A
/// refused document stores nothing and answers 422, naming the element, its id and line.
#[utoipa::path(post, path = "/api/v1/plans", tag = "plans",
    request_body(content = String, content_type = "application/xml", description = "A BPMN 2.0 document"),
    responses((status = 201, description = "Imported", body = ImportedPlan),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Document too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not XML", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed XML, an unsupported element, or not a valid plan (a cycle …)", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn import_plan(
    State(state): State<AppState>,
    principal: Principal,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<ImportedPlan>), ApiError> {
    authorize(&principal, Action::ImportPlan)?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(mime.as_str(), "application/xml" | "text/xml" | "application/bpmn+xml") {
        return Err(
            AppError::UnsupportedType(format!("send the BPMN document as application/xml, not {declared:?}")).into()
        );
    }
    let bytes = axum::body::to_bytes(body, MAX_BPMN_BYTES).await.map_err(|_| AppError::TooLarge(MAX_BPMN_BYTES))?;
    let text =
        std::str::from_utf8(&bytes).map_err(|e| AppError::Invalid(vec![("bpmn".into(), format!("not UTF-8: {e}"))]))?;
    let (plan, version) = crate::app::import_plan(&state, &principal, text).await?;
    let schedule = plan.schedule();
    Ok((
        StatusCode::CREATED,
        Json(ImportedPlan {
            id: plan.id().to_string(),
            version,
            name: plan.name().to_owned(),
            steps: plan.steps().len(),
            total_days: schedule.total_days,
            critical_path: schedule.critical_path.iter().map(ToString::to_string).collect(),
        }),
    ))
}

/// How one step links to the center's catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepLinkView {
    /// Step id.
    pub step: String,
    /// Its name.
    pub name: String,
    /// 牵头部门 as the plan writes it.
    pub lead_department: String,
    /// The center's department it resolved to.
    pub department: Option<String>,
    /// That department's name.
    pub department_name: Option<String>,
    /// The item the step is handled as.
    pub item: Option<String>,
    /// That item's name.
    pub item_name: Option<String>,
    /// Name similarity (bigram Dice, 0–1; 1 for the step's own item).
    pub score: Option<f64>,
    /// `explicit`, `matched`, `no_department`, `unknown_department` or `no_item`.
    pub outcome: String,
    /// Why it is not linked; empty when it is.
    pub reason: String,
}

/// A plan's links to the center's departments and items (方案关联事项).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanLinksView {
    /// The plan.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// True for a built-in plan.
    pub builtin: bool,
    /// Steps in the plan.
    pub total: usize,
    /// Steps linked to an item: starting them opens a case.
    pub linked: usize,
    /// Lead departments that are none of the center's.
    pub unknown_departments: Vec<String>,
    /// Every step, in plan order.
    pub steps: Vec<StepLinkView>,
}

/// How a plan's steps link to the center: each step's lead department resolved to a
/// department, and the catalog item it is handled as (its own, else the most alike of its
/// department's), or why not. A run keeps these links: starting a linked step opens its case.
#[utoipa::path(get, path = "/api/v1/plans/{id}/links", tag = "plans",
    params(("id" = String, Path, description = "Plan id, e.g. after-reform"), VersionQuery),
    responses((status = 200, description = "The link report", body = PlanLinksView),
        (status = 404, description = "No such plan or version", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(plan.id = %id))]
pub async fn plan_links(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppQuery(q): AppQuery<VersionQuery>,
) -> Result<Json<PlanLinksView>, ApiError> {
    let (plan, builtin, report) = crate::app::plan_links(&state, &principal, &id, q.version).await?;
    Ok(Json(PlanLinksView {
        id: plan.id().to_string(),
        version: plan.version(),
        builtin,
        total: report.total,
        linked: report.linked,
        unknown_departments: report.unknown_departments,
        steps: report
            .steps
            .into_iter()
            .map(|s| StepLinkView {
                step: s.step.to_string(),
                name: s.name,
                lead_department: s.lead_department,
                department: s.department.map(|d| d.to_string()),
                department_name: s.department_name,
                item: s.item.map(|i| i.to_string()),
                item_name: s.item_name,
                score: s.score.map(|x| (x * 100.0).round() / 100.0),
                outcome: serde_json::to_value(s.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                reason: s.reason,
            })
            .collect(),
    }))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_plans, import_plan))
        .routes(routes!(compare_plans))
        .routes(routes!(get_plan))
        .routes(routes!(export_plan))
        .routes(routes!(plan_links))
}
