//! `/admin/org/{kind}` — one kind of the organisation (divisions, sites, departments,
//! windows, staff): its records in a table, retired ones marked, each with its edit and
//! retire links, and the form that creates one. The fields are the columns of the kind's
//! import table; the rules are [`crate::app::organisation`]'s, shared with the API.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::org::import::{OrgKind, Record};

use super::org_form::{Choices, RecordForm, load_choices, record_form, refusals};
use super::{DoneQuery, access, download_links, read_only_note, section_tabs, see_other};
use crate::AppState;
use crate::app::AppError;
use crate::app::organisation::{self as org, OrgImport};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::{page, tabs};
use crate::web::view;

/// The links between the organisation's pages: (href, message key).
const ORG_PAGES: &[(&str, &str)] = &[
    ("/admin/org", "org.overview"),
    ("/admin/org/divisions", "org.kind.divisions"),
    ("/admin/org/sites", "org.kind.sites"),
    ("/admin/org/departments", "org.kind.departments"),
    ("/admin/org/windows", "org.kind.windows"),
    ("/admin/org/staff", "org.kind.staff"),
    ("/admin/imports", "imports.tab"),
];

/// The notices after a post (`?done=`).
const DONE: [&str; 3] = ["org_created", "org_saved", "org_retired"];

/// The links between the organisation's pages, the current one marked.
pub(super) fn org_tabs(ctx: &Ctx) -> Markup {
    tabs(ctx, ctx.t("org.pages"), ORG_PAGES)
}

/// A record's row.
#[derive(Debug, Clone)]
pub(super) struct RecordLine {
    /// Its key.
    pub key: String,
    /// The row's element id.
    pub anchor: String,
    /// Its cells, in column order.
    pub cells: Vec<String>,
    /// Whether it is retired.
    pub retired: bool,
}

/// The element id of a record's row.
pub(super) fn anchor(key: &str) -> String {
    format!("rec-{}", key.replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
}

/// An activation code just issued, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CodeLine {
    /// The account.
    pub login: String,
    /// The code.
    pub code: String,
    /// Until when (China Standard Time).
    pub until: String,
}

/// Codes as the page shows them.
pub(super) fn code_lines(report: &OrgImport) -> Vec<CodeLine> {
    report
        .activation_codes
        .iter()
        .map(|c| CodeLine {
            login: c.login.clone(),
            code: c.code.clone(),
            until: c.expires_at.parse::<jiff::Timestamp>().map_or_else(|_| c.expires_at.clone(), view::when),
        })
        .collect()
}

/// What a kind's page shows.
#[derive(Debug, Clone)]
pub(super) struct KindView {
    /// The kind.
    pub kind: OrgKind,
    /// Whether the viewer may change the organisation.
    pub may_change: bool,
    /// The notice after a redirect.
    pub done: Option<String>,
    /// The records, by key.
    pub records: Vec<RecordLine>,
    /// The new record's form.
    pub new: RecordForm,
    /// What the form may refer to.
    pub choices: Choices,
    /// Activation codes just issued (a new member of staff), shown this once.
    pub codes: Vec<CodeLine>,
}

/// The page's model.
pub(super) fn view(
    kind: OrgKind,
    records: &[(Record, bool)],
    choices: Choices,
    new: RecordForm,
    may_change: bool,
    done: Option<&str>,
) -> KindView {
    KindView {
        kind,
        may_change,
        done: done.map(str::to_owned),
        records: records
            .iter()
            .map(|(r, retired)| RecordLine {
                key: r.key().to_owned(),
                anchor: anchor(r.key()),
                cells: r.cells(),
                retired: *retired,
            })
            .collect(),
        new,
        choices,
        codes: Vec::new(),
    }
}

/// A column's heading.
pub(super) fn column_label(ctx: &Ctx, column: &str) -> &'static str {
    ctx.t(&format!("org.col.{column}"))
}

/// A cell as shown: a role in words, the rest as stored ("–" when empty).
fn cell(ctx: &Ctx, column: &str, value: &str) -> Markup {
    html! {
        @if value.is_empty() { "–" }
        @else if column == "role" { (ctx.t(&format!("role.{value}"))) }
        @else if matches!(column, "code" | "login" | "parent" | "division" | "site" | "department" | "window") { code { (value) } }
        @else { (value) }
    }
}

