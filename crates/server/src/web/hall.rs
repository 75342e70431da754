//! The online service hall (网上办事大厅): log in and out, sign up, my cases, and applying
//! with a form generated from the item's materials (files optional). A window clerk uses
//! the same form to receive an applicant at the window (首接).

use crate::app::{CaseFilter, ItemRow};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::case::CaseError;
use tongban_core::identity::Role;
use tongban_core::item::{Channel, ItemCode};

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted, Upload};
use super::layout::page;
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::problem::ApiError;

/// Where a role starts after logging in.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/hall",
        Role::WindowClerk => "/workbench",
        Role::Reviewer | Role::Approver | Role::DepartmentHead => "/inbox",
        Role::CenterLeader | Role::Supervisor => "/supervision",
        Role::Administrator => "/admin",
        Role::Public => "/",
    }
}

/// A local path to go back to, never another site: it starts with one `/` and holds no
/// white space, control character or backslash (browsers drop tabs and read `\` as `/`,
/// so `/\t/evil.example` and `/\\evil.example` would leave the site).
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next[1..].starts_with('/')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    local.then_some(next)
}

pub(super) fn see_other(ctx: &Ctx, to: &str) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]))
}

/// `?next=` of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    /// Where to go after logging in.
    #[serde(default)]
    pub next: String,
}

fn login_form(ctx: &Ctx, next: &str, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    html! {
        h1 { (ctx.t("login.title")) }
        (view::form_error(errors))
        form.stack method="post" action="/login" novalidate {
            (view::csrf(ctx))
            input type="hidden" name="next" value=(next);
            (view::input(ctx.t("login.login"), "login", view::typed(fields, "login", ""), errors,
                Input { autocomplete: Some("username"), required: true, autofocus: true, ..Input::default() }))
            (view::input(ctx.t("login.password"), "password", "", errors,
                Input { kind: "password", autocomplete: Some("current-password"), required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("login.submit")) }
        }
        p { (ctx.t("login.no_account")) " " a href="/signup" { (ctx.t("nav.signup")) } }
    }
}

/// `GET /login`.
pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if let Some(a) = ctx.account() {
        let body = html! {
            h1 { (ctx.t("login.title")) }
            p { (ctx.tf("login.already", &[("name", &a.display_name)])) }
            p { a.button href=(home_of(a.role)) { (ctx.t("login.continue")) } }
        };
        return page(&ctx, ctx.t("login.title"), body);
    }
    page(&ctx, ctx.t("login.title"), login_form(&ctx, &q.next, None, &FieldErrors::default()))
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
            let body = login_form(&ctx, fields.get("next"), Some(&fields), &errors);
            Ok((status, page(&ctx, ctx.t("login.title"), body)).into_response())
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

/// The message for an invalid field: the message file's, when it has one, else the rule's own words.
fn field_message(ctx: &Ctx, field: &str, raw: &str) -> String {
    ctx.lang.get(&format!("err.field.{field}")).map_or_else(|| raw.to_owned(), str::to_owned)
}

/// A refused form's (field, message) pairs as the errors shown beside the fields, each
/// field's first message, in the page's language where the message file has one.
pub(super) fn field_errors(ctx: &Ctx, list: Vec<(String, String)>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (f, m) in list {
        if errors.get(&f).is_none() {
            errors.add(&f, field_message(ctx, &f, &m));
        }
    }
    errors
}

fn signup_form(ctx: &Ctx, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let kind = view::typed(fields, "kind", "individual");
    html! {
        h1 { (ctx.t("signup.title")) }
        p.lead { (ctx.t("signup.lead")) }
        (view::form_error(errors))
        form.stack method="post" action="/signup" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("signup.login"), "login", view::typed(fields, "login", ""), errors,
                Input { autocomplete: Some("username"), required: true, autofocus: true, hint: Some(ctx.t("signup.login_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.password"), "password", "", errors,
                Input { kind: "password", autocomplete: Some("new-password"), required: true, hint: Some(ctx.t("signup.password_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.name"), "name", view::typed(fields, "name", ""), errors,
                Input { autocomplete: Some("name"), required: true, ..Input::default() }))
            (kind_radios(ctx, kind, errors))
            (view::input(ctx.t("signup.id_number"), "id_number", view::typed(fields, "id_number", ""), errors,
                Input { required: true, hint: Some(ctx.t("signup.id_hint")), ..Input::default() }))
            (view::input(ctx.t("signup.phone"), "phone", view::typed(fields, "phone", ""), errors,
                Input { kind: "tel", autocomplete: Some("tel"), ..Input::default() }))
            button.primary type="submit" { (ctx.t("signup.submit")) }
        }
    }
}

/// Individual / enterprise.
fn kind_radios(ctx: &Ctx, kind: &str, errors: &FieldErrors) -> Markup {
    html! {
        fieldset.field {
            legend { (ctx.t("signup.kind")) }
            @for k in ["individual", "enterprise"] {
                label.choice {
                    input type="radio" name="kind" value=(k) checked[kind == k];
                    " " (ctx.t(&format!("applicant_kind.{k}")))
                }
            }
            (view::field_error(errors, "kind"))
        }
    }
}

/// `GET /signup`.
pub async fn signup_page(ctx: Ctx) -> Response {
    if ctx.account().is_some() {
        return see_other(&ctx, "/hall");
    }
    page(&ctx, ctx.t("signup.title"), signup_form(&ctx, None, &FieldErrors::default()))
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
    let body = signup_form(&ctx, Some(&fields), &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("signup.title"), body)).into_response())
}

