//! Logging in and out, and signing up as an applicant.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::{field_errors, home_of, kind_radios, safe_next, see_other};
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// `?next=` of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    /// Where to go after logging in.
    #[serde(default)]
    pub next: String,
}

/// The login page: a note for who is already logged in, else the form.
#[derive(Debug, Clone)]
pub enum LoginView {
    /// Already logged in as `name`; `home` is where the role starts.
    Already {
        /// The account's display name.
        name: String,
        /// Where the account's role starts.
        home: &'static str,
    },
    /// The form.
    Form(LoginForm),
}

/// The login form, as shown or as sent back.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    /// Where to go after logging in.
    pub next: String,
    /// The login typed.
    pub login: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// Draws the login page.
pub fn render_login(ctx: &Ctx, v: &LoginView) -> Markup {
    match v {
        LoginView::Already { name, home } => html! {
            h1 { (ctx.t("login.title")) }
            p { (ctx.tf("login.already", &[("name", name)])) }
            p { a.button href=(home) { (ctx.t("login.continue")) } }
        },
        LoginView::Form(f) => login_form(ctx, f),
    }
}

fn login_form(ctx: &Ctx, f: &LoginForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("login.title")) }
        (view::form_error(errors))
        form.stack method="post" action="/login" novalidate {
            (view::csrf(ctx))
            input type="hidden" name="next" value=(f.next);
            (view::input(ctx.t("login.login"), "login", &f.login, errors,
                Input { autocomplete: Some("username"), required: true, autofocus: true, ..Input::default() }))
            (view::input(ctx.t("login.password"), "password", "", errors,
                Input { kind: "password", autocomplete: Some("current-password"), required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("login.submit")) }
        }
        p { (ctx.t("login.no_account")) " " a href="/signup" { (ctx.t("nav.signup")) } }
        p { (ctx.t("login.have_code")) " " a href="/activate" { (ctx.t("activate.title")) } }
    }
}

/// `GET /login`.
pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    let model = match ctx.account() {
        Some(a) => LoginView::Already { name: a.display_name.clone(), home: home_of(a.role) },
        None => LoginView::Form(LoginForm { next: q.next, ..LoginForm::default() }),
    };
    page(&ctx, ctx.t("login.title"), render_login(&ctx, &model))
}

