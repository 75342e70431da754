//! Sealed documents over HTTP, on both databases: an approved case's documents listed and
//! downloaded, the PDF verified offline against `/verify/key`, the public verification page
//! (genuine, altered, revoked at once), someone else's documents refused, the kiosk's
//! download by case number and phone, and the templates.

use crate::common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::browser::Web;
use common::{Caller, Fixture, assert_problem};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A GET answered as raw bytes, with its headers.
async fn raw(f: &Fixture, caller: &Caller, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    if let Some(c) = &caller.cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = f.app.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
    (status, headers, bytes.to_vec())
}

/// Submits a case with the applicant's phone, accepts and approves it; returns its number.
async fn approved_case(f: &Fixture, applicant: &Caller) -> String {
    let mut case = common::good_case();
    case["applicant"]["phone"] = json!("139 0931 0000");
    let (s, _, c) = f.call(applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let n = c["number"].as_str().expect("number").to_owned();
    let (clerk, approver) = (f.login("clerk").await, f.login("approver").await);
    let (s, x) = f.act(&clerk, &n, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    let (s, x) = f.act(&approver, &n, json!({"action": "approve", "note": "同意"})).await;
    assert_eq!(s, StatusCode::OK, "{x}");
    n
}

/// The case's document of `kind`.
async fn document_of(f: &Fixture, caller: &Caller, n: &str, kind: &str) -> Value {
    let (s, _, docs) = f.call(caller, "GET", &format!("/api/v1/cases/{n}/documents"), None).await;
    assert_eq!(s, StatusCode::OK, "{docs}");
    docs.as_array().expect("a list").iter().find(|d| d["kind"] == kind).cloned().expect("the document")
}

#[tokio::test]
async fn an_approval_is_listed_downloaded_verified_and_revoked() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let n = approved_case(&f, &applicant).await;
        let doc = document_of(&f, &applicant, &n, "approval").await;
        let number = doc["number"].as_str().expect("a 文号").to_owned();
        assert!(number.starts_with("兰审批") && number.ends_with('号'), "{doc}");
        assert_eq!((doc["status"].as_str(), doc["kind_name"].as_str()), (Some("valid"), Some("准予行政许可决定书")));
        assert_eq!(doc["date"], "2026-03-02", "{doc}");
        let (pdf_url, verify_link) = (doc["pdf_url"].as_str().expect("pdf"), doc["verify_url"].as_str().expect("url"));
        assert!(pdf_url.is_ascii() && verify_link.is_ascii(), "{doc}");
        // The link is the one the PDF prints, under the center's public address.
        let verify_url = verify_link.strip_prefix("http://localhost:8080").expect("under the public address");
        assert!(document_of(&f, &applicant, &n, "acceptance").await["number"].is_string());

        // The PDF, as an attachment named by its number, verifies against the published keys.
        let (s, headers, pdf) = raw(&f, &applicant, pdf_url).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        let disposition = headers[header::CONTENT_DISPOSITION].to_str().expect("ascii");
        assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E5%85%B0"));
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let (s, headers, pem) = raw(&f, &Caller::default(), "/verify/key").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/x-pem-file");
        let keys = tongban_seal::parse_public_keys(&String::from_utf8(pem).expect("text")).expect("keys");
        let verified = tongban_seal::verify(&pdf, &keys).expect("genuine");
        assert_eq!(verified.number, number);
        let (s, _, public) =
            f.call(&Caller::default(), "GET", &format!("/api/v1/documents/{}", &verify_url[8..]), None).await;
        assert_eq!(
            (s, public["status"].as_str(), public["number"].as_str()),
            (StatusCode::OK, Some("valid"), Some(&*number))
        );
        assert_eq!((&public["sm3"], &public["verify_url"]), (&doc["sm3"], &doc["verify_url"]));

        // The public page, and files checked on it without logging in.
        let mut web = Web::new(&f);
        let page = web.get(verify_url).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.has("有效") && page.has(&number) && page.has("兰州市行政审批服务局"), "{}", page.body);
        let csrf = page.csrf();
        let checked = web.post_multipart(verify_url, &[("csrf", &csrf)], &[("pdf", "application/pdf", &pdf)]).await;
        assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
        assert!(checked.has("核验通过"), "{}", checked.body);
        let mut flipped = pdf.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x01;
        assert!(tongban_seal::verify(&flipped, &keys).is_err());
        let checked = web.post_multipart(verify_url, &[("csrf", &csrf)], &[("pdf", "application/pdf", &flipped)]).await;
        assert!(checked.has("已被改动"), "{}", checked.body);
        let checked =
            web.post_multipart(verify_url, &[("csrf", &csrf)], &[("pdf", "application/pdf", b"%PDF-1.7 x")]).await;
        assert!(checked.has("没有本中心的电子印章签名"), "{}", checked.body);
        let missing = web
            .get(&format!("/verify/{}", "%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95999999%E5%8F%B7"))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.body.contains("lang=\"zh-CN\""), "{}", missing.body);

        // Revoked by the approver: the page says so at once.
        let revoke = format!("/api/v1/documents/{}/revoke", &verify_url[8..]);
        let reason = json!({ "reason": "申请材料虚假" }).to_string();
        assert_eq!(f.call(&applicant, "POST", &revoke, Some(&reason)).await.0, StatusCode::FORBIDDEN);
        let approver = f.login("approver").await;
        let (s, _, revoked) = f.call(&approver, "POST", &revoke, Some(&reason)).await;
        assert_eq!((s, revoked["status"].as_str()), (StatusCode::OK, Some("revoked")), "{revoked}");
        let page = web.get(verify_url).await;
        assert!(page.has("已撤销") && page.has("申请材料虚假") && page.has("2026-03-02 10:00 起"), "{}", page.body);
        assert_eq!(document_of(&f, &applicant, &n, "approval").await["status"], "revoked");

        // The case page lists the documents and links the decision from its event.
        let mut web = Web::new(&f);
        web.login("applicant").await;
        let page = web.get(&format!("/cases/{n}")).await;
        assert!(page.has(&format!("href=\"{pdf_url}\"")) && page.has(&number), "{}", page.body);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn someone_elses_documents_are_not_theirs_and_the_kiosk_needs_the_phone() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let applicant = f.login("applicant").await;
        let n = approved_case(&f, &applicant).await;
        let doc = document_of(&f, &applicant, &n, "approval").await;
        let pdf_url = doc["pdf_url"].as_str().expect("pdf").to_owned();
        let number = doc["number"].as_str().expect("number").to_owned();

        let signup = json!({ "login": "other", "password": common::PASSWORD, "name": "李四", "kind": "individual", "id_number": "620102199001011233" });
        let (s, _, x) = f.call(&Caller::default(), "POST", "/api/v1/applicants", Some(&signup.to_string())).await;
        assert!(s.is_success(), "{s} {x}");
        let other = f.login("other").await;
        let (s, _, _) = f.call(&other, "GET", &format!("/api/v1/cases/{n}/documents"), None).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
        let (s, _, body) = raw(&f, &other, &pdf_url).await;
        assert!(s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND, "{s}");
        assert!(!body.starts_with(b"%PDF"));
        assert_eq!(raw(&f, &Caller::default(), &pdf_url).await.0, StatusCode::UNAUTHORIZED);
        assert_problem(
            &f.call(&applicant, "GET", &format!("/api/v1/cases/{n}/documents/x"), None).await,
            404,
            "not-found",
        );

        // The kiosk: the right phone lists and downloads; a wrong one reads as no such case.
        let mut web = Web::new(&f);
        let form = web.get("/kiosk/documents").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let listed = web.post("/kiosk/documents", &[("csrf", &csrf), ("number", &n), ("phone", "13909310000")]).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        assert!(listed.has(&number) && listed.has("/kiosk/documents/download"), "{}", listed.body);
        let wrong = web.post("/kiosk/documents", &[("csrf", &csrf), ("number", &n), ("phone", "13900000000")]).await;
        let unknown = web
            .post("/kiosk/documents", &[("csrf", &csrf), ("number", "620100-2026-999999"), ("phone", "13909310000")])
            .await;
        assert_eq!(
            (wrong.status, unknown.status),
            (StatusCode::UNPROCESSABLE_ENTITY, StatusCode::UNPROCESSABLE_ENTITY)
        );
        assert!(wrong.has("没有找到该编号与手机号对应的办件"), "{}", wrong.body);
        let scrub = |b: &str| {
            b.replace(&n, "N")
                .replace("620100-2026-999999", "N")
                .replace("13900000000", "P")
                .replace("13909310000", "P")
        };
        assert_eq!(scrub(&wrong.body), scrub(&unknown.body), "no oracle");
        let pdf = web
            .post(
                "/kiosk/documents/download",
                &[("csrf", &csrf), ("number", &n), ("phone", "13909310000"), ("document", &number)],
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert!(pdf.body.starts_with("%PDF"));
        let refused = web
            .post(
                "/kiosk/documents/download",
                &[("csrf", &csrf), ("number", &n), ("phone", "13900000000"), ("document", &number)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!refused.body.starts_with("%PDF"));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn templates_are_versioned_by_the_administrator() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (admin, clerk) = (f.login("admin").await, f.login("clerk").await);
        let (s, _, all) = f.call(&admin, "GET", "/api/v1/document-templates", None).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        let all = all.as_array().expect("a list").clone();
        assert_eq!(all.len(), 6, "{all:?}");
        let approval = all.iter().find(|t| t["kind"] == "approval").expect("approval").clone();
        assert_eq!(f.call(&clerk, "GET", "/api/v1/document-templates", None).await.0, StatusCode::FORBIDDEN);
        let put = |body: &str| json!({ "body": body }).to_string();
        let uri = "/api/v1/document-templates/approval";
        assert_eq!(f.call(&clerk, "PUT", uri, Some(&put("x"))).await.0, StatusCode::FORBIDDEN);
        assert_problem(&f.call(&admin, "PUT", uri, Some(&put("{{no_such_field}}"))).await, 422, "invalid-field");
        assert_problem(
            &f.call(&admin, "PUT", "/api/v1/document-templates/poster", Some(&put("x"))).await,
            404,
            "not-found",
        );
        let body = approval["body"].as_str().expect("a body").to_owned();
        let (s, _, saved) = f.call(&admin, "PUT", uri, Some(&put(&format!("{body}\n特此决定。")))).await;
        assert_eq!(s, StatusCode::OK, "{saved}");
        assert_eq!(saved["version"].as_u64(), approval["version"].as_u64().map(|v| v + 1), "{saved}");

        // The page: a refused template comes back beside its field, as typed.
        let mut web = Web::new(&f);
        web.login("admin").await;
        let page = web.get("/admin/document-templates").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.has("特此决定。"), "{}", page.body);
        let csrf = page.csrf();
        let refused = web
            .post("/admin/document-templates/approval", &[("csrf", &csrf), ("body", "{{no_such_field}} 草稿")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.has("{{no_such_field}} 草稿") && refused.has("field-error"), "{}", refused.body);
        let done = web.post("/admin/document-templates/approval", &[("csrf", &csrf), ("body", &body)]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        f.t.cleanup().await;
    }
}
