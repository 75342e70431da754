//! The published lists over HTTP (issue 16): `GET /api/v1/lists/{kind}` as JSON pages,
//! searched, and downloaded as CSV and xlsx that read back; the versions; and the public
//! pages `/lists/{kind}` in both languages, linked from `/lists`. SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::browser::Web;
use common::{Caller, Fixture, assert_problem};
use tongban_core::lists::ListKind;
use tongban_server::app::tables::{Format, Upload, XLSX_TYPE, read};
use tongban_server::auth::Principal;
use tongban_server::web::Lang;
use tower::ServiceExt;

const POWERS: &str = "code,name,kind,department,legal_basis,responsibility\n\
    QL-FGW-0001,企业投资项目核准,行政许可,fgw,《企业投资项目核准和备案管理条例》第三条,受理责任；审查责任\n\
    QL-FGW-0002,对价格违法行为的行政处罚,行政处罚,fgw,《中华人民共和国价格法》第三十九条,立案责任；调查责任\n\
    QL-ZJJ-0001,建筑工程施工许可证核发,行政许可,zjj,《中华人民共和国建筑法》第七条,=SUM(1)\n";

/// A GET answered with its status, headers and raw body.
async fn fetch(f: &Fixture, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder().uri(uri).body(Body::empty()).expect("request");
    let res = f.app.clone().oneshot(req).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, headers, bytes.to_vec())
}

async fn publish(f: &Fixture, label: &str) {
    let upload = Upload { name: Some("powers.csv"), format: Format::Csv };
    tongban_server::app::lists::import_list(
        &f.state,
        &Principal::console(),
        ListKind::Powers,
        &upload,
        POWERS.as_bytes(),
        label,
        false,
    )
    .await
    .expect("published");
}

