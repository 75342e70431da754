//! The administration pages: the catalog's versions with the reform comparison (三减一压缩),
//! departments and windows, staff accounts (create, change role), delegation grants as a
//! tree (revoke), the working calendar, the supervision rules and the approval plans.
//!
//! Administrators may change what these pages show; the center's leaders read them; a
//! supervisor reads and sets the supervision rules. The server checks every post again in
//! [`crate::app`], whose functions the JSON API calls too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::calendar::DayKind;
use tongban_core::catalog::ReformReport;
use tongban_core::delegation::{Delegations, Grant};
use tongban_core::identity::Role;
use tongban_core::item::{Category, ServiceItem};
use tongban_core::supervision::Rule;

use super::chart::{self, HBar};
use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Fields, Posted};
use super::layout::{page, tabs};
use super::portal::department_name;
use super::view::{self, Input};
use crate::AppState;
use crate::app;
use crate::app::AppError;

/// The pages of the section: (href, message key).
const SECTION: &[(&str, &str)] = &[
    ("/admin", "admin.catalog"),
    ("/admin/org", "admin.org"),
    ("/admin/staff", "admin.staff"),
    ("/admin/grants", "admin.grants"),
    ("/admin/calendar", "admin.calendar"),
    ("/admin/rules", "admin.rules"),
    ("/admin/plans", "admin.plans"),
];

/// Who may see a page of the section, and whether they may change what it shows:
/// administrators change, center leaders read; on the rules page supervisors change too.
pub(super) fn access(ctx: &Ctx, rules: bool) -> Result<bool, WebError> {
    let account = ctx.principal.require().map_err(|e| ctx.fail(e))?;
    match account.role {
        Role::Administrator => Ok(true),
        Role::Supervisor if rules => Ok(true),
        Role::CenterLeader => Ok(false),
        r => Err(ctx.fail(AppError::Forbidden(format!("a {r} has no administration pages")))),
    }
}

pub(super) fn section_tabs(ctx: &Ctx) -> Markup {
    let links: Vec<(&str, &str)> = if ctx.role() == Role::Supervisor {
        SECTION.iter().copied().filter(|(h, _)| *h == "/admin/rules").collect()
    } else {
        SECTION.to_vec()
    };
    tabs(ctx, ctx.t("admin.section"), &links)
}

pub(super) fn read_only_note(ctx: &Ctx, may_change: bool) -> Markup {
    html! { @if !may_change { p.notice role="note" { (ctx.t("admin.read_only")) } } }
}

pub(super) fn see_other(ctx: &Ctx, to: String) -> Response {
    ctx.finish((StatusCode::SEE_OTHER, [(header::LOCATION, to)]))
}

/// The message for an invalid field of an administration form: the message file's, when
/// it has one, else the rule's own words.
pub(super) fn field_message(ctx: &Ctx, field: &str, raw: &str) -> String {
    ctx.lang
        .get(&format!("admin_err.{field}"))
        .or_else(|| ctx.lang.get(&format!("err.field.{field}")))
        .map_or_else(|| raw.to_owned(), str::to_owned)
}

fn percent_change(before: f64, after: f64) -> String {
    if before == after {
        return "0%".to_owned();
    }
    format!("{:+.1}%", ReformReport::cut_percent(before, after))
}

/// `?before=&after=` of the catalog page.
#[derive(Debug, Default, Deserialize)]
pub struct CompareQuery {
    /// The version before the reform.
    pub before: Option<String>,
    /// The version after it.
    pub after: Option<String>,
}

