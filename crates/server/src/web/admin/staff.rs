//! `/admin/staff` — staff accounts: create (with a password, or with a one-time activation
//! code shown once), issue a new activation code, change role, disable.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
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

/// What the staff page shows.
#[derive(Debug, Clone, Default)]
pub(super) struct StaffView {
    /// Whether the viewer may create accounts and change them.
    pub may_change: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// Whether a form failed with errors (the alert over the page).
    pub failed: bool,
    /// The staff accounts.
    pub accounts: Vec<AccountLine>,
    /// The departments offered for a new account: (code, name).
    pub departments: Vec<(String, String)>,
    /// The new account's form.
    pub new: NewStaffForm,
    /// An activation code just issued, shown this once.
    pub issued: Option<IssuedView>,
}

/// An activation code just issued, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IssuedView {
    /// The account it activates.
    pub login: String,
    /// The code.
    pub code: String,
    /// Until when it may be used (China Standard Time).
    pub until: String,
}

impl From<app::IssuedCode> for IssuedView {
    fn from(c: app::IssuedCode) -> Self {
        IssuedView { login: c.login, code: c.code, until: view::when(c.expires_at) }
    }
}

/// A staff account's row.
#[derive(Debug, Clone)]
pub(super) struct AccountLine {
    /// Login.
    pub login: String,
    /// The row's element id.
    pub anchor: String,
    /// Name shown.
    pub name: String,
    /// The department's name, if any.
    pub department: Option<String>,
    /// Its role.
    pub role: Role,
    /// The role chosen in its form (the one posted, when shown again).
    pub chosen: String,
    /// Its role form's errors.
    pub errors: FieldErrors,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether it has no password yet (awaiting activation).
    pub awaiting: bool,
}

/// The new account's form, as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct NewStaffForm {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Department code.
    pub department: String,
    /// Errors.
    pub errors: FieldErrors,
}

/// The staff page's model: the accounts, each with its role form (shown again with what was
/// posted when it failed), and the new account's form.
pub(super) fn view(
    accounts: &[app::Account],
    departments: Vec<(String, String)>,
    failed: FailedStaff<'_>,
    may_change: bool,
    done: Option<&str>,
) -> StaffView {
    let new_fields = match failed {
        Some(("new", f, _)) => Some(f),
        _ => None,
    };
    let typed = |name: &str, default: &str| view::typed(new_fields, name, default).to_owned();
    StaffView {
        may_change,
        done: done.map(str::to_owned),
        failed: failed.is_some_and(|(_, _, e)| !e.is_empty()),
        accounts: accounts
            .iter()
            .map(|a| {
                let row_failed = failed.filter(|(which, _, _)| *which == a.id);
                AccountLine {
                    login: a.id.clone(),
                    anchor: format!("acct-{}", a.id.replace('.', "-")),
                    name: a.display_name.clone(),
                    department: a.department.as_ref().map(|d| department_name(&departments, d.as_str()).to_owned()),
                    role: a.role,
                    chosen: row_failed.map_or(a.role.as_str(), |(_, f, _)| f.get("role")).to_owned(),
                    errors: row_failed.map(|(_, _, e)| e.clone()).unwrap_or_default(),
                    disabled: a.disabled,
                    awaiting: a.password_hash.is_empty(),
                }
            })
            .collect(),
        new: NewStaffForm {
            login: typed("login", ""),
            name: typed("name", ""),
            role: typed("role", "window_clerk"),
            department: typed("department", ""),
            errors: match failed {
                Some(("new", _, e)) => e.clone(),
                _ => FieldErrors::default(),
            },
        },
        departments,
        issued: None,
    }
}

fn role_select(ctx: &Ctx, id: &str, chosen: &str, errors: &FieldErrors) -> Markup {
    html! {
        select id=(id) name="role" aria-invalid=[errors.get("role").map(|_| "true")] aria-describedby=[errors.get("role").map(|_| "err-role")] {
            @for r in staff_roles() {
                option value=(r.as_str()) selected[r.as_str() == chosen] { (ctx.t(&format!("role.{}", r.as_str()))) }
            }
        }
    }
}

