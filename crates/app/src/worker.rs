//! The supervision worker (电子监察) inside `tongban serve`. Exactly one server runs it at a
//! time (a lease: a PostgreSQL advisory lock, always held on SQLite). It keeps every running
//! case on a [`Board`] indexed by the next moment its colour can change, so a tick visits
//! only the cases that are due; new events are picked up from the event log by id. Each
//! change to yellow or red raises an alert once (a unique key absorbs repeats after
//! restarts or take-overs), red opens an accountability record, and alerts escalate to the
//! chief and the supervisor after the configured working hours.

use std::sync::Mutex;
use std::time::Duration;

use tongban_core::org::DepartmentCode;
use tongban_core::supervision::{AlertKind, Board, ColourChange, Level, Rule, RuleBook, escalations};
use tongban_store::{
    AccountabilityRow, AlertRow, Lease, TrackedCase, escalate_alert, insert_accountability, insert_alert,
};

use crate::App;

/// Ticks between full re-evaluations (at the default 30 s tick, once an hour).
const FULL_REEVALUATION_EVERY: u64 = 120;

/// The lease key of the supervision worker.
const LEASE_KEY: i64 = 0x7467_7375_7076; // "tgsupv"

/// What the worker shares with handlers and /metrics.
#[derive(Default)]
pub struct Supervision {
    /// The board; empty on servers that do not hold the lease.
    pub board: Mutex<Option<Board<String>>>,
    /// Status for /metrics and the board view.
    pub status: Mutex<Status>,
}

/// The worker's status.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// The last error that stopped the worker, if any.
    pub last_error: Option<String>,
    /// Whether this server holds the lease.
    pub leader: bool,
    /// When the last tick finished.
    pub last_tick: Option<jiff::Timestamp>,
    /// Alerts raised by this server since it started.
    pub alerts_raised: u64,
}

impl std::fmt::Debug for Supervision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervision").finish_non_exhaustive()
    }
}

/// Starts the worker; it runs until the process ends.
/// The calendar watcher ([`crate::calendar::watch`]) runs beside it on every server.
pub fn spawn(state: App, period: Duration) -> tokio::task::JoinHandle<()> {
    let watcher = crate::watch(state.clone(), period);
    tokio::spawn(async move {
        tokio::join!(watcher, supervise(state, period));
    })
}

async fn supervise(state: App, period: Duration) {
    loop {
        match state.store.try_lease(LEASE_KEY).await {
            Ok(Some(lease)) => {
                tracing::info!("supervision worker: lease taken, this server supervises");
                if let Err(e) = lead(&state, lease, period).await {
                    tracing::error!(error = %e, "supervision worker stopped; will retry");
                    if let Ok(mut s) = state.supervision.status.lock() {
                        s.last_error = Some(e.to_string());
                    }
                }
                set_leader(&state, false);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "supervision lease unavailable"),
        }
        tokio::time::sleep(period).await;
    }
}

fn set_leader(state: &App, leader: bool) {
    if let Ok(mut s) = state.supervision.status.lock() {
        s.leader = leader;
    }
    if !leader && let Ok(mut b) = state.supervision.board.lock() {
        *b = None;
    }
}

fn rule_of(book: &RuleBook, t: &TrackedCase) -> Rule {
    match DepartmentCode::parse(&t.department) {
        Ok(d) => book.rule_for(&t.case.item, &d),
        Err(_) => book.center,
    }
}

