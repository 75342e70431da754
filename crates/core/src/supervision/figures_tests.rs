//! Figures on hand-made facts: attribution to the period, on time and early, roll-up.

use super::*;
use crate::supervision::clock::tests::at;

fn facts(n: u64, division: &str, dept: &str) -> CaseFacts {
    let division = DivisionCode::parse(division).expect("valid");
    CaseFacts {
        number: CaseNumber::new(&division, 2024, n),
        department: DepartmentCode::parse(dept).expect("valid"),
        window: Some(WindowCode::parse("W-07").expect("valid")),
        staff: "zhang.wei".into(),
        item: ItemCode::parse("620100-FGW-001").expect("valid"),
        division,
        state: CaseState::Submitted,
        submitted_at: at("2024-10-08T09:00+08:00"),
        accepted_at: None,
        decided_at: None,
        closed_at: None,
        due_at: None,
        used_minutes: None,
        allowed_minutes: None,
        suspension_starts: vec![],
        corrections: 0,
    }
}

/// Delivered at `closed`, due `2024-10-10T17:30`, `used` of 1,260 minutes.
fn delivered(n: u64, division: &str, closed: &str, used: i64) -> CaseFacts {
    CaseFacts {
        state: CaseState::Delivered,
        accepted_at: Some(at("2024-10-08T09:00+08:00")),
        decided_at: Some(at("2024-10-08T09:00+08:00")),
        closed_at: Some(at(closed)),
        due_at: Some(at("2024-10-10T17:30+08:00")),
        used_minutes: Some(used),
        allowed_minutes: Some(1260),
        ..facts(n, division, "fgw")
    }
}

fn spec(by: GroupBy) -> FigureSpec {
    FigureSpec { by, period: None, early_margin_minutes: 420 }
}

#[test]
fn on_time_early_and_averages_are_exact() {
    let cases = [
        delivered(1, "620102", "2024-10-09T10:00+08:00", 500), // early: 760 left
        delivered(2, "620102", "2024-10-10T17:30+08:00", 1260), // on time, at the due moment
        delivered(3, "620102", "2024-10-11T09:00+08:00", 1000), // decided early, delivered late
    ];
    let all = figures(&cases, &spec(GroupBy::Center));
    let f = all[&GroupKey::Center];
    assert_eq!((f.received, f.accepted, f.decided, f.finished), (3, 3, 3, 3));
    assert_eq!(f.on_time_rate(), Ratio { numerator: 2, denominator: 3 });
    assert_eq!(f.early_rate(), Ratio { numerator: 1, denominator: 3 });
    assert_eq!(f.average_used_minutes(), Ratio { numerator: 2760, denominator: 3 });
    assert_eq!(f.average_allowed_minutes().value(), Some(1260.0));
    assert_eq!(Ratio::default().value(), None);
    let json = serde_json::to_value(f.on_time_rate()).expect("serializes");
    assert_eq!(json["numerator"], 2);
    assert_eq!(json["value"].as_f64(), Some(2.0 / 3.0));
}

#[test]
fn each_count_falls_in_the_period_of_its_own_moment() {
    let october_9 = Period { from: at("2024-10-09T00:00+08:00"), until: at("2024-10-10T00:00+08:00") };
    let awaiting = CaseFacts {
        state: CaseState::Approved,
        accepted_at: Some(at("2024-10-08T09:00+08:00")),
        decided_at: Some(at("2024-10-09T11:00+08:00")),
        suspension_starts: vec![at("2024-10-08T10:00+08:00"), at("2024-10-09T10:00+08:00")],
        corrections: 2,
        ..facts(4, "620102", "fgw")
    };
    let rejected = CaseFacts {
        state: CaseState::Rejected,
        submitted_at: at("2024-10-09T09:00+08:00"),
        closed_at: Some(at("2024-10-09T09:30+08:00")),
        corrections: 1,
        ..facts(5, "620102", "fgw")
    };
    let cases = [delivered(1, "620102", "2024-10-09T10:00+08:00", 500), awaiting, rejected];
    let s = FigureSpec { period: Some(october_9), ..spec(GroupBy::Center) };
    let f = figures(&cases, &s)[&GroupKey::Center];
    assert_eq!(f.received, 1); // only the rejected one was submitted on the 9th
    assert_eq!(f.corrections, 1);
    assert_eq!(f.accepted, 0);
    assert_eq!((f.decided, f.awaiting_delivery), (1, 1));
    assert_eq!((f.finished, f.on_time, f.rejected), (1, 1, 1));
    assert_eq!(f.suspensions, 1);
}

#[test]
fn groups_split_and_divisions_roll_up_city_to_county() {
    let cases = [
        delivered(1, "620102", "2024-10-09T10:00+08:00", 500),
        delivered(2, "620103", "2024-10-11T10:00+08:00", 900),
        CaseFacts {
            department: DepartmentCode::parse("sj").expect("valid"),
            ..delivered(3, "620100", "2024-10-09T10:00+08:00", 500)
        },
        delivered(4, "620200", "2024-10-09T10:00+08:00", 500),
    ];
    let by_dept = figures(&cases, &spec(GroupBy::Department));
    let fgw = GroupKey::Department(DepartmentCode::parse("fgw").expect("valid"));
    assert_eq!(by_dept.len(), 2);
    assert_eq!(by_dept[&fgw].finished, 3);
    let code = |s: &str| DivisionCode::parse(s).expect("valid");
    let up = roll_up(&cases, &[code("620000"), code("620100"), code("620102"), code("620105")], &spec(GroupBy::Center));
    assert_eq!(up[&code("620000")].finished, 4);
    assert_eq!(up[&code("620100")].finished, 3);
    assert_eq!(up[&code("620100")].on_time_rate(), Ratio { numerator: 2, denominator: 3 });
    assert_eq!(up[&code("620102")].finished, 1);
    assert_eq!(up[&code("620105")], Figures::default());
}

#[test]
fn a_month_is_counted_in_china_standard_time() {
    let t = |s: &str| s.parse::<jiff::Timestamp>().expect("a moment");
    assert_eq!(super::month_of(t("2026-01-31T15:59:59Z")), "2026-01");
    assert_eq!(super::month_of(t("2026-01-31T16:00:00Z")), "2026-02", "midnight in Beijing starts February");
    assert_eq!(super::month_of(t("2025-12-31T16:00:00Z")), "2026-01");
}

#[test]
fn on_time_is_at_or_before_the_due_time_and_needs_one() {
    let t = |s: &str| s.parse::<jiff::Timestamp>().expect("a moment");
    let due = Some(t("2026-03-02T09:30:00Z"));
    assert!(super::on_time(due, due), "at the due time is on time");
    assert!(super::on_time(Some(t("2026-03-01T00:00:00Z")), due));
    assert!(!super::on_time(Some(t("2026-03-02T09:30:01Z")), due));
    assert!(!super::on_time(Some(t("2026-03-01T00:00:00Z")), None), "no due time, not counted on time");
    assert!(!super::on_time(None, due));
}
