//! Seeding a real SQLite store: deterministic, idempotent, and every item and case valid.

use std::collections::BTreeMap;

use rand::SeedableRng;
use tongban_core::case::CaseState;
use tongban_store::{CaseFilter, ItemFilter, Store};

use super::*;

fn now() -> jiff::Timestamp {
    "2026-11-20T10:00:00+08:00".parse().expect("valid timestamp")
}

async fn fresh_store(dir: &tempfile::TempDir) -> Store {
    Store::open(&format!("sqlite://{}", dir.path().join("t.db").display())).await.expect("store opens")
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_twice_gives_the_same_counts_and_seeds_nothing_the_second_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = fresh_store(&dir).await;
    let app = crate::app_over(&store).await.expect("app");
    let calendar = WorkingCalendar::builtin();
    let first = seed(&app, 42, now(), &calendar).await.expect("first seed");
    assert_eq!((first.divisions, first.departments, first.items), (11, 33, catalog::ITEM_COUNT));
    assert_eq!(first.cases, CASE_COUNT);
    assert!(first.events > 4 * first.cases, "{first:?}");
    assert!(first.windows > 33 && first.staff > 33 * 6, "{first:?}");
    let stored = store.counts().await.expect("counts");

    let second = seed(&app, 42, now(), &calendar).await.expect("second seed");
    assert_eq!(store.counts().await.expect("counts"), stored, "the second seed wrote nothing");
    assert_eq!(store.latest_catalog_version().await.expect("version"), Some(2), "before and after the reform");
    assert_eq!(SeedSummary { windows: first.windows, staff: first.staff, ..second }, first);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_data() {
    let calendar = WorkingCalendar::builtin();
    let mut snapshots = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = fresh_store(&dir).await;
        let app = crate::app_over(&store).await.expect("app");
        seed(&app, 7, now(), &calendar).await.expect("seed");
        let items = (store.items_in_version(1).await.expect("items"), store.items_in_version(2).await.expect("items"));
        let page = store.cases(&CaseFilter { page: 1, per_page: 200, ..CaseFilter::default() }).await.expect("cases");
        snapshots.push((items, serde_json::to_string(&page.items).expect("json")));
        store.close().await;
    }
    assert!(snapshots[0] == snapshots[1], "two runs with seed 7 differ");
}

#[test]
fn the_catalog_follows_the_model_split_and_every_item_validates() {
    let specs = spec::departments().expect("table parses");
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let items = catalog::build(&mut rng, &specs).expect("catalog builds");
    assert_eq!(items.len(), catalog::ITEM_COUNT);
    let model_total: usize = catalog::MODEL_SPLIT.iter().sum();
    for (k, category) in Category::ALL.into_iter().enumerate() {
        let n = items.iter().filter(|i| i.category == category).count() as f64;
        let target = (catalog::ITEM_COUNT * catalog::MODEL_SPLIT[k]) as f64 / model_total as f64;
        assert!((n - target).abs() <= 1.0, "{category:?}: {n} items, target {target:.1}");
    }
    let mut codes = std::collections::HashSet::new();
    for item in &items {
        assert_eq!(item.validate(), Ok(()), "{}", item.code);
        // Every guide says where, when and who; the real-estate department works at its branch.
        let at_branch = item.department.as_str() == "bdc";
        assert_eq!(item.sites.first().map(|s| s.as_str()), Some(if at_branch { "bdc" } else { "main" }));
        assert!(!item.conditions.is_empty() && !item.contact.is_empty(), "{}", item.code);
        let steps = if item.category == Category::OnTheSpot { 2..=2 } else { 3..=5 };
        assert!(steps.contains(&item.steps.len()), "{}: {:?}", item.code, item.steps);
        assert!((2..=6).contains(&item.materials.len()), "{}", item.code);
        assert!(codes.insert(item.code.clone()), "duplicate code {}", item.code);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_cases_are_mostly_closed_on_time_with_the_latest_still_running() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = fresh_store(&dir).await;
    let app = crate::app_over(&store).await.expect("app");
    let calendar = WorkingCalendar::builtin();
    seed(&app, 1, now(), &calendar).await.expect("seed");
    let mut by_state = BTreeMap::new();
    for state in CaseState::ALL {
        let filter = CaseFilter { state: Some(state), page: 1, per_page: 1, ..CaseFilter::default() };
        by_state.insert(state, store.cases(&filter).await.expect("cases").total);
    }
    let running: u64 = [
        CaseState::Submitted,
        CaseState::CorrectionRequested,
        CaseState::Accepted,
        CaseState::InProcess,
        CaseState::Suspended,
    ]
    .iter()
    .map(|s| by_state[s])
    .sum();
    assert!((50..=400).contains(&running), "{by_state:?}");
    assert!(by_state[&CaseState::Delivered] > 4_000, "{by_state:?}");
    assert!(by_state[&CaseState::Rejected] > 50, "{by_state:?}");
    let page = store.items(&ItemFilter { page: 1, per_page: 1, ..ItemFilter::default() }).await.expect("items");
    assert_eq!(page.total, catalog::ITEM_COUNT as u64);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_now_outside_the_calendar_seeds_no_cases_and_does_not_fail() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = fresh_store(&dir).await;
    let app = crate::app_over(&store).await.expect("app");
    let later: jiff::Timestamp = "2101-06-01T10:00:00+08:00".parse().expect("valid");
    let summary = seed(&app, 1, later, &WorkingCalendar::builtin()).await.expect("seed");
    assert_eq!(summary.items, catalog::ITEM_COUNT);
    store.close().await;
}

/// The demo starts on any day: near a year end whose next year is not announced, in a
/// provisional year, and years ahead; its projects always have a forecast.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_seeds_and_forecasts_on_any_date() {
    for day in ["2026-12-23T10:00:00+08:00", "2027-03-01T10:00:00+08:00", "2030-06-15T10:00:00+08:00"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = fresh_store(&dir).await;
        let app = crate::app_over(&store).await.expect("app");
        let now: jiff::Timestamp = day.parse().expect("valid");
        let calendar = WorkingCalendar::builtin();
        let summary = seed(&app, 3, now, &calendar).await.expect("seed");
        assert_eq!(summary.cases, CASE_COUNT, "{day}");
        crate::demo_accounts::ensure(&app, now).await.expect("accounts");
        if day == "2027-03-01T10:00:00+08:00" {
            front_desk_grant_covers_quick_items_only(&store, now).await;
        }
        let projects = crate::demo_projects::ensure(&app, now, &calendar).await.expect("projects");
        crate::demo_service::ensure(&app, now, &calendar).await.expect("service records");
        crate::demo_service::assert_seed_figures(&app, now, day).await;
        crate::demo_meetings::ensure(&app, now, &calendar).await.expect("joint review meetings");
        crate::demo_meetings::assert_seed_figures(&app, now, &calendar, day).await;
        assert!(projects > 0, "{day}");
        for row in store.projects(None).await.expect("projects") {
            if let Some(run) = store.run_for_project(&row.project.code).await.expect("run") {
                assert!(run.run.expected_completion(&calendar, now).is_ok(), "{day}: {}", row.project.code);
            }
        }
        let running = store.running_cases().await.expect("running");
        assert!(!running.is_empty(), "{day}: the hall has work in hand");
        store.close().await;
    }
}

