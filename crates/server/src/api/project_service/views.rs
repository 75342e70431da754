//! Request and response bodies of the project service routes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::project_service::{
    CoordinationRow, CoordinationSummary, ProblemRow, ProblemSummary, TrainingRow, TrainingSummary,
};

/// A person who attended a training.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttendeeBody {
    /// Name.
    pub name: String,
    /// The unit they came for.
    pub unit: String,
    /// A phone, optional.
    #[serde(default)]
    pub phone: Option<String>,
}

/// A training session (集中培训查堵) to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TrainingBody {
    /// 培训主题.
    pub topic: String,
    /// The day it was held, `YYYY-MM-DD`.
    pub date: String,
    /// The organising departments' codes (departments of the center).
    pub departments: Vec<String>,
    /// The codes of the projects whose units attended (in the library).
    #[serde(default)]
    pub projects: Vec<String>,
    /// The people who attended (at least one).
    pub people: Vec<AttendeeBody>,
    /// 审批政策包 — the titles of the policy packs handed out.
    #[serde(default)]
    pub policy_packs: Vec<String>,
    /// Problems found at the session, each on one of its projects: recorded with it, each
    /// supervised as a follow-up.
    #[serde(default)]
    pub problems: Vec<FoundProblemBody>,
}

/// A problem found at a training.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FoundProblemBody {
    /// The project's code (one of the session's projects).
    pub project: String,
    /// `missing_materials`, `poor_scheme`, `land_or_funds` or `illegal`.
    pub class: String,
    /// What blocks the project.
    pub description: String,
    /// 药方 — required for a poor scheme.
    #[serde(default)]
    pub remedy: Option<String>,
    /// The owner department.
    pub department: String,
    /// Working days to solve it, 1–365.
    pub days: u32,
}

/// A training session as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingView {
    /// Its id.
    pub id: i64,
    /// Topic.
    pub topic: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Organising departments.
    pub departments: Vec<String>,
    /// Projects trained.
    pub projects: Vec<String>,
    /// People who attended.
    pub people: Vec<AttendeeBody>,
    /// How many people attended.
    pub attendees: usize,
    /// Policy packs handed out.
    pub policy_packs: Vec<String>,
    /// The ids of the problems found at it.
    pub problems: Vec<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

impl From<&TrainingRow> for TrainingView {
    fn from(r: &TrainingRow) -> Self {
        let t = &r.training;
        Self {
            id: r.id,
            topic: t.topic.clone(),
            date: t.date.to_string(),
            departments: t.departments.iter().map(ToString::to_string).collect(),
            projects: t.projects.iter().map(ToString::to_string).collect(),
            people: t
                .people
                .iter()
                .map(|a| AttendeeBody { name: a.name.clone(), unit: a.unit.clone(), phone: a.phone.clone() })
                .collect(),
            attendees: t.people.len(),
            policy_packs: t.policy_packs.clone(),
            problems: r.problems.clone(),
            recorded_by: r.recorded_by.clone(),
            recorded_at: r.recorded_at.to_string(),
        }
    }
}

/// 集中培训查堵 figures, counted from the records.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingSummaryView {
    /// Sessions held.
    pub sessions: u64,
    /// People who attended, summed over sessions.
    pub attendees: u64,
    /// Distinct projects trained.
    pub projects: u64,
}

impl From<TrainingSummary> for TrainingSummaryView {
    fn from(s: TrainingSummary) -> Self {
        Self { sessions: s.sessions, attendees: s.attendees, projects: s.projects }
    }
}

/// A problem found on a project.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProblemBody {
    /// `missing_materials` 要件不全, `poor_scheme` 方案不优, `land_or_funds`
    /// 用地指标不足/资金不到位 or `illegal` 违法违规.
    pub class: String,
    /// What blocks the project.
    pub description: String,
    /// 药方 — what the departments prescribe; required for a poor scheme.
    #[serde(default)]
    pub remedy: Option<String>,
    /// The owner department (a department of the center).
    pub department: String,
    /// Working days to solve it, 1–365.
    pub days: u32,
    /// Where it was found: `training`, `consultation` (上门对接), `coordination` or `other`
    /// (the default).
    #[serde(default)]
    pub source: Option<String>,
    /// The training's, consultation's or coordination's id.
    #[serde(default)]
    pub source_id: Option<i64>,
}

/// A problem with its prescription and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemView {
    /// Its id.
    pub id: i64,
    /// The project's code.
    pub project: String,
    /// Its class.
    pub class: String,
    /// The prescription its class calls for: `provide_materials`, `optimise_scheme`,
    /// `coordinate` or `exit_or_rectify`.
    pub prescription: String,
    /// The handlings that may close it.
    pub handlings: Vec<String>,
    /// What blocks the project.
    pub description: String,
    /// 药方 text.
    pub remedy: Option<String>,
    /// The owner department.
    pub department: String,
    /// Working days given.
    pub days: u32,
    /// When it was found (RFC 3339).
    pub found_at: String,
    /// When it is due (RFC 3339).
    pub due_at: String,
    /// `training`, `consultation`, `coordination` or `other`.
    pub source: String,
    /// The source record's id.
    pub source_id: Option<i64>,
    /// Its follow-up (督办事项) under supervision.
    pub follow_up_id: i64,
    /// Still open.
    pub open: bool,
    /// How it was handled, once closed.
    pub handling: Option<String>,
    /// What was done.
    pub note: Option<String>,
    /// For an exit: the reasons told to the investor.
    pub exit_reasons: Option<String>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// The coordination meeting that closed it.
    pub coordination: Option<i64>,
}

