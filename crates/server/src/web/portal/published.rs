//! The published lists (`/lists/{kind}`): 权责清单, 职责清单, 财政专项资金管理清单 and
//! 便民服务事项, one page each — a search, the version shown (and the others to choose),
//! the entries as a table, paging, and the whole version to download as CSV or xlsx.
//!
//! The four commitment-category lists of the catalog (四办四清单) are `/lists` itself
//! ([`super::lists`]), which links here.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::lists::{Entry, ListKind};

use crate::AppState;
use crate::app::AppError;
use crate::app::lists::{ListQuery, ListVersion, Listed};
use crate::web::ctx::Ctx;
use crate::web::error::{WebError, encode};
use crate::web::layout::page;
use crate::web::view::{self, Paging};

/// Entries per page.
const PER_PAGE: u32 = 30;

/// The page's parameters, as typed (kept on the page).
#[derive(Debug, Default, Deserialize)]
pub struct PublishedQuery {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// The version chosen; empty for the latest.
    #[serde(default)]
    pub version: String,
    /// Page.
    pub page: Option<u32>,
}

/// A version to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionChoice {
    /// Its number.
    pub number: u32,
    /// Its label.
    pub label: String,
    /// Whether it is the one shown.
    pub selected: bool,
}

/// A published list's link on `/lists`: its kind and latest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLink {
    /// The list.
    pub kind: ListKind,
    /// Its latest version, none before the first.
    pub latest: Option<ListVersion>,
}

/// One published list's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedView {
    /// The list.
    pub kind: ListKind,
    /// The words searched, as typed.
    pub q: String,
    /// The version shown, none before the first is published.
    pub shown: Option<ListVersion>,
    /// Every version, newest first.
    pub versions: Vec<VersionChoice>,
    /// Entries found in all.
    pub total: u64,
    /// This page's rows: each entry's cells in the kind's column order, the department as
    /// its name and an amount as money.
    pub rows: Vec<Vec<String>>,
    /// Where the list stands.
    pub paging: Paging,
}

impl PublishedView {
    /// The page of `kind` for what was asked, the versions and what was found.
    pub fn of(
        kind: ListKind,
        q: &PublishedQuery,
        versions: &[ListVersion],
        found: &crate::app::lists::ListPage,
    ) -> Self {
        let shown = found.version.clone();
        let chosen = q.version.trim().parse::<u32>().ok();
        let link = format!(
            "/lists/{kind}?q={}&version={}&page=",
            encode(&q.q),
            chosen.map(|v| v.to_string()).unwrap_or_default()
        );
        PublishedView {
            kind,
            q: q.q.clone(),
            versions: versions
                .iter()
                .rev()
                .map(|v| VersionChoice { number: v.number, label: v.label.clone(), selected: chosen == Some(v.number) })
                .collect(),
            shown,
            total: found.total,
            rows: found.entries.iter().map(row).collect(),
            paging: Paging { page: found.page, per_page: found.per_page, total: found.total, link },
        }
    }
}

/// An entry's cells as shown.
fn row(l: &Listed) -> Vec<String> {
    let mut cells = l.entry.cells();
    if let Some(i) = l.entry.kind().columns().iter().position(|c| *c == "department") {
        cells[i].clone_from(&l.department_name);
    }
    if let Entry::Fund(f) = &l.entry
        && let Some(i) = l.entry.kind().columns().iter().position(|c| *c == "amount_yuan")
    {
        cells[i] = view::yuan(f.amount_fen);
    }
    cells
}

/// Draws the published lists' links, as `/lists` shows them.
pub fn render_links(ctx: &Ctx, links: &[ListLink]) -> Markup {
    html! {
        section #published aria-labelledby="published-title" {
            h2 #published-title { (ctx.t("published.title")) }
            p { (ctx.t("published.lead")) }
            ul.published-lists {
                @for l in links {
                    li {
                        a href=(format!("/lists/{}", l.kind)) { (ctx.t(&format!("published.kind.{}", l.kind))) }
                        " "
                        @match &l.latest {
                            Some(v) => span.count { (ctx.tf("published.entries", &[("n", &v.entries.to_string())])) " · " (v.label) },
                            None => span.count { (ctx.t("published.unpublished")) },
                        }
                        br;
                        small { (ctx.t(&format!("published.about.{}", l.kind))) }
                    }
                }
            }
        }
    }
}

