//! One case, for whoever may see it: its state, due time and clock, materials and files,
//! its timeline (with the grant chain of each decision), and the actions the viewer's role
//! can take in its state. Every action posts to `/cases/{number}/act` and goes through
//! [`app::act_on_case`], which decides; a refused action shows the case again with the
//! reason beside the fields and what was typed kept.

use crate::app::RecordedEvent;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::case::{Case, CaseCommand, CaseCommandKind, CaseEvent, CaseNumber};
use tongban_core::delegation::Delegations;
use tongban_core::identity::{Power, Role};
use tongban_core::item::ServiceItem;

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted};
use super::hall::{ListQuery, case_error_field, check_files, store_files};
use super::layout::page;
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::app::AppError;

/// A refused action being shown again: its name, what was typed, the errors.
type Failed<'a> = Option<(&'a str, &'a Fields, &'a FieldErrors)>;

fn parse_number(ctx: &Ctx, number: &str) -> Result<CaseNumber, WebError> {
    CaseNumber::parse(number).map_err(|_| ctx.fail(AppError::NotFound(format!("case {number:?} does not exist"))))
}

/// The power a role's actions on this page need, for showing the authority held.
fn power_shown(role: Role) -> Option<Power> {
    match role {
        Role::WindowClerk => Some(Power::Accept),
        Role::Reviewer => Some(Power::Review),
        Role::Approver | Role::DepartmentHead => Some(Power::Approve),
        _ => None,
    }
}

/// A grant chain, root first: who gave whom which powers.
pub fn chain(ctx: &Ctx, delegations: &Delegations, ids: &[String]) -> Markup {
    html! {
        @if ids.is_empty() {
            p.chain { (ctx.t("authority.by_office")) }
        } @else {
            ol.chain {
                @for id in ids {
                    li {
                        @if let Some(g) = delegations.grant(id) {
                            span.party { (g.grantor) } " → " span.party { (g.grantee) } " "
                            span.powers { (g.powers.iter().map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned()).collect::<Vec<_>>().join(ctx.t("list.sep"))) }
                            " " code { (g.id) }
                        } @else {
                            code { (id) }
                        }
                    }
                }
            }
        }
    }
}

/// A value's message under `prefix` when there is one, else the value.
fn label_or_raw(ctx: &Ctx, prefix: &str, value: &str) -> String {
    ctx.lang.get(&format!("{prefix}.{value}")).map_or_else(|| value.to_owned(), str::to_owned)
}

