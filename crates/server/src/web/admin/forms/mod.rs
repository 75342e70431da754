//! Administration forms that create things from documents: importing an approval plan
//! from BPMN 2.0, a delegation grant, a year's holiday schedule for the calendar, and a
//! closure (闭厅). Each page builds a small view model of the form (what was typed, the
//! errors beside the fields) and draws it with a pure `render`; the rules live in
//! [`crate::app`], shared with the JSON API.

mod calendar_import;
mod closure;
mod grant_new;
mod plan_import;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::{access, section_tabs};
use crate::app::AppError;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::FieldErrors;
use crate::web::layout::page;
use crate::web::view;

/// Refuses all but administrators: center leaders read the section but change nothing, so
/// they get no forms; `why` says what is refused.
pub(super) fn admin_only(ctx: &Ctx, why: &str) -> Result<(), WebError> {
    if access(ctx, false)? { Ok(()) } else { Err(ctx.fail(AppError::Forbidden(why.into()))) }
}

/// The top of a form in the section: its title, the section's tabs, the lead and the error
/// over the whole form.
fn heading(ctx: &Ctx, title: &str, lead: &str, errors: &FieldErrors) -> Markup {
    html! {
        h1 { (title) }
        (section_tabs(ctx))
        p.lead { (lead) }
        (view::form_error(errors))
    }
}

/// A form refused: drawn again with what was typed and the errors, as 422.
fn refused(ctx: &Ctx, title: &str, body: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(ctx, title, body)).into_response()
}

/// This module's pages.
pub(in crate::web) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/grants/new", get(grant_new::grant_new_page).post(grant_new::grant_new))
        .route(
            "/admin/calendar/import",
            get(calendar_import::calendar_import_page).post(calendar_import::calendar_import),
        )
        .route("/admin/calendar/closures", get(closure::closure_page).post(closure::closure_add))
        .route("/admin/calendar/closures/lift", post(closure::closure_lift))
        .route("/admin/plans/import", get(plan_import::plan_import_page).post(plan_import::plan_import))
}
