//! The catalog of service items (事项目录) as a use case: publishing a new version from a
//! file, checked whole before anything is written, and exporting a version as the same
//! file again.

use std::collections::{HashMap, HashSet};

use tongban_core::access::Action;
use tongban_core::catalog;
use tongban_core::item::ServiceItem;
use tongban_store::{append_audit, insert_catalog_version};

use crate::tables::Sheet;
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
    let (items, firsts) = checked_items(state, label, file, bytes).await?;
    let count = items.len();
    let now = state.now();
    let label = label.trim().to_owned();
    let version = state
        .store
        .write(move |c| {
            Box::pin(async move {
                let version = insert_catalog_version(c, &label, &items, now).await?;
                for (item, login) in &firsts {
                    tongban_store::set_first_responsible(c, item, login).await?;
                }
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
    Ok(checked_items(state, label, file, bytes).await?.0)
}

/// The optional column of a catalog file naming an item's own 审批第一责任人 (a login of
/// its department's staff; empty: the department's). Taken out of the table before core
/// reads the items, and checked here against the accounts.
pub const FIRST_RESPONSIBLE_COLUMN: &str = "first_responsible";

/// Takes the [`FIRST_RESPONSIBLE_COLUMN`] out of `table`: each row's cell, by row number.
fn take_first_responsible(table: &mut tongban_core::table::Table) -> HashMap<u64, String> {
    let Some(at) = table.header.iter().position(|h| h == FIRST_RESPONSIBLE_COLUMN) else {
        return HashMap::new();
    };
    table.header.remove(at);
    let mut cells = HashMap::new();
    for row in &mut table.rows {
        if at < row.cells.len() {
            let cell = row.cells.remove(at);
            if !cell.trim().is_empty() {
                cells.insert(row.number, cell.trim().to_owned());
            }
        }
    }
    cells
}

/// Items as the sheet `catalog`, under the columns a catalog file has
/// ([`catalog::CSV_COLUMNS`] then [`catalog::GUIDE_COLUMNS`]) and with the cells
/// [`catalog::to_csv`] writes: written as CSV it is that text, and either file imports back
/// as the same items.
pub fn catalog_sheet(items: &[ServiceItem]) -> Sheet {
    let header = catalog::columns_for(items);
    let licence = header.contains(&catalog::LICENCE_COLUMN);
    Sheet::new("catalog", &header, items.iter().map(|i| catalog::cells_with(i, licence)).collect())
}

/// Catalog version `version` (none: the latest) as a sheet (see [`catalog_sheet`]), with
/// the version's number. Public, like the catalog. Not found when nothing is published, or
/// the version does not exist or holds no items.
pub async fn export_catalog(state: &App, version: Option<u32>) -> Result<(u32, Sheet), AppError> {
    let version = match version {
        Some(v) => v,
        None => match state.store.catalog_versions().await?.iter().map(|v| v.number).max() {
            Some(latest) => latest,
            None => return Err(AppError::NotFound("the catalog is empty: nothing has been published yet".into())),
        },
    };
    let items = state.store.items_in_version(version).await?;
    if items.is_empty() {
        return Err(AppError::NotFound(format!("catalog version {version} does not exist or holds no items")));
    }
    Ok((version, catalog_sheet(&items)))
}

/// The items of the file, every row checked (syntax, then the department, division and
/// sites it names: sites must exist and be in service) in one pass; the label checked too.
/// Also returns the items' own first responsible persons named in the file, by item code.
async fn checked_items(
    state: &App,
    label: &str,
    file: &crate::tables::Upload<'_>,
    bytes: &[u8],
) -> Result<(Vec<ServiceItem>, Vec<(String, String)>), AppError> {
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
    let mut table = crate::tables::read_one(file, bytes, "catalog").map_err(AppError::Rows)?;
    let named = take_first_responsible(&mut table);
    let (rows, mut errors) = catalog::parse_table(&table);
    let mut firsts = Vec::new();
    for (line, item) in &rows {
        if let Some(login) = named.get(line) {
            let why = match state.store.account(login).await? {
                None => Some(format!("no account {login}")),
                Some(a) if a.disabled => Some(format!("the account {login} is disabled")),
                Some(a) if a.department.as_ref() != Some(&item.department) => {
                    Some(format!("{login} is not staff of {}", item.department))
                }
                Some(_) => None,
            };
            match why {
                Some(why) => errors.push(table.error(*line, Some(FIRST_RESPONSIBLE_COLUMN), why)),
                None => firsts.push((item.code.to_string(), login.clone())),
            }
        }
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
    Ok((rows.into_iter().map(|(_, item)| item).collect(), firsts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sheet_is_the_csv_an_import_reads() {
        let header = catalog::CSV_COLUMNS.iter().chain(&catalog::GUIDE_COLUMNS).copied().collect::<Vec<_>>().join(",");
        let text = format!(
            "{header}\n620100-FGW-009,开办企业,fgw,620100,licensing,time_limited,20d,5d,营业执照|required|original;章程|optional|copy,工本费|10.50,window;online,\"'=HYPERLINK(1)\",main,企业,受理;审查,0931-1\n"
        );
        let item = catalog::parse_csv(&text).expect("a catalog").remove(0);
        assert_eq!(item.legal_basis, "=HYPERLINK(1)");
        let sheet = catalog_sheet(std::slice::from_ref(&item));
        assert_eq!(sheet.name, "catalog");
        assert_eq!(crate::tables::write_csv(&sheet), catalog::to_csv(std::slice::from_ref(&item)));
        let bytes = crate::tables::write_xlsx(&[sheet]).expect("a workbook");
        let file = crate::tables::Upload { name: None, format: crate::tables::Format::Xlsx };
        let table = crate::tables::read_one(&file, &bytes, "catalog").expect("reads");
        let (rows, errors) = catalog::parse_table(&table);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.into_iter().map(|(_, i)| i).collect::<Vec<_>>(), [item], "the workbook imports back");
    }
}
