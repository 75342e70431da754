//! "My cases" (`/hall`), and the table of cases other lists share (the workbench's).

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::case::{Case, CaseState};
use tongban_core::identity::{Role, VerificationMethod};
use tongban_core::item::ItemCode;

use super::{home_of, see_other};
use crate::AppState;
use crate::app;
use crate::app::CaseFilter;
use crate::problem::ApiError;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view::{self, DueMark, Paging};

/// Cases per page of "my cases".
const PER_PAGE: u32 = 20;

/// `?page=&done=` of lists.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Page.
    pub page: Option<u32>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

/// Item names by code, for a list of cases.
pub async fn item_names(
    state: &AppState,
    codes: impl Iterator<Item = &ItemCode>,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut names: Vec<(String, String)> = Vec::new();
    for code in codes {
        if names.iter().any(|(c, _)| c == code.as_str()) {
            continue;
        }
        if let Some(row) = crate::app::public::item(state, code).await? {
            names.push((code.to_string(), row.item.name));
        }
    }
    Ok(names)
}

/// The name of `code` in `names`, or the code when it has none.
pub fn item_name(names: &[(String, String)], code: &ItemCode) -> String {
    names.iter().find(|(k, _)| k == code.as_str()).map_or_else(|| code.to_string(), |(_, n)| n.clone())
}

/// One row of a table of cases.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// The case number.
    pub number: String,
    /// The item's name.
    pub item: String,
    /// The applicant's name.
    pub applicant: String,
    /// The state.
    pub state: CaseState,
    /// When it was submitted.
    pub submitted: jiff::Timestamp,
    /// When it is due, if the clock runs.
    pub due: Option<DueMark>,
}

impl CaseRow {
    /// The row of `case`, its item named from `names`, its due time marked by `ctx`'s calendar.
    pub fn of(ctx: &Ctx, case: &Case, names: &[(String, String)]) -> CaseRow {
        CaseRow {
            number: case.number.to_string(),
            item: item_name(names, &case.item),
            applicant: case.applicant.name.clone(),
            state: case.state,
            submitted: case.submitted_at,
            due: DueMark::of(case, &ctx.calendar),
        }
    }

    /// The rows of `cases`.
    pub fn all(ctx: &Ctx, cases: &[Case], names: &[(String, String)]) -> Vec<CaseRow> {
        cases.iter().map(|c| CaseRow::of(ctx, c, names)).collect()
    }
}

/// A table of cases with their state and due time.
pub fn case_table(ctx: &Ctx, rows: &[CaseRow]) -> Markup {
    html! {
        div.table-wrap {
            table.cases {
                thead { tr {
                    th scope="col" { (ctx.t("case.number")) }
                    th scope="col" { (ctx.t("case.item")) }
                    th scope="col" { (ctx.t("case.applicant")) }
                    th scope="col" { (ctx.t("case.state")) }
                    th scope="col" { (ctx.t("case.submitted")) }
                    th scope="col" { (ctx.t("case.due")) }
                } }
                tbody {
                    @for c in rows {
                        tr {
                            td { a href=(format!("/cases/{}", c.number)) { (c.number) } }
                            td { (c.item) }
                            td { (c.applicant) }
                            td { (view::state_badge(ctx, c.state)) }
                            td { (view::time(c.submitted)) }
                            td { (view::due_mark(ctx, c.due, "–")) }
                        }
                    }
                }
            }
        }
    }
}

/// The "my cases" page.
#[derive(Debug, Clone)]
pub struct MyCasesView {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// How the account's identity was verified; none when it is not.
    pub verified: Option<VerificationMethod>,
    /// Whether verifying through the identity provider is offered.
    pub offer_oidc: bool,
    /// Whether verifying by a code sent to the phone is offered.
    pub offer_sms: bool,
    /// This page's cases.
    pub rows: Vec<CaseRow>,
    /// Where the list stands.
    pub paging: Paging,
}

