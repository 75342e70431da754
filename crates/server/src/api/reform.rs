//! The reform report (三减一压缩) between two catalog versions: `GET /api/v1/catalog/reform`.
//! The same JSON is what `tongban report reform --json` prints.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tongban_core::catalog::{Change, ItemRef, Measures};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::app::CatalogVersion;
use crate::app::reform::Reform;
use crate::auth::Principal;
use crate::extract::AppQuery;
use crate::problem::{ApiError, Problem};

/// A count before and after, and its change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CountChange {
    /// In the version before.
    pub before: u64,
    /// In the version after.
    pub after: u64,
    /// `(after − before) / before × 100`, two decimals; null when `before` is 0.
    pub change_percent: Option<f64>,
}

impl From<Change<u64>> for CountChange {
    fn from(c: Change<u64>) -> Self {
        Self { before: c.before, after: c.after, change_percent: c.change_percent }
    }
}

/// A mean before and after, and its change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeanChange {
    /// In the version before; null when no item counts.
    pub before: Option<f64>,
    /// In the version after; null when no item counts.
    pub after: Option<f64>,
    /// `(after − before) / before × 100`, two decimals; null when either side is null or 0.
    pub change_percent: Option<f64>,
}

impl From<Change<Option<f64>>> for MeanChange {
    fn from(c: Change<Option<f64>>) -> Self {
        Self { before: c.before, after: c.after, change_percent: c.change_percent }
    }
}

/// A catalog version compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VersionRef {
    /// Its number.
    pub version: u32,
    /// Its label, e.g. 2026 年版.
    pub label: String,
    /// When it was published (RFC 3339).
    pub published_at: String,
}

impl From<&CatalogVersion> for VersionRef {
    fn from(v: &CatalogVersion) -> Self {
        Self { version: v.number, label: v.label.clone(), published_at: v.published_at.to_string() }
    }
}

/// One department's measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DepartmentReformView {
    /// Department code.
    pub department: String,
    /// Its name (the code when it is no longer stored).
    pub name: String,
    /// 事项 — items.
    pub items: CountChange,
    /// 要件 — required materials over its items.
    pub materials: CountChange,
    /// 环节 — process steps over its items that have steps.
    pub steps: CountChange,
    /// The mean promised limit in working days over its items promised in working days.
    pub average_promised_working_days: MeanChange,
}

/// An item cut, added or changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReformItem {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Department code.
    pub department: String,
}

impl From<&ItemRef> for ReformItem {
    fn from(i: &ItemRef) -> Self {
        Self { code: i.code.to_string(), name: i.name.clone(), department: i.department.to_string() }
    }
}

/// The reform report (三减一压缩) between two catalog versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReformView {
    /// The version before.
    pub from: VersionRef,
    /// The version after.
    pub to: VersionRef,
    /// 事项 — items.
    pub items: CountChange,
    /// 要件 — required materials, summed over the items (optional ones do not count).
    pub materials: CountChange,
    /// 环节 — process steps, over the items that have steps. Catalog items carry no steps
    /// yet, so this reads 0 → 0.
    pub steps: CountChange,
    /// 承诺时限 — the mean promised limit in working days, over the items whose promised
    /// limit is in working days (hour limits and same-day items left out).
    pub average_promised_working_days: MeanChange,
    /// The same per department, by code.
    pub departments: Vec<DepartmentReformView>,
    /// Items only in the version before (取消), by code.
    pub cut: Vec<ReformItem>,
    /// Items only in the version after (新增), by code.
    pub added: Vec<ReformItem>,
    /// Items in both that differ in anything, by code (as they are after).
    pub changed: Vec<ReformItem>,
}

impl From<&Reform> for ReformView {
    fn from(r: &Reform) -> Self {
        let Measures { items, materials, steps, average_promised_working_days } = r.report.totals;
        let list = |refs: &[ItemRef]| refs.iter().map(ReformItem::from).collect();
        Self {
            from: (&r.from).into(),
            to: (&r.to).into(),
            items: items.into(),
            materials: materials.into(),
            steps: steps.into(),
            average_promised_working_days: average_promised_working_days.into(),
            departments: r
                .report
                .departments
                .iter()
                .map(|d| DepartmentReformView {
                    department: d.department.to_string(),
                    name: r.department_name(d.department.as_str()).to_owned(),
                    items: d.measures.items.into(),
                    materials: d.measures.materials.into(),
                    steps: d.measures.steps.into(),
                    average_promised_working_days: d.measures.average_promised_working_days.into(),
                })
                .collect(),
            cut: list(&r.report.cut),
            added: list(&r.report.added),
            changed: list(&r.report.changed),
        }
    }
}

/// The two catalog versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReformQuery {
    /// The version before the reform, e.g. 1.
    pub from: u32,
    /// The version after it, e.g. 2.
    pub to: u32,
}

/// The reform report (三减一压缩) between two catalog versions: items, required materials
/// (要件), steps (环节) and the average promised limit in working days, each before, after
/// and changed in percent; the same per department; and the items cut, added and changed.
#[utoipa::path(get, path = "/api/v1/catalog/reform", tag = "catalog", params(ReformQuery),
    responses(
        (status = 200, description = "The report", body = ReformView),
        (status = 404, description = "No such catalog version", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(catalog.from = q.from, catalog.to = q.to))]
pub async fn catalog_reform(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(q): AppQuery<ReformQuery>,
) -> Result<Json<ReformView>, ApiError> {
    state.rate(crate::app::limits::Rated::Search, &principal)?;
    let reform = crate::app::reform::catalog_reform(&state, q.from, q.to).await?;
    Ok(Json(ReformView::from(&reform)))
}

/// This module's routes, documented.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<crate::AppState> {
    utoipa_axum::router::OpenApiRouter::new().routes(routes!(catalog_reform))
}
