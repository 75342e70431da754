//! Unit tests of plans: validation, scheduling, green channel, serde.

use std::collections::BTreeMap;

use super::*;

pub(crate) fn sid(s: &str) -> StepId {
    StepId::parse(s).unwrap()
}

pub(crate) fn step(id: &str, module: Module, days: u32, pre: &[&str]) -> Step {
    Step {
        id: sid(id),
        name: format!("环节{id}"),
        module,
        section: Section::Approval,
        lead_department: "住建局".into(),
        cooperating: vec![],
        item: None,
        days,
        prerequisites: pre.iter().map(|p| sid(p)).collect(),
    }
}

fn s(id: &str, days: u32, pre: &[&str]) -> Step {
    step(id, Module::Initiation, days, pre)
}

fn plan(steps: Vec<Step>) -> Result<Plan, PlanError> {
    Plan::new(PlanId::parse("p").unwrap(), "测试", 1, steps)
}

fn problems(steps: Vec<Step>) -> Vec<Problem> {
    match plan(steps) {
        Err(PlanError::Invalid { problems, .. }) => problems,
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn diamond_schedule_has_times_slack_and_critical_path() {
    let p = plan(vec![s("a", 3, &[]), s("b", 5, &["a"]), s("c", 2, &["a"]), s("d", 1, &["b", "c"])]).unwrap();
    let sch = p.schedule();
    assert_eq!(sch.total_days, 9);
    assert_eq!(sch.critical_path, vec![sid("a"), sid("b"), sid("d")]);
    let c = sch.times(&sid("c")).unwrap();
    assert_eq!((c.earliest_start, c.earliest_finish, c.latest_start, c.latest_finish, c.slack), (3, 5, 6, 8, 3));
    let d = sch.times(&sid("d")).unwrap();
    assert_eq!((d.earliest_start, d.latest_finish, d.slack), (8, 9, 0));
}

#[test]
fn milestones_take_no_time() {
    let p = plan(vec![s("a", 0, &[]), s("b", 4, &["a"]), s("c", 0, &["b"])]).unwrap();
    let sch = p.schedule();
    assert_eq!(sch.total_days, 4);
    assert_eq!(sch.critical_path, vec![sid("a"), sid("b"), sid("c")]);
}

#[test]
fn every_problem_is_reported_at_once_naming_its_step() {
    let ps = problems(vec![
        s("a", 1, &[]),
        s("a", 1, &[]),
        s("b", 1, &["zz", "a", "a"]),
        step("c", Module::Initiation, 1, &["d"]),
        step("d", Module::Land, 1, &[]),
    ]);
    assert!(ps.contains(&Problem::DuplicateId { step: sid("a") }));
    assert!(ps.contains(&Problem::UnknownPrerequisite { step: sid("b"), prerequisite: sid("zz") }));
    assert!(ps.contains(&Problem::DuplicatePrerequisite { step: sid("b"), prerequisite: sid("a") }));
    assert!(ps.contains(&Problem::LaterModule {
        step: sid("c"),
        module: Module::Initiation,
        prerequisite: sid("d"),
        prerequisite_module: Module::Land
    }));
    assert_eq!(ps.len(), 4, "{ps:?}");
}

#[test]
fn cycles_are_named_and_steps_behind_them_are_unreachable() {
    let ps = problems(vec![
        s("start", 1, &[]),
        s("x", 1, &["start", "z"]),
        s("y", 1, &["x"]),
        s("z", 1, &["y"]),
        s("after", 1, &["z"]),
        s("selfish", 1, &["selfish"]),
    ]);
    assert_eq!(
        ps,
        vec![
            Problem::Cycle { steps: vec![sid("x"), sid("y"), sid("z")] },
            Problem::Unreachable { step: sid("after") },
            Problem::Cycle { steps: vec![sid("selfish")] },
        ]
    );
    assert_eq!(ps[0].to_string(), "cycle: x → y → z → x");
}

#[test]
fn texts_limits_and_empty_plans_are_checked() {
    let mut bad = s("a", MAX_STEP_DAYS + 1, &[]);
    bad.name = "  ".into();
    bad.lead_department = "住建\n局".into();
    bad.cooperating = vec![String::new()];
    let ps = problems(vec![bad]);
    assert_eq!(ps.len(), 4, "{ps:?}");
    assert_eq!(problems(vec![]), vec![Problem::NoSteps]);
    assert!(matches!(problems(vec![s("p", 1, &[])]).as_slice(), [Problem::StepIdIsPlanId { .. }]));
}

#[test]
fn names_are_trimmed_and_an_empty_lead_is_allowed() {
    let mut a = s("a", 1, &[]);
    a.name = "  立项 ".into();
    a.lead_department = String::new();
    let p = plan(vec![a]).unwrap();
    assert_eq!(p.steps()[0].name, "立项");
}

#[test]
fn green_channel_shortens_configured_steps_only() {
    let p = plan(vec![s("a", 10, &[]), s("b", 20, &["a"]), s("c", 5, &["a"])]).unwrap();
    let green = p.with_green_channel(&BTreeMap::from([(sid("b"), 8)])).unwrap();
    assert_eq!(p.total_days(), 30);
    assert_eq!(green.total_days(), 18);
    assert!(matches!(p.with_green_channel(&BTreeMap::from([(sid("b"), 21)])), Err(PlanError::GreenNotShorter { .. })));
    assert!(matches!(p.with_green_channel(&BTreeMap::from([(sid("q"), 1)])), Err(PlanError::GreenUnknownStep(_))));
}

#[test]
fn plans_round_trip_through_json_and_invalid_json_is_refused() {
    let p = plan(vec![s("a", 1, &[]), s("b", 2, &["a"])]).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let cyclic = json.replace("\"prerequisites\":[]", "\"prerequisites\":[\"b\"]");
    let err = serde_json::from_str::<Plan>(&cyclic).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
}

#[test]
fn topological_order_puts_prerequisites_first() {
    let p = plan(vec![s("c", 1, &["b"]), s("b", 1, &["a"]), s("a", 1, &[])]).unwrap();
    let order: Vec<&str> = p.topological_order().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["a", "b", "c"]);
}

#[test]
fn long_chains_validate_without_deep_recursion() {
    let n = 50_000;
    let mut steps: Vec<Step> = (0..n)
        .map(|i| {
            let pre = if i == 0 { vec![] } else { vec![format!("s{}", i - 1)] };
            let pre: Vec<&str> = pre.iter().map(String::as_str).collect();
            s(&format!("s{i}"), 1, &pre)
        })
        .collect();
    assert_eq!(plan(steps.clone()).unwrap().total_days(), n);
    // Close the chain into one big cycle: Tarjan must not overflow either.
    steps[0].prerequisites = vec![sid(&format!("s{}", n - 1))];
    let ps = problems(steps);
    assert!(matches!(&ps[..], [Problem::Cycle { steps }] if steps.len() == n as usize));
}
