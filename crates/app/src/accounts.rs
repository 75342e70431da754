//! An account's life after creation: its role; its identity verified (实名认证) at a
//! window or through an identity provider; the mandates an enterprise gives to act for it
//! (委托); its password; disabling it. Each is one transaction with its audit entry.

use tongban_core::identity::{Role, VerificationMethod, check_disable, check_identifier};
use tongban_store::{Account, Mandate, Verified, append_audit, insert_session, insert_token};

use super::{MAX_PASSWORD_CHARS, authorize};
use crate::App;
use crate::AppError;
use crate::actor::{Principal, Via};
use crate::credentials::{SCOPE_READ, SCOPE_WRITE, SESSION_HOURS, digest, random_hex, verify_password};
use tongban_core::access::Action;

/// Verifies the identity of applicant account `login` at a window: the clerk saw the
/// identity document (居民身份证, or an enterprise's licence) and typed its number and name,
/// which replace whatever was typed at sign-up. A conflict when another account already
/// holds that identity verified; recorded in the audit chain with the clerk's login.
pub async fn verify_at_window(
    state: &App,
    principal: &Principal,
    login: &str,
    id_number: &str,
    name: &str,
) -> Result<Account, AppError> {
    authorize(principal, Action::VerifyIdentity)?;
    let clerk = principal.require()?.id.clone();
    let (id_number, name) = (id_number.trim().to_owned(), name.trim().to_owned());
    let account = state
        .store
        .account(login)
        .await?
        .filter(|a| a.role == Role::Applicant)
        .ok_or_else(|| AppError::NotFound(format!("no applicant account {login}")))?;
    let mut errors = Vec::new();
    if let Err(e) = check_identifier(account.applicant_kind.as_deref() == Some("enterprise"), &id_number) {
        errors.push(("id_number".to_owned(), e.to_owned()));
    }
    if name.is_empty() || tongban_core::text::check(&name, tongban_core::text::NAME).is_err() {
        errors.push(("name".to_owned(), "1–100 characters, as on the document".to_owned()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = state.now();
    let verified = Verified { method: VerificationMethod::Window, at: now, by: clerk.clone() };
    record(state, &account.id, &id_number, &name, verified, &clerk).await
}

/// Verifies the logged-in applicant's identity with what the identity provider vouched for
/// (the number from its configured claim, and its name when it gives one); audited with
/// the issuer. A conflict when another account holds that identity verified.
pub async fn verify_by_provider(
    state: &App,
    principal: &Principal,
    vouched: &crate::oidc::VouchedIdentity,
    issuer: &str,
) -> Result<Account, AppError> {
    let account = principal.require()?.clone();
    if account.role != Role::Applicant {
        return Err(AppError::Forbidden("only an applicant's own account is verified this way".into()));
    }
    let enterprise = account.applicant_kind.as_deref() == Some("enterprise");
    check_identifier(enterprise, &vouched.id_number)
        .map_err(|e| AppError::Invalid(vec![("id_number".into(), format!("the provider's number: {e}"))]))?;
    let name = vouched.name.clone().unwrap_or_else(|| account.display_name.clone());
    let verified = Verified { method: VerificationMethod::Oidc, at: state.now(), by: issuer.to_owned() };
    record(state, &account.id, &vouched.id_number, &name, verified, &account.id).await
}

/// Records a verification (any method) in one transaction with its audit entry.
async fn record(
    state: &App,
    login: &str,
    id_number: &str,
    name: &str,
    verified: Verified,
    actor: &str,
) -> Result<Account, AppError> {
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
                    return Err(AppError::NotFound(format!("no applicant account {l}")));
                }
                append_audit(c, at, &actor, "account.verify", &l, &detail.to_string()).await?;
                Ok(())
            })
        })
        .await?;
    state.store.account(&login).await?.ok_or_else(|| AppError::NotFound(format!("no applicant account {login}")))
}

