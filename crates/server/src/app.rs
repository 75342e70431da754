//! Application functions: one per use case, shared by the JSON API and the HTML pages, so
//! no rule is written twice. Each checks who asks, loads state, lets core decide, and writes
//! the outcome — events, projection, audit entry, idempotency key — in one transaction.

use tongban_core::case::{Case, CaseCommand, CaseNumber, Context, Submission};
use tongban_core::identity::Role;
use tongban_core::item::ItemCode;
use tongban_store::{
    RecordedEvent, allocate_case_number, append_audit, append_events, insert_case, insert_idempotency,
};

use crate::AppState;
use crate::auth::{Principal, digest};
use crate::policy::{Action, power_for, role_may};
use crate::problem::ApiError;

/// The year of a moment in China Standard Time (case numbers restart each year).
pub fn year_in_china(t: jiff::Timestamp) -> i16 {
    jiff::tz::offset(8).to_datetime(t).year()
}

/// Refuses `action` unless the principal's role may attempt it.
pub fn authorize(principal: &Principal, action: Action) -> Result<(), ApiError> {
    if role_may(principal.role(), action) {
        Ok(())
    } else if principal.account.is_none() {
        Err(ApiError::Unauthorized)
    } else {
        Err(ApiError::Forbidden(format!("a {} may not do this", principal.role())))
    }
}

/// An `Idempotency-Key` and the digest of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The key.
    pub key: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
}

impl Idempotency {
    /// From the header value and the raw body.
    pub fn new(key: &str, body: &[u8]) -> Result<Self, ApiError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Err(ApiError::BadParameter("Idempotency-Key must be 1–200 characters".into()));
        }
        Ok(Self { key: key.to_owned(), request_hash: digest(&String::from_utf8_lossy(body)) })
    }
}

/// The stored answer to a repeated idempotent request, or a 422 when the key was used
/// with a different request.
pub async fn replay(
    state: &AppState,
    principal: &Principal,
    idem: &Idempotency,
) -> Result<Option<(u16, String)>, ApiError> {
    let (key, who) = (idem.key.clone(), principal.id().to_owned());
    let found =
        state.store.write(move |c| Box::pin(async move { tongban_store::idempotency_in(c, &key, &who).await })).await?;
    match found {
        Some((hash, status, body)) if hash == idem.request_hash => Ok(Some((status, body))),
        Some(_) => Err(ApiError::IdempotencyMismatch(idem.key.clone())),
        None => Ok(None),
    }
}

/// Opens a case for `item` from `submission`. The first contact owns it: the clerk who
/// receives it at a window, or the channel's hall account for self-service.
pub async fn submit_case(
    state: &AppState,
    principal: &Principal,
    item: &ItemCode,
    mut submission: Submission,
    idem: Option<Idempotency>,
) -> Result<Case, ApiError> {
    authorize(principal, Action::SubmitCase)?;
    let account = principal.require()?;
    if account.role == Role::Applicant {
        // Applicants apply for themselves.
        if account.id_number.as_deref() != Some(submission.applicant.id_number.as_str()) {
            return Err(ApiError::Forbidden("applicants apply under their own id number".into()));
        }
    } else {
        submission.owner = account.id.clone();
    }
    let row = state
        .store
        .item_by_code(item)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {item} does not exist")))?;
    let now = state.now();
    let actor = account.id.clone();
    let who = principal.id().to_owned();
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                // A refused submission rolls back with its number, so numbers have no gaps.
                let number = allocate_case_number(conn, &row.item.division, year_in_china(now)).await?;
                let (case, event) = Case::submit(number, &row.item, row.version, submission, now)?;
                insert_case(conn, &case, &event, &actor).await?;
                if let Some(idem) = idem {
                    let body = serde_json::to_string(&crate::api::CaseView::from(&case)).unwrap_or_default();
                    insert_idempotency(conn, &idem.key, &who, &idem.request_hash, 201, &body, now).await?;
                }
                Ok(case)
            })
        })
        .await
}

/// May `principal` see or touch `case`? Staff: their department's cases; applicants: their own.
async fn check_scope(state: &AppState, principal: &Principal, case: &Case, department: &str) -> Result<(), ApiError> {
    let _ = state;
    let account = principal.require()?;
    let allowed = match account.role {
        Role::Applicant => account.id_number.as_deref() == Some(case.applicant.id_number.as_str()),
        Role::CenterLeader | Role::Supervisor | Role::Administrator => true,
        Role::Public => false,
        _ => account.department.as_ref().is_some_and(|d| d.as_str() == department),
    };
    if allowed { Ok(()) } else { Err(ApiError::Forbidden(format!("case {} is not yours to see", case.number))) }
}

/// Applies `command` to the case at `expected_version` (optimistic concurrency), checking
/// role, scope and — for decisions — the delegated power, whose chain is recorded.
pub async fn act_on_case(
    state: &AppState,
    principal: &Principal,
    number: &CaseNumber,
    command: CaseCommand,
    expected_version: Option<u32>,
) -> Result<Case, ApiError> {
    authorize(principal, Action::Case(command.name()))?;
    let account = principal.require()?.clone();
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("case {number} does not exist")))?;
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {} version {} does not exist", case.item, case.item_version)))?
        .item;
    check_scope(state, principal, &case, item.department.as_str()).await?;
    let expected = expected_version.unwrap_or(case.version);
    if expected != case.version {
        return Err(ApiError::Conflict(format!(
            "case {number} is at version {}, not {expected}: it changed since you read it",
            case.version
        )));
    }
    let now = state.now();
    let authority = match power_for(&command) {
        None => None,
        Some(power) => {
            let delegations = state.store.delegations().await?;
            let chain =
                delegations.authority(&account.id, &item.department, &item.code, power, now).ok_or_else(|| {
                    ApiError::NoAuthority(format!(
                        "{} holds no valid delegated {} power for item {}",
                        account.id,
                        power.as_str(),
                        item.code
                    ))
                })?;
            Some(chain)
        }
    };
    let events = case.handle(&command, &Context { now, calendar: &state.calendar, item: &item, actor: &account.id })?;
    let mut after = case.clone();
    for e in &events {
        after.apply(e, now);
    }
    let detail =
        serde_json::json!({ "command": command.name(), "authority": authority, "version": after.version }).to_string();
    let action = format!("case.{}", command.name());
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                append_events(conn, expected, &after, &events, &account.id, now, authority.as_deref()).await?;
                append_audit(conn, now, &account.id, &action, after.number.as_str(), &detail).await?;
                Ok::<_, ApiError>(after)
            })
        })
        .await
}

/// A case and its history, if the principal may see it.
pub async fn case_with_events(
    state: &AppState,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<(Case, Vec<RecordedEvent>), ApiError> {
    authorize(principal, Action::ReadCase)?;
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("case {number} does not exist")))?;
    let item = state.store.item_in_version(&case.item, case.item_version).await?;
    check_scope(state, principal, &case, item.as_ref().map_or("", |i| i.item.department.as_str())).await?;
    let events = state.store.events_for_case(number).await?;
    Ok((case, events))
}

/// Logs in: returns the account, its CSRF token and the Set-Cookie value.
pub async fn login(
    state: &AppState,
    principal: &Principal,
    login: &str,
    password: &str,
) -> Result<(tongban_store::Account, String, String), ApiError> {
    authorize(principal, Action::Login)?;
    let account = crate::api::check_login_attempt(state, principal, login, password).await?;
    let (csrf, cookie) = crate::api::new_session(state, &account).await?;
    Ok((account, csrf, cookie))
}
