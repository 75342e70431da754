//! tongban-app — the use cases: one function per use case, reads included, shared by the
//! JSON API, the HTML pages and the command line, so no rule is written twice. Each takes
//! the [`Principal`] who asks, checks what core's access rules allow, loads state, lets core
//! decide, and writes the outcome — events, projection, audit entry, idempotency key — in
//! one transaction. No HTTP here: the server translates requests into these calls and
//! [`AppError`]s into problem+json.

use std::sync::Arc;

use tongban_core::calendar::{CalendarSet, WorkingCalendar};

use tongban_core::case::{Case, CaseCommand, CaseEvent, CaseNumber, Context, Submission, Submitter};
use tongban_core::identity::{Power, Role};
use tongban_core::item::ItemCode;

use tongban_store::{Store, allocate_case_number, append_audit, append_events};

pub mod accounts;
mod activation;
pub mod actor;
pub mod assessment;
mod audit;
pub mod bulk;
mod calendar;
mod catalog;
mod concerns;
pub mod credentials;
pub mod documents;
mod error;
pub mod follow_ups;
mod grants;
pub mod idempotency;
pub mod limits;
pub mod lists;
mod materials;
pub mod meetings;
pub mod notify;
pub mod oidc;
pub mod org;
pub mod organisation;
mod plans;
mod project_figures;
pub mod project_import;
pub mod project_service;
pub mod projects;
pub mod public;
pub mod ratings;
pub mod reform;
pub mod sms;
pub mod tables;
mod tickets;
pub mod worker;

pub use accounts::{
    CodeSent, NewToken, change_password, check_login_attempt, confirm_code, create_token, grant_mandate, mandates,
    new_session, revoke_mandate, revoke_token, send_code, set_account_role, set_disabled, verify_at_window,
    verify_by_provider,
};
pub use activation::{IssuedCode, activate_account, activation_refusal, issue_activation_code, set_account_password};
pub use audit::{AuditCheck, verify_audit};
pub use calendar::{
    CALENDAR_ACTOR, CalendarChange, LiveCalendars, calendar_closures, calendar_years, import_calendar_year,
    import_year, recompute, refresh, set_closure, watch,
};
pub use catalog::{Published, catalog_sheet, check_catalog, export_catalog, import_catalog};
pub use concerns::{
    CONCERNS_SHOWN, ConcernPage, ConcernQuery, ConcernRow, concerns, ensure_ledger as ensure_concern_ledger,
};
pub use grants::{NewGrant, create_grant};
pub use materials::{material_reads, open_material};
pub use plans::{
    ApprovalListGroup, ApprovalListItem, MAX_BPMN_BYTES, PlanEntry, approval_list, bpmn_problems, import_plan,
    link_context, link_plan, list_plans, plan_links, resolve_plan,
};
pub use project_figures::figures as project_figures;

pub use tickets::{COMPREHENSIVE, TakenTicket, call_next_ticket, queue_letter, take_ticket, ticket_day, waiting_for};

pub use actor::{Principal, Via};
pub use error::AppError;
/// A moment in the fixed-width RFC 3339 form it is stored in (UTC, six fractional digits),
/// as the JSON API has always served the supervision records' moments.
pub use tongban_store::format_ts;
/// The read models the front doors show, as the store keeps them.
pub use tongban_store::{
    Account, AccountabilityRow, AlertRow, CaseFilter, CatalogVersion, Consultation, ItemFilter, ItemRow, Mandate,
    MaterialFile, MaterialRead, MonthFigures, Page, ProjectRow, Reach, RecordedEvent, RunRow, SessionRow, StoreError,
    StoredYear, TicketRow, TrackedCase,
};

/// A case's clock, computed with the working calendar; a field is none before acceptance,
/// or when the calendar cannot answer (dates outside the years it covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseClock {
    /// When it is due.
    pub due_at: Option<jiff::Timestamp>,
    /// Whether the due time runs into a year not yet announced (暂定).
    pub provisional: bool,
    /// The calendar revision the due time was computed with.
    pub calendar_revision: u64,
    /// Working minutes the limit allows.
    pub allowed_minutes: Option<i64>,
    /// Working minutes used so far (suspensions excluded; frozen at the decision).
    pub used_minutes: Option<i64>,
    /// Working minutes remaining (negative when overdue).
    pub remaining_minutes: Option<i64>,
    /// By when the current owner must act (首接责任制).
    pub owner_act_by: Option<jiff::Timestamp>,
}

/// Where "now" comes from: the system clock in production, a fixed or stepped one in tests.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// What every use case runs against: the store, the live working calendars, the clock, the
/// login limiter and request rates, the supervision worker's board, and the clients of the
/// identity provider and the SMS gateway.
#[derive(Clone)]
pub struct App {
    store: Store,
    /// The center's working calendars, kept at the stored revision (see [`refresh`]).
    pub calendars: Arc<LiveCalendars>,
    /// The clock.
    pub clock: Clock,
    /// Failed logins, for back-off.
    pub limiter: Arc<limits::LoginLimiter>,
    /// Request rates of the endpoints anyone may call; `None` turns them off (a load test
    /// of many clients on one machine).
    pub rates: Option<Arc<limits::RateLimiter>>,
    /// The supervision worker's board and status.
    pub supervision: Arc<worker::Supervision>,
    /// The identity provider applicants verify through (`--oidc-issuer`), if any.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// The SMS gateway one-time codes go out through (`--sms-*`), if any.
    pub sms: Option<Arc<sms::Sms>>,
    /// After how many working hours alerts escalate to the owner's chief and the supervisor.
    pub escalation: tongban_core::supervision::EscalationRule,
    /// How long a hand-over offer waits for its receiver before it alerts (default one
    /// working day).
    pub hand_over: tongban_core::supervision::HandOverRule,
    /// The rating window and the rectification deadline (好差评), in working days.
    pub ratings: ratings::RatingSettings,
    /// The bureau's seal: the documents a case's events issue are sealed with it; none
    /// issues no documents.
    pub seal: Option<Arc<tongban_seal::Keyring>>,
    /// Where the public reaches the center (`--public-url`): the base of the verification
    /// links printed on documents.
    pub public_base_url: String,
    /// The providers notices leave through (`--smtp-url`, `--sms-*`, `--wechat-*`, push);
    /// by default only the hall's own inbox.
    pub gateways: Arc<notify::Gateways>,
    /// Whether events write notices at all (`--no-notices` turns them off: no outbox rows).
    pub notices_on: bool,
    /// The notice templates in force, as last read.
    pub notice_templates: Arc<notify::templates::TemplateCache>,
    /// The addresses and consents of accounts that just submitted, as last read.
    pub notice_reach: Arc<notify::ReachCache>,
}

