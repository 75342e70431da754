//! The reform report: two plans side by side — steps, critical-path days and the cuts.

use std::fmt;

use serde::Serialize;

use super::{Plan, PlanId};

/// A plan's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    /// Its id.
    pub id: PlanId,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: u32,
    /// 环节数 — number of steps.
    pub steps: usize,
    /// 总工作日 — critical-path working days.
    pub days: u32,
}

impl PlanSummary {
    /// The figures of one plan.
    pub fn of(plan: &Plan) -> PlanSummary {
        PlanSummary {
            id: plan.id().clone(),
            name: plan.name().to_owned(),
            version: plan.version(),
            steps: plan.steps().len(),
            days: plan.total_days(),
        }
    }
}

/// Before and after a reform (e.g. 111 → 48 steps, 232 → 72 working days).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanComparison {
    /// The plan before.
    pub before: PlanSummary,
    /// The plan after.
    pub after: PlanSummary,
    /// 环节压减 — steps cut, in percent of before, one decimal (negative if steps grew).
    pub steps_cut_percent: f64,
    /// 时限压减 — working days cut, in percent of before, one decimal.
    pub days_cut_percent: f64,
}

impl PlanComparison {
    /// Compares two plans.
    pub fn new(before: &Plan, after: &Plan) -> PlanComparison {
        let before = PlanSummary::of(before);
        let after = PlanSummary::of(after);
        PlanComparison {
            steps_cut_percent: cut(before.steps as f64, after.steps as f64),
            days_cut_percent: cut(f64::from(before.days), f64::from(after.days)),
            before,
            after,
        }
    }
}

/// `(before − after) / before` in percent, rounded to one decimal; 0 when before is 0.
fn cut(before: f64, after: f64) -> f64 {
    if before == 0.0 { 0.0 } else { ((before - after) / before * 1000.0).round() / 10.0 }
}

impl fmt::Display for PlanComparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (b, a) = (&self.before, &self.after);
        writeln!(f, "            {:>12}  {:>12}  change", b.id.as_str(), a.id.as_str())?;
        writeln!(f, "steps       {:>12}  {:>12}  {}", b.steps, a.steps, signed(-self.steps_cut_percent))?;
        write!(f, "work days   {:>12}  {:>12}  {}", b.days, a.days, signed(-self.days_cut_percent))
    }
}

/// `−56.8 %` with a real minus sign, `+3.0 %` for growth.
fn signed(change: f64) -> String {
    if change < 0.0 { format!("−{:.1} %", -change) } else { format!("+{change:.1} %") }
}
