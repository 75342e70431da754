//! The installable hall and Web Push over HTTP: the manifest, the service worker, the
//! hall's script and icons; the VAPID key; subscribing and unsubscribing a browser with the
//! session's CSRF token, on SQLite and PostgreSQL, and a notice reaching the local push
//! service decrypted.

use crate::common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::Fixture;
use common::browser::Web;
use serde_json::{Value, json};
use tongban_server::app::notify::Gateways;
use tongban_server::app::notify::push::{EndpointPolicy, WebPush};
use tongban_store::testing::each_backend;
use tower::ServiceExt;

/// The answer to a GET: status, headers, body as text.
async fn get(f: &Fixture, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = f.app.clone().oneshot(Request::get(uri).body(Body::empty()).expect("request")).await.expect("answer");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 22).await.expect("body");
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn header_of(h: &axum::http::HeaderMap, name: header::HeaderName) -> &str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The fixture's center sending push notices through `dir`'s key to local endpoints.
fn with_push(mut f: Fixture, dir: &std::path::Path) -> Fixture {
    let webpush = WebPush::open_or_init(dir, "mailto:tongban@example.gov.cn")
        .expect("VAPID key")
        .with_endpoints(EndpointPolicy::local());
    f.state.gateways = Arc::new(Gateways { push: Some(webpush), ..Gateways::default() });
    f.app = tongban_server::router(f.state.clone());
    f
}

