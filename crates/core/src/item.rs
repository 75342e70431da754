//! Service items (事项): what the hall does, with their commitment category, time limits,
//! materials, fees, legal basis and channels. Items keep their code across catalog versions.

use std::fmt;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::calendar::Limit;
use crate::division::DivisionCode;
use crate::org::{DepartmentCode, OrgError, SiteCode, check_name, code_type};

code_type!(
    /// An item's code (事项编码), e.g. `620100-FGW-001`. Stable across catalog versions.
    ItemCode, "item code", 64
);

/// The four commitment categories of the published lists (四办四清单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 即收即办 — handled on the spot: accepted and decided in one visit.
    OnTheSpot,
    /// 当日办结 — finished the same working day.
    SameDay,
    /// 限时办结 — finished within N working days or hours.
    TimeLimited,
    /// 代办服务 — agency service: staff carry the application through for the applicant.
    Agency,
}

impl Category {
    /// All categories, in the order the lists are published.
    pub const ALL: [Category; 4] = [Self::OnTheSpot, Self::SameDay, Self::TimeLimited, Self::Agency];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnTheSpot => "on_the_spot",
            Self::SameDay => "same_day",
            Self::TimeLimited => "time_limited",
            Self::Agency => "agency",
        }
    }

    /// The Chinese name used on lists and at windows.
    pub fn zh(self) -> &'static str {
        match self {
            Self::OnTheSpot => "即收即办",
            Self::SameDay => "当日办结",
            Self::TimeLimited => "限时办结",
            Self::Agency => "代办服务",
        }
    }

    /// Parses a machine name or the Chinese name.
    pub fn parse(text: &str) -> Result<Self, ItemError> {
        let t = text.trim();
        Self::ALL.into_iter().find(|c| c.as_str() == t || c.zh() == t).ok_or_else(|| {
            ItemError::new(
                "category",
                format!("unknown category {t:?} (expected one of on_the_spot, same_day, time_limited, agency)"),
            )
        })
    }
}

/// The kind of power an item exercises (事项类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政许可 — administrative licensing.
    Licensing,
    /// 行政确认 — administrative confirmation.
    Confirmation,
    /// 备案 — filing.
    Filing,
    /// 公共服务 — public service.
    PublicService,
    /// 其他行政权力 — other administrative power.
    Other,
}

impl ItemKind {
    const ALL: [ItemKind; 5] = [Self::Licensing, Self::Confirmation, Self::Filing, Self::PublicService, Self::Other];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licensing => "licensing",
            Self::Confirmation => "confirmation",
            Self::Filing => "filing",
            Self::PublicService => "public_service",
            Self::Other => "other",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Result<Self, ItemError> {
        let t = text.trim();
        Self::ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
            ItemError::new(
                "kind",
                format!("unknown item kind {t:?} (expected licensing, confirmation, filing, public_service or other)"),
            )
        })
    }
}

/// A time limit (时限) in working days or working hours; never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// N working days (工作日).
    WorkingDays(NonZeroU32),
    /// N working hours (工作小时).
    WorkingHours(NonZeroU32),
}

impl TimeLimit {
    /// Parses `20d` (working days) or `4h` (working hours). Zero and negative limits are refused.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, ItemError> {
        let t = text.trim();
        let (num, unit) = t.split_at(t.len().saturating_sub(1));
        let bad = || {
            ItemError::new(
                field,
                format!(
                    "time limit {t:?} must be a positive number followed by d (working days) or h (working hours), e.g. 20d or 4h"
                ),
            )
        };
        let n: u32 = num.trim().parse().map_err(|_| bad())?;
        let n = NonZeroU32::new(n).ok_or_else(bad)?;
        match unit {
            "d" | "D" => Ok(Self::WorkingDays(n)),
            "h" | "H" => Ok(Self::WorkingHours(n)),
            _ => Err(bad()),
        }
    }

    /// As the calendar's limit.
    pub fn to_limit(self) -> Limit {
        match self {
            Self::WorkingDays(n) => Limit::WorkingDays(n.get()),
            Self::WorkingHours(n) => Limit::WorkingHours(n.get()),
        }
    }

    /// Length in working days, counting a working day as `hours_per_day` hours.
    pub fn in_days(self, hours_per_day: f64) -> f64 {
        match self {
            Self::WorkingDays(n) => f64::from(n.get()),
            Self::WorkingHours(n) => f64::from(n.get()) / hours_per_day,
        }
    }

    fn minutes(self, hours_per_day: u32) -> u64 {
        match self {
            Self::WorkingDays(n) => u64::from(n.get()) * u64::from(hours_per_day) * 60,
            Self::WorkingHours(n) => u64::from(n.get()) * 60,
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(n) => write!(f, "{n}d"),
            Self::WorkingHours(n) => write!(f, "{n}h"),
        }
    }
}

