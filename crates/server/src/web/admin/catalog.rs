//! `/admin` — the catalog's versions and the reform comparison between two of them (三减一压缩).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::catalog::{Change, ItemRef, Measures, change_percent};
use tongban_core::item::Category;

use super::{access, download_links, read_only_note, section_tabs};
use crate::AppState;
use crate::app::CatalogVersion;
use crate::app::reform::Reform;
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::FieldErrors;
use crate::web::layout::page;
use crate::web::view::{self};

/// A change as shown: `-12.5%`, `0%`, or `—` when there is none (from zero, or no mean).
fn percent_change(change: Option<f64>) -> String {
    match change {
        None => "—".to_owned(),
        Some(0.0) => "0%".to_owned(),
        Some(c) => format!("{c:+.1}%"),
    }
}

/// `cut`, `grew`, or "" when unchanged or not comparable.
fn change_class(change: Option<f64>) -> &'static str {
    match change {
        Some(c) if c < 0.0 => "cut",
        Some(c) if c > 0.0 => "grew",
        _ => "",
    }
}

/// `?before=&after=` of the catalog page.
#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    /// The version before the reform.
    pub before: Option<String>,
    /// The version after it.
    pub after: Option<String>,
}

/// The versions compared: those asked for, else the latest and the one before it; an
/// error beside each field naming a version that does not exist.
fn chosen(ctx: &Ctx, versions: &[CatalogVersion], q: &CompareQuery) -> (u32, u32, FieldErrors) {
    let latest = versions.last().map_or(0, |v| v.number);
    let mut errors = FieldErrors::default();
    let mut pick = |name: &str, text: Option<&str>, default: u32| -> u32 {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => default,
            Some(t) => match t.parse::<u32>().ok().filter(|v| versions.iter().any(|n| n.number == *v)) {
                Some(v) => v,
                None => {
                    errors.add(name, ctx.t("admin.no_version"));
                    default
                }
            },
        }
    };
    let after = pick("after", q.after.as_deref(), latest);
    let before =
        pick("before", q.before.as_deref(), latest.saturating_sub(1).max(versions.first().map_or(0, |v| v.number)));
    (before, after, errors)
}

/// What the catalog page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct CatalogView {
    /// Whether the viewer may publish versions.
    pub may_change: bool,
    /// The versions, newest first.
    pub versions: Vec<CatalogVersion>,
    /// The latest version's number (0 when none).
    pub latest: u32,
    /// The version before the reform.
    pub before: u32,
    /// The version after it.
    pub after: u32,
    /// The comparison form's errors.
    pub errors: FieldErrors,
    /// The comparison, when the versions asked for exist.
    pub report: Option<ReformView>,
}

/// The reform comparison (三减一压缩) between two versions.
#[derive(Debug, Clone, Default)]
pub(super) struct ReformView {
    /// Whether there is a single version (compared with itself).
    pub single: bool,
    /// The measures: items, materials, average days, then each category.
    pub rows: Vec<ReformRow>,
    /// Items per category in both versions, as a chart.
    pub bars: Vec<HBar>,
    /// Items removed: (code, name).
    pub removed: Vec<(String, String)>,
    /// Items added: (code, name).
    pub added: Vec<(String, String)>,
    /// Items changed: (code, name).
    pub changed: Vec<(String, String)>,
    /// Per department: its name and its rows (items, materials, steps, average days).
    pub departments: Vec<(String, Vec<ReformRow>)>,
}

/// One measure of the comparison.
#[derive(Debug, Clone)]
pub(super) struct ReformRow {
    /// What is measured.
    pub label: String,
    /// Before, as shown.
    pub before: String,
    /// After, as shown.
    pub after: String,
    /// The change, as `-12.5%`.
    pub change: String,
    /// `cut`, `grew`, or "" when unchanged.
    pub class: &'static str,
}

/// The measures of a reform as rows: items, required materials, steps, average days.
fn measure_rows(ctx: &Ctx, m: &Measures) -> Vec<ReformRow> {
    let count = |label: &str, c: &Change<u64>| ReformRow {
        label: ctx.t(label).to_owned(),
        before: c.before.to_string(),
        after: c.after.to_string(),
        change: percent_change(c.change_percent),
        class: change_class(c.change_percent),
    };
    let days = &m.average_promised_working_days;
    let mean = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |d| format!("{d:.2}"));
    vec![
        count("admin.items", &m.items),
        count("admin.materials", &m.materials),
        count("admin.steps", &m.steps),
        ReformRow {
            label: ctx.t("admin.average_days").to_owned(),
            before: mean(days.before),
            after: mean(days.after),
            change: percent_change(days.change_percent),
            class: change_class(days.change_percent),
        },
    ]
}

