//! Proactive project service pages (issue 19): training sessions (`/service/trainings`,
//! `/service/trainings/{id}`), problems and their prescriptions with the class shares as a
//! chart, a form to record one and forms to close open ones (`/service/problems`), and
//! coordination meetings (`/service/coordinations`). Reached from the supervision tabs;
//! plain forms, no JavaScript needed.

mod coordinations;
mod problems;
mod trainings;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::Markup;
use tongban_core::access::{Action, role_may};

use super::ctx::Ctx;
use super::layout::{page, tabs};

/// The section's own tabs.
const TABS: &[(&str, &str)] = &[
    ("/service/trainings", "svc.trainings"),
    ("/service/problems", "svc.problems"),
    ("/service/coordinations", "svc.coordinations"),
];

/// The center's departments' names by code, to show names where records keep codes.
async fn department_names(
    state: &crate::AppState,
    ctx: &Ctx,
) -> Result<std::collections::BTreeMap<String, String>, super::error::WebError> {
    let all = crate::app::public::departments(state).await.map_err(|e| ctx.fail(e))?;
    Ok(all.into_iter().map(|d| (d.code.to_string(), d.name)).collect())
}

/// A department's name, or its code when it has none (any more).
fn named<'a>(names: &'a std::collections::BTreeMap<String, String>, code: &'a str) -> &'a str {
    names.get(code).map_or(code, String::as_str)
}

fn section(ctx: &Ctx) -> Markup {
    tabs(ctx, ctx.t("svc.section"), TABS)
}

/// Whether the viewer may record and close.
fn may_manage(ctx: &Ctx) -> bool {
    role_may(ctx.role(), Action::ManageProjects)
}

fn see_other(ctx: &Ctx, to: String) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)]))
}

/// A form refused: drawn again with what was typed and the errors, as 422.
fn refused(ctx: &Ctx, title: &str, body: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(ctx, title, body)).into_response()
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/service/trainings", get(trainings::list))
        .route("/service/trainings/{id}", get(trainings::detail))
        .route("/service/problems", get(problems::list).post(problems::add))
        .route("/service/problems/{id}/close", post(problems::close))
        .route("/service/coordinations", get(coordinations::list))
}
