//! Running a project through a plan (按方案推进): steps become startable when their
//! prerequisites are done; parallel steps run at once, each as a case at its lead department
//! with its own due time; the expected completion follows the plan over the working
//! calendar and is recomputed as steps finish early or late. A green-channel project
//! (绿色通道) runs with the configured shortened limits; a bundled submission (打捆报) opens
//! several startable steps at once.
//!
//! **Day counting.** A step started at `t` with a limit of `n` working days is due at the
//! end of the `n`-th working day after `t`'s working day, as case deadlines are counted. A
//! step that may start once its prerequisites are done starts counting on the working day
//! its last prerequisite finished, so along a chain the days add up: a run with no progress
//! is expected to finish `total_days` working days after it started. A milestone (0 days) is
//! done when it starts.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::project::{Project, ProjectCode};
use super::{Plan, PlanError, Step, StepId};
use crate::calendar::{CalendarError, WorkingCalendar};
use crate::case::{Applicant, ApplicantKind, Case, CaseNumber, Submission};
use crate::item::{Channel, ServiceItem};

/// Where one step of a run stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    /// 待办 — not started.
    Waiting,
    /// 办理中 — started: a case at the lead department, due at `due`.
    Running {
        /// When it started.
        started: Timestamp,
        /// Its due time.
        due: Timestamp,
        /// The case it is handled as, if one was opened.
        case: Option<CaseNumber>,
    },
    /// 办结 — done.
    Done {
        /// When it started.
        started: Timestamp,
        /// When it finished.
        finished: Timestamp,
        /// The case it was handled as.
        case: Option<CaseNumber>,
    },
}

/// Why a run refuses a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The plan has no such step.
    #[error("the plan has no step {0}")]
    UnknownStep(StepId),
    /// Prerequisites are not done yet.
    #[error("step {step} cannot start: it waits on {}", waiting_on.iter().map(StepId::as_str).collect::<Vec<_>>().join(", "))]
    NotStartable {
        /// The step.
        step: StepId,
        /// Its prerequisites that are not done.
        waiting_on: Vec<StepId>,
    },
    /// The step was started already.
    #[error("step {0} has already started")]
    AlreadyStarted(StepId),
    /// Only a running step can finish.
    #[error("step {0} is not running")]
    NotRunning(StepId),
    /// A step cannot finish before it started.
    #[error("step {0} cannot finish before it started")]
    FinishedBeforeStart(StepId),
    /// The calendar does not cover a date the run needs.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The green-channel limits do not fit the plan.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// A project's run through a plan. It serializes as `{project, green_channel, plan,
/// started, states}` (one state per plan step, in plan order) and deserializes only when
/// the states match the plan's steps, so a stored run reads back as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RunData")]
pub struct ProjectRun {
    project: ProjectCode,
    green_channel: bool,
    plan: Plan,
    started: Timestamp,
    states: Vec<StepState>,
}

/// The serialized form, checked by [`ProjectRun`]'s `TryFrom`.
#[derive(Deserialize)]
struct RunData {
    project: ProjectCode,
    green_channel: bool,
    plan: Plan,
    started: Timestamp,
    states: Vec<StepState>,
}

impl TryFrom<RunData> for ProjectRun {
    type Error = String;
    fn try_from(d: RunData) -> Result<Self, String> {
        if d.states.len() != d.plan.steps.len() {
            return Err(format!("{} step states for a plan of {} steps", d.states.len(), d.plan.steps.len()));
        }
        Ok(ProjectRun {
            project: d.project,
            green_channel: d.green_channel,
            plan: d.plan,
            started: d.started,
            states: d.states,
        })
    }
}

/// `days` working days counted from `from`'s working day (see the module doc).
/// What a started step of a project hands in to open its case of `item`: the project unit
/// (an enterprise, by its credit code) applies at the window when the item takes window
/// applications, else through its first channel; one bundled submission hands in the whole
/// set of materials (一次性提交); the case's first contact is `owner` (the item's first
/// responsible person, else whoever starts the step); a green-channel run's cases go first.
pub fn step_submission(
    item: &ServiceItem,
    unit: &str,
    credit_code: &str,
    phone: Option<&str>,
    owner: &str,
    green_channel: bool,
) -> Submission {
    let channel = if item.channels.contains(&Channel::Window) {
        Channel::Window
    } else {
        item.channels.first().copied().unwrap_or(Channel::Window)
    };
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: unit.to_owned(),
            id_number: credit_code.to_owned(),
            phone: phone.map(str::to_owned),
        },
        channel,
        materials: item.materials.iter().map(|m| m.name.clone()).collect(),
        owner: owner.to_owned(),
        priority: green_channel,
        submitter: None,
    }
}

