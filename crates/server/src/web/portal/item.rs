//! An item's guide (`/items/{code}`, 办事指南): materials, limits, fees, legal basis,
//! channels, who is responsible, where, when and whom to ask (the sites with their address,
//! hours and windows, the contact), the conditions (受理条件), the process steps (办理流程),
//! and the way to apply that the viewer is offered.

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::catalog::Guide;
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ItemCode, ServiceItem};

use super::department_name;
use crate::AppState;
use crate::app::{AppError, ItemRow};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view;

/// An item's guide.
#[derive(Debug, Clone)]
pub struct GuideView {
    /// The item.
    pub item: ServiceItem,
    /// Its department's name.
    pub department: String,
    /// Who is first responsible for it, if named.
    pub responsible: Option<String>,
    /// Where, when and whom to ask: its sites and their windows for it, and the contact.
    pub visit: Guide,
}

impl GuideView {
    /// Loads what the guide of `item` shows besides the item: its department's name and
    /// where, when and whom to ask. The portal and the kiosk both build it here.
    pub async fn load(
        state: &AppState,
        ctx: &Ctx,
        item: ServiceItem,
        responsible: Option<String>,
    ) -> Result<GuideView, WebError> {
        let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
        let visit = crate::app::public::guide(state, &item).await.map_err(|e| ctx.fail(e))?;
        let department = department_name(&departments, item.department.as_str()).to_owned();
        Ok(GuideView { item, department, responsible, visit })
    }
}

/// Draws an item's guide.
pub fn guide(ctx: &Ctx, g: &GuideView) -> Markup {
    let i = &g.item;
    html! {
        dl.facts {
            dt { (ctx.t("item.code")) } dd { code { (i.code) } }
            dt { (ctx.t("item.department")) } dd { (g.department) }
            dt { (ctx.t("item.kind")) } dd { (ctx.t(&format!("kind.{}", i.kind.as_str()))) }
            dt { (ctx.t("item.category")) } dd { span.badge { (ctx.t(&format!("category.{}", i.category.as_str()))) } }
            dt { (ctx.t("item.legal")) } dd { (view::limit(ctx, i.legal_limit)) }
            dt { (ctx.t("item.promised")) } dd { (view::limit(ctx, i.promised_limit)) }
            dt { (ctx.t("item.fees")) } dd { (view::fees(ctx, &i.fees)) }
            dt { (ctx.t("item.channels")) } dd {
                @for (n, c) in i.channels.iter().enumerate() {
                    @if n > 0 { (ctx.t("list.sep")) }
                    (ctx.t(&format!("channel.{}", c.as_str())))
                }
            }
            dt { (ctx.t("item.responsible")) } dd {
                @match &g.responsible { Some(r) => (r), None => (ctx.t("item.not_named")) }
            }
            dt { (ctx.t("item.contact")) } dd.contact {
                @match &g.visit.contact { Some(c) => (c), None => (ctx.t("item.not_given")) }
            }
        }
        h2 { (ctx.t("item.conditions")) }
        @if i.conditions.is_empty() {
            p { (ctx.t("item.not_given")) }
        } @else {
            div.conditions { @for line in i.conditions.lines().filter(|l| !l.trim().is_empty()) { p { (line) } } }
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
        h2 { (ctx.t("item.steps")) }
        @if i.steps.is_empty() {
            p { (ctx.t("item.not_given")) }
        } @else {
            ol.steps { @for step in &i.steps { li { (step) } } }
        }
        (places(ctx, &g.visit))
        h2 { (ctx.t("item.basis")) }
        p { (i.legal_basis) }
    }
}

/// Where and when: each site with its address, hours, phone and the windows that take the item.
fn places(ctx: &Ctx, visit: &Guide) -> Markup {
    html! {
        h2 { (ctx.t("item.where")) }
        @if visit.places.is_empty() {
            p { (ctx.t("item.no_place")) }
        }
        @for p in &visit.places {
            section.place {
                h3 { (p.site.name) }
                dl.facts {
                    dt { (ctx.t("item.address")) } dd { (or_not_given(ctx, &p.site.address)) }
                    dt { (ctx.t("item.hours")) } dd { (or_not_given(ctx, &p.site.hours)) }
                    dt { (ctx.t("item.site_phone")) } dd { (or_not_given(ctx, &p.site.phone)) }
                    dt { (ctx.t("item.windows")) } dd {
                        @if p.windows.is_empty() { (ctx.t("item.no_windows")) }
                        @for (n, w) in p.windows.iter().enumerate() {
                            @if n > 0 { (ctx.t("list.sep")) }
                            (w.name)
                        }
                    }
                }
            }
        }
    }
}

fn or_not_given<'a>(ctx: &Ctx, text: &'a str) -> &'a str {
    if text.trim().is_empty() { ctx.t("item.not_given") } else { text }
}

