//! Window assessment (窗口考核评议, issue 18): `GET /api/v1/assessment?period=YYYY-MM&by=…`
//! as JSON, CSV or xlsx; the weights; the attendance ledger (check-in and check-out at the
//! seat, the chief's marks, imports); third-party scores; democratic evaluation surveys.
//! Who may do what is core's role table ([`tongban_core::access`]); rows are scoped in the
//! use cases.

mod ledger_routes;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::assessment::{Grouping, Period, Score, Weights};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::exports::{FileFormat, sheets_attachment};
use crate::AppState;
use crate::app::AppError;
use crate::app::assessment::{self as use_case, ledger};
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

/// Which month, which grouping, which format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// `YYYY-MM` (default: the month before this one).
    pub period: Option<String>,
    /// `window` (default), `department`, `staff` or `site`.
    pub by: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// A month's parts of one subject; a part without facts is null. Scores are points out of
/// 100, exact to the hundredth.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentsView {
    /// 按时办结率: delivered on time / delivered.
    pub on_time: Option<f64>,
    /// 满意度: 满意率 of the month's counted ratings (基本满意 or better / rated).
    pub satisfaction: Option<f64>,
    /// 考勤: present days 1, late ½, absent 0, over the days that count (leave does not).
    pub attendance: Option<f64>,
    /// 民主评议: users 40 %, departments 30 %, leaders 30 %.
    pub evaluation: Option<f64>,
    /// 第三方评估, as imported.
    pub third_party: Option<f64>,
    /// Accountability records (问责) of the month against the subject.
    pub accountability: u32,
}

/// One ranked row.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentRowView {
    /// Code (a staff member's login).
    pub code: String,
    /// Name.
    pub name: String,
    /// Department (windows and staff).
    pub department: Option<String>,
    /// The parts.
    pub components: ComponentsView,
    /// The weighted mean of the parts with facts, less the deductions, 0–100.
    pub total: f64,
    /// 1 is best; equal totals share a rank and the next skips (1, 2, 2, 4).
    pub rank: u32,
    /// 红旗窗口 (windows only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub red_flag: Option<bool>,
    /// 服务之星 (staff only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub star: Option<bool>,
}

/// A month's assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentView {
    /// `YYYY-MM`.
    pub period: String,
    /// `window`, `department`, `staff` or `site`.
    pub by: String,
    /// The weights used.
    pub weights: WeightsBody,
    /// Best first.
    pub rows: Vec<AssessmentRowView>,
}

/// The weights: the five parts in whole percent summing to 100, the points per
/// accountability record, and who is named best (the best `percent` of the rows, at least
/// `at_least` ranks, none below `min_total`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WeightsBody {
    /// 按时办结率 (default 30).
    pub on_time: u32,
    /// 满意度 (default 25).
    pub satisfaction: u32,
    /// 考勤 (default 15).
    pub attendance: u32,
    /// 民主评议 (default 20).
    pub evaluation: u32,
    /// 第三方评估 (default 10).
    pub third_party: u32,
    /// Points off per accountability record (default 2).
    pub deduction: f64,
    /// 红旗窗口.
    pub red_flag: HonoursBody,
    /// 服务之星.
    pub star: HonoursBody,
}

/// Who is named best of the month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HonoursBody {
    /// Share of the rows, percent (default 10).
    pub percent: u32,
    /// At least this many ranks (default 1).
    pub at_least: u32,
    /// No one below this total (default 80).
    pub min_total: f64,
}

fn points(s: Score) -> f64 {
    s.points()
}

fn score_of(field: &str, p: f64) -> Result<Score, AppError> {
    let text = format!("{p}");
    Score::parse(&text)
        .ok_or_else(|| AppError::Invalid(vec![(field.into(), format!("{p} is not 0–100 with at most two decimals"))]))
}

impl From<&Weights> for WeightsBody {
    fn from(w: &Weights) -> Self {
        let h = |h: &tongban_core::assessment::Honours| HonoursBody {
            percent: h.percent,
            at_least: h.at_least,
            min_total: points(h.min_total),
        };
        WeightsBody {
            on_time: w.on_time,
            satisfaction: w.satisfaction,
            attendance: w.attendance,
            evaluation: w.evaluation,
            third_party: w.third_party,
            deduction: points(w.deduction),
            red_flag: h(&w.red_flag),
            star: h(&w.star),
        }
    }
}

impl TryFrom<WeightsBody> for Weights {
    type Error = AppError;
    fn try_from(b: WeightsBody) -> Result<Weights, AppError> {
        let h = |field: &str, h: HonoursBody| {
            Ok::<_, AppError>(tongban_core::assessment::Honours {
                percent: h.percent,
                at_least: h.at_least,
                min_total: score_of(field, h.min_total)?,
            })
        };
        Ok(Weights {
            on_time: b.on_time,
            satisfaction: b.satisfaction,
            attendance: b.attendance,
            evaluation: b.evaluation,
            third_party: b.third_party,
            deduction: score_of("deduction", b.deduction)?,
            red_flag: h("red_flag.min_total", b.red_flag)?,
            star: h("star.min_total", b.star)?,
        })
    }
}

