//! The kiosk's document download (文书下载, `/kiosk/documents`): a case's number and the
//! applicant's phone list its sealed documents, each downloaded by a small form (the phone
//! never goes into a link). No login; rate-limited; a wrong combination reads exactly as an
//! unknown case, so the page tells nobody which numbers exist.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tongban_core::case::CaseNumber;

use super::back;
use super::lookup::number_and_phone_form;
use crate::AppState;
use crate::api::documents::{day, pdf_download};
use crate::app::AppError;
use crate::app::documents::{self, DocumentSummary};
use crate::app::limits::Rated;
use crate::web::ctx::Ctx;
use crate::web::error::WebError;
use crate::web::form::{FieldErrors, Fields, Posted};
use crate::web::layout::kiosk;
use crate::web::view;

/// The form: case number and phone, as typed.
#[derive(Debug, Clone, Default)]
pub struct DocumentsForm {
    /// The case number typed.
    pub number: String,
    /// The phone typed.
    pub phone: String,
    /// What was wrong.
    pub errors: FieldErrors,
}

/// One document as the kiosk lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskDocument {
    /// 文号.
    pub number: String,
    /// The kind, by its machine name.
    pub kind: String,
    /// The day issued.
    pub date: String,
    /// `valid`, `revoked` or `cancelled`.
    pub status: String,
}

impl KioskDocument {
    /// The row of `d`.
    pub fn of(d: &DocumentSummary) -> Self {
        KioskDocument {
            number: d.number.clone(),
            kind: d.kind.as_str().to_owned(),
            date: day(d.issued_at),
            status: d.status.as_str().to_owned(),
        }
    }
}

/// Draws the form.
pub fn render_form(ctx: &Ctx, f: &DocumentsForm) -> Markup {
    number_and_phone_form(ctx, ctx.t("doc.kiosk_title"), "/kiosk/documents", &f.number, &f.phone, &f.errors)
}

/// Draws a case's documents, each with its download form.
pub fn render_list(ctx: &Ctx, number: &str, phone: &str, docs: &[KioskDocument]) -> Markup {
    html! {
        h1 { (ctx.t("doc.kiosk_title")) }
        p.big-number { code { (number) } }
        @if docs.is_empty() {
            p { (ctx.t("doc.none")) }
        } @else {
            ul.cards.big-cards {
                @for d in docs {
                    li.result-card {
                        p { strong { (ctx.t(&format!("doc.kind_name.{}", d.kind))) } }
                        dl.facts {
                            dt { (ctx.t("doc.number")) } dd { code { (d.number) } }
                            dt { (ctx.t("doc.date")) } dd { (d.date) }
                            dt { (ctx.t("doc.status_label")) } dd { (ctx.t(&format!("doc.status.{}", d.status))) }
                        }
                        form method="post" action="/kiosk/documents/download" {
                            (view::csrf(ctx))
                            input type="hidden" name="number" value=(number);
                            input type="hidden" name="phone" value=(phone);
                            input type="hidden" name="document" value=(d.number);
                            button.primary.big-button type="submit" { (ctx.t("doc.download")) }
                        }
                    }
                }
            }
        }
        (back(ctx))
    }
}

/// `GET /kiosk/documents`.
pub async fn documents_page(ctx: Ctx) -> Response {
    kiosk(&ctx, ctx.t("doc.kiosk_title"), render_form(&ctx, &DocumentsForm::default()), true)
}

/// The form shown again with what was typed and why it was refused.
fn refused(ctx: &Ctx, fields: &Fields, errors: FieldErrors) -> Response {
    let model =
        DocumentsForm { number: fields.get("number").to_owned(), phone: fields.get("phone").to_owned(), errors };
    let body = render_form(ctx, &model);
    (StatusCode::UNPROCESSABLE_ENTITY, kiosk(ctx, ctx.t("doc.kiosk_title"), body, true)).into_response()
}

