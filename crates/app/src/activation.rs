//! Accounts created without a password (imported staff; files never carry passwords):
//! an administrator issues a one-time activation code (激活码), shown once, and the
//! account's holder sets a password with it; or the console sets a password for a scripted
//! setup. Each is one transaction with its audit entry.

use tongban_core::access::Action;
use tongban_core::account::activation::{self, ActivationError};
use tongban_store::{ActivationCode, append_audit};

use crate::actor::Principal;
use crate::credentials::{digest, hash_password, random_hex};
use crate::{App, AppError, authorize};

/// A code just issued: shown to the administrator once, never stored in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The account it activates.
    pub login: String,
    /// The code, in groups of four (`0a1b-2c3d-4e5f-6a7b`).
    pub code: String,
    /// Until when it may be used.
    pub expires_at: jiff::Timestamp,
}

/// What is hashed and stored of a code: the account and the code as typed, normalised.
fn code_hash(login: &str, typed: &str) -> String {
    digest(&format!("{login}:{}", activation::normalize(typed)))
}

/// A fresh code for `login` issued by `admin` at `now`: the row to store and what to show.
pub(crate) fn new_code(
    login: &str,
    admin: &str,
    now: jiff::Timestamp,
) -> Result<(ActivationCode, IssuedCode), AppError> {
    let raw = random_hex(activation::CODE_BYTES)?;
    let expires_at = activation::expires(now);
    let row = ActivationCode {
        id: random_hex(16)?,
        account: login.to_owned(),
        code_hash: code_hash(login, &raw),
        issued_by: admin.to_owned(),
        issued_at: now,
        expires_at,
        used_at: None,
        voided_at: None,
    };
    Ok((row, IssuedCode { login: login.to_owned(), code: activation::display(&raw), expires_at }))
}

/// Inside a write: stores `row` in place of the account's open codes, audited.
pub(crate) async fn record_code(c: &mut tongban_store::Conn, row: &ActivationCode) -> Result<(), AppError> {
    tongban_store::void_activation_codes(c, &row.account, row.issued_at).await?;
    tongban_store::insert_activation_code(c, row).await?;
    let detail = serde_json::json!({ "expires_at": tongban_store::format_ts(row.expires_at) }).to_string();
    append_audit(c, row.issued_at, &row.issued_by, "account.activation.issue", &row.account, &detail).await?;
    Ok(())
}

/// Issues a new activation code for staff account `login` (administrators); the account's
/// earlier codes stop counting. Not found for an applicant's or an unknown login; a
/// conflict for a disabled account.
pub async fn issue_activation_code(state: &App, principal: &Principal, login: &str) -> Result<IssuedCode, AppError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    let login = login.trim();
    let account = state
        .store
        .account(login)
        .await?
        .filter(|a| a.kind == "staff")
        .ok_or_else(|| AppError::NotFound(format!("no staff account {login}")))?;
    if account.disabled {
        return Err(AppError::Conflict(format!("account {login} is disabled; enable it first")));
    }
    let (row, issued) = new_code(&account.id, &admin, state.now())?;
    state.store.write(move |c| Box::pin(async move { record_code(c, &row).await })).await?;
    Ok(issued)
}

/// Activates account `login` with its one-time `code`, setting `password` (core's rule).
/// Anyone may try: a wrong code and an unknown login answer alike, a used, replaced or
/// expired code says so; failures back off per login like logins do. The account's
/// sessions and tokens end; audited as the account's own act.
pub async fn activate_account(
    state: &App,
    principal: &Principal,
    login: &str,
    code: &str,
    password: &str,
) -> Result<(), AppError> {
    authorize(principal, Action::Activate)?;
    state.rate(crate::limits::Rated::Login, principal)?;
    let login = login.trim().to_owned();
    // Keys of their own: failed activations never slow the account's logins down.
    let client = principal.client.map_or_else(|| "-".to_owned(), |c| c.to_string());
    let keys = [(format!("activate:{login}@{client}"), 5.0), (format!("activate:{login}@*"), 20.0)];
    if let Some(wait) = state.limiter.wait_keys(&keys, std::time::Instant::now()) {
        return Err(AppError::TooManyAttempts(wait.as_secs().max(1)));
    }
    let now = state.now();
    let shaped = tongban_core::account::check_login(&login).is_ok() && code.chars().count() <= 64;
    let hash = code_hash(&login, code);
    let found = if shaped { state.store.activation_code(&login, &hash).await? } else { None };
    let refused = match &found {
        None => Some(ActivationError::Wrong),
        Some(c) => activation::check(c.used_at, c.voided_at, c.expires_at, now).err(),
    };
    let mut errors = Vec::new();
    if let Some(why) = refused {
        state.limiter.fail_keys(&keys, std::time::Instant::now());
        errors.push(("code".to_owned(), why.to_string()));
    }
    if let Err(e) = tongban_core::account::check_password(password) {
        errors.push(("password".to_owned(), e.message));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let password_hash = hash_password(password.to_owned()).await?;
    let outcome = state
        .store
        .write(move |c| {
            Box::pin(async move {
                // Checked again: a parallel use of the same code must find it used.
                let Some(code) = tongban_store::activation_code_for_use(c, &login, &hash).await? else {
                    return Ok::<_, AppError>(Err(ActivationError::Wrong));
                };
                if let Err(why) = activation::check(code.used_at, code.voided_at, code.expires_at, now) {
                    return Ok(Err(why));
                }
                tongban_store::mark_activation_code_used(c, &code.id, now).await?;
                if !tongban_store::set_password(c, &login, &password_hash, None, now).await? {
                    return Ok(Err(ActivationError::Wrong));
                }
                append_audit(c, now, &login, "account.activate", &login, "{}").await?;
                Ok(Ok(()))
            })
        })
        .await?;
    outcome.map_err(|why| AppError::Invalid(vec![("code".into(), why.to_string())]))
}

/// Sets account `login`'s password (administrators; `tongban admin set-password` for
/// scripted setups). Its sessions and tokens end and its open activation codes stop
/// counting. Not found for an unknown login; audited.
pub async fn set_account_password(
    state: &App,
    principal: &Principal,
    login: &str,
    password: &str,
) -> Result<(), AppError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    tongban_core::account::check_password(password).map_err(|e| vec![e])?;
    let login = login.trim().to_owned();
    if state.store.account(&login).await?.is_none() {
        return Err(AppError::NotFound(format!("no account {login}")));
    }
    let hash = hash_password(password.to_owned()).await?;
    let now = state.now();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                if !tongban_store::set_password(c, &login, &hash, None, now).await? {
                    return Err(AppError::NotFound(format!("no account {login}")));
                }
                tongban_store::void_activation_codes(c, &login, now).await?;
                append_audit(c, now, &admin, "account.password.set", &login, "{}").await?;
                Ok(())
            })
        })
        .await
}

/// The refusal a field message of [`activate_account`] names, if it is one: the pages
/// show their own words for each.
pub fn activation_refusal(message: &str) -> Option<ActivationError> {
    ActivationError::ALL.into_iter().find(|e| e.to_string() == message)
}
