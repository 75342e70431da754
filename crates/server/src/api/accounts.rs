//! An account's identity verification (实名认证), password and disabling.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::session::{Me, me};
use crate::AppState;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// What a window clerk read from the identity document.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WindowVerification {
    /// The 居民身份证号码, or the enterprise's 统一社会信用代码, as on the document.
    #[schema(max_length = 30)]
    pub id_number: String,
    /// The name as on the document.
    #[schema(max_length = 100)]
    pub name: String,
}

/// Verify an applicant's identity at a window (window clerks, the document seen in person);
/// the number and name replace what was typed at sign-up. Audited.
#[utoipa::path(post, path = "/api/v1/accounts/{login}/verification", tag = "identity", request_body = WindowVerification,
    params(("login" = String, Path, description = "The applicant's login name")),
    responses((status = 200, description = "Verified", body = Me),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a window clerk", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such applicant account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another account holds this identity verified", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid identity number or name", body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(state): State<AppState>,
    principal: Principal,
    Path(login): Path<String>,
    AppJson(req): AppJson<WindowVerification>,
) -> Result<Json<Me>, ApiError> {
    let account = crate::app::verify_at_window(&state, &principal, &login, &req.id_number, &req.name).await?;
    Ok(Json(me(&account, None)))
}

/// Whether an account is disabled.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Disabled {
    /// True to disable (its sessions end and its tokens are revoked), false to enable.
    pub disabled: bool,
}

/// Disable or enable an account (administrators); audited. The last administrator cannot be disabled.
#[utoipa::path(put, path = "/api/v1/accounts/{login}/disabled", tag = "identity", request_body = Disabled,
    params(("login" = String, Path, description = "Login name")),
    responses((status = 204, description = "Done"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last administrator", body = Problem, content_type = "application/problem+json")))]
pub async fn set_disabled(
    State(state): State<AppState>,
    principal: Principal,
    Path(login): Path<String>,
    AppJson(req): AppJson<Disabled>,
) -> Result<StatusCode, ApiError> {
    crate::app::set_disabled(&state, &principal, &login, req.disabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The current password.
    #[schema(max_length = 256)]
    pub current_password: String,
    /// The new password (10–256 characters).
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Change one's own password; every other session ends and every token is revoked. Audited.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "identity", request_body = PasswordChange,
    responses((status = 204, description = "Changed"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or the new one too short or too long", body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    crate::app::change_password(&state, &principal, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
