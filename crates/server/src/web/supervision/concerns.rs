//! `/supervision/concerns` — the other watched conditions.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use super::{SHOWN, allow, section_tabs};
use crate::AppState;
use crate::app::{self, ConcernRow};
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
    /// How many of each kind, in the order shown.
    pub counts: Vec<(&'static str, usize)>,
    /// Concerns found.
    pub total: usize,
    /// The first [`SHOWN`], by kind.
    pub rows: Vec<ConcernLine>,
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

/// The concerns page's model, the concerns ordered by kind.
pub(super) fn view(mut rows: Vec<ConcernRow>, departments: &[(String, String)]) -> ConcernsView {
    rows.sort_by_key(|c| CONCERNS.iter().position(|k| *k == c.kind).unwrap_or(CONCERNS.len()));
    ConcernsView {
        counts: CONCERNS.iter().map(|k| (*k, rows.iter().filter(|c| c.kind == *k).count())).collect(),
        total: rows.len(),
        rows: rows
            .into_iter()
            .take(SHOWN)
            .map(|c| ConcernLine {
                subject: match (c.case_number, c.account) {
                    (Some(n), _) => Subject::Case(n),
                    (None, Some(login)) => Subject::Account(login),
                    (None, None) => Subject::None,
                },
                department: department_name(departments, &c.department).to_owned(),
                kind: c.kind,
                detail: c.detail,
            })
            .collect(),
    }
}

/// The concerns page's body.
pub(super) fn render(ctx: &Ctx, v: &ConcernsView) -> Markup {
    html! {
        h1 { (ctx.t("concern.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("concern.lead")) }
        ul.kpis {
            @for (k, n) in &v.counts {
                li { span.k { (n) } span.l { (ctx.t(&format!("concern.{k}"))) } }
            }
        }
        @if v.rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            @if v.total > SHOWN { p.hint { (ctx.tf("sup.first_n", &[("n", &SHOWN.to_string())])) } }
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
        }
    }
}

/// `GET /supervision/concerns`.
pub async fn concerns(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    allow(&ctx, Action::Supervise)?;
    let rows = app::concerns(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let model = view(rows, &departments);
    Ok(page(&ctx, ctx.t("concern.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn concern(case: Option<&str>, account: Option<&str>, kind: &'static str) -> ConcernRow {
        ConcernRow {
            case_number: case.map(str::to_owned),
            account: account.map(str::to_owned),
            department: "fgw".into(),
            kind,
            detail: "details".into(),
        }
    }

    #[test]
    fn concerns_are_listed_by_kind_with_what_they_are_about() {
        let rows = vec![
            concern(Some("LZ-1"), None, "bad_rating"),
            concern(None, Some("li.head"), "decision_power_conferred"),
            concern(Some("LZ-2"), None, "bad_rating"),
        ];
        let v = view(rows, &[("fgw".into(), "DRC".into())]);
        assert_eq!(v.rows[0].subject, Subject::Account("li.head".into()), "decision power first");
        assert_eq!(v.counts.iter().find(|(k, _)| *k == "bad_rating"), Some(&("bad_rating", 2)));
        let html = render(&Ctx::for_test_as(Lang::En, Role::Supervisor), &v).into_string();
        assert!(html.contains("<td><code>li.head</code></td><td>DRC</td>"), "{html}");
        assert!(html.contains(r#"<span class="badge concern-bad_rating">"#), "{html}");
        assert!(html.contains(r#"<a href="/cases/LZ-2">LZ-2</a>"#), "{html}");
    }
}
