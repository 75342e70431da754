//! `/supervision` — the green / yellow / red board of running cases, also as a wall
//! screen that reloads itself.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use tongban_core::supervision::Colour;

use super::{BOARD_CASES, REFRESH_SECONDS, own_department, person, section_tabs};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::{page_with, wall};
use crate::web::portal::department_name;
use crate::web::view::{self};

/// `?wall=1&done=` of the board.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    /// Draw for a wall screen: no navigation, large type.
    #[serde(default)]
    pub wall: Option<String>,
}

/// `GET /supervision` — the board; `?wall=1` for a wall screen.
pub async fn board(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BoardQuery>) -> Result<Response, WebError> {
    let (b, running) =
        app::scoped_board_with_cases(&state, &ctx.principal, BOARD_CASES).await.map_err(|e| ctx.fail(e))?;
    let mine = own_department(&ctx);
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let items = crate::web::hall::item_names(
        &state,
        b.cases.iter().filter_map(|(n, _, _)| running.get(n)).map(|t| &t.case.item),
    )
    .await
    .map_err(|e| ctx.fail(e))?;
    let is_wall = q.wall.as_deref().is_some_and(|w| !w.is_empty() && w != "0");
    let total = b.green + b.yellow + b.red;
    let body = html! {
        h1 { (ctx.t("sup.board_title")) }
        (crate::web::admin::calendar_warning(&ctx, &ctx.calendar, tongban_core::calendar::local_date(state.now())))
        @if !is_wall { (section_tabs(&ctx)) }
        @if let Some(d) = &mine {
            p.scope { (ctx.tf("sup.only_department", &[("department", department_name(&departments, d))])) }
        }
        @if !b.present {
            div.notice.error role="status" {
                p { strong { (ctx.t("sup.not_here")) } }
                p { (ctx.t("sup.not_here_text")) }
            }
        } @else {
            p.status role="status" {
                (ctx.t("sup.worker_here"))
                @if let Some(t) = b.last_tick { " · " (ctx.t("sup.last_tick")) " " (view::time(t)) }
                " · " (ctx.tf("sup.refreshes", &[("s", &REFRESH_SECONDS.to_string())]))
            }
        }
        @if let Some(e) = &b.last_error { div.notice.error role="alert" { (ctx.t("sup.last_error")) ": " (e) } }
        ul.lights aria-label=(ctx.t("sup.counts")) {
            li.light.green { span.k { (b.green) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.green")) } }
            li.light.yellow { span.k { (b.yellow) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.yellow")) } }
            li.light.red { span.k { (b.red) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.red")) } }
            li.light.all { span.k { (total) } span.l { (ctx.t("sup.running")) } }
        }
        @if !is_wall {
            p.actions { a.button href="/supervision?wall=1" { (ctx.t("sup.wall")) } }
        }
        h2 { (ctx.t("sup.attention")) " " span.count { "(" (b.yellow + b.red) ")" } }
        @if b.cases.is_empty() {
            p { (ctx.t("sup.all_green")) }
        } @else {
            @if b.yellow + b.red > b.cases.len() {
                p.hint { (ctx.tf("sup.first_n", &[("n", &b.cases.len().to_string())])) }
            }
            ul.wall-grid {
                @for (number, colour, next) in &b.cases {
                    @let t = running.get(number);
                    li class=(format!("case-tile tile-{}", colour.as_str())) {
                        a href=(format!("/cases/{number}")) {
                            span.num { (number) }
                            span.sr-only { " " (ctx.t(&format!("level.{}", colour.as_str()))) }
                        }
                        span.light-label aria-hidden="true" { (ctx.t(&format!("level.{}", colour.as_str()))) }
                        @if let Some(t) = t {
                            span.what { (items.iter().find(|(k, _)| k == t.case.item.as_str()).map_or(t.case.item.as_str(), |(_, n)| n.as_str())) }
                            span.who { (department_name(&departments, &t.department)) " · " (person(&names, &t.case.owner)) }
                            @if t.case.due_at.is_some() { span.due { (ctx.t("case.due")) " " (view::case_due(&ctx, &t.case, "")) } }
                        }
                        // When a suspension moved it, the moment the case turns red is not its due time.
                        @if let Some(n) = next.filter(|n| *colour == Colour::Yellow && t.and_then(|t| t.case.due_at).is_none_or(|d| n.duration_since(d).as_secs().abs() >= 60)) {
                            span.next { (ctx.t("sup.red_at")) " " (view::time(n)) }
                        }
                    }
                }
            }
        }
    };
    let title = ctx.t("sup.board_title");
    Ok(if is_wall {
        wall(&ctx, title, body, REFRESH_SECONDS)
    } else {
        page_with(&ctx, title, body, Some(REFRESH_SECONDS))
    })
}
