//! `Idempotency-Key` for every creating POST. Case submissions store the key in the same
//! transaction as the case (see `app::submit_case`); the other creating routes go through
//! this layer, which replays the first answer to a retry and refuses the same key with a
//! different body (422). Their creations are also guarded by unique keys (logins, ids).

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tongban_store::insert_idempotency;

use crate::AppState;
use crate::app::{self, Idempotency};
use crate::auth::Principal;
use crate::problem::ApiError;

/// Creating routes handled here (case submission handles its key itself).
pub const CREATING: &[&str] = &[
    "/api/v1/tokens",
    "/api/v1/grants",
    "/api/v1/accounts",
    "/api/v1/applicants",
    "/api/v1/plans",
    "/api/v1/projects",
];

/// Whether a POST to `path` creates something this layer guards: a listed route, or a
/// project's consultation record (`/api/v1/projects/{code}/consultations`).
pub fn is_creating(path: &str) -> bool {
    CREATING.contains(&path) || (path.starts_with("/api/v1/projects/") && path.ends_with("/consultations"))
}

/// Largest body this layer buffers.
const MAX_BODY: usize = 1 << 20;

/// The middleware.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (Some(key), true) = (key, req.method() == Method::POST && is_creating(req.uri().path())) else {
        return next.run(req).await;
    };
    match run(state, key, req, next).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run(state: AppState, key: String, req: Request, next: Next) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let principal = Principal::from_request_parts(&mut parts, &state).await?;
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| ApiError::BadBody("body too large".into()))?;
    let idem = Idempotency::new(&key, &bytes)?;
    if let Some((status, stored)) = app::replay(&state, &principal, &idem).await? {
        return Ok(json_response(status, stored));
    }
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (who, now, stored) = (principal.id().to_owned(), state.now(), text.clone());
    // A concurrent retry may have stored the key first; its answer stands.
    let _ = state
        .store
        .write(move |c| {
            Box::pin(
                async move { insert_idempotency(c, &idem.key, &who, &idem.request_hash, status, &stored, now).await },
            )
        })
        .await;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn json_response(status: u16, body: String) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}
