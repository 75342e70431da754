//! The published lists (清单) as use cases: 权责清单, 职责清单, 财政专项资金管理清单 and
//! 便民服务事项. An administrator publishes a new version of a list from a file (CSV, or a
//! workbook's sheet named by the list's kind), checked whole before anything is written;
//! anyone reads, searches and downloads them. The API, the public pages and the command
//! line call these same functions.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use tongban_core::access::Action;
use tongban_core::lists::{self, Entry, ListKind};
use tongban_core::table::{Origin, Row, RowError, Table};
pub use tongban_store::ListVersion;
use tongban_store::{append_audit, insert_list_version};

use crate::tables::{Format, Sheet, Upload};
use crate::{App, AppError, Principal, authorize};

/// A list version published (or, on a dry run, checked and not written).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListImport {
    /// The list.
    pub kind: ListKind,
    /// The version published; none on a dry run.
    pub version: Option<u32>,
    /// How many entries it holds.
    pub entries: usize,
}

/// A generated list to load in bulk (the demo): its label, when it was published, and its
/// rows as a sheet named by its kind, checked as an imported file is.
#[derive(Debug, Clone)]
pub struct ListDraft {
    /// The version's label.
    pub label: String,
    /// When it was published.
    pub published_at: Timestamp,
    /// Its rows, under the kind's columns; the sheet's name is the kind (`powers` …).
    pub sheet: Sheet,
}

/// One kind's list, checked and ready to write.
struct Checked {
    kind: ListKind,
    label: String,
    published_at: Timestamp,
    /// Each entry with the text a search looks in.
    entries: Vec<(Entry, String)>,
}

/// Publishes the file `bytes` (CSV, or an xlsx workbook whose sheet named `kind` or only
/// sheet holds the list) as a new version of `kind`'s list labelled `label`
/// (administrators). `file` names the file in errors.
///
/// Every row is checked in one pass (see [`tongban_core::lists::parse_table`]; departments
/// must exist); any problem refuses the whole file with [`AppError::Rows`] and nothing is
/// written. With `dry_run` the file is only checked. A publication is audited
/// (`list.publish`).
pub async fn import_list(
    state: &App,
    principal: &Principal,
    kind: ListKind,
    file: &Upload<'_>,
    bytes: &[u8],
    label: &str,
    dry_run: bool,
) -> Result<ListImport, AppError> {
    authorize(principal, Action::ImportLists)?;
    let label = checked_label(label)?;
    let table = crate::tables::read_one(file, bytes, kind.as_str()).map_err(AppError::Rows)?;
    let now = state.now();
    let checked = check(state, vec![(kind, table)], &label, now).await?;
    let mut done = publish(state, principal, checked, dry_run).await?;
    done.pop().ok_or_else(|| AppError::Internal("one list checked, none published".into()))
}

