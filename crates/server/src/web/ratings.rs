//! 好差评 pages: satisfaction per window, department, staff member, item or site
//! (`/ratings/satisfaction`); the rectifications bad ratings open, with the department's
//! forms (核实, 整改, 反馈, 申诉) and the rater's (accept, rate again) on each one
//! (`/ratings/rectifications/{id}`); the rater's own (`/ratings/mine`); appeals and the
//! supervisor's review (`/ratings/appeals`). Plain forms: no JavaScript needed.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::{Action, role_may};
use tongban_core::identity::Role;
use tongban_core::rating::appeal::Verdict;
use tongban_core::rating::rectification::{Stage, Step};
use tongban_core::rating::{Level, RatingChannel};

use crate::AppState;
use crate::app::AppError;
use crate::app::ratings::{self as use_case, By, RectificationRow};
use crate::web::chart::{self, Bar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::page;
use crate::web::view;

/// Rows charted (the table lists all).
const CHARTED_ROWS: usize = 20;

/// `?by=&from=&to=` of the satisfaction page (dates `YYYY-MM-DD`, China Standard Time).
#[derive(Debug, Default, Deserialize)]
pub struct SatisfactionQuery {
    /// `window`, `department`, `staff`, `item` or `site`.
    pub by: Option<String>,
    /// From, inclusive.
    pub from: Option<String>,
    /// To, exclusive.
    pub to: Option<String>,
}

/// `?done=` after a redirect.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// The notice to show.
    pub done: Option<String>,
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn date(text: Option<&str>) -> Option<jiff::Timestamp> {
    let d: jiff::civil::Date = text?.trim().parse().ok()?;
    d.to_zoned(tongban_core::calendar::CHINA_STANDARD_TIME.to_time_zone()).ok().map(|z| z.timestamp())
}

fn level_label(ctx: &Ctx, score: u8) -> String {
    format!("{} ({score})", ctx.t(&format!("rating.{score}")))
}

/// `GET /ratings/satisfaction` — satisfaction by grouping over a period (this month by
/// default), as a chart of rates and a table.
pub async fn satisfaction(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SatisfactionQuery>,
) -> Result<Response, WebError> {
    crate::app::authorize(&ctx.principal, Action::ReadFigures).map_err(|e| ctx.fail(e))?;
    let by = By::parse(q.by.as_deref().filter(|b| !b.is_empty()).unwrap_or("window")).map_err(|e| ctx.fail(e))?;
    let now = state.now();
    let from = date(q.from.as_deref()).unwrap_or_else(|| use_case::month_start(now));
    let to = date(q.to.as_deref()).unwrap_or(now);
    let rows = use_case::satisfaction(&state, Some(&ctx.principal), from, to, by).await.map_err(|e| ctx.fail(e))?;
    let local = |t: jiff::Timestamp| tongban_core::calendar::local_date(t).to_string();
    let bars: Vec<Bar> = rows
        .iter()
        .take(CHARTED_ROWS)
        .map(|r| Bar { label: r.name.clone(), value: r.rated, rate: Some(r.rate) })
        .collect();
    let body = html! {
        h1 { (ctx.t("rt.satisfaction")) }
        (nav(&ctx))
        form.filters method="get" action="/ratings/satisfaction" {
            label { (ctx.t("rt.by")) " "
                select name="by" {
                    @for b in By::ALL {
                        option value=(b.as_str()) selected[b == by] { (ctx.t(&format!("rt_by.{}", b.as_str()))) }
                    }
                }
            }
            label { " " (ctx.t("rt.from")) " " input type="date" name="from" value=(local(from)); }
            label { " " (ctx.t("rt.to")) " " input type="date" name="to" value=(local(to)); }
            " " button type="submit" { (ctx.t("rt.show")) }
        }
        @if rows.is_empty() {
            p { (ctx.t("rt.none")) }
        } @else {
            (chart::bars("satisfaction", ctx.t("rt.satisfaction"), ctx.t("rt.chart_desc"), &bars))
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t(&format!("rt_by.{}", by.as_str()))) }
                    th scope="col" { (ctx.t("rt.rated")) }
                    th scope="col" { (ctx.t("rt.satisfied")) }
                    th scope="col" { (ctx.t("rt.rate")) }
                    th scope="col" { (ctx.t("rt.average")) }
                } }
                tbody { @for r in &rows { tr {
                    td { (r.name) @if r.name != r.key { " (" (r.key) ")" } }
                    td { (r.rated) } td { (r.satisfied) } td { (pct(r.rate)) } td { (format!("{:.2}", r.average)) }
                } } }
            } }
        }
    };
    Ok(page(&ctx, ctx.t("rt.satisfaction"), body))
}

