//! `/activate` — an account created without a password (imported staff) is activated by
//! its holder with the one-time code the administrator handed over: login, code, and the
//! new password twice. Works without JavaScript; the form is shown to people not logged
//! in, so it carries the double-submit CSRF token like the login form.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Posted};
use super::layout::page;
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::app::AppError;

/// `?login=` (a link the administrator may send) and `?done=` of the page.
#[derive(Debug, Default, Deserialize)]
pub struct ActivateQuery {
    /// The login to fill in.
    #[serde(default)]
    pub login: String,
    /// The notice after activating.
    pub done: Option<String>,
}

/// The activation form, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct ActivateForm {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The login typed.
    pub login: String,
    /// The code typed (kept when only the password was wrong).
    pub code: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the activation page.
pub fn render(ctx: &Ctx, f: &ActivateForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("activate.title")) }
        @if f.done.as_deref() == Some("activated") {
            (view::done_notice(ctx, Some("activated")))
            p { a.button href="/login" { (ctx.t("nav.login")) } }
        } @else {
            p.lead { (ctx.t("activate.lead")) }
            (view::form_error(errors))
            form.stack method="post" action="/activate" novalidate {
                (view::csrf(ctx))
                (view::input(ctx.t("activate.login"), "login", &f.login, errors,
                    Input { autocomplete: Some("username"), required: true, autofocus: f.login.is_empty(), ..Input::default() }))
                (view::input(ctx.t("activate.code"), "code", &f.code, errors,
                    Input { autocomplete: Some("one-time-code"), required: true, autofocus: !f.login.is_empty(), hint: Some(ctx.t("activate.code_hint")), ..Input::default() }))
                (view::input(ctx.t("activate.password"), "password", "", errors,
                    Input { kind: "password", autocomplete: Some("new-password"), required: true, hint: Some(ctx.t("signup.password_hint")), ..Input::default() }))
                (view::input(ctx.t("activate.password_again"), "password_again", "", errors,
                    Input { kind: "password", autocomplete: Some("new-password"), required: true, ..Input::default() }))
                button.primary type="submit" { (ctx.t("activate.submit")) }
            }
        }
    }
}

/// `GET /activate`.
pub async fn activate_page(ctx: Ctx, Query(q): Query<ActivateQuery>) -> Response {
    let login = q.login.chars().take(64).collect();
    let form = ActivateForm { done: q.done, login, ..ActivateForm::default() };
    page(&ctx, ctx.t("activate.title"), render(&ctx, &form))
}

/// The refusal of a use case as errors beside the fields, in the page's language.
fn errors_of(ctx: &Ctx, e: AppError) -> Result<(StatusCode, FieldErrors), WebError> {
    let mut errors = FieldErrors::default();
    match e {
        AppError::Invalid(list) => {
            for (field, message) in list {
                let shown = match (field.as_str(), app::activation_refusal(&message)) {
                    ("code", Some(why)) => ctx.t(&format!("activate.code_{}", why.as_str())).to_owned(),
                    ("password", _) => ctx.t("err.field.password").to_owned(),
                    _ => message,
                };
                if errors.get(&field).is_none() {
                    errors.add(&field, shown);
                }
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, errors))
        }
        AppError::TooManyAttempts(s) => {
            errors.add("", ctx.tf("login.too_many", &[("s", &s.to_string())]));
            Ok((StatusCode::TOO_MANY_REQUESTS, errors))
        }
        e => Err(ctx.fail(e)),
    }
}

/// `POST /activate`: sets the password and sends the holder on to log in.
pub async fn activate(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let (login, code, password) = (fields.get("login"), fields.get("code"), fields.get("password"));
    let refused = if password != fields.get("password_again") {
        let mut errors = FieldErrors::default();
        errors.add("password_again", ctx.t("activate.mismatch"));
        (StatusCode::UNPROCESSABLE_ENTITY, errors)
    } else {
        match app::activate_account(&state, &ctx.principal, login, code, password).await {
            Ok(()) => return Ok(super::hall::see_other(&ctx, "/activate?done=activated")),
            Err(e) => errors_of(&ctx, e)?,
        }
    };
    let (status, errors) = refused;
    // A refused code is not shown back; a code refused for the password alone is.
    let code = if errors.get("code").is_some() { String::new() } else { code.to_owned() };
    let form = ActivateForm { done: None, login: login.to_owned(), code, errors };
    Ok((status, page(&ctx, ctx.t("activate.title"), render(&ctx, &form))).into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new().route("/activate", axum::routing::get(activate_page).post(activate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn a_refused_activation_keeps_the_login_beside_its_errors_and_never_a_password() {
        let mut errors = FieldErrors::default();
        errors.add("code", "used");
        let form = ActivateForm { done: None, login: "wang.fang".into(), code: String::new(), errors };
        let html = render(&Ctx::for_test(Lang::En), &form).into_string();
        assert!(html.contains("name=\"login\" type=\"text\" value=\"wang.fang\""), "{html}");
        assert!(html.contains("id=\"err-code\" role=\"alert\">used<"), "{html}");
        assert_eq!(html.matches("type=\"password\" value=\"\"").count(), 2, "{html}");
        assert!(html.contains("name=\"csrf\""), "{html}");
    }

    #[test]
    fn after_activating_the_page_sends_on_to_log_in() {
        let form = ActivateForm { done: Some("activated".into()), ..ActivateForm::default() };
        let html = render(&Ctx::for_test(Lang::En), &form).into_string();
        assert!(html.contains(Lang::En.t("done.activated")) && html.contains("href=\"/login\""), "{html}");
        assert!(!html.contains("<form"), "{html}");
    }
}
