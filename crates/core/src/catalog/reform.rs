//! The reform report (三减一压缩) between two catalog versions: items, required materials
//! (要件), steps (环节) and the average promised limit in working days, before and after,
//! for the whole catalog and per department; and the items cut, added and changed.
//!
//! One computation: the admin catalog page, the JSON API and `tongban report reform` all
//! show this report.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::item::{Category, ItemCode, ServiceItem, TimeLimit};
use crate::org::DepartmentCode;

/// One measure before and after a reform, and its change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change<T> {
    /// In the version before.
    pub before: T,
    /// In the version after.
    pub after: T,
    /// `(after − before) / before × 100`, rounded to two decimals (−11.28 for 2,465 → 2,187);
    /// none when `before` is zero or either side has no value (a mean over no items).
    pub change_percent: Option<f64>,
}

impl Change<u64> {
    fn counts(before: u64, after: u64) -> Self {
        Self { before, after, change_percent: change_percent(before as f64, after as f64) }
    }
}

impl Change<Option<f64>> {
    fn means(before: Option<f64>, after: Option<f64>) -> Self {
        Self { before, after, change_percent: before.zip(after).and_then(|(b, a)| change_percent(b, a)) }
    }
}

/// The relative change in percent, two decimals; none from zero.
pub fn change_percent(before: f64, after: f64) -> Option<f64> {
    (before != 0.0).then(|| ((after - before) / before * 10_000.0).round() / 100.0)
}

/// The four measures of a reform (三减一压缩) over a set of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// 事项 — how many items.
    pub items: Change<u64>,
    /// 要件 — required materials, summed over the items (optional ones do not count).
    pub materials: Change<u64>,
    /// 环节 — process steps (办理流程), summed over the items that have steps; an item whose
    /// catalog row names no steps adds nothing (see [`steps_of`]).
    pub steps: Change<u64>,
    /// 承诺时限 — the mean promised limit in working days, over the items whose promised
    /// limit is given in working days (limits in hours and items due the same day are left
    /// out); none when there are no such items.
    pub average_promised_working_days: Change<Option<f64>>,
}

impl Measures {
    fn compare(before: &[&ServiceItem], after: &[&ServiceItem]) -> Self {
        let (b, a) = (Totals::of(before), Totals::of(after));
        Self {
            items: Change::counts(b.items, a.items),
            materials: Change::counts(b.materials, a.materials),
            steps: Change::counts(b.steps, a.steps),
            average_promised_working_days: Change::means(b.average_days(), a.average_days()),
        }
    }
}

/// The measures of one department (by the items' 实施部门 in each version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentReform {
    /// The department.
    pub department: DepartmentCode,
    /// Its measures.
    #[serde(flatten)]
    pub measures: Measures,
}

/// An item named in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    /// Code, stable across versions.
    pub code: ItemCode,
    /// Name (in the later version, for a changed item).
    pub name: String,
    /// Department (in the later version, for a changed item).
    pub department: DepartmentCode,
}

impl ItemRef {
    fn of(item: &ServiceItem) -> Self {
        Self { code: item.code.clone(), name: item.name.clone(), department: item.department.clone() }
    }
}

/// What a reform did (三减一压缩), comparing two catalog versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReformReport {
    /// The measures over the whole catalog.
    #[serde(flatten)]
    pub totals: Measures,
    /// The measures per department, by code: every department with items in either version.
    pub departments: Vec<DepartmentReform>,
    /// Items only before (取消 — cut), by code.
    pub cut: Vec<ItemRef>,
    /// Items only after (新增 — added), by code.
    pub added: Vec<ItemRef>,
    /// Items in both versions that differ in anything (name, limits, materials, …), by code.
    pub changed: Vec<ItemRef>,
    /// Items per commitment category before and after, in [`Category::ALL`] order.
    pub by_category: [(u64, u64); 4],
}

