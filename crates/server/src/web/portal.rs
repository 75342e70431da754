//! The public portal: home, item search, item guides, the four lists (四办四清单) and the
//! open figures with their charts. Anyone may read these.

use crate::app::{ItemFilter, ItemRow};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::identity::Role;
use tongban_core::item::{Category, Channel, ItemCode, ServiceItem};
use tongban_core::org::DepartmentCode;

use super::chart::{self, Bar};
use super::ctx::Ctx;
use super::error::{WebError, encode};
use super::layout::page;
use super::view;
use crate::AppState;
use crate::app::AppError;
use crate::problem::ApiError;

/// Items per search page.
const PER_PAGE: u32 = 20;

/// `GET /`.
pub async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        section.hero {
            h1 { (ctx.t("home.title")) }
            p.lead { (ctx.t("home.lead")) }
            (search_form(&ctx, &SearchQuery::default(), &departments, true))
        }
        section.tiles aria-label=(ctx.t("home.services")) {
            a.tile href="/items" { h2 { (ctx.t("nav.items")) } p { (ctx.t("home.items")) } }
            a.tile href="/hall" { h2 { (ctx.t("nav.hall")) } p { (ctx.t("home.hall")) } }
            a.tile href="/lists" { h2 { (ctx.t("nav.lists")) } p { (ctx.t("home.lists")) } }
            a.tile href="/figures" { h2 { (ctx.t("nav.figures")) } p { (ctx.t("home.figures")) } }
            a.tile href="/kiosk/lookup" { h2 { (ctx.t("home.lookup")) } p { (ctx.t("home.lookup_text")) } }
        }
    };
    Ok(page(&ctx, ctx.t("home.title"), body))
}

/// Item search parameters, as typed (kept on the page).
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// Words.
    #[serde(default)]
    pub q: String,
    /// Department code.
    #[serde(default)]
    pub department: String,
    /// Category machine name.
    #[serde(default)]
    pub category: String,
    /// Page.
    pub page: Option<u32>,
}

impl SearchQuery {
    /// The store filter; unknown values filter nothing rather than fail (a typed URL).
    pub fn filter(&self, per_page: u32) -> ItemFilter {
        ItemFilter {
            text: tongban_core::text::search_words(&self.q),
            department: DepartmentCode::parse(&self.department).ok(),
            category: Category::parse(&self.category).ok(),
            page: self.page.unwrap_or(1).clamp(1, tongban_core::text::MAX_PAGE),
            per_page,
            ..Default::default()
        }
    }

    /// The query string for page `page`.
    pub fn href(&self, base: &str, page: u32) -> String {
        format!(
            "{base}?q={}&department={}&category={}&page={page}",
            encode(&self.q),
            encode(&self.department),
            encode(&self.category)
        )
    }
}

/// The search form; `compact` on the home page.
pub fn search_form(ctx: &Ctx, q: &SearchQuery, departments: &[(String, String)], compact: bool) -> Markup {
    html! {
        form.search role="search" method="get" action="/items" {
            div.field {
                label for="q" { (ctx.t("search.words")) }
                input id="q" type="search" name="q" value=(q.q) maxlength=(tongban_core::text::SEARCH) placeholder=(ctx.t("search.placeholder"));
            }
            @if !compact {
                div.field {
                    label for="department" { (ctx.t("search.department")) }
                    select id="department" name="department" {
                        option value="" { (ctx.t("search.any")) }
                        @for (code, name) in departments {
                            option value=(code) selected[*code == q.department] { (name) }
                        }
                    }
                }
                div.field {
                    label for="category" { (ctx.t("search.category")) }
                    select id="category" name="category" {
                        option value="" { (ctx.t("search.any")) }
                        @for c in Category::ALL {
                            option value=(c.as_str()) selected[c.as_str() == q.category] { (ctx.t(&format!("category.{}", c.as_str()))) }
                        }
                    }
                }
            }
            button type="submit" { (ctx.t("search.submit")) }
        }
    }
}

/// Department code → name.
pub fn department_name<'a>(departments: &'a [(String, String)], code: &'a str) -> &'a str {
    departments.iter().find(|(c, _)| c == code).map_or(code, |(_, n)| n.as_str())
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
    let body = html! {
        h1 { (ctx.t("items.title")) }
        (search_form(&ctx, &q, &departments, false))
        p.count role="status" { (ctx.tf("items.found", &[("n", &found.total.to_string())])) }
        @if found.items.is_empty() {
            p { (ctx.t("items.none")) }
        } @else {
            ul.cards {
                @for row in &found.items {
                    li { (item_card(&ctx, row, &departments, "/items")) }
                }
            }
            (view::pager(&ctx, found.page, found.per_page, found.total, |p| q.href("/items", p)))
        }
    };
    Ok(page(&ctx, ctx.t("items.title"), body))
}

