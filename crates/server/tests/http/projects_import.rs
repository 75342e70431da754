//! The project library over HTTP: `POST /api/v1/projects/import` (CSV and xlsx bodies, a
//! bad file a 422 naming each row and column, nothing stored; the same file again
//! unchanged), `GET /api/v1/projects/export` that imports back, `GET /api/v1/projects`
//! with `?screened=` and `?stage=`, and `planned_start` / `annual_investment_yuan` on
//! create and detail. SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tongban_server::app::tables::XLSX_TYPE;
use tower::ServiceExt;

/// The clock says 2 March 2026: screened are projects planned for 2027 and 2028.
const CSV: &str = "\
项目代码,项目名称,项目单位,项目类型,总投资,建设地点,计划开工,年度计划投资,小型项目类型
2025-620171-65-01-000318,兰州新区大数据产业园一期,兰州示范科技有限公司,enterprise_invested,680000000,620100,2027-03,120000000,
2026-620102-47-01-000052,城关区雁滩智慧停车场,兰州雁滩停车管理有限公司,small,12000000,620102,2028-05,,parking_lot
2026-620102-48-01-000061,城关区背街小巷提升改造,城关区城市管理局,small,3500000,620102,2026-09,,municipal_road
";

/// Posts `bytes` of `ctype` to `uri`; answers status and JSON.
async fn post_file(f: &Fixture, caller: &Caller, uri: &str, ctype: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let mut req = Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, ctype);
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(c) = &caller.csrf {
        req = req.header("x-csrf-token", c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(bytes)).expect("request")).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// A GET answered with status, content type and raw body.
async fn get_raw(f: &Fixture, caller: &Caller, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().uri(uri);
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    let status = res.status();
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, ctype, bytes.to_vec())
}

fn codes(list: &Value) -> Vec<&str> {
    list.as_array().expect("a list").iter().filter_map(|p| p["code"].as_str()).collect()
}