/// Changes an account's role (administrators); audited. Not found when there is no such account.
pub async fn set_account_role(state: &App, principal: &Principal, login: &str, role: &str) -> Result<(), AppError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    let role = Role::parse(role)
        .filter(|r| *r != Role::Public)
        .ok_or_else(|| AppError::Invalid(vec![("role".into(), format!("unknown role {role:?}"))]))?;
    let now = state.now();
    let login = login.to_owned();
    let department = state.store.account(&login).await?.and_then(|a| a.department).map(|d| d.to_string());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (current, is_applicant, admins) = tongban_store::role_facts(c, &login)
                    .await?
                    .ok_or_else(|| AppError::NotFound("no such account".into()))?;
                let confers = tongban_core::identity::check_role_change(current, is_applicant, role, admins)
                    .map_err(|e| AppError::Invalid(vec![("role".into(), e.to_string())]))?;
                tongban_store::update_role(c, &login, role).await?;
                // A role that decides cases is audited under its own action, for supervisors
                // to review: who was given decision power, by whom, from what.
                let action = if confers { "account.role.decision_power" } else { "account.role" };
                let detail = serde_json::json!({ "role": role.as_str(), "previous": current.as_str() }).to_string();
                append_audit(c, now, &admin, action, &login, &detail).await?;
                if confers {
                    crate::concerns::note_decision_power(c, &login, department.as_deref(), role.as_str(), &admin, now)
                        .await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Disables or re-enables account `login` (administrators). Disabling ends its sessions
/// and revokes its tokens at once; the last active administrator cannot be disabled.
pub async fn set_disabled(state: &App, principal: &Principal, login: &str, disabled: bool) -> Result<(), AppError> {
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
                    .ok_or_else(|| AppError::NotFound("no such account".into()))?;
                if disabled {
                    check_disable(role, admins).map_err(|e| AppError::Conflict(e.to_string()))?;
                }
                tongban_store::set_disabled(c, &login, disabled, now).await?;
                let action = if disabled { "account.disable" } else { "account.enable" };
                append_audit(c, now, &admin, action, &login, "{}").await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Changes the caller's own password after checking the current one. Every other session
/// of the account ends and its tokens are revoked; the caller's own session stays.
pub async fn change_password(state: &App, principal: &Principal, current: &str, new: &str) -> Result<(), AppError> {
    authorize(principal, Action::Session)?;
    let account = principal.require()?.clone();
    if let Err(e) = tongban_core::account::check_password(new) {
        return Err(AppError::Invalid(vec![("new_password".into(), e.message)]));
    }
    if current.chars().count() > MAX_PASSWORD_CHARS
        || !crate::credentials::verify_password(current.to_owned(), Some(account.password_hash.clone())).await
    {
        return Err(AppError::Invalid(vec![("current_password".into(), "not the current password".into())]));
    }
    let hash = crate::credentials::hash_password(new.to_owned()).await?;
    let session = principal.session_hash.clone();
    let now = state.now();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::set_password(c, &account.id, &hash, session.as_deref(), now).await?;
                append_audit(c, now, &account.id, "account.password", &account.id, "{}").await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// The verified enterprise account of `principal`, with its credit code, or why not.
fn enterprise_of(principal: &Principal) -> Result<(Account, String), AppError> {
    let account = principal.require()?.clone();
    let code = account.verified_id().filter(|_| account.applicant_kind.as_deref() == Some("enterprise"));
    let code = code.map(str::to_owned).ok_or_else(|| {
        AppError::Forbidden("only an enterprise's verified account grants or revokes mandates".into())
    })?;
    Ok((account, code))
}

/// The enterprise of `principal` mandates the verified applicant account `agent` to act for
/// it (委托代办): the agent reaches its cases and applies in its name. Audited.
pub async fn grant_mandate(state: &App, principal: &Principal, agent: &str) -> Result<Mandate, AppError> {
    authorize(principal, Action::Mandate)?;
    let (enterprise, code) = enterprise_of(principal)?;
    let agent = agent.trim();
    let found = state.store.account(agent).await?.filter(|a| a.role == Role::Applicant && !a.disabled);
    let invalid = |m: &str| AppError::Invalid(vec![("agent".into(), m.into())]);
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
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(mandate)
}

/// Revokes the mandate of `agent` by the enterprise of `principal`; not found when none is in force.
pub async fn revoke_mandate(state: &App, principal: &Principal, agent: &str) -> Result<(), AppError> {
    authorize(principal, Action::Mandate)?;
    let (enterprise, code) = enterprise_of(principal)?;
    let (now, agent) = (state.now(), agent.trim().to_owned());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                if !tongban_store::revoke_mandate(c, &code, &agent, now).await? {
                    return Err(AppError::NotFound(format!("no mandate of {agent} in force")));
                }
                let detail = serde_json::json!({ "agent": agent }).to_string();
                append_audit(c, now, &enterprise.id, "mandate.revoke", &code, &detail).await?;
                Ok(())
            })
        })
        .await
}

/// The mandates in force that the caller granted (an enterprise) or holds (an agent).
pub async fn mandates(state: &App, principal: &Principal) -> Result<Vec<Mandate>, AppError> {
    authorize(principal, Action::Mandate)?;
    let account = principal.require()?;
    let mut found = state.store.mandates(Some(&account.id), None).await?;
    if let Some(code) = account.verified_id().filter(|_| account.applicant_kind.as_deref() == Some("enterprise")) {
        found.extend(state.store.mandates(None, Some(code)).await?);
    }
    Ok(found)
}