/// One item in a result list.
pub fn item_card(ctx: &Ctx, row: &ItemRow, departments: &[(String, String)], base: &str) -> Markup {
    let i = &row.item;
    html! {
        article.card {
            h2 { a href=(format!("{base}/{}", i.code)) { (i.name) } }
            p.meta {
                span { (department_name(departments, i.department.as_str())) }
                span.badge { (ctx.t(&format!("category.{}", i.category.as_str()))) }
                span { (ctx.t("item.promised")) ": " (view::limit(ctx, i.promised_limit)) }
            }
        }
    }
}

async fn load_item(state: &AppState, ctx: &Ctx, code: &str) -> Result<ItemRow, WebError> {
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(code).map_err(|_| not_found())?;
    crate::app::public::item(state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)
}

/// The guide of an item: materials, limits, fees, legal basis, channels, who is responsible.
pub fn guide(ctx: &Ctx, i: &ServiceItem, department: &str, responsible: Option<&str>) -> Markup {
    html! {
        dl.facts {
            dt { (ctx.t("item.code")) } dd { code { (i.code) } }
            dt { (ctx.t("item.department")) } dd { (department) }
            dt { (ctx.t("item.kind")) } dd { (ctx.t(&format!("kind.{}", i.kind.as_str()))) }
            dt { (ctx.t("item.category")) } dd { span.badge { (ctx.t(&format!("category.{}", i.category.as_str()))) } }
            dt { (ctx.t("item.legal")) } dd { (view::limit(ctx, i.legal_limit)) }
            dt { (ctx.t("item.promised")) } dd { (view::limit(ctx, i.promised_limit)) }
            dt { (ctx.t("item.fees")) } dd { (view::fees(ctx, &i.fees)) }
            dt { (ctx.t("item.channels")) } dd {
                (i.channels.iter().map(|c| ctx.t(&format!("channel.{}", c.as_str())).to_owned()).collect::<Vec<_>>().join(ctx.t("list.sep")))
            }
            dt { (ctx.t("item.responsible")) } dd { (responsible.unwrap_or(ctx.t("item.not_named"))) }
        }
        h2 { (ctx.t("item.materials")) }
        table {
            caption.sr-only { (ctx.t("item.materials")) }
            thead { tr { th scope="col" { "#" } th scope="col" { (ctx.t("item.material")) } th scope="col" { (ctx.t("item.form")) } th scope="col" { (ctx.t("item.required")) } } }
            tbody {
                @for (n, m) in i.materials.iter().enumerate() {
                    tr {
                        td { (n + 1) }
                        td { (m.name) }
                        td { (ctx.t(&format!("form.{}", m.form.as_str()))) }
                        td { @if m.required { (ctx.t("item.yes")) } @else { (ctx.t("item.optional")) } }
                    }
                }
            }
        }
        h2 { (ctx.t("item.basis")) }
        p { (i.legal_basis) }
    }
}

/// `GET /items/{code}`.
pub async fn item(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, WebError> {
    let row = load_item(&state, &ctx, &code).await?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let responsible =
        match crate::app::public::first_responsible(&state, &row.item.code).await.map_err(|e| ctx.fail(e))? {
            Some(id) => Some(crate::app::public::display_name(&state, &id).await.map_err(|e| ctx.fail(e))?),
            None => None,
        };
    let i = &row.item;
    let body = html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) { a href="/items" { (ctx.t("items.title")) } " › " span { (i.name) } }
        h1 { (i.name) }
        (guide(&ctx, i, department_name(&departments, i.department.as_str()), responsible.as_deref()))
        div.actions {
            @if ctx.role() == Role::WindowClerk {
                @if i.channels.contains(&Channel::Window) {
                    a.button.primary href=(format!("/hall/apply/{}", i.code)) { (ctx.t("workbench.receive")) }
                }
            } @else if i.channels.contains(&Channel::Online) {
                a.button.primary href=(format!("/hall/apply/{}", i.code)) { (ctx.t("item.apply_online")) }
            } @else {
                p { (ctx.t("item.window_only")) }
            }
        }
    };
    Ok(page(&ctx, &i.name, body))
}

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

