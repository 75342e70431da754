//! The working calendar over HTTP: its status (revision, announced years, the year to load
//! next), a year's days (announced or provisional), importing a year (`text/csv`), local
//! closures, and why a case is due when it is.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};
use tongban_core::calendar::{Closure, DueExplanation, local_date};
use tongban_core::case::CaseNumber;
use tongban_core::division::DivisionCode;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// The largest schedule file accepted (a year has a few dozen rows).
pub const MAX_CSV_BYTES: usize = 256 * 1024;

/// The calendar as this server sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarStatus {
    /// The stored revision (0: built in, nothing imported).
    pub revision: u64,
    /// Years with an announced schedule; all others from 1950 to 2100 are provisional.
    pub announced_years: Vec<i16>,
    /// The last day of the announced years that hold today; none when this year is provisional.
    pub announced_until: Option<String>,
    /// The year to load now (from 60 days before the last announced day); none when in time.
    pub year_to_load: Option<i16>,
    /// First year any calendar covers.
    pub first_year: i16,
    /// Last year any calendar covers.
    pub last_year: i16,
}

/// One row of a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `holiday` (放假) or `workday` (调休上班).
    pub kind: String,
    /// The festival.
    pub name: String,
}

/// A year's days.
#[derive(Debug, Serialize, ToSchema)]
pub struct YearView {
    /// The year.
    pub year: i16,
    /// True when no schedule is announced: the days are the holiday law's statutory days.
    pub provisional: bool,
    /// Its holiday and make-up working day rows.
    pub days: Vec<DayView>,
}

/// A closure of a division's halls (闭厅).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClosureInput {
    /// The division code, e.g. `620102`.
    pub division: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Why (1–100 characters).
    pub name: String,
}

/// The working calendar's status.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar",
    responses((status = 200, description = "Status", body = CalendarStatus)))]
pub async fn status(State(state): State<AppState>) -> Json<CalendarStatus> {
    let set = state.calendars();
    let cal = set.base();
    let today = local_date(state.now());
    let covered = cal.covered_years();
    Json(CalendarStatus {
        revision: set.revision(),
        announced_years: cal.announced_years().to_vec(),
        announced_until: cal.announced_until(today).map(|d| d.to_string()),
        year_to_load: cal.year_to_load(today),
        first_year: *covered.start(),
        last_year: *covered.end(),
    })
}

fn year_of(text: &str) -> Result<i16, AppError> {
    text.parse::<i16>().map_err(|_| AppError::Invalid(vec![("year".into(), format!("{text:?} is not a year"))]))
}

