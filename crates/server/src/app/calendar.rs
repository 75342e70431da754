//! Importing a year's holiday schedule (节假日安排) into the stored working calendar, as
//! `tongban calendar import` does: the merged calendar is checked before anything is written.

use tongban_core::calendar::WorkingCalendar;

use super::authorize;
use crate::AppState;
use crate::auth::Principal;
use crate::policy::Action;
use crate::problem::ApiError;

/// Replaces `year`'s days of the stored calendar with the rows of `csv` (`date,kind,name`)
/// and answers how many rows were stored. Every row must fall in `year`; errors name the
/// field (`csv`, `year`) and the CSV line. The running server keeps the calendar it
/// started with; the stored one is used from the next start.
pub async fn import_calendar_year(
    state: &AppState,
    principal: &Principal,
    year: i16,
    csv: &str,
) -> Result<usize, ApiError> {
    authorize(principal, Action::ImportCalendar)?;
    let invalid = |field: &str, why: String| ApiError::Invalid(vec![(field.to_owned(), why)]);
    if !(2000..=2100).contains(&year) {
        return Err(invalid("year", format!("{year} is not a year from 2000 to 2100")));
    }
    let days = WorkingCalendar::parse_csv(csv).map_err(|e| invalid("csv", e.to_string()))?;
    if let Some(d) = days.iter().find(|d| d.date.year() != year) {
        return Err(invalid("csv", format!("{} is not in {year}", d.date)));
    }
    let mut merged = tongban_store::calendar_days(&state.store).await?;
    if merged.is_empty() {
        merged = WorkingCalendar::builtin().days().to_vec();
    }
    merged.retain(|d| d.date.year() != year);
    merged.extend(days.iter().cloned());
    WorkingCalendar::new(&merged, Default::default(), &[]).map_err(|e| invalid("csv", e.to_string()))?;
    let actor = principal.require()?.id.clone();
    let now = state.now();
    let count = days.len();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                // The first import stores the built-in years too, so the stored calendar is
                // complete on its own.
                tongban_store::replace_calendar_days(c, &merged).await?;
                let detail = serde_json::json!({ "year": year, "days": count }).to_string();
                tongban_store::append_audit(c, now, &actor, "calendar.import", &year.to_string(), &detail).await?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok(count)
}
