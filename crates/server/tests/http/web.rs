//! The HTML pages, in process (tower `oneshot`): they render in both languages, forms post
//! with CSRF, pages check authorization, a whole case goes from application to rating
//! through forms alone (no JavaScript), and bad input comes back beside its fields.

use crate::common;

use axum::http::StatusCode;
use common::Fixture;
use common::browser::{Page, Web};
use tongban_server::web::{Lang, MESSAGE_FILES};
use tongban_store::testing::each_backend;

fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

impl Web {
    /// Posts an action form of a case page, with the page's CSRF token and version.
    async fn act(&mut self, number: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(&format!("/cases/{number}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/cases/{number}/act"), &all).await
    }
}

const PUBLIC_PAGES: &[&str] = &[
    "/",
    "/items",
    "/items?q=%E5%A4%87%E6%A1%88&department=fgw&category=time_limited&page=1",
    "/items/620100-FGW-001",
    "/lists",
    "/figures",
    "/login",
    "/signup",
    "/kiosk",
    "/kiosk/items?q=%E5%A4%87%E6%A1%88",
    "/kiosk/items/620100-FGW-001",
    "/kiosk/lookup",
];

#[tokio::test]
async fn public_pages_render_in_both_languages_without_script() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let mut web = Web::new(&f);
        for uri in PUBLIC_PAGES {
            let page = web.get(uri).await;
            assert_eq!(page.status, StatusCode::OK, "{} {uri}: {}", f.t.name, page.body);
            assert!(page.has("<html lang=\"zh-CN\">"), "{uri}");
            assert!(page.has("href=\"#main\"") && page.has("id=\"main\""), "{uri} has a skip link");
            assert!(!page.has("[?]"), "{uri} uses a message missing from the files");
            assert!(!page.has("<script>"), "{uri} has no inline script");
        }
        let guide = web.get("/items/620100-FGW-001").await;
        for text in ["企业投资项目备案", "营业执照", "《企业投资项目核准和备案管理条例》", zh("item.apply_online")]
        {
            assert!(guide.has(text), "the guide shows {text}");
        }
        let lists = web.get("/lists").await;
        assert!(lists.has(zh("category.same_day")) && lists.has("620100-FGW-002"));
        let english = web.get("/items?lang=en").await;
        assert!(english.has("<html lang=\"en\">") && english.has(Lang::En.t("items.title")));
        let still = web.get("/lists").await;
        assert!(still.has("<html lang=\"en\">"), "the choice is remembered in a cookie");
        let back = web.get("/lists?lang=zh-CN").await;
        assert!(back.has("<html lang=\"zh-CN\">"));
        let css = web.get("/static/app.css").await;
        assert!(css.status == StatusCode::OK && css.has(":focus-visible"));
        assert_eq!(web.get("/items/620100-NOPE-001").await.status, StatusCode::NOT_FOUND);
        f.t.cleanup().await;
    }
}

