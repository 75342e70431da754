//! HTTP tests, in process (tower `oneshot`), on SQLite and PostgreSQL.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tongban_core::calendar::WorkingCalendar;
use tongban_server::{AppState, router};
use tongban_store::testing::{TestStore, each_backend, seed_minimal};
use tower::ServiceExt;

async fn app(t: &TestStore) -> axum::Router {
    seed_minimal(&t.store).await;
    let mut state = AppState::new(t.store.clone(), WorkingCalendar::builtin());
    state.clock = Arc::new(|| "2026-03-02T02:00:00Z".parse().expect("valid"));
    router(state)
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<&str>,
) -> (StatusCode, String, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req
        .body(body.map_or(Body::empty(), |b| Body::from(b.to_owned())))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let ctype = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, ctype, json)
}

fn good_case() -> Value {
    json!({
        "item": "620100-FGW-001",
        "applicant": {"kind": "enterprise", "name": "兰州某某有限公司", "id_number": "91620100MA7XXXXX1A"},
        "channel": "online",
        "materials": ["项目备案申请表", "营业执照"]
    })
}

fn assert_problem(got: &(StatusCode, String, Value), status: u16, kind: &str) {
    assert_eq!(got.0.as_u16(), status, "{:?}", got.2);
    assert_eq!(got.1, "application/problem+json");
    assert_eq!(got.2["type"], format!("/problems/{kind}"), "{:?}", got.2);
    assert_eq!(got.2["status"], status);
    assert!(got.2["title"].is_string() && got.2["detail"].is_string());
}

#[tokio::test]
async fn health_and_readiness_answer() {
    for t in each_backend().await {
        let app = app(&t).await;
        assert_eq!(call(&app, "GET", "/healthz", None).await.0, StatusCode::OK);
        assert_eq!(call(&app, "GET", "/readyz", None).await.0, StatusCode::OK);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn items_are_listed_filtered_and_shown() {
    for t in each_backend().await {
        let app = app(&t).await;
        let (s, _, page) = call(&app, "GET", "/api/v1/items?per_page=1", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (
                page["total"].as_u64(),
                page["items"].as_array().map(Vec::len)
            ),
            (Some(2), Some(1)),
            "{}",
            t.name
        );
        let (_, _, same_day) = call(
            &app,
            "GET",
            "/api/v1/items?category=%E5%BD%93%E6%97%A5%E5%8A%9E%E7%BB%93",
            None,
        )
        .await;
        assert_eq!(same_day["items"][0]["category"], "same_day");
        let (_, _, item) = call(&app, "GET", "/api/v1/items/620100-FGW-001", None).await;
        assert_eq!(item["promised_limit"], "5d");
        assert_eq!(item["materials"][1]["name"], "营业执照");
        assert_problem(
            &call(&app, "GET", "/api/v1/items/620100-NOPE-001", None).await,
            404,
            "not-found",
        );
        assert_problem(
            &call(&app, "GET", "/api/v1/items?category=fast", None).await,
            422,
            "invalid-field",
        );
        assert_problem(
            &call(&app, "GET", "/api/v1/items?division=62", None).await,
            422,
            "invalid-field",
        );
        assert_problem(
            &call(&app, "GET", "/api/v1/items?page=-1", None).await,
            400,
            "invalid-parameter",
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_case_is_submitted_and_read_back_with_its_events() {
    for t in each_backend().await {
        let app = app(&t).await;
        let (s, _, case) = call(
            &app,
            "POST",
            "/api/v1/cases",
            Some(&good_case().to_string()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{case:?}");
        assert_eq!(case["number"], "620100-2026-000001", "{}", t.name);
        assert_eq!(case["state"], "submitted");
        assert_eq!(case["owner"], "hall.online");
        assert_eq!(
            case["applicant"]["id_number"], "916***********XX1A",
            "id numbers are masked"
        );
        let (s, _, detail) = call(&app, "GET", "/api/v1/cases/620100-2026-000001", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(detail["events"][0]["type"], "submitted");
        assert_eq!(detail["events"][0]["at"], "2026-03-02T02:00:00Z");
        assert_problem(
            &call(&app, "GET", "/api/v1/cases/620100-2026-000002", None).await,
            404,
            "not-found",
        );
        assert_problem(
            &call(&app, "GET", "/api/v1/cases/garbage", None).await,
            404,
            "not-found",
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_submissions_are_refused_and_write_nothing() {
    for t in each_backend().await {
        let app = app(&t).await;
        let mut missing = good_case();
        missing["materials"] = json!(["项目备案申请表"]);
        let mut unknown_item = good_case();
        unknown_item["item"] = json!("620100-NOPE-001");
        let mut wrong_channel = good_case();
        wrong_channel["channel"] = json!("kiosk");
        let mut bad_fields = good_case();
        bad_fields["channel"] = json!("pigeon");
        bad_fields["applicant"]["kind"] = json!("alien");
        let mut empty_name = good_case();
        empty_name["applicant"]["name"] = json!(" ");
        for (body, status, kind) in [
            ("{not json".to_owned(), 400, "invalid-body"),
            (json!({"item": 5}).to_string(), 422, "invalid-body"),
            (missing.to_string(), 422, "missing-materials"),
            (unknown_item.to_string(), 404, "not-found"),
            (wrong_channel.to_string(), 422, "channel-not-offered"),
            (bad_fields.to_string(), 422, "invalid-field"),
            (empty_name.to_string(), 422, "invalid-field"),
        ] {
            let got = call(&app, "POST", "/api/v1/cases", Some(&body)).await;
            let status = if kind == "invalid-body" {
                got.0.as_u16().clamp(400, 422)
            } else {
                status
            };
            assert_problem(&got, status, kind);
        }
        let (_, _, fields) =
            call(&app, "POST", "/api/v1/cases", Some(&bad_fields.to_string())).await;
        assert_eq!(
            fields["errors"].as_array().map(Vec::len),
            Some(2),
            "every bad field is named: {fields:?}"
        );
        assert_eq!(
            t.store.counts().await.expect("counts"),
            (0, 0),
            "{}: nothing was written",
            t.name
        );
        let (s, _, case) = call(
            &app,
            "POST",
            "/api/v1/cases",
            Some(&good_case().to_string()),
        )
        .await;
        assert_eq!(
            (s, case["number"].as_str()),
            (StatusCode::CREATED, Some("620100-2026-000001")),
            "no number was used up"
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    let t = tongban_store::testing::sqlite().await;
    let app = app(&t).await;
    let (s, _, doc) = call(&app, "GET", "/api/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    for (path, method) in [
        ("/api/v1/items", "get"),
        ("/api/v1/items/{code}", "get"),
        ("/api/v1/cases", "post"),
        ("/api/v1/cases/{number}", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    t.cleanup().await;
}
