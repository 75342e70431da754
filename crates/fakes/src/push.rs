//! A Web Push service (RFC 8030) on 127.0.0.1, standing in for the browsers' push services
//! and the browsers behind them. It makes subscriptions ([`PushService::new_subscription`]
//! answers the `PushSubscription.toJSON()` a browser would give), and for each message
//! posted to one it does what the push service and then the browser would:
//!
//! - checks the request as RFC 8030 and RFC 8292 say: `TTL` present, `Urgency` and `Topic`
//!   well formed, `Content-Encoding: aes128gcm`, at most 4096 octets, and a VAPID
//!   `Authorization: vapid t=<JWT>, k=<key>` whose ES256 signature verifies with `k`, whose
//!   `aud` is this service's origin, `exp` in the future and no more than 24 h ahead, and
//!   `sub` a `mailto:` or `https:` URI (401 otherwise; 403 when a key was required with
//!   [`PushService::require_key`] and another signed);
//! - decrypts the payload with the subscription's private key and auth secret
//!   (RFC 8291 over RFC 8188: one record, padding delimiter 0x02) — written here apart from
//!   the client in tongban-app, so a mistake on one side shows;
//! - records the plaintext and answers 201 with a `Location` — once per `Topic` and
//!   subscription: a repeat under the same topic (a resend after a crash, with the same
//!   idempotency key) answers the first message's `Location` and is not delivered again.
//!
//! It answers 404 for a subscription it never made and 410 for one told gone
//! ([`PushService::gone`]), or any status given to [`PushService::answer_with`].

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToSec1Point as _;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// One message the service took, decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The subscription's id (the last segment of its endpoint).
    pub subscription: String,
    /// The decrypted payload.
    pub plaintext: Vec<u8>,
    /// `TTL`.
    pub ttl: u64,
    /// `Urgency`, if given.
    pub urgency: Option<String>,
    /// `Topic`, if given.
    pub topic: Option<String>,
    /// The VAPID `sub` claim.
    pub subject: String,
    /// The VAPID public key (`k`), base64url.
    pub key: String,
    /// The `Location` it answered.
    pub location: String,
}

impl Received {
    /// The payload as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.plaintext).into_owned()
    }

    /// The payload as JSON (`Null` when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.plaintext).unwrap_or_default()
    }
}

/// A subscription's browser side: its private key and auth secret.
struct Browser {
    secret: SecretKey,
    auth: [u8; 16],
}

#[derive(Default)]
struct Shared {
    origin: String,
    browsers: Mutex<HashMap<String, Browser>>,
    gone: Mutex<HashSet<String>>,
    received: Mutex<Vec<Received>>,
    refused: Mutex<Vec<(u16, String)>>,
    answer: Mutex<Option<u16>>,
    key: Mutex<Option<String>>,
    now: Mutex<Option<jiff::Timestamp>>,
    next: Mutex<u64>,
}

/// A running push service; stops when dropped.
pub struct PushService {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for PushService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushService").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for PushService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a push service on 127.0.0.1 on a free port.
pub async fn start() -> std::io::Result<PushService> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared { origin: format!("http://{addr}"), ..Shared::default() });
    let app = axum::Router::new().route("/push/{id}", axum::routing::post(post)).with_state(shared.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(PushService { addr, shared, task })
}

impl PushService {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its origin, `http://127.0.0.1:port` (the VAPID `aud` it expects).
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    /// A new subscription, as the browser's `PushSubscription.toJSON()` gives it:
    /// `{"endpoint", "expirationTime": null, "keys": {"p256dh", "auth"}}`.
    pub fn new_subscription(&self) -> String {
        let secret = loop {
            let mut bytes = [0u8; 32];
            if getrandom::fill(&mut bytes).is_ok()
                && let Ok(key) = SecretKey::from_slice(&bytes)
            {
                break key;
            }
        };
        let mut auth = [0u8; 16];
        let _ = getrandom::fill(&mut auth);
        let id = {
            let mut next = lock(&self.shared.next);
            *next += 1;
            let mut salt = [0u8; 8];
            let _ = getrandom::fill(&mut salt);
            format!("{}-{}", *next, B64.encode(salt))
        };
        let p256dh = B64.encode(uncompressed(&secret.public_key()));
        lock(&self.shared.browsers).insert(id.clone(), Browser { secret, auth });
        serde_json::json!({
            "endpoint": format!("{}/push/{id}", self.shared.origin),
            "expirationTime": null,
            "keys": { "p256dh": p256dh, "auth": B64.encode(auth) },
        })
        .to_string()
    }

