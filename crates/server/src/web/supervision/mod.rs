//! The supervision pages (电子监察): the green / yellow / red board of running cases (also as a
//! wall screen that reloads itself), alerts with their escalation level, accountability
//! records with the department's answer and the supervisor's conclusion, figures by
//! department, window, person and item with their charts, and the other watched conditions.
//!
//! The center's supervisors, leaders and administrators see everything; a department head
//! sees the department's; other department staff see its alerts and accountability records.
//! Every rule is in [`crate::app`], shared with the JSON API; these pages parse and draw.
//! The board lives on the server that holds the supervision lease: elsewhere it is empty,
//! and the page says so.
mod accountability;
mod alerts;
mod board;
mod concerns;
mod figures;
mod follow_ups;

use std::collections::HashMap;

use maud::{Markup, html};

use super::ctx::Ctx;
use super::error::WebError;
use super::layout::tabs;
use crate::app;
use tongban_core::access::{Action, role_may};
use tongban_core::supervision::Colour;

use accountability::{accountability, answer, close};
use alerts::alerts;
use board::board;
use concerns::concerns;
use figures::figures;

/// Seconds between reloads of the board.
pub const REFRESH_SECONDS: u32 = 60;
/// Yellow and red cases drawn on the board at most.
const BOARD_CASES: usize = 300;
/// Rows of a long list shown at most.
const SHOWN: usize = 500;
/// Groups drawn in a chart at most (the table has them all).
const CHARTED: usize = 15;

/// The pages of the section: (href, message key, what a role needs to see it).
const SECTION: &[(&str, &str, Action)] = &[
    ("/supervision", "sup.board", Action::Supervise),
    ("/supervision/alerts", "sup.alerts", Action::ReadSupervision),
    ("/supervision/accountability", "sup.accountability", Action::ReadSupervision),
    ("/supervision/figures", "sup.figures", Action::Supervise),
    ("/supervision/concerns", "sup.concerns", Action::Supervise),
    ("/ratings/satisfaction", "sup.satisfaction", Action::ReadFigures),
    ("/ratings/rectifications", "sup.rectifications", Action::ReadSupervision),
    ("/assessment", "sup.assessment", Action::ReadAssessment),
    ("/supervision/projects", "sup.projects", Action::ReadProjects),
    ("/supervision/follow-ups", "sup.follow_ups", Action::ReadProjects),
    ("/service/problems", "svc.tab", Action::ReadProjects),
    ("/meetings", "sup.meetings", Action::ReadProjects),
    ("/admin/rules", "sup.rules", Action::ConfigureSupervision),
];

/// The supervision section's tabs, those the viewer may open (the assessment shows them too).
pub(crate) fn section_tabs(ctx: &Ctx) -> Markup {
    let links: Vec<(&str, &str)> =
        SECTION.iter().filter(|(_, _, a)| role_may(ctx.role(), *a)).map(|(h, k, _)| (*h, *k)).collect();
    tabs(ctx, ctx.t("sup.section"), &links)
}

/// Refuses the page unless the role may `action`.
fn allow(ctx: &Ctx, action: Action) -> Result<(), WebError> {
    app::authorize(&ctx.principal, action).map_err(|e| ctx.fail(e))
}

/// The department a department head is limited to; none for the center's overseers.
fn own_department(ctx: &Ctx) -> Option<String> {
    app::own_department(&ctx.principal)
}

/// A person as shown: "name (id)", or the id alone when no other name is known.
fn person(names: &HashMap<String, String>, id: &str) -> String {
    match names.get(id) {
        Some(n) if n != id => format!("{n} ({id})"),
        _ => id.to_owned(),
    }
}

/// A light's colour with its dot and name.
fn colour_label(ctx: &Ctx, colour: Colour) -> Markup {
    let colour = colour.as_str();
    html! { span class=(format!("level-{colour}")) { span.dot aria-hidden="true" {} " " (ctx.t(&format!("level.{colour}"))) } }
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/supervision", get(board))
        .route("/supervision/alerts", get(alerts))
        .route("/supervision/accountability", get(accountability))
        .route("/supervision/accountability/{number}/answer", post(answer))
        .route("/supervision/accountability/{number}/close", post(close))
        .route("/supervision/figures", get(figures))
        .route("/supervision/concerns", get(concerns))
        .route("/supervision/follow-ups", get(follow_ups::follow_ups_page))
}
