//! Going live (issue 16), as a city's IT team would: from an empty database, import an
//! organisation and a catalog with the `tongban` binary — once from CSV files, once from
//! xlsx workbooks — activate the imported staff's accounts over HTTP, and take a case from
//! an applicant's online submission with an upload through acceptance, approval under a
//! grant given by the imported department head, and delivery. On SQLite and PostgreSQL.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{Server, serve};
use serde_json::{Value, json};
use tongban_server::app::tables::{Sheet, write_xlsx};
use tongban_store::testing::each_backend;

const PASSWORD: &str = "correct horse battery";

/// A city that is not the demo's: 西宁 (Qinghai), with a county hall.
const DIVISIONS: &str = "code,name,parent\n630000,青海省,\n630100,西宁市,630000\n630102,城东区,630100\n";
const SITES: &str = "code,name,division,address,hours,phone\n\
    main,西宁市政务服务中心,630100,西宁市城西区示例路 1 号,周一至周五 9:00-17:00,0971-0000001\n\
    cd,城东区政务服务大厅,630102,城东区示例街 2 号,周一至周五 9:00-17:00,0971-0000002\n";
const DEPARTMENTS: &str = "code,name,division,site\nscjg,西宁市市场监督管理局,630100,main\n";
const WINDOWS: &str = "code,name,department,site\nSC-01,市场监管窗口,scjg,main\nZH-01,综合窗口,,main\n";
const STAFF: &str = "login,name,role,department,window,phone\n\
    scjg.head,马建国,department_head,scjg,,\n\
    scjg.approver,韩丽,approver,scjg,,\n\
    scjg.clerk,李明,window_clerk,scjg,SC-01,13900000000\n";
const CATALOG: &str = "code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis\n\
    630100-SCJG-001,食品经营许可,scjg,630100,licensing,time_limited,20d,5d,食品经营许可申请书|required|original;营业执照|required|copy,,window;online,《中华人民共和国食品安全法》第三十五条\n";

fn tongban(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .args(["--database-url", url])
        .env("TONGBAN_LOG", "warn")
        .output()
        .expect("runs")
}

