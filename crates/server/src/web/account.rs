//! An account's own pages and the window's identity check: changing one's password, and a
//! window clerk verifying an applicant's identity in person (实名认证), and an applicant
//! verifying their own through the identity provider or a code sent to their phone.
//!
//! Each form is a small view model (what was typed, what was wrong) drawn by a pure
//! `render_…` function.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Posted};
use super::hall::field_errors;
use super::layout::page;
use super::view::{self, Input};
use super::workbench::WorkbenchQuery;
use crate::AppState;
use crate::app;
use crate::app::AppError;
use tongban_core::access::{Action, role_may};

/// The password form, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct PasswordForm {
    /// The notice after a redirect.
    pub done: Option<String>,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the password form.
pub fn render_password(ctx: &Ctx, f: &PasswordForm) -> Markup {
    let errors = &f.errors;
    html! {
        (view::done_notice(ctx, f.done.as_deref()))
        h1 { (ctx.t("account.password_title")) }
        p.lead { (ctx.t("account.password_lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/account/password" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("account.current_password"), "current_password", "", errors,
                Input { kind: "password", autocomplete: Some("current-password"), required: true, autofocus: true, ..Input::default() }))
            (view::input(ctx.t("account.new_password"), "new_password", "", errors,
                Input { kind: "password", autocomplete: Some("new-password"), required: true, hint: Some(ctx.t("signup.password_hint")), ..Input::default() }))
            button.primary type="submit" { (ctx.t("account.change_password")) }
        }
        // Where notices reach this person: applicants keep it in the hall, staff here.
        p {
            a href=(if ctx.role() == tongban_core::identity::Role::Applicant { "/hall/profile" } else { "/account/profile" }) {
                (ctx.t("notices.profile_title"))
            }
        }
    }
}

/// `GET /account/password`.
pub async fn password_page(ctx: Ctx, Query(q): Query<WorkbenchQuery>) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let model = PasswordForm { done: q.done, errors: FieldErrors::default() };
    Ok(page(&ctx, ctx.t("account.password_title"), render_password(&ctx, &model)))
}

/// `POST /account/password`: other sessions end, this one stays.
pub async fn change_password(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let changed =
        app::change_password(&state, &ctx.principal, fields.get("current_password"), fields.get("new_password")).await;
    let errors = match changed {
        Ok(()) => return Ok(super::hall::see_other(&ctx, "/account/password?done=password_changed")),
        Err(crate::app::AppError::Invalid(list)) => field_errors(&ctx, list),
        Err(e) => return Err(ctx.fail(e)),
    };
    let body = render_password(&ctx, &PasswordForm { done: None, errors });
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("account.password_title"), body)).into_response())
}

/// The window's identity check, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct VerifyForm {
    /// The applicant's login typed.
    pub login: String,
    /// The identity number typed.
    pub id_number: String,
    /// The name typed.
    pub name: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the window's identity check.
pub fn render_verify(ctx: &Ctx, f: &VerifyForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("verify.title")) }
        p.lead { (ctx.t("verify.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/workbench/verify" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("verify.login"), "login", &f.login, errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("verify.login_hint")), ..Input::default() }))
            (view::input(ctx.t("verify.id_number"), "id_number", &f.id_number, errors,
                Input { required: true, hint: Some(ctx.t("verify.id_hint")), ..Input::default() }))
            (view::input(ctx.t("verify.name"), "name", &f.name, errors,
                Input { required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("verify.submit")) }
        }
    }
}

/// `GET /workbench/verify`: the window's identity check.
pub async fn verify_page(ctx: Ctx) -> Result<Response, WebError> {
    if !role_may(ctx.role(), Action::VerifyIdentity) {
        return Err(ctx.fail(AppError::Forbidden(format!("a {} does not verify identities", ctx.role()))));
    }
    Ok(page(&ctx, ctx.t("verify.title"), render_verify(&ctx, &VerifyForm::default())))
}