/// The two versions tell the model center's 三减一压缩 story: required materials down about
/// 11 %, promised working days down about 42 %, steps down about 30 %, some items cut, a
/// few new.
#[test]
fn the_reform_between_the_two_versions_cuts_materials_and_days_like_the_model() {
    let specs = spec::departments().expect("table parses");
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let items = catalog::build(&mut rng, &specs).expect("catalog builds");
    let before = reform::before(&mut ChaCha8Rng::seed_from_u64(42 ^ REFORM_STREAM), &items).expect("before");
    let r = tongban_core::catalog::ReformReport::compare(&before, &items);
    let materials = r.totals.materials.change_percent.expect("materials before");
    let days = r.totals.average_promised_working_days.change_percent.expect("days before");
    assert!((-12.0..=-10.0).contains(&materials), "{:?}", r.totals);
    assert!((-44.0..=-40.0).contains(&days), "{:?}", r.totals);
    let steps = r.totals.steps.change_percent.expect("steps before");
    assert!((-32.0..=-28.0).contains(&steps), "{:?}", r.totals);
    assert!(!r.cut.is_empty() && !r.added.is_empty() && r.changed.len() > 100, "{r:?}");
    for item in &before {
        assert_eq!(item.validate(), Ok(()), "{}", item.code);
    }
}

/// 后台向前台授权: the demo's fgw clerk holds approve, down the chain, over every fgw item
/// decided at the window and over none of the others.
async fn front_desk_grant_covers_quick_items_only(store: &Store, now: jiff::Timestamp) {
    let delegations = store.delegations().await.expect("delegations");
    let version = store.catalog_versions().await.expect("versions").iter().map(|v| v.number).max().expect("a catalog");
    let fgw: Vec<ServiceItem> = store
        .items_in_version(version)
        .await
        .expect("items")
        .into_iter()
        .filter(|i| i.department.as_str() == "fgw")
        .collect();
    assert!(fgw.iter().any(|i| tongban_core::access::decides_at_window(i.category)), "fgw has quick items");
    use tongban_core::org::Position;
    let level = |id: &str| delegations.grant(id).map(|g| (g.levels.grantor, g.levels.grantee));
    assert_eq!(level("g-demo-1"), Some((Some(Position::Head), Some(Position::Chief))), "head → 审批处长");
    assert_eq!(level("g-demo-4"), Some((Some(Position::Chief), Some(Position::Staff))), "审批处长 → the window");
    for item in &fgw {
        let held = delegations.authority(
            "fgw.clerk",
            &item.department,
            &item.code,
            tongban_core::identity::Power::Approve,
            now,
        );
        assert_eq!(
            held.is_some(),
            tongban_core::access::decides_at_window(item.category),
            "{} {:?}",
            item.code,
            item.category
        );
        if let Some(chain) = held {
            assert_eq!(chain, ["g-demo-1", "g-demo-4"], "given down the chain: head → approver → clerk");
        }
    }
}