/// `POST /login`.
pub async fn login(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    match app::login(&state, &ctx.principal, fields.get("login"), fields.get("password")).await {
        Ok((account, _csrf, session)) => {
            let to = safe_next(fields.get("next")).unwrap_or(home_of(account.role)).to_owned();
            let mut ctx = ctx;
            ctx.cookies.push(crate::auth::session_cookie(&session, crate::auth::SESSION_HOURS));
            Ok(see_other(&ctx, &to))
        }
        Err(e @ (AppError::BadLogin | AppError::TooManyAttempts(_))) => {
            let mut errors = FieldErrors::default();
            let message = match e {
                AppError::TooManyAttempts(s) => ctx.tf("login.too_many", &[("s", &s.to_string())]),
                _ => ctx.t("login.bad").to_owned(),
            };
            errors.add("", message);
            let status =
                if matches!(e, AppError::BadLogin) { StatusCode::UNAUTHORIZED } else { StatusCode::TOO_MANY_REQUESTS };
            let model = LoginView::Form(LoginForm {
                next: fields.get("next").to_owned(),
                login: fields.get("login").to_owned(),
                errors,
            });
            Ok((status, page(&ctx, ctx.t("login.title"), render_login(&ctx, &model))).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let mut ctx = posted.ctx;
    app::logout(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    ctx.cookies.push(crate::auth::cleared_session_cookie());
    Ok(see_other(&ctx, "/?done=logged_out"))
}

/// The sign-up form, as shown or as sent back.
#[derive(Debug, Clone)]
pub struct SignupForm {
    /// The login typed.
    pub login: String,
    /// The name typed.
    pub name: String,
    /// Individual or enterprise.
    pub kind: String,
    /// The identity number or credit code typed.
    pub id_number: String,
    /// The phone typed.
    pub phone: String,
    /// The e-mail address typed.
    pub email: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

impl SignupForm {
    /// The empty form (an individual).
    pub fn empty() -> SignupForm {
        SignupForm {
            login: String::new(),
            name: String::new(),
            kind: "individual".into(),
            id_number: String::new(),
            phone: String::new(),
            email: String::new(),
            errors: FieldErrors::default(),
        }
    }

    /// The form sent back with what was typed and what was wrong.
    pub fn typed(fields: &Fields, errors: FieldErrors) -> SignupForm {
        SignupForm {
            login: fields.get("login").to_owned(),
            name: fields.get("name").to_owned(),
            kind: fields.get("kind").to_owned(),
            id_number: fields.get("id_number").to_owned(),
            phone: fields.get("phone").to_owned(),
            email: fields.get("email").to_owned(),
            errors,
        }
    }
}

/// Draws the sign-up page.
pub fn render_signup(ctx: &Ctx, f: &SignupForm) -> Markup {
    let errors = &f.errors;
    html! {
        h1 { (ctx.t("signup.title")) }
        p.lead { (ctx.t("signup.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/signup" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("signup.login"), "login", &f.login, errors,
                Input { autocomplete: Some("username"), required: true, autofocus: true, hint: Some(ctx.t("signup.login_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.password"), "password", "", errors,
                Input { kind: "password", autocomplete: Some("new-password"), required: true, hint: Some(ctx.t("signup.password_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.name"), "name", &f.name, errors,
                Input { autocomplete: Some("name"), required: true, ..Input::default() }))
            (kind_radios(ctx, &f.kind, errors))
            (view::input(ctx.t("signup.id_number"), "id_number", &f.id_number, errors,
                Input { required: true, hint: Some(ctx.t("signup.id_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.phone"), "phone", &f.phone, errors,
                Input { kind: "tel", autocomplete: Some("tel"), ..Input::default() }))
            (view::input(ctx.t("notices.signup_email"), "email", &f.email, errors,
                Input { kind: "email", autocomplete: Some("email"), hint: Some(ctx.t("notices.signup_email_hint")), ..Input::default() }))
            button.primary type="submit" { (ctx.t("signup.submit")) }
        }
    }
}

/// `GET /signup`.
pub async fn signup_page(ctx: Ctx) -> Response {
    if ctx.account().is_some() {
        return see_other(&ctx, "/hall");
    }
    page(&ctx, ctx.t("signup.title"), render_signup(&ctx, &SignupForm::empty()))
}

/// `POST /signup`: creates the account and logs in.
pub async fn signup(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { mut ctx, fields, .. } = posted;
    let request = app::SignUp {
        login: fields.get("login").to_owned(),
        password: fields.get("password").to_owned(),
        name: fields.get("name").to_owned(),
        kind: fields.get("kind").to_owned(),
        id_number: fields.get("id_number").to_owned(),
        phone: Some(fields.get("phone").to_owned()),
        email: Some(fields.get("email").to_owned()),
    };
    let errors = match app::sign_up(&state, &ctx.principal, request).await {
        Ok(account) => {
            let (_, _, session) = app::login(&state, &ctx.principal, &account.id, fields.get("password"))
                .await
                .map_err(|e| ctx.fail(e))?;
            ctx.cookies.push(crate::auth::session_cookie(&session, crate::auth::SESSION_HOURS));
            return Ok(see_other(&ctx, "/hall?done=signed_up"));
        }
        Err(crate::app::AppError::Invalid(list)) => field_errors(&ctx, list),
        Err(crate::app::AppError::Conflict(_)) => FieldErrors(vec![("login".into(), ctx.t("err.login_taken").into())]),
        Err(e) => return Err(ctx.fail(e)),
    };
    let body = render_signup(&ctx, &SignupForm::typed(&fields, errors));
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("signup.title"), body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn a_refused_login_keeps_the_login_and_never_the_password() {
        let ctx = Ctx::for_test(Lang::En);
        let mut errors = FieldErrors::default();
        errors.add("", "wrong");
        let model = LoginView::Form(LoginForm { next: "/hall".into(), login: "someone".into(), errors });
        let html = render_login(&ctx, &model).into_string();
        assert!(html.contains("name=\"login\" type=\"text\" value=\"someone\""), "{html}");
        assert!(html.contains("name=\"password\" type=\"password\" value=\"\""), "{html}");
        assert!(html.contains("name=\"next\" value=\"/hall\""), "{html}");
        assert!(html.contains("role=\"alert\">wrong<"), "{html}");
    }

    #[test]
    fn a_refused_e_mail_address_is_shown_beside_its_field_and_kept() {
        let ctx = Ctx::for_test(Lang::En);
        let fields = Fields(vec![("login".into(), "wang.fang".into()), ("email".into(), "not-an-address".into())]);
        let mut errors = FieldErrors::default();
        errors.add("email", "not an e-mail address");
        let html = render_signup(&ctx, &SignupForm::typed(&fields, errors)).into_string();
        assert!(html.contains("name=\"email\" type=\"email\" value=\"not-an-address\""), "{html}");
        assert!(html.contains("id=\"err-email\" role=\"alert\">not an e-mail address<"), "{html}");
        assert!(html.contains("value=\"wang.fang\""), "{html}");
    }

    #[test]
    fn who_is_logged_in_is_sent_on_rather_than_shown_the_form() {
        let ctx = Ctx::for_test(Lang::En);
        let html = render_login(&ctx, &LoginView::Already { name: "Li".into(), home: "/workbench" }).into_string();
        assert!(html.contains("href=\"/workbench\""), "{html}");
        assert!(!html.contains("<form"), "{html}");
    }
}
