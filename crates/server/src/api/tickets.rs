//! Queue tickets (排队号): the kiosk takes one, a window calls the next.

use crate::app::TicketRow;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app;
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// Which queue to join.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TicketCreate {
    /// A department code, or `comprehensive` for the comprehensive window (综合窗口).
    pub queue: String,
}

/// A queue ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    /// The number shown and called, e.g. `A023`; numbers restart every day.
    pub number: String,
    /// A department code, or `comprehensive`.
    pub queue: String,
    /// The day (YYYY-MM-DD, China Standard Time).
    pub day: String,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// When it was called.
    pub called_at: Option<String>,
    /// Who called it.
    pub called_by: Option<String>,
    /// Tickets of the same queue waiting before it when it was taken (only when taking one).
    pub ahead: Option<i64>,
}

impl TicketView {
    fn new(t: TicketRow, ahead: Option<i64>) -> Self {
        Self {
            number: t.number,
            queue: t.queue,
            day: t.day,
            taken_at: t.taken_at.to_string(),
            called_at: t.called_at.map(|c| c.to_string()),
            called_by: t.called_by,
            ahead,
        }
    }
}

/// Take a queue ticket (public: the kiosk).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "cases", request_body = TicketCreate,
    responses((status = 201, description = "Taken", body = TicketView),
        (status = 422, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json")))]
pub async fn take_ticket(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(req): AppJson<TicketCreate>,
) -> Result<(StatusCode, Json<TicketView>), ApiError> {
    let taken = app::take_ticket(&state, &principal, &req.queue).await?;
    Ok((StatusCode::CREATED, Json(TicketView::new(taken.ticket, Some(taken.ahead)))))
}

/// Call the oldest waiting ticket of the caller's department or of the comprehensive window.
#[utoipa::path(post, path = "/api/v1/tickets/next", tag = "cases",
    responses((status = 200, description = "Called", body = TicketView), (status = 204, description = "Nobody waits"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a window's staff", body = Problem, content_type = "application/problem+json")))]
pub async fn call_next(State(state): State<AppState>, principal: Principal) -> Result<Response, ApiError> {
    Ok(match app::call_next_ticket(&state, &principal).await? {
        Some(t) => Json(TicketView::new(t, None)).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(take_ticket)).routes(routes!(call_next))
}