/// The demo tells the truth about authority: every decision it simulates was taken under a
/// chain of grants valid at that moment (the supervision rule finds none without), and the
/// chains run through all four levels — 主要领导, 分管领导, 处室负责人, 一般工作人员 — in
/// every department that decides at the window.
#[tokio::test(flavor = "multi_thread")]
async fn every_demo_decision_holds_valid_authority_through_all_four_levels() {
    use tongban_core::org::Position;
    use tongban_core::supervision::{Decision, decided_without_authority};

    let dir = tempfile::tempdir().expect("temp dir");
    let store = fresh_store(&dir).await;
    let app = crate::app_over(&store).await.expect("app");
    seed(&app, 5, now(), &WorkingCalendar::builtin()).await.expect("seed");
    let delegations = store.delegations().await.expect("delegations");
    let (mut decisions, mut without) = (0, Vec::new());
    for tracked in store.all_cases().await.expect("cases") {
        let case = &tracked.case;
        let item = store.item_in_version(&case.item, case.item_version).await.expect("item").expect("known item").item;
        for e in store.events_for_case(&case.number).await.expect("events") {
            let decision = Decision { event: &e.event, actor: &e.actor, at: e.at, authority: e.authority.as_deref() };
            if matches!(
                e.event,
                tongban_core::case::CaseEvent::Approved { .. } | tongban_core::case::CaseEvent::Denied { .. }
            ) {
                decisions += 1;
                if decided_without_authority(&decision, &item, &delegations) {
                    without.push(format!("{} {} {}", case.number, e.actor, e.at));
                }
            }
        }
    }
    assert!(decisions > 4_000, "{decisions} decisions");
    assert_eq!(without, Vec::<String>::new(), "decisions without valid authority");

    let mut levels: BTreeMap<String, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for g in delegations.grants() {
        let seen = levels.entry(g.department.to_string()).or_default();
        seen.extend([g.levels.grantor, g.levels.grantee].into_iter().flatten().map(Position::as_str));
    }
    let full = levels.values().filter(|l| l.len() == 4).count();
    assert!(full >= 3, "departments with all four levels: {full} of {levels:?}");

    // A few late cases were caught: their records were answered and closed.
    let records = store.accountability().await.expect("records");
    assert!((3..=4).contains(&records.len()), "{records:?}");
    for r in &records {
        assert_eq!(r.state, tongban_core::supervision::AccountabilityState::Closed, "{r:?}");
        assert!(r.answered_by.is_some() && r.closed_by.is_some(), "{r:?}");
        let number = tongban_core::case::CaseNumber::parse(&r.case_number).expect("number");
        let case = store.case_by_number(&number).await.expect("case").expect("stored");
        assert!(case.closed_at.is_some_and(|c| case.due_at.is_some_and(|d| c > d)), "{} was late", r.case_number);
    }
    store.close().await;
}

#[test]
fn at_least_40_of_the_48_after_reform_steps_link_to_the_demo_catalog() {
    use tongban_core::plan::link::{self, LinkDepartment, LinkItem};
    let specs = spec::departments().expect("table parses");
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let items = catalog::build(&mut rng, &specs).expect("catalog builds");
    let departments: Vec<LinkDepartment> = specs
        .iter()
        .map(|d| LinkDepartment {
            code: tongban_core::org::DepartmentCode::parse(d.code).expect("code"),
            name: d.name.to_owned(),
            short_name: Some(d.short.to_owned()),
        })
        .collect();
    let items: Vec<LinkItem> = items
        .iter()
        .map(|i| LinkItem { code: i.code.clone(), name: i.name.clone(), department: i.department.clone() })
        .collect();
    let plan = tongban_core::plan::reform::after_reform();
    let (linked, report) = link::link(&plan, &departments, &items);
    let unlinked: Vec<String> = report
        .steps
        .iter()
        .filter(|s| !s.outcome.is_linked())
        .map(|s| format!("{} {}: {}", s.step, s.name, s.reason))
        .collect();
    assert!(report.linked >= 40, "{} of 48 linked; unlinked: {unlinked:#?}", report.linked);
    assert_eq!(report.linked, 41, "{unlinked:#?}");
    assert_eq!(linked.steps().iter().filter(|s| s.item.is_some()).count(), report.linked);
    // Every linked item is of the step's resolved department.
    for s in report.steps.iter().filter(|s| s.outcome.is_linked()) {
        let item = items.iter().find(|i| Some(&i.code) == s.item.as_ref()).expect("item");
        assert_eq!(Some(&item.department), s.department.as_ref(), "{}", s.step);
    }
    assert_eq!(report.unknown_departments, ["政务服务中心"], "{unlinked:#?}");
    // The special plans link too.
    for kind in tongban_core::plan::figures::TYPES {
        let plan = tongban_core::plan::reform::plan_for(kind);
        let (_, r) = link::link(&plan, &departments, &items);
        assert!(r.linked * 10 >= r.total * 8, "{}: {} of {} linked: {:#?}", plan.id(), r.linked, r.total, r.steps);
    }
}