/// `POST /workbench/verify`.
pub async fn verify(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let login = fields.get("login").trim().to_owned();
    let verified =
        app::verify_at_window(&state, &ctx.principal, &login, fields.get("id_number"), fields.get("name")).await;
    let errors = match verified {
        Ok(_) => return Ok(super::hall::see_other(&ctx, "/workbench?done=identity_verified")),
        Err(crate::app::AppError::Invalid(list)) => field_errors(&ctx, list),
        // Messages already in the page's language, not run through the field messages.
        Err(crate::app::AppError::NotFound(_)) => {
            FieldErrors(vec![("login".into(), ctx.t("verify.no_account").into())])
        }
        Err(crate::app::AppError::Conflict(_)) => FieldErrors(vec![("id_number".into(), ctx.t("verify.taken").into())]),
        Err(e) => return Err(ctx.fail(e)),
    };
    let model = VerifyForm {
        login: fields.get("login").to_owned(),
        id_number: fields.get("id_number").to_owned(),
        name: fields.get("name").to_owned(),
        errors,
    };
    let body = render_verify(&ctx, &model);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("verify.title"), body)).into_response())
}

/// `GET /hall/verify/oidc`: sends the logged-in applicant to the identity provider.
pub async fn oidc_begin(State(state): State<AppState>, mut ctx: Ctx) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    if account.role != tongban_core::identity::Role::Applicant {
        return Err(ctx.fail(AppError::Forbidden("only an applicant's own account is verified this way".into())));
    }
    let oidc =
        state.oidc.clone().ok_or_else(|| ctx.fail(AppError::NotFound("no identity provider is configured".into())))?;
    let begun = oidc.begin().await.map_err(|e| ctx.fail(e))?;
    ctx.cookies.push(begun.cookie);
    Ok(ctx.finish((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, begun.redirect_to)])))
}

/// What the identity provider sends back.
#[derive(Debug, serde::Deserialize)]
pub struct Callback {
    /// The authorization code.
    #[serde(default)]
    code: String,
    /// The flow's state.
    #[serde(default)]
    state: String,
    /// An error the provider reports instead (the person declined, say).
    error: Option<String>,
}

/// `GET /hall/verify/oidc/callback`: checks the provider's answer and verifies the account.
pub async fn oidc_callback(
    State(state): State<AppState>,
    mut ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(back): Query<Callback>,
) -> Result<Response, WebError> {
    let oidc =
        state.oidc.clone().ok_or_else(|| ctx.fail(AppError::NotFound("no identity provider is configured".into())))?;
    // The flow's cookie is spent whatever happens.
    ctx.cookies.push(format!(
        "{}=; Path={}; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
        crate::app::oidc::FLOW_COOKIE,
        crate::app::oidc::CALLBACK_PATH
    ));
    if back.error.is_some() {
        return Err(ctx.fail(crate::app::oidc::OidcError::Token("the identity provider declined".into())));
    }
    let flow = crate::auth::cookie(&headers, crate::app::oidc::FLOW_COOKIE);
    let vouched = oidc.finish(flow, &back.state, &back.code, state.now()).await.map_err(|e| ctx.fail(e))?;
    app::verify_by_provider(&state, &ctx.principal, &vouched, oidc.issuer()).await.map_err(|e| ctx.fail(e))?;
    Ok(ctx.finish((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, "/hall?done=identity_verified".to_owned())])))
}

/// The hall's query after a code was sent.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CodeQuery {
    /// The masked phone the code went to.
    pub sent: Option<String>,
}

/// The phone-code form, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct CodeForm {
    /// The masked phone a code was just sent to, to show.
    pub sent: Option<String>,
    /// Whether the code field takes the focus (a code was just sent).
    pub focus_code: bool,
    /// What was wrong.
    pub errors: FieldErrors,
}

impl CodeForm {
    /// The form after a code went to `sent` (from the query; shown only when it looks like
    /// a masked phone).
    pub fn after(sent: Option<&str>) -> CodeForm {
        CodeForm {
            sent: sent
                .filter(|p| p.chars().all(|c| c.is_ascii_digit() || c == '*') && p.len() <= 20)
                .map(str::to_owned),
            focus_code: sent.is_some(),
            errors: FieldErrors::default(),
        }
    }
}