/// The form in which a material must be handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    /// 原件 — the original.
    Original,
    /// 复印件 — a copy.
    Copy,
    /// 电子件 — an electronic file.
    Electronic,
}

impl MaterialForm {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Copy => "copy",
            Self::Electronic => "electronic",
        }
    }
}

/// A material (申请材料) an applicant hands in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Its name, e.g. 营业执照.
    pub name: String,
    /// Whether the item cannot be accepted without it.
    pub required: bool,
    /// Original, copy or electronic.
    pub form: MaterialForm,
}

/// A fee (收费) charged for an item, in fen (分) so amounts are exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// What is charged, e.g. 工本费.
    pub name: String,
    /// Amount in fen; 1 yuan = 100 fen.
    pub amount_fen: u64,
}

/// A channel through which an item can be applied for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 窗口 — at a window in the hall.
    Window,
    /// 网上办事大厅 — the online service hall.
    Online,
    /// 自助终端 — a touch-screen kiosk.
    Kiosk,
    /// 移动端 — the mobile app or WeChat.
    App,
    /// 邮寄 — by mail.
    Mail,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 5] = [Self::Window, Self::Online, Self::Kiosk, Self::App, Self::Mail];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Online => "online",
            Self::Kiosk => "kiosk",
            Self::App => "app",
            Self::Mail => "mail",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Result<Self, ItemError> {
        let t = text.trim();
        Self::ALL.into_iter().find(|c| c.as_str() == t).ok_or_else(|| {
            ItemError::new("channels", format!("unknown channel {t:?} (expected window, online, kiosk, app or mail)"))
        })
    }
}

/// A rule an item breaks, naming the field (and so the CSV column) at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ItemError {
    /// The field at fault, e.g. `promised_limit`.
    pub field: &'static str,
    /// Why, in words.
    pub message: String,
}

impl ItemError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }

    pub(crate) fn org(field: &'static str, e: OrgError) -> Self {
        Self::new(field, e.to_string())
    }
}

/// A service item (事项) in one catalog version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    /// Code, stable across versions.
    pub code: ItemCode,
    /// Name, e.g. 企业投资项目备案.
    pub name: String,
    /// The department that handles it (实施部门).
    pub department: DepartmentCode,
    /// The division it is handled in.
    pub division: DivisionCode,
    /// The kind of power.
    pub kind: ItemKind,
    /// Commitment category.
    pub category: Category,
    /// 法定时限 — the limit the law sets, if any.
    pub legal_limit: Option<TimeLimit>,
    /// 承诺时限 — the limit the center promises; required for 限时办结 and 代办服务.
    pub promised_limit: Option<TimeLimit>,
    /// Materials, in the order the guide lists them.
    pub materials: Vec<Material>,
    /// Fees; empty when free.
    pub fees: Vec<Fee>,
    /// 设定依据 — the legal basis.
    pub legal_basis: String,
    /// Channels it can be applied through; never empty.
    pub channels: Vec<Channel>,
    /// 办理地点 — the sites that handle it, in the order the guide lists them; empty means
    /// its department's site.
    #[serde(default)]
    pub sites: Vec<SiteCode>,
    /// 受理条件 — who may apply and what must hold; empty when the catalog says nothing.
    #[serde(default)]
    pub conditions: String,
    /// 办理流程 — its process steps (环节) in order, e.g. 受理, 审查, 决定, 送达; empty when
    /// the catalog says nothing.
    #[serde(default)]
    pub steps: Vec<String>,
    /// 咨询电话 — whom to ask; empty means the site's phone.
    #[serde(default)]
    pub contact: String,
    /// 证照名称 — the licence an approval issues (e.g. 食品经营许可证), if the item issues one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
}

