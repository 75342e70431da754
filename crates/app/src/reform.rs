//! The reform report (三减一压缩) between two catalog versions, as the admin catalog page,
//! the API (`GET /api/v1/catalog/reform`, `GET /api/v1/exports/reform`) and
//! `tongban report reform` show it, and as the sheets they download. Public like the
//! catalog it is computed from, so it takes no principal.

use std::collections::BTreeMap;

use tongban_core::catalog::{Change, ItemRef, Measures, ReformReport};
use tongban_store::CatalogVersion;

use crate::tables::Sheet;
use crate::{App, AppError};

/// The columns of the sheet `reform`: one row per measure, for the whole catalog (scope
/// `total`) and per department (scope `department`).
pub const COLUMNS: [&str; 7] = ["scope", "department", "name", "measure", "before", "after", "change_percent"];

/// Its columns that hold numbers.
pub const NUMBER_COLUMNS: [&str; 3] = ["before", "after", "change_percent"];

/// The columns of the sheet `items`: the items cut, added and changed.
pub const ITEM_COLUMNS: [&str; 4] = ["change", "code", "name", "department"];

/// The report between two stored catalog versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Reform {
    /// The version before the reform.
    pub from: CatalogVersion,
    /// The version after it.
    pub to: CatalogVersion,
    /// What changed, computed by core.
    pub report: ReformReport,
    /// The names of the report's departments, by code (a department no longer stored is
    /// left out).
    pub department_names: BTreeMap<String, String>,
}

impl Reform {
    /// A department's name, else its code.
    pub fn department_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.department_names.get(code).map_or(code, String::as_str)
    }
}

/// Compares catalog version `from` with version `to`; a version that does not exist is
/// not found. The same version twice compares it with itself (every change is zero).
pub async fn catalog_reform(state: &App, from: u32, to: u32) -> Result<Reform, AppError> {
    let versions = state.store.catalog_versions().await?;
    let find = |n: u32| {
        versions
            .iter()
            .find(|v| v.number == n)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("catalog version {n} does not exist")))
    };
    let (from, to) = (find(from)?, find(to)?);
    let before = state.store.items_in_version(from.number).await?;
    let after = state.store.items_in_version(to.number).await?;
    let report = ReformReport::compare(&before, &after);
    let codes = report.department_codes();
    let department_names = state
        .store
        .department_names()
        .await?
        .into_iter()
        .filter(|(code, _)| codes.iter().any(|c| c.as_str() == code))
        .collect();
    Ok(Reform { from, to, report, department_names })
}

/// A number as a cell: as Rust writes it (`15`, `-46.67`), nothing when there is none.
fn number(n: Option<f64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The four rows of a set of measures: items, materials, steps, average promised days.
fn measure_rows(scope: &str, department: &str, name: &str, m: &Measures) -> [Vec<String>; 4] {
    let row = |measure: &str, before: String, after: String, change: Option<f64>| {
        vec![
            scope.to_owned(),
            department.to_owned(),
            name.to_owned(),
            measure.to_owned(),
            before,
            after,
            number(change),
        ]
    };
    let count =
        |measure: &str, c: &Change<u64>| row(measure, c.before.to_string(), c.after.to_string(), c.change_percent);
    let days = &m.average_promised_working_days;
    [
        count("items", &m.items),
        count("materials", &m.materials),
        count("steps", &m.steps),
        row("average_promised_working_days", number(days.before), number(days.after), days.change_percent),
    ]
}

/// The report as two sheets: `reform`, the measures of the whole catalog then of each
/// department ([`COLUMNS`]; counts, means and changes in percent as numbers), and `items`,
/// the items cut, added and changed ([`ITEM_COLUMNS`]). A CSV download is the first.
pub fn sheets(r: &Reform) -> Vec<Sheet> {
    let mut rows: Vec<Vec<String>> = measure_rows("total", "", "", &r.report.totals).into();
    for d in &r.report.departments {
        let code = d.department.as_str();
        rows.extend(measure_rows("department", code, r.department_name(code), &d.measures));
    }
    let listed: [(&str, &[ItemRef]); 3] =
        [("cut", &r.report.cut), ("added", &r.report.added), ("changed", &r.report.changed)];
    let items = listed
        .iter()
        .flat_map(|(what, items)| {
            items
                .iter()
                .map(move |i| vec![(*what).to_owned(), i.code.to_string(), i.name.clone(), i.department.to_string()])
        })
        .collect();
    vec![Sheet::new("reform", &COLUMNS, rows).with_numbers(&NUMBER_COLUMNS), Sheet::new("items", &ITEM_COLUMNS, items)]
}
