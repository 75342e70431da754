//! Web Push (the online hall installed as an app, 移动APP客户端): a notice goes to each
//! browser the person enabled, through that browser's push service, as RFC 8030 says.
//!
//! - The center identifies itself with VAPID (RFC 8292): an ES256 JWT whose `aud` is the
//!   push service's origin, `exp` at most 24 h ahead (12 h here) and `sub` the center's
//!   `mailto:` or `https:` contact, sent as `Authorization: vapid t=<jwt>, k=<public key>`.
//!   The key is kept in the data directory ([`WebPush::open_or_init`]).
//! - The payload is encrypted for the browser alone (RFC 8291): ECDH on P-256 between a key
//!   made for this message and the subscription's `p256dh`, HKDF-SHA256 mixed with its
//!   `auth` secret, then one AES-128-GCM record of the `aes128gcm` content coding
//!   (RFC 8188) with the padding delimiter 0x02.
//! - `Topic` carries the notice's idempotency key, so a resend after a crash replaces the
//!   undelivered first copy at the push service instead of showing twice.
//!
//! The push service's answer: 201 sent; 404/410 the subscription is gone (the worker deletes
//! it); 400/413 and other refusals fail at once; 429 and 5xx are tried again later.

use std::path::Path;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hkdf::Hkdf;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::{PublicKey, SecretKey};
use serde::Deserialize;
use sha2::Sha256;

#[allow(unused_imports)]
use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};
use crate::actor::Principal;
use crate::{App, AppError, Clock, authorize};
use tongban_core::access::Action;
use tongban_core::notice::Channel;

/// The record size announced in the header: one record holds any payload a push service
/// takes (4096 octets).
const RECORD_SIZE: u32 = 4096;
/// The largest body push services must accept (RFC 8030 §7.2).
const MAX_BODY: usize = 4096;
/// Header (salt 16, rs 4, idlen 1, keyid 65) and AEAD tag around the plaintext.
const OVERHEAD: usize = 16 + 4 + 1 + 65 + 16;
/// The most plaintext one message can carry: the body limit less the header, the tag and
/// the padding delimiter.
pub const MAX_PLAINTEXT: usize = MAX_BODY - OVERHEAD - 1;
/// How long a VAPID token is good for (RFC 8292 allows at most 24 h).
const TOKEN_LIFETIME_SECS: i64 = 12 * 3600;
/// The VAPID key's file in the data directory.
const KEY_FILE: &str = "vapid.key";

/// Why push could not be set up, or a subscription not used.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The contact given for VAPID's `sub` is neither `mailto:` nor `https:`.
    #[error("the push subject must be a mailto: or https: URI, not {0:?}")]
    Subject(String),
    /// The key file cannot be read or written.
    #[error("VAPID key file {path}: {why}")]
    KeyFile {
        /// Which file.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// A subscription that is not a browser's `PushSubscription` (bad JSON, keys of the
    /// wrong length, a point not on the curve, an endpoint refused).
    #[error("{0}")]
    Subscription(String),
    /// No randomness (should not happen on a working system).
    #[error("no randomness: {0}")]
    Random(String),
    /// The cipher refused (should not happen: the inputs are checked first).
    #[error("encryption failed")]
    Cipher,
}

/// How urgent a message is (RFC 8030 §5.3): the push service may hold back `very-low` and
/// `low` ones to spare a phone's battery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// `very-low`.
    VeryLow,
    /// `low`.
    Low,
    /// `normal`.
    Normal,
    /// `high`.
    High,
}

impl Urgency {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// Which push endpoints a subscription may name. The server POSTs to whatever endpoint a
/// signed-in person registered, so by default only the browsers' own push services over
/// HTTPS are taken (an endpoint on the center's network would let anyone make it send
/// requests there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Host names (or their parent domains) an endpoint may be on; empty takes any host.
    pub hosts: Vec<String>,
    /// Whether `http:` endpoints are taken (tests with a local push service only).
    pub allow_http: bool,
}

impl Default for EndpointPolicy {
    fn default() -> Self {
        EndpointPolicy {
            hosts: [
                // Chrome and other Chromium browsers, Firefox, Edge (WNS), Safari.
                "fcm.googleapis.com",
                "push.services.mozilla.com",
                "notify.windows.com",
                "push.apple.com",
            ]
            .map(String::from)
            .to_vec(),
            allow_http: false,
        }
    }
}

impl EndpointPolicy {
    /// Any host, `http:` too: for a local push service in tests.
    pub fn local() -> Self {
        EndpointPolicy { hosts: Vec::new(), allow_http: true }
    }