/// The longest 受理条件 an item may carry, in characters.
pub const MAX_CONDITIONS: usize = crate::text::NOTE;
/// The longest contact (咨询方式) an item may carry, in characters.
pub const MAX_CONTACT: usize = 200;
/// The longest licence name (证照名称), in characters.
pub const MAX_LICENCE: usize = 50;
/// The longest name of one process step (环节), in characters.
pub const MAX_STEP: usize = 50;
/// The most process steps an item may have.
pub const MAX_STEPS: usize = 30;

impl ServiceItem {
    /// Checks every rule an item must keep, returning each broken one.
    pub fn validate(&self) -> Result<(), Vec<ItemError>> {
        let mut errors = Vec::new();
        if let Err(e) = check_name("name", &self.name, 200) {
            errors.push(ItemError::org("name", e));
        }
        match (self.category, self.promised_limit) {
            (Category::TimeLimited | Category::Agency, None) => errors.push(ItemError::new(
                "promised_limit",
                format!("a {} item needs a promised time limit", self.category.zh()),
            )),
            (Category::OnTheSpot | Category::SameDay, Some(_)) => errors.push(ItemError::new(
                "promised_limit",
                format!("a {} item is due the same working day and takes no promised limit", self.category.zh()),
            )),
            _ => {}
        }
        // A promise may be shorter than the law allows, never longer. Compare in minutes at
        // the default 7-hour day; both limits are usually in the same unit anyway.
        if let (Some(legal), Some(promised)) = (self.legal_limit, self.promised_limit)
            && promised.minutes(7) > legal.minutes(7)
        {
            errors.push(ItemError::new(
                "promised_limit",
                format!("promised limit {promised} exceeds the legal limit {legal}"),
            ));
        }
        if self.channels.is_empty() {
            errors.push(ItemError::new("channels", "an item needs at least one channel"));
        }
        for m in &self.materials {
            if check_name("material name", &m.name, 100).is_err() {
                errors.push(ItemError::new("materials", "every material needs a name of 1–100 characters"));
            }
        }
        let mut names: Vec<&str> = self.materials.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            errors.push(ItemError::new("materials", format!("material {:?} is listed twice", w[0])));
        }
        errors.extend(self.guide_errors());
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The rules of the guide's where, when and who: sites named once, steps named and
    /// few enough, texts without control characters and within their caps.
    fn guide_errors(&self) -> Vec<ItemError> {
        let mut errors = Vec::new();
        let mut sites: Vec<&SiteCode> = self.sites.iter().collect();
        sites.sort_unstable();
        if let Some(w) = sites.windows(2).find(|w| w[0] == w[1]) {
            errors.push(ItemError::new("sites", format!("site {} is listed twice", w[0])));
        }
        if let Err(e) = crate::text::check(&self.conditions, MAX_CONDITIONS) {
            errors.push(ItemError::new("conditions", format!("the conditions {e}")));
        }
        if let Err(e) = crate::text::check(&self.contact, MAX_CONTACT) {
            errors.push(ItemError::new("contact", format!("the contact {e}")));
        }
        if let Some(l) = &self.licence
            && check_name("licence", l, MAX_LICENCE).is_err()
        {
            errors.push(ItemError::new("licence", format!("the licence name must have 1–{MAX_LICENCE} characters")));
        }
        if self.steps.len() > MAX_STEPS {
            errors
                .push(ItemError::new("steps", format!("{} steps; at most {MAX_STEPS} are allowed", self.steps.len())));
        }
        for (n, step) in self.steps.iter().enumerate() {
            let bad = match crate::text::check(step, MAX_STEP) {
                Err(e) => Some(e.to_string()),
                Ok(()) if step.trim().is_empty() || step.trim() != step => {
                    Some(format!("must be 1–{MAX_STEP} characters without surrounding spaces"))
                }
                Ok(()) if step.contains(';') => Some("must not contain ';', which separates steps".to_owned()),
                Ok(()) => None,
            };
            if let Some(why) = bad {
                errors.push(ItemError::new("steps", format!("step {} {why}", n + 1)));
            }
        }
        errors
    }

    /// The limit a case of this item is due by, counted from acceptance.
    pub fn deadline(&self) -> Limit {
        match (self.category, self.promised_limit) {
            (_, Some(limit)) => limit.to_limit(),
            (_, None) => Limit::EndOfDay,
        }
    }

    /// Whether an approval of it issues a licence (证照).
    pub fn issues_licence(&self) -> bool {
        self.licence.as_deref().is_some_and(|l| !l.trim().is_empty())
    }

