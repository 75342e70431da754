//! Modular approval (模块化审批) of construction projects: approval plans, their critical
//! path, the reform comparison, and BPMN 2.0 import and export (DOMAIN.md §6).
//!
//! A [`Plan`] is a versioned set of [`Step`]s across five [`Module`]s (立项, 用地, 规划, 施工,
//! 验收) and four [`Section`]s (前期辅导, 方案审查, 行政审批, 同步办理). Each step has a lead
//! department, cooperating units, an optional service item, a time limit in working days and
//! prerequisites. "Parallel wherever possible, serial only where required" (能并则并, 串并结合):
//! the steps form a DAG, and the critical path gives the project's total time.
//!
//! A [`Project`] of the project library (项目库) runs through a plan as a [`ProjectRun`]:
//! startable steps, bundled submissions, green-channel limits and the expected completion
//! over the working calendar. [`reform`] holds the model center's before/after plans and
//! [`bpmn`] reads and writes plans as BPMN 2.0.
//!
//! A plan is built only through [`Plan::new`] (or deserialization, which calls it), which
//! checks every rule and reports *all* problems at once ([`Problem`]), so an invalid plan
//! cannot exist and [`Plan::schedule`] cannot fail.
//!
//! ```
//! use tongban_core::plan::{Module, Plan, PlanId, Section, Step, StepId};
//!
//! let step = |id: &str, days: u32, pre: &[&str]| Step {
//!     id: StepId::parse(id).unwrap(),
//!     name: format!("环节 {id}"),
//!     module: Module::Initiation,
//!     section: Section::Approval,
//!     lead_department: "发改委".into(),
//!     cooperating: vec![],
//!     item: None,
//!     days,
//!     prerequisites: pre.iter().map(|p| StepId::parse(p).unwrap()).collect(),
//! };
//! let plan = Plan::new(
//!     PlanId::parse("demo")?,
//!     "示例",
//!     1,
//!     vec![step("a", 3, &[]), step("b", 5, &["a"]), step("c", 2, &["a"]), step("d", 1, &["b", "c"])],
//! )?;
//! let schedule = plan.schedule();
//! assert_eq!(schedule.total_days, 9);
//! assert_eq!(schedule.times(&StepId::parse("c")?).unwrap().slack, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bpmn;
mod compare;
pub mod figures;
mod ids;
mod kinds;
pub mod link;
mod project;
pub mod reform;
mod run;
mod schedule;
#[cfg(test)]
mod tests;
mod validate;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::item::ItemCode;

pub use compare::{PlanComparison, PlanSummary};
pub use ids::{BadId, MAX_ID_LEN, PlanId, StepId};
pub use kinds::{Module, Section, UnknownKind};
pub use project::{
    CODE_FORMAT, PlannedStart, Project, ProjectCode, ProjectError, ProjectStage, ProjectType, SmallType,
};
pub use run::{ProjectRun, RunError, StepState, case_lets_step_finish, step_submission};
pub use schedule::{Schedule, StepTimes};
pub use validate::{MAX_STEP_DAYS, MAX_STEPS, MAX_TEXT_CHARS, Problem};

/// One step (环节) of an approval plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Its id, unique in the plan.
    pub id: StepId,
    /// What is done, e.g. 建设工程规划许可证核发.
    pub name: String,
    /// The module it belongs to.
    pub module: Module,
    /// The section within the module.
    pub section: Section,
    /// 牵头部门 — the lead department, e.g. 自然资源局; empty when not assigned.
    pub lead_department: String,
    /// 配合单位 — cooperating units.
    #[serde(default)]
    pub cooperating: Vec<String>,
    /// The service item (事项) it is handled as, if any.
    #[serde(default)]
    pub item: Option<ItemCode>,
    /// 时限 — working days; 0 for a milestone.
    pub days: u32,
    /// 前置环节 — steps that must be done before this one starts.
    #[serde(default)]
    pub prerequisites: Vec<StepId>,
}

/// Why a plan cannot be built or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The plan breaks rules; every problem is listed.
    #[error("plan {plan} is invalid ({} problem(s)): {}", problems.len(), problem_list(problems))]
    Invalid {
        /// The plan.
        plan: PlanId,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// A green-channel limit names a step the plan does not have.
    #[error("green channel: plan has no step {0}")]
    GreenUnknownStep(StepId),
    /// A green-channel limit is not shorter than the regular one.
    #[error("green channel: step {step} takes {regular} working day(s); {green} is not a shortened limit")]
    GreenNotShorter {
        /// The step.
        step: StepId,
        /// Its regular limit.
        regular: u32,
        /// The rejected green-channel limit.
        green: u32,
    },
}

