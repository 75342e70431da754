//! What the center publishes (政务公开): its catalog of service items in every version,
//! its organisation's names, each item's first responsible person, and the public figures.
//! Anyone may read these, so the reads take no principal.

use tongban_core::division::DivisionCode;
use tongban_core::item::{ItemCode, ServiceItem};
use tongban_store::{ItemFilter, ItemRow, MonthFigures, Page};

use crate::AppState;
use crate::problem::ApiError;

/// Departments as (code, name), by code.
pub async fn department_names(state: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    Ok(state.store.department_names().await?)
}

/// Departments as (code, name, division code), by code.
pub async fn departments(state: &AppState) -> Result<Vec<(String, String, String)>, ApiError> {
    Ok(state.store.departments().await?)
}

/// Windows as (code, name, department code), by code.
pub async fn windows(state: &AppState) -> Result<Vec<(String, String, Option<String>)>, ApiError> {
    Ok(state.store.windows().await?)
}

/// The divisions' codes.
pub async fn division_codes(state: &AppState) -> Result<Vec<DivisionCode>, ApiError> {
    Ok(state.store.division_codes().await?)
}

/// Items of the published catalog matching `filter`, a page of them.
pub async fn items(state: &AppState, filter: &ItemFilter) -> Result<Page<ItemRow>, ApiError> {
    Ok(state.store.items(filter).await?)
}

/// An item in its latest version.
pub async fn item(state: &AppState, code: &ItemCode) -> Result<Option<ItemRow>, ApiError> {
    Ok(state.store.item_by_code(code).await?)
}

/// An item in the version a case was applied under.
pub async fn item_in_version(state: &AppState, code: &ItemCode, version: u32) -> Result<Option<ItemRow>, ApiError> {
    Ok(state.store.item_in_version(code, version).await?)
}

/// Every item of catalog version `version`.
pub async fn items_in_version(state: &AppState, version: u32) -> Result<Vec<ServiceItem>, ApiError> {
    Ok(state.store.items_in_version(version).await?)
}

/// The catalog's versions: (number, label, published at).
pub async fn catalog_versions(state: &AppState) -> Result<Vec<(u32, String, jiff::Timestamp)>, ApiError> {
    Ok(state.store.catalog_versions().await?)
}

/// The login of an item's first responsible person (审批第一责任人), if named.
pub async fn first_responsible(state: &AppState, item: &ItemCode) -> Result<Option<String>, ApiError> {
    Ok(state.store.first_responsible(item.as_str()).await?)
}

/// The name an account is shown by: its display name, else the login itself.
pub async fn display_name(state: &AppState, login: &str) -> Result<String, ApiError> {
    Ok(state.store.account(login).await?.map_or_else(|| login.to_owned(), |a| a.display_name))
}

/// Cases received and closed per month (the public figures).
pub async fn monthly_figures(state: &AppState) -> Result<Vec<MonthFigures>, ApiError> {
    Ok(state.store.monthly_figures().await?)
}

/// Ratings given, by score 1–5.
pub async fn rating_counts(state: &AppState) -> Result<[u64; 5], ApiError> {
    Ok(state.store.rating_counts().await?)
}
