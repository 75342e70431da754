//! `/admin/calendar` — holidays and make-up working days per year, the warning when a
//! year is not loaded, and the halls' closures.

use std::collections::BTreeSet;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::calendar::{CalendarDay, Closure, DayKind, WorkingCalendar};

use super::{access, read_only_note, section_tabs};
use crate::AppState;
use crate::app::{self, StoredYear};
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

/// What the calendar page shows.
#[derive(Debug, Clone)]
pub(super) struct CalendarView {
    /// Whether the viewer may import years and close halls.
    pub may_change: bool,
    /// The year whose holidays must be loaded, when one must.
    pub year_to_load: Option<i16>,
    /// Whether years were imported (else the built-in schedules hold).
    pub stored: bool,
    /// The calendar's revision.
    pub revision: u64,
    /// The working hours, as `09:00–12:00`.
    pub hours: Vec<String>,
    /// Working minutes a day.
    pub minutes_per_day: i64,
    /// The first and last year the calendar covers.
    pub covered: (i16, i16),
    /// The last day of the announced run of years holding today.
    pub announced_until: Option<jiff::civil::Date>,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The years offered, each with whether it is provisional (暂定).
    pub years: Vec<(i16, bool)>,
    /// The year shown.
    pub year: i16,
    /// Whether the year shown is provisional.
    pub provisional: bool,
    /// Who imported the year shown and when, if it was imported.
    pub imported: Option<(String, jiff::Timestamp)>,
    /// Holidays in the year shown.
    pub holidays: usize,
    /// Make-up working days in it.
    pub workdays: usize,
    /// Its special days.
    pub days: Vec<CalendarDay>,
    /// The halls' closures.
    pub closures: Vec<Closure>,
}

/// The calendar page's model: the year asked for (else this year) of `calendar` (whose
/// revision is `revision`) at `today`, with the years stored and the closures.
pub(super) fn view(
    calendar: &WorkingCalendar,
    revision: u64,
    today: jiff::civil::Date,
    asked: &YearQuery,
    imported: &[StoredYear],
    closures: Vec<Closure>,
    may_change: bool,
) -> CalendarView {
    let this_year = today.year();
    let mut years: BTreeSet<i16> = calendar.announced_years().iter().copied().collect();
    years.extend((this_year - 1)..=(this_year + 2));
    let covered = calendar.covered_years();
    let year = asked.year.filter(|y| covered.contains(y)).unwrap_or(this_year);
    years.insert(year);
    let days = calendar.year_days(year).unwrap_or_default();
    let holidays = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
    CalendarView {
        may_change,
        year_to_load: calendar.year_to_load(today),
        stored: !imported.is_empty(),
        revision,
        hours: calendar.hours().periods().iter().map(|(a, b)| format!("{}–{}", hhmm(*a), hhmm(*b))).collect(),
        minutes_per_day: calendar.minutes_per_working_day(),
        covered: (*covered.start(), *covered.end()),
        announced_until: calendar.announced_until(today),
        done: asked.done.clone(),
        years: years.into_iter().map(|y| (y, calendar.is_provisional_year(y))).collect(),
        year,
        provisional: calendar.is_provisional_year(year),
        imported: imported.iter().find(|y| y.schedule.year() == year).map(|y| (y.imported_by.clone(), y.imported_at)),
        holidays,
        workdays: days.len() - holidays,
        days,
        closures,
    }
}

