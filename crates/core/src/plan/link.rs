//! Linking a plan to a center's catalog (方案关联事项): each step's lead department is
//! resolved to one of the center's departments, and each step to the item of that
//! department it is handled as, so that starting the step opens a real case.
//!
//! Plans are written with the short names people use (发改委, 住建局, 自然资源局), while a
//! center's departments carry full names with the city in front (西宁市发展和改革委员会). A
//! lead department resolves, best first, to
//! 1. a department whose name or short name equals it once the city prefix is stripped
//!    (兰州市自然资源局 → 自然资源局);
//! 2. a department whose full name contains its characters in order, ending in the same kind
//!    of body (发改委 ≈ 发展和改革委员会, 住建局 ≈ 住房和城乡建设局, 人防办 ≈ 人民防空办公室,
//!    but not 公安局 ≈ 公安局出入境管理支队, whose name ends in 支队); the tighter fit wins.
//!
//! A step without an explicit item (or whose item the catalog lacks) is linked to the item of
//! its department whose name is most alike, by the Dice coefficient of character bigrams
//! (qualifiers in brackets set aside), when at least [`ITEM_THRESHOLD`]. Ties go to the base
//! item (no bracketed variant), then the closer full name, then the smaller code. Pure: the
//! caller reads departments and items from its store.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Plan, StepId};
use crate::item::ItemCode;
use crate::org::DepartmentCode;

/// The least bigram similarity for a step to be linked to an item by name.
pub const ITEM_THRESHOLD: f64 = 0.4;

/// A department of the center, as the linker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDepartment {
    /// Its code.
    pub code: DepartmentCode,
    /// Its full name, e.g. 兰州市发展和改革委员会.
    pub name: String,
    /// Its short name when known, e.g. 发改委.
    pub short_name: Option<String>,
}

/// A catalog item, as the linker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkItem {
    /// Its code.
    pub code: ItemCode,
    /// Its name.
    pub name: String,
    /// The department handling it.
    pub department: DepartmentCode,
}

/// How one step came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkOutcome {
    /// The step's own item code, which the catalog holds.
    Explicit,
    /// An item of its department matched by name.
    Matched,
    /// The step names no lead department.
    NoDepartment,
    /// Its lead department is none of the center's.
    UnknownDepartment,
    /// Its department has no item alike enough.
    NoItem,
}

impl LinkOutcome {
    /// The stable name: `explicit`, `matched`, `no_department`, `unknown_department`, `no_item`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Explicit => "explicit",
            Self::Matched => "matched",
            Self::NoDepartment => "no_department",
            Self::UnknownDepartment => "unknown_department",
            Self::NoItem => "no_item",
        }
    }

    /// True when the step opens a case.
    pub fn is_linked(self) -> bool {
        matches!(self, Self::Explicit | Self::Matched)
    }
}

/// One step's link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLink {
    /// The step.
    pub step: StepId,
    /// Its name.
    pub name: String,
    /// Its lead department as the plan writes it.
    pub lead_department: String,
    /// The center's department it resolved to.
    pub department: Option<DepartmentCode>,
    /// That department's name.
    pub department_name: Option<String>,
    /// The item it is handled as.
    pub item: Option<ItemCode>,
    /// That item's name.
    pub item_name: Option<String>,
    /// The name similarity (1 for an explicit item); for [`LinkOutcome::NoItem`], the best
    /// one found below the threshold.
    pub score: Option<f64>,
    /// How it came out.
    pub outcome: LinkOutcome,
    /// Why it is not linked, in words; empty when it is.
    pub reason: String,
}

/// What linking a plan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkReport {
    /// Steps in the plan.
    pub total: usize,
    /// Steps linked to an item.
    pub linked: usize,
    /// Every step, in plan order.
    pub steps: Vec<StepLink>,
    /// Lead departments that are none of the center's, sorted.
    pub unknown_departments: Vec<String>,
}

/// Removes the city in front of a name (兰州市自然资源局 → 自然资源局) and spaces.
pub fn normalise_department(name: &str) -> String {
    let t: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = t.chars().collect();
    // A city or prefecture is two to five characters before 市 (兰州市, 乌鲁木齐市); a 市 right
    // after the first character is part of the name (城市管理局).
    if let Some(i) = chars.iter().take(6).position(|&c| c == '市')
        && i >= 2
        && i + 1 < chars.len()
    {
        return chars[i + 1..].iter().collect();
    }
    t
}

