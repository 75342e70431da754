//! The kiosk's case look-up (`/kiosk/lookup`): a case found by its number and the
//! applicant's phone shows its state, due time and what is still missing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::case::{Case, CaseState};

use super::back;
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::kiosk;
use crate::web::view::{self, DueMark, Input};

/// The look-up form, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct LookupForm {
    /// The case number typed.
    pub number: String,
    /// The phone typed.
    pub phone: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the look-up form.
pub fn render_form(ctx: &Ctx, f: &LookupForm) -> Markup {
    number_and_phone_form(ctx, ctx.t("kiosk.lookup"), "/kiosk/lookup", &f.number, &f.phone, &f.errors)
}

/// The kiosk's form for a case number and the applicant's phone, posted to `action` (the
/// case look-up and the documents' download both ask for the pair).
pub(super) fn number_and_phone_form(
    ctx: &Ctx,
    title: &str,
    action: &str,
    number: &str,
    phone: &str,
    errors: &FieldErrors,
) -> Markup {
    html! {
        h1 { (title) }
        (view::form_error(errors))
        form.stack.big-form method="post" action=(action) novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("kiosk.number"), "number", number, errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("kiosk.number_hint")), ..Input::default() }))
            (view::input(ctx.t("kiosk.phone"), "phone", phone, errors,
                Input { kind: "tel", required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("kiosk.lookup_submit")) }
        }
        (back(ctx))
    }
}

/// `GET /kiosk/lookup`.
pub async fn lookup_page(ctx: Ctx) -> Response {
    kiosk(&ctx, ctx.t("kiosk.lookup"), render_form(&ctx, &LookupForm::default()), true)
}

/// A case found.
#[derive(Debug, Clone)]
pub struct Found {
    /// The case number.
    pub number: String,
    /// The state.
    pub state: CaseState,
    /// The item's name.
    pub item: String,
    /// When it was submitted.
    pub submitted: jiff::Timestamp,
    /// When it is due.
    pub due: Option<DueMark>,
    /// Materials asked for and not yet handed in.
    pub missing: Vec<String>,
}

impl Found {
    /// What the kiosk shows of `case`, its item named `item`.
    pub fn of(ctx: &Ctx, case: &Case, item: String) -> Found {
        Found {
            number: case.number.to_string(),
            state: case.state,
            item,
            submitted: case.submitted_at,
            due: DueMark::of(case, &ctx.calendar),
            missing: case.pending_correction.clone(),
        }
    }
}

/// Draws a case found.
pub fn render_found(ctx: &Ctx, f: &Found) -> Markup {
    html! {
        h1 { (ctx.t("kiosk.result")) }
        div.result-card {
            p.big-number { code { (f.number) } }
            p { (view::state_badge(ctx, f.state)) }
            dl.facts {
                dt { (ctx.t("case.item")) } dd { (f.item) }
                dt { (ctx.t("case.submitted")) } dd { (view::time(f.submitted)) }
                dt { (ctx.t("case.due")) } dd { (view::due_mark(ctx, f.due, ctx.t("case.not_started"))) }
                @if !f.missing.is_empty() {
                    dt { (ctx.t("case.missing")) } dd { (f.missing.join(ctx.t("list.sep"))) }
                }
            }
            p { (ctx.t(&format!("kiosk.next.{}", f.state.as_str()))) }
        }
        (back(ctx))
    }
}

/// `POST /kiosk/lookup`.
pub async fn lookup(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let mut errors = FieldErrors::default();
    if fields.get("number").trim().is_empty() {
        errors.add("number", ctx.t("err.required"));
    }
    if fields.get("phone").trim().is_empty() {
        errors.add("phone", ctx.t("err.required"));
    }
    if errors.is_empty() {
        match app::case_by_number_and_phone(&state, &ctx.principal, fields.get("number"), fields.get("phone")).await {
            Ok(case) => {
                let name = crate::app::public::item_in_version(&state, &case.item, case.item_version)
                    .await
                    .map_err(|e| ctx.fail(e))?
                    .map_or_else(|| case.item.to_string(), |r| r.item.name);
                let model = Found::of(&ctx, &case, name);
                return Ok(kiosk(&ctx, ctx.t("kiosk.result"), render_found(&ctx, &model), true));
            }
            Err(crate::app::AppError::NotFound(_)) => errors.add("", ctx.t("kiosk.not_found")),
            Err(crate::app::AppError::TooManyAttempts(s)) => {
                errors.add("", ctx.tf("login.too_many", &[("s", &s.to_string())]))
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let model = LookupForm { number: fields.get("number").to_owned(), phone: fields.get("phone").to_owned(), errors };
    let body = render_form(&ctx, &model);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, kiosk(&ctx, ctx.t("kiosk.lookup"), body, true)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn found(provisional: bool) -> Found {
        Found {
            number: "FGW-2026-000003".into(),
            state: CaseState::CorrectionRequested,
            item: "Permit".into(),
            submitted: "2026-12-28T02:00:00Z".parse().expect("valid"),
            due: Some(DueMark { at: "2027-01-08T09:00:00Z".parse().expect("valid"), provisional }),
            missing: vec!["Licence".into(), "Plan".into()],
        }
    }

    #[test]
    fn a_case_found_shows_its_provisional_due_time_and_what_is_missing() {
        let ctx = Ctx::for_test(Lang::Zh);
        let html = render_found(&ctx, &found(true)).into_string();
        assert!(html.contains(Lang::Zh.t("case.provisional")), "{html}");
        assert!(html.contains(&format!("Licence{}Plan", Lang::Zh.t("list.sep"))), "{html}");
        assert!(html.contains(Lang::Zh.t("kiosk.next.correction_requested")), "{html}");
        let html = render_found(&ctx, &found(false)).into_string();
        assert!(!html.contains(Lang::Zh.t("case.provisional")), "{html}");
    }

    #[test]
    fn a_refused_look_up_keeps_what_was_typed() {
        let ctx = Ctx::for_test(Lang::En);
        let mut errors = FieldErrors::default();
        errors.add("", "not found");
        let form = LookupForm { number: "FGW-2026-9".into(), phone: "139".into(), errors };
        let html = render_form(&ctx, &form).into_string();
        assert!(html.contains("value=\"FGW-2026-9\""), "{html}");
        assert!(html.contains("type=\"tel\" value=\"139\""), "{html}");
        assert!(html.contains("role=\"alert\">not found<"), "{html}");
    }
}
