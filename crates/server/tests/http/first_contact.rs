//! First contact watched (首接责任, issue 18), on a simulated clock: the supervision worker's
//! logic is driven tick by tick with moments the test chooses. An owner who does not act is
//! warned and escalated exactly once per step, an offer nobody takes up alerts exactly once,
//! a restarted worker raises nothing again, and the last level names the 审批第一责任人.

use crate::common;

use std::collections::BTreeMap;

use common::{Fixture, good_case};
use serde_json::json;
use tongban_server::app::worker::Watcher;
use tongban_store::testing::each_backend;

/// The escalation steps an alert went through: (level, who it named).
type Steps = Vec<(String, Option<String>)>;

/// A case the clerk received at the window (so the clerk owns it).
async fn received_by_clerk(f: &Fixture) -> String {
    let applicant = f.login("applicant").await;
    let mut case = good_case();
    case["received_by"] = json!("clerk");
    let (s, _, v) = f.call(&applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
    assert_eq!((s.as_u16(), v["owner"].as_str()), (201, Some("clerk")), "{v}");
    v["number"].as_str().expect("number").to_owned()
}

type History = BTreeMap<(String, String, String, String), Vec<(String, Option<String>)>>;

/// Appends every alert's (level, escalated_at) to its history when it changed.
async fn observe(f: &Fixture, history: &mut History) {
    for a in f.t.store.alerts(10_000).await.expect("alerts") {
        let key = (a.case_number.clone(), a.kind.to_string(), a.colour.to_string(), a.since.to_string());
        let seen = (a.level.to_string(), a.escalated_at.map(|t| t.to_string()));
        let steps = history.entry(key).or_default();
        if steps.last() != Some(&seen) {
            steps.push(seen);
        }
    }
}

#[tokio::test]
async fn an_owner_who_does_not_act_is_warned_and_escalated_once_per_step_and_an_offer_alerts_once() {
    for t in each_backend().await {
        let name = t.name;
        // Mon 2 Mar 2026 10:00 CST.
        let start: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("valid");
        let f = Fixture::new(t).await;
        let idle = received_by_clerk(&f).await;
        let offered = received_by_clerk(&f).await;
        let clerk = f.login("clerk").await;
        assert_eq!(f.act(&clerk, &offered, json!({"action": "accept"})).await.0.as_u16(), 200);
        let (s, v) = f.act(&clerk, &offered, json!({"action": "hand_over", "to": "outsider"})).await;
        assert_eq!(s.as_u16(), 200, "{name}: {v}");
        let app = &f.state.app;
        let mut watcher = Watcher::start(app, start).await.expect("starts");
        let mut history = History::new();
        let mut now = start;
        // Every 10 minutes for four and a half days, and a restarted worker half-way.
        for tick in 0..650 {
            now = now.checked_add(jiff::SignedDuration::from_mins(10)).expect("in range");
            if tick == 300 {
                watcher = Watcher::start(app, now).await.expect("restarts");
            }
            assert!(watcher.step(app, now).await.expect("a tick"), "{name}");
            observe(&f, &mut history).await;
        }
        let of = |case: &str, kind: &str| -> Vec<(String, Steps)> {
            history.iter().filter(|(k, _)| k.0 == case && k.1 == kind).map(|(k, v)| (k.2.clone(), v.clone())).collect()
        };
        // The idle case: yellow then red on its act-by time, each told to the owner, the
        // chief and the supervisor once, in that order; nothing on the due time (never accepted).
        let act_by = of(&idle, "act_by");
        let colours: Vec<&str> = act_by.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(colours.len(), 2, "{name}: {act_by:?}");
        assert!(colours.contains(&"yellow") && colours.contains(&"red"), "{name}: {act_by:?}");
        for (colour, steps) in &act_by {
            let levels: Vec<&str> = steps.iter().map(|(l, _)| l.as_str()).collect();
            assert_eq!(levels, ["owner", "chief", "supervisor"], "{name}: {colour} {steps:?}");
        }
        assert!(of(&idle, "due").is_empty(), "{name}");
        // The offer nobody took up: one alert, red, once.
        let hand_over = of(&offered, "hand_over");
        assert_eq!(hand_over.len(), 1, "{name}: {hand_over:?}");
        assert_eq!(hand_over[0].0, "red", "{name}");
        assert!(of(&offered, "act_by").is_empty(), "{name}: a running case's act-by is its due time");
        // The last level names the department's 审批第一责任人 (its head, none named), and so
        // does the accountability record the red act-by opened.
        let alerts = f.t.store.alerts(10_000).await.expect("alerts");
        for a in alerts.iter().filter(|a| a.level == tongban_core::supervision::Level::Supervisor) {
            assert_eq!(a.responsible.as_deref(), Some("head"), "{name}: {a:?}");
        }
        // The API lists them by kind.
        let supervisor = f.login("supervisor").await;
        let (s, _, listed) = f.call(&supervisor, "GET", "/api/v1/supervision/alerts?kind=hand_over", None).await;
        assert_eq!(s.as_u16(), 200, "{name}: {listed}");
        let listed = listed.as_array().cloned().unwrap_or_default();
        assert_eq!(listed.len(), 1, "{name}: {listed:?}");
        assert_eq!(
            (listed[0]["kind"].as_str(), listed[0]["case_number"].as_str()),
            (Some("hand_over"), Some(offered.as_str()))
        );
        let (_, _, act_by) = f.call(&supervisor, "GET", "/api/v1/supervision/alerts?kind=act_by", None).await;
        assert_eq!(act_by.as_array().map(Vec::len), Some(2), "{name}: {act_by}");
        common::assert_problem(
            &f.call(&supervisor, "GET", "/api/v1/supervision/alerts?kind=Act-By", None).await,
            422,
            "invalid-field",
        );
        let records = f.t.store.accountability().await.expect("records");
        let act_by_records: Vec<_> = records.iter().filter(|r| r.case_number == idle).collect();
        assert_eq!(act_by_records.len(), 1, "{name}: {records:?}");
        assert_eq!(act_by_records[0].kind.as_str(), "act_by", "{name}");
        assert_eq!(act_by_records[0].first_responsible.as_deref(), Some("head"), "{name}");
        f.t.cleanup().await;
    }
}

/// The numbers of the cases `caller` finds in their department's queue in `state`.
async fn queue(f: &Fixture, caller: &common::Caller, state: &str) -> Vec<String> {
    let (s, _, page) = f.call(caller, "GET", &format!("/api/v1/cases?state={state}&per_page=200"), None).await;
    assert_eq!(s.as_u16(), 200, "{page}");
    page["items"].as_array().into_iter().flatten().filter_map(|c| c["number"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_hand_over_to_another_department_shows_in_its_queue_and_moves_with_the_case() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let n = received_by_clerk(&f).await;
        let (clerk, outsider) = (f.login("clerk").await, f.login("outsider").await);
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0.as_u16(), 200, "{name}");
        assert!(!queue(&f, &outsider, "accepted").await.contains(&n), "{name}: not theirs before the offer");
        let (s, v) = f.act(&clerk, &n, json!({"action": "hand_over", "to": "outsider"})).await;
        assert_eq!(s.as_u16(), 200, "{name}: {v}");
        // Offered: the receiving department's queue (the API the workbench reads) and the
        // receiver's workbench page show it.
        assert!(queue(&f, &outsider, "accepted").await.contains(&n), "{name}: offered into their queue");
        let mut web = common::browser::Web::new(&f);
        web.login("outsider").await;
        let page = web.get("/workbench").await;
        assert!(page.has(&n), "{name}: {}", page.body);
        let page = web.get(&format!("/cases/{n}")).await;
        assert_eq!(page.status.as_u16(), 200, "{name}");
        // Taken: the case is the new owner's and stays in their department's queue; the
        // item's department still sees it.
        let (s, v) = f.act(&outsider, &n, json!({"action": "take_over"})).await;
        assert_eq!((s.as_u16(), v["owner"].as_str()), (200, Some("outsider")), "{name}: {v}");
        assert!(queue(&f, &outsider, "accepted").await.contains(&n), "{name}: moved with its owner");
        assert!(queue(&f, &clerk, "accepted").await.contains(&n), "{name}: still the item's department's");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_offer_not_taken_up_in_time_shows_as_expired_on_the_case_page() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    for t in each_backend().await {
        let name = t.name;
        // Mon 2 Mar 2026 10:00 CST; moved on by the test.
        let now = Arc::new(AtomicI64::new(1_772_416_800));
        let clock_now = now.clone();
        let f = Fixture::with_clock(
            t,
            Arc::new(move || jiff::Timestamp::from_second(clock_now.load(Ordering::SeqCst)).expect("valid")),
        )
        .await;
        let n = received_by_clerk(&f).await;
        let clerk = f.login("clerk").await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0.as_u16(), 200, "{name}");
        let (s, v) = f.act(&clerk, &n, json!({"action": "hand_over", "to": "outsider"})).await;
        assert_eq!(s.as_u16(), 200, "{name}: {v}");
        let mut web = common::browser::Web::new(&f);
        web.login("clerk").await;
        let page = web.get(&format!("/cases/{n}")).await;
        assert!(!page.has("badge expired"), "{name}: not yet");
        // The offer runs to the end of the next working day, Tue 3 Mar 17:30 CST.
        now.store(1_772_530_260, Ordering::SeqCst); // Tue 3 Mar 17:31 CST
        let mut web = common::browser::Web::new(&f);
        web.login("clerk").await;
        let page = web.get(&format!("/cases/{n}")).await;
        assert!(page.has("badge expired"), "{name}: {}", page.body);
        // Withdrawn, nothing is pending any more.
        let clerk = f.login("clerk").await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "withdraw_hand_over"})).await.0.as_u16(), 200, "{name}");
        let page = web.get(&format!("/cases/{n}")).await;
        assert!(!page.has("badge expired"), "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_first_responsible_person_is_the_head_unless_the_department_or_the_item_names_another() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let public = common::Caller::default();
        let guide = async |who: &str| {
            let (_, _, item) = f.call(&public, "GET", "/api/v1/items/620100-FGW-001", None).await;
            assert_eq!(item["first_responsible"], who, "{name}: {item}");
            let mut web = common::browser::Web::new(&f);
            for uri in ["/kiosk/items/620100-FGW-001", "/items/620100-FGW-001"] {
                let page = web.get(uri).await;
                assert_eq!(page.status.as_u16(), 200, "{name}: {uri}");
                assert!(page.has(&who.to_uppercase()), "{name}: {uri} names {who}");
            }
        };
        guide("head").await;
        let put = async |first: &str| {
            let body = json!({ "name": "发展和改革委员会", "division": "620100", "first_responsible": first });
            f.call(&admin, "PUT", "/api/v1/org/departments/fgw", Some(&body.to_string())).await
        };
        let (s, _, v) = put("approver").await;
        assert!(s.is_success(), "{name}: {v}");
        guide("approver").await;
        // Someone of another department, or nobody at all, cannot be named.
        for wrong in ["outsider", "nobody"] {
            let answer = put(wrong).await;
            common::assert_problem(&answer, 422, "invalid-field");
            assert!(answer.2.to_string().contains("first_responsible"), "{name}: {}", answer.2);
        }
        guide("approver").await;
        // The item's own overrides the department's; an empty name goes back to the head.
        let body = json!({ "account": "reviewer" });
        let (s, _, v) =
            f.call(&admin, "PUT", "/api/v1/items/620100-FGW-001/first-responsible", Some(&body.to_string())).await;
        assert!(s.is_success(), "{name}: {v}");
        guide("reviewer").await;
        let (s, _, v) = put("").await;
        assert!(s.is_success(), "{name}: {v}");
        assert_eq!(f.t.store.department_first_responsible("fgw").await.expect("read"), None, "{name}");
        guide("reviewer").await;
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_catalog_file_may_name_an_items_first_responsible_person() {
    use tongban_server::app::Principal;
    use tongban_server::app::tables::Upload;
    const HEADER: &str = "code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis,first_responsible";
    let row = |code: &str, first: &str| {
        format!(
            "{code},企业投资项目备案,fgw,620100,filing,time_limited,20d,5d,项目备案申请表|required|original,,window;online,依据,{first}\n"
        )
    };
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = Principal::console();
        // Another department's clerk, or nobody, is refused, and nothing is published.
        let wrong = format!("{HEADER}\n{}{}", row("620100-FGW-001", "outsider"), row("620100-FGW-003", "nobody"));
        let refused = tongban_server::app::import_catalog(&f.state, &admin, "v2", &Upload::CSV, wrong.as_bytes()).await;
        let text = format!("{refused:?}");
        assert!(text.contains("outsider is not staff of fgw") && text.contains("no account nobody"), "{name}: {text}");
        let file = format!("{HEADER}\n{}{}", row("620100-FGW-001", "approver"), row("620100-FGW-003", ""));
        tongban_server::app::import_catalog(&f.state, &admin, "v2", &Upload::CSV, file.as_bytes())
            .await
            .expect("published");
        let public = common::Caller::default();
        let (_, _, named) = f.call(&public, "GET", "/api/v1/items/620100-FGW-001", None).await;
        assert_eq!(named["first_responsible"], "approver", "{name}: {named}");
        // Left empty: the department's (its head).
        let (_, _, other) = f.call(&public, "GET", "/api/v1/items/620100-FGW-003", None).await;
        assert_eq!(other["first_responsible"], "head", "{name}: {other}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_administrator_names_a_departments_first_responsible_person_on_its_page() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let mut admin = common::browser::Web::new(&f);
        admin.login("admin").await;
        let page = admin.get("/admin/org/departments/fgw").await;
        assert!(page.has("name=\"first_responsible\""), "{name}: {}", page.body);
        let csrf = page.csrf();
        let form = |first: &'static str| {
            [
                ("csrf", csrf.clone()),
                ("code", "fgw".to_owned()),
                ("name", "发展和改革委员会".to_owned()),
                ("division", "620100".to_owned()),
                ("first_responsible", first.to_owned()),
            ]
        };
        let wrong = form("outsider");
        let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = admin.post("/admin/org/departments/fgw", &wrong).await;
        assert_eq!(refused.status.as_u16(), 422, "{name}");
        assert!(refused.has("id=\"err-first-responsible\""), "{name}: {}", refused.body);
        let right = form("approver");
        let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = admin.post("/admin/org/departments/fgw", &right).await;
        assert_eq!(saved.status.as_u16(), 303, "{name}: {}", saved.body);
        assert_eq!(f.t.store.department_first_responsible("fgw").await.expect("read").as_deref(), Some("approver"));
        let page = admin.get("/admin/org/departments/fgw").await;
        assert!(page.has("value=\"approver\""), "{name}: {}", page.body);
        f.t.cleanup().await;
    }
}
