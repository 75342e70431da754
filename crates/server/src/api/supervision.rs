//! Supervision routes (电子监察): the board, alerts, accountability records, rules, figures.

use crate::app::{AlertRow, format_ts};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::supervision::{Figures, GroupKey, Period};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::problem::{ApiError, Problem};

/// A running case on the wall.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardCase {
    /// Case number.
    pub number: String,
    /// `green`, `yellow` or `red`.
    pub colour: String,
    /// When its colour can next change.
    pub next_change: Option<String>,
}

/// The supervision board.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardView {
    /// Whether this server runs the supervision worker (only it holds the board).
    pub leader: bool,
    /// When the worker last ticked.
    pub last_tick: Option<String>,
    /// The last error that stopped the worker (it retries).
    pub last_error: Option<String>,
    /// Green running cases.
    pub green: usize,
    /// Yellow running cases.
    pub yellow: usize,
    /// Red running cases.
    pub red: usize,
    /// Yellow and red cases, red first (at most 500).
    pub cases: Vec<BoardCase>,
}

/// The green / yellow / red board of running cases.
#[utoipa::path(get, path = "/api/v1/supervision/board", tag = "supervision",
    responses((status = 200, description = "The board", body = BoardView), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn board(State(state): State<AppState>, principal: Principal) -> Result<Json<BoardView>, ApiError> {
    let b = crate::app::scoped_board(&state, &principal, 500).await?;
    let view = BoardView {
        leader: b.leader,
        last_tick: b.last_tick.map(|t| t.to_string()),
        last_error: b.last_error,
        green: b.green,
        yellow: b.yellow,
        red: b.red,
        cases: b
            .cases
            .into_iter()
            .map(|(number, colour, next)| BoardCase {
                number,
                colour: colour.as_str().into(),
                next_change: next.map(|t| t.to_string()),
            })
            .collect(),
    };
    Ok(Json(view))
}

/// An alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Case.
    pub case_number: String,
    /// What is watched: `due` (the case's due time), `act_by` (the owner's act-by time,
    /// 首接时限), `hand_over` (an offer not taken up in time), or another watch's name.
    pub kind: String,
    /// `yellow` (预警) or `red` (超期).
    pub colour: String,
    /// When the colour began.
    pub since: String,
    /// The owner it went to.
    pub owner: String,
    /// Department.
    pub department: String,
    /// When raised.
    pub raised_at: String,
    /// Escalated to: `owner`, `chief` or `supervisor`.
    pub level: String,
    /// The 审批第一责任人 named once the alert reached its last level.
    pub responsible: Option<String>,
}

impl From<AlertRow> for AlertView {
    fn from(a: AlertRow) -> Self {
        Self {
            case_number: a.case_number,
            kind: a.kind.to_string(),
            colour: a.colour.as_str().to_owned(),
            since: format_ts(a.since),
            owner: a.owner,
            department: a.department,
            raised_at: format_ts(a.raised_at),
            level: a.level.as_str().to_owned(),
            responsible: a.responsible,
        }
    }
}

