//! An account's identity verification (实名认证), password, activation (激活) and disabling.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

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

/// A mandate as shown.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MandateView {
    /// The enterprise's 统一社会信用代码.
    pub enterprise_id: String,
    /// The agent's login.
    pub agent: String,
    /// The enterprise account that granted it.
    pub granted_by: String,
    /// When (RFC 3339).
    pub granted_at: String,
}

impl From<crate::app::Mandate> for MandateView {
    fn from(m: crate::app::Mandate) -> Self {
        Self {
            enterprise_id: m.enterprise_id,
            agent: m.agent,
            granted_by: m.granted_by,
            granted_at: m.granted_at.to_string(),
        }
    }
}

/// Whom an enterprise mandates.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MandateRequest {
    /// The agent's login: a verified applicant account.
    #[schema(max_length = 64)]
    pub agent: String,
}

/// Mandate an agent to act for the caller's enterprise (委托代办): the agent reaches the
/// enterprise's cases and applies in its name. The enterprise's verified account only; audited.
#[utoipa::path(post, path = "/api/v1/mandates", tag = "identity", request_body = MandateRequest,
    responses((status = 201, description = "Granted", body = MandateView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an enterprise's verified account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such verified applicant account", body = Problem, content_type = "application/problem+json")))]
pub async fn grant_mandate(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<MandateRequest>,
) -> Result<(StatusCode, Json<MandateView>), ApiError> {
    let m = crate::app::grant_mandate(&state, &principal, &req.agent).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

/// The mandates in force the caller granted (an enterprise) or holds (an agent).
#[utoipa::path(get, path = "/api/v1/mandates", tag = "identity",
    responses((status = 200, description = "Mandates", body = [MandateView]),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json")))]
pub async fn list_mandates(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<MandateView>>, ApiError> {
    Ok(Json(crate::app::mandates(&state, &principal).await?.into_iter().map(Into::into).collect()))
}

/// Revoke the mandate of an agent; at once it reaches no more of the enterprise's cases. Audited.
#[utoipa::path(delete, path = "/api/v1/mandates/{agent}", tag = "identity", params(("agent" = String, Path, description = "The agent's login")),
    responses((status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an enterprise's verified account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mandate in force", body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_mandate(
    State(state): State<AppState>,
    principal: Principal,
    Path(agent): Path<String>,
) -> Result<StatusCode, ApiError> {
    crate::app::revoke_mandate(&state, &principal, &agent).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where a one-time code went.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CodeSentView {
    /// The phone on record it was sent to, masked.
    pub phone: String,
    /// Until when it may be typed back (RFC 3339).
    pub expires_at: String,
}

/// Send a one-time code to the phone on record for the identity this (unverified)
/// applicant account claims — the phone given with a case whose identity was checked.
#[utoipa::path(post, path = "/api/v1/me/verification/code", tag = "identity",
    responses((status = 202, description = "Sent", body = CodeSentView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No SMS gateway configured", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already verified", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No phone on record for this identity", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Codes are rationed (one a minute, five a day)", body = Problem, content_type = "application/problem+json"),
        (status = 502, description = "The SMS gateway failed", body = Problem, content_type = "application/problem+json")))]
pub async fn send_code(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<(StatusCode, Json<CodeSentView>), ApiError> {
    let sent = crate::app::send_code(&state, &principal).await?;
    Ok((StatusCode::ACCEPTED, Json(CodeSentView { phone: sent.phone, expires_at: sent.expires_at.to_string() })))
}

/// The code typed back.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeConfirmation {
    /// The six digits received.
    #[schema(max_length = 12)]
    pub code: String,
}

/// Verify this applicant account with the one-time code it was sent (method `sms`).
#[utoipa::path(post, path = "/api/v1/me/verification", tag = "identity", request_body = CodeConfirmation,
    responses((status = 200, description = "Verified", body = Me),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an applicant", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another account holds this identity verified", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the code sent, or none to try", body = Problem, content_type = "application/problem+json")))]
pub async fn confirm_code(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<CodeConfirmation>,
) -> Result<Json<Me>, ApiError> {
    let account = crate::app::confirm_code(&state, &principal, &req.code).await?;
    Ok(Json(me(&account, None)))
}

/// A one-time activation code, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivationCodeView {
    /// The account it activates.
    pub login: String,
    /// The code, in groups of four (dashes and case do not matter when it is typed).
    pub code: String,
    /// Until when it may be used (RFC 3339).
    pub expires_at: String,
}

impl From<crate::app::IssuedCode> for ActivationCodeView {
    fn from(c: crate::app::IssuedCode) -> Self {
        ActivationCodeView { login: c.login, code: c.code, expires_at: c.expires_at.to_string() }
    }
}

/// Issue a new one-time activation code for a staff account (administrators): its holder
/// sets a password with it. Earlier codes of the account stop counting. Audited.
#[utoipa::path(post, path = "/api/v1/accounts/{login}/activation-codes", tag = "identity",
    params(("login" = String, Path, description = "The staff account's login name")),
    responses((status = 201, description = "Issued; the code is shown this once", body = ActivationCodeView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is disabled", body = Problem, content_type = "application/problem+json")))]
pub async fn issue_activation_code(
    State(state): State<AppState>,
    principal: Principal,
    Path(login): Path<String>,
) -> Result<(StatusCode, Json<ActivationCodeView>), ApiError> {
    let issued = crate::app::issue_activation_code(&state, &principal, &login).await?;
    Ok((StatusCode::CREATED, Json(issued.into())))
}

/// An activation: the one-time code and the password to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Activation {
    /// The activation code the administrator handed over.
    #[schema(max_length = 64)]
    pub code: String,
    /// The new password (10–256 characters).
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

/// Activate an account with its one-time code, setting its password (anyone holding the
/// code; no login needed). A wrong code and an unknown login answer alike; a used, replaced
/// or expired code says so. Failures back off like logins. Audited.
#[utoipa::path(post, path = "/api/v1/accounts/{login}/activation", tag = "identity", request_body = Activation,
    params(("login" = String, Path, description = "Login name")),
    responses((status = 204, description = "Activated: log in with the new password"),
        (status = 401, description = "A bearer token that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A session cookie without its CSRF token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A wrong, used, replaced or expired code, or a password core refuses (field `code` or `password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed activations", body = Problem, content_type = "application/problem+json")))]
pub async fn activate(
    State(state): State<AppState>,
    principal: Principal,
    Path(login): Path<String>,
    AppJson(req): AppJson<Activation>,
) -> Result<StatusCode, ApiError> {
    crate::app::activate_account(&state, &principal, &login, &req.code, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(set_disabled))
        .routes(routes!(change_password))
        .routes(routes!(grant_mandate, list_mandates))
        .routes(routes!(revoke_mandate))
        .routes(routes!(send_code))
        .routes(routes!(confirm_code))
        .routes(routes!(issue_activation_code))
        .routes(routes!(activate))
}
