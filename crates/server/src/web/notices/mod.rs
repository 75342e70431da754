//! Notices on the pages (通知): the hall's inbox (站内信) with its unread count in the
//! hall's navigation, the profile where a person keeps their e-mail address and mobile
//! number and gives or withdraws consent per channel (applicants from the hall, staff for
//! their alert channels from their account), the administrator's delivery page, and how a
//! notice reads on a case's timeline.
//!
//! Every page works without JavaScript; its posts carry the CSRF field and go through
//! [`crate::app::notify`], which decides who may do what.

mod admin;
mod inbox;
mod profile;

use maud::{Markup, html};
use tongban_core::notice::{Channel, NoticeState};

use super::ctx::Ctx;
use super::view;
use crate::AppState;
use crate::app::notify::NoticeView;

/// A channel's name in words.
pub fn channel_name(ctx: &Ctx, c: Channel) -> &'static str {
    ctx.t(&format!("notices.channel.{}", c.as_str()))
}

/// A notice state as a badge (staff words: queued, sent, delivered, failed …).
pub fn state_badge(ctx: &Ctx, s: NoticeState) -> Markup {
    html! { span class=(format!("badge notice-{}", s.as_str())) { (ctx.t(&format!("notices.state.{}", s.as_str()))) } }
}

/// What caused a notice, in words where the message file knows the event, else its subject.
fn event_name(ctx: &Ctx, n: &NoticeView) -> String {
    ctx.lang.get(&format!("notices.event.{}", n.event)).map_or_else(|| n.subject.clone(), str::to_owned)
}

/// The moment a notice last moved: delivered, else sent, else written.
fn last_moved(n: &NoticeView) -> jiff::Timestamp {
    n.delivered_at.or(n.sent_at).unwrap_or(n.created_at)
}

/// One notice as a line of a case's timeline: for staff the channel, the state (with the
/// reason of a failure), the recipient and the time — so a clerk can show that the 补正告知
/// reached the applicant; for the applicant the same in plain words.
pub fn timeline_notice(ctx: &Ctx, n: &NoticeView, staff: bool) -> Markup {
    let channel = channel_name(ctx, n.channel);
    let at = last_moved(n);
    html! {
        li.notice-line data-channel=(n.channel.as_str()) data-state=(n.state.as_str()) {
            @if staff {
                span.notice-event { (event_name(ctx, n)) } " · "
                span.notice-channel { (channel) } " "
                (state_badge(ctx, n.state))
                " " (view::time(at))
                " · " span.notice-to { (ctx.tf("notices.to", &[("who", &n.recipient)])) }
                @if let Some(r) = &n.reason { br; span.late { (ctx.tf("notices.reason", &[("reason", r)])) } }
            } @else {
                (ctx.tf(&format!("notices.plain.{}", n.state.as_str()), &[("event", &event_name(ctx, n)), ("channel", channel), ("at", &view::when(at))]))
                @if n.state == NoticeState::Failed && let Some(r) = &n.reason {
                    " " span.hint { (ctx.tf("notices.reason", &[("reason", r)])) }
                }
            }
        }
    }
}

/// How many inbox messages the asking person has not read; none while the inbox cannot be
/// read (the navigation then shows no count rather than failing the page).
pub async fn unread_count(state: &AppState, ctx: &Ctx) -> Option<usize> {
    ctx.account()?;
    crate::app::notify::inbox(state, &ctx.principal).await.ok().map(|m| m.iter().filter(|m| !m.read).count())
}

/// The hall's own navigation: my cases, the inbox with its unread count, the profile.
pub fn hall_tabs(ctx: &Ctx, unread: Option<usize>) -> Markup {
    let current = ctx.path.split('?').next().unwrap_or("/");
    let here = |href: &str| href == current || (href != "/hall" && current.starts_with(&format!("{href}/")));
    let links = [
        ("/hall", "notices.tab_cases"),
        ("/hall/inbox", "notices.tab_inbox"),
        ("/hall/profile", "notices.tab_profile"),
    ];
    html! {
        nav.tabs.hall-tabs aria-label=(ctx.t("notices.hall_nav")) {
            ul {
                @for (href, key) in links {
                    li {
                        a href=(href) aria-current=[here(href).then_some("page")] {
                            (ctx.t(key))
                            @if href == "/hall/inbox" && let Some(n) = unread.filter(|n| *n > 0) {
                                " " span.badge.unread { (n) span.sr-only { " " (ctx.t("notices.unread")) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A notice after a redirect (`?done=…`) of these pages.
fn done_notice(ctx: &Ctx, done: Option<&str>) -> Markup {
    html! {
        @if let Some(key) = done.and_then(|d| ctx.lang.get(&format!("notices.done.{d}"))) {
            div.notice.ok role="status" { (key) }
        }
    }
}

/// `?done=` of these pages.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    /// The notice to show.
    pub done: Option<String>,
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/hall/inbox", get(inbox::inbox_page))
        .route("/hall/inbox/{id}/read", post(inbox::mark_read))
        .route("/account/inbox", get(inbox::inbox_page))
        .route("/account/inbox/{id}/read", post(inbox::mark_read))
        .route("/hall/profile", get(profile::profile_page).post(profile::save_profile))
        .route("/account/profile", get(profile::profile_page).post(profile::save_profile))
        .route("/admin/notices", get(admin::notices_page))
        .route("/admin/notices/{id}/retry", post(admin::retry))
        .route("/admin/notices/{id}/cancel", post(admin::cancel))
}