/// `GET /lists` — the four lists (四办四清单).
pub async fn lists(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let mut lists = Vec::new();
    for c in Category::ALL {
        lists.push((c, all_in_category(&state, c).await.map_err(|e| ctx.fail(e))?));
    }
    let body = html! {
        h1 { (ctx.t("lists.title")) }
        p.lead { (ctx.t("lists.lead")) }
        nav.toc aria-label=(ctx.t("lists.toc")) {
            ul { @for (c, (n, _)) in &lists { li { a href=(format!("#{}", c.as_str())) { (ctx.t(&format!("category.{}", c.as_str()))) " (" (n) ")" } } } }
        }
        @for (c, (n, items)) in &lists {
            section id=(c.as_str()) {
                h2 { (ctx.t(&format!("category.{}", c.as_str()))) " " span.count { (ctx.tf("lists.count", &[("n", &n.to_string())])) } }
                p { (ctx.t(&format!("category_text.{}", c.as_str()))) }
                div.table-wrap {
                    table {
                        thead { tr { th scope="col" { (ctx.t("item.code")) } th scope="col" { (ctx.t("item.name")) } th scope="col" { (ctx.t("item.department")) } th scope="col" { (ctx.t("item.promised")) } } }
                        tbody {
                            @for row in items {
                                tr {
                                    td { code { (row.item.code) } }
                                    td { a href=(format!("/items/{}", row.item.code)) { (row.item.name) } }
                                    td { (department_name(&departments, row.item.department.as_str())) }
                                    td { (view::limit(&ctx, row.item.promised_limit)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("lists.title"), body))
}

fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// `GET /figures` — open figures: volume and on-time rate per month, satisfaction.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let months = crate::app::public::monthly_figures(&state).await.map_err(|e| ctx.fail(e))?;
    let ratings = crate::app::public::rating_counts(&state).await.map_err(|e| ctx.fail(e))?;
    let recent: Vec<_> = months.iter().rev().take(12).rev().collect();
    let (received, delivered, on_time) =
        months.iter().fold((0, 0, 0), |(r, d, o), m| (r + m.received, d + m.delivered, o + m.on_time));
    let rated: u64 = ratings.iter().sum();
    let satisfied = ratings[3] + ratings[4];
    let bars: Vec<Bar> = recent
        .iter()
        .map(|m| Bar { label: m.month.clone(), value: m.received, rate: percent(m.on_time, m.delivered) })
        .collect();
    let rating_bars: Vec<Bar> = ratings
        .iter()
        .enumerate()
        .map(|(i, n)| Bar { label: ctx.t(&format!("rating.{}", i + 1)).to_owned(), value: *n, rate: None })
        .collect();
    let body = html! {
        h1 { (ctx.t("figures.title")) }
        ul.kpis {
            li { span.k { (received) } span.l { (ctx.t("figures.received")) } }
            li { span.k { (delivered) } span.l { (ctx.t("figures.delivered")) } }
            li { span.k { (pct(percent(on_time, delivered))) } span.l { (ctx.t("figures.on_time_rate")) } }
            li { span.k { (pct(percent(satisfied, rated))) } span.l { (ctx.t("figures.satisfaction")) } }
        }
        section {
            h2 { (ctx.t("figures.by_month")) }
            (chart::bars("months", ctx.t("figures.by_month"), ctx.t("figures.by_month_desc"), &bars))
            p.legend { span.key.bar-key {} (ctx.t("figures.received")) " " span.key.rate-key {} (ctx.t("figures.on_time_rate")) }
            div.table-wrap {
                table {
                    caption { (ctx.t("figures.table")) }
                    thead { tr { th scope="col" { (ctx.t("figures.month")) } th scope="col" { (ctx.t("figures.received")) } th scope="col" { (ctx.t("figures.delivered")) } th scope="col" { (ctx.t("figures.on_time_rate")) } } }
                    tbody {
                        @for m in &recent {
                            tr { td { (m.month) } td { (m.received) } td { (m.delivered) } td { (pct(percent(m.on_time, m.delivered))) } }
                        }
                    }
                }
            }
        }
        section {
            h2 { (ctx.t("figures.ratings")) }
            @if rated > 0 {
                (chart::bars("ratings", ctx.t("figures.ratings"), ctx.t("figures.ratings_desc"), &rating_bars))
            }
            p { (ctx.tf("figures.rated", &[("n", &rated.to_string())])) }
        }
    };
    Ok(page(&ctx, ctx.t("figures.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/", get(home))
        .route("/items", get(items))
        .route("/items/{code}", get(item))
        .route("/lists", get(lists))
        .route("/figures", get(figures))
}
