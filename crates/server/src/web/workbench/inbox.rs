//! The approver inbox (`/inbox`): the grants the viewer holds with their chains, and the
//! cases waiting for a decision, soonest due first, each with its board colour, its clock
//! and the authority held for it.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use tongban_core::case::{Case, CaseState};
use tongban_core::delegation::Delegations;
use tongban_core::identity::{Power, Role};

use crate::AppState;
use crate::app;
use crate::app::{AppError, CaseFilter};
use crate::web::case_page::{ChainView, chain, powers};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::hall::{ListQuery, item_name, item_names};
use crate::web::layout::page;
use crate::web::view::{self, DueMark};

/// A grant the viewer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantBox {
    /// Its id.
    pub id: String,
    /// The powers it gives.
    pub powers: Vec<Power>,
    /// The items it covers, joined; none for all items.
    pub items: Option<String>,
    /// Its chain; none when the chain is broken.
    pub chain: Option<ChainView>,
}

/// The authority held for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// By office.
    ByOffice,
    /// Under the grants, joined root first.
    Chain(String),
    /// None.
    Not,
}

/// One case waiting for a decision.
#[derive(Debug, Clone)]
pub struct InboxRow {
    /// The case number.
    pub number: String,
    /// The item's name.
    pub item: String,
    /// The state.
    pub state: CaseState,
    /// When it is due.
    pub due: Option<DueMark>,
    /// The colour the board shows: `green`, `yellow` or `red`.
    pub level: &'static str,
    /// Working minutes remaining.
    pub remaining: Option<i64>,
    /// The authority held for it.
    pub held: Held,
}

/// The inbox.
#[derive(Debug, Clone)]
pub struct InboxView {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The power decisions here need.
    pub power: Power,
    /// The grants held now.
    pub grants: Vec<GrantBox>,
    /// The cases waiting.
    pub rows: Vec<InboxRow>,
}

/// A case waiting, with what only the application knows about it.
#[derive(Debug, Clone)]
pub struct Waiting {
    /// The case.
    pub case: Case,
    /// Working minutes remaining on its clock.
    pub remaining: Option<i64>,
    /// The colour the board shows, by the rules in force.
    pub level: &'static str,
}

