//! Follow-ups (督办事项) supervised: the worker measures every open problem and roadmap task
//! against the center's rule on the working calendar, keeps its colour and raises an alert
//! the first time it turns yellow and red; staff read them newest first.

use tongban_core::access::Action;
use tongban_core::followup::{FollowUpKind, colour_at};
use tongban_core::plan::ProjectCode;
use tongban_core::supervision::{Colour, Rule};
use tongban_store::{FollowUpFilter, set_follow_up_colour};
pub use tongban_store::{FollowUpRow, NewFollowUp};

use crate::actor::Principal;
use crate::{App, AppError, authorize};

/// The most follow-ups one read returns.
pub const MAX_LIMIT: u32 = 500;

/// Which follow-ups to list.
#[derive(Debug, Clone, Default)]
pub struct FollowUpQuery {
    /// One project's (a project code).
    pub project: Option<String>,
    /// `problem` or `roadmap_task`.
    pub kind: Option<String>,
    /// `green`, `yellow` or `red`.
    pub colour: Option<String>,
    /// Open ones only.
    pub open: bool,
    /// At most this many (default and cap [`MAX_LIMIT`]).
    pub limit: Option<u32>,
}

/// Follow-ups matching `q`, newest first; every bad filter is named.
pub async fn list(state: &App, principal: &Principal, q: FollowUpQuery) -> Result<Vec<FollowUpRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let mut errors = Vec::new();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let project = text(&q.project)
        .and_then(|p| ProjectCode::parse(&p).map_err(|e| errors.push(("project".to_owned(), e.to_string()))).ok());
    let kind = text(&q.kind).and_then(|k| {
        let found = FollowUpKind::parse(&k);
        if found.is_none() {
            errors.push(("kind".into(), format!("{k:?}: problem or roadmap_task")));
        }
        found
    });
    let colour = text(&q.colour).and_then(|c| {
        let found = Colour::parse(&c);
        if found.is_none() {
            errors.push(("colour".into(), format!("{c:?}: green, yellow or red")));
        }
        found
    });
    let limit = q.limit.unwrap_or(MAX_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        errors.push(("limit".into(), format!("1–{MAX_LIMIT}")));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let filter = FollowUpFilter { project, kind, colour, open: q.open, limit };
    Ok(state.store.follow_ups(&filter).await?)
}

/// One tick of follow-up supervision at `now`: every open follow-up whose colour changed is
/// recorded, with its alert the first time it is yellow or red. Returns the new alerts.
pub async fn watch(state: &App, now: jiff::Timestamp) -> Result<usize, AppError> {
    let calendar = state.calendar();
    let rule = Rule::center_default(&calendar);
    let mut changed = Vec::new();
    for f in state.store.open_follow_ups().await? {
        match colour_at(f.follow_up.started_at, f.follow_up.days, &rule, now, &calendar) {
            Ok((colour, since)) if colour != f.colour => changed.push((f, colour, since)),
            Ok(_) => {}
            // A deadline the calendar no longer covers is left as it is, like a case's.
            Err(e) => tracing::warn!(follow_up = f.id, error = %e, "follow-up cannot be supervised"),
        }
    }
    if changed.is_empty() {
        return Ok(0);
    }
    let raised = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut raised = 0;
                for (f, colour, since) in &changed {
                    if set_follow_up_colour(c, f, *colour, *since, now).await? {
                        raised += 1;
                    }
                }
                Ok::<_, AppError>(raised)
            })
        })
        .await?;
    if raised > 0 {
        tracing::info!(raised, "follow-up alerts raised");
    }
    Ok(raised)
}
