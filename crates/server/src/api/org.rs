//! The organisation as data over HTTP (issue 16): divisions (行政区划), sites (办事地点),
//! departments, windows and staff, each listed with its retired ones, created or edited
//! from its table's columns, and retired. The rules are the app's ([`crate::app::organisation`]):
//! the same check as an import of one row, administrators only (staff is read by them
//! only too), retiring refused while things in service depend on the record.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongban_core::org::import::{Effect, OrgKind, Record};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::accounts::ActivationCodeView;
use crate::AppState;
use crate::app::AppError;
use crate::app::organisation::{self as org, OrgImport};
use crate::auth::Principal;
use crate::extract::AppJson;
use crate::problem::{ApiError, Problem};

/// A kind of organisational record, named as its file or sheet.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgKindName {
    /// 行政区划 — `code,name,parent`.
    Divisions,
    /// 办事地点 — `code,name,division,address,hours,phone`.
    Sites,
    /// 部门 — `code,name,division,site`.
    Departments,
    /// 窗口 — `code,name,department,site` (no department: a comprehensive window, 综合窗口).
    Windows,
    /// 工作人员 — `login,name,role,department,window,phone`.
    Staff,
}

/// The kind named in a path; an unknown one is a 404 (there is no such collection).
pub(crate) fn kind_of(name: &str) -> Result<OrgKind, AppError> {
    OrgKind::parse(name).ok_or_else(|| {
        let kinds: Vec<&str> = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
        AppError::NotFound(format!("no kind {name:?}: the kinds are {}", kinds.join(", ")))
    })
}

/// A record's fields named as its table's columns, every one a string (empty when unset).
pub(crate) fn fields_of(record: &Record) -> BTreeMap<String, String> {
    record.kind().columns().iter().map(|c| (*c).to_owned()).zip(record.cells()).collect()
}

/// One record of the organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgRecordView {
    /// Its kind.
    pub kind: OrgKindName,
    /// Its key: the code, or the login for staff.
    pub key: String,
    /// Retired: kept with its history, taking no new references (retired staff cannot log in).
    pub retired: bool,
    /// Its fields, named as the columns of its table; what `POST` takes back.
    pub fields: BTreeMap<String, String>,
}

impl OrgKindName {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        self.kind().as_str()
    }

    fn kind(self) -> OrgKind {
        match self {
            OrgKindName::Divisions => OrgKind::Divisions,
            OrgKindName::Sites => OrgKind::Sites,
            OrgKindName::Departments => OrgKind::Departments,
            OrgKindName::Windows => OrgKind::Windows,
            OrgKindName::Staff => OrgKind::Staff,
        }
    }
}

fn kind_name(kind: OrgKind) -> OrgKindName {
    match kind {
        OrgKind::Divisions => OrgKindName::Divisions,
        OrgKind::Sites => OrgKindName::Sites,
        OrgKind::Departments => OrgKindName::Departments,
        OrgKind::Windows => OrgKindName::Windows,
        OrgKind::Staff => OrgKindName::Staff,
    }
}

impl OrgRecordView {
    fn of(record: &Record, retired: bool) -> Self {
        OrgRecordView {
            kind: kind_name(record.kind()),
            key: record.key().to_owned(),
            retired,
            fields: fields_of(record),
        }
    }
}

/// What storing a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EffectName {
    /// It is new.
    Create,
    /// It changes what is stored (or brings a retired record back).
    Update,
    /// It is exactly as stored.
    Unchanged,
}

impl EffectName {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            EffectName::Create => "create",
            EffectName::Update => "update",
            EffectName::Unchanged => "unchanged",
        }
    }
}

impl From<Effect> for EffectName {
    fn from(e: Effect) -> Self {
        match e {
            Effect::Create => EffectName::Create,
            Effect::Update => EffectName::Update,
            Effect::Unchanged => EffectName::Unchanged,
        }
    }
}

/// Counts of one kind.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct CountsView {
    /// New records.
    pub created: u32,
    /// Changed records.
    pub updated: u32,
    /// Records exactly as stored.
    pub unchanged: u32,
}

/// One row of an import and what it does.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowOutcomeView {
    /// Its kind.
    pub kind: OrgKindName,
    /// Its code or login.
    pub key: String,
    /// What storing it does.
    pub effect: EffectName,
    /// Its fields, named as the columns of its table.
    pub fields: BTreeMap<String, String>,
}

/// What an import of organisational records did — or, on a dry run, would do — row by row.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgImportView {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Per kind (`divisions`, `sites`, …): how many rows create, update or change nothing.
    pub counts: BTreeMap<String, CountsView>,
    /// Every row, in reference order (divisions first).
    pub rows: Vec<RowOutcomeView>,
    /// Activation codes of the staff accounts just created, shown once (none on a dry run).
    pub activation_codes: Vec<ActivationCodeView>,
}

impl From<OrgImport> for OrgImportView {
    fn from(r: OrgImport) -> Self {
        OrgImportView {
            dry_run: r.dry_run,
            counts: r
                .counts
                .into_iter()
                .map(|(k, c)| {
                    let counts = CountsView { created: c.created, updated: c.updated, unchanged: c.unchanged };
                    (k.as_str().to_owned(), counts)
                })
                .collect(),
            rows: r
                .rows
                .iter()
                .map(|o| RowOutcomeView {
                    kind: kind_name(o.kind),
                    key: o.key.clone(),
                    effect: o.effect.into(),
                    fields: fields_of(&o.record),
                })
                .collect(),
            activation_codes: r
                .activation_codes
                .into_iter()
                .map(|c| ActivationCodeView { login: c.login, code: c.code, expires_at: c.expires_at })
                .collect(),
        }
    }
}

