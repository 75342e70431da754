//! `/surveys` — the democratic evaluation surveys (民主评议), newest first, each linked to its
//! form; an administrator opens the month's survey here.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::access::{Action, role_may};
use tongban_core::assessment::Period;

use super::see_other;
use crate::AppState;
use crate::app::assessment::ledger;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::layout::page;
use crate::web::view;

fn render(ctx: &Ctx, surveys: &[(String, String)]) -> Markup {
    html! {
        h1 { (ctx.t("survey.list")) }
        @if surveys.is_empty() { p { (ctx.t("survey.none")) } } @else {
            ul { @for (period, title) in surveys { li { a href=(format!("/surveys/{period}")) { (title) } " (" (period) ")" } } }
        }
        @if role_may(ctx.role(), Action::ConfigureAssessment) {
            section {
                h2 { (ctx.t("survey.open")) }
                form.search method="post" action="/surveys" {
                    (view::csrf(ctx))
                    div.field { label for="o-period" { (ctx.t("assess.period")) } input id="o-period" name="period" type="month" required; }
                    div.field { label for="o-title" { (ctx.t("survey.title")) } input id="o-title" name="title" required; }
                    button type="submit" { (ctx.t("survey.open")) }
                }
            }
        }
    }
}

/// `GET /surveys`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let surveys = ledger::surveys(&state).await.map_err(|e| ctx.fail(e))?;
    let rows: Vec<(String, String)> = surveys.into_iter().map(|s| (s.period, s.title)).collect();
    Ok(page(&ctx, ctx.t("survey.list"), render(&ctx, &rows)))
}

/// `POST /surveys`: opens the month's survey and shows it.
pub async fn open(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = &posted.ctx;
    let period = Period::parse(posted.fields.get("period"))
        .map_err(|e| ctx.fail(crate::app::AppError::Invalid(vec![("period".into(), e.to_string())])))?;
    ledger::open_survey(&state, &ctx.principal, period, posted.fields.get("title")).await.map_err(|e| ctx.fail(e))?;
    Ok(see_other(ctx, &format!("/surveys/{period}")))
}
