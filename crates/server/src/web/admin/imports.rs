//! `/admin/imports` — a file of the organisation or the catalog, uploaded, checked and then
//! published: the upload is a dry run that shows every row and what it would do (or every
//! bad row, by file or sheet, line and column); publishing posts the same file again from
//! a hidden field of the confirmation form (base64; the page holds no state), and the
//! import checks it again before writing. New staff's activation codes are shown once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use maud::{Markup, html};

use super::forms::admin_only;
use super::import_report::{ReportView, kind_label, report_tables};
use super::org_kind::{codes_notice, org_tabs};
use super::section_tabs;
use crate::AppState;
use crate::api::imports::{ImportKind, ImportReport, MAX_IMPORT_BYTES, run};
use crate::app::AppError;
use crate::app::tables::{Format, Upload};
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// The upload form, as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct ImportForm {
    /// The kind chosen.
    pub kind: String,
    /// The catalog version's label.
    pub label: String,
    /// The errors beside the fields.
    pub errors: FieldErrors,
}

/// The file being imported, carried by the confirmation form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Carried {
    /// The kind.
    pub kind: String,
    /// The catalog version's label.
    pub label: String,
    /// The file's name, if it had one.
    pub name: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// The file's bytes, base64.
    pub data: String,
}

/// A bad row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProblemLine {
    /// The sheet, or the file's name, or "".
    pub place: String,
    /// The line (CSV) or row (sheet).
    pub line: u64,
    /// The column, or "" for the whole row.
    pub column: String,
    /// Why, in the rule's words.
    pub message: String,
}

impl From<tongban_core::table::RowError> for ProblemLine {
    fn from(r: tongban_core::table::RowError) -> Self {
        ProblemLine {
            place: r.sheet.or(r.file).unwrap_or_default(),
            line: r.line,
            column: r.column.unwrap_or_default(),
            message: r.message,
        }
    }
}

