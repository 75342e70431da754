//! The demo catalog before the reform (改革前): the first of the demo's two catalog versions,
//! so the reform report (三减一压缩) between them tells the model center's story — required
//! materials down about 11 %, promised working days down about 42 %, a few items cut
//! (取消) and a few new, and process steps down about 30 % (the old versions passed
//! through more hands: 初审, 复审, 现场核查, 集体研究, 领导签批).
//!
//! **Generated demo data.** It is derived from the current catalog: the items the reform
//! cut are invented variants of real ones, the materials it dropped come from a list of
//! the proofs such reforms typically remove, and the longer promises stay within each
//! item's legal limit.

use std::num::NonZeroU32;

use anyhow::anyhow;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;
use tongban_core::catalog::{Change, ReformReport};
use tongban_core::item::{Category, ItemCode, Material, MaterialForm, ServiceItem, TimeLimit};

use super::org::CITY;

/// The label of the version before the reform.
pub(super) const LABEL: &str = "2025 年版（改革前）";

/// Required materials after ÷ before: the model center's 要件 cut of about 11 %.
const MATERIALS_KEPT: f64 = 0.89;

/// Average promised working days after ÷ before: the model's 时限 cut of about 42 %.
const DAYS_KEPT: f64 = 0.58;

/// Process steps after ÷ before: steps (环节) cut by about 30 %.
const STEPS_KEPT: f64 = 0.7;

/// Steps the reform merged away, in the order they stood before the decision.
const EXTRA_STEPS: [&str; 5] = ["初审", "复审", "现场核查", "集体研究", "领导签批"];

/// Items the reform cut (取消) from the version before.
const CUT: usize = 14;

/// Every `NEW_EVERY`th current item is new with the reform (absent before).
const NEW_EVERY: usize = 40;

/// Proofs the reform no longer asks for (证明事项清理).
const DROPPED: [&str; 10] = [
    "户口簿",
    "无犯罪记录证明",
    "单位介绍信",
    "房产证明",
    "婚姻状况证明",
    "申请报告",
    "经办人身份证明",
    "场地使用证明",
    "相关部门审查意见",
    "信用承诺书",
];

/// What the reform cut items were before it: an extra pass through another office.
const CUT_AS: [&str; 4] = ["年检", "前置审查", "资格初审", "备案核准"];

/// The version before the reform, derived from the `current` items.
pub(super) fn before(rng: &mut ChaCha8Rng, current: &[ServiceItem]) -> anyhow::Result<Vec<ServiceItem>> {
    let mut items: Vec<ServiceItem> =
        current.iter().enumerate().filter(|(k, _)| k % NEW_EVERY != NEW_EVERY / 2).map(|(_, i)| i.clone()).collect();
    let mut cut: Vec<ServiceItem> = current
        .choose_multiple(rng, CUT)
        .enumerate()
        .map(|(k, i)| {
            let mut old = i.clone();
            let code = format!("{CITY}-{}-{}", i.department.as_str().to_ascii_uppercase(), 901 + k);
            old.code = ItemCode::parse(&code).map_err(|e| anyhow!("cut item code {code}: {e}"))?;
            old.name = format!("{}（{}）", i.name, CUT_AS[k % CUT_AS.len()]);
            Ok(old)
        })
        .collect::<anyhow::Result<_>>()?;
    items.append(&mut cut);
    add_materials(rng, &mut items, current);
    lengthen_promises(&mut items, current)?;
    items.sort_by(|a, b| a.code.cmp(&b.code));
    add_steps(rng, &mut items, current);
    for item in &items {
        item.validate().map_err(|errors| anyhow!("generated item {} is invalid: {errors:?}", item.code))?;
    }
    Ok(items)
}

/// Adds required materials until the current version asks for [`MATERIALS_KEPT`] of them.
fn add_materials(rng: &mut ChaCha8Rng, items: &mut [ServiceItem], current: &[ServiceItem]) {
    let required = |items: &[ServiceItem]| items.iter().map(|i| i.required_materials().count()).sum::<usize>();
    let target = (required(current) as f64 / MATERIALS_KEPT).round() as usize;
    let mut missing = target.saturating_sub(required(items));
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.shuffle(rng);
    'rounds: for name in DROPPED {
        for &k in &order {
            if missing == 0 {
                break 'rounds;
            }
            let item = &mut items[k];
            // About one item in three asked for each proof.
            if item.materials.iter().any(|m| m.name == name) || k % 3 != name.len() % 3 {
                continue;
            }
            item.materials.push(Material { name: name.to_owned(), required: true, form: MaterialForm::Original });
            missing -= 1;
        }
    }
}

/// Adds steps the reform merged away until the current version has [`STEPS_KEPT`] of them:
/// 初审 after 受理, the others just before the decision. Items decided on the spot keep
/// theirs.
fn add_steps(rng: &mut ChaCha8Rng, items: &mut [ServiceItem], current: &[ServiceItem]) {
    let steps = |items: &[ServiceItem]| items.iter().map(|i| i.steps.len()).sum::<usize>();
    let target = (steps(current) as f64 / STEPS_KEPT).round() as usize;
    let mut missing = target.saturating_sub(steps(items));
    let mut order: Vec<usize> = (0..items.len()).filter(|&k| items[k].category != Category::OnTheSpot).collect();
    order.shuffle(rng);
    'rounds: for name in EXTRA_STEPS {
        for &k in &order {
            if missing == 0 {
                break 'rounds;
            }
            let steps = &mut items[k].steps;
            let at = if name == EXTRA_STEPS[0] {
                1
            } else {
                steps
                    .iter()
                    .position(|s| ["决定", "办结", "登簿"].contains(&s.as_str()))
                    .unwrap_or(steps.len().saturating_sub(1))
            };
            steps.insert(at.min(steps.len()), name.to_owned());
            missing -= 1;
        }
    }
}

/// Lengthens the promises in working days, each by the same factor (within the legal limit),
/// until the current average is [`DAYS_KEPT`] of the old one.
fn lengthen_promises(items: &mut [ServiceItem], current: &[ServiceItem]) -> anyhow::Result<()> {
    let original: Vec<Option<TimeLimit>> = items.iter().map(|i| i.promised_limit).collect();
    let mut factor = 1.0;
    while factor < 4.0 {
        for (item, limit) in items.iter_mut().zip(&original) {
            if let (Some(TimeLimit::WorkingDays(d)), Category::TimeLimited | Category::Agency) = (limit, item.category)
            {
                let legal = match item.legal_limit {
                    Some(TimeLimit::WorkingDays(l)) => l.get(),
                    _ => u32::MAX,
                };
                let days = ((f64::from(d.get()) * factor).round() as u32).clamp(d.get(), legal.max(d.get()));
                item.promised_limit = Some(TimeLimit::WorkingDays(NonZeroU32::new(days).unwrap_or(*d)));
            }
        }
        let days = ReformReport::compare(items, current).totals.average_promised_working_days;
        if let Change { before: Some(b), after: Some(a), .. } = days
            && a / b <= DAYS_KEPT
        {
            return Ok(());
        }
        factor += 0.01;
    }
    Err(anyhow!("the legal limits leave no room for the old promises"))
}
