//! The home page and the item search (`/`, `/items`): the search form, and items as cards.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::item::{Category, TimeLimit};

use super::{SearchQuery, department_name};
use crate::AppState;
use crate::app::ItemRow;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view::{self, Paging};

/// Items per search page.
const PER_PAGE: u32 = 20;

/// An option of a select: its value, its label, whether it is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The value sent.
    pub value: String,
    /// What is shown.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

/// The search form, filled with what was typed.
#[derive(Debug, Clone)]
pub struct SearchForm {
    /// The words.
    pub q: String,
    /// Only the words (the home page's form).
    pub compact: bool,
    /// The departments to choose from.
    pub departments: Vec<Choice>,
    /// The categories to choose from, and whether each is selected.
    pub categories: Vec<(Category, bool)>,
}

impl SearchForm {
    /// The form for `q`, with `departments` (code, name) to choose from.
    pub fn of(q: &SearchQuery, departments: &[(String, String)], compact: bool) -> SearchForm {
        SearchForm {
            q: q.q.clone(),
            compact,
            departments: departments
                .iter()
                .map(|(code, name)| Choice {
                    value: code.clone(),
                    label: name.clone(),
                    selected: *code == q.department,
                })
                .collect(),
            categories: Category::ALL.iter().map(|c| (*c, c.as_str() == q.category)).collect(),
        }
    }
}

/// Draws the search form.
pub fn search_form(ctx: &Ctx, f: &SearchForm) -> Markup {
    html! {
        form.search role="search" method="get" action="/items" {
            div.field {
                label for="q" { (ctx.t("search.words")) }
                input id="q" type="search" name="q" value=(f.q) maxlength=(tongban_core::text::SEARCH) placeholder=(ctx.t("search.placeholder"));
            }
            @if !f.compact {
                div.field {
                    label for="department" { (ctx.t("search.department")) }
                    select id="department" name="department" {
                        option value="" { (ctx.t("search.any")) }
                        @for d in &f.departments {
                            option value=(d.value) selected[d.selected] { (d.label) }
                        }
                    }
                }
                div.field {
                    label for="category" { (ctx.t("search.category")) }
                    select id="category" name="category" {
                        option value="" { (ctx.t("search.any")) }
                        @for (c, selected) in &f.categories {
                            option value=(c.as_str()) selected[*selected] { (ctx.t(&format!("category.{}", c.as_str()))) }
                        }
                    }
                }
            }
            button type="submit" { (ctx.t("search.submit")) }
        }
    }
}

/// One item in a result list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCard {
    /// Where its guide is.
    pub href: String,
    /// Its name.
    pub name: String,
    /// Its department's name.
    pub department: String,
    /// Its category.
    pub category: Category,
    /// The time limit promised.
    pub promised: Option<TimeLimit>,
}

impl ItemCard {
    /// The card of `row`, linking under `base`.
    pub fn of(row: &ItemRow, departments: &[(String, String)], base: &str) -> ItemCard {
        let i = &row.item;
        ItemCard {
            href: format!("{base}/{}", i.code),
            name: i.name.clone(),
            department: department_name(departments, i.department.as_str()).to_owned(),
            category: i.category,
            promised: i.promised_limit,
        }
    }
}

/// Draws an item card.
pub fn item_card(ctx: &Ctx, c: &ItemCard) -> Markup {
    html! {
        article.card {
            h2 { a href=(c.href) { (c.name) } }
            p.meta {
                span { (c.department) }
                span.badge { (ctx.t(&format!("category.{}", c.category.as_str()))) }
                span { (ctx.t("item.promised")) ": " (view::limit(ctx, c.promised)) }
            }
        }
    }
}

/// Draws the home page.
pub fn render_home(ctx: &Ctx, search: &SearchForm) -> Markup {
    html! {
        section.hero {
            h1 { (ctx.t("home.title")) }
            p.lead { (ctx.t("home.lead")) }
            (search_form(ctx, search))
        }
        section.tiles aria-label=(ctx.t("home.services")) {
            a.tile href="/items" { h2 { (ctx.t("nav.items")) } p { (ctx.t("home.items")) } }
            a.tile href="/hall" { h2 { (ctx.t("nav.hall")) } p { (ctx.t("home.hall")) } }
            a.tile href="/lists" { h2 { (ctx.t("nav.lists")) } p { (ctx.t("home.lists")) } }
            a.tile href="/figures" { h2 { (ctx.t("nav.figures")) } p { (ctx.t("home.figures")) } }
            a.tile href="/projects/approval-list" { h2 { (ctx.t("papl.title")) } p { (ctx.t("papl.tile")) } }
            a.tile href="/kiosk/lookup" { h2 { (ctx.t("home.lookup")) } p { (ctx.t("home.lookup_text")) } }
        }
    }
}