/// A one-time code on its way: the phone it went to (masked) and until when it counts.
#[derive(Debug, Clone)]
pub struct CodeSent {
    /// The phone, masked.
    pub phone: String,
    /// Until when the code may be typed back.
    pub expires_at: jiff::Timestamp,
}

/// Sends the logged-in, unverified applicant a one-time code at the phone on record for the
/// identity its account claims (the one most recently given with a case whose identity was
/// checked). Rationed by core's rules; only the code's hash is stored. Audited.
pub async fn send_code(state: &App, principal: &Principal) -> Result<CodeSent, AppError> {
    use tongban_core::identity::one_time;
    authorize(principal, Action::VerifyByCode)?;
    let account = principal.require()?.clone();
    if account.verified.is_some() {
        return Err(AppError::Conflict("this account's identity is already verified".into()));
    }
    let sms = state.sms.clone().ok_or_else(|| AppError::NotFound("no SMS gateway is configured".into()))?;
    let id_number = account.id_number.clone().unwrap_or_default();
    let phone = state.store.identity_phones(&id_number).await?.into_iter().next().ok_or_else(|| {
        AppError::Invalid(vec![(
            "phone".into(),
            "no phone is on record for this identity; have it verified at a window".into(),
        )])
    })?;
    let now = state.now();
    let code: String = {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000)
    };
    let id = crate::credentials::random_hex(16)?;
    let expires_at = now + jiff::SignedDuration::from_mins(one_time::VALID_MINUTES);
    let row = tongban_store::OneTimeCode {
        id: id.clone(),
        account: account.id.clone(),
        id_number,
        phone: phone.clone(),
        code_hash: crate::credentials::digest(&format!("{id}:{code}")),
        created_at: now,
        expires_at,
        attempts: 0,
    };
    let day_ago = now - jiff::SignedDuration::from_hours(24);
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (last, sent) = tongban_store::newest_one_time_code(c, &row.account, day_ago).await?;
                one_time::may_send(last.map(|l| l.created_at), sent, now)
                    .map_err(|wait| AppError::TooManyAttempts(u64::try_from(wait).unwrap_or(60)))?;
                tongban_store::insert_one_time_code(c, &row).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    let masked = tongban_core::identity::mask_phone(&phone);
    match sms.send_code(&phone, &code).await {
        Ok(message) => {
            let (who, detail) = (account.id.clone(), serde_json::json!({ "phone": masked, "message": message }));
            state
                .store
                .write(move |c| {
                    Box::pin(
                        async move { append_audit(c, now, &who, "account.code_sent", &who, &detail.to_string()).await },
                    )
                })
                .await?;
            Ok(CodeSent { phone: masked, expires_at })
        }
        Err(e) => {
            // Not sent: the code never counts (nor against the ration).
            state
                .store
                .write(move |c| Box::pin(async move { tongban_store::delete_one_time_code(c, &id).await }))
                .await?;
            Err(match e {
                crate::sms::SmsError::RateLimited => AppError::TooManyAttempts(60),
                other => AppError::Sms(other),
            })
        }
    }
}

/// Verifies the logged-in applicant when `code` is the one sent last (within its time and
/// tries): method `sms`, recorded with the masked phone. A wrong code counts a try.
pub async fn confirm_code(state: &App, principal: &Principal, code: &str) -> Result<Account, AppError> {
    use tongban_core::identity::one_time;
    authorize(principal, Action::VerifyByCode)?;
    let account = principal.require()?.clone();
    let now = state.now();
    let (who, typed) = (account.id.clone(), code.trim().to_owned());
    let outcome = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (newest, _) = tongban_store::newest_one_time_code(c, &who, now).await?;
                let Some(sent) = newest.filter(|s| one_time::may_try(s.expires_at, s.attempts, now)) else {
                    return Ok::<_, AppError>(Err(0));
                };
                if crate::credentials::same_secret(
                    &crate::credentials::digest(&format!("{}:{typed}", sent.id)),
                    &sent.code_hash,
                ) {
                    tongban_store::mark_one_time_code(c, &sent.id, true, now).await?;
                    Ok(Ok(sent))
                } else {
                    tongban_store::mark_one_time_code(c, &sent.id, false, now).await?;
                    Ok(Err(one_time::ATTEMPTS.saturating_sub(sent.attempts + 1)))
                }
            })
        })
        .await?;
    let sent = outcome.map_err(|left| {
        let why = if left == 0 {
            "no code to try: it expired, was used up, or none was sent; ask for a new one".to_owned()
        } else {
            format!("not the code sent; {left} tries left")
        };
        AppError::Invalid(vec![("code".into(), why)])
    })?;
    let by = tongban_core::identity::mask_phone(&sent.phone);
    let verified = Verified { method: VerificationMethod::Sms, at: now, by };
    record(state, &account.id, &sent.id_number, &account.display_name, verified, &account.id).await
}

