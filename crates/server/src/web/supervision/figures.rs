//! `/supervision/figures` — figures by department, window, person and item, with charts.

use std::collections::HashMap;

use crate::app::ItemFilter;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
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

/// The colour of an on-time rate's bar.
fn tone(rate: f64) -> &'static str {
    if rate >= 0.95 {
        "good"
    } else if rate >= 0.8 {
        "fair"
    } else {
        "poor"
    }
}

/// The names a group is shown by.
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Departments: (code, name).
    pub departments: Vec<(String, String)>,
    /// Windows' names by code.
    pub windows: HashMap<String, String>,
    /// People's names by id.
    pub people: HashMap<String, String>,
    /// Items' names by code (read only when grouping by item).
    pub items: HashMap<String, String>,
}

/// A group's name on the page.
fn label(ctx: &Ctx, names: &Names, k: &GroupKey) -> String {
    match k {
        GroupKey::Center => ctx.t("fig.center").to_owned(),
        GroupKey::Department(d) => department_name(&names.departments, d.as_str()).to_owned(),
        GroupKey::Window(None) => ctx.t("fig.no_window").to_owned(),
        GroupKey::Window(Some(w)) => {
            names.windows.get(w.as_str()).map_or_else(|| w.to_string(), |n| format!("{n} ({w})"))
        }
        GroupKey::Staff(s) => names.people.get(s).cloned().unwrap_or_else(|| s.clone()),
        GroupKey::Item(i) => names.items.get(i.as_str()).cloned().unwrap_or_else(|| i.to_string()),
        GroupKey::Division(d) => d.to_string(),
    }
}

/// The form as asked: the grouping's name, the days as typed, and their errors.
#[derive(Debug, Clone, Default)]
pub(super) struct Asked {
    /// The grouping asked for (`department` when none).
    pub by: String,
    /// First day, as typed.
    pub from: String,
    /// Last day, as typed.
    pub until: String,
    /// The form's errors.
    pub errors: FieldErrors,
    /// The period asked for, when valid.
    pub period: Option<Period>,
}

/// What the figures page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct FiguresView {
    /// The form.
    pub asked: Asked,
    /// The department's name a department head is limited to.
    pub scope: Option<String>,
    /// Cases received over every group.
    pub received: u64,
    /// Cases finished.
    pub finished: u64,
    /// The on-time rate over every group, as shown.
    pub on_time_rate: String,
    /// Groups.
    pub groups: usize,
    /// The volume chart's bars, the largest groups first.
    pub volume: Vec<HBar>,
    /// The on-time rate chart's bars, of the groups with finished cases.
    pub rated: Vec<HBar>,
    /// The same figures as CSV.
    pub csv: String,
    /// The table, the largest groups first.
    pub rows: Vec<FigureLine>,
}

/// One group's row of the table, as shown.
#[derive(Debug, Clone)]
pub(super) struct FigureLine {
    /// The group's name.
    pub label: String,
    /// 收件.
    pub received: u64,
    /// 受理.
    pub accepted: u64,
    /// 不予受理.
    pub rejected: u64,
    /// 办结.
    pub finished: u64,
    /// On-time rate.
    pub on_time: String,
    /// Early-completion rate.
    pub early: String,
    /// Average working days used.
    pub used_days: String,
    /// Average working days allowed.
    pub allowed_days: String,
    /// Suspensions.
    pub suspensions: u64,
    /// Correction requests.
    pub corrections: u64,
}

