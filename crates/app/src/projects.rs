//! Project runs (modular approval): starting a run through a plan, starting steps (one, a
//! bundle, a module's block) with the cases they open, finishing steps. One rule finishes a
//! step, whether the manager finishes it or deciding its case does ([`finish_step_of_case`]).

use std::collections::BTreeMap;

use tongban_core::access::Action;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Case, CaseError, CaseNumber, Submission};
use tongban_core::plan::reform::plan_for;
use tongban_core::plan::{
    Module, Project, ProjectCode, ProjectRun, ProjectStage, RunError, StepId, StepState, case_lets_step_finish,
    step_submission,
};
use tongban_store::{
    Conn, Consultation, ItemRow, ProjectRow, RunRow, allocate_case_number, append_audit, insert_case,
    insert_consultation, insert_project, insert_project_run, insert_step_case, run_for_case, update_project_run,
    update_project_stage,
};

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;

/// A project as entered.
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    /// 项目代码 — the 投资项目统一代码, `YYYY-DDDDDD-II-TT-NNNNNN`.
    pub code: String,
    /// Name.
    pub name: String,
    /// The project unit.
    pub unit: String,
    /// `government_invested`, `enterprise_invested` or `small`.
    pub project_type: String,
    /// For a small project: `parking_lot`, `coal_to_gas_boiler`, `simple_government_investment`,
    /// `municipal_road` or `other`.
    pub small_type: Option<String>,
    /// Total investment, yuan.
    pub investment_yuan: u64,
    /// The division it is in.
    pub division: String,
    /// The unit's 统一社会信用代码.
    pub credit_code: Option<String>,
    /// A phone to reach the unit.
    pub phone: Option<String>,
    /// 计划开工 — a year and month (`2027-03`; a date is kept as its month).
    pub planned_start: Option<String>,
    /// 年度计划投资 — this year's planned investment, yuan (0: none).
    pub annual_investment_yuan: u64,
}

/// Enters a project in the library (项目库), at the pre-consultation stage, listing every
/// invalid field.
pub async fn create_project(state: &App, principal: &Principal, req: NewProject) -> Result<ProjectRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let mut divisions = crate::project_import::Divisions::load(state).await?;
    let checked =
        crate::project_import::check_project(state, &mut divisions, &req).await?.map_err(AppError::Invalid)?;
    let crate::project_import::Checked { project, credit_code, phone } = checked;
    let now = state.now();
    let row = ProjectRow { project, credit_code, phone, created_by: actor.clone(), created_at: now, updated_at: now };
    let stored = row.clone();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                insert_project(c, &stored).await?;
                let detail = serde_json::json!({ "name": stored.project.name }).to_string();
                append_audit(c, now, &actor, "project.create", stored.project.code.as_str(), &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(row)
}

/// Records a pre-consultation visit (上门对接建库) at `at` (now when none).
pub async fn add_consultation(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    at: Option<String>,
    notes: &str,
) -> Result<Consultation, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    super::projects::project(state, code).await?;
    let code = code.clone();
    let now = state.now();
    let mut errors = Vec::new();
    let at = match at.as_deref().filter(|s| !s.trim().is_empty()) {
        None => Some(now),
        Some(s) => s.trim().parse().map_err(|e: jiff::Error| errors.push(("at".into(), e.to_string()))).ok(),
    };
    let notes = notes.trim().to_owned();
    if notes.is_empty() || notes.chars().count() > 2000 {
        errors.push(("notes".into(), "1–2000 characters".into()));
    }
    let Some(at) = at.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let visit = Consultation { project: code, at, by: actor.clone(), notes };
    let stored = visit.clone();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                insert_consultation(c, &stored, now).await?;
                let detail = serde_json::json!({ "at": stored.at.to_string() }).to_string();
                append_audit(c, now, &actor, "project.consultation", stored.project.as_str(), &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(visit)
}

/// The project library, by code; of one stage when given.
pub async fn projects(
    state: &App,
    principal: &Principal,
    stage: Option<ProjectStage>,
) -> Result<Vec<ProjectRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.projects(stage).await?)
}

/// Projects with their runs, for the projects page.
pub async fn projects_with_runs(
    state: &App,
    principal: &Principal,
) -> Result<Vec<(ProjectRow, Option<RunRow>)>, AppError> {
    let rows = projects(state, principal, None).await?;
    let mut runs = state.store.project_runs().await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let run = runs.remove(&row.project.code);
            (row, run)
        })
        .collect())
}

