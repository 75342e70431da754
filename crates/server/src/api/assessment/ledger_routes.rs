//! The assessment's ledger over the API: attendance (check-in and check-out at the seat,
//! the chief's marks, the month's ledger, imports), third-party scores, and democratic
//! evaluation surveys with their answers.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tongban_core::access::Action;
use tongban_core::assessment::{AttendanceMark, DayStatus, Period};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::api::imports::{MAX_IMPORT_BYTES, upload_of};
use crate::app::AppError;
use crate::app::assessment::ledger::{self, Answer, AttendanceDay, Imported};
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

/// A day of the attendance ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceView {
    /// The staff account.
    pub account: String,
    /// `YYYY-MM-DD` (China Standard Time).
    pub day: String,
    /// Local `HH:MM` checked in at the seat.
    pub check_in: Option<String>,
    /// Local `HH:MM` checked out.
    pub check_out: Option<String>,
    /// `leave`, `late` or `absent`, recorded by the chief or an administrator.
    pub mark: Option<String>,
    /// `present`, `late`, `leave` or `absent`: the mark if any, else the seat's times
    /// against 09:00–17:00.
    pub status: String,
}

fn status(s: DayStatus) -> &'static str {
    match s {
        DayStatus::Present => "present",
        DayStatus::Late => "late",
        DayStatus::Leave => "leave",
        DayStatus::Absent => "absent",
    }
}

impl From<AttendanceDay> for AttendanceView {
    fn from(d: AttendanceDay) -> Self {
        AttendanceView {
            status: status(d.status).to_owned(),
            account: d.account,
            day: d.day,
            check_in: d.check_in,
            check_out: d.check_out,
            mark: d.mark,
        }
    }
}

/// Check in at one's seat now (staff).
#[utoipa::path(post, path = "/api/v1/attendance/check-in", tag = "supervision",
    responses((status = 200, description = "Today's ledger day", body = AttendanceView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a department's staff", body = Problem, content_type = "application/problem+json")))]
pub async fn check_in(State(state): State<AppState>, principal: Principal) -> Result<Json<AttendanceView>, ApiError> {
    Ok(Json(ledger::check(&state, &principal, false).await?.into()))
}

/// Check out at one's seat now (staff); the last check-out of the day counts.
#[utoipa::path(post, path = "/api/v1/attendance/check-out", tag = "supervision",
    responses((status = 200, description = "Today's ledger day", body = AttendanceView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a department's staff", body = Problem, content_type = "application/problem+json")))]
pub async fn check_out(State(state): State<AppState>, principal: Principal) -> Result<Json<AttendanceView>, ApiError> {
    Ok(Json(ledger::check(&state, &principal, true).await?.into()))
}

/// Which month of the ledger, whose.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// `YYYY-MM` (default: this month).
    pub period: Option<String>,
    /// One person's login.
    pub account: Option<String>,
}

/// The attendance ledger (考勤台账) of a month: a clerk's own days, a department head's
/// department, everyone's for the center's overseers.
#[utoipa::path(get, path = "/api/v1/attendance", tag = "supervision", params(AttendanceQuery),
    responses((status = 200, description = "The days", body = Vec<AttendanceView>),
        (status = 400, description = "A bad period", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Keeps no ledger", body = Problem, content_type = "application/problem+json")))]
pub async fn list_attendance(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<AttendanceQuery>,
) -> Result<Json<Vec<AttendanceView>>, ApiError> {
    let period = match q.period.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Period::parse(p).map_err(|e| AppError::BadParameter(e.to_string()))?,
        None => Period::of(state.now()),
    };
    let days = ledger::attendance(&state, &principal, period, q.account.as_deref()).await?;
    Ok(Json(days.into_iter().map(Into::into).collect()))
}

/// A mark for a day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkBody {
    /// `leave` (请假), `late` (迟到) or `absent` (旷工); null clears the mark.
    pub mark: Option<String>,
}

/// Record leave, lateness or absence for a person's day (their department head, or an
/// administrator); the seat's times are kept.
#[utoipa::path(put, path = "/api/v1/attendance/{login}/{date}", tag = "supervision", request_body = MarkBody,
    params(("login" = String, Path, description = "The staff member"), ("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204, description = "Recorded"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not their head or an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such person, a bad date or mark", body = Problem, content_type = "application/problem+json")))]
pub async fn mark_day(
    State(state): State<AppState>,
    principal: Principal,
    Path((login, date)): Path<(String, String)>,
    AppJson(body): AppJson<MarkBody>,
) -> Result<StatusCode, ApiError> {
    let mark =
        match body.mark.as_deref() {
            None | Some("") => None,
            Some(m) => Some(AttendanceMark::parse(m).ok_or_else(|| {
                AppError::Invalid(vec![("mark".into(), format!("{m:?} is not leave, late or absent"))])
            })?),
        };
    ledger::mark(&state, &principal, &login, &date, mark).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A dry run or not.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Check every row and write nothing.
    pub dry_run: Option<bool>,
}

/// What an import read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedView {
    /// Rows read.
    pub rows: usize,
    /// Nothing was written on purpose.
    pub dry_run: bool,
}

impl From<Imported> for ImportedView {
    fn from(i: Imported) -> Self {
        ImportedView { rows: i.rows, dry_run: i.dry_run }
    }
}