/// The page's body.
pub(super) fn render(ctx: &Ctx, v: &KindView) -> Markup {
    let kind = v.kind.as_str();
    let columns = v.kind.columns();
    html! {
        h1 { (ctx.t(&format!("org.kind.{kind}"))) }
        (section_tabs(ctx))
        (org_tabs(ctx))
        (read_only_note(ctx, v.may_change))
        @if let Some(d) = v.done.as_deref().filter(|d| DONE.contains(d)) {
            div.notice.ok role="status" { (ctx.t(&format!("org.done.{d}"))) }
        }
        @if !v.codes.is_empty() { (codes_notice(ctx, &v.codes)) }
        @if !v.new.errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
        p.hint { (ctx.t(&format!("org.lead.{kind}"))) " " a href="/admin/imports" { (ctx.t("org.import_link")) } }
        // Downloads are the administrators' (the files are working copies to import again).
        @if v.may_change {
            p.downloads {
                (ctx.t("export.kind")) " " (download_links(ctx, &format!("/api/v1/exports/{kind}?")))
                " · " a href="/api/v1/exports/org?format=xlsx" download { (ctx.t("export.org")) }
            }
        }
        div.table-wrap {
            table.org {
                caption { (ctx.tf("org.count", &[("n", &v.records.len().to_string())])) }
                thead { tr {
                    @for c in columns { th scope="col" { (column_label(ctx, c)) } }
                    th scope="col" { (ctx.t("admin.status")) }
                    @if v.may_change { th scope="col" { span.sr-only { (ctx.t("org.actions")) } } }
                } }
                tbody {
                    @for r in &v.records {
                        tr id=(r.anchor) class=[r.retired.then_some("retired")] {
                            @for (c, value) in columns.iter().zip(&r.cells) { td { (cell(ctx, c, value)) } }
                            td { @if r.retired { span.late { (ctx.t("org.retired")) } } @else { (ctx.t("org.in_service")) } }
                            @if v.may_change {
                                td {
                                    a href=(format!("/admin/org/{kind}/{}", r.key)) { (ctx.tf("org.edit", &[("key", &r.key)])) }
                                    @if !r.retired {
                                        " · " a href=(format!("/admin/org/{kind}/{}/retire", r.key)) { (ctx.tf("org.retire", &[("key", &r.key)])) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if v.may_change {
            section.action id="new-record" aria-labelledby="h-new-record" {
                h2 id="h-new-record" { (ctx.t(&format!("org.new.{kind}"))) }
                (record_form(ctx, &v.new, &v.choices, &format!("/admin/org/{kind}")))
            }
        }
    }
}

/// Activation codes just issued: shown once, with where they are used and until when.
pub(super) fn codes_notice(ctx: &Ctx, codes: &[CodeLine]) -> Markup {
    html! {
        div.notice.ok role="status" id="activation-codes" {
            p { (ctx.t("org.codes_lead")) }
            table {
                thead { tr {
                    th scope="col" { (ctx.t("admin.login")) }
                    th scope="col" { (ctx.t("org.code")) }
                    th scope="col" { (ctx.t("org.until")) }
                } }
                tbody {
                    @for c in codes {
                        tr { td { code { (c.login) } } td { code.activation-code { (c.code) } } td { (c.until) } }
                    }
                }
            }
            p { (ctx.tf("org.codes_once", &[("url", "/activate")])) }
        }
    }
}

/// The kind named in a path; an unknown one is a 404.
pub(super) fn kind_of(ctx: &Ctx, name: &str) -> Result<OrgKind, WebError> {
    crate::api::org::kind_of(name).map_err(|e| ctx.fail(e))
}

async fn kind_page(
    state: &AppState,
    ctx: &Ctx,
    kind: OrgKind,
    new: RecordForm,
    done: Option<&str>,
    codes: Vec<CodeLine>,
) -> Result<Response, WebError> {
    let may_change = access(ctx, false)?;
    let records = org::org_records(state, &ctx.principal, kind).await.map_err(|e| ctx.fail(e))?;
    let choices = load_choices(state, ctx, kind).await?;
    let mut model = view(kind, &records, choices, new, may_change, done);
    model.codes = codes;
    Ok(page(ctx, ctx.t(&format!("org.kind.{}", kind.as_str())), render(ctx, &model)))
}

/// `GET /admin/org/{kind}`.
pub async fn kind_records(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let kind = kind_of(&ctx, &kind)?;
    let new = RecordForm::typed(kind, None, None, FieldErrors::default());
    kind_page(&state, &ctx, kind, new, q.done.as_deref(), Vec::new()).await
}

/// `POST /admin/org/{kind}` — creates a record; a key already taken is refused (its row
/// edits it), so that a new record never silently overwrites another.
pub async fn create_record(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let kind = kind_of(&ctx, &kind)?;
    let mut form = RecordForm::typed(kind, None, Some(&fields), FieldErrors::default());
    let key_column = kind.columns()[0];
    let key = fields.get(key_column).trim().to_owned();
    let records = org::org_records(&state, &ctx.principal, kind).await.map_err(|e| ctx.fail(e))?;
    if !key.is_empty() && records.iter().any(|(r, _)| r.key() == key) {
        form.errors.add(key_column, ctx.t("org.err_taken"));
    } else {
        match org::put_org_record(&state, &ctx.principal, kind, &form.fields()).await {
            Ok(report) if !report.activation_codes.is_empty() => {
                // The code is shown in the answer to this post, never in a URL or stored page.
                let codes = code_lines(&report);
                let new = RecordForm::typed(kind, None, None, FieldErrors::default());
                return kind_page(&state, &ctx, kind, new, Some("org_created"), codes).await;
            }
            Ok(_) => {
                let to = format!("/admin/org/{}?done=org_created#{}", kind.as_str(), anchor(&key));
                return Ok(see_other(&ctx, to));
            }
            Err(AppError::Invalid(list)) => form.errors = refusals(&ctx, kind, list),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let response = kind_page(&state, &ctx, kind, form, None, Vec::new()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}
