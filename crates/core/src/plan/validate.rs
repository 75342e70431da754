//! The rules a plan must keep, checked all at once so every problem is reported, and the
//! step graph (prerequisites as indices, a topological order) that scheduling then reuses.
//!
//! Everything here is O(V + E): one pass to index ids, one to resolve prerequisites, Kahn's
//! algorithm for the order, and — only when Kahn stalls — Tarjan's strongly connected
//! components (iterative, so deep graphs cannot overflow the stack) to name the cycles.
//!
//! **Reachability.** A *start step* is one with no prerequisites. Every step must be
//! reachable from a start step along prerequisite edges. In an acyclic plan this always
//! holds (walk any step's prerequisites backwards and you reach a start step), so an
//! [`Problem::Unreachable`] step is one that is not itself on a cycle but waits, directly or
//! through other steps, on one: it could never start. Steps on a cycle are named by
//! [`Problem::Cycle`] instead.

use std::collections::HashMap;

use serde::Serialize;

use super::{Module, PlanId, Step, StepId};

/// The most steps a plan may hold.
pub const MAX_STEPS: usize = 100_000;
/// The longest time limit of one step, in working days. With [`MAX_STEPS`] it keeps every
/// path's total well inside `u32`.
pub const MAX_STEP_DAYS: u32 = 10_000;
/// The longest name, department or cooperating unit, in characters.
pub const MAX_TEXT_CHARS: usize = 200;

/// One broken rule of a plan. Each names the step(s) concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// A plan needs at least one step.
    #[error("the plan has no steps")]
    NoSteps,
    /// More than [`MAX_STEPS`] steps.
    #[error("the plan has {count} steps; at most {MAX_STEPS} are allowed")]
    TooManySteps {
        /// How many.
        count: usize,
    },
    /// The plan's own name is blank, too long or has control characters.
    #[error("the plan's name {why}")]
    BadPlanName {
        /// What is wrong.
        why: &'static str,
    },
    /// Two steps share an id (the second and later are reported).
    #[error("step {step}: the id is used by an earlier step")]
    DuplicateId {
        /// The repeated id.
        step: StepId,
    },
    /// A step's id equals the plan's id (both become XML ids in BPMN).
    #[error("step {step}: the id equals the plan's id")]
    StepIdIsPlanId {
        /// The step.
        step: StepId,
    },
    /// A name, department or cooperating unit is blank, too long or has control characters.
    #[error("step {step}: the {field} {why}")]
    BadText {
        /// The step.
        step: StepId,
        /// `name`, `lead department` or `cooperating unit`.
        field: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// A time limit over [`MAX_STEP_DAYS`].
    #[error("step {step}: {days} working days is more than the {MAX_STEP_DAYS} allowed")]
    TooLong {
        /// The step.
        step: StepId,
        /// Its time limit.
        days: u32,
    },
    /// A prerequisite names no step of the plan.
    #[error("step {step}: prerequisite {prerequisite} is not a step of this plan")]
    UnknownPrerequisite {
        /// The step.
        step: StepId,
        /// The unknown id.
        prerequisite: StepId,
    },
    /// The same prerequisite is listed twice.
    #[error("step {step}: prerequisite {prerequisite} is listed more than once")]
    DuplicatePrerequisite {
        /// The step.
        step: StepId,
        /// The repeated id.
        prerequisite: StepId,
    },
    /// A step waits on a step of a later module (modules run in order).
    #[error("step {step} ({module}) waits on {prerequisite}, which belongs to the later module {prerequisite_module}")]
    LaterModule {
        /// The step.
        step: StepId,
        /// Its module.
        module: Module,
        /// The prerequisite in a later module.
        prerequisite: StepId,
        /// That prerequisite's module.
        prerequisite_module: Module,
    },
    /// Steps that wait on each other in a circle; a plan must be acyclic.
    #[error("cycle: {}", cycle_text(.steps))]
    Cycle {
        /// The steps on the cycle, each a prerequisite of the next, the last of the first.
        steps: Vec<StepId>,
    },
    /// A step that can never start because it waits on a cycle (see the module doc).
    #[error("step {step} is unreachable from any start step: it waits on a cycle")]
    Unreachable {
        /// The step.
        step: StepId,
    },
}

fn cycle_text(steps: &[StepId]) -> String {
    let mut parts: Vec<&str> = steps.iter().map(StepId::as_str).collect();
    if let Some(first) = steps.first() {
        parts.push(first.as_str());
    }
    parts.join(" → ")
}

impl Problem {
    /// The step the problem is about (the first, for a cycle), if any.
    pub fn step(&self) -> Option<&StepId> {
        match self {
            Self::NoSteps | Self::TooManySteps { .. } | Self::BadPlanName { .. } => None,
            Self::Cycle { steps } => steps.first(),
            Self::DuplicateId { step }
            | Self::StepIdIsPlanId { step }
            | Self::BadText { step, .. }
            | Self::TooLong { step, .. }
            | Self::UnknownPrerequisite { step, .. }
            | Self::DuplicatePrerequisite { step, .. }
            | Self::LaterModule { step, .. }
            | Self::Unreachable { step } => Some(step),
        }
    }
}