/// One project: the record, its consultations and its run.
pub async fn detail(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
) -> Result<(ProjectRow, Vec<Consultation>, Option<RunRow>), AppError> {
    authorize(principal, Action::ReadProjects)?;
    let row = project(state, code).await?;
    let consultations = state.store.consultations_for_project(code).await?;
    let run = state.store.run_for_project(code).await?;
    Ok((row, consultations, run))
}

/// A run error as the API answers it.
pub fn run_error(e: RunError) -> AppError {
    match e {
        RunError::UnknownStep(_) => AppError::NotFound(e.to_string()),
        RunError::NotStartable { .. }
        | RunError::AlreadyStarted(_)
        | RunError::NotRunning(_)
        | RunError::FinishedBeforeStart(_) => AppError::Conflict(e.to_string()),
        // The same `/problems/outside-calendar` a case's deadline answers with.
        RunError::Calendar(c) => AppError::Case(CaseError::Calendar(c)),
        RunError::Plan(p) => AppError::Invalid(vec![("green_limits".into(), p.to_string())]),
    }
}

/// The project `code`, or not found.
pub async fn project(state: &App, code: &ProjectCode) -> Result<ProjectRow, AppError> {
    state.store.project_by_code(code).await?.ok_or_else(|| AppError::NotFound(format!("project {code} does not exist")))
}

/// The project's run, or not found.
pub async fn run(state: &App, code: &ProjectCode) -> Result<RunRow, AppError> {
    state
        .store
        .run_for_project(code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("project {code} has not started a run")))
}

/// How a run is to start.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Plan id (stored, or built in).
    pub plan: String,
    /// A stored version; the latest when none.
    pub plan_version: Option<u32>,
    /// 绿色通道: sets the project's flag; its current flag when none.
    pub green_channel: Option<bool>,
    /// Shortened limits (step id → working days), for a green-channel run.
    pub green_limits: BTreeMap<String, u32>,
}

/// Starts the project's run through a plan: the project moves to `in_approval`.
pub async fn start_run(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    req: RunRequest,
) -> Result<RunRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let project = project(state, code).await?.project;
    if state.store.run_for_project(code).await?.is_some() {
        return Err(AppError::Conflict(format!("project {code} has a run already")));
    }
    let run = prepare_run(state, &project, req).await?;
    let now = run.started();
    let stored = run.clone();
    state.store.write(move |c| Box::pin(async move { save_run(c, &stored, &actor, now).await })).await?;
    Ok(RunRow { run, version: 1, updated_at: now })
}

/// The run `project` would start now under `req`, reading only: the plan named (the one
/// its type picks, [`plan_for`], when none is), with green-channel limits applied.
pub(crate) async fn prepare_run(state: &App, project: &Project, req: RunRequest) -> Result<ProjectRun, AppError> {
    let (plan, _) = if req.plan.trim().is_empty() {
        (plan_for(project.kind), true)
    } else {
        super::plans::resolve_plan(state, &req.plan, req.plan_version).await.map_err(|e| match e {
            AppError::NotFound(m) => AppError::Invalid(vec![("plan".into(), m)]),
            other => other,
        })?
    };
    // The run keeps the plan linked to the center's catalog (方案关联事项), so that starting a
    // step opens its case at the department that handles it.
    let (plan, _) = super::plans::link_plan(state, &plan).await?;
    let mut project = project.clone();
    project.green_channel = req.green_channel.unwrap_or(project.green_channel);
    let mut limits = BTreeMap::new();
    for (step, days) in req.green_limits {
        let id = StepId::parse(&step).map_err(|e| AppError::Invalid(vec![("green_limits".into(), e.to_string())]))?;
        limits.insert(id, days);
    }
    if !limits.is_empty() && !project.green_channel {
        return Err(AppError::Invalid(vec![(
            "green_limits".into(),
            "shortened limits apply only to a green-channel run".into(),
        )]));
    }
    ProjectRun::start(&project, &plan, &limits, state.now()).map_err(run_error)
}

