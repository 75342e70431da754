//! `/admin/grants` — the delegation grants as a tree, each with its status and the levels
//! of its parties (主要领导 → 分管领导 → 处室负责人 → 一般工作人员); revoke. Administrators
//! see and revoke every grant, center leaders read them; a department head or an approver
//! sees their department's grants and revokes those the delegation rules let them (their
//! own, and for a head every grant of the department).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::delegation::{Delegations, Grant};
use tongban_core::identity::Role;
use tongban_core::org::{DepartmentCode, Position};

use super::{DoneQuery, access, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self};

/// What the grants page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct GrantsView {
    /// Whether the viewer may revoke grants.
    pub may_change: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The error over the page (a revocation refused).
    pub error: Option<String>,
    /// Every grant.
    pub total: usize,
    /// Active ones.
    pub active: usize,
    /// Expired ones, and those whose chain broke.
    pub expired: usize,
    /// Revoked ones.
    pub revoked: usize,
    /// The trees, one per department, by code.
    pub departments: Vec<GrantTree>,
}

/// One department's grants as trees.
#[derive(Debug, Clone)]
pub(super) struct GrantTree {
    /// The department's name.
    pub name: String,
    /// Its code.
    pub code: String,
    /// Its grants not re-delegated from another, oldest first.
    pub roots: Vec<GrantNode>,
}

/// A grant and everything re-delegated from it.
#[derive(Debug, Clone)]
pub(super) struct GrantNode {
    /// Its id.
    pub id: String,
    /// Where it stands (`active`, `expired`, …).
    pub status: &'static str,
    /// Who granted.
    pub grantor: Party,
    /// Who received.
    pub grantee: Party,
    /// The grantor's level when they gave it.
    pub grantor_level: Option<Position>,
    /// The grantee's level when they received it.
    pub grantee_level: Option<Position>,
    /// The powers, in words.
    pub powers: String,
    /// The items' codes; none for every item.
    pub items: Option<String>,
    /// Valid from.
    pub valid_from: jiff::Timestamp,
    /// Valid until; none until revoked.
    pub valid_until: Option<jiff::Timestamp>,
    /// When revoked.
    pub revoked_at: Option<jiff::Timestamp>,
    /// Whether the viewer may revoke it.
    pub revocable: bool,
    /// The grants re-delegated from it.
    pub children: Vec<GrantNode>,
}

/// A party to a grant: its id, and its name when that says more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Party {
    /// The name, when known and not the id itself.
    pub name: Option<String>,
    /// The id.
    pub id: String,
}

/// Who looks at the grants page: which department's grants they see (none: all), and who
/// they are when they may revoke any (none: read only).
#[derive(Debug, Clone, Default)]
pub(super) struct Viewer {
    /// Only this department's grants.
    pub only: Option<DepartmentCode>,
    /// The viewer's login, role and department, when they may revoke.
    pub revoker: Option<(String, Role, Option<DepartmentCode>)>,
}

impl Viewer {
    /// The viewer the account is on this page: administrators change everything, center
    /// leaders read everything, heads and approvers work on their own department's grants;
    /// anyone else has no business here.
    fn of(ctx: &Ctx) -> Result<Viewer, WebError> {
        let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
        let me = || Some((account.id.clone(), account.role, account.department.clone()));
        match account.role {
            Role::DepartmentHead | Role::Approver => Ok(Viewer { only: account.department.clone(), revoker: me() }),
            _ if access(ctx, false)? => Ok(Viewer { only: None, revoker: me() }),
            _ => Ok(Viewer::default()),
        }
    }

    fn may_revoke(&self, g: &Grant) -> bool {
        self.revoker.as_ref().is_some_and(|(login, role, department)| {
            g.revoked_at.is_none() && g.may_be_revoked_by(login, *role, department.as_ref())
        })
    }
}

