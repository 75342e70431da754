//! Material uploads: stored with their SHA-256, size and type checked against what the
//! bytes really are.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Serialize;
use tongban_core::case::CaseNumber;
use tongban_store::insert_material_file;
use utoipa::ToSchema;

use crate::AppState;
use crate::app::{self, authorize};
use crate::auth::Principal;
use crate::policy::Action;
use crate::problem::{ApiError, Problem};

/// Largest accepted file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    /// The material it is for.
    pub material: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: String,
}

impl From<tongban_store::MaterialFile> for FileView {
    fn from(f: tongban_store::MaterialFile) -> Self {
        Self {
            material: f.material,
            sha256: f.sha256,
            size: f.size,
            content_type: f.content_type,
            uploaded_by: f.uploaded_by,
            uploaded_at: f.uploaded_at,
        }
    }
}

/// The type the bytes really are, by their signature.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// Upload a file for one of the case's materials (PDF, JPEG or PNG, at most 10 MiB). The
/// body is the file; `Content-Type` must match what the bytes are.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{number}/materials/{material}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number"), ("material" = String, Path, description = "Material name, as the item lists it")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 201, description = "Stored", body = FileView),
        (status = 200, description = "The same file was already stored", body = FileView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PDF, JPEG or PNG, or not what Content-Type says", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a material of the case's item", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, material)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<FileView>), ApiError> {
    authorize(&principal, Action::Upload)?;
    let number =
        CaseNumber::parse(&number).map_err(|_| ApiError::NotFound(format!("case {number:?} does not exist")))?;
    let (case, _) = app::case_with_events(&state, &principal, &number).await?;
    if case.state.is_final() || case.decided_at.is_some() {
        return Err(ApiError::Conflict(format!("case {number} is {}: no more materials", case.state)));
    }
    let item = state
        .store
        .item_in_version(&case.item, case.item_version)
        .await?
        .ok_or_else(|| ApiError::NotFound("item".into()))?;
    if !item.item.materials.iter().any(|m| m.name == material) {
        return Err(ApiError::Invalid(vec![(
            "material".into(),
            format!("{material:?} is not a material of item {}", item.item.code),
        )]));
    }
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| ApiError::TooLarge(MAX_FILE_BYTES))?;
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    let actual =
        sniff(&bytes).ok_or_else(|| ApiError::UnsupportedType("only PDF, JPEG and PNG files are accepted".into()))?;
    if declared != actual {
        return Err(ApiError::UnsupportedType(format!("Content-Type says {declared:?} but the file is {actual}")));
    }
    let sha = crate::auth::digest_bytes(&bytes);
    let (who, now) = (principal.id().to_owned(), state.now());
    let (n, m, s) = (number.clone(), material.clone(), sha.clone());
    let created = state
        .store
        .write(move |c| Box::pin(async move { insert_material_file(c, &n, &m, &s, actual, &bytes, &who, now).await }))
        .await?;
    let file = state
        .store
        .material_files(&number)
        .await?
        .into_iter()
        .find(|f| f.material == material && f.sha256 == sha)
        .ok_or_else(|| ApiError::Internal("stored file vanished".into()))?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(FileView::from(file))))
}
