//! Input and request limits, on both databases: control characters and over-long text are
//! a 422 naming the field (never a 500), logins back off per account and address without
//! locking out anyone else, and the public's endpoints have per-address rates.

use crate::common;

use common::{Caller, Fixture, PASSWORD, assert_problem};
use serde_json::json;
use tongban_store::testing::each_backend;

#[tokio::test]
async fn a_nul_byte_or_a_huge_text_is_a_field_error_on_every_database() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        let login = json!({ "login": "admin\u{0}", "password": "x" }).to_string();
        assert_problem(&f.call(&anon, "POST", "/api/v1/session", Some(&login)).await, 422, "invalid-field");
        let sign_up = json!({ "login": "zhang.san", "password": "long enough password", "name": "张\u{0}三",
            "kind": "individual", "id_number": "620102199001011233" })
        .to_string();
        let got = f.call(&anon, "POST", "/api/v1/applicants", Some(&sign_up)).await;
        assert_problem(&got, 422, "invalid-field");
        assert!(got.2.to_string().contains("name"), "{name}: the field is named: {}", got.2);
        let phone = json!({ "login": "li.si", "password": "long enough password", "name": "李四",
            "kind": "individual", "id_number": "620102199001011233", "phone": "1".repeat(5000) })
        .to_string();
        assert_problem(&f.call(&anon, "POST", "/api/v1/applicants", Some(&phone)).await, 422, "invalid-field");
        for uri in ["/api/v1/items?q=%00", &format!("/api/v1/items?q={}", "a".repeat(20_000))] {
            let got = f.call(&anon, "GET", uri, None).await;
            assert_problem(&got, 422, "invalid-field");
        }
        for uri in ["/api/v1/items?page=0", "/api/v1/items?per_page=201", "/api/v1/items?page=100001"] {
            assert_problem(&f.call(&anon, "GET", uri, None).await, 422, "invalid-field");
        }
        // The pages search for what is left of a pasted paragraph instead of failing.
        let page = f.call(&anon, "GET", &format!("/items?q={}%00", "项目".repeat(1_000)), None).await;
        assert_eq!(page.0.as_u16(), 200, "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn failures_on_invented_accounts_never_lock_out_the_administrator() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        let good = json!({ "login": "admin", "password": PASSWORD }).to_string();
        for i in 0..25 {
            let bad = json!({ "login": format!("invented{i}"), "password": "guess" }).to_string();
            let got = f.call_from(Some("10.0.0.9"), &anon, "POST", "/api/v1/session", Some(&bad), &[]).await;
            assert_problem(&got, 401, "bad-login");
        }
        for from in ["10.0.0.9", "10.0.0.1"] {
            let got = f.call_from(Some(from), &anon, "POST", "/api/v1/session", Some(&good), &[]).await;
            assert_eq!(got.0.as_u16(), 200, "from {from}: {}", got.2);
        }
        // Guessing the administrator's password from one address backs off that address only.
        let wrong = json!({ "login": "admin", "password": "guess" }).to_string();
        for _ in 0..5 {
            f.call_from(Some("10.0.0.66"), &anon, "POST", "/api/v1/session", Some(&wrong), &[]).await;
        }
        let held = f.call_from(Some("10.0.0.66"), &anon, "POST", "/api/v1/session", Some(&good), &[]).await;
        assert_problem(&held, 429, "too-many-attempts");
        let elsewhere = f.call_from(Some("10.0.0.1"), &anon, "POST", "/api/v1/session", Some(&good), &[]).await;
        assert_eq!(elsewhere.0.as_u16(), 200, "{}", elsewhere.2);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_public_takes_queue_tickets_at_a_bounded_rate_per_address() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        let body = json!({ "queue": "fgw" }).to_string();
        for i in 0..30 {
            let got = f.call_from(Some("10.0.0.9"), &anon, "POST", "/api/v1/tickets", Some(&body), &[]).await;
            assert_eq!(got.0.as_u16(), 201, "ticket {i}: {}", got.2);
        }
        let refused = f.call_from(Some("10.0.0.9"), &anon, "POST", "/api/v1/tickets", Some(&body), &[]).await;
        assert_problem(&refused, 429, "too-many-attempts");
        let other = f.call_from(Some("10.0.0.8"), &anon, "POST", "/api/v1/tickets", Some(&body), &[]).await;
        assert_eq!(other.0.as_u16(), 201, "{}", other.2);
        // Behind a trusted proxy the forwarded address is the client's.
        let mut state = f.state.clone();
        state.proxies = std::sync::Arc::new(tongban_server::proxies::TrustedProxies::parse("10.0.0.9").expect("valid"));
        let proxied = Fixture { app: tongban_server::router(state.clone()), t: f.t, state };
        let forwarded = [("x-forwarded-for", "203.0.113.5")];
        let got = proxied.call_from(Some("10.0.0.9"), &anon, "POST", "/api/v1/tickets", Some(&body), &forwarded).await;
        assert_eq!(got.0.as_u16(), 201, "{}", got.2);
        proxied.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_case_holds_a_bounded_number_of_files_and_every_upload_is_audited() {
    for t in tongban_store::testing::each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let number = f.submit(&applicant).await;
        let uri = format!("/api/v1/cases/{number}/materials/%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7");
        let max = tongban_core::case::MAX_FILES_PER_CASE;
        for i in 0..max {
            let pdf = format!("%PDF-1.4 file {i}");
            assert_eq!(
                f.put_file(&applicant, &uri, pdf.as_bytes(), "application/pdf").await.as_u16(),
                201,
                "{name} {i}"
            );
        }
        let got = f.put_file(&applicant, &uri, b"%PDF-1.4 one too many", "application/pdf").await;
        assert_eq!(got.as_u16(), 413, "{name}");
        // The same file again is no new file, and is answered as before.
        assert_eq!(f.put_file(&applicant, &uri, b"%PDF-1.4 file 0", "application/pdf").await.as_u16(), 200, "{name}");
        let audit = f.t.store.audit_entries().await.expect("audit");
        let count = |action: &str| audit.iter().filter(|e| e.action == action && e.subject == number).count();
        assert_eq!((count("case.submit"), count("case.upload")), (1, max as usize), "{name}");
        f.t.cleanup().await;
    }
}
