//! Imports over HTTP (issue 16): `POST /api/v1/imports/{kind}` takes a file of the
//! organisation, the catalog or a published list as the body, CSV (`text/csv`) or an xlsx
//! workbook, checks every row in one pass and, unless
//! `?dry_run=true`, writes it. A bad file is a 422 listing every bad row by line (or
//! sheet row) and column. The use cases are the app's, the same the command line and the
//! import page run.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};
use tongban_core::access::Action;
use tongban_core::lists::ListKind;
use tongban_core::org::import::OrgKind;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::files::FileBytes;
use super::org::OrgImportView;
use crate::AppState;
use crate::app::AppError;
use crate::app::organisation::OrgFile;
use crate::app::tables::{Format, Upload};
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// The largest file an import takes: a center's whole organisation or catalog is far less.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 行政区划 — `code,name,parent`.
    Divisions,
    /// 办事地点 — `code,name,division,address,hours,phone`.
    Sites,
    /// 部门 — `code,name,division,site`.
    Departments,
    /// 窗口 — `code,name,department,site`.
    Windows,
    /// 工作人员 — `login,name,role,department,window,phone`.
    Staff,
    /// A whole organisation: an xlsx workbook with sheets named divisions, sites,
    /// departments, windows, staff (any of them).
    Org,
    /// The catalog of service items (事项目录), published as a new version labelled `label`.
    Catalog,
    /// 权责清单 — a new version of the list of powers and responsibilities.
    Powers,
    /// 职责清单 — a new version of the list of duties.
    Duties,
    /// 财政专项资金管理清单 — a new version of the list of special funds.
    Funds,
    /// 便民服务事项 — a new version of the list of convenience services.
    Services,
    /// Every published list of a workbook whose sheets are named powers, duties, funds,
    /// services (any of them), each a new version.
    Lists,
    /// 项目库 — projects: `code,name,unit,project_type,investment_yuan,division,planned_start`,
    /// then any of `annual_investment_yuan,small_type,credit_code,phone` (as
    /// `POST /api/v1/projects/import`).
    Projects,
}

impl ImportKind {
    /// Every kind, as the import page offers them.
    pub const ALL: [ImportKind; 13] = [
        ImportKind::Divisions,
        ImportKind::Sites,
        ImportKind::Departments,
        ImportKind::Windows,
        ImportKind::Staff,
        ImportKind::Org,
        ImportKind::Catalog,
        ImportKind::Powers,
        ImportKind::Duties,
        ImportKind::Funds,
        ImportKind::Services,
        ImportKind::Lists,
        ImportKind::Projects,
    ];

    /// Its name in paths and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Org => "org",
            ImportKind::Catalog => "catalog",
            ImportKind::Lists => "lists",
            ImportKind::Projects => "projects",
            k => k.org().map(OrgKind::as_str).or_else(|| k.list().map(ListKind::as_str)).unwrap_or(""),
        }
    }

    /// Parses a name; an unknown one is a 404 (there is no such import).
    pub fn parse(name: &str) -> Result<ImportKind, AppError> {
        Self::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| {
            let kinds: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            AppError::NotFound(format!("no import {name:?}: the kinds are {}", kinds.join(", ")))
        })
    }

    /// The organisational kind of one table, if it is one.
    pub fn org(self) -> Option<OrgKind> {
        match self {
            ImportKind::Divisions => Some(OrgKind::Divisions),
            ImportKind::Sites => Some(OrgKind::Sites),
            ImportKind::Departments => Some(OrgKind::Departments),
            ImportKind::Windows => Some(OrgKind::Windows),
            ImportKind::Staff => Some(OrgKind::Staff),
            _ => None,
        }
    }

    /// The published list of one table, if it is one.
    pub fn list(self) -> Option<ListKind> {
        match self {
            ImportKind::Powers => Some(ListKind::Powers),
            ImportKind::Duties => Some(ListKind::Duties),
            ImportKind::Funds => Some(ListKind::Funds),
            ImportKind::Services => Some(ListKind::Services),
            _ => None,
        }
    }

    /// Whether the kind needs a version label (the catalog and the lists are versioned).
    pub fn labelled(self) -> bool {
        self.org().is_none() && !matches!(self, ImportKind::Org | ImportKind::Projects)
    }

    /// What importing it asks of the caller.
    pub fn action(self) -> Action {
        match self {
            ImportKind::Catalog => Action::ImportCatalog,
            ImportKind::Lists => Action::ImportLists,
            ImportKind::Projects => Action::ManageProjects,
            k if k.list().is_some() => Action::ImportLists,
            _ => Action::ManageOrganisation,
        }
    }
}

/// What a catalog import published — or, on a dry run, would publish.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogImportView {
    /// True when nothing was written.
    pub dry_run: bool,
    /// The new version's number; null on a dry run.
    pub version: Option<u32>,
    /// Its label.
    pub label: String,
    /// How many service items it holds.
    pub items: usize,
}

/// A published list's new version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListImportedView {
    /// The list: `powers`, `duties`, `funds` or `services`.
    pub kind: String,
    /// The new version's number; null on a dry run.
    pub version: Option<u32>,
    /// How many entries it holds.
    pub entries: usize,
}

/// What an import of published lists published — or, on a dry run, would publish.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListsImportView {
    /// True when nothing was written.
    pub dry_run: bool,
    /// The versions' label.
    pub label: String,
    /// Each list's new version.
    pub lists: Vec<ListImportedView>,
}

