//! `/supervision` — the green / yellow / red board of running cases, also as a wall
//! screen that reloads itself.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::supervision::Colour;

use super::{BOARD_CASES, REFRESH_SECONDS, own_department, person, section_tabs};
use crate::AppState;
use crate::app::{self, BoardSnapshot, TrackedCase};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::layout::{page_with, wall};
use crate::web::portal::department_name;
use crate::web::view::{self, DueMark};

/// `?wall=1&done=` of the board.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    /// Draw for a wall screen: no navigation, large type.
    #[serde(default)]
    pub wall: Option<String>,
}

/// What the board shows.
#[derive(Debug, Clone, Default)]
pub(super) struct BoardView {
    /// Drawn for a wall screen: no navigation.
    pub wall: bool,
    /// The year whose holidays must be loaded, when one must.
    pub year_to_load: Option<i16>,
    /// The department's name a department head is limited to.
    pub scope: Option<String>,
    /// Whether this server holds the board.
    pub present: bool,
    /// When the worker last ticked.
    pub last_tick: Option<jiff::Timestamp>,
    /// The last error that stopped the worker.
    pub last_error: Option<String>,
    /// Green, yellow and red running cases.
    pub green: usize,
    /// Yellow ones.
    pub yellow: usize,
    /// Red ones.
    pub red: usize,
    /// Every running case.
    pub total: usize,
    /// Yellow and red ones: the cases needing attention.
    pub attention: usize,
    /// Whether the tiles are only the first of them.
    pub truncated: bool,
    /// The yellow and red cases drawn, red first.
    pub tiles: Vec<Tile>,
}

/// A yellow or red case on the board.
#[derive(Debug, Clone)]
pub(super) struct Tile {
    /// Case number.
    pub number: String,
    /// Its colour.
    pub colour: Colour,
    /// What is known of the case, when it was read.
    pub case: Option<TileCase>,
    /// When a yellow case turns red, shown when a suspension moved it off the due time.
    pub red_at: Option<jiff::Timestamp>,
}

/// A tile's case: what, whose, due when.
#[derive(Debug, Clone)]
pub(super) struct TileCase {
    /// The item's name.
    pub item: String,
    /// The department's name.
    pub department: String,
    /// The owner, as shown.
    pub owner: String,
    /// When it is due, if it is.
    pub due: Option<DueMark>,
}

/// What the board is drawn from, as loaded.
pub(super) struct BoardData<'a> {
    /// The board as the viewer may see it.
    pub board: &'a BoardSnapshot,
    /// The running cases behind it, by number.
    pub running: &'a HashMap<String, TrackedCase>,
    /// Item names by code.
    pub items: &'a [(String, String)],
    /// Department names by code.
    pub departments: &'a [(String, String)],
    /// People's names by id.
    pub names: &'a HashMap<String, String>,
    /// The department a department head is limited to.
    pub mine: Option<&'a str>,
}

/// The board's model; `calendar` says which year must be loaded at `today`.
pub(super) fn view(d: &BoardData<'_>, calendar: &WorkingCalendar, today: jiff::civil::Date, wall: bool) -> BoardView {
    let b = d.board;
    let tiles = b
        .cases
        .iter()
        .map(|(number, colour, next)| {
            let t = d.running.get(number);
            let due = t.and_then(|t| t.case.due_at);
            Tile {
                number: number.clone(),
                colour: *colour,
                case: t.map(|t| TileCase {
                    item: d
                        .items
                        .iter()
                        .find(|(k, _)| k == t.case.item.as_str())
                        .map_or(t.case.item.as_str(), |(_, n)| n.as_str())
                        .to_owned(),
                    department: department_name(d.departments, &t.department).to_owned(),
                    owner: person(d.names, &t.case.owner),
                    due: DueMark::of(&t.case, calendar),
                }),
                // When a suspension moved it, the moment the case turns red is not its due time.
                red_at: next.filter(|n| {
                    *colour == Colour::Yellow && due.is_none_or(|d| n.duration_since(d).as_secs().abs() >= 60)
                }),
            }
        })
        .collect();
    BoardView {
        wall,
        year_to_load: calendar.year_to_load(today),
        scope: d.mine.map(|m| department_name(d.departments, m).to_owned()),
        present: b.present,
        last_tick: b.last_tick,
        last_error: b.last_error.clone(),
        green: b.green,
        yellow: b.yellow,
        red: b.red,
        total: b.green + b.yellow + b.red,
        attention: b.yellow + b.red,
        truncated: b.yellow + b.red > b.cases.len(),
        tiles,
    }
}