impl App {
    /// The application over `store` with the system clock.
    pub fn new(store: Store, calendars: impl Into<CalendarSet>) -> Self {
        Self {
            store,
            calendars: Arc::new(LiveCalendars::new(calendars.into())),
            clock: Arc::new(jiff::Timestamp::now),
            limiter: Arc::default(),
            rates: Some(Arc::default()),
            supervision: Arc::default(),
            oidc: None,
            sms: None,
            escalation: tongban_core::supervision::EscalationRule::default(),
            hand_over: tongban_core::supervision::HandOverRule::default(),
            ratings: ratings::RatingSettings::default(),
            seal: None,
            public_base_url: documents::DEFAULT_PUBLIC_URL.to_owned(),
            gateways: Arc::default(),
            notices_on: true,
            notice_templates: Arc::default(),
            notice_reach: Arc::default(),
        }
    }

    /// The center's calendars now.
    pub fn calendars(&self) -> CalendarSet {
        self.calendars.get()
    }

    /// The national working calendar now.
    pub fn calendar(&self) -> WorkingCalendar {
        self.calendars.get().base().clone()
    }

    /// The working calendar of `division` now (the national one with its closures).
    pub fn calendar_of(&self, division: &tongban_core::division::DivisionCode) -> WorkingCalendar {
        self.calendars.get().for_division(division).clone()
    }

    /// Takes one request of `kind` from `principal`'s address when nobody is logged in
    /// (staff and applicants are not held to the public's rates); too many is refused.
    pub fn rate(&self, kind: limits::Rated, principal: &Principal) -> Result<(), AppError> {
        match (&self.rates, &principal.account, principal.client) {
            (Some(rates), None, Some(client)) => rates
                .take(kind, Some(client), std::time::Instant::now())
                .map_err(|wait| AppError::TooManyAttempts(wait.as_secs().max(1))),
            _ => Ok(()),
        }
    }

    /// Now, by the clock.
    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
    }

    /// Cases by state, for the metrics.
    pub async fn case_counts(&self) -> Result<Vec<(String, i64)>, AppError> {
        Ok(self.store.cases_by_state().await?)
    }

    /// A case's clock now, on the working calendar of its division.
    pub fn clock_of(&self, case: &Case) -> CaseClock {
        let calendar = self.calendar_of(&case.division);
        let allowed = case.accepted_at.zip(case.limit).and_then(|(a, l)| calendar.allowed_minutes(a, l).ok());
        let used = case.working_minutes_used(self.now(), &calendar).ok().flatten();
        CaseClock {
            due_at: case.due_at,
            provisional: case.due_is_provisional(&calendar),
            calendar_revision: case.calendar_revision,
            allowed_minutes: allowed,
            used_minutes: used,
            remaining_minutes: allowed.zip(used).map(|(a, u)| a - u),
            owner_act_by: case.owner_act_by(&calendar),
        }
    }

    /// Runs `work` in one write with the request's `Idempotency-Key`, if it came with one,
    /// claimed first: the effect and the key commit together or not at all, and a retry is
    /// refused with the first answer before any work.
    pub(crate) async fn write_claimed<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut tongban_store::Conn) -> futures_util::future::BoxFuture<'c, Result<T, AppError>>
            + Send
            + 'static,
    {
        let (pending, now) = (idempotency::pending(), self.now());
        self.store
            .write(move |c| {
                Box::pin(async move {
                    idempotency::claim(c, pending.as_ref(), now).await?;
                    work(c).await
                })
            })
            .await
    }

    /// Whether the database answers (for readiness).
    pub async fn ready(&self) -> bool {
        self.store.ping().await
    }
}
use tongban_core::access::{Action, Scope, role_may};
use tongban_core::org::DepartmentCode;

/// Refuses `action` unless the principal's role may attempt it.
pub fn authorize(principal: &Principal, action: Action) -> Result<(), AppError> {
    if role_may(principal.role(), action) {
        Ok(())
    } else if principal.account.is_none() {
        Err(AppError::Unauthorized)
    } else {
        Err(AppError::Forbidden(format!("a {} may not do this", principal.role())))
    }
}

/// Opens a case for `item` from `submission`. The first contact owns it: the clerk who
/// receives it at a window; a self-service case (online, kiosk, app, mail) goes at once to
/// the person core's [`tongban_core::org::owner::named_owner`] names in the item's
/// department, and stays with the channel's hall account only when the department has no
/// enabled staff at all.
pub async fn submit_case(
    state: &App,
    principal: &Principal,
    item: &ItemCode,
    mut submission: Submission,
) -> Result<Case, AppError> {
    authorize(principal, Action::SubmitCase)?;
    let account = principal.require()?;
    let verified = if account.role == Role::Applicant {
        // Applicants apply for themselves, or for an enterprise that mandated them.
        let answers_for = identities(state, account).await?;
        let named = submission.applicant.id_number.as_str();
        if answers_for.iter().any(|id| id == named) {
            true
        } else if account.id_number.as_deref() == Some(named) {
            false
        } else {
            return Err(AppError::Forbidden(
                "applicants apply under their own id number, or an enterprise's that mandated them".into(),
            ));
        }
    } else {
        // Staff receive the applicant in person and see the identity document.
        submission.owner = account.id.clone();
        true
    };
    submission.submitter = Some(Submitter { account: account.id.clone(), verified });
    let row = state
        .store
        .item_by_code(item)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("item {item} does not exist")))?;
    if submission.owner == format!("hall.{}", submission.channel.as_str()) {
        if let Some(owner) = named_owner(state, &row.item.department).await? {
            submission.owner = owner;
        }
    } else {
        check_owner(state, &submission.owner, &row.item).await?;
    }
    let now = state.now();
    let actor = account.id.clone();
    // Check before taking a number, so refused input never uses one up (on PostgreSQL
    // numbers come from a sequence that a rollback does not return).
    let year = CaseNumber::year_of(now);
    Case::submit(CaseNumber::new(&row.item.division, year, 0), &row.item, row.version, submission.clone(), now)?;
    // The receipt (收件回执) is read for and planned here, written with the case.
    let receipt =
        notify::outbox::SubmissionNotice::plan(state, account, &submission.applicant, &row.item.name, now).await?;
    // Under an Idempotency-Key the key is claimed in the same write as the case; without
    // one, the case joins the store's batched submissions.
    let Some(pending) = crate::idempotency::pending() else {
        let division = row.item.division.clone();
        return state
            .store
            .submit_case_noting(division, year, actor, move |number| {
                let (case, event) = Case::submit(number, &row.item, row.version, submission, now)?;
                let notices = receipt.map(|r| r.rows(&case)).unwrap_or_default();
                Ok::<_, AppError>((case, event, notices))
            })
            .await;
    };
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                crate::idempotency::claim(conn, Some(&pending), now).await?;
                let number = allocate_case_number(conn, &row.item.division, year).await?;
                let (case, event) = Case::submit(number, &row.item, row.version, submission, now)?;
                tongban_store::insert_submitted_case(conn, &case, &event, &actor).await?;
                if let Some(r) = receipt {
                    tongban_store::insert_notices(conn, &r.rows(&case)).await?;
                }
                Ok(case)
            })
        })
        .await
}

