//! The working calendar as use cases: loading the center's calendars from the store, keeping
//! every running server on the stored revision without a restart, importing a year's
//! schedule (节假日安排), local closures (闭厅), and recomputing the due times of running
//! cases and project steps whose clocks the change touched.

use std::sync::RwLock;

use tongban_core::calendar::{CalendarSet, Closure, MAX_YEAR, MIN_YEAR, Schedule, WorkingCalendar};
use tongban_core::case::{Case, CaseEvent};
use tongban_store::{Store, StoreError};

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;
use tongban_core::access::Action;

/// Who the calendar's own writes are recorded as.
pub const CALENDAR_ACTOR: &str = "system:calendar";

/// Cases recomputed per transaction.
const BATCH: usize = 500;

/// The calendars this server works with, swapped whole when the stored revision moves.
#[derive(Debug)]
pub struct LiveCalendars {
    current: RwLock<CalendarSet>,
}

impl LiveCalendars {
    /// Starts with `set`.
    pub fn new(set: CalendarSet) -> LiveCalendars {
        LiveCalendars { current: RwLock::new(set) }
    }

    /// The calendars now (a cheap clone).
    pub fn get(&self) -> CalendarSet {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, set: CalendarSet) {
        match self.current.write() {
            Ok(mut g) => *g = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
    }
}

/// Brings this server's calendars to the stored revision; true when they changed. A server
/// that supervises puts the new calendars on its board and re-colours every case.
pub async fn refresh(state: &App) -> Result<bool, AppError> {
    let stored = state.store.calendar_revision().await?;
    if stored == state.calendars.get().revision() {
        return Ok(false);
    }
    let set = state.store.calendar_set().await?;
    state.calendars.set(set.clone());
    let now = state.now();
    if let Ok(mut board) = state.supervision.board.lock()
        && let Some(board) = board.as_mut()
    {
        board.set_calendars(set.clone());
        board.full_reevaluation(now);
    }
    tracing::info!(revision = set.revision(), "working calendar reloaded");
    Ok(true)
}

/// Keeps this server's calendars on the stored revision (every `period`), warns once a day
/// when a year's schedule should be loaded, and on the supervising server recomputes the
/// running cases still behind the revision (accepted meanwhile on a server not yet reloaded).
pub async fn watch(state: App, period: std::time::Duration) {
    let mut warned_on: Option<jiff::civil::Date> = None;
    loop {
        let changed = refresh(&state).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "working calendar not reloaded");
            false
        });
        let set = state.calendars();
        let now = state.now();
        let today = tongban_core::calendar::local_date(now);
        if warned_on != Some(today) {
            warned_on = Some(today);
            if let Some(year) = set.base().year_to_load(today) {
                tracing::warn!(
                    year,
                    "the {year} holiday schedule is not loaded: due times into {year} are provisional \
                     (statutory holidays only); import it with `tongban calendar import` or on /admin/calendar"
                );
            }
        }
        let leader = state.supervision.status.lock().is_ok_and(|s| s.leader);
        if leader {
            let reason = format!("calendar revision {}", set.revision());
            if let Err(e) = recompute_cases(&state.store, &set, &reason, now).await {
                tracing::warn!(error = %e, "due times not recomputed");
            }
            if changed && let Err(e) = recompute_steps(&state.store, &set, now).await {
                tracing::warn!(error = %e, "project step due times not recomputed");
            }
        }
        tokio::time::sleep(period).await;
    }
}

/// What an import or closure change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarChange {
    /// The calendar revision it made.
    pub revision: u64,
    /// Rows stored (imports) or closures changed.
    pub days: usize,
    /// Running cases whose due time moved (each got a `due_recomputed` event).
    pub cases_recomputed: usize,
    /// Running project steps whose due time moved.
    pub steps_recomputed: usize,
}

/// Imports `year`'s schedule from `csv` as an administrator, over the API or the pages.
pub async fn import_calendar_year(
    state: &App,
    principal: &Principal,
    year: i16,
    csv: &str,
) -> Result<CalendarChange, AppError> {
    authorize(principal, Action::ImportCalendar)?;
    let actor = principal.require()?.id.clone();
    let change = import_year(&state.store, &actor, year, csv, state.now()).await?;
    refresh(state).await?;
    Ok(change)
}