impl InboxView {
    /// The inbox of `account` holding `power`, at `now`.
    pub fn of(
        ctx: &Ctx,
        account: &crate::app::Account,
        power: Power,
        waiting: &[Waiting],
        names: &[(String, String)],
        delegations: &Delegations,
        now: jiff::Timestamp,
    ) -> InboxView {
        let grants = delegations
            .grants()
            .filter(|g| g.grantee == account.id && g.is_active(now))
            .map(|g| GrantBox {
                id: g.id.clone(),
                powers: g.powers.iter().copied().collect(),
                items: g
                    .items
                    .as_ref()
                    .map(|items| items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
                chain: delegations.chain_is_valid(g, now).map(|ids| ChainView::of(delegations, &ids)),
            })
            .collect();
        let rows = waiting
            .iter()
            .map(|w| {
                let c = &w.case;
                let held = account
                    .department
                    .as_ref()
                    .and_then(|d| delegations.authority(&account.id, d, &c.item, power, now));
                InboxRow {
                    number: c.number.to_string(),
                    item: item_name(names, &c.item),
                    state: c.state,
                    due: DueMark::of(c, &ctx.calendar),
                    level: w.level,
                    remaining: w.remaining,
                    held: match held {
                        Some(ids) if ids.is_empty() => Held::ByOffice,
                        Some(ids) => Held::Chain(ids.join(" → ")),
                        None => Held::Not,
                    },
                }
            })
            .collect();
        InboxView { done: None, power, grants, rows }
    }
}

/// Draws the inbox.
pub fn render(ctx: &Ctx, v: &InboxView) -> Markup {
    let power_name = ctx.t(&format!("power.{}", v.power.as_str()));
    html! {
        h1 { (ctx.t("inbox.title")) }
        (view::done_notice(ctx, v.done.as_deref()))
        section.authority-box {
            h2 { (ctx.tf("authority.yours", &[("power", power_name)])) }
            @if v.grants.is_empty() {
                p { (ctx.t("authority.by_office_or_none")) }
            }
            p { a.button href="/admin/grants/new" { (ctx.t("grant.new_link")) } }
            @for g in &v.grants {
                div.grant {
                    p {
                        code { (g.id) } " · "
                        (powers(ctx, &g.powers))
                        " · "
                        @match &g.items { None => (ctx.t("authority.all_items")), Some(items) => (items) }
                    }
                    @match &g.chain { Some(c) => (chain(ctx, c)), None => p.late { (ctx.t("authority.broken")) } }
                }
            }
        }
        section {
            h2 { (ctx.t("inbox.waiting")) " " span.count { "(" (v.rows.len()) ")" } }
            @if v.rows.is_empty() { p { (ctx.t("workbench.empty")) } } @else {
                div.table-wrap {
                    table.cases {
                        thead { tr {
                            th scope="col" { (ctx.t("case.number")) }
                            th scope="col" { (ctx.t("case.item")) }
                            th scope="col" { (ctx.t("case.state")) }
                            th scope="col" { (ctx.t("case.due")) }
                            th scope="col" { (ctx.t("case.remaining")) }
                            th scope="col" { (ctx.t("inbox.authority")) }
                        } }
                        tbody {
                            @for r in &v.rows {
                                tr {
                                    td { a href=(format!("/cases/{}", r.number)) { (r.number) } }
                                    td { (r.item) }
                                    td { (view::state_badge(ctx, r.state)) }
                                    td { (view::due_mark(ctx, r.due, "–")) }
                                    td class=(format!("level-{}", r.level)) {
                                        span.dot aria-hidden="true" {} " " (ctx.t(&format!("level.{}", r.level)))
                                        @if let Some(m) = r.remaining { " · " (view::minutes(ctx, m)) }
                                    }
                                    td {
                                        @match &r.held {
                                            Held::ByOffice => { (ctx.t("authority.by_office")) }
                                            Held::Chain(ids) => { "✓ " code { (ids) } }
                                            Held::Not => { span.late { "✗ " (ctx.t("authority.none")) } }
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

/// `GET /inbox`.
pub async fn inbox(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?.clone();
    let power = match account.role {
        Role::Approver | Role::DepartmentHead => Power::Approve,
        Role::Reviewer => Power::Review,
        r => return Err(ctx.fail(AppError::Forbidden(format!("a {r} has no approval inbox")))),
    };
    let mut cases = Vec::new();
    for s in [CaseState::Accepted, CaseState::InProcess, CaseState::Suspended] {
        let filter = CaseFilter { state: Some(s), page: 1, per_page: 100, ..Default::default() };
        cases.extend(app::search_cases(&state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?.items);
    }
    cases.sort_by_key(|c| c.due_at);
    let names = item_names(&state, cases.iter().map(|c| &c.item)).await.map_err(|e| ctx.fail(e))?;
    let delegations = crate::app::org::delegations(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let now = state.now();
    let book = app::rule_book(&state).await.map_err(|e| ctx.fail(e))?;
    let calendars = state.calendars();
    let waiting: Vec<Waiting> = cases
        .into_iter()
        .map(|case| {
            let level = account
                .department
                .as_ref()
                .and_then(|d| app::colour_of(&calendars, now, &book, &case, d))
                .map_or("green", |c| c.as_str());
            Waiting { remaining: state.clock_of(&case).remaining_minutes, level, case }
        })
        .collect();
    let mut model = InboxView::of(&ctx, &account, power, &waiting, &names, &delegations, now);
    model.done = q.done;
    Ok(page(&ctx, ctx.t("inbox.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn row(held: Held) -> InboxRow {
        InboxRow {
            number: "FGW-2026-000002".into(),
            item: "Permit".into(),
            state: CaseState::InProcess,
            due: Some(DueMark { at: "2027-01-08T09:00:00Z".parse().expect("valid"), provisional: true }),
            level: "red",
            remaining: Some(-30),
            held,
        }
    }

    #[test]
    fn each_waiting_case_shows_its_colour_due_time_and_authority() {
        let ctx = Ctx::for_test(Lang::Zh);
        let model = InboxView {
            done: None,
            power: Power::Approve,
            grants: Vec::new(),
            rows: vec![row(Held::Chain("g-1 → g-2".into())), row(Held::Not)],
        };
        let html = render(&ctx, &model).into_string();
        assert!(html.contains("class=\"level-red\""), "{html}");
        assert!(html.contains(Lang::Zh.t("case.provisional")), "{html}");
        assert!(html.contains("<code>g-1 → g-2</code>"), "{html}");
        assert!(html.contains(&format!("\u{2717} {}", Lang::Zh.t("authority.none"))), "{html}");
        assert!(html.contains(Lang::Zh.t("authority.by_office_or_none")), "{html}");
    }

    #[test]
    fn a_broken_grant_chain_is_said_to_be_broken() {
        let ctx = Ctx::for_test(Lang::En);
        let model = InboxView {
            done: None,
            power: Power::Review,
            grants: vec![GrantBox { id: "g-9".into(), powers: vec![Power::Review], items: None, chain: None }],
            rows: Vec::new(),
        };
        let html = render(&ctx, &model).into_string();
        assert!(html.contains("<code>g-9</code>"), "{html}");
        assert!(html.contains(Lang::En.t("authority.broken")), "{html}");
        assert!(html.contains(Lang::En.t("authority.all_items")), "{html}");
    }
}
