//! Accounts created without a password: a one-time activation code, shown to the
//! administrator once (API answer, staff page), used once by the account's holder (API,
//! and the `/activate` page without JavaScript); a wrong, used, replaced or expired code is
//! refused without telling whether the login exists; such an account cannot log in before.

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::StatusCode;
use common::browser::{Page, Web};
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tongban_server::web::Lang;
use tongban_store::testing::each_backend;

const NEW_PASSWORD: &str = "a password of my own";

/// A clock the test moves by hand (never sleeps).
fn stepped_clock(start: &str) -> (tongban_server::Clock, Arc<AtomicI64>) {
    let at = Arc::new(AtomicI64::new(common::at(start).as_second()));
    let read = at.clone();
    let clock: tongban_server::Clock =
        Arc::new(move || jiff::Timestamp::from_second(read.load(Ordering::SeqCst)).expect("a valid moment"));
    (clock, at)
}

/// Creates staff account `login` without a password as the administrator; its code.
async fn create_without_password(f: &Fixture, admin: &Caller, login: &str) -> String {
    let body = json!({ "login": login, "name": "王芳", "role": "reviewer", "department": "fgw" }).to_string();
    let (s, _, created) = f.call(admin, "POST", "/api/v1/accounts", Some(&body)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["login"], login);
    assert_eq!(created["activation"]["login"], login);
    assert!(created["activation"]["expires_at"].is_string(), "{created}");
    created["activation"]["code"].as_str().expect("a code").to_owned()
}

async fn activate(f: &Fixture, login: &str, code: &str, password: &str) -> (StatusCode, String, Value) {
    let body = json!({ "code": code, "password": password }).to_string();
    f.call(&Caller::default(), "POST", &format!("/api/v1/accounts/{login}/activation"), Some(&body)).await
}

async fn log_in(f: &Fixture, login: &str, password: &str) -> StatusCode {
    let body = json!({ "login": login, "password": password }).to_string();
    f.call(&Caller::default(), "POST", "/api/v1/session", Some(&body)).await.0
}

#[tokio::test]
async fn a_code_activates_an_account_once_and_until_then_it_cannot_log_in() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let code = create_without_password(&f, &admin, "wang.fang").await;
        assert_eq!(code.len(), 19, "four groups of four: {code}");
        for tried in ["", "anything at all", NEW_PASSWORD] {
            assert_eq!(log_in(&f, "wang.fang", tried).await, StatusCode::UNAUTHORIZED, "no password yet");
        }

        // A wrong code, and the same code for a login that does not exist, answer alike.
        let wrong = activate(&f, "wang.fang", "0000-0000-0000-0000", NEW_PASSWORD).await;
        assert_problem(&wrong, 422, "invalid-field");
        let nobody = activate(&f, "no.such.login", &code, NEW_PASSWORD).await;
        assert_problem(&nobody, 422, "invalid-field");
        assert_eq!(wrong.2["detail"], nobody.2["detail"], "the answer does not tell whether the login exists");
        assert!(wrong.2["detail"].as_str().is_some_and(|d| d.contains("not a valid activation code")), "{}", wrong.2);

        // A password core refuses: the code is not spent.
        let short = activate(&f, "wang.fang", &code, "short").await;
        assert_problem(&short, 422, "invalid-field");
        assert!(short.2["detail"].as_str().is_some_and(|d| d.contains("password")), "{}", short.2);

        // Typed in capitals without dashes, it is the same code.
        let typed = code.replace('-', "").to_uppercase();
        let done = activate(&f, "wang.fang", &typed, NEW_PASSWORD).await;
        assert_eq!(done.0, StatusCode::NO_CONTENT, "{}", done.2);
        assert_eq!(log_in(&f, "wang.fang", NEW_PASSWORD).await, StatusCode::OK);

        let again = activate(&f, "wang.fang", &code, "yet another password").await;
        assert_problem(&again, 422, "invalid-field");
        assert!(again.2["detail"].as_str().is_some_and(|d| d.contains("already used")), "{}", again.2);
        assert_eq!(log_in(&f, "wang.fang", "yet another password").await, StatusCode::UNAUTHORIZED);

        let audit = f.t.store.audit_entries().await.expect("audit");
        let issued = audit.iter().find(|e| e.action == "account.activation.issue").expect("the issue is audited");
        assert_eq!((issued.actor.as_str(), issued.subject.as_str()), ("admin", "wang.fang"));
        let used = audit.iter().find(|e| e.action == "account.activate").expect("the activation is audited");
        assert_eq!((used.actor.as_str(), used.subject.as_str()), ("wang.fang", "wang.fang"));
        assert!(audit.iter().all(|e| !e.detail.contains(&code) && !e.detail.contains(&typed)), "no code in the log");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_code_replaces_the_old_one_and_codes_expire_after_seven_days() {
    for t in each_backend().await {
        let (clock, now) = stepped_clock("2026-03-02T02:00:00Z");
        let f = Fixture::with_clock(t, clock).await;
        let admin = f.login("admin").await;
        let first = create_without_password(&f, &admin, "li.ming").await;
        let (s, _, issued) = f.call(&admin, "POST", "/api/v1/accounts/li.ming/activation-codes", None).await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        let second = issued["code"].as_str().expect("a code").to_owned();
        assert_ne!(first, second);
        let replaced = activate(&f, "li.ming", &first, NEW_PASSWORD).await;
        assert_problem(&replaced, 422, "invalid-field");
        assert!(replaced.2["detail"].as_str().is_some_and(|d| d.contains("replaced")), "{}", replaced.2);

        // Codes are for staff accounts that exist; only administrators issue them.
        let unknown = f.call(&admin, "POST", "/api/v1/accounts/no.such.login/activation-codes", None).await;
        assert_problem(&unknown, 404, "not-found");
        let applicant = f.call(&admin, "POST", "/api/v1/accounts/applicant/activation-codes", None).await;
        assert_problem(&applicant, 404, "not-found");
        let head = f.login("head").await;
        let denied = f.call(&head, "POST", "/api/v1/accounts/li.ming/activation-codes", None).await;
        assert_eq!(denied.0, StatusCode::FORBIDDEN);

        // Seven days on, to the second, the code no longer counts.
        now.fetch_add(7 * 24 * 3600, Ordering::SeqCst);
        let expired = activate(&f, "li.ming", &second, NEW_PASSWORD).await;
        assert_problem(&expired, 422, "invalid-field");
        assert!(expired.2["detail"].as_str().is_some_and(|d| d.contains("expired")), "{}", expired.2);
        assert_eq!(log_in(&f, "li.ming", NEW_PASSWORD).await, StatusCode::UNAUTHORIZED);

        // A fresh code (a fresh session too: the old one expired with the days) works.
        let admin = f.login("admin").await;
        let (_, _, issued) = f.call(&admin, "POST", "/api/v1/accounts/li.ming/activation-codes", None).await;
        let third = issued["code"].as_str().expect("a code").to_owned();
        now.fetch_add(6 * 24 * 3600, Ordering::SeqCst);
        assert_eq!(activate(&f, "li.ming", &third, NEW_PASSWORD).await.0, StatusCode::NO_CONTENT);
        assert_eq!(log_in(&f, "li.ming", NEW_PASSWORD).await, StatusCode::OK);
        f.t.cleanup().await;
    }
}

