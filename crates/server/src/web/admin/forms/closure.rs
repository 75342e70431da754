//! `/admin/calendar/closures` — a closure (闭厅): a division's hall closed on one day, added
//! or lifted.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use super::{admin_only, heading, refused};
use crate::AppState;
use crate::app;
use crate::app::AppError;
use crate::web::admin::see_other;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::page;
use crate::web::view::{self, Input};

/// The closure form, as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct ClosureForm {
    /// The divisions offered (codes).
    pub divisions: Vec<String>,
    /// The division chosen (the first, when first shown).
    pub division: String,
    /// The day, as typed.
    pub date: String,
    /// The reason, as typed.
    pub name: String,
    /// The errors beside the fields.
    pub errors: FieldErrors,
}

/// The form's model: the first division chosen when first shown; else as `fields` were posted.
pub(super) fn form(divisions: Vec<String>, fields: Option<&Fields>, errors: FieldErrors) -> ClosureForm {
    let first = divisions.first().map_or("", String::as_str);
    ClosureForm {
        division: view::typed(fields, "division", first).to_owned(),
        date: view::typed(fields, "date", "").to_owned(),
        name: view::typed(fields, "name", "").to_owned(),
        errors,
        divisions,
    }
}

/// The closure page's body.
pub(super) fn render(ctx: &Ctx, v: &ClosureForm) -> Markup {
    let errors = &v.errors;
    let division_invalid = errors.get("division").is_some();
    html! {
        (heading(ctx, ctx.t("cal.closure_title"), ctx.t("cal.closures_hint"), errors))
        form.stack method="post" action="/admin/calendar/closures" novalidate {
            (view::csrf(ctx))
            div class=(if division_invalid { "field invalid" } else { "field" }) {
                label for="f-division" { (ctx.t("cal.division")) }
                select id="f-division" name="division" aria-invalid=[division_invalid.then_some("true")] {
                    @for d in &v.divisions {
                        option value=(d) selected[*d == v.division] { (d) }
                    }
                }
                (view::field_error(errors, "division"))
            }
            (view::input(ctx.t("cal.date"), "date", &v.date, errors,
                Input { kind: "date", required: true, ..Input::default() }))
            (view::input(ctx.t("cal.reason"), "name", &v.name, errors,
                Input { required: true, ..Input::default() }))
            button.primary type="submit" { (ctx.t("cal.closure_submit")) }
        }
        p { a href="/admin/calendar#closures" { (ctx.t("cal.back")) } }
    }
}

async fn division_options(state: &AppState, ctx: &Ctx) -> Result<Vec<String>, WebError> {
    let codes = app::public::division_codes(state).await.map_err(|e| ctx.fail(e))?;
    Ok(codes.into_iter().map(|c| c.to_string()).collect())
}

/// `GET /admin/calendar/closures`: the form for a new closure.
pub async fn closure_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators change the calendar")?;
    let divisions = division_options(&state, &ctx).await?;
    Ok(page(&ctx, ctx.t("cal.closure_title"), render(&ctx, &form(divisions, None, FieldErrors::default()))))
}

/// `POST /admin/calendar/closures` (add) and `POST /admin/calendar/closures/lift`.
async fn closure_post(state: AppState, posted: Posted, lift: bool) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    admin_only(&ctx, "only administrators change the calendar")?;
    let mut errors = FieldErrors::default();
    let division = tongban_core::division::DivisionCode::parse(fields.get("division").trim()).ok();
    if division.is_none() {
        errors.add("division", ctx.t("cal.err_division"));
    }
    let date = fields.get("date").trim().parse::<jiff::civil::Date>().ok();
    if date.is_none() {
        errors.add("date", ctx.t("cal.err_date"));
    }
    if let (Some(division), Some(date), true) = (division, date, errors.is_empty()) {
        let closure = tongban_core::calendar::Closure { division, date, name: fields.get("name").to_owned() };
        match app::set_closure(&state, &ctx.principal, closure, lift).await {
            Ok(_) => {
                let done = if lift { "closure_lifted" } else { "closure_saved" };
                return Ok(see_other(&ctx, format!("/admin/calendar?year={}&done={done}", date.year())));
            }
            Err(AppError::Invalid(list)) => {
                for (f, m) in list {
                    if errors.get(&f).is_none() {
                        errors.add(&f, m);
                    }
                }
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let divisions = division_options(&state, &ctx).await?;
    let body = render(&ctx, &form(divisions, Some(&fields), errors));
    Ok(refused(&ctx, ctx.t("cal.closure_title"), body))
}

/// `POST /admin/calendar/closures`: adds a closure.
pub async fn closure_add(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    closure_post(state, posted, false).await
}

/// `POST /admin/calendar/closures/lift`: lifts a closure.
pub async fn closure_lift(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    closure_post(state, posted, true).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    fn divisions() -> Vec<String> {
        vec!["350100".to_owned(), "350102".to_owned()]
    }

    #[test]
    fn the_form_first_shown_chooses_the_first_division() {
        let html =
            render(&Ctx::for_test_as(Lang::En, Role::Administrator), &form(divisions(), None, FieldErrors::default()))
                .into_string();
        assert!(html.contains(r#"<option value="350100" selected>350100</option><option value="350102">"#), "{html}");
    }

    #[test]
    fn a_refused_closure_keeps_the_division_chosen_and_marks_the_bad_date() {
        let fields = Fields(vec![
            ("division".into(), "350102".into()),
            ("date".into(), "2027-02-30".into()),
            ("name".into(), "Typhoon".into()),
        ]);
        let mut errors = FieldErrors::default();
        errors.add("date", "not a date");
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &form(divisions(), Some(&fields), errors))
            .into_string();
        assert!(html.contains(r#"<option value="350100">350100</option><option value="350102" selected>"#), "{html}");
        assert!(html.contains(r#"value="2027-02-30" required aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"<p class="field-error" id="err-date" role="alert">not a date</p>"#), "{html}");
        assert!(html.contains(r#"value="Typhoon" required>"#), "{html}");
    }
}