/// The month asked for, or the one before now.
pub(crate) fn period_or_last(state: &AppState, text: Option<&str>) -> Result<Period, AppError> {
    match text.filter(|t| !t.is_empty()) {
        Some(t) => Period::parse(t).map_err(|e| AppError::BadParameter(e.to_string())),
        None => Ok(Period::of(state.now()).previous()),
    }
}

/// The grouping asked for, or windows.
pub(crate) fn grouping(text: Option<&str>) -> Result<Grouping, AppError> {
    match text.filter(|t| !t.is_empty()) {
        None => Ok(Grouping::Window),
        Some(t) => Grouping::parse(t)
            .ok_or_else(|| AppError::BadParameter(format!("by must be window, department, staff or site, not {t:?}"))),
    }
}

fn view(a: &use_case::Assessment) -> AssessmentView {
    let opt = |s: Option<Score>| s.map(points);
    AssessmentView {
        period: a.period.to_string(),
        by: a.by.as_str().to_owned(),
        weights: WeightsBody::from(&a.weights),
        rows: a
            .rows
            .iter()
            .map(|r| AssessmentRowView {
                code: r.code.clone(),
                name: r.name.clone(),
                department: r.department.clone(),
                components: ComponentsView {
                    on_time: opt(r.components.on_time),
                    satisfaction: opt(r.components.satisfaction),
                    attendance: opt(r.components.attendance),
                    evaluation: opt(r.components.evaluation),
                    third_party: opt(r.components.third_party),
                    accountability: r.components.accountability,
                },
                total: points(r.total),
                rank: r.rank,
                red_flag: r.red_flag,
                star: r.star,
            })
            .collect(),
    }
}

/// The month's assessment (窗口考核评议) of windows, departments, staff or sites, best first:
/// each row with its parts, `total`, `rank` and, for windows, `red_flag` (红旗窗口), for
/// staff `star` (服务之星). `?format=csv|xlsx` downloads it (`assessment-2026-02-window.csv`).
/// Supervisors, center leaders and administrators see every row; a department head sees
/// their department's (ranked among all).
#[utoipa::path(get, path = "/api/v1/assessment", tag = "supervision", params(AssessmentQuery),
    responses(
        (status = 200, description = "The assessment", body = AssessmentView, content(
            (AssessmentView = "application/json"), (String = "text/csv"),
            (super::files::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "A bad period, grouping or format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor, leader, administrator or department head", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn get_assessment(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<AssessmentQuery>,
) -> Result<Response, ApiError> {
    crate::app::authorize(&principal, tongban_core::access::Action::ReadAssessment)?;
    let period = period_or_last(&state, q.period.as_deref())?;
    let by = grouping(q.by.as_deref())?;
    let format = match q.format.as_deref().unwrap_or("json") {
        "json" | "" => None,
        "csv" => Some(FileFormat::Csv),
        "xlsx" => Some(FileFormat::Xlsx),
        other => return Err(AppError::BadParameter(format!("format must be json, csv or xlsx, not {other:?}")).into()),
    };
    let a = use_case::assessment(&state, &principal, period, by).await?;
    match format {
        None => Ok(Json(view(&a)).into_response()),
        Some(f) => {
            let stem = format!("assessment-{period}-{}", by.as_str());
            sheets_attachment(f.into(), &stem, &[use_case::sheet(&a)])
        }
    }
}

/// The weights in use (the documented defaults until an administrator sets them).
#[utoipa::path(get, path = "/api/v1/assessment/weights", tag = "supervision",
    responses((status = 200, description = "The weights", body = WeightsBody),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not read the assessment", body = Problem, content_type = "application/problem+json")))]
pub async fn get_weights(State(state): State<AppState>, principal: Principal) -> Result<Json<WeightsBody>, ApiError> {
    Ok(Json(WeightsBody::from(&ledger::weights(&state, &principal).await?)))
}

/// Set the weights (administrators): the five parts must sum to 100.
#[utoipa::path(put, path = "/api/v1/assessment/weights", tag = "supervision", request_body = WeightsBody,
    responses((status = 204, description = "Set"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Weights that do not sum to 100, a share over 100 %, a score out of range", body = Problem, content_type = "application/problem+json")))]
pub async fn put_weights(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<WeightsBody>,
) -> Result<StatusCode, ApiError> {
    ledger::set_weights(&state, &principal, Weights::try_from(body)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(get_assessment))
        .routes(routes!(get_weights, put_weights))
        .merge(ledger_routes::routes())
}
