//! The reform report (三减一压缩) between two catalog versions, as the admin catalog page,
//! the API (`GET /api/v1/catalog/reform`) and `tongban report reform` show it. Public like
//! the catalog it is computed from, so it takes no principal.

use std::collections::BTreeMap;

use tongban_core::catalog::ReformReport;
use tongban_store::CatalogVersion;

use crate::{App, AppError};

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
