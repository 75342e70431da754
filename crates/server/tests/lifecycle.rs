//! The whole life of a case over the API, with every refusal, on both databases.

mod common;

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
        assert_eq!(f.act(&clerk, &n, json!({"action": "deliver", "method": "窗口领取"})).await.0, StatusCode::OK);
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
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
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

#[tokio::test]
async fn tokens_are_scoped_expiring_and_revocable() {
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
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
    let (s, _, me) = f.call_with(&Caller::default(), "GET", "/api/v1/me", None, &[("authorization", &bearer)]).await;
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
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
    let head = f.login("head").await;
    let uri = "/api/v1/items/620100-FGW-001/first-responsible";
    assert_problem(&f.call(&head, "PUT", uri, Some(r#"{"account":"outsider"}"#)).await, 422, "invalid-field");
    assert_eq!(f.call(&head, "PUT", uri, Some(r#"{"account":"approver"}"#)).await.0, StatusCode::NO_CONTENT);
    let (_, _, item) = f.call(&Caller::default(), "GET", "/api/v1/items/620100-FGW-001", None).await;
    assert_eq!(item["first_responsible"], "approver");
    f.t.cleanup().await;
}

#[tokio::test]
async fn every_creating_post_honours_an_idempotency_key() {
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
    let clerk = f.login("clerk").await;
    let key = [("idempotency-key", "token-1")];
    let body = r#"{"name":"retry"}"#;
    let first = f.call_with(&clerk, "POST", "/api/v1/tokens", Some(body), &key).await;
    let again = f.call_with(&clerk, "POST", "/api/v1/tokens", Some(body), &key).await;
    assert_eq!(first.0, StatusCode::CREATED);
    assert_eq!((again.0, &again.2["id"], &again.2["token"]), (StatusCode::CREATED, &first.2["id"], &first.2["token"]));
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
    f.t.cleanup().await;
}

#[tokio::test]
async fn a_bad_rating_is_watched_until_the_department_answers() {
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
    let (applicant, clerk, approver, supervisor) =
        (f.login("applicant").await, f.login("clerk").await, f.login("approver").await, f.login("supervisor").await);
    let n = f.submit(&applicant).await;
    for (who, action) in [
        (&clerk, json!({"action": "accept"})),
        (&approver, json!({"action": "approve"})),
        (&clerk, json!({"action": "deliver", "method": "窗口领取"})),
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

#[tokio::test]
async fn returned_and_reopened_cases_are_watched() {
    let f = Fixture::new(tongban_store::testing::sqlite().await).await;
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
        (&clerk, json!({"action": "deliver", "method": "窗口领取"})),
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
    assert_eq!(kinds, ["returned", "reopened"], "{concerns}");
    f.t.cleanup().await;
}
