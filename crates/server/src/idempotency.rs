//! `Idempotency-Key` for every creating POST. The key is reserved inside the transaction
//! that does the request's work: each creating use case calls [`claim`] first in its write,
//! so the effect and the key commit together or not at all. A retry finds the key and gets
//! the first answer replayed; a parallel retry waits on the key (PostgreSQL blocks on the
//! uncommitted row; SQLite's writer runs one write at a time) and then does the same. A key
//! reused with a different body is a 422. Case submissions store their answer in the same
//! transaction too (`app::submit_case`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tongban_store::{Conn, answer_idempotency, insert_idempotency};

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

/// The request being answered under a key, for [`claim`] in its use case's write.
#[derive(Debug, Clone)]
pub struct Pending {
    idem: Idempotency,
    who: String,
    claimed: Arc<AtomicBool>,
}

tokio::task_local! {
    static PENDING: Pending;
}

/// The key of the request this task is answering, if it came with one. Taken before a
/// write (the write may run on the store's writer task, where the task-local is not set).
pub fn pending() -> Option<Pending> {
    PENDING.try_with(Clone::clone).ok()
}

/// Inside a use case's write, before its work: reserves the key of `pending`. When the
/// key was used before, the write is refused with the first answer
/// ([`ApiError::Replayed`], which is sent as it was), with [`ApiError::InFlight`] when that
/// answer is not stored yet, or with a 422 when the key came with another body.
pub async fn claim(conn: &mut Conn, pending: Option<&Pending>, now: jiff::Timestamp) -> Result<(), ApiError> {
    let Some(p) = pending else { return Ok(()) };
    p.claimed.store(true, Ordering::Relaxed);
    if tongban_store::claim_idempotency(conn, &p.idem.key, &p.who, &p.idem.request_hash, now).await? {
        return Ok(());
    }
    match tongban_store::idempotency_in(conn, &p.idem.key, &p.who).await? {
        Some((hash, _, _)) if hash != p.idem.request_hash => Err(ApiError::IdempotencyMismatch(p.idem.key.clone())),
        Some((_, 0, _)) | None => Err(ApiError::InFlight),
        Some((_, status, body)) => Err(ApiError::Replayed { status, body }),
    }
}

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
    if let Some((status, stored)) = app::replay(&state, &principal, &idem).await? {
        return Ok(json_response(status, stored));
    }
    let pending = Pending { idem: idem.clone(), who: principal.id().to_owned(), claimed: Arc::default() };
    let request = Request::from_parts(parts, Body::from(bytes));
    let response = PENDING.scope(pending.clone(), next.run(request)).await;
    if response.status() == StatusCode::CONFLICT && is_in_flight(&response) {
        return wait_for_answer(&state, &principal, &idem).await;
    }
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (who, now, claimed) = (pending.who, state.now(), pending.claimed.load(Ordering::Relaxed));
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                if claimed {
                    answer_idempotency(c, &idem.key, &who, status, &text).await.map(|_| ())
                } else {
                    // A creating route whose use case does not claim: the answer alone.
                    insert_idempotency(c, &idem.key, &who, &idem.request_hash, status, &text, now).await
                }
            })
        })
        .await
        .or_else(|e| if claimed { Err(e) } else { Ok(()) })?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn is_in_flight(response: &Response) -> bool {
    response.extensions().get::<InFlightMark>().is_some()
}

/// Marks the response of an [`ApiError::InFlight`] for this layer.
#[derive(Debug, Clone, Copy)]
pub struct InFlightMark;

/// Polls for the answer the first request stores right after its work commits.
async fn wait_for_answer(state: &AppState, principal: &Principal, idem: &Idempotency) -> Result<Response, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if let Some((status, stored)) = app::replay(state, principal, idem).await? {
            return Ok(json_response(status, stored));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The work committed but its answer was lost (a crash in between): the work is never
    // done twice; the client looks the resource up.
    Err(ApiError::InFlight)
}

fn json_response(status: u16, body: String) -> Response {
    let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}