/// Every record of a kind, retired ones marked (`retired: true`). Staff for administrators
/// only; the rest is public (sites and windows are in every guide).
#[utoipa::path(get, path = "/api/v1/org/{kind}", tag = "organisation",
    params(("kind" = inline(OrgKindName), Path, description = "The kind")),
    responses(
        (status = 200, description = "The records, by key", body = Vec<OrgRecordView>),
        (status = 401, description = "Staff, not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Staff, not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(org.kind = %kind))]
pub async fn list_records(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
) -> Result<Json<Vec<OrgRecordView>>, ApiError> {
    let kind = kind_of(&kind)?;
    let records = org::org_records(&state, &principal, kind).await?;
    Ok(Json(records.iter().map(|(r, retired)| OrgRecordView::of(r, *retired)).collect()))
}

/// Create or edit a record (administrators) from its fields, named as its table's columns
/// (e.g. for a site `code`, `name`, `division`, `address`, `hours`, `phone`); the same check
/// as an import of one row, every problem listed by field. Keyed by code (login for staff):
/// an existing record is edited, a retired one brought back. A new member of staff gets a
/// one-time activation code in the answer. Audited as `org.KIND.create|update`.
#[utoipa::path(post, path = "/api/v1/org/{kind}", tag = "organisation",
    params(("kind" = inline(OrgKindName), Path, description = "The kind")),
    request_body(content = BTreeMap<String, String>, description = "The record's fields, named as its columns; absent ones are empty"),
    responses(
        (status = 201, description = "Created", body = OrgImportView),
        (status = 200, description = "Edited, or already so", body = OrgImportView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(org.kind = %kind))]
pub async fn put_record(
    State(state): State<AppState>,
    principal: Principal,
    Path(kind): Path<String>,
    AppJson(fields): AppJson<BTreeMap<String, String>>,
) -> Result<(StatusCode, Json<OrgImportView>), ApiError> {
    let kind = kind_of(&kind)?;
    answer(org::put_org_record(&state, &principal, kind, &fields).await?)
}

fn answer(report: OrgImport) -> Result<(StatusCode, Json<OrgImportView>), ApiError> {
    let created = report.rows.iter().any(|o| o.effect == Effect::Create);
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(report.into())))
}

/// Edit a record (administrators): its fields, named as its table's columns; the key field
/// (`code`, `login` for staff) may be left out and otherwise must be the path's key. A
/// retired record is brought back. Audited as `org.KIND.update`.
#[utoipa::path(put, path = "/api/v1/org/{kind}/{key}", tag = "organisation",
    params(("kind" = inline(OrgKindName), Path, description = "The kind"), ("key" = String, Path, description = "Its code, or login for staff")),
    request_body(content = BTreeMap<String, String>, description = "The record's fields, named as its columns; absent ones are empty"),
    responses(
        (status = 200, description = "Edited, or already so", body = OrgImportView),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind or record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named (a key other than the path's)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(org.kind = %kind, org.key = %key))]
pub async fn edit_record(
    State(state): State<AppState>,
    principal: Principal,
    Path((kind, key)): Path<(String, String)>,
    AppJson(mut fields): AppJson<BTreeMap<String, String>>,
) -> Result<(StatusCode, Json<OrgImportView>), ApiError> {
    let kind = kind_of(&kind)?;
    crate::app::authorize(&principal, tongban_core::access::Action::ManageOrganisation)?;
    let column = kind.columns()[0];
    match fields.get(column) {
        Some(sent) if sent.trim() != key => {
            let why = format!("is {sent:?} but the path names {key:?}: a record's key cannot be changed");
            return Err(AppError::Invalid(vec![(column.to_owned(), why)]).into());
        }
        _ => drop(fields.insert(column.to_owned(), key.clone())),
    }
    let records = org::org_records(&state, &principal, kind).await?;
    if !records.iter().any(|(r, _)| r.key() == key) {
        return Err(AppError::NotFound(format!("no {} {key:?}", kind.as_str())).into());
    }
    answer(org::put_org_record(&state, &principal, kind, &fields).await?)
}

/// Retire a record (administrators): it keeps its history and stays in every case that
/// names it, but takes no new references; a retired member of staff can no longer log in.
/// Refused (409) while things in service depend on it — a site's departments and windows,
/// a department's windows and staff, a window's staff, a division's sites, departments and
/// divisions below it. Audited as `org.KIND.retire`.
#[utoipa::path(post, path = "/api/v1/org/{kind}/{key}/retire", tag = "organisation",
    params(("kind" = inline(OrgKindName), Path, description = "The kind"), ("key" = String, Path, description = "Its code, or login for staff")),
    responses(
        (status = 204, description = "Retired"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind, or no such record in service", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Things in service depend on it (named)", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(org.kind = %kind, org.key = %key))]
pub async fn retire_record(
    State(state): State<AppState>,
    principal: Principal,
    Path((kind, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let kind = kind_of(&kind)?;
    org::retire_org_record(&state, &principal, kind, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(list_records, put_record))
        .routes(routes!(edit_record))
        .routes(routes!(retire_record))
}
