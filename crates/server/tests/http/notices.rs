//! Notices (通知) over HTTP, on SQLite and PostgreSQL: the case JSON carries its `notices`
//! (channel and state), the inbox after a correction request (API and pages, mark read), the
//! preferences API and the profile form (a bad e-mail address comes back beside its field
//! with what was typed), the sign-up form's e-mail field, and the administrator's delivery
//! page and routes.

use crate::common;

use axum::http::StatusCode;
use common::Fixture;
use common::browser::Web;
use serde_json::{Value, json};
use tongban_server::web::Lang;
use tongban_store::testing::each_backend;

fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

/// A case the clerk asked to be corrected (补正告知); its number.
async fn corrected_case(f: &Fixture) -> String {
    let (applicant, clerk) = (f.login("applicant").await, f.login("clerk").await);
    let number = f.submit(&applicant).await;
    let correction = json!({"action": "request_correction", "missing": ["营业执照"], "note": "请补交营业执照副本"});
    let (s, v) = f.act(&clerk, &number, correction).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    number
}

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap_or_else(|| panic!("items in {v}"))
}

#[tokio::test]
async fn the_case_json_carries_its_notices_with_channel_and_state() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let number = corrected_case(&f).await;
        for who in ["clerk", "applicant"] {
            let caller = f.login(who).await;
            let (s, _, case) = f.call(&caller, "GET", &format!("/api/v1/cases/{number}"), None).await;
            assert_eq!(s, StatusCode::OK, "{name} {who}: {case}");
            let notices = case["notices"].as_array().unwrap_or_else(|| panic!("{name}: notices in {case}"));
            assert!(!notices.is_empty(), "{name} {who}: {case}");
            for n in notices {
                for field in ["id", "channel", "state", "event", "subject", "created_at"] {
                    assert!(!n[field].is_null(), "{name}: {field} in {n}");
                }
                for field in ["reason", "sent_at", "delivered_at"] {
                    assert!(n.get(field).is_some(), "{name}: {field} in {n}");
                }
                let state = n["state"].as_str().unwrap_or("");
                assert!(
                    ["queued", "sending", "sent", "delivered", "failed", "cancelled"].contains(&state),
                    "{name}: {n}"
                );
            }
            // The 补正告知 reached the applicant's inbox at once.
            let inbox = notices
                .iter()
                .find(|n| n["event"] == "correction_requested" && n["channel"] == "inbox")
                .unwrap_or_else(|| panic!("{name}: the correction's inbox notice in {notices:?}"));
            assert_eq!(inbox["state"], "delivered", "{name}: {inbox}");
            assert_eq!(inbox["case_number"], number.as_str(), "{name}: {inbox}");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_inbox_after_a_correction_request_and_marking_read() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let number = corrected_case(&f).await;
        let applicant = f.login("applicant").await;
        let (s, _, inbox) = f.call(&applicant, "GET", "/api/v1/me/notifications", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {inbox}");
        let unread = inbox["unread"].as_u64().unwrap_or(0);
        assert!(unread >= 1, "{name}: {inbox}");
        let message = items(&inbox)
            .iter()
            .find(|m| m["case_number"] == number.as_str() && m["read"] == false)
            .unwrap_or_else(|| panic!("{name}: a message about {number} in {inbox}"))
            .clone();
        for field in ["id", "subject", "body", "created_at"] {
            assert!(!message[field].is_null(), "{name}: {field} in {message}");
        }
        let id = message["id"].as_i64().expect("an id");
        // Someone else cannot mark it, and an id that names nothing is 404.
        let clerk = f.login("clerk").await;
        let (s, _, v) = f.call(&clerk, "POST", &format!("/api/v1/me/notifications/{id}/read"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {v}");
        let got = f.call(&applicant, "POST", "/api/v1/me/notifications/none/read", None).await;
        common::assert_problem(&got, 404, "not-found");
        let (s, _, v) = f.call(&applicant, "POST", &format!("/api/v1/me/notifications/{id}/read"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}: {v}");
        let (_, _, after) = f.call(&applicant, "GET", "/api/v1/me/notifications", None).await;
        assert_eq!(after["unread"].as_u64(), Some(unread - 1), "{name}: {after}");
        assert!(items(&after).iter().any(|m| m["id"] == id && m["read"] == true), "{name}: {after}");

        // The same through the pages: the count in the hall's navigation, open, mark read.
        let mut web = Web::new(&f);
        web.login("applicant").await;
        let hall = web.get("/hall").await;
        assert_eq!(hall.status, StatusCode::OK, "{name}");
        assert!(hall.has("href=\"/hall/inbox\""), "{name}: the inbox in the hall's navigation");
        let page = web.get("/hall/inbox").await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        assert!(page.has(zh("notices.inbox_title")), "{name}");
        assert!(page.has(&format!("href=\"/cases/{number}\"")), "{name}: {}", page.body);
        // Every unread message has its button; pressing one marks it read.
        let action = page.body.split("action=\"/hall/inbox/").nth(1).and_then(|s| s.split('"').next());
        if let Some(action) = action.map(|a| format!("/hall/inbox/{a}")) {
            let csrf = page.csrf();
            let done = web.post(&action, &[("csrf", &csrf)]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{name}: {}", done.body);
            assert!(done.location.starts_with("/hall/inbox?done=read"), "{name}: {}", done.location);
            let again = web.get("/hall/inbox?done=read").await;
            assert!(again.has(zh("notices.done.read")), "{name}");
            assert!(!again.has(&format!("action=\"{action}\"")), "{name}: marked read");
        }
        // A form without its token is refused.
        let forged = web.post(&format!("/hall/inbox/{id}/read"), &[]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_case_page_shows_each_notice_to_the_clerk_and_in_plain_words_to_the_applicant() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let number = corrected_case(&f).await;
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let page = clerk.get(&format!("/cases/{number}")).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert!(page.has("data-channel=\"inbox\" data-state=\"delivered\""), "{name}: {}", page.body);
        assert!(page.has(zh("notices.event.correction_requested")), "{name}");
        assert!(page.has(zh("notices.state.delivered")), "{name}");
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let own = applicant.get(&format!("/cases/{number}?lang=en")).await;
        assert_eq!(own.status, StatusCode::OK, "{name}");
        assert!(own.has("data-channel=\"inbox\""), "{name}: {}", own.body);
        assert!(own.has("delivered to you by Inbox"), "{name}: {}", own.body);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn preferences_by_api_and_by_the_profile_form() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let (s, _, prefs) = f.call(&applicant, "GET", "/api/v1/me/preferences", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {prefs}");
        assert_eq!(prefs["channels"]["inbox"], true, "{name}: {prefs}");
        for c in ["email", "sms", "wechat", "push"] {
            assert!(prefs["channels"][c].is_boolean() && prefs["available"][c].is_boolean(), "{name}: {c} in {prefs}");
        }
        // A bad address is refused, naming the field; an unknown channel too.
        let bad = json!({ "email": "not-an-address" }).to_string();
        let got = f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&bad)).await;
        common::assert_problem(&got, 422, "invalid-field");
        assert!(
            got.2["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["field"] == "email")),
            "{name}: {:?}",
            got.2
        );
        let bogus = json!({ "channels": { "pigeon": true } }).to_string();
        let got = f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&bogus)).await;
        common::assert_problem(&got, 422, "invalid-field");
        // A good address is kept; a field left out stays as it is.
        let good = json!({ "email": "li.si@example.com", "mobile": "13800138000" }).to_string();
        let (s, _, v) = f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&good)).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        assert_eq!((v["email"].as_str(), v["mobile"].as_str()), (Some("li.si@example.com"), Some("13800138000")));
        let only = json!({ "channels": { "inbox": true } }).to_string();
        let (s, _, v) = f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&only)).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        assert_eq!(v["email"], "li.si@example.com", "{name}: {v}");

        // The profile form: a bad address comes back beside its field, with what was typed.
        let mut web = Web::new(&f);
        web.login("applicant").await;
        let form = web.get("/hall/profile").await;
        assert_eq!(form.status, StatusCode::OK, "{name}: {}", form.body);
        assert!(form.has("value=\"li.si@example.com\"") && form.has("name=\"consent\""), "{name}: {}", form.body);
        let csrf = form.csrf();
        let refused =
            web.post("/hall/profile", &[("csrf", &csrf), ("email", "wrong@@example"), ("mobile", "13800138000")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", refused.body);
        assert!(refused.has("id=\"err-email\""), "{name}: {}", refused.body);
        assert!(refused.has("aria-describedby=\"err-email\""), "{name}");
        assert!(refused.has("value=\"wrong@@example\""), "{name}: what was typed is kept");
        assert!(refused.has(zh("err.field.email")), "{name}: {}", refused.body);
        let saved = web.post("/hall/profile", &[("csrf", &csrf), ("email", "wang@example.com"), ("mobile", "")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{name}: {}", saved.body);
        assert_eq!(saved.location, "/hall/profile?done=saved");
        let (_, _, v) = f.call(&applicant, "GET", "/api/v1/me/preferences", None).await;
        assert_eq!((v["email"].as_str(), v["mobile"].as_str()), (Some("wang@example.com"), None), "{name}: {v}");

        // Staff keep theirs under their account; the hall's path leads there.
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let moved = clerk.get("/hall/profile").await;
        assert_eq!((moved.status, moved.location.as_str()), (StatusCode::SEE_OTHER, "/account/profile"), "{name}");
        let own = clerk.get("/account/profile").await;
        assert_eq!(own.status, StatusCode::OK, "{name}: {}", own.body);
        assert!(own.has(zh("notices.profile_lead_staff")), "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn sign_up_takes_an_e_mail_address_and_a_bad_one_comes_back_beside_its_field() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let mut anon = Web::new(&f);
        let form = anon.get("/signup").await;
        assert!(form.has("name=\"email\" type=\"email\""), "{name}: {}", form.body);
        let csrf = form.csrf();
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("login", "wang.fang"),
            ("password", "long enough password"),
            ("name", "王芳"),
            ("kind", "individual"),
            ("id_number", "620102199001011233"),
            ("phone", "13800000000"),
            ("email", "wang.fang@"),
        ];
        let refused = anon.post("/signup", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", refused.body);
        assert!(refused.has("id=\"err-email\""), "{name}: {}", refused.body);
        assert!(refused.has("value=\"wang.fang@\"") && refused.has("value=\"王芳\""), "{name}: what was typed is kept");
        fields[7] = ("email", "Wang.Fang@Example.COM");
        let done = anon.post("/signup", &fields).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{name}: {}", done.body);
        let page = anon.get("/hall/profile").await;
        assert!(page.has("value=\"Wang.Fang@example.com\""), "{name}: {}", page.body);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_administrator_sees_delivery_per_channel_and_manages_failed_notices() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        corrected_case(&f).await;
        let admin = f.login("admin").await;
        let (s, _, stats) = f.call(&admin, "GET", "/api/v1/notices/stats", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {stats}");
        let rows = stats["channels"].as_array().unwrap_or_else(|| panic!("{name}: {stats}"));
        let inbox = rows.iter().find(|r| r["channel"] == "inbox").unwrap_or_else(|| panic!("{name}: {stats}"));
        assert!(inbox["delivered"].as_u64().unwrap_or(0) >= 1, "{name}: {inbox}");
        for field in ["queued", "sent", "delivered", "failed", "cancelled", "failing"] {
            assert!(!inbox[field].is_null(), "{name}: {field} in {inbox}");
        }
        let (s, _, failed) = f.call(&admin, "GET", "/api/v1/notices?state=failed", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {failed}");
        assert!(failed["items"].is_array(), "{name}: {failed}");
        let got = f.call(&admin, "GET", "/api/v1/notices?state=sent", None).await;
        common::assert_problem(&got, 422, "invalid-field");
        let got = f.call(&admin, "POST", "/api/v1/notices/999999/retry", None).await;
        common::assert_problem(&got, 404, "not-found");
        let got = f.call(&admin, "POST", "/api/v1/notices/none/cancel", None).await;
        common::assert_problem(&got, 404, "not-found");
        let clerk = f.login("clerk").await;
        let got = f.call(&clerk, "GET", "/api/v1/notices/stats", None).await;
        common::assert_problem(&got, 403, "forbidden");

        let mut web = Web::new(&f);
        web.login("admin").await;
        let page = web.get("/admin/notices").await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        assert!(page.has("<svg") && page.has(zh("notices.stats_title")), "{name}");
        assert!(page.has(zh("notices.failed_title")), "{name}");
        let english = web.get("/admin/notices?lang=en").await;
        assert!(english.has(Lang::En.t("notices.admin_title")), "{name}");
        let mut supervisor = Web::new(&f);
        supervisor.login("supervisor").await;
        let read = supervisor.get("/admin/notices").await;
        assert_eq!(read.status, StatusCode::OK, "{name}: {}", read.body);
        assert!(!read.has("/retry\""), "{name}: a supervisor reads the figures only");
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        assert_eq!(clerk.get("/admin/notices").await.status, StatusCode::FORBIDDEN, "{name}");
        let csrf = clerk.get("/").await.csrf();
        let refused = clerk.post("/admin/notices/1/retry", &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{name}");
        f.t.cleanup().await;
    }
}

#[test]
fn every_channel_state_and_event_has_its_words_in_both_languages() {
    use tongban_core::notice::{Channel, NoticeEvent, NoticeState};
    for lang in Lang::ALL {
        for e in NoticeEvent::ALL {
            let key = format!("notices.event.{}", e.as_str());
            assert!(lang.get(&key).is_some(), "{key} in {}", lang.code());
        }
        for c in Channel::ALL {
            for key in [format!("notices.channel.{c}"), format!("notices.channel_about.{c}")] {
                assert!(lang.get(&key).is_some(), "{key} in {}", lang.code());
            }
        }
        for s in ["queued", "sending", "sent", "delivered", "failed", "cancelled"] {
            assert!(NoticeState::parse(s).is_some(), "{s}");
            for key in [format!("notices.state.{s}"), format!("notices.plain.{s}")] {
                assert!(lang.get(&key).is_some(), "{key} in {}", lang.code());
            }
        }
        for d in ["read", "saved", "retried", "cancelled"] {
            assert!(lang.get(&format!("notices.done.{d}")).is_some(), "notices.done.{d} in {}", lang.code());
        }
    }
}

/// The notice e-mails `sink` received about `number`.
fn mails_about(sink: &tongban_fakes::smtp::SmtpSink, number: &str) -> usize {
    sink.messages()
        .iter()
        .filter(|m| m.text().contains(number) || m.subject().is_some_and(|s| s.contains(number)))
        .count()
}

#[tokio::test]
async fn an_e_mail_that_failed_is_retried_and_cancelled_by_the_administrator_through_a_real_smtp_server() {
    use tongban_server::app::notify::smtp::{Smtp, SmtpConfig};
    use tongban_server::app::notify::{Gateways, worker};
    for t in each_backend().await {
        let name = t.name;
        let mut f = Fixture::new(t).await;
        let sink = tongban_fakes::smtp::start(tongban_fakes::smtp::Mode::Plain).await.expect("an SMTP sink");
        let smtp = Smtp::new(SmtpConfig::new(sink.url(), "noreply@example.gov.cn")).expect("an SMTP client");
        f.state.gateways = std::sync::Arc::new(Gateways { smtp: Some(smtp), ..Gateways::default() });
        f.app = tongban_server::router(f.state.clone());
        let applicant = f.login("applicant").await;
        let consent = json!({ "email": "applicant@example.com", "channels": { "email": true } }).to_string();
        let (s, _, prefs) = f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&consent)).await;
        assert_eq!(s, StatusCode::OK, "{name}: {prefs}");
        assert_eq!(
            (prefs["channels"]["email"].as_bool(), prefs["available"]["email"].as_bool()),
            (Some(true), Some(true))
        );

        // The mail server refuses for good: the e-mails fail with its answer as the reason.
        sink.reply_with(Some((550, "5.1.1 mailbox unavailable")));
        let number = corrected_case(&f).await;
        worker::run_once(&f.state, f.state.now()).await.expect("a pass");
        let admin = f.login("admin").await;
        let (s, _, failed) = f.call(&admin, "GET", "/api/v1/notices?state=failed", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {failed}");
        let ours: Vec<&Value> =
            items(&failed).iter().filter(|n| n["case_number"] == number.as_str() && n["channel"] == "email").collect();
        assert!(ours.len() >= 2, "{name}: the receipt and the correction failed: {failed}");
        assert!(ours.iter().all(|n| n["state"] == "failed" && n["reason"].as_str().is_some_and(|r| r.contains("550"))));
        let clerk = f.login("clerk").await;
        let (_, _, case) = f.call(&clerk, "GET", &format!("/api/v1/cases/{number}"), None).await;
        let correction = case["notices"]
            .as_array()
            .and_then(|a| a.iter().find(|n| n["event"] == "correction_requested" && n["channel"] == "email"))
            .unwrap_or_else(|| panic!("{name}: the correction's e-mail in {case}"))
            .clone();
        assert_eq!(correction["state"], "failed", "{name}: {correction}");
        let receipt = ours.iter().find(|n| n["id"] != correction["id"]).expect("another").to_string();
        let receipt: Value = serde_json::from_str(&receipt).expect("json");

        // The delivery page lists them with their buttons; the administrator sends the
        // correction again once the server accepts, and it arrives with the case number.
        let mut web = Web::new(&f);
        web.login("admin").await;
        let page = web.get("/admin/notices").await;
        let retry = format!("/admin/notices/{}/retry", correction["id"]);
        assert!(page.has(&format!("action=\"{retry}\"")), "{name}: {}", page.body);
        sink.reply_with(None);
        let done = web.post(&retry, &[("csrf", &page.csrf())]).await;
        assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/admin/notices?done=retried"));
        assert_eq!(mails_about(&sink, &number), 0, "{name}: nothing is sent before the worker's pass");
        worker::run_once(&f.state, f.state.now()).await.expect("a pass");
        assert_eq!(mails_about(&sink, &number), 1, "{name}: {:?}", sink.messages());
        let (_, _, case) = f.call(&clerk, "GET", &format!("/api/v1/cases/{number}"), None).await;
        let again = case["notices"]
            .as_array()
            .and_then(|a| a.iter().find(|n| n["id"] == correction["id"]))
            .unwrap_or_else(|| panic!("{name}: {case}"))
            .clone();
        assert_eq!(again["state"], "sent", "{name}: {again}");
        assert!(again["sent_at"].is_string(), "{name}: {again}");
        let clerk_page = {
            let mut w = Web::new(&f);
            w.login("clerk").await;
            w.get(&format!("/cases/{number}")).await
        };
        assert!(clerk_page.has("data-channel=\"email\" data-state=\"sent\""), "{name}: {}", clerk_page.body);

        // The other one is cancelled by the API, and a sent one can be neither retried nor cancelled.
        let (s, _, v) = f.call(&admin, "POST", &format!("/api/v1/notices/{}/cancel", receipt["id"]), None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        assert_eq!(v["state"], "cancelled", "{name}: {v}");
        let got = f.call(&admin, "POST", &format!("/api/v1/notices/{}/retry", correction["id"]), None).await;
        common::assert_problem(&got, 409, "conflict");
        let got = f.call(&admin, "POST", &format!("/api/v1/notices/{}/cancel", correction["id"]), None).await;
        common::assert_problem(&got, 409, "conflict");
        worker::run_once(&f.state, f.state.now()).await.expect("a pass");
        assert_eq!(mails_about(&sink, &number), 1, "{name}: a cancelled notice is not sent");
        let (_, _, stats) = f.call(&admin, "GET", "/api/v1/notices/stats", None).await;
        let email = stats["channels"].as_array().and_then(|a| a.iter().find(|r| r["channel"] == "email")).cloned();
        let email = email.unwrap_or_else(|| panic!("{name}: {stats}"));
        assert!(email["sent"].as_u64() >= Some(1) && email["cancelled"].as_u64() >= Some(1), "{name}: {email}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_channel_that_keeps_failing_shows_a_banner_and_alerts_the_administrator() {
    use tongban_server::app::notify::smtp::{Smtp, SmtpConfig};
    use tongban_server::app::notify::{Gateways, worker};
    for t in each_backend().await {
        let name = t.name;
        let mut f = Fixture::new(t).await;
        let sink = tongban_fakes::smtp::start(tongban_fakes::smtp::Mode::Plain).await.expect("an SMTP sink");
        let smtp = Smtp::new(SmtpConfig::new(sink.url(), "noreply@example.gov.cn")).expect("an SMTP client");
        f.state.gateways = std::sync::Arc::new(Gateways { smtp: Some(smtp), ..Gateways::default() });
        f.app = tongban_server::router(f.state.clone());
        let applicant = f.login("applicant").await;
        let consent = json!({ "email": "applicant@example.com", "channels": { "email": true } }).to_string();
        assert_eq!(f.call(&applicant, "PUT", "/api/v1/me/preferences", Some(&consent)).await.0, StatusCode::OK);
        // The server is unwell (a transient 451, not a refusal of one address): twenty such
        // failures in a row (a receipt and a correction per case) make an episode.
        sink.reply_with(Some((451, "4.3.0 try again later")));
        for _ in 0..10 {
            corrected_case(&f).await;
        }
        let admin = f.login("admin").await;
        let (_, _, before) = f.call(&admin, "GET", "/api/v1/me/notifications", None).await;
        worker::run_once(&f.state, f.state.now()).await.expect("a pass");
        let (_, _, stats) = f.call(&admin, "GET", "/api/v1/notices/stats", None).await;
        let email = stats["channels"].as_array().and_then(|a| a.iter().find(|r| r["channel"] == "email")).cloned();
        let email = email.unwrap_or_else(|| panic!("{name}: {stats}"));
        assert_eq!(email["failing"], true, "{name}: {email}");
        assert!(email["queued"].as_u64() >= Some(20), "{name}: each waits for its retry: {email}");
        let (_, _, after) = f.call(&admin, "GET", "/api/v1/me/notifications", None).await;
        assert!(after["unread"].as_u64() > before["unread"].as_u64(), "{name}: the administrator is told: {after}");
        let mut web = Web::new(&f);
        web.login("admin").await;
        let page = web.get("/admin/notices").await;
        let banner = Lang::Zh.tf("notices.failing_banner", &[("channel", zh("notices.channel.email"))]);
        assert!(page.has(&banner), "{name}: {}", page.body);
        // The administrator reads the alert in their own inbox, under their account.
        let moved = web.get("/hall/inbox").await;
        assert_eq!((moved.status, moved.location.as_str()), (StatusCode::SEE_OTHER, "/account/inbox"), "{name}");
        let inbox = web.get("/account/inbox").await;
        assert_eq!(inbox.status, StatusCode::OK, "{name}: {}", inbox.body);
        assert!(inbox.has("action=\"/account/inbox/"), "{name}: an unread alert: {}", inbox.body);
        f.t.cleanup().await;
    }
}
