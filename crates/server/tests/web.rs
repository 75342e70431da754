//! The HTML pages, in process (tower `oneshot`): they render in both languages, forms post
//! with CSRF, pages check authorization, a whole case goes from application to rating
//! through forms alone (no JavaScript), and bad input comes back beside its fields.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::Fixture;
use tongban_server::web::{Lang, MESSAGE_FILES};
use tongban_store::testing::{each_backend, sqlite};
use tower::ServiceExt;

/// A browser without JavaScript: keeps cookies, sends forms.
struct Web {
    app: axum::Router,
    cookies: Vec<(String, String)>,
}

#[derive(Debug)]
struct Page {
    status: StatusCode,
    location: String,
    body: String,
}

impl Page {
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form with a csrf field") + 19;
        self.body[at..].split('"').next().unwrap_or("").to_owned()
    }

    fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

fn zh(key: &str) -> &'static str {
    Lang::Zh.t(key)
}

impl Web {
    fn new(f: &Fixture) -> Web {
        Web { app: f.app.clone(), cookies: Vec::new() }
    }

    async fn send(&mut self, mut req: Request<Body>) -> Page {
        if !self.cookies.is_empty() {
            let jar = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req.headers_mut().insert(header::COOKIE, jar.parse().expect("cookie header"));
        }
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().expect("ascii cookie");
            let (k, v) = c.split(';').next().and_then(|kv| kv.split_once('=')).expect("name=value");
            self.cookies.retain(|(name, _)| name != k);
            if !c.contains("Max-Age=0") {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let status = res.status();
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
        Page { status, location, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).expect("request")).await
    }

    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    async fn post_multipart(&mut self, uri: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        let boundary = "----tongbanTestBoundary7MA4YWxk";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for (name, kind, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"f\"\r\nContent-Type: {kind}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Logs in through the login form.
    async fn login(&mut self, login: &str) {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        let done = self
            .post("/login", &[("csrf", &csrf), ("login", login), ("password", common::PASSWORD), ("next", "")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "login {login}: {}", done.body);
    }

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

#[tokio::test]
async fn pages_check_who_asks() {
    let f = Fixture::new(sqlite().await).await;
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

#[tokio::test]
async fn forms_need_their_csrf_token() {
    let f = Fixture::new(sqlite().await).await;
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

#[tokio::test]
async fn a_clerk_receives_an_applicant_at_the_window_and_owns_the_case() {
    let f = Fixture::new(sqlite().await).await;
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
                ("id_number", "620102199001011234"),
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
    let f = Fixture::new(sqlite().await).await;
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

#[tokio::test]
async fn the_kiosk_finds_a_case_by_number_and_phone_and_resets_itself() {
    let f = Fixture::new(sqlite().await).await;
    let mut applicant = Web::new(&f);
    applicant.login("applicant").await;
    let number = apply(&mut applicant).await;
    let mut kiosk = Web::new(&f);
    let form = kiosk.get("/kiosk/lookup").await;
    assert!(form.has("http-equiv=\"refresh\"") && form.has("url=/kiosk"), "idle pages go back to the start");
    let csrf = form.csrf();
    let found = kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", &number), ("phone", "13900001111")]).await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.has(&number) && found.has(zh("state.submitted")) && found.has("企业投资项目备案"));
    assert!(!found.has(common::APPLICANT_ID), "no personal data on a public screen");
    let wrong = kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", &number), ("phone", "13900009999")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.has(zh("kiosk.not_found")) && wrong.has(&format!("value=\"{number}\"")));
    let empty = kiosk.post("/kiosk/lookup", &[("csrf", &csrf), ("number", ""), ("phone", "")]).await;
    assert!(empty.has("id=\"err-number\"") && empty.has("id=\"err-phone\""));
    f.t.cleanup().await;
}

/// The web module's sources, without comments.
fn web_sources() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("src/web") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
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
    assert!(out.len() > 5, "found the web sources");
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
    ] {
        dynamic.push(format!("event.{event}"));
    }
    for action in [
        "accept",
        "reject",
        "request_correction",
        "resubmit",
        "complete_step",
        "suspend",
        "resume",
        "approve",
        "deny",
        "deliver",
        "hand_over",
        "take_over",
        "rate",
    ] {
        dynamic.push(format!("action.{action}"));
        dynamic.push(format!("done.{action}"));
    }
    for key in dynamic {
        assert!(keys.contains(&key), "the key {key:?} is in no message file");
    }
}
