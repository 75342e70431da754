//! The supervision worker (电子监察) inside `tongban serve`. Exactly one server runs it at a
//! time (a lease: a PostgreSQL advisory lock, always held on SQLite). It keeps every running
//! case on a [`Board`] indexed by the next moment its colour can change, so a tick visits
//! only the cases that are due; new events are picked up from the event log by id. Each
//! change to yellow or red raises an alert once (a unique key absorbs repeats after
//! restarts or take-overs), red opens an accountability record, and alerts escalate to the
//! chief and the supervisor after the configured working hours (the last level names the
//! 审批第一责任人). Beside the due time it watches first contact ([`Watches`]): the owner's
//! act-by time where it differs from the due time (kind `act_by`) and open hand-over offers
//! (kind `hand_over`, once when the offer runs out, [`App::hand_over`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tongban_core::org::DepartmentCode;
use tongban_core::supervision::{AlertKind, Board, Colour, ColourChange, Level, Rule, RuleBook, Watches, escalations};
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
    let mut watcher = Watcher::start(state, state.now()).await?;
    loop {
        tokio::time::sleep(period).await;
        if !lease.is_held().await {
            tracing::warn!("supervision lease lost");
            return Ok(());
        }
        if !watcher.step(state, state.now()).await? {
            return Ok(());
        }
    }
}

/// A change that raises an alert: which case, what watch, which colour since when.
#[derive(Debug, Clone)]
struct Raised {
    case: String,
    kind: AlertKind,
    colour: Colour,
    since: jiff::Timestamp,
}

/// The worker's state between ticks, driven with a clock passed in: [`Watcher::start`] once,
/// then [`Watcher::step`] at every tick (the serving loop passes [`App::now`], a simulation
/// any moments it likes).
pub struct Watcher {
    book: RuleBook,
    last_event: i64,
    owners: HashMap<String, (String, String)>,
    watches: Watches<String>,
    ticks: u64,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").field("last_event", &self.last_event).field("ticks", &self.ticks).finish()
    }
}

impl Watcher {
    /// Builds the board and the first-contact watches from every open case at `now`, puts
    /// the board where handlers see it, and raises what is already due.
    pub async fn start(state: &App, now: jiff::Timestamp) -> Result<Watcher, crate::AppError> {
        let calendars = state.calendars();
        let book = state.store.rule_book(Rule::center_default(calendars.base())).await?;
        let last_event = state.store.last_event_id().await?;
        let open = state.store.open_cases().await?;
        let mut board: Board<String> = Board::on(calendars.clone(), open.len());
        let mut watcher = Watcher {
            book,
            last_event,
            owners: HashMap::new(),
            watches: Watches::on(calendars, state.hand_over),
            ticks: 0,
        };
        let mut raised = Vec::new();
        for t in &open {
            watcher.track(&mut board, t, now, &mut raised);
        }
        *state.supervision.board.lock().map_err(|_| crate::AppError::Internal("poisoned".into()))? = Some(board);
        if let Ok(mut s) = state.supervision.status.lock() {
            s.leader = true;
        }
        record(state, &raised, &watcher.owners, now).await?;
        Ok(watcher)
    }

    /// One tick at `now`: picks up new events and rule changes, raises the alerts of every
    /// colour change and escalates. False when the board has gone (the lease was given up).
    pub async fn step(&mut self, state: &App, now: jiff::Timestamp) -> Result<bool, crate::AppError> {
        self.ticks += 1;
        let (last, mut changed) = state.store.cases_changed_since(self.last_event).await?;
        self.last_event = last;
        // Rules set on any server take effect at the next tick: every open case is
        // measured against the new book.
        let fresh = state.store.rule_book(Rule::center_default(state.calendars().base())).await?;
        if fresh != self.book {
            self.book = fresh;
            changed.extend(state.store.open_cases().await?);
            tracing::info!(cases = changed.len(), "supervision rules changed; open cases re-measured");
        }
        let mut raised = Vec::new();
        {
            let mut guard = state.supervision.board.lock().map_err(|_| crate::AppError::Internal("poisoned".into()))?;
            let Some(board) = guard.as_mut() else { return Ok(false) };
            for t in &changed {
                self.track(board, t, now, &mut raised);
            }
            raised.extend(board.tick(now).into_iter().filter_map(due));
            raised.extend(self.watches.tick(now).into_iter().map(watched));
            // Now and then, recompute every colour from scratch: a repair for anything the
            // incremental path could have missed (it should find nothing).
            if self.ticks.is_multiple_of(FULL_REEVALUATION_EVERY) {
                let repaired = board.full_reevaluation(now);
                if !repaired.changes.is_empty() {
                    tracing::warn!(changes = repaired.changes.len(), "full re-evaluation repaired colours");
                }
                raised.extend(repaired.changes.into_iter().filter_map(due));
                raised.extend(self.watches.full_reevaluation(now).into_iter().map(watched));
            }
        }
        record(state, &raised, &self.owners, now).await?;
        // 差评整改: a rectification not fed back by its deadline alerts and is held to account.
        crate::ratings::watch_rectifications(state, now).await?;
        // 督办: problems and roadmap tasks owed to projects turn yellow and red like cases.
        crate::follow_ups::watch(state, now).await?;
        escalate(state, now).await?;
        if let Ok(mut s) = state.supervision.status.lock() {
            s.last_tick = Some(now);
        }
        Ok(true)
    }

