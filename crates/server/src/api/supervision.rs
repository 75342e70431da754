//! Supervision routes (电子监察): the board, alerts, accountability records, rules, figures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::identity::Role;
use tongban_core::supervision::{
    Accountability, AccountabilityState, Colour, FigureSpec, Figures, GroupBy, GroupKey, Period, Rule, Statement,
    figures,
};
use tongban_store::{AccountabilityRow, AlertRow, set_rule, update_accountability};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::app::authorize;
use crate::auth::Principal;
use crate::extract::{AppJson, AppQuery};
use crate::policy::Action;
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

fn may_see_department(principal: &Principal, department: &str) -> bool {
    principal.account.as_ref().is_some_and(|a| {
        matches!(a.role, Role::CenterLeader | Role::Supervisor | Role::Administrator)
            || a.department.as_ref().is_some_and(|d| d.as_str() == department)
    })
}

/// The green / yellow / red board of running cases.
#[utoipa::path(get, path = "/api/v1/supervision/board", tag = "supervision",
    responses((status = 200, description = "The board", body = BoardView), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn board(State(state): State<AppState>, principal: Principal) -> Result<Json<BoardView>, ApiError> {
    authorize(&principal, Action::Supervise)?;
    let status = state.supervision.status.lock().map(|s| s.clone()).unwrap_or_default();
    let guard = state.supervision.board.lock().map_err(|_| ApiError::Internal("poisoned".into()))?;
    let mut view = BoardView {
        leader: status.leader,
        last_tick: status.last_tick.map(|t| t.to_string()),
        last_error: status.last_error.clone(),
        green: 0,
        yellow: 0,
        red: 0,
        cases: Vec::new(),
    };
    if let Some(b) = guard.as_ref() {
        let c = b.counts();
        (view.green, view.yellow, view.red) = (c.green, c.yellow, c.red);
        let mut cases: Vec<BoardCase> = b
            .iter()
            .filter(|(_, colour)| *colour != Colour::Green)
            .map(|(k, colour)| BoardCase {
                number: k.clone(),
                colour: colour.as_str().into(),
                next_change: b.next_change(k).map(|t| t.to_string()),
            })
            .collect();
        cases.sort_by(|a, b| b.colour.cmp(&a.colour).then(a.number.cmp(&b.number)));
        cases.truncate(500);
        view.cases = cases;
    }
    Ok(Json(view))
}

/// An alert.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    /// Case.
    pub case_number: String,
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
}

impl From<AlertRow> for AlertView {
    fn from(a: AlertRow) -> Self {
        Self {
            case_number: a.case_number,
            colour: a.colour,
            since: a.since,
            owner: a.owner,
            department: a.department,
            raised_at: a.raised_at,
            level: a.level,
        }
    }
}

