//! `/supervision/concerns` — the other watched conditions, newest first from the
//! supervision ledger, with how many of each kind and a page per kind.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::{allow, section_tabs};
use crate::AppState;
use crate::app::{self, ConcernPage, ConcernQuery};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;
use tongban_core::access::Action;

/// The kinds of concern, in the order shown.
const CONCERNS: [&str; 7] = [
    "decision_power_conferred",
    "decision_without_valid_authority",
    "accepted_with_missing_materials",
    "repeated_correction",
    "returned",
    "reopened",
    "bad_rating",
];

/// What the concerns page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct ConcernsView {
    /// How many of each kind there are, in the order shown.
    pub counts: Vec<(&'static str, i64)>,
    /// The kind shown alone, if one is.
    pub kind: Option<&'static str>,
    /// The concerns of this page, newest first.
    pub rows: Vec<ConcernLine>,
    /// The next page's cursor.
    pub next: Option<i64>,
}

/// One concern as listed.
#[derive(Debug, Clone)]
pub(super) struct ConcernLine {
    /// What it is about: a case, an account, or neither.
    pub subject: Subject,
    /// The department's name.
    pub department: String,
    /// Its kind (a message key under `concern.`).
    pub kind: &'static str,
    /// Details.
    pub detail: String,
}

/// What a concern is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Subject {
    /// A case, by number.
    Case(String),
    /// An account, by login.
    Account(String),
    /// Nothing named.
    None,
}

fn known(kind: &str) -> Option<&'static str> {
    CONCERNS.iter().copied().find(|k| *k == kind)
}

/// The concerns page's model.
pub(super) fn view(page: ConcernPage, kind: Option<&'static str>, departments: &[(String, String)]) -> ConcernsView {
    let count = |k: &str| page.counts.iter().find(|(kind, _)| kind == k).map_or(0, |(_, n)| *n);
    ConcernsView {
        counts: CONCERNS.iter().map(|k| (*k, count(k))).collect(),
        kind,
        rows: page
            .rows
            .into_iter()
            .filter_map(|c| {
                Some(ConcernLine {
                    subject: match (c.case_number, c.account) {
                        (Some(n), _) => Subject::Case(n),
                        (None, Some(login)) => Subject::Account(login),
                        (None, None) => Subject::None,
                    },
                    department: department_name(departments, &c.department).to_owned(),
                    kind: known(&c.kind)?,
                    detail: c.detail,
                })
            })
            .collect(),
        next: page.next,
    }
}

/// The concerns page's body.
pub(super) fn render(ctx: &Ctx, v: &ConcernsView) -> Markup {
    let kind_query = v.kind.map(|k| format!("kind={k}&")).unwrap_or_default();
    html! {
        h1 { (ctx.t("concern.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("concern.lead")) }
        ul.kpis {
            @for (k, n) in &v.counts {
                li {
                    a href=(format!("/supervision/concerns?kind={k}")) aria-current=[(v.kind == Some(*k)).then_some("true")] {
                        span.k { (n) } span.l { (ctx.t(&format!("concern.{k}"))) }
                    }
                }
            }
        }
        @if v.kind.is_some() { p { a href="/supervision/concerns" { (ctx.t("concern.all")) } } }
        @if v.rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("concern.title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("case.number")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("concern.kind")) }
                        th scope="col" { (ctx.t("concern.detail")) }
                    } }
                    tbody {
                        @for c in &v.rows {
                            tr {
                                td {
                                    @match &c.subject {
                                        Subject::Case(n) => { a href=(format!("/cases/{n}")) { (n) } }
                                        Subject::Account(login) => { code { (login) } }
                                        Subject::None => { "–" }
                                    }
                                }
                                td { (c.department) }
                                td { span class=(format!("badge concern-{}", c.kind)) { (ctx.t(&format!("concern.{}", c.kind))) } }
                                td { (c.detail) }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = v.next {
                p { a rel="next" href=(format!("/supervision/concerns?{kind_query}before={next}")) { (ctx.t("concern.older")) } }
            }
        }
    }
}

/// The concerns page's query.
#[derive(Debug, Deserialize, Default)]
pub struct ConcernsQuery {
    /// One kind only.
    kind: Option<String>,
    /// Older than this concern.
    before: Option<i64>,
}

/// `GET /supervision/concerns`.
pub async fn concerns(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ConcernsQuery>,
) -> Result<Response, WebError> {
    allow(&ctx, Action::Supervise)?;
    let kind = q.kind.as_deref().and_then(known);
    let query = ConcernQuery { kind: kind.map(str::to_owned), before: q.before, limit: None };
    let found = app::concerns(&state, &ctx.principal, query).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let model = view(found, kind, &departments);
    Ok(page(&ctx, ctx.t("concern.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn concern(id: i64, case: Option<&str>, account: Option<&str>, kind: &str) -> crate::app::ConcernRow {
        crate::app::ConcernRow {
            id,
            case_number: case.map(str::to_owned),
            account: account.map(str::to_owned),
            department: "fgw".into(),
            kind: kind.into(),
            detail: "details".into(),
            raised_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn concerns_are_listed_with_their_counts_and_what_they_are_about() {
        let rows = vec![
            concern(3, None, Some("li.head"), "decision_power_conferred"),
            concern(2, Some("LZ-2"), None, "bad_rating"),
            concern(1, Some("LZ-1"), None, "bad_rating"),
        ];
        let counts = vec![("bad_rating".into(), 7), ("decision_power_conferred".into(), 1)];
        let found = ConcernPage { rows, counts, next: Some(1) };
        let v = view(found, None, &[("fgw".into(), "DRC".into())]);
        assert_eq!(v.rows[0].subject, Subject::Account("li.head".into()), "newest first");
        assert_eq!(
            v.counts.iter().find(|(k, _)| *k == "bad_rating"),
            Some(&("bad_rating", 7)),
            "counts are the ledger's"
        );
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains("<td><code>li.head</code></td><td>DRC</td>"), "{html}");
        assert!(html.contains(r#"<span class="badge concern-bad_rating">"#), "{html}");
        assert!(html.contains(r#"<a href="/cases/LZ-2">LZ-2</a>"#), "{html}");
        assert!(html.contains(r#"<a rel="next" href="/supervision/concerns?before=1">"#), "{html}");
    }
}
