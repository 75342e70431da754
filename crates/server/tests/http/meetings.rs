//! Joint review meetings (联审联批) over the API, on both databases: a meeting decides exit,
//! roadmap and unblock; the summary changes count by count; a roadmap task goes overdue,
//! shows red in supervision and closes when done; bad input answers 422 naming each field.

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::{Fixture, assert_problem, at};
use serde_json::{Value, json};
use tongban_store::testing::each_backend;

fn code(n: u32) -> String {
    format!("2026-620100-47-01-{n:06}")
}

fn project(n: u32) -> String {
    json!({
        "code": code(n), "name": format!("兰州新区第{n}号项目"), "unit": "兰州某科技有限公司",
        "project_type": "enterprise_invested", "investment_yuan": u64::from(n) * 100_000_000, "division": "620100",
        "credit_code": (n == 3).then_some("91350100M000100Y43")
    })
    .to_string()
}

fn summary_of(v: &Value) -> [u64; 6] {
    ["meetings", "projects", "exit", "roadmap", "unblocked", "unblocked_investment_yuan"]
        .map(|k| v[k].as_u64().unwrap_or(u64::MAX))
}

#[tokio::test]
async fn a_meeting_decides_exit_roadmap_and_unblock_and_its_roadmap_is_followed() {
    for t in each_backend().await {
        let clock = Arc::new(Mutex::new(at("2026-03-02T02:00:00Z")));
        let c = clock.clone();
        let f = Fixture::with_clock(t, Arc::new(move || *c.lock().expect("clock"))).await;
        let (leader, clerk) = (f.login("leader").await, f.login("clerk").await);
        for n in 1..=4 {
            let (s, _, p) = f.call(&leader, "POST", "/api/v1/projects", Some(&project(n))).await;
            assert_eq!(s, StatusCode::CREATED, "{p}");
        }
        let (s, _, sum) = f.call(&clerk, "GET", "/api/v1/meetings/summary", None).await;
        assert_eq!((s, summary_of(&sum)), (StatusCode::OK, [0; 6]), "{sum}");

        let body = json!({
            "title": "城关区联审联批会议", "date": "2026-03-02", "division": "620102",
            "leaders": ["王副区长"], "units": ["兰州某科技有限公司"],
            "representatives": [{ "department": "fgw", "name": "李首席" }, { "department": "zjj", "account": "outsider" }],
            "agenda": [code(1), code(2), code(3), code(4)],
            "minutes": "一、项目退出；二、路线图；三、疏通。",
            "projects": [
                { "project": code(1), "decision": "exit", "reasons": "不符合产业政策" },
                { "project": code(2), "decision": "roadmap",
                  "tasks": [{ "title": "补齐用地预审材料", "owner": "zjj", "person": "张三", "days": 2 },
                            { "title": "落实资金", "owner": "fgw", "due": "2026-03-31" }] },
                { "project": code(3), "decision": "unblocked", "blockages": ["规划条件已明确"] }
            ]
        });
        let (s, _, m) = f.call(&leader, "POST", "/api/v1/meetings", Some(&body.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{m} ({})", f.t.name);
        let decisions: Vec<&Value> = m["projects"].as_array().expect("agenda").iter().map(|p| &p["decision"]).collect();
        assert_eq!(decisions, [&json!("exit"), &json!("roadmap"), &json!("unblocked"), &Value::Null]);
        assert_eq!(m["projects"][1]["roadmap"], json!({ "tasks": 2, "done": 0, "overdue": 0, "all_done": false }));
        assert_eq!(m["representatives"][1]["account"], "outsider");
        let (_, _, p1) = f.call(&clerk, "GET", &format!("/api/v1/projects/{}", code(1)), None).await;
        assert_eq!(p1["project"]["stage"], "exited", "{p1}");
        let (_, _, p3) = f.call(&clerk, "GET", &format!("/api/v1/projects/{}", code(3)), None).await;
        assert_eq!(p3["project"]["stage"], "in_approval", "{p3}");
        assert!(p3["run"]["steps"].as_array().is_some_and(|s| !s.is_empty()), "{p3}");

        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/meetings/summary", None).await;
        assert_eq!(summary_of(&sum), [1, 4, 1, 1, 1, 300_000_000], "{sum}");
        assert_eq!(sum["total_investment_yuan"], 1_000_000_000u64);

        // A second meeting: the project on the agenda before is unblocked now.
        let second = json!({ "title": "第二次会议", "date": "2026-03-02", "division": "620100",
            "projects": [{ "project": code(4), "decision": "unblocked" }] });
        let (s, _, m2) = f.call(&leader, "POST", "/api/v1/meetings", Some(&second.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{m2}");
        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/meetings/summary", None).await;
        assert_eq!(summary_of(&sum), [2, 4, 1, 1, 2, 700_000_000], "{sum}");

        let (s, _, list) = f.call(&clerk, "GET", "/api/v1/meetings", None).await;
        assert_eq!((s, list.as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
        assert_eq!(list[0]["id"], m2["id"]);
        let (s, _, one) = f.call(&clerk, "GET", &format!("/api/v1/meetings/{}", m["id"]), None).await;
        assert_eq!((s, &one["title"]), (StatusCode::OK, &json!("城关区联审联批会议")));
        assert_problem(&f.call(&clerk, "GET", "/api/v1/meetings/abc", None).await, 404, "not-found");
        assert_problem(&f.call(&clerk, "GET", "/api/v1/meetings/999", None).await, 404, "not-found");

        // The two-day task is due Wed 4 Mar 17:30; on Thursday it is overdue and red.
        *clock.lock().expect("clock") = at("2026-03-05T02:00:00Z");
        tongban_server::app::follow_ups::watch(&f.state, at("2026-03-05T02:00:00Z")).await.expect("tick");
        // Sessions lapse over the days passed: log in again.
        let (leader, clerk) = (f.login("leader").await, f.login("clerk").await);
        let (_, _, open) = f.call(&clerk, "GET", "/api/v1/roadmap-tasks?open=true", None).await;
        let open = open.as_array().unwrap_or_else(|| panic!("{open}")).clone();
        assert_eq!(open.len(), 2);
        let late = open.iter().find(|t| t["days"] == 2).expect("the two-day task");
        assert_eq!((late["overdue"].as_bool(), late["owner"].as_str()), (Some(true), Some("zjj")));
        let (_, _, red) = f.call(&clerk, "GET", "/api/v1/supervision/follow-ups?colour=red&open=true", None).await;
        let red_ids: Vec<&Value> = red.as_array().expect("follow-ups").iter().map(|x| &x["id"]).collect();
        assert_eq!(red_ids, [&late["follow_up_id"]], "{red}");

        let done_uri = format!("/api/v1/roadmap-tasks/{}/done", late["id"]);
        assert_problem(&f.call(&clerk, "POST", &done_uri, None).await, 403, "forbidden");
        let (s, _, done) = f.call(&leader, "POST", &done_uri, None).await;
        assert_eq!((s, done["overdue"].as_bool()), (StatusCode::OK, Some(false)), "{done}");
        assert!(done["done_at"].is_string());
        assert_problem(&f.call(&leader, "POST", &done_uri, None).await, 409, "conflict");
        let (_, _, open) = f.call(&clerk, "GET", "/api/v1/roadmap-tasks?open=true", None).await;
        assert_eq!(open.as_array().map(Vec::len), Some(1));
        let (_, _, all) = f.call(&clerk, "GET", "/api/v1/roadmap-tasks", None).await;
        assert_eq!(all.as_array().map(Vec::len), Some(2));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_meetings_are_refused_with_each_field_named() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        for n in 1..=3 {
            f.call(&leader, "POST", "/api/v1/projects", Some(&project(n))).await;
        }
        let bad = json!({
            "title": "", "date": "2026-03-02", "division": "110101",
            "agenda": [code(1), code(2), code(3)],
            "projects": [
                { "project": "2026-62010-47", "decision": "exit", "reasons": "x" },
                { "project": code(9), "decision": "exit", "reasons": "x" },
                { "project": code(4), "decision": "unblocked" },
                { "project": code(2), "decision": "roadmap", "tasks": [{ "title": "补材料", "days": 3 }] },
                { "project": code(3), "decision": "exit" },
                { "project": code(1), "decision": "postpone" },
                { "project": code(1), "decision": "unblocked" }
            ]
        });
        let got = f.call(&leader, "POST", "/api/v1/meetings", Some(&bad.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        let fields: BTreeSet<&str> =
            got.2["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        let want: BTreeSet<&str> = [
            "title",
            "division",
            "projects[0].project",
            "projects[1].project",
            "projects[2].project",
            "projects[3].tasks[0].owner",
            "projects[4].reasons",
            "projects[5].decision",
            "projects[6].project",
        ]
        .into();
        assert_eq!(fields, want, "{} ({})", got.2, f.t.name);
        let (_, _, sum) = f.call(&leader, "GET", "/api/v1/meetings/summary", None).await;
        assert_eq!(sum["meetings"], 0, "nothing recorded");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_meeting_pages_show_the_figures_the_decisions_and_the_roadmap() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        for n in 1..=3 {
            f.call(&leader, "POST", "/api/v1/projects", Some(&project(n))).await;
        }
        let body = json!({
            "title": "城关区第一次联审联批会议", "date": "2026-02-20", "division": "620102",
            "leaders": ["王副区长"], "representatives": [{ "department": "fgw", "name": "李首席" }],
            "minutes": "会议纪要正文",
            "projects": [
                { "project": code(1), "decision": "exit", "reasons": "不符合产业政策" },
                { "project": code(2), "decision": "roadmap", "tasks": [{ "title": "补齐用地预审材料", "owner": "fgw", "days": 3 }] },
                { "project": code(3), "decision": "unblocked", "blockages": ["规划条件已明确"] }
            ]
        });
        let (s, _, m) = f.call(&leader, "POST", "/api/v1/meetings", Some(&body.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let mut web = common::browser::Web::new(&f);
        web.login("supervisor").await;
        let list = web.get("/meetings").await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        for text in
            ["联审联批", "城关区第一次联审联批会议", "meeting-decisions", "<svg", "6.00 亿元", "href=\"/meetings\""]
        {
            assert!(list.has(text), "{text} missing from the list ({})", f.t.name);
        }
        let detail = web.get(&format!("/meetings/{}", m["id"])).await;
        assert_eq!(detail.status, StatusCode::OK);
        // The three-day task from Fri 20 Feb was due Wed 25 Feb: red (overdue) on 2 Mar.
        for text in
            ["不符合产业政策", "补齐用地预审材料", "规划条件已明确", "会议纪要正文", "李首席", "level-red", "超期 1"]
        {
            assert!(detail.has(text), "{text} missing from the meeting ({})", f.t.name);
        }
        let en = web.get(&format!("/meetings/{}?lang=en", m["id"])).await;
        assert!(en.has("Agenda and decisions") && en.has("Roadmap tasks"), "{}", en.body);
        assert_eq!(web.get("/meetings/nope").await.status, StatusCode::NOT_FOUND);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_meeting_form_keeps_what_was_typed_and_records_the_meeting() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        for n in 1..=2 {
            f.call(&leader, "POST", "/api/v1/projects", Some(&project(n))).await;
        }
        let mut clerk = common::browser::Web::new(&f);
        clerk.login("clerk").await;
        assert_eq!(clerk.get("/meetings/new").await.status, StatusCode::FORBIDDEN);
        let mut web = common::browser::Web::new(&f);
        web.login("leader").await;
        let form = web.get("/meetings/new").await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        assert!(form.has("name=\"project_0\"") && form.has("name=\"tasks_5\""), "{}", form.body);
        let (c1, c2, csrf) = (code(1), code(2), form.csrf());
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("title", "城关区联审联批会议"),
            ("date", "2026-03-02"),
            ("division", "620102"),
            ("leaders", "王副区长"),
            ("representatives", "fgw, 李首席\nzjj outsider"),
            ("project_0", c1.as_str()),
            ("decision_0", "exit"),
            ("project_2", c2.as_str()),
            ("decision_2", "roadmap"),
            ("tasks_2", "补齐用地预审材料 | | 5"),
            ("minutes", "纪要"),
        ];
        let refused = web.post("/meetings/new?rows=6", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        for text in ["退出必须填写告知投资人的原因", "路线图任务必须指定责任部门", "补齐用地预审材料 | | 5", "李首席"]
        {
            assert!(refused.has(text), "{text} missing ({})", f.t.name);
        }
        fields.push(("reasons_0", "不符合产业政策"));
        fields.retain(|(k, _)| *k != "tasks_2");
        fields.push(("tasks_2", "补齐用地预审材料 | zjj | 5 | 张三"));
        let done = web.post("/meetings/new?rows=6", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.location.starts_with("/meetings/"), "{}", done.location);
        let shown = web.get(&done.location).await;
        assert!(shown.has("不符合产业政策") && shown.has("张三") && shown.has("outsider"), "{}", shown.body);
        let (_, _, sum) = f.call(&leader, "GET", "/api/v1/meetings/summary", None).await;
        assert_eq!(summary_of(&sum), [1, 2, 1, 1, 0, 0], "{sum}");
        f.t.cleanup().await;
    }
}