/// The staff page's body.
pub(super) fn render(ctx: &Ctx, v: &StaffView) -> Markup {
    let new = &v.new;
    let new_errors = &new.errors;
    html! {
        h1 { (ctx.t("admin.staff_title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        (view::done_notice(ctx, v.done.as_deref()))
        @if let Some(c) = &v.issued { (issued_notice(ctx, c)) }
        @if v.failed { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        div.table-wrap {
            table.cases {
                caption { (ctx.tf("admin.accounts", &[("n", &v.accounts.len().to_string())])) }
                thead { tr {
                    th scope="col" { (ctx.t("admin.login")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("item.department")) }
                    th scope="col" { (ctx.t("admin.role")) }
                    th scope="col" { (ctx.t("admin.status")) }
                } }
                tbody {
                    @for a in &v.accounts {
                        tr id=(a.anchor) {
                            td { code { (a.login) } }
                            td { (a.name) }
                            td { @if let Some(d) = &a.department { (d) } @else { "–" } }
                            td {
                                @if v.may_change {
                                    form.inline-form method="post" action=(format!("/admin/staff/{}/role", a.login)) {
                                        (view::csrf(ctx))
                                        label.sr-only for=(format!("role-{}", a.login)) { (ctx.tf("admin.role_of", &[("login", &a.login)])) }
                                        (role_select(ctx, &format!("role-{}", a.login), &a.chosen, &a.errors))
                                        button type="submit" { (ctx.t("admin.change_role")) }
                                        (view::form_error(&a.errors))
                                        (view::field_error(&a.errors, "role"))
                                    }
                                } @else {
                                    (ctx.t(&format!("role.{}", a.role.as_str())))
                                }
                            }
                            td {
                                @if a.disabled { span.late { (ctx.t("admin.disabled")) } }
                                @else if a.awaiting { (ctx.t("admin.awaiting")) }
                                @else { (ctx.t("admin.enabled")) }
                                @if v.may_change {
                                    form.inline-form method="post" action=(format!("/admin/staff/{}/disabled", a.login)) {
                                        (view::csrf(ctx))
                                        input type="hidden" name="disabled" value=(if a.disabled { "0" } else { "1" });
                                        " " button type="submit" {
                                            (ctx.tf(if a.disabled { "admin.enable" } else { "admin.disable" }, &[("login", &a.login)]))
                                        }
                                    }
                                    @if !a.disabled {
                                        form.inline-form method="post" action=(format!("/admin/staff/{}/activation-code", a.login)) {
                                            (view::csrf(ctx))
                                            " " button type="submit" { (ctx.tf("admin.new_code", &[("login", &a.login)])) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if v.may_change {
            section.action id="new-staff" aria-labelledby="h-new-staff" {
                h2 id="h-new-staff" { (ctx.t("admin.new_staff")) }
                form.stack method="post" action="/admin/staff" novalidate {
                    (view::csrf(ctx))
                    (view::form_error(new_errors))
                    (view::input(ctx.t("admin.login"), "login", &new.login, new_errors,
                        Input { required: true, autocomplete: Some("off"), hint: Some(ctx.t("signup.login_hint")), scope: "new", ..Input::default() }))
                    (view::input(ctx.t("admin.password"), "password", "", new_errors,
                        Input { kind: "password", autocomplete: Some("new-password"), hint: Some(ctx.t("admin.password_hint")), scope: "new", ..Input::default() }))
                    (view::input(ctx.t("admin.name"), "name", &new.name, new_errors, Input { required: true, scope: "new", ..Input::default() }))
                    div class=(if new_errors.get("role").is_some() { "field invalid" } else { "field" }) {
                        label for="f-new-role" { (ctx.t("admin.role")) span.req aria-hidden="true" { " *" } }
                        (role_select(ctx, "f-new-role", &new.role, new_errors))
                        (view::field_error(new_errors, "role"))
                    }
                    div class=(if new_errors.get("department").is_some() { "field invalid" } else { "field" }) {
                        label for="f-new-department" { (ctx.t("item.department")) }
                        p.hint { (ctx.t("admin.department_hint")) }
                        select id="f-new-department" name="department"
                            aria-invalid=[new_errors.get("department").map(|_| "true")]
                            aria-describedby=[new_errors.get("department").map(|_| "err-department")] {
                            option value="" { (ctx.t("admin.no_department")) }
                            @for (code, name) in &v.departments {
                                option value=(code) selected[*code == new.department] { (name) " (" (code) ")" }
                            }
                        }
                        (view::field_error(new_errors, "department"))
                    }
                    button.primary type="submit" { (ctx.t("admin.create")) }
                }
            }
        }
    }
}

/// The activation code just issued: shown once, with where it is used and until when.
fn issued_notice(ctx: &Ctx, c: &IssuedView) -> Markup {
    html! {
        div.notice.ok role="status" id="activation-code" {
            p { (ctx.tf("admin.code_for", &[("login", &c.login)])) }
            p { code.activation-code { (c.code) } }
            p { (ctx.tf("admin.code_once", &[("url", "/activate"), ("until", &c.until)])) }
        }
    }
}

async fn staff_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: FailedStaff<'_>,
) -> Result<Response, WebError> {
    staff_page_with(state, ctx, done, failed, None).await
}

async fn staff_page_with(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: FailedStaff<'_>,
    issued: Option<app::IssuedCode>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, false)?;
    let accounts = crate::app::org::staff_accounts(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let mut model = view(&accounts, departments, failed, may_change, done);
    model.issued = issued.map(IssuedView::from);
    Ok(page(ctx, ctx.t("admin.staff_title"), render(ctx, &model)))
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
        // An empty password field: the account gets an activation code instead.
        password: Some(fields.get("password").to_owned()).filter(|p| !p.is_empty()),
        name: fields.get("name").to_owned(),
        role: fields.get("role").to_owned(),
        department: Some(fields.get("department").to_owned()),
    };
    let mut errors = FieldErrors::default();
    match app::create_staff_account(&state, &ctx.principal, req).await {
        // The code is shown in the answer to this post, never in a URL or stored page.
        Ok(app::StaffCreated { activation: Some(code), .. }) => {
            return staff_page_with(&state, &ctx, Some("staff_created"), None, Some(code)).await;
        }
        Ok(created) => {
            return Ok(see_other(
                &ctx,
                format!("/admin/staff?done=staff_created#acct-{}", created.account.id.replace('.', "-")),
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

/// `POST /admin/staff/{login}/activation-code` — issues a new one-time activation code,
/// shown in the answer this once; the account's earlier codes stop counting.
pub async fn issue_code(
    State(state): State<AppState>,
    Path(login): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let issued = app::issue_activation_code(&state, &ctx.principal, &login).await.map_err(|e| ctx.fail(e))?;
    staff_page_with(&state, &ctx, None, None, Some(issued)).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::org::DepartmentCode;

    fn account(login: &str, role: Role, disabled: bool) -> app::Account {
        app::Account {
            department: Some(DepartmentCode::parse("fgw").expect("a code")),
            disabled,
            ..app::actor::staff_account(login, &format!("name of {login}"), role)
        }
    }

    #[test]
    fn a_refused_role_change_is_shown_again_on_its_row_only() {
        let accounts = [account("wang.fang", Role::WindowClerk, false), account("li.si", Role::Reviewer, true)];
        let fields = Fields(vec![("role".into(), "approver".into())]);
        let mut errors = FieldErrors::default();
        errors.add("role", "not a staff role");
        let departments = vec![("fgw".to_owned(), "DRC".to_owned())];
        let v = view(&accounts, departments, Some(("wang.fang", &fields, &errors)), true, None);
        assert!(v.failed);
        assert_eq!(v.accounts[0].anchor, "acct-wang-fang");
        assert_eq!((v.accounts[0].chosen.as_str(), v.accounts[1].chosen.as_str()), ("approver", "reviewer"));
        assert_eq!(v.new.role, "window_clerk", "the new account's form is untouched");
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(
            html.contains(
                r#"<tr id="acct-wang-fang"><td><code>wang.fang</code></td><td>name of wang.fang</td><td>DRC</td>"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<option value="approver" selected>"#), "{html}");
        assert_eq!(html.matches("not a staff role").count(), 1, "{html}");
        assert!(html.contains(r#"<input type="hidden" name="disabled" value="0">"#), "li.si is disabled: {html}");
    }

    #[test]
    fn a_leader_reads_the_roles_without_forms() {
        let v = view(&[account("wang.fang", Role::WindowClerk, false)], Vec::new(), None, false, None);
        let html = render(&Ctx::for_test_as(Lang::En, Role::CenterLeader), &v).into_string();
        assert!(!html.contains("<form"), "{html}");
        assert!(html.contains(&format!("<td>{}</td>", Lang::En.t("role.window_clerk"))), "{html}");
    }
}
