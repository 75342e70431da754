//! Notice templates and WeChat consent over HTTP, on SQLite and PostgreSQL: every event ×
//! channel listed with its version, a new version saved and used by the next notice, a
//! template that cannot fit its channel refused naming the field (API and page, the typed
//! text kept), and the consent a WeChat mini program reports.

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

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap_or_else(|| panic!("items in {v}"))
}

/// The fields a 422 names.
fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map_or_else(Vec::new, |e| e.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
}

#[tokio::test]
async fn templates_are_listed_saved_as_a_new_version_and_used_by_the_next_notice() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let (s, _, list) = f.call(&admin, "GET", "/api/v1/notice-templates", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {list}");
        assert_eq!(items(&list).len(), 11 * 5, "{name}: every event × channel");
        let wechat = items(&list)
            .iter()
            .find(|t| t["event"] == "correction_requested" && t["channel"] == "wechat")
            .unwrap_or_else(|| panic!("{name}: {list}"));
        assert_eq!(wechat["version"], 1, "{name}: {wechat}");
        assert!(wechat["provider_template"].is_string(), "{name}: {wechat}");
        assert!(
            wechat["params"].as_array().is_some_and(|p| p.iter().any(|p| p["kind"] == "thing" && p["max_chars"] == 20))
        );

        // A new version of the correction request's inbox template…
        let path = "/api/v1/notice-templates/correction_requested/inbox";
        let body =
            json!({ "subject": "补正告知（新版）：{case_number}", "body": "请补交：{missing}。{url}" }).to_string();
        let (s, _, saved) = f.call(&admin, "PUT", path, Some(&body)).await;
        assert_eq!(s, StatusCode::OK, "{name}: {saved}");
        assert_eq!((saved["version"].as_u64(), saved["channel"].as_str()), (Some(2), Some("inbox")), "{name}: {saved}");
        let (s, _, one) = f.call(&admin, "GET", path, None).await;
        assert_eq!((s, one["version"].as_u64()), (StatusCode::OK, Some(2)), "{name}: {one}");
        assert_eq!(one["subject"], "补正告知（新版）：{case_number}", "{name}: {one}");
        let (_, _, list) = f.call(&admin, "GET", "/api/v1/notice-templates", None).await;
        assert!(
            items(&list)
                .iter()
                .any(|t| t["event"] == "correction_requested" && t["channel"] == "inbox" && t["version"] == 2),
            "{name}: {list}"
        );
        // … is what the next correction request's inbox message says.
        let (applicant, clerk) = (f.login("applicant").await, f.login("clerk").await);
        let number = f.submit(&applicant).await;
        let correction = json!({"action": "request_correction", "missing": ["营业执照"]});
        let (s, v) = f.act(&clerk, &number, correction).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        let (_, _, inbox) = f.call(&applicant, "GET", "/api/v1/me/notifications", None).await;
        assert!(
            items(&inbox).iter().any(|m| m["subject"] == format!("补正告知（新版）：{number}").as_str()),
            "{name}: {inbox}"
        );

        // Refusals name their field.
        let cases = [
            ("accepted/email", json!({ "subject": "字".repeat(201), "body": "b" }), "subject"),
            ("accepted/push", json!({ "subject": "s", "body": "字".repeat(201) }), "body"),
            ("accepted/email", json!({ "subject": "s", "body": "{nobody_knows}" }), "body"),
            ("accepted/email", json!({ "subject": "s {case_number", "body": "b" }), "subject"),
            ("accepted/sms", json!({ "subject": "s", "body": "b" }), "provider_template"),
            (
                "accepted/wechat",
                json!({ "subject": "s", "body": "b", "provider_template": "tpl-1",
                        "params": [{ "name": "thing1", "field": "item", "kind": "sms" }] }),
                "params.0.kind",
            ),
            (
                "accepted/sms",
                json!({ "subject": "s", "body": "b", "provider_template": "SMS_1",
                        "params": [{ "name": "n", "field": "item", "kind": "sms" }, { "name": "m", "field": "bogus", "kind": "sms" }] }),
                "params.1.field",
            ),
            (
                "accepted/sms",
                json!({ "subject": "s", "body": "b", "provider_template": "SMS_1",
                        "params": [{ "name": "n", "field": "item", "kind": "pigeon" }] }),
                "params.0.kind",
            ),
        ];
        for (key, body, field) in cases {
            let got = f.call(&admin, "PUT", &format!("/api/v1/notice-templates/{key}"), Some(&body.to_string())).await;
            common::assert_problem(&got, 422, "invalid-field");
            assert_eq!(fields(&got.2), vec![field.to_owned()], "{name} {key}: {}", got.2);
        }
        // An unknown event or channel is 404 to an administrator, 403 to anyone else.
        let good = json!({ "subject": "s", "body": "b" }).to_string();
        let got = f.call(&admin, "PUT", "/api/v1/notice-templates/nothing/email", Some(&good)).await;
        common::assert_problem(&got, 404, "not-found");
        let got = f.call(&admin, "PUT", "/api/v1/notice-templates/accepted/pigeon", Some(&good)).await;
        common::assert_problem(&got, 404, "not-found");
        let got = f.call(&clerk, "PUT", "/api/v1/notice-templates/nothing/email", Some(&good)).await;
        common::assert_problem(&got, 403, "forbidden");
        let got = f.call(&admin, "GET", "/api/v1/notice-templates/accepted/pigeon", None).await;
        common::assert_problem(&got, 404, "not-found");
        let got = f.call(&clerk, "GET", "/api/v1/notice-templates/accepted/email", None).await;
        common::assert_problem(&got, 403, "forbidden");
        let got = f.call(&clerk, "GET", "/api/v1/notice-templates", None).await;
        common::assert_problem(&got, 403, "forbidden");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_page_lists_the_templates_and_keeps_what_was_typed_beside_each_reason() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let mut web = Web::new(&f);
        web.login("admin").await;
        let other = web.get("/admin/document-templates").await;
        assert!(other.has("href=\"/admin/notice-templates\""), "{name}: linked from the admin section");
        let list = web.get("/admin/notice-templates").await;
        assert_eq!(list.status, StatusCode::OK, "{name}: {}", list.body);
        assert!(list.has(Lang::Zh.t("ntpl.title")), "{name}");
        assert!(list.has("href=\"/admin/notice-templates/correction_requested/wechat\""), "{name}: {}", list.body);
        assert_eq!(list.body.matches("href=\"/admin/notice-templates/").count(), 55, "{name}");

        let edit = "/admin/notice-templates/correction_requested/wechat";
        let form = web.get(edit).await;
        assert_eq!(form.status, StatusCode::OK, "{name}: {}", form.body);
        assert!(form.has("name=\"provider_template\"") && form.has("name=\"params.0.name\""), "{name}");
        let csrf = form.csrf();
        // Fixed text over the limit, and a WeChat parameter of an SMS kind.
        let long = "字".repeat(201);
        let refused = web
            .post(
                edit,
                &[
                    ("csrf", &csrf),
                    ("subject", &long),
                    ("body", "请补交 {missing}"),
                    ("provider_template", "tongban-correction"),
                    ("params.0.name", "thing1"),
                    ("params.0.field", "missing"),
                    ("params.0.kind", "thing"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", refused.body);
        assert!(refused.has("id=\"err-subject\"") && refused.has("aria-describedby=\"err-subject\""), "{name}");
        assert!(refused.has(&format!("value=\"{long}\"")), "{name}: what was typed is kept");
        assert!(refused.has("请补交 {missing}</textarea>"), "{name}: {}", refused.body);
        let why = Lang::Zh.tf(
            "ntpl_err.too_long",
            &[
                ("what", zh("ntpl.subject")),
                ("chars", "201"),
                ("channel", zh("notices.channel.wechat")),
                ("max", "200"),
            ],
        );
        assert!(refused.has(&why), "{name}: the reason in the page's language: {}", refused.body);
        let refused = web
            .post(
                edit,
                &[
                    ("csrf", &csrf),
                    ("subject", "补正告知"),
                    ("body", "请补交"),
                    ("provider_template", "tongban-correction"),
                    ("params.2.name", "thing1"),
                    ("params.2.field", "missing"),
                    ("params.2.kind", "sms"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", refused.body);
        assert!(refused.has("id=\"err-params-2-kind\""), "{name}: the row as shown: {}", refused.body);
        let why = Lang::Zh.tf("ntpl_err.wrong_kind", &[("name", "thing1"), ("channel", zh("notices.channel.wechat"))]);
        assert!(refused.has(&why), "{name}: {}", refused.body);
        assert!(refused.has("value=\"thing1\""), "{name}");

        let saved = web
            .post(
                edit,
                &[
                    ("csrf", &csrf),
                    ("subject", "补正告知：{case_number}"),
                    ("body", "请补交 {missing}"),
                    ("provider_template", "tongban-correction-2"),
                    ("params.0.name", "character_string1"),
                    ("params.0.field", "case_number"),
                    ("params.0.kind", "character_string"),
                    ("params.1.name", "thing2"),
                    ("params.1.field", "missing"),
                    ("params.1.kind", "thing"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{name}: {}", saved.body);
        assert_eq!(saved.location, format!("{edit}?done=saved"), "{name}");
        let after = web.get(&saved.location).await;
        assert!(after.has(&Lang::Zh.t("ntpl.saved").replace("{n}", "2")), "{name}: {}", after.body);
        assert!(after.has("value=\"tongban-correction-2\""), "{name}");
        let admin = f.login("admin").await;
        let (_, _, list) = f.call(&admin, "GET", "/api/v1/notice-templates", None).await;
        let t = items(&list)
            .iter()
            .find(|t| t["event"] == "correction_requested" && t["channel"] == "wechat")
            .unwrap_or_else(|| panic!("{name}: {list}"));
        assert_eq!((t["version"].as_u64(), t["params"].as_array().map(Vec::len)), (Some(2), Some(2)), "{name}: {t}");

        let english = web.get("/admin/notice-templates?lang=en").await;
        assert!(english.has(Lang::En.t("ntpl.title")), "{name}");
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        assert_eq!(clerk.get("/admin/notice-templates").await.status, StatusCode::FORBIDDEN, "{name}");
        let csrf = clerk.get("/").await.csrf();
        let denied = clerk.post(edit, &[("csrf", &csrf), ("subject", "s"), ("body", "b")]).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{name}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_wechat_consent_gives_the_channel_and_a_bad_openid_is_named() {
    for t in each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let consent =
            json!({ "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "template_id": "tongban-accepted", "long_term": true });
        let (s, _, prefs) = f.call(&applicant, "POST", "/api/v1/me/wechat-consents", Some(&consent.to_string())).await;
        assert_eq!(s, StatusCode::OK, "{name}: {prefs}");
        assert_eq!(prefs["channels"]["wechat"], true, "{name}: {prefs}");
        assert!(prefs["changed_at"]["wechat"].is_string(), "{name}: {prefs}");
        // One message only, the default, is taken too.
        let once = json!({ "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "template_id": "tongban-correction_requested" });
        let (s, _, v) = f.call(&applicant, "POST", "/api/v1/me/wechat-consents", Some(&once.to_string())).await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");

        let bad = json!({ "openid": "not an openid!", "template_id": "tongban-accepted", "long_term": false });
        let got = f.call(&applicant, "POST", "/api/v1/me/wechat-consents", Some(&bad.to_string())).await;
        common::assert_problem(&got, 422, "invalid-field");
        assert_eq!(fields(&got.2), vec!["openid".to_owned()], "{name}: {}", got.2);
        let bad = json!({ "openid": "oABC", "template_id": "", "long_term": false });
        let got = f.call(&applicant, "POST", "/api/v1/me/wechat-consents", Some(&bad.to_string())).await;
        assert_eq!(fields(&got.2), vec!["template_id".to_owned()], "{name}: {}", got.2);
        let extra = json!({ "openid": "oABC", "template_id": "t", "scope": "all" });
        let got = f.call(&applicant, "POST", "/api/v1/me/wechat-consents", Some(&extra.to_string())).await;
        assert!(got.0.is_client_error(), "{name}: {:?}", got.2);
        assert_eq!(got.1, "application/problem+json", "{name}");
        let got =
            f.call(&common::Caller::default(), "POST", "/api/v1/me/wechat-consents", Some(&consent.to_string())).await;
        assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{name}: {:?}", got.2);
        f.t.cleanup().await;
    }
}
