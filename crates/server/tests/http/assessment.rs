//! Window assessment over HTTP (issue 18): `GET /api/v1/assessment` as JSON (each row's
//! components, `total`, `rank`, `red_flag` for windows, `star` for staff), CSV and xlsx;
//! the seat's check-in, the head's marks, imported third-party scores and a survey feeding
//! it; a head's rows and a clerk's refusal. SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tongban_server::app::tables::{Format, Upload, read};
use tower::ServiceExt;

/// Posts a CSV file to `uri`; answers status, raw body and JSON.
async fn post_csv(f: &Fixture, caller: &Caller, uri: &str, csv: &str) -> (StatusCode, Value) {
    let mut req = Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, "text/csv");
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(c) = &caller.csrf {
        req = req.header("x-csrf-token", c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(csv.to_owned())).expect("request")).await.expect("infallible");
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

fn row<'a>(rows: &'a Value, code: &str) -> &'a Value {
    rows.as_array()
        .and_then(|r| r.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("no row {code}: {rows}"))
}

#[tokio::test]
async fn the_assessment_answers_in_json_csv_and_xlsx() {
    for t in tongban_store::testing::each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let (admin, head, clerk, supervisor) =
            (f.login("admin").await, f.login("head").await, f.login("clerk").await, f.login("supervisor").await);
        // A window for fgw; the clerk checks in (10:00, late) and the head marks the day late.
        let (s, v) =
            post_csv(&f, &admin, "/api/v1/imports/windows", "code,name,department,site\nW01,发改委窗口,fgw,\n").await;
        assert_eq!(s, StatusCode::OK, "{name}: {v}");
        let (s, _, day) = f.call(&clerk, "POST", "/api/v1/attendance/check-in", None).await;
        assert_eq!(
            (s, day["check_in"].as_str(), day["status"].as_str()),
            (StatusCode::OK, Some("10:00"), Some("late"))
        );
        let (s, _, v) = f.call(&head, "PUT", "/api/v1/attendance/clerk/2026-03-02", Some(r#"{"mark":"leave"}"#)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}: {v}");
        let (_, _, days) = f.call(&clerk, "GET", "/api/v1/attendance?period=2026-03", None).await;
        assert_eq!(days[0]["status"], "leave", "{name}: {days}");

        // Third-party scores, with a bad row refused by line and column first.
        let bad = "period,kind,code,score\n2026-03,department,fgw,120\n";
        let (s, v) = post_csv(&f, &admin, "/api/v1/assessment/scores", bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert!(v.to_string().contains("score"), "{v}");
        let good = "period,kind,code,score\n2026-03,department,fgw,88\n2026-03,window,W01,95.5\n";
        let (s, v) = post_csv(&f, &admin, "/api/v1/assessment/scores", good).await;
        assert_eq!((s, v["rows"].as_u64()), (StatusCode::OK, Some(2)), "{name}: {v}");

        // A survey: the public grades the department.
        let (s, _, v) =
            f.call(&admin, "POST", "/api/v1/surveys", Some(r#"{"period":"2026-03","title":"三月民主评议"}"#)).await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
        let answer = json!({ "subject_kind": "department", "subject_code": "fgw", "grade": 4 }).to_string();
        let (s, _, v) = f.call(&Caller::default(), "POST", "/api/v1/surveys/2026-03/answers", Some(&answer)).await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
        let wrong = json!({ "subject_kind": "department", "subject_code": "fgw", "grade": 9 }).to_string();
        let got = f.call(&Caller::default(), "POST", "/api/v1/surveys/2026-03/answers", Some(&wrong)).await;
        assert_problem(&got, 422, "invalid-field");

        let (s, _, a) = f.call(&supervisor, "GET", "/api/v1/assessment?period=2026-03&by=department", None).await;
        assert_eq!(s, StatusCode::OK, "{name}: {a}");
        assert_eq!((a["period"].as_str(), a["by"].as_str()), (Some("2026-03"), Some("department")));
        let fgw = row(&a["rows"], "fgw");
        assert_eq!(fgw["components"]["third_party"], 88.0, "{name}: {fgw}");
        assert_eq!(fgw["components"]["evaluation"], 75.0, "{name}: {fgw}");
        assert_eq!(fgw["components"]["on_time"], Value::Null, "{name}: no case was delivered");
        assert_eq!(fgw["components"]["attendance"], Value::Null, "{name}: leave does not count");
        // Third party 88 × 10 and evaluation 75 × 20, over 30.
        assert_eq!((fgw["total"].as_f64(), fgw["rank"].as_u64()), (Some(79.33), Some(1)), "{name}: {fgw}");
        assert!(fgw.get("red_flag").is_none() && fgw.get("star").is_none(), "{fgw}");
        let (_, _, w) = f.call(&supervisor, "GET", "/api/v1/assessment?period=2026-03&by=window", None).await;
        let w01 = row(&w["rows"], "W01");
        // Best of the month by its third-party score alone, but it served no one: no red flag.
        assert_eq!((w01["total"].as_f64(), w01["red_flag"].as_bool()), (Some(95.5), Some(false)), "{name}: {w01}");
        let (_, _, staff) = f.call(&supervisor, "GET", "/api/v1/assessment?period=2026-03&by=staff", None).await;
        assert_eq!(row(&staff["rows"], "clerk")["star"], false, "{name}: {staff}");

        // CSV and xlsx carry the same rows.
        let (s, ctype, csv) = get_raw(&f, &supervisor, "/api/v1/assessment?period=2026-03&by=window&format=csv").await;
        let csv = String::from_utf8(csv).expect("utf-8");
        assert_eq!((s, ctype.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"), "{csv}");
        assert!(csv.starts_with("rank,code,name,department,on_time,satisfaction,attendance,evaluation,third_party,accountability,total,red_flag"), "{csv}");
        assert!(csv.contains("1,W01,发改委窗口,fgw,,,,,95.50,0,95.50,no"), "{csv}");
        let (s, _, xlsx) = get_raw(&f, &supervisor, "/api/v1/assessment?period=2026-03&by=window&format=xlsx").await;
        assert_eq!(s, StatusCode::OK);
        let tables = read(&Upload { name: Some("a.xlsx"), format: Format::Xlsx }, &xlsx).expect("a workbook");
        assert_eq!(tables[0].header.first().map(String::as_str), Some("rank"), "{name}");
        let w01: Vec<&[String]> = tables[0]
            .rows
            .iter()
            .map(|r| r.cells.as_slice())
            .filter(|c| c.get(1).is_some_and(|x| x == "W01"))
            .collect();
        assert_eq!(w01.len(), 1, "{name}: {:?}", tables[0].rows);

        // Scope and refusals.
        let (_, _, theirs) = f.call(&head, "GET", "/api/v1/assessment?period=2026-03&by=staff", None).await;
        assert!(theirs["rows"].as_array().is_some_and(|r| !r.is_empty() && r.iter().all(|x| x["department"] == "fgw")));
        let got = f.call(&clerk, "GET", "/api/v1/assessment?period=2026-03", None).await;
        assert_problem(&got, 403, "forbidden");
        let got = f.call(&supervisor, "GET", "/api/v1/assessment?period=2026-3", None).await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{name}: {}", got.2);
        let weights = json!({"on_time": 50, "satisfaction": 25, "attendance": 15, "evaluation": 20, "third_party": 10,
            "deduction": 2, "red_flag": {"percent": 10, "at_least": 1, "min_total": 80},
            "star": {"percent": 10, "at_least": 1, "min_total": 80}});
        let got = f.call(&admin, "PUT", "/api/v1/assessment/weights", Some(&weights.to_string())).await;
        assert_problem(&got, 422, "invalid-field");
        f.t.cleanup().await;
    }
}

/// Posts a form as `caller` (its CSRF token in the form); answers status and `Location`.
async fn post_form(f: &Fixture, caller: &Caller, uri: &str, form: &str) -> (StatusCode, String) {
    let body = format!("csrf={}&{form}", caller.csrf.clone().unwrap_or_default());
    let mut req =
        Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(body)).expect("request")).await.expect("infallible");
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (res.status(), location)
}

/// Posts a form as `caller`; answers status and the page.
async fn post_form_page(f: &Fixture, caller: &Caller, uri: &str, form: &str) -> (StatusCode, String) {
    let body = format!("csrf={}&{form}", caller.csrf.clone().unwrap_or_default());
    let mut req =
        Request::builder().method("POST").uri(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(body)).expect("request")).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Uploads `csv` as the `/attendance` page's import form does.
async fn upload(f: &Fixture, caller: &Caller, kind: &str, csv: &str) -> (StatusCode, String) {
    let b = "XBOUNDARYX";
    let csrf = caller.csrf.clone().unwrap_or_default();
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
         --{b}--\r\n"
    );
    let mut req = Request::builder()
        .method("POST")
        .uri("/attendance/import")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"));
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::from(body)).expect("request")).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_pages_work_without_javascript_in_both_languages() {
    for t in tongban_store::testing::each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let (admin, clerk, supervisor) = (f.login("admin").await, f.login("clerk").await, f.login("supervisor").await);
        // The clerk checks in from the workbench's form and is sent back to it.
        let (_, _, bench) = get_raw(&f, &clerk, "/workbench").await;
        let bench = String::from_utf8(bench).expect("html");
        assert!(bench.contains(r#"action="/attendance/check-in""#), "{name}: the workbench has the form");
        let (s, to) = post_form(&f, &clerk, "/attendance/check-in", "back=%2Fworkbench").await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/workbench"), "{name}");
        let (s, _, ledger) = get_raw(&f, &clerk, "/attendance?period=2026-03").await;
        let ledger = String::from_utf8(ledger).expect("html");
        assert_eq!(s, StatusCode::OK);
        assert!(ledger.contains("<td>2026-03-02</td><td>10:00</td>"), "{name}: {ledger}");
        assert!(ledger.contains("迟到/早退"), "{name}: Chinese by default");

        // The head marks a day on the page; the administrator uploads a bad file and is shown
        // its line, then a good one.
        let head = f.login("head").await;
        let (s, to) = post_form(&f, &head, "/attendance/mark", "account=clerk&day=2026-03-03&mark=leave").await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/attendance?period=2026-03"), "{name}");
        let (s, page) = upload(&f, &admin, "attendance", "account,day,mark\nclerk,2026-03-04,holiday\n").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {page}");
        assert!(page.contains("<td>f.csv</td><td>2</td><td><code>mark</code></td>"), "{name}: {page}");
        // A problem of a known shape is said in Chinese, as on /admin/imports.
        let (s, page) = upload(&f, &admin, "attendance", "account,day,mark,shift\nclerk,2026-03-04,leave,1\n").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {page}");
        assert!(page.contains("未知的列 `shift`"), "{name}: {page}");
        let (s, page) = upload(&f, &admin, "scores", "period,kind,code,score\n2026-02,department,fgw,90\n").await;
        assert_eq!(s, StatusCode::OK, "{name}: {page}");
        let (s, _, zh) = get_raw(&f, &supervisor, "/assessment?period=2026-02&by=department").await;
        let zh = String::from_utf8(zh).expect("html");
        assert_eq!(s, StatusCode::OK, "{name}: {zh}");
        assert!(zh.contains("窗口考核评议") && zh.contains("<svg"), "{name}: {zh}");
        assert!(zh.contains("format=xlsx"), "{name}");
        let (_, _, en) = get_raw(&f, &supervisor, "/assessment?period=2026-02&by=department&lang=en").await;
        let en = String::from_utf8(en).expect("html");
        assert!(en.contains("Window assessment") && en.contains("90.00"), "{name}: {en}");
        let (s, _, _) = get_raw(&f, &clerk, "/assessment").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{name}: a clerk does not see the assessment");

        // The weights' form: refused when they do not sum to 100, saved when they do.
        let (s, _, form) = get_raw(&f, &admin, "/assessment/weights").await;
        assert!(
            s == StatusCode::OK && String::from_utf8_lossy(&form).contains(r#"name="on_time" value="30""#),
            "{name}"
        );
        let honours = "red_flag_percent=10&red_flag_at_least=1&red_flag_min_total=80&star_percent=10&star_at_least=1&star_min_total=80";
        let bad =
            format!("on_time=50&satisfaction=25&attendance=15&evaluation=20&third_party=10&deduction=2&{honours}");
        assert_eq!(post_form(&f, &admin, "/assessment/weights", &bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let good =
            format!("on_time=40&satisfaction=25&attendance=15&evaluation=20&third_party=0&deduction=1.5&{honours}");
        assert_eq!(
            post_form(&f, &admin, "/assessment/weights", &good).await,
            (StatusCode::SEE_OTHER, "/assessment".to_owned())
        );
        let (_, _, w) = f.call(&supervisor, "GET", "/api/v1/assessment/weights", None).await;
        assert_eq!((w["on_time"].as_u64(), w["deduction"].as_f64()), (Some(40), Some(1.5)), "{name}: {w}");
        // The public survey page: opened, answered without an account (the form's cookie).
        let (_, _, list) = get_raw(&f, &admin, "/surveys").await;
        assert!(String::from_utf8_lossy(&list).contains(r#"action="/surveys""#), "{name}: the open form");
        let (s, to) =
            post_form(&f, &admin, "/surveys", "period=2026-03&title=%E4%B8%89%E6%9C%88%E8%AF%84%E8%AE%AE").await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/surveys/2026-03"), "{name}");
        let (s, _, page) = get_raw(&f, &Caller::default(), "/surveys/2026-03").await;
        let page = String::from_utf8(page).expect("html");
        assert_eq!(s, StatusCode::OK, "{name}: {page}");
        assert!(page.contains("三月评议") && page.contains(r#"name="grade""#), "{name}: {page}");
        // The windows are suggested by code and name; a refused answer keeps what was typed.
        assert!(
            page.contains(r#"list="survey-subjects""#) && page.contains(r#"<option value="W-01">"#),
            "{name}: {page}"
        );
        let form = "subject_kind=window&subject_code=W99&grade=4&comment=%E5%BE%88%E5%A5%BD";
        let (s, page) = post_form_page(&f, &admin, "/surveys/2026-03", form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {page}");
        assert!(page.contains(r#"value="W99""#) && page.contains("很好</textarea>"), "{name}: {page}");
        assert!(page.contains(r#"value="4" checked"#), "{name}: {page}");
        f.t.cleanup().await;
    }
}
