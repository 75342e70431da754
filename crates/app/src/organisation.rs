//! The organisation as data, as a use case: importing it from the spreadsheets a center
//! keeps (CSV files or one workbook), creating, editing and retiring one thing at a time,
//! and exporting it again. Every path goes through the same check in core
//! ([`tongban_core::org::import`]) and the same write: each change stored by its key and
//! audited, new staff accounts given a one-time activation code (files carry no passwords).

use std::collections::BTreeMap;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::division::DivisionCode;
use tongban_core::org::import::{self, Effect, Known, OrgKind, Record};
use tongban_core::table::{Row, RowError, Table};
use tongban_store::append_audit;

use crate::activation::{IssuedCode, new_code, record_code};
use crate::tables::{Sheet, Upload, sheet_name};
use crate::{App, AppError, Principal, authorize};

/// What an import would do (a dry run) or did, row by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgImport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// Per kind: how many rows create, update or leave something unchanged.
    pub counts: BTreeMap<OrgKind, Counts>,
    /// Every row's record and what it does, in reference order.
    pub rows: Vec<Outcome>,
    /// Activation codes for the staff accounts just created, shown once (none on a dry run).
    pub activation_codes: Vec<ActivationCode>,
}

/// Counts of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// New records.
    pub created: u32,
    /// Changed records.
    pub updated: u32,
    /// Records exactly as stored.
    pub unchanged: u32,
}

/// One row's record and its effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Its kind.
    pub kind: OrgKind,
    /// Its code or login.
    pub key: String,
    /// What storing it does.
    pub effect: Effect,
    /// The record.
    pub record: Record,
}

/// A staff account's activation code, shown to the administrator once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivationCode {
    /// The account.
    pub login: String,
    /// The code.
    pub code: String,
    /// Until when it may be used.
    pub expires_at: String,
}

impl From<IssuedCode> for ActivationCode {
    fn from(c: IssuedCode) -> Self {
        ActivationCode { login: c.login, code: c.code, expires_at: tongban_store::format_ts(c.expires_at) }
    }
}

/// Which tables of a file to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgFile {
    /// One kind: the CSV file, or the workbook's sheet of that name (or its only sheet).
    One(OrgKind),
    /// A workbook whose sheets are named `divisions`, `sites`, `departments`, `windows`,
    /// `staff` (any of them; each present one is imported).
    Whole,
}

/// Reads `bytes` as `what` and imports it (administrators): every row checked first,
/// syntax and references together; on any problem [`AppError::Rows`] lists them all in
/// file order and nothing is written. With `dry_run` nothing is written either way.
pub async fn import_org(
    state: &App,
    principal: &Principal,
    what: OrgFile,
    file: &Upload<'_>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<OrgImport, AppError> {
    authorize(principal, Action::ManageOrganisation)?;
    let tables = org_tables(what, file, bytes).map_err(AppError::Rows)?;
    let known = state.store.org_known().await?;
    let pairs: Vec<(OrgKind, &Table)> = tables.iter().map(|(k, t)| (*k, t)).collect();
    let records = import::check(&pairs, &known).map_err(AppError::Rows)?;
    if records.is_empty() {
        return Err(AppError::Invalid(vec![("file".into(), "the file holds no rows".into())]));
    }
    apply(state, principal, &known, records, dry_run).await
}

/// The tables of a file, each with its kind; a workbook's sheets must be named by kind.
fn org_tables(what: OrgFile, file: &Upload<'_>, bytes: &[u8]) -> Result<Vec<(OrgKind, Table)>, Vec<RowError>> {
    match what {
        OrgFile::One(kind) => Ok(vec![(kind, crate::tables::read_one(file, bytes, kind.as_str())?)]),
        OrgFile::Whole => {
            let tables = crate::tables::read(file, bytes)?;
            let names: Vec<&str> = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
            let mut errors = Vec::new();
            let mut out = Vec::new();
            for table in tables {
                let Some(name) = sheet_name(&table) else {
                    let kinds = names.join(", ");
                    errors.push(table.error(1, None, format!("a whole organisation comes as an xlsx workbook with sheets {kinds}; import a CSV file by its kind")));
                    continue;
                };
                match OrgKind::parse(name) {
                    Some(kind) => out.push((kind, table)),
                    None => errors.push(table.error(
                        table.header_number,
                        None,
                        format!("unknown sheet {name:?}: name each sheet one of {}", names.join(", ")),
                    )),
                }
            }
            if errors.is_empty() { Ok(out) } else { Err(errors) }
        }
    }
}

