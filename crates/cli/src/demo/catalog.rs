//! The demo catalog (一本账): about 240 service items built from the department table.
//!
//! **Generated demo data, not a published list.** Names are modelled on the kinds of items
//! a city hall handles, but codes, limits, materials, fees, article numbers, conditions,
//! steps and phones are invented.
//! The category split follows the model center's four lists (四办四清单) of
//! 102 : 60 : 434 : 51 items, scaled to [`ITEM_COUNT`].

use std::num::NonZeroU32;

use anyhow::{Context as _, anyhow};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use tongban_core::division::DivisionCode;
use tongban_core::item::{Category, Channel, Fee, ItemCode, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit};
use tongban_core::org::{DepartmentCode, SiteCode};

use super::org::CITY;
use super::spec::{DeptSpec, ItemSpec};

/// Items in the demo catalog.
pub(super) const ITEM_COUNT: usize = 240;

/// The model center's list sizes, in [`Category::ALL`] order: 即收即办 102, 当日办结 60,
/// 限时办结 434, 代办服务 51.
pub(super) const MODEL_SPLIT: [usize; 4] = [102, 60, 434, 51];

/// The label of the demo catalog version.
pub(super) const LABEL: &str = "2026 年版";

/// Items per category for `total` items, in the model's proportions (rounded; the
/// time-limited list absorbs the rounding so the sum is exact).
pub(super) fn category_targets(total: usize) -> [usize; 4] {
    let sum: usize = MODEL_SPLIT.iter().sum();
    let mut t = MODEL_SPLIT.map(|n| (n * total + sum / 2) / sum);
    t[2] = total.saturating_sub(t[0] + t[1] + t[3]);
    t
}

/// An item before its category is known.
struct Draft<'a> {
    dept: usize,
    base: usize,
    spec: &'a ItemSpec,
    variant: Option<&'static str>,
    /// How much work the item is; decides its category.
    score: f64,
}

/// Builds the catalog: every item valid, [`ITEM_COUNT`] of them if the table has enough.
pub(super) fn build(rng: &mut ChaCha8Rng, depts: &[DeptSpec]) -> anyhow::Result<Vec<ServiceItem>> {
    let drafts = drafts(rng, depts);
    let categories = assign_categories(&drafts, depts);
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].dept, drafts[i].base, drafts[i].variant.is_some(), i));
    let mut items = Vec::with_capacity(drafts.len());
    let mut numbers = vec![0u32; depts.len()];
    for i in order {
        let d = &drafts[i];
        numbers[d.dept] += 1;
        let mut item = item(rng, &depts[d.dept], d, categories[i], numbers[d.dept])?;
        let g = super::guide::of(&depts[d.dept], d.dept, d.spec.kind, categories[i], d.spec.name, d.variant);
        item.sites = g.sites.into_iter().map(SiteCode::parse).collect::<Result<_, _>>()?;
        item.conditions = g.conditions;
        item.steps = g.steps.into_iter().map(str::to_owned).collect();
        item.contact = g.contact;
        item.validate().map_err(|errors| anyhow!("generated item {} is invalid: {errors:?}", item.code))?;
        items.push(item);
    }
    Ok(items)
}

