//! Application functions: one per use case, shared by the JSON API and (later) the HTML
//! pages, so no rule is written twice. Each loads state, lets core decide, and writes
//! the outcome in one transaction.

use tongban_core::case::{Case, CaseCommand, CaseNumber, Context, Submission};
use tongban_core::item::ItemCode;
use tongban_store::{RecordedEvent, allocate_case_number, append_events, insert_case};

use crate::AppState;
use crate::problem::ApiError;

/// The year of a moment in China Standard Time (case numbers restart each year).
pub fn year_in_china(t: jiff::Timestamp) -> i16 {
    jiff::tz::offset(8).to_datetime(t).year()
}

/// Opens a case for `item` from `submission`; `actor` is who entered it.
pub async fn submit_case(
    state: &AppState,
    item: &ItemCode,
    submission: Submission,
    actor: &str,
) -> Result<Case, ApiError> {
    let row = state
        .store
        .item_by_code(item)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("item {item} does not exist")))?;
    let now = state.now();
    let actor = actor.to_owned();
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                // A refused submission rolls back with its number, so numbers have no gaps.
                let number =
                    allocate_case_number(conn, &row.item.division, year_in_china(now)).await?;
                let (case, event) = Case::submit(number, &row.item, row.version, submission, now)?;
                insert_case(conn, &case, &event, &actor).await?;
                Ok(case)
            })
        })
        .await
}

/// Applies `command` to the case at `expected_version` (optimistic concurrency).
pub async fn act_on_case(
    state: &AppState,
    number: &CaseNumber,
    command: CaseCommand,
    expected_version: Option<u32>,
    actor: &str,
) -> Result<Case, ApiError> {
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("case {number} does not exist")))?;
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "item {} version {} does not exist",
                case.item, case.item_version
            ))
        })?;
    let expected = expected_version.unwrap_or(case.version);
    if expected != case.version {
        return Err(ApiError::Conflict(format!(
            "case {number} is at version {}, not {expected}",
            case.version
        )));
    }
    let now = state.now();
    let events = case.handle(
        &command,
        &Context {
            now,
            calendar: &state.calendar,
            item: &item.item,
        },
    )?;
    let mut after = case.clone();
    for e in &events {
        after.apply(e, now);
    }
    let actor = actor.to_owned();
    state
        .store
        .write(move |conn| {
            Box::pin(async move {
                append_events(conn, expected, &after, &events, &actor, now).await?;
                Ok::<_, ApiError>(after)
            })
        })
        .await
}

/// A case and its history.
pub async fn case_with_events(
    state: &AppState,
    number: &CaseNumber,
) -> Result<(Case, Vec<RecordedEvent>), ApiError> {
    let case = state
        .store
        .case_by_number(number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("case {number} does not exist")))?;
    let events = state.store.events_for_case(number).await?;
    Ok((case, events))
}