/// The grants page's model: every grant at `now` the viewer sees, in trees by department,
/// with the counts.
pub(super) fn view(
    ctx: &Ctx,
    delegations: &Delegations,
    departments: &[(String, String)],
    names: &HashMap<String, String>,
    now: jiff::Timestamp,
    viewer: &Viewer,
) -> GrantsView {
    let mut all: Vec<&Grant> =
        delegations.grants().filter(|g| viewer.only.as_ref().is_none_or(|d| &g.department == d)).collect();
    all.sort_by(|a, b| a.valid_from.cmp(&b.valid_from).then_with(|| a.id.cmp(&b.id)));
    let mut children: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    let mut roots: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    for g in &all {
        match &g.parent {
            Some(p) if delegations.grant(p).is_some() => children.entry(p.clone()).or_default().push(g),
            _ => roots.entry(g.department.to_string()).or_default().push(g),
        }
    }
    let status = |g: &Grant| delegations.status(g, now).as_str();
    let party = |id: &str| Party { name: names.get(id).filter(|n| *n != id).cloned(), id: id.to_owned() };
    fn node(g: &Grant, make: &dyn Fn(&Grant) -> GrantNode, children: &BTreeMap<String, Vec<&Grant>>) -> GrantNode {
        let mut n = make(g);
        n.children =
            children.get(&g.id).map_or_else(Vec::new, |kids| kids.iter().map(|k| node(k, make, children)).collect());
        n
    }
    let make = |g: &Grant| GrantNode {
        id: g.id.clone(),
        status: status(g),
        grantor: party(&g.grantor),
        grantee: party(&g.grantee),
        grantor_level: g.levels.grantor,
        grantee_level: g.levels.grantee,
        powers: g
            .powers
            .iter()
            .map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned())
            .collect::<Vec<_>>()
            .join(ctx.t("list.sep")),
        items: g.items.as_ref().map(|items| items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        valid_from: g.valid_from,
        valid_until: g.valid_until,
        revoked_at: g.revoked_at,
        revocable: viewer.may_revoke(g),
        children: Vec::new(),
    };
    let count = |s: &str| all.iter().filter(|g| status(g) == s).count();
    GrantsView {
        may_change: viewer.revoker.is_some(),
        done: None,
        error: None,
        total: all.len(),
        active: count("active"),
        expired: count("expired") + count("broken"),
        revoked: count("revoked"),
        departments: roots
            .iter()
            .map(|(code, top)| GrantTree {
                name: department_name(departments, code).to_owned(),
                code: code.clone(),
                roots: top.iter().map(|g| node(g, &make, &children)).collect(),
            })
            .collect(),
    }
}

fn party(ctx: &Ctx, p: &Party, level: Option<Position>) -> Markup {
    html! {
        @if let Some(l) = level { span.level { (ctx.t(&format!("position.{}", l.as_str()))) } " " }
        @match &p.name {
            Some(n) => { (n) " " code { (p.id) } }
            None => code { (p.id) },
        }
    }
}

/// A grant and everything re-delegated from it.
fn grant_node(ctx: &Ctx, g: &GrantNode) -> Markup {
    let status = g.status;
    html! {
        li id=(format!("grant-{}", g.id)) {
            div class=(format!("grant-node grant-{status}")) {
                p.parties { (party(ctx, &g.grantor, g.grantor_level)) " → " (party(ctx, &g.grantee, g.grantee_level)) }
                p.meta {
                    span class=(format!("badge status-{status}")) { (ctx.t(&format!("grant.{status}"))) }
                    span { code { (g.id) } }
                    span { (g.powers) }
                    span { @match &g.items { None => (ctx.t("authority.all_items")), Some(items) => (items) } }
                }
                p.meta {
                    span { (ctx.t("grant.from")) " " (view::time(g.valid_from)) }
                    span { (ctx.t("grant.until")) " " @if let Some(u) = g.valid_until { (view::time(u)) } @else { (ctx.t("grant.until_revoked")) } }
                    @if let Some(r) = g.revoked_at { span.late { (ctx.t("grant.revoked_at")) " " (view::time(r)) } }
                }
                @if g.revocable {
                    form.inline-form method="post" action=(format!("/admin/grants/{}/revoke", g.id)) {
                        (view::csrf(ctx))
                        button type="submit" aria-label=(ctx.tf("grant.revoke_label", &[("id", &g.id)])) { (ctx.t("grant.revoke")) }
                    }
                }
            }
            @if !g.children.is_empty() {
                ul.tree { @for k in &g.children { (grant_node(ctx, k)) } }
            }
        }
    }
}

