//! Shared fixtures for HTTP tests: a seeded center with one account per role, grants down
//! the chain, and helpers to call the app in process as any of them.

#![allow(dead_code)]

pub mod browser;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::delegation::GrantRequest;
use tongban_core::division::DivisionCode;
use tongban_core::identity::{Power, Role};
use tongban_core::org::{Department, DepartmentCode};
use tongban_server::{AppState, router};
use tongban_store::testing::{TestStore, seed_minimal};
use tongban_store::{Account, insert_account, insert_department, insert_grant};
use tower::ServiceExt;

/// The password of every test account.
pub const PASSWORD: &str = "correct horse battery";
/// The enterprise applicant's credit code.
pub const APPLICANT_ID: &str = "91350100M000100Y43";

/// Who can call: anonymous, or a logged-in account with its cookie and CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

pub struct Fixture {
    pub app: axum::Router,
    pub t: TestStore,
    pub state: AppState,
}

/// The test center's seal, so acts issue their documents as in production: one keyring per
/// test process, in a directory kept until it ends.
pub fn seal() -> std::sync::Arc<tongban_seal::Keyring> {
    static SEAL: std::sync::OnceLock<(tempfile::TempDir, std::sync::Arc<tongban_seal::Keyring>)> =
        std::sync::OnceLock::new();
    let (_, ring) = SEAL.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a directory");
        let bureau = tongban_seal::Bureau {
            name: "兰州市行政审批服务局".into(),
            prefix: "兰审批".into(),
            review_body: "兰州市人民政府".into(),
            court: "有管辖权的人民法院".into(),
        };
        let ring = tongban_seal::Keyring::init(&dir.path().join("seal"), bureau).expect("a keyring");
        (dir, std::sync::Arc::new(ring))
    });
    ring.clone()
}

pub fn at(s: &str) -> jiff::Timestamp {
    s.parse().expect("valid")
}

/// The test accounts: (login, role, department).
pub const ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    ("admin", Role::Administrator, None),
    ("leader", Role::CenterLeader, None),
    ("supervisor", Role::Supervisor, None),
    ("head", Role::DepartmentHead, Some("fgw")),
    ("approver", Role::Approver, Some("fgw")),
    ("reviewer", Role::Reviewer, Some("fgw")),
    ("clerk", Role::WindowClerk, Some("fgw")),
    ("clerk2", Role::WindowClerk, Some("fgw")),
    ("outsider", Role::WindowClerk, Some("zjj")),
    ("expired", Role::WindowClerk, Some("fgw")),
    ("applicant", Role::Applicant, None),
];

impl Fixture {
    /// Seeds the minimal center, the accounts and the grants: head → clerk/clerk2
    /// (accept, deliver), head → reviewer (review), head → approver (approve, review,
    /// accept, deliver), head → expired (accept, expired), head → outsider is impossible
    /// (another department).
    pub async fn new(t: TestStore) -> Fixture {
        Self::with_clock(t, Arc::new(|| "2026-03-02T02:00:00Z".parse().expect("valid"))).await
    }

    /// The same center, with a clock of the test's choosing.
    pub async fn with_clock(t: TestStore, clock: tongban_server::Clock) -> Fixture {
        seed_minimal(&t.store).await;
        let hash = tongban_server::auth::hash_password(PASSWORD.into()).await.expect("hash");
        let now = at("2026-01-05T00:00:00Z");
        let store = t.store.clone();
        store
            .write(move |c| {
                Box::pin(async move {
                    insert_department(
                        c,
                        &Department {
                            code: DepartmentCode::parse("zjj").expect("valid"),
                            name: "住房和城乡建设局".into(),
                            division: DivisionCode::parse("620100").expect("valid"),
                            site: None,
                        },
                    )
                    .await?;
                    // clerk sits at fgw's window, so a case applied for online is theirs at once
                    // (the least-loaded clerk at a window of the department owns it).
                    tongban_store::insert_window(
                        c,
                        &tongban_core::org::Window {
                            code: tongban_core::org::WindowCode::parse("W-01").expect("valid"),
                            name: "发改委窗口".into(),
                            department: Some(DepartmentCode::parse("fgw").expect("valid")),
                            site: None,
                        },
                    )
                    .await?;
                    for (login, role, dept) in ACCOUNTS {
                        let applicant = *role == Role::Applicant;
                        insert_account(
                            c,
                            &Account {
                                id: (*login).into(),
                                kind: if applicant { "applicant" } else { "staff" }.into(),
                                display_name: login.to_uppercase(),
                                role: *role,
                                department: dept.map(|d| DepartmentCode::parse(d).expect("valid")),
                                window: (*login == "clerk").then(|| "W-01".into()),
                                position: None,
                                applicant_kind: applicant.then(|| "enterprise".into()),
                                id_number: applicant.then(|| APPLICANT_ID.into()),
                                phone: None,
                                password_hash: hash.clone(),
                                disabled: false,
                                // Verified at a window, so it reaches every case in its name.
                                verified: applicant.then(|| tongban_store::Verified {
                                    method: tongban_core::identity::VerificationMethod::Window,
                                    at: now,
                                    by: "clerk".into(),
                                }),
                            },
                            now,
                        )
                        .await?;
                    }
                    Ok::<_, tongban_store::StoreError>(())
                })
            })
            .await
            .expect("accounts");
        let grants = [
            ("g-clerk", "clerk", vec![Power::Accept, Power::Deliver], None),
            ("g-clerk2", "clerk2", vec![Power::Accept, Power::Deliver], None),
            ("g-reviewer", "reviewer", vec![Power::Review], None),
            ("g-approver", "approver", vec![Power::Approve, Power::Review, Power::Accept, Power::Deliver], None),
            ("g-expired", "expired", vec![Power::Accept], Some(at("2026-02-01T00:00:00Z"))),
        ];
        let mut delegations = t.store.delegations().await.expect("delegations");
        for (id, grantee, powers, until) in grants {
            let request = GrantRequest {
                grantor: "head".into(),
                grantee: grantee.into(),
                department: DepartmentCode::parse("fgw").expect("valid"),
                items: None,
                powers: powers.into_iter().collect(),
                valid_from: now,
                valid_until: until,
            };
            let grant = delegations.grant_from(id.into(), request, now).expect("head holds all");
            delegations.insert(grant.clone());
            t.store.write(move |c| Box::pin(async move { insert_grant(c, &grant, now).await })).await.expect("grant");
        }
        let mut state = AppState::new(tongban_server::App::new(t.store.clone(), WorkingCalendar::builtin()));
        state.clock = clock;
        state.seal = Some(seal());
        Fixture { app: router(state.clone()), t, state }
    }

