//! The organisation's administration pages without JavaScript (issue 16): each kind created,
//! edited and retired through its forms, and a file uploaded, checked (a dry run shown as a
//! table) and published on confirmation. On SQLite and PostgreSQL.

use crate::common;

use axum::http::StatusCode;
use common::Fixture;
use common::browser::{Page, Web};
use tongban_server::web::Lang;

fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

/// The value of the hidden field `name` of a page's form.
fn hidden(page: &Page, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page.body.find(&needle).unwrap_or_else(|| panic!("a field {name}: {}", page.body)) + needle.len();
    page.body[at..].split('"').next().unwrap_or("").to_owned()
}

const STAFF: &str = "login,name,role,department,window,phone\nli.na,李娜,window_clerk,fgw,,13800000000\n";

#[tokio::test]
async fn a_file_is_checked_then_published_on_confirmation() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let form = admin.get("/admin/imports").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.has("enctype=\"multipart/form-data\"") && form.has(zh("imports.lead")), "{}", form.body);
        assert!(admin.get("/admin").await.has("href=\"/admin/imports\""), "linked from the section's tabs");
        let csrf = form.csrf();

        let checked = admin
            .post_multipart(
                "/admin/imports",
                &[("csrf", &csrf), ("kind", "staff")],
                &[("file", "text/csv", STAFF.as_bytes())],
            )
            .await;
        assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
        assert!(checked.has(zh("imports.checked")) && checked.has("<code>li.na</code>"), "{}", checked.body);
        assert!(checked.has(&format!("<td>{}</td>", zh("imports.effect.create"))), "{}", checked.body);
        assert!(!admin.get("/admin/org/staff").await.has("li.na"), "a dry run writes nothing");

        let carried: Vec<(&str, String)> =
            ["kind", "label", "name", "format", "data"].iter().map(|n| (*n, hidden(&checked, n))).collect();
        let mut confirm: Vec<(&str, &str)> = carried.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_eq!(admin.post("/admin/imports/publish", &confirm).await.status, StatusCode::FORBIDDEN, "no CSRF token");
        confirm.push(("csrf", &csrf));
        let published = admin.post("/admin/imports/publish", &confirm).await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
        assert!(
            published.has(zh("imports.published")) && published.has("id=\"activation-codes\""),
            "{}",
            published.body
        );
        assert!(published.has("<td><code>li.na</code></td><td><code class=\"activation-code\">"), "{}", published.body);
        assert!(admin.get("/admin/org/staff").await.has("id=\"rec-li-na\""));
        // The same file again changes nothing and issues no code.
        let again = admin.post("/admin/imports/publish", &confirm).await;
        assert!(again.has(&format!("<td>{}</td>", zh("imports.effect.unchanged"))), "{}", again.body);
        assert!(!again.has("id=\"activation-codes\""), "{}", again.body);

        // A bad file: every bad row in a table, nothing written, no confirmation.
        let bad = "code,name,division,site\nzrzy,自然资源局,620100,\nswj,税务局,999999,\n";
        let refused = admin
            .post_multipart(
                "/admin/imports",
                &[("csrf", &csrf), ("kind", "departments")],
                &[("file", "text/csv", bad.as_bytes())],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.has("<td>3</td><td><code>division</code></td><td>未知的行政区划 999999</td>"),
            "{}",
            refused.body
        );
        assert!(!refused.has("/admin/imports/publish") && refused.has("<option value=\"departments\" selected>"));
        assert!(!admin.get("/admin/org/departments").await.has("zrzy"), "nothing written");
        // Not a spreadsheet; no file; the catalog without a label: beside the fields.
        let pdf = admin
            .post_multipart(
                "/admin/imports",
                &[("csrf", &csrf), ("kind", "sites")],
                &[("file", "application/pdf", b"%PDF-1.7")],
            )
            .await;
        assert!(pdf.status == StatusCode::UNPROCESSABLE_ENTITY && pdf.has(zh("imports.err_format")), "{}", pdf.body);
        let none = admin.post_multipart("/admin/imports", &[("csrf", &csrf), ("kind", "sites")], &[]).await;
        assert!(none.has(zh("imports.err_nothing")), "{}", none.body);
        let unlabelled = admin
            .post_multipart(
                "/admin/imports",
                &[("csrf", &csrf), ("kind", "catalog")],
                &[("file", "text/csv", b"code\n")],
            )
            .await;
        assert!(unlabelled.has(zh("imports.err_label")), "{}", unlabelled.body);

        let english = admin.get("/admin/imports?lang=en").await;
        assert!(english.has(Lang::En.t("imports.title")) && !english.has("[?]"));
        let mut leader = Web::new(&f);
        leader.login("leader").await;
        assert_eq!(leader.get("/admin/imports").await.status, StatusCode::FORBIDDEN);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn each_kind_is_created_edited_and_retired_on_its_page() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        for kind in ["divisions", "sites", "departments", "windows", "staff"] {
            let page = admin.get(&format!("/admin/org/{kind}")).await;
            assert_eq!(page.status, StatusCode::OK, "{kind}");
            assert!(page.has(&format!("action=\"/admin/org/{kind}\"")) && !page.has("[?]"), "{kind}: {}", page.body);
        }
        let csrf = admin.get("/admin/org/sites").await.csrf();
        let site = [
            ("csrf", csrf.as_str()),
            ("code", "qlh"),
            ("name", "七里河分中心"),
            ("division", "620100"),
            ("address", "西津西路 1 号"),
            ("hours", "9:00-17:00"),
            ("phone", "0931-1234567"),
        ];
        let created = admin.post("/admin/org/sites", &site).await;
        assert_eq!(
            (created.status, created.location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/org/sites?done=org_created#rec-qlh")
        );
        let list = admin.get("/admin/org/sites?done=org_created").await;
        assert!(list.has(zh("org.done.org_created")) && list.has("西津西路 1 号"), "{}", list.body);
        let taken = admin.post("/admin/org/sites", &site).await;
        assert!(taken.status == StatusCode::UNPROCESSABLE_ENTITY && taken.has(zh("org.err_taken")), "{}", taken.body);

        // A refused form keeps what was typed beside the errors.
        let bad =
            [("csrf", csrf.as_str()), ("code", "zrzy"), ("name", "自然资源局"), ("division", "99"), ("site", "qlh")];
        let refused = admin.post("/admin/org/departments", &bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.has(zh("org_err.division")) && refused.has("value=\"99\""), "{}", refused.body);
        let good = [
            ("csrf", csrf.as_str()),
            ("code", "zrzy"),
            ("name", "自然资源局"),
            ("division", "620100"),
            ("site", "qlh"),
        ];
        assert_eq!(admin.post("/admin/org/departments", &good).await.status, StatusCode::SEE_OTHER);
        let window = [
            ("csrf", csrf.as_str()),
            ("code", "W-21"),
            ("name", "不动产窗口"),
            ("department", "zrzy"),
            ("site", "qlh"),
        ];
        assert_eq!(admin.post("/admin/org/windows", &window).await.status, StatusCode::SEE_OTHER);
        let person = [
            ("csrf", csrf.as_str()),
            ("login", "li.na"),
            ("name", "李娜"),
            ("role", "window_clerk"),
            ("department", "zrzy"),
            ("window", "W-21"),
        ];
        let hired = admin.post("/admin/org/staff", &person).await;
        assert_eq!(hired.status, StatusCode::OK, "the code is shown in the answer: {}", hired.body);
        assert!(hired.has("id=\"activation-codes\"") && hired.has("<td><code>li.na</code></td>"), "{}", hired.body);

        // Editing: the form comes filled in; the key stays.
        let edit = admin.get("/admin/org/sites/qlh").await;
        assert!(edit.has("value=\"西津西路 1 号\"") && edit.has("readonly"), "{}", edit.body);
        let moved = [
            ("csrf", csrf.as_str()),
            ("code", "elsewhere"),
            ("name", "七里河分中心"),
            ("division", "620100"),
            ("address", "西津西路 2 号"),
            ("hours", "9:00-17:00"),
            ("phone", "0931-1234567"),
        ];
        let saved = admin.post("/admin/org/sites/qlh", &moved).await;
        assert_eq!(
            (saved.status, saved.location.as_str()),
            (StatusCode::SEE_OTHER, "/admin/org/sites?done=org_saved#rec-qlh")
        );
        let list = admin.get("/admin/org/sites").await;
        assert!(list.has("西津西路 2 号") && !list.has("elsewhere"), "{}", list.body);

        // Retiring asks first, and is refused while something in service depends on it.
        let ask = admin.get("/admin/org/departments/zrzy/retire").await;
        assert!(ask.has("action=\"/admin/org/departments/zrzy/retire\"") && ask.has(zh("org.retire_lead.departments")));
        let blocked = admin.post("/admin/org/departments/zrzy/retire", &[("csrf", &csrf)]).await;
        assert_eq!(blocked.status, StatusCode::CONFLICT);
        assert!(blocked.has(zh("org.retire_blocked")) && blocked.has("window W-21"), "{}", blocked.body);
        for uri in ["/admin/org/staff/li.na/retire", "/admin/org/windows/W-21/retire"] {
            let done = admin.post(uri, &[("csrf", &csrf)]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{uri}: {}", done.body);
        }
        let windows = admin.get("/admin/org/windows?done=org_retired").await;
        assert!(windows.has(zh("org.done.org_retired")), "{}", windows.body);
        assert!(
            windows.has("<tr id=\"rec-W-21\" class=\"retired\">") && windows.has(zh("org.retired")),
            "{}",
            windows.body
        );
        assert_eq!(admin.get("/admin/org/people").await.status, StatusCode::NOT_FOUND);
        assert_eq!(admin.get("/admin/org/sites/nowhere").await.status, StatusCode::NOT_FOUND);
        assert!(admin.get("/admin/org/sites?lang=en").await.has(Lang::En.t("org.new.sites")));

        // Center leaders read; they get no forms and cannot post.
        let mut leader = Web::new(&f);
        leader.login("leader").await;
        let read = leader.get("/admin/org/sites").await;
        assert!(read.status == StatusCode::OK && read.has("qlh") && !read.has("action=\"/admin/org/sites\""));
        assert_eq!(leader.get("/admin/org/sites/qlh").await.status, StatusCode::FORBIDDEN);
        let csrf = read.csrf();
        assert_eq!(leader.post("/admin/org/sites/qlh/retire", &[("csrf", &csrf)]).await.status, StatusCode::FORBIDDEN);
        f.t.cleanup().await;
    }
}