/// Draws the phone-code form.
pub fn render_code(ctx: &Ctx, f: &CodeForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("sms.title")) }
        p.lead { (ctx.t("sms.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/hall/verify/sms" {
            (view::csrf(ctx))
            (view::field_error(errors, "phone"))
            button type="submit" { (ctx.t("sms.send")) }
        }
        @if let Some(phone) = &f.sent {
            div.notice.ok role="status" { (ctx.tf("sms.sent", &[("phone", phone)])) }
        }
        form.stack method="post" action="/hall/verify/sms/confirm" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("sms.code"), "code", "", errors,
                Input { autocomplete: Some("one-time-code"), required: true, autofocus: f.focus_code, ..Input::default() }))
            button.primary type="submit" { (ctx.t("sms.confirm")) }
        }
    }
}

/// `GET /hall/verify/sms`.
pub async fn code_page(ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("sms.title"), render_code(&ctx, &CodeForm::after(q.sent.as_deref()))))
}

/// `POST /hall/verify/sms`: sends a code to the phone on record.
pub async fn send_code(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let errors = match app::send_code(&state, &ctx.principal).await {
        Ok(sent) => return Ok(super::hall::see_other(&ctx, &format!("/hall/verify/sms?sent={}", sent.phone))),
        Err(crate::app::AppError::Invalid(list)) => field_errors(&ctx, list),
        Err(crate::app::AppError::TooManyAttempts(s)) => {
            FieldErrors(vec![("phone".into(), ctx.tf("sms.wait", &[("seconds", &s.to_string())]))])
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&ctx, ctx.t("sms.title"), render_code(&ctx, &CodeForm { errors, ..CodeForm::default() })),
    )
        .into_response())
}

/// `POST /hall/verify/sms/confirm`.
pub async fn confirm_code(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let errors = match app::confirm_code(&state, &ctx.principal, fields.get("code")).await {
        Ok(_) => return Ok(super::hall::see_other(&ctx, "/hall?done=identity_verified")),
        Err(crate::app::AppError::Invalid(list)) => field_errors(&ctx, list),
        Err(e) => return Err(ctx.fail(e)),
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&ctx, ctx.t("sms.title"), render_code(&ctx, &CodeForm { errors, ..CodeForm::default() })),
    )
        .into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/hall/verify/oidc", get(oidc_begin))
        .route("/hall/verify/sms", get(code_page).post(send_code))
        .route("/hall/verify/sms/confirm", post(confirm_code))
        .route("/hall/verify/oidc/callback", get(oidc_callback))
        .route("/workbench/verify", get(verify_page).post(verify))
        .route("/account/password", get(password_page).post(change_password))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn only_a_masked_phone_from_the_query_is_shown() {
        let shown = CodeForm::after(Some("139****0000"));
        assert_eq!(shown.sent.as_deref(), Some("139****0000"));
        let forged = CodeForm::after(Some("<b>call 110</b>"));
        assert_eq!(forged.sent, None);
        assert!(forged.focus_code, "a code was sent all the same");
        let html = render_code(&Ctx::for_test(Lang::En), &shown).into_string();
        assert!(html.contains(&Lang::En.tf("sms.sent", &[("phone", "139****0000")])), "{html}");
        assert!(html.contains("autocomplete=\"one-time-code\" required autofocus"), "{html}");
    }

    #[test]
    fn a_refused_identity_check_keeps_what_was_typed_beside_its_error() {
        let mut errors = FieldErrors::default();
        errors.add("id_number", "taken");
        let form = VerifyForm { login: "someone".into(), id_number: "110".into(), name: "Li".into(), errors };
        let html = render_verify(&Ctx::for_test(Lang::En), &form).into_string();
        assert!(html.contains("value=\"someone\""), "{html}");
        assert!(html.contains("class=\"field invalid\""), "{html}");
        assert!(html.contains("id=\"err-id-number\" role=\"alert\">taken<"), "{html}");
    }

    #[test]
    fn the_password_form_never_shows_a_password_back() {
        let mut errors = FieldErrors::default();
        errors.add("new_password", "too short");
        let html = render_password(&Ctx::for_test(Lang::En), &PasswordForm { done: None, errors }).into_string();
        assert_eq!(html.matches("type=\"password\" value=\"\"").count(), 2, "{html}");
    }
}