fn problem_list(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// An approval plan (审批流程方案): versioned steps forming a DAG.
#[derive(Debug, Clone)]
pub struct Plan {
    id: PlanId,
    name: String,
    version: u32,
    steps: Vec<Step>,
    graph: validate::Graph,
}

impl PartialEq for Plan {
    fn eq(&self, other: &Self) -> bool {
        // The graph is derived from the steps.
        self.id == other.id && self.name == other.name && self.version == other.version && self.steps == other.steps
    }
}
impl Eq for Plan {}

impl Plan {
    /// Builds a plan, trimming names and departments, and checks every rule: at least one
    /// step; unique step ids; known, unrepeated prerequisites; no prerequisite in a later
    /// module; no cycles; every step reachable from a start step; sane texts and limits.
    /// On failure, [`PlanError::Invalid`] lists every problem, each naming its step.
    pub fn new(id: PlanId, name: impl Into<String>, version: u32, mut steps: Vec<Step>) -> Result<Plan, PlanError> {
        let name = name.into().trim().to_owned();
        for step in &mut steps {
            tidy(&mut step.name);
            tidy(&mut step.lead_department);
            step.cooperating.iter_mut().for_each(tidy);
        }
        match validate::check(&id, &name, &steps) {
            Ok(graph) => Ok(Plan { id, name, version, steps, graph }),
            Err(problems) => Err(PlanError::Invalid { plan: id, problems }),
        }
    }

    /// Every problem of the given steps (empty when they make a valid plan).
    pub fn problems(id: &PlanId, name: &str, steps: &[Step]) -> Vec<Problem> {
        validate::check(id, name, steps).err().unwrap_or_default()
    }

    /// Its id.
    pub fn id(&self) -> &PlanId {
        &self.id
    }

    /// Its name, e.g. 改革后审批流程.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its version: plans are versioned like the catalog; the store numbers them.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The same plan under another version number.
    pub fn with_version(mut self, version: u32) -> Plan {
        self.version = version;
        self
    }

    /// The steps, in plan order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// One step by id.
    pub fn step(&self, id: &StepId) -> Option<&Step> {
        self.steps.iter().find(|s| &s.id == id)
    }

    /// The steps in a topological order: every step after its prerequisites.
    pub fn topological_order(&self) -> impl Iterator<Item = &Step> {
        self.graph.order.iter().filter_map(|&i| self.steps.get(i))
    }

    /// Earliest and latest times, slack and a critical path. O(steps + prerequisites).
    pub fn schedule(&self) -> Schedule {
        schedule::schedule(&self.steps, &self.graph)
    }

    /// The critical path's length in working days.
    pub fn total_days(&self) -> u32 {
        self.schedule().total_days
    }

    /// 绿色通道 — the plan with configured shortened limits (working days per step) in place
    /// of the regular ones, for a key project. Every override must name a step and be
    /// shorter than (or equal to) its regular limit: a green channel never slows a step.
    pub fn with_green_channel(&self, limits: &BTreeMap<StepId, u32>) -> Result<Plan, PlanError> {
        let mut plan = self.clone();
        for (id, &green) in limits {
            let Some(step) = plan.steps.iter_mut().find(|s| &s.id == id) else {
                return Err(PlanError::GreenUnknownStep(id.clone()));
            };
            if green > step.days {
                return Err(PlanError::GreenNotShorter { step: id.clone(), regular: step.days, green });
            }
            step.days = green;
        }
        Ok(plan)
    }

    /// Compares this plan (before) with another (after): steps, days and cuts.
    pub fn compare(&self, after: &Plan) -> PlanComparison {
        PlanComparison::new(self, after)
    }
}

fn tidy(text: &mut String) {
    let t = text.trim();
    if t.len() != text.len() {
        *text = t.to_owned();
    }
}

/// The serialized form: `{id, name, version, steps}`.
#[derive(Serialize)]
struct PlanRef<'a> {
    id: &'a PlanId,
    name: &'a str,
    version: u32,
    steps: &'a [Step],
}

#[derive(Deserialize)]
struct PlanData {
    id: PlanId,
    name: String,
    version: u32,
    steps: Vec<Step>,
}

impl Serialize for Plan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PlanRef { id: &self.id, name: &self.name, version: self.version, steps: &self.steps }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Plan {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let data = PlanData::deserialize(deserializer)?;
        Plan::new(data.id, data.name, data.version, data.steps).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} v{} ({}): {} steps", self.id, self.version, self.name, self.steps.len())
    }
}
