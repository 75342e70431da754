//! Verified identity (实名认证), on both databases: an account reaches the cases it handed
//! in, and — once a window clerk has seen its document — the cases in that identity's name.
//! Typing another person's ID number at sign-up reaches nothing of theirs, before and after
//! one's own identity is verified. Event data is masked like the case view.

use crate::common;

use axum::http::StatusCode;
use common::{APPLICANT_ID, Caller, Fixture, assert_problem, good_case};
use serde_json::json;
use tongban_store::testing::each_backend;

/// Signs up `login` as an enterprise under `credit_code` and logs in.
async fn sign_up(f: &Fixture, login: &str, credit_code: &str) -> Caller {
    let body = json!({ "login": login, "password": common::PASSWORD, "name": "冒名者", "kind": "enterprise",
        "id_number": credit_code, "phone": "13900001111" });
    let (s, _, me) = f.call(&Caller::default(), "POST", "/api/v1/applicants", Some(&body.to_string())).await;
    assert_eq!(s, StatusCode::CREATED, "{me}");
    assert_eq!(me["verified"], serde_json::Value::Null, "a new account is unverified");
    f.login(login).await
}

#[tokio::test]
async fn another_persons_id_number_typed_at_sign_up_reaches_nothing_of_theirs() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        // The victim (verified at a window) applies online, with a phone; a clerk receives
        // another case in the victim's name at the window.
        let victim = f.login("applicant").await;
        let mut online = good_case();
        online["applicant"]["phone"] = json!("13812345678");
        let (s, _, case) = f.call(&victim, "POST", "/api/v1/cases", Some(&online.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let mine = case["number"].as_str().expect("number").to_owned();
        let clerk = f.login("clerk").await;
        let mut at_window = good_case();
        at_window["channel"] = json!("window");
        let (s, _, case) = f.call(&clerk, "POST", "/api/v1/cases", Some(&at_window.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let received = case["number"].as_str().expect("number").to_owned();
        let (_, _, list) = f.call(&victim, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 2, "{name}: the verified victim reaches both: {list}");

        // The attacker signs up under the victim's credit code.
        let attacker = sign_up(&f, "impostor", APPLICANT_ID).await;
        let (_, _, list) = f.call(&attacker, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 0, "{name}: {list}");
        for number in [&mine, &received] {
            assert_problem(&f.call(&attacker, "GET", &format!("/api/v1/cases/{number}"), None).await, 403, "forbidden");
            for action in
                [json!({ "action": "rate", "score": 1 }), json!({ "action": "resubmit", "materials": ["营业执照"] })]
            {
                let (s, v) = f.act(&attacker, number, action).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{name}: {v}");
            }
            let uri = format!("/api/v1/cases/{number}/materials/%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7");
            assert_eq!(f.put_file(&attacker, &uri, b"%PDF-1.4 x", "application/pdf").await, StatusCode::FORBIDDEN);
        }
        // What it hands in itself it reaches, marked unverified for the window to check.
        let (s, _, own) = f.call(&attacker, "POST", "/api/v1/cases", Some(&good_case().to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{own}");
        let (_, _, list) = f.call(&attacker, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 1, "{name}: {list}");
        let number = tongban_core::case::CaseNumber::parse(own["number"].as_str().expect("n")).expect("n");
        let own = f.t.store.case_by_number(&number).await;
        let submitter = own.expect("read").expect("case").submitter.expect("recorded");
        assert_eq!((submitter.account.as_str(), submitter.verified), ("impostor", false));

        // The victim's identity is taken: a clerk cannot verify the attacker under it.
        let verify = |login: &str, id: &str| {
            (
                format!("/api/v1/accounts/{login}/verification"),
                json!({ "id_number": id, "name": "某某公司" }).to_string(),
            )
        };
        let (uri, body) = verify("impostor", APPLICANT_ID);
        assert_problem(&f.call(&clerk, "POST", &uri, Some(&body)).await, 409, "conflict");
        let (uri, body) = verify("impostor", "91350100M000100Y44");
        assert_problem(&f.call(&clerk, "POST", &uri, Some(&body)).await, 422, "invalid-field");
        let (uri, body) = verify("clerk2", "91620100MA7LX0001Y");
        assert_problem(&f.call(&clerk, "POST", &uri, Some(&body)).await, 404, "not-found");
        // Verified under its own (real) code, it still reaches nothing of the victim's.
        let (uri, body) = verify("impostor", "91620100MA7LX0001Y");
        let (s, _, me) = f.call(&clerk, "POST", &uri, Some(&body)).await;
        assert_eq!((s, me["verified"].as_str()), (StatusCode::OK, Some("window")), "{name}: {me}");
        let (_, _, list) = f.call(&attacker, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 1, "{name}: only what it handed in: {list}");
        assert_problem(&f.call(&attacker, "GET", &format!("/api/v1/cases/{mine}"), None).await, 403, "forbidden");
        let audit = f.t.store.audit_entries().await.expect("audit");
        let entry = audit.iter().find(|e| e.action == "account.verify").expect("audited");
        assert_eq!((entry.actor.as_str(), entry.subject.as_str()), ("clerk", "impostor"));
        assert!(!entry.detail.contains("91620100MA7LX0001Y"), "the audit detail masks the number: {}", entry.detail);

        // The victim's own history masks personal data exactly as the case view does.
        let (_, _, detail) = f.call(&victim, "GET", &format!("/api/v1/cases/{mine}"), None).await;
        let applicant = &detail["events"][0]["data"]["submission"]["applicant"];
        assert_eq!(applicant["id_number"], detail["case"]["applicant"]["id_number"], "{name}: {detail}");
        assert_eq!(applicant["id_number"], "913***********0Y43");
        assert_eq!(applicant["phone"], "138****5678");
        assert!(!detail.to_string().contains(APPLICANT_ID) && !detail.to_string().contains("13812345678"));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_and_a_password_change_ends_the_others() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let clerk = f.login("clerk2").await;
        let (s, _, token) = f.call(&clerk, "POST", "/api/v1/tokens", Some(r#"{"name":"script"}"#)).await;
        assert_eq!(s, StatusCode::CREATED, "{token}");
        let bearer = format!("Bearer {}", token["token"].as_str().expect("token"));
        let as_token = |uri: &'static str| {
            let bearer = bearer.clone();
            let f = &f;
            async move { f.call_with(&Caller::default(), "GET", uri, None, &[("authorization", &bearer)]).await.0 }
        };
        assert_eq!(as_token("/api/v1/me").await, StatusCode::OK);
        let off = |disabled: bool| json!({ "disabled": disabled }).to_string();
        let (s, _, _) = f.call(&admin, "PUT", "/api/v1/accounts/clerk2/disabled", Some(&off(true))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}");
        assert_eq!(f.call(&clerk, "GET", "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(as_token("/api/v1/me").await, StatusCode::UNAUTHORIZED, "{name}");
        let login = json!({ "login": "clerk2", "password": common::PASSWORD }).to_string();
        let (s, _, _) = f.call(&Caller::default(), "POST", "/api/v1/session", Some(&login)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: a disabled account cannot log in");
        // Enabled again, it logs in; the revoked token stays revoked.
        let (s, _, _) = f.call(&admin, "PUT", "/api/v1/accounts/clerk2/disabled", Some(&off(false))).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let _ = f.login("clerk2").await;
        assert_eq!(as_token("/api/v1/me").await, StatusCode::UNAUTHORIZED, "{name}");
        // The last administrator stays.
        let got = f.call(&admin, "PUT", "/api/v1/accounts/admin/disabled", Some(&off(true))).await;
        assert_problem(&got, 409, "conflict");

        // A password change keeps the session that made it and ends every other.
        let here = f.login("reviewer").await;
        let elsewhere = f.login("reviewer").await;
        let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new }).to_string();
        let wrong = f.call(&here, "PUT", "/api/v1/me/password", Some(&change("not it", "a new long password"))).await;
        assert_problem(&wrong, 422, "invalid-field");
        let short = f.call(&here, "PUT", "/api/v1/me/password", Some(&change(common::PASSWORD, "short"))).await;
        assert_problem(&short, 422, "invalid-field");
        let (s, _, _) =
            f.call(&here, "PUT", "/api/v1/me/password", Some(&change(common::PASSWORD, "a new long password"))).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}");
        assert_eq!(f.call(&here, "GET", "/api/v1/me", None).await.0, StatusCode::OK, "{name}");
        assert_eq!(f.call(&elsewhere, "GET", "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED, "{name}");
        let old = json!({ "login": "reviewer", "password": common::PASSWORD }).to_string();
        assert_eq!(f.call(&Caller::default(), "POST", "/api/v1/session", Some(&old)).await.0, StatusCode::UNAUTHORIZED);
        let new = json!({ "login": "reviewer", "password": "a new long password" }).to_string();
        assert_eq!(f.call(&Caller::default(), "POST", "/api/v1/session", Some(&new)).await.0, StatusCode::OK);
        let actions: Vec<String> =
            f.t.store.audit_entries().await.expect("audit").into_iter().map(|e| e.action).collect();
        for a in ["account.disable", "account.enable", "account.password"] {
            assert!(actions.iter().any(|x| x == a), "{name}: {a} audited");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_enterprise_mandates_an_agent_who_then_reaches_its_cases_until_revoked() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let enterprise = f.login("applicant").await;
        let number = f.submit(&enterprise).await;
        // The agent: a person who signed up and was verified at a window.
        let body = json!({ "login": "agent", "password": common::PASSWORD, "name": "李四", "kind": "individual",
            "id_number": "11010519491231002X" });
        assert_eq!(
            f.call(&Caller::default(), "POST", "/api/v1/applicants", Some(&body.to_string())).await.0,
            StatusCode::CREATED
        );
        let agent = f.login("agent").await;
        let grant = json!({ "agent": "agent" }).to_string();
        // Unverified, the agent cannot be mandated; nor can an agent grant for itself.
        assert_problem(&f.call(&enterprise, "POST", "/api/v1/mandates", Some(&grant)).await, 422, "invalid-field");
        let clerk = f.login("clerk").await;
        let verify = json!({ "id_number": "11010519491231002X", "name": "李四" }).to_string();
        assert_eq!(
            f.call(&clerk, "POST", "/api/v1/accounts/agent/verification", Some(&verify)).await.0,
            StatusCode::OK
        );
        let as_agent = json!({ "agent": "applicant" }).to_string();
        assert_problem(&f.call(&agent, "POST", "/api/v1/mandates", Some(&as_agent)).await, 403, "forbidden");
        assert_problem(&f.call(&agent, "GET", &format!("/api/v1/cases/{number}"), None).await, 403, "forbidden");
        assert_problem(
            &f.call(&agent, "POST", "/api/v1/cases", Some(&good_case().to_string())).await,
            403,
            "forbidden",
        );

        let (s, _, m) = f.call(&enterprise, "POST", "/api/v1/mandates", Some(&grant)).await;
        assert_eq!((s, m["enterprise_id"].as_str()), (StatusCode::CREATED, Some(APPLICANT_ID)), "{name}: {m}");
        assert_eq!(f.call(&agent, "GET", &format!("/api/v1/cases/{number}"), None).await.0, StatusCode::OK, "{name}");
        let (s, _, filed) = f.call(&agent, "POST", "/api/v1/cases", Some(&good_case().to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{name}: the agent applies in the enterprise's name: {filed}");
        let (_, _, list) = f.call(&agent, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 2, "{name}");
        let (_, _, held) = f.call(&agent, "GET", "/api/v1/mandates", None).await;
        assert_eq!(held.as_array().map(Vec::len), Some(1), "{name}: {held}");

        let (s, _, _) = f.call(&enterprise, "DELETE", "/api/v1/mandates/agent", None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}");
        assert_problem(&f.call(&enterprise, "DELETE", "/api/v1/mandates/agent", None).await, 404, "not-found");
        assert_problem(&f.call(&agent, "GET", &format!("/api/v1/cases/{number}"), None).await, 403, "forbidden");
        let (_, _, list) = f.call(&agent, "GET", "/api/v1/cases", None).await;
        assert_eq!(list["total"], 1, "{name}: only what it handed in itself");
        let audit: Vec<String> =
            f.t.store.audit_entries().await.expect("audit").into_iter().map(|e| e.action).collect();
        assert!(audit.iter().any(|a| a == "mandate.grant") && audit.iter().any(|a| a == "mandate.revoke"));
        f.t.cleanup().await;
    }
}
