//! The project library as files: `POST /api/v1/projects/import` takes CSV or an xlsx
//! workbook as the body (like `POST /api/v1/imports/{kind}`), `GET /api/v1/projects/export`
//! gives the library in the same columns, so an export imports back unchanged.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::api::exports::{FileFormat, sheets_attachment};
use crate::api::files::FileBytes;
use crate::api::imports::{MAX_IMPORT_BYTES, upload_of};
use crate::app::AppError;
use crate::app::project_import::ProjectImport;
use crate::app::tables::Format;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// What an import of projects did, or on a dry run would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectImportView {
    /// True when nothing was written.
    pub dry_run: bool,
    /// New projects.
    pub created: u32,
    /// Projects the file changed.
    pub updated: u32,
    /// Projects exactly as stored (a file imported again changes nothing).
    pub unchanged: u32,
    /// Each row: its `line` (or sheet row), `code` and `effect` (`create`, `update`, `unchanged`).
    pub rows: Vec<ProjectImportRow>,
}

/// One row of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectImportRow {
    /// The line of the CSV file (the header is line 1) or the sheet's row.
    pub line: u64,
    /// 项目代码.
    pub code: String,
    /// `create`, `update` or `unchanged`.
    pub effect: String,
}

impl From<ProjectImport> for ProjectImportView {
    fn from(r: ProjectImport) -> Self {
        let effect = |e| serde_json::to_value(e).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        Self {
            dry_run: r.dry_run,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            rows: r
                .rows
                .into_iter()
                .map(|row| ProjectImportRow { line: row.line, code: row.code, effect: effect(row.effect) })
                .collect(),
        }
    }
}

/// How to import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectImportQuery {
    /// Check every row and answer what would change, writing nothing.
    pub dry_run: Option<bool>,
}

/// How to export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectExportQuery {
    /// `xlsx` (default) or `csv`.
    #[param(inline)]
    pub format: Option<FileFormat>,
}

/// Import projects into the library (项目库) from a file: CSV (`text/csv`) or an xlsx
/// workbook (its sheet `projects`, or its only sheet). Columns, in order:
/// `code,name,unit,project_type,investment_yuan,division,planned_start`, then any of
/// `annual_investment_yuan,small_type,credit_code,phone`; Chinese headers are read too
/// (项目代码, 项目名称, 项目单位, 项目类型, 总投资, 建设地点/行政区划, 计划开工, 年度计划投资,
/// 小型项目类型, 统一社会信用代码, 联系电话). Every row is checked first — the code's format
/// (投资项目统一代码 `YYYY-DDDDDD-II-TT-NNNNNN`), the division, the type, the amounts, the
/// planned start — and a bad file is a 422 whose `errors` name each bad row by `line` and
/// `column`; nothing is written then. Rows are keyed by code: created, updated or left
/// unchanged, so the same file imported again changes nothing.
#[utoipa::path(post, path = "/api/v1/projects/import", tag = "projects", params(ProjectImportQuery),
    request_body(description = "The file: CSV (UTF-8) or an xlsx workbook", content(
        (String = "text/csv"),
        (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 200, description = "What was imported, or on a dry run what would be", body = ProjectImportView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither text/csv nor the xlsx type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each by line (or sheet and row) and column; or no rows", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn import_projects(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ProjectImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ProjectImportView>, ApiError> {
    // Asked first, so that a caller who may not learns nothing about the file.
    crate::app::authorize(&principal, tongban_core::access::Action::ManageProjects)?;
    let file = upload_of(&headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES).await.map_err(|_| AppError::TooLarge(MAX_IMPORT_BYTES))?;
    let report =
        crate::app::project_import::import_projects(&state, &principal, &file, &bytes, q.dry_run.unwrap_or(false))
            .await?;
    Ok(Json(report.into()))
}

/// Download the project library as a file (`projects.csv` or `projects.xlsx`, default
/// xlsx), in the columns the import reads: importing it back changes nothing.
#[utoipa::path(get, path = "/api/v1/projects/export", tag = "projects", params(ProjectExportQuery),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (String = "text/csv"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn export_projects(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ProjectExportQuery>,
) -> Result<Response, ApiError> {
    let format = Format::from(q.format.unwrap_or_default());
    let sheet = crate::app::project_import::export_projects(&state, &principal).await?;
    sheets_attachment(format, "projects", &[sheet])
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(import_projects)).routes(routes!(export_projects))
}
