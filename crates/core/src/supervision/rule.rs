//! Warning rules (预警规则): when a running case turns yellow, configured center-wide, per
//! department or per item; the most specific one applies (item > department > center).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::item::{ItemCode, ServiceItem};
use crate::org::DepartmentCode;

/// A warning rule (预警规则): a case turns yellow once it has used at least
/// [`used_percent`](Self::used_percent) % of its allowed working minutes, **or** once at most
/// [`remaining_minutes`](Self::remaining_minutes) working minutes are left — whichever
/// comes first. Red (overdue) needs no rule.
///
/// Valid by construction: the percentage is 0–100.
///
/// ```
/// use tongban_core::supervision::Rule;
///
/// let rule = Rule::new(80, 420)?;
/// assert!(!rule.is_yellow(600, 2520)); // 24 % used, 1,920 minutes left
/// assert!(rule.is_yellow(2100, 2520)); // 420 minutes left
/// assert!(rule.is_yellow(2016, 2520)); // exactly 80 % used
/// # Ok::<(), tongban_core::supervision::RuleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RuleSpec", into = "RuleSpec")]
pub struct Rule {
    used_percent: u8,
    remaining_minutes: u32,
}

/// The serialized form of a [`Rule`], checked on the way in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct RuleSpec {
    used_percent: u8,
    remaining_minutes: u32,
}

/// Why a rule is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// A yellow threshold above 100 % of the limit, which a case could never reach before red.
    #[error("the yellow threshold must be 0–100 % of the time limit, not {0} %")]
    PercentAbove100(u8),
}

impl TryFrom<RuleSpec> for Rule {
    type Error = RuleError;
    fn try_from(s: RuleSpec) -> Result<Self, RuleError> {
        Rule::new(s.used_percent, s.remaining_minutes)
    }
}

impl From<Rule> for RuleSpec {
    fn from(r: Rule) -> RuleSpec {
        RuleSpec { used_percent: r.used_percent, remaining_minutes: r.remaining_minutes }
    }
}

impl Rule {
    /// The default share of the limit after which a case turns yellow: 80 %.
    pub const DEFAULT_USED_PERCENT: u8 = 80;

    /// A rule: yellow from `used_percent` % of the limit used (0–100) or from
    /// `remaining_minutes` working minutes left.
    pub fn new(used_percent: u8, remaining_minutes: u32) -> Result<Rule, RuleError> {
        if used_percent > 100 {
            return Err(RuleError::PercentAbove100(used_percent));
        }
        Ok(Rule { used_percent, remaining_minutes })
    }

    /// The center's default: yellow from 80 % used or one working day
    /// ([`minutes_per_working_day`](WorkingCalendar::minutes_per_working_day)) left.
    ///
    /// With it a same-day case (当日办结, at most one working day) is yellow from acceptance;
    /// give such items a rule of their own (e.g. 60 minutes left) if that is not wanted.
    pub fn center_default(calendar: &WorkingCalendar) -> Rule {
        Rule {
            used_percent: Self::DEFAULT_USED_PERCENT,
            remaining_minutes: u32::try_from(calendar.minutes_per_working_day()).unwrap_or(u32::MAX),
        }
    }

    /// Yellow from this percentage (0–100) of the allowed working minutes used.
    pub fn used_percent(&self) -> u8 {
        self.used_percent
    }

    /// Yellow from this many working minutes left.
    pub fn remaining_minutes(&self) -> u32 {
        self.remaining_minutes
    }

    /// Whether `used` of `allowed` working minutes is a warning, by the rule's plain words.
    pub fn is_yellow(&self, used: i64, allowed: i64) -> bool {
        i128::from(used) * 100 >= i128::from(self.used_percent) * i128::from(allowed)
            || i128::from(allowed) - i128::from(used) <= i128::from(self.remaining_minutes)
    }

    /// The fewest used working minutes that are a warning out of `allowed`: the same rule as
    /// [`is_yellow`](Self::is_yellow), as one threshold (`is_yellow(u, a) ⇔ u ≥ threshold(a)`
    /// for `u ≥ 0`). Never above `allowed`.
    pub fn yellow_threshold(&self, allowed: i64) -> i64 {
        let allowed = allowed.max(0);
        // ceil(P · allowed / 100), exact in integers (both factors are non-negative).
        let by_share = (i128::from(self.used_percent) * i128::from(allowed) + 99) / 100;
        let by_share = i64::try_from(by_share).unwrap_or(allowed);
        let by_left = (allowed - i64::from(self.remaining_minutes)).max(0);
        by_share.min(by_left)
    }
}