/// What an import did, or would do: the organisation's rows, the catalog's new version, or
/// the published lists' new versions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportReport {
    /// Divisions, sites, departments, windows, staff or a whole organisation.
    Org(OrgImportView),
    /// The catalog.
    Catalog(CatalogImportView),
    /// Published lists.
    Lists(ListsImportView),
    /// Projects of the library.
    Projects(crate::api::projects::ProjectImportView),
}

/// How to import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check every row and answer what would change, writing nothing.
    pub dry_run: Option<bool>,
    /// The new version's label (1–100 characters), e.g. 2026 年版; the catalog and the lists only.
    pub label: Option<String>,
}

/// The upload a request's body is: its format from its content type (`text/csv`, or the
/// xlsx media type); any other is a 415.
pub(crate) fn upload_of(headers: &HeaderMap) -> Result<Upload<'static>, AppError> {
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    match Format::of_content_type(declared) {
        Some(format) => Ok(Upload { name: None, format }),
        None => Err(AppError::UnsupportedType(format!(
            "send the file as text/csv or {}, not {declared:?}",
            crate::app::tables::XLSX_TYPE
        ))),
    }
}

/// Runs an import of `kind` from `bytes` as `principal`: a dry run or the real one.
pub(crate) async fn run(
    state: &AppState,
    principal: &Principal,
    kind: ImportKind,
    file: &Upload<'_>,
    bytes: &[u8],
    label: &str,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let what = match kind {
        ImportKind::Catalog => {
            let (version, items) = if dry_run {
                (None, crate::app::check_catalog(state, principal, label, file, bytes).await?.len())
            } else {
                let published = crate::app::import_catalog(state, principal, label, file, bytes).await?;
                (Some(published.version), published.items)
            };
            let label = label.trim().to_owned();
            return Ok(ImportReport::Catalog(CatalogImportView { dry_run, version, label, items }));
        }
        ImportKind::Org => OrgFile::Whole,
        ImportKind::Projects => {
            let done = crate::app::project_import::import_projects(state, principal, file, bytes, dry_run).await?;
            return Ok(ImportReport::Projects(done.into()));
        }
        ImportKind::Lists => {
            let done = crate::app::lists::import_lists(state, principal, file, bytes, label, dry_run).await?;
            return Ok(lists_report(dry_run, label, done));
        }
        k => match (k.org(), k.list()) {
            (Some(kind), _) => OrgFile::One(kind),
            (None, Some(list)) => {
                let done = crate::app::lists::import_list(state, principal, list, file, bytes, label, dry_run).await?;
                return Ok(lists_report(dry_run, label, vec![done]));
            }
            (None, None) => return Err(AppError::Internal(format!("no import for {}", k.as_str()))),
        },
    };
    let report = crate::app::organisation::import_org(state, principal, what, file, bytes, dry_run).await?;
    Ok(ImportReport::Org(report.into()))
}

fn lists_report(dry_run: bool, label: &str, done: Vec<crate::app::lists::ListImport>) -> ImportReport {
    let lists = done
        .into_iter()
        .map(|l| ListImportedView { kind: l.kind.as_str().to_owned(), version: l.version, entries: l.entries })
        .collect();
    ImportReport::Lists(ListsImportView { dry_run, label: label.trim().to_owned(), lists })
}

/// Import a file (administrators): divisions, sites, departments, windows or staff (a CSV
/// file, or a workbook's sheet of that name or its only sheet), a whole organisation (a
/// workbook with a sheet per kind), the catalog, or a published list (powers, duties, funds,
/// services; `lists`: a workbook with a sheet per list) — each a new version, `?label=`
/// required.
/// Every row is checked first — syntax and references together — and a bad file is a 422
/// whose `errors` name each bad row by `line` (the CSV header is line 1; a sheet's row as
/// the spreadsheet shows it), `column` and `message`; nothing is written then. With
/// `?dry_run=true` nothing is written either way: the answer says what each row would do.
/// Rows keyed by code (login for staff) are created, updated or left unchanged, so the same
/// file imported again changes nothing; new staff get one-time activation codes, shown in
/// this answer only.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "organisation",
    params(("kind" = inline(ImportKind), Path, description = "What the file holds"), ImportQuery),
    request_body(description = "The file: CSV (UTF-8) or an xlsx workbook", content(
        (String = "text/csv"),
        (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )),
    responses(
        (status = 200, description = "What was imported, or on a dry run what would be", body = ImportReport),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither text/csv nor the xlsx type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each by line (or sheet and row) and column; or no rows, or no label", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(import.kind = %kind))]
pub async fn import(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
    AppQuery(q): AppQuery<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportReport>, ApiError> {
    let kind = ImportKind::parse(&kind)?;
    // Who may import is the use case's to say; asked first so that a caller who may not
    // learns nothing about the file's type or size.
    crate::app::authorize(&principal, kind.action())?;
    let file = upload_of(&headers)?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES).await.map_err(|_| AppError::TooLarge(MAX_IMPORT_BYTES))?;
    let label = q.label.unwrap_or_default();
    let report = run(&state, &principal, kind, &file, &bytes, &label, q.dry_run.unwrap_or(false)).await?;
    Ok(Json(report))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(import))
}