/// The figures page's model: the groups ranked by volume, the charts' bars, the totals;
/// `per_day` working minutes make a working day.
pub(super) fn view(
    ctx: &Ctx,
    asked: Asked,
    rows: &[(GroupKey, Figures)],
    names: &Names,
    per_day: i64,
    mine: Option<&str>,
) -> FiguresView {
    let mut ranked: Vec<&(GroupKey, Figures)> = rows.iter().collect();
    ranked.sort_by(|a, b| b.1.received.cmp(&a.1.received).then_with(|| a.0.cmp(&b.0)));
    let most = ranked.first().map_or(1, |r| r.1.received.max(1));
    let volume = ranked
        .iter()
        .take(CHARTED)
        .map(|(k, f)| HBar {
            label: label(ctx, names, k),
            share: f.received as f64 / most as f64,
            text: f.received.to_string(),
            tone: None,
        })
        .collect();
    let rated = ranked
        .iter()
        .filter_map(|(k, f)| f.on_time_rate().value().map(|r| (k, r)))
        .take(CHARTED)
        .map(|(k, r)| HBar { label: label(ctx, names, k), share: r, text: pct(Some(r)), tone: Some(tone(r)) })
        .collect();
    let (received, finished, on_time) =
        rows.iter().fold((0, 0, 0), |(r, f, o), (_, x)| (r + x.received, f + x.finished, o + x.on_time));
    let csv = format!(
        "/api/v1/figures?by={}&format=csv{}",
        asked.by,
        asked.period.map_or_else(String::new, |p| format!(
            "&from={}&until={}",
            encode(&p.from.to_string()),
            encode(&p.until.to_string())
        ))
    );
    FiguresView {
        scope: mine.map(|d| department_name(&names.departments, d).to_owned()),
        received,
        finished,
        on_time_rate: pct((finished > 0).then(|| on_time as f64 / finished as f64)),
        groups: rows.len(),
        volume,
        rated,
        csv,
        rows: ranked
            .iter()
            .map(|(k, f)| FigureLine {
                label: label(ctx, names, k),
                received: f.received,
                accepted: f.accepted,
                rejected: f.rejected,
                finished: f.finished,
                on_time: pct(f.on_time_rate().value()),
                early: pct(f.early_rate().value()),
                used_days: days(f.average_used_minutes().value(), per_day),
                allowed_days: days(f.average_allowed_minutes().value(), per_day),
                suspensions: f.suspensions,
                corrections: f.corrections,
            })
            .collect(),
        asked,
    }
}

