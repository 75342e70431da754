//! HTTP tests, in process (tower `oneshot`), on SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::{Caller, Fixture, assert_problem, good_case};
use serde_json::json;
use tongban_store::testing::each_backend;

#[tokio::test]
async fn health_readiness_and_the_catalog_are_public() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        assert_eq!(f.call(&anon, "GET", "/healthz", None).await.0, StatusCode::OK);
        assert_eq!(f.call(&anon, "GET", "/readyz", None).await.0, StatusCode::OK);
        let (s, _, page) = f.call(&anon, "GET", "/api/v1/items?per_page=1", None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (page["total"].as_u64(), page["items"].as_array().map(Vec::len)),
            (Some(2), Some(1)),
            "{}",
            f.t.name
        );
        let (_, _, same_day) =
            f.call(&anon, "GET", "/api/v1/items?category=%E5%BD%93%E6%97%A5%E5%8A%9E%E7%BB%93", None).await;
        assert_eq!(same_day["items"][0]["category"], "same_day");
        let (_, _, item) = f.call(&anon, "GET", "/api/v1/items/620100-FGW-001", None).await;
        assert_eq!(item["promised_limit"], "5d");
        assert_eq!(item["materials"][1]["name"], "营业执照");
        let (_, _, lists) = f.call(&anon, "GET", "/api/v1/lists", None).await;
        assert_eq!(lists.as_array().map(Vec::len), Some(4));
        assert_eq!((lists[1]["name"].as_str(), lists[1]["count"].as_u64()), (Some("当日办结"), Some(1)));
        assert_problem(&f.call(&anon, "GET", "/api/v1/items/620100-NOPE-001", None).await, 404, "not-found");
        assert_problem(&f.call(&anon, "GET", "/api/v1/items?category=fast", None).await, 422, "invalid-field");
        assert_problem(&f.call(&anon, "GET", "/api/v1/items?division=62", None).await, 422, "invalid-field");
        assert_problem(&f.call(&anon, "GET", "/api/v1/items?page=-1", None).await, 400, "invalid-parameter");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_submissions_are_refused_and_write_nothing() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let mut missing = good_case();
        missing["materials"] = json!(["项目备案申请表"]);
        let mut unknown_item = good_case();
        unknown_item["item"] = json!("620100-NOPE-001");
        let mut wrong_channel = good_case();
        wrong_channel["channel"] = json!("kiosk");
        let mut bad_fields = good_case();
        bad_fields["channel"] = json!("pigeon");
        bad_fields["applicant"]["kind"] = json!("alien");
        let mut someone_else = good_case();
        someone_else["applicant"]["id_number"] = json!("620102199001011233");
        for (body, status, kind) in [
            ("{not json".to_owned(), 400, "invalid-body"),
            (json!({"item": 5}).to_string(), 400, "invalid-body"),
            (missing.to_string(), 422, "missing-materials"),
            (unknown_item.to_string(), 404, "not-found"),
            (wrong_channel.to_string(), 422, "channel-not-offered"),
            (bad_fields.to_string(), 422, "invalid-field"),
            (someone_else.to_string(), 403, "forbidden"),
        ] {
            assert_problem(&f.call(&applicant, "POST", "/api/v1/cases", Some(&body)).await, status, kind);
        }
        let (_, _, fields) = f.call(&applicant, "POST", "/api/v1/cases", Some(&bad_fields.to_string())).await;
        assert_eq!(fields["errors"].as_array().map(Vec::len), Some(2), "every bad field is named: {fields:?}");
        assert_problem(
            &f.call(&Caller::default(), "POST", "/api/v1/cases", Some(&good_case().to_string())).await,
            401,
            "unauthorized",
        );
        assert_eq!(f.t.store.counts().await.expect("counts"), (0, 0), "{}: nothing was written", f.t.name);
        assert_eq!(f.submit(&applicant).await, "620100-2026-000001", "no number was used up");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_openapi_document_covers_every_route() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (s, _, doc) = f.call(&Caller::default(), "GET", "/api/v1/openapi.json", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
        for (path, method) in [
            ("/api/v1/items", "get"),
            ("/api/v1/items/{code}", "get"),
            ("/api/v1/cases", "post"),
            ("/api/v1/cases", "get"),
            ("/api/v1/cases/{number}", "get"),
            ("/api/v1/cases/{number}/actions", "post"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
        }
        assert!(doc["components"]["schemas"]["Problem"].is_object());
        assert!(doc["info"]["description"].as_str().is_some_and(|d| d.contains("/problems/illegal-transition")));
        f.t.cleanup().await;
    }
}

