//! `/admin/calendar/import` — a year's holiday schedule (放假安排) for the working calendar,
//! as a CSV file or the rows pasted.

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};

use super::{admin_only, heading, refused};
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::web::admin::calendar::YearQuery;
use crate::web::admin::see_other;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// The calendar import form, as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct CalendarImportForm {
    /// The year, as typed (the one offered when first shown).
    pub year: String,
    /// The rows pasted.
    pub csv: String,
    /// The errors beside the fields.
    pub errors: FieldErrors,
}

/// The form's model: `year` offered when first shown; else as `fields` were posted.
pub(super) fn form(year: i16, fields: Option<&Fields>, errors: FieldErrors) -> CalendarImportForm {
    CalendarImportForm {
        year: view::typed(fields, "year", &year.to_string()).to_owned(),
        csv: view::typed(fields, "csv", "").to_owned(),
        errors,
    }
}

/// The calendar import page's body.
pub(super) fn render(ctx: &Ctx, v: &CalendarImportForm) -> Markup {
    let errors = &v.errors;
    let csv_invalid = errors.get("csv").is_some();
    html! {
        (heading(ctx, ctx.t("cal.import_title"), ctx.t("cal.import_lead"), errors))
        form.stack method="post" action="/admin/calendar/import" enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            (view::input(ctx.t("cal.import_year"), "year", &v.year, errors,
                Input { kind: "number", required: true, ..Input::default() }))
            div.field {
                label for="f-file" { (ctx.t("cal.import_file")) }
                input id="f-file" type="file" name="file" accept=".csv,text/csv,text/plain";
            }
            div class=(if csv_invalid { "field invalid" } else { "field" }) {
                label for="f-csv" { (ctx.t("cal.import_text")) }
                p.hint { code { "date,kind,name" } " · " (ctx.t("cal.import_text_hint")) }
                textarea id="f-csv" name="csv" rows="12" spellcheck="false"
                    aria-invalid=[csv_invalid.then_some("true")]
                    aria-describedby=[csv_invalid.then_some("err-csv")] { (v.csv) }
                (view::field_error(errors, "csv"))
            }
            button.primary type="submit" { (ctx.t("cal.import_submit")) }
        }
        p { a href="/admin/calendar" { (ctx.t("cal.back")) } }
    }
}

/// The year after today's, offered when none is asked for.
fn next_year(state: &AppState) -> i16 {
    tongban_core::case::CaseNumber::year_of(state.now()) + 1
}

/// `GET /admin/calendar/import[?year=Y]`: the year offered is the one asked for, else next year.
pub async fn calendar_import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators import the calendar")?;
    let year = q.year.unwrap_or_else(|| next_year(&state));
    Ok(page(&ctx, ctx.t("cal.import_title"), render(&ctx, &form(year, None, FieldErrors::default()))))
}

/// `POST /admin/calendar/import`: a CSV file, or the rows pasted, for one year.
pub async fn calendar_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    admin_only(&ctx, "only administrators import the calendar")?;
    let mut errors = FieldErrors::default();
    let year = fields.get("year").trim().parse::<i16>().ok();
    if year.is_none() {
        errors.add("year", ctx.t("cal.err_year"));
    }
    let file = files.iter().find(|f| f.field == "file" && !f.bytes.is_empty());
    let text = match file {
        Some(f) => String::from_utf8(f.bytes.to_vec()).ok(),
        None => Some(fields.get("csv").to_owned()),
    };
    let text = text.filter(|t| !t.trim().is_empty());
    if text.is_none() {
        errors.add("csv", ctx.t("cal.err_nothing"));
    }
    if let (Some(year), Some(text), true) = (year, text, errors.is_empty()) {
        match app::import_calendar_year(&state, &ctx.principal, year, &text).await {
            Ok(_) => {
                return Ok(see_other(&ctx, format!("/admin/calendar?year={year}&done=calendar_imported")));
            }
            Err(AppError::Invalid(list)) => {
                for (f, m) in list {
                    let field = if f == "year" { "year" } else { "csv" };
                    if errors.get(field).is_none() {
                        errors.add(field, m);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let model = form(year.unwrap_or_else(|| next_year(&state)), Some(&fields), errors);
    Ok(refused(&ctx, ctx.t("cal.import_title"), render(&ctx, &model)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn the_form_first_shown_offers_the_given_year_and_no_rows() {
        let v = form(2027, None, FieldErrors::default());
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains(r#"name="year" type="number" value="2027" required>"#), "{html}");
        assert!(html.contains(r#"spellcheck="false"></textarea>"#), "{html}");
        assert!(!html.contains("field-error"), "{html}");
    }

    #[test]
    fn a_refused_import_keeps_what_was_typed_even_a_bad_year() {
        let fields = Fields(vec![("year".into(), "20x7".into()), ("csv".into(), "2027-01-01,holiday,<New>".into())]);
        let mut errors = FieldErrors::default();
        errors.add("year", "not a year");
        let v = form(2027, Some(&fields), errors);
        assert_eq!(v.year, "20x7");
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains(r#"value="20x7" required aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"<p class="field-error" id="err-year" role="alert">not a year</p>"#), "{html}");
        assert!(html.contains(">2027-01-01,holiday,&lt;New&gt;</textarea>"), "{html}");
    }
}
