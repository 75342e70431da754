//! Sealed documents (一颗印章管审批): a case's notices and decisions as PDFs, the public
//! record of one document by its 文号, revocation, and the templates they are written from.
//!
//! A 文号 (`兰审批许〔2026〕123号`) travels percent-encoded in paths; axum decodes it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tongban_core::access::Action;
use tongban_core::case::CaseNumber;
use tongban_core::document::DocumentKind;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::documents::{self, DocumentSummary, PublicDocument};
use crate::app::{AppError, authorize};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};
use tongban_core::document::Template;

/// One of a case's documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    /// 文号, e.g. `兰审批许〔2026〕123号`.
    #[schema(example = "兰审批许〔2026〕123号")]
    pub number: String,
    /// `acceptance`, `non_acceptance`, `correction`, `approval`, `denial` or `licence`.
    #[schema(example = "approval")]
    pub kind: String,
    /// The kind's name as printed, e.g. 准予行政许可决定书.
    pub kind_name: String,
    /// The day it was issued (China Standard Time), `YYYY-MM-DD`.
    #[schema(example = "2026-03-02")]
    pub date: String,
    /// When it was issued.
    pub issued_at: String,
    /// `valid` (有效), `revoked` (已撤销) or `cancelled` (已注销).
    #[schema(example = "valid")]
    pub status: String,
    /// SM3 hash (hex) of the signed bytes of the PDF.
    pub sm3: String,
    /// Where the PDF downloads (whoever may see the case).
    pub pdf_url: String,
    /// The public verification page, under the center's public address as the PDF prints it.
    pub verify_url: String,
}

impl DocumentView {
    /// The view of `d`.
    pub fn of(d: &DocumentSummary) -> Self {
        DocumentView {
            number: d.number.clone(),
            kind: d.kind.as_str().to_owned(),
            kind_name: d.kind.title_zh().to_owned(),
            date: day(d.issued_at),
            issued_at: d.issued_at.to_string(),
            status: d.status.as_str().to_owned(),
            sm3: d.sm3.clone(),
            pdf_url: pdf_url(&d.case_number, &d.number),
            verify_url: verify_url(&d.number),
        }
    }
}

/// A document as anyone may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDocumentView {
    /// 文号.
    pub number: String,
    /// The kind (see [`DocumentView::kind`]).
    pub kind: String,
    /// The kind's name as printed.
    pub kind_name: String,
    /// The day it was issued.
    pub date: String,
    /// The holder's name, masked (张*).
    pub holder: String,
    /// `valid`, `revoked` or `cancelled`.
    pub status: String,
    /// Why it was revoked or cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// When it was revoked or cancelled (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_at: Option<String>,
    /// SM3 hash (hex) of the signed bytes of the PDF.
    pub sm3: String,
    /// The bureau that issued it (发文机关).
    pub issuer: String,
    /// The public verification page, under the center's public address.
    pub verify_url: String,
}

impl From<&PublicDocument> for PublicDocumentView {
    fn from(d: &PublicDocument) -> Self {
        PublicDocumentView {
            number: d.number.clone(),
            kind: d.kind.as_str().to_owned(),
            kind_name: d.kind.title_zh().to_owned(),
            date: d.issued_on.clone(),
            holder: d.holder_masked.clone(),
            status: d.status.as_str().to_owned(),
            status_reason: d.status_reason.clone(),
            status_at: d.status_at.map(|t| t.to_string()),
            sm3: d.sm3.clone(),
            issuer: d.issuer.clone(),
            verify_url: verify_url(&d.number),
        }
    }
}

/// `path` under the center's public address (`--public-url`).
fn public(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.public_base_url.trim_end_matches('/'))
}

/// The latest version of a kind's template.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateView {
    /// The kind.
    pub kind: String,
    /// The kind's name as printed.
    pub kind_name: String,
    /// The version, from 1.
    pub version: u32,
    /// The template text, with `{field}` placeholders.
    pub body: String,
}

impl From<&Template> for TemplateView {
    fn from(t: &Template) -> Self {
        TemplateView {
            kind: t.kind.as_str().to_owned(),
            kind_name: t.kind.title_zh().to_owned(),
            version: t.version,
            body: t.body.clone(),
        }
    }
}

/// Why a document is revoked.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// The reason, shown on the verification page.
    pub reason: String,
}

/// A new version of a template.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TemplateRequest {
    /// The template text, with `{field}` placeholders.
    pub body: String,
}

/// `YYYY-MM-DD` of `t` in China Standard Time.
pub(crate) fn day(t: jiff::Timestamp) -> String {
    tongban_core::calendar::CHINA_STANDARD_TIME.to_datetime(t).date().to_string()
}

/// `text` as one path segment: everything but the unreserved characters percent-encoded.
pub(crate) fn segment(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(text, KEEP).to_string()
}

/// Where document `number` of case `case` downloads.
pub(crate) fn pdf_url(case: &str, number: &str) -> String {
    format!("/api/v1/cases/{}/documents/{}.pdf", segment(case), segment(number))
}

/// The public verification page of document `number`.
pub(crate) fn verify_url(number: &str) -> String {
    documents::verify_path(number)
}