/// The reform comparison (三减一压缩) as the page shows it, from the one report the API and
/// the command line also give.
pub(super) fn reform(ctx: &Ctx, r: &Reform, single: bool) -> ReformView {
    let (before, after) = (r.from.number, r.to.number);
    let report = &r.report;
    let mut rows = measure_rows(ctx, &report.totals);
    for (c, (b, a)) in Category::ALL.iter().zip(report.by_category) {
        rows.push(ReformRow {
            label: ctx.t(&format!("category.{}", c.as_str())).to_owned(),
            before: b.to_string(),
            after: a.to_string(),
            change: percent_change(change_percent(b as f64, a as f64)),
            class: change_class(change_percent(b as f64, a as f64)),
        });
    }
    let most = report.by_category.iter().map(|(b, a)| (*b).max(*a)).max().unwrap_or(1).max(1) as f64;
    let bars = Category::ALL
        .iter()
        .zip(report.by_category)
        .flat_map(|(c, (b, a))| {
            let name = ctx.t(&format!("category.{}", c.as_str()));
            [
                HBar {
                    label: format!("{name} v{before}"),
                    share: b as f64 / most,
                    text: b.to_string(),
                    tone: Some("before"),
                },
                HBar { label: format!("{name} v{after}"), share: a as f64 / most, text: a.to_string(), tone: None },
            ]
        })
        .collect();
    let named = |refs: &[ItemRef]| refs.iter().map(|i| (i.code.to_string(), i.name.clone())).collect();
    ReformView {
        single,
        rows,
        bars,
        removed: named(&report.cut),
        added: named(&report.added),
        changed: named(&report.changed),
        departments: report
            .departments
            .iter()
            .map(|d| (r.department_name(d.department.as_str()).to_owned(), measure_rows(ctx, &d.measures)))
            .collect(),
    }
}

