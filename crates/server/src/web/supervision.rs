//! The supervision pages (电子监察): the green / yellow / red board of running cases (also as a
//! wall screen that reloads itself), alerts with their escalation level, accountability
//! records with the department's answer and the supervisor's conclusion, figures by
//! department, window, person and item with their charts, and the other watched conditions.
//!
//! The center's supervisors, leaders and administrators see everything; a department head
//! sees the department's; other department staff see its alerts and accountability records.
//! Every rule is in [`crate::app`], shared with the JSON API; these pages parse and draw.
//! The board lives on the server that holds the supervision lease: elsewhere it is empty,
//! and the page says so.

use std::collections::HashMap;

use crate::app::{AccountabilityRow, ItemFilter};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::supervision::{Colour, Figures, GroupBy, GroupKey, Period};

use super::chart::{self, HBar};
use super::ctx::Ctx;
use super::error::{WebError, encode};
use super::form::{FieldErrors, Fields, Posted};
use super::layout::{page, page_with, tabs, wall};
use super::portal::department_name;
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::problem::ApiError;
use tongban_core::access::{Action, role_may};

/// Seconds between reloads of the board.
pub const REFRESH_SECONDS: u32 = 60;
/// Yellow and red cases drawn on the board at most.
const BOARD_CASES: usize = 300;
/// Rows of a long list shown at most.
const SHOWN: usize = 500;
/// Groups drawn in a chart at most (the table has them all).
const CHARTED: usize = 15;

/// The pages of the section: (href, message key, what a role needs to see it).
const SECTION: &[(&str, &str, Action)] = &[
    ("/supervision", "sup.board", Action::Supervise),
    ("/supervision/alerts", "sup.alerts", Action::ReadSupervision),
    ("/supervision/accountability", "sup.accountability", Action::ReadSupervision),
    ("/supervision/figures", "sup.figures", Action::Supervise),
    ("/supervision/concerns", "sup.concerns", Action::Supervise),
    ("/supervision/projects", "sup.projects", Action::ReadProjects),
    ("/admin/rules", "sup.rules", Action::ConfigureSupervision),
];

pub(super) fn section_tabs(ctx: &Ctx) -> Markup {
    let links: Vec<(&str, &str)> =
        SECTION.iter().filter(|(_, _, a)| role_may(ctx.role(), *a)).map(|(h, k, _)| (*h, *k)).collect();
    tabs(ctx, ctx.t("sup.section"), &links)
}

/// Refuses the page unless the role may `action`.
fn allow(ctx: &Ctx, action: Action) -> Result<(), WebError> {
    app::authorize(&ctx.principal, action).map_err(|e| ctx.fail(e))
}

/// The department a department head is limited to; none for the center's overseers.
fn own_department(ctx: &Ctx) -> Option<String> {
    app::own_department(&ctx.principal)
}

fn person(names: &HashMap<String, String>, id: &str) -> String {
    match names.get(id) {
        Some(n) if n != id => format!("{n} ({id})"),
        _ => id.to_owned(),
    }
}

/// A stored moment (RFC 3339) as a `<time>`, or as stored when it does not parse.
fn stored_time(text: &str) -> Markup {
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => view::time(t),
        Err(_) => html! { (text) },
    }
}

fn colour_label(ctx: &Ctx, colour: &str) -> Markup {
    html! { span class=(format!("level-{colour}")) { span.dot aria-hidden="true" {} " " (ctx.t(&format!("level.{colour}"))) } }
}

/// `?wall=1&done=` of the board.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    /// Draw for a wall screen: no navigation, large type.
    #[serde(default)]
    pub wall: Option<String>,
}