#[tokio::test]
async fn the_hall_installs_as_an_app() {
    let t = tongban_store::testing::sqlite().await;
    let f = Fixture::new(t).await;

    let (s, h, body) = get(&f, "/manifest.webmanifest").await;
    assert_eq!(s, StatusCode::OK);
    assert!(header_of(&h, header::CONTENT_TYPE).starts_with("application/manifest+json"));
    let m: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(m["name"], "通办网上办事大厅");
    assert_eq!(m["start_url"], "/hall");
    assert_eq!(m["display"], "standalone");
    assert_eq!(m["theme_color"], "#b3261e");
    let icons = m["icons"].as_array().expect("icons");
    assert!(icons.iter().any(|i| i["sizes"] == "512x512" && i["purpose"] == "maskable"), "{m}");
    for icon in icons {
        let (s, h, _) = get(&f, icon["src"].as_str().expect("src")).await;
        assert_eq!(s, StatusCode::OK, "{icon}");
        assert_eq!(header_of(&h, header::CONTENT_TYPE), icon["type"].as_str().expect("type"));
    }
    let (_, _, body) = get(&f, "/manifest.webmanifest?lang=en").await;
    assert_eq!(serde_json::from_str::<Value>(&body).expect("JSON")["name"], "Tongban online hall");

    // The worker: fresh on every visit, allowed to fetch from this site.
    let (s, h, sw) = get(&f, "/sw.js").await;
    assert_eq!(s, StatusCode::OK);
    assert!(header_of(&h, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header_of(&h, header::CACHE_CONTROL), "no-cache");
    assert_eq!(header_of(&h, header::CONTENT_SECURITY_POLICY), "default-src 'self'");
    for needed in ["showNotification", "notificationclick", "caches.open", "\"/hall\""] {
        assert!(sw.contains(needed), "the worker has {needed}");
    }

    // The hall's script carries its texts in the page's language.
    let (s, _, js) = get(&f, "/pwa/hall.js?lang=en").await;
    assert_eq!(s, StatusCode::OK);
    assert!(js.starts_with("const T = {"), "{}", &js[..80]);
    assert!(js.contains("Enable notifications on this device"));
    let (_, _, js) = get(&f, "/pwa/hall.js").await;
    assert!(js.contains("在此设备上接收通知"));
    assert_eq!(get(&f, "/pwa/nothing.png").await.0, StatusCode::NOT_FOUND);

    // Every page links the manifest and the script, in its language.
    let mut web = Web::new(&f);
    web.login("applicant").await;
    let hall = web.get("/hall").await;
    assert_eq!(hall.status, StatusCode::OK);
    assert!(hall.has(r#"<link rel="manifest" href="/manifest.webmanifest?lang=zh-CN">"#), "{}", hall.body);
    assert!(hall.has(r#"<script src="/pwa/hall.js?lang=zh-CN" defer>"#));
    assert!(hall.has(r##"<meta name="theme-color" content="#b3261e">"##));
    f.t.cleanup().await;
}

#[tokio::test]
async fn a_browser_subscribes_with_the_session_and_receives_its_notices() {
    for t in each_backend().await {
        let name = t.name;
        let plain = Fixture::new(t).await;
        // Without push configured: no key, and nothing to subscribe to.
        let (s, ctype, v) = plain.call(&common::Caller::default(), "GET", "/api/v1/push/key", None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {v}");
        assert_eq!(ctype, "application/problem+json");
        let dir = tempfile::tempdir().expect("tempdir");
        let f = with_push(plain, dir.path());
        let service = tongban_fakes::push::start().await.expect("push service");

        let (s, _, key) = f.call(&common::Caller::default(), "GET", "/api/v1/push/key", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {key}");
        let public_key = key["public_key"].as_str().expect("key").to_owned();
        service.require_key(&public_key);

        let applicant = f.login("applicant").await;
        let subscription = service.new_subscription();
        let body = subscription.clone();
        // A session POST needs its CSRF token.
        let no_csrf = common::Caller { csrf: None, ..applicant.clone() };
        let (s, _, v) = f.call(&no_csrf, "POST", "/api/v1/me/push-subscriptions", Some(&body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{name}: {v}");
        let (s, _, device) = f
            .call_with(
                &applicant,
                "POST",
                "/api/v1/me/push-subscriptions",
                Some(&body),
                &[("user-agent", "TestPhone/1.0")],
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {device}");
        assert_eq!(device["user_agent"], "TestPhone/1.0");
        let endpoint = device["endpoint"].as_str().expect("endpoint").to_owned();

        // Keys that are not a browser's are named.
        let mut bad: Value = serde_json::from_str(&subscription).expect("JSON");
        bad["keys"]["auth"] = json!("c2hvcnQ");
        let (s, _, v) = f.call(&applicant, "POST", "/api/v1/me/push-subscriptions", Some(&bad.to_string())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert!(v.to_string().contains("keys.auth"), "{name}: {v}");

        // The applicant's consent to push is on; a submission's receipt reaches the browser.
        let (_, _, prefs) = f.call(&applicant, "GET", "/api/v1/me/preferences", None).await;
        assert_eq!(prefs["channels"]["push"], true, "{name}: {prefs}");
        let number = f.submit(&applicant).await;
        tongban_server::app::notify::worker::run_once(&f.state, f.state.now()).await.expect("worker");
        let got = service.received_by(&subscription);
        assert_eq!(got.len(), 1, "{name}: refused {:?}", service.refused());
        let message = got[0].json();
        assert!(message["body"].as_str().expect("body").contains(&number), "{name}: {message}");
        assert!(message["url"].as_str().expect("url").ends_with(&number), "{name}: {message}");

        // Another person cannot remove it; its owner can, once.
        let other = f.login("clerk").await;
        let gone = json!({ "endpoint": endpoint }).to_string();
        let (s, _, _) = f.call(&other, "DELETE", "/api/v1/me/push-subscriptions", Some(&gone)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (s, _, v) = f.call(&applicant, "DELETE", "/api/v1/me/push-subscriptions", Some(&gone)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}: {v}");
        let (s, _, _) = f.call(&applicant, "DELETE", "/api/v1/me/push-subscriptions", Some(&gone)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (_, _, prefs) = f.call(&applicant, "GET", "/api/v1/me/preferences", None).await;
        assert_eq!(prefs["channels"]["push"], false, "{name}: {prefs}");
        f.t.cleanup().await;
    }
}
