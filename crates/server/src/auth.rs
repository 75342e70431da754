//! Who is asking: sessions (cookie + CSRF token), API tokens (bearer), passwords (argon2),
//! and the login rate limiter. No password, token or session id is ever logged or stored
//! in clear: only argon2 hashes (passwords) and SHA-256 digests (session ids, tokens).

use std::net::{IpAddr, SocketAddr};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use sha2::{Digest, Sha256};
use tongban_core::identity::Role;
use tongban_store::Account;

use crate::AppState;
use crate::problem::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tongban_session";

/// The `Set-Cookie` value of a session: `id` for `hours`, secure, unreadable to scripts,
/// sent on top-level navigation only. The one place the session cookie is spelled.
pub fn session_cookie(id: &str, hours: i64) -> String {
    format!("{SESSION_COOKIE}={id}; Path=/; Max-Age={}; HttpOnly; Secure; SameSite=Lax", hours * 3600)
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
}
/// The header carrying the CSRF token on unsafe requests made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Token scope allowing reads (GET).
pub const SCOPE_READ: &str = "read";
/// Token scope allowing writes (POST, PUT, DELETE), within the account's own rights.
pub const SCOPE_WRITE: &str = "write";

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// `n` random bytes as lowercase hex, from the operating system's generator.
pub fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 of bytes, hex.
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (default parameters), off the async threads.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Checks a password against a stored hash. With no hash (unknown account) it still does
/// the work, against a fixed hash, so timing does not tell whether an account exists.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    const DUMMY: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7mHcQ2Ei8Xg5rNz8x2Cr0XLdMcfYxJzXvPAsN0MZNqc";
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
        && known
}

/// How a request authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// No credentials: the public.
    Anonymous,
    /// A session cookie.
    Session,
    /// A bearer token with these scopes.
    Token(Vec<String>),
    /// The server's own console (`tongban admin …`): whoever runs it holds the database.
    Console,
}

/// The person behind a request. Extracting it checks the session or token and, for unsafe
/// methods over a session cookie, the CSRF token.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The account; none for the public.
    pub account: Option<Account>,
    /// How they authenticated.
    pub via: Via,
    /// The client's address, when known.
    pub client: Option<IpAddr>,
    /// The session id's digest (for logout).
    pub session_hash: Option<String>,
    /// The session's CSRF token, which forms posted over it must carry.
    pub session_csrf: Option<String>,
}

impl Principal {
    /// The role: the account's, or public.
    pub fn role(&self) -> Role {
        self.account.as_ref().map_or(Role::Public, |a| a.role)
    }

    /// The account id, or `-` for the public.
    pub fn id(&self) -> &str {
        self.account.as_ref().map_or("-", |a| a.id.as_str())
    }

    /// The account, or 401.
    pub fn require(&self) -> Result<&Account, ApiError> {
        self.account.as_ref().ok_or(ApiError::Unauthorized)
    }

    /// An administrator at the server's console, acting as `-` in the audit log: the
    /// command line (e.g. creating the first administrator) goes through the same use cases
    /// and rules as the pages and the API.
    pub fn console() -> Principal {
        let account = Account {
            id: "-".into(),
            kind: "staff".into(),
            display_name: "console".into(),
            role: Role::Administrator,
            department: None,
            window: None,
            position: None,
            applicant_kind: None,
            id_number: None,
            phone: None,
            password_hash: String::new(),
            disabled: false,
            verified: None,
        };
        Principal { account: Some(account), via: Via::Console, client: None, session_hash: None, session_csrf: None }
    }
}

/// A cookie's value in a request's headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let client = state.proxies.client(peer, &parts.headers);
        let now = state.now();
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(ApiError::Unauthorized)?;
            let (account, scopes) = crate::app::accounts::token_holder(state, &digest(token.trim()), now)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            if account.disabled {
                return Err(ApiError::Unauthorized);
            }
            let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if unsafe_method && !scopes.iter().any(|s| s == SCOPE_WRITE) {
                return Err(ApiError::Forbidden("this token is read-only (scope \"read\")".into()));
            }
            return Ok(Principal {
                account: Some(account),
                via: Via::Token(scopes),
                client,
                session_hash: None,
                session_csrf: None,
            });
        }
        if let Some(id) = cookie(&parts.headers, SESSION_COOKIE) {
            let hash = digest(id);
            if let Some(session) = crate::app::accounts::session(state, &hash, now).await?
                && !session.account.disabled
            {
                let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if unsafe_method && sent != Some(session.csrf.as_str()) {
                    return Err(ApiError::Csrf);
                }
                return Ok(Principal {
                    account: Some(session.account),
                    via: Via::Session,
                    client,
                    session_hash: Some(hash),
                    session_csrf: Some(session.csrf),
                });
            }
        }
        Ok(Principal { account: None, via: Via::Anonymous, client, session_hash: None, session_csrf: None })
    }
}
