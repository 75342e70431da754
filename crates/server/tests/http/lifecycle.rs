//! The whole life of a case over the API, with every refusal, on both databases.

use crate::common;

use axum::http::StatusCode;
use common::{Caller, Fixture, assert_problem, good_case};
use serde_json::json;
use tongban_store::testing::each_backend;

#[tokio::test]
async fn a_case_lives_from_submission_to_rating() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, reviewer, approver, outsider, expired) = (
            f.login("applicant").await,
            f.login("clerk").await,
            f.login("reviewer").await,
            f.login("approver").await,
            f.login("outsider").await,
            f.login("expired").await,
        );
        let n = f.submit(&applicant).await;
        let (_, _, fresh) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
        // Submitted Mon 2 Mar 10:00 CST: the window must act by the end of Tue 3 Mar.
        assert_eq!(fresh["clock"]["owner_act_by"], "2026-03-03T09:30:00Z", "{}", fresh["clock"]);
        // Refusals before acceptance.
        assert_problem(
            &f.call(&reviewer, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"accept"}"#)).await,
            403,
            "forbidden",
        );
        assert_problem(
            &f.call(&outsider, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"accept"}"#)).await,
            403,
            "forbidden",
        );
        assert_problem(
            &f.call(&expired, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"accept"}"#)).await,
            403,
            "no-authority",
        );
        assert_problem(
            &f.call(&clerk, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"approve"}"#)).await,
            403,
            "forbidden",
        );
        // Correction, resubmission, acceptance.
        let (s, c) = f
            .act(&clerk, &n, json!({"action": "request_correction", "missing": ["营业执照"], "note": "复印件不清晰"}))
            .await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("correction_requested")), "{c}");
        let (s, _) = f.act(&applicant, &n, json!({"action": "resubmit", "materials": ["授权委托书"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "must hand in what was asked");
        let (s, c) = f.act(&applicant, &n, json!({"action": "resubmit", "materials": ["营业执照"]})).await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("submitted")));
        let (s, c) = f.act(&clerk, &n, json!({"action": "accept"})).await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("accepted")), "{c}");
        // Accepted Mon 2 Mar 2026 10:00 CST; 5 working days → Mon 9 Mar 17:30 CST.
        assert_eq!(c["due_at"], "2026-03-09T09:30:00Z");
        let (s, _) = f.act(&clerk, &n, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "illegal transition");
        // Steps, suspension, decision, delivery, rating.
        assert_eq!(f.act(&reviewer, &n, json!({"action": "complete_step", "step": "审核"})).await.0, StatusCode::OK);
        assert_eq!(f.act(&reviewer, &n, json!({"action": "suspend", "reason": "专家评审"})).await.0, StatusCode::OK);
        assert_eq!(f.act(&reviewer, &n, json!({"action": "resume"})).await.0, StatusCode::OK);
        assert_problem(
            &f.call(
                &approver,
                "POST",
                &format!("/api/v1/cases/{n}/actions"),
                Some(r#"{"action":"deny","reason":"不符合","legal_basis":""}"#),
            )
            .await,
            422,
            "invalid-field",
        );
        let (s, c) = f.act(&approver, &n, json!({"action": "approve", "note": "同意备案"})).await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("approved")));
        assert_problem(
            &f.call(&applicant, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"rate","score":5}"#))
                .await,
            409,
            "illegal-transition",
        );
        assert_eq!(f.act(&clerk, &n, json!({"action": "deliver", "method": "window"})).await.0, StatusCode::OK);
        assert_problem(
            &f.call(&applicant, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"rate","score":9}"#))
                .await,
            422,
            "invalid-rating",
        );
        let (s, c) = f.act(&applicant, &n, json!({"action": "rate", "score": 5, "comment": "很快"})).await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("delivered")));
        // The history shows every step and the chain each decision was taken under.
        let (s, _, detail) = f.call(&applicant, "GET", &format!("/api/v1/cases/{n}"), None).await;
        assert_eq!(s, StatusCode::OK);
        let kinds: Vec<&str> =
            detail["events"].as_array().expect("events").iter().filter_map(|e| e["type"].as_str()).collect();
        assert_eq!(
            kinds,
            [
                "submitted",
                "correction_requested",
                "resubmitted",
                "accepted",
                "step_completed",
                "suspended",
                "resumed",
                "approved",
                "delivered",
                "rated"
            ],
            "{}",
            f.t.name
        );
        let approved = &detail["events"][7];
        assert_eq!(
            (approved["actor"].as_str(), approved["authority"].clone()),
            (Some("approver"), json!(["g-approver"]))
        );
        // The rest of the acceptance day (10:00–17:30 less lunch: 6 h) and five full days.
        assert_eq!(detail["clock"]["allowed_working_minutes"], 6 * 60 + 5 * 420);
        // Who may see it.
        assert_problem(&f.call(&outsider, "GET", &format!("/api/v1/cases/{n}"), None).await, 403, "forbidden");
        assert_eq!(
            f.call(&f.login("supervisor").await, "GET", &format!("/api/v1/cases/{n}"), None).await.0,
            StatusCode::OK
        );
        let (_, _, mine) = f.call(&applicant, "GET", "/api/v1/cases", None).await;
        assert_eq!(mine["total"], 1);
        let (_, _, theirs) = f.call(&outsider, "GET", "/api/v1/cases", None).await;
        assert_eq!(theirs["total"], 0, "another department's queue is empty");
        // Every decision is in the audit log, and the chain verifies.
        let entries = f.t.store.audit_entries().await.expect("audit");
        assert!(entries.iter().any(|e| e.action == "case.approve" && e.actor == "approver"));
        assert!(entries.iter().any(|e| e.action == "login.success"));
        assert_eq!(tongban_core::audit::verify(&entries), Ok(entries.len() as u64));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn of_two_clerks_acting_at_once_exactly_one_wins() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, clerk2) = (f.login("applicant").await, f.login("clerk").await, f.login("clerk2").await);
        let n = f.submit(&applicant).await;
        let uri = format!("/api/v1/cases/{n}/actions");
        let accept = json!({"action": "accept"}).to_string();
        let reject = json!({"action": "reject", "reason": "不属于本机关职权"}).to_string();
        let (a, b) = tokio::join!(
            f.call_with(&clerk, "POST", &uri, Some(&accept), &[("if-match", "\"1\"")]),
            f.call_with(&clerk2, "POST", &uri, Some(&reject), &[("if-match", "\"1\"")]),
        );
        let mut statuses = [a.0.as_u16(), b.0.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{}: {a:?} {b:?}", f.t.name);
        let loser = if a.0 == StatusCode::CONFLICT { &a } else { &b };
        assert_eq!(loser.1, "application/problem+json");
        assert!(loser.2["detail"].as_str().is_some_and(|d| d.contains("version")), "{:?}", loser.2);
        assert_problem(
            &f.call_with(&clerk, "POST", &uri, Some(&accept), &[("if-match", "\"1\"")]).await,
            409,
            "conflict",
        );
        assert_problem(
            &f.call_with(&clerk, "POST", &uri, Some(&accept), &[("if-match", "nonsense")]).await,
            400,
            "invalid-parameter",
        );
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_retried_submission_returns_the_first_result() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let body = good_case().to_string();
        let key = [("idempotency-key", "retry-1")];
        let first = f.call_with(&applicant, "POST", "/api/v1/cases", Some(&body), &key).await;
        let again = f.call_with(&applicant, "POST", "/api/v1/cases", Some(&body), &key).await;
        assert_eq!(first.0, StatusCode::CREATED);
        assert_eq!((again.0, &again.2["number"]), (StatusCode::CREATED, &first.2["number"]), "{}", f.t.name);
        let mut other = good_case();
        other["materials"] = json!(["项目备案申请表", "营业执照", "授权委托书"]);
        assert_problem(
            &f.call_with(&applicant, "POST", "/api/v1/cases", Some(&other.to_string()), &key).await,
            422,
            "idempotency-mismatch",
        );
        assert_eq!(f.t.store.counts().await.expect("counts").0, 1, "one case only");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn logins_are_rate_limited_and_never_reveal_accounts() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        let mut clerk = f.login("clerk2").await;
        let wrong = json!({"login": "clerk", "password": "wrong password"}).to_string();
        let nobody = json!({"login": "nobody", "password": "wrong password"}).to_string();
        let a = f.call(&anon, "POST", "/api/v1/session", Some(&wrong)).await;
        let b = f.call(&anon, "POST", "/api/v1/session", Some(&nobody)).await;
        assert_problem(&a, 401, "bad-login");
        assert_eq!(
            (a.0, &a.2["detail"]),
            (b.0, &b.2["detail"]),
            "the same answer for a wrong password and an unknown account"
        );
        for _ in 0..4 {
            f.call(&anon, "POST", "/api/v1/session", Some(&wrong)).await;
        }
        assert_problem(&f.call(&anon, "POST", "/api/v1/session", Some(&wrong)).await, 429, "too-many-attempts");
        // CSRF: a session-cookie write without the token is refused.
        clerk.csrf = None;
        assert_problem(&f.call(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"x"}"#)).await, 403, "csrf");
        let failures =
            f.t.store.audit_entries().await.expect("audit").iter().filter(|e| e.action == "login.failure").count();
        assert!(failures >= 2);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn tokens_are_scoped_expiring_and_revocable() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let clerk = f.login("clerk").await;
        assert_problem(
            &f.call(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"x","scopes":["admin"]}"#)).await,
            422,
            "invalid-field",
        );
        let (s, _, token) =
            f.call(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"scanner","scopes":["read"],"days":7}"#)).await;
        assert_eq!(s, StatusCode::CREATED, "{token}");
        let secret = token["token"].as_str().expect("secret").to_owned();
        let bearer = format!("Bearer {secret}");
        let (s, _, me) =
            f.call_with(&Caller::default(), "GET", "/api/v1/me", None, &[("authorization", &bearer)]).await;
        assert_eq!((s, me["login"].as_str()), (StatusCode::OK, Some("clerk")));
        let read_only_write = f
            .call_with(
                &Caller::default(),
                "POST",
                "/api/v1/cases",
                Some(&good_case().to_string()),
                &[("authorization", &bearer)],
            )
            .await;
        assert_problem(&read_only_write, 403, "forbidden");
        let read_only_write = f
            .call_with(
                &Caller::default(),
                "POST",
                "/api/v1/cases",
                Some(&good_case().to_string()),
                &[("authorization", &bearer)],
            )
            .await;
        assert_problem(&read_only_write, 403, "forbidden");
        let id = token["id"].as_str().expect("id");
        assert_eq!(f.call(&clerk, "DELETE", &format!("/api/v1/tokens/{id}"), None).await.0, StatusCode::NO_CONTENT);
        assert_problem(
            &f.call_with(&Caller::default(), "GET", "/api/v1/me", None, &[("authorization", &bearer)]).await,
            401,
            "unauthorized",
        );
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn material_files_are_checked_and_stored_with_their_hash() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let n = f.submit(&applicant).await;
        let licence = "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"; // 营业执照
        let uri = format!("/api/v1/cases/{n}/materials/{licence}");
        let png_bytes: Vec<u8> = [&b"\x89PNG\r\n\x1a\n"[..], b"fake image body"].concat();
        let upload = |bytes: Vec<u8>, ctype: &'static str, uri: String, caller: Caller| {
            let app = f.app.clone();
            async move {
                use tower::ServiceExt;
                let mut req = axum::http::Request::builder().method("PUT").uri(uri).header("content-type", ctype);
                if let Some(c) = &caller.cookie {
                    req = req.header("cookie", c);
                }
                if let Some(c) = &caller.csrf {
                    req = req.header("x-csrf-token", c);
                }
                let res =
                    app.oneshot(req.body(axum::body::Body::from(bytes)).expect("request")).await.expect("infallible");
                let status = res.status();
                let body = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
                (status, serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default())
            }
        };
        let (s, file) = upload(png_bytes.clone(), "image/png", uri.clone(), applicant.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{file}");
        assert_eq!(file["sha256"].as_str().map(str::len), Some(64));
        assert_eq!(file["size"], png_bytes.len());
        let (s, _) = upload(png_bytes.clone(), "image/png", uri.clone(), applicant.clone()).await;
        assert_eq!(s, StatusCode::OK, "the same file again is not stored twice");
        let (s, p) = upload(png_bytes.clone(), "application/pdf", uri.clone(), applicant.clone()).await;
        assert_eq!((s, p["type"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("/problems/unsupported-type")));
        let (s, p) =
            upload(b"MZ\x90\x00 an executable".to_vec(), "application/pdf", uri.clone(), applicant.clone()).await;
        assert_eq!((s, p["type"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("/problems/unsupported-type")));
        let mut big = b"%PDF-".to_vec();
        big.resize(10 * 1024 * 1024 + 10, b'x');
        let (s, p) = upload(big, "application/pdf", uri.clone(), applicant.clone()).await;
        assert_eq!(
            (s, p["type"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("/problems/file-too-large")),
            "{}",
            f.t.name
        );
        let (s, p) =
            upload(png_bytes.clone(), "image/png", format!("/api/v1/cases/{n}/materials/nope"), applicant.clone())
                .await;
        assert_eq!((s, p["type"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("/problems/invalid-field")));
        let (s, _) = upload(png_bytes.clone(), "image/png", uri.clone(), f.login("outsider").await).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, _, detail) = f.call(&applicant, "GET", &format!("/api/v1/cases/{n}"), None).await;
        assert_eq!(detail["files"].as_array().map(Vec::len), Some(1), "{}", f.t.name);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_item_names_its_first_responsible_person() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let head = f.login("head").await;
        let uri = "/api/v1/items/620100-FGW-001/first-responsible";
        assert_problem(&f.call(&head, "PUT", uri, Some(r#"{"account":"outsider"}"#)).await, 422, "invalid-field");
        assert_eq!(f.call(&head, "PUT", uri, Some(r#"{"account":"approver"}"#)).await.0, StatusCode::NO_CONTENT);
        let (_, _, item) = f.call(&Caller::default(), "GET", "/api/v1/items/620100-FGW-001", None).await;
        assert_eq!(item["first_responsible"], "approver");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn every_creating_post_honours_an_idempotency_key() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let clerk = f.login("clerk").await;
        let key = [("idempotency-key", "token-1")];
        let body = r#"{"name":"retry"}"#;
        let first = f.call_with(&clerk, "POST", "/api/v1/tokens", Some(body), &key).await;
        let again = f.call_with(&clerk, "POST", "/api/v1/tokens", Some(body), &key).await;
        assert_eq!(first.0, StatusCode::CREATED);
        assert_eq!(
            (again.0, &again.2["id"], &again.2["token"]),
            (StatusCode::CREATED, &first.2["id"], &first.2["token"])
        );
        let other = f.call_with(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"other"}"#), &key).await;
        assert_problem(&other, 422, "idempotency-mismatch");
        let head = f.login("head").await;
        let grant = r#"{"grantee":"clerk2","department":"fgw","powers":["sign"]}"#;
        let g1 = f.call_with(&head, "POST", "/api/v1/grants", Some(grant), &[("idempotency-key", "g")]).await;
        let g2 = f.call_with(&head, "POST", "/api/v1/grants", Some(grant), &[("idempotency-key", "g")]).await;
        assert_eq!((g1.0, &g1.2["id"]), (g2.0, &g2.2["id"]));
        let (_, _, grants) = f.call(&head, "GET", "/api/v1/grants", None).await;
        assert_eq!(
            grants.as_array().map(|g| g.iter().filter(|x| x["powers"] == serde_json::json!(["sign"])).count()),
            Some(1)
        );
        // A submission retried gets the same case, and the same Location.
        let applicant = f.login("applicant").await;
        let submit = || {
            let req = axum::http::Request::builder()
                .method("POST")
                .uri("/api/v1/cases")
                .header("content-type", "application/json")
                .header("cookie", applicant.cookie.clone().unwrap_or_default())
                .header("x-csrf-token", applicant.csrf.clone().unwrap_or_default())
                .header("idempotency-key", "case-1")
                .body(axum::body::Body::from(common::good_case().to_string()))
                .expect("request");
            tower::ServiceExt::oneshot(f.app.clone(), req)
        };
        let (first, again) = (submit().await.expect("infallible"), submit().await.expect("infallible"));
        let location = |r: &axum::response::Response| r.headers().get("location").map(|v| v.as_bytes().to_vec());
        assert_eq!((first.status(), again.status()), (StatusCode::CREATED, StatusCode::CREATED));
        assert!(location(&first).is_some_and(|l| l.starts_with(b"/api/v1/cases/")), "{:?}", first.headers());
        assert_eq!(location(&first), location(&again), "the replay names the same case");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_rating_is_watched_until_the_department_answers() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, approver, supervisor) = (
            f.login("applicant").await,
            f.login("clerk").await,
            f.login("approver").await,
            f.login("supervisor").await,
        );
        let n = f.submit(&applicant).await;
        for (who, action) in [
            (&clerk, json!({"action": "accept"})),
            (&approver, json!({"action": "approve"})),
            (&clerk, json!({"action": "deliver", "method": "window"})),
            (&applicant, json!({"action": "rate", "score": 1, "comment": "等太久"})),
        ] {
            assert_eq!(f.act(who, &n, action).await.0, StatusCode::OK);
        }
        let (_, _, concerns) = f.call(&supervisor, "GET", "/api/v1/supervision/concerns", None).await;
        assert_eq!(concerns[0]["kind"], "bad_rating", "{concerns}");
        assert!(concerns[0]["detail"].as_str().is_some_and(|d| d.contains("to be answered by")), "{concerns}");
        assert_problem(
            &f.call(
                &applicant,
                "POST",
                &format!("/api/v1/cases/{n}/actions"),
                Some(r#"{"action":"answer_rating","answer":"x"}"#),
            )
            .await,
            403,
            "forbidden",
        );
        let (s, _) = f.act(&clerk, &n, json!({"action": "answer_rating", "answer": "已核实，窗口已整改并致歉"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, _, concerns) = f.call(&supervisor, "GET", "/api/v1/supervision/concerns", None).await;
        assert_eq!(concerns.as_array().map(Vec::len), Some(0), "{concerns}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn returned_and_reopened_cases_are_watched() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, reviewer, approver, supervisor) = (
            f.login("applicant").await,
            f.login("clerk").await,
            f.login("reviewer").await,
            f.login("approver").await,
            f.login("supervisor").await,
        );
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        let (s, c) = f.act(&reviewer, &n, json!({"action": "return", "reason": "需补充实地核查"})).await;
        assert_eq!((s, c["state"].as_str(), c["due_at"].is_null()), (StatusCode::OK, Some("submitted"), true), "{c}");
        for (who, action) in [
            (&clerk, json!({"action": "accept"})),
            (&approver, json!({"action": "approve"})),
            (&clerk, json!({"action": "deliver", "method": "window"})),
        ] {
            assert_eq!(f.act(who, &n, action).await.0, StatusCode::OK);
        }
        assert_problem(
            &f.call(
                &reviewer,
                "POST",
                &format!("/api/v1/cases/{n}/actions"),
                Some(r#"{"action":"reopen","reason":"复议"}"#),
            )
            .await,
            403,
            "forbidden",
        );
        let (s, c) = f.act(&approver, &n, json!({"action": "reopen", "reason": "行政复议决定重新办理"})).await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("in_process")), "{c}");
        let (_, _, concerns) = f.call(&supervisor, "GET", "/api/v1/supervision/concerns", None).await;
        let kinds: Vec<&str> = concerns.as_array().expect("list").iter().filter_map(|c| c["kind"].as_str()).collect();
        assert_eq!(kinds, ["reopened", "returned"], "{concerns}: newest first");
        f.t.cleanup().await;
    }
}

/// Near a year end the next year is provisional; importing it applies at once on this
/// server and, after one refresh (a supervision tick), on a second server of the same
/// database, and the running case's due time is recomputed with a `due_recomputed` event.
#[tokio::test]
async fn an_imported_year_applies_without_a_restart_and_recomputes_running_cases() {
    for t in each_backend().await {
        // Tuesday 29 December 2026, 10:00 in Beijing.
        let clock: tongban_server::Clock = std::sync::Arc::new(|| common::at("2026-12-29T02:00:00Z"));
        let f = Fixture::with_clock(t, clock.clone()).await;
        let second_store = tongban_store::Store::open(&f.t.url).await.expect("second server's store");
        let mut second = tongban_server::AppState::new(tongban_server::App::new(
            second_store.clone(),
            second_store.calendar_set().await.expect("calendar"),
        ));
        second.clock = clock;
        let applicant = f.login("applicant").await;
        let clerk = f.login("clerk").await;
        let admin = f.login("admin").await;
        let n = f.submit(&applicant).await;
        let (s, c) = f.act(&clerk, &n, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (_, _, c) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
        // 5 working days: 30, 31 December, then 1 January 2027 (元旦 by the law) and the
        // weekend off: 4, 5, 6 January. Provisional, and accepted nonetheless.
        assert_eq!(c["clock"]["due_at"], "2027-01-06T09:30:00Z", "{c}");
        assert_eq!(c["clock"]["provisional"], true, "{}", f.t.name);
        let (s, _, status) = f.call(&Caller::default(), "GET", "/api/v1/calendar", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(status["year_to_load"], 2027, "{status}");

        // A bad file changes nothing and names its line.
        let put = |body: &'static str| {
            let (cookie, csrf) = (admin.cookie.clone().unwrap_or_default(), admin.csrf.clone().unwrap_or_default());
            let f = &f;
            async move {
                let req = axum::http::Request::builder()
                    .method("PUT")
                    .uri("/api/v1/calendar/years/2027")
                    .header("content-type", "text/csv")
                    .header("cookie", cookie)
                    .header("x-csrf-token", csrf)
                    .body(axum::body::Body::from(body))
                    .expect("request");
                let res = tower::ServiceExt::oneshot(f.app.clone(), req).await.expect("infallible");
                let status = res.status();
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
                (status, serde_json::from_slice::<serde_json::Value>(&bytes).unwrap_or_default())
            }
        };
        let (s, bad) = put("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-06,workday,元旦\n").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(bad.to_string().contains("line 3"), "{bad}");
        assert_eq!(f.state.calendars().revision(), 0, "nothing changed");

        // The real thing: 4 January is made a holiday too (a bridging day).
        let (s, done) =
            put("date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n2027-01-09,workday,元旦\n").await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["cases_recomputed"], 1, "{done}");
        let (_, _, c) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
        assert_eq!(c["clock"]["due_at"], "2027-01-07T09:30:00Z", "{c}");
        assert_eq!(c["clock"]["provisional"], false, "{c}");
        let events = &c["events"];
        let recomputed: Vec<_> =
            events.as_array().into_iter().flatten().filter(|e| e["type"] == "due_recomputed").collect();
        assert_eq!(recomputed.len(), 1, "{events}");
        let (s, _, why) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}/due"), None).await;
        assert_eq!(s, StatusCode::OK, "{why}");
        assert_eq!(why["provisional"], false);
        assert!(
            why["days"]
                .as_array()
                .is_some_and(|d| d.iter().any(|d| d["date"] == "2027-01-04" && d["note"] == "holiday")),
            "{why}"
        );

        // The second server answers with the old year until its next tick, then with the new one.
        assert!(second.calendar().is_provisional_year(2027));
        assert!(tongban_server::app::refresh(&second).await.expect("refresh"));
        assert!(!second.calendar().is_provisional_year(2027));
        assert_eq!(second.calendar().revision(), f.state.calendars().revision());
        // Recomputing again finds nothing to do.
        let set = second.calendars();
        let again =
            tongban_server::app::recompute(&second_store, &set, "again", second.now()).await.expect("recompute");
        assert_eq!(again, (0, 0));
        second_store.close().await;
        f.t.cleanup().await;
    }
}

/// A hall closed for a day (闭厅) stops the clock of its division's running cases: the
/// closure moves the due time a working day later with a `due_recomputed` event, lifting it
/// moves it back, and only administrators may do either.
#[tokio::test]
async fn a_closure_moves_running_cases_and_lifting_it_moves_them_back() {
    for t in each_backend().await {
        // Tuesday 15 December 2026, 10:00 in Beijing: a fully announced stretch.
        let clock: tongban_server::Clock = std::sync::Arc::new(|| common::at("2026-12-15T02:00:00Z"));
        let f = Fixture::with_clock(t, clock).await;
        let (applicant, clerk, admin) = (f.login("applicant").await, f.login("clerk").await, f.login("admin").await);
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        async fn due_of(f: &Fixture, clerk: &Caller, n: &str) -> (String, serde_json::Value) {
            let (_, _, c) = f.call(clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
            (c["clock"]["due_at"].as_str().unwrap_or_default().to_owned(), c)
        }
        // 5 working days: 16, 17, 18, 21, 22 December.
        assert_eq!(due_of(&f, &clerk, &n).await.0, "2026-12-22T09:30:00Z", "{}", f.t.name);

        let closure = r#"{"division":"620100","date":"2026-12-17","name":"暴雪闭厅"}"#;
        assert_problem(&f.call(&clerk, "POST", "/api/v1/calendar/closures", Some(closure)).await, 403, "forbidden");
        assert_problem(
            &f.call(&admin, "POST", "/api/v1/calendar/closures", Some(r#"{"division":"62","date":"x","name":""}"#))
                .await,
            422,
            "invalid-field",
        );
        let (s, _, done) = f.call(&admin, "POST", "/api/v1/calendar/closures", Some(closure)).await;
        assert_eq!((s, done["cases_recomputed"].as_u64()), (StatusCode::OK, Some(1)), "{done}");
        let (moved, c) = due_of(&f, &clerk, &n).await;
        assert_eq!(moved, "2026-12-23T09:30:00Z", "the closed day is skipped: {c}");
        let recomputed = c["events"].as_array().into_iter().flatten().filter(|e| e["type"] == "due_recomputed").count();
        assert_eq!(recomputed, 1, "{c}");
        let (_, _, why) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}/due"), None).await;
        assert!(why["days"].as_array().is_some_and(|d| d.iter().any(|d| d["date"] == "2026-12-17")), "{why}");

        let lift = "/api/v1/calendar/closures/620100/2026-12-17";
        assert_problem(&f.call(&clerk, "DELETE", lift, None).await, 403, "forbidden");
        let (s, _, done) = f.call(&admin, "DELETE", lift, None).await;
        assert_eq!((s, done["cases_recomputed"].as_u64()), (StatusCode::OK, Some(1)), "{done}");
        assert_eq!(due_of(&f, &clerk, &n).await.0, "2026-12-22T09:30:00Z");
        assert_problem(&f.call(&admin, "DELETE", lift, None).await, 404, "not-found");
        f.t.cleanup().await;
    }
}

/// Parallel retries with one key: the key is reserved inside the transaction that creates,
/// so exactly one grant (and one token) is made and every retry gets the first answer.
#[tokio::test]
async fn parallel_retries_with_one_idempotency_key_create_once_on_both_databases() {
    for t in tongban_store::testing::each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let head = f.login("head").await;
        let grant = r#"{"grantee":"clerk2","department":"fgw","powers":["sign"]}"#;
        let key = [("idempotency-key", "parallel-grant")];
        let answers = futures_util::future::join_all(
            (0..12).map(|_| f.call_with(&head, "POST", "/api/v1/grants", Some(grant), &key)),
        )
        .await;
        let ids: std::collections::BTreeSet<String> = answers
            .iter()
            .map(|(s, _, v)| {
                assert_eq!(*s, StatusCode::CREATED, "{name}: {v}");
                v["id"].as_str().expect("id").to_owned()
            })
            .collect();
        assert_eq!(ids.len(), 1, "{name}: one grant, one answer: {ids:?}");
        let (_, _, grants) = f.call(&head, "GET", "/api/v1/grants", None).await;
        let signing = grants.as_array().map(|g| g.iter().filter(|x| x["powers"] == json!(["sign"])).count());
        assert_eq!(signing, Some(1), "{name}");
        let audit = f.t.store.audit_entries().await.expect("audit");
        assert_eq!(audit.iter().filter(|e| e.action == "grant.create").count(), 1, "{name}");

        let clerk = f.login("clerk").await;
        let key = [("idempotency-key", "parallel-token")];
        let tokens = futures_util::future::join_all(
            (0..12).map(|_| f.call_with(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"retry"}"#), &key)),
        )
        .await;
        let secrets: std::collections::BTreeSet<&str> = tokens
            .iter()
            .filter_map(|(s, _, v)| (*s == StatusCode::CREATED).then(|| v["token"].as_str()).flatten())
            .collect();
        assert_eq!((secrets.len(), tokens.len()), (1, 12), "{name}: {tokens:?}");
        f.t.cleanup().await;
    }
}

/// Sixteen accepts at once, on both databases: on sixteen cases every one succeeds and the
/// audit chain stays whole (PostgreSQL once handed two writers one sequence number); on one
/// case exactly one wins and the others are told it changed (409), never a 500.
#[tokio::test]
async fn sixteen_parallel_accepts_keep_the_audit_chain_and_one_case_has_one_winner() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let (applicant, clerk) = (f.login("applicant").await, f.login("clerk").await);
        let mut numbers = Vec::new();
        for _ in 0..16 {
            numbers.push(f.submit(&applicant).await);
        }
        let accept = json!({"action": "accept"}).to_string();
        let uris: Vec<String> = numbers.iter().map(|n| format!("/api/v1/cases/{n}/actions")).collect();
        let answers =
            futures_util::future::join_all(uris.iter().map(|u| f.call(&clerk, "POST", u, Some(&accept)))).await;
        assert!(answers.iter().all(|(s, _, _)| *s == StatusCode::OK), "{name}: {answers:?}");
        let one = format!("/api/v1/cases/{}/actions", f.submit(&applicant).await);
        let race = futures_util::future::join_all(
            (0..16).map(|_| f.call_with(&clerk, "POST", &one, Some(&accept), &[("if-match", "\"1\"")])),
        )
        .await;
        let mut statuses: Vec<u16> = race.iter().map(|(s, _, _)| s.as_u16()).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [[200].as_slice(), &[409; 15]].concat(), "{name}");
        let audit = f.t.store.audit_entries().await.expect("audit");
        assert_eq!(tongban_core::audit::verify(&audit).map(|n| n as usize), Ok(audit.len()), "{name}");
        assert_eq!(audit.iter().filter(|e| e.action == "case.accept").count(), 17, "{name}");
        f.t.cleanup().await;
    }
}

/// An uploaded material opens for the applicant and for the department's staff (inline, with
/// its type); to anyone else it does not exist; every opening by staff is recorded, audited
/// and shown on the applicant's case page.
#[tokio::test]
async fn materials_open_for_those_who_may_see_the_case_and_staff_reads_are_recorded() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, outsider) =
            (f.login("applicant").await, f.login("clerk").await, f.login("outsider").await);
        let n = f.submit(&applicant).await;
        let licence = "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7";
        let uri = format!("/api/v1/cases/{n}/materials/{licence}");
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n".to_vec();
        assert_eq!(f.put_file(&applicant, &uri, &pdf, "application/pdf").await, StatusCode::CREATED);
        let get = |who: &Caller, uri: &str| {
            let mut req = axum::http::Request::builder().method("GET").uri(uri);
            if let Some(c) = &who.cookie {
                req = req.header("cookie", c);
            }
            let req = req.body(axum::body::Body::empty()).expect("request");
            let app = f.app.clone();
            async move {
                let res = tower::ServiceExt::oneshot(app, req).await.expect("infallible");
                let (status, headers) = (res.status(), res.headers().clone());
                let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
                (status, headers, bytes.to_vec())
            }
        };
        let (s, headers, bytes) = get(&applicant, &uri).await;
        assert_eq!((s, bytes.as_slice()), (StatusCode::OK, pdf.as_slice()), "{}", f.t.name);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(headers["content-disposition"].to_str().is_ok_and(|d| d.starts_with("inline;")), "{headers:?}");
        let (s, _, bytes) = get(&clerk, &uri).await;
        assert_eq!((s, bytes.as_slice()), (StatusCode::OK, pdf.as_slice()));
        assert_eq!(get(&outsider, &uri).await.0, StatusCode::NOT_FOUND, "another department's clerk");
        assert_eq!(get(&Caller::default(), &uri).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&applicant, &format!("{uri}?sha256=00")).await.0, StatusCode::NOT_FOUND, "no such file");
        assert_eq!(get(&applicant, &format!("/api/v1/cases/{n}/materials/nope")).await.0, StatusCode::NOT_FOUND);

        // One staff read recorded (the applicant's own reads are not), audited, and shown.
        let reads = f.t.store.material_reads(&tongban_core::case::CaseNumber::parse(&n).expect("number")).await;
        let reads = reads.expect("reads");
        assert_eq!(reads.iter().map(|r| r.read_by.as_str()).collect::<Vec<_>>(), ["clerk"], "{}", f.t.name);
        let audit = f.t.store.audit_entries().await.expect("audit");
        assert_eq!(audit.iter().filter(|e| e.action == "case.material.read" && e.subject == n).count(), 1);
        let (_, _, page) = get(&applicant, &format!("/cases/{n}?lang=en")).await;
        let page = String::from_utf8_lossy(&page);
        assert!(page.contains(&format!("href=\"{uri}?sha256=")), "the file is a link on the case page");
        assert!(page.contains("opened “营业执照” at"), "the applicant sees who opened it");
        f.t.cleanup().await;
    }
}

/// Adds a member of fgw's staff in `position` (e.g. `chief`, 处室负责人) who can log in.
async fn add_fgw_staff(f: &Fixture, login: &'static str, role: tongban_core::identity::Role, position: &'static str) {
    let hash = tongban_server::auth::hash_password(common::PASSWORD.into()).await.expect("hash");
    let account = tongban_store::Account {
        id: login.into(),
        kind: "staff".into(),
        display_name: login.to_uppercase(),
        role,
        department: Some(tongban_core::org::DepartmentCode::parse("fgw").expect("valid")),
        window: None,
        position: Some(position.into()),
        applicant_kind: None,
        id_number: None,
        phone: None,
        password_hash: hash,
        disabled: false,
        verified: None,
    };
    let now = common::at("2026-01-05T00:00:00Z");
    f.t.store
        .write(move |c| Box::pin(async move { tongban_store::insert_account(c, &account, now).await }))
        .await
        .expect("account");
}

/// A case received at the window by `clerk`, who owns it.
async fn case_owned_by_clerk(f: &Fixture, applicant: &Caller) -> String {
    let mut case = good_case();
    case["received_by"] = json!("clerk");
    let (s, _, v) = f.call(applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
    assert_eq!((s.as_u16(), v["owner"].as_str()), (201, Some("clerk")), "{v}");
    v["number"].as_str().expect("number").to_owned()
}

#[tokio::test]
async fn only_the_owner_their_chief_or_a_supervisor_hands_a_case_over() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        add_fgw_staff(&f, "chief1", tongban_core::identity::Role::Reviewer, "chief").await;
        let applicant = f.login("applicant").await;
        let (clerk, clerk2, reviewer, head, chief, supervisor) = (
            f.login("clerk").await,
            f.login("clerk2").await,
            f.login("reviewer").await,
            f.login("head").await,
            f.login("chief1").await,
            f.login("supervisor").await,
        );
        let offer = |to: &str| json!({ "action": "hand_over", "to": to });
        let n = case_owned_by_clerk(&f, &applicant).await;
        // Colleagues of the same department who are neither owner nor chief are refused.
        for colleague in [&clerk2, &reviewer] {
            let got = f
                .call(colleague, "POST", &format!("/api/v1/cases/{n}/actions"), Some(&offer("approver").to_string()))
                .await;
            assert_problem(&got, 403, "forbidden");
            assert!(got.2["detail"].as_str().is_some_and(|d| d.contains("only the case's owner")), "{name}: {}", got.2);
        }
        // An unknown login, an applicant or an overseer cannot be offered the case.
        for nobody in ["nobody", "applicant", "leader"] {
            let got =
                f.call(&clerk, "POST", &format!("/api/v1/cases/{n}/actions"), Some(&offer(nobody).to_string())).await;
            assert_problem(&got, 422, "invalid-owner");
            assert!(got.2["detail"].as_str().is_some_and(|d| d.contains(nobody)), "{name}: {}", got.2);
        }
        // The owner, a chief of the owner's department, its head and a supervisor may.
        for (who, to) in [(&clerk, "clerk2"), (&chief, "reviewer"), (&head, "approver"), (&supervisor, "clerk2")] {
            let (s, v) = f.act(who, &n, offer(to)).await;
            assert_eq!((s.as_u16(), v["owner"].as_str()), (200, Some("clerk")), "{name} → {to}: {v}");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_hand_over_to_another_department_is_seen_and_taken_up_there() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let (applicant, clerk, outsider) =
            (f.login("applicant").await, f.login("clerk").await, f.login("outsider").await);
        let n = case_owned_by_clerk(&f, &applicant).await;
        let path = format!("/api/v1/cases/{n}");
        // Before any offer the other department does not see the case.
        assert_problem(&f.call(&outsider, "GET", &path, None).await, 403, "forbidden");
        let (s, v) = f.act(&clerk, &n, json!({ "action": "hand_over", "to": "outsider" })).await;
        assert_eq!(s.as_u16(), 200, "{name}: {v}");
        // Offered: the receiver sees it, on its own and in the workbench's offered section.
        let (s, _, v) = f.call(&outsider, "GET", &path, None).await;
        assert_eq!(s.as_u16(), 200, "{name}: {v}");
        let offered = tongban_server::app::org::cases_offered_to_me(&f.state, &principal(&f, "outsider").await)
            .await
            .expect("offered");
        assert_eq!(offered.iter().map(|c| c.number.as_str()).collect::<Vec<_>>(), [n.as_str()], "{name}");
        let (s, v) = f.act(&outsider, &n, json!({ "action": "take_over" })).await;
        assert_eq!((s.as_u16(), v["owner"].as_str()), (200, Some("outsider")), "{name}: {v}");
        // The case moved: its new owner still sees it, and the old owner's colleagues do too
        // (it is their item's case), while nobody else of the receiving department gained it.
        assert_eq!(f.call(&outsider, "GET", &path, None).await.0.as_u16(), 200, "{name}");
        assert_eq!(f.call(&clerk, "GET", &path, None).await.0.as_u16(), 200, "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_withdrawn_hand_over_can_no_longer_be_taken_up() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let (applicant, clerk, clerk2, outsider, reviewer) = (
            f.login("applicant").await,
            f.login("clerk").await,
            f.login("clerk2").await,
            f.login("outsider").await,
            f.login("reviewer").await,
        );
        let n = case_owned_by_clerk(&f, &applicant).await;
        let withdraw = json!({ "action": "withdraw_hand_over" });
        // Nothing offered: nothing to withdraw.
        assert_eq!(f.act(&clerk, &n, withdraw.clone()).await.0.as_u16(), 409, "{name}");
        assert_eq!(f.act(&clerk, &n, json!({ "action": "hand_over", "to": "outsider" })).await.0.as_u16(), 200);
        // Neither the receiver nor a colleague may withdraw it.
        assert_problem(
            &f.call(&clerk2, "POST", &format!("/api/v1/cases/{n}/actions"), Some(&withdraw.to_string())).await,
            403,
            "forbidden",
        );
        assert_problem(
            &f.call(&outsider, "POST", &format!("/api/v1/cases/{n}/actions"), Some(&withdraw.to_string())).await,
            403,
            "forbidden",
        );
        let (s, v) = f.act(&clerk, &n, withdraw.clone()).await;
        assert_eq!((s.as_u16(), v["owner"].as_str()), (200, Some("clerk")), "{name}: {v}");
        // The receiver no longer sees it offered, nor sees nor takes the case.
        let offered = tongban_server::app::org::cases_offered_to_me(&f.state, &principal(&f, "outsider").await)
            .await
            .expect("offered");
        assert!(offered.is_empty(), "{name}");
        assert_problem(&f.call(&outsider, "GET", &format!("/api/v1/cases/{n}"), None).await, 403, "forbidden");
        assert_problem(
            &f.call(&outsider, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"take_over"}"#)).await,
            403,
            "forbidden",
        );
        // The history records the withdrawal.
        let (_, _, v) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
        assert!(v.to_string().contains("hand_over_withdrawn"), "{name}: {v}");
        // A supervisor may withdraw an offer someone else made.
        assert_eq!(f.act(&clerk, &n, json!({ "action": "hand_over", "to": "reviewer" })).await.0.as_u16(), 200);
        let supervisor = f.login("supervisor").await;
        assert_eq!(f.act(&supervisor, &n, withdraw).await.0.as_u16(), 200, "{name}");
        assert_problem(
            &f.call(&reviewer, "POST", &format!("/api/v1/cases/{n}/actions"), Some(r#"{"action":"take_over"}"#)).await,
            409,
            "not-offered",
        );
        f.t.cleanup().await;
    }
}

/// The principal of a logged-in staff account, for calling the app directly.
async fn principal(f: &Fixture, login: &str) -> tongban_server::app::Principal {
    let account = f.t.store.account(login).await.expect("read").expect("an account");
    let via = tongban_server::app::Via::Console;
    tongban_server::app::Principal { account: Some(account), via, client: None, session_hash: None, session_csrf: None }
}

/// 送达方式: the API takes `window`, `mail` with its tracking number, or `electronic`, and
/// refuses free text or a mail without a sane tracking number naming the field; the case
/// page's form keeps what was typed beside the error, and the page shows the tracking number.
#[tokio::test]
async fn a_delivery_records_its_method_and_a_mails_tracking_number() {
    use common::browser::Web;
    use tongban_server::web::Lang;
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, approver) =
            (f.login("applicant").await, f.login("clerk").await, f.login("approver").await);
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        assert_eq!(f.act(&approver, &n, json!({"action": "approve"})).await.0, StatusCode::OK);
        let uri = format!("/api/v1/cases/{n}/actions");
        for (body, field) in [
            (json!({"action": "deliver", "method": "窗口领取"}), "method"),
            (json!({"action": "deliver", "method": "mail"}), "tracking_number"),
            (json!({"action": "deliver", "method": "mail", "tracking_number": "SF 12"}), "tracking_number"),
        ] {
            let refused = f.call(&clerk, "POST", &uri, Some(&body.to_string())).await;
            assert_problem(&refused, 422, "invalid-field");
            assert_eq!(refused.2["errors"][0]["field"], field, "{}", refused.2);
        }

        // The form: a bad tracking number comes back beside its field, as typed.
        let mut web = Web::new(&f);
        web.login("clerk").await;
        let page = web.get(&format!("/cases/{n}")).await;
        assert!(page.has("name=\"tracking_number\"") && page.has("value=\"mail\""), "{}", page.body);
        let version = c_version(&f, &clerk, &n).await;
        let fields = [
            ("csrf", page.csrf()),
            ("action", "deliver".to_owned()),
            ("version", version),
            ("method", "mail".to_owned()),
            ("tracking_number", "顺丰12".to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = web.post(&format!("/cases/{n}/act"), &fields).await;
        assert_ne!(refused.status, StatusCode::SEE_OTHER);
        assert!(refused.has(Lang::Zh.t("delivery.err_bad_tracking_number")), "{}", refused.body);
        assert!(refused.has("value=\"顺丰12\"") && refused.has("value=\"mail\" selected"), "{}", refused.body);

        let (s, c) = f
            .act(&clerk, &n, json!({"action": "deliver", "method": "mail", "tracking_number": "EA123456789CN", "carrier": "中国邮政EMS"}))
            .await;
        assert_eq!((s, c["state"].as_str()), (StatusCode::OK, Some("delivered")), "{c}");
        let (_, _, detail) = f.call(&clerk, "GET", &format!("/api/v1/cases/{n}"), None).await;
        let delivered = detail["events"].as_array().and_then(|e| e.last()).cloned().unwrap_or_default();
        assert_eq!(
            (&delivered["data"]["method"], &delivered["data"]["tracking_number"]),
            (&json!("mail"), &json!("EA123456789CN")),
            "{delivered}"
        );
        let shown = web.get(&format!("/cases/{n}")).await;
        assert!(shown.has(Lang::Zh.t("delivery.mail")) && shown.has("EA123456789CN") && shown.has("中国邮政EMS"));
    }
}

/// The case's version, for a form post.
async fn c_version(f: &Fixture, caller: &common::Caller, n: &str) -> String {
    let (_, _, c) = f.call(caller, "GET", &format!("/api/v1/cases/{n}"), None).await;
    c["case"]["version"].to_string()
}