/// `GET /`.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let search = SearchForm::of(&SearchQuery::default(), &departments, true);
    Ok(page(&ctx, ctx.t("home.title"), render_home(&ctx, &search)))
}

/// The search results page.
#[derive(Debug, Clone)]
pub struct ItemsView {
    /// The form, as typed.
    pub search: SearchForm,
    /// Items found in all.
    pub total: u64,
    /// This page's items.
    pub cards: Vec<ItemCard>,
    /// Where the list stands.
    pub paging: Paging,
}

/// Draws the search results.
pub fn render_items(ctx: &Ctx, v: &ItemsView) -> Markup {
    html! {
        h1 { (ctx.t("items.title")) }
        (search_form(ctx, &v.search))
        p.count role="status" { (ctx.tf("items.found", &[("n", &v.total.to_string())])) }
        @if v.cards.is_empty() {
            p { (ctx.t("items.none")) }
        } @else {
            ul.cards {
                @for card in &v.cards {
                    li { (item_card(ctx, card)) }
                }
            }
            (view::paging(ctx, &v.paging))
        }
    }
}

/// `GET /items`.
pub async fn items(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    state.rate(crate::app::limits::Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    let found = crate::app::public::items(&state, &q.filter(PER_PAGE)).await.map_err(|e| ctx.fail(e))?;
    let model = ItemsView {
        search: SearchForm::of(&q, &departments, false),
        total: found.total,
        cards: found.items.iter().map(|row| ItemCard::of(row, &departments, "/items")).collect(),
        paging: Paging { page: found.page, per_page: found.per_page, total: found.total, link: q.page_link("/items") },
    };
    Ok(page(&ctx, ctx.t("items.title"), render_items(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn card() -> ItemCard {
        ItemCard {
            href: "/items/FGW-001".into(),
            name: "Permit".into(),
            department: "Development".into(),
            category: Category::ALL[0],
            promised: Some(TimeLimit::WorkingDays(std::num::NonZero::new(5).expect("not zero"))),
        }
    }

    #[test]
    fn the_search_keeps_the_chosen_department_and_category() {
        let q =
            SearchQuery { department: "zjj".into(), category: Category::ALL[1].as_str().into(), ..Default::default() };
        let departments = [("fgw".to_owned(), "Development".to_owned()), ("zjj".to_owned(), "Housing".to_owned())];
        let form = SearchForm::of(&q, &departments, false);
        let html = search_form(&Ctx::for_test(Lang::En), &form).into_string();
        assert!(html.contains("<option value=\"zjj\" selected>Housing</option>"), "{html}");
        assert!(html.contains("<option value=\"fgw\">Development</option>"), "{html}");
        assert!(html.contains(&format!("<option value=\"{}\" selected>", Category::ALL[1].as_str())), "{html}");
        let compact = search_form(&Ctx::for_test(Lang::En), &SearchForm::of(&q, &departments, true)).into_string();
        assert!(!compact.contains("<select"), "{compact}");
    }

    #[test]
    fn found_items_are_listed_as_cards_with_a_pager() {
        let ctx = Ctx::for_test(Lang::En);
        let model = ItemsView {
            search: SearchForm::of(&SearchQuery::default(), &[], false),
            total: 41,
            cards: vec![card()],
            paging: Paging { page: 2, per_page: 20, total: 41, link: "/items?q=&department=&category=&page=".into() },
        };
        let html = render_items(&ctx, &model).into_string();
        assert!(html.contains("<a href=\"/items/FGW-001\">Permit</a>"), "{html}");
        assert!(html.contains("rel=\"prev\" href=\"/items?q=&amp;department=&amp;category=&amp;page=1\""), "{html}");
        assert!(html.contains("rel=\"next\" href=\"/items?q=&amp;department=&amp;category=&amp;page=3\""), "{html}");
        let empty = ItemsView { cards: Vec::new(), total: 0, ..model };
        assert!(render_items(&ctx, &empty).into_string().contains(Lang::En.t("items.none")));
    }
}
