//! Plans and projects over the API, on both databases: the reform report, BPMN import and
//! export (a refused document writes nothing), a project run through the after-reform plan
//! with a bundled submission and an expected completion that moves as steps finish early
//! or late, and a step that opens a real case.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{APPLICANT_ID, Caller, Fixture, assert_problem, at};
use serde_json::{Value, json};
use tongban_store::testing::each_backend;
use tower::ServiceExt;

fn bpmn_file(name: &str) -> String {
    let path = format!("{}/../core/tests/data/bpmn/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Sends `body` with the given content type; answers status, content type and body text.
async fn send(
    f: &Fixture,
    caller: &Caller,
    method: &str,
    uri: &str,
    ctype: Option<&str>,
    body: &str,
) -> (StatusCode, String, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = ctype {
        req = req.header(header::CONTENT_TYPE, t);
    }
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(c) = &caller.csrf {
        req = req.header("x-csrf-token", c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(body.to_owned())).expect("request")).await.expect("infallible");
    let status = res.status();
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, ctype, String::from_utf8_lossy(&bytes).into_owned())
}

async fn import(f: &Fixture, caller: &Caller, xml: &str) -> (StatusCode, String, Value) {
    let (s, t, body) = send(f, caller, "POST", "/api/v1/plans", Some("application/xml"), xml).await;
    (s, t, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn audit_actions(f: &Fixture) -> Vec<String> {
    f.t.store.audit_entries().await.expect("audit").into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn the_reform_report_shows_the_cuts_and_plans_import_and_export_as_bpmn() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let public = Caller::default();
        let (s, _, list) = f.call(&public, "GET", "/api/v1/plans", None).await;
        assert_eq!(s, StatusCode::OK);
        let ids: Vec<&str> = list.as_array().expect("list").iter().filter_map(|p| p["id"].as_str()).collect();
        assert_eq!(
            ids,
            [
                "before-reform",
                "after-reform",
                "parking_lot",
                "coal_to_gas_boiler",
                "simple_government_investment",
                "municipal_road"
            ],
            "{}",
            f.t.name
        );
        assert!(list.as_array().expect("list").iter().all(|p| p["builtin"] == true));

        let (s, _, report) =
            f.call(&public, "GET", "/api/v1/plans/compare?before=before-reform&after=after-reform", None).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!((report["before"]["steps"].as_u64(), report["after"]["steps"].as_u64()), (Some(111), Some(48)));
        assert_eq!((report["before"]["days"].as_u64(), report["after"]["days"].as_u64()), (Some(232), Some(72)));
        assert_eq!(
            (report["steps_cut_percent"].as_f64(), report["days_cut_percent"].as_f64()),
            (Some(56.8), Some(69.0))
        );
        assert!(report["report"].as_str().is_some_and(|r| r.contains("−56.8 %") && r.contains("−69.0 %")), "{report}");
        assert_problem(
            &f.call(&public, "GET", "/api/v1/plans/compare?before=before-reform", None).await,
            400,
            "invalid-parameter",
        );
        assert_problem(
            &f.call(&public, "GET", "/api/v1/plans/compare?before=nope&after=after-reform", None).await,
            404,
            "not-found",
        );

        let (s, _, plan) = f.call(&public, "GET", "/api/v1/plans/after-reform", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((plan["total_days"].as_u64(), plan["builtin"].as_bool()), (Some(72), Some(true)));
        let steps = plan["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 48);
        let path: Vec<&str> =
            plan["critical_path"].as_array().expect("path").iter().filter_map(Value::as_str).collect();
        let on_path: u64 = steps
            .iter()
            .filter(|s| path.contains(&s["id"].as_str().unwrap_or("")))
            .map(|s| s["days"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(on_path, 72, "the critical path's days add up to the total");
        for s in steps {
            assert_eq!(
                s["slack"],
                json!(s["latest_start"].as_u64().unwrap_or(0) - s["earliest_start"].as_u64().unwrap_or(0))
            );
            assert!(s["module"].is_string() && s["section"].is_string() && s["lead_department"].is_string());
        }
        assert_problem(&f.call(&public, "GET", "/api/v1/plans/nope", None).await, 404, "not-found");

        // Refusals write nothing.
        let (admin, clerk, leader) = (f.login("admin").await, f.login("clerk").await, f.login("leader").await);
        let lanes = bpmn_file("spiff-lanes.bpmn");
        let got = import(&f, &clerk, &lanes).await;
        assert_problem(&got, 403, "forbidden");
        let (s, t, body) = send(&f, &admin, "POST", "/api/v1/plans", Some("application/json"), &lanes).await;
        assert_eq!((s, t.as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/problem+json"), "{body}");
        let refused = import(&f, &admin, &bpmn_file("refused/spiff-inclusive_gateway.bpmn")).await;
        assert_problem(&refused, 422, "invalid-field");
        let detail = refused.2["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("inclusiveGateway") && detail.contains("\"first\"") && detail.contains("line 9"),
            "{detail}"
        );
        let malformed = import(&f, &admin, "<definitions><process id=\"x\">").await;
        assert_problem(&malformed, 422, "invalid-field");
        assert!(malformed.2["detail"].as_str().is_some_and(|d| d.contains("malformed XML")), "{}", malformed.2);
        let cycle = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="loop">
            <task id="a"/><task id="b"/><sequenceFlow id="f1" sourceRef="a" targetRef="b"/>
            <sequenceFlow id="f2" sourceRef="b" targetRef="a"/></process></definitions>"#;
        let cyclic = import(&f, &admin, cycle).await;
        assert_problem(&cyclic, 422, "invalid-field");
        assert!(cyclic.2["errors"].as_array().is_some_and(|e| !e.is_empty()), "{}", cyclic.2);
        assert!(cyclic.2["detail"].as_str().is_some_and(|d| d.contains("cycle")), "{}", cyclic.2);
        // The built-in plans behind the public reform comparison are read-only.
        let (_, _, after) = send(&f, &public, "GET", "/api/v1/plans/after-reform/bpmn", None, "").await;
        let builtin = import(&f, &admin, &after).await;
        assert_problem(&builtin, 422, "invalid-field");
        assert_eq!(builtin.2["errors"][0]["field"], "bpmn", "{}", builtin.2);
        // A step's lead department must be one of the center's: lanes A, B and C are none.
        let strangers = import(&f, &admin, &lanes).await;
        assert_problem(&strangers, 422, "invalid-field");
        let fields: Vec<&str> =
            strangers.2["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields.len(), 3, "{}", strangers.2);
        assert!(fields.iter().all(|f| f.starts_with("step ") && f.ends_with(".lead_department")), "{fields:?}");
        let lanes = lanes
            .replace(r#"name="A""#, r#"name="发改委""#)
            .replace(r#"name="B""#, r#"name="住建局""#)
            .replace(r#"name="C""#, r#"name="兰州市发展和改革委员会""#);
        assert_eq!(f.t.store.plans().await.expect("plans").len(), 0, "{}: nothing stored", f.t.name);
        assert!(!audit_actions(&f).await.iter().any(|a| a == "plan.import"));

        // Import, export, import again: version 2, the same plan.
        let (s, _, imported) = import(&f, &admin, &lanes).await;
        assert_eq!(s, StatusCode::CREATED, "{imported}");
        let id = imported["id"].as_str().expect("id").to_owned();
        assert_eq!((imported["version"].as_u64(), imported["steps"].as_u64()), (Some(1), Some(6)));
        let (s, t, xml) = send(&f, &public, "GET", &format!("/api/v1/plans/{id}/bpmn"), None, "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(t.starts_with("application/xml") && xml.contains("definitions"), "{t}");
        let (s, _, again) = import(&f, &leader, &xml).await;
        assert_eq!((s, again["version"].as_u64()), (StatusCode::CREATED, Some(2)), "{again}");
        let (_, _, v1) = f.call(&public, "GET", &format!("/api/v1/plans/{id}?version=1"), None).await;
        let (_, _, v2) = f.call(&public, "GET", &format!("/api/v1/plans/{id}"), None).await;
        assert_eq!((v1["version"].as_u64(), v2["version"].as_u64()), (Some(1), Some(2)));
        assert_eq!(v1["steps"], v2["steps"], "export → import gives back the same steps");
        assert_eq!(v2["total_days"], imported["total_days"]);
        assert_problem(&f.call(&public, "GET", &format!("/api/v1/plans/{id}?version=3"), None).await, 404, "not-found");
        let (_, _, list) = f.call(&public, "GET", "/api/v1/plans", None).await;
        assert_eq!(list.as_array().map(Vec::len), Some(7));
        assert_eq!(audit_actions(&f).await.iter().filter(|a| *a == "plan.import").count(), 2);

        // The link report: every step, its department and item or why not.
        let (s, _, links) = f.call(&public, "GET", "/api/v1/plans/after-reform/links", None).await;
        assert_eq!(s, StatusCode::OK, "{links}");
        assert_eq!((links["total"].as_u64(), links["builtin"].as_bool()), (Some(48), Some(true)));
        let steps = links["steps"].as_array().expect("steps");
        assert_eq!(steps.len(), 48);
        let lx01 = &steps[0];
        assert_eq!((lx01["step"].as_str(), lx01["department"].as_str()), (Some("LX01"), Some("fgw")), "{lx01}");
        assert!(links["unknown_departments"].as_array().is_some_and(|u| u.contains(&json!("政务服务中心"))));
        let lx02 = steps.iter().find(|s| s["step"] == "LX02").expect("LX02");
        assert_eq!(lx02["outcome"], "unknown_department");
        assert!(lx02["reason"].as_str().is_some_and(|r| r.contains("政务服务中心")), "{lx02}");
        assert_problem(&f.call(&public, "GET", "/api/v1/plans/nope/links", None).await, 404, "not-found");
        f.t.cleanup().await;
    }
}

/// A fixture whose clock the test moves.
async fn fixture_with_clock(t: tongban_store::testing::TestStore) -> (Fixture, Arc<Mutex<jiff::Timestamp>>) {
    let now = Arc::new(Mutex::new(at("2026-03-02T02:00:00Z"))); // Monday 10:00 CST
    let clock = now.clone();
    let f = Fixture::with_clock(t, Arc::new(move || *clock.lock().expect("clock"))).await;
    (f, now)
}

fn project(code: &str, division: &str, credit_code: Option<&str>) -> String {
    json!({
        "code": code, "name": "兰州新区数据中心", "unit": "兰州某科技有限公司",
        "project_type": "enterprise_invested", "investment_yuan": 500_000_000u64, "division": division,
        "credit_code": credit_code, "phone": "0931-8888888"
    })
    .to_string()
}

fn step<'a>(run: &'a Value, id: &str) -> &'a Value {
    run["steps"].as_array().and_then(|s| s.iter().find(|s| s["id"] == id)).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_project_runs_through_the_after_reform_plan_and_its_completion_moves() {
    for t in each_backend().await {
        let (f, clock) = fixture_with_clock(t).await;
        let (leader, clerk, applicant) = (f.login("leader").await, f.login("clerk").await, f.login("applicant").await);
        let code = "2026-620102-47-01-000123";
        let (s, _, p) = f.call(&leader, "POST", "/api/v1/projects", Some(&project(code, "620102", None))).await;
        assert_eq!((s, p["stage"].as_str()), (StatusCode::CREATED, Some("pre_consultation")), "{p}");
        assert_problem(
            &f.call(&leader, "POST", "/api/v1/projects", Some(&project(code, "620102", None))).await,
            409,
            "conflict",
        );
        let bad = json!({"code": "no spaces", "name": "", "unit": "u", "project_type": "small", "investment_yuan": 1, "division": "999999"});
        let got = f.call(&leader, "POST", "/api/v1/projects", Some(&bad.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        let fields: Vec<&str> =
            got.2["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        // Every bad field is named, the blank name too.
        assert_eq!(fields, ["code", "small_type", "division", "name"], "{}", got.2);
        assert_problem(
            &f.call(&clerk, "POST", "/api/v1/projects", Some(&project("x-1", "620102", None))).await,
            403,
            "forbidden",
        );
        let (s, _, list) = f.call(&clerk, "GET", "/api/v1/projects?stage=pre_consultation", None).await;
        assert_eq!((s, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
        assert_problem(&f.call(&applicant, "GET", "/api/v1/projects", None).await, 403, "forbidden");

        let (s, _, _) = f
            .call(
                &leader,
                "POST",
                &format!("/api/v1/projects/{code}/consultations"),
                Some(r#"{"notes":"首次上门对接，梳理审批事项清单"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let green_without_channel = json!({"plan": "after-reform", "green_limits": {"LX05": 2}}).to_string();
        let run_uri = format!("/api/v1/projects/{code}/run");
        assert_problem(&f.call(&leader, "POST", &run_uri, Some(&green_without_channel)).await, 422, "invalid-field");
        assert_problem(&f.call(&leader, "POST", &run_uri, Some(r#"{"plan":"nope"}"#)).await, 422, "invalid-field");

        // Run it: no progress yet, so it is expected 72 working days from now.
        let start = at("2026-03-02T02:00:00Z");
        let (s, _, run) = f.call(&leader, "POST", &run_uri, Some(r#"{"plan":"after-reform"}"#)).await;
        assert_eq!(s, StatusCode::CREATED, "{run}");
        let planned = f.state.calendar().add_working_days(start, 72).expect("in the calendar").to_string();
        assert_eq!(
            (run["planned_completion"].as_str(), run["expected_completion"].as_str()),
            (Some(planned.as_str()), Some(planned.as_str()))
        );
        assert_eq!(run["startable"], json!(["LX01", "LX02", "LX03"]));
        assert_problem(&f.call(&leader, "POST", &run_uri, Some(r#"{"plan":"after-reform"}"#)).await, 409, "conflict");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        assert_eq!(
            (detail["project"]["stage"].as_str(), detail["consultations"].as_array().map(Vec::len)),
            (Some("in_approval"), Some(1))
        );

        // 打捆报: one submission starts the three parallel guidance steps, each with its deadline.
        let bundle_uri = format!("/api/v1/projects/{code}/bundle");
        let start_uri = |s: &str| format!("/api/v1/projects/{code}/steps/{s}/start");
        let finish_uri = |s: &str| format!("/api/v1/projects/{code}/steps/{s}/finish");
        assert_problem(&f.call(&leader, "POST", &start_uri("LX05"), None).await, 409, "conflict");
        assert_problem(
            &f.call(&leader, "POST", &bundle_uri, Some(r#"{"steps":["LX01","LX05"]}"#)).await,
            409,
            "conflict",
        );
        assert_problem(&f.call(&leader, "POST", &bundle_uri, Some(r#"{"steps":[]}"#)).await, 422, "invalid-field");
        assert_problem(&f.call(&leader, "POST", &start_uri("ZZ99"), None).await, 404, "not-found");
        let (s, _, run) = f.call(&leader, "POST", &bundle_uri, Some(r#"{"steps":["LX01","LX02","LX03"]}"#)).await;
        assert_eq!(s, StatusCode::OK, "{run}");
        assert_eq!(step(&run, "LX01")["state"], "running");
        assert_eq!(step(&run, "LX01")["due_at"], "2026-03-03T09:30:00Z", "1 working day: Tuesday 17:30 CST");
        assert_eq!(step(&run, "LX03")["due_at"], "2026-03-04T09:30:00Z", "2 working days: Wednesday 17:30 CST");
        assert_eq!(step(&run, "LX04")["state"], "waiting");
        assert_eq!(run["expected_completion"].as_str(), Some(planned.as_str()), "on schedule");
        assert_problem(&f.call(&leader, "POST", &bundle_uri, Some(r#"{"steps":["LX01"]}"#)).await, 409, "conflict");

        // All three done Monday afternoon: LX03 two days early, so the project is expected sooner.
        *clock.lock().expect("clock") = at("2026-03-02T08:00:00Z");
        for s in ["LX01", "LX02", "LX03"] {
            let (st, _, r) = f.call(&leader, "POST", &finish_uri(s), None).await;
            assert_eq!(st, StatusCode::OK, "{s}: {r}");
        }
        assert_problem(&f.call(&leader, "POST", &finish_uri("LX03"), None).await, 409, "conflict");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        let early = detail["run"]["expected_completion"].as_str().expect("expected").to_owned();
        let sooner = f.state.calendar().add_working_days(start, 70).expect("in the calendar").to_string();
        assert_eq!(early, sooner, "a critical step two days early brings completion two days closer");
        assert_eq!(detail["run"]["planned_completion"].as_str(), Some(planned.as_str()), "the plan stays");
        assert!(detail["run"]["startable"].as_array().is_some_and(|s| s.contains(&json!("LX05"))));

        // LX05 (5 days) runs late: three working days past its deadline, completion slips.
        let (s, _, run) = f.call(&leader, "POST", &start_uri("LX05"), None).await;
        assert_eq!(s, StatusCode::OK, "{run}");
        assert_eq!(step(&run, "LX05")["due_at"], "2026-03-09T09:30:00Z", "Monday 9 March 17:30 CST");
        *clock.lock().expect("clock") = at("2026-03-12T02:00:00Z"); // Thursday 12 March
        // Sessions last 12 hours.
        let (leader, clerk) = (f.login("leader").await, f.login("clerk").await);
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        let late = detail["run"]["expected_completion"].as_str().expect("expected").to_owned();
        assert_eq!(step(&detail["run"], "LX05")["overdue"], true);
        assert!(late.parse::<jiff::Timestamp>().ok() > planned.parse().ok(), "{late} > {planned}");
        let (_, _, run) = f.call(&leader, "POST", &finish_uri("LX05"), None).await;
        assert_eq!(run["expected_completion"].as_str(), Some(late.as_str()), "finishing now keeps the slip");

        // 分块报: the initiation module's startable steps start together as one block.
        let ready: Vec<String> = run["startable"]
            .as_array()
            .expect("startable")
            .iter()
            .filter_map(|s| s.as_str().filter(|s| s.starts_with("LX")).map(str::to_owned))
            .collect();
        let block_uri = format!("/api/v1/projects/{code}/blocks/initiation");
        let (s, _, blocked) = f.call(&leader, "POST", &block_uri, None).await;
        if ready.is_empty() {
            assert_eq!(s, StatusCode::CONFLICT, "{blocked}");
        } else {
            assert_eq!(s, StatusCode::OK, "{blocked}");
            for id in &ready {
                assert_eq!(step(&blocked, id)["state"], "running", "{id} started with its block");
            }
            assert_problem(&f.call(&leader, "POST", &block_uri, None).await, 409, "conflict");
        }
        assert_problem(
            &f.call(&leader, "POST", &format!("/api/v1/projects/{code}/blocks/nowhere"), None).await,
            404,
            "not-found",
        );

        let actions = audit_actions(&f).await;
        for a in ["project.create", "project.consultation", "project.run", "project.start_steps", "project.finish_step"]
        {
            assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_step_linked_to_an_item_opens_a_case_and_finishes_once_it_is_decided() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (admin, leader, clerk, reviewer, approver) = (
            f.login("admin").await,
            f.login("leader").await,
            f.login("clerk").await,
            f.login("reviewer").await,
            f.login("approver").await,
        );
        let xml = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:tongban="urn:tongban:bpmn:1">
          <process id="filing" name="企业投资项目备案小流程">
            <task id="a" name="项目备案" tongban:days="2" tongban:item="620100-FGW-001"/>
            <task id="b" name="开工准备" tongban:days="3" tongban:module="construction"/>
            <sequenceFlow id="f1" sourceRef="a" targetRef="b"/></process></definitions>"#;
        let (s, _, plan) = import(&f, &admin, xml).await;
        assert_eq!(s, StatusCode::CREATED, "{plan}");

        let code = "2026-620100-47-01-000007";
        let (s, _, _) =
            f.call(&leader, "POST", "/api/v1/projects", Some(&project(code, "620100", Some(APPLICANT_ID)))).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _, _) =
            f.call(&leader, "POST", &format!("/api/v1/projects/{code}/run"), Some(r#"{"plan":"filing"}"#)).await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _, run) = f.call(&leader, "POST", &format!("/api/v1/projects/{code}/steps/a/start"), None).await;
        assert_eq!(s, StatusCode::OK, "{run}");
        let number = step(&run, "a")["case_number"].as_str().expect("a case was opened").to_owned();
        assert_eq!(number, "620100-2026-000001");

        // The case is real: the department sees it, under the project unit's name.
        let (s, _, case) = f.call(&clerk, "GET", &format!("/api/v1/cases/{number}"), None).await;
        assert_eq!(s, StatusCode::OK, "{case}");
        assert_eq!(case["case"]["state"], "submitted");
        assert_eq!(case["case"]["applicant"]["name"], "兰州某科技有限公司", "{case}");
        // Owned at once by a named person of the department (the clerk at its window), never
        // by the leader who started the step.
        assert_eq!(case["case"]["owner"], "clerk", "{case}");
        let finish = format!("/api/v1/projects/{code}/steps/a/finish");
        let refused = f.call(&leader, "POST", &finish, None).await;
        assert_problem(&refused, 409, "conflict");
        assert!(refused.2["detail"].as_str().is_some_and(|d| d.contains(&number)), "{}", refused.2);

        assert_eq!(f.act(&clerk, &number, json!({"action": "accept"})).await.0, StatusCode::OK);
        assert_eq!(
            f.act(&reviewer, &number, json!({"action": "complete_step", "step": "审核"})).await.0,
            StatusCode::OK
        );
        assert_eq!(case["case"]["priority"], false, "not a green-channel project");
        let (_, _, before) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        let (s, c) = f.act(&approver, &number, json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        // Deciding the case finished the step, in the same transaction: no finish call.
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        let run = &detail["run"];
        assert_eq!(step(run, "a")["state"], "done", "{run}");
        assert_eq!(step(run, "a")["case_number"], number.as_str());
        assert_eq!(run["startable"], json!(["b"]), "{run}");
        assert_ne!(
            run["expected_completion"], before["run"]["expected_completion"],
            "decided early, the project is expected sooner"
        );
        assert_problem(&f.call(&leader, "POST", &finish, None).await, 409, "conflict");
        assert!(audit_actions(&f).await.iter().any(|a| a == "project.finish_step"));
        // Delivering afterwards changes nothing for the run.
        let (s, c) = f.act(&clerk, &number, json!({"action": "deliver", "method": "window"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");

        // A step without an item keeps only its deadline; the last one completes the project.
        let (_, _, run) = f.call(&leader, "POST", &format!("/api/v1/projects/{code}/steps/b/start"), None).await;
        assert_eq!((step(&run, "b")["case_number"].is_null(), step(&run, "b")["due_at"].is_string()), (true, true));
        let (s, _, run) = f.call(&leader, "POST", &format!("/api/v1/projects/{code}/steps/b/finish"), None).await;
        assert_eq!((s, run["complete"].as_bool()), (StatusCode::OK, Some(true)), "{run}");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{code}"), None).await;
        assert_eq!(detail["project"]["stage"], "completed");

        // Without the unit's credit code, the linked step opens no case.
        let other = "2026-620100-47-01-000008";
        f.call(&leader, "POST", "/api/v1/projects", Some(&project(other, "620100", None))).await;
        f.call(&leader, "POST", &format!("/api/v1/projects/{other}/run"), Some(r#"{"plan":"filing"}"#)).await;
        let (_, _, run) = f.call(&leader, "POST", &format!("/api/v1/projects/{other}/steps/a/start"), None).await;
        assert!(step(&run, "a")["case_number"].is_null() && step(&run, "a")["state"] == "running", "{run}");
        assert_eq!(f.t.store.counts().await.expect("counts").0, 1, "{}: still one case", f.t.name);

        // 绿色通道: a green-channel project's case is a priority case, first in the queue
        // before a newer ordinary one; a denial finishes its step too.
        let (green, plain) = ("2026-620100-47-01-000009", "2026-620100-47-01-000010");
        let mut opened = Vec::new();
        for (p, run) in [(green, r#"{"plan":"filing","green_channel":true}"#), (plain, r#"{"plan":"filing"}"#)] {
            let (s, _, _) =
                f.call(&leader, "POST", "/api/v1/projects", Some(&project(p, "620100", Some(APPLICANT_ID)))).await;
            assert_eq!(s, StatusCode::CREATED);
            let (s, _, r) = f.call(&leader, "POST", &format!("/api/v1/projects/{p}/run"), Some(run)).await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
            let (s, _, r) = f.call(&leader, "POST", &format!("/api/v1/projects/{p}/steps/a/start"), None).await;
            assert_eq!(s, StatusCode::OK, "{r}");
            opened.push(step(&r, "a")["case_number"].as_str().expect("a case was opened").to_owned());
        }
        let (s, _, case) = f.call(&clerk, "GET", &format!("/api/v1/cases/{}", opened[0]), None).await;
        assert_eq!((s, &case["case"]["priority"]), (StatusCode::OK, &json!(true)), "{case}");
        let (s, _, queue) = f.call(&clerk, "GET", "/api/v1/cases", None).await;
        assert_eq!(s, StatusCode::OK, "{queue}");
        let order: Vec<&str> =
            queue["items"].as_array().expect("items").iter().filter_map(|c| c["number"].as_str()).collect();
        assert_eq!(order, [opened[0].as_str(), opened[1].as_str(), number.as_str()], "{}", f.t.name);
        let priorities: Vec<bool> =
            queue["items"].as_array().expect("items").iter().filter_map(|c| c["priority"].as_bool()).collect();
        assert_eq!(priorities, [true, false, false]);
        assert_eq!(f.act(&clerk, &opened[0], json!({"action": "accept"})).await.0, StatusCode::OK);
        let deny = json!({"action": "deny", "reason": "不符合产业政策", "legal_basis": "《企业投资项目核准和备案管理条例》第十条"});
        let (s, c) = f.act(&approver, &opened[0], deny).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{green}"), None).await;
        assert_eq!(step(&detail["run"], "a")["state"], "done", "{detail}");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/projects/{plain}"), None).await;
        assert_eq!(step(&detail["run"], "a")["state"], "running", "another project's step is untouched");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_approval_list_figures_and_a_centralized_submission_over_http() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (public, leader, clerk) = (Caller::default(), f.login("leader").await, f.login("clerk").await);
        let (s, _, list) = f.call(&public, "GET", "/api/v1/projects/approval-list", None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let types: Vec<&str> =
            list.as_array().expect("groups").iter().filter_map(|g| g["project_type"].as_str()).collect();
        assert_eq!(
            types,
            [
                "government_invested",
                "enterprise_invested",
                "parking_lot",
                "coal_to_gas_boiler",
                "simple_government_investment",
                "municipal_road",
                "other"
            ]
        );
        assert_eq!(list[2]["plan"], "parking_lot");
        for page in ["/projects/approval-list", "/plans/after-reform/links", "/plans/parking_lot/links?lang=en"] {
            let (s, t, body) = send(&f, &public, "GET", page, None, "").await;
            assert_eq!(s, StatusCode::OK, "{page}: {body}");
            assert!(t.starts_with("text/html"), "{page}: {t}");
        }
        let (s, _, body) = send(&f, &public, "GET", "/plans/nope/links", None, "").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

        // A project with the unit's credit code: a centralized submission starts LX01–LX03.
        let code = "2026-620100-47-01-000011";
        let (s, _, _) =
            f.call(&leader, "POST", "/api/v1/projects", Some(&project(code, "620100", Some(APPLICANT_ID)))).await;
        assert_eq!(s, StatusCode::CREATED);
        let central = format!("/api/v1/projects/{code}/run/centralized");
        assert_problem(&f.call(&leader, "POST", &central, None).await, 404, "not-found");
        let (s, _, run) = f.call(&leader, "POST", &format!("/api/v1/projects/{code}/run"), Some("{}")).await;
        assert_eq!(s, StatusCode::CREATED, "{run}");
        assert_eq!(run["plan_id"], "after-reform", "{run}");
        assert_problem(&f.call(&clerk, "POST", &central, None).await, 403, "forbidden");
        let (s, _, run) = f.call(&leader, "POST", &central, None).await;
        assert_eq!(s, StatusCode::OK, "{run}");
        for id in ["LX01", "LX02", "LX03"] {
            assert_eq!(step(&run, id)["state"], "running", "{id}: {run}");
        }
        assert_problem(&f.call(&leader, "POST", &central, None).await, 409, "conflict");

        let (s, _, figures) = f.call(&clerk, "GET", "/api/v1/projects/figures", None).await;
        assert_eq!(s, StatusCode::OK, "{figures}");
        assert_eq!((figures["projects"].as_u64(), figures["by_stage"]["in_approval"].as_u64()), (Some(1), Some(1)));
        assert_eq!(figures["modules"].as_array().map(Vec::len), Some(5));
        assert_problem(&f.call(&public, "GET", "/api/v1/projects/figures", None).await, 401, "unauthorized");
        let (s, _, body) = send(&f, &leader, "GET", "/projects/figures", None, "").await;
        assert_eq!(s, StatusCode::OK, "{body}");
        f.t.cleanup().await;
    }
}