/// Whether a step handled as `case` may finish. A step finishes when its case is
/// **decided** — approved (准予) or denied (不予): the department's work on the step is done
/// then, and delivery is paperwork the project does not wait on. Deciding the case finishes
/// the step by itself; a case closed without a decision (不予受理) lets the project manager
/// finish the step (or retry it) by hand.
pub fn case_lets_step_finish(case: &Case) -> bool {
    case.decided_at.is_some() || case.state.is_final()
}

fn after(cal: &WorkingCalendar, from: Timestamp, days: u32) -> Result<Timestamp, CalendarError> {
    if days == 0 {
        return Ok(from);
    }
    // One minute back, so that a step finishing at the end of a working period (17:30)
    // lets the next one count from that same day rather than the next.
    let anchor = from.checked_sub(SignedDuration::from_mins(1)).unwrap_or(from);
    cal.add_working_days(anchor, days)
}

impl ProjectRun {
    /// Starts a run of `project` through `plan` at `at`. A green-channel project runs with
    /// `green_limits` (shortened working days per step) in place of the regular limits.
    pub fn start(
        project: &Project,
        plan: &Plan,
        green_limits: &BTreeMap<StepId, u32>,
        at: Timestamp,
    ) -> Result<ProjectRun, RunError> {
        let plan = if project.green_channel { plan.with_green_channel(green_limits)? } else { plan.clone() };
        let states = vec![StepState::Waiting; plan.steps.len()];
        Ok(ProjectRun {
            project: project.code.clone(),
            green_channel: project.green_channel,
            plan,
            started: at,
            states,
        })
    }

    /// The project.
    pub fn project(&self) -> &ProjectCode {
        &self.project
    }

    /// True for a green-channel run (priority at every department).
    pub fn green_channel(&self) -> bool {
        self.green_channel
    }

    /// The plan it runs through (with green-channel limits applied).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// When the run started.
    pub fn started(&self) -> Timestamp {
        self.started
    }

    /// Every step with where it stands, in plan order.
    pub fn steps(&self) -> impl Iterator<Item = (&Step, &StepState)> {
        self.plan.steps.iter().zip(&self.states)
    }

    /// Where a step stands.
    pub fn state(&self, id: &StepId) -> Option<&StepState> {
        self.index(id).ok().and_then(|i| self.states.get(i))
    }

    fn index(&self, id: &StepId) -> Result<usize, RunError> {
        self.plan.steps.iter().position(|s| &s.id == id).ok_or_else(|| RunError::UnknownStep(id.clone()))
    }

    fn waiting_on(&self, i: usize) -> Vec<StepId> {
        self.plan
            .graph
            .preds_of(i)
            .iter()
            .filter(|&&p| !matches!(self.states.get(p), Some(StepState::Done { .. })))
            .filter_map(|&p| self.plan.steps.get(p).map(|s| s.id.clone()))
            .collect()
    }

    /// 可办环节 — steps not started whose prerequisites are all done, in plan order.
    pub fn startable(&self) -> Vec<StepId> {
        (0..self.states.len())
            .filter(|&i| matches!(self.states[i], StepState::Waiting) && self.waiting_on(i).is_empty())
            .map(|i| self.plan.steps[i].id.clone())
            .collect()
    }

