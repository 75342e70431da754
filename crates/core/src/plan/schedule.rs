//! Critical-path scheduling (关键路径): earliest and latest start and finish of every step,
//! its slack, the project's total working days and one critical path — a forward and a
//! backward pass over the topological order, O(V + E).
//!
//! Times are in working days from the project's start (day 0). A step that starts at day
//! `s` and takes `d` working days finishes at `s + d`; its dependents may start then.
//! A milestone (`d = 0`) finishes when it starts.

use serde::Serialize;

use super::validate::Graph;
use super::{Step, StepId};

/// The timing of one step, in working days from the project's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepTimes {
    /// The step.
    pub id: StepId,
    /// Its time limit (working days).
    pub days: u32,
    /// 最早开始 — the earliest day it can start (all prerequisites done).
    pub earliest_start: u32,
    /// 最早完成 — `earliest_start + days`.
    pub earliest_finish: u32,
    /// 最迟开始 — the latest day it can start without delaying the project.
    pub latest_start: u32,
    /// 最迟完成 — `latest_start + days`.
    pub latest_finish: u32,
    /// 机动时间 — `latest_start − earliest_start`; zero on a critical path.
    pub slack: u32,
}

impl StepTimes {
    /// True when the step has no slack: any delay delays the whole project.
    pub fn is_critical(&self) -> bool {
        self.slack == 0
    }
}

/// A plan's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    /// 总工作日 — the length of the critical path in working days.
    pub total_days: u32,
    /// 关键路径 — one chain of zero-slack steps from a start step to a final step, each a
    /// prerequisite of the next, whose days add up to `total_days`.
    pub critical_path: Vec<StepId>,
    /// Every step's times, in plan order.
    pub steps: Vec<StepTimes>,
}

impl Schedule {
    /// The times of one step.
    pub fn times(&self, id: &StepId) -> Option<&StepTimes> {
        self.steps.iter().find(|t| &t.id == id)
    }
}

/// Schedules a validated plan.
pub(crate) fn schedule(steps: &[Step], graph: &Graph) -> Schedule {
    let n = steps.len();
    let days: Vec<u32> = steps.iter().map(|s| s.days).collect();
    let mut es = vec![0u32; n];
    let mut ef = vec![0u32; n];
    for &s in &graph.order {
        let start = graph.preds_of(s).iter().map(|&p| ef[p]).max().unwrap_or(0);
        es[s] = start;
        ef[s] = start.saturating_add(days[s]);
    }
    let total = ef.iter().copied().max().unwrap_or(0);
    let mut lf = vec![total; n];
    let mut ls = vec![0u32; n];
    for &s in graph.order.iter().rev() {
        // Every dependent of `s` comes later in the order, so `lf[s]` is final here.
        ls[s] = lf[s].saturating_sub(days[s]);
        for &p in graph.preds_of(s) {
            lf[p] = lf[p].min(ls[s]);
        }
    }
    let critical_path = critical_path(graph, &es, &ef, total).into_iter().map(|i| steps[i].id.clone()).collect();
    let times = (0..n)
        .map(|i| StepTimes {
            id: steps[i].id.clone(),
            days: days[i],
            earliest_start: es[i],
            earliest_finish: ef[i],
            latest_start: ls[i],
            latest_finish: lf[i],
            slack: ls[i].saturating_sub(es[i]),
        })
        .collect();
    Schedule { total_days: total, critical_path, steps: times }
}

/// Walks back from the first final step (no dependents, earliest finish = total) through
/// prerequisites that finish exactly when it starts; such a prerequisite has no slack either.
fn critical_path(graph: &Graph, es: &[u32], ef: &[u32], total: u32) -> Vec<usize> {
    let mut has_dependents = vec![false; es.len()];
    for &p in &graph.preds {
        has_dependents[p] = true;
    }
    let Some(mut cur) = (0..es.len()).find(|&i| ef[i] == total && !has_dependents[i]) else {
        return Vec::new();
    };
    let mut path = vec![cur];
    while let Some(&p) = graph.preds_of(cur).iter().find(|&&p| ef[p] == es[cur]) {
        path.push(p);
        cur = p;
    }
    path.reverse();
    path
}
