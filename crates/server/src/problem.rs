//! RFC 9457 problem details: the one place where errors become HTTP responses.
//!
//! Every error kind has a stable `type` URI (`/problems/<kind>`), documented in the
//! OpenAPI document. A 5xx is logged once here with its source; nothing internal leaks.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tongban_app::{AppError, StoreError};
use tongban_core::case::CaseError;
use utoipa::ToSchema;

/// An RFC 9457 problem details body (`application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable URI naming the kind of error, e.g. `/problems/illegal-transition`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What went wrong this time.
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Per-field errors, when the input had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One invalid field, or one bad row of an imported file (then `line` and `column` say
/// where, `file` or `sheet` in which file or sheet, and `message` says it all as
/// `sheet S, row N, column C: why` or `FILE line N, column C: why`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, e.g. `applicant.name`; for a row, its column (`file` for the whole row).
    pub field: String,
    /// Why.
    pub message: String,
    /// A row's file, when it was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// A row's sheet of a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// A row's line of the CSV file (the header is line 1), or its row of the sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// A row's column at fault (its header); none for the whole row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl FieldProblem {
    /// A field and why.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldProblem { field: field.into(), message: message.into(), file: None, sheet: None, line: None, column: None }
    }
}

/// Every error the API answers with: the use cases' own, and what only HTTP can get wrong.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A use case refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// The body is not valid JSON or does not match the schema.
    #[error("{0}")]
    BadBody(String),
    /// A session-cookie request without the right CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// A request body over its route's limit (bytes).
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// A request body that did not arrive in time (seconds).
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
}

impl From<crate::app::oidc::OidcError> for ApiError {
    fn from(e: crate::app::oidc::OidcError) -> Self {
        ApiError::App(AppError::IdentityProvider(e))
    }
}

impl From<tongban_core::case::CaseError> for ApiError {
    fn from(e: tongban_core::case::CaseError) -> Self {
        ApiError::App(AppError::Case(e))
    }
}

/// The stable kinds, with their status and title; listed in the OpenAPI description.
pub const KINDS: &[(&str, u16, &str)] = &[
    ("invalid-body", 400, "The request body is not valid"),
    ("invalid-parameter", 400, "A parameter is not valid"),
    ("not-found", 404, "Not found"),
    ("illegal-transition", 409, "The case cannot do that in its current state"),
    ("conflict", 409, "The resource changed or already exists"),
    ("channel-not-offered", 422, "The item is not offered through this channel"),
    ("missing-materials", 422, "Required materials are missing"),
    ("unknown-materials", 422, "Materials not listed for this item"),
    ("invalid-field", 422, "A field is not valid"),
    ("outside-calendar", 422, "The date lies outside the working calendar"),
    ("unauthorized", 401, "Authentication required"),
    ("bad-login", 401, "Invalid login or password"),
    ("too-many-attempts", 429, "Too many failed logins"),
    ("csrf", 403, "Missing or wrong CSRF token"),
    ("forbidden", 403, "Not allowed"),
    ("no-authority", 403, "No delegated authority for this decision"),
    ("not-offered", 409, "The case is not being handed over to you"),
    ("invalid-owner", 422, "The account named cannot own this case"),
    ("invalid-rating", 422, "A case is rated once, from 1 to 5"),
    ("rating-window-closed", 422, "The rating window after delivery has closed"),
    ("already-rated", 409, "The case was already rated through this channel"),
    ("rectification-out-of-order", 409, "A rectification goes verify, rectify, feed back, then the rater answers"),
    ("appeal-decided", 409, "A rating is appealed once and an appeal reviewed once"),
    ("idempotency-mismatch", 422, "Idempotency-Key reused with a different request"),
    ("file-too-large", 413, "The file is too large"),
    ("quota-exceeded", 413, "The case holds as many files as it may"),
    ("body-too-large", 413, "The request body is too large for this route"),
    ("identity-provider-unavailable", 502, "The identity provider could not be reached or answered badly"),
    ("identity-not-vouched", 403, "The identity provider did not vouch for this identity"),
    ("phone-refused", 422, "The SMS gateway refuses the phone number on record"),
    ("sms-unavailable", 502, "The SMS gateway could not send the message"),
    ("idempotency-in-flight", 409, "The first request with this Idempotency-Key is still being answered"),
    ("request-timeout", 408, "The request body did not arrive in time"),
    ("unsupported-type", 415, "The file type is not accepted"),
    ("unavailable", 503, "The service is temporarily unavailable"),
    ("internal", 500, "Internal error"),
];