/// Draws one list's page.
pub fn render(ctx: &Ctx, v: &PublishedView) -> Markup {
    let kind = v.kind;
    html! {
        p { a href="/lists#published" { (ctx.t("published.back")) } }
        h1 { (ctx.t(&format!("published.kind.{kind}"))) }
        p.lead { (ctx.t(&format!("published.about.{kind}"))) }
        @match &v.shown {
            None => p { (ctx.t("published.none")) },
            Some(shown) => {
                p.meta {
                    (ctx.tf("published.version", &[("n", &shown.number.to_string()), ("label", &shown.label)]))
                    " · " (view::time(shown.published_at))
                    " · " (ctx.tf("published.entries", &[("n", &shown.entries.to_string())]))
                }
                form.search role="search" method="get" action=(format!("/lists/{kind}")) {
                    div.field {
                        label for="q" { (ctx.t("published.words")) }
                        input id="q" type="search" name="q" value=(v.q) maxlength=(tongban_core::text::SEARCH) placeholder=(ctx.t("published.placeholder"));
                    }
                    div.field {
                        label for="version" { (ctx.t("published.version_field")) }
                        select id="version" name="version" {
                            option value="" { (ctx.t("published.latest")) }
                            @for c in &v.versions {
                                option value=(c.number) selected[c.selected] { (ctx.tf("published.version", &[("n", &c.number.to_string()), ("label", &c.label)])) }
                            }
                        }
                    }
                    button type="submit" { (ctx.t("published.submit")) }
                }
                p.downloads {
                    (ctx.t("published.download")) " "
                    a href=(format!("/api/v1/lists/{kind}?format=csv&version={}", shown.number)) download { (ctx.t("published.csv")) }
                    " · "
                    a href=(format!("/api/v1/lists/{kind}?format=xlsx&version={}", shown.number)) download { (ctx.t("published.xlsx")) }
                }
                p.count role="status" { (ctx.tf("published.found", &[("n", &v.total.to_string())])) }
                @if v.rows.is_empty() {
                    p { (ctx.t("published.not_found")) }
                } @else {
                    div.table-wrap {
                        table.published {
                            caption.sr-only { (ctx.t(&format!("published.kind.{kind}"))) }
                            thead { tr { @for c in kind.columns() { th scope="col" { (ctx.t(&format!("published.col.{c}"))) } } } }
                            tbody {
                                @for r in &v.rows {
                                    tr {
                                        @for (i, cell) in r.iter().enumerate() {
                                            @if i == 0 { td { code { (cell) } } } @else { td { (cell) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    (view::paging(ctx, &v.paging))
                }
            }
        }
    }
}

/// `GET /lists/{kind}` — a published list.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Query(q): Query<PublishedQuery>,
) -> Result<Response, WebError> {
    let kind = ListKind::parse(&kind).map_err(|e| ctx.fail(AppError::NotFound(e.to_string())))?;
    state.rate(crate::app::limits::Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    let versions = crate::app::lists::versions(&state, kind).await.map_err(|e| ctx.fail(e))?;
    let query = ListQuery {
        version: q.version.trim().parse().ok(),
        q: tongban_core::text::search_words(&q.q),
        page: q.page.unwrap_or(1).clamp(1, tongban_core::text::MAX_PAGE),
        per_page: PER_PAGE,
    };
    let found = crate::app::lists::list(&state, kind, &query).await.map_err(|e| ctx.fail(e))?;
    let model = PublishedView::of(kind, &q, &versions, &found);
    Ok(page(&ctx, ctx.t(&format!("published.kind.{kind}")), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn version(number: u32) -> ListVersion {
        ListVersion {
            kind: ListKind::Funds,
            number,
            label: format!("v{number}"),
            published_at: "2026-03-02T02:00:00Z".parse().expect("time"),
            published_by: "admin".into(),
            entries: 41,
        }
    }

    #[test]
    fn a_list_page_shows_its_version_downloads_rows_and_pager() {
        let ctx = Ctx::for_test(Lang::En);
        let model = PublishedView {
            kind: ListKind::Funds,
            q: "fund".into(),
            shown: Some(version(2)),
            versions: vec![
                VersionChoice { number: 2, label: "v2".into(), selected: true },
                VersionChoice { number: 1, label: "v1".into(), selected: false },
            ],
            total: 41,
            rows: vec![vec![
                "ZJ-1".into(),
                "Growth fund".into(),
                "Development".into(),
                "¥1200.50".into(),
                "SMEs".into(),
                "Rules".into(),
            ]],
            paging: Paging { page: 1, per_page: 30, total: 41, link: "/lists/funds?q=fund&version=2&page=".into() },
        };
        let html = render(&ctx, &model).into_string();
        assert!(html.contains("href=\"/api/v1/lists/funds?format=csv&amp;version=2\""), "{html}");
        assert!(html.contains("href=\"/api/v1/lists/funds?format=xlsx&amp;version=2\""), "{html}");
        assert!(html.contains("<option value=\"2\" selected>"), "{html}");
        assert!(html.contains("<td><code>ZJ-1</code></td><td>Growth fund</td>"), "{html}");
        assert!(html.contains(&format!("<th scope=\"col\">{}</th>", Lang::En.t("published.col.amount_yuan"))));
        assert!(html.contains("rel=\"next\" href=\"/lists/funds?q=fund&amp;version=2&amp;page=2\""), "{html}");
        assert!(!html.contains("[?]"), "{html}");
        let none = PublishedView { shown: None, rows: vec![], total: 0, ..model };
        assert!(render(&ctx, &none).into_string().contains(Lang::En.t("published.none")));
    }

    #[test]
    fn the_links_name_each_list_with_its_latest_version() {
        let ctx = Ctx::for_test(Lang::En);
        let links = [
            ListLink { kind: ListKind::Funds, latest: Some(version(2)) },
            ListLink { kind: ListKind::Powers, latest: None },
        ];
        let html = render_links(&ctx, &links).into_string();
        assert!(html.contains(&format!("<a href=\"/lists/funds\">{}</a>", Lang::En.t("published.kind.funds"))));
        assert!(html.contains(Lang::En.t("published.unpublished")), "{html}");
        assert!(!html.contains("[?]"), "{html}");
    }
}