    pub async fn call(
        &self,
        caller: &Caller,
        method: &str,
        uri: &str,
        body: Option<&str>,
    ) -> (StatusCode, String, Value) {
        self.call_with(caller, method, uri, body, &[]).await
    }

    pub async fn call_with(
        &self,
        caller: &Caller,
        method: &str,
        uri: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, Value) {
        self.call_from(None, caller, method, uri, body, headers).await
    }

    /// Calls as if over a connection from `peer` (the server sees its address).
    pub async fn call_from(
        &self,
        peer: Option<&str>,
        caller: &Caller,
        method: &str,
        uri: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(c) = &caller.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(c) = &caller.csrf {
            req = req.header("x-csrf-token", c);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = req.body(body.map_or(Body::empty(), |b| Body::from(b.to_owned()))).expect("request");
        if let Some(peer) = peer {
            let addr: std::net::SocketAddr = format!("{peer}:40000").parse().expect("an address");
            req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        }
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24).await.expect("body");
        (status, ctype, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// Logs in as `login`.
    pub async fn login(&self, login: &str) -> Caller {
        let body = serde_json::json!({ "login": login, "password": PASSWORD }).to_string();
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::OK, "login {login}");
        let cookie =
            res.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a session cookie").to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body");
        let me: Value = serde_json::from_slice(&bytes).expect("json");
        Caller {
            cookie: Some(cookie.split(';').next().unwrap_or("").to_owned()),
            csrf: me["csrf_token"].as_str().map(str::to_owned),
        }
    }

    /// Submits the standard case as the applicant; returns its number.
    pub async fn submit(&self, applicant: &Caller) -> String {
        let (s, _, case) = self.call(applicant, "POST", "/api/v1/cases", Some(&good_case().to_string())).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        case["number"].as_str().expect("number").to_owned()
    }

    /// Uploads `bytes` as a material file (`PUT uri`, with its content type); returns the status.
    pub async fn put_file(&self, caller: &Caller, uri: &str, bytes: &[u8], ctype: &str) -> StatusCode {
        let mut req = Request::builder().method("PUT").uri(uri).header(header::CONTENT_TYPE, ctype);
        if let Some(c) = &caller.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(c) = &caller.csrf {
            req = req.header("x-csrf-token", c);
        }
        let req = req.body(Body::from(bytes.to_vec())).expect("request");
        self.app.clone().oneshot(req).await.expect("infallible").status()
    }

    /// Runs an action; returns status and body.
    pub async fn act(&self, caller: &Caller, number: &str, action: Value) -> (StatusCode, Value) {
        let (s, _, v) =
            self.call(caller, "POST", &format!("/api/v1/cases/{number}/actions"), Some(&action.to_string())).await;
        (s, v)
    }
}

pub fn good_case() -> Value {
    serde_json::json!({
        "item": "620100-FGW-001",
        "applicant": {"kind": "enterprise", "name": "兰州某某有限公司", "id_number": APPLICANT_ID},
        "channel": "online",
        "materials": ["项目备案申请表", "营业执照"]
    })
}

pub fn assert_problem(got: &(StatusCode, String, Value), status: u16, kind: &str) {
    assert_eq!(got.0.as_u16(), status, "{:?}", got.2);
    assert_eq!(got.1, "application/problem+json");
    assert_eq!(got.2["type"], format!("/problems/{kind}"), "{:?}", got.2);
    assert_eq!(got.2["status"], status);
    assert!(got.2["title"].is_string() && got.2["detail"].is_string());
}
