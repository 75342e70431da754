//! The organisation as data over the API (issue 16): each kind created, edited and retired
//! (`/api/v1/org/{kind}`), and files imported (`/api/v1/imports/{kind}`): a dry run writes
//! nothing, the real run writes, the same file again changes nothing, bad rows are named by
//! line and column. On SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tower::ServiceExt;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Posts `bytes` as a file of type `ctype`.
async fn post_file(f: &Fixture, caller: &Caller, uri: &str, bytes: &[u8], ctype: &str) -> (StatusCode, String, Value) {
    let mut req = Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, ctype);
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(c) = &caller.csrf {
        req = req.header("x-csrf-token", c);
    }
    let req = req.body(Body::from(bytes.to_vec())).expect("request");
    let res = f.app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, ctype, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn post(f: &Fixture, caller: &Caller, uri: &str, body: Value) -> (StatusCode, String, Value) {
    f.call(caller, "POST", uri, Some(&body.to_string())).await
}

/// The keys of a kind's records, each with whether it is retired.
async fn keys(f: &Fixture, caller: &Caller, kind: &str) -> Vec<(String, bool)> {
    let (s, _, list) = f.call(caller, "GET", &format!("/api/v1/org/{kind}"), None).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().expect("a list").clone();
    list.iter()
        .map(|r| (r["key"].as_str().expect("a key").to_owned(), r["retired"].as_bool().expect("a flag")))
        .collect()
}

fn has(keys: &[(String, bool)], key: &str, retired: bool) -> bool {
    keys.iter().any(|(k, r)| k == key && *r == retired)
}