    /// Checks `endpoint`, answering it parsed.
    pub fn check(&self, endpoint: &str) -> Result<reqwest::Url, PushError> {
        let url = reqwest::Url::parse(endpoint)
            .map_err(|e| PushError::Subscription(format!("the endpoint is not a URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            other => return Err(PushError::Subscription(format!("push endpoints are https, not {other}"))),
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if host.is_empty() || !url.username().is_empty() || url.password().is_some() {
            return Err(PushError::Subscription("the endpoint names no host".into()));
        }
        let allowed = self.hosts.is_empty()
            || self.hosts.iter().any(|h| {
                let h = h.to_ascii_lowercase();
                host == h || host.ends_with(&format!(".{h}"))
            });
        if !allowed {
            return Err(PushError::Subscription(format!("{host} is not a push service this center sends to")));
        }
        Ok(url)
    }
}

/// A browser's push subscription (`PushSubscription.toJSON()`), its keys decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Where messages for this browser are posted.
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed (65 octets).
    pub p256dh: Vec<u8>,
    /// The browser's authentication secret (16 octets).
    pub auth: Vec<u8>,
}

#[derive(Deserialize)]
struct SubscriptionJson {
    endpoint: String,
    keys: KeysJson,
}

#[derive(Deserialize)]
struct KeysJson {
    p256dh: String,
    auth: String,
}

impl Subscription {
    /// Reads a subscription as the browser's `toJSON()` gives it, checking its keys.
    pub fn from_json(json: &str) -> Result<Subscription, PushError> {
        let s: SubscriptionJson =
            serde_json::from_str(json).map_err(|e| PushError::Subscription(format!("not a push subscription: {e}")))?;
        Subscription::new(&s.endpoint, &s.keys.p256dh, &s.keys.auth)
    }

    /// A subscription from its endpoint and its base64url keys (padding tolerated).
    pub fn new(endpoint: &str, p256dh: &str, auth: &str) -> Result<Subscription, PushError> {
        let decode = |name: &str, text: &str| {
            B64.decode(text.trim_end_matches('='))
                .map_err(|_| PushError::Subscription(format!("keys.{name} is not base64url")))
        };
        let (p256dh, auth) = (decode("p256dh", p256dh)?, decode("auth", auth)?);
        if p256dh.len() != 65 || PublicKey::from_sec1_bytes(&p256dh).is_err() {
            return Err(PushError::Subscription("keys.p256dh is not an uncompressed P-256 point".into()));
        }
        if auth.len() != 16 {
            return Err(PushError::Subscription("keys.auth is not 16 octets".into()));
        }
        if endpoint.is_empty() || endpoint.len() > 2048 {
            return Err(PushError::Subscription("the endpoint is empty or too long".into()));
        }
        Ok(Subscription { endpoint: endpoint.to_owned(), p256dh, auth })
    }

    /// The subscription as the browser gives it (what the store keeps, and the
    /// [`Outgoing::address`] of a push notice).
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "endpoint": self.endpoint,
            "keys": { "p256dh": B64.encode(&self.p256dh), "auth": B64.encode(&self.auth) },
        })
        .to_string()
    }
}

/// The Web Push client: the center's VAPID key and an HTTP client.
pub struct WebPush {
    key: SigningKey,
    public: Vec<u8>,
    subject: String,
    http: reqwest::Client,
    clock: Clock,
    ttl: u32,
    urgency: Urgency,
    endpoints: EndpointPolicy,
}

impl std::fmt::Debug for WebPush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPush")
            .field("public_key", &self.public_key_b64url())
            .field("subject", &self.subject)
            .field("ttl", &self.ttl)
            .field("urgency", &self.urgency)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

