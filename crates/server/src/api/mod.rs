//! The JSON API under `/api/v1`. Every route is registered through `OpenApiRouter` and
//! `routes!`, so none goes undocumented; the document is served at `/api/v1/openapi.json`.

mod accounts;
mod assessment;
mod calendar;
pub(crate) mod cases;
pub(crate) mod documents;
mod exports;
mod files;
mod follow_ups;
mod grants;
pub mod imports;
mod items;
mod lists;
mod meetings;
pub(crate) mod notice_templates;
pub mod notices;
pub mod org;
mod plans;
pub(crate) mod project_service;
mod projects;
mod push;
mod ratings;
pub mod reform;
mod session;
mod supervision;
mod tickets;
mod views;
mod wechat;

use axum::Json;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::problem::{FieldProblem, KINDS, Problem};

pub use calendar::MAX_CSV_BYTES;
pub use imports::MAX_IMPORT_BYTES;
pub use plans::MAX_BPMN_BYTES;
pub use views::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tongban API",
        description = "The JSON API of tongban (通办), the software of a one-stop government service center.\n\n\
            Errors are RFC 9457 `application/problem+json`; `type` is one of the stable URIs \
            `/problems/<kind>` listed in the `Problem` schema description.\n\n\
            Input limits: every text field is at most 10,000 characters (notes and reasons 2,000, \
            names 100–200, phones 30, search text 100) unless its schema says less, and no text may \
            hold a control character (422 `invalid-field`); `page` is 1–100,000 and `per_page` 1–200; \
            request bodies are at most 256 KiB except files and documents (413 `body-too-large`).",
        license(name = "Apache-2.0")
    ),
    components(schemas(Problem, FieldProblem)),
    tags(
        (name = "catalog", description = "Service items (事项)"),
        (name = "cases", description = "Cases (办件)"),
        (name = "identity", description = "Accounts, sessions, tokens, delegation grants (逐级授权)"),
        (name = "supervision", description = "Electronic supervision (电子监察): board, alerts, accountability, figures"),
        (name = "plans", description = "Approval plans (审批流程方案) of modular approval: schedules, the reform report, BPMN 2.0"),
        (name = "projects", description = "The project library (项目库) and projects' runs through plans"),
        (name = "organisation", description = "The organisation as data: divisions, sites, departments, windows, staff; imports and exports of files"),
        (name = "notices", description = "Notices (通知): the inbox (站内信), contact details and consent per channel (and WeChat subscribe-message consent), delivery figures, failed notices, the templates per event and channel")
    )
)]
struct ApiDoc;

/// The OpenAPI document and the routes it describes.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    // Each module declares its own routes; merged here in one documented router.
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(items::routes())
        .merge(reform::routes())
        .merge(lists::routes())
        .merge(cases::routes())
        .merge(files::routes())
        .merge(session::routes())
        .merge(grants::routes())
        .merge(accounts::routes())
        .merge(supervision::routes())
        .merge(follow_ups::routes())
        .merge(plans::routes())
        .merge(projects::routes())
        .merge(project_service::routes())
        .merge(meetings::routes())
        .merge(calendar::routes())
        .merge(tickets::routes())
        .merge(org::routes())
        .merge(imports::routes())
        .merge(exports::routes())
        .merge(assessment::routes())
        .merge(ratings::routes())
        .merge(documents::routes())
        .merge(notices::routes())
        .merge(notice_templates::routes())
        .merge(wechat::routes())
        .merge(push::routes())
}

/// The generated OpenAPI document, with the problem kinds listed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = openapi_router().split_for_parts();
    document_bad_requests(&mut doc);
    let kinds: Vec<String> = KINDS.iter().map(|(k, s, t)| format!("- `/problems/{k}` ({s}): {t}")).collect();
    if let Some(d) = doc.info.description.as_mut() {
        d.push_str("\n\nProblem types:\n");
        d.push_str(&kinds.join("\n"));
    }
    doc
}

pub(crate) fn router() -> axum::Router<AppState> {
    let (router, _) = openapi_router().split_for_parts();
    // Uploads check their own limit (files::MAX_FILE_BYTES) and answer with problem+json.
    let router = router.layer(axum::extract::DefaultBodyLimit::max(files::MAX_FILE_BYTES + 1));
    let doc = openapi();
    router.route("/api/v1/openapi.json", get(move || std::future::ready(Json(doc.clone()))))
}

/// The numeric id in a path. One that is not a number names nothing: 404, but only once the
/// caller may `action` at all (401 and 403 first, as for an id that parses), so the answer
/// tells others nothing.
pub(crate) fn path_id(
    principal: &crate::auth::Principal,
    action: tongban_core::access::Action,
    text: &str,
    what: &str,
) -> Result<i64, crate::app::AppError> {
    text.parse().or_else(|_| {
        crate::app::authorize(principal, action)?;
        Err(crate::app::AppError::NotFound(format!("{what} {text:?} does not exist")))
    })
}

/// A case's clock, computed with the working calendar; fields are none when not yet
/// accepted or when the calendar cannot answer (dates outside the years it covers).
pub(crate) fn clock(state: &AppState, case: &tongban_core::case::Case) -> CaseClock {
    let c = state.clock_of(case);
    CaseClock {
        due_at: c.due_at.map(|t| t.to_string()),
        provisional: c.provisional,
        calendar_revision: c.calendar_revision,
        allowed_working_minutes: c.allowed_minutes,
        used_working_minutes: c.used_minutes,
        remaining_working_minutes: c.remaining_minutes,
        owner_act_by: c.owner_act_by.map(|t| t.to_string()),
    }
}

/// Every operation that takes a body or parameters can answer 400 (malformed input) and 422
/// (a text the domain refuses); every
/// operation can answer 500/503. Added here once rather than on each route.
fn document_bad_requests(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |what: &str| {
        ResponseBuilder::new()
            .description(what)
            .content(
                "application/problem+json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        if crate::idempotency::is_creating(path)
            && let Some(op) = item.post.as_mut()
        {
            use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
            let key = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(utoipa::openapi::Required::False)
                .description(Some("Makes a retry return the first answer; the same key with another body is a 422"))
                .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::String)))
                .build();
            op.parameters.get_or_insert_with(Vec::new).push(key);
            op.responses
                .responses
                .entry("422".into())
                .or_insert_with(|| problem("Invalid input, or an Idempotency-Key reused with another body").into());
        }
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete].into_iter().flatten() {
            let takes_input = op.request_body.is_some() || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if takes_input {
                op.responses.responses.entry("400".into()).or_insert_with(|| problem("Malformed input").into());
                // Every text in a body or query is checked in the domain (control characters, caps).
                op.responses
                    .responses
                    .entry("422".into())
                    .or_insert_with(|| problem("A field is not valid (control characters, too long)").into());
            }
            if op.request_body.is_some() {
                // Bodies are bounded per route before anything reads them (crate::bodies).
                let too_large = problem("The body is over this route's limit (body-too-large)");
                op.responses.responses.entry("413".into()).or_insert_with(|| too_large.into());
                let slow = problem("The body did not arrive in time (request-timeout)");
                op.responses.responses.entry("408".into()).or_insert_with(|| slow.into());
            }
            op.responses.responses.entry("500".into()).or_insert_with(|| problem("Internal error").into());
            op.responses.responses.entry("503".into()).or_insert_with(|| problem("The database is unavailable").into());
        }
    }
}