fn ok(out: Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

fn csv_rows(text: &str) -> (Vec<&str>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    let header = lines.next().expect("header").split(',').collect();
    let rows = lines
        .map(|l| {
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(l.as_bytes());
            r.records().next().expect("a row").expect("csv").iter().map(str::to_owned).collect()
        })
        .collect();
    (header, rows)
}

fn sheet(name: &str, text: &str) -> Sheet {
    let (header, rows) = csv_rows(text);
    Sheet::new(name, &header, rows)
}

/// Imports the organisation and the catalog as CSV files or as workbooks; answers the
/// activation codes printed for the new staff, by login.
fn import_all(url: &str, dir: &Path, xlsx: bool) -> Vec<(String, String)> {
    let staff_report = if xlsx {
        let org = write_xlsx(&[
            sheet("divisions", DIVISIONS),
            sheet("sites", SITES),
            sheet("departments", DEPARTMENTS),
            sheet("windows", WINDOWS),
            sheet("staff", STAFF),
        ])
        .expect("workbook");
        std::fs::write(dir.join("org.xlsx"), org).expect("write");
        std::fs::write(dir.join("catalog.xlsx"), write_xlsx(&[sheet("catalog", CATALOG)]).expect("workbook"))
            .expect("write");
        let org = dir.join("org.xlsx");
        ok(tongban(url, &["import", "org", org.to_str().expect("path"), "--json"]), "import org")
    } else {
        let mut last = String::new();
        for (kind, text) in [
            ("divisions", DIVISIONS),
            ("sites", SITES),
            ("departments", DEPARTMENTS),
            ("windows", WINDOWS),
            ("staff", STAFF),
        ] {
            let path = dir.join(format!("{kind}.csv"));
            std::fs::write(&path, text).expect("write");
            last = ok(tongban(url, &["import", kind, path.to_str().expect("path"), "--json"]), kind);
        }
        std::fs::write(dir.join("catalog.csv"), CATALOG).expect("write");
        last
    };
    let catalog = dir.join(if xlsx { "catalog.xlsx" } else { "catalog.csv" });
    let published = ok(tongban(url, &["import", "catalog", catalog.to_str().expect("path")]), "import catalog");
    assert!(published.contains("with 1 items"), "{published}");
    let report: Value = serde_json::from_str(&staff_report).expect("json report");
    assert_eq!(report["counts"]["staff"]["created"], 3, "{report}");
    report["activation_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| (c["login"].as_str().expect("login").to_owned(), c["code"].as_str().expect("code").to_owned()))
        .collect()
}

/// A logged-in caller: session cookie and CSRF token.
struct Caller {
    cookie: String,
    csrf: String,
}

struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    async fn login(&self, who: &str) -> Caller {
        let res = self
            .client
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"login": who, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert!(res.status().is_success(), "{who} logs in: {}", res.status());
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("cookie")
            .to_owned();
        let me: Value = res.json().await.expect("json");
        Caller { cookie, csrf: me["csrf_token"].as_str().expect("csrf").to_owned() }
    }

    async fn send(&self, who: &Caller, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

async fn take_a_case_through(server: &Server, codes: &[(String, String)]) {
    let http = Http { client: reqwest::Client::new(), base: server.1.clone() };
    for (login, code) in codes {
        let res = http
            .client
            .post(format!("{}/api/v1/accounts/{login}/activation", http.base))
            .json(&json!({"code": code, "password": PASSWORD}))
            .send()
            .await
            .expect("activate");
        assert_eq!(res.status().as_u16(), 204, "{login} activates");
    }
    let res = http
        .client
        .post(format!("{}/api/v1/applicants", http.base))
        .json(&json!({"login": "xn.shop", "password": PASSWORD, "name": "西宁某某餐饮有限公司",
            "kind": "enterprise", "id_number": "91350100M000100Y43"}))
        .send()
        .await
        .expect("sign up");
    assert!(res.status().is_success(), "sign-up: {}", res.status());
    let (head, approver, clerk, applicant) = (
        http.login("scjg.head").await,
        http.login("scjg.approver").await,
        http.login("scjg.clerk").await,
        http.login("xn.shop").await,
    );
    // The imported head is the root of the department's chain and delegates down it.
    for (grantee, powers) in [("scjg.clerk", json!(["accept", "deliver"])), ("scjg.approver", json!(["approve"]))] {
        let body = json!({"grantee": grantee, "department": "scjg", "powers": powers});
        let (s, v) = http.send(&head, reqwest::Method::POST, "/api/v1/grants", Some(body)).await;
        assert_eq!(s, 201, "grant to {grantee}: {v}");
    }
    let submission = json!({
        "item": "630100-SCJG-001",
        "applicant": {"kind": "enterprise", "name": "西宁某某餐饮有限公司", "id_number": "91350100M000100Y43"},
        "channel": "online",
        "materials": ["食品经营许可申请书", "营业执照"]
    });
    let (s, case) = http.send(&applicant, reqwest::Method::POST, "/api/v1/cases", Some(submission)).await;
    assert_eq!(s, 201, "{case}");
    let n = case["number"].as_str().expect("number").to_owned();
    let material = "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"; // 营业执照
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".to_vec();
    let res = http
        .client
        .put(format!("{}/api/v1/cases/{n}/materials/{material}", http.base))
        .header("cookie", &applicant.cookie)
        .header("x-csrf-token", &applicant.csrf)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .expect("upload");
    assert!(res.status().is_success(), "upload: {}", res.status());
    for (who, action) in [(&clerk, "accept"), (&approver, "approve"), (&clerk, "deliver")] {
        let body =
            if action == "deliver" { json!({"action": action, "method": "window"}) } else { json!({"action": action}) };
        let (s, v) = http.send(who, reqwest::Method::POST, &format!("/api/v1/cases/{n}/actions"), Some(body)).await;
        assert_eq!(s, 200, "{action}: {v}");
    }
    let (s, done) = http.send(&applicant, reqwest::Method::GET, &format!("/api/v1/cases/{n}"), None).await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["case"]["state"].as_str().or(done["state"].as_str()), Some("delivered"), "{done}");
    // The clerk opens the uploaded file.
    let res = http
        .client
        .get(format!("{}/api/v1/cases/{n}/materials/{material}", http.base))
        .header("cookie", &clerk.cookie)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), pdf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_center_goes_live_from_csv_files_and_from_workbooks() {
    for xlsx in [false, true] {
        for t in each_backend().await {
            let dir = tempfile::tempdir().expect("dir");
            ok(tongban(&t.url, &["migrate"]), "migrate");
            let codes = import_all(&t.url, dir.path(), xlsx);
            assert_eq!(codes.len(), 3, "{}: a code per new account", t.name);
            // Importing the same files again changes nothing and issues no code.
            let again = if xlsx {
                ok(
                    tongban(&t.url, &["import", "org", dir.path().join("org.xlsx").to_str().expect("p"), "--json"]),
                    "again",
                )
            } else {
                ok(
                    tongban(&t.url, &["import", "staff", dir.path().join("staff.csv").to_str().expect("p"), "--json"]),
                    "again",
                )
            };
            let again: Value = serde_json::from_str(&again).expect("json");
            assert_eq!(again["counts"]["staff"], json!({"created": 0, "updated": 0, "unchanged": 3}), "{}", t.name);
            assert_eq!(again["activation_codes"], json!([]));
            let server = serve(&t.url, &[]);
            take_a_case_through(&server, &codes).await;
            drop(server);
            t.cleanup().await;
        }
    }
}