impl ApiError {
    fn kind(&self) -> &'static str {
        let e = match self {
            ApiError::App(e) => e,
            ApiError::BadBody(_) => return "invalid-body",
            ApiError::Csrf => return "csrf",
            ApiError::BodyTooLarge(_) => return "body-too-large",
            ApiError::RequestTimeout(_) => return "request-timeout",
        };
        match e {
            AppError::BadParameter(_) => "invalid-parameter",
            AppError::NotFound(_) => "not-found",
            AppError::Conflict(_) => "conflict",
            AppError::Invalid(_) | AppError::Rows(_) => "invalid-field",
            AppError::Case(e) => match e {
                CaseError::IllegalTransition { .. } => "illegal-transition",
                CaseError::ChannelNotOffered { .. } => "channel-not-offered",
                CaseError::MissingMaterials(_) => "missing-materials",
                CaseError::UnknownMaterials(_) => "unknown-materials",
                CaseError::BadText(..) | CaseError::Delivery(_) => "invalid-field",
                CaseError::Calendar(_) => "outside-calendar",
                CaseError::NotOfferedToYou => "not-offered",
                CaseError::BadRating => "invalid-rating",
                CaseError::NotAnOwner { .. } => "invalid-owner",
                CaseError::NotYourHandOver(_) => "forbidden",
            },
            AppError::Store(StoreError::Closed) => "unavailable",
            AppError::Store(_) | AppError::Internal(_) => "internal",
            AppError::Unauthorized => "unauthorized",
            AppError::BadLogin => "bad-login",
            AppError::TooManyAttempts(_) => "too-many-attempts",
            AppError::Forbidden(_) => "forbidden",
            AppError::NoAuthority(_) => "no-authority",
            AppError::IdempotencyMismatch(_) => "idempotency-mismatch",
            AppError::TooLarge(_) => "file-too-large",
            AppError::Quota(_) => "quota-exceeded",
            AppError::InFlight => "idempotency-in-flight",
            AppError::IdentityProvider(crate::app::oidc::OidcError::Provider(_)) => "identity-provider-unavailable",
            AppError::IdentityProvider(_) => "identity-not-vouched",
            AppError::Sms(crate::app::sms::SmsError::InvalidNumber) => "phone-refused",
            AppError::Sms(_) => "sms-unavailable",
            AppError::Replayed { .. } => "replayed",
            AppError::UnsupportedType(_) => "unsupported-type",
            AppError::Rating(e) => {
                use tongban_core::rating::RatingError as R;
                match e {
                    R::Score(_) | R::Channel(_) => "invalid-rating",
                    R::NotDelivered => "illegal-transition",
                    R::WindowClosed { .. } => "rating-window-closed",
                    R::AlreadyRated(_) => "already-rated",
                    R::Calendar(_) => "outside-calendar",
                }
            }
            AppError::Rectification(e) => match e {
                tongban_core::rating::rectification::RectificationError::OutOfOrder { .. } => {
                    "rectification-out-of-order"
                }
                tongban_core::rating::rectification::RectificationError::Text(_) => "invalid-field",
            },
            AppError::Appeal(e) => match e {
                tongban_core::rating::appeal::AppealError::Text(_) => "invalid-field",
                _ => "appeal-decided",
            },
        }
    }

    /// The problem body for this error at `instance`.
    pub fn problem(&self, instance: Option<String>) -> Problem {
        let kind = self.kind();
        let (status, title) = KINDS.iter().find(|k| k.0 == kind).map_or((500, "Internal error"), |k| (k.1, k.2));
        let detail = if status >= 500 { title.to_owned() } else { self.to_string() };
        let errors = match self {
            ApiError::App(AppError::Invalid(fields)) => {
                fields.iter().map(|(f, m)| FieldProblem::new(f.clone(), m.clone())).collect()
            }
            ApiError::App(AppError::Rows(rows)) => rows
                .iter()
                .map(|r| FieldProblem {
                    file: r.file.clone(),
                    sheet: r.sheet.clone(),
                    line: Some(r.line),
                    column: r.column.clone(),
                    ..FieldProblem::new(r.column.clone().unwrap_or_else(|| "file".into()), r.to_string())
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem { kind: format!("/problems/{kind}"), title: title.to_owned(), status, detail, instance, errors }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::App(AppError::Replayed { status, body }) = self {
            let mut r = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return r;
        }
        let problem = self.problem(None);
        if problem.status >= 500 {
            // Logged once, here, with the full source chain.
            tracing::error!(error = %self, kind = problem.kind, "request failed");
        }
        let mut response = problem.into_response();
        if matches!(self, ApiError::App(AppError::InFlight)) {
            response.extensions_mut().insert(crate::idempotency::InFlightMark);
        }
        response
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        response
    }
}