/// Draws "my cases".
pub fn render_my_cases(ctx: &Ctx, v: &MyCasesView) -> Markup {
    html! {
        h1 { (ctx.t("hall.title")) }
        (view::done_notice(ctx, v.done.as_deref()))
        @match v.verified {
            Some(method) => { p.verified { "✓ " (ctx.t(&format!("hall.verified_{}", method.as_str()))) } }
            None => {
                div.notice role="note" {
                    strong { (ctx.t("hall.unverified")) }
                    p { (ctx.t("hall.unverified_how")) }
                    @if v.offer_oidc {
                        p { a.button href="/hall/verify/oidc" { (ctx.t("hall.verify_oidc")) } }
                    }
                    @if v.offer_sms {
                        p { a.button href="/hall/verify/sms" { (ctx.t("hall.verify_sms")) } }
                    }
                }
            }
        }
        p { a.button.primary href="/items" { (ctx.t("hall.apply")) } }
        h2 { (ctx.t("hall.my_cases")) }
        @if v.rows.is_empty() {
            p { (ctx.t("hall.none")) }
        } @else {
            (case_table(ctx, &v.rows))
            (view::paging(ctx, &v.paging))
        }
    }
}

/// `GET /hall` — my cases.
pub async fn my_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    if account.role != Role::Applicant {
        return Ok(see_other(&ctx, home_of(account.role)));
    }
    let filter = CaseFilter { page: q.page.unwrap_or(1).max(1), per_page: PER_PAGE, ..Default::default() };
    let found = app::search_cases(&state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?;
    let names = item_names(&state, found.items.iter().map(|c| &c.item)).await.map_err(|e| ctx.fail(e))?;
    let model = MyCasesView {
        done: q.done,
        verified: account.verified.as_ref().map(|v| v.method),
        offer_oidc: state.oidc.is_some(),
        offer_sms: state.sms.is_some(),
        rows: CaseRow::all(&ctx, &found.items, &names),
        paging: Paging {
            page: found.page,
            per_page: found.per_page,
            total: found.total,
            link: "/hall?page=".to_owned(),
        },
    };
    let unread = crate::web::notices::unread_count(&state, &ctx).await;
    let body = maud::html! { (crate::web::notices::hall_tabs(&ctx, unread)) (render_my_cases(&ctx, &model)) };
    Ok(page(&ctx, ctx.t("hall.title"), body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn row(provisional: bool) -> CaseRow {
        CaseRow {
            number: "FGW-2026-000001".into(),
            item: "Permit".into(),
            applicant: "Li".into(),
            state: CaseState::Accepted,
            submitted: "2026-12-28T02:00:00Z".parse().expect("valid"),
            due: Some(DueMark { at: "2027-01-08T09:00:00Z".parse().expect("valid"), provisional }),
        }
    }

    #[test]
    fn a_provisional_due_time_is_marked_beside_it_in_the_case_table() {
        let ctx = Ctx::for_test(Lang::Zh);
        let html = case_table(&ctx, &[row(true)]).into_string();
        assert!(html.contains("2027-01-08 17:00"), "{html}");
        assert!(html.contains(Lang::Zh.t("case.provisional")), "{html}");
        let html = case_table(&ctx, &[row(false)]).into_string();
        assert!(!html.contains(Lang::Zh.t("case.provisional")), "{html}");
    }

    #[test]
    fn an_unverified_applicant_is_offered_only_the_configured_ways_to_verify() {
        let ctx = Ctx::for_test(Lang::En);
        let model = MyCasesView {
            done: None,
            verified: None,
            offer_oidc: false,
            offer_sms: true,
            rows: vec![row(false)],
            paging: Paging { page: 1, per_page: 20, total: 1, link: "/hall?page=".into() },
        };
        let html = render_my_cases(&ctx, &model).into_string();
        assert!(html.contains("href=\"/hall/verify/sms\""), "{html}");
        assert!(!html.contains("href=\"/hall/verify/oidc\""), "{html}");
        assert!(html.contains("href=\"/cases/FGW-2026-000001\""), "{html}");
    }
}
