//! Logging in and out, who am I, API tokens, sign-up.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tongban_store::{Account, append_audit, insert_session, insert_token, revoke_token};
use utoipa::ToSchema;

use crate::AppState;
use crate::app::authorize;
use crate::auth::{Principal, SCOPE_READ, SCOPE_WRITE, SESSION_HOURS, Via, digest, random_hex, verify_password};
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
    let (account, csrf, cookie) = crate::app::login(&state, &principal, &form.login, &form.password).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie.parse().map_err(|_| ApiError::Internal("bad cookie".into()))?);
    Ok((headers, Json(me(&account, Some(csrf)))))
}

/// Log out: ends the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "identity",
    responses((status = 204, description = "Logged out"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json")))]
pub async fn logout(State(state): State<AppState>, principal: Principal) -> Result<(StatusCode, HeaderMap), ApiError> {
    let cleared = crate::app::logout(&state, &principal).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cleared.parse().map_err(|_| ApiError::Internal("bad cookie".into()))?);
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
    authorize(&principal, Action::Tokens)?;
    let account = principal.require()?.clone();
    if let Via::Token(_) = principal.via {
        return Err(ApiError::Forbidden("tokens cannot create tokens".into()));
    }
    let days = req.days.unwrap_or(30);
    let mut errors = Vec::new();
    if !(1..=365).contains(&days) {
        errors.push(("days".to_owned(), "1–365".to_owned()));
    }
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        errors.push(("name".to_owned(), "1–100 characters".to_owned()));
    }
    let scopes = req.scopes.clone().unwrap_or_else(|| vec![SCOPE_READ.into(), SCOPE_WRITE.into()]);
    if scopes.is_empty() || scopes.iter().any(|s| s != SCOPE_READ && s != SCOPE_WRITE) {
        errors.push(("scopes".to_owned(), "one or both of \"read\", \"write\"".to_owned()));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let id = random_hex(8)?;
    let token = format!("tb_{}", random_hex(32)?);
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let (tid, hash) = (id.clone(), digest(&token));
    let pending = crate::idempotency::pending();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                crate::idempotency::claim(c, pending.as_ref(), now).await?;
                insert_token(c, &tid, &hash, &account.id, req.name.trim(), &scopes, now, expires).await?;
                append_audit(c, now, &account.id, "token.create", &tid, "{}").await?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { id, token, expires_at: expires.to_string() })))
}

/// Revoke one of the caller's API tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "identity", params(("id" = String, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_token(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    authorize(&principal, Action::Tokens)?;
    let account = principal.require()?.id.clone();
    let now = state.now();
    let done = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let done = revoke_token(c, &id, &account, now).await?;
                if done {
                    append_audit(c, now, &account, "token.revoke", &id, "{}").await?;
                }
                Ok::<_, ApiError>(done)
            })
        })
        .await?;
    if done { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::NotFound("no such token".into())) }
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
    };
    let account = crate::app::sign_up(&state, &principal, request).await?;
    Ok((StatusCode::CREATED, Json(me(&account, None))))
}

/// Creates a session for a correct login; used by the API and the HTML login form.
pub(crate) async fn new_session(state: &AppState, account: &Account) -> Result<(String, String), ApiError> {
    let id = random_hex(32)?;
    let csrf = random_hex(16)?;
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let (hash, who, c2) = (digest(&id), account.id.clone(), csrf.clone());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                insert_session(c, &hash, &who, &c2, now, expires).await?;
                append_audit(c, now, &who, "login.success", &who, "{}").await
            })
        })
        .await?;
    let cookie = crate::auth::session_cookie(&id, SESSION_HOURS);
    Ok((csrf, cookie))
}

/// Verifies a password, rate-limited per account and per client address.
pub(crate) async fn check_login_attempt(
    state: &AppState,
    principal: &Principal,
    login: &str,
    password: &str,
) -> Result<Account, ApiError> {
    state.rate(crate::limits::Rated::Login, principal)?;
    let login = login.trim();
    let client = principal.client;
    if let Some(wait) = state.limiter.wait(login, client, std::time::Instant::now()) {
        return Err(ApiError::TooManyAttempts(wait.as_secs().max(1)));
    }
    // Over-long input is a failure like any other, without hashing a megabyte.
    let shaped = tongban_core::text::check(login, tongban_core::text::NAME).is_ok()
        && password.chars().count() <= crate::app::MAX_PASSWORD_CHARS;
    let account = if shaped { state.store.account(login).await?.filter(|a| !a.disabled) } else { None };
    let ok = shaped && verify_password(password.to_owned(), account.as_ref().map(|a| a.password_hash.clone())).await;
    match account {
        Some(a) if ok => {
            state.limiter.succeeded(login, client);
            Ok(a)
        }
        _ => {
            state.limiter.failed(login, client, std::time::Instant::now());
            let now = state.now();
            // The attempted name is recorded (it may be a typo of a real one); never the password.
            let who = login.chars().filter(|c| !c.is_control()).take(64).collect::<String>();
            state
                .store
                .write(move |c| Box::pin(async move { append_audit(c, now, "-", "login.failure", &who, "{}").await }))
                .await?;
            Err(ApiError::BadLogin)
        }
    }
}