/// Stores `records` (already checked against `known`) unless `dry_run`: one transaction,
/// each create or update audited, new staff given activation codes.
async fn apply(
    state: &App,
    principal: &Principal,
    known: &Known,
    records: Vec<Record>,
    dry_run: bool,
) -> Result<OrgImport, AppError> {
    let actor = principal.require()?.id.clone();
    let now = state.now();
    let mut report = OrgImport { dry_run, counts: BTreeMap::new(), rows: Vec::new(), activation_codes: Vec::new() };
    let mut codes = Vec::new();
    for record in records {
        let effect = known.effect_of(&record);
        let counts = report.counts.entry(record.kind()).or_default();
        match effect {
            Effect::Create => counts.created += 1,
            Effect::Update => counts.updated += 1,
            Effect::Unchanged => counts.unchanged += 1,
        }
        if effect == Effect::Create
            && let Record::Staff(s) = &record
        {
            codes.push(new_code(s.login.as_str(), &actor, now)?);
        }
        report.rows.push(Outcome { kind: record.kind(), key: record.key().to_owned(), effect, record });
    }
    if dry_run {
        return Ok(report);
    }
    let changes: Vec<(Effect, Record)> =
        report.rows.iter().filter(|o| o.effect != Effect::Unchanged).map(|o| (o.effect, o.record.clone())).collect();
    let rows: Vec<_> = codes.iter().map(|(row, _)| row.clone()).collect();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for (effect, record) in &changes {
                    tongban_store::put_record(c, record, now).await?;
                    let verb = if *effect == Effect::Create { "create" } else { "update" };
                    let action = format!("org.{}.{verb}", record.kind().as_str());
                    let detail = serde_json::to_string(record).unwrap_or_default();
                    append_audit(c, now, &actor, &action, record.key(), &detail).await?;
                }
                for row in &rows {
                    record_code(c, row).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    report.activation_codes = codes.into_iter().map(|(_, issued)| issued.into()).collect();
    Ok(report)
}

/// The optional field of a department that names its 审批第一责任人 (a login of its staff;
/// empty: its head). Not a column of the organisation's tables: checked and stored apart,
/// after the record itself.
pub const FIRST_RESPONSIBLE: &str = "first_responsible";

/// Checks the 审批第一责任人 a department is given: empty for its head, else an enabled
/// account of the department's staff.
async fn check_first_responsible(state: &App, department: &str, login: &str) -> Result<Option<String>, AppError> {
    let login = login.trim();
    if login.is_empty() {
        return Ok(None);
    }
    let refuse = |why: &str| Err(AppError::Invalid(vec![(FIRST_RESPONSIBLE.into(), format!("{login}: {why}"))]));
    match state.store.account(login).await? {
        None => refuse("there is no such account"),
        Some(a) if a.disabled => refuse("the account is disabled"),
        Some(a) if a.department.as_ref().map(|d| d.as_str()) != Some(department) => {
            refuse("not staff of this department")
        }
        Some(_) => Ok(Some(login.to_owned())),
    }
}

/// Creates or edits one record of `kind` from its fields, named as the columns of its
/// table (administrators): the same check as an import of one row, the problems as
/// [`AppError::Invalid`] by field.
pub async fn put_org_record(
    state: &App,
    principal: &Principal,
    kind: OrgKind,
    fields: &BTreeMap<String, String>,
) -> Result<OrgImport, AppError> {
    authorize(principal, Action::ManageOrganisation)?;
    let mut fields = fields.clone();
    let first = match kind {
        OrgKind::Departments => fields.remove(FIRST_RESPONSIBLE),
        _ => None,
    };
    let department = fields.get(kind.columns()[0]).map(|c| c.trim().to_owned()).unwrap_or_default();
    let first = match first {
        Some(login) => Some(check_first_responsible(state, &department, &login).await?),
        None => None,
    };
    if let Some(unknown) = fields.keys().find(|f| !kind.columns().contains(&f.as_str())) {
        let why = format!("not a field of {}; the fields are {}", kind.as_str(), kind.columns().join(", "));
        return Err(AppError::Invalid(vec![(unknown.clone(), why)]));
    }
    let header: Vec<String> = kind.columns().iter().map(|c| (*c).to_owned()).collect();
    let cells = header.iter().map(|c| fields.get(c).map(|v| v.trim().to_owned()).unwrap_or_default()).collect();
    let table = Table {
        origin: tongban_core::table::Origin::Csv(None),
        header,
        header_number: 1,
        rows: vec![Row { number: 2, cells }],
    };
    let known = state.store.org_known().await?;
    let records = import::check(&[(kind, &table)], &known).map_err(|errors| {
        AppError::Invalid(
            errors.into_iter().map(|e| (e.column.unwrap_or_else(|| "fields".into()), e.message)).collect(),
        )
    })?;
    let report = apply(state, principal, &known, records, false).await?;
    if let Some(login) = first {
        let (actor, now) = (principal.require()?.id.clone(), state.now());
        state
            .store
            .write(move |c| {
                Box::pin(async move {
                    tongban_store::set_department_first_responsible(c, &department, login.as_deref()).await?;
                    let detail = serde_json::json!({ "first_responsible": login }).to_string();
                    append_audit(c, now, &actor, "org.departments.first_responsible", &department, &detail).await
                })
            })
            .await?;
    }
    Ok(report)
}

/// The login a department names its 审批第一责任人 (none: its head).
pub async fn department_first_responsible(state: &App, department: &str) -> Result<Option<String>, AppError> {
    Ok(state.store.department_first_responsible(department).await?)
}

/// Retires one record (administrators): it keeps its history but takes no new
/// references; a retired member of staff can no longer log in. Refused while things in
/// service still depend on it (a department's windows and staff, a site's departments …).
pub async fn retire_org_record(state: &App, principal: &Principal, kind: OrgKind, key: &str) -> Result<(), AppError> {
    authorize(principal, Action::ManageOrganisation)?;
    let actor = principal.require()?.id.clone();
    let known = state.store.org_known().await?;
    let dependants = dependants(&known, kind, key)?;
    if !dependants.is_empty() {
        let shown = dependants.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let more = if dependants.len() > 5 { format!(" and {} more", dependants.len() - 5) } else { String::new() };
        return Err(AppError::Conflict(format!(
            "{} {key} is still used by {shown}{more}: retire or move them first",
            kind.as_str()
        )));
    }
    let (now, key) = (state.now(), key.to_owned());
    let done = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let done = tongban_store::retire_record(c, kind, &key, now).await?;
                if done {
                    append_audit(c, now, &actor, &format!("org.{}.retire", kind.as_str()), &key, "{}").await?;
                }
                Ok::<_, AppError>(done)
            })
        })
        .await?;
    if done { Ok(()) } else { Err(AppError::NotFound(format!("no {} {} in service", kind.as_str(), key_shown(kind)))) }
}