/// The identities an applicant's account answers for: its own once verified, and — while
/// it is verified — the enterprises that mandated it (委托).
pub async fn identities(state: &App, account: &tongban_store::Account) -> Result<Vec<String>, AppError> {
    let Some(own) = account.verified_id() else { return Ok(Vec::new()) };
    let mut ids = vec![own.to_owned()];
    ids.extend(state.store.mandates(Some(&account.id), None).await?.into_iter().map(|m| m.enterprise_id));
    Ok(ids)
}

/// The named owner of a case of `department` that arrives without a person, by core's rule
/// over the department's enabled staff; none when it has none.
pub(crate) async fn named_owner(
    state: &App,
    department: &tongban_core::org::DepartmentCode,
) -> Result<Option<String>, AppError> {
    let candidates = state.store.owner_candidates(department).await?;
    Ok(tongban_core::org::owner::named_owner(&candidates).map(str::to_owned))
}

/// Checks, by core's rule, that the account `login` may own a case of `item`.
async fn check_owner(state: &App, login: &str, item: &tongban_core::item::ServiceItem) -> Result<(), AppError> {
    let account = state.store.account(login.trim()).await?;
    let candidate = account.as_ref().map(|a| tongban_core::case::OwnerCandidate {
        role: a.role,
        department: a.department.as_ref(),
        disabled: a.disabled,
    });
    Ok(tongban_core::case::check_owner(login, candidate, item)?)
}

/// The facts core's hand-over rules need of the acting account.
fn hand_over_actor(account: &tongban_store::Account) -> tongban_core::case::HandOverActor<'_> {
    tongban_core::case::HandOverActor {
        login: &account.id,
        role: account.role,
        department: account.department.as_ref(),
        position: account.position.as_deref().and_then(tongban_core::org::Position::parse),
    }
}

/// Checks, by core's rule, that `account` may hand `case` over: the owner's department is
/// the owner's account's, none when no staff member owns it (a hall channel's case).
async fn check_hand_over(
    state: &App,
    account: &tongban_store::Account,
    case: &Case,
    item: &tongban_core::item::ServiceItem,
) -> Result<(), AppError> {
    let owner = state.store.account(&case.owner).await?;
    let owner_department = owner.as_ref().filter(|o| o.role.is_department_staff()).and_then(|o| o.department.as_ref());
    Ok(tongban_core::case::check_hand_over_by(case, &hand_over_actor(account), owner_department, &item.department)?)
}

/// Checks, by core's rule, that `login` may be offered a case (of any department).
async fn check_receiver(state: &App, login: &str) -> Result<(), AppError> {
    let account = state.store.account(login.trim()).await?;
    let candidate = account.as_ref().map(|a| tongban_core::case::OwnerCandidate {
        role: a.role,
        department: a.department.as_ref(),
        disabled: a.disabled,
    });
    Ok(tongban_core::case::check_receiver(login, candidate)?)
}

/// A case and its item in the version it was applied under; not found when either is missing.
pub(crate) async fn case_and_item(
    state: &App,
    number: &CaseNumber,
) -> Result<(Case, tongban_core::item::ServiceItem), AppError> {
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("case {number} does not exist")))?;
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("item {} version {} does not exist", case.item, case.item_version)))?
        .item;
    Ok((case, item))
}

/// May `principal` see or touch `case` of `department`? By core's [`Scope`]: staff their
/// department's cases, overseers all; applicants the cases their account reaches (实名认证,
/// [`Case::reached_by`]).
async fn check_scope(
    state: &App,
    principal: &Principal,
    case: &Case,
    department: Option<&DepartmentCode>,
) -> Result<(), AppError> {
    let account = principal.require()?;
    let allowed = match Scope::of(account.role, account.department.as_ref()) {
        Scope::Own => {
            account.role == Role::Applicant && case.reached_by(&account.id, &identities(state, account).await?)
        }
        scope => {
            department.is_some_and(|d| scope.covers(d))
                // A hand-over across departments (无缝转接): the person it is offered to, and
                // its owner once they took it over, see it; nobody else of their department.
                || (account.role.is_department_staff()
                    && (case.owner == account.id || case.pending_handover.as_deref() == Some(account.id.as_str())))
        }
    };
    if allowed { Ok(()) } else { Err(AppError::Forbidden(format!("case {} is not yours to see", case.number))) }
}

