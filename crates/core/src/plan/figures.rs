//! Figures of the project library from its records (项目审批指标): the first-time
//! submission pass rate (一次性报件合格率) per project type and per department, projects by
//! stage, and time per module against plan. Pure: the caller reads projects, runs and the
//! step cases, and measures working days over its calendar.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Module, ProjectStage, ProjectType, SmallType};

/// What a step case says about its first submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepCaseFact {
    /// The project's type.
    pub kind: ProjectType,
    /// The department handling the case.
    pub department: String,
    /// Accepted (受理) at some point.
    pub accepted: bool,
    /// Correction requests (补正) it received.
    pub corrections: u32,
    /// Closed without acceptance (不予受理) — answered, not passed.
    pub refused: bool,
}

/// A finished step: its module, its limit and the working days it took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinishedStep {
    /// Its module.
    pub module: Module,
    /// Its limit, working days.
    pub planned_days: u32,
    /// Working days from start to finish.
    pub actual_days: f64,
}

/// A pass rate: answered first submissions and those accepted without correction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassRate {
    /// The project type (`government_invested`, `parking_lot` …) or the department.
    pub key: String,
    /// Step cases whose first submission was answered (accepted, sent for correction or refused).
    pub answered: u32,
    /// Of those, accepted without a correction request.
    pub passed: u32,
    /// passed / answered, 0 to 1; none when nothing was answered.
    pub rate: Option<f64>,
}

/// Time of one module against plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleTime {
    /// `initiation`, `land`, `planning`, `construction` or `acceptance`.
    pub module: String,
    /// Finished steps of the module.
    pub steps: u32,
    /// Their limits summed, working days.
    pub planned_days: u32,
    /// The working days they took, summed (one decimal).
    pub actual_days: f64,
    /// actual / planned; none when nothing was planned.
    pub ratio: Option<f64>,
}

/// The figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectFigures {
    /// Projects in the library.
    pub projects: u32,
    /// Projects by stage, every stage listed.
    pub by_stage: BTreeMap<String, u32>,
    /// The first-time pass rate over all step cases.
    pub pass_rate: PassRate,
    /// Per project type, by type name.
    pub pass_rate_by_type: Vec<PassRate>,
    /// Per department, by department.
    pub pass_rate_by_department: Vec<PassRate>,
    /// Time per module, in module order.
    pub modules: Vec<ModuleTime>,
}

/// The stable name of a project type: the small type's name for a small project.
pub fn type_name(kind: ProjectType) -> &'static str {
    match kind {
        ProjectType::GovernmentInvested => "government_invested",
        ProjectType::EnterpriseInvested => "enterprise_invested",
        ProjectType::Small(s) => s.as_str(),
    }
}

/// Every project type, as [`type_name`] names them.
pub const TYPES: [ProjectType; 7] = [
    ProjectType::GovernmentInvested,
    ProjectType::EnterpriseInvested,
    ProjectType::Small(SmallType::ParkingLot),
    ProjectType::Small(SmallType::CoalToGasBoiler),
    ProjectType::Small(SmallType::SimpleGovernmentInvestment),
    ProjectType::Small(SmallType::MunicipalRoad),
    ProjectType::Small(SmallType::Other),
];

fn rate(key: String, facts: &[&StepCaseFact]) -> PassRate {
    let answered = facts.iter().filter(|f| f.accepted || f.corrections > 0 || f.refused).count() as u32;
    let passed = facts.iter().filter(|f| f.accepted && f.corrections == 0).count() as u32;
    let rate = (answered > 0).then(|| f64::from(passed) / f64::from(answered));
    PassRate { key, answered, passed, rate }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Computes the figures from the projects' stages, their step cases and finished steps.
pub fn project_figures(stages: &[ProjectStage], cases: &[StepCaseFact], finished: &[FinishedStep]) -> ProjectFigures {
    let mut by_stage: BTreeMap<String, u32> = ProjectStage::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
    for s in stages {
        *by_stage.entry(s.as_str().to_owned()).or_default() += 1;
    }
    let all: Vec<&StepCaseFact> = cases.iter().collect();
    let pass_rate_by_type = TYPES
        .iter()
        .map(|&k| rate(type_name(k).to_owned(), &cases.iter().filter(|c| c.kind == k).collect::<Vec<_>>()))
        .filter(|r| r.answered > 0)
        .collect();
    let mut departments: Vec<&str> = cases.iter().map(|c| c.department.as_str()).collect();
    departments.sort_unstable();
    departments.dedup();
    let pass_rate_by_department = departments
        .into_iter()
        .map(|d| rate(d.to_owned(), &cases.iter().filter(|c| c.department == d).collect::<Vec<_>>()))
        .filter(|r| r.answered > 0)
        .collect();
    let modules = Module::ALL
        .iter()
        .map(|&m| {
            let of: Vec<&FinishedStep> = finished.iter().filter(|f| f.module == m).collect();
            let planned_days: u32 = of.iter().map(|f| f.planned_days).sum();
            let actual_days = round1(of.iter().map(|f| f.actual_days).sum());
            ModuleTime {
                module: m.as_str().to_owned(),
                steps: of.len() as u32,
                planned_days,
                actual_days,
                ratio: (planned_days > 0).then(|| actual_days / f64::from(planned_days)),
            }
        })
        .collect();
    ProjectFigures {
        projects: stages.len() as u32,
        by_stage,
        pass_rate: rate("all".into(), &all),
        pass_rate_by_type,
        pass_rate_by_department,
        modules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_rates_count_answered_first_submissions() {
        let fact = |kind, d: &str, accepted, corrections, refused| StepCaseFact {
            kind,
            department: d.into(),
            accepted,
            corrections,
            refused,
        };
        let park = ProjectType::Small(SmallType::ParkingLot);
        let cases = [
            fact(ProjectType::GovernmentInvested, "fgw", true, 0, false),
            fact(ProjectType::GovernmentInvested, "zjj", true, 1, false),
            fact(ProjectType::GovernmentInvested, "zjj", false, 0, false), // not answered yet
            fact(park, "fgw", false, 0, true),
        ];
        let finished = [
            FinishedStep { module: Module::Initiation, planned_days: 5, actual_days: 3.0 },
            FinishedStep { module: Module::Initiation, planned_days: 2, actual_days: 2.5 },
        ];
        let f = project_figures(&[ProjectStage::InApproval, ProjectStage::InApproval], &cases, &finished);
        assert_eq!((f.pass_rate.answered, f.pass_rate.passed), (3, 1));
        assert_eq!(f.pass_rate_by_type[0].key, "government_invested");
        assert_eq!((f.pass_rate_by_type[0].answered, f.pass_rate_by_type[0].passed), (2, 1));
        assert_eq!((f.pass_rate_by_type[1].key.as_str(), f.pass_rate_by_type[1].rate), ("parking_lot", Some(0.0)));
        assert_eq!(f.pass_rate_by_department[0].rate, Some(0.5));
        assert_eq!(f.by_stage["in_approval"], 2);
        assert_eq!(f.by_stage["completed"], 0);
        assert_eq!((f.modules[0].steps, f.modules[0].planned_days, f.modules[0].actual_days), (2, 7, 5.5));
        assert_eq!(f.modules[1].ratio, None);
    }
}