/// The step graph of a valid plan: prerequisites by index (compressed rows) and a
/// topological order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    /// `preds[pred_start[i]..pred_start[i + 1]]` are step `i`'s prerequisites.
    pub pred_start: Vec<usize>,
    /// Prerequisite indices, deduplicated.
    pub preds: Vec<usize>,
    /// Every step index once, prerequisites before dependents.
    pub order: Vec<usize>,
}

impl Graph {
    /// Step `i`'s prerequisites.
    pub fn preds_of(&self, i: usize) -> &[usize] {
        match (self.pred_start.get(i), self.pred_start.get(i + 1)) {
            (Some(&a), Some(&b)) => self.preds.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Why a text is unacceptable, or none. `may_be_empty` allows "" (an unassigned department).
fn text_problem(text: &str, may_be_empty: bool) -> Option<&'static str> {
    if text.is_empty() && may_be_empty {
        None
    } else if text.trim().is_empty() {
        Some("is blank")
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Some("is longer than 200 characters")
    } else if text.chars().any(char::is_control) {
        Some("contains control characters (line breaks, tabs …)")
    } else {
        None
    }
}

/// Checks every rule and returns every problem, or the graph when there are none.
pub(crate) fn check(plan: &PlanId, name: &str, steps: &[Step]) -> Result<Graph, Vec<Problem>> {
    let mut problems = Vec::new();
    if steps.is_empty() {
        problems.push(Problem::NoSteps);
    }
    if steps.len() > MAX_STEPS {
        // Anything more would be slow to report; refuse early.
        return Err(vec![Problem::TooManySteps { count: steps.len() }]);
    }
    if let Some(why) = text_problem(name, false) {
        problems.push(Problem::BadPlanName { why });
    }
    let index = index_ids(plan, steps, &mut problems);
    check_texts(steps, &mut problems);
    let (pred_start, preds) = resolve_prerequisites(steps, &index, &mut problems);
    let succ = Successors::new(steps.len(), &pred_start, &preds);
    let order = kahn(steps.len(), &pred_start, &succ);
    if order.len() < steps.len() {
        name_cycles(steps, &order, &succ, &mut problems);
    }
    if problems.is_empty() { Ok(Graph { pred_start, preds, order }) } else { Err(problems) }
}

fn index_ids<'a>(plan: &PlanId, steps: &'a [Step], problems: &mut Vec<Problem>) -> HashMap<&'a str, usize> {
    let mut index = HashMap::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        if index.insert(step.id.as_str(), i).is_some() {
            problems.push(Problem::DuplicateId { step: step.id.clone() });
        }
        if step.id.as_str() == plan.as_str() {
            problems.push(Problem::StepIdIsPlanId { step: step.id.clone() });
        }
    }
    // Later duplicates overwrote the first; prerequisites name the first.
    for (i, step) in steps.iter().enumerate().rev() {
        index.insert(step.id.as_str(), i);
    }
    index
}

fn check_texts(steps: &[Step], problems: &mut Vec<Problem>) {
    for step in steps {
        let mut bad = |field: &'static str, why: &'static str| {
            problems.push(Problem::BadText { step: step.id.clone(), field, why });
        };
        if let Some(why) = text_problem(&step.name, false) {
            bad("name", why);
        }
        if let Some(why) = text_problem(&step.lead_department, true) {
            bad("lead department", why);
        }
        for unit in &step.cooperating {
            if let Some(why) = text_problem(unit, false) {
                bad("cooperating unit", why);
            }
        }
        if step.days > MAX_STEP_DAYS {
            problems.push(Problem::TooLong { step: step.id.clone(), days: step.days });
        }
    }
}

fn resolve_prerequisites(
    steps: &[Step],
    index: &HashMap<&str, usize>,
    problems: &mut Vec<Problem>,
) -> (Vec<usize>, Vec<usize>) {
    let mut pred_start = Vec::with_capacity(steps.len() + 1);
    let mut preds = Vec::new();
    // seen[j] == i + 1 when j is already a prerequisite of step i: O(1) deduplication.
    let mut seen = vec![0usize; steps.len()];
    for (i, step) in steps.iter().enumerate() {
        pred_start.push(preds.len());
        for p in &step.prerequisites {
            let Some(&j) = index.get(p.as_str()) else {
                problems.push(Problem::UnknownPrerequisite { step: step.id.clone(), prerequisite: p.clone() });
                continue;
            };
            if seen[j] == i + 1 {
                problems.push(Problem::DuplicatePrerequisite { step: step.id.clone(), prerequisite: p.clone() });
                continue;
            }
            seen[j] = i + 1;
            preds.push(j);
            let before = &steps[j];
            if before.module > step.module {
                problems.push(Problem::LaterModule {
                    step: step.id.clone(),
                    module: step.module,
                    prerequisite: p.clone(),
                    prerequisite_module: before.module,
                });
            }
        }
    }
    pred_start.push(preds.len());
    (pred_start, preds)
}

