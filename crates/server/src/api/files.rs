//! Material uploads: stored with their SHA-256, size and type checked against what the
//! bytes really are.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tongban_core::case::CaseNumber;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::app::AppError;
use crate::app::{self, authorize};
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};
use tongban_core::access::Action;

pub use crate::app::MAX_FILE_BYTES;

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

impl From<crate::app::MaterialFile> for FileView {
    fn from(f: crate::app::MaterialFile) -> Self {
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
        (status = 413, description = "File too large, or the case's quota (50 files, 100 MiB) reached", body = Problem, content_type = "application/problem+json"),
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
        CaseNumber::parse(&number).map_err(|_| AppError::NotFound(format!("case {number:?} does not exist")))?;
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES).await.map_err(|_| AppError::TooLarge(MAX_FILE_BYTES))?;
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (created, file) =
        app::upload_material(&state, &principal, &number, &material, declared, bytes.to_vec()).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(FileView::from(file))))
}

/// A file's bytes, as served.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

impl IntoResponse for FileBytes {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// `?sha256=` of a material's file.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// Which of the material's files (SHA-256, hex); the latest uploaded without it.
    pub sha256: Option<String>,
}

/// Open a file of one of the case's materials, for the applicant and the staff who may see
/// the case (inline: PDF or image). Every opening by staff is recorded on the case; to anyone
/// else the file does not exist.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{number}/materials/{material}",
    tag = "cases",
    params(("number" = String, Path, description = "Case number"), ("material" = String, Path, description = "Material name, as the item lists it"), FileQuery),
    responses(
        (status = 200, description = "The file", content(
            (FileBytes = "application/pdf"), (FileBytes = "image/jpeg"), (FileBytes = "image/png"))),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file, or not a case you may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed query", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn open_material(
    State(state): State<AppState>,
    principal: Principal,
    Path((number, material)): Path<(String, String)>,
    AppQuery(query): AppQuery<FileQuery>,
) -> Result<Response, ApiError> {
    let number =
        CaseNumber::parse(&number).map_err(|_| AppError::NotFound(format!("case {number:?} does not exist")))?;
    let (file, bytes) = app::open_material(&state, &principal, &number, &material, query.sha256.as_deref()).await?;
    Ok(file_response(&file, bytes))
}

/// A stored file as an answer: its type, shown inline under its material's name.
pub fn file_response(file: &crate::app::MaterialFile, bytes: Vec<u8>) -> Response {
    let extension = match file.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        _ => "png",
    };
    let name: String = form_urlencoded::byte_serialize(format!("{}.{extension}", file.material).as_bytes()).collect();
    let headers = [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CONTENT_DISPOSITION, format!("inline; filename*=UTF-8''{name}")),
        (header::ETAG, format!("\"{}\"", file.sha256)),
    ];
    (headers, FileBytes(bytes)).into_response()
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(upload, open_material))
}