    /// Starts a startable step at `at`, as `case` at its lead department; returns its due time.
    /// A milestone (0 days) is done at once.
    pub fn start_step(
        &mut self,
        id: &StepId,
        case: Option<CaseNumber>,
        at: Timestamp,
        cal: &WorkingCalendar,
    ) -> Result<Timestamp, RunError> {
        let i = self.index(id)?;
        if !matches!(self.states[i], StepState::Waiting) {
            return Err(RunError::AlreadyStarted(id.clone()));
        }
        let waiting_on = self.waiting_on(i);
        if !waiting_on.is_empty() {
            return Err(RunError::NotStartable { step: id.clone(), waiting_on });
        }
        let days = self.plan.steps[i].days;
        let due = after(cal, at, days)?;
        self.states[i] = if days == 0 {
            StepState::Done { started: at, finished: at, case }
        } else {
            StepState::Running { started: at, due, case }
        };
        Ok(due)
    }

    /// After the calendar changed: every running step's due time computed afresh on `cal`.
    /// Returns the steps whose due time moved, with the old and the new one.
    pub fn recompute_dues(&mut self, cal: &WorkingCalendar) -> Result<Vec<(StepId, Timestamp, Timestamp)>, RunError> {
        let mut moved = Vec::new();
        for (i, state) in self.states.iter_mut().enumerate() {
            if let StepState::Running { started, due, .. } = state {
                let fresh = after(cal, *started, self.plan.steps[i].days)?;
                if fresh != *due {
                    moved.push((self.plan.steps[i].id.clone(), *due, fresh));
                    *due = fresh;
                }
            }
        }
        Ok(moved)
    }

    /// 打捆报 — one submission opens several steps at once: all must be startable, or none
    /// starts. Returns their due times.
    pub fn start_bundle(
        &mut self,
        ids: &[StepId],
        at: Timestamp,
        cal: &WorkingCalendar,
    ) -> Result<Vec<Timestamp>, RunError> {
        let steps: Vec<(StepId, Option<CaseNumber>)> = ids.iter().map(|id| (id.clone(), None)).collect();
        self.start_steps(&steps, at, cal)
    }

    /// [`start_bundle`](Self::start_bundle) with the case each step is handled as: all
    /// start, or none does. Returns their due times.
    pub fn start_steps(
        &mut self,
        steps: &[(StepId, Option<CaseNumber>)],
        at: Timestamp,
        cal: &WorkingCalendar,
    ) -> Result<Vec<Timestamp>, RunError> {
        let mut trial = self.clone();
        let dues = steps
            .iter()
            .map(|(id, case)| trial.start_step(id, case.clone(), at, cal))
            .collect::<Result<Vec<_>, _>>()?;
        *self = trial;
        Ok(dues)
    }

    /// Marks a running step done at `at`.
    pub fn finish_step(&mut self, id: &StepId, at: Timestamp) -> Result<(), RunError> {
        let i = self.index(id)?;
        let StepState::Running { started, case, .. } = &self.states[i] else {
            return Err(RunError::NotRunning(id.clone()));
        };
        if at < *started {
            return Err(RunError::FinishedBeforeStart(id.clone()));
        }
        self.states[i] = StepState::Done { started: *started, finished: at, case: case.clone() };
        Ok(())
    }

    /// True when every step is done.
    pub fn is_complete(&self) -> bool {
        self.states.iter().all(|s| matches!(s, StepState::Done { .. }))
    }

    /// 计划办结 — when the run was expected to finish when it started: the critical path's
    /// working days counted from the start, with no step early or late.
    pub fn planned_completion(&self, cal: &WorkingCalendar) -> Result<Timestamp, RunError> {
        let fresh = ProjectRun { states: vec![StepState::Waiting; self.states.len()], ..self.clone() };
        fresh.expected_completion(cal, self.started)
    }