/// A PDF as a download named `name`.pdf: an ASCII fallback and the UTF-8 name (RFC 5987),
/// so the saved file carries the 文号.
pub(crate) fn pdf_download(name: &str, pdf: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"document.pdf\"; filename*=UTF-8''{}.pdf", segment(name));
    let mut response = ([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

fn parse_case(number: &str) -> Result<CaseNumber, AppError> {
    CaseNumber::parse(number).map_err(|_| AppError::NotFound(format!("case {number:?} does not exist")))
}

/// A case's documents (受理通知书, 决定书 …), oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/documents",
    tag = "cases",
    params(("number" = String, Path, description = "Case number")),
    responses(
        (status = 200, description = "The case's documents", body = [DocumentView]),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn case_documents(
    State(state): State<AppState>,
    principal: Principal,
    Path(number): Path<String>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    authorize(&principal, Action::ReadCase)?;
    let number = parse_case(&number)?;
    let found = documents::case_documents(&state, &principal, &number).await?;
    let views = found
        .iter()
        .map(|d| DocumentView { verify_url: public(&state, &verify_url(&d.number)), ..DocumentView::of(d) });
    Ok(Json(views.collect()))
}

/// One of a case's documents as the sealed PDF: `{file}` is the 文号 followed by `.pdf`,
/// percent-encoded.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/documents/{file}",
    tag = "cases",
    params(
        ("number" = String, Path, description = "Case number"),
        ("file" = String, Path, description = "The 文号 and `.pdf`, e.g. `兰审批许〔2026〕123号.pdf` (percent-encoded)"),
    ),
    responses(
        (status = 200, description = "The sealed PDF, as an attachment", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours to see", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or document", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn document_pdf(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    authorize(&principal, Action::ReadCase)?;
    let case = parse_case(&number)?;
    let not_found = || AppError::NotFound(format!("document {file:?} does not exist"));
    let document = file.strip_suffix(".pdf").ok_or_else(not_found)?;
    let pdf = documents::document_pdf(&state, &principal, &case, document).await?;
    Ok(pdf_download(document, pdf))
}

/// A document's public record (anyone): kind, date, masked holder, status, hash, issuer.
#[utoipa::path(
    get,
    path = "/api/v1/documents/{document}",
    tag = "cases",
    params(("document" = String, Path, description = "文号, percent-encoded")),
    responses(
        (status = 200, description = "The document's public record", body = PublicDocumentView),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn public_document(
    State(state): State<AppState>,
    principal: Principal,
    Path(document): Path<String>,
) -> Result<Json<PublicDocumentView>, ApiError> {
    state.rate(crate::app::limits::Rated::Search, &principal)?;
    let found = documents::public_document(&state, &document).await?;
    let view = PublicDocumentView::from(&found);
    Ok(Json(PublicDocumentView { verify_url: public(&state, &view.verify_url), ..view }))
}

/// Revoke (撤销) a document, by the chain that approved its case or an administrator; the
/// verification page says so at once.
#[utoipa::path(
    post,
    path = "/api/v1/documents/{document}/revoke",
    tag = "cases",
    request_body = RevokeRequest,
    params(("document" = String, Path, description = "文号, percent-encoded")),
    responses(
        (status = 200, description = "The document, revoked", body = PublicDocumentView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the approver's chain nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked or cancelled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path(document): Path<String>,
    AppJson(request): AppJson<RevokeRequest>,
) -> Result<Json<PublicDocumentView>, ApiError> {
    let revoked = documents::revoke(&state, &principal, &document, &request.reason).await?;
    let view = PublicDocumentView::from(&revoked);
    Ok(Json(PublicDocumentView { verify_url: public(&state, &view.verify_url), ..view }))
}

/// The document templates, the latest version of each kind (administrators).
#[utoipa::path(
    get,
    path = "/api/v1/document-templates",
    tag = "cases",
    responses(
        (status = 200, description = "One template per kind", body = [TemplateView]),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn templates(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    let all = documents::templates(&state, &principal).await?;
    Ok(Json(all.iter().map(TemplateView::from).collect()))
}

/// Save a new version of a kind's template (administrators). Documents already issued keep
/// the version they were written from.
#[utoipa::path(
    put,
    path = "/api/v1/document-templates/{kind}",
    tag = "cases",
    request_body = TemplateRequest,
    params(("kind" = String, Path, description = "`acceptance`, `non_acceptance`, `correction`, `approval`, `denial` or `licence`")),
    responses(
        (status = 200, description = "The new version", body = TemplateView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown placeholder, or a field the kind must carry missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn save_template(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
    AppJson(request): AppJson<TemplateRequest>,
) -> Result<Json<TemplateView>, ApiError> {
    // Who may save is answered before what does not exist.
    authorize(&principal, Action::ManageTemplates)?;
    let Some(kind) = DocumentKind::parse(&kind) else {
        return Err(AppError::NotFound(format!("no document kind {kind:?}")).into());
    };
    let saved = documents::save_template(&state, &principal, kind, &request.body).await?;
    Ok(Json(TemplateView::from(&saved)))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(case_documents))
        .routes(routes!(document_pdf))
        .routes(routes!(public_document))
        .routes(routes!(revoke))
        .routes(routes!(templates))
        .routes(routes!(save_template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_number_is_one_encoded_path_segment() {
        let url = verify_url("兰审批许〔2026〕123号");
        assert!(url.starts_with("/verify/%E5%85%B0"), "{url}");
        assert!(!url[8..].contains('/') && url.is_ascii(), "{url}");
        assert_eq!(pdf_url("620100-2026-000001", "a b/c"), "/api/v1/cases/620100-2026-000001/documents/a%20b%2Fc.pdf");
    }

    #[test]
    fn a_download_is_named_by_its_number() {
        let r = pdf_download("兰审批许〔2026〕1号", b"%PDF".to_vec());
        let d = r.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(d.starts_with("attachment; filename=\"document.pdf\"; filename*=UTF-8''%E5%85%B0"), "{d}");
        assert!(d.ends_with(".pdf"), "{d}");
    }
}