/// Alerts, newest first: all of them for overseers, the department's for its staff.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "supervision",
    responses((status = 200, description = "Alerts", body = Vec<AlertView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn alerts(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<AlertView>>, ApiError> {
    authorize(&principal, Action::ReadSupervision)?;
    let rows = state.store.alerts(1000).await?;
    Ok(Json(rows.into_iter().filter(|a| may_see_department(&principal, &a.department)).map(AlertView::from).collect()))
}

/// An accountability record (问责).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountabilityView {
    /// Case.
    pub case_number: String,
    /// When it turned red.
    pub since: String,
    /// Department that must answer.
    pub department: String,
    /// Owner when it turned red.
    pub owner: String,
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
    authorize(&principal, Action::ReadSupervision)?;
    let rows = state.store.accountability().await?;
    Ok(Json(
        rows.into_iter()
            .filter(|r| may_see_department(&principal, &r.department))
            .map(|r| AccountabilityView {
                case_number: r.case_number,
                since: r.since,
                department: r.department,
                owner: r.owner,
                state: r.state,
                opened_at: r.opened_at,
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

fn to_core(r: &AccountabilityRow) -> Result<Accountability<String>, ApiError> {
    let ts = |s: &str| s.parse::<jiff::Timestamp>().map_err(|e| ApiError::Internal(e.to_string()));
    let statement =
        |text: &Option<String>, by: &Option<String>, at: &Option<String>| -> Result<Option<Statement>, ApiError> {
            Ok(match (text, by, at) {
                (Some(text), Some(by), Some(at)) => Some(Statement { by: by.clone(), text: text.clone(), at: ts(at)? }),
                _ => None,
            })
        };
    Ok(Accountability {
        case: r.case_number.clone(),
        opened_at: ts(&r.since)?,
        state: match r.state.as_str() {
            "open" => AccountabilityState::Open,
            "answered" => AccountabilityState::Answered,
            _ => AccountabilityState::Closed,
        },
        answer: statement(&r.answer, &r.answered_by, &r.answered_at)?,
        conclusion: statement(&r.conclusion, &r.closed_by, &r.closed_at)?,
    })
}

async fn step(
    state: &AppState,
    principal: &Principal,
    number: &str,
    body: &AccountabilityStep,
    close: bool,
) -> Result<StatusCode, ApiError> {
    authorize(principal, if close { Action::CloseAccountability } else { Action::AnswerAccountability })?;
    let who = principal.require()?.clone();
    let mut row = state
        .store
        .accountability()
        .await?
        .into_iter()
        .find(|r| r.case_number == number && r.since == body.since)
        .ok_or_else(|| {
            ApiError::NotFound(format!("no accountability record for case {number} since {}", body.since))
        })?;
    if !close && !may_see_department(principal, &row.department) {
        return Err(ApiError::Forbidden("another department's record".into()));
    }
    let mut record = to_core(&row)?;
    let now = state.now();
    let done = if close { record.close(&who.id, &body.text, now) } else { record.answer(&who.id, &body.text, now) };
    done.map_err(|e| ApiError::Conflict(e.to_string()))?;
    let stamp =
        |s: &Option<Statement>| s.as_ref().map(|s| (s.text.clone(), s.by.clone(), tongban_store::format_ts(s.at)));
    row.state = match record.state {
        AccountabilityState::Open => "open",
        AccountabilityState::Answered => "answered",
        AccountabilityState::Closed => "closed",
    }
    .into();
    if let Some((t, b, a)) = stamp(&record.answer) {
        (row.answer, row.answered_by, row.answered_at) = (Some(t), Some(b), Some(a));
    }
    if let Some((t, b, a)) = stamp(&record.conclusion) {
        (row.conclusion, row.closed_by, row.closed_at) = (Some(t), Some(b), Some(a));
    }
    let action = if close { "accountability.close" } else { "accountability.answer" };
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                update_accountability(c, &row).await?;
                tongban_store::append_audit(
                    c,
                    now,
                    &who.id,
                    action,
                    &row.case_number,
                    &serde_json::json!({ "since": row.since }).to_string(),
                )
                .await
            })
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    step(&state, &principal, &number, &body, false).await
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
    step(&state, &principal, &number, &body, true).await
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

/// Set a supervision rule (takes effect when the worker next starts its board).
#[utoipa::path(put, path = "/api/v1/supervision/rules", tag = "supervision", request_body = RuleInput,
    responses((status = 204, description = "Set"), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"), (status = 422, description = "Invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn set_rule_route(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(body): AppJson<RuleInput>,
) -> Result<StatusCode, ApiError> {
    authorize(&principal, Action::ConfigureSupervision)?;
    let who = principal.require()?.id.clone();
    let rule = Rule::new(body.used_percent, body.remaining_minutes)
        .map_err(|e| ApiError::Invalid(vec![("used_percent".into(), e.to_string())]))?;
    if !matches!(body.scope.as_str(), "center" | "department" | "item") {
        return Err(ApiError::Invalid(vec![("scope".into(), "center, department or item".into())]));
    }
    let now = state.now();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                set_rule(c, &body.scope, &body.key, &rule).await?;
                tongban_store::append_audit(
                    c,
                    now,
                    &who,
                    "supervision.rule",
                    &format!("{}:{}", body.scope, body.key),
                    "{}",
                )
                .await
            })
        })
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
    authorize(&principal, Action::ReadFigures)?;
    let by = match q.by.as_deref().unwrap_or("department") {
        "center" => GroupBy::Center,
        "department" => GroupBy::Department,
        "window" => GroupBy::Window,
        "staff" => GroupBy::Staff,
        "item" => GroupBy::Item,
        "division" => GroupBy::Division,
        other => return Err(ApiError::Invalid(vec![("by".into(), format!("unknown grouping {other:?}"))])),
    };
    let ts = |name: &str, v: &Option<String>| -> Result<Option<jiff::Timestamp>, ApiError> {
        v.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|e: jiff::Error| ApiError::Invalid(vec![(name.into(), e.to_string())])))
            .transpose()
    };
    let period = match (ts("from", &q.from)?, ts("until", &q.until)?) {
        (Some(from), Some(until)) if from < until => Some(Period { from, until }),
        (None, None) => None,
        _ => {
            return Err(ApiError::Invalid(vec![("from".into(), "give both from and until, from before until".into())]));
        }
    };
    let cal = &state.calendar;
    let facts: Vec<_> = state
        .store
        .all_cases()
        .await?
        .iter()
        .filter_map(|t| {
            let d = tongban_core::org::DepartmentCode::parse(&t.department).ok()?;
            tongban_core::supervision::CaseFacts::from_case(&t.case, d, None, cal).ok()
        })
        .collect();
    let spec = FigureSpec { by, period, early_margin_minutes: cal.minutes_per_working_day() };
    let rows: Vec<FigureRow> = figures(&facts, &spec)
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
                r.group,
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
    /// Case.
    pub case_number: String,
    /// Department.
    pub department: String,
    /// `repeated_correction` (多次补正), `accepted_with_missing_materials` (材料不全受理),
    /// `bad_rating` (差评), `decision_without_valid_authority` (无权审批).
    pub kind: String,
    /// Details.
    pub detail: String,
}

/// Watched conditions beyond deadlines, over every case: repeated corrections, acceptance
/// with required materials missing, bad ratings (1–2), and decisions whose recorded grant
/// chain was not valid when they were taken.
#[utoipa::path(get, path = "/api/v1/supervision/concerns", tag = "supervision",
    responses((status = 200, description = "Concerns", body = Vec<ConcernView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json")))]
pub async fn concerns(State(state): State<AppState>, principal: Principal) -> Result<Json<Vec<ConcernView>>, ApiError> {
    use tongban_core::case::CaseEvent;
    use tongban_core::supervision::Concern;
    authorize(&principal, Action::Supervise)?;
    let delegations = state.store.delegations().await?;
    let mut out = Vec::new();
    for t in state.store.all_cases().await? {
        if !may_see_department(&principal, &t.department) {
            continue;
        }
        let case = &t.case;
        let view = |kind: &str, detail: String| ConcernView {
            case_number: case.number.to_string(),
            department: t.department.clone(),
            kind: kind.into(),
            detail,
        };
        if let Some(item) = state.store.item_in_version(&case.item, case.item_version).await? {
            for c in tongban_core::supervision::concerns(case, &item.item) {
                out.push(match c {
                    Concern::RepeatedCorrection { times } => {
                        view("repeated_correction", format!("{times} correction requests"))
                    }
                    Concern::AcceptedWithMissingMaterials { missing } => {
                        view("accepted_with_missing_materials", missing.join(", "))
                    }
                });
            }
        }
        if let Some(score) = case.rating.filter(|s| *s <= 2) {
            out.push(view("bad_rating", format!("rated {score} of 5")));
        }
        // Decisions need a delegated power: its chain must have been valid when taken.
        let Ok(department) = tongban_core::org::DepartmentCode::parse(&t.department) else { continue };
        for e in state.store.events_for_case(&case.number).await? {
            let power = match e.event {
                CaseEvent::Approved { .. } | CaseEvent::Denied { .. } => tongban_core::identity::Power::Approve,
                _ => continue,
            };
            let valid = e.authority.as_ref().is_some_and(|chain| match chain.last() {
                None => {
                    delegations.authority(&e.actor, &department, &case.item, power, e.at).is_some_and(|c| c.is_empty())
                }
                Some(leaf) => delegations
                    .grant(leaf)
                    .is_some_and(|g| g.grantee == e.actor && delegations.chain_is_valid(g, e.at).is_some()),
            });
            if !valid {
                out.push(view(
                    "decision_without_valid_authority",
                    format!("{} by {} at {}", e.event.kind(), e.actor, e.at),
                ));
            }
        }
    }
    Ok(Json(out))
}