    /// 预计办结 — when the last step is expected to finish, seen at `now`: done steps at
    /// their finish, running ones at their due time (or now, if overdue), waiting ones as
    /// soon as their prerequisites allow (not before now), over the working calendar.
    pub fn expected_completion(&self, cal: &WorkingCalendar, now: Timestamp) -> Result<Timestamp, RunError> {
        let mut finish = vec![self.started; self.states.len()];
        for &i in &self.plan.graph.order {
            let days = self.plan.steps[i].days;
            finish[i] = match &self.states[i] {
                StepState::Done { finished, .. } => *finished,
                StepState::Running { due, .. } => (*due).max(now),
                StepState::Waiting => {
                    let ready = self.plan.graph.preds_of(i).iter().map(|&p| finish[p]).max().unwrap_or(self.started);
                    after(cal, ready.max(self.started).max(now), days)?
                }
            };
        }
        Ok(finish.into_iter().max().unwrap_or(self.started))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::division::DivisionCode;
    use crate::plan::project::ProjectType;
    use crate::plan::reform::after_reform;
    use crate::plan::tests::{sid, step};
    use crate::plan::{Module, PlanId};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn project(green: bool) -> Project {
        let mut p = Project::new(
            ProjectCode::parse("2025-620102-47-01-000001").unwrap(),
            "兰州新区数据中心",
            "兰州某科技有限公司",
            ProjectType::EnterpriseInvested,
            500_000_000,
            DivisionCode::parse("620171").unwrap(),
        )
        .unwrap();
        p.green_channel = green;
        p
    }

    /// a(3) → b(2) → d(1), a → c(1) → d: 6 working days.
    fn small_plan() -> Plan {
        let m = Module::Initiation;
        Plan::new(
            PlanId::parse("small").unwrap(),
            "小型项目",
            1,
            vec![step("a", m, 3, &[]), step("b", m, 2, &["a"]), step("c", m, 1, &["a"]), step("d", m, 1, &["b", "c"])],
        )
        .unwrap()
    }

    #[test]
    fn a_run_without_progress_finishes_total_days_after_its_start() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00"); // Monday
        let run = ProjectRun::start(&project(false), &after_reform(), &BTreeMap::new(), start).unwrap();
        let expected = run.expected_completion(&cal, start).unwrap();
        assert_eq!(expected, cal.add_working_days(start, 72).unwrap());
        let small = ProjectRun::start(&project(false), &small_plan(), &BTreeMap::new(), start).unwrap();
        // Six working days after Monday 3 March: Tuesday 11 March, end of day.
        assert_eq!(small.expected_completion(&cal, start).unwrap(), at("2025-03-11T17:30+08:00"));
    }