/// `GET /admin` — catalog versions and the reform comparison between two of them.
pub async fn catalog(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQuery>,
) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let versions = crate::app::public::catalog_versions(&state).await.map_err(|e| ctx.fail(e))?;
    let latest = versions.last().map_or(0, |v| v.0);
    let mut errors = FieldErrors::default();
    let mut pick = |name: &str, text: Option<&str>, default: u32| -> u32 {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => default,
            Some(t) => match t.parse::<u32>().ok().filter(|v| versions.iter().any(|(n, _, _)| n == v)) {
                Some(v) => v,
                None => {
                    errors.add(name, ctx.t("admin.no_version"));
                    default
                }
            },
        }
    };
    let after = pick("after", q.after.as_deref(), latest);
    let before = pick("before", q.before.as_deref(), latest.saturating_sub(1).max(versions.first().map_or(0, |v| v.0)));
    let (old, new): (Vec<ServiceItem>, Vec<ServiceItem>) = if errors.is_empty() && latest > 0 {
        (
            crate::app::public::items_in_version(&state, before).await.map_err(|e| ctx.fail(e))?,
            crate::app::public::items_in_version(&state, after).await.map_err(|e| ctx.fail(e))?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let report = ReformReport::compare(&old, &new);
    let name_in = |items: &[ServiceItem], code: &str| {
        items.iter().find(|i| i.code.as_str() == code).map_or_else(String::new, |i| i.name.clone())
    };
    let rows: Vec<(String, f64, f64, String, String)> = {
        let count = |label: String, (b, a): (usize, usize)| (label, b as f64, a as f64, b.to_string(), a.to_string());
        let mut rows = vec![
            count(ctx.t("admin.items").to_owned(), report.items),
            count(ctx.t("admin.materials").to_owned(), report.materials),
            {
                let (b, a) = report.average_days;
                (ctx.t("admin.average_days").to_owned(), b, a, format!("{b:.2}"), format!("{a:.2}"))
            },
        ];
        for (c, n) in Category::ALL.iter().zip(report.by_category) {
            rows.push(count(ctx.t(&format!("category.{}", c.as_str())).to_owned(), n));
        }
        rows
    };
    let most = report.by_category.iter().map(|(b, a)| (*b).max(*a)).max().unwrap_or(1).max(1) as f64;
    let category_bars: Vec<HBar> = Category::ALL
        .iter()
        .zip(report.by_category)
        .flat_map(|(c, (b, a))| {
            let name = ctx.t(&format!("category.{}", c.as_str()));
            [
                HBar {
                    label: format!("{name} v{before}"),
                    share: b as f64 / most,
                    text: b.to_string(),
                    tone: Some("before"),
                },
                HBar { label: format!("{name} v{after}"), share: a as f64 / most, text: a.to_string(), tone: None },
            ]
        })
        .collect();
    let version_select = |name: &str, chosen: u32| {
        html! {
            div class=(if errors.get(name).is_some() { "field invalid" } else { "field" }) {
                label for=(format!("f-{name}")) { (ctx.t(&format!("admin.{name}"))) }
                select id=(format!("f-{name}")) name=(name) aria-describedby=[errors.get(name).map(|_| format!("err-{name}"))] {
                    @for (v, label, _) in &versions {
                        option value=(v) selected[*v == chosen] { "v" (v) " · " (label) }
                    }
                }
                (view::field_error(&errors, name))
            }
        }
    };
    let body = html! {
        h1 { (ctx.t("admin.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        h2 { (ctx.t("admin.versions")) }
        @if versions.is_empty() {
            p { (ctx.t("admin.no_catalog")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { (ctx.t("admin.version")) } th scope="col" { (ctx.t("admin.label")) } th scope="col" { (ctx.t("admin.published")) } } }
                    tbody {
                        @for (v, label, at) in versions.iter().rev() {
                            tr { td { "v" (v) @if *v == latest { " " span.badge { (ctx.t("admin.current")) } } } td { (label) } td { (view::time(*at)) } }
                        }
                    }
                }
            }
            h2 { (ctx.t("admin.reform")) }
            p.lead { (ctx.t("admin.reform_lead")) }
            form.search method="get" action="/admin" novalidate {
                (version_select("before", before))
                (version_select("after", after))
                button type="submit" { (ctx.t("admin.compare")) }
            }
            @if errors.is_empty() {
                @if versions.len() < 2 { p.hint { (ctx.t("admin.one_version")) } }
                div.table-wrap {
                    table.reform {
                        caption { (ctx.tf("admin.report", &[("before", &before.to_string()), ("after", &after.to_string())])) }
                        thead { tr {
                            th scope="col" { (ctx.t("admin.measure")) }
                            th scope="col" { "v" (before) }
                            th scope="col" { "v" (after) }
                            th scope="col" { (ctx.t("admin.change")) }
                        } }
                        tbody {
                            @for (label, b, a, bt, at) in &rows {
                                tr {
                                    th scope="row" { (label) }
                                    td { (bt) } td { (at) }
                                    td class=(if a < b { "cut" } else if a > b { "grew" } else { "" }) { (percent_change(*b, *a)) }
                                }
                            }
                        }
                    }
                }
                (chart::hbars("categories", ctx.t("admin.by_category"), ctx.t("admin.by_category_desc"), &category_bars))
                div.two {
                    section {
                        h3 { (ctx.t("admin.removed")) " " span.count { "(" (report.removed.len()) ")" } }
                        @if report.removed.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for c in &report.removed { li { code { (c) } " " (name_in(&old, c.as_str())) } } }
                        }
                    }
                    section {
                        h3 { (ctx.t("admin.added")) " " span.count { "(" (report.added.len()) ")" } }
                        @if report.added.is_empty() { p { (ctx.t("sup.none")) } } @else {
                            ul.codes { @for c in &report.added { li { a href=(format!("/items/{c}")) { code { (c) } } " " (name_in(&new, c.as_str())) } } }
                        }
                    }
                }
            }
        }
    };
    let response = page(&ctx, ctx.t("admin.title"), body);
    Ok(if errors.is_empty() { response } else { (StatusCode::UNPROCESSABLE_ENTITY, response).into_response() })
}

