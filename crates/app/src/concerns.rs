//! The supervision ledger of concerns (其他监察事项): core decides what is wrong with a case
//! ([`tongban_core::supervision::concerns`], [`decision_concern`]) whenever the case is
//! written, and the store keeps it in the same transaction, so the concerns pages read an
//! index range instead of replaying every case and decision ever taken.

use tongban_core::access::Action;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{Case, CaseEvent};
use tongban_core::delegation::Delegations;
use tongban_core::item::ServiceItem;
use tongban_core::supervision::{Concern, Decision, concerns as standing_concerns, decision_concern};
use tongban_store::{ConcernAbout, ConcernEntry, ConcernFilter, Conn};

use crate::{App, AppError, Principal, authorize, own_department};

/// Most concerns a page of the list holds.
pub const CONCERNS_SHOWN: u32 = 500;

/// A watched condition found on a case or an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernRow {
    /// Its id in the ledger; newer concerns have larger ids.
    pub id: i64,
    /// Case, for a concern about a case.
    pub case_number: Option<String>,
    /// Account, for a concern about an account (decision power conferred).
    pub account: Option<String>,
    /// Department.
    pub department: String,
    /// `repeated_correction`, `accepted_with_missing_materials`, `returned`, `reopened`,
    /// `bad_rating`, `decision_without_valid_authority` or `decision_power_conferred`.
    pub kind: String,
    /// Details.
    pub detail: String,
    /// When it arose.
    pub raised_at: jiff::Timestamp,
}

/// Which concerns to list.
#[derive(Debug, Clone, Default)]
pub struct ConcernQuery {
    /// One kind only.
    pub kind: Option<String>,
    /// Those older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many ([`CONCERNS_SHOWN`] when none or more).
    pub limit: Option<u32>,
}

/// A page of concerns, newest first, and how many of each kind there are in all.
#[derive(Debug, Clone, Default)]
pub struct ConcernPage {
    /// The concerns.
    pub rows: Vec<ConcernRow>,
    /// (kind, how many) over everything the principal may see.
    pub counts: Vec<(String, i64)>,
    /// The cursor of the next page, when there are more.
    pub next: Option<i64>,
}

/// The concerns the principal may see (overseers the center's, a department head their
/// department's), newest first.
pub async fn concerns(state: &App, principal: &Principal, query: ConcernQuery) -> Result<ConcernPage, AppError> {
    authorize(principal, Action::Supervise)?;
    ensure_ledger(state).await?;
    let department = own_department(principal);
    let limit = query.limit.unwrap_or(CONCERNS_SHOWN).clamp(1, CONCERNS_SHOWN);
    let filter =
        ConcernFilter { department: department.clone(), kind: query.kind, before: query.before, limit: limit + 1 };
    let mut records = state.store.concerns(&filter).await?;
    let next = (records.len() > limit as usize).then(|| records[limit as usize - 1].id);
    records.truncate(limit as usize);
    let now = state.now();
    let rows = records
        .into_iter()
        .map(|r| {
            let e = r.entry;
            let (case_number, account) = match e.about {
                ConcernAbout::Case => (Some(e.subject), None),
                ConcernAbout::Account => (None, Some(e.subject)),
            };
            let detail = serde_json::from_str::<Concern>(&e.detail).map_or(e.detail, |c| describe(&c, now));
            ConcernRow {
                id: r.id,
                case_number,
                account,
                department: e.department,
                kind: e.kind,
                detail,
                raised_at: e.raised_at,
            }
        })
        .collect();
    let counts = state.store.concern_counts(department.as_deref()).await?;
    Ok(ConcernPage { rows, counts, next })
}

/// A concern in words (English; the pages name its kind in the reader's language).
fn describe(c: &Concern, now: jiff::Timestamp) -> String {
    match c {
        Concern::RepeatedCorrection { times } => format!("{times} correction requests"),
        Concern::AcceptedWithMissingMaterials { missing } => missing.join(", "),
        Concern::Returned { times } => format!("sent back to the window {times} time(s)"),
        Concern::Reopened { times } => format!("reopened after delivery {times} time(s)"),
        Concern::BadRatingUnanswered { score, due: Some(d) } if *d < now => {
            format!("rated {score} of 5; not answered by {d} (overdue)")
        }
        Concern::BadRatingUnanswered { score, due: Some(d) } => format!("rated {score} of 5; to be answered by {d}"),
        Concern::BadRatingUnanswered { score, due: None } => format!("rated {score} of 5; not answered"),
        Concern::DecisionWithoutAuthority { decision, actor, at } => format!("{decision} by {actor} at {at}"),
        Concern::DecisionPowerConferred { role, by, at } => format!("made {role} by {by} at {at}"),
    }
}

fn json(c: &Concern) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

/// A decision among a case's events: its position in the history (1-based), the event,
/// who took it, when, and the grant chain recorded with it.
pub(crate) struct Decided<'a> {
    pub seq: u32,
    pub event: &'a CaseEvent,
    pub actor: &'a str,
    pub at: jiff::Timestamp,
    pub authority: Option<&'a [String]>,
}

