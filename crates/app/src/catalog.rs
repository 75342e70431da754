//! The catalog of service items (事项目录) as a use case: publishing a new version from a
//! file, checked whole before anything is written.

use std::collections::{HashMap, HashSet};

use tongban_core::access::Action;
use tongban_core::catalog;
use tongban_core::item::ServiceItem;
use tongban_store::{append_audit, insert_catalog_version};

use crate::{App, AppError, Principal, authorize};

/// A catalog version just published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Its version number.
    pub version: u32,
    /// How many items it holds.
    pub items: usize,
}

/// Publishes the file `bytes` (CSV, or an xlsx workbook whose `catalog` sheet or only sheet
/// holds the items; see [`crate::tables::read`]) as a new catalog version labelled `label`
/// (administrators). `file` names the file in errors.
///
/// Every row is checked in one pass, its syntax and its references (the department and
/// the division must exist, every site in `sites` must exist and be in service)
/// together; any problem refuses the whole file with [`AppError::Rows`], every problem
/// listed in line order, and nothing is written. The publication is audited
/// (`catalog.publish`).
pub async fn import_catalog(
    state: &App,
    principal: &Principal,
    label: &str,
    file: &crate::tables::Upload<'_>,
    bytes: &[u8],
) -> Result<Published, AppError> {
    authorize(principal, Action::ImportCatalog)?;
    let actor = principal.require()?.id.clone();
    let items = checked_items(state, label, file, bytes).await?;
    let count = items.len();
    let now = state.now();
    let label = label.trim().to_owned();
    let version = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let version = insert_catalog_version(c, &label, &items, now).await?;
                let detail = serde_json::json!({ "label": label, "items": items.len() }).to_string();
                append_audit(c, now, &actor, "catalog.publish", &version.to_string(), &detail).await?;
                Ok::<_, AppError>(version)
            })
        })
        .await?;
    Ok(Published { version, items: count })
}

/// Checks the file `bytes` as [`import_catalog`] would publish it, and writes nothing (a
/// dry run, administrators): the same one-pass check, the same [`AppError::Rows`]. Returns
/// the items the new version would hold, in file order.
pub async fn check_catalog(
    state: &App,
    principal: &Principal,
    label: &str,
    file: &crate::tables::Upload<'_>,
    bytes: &[u8],
) -> Result<Vec<ServiceItem>, AppError> {
    authorize(principal, Action::ImportCatalog)?;
    checked_items(state, label, file, bytes).await
}

/// The items of the file, every row checked (syntax, then the department, division and
/// sites it names: sites must exist and be in service) in one pass; the label checked too.
async fn checked_items(
    state: &App,
    label: &str,
    file: &crate::tables::Upload<'_>,
    bytes: &[u8],
) -> Result<Vec<ServiceItem>, AppError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::Invalid(vec![("label".into(), "give the version a label of 1–100 characters".into())]));
    }
    let departments: HashSet<String> =
        state.store.department_codes().await?.into_iter().map(|d| d.as_str().to_owned()).collect();
    let divisions: HashSet<String> =
        state.store.division_codes().await?.into_iter().map(|d| d.as_str().to_owned()).collect();
    // Whether each site is retired: a guide must not send anyone to a closed site.
    let sites: HashMap<String, bool> =
        state.store.org_sites().await?.into_iter().map(|(s, retired)| (s.code.as_str().to_owned(), retired)).collect();
    let table = crate::tables::read_one(file, bytes, "catalog").map_err(AppError::Rows)?;
    let (rows, mut errors) = catalog::parse_table(&table);
    for (line, item) in &rows {
        let mut refuse = |column: &str, why: String| errors.push(table.error(*line, Some(column), why));
        if !departments.contains(item.department.as_str()) {
            refuse("department", format!("unknown department {}", item.department));
        }
        if !divisions.contains(item.division.as_str()) {
            refuse("division", format!("unknown division {}", item.division));
        }
        for site in &item.sites {
            match sites.get(site.as_str()) {
                None => refuse("sites", format!("unknown site {site}")),
                Some(true) => refuse("sites", format!("site {site} is retired")),
                Some(false) => {}
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(AppError::Rows(errors));
    }
    if rows.is_empty() {
        return Err(AppError::Invalid(vec![("file".into(), "the file holds no item".into())]));
    }
    Ok(rows.into_iter().map(|(_, item)| item).collect())
}
