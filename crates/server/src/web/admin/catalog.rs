//! `/admin` — the catalog's versions and the reform comparison between two of them (三减一压缩).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use tongban_core::catalog::ReformReport;
use tongban_core::item::{Category, ServiceItem};

use super::{access, read_only_note, section_tabs};
use crate::AppState;
use crate::web::chart::{self, HBar};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::FieldErrors;
use crate::web::layout::page;
use crate::web::view::{self};

fn percent_change(before: f64, after: f64) -> String {
    if before == after {
        return "0%".to_owned();
    }
    format!("{:+.1}%", ReformReport::cut_percent(before, after))
}

/// `?before=&after=` of the catalog page.
#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    /// The version before the reform.
    pub before: Option<String>,
    /// The version after it.
    pub after: Option<String>,
}

/// `GET /admin` — catalog versions and the reform comparison between two of them.
pub async fn catalog(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let versions = crate::app::public::catalog_versions(&state).await.map_err(|e| ctx.fail(e))?;
    let latest = versions.last().map_or(0, |v| v.0);
    let mut errors = FieldErrors::default();
    let mut pick = |name: &str, text: Option<&str>, default: u32| -> u32 {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => default,
            Some(t) => match t.parse::<u32>().ok().filter(|v| versions.iter().any(|(n, _, _)| n == v)) {
                Some(v) => v,
                None => {
                    errors.add(name, ctx.t("admin.no_version"));
                    default
                }
            },
        }
    };
    let after = pick("after", q.after.as_deref(), latest);
    let before = pick("before", q.before.as_deref(), latest.saturating_sub(1).max(versions.first().map_or(0, |v| v.0)));
    let (old, new): (Vec<ServiceItem>, Vec<ServiceItem>) = if errors.is_empty() && latest > 0 {
        (
            crate::app::public::items_in_version(&state, before).await.map_err(|e| ctx.fail(e))?,
            crate::app::public::items_in_version(&state, after).await.map_err(|e| ctx.fail(e))?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let report = ReformReport::compare(&old, &new);
    let name_in = |items: &[ServiceItem], code: &str| {
        items.iter().find(|i| i.code.as_str() == code).map_or_else(String::new, |i| i.name.clone())
    };
    let rows: Vec<(String, f64, f64, String, String)> = {
        let count = |label: String, (b, a): (usize, usize)| (label, b as f64, a as f64, b.to_string(), a.to_string());
        let mut rows = vec![
            count(ctx.t("admin.items").to_owned(), report.items),
            count(ctx.t("admin.materials").to_owned(), report.materials),
            {
                let (b, a) = report.average_days;
                (ctx.t("admin.average_days").to_owned(), b, a, format!("{b:.2}"), format!("{a:.2}"))
            },
        ];
        for (c, n) in Category::ALL.iter().zip(report.by_category) {
            rows.push(count(ctx.t(&format!("category.{}", c.as_str())).to_owned(), n));
        }
        rows
    };
    let most = report.by_category.iter().map(|(b, a)| (*b).max(*a)).max().unwrap_or(1).max(1) as f64;
    let category_bars: Vec<HBar> = Category::ALL
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
    let version_select = |name: &str, chosen: u32| {
        html! {
            div class=(if errors.get(name).is_some() { "field invalid" } else { "field" }) {
                label for=(format!("f-{name}")) { (ctx.t(&format!("admin.{name}"))) }
                select id=(format!("f-{name}")) name=(name) aria-describedby=[errors.get(name).map(|_| format!("err-{name}"))] {
                    @for (v, label, _) in &versions {
                        option value=(v) selected[*v == chosen] { "v" (v) " · " (label) }
                    }
                }
                (view::field_error(&errors, name))
            }
        }
    };
    let body = html! {
        h1 { (ctx.t("admin.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        h2 { (ctx.t("admin.versions")) }
        @if versions.is_empty() {
            p { (ctx.t("admin.no_catalog")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { (ctx.t("admin.version")) } th scope="col" { (ctx.t("admin.label")) } th scope="col" { (ctx.t("admin.published")) } } }
                    tbody {
                        @for (v, label, at) in versions.iter().rev() {
                            tr { td { "v" (v) @if *v == latest { " " span.badge { (ctx.t("admin.current")) } } } td { (label) } td { (view::time(*at)) } }
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
            @if errors.is_empty() {
                @if versions.len() < 2 { p.hint { (ctx.t("admin.one_version")) } }
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
                            @for (label, b, a, bt, at) in &rows {
                                tr {
                                    th scope="row" { (label) }
                                    td { (bt) } td { (at) }
                                    td class=(if a < b { "cut" } else if a > b { "grew" } else { "" }) { (percent_change(*b, *a)) }
                                }
                            }
                        }
                    }
                }
                (chart::hbars("categories", ctx.t("admin.by_category"), ctx.t("admin.by_category_desc"), &category_bars))
                div.two {
                    section {
                        h3 { (ctx.t("admin.removed")) " " span.count { "(" (report.removed.len()) ")" } }
                        @if report.removed.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for c in &report.removed { li { code { (c) } " " (name_in(&old, c.as_str())) } } }
                        }
                    }
                    section {
                        h3 { (ctx.t("admin.added")) " " span.count { "(" (report.added.len()) ")" } }
                        @if report.added.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for c in &report.added { li { a href=(format!("/items/{c}")) { code { (c) } } " " (name_in(&new, c.as_str())) } } }
                        }
                    }
                }
            }
        }
    };
    let response = page(&ctx, ctx.t("admin.title"), body);
    Ok(if errors.is_empty() { response } else { (StatusCode::UNPROCESSABLE_ENTITY, response).into_response() })
}
