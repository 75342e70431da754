//! Downloads (issue 16): `GET /api/v1/exports/{kind}?format=csv|xlsx` — each kind of the
//! organisation (`divisions`, `sites`, `departments`, `windows`, `staff`) and the whole of
//! it (`org`, a workbook of five sheets), a catalog version (`catalog`) and the reform
//! report between two (`reform`), as the files the imports read and `tongban export` /
//! `tongban report reform --format` write. The sheets are built in the app, once for the
//! command line and the API.
//!
//! Who may download: the organisation is the administrators' (its staff sheet lists
//! people, and every kind is offered as a working copy to edit and import again, which
//! only they may), so every organisation kind is checked by
//! [`crate::app::organisation::export_org`]; the catalog and the reform report are public,
//! like the pages and the JSON that show them.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongban_core::org::import::OrgKind;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::files::FileBytes;
use crate::AppState;
use crate::app::AppError;
use crate::app::tables::{Format, Sheet, write_csv, write_xlsx};
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// What to download, as in the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// 行政区划 — `code,name,parent` (administrators).
    Divisions,
    /// 办事地点 — `code,name,division,address,hours,phone` (administrators).
    Sites,
    /// 部门 — `code,name,division,site` (administrators).
    Departments,
    /// 窗口 — `code,name,department,site` (administrators).
    Windows,
    /// 工作人员 — `login,name,role,department,window,phone` (administrators).
    Staff,
    /// The whole organisation: a workbook with the five sheets above (xlsx only; administrators).
    Org,
    /// 事项目录 — a catalog version, in the columns `import catalog` reads (public).
    Catalog,
    /// 三减一压缩 — the reform report between two catalog versions (public): CSV is the
    /// sheet `reform` (`scope,department,name,measure,before,after,change_percent`, a row per
    /// measure of the whole catalog and of each department); the workbook adds the sheet
    /// `items` (`change,code,name,department`: the items cut, added and changed).
    Reform,
}

impl ExportKind {
    const ALL: [ExportKind; 8] = [
        ExportKind::Divisions,
        ExportKind::Sites,
        ExportKind::Departments,
        ExportKind::Windows,
        ExportKind::Staff,
        ExportKind::Org,
        ExportKind::Catalog,
        ExportKind::Reform,
    ];

    /// Its name in the path.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Org => "org",
            ExportKind::Catalog => "catalog",
            ExportKind::Reform => "reform",
            other => other.org_kind().map_or("", OrgKind::as_str),
        }
    }

    /// The organisation's kind it names, if one.
    fn org_kind(self) -> Option<OrgKind> {
        match self {
            ExportKind::Divisions => Some(OrgKind::Divisions),
            ExportKind::Sites => Some(OrgKind::Sites),
            ExportKind::Departments => Some(OrgKind::Departments),
            ExportKind::Windows => Some(OrgKind::Windows),
            ExportKind::Staff => Some(OrgKind::Staff),
            ExportKind::Org | ExportKind::Catalog | ExportKind::Reform => None,
        }
    }

    /// The kind a path names; any other is not found.
    fn parse(name: &str) -> Result<ExportKind, AppError> {
        ExportKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            let kinds: Vec<&str> = ExportKind::ALL.iter().map(|k| k.as_str()).collect();
            AppError::NotFound(format!("nothing to export as {name:?}: the kinds are {}", kinds.join(", ")))
        })
    }
}

/// A file's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma-separated values, UTF-8: one table.
    Csv,
    /// An xlsx workbook, a sheet per table.
    #[default]
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Format {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

/// How and what to download.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx` (default) or `csv`; the whole organisation (`org`) is xlsx only.
    #[param(inline)]
    pub format: Option<FileFormat>,
    /// `catalog`: the version (default: the latest).
    #[param(minimum = 1)]
    pub version: Option<u32>,
    /// `reform` (required there): the catalog version before the reform.
    pub from: Option<u32>,
    /// `reform` (required there): the catalog version after it.
    pub to: Option<u32>,
}