    /// The subscription's id in a subscription JSON (or an endpoint).
    pub fn id_of(subscription: &str) -> String {
        let endpoint = serde_json::from_str::<serde_json::Value>(subscription)
            .ok()
            .and_then(|v| v["endpoint"].as_str().map(str::to_owned))
            .unwrap_or_else(|| subscription.to_owned());
        endpoint.rsplit('/').next().unwrap_or_default().to_owned()
    }

    /// From now on answer 410 Gone for this subscription (JSON or endpoint), as a push
    /// service does once the browser unsubscribed.
    pub fn gone(&self, subscription: &str) {
        lock(&self.shared.gone).insert(Self::id_of(subscription));
    }

    /// Answer every message with `status` (and keep nothing); `None` goes back to checking
    /// and taking them.
    pub fn answer_with(&self, status: Option<u16>) {
        *lock(&self.shared.answer) = status;
    }

    /// Take only messages signed with this VAPID public key (base64url), as a push service
    /// does for a subscription made with an `applicationServerKey`: 403 otherwise.
    pub fn require_key(&self, key: &str) {
        *lock(&self.shared.key) = Some(key.to_owned());
    }

    /// Check the token's `exp` against `now` instead of the system clock.
    pub fn set_now(&self, now: Option<jiff::Timestamp>) {
        *lock(&self.shared.now) = now;
    }

    /// Every message taken so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// The messages taken for one subscription (JSON or endpoint).
    pub fn received_by(&self, subscription: &str) -> Vec<Received> {
        let id = Self::id_of(subscription);
        self.received().into_iter().filter(|r| r.subscription == id).collect()
    }

    /// How many messages were taken.
    pub fn count(&self) -> usize {
        lock(&self.shared.received).len()
    }

    /// The requests refused so far: status and why.
    pub fn refused(&self) -> Vec<(u16, String)> {
        lock(&self.shared.refused).clone()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.as_affine().to_sec1_point(false).as_bytes().to_vec()
}

async fn post(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    match take(&shared, &id, &headers, &body) {
        Ok(location) => (StatusCode::CREATED, [(header::LOCATION, location)]).into_response(),
        Err((status, why)) => {
            lock(&shared.refused).push((status.as_u16(), why.clone()));
            (status, why).into_response()
        }
    }
}

type Refusal = (StatusCode, String);

fn take(shared: &Shared, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<String, Refusal> {
    let bad = |why: &str| (StatusCode::BAD_REQUEST, why.to_owned());
    if let Some(status) = *lock(&shared.answer) {
        return Err((StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "told to".into()));
    }
    if lock(&shared.gone).contains(id) {
        return Err((StatusCode::GONE, "the subscription is gone".into()));
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (subject, key) = vapid(shared, text("authorization").as_deref())?;
    if let Some(required) = lock(&shared.key).as_deref()
        && required != key
    {
        return Err((StatusCode::FORBIDDEN, "signed with another key than the subscription's".into()));
    }
    let ttl = text("ttl").and_then(|t| t.trim().parse::<u64>().ok()).ok_or_else(|| bad("TTL is required"))?;
    let urgency = text("urgency");
    if let Some(u) = urgency.as_deref()
        && !["very-low", "low", "normal", "high"].contains(&u)
    {
        return Err(bad("Urgency is very-low, low, normal or high"));
    }
    let topic = text("topic");
    if let Some(t) = topic.as_deref()
        && (t.is_empty() || t.len() > 32 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(bad("Topic is at most 32 characters of the base64url alphabet"));
    }
    if text("content-encoding").as_deref() != Some("aes128gcm") {
        return Err(bad("Content-Encoding must be aes128gcm"));
    }
    if body.len() > 4096 {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "at most 4096 octets".into()));
    }
    let plaintext = {
        let browsers = lock(&shared.browsers);
        let browser = browsers.get(id).ok_or((StatusCode::NOT_FOUND, "no such subscription".to_owned()))?;
        decrypt(body, browser).map_err(|why| bad(&format!("cannot decrypt: {why}")))?
    };
    // A message under a Topic already taken for this browser replaces it (RFC 8030 §5.4)
    // and the browser shows one notification per tag: counted once, same Location.
    if let Some(t) = topic.as_deref()
        && let Some(earlier) =
            lock(&shared.received).iter().find(|r| r.subscription == id && r.topic.as_deref() == Some(t))
    {
        return Ok(earlier.location.clone());
    }
    let location = {
        let mut next = lock(&shared.next);
        *next += 1;
        format!("{}/message/{}", shared.origin, *next)
    };
    lock(&shared.received).push(Received {
        subscription: id.to_owned(),
        plaintext,
        ttl,
        urgency,
        topic,
        subject,
        key,
        location: location.clone(),
    });
    Ok(location)
}

/// Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3); answers `sub` and `k`.
fn vapid(shared: &Shared, authorization: Option<&str>) -> Result<(String, String), Refusal> {
    let no = |why: &str| (StatusCode::UNAUTHORIZED, format!("VAPID: {why}"));
    let rest = authorization.and_then(|a| a.strip_prefix("vapid ")).ok_or_else(|| no("no vapid authorization"))?;
    let (mut token, mut key) = (None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => token = Some(v.trim()),
            Some(("k", v)) => key = Some(v.trim()),
            _ => {}
        }
    }
    let (token, key) = token.zip(key).ok_or_else(|| no("t and k are required"))?;
    let point = B64.decode(key).map_err(|_| no("k is not base64url"))?;
    let verifying = VerifyingKey::from_sec1_bytes(&point).map_err(|_| no("k is not a P-256 key"))?;
    let (input, signature) = token.rsplit_once('.').ok_or_else(|| no("not a JWT"))?;
    let signature = B64.decode(signature).map_err(|_| no("signature is not base64url"))?;
    let signature = Signature::from_slice(&signature).map_err(|_| no("not an ES256 signature"))?;
    verifying.verify(input.as_bytes(), &signature).map_err(|_| no("the signature does not verify"))?;
    let (head, claims) = input.split_once('.').ok_or_else(|| no("not a JWT"))?;
    let json = |part: &str| {
        B64.decode(part)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .ok_or_else(|| no("a JWT part is not base64url JSON"))
    };
    let (head, claims) = (json(head)?, json(claims)?);
    if head["alg"] != "ES256" {
        return Err(no("alg must be ES256"));
    }
    if claims["aud"].as_str() != Some(shared.origin.as_str()) {
        return Err(no(&format!("aud must be {}", shared.origin)));
    }
    let now = lock(&shared.now).unwrap_or_else(jiff::Timestamp::now).as_second();
    let exp = claims["exp"].as_i64().ok_or_else(|| no("exp is required"))?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(no("exp must be in the future and no more than 24 hours ahead"));
    }
    let subject = claims["sub"].as_str().unwrap_or_default().to_owned();
    if !(subject.starts_with("mailto:") || subject.starts_with("https:")) {
        return Err(no("sub must be a mailto: or https: URI"));
    }
    Ok((subject, key.to_owned()))
}

