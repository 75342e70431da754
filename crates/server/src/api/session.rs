//! Logging in and out, who am I, API tokens, sign-up.

use crate::app::Account;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

/// Login form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Login name.
    #[schema(max_length = 64)]
    pub login: String,
    /// Password.
    #[schema(max_length = 256)]
    pub password: String,
}

/// Who is logged in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Login name.
    pub login: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Department, for staff.
    pub department: Option<String>,
    /// The CSRF token to send as `X-CSRF-Token` with unsafe requests made with the session cookie.
    pub csrf_token: Option<String>,
    /// For applicants: how their identity was verified (实名认证), `window` or `oidc`; none
    /// while it is only what they typed — they then reach only the cases they handed in.
    pub verified: Option<String>,
}

pub(crate) fn me(a: &Account, csrf: Option<String>) -> Me {
    Me {
        login: a.id.clone(),
        display_name: a.display_name.clone(),
        role: a.role.as_str().into(),
        department: a.department.as_ref().map(ToString::to_string),
        csrf_token: csrf,
        verified: a.verified.as_ref().map(|v| v.method.as_str().to_owned()),
    }
}

/// Log in: sets an HttpOnly, Secure, SameSite=Lax session cookie.
#[utoipa::path(post, path = "/api/v1/session", tag = "identity", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = Me),
        (status = 401, description = "Invalid login or password (never says which)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(form): AppJson<LoginRequest>,
) -> Result<(HeaderMap, Json<Me>), ApiError> {
    let (account, csrf, session) = crate::app::login(&state, &principal, &form.login, &form.password).await?;
    let cookie = crate::auth::session_cookie(&session, crate::auth::SESSION_HOURS);
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie.parse().map_err(|_| AppError::Internal("bad cookie".into()))?);
    Ok((headers, Json(me(&account, Some(csrf)))))
}

/// Log out: ends the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "identity",
    responses((status = 204, description = "Logged out"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json")))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> Result<(StatusCode, HeaderMap), ApiError> {
    crate::app::logout(&state, &principal).await?;
    let cleared = crate::auth::cleared_session_cookie();
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cleared.parse().map_err(|_| AppError::Internal("bad cookie".into()))?);
    Ok((StatusCode::NO_CONTENT, headers))
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, description = "The logged-in account", body = Me), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json")))]
pub async fn whoami(principal: Principal) -> Result<Json<Me>, ApiError> {
    authorize(&principal, Action::Session)?;
    Ok(Json(me(principal.require()?, None)))
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// A name to recognise it by.
    pub name: String,
    /// Scopes: `read` (GET only) and/or `write` (also POST, PUT, DELETE); default both.
    /// A token never has more rights than its account.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Lifetime in days (1–365, default 30).
    #[serde(default)]
    pub days: Option<u32>,
}

/// A created token: the secret is shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    /// Id, for revocation.
    pub id: String,
    /// The bearer secret; store it now, it is not shown again.
    pub token: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

/// Create an API token for the caller (bearer, scoped, expiring).
#[utoipa::path(post, path = "/api/v1/tokens", tag = "identity", request_body = TokenRequest,
    responses((status = 201, description = "Created", body = TokenCreated), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "A token cannot create tokens; missing CSRF token", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenCreated>), ApiError> {
    let created = crate::app::create_token(&state, &principal, &req.name, req.scopes, req.days).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenCreated { id: created.id, token: created.token, expires_at: created.expires_at }),
    ))
}

/// Revoke one of the caller's API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "identity", params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    crate::app::revoke_token(&state, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign up as an applicant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignUpRequest {
    /// Login name (3–64 of a–z 0–9 . _ -).
    #[schema(min_length = 3, max_length = 64)]
    pub login: String,
    /// Password (at least 10 characters).
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// Name.
    #[schema(max_length = 100)]
    pub name: String,
    /// `individual` or `enterprise`.
    pub kind: String,
    /// ID card number, or 统一社会信用代码 for an enterprise (18 characters, check character last).
    #[schema(min_length = 18, max_length = 18)]
    pub id_number: String,
    /// Phone.
    #[serde(default)]
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    /// E-mail address, for notices by e-mail.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// Create an applicant account (online service hall sign-up).
#[utoipa::path(post, path = "/api/v1/applicants", tag = "identity", request_body = SignUpRequest,
    responses((status = 201, description = "Created", body = Me), (status = 403, description = "Already logged in", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Login taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"), (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn sign_up(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<SignUpRequest>,
) -> Result<(StatusCode, Json<Me>), ApiError> {
    let request = crate::app::SignUp {
        login: req.login,
        password: req.password,
        name: req.name,
        kind: req.kind,
        id_number: req.id_number,
        phone: req.phone,
        email: req.email,
    };
    let account = crate::app::sign_up(&state, &principal, request).await?;
    Ok((StatusCode::CREATED, Json(me(&account, None))))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(login, logout))
        .routes(routes!(whoami))
        .routes(routes!(create_token))
        .routes(routes!(delete_token))
        .routes(routes!(sign_up))
}
