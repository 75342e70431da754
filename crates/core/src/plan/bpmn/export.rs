//! [`Plan`] → BPMN 2.0 XML with a simple left-to-right diagram. See the parent module.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::{BPMN_NS, TONGBAN_NS};
use crate::plan::Plan;

// Diagram geometry, in the modelers' pixels.
const TASK_W: i64 = 100;
const TASK_H: i64 = 80;
const GATEWAY: i64 = 50;
const EVENT: i64 = 36;
const COLUMN: i64 = 200;
const ROW: i64 = 110;
const LANE_HEADER: i64 = 30;
const BAND_PAD: i64 = 15;
/// Left of the first step column: lane header, start event and split gateway.
const FIRST_COLUMN_X: i64 = LANE_HEADER + 190;

/// A shape's bounds.
#[derive(Clone, Copy)]
struct Bounds {
    x: i64,
    y: i64,
    w: i64,
    h: i64,
}

impl Bounds {
    fn right(self) -> (i64, i64) {
        (self.x + self.w, self.y + self.h / 2)
    }
    fn left(self) -> (i64, i64) {
        (self.x, self.y + self.h / 2)
    }
}

/// Names of the elements export adds, under a prefix no step id or plan id starts with.
struct Ids {
    prefix: String,
}

impl Ids {
    fn new(plan: &Plan) -> Ids {
        let taken =
            |p: &str| plan.id().as_str().starts_with(p) || plan.steps().iter().any(|s| s.id.as_str().starts_with(p));
        let mut prefix = "tb_".to_owned();
        let mut n = 0u32;
        while taken(&prefix) {
            n += 1;
            prefix = format!("tb{n}_");
        }
        Ids { prefix }
    }
    fn id(&self, what: &str) -> String {
        format!("{}{what}", self.prefix)
    }
}

