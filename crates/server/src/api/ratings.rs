//! 好差评 (issue 18): rating a case through a channel, the rectifications bad ratings open,
//! appeals and their review, and satisfaction per window, department, staff member, item and
//! site (`GET /api/v1/satisfaction?from=&to=&by=`), with the monthly published figures.
//! Who may do what is core's role table; scopes are checked in the use cases.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_core::case::CaseNumber;
use tongban_core::rating::RatingChannel;
use tongban_core::rating::appeal::Verdict;
use tongban_core::rating::rectification::Step;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::ratings::{self as use_case, By};
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

/// A rating to give.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingBody {
    /// `window_device`, `online`, `kiosk`, `app` or `sms`.
    pub channel: String,
    /// 1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意.
    pub score: u8,
    /// A comment.
    #[serde(default)]
    pub comment: String,
}

/// A rating as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingView {
    /// Its id.
    pub id: i64,
    /// The case.
    pub case_number: String,
    /// The channel.
    pub channel: String,
    /// 1–5, the latest given through the channel.
    pub score: u8,
    /// The comment.
    pub comment: String,
    /// When (RFC 3339).
    pub rated_at: String,
    /// The staff member it counts for (首接人), if any.
    pub staff: Option<String>,
    /// Their window.
    pub window: Option<String>,
    /// The site.
    pub site: Option<String>,
    /// The item's department.
    pub department: String,
    /// Excluded from the figures by an upheld appeal.
    pub excluded: bool,
}

impl From<use_case::RatingRow> for RatingView {
    fn from(r: use_case::RatingRow) -> Self {
        Self {
            id: r.rating_id,
            case_number: r.case_number,
            channel: r.channel,
            score: r.score,
            comment: r.comment,
            rated_at: crate::app::format_ts(r.rated_at),
            staff: r.attribution.staff,
            window: r.attribution.window,
            site: r.attribution.site,
            department: r.attribution.department,
            excluded: r.excluded,
        }
    }
}

/// A rectification (差评整改).
#[derive(Debug, Serialize, ToSchema)]
pub struct RectificationView {
    /// Its id.
    pub id: i64,
    /// The rating that opened it.
    pub rating_id: i64,
    /// The case.
    pub case_number: String,
    /// The department that answers.
    pub department: String,
    /// The bad score.
    pub score: u8,
    /// `opened`, `verified`, `rectified`, `fed_back`, `accepted` or `rerated`.
    pub stage: String,
    /// Opened (RFC 3339).
    pub opened_at: String,
    /// To be fed back by (RFC 3339).
    pub due_at: Option<String>,
    /// 核实 — what was found.
    pub verification: Option<String>,
    /// 整改 — what was done.
    pub measures: Option<String>,
    /// 反馈 — what the rater was told.
    pub feedback: Option<String>,
    /// When it was found overdue (alerted, held to account).
    pub overdue_at: Option<String>,
}

impl From<use_case::RectificationRow> for RectificationView {
    fn from(r: use_case::RectificationRow) -> Self {
        let ts = |t: Option<jiff::Timestamp>| t.map(crate::app::format_ts);
        Self {
            id: r.rectification_id,
            rating_id: r.rating_id,
            case_number: r.case_number,
            department: r.department,
            score: r.score,
            stage: r.stage,
            opened_at: crate::app::format_ts(r.opened_at),
            due_at: ts(r.due_at),
            verification: r.verification,
            measures: r.measures,
            feedback: r.feedback,
            overdue_at: ts(r.overdue_at),
        }
    }
}

/// A case's ratings and the rectifications they opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRatingsView {
    /// The ratings, by channel.
    pub ratings: Vec<RatingView>,
    /// The rectifications, oldest first.
    pub rectifications: Vec<RectificationView>,
}

/// A step on a rectification.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepBody {
    /// `verify`, `rectify`, `feed_back` (the department) or `accept` (the rater).
    pub step: String,
    /// What was found, done or told (required for the department's steps).
    #[serde(default)]
    pub text: String,
}

/// An appeal (申诉).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AppealBody {
    /// Why the rating is mistaken or malicious.
    pub reasons: String,
}

/// A review (复核).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `upheld` (the rating leaves the figures) or `rejected`.
    pub verdict: String,
    /// The reviewer's note.
    pub note: String,
}

/// An appeal as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    /// Its id.
    pub id: i64,
    /// The rating.
    pub rating_id: i64,
    /// The appealing department.
    pub department: String,
    /// The reasons.
    pub reasons: String,
    /// Who appealed.
    pub appealed_by: String,
    /// When (RFC 3339).
    pub appealed_at: String,
    /// `pending`, `upheld` or `rejected`.
    pub verdict: String,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who reviewed.
    pub reviewed_by: Option<String>,
}

impl From<use_case::AppealRow> for AppealView {
    fn from(a: use_case::AppealRow) -> Self {
        Self {
            id: a.appeal_id,
            rating_id: a.rating_id,
            department: a.department,
            reasons: a.reasons,
            appealed_by: a.appealed_by,
            appealed_at: crate::app::format_ts(a.appealed_at),
            verdict: a.verdict,
            note: a.note,
            reviewed_by: a.reviewed_by,
        }
    }
}

