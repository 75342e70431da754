//! Window assessment pages (窗口考核评议): the month's ranked table with its charts and
//! downloads, 红旗窗口 and 服务之星 named; the attendance ledger with the seat's check-in and
//! check-out; and the democratic evaluation survey anyone answers. Every rule is in
//! [`crate::app::assessment`], shared with the JSON API; these pages parse and draw.

mod attendance;
mod ledger_forms;
mod report;
mod survey;
mod surveys;
mod weights;

pub(super) use attendance::check_form;

use axum::http::{StatusCode, header};
use axum::response::Response;

use super::ctx::Ctx;

/// Back to a page after a form (303).
fn see_other(ctx: &Ctx, to: &str) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]))
}

/// A score as shown: `95.05`, or a dash without facts.
fn score(s: Option<tongban_core::assessment::Score>) -> String {
    s.map_or_else(|| "–".to_owned(), |s| s.to_string())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/assessment", get(report::assessment))
        .route("/assessment/weights", get(weights::show).post(weights::save))
        .route("/attendance", get(attendance::ledger))
        .route("/attendance/check-in", post(attendance::check_in))
        .route("/attendance/check-out", post(attendance::check_out))
        .route("/attendance/mark", post(ledger_forms::mark))
        .route("/attendance/import", post(ledger_forms::import))
        .route("/surveys", get(surveys::list).post(surveys::open))
        .route("/surveys/{period}", get(survey::survey).post(survey::answer))
}
