//! BPMN 2.0 XML → [`Plan`]. See the parent module for the mapping and conventions.
//!
//! The flow nodes become a graph: tasks are steps; start and end events, gateways and the
//! entry and exit of every sub-process are pass-through nodes. A step's prerequisites are
//! the nearest steps behind it, found by walking back through pass-through nodes — so
//! `task → gateway → task` becomes a prerequisite, whatever the gateway's kind.

use std::collections::{HashMap, HashSet};

use super::xml::{self, Element, Ns};
use super::{BpmnError, LocatedProblem};
use crate::item::ItemCode;
use crate::plan::{Module, Plan, PlanError, PlanId, Section, Step, StepId};

/// The task types; each becomes one step.
const TASKS: [&str; 8] =
    ["task", "userTask", "serviceTask", "manualTask", "scriptTask", "businessRuleTask", "sendTask", "receiveTask"];

/// Children of a process or sub-process that carry nothing a plan needs (a sub-process
/// being an activity too, an activity's children are among them).
const IGNORED_IN_PROCESS: [&str; 21] = [
    "incoming",
    "outgoing",
    "dataInputAssociation",
    "dataOutputAssociation",
    "resourceRole",
    "performer",
    "humanPerformer",
    "potentialOwner",
    "documentation",
    "extensionElements",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "property",
    "ioSpecification",
    "ioBinding",
    "auditing",
    "monitoring",
];

/// Children of `definitions` other than processes that do not change a plan.
const IGNORED_IN_DEFINITIONS: [&str; 19] = [
    "collaboration",
    "documentation",
    "extensionElements",
    "import",
    "extension",
    "message",
    "signal",
    "error",
    "escalation",
    "itemDefinition",
    "dataStore",
    "resource",
    "category",
    "interface",
    "relationship",
    "correlationProperty",
    "partnerRole",
    "partnerEntity",
    "endPoint",
];

/// Children of a task or sub-process that change what it means: refused.
const LOOPS: [&str; 2] = ["standardLoopCharacteristics", "multiInstanceLoopCharacteristics"];

/// A task's time limit when it has no `tongban:days`.
const DEFAULT_DAYS: u32 = 1;

pub(super) fn import(text: &str) -> Result<Plan, BpmnError> {
    let root = xml::parse(text).map_err(|e| BpmnError::Xml { line: e.line, column: e.column, message: e.message })?;
    if !(root.is_bpmn() && root.name == "definitions") {
        return Err(BpmnError::NotBpmn { root: root.name.clone() });
    }
    let mut participants: HashMap<&str, &str> = HashMap::new();
    let mut collaboration = None;
    for child in root.children.iter().filter(|c| c.is_bpmn()) {
        match child.name.as_str() {
            "process" => {}
            "collaboration" => {
                collaboration.get_or_insert(child);
                for p in child.children.iter().filter(|p| p.name == "participant") {
                    if let (Some(process), Some(name)) = (p.attr("processRef"), p.attr("name")) {
                        participants.insert(process, name);
                    }
                }
            }
            name if IGNORED_IN_DEFINITIONS.contains(&name) || name.ends_with("EventDefinition") => {}
            _ => return Err(unsupported(child)),
        }
    }
    let processes: Vec<&Element> = root.children.iter().filter(|c| c.is_bpmn() && c.name == "process").collect();
    if processes.is_empty() {
        return Err(BpmnError::NoProcess);
    }
    let mut b = Builder::default();
    let mut with_steps = Vec::new();
    for process in &processes {
        let before = b.steps.len();
        let ctx = Ctx {
            module: match process.tongban_attr("module") {
                Some(m) => parse_module(process, m)?,
                None => Module::Initiation,
            },
            section: match process.tongban_attr("section") {
                Some(s) => parse_section(process, s)?,
                None => Section::Approval,
            },
            lead: String::new(),
            lanes: HashMap::new(),
        };
        b.walk(process, &ctx, None)?;
        if b.steps.len() > before {
            with_steps.push(*process);
        }
    }
    let (id_el, name) = match with_steps.as_slice() {
        [one] => (*one, one.attr("name").or_else(|| one.attr("id").and_then(|id| participants.get(id).copied()))),
        [] => (processes[0], processes[0].attr("name")),
        _ => {
            let el = collaboration.unwrap_or(&root);
            (el, el.attr("name"))
        }
    };
    let id_text = id_el.attr("id").unwrap_or_default();
    let id = PlanId::parse(id_text).map_err(|e| bad_attr(id_el, "id", id_text, &e.to_string()))?;
    let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or(id_text).to_owned();
    let version = match id_el.tongban_attr("version") {
        Some(v) => v.trim().parse().map_err(|_| bad_attr(id_el, "tongban:version", v, "not a whole number"))?,
        None => 1,
    };
    let steps = b.finish()?;
    let lines: HashMap<StepId, u32> = steps.iter().map(|(s, line)| (s.id.clone(), *line)).collect();
    let steps = steps.into_iter().map(|(s, _)| s).collect();
    Plan::new(id, name, version, steps).map_err(|e| match e {
        PlanError::Invalid { problems, .. } => BpmnError::Plan {
            problems: problems
                .into_iter()
                .map(|problem| LocatedProblem { line: problem.step().and_then(|s| lines.get(s).copied()), problem })
                .collect(),
        },
        other => BpmnError::Rejected(other),
    })
}