    /// Names of the materials the item cannot be accepted without.
    pub fn required_materials(&self) -> impl Iterator<Item = &str> {
        self.materials.iter().filter(|m| m.required).map(|m| m.name.as_str())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_item() -> ServiceItem {
        ServiceItem {
            code: ItemCode::parse("620100-FGW-001").expect("valid"),
            name: "企业投资项目备案".into(),
            department: DepartmentCode::parse("fgw").expect("valid"),
            division: DivisionCode::parse("620100").expect("valid"),
            kind: ItemKind::Filing,
            category: Category::TimeLimited,
            legal_limit: Some(TimeLimit::parse("legal_limit", "20d").expect("valid")),
            promised_limit: Some(TimeLimit::parse("promised_limit", "5d").expect("valid")),
            materials: vec![
                Material { name: "项目备案申请表".into(), required: true, form: MaterialForm::Original },
                Material { name: "营业执照".into(), required: true, form: MaterialForm::Copy },
                Material { name: "授权委托书".into(), required: false, form: MaterialForm::Original },
            ],
            fees: vec![],
            legal_basis: "《企业投资项目核准和备案管理条例》".into(),
            channels: vec![Channel::Window, Channel::Online],
            sites: vec![SiteCode::parse("main").expect("valid")],
            conditions: "申请人为依法设立的企业；项目符合产业政策。".into(),
            steps: ["受理", "审查", "决定", "送达"].map(String::from).to_vec(),
            contact: "0931-0000000".into(),
            licence: None,
        }
    }

    #[test]
    fn a_valid_item_passes() {
        assert_eq!(sample_item().validate(), Ok(()));
    }

    #[test]
    fn time_limits_must_be_positive_with_a_unit() {
        assert!(TimeLimit::parse("x", "0d").is_err());
        assert!(TimeLimit::parse("x", "-3d").is_err());
        assert!(TimeLimit::parse("x", "3").is_err());
        assert!(TimeLimit::parse("x", "").is_err());
        assert!(TimeLimit::parse("x", "3w").is_err());
        assert_eq!(TimeLimit::parse("x", "4h").map(|l| l.to_string()), Ok("4h".into()));
    }

    #[test]
    fn a_time_limited_item_needs_a_promise_within_the_law() {
        let mut item = sample_item();
        item.promised_limit = None;
        assert_eq!(item.validate().unwrap_err()[0].field, "promised_limit");
        item.promised_limit = Some(TimeLimit::parse("x", "30d").expect("valid"));
        assert!(item.validate().unwrap_err()[0].message.contains("exceeds"));
    }

    #[test]
    fn a_same_day_item_is_due_at_the_end_of_the_day() {
        let mut item = sample_item();
        item.category = Category::SameDay;
        item.promised_limit = None;
        assert_eq!(item.validate(), Ok(()));
        assert_eq!(item.deadline(), Limit::EndOfDay);
    }

    #[test]
    fn categories_parse_from_both_names() {
        assert_eq!(Category::parse("即收即办"), Ok(Category::OnTheSpot));
        assert_eq!(Category::parse("agency"), Ok(Category::Agency));
        assert!(Category::parse("fast").is_err());
    }

    #[test]
    fn guides_name_each_site_once_and_every_step() {
        let mut item = sample_item();
        item.sites.push(item.sites[0].clone());
        item.steps.push(" ".into());
        item.conditions = "a\u{7}b".into();
        item.contact = "电".repeat(MAX_CONTACT + 1);
        let errors = item.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["sites", "conditions", "contact", "steps"], "{errors:?}");
        assert!(errors[3].message.starts_with("step 5 "), "{errors:?}");
    }

    #[test]
    fn an_item_without_a_guide_reads_from_old_json() {
        let mut v = serde_json::to_value(sample_item()).expect("json");
        for field in ["sites", "conditions", "steps", "contact"] {
            v.as_object_mut().expect("object").remove(field);
        }
        let old: ServiceItem = serde_json::from_value(v).expect("old json reads");
        assert!(old.sites.is_empty() && old.steps.is_empty() && old.conditions.is_empty() && old.contact.is_empty());
    }

    #[test]
    fn duplicate_materials_and_no_channels_are_refused() {
        let mut item = sample_item();
        item.materials.push(item.materials[0].clone());
        item.channels.clear();
        let fields: Vec<_> = item.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["channels", "materials"]);
    }
}
