//! Supervision through the server: the worker raises each alert once as the clock moves,
//! red opens an accountability record the department answers and a supervisor closes,
//! figures come as JSON and CSV, and /metrics shows it all.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::StatusCode;
use common::{Fixture, assert_problem};
use serde_json::json;
use tongban_store::testing::each_backend;

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    // Bounded: the worker ticks every 20 ms; 30 s is a generous ceiling, never a timing assertion.
    for _ in 0..1500 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("gave up waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_raises_each_alert_once_and_red_is_held_to_account() {
    for t in each_backend().await {
        // Mon 2 Mar 2026 10:00 CST; moved forward by the test.
        let now = Arc::new(AtomicI64::new(1_772_416_800));
        let clock_now = now.clone();
        let f = Fixture::with_clock(
            t,
            Arc::new(move || jiff::Timestamp::from_second(clock_now.load(Ordering::SeqCst)).expect("valid")),
        )
        .await;
        let (applicant, clerk) = (f.login("applicant").await, f.login("clerk").await);
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        let worker = tongban_server::app::worker::spawn(f.state.app.clone(), std::time::Duration::from_millis(20));
        let supervisor = f.login("supervisor").await;
        wait_for("the worker to lead", async || {
            f.call(&supervisor, "GET", "/api/v1/supervision/board", None).await.2["leader"] == true
        })
        .await;
        let (_, _, board) = f.call(&supervisor, "GET", "/api/v1/supervision/board", None).await;
        assert_eq!((board["green"].as_u64(), board["yellow"].as_u64()), (Some(1), Some(0)));
        // Due Mon 9 Mar 17:30; yellow with one working day left (Fri 6 Mar 17:30 → Mon 9 Mar 09:00).
        now.store(1_773_018_000, Ordering::SeqCst); // Mon 9 Mar 09:00 CST
        let supervisor = f.login("supervisor").await; // sessions last 12 hours
        wait_for("a yellow alert", async || {
            let alerts = f.call(&supervisor, "GET", "/api/v1/alerts", None).await.2;
            let ok = alerts.as_array().is_some_and(|a| a.len() == 1);
            if !ok {
                eprintln!(
                    "alerts {alerts} board {}",
                    f.call(&supervisor, "GET", "/api/v1/supervision/board", None).await.2
                );
            }
            ok
        })
        .await;
        now.store(1_773_104_400, Ordering::SeqCst); // Tue 10 Mar 09:00 CST: overdue
        let supervisor = f.login("supervisor").await;
        wait_for("a red alert", async || {
            f.call(&supervisor, "GET", "/api/v1/alerts", None).await.2.as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
        // More ticks, and a second worker (a restart), raise nothing again.
        let again = tongban_server::app::worker::spawn(f.state.app.clone(), std::time::Duration::from_millis(20));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (_, _, alerts) = f.call(&supervisor, "GET", "/api/v1/alerts", None).await;
        let colours: Vec<&str> =
            alerts.as_array().expect("alerts").iter().filter_map(|a| a["colour"].as_str()).collect();
        assert_eq!(colours, ["red", "yellow"], "{}: each change raised exactly once", f.t.name);
        worker.abort();
        again.abort();
        // The red change opened an accountability record.
        let (_, _, records) = f.call(&supervisor, "GET", "/api/v1/accountability", None).await;
        assert_eq!(records[0]["state"], "open");
        let since = records[0]["since"].as_str().expect("since").to_owned();
        let uri = |step: &str| format!("/api/v1/accountability/{n}/{step}");
        let body = |text: &str| json!({ "since": since, "text": text }).to_string();
        assert_problem(&f.call(&supervisor, "POST", &uri("close"), Some(&body("结案"))).await, 409, "conflict");
        let head = f.login("head").await;
        assert_eq!(
            f.call(&head, "POST", &uri("answer"), Some(&body("专家评审延误，已整改"))).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            f.call(&supervisor, "POST", &uri("close"), Some(&body("情况属实，予以结案"))).await.0,
            StatusCode::NO_CONTENT
        );
        let (_, _, records) = f.call(&supervisor, "GET", "/api/v1/accountability", None).await;
        assert_eq!(
            (records[0]["state"].as_str(), records[0]["answer"].as_str()),
            (Some("closed"), Some("专家评审延误，已整改"))
        );
        // Watched conditions: the demo decisions in this test are none; a forged approval
        // (an event without a valid chain) would be flagged.
        let (s, _, concerns) = f.call(&supervisor, "GET", "/api/v1/supervision/concerns", None).await;
        assert_eq!((s, concerns.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{concerns}");
        // Figures and metrics.
        let (s, _, figures) = f.call(&supervisor, "GET", "/api/v1/figures?by=department", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((figures[0]["group"].as_str(), figures[0]["received"].as_u64()), (Some("fgw"), Some(1)));
        let (s, ctype, _) = f.call(&supervisor, "GET", "/api/v1/figures?by=item&format=csv", None).await;
        assert_eq!((s, ctype.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
        // Divisions roll up: the province and the city both count the city's case.
        let (_, _, by_division) = f.call(&supervisor, "GET", "/api/v1/figures?by=division", None).await;
        let groups: Vec<(&str, u64)> = by_division
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| Some((r["group"].as_str()?, r["received"].as_u64()?)))
            .collect();
        assert_eq!(groups, [("620000", 1), ("620100", 1)], "{}", f.t.name);
        let res = f.call(&supervisor, "GET", "/api/v1/figures?by=nonsense", None).await;
        assert_problem(&res, 422, "invalid-field");
        let metrics = {
            use tower::ServiceExt;
            let get = |cookie: Option<&str>, bearer: Option<&str>| {
                let mut req = axum::http::Request::builder().uri("/metrics");
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                if let Some(b) = bearer {
                    req = req.header("authorization", format!("Bearer {b}"));
                }
                f.app.clone().oneshot(req.body(axum::body::Body::empty()).expect("request"))
            };
            // Operators only: the public and staff are refused, a wrong scraper token too.
            assert_eq!(get(None, None).await.expect("infallible").status(), 401);
            let clerk = f.login("clerk").await;
            assert_eq!(get(clerk.cookie.as_deref(), None).await.expect("infallible").status(), 403);
            assert_eq!(get(None, Some("not-the-token")).await.expect("infallible").status(), 401);
            let res = get(supervisor.cookie.as_deref(), None).await.expect("infallible");
            assert_eq!(res.status(), 200);
            String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body").to_vec())
                .expect("utf-8")
        };
        for series in [
            "tongban_http_requests_total{",
            "tongban_http_request_duration_seconds_bucket{",
            "tongban_cases{state=\"accepted\"} 1",
            "tongban_supervision_lag_seconds",
            "tongban_running_cases{colour=\"red\"} 1",
        ] {
            assert!(metrics.contains(series), "{}: /metrics lacks {series}:\n{metrics}", f.t.name);
        }
        f.t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_set_while_the_worker_runs_applies_at_its_next_tick() {
    for t in each_backend().await {
        // Mon 2 Mar 2026 10:00 CST, fixed: only the rule changes.
        let f = Fixture::with_clock(t, Arc::new(|| jiff::Timestamp::from_second(1_772_416_800).expect("valid"))).await;
        let (applicant, clerk, supervisor) =
            (f.login("applicant").await, f.login("clerk").await, f.login("supervisor").await);
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        let worker = tongban_server::app::worker::spawn(f.state.app.clone(), std::time::Duration::from_millis(20));
        let board = async || f.call(&supervisor, "GET", "/api/v1/supervision/board", None).await.2;
        wait_for("a green board", async || board().await["green"] == 1).await;
        // Yellow as soon as any time is used: the running case turns yellow without a restart.
        let rule = json!({"scope": "department", "key": "fgw", "used_percent": 0, "remaining_minutes": 100_000});
        let (s, _, _) = f.call(&supervisor, "PUT", "/api/v1/supervision/rules", Some(&rule.to_string())).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        wait_for("the case to turn yellow under the new rule", async || board().await["yellow"] == 1).await;
        worker.abort();
        f.t.cleanup().await;
    }
}