/// Inherited by the flow nodes of a process or sub-process.
#[derive(Clone)]
struct Ctx {
    module: Module,
    section: Section,
    /// The lane of the enclosing sub-process, if any.
    lead: String,
    /// Flow node id → lane name, from this container's and its ancestors' lane sets.
    lanes: HashMap<String, String>,
}

/// A node of the flow graph.
#[derive(Default)]
struct Node {
    preds: Vec<usize>,
    /// The step it is, for a task.
    step: Option<usize>,
}

/// A flow node's graph nodes: flows end at `into` and leave from `out_of` (they differ
/// only for a sub-process: its entry and exit).
#[derive(Clone, Copy)]
struct Placed {
    into: usize,
    out_of: usize,
    line: u32,
}

/// A sub-process, for its implicit start and end.
struct Container<'a> {
    entry: usize,
    exit: usize,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// Activities directly inside: (id, into, out_of).
    activities: Vec<(&'a str, usize, usize)>,
}

struct Flow<'a> {
    id: &'a str,
    source: &'a str,
    target: &'a str,
    line: u32,
}

#[derive(Default)]
struct Builder<'a> {
    nodes: Vec<Node>,
    placed: HashMap<&'a str, Placed>,
    flows: Vec<Flow<'a>>,
    containers: Vec<Container<'a>>,
    /// Steps in document order, each with its node and line.
    steps: Vec<(Step, usize, u32)>,
}

