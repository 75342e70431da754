//! An account's life after creation: its role; its identity verified (实名认证) at a
//! window or through an identity provider; the mandates an enterprise gives to act for it
//! (委托); its password; disabling it. Each is one transaction with its audit entry.

use tongban_core::identity::{Role, VerificationMethod, check_disable, check_identifier};
use tongban_store::{Account, Mandate, Verified, append_audit};

use super::{MAX_PASSWORD_CHARS, authorize};
use crate::AppState;
use crate::auth::Principal;
use crate::policy::Action;
use crate::problem::ApiError;

/// Verifies the identity of applicant account `login` at a window: the clerk saw the
/// identity document (居民身份证, or an enterprise's licence) and typed its number and name,
/// which replace whatever was typed at sign-up. A conflict when another account already
/// holds that identity verified; recorded in the audit chain with the clerk's login.
pub async fn verify_at_window(
    state: &AppState,
    principal: &Principal,
    login: &str,
    id_number: &str,
    name: &str,
) -> Result<Account, ApiError> {
    authorize(principal, Action::VerifyIdentity)?;
    let clerk = principal.require()?.id.clone();
    let (id_number, name) = (id_number.trim().to_owned(), name.trim().to_owned());
    let account = state
        .store
        .account(login)
        .await?
        .filter(|a| a.role == Role::Applicant)
        .ok_or_else(|| ApiError::NotFound(format!("no applicant account {login}")))?;
    let mut errors = Vec::new();
    if let Err(e) = check_identifier(account.applicant_kind.as_deref() == Some("enterprise"), &id_number) {
        errors.push(("id_number".to_owned(), e.to_owned()));
    }
    if name.is_empty() || tongban_core::text::check(&name, tongban_core::text::NAME).is_err() {
        errors.push(("name".to_owned(), "1–100 characters, as on the document".to_owned()));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let now = state.now();
    let verified = Verified { method: VerificationMethod::Window, at: now, by: clerk.clone() };
    record(state, &account.id, &id_number, &name, verified, &clerk).await
}

/// Verifies the logged-in applicant's identity with what the identity provider vouched for
/// (the number from its configured claim, and its name when it gives one); audited with
/// the issuer. A conflict when another account holds that identity verified.
pub async fn verify_by_provider(
    state: &AppState,
    principal: &Principal,
    vouched: &crate::oidc::VouchedIdentity,
    issuer: &str,
) -> Result<Account, ApiError> {
    let account = principal.require()?.clone();
    if account.role != Role::Applicant {
        return Err(ApiError::Forbidden("only an applicant's own account is verified this way".into()));
    }
    let enterprise = account.applicant_kind.as_deref() == Some("enterprise");
    check_identifier(enterprise, &vouched.id_number)
        .map_err(|e| ApiError::Invalid(vec![("id_number".into(), format!("the provider's number: {e}"))]))?;
    let name = vouched.name.clone().unwrap_or_else(|| account.display_name.clone());
    let verified = Verified { method: VerificationMethod::Oidc, at: state.now(), by: issuer.to_owned() };
    record(state, &account.id, &vouched.id_number, &name, verified, &account.id).await
}

/// Records a verification (any method) in one transaction with its audit entry.
async fn record(
    state: &AppState,
    login: &str,
    id_number: &str,
    name: &str,
    verified: Verified,
    actor: &str,
) -> Result<Account, ApiError> {
    let (login, id, name, actor) = (login.to_owned(), id_number.to_owned(), name.to_owned(), actor.to_owned());
    let detail = serde_json::json!({
        "method": verified.method.as_str(),
        "by": verified.by,
        "id_number": tongban_core::identity::mask_id_number(&id),
    });
    let at = verified.at;
    let l = login.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                if !tongban_store::verify_identity(c, &l, &id, &name, &verified).await? {
                    return Err(ApiError::NotFound(format!("no applicant account {l}")));
                }
                append_audit(c, at, &actor, "account.verify", &l, &detail.to_string()).await?;
                Ok(())
            })
        })
        .await?;
    state.store.account(&login).await?.ok_or_else(|| ApiError::NotFound(format!("no applicant account {login}")))
}

/// Changes an account's role (administrators); audited. Not found when there is no such account.
pub async fn set_account_role(
    state: &AppState,
    principal: &Principal,
    login: &str,
    role: &str,
) -> Result<(), ApiError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    let role = Role::parse(role)
        .filter(|r| *r != Role::Public)
        .ok_or_else(|| ApiError::Invalid(vec![("role".into(), format!("unknown role {role:?}"))]))?;
    let now = state.now();
    let login = login.to_owned();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (current, is_applicant, admins) = tongban_store::role_facts(c, &login)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no such account".into()))?;
                let confers = tongban_core::identity::check_role_change(current, is_applicant, role, admins)
                    .map_err(|e| ApiError::Invalid(vec![("role".into(), e.to_string())]))?;
                tongban_store::update_role(c, &login, role).await?;
                // A role that decides cases is audited under its own action, for supervisors
                // to review: who was given decision power, by whom, from what.
                let action = if confers { "account.role.decision_power" } else { "account.role" };
                let detail = serde_json::json!({ "role": role.as_str(), "previous": current.as_str() }).to_string();
                append_audit(c, now, &admin, action, &login, &detail).await?;
                Ok::<_, ApiError>(())
            })
        })
        .await
}