/// `?page=&done=` of lists.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Page.
    pub page: Option<u32>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

/// Item names by code, for a list of cases.
pub async fn item_names(
    state: &AppState,
    codes: impl Iterator<Item = &ItemCode>,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut names: Vec<(String, String)> = Vec::new();
    for code in codes {
        if names.iter().any(|(c, _)| c == code.as_str()) {
            continue;
        }
        if let Some(row) = crate::app::public::item(state, code).await? {
            names.push((code.to_string(), row.item.name));
        }
    }
    Ok(names)
}

/// A table of cases with their state and due time.
pub fn case_table(ctx: &Ctx, cases: &[tongban_core::case::Case], names: &[(String, String)]) -> Markup {
    html! {
        div.table-wrap {
            table.cases {
                thead { tr {
                    th scope="col" { (ctx.t("case.number")) }
                    th scope="col" { (ctx.t("case.item")) }
                    th scope="col" { (ctx.t("case.applicant")) }
                    th scope="col" { (ctx.t("case.state")) }
                    th scope="col" { (ctx.t("case.submitted")) }
                    th scope="col" { (ctx.t("case.due")) }
                } }
                tbody {
                    @for c in cases {
                        tr {
                            td { a href=(format!("/cases/{}", c.number)) { (c.number) } }
                            td { (names.iter().find(|(k, _)| k == c.item.as_str()).map_or(c.item.as_str(), |(_, n)| n.as_str())) }
                            td { (c.applicant.name) }
                            td { (view::state_badge(ctx, c.state)) }
                            td { (view::time(c.submitted_at)) }
                            td { (view::case_due(ctx, c, "–")) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /hall` — my cases.
pub async fn my_cases(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    if account.role != Role::Applicant {
        return Ok(see_other(&ctx, home_of(account.role)));
    }
    let filter = CaseFilter { page: q.page.unwrap_or(1).max(1), per_page: 20, ..Default::default() };
    let found = app::search_cases(&state, &ctx.principal, filter).await.map_err(|e| ctx.fail(e))?;
    let names = item_names(&state, found.items.iter().map(|c| &c.item)).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("hall.title")) }
        (view::done_notice(&ctx, q.done.as_deref()))
        @match &account.verified {
            Some(v) => { p.verified { "✓ " (ctx.t(&format!("hall.verified_{}", v.method.as_str()))) } }
            None => {
                div.notice role="note" {
                    strong { (ctx.t("hall.unverified")) }
                    p { (ctx.t("hall.unverified_how")) }
                    @if state.oidc.is_some() {
                        p { a.button href="/hall/verify/oidc" { (ctx.t("hall.verify_oidc")) } }
                    }
                    @if state.sms.is_some() {
                        p { a.button href="/hall/verify/sms" { (ctx.t("hall.verify_sms")) } }
                    }
                }
            }
        }
        p { a.button.primary href="/items" { (ctx.t("hall.apply")) } }
        h2 { (ctx.t("hall.my_cases")) }
        @if found.items.is_empty() {
            p { (ctx.t("hall.none")) }
        } @else {
            (case_table(&ctx, &found.items, &names))
            (view::pager(&ctx, found.page, found.per_page, found.total, |p| format!("/hall?page={p}")))
        }
    };
    Ok(page(&ctx, ctx.t("hall.title"), body))
}

/// The channel a role applies through: online for applicants, the window for clerks.
fn channel_for(role: Role) -> Option<Channel> {
    match role {
        Role::Applicant => Some(Channel::Online),
        Role::WindowClerk => Some(Channel::Window),
        _ => None,
    }
}

async fn apply_setup(state: &AppState, ctx: &Ctx, code: &str) -> Result<(ItemRow, Channel), WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    let channel = channel_for(account.role)
        .ok_or_else(|| ctx.fail(AppError::Forbidden(format!("a {} may not apply", account.role))))?;
    let not_found = || ctx.fail(AppError::NotFound(format!("item {code:?} does not exist")));
    let parsed = ItemCode::parse(code).map_err(|_| not_found())?;
    let row = crate::app::public::item(state, &parsed).await.map_err(|e| ctx.fail(e))?.ok_or_else(not_found)?;
    Ok((row, channel))
}

fn apply_form(ctx: &Ctx, row: &ItemRow, channel: Channel, fields: Option<&Fields>, errors: &FieldErrors) -> Markup {
    let i = &row.item;
    let account = ctx.account();
    let own = account.is_some_and(|a| a.role == Role::Applicant);
    let default = |f: &str| -> String {
        match (account, f) {
            (Some(a), "name") if own => a.display_name.clone(),
            (Some(a), "id_number") if own => a.id_number.clone().unwrap_or_default(),
            (Some(a), "phone") if own => a.phone.clone().unwrap_or_default(),
            (Some(a), "kind") if own => a.applicant_kind.clone().unwrap_or_else(|| "individual".into()),
            (_, "kind") => "individual".into(),
            _ => String::new(),
        }
    };
    let value = |f: &str| fields.map_or_else(|| default(f), |x| x.get(f).to_owned());
    html! {
        nav.crumbs aria-label=(ctx.t("nav.crumbs")) { a href=(format!("/items/{}", i.code)) { (i.name) } " › " span { (ctx.t("apply.title")) } }
        h1 { (ctx.tf("apply.heading", &[("item", &i.name)])) }
        p.lead { (ctx.t(&format!("apply.channel.{}", channel.as_str()))) }
        (view::form_error(errors))
        form.stack method="post" action=(format!("/hall/apply/{}", i.code)) enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            fieldset {
                legend { (ctx.t("apply.applicant")) }
                (kind_radios(ctx, &value("kind"), errors))
                (view::input(ctx.t("apply.name"), "name", &value("name"), errors, Input { required: true, autofocus: !own, ..Input::default() }))
                (view::input(ctx.t("apply.id_number"), "id_number", &value("id_number"), errors,
                    Input { required: true, readonly: own, hint: own.then(|| ctx.t("apply.own_id")), ..Input::default() }))
                (view::input(ctx.t("apply.phone"), "phone", &value("phone"), errors, Input { kind: "tel", autocomplete: Some("tel"), ..Input::default() }))
            }
            fieldset class=(if errors.get("materials").is_some() { "field invalid" } else { "field" }) aria-describedby=[errors.get("materials").map(|_| "err-materials")] {
                legend { (ctx.t("apply.materials")) }
                p.hint { (ctx.t("apply.materials_hint")) }
                (view::field_error(errors, "materials"))
                @for (n, m) in i.materials.iter().enumerate() {
                    div.material {
                        label.choice {
                            input type="checkbox" name="materials" value=(m.name) checked[fields.is_some_and(|f| f.has("materials", &m.name))] autofocus[own && n == 0];
                            " " (m.name) " "
                            span.hint { "(" (ctx.t(&format!("form.{}", m.form.as_str()))) ", " @if m.required { (ctx.t("item.required_short")) } @else { (ctx.t("item.optional")) } ")" }
                        }
                        @let file = format!("file.{n}");
                        div class=(if errors.get(&file).is_some() { "field file invalid" } else { "field file" }) {
                            label for=(format!("f-file-{n}")) { (ctx.tf("apply.file_for", &[("material", &m.name)])) }
                            input id=(format!("f-file-{n}")) type="file" name=(file) accept="application/pdf,image/jpeg,image/png";
                            (view::field_error(errors, &file))
                        }
                    }
                }
            }
            button.primary type="submit" accesskey="s" { (ctx.t("apply.submit")) }
        }
    }
}

/// `GET /hall/apply/{code}`.
pub async fn apply_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (row, channel) = apply_setup(&state, &ctx, &code).await?;
    if !row.item.channels.contains(&channel) {
        let body = html! {
            h1 { (row.item.name) }
            p.notice { (ctx.t(&format!("apply.not_offered.{}", channel.as_str()))) }
            p { a href=(format!("/items/{}", row.item.code)) { (ctx.t("apply.back")) } }
        };
        return Ok(page(&ctx, &row.item.name, body));
    }
    Ok(page(&ctx, ctx.t("apply.title"), apply_form(&ctx, &row, channel, None, &FieldErrors::default())))
}

/// Where a case rule's complaint belongs on the apply form.
pub fn case_error_field(ctx: &Ctx, e: &AppError) -> Option<(&'static str, String)> {
    let list = |l: &[String]| l.join(ctx.t("list.sep"));
    Some(match e {
        AppError::Case(CaseError::MissingMaterials(l)) => {
            ("materials", ctx.tf("err.missing_materials", &[("list", &list(l))]))
        }
        AppError::Case(CaseError::UnknownMaterials(l)) => {
            ("materials", ctx.tf("err.unknown_materials", &[("list", &list(l))]))
        }
        AppError::Case(CaseError::BadText(field, max)) => {
            (field.name(), ctx.tf("err.text", &[("max", &max.to_string())]))
        }
        AppError::Case(CaseError::ChannelNotOffered { .. }) => ("", ctx.t("err.channel").to_owned()),
        AppError::Case(CaseError::BadRating) => ("score", ctx.t("err.rating").to_owned()),
        AppError::Case(CaseError::NotOfferedToYou) => ("", ctx.t("err.not_offered").to_owned()),
        AppError::Case(CaseError::IllegalTransition { .. }) => ("", ctx.t("err.illegal").to_owned()),
        AppError::Conflict(_) => ("", ctx.t("err.conflict").to_owned()),
        AppError::NoAuthority(_) => ("", ctx.t("err.no_authority").to_owned()),
        AppError::UnsupportedType(_) => ("", ctx.t("err.file_type").to_owned()),
        AppError::TooLarge(_) => ("", ctx.t("err.file_size").to_owned()),
        _ => return None,
    })
}

/// Checks posted files before anything is written: `file.N` is material N of the item.
/// Returns (material, file) pairs, adding each material with a file to those handed in.
pub fn check_files(
    ctx: &Ctx,
    materials: &[tongban_core::item::Material],
    files: Vec<Upload>,
    handed_in: &mut Vec<String>,
    errors: &mut FieldErrors,
) -> Vec<(String, Upload)> {
    let mut out = Vec::new();
    for f in files {
        let Some(m) =
            f.field.strip_prefix("file.").and_then(|n| n.parse::<usize>().ok()).and_then(|n| materials.get(n))
        else {
            continue;
        };
        match app::check_file(&f.content_type, &f.bytes) {
            Ok(_) => {
                if !handed_in.contains(&m.name) {
                    handed_in.push(m.name.clone());
                }
                out.push((m.name.clone(), f));
            }
            Err(e) => {
                let field = f.field.clone();
                let message = case_error_field(ctx, &e).map_or_else(|| e.to_string(), |(_, m)| m);
                errors.add(&field, message);
            }
        }
    }
    out
}

/// Stores checked files on a case.
pub async fn store_files(
    state: &AppState,
    ctx: &Ctx,
    number: &tongban_core::case::CaseNumber,
    files: Vec<(String, Upload)>,
) -> Result<(), WebError> {
    for (material, f) in files {
        app::upload_material(state, &ctx.principal, number, &material, &f.content_type, f.bytes.to_vec())
            .await
            .map_err(|e| ctx.fail(e))?;
    }
    Ok(())
}

/// `POST /hall/apply/{code}`.
pub async fn apply(
    State(state): State<AppState>,
    Path(code): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    let (row, channel) = apply_setup(&state, &ctx, &code).await?;
    let mut errors = FieldErrors::default();
    let mut materials = fields.all("materials");
    let files = check_files(&ctx, &row.item.materials, files, &mut materials, &mut errors);
    if errors.is_empty() {
        let request = tongban_core::case::SubmissionRequest {
            item: row.item.code.to_string(),
            applicant_kind: fields.get("kind").to_owned(),
            name: fields.get("name").trim().to_owned(),
            id_number: fields.get("id_number").trim().to_owned(),
            phone: Some(fields.get("phone").trim().to_owned()).filter(|p| !p.is_empty()),
            channel: channel.as_str().to_owned(),
            materials: materials.clone(),
            received_by: None,
        };
        match request.parse() {
            Err(list) => {
                for (f, m) in list {
                    let f = if f == "applicant.kind" { "kind".to_owned() } else { f };
                    errors.add(&f, field_message(&ctx, &f, &m));
                }
            }
            Ok((item, submission)) => match app::submit_case(&state, &ctx.principal, &item, submission).await {
                Ok(case) => {
                    store_files(&state, &ctx, &case.number, files).await?;
                    return Ok(see_other(&ctx, &format!("/cases/{}?done=submitted", case.number)));
                }
                Err(crate::app::AppError::Forbidden(_)) if ctx.role() == Role::Applicant => {
                    errors.add("id_number", ctx.t("err.own_id"));
                }
                Err(e) => match case_error_field(&ctx, &e) {
                    Some((field, message)) => errors.add(field, message),
                    None => return Err(ctx.fail(e)),
                },
            },
        }
    }
    let body = apply_form(&ctx, &row, channel, Some(&fields), &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&ctx, ctx.t("apply.title"), body)).into_response())
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/signup", get(signup_page).post(signup))
        .route("/hall", get(my_cases))
        .route("/hall/apply/{code}", get(apply_page).post(apply))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/hall/cases?page=2"), Some("/hall/cases?page=2"));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "https://evil.example",
            "",
            "/\n/x",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