/// The grants page's body.
pub(super) fn render(ctx: &Ctx, v: &GrantsView) -> Markup {
    html! {
        h1 { (ctx.t("grant.title")) }
        @if matches!(ctx.role(), Role::Administrator | Role::CenterLeader) { (section_tabs(ctx)) }
        (read_only_note(ctx, v.may_change))
        (view::done_notice(ctx, v.done.as_deref()))
        @if let Some(m) = &v.error { div.notice.error role="alert" { (m) } }
        p.lead { (ctx.t("grant.lead")) }
        ul.kpis {
            li { span.k { (v.total) } span.l { (ctx.t("grant.all")) } }
            li { span.k { (v.active) } span.l { (ctx.t("grant.active")) } }
            li { span.k { (v.expired) } span.l { (ctx.t("grant.expired")) } }
            li { span.k { (v.revoked) } span.l { (ctx.t("grant.revoked")) } }
        }
        @if v.departments.is_empty() { p { (ctx.t("sup.none")) } }
        @for d in &v.departments {
            section.grants {
                h2 { (d.name) " " code { (d.code) } }
                ul.tree.root { @for g in &d.roots { (grant_node(ctx, g)) } }
            }
        }
    }
}

/// `GET /admin/grants` — the delegation tree.
pub async fn grants(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let viewer = Viewer::of(&ctx)?;
    grants_page(&state, &ctx, &viewer, q.done.as_deref(), None).await
}

