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
/// Id of the built-in streamlined plan of a parking lot (停车场).
pub const PARKING_LOT_PLAN: &str = "parking_lot";
/// Id of the built-in streamlined plan of a coal-to-gas boiler room (煤改气锅炉房).
pub const COAL_TO_GAS_BOILER_PLAN: &str = "coal_to_gas_boiler";
/// Id of the built-in streamlined plan of a simple government-invested project (简易政府投资项目).
pub const SIMPLE_GOVERNMENT_INVESTMENT_PLAN: &str = "simple_government_investment";
/// Id of the built-in streamlined plan of a municipal road renovation (市政道路改造).
pub const MUNICIPAL_ROAD_PLAN: &str = "municipal_road";
/// Every built-in plan's id, in the order the plan list shows them.
pub const BUILTIN_IDS: [&str; 6] = [
    BEFORE_REFORM,
    AFTER_REFORM,
    PARKING_LOT_PLAN,
    COAL_TO_GAS_BOILER_PLAN,
    SIMPLE_GOVERNMENT_INVESTMENT_PLAN,
    MUNICIPAL_ROAD_PLAN,
];

static BEFORE: LazyLock<Plan> = LazyLock::new(|| {
    embedded(BEFORE_REFORM, "改革前工程建设项目审批流程", include_str!("../../data/plans/before-reform.csv"))
});
static AFTER: LazyLock<Plan> =
    LazyLock::new(|| embedded(AFTER_REFORM, "模块化审批改革后流程", include_str!("../../data/plans/after-reform.csv")));
static PARKING_LOT: LazyLock<Plan> = LazyLock::new(|| {
    embedded(PARKING_LOT_PLAN, "停车场项目简易审批流程", include_str!("../../data/plans/parking-lot.csv"))
});
static COAL_TO_GAS: LazyLock<Plan> = LazyLock::new(|| {
    embedded(
        COAL_TO_GAS_BOILER_PLAN,
        "煤改气锅炉房项目简易审批流程",
        include_str!("../../data/plans/coal-to-gas-boiler.csv"),
    )
});
static SIMPLE_GOVERNMENT: LazyLock<Plan> = LazyLock::new(|| {
    embedded(
        SIMPLE_GOVERNMENT_INVESTMENT_PLAN,
        "简易政府投资项目审批流程",
        include_str!("../../data/plans/simple-government-investment.csv"),
    )
});
static MUNICIPAL_ROAD: LazyLock<Plan> = LazyLock::new(|| {
    embedded(MUNICIPAL_ROAD_PLAN, "市政道路改造项目简易审批流程", include_str!("../../data/plans/municipal-road.csv"))
});

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

/// A built-in plan by id ([`BUILTIN_IDS`]).
pub fn builtin(id: &str) -> Option<Plan> {
    match id {
        BEFORE_REFORM => Some(before_reform()),
        AFTER_REFORM => Some(after_reform()),
        PARKING_LOT_PLAN => Some(PARKING_LOT.clone()),
        COAL_TO_GAS_BOILER_PLAN => Some(COAL_TO_GAS.clone()),
        SIMPLE_GOVERNMENT_INVESTMENT_PLAN => Some(SIMPLE_GOVERNMENT.clone()),
        MUNICIPAL_ROAD_PLAN => Some(MUNICIPAL_ROAD.clone()),
        _ => None,
    }
}

/// Every built-in plan, in [`BUILTIN_IDS`] order.
pub fn builtins() -> Vec<Plan> {
    BUILTIN_IDS.iter().filter_map(|id| builtin(id)).collect()
}

/// The id of the built-in plan a project of `kind` runs through: government- and
/// enterprise-invested projects (and small ones of no special type) the after-reform plan,
/// the four small special types their streamlined plans (特殊简易流程).
pub fn plan_id_for(kind: super::ProjectType) -> &'static str {
    use super::{ProjectType, SmallType};
    match kind {
        ProjectType::GovernmentInvested | ProjectType::EnterpriseInvested | ProjectType::Small(SmallType::Other) => {
            AFTER_REFORM
        }
        ProjectType::Small(SmallType::ParkingLot) => PARKING_LOT_PLAN,
        ProjectType::Small(SmallType::CoalToGasBoiler) => COAL_TO_GAS_BOILER_PLAN,
        ProjectType::Small(SmallType::SimpleGovernmentInvestment) => SIMPLE_GOVERNMENT_INVESTMENT_PLAN,
        ProjectType::Small(SmallType::MunicipalRoad) => MUNICIPAL_ROAD_PLAN,
    }
}

/// The built-in plan a project of `kind` runs through unless its run names another
/// ([`plan_id_for`]).
pub fn plan_for(kind: super::ProjectType) -> Plan {
    builtin(plan_id_for(kind)).unwrap_or_else(after_reform)
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
    fn each_type_picks_its_plan_and_the_special_plans_are_short() {
        use crate::plan::{ProjectType, SmallType};
        assert_eq!(plan_for(ProjectType::GovernmentInvested).id().as_str(), AFTER_REFORM);
        assert_eq!(plan_for(ProjectType::EnterpriseInvested).id().as_str(), AFTER_REFORM);
        assert_eq!(plan_for(ProjectType::Small(SmallType::Other)).id().as_str(), AFTER_REFORM);
        for (small, id) in [
            (SmallType::ParkingLot, PARKING_LOT_PLAN),
            (SmallType::CoalToGasBoiler, COAL_TO_GAS_BOILER_PLAN),
            (SmallType::SimpleGovernmentInvestment, SIMPLE_GOVERNMENT_INVESTMENT_PLAN),
            (SmallType::MunicipalRoad, MUNICIPAL_ROAD_PLAN),
        ] {
            let plan = plan_for(ProjectType::Small(small));
            assert_eq!(plan.id().as_str(), id);
            assert!((5..=15).contains(&plan.steps().len()), "{id}: {} steps", plan.steps().len());
            assert!(plan.total_days() < after_reform().total_days(), "{id}: {} days", plan.total_days());
            assert!(plan.steps().iter().all(|s| !s.lead_department.is_empty()));
            assert!(check_not_builtin(plan.id()).is_err());
        }
        assert_eq!(builtins().len(), BUILTIN_IDS.len());
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