/// Imports `year`'s schedule as `actor` (the command line, or [`import_calendar_year`]):
/// checks the file as a notice and against the neighbouring years, stores it with an audit
/// entry of what changed in one transaction, then recomputes what it touched. Bad files
/// change nothing; errors name the field `csv` and the line.
pub async fn import_year(
    store: &Store,
    actor: &str,
    year: i16,
    csv: &str,
    now: jiff::Timestamp,
) -> Result<CalendarChange, AppError> {
    let invalid = |field: &str, why: String| AppError::Invalid(vec![(field.to_owned(), why)]);
    let schedule = Schedule::parse(year, csv).map_err(|e| invalid("csv", e.to_string()))?;
    let mut schedules = store.calendar_schedules().await?;
    let before = WorkingCalendar::from_schedules(&schedules, Default::default(), &[])
        .map_err(|e| StoreError::Corrupt { table: "calendar_year", why: e.to_string() })?;
    let previous = before.year_days(year).unwrap_or_default();
    let was_provisional = before.is_provisional_year(year);
    // Checked merged with its neighbours (a row of the year before must agree with that year).
    schedules.push(schedule.clone());
    WorkingCalendar::from_schedules(&schedules, Default::default(), &[]).map_err(|e| invalid("csv", e.to_string()))?;
    let diff = serde_json::json!({
        "year": year,
        "days": schedule.days().len(),
        "replaced": if was_provisional { "provisional" } else { "announced" },
        "added": schedule.days().iter().filter(|d| !previous.contains(d)).map(|d| format!("{} {}", d.date, d.kind)).collect::<Vec<_>>(),
        "removed": previous.iter().filter(|d| !schedule.days().contains(d)).map(|d| format!("{} {}", d.date, d.kind)).collect::<Vec<_>>(),
    });
    let actor_owned = actor.to_owned();
    let stored = schedule.clone();
    let revision = store
        .write(move |c| {
            Box::pin(async move {
                let revision = tongban_store::put_calendar_year(c, &stored, now, &actor_owned).await?;
                let mut detail = diff;
                detail["revision"] = revision.into();
                let detail = detail.to_string();
                tongban_store::append_audit(c, now, &actor_owned, "calendar.import", &year.to_string(), &detail)
                    .await?;
                Ok::<_, AppError>(revision)
            })
        })
        .await?;
    let set = store.calendar_set().await?;
    let (cases, steps) =
        recompute(store, &set, &format!("{year} schedule imported (calendar revision {revision})"), now).await?;
    Ok(CalendarChange { revision, days: schedule.days().len(), cases_recomputed: cases, steps_recomputed: steps })
}

/// Adds a closure of a division's halls, or lifts it (`lift`), then recomputes what it touched.
pub async fn set_closure(
    state: &App,
    principal: &Principal,
    closure: Closure,
    lift: bool,
) -> Result<CalendarChange, AppError> {
    authorize(principal, Action::ImportCalendar)?;
    let actor = principal.require()?.id.clone();
    let invalid = |field: &str, why: String| AppError::Invalid(vec![(field.to_owned(), why)]);
    if !(MIN_YEAR..=MAX_YEAR).contains(&closure.date.year()) {
        return Err(invalid("date", format!("{} is outside the years the calendar covers", closure.date)));
    }
    let name = closure.name.trim().to_owned();
    if !lift && (name.is_empty() || name.chars().count() > 100) {
        return Err(invalid("name", "give the reason for the closure (1–100 characters)".into()));
    }
    let exists = state.store.division_exists(&closure.division).await?;
    if !exists {
        return Err(invalid("division", format!("no division {}", closure.division)));
    }
    let now = state.now();
    let closure = Closure { name, ..closure };
    let stored = closure.clone();
    let by = actor.clone();
    let revision = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let revision = if lift {
                    tongban_store::delete_closure(c, &stored.division, stored.date).await?.ok_or_else(|| {
                        AppError::NotFound(format!("closure of {} on {}", stored.division, stored.date))
                    })?
                } else {
                    tongban_store::put_closure(c, &stored, now, &by).await?
                };
                let action = if lift { "calendar.closure.lift" } else { "calendar.closure" };
                let detail = serde_json::json!({ "division": stored.division.as_str(), "date": stored.date.to_string(),
                    "name": stored.name, "revision": revision })
                .to_string();
                tongban_store::append_audit(c, now, &by, action, stored.division.as_str(), &detail).await?;
                Ok::<_, AppError>(revision)
            })
        })
        .await?;
    refresh(state).await?;
    let what = if lift { "closure lifted" } else { "closure added" };
    let reason = format!("{what}: {} {} (calendar revision {revision})", closure.division, closure.date);
    let (cases, steps) = recompute(&state.store, &state.calendars.get(), &reason, now).await?;
    Ok(CalendarChange { revision, days: 1, cases_recomputed: cases, steps_recomputed: steps })
}