/// The guide says where, when and who: the site's address, hours and phone, the windows
/// there that take the item (its department's and the comprehensive ones, not another
/// department's), the conditions and the steps in order; on the portal and the kiosk alike.
/// An item naming no site is handled at its department's site and asks the site's phone.
#[tokio::test]
async fn an_items_guide_shows_where_when_and_who_on_the_portal_and_the_kiosk() {
    use tongban_core::catalog::{CSV_COLUMNS, GUIDE_COLUMNS};
    use tongban_core::org::import::OrgKind;
    use tongban_server::app::Principal;
    use tongban_server::app::organisation::put_org_record;
    use tongban_server::app::tables::Upload;
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (app, admin) = (&f.state.app, Principal::console());
        let records: [(OrgKind, &[(&str, &str)]); 5] = [
            (
                OrgKind::Sites,
                &[
                    ("code", "main"),
                    ("name", "兰州市政务服务中心"),
                    ("division", "620100"),
                    ("address", "城关区北滨河中路 1 号"),
                    ("hours", "周一至周五 9:00-17:00"),
                    ("phone", "0931-8888888"),
                ],
            ),
            (
                OrgKind::Departments,
                &[("code", "fgw"), ("name", "兰州市发展和改革委员会"), ("division", "620100"), ("site", "main")],
            ),
            (OrgKind::Windows, &[("code", "W-01"), ("name", "发改委窗口"), ("department", "fgw"), ("site", "main")]),
            (OrgKind::Windows, &[("code", "ZH-01"), ("name", "综合窗口（一）"), ("site", "main")]),
            (OrgKind::Windows, &[("code", "W-09"), ("name", "住建局窗口"), ("department", "zjj"), ("site", "main")]),
        ];
        for (kind, fields) in records {
            let fields = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            put_org_record(app, &admin, kind, &fields).await.expect("an org record");
        }
        let catalog = format!(
            "{},{}\n\
             620100-FGW-001,企业投资项目备案,fgw,620100,filing,time_limited,20d,5d,营业执照|required|copy,,window;online,依据,main,\"一、申请人为企业；\n二、项目已立项。\",受理;审查;决定;送达,\n\
             620100-FGW-002,企业投资项目备案变更,fgw,620100,filing,same_day,,,,,window,依据,,,,发改委 0931-1234567\n",
            CSV_COLUMNS.join(","),
            GUIDE_COLUMNS.join(",")
        );
        tongban_server::app::import_catalog(app, &admin, "guides", &Upload::CSV, catalog.as_bytes())
            .await
            .expect("published");
        let mut web = Web::new(&f);
        for uri in ["/items/620100-FGW-001", "/kiosk/items/620100-FGW-001"] {
            let page = web.get(uri).await;
            assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
            for text in [
                zh("item.where"),
                "兰州市政务服务中心",
                "城关区北滨河中路 1 号",
                "周一至周五 9:00-17:00",
                zh("item.conditions"),
                "<p>一、申请人为企业；</p><p>二、项目已立项。</p>",
                "<ol class=\"steps\"><li>受理</li><li>审查</li><li>决定</li><li>送达</li></ol>",
                &format!("发改委窗口{}综合窗口（一）", zh("list.sep")),
            ] {
                assert!(page.has(text), "{} {uri} shows {text}: {}", f.t.name, page.body);
            }
            // No contact of its own: the site's phone, as whom to ask and as the site's.
            assert!(page.has("<dd class=\"contact\">0931-8888888</dd>"), "{uri}: {}", page.body);
            assert!(!page.has("住建局窗口"), "{uri}: another department's window is not offered");
            assert!(!page.has("[?]"), "{uri} uses a message missing from the files");
        }
        let page = web.get("/items/620100-FGW-002").await;
        assert!(page.has("城关区北滨河中路 1 号"), "no site named: the department's: {}", page.body);
        assert!(page.has("<dd class=\"contact\">发改委 0931-1234567</dd>"), "its own contact: {}", page.body);
        assert!(page.has(zh("item.not_given")), "no conditions, no steps: {}", page.body);
        let english = web.get("/items/620100-FGW-001?lang=en").await;
        assert!(english.has(Lang::En.t("item.steps")) && english.has(Lang::En.t("item.hours")));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn pages_check_who_asks() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let number = apply(&mut applicant).await;
        let mut anon = Web::new(&f);
        for uri in ["/hall", "/workbench", "/inbox", "/hall/apply/620100-FGW-001", &format!("/cases/{number}")] {
            let page = anon.get(uri).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
            assert!(page.location.starts_with("/login?next=%2F"), "{uri} → {}", page.location);
        }
        assert_eq!(applicant.get("/workbench").await.status, StatusCode::FORBIDDEN);
        assert_eq!(applicant.get("/inbox").await.status, StatusCode::FORBIDDEN);
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        assert_eq!(clerk.get("/inbox").await.status, StatusCode::FORBIDDEN);
        assert_eq!(clerk.get("/workbench").await.status, StatusCode::OK);
        let mut outsider = Web::new(&f);
        outsider.login("outsider").await;
        assert_eq!(outsider.get(&format!("/cases/{number}")).await.status, StatusCode::FORBIDDEN, "another department");
        let csrf = outsider.get("/").await.csrf();
        let refused = outsider.post(&format!("/cases/{number}/act"), &[("csrf", &csrf), ("action", "accept")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        // The applicant sees no staff actions; a forged one is refused by the server.
        let own = applicant.get(&format!("/cases/{number}")).await;
        assert!(!own.has("name=\"action\" value=\"accept\""));
        assert_eq!(applicant.act(&number, &[("action", "accept")]).await.status, StatusCode::FORBIDDEN);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn forms_need_their_csrf_token() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let number = apply(&mut applicant).await;
        let uri = format!("/cases/{number}/act");
        assert_eq!(clerk.post(&uri, &[("action", "accept")]).await.status, StatusCode::FORBIDDEN, "no token");
        assert_eq!(clerk.post(&uri, &[("action", "accept"), ("csrf", "0123")]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(clerk.post("/logout", &[]).await.status, StatusCode::FORBIDDEN);
        // Not logged in: the token must match the form cookie.
        let mut anon = Web::new(&f);
        anon.get("/login").await;
        let forged = anon.post("/login", &[("csrf", "x"), ("login", "clerk"), ("password", common::PASSWORD)]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let mut other = Web::new(&f);
        let token = other.get("/login").await.csrf();
        let stolen = anon.post("/login", &[("csrf", &token), ("login", "clerk"), ("password", common::PASSWORD)]).await;
        assert_eq!(stolen.status, StatusCode::FORBIDDEN, "another browser's token does not work");
        assert_eq!(clerk.act(&number, &[("action", "accept")]).await.status, StatusCode::SEE_OTHER);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_clerk_receives_an_applicant_at_the_window_and_owns_the_case() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let guide = clerk.get("/items/620100-FGW-001").await;
        assert!(guide.has(zh("workbench.receive")) && guide.has("href=\"/hall/apply/620100-FGW-001\""));
        let form = clerk.get("/hall/apply/620100-FGW-001").await;
        assert!(form.has(zh("apply.channel.window")));
        let csrf = form.csrf();
        let done = clerk
            .post(
                "/hall/apply/620100-FGW-001",
                &[
                    ("csrf", &csrf),
                    ("kind", "individual"),
                    ("name", "李四"),
                    ("id_number", "620102199001011233"),
                    ("materials", "项目备案申请表"),
                    ("materials", "营业执照"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let case = clerk.get(&done.location).await;
        assert!(case.has(zh("channel.window")) && case.has("<dd>clerk"), "the first contact owns the case");
        f.t.cleanup().await;
    }
}

/// Applies for 620100-FGW-001 through the hall's form; returns the case number.
async fn apply(applicant: &mut Web) -> String {
    let form = applicant.get("/hall/apply/620100-FGW-001").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.has("value=\"91350100M000100Y43\""), "the id number comes from the account");
    let csrf = form.csrf();
    let done = applicant
        .post_multipart(
            "/hall/apply/620100-FGW-001",
            &[
                ("csrf", &csrf),
                ("kind", "enterprise"),
                ("name", "兰州某某有限公司"),
                ("id_number", common::APPLICANT_ID),
                ("phone", "139 0000 1111"),
                ("materials", "项目备案申请表"),
            ],
            // File 1 is 营业执照: attaching it hands it in.
            &[("file.1", "application/pdf", b"%PDF-1.4 licence")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let number = done.location.trim_start_matches("/cases/").split('?').next().unwrap_or("").to_owned();
    assert!(number.starts_with("620100-2026-"), "{}", done.location);
    number
}

#[tokio::test]
async fn a_case_goes_from_application_to_rating_through_forms() {
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (mut applicant, mut clerk, mut approver) = (Web::new(&f), Web::new(&f), Web::new(&f));
        applicant.login("applicant").await;
        clerk.login("clerk").await;
        approver.login("approver").await;
        let number = apply(&mut applicant).await;
        let case = applicant.get(&format!("/cases/{number}?done=submitted")).await;
        assert!(case.has(zh("done.submitted")) && case.has(zh("state.submitted")));
        assert!(case.has("application/pdf"), "the uploaded file is listed");
        let mine = applicant.get("/hall").await;
        assert!(mine.has(&number));

        let queue = clerk.get("/workbench").await;
        assert!(queue.has(&format!("href=\"/cases/{number}\" accesskey=\"n\"")), "the oldest case is called next");
        let asked = clerk
            .act(
                &number,
                &[("action", "request_correction"), ("version", "1"), ("missing", "授权委托书"), ("note", "请补交")],
            )
            .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);

        let page = applicant.get(&format!("/cases/{number}")).await;
        assert!(page.has(zh("state.correction_requested")) && page.has("name=\"action\" value=\"resubmit\""));
        let csrf = page.csrf();
        let corrected = applicant
            .post_multipart(
                &format!("/cases/{number}/act"),
                &[("csrf", &csrf), ("action", "resubmit"), ("version", "2")],
                &[("file.2", "image/png", b"\x89PNG\r\n\x1a\nletter")],
            )
            .await;
        assert_eq!(corrected.status, StatusCode::SEE_OTHER, "{}", corrected.body);

        assert_eq!(clerk.act(&number, &[("action", "accept")]).await.status, StatusCode::SEE_OTHER);
        let inbox = approver.get("/inbox").await;
        assert!(inbox.has(&number) && inbox.has("g-approver"), "the inbox shows the case and the grant held");
        let decide = approver.get(&format!("/cases/{number}")).await;
        assert!(decide.has(zh("authority.under")) || decide.has("g-approver"));
        assert_eq!(
            approver.act(&number, &[("action", "approve"), ("note", "同意")]).await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            clerk.act(&number, &[("action", "deliver"), ("method", "electronic")]).await.status,
            StatusCode::SEE_OTHER
        );

        let result = applicant.get(&format!("/cases/{number}")).await;
        assert!(result.has(zh("state.delivered")) && result.has(zh("delivery.electronic")));
        assert!(result.has("g-clerk") || result.has("g-approver"), "decisions show the grant they were taken under");
        let rated = applicant.act(&number, &[("action", "rate"), ("score", "5"), ("comment", "很好")]).await;
        assert_eq!(rated.status, StatusCode::SEE_OTHER);
        let after = applicant.get(&format!("/cases/{number}")).await;
        assert!(after.has(zh("rating.5")) && !after.has("name=\"action\" value=\"rate\""));
        let figures = applicant.get("/figures").await;
        assert!(figures.has("<svg") && figures.has("100.0%"), "{}: on time and satisfied", f.t.name);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_input_comes_back_beside_its_fields_with_what_was_typed() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut anon = Web::new(&f);
        let csrf = anon.get("/signup").await.csrf();
        let page = anon
            .post(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("login", "No Spaces!"),
                    ("password", "short"),
                    ("name", "王小明"),
                    ("kind", "enterprise"),
                    ("id_number", "not-a-code"),
                    ("phone", "13800000000"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["login", "password", "id_number"] {
            assert!(page.has(&format!("id=\"err-{}\"", field.replace('_', "-"))), "an error beside {field}");
            assert!(page.has(&format!("aria-describedby=\"err-{}\"", field.replace('_', "-"))));
        }
        assert!(page.has("value=\"王小明\"") && page.has("value=\"No Spaces!\""), "what was typed is kept");
        assert!(!page.has("value=\"short\""), "never the password");

        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let csrf = applicant.get("/hall/apply/620100-FGW-001").await.csrf();
        let missing = applicant
            .post_multipart(
                "/hall/apply/620100-FGW-001",
                &[
                    ("csrf", &csrf),
                    ("kind", "enterprise"),
                    ("name", "兰州某某有限公司"),
                    ("id_number", common::APPLICANT_ID),
                    ("phone", "13812345678"),
                    ("materials", "项目备案申请表"),
                ],
                &[("file.2", "application/pdf", b"not a pdf")],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.has("id=\"err-file-2\""), "a bad file is refused beside its input");
        assert!(missing.has("value=\"13812345678\""));
        let csrf = missing.csrf();
        let missing = applicant
            .post(
                "/hall/apply/620100-FGW-001",
                &[
                    ("csrf", &csrf),
                    ("kind", "enterprise"),
                    ("name", "兰州某某有限公司"),
                    ("id_number", common::APPLICANT_ID),
                    ("materials", "项目备案申请表"),
                ],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.has("id=\"err-materials\"") && missing.has("营业执照"), "{}", missing.body);
        assert!(missing.has("value=\"项目备案申请表\" checked"), "ticked boxes stay ticked");
        assert_eq!(f.t.store.counts().await.expect("counts").0, 0, "nothing was written");

        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let number = apply(&mut applicant).await;
        let empty = clerk.act(&number, &[("action", "reject"), ("reason", "  ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.has("id=\"err-reason\""));
        let stale = clerk.act(&number, &[("action", "accept"), ("version", "9")]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.has(zh("err.conflict")));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_kiosk_finds_a_case_by_number_and_phone_and_resets_itself() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let number = apply(&mut applicant).await;
        let mut kiosk = Web::new(&f);
        let form = kiosk.get("/kiosk/lookup").await;
        assert!(form.has("http-equiv=\"refresh\"") && form.has("url=/kiosk"), "idle pages go back to the start");
        let csrf = form.csrf();
        let found =
            kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", &number), ("phone", "13900001111")]).await;
        assert_eq!(found.status, StatusCode::OK);
        assert!(found.has(&number) && found.has(zh("state.submitted")) && found.has("企业投资项目备案"));
        assert!(!found.has(common::APPLICANT_ID), "no personal data on a public screen");
        let wrong =
            kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", &number), ("phone", "13900009999")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has(zh("kiosk.not_found")) && wrong.has(&format!("value=\"{number}\"")));
        let empty = kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", ""), ("phone", "")]).await;
        assert!(empty.has("id=\"err-number\"") && empty.has("id=\"err-phone\""));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_kiosk_hands_out_queue_tickets_and_a_window_calls_them_oldest_first() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut kiosk = Web::new(&f);
        let home = kiosk.get("/kiosk").await;
        assert!(home.has("href=\"/kiosk/ticket\"") && home.has(zh("kiosk.take_ticket")));
        let form = kiosk.get("/kiosk/ticket").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.has("value=\"comprehensive\"") && form.has("value=\"fgw\"") && form.has("url=/kiosk"));
        let csrf = form.csrf();
        assert_eq!(
            kiosk.post("/kiosk/ticket", &[("queue", "fgw")]).await.status,
            StatusCode::FORBIDDEN,
            "no CSRF token"
        );
        let bad = kiosk.post("/kiosk/ticket", &[("csrf", &csrf), ("queue", "nope")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has("id=\"err-queue\"") && bad.has(zh("kiosk.ticket_no_queue")), "{}", bad.body);
        let empty = kiosk.post("/kiosk/ticket", &[("csrf", &csrf)]).await;
        assert!(empty.has("id=\"err-queue\""));
        let first = kiosk.post("/kiosk/ticket", &[("csrf", &csrf), ("queue", "fgw")]).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(first.has(">F001<") && first.has(&Lang::Zh.tf("kiosk.ticket_ahead", &[("n", "0")])), "{}", first.body);
        let second = kiosk.post("/kiosk/ticket", &[("csrf", &csrf), ("queue", "fgw")]).await;
        assert!(second.has(">F002<") && second.has(&Lang::Zh.tf("kiosk.ticket_ahead", &[("n", "1")])));
        // The JSON route, public like the kiosk.
        let (status, _, json) =
            f.call(&common::Caller::default(), "POST", "/api/v1/tickets", Some(r#"{"queue":"comprehensive"}"#)).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!((json["number"].as_str(), json["ahead"].as_i64()), (Some("A001"), Some(0)));
        let (status, _, _) =
            f.call(&common::Caller::default(), "POST", "/api/v1/tickets", Some(r#"{"queue":"nope"}"#)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        // Applicants call nothing.
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let csrf_a = applicant.get("/").await.csrf();
        assert_eq!(applicant.post("/workbench/call", &[("csrf", &csrf_a)]).await.status, StatusCode::FORBIDDEN);
        let mut anon = Web::new(&f);
        assert_eq!(anon.post("/workbench/call", &[]).await.status, StatusCode::FORBIDDEN);

        // The clerk of fgw calls fgw's and the comprehensive window's tickets, oldest first.
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let bench = clerk.get("/workbench").await;
        assert!(bench.has("action=\"/workbench/call\"") && bench.has("accesskey=\"t\""));
        assert!(bench.has(&Lang::Zh.tf("workbench.tickets_waiting", &[("n", "3")])), "{}", bench.body);
        let csrf_c = bench.csrf();
        assert_eq!(clerk.post("/workbench/call", &[]).await.status, StatusCode::FORBIDDEN, "no CSRF token");
        let called = clerk.post("/workbench/call", &[("csrf", &csrf_c)]).await;
        assert_eq!(called.status, StatusCode::SEE_OTHER);
        assert_eq!(called.location, "/workbench?called=F001");
        let shown = clerk.get(&called.location).await;
        assert!(shown.has("class=\"called-number\">F001<") && shown.has(zh("workbench.now_calling")));
        assert!(shown.has(&Lang::Zh.tf("workbench.tickets_waiting", &[("n", "2")])));
        // The clerk of another department sees only the comprehensive window's ticket.
        let mut outsider = Web::new(&f);
        outsider.login("outsider").await;
        let csrf_o = outsider.get("/workbench").await.csrf();
        let theirs = outsider.post("/workbench/call", &[("csrf", &csrf_o)]).await;
        assert_eq!(theirs.location, "/workbench?called=A001");
        assert_eq!(outsider.post("/workbench/call", &[("csrf", &csrf_o)]).await.location, "/workbench?called=none");
        let api_clerk = f.login("clerk").await;
        let (status, _, json) = f.call(&api_clerk, "POST", "/api/v1/tickets/next", None).await;
        assert_eq!((status, json["number"].as_str()), (StatusCode::OK, Some("F002")));
        let (status, _, _) = f.call(&api_clerk, "POST", "/api/v1/tickets/next", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let nobody = clerk.post("/workbench/call", &[("csrf", &csrf_c)]).await;
        assert_eq!(nobody.location, "/workbench?called=none");
        assert!(clerk.get(&nobody.location).await.has(zh("workbench.no_ticket")));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_administrator_imports_a_plan_from_bpmn_with_errors_beside_the_field() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let builtin = admin.get("/api/v1/plans/after-reform/bpmn").await.body;
        assert!(builtin.contains("definitions"), "{builtin}");
        // The center's own plan, exported from the built-in one under its own id.
        let bpmn = builtin.replace("process id=\"after-reform\"", "process id=\"city-plan\"");
        assert_ne!(bpmn, builtin);
        for who in ["clerk", "leader", "supervisor"] {
            let mut other = Web::new(&f);
            other.login(who).await;
            assert_eq!(other.get("/admin/plans/import").await.status, StatusCode::FORBIDDEN, "{who}");
            let csrf = other.get("/").await.csrf();
            let refused = other.post("/admin/plans/import", &[("csrf", &csrf), ("bpmn", &bpmn)]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        }
        let list = admin.get("/admin/plans").await;
        assert!(list.has("href=\"/admin/plans/import\""));
        let form = admin.get("/admin/plans/import").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        assert_eq!(admin.post("/admin/plans/import", &[("bpmn", &bpmn)]).await.status, StatusCode::FORBIDDEN);
        let empty = admin.post("/admin/plans/import", &[("csrf", &csrf), ("bpmn", " ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.has("id=\"err-bpmn\"") && empty.has(zh("plans.nothing")));
        let broken = bpmn.replacen("</bpmn:process>", "<bpmn:bogus id=\"B1\"/></bpmn:process>", 1);
        let broken = if broken == bpmn { bpmn.replacen("<", "<<", 2) } else { broken };
        let bad = admin.post("/admin/plans/import", &[("csrf", &csrf), ("bpmn", &broken)]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        let beside = bad.body.split("id=\"err-bpmn\"").nth(1).and_then(|r| r.split("</p>").next()).unwrap_or("");
        assert!(beside.contains("line") && beside.contains("B1"), "the element, its id and line: {beside}");
        assert!(bad.has("definitions"), "what was pasted is kept");
        let read_only = admin.post("/admin/plans/import", &[("csrf", &csrf), ("bpmn", &builtin)]).await;
        assert_eq!(read_only.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", read_only.body);
        let beside = read_only.body.split("id=\"err-bpmn\"").nth(1).unwrap_or("");
        assert!(beside.contains("read-only") || beside.contains("只读"), "{beside}");
        // A step's lead department must be one of the center's: refused beside the field,
        // naming the steps, until the center has them all.
        let strangers = admin
            .post_multipart("/admin/plans/import", &[("csrf", &csrf)], &[("file", "application/xml", bpmn.as_bytes())])
            .await;
        assert_eq!(strangers.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", strangers.body);
        let beside = strangers.body.split("id=\"err-file\"").nth(1).and_then(|r| r.split("</p>").next()).unwrap_or("");
        assert!(beside.contains("step LX02.lead_department") && beside.contains("政务服务中心"), "{beside}");
        let leads: std::collections::BTreeSet<String> =
            tongban_core::plan::reform::after_reform().steps().iter().map(|s| s.lead_department.clone()).collect();
        f.t.store
            .write(move |c| {
                Box::pin(async move {
                    for (i, name) in leads.into_iter().enumerate() {
                        let department = tongban_core::org::Department {
                            code: tongban_core::org::DepartmentCode::parse(&format!("d{i:02}")).expect("code"),
                            name,
                            division: tongban_core::division::DivisionCode::parse("620100").expect("code"),
                            site: None,
                        };
                        tongban_store::insert_department(c, &department).await?;
                    }
                    Ok::<_, tongban_store::StoreError>(())
                })
            })
            .await
            .expect("the plan's departments");
        let file = admin
            .post_multipart("/admin/plans/import", &[("csrf", &csrf)], &[("file", "application/xml", bpmn.as_bytes())])
            .await;
        assert_eq!(file.status, StatusCode::SEE_OTHER, "{}", file.body);
        assert!(file.location.starts_with("/admin/plans?done=plan_imported&v=1"), "{}", file.location);
        let shown = admin.get(&file.location).await;
        assert!(shown.has(zh("done.plan_imported")) && shown.has(zh("plans.imported")));
        let pasted = admin.post("/admin/plans/import", &[("csrf", &csrf), ("bpmn", &bpmn)]).await;
        assert!(pasted.location.starts_with("/admin/plans?done=plan_imported&v=2"), "{}", pasted.location);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_grant_form_gives_only_what_the_caller_holds() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        for who in ["applicant", "clerk", "supervisor"] {
            let mut other = Web::new(&f);
            other.login(who).await;
            assert_eq!(other.get("/admin/grants/new").await.status, StatusCode::FORBIDDEN, "{who}");
            let csrf = other.get("/").await.csrf();
            let refused =
                other.post("/admin/grants/new", &[("csrf", &csrf), ("grantee", "clerk2"), ("powers", "deliver")]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        }
        let mut approver = Web::new(&f);
        approver.login("approver").await;
        assert!(approver.get("/inbox").await.has("href=\"/admin/grants/new\""));
        let form = approver.get("/admin/grants/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.has("<option value=\"fgw\" selected"), "the caller's department first: {}", form.body);
        let csrf = form.csrf();
        let good = [
            ("grantee", "clerk2"),
            ("department", "fgw"),
            ("powers", "deliver"),
            ("items", "620100-FGW-001"),
            ("valid_until", "2026-12-31"),
        ];
        assert_eq!(approver.post("/admin/grants/new", &good).await.status, StatusCode::FORBIDDEN, "no CSRF token");
        let empty =
            approver.post("/admin/grants/new", &[("csrf", &csrf), ("grantee", ""), ("department", "fgw")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.has("id=\"err-grantee\"") && empty.has("id=\"err-powers\""));
        let bad = approver
            .post(
                "/admin/grants/new",
                &[
                    ("csrf", &csrf),
                    ("grantee", "nobody"),
                    ("department", "fgw"),
                    ("powers", "deliver"),
                    ("valid_until", "soon"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has("id=\"err-grantee\"") && bad.has("id=\"err-valid-until\""), "{}", bad.body);
        assert!(bad.has("value=\"nobody\"") && bad.has("value=\"soon\"") && bad.has("value=\"deliver\" checked"));
        // More than the approver holds: sign.
        let more = approver
            .post(
                "/admin/grants/new",
                &[("csrf", &csrf), ("grantee", "clerk2"), ("department", "fgw"), ("powers", "sign")],
            )
            .await;
        assert_eq!(more.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(more.has("id=\"err-powers\"") && more.has(zh("grant_err.exceeds")), "{}", more.body);
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(&good);
        let given = approver.post("/admin/grants/new", &fields).await;
        assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
        assert!(given.location.starts_with("/admin/grants/new?done=grant_created&id=g-"), "{}", given.location);
        assert!(approver.get(&given.location).await.has(zh("done.grant_created")));
        let delegations = f.t.store.delegations().await.expect("store");
        let g = delegations.grants().find(|g| g.grantee == "clerk2" && g.grantor == "approver").expect("the grant");
        assert_eq!(g.parent.as_deref(), Some("g-approver"), "re-delegated from the approver's own grant");
        assert!(g.valid_until.is_some() && g.items.as_ref().is_some_and(|i| i.len() == 1));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn an_administrator_imports_a_years_holidays_checked_before_storing() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let good = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-09,workday,元旦\n";
        for who in ["leader", "supervisor", "clerk"] {
            let mut other = Web::new(&f);
            other.login(who).await;
            assert_eq!(other.get("/admin/calendar/import").await.status, StatusCode::FORBIDDEN, "{who}");
            let csrf = other.get("/").await.csrf();
            let refused =
                other.post("/admin/calendar/import", &[("csrf", &csrf), ("year", "2027"), ("csv", good)]).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        }
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        assert!(admin.get("/admin/calendar").await.has("href=\"/admin/calendar/import?year="));
        let form = admin.get("/admin/calendar/import").await;
        assert_eq!(form.status, StatusCode::OK);
        let next = tongban_core::case::CaseNumber::year_of(f.state.now()) + 1;
        assert!(form.has(&format!("type=\"number\" value=\"{next}\"")), "next year by the server's clock");
        assert!(
            admin.get("/admin/calendar/import?year=2031").await.has("type=\"number\" value=\"2031\""),
            "?year= prefills"
        );
        let csrf = form.csrf();
        assert_eq!(
            admin.post("/admin/calendar/import", &[("year", "2027"), ("csv", good)]).await.status,
            StatusCode::FORBIDDEN
        );
        let empty = admin.post("/admin/calendar/import", &[("csrf", &csrf), ("year", "soon"), ("csv", "")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.has("id=\"err-year\"") && empty.has("id=\"err-csv\"") && empty.has("value=\"soon\""));
        let typo = "date,kind,name\n2027-01-01,holliday,元旦\n";
        let bad = admin.post("/admin/calendar/import", &[("csrf", &csrf), ("year", "2027"), ("csv", typo)]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has("id=\"err-csv\"") && bad.has("line 2, column 2") && bad.has("holliday"), "{}", bad.body);
        let other_year = "date,kind,name\n2028-01-01,holiday,元旦\n";
        let wrong =
            admin.post("/admin/calendar/import", &[("csrf", &csrf), ("year", "2027"), ("csv", other_year)]).await;
        assert!(wrong.has("id=\"err-csv\"") && wrong.has("2028-01-01"));
        let conflict = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-01,workday,元旦\n";
        let refused =
            admin.post("/admin/calendar/import", &[("csrf", &csrf), ("year", "2027"), ("csv", conflict)]).await;
        assert!(refused.has("id=\"err-csv\""), "the merged calendar is checked first");
        assert!(f.t.store.calendar_years().await.expect("store").is_empty(), "nothing stored yet");
        let done = admin
            .post_multipart(
                "/admin/calendar/import",
                &[("csrf", &csrf), ("year", "2027")],
                &[("file", "text/csv", good.as_bytes())],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location, "/admin/calendar?year=2027&done=calendar_imported");
        assert!(admin.get(&done.location).await.has(zh("done.calendar_imported")));
        let stored = f.t.store.calendar_years().await.expect("store");
        assert_eq!(
            stored.iter().map(|y| (y.schedule.year(), y.schedule.days().len())).collect::<Vec<_>>(),
            [(2027, 2)]
        );
        // In effect at once: the page shows 2027 as announced, no restart needed.
        assert!(!f.state.calendar().is_provisional_year(2027));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn running_projects_are_drawn_on_their_plans_with_the_critical_path() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut supervisor = Web::new(&f);
        supervisor.login("supervisor").await;
        let none = supervisor.get("/supervision/projects").await;
        assert_eq!(none.status, StatusCode::OK);
        assert!(none.has(zh("proj.none")) && none.has("href=\"/supervision/projects\""));
        let admin = f.login("admin").await;
        let project = serde_json::json!({
            "code": "2026-620102-47-01-000001", "name": "停车场", "unit": "某公司",
            "project_type": "small", "small_type": "parking_lot", "investment_yuan": 1000, "division": "620102"
        });
        let (status, _, answer) = f.call(&admin, "POST", "/api/v1/projects", Some(&project.to_string())).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let code = "2026-620102-47-01-000001";
        let (status, _, answer) =
            f.call(&admin, "POST", &format!("/api/v1/projects/{code}/run"), Some(r#"{"plan":"after-reform"}"#)).await;
        assert!(status.is_success(), "{answer}");
        let (status, _, answer) =
            f.call(&admin, "POST", &format!("/api/v1/projects/{code}/steps/LX01/start"), None).await;
        assert!(status.is_success(), "{answer}");
        let page = supervisor.get("/supervision/projects").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.has(&format!("id=\"project-{code}\"")) && page.has("停车场"), "{}", page.body);
        assert!(page.has("<svg class=\"dag\"") && page.has("role=\"img\""));
        assert!(page.has("class=\"step state-running crit\"") || page.has("class=\"step state-running\""));
        assert!(page.has("class=\"edge crit\"") && page.has("state-waiting"), "the critical path is drawn");
        assert!(page.has(zh("module.initiation")) && page.has(zh("proj.critical")));
        let english = supervisor.get("/supervision/projects?lang=en").await;
        assert!(english.has(Lang::En.t("proj.title")));
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        assert_eq!(clerk.get("/supervision/projects").await.status, StatusCode::OK);
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        assert_eq!(applicant.get("/supervision/projects").await.status, StatusCode::FORBIDDEN);
        let mut anon = Web::new(&f);
        assert_eq!(anon.get("/supervision/projects").await.status, StatusCode::SEE_OTHER);
        f.t.cleanup().await;
    }
}

/// Every supervision and administration page.
const OVERSIGHT_PAGES: &[&str] = &[
    "/supervision",
    "/supervision?wall=1",
    "/supervision/alerts",
    "/supervision/accountability",
    "/supervision/figures",
    "/supervision/figures?by=staff&from=2026-01-01&until=2026-12-31",
    "/supervision/concerns",
    "/admin",
    "/admin/org",
    "/admin/staff",
    "/admin/grants",
    "/admin/calendar",
    "/admin/calendar?year=2025",
    "/admin/rules",
    "/admin/plans",
];

/// Which of [`OVERSIGHT_PAGES`] each login may open (1) or is refused (0).
const OVERSIGHT_MATRIX: &[(&str, &str)] = &[
    ("admin", "111111111111111"),
    ("leader", "111111111111111"),
    ("supervisor", "111111100000010"),
    // Heads and approvers open the grants page for their own department's grants.
    ("head", "111111100010000"),
    ("approver", "001100000010000"),
    ("clerk", "001100000000000"),
    ("applicant", "000000000000000"),
];

#[tokio::test]
async fn supervision_and_administration_pages_check_who_asks() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut anon = Web::new(&f);
        for uri in OVERSIGHT_PAGES {
            let page = anon.get(uri).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
            assert!(page.location.starts_with("/login?next=%2F"), "{uri} → {}", page.location);
        }
        for (login, allowed) in OVERSIGHT_MATRIX {
            let mut web = Web::new(&f);
            web.login(login).await;
            for (uri, may) in OVERSIGHT_PAGES.iter().zip(allowed.chars()) {
                let page = web.get(uri).await;
                let expected = if may == '1' { StatusCode::OK } else { StatusCode::FORBIDDEN };
                assert_eq!(page.status, expected, "{login} {uri}: {}", page.body);
                if page.status == StatusCode::OK {
                    assert!(!page.has("[?]"), "{uri} uses a message missing from the files");
                    assert!(page.has("href=\"#main\"") && page.has("id=\"main\""), "{uri} has a skip link");
                }
            }
        }
        // Center leaders read the administration; they cannot change it, not even by posting.
        let mut leader = Web::new(&f);
        leader.login("leader").await;
        let staff = leader.get("/admin/staff").await;
        assert!(staff.has(zh("admin.read_only")) && !staff.has("action=\"/admin/staff\""));
        assert!(!leader.get("/admin/grants").await.has("/revoke\""));
        let csrf = staff.csrf();
        let fields = [("csrf", csrf.as_str()), ("login", "sneaky"), ("password", "long enough password")];
        assert_eq!(leader.post("/admin/staff", &fields).await.status, StatusCode::FORBIDDEN);
        let revoke = leader.post("/admin/grants/g-clerk/revoke", &[("csrf", &csrf)]).await;
        assert_eq!(revoke.status, StatusCode::FORBIDDEN);
        assert_eq!(
            leader.post("/admin/rules", &[("csrf", &csrf), ("scope", "center")]).await.status,
            StatusCode::FORBIDDEN
        );
        // The navigation leads each role to its pages; after logging in they start there.
        let home = leader.get("/").await;
        assert!(home.has("href=\"/supervision\"") && home.has("href=\"/admin\""));
        let mut supervisor = Web::new(&f);
        let form = supervisor.get("/login").await;
        let csrf = form.csrf();
        let done = supervisor
            .post("/login", &[("csrf", &csrf), ("login", "supervisor"), ("password", common::PASSWORD), ("next", "")])
            .await;
        assert_eq!(done.location, "/supervision");
        // Without the worker on this server the board says where it is.
        let board = supervisor.get("/supervision").await;
        assert!(board.has(zh("sup.not_here")), "{}", board.body);
        assert!(board.has("http-equiv=\"refresh\""), "the board reloads itself");
        assert!(supervisor.get("/admin/rules").await.has("action=\"/admin/rules\""), "supervisors set rules");
        f.t.cleanup().await;
    }
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    // Bounded: the worker ticks every 20 ms; 30 s is a generous ceiling, never a timing assertion.
    for _ in 0..1500 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("gave up waiting for {what}");
}

/// The value of the first hidden `since` field of a page.
fn since_of(page: &Page) -> String {
    let at = page.body.find("name=\"since\" value=\"").expect("a form with a since field") + 20;
    page.body[at..].split('"').next().unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_shows_an_overdue_case_and_the_department_answers_for_it() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    for t in each_backend().await {
        // Mon 2 Mar 2026 10:00 CST; moved forward by the test.
        let now = Arc::new(AtomicI64::new(1_772_416_800));
        let clock_now = now.clone();
        let f = Fixture::with_clock(
            t,
            Arc::new(move || jiff::Timestamp::from_second(clock_now.load(Ordering::SeqCst)).expect("valid")),
        )
        .await;
        let (mut applicant, mut clerk) = (Web::new(&f), Web::new(&f));
        applicant.login("applicant").await;
        clerk.login("clerk").await;
        let number = apply(&mut applicant).await;
        assert_eq!(clerk.act(&number, &[("action", "accept")]).await.status, StatusCode::SEE_OTHER);
        now.store(1_773_104_400, Ordering::SeqCst); // Tue 10 Mar 09:00 CST: overdue
        let worker = tongban_server::app::worker::spawn(f.state.app.clone(), std::time::Duration::from_millis(20));
        let (mut supervisor, mut head, mut approver) = (Web::new(&f), Web::new(&f), Web::new(&f));
        supervisor.login("supervisor").await;
        head.login("head").await;
        approver.login("approver").await;
        clerk.login("clerk").await; // sessions last 12 hours
        wait_for("the red case on the board", async || {
            supervisor.get("/supervision").await.has(&format!("href=\"/cases/{number}\""))
        })
        .await;
        let board = supervisor.get("/supervision").await;
        assert!(board.has("case-tile tile-red") && board.has(zh("sup.worker_here")), "{}", board.body);
        assert!(board.has("企业投资项目备案"), "the tile names the service");
        let wall = supervisor.get("/supervision?wall=1").await;
        assert!(
            wall.has("<body class=\"wall\">")
                && wall.has("http-equiv=\"refresh\"")
                && !wall.has("aria-label=\"主导航\"")
        );
        let mine = head.get("/supervision").await;
        assert!(
            mine.has(&format!("href=\"/cases/{number}\"")) && mine.has("发展和改革委员会"),
            "the head's department"
        );
        wait_for("the alert", async || supervisor.get("/supervision/alerts").await.has(&number)).await;
        let alerts = clerk.get("/supervision/alerts").await;
        assert!(alerts.has(&number) && alerts.has(zh("escalation.owner")), "the department's staff see its alerts");
        let mut outsider = Web::new(&f);
        outsider.login("outsider").await;
        assert!(!outsider.get("/supervision/alerts").await.has(&number), "not another department's");
        wait_for("the accountability record", async || head.get("/supervision/accountability").await.has("/answer\""))
            .await;

        // The head answers: empty text comes back beside the field; then it is recorded.
        let records = head.get("/supervision/accountability").await;
        assert!(!records.has("/close\""), "only a supervisor closes");
        let (csrf, since) = (records.csrf(), since_of(&records));
        let answer = format!("/supervision/accountability/{number}/answer");
        let close = format!("/supervision/accountability/{number}/close");
        assert_eq!(head.post(&answer, &[("since", &since), ("text", "x")]).await.status, StatusCode::FORBIDDEN, "CSRF");
        let early = supervisor.get("/supervision/accountability").await;
        assert!(!early.has("/close\""), "nothing to close before the answer");
        let refused = supervisor.post(&close, &[("csrf", &early.csrf()), ("since", &since), ("text", "结案")]).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.has(zh("acct.not_answered")));
        let empty = head.post(&answer, &[("csrf", &csrf), ("since", &since), ("text", "  ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.has("id=\"err-text\"") && empty.has("aria-describedby=\"err-text\""), "{}", empty.body);
        let done = head.post(&answer, &[("csrf", &csrf), ("since", &since), ("text", "专家评审延误，已整改")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.location.contains("done=accountability_answered"));
        let again = approver.get("/supervision/accountability").await;
        let late = approver.post(&answer, &[("csrf", &again.csrf()), ("since", &since), ("text", "再说明")]).await;
        assert_eq!(late.status, StatusCode::CONFLICT);
        assert!(late.has(zh("acct.not_open")), "{}", late.body);

        // The supervisor closes it.
        let page = supervisor.get("/supervision/accountability?state=answered").await;
        assert!(page.has("专家评审延误，已整改") && page.has("/close\""));
        let closed =
            supervisor.post(&close, &[("csrf", &page.csrf()), ("since", &since), ("text", "情况属实，予以结案")]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
        let after = supervisor.get(&closed.location).await;
        assert!(after.has(zh("done.accountability_closed")) && after.has("情况属实，予以结案"));
        assert!(after.has(&format!("{} (1)", zh("acct_state.closed"))));
        worker.abort();

        // Figures by department, window, person and service, with their charts.
        for by in ["department", "window", "staff", "item"] {
            let figures = supervisor.get(&format!("/supervision/figures?by={by}")).await;
            assert_eq!(figures.status, StatusCode::OK);
            assert!(figures.has("<svg") && figures.has("role=\"img\""), "{by}");
        }
        let concerns = supervisor.get("/supervision/concerns").await;
        assert_eq!(concerns.status, StatusCode::OK);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn administration_forms_post_with_csrf_and_show_errors_beside_fields() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let page = admin.get("/admin/staff").await;
        assert!(page.has("<code>clerk</code>") && !page.has("<code>applicant</code>"), "staff accounts only");
        let csrf = page.csrf();
        let good = [
            ("login", "new.reviewer"),
            ("password", "long enough password"),
            ("name", "新审核员"),
            ("role", "reviewer"),
            ("department", "fgw"),
        ];
        assert_eq!(admin.post("/admin/staff", &good).await.status, StatusCode::FORBIDDEN, "no CSRF token");
        let bad = admin
            .post(
                "/admin/staff",
                &[
                    ("csrf", &csrf),
                    ("login", "No Spaces"),
                    ("password", "short"),
                    ("name", "新审核员"),
                    ("role", "reviewer"),
                    ("department", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["login", "password", "department"] {
            assert!(bad.has(&format!("id=\"err-{field}\"")), "an error beside {field}: {}", bad.body);
        }
        assert!(bad.has("value=\"No Spaces\"") && bad.has("value=\"新审核员\"") && !bad.has("value=\"short\""));
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(&good);
        let created = admin.post("/admin/staff", &fields).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let list = admin.get(&created.location).await;
        assert!(list.has("<code>new.reviewer</code>") && list.has(zh("done.staff_created")));
        let taken = admin.post("/admin/staff", &fields).await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(taken.has("id=\"err-login\"") && taken.has(zh("err.login_taken")));
        // A role change, and a bad one.
        let changed = admin.post("/admin/staff/clerk2/role", &[("csrf", &csrf), ("role", "approver")]).await;
        assert_eq!(changed.status, StatusCode::SEE_OTHER);
        assert_eq!(f.t.store.account("clerk2").await.expect("store").expect("clerk2").role.as_str(), "approver");
        let wrong = admin.post("/admin/staff/clerk2/role", &[("csrf", &csrf), ("role", "emperor")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has("id=\"err-role\""));
        assert_eq!(
            admin.post("/admin/staff/nobody/role", &[("csrf", &csrf), ("role", "reviewer")]).await.status,
            StatusCode::NOT_FOUND
        );

        // The delegation tree, and revoking a grant.
        let grants = admin.get("/admin/grants").await;
        assert!(grants.has("id=\"grant-g-approver\"") && grants.has("HEAD") && grants.has(zh("grant.expired")));
        let revoked = admin.post("/admin/grants/g-approver/revoke", &[("csrf", &csrf)]).await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
        let tree = admin.get(&revoked.location).await;
        assert!(tree.has(zh("done.grant_revoked")) && tree.has("grant-node grant-revoked"));
        assert_eq!(
            admin.post("/admin/grants/g-approver/revoke", &[("csrf", &csrf)]).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(admin.post("/admin/grants/g-none/revoke", &[("csrf", &csrf)]).await.status, StatusCode::NOT_FOUND);

        // Supervision rules: errors beside the fields, then set.
        let rule = |scope: &'static str, key: &'static str, used: &'static str, left: &'static str| {
            [("scope", scope), ("key", key), ("used_percent", used), ("remaining_minutes", left)]
        };
        let mut post_rule = async |fields: [(&'static str, &'static str); 4]| {
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend_from_slice(&fields);
            admin.post("/admin/rules", &all).await
        };
        let bad = post_rule(rule("department", "", "150", "-3")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["key", "used-percent", "remaining-minutes"] {
            assert!(bad.has(&format!("id=\"err-{field}\"")), "an error beside {field}");
        }
        assert!(bad.has("value=\"150\""), "what was typed is kept");
        let unknown = post_rule(rule("department", "nope", "70", "240")).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.has("id=\"err-key\"") && unknown.has(zh("admin_err.key")));
        let set = post_rule(rule("department", "fgw", "70", "240")).await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let rules = admin.get(&set.location).await;
        assert!(rules.has(zh("done.rule_set")) && rules.has("<code>fgw</code>") && rules.has("70%"));

        // The catalog with its reform comparison: a reform drops a service and a material.
        let mut items = f.t.store.items_in_version(1).await.expect("items");
        let dropped = items.pop().expect("two items").code;
        items[0].materials.pop();
        let published = common::at("2026-02-01T00:00:00Z");
        f.t.store
            .write(move |c| {
                Box::pin(async move { tongban_store::insert_catalog_version(c, "reform", &items, published).await })
            })
            .await
            .expect("version 2");
        let catalog = admin.get("/admin").await;
        assert!(catalog.has("v2") && catalog.has(zh("admin.reform")) && catalog.has("<svg"), "{}", catalog.body);
        assert!(catalog.has(&format!("<code>{dropped}</code>")), "the removed service is listed");
        assert!(catalog.has("-50.0%"), "two services became one: {}", catalog.body);
        let same = admin.get("/admin?before=1&after=1").await;
        assert!(same.has(">0%<"), "a version compared with itself changes nothing");
        let wrong = admin.get("/admin?before=9").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has("id=\"err-before\""));
        let calendar = admin.get("/admin/calendar?year=2026").await;
        assert!(calendar.has(zh("cal.holiday")) && calendar.has(zh("cal.workday")) && calendar.has(zh("cal.builtin")));
        assert!(admin.get("/admin/org").await.has("住房和城乡建设局"));
        assert!(admin.get("/admin/plans").await.has("href=\"/api/v1/plans/"));

        // Figures: a bad period comes back beside its fields.
        let mut supervisor = Web::new(&f);
        supervisor.login("supervisor").await;
        let period = supervisor.get("/supervision/figures?by=staff&from=2026-03-02&until=2026-03-01").await;
        assert_eq!(period.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(period.has("id=\"err-until\"") && period.has("value=\"2026-03-02\""));
        let bad_date = supervisor.get("/supervision/figures?from=yesterday&until=2026-03-01").await;
        assert!(bad_date.has("id=\"err-from\""));
        f.t.cleanup().await;
    }
}

/// The web module's sources, without comments.
fn web_sources() -> Vec<(String, String)> {
    // Every page source, folders included (web/admin/, …).
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("src/web") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| l.split(" // ").next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push((path.display().to_string(), code));
            }
        }
    }
    let mut out = Vec::new();
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web")), &mut out);
    assert!(out.iter().any(|(p, _)| p.contains("/admin/")), "found the web sources in their folders");
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

#[test]
fn templates_hold_no_chinese_text_outside_the_message_files() {
    for (path, code) in web_sources() {
        for (n, line) in code.lines().enumerate() {
            assert!(!line.chars().any(is_cjk), "{path}:{}: Chinese text belongs in messages/: {line}", n + 1);
        }
    }
}

fn keys_of(text: &str) -> std::collections::BTreeSet<String> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut std::collections::BTreeSet<String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                _ => {
                    out.insert(key);
                }
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk("", &text.parse::<toml::Table>().expect("a message file parses"), &mut out);
    out
}

#[test]
fn both_message_files_have_every_key_the_pages_use() {
    let files: Vec<_> = MESSAGE_FILES.iter().map(|(lang, text)| (*lang, keys_of(text))).collect();
    assert_eq!(files[0].1, files[1].1, "zh-CN and en have the same keys");
    let keys = &files[0].1;
    let tables: std::collections::BTreeSet<&str> = keys.iter().filter_map(|k| k.split('.').next()).collect();
    // Every literal that looks like a key of a known table must be one.
    for (path, code) in web_sources() {
        for literal in code.split('"').skip(1).step_by(2) {
            let looks_like_key = literal.contains('.')
                && literal.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && tables.contains(literal.split('.').next().unwrap_or(""));
            if looks_like_key && !literal.ends_with('.') {
                assert!(keys.contains(literal), "{path}: the key {literal:?} is in no message file");
            }
        }
    }
    // Keys built at run time, from the domain's own lists.
    use tongban_core::case::CaseState;
    use tongban_core::identity::{Power, Role};
    use tongban_core::item::{Category, Channel};
    let mut dynamic: Vec<String> = Vec::new();
    dynamic.extend(CaseState::ALL.iter().flat_map(|s| [format!("state.{s}"), format!("kiosk.next.{s}")]));
    dynamic.extend(Role::ALL.iter().map(|r| format!("role.{r}")));
    dynamic.extend(Power::ALL.iter().map(|p| format!("power.{}", p.as_str())));
    dynamic.extend(
        Category::ALL
            .iter()
            .flat_map(|c| [format!("category.{}", c.as_str()), format!("category_text.{}", c.as_str())]),
    );
    dynamic.extend(Channel::ALL.iter().map(|c| format!("channel.{}", c.as_str())));
    dynamic.extend((1..=5).map(|n| format!("rating.{n}")));
    dynamic.extend((1..=7).map(|n| format!("weekday.{n}")));
    for (table, values) in [
        ("level", &["green", "yellow", "red"][..]),
        ("escalation", &["owner", "chief", "supervisor"]),
        ("acct_state", &["open", "answered", "closed"]),
        (
            "concern",
            &[
                "repeated_correction",
                "accepted_with_missing_materials",
                "bad_rating",
                "decision_without_valid_authority",
            ],
        ),
        ("fig", &["by_department", "by_window", "by_staff", "by_item"]),
        ("grant", &["active", "expired", "pending", "broken", "revoked"]),
        ("cal", &["holiday", "workday"]),
        ("rules", &["scope_center", "scope_department", "scope_item"]),
        ("admin", &["before", "after"]),
        (
            "done",
            &[
                "accountability_answered",
                "accountability_closed",
                "staff_created",
                "role_changed",
                "grant_revoked",
                "rule_set",
            ],
        ),
    ] {
        dynamic.extend(values.iter().map(|v| format!("{table}.{v}")));
    }
    for event in [
        "submitted",
        "accepted",
        "rejected",
        "correction_requested",
        "resubmitted",
        "step_completed",
        "suspended",
        "resumed",
        "approved",
        "denied",
        "delivered",
        "hand_over_offered",
        "handed_over",
        "reassigned",
        "rated",
        "rating_answered",
        "returned",
        "reopened",
        "due_recomputed",
    ] {
        dynamic.push(format!("event.{event}"));
    }
    for action in tongban_core::case::CaseCommandKind::ALL.map(|k| k.as_str()) {
        dynamic.push(format!("action.{action}"));
        dynamic.push(format!("done.{action}"));
    }
    for key in dynamic {
        assert!(keys.contains(&key), "the key {key:?} is in no message file");
    }
}

#[tokio::test]
async fn a_due_time_in_a_year_not_yet_announced_is_marked_provisional_on_the_pages() {
    for t in each_backend().await {
        let clock: tongban_server::Clock = std::sync::Arc::new(|| common::at("2026-12-29T02:00:00Z"));
        let f = Fixture::with_clock(t, clock).await;
        let applicant = f.login("applicant").await;
        let clerk = f.login("clerk").await;
        let n = f.submit(&applicant).await;
        assert_eq!(f.act(&clerk, &n, serde_json::json!({"action": "accept"})).await.0, StatusCode::OK);
        let mut web = Web::new(&f);
        web.login("clerk").await;
        let page = web.get(&format!("/cases/{n}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.has(zh("case.provisional")), "{}", page.body);
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let cal = admin.get("/admin/calendar").await;
        assert!(cal.has(&zh("cal.load_warning").replace("{year}", "2027")), "{}", cal.body);
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn a_clerk_verifies_an_identity_at_the_window_and_accounts_are_disabled_and_passwords_changed() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        // A newcomer signs up, unverified: the hall says so and how to change it.
        let mut newcomer = Web::new(&f);
        let csrf = newcomer.get("/signup").await.csrf();
        let signed = newcomer
            .post(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("login", "newcomer"),
                    ("password", "long enough password"),
                    ("name", "张三"),
                    ("kind", "individual"),
                    ("id_number", "620102199001011233"),
                ],
            )
            .await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        let hall = newcomer.get("/hall").await;
        assert!(hall.has(zh("hall.unverified")), "{}", hall.body);

        // The window: refused to others, errors beside the field, typed values kept.
        let mut reviewer = Web::new(&f);
        reviewer.login("reviewer").await;
        assert_eq!(reviewer.get("/workbench/verify").await.status, StatusCode::FORBIDDEN);
        let mut clerk = Web::new(&f);
        clerk.login("clerk").await;
        let form = clerk.get("/workbench/verify").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let bad = clerk
            .post(
                "/workbench/verify",
                &[("csrf", &csrf), ("login", "newcomer"), ("id_number", "620102199001011234"), ("name", "张三")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has("id=\"err-id-number\"") && bad.has("value=\"620102199001011234\""), "{}", bad.body);
        let taken = clerk
            .post(
                "/workbench/verify",
                &[("csrf", &csrf), ("login", "newcomer"), ("id_number", common::APPLICANT_ID), ("name", "张三")],
            )
            .await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY, "an individual is not verified under a credit code");
        let nobody = clerk
            .post(
                "/workbench/verify",
                &[("csrf", &csrf), ("login", "nobody"), ("id_number", "620102199001011233"), ("name", "张三")],
            )
            .await;
        assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(nobody.has(zh("verify.no_account")), "the window's own words beside the field: {}", nobody.body);
        let done = clerk
            .post(
                "/workbench/verify",
                &[("csrf", &csrf), ("login", "newcomer"), ("id_number", "620102199001011233"), ("name", "张三")],
            )
            .await;
        assert_eq!((done.status, done.location.as_str()), (StatusCode::SEE_OTHER, "/workbench?done=identity_verified"));
        assert!(newcomer.get("/hall").await.has(zh("hall.verified_window")));

        // The administrator disables the newcomer: the session ends at once.
        let mut admin = Web::new(&f);
        admin.login("admin").await;
        let csrf = admin.get("/admin/staff").await.csrf();
        let off = admin.post("/admin/staff/clerk2/disabled", &[("csrf", &csrf), ("disabled", "1")]).await;
        assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
        assert!(admin.get(&off.location).await.has(zh("done.account_disabled")));
        let mut clerk2 = Web::new(&f);
        let csrf = clerk2.get("/login").await.csrf();
        let refused =
            clerk2.post("/login", &[("csrf", &csrf), ("login", "clerk2"), ("password", common::PASSWORD)]).await;
        assert_ne!(refused.status, StatusCode::SEE_OTHER, "a disabled account cannot log in");

        // A password change: the wrong current password is an error beside its field.
        let csrf = clerk.get("/account/password").await.csrf();
        let wrong = clerk
            .post(
                "/account/password",
                &[("csrf", &csrf), ("current_password", "nope"), ("new_password", "a new long password")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has("id=\"err-current-password\""), "{}", wrong.body);
        let changed = clerk
            .post(
                "/account/password",
                &[("csrf", &csrf), ("current_password", common::PASSWORD), ("new_password", "a new long password")],
            )
            .await;
        assert_eq!(changed.location, "/account/password?done=password_changed");
        assert!(clerk.get(&changed.location).await.has(zh("done.password_changed")));
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn the_code_page_keeps_errors_beside_the_field() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut applicant = Web::new(&f);
        applicant.login("applicant").await;
        let form = applicant.get("/hall/verify/sms").await;
        assert_eq!(form.status, StatusCode::OK);
        let csrf = form.csrf();
        let wrong = applicant.post("/hall/verify/sms/confirm", &[("csrf", &csrf), ("code", "000000")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.has("id=\"err-code\""), "{}", wrong.body);
        f.t.cleanup().await;
    }
}

/// The action forms a case page shows.
fn offered_forms(page: &Page) -> std::collections::BTreeSet<String> {
    page.body
        .match_indices("name=\"action\" value=\"")
        .filter_map(|(at, m)| page.body[at + m.len()..].split('"').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn both_doors_offer_the_same_commands_in_every_state_to_every_role() {
    use serde_json::json;
    use tongban_core::case::CaseNumber;
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, approver) = (f.login("applicant").await, f.login("approver").await);
        // The case's named owner (the clerk at fgw's window) is the one who hands it over.
        let owner = f.login("clerk").await;
        let accept = json!({"action": "accept"});
        let approve = json!({"action": "approve"});
        let deliver = json!({"action": "deliver", "method": "window"});
        // (state, the commands that lead there: by the approver, or the applicant's rating)
        let paths: Vec<(&str, Vec<serde_json::Value>)> = vec![
            ("submitted", vec![]),
            ("correction_requested", vec![json!({"action": "request_correction", "missing": ["营业执照"]})]),
            ("rejected", vec![json!({"action": "reject", "reason": "不属于受理范围"})]),
            ("accepted", vec![accept.clone()]),
            ("in_process", vec![accept.clone(), json!({"action": "complete_step", "step": "审核"})]),
            ("suspended", vec![accept.clone(), json!({"action": "suspend", "reason": "专家评审"})]),
            ("approved", vec![accept.clone(), approve.clone()]),
            ("denied", vec![accept.clone(), json!({"action": "deny", "reason": "不符合", "legal_basis": "第十条"})]),
            ("delivered", vec![accept.clone(), approve.clone(), deliver.clone()]),
            (
                "rated_bad",
                vec![accept.clone(), approve.clone(), deliver.clone(), json!({"action": "rate", "score": 1})],
            ),
            ("offered", vec![json!({"action": "hand_over", "to": "clerk2"})]),
        ];
        let mut cases = Vec::new();
        for (state, steps) in paths {
            let number = f.submit(&applicant).await;
            for step in steps {
                let who = match step["action"].as_str() {
                    Some("rate") => &applicant,
                    Some("hand_over") => &owner,
                    _ => &approver,
                };
                let (s, v) = f.act(who, &number, step.clone()).await;
                assert!(s.is_success(), "{state}: {step} → {s} {v}");
            }
            cases.push((state, number));
        }
        for (login, role, _) in common::ACCOUNTS.iter().filter(|(l, ..)| *l != "expired") {
            let mut web = Web::new(&f);
            web.login(login).await;
            let api = f.login(login).await;
            for (state, number) in &cases {
                let page = web.get(&format!("/cases/{number}")).await;
                let (api_status, _, _) = f.call(&api, "GET", &format!("/api/v1/cases/{number}"), None).await;
                if page.status == StatusCode::FORBIDDEN {
                    assert_eq!(api_status, StatusCode::FORBIDDEN, "{login} on a {state} case: the API lets in");
                    continue;
                }
                assert_eq!((page.status, api_status), (StatusCode::OK, StatusCode::OK), "{login} on {state}");
                let case =
                    f.t.store
                        .case_by_number(&CaseNumber::parse(number).expect("number"))
                        .await
                        .expect("read")
                        .expect("case");
                let item =
                    f.t.store.item_in_version(&case.item, case.item_version).await.expect("read").expect("item").item;
                let expected: std::collections::BTreeSet<String> =
                    case.available(*role, login, item.category).into_iter().map(|k| k.as_str().to_owned()).collect();
                assert_eq!(offered_forms(&page), expected, "{} {login} ({role}) on a {state} case", f.t.name);
            }
        }
        f.t.cleanup().await;
    }
}

#[tokio::test]
async fn return_reopen_reassign_and_the_answer_to_a_bad_rating_work_from_the_case_page() {
    use serde_json::json;
    for t in each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, approver) = (f.login("applicant").await, f.login("approver").await);
        let (mut reviewer, mut head, mut supervisor) = (Web::new(&f), Web::new(&f), Web::new(&f));
        reviewer.login("reviewer").await;
        head.login("head").await;
        supervisor.login("supervisor").await;

        let sent_back = f.submit(&applicant).await;
        assert!(f.act(&approver, &sent_back, json!({"action": "accept"})).await.0.is_success());
        let refused = reviewer.act(&sent_back, &[("action", "return"), ("reason", "")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "an empty reason stays beside its field");
        assert!(refused.has("f-return-reason") || refused.has("return"), "{}", refused.body);
        let returned = reviewer.act(&sent_back, &[("action", "return"), ("reason", "材料需重新核对")]).await;
        assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
        let page = reviewer.get(&format!("/cases/{sent_back}")).await;
        assert!(page.has(zh("state.submitted")) && page.has("材料需重新核对"));

        let moved = supervisor.act(&sent_back, &[("action", "reassign"), ("to", "clerk2")]).await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let (_, _, case) = f.call(&approver, "GET", &format!("/api/v1/cases/{sent_back}"), None).await;
        assert_eq!(case["case"]["owner"], "clerk2");

        let rated = f.submit(&applicant).await;
        for step in [
            json!({"action": "accept"}),
            json!({"action": "approve"}),
            json!({"action": "deliver", "method": "window"}),
        ] {
            assert!(f.act(&approver, &rated, step).await.0.is_success());
        }
        assert!(
            f.act(&applicant, &rated, json!({"action": "rate", "score": 1, "comment": "太慢"})).await.0.is_success()
        );
        let answered = head.act(&rated, &[("action", "answer_rating"), ("answer", "已核实并整改，已回访申请人")]).await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
        let page = head.get(&format!("/cases/{rated}")).await;
        assert!(page.has("已核实并整改") && !page.has("value=\"answer_rating\""));
        let reopened = head.act(&rated, &[("action", "reopen"), ("reason", "行政复议撤销原决定")]).await;
        assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
        assert!(head.get(&format!("/cases/{rated}")).await.has(zh("state.in_process")));
        f.t.cleanup().await;
    }
}