impl WebPush {
    /// A client signing with `key` as `subject` (`mailto:…` or `https:…`).
    pub fn new(key: SecretKey, subject: &str) -> Result<WebPush, PushError> {
        if !(subject.starts_with("mailto:") || subject.starts_with("https:")) || subject.len() < 8 {
            return Err(PushError::Subject(subject.to_owned()));
        }
        let public = uncompressed(&key.public_key());
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PushError::KeyFile { path: String::new(), why: e.to_string() })?;
        Ok(WebPush {
            key: SigningKey::from(key),
            public,
            subject: subject.to_owned(),
            http,
            clock: std::sync::Arc::new(jiff::Timestamp::now),
            ttl: 7 * 24 * 3600,
            urgency: Urgency::Normal,
            endpoints: EndpointPolicy::default(),
        })
    }

    /// The client with the VAPID key kept in `dir` (`vapid.key`, mode 0600): read when it is
    /// there, made on first start. The file may be a SEC1 (`EC PRIVATE KEY`) or PKCS#8 PEM,
    /// or the raw private key in base64url as the `web-push` tools print it, so a center can
    /// bring the key its browsers already know.
    pub fn open_or_init(dir: &Path, subject: &str) -> Result<WebPush, PushError> {
        let path = dir.join(KEY_FILE);
        let key_error = |why: String| PushError::KeyFile { path: path.display().to_string(), why };
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => read_key(&text).map_err(key_error)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| key_error(e.to_string()))?;
                let key = random_secret()?;
                let pem = key.to_sec1_pem(p256::pkcs8::LineEnding::LF).map_err(|e| key_error(e.to_string()))?;
                write_new(&path, pem.as_bytes()).map_err(|e| key_error(e.to_string()))?;
                // Two servers starting at once: whichever file won is the key.
                let text = std::fs::read_to_string(&path).map_err(|e| key_error(e.to_string()))?;
                read_key(&text).map_err(key_error)?
            }
            Err(e) => return Err(key_error(e.to_string())),
        };
        WebPush::new(key, subject)
    }

    /// The same client reading "now" from `clock` (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The same client asking push services to keep an undelivered message `secs` seconds
    /// (default 7 days).
    pub fn with_ttl(mut self, secs: u32) -> Self {
        self.ttl = secs;
        self
    }

    /// The same client sending with `urgency` (default `normal`).
    pub fn with_urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = urgency;
        self
    }

    /// The same client taking the endpoints `policy` allows.
    pub fn with_endpoints(mut self, policy: EndpointPolicy) -> Self {
        self.endpoints = policy;
        self
    }

    /// Which endpoints subscriptions may name.
    pub fn endpoints(&self) -> &EndpointPolicy {
        &self.endpoints
    }

    /// The VAPID public key, uncompressed and base64url without padding: the
    /// `applicationServerKey` a page subscribes with.
    pub fn public_key_b64url(&self) -> String {
        B64.encode(&self.public)
    }

    /// The `Authorization` header for a message to `endpoint` at `now`:
    /// `vapid t=<ES256 JWT>, k=<public key>`.
    pub fn authorization(&self, endpoint: &reqwest::Url, now: jiff::Timestamp) -> String {
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now.as_second() + TOKEN_LIFETIME_SECS,
            "sub": self.subject,
        });
        let input = format!("{header}.{}", B64.encode(claims.to_string()));
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("vapid t={input}.{}, k={}", B64.encode(signature.to_bytes()), self.public_key_b64url())
    }

    /// Sends `msg` to the subscription in its address: the JSON
    /// `{"title", "body", "url", "tag"}` the hall's service worker shows, encrypted for that
    /// browser (the body is cut to fit one message).
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let refused = |code: &str, reason: String| SendError::Refused { code: code.to_owned(), reason };
        let sub = Subscription::from_json(&msg.address).map_err(|e| refused("bad_subscription", e.to_string()))?;
        let url = self.endpoints.check(&sub.endpoint).map_err(|e| refused("bad_subscription", e.to_string()))?;
        let plaintext = payload(msg);
        let body = encrypt(&plaintext, &sub.p256dh, &sub.auth).map_err(|e| refused("encryption", e.to_string()))?;
        let res = self
            .http
            .post(url.clone())
            .header("TTL", self.ttl.to_string())
            .header("Urgency", self.urgency.as_str())
            .header("Topic", topic(&msg.key))
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("Authorization", self.authorization(&url, (self.clock)()))
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("push service unreachable: {}", e.without_url())))?;
        let status = res.status();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let text: String = res.text().await.unwrap_or_default().chars().take(200).collect();
        match status.as_u16() {
            200..=299 => Ok(Sent { provider_id: location.unwrap_or_else(|| msg.key.clone()) }),
            404 | 410 => Err(refused(status.as_str(), "the browser's subscription is gone".into())),
            413 => Err(refused("413", "the push service refused the message as too large".into())),
            429 => Err(SendError::Retry("the push service is limiting messages (429)".into())),
            500..=599 => Err(SendError::Retry(format!("the push service failed ({status}): {text}"))),
            _ => Err(refused(status.as_str(), format!("the push service refused the message ({status}): {text}"))),
        }
    }
}