/// Adds the look-up's refusal to `errors`: not found (whatever did not match) or too many
/// tries; anything else fails the page.
fn refusal(ctx: &Ctx, e: AppError, errors: &mut FieldErrors) -> Result<(), WebError> {
    match e {
        AppError::NotFound(_) => errors.add("", ctx.t("kiosk.not_found")),
        AppError::TooManyAttempts(s) => errors.add("", ctx.tf("login.too_many", &[("s", &s.to_string())])),
        e => return Err(ctx.fail(e)),
    }
    Ok(())
}

/// The case number typed, or the "not found" every miss reads as.
fn case_number(number: &str) -> Result<CaseNumber, AppError> {
    CaseNumber::parse(number.trim()).map_err(|_| AppError::NotFound("no case with that number and phone".into()))
}

/// Runs a look-up by case number and phone under the address's rate and the case number's
/// back-off after misses, shared with the kiosk's case look-up (per number only: a kiosk is
/// shared, so one person's typos must not lock it for the next).
async fn guarded<T>(
    state: &AppState,
    ctx: &Ctx,
    number: &str,
    look_up: impl AsyncFnOnce(CaseNumber) -> Result<T, AppError>,
) -> Result<T, AppError> {
    state.rate(Rated::Lookup, &ctx.principal)?;
    let keys = [(format!("lookup:{}", number.trim()), 5.0)];
    if let Some(wait) = state.limiter.wait_keys(&keys, std::time::Instant::now()) {
        return Err(AppError::TooManyAttempts(wait.as_secs().max(1)));
    }
    let found = match case_number(number) {
        Ok(n) => look_up(n).await,
        Err(e) => Err(e),
    };
    if matches!(found, Err(AppError::NotFound(_))) {
        state.limiter.fail_keys(&keys, std::time::Instant::now());
    }
    found
}

/// `POST /kiosk/documents` — the case's documents.
pub async fn list(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let mut errors = FieldErrors::default();
    for name in ["number", "phone"] {
        if fields.get(name).trim().is_empty() {
            errors.add(name, ctx.t("err.required"));
        }
    }
    if !errors.is_empty() {
        return Ok(refused(&ctx, &fields, errors));
    }
    let phone = fields.get("phone");
    let found = guarded(&state, &ctx, fields.get("number"), async |n| {
        documents::documents_by_phone(&state, &ctx.principal, &n, phone).await
    })
    .await;
    match found {
        Ok(docs) => {
            let rows: Vec<KioskDocument> = docs.iter().map(KioskDocument::of).collect();
            let body = render_list(&ctx, fields.get("number").trim(), fields.get("phone"), &rows);
            Ok(kiosk(&ctx, ctx.t("doc.kiosk_title"), body, true))
        }
        Err(e) => {
            refusal(&ctx, e, &mut errors)?;
            Ok(refused(&ctx, &fields, errors))
        }
    }
}

/// `POST /kiosk/documents/download` — one document's PDF.
pub async fn download(State(state): State<AppState>, posted: Posted) -> Result<Response, WebError> {
    let Posted { ctx, fields, .. } = posted;
    let (phone, document) = (fields.get("phone"), fields.get("document"));
    let found = guarded(&state, &ctx, fields.get("number"), async |n| {
        documents::document_pdf_by_phone(&state, &ctx.principal, &n, phone, document).await
    })
    .await;
    match found {
        Ok(pdf) => Ok(ctx.finish(pdf_download(document, pdf))),
        Err(e) => {
            let mut errors = FieldErrors::default();
            refusal(&ctx, e, &mut errors)?;
            Ok(refused(&ctx, &fields, errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn each_document_downloads_by_a_form_that_keeps_the_phone_out_of_links() {
        let ctx = Ctx::for_test(Lang::En);
        let docs = [KioskDocument {
            number: "LSP-2026-1".into(),
            kind: "approval".into(),
            date: "2026-03-02".into(),
            status: "valid".into(),
        }];
        let html = render_list(&ctx, "620100-2026-000001", "13900000000", &docs).into_string();
        assert!(html.contains("action=\"/kiosk/documents/download\""), "{html}");
        assert!(html.contains("name=\"document\" value=\"LSP-2026-1\""), "{html}");
        assert!(!html.contains("href=\"/kiosk/documents/download"), "{html}");
        assert!(html.contains(Lang::En.t("doc.kind_name.approval")), "{html}");
    }
}
