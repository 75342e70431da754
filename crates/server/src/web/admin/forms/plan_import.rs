//! `/admin/plans/import` — an approval plan from a BPMN 2.0 document, uploaded or pasted;
//! errors come back beside the field, naming the element, its id and line.

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

use super::{admin_only, heading, refused};
use crate::AppState;
use crate::app;
use crate::app::{AppError, MAX_BPMN_BYTES};
use crate::web::admin::see_other;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::page;
use crate::web::view;

/// The plan import form: the document as pasted, and the errors under `file` or `bpmn`.
#[derive(Debug, Clone, Default)]
pub(super) struct PlanImportForm {
    /// The document pasted into the text area.
    pub text: String,
    /// The errors beside the fields.
    pub errors: FieldErrors,
}

/// The plan import page's body.
pub(super) fn render(ctx: &Ctx, v: &PlanImportForm) -> Markup {
    let errors = &v.errors;
    let invalid = errors.get("bpmn").is_some();
    html! {
        (heading(ctx, ctx.t("plans.import_title"), ctx.t("plans.import_lead"), errors))
        form.stack method="post" action="/admin/plans/import" enctype="multipart/form-data" novalidate {
            (view::csrf(ctx))
            div class=(if errors.get("file").is_some() { "field invalid" } else { "field" }) {
                label for="f-file" { (ctx.t("plans.import_file")) }
                input id="f-file" type="file" name="file" accept=".bpmn,.xml,application/xml,text/xml"
                    aria-invalid=[errors.get("file").map(|_| "true")]
                    aria-describedby=[errors.get("file").map(|_| "err-file")];
                (view::field_error(errors, "file"))
            }
            div class=(if invalid { "field invalid" } else { "field" }) {
                label for="f-bpmn" { (ctx.t("plans.import_text")) }
                textarea id="f-bpmn" name="bpmn" rows="14" spellcheck="false"
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[invalid.then_some("err-bpmn")] { (v.text) }
                (view::field_error(errors, "bpmn"))
            }
            button.primary type="submit" { (ctx.t("plans.import_submit")) }
        }
        p { a href="/admin/plans" { (ctx.t("plans.back")) } }
    }
}

/// The plan's problems as one message: a problem of the document itself in its own words,
/// any other prefixed with what it concerns.
fn problems(list: &[(String, String)]) -> String {
    let all: Vec<String> =
        list.iter().map(|(f, m)| if f == "bpmn" { m.clone() } else { format!("{f}: {m}") }).collect();
    all.join(" · ")
}

/// `GET /admin/plans/import`.
pub async fn plan_import_page(ctx: Ctx) -> Result<Response, WebError> {
    admin_only(&ctx, "only administrators import plans here")?;
    Ok(page(&ctx, ctx.t("plans.import_title"), render(&ctx, &PlanImportForm::default())))
}

/// `POST /admin/plans/import`: a file, or the document pasted.
pub async fn plan_import(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, files } = posted;
    admin_only(&ctx, "only administrators import plans here")?;
    let typed = fields.get("bpmn").to_owned();
    let mut errors = FieldErrors::default();
    let file = files.iter().find(|f| f.field == "file" && !f.bytes.is_empty());
    let text = match file {
        Some(f) if f.bytes.len() > MAX_BPMN_BYTES => {
            errors.add("file", ctx.tf("plans.too_large", &[("n", &(MAX_BPMN_BYTES / 1024 / 1024).to_string())]));
            None
        }
        Some(f) => match std::str::from_utf8(&f.bytes) {
            Ok(t) => Some(t.to_owned()),
            Err(_) => {
                errors.add("file", ctx.t("plans.not_utf8"));
                None
            }
        },
        None if typed.trim().is_empty() => {
            errors.add("bpmn", ctx.t("plans.nothing"));
            None
        }
        None => Some(typed.clone()),
    };
    if let Some(text) = text {
        match app::import_plan(&state, &ctx.principal, &text).await {
            Ok((plan, version)) => {
                return Ok(see_other(&ctx, format!("/admin/plans?done=plan_imported&v={version}#plan-{}", plan.id())));
            }
            Err(AppError::Invalid(list)) => errors.add(if file.is_some() { "file" } else { "bpmn" }, problems(&list)),
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    let body = render(&ctx, &PlanImportForm { text: typed, errors });
    Ok(refused(&ctx, ctx.t("plans.import_title"), body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn a_refused_document_is_shown_again_with_its_problems_beside_it() {
        let mut errors = FieldErrors::default();
        let list = [("bpmn".to_owned(), "no start event".to_owned()), ("Task_1".to_owned(), "no item".to_owned())];
        errors.add("bpmn", problems(&list));
        let v = PlanImportForm { text: "<definitions/>".into(), errors };
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(html.contains(r#"aria-describedby="err-bpmn">&lt;definitions/&gt;</textarea>"#), "{html}");
        assert!(
            html.contains(r#"<p class="field-error" id="err-bpmn" role="alert">no start event · Task_1: no item</p>"#),
            "{html}"
        );
        assert!(!html.contains("err-file"), "{html}");
    }
}