/// The served OpenAPI document is the committed one: a change to any route, body or
/// answer shows in review as a change to `tests/data/openapi.json`. Run with
/// `UPDATE_OPENAPI=1` to write the new document after checking the change is meant.
#[tokio::test]
async fn the_openapi_document_is_the_committed_snapshot() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (s, _, doc) = f.call(&Caller::default(), "GET", "/api/v1/openapi.json", None).await;
        assert_eq!(s, StatusCode::OK);
        let served = serde_json::to_string_pretty(&doc).expect("json") + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi.json");
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &served).expect("write the snapshot");
        }
        let committed = std::fs::read_to_string(&path).expect("tests/data/openapi.json is committed");
        assert!(
            served == committed,
            "the OpenAPI document changed; review it and run with UPDATE_OPENAPI=1 to accept (first difference at byte {})",
            served.bytes().zip(committed.bytes()).take_while(|(a, b)| a == b).count()
        );
        // Every case command of core is an action of the API.
        let actions: std::collections::BTreeSet<String> = doc["components"]["schemas"]["CaseAction"]["oneOf"]
            .as_array()
            .expect("CaseAction is a oneOf")
            .iter()
            .filter_map(|v| v["properties"]["action"]["enum"][0].as_str().map(str::to_owned))
            .collect();
        let kinds: std::collections::BTreeSet<String> =
            tongban_core::case::CaseCommandKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
        assert_eq!(actions, kinds, "the API offers every case command");
        f.t.cleanup().await;
    }
}

/// A second catalog version of the minimal center: 620100-FGW-001 promised in 3 working days
/// with one required material fewer, 620100-FGW-002 cut, 620100-FGW-003 new (4 days, one
/// required material).
async fn publish_reformed_catalog(f: &Fixture) {
    use tongban_core::item::{ItemCode, TimeLimit};
    let mut items = f.t.store.items_in_version(1).await.expect("version 1");
    items.retain(|i| i.code.as_str() == "620100-FGW-001");
    items[0].promised_limit = Some(TimeLimit::parse("promised_limit", "3d").expect("valid"));
    items[0].materials.remove(1);
    let mut new = items[0].clone();
    new.code = ItemCode::parse("620100-FGW-003").expect("valid");
    new.name = "企业投资项目备案（一件事）".into();
    new.promised_limit = Some(TimeLimit::parse("promised_limit", "4d").expect("valid"));
    items.push(new);
    f.t.store
        .write(move |conn| {
            Box::pin(async move {
                tongban_store::insert_catalog_version(conn, "改革版", &items, common::at("2026-06-01T00:00:00Z")).await
            })
        })
        .await
        .expect("version 2");
}

#[tokio::test]
async fn the_reform_report_compares_two_catalog_versions_for_anyone() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        publish_reformed_catalog(&f).await;
        let anon = Caller::default();
        let (s, _, r) = f.call(&anon, "GET", "/api/v1/catalog/reform?from=1&to=2", None).await;
        assert_eq!(s, StatusCode::OK, "{}: {r}", f.t.name);
        assert_eq!((r["from"]["version"].as_u64(), r["to"]["label"].as_str()), (Some(1), Some("改革版")));
        assert_eq!(r["items"], json!({"before": 2, "after": 2, "change_percent": 0.0}));
        // Required materials: 2 + 2 → 1 + 1; promised days over day limits: 5 → (3 + 4) / 2.
        assert_eq!(r["materials"], json!({"before": 4, "after": 2, "change_percent": -50.0}));
        assert_eq!(r["average_promised_working_days"], json!({"before": 5.0, "after": 3.5, "change_percent": -30.0}));
        assert_eq!(r["steps"], json!({"before": 0, "after": 0, "change_percent": null}));
        assert_eq!(r["departments"][0]["department"], "fgw");
        assert_eq!(r["departments"][0]["name"], "兰州市发展和改革委员会");
        assert_eq!(r["departments"][0]["materials"], r["materials"]);
        let codes = |key: &str| r[key].as_array().expect(key).iter().map(|i| i["code"].clone()).collect::<Vec<_>>();
        assert_eq!(codes("cut"), [json!("620100-FGW-002")]);
        assert_eq!(codes("added"), [json!("620100-FGW-003")]);
        assert_eq!(codes("changed"), [json!("620100-FGW-001")]);
        assert_problem(&f.call(&anon, "GET", "/api/v1/catalog/reform?from=1&to=3", None).await, 404, "not-found");
        assert_problem(
            &f.call(&anon, "GET", "/api/v1/catalog/reform?from=x&to=2", None).await,
            400,
            "invalid-parameter",
        );
        assert_problem(&f.call(&anon, "GET", "/api/v1/catalog/reform?from=1", None).await, 400, "invalid-parameter");
        f.t.cleanup().await;
    }
}
