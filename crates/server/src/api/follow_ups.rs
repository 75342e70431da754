//! Follow-up routes (督办事项): problems and roadmap tasks owed to projects, with their colour.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::follow_ups::{self, FollowUpQuery, FollowUpRow};
use crate::app::format_ts;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// A follow-up and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    /// Its id.
    pub id: i64,
    /// The project it is owed to.
    pub project: String,
    /// `problem` or `roadmap_task`.
    pub kind: String,
    /// What is to be done.
    pub title: String,
    /// The department that owes it.
    pub department: String,
    /// The person named, if any.
    pub owner: Option<String>,
    /// When its clock started.
    pub started_at: String,
    /// Its deadline in working days.
    pub days: u32,
    /// Its due time.
    pub due_at: String,
    /// When it was done; none while open.
    pub done_at: Option<String>,
    /// `green`, `yellow` or `red` (for a done one, its colour when it was done).
    pub colour: String,
    /// Since when it has had that colour.
    pub colour_since: String,
}

impl From<FollowUpRow> for FollowUpView {
    fn from(r: FollowUpRow) -> Self {
        let f = r.follow_up;
        FollowUpView {
            id: r.id,
            project: f.project.to_string(),
            kind: f.kind.as_str().to_owned(),
            title: f.title,
            department: f.department.to_string(),
            owner: f.owner,
            started_at: format_ts(f.started_at),
            days: f.days,
            due_at: format_ts(f.due_at),
            done_at: r.done_at.map(format_ts),
            colour: r.colour.as_str().to_owned(),
            colour_since: format_ts(r.colour_since),
        }
    }
}

/// Which follow-ups to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpParams {
    /// One project's, by code.
    pub project: Option<String>,
    /// `problem` or `roadmap_task`.
    pub kind: Option<String>,
    /// `green`, `yellow` or `red`.
    pub colour: Option<String>,
    /// `true`: open ones only.
    pub open: Option<bool>,
    /// At most this many (1–500, default 500).
    pub limit: Option<u32>,
}

/// 督办事项 — problems and roadmap tasks owed to projects, newest first, with the colour the
/// supervision worker last gave them (an overdue one is red and has raised its alert).
#[utoipa::path(get, path = "/api/v1/supervision/follow-ups", tag = "supervision", params(FollowUpParams),
    responses((status = 200, description = "Follow-ups", body = Vec<FollowUpView>), (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter", body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<FollowUpParams>,
) -> Result<Json<Vec<FollowUpView>>, ApiError> {
    let query = FollowUpQuery {
        project: q.project,
        kind: q.kind,
        colour: q.colour,
        open: q.open.unwrap_or(false),
        limit: q.limit,
    };
    Ok(Json(follow_ups::list(&state, &principal, query).await?.into_iter().map(FollowUpView::from).collect()))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(list))
}
