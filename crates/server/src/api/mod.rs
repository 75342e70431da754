//! The JSON API under `/api/v1`. Every route is registered through `OpenApiRouter` and
//! `routes!`, so none goes undocumented; the document is served at `/api/v1/openapi.json`.

mod cases;
mod items;
mod views;

use axum::Json;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::{FieldProblem, KINDS, Problem};

pub use views::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tongban API",
        description = "The JSON API of tongban (通办), the software of a one-stop government service center.\n\n\
            Errors are RFC 9457 `application/problem+json`; `type` is one of the stable URIs \
            `/problems/<kind>` listed in the `Problem` schema description.",
        license(name = "Apache-2.0")
    ),
    components(schemas(Problem, FieldProblem)),
    tags((name = "catalog", description = "Service items (事项)"), (name = "cases", description = "Cases (办件)"))
)]
struct ApiDoc;

/// The OpenAPI document and the routes it describes.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(items::list_items))
        .routes(routes!(items::get_item))
        .routes(routes!(cases::submit_case))
        .routes(routes!(cases::get_case))
}

/// The generated OpenAPI document, with the problem kinds listed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = openapi_router().split_for_parts();
    let kinds: Vec<String> = KINDS
        .iter()
        .map(|(k, s, t)| format!("- `/problems/{k}` ({s}): {t}"))
        .collect();
    if let Some(d) = doc.info.description.as_mut() {
        d.push_str("\n\nProblem types:\n");
        d.push_str(&kinds.join("\n"));
    }
    doc
}

pub(crate) fn router() -> axum::Router<AppState> {
    let (router, _) = openapi_router().split_for_parts();
    let doc = openapi();
    router.route(
        "/api/v1/openapi.json",
        get(move || std::future::ready(Json(doc.clone()))),
    )
}