/// The calendar page's body.
pub(super) fn render(ctx: &Ctx, v: &CalendarView) -> Markup {
    let year = v.year;
    html! {
        h1 { (ctx.t("cal.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        (calendar_warning(ctx, v.year_to_load))
        dl.facts {
            dt { (ctx.t("cal.source")) } dd { (ctx.t(if v.stored { "cal.stored" } else { "cal.builtin" })) }
            dt { (ctx.t("cal.revision")) } dd { (v.revision) }
            dt { (ctx.t("cal.hours")) } dd { (v.hours.join(ctx.t("list.sep"))) " · " (ctx.tf("cal.per_day", &[("m", &v.minutes_per_day.to_string())])) }
            dt { (ctx.t("cal.covered")) } dd { (v.covered.0) "–" (v.covered.1) }
            dt { (ctx.t("cal.announced")) } dd {
                @match v.announced_until {
                    Some(until) => { time datetime=(until.to_string()) { (until) } }
                    None => { (ctx.t("cal.not_announced")) }
                }
            }
        }
        (view::done_notice(ctx, v.done.as_deref()))
        p.hint { (ctx.t("cal.import_hint")) }
        @if v.may_change { p { a.button.primary href=(format!("/admin/calendar/import?year={year}")) { (ctx.t("cal.import_title")) } } }
        nav.filters aria-label=(ctx.t("cal.years")) {
            ul {
                @for (y, provisional) in &v.years {
                    @let label = if *provisional { format!("{y} {}", ctx.t("case.provisional")) } else { y.to_string() };
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
        @if v.provisional {
            p.notice.warn { (ctx.tf("cal.provisional_year", &[("year", &year.to_string())])) }
        } @else if let Some((who, at)) = &v.imported {
            p.hint { (ctx.tf("cal.imported_by", &[("who", who), ("at", &view::when(*at))])) }
        }
        p { (ctx.tf("cal.counts", &[("holidays", &v.holidays.to_string()), ("workdays", &v.workdays.to_string())])) }
        @if v.days.is_empty() {
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
                        @for d in &v.days {
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
        @if v.closures.is_empty() {
            p { (ctx.t("cal.no_closures")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("cal.division")) }
                        th scope="col" { (ctx.t("cal.date")) }
                        th scope="col" { (ctx.t("cal.reason")) }
                        @if v.may_change { th scope="col" { span.visually-hidden { (ctx.t("cal.lift")) } } }
                    } }
                    tbody {
                        @for c in &v.closures {
                            tr {
                                td { (c.division) }
                                td { time datetime=(c.date.to_string()) { (c.date) } }
                                td { (c.name) }
                                @if v.may_change {
                                    td {
                                        form method="post" action="/admin/calendar/closures/lift" {
                                            (view::csrf(ctx))
                                            input type="hidden" name="division" value=(c.division);
                                            input type="hidden" name="date" value=(c.date);
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
        @if v.may_change { p { a.button href="/admin/calendar/closures" { (ctx.t("cal.closure_new")) } } }
    }
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
    let today = tongban_core::calendar::local_date(state.now());
    let closures = closures.into_iter().map(|c| c.closure).collect();
    let model = view(set.base(), set.revision(), today, &q, &imported, closures, may_change);
    Ok(page(&ctx, ctx.t("cal.title"), render(&ctx, &model)))
}

/// The warning that next year's schedule (or this year's) is not loaded yet: `year`, the
/// one to load ([`WorkingCalendar::year_to_load`]).
pub(in crate::web) fn calendar_warning(ctx: &Ctx, year: Option<i16>) -> Markup {
    html! {
        @if let Some(year) = year {
            div.notice.warn role="status" { (ctx.tf("cal.load_warning", &[("year", &year.to_string())])) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn a_provisional_year_is_marked_and_counted_from_the_statutory_days() {
        let calendar = WorkingCalendar::builtin();
        let today = jiff::civil::date(2026, 3, 2);
        let far = calendar.covered_years().end() - 1;
        let asked = YearQuery { year: Some(far), done: None };
        let v = view(&calendar, 7, today, &asked, &[], Vec::new(), false);
        assert_eq!(v.year, far);
        assert!(v.provisional, "no schedule was announced for {far}");
        assert!(v.years.contains(&(far, true)));
        assert!(v.holidays > 0, "the statutory holidays are counted");
        let html = render(&Ctx::for_test_as(Lang::En, Role::CenterLeader), &v).into_string();
        assert!(html.contains(r#"<p class="notice warn">"#), "{html}");
        assert!(html.contains(&format!(r#"<a href="/admin/calendar?year={far}" aria-current="true">"#)), "{html}");
        assert!(!html.contains("/admin/calendar/import?year="), "a leader only reads: {html}");
        assert!(html.contains(r#"<tr class="day-holiday">"#), "{html}");
    }

    #[test]
    fn a_year_not_covered_falls_back_to_this_year() {
        let calendar = WorkingCalendar::builtin();
        let asked = YearQuery { year: Some(i16::MAX), done: None };
        let v = view(&calendar, 1, jiff::civil::date(2026, 3, 2), &asked, &[], Vec::new(), true);
        assert_eq!(v.year, 2026);
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains(r#"href="/admin/calendar/import?year=2026""#), "{html}");
    }
}
