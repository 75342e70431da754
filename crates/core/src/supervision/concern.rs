//! Watched conditions other than time (其他监察事项): plain predicates over a case.
//!
//! Returned (退回) and re-opened (重新办理) cases are watched once the case model has such
//! events; today a case only moves forward, so there is nothing to predicate on.

use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::item::ServiceItem;

/// Something about a case the supervisor should look at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Concern {
    /// 多次补正 — the applicant was asked for corrections more than once (一次性告知 broken).
    RepeatedCorrection {
        /// How many correction requests so far.
        times: u32,
    },
    /// 材料不全受理 — accepted although required materials are missing.
    AcceptedWithMissingMaterials {
        /// The required materials not handed in, in the item's order.
        missing: Vec<String>,
    },
}

/// Whether corrections were requested more than once; their number if so.
pub fn repeated_correction(case: &Case) -> Option<u32> {
    (case.corrections > 1).then_some(case.corrections)
}

/// The item's required materials that an accepted case lacks; empty for a case not accepted
/// (before acceptance, missing materials are what correction is for). `item` must be the
/// version the case was applied under.
pub fn missing_materials(case: &Case, item: &ServiceItem) -> Vec<String> {
    if case.accepted_at.is_none() {
        return Vec::new();
    }
    item.required_materials()
        .filter(|required| !case.materials.iter().any(|m| m == required))
        .map(str::to_owned)
        .collect()
}

/// Everything about `case` (of `item`) that is watched besides its colour.
pub fn concerns(case: &Case, item: &ServiceItem) -> Vec<Concern> {
    let mut found = Vec::new();
    if let Some(times) = repeated_correction(case) {
        found.push(Concern::RepeatedCorrection { times });
    }
    let missing = missing_materials(case, item);
    if !missing.is_empty() {
        found.push(Concern::AcceptedWithMissingMaterials { missing });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Limit;
    use crate::case::CaseEvent;
    use crate::item::tests::sample_item;
    use crate::supervision::clock::tests::{at, replayed};

    fn accepted() -> CaseEvent {
        CaseEvent::Accepted { limit: Limit::WorkingDays(5), due_at: at("2024-10-14T17:30+08:00"), calendar_revision: 0 }
    }

    fn correction() -> CaseEvent {
        CaseEvent::CorrectionRequested { missing: vec!["营业执照".into()], note: String::new() }
    }

    #[test]
    fn accepted_without_a_required_material_is_a_concern() {
        let item = sample_item(); // requires 项目备案申请表 and 营业执照
        let pending = replayed(&[]);
        assert_eq!(concerns(&pending, &item), vec![]);
        let case = replayed(&[(accepted(), "2024-09-30T09:00+08:00")]);
        assert_eq!(
            concerns(&case, &item),
            vec![Concern::AcceptedWithMissingMaterials { missing: vec!["营业执照".into()] }]
        );
    }

    #[test]
    fn a_second_correction_request_is_a_concern() {
        let item = sample_item();
        let resubmitted = CaseEvent::Resubmitted { materials: vec!["营业执照".into()] };
        let once =
            replayed(&[(correction(), "2024-09-30T09:00+08:00"), (resubmitted.clone(), "2024-09-30T10:00+08:00")]);
        assert_eq!(repeated_correction(&once), None);
        let twice = replayed(&[
            (correction(), "2024-09-30T09:00+08:00"),
            (resubmitted.clone(), "2024-09-30T10:00+08:00"),
            (correction(), "2024-09-30T11:00+08:00"),
            (resubmitted, "2024-09-30T12:00+08:00"),
            (accepted(), "2024-09-30T13:30+08:00"),
        ]);
        assert_eq!(concerns(&twice, &item), vec![Concern::RepeatedCorrection { times: 2 }]);
    }
}
