//! 协调会商 — a coordination meeting of several departments on one or more complex
//! projects: each department gives its opinion, and the meeting agrees a joint conclusion
//! (a 靶向治疗 plan, targeted treatment). For each project the meeting either applies the
//! plan or decides that the project exits the approval process, with the reasons told to
//! the investor. Problems solved at the meeting are closed by it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{FieldErrors, date, optional, required};
use crate::org::DepartmentCode;
use crate::plan::ProjectCode;
use crate::text;

/// The most projects one meeting takes.
pub const MAX_PROJECTS: usize = 200;

/// What the meeting decides for a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinationDecision {
    /// 靶向治疗 — the joint plan applies; the project goes on.
    Plan,
    /// 退出 — the project exits the approval process.
    Exit,
}

impl CoordinationDecision {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Plan => "plan",
            Self::Exit => "exit",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "plan" => Some(Self::Plan),
            "exit" => Some(Self::Exit),
            _ => None,
        }
    }
}

/// A department's opinion (部门意见).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// The department.
    pub department: DepartmentCode,
    /// What it says.
    pub opinion: String,
}

/// A project on the meeting's agenda, with its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordinated {
    /// The project.
    pub project: ProjectCode,
    /// The decision.
    pub decision: CoordinationDecision,
    /// For an exit: the reasons told to the investor.
    pub reasons: Option<String>,
}

/// A problem the meeting solved, as sent (checked against the problem's class by
/// [`super::Closing::parse`] once the problem is read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolvedInput {
    /// The problem's id.
    pub problem: i64,
    /// How it was handled.
    pub handling: String,
    /// What was done.
    pub note: String,
}

/// A coordination meeting as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordinationInput {
    /// Title.
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `(department code, opinion)` pairs.
    pub opinions: Vec<(String, String)>,
    /// The joint conclusion (靶向治疗 plan).
    pub conclusion: String,
    /// `(project code, decision, reasons)`.
    pub projects: Vec<(String, String, Option<String>)>,
}

/// A coordination meeting, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordination {
    /// Title.
    pub title: String,
    /// The day it was held.
    pub date: jiff::civil::Date,
    /// Each department's opinion (at least one, one per department).
    pub opinions: Vec<Opinion>,
    /// The joint conclusion (靶向治疗 plan).
    pub conclusion: String,
    /// The projects discussed (at least one), each with its decision.
    pub projects: Vec<Coordinated>,
}

impl Coordination {
    /// Checks a meeting, listing every bad field: `title`, `date`, `opinions`,
    /// `opinions[i].department` / `.opinion`, `conclusion`, `projects`,
    /// `projects[i].project` / `.decision` / `.reasons` (an exit without reasons).
    pub fn parse(input: &CoordinationInput) -> Result<Coordination, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = required(&mut errors, "title", &input.title, 200);
        let date = date(&mut errors, "date", &input.date);
        if input.opinions.is_empty() {
            errors.push(("opinions".into(), "each department's opinion: at least one".into()));
        }
        let mut opinions: Vec<Opinion> = Vec::new();
        for (i, (d, o)) in input.opinions.iter().enumerate() {
            let opinion = required(&mut errors, &format!("opinions[{i}].opinion"), o, text::NOTE);
            match DepartmentCode::parse(d) {
                Ok(d) if opinions.iter().any(|o| o.department == d) => {
                    errors.push((format!("opinions[{i}].department"), format!("{d} already gave its opinion")));
                }
                Ok(department) => opinions.push(Opinion { department, opinion }),
                Err(e) => errors.push((format!("opinions[{i}].department"), e.to_string())),
            }
        }
        let conclusion = required(&mut errors, "conclusion", &input.conclusion, text::NOTE);
        if input.projects.is_empty() {
            errors.push(("projects".into(), "at least one project".into()));
        } else if input.projects.len() > MAX_PROJECTS {
            errors.push(("projects".into(), format!("at most {MAX_PROJECTS} projects")));
        }
        let mut seen = BTreeSet::new();
        let mut projects = Vec::new();
        for (i, (code, decision_text, reasons)) in input.projects.iter().enumerate() {
            let code = match ProjectCode::parse(code) {
                Ok(c) if !seen.insert(c.clone()) => {
                    errors.push((format!("projects[{i}].project"), format!("{c} is already on the agenda")));
                    None
                }
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push((format!("projects[{i}].project"), e.to_string()));
                    None
                }
            };
            let decision = CoordinationDecision::parse(decision_text.trim());
            if decision.is_none() {
                errors.push((format!("projects[{i}].decision"), format!("{decision_text:?}: plan or exit")));
            }
            let reasons = optional(&mut errors, &format!("projects[{i}].reasons"), reasons.as_deref(), text::NOTE);
            if decision == Some(CoordinationDecision::Exit) && reasons.is_none() {
                errors
                    .push((format!("projects[{i}].reasons"), "an exit needs the reasons told to the investor".into()));
            }
            if let (Some(project), Some(decision)) = (code, decision) {
                let reasons = reasons.filter(|_| decision == CoordinationDecision::Exit);
                projects.push(Coordinated { project, decision, reasons });
            }
        }
        match date {
            Some(date) if errors.is_empty() => Ok(Coordination { title, date, opinions, conclusion, projects }),
            _ => Err(errors),
        }
    }

    /// The decision for `project`, if it is on the agenda.
    pub fn decision_for(&self, project: &ProjectCode) -> Option<CoordinationDecision> {
        self.projects.iter().find(|p| &p.project == project).map(|p| p.decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CoordinationInput {
        CoordinationInput {
            title: "新区产业园用地会商".into(),
            date: "2026-04-02".into(),
            opinions: vec![("zrzy".into(), "调剂用地指标".into()), ("fgw".into(), "纳入重点项目".into())],
            conclusion: "先行调剂指标，同步办理规划许可".into(),
            projects: vec![
                ("2025-620171-65-01-000318".into(), "plan".into(), None),
                ("2026-620102-47-01-000052".into(), "exit".into(), Some("未批先建，告知投资人".into())),
            ],
        }
    }

    #[test]
    fn a_meeting_keeps_its_opinions_and_decisions() {
        let c = Coordination::parse(&input()).unwrap();
        assert_eq!(c.opinions.len(), 2);
        assert_eq!(c.projects[1].decision, CoordinationDecision::Exit);
        assert_eq!(c.decision_for(&c.projects[0].project.clone()), Some(CoordinationDecision::Plan));
    }

    #[test]
    fn an_exit_without_reasons_and_empty_opinions_are_named() {
        let mut i = input();
        i.opinions = vec![("zrzy".into(), " ".into()), ("zrzy".into(), "x".into())];
        i.projects[1].2 = None;
        i.projects.push(("2025-620171-65-01-000318".into(), "maybe".into(), None));
        let fields: Vec<String> = Coordination::parse(&i).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "opinions[0].opinion",
                "opinions[1].department",
                "projects[1].reasons",
                "projects[2].project",
                "projects[2].decision"
            ]
        );
        let empty = CoordinationInput { date: "x".into(), ..Default::default() };
        let fields: Vec<String> = Coordination::parse(&empty).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["title", "date", "opinions", "conclusion", "projects"]);
    }
}