/// True when every character of `short` occurs in `full`, in order.
fn is_subsequence(short: &str, full: &str) -> bool {
    let mut rest = full.chars();
    short.chars().all(|c| rest.by_ref().any(|f| f == c))
}

/// How well the lead department `lead` names `dept`: 0 when it does not.
fn department_score(lead: &str, dept: &LinkDepartment) -> f64 {
    let lead = normalise_department(lead);
    if lead.is_empty() {
        return 0.0;
    }
    let full = normalise_department(&dept.name);
    let short = dept.short_name.as_deref().map(normalise_department).filter(|s| !s.is_empty());
    if lead == full || short.as_deref() == Some(lead.as_str()) {
        return 3.0;
    }
    let ends_alike = |name: &str| {
        let tail: Vec<char> = name.chars().rev().take(3).collect();
        lead.chars().last().is_some_and(|c| tail.contains(&c))
    };
    let n = |s: &str| s.chars().count() as f64;
    [Some(full.as_str()), short.as_deref()]
        .into_iter()
        .flatten()
        .filter(|name| is_subsequence(&lead, name) && ends_alike(name))
        .map(|name| 1.0 + n(&lead) / n(name))
        .fold(0.0, f64::max)
}

/// The center's department the lead department `lead` names, if any (see the module doc).
pub fn resolve_department<'a>(lead: &str, departments: &'a [LinkDepartment]) -> Option<&'a LinkDepartment> {
    let mut best: Option<(&LinkDepartment, f64)> = None;
    for d in departments {
        let s = department_score(lead, d);
        if s <= 0.0 {
            continue;
        }
        best = match best {
            Some((b, bs)) if bs > s || (bs == s && b.code <= d.code) => Some((b, bs)),
            _ => Some((d, s)),
        };
    }
    best.map(|(d, _)| d)
}

/// The name without qualifiers in brackets and spaces: 节能审查（告知承诺） → 节能审查.
fn strip_qualifiers(name: &str) -> String {
    let mut depth = 0u32;
    let mut out = String::new();
    for c in name.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_whitespace() => out.push(c),
            _ => {}
        }
    }
    out
}

fn has_qualifier(name: &str) -> bool {
    name.contains(['（', '('])
}

fn bigrams(s: &str) -> BTreeSet<(char, char)> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    match chars.as_slice() {
        [] => BTreeSet::new(),
        [c] => BTreeSet::from([(*c, *c)]),
        _ => chars.windows(2).map(|w| (w[0], w[1])).collect(),
    }
}

/// The Dice coefficient of the two texts' character bigrams, 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let common = x.intersection(&y).count();
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// The kind of act a name ends in, for the acts that are not interchangeable: 核实
/// (verification), 验收 (acceptance), 备案 (filing), 登记 (registration), a payment; every
/// other ending (许可, 核发, 审批, 审查 …) is one kind, approval.
fn act_kind(name: &str) -> u8 {
    const KINDS: [(&str, u8); 8] =
        [("核实", 1), ("验收", 2), ("验线", 2), ("备案", 3), ("登记", 4), ("缴纳", 5), ("征收", 5), ("申报", 5)];
    KINDS.iter().find(|(end, _)| name.ends_with(end)).map_or(0, |&(_, k)| k)
}

/// How alike a step's name and an item's name are: their names without qualifiers, or in
/// full when that is closer; 0 when they end in different kinds of act (a 规划条件核实 is not
/// a 规划许可, however many characters they share).
pub fn name_score(step: &str, item: &str) -> f64 {
    let (s, i) = (strip_qualifiers(step), strip_qualifiers(item));
    if act_kind(&s) != act_kind(&i) {
        return 0.0;
    }
    similarity(&s, &i).max(similarity(step, item))
}

/// The best item of `items` for the step `name`, with its score (any score).
fn best_item<'a>(name: &str, items: &[&'a LinkItem]) -> Option<(&'a LinkItem, f64)> {
    let key = |i: &LinkItem| (name_score(name, &i.name), !has_qualifier(&i.name), similarity(name, &i.name));
    let mut best: Option<(&LinkItem, (f64, bool, f64))> = None;
    for &item in items {
        let k = key(item);
        let better = match &best {
            None => true,
            Some((b, bk)) => {
                k.0 > bk.0
                    || (k.0 == bk.0
                        && (k.1 && !bk.1 || (k.1 == bk.1 && (k.2 > bk.2 || (k.2 == bk.2 && item.code < b.code)))))
            }
        };
        if better {
            best = Some((item, k));
        }
    }
    best.map(|(i, k)| (i, k.0))
}

