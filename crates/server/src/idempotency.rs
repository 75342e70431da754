//! `Idempotency-Key` for every creating POST, as HTTP: the request runs under
//! [`app::idempotency::answering`], whose use case claims the key in its own write; a retry
//! gets the first answer replayed; a parallel retry waits for it. A key reused with a
//! different body is a 422.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::app::AppError;
use crate::app::idempotency::{self, Idempotency, Pending};
use crate::auth::Principal;
use crate::problem::ApiError;

/// Creating routes handled here.
pub const CREATING: &[&str] = &[
    "/api/v1/cases",
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

/// How long a retry waits for the first request's answer to be stored (it is stored right
/// after that request's work commits).
const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn run(state: AppState, key: String, req: Request, next: Next) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let principal = Principal::from_request_parts(&mut parts, &state).await?;
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| ApiError::BadBody("body too large".into()))?;
    let idem = Idempotency::new(&key, &bytes)?;
    let path = parts.uri.path().to_owned();
    if let Some((status, stored)) = idempotency::replay(&state, &principal, &idem).await? {
        return Ok(replayed(&path, status, stored));
    }
    let pending = Pending::new(idem.clone(), principal.id());
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = idempotency::answering(pending.clone(), next.run(request)).await;
    if response.status() == StatusCode::CONFLICT && is_in_flight(&response) {
        return wait_for_answer(&state, &principal, &idem, &path).await;
    }
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| AppError::Internal(e.to_string()))?;
    idempotency::store_answer(&state, &pending, status, String::from_utf8_lossy(&bytes).into_owned()).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn is_in_flight(response: &Response) -> bool {
    response.extensions().get::<InFlightMark>().is_some()
}

/// Marks the response of an [`AppError::InFlight`] for this layer.
#[derive(Debug, Clone, Copy)]
pub struct InFlightMark;

/// Polls for the answer the first request stores right after its work commits.
async fn wait_for_answer(
    state: &AppState,
    principal: &Principal,
    idem: &Idempotency,
    path: &str,
) -> Result<Response, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if let Some((status, stored)) = idempotency::replay(state, principal, idem).await? {
            return Ok(replayed(path, status, stored));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The work committed but its answer was lost (a crash in between): the work is never
    // done twice; the client looks the resource up.
    Err(AppError::InFlight.into())
}

/// The first answer to a POST to `path`, replayed: its status and body, and the `Location`
/// of what it created where the route gives one.
pub fn replayed(path: &str, status: u16, body: String) -> Response {
    let location = (status == 201).then(|| crate::api::cases::created_location(path, &body)).flatten();
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        r.headers_mut().insert(header::LOCATION, location);
    }
    r
}