/// A file as a download: its content type, and `Content-Disposition: attachment` with
/// `filename="{stem}.{csv|xlsx}"`.
pub(super) fn attachment(format: Format, stem: &str, bytes: Vec<u8>) -> Response {
    let mut response = FileBytes(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// Sheets as a download: a workbook of them all, or the first as CSV.
pub(super) fn sheets_attachment(format: Format, stem: &str, sheets: &[Sheet]) -> Result<Response, ApiError> {
    let bytes = match format {
        Format::Csv => sheets.first().map(write_csv).unwrap_or_default().into_bytes(),
        Format::Xlsx => write_xlsx(sheets).map_err(|e| AppError::Internal(format!("writing a workbook: {e}")))?,
    };
    Ok(attachment(format, stem, bytes))
}

/// The version a reform download names; missing, it is refused as the report's own query
/// is (`GET /api/v1/catalog/reform`).
fn required(value: Option<u32>, name: &str) -> Result<u32, ApiError> {
    value.ok_or_else(|| {
        AppError::BadParameter(format!("Failed to deserialize query string: missing field `{name}`")).into()
    })
}

/// Download the organisation, a catalog version or the reform report as a file: CSV
/// (UTF-8, one table) or an xlsx workbook (default), in the columns the imports read, as
/// an attachment named by what it holds (`staff.xlsx`, `org.xlsx`, `catalog-v3.csv`,
/// `reform-v1-v2.xlsx`). The organisation's kinds are the administrators'; the catalog
/// and the reform report are public.
#[utoipa::path(get, path = "/api/v1/exports/{kind}", tags = ["organisation", "catalog"],
    params(("kind" = inline(ExportKind), Path, description = "What to download"), ExportParams),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (String = "text/csv"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "A bad query parameter, or `from`/`to` missing for `reform`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in (the organisation)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator (the organisation)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind, or no such catalog version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "CSV of the whole organisation (several tables): field `format`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(export.kind = %kind))]
pub async fn export_file(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
    AppQuery(q): AppQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let kind = ExportKind::parse(&kind)?;
    let format = Format::from(q.format.unwrap_or_default());
    match kind {
        ExportKind::Catalog => {
            state.rate(crate::app::limits::Rated::Search, &principal)?;
            let (version, sheet) = crate::app::export_catalog(&state, q.version).await?;
            sheets_attachment(format, &format!("catalog-v{version}"), &[sheet])
        }
        ExportKind::Reform => {
            state.rate(crate::app::limits::Rated::Search, &principal)?;
            let (from, to) = (required(q.from, "from")?, required(q.to, "to")?);
            let reform = crate::app::reform::catalog_reform(&state, from, to).await?;
            sheets_attachment(format, &format!("reform-v{from}-v{to}"), &crate::app::reform::sheets(&reform))
        }
        ExportKind::Org
        | ExportKind::Divisions
        | ExportKind::Sites
        | ExportKind::Departments
        | ExportKind::Windows
        | ExportKind::Staff => {
            // Authorized by the use case first: a refusal says nothing about the format.
            let mut sheets = crate::app::organisation::export_org(&state, &principal).await?;
            match kind.org_kind() {
                Some(one) => sheets.retain(|s| s.name == one.as_str()),
                None if format == Format::Csv => {
                    let why = "the whole organisation is five tables: download it as xlsx, or each kind as CSV";
                    return Err(AppError::Invalid(vec![("format".into(), why.into())]).into());
                }
                None => {}
            }
            sheets_attachment(format, kind.as_str(), &sheets)
        }
    }
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(export_file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_named_by_its_path() {
        for k in ExportKind::ALL {
            assert_eq!(ExportKind::parse(k.as_str()).ok(), Some(k));
        }
        assert!(matches!(ExportKind::parse("people"), Err(AppError::NotFound(_))));
    }

    #[test]
    fn an_attachment_names_its_file_and_type() {
        let r = attachment(Format::Csv, "catalog-v2", b"code\n".to_vec());
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        assert_eq!(r.headers()[header::CONTENT_DISPOSITION], "attachment; filename=\"catalog-v2.csv\"");
    }
}
