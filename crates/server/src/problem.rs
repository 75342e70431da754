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

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field, e.g. `applicant.name`.
    pub field: String,
    /// Why.
    pub message: String,
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON or does not match the schema.
    #[error("{0}")]
    BadBody(String),
    /// A query or path parameter is invalid.
    #[error("{0}")]
    BadParameter(String),
    /// The thing named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A case rule refused the command.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// Fields that are not valid: (field, why) pairs.
    #[error("invalid fields: {}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// Someone else changed the resource first.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// No or bad credentials.
    #[error("authentication required")]
    Unauthorized,
    /// Login refused (never says whether the account exists).
    #[error("invalid login or password")]
    BadLogin,
    /// Too many failed logins.
    #[error("too many failed logins; try again in {0} s")]
    TooManyAttempts(u64),
    /// A session-cookie request without the right CSRF token.
    #[error("missing or wrong CSRF token")]
    Csrf,
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The actor lacks the delegated power.
    #[error("{0}")]
    NoAuthority(String),
    /// An Idempotency-Key reused with a different request.
    #[error("Idempotency-Key {0:?} was used with a different request")]
    IdempotencyMismatch(String),
    /// An upload over the size limit (bytes).
    #[error("the file is larger than {0} bytes")]
    TooLarge(usize),
    /// A retry of a request already answered under its Idempotency-Key: the first answer,
    /// replayed as it was (not a problem).
    #[error("replayed")]
    Replayed {
        /// The first answer's status.
        status: u16,
        /// Its body (JSON).
        body: String,
    },
    /// A retry while the first request with its Idempotency-Key has done its work but not
    /// yet stored its answer; the idempotency layer waits for the answer.
    #[error("the first request with this Idempotency-Key is still being answered")]
    InFlight,
    /// The SMS gateway did not take a message.
    #[error(transparent)]
    Sms(#[from] tongban_app::sms::SmsError),
    /// The identity provider could not be used, or its answer was not acceptable.
    #[error(transparent)]
    IdentityProvider(#[from] tongban_app::oidc::OidcError),
    /// A request body over its route's limit (bytes).
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// A request body that did not arrive in time (seconds).
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
    /// A case's upload quota would be exceeded.
    #[error("{0}")]
    Quota(String),
    /// An upload of a type not accepted.
    #[error("{0}")]
    UnsupportedType(String),
    /// Something that should not fail did.
    #[error("{0}")]
    Internal(String),
}

/// The use cases' errors answer as the same kinds (one arm each, so none is forgotten).
impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use AppError as A;
        match e {
            A::BadParameter(x) => ApiError::BadParameter(x),
            A::NotFound(x) => ApiError::NotFound(x),
            A::Case(x) => ApiError::Case(x),
            A::Invalid(x) => ApiError::Invalid(x),
            A::Conflict(x) => ApiError::Conflict(x),
            A::Store(x) => ApiError::Store(x),
            A::Unauthorized => ApiError::Unauthorized,
            A::BadLogin => ApiError::BadLogin,
            A::TooManyAttempts(x) => ApiError::TooManyAttempts(x),
            A::Forbidden(x) => ApiError::Forbidden(x),
            A::NoAuthority(x) => ApiError::NoAuthority(x),
            A::IdempotencyMismatch(x) => ApiError::IdempotencyMismatch(x),
            A::TooLarge(x) => ApiError::TooLarge(x),
            A::Replayed { status, body } => ApiError::Replayed { status, body },
            A::InFlight => ApiError::InFlight,
            A::Sms(x) => ApiError::Sms(x),
            A::IdentityProvider(x) => ApiError::IdentityProvider(x),
            A::Quota(x) => ApiError::Quota(x),
            A::UnsupportedType(x) => ApiError::UnsupportedType(x),
            A::Internal(x) => ApiError::Internal(x),
        }
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
        match self {
            ApiError::BadBody(_) => "invalid-body",
            ApiError::BadParameter(_) => "invalid-parameter",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict(_) => "conflict",
            ApiError::Invalid(_) => "invalid-field",
            ApiError::Case(e) => match e {
                CaseError::IllegalTransition { .. } => "illegal-transition",
                CaseError::ChannelNotOffered { .. } => "channel-not-offered",
                CaseError::MissingMaterials(_) => "missing-materials",
                CaseError::UnknownMaterials(_) => "unknown-materials",
                CaseError::BadText(..) => "invalid-field",
                CaseError::Calendar(_) => "outside-calendar",
                CaseError::NotOfferedToYou => "not-offered",
                CaseError::BadRating => "invalid-rating",
                CaseError::NotAnOwner { .. } => "invalid-owner",
            },
            ApiError::Store(StoreError::Closed) => "unavailable",
            ApiError::Store(_) | ApiError::Internal(_) => "internal",
            ApiError::Unauthorized => "unauthorized",
            ApiError::BadLogin => "bad-login",
            ApiError::TooManyAttempts(_) => "too-many-attempts",
            ApiError::Csrf => "csrf",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NoAuthority(_) => "no-authority",
            ApiError::IdempotencyMismatch(_) => "idempotency-mismatch",
            ApiError::TooLarge(_) => "file-too-large",
            ApiError::Quota(_) => "quota-exceeded",
            ApiError::BodyTooLarge(_) => "body-too-large",
            ApiError::InFlight => "idempotency-in-flight",
            ApiError::IdentityProvider(crate::app::oidc::OidcError::Provider(_)) => "identity-provider-unavailable",
            ApiError::IdentityProvider(_) => "identity-not-vouched",
            ApiError::Sms(crate::app::sms::SmsError::InvalidNumber) => "phone-refused",
            ApiError::Sms(_) => "sms-unavailable",
            ApiError::Replayed { .. } => "replayed",
            ApiError::RequestTimeout(_) => "request-timeout",
            ApiError::UnsupportedType(_) => "unsupported-type",
        }
    }

    /// The problem body for this error at `instance`.
    pub fn problem(&self, instance: Option<String>) -> Problem {
        let kind = self.kind();
        let (status, title) = KINDS.iter().find(|k| k.0 == kind).map_or((500, "Internal error"), |k| (k.1, k.2));
        let detail = if status >= 500 { title.to_owned() } else { self.to_string() };
        let errors = match self {
            ApiError::Invalid(fields) => {
                fields.iter().map(|(f, m)| FieldProblem { field: f.clone(), message: m.clone() }).collect()
            }
            _ => Vec::new(),
        };
        Problem { kind: format!("/problems/{kind}"), title: title.to_owned(), status, detail, instance, errors }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Replayed { status, body } = self {
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
        if matches!(self, ApiError::InFlight) {
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