fn nav(ctx: &Ctx) -> Markup {
    let role = ctx.role();
    html! {
        nav.filters { ul {
            @if role_may(role, Action::ReadFigures) { li { a href="/ratings/satisfaction" { (ctx.t("rt.satisfaction")) } } }
            @if role_may(role, Action::ReadSupervision) {
                li { a href="/ratings/rectifications" { (ctx.t("rt.rectifications")) } }
                li { a href="/ratings/appeals" { (ctx.t("rt.appeals")) } }
            }
            @if role == Role::Applicant { li { a href="/ratings/mine" { (ctx.t("rt.mine")) } } }
        } }
    }
}

fn list(ctx: &Ctx, rows: &[RectificationRow]) -> Markup {
    html! {
        @if rows.is_empty() { p { (ctx.t("rt.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (ctx.t("rt.case")) } th scope="col" { (ctx.t("rt.score")) }
                    th scope="col" { (ctx.t("rt.stage")) } th scope="col" { (ctx.t("rt.due")) }
                } }
                tbody { @for x in rows { tr {
                    td { a href=(format!("/ratings/rectifications/{}", x.rectification_id)) { (x.case_number) } }
                    td { (level_label(ctx, x.score)) }
                    td { (ctx.t(&format!("rt_stage.{}", x.stage)))
                        @if x.overdue_at.is_some() { " " strong.overdue { (ctx.t("rt.overdue")) } } }
                    td { @if let Some(d) = x.due_at { (view::time(d)) } }
                } } }
            } }
        }
    }
}

/// `GET /ratings/rectifications` — the department's (or, for overseers, all) rectifications.
pub async fn rectifications(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let rows = use_case::rectifications(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("rt.rectifications")) }
        (nav(&ctx))
        (view::done_notice(&ctx, q.done.as_deref()))
        p.lead { (ctx.t("rt.lead")) }
        (list(&ctx, &rows))
    };
    Ok(page(&ctx, ctx.t("rt.rectifications"), body))
}

/// `GET /ratings/mine` — the rater's rectifications: what the departments told them.
pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let rows = use_case::rectifications_of_rater(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! { h1 { (ctx.t("rt.mine")) } (nav(&ctx)) (list(&ctx, &rows)) };
    Ok(page(&ctx, ctx.t("rt.mine"), body))
}

fn step_form(ctx: &Ctx, id: i64, step: Step) -> Markup {
    let (label, button) = match step {
        Step::Verify => ("rt.verification", "rt.verify"),
        Step::Rectify => ("rt.measures", "rt.rectify"),
        _ => ("rt.feedback", "rt.feed_back"),
    };
    html! {
        form.stack method="post" action=(format!("/ratings/rectifications/{id}/{}", step.as_str())) {
            (view::csrf(ctx))
            (view::textarea(ctx.t(label), "text", "", &FieldErrors::default(), true, step.as_str()))
            button.primary type="submit" { (ctx.t(button)) }
        }
    }
}