/// The period and grouping of the satisfaction figures.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionQuery {
    /// From (RFC 3339, or a date `YYYY-MM-DD` in China Standard Time), inclusive; default: the
    /// start of this month.
    pub from: Option<String>,
    /// To, exclusive, in the same forms; default: now.
    pub to: Option<String>,
    /// `window` (default), `department`, `staff`, `item` or `site`.
    pub by: Option<String>,
}

/// One row of the satisfaction figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionRowView {
    /// The window's, department's, staff member's, item's or site's code.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Ratings counted (upheld appeals excluded).
    pub rated: u64,
    /// Of those, 基本满意 or better.
    pub satisfied: u64,
    /// 满意率, satisfied / rated (0–1).
    pub rate: f64,
    /// Average score (1–5).
    pub average: f64,
}

/// One published month of ratings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlySatisfactionView {
    /// `YYYY-MM` (China Standard Time).
    pub month: String,
    /// How many gave 1, 2, 3, 4 and 5.
    pub counts: [u64; 5],
    /// Ratings counted.
    pub rated: u64,
    /// 满意率 (基本满意 and above), 0–1; 0 when none.
    pub rate: f64,
}

fn moment(field: &str, text: &str) -> Result<jiff::Timestamp, AppError> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(tongban_core::calendar::CHINA_STANDARD_TIME.to_time_zone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| AppError::BadParameter(format!("{field} must be RFC 3339 or YYYY-MM-DD, not {text:?}")))
}

fn id_of(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound(format!("{text:?} names nothing")))
}