    /// Puts one case on the board (its due time) and under its first-contact watches.
    fn track(&mut self, board: &mut Board<String>, t: &TrackedCase, now: jiff::Timestamp, raised: &mut Vec<Raised>) {
        let key = t.case.number.to_string();
        self.owners.insert(key.clone(), (t.case.owner.clone(), t.department.clone()));
        let rule = rule_of(&self.book, t);
        match board.track(key.clone(), &t.case, rule, now) {
            Ok(change) => raised.extend(change.and_then(due)),
            Err(e) => tracing::warn!(case.number = %t.case.number, error = %e, "case cannot be supervised"),
        }
        let (changes, failed) = self.watches.track(key, &t.case, rule, now);
        raised.extend(changes.into_iter().map(watched));
        for e in failed {
            tracing::warn!(case.number = %t.case.number, error = %e, "first contact cannot be watched");
        }
    }
}

/// The alert a change of a case's due-time colour raises, if any.
fn due(c: ColourChange<String>) -> Option<Raised> {
    let key = c.alert()?;
    Some(Raised { case: key.case, kind: AlertKind::DUE, colour: key.colour, since: key.since })
}

/// The alert of a first-contact watch's change (only raising ones come out of [`Watches`]).
fn watched(c: ColourChange<(String, AlertKind)>) -> Raised {
    let (case, kind) = c.case;
    Raised { case, kind, colour: c.to, since: c.at }
}

/// Stores the alerts of `raised` and, for red ones, accountability records (idempotently).
async fn record(
    state: &App,
    raised: &[Raised],
    owners: &HashMap<String, (String, String)>,
    raised_at: jiff::Timestamp,
) -> Result<(), crate::AppError> {
    let mut alerts = Vec::new();
    let mut records = Vec::new();
    for r in raised {
        let (owner, department) = owners.get(&r.case).cloned().unwrap_or_default();
        alerts.push(AlertRow {
            case_number: r.case.clone(),
            kind: r.kind.clone(),
            colour: r.colour,
            since: r.since,
            owner: owner.clone(),
            department: department.clone(),
            raised_at,
            level: Level::Owner,
            escalated_at: None,
            responsible: None,
        });
        if r.colour == Colour::Red {
            records.push(AccountabilityRow {
                case_number: r.case.clone(),
                kind: r.kind.clone(),
                since: r.since,
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
    // The owners are told (yellow in working time, red at once), with the alerts: a notice
    // of an alert raised before is absorbed by its unique key.
    let told: Vec<_> = alerts
        .iter()
        .filter(|a| !a.owner.is_empty())
        .map(|a| crate::notify::outbox::AlertNotice {
            case: a.case_number.clone(),
            kind: a.kind.to_string(),
            colour: a.colour,
            since: a.since,
            to: a.owner.clone(),
        })
        .collect();
    let notices = crate::notify::outbox::for_alerts(state, &told, raised_at).await?;
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
                tongban_store::insert_notices(c, &notices).await?;
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
    let mut told = Vec::new();
    for a in state.store.alerts_to_escalate().await? {
        let Ok(levels) = escalations(a.raised_at, now, &rule, &calendar) else { continue };
        if let Some(top) = levels.last().copied().filter(|l| *l != a.level) {
            // Those it now reaches are told too (逐级督办), with the escalation.
            for to in state.store.escalation_recipients(&a.department, top.as_str()).await? {
                told.push(crate::notify::outbox::AlertNotice {
                    case: a.case_number.clone(),
                    kind: a.kind.to_string(),
                    colour: a.colour,
                    since: a.since,
                    to,
                });
            }
            ups.push((a.case_number, a.kind, a.colour, a.since, top));
        }
    }
    if ups.is_empty() {
        return Ok(());
    }
    let notices = crate::notify::outbox::for_alerts(state, &told, now).await?;
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for (case, kind, colour, since, level) in &ups {
                    escalate_alert(c, case, kind, *colour, *since, *level, now).await?;
                }
                tongban_store::insert_notices(c, &notices).await?;
                Ok::<_, crate::AppError>(())
            })
        })
        .await
}