/// Links `plan` to the center's departments and items: the plan with each linkable step's
/// item set, and the report of every step. A step's explicit item is kept when the catalog
/// holds it (at any department); otherwise the step is matched by name among its
/// department's items. Unlinked steps keep what they had.
pub fn link(plan: &Plan, departments: &[LinkDepartment], items: &[LinkItem]) -> (Plan, LinkReport) {
    let mut steps = plan.steps().to_vec();
    let mut report = Vec::with_capacity(steps.len());
    let mut unknown = BTreeSet::new();
    for step in &mut steps {
        let dept = resolve_department(&step.lead_department, departments);
        let mut link = StepLink {
            step: step.id.clone(),
            name: step.name.clone(),
            lead_department: step.lead_department.clone(),
            department: dept.map(|d| d.code.clone()),
            department_name: dept.map(|d| d.name.clone()),
            item: None,
            item_name: None,
            score: None,
            outcome: LinkOutcome::NoItem,
            reason: String::new(),
        };
        if let Some(explicit) = step.item.as_ref().and_then(|code| items.iter().find(|i| &i.code == code)) {
            link.item = Some(explicit.code.clone());
            link.item_name = Some(explicit.name.clone());
            link.score = Some(1.0);
            link.outcome = LinkOutcome::Explicit;
        } else if step.lead_department.is_empty() {
            link.outcome = LinkOutcome::NoDepartment;
            link.reason = "the step names no lead department".into();
        } else if let Some(dept) = dept {
            let own: Vec<&LinkItem> = items.iter().filter(|i| i.department == dept.code).collect();
            match best_item(&step.name, &own) {
                Some((item, score)) if score >= ITEM_THRESHOLD => {
                    step.item = Some(item.code.clone());
                    link.item = Some(item.code.clone());
                    link.item_name = Some(item.name.clone());
                    link.score = Some(score);
                    link.outcome = LinkOutcome::Matched;
                }
                Some((item, score)) => {
                    link.score = Some(score);
                    link.reason = format!(
                        "no item of {} is alike enough (best: {} {}, {:.2} < {ITEM_THRESHOLD})",
                        dept.name, item.code, item.name, score
                    );
                }
                None => link.reason = format!("{} has no items in the catalog", dept.name),
            }
        } else {
            unknown.insert(step.lead_department.clone());
            link.outcome = LinkOutcome::UnknownDepartment;
            link.reason = format!("lead department {:?} is none of the center's departments", step.lead_department);
        }
        if let (Some(code), false) = (&step.item, link.outcome.is_linked()) {
            link.reason = format!("item {code} is not in the catalog; {}", link.reason);
        }
        report.push(link);
    }
    let linked = report.iter().filter(|l| l.outcome.is_linked()).count();
    let linked_plan = Plan::new(plan.id().clone(), plan.name(), plan.version(), steps).unwrap_or_else(|_| plan.clone());
    let report =
        LinkReport { total: report.len(), linked, steps: report, unknown_departments: unknown.into_iter().collect() };
    (linked_plan, report)
}