/// Rate a delivered case (好差评) through a channel: once per channel, within the rating
/// window after delivery (`rating-window-closed` after it, `already-rated` for a second one);
/// the rater may rate again through the same channel once a rectification was fed back. A
/// window clerk records only `window_device` ratings.
#[utoipa::path(post, path = "/api/v1/cases/{number}/ratings", tag = "cases", request_body = RatingBody,
    params(("number" = String, Path, description = "Case number")),
    responses((status = 201, description = "Rated", body = RatingView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not rate this case through this channel", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not delivered, or rated through this channel already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad score or channel, or the rating window closed", body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn rate(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    AppJson(body): AppJson<RatingBody>,
) -> Result<(StatusCode, Json<RatingView>), ApiError> {
    principal.require()?;
    let number = CaseNumber::parse(&number).map_err(|_| AppError::NotFound(format!("case {number} does not exist")))?;
    let channel = RatingChannel::parse(&body.channel).map_err(AppError::from)?;
    let row = use_case::rate(&state, &principal, &number, channel, body.score, &body.comment).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// A case's ratings and rectifications, for whoever may see the case.
#[utoipa::path(get, path = "/api/v1/cases/{number}/ratings", tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    responses((status = 200, description = "Ratings", body = CaseRatingsView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json")))]
pub async fn case_ratings(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> Result<Json<CaseRatingsView>, ApiError> {
    principal.require()?;
    let number = CaseNumber::parse(&number).map_err(|_| AppError::NotFound(format!("case {number} does not exist")))?;
    let (ratings, rectifications) = use_case::of_case(&state, &principal, &number).await?;
    Ok(Json(CaseRatingsView {
        ratings: ratings.into_iter().map(Into::into).collect(),
        rectifications: rectifications.into_iter().map(Into::into).collect(),
    }))
}

/// Rectifications, newest first: the department's for its staff, all for overseers.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "supervision",
    responses((status = 200, description = "Rectifications", body = Vec<RectificationView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn rectifications(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<RectificationView>>, ApiError> {
    Ok(Json(use_case::rectifications(&state, &principal).await?.into_iter().map(Into::into).collect()))
}

/// One rectification, for its department, overseers and the rater.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "supervision",
    params(("id" = String, Path, description = "Rectification id")),
    responses((status = 200, description = "The rectification", body = RectificationView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rectification", body = Problem, content_type = "application/problem+json")))]
pub async fn rectification(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<RectificationView>, ApiError> {
    principal.require()?;
    Ok(Json(use_case::rectification(&state, &principal, id_of(&id)?).await?.0.into()))
}

/// Take a rectification one step: `verify` (核实), `rectify` (整改), `feed_back` (反馈) by the
/// department, in that order; `accept` by the rater once fed back (to rate again, rate the
/// case through the same channel).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/steps", tag = "supervision", request_body = StepBody,
    params(("id" = String, Path, description = "Rectification id")),
    responses((status = 200, description = "Taken", body = RectificationView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the department, or not the rater", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rectification", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A step out of order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A step without its text", body = Problem, content_type = "application/problem+json")))]
pub async fn step(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppJson(body): AppJson<StepBody>,
) -> Result<Json<RectificationView>, ApiError> {
    principal.require()?;
    let step = Step::parse(&body.step).filter(|s| *s != Step::Rerate).ok_or_else(|| {
        AppError::BadParameter(format!("step must be verify, rectify, feed_back or accept, not {:?}", body.step))
    })?;
    if !step.by_rater() {
        crate::app::authorize(&principal, tongban_core::access::Action::Rectify)?;
    }
    Ok(Json(use_case::rectify(&state, &principal, id_of(&id)?, step, &body.text).await?.into()))
}

/// Appeal a rating (申诉) for its department, with reasons: a department head or approver.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/appeals", tag = "supervision", request_body = AppealBody,
    params(("id" = String, Path, description = "Rating id")),
    responses((status = 201, description = "Appealed", body = AppealView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the rating's department's head or approver", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rating", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Appealed before", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reasons", body = Problem, content_type = "application/problem+json")))]
pub async fn appeal(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppJson(body): AppJson<AppealBody>,
) -> Result<(StatusCode, Json<AppealView>), ApiError> {
    crate::app::authorize(&principal, tongban_core::access::Action::Rectify)?;
    if !matches!(
        principal.role(),
        tongban_core::identity::Role::DepartmentHead | tongban_core::identity::Role::Approver
    ) {
        return Err(AppError::Forbidden("a department's head or approver appeals a rating".into()).into());
    }
    let row = use_case::appeal_rating(&state, &principal, id_of(&id)?, &body.reasons).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Appeals, newest first: the department's for its staff, all for overseers.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "supervision",
    responses((status = 200, description = "Appeals", body = Vec<AppealView>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn appeals(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<AppealView>>, ApiError> {
    Ok(Json(use_case::appeals(&state, &principal, None).await?.into_iter().map(Into::into).collect()))
}

/// Review an appeal (复核, supervisors): `upheld` takes the rating out of the figures,
/// `rejected` leaves it; once.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/review", tag = "supervision", request_body = ReviewBody,
    params(("id" = String, Path, description = "Appeal id")),
    responses((status = 200, description = "Reviewed", body = AppealView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appeal", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Reviewed before", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No note", body = Problem, content_type = "application/problem+json")))]
pub async fn review(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    AppJson(body): AppJson<ReviewBody>,
) -> Result<Json<AppealView>, ApiError> {
    crate::app::authorize(&principal, tongban_core::access::Action::ReviewAppeal)?;
    let verdict = Verdict::parse(&body.verdict)
        .filter(|v| *v != Verdict::Pending)
        .ok_or_else(|| AppError::BadParameter(format!("verdict must be upheld or rejected, not {:?}", body.verdict)))?;
    Ok(Json(use_case::review_appeal(&state, &principal, id_of(&id)?, verdict, &body.note).await?.into()))
}

/// Satisfaction (满意度) per window, department, staff member, item or site over
/// `[from, to)`, ratings excluded by upheld appeals left out. Overseers see every row, a
/// department head their department's.
#[utoipa::path(get, path = "/api/v1/satisfaction", tag = "supervision", params(SatisfactionQuery),
    responses((status = 200, description = "Satisfaction rows, by key", body = Vec<SatisfactionRowView>),
        (status = 400, description = "A bad period or grouping", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not read figures", body = Problem, content_type = "application/problem+json")))]
pub async fn satisfaction(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<SatisfactionQuery>,
) -> Result<Json<Vec<SatisfactionRowView>>, ApiError> {
    crate::app::authorize(&principal, tongban_core::access::Action::ReadFigures)?;
    let now = state.now();
    let from = match q.from.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => moment("from", t)?,
        None => use_case::month_start(now),
    };
    let to = match q.to.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => moment("to", t)?,
        None => now,
    };
    let by = By::parse(q.by.as_deref().filter(|t| !t.is_empty()).unwrap_or("window"))?;
    let rows = use_case::satisfaction(&state, Some(&principal), from, to, by).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| SatisfactionRowView {
                key: r.key,
                name: r.name,
                rated: r.rated,
                satisfied: r.satisfied,
                rate: r.rate,
                average: r.average,
            })
            .collect(),
    ))
}

/// The published satisfaction of the center, month by month (public): the counts of each
/// level and the rate, upheld appeals excluded.
#[utoipa::path(get, path = "/api/v1/satisfaction/monthly", tag = "supervision",
    responses((status = 200, description = "Months, oldest first", body = Vec<MonthlySatisfactionView>)))]
pub async fn monthly(State(state): State<AppState>) -> Result<Json<Vec<MonthlySatisfactionView>>, ApiError> {
    Ok(Json(use_case::monthly_satisfaction(&state).await?.into_iter().map(monthly_view).collect()))
}

/// A month's counts with their total and rate.
pub(crate) fn monthly_view((month, counts): (String, [u64; 5])) -> MonthlySatisfactionView {
    let rated: u64 = counts.iter().sum();
    let satisfied: u64 = counts.iter().skip(2).sum();
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let rate = if rated == 0 { 0.0 } else { satisfied as f64 / rated as f64 };
    MonthlySatisfactionView { month, counts, rated, rate }
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(rate, case_ratings))
        .routes(routes!(rectifications))
        .routes(routes!(rectification))
        .routes(routes!(step))
        .routes(routes!(appeal))
        .routes(routes!(appeals))
        .routes(routes!(review))
        .routes(routes!(satisfaction))
        .routes(routes!(monthly))
}