impl Page {
    /// The activation code the staff page shows.
    fn code(&self) -> String {
        let at = self.body.find("class=\"activation-code\">").expect("a code shown") + 24;
        self.body[at..].split('<').next().unwrap_or("").to_owned()
    }
}

impl Web {
    async fn log_in(&mut self, login: &str, password: &str) -> Page {
        let csrf = self.get("/login").await.csrf();
        self.post("/login", &[("csrf", &csrf), ("login", login), ("password", password), ("next", "")]).await
    }
}

async fn activate_form(b: &mut Web, csrf: &str, code: &str, again: &str) -> Page {
    let fields =
        [("csrf", csrf), ("login", "zhao.lei"), ("code", code), ("password", NEW_PASSWORD), ("password_again", again)];
    b.post("/activate", &fields).await
}

fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

#[tokio::test]
async fn staff_activate_their_accounts_through_the_pages_without_javascript() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let mut admin = Web::new(&f);
        assert_eq!(admin.log_in("admin", common::PASSWORD).await.status, StatusCode::SEE_OTHER);
        let csrf = admin.get("/admin/staff").await.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("login", "zhao.lei"),
            ("password", ""),
            ("name", "赵磊"),
            ("role", "window_clerk"),
            ("department", "fgw"),
        ];
        let created = admin.post("/admin/staff", &fields).await;
        assert_eq!(created.status, StatusCode::OK, "the code is in the answer, not behind a redirect");
        assert!(created.has(zh("done.staff_created")) && created.has(zh("admin.awaiting")), "{}", created.body);
        let first = created.code();
        // A new code from the account's row replaces it.
        let again = admin.post("/admin/staff/zhao.lei/activation-code", &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        let code = again.code();
        assert_ne!(first, code);
        assert!(!admin.get("/admin/staff").await.has(&code), "shown once only");

        let mut holder = Web::new(&f);
        assert_ne!(holder.log_in("zhao.lei", "").await.status, StatusCode::SEE_OTHER, "not before activation");
        let english = holder.get("/activate?lang=en").await;
        assert!(english.has(Lang::En.t("activate.title")), "{}", english.body);
        let form = holder.get("/activate?lang=zh-CN").await;
        assert!(form.has(zh("activate.title")), "{}", form.body);
        let csrf = form.csrf();
        // Without the form's token: refused.
        let forged = holder.post("/activate", &[("login", "zhao.lei"), ("code", &code)]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let differ = activate_form(&mut holder, &csrf, &code, "something else entirely").await;
        assert_eq!(differ.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(differ.has("id=\"err-password-again\"") && differ.has(zh("activate.mismatch")), "{}", differ.body);
        let wrong = activate_form(&mut holder, &csrf, "0000-0000-0000-0000", NEW_PASSWORD).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has("id=\"err-code\"") && wrong.has(zh("activate.code_wrong")), "{}", wrong.body);
        assert!(wrong.has("value=\"zhao.lei\""), "the login is kept: {}", wrong.body);
        let replaced = activate_form(&mut holder, &csrf, &first, NEW_PASSWORD).await;
        assert!(replaced.has(zh("activate.code_replaced")), "{}", replaced.body);

        let done = activate_form(&mut holder, &csrf, &code, NEW_PASSWORD).await;
        assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/activate?done=activated"));
        assert!(holder.get(&done.location).await.has(zh("done.activated")));
        let used = activate_form(&mut holder, &csrf, &code, NEW_PASSWORD).await;
        assert!(used.has(zh("activate.code_used")), "{}", used.body);
        assert_eq!(holder.log_in("zhao.lei", NEW_PASSWORD).await.status, StatusCode::SEE_OTHER);
        f.t.cleanup().await;
    }
}