/// Applies `command` to the case at `expected_version` (optimistic concurrency), checking
/// role, scope and — for decisions — the delegated power, whose chain is recorded.
#[tracing::instrument(skip_all, fields(case.number = %number, case.command = command.name()))]
pub async fn act_on_case(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
    command: CaseCommand,
    expected_version: Option<u32>,
) -> Result<Case, AppError> {
    // Ratings have their own table, window and rectification: one door for them.
    if let CaseCommand::Rate { score, comment } | CaseCommand::RateVia { score, comment, .. } = &command {
        let case = visible_case(state, principal, number).await?;
        let channel = match &command {
            CaseCommand::RateVia { channel, .. } => *channel,
            _ => tongban_core::rating::RatingChannel::of_case(case.channel),
        };
        ratings::rate(state, principal, number, channel, *score, comment).await?;
        return visible_case(state, principal, number).await;
    }
    authorize(principal, Action::Case(command.kind()))?;
    let account = principal.require()?.clone();
    let (case, item) = case_and_item(state, number).await?;
    check_scope(state, principal, &case, Some(&item.department)).await?;
    if !tongban_core::access::role_may_on_item(account.role, command.kind(), item.category) {
        return Err(AppError::Forbidden(format!(
            "{}: item {} is {} ({})",
            tongban_core::access::FRONT_DESK_RULE,
            item.code,
            item.category.as_str(),
            item.category.zh()
        )));
    }
    let expected = expected_version.unwrap_or(case.version);
    if expected != case.version {
        return Err(AppError::Conflict(format!(
            "case {number} is at version {}, not {expected}: it changed since you read it",
            case.version
        )));
    }
    match &command {
        CaseCommand::HandOver { to } => {
            check_hand_over(state, &account, &case, &item).await?;
            check_receiver(state, to).await?;
        }
        // With no offer open, core refuses the command as such (409) below.
        CaseCommand::WithdrawHandOver if case.pending_handover.is_some() => {
            tongban_core::case::check_withdraw_by(&case, &hand_over_actor(&account))?;
        }
        CaseCommand::Reassign { to } => check_owner(state, to, &item).await?,
        _ => {}
    }
    let now = state.now();
    let answer_days = state.ratings.rectification_days;
    let (authority, delegations) = match command.power() {
        None => (None, None),
        Some(power) => {
            let delegations = state.store.delegations().await?;
            let chain =
                delegations.authority(&account.id, &item.department, &item.code, power, now).ok_or_else(|| {
                    // A clerk is told what a front-desk decision takes.
                    let rule = if account.role == Role::WindowClerk && power == Power::Approve {
                        format!(": {}", tongban_core::access::FRONT_DESK_RULE)
                    } else {
                        String::new()
                    };
                    AppError::NoAuthority(format!(
                        "{} holds no valid delegated {} power for item {}{rule}",
                        account.id,
                        power.as_str(),
                        item.code
                    ))
                })?;
            (Some(chain), Some(delegations))
        }
    };
    let calendar = state.calendar_of(&case.division);
    let events = case.handle(&command, &Context { now, calendar: &calendar, item: &item, actor: &account.id })?;
    let mut after = case.clone();
    for e in &events {
        after.apply(e, now);
    }
    let action = format!("case.{}", command.name());
    let command_name = command.name();
    let decided = events.iter().any(CaseEvent::is_decision);
    // The documents the events issue, rendered now; numbered and sealed with the events.
    let chain = (authority.as_deref(), delegations.as_ref());
    let pending = documents::prepare(state, &after, &item, &events, expected + 1, &account.id, chain, now).await?;
    let pending = documents::before_write(state, &case.number, pending, now).await?;
    // The notices the events cause, read for and rendered now; written with the events.
    let notices = notify::outbox::for_case_events(state, &after, &item.name, &events, expected + 1, now).await?;
    let (seal, base_url) = (state.seal.clone(), state.public_base_url.clone());
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                let hashes =
                    append_events(conn, expected, &after, &events, &account.id, now, authority.as_deref()).await?;
                let number = after.number.as_str();
                let issued = documents::issue(conn, seal.as_deref(), &base_url, number, pending, now).await?;
                tongban_store::insert_notices(conn, &notices).await?;
                let decisions: Vec<concerns::Decided<'_>> = (expected + 1..)
                    .zip(&events)
                    .filter(|(_, e)| e.is_decision())
                    .map(|(seq, event)| concerns::Decided {
                        seq,
                        event,
                        actor: &account.id,
                        at: now,
                        authority: authority.as_deref(),
                    })
                    .collect();
                let settle = (answer_days, now);
                concerns::note_case(conn, &after, &item, &calendar, &decisions, delegations.as_ref(), settle).await?;
                // The events' hashes put the rows written into the chain: an edit shows.
                let mut detail = serde_json::json!({
                    "command": command_name, "authority": authority, "version": after.version, "events": hashes,
                });
                if !issued.is_empty() {
                    detail["documents"] = serde_json::Value::Array(issued);
                }
                append_audit(conn, now, &account.id, &action, after.number.as_str(), &detail.to_string()).await?;
                if decided {
                    projects::finish_step_of_case(conn, &after.number, &account.id, now, &calendar).await?;
                }
                Ok::<_, AppError>(after)
            })
        })
        .await
}

/// A case and its history, if the principal may see it.
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn case_with_events(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<(Case, Vec<RecordedEvent>), AppError> {
    let case = visible_case(state, principal, number).await?;
    let events = state.store.events_for_case(number).await?;
    Ok((case, events))
}

/// A case the principal may see, without its history.
pub async fn visible_case(state: &App, principal: &Principal, number: &CaseNumber) -> Result<Case, AppError> {
    authorize(principal, Action::ReadCase)?;
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("case {number} does not exist")))?;
    let item = state.store.item_in_version(&case.item, case.item_version).await?;
    check_scope(state, principal, &case, item.as_ref().map(|i| &i.item.department)).await?;
    Ok(case)
}

/// A case the principal may see, with its history and its material files.
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn case_detail(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
) -> Result<(Case, Vec<RecordedEvent>, Vec<tongban_store::MaterialFile>), AppError> {
    let (case, events) = case_with_events(state, principal, number).await?;
    let files = state.store.material_files(number).await?;
    Ok((case, events, files))
}

/// Logs in: returns the account, its CSRF token and the new session's id.
pub async fn login(
    state: &App,
    principal: &Principal,
    login: &str,
    password: &str,
) -> Result<(tongban_store::Account, String, String), AppError> {
    authorize(principal, Action::Login)?;
    let account = accounts::check_login_attempt(state, principal, login, password).await?;
    let (csrf, session) = accounts::new_session(state, &account).await?;
    Ok((account, csrf, session))
}