async fn file(
    action: Action,
    principal: &Principal,
    headers: &HeaderMap,
    body: Body,
) -> Result<(crate::app::tables::Upload<'static>, axum::body::Bytes), ApiError> {
    // Asked first, so that a caller who may not learns nothing about the file.
    crate::app::authorize(principal, action)?;
    let upload = upload_of(headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES).await.map_err(|_| AppError::TooLarge(MAX_IMPORT_BYTES))?;
    Ok((upload, bytes))
}

/// Import attendance (administrators): CSV or xlsx with `account,day` then any of
/// `check_in,check_out,mark`. Every row is checked; a bad file is a 422 naming each bad row
/// by line and column, and nothing is written.
#[utoipa::path(post, path = "/api/v1/attendance/imports", tag = "supervision", params(DryRun),
    request_body(description = "The file", content((String = "text/csv"),
        (crate::api::files::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, description = "Imported, or checked on a dry run", body = ImportedView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor xlsx", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows by line and column", body = Problem, content_type = "application/problem+json")))]
pub async fn import_attendance(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<DryRun>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportedView>, ApiError> {
    let (upload, bytes) = file(Action::ConfigureAssessment, &principal, &headers, body).await?;
    let done = ledger::import_attendance(&state, &principal, &upload, &bytes, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(done.into()))
}

/// Import third-party assessment scores (第三方评估, administrators): `period,kind,code,score`
/// then optionally `source`; a score is 0–100 with at most two decimals. One pass, nothing
/// written on any error.
#[utoipa::path(post, path = "/api/v1/assessment/scores", tag = "supervision", params(DryRun),
    request_body(description = "The file", content((String = "text/csv"),
        (crate::api::files::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, description = "Imported, or checked on a dry run", body = ImportedView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither CSV nor xlsx", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows by line and column", body = Problem, content_type = "application/problem+json")))]
pub async fn import_scores(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<DryRun>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportedView>, ApiError> {
    let (upload, bytes) = file(Action::ConfigureAssessment, &principal, &headers, body).await?;
    let done = ledger::import_scores(&state, &principal, &upload, &bytes, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(done.into()))
}

/// A democratic evaluation survey.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SurveyView {
    /// `YYYY-MM`.
    pub period: String,
    /// Its title.
    pub title: String,
}

/// Every democratic evaluation survey (民主评议), newest first (public). A survey is answered
/// in its month and the month after.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "supervision",
    responses((status = 200, description = "The surveys", body = Vec<SurveyView>)))]
pub async fn list_surveys(State(state): State<AppState>) -> Result<Json<Vec<SurveyView>>, ApiError> {
    let surveys = ledger::surveys(&state).await?;
    Ok(Json(surveys.into_iter().map(|s| SurveyView { period: s.period, title: s.title }).collect()))
}

/// Open the survey of a month (administrators); one per month.
#[utoipa::path(post, path = "/api/v1/surveys", tag = "supervision", request_body = SurveyView,
    responses((status = 201, description = "Opened"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad period or title", body = Problem, content_type = "application/problem+json")))]
pub async fn open_survey(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<SurveyView>,
) -> Result<StatusCode, ApiError> {
    crate::app::authorize(&principal, Action::ConfigureAssessment)?;
    let period = Period::parse(&body.period).map_err(|e| AppError::Invalid(vec![("period".into(), e.to_string())]))?;
    ledger::open_survey(&state, &principal, period, &body.title).await?;
    Ok(StatusCode::CREATED)
}

/// An answer: one subject graded 1 (差) to 5 (优秀).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `window`, `department`, `staff` or `site`.
    pub subject_kind: String,
    /// The subject's code (a staff member's login).
    pub subject_code: String,
    /// 1–5.
    pub grade: i64,
    /// Free text (at most 500 characters kept).
    #[serde(default)]
    pub comment: String,
}

/// Answer a survey (anyone): service users (the public, applicants) answer as users, staff
/// for their department, center leaders and department heads as leaders. A logged-in
/// respondent grades a subject once.
#[utoipa::path(post, path = "/api/v1/surveys/{period}/answers", tag = "supervision", request_body = AnswerBody,
    params(("period" = String, Path, description = "YYYY-MM")),
    responses((status = 201, description = "Answered"),
        (status = 404, description = "No survey for the month", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed, or answered already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad grade or subject", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many answers from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn answer_survey(
    State(state): State<AppState>,
    principal: Principal,
    Path(period): Path<String>,
    AppJson(body): AppJson<AnswerBody>,
) -> Result<StatusCode, ApiError> {
    let period = Period::parse(&period).map_err(|e| AppError::NotFound(e.to_string()))?;
    let answer = Answer {
        subject_kind: body.subject_kind,
        subject_code: body.subject_code,
        grade: body.grade,
        comment: body.comment,
    };
    ledger::answer_survey(&state, &principal, period, answer).await?;
    Ok(StatusCode::CREATED)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(check_in))
        .routes(routes!(check_out))
        .routes(routes!(list_attendance))
        .routes(routes!(mark_day))
        .routes(routes!(import_attendance))
        .routes(routes!(import_scores))
        .routes(routes!(list_surveys, open_survey))
        .routes(routes!(answer_survey))
}