#[tokio::test]
async fn each_kind_is_created_edited_and_retired_over_the_api() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (admin, clerk) = (f.login("admin").await, f.login("clerk").await);
        let public = Caller::default();
        let division = json!({ "code": "620199", "name": "兰州试验区", "parent": "620100" });
        let created = post(&f, &admin, "/api/v1/org/divisions", division.clone()).await;
        assert_eq!(created.0, StatusCode::CREATED, "{}", created.2);
        assert_eq!(created.2["rows"][0]["effect"], "create");
        assert_eq!(created.2["counts"]["divisions"]["created"], 1);
        let again = post(&f, &admin, "/api/v1/org/divisions", division).await;
        assert_eq!((again.0, &again.2["rows"][0]["effect"]), (StatusCode::OK, &json!("unchanged")));
        let site = json!({ "code": "qlh", "name": "七里河分中心", "division": "620199",
            "address": "西津西路 1 号", "hours": "周一至周五 9:00-17:00", "phone": "0931-1234567" });
        assert_eq!(post(&f, &admin, "/api/v1/org/sites", site).await.0, StatusCode::CREATED);
        let department = json!({ "code": "zrzy", "name": "自然资源局", "division": "620199", "site": "qlh" });
        assert_eq!(post(&f, &admin, "/api/v1/org/departments", department).await.0, StatusCode::CREATED);
        let window = json!({ "code": "W-21", "name": "不动产窗口", "department": "zrzy", "site": "qlh" });
        assert_eq!(post(&f, &admin, "/api/v1/org/windows", window).await.0, StatusCode::CREATED);
        let person =
            json!({ "login": "li.na", "name": "李娜", "role": "window_clerk", "department": "zrzy", "window": "W-21" });
        let hired = post(&f, &admin, "/api/v1/org/staff", person).await;
        assert_eq!(hired.0, StatusCode::CREATED, "{}", hired.2);
        assert_eq!(hired.2["activation_codes"][0]["login"], "li.na", "a new person gets a code");
        assert_eq!(hired.2["rows"][0]["fields"]["phone"], "", "absent fields are empty");

        // Reading: the organisation is public, its people are the administrators'.
        let (s, _, windows) = f.call(&public, "GET", "/api/v1/org/windows", None).await;
        assert_eq!(s, StatusCode::OK);
        let w21 = windows.as_array().expect("a list").iter().find(|w| w["key"] == "W-21").expect("W-21").clone();
        assert_eq!(w21["fields"], json!({ "code": "W-21", "name": "不动产窗口", "department": "zrzy", "site": "qlh" }));
        assert_eq!((w21["kind"].as_str(), w21["retired"].as_bool()), (Some("windows"), Some(false)));
        assert_problem(&f.call(&public, "GET", "/api/v1/org/staff", None).await, 401, "unauthorized");
        assert_problem(&f.call(&clerk, "GET", "/api/v1/org/staff", None).await, 403, "forbidden");
        assert!(has(&keys(&f, &admin, "staff").await, "li.na", false));
        assert_problem(&f.call(&public, "GET", "/api/v1/org/people", None).await, 404, "not-found");

        // Editing: the path names the record, the body's key may repeat it.
        let moved = json!({ "name": "七里河区政务服务分中心", "division": "620199",
            "address": "西津西路 2 号", "hours": "周一至周六 9:00-17:00", "phone": "0931-7654321" });
        let edited = f.call(&admin, "PUT", "/api/v1/org/sites/qlh", Some(&moved.to_string())).await;
        assert_eq!((edited.0, &edited.2["rows"][0]["effect"]), (StatusCode::OK, &json!("update")), "{}", edited.2);
        assert_eq!(edited.2["rows"][0]["fields"]["address"], "西津西路 2 号");
        let mut renamed = moved.clone();
        renamed["code"] = json!("other");
        let refused = f.call(&admin, "PUT", "/api/v1/org/sites/qlh", Some(&renamed.to_string())).await;
        assert_problem(&refused, 422, "invalid-field");
        assert_eq!(refused.2["errors"][0]["field"], "code");
        assert_problem(
            &f.call(&admin, "PUT", "/api/v1/org/sites/nowhere", Some(&moved.to_string())).await,
            404,
            "not-found",
        );
        assert_problem(
            &f.call(&clerk, "PUT", "/api/v1/org/sites/qlh", Some(&moved.to_string())).await,
            403,
            "forbidden",
        );

        // Invalid fields are each named.
        let bad =
            post(&f, &admin, "/api/v1/org/windows", json!({ "code": "W 22", "name": "", "department": "nope" })).await;
        assert_problem(&bad, 422, "invalid-field");
        let fields: Vec<&str> =
            bad.2["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, ["code", "name"], "{}", bad.2);
        let unknown = post(&f, &admin, "/api/v1/org/windows", json!({ "code": "W-22", "colour": "red" })).await;
        assert_problem(&unknown, 422, "invalid-field");
        assert_eq!(unknown.2["errors"][0]["field"], "colour");
        let stranger =
            post(&f, &admin, "/api/v1/org/windows", json!({ "code": "W-22", "name": "窗口", "department": "nope" }))
                .await;
        assert_eq!(stranger.2["errors"][0]["field"], "department", "{}", stranger.2);
        assert_problem(&post(&f, &clerk, "/api/v1/org/sites", json!({})).await, 403, "forbidden");

        // Retiring: refused while things in service depend on it, then allowed bottom-up.
        let busy = f.call(&admin, "POST", "/api/v1/org/departments/zrzy/retire", None).await;
        assert_problem(&busy, 409, "conflict");
        let detail = busy.2["detail"].as_str().expect("detail");
        assert!(detail.contains("window W-21") && detail.contains("staff li.na"), "{detail}");
        assert_problem(&f.call(&clerk, "POST", "/api/v1/org/staff/li.na/retire", None).await, 403, "forbidden");
        for uri in
            ["/api/v1/org/staff/li.na/retire", "/api/v1/org/windows/W-21/retire", "/api/v1/org/departments/zrzy/retire"]
        {
            let (s, _, v) = f.call(&admin, "POST", uri, None).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{uri}: {v}");
        }
        let departments = keys(&f, &public, "departments").await;
        assert!(has(&departments, "zrzy", true) && has(&departments, "fgw", false), "{departments:?}");
        assert!(has(&keys(&f, &admin, "staff").await, "li.na", true));
        assert_problem(&f.call(&admin, "POST", "/api/v1/org/departments/zrzy/retire", None).await, 404, "not-found");
        assert_problem(&f.call(&admin, "POST", "/api/v1/org/windows/nobody/retire", None).await, 404, "not-found");
        // A retired department takes no new windows; editing it brings it back.
        let late =
            post(&f, &admin, "/api/v1/org/windows", json!({ "code": "W-23", "name": "窗口", "department": "zrzy" }))
                .await;
        assert_problem(&late, 422, "invalid-field");
        assert!(late.2["errors"][0]["message"].as_str().is_some_and(|m| m.contains("retired")), "{}", late.2);
        let back = json!({ "name": "自然资源局", "division": "620199", "site": "qlh" });
        let revived = f.call(&admin, "PUT", "/api/v1/org/departments/zrzy", Some(&back.to_string())).await;
        assert_eq!((revived.0, &revived.2["rows"][0]["effect"]), (StatusCode::OK, &json!("update")));
        assert!(has(&keys(&f, &public, "departments").await, "zrzy", false));
        f.t.cleanup().await;
    }
}

const DEPARTMENTS: &str = "code,name,division,site\nzrzy,自然资源局,620100,\nswj,税务局,620102,\n";

