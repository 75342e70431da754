//! Downloads over HTTP (issue 16): `GET /api/v1/exports/{kind}` — each kind of the
//! organisation and the whole of it for administrators (a downloaded workbook imports back
//! unchanged), a catalog version and the reform report for anyone — as CSV and xlsx that
//! read back; and the links on the administration pages. SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::browser::Web;
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tongban_core::catalog::{CSV_COLUMNS, GUIDE_COLUMNS};
use tongban_core::org::import::OrgKind;
use tongban_core::table::Table;
use tongban_server::app::tables::{Format, Upload, XLSX_TYPE, read, sheet_name};
use tongban_server::auth::Principal;
use tongban_server::web::Lang;
use tower::ServiceExt;

/// Catalog version 2, in item code order as an export lists it: 620100-FGW-001 changed
/// (a required material fewer, promised in 3 days instead of 5), 620100-FGW-002 cut,
/// 620100-ZJJ-001 added with the guide's columns and a cell a spreadsheet would run.
const CATALOG: &str = "code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis,sites,conditions,steps,contact\n\
    620100-FGW-001,企业投资项目备案,fgw,620100,filing,time_limited,20d,3d,项目备案申请表|required|original,,window;online,《企业投资项目核准和备案管理条例》,,,,\n\
    620100-ZJJ-001,建筑工程施工许可证核发,zjj,620100,licensing,time_limited,20d,10d,施工许可申请表|required|original,工本费|10.50,window,《中华人民共和国建筑法》第七条,,'=SUM(1),受理;审查;决定,0931-1\n";

/// A GET as `caller`, answered with its status, headers and raw body.
async fn download(f: &Fixture, caller: &Caller, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().uri(uri);
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, headers, bytes.to_vec())
}

/// A download that must succeed as `filename`, of the type its extension says.
async fn file(f: &Fixture, caller: &Caller, uri: &str, filename: &str) -> Vec<u8> {
    let (status, headers, bytes) = download(f, caller, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&bytes));
    let want = if filename.ends_with(".csv") { "text/csv; charset=utf-8" } else { XLSX_TYPE };
    assert_eq!(headers[header::CONTENT_TYPE], want, "{uri}");
    assert_eq!(headers[header::CONTENT_DISPOSITION], format!("attachment; filename=\"{filename}\"").as_str(), "{uri}");
    bytes
}

fn workbook(bytes: &[u8]) -> Vec<Table> {
    read(&Upload { name: Some("download.xlsx"), format: Format::Xlsx }, bytes).expect("a readable workbook")
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("utf-8")
}

/// Posts `bytes` as a workbook to an import.
async fn post_workbook(f: &Fixture, caller: &Caller, uri: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let mut req = Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, XLSX_TYPE);
    for (name, value) in [(header::COOKIE.as_str(), &caller.cookie), ("x-csrf-token", &caller.csrf)] {
        if let Some(v) = value {
            req = req.header(name, v);
        }
    }
    let res = f.app.clone().oneshot(req.body(Body::from(bytes.to_vec())).expect("request")).await.expect("infallible");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The keys in service of a kind, as the JSON API lists them, sorted.