/// How the viewer may apply for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOffer {
    /// A window clerk receives an applicant at the window, at this link.
    Receive(String),
    /// Apply online, at this link.
    Online(String),
    /// A clerk, but the item is not handled at a window.
    Nothing,
    /// Only at a window.
    WindowOnly,
}

impl ApplyOffer {
    /// What `role` is offered for an item with `channels`.
    pub fn of(role: Role, code: &ItemCode, channels: &[Channel]) -> ApplyOffer {
        let href = format!("/hall/apply/{code}");
        if role == Role::WindowClerk {
            if channels.contains(&Channel::Window) { ApplyOffer::Receive(href) } else { ApplyOffer::Nothing }
        } else if channels.contains(&Channel::Online) {
            ApplyOffer::Online(href)
        } else {
            ApplyOffer::WindowOnly
        }
    }
}

/// An item's page.
#[derive(Debug, Clone)]
pub struct ItemPage {
    /// The guide.
    pub guide: GuideView,
    /// The way to apply.
    pub offer: ApplyOffer,
}

/// Draws an item's page.
pub fn render(ctx: &Ctx, v: &ItemPage) -> Markup {
    let i = &v.guide.item;
    html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) { a href="/items" { (ctx.t("items.title")) } " › " span { (i.name) } }
        h1 { (i.name) }
        (guide(ctx, &v.guide))
        div.actions {
            @match &v.offer {
                ApplyOffer::Receive(href) => { a.button.primary href=(href) { (ctx.t("workbench.receive")) } }
                ApplyOffer::Online(href) => { a.button.primary href=(href) { (ctx.t("item.apply_online")) } }
                ApplyOffer::WindowOnly => { p { (ctx.t("item.window_only")) } }
                ApplyOffer::Nothing => {}
            }
        }
    }
}

async fn load_item(state: &AppState, ctx: &Ctx, code: &str) -> Result<ItemRow, WebError> {
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(code).map_err(|_| not_found())?;
    crate::app::public::item(state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)
}

/// The name of an item's 审批第一责任人 as guides show it (portal and kiosk alike).
pub(crate) async fn responsible_name(state: &AppState, ctx: &Ctx, code: &ItemCode) -> Result<Option<String>, WebError> {
    match crate::app::public::first_responsible(state, code).await.map_err(|e| ctx.fail(e))? {
        Some(id) => Ok(Some(crate::app::public::display_name(state, &id).await.map_err(|e| ctx.fail(e))?)),
        None => Ok(None),
    }
}

/// `GET /items/{code}`.
pub async fn item(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Result<Response, WebError> {
    let row = load_item(&state, &ctx, &code).await?;
    let responsible = responsible_name(&state, &ctx, &row.item.code).await?;
    let model = ItemPage {
        offer: ApplyOffer::of(ctx.role(), &row.item.code, &row.item.channels),
        guide: GuideView::load(&state, &ctx, row.item, responsible).await?,
    };
    Ok(page(&ctx, &model.guide.item.name, render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clerk_receives_at_the_window_and_others_apply_online_where_offered() {
        let code = ItemCode::parse("FGW-001").expect("valid");
        let both = [Channel::Window, Channel::Online];
        let href = "/hall/apply/FGW-001".to_owned();
        assert_eq!(ApplyOffer::of(Role::WindowClerk, &code, &both), ApplyOffer::Receive(href.clone()));
        assert_eq!(ApplyOffer::of(Role::WindowClerk, &code, &[Channel::Online]), ApplyOffer::Nothing);
        assert_eq!(ApplyOffer::of(Role::Applicant, &code, &both), ApplyOffer::Online(href.clone()));
        assert_eq!(ApplyOffer::of(Role::Public, &code, &[Channel::Window]), ApplyOffer::WindowOnly);
    }
}
