//! Request and response bodies of the project routes.

use std::collections::BTreeMap;

use crate::app::{Consultation, ProjectRow, RunRow};
use serde::{Deserialize, Serialize};
use tongban_core::plan::{ProjectType, StepState};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;

/// A project of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    /// 项目代码.
    pub code: String,
    /// 项目名称.
    pub name: String,
    /// 项目单位.
    pub unit: String,
    /// `government_invested`, `enterprise_invested` or `small`.
    pub project_type: String,
    /// For a small project: `parking_lot`, `coal_to_gas_boiler`, `simple_government_investment`,
    /// `municipal_road` or `other`.
    pub small_type: Option<String>,
    /// 总投资, yuan.
    pub investment_yuan: u64,
    /// 建设地点 — division code.
    pub division: String,
    /// `pre_consultation`, `in_approval`, `under_construction`, `completed` or `exited`.
    pub stage: String,
    /// 绿色通道.
    pub green_channel: bool,
    /// The unit's 统一社会信用代码.
    pub credit_code: Option<String>,
    /// The unit's phone.
    pub phone: Option<String>,
    /// Who entered it.
    pub created_by: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// 计划开工 — the month it plans to start building, `YYYY-MM`.
    pub planned_start: Option<String>,
    /// 年度计划投资 — this year's planned investment, yuan (0: none).
    pub annual_investment_yuan: u64,
}

pub(super) fn type_names(kind: ProjectType) -> (String, Option<String>) {
    match kind {
        ProjectType::GovernmentInvested => ("government_invested".into(), None),
        ProjectType::EnterpriseInvested => ("enterprise_invested".into(), None),
        ProjectType::Small(s) => ("small".into(), Some(s.as_str().into())),
    }
}

impl From<&ProjectRow> for ProjectView {
    fn from(r: &ProjectRow) -> Self {
        let p = &r.project;
        let (project_type, small_type) = type_names(p.kind);
        Self {
            code: p.code.to_string(),
            name: p.name.clone(),
            unit: p.unit.clone(),
            project_type,
            small_type,
            investment_yuan: p.investment_yuan,
            division: p.division.to_string(),
            stage: p.stage.as_str().into(),
            green_channel: p.green_channel,
            credit_code: r.credit_code.clone(),
            phone: r.phone.clone(),
            created_by: r.created_by.clone(),
            created_at: r.created_at.to_string(),
            planned_start: p.planned_start.map(|s| s.to_string()),
            annual_investment_yuan: p.annual_investment_yuan,
        }
    }
}

/// A new project for the library.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProjectCreate {
    /// 项目代码, e.g. `2026-620102-47-01-000123`.
    pub code: String,
    /// 项目名称.
    pub name: String,
    /// 项目单位.
    pub unit: String,
    /// `government_invested`, `enterprise_invested` or `small`.
    pub project_type: String,
    /// For a small project: `parking_lot`, `coal_to_gas_boiler`, `simple_government_investment`,
    /// `municipal_road` or `other`.
    #[serde(default)]
    pub small_type: Option<String>,
    /// 总投资, yuan.
    pub investment_yuan: u64,
    /// 建设地点 — one of the center's divisions.
    pub division: String,
    /// The unit's 统一社会信用代码; with it, steps linked to service items open cases.
    #[serde(default)]
    pub credit_code: Option<String>,
    /// The unit's phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// 计划开工 — a year and month, `2027-03` (a date such as `2027-03-15` is kept as its month).
    #[serde(default)]
    pub planned_start: Option<String>,
    /// 年度计划投资 — this year's planned investment, yuan; 0 when absent.
    #[serde(default)]
    pub annual_investment_yuan: u64,
}

/// A project of the library as listed: the record, its screening and its consultations.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryProjectView {
    /// The record.
    #[serde(flatten)]
    pub project: ProjectView,
    /// 筛选 — planned to start building next year or the year after.
    pub screened: bool,
    /// How many door-to-door consultations (上门对接) it has on record.
    pub consultations: u64,
}

impl From<&crate::app::project_import::LibraryEntry> for LibraryProjectView {
    fn from(e: &crate::app::project_import::LibraryEntry) -> Self {
        Self { project: ProjectView::from(&e.row), screened: e.screened, consultations: e.consultations }
    }
}

/// A pre-consultation record (上门对接).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationView {
    /// When the visit took place.
    pub at: String,
    /// Who recorded it.
    pub by: String,
    /// What was discussed and agreed.
    pub notes: String,
}

impl From<&Consultation> for ConsultationView {
    fn from(c: &Consultation) -> Self {
        Self { at: c.at.to_string(), by: c.by.clone(), notes: c.notes.clone() }
    }
}

/// A new pre-consultation record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsultationCreate {
    /// When the visit took place (RFC 3339); now when absent.
    #[serde(default)]
    pub at: Option<String>,
    /// What was discussed and agreed (1–2000 characters).
    pub notes: String,
}