/// The notification as the service worker reads it, cut to fit one message.
fn payload(msg: &Outgoing) -> Vec<u8> {
    let make = |body: &str| {
        serde_json::json!({ "title": msg.subject, "body": body, "url": msg.url, "tag": msg.key }).to_string()
    };
    let mut body: String = msg.body.clone();
    loop {
        let text = make(&body);
        if text.len() <= MAX_PLAINTEXT || body.is_empty() {
            return text.into_bytes();
        }
        // Cut by what is over, at a character boundary, with an ellipsis.
        let over = text.len() - MAX_PLAINTEXT + 3;
        let keep = body.len().saturating_sub(over);
        let mut cut = keep;
        while cut > 0 && !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
        if cut == 0 {
            body.clear();
        }
    }
}

/// The `Topic` header for an idempotency key: the key itself when it is already short
/// base64url text, else the first 32 characters of its SHA-256 in base64url.
pub fn topic(key: &str) -> String {
    let safe = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if safe && !key.is_empty() && key.len() <= 32 {
        key.to_owned()
    } else {
        use sha2::Digest as _;
        B64.encode(Sha256::digest(key.as_bytes()))[..32].to_owned()
    }
}

/// Encrypts `plaintext` for the browser with public key `p256dh` and secret `auth`
/// (RFC 8291), with a fresh key and salt.
pub fn encrypt(plaintext: &[u8], p256dh: &[u8], auth: &[u8]) -> Result<Vec<u8>, PushError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PushError::Random(e.to_string()))?;
    encrypt_with(plaintext, p256dh, auth, &random_secret()?, &salt)
}

/// [`encrypt`] with the sender's key and the salt given (RFC 8291 §3.4 and §4; the worked
/// example of its Appendix A is this function's test).
pub fn encrypt_with(
    plaintext: &[u8],
    p256dh: &[u8],
    auth: &[u8],
    as_secret: &SecretKey,
    salt: &[u8; 16],
) -> Result<Vec<u8>, PushError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(PushError::Subscription(format!("a push message holds at most {MAX_PLAINTEXT} octets")));
    }
    let ua_public = PublicKey::from_sec1_bytes(p256dh)
        .map_err(|_| PushError::Subscription("keys.p256dh is not a P-256 point".into()))?;
    let as_public = uncompressed(&as_secret.public_key());
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_public.as_affine());

    // PRK_key = HKDF-Extract(auth_secret, ecdh_secret);
    // IKM = HKDF-Expand(PRK_key, "WebPush: info" 0x00 ua_public as_public, 32).
    let mut key_info = Vec::with_capacity(14 + 130);
    key_info.extend_from_slice(b"WebPush: info\0");
    key_info.extend_from_slice(p256dh);
    key_info.extend_from_slice(&as_public);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes().as_slice())
        .expand(&key_info, &mut ikm)
        .map_err(|_| PushError::Cipher)?;

    // PRK = HKDF-Extract(salt, IKM); the content-encryption key and the nonce (RFC 8188 §2.2).
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).map_err(|_| PushError::Cipher)?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce).map_err(|_| PushError::Cipher)?;

    // One record, the last: the plaintext, then the delimiter 0x02, no further padding.
    let mut record = Vec::with_capacity(plaintext.len() + 1 + 16);
    record.extend_from_slice(plaintext);
    record.push(0x02);
    let cipher = Aes128Gcm::new_from_slice(&cek).map_err(|_| PushError::Cipher)?;
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(nonce), &[], record.as_mut_slice().into())
        .map_err(|_| PushError::Cipher)?;
    record.extend_from_slice(tag.as_slice());

    // The header: salt, record size, key id length, key id (the sender's public key).
    let mut out = Vec::with_capacity(86 + record.len());
    out.extend_from_slice(salt);
    out.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    out.push(65);
    out.extend_from_slice(&as_public);
    out.extend_from_slice(&record);
    Ok(out)
}

/// A public key as 65 octets, uncompressed.
fn uncompressed(key: &PublicKey) -> Vec<u8> {
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    key.as_affine().to_sec1_point(false).as_bytes().to_vec()
}

/// A fresh private key.
fn random_secret() -> Result<SecretKey, PushError> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| PushError::Random(e.to_string()))?;
        // Of 2^256 values all but about 2^224 are valid scalars; draw again otherwise.
        if let Ok(key) = SecretKey::from_slice(&bytes) {
            return Ok(key);
        }
    }
}