#[tokio::test]
async fn an_import_checks_then_writes_and_the_same_file_again_changes_nothing() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let public = Caller::default();
        let dry =
            post_file(&f, &admin, "/api/v1/imports/departments?dry_run=true", DEPARTMENTS.as_bytes(), "text/csv").await;
        assert_eq!(dry.0, StatusCode::OK, "{}", dry.2);
        assert_eq!(dry.2["dry_run"], true);
        assert_eq!(dry.2["counts"]["departments"], json!({ "created": 2, "updated": 0, "unchanged": 0 }));
        assert!(!has(&keys(&f, &public, "departments").await, "zrzy", false), "a dry run writes nothing");
        let done =
            post_file(&f, &admin, "/api/v1/imports/departments", DEPARTMENTS.as_bytes(), "text/csv; charset=utf-8")
                .await;
        assert_eq!((done.0, &done.2["dry_run"]), (StatusCode::OK, &json!(false)), "{}", done.2);
        let effects: Vec<(&str, &str)> = done.2["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| (r["key"].as_str().unwrap_or(""), r["effect"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(effects, [("zrzy", "create"), ("swj", "create")]);
        let stored = keys(&f, &public, "departments").await;
        assert!(has(&stored, "zrzy", false) && has(&stored, "swj", false), "{stored:?}");
        let again = post_file(&f, &admin, "/api/v1/imports/departments", DEPARTMENTS.as_bytes(), "text/csv").await;
        assert_eq!(again.2["counts"]["departments"], json!({ "created": 0, "updated": 0, "unchanged": 2 }));

        // Staff: codes only when written, and only for the new.
        let staff = "login,name,role,department,window,phone\nzhao.lei,赵磊,reviewer,zrzy,,13800000000\nclerk,CLERK,window_clerk,fgw,,\n";
        let dry = post_file(&f, &admin, "/api/v1/imports/staff?dry_run=true", staff.as_bytes(), "text/csv").await;
        assert_eq!(dry.2["activation_codes"], json!([]), "{}", dry.2);
        let hired = post_file(&f, &admin, "/api/v1/imports/staff", staff.as_bytes(), "text/csv").await;
        assert_eq!(hired.0, StatusCode::OK, "{}", hired.2);
        let codes = hired.2["activation_codes"].as_array().expect("codes");
        assert_eq!((codes.len(), &codes[0]["login"]), (1, &json!("zhao.lei")), "{}", hired.2);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_whole_organisation_comes_as_a_workbook() {
    use tongban_server::app::tables::{Sheet, write_xlsx};
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        // Sheets in any order: windows name a department the departments sheet defines.
        let book = write_xlsx(&[
            Sheet::new(
                "windows",
                &["code", "name", "department", "site"],
                vec![row(&["W-31", "税务窗口", "swj", "main"])],
            ),
            Sheet::new(
                "departments",
                &["code", "name", "division", "site"],
                vec![row(&["swj", "税务局", "620100", "main"])],
            ),
            Sheet::new(
                "sites",
                &["code", "name", "division", "address", "hours", "phone"],
                vec![row(&["main", "市民中心", "620100", "北滨河中路", "9:00-17:00", "0931-8888888"])],
            ),
        ])
        .expect("a workbook");
        let done = post_file(&f, &admin, "/api/v1/imports/org", &book, XLSX).await;
        assert_eq!(done.0, StatusCode::OK, "{}", done.2);
        let kinds: Vec<&str> =
            done.2["rows"].as_array().expect("rows").iter().filter_map(|r| r["kind"].as_str()).collect();
        assert_eq!(kinds, ["sites", "departments", "windows"], "reference order");
        assert!(has(&keys(&f, &Caller::default(), "windows").await, "W-31", false));
        // One kind from a workbook: its sheet of that name.
        let again = post_file(&f, &admin, "/api/v1/imports/windows?dry_run=true", &book, XLSX).await;
        assert_eq!(again.2["counts"]["windows"]["unchanged"], 1, "{}", again.2);
        // Not a workbook at all.
        let junk = post_file(&f, &admin, "/api/v1/imports/org", b"PK\x03\x04 not really", XLSX).await;
        assert_problem(&junk, 422, "invalid-field");
        assert_eq!(junk.2["errors"][0]["line"], 1);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_file_is_refused_row_by_row_and_nothing_is_written() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        // Line 3 names an unknown division; line 4 is blank; line 5 has no name and a bad code.
        let csv = "code,name,division,site\nzrzy,自然资源局,620100,\nswj,税务局,999999,\n\nbad code,,620100,\n";
        let refused = post_file(&f, &admin, "/api/v1/imports/departments", csv.as_bytes(), "text/csv").await;
        assert_problem(&refused, 422, "invalid-field");
        let rows: Vec<(u64, &str)> = refused.2["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["line"].as_u64().unwrap_or(0), e["column"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(rows, [(3, "division"), (5, "code"), (5, "name")], "{}", refused.2);
        let first = &refused.2["errors"][0];
        assert_eq!(first["message"], "line 3, column division: unknown division 999999", "{first}");
        assert!(!has(&keys(&f, &Caller::default(), "departments").await, "zrzy", false), "nothing written");
        // The header is checked too.
        let headless = post_file(&f, &admin, "/api/v1/imports/sites", b"name,code\n", "text/csv").await;
        assert_problem(&headless, 422, "invalid-field");
        assert_eq!(headless.2["errors"][0]["line"], 1);
        // Neither CSV nor a workbook.
        let json = post_file(&f, &admin, "/api/v1/imports/sites", b"{}", "application/json").await;
        assert_problem(&json, 415, "unsupported-type");
        let none = f.call(&admin, "POST", "/api/v1/imports/sites", None).await;
        assert_problem(&none, 415, "unsupported-type");
        assert_problem(&post_file(&f, &admin, "/api/v1/imports/people", b"", "text/csv").await, 404, "not-found");
        let clerk = f.login("clerk").await;
        assert_problem(&post_file(&f, &clerk, "/api/v1/imports/sites", b"", "text/csv").await, 403, "forbidden");
        let big = vec![b'a'; tongban_server::api::MAX_IMPORT_BYTES + 1];
        assert_eq!(
            post_file(&f, &admin, "/api/v1/imports/sites", &big, "text/csv").await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_catalog_is_checked_then_published_from_a_file() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let mut item = tongban_store::testing::sample_item();
        item.code = tongban_core::item::ItemCode::parse("620100-FGW-009").expect("a code");
        let csv = tongban_core::catalog::to_csv(&[tongban_store::testing::sample_item(), item]);
        let uri = "/api/v1/imports/catalog?dry_run=true&label=2027%20%E7%89%88";
        let dry = post_file(&f, &admin, uri, csv.as_bytes(), "text/csv").await;
        assert_eq!(dry.0, StatusCode::OK, "{}", dry.2);
        assert_eq!(dry.2, json!({ "dry_run": true, "version": null, "label": "2027 版", "items": 2 }));
        let new_item = "/api/v1/items/620100-FGW-009";
        assert_eq!(f.call(&admin, "GET", new_item, None).await.0, StatusCode::NOT_FOUND, "a dry run publishes nothing");
        let done = post_file(&f, &admin, "/api/v1/imports/catalog?label=2027", csv.as_bytes(), "text/csv").await;
        assert_eq!(done.2, json!({ "dry_run": false, "version": 2, "label": "2027", "items": 2 }));
        assert_eq!(f.call(&admin, "GET", new_item, None).await.0, StatusCode::OK);
        let unlabelled =
            post_file(&f, &admin, "/api/v1/imports/catalog?dry_run=true", csv.as_bytes(), "text/csv").await;
        assert_problem(&unlabelled, 422, "invalid-field");
        assert_eq!(unlabelled.2["errors"][0]["field"], "label");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_published_list_is_checked_then_published_from_a_file() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        let csv = "code,name,department,site,hours,phone,guide\nBM-001,复印,fgw,,9:00-17:00,0931-1,带原件\n";
        let dry =
            post_file(&f, &admin, "/api/v1/imports/services?dry_run=true&label=2027", csv.as_bytes(), "text/csv").await;
        assert_eq!(dry.0, StatusCode::OK, "{}", dry.2);
        let expected = json!({ "dry_run": true, "label": "2027", "lists": [{ "kind": "services", "version": null, "entries": 1 }] });
        assert_eq!(dry.2, expected);
        let done = post_file(&f, &admin, "/api/v1/imports/services?label=2027", csv.as_bytes(), "text/csv").await;
        assert_eq!(done.2["lists"][0]["version"], 1, "{}", done.2);
        let (_, _, listed) = f.call(&Caller::default(), "GET", "/api/v1/lists/services", None).await;
        assert!(listed.to_string().contains("BM-001"), "{listed}");
        let bad = "code,name,department,site,hours,phone,guide\nBM-002,打印,nope,,9:00-17:00,0931-1,带原件\n";
        let refused = post_file(&f, &admin, "/api/v1/imports/services?label=2027", bad.as_bytes(), "text/csv").await;
        assert_problem(&refused, 422, "invalid-field");
        assert_eq!(
            (&refused.2["errors"][0]["line"], &refused.2["errors"][0]["column"]),
            (&json!(2), &json!("department"))
        );
        let clerk = f.login("clerk").await;
        assert_problem(&post_file(&f, &clerk, "/api/v1/imports/lists", b"", XLSX).await, 403, "forbidden");
        f.t.cleanup().await;
    }
}