/// One step of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunStepView {
    /// Step id.
    pub id: String,
    /// What is done.
    pub name: String,
    /// Module (`initiation` … `acceptance`).
    pub module: String,
    /// Section (`guidance` … `concurrent`).
    pub section: String,
    /// 牵头部门.
    pub lead_department: String,
    /// The service item, if any.
    pub item: Option<String>,
    /// 时限 — working days, with green-channel limits applied.
    pub days: u32,
    /// `waiting` (待办), `running` (办理中) or `done` (办结).
    pub state: String,
    /// Can start now: not started, every prerequisite done.
    pub startable: bool,
    /// No slack in the plan.
    pub critical: bool,
    /// When it started.
    pub started_at: Option<String>,
    /// Its deadline (working days over the center's calendar).
    pub due_at: Option<String>,
    /// When it finished.
    pub finished_at: Option<String>,
    /// Running past its deadline.
    pub overdue: bool,
    /// The case it is handled as.
    pub case_number: Option<String>,
}

/// A project's run through a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    /// The project.
    pub project: String,
    /// The plan.
    pub plan_id: String,
    /// Its version.
    pub plan_version: u32,
    /// Its name.
    pub plan_name: String,
    /// 绿色通道: priority and the shortened limits.
    pub green_channel: bool,
    /// When the run started.
    pub started_at: String,
    /// Every step done.
    pub complete: bool,
    /// Working days on the critical path (with green-channel limits).
    pub total_days: u32,
    /// 关键路径.
    pub critical_path: Vec<String>,
    /// 计划办结 — the completion planned at the start.
    pub planned_completion: Option<String>,
    /// 预计办结 — the expected completion now, following the critical path over the
    /// working calendar from where each step stands; none if the calendar does not reach it.
    pub expected_completion: Option<String>,
    /// Steps that can start now.
    pub startable: Vec<String>,
    /// Every step.
    pub steps: Vec<RunStepView>,
    /// Bumped by every change.
    pub version: u32,
}

/// The run as shown, with every step's deadline and the expected completion seen now.
pub(super) fn run_view(row: &RunRow, state: &AppState) -> RunView {
    let calendar = state.calendar();
    let (run, now, cal) = (&row.run, state.now(), &calendar);
    let schedule = run.plan().schedule();
    let startable = run.startable();
    let steps = run
        .steps()
        .zip(&schedule.steps)
        .map(|((step, st), times)| {
            let (started, due, finished, case) = match st {
                StepState::Waiting => (None, None, None, None),
                StepState::Running { started, due, case } => (Some(*started), Some(*due), None, case.as_ref()),
                StepState::Done { started, finished, case } => (Some(*started), None, Some(*finished), case.as_ref()),
            };
            RunStepView {
                id: step.id.to_string(),
                name: step.name.clone(),
                module: step.module.as_str().into(),
                section: step.section.as_str().into(),
                lead_department: step.lead_department.clone(),
                item: step.item.as_ref().map(ToString::to_string),
                days: step.days,
                state: match st {
                    StepState::Waiting => "waiting",
                    StepState::Running { .. } => "running",
                    StepState::Done { .. } => "done",
                }
                .into(),
                startable: startable.contains(&step.id),
                critical: times.is_critical(),
                started_at: started.map(|t| t.to_string()),
                due_at: due.map(|t| t.to_string()),
                finished_at: finished.map(|t| t.to_string()),
                overdue: due.is_some_and(|d| d < now),
                case_number: case.map(ToString::to_string),
            }
        })
        .collect();
    RunView {
        project: run.project().to_string(),
        plan_id: run.plan().id().to_string(),
        plan_version: run.plan().version(),
        plan_name: run.plan().name().to_owned(),
        green_channel: run.green_channel(),
        started_at: run.started().to_string(),
        complete: run.is_complete(),
        total_days: schedule.total_days,
        critical_path: schedule.critical_path.iter().map(ToString::to_string).collect(),
        planned_completion: run.planned_completion(cal).ok().map(|t| t.to_string()),
        expected_completion: run.expected_completion(cal, now).ok().map(|t| t.to_string()),
        startable: startable.iter().map(ToString::to_string).collect(),
        steps,
        version: row.version,
    }
}

/// A project with its consultations and run.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetail {
    /// The project.
    pub project: ProjectView,
    /// Its pre-consultation records, oldest first.
    pub consultations: Vec<ConsultationView>,
    /// Its run, once started.
    pub run: Option<RunView>,
}

/// Which plan a project runs through.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RunStart {
    /// Plan id (stored, or built in); absent or empty: the built-in plan the project's type
    /// picks (after-reform, or a small type's streamlined plan such as `parking_lot`).
    #[serde(default)]
    pub plan: String,
    /// A stored version; the latest when absent.
    #[serde(default)]
    pub plan_version: Option<u32>,
    /// 绿色通道: sets the project's flag; its current flag when absent.
    #[serde(default)]
    pub green_channel: Option<bool>,
    /// The configured shortened limits (step id → working days), for a green-channel run.
    #[serde(default)]
    pub green_limits: Option<BTreeMap<String, u32>>,
}

/// A bundled submission (打捆报).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Bundle {
    /// The steps it starts: all must be startable, or none starts.
    pub steps: Vec<String>,
}

/// Filters for the project list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only projects at this stage (`pre_consultation`, `in_approval`, …).
    pub stage: Option<String>,
    /// `true`: only the screened projects (筛选: planned to start building next year or the
    /// year after); `false`: only the others.
    pub screened: Option<bool>,
}
