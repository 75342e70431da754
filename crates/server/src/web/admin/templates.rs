//! `/admin/document-templates` — the templates sealed documents are written from, one per
//! kind, each saved as a new version (documents already issued keep theirs). A refused
//! template comes back with the reason beside it and what was typed kept.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::document::DocumentKind;
use tongban_core::document::FIELDS;

use super::{DoneQuery, section_tabs, see_other};
use crate::AppState;
use crate::app::AppError;
use crate::app::documents;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Posted};
use crate::web::layout::page;
use crate::web::view;
use tongban_core::document::Template;

/// One kind's template as the page shows it.
#[derive(Debug, Clone)]
pub(super) struct TemplateBox {
    /// The kind, by its machine name.
    pub kind: String,
    /// The version in force.
    pub version: u32,
    /// The text in the form: the version in force, or what was typed when refused.
    pub body: String,
    /// Why the typed text was refused.
    pub errors: FieldErrors,
}

/// The page: the notice after a save and each kind's box.
#[derive(Debug, Clone, Default)]
pub(super) struct TemplatesView {
    /// The kind saved, after a redirect.
    pub saved: Option<String>,
    /// One box per kind.
    pub boxes: Vec<TemplateBox>,
}

/// The page's model from the templates in force, with one kind's refused text shown again.
pub(super) fn view(
    templates: &[Template],
    refused: Option<(&str, &str, FieldErrors)>,
    saved: Option<&str>,
) -> TemplatesView {
    let boxes = templates
        .iter()
        .map(|t| {
            let kind = t.kind.as_str();
            match &refused {
                Some((k, body, errors)) if *k == kind => TemplateBox {
                    kind: kind.to_owned(),
                    version: t.version,
                    body: (*body).to_owned(),
                    errors: errors.clone(),
                },
                _ => TemplateBox {
                    kind: kind.to_owned(),
                    version: t.version,
                    body: t.body.clone(),
                    errors: FieldErrors::default(),
                },
            }
        })
        .collect();
    TemplatesView { saved: saved.map(str::to_owned), boxes }
}

/// Draws the page.
pub(super) fn render(ctx: &Ctx, v: &TemplatesView) -> Markup {
    html! {
        h1 { (ctx.t("doc.templates_title")) }
        (section_tabs(ctx))
        @if let Some(kind) = &v.saved {
            div.notice.ok role="status" { (ctx.tf("doc.template_saved", &[("kind", ctx.t(&format!("doc.kind_name.{kind}")))])) }
        }
        p.lead { (ctx.t("doc.templates_lead")) }
        details {
            summary { (ctx.t("doc.fields_title")) }
            dl.facts { @for (name, what) in FIELDS { dt { code { "{{" (name) "}}" } } dd { (what) } } }
        }
        @for b in &v.boxes {
            @let id = format!("t-{}", b.kind);
            section.action id=(id) aria-labelledby=(format!("h-{id}")) {
                h2 id=(format!("h-{id}")) {
                    (ctx.t(&format!("doc.kind_name.{}", b.kind))) " "
                    span.badge { (ctx.tf("doc.template_version", &[("n", &b.version.to_string())])) }
                }
                @if !b.errors.is_empty() { div.notice.error role="alert" { (ctx.t("err.see_fields")) } }
                form.stack method="post" action=(format!("/admin/document-templates/{}", b.kind)) novalidate {
                    (view::csrf(ctx))
                    @let field = view::field_id(&b.kind, "body");
                    @let invalid = !b.errors.is_empty();
                    div class=(if invalid { "field invalid" } else { "field" }) {
                        label for=(field) { (ctx.t("doc.template_body")) }
                        p.hint { (ctx.t("doc.template_hint")) }
                        textarea id=(field) name="body" rows="16" required aria-invalid=[invalid.then_some("true")] { (b.body) }
                        @for (_, m) in &b.errors.0 { p.field-error role="alert" { (m) } }
                    }
                    button.primary type="submit" { (ctx.t("doc.template_submit")) }
                }
            }
        }
    }
}

async fn templates_page(
    state: &AppState,
    ctx: &Ctx,
    refused: Option<(&str, &str, FieldErrors)>,
    saved: Option<&str>,
) -> Result<Response, WebError> {
    let all = documents::templates(state, &ctx.principal).await.map_err(|e| ctx.fail(e))?;
    let model = view(&all, refused, saved);
    Ok(page(ctx, ctx.t("doc.templates_title"), render(ctx, &model)))
}

/// `GET /admin/document-templates`.
pub async fn templates(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    // `done` names the kind saved; anything else is not shown.
    let saved = q.done.as_deref().and_then(DocumentKind::parse).map(DocumentKind::as_str);
    templates_page(&state, &ctx, None, saved).await
}

/// `POST /admin/document-templates/{kind}` — saves a new version of a kind's template.
pub async fn save(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let body = fields.get("body");
    // Who may save is answered before what does not exist.
    crate::app::authorize(&ctx.principal, tongban_core::access::Action::ManageTemplates).map_err(|e| ctx.fail(e))?;
    let Some(parsed) = DocumentKind::parse(&kind) else {
        return Err(ctx.fail(AppError::NotFound(format!("no document kind {kind:?}"))));
    };
    let mut errors = FieldErrors::default();
    match documents::save_template(&state, &ctx.principal, parsed, body).await {
        Ok(_) => return Ok(see_other(&ctx, format!("/admin/document-templates?done={}#t-{kind}", parsed.as_str()))),
        Err(AppError::Invalid(list)) => {
            // The fields named are the template's placeholders, not the form's: the rule's
            // own words say which.
            for (f, m) in list {
                errors.add(&f, ctx.tf("doc.template_refused", &[("why", &m)]));
            }
        }
        Err(e) => return Err(ctx.fail(e)),
    }
    let response = templates_page(&state, &ctx, Some((parsed.as_str(), body, errors)), None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;
    use tongban_core::identity::Role;

    #[test]
    fn a_refused_template_is_shown_again_as_typed_beside_its_reason() {
        let templates: Vec<Template> = DocumentKind::ALL.iter().map(|k| Template::builtin(*k)).collect();
        let mut errors = FieldErrors::default();
        errors.add("no_such_field", "unknown field");
        let v = view(&templates, Some(("denial", "{{no_such_field}} draft", errors)), None);
        assert_eq!(v.boxes.len(), 6);
        let html = render(&Ctx::for_test_as(Lang::En, Role::Administrator), &v).into_string();
        assert!(
            html.contains("{{no_such_field}} draft</textarea><p class=\"field-error\" role=\"alert\">unknown field"),
            "{html}"
        );
        assert!(html.contains("action=\"/admin/document-templates/approval\""), "{html}");
        assert!(html.contains("<code>{{case_number}}</code>"), "{html}");
    }
}
