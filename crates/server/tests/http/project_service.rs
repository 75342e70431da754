//! Proactive project service over the API, on both databases: a training records the
//! problems found at it; a problem is prescribed, supervised and closed; a 会商 exits a
//! project and closes the problems solved at it; the summaries change as records are
//! added; bad input answers 422 naming each field.

use crate::common;

use std::sync::Arc;

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
        "project_type": "enterprise_invested", "investment_yuan": 100_000_000, "division": "620100"
    })
    .to_string()
}

fn fields(v: &Value) -> Vec<&str> {
    v["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect()
}

async fn fixture(t: tongban_store::testing::TestStore) -> Fixture {
    // Mon 2 Mar 2026 10:00 CST.
    let f = Fixture::with_clock(t, Arc::new(|| at("2026-03-02T02:00:00Z"))).await;
    let leader = f.login("leader").await;
    for n in 1..=3 {
        let (s, _, p) = f.call(&leader, "POST", "/api/v1/projects", Some(&project(n))).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
    }
    f
}

#[tokio::test]
async fn a_training_records_problems_that_are_prescribed_supervised_and_closed() {
    for t in each_backend().await {
        let f = fixture(t).await;
        let (leader, clerk) = (f.login("leader").await, f.login("clerk").await);
        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/trainings/summary", None).await;
        assert_eq!(sum, json!({ "sessions": 0, "attendees": 0, "projects": 0 }));
        let body = json!({
            "topic": "工程建设项目审批政策培训", "date": "2026-02-27", "departments": ["fgw", "zjj"],
            "projects": [code(1), code(2)],
            "people": [{ "name": "王芳", "unit": "兰州某科技有限公司", "phone": "0931-1234567" },
                       { "name": "李强", "unit": "兰州某科技有限公司" }],
            "policy_packs": ["工程建设项目审批政策包（2026版）"],
            "problems": [{ "project": code(2), "class": "poor_scheme", "description": "日照分析不满足规划条件",
                           "remedy": "调整楼栋间距", "department": "zjj", "days": 10 }]
        });
        let (s, _, tr) = f.call(&leader, "POST", "/api/v1/trainings", Some(&body.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{tr} ({})", f.t.name);
        assert_eq!((&tr["attendees"], tr["problems"].as_array().map(Vec::len)), (&json!(2), Some(1)));
        let (_, _, found) = f.call(&clerk, "GET", &format!("/api/v1/projects/{}/problems", code(2)), None).await;
        assert_eq!((&found[0]["prescription"], &found[0]["source"]), (&json!("optimise_scheme"), &json!("training")));
        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/trainings/summary", None).await;
        assert_eq!(sum, json!({ "sessions": 1, "attendees": 2, "projects": 2 }));
        let (s, _, one) = f.call(&clerk, "GET", &format!("/api/v1/trainings/{}", tr["id"]), None).await;
        assert_eq!((s, &one["policy_packs"][0]), (StatusCode::OK, &json!("工程建设项目审批政策包（2026版）")));

        let problem = json!({
            "class": "missing_materials", "description": "缺少环评批复", "department": "zjj", "days": 3,
            "source": "training", "source_id": tr["id"]
        });
        let uri = format!("/api/v1/projects/{}/problems", code(1));
        let (s, _, p) = f.call(&leader, "POST", &uri, Some(&problem.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!((&p["prescription"], &p["open"]), (&json!("provide_materials"), &json!(true)));
        assert_eq!(p["handlings"], json!(["materials_provided"]));
        // Three working days from Mon 10:00: due at the end of Thu 5 Mar (17:30 CST).
        assert_eq!(p["due_at"], "2026-03-05T09:30:00Z", "{p}");
        let (_, _, follow) = f.call(&clerk, "GET", "/api/v1/supervision/follow-ups?open=true", None).await;
        let ids: Vec<&Value> = follow.as_array().expect("list").iter().map(|x| &x["id"]).collect();
        assert!(ids.contains(&&p["follow_up_id"]), "{follow}");

        let close = format!("/api/v1/problems/{}/close", p["id"]);
        let wrong = f.call(&leader, "POST", &close, Some(r#"{"handling":"coordinated"}"#)).await;
        assert_problem(&wrong, 422, "invalid-field");
        assert_eq!(fields(&wrong.2), ["handling"]);
        let (s, _, closed) =
            f.call(&leader, "POST", &close, Some(r#"{"handling":"materials_provided","note":"已补齐"}"#)).await;
        assert_eq!(
            (s, &closed["open"], &closed["handling"]),
            (StatusCode::OK, &json!(false), &json!("materials_provided"))
        );
        let again = f.call(&leader, "POST", &close, Some(r#"{"handling":"materials_provided"}"#)).await;
        assert_problem(&again, 409, "conflict");
        let (_, _, follow) = f.call(&clerk, "GET", "/api/v1/supervision/follow-ups?open=true", None).await;
        assert!(follow.as_array().expect("list").iter().all(|x| x["id"] != p["follow_up_id"]), "{follow}");
        let (_, _, one) = f.call(&clerk, "GET", &format!("/api/v1/trainings/{}", tr["id"]), None).await;
        // The session lists the problem recorded with it and the one recorded later as found there.
        assert_eq!(one["problems"], json!([tr["problems"][0], p["id"]]));

        let (_, _, list) = f.call(&clerk, "GET", &uri, None).await;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        let (_, _, open) = f.call(&clerk, "GET", "/api/v1/problems?open=true&class=missing_materials", None).await;
        assert_eq!(open, json!([]));
        let (_, _, mine) = f.call(&clerk, "GET", &format!("/api/v1/problems?project={}", code(1)), None).await;
        let (_, _, other) =
            f.call(&clerk, "GET", &format!("/api/v1/problems?project={}&open=false", code(2)), None).await;
        assert_eq!((mine.as_array().map(Vec::len), other), (Some(1), json!([])));
        // A consultation of another project is not where this one's problem was found.
        let elsewhere = json!({ "class": "missing_materials", "description": "x", "department": "fgw", "days": 3,
            "source": "consultation", "source_id": 1 });
        let got = f.call(&leader, "POST", &uri, Some(&elsewhere.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        assert_eq!(fields(&got.2), ["source_id"]);
        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/problems/summary", None).await;
        assert_eq!((&sum["total"], &sum["shares"]["missing_materials"]), (&json!(2), &json!(0.5)), "{sum}");
        assert_eq!((&sum["handled"]["materials_provided"], &sum["handled"]["open"]), (&json!(1), &json!(1)));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_coordination_exits_a_project_and_the_summaries_count_it() {
    for t in each_backend().await {
        let f = fixture(t).await;
        let (leader, clerk) = (f.login("leader").await, f.login("clerk").await);
        let land = json!({ "class": "land_or_funds", "description": "用地指标不足", "department": "fgw", "days": 10 });
        let (_, _, p1) =
            f.call(&leader, "POST", &format!("/api/v1/projects/{}/problems", code(1)), Some(&land.to_string())).await;
        let illegal = json!({ "class": "illegal", "description": "未批先建", "department": "zjj", "days": 5 });
        let (_, _, p2) = f
            .call(&leader, "POST", &format!("/api/v1/projects/{}/problems", code(2)), Some(&illegal.to_string()))
            .await;
        let (_, _, before) = f.call(&clerk, "GET", "/api/v1/coordinations/summary", None).await;
        assert_eq!(before, json!({ "meetings": 0, "projects": 0, "problems_solved": 0 }));
        let body = json!({
            "title": "复杂项目协调会商", "date": "2026-03-02",
            "opinions": [{ "department": "fgw", "opinion": "调剂用地指标" }, { "department": "zjj", "opinion": "依法退出" }],
            "conclusion": "靶向治疗：调剂指标后同步办理规划许可；违法项目退出",
            "projects": [{ "project": code(1), "decision": "plan" },
                         { "project": code(2), "decision": "exit", "reasons": "未批先建，告知投资人" }],
            "solved": [{ "problem": p1["id"], "handling": "coordinated", "note": "指标已调剂" },
                       { "problem": p2["id"], "handling": "exited" }]
        });
        let (s, _, m) = f.call(&leader, "POST", "/api/v1/coordinations", Some(&body.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{m} ({})", f.t.name);
        assert_eq!(m["solved"], json!([p1["id"], p2["id"]]));
        let (_, _, exited) = f.call(&clerk, "GET", &format!("/api/v1/projects/{}", code(2)), None).await;
        assert_eq!(exited["project"]["stage"], "exited", "{exited}");
        let (_, _, after) = f.call(&clerk, "GET", "/api/v1/coordinations/summary", None).await;
        assert_eq!(after, json!({ "meetings": 1, "projects": 2, "problems_solved": 2 }));
        let (_, _, list) = f.call(&clerk, "GET", "/api/v1/coordinations", None).await;
        assert_eq!(list[0]["opinions"].as_array().map(Vec::len), Some(2), "{list}");
        // A second meeting on a project already coordinated: one more meeting, no more projects.
        let second = json!({
            "title": "第二次会商", "date": "2026-03-02", "opinions": [{ "department": "fgw", "opinion": "跟踪" }],
            "conclusion": "继续跟踪", "projects": [{ "project": code(1), "decision": "plan" }]
        });
        let (s, _, _) = f.call(&leader, "POST", "/api/v1/coordinations", Some(&second.to_string())).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, _, after) = f.call(&clerk, "GET", "/api/v1/coordinations/summary", None).await;
        assert_eq!(after, json!({ "meetings": 2, "projects": 2, "problems_solved": 2 }));
        let (_, _, sum) = f.call(&clerk, "GET", "/api/v1/problems/summary", None).await;
        assert_eq!((&sum["handled"]["coordinated"], &sum["handled"]["exited"]), (&json!(1), &json!(1)), "{sum}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_names_each_field() {
    for t in each_backend().await {
        let f = fixture(t).await;
        let leader = f.login("leader").await;
        let training = json!({
            "topic": "", "date": "2026-02-30", "departments": ["fgw", "nosuch"], "projects": [code(1), "bad code", code(9)],
            "people": []
        });
        let got = f.call(&leader, "POST", "/api/v1/trainings", Some(&training.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        assert_eq!(
            fields(&got.2),
            ["topic", "date", "projects[1]", "people", "departments[1]", "projects[2]"],
            "{}",
            f.t.name
        );

        let problem = json!({ "class": "cough", "description": " ", "department": "nosuch", "days": 400, "source": "consultation" });
        let got = f
            .call(&leader, "POST", &format!("/api/v1/projects/{}/problems", code(1)), Some(&problem.to_string()))
            .await;
        assert_problem(&got, 422, "invalid-field");
        assert_eq!(fields(&got.2), ["class", "description", "days", "source_id", "department"]);
        let zero = json!({ "class": "illegal", "description": "x", "department": "fgw", "days": 0 });
        let got =
            f.call(&leader, "POST", &format!("/api/v1/projects/{}/problems", code(1)), Some(&zero.to_string())).await;
        assert_eq!(fields(&got.2), ["days"]);
        let unknown =
            f.call(&leader, "POST", &format!("/api/v1/projects/{}/problems", code(9)), Some(&zero.to_string())).await;
        assert_problem(&unknown, 404, "not-found");

        let meeting = json!({
            "title": "会商", "date": "2026-03-02", "opinions": [], "conclusion": "x",
            "projects": [{ "project": code(1), "decision": "exit" }, { "project": code(9), "decision": "plan" }],
            "solved": [{ "problem": 12345, "handling": "coordinated" }]
        });
        let got = f.call(&leader, "POST", "/api/v1/coordinations", Some(&meeting.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        assert_eq!(fields(&got.2), ["opinions", "projects[0].reasons", "projects[1].project", "solved[0].problem"]);
        let bad_filter = f.call(&leader, "GET", "/api/v1/problems?class=cough&open=maybe", None).await;
        assert_problem(&bad_filter, 422, "invalid-field");
        assert_eq!(fields(&bad_filter.2), ["class", "open"]);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_pages_show_the_figures_and_record_and_close_a_problem_through_forms() {
    use common::browser::Web;
    use tongban_server::web::Lang;
    for t in each_backend().await {
        let f = fixture(t).await;
        let leader = f.login("leader").await;
        let body = json!({
            "topic": "工程建设项目审批政策培训", "date": "2026-02-27", "departments": ["fgw"], "projects": [code(1)],
            "people": [{ "name": "王芳", "unit": "兰州某科技有限公司" }], "policy_packs": ["政策包"]
        });
        let (_, _, tr) = f.call(&leader, "POST", "/api/v1/trainings", Some(&body.to_string())).await;
        let mut web = Web::new(&f);
        web.login("leader").await;
        for uri in [
            "/service/trainings".to_owned(),
            format!("/service/trainings/{}", tr["id"]),
            "/service/problems".to_owned(),
            "/service/problems?class=illegal&open=true".to_owned(),
            "/service/coordinations".to_owned(),
            "/service/problems?lang=en".to_owned(),
        ] {
            let page = web.get(&uri).await;
            assert_eq!(page.status, StatusCode::OK, "{} {uri}: {}", f.t.name, page.body);
            assert!(!page.has("[?]"), "{uri} uses a message missing from the files");
        }
        let trainings = web.get("/service/trainings?lang=zh-CN").await;
        assert!(trainings.has(Lang::Zh.t("svc.trainings_title")) && trainings.has("工程建设项目审批政策培训"));

        // Refused: what was typed stays, each error beside its field.
        let page = web.get("/service/problems").await;
        let csrf = page.csrf();
        let (project, training) = (code(1), tr["id"].to_string());
        let bad = [
            ("csrf", csrf.as_str()),
            ("project", project.as_str()),
            ("class", "poor_scheme"),
            ("description", "总平面布局不合理"),
            ("department", "nosuch"),
            ("days", "0"),
            ("source", "other"),
        ];
        let refused = web.post("/service/problems", &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.has("总平面布局不合理") && refused.has("field invalid"), "{}", refused.body);
        let good = [
            ("csrf", csrf.as_str()),
            ("project", project.as_str()),
            ("class", "illegal"),
            ("description", "未批先建"),
            ("department", "zjj"),
            ("days", "5"),
            ("source", "training"),
            ("source_id", training.as_str()),
        ];
        let done = web.post("/service/problems", &good).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let (_, _, open) = f.call(&leader, "GET", "/api/v1/problems?open=true", None).await;
        let id = open[0]["id"].as_i64().expect("a problem");
        let listed = web.get("/service/problems?open=true&done=problem_recorded").await;
        assert!(
            listed.has(Lang::Zh.t("svc.done_problem_recorded")) && listed.has(&format!("/service/problems/{id}/close"))
        );
        let close = web
            .post(&format!("/service/problems/{id}/close"), &[("csrf", csrf.as_str()), ("handling", "exited")])
            .await;
        assert_eq!(close.status, StatusCode::UNPROCESSABLE_ENTITY, "no reasons: {}", close.body);
        let close = web
            .post(
                &format!("/service/problems/{id}/close"),
                &[("csrf", csrf.as_str()), ("handling", "rectified"), ("note", "已整改")],
            )
            .await;
        assert_eq!(close.status, StatusCode::SEE_OTHER, "{}", close.body);
        let (_, _, sum) = f.call(&leader, "GET", "/api/v1/problems/summary", None).await;
        assert_eq!(sum["handled"]["rectified"], 1, "{sum}");
        f.t.cleanup().await;
    }
}