/// `GET /admin/org` — departments and windows.
pub async fn org(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let departments = crate::app::public::departments(&state).await.map_err(|e| ctx.fail(e))?;
    let windows = crate::app::public::windows(&state).await.map_err(|e| ctx.fail(e))?;
    let staff = crate::app::org::staff_directory(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let names: Vec<(String, String)> = departments.iter().map(|(c, n, _)| (c.clone(), n.clone())).collect();
    let body = html! {
        h1 { (ctx.t("admin.org_title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        p.hint { (ctx.t("admin.org_hint")) }
        h2 { (ctx.t("admin.departments")) " " span.count { "(" (departments.len()) ")" } }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.code")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("admin.division")) }
                    th scope="col" { (ctx.t("admin.windows")) }
                    th scope="col" { (ctx.t("admin.people")) }
                } }
                tbody {
                    @for (code, name, division) in &departments {
                        tr {
                            td { code { (code) } }
                            td { (name) }
                            td { code { (division) } }
                            td { (windows.iter().filter(|w| w.2.as_deref() == Some(code.as_str())).count()) }
                            td { (staff.iter().filter(|s| &s.2 == code).count()) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.t("admin.windows")) " " span.count { "(" (windows.len()) ")" } }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.code")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("item.department")) }
                    th scope="col" { (ctx.t("admin.people")) }
                } }
                tbody {
                    @for (code, name, department) in &windows {
                        tr {
                            td { code { (code) } }
                            td { (name) }
                            td { @match department { Some(d) => (department_name(&names, d)), None => (ctx.t("admin.comprehensive")) } }
                            td { (staff.iter().filter(|s| s.3.as_deref() == Some(code.as_str())).count()) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t("admin.org_title"), body))
}

/// `?done=` of a page after a post.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// The notice to show.
    pub done: Option<String>,
}

/// The staff roles, as offered in forms.
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

/// Where a grant stands at `now` (core's rule), by its stable name.
fn grant_status(d: &Delegations, g: &Grant, now: jiff::Timestamp) -> &'static str {
    d.status(g, now).as_str()
}

/// What a grant node needs besides the grant.
struct Tree<'a> {
    delegations: &'a Delegations,
    children: &'a BTreeMap<String, Vec<&'a Grant>>,
    names: &'a HashMap<String, String>,
    now: jiff::Timestamp,
    may_change: bool,
}

fn name_of(names: &HashMap<String, String>, id: &str) -> Markup {
    html! {
        @match names.get(id) {
            Some(n) if n != id => { (n) " " code { (id) } }
            _ => code { (id) },
        }
    }
}

/// A grant and everything re-delegated from it.
fn grant_node(ctx: &Ctx, t: &Tree<'_>, g: &Grant) -> Markup {
    let status = grant_status(t.delegations, g, t.now);
    html! {
        li id=(format!("grant-{}", g.id)) {
            div class=(format!("grant-node grant-{status}")) {
                p.parties { (name_of(t.names, &g.grantor)) " → " (name_of(t.names, &g.grantee)) }
                p.meta {
                    span class=(format!("badge status-{status}")) { (ctx.t(&format!("grant.{status}"))) }
                    span { code { (g.id) } }
                    span { (g.powers.iter().map(|p| ctx.t(&format!("power.{}", p.as_str())).to_owned()).collect::<Vec<_>>().join(ctx.t("list.sep"))) }
                    span { @match &g.items { None => (ctx.t("authority.all_items")), Some(items) => (items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) } }
                }
                p.meta {
                    span { (ctx.t("grant.from")) " " (view::time(g.valid_from)) }
                    span { (ctx.t("grant.until")) " " @if let Some(u) = g.valid_until { (view::time(u)) } @else { (ctx.t("grant.until_revoked")) } }
                    @if let Some(r) = g.revoked_at { span.late { (ctx.t("grant.revoked_at")) " " (view::time(r)) } }
                }
                @if t.may_change && g.revoked_at.is_none() {
                    form.inline-form method="post" action=(format!("/admin/grants/{}/revoke", g.id)) {
                        (view::csrf(ctx))
                        button type="submit" aria-label=(ctx.tf("grant.revoke_label", &[("id", &g.id)])) { (ctx.t("grant.revoke")) }
                    }
                }
            }
            @if let Some(kids) = t.children.get(&g.id) {
                ul.tree { @for k in kids { (grant_node(ctx, t, k)) } }
            }
        }
    }
}

/// `GET /admin/grants` — the delegation tree.
pub async fn grants(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    grants_page(&state, &ctx, may_change, q.done.as_deref(), None).await
}

async fn grants_page(
    state: &AppState,
    ctx: &Ctx,
    may_change: bool,
    done: Option<&str>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let delegations = crate::app::org::delegations(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let names = app::org::people(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let now = state.now();
    let mut all: Vec<&Grant> = delegations.grants().collect();
    all.sort_by(|a, b| a.valid_from.cmp(&b.valid_from).then_with(|| a.id.cmp(&b.id)));
    let mut children: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    let mut roots: BTreeMap<String, Vec<&Grant>> = BTreeMap::new();
    for g in &all {
        match &g.parent {
            Some(p) if delegations.grant(p).is_some() => children.entry(p.clone()).or_default().push(g),
            _ => roots.entry(g.department.to_string()).or_default().push(g),
        }
    }
    let tree = Tree { delegations: &delegations, children: &children, names: &names, now, may_change };
    let count = |s: &str| all.iter().filter(|g| grant_status(&delegations, g, now) == s).count();
    let body = html! {
        h1 { (ctx.t("grant.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, may_change))
        (view::done_notice(ctx, done))
        @if let Some(m) = error { div.notice.error role="alert" { (m) } }
        p.lead { (ctx.t("grant.lead")) }
        ul.kpis {
            li { span.k { (all.len()) } span.l { (ctx.t("grant.all")) } }
            li { span.k { (count("active")) } span.l { (ctx.t("grant.active")) } }
            li { span.k { (count("expired") + count("broken")) } span.l { (ctx.t("grant.expired")) } }
            li { span.k { (count("revoked")) } span.l { (ctx.t("grant.revoked")) } }
        }
        @if roots.is_empty() { p { (ctx.t("sup.none")) } }
        @for (department, top) in &roots {
            section.grants {
                h2 { (department_name(&departments, department)) " " code { (department) } }
                ul.tree.root { @for g in top { (grant_node(ctx, &tree, g)) } }
            }
        }
    };
    Ok(page(ctx, ctx.t("grant.title"), body))
}

/// `POST /admin/grants/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let ctx = posted.ctx;
    let may_change = access(&ctx, false)?;
    match app::revoke_grant(&state, &ctx.principal, &id).await {
        Ok(()) => Ok(see_other(&ctx, format!("/admin/grants?done=grant_revoked#grant-{id}"))),
        Err(crate::app::AppError::Conflict(_)) => {
            let response = grants_page(&state, &ctx, may_change, None, Some(ctx.t("grant.already"))).await?;
            Ok((StatusCode::CONFLICT, response).into_response())
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// `?year=` of the calendar page.
#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    /// The year shown.
    pub year: Option<i16>,
    /// The notice to show after a redirect.
    pub done: Option<String>,
}

fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// `GET /admin/calendar` — holidays and make-up working days per year (announced or
/// provisional), the warning when next year is not loaded, and the halls' closures.
pub async fn calendar(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let imported = app::calendar_years(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let closures = app::calendar_closures(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let set = state.calendars();
    let cal = set.base();
    let now = state.now();
    let today = tongban_core::calendar::local_date(now);
    let this_year = today.year();
    let mut years: BTreeSet<i16> = cal.announced_years().iter().copied().collect();
    years.extend((this_year - 1)..=(this_year + 2));
    let year = q.year.filter(|y| cal.covered_years().contains(y)).unwrap_or(this_year);
    years.insert(year);
    let provisional = cal.is_provisional_year(year);
    let days = cal.year_days(year).unwrap_or_default();
    let holidays = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
    let workdays = days.len() - holidays;
    let hours: Vec<String> = cal.hours().periods().iter().map(|(a, b)| format!("{}–{}", hhmm(*a), hhmm(*b))).collect();
    let covered = cal.covered_years();
    let stored = imported.iter().find(|y| y.schedule.year() == year);
    let body = html! {
        h1 { (ctx.t("cal.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        (calendar_warning(&ctx, cal, today))
        dl.facts {
            dt { (ctx.t("cal.source")) } dd { (ctx.t(if imported.is_empty() { "cal.builtin" } else { "cal.stored" })) }
            dt { (ctx.t("cal.revision")) } dd { (set.revision()) }
            dt { (ctx.t("cal.hours")) } dd { (hours.join(ctx.t("list.sep"))) " · " (ctx.tf("cal.per_day", &[("m", &cal.minutes_per_working_day().to_string())])) }
            dt { (ctx.t("cal.covered")) } dd { (covered.start()) "–" (covered.end()) }
            dt { (ctx.t("cal.announced")) } dd {
                @match cal.announced_until(today) {
                    Some(until) => { time datetime=(until.to_string()) { (until) } }
                    None => { (ctx.t("cal.not_announced")) }
                }
            }
        }
        (view::done_notice(&ctx, q.done.as_deref()))
        p.hint { (ctx.t("cal.import_hint")) }
        @if may_change { p { a.button.primary href=(format!("/admin/calendar/import?year={year}")) { (ctx.t("cal.import_title")) } } }
        nav.filters aria-label=(ctx.t("cal.years")) {
            ul {
                @for y in &years {
                    @let label = if cal.is_provisional_year(*y) { format!("{y} {}", ctx.t("case.provisional")) } else { y.to_string() };
                    li {
                        @if *y == year {
                            a href=(format!("/admin/calendar?year={y}")) aria-current="true" { (label) }
                        } @else {
                            a href=(format!("/admin/calendar?year={y}")) { (label) }
                        }
                    }
                }
            }
        }
        h2 { (ctx.tf("cal.year", &[("year", &year.to_string())])) }
        @if provisional {
            p.notice.warn { (ctx.tf("cal.provisional_year", &[("year", &year.to_string())])) }
        } @else if let Some(y) = stored {
            p.hint { (ctx.tf("cal.imported_by", &[("who", &y.imported_by), ("at", &view::when(y.imported_at))])) }
        }
        p { (ctx.tf("cal.counts", &[("holidays", &holidays.to_string()), ("workdays", &workdays.to_string())])) }
        @if days.is_empty() {
            p { (ctx.t("cal.none")) }
        } @else {
            div.table-wrap {
                table.calendar {
                    thead { tr {
                        th scope="col" { (ctx.t("cal.date")) }
                        th scope="col" { (ctx.t("cal.weekday")) }
                        th scope="col" { (ctx.t("cal.kind")) }
                        th scope="col" { (ctx.t("cal.name")) }
                    } }
                    tbody {
                        @for d in &days {
                            @let kind = d.kind.as_str();
                            tr class=(format!("day-{kind}")) {
                                td { time datetime=(d.date.to_string()) { (d.date) } }
                                td { (ctx.t(&format!("weekday.{}", d.date.weekday().to_monday_one_offset()))) }
                                td { span class=(format!("badge day-{kind}")) { (ctx.t(&format!("cal.{kind}"))) } }
                                td { (d.name) }
                            }
                        }
                    }
                }
            }
        }
        h2 id="closures" { (ctx.t("cal.closures")) }
        p.hint { (ctx.t("cal.closures_hint")) }
        @if closures.is_empty() {
            p { (ctx.t("cal.no_closures")) }
        } @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th scope="col" { (ctx.t("cal.division")) }
                        th scope="col" { (ctx.t("cal.date")) }
                        th scope="col" { (ctx.t("cal.reason")) }
                        @if may_change { th scope="col" { span.visually-hidden { (ctx.t("cal.lift")) } } }
                    } }
                    tbody {
                        @for c in &closures {
                            tr {
                                td { (c.closure.division) }
                                td { time datetime=(c.closure.date.to_string()) { (c.closure.date) } }
                                td { (c.closure.name) }
                                @if may_change {
                                    td {
                                        form method="post" action="/admin/calendar/closures/lift" {
                                            (view::csrf(&ctx))
                                            input type="hidden" name="division" value=(c.closure.division);
                                            input type="hidden" name="date" value=(c.closure.date);
                                            button type="submit" { (ctx.t("cal.lift")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if may_change { p { a.button href="/admin/calendar/closures" { (ctx.t("cal.closure_new")) } } }
    };
    Ok(page(&ctx, ctx.t("cal.title"), body))
}

/// The warning that next year's schedule (or this year's) is not loaded yet.
pub(super) fn calendar_warning(
    ctx: &Ctx,
    cal: &tongban_core::calendar::WorkingCalendar,
    today: jiff::civil::Date,
) -> Markup {
    html! {
        @if let Some(year) = cal.year_to_load(today) {
            div.notice.warn role="status" { (ctx.tf("cal.load_warning", &[("year", &year.to_string())])) }
        }
    }
}

async fn rules_page(
    state: &AppState,
    ctx: &Ctx,
    done: Option<&str>,
    failed: Option<(&Fields, &FieldErrors)>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, true)?;
    let default = Rule::center_default(state.calendars().base());
    let book = app::rule_book(state).await.map_err(|e| ctx.fail(e))?;
    let departments = crate::app::public::department_names(state).await.map_err(|e| ctx.fail(e))?;
    let none = FieldErrors::default();
    let (fields, errors) = failed.map_or((None, &none), |(f, e)| (Some(f), e));
    let typed = |name: &str, default: &'static str| view::typed(fields, name, default);
    let rule_cells = |r: &Rule| {
        html! {
            td { (r.used_percent()) "%" }
            td { (view::minutes(ctx, i64::from(r.remaining_minutes()))) }
        }
    };
    let scope = typed("scope", "center");
    let body = html! {
        h1 { (ctx.t("rules.title")) }
        (section_tabs(ctx))
        (read_only_note(ctx, may_change))
        (view::done_notice(ctx, done))
        p.lead { (ctx.t("rules.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("rules.scope")) }
                    th scope="col" { (ctx.t("rules.key")) }
                    th scope="col" { (ctx.t("rules.used_percent")) }
                    th scope="col" { (ctx.t("rules.remaining")) }
                } }
                tbody {
                    tr { th scope="row" { (ctx.t("rules.scope_center")) } td { "–" @if book.center == default { " (" (ctx.t("rules.default")) ")" } } (rule_cells(&book.center)) }
                    @for (d, r) in &book.departments {
                        tr { th scope="row" { (ctx.t("rules.scope_department")) } td { (department_name(&departments, d.as_str())) " " code { (d) } } (rule_cells(r)) }
                    }
                    @for (i, r) in &book.items {
                        tr { th scope="row" { (ctx.t("rules.scope_item")) } td { a href=(format!("/items/{i}")) { code { (i) } } } (rule_cells(r)) }
                    }
                }
            }
        }
        p.hint { (ctx.t("rules.effect")) }
        @if may_change {
            section.action id="set-rule" aria-labelledby="h-set-rule" {
                h2 id="h-set-rule" { (ctx.t("rules.set")) }
                @if !errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
                form.stack method="post" action="/admin/rules" novalidate {
                    (view::csrf(ctx))
                    fieldset class=(if errors.get("scope").is_some() { "field invalid" } else { "field" }) {
                        legend { (ctx.t("rules.scope")) }
                        @for s in ["center", "department", "item"] {
                            label.choice { input type="radio" name="scope" value=(s) checked[scope == s]; " " (ctx.t(&format!("rules.scope_{s}"))) }
                        }
                        (view::field_error(errors, "scope"))
                    }
                    (view::input(ctx.t("rules.key"), "key", typed("key", ""), errors, Input { hint: Some(ctx.t("rules.key_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.used_percent"), "used_percent", typed("used_percent", "80"), errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.used_hint")), ..Input::default() }))
                    (view::input(ctx.t("rules.remaining_minutes"), "remaining_minutes", typed("remaining_minutes", "480"), errors,
                        Input { kind: "number", required: true, hint: Some(ctx.t("rules.remaining_hint")), ..Input::default() }))
                    button.primary type="submit" { (ctx.t("rules.submit")) }
                }
            }
        }
    };
    Ok(page(ctx, ctx.t("rules.title"), body))
}

/// `GET /admin/rules` — the supervision rules.
pub async fn rules(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    rules_page(&state, &ctx, q.done.as_deref(), None).await
}

/// `POST /admin/rules` — sets a supervision rule.
pub async fn set_rule(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    // Who may set rules is checked before what they typed.
    app::authorize(&ctx.principal, tongban_core::access::Action::ConfigureSupervision).map_err(|e| ctx.fail(e))?;
    let mut errors = FieldErrors::default();
    let used = fields.get("used_percent").trim().parse::<u8>().ok().filter(|p| *p <= 100);
    let remaining = fields.get("remaining_minutes").trim().parse::<u32>().ok();
    if used.is_none() {
        errors.add("used_percent", ctx.t("admin_err.used_percent"));
    }
    if remaining.is_none() {
        errors.add("remaining_minutes", ctx.t("admin_err.remaining_minutes"));
    }
    let scope = fields.get("scope");
    if scope != "center" && fields.get("key").trim().is_empty() {
        errors.add("key", ctx.t("err.required"));
    }
    if let (Some(used), Some(remaining), true) = (used, remaining, errors.is_empty()) {
        match app::set_supervision_rule(&state, &ctx.principal, scope, fields.get("key"), used, remaining).await {
            Ok(()) => return Ok(see_other(&ctx, "/admin/rules?done=rule_set".to_owned())),
            Err(crate::app::AppError::Invalid(list)) => {
                for (f, m) in list {
                    if errors.get(&f).is_none() {
                        let message = field_message(&ctx, &f, &m);
                        errors.add(&f, message);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let response = rules_page(&state, &ctx, None, Some((&fields, &errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

/// `GET /admin/plans` — the approval plans (审批流程方案): the stored ones and the built-in
/// reform plans; each links to its JSON with the schedule and critical path.
pub async fn plans(State(state): State<AppState>, ctx: Ctx, Query(q): Query<DoneQuery>) -> Result<Response, WebError> {
    let may_change = access(&ctx, false)?;
    let rows = app::list_plans(&state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let body = html! {
        h1 { (ctx.t("plans.title")) }
        (section_tabs(&ctx))
        (read_only_note(&ctx, may_change))
        (view::done_notice(&ctx, q.done.as_deref()))
        p.lead { (ctx.t("plans.lead")) }
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (ctx.t("plans.id")) }
                    th scope="col" { (ctx.t("admin.name")) }
                    th scope="col" { (ctx.t("admin.version")) }
                    th scope="col" { (ctx.t("plans.steps")) }
                    th scope="col" { (ctx.t("plans.days")) }
                    th scope="col" { (ctx.t("plans.source")) }
                } }
                tbody {
                    @for p in &rows {
                        tr id=(format!("plan-{}", p.id)) {
                            td { a href=(format!("/api/v1/plans/{}", p.id)) { code { (p.id) } } }
                            td { (p.name) }
                            td { "v" (p.version) }
                            td { (p.steps) }
                            td { (p.total_days) }
                            td { @match &p.imported_at { Some(t) => { (ctx.t("plans.imported")) " " (view::time(*t)) }, None => (ctx.t("plans.builtin")) } }
                        }
                    }
                }
            }
        }
        p.hint { (ctx.t("plans.import_hint")) }
        @if may_change { p { a.button.primary href="/admin/plans/import" { (ctx.t("plans.import_title")) } } }
    };
    Ok(page(&ctx, ctx.t("plans.title"), body))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin", get(catalog))
        .route("/admin/org", get(org))
        .route("/admin/staff", get(staff).post(create_staff))
        .route("/admin/staff/{login}/role", post(change_role))
        .route("/admin/staff/{login}/disabled", post(set_disabled))
        .route("/admin/grants", get(grants))
        .route("/admin/grants/{id}/revoke", post(revoke))
        .route("/admin/calendar", get(calendar))
        .route("/admin/rules", get(rules).post(set_rule))
        .route("/admin/plans", get(plans))
}