impl From<&ProblemRow> for ProblemView {
    fn from(r: &ProblemRow) -> Self {
        let p = &r.problem;
        Self {
            id: r.id,
            project: r.project.to_string(),
            class: p.class.as_str().into(),
            prescription: p.class.prescription().as_str().into(),
            handlings: p.class.handlings().iter().map(|h| h.as_str().to_owned()).collect(),
            description: p.description.clone(),
            remedy: p.remedy.clone(),
            department: p.department.to_string(),
            days: p.days,
            found_at: r.found_at.to_string(),
            due_at: r.due_at.to_string(),
            source: p.source.kind().into(),
            source_id: p.source.id(),
            follow_up_id: r.follow_up_id,
            open: r.closing.is_none(),
            handling: r.closing.as_ref().map(|c| c.handling.as_str().to_owned()),
            note: r.closing.as_ref().map(|c| c.note.clone()),
            exit_reasons: r.closing.as_ref().and_then(|c| c.reasons.clone()),
            closed_at: r.closed_at.map(|t| t.to_string()),
            closed_by: r.closed_by.clone(),
            coordination: r.closed_by_coordination,
        }
    }
}

/// Which problems to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ProblemQuery {
    /// One class only.
    pub class: Option<String>,
    /// `true`: open ones only; `false`: closed ones only.
    pub open: Option<String>,
    /// One project's only (项目代码).
    #[serde(default)]
    pub project: Option<String>,
}

/// How a problem was handled.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseBody {
    /// `materials_provided`, `scheme_optimised`, `coordinated`, `exited` or `rectified`;
    /// only those its class's prescription allows.
    pub handling: String,
    /// What was done.
    #[serde(default)]
    pub note: String,
    /// For `exited`: the reasons told to the investor (the project exits its approval).
    #[serde(default)]
    pub reasons: Option<String>,
}

/// 对症下药 figures, counted from the records.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemSummaryView {
    /// All problems.
    pub total: u64,
    /// Problems per class.
    pub classes: BTreeMap<String, u64>,
    /// Each class's fraction of all problems.
    pub shares: BTreeMap<String, f64>,
    /// Closed problems per handling, and `open`.
    pub handled: BTreeMap<String, u64>,
}

impl From<ProblemSummary> for ProblemSummaryView {
    fn from(s: ProblemSummary) -> Self {
        let own = |m: BTreeMap<&'static str, u64>| m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Self {
            total: s.total,
            classes: own(s.classes),
            shares: s.shares.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            handled: own(s.handled),
        }
    }
}

/// A department's opinion at a coordination meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpinionBody {
    /// The department's code.
    pub department: String,
    /// What it says.
    pub opinion: String,
}

/// A project on a coordination meeting's agenda, with the decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CoordinatedBody {
    /// The project's code.
    pub project: String,
    /// `plan` (the joint 靶向治疗 plan applies) or `exit` (it exits its approval).
    pub decision: String,
    /// For an exit: the reasons told to the investor.
    #[serde(default)]
    pub reasons: Option<String>,
}

/// A problem solved at the meeting.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SolvedBody {
    /// The problem's id (on a project of the agenda, open).
    pub problem: i64,
    /// How it was handled (one its class allows; `exited` only for a project that exits).
    pub handling: String,
    /// What was done.
    #[serde(default)]
    pub note: String,
}

/// A coordination meeting (协调会商) to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CoordinationBody {
    /// Title.
    pub title: String,
    /// The day it was held, `YYYY-MM-DD`.
    pub date: String,
    /// Each department's opinion (at least one).
    pub opinions: Vec<OpinionBody>,
    /// The joint conclusion: the 靶向治疗 plan.
    pub conclusion: String,
    /// The projects discussed (at least one).
    pub projects: Vec<CoordinatedBody>,
    /// Problems solved at the meeting, closed by it.
    #[serde(default)]
    pub solved: Vec<SolvedBody>,
}

/// A coordination meeting as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationView {
    /// Its id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Each department's opinion.
    pub opinions: Vec<OpinionBody>,
    /// The joint conclusion.
    pub conclusion: String,
    /// The projects with their decisions.
    pub projects: Vec<CoordinatedBody>,
    /// The problems it closed.
    pub solved: Vec<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339).
    pub recorded_at: String,
}

impl From<&CoordinationRow> for CoordinationView {
    fn from(r: &CoordinationRow) -> Self {
        let c = &r.coordination;
        Self {
            id: r.id,
            title: c.title.clone(),
            date: c.date.to_string(),
            opinions: c
                .opinions
                .iter()
                .map(|o| OpinionBody { department: o.department.to_string(), opinion: o.opinion.clone() })
                .collect(),
            conclusion: c.conclusion.clone(),
            projects: c
                .projects
                .iter()
                .map(|p| CoordinatedBody {
                    project: p.project.to_string(),
                    decision: p.decision.as_str().into(),
                    reasons: p.reasons.clone(),
                })
                .collect(),
            solved: r.solved.clone(),
            recorded_by: r.recorded_by.clone(),
            recorded_at: r.recorded_at.to_string(),
        }
    }
}

/// 协调会商 figures, counted from the records.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoordinationSummaryView {
    /// Meetings held.
    pub meetings: u64,
    /// Distinct projects coordinated.
    pub projects: u64,
    /// Problems solved (closed by a meeting).
    pub problems_solved: u64,
}

impl From<CoordinationSummary> for CoordinationSummaryView {
    fn from(s: CoordinationSummary) -> Self {
        Self { meetings: s.meetings, projects: s.projects, problems_solved: s.problems_solved }
    }
}
