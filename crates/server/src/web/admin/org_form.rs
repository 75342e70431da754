//! The form of one record of the organisation, shared by the create form of a kind's page
//! and the edit page: a field per column of the kind's table, a list for what it refers
//! to (sites, departments, windows, roles), the refusals of the use case beside the fields.

use maud::{Markup, html};
use tongban_core::identity::Role;
use tongban_core::org::import::{OrgKind, Record};

use super::org_kind::column_label;
use crate::AppState;
use crate::app::organisation as org;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields};
use crate::web::view::{self, Input};

/// A record offered in a form's list: (code, name).
pub(super) type Choice = (String, String);

/// What a form may refer to: the records in service.
#[derive(Debug, Clone, Default)]
pub(super) struct Choices {
    /// Sites.
    pub sites: Vec<Choice>,
    /// Departments.
    pub departments: Vec<Choice>,
    /// Windows.
    pub windows: Vec<Choice>,
}

/// A record's form: what it holds (or what was typed), and the errors beside the fields.
#[derive(Debug, Clone)]
pub(super) struct RecordForm {
    /// The kind.
    pub kind: OrgKind,
    /// The record's key when editing one; none for a new one.
    pub editing: Option<String>,
    /// Each column's value, in column order.
    pub values: Vec<(&'static str, String)>,
    /// The errors by column ("" for the whole form).
    pub errors: FieldErrors,
}

impl RecordForm {
    /// A form of `kind` holding `fields` (a posted form, or nothing for a new record).
    pub fn typed(kind: OrgKind, editing: Option<String>, fields: Option<&Fields>, errors: FieldErrors) -> Self {
        let default = |c: &str| if kind == OrgKind::Staff && c == "role" { "window_clerk" } else { "" };
        let key = kind.columns()[0];
        let values = kind
            .columns()
            .iter()
            .map(|c| match (&editing, *c == key) {
                (Some(k), true) => (*c, k.clone()),
                _ => (*c, view::typed(fields, c, default(c)).trim().to_owned()),
            })
            .collect::<Vec<_>>();
        let mut form = RecordForm { kind, editing, values, errors };
        form.add_first_responsible(view::typed(fields, org::FIRST_RESPONSIBLE, "").trim().to_owned());
        form
    }

    /// A department's form also names its 审批第一责任人 (not a column of its table).
    pub fn add_first_responsible(&mut self, login: String) {
        if self.kind == OrgKind::Departments {
            self.values.retain(|(c, _)| *c != org::FIRST_RESPONSIBLE);
            self.values.push((org::FIRST_RESPONSIBLE, login));
        }
    }

    /// A form holding a stored record.
    pub fn of(record: &Record) -> Self {
        let values = record.kind().columns().iter().copied().zip(record.cells()).collect();
        let mut form = RecordForm {
            kind: record.kind(),
            editing: Some(record.key().to_owned()),
            values,
            errors: FieldErrors::default(),
        };
        form.add_first_responsible(String::new());
        form
    }