impl ReformReport {
    /// Compares the items of two versions.
    pub fn compare(before: &[ServiceItem], after: &[ServiceItem]) -> Self {
        let old: HashMap<&ItemCode, &ServiceItem> = before.iter().map(|i| (&i.code, i)).collect();
        let new: HashMap<&ItemCode, &ServiceItem> = after.iter().map(|i| (&i.code, i)).collect();
        let sorted = |mut refs: Vec<ItemRef>| {
            refs.sort_by(|a, b| a.code.cmp(&b.code));
            refs
        };
        let cut = sorted(before.iter().filter(|i| !new.contains_key(&i.code)).map(ItemRef::of).collect());
        let added = sorted(after.iter().filter(|i| !old.contains_key(&i.code)).map(ItemRef::of).collect());
        let changed =
            sorted(after.iter().filter(|i| old.get(&i.code).is_some_and(|o| *o != *i)).map(ItemRef::of).collect());
        let mut per_department: BTreeMap<&DepartmentCode, (Vec<&ServiceItem>, Vec<&ServiceItem>)> = BTreeMap::new();
        for i in before {
            per_department.entry(&i.department).or_default().0.push(i);
        }
        for i in after {
            per_department.entry(&i.department).or_default().1.push(i);
        }
        let departments = per_department
            .into_iter()
            .map(|(d, (b, a))| DepartmentReform { department: d.clone(), measures: Measures::compare(&b, &a) })
            .collect();
        let count = |items: &[ServiceItem], c| items.iter().filter(|i| i.category == c).count() as u64;
        Self {
            totals: Measures::compare(&before.iter().collect::<Vec<_>>(), &after.iter().collect::<Vec<_>>()),
            departments,
            cut,
            added,
            changed,
            by_category: Category::ALL.map(|c| (count(before, c), count(after, c))),
        }
    }

    /// The departments named in the report, by code.
    pub fn department_codes(&self) -> BTreeSet<&DepartmentCode> {
        self.departments.iter().map(|d| &d.department).collect()
    }
}

/// How many process steps (环节) an item has, if its catalog row names any: the one place
/// that counts them. An item without steps is unknown, not zero.
pub fn steps_of(item: &ServiceItem) -> Option<u64> {
    (!item.steps.is_empty()).then_some(item.steps.len() as u64)
}

/// Sums over a set of items.
#[derive(Default)]
struct Totals {
    items: u64,
    materials: u64,
    steps: u64,
    days: u64,
    day_limited: u64,
}

impl Totals {
    fn of(items: &[&ServiceItem]) -> Self {
        let mut t = Self::default();
        for i in items {
            t.items += 1;
            t.materials += i.materials.iter().filter(|m| m.required).count() as u64;
            t.steps += steps_of(i).unwrap_or(0);
            if let Some(TimeLimit::WorkingDays(n)) = i.promised_limit {
                t.days += u64::from(n.get());
                t.day_limited += 1;
            }
        }
        t
    }