    #[test]
    fn steps_start_when_prerequisites_are_done_and_parallel_steps_run_at_once() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let mut run = ProjectRun::start(&project(false), &small_plan(), &BTreeMap::new(), start).unwrap();
        assert_eq!(run.startable(), [sid("a")]);
        let err = run.start_step(&sid("d"), None, start, &cal).unwrap_err();
        assert_eq!(err, RunError::NotStartable { step: sid("d"), waiting_on: vec![sid("b"), sid("c")] });
        let case = CaseNumber::parse("620102-2025-000001").ok();
        let due = run.start_step(&sid("a"), case, start, &cal).unwrap();
        assert_eq!(due, at("2025-03-06T17:30+08:00"));
        assert_eq!(run.start_step(&sid("a"), None, start, &cal), Err(RunError::AlreadyStarted(sid("a"))));
        run.finish_step(&sid("a"), at("2025-03-05T11:00+08:00")).unwrap(); // a day early
        assert_eq!(run.startable(), [sid("b"), sid("c")]);
        let dues = run.start_bundle(&[sid("b"), sid("c")], at("2025-03-05T14:00+08:00"), &cal).unwrap();
        assert_eq!(dues, [at("2025-03-07T17:30+08:00"), at("2025-03-06T17:30+08:00")]);
        assert!(run.startable().is_empty());
        assert!(matches!(run.state(&sid("b")), Some(StepState::Running { .. })));
        assert_eq!(run.finish_step(&sid("d"), start), Err(RunError::NotRunning(sid("d"))));
        assert!(!run.is_complete());
    }

    #[test]
    fn a_bundle_with_one_unstartable_step_starts_nothing() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let mut run = ProjectRun::start(&project(false), &small_plan(), &BTreeMap::new(), start).unwrap();
        assert!(run.start_bundle(&[sid("a"), sid("b")], start, &cal).is_err());
        assert_eq!(run.state(&sid("a")), Some(&StepState::Waiting));
    }

    #[test]
    fn expected_completion_moves_as_steps_finish_early_or_late() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let mut run = ProjectRun::start(&project(false), &small_plan(), &BTreeMap::new(), start).unwrap();
        let planned = run.expected_completion(&cal, start).unwrap();
        run.start_step(&sid("a"), None, start, &cal).unwrap();
        let mut early = run.clone();
        early.finish_step(&sid("a"), at("2025-03-04T16:00+08:00")).unwrap(); // 2 days early
        assert_eq!(
            early.expected_completion(&cal, at("2025-03-04T16:00+08:00")).unwrap(),
            at("2025-03-07T17:30+08:00")
        );
        // Still running at Monday 10 March, 2 working days past due: everything slips.
        let late = run.expected_completion(&cal, at("2025-03-10T10:00+08:00")).unwrap();
        assert!(late > planned, "{late} > {planned}");
        assert_eq!(late, at("2025-03-13T17:30+08:00"));
    }

    #[test]
    fn green_channel_projects_run_with_shortened_limits() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let limits = BTreeMap::from([(sid("b"), 1)]);
        let green = ProjectRun::start(&project(true), &small_plan(), &limits, start).unwrap();
        assert!(green.green_channel());
        assert_eq!(green.plan().total_days(), 5);
        let normal = ProjectRun::start(&project(false), &small_plan(), &limits, start).unwrap();
        assert_eq!(normal.plan().total_days(), 6);
        assert!(green.expected_completion(&cal, start).unwrap() < normal.expected_completion(&cal, start).unwrap());
        let too_long = BTreeMap::from([(sid("b"), 9)]);
        assert!(matches!(
            ProjectRun::start(&project(true), &small_plan(), &too_long, start),
            Err(RunError::Plan(PlanError::GreenNotShorter { .. }))
        ));
    }

    #[test]
    fn a_run_serializes_and_reads_back_equal_and_refuses_mismatched_states() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let mut run =
            ProjectRun::start(&project(true), &small_plan(), &BTreeMap::from([(sid("b"), 1)]), start).unwrap();
        let case = CaseNumber::parse("620102-2025-000001").ok();
        run.start_steps(&[(sid("a"), case.clone())], start, &cal).unwrap();
        let json = serde_json::to_string(&run).unwrap();
        let back: ProjectRun = serde_json::from_str(&json).unwrap();
        assert_eq!(back, run);
        assert!(matches!(back.state(&sid("a")), Some(StepState::Running { case: c, .. }) if *c == case));
        assert_eq!(back.plan().step(&sid("b")).map(|s| s.days), Some(1), "green limits kept");
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        value["states"].as_array_mut().unwrap().pop();
        assert!(serde_json::from_value::<ProjectRun>(value).is_err());
    }

    #[test]
    fn planned_completion_ignores_progress() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let mut run = ProjectRun::start(&project(false), &small_plan(), &BTreeMap::new(), start).unwrap();
        let planned = run.expected_completion(&cal, start).unwrap();
        run.start_step(&sid("a"), None, start, &cal).unwrap();
        run.finish_step(&sid("a"), at("2025-03-03T16:00+08:00")).unwrap();
        assert!(run.expected_completion(&cal, at("2025-03-03T16:00+08:00")).unwrap() < planned);
        assert_eq!(run.planned_completion(&cal).unwrap(), planned);
        assert_eq!(run.started(), start);
        assert_eq!(run.steps().count(), 4);
    }

    #[test]
    fn milestones_are_done_when_started_and_runs_complete() {
        let cal = WorkingCalendar::builtin();
        let start = at("2025-03-03T10:00+08:00");
        let m = Module::Initiation;
        let plan = Plan::new(PlanId::parse("m").unwrap(), "m", 1, vec![step("x", m, 0, &[]), step("y", m, 1, &["x"])])
            .unwrap();
        let mut run = ProjectRun::start(&project(false), &plan, &BTreeMap::new(), start).unwrap();
        run.start_step(&sid("x"), None, start, &cal).unwrap();
        assert_eq!(run.startable(), [sid("y")]);
        run.start_step(&sid("y"), None, start, &cal).unwrap();
        assert_eq!(
            run.finish_step(&sid("y"), at("2025-03-01T10:00+08:00")),
            Err(RunError::FinishedBeforeStart(sid("y")))
        );
        run.finish_step(&sid("y"), at("2025-03-04T10:00+08:00")).unwrap();
        assert!(run.is_complete());
        assert_eq!(run.expected_completion(&cal, start).unwrap(), at("2025-03-04T10:00+08:00"));
    }
}