/// A year's holidays and make-up working days, announced or provisional.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar",
    params(("year" = i16, Path, description = "The year, 1950–2100")),
    responses(
        (status = 200, description = "The year", body = YearView),
        (status = 422, description = "Outside 1950–2100", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_year(State(state): State<AppState>, Path(year): Path<String>) -> Result<Json<YearView>, ApiError> {
    let year = year_of(&year)?;
    let cal = state.calendar();
    let days = cal.year_days(year).map_err(|e| AppError::Invalid(vec![("year".into(), e.to_string())]))?;
    Ok(Json(YearView {
        year,
        provisional: cal.is_provisional_year(year),
        days: days
            .into_iter()
            .map(|d| DayView { date: d.date.to_string(), kind: d.kind.as_str().to_owned(), name: d.name })
            .collect(),
    }))
}

/// Import a year's schedule (administrators). The body is the CSV `date,kind,name`; it
/// replaces the provisional year or an earlier import, applies on every server within one
/// supervision tick, and recomputes the running cases and project steps it touches. A bad
/// file is refused with line-numbered errors and changes nothing.
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "calendar",
    params(("year" = i16, Path, description = "The year, 1950–2100")),
    request_body(content = String, content_type = "text/csv", description = "date,kind,name rows"),
    responses(
        (status = 200, description = "Imported", body = CalendarChange),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad row (line-numbered)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_year(
    State(state): State<AppState>,
    principal: Principal,
    Path(year): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<CalendarChange>, ApiError> {
    app::authorize(&principal, tongban_core::access::Action::ImportCalendar)?;
    let year = year_of(&year)?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = declared.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(essence.as_str(), "text/csv" | "text/plain") {
        return Err(AppError::UnsupportedType(format!("send the schedule as text/csv, not {declared:?}")).into());
    }
    let bytes = axum::body::to_bytes(body, MAX_CSV_BYTES).await.map_err(|_| AppError::TooLarge(MAX_CSV_BYTES))?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| AppError::Invalid(vec![("csv".into(), "the file is not UTF-8 text".into())]))?;
    Ok(Json(app::import_calendar_year(&state, &principal, year, &text).await?.into()))
}

/// What an import or closure change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
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

impl From<app::CalendarChange> for CalendarChange {
    fn from(c: app::CalendarChange) -> Self {
        Self {
            revision: c.revision,
            days: c.days,
            cases_recomputed: c.cases_recomputed,
            steps_recomputed: c.steps_recomputed,
        }
    }
}

fn closure_of(input: ClosureInput) -> Result<Closure, ApiError> {
    let mut errors = Vec::new();
    let division =
        DivisionCode::parse(input.division.trim()).map_err(|e| errors.push(("division".into(), e.to_string())));
    let date = input.date.trim().parse::<jiff::civil::Date>().map_err(|e| errors.push(("date".into(), e.to_string())));
    match (division, date) {
        (Ok(division), Ok(date)) => Ok(Closure { division, date, name: input.name }),
        _ => Err(AppError::Invalid(errors).into()),
    }
}

/// Close a division's halls on a day (闭厅; administrators). Running cases of the division
/// and the divisions inside it are recomputed.
#[utoipa::path(post, path = "/api/v1/calendar/closures", tag = "calendar",
    request_body = ClosureInput,
    responses(
        (status = 200, description = "Saved", body = CalendarChange),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_closure(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(input): AppJson<ClosureInput>,
) -> Result<Json<CalendarChange>, ApiError> {
    app::authorize(&principal, tongban_core::access::Action::ImportCalendar)?;
    let closure = closure_of(input)?;
    Ok(Json(app::set_closure(&state, &principal, closure, false).await?.into()))
}

/// Lift a closure (administrators).
#[utoipa::path(delete, path = "/api/v1/calendar/closures/{division}/{date}", tag = "calendar",
    params(("division" = String, Path, description = "Division code"), ("date" = String, Path, description = "YYYY-MM-DD")),
    responses(
        (status = 200, description = "Lifted", body = CalendarChange),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such closure", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lift_closure(
    State(state): State<AppState>,
    principal: Principal,
    Path((division, date)): Path<(String, String)>,
) -> Result<Json<CalendarChange>, ApiError> {
    app::authorize(&principal, tongban_core::access::Action::ImportCalendar)?;
    let closure = closure_of(ClosureInput { division, date, name: String::new() })?;
    Ok(Json(app::set_closure(&state, &principal, closure, true).await?.into()))
}

/// Why a case is due when it is: the limit, the clock's start, the suspensions, the days
/// skipped (weekends, holidays, provisional statutory days, closures) and the calendar revision.
#[utoipa::path(get, path = "/api/v1/cases/{number}/due", tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 200, description = "The explanation", body = Object),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not accepted yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn explain_due(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> Result<Json<DueExplanation>, ApiError> {
    let number =
        CaseNumber::parse(&number).map_err(|_| AppError::NotFound(format!("case {number:?} does not exist")))?;
    let (case, _) = app::case_with_events(&state, &principal, &number).await?;
    case.explain_due(&state.calendar_of(&case.division))
        .map_err(|e| AppError::Case(tongban_core::case::CaseError::Calendar(e)))?
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("case {number} is not running against a time limit")).into())
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(get_year, put_year))
        .routes(routes!(add_closure))
        .routes(routes!(lift_closure))
        .routes(routes!(explain_due))
}