/// Every base item, then variants taken round-robin over the departments until the count
/// is reached.
fn drafts<'a>(rng: &mut ChaCha8Rng, depts: &'a [DeptSpec]) -> Vec<Draft<'a>> {
    let mut drafts = Vec::new();
    let mut queues: Vec<Vec<((usize, usize), &'static str)>> = Vec::new();
    for (dept, spec) in depts.iter().enumerate() {
        let mut queue = Vec::new();
        for (base, item) in spec.items.iter().enumerate() {
            drafts.push(Draft { dept, base, spec: item, variant: None, score: 0.0 });
            queue.extend(item.variant_names().iter().enumerate().map(|(k, v)| ((k, base), *v)));
        }
        // First variant of every base, then the second …; reversed to pop from the end.
        queue.sort_by_key(|&(key, _)| std::cmp::Reverse(key));
        queues.push(queue);
    }
    'fill: while drafts.len() < ITEM_COUNT {
        let mut added = false;
        for (dept, queue) in queues.iter_mut().enumerate() {
            if drafts.len() >= ITEM_COUNT {
                break 'fill;
            }
            if let Some(((_, base), variant)) = queue.pop() {
                drafts.push(Draft { dept, base, spec: &depts[dept].items[base], variant: Some(variant), score: 0.0 });
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    drafts.truncate(ITEM_COUNT);
    for d in &mut drafts {
        let days = if d.spec.legal_days == 0 { 0.5 } else { f64::from(d.spec.legal_days) };
        let variant = match d.variant {
            None => 1.0,
            Some("变更") => 0.6,
            Some("延续") => 0.8,
            Some("换发") => 0.5,
            Some(_) => 0.25,
        };
        let service = if d.spec.kind == ItemKind::PublicService { 0.7 } else { 1.0 };
        d.score = days * variant * service * rng.random_range(0.75..1.25);
    }
    drafts
}

/// Categories by workload: the heaviest construction items get agency service, the
/// lightest items are handled on the spot, the next lightest the same day.
fn assign_categories(drafts: &[Draft<'_>], depts: &[DeptSpec]) -> Vec<Category> {
    let [spot, same_day, _, agency] = category_targets(drafts.len());
    let mut categories = vec![Category::TimeLimited; drafts.len()];
    let agency_key = |d: &Draft<'_>| {
        let project = depts[d.dept].construction && d.spec.kind != ItemKind::PublicService;
        d.score * if project { 3.0 } else { 1.0 }
    };
    let mut by_agency: Vec<usize> = (0..drafts.len()).collect();
    by_agency.sort_by(|&a, &b| agency_key(&drafts[b]).total_cmp(&agency_key(&drafts[a])).then(a.cmp(&b)));
    for &i in by_agency.iter().take(agency) {
        categories[i] = Category::Agency;
    }
    let mut by_score: Vec<usize> = (0..drafts.len()).filter(|&i| categories[i] != Category::Agency).collect();
    by_score.sort_by(|&a, &b| drafts[a].score.total_cmp(&drafts[b].score).then(a.cmp(&b)));
    for (rank, &i) in by_score.iter().enumerate() {
        if rank < spot {
            categories[i] = Category::OnTheSpot;
        } else if rank < spot + same_day {
            categories[i] = Category::SameDay;
        }
    }
    categories
}

fn item(
    rng: &mut ChaCha8Rng,
    dept: &DeptSpec,
    d: &Draft<'_>,
    category: Category,
    number: u32,
) -> anyhow::Result<ServiceItem> {
    let name = match d.variant {
        Some(v) => format!("{}（{}）", d.spec.name, v),
        None => d.spec.name.to_owned(),
    };
    let code = format!("{CITY}-{}-{number:03}", dept.code.to_ascii_uppercase());
    let legal_limit = NonZeroU32::new(d.spec.legal_days).map(TimeLimit::WorkingDays);
    let promised_limit = match category {
        Category::OnTheSpot | Category::SameDay => None,
        Category::TimeLimited | Category::Agency => Some(promised(rng, d.spec.legal_days, category)?),
    };
    let mut fees: Vec<Fee> = Vec::new();
    if d.variant != Some("注销") {
        if let Some((fee, amount_fen)) = d.spec.fee {
            fees.push(Fee { name: fee.to_owned(), amount_fen });
        } else if matches!(d.variant, Some("换发" | "补发")) {
            fees.push(Fee { name: "工本费".to_owned(), amount_fen: 1000 });
        }
    }
    Ok(ServiceItem {
        code: ItemCode::parse(&code).with_context(|| format!("item code {code:?}"))?,
        name,
        department: DepartmentCode::parse(dept.code)?,
        division: DivisionCode::parse(CITY)?,
        kind: d.spec.kind,
        category,
        legal_limit,
        promised_limit,
        materials: materials(rng, dept, d.variant),
        fees,
        legal_basis: legal_basis(rng, dept, d.spec.kind),
        channels: channels(rng, dept),
        // Filled in by `build` from the guide (see `super::guide`), which draws nothing.
        sites: Vec::new(),
        conditions: String::new(),
        steps: Vec::new(),
        contact: String::new(),
        licence: licence(d.spec.name, d.spec.kind, d.variant),
    })
}

/// The licence (证照) a licensing item's approval issues, named after it: 食品经营许可 issues
/// 食品经营许可证, 建设工程规划许可证核发 the 建设工程规划许可证; a cancellation (注销) none.
fn licence(name: &str, kind: ItemKind, variant: Option<&str>) -> Option<String> {
    if kind != ItemKind::Licensing || variant == Some("注销") {
        return None;
    }
    match name.strip_suffix("核发") {
        Some(issued) if issued.ends_with('证') => Some(issued.to_owned()),
        _ => name.ends_with("许可").then(|| format!("{name}证")),
    }
}

/// A promise within the legal limit: mostly 3–15 working days, sometimes 4, 8 or 16 hours.
fn promised(rng: &mut ChaCha8Rng, legal_days: u32, category: Category) -> anyhow::Result<TimeLimit> {
    let legal = if legal_days == 0 { rng.random_range(5..=20) } else { legal_days };
    let hours: Vec<u32> = [4, 8, 16].into_iter().filter(|h| h * 60 <= legal * 7 * 60).collect();
    let limit = if category == Category::TimeLimited && legal <= 20 && !hours.is_empty() && rng.random_bool(0.15) {
        TimeLimit::WorkingHours(nonzero(*hours.choose(rng).unwrap_or(&4))?)
    } else {
        let share = if category == Category::Agency { rng.random_range(0.35..0.7) } else { rng.random_range(0.2..0.6) };
        let days = (f64::from(legal) * share).round() as u32;
        TimeLimit::WorkingDays(nonzero(days.clamp(3.min(legal), 15).min(legal))?)
    };
    Ok(limit)
}

fn nonzero(n: u32) -> anyhow::Result<NonZeroU32> {
    NonZeroU32::new(n).ok_or_else(|| anyhow!("a time limit of zero"))
}

/// 2–6 materials: the application form, proof of identity, some of the department's
/// usual materials and, optionally, a power of attorney.
fn materials(rng: &mut ChaCha8Rng, dept: &DeptSpec, variant: Option<&str>) -> Vec<Material> {
    let form = dept.materials.iter().find(|m| m.contains("申请")).copied().unwrap_or("申请表");
    let mut list = vec![Material { name: form.to_owned(), required: true, form: MaterialForm::Original }];
    let add = |list: &mut Vec<Material>, name: &str, required: bool, form: MaterialForm| {
        if list.len() < 6 && !list.iter().any(|m| m.name == name) {
            list.push(Material { name: name.to_owned(), required, form });
        }
    };
    if rng.random_bool(dept.individuals) {
        add(&mut list, "居民身份证", true, MaterialForm::Original);
    } else {
        add(&mut list, "营业执照", true, MaterialForm::Copy);
        if rng.random_bool(0.6) {
            add(&mut list, "法定代表人身份证明", true, MaterialForm::Original);
        }
    }
    if matches!(variant, Some("补发")) {
        add(&mut list, "遗失声明", true, MaterialForm::Original);
    }
    let picks = if variant == Some("注销") { rng.random_range(0..=1) } else { rng.random_range(1..=3) };
    for name in dept.materials.choose_multiple(rng, picks) {
        let form = match rng.random_range(0..10) {
            0..5 => MaterialForm::Copy,
            5..8 => MaterialForm::Original,
            _ => MaterialForm::Electronic,
        };
        let required = rng.random_bool(0.75);
        add(&mut list, name, required, form);
    }
    if rng.random_bool(0.5) {
        add(&mut list, "授权委托书", false, MaterialForm::Original);
    }
    list
}

fn legal_basis(rng: &mut ChaCha8Rng, dept: &DeptSpec, kind: ItemKind) -> String {
    let law = dept.laws.choose(rng).copied().unwrap_or("《中华人民共和国行政许可法》");
    let article = rng.random_range(3..=68);
    if kind == ItemKind::Licensing {
        format!("《中华人民共和国行政许可法》；{law}第{article}条")
    } else {
        format!("{law}第{article}条")
    }
}

/// Always the window; online for most; kiosk and app more often for citizens' items.
fn channels(rng: &mut ChaCha8Rng, dept: &DeptSpec) -> Vec<Channel> {
    let mut channels = vec![Channel::Window];
    let odds = [
        (Channel::Online, 0.85),
        (Channel::Kiosk, 0.1 + 0.3 * dept.individuals),
        (Channel::App, 0.2 + 0.4 * dept.individuals),
        (Channel::Mail, 0.05),
    ];
    for (channel, p) in odds {
        if rng.random_bool(p) {
            channels.push(channel);
        }
    }
    channels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_the_model_split_and_sum_to_the_total() {
        assert_eq!(category_targets(240), [38, 22, 161, 19]);
        for total in [1, 10, 99, 647, 1000] {
            assert_eq!(category_targets(total).iter().sum::<usize>(), total);
        }
    }
}