/// `GET /supervision` — the board; `?wall=1` for a wall screen.
pub async fn board(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Response, WebError> {
    let (b, running) = app::scoped_board(&state, &ctx.principal, BOARD_CASES).await.map_err(|e| ctx.fail(e))?;
    let mine = own_department(&ctx);
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let items =
        super::hall::item_names(&state, b.cases.iter().filter_map(|(n, _, _)| running.get(n)).map(|t| &t.case.item))
            .await
            .map_err(|e| ctx.fail(e))?;
    let is_wall = q.wall.as_deref().is_some_and(|w| !w.is_empty() && w != "0");
    let total = b.green + b.yellow + b.red;
    let body = html! {
        h1 { (ctx.t("sup.board_title")) }
        (super::admin::calendar_warning(&ctx, &ctx.calendar, tongban_core::calendar::local_date(state.now())))
        @if !is_wall { (section_tabs(&ctx)) }
        @if let Some(d) = &mine {
            p.scope { (ctx.tf("sup.only_department", &[("department", department_name(&departments, d))])) }
        }
        @if !b.present {
            div.notice.error role="status" {
                p { strong { (ctx.t("sup.not_here")) } }
                p { (ctx.t("sup.not_here_text")) }
            }
        } @else {
            p.status role="status" {
                (ctx.t("sup.worker_here"))
                @if let Some(t) = b.last_tick { " · " (ctx.t("sup.last_tick")) " " (view::time(t)) }
                " · " (ctx.tf("sup.refreshes", &[("s", &REFRESH_SECONDS.to_string())]))
            }
        }
        @if let Some(e) = &b.last_error { div.notice.error role="alert" { (ctx.t("sup.last_error")) ": " (e) } }
        ul.lights aria-label=(ctx.t("sup.counts")) {
            li.light.green { span.k { (b.green) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.green")) } }
            li.light.yellow { span.k { (b.yellow) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.yellow")) } }
            li.light.red { span.k { (b.red) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.red")) } }
            li.light.all { span.k { (total) } span.l { (ctx.t("sup.running")) } }
        }
        @if !is_wall {
            p.actions { a.button href="/supervision?wall=1" { (ctx.t("sup.wall")) } }
        }
        h2 { (ctx.t("sup.attention")) " " span.count { "(" (b.yellow + b.red) ")" } }
        @if b.cases.is_empty() {
            p { (ctx.t("sup.all_green")) }
        } @else {
            @if b.yellow + b.red > b.cases.len() {
                p.hint { (ctx.tf("sup.first_n", &[("n", &b.cases.len().to_string())])) }
            }
            ul.wall-grid {
                @for (number, colour, next) in &b.cases {
                    @let t = running.get(number);
                    li class=(format!("case-tile tile-{}", colour.as_str())) {
                        a href=(format!("/cases/{number}")) {
                            span.num { (number) }
                            span.sr-only { " " (ctx.t(&format!("level.{}", colour.as_str()))) }
                        }
                        span.light-label aria-hidden="true" { (ctx.t(&format!("level.{}", colour.as_str()))) }
                        @if let Some(t) = t {
                            span.what { (items.iter().find(|(k, _)| k == t.case.item.as_str()).map_or(t.case.item.as_str(), |(_, n)| n.as_str())) }
                            span.who { (department_name(&departments, &t.department)) " · " (person(&names, &t.case.owner)) }
                            @if t.case.due_at.is_some() { span.due { (ctx.t("case.due")) " " (view::case_due(&ctx, &t.case, "")) } }
                        }
                        // When a suspension moved it, the moment the case turns red is not its due time.
                        @if let Some(n) = next.filter(|n| *colour == Colour::Yellow && t.and_then(|t| t.case.due_at).is_none_or(|d| n.duration_since(d).as_secs().abs() >= 60)) {
                            span.next { (ctx.t("sup.red_at")) " " (view::time(n)) }
                        }
                    }
                }
            }
        }
    };
    let title = ctx.t("sup.board_title");
    Ok(if is_wall {
        wall(&ctx, title, body, REFRESH_SECONDS)
    } else {
        page_with(&ctx, title, body, Some(REFRESH_SECONDS))
    })
}

/// `GET /supervision/alerts`.
pub async fn alerts(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let rows = app::alerts(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let count = |f: &dyn Fn(&crate::app::AlertRow) -> bool| rows.iter().filter(|a| f(a)).count();
    let body = html! {
        h1 { (ctx.t("sup.alerts_title")) }
        (section_tabs(&ctx))
        p.lead { (ctx.t("sup.alerts_lead")) }
        ul.kpis {
            li { span.k { (rows.len()) } span.l { (ctx.t("sup.alerts_all")) } }
            li { span.k { (count(&|a| a.colour == "red")) } span.l { (ctx.t("level.red")) } }
            li { span.k { (count(&|a| a.level == "chief")) } span.l { (ctx.t("escalation.chief")) } }
            li { span.k { (count(&|a| a.level == "supervisor")) } span.l { (ctx.t("escalation.supervisor")) } }
        }
        @if rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if rows.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("sup.alerts_title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("sup.colour")) }
                        th scope="col" { (ctx.t("sup.since")) }
                        th scope="col" { (ctx.t("sup.owner")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("sup.raised")) }
                        th scope="col" { (ctx.t("sup.level")) }
                    } }
                    tbody {
                        @for a in rows.iter().take(SHOWN) {
                            tr {
                                td { a href=(format!("/cases/{}", a.case_number)) { (a.case_number) } }
                                td { (colour_label(&ctx, &a.colour)) }
                                td { (stored_time(&a.since)) }
                                td { (person(&names, &a.owner)) }
                                td { (department_name(&departments, &a.department)) }
                                td { (stored_time(&a.raised_at)) }
                                td {
                                    span class=(format!("badge escalation-{}", a.level)) { (ctx.t(&format!("escalation.{}", a.level))) }
                                    @if let Some(at) = &a.escalated_at { " " span.when { (stored_time(at)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("sup.alerts_title"), body))
}

/// `?state=&done=` of the accountability page.
#[derive(Debug, Default, Deserialize)]
pub struct AccountabilityQuery {
    /// `open`, `answered`, `closed`; all when none.
    pub state: Option<String>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

/// The form of one record being shown again: (case number, since, what was typed, errors).
type FailedStep<'a> = Option<(&'a str, &'a str, &'a Fields, &'a FieldErrors)>;

const RECORD_STATES: [&str; 3] = ["open", "answered", "closed"];

fn record_id(r: &AccountabilityRow) -> String {
    format!("rec-{}-{}", r.case_number, r.since).replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-")
}

/// One accountability record with the form its viewer may use on it.
fn record(
    ctx: &Ctx,
    r: &AccountabilityRow,
    departments: &[(String, String)],
    names: &HashMap<String, String>,
    failed: FailedStep<'_>,
) -> Markup {
    let id = record_id(r);
    let role = ctx.role();
    let answer_here = r.state == "open"
        && role_may(role, Action::AnswerAccountability)
        && app::may_see_department(&ctx.principal, &r.department);
    let close_here = r.state == "answered" && role_may(role, Action::CloseAccountability);
    let mine = failed.filter(|(n, s, _, _)| *n == r.case_number && *s == r.since);
    let no_errors = FieldErrors::default();
    let (typed, errors) = mine.map_or(("", &no_errors), |(_, _, f, e)| (f.get("text"), e));
    let form = |step: &str, label: &str, button: &str| {
        html! {
            form.stack method="post" action=(format!("/supervision/accountability/{}/{step}", r.case_number)) novalidate {
                (view::csrf(ctx))
                input type="hidden" name="since" value=(r.since);
                (view::textarea(label, "text", typed, errors, true, &id))
                button.primary type="submit" { (button) }
            }
        }
    };
    html! {
        article.record id=(id) {
            header {
                h3 { a href=(format!("/cases/{}", r.case_number)) { (r.case_number) } }
                span class=(format!("badge acct-{}", r.state)) { (ctx.t(&format!("acct_state.{}", r.state))) }
            }
            dl.facts {
                dt { (ctx.t("item.department")) } dd { (department_name(departments, &r.department)) }
                dt { (ctx.t("sup.owner")) } dd { (person(names, &r.owner)) }
                dt { (ctx.t("acct.red_since")) } dd { (stored_time(&r.since)) }
                dt { (ctx.t("acct.opened")) } dd { (stored_time(&r.opened_at)) }
                @if let Some(a) = &r.answer {
                    dt { (ctx.t("acct.answer")) }
                    dd { p.statement { (a) } span.when { (r.answered_by.as_deref().map(|b| person(names, b)).unwrap_or_default()) @if let Some(t) = &r.answered_at { " · " (stored_time(t)) } } }
                }
                @if let Some(c) = &r.conclusion {
                    dt { (ctx.t("acct.conclusion")) }
                    dd { p.statement { (c) } span.when { (r.closed_by.as_deref().map(|b| person(names, b)).unwrap_or_default()) @if let Some(t) = &r.closed_at { " · " (stored_time(t)) } } }
                }
            }
            @if answer_here { (form("answer", ctx.t("acct.answer_label"), ctx.t("acct.answer_submit"))) }
            @if close_here { (form("close", ctx.t("acct.close_label"), ctx.t("acct.close_submit"))) }
        }
    }
}

async fn accountability_page(
    state: &AppState,
    ctx: &Ctx,
    q: &AccountabilityQuery,
    failed: FailedStep<'_>,
) -> Result<Response, WebError> {
    let all = app::accountability_records(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let wanted = q.state.as_deref().filter(|s| RECORD_STATES.contains(s));
    let mut shown: Vec<&AccountabilityRow> = all.iter().filter(|r| wanted.is_none_or(|s| r.state == s)).collect();
    // The ones waiting on someone first: open, then answered, then closed; newest first within.
    shown.sort_by_key(|r| RECORD_STATES.iter().position(|s| *s == r.state).unwrap_or(3));
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("acct.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("acct.lead")) }
        (view::done_notice(ctx, q.done.as_deref()))
        @if let Some((_, _, _, e)) = failed {
            @if let Some(m) = e.get("") {
                div.notice.error role="alert" { (m) }
            } @else if !e.is_empty() {
                div.notice.error role="alert" { (ctx.t("err.see_fields")) }
            }
        }
        nav.filters aria-label=(ctx.t("acct.filter")) {
            ul {
                li { @if wanted.is_none() { a href="/supervision/accountability" aria-current="true" { (ctx.t("acct.all")) " (" (all.len()) ")" } } @else { a href="/supervision/accountability" { (ctx.t("acct.all")) " (" (all.len()) ")" } } }
                @for s in RECORD_STATES {
                    @let n = all.iter().filter(|r| r.state == s).count();
                    li {
                        @if wanted == Some(s) {
                            a href=(format!("/supervision/accountability?state={s}")) aria-current="true" { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        } @else {
                            a href=(format!("/supervision/accountability?state={s}")) { (ctx.t(&format!("acct_state.{s}"))) " (" (n) ")" }
                        }
                    }
                }
            }
        }
        @if shown.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if shown.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.records {
                @for r in shown.iter().take(SHOWN) { (record(ctx, r, &departments, &names, failed)) }
            }
        }
    };
    Ok(page(ctx, ctx.t("acct.title"), body))
}

/// `GET /supervision/accountability`.
pub async fn accountability(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AccountabilityQuery>,
) -> Result<Response, WebError> {
    accountability_page(&state, &ctx, &q, None).await
}

async fn step(state: &AppState, number: &str, posted: Posted, close: bool) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may answer or close is checked before what they typed.
    let action = if close { Action::CloseAccountability } else { Action::AnswerAccountability };
    allow(&ctx, action)?;
    let since = fields.get("since").to_owned();
    let mut errors = FieldErrors::default();
    let text = fields.get("text").trim().to_owned();
    if text.is_empty() {
        errors.add("text", ctx.t("err.required"));
    } else {
        match app::accountability_step(state, &ctx.principal, number, &since, &text, close).await {
            Ok(()) => {
                let done = if close { "accountability_closed" } else { "accountability_answered" };
                let to = format!("/supervision/accountability?done={done}");
                return Ok(ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)])));
            }
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "text" { "text" } else { "" };
                    errors.add(field, if field == "text" { ctx.t("acct.text_invalid").to_owned() } else { m });
                }
            }
            Err(crate::app::AppError::Conflict(_)) => {
                errors.add("", ctx.t(if close { "acct.not_answered" } else { "acct.not_open" }));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let status = if errors.get("").is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let q = AccountabilityQuery::default();
    let response = accountability_page(state, &ctx, &q, Some((number, &since, &fields, &errors))).await?;
    Ok((status, response).into_response())
}

/// `POST /supervision/accountability/{number}/answer`.
pub async fn answer(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, false).await
}

/// `POST /supervision/accountability/{number}/close`.
pub async fn close(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    step(&state, &number, posted, true).await
}

/// `?by=&from=&until=` of the figures page, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FigureQuery {
    /// `department`, `window`, `staff` or `item`.
    #[serde(default)]
    pub by: String,
    /// First day (YYYY-MM-DD), China Standard Time.
    #[serde(default)]
    pub from: String,
    /// Last day, included.
    #[serde(default)]
    pub until: String,
}

/// The groupings the page offers.
const GROUPINGS: [&str; 4] = ["department", "window", "staff", "item"];

/// Midnight starting `date` in China Standard Time.
fn day_start(date: jiff::civil::Date) -> Result<jiff::Timestamp, jiff::Error> {
    tongban_core::calendar::CHINA_STANDARD_TIME.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
}

/// The period typed, with the errors beside its fields.
fn period_of(ctx: &Ctx, q: &FigureQuery, errors: &mut FieldErrors) -> Option<Period> {
    let mut day = |name: &str, text: &str| -> Option<jiff::civil::Date> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        text.parse::<jiff::civil::Date>().map_err(|_| errors.add(name, ctx.t("fig.bad_date"))).ok()
    };
    let (from, until) = (day("from", &q.from), day("until", &q.until));
    if !errors.is_empty() {
        return None;
    }
    let period = match (from, until) {
        (None, None) => return None,
        (Some(f), Some(u)) if f <= u => day_start(f)
            .ok()
            .zip(u.tomorrow().ok().and_then(|d| day_start(d).ok()))
            .map(|(from, until)| Period { from, until }),
        (Some(_), Some(_)) => {
            errors.add("until", ctx.t("fig.until_before"));
            None
        }
        (None, Some(_)) => {
            errors.add("from", ctx.t("fig.both"));
            None
        }
        (Some(_), None) => {
            errors.add("until", ctx.t("fig.both"));
            None
        }
    };
    if period.is_none() && errors.is_empty() {
        errors.add("from", ctx.t("fig.bad_date"));
    }
    period
}

/// Every item's name in the latest catalog, by code.
async fn all_item_names(state: &AppState) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    let mut page = 1;
    loop {
        let found = crate::app::public::items(state, &ItemFilter { page, per_page: 200, ..Default::default() }).await?;
        let done = found.items.is_empty() || out.len() + found.items.len() >= usize::try_from(found.total).unwrap_or(0);
        out.extend(found.items.into_iter().map(|r| (r.item.code.to_string(), r.item.name)));
        if done {
            return Ok(out);
        }
        page += 1;
    }
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

fn days(minutes: Option<f64>, per_day: i64) -> String {
    minutes.map_or_else(|| "–".to_owned(), |m| format!("{:.1}", m / per_day.max(1) as f64))
}

/// `GET /supervision/figures`.
pub async fn figures(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FigureQuery>,
) -> Result<Response, WebError> {
    allow(&ctx, Action::Supervise)?;
    let mut errors = FieldErrors::default();
    let by_name = if q.by.is_empty() { "department" } else { q.by.as_str() };
    let by = match GROUPINGS.contains(&by_name).then(|| app::group_by(by_name)) {
        Some(Ok(by)) => by,
        _ => {
            errors.add("by", ctx.t("fig.bad_by"));
            GroupBy::Department
        }
    };
    let period = period_of(&ctx, &q, &mut errors);
    let mine = own_department(&ctx);
    let rows = if errors.is_empty() {
        app::figures(&state, &ctx.principal, by, period, mine.as_deref()).await.map_err(|e| ctx.fail(e))?
    } else {
        Vec::new()
    };
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let windows: HashMap<String, String> = crate::app::public::windows(&state)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|(c, n, _)| (c, n))
        .collect();
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let items =
        if by == GroupBy::Item { all_item_names(&state).await.map_err(|e| ctx.fail(e))? } else { HashMap::new() };
    let label = |k: &GroupKey| -> String {
        match k {
            GroupKey::Center => ctx.t("fig.center").to_owned(),
            GroupKey::Department(d) => department_name(&departments, d.as_str()).to_owned(),
            GroupKey::Window(None) => ctx.t("fig.no_window").to_owned(),
            GroupKey::Window(Some(w)) => {
                windows.get(w.as_str()).map_or_else(|| w.to_string(), |n| format!("{n} ({w})"))
            }
            GroupKey::Staff(s) => names.get(s).cloned().unwrap_or_else(|| s.clone()),
            GroupKey::Item(i) => items.get(i.as_str()).cloned().unwrap_or_else(|| i.to_string()),
            GroupKey::Division(d) => d.to_string(),
        }
    };
    let mut ranked: Vec<&(GroupKey, Figures)> = rows.iter().collect();
    ranked.sort_by(|a, b| b.1.received.cmp(&a.1.received).then_with(|| a.0.cmp(&b.0)));
    let most = ranked.first().map_or(1, |r| r.1.received.max(1));
    let volume: Vec<HBar> = ranked
        .iter()
        .take(CHARTED)
        .map(|(k, f)| HBar {
            label: label(k),
            share: f.received as f64 / most as f64,
            text: f.received.to_string(),
            tone: None,
        })
        .collect();
    let rated: Vec<HBar> = ranked
        .iter()
        .filter_map(|(k, f)| f.on_time_rate().value().map(|r| (k, r)))
        .take(CHARTED)
        .map(|(k, r)| HBar {
            label: label(k),
            share: r,
            text: pct(Some(r)),
            tone: Some(if r >= 0.95 {
                "good"
            } else if r >= 0.8 {
                "fair"
            } else {
                "poor"
            }),
        })
        .collect();
    let (received, finished, on_time) =
        rows.iter().fold((0, 0, 0), |(r, f, o), (_, x)| (r + x.received, f + x.finished, o + x.on_time));
    let per_day = state.calendar().minutes_per_working_day();
    let csv = format!(
        "/api/v1/figures?by={by_name}&format=csv{}",
        period.map_or_else(String::new, |p| format!(
            "&from={}&until={}",
            encode(&p.from.to_string()),
            encode(&p.until.to_string())
        ))
    );
    let body = html! {
        h1 { (ctx.t("fig.title")) }
        (section_tabs(&ctx))
        @if let Some(d) = &mine {
            p.scope { (ctx.tf("sup.only_department", &[("department", department_name(&departments, d))])) }
        }
        form.search method="get" action="/supervision/figures" novalidate {
            div class=(if errors.get("by").is_some() { "field invalid" } else { "field" }) {
                label for="f-by" { (ctx.t("fig.by")) }
                select id="f-by" name="by" {
                    @for g in GROUPINGS {
                        option value=(g) selected[g == by_name] { (ctx.t(&format!("fig.by_{g}"))) }
                    }
                }
                (view::field_error(&errors, "by"))
            }
            (view::input(ctx.t("fig.from"), "from", &q.from, &errors, Input { kind: "date", ..Input::default() }))
            (view::input(ctx.t("fig.until"), "until", &q.until, &errors, Input { kind: "date", ..Input::default() }))
            button type="submit" { (ctx.t("fig.show")) }
        }
        @if errors.is_empty() {
            ul.kpis {
                li { span.k { (received) } span.l { (ctx.t("figures.received")) } }
                li { span.k { (finished) } span.l { (ctx.t("fig.finished")) } }
                li { span.k { (pct((finished > 0).then(|| on_time as f64 / finished as f64))) } span.l { (ctx.t("figures.on_time_rate")) } }
                li { span.k { (rows.len()) } span.l { (ctx.t("fig.groups")) } }
            }
            @if rows.is_empty() {
                p { (ctx.t("sup.none")) }
            } @else {
                div.charts {
                    section {
                        h2 { (ctx.t("fig.volume")) }
                        (chart::hbars("volume", ctx.t("fig.volume"), ctx.t("fig.volume_desc"), &volume))
                    }
                    section {
                        h2 { (ctx.t("fig.rate")) }
                        @if rated.is_empty() { p { (ctx.t("fig.no_finished")) } } @else {
                            (chart::hbars("rate", ctx.t("fig.rate"), ctx.t("fig.rate_desc"), &rated))
                        }
                    }
                }
                p.hint { (ctx.tf("fig.charted", &[("n", &CHARTED.to_string())])) " " a href=(csv) { (ctx.t("fig.csv")) } }
                div.table-wrap {
                    table.figures {
                        caption { (ctx.t("fig.table")) }
                        thead { tr {
                            th scope="col" { (ctx.t(&format!("fig.by_{by_name}"))) }
                            th scope="col" { (ctx.t("figures.received")) }
                            th scope="col" { (ctx.t("fig.accepted")) }
                            th scope="col" { (ctx.t("fig.rejected")) }
                            th scope="col" { (ctx.t("fig.finished")) }
                            th scope="col" { (ctx.t("figures.on_time_rate")) }
                            th scope="col" { (ctx.t("fig.early_rate")) }
                            th scope="col" { (ctx.t("fig.used_days")) }
                            th scope="col" { (ctx.t("fig.allowed_days")) }
                            th scope="col" { (ctx.t("fig.suspensions")) }
                            th scope="col" { (ctx.t("fig.corrections")) }
                        } }
                        tbody {
                            @for (k, f) in &ranked {
                                tr {
                                    th scope="row" { (label(k)) }
                                    td { (f.received) }
                                    td { (f.accepted) }
                                    td { (f.rejected) }
                                    td { (f.finished) }
                                    td { (pct(f.on_time_rate().value())) }
                                    td { (pct(f.early_rate().value())) }
                                    td { (days(f.average_used_minutes().value(), per_day)) }
                                    td { (days(f.average_allowed_minutes().value(), per_day)) }
                                    td { (f.suspensions) }
                                    td { (f.corrections) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let response = page(&ctx, ctx.t("fig.title"), body);
    Ok(if errors.is_empty() { response } else { (StatusCode::UNPROCESSABLE_ENTITY, response).into_response() })
}

/// The kinds of concern, in the order shown.
const CONCERNS: [&str; 7] = [
    "decision_power_conferred",
    "decision_without_valid_authority",
    "accepted_with_missing_materials",
    "repeated_correction",
    "returned",
    "reopened",
    "bad_rating",
];

/// `GET /supervision/concerns`.
pub async fn concerns(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    allow(&ctx, Action::Supervise)?;
    let mut rows = app::concerns(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    rows.sort_by_key(|c| CONCERNS.iter().position(|k| *k == c.kind).unwrap_or(CONCERNS.len()));
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("concern.title")) }
        (section_tabs(&ctx))
        p.lead { (ctx.t("concern.lead")) }
        ul.kpis {
            @for k in CONCERNS {
                li { span.k { (rows.iter().filter(|c| c.kind == k).count()) } span.l { (ctx.t(&format!("concern.{k}"))) } }
            }
        }
        @if rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if rows.len() > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("concern.title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("concern.kind")) }
                        th scope="col" { (ctx.t("concern.detail")) }
                    } }
                    tbody {
                        @for c in rows.iter().take(SHOWN) {
                            tr {
                                td {
                                    @match (&c.case_number, &c.account) {
                                        (Some(n), _) => { a href=(format!("/cases/{n}")) { (n) } }
                                        (None, Some(login)) => { code { (login) } }
                                        (None, None) => { "–" }
                                    }
                                }
                                td { (department_name(&departments, &c.department)) }
                                td { span class=(format!("badge concern-{}", c.kind)) { (ctx.t(&format!("concern.{}", c.kind))) } }
                                td { (c.detail) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("concern.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/supervision", get(board))
        .route("/supervision/alerts", get(alerts))
        .route("/supervision/accountability", get(accountability))
        .route("/supervision/accountability/{number}/answer", post(answer))
        .route("/supervision/accountability/{number}/close", post(close))
        .route("/supervision/figures", get(figures))
        .route("/supervision/concerns", get(concerns))
}
