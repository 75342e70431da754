//! `/admin/plans` — the approval plans, stored and built in.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};

use super::{DoneQuery, access, read_only_note, section_tabs};
use crate::AppState;
use crate::app::{self, PlanEntry};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::view::{self};

/// What the plans page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct PlansView {
    /// Whether the viewer may import plans.
    pub may_change: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The plans: the stored ones, then the built-in ones not overridden.
    pub plans: Vec<PlanEntry>,
}

/// The plans page's body.
pub(super) fn render(ctx: &Ctx, v: &PlansView) -> Markup {
    html! {
        h1 { (ctx.t("plans.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        (view::done_notice(ctx, v.done.as_deref()))
        p.lead { (ctx.t("plans.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("plans.id")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("admin.version")) }
                    th scope="col" { (ctx.t("plans.steps")) }
                    th scope="col" { (ctx.t("plans.days")) }
                    th scope="col" { (ctx.t("plans.source")) }
                    th scope="col" { (ctx.t("plink.outcome")) }
                } }
                tbody {
                    @for p in &v.plans {
                        tr id=(format!("plan-{}", p.id)) {
                            td { a href=(format!("/api/v1/plans/{}", p.id)) { code { (p.id) } } }
                            td { (p.name) }
                            td { "v" (p.version) }
                            td { (p.steps) }
                            td { (p.total_days) }
                            td { @match p.imported_at { Some(t) => { (ctx.t("plans.imported")) " " (view::time(t)) }, None => (ctx.t("plans.builtin")) } }
                            td { a href=(format!("/plans/{}/links", p.id)) { (ctx.t("plink.title")) } }
                        }
                    }
                }
            }
        }
        p.hint { (ctx.t("plans.import_hint")) }
        @if v.may_change { p { a.button.primary href="/admin/plans/import" { (ctx.t("plans.import_title")) } } }
    }
}

/// `GET /admin/plans` — the approval plans (审批流程方案): the stored ones and the built-in
/// reform plans; each links to its JSON with the schedule and critical path.
pub async fn plans(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let plans = app::list_plans(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = PlansView { may_change, done: q.done, plans };
    Ok(page(&ctx, ctx.t("plans.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn stored_plans_say_when_and_built_in_ones_say_so() {
        let plan = |id: &str, imported_at| PlanEntry {
            id: id.into(),
            version: 2,
            name: format!("plan {id}"),
            steps: 5,
            total_days: 30,
            imported_at,
        };
        let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("a moment");
        let v = PlansView { may_change: true, done: None, plans: vec![plan("ours", Some(at)), plan("reform", None)] };
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(
            html.contains(r#"<tr id="plan-ours"><td><a href="/api/v1/plans/ours"><code>ours</code></a></td>"#),
            "{html}"
        );
        assert!(html.contains(&format!("<td>{} <time", Lang::En.t("plans.imported"))), "{html}");
        assert!(html.contains(&format!("<td>{}</td>", Lang::En.t("plans.builtin"))), "{html}");
        assert!(html.contains(r#"href="/admin/plans/import""#), "{html}");
    }
}