fn key_shown(kind: OrgKind) -> &'static str {
    if kind == OrgKind::Staff { "with that login" } else { "with that code" }
}

/// What in service still refers to `key`; not found when there is no such record.
fn dependants(known: &Known, kind: OrgKind, key: &str) -> Result<Vec<String>, AppError> {
    let missing = || AppError::NotFound(format!("no {} {}", kind.as_str(), key_shown(kind)));
    let live = |retired: bool| !retired;
    let found: Vec<String> = match kind {
        OrgKind::Divisions => {
            known.divisions.keys().find(|c| c.as_str() == key).ok_or_else(missing)?;
            let sites = known.sites.values().filter(|s| live(s.retired) && s.value.division.as_str() == key);
            let departments =
                known.departments.values().filter(|d| live(d.retired) && d.value.division.as_str() == key);
            let children = known
                .divisions
                .values()
                .filter(|d| live(d.retired) && d.value.parent.as_ref().is_some_and(|p| p.as_str() == key));
            sites
                .map(|s| format!("site {}", s.value.code))
                .chain(departments.map(|d| format!("department {}", d.value.code)))
                .chain(children.map(|d| format!("division {}", d.value.code)))
                .collect()
        }
        OrgKind::Sites => {
            known.sites.keys().find(|c| c.as_str() == key).ok_or_else(missing)?;
            let at = |site: &Option<tongban_core::org::SiteCode>| site.as_ref().is_some_and(|s| s.as_str() == key);
            let departments = known.departments.values().filter(|d| live(d.retired) && at(&d.value.site));
            let windows = known.windows.values().filter(|w| live(w.retired) && at(&w.value.site));
            departments
                .map(|d| format!("department {}", d.value.code))
                .chain(windows.map(|w| format!("window {}", w.value.code)))
                .collect()
        }
        OrgKind::Departments => {
            known.departments.keys().find(|c| c.as_str() == key).ok_or_else(missing)?;
            let of = |d: &Option<tongban_core::org::DepartmentCode>| d.as_ref().is_some_and(|d| d.as_str() == key);
            let windows = known.windows.values().filter(|w| live(w.retired) && of(&w.value.department));
            let staff = known.staff.values().filter(|s| live(s.retired) && of(&s.value.department));
            windows
                .map(|w| format!("window {}", w.value.code))
                .chain(staff.map(|s| format!("staff {}", s.value.login)))
                .collect()
        }
        OrgKind::Windows => {
            known.windows.keys().find(|c| c.as_str() == key).ok_or_else(missing)?;
            let at = |w: &Option<tongban_core::org::WindowCode>| w.as_ref().is_some_and(|w| w.as_str() == key);
            known
                .staff
                .values()
                .filter(|s| live(s.retired) && at(&s.value.window))
                .map(|s| format!("staff {}", s.value.login))
                .collect()
        }
        OrgKind::Staff => {
            known.staff.get(key).ok_or_else(missing)?;
            Vec::new()
        }
    };
    Ok(found)
}

