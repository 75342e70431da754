//! Case routes: submit, read with history, act (accept … rate), search.

use crate::app::CaseFilter;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_core::case::{CaseCommand, CaseCommandKind, CaseNumber, CaseState, DeliveryMethod};
use tongban_core::item::ItemCode;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::{CaseDetail, CasePage, CaseView, EventView, SubmitCaseRequest};
use crate::AppState;
use crate::app::AppError;
use crate::app::{self, authorize};
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

/// Submit a case (申请) through any channel. Send an `Idempotency-Key` header to make
/// retries safe: the same key and body return the first result; the same key with another
/// body is a 422.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = SubmitCaseRequest,
    responses(
        (status = 201, description = "The case was opened", body = CaseView, headers(("Location" = String, description = "The case's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a channel the item does not offer, missing or unknown materials, a reused idempotency key", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn submit_case(
    State(state): State<AppState>,
    principal: Principal,
    body: Bytes,
) -> Result<Response, ApiError> {
    // Who asks is checked before the body is read.
    authorize(&principal, Action::SubmitCase)?;
    let request: SubmitCaseRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::BadBody(format!("invalid JSON body: {e}")))?;
    let (item, submission) = request.parse().map_err(AppError::Invalid)?;
    let case = match app::submit_case(&state, &principal, &item, submission).await {
        Err(AppError::Replayed { status, body }) => {
            return Ok(crate::idempotency::replayed("/api/v1/cases", status, body));
        }
        other => other?,
    };
    let location = case_location(&case.number);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(CaseView::from(&case))).into_response())
}

fn case_location(number: &CaseNumber) -> String {
    format!("/api/v1/cases/{number}")
}

/// The `Location` of what a creating POST to `path` made, read from its answer's body (for
/// an answer replayed under its Idempotency-Key): a case's URL.
pub(crate) fn created_location(path: &str, body: &str) -> Option<String> {
    if path != "/api/v1/cases" {
        return None;
    }
    let view: serde_json::Value = serde_json::from_str(body).ok()?;
    CaseNumber::parse(view.get("number")?.as_str()?).ok().map(|n| case_location(&n))
}

fn parse_number(number: &str) -> Result<CaseNumber, AppError> {
    CaseNumber::parse(number).map_err(|_| AppError::NotFound(format!("case {number:?} does not exist")))
}

/// A case with its full history (and the grant chain of each decision) and its notices.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number, e.g. 620100-2026-000123")),
    responses(
        (status = 200, description = "The case and its events", body = CaseDetail),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn get_case(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    authorize(&principal, Action::ReadCase)?;
    let number = parse_number(&number)?;
    let (case, events, files) = app::case_detail(&state, &principal, &number).await?;
    let files = files.into_iter().map(super::files::FileView::from).collect();
    // Staff read the grant book: each decision's chain comes resolved with its levels.
    let book = if tongban_core::access::role_may(principal.role(), Action::ReadGrants) {
        Some(app::org::delegations(&state, &principal).await?)
    } else {
        None
    };
    let events = events
        .into_iter()
        .map(|e| {
            let chain = book.as_ref().zip(e.authority.as_deref()).map(|(d, ids)| super::grants::chain_view(d, ids));
            EventView { chain, ..EventView::from(e) }
        })
        .collect();
    let notices = crate::app::notify::case_notices(&state, &principal, &number).await?;
    let notices = notices.into_iter().map(super::notices::NoticeJson::from).collect();
    Ok(Json(CaseDetail { clock: super::clock(&state, &case), case: CaseView::from(&case), events, files, notices }))
}

/// A command on a case; `action` names it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseAction {
    /// 受理 — accept: the clock starts.
    Accept,
    /// 不予受理 — refuse to accept.
    Reject {
        /// Why.
        reason: String,
    },
    /// 补正 — ask for materials.
    RequestCorrection {
        /// Materials to hand in.
        missing: Vec<String>,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// Hand in what a correction asked for.
    Resubmit {
        /// Materials.
        materials: Vec<String>,
    },
    /// A step is done.
    CompleteStep {
        /// Step name.
        step: String,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// 挂起 — stop the clock.
    Suspend {
        /// Why.
        reason: String,
    },
    /// Restart the clock.
    Resume,
    /// 准予 — approve (needs a delegated approve power).
    Approve {
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// 不予 — deny with reason and legal basis (needs a delegated approve power).
    Deny {
        /// Why.
        reason: String,
        /// The provision relied on.
        legal_basis: String,
    },
    /// 送达 — deliver: `window` (窗口领取), `mail` (邮寄送达, with its tracking number) or
    /// `electronic` (电子送达: the sealed documents, downloadable by the applicant).
    Deliver {
        /// `window`, `mail` or `electronic`.
        method: String,
        /// 快递单号, required for `mail`: 6–32 letters, digits or hyphens.
        #[serde(default)]
        tracking_number: Option<String>,
        /// The carrier of a mail delivery (e.g. 中国邮政 EMS), at most 32 characters.
        #[serde(default)]
        carrier: Option<String>,
    },
    /// Offer the case to a colleague.
    HandOver {
        /// Their login.
        to: String,
    },
    /// Take over a case offered to you.
    TakeOver,
    /// 撤回转交 — withdraw the open hand-over offer (who offered it, the owner or a supervisor).
    WithdrawHandOver,
    /// Move the case to another owner (supervisors).
    Reassign {
        /// The new owner.
        to: String,
    },
    /// 好差评 — rate the service, 1–5.
    Rate {
        /// 1–5.
        score: u8,
        /// Comment.
        #[serde(default)]
        comment: String,
    },
    /// 差评整改答复 — answer a bad rating (1–2), shown to the rater; within 5 working days.
    AnswerRating {
        /// The answer.
        answer: String,
    },
    /// 退回 — send the case back to the window; the clock restarts at the new acceptance.
    Return {
        /// Why.
        reason: String,
    },
    /// 重新办理 — reopen a delivered case; due again with its full limit from now.
    Reopen {
        /// Why.
        reason: String,
    },
}

impl TryFrom<CaseAction> for CaseCommand {
    type Error = AppError;

    /// The command; only a delivery's body can be refused, naming the field at fault.
    fn try_from(a: CaseAction) -> Result<Self, AppError> {
        Ok(match a {
            CaseAction::Accept => CaseCommand::Accept,
            CaseAction::Reject { reason } => CaseCommand::Reject { reason },
            CaseAction::RequestCorrection { missing, note } => CaseCommand::RequestCorrection { missing, note },
            CaseAction::Resubmit { materials } => CaseCommand::Resubmit { materials },
            CaseAction::CompleteStep { step, note } => CaseCommand::CompleteStep { step, note },
            CaseAction::Suspend { reason } => CaseCommand::Suspend { reason },
            CaseAction::Resume => CaseCommand::Resume,
            CaseAction::Approve { note } => CaseCommand::Approve { note },
            CaseAction::Deny { reason, legal_basis } => CaseCommand::Deny { reason, legal_basis },
            CaseAction::Deliver { method, tracking_number, carrier } => CaseCommand::Deliver {
                method: DeliveryMethod::parse(&method, tracking_number.as_deref(), carrier.as_deref())
                    .map_err(|e| AppError::Invalid(vec![(e.field().into(), e.to_string())]))?,
            },
            CaseAction::HandOver { to } => CaseCommand::HandOver { to },
            CaseAction::TakeOver => CaseCommand::TakeOver,
            CaseAction::WithdrawHandOver => CaseCommand::WithdrawHandOver,
            CaseAction::Reassign { to } => CaseCommand::Reassign { to },
            CaseAction::Rate { score, comment } => CaseCommand::Rate { score, comment },
            CaseAction::AnswerRating { answer } => CaseCommand::AnswerRating { answer },
            CaseAction::Return { reason } => CaseCommand::Return { reason },
            CaseAction::Reopen { reason } => CaseCommand::Reopen { reason },
        })
    }
}

/// Act on a case. Send `If-Match: "<version>"` (the case's `version`) so that of two clerks
/// acting at once exactly one wins; the other gets 409 saying what changed.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{number}/actions",
    tag = "cases",
    request_body = CaseAction,
    params(
        ("number" = String, Path, description = "Case number"),
        ("If-Match" = Option<String>, Header, description = "The version the caller read, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "The case after the action", body = CaseView),
        (status = 400, description = "Malformed body or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, another department's case, or no delegated authority", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state, or the case changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or materials", body = Problem, content_type = "application/problem+json"),
    )
)]
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn act(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
    headers: HeaderMap,
    crate::extract::AppJson(action): crate::extract::AppJson<CaseAction>,
) -> Result<Json<CaseView>, ApiError> {
    let command = CaseCommand::try_from(action);
    // Only a delivery is refused by its body, and the caller's rights come first.
    authorize(&principal, Action::Case(command.as_ref().map_or(CaseCommandKind::Deliver, CaseCommand::kind)))?;
    let command = command?;
    let number = parse_number(&number)?;
    let expected = match headers.get(header::IF_MATCH) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(|s| s.trim().trim_matches('"'))
                .and_then(|s| s.parse::<u32>().ok())
                .ok_or_else(|| AppError::BadParameter("If-Match must be a case version, e.g. \"3\"".into()))?,
        ),
    };
    let case = app::act_on_case(&state, &principal, &number, command, expected).await?;
    Ok(Json(CaseView::from(&case)))
}

/// Case search parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Item code.
    pub item: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Applicant name or id number (at most 100 characters).
    #[param(max_length = 100)]
    pub applicant: Option<String>,
    /// Owner login; `me` for the caller's own cases (my cases / my queue).
    #[param(max_length = 100)]
    pub owner: Option<String>,
    /// Only cases due at or before this moment (RFC 3339).
    pub due_before: Option<String>,
    /// Page, 1–100000 (default 1).
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<u32>,
    /// Per page, 1–200 (default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Search cases. Applicants see their own; department staff their department's queue;
/// center leaders, supervisors and administrators all.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases", body = CasePage),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search_cases(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<CaseQuery>,
) -> Result<Json<CasePage>, ApiError> {
    authorize(&principal, Action::SearchCases)?;
    let account = principal.require()?;
    let mut errors = Vec::new();
    let mut filter = CaseFilter { page: q.page.unwrap_or(1), per_page: q.per_page.unwrap_or(20), ..Default::default() };
    if let Some(i) = q.item.filter(|s| !s.is_empty()) {
        filter.item = ItemCode::parse(&i).map_err(|e| errors.push(("item".into(), e.to_string()))).ok();
    }
    if let Some(s) = q.state.filter(|s| !s.is_empty()) {
        filter.state = CaseState::parse(&s).or_else(|| {
            errors.push(("state".into(), format!("unknown state {s:?}")));
            None
        });
    }
    if let Some(d) = q.due_before.filter(|s| !s.is_empty()) {
        filter.due_before = d.parse().map_err(|e: jiff::Error| errors.push(("due_before".into(), e.to_string()))).ok();
    }
    if let Err((name, why)) = tongban_core::text::check_page(filter.page, filter.per_page) {
        errors.push((name.into(), why));
    }
    for (name, value) in [("owner", &q.owner), ("applicant", &q.applicant)] {
        if let Some(Err(e)) = value.as_deref().map(|v| tongban_core::text::check(v, tongban_core::text::SEARCH)) {
            errors.push((name.into(), e.to_string()));
        }
    }
    filter.owner = q.owner.map(|o| if o == "me" { account.id.clone() } else { o });
    filter.applicant = q.applicant;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let page = app::search_cases(&state, &principal, filter).await?;
    Ok(Json(CasePage {
        items: page.items.iter().map(CaseView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(submit_case, search_cases))
        .routes(routes!(get_case))
        .routes(routes!(act))
}