/// A file's problems as a table, each said in the reader's language where its shape is known
/// (else in English, marked so).
pub(crate) fn problems_table(ctx: &Ctx, problems: &[ProblemLine]) -> Markup {
    html! {
        div.table-wrap {
            table.import-errors {
                caption { (ctx.t("imports.errors")) }
                thead { tr {
                    th scope="col" { (ctx.t("imports.place")) }
                    th scope="col" { (ctx.t("imports.line")) }
                    th scope="col" { (ctx.t("imports.column")) }
                    th scope="col" { (ctx.t("imports.message")) }
                } }
                tbody {
                    @for p in problems {
                        tr {
                            td { (p.place) }
                            td { (p.line) }
                            td { @if p.column.is_empty() { "–" } @else { code { (p.column) } } }
                            @match super::problems::say(ctx.lang, &p.message) {
                                (said, true) => td { (said) },
                                (english, false) => td lang="en" { (english) },
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the page shows below the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// A dry run passed: what would happen, and the form that publishes the same file.
    Checked(ReportView, Carried),
    /// The file has bad rows; nothing was written.
    Refused(Vec<ProblemLine>),
    /// Published.
    Published(ReportView),
}

/// The page's model.
#[derive(Debug, Clone)]
pub(super) struct ImportsView {
    /// The upload form.
    pub form: ImportForm,
    /// What happened.
    pub outcome: Option<Outcome>,
}

/// The page's body.
pub(super) fn render(ctx: &Ctx, v: &ImportsView) -> Markup {
    let errors = &v.form.errors;
    html! {
        h1 { (ctx.t("imports.title")) }
        (section_tabs(ctx))
        (org_tabs(ctx))
        p.lead { (ctx.t("imports.lead")) }
        @match &v.outcome {
            Some(Outcome::Published(report)) => {
                div.notice.ok role="status" { (ctx.t("imports.published")) }
                @if !report.codes.is_empty() { (codes_notice(ctx, &report.codes)) }
                (report_tables(ctx, report))
            }
            Some(Outcome::Checked(report, carried)) => {
                div.notice role="status" { (ctx.t("imports.checked")) }
                (report_tables(ctx, report))
                form.stack method="post" action="/admin/imports/publish" {
                    (view::csrf(ctx))
                    input type="hidden" name="kind" value=(carried.kind);
                    input type="hidden" name="label" value=(carried.label);
                    input type="hidden" name="name" value=(carried.name);
                    input type="hidden" name="format" value=(carried.format);
                    input type="hidden" name="data" value=(carried.data);
                    button.primary type="submit" { (ctx.t("imports.publish")) }
                }
            }
            Some(Outcome::Refused(problems)) => {
                div.notice.error role="alert" { (ctx.tf("imports.refused", &[("n", &problems.len().to_string())])) }
                (problems_table(ctx, problems))
            }
            None => {}
        }
        section.action aria-labelledby="h-upload" {
            h2 id="h-upload" { (ctx.t("imports.upload")) }
            p.hint {
                (ctx.t("export.template")) " "
                a href="/api/v1/exports/org?format=xlsx" download { (ctx.t("export.template_link")) }
            }
            form.stack method="post" action="/admin/imports" enctype="multipart/form-data" novalidate {
                (view::csrf(ctx))
                (view::form_error(errors))
                div class=(if errors.get("kind").is_some() { "field invalid" } else { "field" }) {
                    label for="f-kind" { (ctx.t("imports.kind_label")) span.req aria-hidden="true" { " *" } }
                    select id="f-kind" name="kind" {
                        @for k in ImportKind::ALL {
                            option value=(k.as_str()) selected[k.as_str() == v.form.kind] { (kind_label(ctx, k.as_str())) }
                        }
                    }
                    (view::field_error(errors, "kind"))
                }
                (view::input(ctx.t("imports.label"), "label", &v.form.label, errors,
                    Input { hint: Some(ctx.t("imports.label_hint")), ..Input::default() }))
                div class=(if errors.get("file").is_some() { "field invalid" } else { "field" }) {
                    label for="f-file" { (ctx.t("imports.file")) span.req aria-hidden="true" { " *" } }
                    p.hint { (ctx.t("imports.file_hint")) }
                    input id="f-file" type="file" name="file" required
                        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        aria-invalid=[errors.get("file").map(|_| "true")]
                        aria-describedby=[errors.get("file").map(|_| "err-file")];
                    (view::field_error(errors, "file"))
                }
                button.primary type="submit" { (ctx.t("imports.check")) }
            }
        }
    }
}

fn imports_page(ctx: &Ctx, model: &ImportsView, status: StatusCode) -> Response {
    (status, page(ctx, ctx.t("imports.title"), render(ctx, model))).into_response()
}

/// `GET /admin/imports`.
pub async fn imports(ctx: Ctx) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators import files")?;
    let form = ImportForm { kind: "staff".into(), ..ImportForm::default() };
    Ok(imports_page(&ctx, &ImportsView { form, outcome: None }, StatusCode::OK))
}

/// Runs the import and maps its answer to the page: the outcome, or the form's errors.
async fn attempt(
    state: &AppState,
    ctx: &Ctx,
    kind: ImportKind,
    file: &Upload<'_>,
    bytes: &[u8],
    label: &str,
    dry_run: bool,
) -> Result<Result<ImportReport, (FieldErrors, Option<Outcome>)>, WebError> {
    match run(state, &ctx.principal, kind, file, bytes, label, dry_run).await {
        Ok(report) => Ok(Ok(report)),
        Err(AppError::Rows(rows)) => {
            let problems = rows.into_iter().map(ProblemLine::from).collect();
            Ok(Err((FieldErrors::default(), Some(Outcome::Refused(problems)))))
        }
        Err(AppError::Invalid(list)) => {
            let mut errors = FieldErrors::default();
            for (field, raw) in list {
                let (field, message) = match field.as_str() {
                    "label" => ("label", ctx.t("imports.err_label").to_owned()),
                    "file" => ("file", ctx.t("imports.err_empty").to_owned()),
                    _ => ("", raw),
                };
                if errors.get(field).is_none() {
                    errors.add(field, message);
                }
            }
            Ok(Err((errors, None)))
        }
        Err(e) => Err(ctx.fail(e)),
    }
}

/// The form as posted (kind and label).
fn typed_form(fields: &Fields, errors: FieldErrors) -> ImportForm {
    ImportForm { kind: fields.get("kind").to_owned(), label: fields.get("label").to_owned(), errors }
}

/// `POST /admin/imports` — the upload: a dry run.
pub async fn check_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    admin_only(&ctx, "only administrators import files")?;
    let mut errors = FieldErrors::default();
    let kind = ImportKind::parse(fields.get("kind")).ok();
    if kind.is_none() {
        errors.add("kind", ctx.t("imports.err_kind"));
    }
    let file = files.iter().find(|f| f.field == "file");
    let format = file
        .and_then(|f| f.name.as_deref().and_then(Format::of_name).or_else(|| Format::of_content_type(&f.content_type)));
    match (file, format) {
        (None, _) => errors.add("file", ctx.t("imports.err_nothing")),
        (Some(_), None) => errors.add("file", ctx.t("imports.err_format")),
        (Some(f), Some(_)) if f.bytes.len() > MAX_IMPORT_BYTES => errors.add("file", ctx.t("imports.err_size")),
        _ => {}
    }
    let (Some(kind), Some(file), Some(format), true) = (kind, file, format, errors.is_empty()) else {
        let model = ImportsView { form: typed_form(&fields, errors), outcome: None };
        return Ok(imports_page(&ctx, &model, StatusCode::UNPROCESSABLE_ENTITY));
    };
    let upload = Upload { name: file.name.as_deref(), format };
    let label = fields.get("label");
    let (errors, outcome, status) = match attempt(&state, &ctx, kind, &upload, &file.bytes, label, true).await? {
        Ok(report) => {
            let carried = Carried {
                kind: kind.as_str().to_owned(),
                label: label.to_owned(),
                name: file.name.clone().unwrap_or_default(),
                format: format.extension().to_owned(),
                data: base64::engine::general_purpose::STANDARD.encode(&file.bytes),
            };
            (FieldErrors::default(), Some(Outcome::Checked(ReportView::of(&report), carried)), StatusCode::OK)
        }
        Err((errors, outcome)) => (errors, outcome, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let model = ImportsView { form: typed_form(&fields, errors), outcome };
    Ok(imports_page(&ctx, &model, status))
}

/// `POST /admin/imports/publish` — the confirmation: the same file, written. It is
/// checked again first (what is stored may have changed since the dry run).
pub async fn publish_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    admin_only(&ctx, "only administrators import files")?;
    let kind = ImportKind::parse(fields.get("kind")).map_err(|e| ctx.fail(AppError::BadParameter(e.to_string())))?;
    let format = Format::of_name(&format!("x.{}", fields.get("format")))
        .ok_or_else(|| ctx.fail(AppError::BadParameter("format is csv or xlsx".into())))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(fields.get("data"))
        .map_err(|_| ctx.fail(AppError::BadParameter("the file is not base64".into())))?;
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ctx.fail(AppError::TooLarge(MAX_IMPORT_BYTES)));
    }
    let name = Some(fields.get("name")).filter(|n| !n.is_empty());
    let upload = Upload { name, format };
    let label = fields.get("label");
    let (errors, outcome, status) = match attempt(&state, &ctx, kind, &upload, &bytes, label, false).await? {
        Ok(report) => (FieldErrors::default(), Some(Outcome::Published(ReportView::of(&report))), StatusCode::OK),
        Err((errors, outcome)) => (errors, outcome, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let model = ImportsView { form: typed_form(&fields, errors), outcome };
    Ok(imports_page(&ctx, &model, status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use crate::web::admin::import_report::RowLine;
    use tongban_core::identity::Role;

    #[test]
    fn a_dry_run_shows_each_row_and_carries_the_file_to_the_confirmation() {
        let report = ReportView {
            counts: vec![("staff".into(), 1, 0, 1)],
            rows: vec![
                RowLine { kind: "staff".into(), key: "li.na".into(), effect: "create".into() },
                RowLine { kind: "staff".into(), key: "clerk".into(), effect: "unchanged".into() },
            ],
            ..ReportView::default()
        };
        let carried = Carried {
            kind: "staff".into(),
            label: String::new(),
            name: "staff.csv".into(),
            format: "csv".into(),
            data: "bG9naW4=".into(),
        };
        let form = ImportForm { kind: "staff".into(), ..ImportForm::default() };
        let v = ImportsView { form, outcome: Some(Outcome::Checked(report, carried)) };
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains(r#"<tr class="effect-create"><td>"#), "{html}");
        assert!(html.contains("<code>li.na</code>"), "{html}");
        assert!(html.contains(r#"action="/admin/imports/publish""#), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="data" value="bG9naW4=">"#), "{html}");
        assert!(html.contains(r#"<option value="staff" selected>"#), "{html}");
        assert!(html.contains(r#"<a href="/api/v1/exports/org?format=xlsx" download>"#), "the template: {html}");
        assert!(!html.contains("[?]"), "{html}");
    }

    #[test]
    fn a_refused_file_lists_each_bad_row_in_a_table() {
        let problems = vec![ProblemLine {
            place: "departments.csv".into(),
            line: 3,
            column: "division".into(),
            message: "unknown division 999999".into(),
        }];
        let v = ImportsView { form: ImportForm::default(), outcome: Some(Outcome::Refused(problems)) };
        let html = render(&Ctx::for_test_as(Lang::Zh, Role::Administrator), &v).into_string();
        // Said in the page's language, the kind of record named too.
        let said = Lang::Zh.t("problem.unknown").replace("{what}", Lang::Zh.t("problem.noun.division"));
        let said = said.replace("{code}", "999999");
        let row = format!("<tr><td>departments.csv</td><td>3</td><td><code>division</code></td><td>{said}</td></tr>");
        assert!(html.contains(&row), "{html}");
        assert!(!html.contains("publish"), "nothing to confirm: {html}");
        assert!(!html.contains("[?]"), "{html}");
    }
}
