//! The administration pages: the catalog's versions with the reform comparison (三减一压缩),
//! the organisation (divisions, sites, departments, windows, staff: created, edited,
//! retired) and imports of its files and the catalog's, staff accounts (create, change role), delegation grants as a
//! tree (revoke), the working calendar, the supervision rules and the approval plans.
//!
//! Administrators may change what these pages show; the center's leaders read them; a
//! supervisor reads and sets the supervision rules. The server checks every post again in
//! [`crate::app`], whose functions the JSON API calls too.

mod calendar;
mod catalog;
mod forms;
mod grants;
mod import_report;
pub(crate) mod imports;
mod notice_templates;
mod org;
mod org_edit;
mod org_form;
mod org_kind;
mod plans;
mod problems;
mod rules;
mod staff;
mod templates;

use axum::http::{StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use tongban_core::identity::Role;

use super::ctx::Ctx;
use super::error::WebError;
use super::layout::tabs;
use crate::app::AppError;

use self::calendar::calendar;
pub(super) use calendar::calendar_warning;
use catalog::catalog;
use grants::{grants, revoke};
use org::org;
use plans::plans;
use rules::{rules, set_rule};
use staff::{change_role, create_staff, issue_code, set_disabled, staff};

/// The pages of the section: (href, message key).
const SECTION: &[(&str, &str)] = &[
    ("/admin", "admin.catalog"),
    ("/admin/org", "admin.org"),
    ("/admin/imports", "imports.tab"),
    ("/admin/staff", "admin.staff"),
    ("/admin/grants", "admin.grants"),
    ("/admin/calendar", "admin.calendar"),
    ("/admin/rules", "admin.rules"),
    ("/admin/plans", "admin.plans"),
    ("/admin/document-templates", "doc.templates_tab"),
    ("/admin/notices", "notices.admin_tab"),
    ("/admin/notice-templates", "ntpl.tab"),
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

/// Links that download a file from `GET /api/v1/exports/…` as CSV and as xlsx: `href` is
/// the address up to its `format=` parameter (ending in `?` or `&`).
pub(super) fn download_links(ctx: &Ctx, href: &str) -> Markup {
    html! {
        a href=(format!("{href}format=csv")) download { (ctx.t("export.csv")) }
        " · "
        a href=(format!("{href}format=xlsx")) download { (ctx.t("export.xlsx")) }
    }
}

/// `?done=` of a page after a post.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// The notice to show.
    pub done: Option<String>,
}

/// The staff roles, as offered in forms.
/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .merge(forms::routes())
        .route("/admin", get(catalog))
        .route("/admin/org", get(org))
        .route("/admin/org/{kind}", get(org_kind::kind_records).post(org_kind::create_record))
        .route("/admin/org/{kind}/{key}", get(org_edit::edit_record_page).post(org_edit::edit_record))
        .route("/admin/org/{kind}/{key}/retire", get(org_edit::retire_record_page).post(org_edit::retire_record))
        .route("/admin/imports", get(imports::imports).post(imports::check_import))
        .route("/admin/imports/publish", post(imports::publish_import))
        .route("/admin/staff", get(staff).post(create_staff))
        .route("/admin/staff/{login}/role", post(change_role))
        .route("/admin/staff/{login}/disabled", post(set_disabled))
        .route("/admin/staff/{login}/activation-code", post(issue_code))
        .route("/admin/grants", get(grants))
        .route("/admin/grants/{id}/revoke", post(revoke))
        .route("/admin/calendar", get(calendar))
        .route("/admin/rules", get(rules).post(set_rule))
        .route("/admin/plans", get(plans))
        .route("/admin/document-templates", get(templates::templates))
        .route("/admin/document-templates/{kind}", post(templates::save))
        .route("/admin/notice-templates", get(notice_templates::list))
        .route("/admin/notice-templates/{event}/{channel}", get(notice_templates::edit).post(notice_templates::save))
}
