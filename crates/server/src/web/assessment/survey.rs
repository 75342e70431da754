//! `/surveys/{period}` — the month's democratic evaluation (民主评议): anyone grades a window,
//! department, person or site from 1 (差) to 5 (优秀). Service users answer here without an
//! account; staff and leaders answer logged in, as their department or as leaders.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::assessment::{Grouping, Period};

use super::see_other;
use crate::AppState;
use crate::app::AppError;
use crate::app::assessment::ledger::{self, Answer};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::page;
use crate::web::view;

/// What the form holds: as typed after a refusal, empty at first.
#[derive(Debug, Clone, Default)]
pub(super) struct Typed<'a> {
    /// `window`, `department`, `staff` or `site`.
    pub kind: &'a str,
    /// The code of what is graded.
    pub code: &'a str,
    /// The grade, 1–5, if one was chosen.
    pub grade: Option<i64>,
    /// The comment.
    pub comment: &'a str,
}

/// The page's body: the form (keeping what was typed), its errors, and thanks once answered.
/// `subjects` (code, name) are offered as suggestions for the code: the windows and the
/// departments, so that a service user need not know a window's code.
pub(super) fn render(
    ctx: &Ctx,
    period: &str,
    title: &str,
    errors: &FieldErrors,
    thanked: bool,
    typed: &Typed<'_>,
    subjects: &[(String, String)],
) -> Markup {
    html! {
        h1 { (title) }
        p { (ctx.tf("survey.intro", &[("period", period)])) }
        @if thanked { p.notice role="status" { (ctx.t("survey.thanks")) } }
        (view::form_error(errors))
        form method="post" action=(format!("/surveys/{period}")) {
            (view::csrf(ctx))
            div.field {
                label for="s-kind" { (ctx.t("survey.kind")) }
                select id="s-kind" name="subject_kind" {
                    @for g in Grouping::ALL {
                        option value=(g.as_str()) selected[typed.kind == g.as_str()] { (ctx.t(&format!("assess.by_{}", g.as_str()))) }
                    }
                }
            }
            (view::input(ctx.t("survey.code"), "subject_code", typed.code, errors, view::Input { required: true, list: Some("survey-subjects"), ..view::Input::default() }))
            datalist id="survey-subjects" {
                @for (code, name) in subjects { option value=(code) { (name) } }
            }
            fieldset {
                legend { (ctx.t("survey.grade")) }
                @for g in (1..=5).rev() {
                    label { input type="radio" name="grade" value=(g) required[g == 5] checked[typed.grade == Some(g)]; " " (ctx.t(&format!("survey.grade_{g}"))) }
                }
                (view::field_error(errors, "grade"))
            }
            div.field {
                label for="s-comment" { (ctx.t("survey.comment")) }
                textarea id="s-comment" name="comment" maxlength="500" { (typed.comment) }
            }
            button type="submit" { (ctx.t("survey.submit")) }
        }
    }
}

/// The windows and departments, by code, to suggest.
async fn subjects(state: &AppState, ctx: &Ctx) -> Result<Vec<(String, String)>, WebError> {
    let windows = crate::app::public::windows(state).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    Ok(windows.into_iter().map(|w| (w.code.to_string(), w.name)).chain(departments).collect())
}

async fn title_of(state: &AppState, ctx: &Ctx, period: &str) -> Result<String, WebError> {
    let surveys = ledger::surveys(state).await.map_err(|e| ctx.fail(e))?;
    surveys
        .into_iter()
        .find(|s| s.period == period)
        .map(|s| s.title)
        .ok_or_else(|| ctx.fail(AppError::NotFound(format!("no survey for {period}"))))
}

/// `GET /surveys/{period}`.
pub async fn survey(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(period): Path<String>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let title = title_of(&state, &ctx, &period).await?;
    let thanked = q.contains_key("done");
    let subjects = subjects(&state, &ctx).await?;
    let body = render(&ctx, &period, &title, &FieldErrors::default(), thanked, &Typed::default(), &subjects);
    Ok(page(&ctx, &title, body))
}

/// `POST /surveys/{period}`: answered, back with thanks; refused, the form again with why.
pub async fn answer(
    State(state): State<AppState>,
    Path(period): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = &posted.ctx;
    let title = title_of(&state, ctx, &period).await?;
    let parsed = Period::parse(&period).map_err(|e| ctx.fail(AppError::NotFound(e.to_string())))?;
    let f = &posted.fields;
    let mut errors = FieldErrors::default();
    let grade = f.get("grade").parse::<i64>().unwrap_or(0);
    let a = Answer {
        subject_kind: f.get("subject_kind").to_owned(),
        subject_code: f.get("subject_code").to_owned(),
        grade,
        comment: f.get("comment").to_owned(),
    };
    match ledger::answer_survey(&state, &ctx.principal, parsed, a).await {
        Ok(()) => return Ok(see_other(ctx, &format!("/surveys/{period}?done"))),
        Err(AppError::Invalid(fields)) => {
            for (field, _) in fields {
                let key = if field == "grade" { "survey.bad_grade" } else { "survey.bad_subject" };
                errors.add(if field == "grade" { "grade" } else { "subject_code" }, ctx.t(key));
            }
        }
        Err(AppError::Conflict(_)) => errors.add("", ctx.t("survey.closed_or_twice")),
        Err(e) => return Err(ctx.fail(e)),
    }
    let typed = Typed {
        kind: f.get("subject_kind"),
        code: f.get("subject_code"),
        grade: (1..=5).contains(&grade).then_some(grade),
        comment: f.get("comment"),
    };
    let subjects = subjects(&state, ctx).await?;
    let body = render(ctx, &period, &title, &errors, false, &typed, &subjects);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(ctx, &title, body)).into_response())
}