async fn keys_in_service(f: &Fixture, admin: &Caller, kind: OrgKind) -> Vec<String> {
    let (s, _, list) = f.call(admin, "GET", &format!("/api/v1/org/{}", kind.as_str()), None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut keys: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["retired"] == false)
        .filter_map(|r| r["key"].as_str().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

async fn publish_catalog(f: &Fixture) {
    let upload = Upload { name: Some("catalog.csv"), format: Format::Csv };
    let published =
        tongban_server::app::import_catalog(&f.state, &Principal::console(), "改革版", &upload, CATALOG.as_bytes())
            .await
            .expect("published");
    assert_eq!(published.version, 2);
}

#[tokio::test]
async fn the_organisation_downloads_for_administrators_and_imports_back_unchanged() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        // A record of every kind, and a retired window, which no download holds.
        let site = json!({ "code": "qlh", "name": "七里河分中心", "division": "620102",
            "address": "西津西路 1 号", "hours": "周一至周五 9:00-17:00", "phone": "0931-1234567" });
        let windows = [
            json!({ "code": "W-21", "name": "综合窗口", "department": "", "site": "qlh" }),
            json!({ "code": "W-22", "name": "发改窗口", "department": "fgw", "site": "qlh" }),
        ];
        for (kind, body) in [("sites", &site), ("windows", &windows[0]), ("windows", &windows[1])] {
            let created = f.call(&admin, "POST", &format!("/api/v1/org/{kind}"), Some(&body.to_string())).await;
            assert_eq!(created.0, StatusCode::CREATED, "{}", created.2);
        }
        let retired = f.call(&admin, "POST", "/api/v1/org/windows/W-22/retire", None).await;
        assert!(retired.0.is_success(), "{}", retired.2);
        for kind in OrgKind::ALL {
            let name = kind.as_str();
            let keys = keys_in_service(&f, &admin, kind).await;
            assert!(!keys.is_empty(), "the fixture has {name}");
            let csv =
                text(file(&f, &admin, &format!("/api/v1/exports/{name}?format=csv"), &format!("{name}.csv")).await);
            assert_eq!(csv.lines().next(), Some(kind.columns().join(",").as_str()), "{csv}");
            assert_eq!(csv.lines().count(), 1 + keys.len(), "{csv}");
            // The default format is a workbook of the kind's one sheet.
            let tables = workbook(&file(&f, &admin, &format!("/api/v1/exports/{name}"), &format!("{name}.xlsx")).await);
            assert_eq!(tables.len(), 1);
            assert_eq!(sheet_name(&tables[0]), Some(name));
            assert_eq!(tables[0].header, kind.columns());
            let mut rows: Vec<String> = tables[0].rows.iter().map(|r| r.cells[0].clone()).collect();
            rows.sort();
            assert_eq!(rows, keys, "{name}: a row per record in service");
        }
        let tables = workbook(&file(&f, &admin, "/api/v1/exports/staff?format=xlsx", "staff.xlsx").await);
        let clerk = tables[0].rows.iter().find(|r| r.cells[0] == "clerk").expect("the clerk's row");
        // The fixture seats the clerk at fgw's window W-01.
        assert_eq!(clerk.cells, ["clerk", "CLERK", "window_clerk", "fgw", "W-01", ""]);
        let sites = text(file(&f, &admin, "/api/v1/exports/sites?format=csv", "sites.csv").await);
        assert!(
            sites.ends_with("\nqlh,七里河分中心,620102,西津西路 1 号,周一至周五 9:00-17:00,0931-1234567\n"),
            "{sites}"
        );
        let windows = text(file(&f, &admin, "/api/v1/exports/windows?format=csv", "windows.csv").await);
        assert!(windows.contains("W-21,综合窗口,,qlh\n") && !windows.contains("W-22"), "{windows}");

        // The whole organisation: five sheets, and imported again it changes nothing.
        let book = file(&f, &admin, "/api/v1/exports/org?format=xlsx", "org.xlsx").await;
        let tables = workbook(&book);
        let names: Vec<&str> = tables.iter().filter_map(sheet_name).collect();
        assert_eq!(names, OrgKind::ALL.map(|k| k.as_str()));
        let (s, dry) = post_workbook(&f, &admin, "/api/v1/imports/org?dry_run=true", &book).await;
        assert_eq!(s, StatusCode::OK, "{dry}");
        assert_eq!(dry["dry_run"], true);
        let counts = dry["counts"].as_object().expect("counts");
        assert_eq!(counts.len(), 5, "{dry}");
        for (kind, c) in counts {
            assert_eq!((&c["created"], &c["updated"]), (&Value::from(0), &Value::from(0)), "{kind}: {dry}");
            assert!(c["unchanged"].as_u64().is_some_and(|n| n > 0), "{kind}: {dry}");
        }
        let rows = dry["rows"].as_array().expect("rows");
        assert!(rows.iter().all(|r| r["effect"] == "unchanged"), "{dry}");

        // Several tables are no CSV file.
        let refused = f.call(&admin, "GET", "/api/v1/exports/org?format=csv", None).await;
        assert_problem(&refused, 422, "invalid-field");
        assert_eq!(refused.2["errors"][0]["field"], "format", "{}", refused.2);
        assert_problem(&f.call(&admin, "GET", "/api/v1/exports/people", None).await, 404, "not-found");
        assert_problem(
            &f.call(&admin, "GET", "/api/v1/exports/staff?format=pdf", None).await,
            400,
            "invalid-parameter",
        );

        // The organisation's files are the administrators'.
        let (clerk, leader) = (f.login("clerk").await, f.login("leader").await);
        for kind in ["divisions", "sites", "staff", "org"] {
            let uri = format!("/api/v1/exports/{kind}");
            assert_problem(&f.call(&Caller::default(), "GET", &uri, None).await, 401, "unauthorized");
            assert_problem(&f.call(&clerk, "GET", &uri, None).await, 403, "forbidden");
            assert_problem(&f.call(&leader, "GET", &format!("{uri}?format=csv"), None).await, 403, "forbidden");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_catalog_and_the_reform_report_download_for_anyone() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        publish_catalog(&f).await;
        let anyone = Caller::default();

        // The latest version as CSV is the file it was published from, byte for byte: what
        // `tongban export catalog` prints (core's catalog writer), a formula kept neutral.
        let csv = text(file(&f, &anyone, "/api/v1/exports/catalog?format=csv", "catalog-v2.csv").await);
        assert_eq!(csv, CATALOG);
        let items = f.t.store.items_in_version(2).await.expect("items");
        assert_eq!(csv, tongban_core::catalog::to_csv(&items));
        let first = text(file(&f, &anyone, "/api/v1/exports/catalog?version=1&format=csv", "catalog-v1.csv").await);
        assert_eq!(first, tongban_core::catalog::to_csv(&f.t.store.items_in_version(1).await.expect("items")));

        // As a workbook (the default): the same columns and cells, and it imports back.
        let book = file(&f, &anyone, "/api/v1/exports/catalog", "catalog-v2.xlsx").await;
        let tables = workbook(&book);
        assert_eq!(sheet_name(&tables[0]), Some("catalog"));
        let header: Vec<&str> = CSV_COLUMNS.iter().chain(&GUIDE_COLUMNS).copied().collect();
        assert_eq!(tables[0].header, header);
        assert_eq!(tables[0].rows.len(), 2);
        assert_eq!(tables[0].rows[1].cells[0], "620100-ZJJ-001");
        assert_eq!(tables[0].rows[1].cells[9], "工本费|10.50");
        let upload = Upload { name: Some("catalog-v2.xlsx"), format: Format::Xlsx };
        let again = tongban_server::app::check_catalog(&f.state, &Principal::console(), "再导入", &upload, &book)
            .await
            .expect("the workbook imports");
        assert_eq!(again, items);
        assert_problem(&f.call(&anyone, "GET", "/api/v1/exports/catalog?version=9", None).await, 404, "not-found");

        // The reform report: the measures as CSV, every measure of the whole and of each department.
        let csv = text(file(&f, &anyone, "/api/v1/exports/reform?from=1&to=2&format=csv", "reform-v1-v2.csv").await);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "scope,department,name,measure,before,after,change_percent");
        assert_eq!(lines.len(), 1 + 4 * 3, "the totals, fgw and zjj: {csv}");
        for line in [
            "total,,,items,2,2,0",
            "total,,,materials,4,2,-50",
            "total,,,steps,0,3,",
            "total,,,average_promised_working_days,5,6.5,30",
            "department,fgw,兰州市发展和改革委员会,items,2,1,-50",
            "department,zjj,住房和城乡建设局,average_promised_working_days,,10,",
        ] {
            assert!(lines.contains(&line), "{line} in {csv}");
        }
        let json = f.call(&anyone, "GET", "/api/v1/catalog/reform?from=1&to=2", None).await.2;
        assert_eq!(json["materials"]["change_percent"], -50.0, "the same report as the JSON");

        // As a workbook: the measures and the items cut, added and changed.
        let tables = workbook(&file(&f, &anyone, "/api/v1/exports/reform?from=1&to=2", "reform-v1-v2.xlsx").await);
        let names: Vec<Option<&str>> = tables.iter().map(sheet_name).collect();
        assert_eq!(names, [Some("reform"), Some("items")]);
        assert_eq!(tables[0].rows[3].cells, ["total", "", "", "average_promised_working_days", "5", "6.5", "30"]);
        let items: Vec<(String, String)> =
            tables[1].rows.iter().map(|r| (r.cells[0].clone(), r.cells[1].clone())).collect();
        let want = [("cut", "620100-FGW-002"), ("added", "620100-ZJJ-001"), ("changed", "620100-FGW-001")];
        assert_eq!(items, want.map(|(a, b)| (a.to_owned(), b.to_owned())));

        // The same refusals as the JSON report's.
        for query in ["from=1", "to=2", "from=1&to=7"] {
            let report = f.call(&anyone, "GET", &format!("/api/v1/catalog/reform?{query}"), None).await;
            let export = f.call(&anyone, "GET", &format!("/api/v1/exports/reform?{query}&format=csv"), None).await;
            assert_eq!(
                (export.0, &export.2["type"]),
                (report.0, &report.2["type"]),
                "{query}: {:?} {:?}",
                export.2,
                report.2
            );
            assert!(report.0 == StatusCode::BAD_REQUEST || report.0 == StatusCode::NOT_FOUND, "{query}");
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_administration_pages_link_the_downloads() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        publish_catalog(&f).await;
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let page = admin.get("/admin/org/windows").await;
        assert_eq!(page.status, StatusCode::OK);
        for text in [
            "href=\"/api/v1/exports/windows?format=csv\" download",
            "href=\"/api/v1/exports/windows?format=xlsx\" download",
            "href=\"/api/v1/exports/org?format=xlsx\" download",
            Lang::Zh.t("export.kind"),
        ] {
            assert!(page.has(text), "{text} in {}", page.body);
        }
        // The link works with the page's session.
        let csv = admin.get("/api/v1/exports/windows?format=csv").await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert!(csv.body.starts_with("code,name,department,site\n"), "{}", csv.body);

        let catalog = admin.get("/admin").await;
        for text in [
            "href=\"/api/v1/exports/catalog?version=2&amp;format=csv\" download",
            "href=\"/api/v1/exports/catalog?version=1&amp;format=xlsx\" download",
            "href=\"/api/v1/exports/reform?from=1&amp;to=2&amp;format=csv\" download",
            "href=\"/api/v1/exports/reform?from=1&amp;to=2&amp;format=xlsx\" download",
        ] {
            assert!(catalog.has(text), "{text} in {}", catalog.body);
        }
        let imports = admin.get("/admin/imports").await;
        assert!(imports.has(Lang::Zh.t("export.template")), "{}", imports.body);
        assert!(imports.has("href=\"/api/v1/exports/org?format=xlsx\" download"), "{}", imports.body);

        // A center leader reads the pages: the catalog's downloads, not the organisation's.
        let mut leader = Web::new(&f);
        leader.login("leader").await;
        let page = leader.get("/admin/org/windows").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.has("/api/v1/exports/"), "{}", page.body);
        assert!(leader.get("/admin").await.has("href=\"/api/v1/exports/catalog?version=2&amp;format=csv\""));
        f.t.cleanup().await;
    }
}
