//! `/admin/staff` — staff accounts: create, change role, disable.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use tongban_core::identity::Role;

use super::{DoneQuery, access, field_message, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::portal::department_name;
use crate::web::view::{self, Input};

fn staff_roles() -> impl Iterator<Item = Role> {
    Role::ALL.into_iter().filter(|r| !matches!(r, Role::Public | Role::Applicant))
}

/// A staff form being shown again: which form (`new`, or a login for a role change), what
/// was typed, the errors.
type FailedStaff<'a> = Option<(&'a str, &'a Fields, &'a FieldErrors)>;

async fn staff_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: FailedStaff<'_>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, false)?;
    let accounts = crate::app::org::staff_accounts(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let none = FieldErrors::default();
    let (new_fields, new_errors) = match failed {
        Some(("new", f, e)) => (Some(f), e),
        _ => (None, &none),
    };
    let typed = |name: &str| view::typed(new_fields, name, "");
    let role_select = |id: &str, chosen: &str, errors: &FieldErrors| {
        html! {
            select id=(id) name="role" aria-invalid=[errors.get("role").map(|_| "true")] aria-describedby=[errors.get("role").map(|_| "err-role")] {
                @for r in staff_roles() {
                    option value=(r.as_str()) selected[r.as_str() == chosen] { (ctx.t(&format!("role.{}", r.as_str()))) }
                }
            }
        }
    };
    let body = html! {
        h1 { (ctx.t("admin.staff_title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, may_change))
        (view::done_notice(ctx, done))
        @if failed.is_some_and(|(_, _, e)| !e.is_empty()) { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        div.table-wrap {
            table.cases {
                caption { (ctx.tf("admin.accounts", &[("n", &accounts.len().to_string())])) }
                thead { tr {
                    th scope="col" { (ctx.t("admin.login")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("item.department")) }
                    th scope="col" { (ctx.t("admin.role")) }
                    th scope="col" { (ctx.t("admin.status")) }
                } }
                tbody {
                    @for a in &accounts {
                        @let row_failed = failed.filter(|(which, _, _)| *which == a.id);
                        tr id=(format!("acct-{}", a.id.replace('.', "-"))) {
                            td { code { (a.id) } }
                            td { (a.display_name) }
                            td { @if let Some(d) = &a.department { (department_name(&departments, d.as_str())) } @else { "–" } }
                            td {
                                @if may_change {
                                    @let errors = row_failed.map_or(&none, |(_, _, e)| e);
                                    @let chosen = row_failed.map_or(a.role.as_str(), |(_, f, _)| f.get("role"));
                                    form.inline-form method="post" action=(format!("/admin/staff/{}/role", a.id)) {
                                        (view::csrf(ctx))
                                        label.sr-only for=(format!("role-{}", a.id)) { (ctx.tf("admin.role_of", &[("login", &a.id)])) }
                                        (role_select(&format!("role-{}", a.id), chosen, errors))
                                        button type="submit" { (ctx.t("admin.change_role")) }
                                        (view::form_error(errors))
                                        (view::field_error(errors, "role"))
                                    }
                                } @else {
                                    (ctx.t(&format!("role.{}", a.role.as_str())))
                                }
                            }
                            td {
                                @if a.disabled { span.late { (ctx.t("admin.disabled")) } } @else { (ctx.t("admin.enabled")) }
                                @if may_change {
                                    form.inline-form method="post" action=(format!("/admin/staff/{}/disabled", a.id)) {
                                        (view::csrf(ctx))
                                        input type="hidden" name="disabled" value=(if a.disabled { "0" } else { "1" });
                                        " " button type="submit" {
                                            (ctx.tf(if a.disabled { "admin.enable" } else { "admin.disable" }, &[("login", &a.id)]))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if may_change {
            section.action id="new-staff" aria-labelledby="h-new-staff" {
                h2 id="h-new-staff" { (ctx.t("admin.new_staff")) }
                form.stack method="post" action="/admin/staff" novalidate {
                    (view::csrf(ctx))
                    (view::form_error(new_errors))
                    (view::input(ctx.t("admin.login"), "login", typed("login"), new_errors,
                        Input { required: true, autocomplete: Some("off"), hint: Some(ctx.t("signup.login_hint")), scope: "new", ..Input::default() }))
                    (view::input(ctx.t("admin.password"), "password", "", new_errors,
                        Input { kind: "password", required: true, autocomplete: Some("new-password"), hint: Some(ctx.t("signup.password_hint")), scope: "new", ..Input::default() }))
                    (view::input(ctx.t("admin.name"), "name", typed("name"), new_errors, Input { required: true, scope: "new", ..Input::default() }))
                    div class=(if new_errors.get("role").is_some() { "field invalid" } else { "field" }) {
                        label for="f-new-role" { (ctx.t("admin.role")) span.req aria-hidden="true" { " *" } }
                        (role_select("f-new-role", view::typed(new_fields, "role", "window_clerk"), new_errors))
                        (view::field_error(new_errors, "role"))
                    }
                    div class=(if new_errors.get("department").is_some() { "field invalid" } else { "field" }) {
                        label for="f-new-department" { (ctx.t("item.department")) }
                        p.hint { (ctx.t("admin.department_hint")) }
                        select id="f-new-department" name="department"
                            aria-invalid=[new_errors.get("department").map(|_| "true")]
                            aria-describedby=[new_errors.get("department").map(|_| "err-department")] {
                            option value="" { (ctx.t("admin.no_department")) }
                            @for (code, name) in &departments {
                                option value=(code) selected[code == typed("department")] { (name) " (" (code) ")" }
                            }
                        }
                        (view::field_error(new_errors, "department"))
                    }
                    button.primary type="submit" { (ctx.t("admin.create")) }
                }
            }
        }
    };
    Ok(page(ctx, ctx.t("admin.staff_title"), body))
}

/// `GET /admin/staff`.
pub async fn staff(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    staff_page(&state, &ctx, q.done.as_deref(), None).await
}

/// `POST /admin/staff` — creates a staff account.
pub async fn create_staff(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let req = app::NewStaff {
        login: fields.get("login").to_owned(),
        password: fields.get("password").to_owned(),
        name: fields.get("name").to_owned(),
        role: fields.get("role").to_owned(),
        department: Some(fields.get("department").to_owned()),
    };
    let mut errors = FieldErrors::default();
    match app::create_staff_account(&state, &ctx.principal, req).await {
        Ok(account) => {
            return Ok(see_other(
                &ctx,
                format!("/admin/staff?done=staff_created#acct-{}", account.id.replace('.', "-")),
            ));
        }
        Err(crate::app::AppError::Invalid(list)) => {
            for (f, m) in list {
                if errors.get(&f).is_none() {
                    let message = field_message(&ctx, &f, &m);
                    errors.add(&f, message);
                }
            }
        }
        Err(crate::app::AppError::Conflict(_)) => errors.add("login", ctx.t("err.login_taken")),
        Err(e) => return Err(ctx.fail(e)),
    }
    let response = staff_page(&state, &ctx, None, Some(("new", &fields, &errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

/// `POST /admin/staff/{login}/role` — changes an account's role.
pub async fn change_role(
    State(state): State<AppState>,
    Path(login): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let mut errors = FieldErrors::default();
    match app::set_account_role(&state, &ctx.principal, &login, fields.get("role")).await {
        Ok(()) => {
            return Ok(see_other(&ctx, format!("/admin/staff?done=role_changed#acct-{}", login.replace('.', "-"))));
        }
        Err(crate::app::AppError::Invalid(_)) => errors.add("role", ctx.t("admin_err.role")),
        Err(e) => return Err(ctx.fail(e)),
    }
    let response = staff_page(&state, &ctx, None, Some((&login, &fields, &errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

/// `POST /admin/staff/{login}/disabled`: disables (its sessions end, its tokens are
/// revoked) or enables an account.
pub async fn set_disabled(
    State(state): State<AppState>,
    Path(login): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let disabled = fields.get("disabled") == "1";
    app::set_disabled(&state, &ctx.principal, &login, disabled).await.map_err(|e| ctx.fail(e))?;
    let done = if disabled { "account_disabled" } else { "account_enabled" };
    Ok(see_other(&ctx, format!("/admin/staff?done={done}#acct-{}", login.replace('.', "-"))))
}