impl<'a> Builder<'a> {
    fn node(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    fn place(&mut self, el: &'a Element, into: usize, out_of: usize) -> Result<(), BpmnError> {
        let Some(id) = el.attr("id") else {
            return Ok(()); // nothing can refer to it
        };
        let line = el.line;
        if let Some(first) = self.placed.insert(id, Placed { into, out_of, line }) {
            return Err(BpmnError::DuplicateId { id: id.to_owned(), line, first_line: first.line });
        }
        Ok(())
    }

    /// Reads the flow nodes of a process or sub-process.
    fn walk(&mut self, container: &'a Element, ctx: &Ctx, sub: Option<usize>) -> Result<(), BpmnError> {
        let mut ctx = ctx.clone();
        for lane_set in container.children.iter().filter(|c| c.is_bpmn() && c.name == "laneSet") {
            read_lanes(lane_set, &mut ctx.lanes);
        }
        for child in container.children.iter().filter(|c| c.is_bpmn()) {
            let name = child.name.as_str();
            if TASKS.contains(&name) {
                self.task(child, &ctx, sub)?;
            } else if name == "subProcess" {
                self.sub_process(child, &ctx, sub)?;
            } else if matches!(name, "startEvent" | "endEvent" | "parallelGateway" | "exclusiveGateway") {
                let n = self.node();
                self.place(child, n, n)?;
                if let Some(c) = sub.and_then(|c| self.containers.get_mut(c)) {
                    match name {
                        "startEvent" => c.starts.push(n),
                        "endEvent" => c.ends.push(n),
                        _ => {}
                    }
                }
            } else if name == "sequenceFlow" {
                let (Some(source), Some(target)) = (child.attr("sourceRef"), child.attr("targetRef")) else {
                    return Err(bad_attr(child, "sourceRef/targetRef", "", "a sequence flow needs both"));
                };
                self.flows.push(Flow { id: child.attr("id").unwrap_or(""), source, target, line: child.line });
            } else if name == "laneSet" || IGNORED_IN_PROCESS.contains(&name) {
                // Lanes were read above; the rest carries nothing a plan needs.
            } else {
                return Err(unsupported(child));
            }
        }
        Ok(())
    }

    fn task(&mut self, el: &'a Element, ctx: &Ctx, sub: Option<usize>) -> Result<(), BpmnError> {
        refuse_loops(el)?;
        let Some(id_text) = el.attr("id") else {
            return Err(BpmnError::MissingId { element: el.name.clone(), line: el.line });
        };
        let id = StepId::parse(id_text).map_err(|e| bad_attr(el, "id", id_text, &e.to_string()))?;
        let module = match el.tongban_attr("module") {
            Some(m) => parse_module(el, m)?,
            None => ctx.module,
        };
        let section = match el.tongban_attr("section") {
            Some(s) => parse_section(el, s)?,
            None => ctx.section,
        };
        let days = match el.tongban_attr("days") {
            Some(d) => {
                d.trim().parse().map_err(|_| bad_attr(el, "tongban:days", d, "not a whole number of working days"))?
            }
            None => DEFAULT_DAYS,
        };
        let item = match el.tongban_attr("item") {
            Some(code) => Some(ItemCode::parse(code).map_err(|e| bad_attr(el, "tongban:item", code, &e.to_string()))?),
            None => None,
        };
        let name = el.attr("name").map(str::trim).filter(|n| !n.is_empty()).unwrap_or(id_text);
        let lead = ctx.lanes.get(id_text).unwrap_or(&ctx.lead).clone();
        let cooperating = el
            .children
            .iter()
            .filter(|c| c.is_bpmn() && c.name == "extensionElements")
            .flat_map(|e| e.children.iter())
            .filter(|c| c.ns == Ns::Tongban && c.name == "cooperating")
            .map(|c| c.text.trim().to_owned())
            .collect();
        let n = self.node();
        self.nodes[n].step = Some(self.steps.len());
        self.place(el, n, n)?;
        if let Some(c) = sub.and_then(|c| self.containers.get_mut(c)) {
            c.activities.push((id_text, n, n));
        }
        let step = Step {
            id,
            name: name.to_owned(),
            module,
            section,
            lead_department: lead,
            cooperating,
            item,
            days,
            prerequisites: Vec::new(),
        };
        self.steps.push((step, n, el.line));
        Ok(())
    }

    fn sub_process(&mut self, el: &'a Element, ctx: &Ctx, sub: Option<usize>) -> Result<(), BpmnError> {
        refuse_loops(el)?;
        if el.attr("triggeredByEvent") == Some("true") {
            return Err(unsupported(el)); // an event sub-process
        }
        let entry = self.node();
        let exit = self.node();
        self.place(el, entry, exit)?;
        if let (Some(c), Some(id)) = (sub.and_then(|c| self.containers.get_mut(c)), el.attr("id")) {
            c.activities.push((id, entry, exit));
        }
        let mut inner = ctx.clone();
        inner.module = match el.tongban_attr("module") {
            Some(m) => parse_module(el, m)?,
            // A sub-process named after a module (规划, Planning …) is that module.
            None => el.attr("name").and_then(|n| Module::parse(n).ok()).unwrap_or(ctx.module),
        };
        if let Some(s) = el.tongban_attr("section") {
            inner.section = parse_section(el, s)?;
        }
        if let Some(lane) = el.attr("id").and_then(|id| ctx.lanes.get(id)) {
            inner.lead = lane.clone();
        }
        self.containers.push(Container { entry, exit, starts: Vec::new(), ends: Vec::new(), activities: Vec::new() });
        let me = self.containers.len() - 1;
        self.walk(el, &inner, Some(me))
    }

    /// Connects the flows and sub-processes and derives every step's prerequisites.
    fn finish(mut self) -> Result<Vec<(Step, u32)>, BpmnError> {
        let mut has_in: HashSet<&str> = HashSet::new();
        let mut has_out: HashSet<&str> = HashSet::new();
        for f in &self.flows {
            let find = |reference: &str| {
                self.placed.get(reference).copied().ok_or_else(|| BpmnError::UnknownReference {
                    flow: f.id.to_owned(),
                    reference: reference.to_owned(),
                    line: f.line,
                })
            };
            let (source, target) = (find(f.source)?, find(f.target)?);
            self.nodes[target.into].preds.push(source.out_of);
            has_in.insert(f.target);
            has_out.insert(f.source);
        }
        for c in &self.containers {
            // BPMN: inside a sub-process, start events and activities without incoming
            // flows start with it; end events and activities without outgoing flows end it.
            for &s in &c.starts {
                self.nodes[s].preds.push(c.entry);
            }
            let mut ends = c.ends.clone();
            for &(id, into, out_of) in &c.activities {
                if !has_in.contains(id) {
                    self.nodes[into].preds.push(c.entry);
                }
                if !has_out.contains(id) {
                    ends.push(out_of);
                }
            }
            if ends.is_empty() {
                ends.push(c.entry);
            }
            self.nodes[c.exit].preds.extend(ends);
        }
        let mut seen = vec![usize::MAX; self.nodes.len()];
        let mut out = Vec::with_capacity(self.steps.len());
        for k in 0..self.steps.len() {
            let node = self.steps[k].1;
            let prerequisites = nearest_steps(&self.nodes, node, k, &mut seen)
                .into_iter()
                .map(|s| self.steps[s].0.id.clone())
                .collect();
            out.push((k, prerequisites));
        }
        Ok(self
            .steps
            .into_iter()
            .zip(out)
            .map(|((mut step, _, line), (_, prerequisites))| {
                step.prerequisites = prerequisites;
                (step, line)
            })
            .collect())
    }
}

/// The steps reached walking back from `node` through pass-through nodes, in flow order,
/// without repeats. `seen[n] == stamp` marks nodes visited in this walk.
fn nearest_steps(nodes: &[Node], node: usize, stamp: usize, seen: &mut [usize]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut stack: Vec<usize> = nodes[node].preds.iter().rev().copied().collect();
    while let Some(n) = stack.pop() {
        if seen[n] == stamp {
            continue;
        }
        seen[n] = stamp;
        match nodes[n].step {
            Some(s) => found.push(s),
            None => stack.extend(nodes[n].preds.iter().rev()),
        }
    }
    found
}

/// Flow node id → lane name (or id), innermost lane winning.
fn read_lanes(lane_set: &Element, lanes: &mut HashMap<String, String>) {
    for lane in lane_set.children.iter().filter(|l| l.is_bpmn() && l.name == "lane") {
        let name =
            lane.attr("name").map(str::trim).filter(|n| !n.is_empty()).or_else(|| lane.attr("id")).unwrap_or_default();
        for r in lane.children.iter().filter(|r| r.is_bpmn() && r.name == "flowNodeRef") {
            lanes.insert(r.text.trim().to_owned(), name.to_owned());
        }
        for child in lane.children.iter().filter(|c| c.is_bpmn() && c.name == "childLaneSet") {
            read_lanes(child, lanes);
        }
    }
}

fn refuse_loops(el: &Element) -> Result<(), BpmnError> {
    match el.children.iter().find(|c| c.is_bpmn() && LOOPS.contains(&c.name.as_str())) {
        Some(looped) => Err(BpmnError::Unsupported {
            element: format!("{} (in {})", looped.name, el.name),
            id: el.attr("id").map(str::to_owned),
            line: looped.line,
            column: looped.column,
        }),
        None => Ok(()),
    }
}

fn unsupported(el: &Element) -> BpmnError {
    BpmnError::Unsupported {
        element: el.name.clone(),
        id: el.attr("id").map(str::to_owned),
        line: el.line,
        column: el.column,
    }
}

fn bad_attr(el: &Element, attribute: &str, value: &str, why: &str) -> BpmnError {
    BpmnError::BadAttribute {
        element: el.name.clone(),
        id: el.attr("id").map(str::to_owned),
        attribute: attribute.to_owned(),
        value: value.to_owned(),
        why: why.to_owned(),
        line: el.line,
    }
}

fn parse_module(el: &Element, text: &str) -> Result<Module, BpmnError> {
    Module::parse(text).map_err(|e| bad_attr(el, "tongban:module", text, &e.to_string()))
}

fn parse_section(el: &Element, text: &str) -> Result<Section, BpmnError> {
    Section::parse(text).map_err(|e| bad_attr(el, "tongban:section", text, &e.to_string()))
}
