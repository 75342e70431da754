//! A project's run: starting it, starting steps (one, or a bundle), finishing them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use tongban_core::case::{Applicant, ApplicantKind, Case, CaseError, CaseNumber, Submission};
use tongban_core::item::Channel;
use tongban_core::plan::{ProjectCode, ProjectRun, ProjectStage, RunError, StepId, StepState};
use tongban_store::{
    ProjectRow, RunRow, allocate_case_number, append_audit, insert_case, insert_project_run, insert_step_case,
    update_project_run, update_project_stage,
};

use crate::AppState;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

use super::views::{Bundle, RunStart, RunView, run_view};
use super::{project_code, project_row};

fn run_error(e: RunError) -> ApiError {
    match e {
        RunError::UnknownStep(_) => ApiError::NotFound(e.to_string()),
        RunError::NotStartable { .. }
        | RunError::AlreadyStarted(_)
        | RunError::NotRunning(_)
        | RunError::FinishedBeforeStart(_) => ApiError::Conflict(e.to_string()),
        // The same `/problems/outside-calendar` a case's deadline answers with.
        RunError::Calendar(c) => ApiError::Case(CaseError::Calendar(c)),
        RunError::Plan(p) => ApiError::Invalid(vec![("green_limits".into(), p.to_string())]),
    }
}

async fn run_row(state: &AppState, code: &ProjectCode) -> Result<RunRow, ApiError> {
    state
        .store
        .run_for_project(code)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("project {code} has not started a run")))
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
    authorize(&principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let code = project_code(&code)?;
    let mut project = project_row(&state, &code).await?.project;
    if state.store.run_for_project(&code).await?.is_some() {
        return Err(ApiError::Conflict(format!("project {code} has a run already")));
    }
    let (plan, _) =
        crate::api::plans::resolve_plan(&state, &req.plan, req.plan_version).await.map_err(|e| match e {
            ApiError::NotFound(m) => ApiError::Invalid(vec![("plan".into(), m)]),
            other => other,
        })?;
    project.green_channel = req.green_channel.unwrap_or(project.green_channel);
    let mut limits = BTreeMap::new();
    for (step, days) in req.green_limits.unwrap_or_default() {
        let id = StepId::parse(&step).map_err(|e| ApiError::Invalid(vec![("green_limits".into(), e.to_string())]))?;
        limits.insert(id, days);
    }
    if !limits.is_empty() && !project.green_channel {
        return Err(ApiError::Invalid(vec![(
            "green_limits".into(),
            "shortened limits apply only to a green-channel run".into(),
        )]));
    }
    let now = state.now();
    let run = ProjectRun::start(&project, &plan, &limits, now).map_err(run_error)?;
    let stored = run.clone();
    let green = project.green_channel;
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                insert_project_run(c, &stored, now).await?;
                update_project_stage(c, stored.project(), ProjectStage::InApproval, green, now).await?;
                let detail = serde_json::json!({
                    "plan": stored.plan().id(), "version": stored.plan().version(), "green_channel": green,
                })
                .to_string();
                append_audit(c, now, &actor, "project.run", stored.project().as_str(), &detail).await
            })
        })
        .await?;
    let row = RunRow { run, version: 1, updated_at: now };
    Ok((StatusCode::CREATED, Json(run_view(&row, &state))))
}

/// A case to open for a started step: the item and what is submitted.
struct CaseToOpen {
    step: StepId,
    item: tongban_store::ItemRow,
    submission: Submission,
}

/// The cases the steps open: for each step linked to an item in the catalog, when the
/// project unit has a credit code. The first contact is the item's first responsible
/// person, else whoever submits the bundle.
async fn cases_to_open(
    state: &AppState,
    project: &ProjectRow,
    run: &ProjectRun,
    ids: &[StepId],
    actor: &str,
) -> Result<Vec<CaseToOpen>, ApiError> {
    let Some(credit_code) = &project.credit_code else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for id in ids {
        let Some(code) = run.plan().step(id).and_then(|s| s.item.clone()) else { continue };
        // A plan may name an item the catalog does not (yet) hold: the step then keeps its
        // deadline without a case.
        let Some(item) = state.store.item_by_code(&code).await? else { continue };
        let owner = state.store.first_responsible(code.as_str()).await?.unwrap_or_else(|| actor.to_owned());
        let channel = if item.item.channels.contains(&Channel::Window) {
            Channel::Window
        } else {
            item.item.channels.first().copied().unwrap_or(Channel::Window)
        };
        // One bundled submission hands in the whole set of materials (一次性提交).
        let materials = item.item.materials.iter().map(|m| m.name.clone()).collect();
        let applicant = Applicant {
            kind: ApplicantKind::Enterprise,
            name: project.project.unit.clone(),
            id_number: credit_code.clone(),
            phone: project.phone.clone(),
        };
        out.push(CaseToOpen {
            step: id.clone(),
            item,
            submission: Submission {
                applicant,
                channel,
                materials,
                owner,
                priority: run.green_channel(),
                submitter: None,
            },
        });
    }
    Ok(out)
}