/// Saves a run prepared by [`prepare_run`] in the caller's transaction: the project moves
/// to `in_approval` (with the run's green-channel flag) and the start is audited.
pub(crate) async fn save_run(
    conn: &mut Conn,
    run: &ProjectRun,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<(), AppError> {
    insert_project_run(conn, run, now).await?;
    update_project_stage(conn, run.project(), ProjectStage::InApproval, run.green_channel(), now).await?;
    let detail = serde_json::json!({
        "plan": run.plan().id(), "version": run.plan().version(), "green_channel": run.green_channel(),
    })
    .to_string();
    append_audit(conn, now, actor, "project.run", run.project().as_str(), &detail).await?;
    Ok(())
}

/// 退出 — ends the project's approval (a joint review meeting, a 会商 or an illegal
/// problem decided so) in the caller's transaction: the project moves to `exited` and
/// keeps the reasons told to the investor.
pub(crate) async fn exit_project(
    conn: &mut Conn,
    code: &ProjectCode,
    reasons: &str,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<(), AppError> {
    let reasons = reasons.trim();
    if reasons.is_empty() {
        return Err(AppError::Invalid(vec![(
            "reasons".into(),
            "an exit needs the reasons told to the investor".into(),
        )]));
    }
    if !tongban_store::exit_project(conn, code, reasons, now).await? {
        return Err(AppError::NotFound(format!("project {code} does not exist")));
    }
    let detail = serde_json::json!({ "reasons": reasons }).to_string();
    append_audit(conn, now, actor, "project.exit", code.as_str(), &detail).await?;
    Ok(())
}

/// A case to open for a started step: the item and what is submitted.
struct CaseToOpen {
    step: StepId,
    item: ItemRow,
    submission: Submission,
}

/// The cases the steps open: for each step linked to an item in the catalog, when the
/// project unit has a credit code (core's [`step_submission`] says what is handed in).
async fn cases_to_open(
    state: &App,
    project: &ProjectRow,
    run: &ProjectRun,
    ids: &[StepId],
    actor: &str,
) -> Result<Vec<CaseToOpen>, AppError> {
    let Some(credit_code) = &project.credit_code else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for id in ids {
        let Some(code) = run.plan().step(id).and_then(|s| s.item.clone()) else { continue };
        // A plan may name an item the catalog does not (yet) hold: the step then keeps its
        // deadline without a case.
        let Some(item) = state.store.item_by_code(&code).await? else { continue };
        // A named person of the handling department owns the step's case from the start (the
        // least-loaded clerk, by core's rule); the item's first responsible person, else
        // whoever starts the step, only when the department has no staff.
        let owner = match crate::named_owner(state, &item.item.department).await? {
            Some(owner) => owner,
            None => state.store.first_responsible(code.as_str()).await?.unwrap_or_else(|| actor.to_owned()),
        };
        let submission = step_submission(
            &item.item,
            &project.project.unit,
            credit_code,
            project.phone.as_deref(),
            &owner,
            run.green_channel(),
        );
        out.push(CaseToOpen { step: id.clone(), item, submission });
    }
    Ok(out)
}

/// How steps are submitted (报批方式); the audit entry of a start names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionMode {
    /// 随报随批 — one step, submitted as soon as it is ready.
    Single,
    /// 打捆报 — several chosen steps in one submission.
    Bundle,
    /// 分块报 — the startable steps of one module.
    Block,
    /// 集中报批 — every startable step of the plan at once.
    Centralized,
}

impl SubmissionMode {
    /// The stable name, as audited: `single`, `bundle`, `block`, `centralized`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::Bundle => "bundle",
            Self::Block => "block",
            Self::Centralized => "centralized",
        }
    }
}

/// Starts `ids` together (one submission: 随报随批 for one step, 打捆报 for several),
/// opening their cases, and saves the run; if any cannot start, none does.
pub async fn start_steps(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    ids: Vec<StepId>,
) -> Result<RunRow, AppError> {
    let mode = if ids.len() == 1 { SubmissionMode::Single } else { SubmissionMode::Bundle };
    start_steps_as(state, principal, code, ids, mode).await
}

/// Starts `ids` as one submission of `mode`; see [`start_steps`].
async fn start_steps_as(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    ids: Vec<StepId>,
    mode: SubmissionMode,
) -> Result<RunRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    if ids.is_empty() {
        return Err(AppError::Invalid(vec![("steps".into(), "name at least one step".into())]));
    }
    let actor = principal.require()?.id.clone();
    let project = project(state, code).await?;
    let row = run(state, code).await?;
    let now = state.now();
    // Check the whole bundle before any case number is taken.
    row.run.clone().start_bundle(&ids, now, &state.calendar()).map_err(run_error)?;
    let cases = cases_to_open(state, &project, &row.run, &ids, &actor).await?;
    let (mut run, expected, cal) = (row.run, row.version, state.calendar());
    state
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
                    return Err(AppError::Conflict(format!("project {} changed since it was read", run.project())));
                }
                let detail = serde_json::json!({ "mode": mode.as_str(), "steps": ids, "cases": opened }).to_string();
                append_audit(c, now, &actor, "project.start_steps", run.project().as_str(), &detail).await?;
                Ok::<_, AppError>(RunRow { run, version: expected + 1, updated_at: now })
            })
        })
        .await
}

