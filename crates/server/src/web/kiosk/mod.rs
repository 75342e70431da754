//! The touch-screen kiosk (自助终端, `/kiosk`): large targets, item search and guides (where,
//! when and whom to ask, as on the portal), a case look-up by number and phone, and queue
//! tickets (排队号). Every page but the start goes back to the start after idle time (a meta
//! refresh: no JavaScript needed), so the next person finds it clean.
//!
//! Each page loads through [`crate::app`], builds its view model and draws it with a pure
//! `render` function.

mod documents;
mod lookup;
mod ticket;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::item::ItemCode;

use super::ctx::Ctx;
use super::error::WebError;
use super::layout::kiosk;
use super::portal::{GuideView, ItemCard, SearchQuery, guide, item_card};
use super::view::{self, Paging};
use crate::AppState;
use crate::app::AppError;

/// Items per search page on the kiosk's screen.
const PER_PAGE: u32 = 8;

/// Draws the kiosk's start.
pub fn render_home(ctx: &Ctx) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.welcome")) }
        div.big-tiles {
            a.big href="/kiosk/items" { span { (ctx.t("kiosk.find")) } span.sub { (ctx.t("kiosk.find_text")) } }
            a.big href="/kiosk/ticket" { span { (ctx.t("kiosk.take_ticket")) } span.sub { (ctx.t("kiosk.take_ticket_text")) } }
            a.big href="/kiosk/lookup" { span { (ctx.t("kiosk.lookup")) } span.sub { (ctx.t("kiosk.lookup_text")) } }
            a.big href="/kiosk/documents" { span { (ctx.t("doc.kiosk_title")) } span.sub { (ctx.t("doc.kiosk_text")) } }
        }
    }
}

/// `GET /kiosk`.
pub async fn home(ctx: Ctx) -> Response {
    kiosk(&ctx, ctx.t("kiosk.title"), render_home(&ctx), false)
}

/// The kiosk's search results.
#[derive(Debug, Clone)]
pub struct ItemsView {
    /// The words typed.
    pub q: String,
    /// Items found in all.
    pub total: u64,
    /// This page's items.
    pub cards: Vec<ItemCard>,
    /// Where the list stands.
    pub paging: Paging,
}

/// Draws the kiosk's search results.
pub fn render_items(ctx: &Ctx, v: &ItemsView) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.find")) }
        form.search.big-search role="search" method="get" action="/kiosk/items" {
            label for="q" { (ctx.t("search.words")) }
            input id="q" type="search" name="q" value=(v.q) maxlength=(tongban_core::text::SEARCH) autofocus placeholder=(ctx.t("search.placeholder"));
            button.primary type="submit" { (ctx.t("search.submit")) }
        }
        p.count role="status" { (ctx.tf("items.found", &[("n", &v.total.to_string())])) }
        ul.cards.big-cards {
            @for card in &v.cards { li { (item_card(ctx, card)) } }
        }
        (view::paging(ctx, &v.paging))
        (back(ctx))
    }
}

/// `GET /kiosk/items`.
pub async fn items(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    state.rate(crate::app::limits::Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    let found = crate::app::public::items(&state, &q.filter(PER_PAGE)).await.map_err(|e| ctx.fail(e))?;
    let model = ItemsView {
        total: found.total,
        cards: found.items.iter().map(|row| ItemCard::of(row, &departments, "/kiosk/items")).collect(),
        paging: Paging {
            page: found.page,
            per_page: found.per_page,
            total: found.total,
            link: q.page_link("/kiosk/items"),
        },
        q: q.q,
    };
    Ok(kiosk(&ctx, ctx.t("kiosk.find"), render_items(&ctx, &model), true))
}

/// The way back to the start.
fn back(ctx: &Ctx) -> Markup {
    html! { p.back { a.button.big-button href="/kiosk" { (ctx.t("kiosk.start")) } } }
}

/// Draws an item's guide on the kiosk.
pub fn render_item(ctx: &Ctx, g: &GuideView) -> Markup {
    html! {
        h1 { (g.item.name) }
        (guide(ctx, g))
        p.back { a.button.big-button href="/kiosk/items" { (ctx.t("kiosk.back_search")) } }
        (back(ctx))
    }
}

/// `GET /kiosk/items/{code}`.
pub async fn item(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, WebError> {
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(&code).map_err(|_| not_found())?;
    let row = crate::app::public::item(&state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)?;
    let responsible = super::portal::item::responsible_name(&state, &ctx, &row.item.code).await?;
    let model = GuideView::load(&state, &ctx, row.item, responsible).await?;
    Ok(kiosk(&ctx, &model.item.name, render_item(&ctx, &model), true))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/kiosk", get(home))
        .route("/kiosk/items", get(items))
        .route("/kiosk/items/{code}", get(item))
        .route("/kiosk/ticket", get(ticket::ticket_page).post(ticket::take_ticket))
        .route("/kiosk/lookup", get(lookup::lookup_page).post(lookup::lookup))
        .route("/kiosk/documents", get(documents::documents_page).post(documents::list))
        .route("/kiosk/documents/download", axum::routing::post(documents::download))
}