/// A VAPID private key from a key file's text.
fn read_key(text: &str) -> Result<SecretKey, String> {
    let text = text.trim();
    if text.starts_with("-----BEGIN EC PRIVATE KEY-----") {
        SecretKey::from_sec1_pem(text).map_err(|e| format!("not a P-256 key: {e}"))
    } else if text.starts_with("-----BEGIN PRIVATE KEY-----") {
        use p256::pkcs8::DecodePrivateKey as _;
        SecretKey::from_pkcs8_pem(text).map_err(|e| format!("not a P-256 key: {e}"))
    } else {
        let raw = B64.decode(text.trim_end_matches('=')).map_err(|_| "neither PEM nor base64url".to_owned())?;
        SecretKey::from_slice(&raw).map_err(|_| "not a 32-octet P-256 private key".to_owned())
    }
}

/// Writes a new file readable by its owner only; fails if it exists.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(bytes)?;
            file.sync_all()
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// A browser on which a person enabled notifications, as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushDevice {
    /// Id.
    pub id: i64,
    /// The browser's push endpoint.
    pub endpoint: String,
    /// When it was enabled.
    pub created_at: jiff::Timestamp,
    /// The browser, as its `User-Agent` named it.
    pub user_agent: Option<String>,
}

impl From<tongban_store::PushSubscriptionRow> for PushDevice {
    fn from(r: tongban_store::PushSubscriptionRow) -> Self {
        PushDevice { id: r.id, endpoint: r.endpoint, created_at: r.created_at, user_agent: r.user_agent }
    }
}

/// The center's VAPID public key (base64url), the `applicationServerKey` the hall's pages
/// subscribe with; not found when this deployment sends no push notices.
pub fn vapid_public_key(state: &App) -> Result<String, AppError> {
    state
        .gateways
        .push
        .as_ref()
        .map(WebPush::public_key_b64url)
        .ok_or_else(|| AppError::NotFound("push notifications are not offered here".into()))
}

/// Enables notifications on the asking person's browser: stores its subscription (the same
/// endpoint under another account moves to this one) and records the person's consent to
/// the push channel, in one write.
pub async fn subscribe(
    state: &App,
    principal: &Principal,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    user_agent: Option<&str>,
) -> Result<PushDevice, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    let push = state
        .gateways
        .push
        .as_ref()
        .ok_or_else(|| AppError::Conflict("push notifications are not offered here".into()))?;
    let invalid = |field: &str, e: PushError| AppError::Invalid(vec![(field.to_owned(), e.to_string())]);
    let sub = Subscription::new(endpoint, p256dh, auth).map_err(|e| {
        let field = match &e {
            PushError::Subscription(m) if m.contains("p256dh") => "keys.p256dh",
            PushError::Subscription(m) if m.contains("auth") => "keys.auth",
            _ => "endpoint",
        };
        invalid(field, e)
    })?;
    push.endpoints().check(&sub.endpoint).map_err(|e| invalid("endpoint", e))?;
    let row = tongban_store::NewPushSubscription {
        account: me.clone(),
        endpoint: sub.endpoint,
        p256dh: B64.encode(&sub.p256dh),
        auth: B64.encode(&sub.auth),
        at: state.now(),
        user_agent: user_agent.map(str::to_owned),
    };
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                let id = tongban_store::upsert_push_subscription(c, &row).await?;
                tongban_store::set_notice_consent(c, &me, Channel::Push, true, row.at).await?;
                Ok(PushDevice { id, endpoint: row.endpoint, created_at: row.at, user_agent: row.user_agent })
            })
        })
        .await
}

/// Turns notifications off on one of the asking person's browsers; with the last one gone
/// the person's consent to the push channel is withdrawn too. Not found when the person has
/// no subscription at `endpoint`.
pub async fn unsubscribe(state: &App, principal: &Principal, endpoint: &str) -> Result<(), AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?.id.clone();
    let (endpoint, now) = (endpoint.to_owned(), state.now());
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                if !tongban_store::delete_push_subscription_of(c, &me, &endpoint).await? {
                    return Err(AppError::NotFound("no such push subscription".into()));
                }
                if tongban_store::push_subscription_rows(c, &me).await?.is_empty() {
                    tongban_store::set_notice_consent(c, &me, Channel::Push, false, now).await?;
                }
                Ok(())
            })
        })
        .await
}