/// Recomputes every running case whose due time was last computed on an older revision than
/// `set`'s: a `due_recomputed` event where it moved, a mark where it did not; then every
/// running project step. Safe to run on several servers at once (rows are re-read inside the
/// transaction). Returns how many cases and steps moved.
pub async fn recompute(
    store: &Store,
    set: &CalendarSet,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<(usize, usize), AppError> {
    let moved = recompute_cases(store, set, reason, now).await?;
    let steps = recompute_steps(store, set, now).await?;
    if moved > 0 || steps > 0 {
        tracing::info!(cases = moved, steps, revision = set.revision(), "due times recomputed");
    }
    Ok((moved, steps))
}

/// The case half of [`recompute`]; returns how many moved.
async fn recompute_cases(
    store: &Store,
    set: &CalendarSet,
    reason: &str,
    now: jiff::Timestamp,
) -> Result<usize, AppError> {
    let behind = store.running_cases_behind(set.revision()).await?;
    let mut moved = 0;
    for batch in behind.chunks(BATCH) {
        let numbers: Vec<String> = batch.to_vec();
        let set = set.clone();
        let reason = reason.to_owned();
        moved += store
            .write(move |c| {
                Box::pin(async move {
                    let cases = tongban_store::lock_cases(c, &numbers).await?;
                    let mut unchanged: Vec<&Case> = Vec::new();
                    let mut changed: Vec<(Case, Case, CaseEvent)> = Vec::new();
                    for case in &cases {
                        match case.recompute_due(set.for_division(&case.division), &reason) {
                            Ok(Some(event)) => {
                                let mut after = case.clone();
                                after.apply(&event, now);
                                changed.push((case.clone(), after, event));
                            }
                            Ok(None) => unchanged.push(case),
                            Err(e) => {
                                tracing::warn!(case.number = %case.number, error = %e, "due time cannot be recomputed");
                                unchanged.push(case);
                            }
                        }
                    }
                    tongban_store::mark_calendar_checked(c, &unchanged, set.revision()).await?;
                    let rows: Vec<(u32, &Case, &CaseEvent)> =
                        changed.iter().map(|(before, after, event)| (before.version, after, event)).collect();
                    tongban_store::append_due_changes(c, &rows, CALENDAR_ACTOR, now).await?;
                    Ok::<_, AppError>(changed.len())
                })
            })
            .await?;
    }
    Ok(moved)
}

/// Recomputes the due times of every running project step on the project's division's calendar.
async fn recompute_steps(store: &Store, set: &CalendarSet, now: jiff::Timestamp) -> Result<usize, AppError> {
    let mut moved = 0;
    for (row, division) in store.running_project_runs().await? {
        let cal = set.for_division(&division).clone();
        let mut run = row.run.clone();
        let Ok(steps) = run.recompute_dues(&cal) else { continue };
        if steps.is_empty() {
            continue;
        }
        let code = run.project().to_string();
        let detail = serde_json::json!({
            "steps": steps.iter().map(|(s, old, new)| serde_json::json!({
                "step": s.as_str(), "previous": old.to_string(), "due": new.to_string() })).collect::<Vec<_>>(),
            "revision": set.revision(),
        })
        .to_string();
        let expected = row.version;
        let saved = store
            .write(move |c| {
                Box::pin(async move {
                    if !tongban_store::update_project_run(c, &run, expected, now).await? {
                        return Ok::<_, AppError>(false); // changed meanwhile: its new due times are fresh
                    }
                    tongban_store::append_audit(c, now, CALENDAR_ACTOR, "project.due_recomputed", &code, &detail)
                        .await?;
                    Ok(true)
                })
            })
            .await?;
        if saved {
            moved += steps.len();
        }
    }
    Ok(moved)
}

/// The imported years of holidays and make-up working days.
pub async fn calendar_years(state: &App, principal: &Principal) -> Result<Vec<tongban_store::StoredYear>, AppError> {
    authorize(principal, Action::ReadGrants)?;
    Ok(state.store.calendar_years().await?)
}

/// The halls' closures (a hall closed on a working day).
pub async fn calendar_closures(
    state: &App,
    principal: &Principal,
) -> Result<Vec<tongban_store::StoredClosure>, AppError> {
    authorize(principal, Action::ReadGrants)?;
    Ok(state.store.calendar_closures().await?)
}