/// The board's body.
pub(super) fn render(ctx: &Ctx, v: &BoardView) -> Markup {
    html! {
        h1 { (ctx.t("sup.board_title")) }
        (crate::web::admin::calendar_warning(ctx, v.year_to_load))
        @if !v.wall { (section_tabs(ctx)) }
        @if let Some(d) = &v.scope {
            p.scope { (ctx.tf("sup.only_department", &[("department", d)])) }
        }
        @if !v.present {
            div.notice.error role="status" {
                p { strong { (ctx.t("sup.not_here")) } }
                p { (ctx.t("sup.not_here_text")) }
            }
        } @else {
            p.status role="status" {
                (ctx.t("sup.worker_here"))
                @if let Some(t) = v.last_tick { " · " (ctx.t("sup.last_tick")) " " (view::time(t)) }
                " · " (ctx.tf("sup.refreshes", &[("s", &REFRESH_SECONDS.to_string())]))
            }
        }
        @if let Some(e) = &v.last_error { div.notice.error role="alert" { (ctx.t("sup.last_error")) ": " (e) } }
        ul.lights aria-label=(ctx.t("sup.counts")) {
            li.light.green { span.k { (v.green) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.green")) } }
            li.light.yellow { span.k { (v.yellow) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.yellow")) } }
            li.light.red { span.k { (v.red) } span.l { span.dot aria-hidden="true" {} " " (ctx.t("level.red")) } }
            li.light.all { span.k { (v.total) } span.l { (ctx.t("sup.running")) } }
        }
        @if !v.wall {
            p.actions { a.button href="/supervision?wall=1" { (ctx.t("sup.wall")) } }
        }
        h2 { (ctx.t("sup.attention")) " " span.count { "(" (v.attention) ")" } }
        @if v.tiles.is_empty() {
            p { (ctx.t("sup.all_green")) }
        } @else {
            @if v.truncated {
                p.hint { (ctx.tf("sup.first_n", &[("n", &v.tiles.len().to_string())])) }
            }
            ul.wall-grid {
                @for tile in &v.tiles {
                    @let colour = tile.colour.as_str();
                    li class=(format!("case-tile tile-{colour}")) {
                        a href=(format!("/cases/{}", tile.number)) {
                            span.num { (tile.number) }
                            span.sr-only { " " (ctx.t(&format!("level.{colour}"))) }
                        }
                        span.light-label aria-hidden="true" { (ctx.t(&format!("level.{colour}"))) }
                        @if let Some(c) = &tile.case {
                            span.what { (c.item) }
                            span.who { (c.department) " · " (c.owner) }
                            @if let Some(d) = c.due { span.due { (ctx.t("case.due")) " " (view::due(ctx, d.at, d.provisional)) } }
                        }
                        @if let Some(n) = tile.red_at {
                            span.next { (ctx.t("sup.red_at")) " " (view::time(n)) }
                        }
                    }
                }
            }
        }
    }
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
    let data = BoardData {
        board: &b,
        running: &running,
        items: &items,
        departments: &departments,
        names: &names,
        mine: mine.as_deref(),
    };
    let model = view(&data, &ctx.calendar, tongban_core::calendar::local_date(state.now()), is_wall);
    let (title, body) = (ctx.t("sup.board_title"), render(&ctx, &model));
    Ok(if is_wall {
        wall(&ctx, title, body, REFRESH_SECONDS)
    } else {
        page_with(&ctx, title, body, Some(REFRESH_SECONDS))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().expect("a moment")
    }

    #[test]
    fn the_board_counts_the_lights_and_marks_when_a_moved_yellow_case_turns_red() {
        let board = BoardSnapshot {
            present: true,
            green: 5,
            yellow: 2,
            red: 1,
            cases: vec![
                ("LZ-1".into(), Colour::Red, None),
                ("LZ-2".into(), Colour::Yellow, Some(at("2026-03-05T02:00:00Z"))),
            ],
            ..BoardSnapshot::default()
        };
        let running = HashMap::new();
        let departments = [("fgw".to_owned(), "DRC".to_owned())];
        let data = BoardData {
            board: &board,
            running: &running,
            items: &[],
            departments: &departments,
            names: &HashMap::new(),
            mine: Some("fgw"),
        };
        let today = jiff::civil::date(2026, 3, 2);
        let v = view(&data, &WorkingCalendar::builtin(), today, false);
        assert_eq!((v.total, v.attention, v.truncated), (8, 3, true));
        assert_eq!(v.tiles[1].red_at, Some(at("2026-03-05T02:00:00Z")), "no due time to compare with");
        assert_eq!(v.tiles[0].red_at, None, "a red case turns red no more");
        let html = render(&Ctx::for_test_as(Lang::En, Role::DepartmentHead), &v).into_string();
        assert!(html.contains(r#"<li class="light all"><span class="k">8</span>"#), "{html}");
        assert!(html.contains(r#"<li class="case-tile tile-red"><a href="/cases/LZ-1">"#), "{html}");
        assert!(html.contains(r#"<p class="scope">"#) && html.contains("DRC"), "{html}");
        assert!(html.contains(r#"<span class="next">"#), "{html}");
        assert!(html.contains(r#"href="/supervision?wall=1""#), "{html}");
    }
}