/// Publishes every list of a workbook whose sheets are named by kind (`powers`, `duties`,
/// `funds`, `services`; any of them), each as a new version labelled `label`
/// (administrators). Every sheet is checked before any is written; a sheet named otherwise,
/// or a CSV file (which holds one list: use [`import_list`]), is refused.
pub async fn import_lists(
    state: &App,
    principal: &Principal,
    file: &Upload<'_>,
    bytes: &[u8],
    label: &str,
    dry_run: bool,
) -> Result<Vec<ListImport>, AppError> {
    authorize(principal, Action::ImportLists)?;
    let label = checked_label(label)?;
    if file.format == Format::Csv {
        let why = "a CSV file holds one list: name its kind (powers, duties, funds or services)";
        return Err(AppError::Invalid(vec![("kind".into(), why.into())]));
    }
    let tables = crate::tables::read(file, bytes).map_err(AppError::Rows)?;
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for table in tables {
        let name = crate::tables::sheet_name(&table).unwrap_or_default().to_owned();
        match ListKind::parse(&name) {
            Ok(kind) => kinds.push((kind, table)),
            Err(_) => errors.push(crate::tables::workbook_error(
                file.name,
                format!("sheet {name} is not a list: name each sheet powers, duties, funds or services"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    kinds.sort_by_key(|(kind, _)| *kind);
    let checked = check(state, kinds, &label, state.now()).await?;
    publish(state, principal, checked, dry_run).await
}

/// Loads generated lists (the demo's), oldest first, each checked as an imported file is
/// and published at its own time; all or none are written (administrators or the console).
pub async fn load_lists(
    state: &App,
    principal: &Principal,
    drafts: Vec<ListDraft>,
) -> Result<Vec<ListImport>, AppError> {
    authorize(principal, Action::BulkLoad)?;
    let mut checked = Vec::new();
    for draft in drafts {
        let kind =
            ListKind::parse(&draft.sheet.name).map_err(|e| AppError::Invalid(vec![("sheet".into(), e.to_string())]))?;
        let rows = (2..).zip(draft.sheet.rows).map(|(number, cells)| Row { number, cells }).collect();
        let table =
            Table { origin: Origin::Sheet(draft.sheet.name), header: draft.sheet.header, header_number: 1, rows };
        let label = checked_label(&draft.label)?;
        checked.extend(check(state, vec![(kind, table)], &label, draft.published_at).await?);
    }
    publish(state, principal, checked, false).await
}

/// The label, trimmed: 1–100 characters, no control characters.
fn checked_label(label: &str) -> Result<String, AppError> {
    let label = label.trim();
    if label.is_empty() || tongban_core::text::check(label, 100).is_err() {
        return Err(AppError::Invalid(vec![("label".into(), "give the version a label of 1–100 characters".into())]));
    }
    Ok(label.to_owned())
}

/// Reads every table as its kind's list, all problems of all tables together.
async fn check(
    state: &App,
    tables: Vec<(ListKind, Table)>,
    label: &str,
    published_at: Timestamp,
) -> Result<Vec<Checked>, AppError> {
    let names: HashMap<String, String> = state.store.department_names().await?.into_iter().collect();
    let departments: HashSet<String> = names.keys().cloned().collect();
    let mut checked = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    for (kind, table) in tables {
        match lists::parse_table(kind, &table, &departments) {
            Ok(entries) => {
                let entries = entries
                    .into_iter()
                    .map(|e| {
                        let text = e.search_text(names.get(e.department().as_str()).map_or("", String::as_str));
                        (e, text)
                    })
                    .collect();
                checked.push(Checked { kind, label: label.to_owned(), published_at, entries });
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(checked) } else { Err(AppError::Rows(errors)) }
}

/// Writes the checked lists as new versions in one transaction, each audited; a dry run
/// writes nothing.
async fn publish(
    state: &App,
    principal: &Principal,
    lists: Vec<Checked>,
    dry_run: bool,
) -> Result<Vec<ListImport>, AppError> {
    let counts: Vec<(ListKind, usize)> = lists.iter().map(|l| (l.kind, l.entries.len())).collect();
    if dry_run {
        return Ok(counts.into_iter().map(|(kind, entries)| ListImport { kind, version: None, entries }).collect());
    }
    let actor = principal.require()?.id.clone();
    let now = state.now();
    let versions = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let mut versions = Vec::new();
                for l in &lists {
                    let v = insert_list_version(c, l.kind, &l.label, &actor, &l.entries, l.published_at).await?;
                    let detail =
                        serde_json::json!({ "kind": l.kind.as_str(), "label": l.label, "entries": l.entries.len() });
                    let subject = format!("{}/{v}", l.kind);
                    append_audit(c, now, &actor, "list.publish", &subject, &detail.to_string()).await?;
                    versions.push(v);
                }
                Ok::<_, AppError>(versions)
            })
        })
        .await?;
    Ok(counts
        .into_iter()
        .zip(versions)
        .map(|((kind, entries), v)| ListImport { kind, version: Some(v), entries })
        .collect())
}

/// An entry as shown: with its department's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// The entry.
    pub entry: Entry,
    /// Its department's name (the code when the department is gone).
    pub department_name: String,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// The list.
    pub kind: ListKind,
    /// The version shown; none before the first is published.
    pub version: Option<ListVersion>,
    /// This page's entries, in the order the list was published.
    pub entries: Vec<Listed>,
    /// Entries found over all pages.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Entries per page.
    pub per_page: u32,
}

/// What to show of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The version; none: the latest.
    pub version: Option<u32>,
    /// Words every entry shown holds (in its code, name, department or any column).
    pub q: Option<String>,
    /// The page, 1–100,000.
    pub page: u32,
    /// Entries per page, 1–200.
    pub per_page: u32,
}

/// A page of `kind`'s list (public). A version that does not exist is not found; before
/// the first version, the page is empty.
pub async fn list(state: &App, kind: ListKind, query: &ListQuery) -> Result<ListPage, AppError> {
    if let Err((field, why)) = tongban_core::text::check_page(query.page, query.per_page) {
        return Err(AppError::Invalid(vec![(field.into(), why)]));
    }
    let version = chosen_version(state, kind, query.version).await?;
    let empty =
        ListPage { kind, version: None, entries: Vec::new(), total: 0, page: query.page, per_page: query.per_page };
    let Some(version) = version else { return Ok(empty) };
    let terms = lists::search_terms(query.q.as_deref().unwrap_or(""));
    let found = state.store.list_entries(kind, version.number, &terms, query.page, query.per_page).await?;
    let names: HashMap<String, String> = state.store.department_names().await?.into_iter().collect();
    let entries = found
        .items
        .into_iter()
        .map(|entry| {
            let code = entry.department().as_str();
            let department_name = names.get(code).cloned().unwrap_or_else(|| code.to_owned());
            Listed { entry, department_name }
        })
        .collect();
    Ok(ListPage {
        version: Some(version),
        entries,
        total: found.total,
        page: found.page,
        per_page: found.per_page,
        ..empty
    })
}

/// The version `wanted` of `kind`'s list, or its latest; not found when `wanted` does not
/// exist, none when nothing is published yet.
async fn chosen_version(state: &App, kind: ListKind, wanted: Option<u32>) -> Result<Option<ListVersion>, AppError> {
    let mut versions = state.store.list_versions(kind).await?;
    match wanted {
        None => Ok(versions.pop()),
        Some(n) => versions
            .into_iter()
            .find(|v| v.number == n)
            .map(Some)
            .ok_or_else(|| AppError::NotFound(format!("version {n} of the {kind} list does not exist"))),
    }
}

/// Every version of `kind`'s list, oldest first (public).
pub async fn versions(state: &App, kind: ListKind) -> Result<Vec<ListVersion>, AppError> {
    Ok(state.store.list_versions(kind).await?)
}

/// Each kind with its latest version, none for a list not yet published (public).
pub async fn latest_versions(state: &App) -> Result<Vec<(ListKind, Option<ListVersion>)>, AppError> {
    let mut out = Vec::new();
    for kind in ListKind::ALL {
        out.push((kind, state.store.list_versions(kind).await?.pop()));
    }
    Ok(out)
}

/// Entries as a sheet named by their kind, under its columns: what [`import_list`] reads.
pub fn sheet(kind: ListKind, entries: &[Entry]) -> Sheet {
    Sheet::new(kind.as_str(), kind.columns(), entries.iter().map(Entry::cells).collect())
}

/// The whole of version `version` (none: the latest) of `kind`'s list as a sheet, with the
/// version exported (public). Not found when the version does not exist or nothing is
/// published.
pub async fn export(state: &App, kind: ListKind, version: Option<u32>) -> Result<(ListVersion, Sheet), AppError> {
    let Some(v) = chosen_version(state, kind, version).await? else {
        return Err(AppError::NotFound(format!("the {kind} list has not been published yet")));
    };
    let entries = state.store.all_list_entries(kind, v.number).await?;
    Ok((v, sheet(kind, &entries)))
}

/// The latest version of every published list, one sheet each, in the order of
/// [`ListKind::ALL`] (public); lists not yet published are left out.
pub async fn export_all(state: &App) -> Result<Vec<(ListVersion, Sheet)>, AppError> {
    let mut out = Vec::new();
    for (kind, latest) in latest_versions(state).await? {
        if let Some(v) = latest {
            let entries = state.store.all_list_entries(kind, v.number).await?;
            out.push((v, sheet(kind, &entries)));
        }
    }
    Ok(out)
}