/// Every record of `kind`, retired ones marked. Staff only for administrators; the rest
/// is public (sites and windows are in every guide). Divisions are the center's: those its
/// sites and departments are in, the divisions above them and the ones inside them — the
/// national list of thousands ships with the product and is not listed.
pub async fn org_records(state: &App, principal: &Principal, kind: OrgKind) -> Result<Vec<(Record, bool)>, AppError> {
    if kind == OrgKind::Staff {
        authorize(principal, Action::ManageOrganisation)?;
    }
    let store = &state.store;
    Ok(match kind {
        OrgKind::Divisions => {
            let used = store.divisions_in_use().await?;
            let around = |d: &DivisionCode| used.iter().any(|u| u.is_within(d) || d.is_within(u));
            let divisions = store.org_divisions().await?.into_iter().filter(|(d, _)| around(&d.code));
            divisions.map(|(d, r)| (Record::Division(d), r)).collect()
        }
        OrgKind::Sites => store.org_sites().await?.into_iter().map(|(s, r)| (Record::Site(s), r)).collect(),
        OrgKind::Departments => {
            store.org_departments().await?.into_iter().map(|(d, r)| (Record::Department(d), r)).collect()
        }
        OrgKind::Windows => store.org_windows().await?.into_iter().map(|(w, r)| (Record::Window(w), r)).collect(),
        OrgKind::Staff => store.org_staff().await?.into_iter().map(|(s, r)| (Record::Staff(s), r)).collect(),
    })
}

/// The organisation in service as sheets named and laid out as an import reads them
/// (administrators: the staff sheet lists people).
pub async fn export_org(state: &App, principal: &Principal) -> Result<Vec<Sheet>, AppError> {
    authorize(principal, Action::ManageOrganisation)?;
    let mut sheets = Vec::new();
    for kind in OrgKind::ALL {
        let rows = org_records(state, principal, kind).await?;
        let cells = rows.into_iter().filter(|(_, retired)| !retired).map(|(r, _)| r.cells()).collect();
        sheets.push(Sheet::new(kind.as_str(), kind.columns(), cells));
    }
    Ok(sheets)
}
