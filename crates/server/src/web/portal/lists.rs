//! The four lists (`/lists`, 四办四清单): every item of each category, with its department
//! and promised time limit; and links to the other published lists (`/lists/{kind}`).

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::item::{Category, TimeLimit};

use super::department_name;
use super::published::{ListLink, render_links};
use crate::AppState;
use crate::app::{ItemFilter, ItemRow};
use crate::problem::ApiError;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view;

/// Every item of a category, over all pages.
pub async fn all_in_category(state: &AppState, category: Category) -> Result<(u64, Vec<ItemRow>), ApiError> {
    let mut items = Vec::new();
    let mut page = 1;
    loop {
        let found = crate::app::public::items(
            state,
            &ItemFilter { category: Some(category), page, per_page: 200, ..Default::default() },
        )
        .await?;
        let done = found.items.is_empty() || (items.len() + found.items.len()) as u64 >= found.total;
        items.extend(found.items);
        if done {
            return Ok((items.len() as u64, items));
        }
        page += 1;
    }
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its department's name.
    pub department: String,
    /// The time limit promised.
    pub promised: Option<TimeLimit>,
}

/// One of the four lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSection {
    /// The category.
    pub category: Category,
    /// How many items it holds.
    pub count: u64,
    /// Its items.
    pub rows: Vec<ListRow>,
}

impl ListSection {
    /// The list of `category` holding `count` items `rows`.
    pub fn of(category: Category, count: u64, rows: &[ItemRow], departments: &[(String, String)]) -> ListSection {
        let row = |r: &ItemRow| ListRow {
            code: r.item.code.to_string(),
            name: r.item.name.clone(),
            department: department_name(departments, r.item.department.as_str()).to_owned(),
            promised: r.item.promised_limit,
        };
        ListSection { category, count, rows: rows.iter().map(row).collect() }
    }
}

/// Draws the four lists, after the links to the published lists.
pub fn render(ctx: &Ctx, published: &[ListLink], lists: &[ListSection]) -> Markup {
    html! {
        h1 { (ctx.t("lists.title")) }
        p.lead { (ctx.t("lists.lead")) }
        nav.toc aria-label=(ctx.t("lists.toc")) {
            ul { @for l in lists { li { a href=(format!("#{}", l.category.as_str())) { (ctx.t(&format!("category.{}", l.category.as_str()))) " (" (l.count) ")" } } } }
        }
        (render_links(ctx, published))
        @for l in lists {
            section id=(l.category.as_str()) {
                h2 { (ctx.t(&format!("category.{}", l.category.as_str()))) " " span.count { (ctx.tf("lists.count", &[("n", &l.count.to_string())])) } }
                p { (ctx.t(&format!("category_text.{}", l.category.as_str()))) }
                div.table-wrap {
                    table {
                        thead { tr { th scope="col" { (ctx.t("item.code")) } th scope="col" { (ctx.t("item.name")) } th scope="col" { (ctx.t("item.department")) } th scope="col" { (ctx.t("item.promised")) } } }
                        tbody {
                            @for row in &l.rows {
                                tr {
                                    td { code { (row.code) } }
                                    td { a href=(format!("/items/{}", row.code)) { (row.name) } }
                                    td { (row.department) }
                                    td { (view::limit(ctx, row.promised)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /lists` — the four lists (四办四清单).
pub async fn lists(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let published = crate::app::lists::latest_versions(&state).await.map_err(|e| ctx.fail(e))?;
    let published: Vec<ListLink> = published.into_iter().map(|(kind, latest)| ListLink { kind, latest }).collect();
    let mut lists = Vec::new();
    for c in Category::ALL {
        let (count, rows) = all_in_category(&state, c).await.map_err(|e| ctx.fail(e))?;
        lists.push(ListSection::of(c, count, &rows, &departments));
    }
    Ok(page(&ctx, ctx.t("lists.title"), render(&ctx, &published, &lists)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn each_list_is_linked_from_the_contents_with_its_count() {
        let ctx = Ctx::for_test(Lang::En);
        let c = Category::ALL[0];
        let list = ListSection {
            category: c,
            count: 1,
            rows: vec![ListRow {
                code: "FGW-001".into(),
                name: "Permit".into(),
                department: "Development".into(),
                promised: None,
            }],
        };
        let html = render(&ctx, &[], &[list]).into_string();
        assert!(html.contains(&format!("href=\"#{}\"", c.as_str())), "{html}");
        assert!(html.contains(&format!("<section id=\"{}\">", c.as_str())), "{html}");
        assert!(html.contains("<a href=\"/items/FGW-001\">Permit</a>"), "{html}");
        assert!(html.contains(&format!("{} (1)", Lang::En.t(&format!("category.{}", c.as_str())))), "{html}");
    }
}
