//! `/supervision/figures` — figures by department, window, person and item, with charts.

use std::collections::HashMap;

use crate::app::ItemFilter;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use tongban_core::supervision::{Figures, GroupBy, GroupKey, Period};

use super::{CHARTED, allow, own_department, section_tabs};
use crate::AppState;
use crate::app;
use crate::problem::ApiError;
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::{WebError, encode};
use crate::web::form::FieldErrors;
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self, Input};
use tongban_core::access::Action;

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