/// Logs out: ends the principal's session (a token is revoked on its own route).
pub async fn logout(state: &App, principal: &Principal) -> Result<(), AppError> {
    authorize(principal, Action::Session)?;
    if let Some(hash) = principal.session_hash.clone() {
        state.store.write(move |c| Box::pin(async move { tongban_store::delete_session(c, &hash).await })).await?;
    }
    Ok(())
}

/// Cases the principal may list, matching `filter`: applicants get their own, department
/// staff their department's, center leaders, supervisors and administrators all.
pub async fn search_cases(
    state: &App,
    principal: &Principal,
    mut filter: tongban_store::CaseFilter,
) -> Result<tongban_store::Page<Case>, AppError> {
    authorize(principal, Action::SearchCases)?;
    let account = principal.require()?;
    match Scope::of(account.role, account.department.as_ref()) {
        Scope::Center => {}
        Scope::Department(d) => filter.department = Some(d.to_string()),
        Scope::Own if account.role == Role::Applicant => {
            filter.reached_by = Some(tongban_store::Reach {
                account: account.id.clone(),
                identities: identities(state, account).await?,
            })
        }
        // Staff without a department: a department that cannot exist matches nothing.
        Scope::Own => filter.department = Some(String::new()),
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
pub fn check_file(declared: &str, bytes: &[u8]) -> Result<&'static str, AppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::TooLarge(MAX_FILE_BYTES));
    }
    let declared = declared.split(';').next().unwrap_or("").trim();
    let actual = sniff_type(bytes)
        .ok_or_else(|| AppError::UnsupportedType("only PDF, JPEG and PNG files are accepted".into()))?;
    if declared != actual {
        return Err(AppError::UnsupportedType(format!("Content-Type says {declared:?} but the file is {actual}")));
    }
    Ok(actual)
}

/// Stores a file for one of the case's materials (its SHA-256 recorded). Returns whether it
/// was new (the same bytes again are a no-op) and the stored file.
pub async fn upload_material(
    state: &App,
    principal: &Principal,
    number: &CaseNumber,
    material: &str,
    declared_type: &str,
    bytes: Vec<u8>,
) -> Result<(bool, tongban_store::MaterialFile), AppError> {
    authorize(principal, Action::Upload)?;
    let (case, _) = case_with_events(state, principal, number).await?;
    if case.state.is_final() || case.decided_at.is_some() {
        return Err(AppError::Conflict(format!("case {number} is {}: no more materials", case.state)));
    }
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| AppError::NotFound("item".into()))?;
    if !item.item.materials.iter().any(|m| m.name == material) {
        return Err(AppError::Invalid(vec![(
            "material".into(),
            format!("{material:?} is not a material of item {}", item.item.code),
        )]));
    }
    let actual = check_file(declared_type, &bytes)?;
    let sha = crate::credentials::digest_bytes(&bytes);
    let (who, now) = (principal.id().to_owned(), state.now());
    let (n, m, s) = (number.clone(), material.to_owned(), sha.clone());
    let created = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let (files, used) = tongban_store::material_usage(c, &n).await?;
                let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                // The same file again is no new file: answered as before, whatever the quota.
                if tongban_store::material_file_exists(c, &n, &m, &s).await? {
                    return Ok(false);
                }
                tongban_core::case::check_upload_quota(files, used, size).map_err(AppError::Quota)?;
                tongban_store::insert_material_file(c, &n, &m, &s, actual, &bytes, &who, now).await?;
                let detail = serde_json::json!({ "material": m, "sha256": s, "size": size }).to_string();
                append_audit(c, now, &who, "case.upload", n.as_str(), &detail).await?;
                Ok::<_, AppError>(true)
            })
        })
        .await?;
    let file = state
        .store
        .material_files(number)
        .await?
        .into_iter()
        .find(|f| f.material == material && f.sha256 == sha)
        .ok_or_else(|| AppError::Internal("stored file vanished".into()))?;
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
    /// E-mail address, optional (notices by e-mail).
    pub email: Option<String>,
}

pub use tongban_core::account::MAX_PASSWORD_CHARS;

/// Creates an applicant account (online service hall sign-up), listing every invalid field.
pub async fn sign_up(state: &App, principal: &Principal, req: SignUp) -> Result<tongban_store::Account, AppError> {
    authorize(principal, Action::SignUp)?;
    state.rate(crate::limits::Rated::SignUp, principal)?;
    let valid = tongban_core::account::SignUpRequest {
        login: &req.login,
        password: &req.password,
        name: &req.name,
        phone: req.phone.as_deref(),
        email: req.email.as_deref(),
        kind: &req.kind,
        id_number: &req.id_number,
    }
    .parse()?;
    let account = tongban_store::Account {
        id: valid.login,
        kind: "applicant".into(),
        display_name: valid.name,
        role: Role::Applicant,
        department: None,
        window: None,
        position: None,
        applicant_kind: Some(valid.kind.to_owned()),
        id_number: Some(valid.id_number),
        phone: valid.phone,
        password_hash: crate::credentials::hash_password(req.password).await?,
        disabled: false,
        verified: None,
    };
    let now = state.now();
    let (a, email) = (account.clone(), valid.email);
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                tongban_store::insert_account(c, &a, now).await?;
                if let Some(email) = &email {
                    tongban_store::set_contact_email(c, &a.id, Some(email), now).await?;
                }
                append_audit(c, now, &a.id, "account.sign_up", &a.id, "{}").await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(account)
}

/// A case looked up by its number and the applicant's phone (kiosk, anyone). A wrong phone
/// and an unknown number answer alike, and failures are rate-limited per case number, so
/// the phone cannot be guessed.
pub async fn case_by_number_and_phone(
    state: &App,
    principal: &Principal,
    number: &str,
    phone: &str,
) -> Result<Case, AppError> {
    let not_found = || AppError::NotFound("no case with that number and phone".into());
    // Per case number only: a kiosk is shared, so one person's typos must not lock it.
    state.rate(crate::limits::Rated::Lookup, principal)?;
    let keys = [(format!("lookup:{}", number.trim()), 5.0)];
    if let Some(wait) = state.limiter.wait_keys(&keys, std::time::Instant::now()) {
        return Err(AppError::TooManyAttempts(wait.as_secs().max(1)));
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
            state.limiter.fail_keys(&keys, std::time::Instant::now());
            Err(not_found())
        }
    }
}