/// Starts `ids` together (one submission), opening their cases, and saves the run.
async fn start_steps(
    state: &AppState,
    principal: &Principal,
    code: &str,
    ids: Vec<StepId>,
) -> Result<Json<RunView>, ApiError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let code = project_code(code)?;
    let project = project_row(state, &code).await?;
    let row = run_row(state, &code).await?;
    let now = state.now();
    // Check the whole bundle before any case number is taken.
    row.run.clone().start_bundle(&ids, now, &state.calendar()).map_err(run_error)?;
    let cases = cases_to_open(state, &project, &row.run, &ids, &actor).await?;
    let (mut run, expected, cal) = (row.run, row.version, state.calendar());
    let saved = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut opened: BTreeMap<StepId, CaseNumber> = BTreeMap::new();
                for open in cases {
                    let number = allocate_case_number(c, &open.item.item.division, CaseNumber::year_of(now)).await?;
                    let (case, event) = Case::submit(number, &open.item.item, open.item.version, open.submission, now)?;
                    insert_case(c, &case, &event, &actor).await?;
                    insert_step_case(c, &case.number, run.project(), &open.step).await?;
                    opened.insert(open.step, case.number);
                }
                let steps: Vec<(StepId, Option<CaseNumber>)> =
                    ids.iter().map(|id| (id.clone(), opened.get(id).cloned())).collect();
                run.start_steps(&steps, now, &cal).map_err(run_error)?;
                if !update_project_run(c, &run, expected, now).await? {
                    return Err(ApiError::Conflict(format!("project {} changed since it was read", run.project())));
                }
                let detail = serde_json::json!({ "steps": ids, "cases": opened }).to_string();
                append_audit(c, now, &actor, "project.start_steps", run.project().as_str(), &detail).await?;
                Ok::<_, ApiError>(RunRow { run, version: expected + 1, updated_at: now })
            })
        })
        .await?;
    Ok(Json(run_view(&saved, state)))
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
    authorize(&principal, Action::ManageProjects)?;
    let id = StepId::parse(&step).map_err(|_| ApiError::NotFound(format!("the plan has no step {step:?}")))?;
    start_steps(&state, &principal, &code, vec![id]).await
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
    authorize(&principal, Action::ManageProjects)?;
    if req.steps.is_empty() {
        return Err(ApiError::Invalid(vec![("steps".into(), "name at least one step".into())]));
    }
    let ids = req
        .steps
        .iter()
        .map(|s| StepId::parse(s).map_err(|e| ApiError::Invalid(vec![("steps".into(), e.to_string())])))
        .collect::<Result<Vec<_>, _>>()?;
    start_steps(&state, &principal, &code, ids).await
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
    authorize(&principal, Action::ManageProjects)?;
    let module = tongban_core::plan::Module::parse(&module).map_err(|e| ApiError::NotFound(e.to_string()))?;
    let row = run_row(&state, &project_code(&code)?).await?;
    let ids: Vec<StepId> = row
        .run
        .startable()
        .into_iter()
        .filter(|id| row.run.plan().step(id).is_some_and(|s| s.module == module))
        .collect();
    if ids.is_empty() {
        return Err(ApiError::Conflict(format!("no step of module {} can start now", module.as_str())));
    }
    start_steps(&state, &principal, &code, ids).await
}

/// Finish a running step now. A step handled as a case finishes only once the case is
/// decided — and deciding it (approval or denial) finishes the step by itself, see
/// [`crate::app::act_on_case`]; this call is left for steps without a case, and for a case
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
    authorize(&principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let id = StepId::parse(&step).map_err(|_| ApiError::NotFound(format!("the plan has no step {step:?}")))?;
    let code = project_code(&code)?;
    let project = project_row(&state, &code).await?.project;
    let RunRow { mut run, version, .. } = run_row(&state, &code).await?;
    if let Some(StepState::Running { case: Some(number), .. }) = run.state(&id)
        && let Some(case) = state.store.case_by_number(number).await?
        && case.decided_at.is_none()
        && !case.state.is_final()
    {
        return Err(ApiError::Conflict(format!("step {id} waits on case {number}, which is {}", case.state)));
    }
    let now = state.now();
    run.finish_step(&id, now).map_err(run_error)?;
    let green = project.green_channel;
    let saved = state
        .store
        .write(move |c| {
            Box::pin(async move {
                if !update_project_run(c, &run, version, now).await? {
                    return Err(ApiError::Conflict(format!("project {} changed since it was read", run.project())));
                }
                if run.is_complete() {
                    update_project_stage(c, run.project(), ProjectStage::Completed, green, now).await?;
                }
                let detail = serde_json::json!({ "step": id }).to_string();
                append_audit(c, now, &actor, "project.finish_step", run.project().as_str(), &detail).await?;
                Ok::<_, ApiError>(RunRow { run, version: version + 1, updated_at: now })
            })
        })
        .await?;
    Ok(Json(run_view(&saved, &state)))
}