/// Brings the ledger up to date with `case` (of `item`) just written at `at`: its standing
/// concerns now (a bad rating due within `answer_days`, the center's rectification limit),
/// and a concern for each of `decided` taken without valid authority under `delegations`.
/// Runs in the case's write transaction.
pub(crate) async fn note_case(
    conn: &mut Conn,
    case: &Case,
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    decided: &[Decided<'_>],
    delegations: Option<&Delegations>,
    (answer_days, at): (u32, jiff::Timestamp),
) -> Result<(), AppError> {
    let department = item.department.as_str();
    let standing: Vec<(String, String)> =
        standing_concerns(case, item, calendar, answer_days).iter().map(|c| (c.kind().to_owned(), json(c))).collect();
    tongban_store::put_standing_concerns(conn, case.number.as_str(), department, &standing, at).await?;
    for d in decided {
        let decision = Decision { event: d.event, actor: d.actor, at: d.at, authority: d.authority };
        let empty = Delegations::default();
        if let Some(c) = decision_concern(&decision, item, delegations.unwrap_or(&empty)) {
            let entry = ConcernEntry {
                subject: case.number.to_string(),
                about: ConcernAbout::Case,
                kind: c.kind().to_owned(),
                reference: d.seq.to_string(),
                department: department.to_owned(),
                detail: json(&c),
                raised_at: d.at,
            };
            tongban_store::add_concern(conn, &entry).await?;
        }
    }
    Ok(())
}

/// Records that `by` alone gave account `login` (of `department`, if any) a role that
/// decides cases, at `at`.
pub(crate) async fn note_decision_power(
    conn: &mut Conn,
    login: &str,
    department: Option<&str>,
    role: &str,
    by: &str,
    at: jiff::Timestamp,
) -> Result<(), AppError> {
    let c = Concern::DecisionPowerConferred { role: role.to_owned(), by: by.to_owned(), at };
    let entry = ConcernEntry {
        subject: login.to_owned(),
        about: ConcernAbout::Account,
        kind: c.kind().to_owned(),
        reference: tongban_store::format_ts(at),
        department: department.unwrap_or_default().to_owned(),
        detail: json(&c),
        raised_at: at,
    };
    tongban_store::add_concern(conn, &entry).await?;
    Ok(())
}

/// How often the build is tried again when cases change while it reads them.
const BUILD_ATTEMPTS: usize = 5;

/// Builds the ledger once from everything stored before it existed (the first start after
/// the migration that added it); does nothing when it is built. Cases written while it
/// reads make it read again, so nothing written meanwhile is left out.
pub async fn ensure_ledger(state: &App) -> Result<(), AppError> {
    if state.store.concern_ledger_built().await?.is_some() {
        return Ok(());
    }
    for _ in 0..BUILD_ATTEMPTS {
        let seen = state.store.last_event_id().await?;
        let entries = ledger_of_everything(state).await?;
        let now = state.now();
        let built = state
            .store
            .write(move |c| {
                Box::pin(async move {
                    if tongban_store::last_event_id_in(c).await? != seen {
                        return Ok::<_, AppError>(false);
                    }
                    tongban_store::clear_concerns(c).await?;
                    for e in &entries {
                        tongban_store::add_concern(c, e).await?;
                    }
                    tongban_store::mark_concern_ledger_built(c, now).await?;
                    Ok(true)
                })
            })
            .await?;
        if built {
            tracing::info!("supervision concerns ledger built from the stored cases");
            return Ok(());
        }
    }
    Err(AppError::Conflict("cases kept changing while the concerns ledger was built; try again".into()))
}

/// Every concern of every stored case and account, as [`note_case`] and
/// [`note_decision_power`] would have recorded them.
async fn ledger_of_everything(state: &App) -> Result<Vec<ConcernEntry>, AppError> {
    let delegations = state.store.delegations().await?;
    let calendars = state.calendars();
    let answer_days = state.ratings.rectification_days;
    let mut out = Vec::new();
    for e in state.store.audit_entries().await?.into_iter().filter(|e| e.action == "account.role.decision_power") {
        let department = state.store.account(&e.subject).await?.and_then(|a| a.department).map(|d| d.to_string());
        let role = serde_json::from_str::<serde_json::Value>(&e.detail)
            .ok()
            .and_then(|d| d["role"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let Ok(at) = e.at.parse::<jiff::Timestamp>() else { continue };
        let c = Concern::DecisionPowerConferred { role, by: e.actor.clone(), at };
        out.push(ConcernEntry {
            subject: e.subject.clone(),
            about: ConcernAbout::Account,
            kind: c.kind().to_owned(),
            reference: tongban_store::format_ts(at),
            department: department.unwrap_or_default(),
            detail: json(&c),
            raised_at: at,
        });
    }
    let mut items = std::collections::HashMap::new();
    for t in state.store.all_cases().await? {
        let case = &t.case;
        let key = (case.item.clone(), case.item_version);
        if !items.contains_key(&key) {
            let item = state.store.item_in_version(&case.item, case.item_version).await?.map(|i| i.item);
            items.insert(key.clone(), item);
        }
        let Some(Some(item)) = items.get(&key) else { continue };
        let events = state.store.events_for_case(&case.number).await?;
        // A standing condition arose with the last event that changed the case.
        let last = events.last().map_or(case.submitted_at, |e| e.at);
        for c in standing_concerns(case, item, calendars.for_division(&case.division), answer_days) {
            out.push(ConcernEntry {
                subject: case.number.to_string(),
                about: ConcernAbout::Case,
                kind: c.kind().to_owned(),
                reference: String::new(),
                department: item.department.to_string(),
                detail: json(&c),
                raised_at: last,
            });
        }
        for e in &events {
            let decision = Decision { event: &e.event, actor: &e.actor, at: e.at, authority: e.authority.as_deref() };
            if let Some(c) = decision_concern(&decision, item, &delegations) {
                out.push(ConcernEntry {
                    subject: case.number.to_string(),
                    about: ConcernAbout::Case,
                    kind: c.kind().to_owned(),
                    reference: e.seq.to_string(),
                    department: item.department.to_string(),
                    detail: json(&c),
                    raised_at: e.at,
                });
            }
        }
    }
    // Oldest first, so that ids follow time as they do when written case by case.
    out.sort_by_key(|e| e.raised_at);
    Ok(out)
}