// Supervision, accounts and grants: shared by `api::supervision`, `api::grants` and the
// supervision and administration pages.

/// Whether the principal may see a department's supervision records (core's [`Scope`]).
pub fn may_see_department(principal: &Principal, department: &str) -> bool {
    principal.account.as_ref().is_some_and(|a| {
        let scope = Scope::of(a.role, a.department.as_ref());
        DepartmentCode::parse(department).is_ok_and(|d| scope.covers(&d))
    })
}

/// Most alerts a list shows, newest first (the API and the page alike).
pub const ALERTS_SHOWN: u32 = 10_000;

/// The alerts the principal may see, newest first: all for the center's overseers, their
/// department's for its staff.
pub async fn alerts(state: &App, principal: &Principal) -> Result<Vec<tongban_store::AlertRow>, AppError> {
    authorize(principal, Action::ReadSupervision)?;
    let rows = state.store.alerts(ALERTS_SHOWN).await?;
    Ok(rows.into_iter().filter(|a| may_see_department(principal, &a.department)).collect())
}

/// The accountability records the principal may see: all for the center's overseers, their
/// department's for its staff.
pub async fn accountability_records(
    state: &App,
    principal: &Principal,
) -> Result<Vec<tongban_store::AccountabilityRow>, AppError> {
    authorize(principal, Action::ReadSupervision)?;
    let rows = state.store.accountability().await?;
    Ok(rows.into_iter().filter(|r| may_see_department(principal, &r.department)).collect())
}

/// The board as the principal may see it: a department's staff see their department's
/// running cases only.
pub async fn scoped_board(state: &App, principal: &Principal, limit: usize) -> Result<BoardSnapshot, AppError> {
    Ok(board_in_scope(state, principal, limit, false).await?.0)
}

/// [`scoped_board`] with the running cases it is drawn from, by number (for pages that
/// name the cases' items).
pub async fn scoped_board_with_cases(
    state: &App,
    principal: &Principal,
    limit: usize,
) -> Result<(BoardSnapshot, std::collections::HashMap<String, tongban_store::TrackedCase>), AppError> {
    board_in_scope(state, principal, limit, true).await
}

/// The running cases are read only when the scope narrows the board or the caller wants
/// them: the center's board alone needs no query.
async fn board_in_scope(
    state: &App,
    principal: &Principal,
    limit: usize,
    with_cases: bool,
) -> Result<(BoardSnapshot, std::collections::HashMap<String, tongban_store::TrackedCase>), AppError> {
    authorize(principal, Action::Supervise)?;
    let mine = own_department(principal);
    let running: std::collections::HashMap<String, tongban_store::TrackedCase> = if with_cases || mine.is_some() {
        state
            .store
            .running_cases()
            .await?
            .into_iter()
            .filter(|t| mine.as_ref().is_none_or(|d| &t.department == d))
            .map(|t| (t.case.number.to_string(), t))
            .collect()
    } else {
        std::collections::HashMap::new()
    };
    let only: Option<std::collections::HashSet<String>> = mine.map(|_| running.keys().cloned().collect());
    let board = supervision_board(state, principal, only.as_ref(), limit)?;
    Ok((board, running))
}

/// The supervision rules in force: the stored book over the center's default. Read afresh
/// on each call, so a rule set on any server holds at once.
pub async fn rule_book(state: &App) -> Result<tongban_core::supervision::RuleBook, AppError> {
    Ok(state.store.rule_book(tongban_core::supervision::Rule::center_default(state.calendars().base())).await?)
}

/// A running case's colour at `now` under `book` (the rule for its item and `department`)
/// on `calendars`, as the board computes it; none for a case not running or a calendar
/// that cannot say. Callers listing many cases take the calendars and the moment once.
pub fn colour_of(
    calendars: &CalendarSet,
    now: jiff::Timestamp,
    book: &tongban_core::supervision::RuleBook,
    case: &Case,
    department: &DepartmentCode,
) -> Option<tongban_core::supervision::Colour> {
    let clock = tongban_core::supervision::CaseClock::from_case(case)?;
    let rule = book.rule_for(&case.item, department);
    tongban_core::supervision::colour(&clock, &rule, now, calendars.for_division(&case.division)).ok()
}

/// What the supervision board shows at one moment.
#[derive(Debug, Clone, Default)]
pub struct BoardSnapshot {
    /// Whether this server runs the supervision worker (only it holds the board).
    pub leader: bool,
    /// Whether this server holds a board at all.
    pub present: bool,
    /// When the worker last ticked.
    pub last_tick: Option<jiff::Timestamp>,
    /// The last error that stopped the worker (it retries).
    pub last_error: Option<String>,
    /// Green running cases.
    pub green: usize,
    /// Yellow running cases.
    pub yellow: usize,
    /// Red running cases.
    pub red: usize,
    /// Yellow and red cases, red first, then by number (at most the limit asked for):
    /// (case number, colour, when its colour can next change).
    pub cases: Vec<(String, tongban_core::supervision::Colour, Option<jiff::Timestamp>)>,
}

/// The supervision board of running cases; with `only`, just those case numbers (a
/// department's). Empty on a server that does not hold the supervision lease.
pub fn supervision_board(
    state: &App,
    principal: &Principal,
    only: Option<&std::collections::HashSet<String>>,
    limit: usize,
) -> Result<BoardSnapshot, AppError> {
    use tongban_core::supervision::Colour;
    authorize(principal, Action::Supervise)?;
    let status = state.supervision.status.lock().map(|s| s.clone()).unwrap_or_default();
    let guard = state.supervision.board.lock().map_err(|_| AppError::Internal("poisoned".into()))?;
    let mut view = BoardSnapshot {
        leader: status.leader,
        present: guard.is_some(),
        last_tick: status.last_tick,
        last_error: status.last_error.clone(),
        ..BoardSnapshot::default()
    };
    if let Some(b) = guard.as_ref() {
        let wanted = |k: &String| only.is_none_or(|set| set.contains(k));
        for (_, colour) in b.iter().filter(|(k, _)| wanted(k)) {
            match colour {
                Colour::Green => view.green += 1,
                Colour::Yellow => view.yellow += 1,
                Colour::Red => view.red += 1,
            }
        }
        let mut cases: Vec<_> = b
            .iter()
            .filter(|(k, colour)| *colour != Colour::Green && wanted(k))
            .map(|(k, colour)| (k.clone(), colour, b.next_change(k)))
            .collect();
        cases.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        cases.truncate(limit);
        view.cases = cases;
    }
    Ok(view)
}

