//! The model center's two plans (DOMAIN.md §6), embedded as CSV: before the reform, 111
//! steps and 232 working days on the critical path; after it (modular approval, 模块化审批),
//! 48 steps and 72 working days. Built-in ids: [`BEFORE_REFORM`] and [`AFTER_REFORM`].
//!
//! The CSV format (also [`plan_from_csv`]), one step per row:
//! `id,module,section,name,lead_department,cooperating,item,days,prerequisites` — module and
//! section by machine or Chinese name, cooperating units separated by `、`, prerequisites by
//! spaces. Names and departments look like a prefecture-level city's; the data is made up
//! to match the published totals, not an official list.

use std::sync::LazyLock;

use super::{Module, Plan, PlanError, PlanId, Section, Step, StepId};
use crate::item::ItemCode;

/// Id of the built-in "before reform" plan.
pub const BEFORE_REFORM: &str = "before-reform";
/// Id of the built-in "after reform" plan.
pub const AFTER_REFORM: &str = "after-reform";

static BEFORE: LazyLock<Plan> = LazyLock::new(|| {
    embedded(BEFORE_REFORM, "改革前工程建设项目审批流程", include_str!("../../data/plans/before-reform.csv"))
});
static AFTER: LazyLock<Plan> =
    LazyLock::new(|| embedded(AFTER_REFORM, "模块化审批改革后流程", include_str!("../../data/plans/after-reform.csv")));

fn embedded(id: &str, name: &str, csv: &str) -> Plan {
    let id = PlanId::parse(id).expect("built-in plan ids are valid (unit-tested)");
    plan_from_csv(id, name, 1, csv).expect("embedded plans are valid (unit-tested)")
}

/// 改革前 — 111 steps, 232 working days.
pub fn before_reform() -> Plan {
    BEFORE.clone()
}

/// 改革后 — 48 steps, 72 working days.
pub fn after_reform() -> Plan {
    AFTER.clone()
}

/// A built-in plan by id (`before-reform`, `after-reform`).
pub fn builtin(id: &str) -> Option<Plan> {
    match id {
        BEFORE_REFORM => Some(before_reform()),
        AFTER_REFORM => Some(after_reform()),
        _ => None,
    }
}

/// Refuses a plan that would replace a built-in one: the built-ins back the public reform
/// comparison (改革前后对比), so what the center publishes cannot be rewritten by an import.
pub fn check_not_builtin(id: &PlanId) -> Result<(), String> {
    match builtin(id.as_str()) {
        Some(_) => Err(format!(
            "plan {id} is built in and read-only: it backs the public reform comparison; import under another id"
        )),
        None => Ok(()),
    }
}

/// Why a plan CSV cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvPlanError {
    /// A row is malformed; the line is 1-based, the header being line 1.
    #[error("line {line}: {message}")]
    Row {
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The rows make no valid plan.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// Reads a plan from CSV (format in the module doc).
pub fn plan_from_csv(id: PlanId, name: &str, version: u32, text: &str) -> Result<Plan, CsvPlanError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut steps = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvPlanError::Row {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = |message: String| CsvPlanError::Row { line, message };
        if record.len() != 9 {
            return Err(row(format!("expected 9 columns, found {}", record.len())));
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        steps.push(Step {
            id: StepId::parse(field(0)).map_err(|e| row(e.to_string()))?,
            module: Module::parse(field(1)).map_err(|e| row(e.to_string()))?,
            section: Section::parse(field(2)).map_err(|e| row(e.to_string()))?,
            name: field(3).to_owned(),
            lead_department: field(4).to_owned(),
            cooperating: field(5).split('、').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            item: match field(6) {
                "" => None,
                code => Some(ItemCode::parse(code).map_err(|e| row(e.to_string()))?),
            },
            days: field(7).parse().map_err(|_| row(format!("days {:?} is not a whole number", field(7))))?,
            prerequisites: field(8)
                .split_whitespace()
                .map(StepId::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| row(e.to_string()))?,
        });
    }
    Ok(Plan::new(id, name, version, steps)?)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn before_reform_has_111_steps_and_232_days() {
        let plan = before_reform();
        assert_eq!(plan.steps().len(), 111);
        assert_eq!(plan.total_days(), 232);
    }

    #[test]
    fn after_reform_has_48_steps_and_72_days() {
        let plan = after_reform();
        assert_eq!(plan.steps().len(), 48);
        assert_eq!(plan.total_days(), 72);
    }

    #[test]
    fn reform_cuts_steps_by_56_8_and_days_by_69_0_percent() {
        let c = before_reform().compare(&after_reform());
        assert_eq!((c.before.steps, c.after.steps), (111, 48));
        assert_eq!((c.before.days, c.after.days), (232, 72));
        assert!((c.steps_cut_percent - 56.8).abs() < 1e-9, "{}", c.steps_cut_percent);
        assert!((c.days_cut_percent - 69.0).abs() < 1e-9, "{}", c.days_cut_percent);
        let text = c.to_string();
        assert!(text.contains("−56.8 %") && text.contains("−69.0 %"), "{text}");
    }

    #[test]
    fn both_plans_cover_every_module_and_section() {
        for plan in [before_reform(), after_reform()] {
            let cells: HashSet<_> = plan.steps().iter().map(|s| (s.module, s.section)).collect();
            assert_eq!(cells.len(), 20, "{}", plan.id());
            assert!(plan.steps().iter().all(|s| !s.lead_department.is_empty()));
        }
    }

    #[test]
    fn critical_path_runs_through_every_module_in_order() {
        let plan = after_reform();
        let path = plan.schedule().critical_path;
        let modules: Vec<Module> = path.iter().filter_map(|id| plan.step(id)).map(|s| s.module).collect();
        assert!(modules.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(modules.first(), Some(&Module::Initiation));
        assert_eq!(modules.last(), Some(&Module::Acceptance));
    }

    #[test]
    fn builtin_plans_are_found_by_id() {
        assert_eq!(builtin("before-reform").map(|p| p.steps().len()), Some(111));
        assert_eq!(builtin("after-reform").map(|p| p.steps().len()), Some(48));
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn csv_errors_name_the_line() {
        let id = PlanId::parse("x").unwrap();
        let text = "id,module,section,name,lead_department,cooperating,item,days,prerequisites\n\
                    a,initiation,approval,甲,发改委,,,1,\n\
                    b,nowhere,approval,乙,发改委,,,1,a\n";
        let err = plan_from_csv(id, "x", 1, text).unwrap_err();
        assert!(err.to_string().starts_with("line 3: unknown module"), "{err}");
    }
}