/// The warning rules in force (预警规则配置): center-wide, per department, per item.
///
/// [`rule_for`](Self::rule_for) picks the most specific: item, then department, then center.
///
/// ```
/// use tongban_core::calendar::WorkingCalendar;
/// use tongban_core::item::ItemCode;
/// use tongban_core::org::DepartmentCode;
/// use tongban_core::supervision::{Rule, RuleBook};
///
/// let mut book = RuleBook::new(Rule::center_default(&WorkingCalendar::builtin()));
/// let fgw = DepartmentCode::parse("fgw")?;
/// let item = ItemCode::parse("620100-FGW-001")?;
/// book.departments.insert(fgw.clone(), Rule::new(70, 0)?);
/// assert_eq!(book.rule_for(&item, &fgw).used_percent(), 70);
/// book.items.insert(item.clone(), Rule::new(90, 60)?);
/// assert_eq!(book.rule_for(&item, &fgw).used_percent(), 90);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleBook {
    /// The center-wide rule, used where nothing more specific is set.
    pub center: Rule,
    /// Rules per department, over the center's.
    #[serde(default)]
    pub departments: BTreeMap<DepartmentCode, Rule>,
    /// Rules per item, over its department's and the center's.
    #[serde(default)]
    pub items: BTreeMap<ItemCode, Rule>,
}

impl RuleBook {
    /// Only a center-wide rule.
    pub fn new(center: Rule) -> RuleBook {
        RuleBook { center, departments: BTreeMap::new(), items: BTreeMap::new() }
    }

    /// The rule for a case of `item`, handled by `department`: the item's own, else the
    /// department's, else the center's.
    pub fn rule_for(&self, item: &ItemCode, department: &DepartmentCode) -> Rule {
        self.items.get(item).or_else(|| self.departments.get(department)).copied().unwrap_or(self.center)
    }

    /// The rule for a case of `item` (its department is the item's).
    pub fn rule_for_item(&self, item: &ServiceItem) -> Rule {
        self.rule_for(&item.code, &item.department)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_the_rule_in_one_number() {
        for percent in [0, 1, 33, 80, 99, 100] {
            for left in [0, 1, 59, 420, 10_000] {
                let rule = Rule::new(percent, left).expect("valid");
                for allowed in [0, 1, 2, 3, 59, 60, 419, 420, 421, 840, 2520] {
                    let k = rule.yellow_threshold(allowed);
                    assert!(k <= allowed && k >= 0);
                    for used in 0..=allowed + 2 {
                        assert_eq!(
                            rule.is_yellow(used, allowed),
                            used >= k,
                            "{percent} % / {left} min, {used} of {allowed}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn percent_above_100_is_refused_also_from_json() {
        assert_eq!(Rule::new(101, 0), Err(RuleError::PercentAbove100(101)));
        let json = r#"{"used_percent":120,"remaining_minutes":0}"#;
        assert!(serde_json::from_str::<Rule>(json).is_err());
        let rule = Rule::new(80, 420).expect("valid");
        let back: Rule = serde_json::from_str(&serde_json::to_string(&rule).expect("serializes")).expect("reads back");
        assert_eq!(back, rule);
    }

    #[test]
    fn center_default_is_80_percent_or_one_working_day() {
        let rule = Rule::center_default(&WorkingCalendar::builtin());
        assert_eq!((rule.used_percent(), rule.remaining_minutes()), (80, 420));
    }

    #[test]
    fn item_rule_beats_department_rule_beats_center_rule() {
        let center = Rule::new(80, 420).expect("valid");
        let mut book = RuleBook::new(center);
        let (fgw, sj) = (DepartmentCode::parse("fgw").expect("valid"), DepartmentCode::parse("sj").expect("valid"));
        let item = ItemCode::parse("620100-FGW-001").expect("valid");
        assert_eq!(book.rule_for(&item, &fgw), center);
        let dept = Rule::new(50, 0).expect("valid");
        book.departments.insert(fgw.clone(), dept);
        assert_eq!(book.rule_for(&item, &fgw), dept);
        assert_eq!(book.rule_for(&item, &sj), center);
        let own = Rule::new(95, 30).expect("valid");
        book.items.insert(item.clone(), own);
        assert_eq!(book.rule_for(&item, &fgw), own);
        assert_eq!(book.rule_for(&item, &sj), own);
    }
}
