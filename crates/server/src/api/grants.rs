//! Delegation grants (逐级授权) and accounts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_core::delegation::{Delegations, Grant};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

/// A grant as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    /// Id.
    pub id: String,
    /// Who gave it.
    pub grantor: String,
    /// Who holds it.
    pub grantee: String,
    /// Department.
    pub department: String,
    /// Items; none means all of the department's items.
    pub items: Option<Vec<String>>,
    /// Powers: accept, review, approve, sign, deliver.
    pub powers: Vec<String>,
    /// From (RFC 3339).
    pub valid_from: String,
    /// Until.
    pub valid_until: Option<String>,
    /// Revoked at.
    pub revoked_at: Option<String>,
    /// The grant it was re-delegated from.
    pub parent: Option<String>,
    /// The grantor's level when it was given: `head` (主要领导), `deputy` (分管领导),
    /// `chief` (处室负责人) or `staff` (一般工作人员); none when unknown.
    pub grantor_level: Option<String>,
    /// The grantee's level when it was given, the same way.
    pub grantee_level: Option<String>,
}

impl From<&Grant> for GrantView {
    fn from(g: &Grant) -> Self {
        Self {
            id: g.id.clone(),
            grantor: g.grantor.clone(),
            grantee: g.grantee.clone(),
            department: g.department.to_string(),
            items: g.items.as_ref().map(|s| s.iter().map(ToString::to_string).collect()),
            powers: g.powers.iter().map(|p| p.as_str().to_owned()).collect(),
            valid_from: g.valid_from.to_string(),
            valid_until: g.valid_until.map(|t| t.to_string()),
            revoked_at: g.revoked_at.map(|t| t.to_string()),
            parent: g.parent.clone(),
            grantor_level: g.levels.grantor.map(|p| p.as_str().to_owned()),
            grantee_level: g.levels.grantee.map(|p| p.as_str().to_owned()),
        }
    }
}

/// One link of the grant chain a decision was taken under, root first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainLinkView {
    /// The grant's id.
    pub grant: String,
    /// Who gave it; none when the grant is no longer in the book.
    pub grantor: Option<String>,
    /// The grantor's level when it was given (`head`, `deputy`, `chief`, `staff`).
    pub grantor_level: Option<String>,
    /// Who received it.
    pub grantee: Option<String>,
    /// The grantee's level when it was given.
    pub grantee_level: Option<String>,
}

/// The links of the chain `ids` (root first), resolved in `delegations`.
pub fn chain_view(delegations: &Delegations, ids: &[String]) -> Vec<ChainLinkView> {
    ids.iter()
        .map(|id| {
            let g = delegations.grant(id);
            let level = |p: Option<tongban_core::org::Position>| p.map(|p| p.as_str().to_owned());
            ChainLinkView {
                grant: id.clone(),
                grantor: g.map(|g| g.grantor.clone()),
                grantor_level: g.and_then(|g| level(g.levels.grantor)),
                grantee: g.map(|g| g.grantee.clone()),
                grantee_level: g.and_then(|g| level(g.levels.grantee)),
            }
        })
        .collect()
}

/// A new grant from the caller to someone else.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantCreate {
    /// The receiving account.
    pub grantee: String,
    /// Department code.
    pub department: String,
    /// Item codes; omit for all of the department's items.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    /// Powers: accept, review, approve, sign, deliver.
    pub powers: Vec<String>,
    /// Until (RFC 3339); omit for until revoked.
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// Delegate powers the caller holds (never more) to another account.
#[utoipa::path(post, path = "/api/v1/grants", tag = "identity", request_body = GrantCreate,
    responses((status = 201, description = "Granted", body = GrantView), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or more than the caller holds", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_grant(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<GrantCreate>,
) -> Result<(StatusCode, Json<GrantView>), ApiError> {
    let grant = crate::app::create_grant(
        &state,
        &principal,
        crate::app::NewGrant {
            grantee: req.grantee,
            department: req.department,
            items: req.items,
            powers: req.powers,
            valid_until: req.valid_until,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(GrantView::from(&grant))))
}

/// Revoke a grant: it and everything re-delegated from it stop at once. The grantor, the
/// department's head or an administrator may revoke.
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "identity", params(("id" = String, Path, description = "Grant id")),
    responses((status = 204, description = "Revoked"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such grant", body = Problem, content_type = "application/problem+json")))]
pub async fn delete_grant(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    crate::app::revoke_grant(&state, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every grant (the delegation tree).
#[utoipa::path(get, path = "/api/v1/grants", tag = "identity",
    responses((status = 200, description = "Grants", body = Vec<GrantView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn list_grants(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    authorize(&principal, Action::ReadGrants)?;
    let d = crate::app::org::delegations(&state, &principal).await?;
    let mut grants: Vec<GrantView> = d.grants().map(GrantView::from).collect();
    grants.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(grants))
}

/// A new staff account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StaffCreate {
    /// Login name.
    pub login: String,
    /// Initial password (10–256 characters). Leave it out to get a one-time activation
    /// code instead, with which the account's holder sets a password.
    #[serde(default)]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// Name.
    pub name: String,
    /// Role (not applicant or public).
    pub role: String,
    /// Department code, for department staff.
    #[serde(default)]
    pub department: Option<String>,
}

/// A staff account just created.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffCreated {
    /// Login name.
    pub login: String,
    /// Its one-time activation code, when it was created without a password: shown here
    /// once and never again.
    pub activation: Option<super::accounts::ActivationCodeView>,
}

/// Create a staff account (administrators). Without a password the answer carries a
/// one-time activation code for the account's holder; the account cannot log in until it
/// is used.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "identity", request_body = StaffCreate,
    responses((status = 201, description = "Created", body = StaffCreated), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Login taken", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn create_account(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<StaffCreate>,
) -> Result<(StatusCode, Json<StaffCreated>), ApiError> {
    let req = crate::app::NewStaff {
        login: req.login,
        password: req.password,
        name: req.name,
        role: req.role,
        department: req.department,
    };
    let created = crate::app::create_staff_account(&state, &principal, req).await?;
    let activation = created.activation.map(super::accounts::ActivationCodeView::from);
    Ok((StatusCode::CREATED, Json(StaffCreated { login: created.account.id, activation })))
}

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleChange {
    /// The new role.
    pub role: String,
}

/// Change an account's role (administrators); audited.
#[utoipa::path(put, path = "/api/v1/accounts/{login}/role", tag = "identity", request_body = RoleChange, params(("login" = String, Path, description = "Login name")),
    responses((status = 204, description = "Changed"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn set_role(
    State(state): State<AppState>,
    principal: Principal,
    Path(login): Path<String>,
    AppJson(req): AppJson<RoleChange>,
) -> Result<StatusCode, ApiError> {
    crate::app::set_account_role(&state, &principal, &login, &req.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(create_grant, list_grants))
        .routes(routes!(delete_grant))
        .routes(routes!(create_account))
        .routes(routes!(set_role))
}
