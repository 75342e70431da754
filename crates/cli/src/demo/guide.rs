//! The demo guides' where, when and who: the sites that handle each item, its conditions
//! (受理条件), its process steps (办理流程) and its contact.
//!
//! **Generated demo data.** The conditions are generic wordings of the kinds of condition
//! a guide states, the steps the usual 受理 → 审查 → 决定 → 送达 shape, and the phones the
//! demo sites' invented numbers with invented extensions. Nothing here is drawn at random:
//! the catalog's random stream (and so the cases) is the same as without guides.

use tongban_core::item::{Category, ItemKind};

use super::org;
use super::spec::DeptSpec;

/// The department whose items are registrations of real estate (不动产登记): its steps are
/// the registration's own (登簿, 缮证).
const REAL_ESTATE: &str = "bdc";

/// The guide of one demo item.
pub(super) struct ItemGuide {
    /// Site codes, the department's first.
    pub sites: Vec<&'static str>,
    /// 受理条件.
    pub conditions: String,
    /// 办理流程.
    pub steps: Vec<&'static str>,
    /// Whom to ask.
    pub contact: String,
}

/// The guide of the item `name` (base name `base`, variant `variant`) of the department at
/// position `index` of the table.
pub(super) fn of(
    dept: &DeptSpec,
    index: usize,
    kind: ItemKind,
    category: Category,
    base: &str,
    variant: Option<&str>,
) -> ItemGuide {
    let (site, phone) = org::site_of(dept.code);
    let mut sites = vec![site];
    // A branch's public services (a records search) are also taken in at the main hall's
    // comprehensive windows.
    if site != org::MAIN_SITE && kind == ItemKind::PublicService {
        sites.push(org::MAIN_SITE);
    }
    // A department in the main hall answers on its own extension; a branch on its own line.
    let contact = if site == org::MAIN_SITE { format!("{phone} 转 {}", 8101 + index) } else { phone.to_owned() };
    ItemGuide { sites, conditions: conditions(dept, kind, base, variant), steps: steps(dept, kind, category), contact }
}

/// The process steps: fewer for items decided on the spot, the registration's own for real
/// estate, a 制证 step for licences.
fn steps(dept: &DeptSpec, kind: ItemKind, category: Category) -> Vec<&'static str> {
    match (category, kind) {
        (Category::OnTheSpot, _) => vec!["受理", "办结"],
        (Category::SameDay, _) => vec!["受理", "审核", "办结"],
        (Category::Agency, _) => vec!["代办申请", "受理", "审查", "决定", "送达"],
        (Category::TimeLimited, ItemKind::Confirmation) if dept.code == REAL_ESTATE => {
            vec!["受理", "审核", "登簿", "缮证", "发证"]
        }
        (Category::TimeLimited, ItemKind::Licensing) => vec!["受理", "审查", "决定", "制证", "送达"],
        (Category::TimeLimited, _) => vec!["受理", "审查", "决定", "送达"],
    }
}

/// Who may apply and what must hold: one clause for the applicant, one for the item's kind,
/// one for a variant (变更, 注销 …) of an item already granted.
fn conditions(dept: &DeptSpec, kind: ItemKind, base: &str, variant: Option<&str>) -> String {
    let applicant = if dept.individuals >= 0.5 {
        "申请人为具有完全民事行为能力的自然人，或依法设立的法人、其他组织"
    } else {
        "申请人为依法设立的法人或其他组织，或具有完全民事行为能力的自然人"
    };
    let rule = match kind {
        ItemKind::Licensing => "申请事项符合法律、法规规定的许可条件，申请材料齐全、符合法定形式".to_owned(),
        ItemKind::Confirmation => "申请人为权利人或利害关系人，所申请确认的事实清楚、证明材料真实有效".to_owned(),
        ItemKind::Filing => "备案事项已依法确定，在规定期限内提交备案材料".to_owned(),
        ItemKind::PublicService => format!("需要办理{base}的个人或单位均可申请"),
        ItemKind::Other => format!("申请事项属于{}的法定职责范围，申请材料齐全", dept.name),
    };
    let held = match variant {
        Some("变更") => Some(format!("已取得{base}，拟变更的事项符合规定条件")),
        Some("延续") => Some(format!("已取得{base}，并在有效期届满三十日前提出申请")),
        Some("注销") => Some(format!("已取得{base}，且无未办结的相关事项")),
        Some("换发") => Some("原证件有效期届满或损毁、记载事项需更新".to_owned()),
        Some("补发") => Some("原证件遗失，已声明作废".to_owned()),
        _ => None,
    };
    let mut clauses = vec![applicant.to_owned(), rule];
    clauses.extend(held);
    let numbered: Vec<String> = clauses.iter().zip(["一", "二", "三"]).map(|(c, n)| format!("{n}、{c}")).collect();
    format!("{}。", numbered.join("；"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(code: &str) -> DeptSpec {
        let specs = super::super::spec::departments().expect("table parses");
        specs.into_iter().find(|d| d.code == code).expect("in the table")
    }

    #[test]
    fn a_branchs_items_are_handled_there_and_its_searches_at_the_main_hall_too() {
        let bdc = dept("bdc");
        let g = of(&bdc, 12, ItemKind::Confirmation, Category::TimeLimited, "抵押权首次登记", None);
        assert_eq!(g.sites, ["bdc"]);
        assert_eq!(g.steps, ["受理", "审核", "登簿", "缮证", "发证"]);
        assert_eq!(g.contact, org::site_of("bdc").1);
        let g = of(&bdc, 12, ItemKind::PublicService, Category::OnTheSpot, "不动产登记资料查询", None);
        assert_eq!(g.sites, ["bdc", "main"]);
        assert_eq!(g.steps, ["受理", "办结"], "on the spot: fewer steps");
    }

    #[test]
    fn a_main_hall_item_has_an_extension_and_a_variant_names_what_it_changes() {
        let fgw = dept("fgw");
        let g = of(&fgw, 0, ItemKind::Licensing, Category::TimeLimited, "企业投资项目核准", Some("变更"));
        assert_eq!(g.sites, ["main"]);
        assert!(g.contact.ends_with(" 转 8101"), "{}", g.contact);
        assert!(g.conditions.starts_with("一、") && g.conditions.contains("三、已取得企业投资项目核准"));
        assert!(g.conditions.ends_with('。'), "{}", g.conditions);
        assert_eq!(g.steps.len(), 5);
    }
}