#[tokio::test]
async fn a_csv_import_lists_screened_projects_and_a_second_one_changes_nothing() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        let (s, report) =
            post_file(&f, &leader, "/api/v1/projects/import?dry_run=true", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!((s, report["dry_run"].as_bool(), report["created"].as_u64()), (StatusCode::OK, Some(true), Some(3)));
        let (s, report) = post_file(&f, &leader, "/api/v1/projects/import", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(report["created"], 3, "{report}");
        assert_eq!(report["rows"][0], json!({ "line": 2, "code": "2025-620171-65-01-000318", "effect": "create" }));
        let (_, again) = post_file(&f, &leader, "/api/v1/projects/import", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(3)), "{again}");

        let (s, _, all) = f.call(&leader, "GET", "/api/v1/projects", None).await;
        assert_eq!(s, StatusCode::OK);
        let first = &all[0];
        assert_eq!(
            (&first["planned_start"], &first["annual_investment_yuan"], &first["screened"], &first["consultations"]),
            (&json!("2027-03"), &json!(120_000_000), &json!(true), &json!(0)),
            "{all}"
        );
        let (_, _, screened) = f.call(&leader, "GET", "/api/v1/projects?screened=true", None).await;
        assert_eq!(codes(&screened), ["2025-620171-65-01-000318", "2026-620102-47-01-000052"], "{screened}");
        let (_, _, others) =
            f.call(&leader, "GET", "/api/v1/projects?screened=false&stage=pre_consultation", None).await;
        assert_eq!(codes(&others), ["2026-620102-48-01-000061"], "{others}");
        let (s, _, none) = f.call(&leader, "GET", "/api/v1/projects?stage=in_approval", None).await;
        assert_eq!((s, none), (StatusCode::OK, json!([])));

        // A consultation counts on the list and shows on the detail.
        let uri = "/api/v1/projects/2026-620102-47-01-000052/consultations";
        let (s, _, _) = f.call(&leader, "POST", uri, Some(&json!({ "notes": "上门对接" }).to_string())).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, _, screened) = f.call(&leader, "GET", "/api/v1/projects?screened=true", None).await;
        assert_eq!(screened[1]["consultations"], 1, "{screened}");
        let (_, _, detail) = f.call(&leader, "GET", "/api/v1/projects/2026-620102-47-01-000052", None).await;
        assert_eq!(detail["consultations"][0]["notes"], "上门对接", "{detail}");
        assert_eq!(detail["project"]["small_type"], "parking_lot", "{detail}");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_file_names_each_row_and_column_and_stores_nothing() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        let bad = "\
code,name,unit,project_type,investment_yuan,division,planned_start
2025-620171-65-04-000318,一,单位,government_invested,100,620100,2027-01
2026-620102-47-01-000001,二,单位,government_invested,100,999999,2027-01
2026-620102-47-01-000002,三,单位,private,100,620102,2027-01
";
        let got = post_file(&f, &leader, "/api/v1/projects/import", "text/csv", bad.as_bytes().to_vec()).await;
        assert_eq!(got.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", got.1);
        assert_eq!(got.1["type"], "/problems/invalid-field", "{}", got.1);
        let errors: Vec<(u64, &str)> = got.1["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["line"].as_u64().unwrap_or(0), e["column"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(errors, [(2, "code"), (3, "division"), (4, "project_type")], "{}", got.1);
        let message = got.1["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("project type code 04") && message.contains("YYYY-DDDDDD-II-TT-NNNNNN"), "{message}");
        let (_, _, all) = f.call(&leader, "GET", "/api/v1/projects", None).await;
        assert_eq!(all, json!([]), "nothing stored");

        // Entered one by one, a bad code is a field of a 422 too.
        let body = json!({
            "code": "2026-620102-47-01-000000", "name": "停车场", "unit": "某公司", "project_type": "small",
            "small_type": "parking_lot", "investment_yuan": 1000, "division": "620102", "planned_start": "2027-13"
        });
        let got = f.call(&leader, "POST", "/api/v1/projects", Some(&body.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        let fields: Vec<&str> =
            got.2["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["code", "planned_start"], "{}", got.2);

        // A clerk may not import; a JSON body is not a file.
        let clerk = f.login("clerk").await;
        let (s, _) = post_file(&f, &clerk, "/api/v1/projects/import", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = post_file(&f, &leader, "/api/v1/projects/import", "application/json", b"{}".to_vec()).await;
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_export_as_csv_or_xlsx_imports_back_unchanged() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        let (s, _) = post_file(&f, &leader, "/api/v1/projects/import", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::OK);
        let created = json!({
            "code": "2026-620100-83-01-000009", "name": "兰州市第二人民医院门诊综合楼", "unit": "兰州市卫生健康委员会",
            "project_type": "government_invested", "investment_yuan": 420_000_000, "division": "620100",
            "planned_start": "2027-06-15", "annual_investment_yuan": 50_000_000, "phone": "0931-8888888"
        });
        let (s, _, view) = f.call(&leader, "POST", "/api/v1/projects", Some(&created.to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{view}");
        assert_eq!((&view["planned_start"], &view["annual_investment_yuan"]), (&json!("2027-06"), &json!(50_000_000)));

        let (_, _, before) = f.call(&leader, "GET", "/api/v1/projects", None).await;
        for (format, ctype) in [("csv", "text/csv"), ("xlsx", XLSX_TYPE)] {
            let (s, got_type, bytes) = get_raw(&f, &leader, &format!("/api/v1/projects/export?format={format}")).await;
            assert_eq!(s, StatusCode::OK, "{format}");
            assert!(got_type.starts_with(ctype), "{got_type}");
            let (s, report) = post_file(&f, &leader, "/api/v1/projects/import", ctype, bytes).await;
            assert_eq!(s, StatusCode::OK, "{format}: {report}");
            assert_eq!(
                (report["created"].as_u64(), report["updated"].as_u64(), report["unchanged"].as_u64()),
                (Some(0), Some(0), Some(4)),
                "{format}: {report}"
            );
        }
        let (_, _, after) = f.call(&leader, "GET", "/api/v1/projects", None).await;
        assert_eq!(after, before);
        let public = Caller::default();
        let (s, _, _) = get_raw(&f, &public, "/api/v1/projects/export").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        f.t.cleanup().await;
    }
}

fn zh(key: &str) -> &'static str {
    tongban_server::web::Lang::Zh.t(key)
}

#[tokio::test]
async fn the_projects_page_lists_the_library_with_screening_and_each_record_its_consultations() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let leader = f.login("leader").await;
        let (s, _) = post_file(&f, &leader, "/api/v1/projects/import", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::OK);
        let uri = "/api/v1/projects/2026-620102-47-01-000052/consultations";
        let (s, _, _) =
            f.call(&leader, "POST", uri, Some(&json!({ "notes": "上门对接：告知所需材料" }).to_string())).await;
        assert_eq!(s, StatusCode::CREATED);

        let mut supervisor = common::browser::Web::new(&f);
        supervisor.login("supervisor").await;
        let page = supervisor.get("/supervision/projects").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.has("id=\"library\"") && page.has(zh("projlib.title")), "{}", page.body);
        for code in ["2025-620171-65-01-000318", "2026-620102-47-01-000052", "2026-620102-48-01-000061"] {
            assert!(page.has(code), "{code}");
        }
        assert!(page.has(zh("projlib.small_municipal_road")) && page.has("2027-03"));
        assert!(page.has(zh("proj.none")), "no run yet: no plan drawn");

        let screened = supervisor.get("/supervision/projects?screened=true").await;
        assert!(screened.has("2026-620102-47-01-000052") && !screened.has("2026-620102-48-01-000061"));
        let other = supervisor.get("/supervision/projects?screened=false&stage=pre_consultation").await;
        assert!(other.has("2026-620102-48-01-000061") && !other.has("2025-620171-65-01-000318"));

        let record = supervisor.get("/supervision/projects?project=2026-620102-47-01-000052").await;
        assert!(record.has("id=\"record-2026-620102-47-01-000052\""), "{}", record.body);
        assert!(record.has("上门对接：告知所需材料"), "the record shows its consultations");
        let bare = supervisor.get("/supervision/projects?project=2026-620102-48-01-000061").await;
        assert!(bare.has(zh("projlib.no_consultations")));
        let english = supervisor.get("/supervision/projects?lang=en").await;
        assert!(english.has(tongban_server::web::Lang::En.t("projlib.title")));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_import_page_and_the_imports_route_take_projects_too() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let (s, report) =
            post_file(&f, &admin, "/api/v1/imports/projects?dry_run=true", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!((s, report["created"].as_u64(), report["dry_run"].as_bool()), (StatusCode::OK, Some(3), Some(true)));
        let (s, report) = post_file(&f, &admin, "/api/v1/imports/projects", "text/csv", CSV.as_bytes().to_vec()).await;
        assert_eq!((s, report["created"].as_u64()), (StatusCode::OK, Some(3)), "{report}");
        let (_, _, all) = f.call(&admin, "GET", "/api/v1/projects", None).await;
        assert_eq!(codes(&all).len(), 3);
        let mut page = common::browser::Web::new(&f);
        page.login("admin").await;
        let imports = page.get("/admin/imports").await;
        assert!(imports.has("value=\"projects\"") && imports.has(zh("imports.kind.projects")), "{}", imports.body);
        f.t.cleanup().await;
    }
}