/// The browsers on which the asking person enabled notifications, oldest first.
pub async fn push_devices(state: &App, principal: &Principal) -> Result<Vec<PushDevice>, AppError> {
    authorize(principal, Action::OwnNotices)?;
    let me = principal.require()?;
    Ok(state.store.push_subscription_list(&me.id).await?.into_iter().map(PushDevice::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> Vec<u8> {
        B64.decode(text).expect("base64url")
    }

    /// RFC 8291 Appendix A: the keys, the salt and the message given there encrypt to
    /// exactly the body printed there.
    #[test]
    fn the_rfc_8291_example_encrypts_to_its_exact_bytes() {
        let as_secret = SecretKey::from_slice(&b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw")).expect("key");
        assert_eq!(
            B64.encode(uncompressed(&as_secret.public_key())),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        let ua_public = b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
        let auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
        let salt: [u8; 16] = b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("16 octets");
        let body = encrypt_with(b"When I grow up, I want to be a watermelon", &ua_public, &auth, &as_secret, &salt)
            .expect("encrypts");
        assert_eq!(
            B64.encode(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn topics_are_short_base64url() {
        assert_eq!(topic("tongban-notice-42"), "tongban-notice-42");
        let long = topic("tongban-notice-123456789012345678901234567890");
        assert_eq!(long.len(), 32);
        assert!(long.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(topic("a b").len(), 32);
    }

    #[test]
    fn long_bodies_are_cut_to_one_message() {
        let msg = Outgoing {
            key: "tongban-notice-1".into(),
            address: String::new(),
            subject: "受理通知".into(),
            body: "长".repeat(3000),
            template: None,
            url: Some("https://hall.example/hall/cases/1".into()),
        };
        let text = payload(&msg);
        assert!(text.len() <= MAX_PLAINTEXT, "{}", text.len());
        let value: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
        assert!(value["body"].as_str().expect("body").ends_with('…'));
    }

    #[test]
    fn endpoints_are_https_push_services_unless_told() {
        let policy = EndpointPolicy::default();
        assert!(policy.check("https://fcm.googleapis.com/fcm/send/abc").is_ok());
        assert!(policy.check("https://updates.push.services.mozilla.com/wpush/v2/x").is_ok());
        assert!(policy.check("http://fcm.googleapis.com/fcm/send/abc").is_err());
        assert!(policy.check("https://10.0.0.1/admin").is_err());
        assert!(policy.check("https://evilfcm.googleapis.com.example/x").is_err());
        assert!(EndpointPolicy::local().check("http://127.0.0.1:9/push/1").is_ok());
    }

    #[test]
    fn key_files_are_pem_or_raw_and_made_once_with_mode_0600() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = WebPush::open_or_init(dir.path(), "mailto:admin@example.gov.cn").expect("made");
        let again = WebPush::open_or_init(dir.path(), "mailto:admin@example.gov.cn").expect("read");
        assert_eq!(first.public_key_b64url(), again.public_key_b64url());
        assert_eq!(b64(&first.public_key_b64url()).len(), 65);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let raw = read_key("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw").expect("raw key");
        assert_eq!(
            B64.encode(uncompressed(&raw.public_key())),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        );
        assert!(WebPush::open_or_init(dir.path(), "admin@example.gov.cn").is_err());
    }

    /// The JWT verifies with the public key by an independent implementation
    /// (jsonwebtoken), and carries the push service's origin, an expiry within 24 h and the
    /// subject.
    #[test]
    fn the_vapid_token_verifies() {
        let dir = tempfile::tempdir().expect("tempdir");
        let push = WebPush::open_or_init(dir.path(), "https://hall.example.gov.cn/").expect("made");
        let now = jiff::Timestamp::from_second(1_800_000_000).expect("time");
        let url = reqwest::Url::parse("https://fcm.googleapis.com:443/fcm/send/abc?x=1").expect("url");
        let header = push.authorization(&url, now);
        let rest = header.strip_prefix("vapid t=").expect("scheme");
        let (token, k) = rest.split_once(", k=").expect("k");
        assert_eq!(k, push.public_key_b64url());
        let point = b64(k);
        let key = jsonwebtoken::DecodingKey::from_ec_components(&B64.encode(&point[1..33]), &B64.encode(&point[33..]))
            .expect("key");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.validate_exp = false;
        validation.set_audience(&["https://fcm.googleapis.com"]);
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).expect("verifies");
        assert_eq!(data.claims["aud"], "https://fcm.googleapis.com");
        assert_eq!(data.claims["sub"], "https://hall.example.gov.cn/");
        let exp = data.claims["exp"].as_i64().expect("exp");
        assert!(exp > now.as_second() && exp <= now.as_second() + 24 * 3600);
    }
}
