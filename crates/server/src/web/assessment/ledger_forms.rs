//! The forms of `/attendance` for the chief and the administrator: a day's mark (leave,
//! late, absent) and the import of an attendance or third-party score file (CSV or xlsx,
//! checked as a dry run or imported; a bad file is shown by line and column, and nothing is
//! written).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::access::{Action, role_may};
use tongban_core::assessment::{AttendanceMark, Period};

use super::see_other;
use crate::AppState;
use crate::app::AppError;
use crate::app::assessment::ledger;
use crate::app::tables::{Format, Upload};
use crate::web::admin::imports::{ProblemLine, problems_table};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::layout::page;
use crate::web::view;

/// The mark form and, for administrators, the import form.
pub(super) fn forms(ctx: &Ctx) -> Markup {
    html! {
        @if role_may(ctx.role(), Action::MarkAttendance) {
            section {
                h2 { (ctx.t("attend.mark_title")) }
                form.search method="post" action="/attendance/mark" {
                    (view::csrf(ctx))
                    div.field { label for="m-account" { (ctx.t("attend.account")) } input id="m-account" name="account" required; }
                    div.field { label for="m-day" { (ctx.t("attend.day")) } input id="m-day" name="day" type="date" required; }
                    div.field {
                        label for="m-mark" { (ctx.t("attend.status")) }
                        select id="m-mark" name="mark" {
                            @for m in ["leave", "late", "absent"] { option value=(m) { (ctx.t(&format!("attend.{m}"))) } }
                            option value="" { (ctx.t("attend.clear")) }
                        }
                    }
                    button type="submit" { (ctx.t("attend.mark")) }
                }
            }
        }
        @if role_may(ctx.role(), Action::ConfigureAssessment) {
            section {
                h2 { (ctx.t("attend.import_title")) }
                p.hint { (ctx.t("attend.import_hint")) }
                form.stack method="post" action="/attendance/import" enctype="multipart/form-data" {
                    (view::csrf(ctx))
                    div.field {
                        label for="i-kind" { (ctx.t("attend.import_kind")) }
                        select id="i-kind" name="kind" {
                            option value="attendance" { (ctx.t("attend.title")) }
                            option value="scores" { (ctx.t("assess.third_party")) }
                        }
                    }
                    div.field { label for="i-file" { (ctx.t("attend.file")) } input id="i-file" name="file" type="file" accept=".csv,.xlsx" required; }
                    label { input type="checkbox" name="dry_run" value="1"; " " (ctx.t("attend.dry_run")) }
                    button type="submit" { (ctx.t("attend.import")) }
                }
            }
        }
    }
}

/// `POST /attendance/mark`.
pub async fn mark(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = &posted.ctx;
    let f = &posted.fields;
    let mark = AttendanceMark::parse(f.get("mark"));
    match ledger::mark(&state, &ctx.principal, f.get("account").trim(), f.get("day"), mark).await {
        Ok(()) => {
            let period =
                f.get("day").get(..7).and_then(|p| Period::parse(p).ok()).map(|p| p.to_string()).unwrap_or_default();
            Ok(see_other(ctx, &format!("/attendance?period={period}")))
        }
        Err(AppError::Invalid(why)) => {
            let lines: Vec<String> = why.into_iter().map(|(f, m)| format!("{f}: {m}")).collect();
            Ok(problems(ctx, &lines))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// A refusal shown as a page: what was wrong, each on its line, and the way back.
fn problems(ctx: &Ctx, lines: &[String]) -> Response {
    let body = html! {
        h1 { (ctx.t("attend.refused")) }
        ul.problems { @for l in lines { li { (l) } } }
        p { a href="/attendance" { (ctx.t("attend.back")) } }
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page(ctx, ctx.t("attend.refused"), body)).into_response()
}

/// `POST /attendance/import`.
pub async fn import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = &posted.ctx;
    crate::app::authorize(&ctx.principal, Action::ConfigureAssessment).map_err(|e| ctx.fail(e))?;
    let Some(file) = posted.files.iter().find(|f| f.field == "file") else {
        return Ok(problems(ctx, &[ctx.t("attend.no_file").to_owned()]));
    };
    let name = file.name.clone().unwrap_or_else(|| "upload.csv".to_owned());
    let Some(format) = Format::of_name(&name) else {
        return Ok(problems(ctx, &[ctx.t("attend.bad_type").to_owned()]));
    };
    let upload = Upload { name: Some(&name), format };
    let dry_run = posted.fields.get("dry_run") == "1";
    let done = match posted.fields.get("kind") {
        "scores" => ledger::import_scores(&state, &ctx.principal, &upload, &file.bytes, dry_run).await,
        _ => ledger::import_attendance(&state, &ctx.principal, &upload, &file.bytes, dry_run).await,
    };
    match done {
        Ok(d) => {
            let key = if d.dry_run { "attend.checked" } else { "attend.imported" };
            let body = html! {
                h1 { (ctx.t("attend.import_title")) }
                p.notice.ok role="status" { (ctx.tf(key, &[("rows", &d.rows.to_string())])) }
                p { a href="/attendance" { (ctx.t("attend.back")) } }
            };
            Ok(page(ctx, ctx.t("attend.import_title"), body))
        }
        Err(AppError::Rows(rows)) => {
            let lines: Vec<ProblemLine> = rows.into_iter().map(ProblemLine::from).collect();
            let body = html! {
                h1 { (ctx.t("attend.refused")) }
                (problems_table(ctx, &lines))
                p { a href="/attendance" { (ctx.t("attend.back")) } }
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(ctx, ctx.t("attend.refused"), body)).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