pub(super) fn export(plan: &Plan) -> String {
    let ids = Ids::new(plan);
    let steps = plan.steps();
    let index: HashMap<&str, usize> = steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let preds: Vec<Vec<usize>> =
        steps.iter().map(|s| s.prerequisites.iter().filter_map(|p| index.get(p.as_str()).copied()).collect()).collect();
    let mut has_dependents = vec![false; steps.len()];
    preds.iter().flatten().for_each(|&p| has_dependents[p] = true);

    // Flow nodes besides the tasks, and the flows between all of them.
    let start = ids.id("start");
    let end = ids.id("end");
    let split = ids.id("split");
    let join_end = ids.id("join_end");
    let sources: Vec<usize> = (0..steps.len()).filter(|&i| preds[i].is_empty()).collect();
    let sinks: Vec<usize> = (0..steps.len()).filter(|&i| !has_dependents[i]).collect();
    let joins: Vec<Option<String>> =
        (0..steps.len()).map(|i| (preds[i].len() > 1).then(|| ids.id(&format!("join_{i}")))).collect();
    let mut flows: Vec<(String, String)> = Vec::new();
    let sid = |i: usize| steps[i].id.as_str().to_owned();
    if sources.len() > 1 {
        flows.push((start.clone(), split.clone()));
        flows.extend(sources.iter().map(|&i| (split.clone(), sid(i))));
    } else {
        flows.extend(sources.iter().map(|&i| (start.clone(), sid(i))));
    }
    for (i, join) in joins.iter().enumerate() {
        match join {
            Some(j) => {
                flows.extend(preds[i].iter().map(|&p| (sid(p), j.clone())));
                flows.push((j.clone(), sid(i)));
            }
            None => flows.extend(preds[i].iter().map(|&p| (sid(p), sid(i)))),
        }
    }
    if sinks.len() > 1 {
        flows.extend(sinks.iter().map(|&i| (sid(i), join_end.clone())));
        flows.push((join_end.clone(), end.clone()));
    } else {
        flows.extend(sinks.iter().map(|&i| (sid(i), end.clone())));
    }

    let layout = Layout::new(plan, &preds);
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:tongban="{TONGBAN_NS}" id="{}" targetNamespace="urn:tongban:plans" exporter="tongban" exporterVersion="{}">"#,
        ids.id("definitions"),
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        r#"  <bpmn:collaboration id="{}">
    <bpmn:participant id="{}" name="{}" processRef="{}" />
  </bpmn:collaboration>"#,
        ids.id("collaboration"),
        ids.id("participant"),
        esc(plan.name()),
        plan.id()
    );
    let _ = writeln!(
        out,
        r#"  <bpmn:process id="{}" name="{}" isExecutable="false" tongban:version="{}">"#,
        plan.id(),
        esc(plan.name()),
        plan.version()
    );
    write_lanes(&mut out, &ids, plan, &layout);
    let _ = writeln!(out, r#"    <bpmn:startEvent id="{start}" />"#);
    if sources.len() > 1 {
        let _ = writeln!(out, r#"    <bpmn:parallelGateway id="{split}" />"#);
    }
    for (i, step) in steps.iter().enumerate() {
        if let Some(j) = &joins[i] {
            let _ = writeln!(out, r#"    <bpmn:parallelGateway id="{j}" />"#);
        }
        let item = step.item.as_ref().map(|c| format!(r#" tongban:item="{}""#, esc(c.as_str()))).unwrap_or_default();
        let _ = write!(
            out,
            r#"    <bpmn:userTask id="{}" name="{}" tongban:module="{}" tongban:section="{}" tongban:days="{}"{item}"#,
            step.id,
            esc(&step.name),
            step.module.as_str(),
            step.section.as_str(),
            step.days
        );
        if step.cooperating.is_empty() {
            let _ = writeln!(out, " />");
        } else {
            let _ = writeln!(out, ">\n      <bpmn:extensionElements>");
            for unit in &step.cooperating {
                let _ = writeln!(out, "        <tongban:cooperating>{}</tongban:cooperating>", esc(unit));
            }
            let _ = writeln!(out, "      </bpmn:extensionElements>\n    </bpmn:userTask>");
        }
    }
    if sinks.len() > 1 {
        let _ = writeln!(out, r#"    <bpmn:parallelGateway id="{join_end}" />"#);
    }
    let _ = writeln!(out, r#"    <bpmn:endEvent id="{end}" />"#);
    for (k, (source, target)) in flows.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"    <bpmn:sequenceFlow id="{}" sourceRef="{source}" targetRef="{target}" />"#,
            ids.id(&format!("flow_{k}"))
        );
    }
    let _ = writeln!(out, "  </bpmn:process>");
    write_diagram(&mut out, &ids, plan, &layout, &joins, &flows, sources.len() > 1, sinks.len() > 1);
    let _ = writeln!(out, "</bpmn:definitions>");
    out
}

/// Where everything goes: a column per dependency level, a band per lane (lead department;
/// a last band without a lane for unassigned steps), rows within a band.
struct Layout {
    /// Lane names in order of first appearance.
    lanes: Vec<String>,
    /// Band of each step.
    band: Vec<usize>,
    /// Task bounds of each step.
    task: Vec<Bounds>,
    /// Top and height of each band.
    bands: Vec<(i64, i64)>,
    /// Number of step columns.
    columns: i64,
}

impl Layout {
    fn new(plan: &Plan, preds: &[Vec<usize>]) -> Layout {
        let steps = plan.steps();
        let mut lanes: Vec<String> = Vec::new();
        for s in steps {
            if !s.lead_department.is_empty() && !lanes.contains(&s.lead_department) {
                lanes.push(s.lead_department.clone());
            }
        }
        let band: Vec<usize> =
            steps.iter().map(|s| lanes.iter().position(|l| *l == s.lead_department).unwrap_or(lanes.len())).collect();
        let band_count = lanes.len() + usize::from(band.contains(&lanes.len()));
        let band_count = band_count.max(1);
        let index: HashMap<&str, usize> = steps.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let mut level = vec![0i64; steps.len()];
        for s in plan.topological_order() {
            if let Some(&i) = index.get(s.id.as_str()) {
                level[i] = preds[i].iter().map(|&p| level[p] + 1).max().unwrap_or(0);
            }
        }
        let columns = level.iter().copied().max().map_or(1, |m| m + 1);
        let mut row_in = HashMap::new();
        let mut row = vec![0i64; steps.len()];
        let mut rows = vec![1i64; band_count];
        for i in 0..steps.len() {
            let r = row_in.entry((band[i], level[i])).or_insert(0i64);
            row[i] = *r;
            *r += 1;
            rows[band[i]] = rows[band[i]].max(*r);
        }
        let mut bands = Vec::with_capacity(band_count);
        let mut top = 0;
        for &r in &rows {
            let height = r * ROW + 2 * BAND_PAD - (ROW - TASK_H);
            bands.push((top, height));
            top += height;
        }
        let task = (0..steps.len())
            .map(|i| Bounds {
                x: FIRST_COLUMN_X + level[i] * COLUMN,
                y: bands[band[i]].0 + BAND_PAD + row[i] * ROW,
                w: TASK_W,
                h: TASK_H,
            })
            .collect();
        Layout { lanes, band, task, bands, columns }
    }

    fn width(&self) -> i64 {
        FIRST_COLUMN_X + self.columns * COLUMN + 80
    }

    fn height(&self) -> i64 {
        self.bands.last().map_or(TASK_H, |(top, h)| top + h)
    }

    /// The centre line of the first row, where the start and end events sit.
    fn axis(&self) -> i64 {
        BAND_PAD + TASK_H / 2
    }
}

fn write_lanes(out: &mut String, ids: &Ids, plan: &Plan, layout: &Layout) {
    if layout.lanes.is_empty() {
        return;
    }
    let _ = writeln!(out, r#"    <bpmn:laneSet id="{}">"#, ids.id("lanes"));
    for (k, lane) in layout.lanes.iter().enumerate() {
        let _ = writeln!(out, r#"      <bpmn:lane id="{}" name="{}">"#, ids.id(&format!("lane_{k}")), esc(lane));
        for (i, step) in plan.steps().iter().enumerate() {
            if layout.band[i] == k {
                let _ = writeln!(out, "        <bpmn:flowNodeRef>{}</bpmn:flowNodeRef>", step.id);
            }
        }
        let _ = writeln!(out, "      </bpmn:lane>");
    }
    let _ = writeln!(out, "    </bpmn:laneSet>");
}

#[expect(clippy::too_many_arguments, reason = "one call site; the pieces are computed by export")]
fn write_diagram(
    out: &mut String,
    ids: &Ids,
    plan: &Plan,
    layout: &Layout,
    joins: &[Option<String>],
    flows: &[(String, String)],
    split: bool,
    join_end: bool,
) {
    let mut bounds: HashMap<String, Bounds> = HashMap::new();
    let axis = layout.axis();
    let gateway_at = |x: i64, cy: i64| Bounds { x, y: cy - GATEWAY / 2, w: GATEWAY, h: GATEWAY };
    let event_at = |x: i64| Bounds { x, y: axis - EVENT / 2, w: EVENT, h: EVENT };
    bounds.insert(ids.id("start"), event_at(LANE_HEADER + 30));
    if split {
        bounds.insert(ids.id("split"), gateway_at(LANE_HEADER + 110, axis));
    }
    let after_last = FIRST_COLUMN_X + layout.columns * COLUMN;
    if join_end {
        bounds.insert(ids.id("join_end"), gateway_at(after_last - 70, axis));
    }
    bounds.insert(ids.id("end"), event_at(after_last + 20));
    for (i, step) in plan.steps().iter().enumerate() {
        let t = layout.task[i];
        bounds.insert(step.id.to_string(), t);
        if let Some(j) = &joins[i] {
            bounds.insert(j.clone(), gateway_at(t.x - 70, t.y + TASK_H / 2));
        }
    }
    let _ = writeln!(out, r#"  <bpmndi:BPMNDiagram id="{}">"#, ids.id("diagram"));
    let _ =
        writeln!(out, r#"    <bpmndi:BPMNPlane id="{}" bpmnElement="{}">"#, ids.id("plane"), ids.id("collaboration"));
    shape(out, &ids.id("participant"), Bounds { x: 0, y: 0, w: layout.width(), h: layout.height() }, true);
    for (k, &(top, height)) in layout.bands.iter().enumerate().take(layout.lanes.len()) {
        let lane = Bounds { x: LANE_HEADER, y: top, w: layout.width() - LANE_HEADER, h: height };
        shape(out, &ids.id(&format!("lane_{k}")), lane, true);
    }
    let mut placed: Vec<(&String, &Bounds)> = bounds.iter().collect();
    placed.sort_by(|a, b| a.0.cmp(b.0));
    for (id, b) in placed {
        shape(out, id, *b, false);
    }
    for (k, (source, target)) in flows.iter().enumerate() {
        let (Some(s), Some(t)) = (bounds.get(source), bounds.get(target)) else {
            continue;
        };
        let ((sx, sy), (tx, ty)) = (s.right(), t.left());
        let flow = ids.id(&format!("flow_{k}"));
        let _ = writeln!(out, r#"      <bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}">"#);
        let mut points = vec![(sx, sy)];
        if sy != ty {
            let mx = tx - 20;
            points.push((mx, sy));
            points.push((mx, ty));
        }
        points.push((tx, ty));
        for (x, y) in points {
            let _ = writeln!(out, r#"        <di:waypoint x="{x}" y="{y}" />"#);
        }
        let _ = writeln!(out, "      </bpmndi:BPMNEdge>");
    }
    let _ = writeln!(out, "    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>");
}

fn shape(out: &mut String, element: &str, b: Bounds, horizontal: bool) {
    let h = if horizontal { r#" isHorizontal="true""# } else { "" };
    let _ = writeln!(
        out,
        r#"      <bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{h}>
        <dc:Bounds x="{}" y="{}" width="{}" height="{}" />
      </bpmndi:BPMNShape>"#,
        b.x, b.y, b.w, b.h
    );
}

/// Escapes text for an attribute value or element content. Plans hold no control
/// characters (validation refuses them), so nothing else needs a character reference.
fn esc(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
