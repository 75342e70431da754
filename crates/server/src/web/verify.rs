//! The public verification of sealed documents (文书核验): `/verify/{文号}` shows anyone a
//! document's public record (kind, number, date, masked holder, status, SM3 hash, issuer)
//! and checks an uploaded PDF against it, without JavaScript; `/verify/key` publishes the
//! seal's public keys, current and retired, for `tongban document verify --key`.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::ctx::Ctx;
use super::error::WebError;
use super::form::{FieldErrors, Posted};
use super::layout::page;
use super::view;
use crate::AppState;
use crate::api::documents::{PublicDocumentView, verify_url};
use crate::app::documents::{self, UploadCheck};
use crate::app::limits::Rated;

/// What an uploaded file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// This document, unaltered.
    Genuine,
    /// Sealed, but changed since.
    Altered,
    /// Another sealed document, by its 文号.
    Other(String),
    /// Not a sealed document at all.
    NotSealed,
}

impl From<UploadCheck> for Outcome {
    fn from(c: UploadCheck) -> Self {
        match c {
            UploadCheck::Genuine => Outcome::Genuine,
            UploadCheck::Altered => Outcome::Altered,
            UploadCheck::NotThisDocument { number } => Outcome::Other(number),
            UploadCheck::NotSealed => Outcome::NotSealed,
        }
    }
}

/// The verification page.
#[derive(Debug, Clone)]
pub struct VerifyPage {
    /// The document's public record.
    pub doc: PublicDocumentView,
    /// When it was revoked or cancelled.
    pub status_at: Option<jiff::Timestamp>,
    /// What an uploaded file was, once one was.
    pub outcome: Option<Outcome>,
    /// What was wrong with the upload form.
    pub errors: FieldErrors,
}

/// The badge of a document's status: green while valid, red once revoked or cancelled.
fn status_badge(ctx: &Ctx, status: &str) -> Markup {
    let class = if status == "valid" { "badge state-approved" } else { "badge state-denied" };
    html! { span class=(class) { (ctx.t(&format!("doc.status.{status}"))) } }
}

/// Draws the verification page.
pub fn render(ctx: &Ctx, v: &VerifyPage) -> Markup {
    let d = &v.doc;
    html! {
        h1 { (ctx.t("doc.verify_title")) }
        p.lead { (ctx.t("doc.verify_lead")) }
        div.result-card {
            p { (status_badge(ctx, &d.status)) }
            dl.facts {
                dt { (ctx.t("doc.kind")) } dd { (ctx.t(&format!("doc.kind_name.{}", d.kind))) }
                dt { (ctx.t("doc.number")) } dd { code { (d.number) } }
                dt { (ctx.t("doc.date")) } dd { (d.date) }
                dt { (ctx.t("doc.holder")) } dd { (d.holder) }
                dt { (ctx.t("doc.issuer")) } dd { (d.issuer) }
                dt { (ctx.t("doc.status_label")) } dd {
                    (status_badge(ctx, &d.status))
                    @if let Some(at) = v.status_at { " " (ctx.tf("doc.status_since", &[("at", &view::when(at))])) }
                    @if let Some(r) = &d.status_reason { " " (ctx.tf("doc.status_reason", &[("reason", r)])) }
                }
                dt { (ctx.t("doc.sm3")) } dd { code.sha { (d.sm3) } }
            }
        }
        section aria-labelledby="h-upload" {
            h2 id="h-upload" { (ctx.t("doc.upload_title")) }
            @match &v.outcome {
                Some(Outcome::Genuine) => {
                    div.notice.ok role="status" { (ctx.tf("doc.genuine", &[("number", &d.number)])) }
                    @if d.status != "valid" {
                        div.notice.error role="alert" { (ctx.tf("doc.genuine_but", &[("status", ctx.t(&format!("doc.status.{}", d.status)))])) }
                    }
                }
                Some(Outcome::Altered) => { div.notice.error role="alert" { (ctx.tf("doc.altered", &[("number", &d.number)])) } }
                Some(Outcome::Other(n)) => { div.notice.error role="alert" { (ctx.tf("doc.other", &[("number", &d.number), ("other", n)])) } }
                Some(Outcome::NotSealed) => { div.notice.error role="alert" { (ctx.t("doc.not_sealed")) } }
                None => {}
            }
            form.stack method="post" action=(verify_url(&d.number)) enctype="multipart/form-data" novalidate {
                (view::csrf(ctx))
                div class=(if v.errors.get("pdf").is_some() { "field invalid" } else { "field" }) {
                    label for="f-pdf" { (ctx.t("doc.upload")) }
                    p.hint { (ctx.t("doc.upload_hint")) }
                    input id="f-pdf" type="file" name="pdf" accept="application/pdf,.pdf" required;
                    (view::field_error(&v.errors, "pdf"))
                }
                button.primary type="submit" { (ctx.t("doc.upload_submit")) }
            }
        }
        p.hint { (ctx.t("doc.offline")) " " a href="/verify/key" download { (ctx.t("doc.key_link")) } }
    }
}