/// `GET /ratings/rectifications/{id}` — one rectification with the forms its viewer may use.
pub async fn rectification(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("rectification {id}"))))?;
    let (x, rating) = use_case::rectification(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    let appeals = use_case::appeals_of(&state, &ctx.principal, x.rating_id).await.map_err(|e| ctx.fail(e))?;
    let stage = Stage::parse(&x.stage).unwrap_or(Stage::Opened);
    let role = ctx.role();
    let rater = ctx.principal.account.as_ref().is_some_and(|a| a.id == rating.rater);
    let department_step = match stage {
        Stage::Opened => Some(Step::Verify),
        Stage::Verified => Some(Step::Rectify),
        Stage::Rectified => Some(Step::FeedBack),
        _ => None,
    }
    .filter(|_| role_may(role, Action::Rectify));
    let may_appeal = appeals.is_empty() && matches!(role, Role::DepartmentHead | Role::Approver);
    let body = html! {
        h1 { (ctx.t("rt.rectification")) " " (x.case_number) }
        (nav(&ctx))
        (view::done_notice(&ctx, q.done.as_deref()))
        dl.facts {
            dt { (ctx.t("rt.case")) } dd { a href=(format!("/cases/{}", x.case_number)) { (x.case_number) } }
            dt { (ctx.t("rt.channel")) } dd { (ctx.t(&format!("rt_channel.{}", rating.channel))) }
            dt { (ctx.t("rt.score")) } dd { (level_label(&ctx, x.score)) }
            @if !rating.comment.is_empty() { dt { (ctx.t("rt.comment")) } dd { (rating.comment) } }
            dt { (ctx.t("rt.stage")) } dd { (ctx.t(&format!("rt_stage.{}", x.stage))) }
            dt { (ctx.t("rt.opened")) } dd { (view::time(x.opened_at)) }
            @if let Some(d) = x.due_at { dt { (ctx.t("rt.due")) } dd { (view::time(d)) } }
            @if x.overdue_at.is_some() { dt { (ctx.t("rt.overdue")) } dd { (ctx.t("rt.overdue_note")) } }
            @if let Some(t) = &x.verification { dt { (ctx.t("rt.verification")) } dd { (t) } }
            @if let Some(t) = &x.measures { dt { (ctx.t("rt.measures")) } dd { (t) } }
            @if let Some(t) = &x.feedback { dt { (ctx.t("rt.feedback")) } dd { (t) } }
        }
        @if let Some(step) = department_step { (step_form(&ctx, id, step)) }
        @if stage == Stage::FedBack && rater {
            form.stack method="post" action=(format!("/ratings/rectifications/{id}/accept")) {
                (view::csrf(&ctx))
                button.primary type="submit" { (ctx.t("rt.accept")) }
            }
            form.stack method="post" action=(format!("/ratings/rectifications/{id}/rerate")) {
                (view::csrf(&ctx))
                label { (ctx.t("rt.rerate_score")) " "
                    select name="score" { @for l in Level::ALL.iter().rev() { option value=(l.score()) { (level_label(&ctx, l.score())) } } }
                }
                button type="submit" { (ctx.t("rt.rerate")) }
            }
        }
        @for a in &appeals {
            h2 { (ctx.t("rt.appeal")) }
            dl.facts {
                dt { (ctx.t("rt.reasons")) } dd { (a.reasons) }
                dt { (ctx.t("rt.verdict")) } dd { (ctx.t(&format!("rt_verdict.{}", a.verdict))) }
                @if let Some(n) = &a.note { dt { (ctx.t("rt.note")) } dd { (n) } }
            }
        }
        @if may_appeal {
            form.stack method="post" action=(format!("/ratings/{}/appeal", x.rating_id)) {
                (view::csrf(&ctx))
                (view::textarea(ctx.t("rt.reasons"), "reasons", "", &FieldErrors::default(), true, "appeal"))
                button type="submit" { (ctx.t("rt.appeal")) }
            }
        }
    };
    Ok(page(&ctx, ctx.t("rt.rectification"), body))
}

fn back(ctx: &Ctx, to: String) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)]))
}