/// The plan's lead departments that are none of `departments` (a plan to be stored must
/// name the center's departments), with the first step naming each, in plan order.
pub fn unknown_lead_departments(plan: &Plan, departments: &[LinkDepartment]) -> Vec<(StepId, String)> {
    let mut seen = BTreeSet::new();
    plan.steps()
        .iter()
        .filter(|s| !s.lead_department.is_empty() && resolve_department(&s.lead_department, departments).is_none())
        .filter(|s| seen.insert(s.lead_department.clone()))
        .map(|s| (s.id.clone(), s.lead_department.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str, name: &str, short: Option<&str>) -> LinkDepartment {
        LinkDepartment {
            code: DepartmentCode::parse(code).unwrap(),
            name: name.into(),
            short_name: short.map(Into::into),
        }
    }

    #[test]
    fn departments_resolve_by_short_name_or_characters_in_order() {
        let depts = [
            dept("a", "西宁市发展和改革委员会", None),
            dept("b", "西宁市住房和城乡建设局", None),
            dept("c", "西宁市公安局出入境管理支队", None),
            dept("d", "西宁市人民防空办公室", None),
            dept("e", "西宁市自然资源和规划局", Some("自然资源局")),
            dept("f", "国网西宁供电公司", None),
        ];
        let code = |lead: &str| resolve_department(lead, &depts).map(|d| d.code.as_str().to_owned());
        assert_eq!(code("发改委").as_deref(), Some("a"));
        assert_eq!(code("住建局").as_deref(), Some("b"));
        assert_eq!(code("人防办").as_deref(), Some("d"));
        assert_eq!(code("自然资源局").as_deref(), Some("e"));
        assert_eq!(code("西宁市自然资源和规划局").as_deref(), Some("e"));
        assert_eq!(code("供电公司").as_deref(), Some("f"));
        assert_eq!(code("公安局"), None, "a 支队 is not the 公安局");
        assert_eq!(code("政法委"), None);
        assert_eq!(normalise_department("城市管理局"), "城市管理局");
        assert_eq!(normalise_department("兰州市城市管理局"), "城市管理局");
        assert_eq!(normalise_department("兰州市市场监督管理局"), "市场监督管理局");
        assert_eq!(code(""), None);
    }

    #[test]
    fn similarity_is_bigram_dice() {
        assert!((similarity("建设工程规划许可证核发", "建设工程规划许可证核发") - 1.0).abs() < 1e-9);
        // 7 common bigrams of 10 and 7.
        assert!((similarity("建设工程规划许可证核发", "建设工程规划许可") - 14.0 / 17.0).abs() < 1e-9);
        assert_eq!(similarity("", "x"), 0.0);
        assert!((name_score("节能审查（告知承诺）", "节能审查") - 1.0).abs() < 1e-9);
        assert_eq!(name_score("建设工程规划条件核实（多测合一）", "建设工程规划许可"), 0.0);
        assert_eq!(name_score("建设项目环境影响评价审批", "建设项目环境影响登记表备案"), 0.0);
        assert!(name_score("竣工验收备案", "建设工程竣工验收备案") > 0.7);
    }

    #[test]
    fn steps_link_to_their_departments_items_and_report_the_rest() {
        use crate::plan::{Module, Section, Step};
        let step = |id: &str, name: &str, lead: &str, pre: &[&str]| Step {
            id: StepId::parse(id).unwrap(),
            name: name.into(),
            module: Module::Initiation,
            section: Section::Approval,
            lead_department: lead.into(),
            cooperating: vec![],
            item: None,
            days: 1,
            prerequisites: pre.iter().map(|p| StepId::parse(p).unwrap()).collect(),
        };
        let plan = Plan::new(
            crate::plan::PlanId::parse("p").unwrap(),
            "p",
            1,
            vec![
                step("a", "建设工程规划许可证核发", "自然资源局", &[]),
                step("b", "社会稳定风险评估", "政法委", &["a"]),
                step("c", "项目策划生成", "发改委", &["a"]),
            ],
        )
        .unwrap();
        let depts = [dept("zr", "西宁市自然资源和规划局", None), dept("fg", "西宁市发展和改革委员会", None)];
        let item = |code: &str, name: &str, d: &str| LinkItem {
            code: ItemCode::parse(code).unwrap(),
            name: name.into(),
            department: DepartmentCode::parse(d).unwrap(),
        };
        let items = [
            item("Z-2", "建设工程规划许可（变更）", "zr"),
            item("Z-1", "建设工程规划许可", "zr"),
            item("F-1", "企业投资项目备案", "fg"),
        ];
        let (linked, report) = link(&plan, &depts, &items);
        assert_eq!(linked.steps()[0].item.as_ref().map(ItemCode::as_str), Some("Z-1"));
        assert_eq!((report.total, report.linked), (3, 1));
        assert_eq!(report.steps[1].outcome, LinkOutcome::UnknownDepartment);
        assert_eq!(report.steps[2].outcome, LinkOutcome::NoItem);
        assert_eq!(report.unknown_departments, vec!["政法委".to_owned()]);
        assert_eq!(unknown_lead_departments(&plan, &depts), vec![(StepId::parse("b").unwrap(), "政法委".to_owned())]);

        // An explicit item the catalog holds is kept; one it lacks gives way to a match.
        let mut steps = plan.steps().to_vec();
        steps[0].item = Some(ItemCode::parse("F-1").unwrap());
        steps[2].item = Some(ItemCode::parse("GONE-1").unwrap());
        let plan = Plan::new(plan.id().clone(), "p", 1, steps).unwrap();
        let (linked, report) = link(&plan, &depts, &items);
        assert_eq!(report.steps[0].outcome, LinkOutcome::Explicit);
        assert_eq!(linked.steps()[0].item.as_ref().map(ItemCode::as_str), Some("F-1"));
        assert_eq!(report.steps[2].outcome, LinkOutcome::NoItem);
        assert!(report.steps[2].reason.starts_with("item GONE-1 is not in the catalog"), "{}", report.steps[2].reason);
    }
}
