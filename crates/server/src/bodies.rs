//! Request bodies bounded per route, in size and in time, before anything else reads them
//! — authentication included, so an anonymous client cannot make the server hold a large
//! or a slow body. A body over its route's limit is a `413`, one that does not arrive in
//! time a `408`, both problem+json.
//!
//! Only the routes that take files or documents allow large bodies, and only to requests
//! carrying credentials (a session cookie or a bearer token): the public never needs them.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::SESSION_COOKIE;
use crate::problem::ApiError;

/// What every other request may send: forms and JSON of text fields.
pub const SMALL: usize = 256 * 1024;
/// How long a small body may take to arrive.
pub const SMALL_PATIENCE: Duration = Duration::from_secs(30);
/// How long a large body (a file, a document) may take: 10 MiB over a slow line.
pub const LARGE_PATIENCE: Duration = Duration::from_secs(120);

/// Over a route's own limit, so the route answers a body just over it with its own
/// message (which names what is limited); this layer stops what is far over.
const SLACK: usize = 64 * 1024;

/// The largest body a request to `path` may carry, and how long it may take.
pub fn limit(method: &Method, path: &str, credentials: bool) -> (usize, Duration) {
    let large = |bytes: usize| if credentials { (bytes, LARGE_PATIENCE) } else { (SMALL, SMALL_PATIENCE) };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("PUT", ["api", "v1", "cases", _, "materials", _]) => large(crate::app::MAX_FILE_BYTES + SLACK),
        ("POST", ["api", "v1", "plans"]) => large(crate::api::MAX_BPMN_BYTES + SLACK),
        ("PUT", ["api", "v1", "calendar", "years", _]) => large(crate::api::MAX_CSV_BYTES + SLACK),
        ("POST", ["api", "v1", "imports", _]) => large(crate::api::MAX_IMPORT_BYTES + SLACK),
        // Pages whose forms carry files or pasted documents.
        (
            "POST",
            ["hall", "apply", _]
            | ["cases", _, "act"]
            | ["admin", "plans", "import"]
            | ["admin", "calendar", "import"]
            | ["admin", "imports"]
            | ["admin", "imports", "publish"],
        ) => large(crate::web::MAX_FORM_BYTES),
        _ => (SMALL, SMALL_PATIENCE),
    }
}

/// The middleware: refuses a declared length over the limit at once, and reads the body
/// within the limit and the time allowed before the request goes on.
pub async fn bounded_body(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let credentials = req.headers().contains_key(header::AUTHORIZATION)
        || crate::auth::cookie(req.headers(), SESSION_COOKIE).is_some();
    let (max, patience) = limit(req.method(), req.uri().path(), credentials);
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return ApiError::BodyTooLarge(max).into_response();
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(patience, axum::body::to_bytes(body, max)).await {
        Err(_) => ApiError::RequestTimeout(patience.as_secs()).into_response(),
        Ok(Err(_)) => ApiError::BodyTooLarge(max).into_response(),
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_file_routes_with_credentials_take_large_bodies() {
        let put = Method::PUT;
        assert!(limit(&put, "/api/v1/cases/620100-2026-000001/materials/x", true).0 > 10 * 1024 * 1024);
        assert_eq!(limit(&put, "/api/v1/cases/620100-2026-000001/materials/x", false).0, SMALL);
        assert_eq!(limit(&Method::POST, "/login", true).0, SMALL);
        assert_eq!(limit(&Method::POST, "/hall/apply/620100-FGW-001", false).0, SMALL);
        assert!(limit(&Method::POST, "/hall/apply/620100-FGW-001", true).0 > SMALL);
        assert_eq!(limit(&Method::POST, "/hall/apply/x/y", true).0, SMALL, "whole segments only");
        assert!(limit(&Method::POST, "/api/v1/imports/staff", true).0 > crate::api::MAX_IMPORT_BYTES);
        assert_eq!(limit(&Method::POST, "/api/v1/imports/staff", false).0, SMALL);
        assert!(limit(&Method::POST, "/admin/imports/publish", true).0 > 2 * crate::api::MAX_IMPORT_BYTES);
    }
}
