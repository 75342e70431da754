//! Case routes: submit a case, read a case with its history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use tongban_core::case::CaseNumber;

use super::{CaseDetail, CaseView, EventView, SubmitCaseRequest};
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};
use crate::{AppState, app};

/// Submit a case (申请) through any channel.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = SubmitCaseRequest,
    responses(
        (status = 201, description = "The case was opened", body = CaseView, headers(("Location" = String, description = "The case's URL"))),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such item", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a channel the item does not offer, missing or unknown materials", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn submit_case(
    State(state): State<AppState>,
    AppJson(request): AppJson<SubmitCaseRequest>,
) -> Result<
    (
        StatusCode,
        [(header::HeaderName, String); 1],
        Json<CaseView>,
    ),
    ApiError,
> {
    let (item, submission) = request.parse().map_err(ApiError::Invalid)?;
    let actor = submission.owner.clone();
    let case = app::submit_case(&state, &item, submission, &actor).await?;
    let location = format!("/api/v1/cases/{}", case.number);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CaseView::from(&case)),
    ))
}

/// A case with its full history.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number, e.g. 620100-2026-000123")),
    responses(
        (status = 200, description = "The case and its events", body = CaseDetail),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_case(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<CaseDetail>, ApiError> {
    let number = CaseNumber::parse(&number)
        .map_err(|_| ApiError::NotFound(format!("case {number:?} does not exist")))?;
    let (case, events) = app::case_with_events(&state, &number).await?;
    Ok(Json(CaseDetail {
        case: CaseView::from(&case),
        events: events.into_iter().map(EventView::from).collect(),
    }))
}