fn accountability_to_core(r: &tongban_store::AccountabilityRow) -> tongban_core::supervision::Accountability<String> {
    use tongban_core::supervision::{Accountability, Statement};
    let statement = |text: &Option<String>, by: &Option<String>, at: Option<jiff::Timestamp>| match (text, by, at) {
        (Some(text), Some(by), Some(at)) => Some(Statement { by: by.clone(), text: text.clone(), at }),
        _ => None,
    };
    Accountability {
        case: r.case_number.clone(),
        opened_at: r.since,
        state: r.state,
        answer: statement(&r.answer, &r.answered_by, r.answered_at),
        conclusion: statement(&r.conclusion, &r.closed_by, r.closed_at),
    }
}

/// The department answers an accountability record (`close` false: its head or an
/// approver), or a supervisor closes an answered one (`close` true). An empty or overlong
/// text is invalid (field `text`); a record in the wrong state is a conflict.
pub async fn accountability_step(
    state: &App,
    principal: &Principal,
    number: &str,
    since: &str,
    text: &str,
    close: bool,
) -> Result<(), AppError> {
    use tongban_core::supervision::{AccountabilityError, Statement};
    authorize(principal, if close { Action::CloseAccountability } else { Action::AnswerAccountability })?;
    let who = principal.require()?.clone();
    let missing = || AppError::NotFound(format!("no accountability record for case {number} since {since}"));
    let since: jiff::Timestamp = since.parse().map_err(|_| missing())?;
    let mut row = state
        .store
        .accountability()
        .await?
        .into_iter()
        .find(|r| r.case_number == number && r.since == since)
        .ok_or_else(missing)?;
    if !close && !may_see_department(principal, &row.department) {
        return Err(AppError::Forbidden("another department's record".into()));
    }
    let mut record = accountability_to_core(&row);
    let now = state.now();
    let done = if close { record.close(&who.id, text, now) } else { record.answer(&who.id, text, now) };
    done.map_err(|e| match e {
        AccountabilityError::BadText(..) => AppError::Invalid(vec![("text".into(), e.to_string())]),
        other => AppError::Conflict(other.to_string()),
    })?;
    let stamp = |s: &Option<Statement>| s.as_ref().map(|s| (s.text.clone(), s.by.clone(), s.at));
    row.state = record.state;
    if let Some((t, b, a)) = stamp(&record.answer) {
        (row.answer, row.answered_by, row.answered_at) = (Some(t), Some(b), Some(a));
    }
    if let Some((t, b, a)) = stamp(&record.conclusion) {
        (row.conclusion, row.closed_by, row.closed_at) = (Some(t), Some(b), Some(a));
    }
    let action = if close { "accountability.close" } else { "accountability.answer" };
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::update_accountability(c, &row).await?;
                append_audit(
                    c,
                    now,
                    &who.id,
                    action,
                    &row.case_number,
                    &serde_json::json!({ "since": tongban_store::format_ts(row.since) }).to_string(),
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// Sets a supervision rule (it takes effect when the worker next starts its board):
/// `scope` is `center` (key `-`), `department` (a department code) or `item` (an item code).
pub async fn set_supervision_rule(
    state: &App,
    principal: &Principal,
    scope: &str,
    key: &str,
    used_percent: u8,
    remaining_minutes: u32,
) -> Result<(), AppError> {
    authorize(principal, Action::ConfigureSupervision)?;
    let who = principal.require()?.id.clone();
    let mut errors = Vec::new();
    let rule = tongban_core::supervision::Rule::new(used_percent, remaining_minutes)
        .map_err(|e| errors.push(("used_percent".into(), e.to_string())))
        .ok();
    let key = match scope {
        "center" => "-".to_owned(),
        "department" => match tongban_core::org::DepartmentCode::parse(key.trim()) {
            Ok(d) if state.store.department_codes().await?.contains(&d) => d.to_string(),
            _ => {
                errors.push(("key".into(), format!("no department {:?}", key.trim())));
                String::new()
            }
        },
        "item" => match ItemCode::parse(key.trim()) {
            Ok(i) if state.store.item_by_code(&i).await?.is_some() => i.to_string(),
            _ => {
                errors.push(("key".into(), format!("no item {:?}", key.trim())));
                String::new()
            }
        },
        _ => {
            errors.push(("scope".into(), "center, department or item".into()));
            String::new()
        }
    };
    let Some(rule) = rule.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let (scope, now) = (scope.to_owned(), state.now());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::set_rule(c, &scope, &key, &rule).await?;
                append_audit(c, now, &who, "supervision.rule", &format!("{scope}:{key}"), "{}").await
            })
        })
        .await?;
    Ok(())
}

/// The department a department's staff (e.g. its head) is limited to in supervision views;
/// none for the center's overseers. Staff without a department get an empty code, which
/// matches nothing.
pub fn own_department(principal: &Principal) -> Option<String> {
    principal.account.as_ref().and_then(|a| match Scope::of(a.role, a.department.as_ref()) {
        Scope::Center => None,
        Scope::Department(d) => Some(d.to_string()),
        Scope::Own => Some(String::new()),
    })
}

/// A grouping of the figures by its name: `center`, `department`, `window`, `staff`,
/// `item` or `division`.
pub fn group_by(name: &str) -> Result<tongban_core::supervision::GroupBy, AppError> {
    use tongban_core::supervision::GroupBy;
    Ok(match name {
        "center" => GroupBy::Center,
        "department" => GroupBy::Department,
        "window" => GroupBy::Window,
        "staff" => GroupBy::Staff,
        "item" => GroupBy::Item,
        "division" => GroupBy::Division,
        other => return Err(AppError::Invalid(vec![("by".into(), format!("unknown grouping {other:?}"))])),
    })
}

