//! `/supervision/follow-ups` — 督办事项: problems and roadmap tasks owed to projects, open ones
//! first with their colour, counted by colour, and the done ones after.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::access::Action;
use tongban_core::supervision::Colour;

use super::{SHOWN, allow, colour_label, section_tabs};
use crate::AppState;
use crate::app::follow_ups::{self, FollowUpQuery, FollowUpRow};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view;

/// What the page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct FollowUpsView {
    /// Open ones by colour: green, yellow, red.
    pub counts: [usize; 3],
    /// The colour shown alone, if one is.
    pub colour: Option<Colour>,
    /// The follow-ups listed: open ones soonest due first, then done ones newest first.
    pub rows: Vec<FollowUpLine>,
}

/// One follow-up as listed.
#[derive(Debug, Clone)]
pub(super) struct FollowUpLine {
    /// The project's code.
    pub project: String,
    /// `problem` or `roadmap_task`.
    pub kind: &'static str,
    /// What is to be done.
    pub title: String,
    /// The department's name.
    pub department: String,
    /// Its due time.
    pub due_at: jiff::Timestamp,
    /// When done; none while open.
    pub done_at: Option<jiff::Timestamp>,
    /// Its colour.
    pub colour: Colour,
}

/// The page's model from the follow-ups read (newest first) and the departments' names.
pub(super) fn view(rows: Vec<FollowUpRow>, colour: Option<Colour>, departments: &[(String, String)]) -> FollowUpsView {
    let mut counts = [0; 3];
    for r in rows.iter().filter(|r| r.done_at.is_none()) {
        counts[Colour::ALL.iter().position(|c| *c == r.colour).unwrap_or(0)] += 1;
    }
    let mut rows: Vec<FollowUpRow> = rows.into_iter().filter(|r| colour.is_none_or(|c| r.colour == c)).collect();
    // Open ones first, the most urgent on top; then what was done, newest first.
    rows.sort_by_key(|r| (r.done_at.is_some(), r.done_at.map(|_| -r.id).unwrap_or(0), r.follow_up.due_at));
    FollowUpsView {
        counts,
        colour,
        rows: rows
            .into_iter()
            .take(SHOWN)
            .map(|r| FollowUpLine {
                project: r.follow_up.project.to_string(),
                kind: r.follow_up.kind.as_str(),
                title: r.follow_up.title,
                department: department_name(departments, r.follow_up.department.as_str()).to_owned(),
                due_at: r.follow_up.due_at,
                done_at: r.done_at,
                colour: r.colour,
            })
            .collect(),
    }
}

/// The page's body.
pub(super) fn render(ctx: &Ctx, v: &FollowUpsView) -> Markup {
    html! {
        h1 { (ctx.t("follow_up.title")) }
        (section_tabs(ctx))
        p.lead { (ctx.t("follow_up.lead")) }
        ul.kpis {
            @for (colour, n) in Colour::ALL.iter().zip(v.counts) {
                li {
                    a href=(format!("/supervision/follow-ups?colour={colour}")) aria-current=[(v.colour == Some(*colour)).then_some("true")] {
                        span.k { (n) } span.l { (colour_label(ctx, *colour)) }
                    }
                }
            }
        }
        @if v.colour.is_some() { p { a href="/supervision/follow-ups" { (ctx.t("follow_up.all")) } } }
        @if v.rows.is_empty() {
            p { (ctx.t("sup.none")) }
        } @else {
            div.table-wrap {
                table.cases {
                    caption.sr-only { (ctx.t("follow_up.title")) }
                    thead { tr {
                        th scope="col" { (ctx.t("follow_up.project")) }
                        th scope="col" { (ctx.t("follow_up.kind")) }
                        th scope="col" { (ctx.t("follow_up.what")) }
                        th scope="col" { (ctx.t("item.department")) }
                        th scope="col" { (ctx.t("follow_up.due")) }
                        th scope="col" { (ctx.t("sup.colour")) }
                    } }
                    tbody {
                        @for f in &v.rows {
                            tr {
                                td { code { (f.project) } }
                                td { (ctx.t(&format!("follow_up.{}", f.kind))) }
                                td { (f.title) }
                                td { (f.department) }
                                td { (view::time(f.due_at)) }
                                td {
                                    @if let Some(done) = f.done_at {
                                        (ctx.t("follow_up.done")) " " (view::time(done))
                                    } @else {
                                        (colour_label(ctx, f.colour))
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

/// The page's query.
#[derive(Debug, Deserialize, Default)]
pub struct FollowUpsQuery {
    /// One colour only.
    colour: Option<String>,
}

/// `GET /supervision/follow-ups`.
pub async fn follow_ups_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FollowUpsQuery>,
) -> Result<Response, WebError> {
    allow(&ctx, Action::ReadProjects)?;
    let colour = q.colour.as_deref().and_then(Colour::parse);
    let rows = follow_ups::list(&state, &ctx.principal, FollowUpQuery::default()).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let model = view(rows, colour, &departments);
    Ok(page(&ctx, ctx.t("follow_up.title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::follow_ups::NewFollowUp;
    use crate::web::Lang;
    use tongban_core::followup::FollowUpKind;
    use tongban_core::org::DepartmentCode;
    use tongban_core::plan::ProjectCode;

    fn row(id: i64, colour: Colour, due: &str, done: Option<&str>) -> FollowUpRow {
        let t = |s: &str| s.parse::<jiff::Timestamp>().expect("time");
        FollowUpRow {
            id,
            follow_up: NewFollowUp {
                project: ProjectCode::parse("2026-620100-47-01-000123").expect("code"),
                kind: if id % 2 == 0 { FollowUpKind::Problem } else { FollowUpKind::RoadmapTask },
                title: format!("task {id}"),
                department: DepartmentCode::parse("fgw").expect("code"),
                owner: None,
                started_at: t("2026-03-02T02:00:00Z"),
                days: 5,
                due_at: t(due),
            },
            done_at: done.map(t),
            colour,
            colour_since: t("2026-03-02T02:00:00Z"),
        }
    }

    #[test]
    fn open_ones_come_first_most_urgent_on_top_and_are_counted_by_colour() {
        let rows = vec![
            row(4, Colour::Green, "2026-03-20T09:30:00Z", Some("2026-03-10T02:00:00Z")),
            row(3, Colour::Green, "2026-03-12T09:30:00Z", None),
            row(2, Colour::Red, "2026-03-04T09:30:00Z", None),
            row(1, Colour::Yellow, "2026-03-06T09:30:00Z", None),
        ];
        let v = view(rows.clone(), None, &[("fgw".into(), "Development and Reform".into())]);
        assert_eq!(v.counts, [1, 1, 1]);
        let titles: Vec<&str> = v.rows.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["task 2", "task 1", "task 3", "task 4"]);
        let html = render(&Ctx::for_test(Lang::En), &v).into_string();
        assert!(html.contains("Development and Reform") && html.contains("task 2"), "{html}");
        let red = view(rows, Some(Colour::Red), &[]);
        assert_eq!(red.rows.len(), 1);
    }
}
