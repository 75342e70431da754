//! `/hall/inbox` — the hall's inbox (站内信): every notice to the person arrives here
//! (always on, no consent needed), newest first; each opens in place and is marked read by
//! a button (a POST: reading a page changes nothing). Staff read theirs (alerts, a failing
//! channel) at `/account/inbox`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::{Markup, html};

use super::{DoneQuery, done_notice, hall_tabs};
use crate::AppState;
use crate::app::AppError;
use crate::app::notify::{self, InboxMessage};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::Posted;
use crate::web::hall::see_other;
use crate::web::layout::page;
use crate::web::view;
use tongban_core::identity::Role;

/// The inbox page.
#[derive(Debug, Clone, Default)]
pub struct InboxView {
    /// Whether the reader is an applicant (the hall's navigation) or staff.
    pub applicant: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The messages, newest first.
    pub messages: Vec<InboxMessage>,
}

impl InboxView {
    /// How many are unread.
    pub fn unread(&self) -> usize {
        self.messages.iter().filter(|m| !m.read).count()
    }
}

/// Draws the inbox.
pub fn render(ctx: &Ctx, v: &InboxView) -> Markup {
    html! {
        @if v.applicant { (hall_tabs(ctx, Some(v.unread()))) }
        h1 { (ctx.t("notices.inbox_title")) }
        (done_notice(ctx, v.done.as_deref()))
        p.lead { (ctx.t("notices.inbox_lead")) }
        @if v.messages.is_empty() {
            p { (ctx.t("notices.inbox_none")) }
        } @else {
            p { (ctx.tf("notices.inbox_count", &[("n", &v.messages.len().to_string()), ("unread", &v.unread().to_string())])) }
            ul.inbox {
                @for m in &v.messages {
                    li class=(if m.read { "message read" } else { "message unread" }) id=(format!("m-{}", m.id)) {
                        details open[!m.read] {
                            summary {
                                @if !m.read { span.badge.unread { (ctx.t("notices.unread")) } " " }
                                strong { (m.subject) }
                                " · " (view::time(m.created_at))
                            }
                            div.message-body {
                                @for line in m.body.lines() { p { (line) } }
                                @if let Some(n) = &m.case_number {
                                    p { a href=(format!("/cases/{n}")) { (ctx.tf("notices.case_link", &[("number", n)])) } }
                                }
                            }
                            @if !m.read {
                                form.inline method="post" action=(format!("{}/{}/read", home(v.applicant), m.id)) {
                                    (view::csrf(ctx))
                                    button type="submit" { (ctx.t("notices.mark_read")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where the inbox lives for an applicant or for staff.
pub fn home(applicant: bool) -> &'static str {
    if applicant { "/hall/inbox" } else { "/account/inbox" }
}

/// `GET /hall/inbox`, `GET /account/inbox` (each leads to the reader's own).
pub async fn inbox_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let applicant = ctx.role() == Role::Applicant;
    if !ctx.path.starts_with(home(applicant)) {
        return Ok(see_other(&ctx, home(applicant)));
    }
    let messages = notify::inbox(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = InboxView { applicant, done: q.done, messages };
    Ok(page(&ctx, ctx.t("notices.inbox_title"), render(&ctx, &model)))
}

/// `POST /hall/inbox/{id}/read`, `POST /account/inbox/{id}/read`.
pub async fn mark_read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let id: i64 = id.parse().map_err(|_| ctx.fail(AppError::NotFound(format!("message {id:?} does not exist"))))?;
    notify::mark_read(&state, &ctx.principal, id).await.map_err(|e| ctx.fail(e))?;
    let to = home(ctx.role() == Role::Applicant);
    Ok(see_other(&ctx, &format!("{to}?done=read#m-{id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn message(id: i64, read: bool) -> InboxMessage {
        InboxMessage {
            id,
            case_number: Some("620100-2026-000001".into()),
            subject: format!("subject {id}"),
            body: "line one\nline two".into(),
            created_at: "2026-03-02T02:00:00Z".parse().expect("valid"),
            read,
        }
    }

    #[test]
    fn an_unread_message_is_open_with_its_button_and_counted_in_the_tabs() {
        let mut ctx = Ctx::for_test_as(Lang::En, Role::Applicant);
        ctx.path = "/hall/inbox".into();
        let v = InboxView { applicant: true, done: None, messages: vec![message(2, false), message(1, true)] };
        let html = render(&ctx, &v).into_string();
        assert!(html.contains("action=\"/hall/inbox/2/read\""), "{html}");
        assert!(!html.contains("action=\"/hall/inbox/1/read\""), "{html}");
        assert!(html.contains("<p>line two</p>") && html.contains("href=\"/cases/620100-2026-000001\""), "{html}");
        assert!(html.contains("href=\"/hall/inbox\" aria-current=\"page\""), "{html}");
        assert!(html.contains("class=\"badge unread\">1<"), "{html}");
    }

    #[test]
    fn staff_read_theirs_under_their_account_without_the_halls_navigation() {
        let ctx = Ctx::for_test_as(Lang::En, Role::Administrator);
        let v = InboxView { applicant: false, done: None, messages: vec![message(3, false)] };
        let html = render(&ctx, &v).into_string();
        assert!(html.contains("action=\"/account/inbox/3/read\""), "{html}");
        assert!(!html.contains("hall-tabs"), "{html}");
    }

    #[test]
    fn an_empty_inbox_says_so() {
        let ctx = Ctx::for_test_as(Lang::Zh, Role::Applicant);
        let html = render(&ctx, &InboxView::default()).into_string();
        assert!(html.contains(ctx.t("notices.inbox_none")), "{html}");
    }
}