    /// The fields to store, named as the columns (an edited record's key is its own).
    pub fn fields(&self) -> std::collections::BTreeMap<String, String> {
        self.values.iter().map(|(c, v)| ((*c).to_owned(), v.clone())).collect()
    }
}

/// A select of `choices` keeping `value` (even one no longer offered), with an empty
/// option `none` unless the field is required.
fn select(
    ctx: &Ctx,
    column: &str,
    value: &str,
    choices: &[Choice],
    none: Option<&str>,
    errors: &FieldErrors,
) -> Markup {
    let id = view::field_id("", column);
    let invalid = errors.get(column).is_some();
    let offered = value.is_empty() || choices.iter().any(|(c, _)| c == value);
    html! {
        div class=(if invalid { "field invalid" } else { "field" }) {
            label for=(id) { (column_label(ctx, column)) @if none.is_none() { span.req aria-hidden="true" { " *" } } }
            select id=(id) name=(column) aria-invalid=[invalid.then_some("true")] aria-describedby=[invalid.then(|| format!("err-{column}"))] {
                @if let Some(n) = none { option value="" { (n) } }
                @if !offered { option value=(value) selected { (value) } }
                @for (code, name) in choices {
                    option value=(code) selected[code == value] { (name) " (" (code) ")" }
                }
            }
            (view::field_error(errors, column))
        }
    }
}

/// The form of a record: a field per column, a list for what it refers to.
pub(super) fn record_form(ctx: &Ctx, f: &RecordForm, choices: &Choices, action: &str) -> Markup {
    let errors = &f.errors;
    let key = f.kind.columns()[0];
    let roles: Vec<Choice> = Role::ALL
        .into_iter()
        .filter(|r| !matches!(r, Role::Public | Role::Applicant))
        .map(|r| (r.as_str().to_owned(), ctx.t(&format!("role.{}", r.as_str())).to_owned()))
        .collect();
    html! {
        form.stack method="post" action=(action) novalidate {
            (view::csrf(ctx))
            (view::form_error(errors))
            @for (column, value) in &f.values {
                @let required = *column == key || *column == "name" || (*column == "division" && f.kind != OrgKind::Divisions);
                @let hint = ctx.lang.get(&format!("org.hint.{}.{column}", f.kind.as_str()));
                @match *column {
                    "role" => (select(ctx, column, value, &roles, None, errors)),
                    "site" => (select(ctx, column, value, &choices.sites, Some(ctx.t("org.none")), errors)),
                    "department" => (select(ctx, column, value, &choices.departments, Some(ctx.t(&format!("org.no_department.{}", f.kind.as_str()))), errors)),
                    "window" => (select(ctx, column, value, &choices.windows, Some(ctx.t("org.none")), errors)),
                    _ => (view::input(column_label(ctx, column), column, value, errors, Input {
                        required,
                        readonly: *column == key && f.editing.is_some(),
                        hint,
                        autocomplete: Some("off"),
                        ..Input::default()
                    })),
                }
            }
            button.primary type="submit" { (ctx.t(if f.editing.is_some() { "org.save" } else { "org.create" })) }
        }
    }
}

/// The records in service of `kind` as choices.
async fn choices_of(state: &AppState, ctx: &Ctx, kind: OrgKind) -> Result<Vec<Choice>, WebError> {
    let records = org::org_records(state, &ctx.principal, kind).await.map_err(|e| ctx.fail(e))?;
    Ok(records.into_iter().filter(|(_, retired)| !retired).map(|(r, _)| (r.key().to_owned(), name_of(&r))).collect())
}

fn name_of(record: &Record) -> String {
    record.cells().get(1).cloned().unwrap_or_default()
}

/// What the forms of `kind` refer to (only what they need).
pub(super) async fn load_choices(state: &AppState, ctx: &Ctx, kind: OrgKind) -> Result<Choices, WebError> {
    let mut choices = Choices::default();
    if kind.columns().contains(&"site") {
        choices.sites = choices_of(state, ctx, OrgKind::Sites).await?;
    }
    if kind.columns().contains(&"department") {
        choices.departments = choices_of(state, ctx, OrgKind::Departments).await?;
    }
    if kind.columns().contains(&"window") {
        choices.windows = choices_of(state, ctx, OrgKind::Windows).await?;
    }
    Ok(choices)
}

/// The message beside a field the use case refused: the message file's words for the
/// column (the kind's own first), else the rule's.
pub(super) fn field_message(ctx: &Ctx, kind: OrgKind, column: &str, raw: &str) -> String {
    ctx.lang
        .get(&format!("org_err.{}.{column}", kind.as_str()))
        .or_else(|| ctx.lang.get(&format!("org_err.{column}")))
        .map_or_else(|| raw.to_owned(), str::to_owned)
}

/// The refusals of a record's fields as the form's errors.
pub(super) fn refusals(ctx: &Ctx, kind: OrgKind, list: Vec<(String, String)>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (column, raw) in list {
        let ours = kind.columns().contains(&column.as_str())
            || (kind == OrgKind::Departments && column == org::FIRST_RESPONSIBLE);
        let field = if ours { column } else { String::new() };
        if errors.get(&field).is_none() {
            let message = field_message(ctx, kind, &field, &raw);
            errors.add(&field, message);
        }
    }
    errors
}
