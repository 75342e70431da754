//! Who is asking: sessions (cookie + CSRF token), API tokens (bearer), passwords (argon2),
//! and the login rate limiter. No password, token or session id is ever logged or stored
//! in clear: only argon2 hashes (passwords) and SHA-256 digests (session ids, tokens).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};

pub use tongban_app::actor::{Principal, Via};
pub use tongban_app::credentials::{
    SCOPE_READ, SCOPE_WRITE, SESSION_HOURS, digest, digest_bytes, hash_password, random_hex, same_secret,
    verify_password,
};

use crate::AppState;
use crate::app::AppError;
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
            let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or(AppError::Unauthorized)?;
            let (account, scopes) = crate::app::accounts::token_holder(state, &digest(token.trim()), now)
                .await?
                .ok_or(AppError::Unauthorized)?;
            if account.disabled {
                return Err(AppError::Unauthorized.into());
            }
            let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if unsafe_method && !scopes.iter().any(|s| s == SCOPE_WRITE) {
                return Err(AppError::Forbidden("this token is read-only (scope \"read\")".into()).into());
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