/// The catalog page's body.
pub(super) fn render(ctx: &Ctx, v: &CatalogView) -> Markup {
    let (before, after, errors) = (v.before, v.after, &v.errors);
    let version_select = |name: &str, chosen: u32| {
        html! {
            div class=(if errors.get(name).is_some() { "field invalid" } else { "field" }) {
                label for=(format!("f-{name}")) { (ctx.t(&format!("admin.{name}"))) }
                select id=(format!("f-{name}")) name=(name) aria-describedby=[errors.get(name).map(|_| format!("err-{name}"))] {
                    @for v in v.versions.iter().rev() {
                        option value=(v.number) selected[v.number == chosen] { "v" (v.number) " · " (v.label) }
                    }
                }
                (view::field_error(errors, name))
            }
        }
    };
    html! {
        h1 { (ctx.t("admin.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        h2 { (ctx.t("admin.versions")) }
        @if v.versions.is_empty() {
            p { (ctx.t("admin.no_catalog")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { (ctx.t("admin.version")) } th scope="col" { (ctx.t("admin.label")) } th scope="col" { (ctx.t("admin.published")) } th scope="col" { (ctx.t("export.column")) } } }
                    tbody {
                        @for version in &v.versions {
                            tr {
                                td { "v" (version.number) @if version.number == v.latest { " " span.badge { (ctx.t("admin.current")) } } }
                                td { (version.label) } td { (view::time(version.published_at)) }
                                td { (download_links(ctx, &format!("/api/v1/exports/catalog?version={}&", version.number))) }
                            }
                        }
                    }
                }
            }
            h2 { (ctx.t("admin.reform")) }
            p.lead { (ctx.t("admin.reform_lead")) }
            form.search method="get" action="/admin" novalidate {
                (version_select("before", before))
                (version_select("after", after))
                button type="submit" { (ctx.t("admin.compare")) }
            }
            @if let Some(report) = &v.report {
                @if report.single { p.hint { (ctx.t("admin.one_version")) } }
                div.table-wrap {
                    table.reform {
                        caption { (ctx.tf("admin.report", &[("before", &before.to_string()), ("after", &after.to_string())])) }
                        thead { tr {
                            th scope="col" { (ctx.t("admin.measure")) }
                            th scope="col" { "v" (before) }
                            th scope="col" { "v" (after) }
                            th scope="col" { (ctx.t("admin.change")) }
                        } }
                        tbody {
                            @for r in &report.rows {
                                tr {
                                    th scope="row" { (r.label) }
                                    td { (r.before) } td { (r.after) }
                                    td class=(r.class) { (r.change) }
                                }
                            }
                        }
                    }
                }
                p.downloads {
                    (ctx.t("export.reform")) " "
                    (download_links(ctx, &format!("/api/v1/exports/reform?from={before}&to={after}&")))
                }
                (chart::hbars("categories", ctx.t("admin.by_category"), ctx.t("admin.by_category_desc"), &report.bars))
                div.two {
                    section {
                        h3 { (ctx.t("admin.removed")) " " span.count { "(" (report.removed.len()) ")" } }
                        @if report.removed.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for (c, name) in &report.removed { li { code { (c) } " " (name) } } }
                        }
                    }
                    section {
                        h3 { (ctx.t("admin.added")) " " span.count { "(" (report.added.len()) ")" } }
                        @if report.added.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for (c, name) in &report.added { li { a href=(format!("/items/{c}")) { code { (c) } } " " (name) } } }
                        }
                    }
                }
                @if !report.changed.is_empty() {
                    details {
                        summary { (ctx.t("admin.changed")) " " span.count { "(" (report.changed.len()) ")" } }
                        ul.codes { @for (c, name) in &report.changed { li { a href=(format!("/items/{c}")) { code { (c) } } " " (name) } } }
                    }
                }
                @if !report.departments.is_empty() {
                    h3 { (ctx.t("admin.by_department")) }
                    div.table-wrap {
                        table.reform-departments {
                            thead { tr {
                                th scope="col" { (ctx.t("admin.reform_department")) }
                                th scope="col" { (ctx.t("admin.measure")) }
                                th scope="col" { "v" (before) }
                                th scope="col" { "v" (after) }
                                th scope="col" { (ctx.t("admin.change")) }
                            } }
                            tbody {
                                @for (name, rows) in &report.departments {
                                    @for (k, r) in rows.iter().enumerate() {
                                        tr {
                                            @if k == 0 { th scope="rowgroup" rowspan=(rows.len()) { (name) } }
                                            th scope="row" { (r.label) }
                                            td { (r.before) } td { (r.after) }
                                            td class=(r.class) { (r.change) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /admin` — catalog versions and the reform comparison between two of them.
pub async fn catalog(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let versions = crate::app::public::catalog_versions(&state).await.map_err(|e| ctx.fail(e))?;
    let latest = versions.last().map_or(0, |v| v.number);
    let (before, after, errors) = chosen(&ctx, &versions, &q);
    let valid = errors.is_empty();
    let report = if valid && latest > 0 {
        let r = crate::app::reform::catalog_reform(&state, before, after).await.map_err(|e| ctx.fail(e))?;
        Some(reform(&ctx, &r, versions.len() < 2))
    } else {
        None
    };
    let mut versions = versions;
    versions.reverse();
    let model = CatalogView { may_change, versions, latest, before, after, errors, report };
    let response = page(&ctx, ctx.t("admin.title"), render(&ctx, &model));
    Ok(if valid { response } else { (StatusCode::UNPROCESSABLE_ENTITY, response).into_response() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn the_reform_rows_show_each_measure_cut_or_grown() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Administrator);
        let report = ReformView {
            rows: vec![ReformRow {
                label: "Items".into(),
                before: "8".into(),
                after: "6".into(),
                change: percent_change(Some(-25.0)),
                class: "cut",
            }],
            removed: vec![("X-1".into(), "an item".into())],
            ..ReformView::default()
        };
        let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("a moment");
        let versions = vec![
            CatalogVersion { number: 2, label: "second".into(), published_at: at },
            CatalogVersion { number: 1, label: "first".into(), published_at: at },
        ];
        let v = CatalogView {
            may_change: true,
            versions,
            latest: 2,
            before: 1,
            after: 2,
            report: Some(report),
            ..CatalogView::default()
        };
        let html = render(&ctx, &v).into_string();
        assert!(
            html.contains(r#"<th scope="row">Items</th><td>8</td><td>6</td><td class="cut">-25.0%</td>"#),
            "{html}"
        );
        assert!(html.contains(r#"<option value="1" selected>v1 · first</option>"#), "{html}");
        assert!(html.contains(r#"<span class="badge">"#), "the latest is marked: {html}");
        assert!(html.contains("<li><code>X-1</code> an item</li>"), "{html}");
        // Each version and the comparison shown download as CSV and xlsx.
        for href in [
            "/api/v1/exports/catalog?version=1&amp;format=csv",
            "/api/v1/exports/catalog?version=2&amp;format=xlsx",
            "/api/v1/exports/reform?from=1&amp;to=2&amp;format=csv",
            "/api/v1/exports/reform?from=1&amp;to=2&amp;format=xlsx",
        ] {
            assert!(html.contains(&format!("href=\"{href}\" download")), "{href} in {html}");
        }
    }

    #[test]
    fn an_unchanged_measure_reads_zero() {
        assert_eq!(percent_change(Some(0.0)), "0%");
        assert_eq!(percent_change(Some(25.0)), "+25.0%");
        assert_eq!(percent_change(None), "—");
    }
}