/// Alerts, newest first: all of them for overseers, the department's for its staff.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "supervision",
    responses((status = 200, description = "Alerts", body = Vec<AlertView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn alerts(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<AlertView>>, ApiError> {
    Ok(Json(crate::app::alerts(&state, &principal).await?.into_iter().map(AlertView::from).collect()))
}

/// Which alerts to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Only alerts of this kind: `due`, `act_by` (首接时限), `hand_over` (转接超时), or another
    /// watch's name.
    pub kind: Option<String>,
}

/// Alerts by what they watch, newest first: all of them for overseers, the department's for
/// its staff; `kind` narrows them to one watch.
#[utoipa::path(get, path = "/api/v1/supervision/alerts", tag = "supervision", params(AlertQuery),
    responses((status = 200, description = "Alerts", body = Vec<AlertView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an alert kind", body = Problem, content_type = "application/problem+json")))]
pub async fn supervision_alerts(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<AlertQuery>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let kind = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(
            tongban_core::supervision::AlertKind::parse(k)
                .map_err(|e| AppError::Invalid(vec![("kind".into(), e.to_string())]))?,
        ),
        None => None,
    };
    let rows = crate::app::alerts(&state, &principal).await?;
    Ok(Json(rows.into_iter().filter(|a| kind.as_ref().is_none_or(|k| &a.kind == k)).map(AlertView::from).collect()))
}

/// An accountability record (问责).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountabilityView {
    /// Case.
    pub case_number: String,
    /// The watch that opened it: `due`, `act_by`, `hand_over`, ….
    pub kind: String,
    /// When it turned red.
    pub since: String,
    /// Department that must answer.
    pub department: String,
    /// Owner when it turned red.
    pub owner: String,
    /// The 审批第一责任人 of the department (or the item) named on the record.
    pub first_responsible: Option<String>,
    /// `open`, `answered`, `closed`.
    pub state: String,
    /// Opened at.
    pub opened_at: String,
    /// The department's answer.
    pub answer: Option<String>,
    /// The supervisor's conclusion.
    pub conclusion: Option<String>,
}

/// Accountability records: all for overseers, the department's for its staff.
#[utoipa::path(get, path = "/api/v1/accountability", tag = "supervision",
    responses((status = 200, description = "Records", body = Vec<AccountabilityView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn accountability(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<AccountabilityView>>, ApiError> {
    let rows = crate::app::accountability_records(&state, &principal).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AccountabilityView {
                case_number: r.case_number,
                kind: r.kind.to_string(),
                since: format_ts(r.since),
                department: r.department,
                owner: r.owner,
                first_responsible: r.first_responsible,
                state: r.state.as_str().to_owned(),
                opened_at: format_ts(r.opened_at),
                answer: r.answer,
                conclusion: r.conclusion,
            })
            .collect(),
    ))
}

/// An answer or a closing conclusion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountabilityStep {
    /// Which red change (the record's `since`).
    pub since: String,
    /// The department's answer, or the supervisor's conclusion.
    pub text: String,
}

/// The department answers an accountability record (its head or an approver).
#[utoipa::path(post, path = "/api/v1/accountability/{number}/answer", tag = "supervision", request_body = AccountabilityStep, params(("number" = String, Path, description = "Case number")),
    responses((status = 204, description = "Answered"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not open", body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    AppJson(body): AppJson<AccountabilityStep>,
) -> Result<StatusCode, ApiError> {
    crate::app::accountability_step(&state, &principal, &number, &body.since, &body.text, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supervisor closes an answered accountability record.
#[utoipa::path(post, path = "/api/v1/accountability/{number}/close", tag = "supervision", request_body = AccountabilityStep, params(("number" = String, Path, description = "Case number")),
    responses((status = 204, description = "Closed"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not answered yet", body = Problem, content_type = "application/problem+json")))]
pub async fn close(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    AppJson(body): AppJson<AccountabilityStep>,
) -> Result<StatusCode, ApiError> {
    crate::app::accountability_step(&state, &principal, &number, &body.since, &body.text, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supervision rule.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleInput {
    /// `center`, `department` or `item`.
    pub scope: String,
    /// Department or item code (`-` for the center).
    pub key: String,
    /// Yellow at this share of the allowed time used (0–100).
    pub used_percent: u8,
    /// Yellow when this few working minutes remain.
    pub remaining_minutes: u32,
}

/// Set a supervision rule: running cases are measured against it from the next supervision tick.
#[utoipa::path(put, path = "/api/v1/supervision/rules", tag = "supervision", request_body = RuleInput,
    responses((status = 204, description = "Set"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn set_rule_route(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<RuleInput>,
) -> Result<StatusCode, ApiError> {
    crate::app::set_supervision_rule(
        &state,
        &principal,
        &body.scope,
        &body.key,
        body.used_percent,
        body.remaining_minutes,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Figure parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// `center`, `department`, `window`, `staff`, `item` or `division` (divisions roll up city → county).
    pub by: Option<String>,
    /// Period start (RFC 3339); with `until`.
    pub from: Option<String>,
    /// Period end, exclusive.
    pub until: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Figures of one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureRow {
    /// The group (department code, item code, staff id …; `center` for the whole).
    pub group: String,
    /// 收件.
    pub received: u64,
    /// 受理.
    pub accepted: u64,
    /// 不予受理.
    pub rejected: u64,
    /// 办结.
    pub finished: u64,
    /// Delivered on time.
    pub on_time: u64,
    /// On-time rate, 0–1 (none without finished cases).
    pub on_time_rate: Option<f64>,
    /// Early-completion rate.
    pub early_rate: Option<f64>,
    /// Average working minutes used.
    pub average_used_minutes: Option<f64>,
    /// Average working minutes allowed.
    pub average_allowed_minutes: Option<f64>,
    /// Suspensions.
    pub suspensions: u64,
    /// Correction requests.
    pub corrections: u64,
}

fn row(group: String, f: &Figures) -> FigureRow {
    FigureRow {
        group,
        received: f.received,
        accepted: f.accepted,
        rejected: f.rejected,
        finished: f.finished,
        on_time: f.on_time,
        on_time_rate: f.on_time_rate().value(),
        early_rate: f.early_rate().value(),
        average_used_minutes: f.average_used_minutes().value(),
        average_allowed_minutes: f.average_allowed_minutes().value(),
        suspensions: f.suspensions,
        corrections: f.corrections,
    }
}

/// The center's figures by department, window, staff member, item or division and period;
/// JSON or CSV (`format=csv`).
#[utoipa::path(get, path = "/api/v1/figures", tag = "supervision", params(FigureQuery),
    responses((status = 200, description = "Figures per group", body = Vec<FigureRow>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn figures_route(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<FigureQuery>,
) -> Result<Response, ApiError> {
    let by = crate::app::group_by(q.by.as_deref().unwrap_or("department"))?;
    let ts = |name: &str, v: &Option<String>| -> Result<Option<jiff::Timestamp>, ApiError> {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|e: jiff::Error| AppError::Invalid(vec![(name.into(), e.to_string())]).into()))
            .transpose()
    };
    let period = match (ts("from", &q.from)?, ts("until", &q.until)?) {
        (Some(from), Some(until)) if from < until => Some(Period { from, until }),
        (None, None) => None,
        _ => {
            return Err(
                AppError::Invalid(vec![("from".into(), "give both from and until, from before until".into())]).into()
            );
        }
    };
    let rows: Vec<FigureRow> = crate::app::figures(&state, &principal, by, period, None)
        .await?
        .iter()
        .map(|(k, f)| {
            let group = match k {
                GroupKey::Center => "center".to_owned(),
                GroupKey::Department(d) => d.to_string(),
                GroupKey::Window(w) => w.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string),
                GroupKey::Staff(s) => s.clone(),
                GroupKey::Item(i) => i.to_string(),
                GroupKey::Division(d) => d.to_string(),
            };
            row(group, f)
        })
        .collect();
    if q.format.as_deref() == Some("csv") {
        let mut out = String::from(
            "group,received,accepted,rejected,finished,on_time,on_time_rate,early_rate,average_used_minutes,average_allowed_minutes,suspensions,corrections\n",
        );
        let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
        for r in &rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{},{}\n",
                tongban_core::text::csv_cell(&r.group),
                r.received,
                r.accepted,
                r.rejected,
                r.finished,
                r.on_time,
                opt(r.on_time_rate),
                opt(r.early_rate),
                opt(r.average_used_minutes),
                opt(r.average_allowed_minutes),
                r.suspensions,
                r.corrections
            ));
        }
        let mut resp = out.into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        return Ok(resp);
    }
    Ok(Json(rows).into_response())
}

/// A watched condition found on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernView {
    /// Its id in the supervision ledger; newer concerns have larger ids (`before` takes it).
    pub id: i64,
    /// Case, for a concern about a case.
    pub case_number: Option<String>,
    /// Account, for a concern about an account (`decision_power_conferred`).
    pub account: Option<String>,
    /// Department.
    pub department: String,
    /// `repeated_correction` (多次补正), `accepted_with_missing_materials` (材料不全受理),
    /// `returned` (退回), `reopened` (重新办理), `bad_rating` (差评),
    /// `decision_without_valid_authority` (无权审批), `decision_power_conferred` (an
    /// administrator made an account a department head or center leader: for a supervisor
    /// to review).
    pub kind: String,
    /// Details.
    pub detail: String,
    /// When it arose (RFC 3339).
    pub raised_at: String,
}

/// Which concerns to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernParams {
    /// One kind only.
    pub kind: Option<String>,
    /// Only those older than this id: the `next` link of the page before.
    pub before: Option<i64>,
    /// At most this many (1–500, default 500).
    pub limit: Option<u32>,
}

/// Watched conditions beyond deadlines, newest first, from the supervision ledger kept as
/// cases are written: repeated corrections, acceptance with required materials missing,
/// returns, reopenings, bad ratings (1–2) unanswered, and decisions whose recorded grant
/// chain was not valid when they were taken. More pages are linked with `Link: <…>;
/// rel="next"`; `X-Total-Count` counts every concern the caller may see.
#[utoipa::path(get, path = "/api/v1/supervision/concerns", tag = "supervision", params(ConcernParams),
    responses((status = 200, description = "Concerns", body = Vec<ConcernView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn concerns(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ConcernParams>,
) -> Result<Response, ApiError> {
    let query = crate::app::ConcernQuery { kind: q.kind.clone(), before: q.before, limit: q.limit };
    let page = crate::app::concerns(&state, &principal, query).await?;
    let total: i64 =
        page.counts.iter().filter(|(k, _)| q.kind.as_ref().is_none_or(|kind| kind == k)).map(|(_, n)| n).sum();
    let out: Vec<ConcernView> = page
        .rows
        .into_iter()
        .map(|c| ConcernView {
            id: c.id,
            case_number: c.case_number,
            account: c.account,
            department: c.department,
            kind: c.kind,
            detail: c.detail,
            raised_at: format_ts(c.raised_at),
        })
        .collect();
    let mut response = Json(out).into_response();
    let headers = response.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    if let Some(next) = page.next {
        let mut link = format!("/api/v1/supervision/concerns?before={next}");
        if let Some(limit) = q.limit {
            link.push_str(&format!("&limit={limit}"));
        }
        if let Some(kind) = &q.kind {
            let kind: String = form_urlencoded::byte_serialize(kind.as_bytes()).collect();
            link.push_str(&format!("&kind={kind}"));
        }
        if let Ok(v) = HeaderValue::from_str(&format!("<{link}>; rel=\"next\"")) {
            headers.insert(header::LINK, v);
        }
    }
    Ok(response)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(board))
        .routes(routes!(concerns))
        .routes(routes!(alerts))
        .routes(routes!(supervision_alerts))
        .routes(routes!(accountability))
        .routes(routes!(answer))
        .routes(routes!(close))
        .routes(routes!(set_rule_route))
        .routes(routes!(figures_route))
}