/// `GET /verify/key` — the seal's public keys as PEM, each block after a `# key <id>` line.
pub async fn key(State(state): State<AppState>) -> Response {
    let pem = tongban_seal::public_keys_pem(&documents::public_keys(&state));
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"tongban-seal.pem\""),
        ],
        pem,
    )
        .into_response();
    super::layout::security_headers(response.headers_mut());
    response
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    number: &str,
    outcome: Option<Outcome>,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let doc = documents::public_document(state, number).await.map_err(|e| ctx.fail(e))?;
    let model = VerifyPage { doc: PublicDocumentView::from(&doc), status_at: doc.status_at, outcome, errors };
    Ok(page(ctx, ctx.t("doc.verify_title"), render(ctx, &model)))
}

/// `GET /verify/{文号}` — the document's public record and the upload form.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(number): Path<String>) -> Result<Response, WebError> {
    state.rate(Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    show_page(&state, &ctx, &number, None, FieldErrors::default()).await
}

/// `POST /verify/{文号}` — checks the uploaded PDF and says what it is, on the same page.
pub async fn check(
    State(state): State<AppState>,
    Path(number): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let Posted { ctx, files, .. } = posted;
    state.rate(Rated::Search, &ctx.principal).map_err(|e| ctx.fail(e))?;
    let Some(file) = files.iter().find(|f| f.field == "pdf") else {
        let mut errors = FieldErrors::default();
        errors.add("pdf", ctx.t("doc.choose_file"));
        let response = show_page(&state, &ctx, &number, None, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, response).into_response());
    };
    let (doc, check) = documents::check_upload(&state, &number, &file.bytes).await.map_err(|e| ctx.fail(e))?;
    let model = VerifyPage {
        doc: PublicDocumentView::from(&doc),
        status_at: doc.status_at,
        outcome: Some(check.into()),
        errors: FieldErrors::default(),
    };
    Ok(page(&ctx, ctx.t("doc.verify_title"), render(&ctx, &model)))
}

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new().route("/verify/key", get(key)).route("/verify/{number}", get(show).post(check))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    fn doc(status: &str) -> PublicDocumentView {
        PublicDocumentView {
            number: "LSP-2026-1".into(),
            kind: "approval".into(),
            kind_name: "Approval".into(),
            date: "2026-03-02".into(),
            holder: "L**".into(),
            status: status.into(),
            status_reason: (status != "valid").then(|| "an error".into()),
            status_at: None,
            sm3: "ab".repeat(32),
            issuer: "Bureau".into(),
            verify_url: verify_url("LSP-2026-1"),
        }
    }

    #[test]
    fn the_record_shows_its_status_and_the_form_posts_back_to_the_same_page() {
        let ctx = Ctx::for_test(Lang::Zh);
        let v = VerifyPage { doc: doc("valid"), status_at: None, outcome: None, errors: FieldErrors::default() };
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(Lang::Zh.t("doc.status.valid")), "{html}");
        assert!(html.contains(Lang::Zh.t("doc.kind_name.approval")), "{html}");
        assert!(html.contains(&format!("action=\"{}\"", verify_url("LSP-2026-1"))), "{html}");
        assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
        let at = "2026-03-03T02:00:00Z".parse().ok();
        let v = VerifyPage { doc: doc("revoked"), status_at: at, outcome: None, errors: FieldErrors::default() };
        let html = render(&ctx, &v).into_string();
        assert!(html.contains(Lang::Zh.t("doc.status.revoked")) && html.contains("an error"), "{html}");
        assert!(html.contains(&Lang::Zh.tf("doc.status_since", &[("at", "2026-03-03 10:00")])), "{html}");
    }

    #[test]
    fn each_outcome_is_said_plainly() {
        let ctx = Ctx::for_test(Lang::En);
        let said = |outcome| {
            let v = VerifyPage {
                doc: doc("valid"),
                status_at: None,
                outcome: Some(outcome),
                errors: FieldErrors::default(),
            };
            render(&ctx, &v).into_string()
        };
        assert!(said(Outcome::Genuine).contains("notice ok"));
        assert!(said(Outcome::Altered).contains(&Lang::En.tf("doc.altered", &[("number", "LSP-2026-1")])));
        assert!(said(Outcome::Other("LSP-2026-2".into())).contains("LSP-2026-2"));
        assert!(said(Outcome::NotSealed).contains(Lang::En.t("doc.not_sealed")));
    }
}