/// Disables or re-enables account `login` (administrators). Disabling ends its sessions
/// and revokes its tokens at once; the last active administrator cannot be disabled.
pub async fn set_disabled(
    state: &AppState,
    principal: &Principal,
    login: &str,
    disabled: bool,
) -> Result<(), ApiError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    let now = state.now();
    let login = login.to_owned();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (role, _, admins) = tongban_store::role_facts(c, &login)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no such account".into()))?;
                if disabled {
                    check_disable(role, admins).map_err(|e| ApiError::Conflict(e.to_string()))?;
                }
                tongban_store::set_disabled(c, &login, disabled, now).await?;
                let action = if disabled { "account.disable" } else { "account.enable" };
                append_audit(c, now, &admin, action, &login, "{}").await?;
                Ok::<_, ApiError>(())
            })
        })
        .await
}

/// Changes the caller's own password after checking the current one. Every other session
/// of the account ends and its tokens are revoked; the caller's own session stays.
pub async fn change_password(
    state: &AppState,
    principal: &Principal,
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    authorize(principal, Action::Session)?;
    let account = principal.require()?.clone();
    let chars = new.chars().count();
    if !(10..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(ApiError::Invalid(vec![("new_password".into(), format!("10–{MAX_PASSWORD_CHARS} characters"))]));
    }
    if current.chars().count() > MAX_PASSWORD_CHARS
        || !crate::auth::verify_password(current.to_owned(), Some(account.password_hash.clone())).await
    {
        return Err(ApiError::Invalid(vec![("current_password".into(), "not the current password".into())]));
    }
    let hash = crate::auth::hash_password(new.to_owned()).await?;
    let session = principal.session_hash.clone();
    let now = state.now();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::set_password(c, &account.id, &hash, session.as_deref(), now).await?;
                append_audit(c, now, &account.id, "account.password", &account.id, "{}").await?;
                Ok::<_, ApiError>(())
            })
        })
        .await
}

/// The verified enterprise account of `principal`, with its credit code, or why not.
fn enterprise_of(principal: &Principal) -> Result<(Account, String), ApiError> {
    let account = principal.require()?.clone();
    let code = account.verified_id().filter(|_| account.applicant_kind.as_deref() == Some("enterprise"));
    let code = code.map(str::to_owned).ok_or_else(|| {
        ApiError::Forbidden("only an enterprise's verified account grants or revokes mandates".into())
    })?;
    Ok((account, code))
}

/// The enterprise of `principal` mandates the verified applicant account `agent` to act for
/// it (委托代办): the agent reaches its cases and applies in its name. Audited.
pub async fn grant_mandate(state: &AppState, principal: &Principal, agent: &str) -> Result<Mandate, ApiError> {
    authorize(principal, Action::Mandate)?;
    let (enterprise, code) = enterprise_of(principal)?;
    let agent = agent.trim();
    let found = state.store.account(agent).await?.filter(|a| a.role == Role::Applicant && !a.disabled);
    let invalid = |m: &str| ApiError::Invalid(vec![("agent".into(), m.into())]);
    match found {
        None => return Err(invalid("no such applicant account")),
        Some(a) if a.id == enterprise.id => return Err(invalid("an enterprise's own account needs no mandate")),
        Some(a) if a.verified.is_none() => return Err(invalid("the agent's identity must be verified first")),
        Some(_) => {}
    }
    let now = state.now();
    let mandate =
        Mandate { enterprise_id: code, agent: agent.to_owned(), granted_by: enterprise.id.clone(), granted_at: now };
    let m = mandate.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::grant_mandate(c, &m).await?;
                let detail = serde_json::json!({ "agent": m.agent }).to_string();
                append_audit(c, now, &m.granted_by, "mandate.grant", &m.enterprise_id, &detail).await?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok(mandate)
}

/// Revokes the mandate of `agent` by the enterprise of `principal`; not found when none is in force.
pub async fn revoke_mandate(state: &AppState, principal: &Principal, agent: &str) -> Result<(), ApiError> {
    authorize(principal, Action::Mandate)?;
    let (enterprise, code) = enterprise_of(principal)?;
    let (now, agent) = (state.now(), agent.trim().to_owned());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                if !tongban_store::revoke_mandate(c, &code, &agent, now).await? {
                    return Err(ApiError::NotFound(format!("no mandate of {agent} in force")));
                }
                let detail = serde_json::json!({ "agent": agent }).to_string();
                append_audit(c, now, &enterprise.id, "mandate.revoke", &code, &detail).await?;
                Ok(())
            })
        })
        .await
}

/// The mandates in force that the caller granted (an enterprise) or holds (an agent).
pub async fn mandates(state: &AppState, principal: &Principal) -> Result<Vec<Mandate>, ApiError> {
    authorize(principal, Action::Mandate)?;
    let account = principal.require()?;
    let mut found = state.store.mandates(Some(&account.id), None).await?;
    if let Some(code) = account.verified_id().filter(|_| account.applicant_kind.as_deref() == Some("enterprise")) {
        found.extend(state.store.mandates(None, Some(code)).await?);
    }
    Ok(found)
}