/// 分块报 — every step of `module` that can start now starts, as one bundle.
pub async fn start_block(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    module: Module,
) -> Result<RunRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let row = run(state, code).await?;
    let ids: Vec<StepId> = row
        .run
        .startable()
        .into_iter()
        .filter(|id| row.run.plan().step(id).is_some_and(|s| s.module == module))
        .collect();
    if ids.is_empty() {
        return Err(AppError::Conflict(format!("no step of module {} can start now", module.as_str())));
    }
    start_steps_as(state, principal, code, ids, SubmissionMode::Block).await
}

/// 集中报批 — one centralized submission: every step of the plan that can start now
/// starts, across modules, each opening its case at its department.
pub async fn start_centralized(state: &App, principal: &Principal, code: &ProjectCode) -> Result<RunRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let ids = run(state, code).await?.run.startable();
    if ids.is_empty() {
        return Err(AppError::Conflict(format!("no step of project {code} can start now")));
    }
    start_steps_as(state, principal, code, ids, SubmissionMode::Centralized).await
}

/// Finishes a running step now, for steps without a case and for a case closed without a
/// decision; a step whose case is still undecided waits on it ([`case_lets_step_finish`]).
pub async fn finish_step(
    state: &App,
    principal: &Principal,
    code: &ProjectCode,
    id: &StepId,
) -> Result<RunRow, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    project(state, code).await?;
    let RunRow { mut run, version, .. } = run(state, code).await?;
    let case = match run.state(id) {
        Some(StepState::Running { case: Some(number), .. }) => state.store.case_by_number(number).await?,
        _ => None,
    };
    if let Some(case) = case.filter(|c| !case_lets_step_finish(c)) {
        return Err(AppError::Conflict(format!("step {id} waits on case {}, which is {}", case.number, case.state)));
    }
    let now = state.now();
    let calendar = state.calendar();
    let id = id.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                save_finished_step(c, &mut run, version, &id, None, &actor, now, &calendar).await?;
                Ok::<_, AppError>(RunRow { run, version: version + 1, updated_at: now })
            })
        })
        .await
}

/// When case `number` is the case of a running project step, finishes the step at `now`
/// (in the caller's transaction): the case was just decided. A step already done is left
/// as is.
pub(crate) async fn finish_step_of_case(
    conn: &mut Conn,
    number: &CaseNumber,
    actor: &str,
    now: jiff::Timestamp,
    calendar: &WorkingCalendar,
) -> Result<(), AppError> {
    let Some((step, RunRow { mut run, version, .. })) = run_for_case(conn, number).await? else { return Ok(()) };
    if !matches!(run.state(&step), Some(StepState::Running { case: Some(c), .. }) if c == number) {
        return Ok(());
    }
    save_finished_step(conn, &mut run, version, &step, Some(number), actor, now, calendar).await
}

/// The one way a step is finished: the run records it and is saved at `version`, the
/// project completes with its last step, and the audit entry names the step, its case and
/// the expected completion recomputed from the new state.
#[expect(clippy::too_many_arguments, reason = "one transaction's facts, each needed once")]
async fn save_finished_step(
    conn: &mut Conn,
    run: &mut ProjectRun,
    version: u32,
    step: &StepId,
    case: Option<&CaseNumber>,
    actor: &str,
    now: jiff::Timestamp,
    calendar: &WorkingCalendar,
) -> Result<(), AppError> {
    run.finish_step(step, now).map_err(run_error)?;
    if !update_project_run(conn, run, version, now).await? {
        return Err(AppError::Conflict(format!("project {} changed since it was read", run.project())));
    }
    if run.is_complete() {
        update_project_stage(conn, run.project(), ProjectStage::Completed, run.green_channel(), now).await?;
    }
    // Recorded when the calendar covers it; finishing never fails for want of a forecast.
    let expected = run.expected_completion(calendar, now).ok().map(|t| t.to_string());
    let detail = serde_json::json!({ "step": step, "case": case, "expected_completion": expected }).to_string();
    append_audit(conn, now, actor, "project.finish_step", run.project().as_str(), &detail).await?;
    Ok(())
}
