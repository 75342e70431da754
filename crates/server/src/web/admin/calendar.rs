//! `/admin/calendar` — holidays and make-up working days per year, the warning when a
//! year is not loaded, and the halls' closures.

use std::collections::BTreeSet;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::calendar::DayKind;

use super::{access, read_only_note, section_tabs};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view::{self};

/// `?year=` of the calendar page.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    /// The year shown.
    pub year: Option<i16>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// `GET /admin/calendar` — holidays and make-up working days per year (announced or
/// provisional), the warning when next year is not loaded, and the halls' closures.
pub async fn calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let imported = app::calendar_years(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let closures = app::calendar_closures(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let set = state.calendars();
    let cal = set.base();
    let now = state.now();
    let today = tongban_core::calendar::local_date(now);
    let this_year = today.year();
    let mut years: BTreeSet<i16> = cal.announced_years().iter().copied().collect();
    years.extend((this_year - 1)..=(this_year + 2));
    let year = q.year.filter(|y| cal.covered_years().contains(y)).unwrap_or(this_year);
    years.insert(year);
    let provisional = cal.is_provisional_year(year);
    let days = cal.year_days(year).unwrap_or_default();
    let holidays = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
    let workdays = days.len() - holidays;
    let hours: Vec<String> = cal.hours().periods().iter().map(|(a, b)| format!("{}–{}", hhmm(*a), hhmm(*b))).collect();
    let covered = cal.covered_years();
    let stored = imported.iter().find(|y| y.schedule.year() == year);
    let body = html! {
        h1 { (ctx.t("cal.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        (calendar_warning(&ctx, cal, today))
        dl.facts {
            dt { (ctx.t("cal.source")) } dd { (ctx.t(if imported.is_empty() { "cal.builtin" } else { "cal.stored" })) }
            dt { (ctx.t("cal.revision")) } dd { (set.revision()) }
            dt { (ctx.t("cal.hours")) } dd { (hours.join(ctx.t("list.sep"))) " · " (ctx.tf("cal.per_day", &[("m", &cal.minutes_per_working_day().to_string())])) }
            dt { (ctx.t("cal.covered")) } dd { (covered.start()) "–" (covered.end()) }
            dt { (ctx.t("cal.announced")) } dd {
                @match cal.announced_until(today) {
                    Some(until) => { time datetime=(until.to_string()) { (until) } }
                    None => { (ctx.t("cal.not_announced")) }
                }
            }
        }
        (view::done_notice(&ctx, q.done.as_deref()))
        p.hint { (ctx.t("cal.import_hint")) }
        @if may_change { p { a.button.primary href=(format!("/admin/calendar/import?year={year}")) { (ctx.t("cal.import_title")) } } }
        nav.filters aria-label=(ctx.t("cal.years")) {
            ul {
                @for y in &years {
                    @let label = if cal.is_provisional_year(*y) { format!("{y} {}", ctx.t("case.provisional")) } else { y.to_string() };
                    li {
                        @if *y == year {
                            a href=(format!("/admin/calendar?year={y}")) aria-current="true" { (label) }
                        } @else {
                            a href=(format!("/admin/calendar?year={y}")) { (label) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.tf("cal.year", &[("year", &year.to_string())])) }
        @if provisional {
            p.notice.warn { (ctx.tf("cal.provisional_year", &[("year", &year.to_string())])) }
        } @else if let Some(y) = stored {
            p.hint { (ctx.tf("cal.imported_by", &[("who", &y.imported_by), ("at", &view::when(y.imported_at))])) }
        }
        p { (ctx.tf("cal.counts", &[("holidays", &holidays.to_string()), ("workdays", &workdays.to_string())])) }
        @if days.is_empty() {
            p { (ctx.t("cal.none")) }
        } @else {
            div.table-wrap {
                table.calendar {
                    thead { tr {
                        th scope="col" { (ctx.t("cal.date")) }
                        th scope="col" { (ctx.t("cal.weekday")) }
                        th scope="col" { (ctx.t("cal.kind")) }
                        th scope="col" { (ctx.t("cal.name")) }
                    } }
                    tbody {
                        @for d in &days {
                            @let kind = d.kind.as_str();
                            tr class=(format!("day-{kind}")) {
                                td { time datetime=(d.date.to_string()) { (d.date) } }
                                td { (ctx.t(&format!("weekday.{}", d.date.weekday().to_monday_one_offset()))) }
                                td { span class=(format!("badge day-{kind}")) { (ctx.t(&format!("cal.{kind}"))) } }
                                td { (d.name) }
                            }
                        }
                    }
                }
            }
        }
        h2 id="closures" { (ctx.t("cal.closures")) }
        p.hint { (ctx.t("cal.closures_hint")) }
        @if closures.is_empty() {
            p { (ctx.t("cal.no_closures")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("cal.division")) }
                        th scope="col" { (ctx.t("cal.date")) }
                        th scope="col" { (ctx.t("cal.reason")) }
                        @if may_change { th scope="col" { span.visually-hidden { (ctx.t("cal.lift")) } } }
                    } }
                    tbody {
                        @for c in &closures {
                            tr {
                                td { (c.closure.division) }
                                td { time datetime=(c.closure.date.to_string()) { (c.closure.date) } }
                                td { (c.closure.name) }
                                @if may_change {
                                    td {
                                        form method="post" action="/admin/calendar/closures/lift" {
                                            (view::csrf(&ctx))
                                            input type="hidden" name="division" value=(c.closure.division);
                                            input type="hidden" name="date" value=(c.closure.date);
                                            button type="submit" { (ctx.t("cal.lift")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if may_change { p { a.button href="/admin/calendar/closures" { (ctx.t("cal.closure_new")) } } }
    };
    Ok(page(&ctx, ctx.t("cal.title"), body))
}

/// The warning that next year's schedule (or this year's) is not loaded yet.
pub(in crate::web) fn calendar_warning(
    ctx: &Ctx,
    cal: &tongban_core::calendar::WorkingCalendar,
    today: jiff::civil::Date,
) -> Markup {
    html! {
        @if let Some(year) = cal.year_to_load(today) {
            div.notice.warn role="status" { (ctx.tf("cal.load_warning", &[("year", &year.to_string())])) }
        }
    }
}