/// The figures page's body.
pub(super) fn render(ctx: &Ctx, v: &FiguresView) -> Markup {
    let errors = &v.asked.errors;
    html! {
        h1 { (ctx.t("fig.title")) }
        (section_tabs(ctx))
        @if let Some(d) = &v.scope {
            p.scope { (ctx.tf("sup.only_department", &[("department", d)])) }
        }
        form.search method="get" action="/supervision/figures" novalidate {
            div class=(if errors.get("by").is_some() { "field invalid" } else { "field" }) {
                label for="f-by" { (ctx.t("fig.by")) }
                select id="f-by" name="by" {
                    @for g in GROUPINGS {
                        option value=(g) selected[g == v.asked.by] { (ctx.t(&format!("fig.by_{g}"))) }
                    }
                }
                (view::field_error(errors, "by"))
            }
            (view::input(ctx.t("fig.from"), "from", &v.asked.from, errors, Input { kind: "date", ..Input::default() }))
            (view::input(ctx.t("fig.until"), "until", &v.asked.until, errors, Input { kind: "date", ..Input::default() }))
            button type="submit" { (ctx.t("fig.show")) }
        }
        @if errors.is_empty() {
            ul.kpis {
                li { span.k { (v.received) } span.l { (ctx.t("figures.received")) } }
                li { span.k { (v.finished) } span.l { (ctx.t("fig.finished")) } }
                li { span.k { (v.on_time_rate) } span.l { (ctx.t("figures.on_time_rate")) } }
                li { span.k { (v.groups) } span.l { (ctx.t("fig.groups")) } }
            }
            @if v.rows.is_empty() {
                p { (ctx.t("sup.none")) }
            } @else {
                div.charts {
                    section {
                        h2 { (ctx.t("fig.volume")) }
                        (chart::hbars("volume", ctx.t("fig.volume"), ctx.t("fig.volume_desc"), &v.volume))
                    }
                    section {
                        h2 { (ctx.t("fig.rate")) }
                        @if v.rated.is_empty() { p { (ctx.t("fig.no_finished")) } } @else {
                            (chart::hbars("rate", ctx.t("fig.rate"), ctx.t("fig.rate_desc"), &v.rated))
                        }
                    }
                }
                p.hint { (ctx.tf("fig.charted", &[("n", &CHARTED.to_string())])) " " a href=(v.csv) { (ctx.t("fig.csv")) } }
                div.table-wrap {
                    table.figures {
                        caption { (ctx.t("fig.table")) }
                        thead { tr {
                            th scope="col" { (ctx.t(&format!("fig.by_{}", v.asked.by))) }
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
                            @for r in &v.rows {
                                tr {
                                    th scope="row" { (r.label) }
                                    td { (r.received) }
                                    td { (r.accepted) }
                                    td { (r.rejected) }
                                    td { (r.finished) }
                                    td { (r.on_time) }
                                    td { (r.early) }
                                    td { (r.used_days) }
                                    td { (r.allowed_days) }
                                    td { (r.suspensions) }
                                    td { (r.corrections) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
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
    let names = Names {
        departments: crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?,
        windows: crate::app::public::windows(&state)
            .await
            .map_err(|e| ctx.fail(e))?
            .into_iter()
            .map(|w| (w.code.to_string(), w.name))
            .collect(),
        people: app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?,
        items: if by == GroupBy::Item {
            all_item_names(&state).await.map_err(|e| ctx.fail(e))?
        } else {
            HashMap::new()
        },
    };
    let valid = errors.is_empty();
    let asked = Asked { by: by_name.to_owned(), from: q.from, until: q.until, errors, period };
    let per_day = state.calendar().minutes_per_working_day();
    let model = view(&ctx, asked, &rows, &names, per_day, mine.as_deref());
    let response = page(&ctx, ctx.t("fig.title"), render(&ctx, &model));
    Ok(if valid { response } else { (StatusCode::UNPROCESSABLE_ENTITY, response).into_response() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;
    use tongban_core::org::DepartmentCode;

    fn department(code: &str) -> GroupKey {
        GroupKey::Department(DepartmentCode::parse(code).expect("a code"))
    }

    #[test]
    fn figures_rank_groups_by_volume_and_colour_their_on_time_rate() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Supervisor);
        let small = Figures { received: 4, finished: 4, on_time: 3, ..Figures::default() };
        let large = Figures { received: 10, finished: 10, on_time: 10, ..Figures::default() };
        let rows = vec![(department("gtj"), small), (department("fgw"), large)];
        let names = Names { departments: vec![("fgw".into(), "DRC".into())], ..Names::default() };
        let asked = Asked { by: "department".into(), ..Asked::default() };
        let v = view(&ctx, asked, &rows, &names, 480, None);
        assert_eq!(v.rows.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(), ["DRC", "gtj"]);
        assert_eq!((v.received, v.finished, v.on_time_rate.as_str()), (14, 14, "92.9%"));
        assert_eq!(v.rated.iter().map(|b| b.tone).collect::<Vec<_>>(), [Some("good"), Some("poor")]);
        assert_eq!(v.csv, "/api/v1/figures?by=department&format=csv");
        let html = render(&ctx, &v).into_string();
        assert!(html.contains("<td>75.0%</td>"), "{html}");
        assert!(html.contains(r#"<span class="k">92.9%</span>"#), "{html}");
        assert!(html.contains(r#"href="/api/v1/figures?by=department&amp;format=csv""#), "{html}");
    }

    #[test]
    fn a_bad_grouping_shows_the_form_alone() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Supervisor);
        let mut errors = FieldErrors::default();
        errors.add("by", "no such grouping");
        let asked = Asked { by: "planet".into(), errors, ..Asked::default() };
        let html = render(&ctx, &view(&ctx, asked, &[], &Names::default(), 480, None)).into_string();
        assert!(html.contains("no such grouping"), "{html}");
        assert!(!html.contains("kpis"), "{html}");
    }
}