async fn grants_page(
    state: &AppState,
    ctx: &Ctx,
    viewer: &Viewer,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let delegations = crate::app::org::delegations(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = GrantsView {
        done: done.map(str::to_owned),
        error: error.map(str::to_owned),
        ..view(ctx, &delegations, &departments, &names, state.now(), viewer)
    };
    Ok(page(ctx, ctx.t("grant.title"), render(ctx, &model)))
}

/// `POST /admin/grants/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let viewer = Viewer::of(&ctx)?;
    // The app refuses anyone the delegation rules do not let revoke this grant.
    match app::revoke_grant(&state, &ctx.principal, &id).await {
        Ok(()) => Ok(see_other(&ctx, format!("/admin/grants?done=grant_revoked#grant-{id}"))),
        Err(crate::app::AppError::Conflict(_)) => {
            let response = grants_page(&state, &ctx, &viewer, None, Some(ctx.t("grant.already"))).await?;
            Ok((StatusCode::CONFLICT, response).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::{Power, Role};
    use tongban_core::org::DepartmentCode;

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("a moment")
    }

    fn grant(id: &str, grantor: &str, grantee: &str, parent: Option<&str>, revoked: bool) -> Grant {
        Grant {
            id: id.into(),
            grantor: grantor.into(),
            grantee: grantee.into(),
            department: DepartmentCode::parse("fgw").expect("a code"),
            items: None,
            powers: [Power::Approve].into(),
            valid_from: at("2026-01-05T01:00:00Z"),
            valid_until: None,
            revoked_at: revoked.then(|| at("2026-02-01T01:00:00Z")),
            parent: parent.map(str::to_owned),
            levels: tongban_core::delegation::Levels::default(),
        }
    }

    #[test]
    fn re_delegated_grants_hang_under_theirs_and_revoked_ones_are_counted_apart() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Administrator);
        let delegations = Delegations::new(
            [
                grant("g1", "li.head", "zhao.deputy", None, false),
                grant("g2", "zhao.deputy", "wang.fang", Some("g1"), true),
            ],
            [("li.head".to_owned(), DepartmentCode::parse("fgw").expect("a code"))],
        );
        let names = HashMap::from([("li.head".to_owned(), "Li".to_owned())]);
        let admin = Viewer { only: None, revoker: Some(("admin".into(), Role::Administrator, None)) };
        let v = view(&ctx, &delegations, &[("fgw".into(), "DRC".into())], &names, at("2026-03-02T02:00:00Z"), &admin);
        assert_eq!((v.total, v.active, v.expired, v.revoked), (2, 1, 0, 1));
        let root = &v.departments[0].roots[0];
        assert_eq!(root.grantor, Party { name: Some("Li".into()), id: "li.head".into() });
        assert_eq!(root.children[0].id, "g2");
        assert!(root.revocable && !root.children[0].revocable, "a revoked grant cannot be revoked again");
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(r#"<h2>DRC <code>fgw</code></h2>"#), "{html}");
        assert!(html.contains(r#"<li id="grant-g1"><div class="grant-node grant-active">"#), "{html}");
        assert!(
            html.contains(r#"<ul class="tree"><li id="grant-g2"><div class="grant-node grant-revoked">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p class="parties">Li <code>li.head</code> → <code>zhao.deputy</code></p>"#),
            "{html}"
        );
        assert_eq!(html.matches("/revoke\"").count(), 1, "{html}");
    }

    #[test]
    fn a_head_and_an_approver_see_their_departments_grants_with_levels_and_revoke_what_they_may() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Approver);
        let fgw = DepartmentCode::parse("fgw").expect("a code");
        let level =
            |grantor, grantee| tongban_core::delegation::Levels { grantor: Some(grantor), grantee: Some(grantee) };
        let mut g1 = grant("g1", "li.head", "zhao.deputy", None, false);
        g1.levels = level(Position::Head, Position::Deputy);
        let mut g2 = grant("g2", "zhao.deputy", "wang.chief", Some("g1"), false);
        g2.levels = level(Position::Deputy, Position::Chief);
        let mut other = grant("g9", "ma.head", "xu.deputy", None, false);
        other.department = DepartmentCode::parse("zjj").expect("a code");
        let delegations = Delegations::new(
            [g1, g2, other],
            [
                ("li.head".to_owned(), fgw.clone()),
                ("ma.head".to_owned(), DepartmentCode::parse("zjj").expect("a code")),
            ],
        );
        let names = HashMap::new();
        let departments = [("fgw".into(), "DRC".into()), ("zjj".into(), "HUD".into())];
        let now = at("2026-03-02T02:00:00Z");
        let deputy = Viewer {
            only: Some(fgw.clone()),
            revoker: Some(("zhao.deputy".into(), Role::Approver, Some(fgw.clone()))),
        };
        let v = view(&ctx, &delegations, &departments, &names, now, &deputy);
        assert_eq!(v.total, 2, "only fgw's grants");
        let root = &v.departments[0].roots[0];
        assert!(!root.revocable && root.children[0].revocable, "the deputy revokes what they gave, not what they hold");
        let html = render(&ctx, &v).into_string();
        assert!(
            html.contains(r#"<span class="level">Deputy in charge</span> <code>zhao.deputy</code> → <span class="level">Division chief</span> <code>wang.chief</code>"#),
            "{html}"
        );
        let head =
            Viewer { only: Some(fgw.clone()), revoker: Some(("li.head".into(), Role::DepartmentHead, Some(fgw))) };
        let v = view(&ctx, &delegations, &departments, &names, now, &head);
        let root = &v.departments[0].roots[0];
        assert!(root.revocable && root.children[0].revocable, "the head revokes any grant of the department");
    }
}
