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

/// Cases the principal may list, matching `filter`: applicants get their own, department
/// staff their department's, center leaders, supervisors and administrators all.
pub async fn search_cases(
    state: &AppState,
    principal: &Principal,
    mut filter: tongban_store::CaseFilter,
) -> Result<tongban_store::Page<Case>, ApiError> {
    authorize(principal, Action::SearchCases)?;
    let account = principal.require()?;
    match account.role {
        Role::Applicant => filter.applicant = account.id_number.clone().or(Some(String::new())),
        Role::CenterLeader | Role::Supervisor | Role::Administrator => {}
        _ => filter.department = Some(account.department.as_ref().map(ToString::to_string).unwrap_or_default()),
    }
    Ok(state.store.cases(&filter).await?)
}

/// Largest accepted material file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The type the bytes really are, by their signature: PDF, JPEG or PNG.
pub fn sniff_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// Checks a file before anything is written: size, a type we accept, and that it is what
/// the client declared. Returns the real type.
pub fn check_file(declared: &str, bytes: &[u8]) -> Result<&'static str, ApiError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ApiError::TooLarge(MAX_FILE_BYTES));
    }
    let declared = declared.split(';').next().unwrap_or("").trim();
    let actual = sniff_type(bytes)
        .ok_or_else(|| ApiError::UnsupportedType("only PDF, JPEG and PNG files are accepted".into()))?;
    if declared != actual {
        return Err(ApiError::UnsupportedType(format!("Content-Type says {declared:?} but the file is {actual}")));
    }
    Ok(actual)
}

/// Stores a file for one of the case's materials (its SHA-256 recorded). Returns whether it
/// was new (the same bytes again are a no-op) and the stored file.
pub async fn upload_material(
    state: &AppState,
    principal: &Principal,
    number: &CaseNumber,
    material: &str,
    declared_type: &str,
    bytes: Vec<u8>,
) -> Result<(bool, tongban_store::MaterialFile), ApiError> {
    authorize(principal, Action::Upload)?;
    let (case, _) = case_with_events(state, principal, number).await?;
    if case.state.is_final() || case.decided_at.is_some() {
        return Err(ApiError::Conflict(format!("case {number} is {}: no more materials", case.state)));
    }
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| ApiError::NotFound("item".into()))?;
    if !item.item.materials.iter().any(|m| m.name == material) {
        return Err(ApiError::Invalid(vec![(
            "material".into(),
            format!("{material:?} is not a material of item {}", item.item.code),
        )]));
    }
    let actual = check_file(declared_type, &bytes)?;
    let sha = crate::auth::digest_bytes(&bytes);
    let (who, now) = (principal.id().to_owned(), state.now());
    let (n, m, s) = (number.clone(), material.to_owned(), sha.clone());
    let created = state
        .store
        .write(move |c| {
            Box::pin(async move { tongban_store::insert_material_file(c, &n, &m, &s, actual, &bytes, &who, now).await })
        })
        .await?;
    let file = state
        .store
        .material_files(number)
        .await?
        .into_iter()
        .find(|f| f.material == material && f.sha256 == sha)
        .ok_or_else(|| ApiError::Internal("stored file vanished".into()))?;
    Ok((created, file))
}

/// An applicant's sign-up as entered.
#[derive(Debug, Clone, Default)]
pub struct SignUp {
    /// Login name (3–64 of a–z 0–9 . _ -).
    pub login: String,
    /// Password (at least 10 characters).
    pub password: String,
    /// Name.
    pub name: String,
    /// `individual` or `enterprise`.
    pub kind: String,
    /// ID card number, or 统一社会信用代码 for an enterprise.
    pub id_number: String,
    /// Phone.
    pub phone: Option<String>,
}

/// Checks a login name's shape.
pub fn check_login(login: &str, errors: &mut Vec<(String, String)>) {
    let ok = (3..=64).contains(&login.len())
        && login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !ok {
        errors.push(("login".into(), "3–64 characters of a–z, 0–9, '.', '_', '-'".into()));
    }
}

/// Creates an applicant account (online service hall sign-up), listing every invalid field.
pub async fn sign_up(state: &AppState, principal: &Principal, req: SignUp) -> Result<tongban_store::Account, ApiError> {
    authorize(principal, Action::SignUp)?;
    let mut errors = Vec::new();
    check_login(&req.login, &mut errors);
    if req.password.chars().count() < 10 {
        errors.push(("password".into(), "at least 10 characters".into()));
    }
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        errors.push(("name".into(), "1–100 characters".into()));
    }
    match req.kind.as_str() {
        "enterprise" if !tongban_core::identity::is_valid_credit_code(req.id_number.trim()) => {
            errors.push(("id_number".into(), "not a valid 统一社会信用代码".into()))
        }
        "enterprise" | "individual" => {}
        _ => errors.push(("kind".into(), "individual or enterprise".into())),
    }
    if req.id_number.trim().is_empty() || req.id_number.len() > 64 {
        errors.push(("id_number".into(), "1–64 characters".into()));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let account = tongban_store::Account {
        id: req.login.trim().to_owned(),
        kind: "applicant".into(),
        display_name: req.name.trim().to_owned(),
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some(req.kind.clone()),
        id_number: Some(req.id_number.trim().to_owned()),
        phone: req.phone.clone().filter(|p| !p.trim().is_empty()),
        password_hash: crate::auth::hash_password(req.password).await?,
        disabled: false,
    };
    let now = state.now();
    let a = account.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::insert_account(c, &a, now).await?;
                append_audit(c, now, &a.id, "account.sign_up", &a.id, "{}").await
            })
        })
        .await?;
    Ok(account)
}

/// A case looked up by its number and the applicant's phone (kiosk, anyone). A wrong phone
/// and an unknown number answer alike, and failures are rate-limited per case number, so
/// the phone cannot be guessed.
pub async fn case_by_number_and_phone(state: &AppState, number: &str, phone: &str) -> Result<Case, ApiError> {
    let not_found = || ApiError::NotFound("no case with that number and phone".into());
    // Per case number only: a kiosk is shared, so one person's typos must not lock it.
    let keys = [format!("lookup:{}", number.trim())];
    if let Some(wait) = state.limiter.wait(&keys) {
        return Err(ApiError::TooManyAttempts(wait.as_secs().max(1)));
    }
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let found = match CaseNumber::parse(number.trim()) {
        Ok(n) => state.store.case_by_number(&n).await?,
        Err(_) => None,
    };
    match found {
        Some(case)
            if !digits(phone).is_empty() && case.applicant.phone.as_deref().map(digits) == Some(digits(phone)) =>
        {
            Ok(case)
        }
        _ => {
            state.limiter.failed(&keys);
            Err(not_found())
        }
    }
}