/// Creates a session for a correct login: its CSRF token and its id (the cookie's value,
/// never stored in clear).
pub async fn new_session(state: &App, account: &Account) -> Result<(String, String), AppError> {
    let id = random_hex(32)?;
    let csrf = random_hex(16)?;
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(SESSION_HOURS))
        .map_err(|e| AppError::Internal(e.to_string()))?;
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
    Ok((csrf, id))
}

/// Verifies a password, rate-limited per account and per client address.
pub async fn check_login_attempt(
    state: &App,
    principal: &Principal,
    login: &str,
    password: &str,
) -> Result<Account, AppError> {
    state.rate(crate::limits::Rated::Login, principal)?;
    let login = login.trim();
    let client = principal.client;
    if let Some(wait) = state.limiter.wait(login, client, std::time::Instant::now()) {
        return Err(AppError::TooManyAttempts(wait.as_secs().max(1)));
    }
    // Over-long input is a failure like any other, without hashing a megabyte.
    let shaped = tongban_core::text::check(login, tongban_core::text::NAME).is_ok()
        && password.chars().count() <= MAX_PASSWORD_CHARS;
    let account = if shaped { state.store.account(login).await?.filter(|a| !a.disabled) } else { None };
    // An account awaiting activation has no password: it verifies against the fixed hash
    // like an unknown login, and fails the same way.
    let hash = account.as_ref().map(|a| a.password_hash.clone()).filter(|h| !h.is_empty());
    let ok = shaped && verify_password(password.to_owned(), hash).await;
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
            Err(AppError::BadLogin)
        }
    }
}

/// A token just created: its secret is shown once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Id, for revocation.
    pub id: String,
    /// The bearer secret.
    pub token: String,
    /// Expiry (RFC 3339).
    pub expires_at: String,
}

/// Creates an API token for the principal (bearer, scoped, expiring in `days`, 30 by
/// default); a token cannot create tokens.
pub async fn create_token(
    state: &App,
    principal: &Principal,
    name: &str,
    scopes: Option<Vec<String>>,
    days: Option<u32>,
) -> Result<NewToken, AppError> {
    authorize(principal, Action::Tokens)?;
    let account = principal.require()?.clone();
    if let Via::Token(_) = principal.via {
        return Err(AppError::Forbidden("tokens cannot create tokens".into()));
    }
    let days = days.unwrap_or(30);
    let mut errors = Vec::new();
    if !(1..=365).contains(&days) {
        errors.push(("days".to_owned(), "1–365".to_owned()));
    }
    if name.trim().is_empty() || name.chars().count() > 100 {
        errors.push(("name".to_owned(), "1–100 characters".to_owned()));
    }
    let scopes = scopes.unwrap_or_else(|| vec![SCOPE_READ.into(), SCOPE_WRITE.into()]);
    if scopes.is_empty() || scopes.iter().any(|s| s != SCOPE_READ && s != SCOPE_WRITE) {
        errors.push(("scopes".to_owned(), "one or both of \"read\", \"write\"".to_owned()));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let id = random_hex(8)?;
    let token = format!("tb_{}", random_hex(32)?);
    let now = state.now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (tid, hash, name) = (id.clone(), digest(&token), name.trim().to_owned());
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                insert_token(c, &tid, &hash, &account.id, &name, &scopes, now, expires).await?;
                append_audit(c, now, &account.id, "token.create", &tid, "{}").await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(NewToken { id, token, expires_at: expires.to_string() })
}

/// Revokes one of the principal's API tokens.
pub async fn revoke_token(state: &App, principal: &Principal, id: &str) -> Result<(), AppError> {
    authorize(principal, Action::Tokens)?;
    let account = principal.require()?.id.clone();
    let now = state.now();
    let id = id.to_owned();
    let done = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let done = tongban_store::revoke_token(c, &id, &account, now).await?;
                if done {
                    append_audit(c, now, &account, "token.revoke", &id, "{}").await?;
                }
                Ok::<_, AppError>(done)
            })
        })
        .await?;
    if done { Ok(()) } else { Err(AppError::NotFound("no such token".into())) }
}

/// The account holding the API token whose digest is `digest`, with the token's scopes,
/// while the token is valid at `now`.
pub async fn token_holder(
    state: &App,
    digest: &str,
    now: jiff::Timestamp,
) -> Result<Option<(Account, Vec<String>)>, AppError> {
    Ok(state.store.token(digest, now).await?)
}

/// The session whose id has digest `hash`, while it is valid at `now`.
pub async fn session(
    state: &App,
    hash: &str,
    now: jiff::Timestamp,
) -> Result<Option<tongban_store::SessionRow>, AppError> {
    Ok(state.store.session(hash, now).await?)
}