fn event_detail(ctx: &Ctx, e: &CaseEvent) -> Markup {
    let list = |l: &[String]| l.join(ctx.t("list.sep"));
    html! {
        @match e {
            CaseEvent::Submitted { submission, .. } => {
                (ctx.t(&format!("channel.{}", submission.channel.as_str()))) " · " (list(&submission.materials))
            }
            CaseEvent::Accepted { due_at, .. } => { (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::Rejected { reason } | CaseEvent::Suspended { reason } => { (reason) }
            CaseEvent::CorrectionRequested { missing, note } => {
                (ctx.t("case.missing")) ": " (list(missing)) @if !note.is_empty() { br; (note) }
            }
            CaseEvent::Resubmitted { materials } => { (list(materials)) }
            CaseEvent::StepCompleted { step, note } => { (step) @if !note.is_empty() { " · " (note) } }
            CaseEvent::Resumed { due_at, .. } => { (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::Approved { note } => { (note) }
            CaseEvent::Denied { reason, legal_basis } => { (reason) br; (ctx.t("case.legal_basis")) ": " (legal_basis) }
            CaseEvent::Delivered { method } => { (label_or_raw(ctx, "delivery", method)) }
            CaseEvent::HandOverOffered { from, to } | CaseEvent::HandedOver { from, to } | CaseEvent::Reassigned { from, to } => {
                (from) " → " (to)
            }
            CaseEvent::Rated { score, comment } => {
                (ctx.t(&format!("rating.{score}"))) @if !comment.is_empty() { " · " (comment) }
            }
            CaseEvent::RatingAnswered { answer } | CaseEvent::Returned { reason: answer } => { (answer) }
            CaseEvent::Reopened { reason, due_at, .. } => { (reason) br; (ctx.t("case.due")) ": " (view::time(*due_at)) }
            CaseEvent::DueRecomputed { previous, due_at, .. } => {
                (ctx.t("case.due")) ": " (view::time(*previous)) " → " (view::time(*due_at)) br; (ctx.t("case.due_recomputed_why"))
            }
        }
    }
}

fn timeline(ctx: &Ctx, events: &[RecordedEvent], delegations: Option<&Delegations>) -> Markup {
    html! {
        ol.timeline {
            @for e in events {
                li {
                    div.when { (view::time(e.at)) }
                    div.what {
                        strong { (ctx.t(&format!("event.{}", e.event.kind()))) }
                        " · " span.actor { (e.actor) }
                        div.detail { (event_detail(ctx, &e.event)) }
                        @if let Some(ids) = &e.authority {
                            div.authority {
                                (ctx.t("authority.under")) ": "
                                @match delegations {
                                    Some(d) => (chain(ctx, d, ids)),
                                    None => { @if ids.is_empty() { (ctx.t("authority.by_office")) } @else { code { (ids.join(" → ")) } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The hidden fields every action form carries.
fn action_head(ctx: &Ctx, case: &Case, action: &str) -> Markup {
    html! {
        (view::csrf(ctx))
        input type="hidden" name="action" value=(action);
        input type="hidden" name="version" value=(case.version);
    }
}

fn typed<'a>(failed: Failed<'a>, action: &str, name: &str) -> &'a str {
    failed.filter(|(a, _, _)| *a == action).map_or("", |(_, f, _)| f.get(name))
}

fn errors_for<'a>(failed: Failed<'a>, action: &str, empty: &'a FieldErrors) -> &'a FieldErrors {
    failed.filter(|(a, _, _)| *a == action).map_or(empty, |(_, _, e)| e)
}

fn action_form(
    ctx: &Ctx,
    case: &Case,
    item: &ServiceItem,
    kind: CaseCommandKind,
    failed: Failed<'_>,
    first: bool,
) -> Markup {
    use CaseCommandKind as K;
    let action = kind.as_str();
    let empty = FieldErrors::default();
    let errors = errors_for(failed, action, &empty);
    let fields = failed.filter(|(a, _, _)| *a == action).map(|(_, f, _)| f);
    let post = format!("/cases/{}/act", case.number);
    let ticked = &|name: &str, value: &str| fields.is_some_and(|f| f.has(name, value));
    let title = ctx.t(&format!("action.{action}"));
    let (key, primary) = match kind {
        K::Accept => ("a", true),
        K::RequestCorrection => ("c", false),
        K::Reject => ("r", false),
        K::Approve => ("p", true),
        K::Deny => ("d", false),
        K::Deliver => ("v", true),
        K::HandOver => ("h", false),
        K::Resubmit | K::Rate => ("s", true),
        _ => ("", false),
    };
    let button = html! {
        button class=(if primary { "primary" } else { "" }) type="submit" accesskey=[(!key.is_empty()).then_some(key)] autofocus[first] {
            (title)
            @if !key.is_empty() { span.key aria-hidden="true" { " [" (key.to_uppercase()) "]" } }
        }
    };
    let multipart = kind == K::Resubmit;
    html! {
        section.action id=(format!("act-{action}")) aria-labelledby=(format!("h-{action}")) {
            h3 id=(format!("h-{action}")) { (title) }
            form.stack method="post" action=(post) enctype=[multipart.then_some("multipart/form-data")] novalidate {
                (action_head(ctx, case, action))
                @match kind {
                    K::Reject | K::Suspend | K::Return | K::Reopen => {
                        (view::textarea(ctx.t("field.reason"), "reason", typed(failed, action, "reason"), errors, true, action))
                    }
                    K::RequestCorrection => {
                        fieldset class=(if errors.get("missing").is_some() { "field invalid" } else { "field" }) {
                            legend { (ctx.t("field.missing")) }
                            @for m in &item.materials {
                                label.choice { input type="checkbox" name="missing" value=(m.name) checked[ticked("missing", &m.name)]; " " (m.name) }
                            }
                            (view::field_error(errors, "missing"))
                        }
                        (view::textarea(ctx.t("field.note"), "note", typed(failed, action, "note"), errors, false, action))
                    }
                    K::Resubmit => {
                        fieldset class=(if errors.get("materials").is_some() { "field invalid" } else { "field" }) {
                            legend { (ctx.t("field.materials")) }
                            @for (n, m) in item.materials.iter().enumerate() {
                                @if case.pending_correction.contains(&m.name) {
                                    div.material {
                                        label.choice { input type="checkbox" name="materials" value=(m.name) checked[ticked("materials", &m.name)]; " " (m.name) }
                                        @let file = format!("file.{n}");
                                        div.field.file {
                                            label for=(format!("f-file-{n}")) { (ctx.tf("apply.file_for", &[("material", &m.name)])) }
                                            input id=(format!("f-file-{n}")) type="file" name=(file) accept="application/pdf,image/jpeg,image/png";
                                            (view::field_error(errors, &file))
                                        }
                                    }
                                }
                            }
                            (view::field_error(errors, "materials"))
                        }
                    }
                    K::CompleteStep => {
                        (view::input(ctx.t("field.step"), "step", typed(failed, action, "step"), errors, Input { required: true, scope: action, ..Input::default() }))
                        (view::textarea(ctx.t("field.note"), "note", typed(failed, action, "note"), errors, false, action))
                    }
                    K::Approve => {
                        (view::textarea(ctx.t("field.note"), "note", typed(failed, action, "note"), errors, false, action))
                    }
                    K::Deny => {
                        (view::textarea(ctx.t("field.reason"), "reason", typed(failed, action, "reason"), errors, true, action))
                        (view::input(ctx.t("field.legal_basis"), "legal_basis", typed(failed, action, "legal_basis"), errors, Input { required: true, scope: action, ..Input::default() }))
                    }
                    K::Deliver => {
                        div.field {
                            label for="f-method" { (ctx.t("field.method")) }
                            select id="f-method" name="method" {
                                @for m in ["window", "mail", "electronic"] {
                                    option value=(m) selected[typed(failed, action, "method") == m] { (ctx.t(&format!("delivery.{m}"))) }
                                }
                            }
                            (view::field_error(errors, "method"))
                        }
                    }
                    K::HandOver | K::Reassign => {
                        (view::input(ctx.t("field.to"), "to", typed(failed, action, "to"), errors, Input { required: true, hint: Some(ctx.t("field.to_hint")), scope: action, ..Input::default() }))
                    }
                    K::Rate => {
                        fieldset class=(if errors.get("score").is_some() { "field invalid rating" } else { "field rating" }) {
                            legend { (ctx.t("field.score")) }
                            @for s in (1..=5u8).rev() {
                                label.choice { input type="radio" name="score" value=(s) checked[typed(failed, action, "score") == s.to_string()]; " " (ctx.t(&format!("rating.{s}"))) }
                            }
                            (view::field_error(errors, "score"))
                        }
                        (view::textarea(ctx.t("field.comment"), "comment", typed(failed, action, "comment"), errors, false, action))
                    }
                    K::AnswerRating => {
                        (view::textarea(ctx.t("field.answer"), "answer", typed(failed, action, "answer"), errors, true, action))
                    }
                    K::Accept | K::Resume | K::TakeOver => {}
                }
                (button)
            }
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    number: &CaseNumber,
    failed: Failed<'_>,
    done: Option<&str>,
) -> Result<Response, WebError> {
    let (case, events, files) = app::case_detail(state, &ctx.principal, number).await.map_err(|e| ctx.fail(e))?;
    let item = crate::app::public::item_in_version(state, &case.item, case.item_version)
        .await
        .map_err(|e| ctx.fail(e))?
        .ok_or_else(|| ctx.fail(AppError::NotFound(format!("item {}", case.item))))?
        .item;
    let clock = state.clock_of(&case);
    let role = ctx.role();
    let me = ctx.principal.id().to_owned();
    let staff = role != Role::Applicant;
    let delegations = if staff {
        Some(crate::app::org::delegations(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?)
    } else {
        None
    };
    let authority = match (&delegations, power_shown(role)) {
        (Some(d), Some(p)) => Some((p, d.authority(&me, &item.department, &item.code, p, state.now()))),
        _ => None,
    };
    // Masked as everywhere but at a window (the API shows the same).
    let applicant = case.applicant.masked();
    let actions = case.available(role, &me);
    let body = html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) {
            @if staff { a href="/workbench" { (ctx.t("nav.workbench")) } } @else { a href="/hall" { (ctx.t("nav.my_cases")) } }
            " › " span { (case.number) }
        }
        h1 { (ctx.t("case.title")) " " code { (case.number) } }
        (view::done_notice(ctx, done))
        @if let Some((_, _, e)) = failed {
            @if let Some(m) = e.get("") {
                div.notice.error role="alert" { (m) }
            } @else if !e.is_empty() {
                div.notice.error role="alert" { (ctx.t("err.see_fields")) }
            }
        }
        div.case-head {
            (view::state_badge(ctx, case.state))
            dl.facts {
                dt { (ctx.t("case.item")) } dd { a href=(format!("/items/{}", item.code)) { (item.name) } }
                dt { (ctx.t("case.applicant")) } dd {
                    (applicant.name) " (" (applicant.id_number) ")"
                    // Staff see that nobody has checked the identity the case is in the name of.
                    @if ctx.role().is_department_staff() && case.submitter.as_ref().is_some_and(|s| !s.verified) {
                        " " span.badge.late { (ctx.t("case.identity_unverified")) }
                    }
                }
                dt { (ctx.t("case.channel")) } dd { (ctx.t(&format!("channel.{}", case.channel.as_str()))) }
                dt { (ctx.t("case.owner")) } dd { (case.owner) @if let Some(to) = &case.pending_handover { " → " (to) " (" (ctx.t("case.offered")) ")" } }
                dt { (ctx.t("case.submitted")) } dd { (view::time(case.submitted_at)) }
                dt { (ctx.t("case.due")) } dd {
                    (view::case_due(ctx, &case, ctx.t("case.not_started")))
                }
                @if let Some(r) = clock.remaining_minutes.filter(|_| case.state.is_running()) {
                    dt { (ctx.t("case.remaining")) }
                    dd class=(if r < 0 { "late" } else { "" }) {
                        @if r < 0 { (ctx.tf("case.overdue", &[("t", &view::minutes(ctx, r))])) } @else { (view::minutes(ctx, r)) }
                    }
                }
                @if !case.pending_correction.is_empty() {
                    dt { (ctx.t("case.missing")) } dd { (case.pending_correction.join(ctx.t("list.sep"))) }
                }
                @if let Some(r) = case.rating { dt { (ctx.t("case.rating")) } dd { (ctx.t(&format!("rating.{r}"))) } }
            }
        }
        div.case-grid {
            div {
                @if !actions.is_empty() {
                    section.actions-panel aria-label=(ctx.t("case.actions")) {
                        h2 { (ctx.t("case.actions")) }
                        @if let Some((power, held)) = &authority {
                            div.authority-box {
                                h3 { (ctx.tf("authority.yours", &[("power", ctx.t(&format!("power.{}", power.as_str())))])) }
                                @match (held, &delegations) {
                                    (Some(ids), Some(d)) => (chain(ctx, d, ids)),
                                    _ => p.late { (ctx.t("authority.none")) },
                                }
                            }
                        }
                        @for (n, a) in actions.iter().enumerate() {
                            (action_form(ctx, &case, &item, *a, failed, failed.is_none() && n == 0))
                        }
                    }
                }
                section {
                    h2 { (ctx.t("case.timeline")) }
                    (timeline(ctx, &events, delegations.as_ref()))
                }
            }
            aside {
                h2 { (ctx.t("case.materials")) }
                ul { @for m in &case.materials { li { (m) } } }
                @if !files.is_empty() {
                    h2 { (ctx.t("case.files")) }
                    ul.files { @for f in &files {
                        li { (f.material) " · " (f.content_type) " · " (ctx.tf("case.bytes", &[("n", &f.size.to_string())])) br; code.sha title=(f.sha256) { (f.sha256.get(..12).unwrap_or("")) "…" } }
                    } }
                }
            }
        }
    };
    let title = format!("{} {}", ctx.t("case.title"), case.number);
    Ok(page(ctx, &title, body))
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
    render(&state, &ctx, &number, None, q.done.as_deref()).await
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
        K::Deliver => CaseCommand::Deliver { method: text("method") },
        K::HandOver => CaseCommand::HandOver { to: text("to") },
        K::TakeOver => CaseCommand::TakeOver,
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
    let response = render(&state, &ctx, &number, Some((known, &fields, &errors)), None).await?;
    let status = if errors.get("").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, response).into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new().route("/cases/{number}", get(show)).route("/cases/{number}/act", post(act))
}
