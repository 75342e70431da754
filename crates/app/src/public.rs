//! What the center publishes (政务公开): its catalog of service items in every version,
//! its organisation's names, each item's first responsible person and where, when and who
//! handles it, and the public figures.
//! Anyone may read these, so the reads take no principal.

use tongban_core::catalog::Guide;
use tongban_core::division::DivisionCode;
use tongban_core::item::{ItemCode, ServiceItem};
use tongban_core::org::{Department, Window};
use tongban_store::{CatalogVersion, ItemFilter, ItemRow, MonthFigures, Page};

use crate::App;
use crate::AppError;

/// Departments as (code, name), by code.
pub async fn department_names(state: &App) -> Result<Vec<(String, String)>, AppError> {
    Ok(state.store.department_names().await?)
}

/// Every department, by code.
pub async fn departments(state: &App) -> Result<Vec<Department>, AppError> {
    Ok(state.store.departments().await?)
}

/// Every window, by code.
pub async fn windows(state: &App) -> Result<Vec<Window>, AppError> {
    Ok(state.store.windows().await?)
}

/// Whether a division is known (the national list ships with the product).
pub async fn division_exists(state: &App, division: &DivisionCode) -> Result<bool, AppError> {
    Ok(state.store.division_exists(division).await?)
}

/// The codes of the divisions the center works in (with a department or a site); the
/// national list holds thousands more.
pub async fn division_codes(state: &App) -> Result<Vec<DivisionCode>, AppError> {
    Ok(state.store.divisions_in_use().await?)
}

/// Items of the published catalog matching `filter`, a page of them.
pub async fn items(state: &App, filter: &ItemFilter) -> Result<Page<ItemRow>, AppError> {
    Ok(state.store.items(filter).await?)
}

/// An item in its latest version.
pub async fn item(state: &App, code: &ItemCode) -> Result<Option<ItemRow>, AppError> {
    Ok(state.store.item_by_code(code).await?)
}

/// An item in the version a case was applied under.
pub async fn item_in_version(state: &App, code: &ItemCode, version: u32) -> Result<Option<ItemRow>, AppError> {
    Ok(state.store.item_in_version(code, version).await?)
}

/// Every item of catalog version `version`.
pub async fn items_in_version(state: &App, version: u32) -> Result<Vec<ServiceItem>, AppError> {
    Ok(state.store.items_in_version(version).await?)
}

/// Where, when and who for an item's guide (办理地点、时间、咨询电话): the sites in service
/// that handle it, their windows for it, and whom to ask; see [`tongban_core::catalog::guide`].
pub async fn guide(state: &App, item: &ServiceItem) -> Result<Guide, AppError> {
    let departments = state.store.departments().await?;
    let department = departments.iter().find(|d| d.code == item.department);
    let (sites, windows) = (state.store.sites().await?, state.store.windows().await?);
    Ok(tongban_core::catalog::guide(item, department, &sites, &windows))
}

/// The catalog's versions, oldest first.
pub async fn catalog_versions(state: &App) -> Result<Vec<CatalogVersion>, AppError> {
    Ok(state.store.catalog_versions().await?)
}

/// The login of an item's first responsible person (审批第一责任人): the item's own if
/// named, else its department's, else the department's head; none without a head.
pub async fn first_responsible(state: &App, item: &ItemCode) -> Result<Option<String>, AppError> {
    Ok(state.store.item_first_responsible(item.as_str()).await?)
}

/// The name an account is shown by: its display name, else the login itself.
pub async fn display_name(state: &App, login: &str) -> Result<String, AppError> {
    Ok(state.store.account(login).await?.map_or_else(|| login.to_owned(), |a| a.display_name))
}

/// Cases received and closed per month (the public figures).
pub async fn monthly_figures(state: &App) -> Result<Vec<MonthFigures>, AppError> {
    Ok(state.store.monthly_figures().await?)
}

/// Ratings given, by score 1–5.
pub async fn rating_counts(state: &App) -> Result<[u64; 5], AppError> {
    Ok(state.store.rating_counts().await?)
}
