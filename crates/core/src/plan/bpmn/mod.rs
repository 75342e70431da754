//! BPMN 2.0 XML import and export of plans, so a plan can be drawn in any common modeler
//! (Camunda Modeler, bpmn.io, SpiffArena …) and a modeler's process read as a plan.
//!
//! # Import: what becomes what
//!
//! | BPMN | plan |
//! | --- | --- |
//! | `task`, `userTask`, `serviceTask`, `manualTask`, `scriptTask`, `businessRuleTask`, `sendTask`, `receiveTask` | one [`Step`](super::Step) each; id = the task's id, name = its name (or id) |
//! | `sequenceFlow`, `parallelGateway`, `exclusiveGateway`, `startEvent`, `endEvent` | prerequisites: gateways and events are collapsed, so `A → gateway → B` makes A a prerequisite of B |
//! | `subProcess` | a module: its tasks are steps; its start events and flow-less activities start with it, its end events and flow-less activities end it |
//! | `laneSet` / `lane` (also nested `childLaneSet`) | the lead department: the name of the innermost lane listing the task (or its sub-process) in `flowNodeRef` |
//! | `collaboration`, `participant`, `messageFlow` | allowed and ignored (a participant's name names an unnamed process) |
//!
//! An exclusive gateway's branches are alternatives when a process runs, but a plan lists
//! every step that *may* be needed, so both branches become steps and a join after them
//! waits for both: the critical path is an upper bound. Several processes in one file (a
//! collaboration of pools) are read into one plan, whose id is then the collaboration's
//! (or the definitions') id; with one process the plan's id is the process id.
//!
//! Ignored: diagram interchange (`bpmndi:*`, `dc:*`, `di:*`), `documentation`,
//! `extensionElements` (apart from tongban's own), `incoming`/`outgoing`,
//! `conditionExpression`, scripts, text annotations, associations, groups, data objects and
//! stores, vendor attributes, and the event definitions of start and end events. Any other
//! flow element — `inclusiveGateway`, `eventBasedGateway`, `complexGateway`,
//! `intermediateCatchEvent`, `intermediateThrowEvent`, `boundaryEvent`, `callActivity`,
//! `transaction`, `adHocSubProcess`, an event sub-process, loop or multi-instance
//! characteristics … — is refused with [`BpmnError::Unsupported`], naming the element, its
//! id and its line. Malformed XML is [`BpmnError::Xml`] with line and column. A process
//! whose steps form a cycle is refused ([`BpmnError::Plan`] with [`Problem::Cycle`](super::Problem::Cycle)
//! naming the steps on it): a plan is acyclic.
//!
//! # tongban's extension attributes
//!
//! In the namespace [`TONGBAN_NS`] (`xmlns:tongban="urn:tongban:bpmn:1"`), on a task:
//!
//! | attribute | meaning | when absent |
//! | --- | --- | --- |
//! | `tongban:days` | time limit in working days (0 = milestone) | 1 |
//! | `tongban:module` | `initiation`, `land`, `planning`, `construction`, `acceptance` (or 立项 … 验收) | the sub-process's module, else the process's `tongban:module`, else initiation |
//! | `tongban:section` | `guidance`, `scheme_review`, `approval`, `concurrent` (or 前期辅导 …) | the sub-process's, else the process's, else approval |
//! | `tongban:item` | the service item's code | none |
//!
//! and `<tongban:cooperating>单位</tongban:cooperating>` children of its `extensionElements`,
//! one per cooperating unit. A sub-process may carry `tongban:module` and `tongban:section`
//! for its tasks; without `tongban:module`, a sub-process *named* after a module (`规划`,
//! `Planning` …) is that module. The process carries `tongban:version` (default 1).
//!
//! # Export
//!
//! [`export`] writes one pool (a collaboration with one participant) holding the process:
//! a lane per lead department, a `userTask` per step with the attributes above, a start
//! event, a parallel split before the start steps, a parallel join before every step with
//! several prerequisites and before the end event, and a left-to-right diagram (one column
//! per dependency level, one band per lane) so modelers display it. Modules are attributes,
//! not sub-processes, since prerequisites cross modules and a sequence flow may not cross a
//! sub-process's border. Export → import gives back an equal plan.

mod export;
mod import;
#[cfg(test)]
mod tests;
mod xml;

use std::fmt;

use super::{Plan, PlanError, Problem};

/// The BPMN 2.0 model namespace.
pub const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// tongban's extension namespace for BPMN attributes and elements.
pub const TONGBAN_NS: &str = "urn:tongban:bpmn:1";

/// Reads a plan from BPMN 2.0 XML.
pub fn import(xml: &str) -> Result<Plan, BpmnError> {
    import::import(xml)
}

/// Writes a plan as BPMN 2.0 XML with a diagram.
pub fn export(plan: &Plan) -> String {
    export::export(plan)
}

/// A plan problem, with the line of the task it concerns when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedProblem {
    /// The line of the step's task.
    pub line: Option<u32>,
    /// The problem.
    pub problem: Problem,
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.problem),
            None => write!(f, "{}", self.problem),
        }
    }
}

/// Why a BPMN document cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BpmnError {
    /// Not well-formed XML.
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line.
        line: u32,
        /// 1-based column (characters).
        column: u32,
        /// What the parser found.
        message: String,
    },
    /// Well-formed, but not BPMN.
    #[error("not a BPMN 2.0 document: the root element is <{root}>, not <definitions> of {BPMN_NS}")]
    NotBpmn {
        /// The root element's local name.
        root: String,
    },
    /// No `<process>` in the document.
    #[error("the document has no <process>")]
    NoProcess,
    /// An element a plan cannot represent.
    #[error(
        "line {line}, column {column}: unsupported BPMN element <{element}>{}: a plan accepts tasks, start and end events, sequence flows, parallel and exclusive gateways, sub-processes and lanes",
        id.as_deref().map(|i| format!(" (id {i:?})")).unwrap_or_default()
    )]
    Unsupported {
        /// The element's local name.
        element: String,
        /// Its id, if it has one.
        id: Option<String>,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// A task without an id.
    #[error("line {line}: <{element}> has no id")]
    MissingId {
        /// The element.
        element: String,
        /// 1-based line.
        line: u32,
    },
    /// Two flow nodes share an id.
    #[error("line {line}: id {id:?} is already used at line {first_line}")]
    DuplicateId {
        /// The id.
        id: String,
        /// The second use.
        line: u32,
        /// The first use.
        first_line: u32,
    },
    /// An attribute with a value that cannot be used.
    #[error(
        "line {line}: <{element}{}> {attribute}={value:?}: {why}",
        id.as_deref().map(|i| format!(" id={i:?}")).unwrap_or_default()
    )]
    BadAttribute {
        /// The element.
        element: String,
        /// Its id, if any.
        id: Option<String>,
        /// The attribute.
        attribute: String,
        /// Its value.
        value: String,
        /// What is wrong.
        why: String,
        /// 1-based line.
        line: u32,
    },
    /// A sequence flow whose source or target is no flow node.
    #[error("line {line}: sequence flow {flow:?} refers to {reference:?}, which is not a flow node")]
    UnknownReference {
        /// The flow's id.
        flow: String,
        /// The missing reference.
        reference: String,
        /// 1-based line.
        line: u32,
    },
    /// The process reads, but its steps break plan rules (a cycle, …).
    #[error("the process is not a valid plan: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Plan {
        /// Every problem.
        problems: Vec<LocatedProblem>,
    },
    /// The plan was refused for another reason.
    #[error(transparent)]
    Rejected(PlanError),
}
