//! An account's own pages and the window's identity check: changing one's password, and a
//! window clerk verifying an applicant's identity in person (实名认证).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted};
use super::hall::field_errors;
use super::layout::page;
use super::view::{self, Input};
use super::workbench::WorkbenchQuery;
use crate::AppState;
use crate::app;
use crate::app::AppError;
use tongban_core::access::{Action, role_may};

fn password_form(ctx: &Ctx, errors: &FieldErrors) -> Markup {
    html! {
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
    }
}

/// `GET /account/password`.
pub async fn password_page(ctx: Ctx, Query(q): Query<WorkbenchQuery>) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let body = html! { (view::done_notice(&ctx, q.done.as_deref())) (password_form(&ctx, &FieldErrors::default())) };
    Ok(page(&ctx, ctx.t("account.password_title"), body))
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
    let body = password_form(&ctx, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("account.password_title"), body)).into_response())
}

fn verify_form(ctx: &Ctx, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    html! {
        h1 { (ctx.t("verify.title")) }
        p.lead { (ctx.t("verify.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/workbench/verify" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("verify.login"), "login", view::typed(fields, "login", ""), errors,
                Input { required: true, autofocus: true, hint: Some(ctx.t("verify.login_hint")), ..Input::default() }))
            (view::input(ctx.t("verify.id_number"), "id_number", view::typed(fields, "id_number", ""), errors,
                Input { required: true, hint: Some(ctx.t("verify.id_hint")), ..Input::default() }))
            (view::input(ctx.t("verify.name"), "name", view::typed(fields, "name", ""), errors,
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
    Ok(page(&ctx, ctx.t("verify.title"), verify_form(&ctx, None, &FieldErrors::default())))
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
    let body = verify_form(&ctx, Some(&fields), &errors);
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

fn code_form(ctx: &Ctx, sent: Option<&str>, errors: &FieldErrors) -> Markup {
    html! {
        h1 { (ctx.t("sms.title")) }
        p.lead { (ctx.t("sms.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/hall/verify/sms" {
            (view::csrf(ctx))
            (view::field_error(errors, "phone"))
            button type="submit" { (ctx.t("sms.send")) }
        }
        @if let Some(phone) = sent.filter(|p| p.chars().all(|c| c.is_ascii_digit() || c == '*') && p.len() <= 20) {
            div.notice.ok role="status" { (ctx.tf("sms.sent", &[("phone", phone)])) }
        }
        form.stack method="post" action="/hall/verify/sms/confirm" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("sms.code"), "code", "", errors,
                Input { autocomplete: Some("one-time-code"), required: true, autofocus: sent.is_some(), ..Input::default() }))
            button.primary type="submit" { (ctx.t("sms.confirm")) }
        }
    }
}

/// `GET /hall/verify/sms`.
pub async fn code_page(ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    ctx.principal.require().map_err(|e| ctx.fail(e))?;
    Ok(page(&ctx, ctx.t("sms.title"), code_form(&ctx, q.sent.as_deref(), &FieldErrors::default())))
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
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("sms.title"), code_form(&ctx, None, &errors)))
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
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("sms.title"), code_form(&ctx, None, &errors)))
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
