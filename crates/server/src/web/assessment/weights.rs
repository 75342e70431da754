//! `/assessment/weights` — the administrator sets how the parts weigh (whole percent summing
//! to 100), the points per accountability record, and who is named 红旗窗口 and 服务之星.
//! Core checks them; a refusal is shown with the form.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::assessment::{Honours, Score, Weights};

use super::see_other;
use crate::AppState;
use crate::app::AppError;
use crate::app::assessment::ledger;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{Fields, Posted};
use crate::web::layout::page;
use crate::web::view;

/// The whole-number fields and the score fields of the form, in order.
const PERCENTS: [&str; 5] = ["on_time", "satisfaction", "attendance", "evaluation", "third_party"];

fn render(ctx: &Ctx, w: &Weights, refusal: Option<&str>) -> Markup {
    let number = |name: &str, label: &str, value: String| {
        html! { div.field { label for=(format!("w-{name}")) { (label) } input id=(format!("w-{name}")) name=(name) value=(value) inputmode="decimal" required; } }
    };
    let parts = [w.on_time, w.satisfaction, w.attendance, w.evaluation, w.third_party];
    html! {
        h1 { (ctx.t("weights.title")) }
        @if let Some(r) = refusal { div.notice.error role="alert" { (r) } }
        form.stack method="post" action="/assessment/weights" {
            (view::csrf(ctx))
            fieldset {
                legend { (ctx.t("weights.parts")) }
                @for (name, value) in PERCENTS.iter().zip(parts) { (number(name, ctx.t(&format!("assess.{name}")), value.to_string())) }
            }
            (number("deduction", ctx.t("weights.deduction"), w.deduction.to_string()))
            @for (prefix, h) in [("red_flag", &w.red_flag), ("star", &w.star)] {
                fieldset {
                    legend { (ctx.t(&format!("assess.{prefix}"))) }
                    (number(&format!("{prefix}_percent"), ctx.t("weights.percent"), h.percent.to_string()))
                    (number(&format!("{prefix}_at_least"), ctx.t("weights.at_least"), h.at_least.to_string()))
                    (number(&format!("{prefix}_min_total"), ctx.t("weights.min_total"), h.min_total.to_string()))
                }
            }
            button type="submit" { (ctx.t("weights.save")) }
        }
    }
}

/// `GET /assessment/weights`.
pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    crate::app::authorize(&ctx.principal, tongban_core::access::Action::ConfigureAssessment)
        .map_err(|e| ctx.fail(e))?;
    let w = ledger::weights(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("weights.title"), render(&ctx, &w, None)))
}

/// The weights a form says; the field that is not a number is named.
fn parse(f: &Fields) -> Result<Weights, String> {
    let whole = |name: &str| f.get(name).trim().parse::<u32>().map_err(|_| name.to_owned());
    let score = |name: &str| Score::parse(f.get(name)).ok_or_else(|| name.to_owned());
    let honours = |p: &str| -> Result<Honours, String> {
        Ok(Honours {
            percent: whole(&format!("{p}_percent"))?,
            at_least: whole(&format!("{p}_at_least"))?,
            min_total: score(&format!("{p}_min_total"))?,
        })
    };
    Ok(Weights {
        on_time: whole("on_time")?,
        satisfaction: whole("satisfaction")?,
        attendance: whole("attendance")?,
        evaluation: whole("evaluation")?,
        third_party: whole("third_party")?,
        deduction: score("deduction")?,
        red_flag: honours("red_flag")?,
        star: honours("star")?,
    })
}

/// The form again with why it was refused (422).
fn refused(ctx: &Ctx, shown: &Weights, why: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page(ctx, ctx.t("weights.title"), render(ctx, shown, Some(why)))).into_response()
}

/// `POST /assessment/weights`.
pub async fn save(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = &posted.ctx;
    crate::app::authorize(&ctx.principal, tongban_core::access::Action::ConfigureAssessment)
        .map_err(|e| ctx.fail(e))?;
    let w = match parse(&posted.fields) {
        Ok(w) => w,
        Err(field) => {
            return Ok(refused(ctx, &Weights::default(), &ctx.tf("weights.not_a_number", &[("field", &field)])));
        }
    };
    match ledger::set_weights(&state, &ctx.principal, w.clone()).await {
        Ok(()) => Ok(see_other(ctx, "/assessment")),
        Err(AppError::Invalid(_)) => Ok(refused(ctx, &w, ctx.t("weights.not_whole"))),
        Err(e) => Err(ctx.fail(e)),
    }
}