async fn lead(state: &App, mut lease: Lease, period: Duration) -> Result<(), crate::AppError> {
    let calendars = state.calendars();
    let mut book = state.store.rule_book(Rule::center_default(calendars.base())).await?;
    let mut last_event = state.store.last_event_id().await?;
    let running = state.store.running_cases().await?;
    let now = state.now();
    let mut board: Board<String> = Board::on(calendars, running.len());
    let mut changes = Vec::new();
    let mut owners = std::collections::HashMap::new();
    for t in &running {
        owners.insert(t.case.number.to_string(), (t.case.owner.clone(), t.department.clone()));
        if let Ok(Some(c)) = board.track(t.case.number.to_string(), &t.case, rule_of(&book, t), now) {
            changes.push(c);
        }
    }
    *state.supervision.board.lock().map_err(|_| crate::AppError::Internal("poisoned".into()))? = Some(board);
    if let Ok(mut s) = state.supervision.status.lock() {
        s.leader = true;
    }
    record(state, &changes, &owners).await?;
    let mut ticks: u64 = 0;
    loop {
        tokio::time::sleep(period).await;
        ticks += 1;
        if !lease.is_held().await {
            tracing::warn!("supervision lease lost");
            return Ok(());
        }
        let now = state.now();
        let (last, mut changed) = state.store.cases_changed_since(last_event).await?;
        last_event = last;
        // Rules set on any server take effect at the next tick: every running case is
        // measured against the new book.
        let fresh = state.store.rule_book(Rule::center_default(state.calendars().base())).await?;
        if fresh != book {
            book = fresh;
            changed.extend(state.store.running_cases().await?);
            tracing::info!(cases = changed.len(), "supervision rules changed; running cases re-measured");
        }
        let mut changes = Vec::new();
        {
            let mut guard = state.supervision.board.lock().map_err(|_| crate::AppError::Internal("poisoned".into()))?;
            let Some(board) = guard.as_mut() else { return Ok(()) };
            for t in &changed {
                owners.insert(t.case.number.to_string(), (t.case.owner.clone(), t.department.clone()));
                match board.track(t.case.number.to_string(), &t.case, rule_of(&book, t), now) {
                    Ok(Some(c)) => changes.push(c),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(case.number = %t.case.number, error = %e, "case cannot be supervised"),
                }
            }
            changes.extend(board.tick(now));
            // Now and then, recompute every colour from scratch: a repair for anything the
            // incremental path could have missed (it should find nothing).
            if ticks.is_multiple_of(FULL_REEVALUATION_EVERY) {
                let repaired = board.full_reevaluation(now);
                if !repaired.changes.is_empty() {
                    tracing::warn!(changes = repaired.changes.len(), "full re-evaluation repaired colours");
                }
                changes.extend(repaired.changes);
            }
        }
        record(state, &changes, &owners).await?;
        escalate(state, now).await?;
        if let Ok(mut s) = state.supervision.status.lock() {
            s.last_tick = Some(now);
        }
    }
}

/// Stores the alerts and accountability records of `changes` (idempotently).
async fn record(
    state: &App,
    changes: &[ColourChange<String>],
    owners: &std::collections::HashMap<String, (String, String)>,
) -> Result<(), crate::AppError> {
    let mut alerts = Vec::new();
    let mut records = Vec::new();
    let raised_at = state.now();
    for c in changes {
        let Some(key) = c.alert() else { continue };
        let (owner, department) = owners.get(&c.case).cloned().unwrap_or_default();
        let since = key.since;
        alerts.push(AlertRow {
            case_number: c.case.clone(),
            kind: AlertKind::DUE,
            colour: key.colour,
            since,
            owner: owner.clone(),
            department: department.clone(),
            raised_at,
            level: Level::Owner,
            escalated_at: None,
            responsible: None,
        });
        if key.colour == tongban_core::supervision::Colour::Red {
            records.push(AccountabilityRow {
                case_number: c.case.clone(),
                kind: AlertKind::DUE,
                since,
                department,
                owner,
                first_responsible: None,
                state: tongban_core::supervision::AccountabilityState::Open,
                opened_at: raised_at,
                answer: None,
                answered_by: None,
                answered_at: None,
                conclusion: None,
                closed_by: None,
                closed_at: None,
            });
        }
    }
    if alerts.is_empty() {
        return Ok(());
    }
    let new = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut new = 0u64;
                for a in &alerts {
                    new += u64::from(insert_alert(c, a).await?);
                }
                for r in &records {
                    insert_accountability(c, r).await?;
                }
                Ok::<_, crate::AppError>(new)
            })
        })
        .await?;
    if new > 0 {
        tracing::info!(alerts = new, "supervision alerts raised");
    }
    if let Ok(mut s) = state.supervision.status.lock() {
        s.alerts_raised += new;
    }
    Ok(())
}

/// Moves alerts up to the chief and the supervisor when their working hours have passed.
async fn escalate(state: &App, now: jiff::Timestamp) -> Result<(), crate::AppError> {
    let rule = state.escalation;
    let calendar = state.calendar();
    let mut ups = Vec::new();
    for a in state.store.alerts_to_escalate().await? {
        let Ok(levels) = escalations(a.raised_at, now, &rule, &calendar) else { continue };
        if let Some(top) = levels.last().copied().filter(|l| *l != a.level) {
            ups.push((a.case_number, a.kind, a.colour, a.since, top));
        }
    }
    if ups.is_empty() {
        return Ok(());
    }
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for (case, kind, colour, since, level) in &ups {
                    escalate_alert(c, case, kind, *colour, *since, *level, now).await?;
                }
                Ok::<_, crate::AppError>(())
            })
        })
        .await
}