    fn average_days(&self) -> Option<f64> {
        (self.day_limited > 0).then(|| self.days as f64 / self.day_limited as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Material;
    use crate::item::tests::sample_item;

    fn item(code: &str, department: &str, limit: Option<&str>, required: usize, optional: usize) -> ServiceItem {
        let mut i = sample_item();
        i.code = ItemCode::parse(code).expect("valid");
        i.department = DepartmentCode::parse(department).expect("valid");
        i.promised_limit = limit.map(|l| TimeLimit::parse("promised_limit", l).expect("valid"));
        i.category = if limit.is_some() { Category::TimeLimited } else { Category::SameDay };
        i.legal_limit = None;
        let material = |k: usize, required| Material { name: format!("材料{k}"), required, ..i.materials[0].clone() };
        i.materials =
            (0..required).map(|k| material(k, true)).chain((0..optional).map(|k| material(100 + k, false))).collect();
        assert_eq!(i.validate(), Ok(()));
        i
    }

    /// Before: A (fgw, 20d, 3+1 materials), B (fgw, 10d, 2), C (scj, 4h, 2), D (scj, same day, 1).
    /// After: A (fgw, 8d, 2+1), B unchanged, C (scj, 4h, 2) unchanged, E (scj, 6d, 1); D cut.
    fn versions() -> (Vec<ServiceItem>, Vec<ServiceItem>) {
        let before = vec![
            item("A", "fgw", Some("20d"), 3, 1),
            item("B", "fgw", Some("10d"), 2, 0),
            item("C", "scj", Some("4h"), 2, 0),
            item("D", "scj", None, 1, 0),
        ];
        let after = vec![
            item("A", "fgw", Some("8d"), 2, 1),
            item("B", "fgw", Some("10d"), 2, 0),
            item("C", "scj", Some("4h"), 2, 0),
            item("E", "scj", Some("6d"), 1, 0),
        ];
        (before, after)
    }

    #[test]
    fn the_totals_count_required_materials_and_average_only_limits_in_days() {
        let (before, after) = versions();
        let r = ReformReport::compare(&before, &after);
        assert_eq!(r.totals.items, Change { before: 4, after: 4, change_percent: Some(0.0) });
        // Required only: 3+2+2+1 = 8 → 2+2+2+1 = 7.
        assert_eq!(r.totals.materials, Change { before: 8, after: 7, change_percent: Some(-12.5) });
        // (20+10)/2 = 15 → (8+10+6)/3 = 8: the 4-hour and same-day items are left out.
        assert_eq!(
            r.totals.average_promised_working_days,
            Change { before: Some(15.0), after: Some(8.0), change_percent: Some(-46.67) }
        );
        // sample_item's 4 steps on every item: 16 → 16.
        assert_eq!(r.totals.steps, Change { before: 16, after: 16, change_percent: Some(0.0) });
    }

    #[test]
    fn steps_are_counted_where_items_have_them() {
        let (mut before, mut after) = versions();
        // Before: A has 受理;初审;复审;决定;送达 (5), D none; after: A has 受理;审查;决定 (3).
        before[0].steps = ["受理", "初审", "复审", "决定", "送达"].map(String::from).to_vec();
        before[3].steps.clear();
        after[0].steps = ["受理", "审查", "决定"].map(String::from).to_vec();
        assert_eq!(steps_of(&before[0]), Some(5));
        assert_eq!(steps_of(&before[3]), None);
        let r = ReformReport::compare(&before, &after);
        // 5 + 4 + 4 + 0 = 13 → 3 + 4 + 4 + 4 = 15.
        assert_eq!(r.totals.steps, Change { before: 13, after: 15, change_percent: Some(15.38) });
        let fgw = &r.departments[0].measures;
        assert_eq!(fgw.steps, Change { before: 9, after: 7, change_percent: Some(-22.22) });
        assert!(r.changed.iter().any(|i| i.code.as_str() == "A"));
    }

    #[test]
    fn departments_are_compared_one_by_one() {
        let (before, after) = versions();
        let r = ReformReport::compare(&before, &after);
        let codes: Vec<&str> = r.departments.iter().map(|d| d.department.as_str()).collect();
        assert_eq!(codes, ["fgw", "scj"]);
        let fgw = &r.departments[0].measures;
        assert_eq!(fgw.materials, Change { before: 5, after: 4, change_percent: Some(-20.0) });
        assert_eq!(
            fgw.average_promised_working_days,
            Change { before: Some(15.0), after: Some(9.0), change_percent: Some(-40.0) }
        );
        let scj = &r.departments[1].measures;
        assert_eq!(scj.items, Change { before: 2, after: 2, change_percent: Some(0.0) });
        // scj had no limit in days before: no mean, so no change.
        assert_eq!(scj.average_promised_working_days, Change { before: None, after: Some(6.0), change_percent: None });
    }

    #[test]
    fn items_cut_added_and_changed_are_named_by_code() {
        let (before, after) = versions();
        let r = ReformReport::compare(&before, &after);
        let codes = |refs: &[ItemRef]| refs.iter().map(|r| r.code.to_string()).collect::<Vec<_>>();
        assert_eq!(codes(&r.cut), ["D"]);
        assert_eq!(codes(&r.added), ["E"]);
        assert_eq!(codes(&r.changed), ["A"]);
        assert_eq!(r.by_category, [(0, 0), (1, 0), (3, 4), (0, 0)]);
    }

    #[test]
    fn the_json_has_the_measures_at_the_top() {
        let (before, after) = versions();
        let v = serde_json::to_value(ReformReport::compare(&before, &after)).expect("json");
        assert_eq!(v["materials"], serde_json::json!({"before": 8, "after": 7, "change_percent": -12.5}));
        assert_eq!(v["departments"][0]["department"], "fgw");
        assert_eq!(v["departments"][0]["items"]["before"], 2);
    }

    #[test]
    fn change_percent_is_rounded_and_undefined_from_zero() {
        assert_eq!(change_percent(2465.0, 2187.0), Some(-11.28));
        assert_eq!(change_percent(0.0, 3.0), None);
        assert_eq!(change_percent(4.0, 5.0), Some(25.0));
    }
}
