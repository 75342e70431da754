//! One case, for whoever may see it: its state, due time and clock, materials and files,
//! its timeline (with the grant chain of each decision), and the actions the viewer's role
//! can take in its state. Every action posts to `/cases/{number}/act` and goes through
//! [`app::act_on_case`], which decides; a refused action shows the case again with the
//! reason beside the fields and what was typed kept.
//!
//! The handlers load through [`crate::app`] ([`load`]), build the view model
//! ([`detail::CasePage::of`]) and draw it ([`detail::render`], no IO).

mod actions;
mod detail;
mod documents;
mod timeline;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tongban_core::case::{CaseCommand, CaseCommandKind, CaseNumber, DeliveryMethod};
use tongban_core::identity::Role;

use self::actions::Failed;
use self::detail::{CaseData, CasePage};
use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted};
use super::hall::{ListQuery, case_error_field, check_files, store_files};
use super::layout::page;
use crate::AppState;
use crate::app;
use crate::app::AppError;

pub use timeline::{ChainView, chain, powers};

fn parse_number(ctx: &Ctx, number: &str) -> Result<CaseNumber, WebError> {
    CaseNumber::parse(number).map_err(|_| ctx.fail(AppError::NotFound(format!("case {number:?} does not exist"))))
}

/// Everything the case page shows, through the application layer.
async fn load(state: &AppState, ctx: &Ctx, number: &CaseNumber) -> Result<CaseData, WebError> {
    let (case, events, files) = app::case_detail(state, &ctx.principal, number).await.map_err(|e| ctx.fail(e))?;
    let item = crate::app::public::item_in_version(state, &case.item, case.item_version)
        .await
        .map_err(|e| ctx.fail(e))?
        .ok_or_else(|| ctx.fail(AppError::NotFound(format!("item {}", case.item))))?
        .item;
    let remaining_minutes = state.clock_of(&case).remaining_minutes;
    // An open offer's time limit (转接时限), to say when it ran out.
    let offer_expires = tongban_core::supervision::hand_over_expires(&case, &state.hand_over, &ctx.calendar);
    let delegations = if ctx.role() != Role::Applicant {
        Some(crate::app::org::delegations(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?)
    } else {
        None
    };
    let reads = crate::app::material_reads(state, &ctx.principal, number).await.map_err(|e| ctx.fail(e))?;
    // Names only embellish the chain: a viewer who may not read the staff list sees logins.
    let names = if delegations.is_some() {
        crate::app::org::people(state, &ctx.principal).await.unwrap_or_default()
    } else {
        std::collections::HashMap::new()
    };
    let documents =
        crate::app::documents::case_documents(state, &ctx.principal, number).await.map_err(|e| ctx.fail(e))?;
    let notices = crate::app::notify::case_notices(state, &ctx.principal, number).await.map_err(|e| ctx.fail(e))?;
    Ok(CaseData {
        case,
        events,
        files,
        reads,
        item,
        remaining_minutes,
        delegations,
        offer_expires,
        names,
        documents,
        notices,
    })
}

/// The case page, with a refused action shown again.
async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    number: &CaseNumber,
    failed: Failed<'_>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let data = load(state, ctx, number).await?;
    let model = CasePage::of(ctx, &data, state.now(), failed, done);
    let title = format!("{} {}", ctx.t("case.title"), model.number);
    Ok(page(ctx, &title, detail::render(ctx, &model)))
}

/// `GET /cases/{number}`.
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(number): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let number = parse_number(&ctx, &number)?;
    show_page(&state, &ctx, &number, None, q.done.as_deref()).await
}

/// The command an action form stands for, or the field that is wrong.
fn command(
    ctx: &Ctx,
    kind: CaseCommandKind,
    f: &Fields,
    materials: Vec<String>,
) -> Result<CaseCommand, (&'static str, String)> {
    use CaseCommandKind as K;
    let text = |name: &str| f.get(name).trim().to_owned();
    Ok(match kind {
        K::Accept => CaseCommand::Accept,
        K::Reject => CaseCommand::Reject { reason: text("reason") },
        K::RequestCorrection => CaseCommand::RequestCorrection { missing: f.all("missing"), note: text("note") },
        K::Resubmit => CaseCommand::Resubmit { materials },
        K::CompleteStep => CaseCommand::CompleteStep { step: text("step"), note: text("note") },
        K::Suspend => CaseCommand::Suspend { reason: text("reason") },
        K::Resume => CaseCommand::Resume,
        K::Approve => CaseCommand::Approve { note: text("note") },
        K::Deny => CaseCommand::Deny { reason: text("reason"), legal_basis: text("legal_basis") },
        K::Deliver => CaseCommand::Deliver {
            method: DeliveryMethod::parse(f.get("method"), Some(f.get("tracking_number")), Some(f.get("carrier")))
                .map_err(|e| (e.field(), ctx.t(&format!("delivery.err_{}", e.code())).to_owned()))?,
        },
        K::HandOver => CaseCommand::HandOver { to: text("to") },
        K::TakeOver => CaseCommand::TakeOver,
        K::WithdrawHandOver => CaseCommand::WithdrawHandOver,
        K::Reassign => CaseCommand::Reassign { to: text("to") },
        K::Rate => CaseCommand::Rate {
            score: f.get("score").parse().map_err(|_| ("score", ctx.t("err.rating").to_owned()))?,
            comment: text("comment"),
        },
        K::AnswerRating => CaseCommand::AnswerRating { answer: text("answer") },
        K::Return => CaseCommand::Return { reason: text("reason") },
        K::Reopen => CaseCommand::Reopen { reason: text("reason") },
    })
}

/// `POST /cases/{number}/act`.
#[tracing::instrument(skip_all, fields(case.number = %number))]
pub async fn act(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    let number = parse_number(&ctx, &number)?;
    let action = fields.get("action").to_owned();
    let kind = CaseCommandKind::parse(&action);
    let mut errors = FieldErrors::default();
    let mut materials = fields.all("materials");
    let mut checked = Vec::new();
    if kind == Some(CaseCommandKind::Resubmit) {
        let (case, _) = app::case_with_events(&state, &ctx.principal, &number).await.map_err(|e| ctx.fail(e))?;
        let item = crate::app::public::item_in_version(&state, &case.item, case.item_version)
            .await
            .map_err(|e| ctx.fail(e))?
            .ok_or_else(|| ctx.fail(AppError::NotFound(format!("item {}", case.item))))?;
        checked = check_files(&ctx, &item.item.materials, files, &mut materials, &mut errors);
    }
    let version = fields.get("version").parse::<u32>().ok();
    if errors.is_empty() {
        let cmd = kind.ok_or_else(|| ("", ctx.t("err.illegal").to_owned()));
        match cmd.and_then(|kind| command(&ctx, kind, &fields, materials)) {
            Err((field, message)) => errors.add(field, message),
            Ok(cmd) => match app::act_on_case(&state, &ctx.principal, &number, cmd, version).await {
                Ok(case) => {
                    store_files(&state, &ctx, &case.number, checked).await?;
                    let to = format!("/cases/{}?done={action}", case.number);
                    return Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)])));
                }
                Err(e) => match case_error_field(&ctx, &e) {
                    Some((field, message)) => errors.add(field, message),
                    None => return Err(ctx.fail(e)),
                },
            },
        }
    }
    let known = kind.map_or("", CaseCommandKind::as_str);
    let response = show_page(&state, &ctx, &number, Some((known, &fields, &errors)), None).await?;
    let status = if errors.get("").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, response).into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new().route("/cases/{number}", get(show)).route("/cases/{number}/act", post(act))
}

#[cfg(test)]
mod tests;