/// The center's figures per group over `period` (all time when none); with `department`,
/// only that department's cases. A case counts at the window of its owner.
pub async fn figures(
    state: &App,
    principal: &Principal,
    by: tongban_core::supervision::GroupBy,
    period: Option<tongban_core::supervision::Period>,
    department: Option<&str>,
) -> Result<Vec<(tongban_core::supervision::GroupKey, tongban_core::supervision::Figures)>, AppError> {
    use tongban_core::org::{DepartmentCode, WindowCode};
    use tongban_core::supervision::{CaseFacts, FigureSpec};
    authorize(principal, Action::ReadFigures)?;
    // A department head sees their own department's figures, whatever was asked.
    let own = own_department(principal);
    let department = own.as_deref().or(department);
    let windows: std::collections::HashMap<String, WindowCode> =
        state.store.staff_directory().await?.into_iter().filter_map(|s| Some((s.id.to_string(), s.window?))).collect();
    let cal = &state.calendar();
    let facts: Vec<_> = state
        .store
        .all_cases()
        .await?
        .iter()
        .filter(|t| department.is_none_or(|d| d == t.department))
        .filter_map(|t| {
            let d = DepartmentCode::parse(&t.department).ok()?;
            CaseFacts::from_case(&t.case, d, windows.get(&t.case.owner).cloned(), cal).ok()
        })
        .collect();
    let spec = FigureSpec { by, period, early_margin_minutes: cal.minutes_per_working_day() };
    if by == tongban_core::supervision::GroupBy::Division {
        // Each division with everything inside it: the city's figures include its counties'.
        let divisions = state.store.division_codes().await?;
        return Ok(tongban_core::supervision::roll_up(&facts, &divisions, &spec)
            .into_iter()
            .filter(|(_, f)| *f != tongban_core::supervision::Figures::default())
            .map(|(d, f)| (tongban_core::supervision::GroupKey::Division(d), f))
            .collect());
    }
    Ok(tongban_core::supervision::figures(&facts, &spec).into_iter().collect())
}

/// A new staff account as entered.
#[derive(Debug, Clone, Default)]
pub struct NewStaff {
    /// Login name.
    pub login: String,
    /// Initial password (at least 10 characters); none to issue a one-time activation
    /// code instead, with which the account's holder sets one.
    pub password: Option<String>,
    /// Name.
    pub name: String,
    /// Role (not applicant or public).
    pub role: String,
    /// Department code, for department staff.
    pub department: Option<String>,
}

/// A staff account just created, with its activation code when it was created without a
/// password (shown to the administrator once).
#[derive(Debug, Clone)]
pub struct StaffCreated {
    /// The account.
    pub account: tongban_store::Account,
    /// Its one-time activation code, if it has no password yet.
    pub activation: Option<IssuedCode>,
}

/// Creates a staff account (administrators), listing every invalid field; a login taken
/// is a conflict. Without a password the account cannot log in until its holder activates
/// it with the one-time code issued here (audited as `account.activation.issue`).
pub async fn create_staff_account(state: &App, principal: &Principal, req: NewStaff) -> Result<StaffCreated, AppError> {
    authorize(principal, Action::ManageAccounts)?;
    let admin = principal.require()?.id.clone();
    let parsed = tongban_core::account::StaffRequest {
        login: &req.login,
        password: req.password.as_deref(),
        name: &req.name,
        role: &req.role,
        department: req.department.as_deref(),
    }
    .parse();
    // The department must exist: checked with the fields, so every error shows at once.
    let known = state.store.department_codes().await?;
    let unknown = |d: &tongban_core::org::DepartmentCode| {
        (!known.contains(d))
            .then(|| tongban_core::account::FieldError { field: "department", message: format!("no department {d}") })
    };
    let staff = match parsed {
        Ok(staff) => match staff.department.as_ref().and_then(unknown) {
            Some(e) => return Err(vec![e].into()),
            None => staff,
        },
        Err(mut errors) => {
            let typed = req.department.as_deref().and_then(|d| tongban_core::org::DepartmentCode::parse(d.trim()).ok());
            errors.extend(typed.as_ref().and_then(unknown));
            return Err(errors.into());
        }
    };
    let account = tongban_store::Account {
        id: staff.login,
        kind: "staff".into(),
        display_name: staff.name,
        role: staff.role,
        department: staff.department,
        window: None,
        position: None,
        applicant_kind: None,
        id_number: None,
        phone: None,
        // Empty until activated: no password verifies against it.
        password_hash: match req.password {
            Some(p) => crate::credentials::hash_password(p).await?,
            None => String::new(),
        },
        disabled: false,
        verified: None,
    };
    let now = state.now();
    let code =
        if account.password_hash.is_empty() { Some(activation::new_code(&account.id, &admin, now)?) } else { None };
    let (a, row) = (account.clone(), code.as_ref().map(|(row, _)| row.clone()));
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                tongban_store::insert_account(c, &a, now).await?;
                let detail = serde_json::json!({ "role": a.role.as_str() }).to_string();
                append_audit(c, now, &admin, "account.create", &a.id, &detail).await?;
                if let Some(row) = &row {
                    activation::record_code(c, row).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(StaffCreated { account, activation: code.map(|(_, issued)| issued) })
}

/// Revokes a grant: it and everything re-delegated from it stop at once. The grantor, the
/// department's head or an administrator may revoke.
pub async fn revoke_grant(state: &App, principal: &Principal, id: &str) -> Result<(), AppError> {
    authorize(principal, Action::Delegate)?;
    let account = principal.require()?.clone();
    let mut delegations = state.store.delegations().await?;
    let grant =
        delegations.grant(id).cloned().ok_or_else(|| AppError::NotFound(format!("grant {id} does not exist")))?;
    if !grant.may_be_revoked_by(&account.id, account.role, account.department.as_ref()) {
        return Err(AppError::Forbidden("only the grantor, the department head or an administrator may revoke".into()));
    }
    let now = state.now();
    delegations.revoke(id, now).map_err(|e| AppError::Conflict(e.to_string()))?;
    let id = id.to_owned();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::revoke_grant(c, &id, now).await?;
                append_audit(c, now, &account.id, "grant.revoke", &id, "{}").await
            })
        })
        .await?;
    Ok(())
}