#[tokio::test]
async fn a_published_list_is_served_searched_and_downloaded() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let anon = Caller::default();
        let (s, _, empty) = f.call(&anon, "GET", "/api/v1/lists/powers", None).await;
        assert_eq!(s, StatusCode::OK, "{empty}");
        assert!(empty["version"].is_null() && empty["total"] == 0, "{empty}");
        publish(&f, "2025 年版").await;
        publish(&f, "2026 年版").await;

        let (s, _, list) = f.call(&anon, "GET", "/api/v1/lists/powers", None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!((list["kind"].as_str(), list["name"].as_str()), (Some("powers"), Some("权责清单")));
        assert_eq!((list["version"].as_u64(), list["label"].as_str()), (Some(2), Some("2026 年版")));
        assert_eq!(list["total"], 3);
        let first = &list["entries"][0];
        assert_eq!(first["code"], "QL-FGW-0001");
        assert_eq!(first["kind"], "行政许可");
        assert_eq!(first["department_name"], "兰州市发展和改革委员会");
        assert!(first.get("amount_yuan").is_none(), "fields of other lists are left out: {first}");

        // 核准 and 施工许可 as typed into a browser's address bar.
        let (_, _, found) = f.call(&anon, "GET", "/api/v1/lists/powers?q=%E6%A0%B8%E5%87%86", None).await;
        assert_eq!(found["total"], 1, "{found}");
        let (_, _, paged) = f.call(&anon, "GET", "/api/v1/lists/powers?per_page=2&page=2&version=1", None).await;
        assert_eq!((paged["version"].as_u64(), paged["entries"][0]["code"].as_str()), (Some(1), Some("QL-ZJJ-0001")));

        assert_problem(&f.call(&anon, "GET", "/api/v1/lists/nosuch", None).await, 404, "not-found");
        assert_problem(&f.call(&anon, "GET", "/api/v1/lists/powers?version=9", None).await, 404, "not-found");
        assert_problem(&f.call(&anon, "GET", "/api/v1/lists/powers?page=0", None).await, 422, "invalid-field");
        assert_problem(&f.call(&anon, "GET", "/api/v1/lists/powers?format=pdf", None).await, 400, "invalid-parameter");

        let (s, _, versions) = f.call(&anon, "GET", "/api/v1/lists/powers/versions", None).await;
        assert_eq!(s, StatusCode::OK);
        let numbers: Vec<u64> =
            versions["versions"].as_array().expect("array").iter().filter_map(|v| v["version"].as_u64()).collect();
        assert_eq!(numbers, [1, 2], "{versions}");

        // The whole list as CSV: the columns an import reads, a formula neutralised.
        let (s, headers, csv) = fetch(&f, "/api/v1/lists/powers?format=csv&q=nothing").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"powers-v2.csv\"");
        let csv = String::from_utf8(csv).expect("utf-8");
        assert!(csv.starts_with("code,name,kind,department,legal_basis,responsibility\n"), "{csv}");
        assert_eq!(csv.lines().count(), 4, "the whole list, whatever the search: {csv}");
        assert!(csv.contains(",'=SUM(1)\n"), "{csv}");
        // Imported again, the download is the same list (the formula's mark dropped).
        let upload = Upload { name: Some("powers-v2.csv"), format: Format::Csv };
        let again = tongban_server::app::lists::import_list(
            &f.state,
            &Principal::console(),
            ListKind::Powers,
            &upload,
            csv.as_bytes(),
            "导回",
            false,
        )
        .await
        .expect("the download imports");
        assert_eq!((again.version, again.entries), (Some(3), 3));
        let (_, _, back) = f.call(&anon, "GET", "/api/v1/lists/powers?q=sum", None).await;
        assert_eq!(back["entries"][0]["responsibility"], "=SUM(1)", "{back}");

        let (s, headers, xlsx) = fetch(&f, "/api/v1/lists/powers?format=xlsx&version=1").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], XLSX_TYPE);
        assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"powers-v1.xlsx\"");
        let tables = read(&Upload { name: None, format: Format::Xlsx }, &xlsx).expect("a workbook");
        assert_eq!(tongban_server::app::tables::sheet_name(&tables[0]), Some("powers"));
        assert_eq!(tables[0].rows.len(), 3);
        assert_eq!(tables[0].rows[1].cells[2], "行政处罚");
        let (s, _, _) = fetch(&f, "/api/v1/lists/funds?format=csv").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "nothing to download before a list is published");
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_list_pages_search_page_and_link_downloads_in_both_languages() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut web = Web::new(&f);
        let unpublished = web.get("/lists/duties").await;
        assert_eq!(unpublished.status, StatusCode::OK);
        assert!(unpublished.has(Lang::Zh.t("published.none")));
        publish(&f, "2026 年版").await;

        let index = web.get("/lists").await;
        assert!(index.has("href=\"/lists/powers\"") && index.has(Lang::Zh.t("published.kind.funds")), "{}", index.body);
        let page = web.get("/lists/powers").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for text in [
            "企业投资项目核准",
            "兰州市发展和改革委员会",
            "住房和城乡建设局",
            "2026 年版",
            "href=\"/api/v1/lists/powers?format=xlsx&amp;version=1\"",
        ] {
            assert!(page.has(text), "the page shows {text}");
        }
        assert!(!page.has("[?]") && !page.has("<script>"), "{}", page.body);
        let found = web.get("/lists/powers?q=%E6%96%BD%E5%B7%A5&version=").await;
        assert!(found.has("QL-ZJJ-0001") && !found.has("QL-FGW-0001"), "{}", found.body);
        let english = web.get("/lists/powers?lang=en").await;
        assert!(english.has("<html lang=\"en\">") && english.has(Lang::En.t("published.kind.powers")));
        assert!(!english.has("[?]"));
        assert_eq!(web.get("/lists/nosuch").await.status, StatusCode::NOT_FOUND);
        assert_eq!(web.get("/lists/powers?version=7").await.status, StatusCode::NOT_FOUND);
        f.t.cleanup().await;
    }
}
