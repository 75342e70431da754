//! Queue tickets at the kiosk (`/kiosk/ticket`, 排队号): one button per queue, and the
//! ticket taken shown large with how many are ahead.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::back;
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::kiosk;
use crate::web::portal::department_name;
use crate::web::view;

/// The queues to choose from.
#[derive(Debug, Clone, Default)]
pub struct TicketForm {
    /// The departments' queues: (code, name).
    pub queues: Vec<(String, String)>,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the queues to choose from.
pub fn render_form(ctx: &Ctx, f: &TicketForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("kiosk.take_ticket")) }
        (view::form_error(errors))
        form.big-form method="post" action="/kiosk/ticket" {
            (view::csrf(ctx))
            fieldset.ticket-queues aria-describedby=[errors.get("queue").map(|_| "err-queue")] {
                legend { (ctx.t("kiosk.ticket_choose")) }
                (view::field_error(errors, "queue"))
                div.big-tiles {
                    button.big type="submit" name="queue" value=(app::COMPREHENSIVE) autofocus {
                        span { (ctx.t("kiosk.comprehensive")) } span.sub { (ctx.t("kiosk.comprehensive_text")) }
                    }
                    @for (code, name) in &f.queues {
                        button.big type="submit" name="queue" value=(code) { span { (name) } }
                    }
                }
            }
        }
        (back(ctx))
    }
}

/// `GET /kiosk/ticket`.
pub async fn ticket_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let queues = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let model = TicketForm { queues, errors: FieldErrors::default() };
    Ok(kiosk(&ctx, ctx.t("kiosk.take_ticket"), render_form(&ctx, &model), true))
}

/// A ticket taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// Its number.
    pub number: String,
    /// The queue's name.
    pub queue: String,
    /// Tickets ahead of it.
    pub ahead: i64,
}

/// Draws a ticket taken.
pub fn render_taken(ctx: &Ctx, t: &Taken) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.ticket_yours")) }
        div.result-card.ticket-card {
            p.ticket-number role="status" aria-live="polite" { (t.number) }
            p { (ctx.tf("kiosk.ticket_queue", &[("queue", &t.queue)])) }
            p.ticket-ahead { (ctx.tf("kiosk.ticket_ahead", &[("n", &t.ahead.to_string())])) }
            p { (ctx.t("kiosk.ticket_wait")) }
        }
        (back(ctx))
    }
}

/// `POST /kiosk/ticket`: takes a ticket and shows its number, large.
pub async fn take_ticket(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let departments = crate::app::public::department_names(&state).await.map_err(|e| ctx.fail(e))?;
    let queue = fields.get("queue").trim();
    let mut errors = FieldErrors::default();
    if queue.is_empty() {
        errors.add("queue", ctx.t("err.required"));
    } else {
        match app::take_ticket(&state, &ctx.principal, queue).await {
            Ok(taken) => {
                let queue = if taken.ticket.queue == app::COMPREHENSIVE {
                    ctx.t("kiosk.comprehensive").to_owned()
                } else {
                    department_name(&departments, &taken.ticket.queue).to_owned()
                };
                let model = Taken { number: taken.ticket.number, queue, ahead: taken.ahead };
                let body = render_taken(&ctx, &model);
                return Ok((StatusCode::CREATED, kiosk(&ctx, ctx.t("kiosk.ticket_yours"), body, true)).into_response());
            }
            Err(crate::app::AppError::Invalid(_)) => errors.add("queue", ctx.t("kiosk.ticket_no_queue")),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = render_form(&ctx, &TicketForm { queues: departments, errors });
    Ok((StatusCode::UNPROCESSABLE_ENTITY, kiosk(&ctx, ctx.t("kiosk.take_ticket"), body, true)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_queue_gets_a_button_after_the_comprehensive_window() {
        let ctx = Ctx::for_test(Lang::En);
        let form = TicketForm { queues: vec![("fgw".into(), "Development".into())], errors: FieldErrors::default() };
        let html = render_form(&ctx, &form).into_string();
        let comprehensive = html.find(&format!("value=\"{}\"", app::COMPREHENSIVE)).expect("the comprehensive queue");
        let department = html.find("value=\"fgw\"").expect("the department's queue");
        assert!(comprehensive < department, "{html}");
    }

    #[test]
    fn a_ticket_taken_is_shown_with_how_many_are_ahead() {
        let ctx = Ctx::for_test(Lang::En);
        let html =
            render_taken(&ctx, &Taken { number: "A012".into(), queue: "Development".into(), ahead: 4 }).into_string();
        assert!(html.contains(">A012</p>"), "{html}");
        assert!(html.contains(&Lang::En.tf("kiosk.ticket_ahead", &[("n", "4")])), "{html}");
    }
}