/// The browser's side of RFC 8291: the application server's key from the header, the
/// shared secret with the browser's key, the keys from HKDF, one AES-128-GCM record.
fn decrypt(body: &[u8], browser: &Browser) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("shorter than the header".into());
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let idlen = usize::from(body[20]);
    if idlen != 65 || body.len() < 21 + idlen + 17 {
        return Err("the key id is not a P-256 public key".into());
    }
    let as_public = &body[21..21 + idlen];
    let record = &body[21 + idlen..];
    if record.len() > rs || rs < 18 {
        return Err("more than one record".into());
    }
    let sender = PublicKey::from_sec1_bytes(as_public).map_err(|_| "the key id is not on the curve")?;
    let ua_public = uncompressed(&browser.secret.public_key());
    let shared = p256::ecdh::diffie_hellman(browser.secret.to_nonzero_scalar(), sender.as_affine());
    let info = [b"WebPush: info\0".as_slice(), &ua_public, as_public].concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&browser.auth), shared.raw_secret_bytes().as_slice())
        .expand(&info, &mut ikm)
        .map_err(|_| "hkdf")?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).map_err(|_| "hkdf")?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).map_err(|_| "hkdf")?;
    let (ciphertext, tag) = record.split_at(record.len() - 16);
    let mut plain = ciphertext.to_vec();
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| "key")?;
    let tag = aes_gcm::Tag::try_from(tag).map_err(|_| "tag")?;
    cipher
        .decrypt_inout_detached(&Nonce::from(nonce), &[], plain.as_mut_slice().into(), &tag)
        .map_err(|_| "the record does not authenticate")?;
    // Padding: zeros after the delimiter; the last (here only) record's is 0x02.
    let end = plain.iter().rposition(|&b| b != 0).ok_or("no padding delimiter")?;
    if plain[end] != 0x02 {
        return Err("the last record's delimiter is not 0x02".into());
    }
    plain.truncate(end);
    Ok(plain)
}
