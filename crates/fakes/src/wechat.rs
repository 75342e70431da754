//! The WeChat API for subscribe messages (订阅消息) on 127.0.0.1: `GET /cgi-bin/token`
//! (client_credential with the app's id and secret) and
//! `POST /cgi-bin/message/subscribe/send?access_token=…`, which checks the token (40001
//! not valid, 42001 expired), the openid (40003), the user's consent (43101 refused), and
//! the data's value limits by field kind (47003: `thing` ≤ 20 characters,
//! `character_string` and `number` ≤ 32, `phrase` ≤ 5, `name` ≤ 10), in the real
//! `{"errcode":…,"errmsg":…}` shapes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::fault::{Decision, Faults};

/// One subscribe message the fake took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The `msgid` it answered.
    pub msgid: u64,
    /// `touser` (the openid).
    pub touser: String,
    /// `template_id`.
    pub template_id: String,
    /// `data`: field → value.
    pub data: BTreeMap<String, String>,
    /// `page`, if given.
    pub page: Option<String>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Instant>,
    sent: Vec<Message>,
    refusing: HashSet<String>,
}

struct Shared {
    app_id: String,
    app_secret: String,
    token_ttl: AtomicU64,
    token_requests: AtomicU64,
    next: AtomicU64,
    faults: Faults,
    inner: Mutex<Inner>,
}

/// A running fake; stops when dropped.
pub struct Wechat {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Wechat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wechat").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for Wechat {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the fake for the app `app_id` / `app_secret`; tokens last 7200 s.
pub async fn start(app_id: &str, app_secret: &str) -> std::io::Result<Wechat> {
    let shared = Arc::new(Shared {
        app_id: app_id.to_owned(),
        app_secret: app_secret.to_owned(),
        token_ttl: AtomicU64::new(7200),
        token_requests: AtomicU64::new(0),
        next: AtomicU64::new(1),
        faults: Faults::default(),
        inner: Mutex::new(Inner::default()),
    });
    let router = Router::new()
        .route("/cgi-bin/token", get(token))
        .route("/cgi-bin/message/subscribe/send", post(send))
        .with_state(shared.clone());
    let (addr, task) = crate::fault::serve(router).await?;
    Ok(Wechat { addr, shared, task })
}

impl Wechat {
    /// The endpoint to configure (`http://127.0.0.1:port`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The failures to have (on sends).
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every message taken.
    pub fn messages(&self) -> Vec<Message> {
        self.shared.inner.lock().map(|i| i.sent.clone()).unwrap_or_default()
    }

    /// How many tokens were asked for.
    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Tokens issued from now on say `expires_in` = `seconds`.
    pub fn set_token_ttl(&self, seconds: u64) {
        self.shared.token_ttl.store(seconds, Ordering::SeqCst);
    }

    /// Every token issued so far is expired (answers 42001).
    pub fn expire_tokens(&self) {
        if let Ok(mut i) = self.shared.inner.lock() {
            let past = Instant::now();
            for at in i.tokens.values_mut() {
                *at = past;
            }
        }
    }

    /// Every token issued so far is forgotten (answers 40001, as after another server
    /// asked for a new one).
    pub fn forget_tokens(&self) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.tokens.clear();
        }
    }

    /// `openid` has not subscribed (or used up a one-time consent): answers 43101.
    pub fn refuse(&self, openid: &str) {
        if let Ok(mut i) = self.shared.inner.lock() {
            i.refusing.insert(openid.to_owned());
        }
    }
}

fn err(code: i64, message: &str) -> Response {
    Json(json!({ "errcode": code, "errmsg": format!("{message} rid: 6579a1b2-0e5c7a1b") })).into_response()
}

async fn token(State(shared): State<Arc<Shared>>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    shared.token_requests.fetch_add(1, Ordering::SeqCst);
    if q.get("grant_type").map(String::as_str) != Some("client_credential") {
        return err(40002, "invalid grant_type");
    }
    if q.get("appid") != Some(&shared.app_id) {
        return err(40013, "invalid appid");
    }
    if q.get("secret") != Some(&shared.app_secret) {
        return err(40125, "invalid appsecret");
    }
    let n = shared.next.fetch_add(1, Ordering::SeqCst);
    let token = format!("81_fake{n:08}-{}", "x".repeat(32));
    let ttl = shared.token_ttl.load(Ordering::SeqCst);
    if let Ok(mut i) = shared.inner.lock() {
        i.tokens.insert(token.clone(), Instant::now() + Duration::from_secs(ttl));
    }
    Json(json!({ "access_token": token, "expires_in": ttl })).into_response()
}

/// The most characters a value of a field of this kind may have (`thing3` → `thing`).
fn limit(field: &str) -> Option<usize> {
    let kind = field.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => Some(20),
        "character_string" | "number" | "letter" | "symbol" | "car_number" => Some(32),
        "phrase" => Some(5),
        "name" => Some(10),
        "phone_number" => Some(17),
        "amount" | "date" | "time" => Some(32),
        _ => None,
    }
}

async fn send(State(shared): State<Arc<Shared>>, Query(q): Query<BTreeMap<String, String>>, body: String) -> Response {
    let token = q.get("access_token").cloned().unwrap_or_default();
    let valid = shared.inner.lock().ok().and_then(|i| i.tokens.get(&token).copied());
    match valid {
        None => return err(40001, "invalid credential, access_token is invalid or not latest"),
        Some(until) if until <= Instant::now() => return err(42001, "access_token expired"),
        Some(_) => {}
    }
    let lose_answer = match shared.faults.decide("-1") {
        Decision::Pass => false,
        Decision::Code(code) => return err(code.parse().unwrap_or(-1), "injected failure"),
        Decision::Hang => return std::future::pending().await,
        Decision::LoseAnswer => true,
    };
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return err(47001, "data format error");
    };
    let touser = request["touser"].as_str().unwrap_or_default().to_owned();
    if touser.len() < 20 || !touser.starts_with('o') {
        return err(40003, "invalid openid");
    }
    let template_id = request["template_id"].as_str().unwrap_or_default().to_owned();
    if template_id.len() < 10 {
        return err(40037, "invalid template_id");
    }
    let mut data = BTreeMap::new();
    for (field, v) in request["data"].as_object().cloned().unwrap_or_default() {
        let Some(value) = v["value"].as_str() else {
            return err(47003, &format!("argument invalid! data.{field}.value is empty"));
        };
        if let Some(max) = limit(&field)
            && (value.is_empty() || value.chars().count() > max)
        {
            return err(47003, &format!("argument invalid! data.{field}.value invalid"));
        }
        data.insert(field, value.to_owned());
    }
    let Ok(mut inner) = shared.inner.lock() else {
        return err(-1, "system error");
    };
    if inner.refusing.contains(&touser) {
        return err(43101, "user refuse to accept the msg");
    }
    let msgid = 294_402_298_110_051_942 + shared.next.fetch_add(1, Ordering::SeqCst);
    let page = request["page"].as_str().map(str::to_owned);
    inner.sent.push(Message { msgid, touser, template_id, data, page });
    drop(inner);
    if lose_answer {
        return err(-1, "system error");
    }
    Json(json!({ "errcode": 0, "errmsg": "ok", "msgid": msgid })).into_response()
}