/// `POST /ratings/rectifications/{id}/{step}` — verify, rectify, feed back, accept or rerate.
pub async fn step(
    State(state): State<AppState>,
    Path((id, step)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("rectification {id}"))))?;
    if step == "rerate" {
        let (_, rating) = use_case::rectification(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
        let number = tongban_core::case::CaseNumber::parse(&rating.case_number)
            .map_err(|e| ctx.fail(AppError::Internal(e.to_string())))?;
        let channel = RatingChannel::parse(&rating.channel).map_err(|e| ctx.fail(AppError::from(e)))?;
        let score = fields.get("score").parse().unwrap_or(0);
        use_case::rate(&state, &ctx.principal, &number, channel, score, fields.get("comment"))
            .await
            .map_err(|e| ctx.fail(e))?;
    } else {
        let step = Step::parse(&step)
            .filter(|s| *s != Step::Rerate)
            .ok_or_else(|| ctx.fail(AppError::NotFound(format!("no step {step}"))))?;
        use_case::rectify(&state, &ctx.principal, id, step, fields.get("text")).await.map_err(|e| ctx.fail(e))?;
    }
    Ok(back(&ctx, format!("/ratings/rectifications/{id}?done=rating_step")))
}

/// `POST /ratings/{rating}/appeal` — the department appeals a rating.
pub async fn appeal(
    State(state): State<AppState>,
    Path(rating): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let rating: i64 = rating.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("rating {rating}"))))?;
    use_case::appeal_rating(&state, &ctx.principal, rating, fields.get("reasons")).await.map_err(|e| ctx.fail(e))?;
    Ok(back(&ctx, "/ratings/appeals?done=rating_appealed".to_owned()))
}

/// `GET /ratings/appeals` — appeals, with the supervisor's review forms on pending ones.
pub async fn appeals(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let rows = use_case::appeals(&state, &ctx.principal, None).await.map_err(|e| ctx.fail(e))?;
    let reviewer = role_may(ctx.role(), Action::ReviewAppeal);
    let body = html! {
        h1 { (ctx.t("rt.appeals")) }
        (nav(&ctx))
        (view::done_notice(&ctx, q.done.as_deref()))
        @if rows.is_empty() { p { (ctx.t("rt.none")) } }
        @for a in &rows {
            section.record {
                dl.facts {
                    dt { (ctx.t("rt.rating")) } dd { (a.rating_id) }
                    dt { (ctx.t("rt.department")) } dd { (a.department) }
                    dt { (ctx.t("rt.reasons")) } dd { (a.reasons) }
                    dt { (ctx.t("rt.appealed")) } dd { (a.appealed_by) " " (view::time(a.appealed_at)) }
                    dt { (ctx.t("rt.verdict")) } dd { (ctx.t(&format!("rt_verdict.{}", a.verdict))) }
                    @if let Some(n) = &a.note { dt { (ctx.t("rt.note")) } dd { (n) } }
                }
                @if reviewer && a.verdict == Verdict::Pending.as_str() {
                    form.stack method="post" action=(format!("/ratings/appeals/{}/review", a.appeal_id)) {
                        (view::csrf(&ctx))
                        (view::textarea(ctx.t("rt.note"), "note", "", &FieldErrors::default(), true, &a.appeal_id.to_string()))
                        button.primary type="submit" name="verdict" value="upheld" { (ctx.t("rt.uphold")) }
                        " "
                        button type="submit" name="verdict" value="rejected" { (ctx.t("rt.reject")) }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("rt.appeals"), body))
}

/// `POST /ratings/appeals/{id}/review` — a supervisor upholds or rejects an appeal.
pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("appeal {id}"))))?;
    let verdict = Verdict::parse(fields.get("verdict"))
        .filter(|v| *v != Verdict::Pending)
        .ok_or_else(|| ctx.fail(AppError::BadParameter("verdict must be upheld or rejected".into())))?;
    use_case::review_appeal(&state, &ctx.principal, id, verdict, fields.get("note")).await.map_err(|e| ctx.fail(e))?;
    Ok(back(&ctx, "/ratings/appeals?done=appeal_reviewed".to_owned()))
}

/// The rating pages' routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/ratings/satisfaction", get(satisfaction))
        .route("/ratings/rectifications", get(rectifications))
        .route("/ratings/mine", get(mine))
        .route("/ratings/rectifications/{id}", get(rectification))
        .route("/ratings/rectifications/{id}/{step}", post(step))
        .route("/ratings/{rating}/appeal", post(appeal))
        .route("/ratings/appeals", get(appeals))
        .route("/ratings/appeals/{id}/review", post(review))
}
