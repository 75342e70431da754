//! `/admin/grants` — the delegation grants as a tree, each with its status; revoke.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::delegation::{Delegations, Grant};

use super::{DoneQuery, access, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self};

/// Where a grant stands at `now` (core's rule), by its stable name.
fn grant_status(d: &Delegations, g: &Grant, now: jiff::Timestamp) -> &'static str {
    d.status(g, now).as_str()
}

/// What a grant node needs besides the grant.
struct Tree<'a> {
    delegations: &'a Delegations,
    children: &'a BTreeMap<String, Vec<&'a Grant>>,
    names: &'a HashMap<String, String>,
    now: jiff::Timestamp,
    may_change: bool,
}

fn name_of(names: &HashMap<String, String>, id: &str) -> Markup {
    html! {
        @match names.get(id) {
            Some(n) if n != id => { (n) " " code { (id) } }
            _ => code { (id) },
        }
    }
}

/// A grant and everything re-delegated from it.
fn grant_node(ctx: &Ctx, t: &Tree<'_>, g: &Grant) -> Markup {
    let status = grant_status(t.delegations, g, t.now);
    html! {
        li id=(format!("grant-{}", g.id)) {
            div class=(format!("grant-node grant-{status}")) {
                p.parties { (name_of(t.names, &g.grantor)) " → " (name_of(t.names, &g.grantee)) }
                p.meta {
                    span class=(format!("badge status-{status}")) { (ctx.t(&format!("grant.{status}"))) }
                    span { code { (g.id) } }
                    span { (g.powers.iter().map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned()).collect::<Vec<_>>().join(ctx.t("list.sep"))) }
                    span { @match &g.items { None => (ctx.t("authority.all_items")), Some(items) => (items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) } }
                }
                p.meta {
                    span { (ctx.t("grant.from")) " " (view::time(g.valid_from)) }
                    span { (ctx.t("grant.until")) " " @if let Some(u) = g.valid_until { (view::time(u)) } @else { (ctx.t("grant.until_revoked")) } }
                    @if let Some(r) = g.revoked_at { span.late { (ctx.t("grant.revoked_at")) " " (view::time(r)) } }
                }
                @if t.may_change && g.revoked_at.is_none() {
                    form.inline-form method="post" action=(format!("/admin/grants/{}/revoke", g.id)) {
                        (view::csrf(ctx))
                        button type="submit" aria-label=(ctx.tf("grant.revoke_label", &[("id", &g.id)])) { (ctx.t("grant.revoke")) }
                    }
                }
            }
            @if let Some(kids) = t.children.get(&g.id) {
                ul.tree { @for k in kids { (grant_node(ctx, t, k)) } }
            }
        }
    }
}

/// `GET /admin/grants` — the delegation tree.
pub async fn grants(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    grants_page(&state, &ctx, may_change, q.done.as_deref(), None).await
}

async fn grants_page(
    state: &AppState,
    ctx: &Ctx,
    may_change: bool,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let delegations = crate::app::org::delegations(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let now = state.now();
    let mut all: Vec<&Grant> = delegations.grants().collect();
    all.sort_by(|a, b| a.valid_from.cmp(&b.valid_from).then_with(|| a.id.cmp(&b.id)));
    let mut children: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    let mut roots: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    for g in &all {
        match &g.parent {
            Some(p) if delegations.grant(p).is_some() => children.entry(p.clone()).or_default().push(g),
            _ => roots.entry(g.department.to_string()).or_default().push(g),
        }
    }
    let tree = Tree { delegations: &delegations, children: &children, names: &names, now, may_change };
    let count = |s: &str| all.iter().filter(|g| grant_status(&delegations, g, now) == s).count();
    let body = html! {
        h1 { (ctx.t("grant.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, may_change))
        (view::done_notice(ctx, done))
        @if let Some(m) = error { div.notice.error role="alert" { (m) } }
        p.lead { (ctx.t("grant.lead")) }
        ul.kpis {
            li { span.k { (all.len()) } span.l { (ctx.t("grant.all")) } }
            li { span.k { (count("active")) } span.l { (ctx.t("grant.active")) } }
            li { span.k { (count("expired") + count("broken")) } span.l { (ctx.t("grant.expired")) } }
            li { span.k { (count("revoked")) } span.l { (ctx.t("grant.revoked")) } }
        }
        @if roots.is_empty() { p { (ctx.t("sup.none")) } }
        @for (department, top) in &roots {
            section.grants {
                h2 { (department_name(&departments, department)) " " code { (department) } }
                ul.tree.root { @for g in top { (grant_node(ctx, &tree, g)) } }
            }
        }
    };
    Ok(page(ctx, ctx.t("grant.title"), body))
}

/// `POST /admin/grants/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let may_change = access(&ctx, false)?;
    match app::revoke_grant(&state, &ctx.principal, &id).await {
        Ok(()) => Ok(see_other(&ctx, format!("/admin/grants?done=grant_revoked#grant-{id}"))),
        Err(crate::app::AppError::Conflict(_)) => {
            let response = grants_page(&state, &ctx, may_change, None, Some(ctx.t("grant.already"))).await?;
            Ok((StatusCode::CONFLICT, response).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}