/// Dependents by index, compressed rows.
struct Successors {
    start: Vec<usize>,
    list: Vec<usize>,
}

impl Successors {
    fn new(n: usize, pred_start: &[usize], preds: &[usize]) -> Self {
        let mut start = vec![0usize; n + 1];
        for &p in preds {
            start[p + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0usize; preds.len()];
        for s in 0..n {
            for &p in &preds[pred_start[s]..pred_start[s + 1]] {
                list[fill[p]] = s;
                fill[p] += 1;
            }
        }
        Successors { start, list }
    }

    fn of(&self, i: usize) -> &[usize] {
        &self.list[self.start[i]..self.start[i + 1]]
    }
}

/// Kahn's algorithm; start steps in plan order. Shorter than `n` when there is a cycle.
fn kahn(n: usize, pred_start: &[usize], succ: &Successors) -> Vec<usize> {
    let mut indegree: Vec<usize> = (0..n).map(|i| pred_start[i + 1] - pred_start[i]).collect();
    let mut order: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    order.reserve(n.saturating_sub(order.len()));
    let mut head = 0;
    while let Some(&v) = order.get(head) {
        head += 1;
        for &w in succ.of(v) {
            indegree[w] -= 1;
            if indegree[w] == 0 {
                order.push(w);
            }
        }
    }
    order
}

const NONE: usize = usize::MAX;

/// Names one cycle per cyclic strongly connected component among the steps Kahn could not
/// order, and every other such step as unreachable.
fn name_cycles(steps: &[Step], order: &[usize], succ: &Successors, problems: &mut Vec<Problem>) {
    let n = steps.len();
    let mut left = vec![true; n];
    for &i in order {
        left[i] = false;
    }
    let comp = tarjan(n, &left, succ);
    // A component is cyclic when it has more than one member or a self-loop.
    let mut size = vec![0usize; n]; // by component id
    for v in (0..n).filter(|&v| left[v]) {
        size[comp[v]] += 1;
    }
    let mut cyclic = vec![false; n]; // by component id
    for v in (0..n).filter(|&v| left[v]) {
        if size[comp[v]] > 1 || succ.of(v).contains(&v) {
            cyclic[comp[v]] = true;
        }
    }
    let mut reported = vec![false; n]; // by component id
    let mut position = vec![NONE; n];
    for v in 0..n {
        if !left[v] {
            continue;
        }
        let c = comp[v];
        if !cyclic[c] {
            problems.push(Problem::Unreachable { step: steps[v].id.clone() });
        } else if !reported[c] {
            reported[c] = true;
            let cycle = walk_cycle(v, &comp, succ, &mut position);
            problems.push(Problem::Cycle { steps: cycle.iter().map(|&i| steps[i].id.clone()).collect() });
        }
    }
}

/// Follows dependents inside `start`'s component until a step repeats; returns that loop,
/// rotated to begin at its first step in plan order.
fn walk_cycle(start: usize, comp: &[usize], succ: &Successors, position: &mut [usize]) -> Vec<usize> {
    let mut path = Vec::new();
    let mut cur = start;
    let cycle = loop {
        position[cur] = path.len();
        path.push(cur);
        // In a cyclic component every member has a dependent in the same component.
        let Some(&next) = succ.of(cur).iter().find(|&&w| comp[w] == comp[cur]) else {
            break Vec::new();
        };
        if position[next] != NONE {
            break path[position[next]..].to_vec();
        }
        cur = next;
    };
    for &p in &path {
        position[p] = NONE;
    }
    let mut cycle = cycle;
    if let Some(min_at) = cycle.iter().enumerate().min_by_key(|(_, v)| **v).map(|(k, _)| k) {
        cycle.rotate_left(min_at);
    }
    cycle
}

/// Iterative Tarjan over the steps with `left[v]`; returns a component id per step.
fn tarjan(n: usize, left: &[bool], succ: &Successors) -> Vec<usize> {
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![NONE; n];
    let mut stack = Vec::new();
    let mut calls: Vec<(usize, usize)> = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if !left[root] || index[root] != NONE {
            continue;
        }
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        calls.push((root, 0));
        while let Some(&(v, k)) = calls.last() {
            let out = succ.of(v);
            if let Some(&w) = out.get(k) {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                if !left[w] {
                    continue;
                }
                if index[w] == NONE {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                calls.pop();
                if let Some(&(u, _)) = calls.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}
