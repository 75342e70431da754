//! Approval plans (审批流程方案), versioned like the catalog: each stored plan id has
//! versions 1, 2, …; lookups by id return the latest.

use crate::Conn;
use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use tongban_core::plan::{Plan, PlanId};

use crate::catalog::json;
use crate::{Store, StoreError, format_ts, parse_ts};

/// Stores `plan` as the next version of its id (1 for a new id) and returns its id and
/// that version. The stored body carries the assigned version.
pub async fn insert_plan(conn: &mut Conn, plan: &Plan, now: jiff::Timestamp) -> Result<(PlanId, u32), StoreError> {
    conn.serialize(&format!("plan {}", plan.id())).await?;
    let latest: i64 = conn
        .query("select coalesce(max(version), 0) from plan where plan_id = $1")
        .bind(plan.id().as_str())
        .scalar()
        .await?;
    let version = u32::try_from(latest + 1).map_err(|e| StoreError::corrupt("plan", e))?;
    let stored = plan.clone().with_version(version);
    let schedule = stored.schedule();
    conn.query(
        "insert into plan (plan_id, version, name, step_count, total_days, imported_at, body) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(stored.id().as_str())
    .bind(i64::from(version))
    .bind(stored.name())
    .bind(i64::try_from(stored.steps().len()).unwrap_or(i64::MAX))
    .bind(i64::from(schedule.total_days))
    .bind(format_ts(now))
    .bind(json(&stored))
    .execute()
    .await
    .map_err(|e| StoreError::on_unique(e, || format!("plan {} version {version}", plan.id())))?;
    Ok((stored.id().clone(), version))
}

/// A stored plan's headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRow {
    /// Its id.
    pub id: PlanId,
    /// The version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// Number of steps.
    pub steps: u32,
    /// Critical-path working days.
    pub total_days: u32,
    /// When this version was stored.
    pub imported_at: jiff::Timestamp,
}

fn plan_from_row(row: &AnyRow) -> Result<Plan, StoreError> {
    let body: String = row.try_get("body").map_err(|e| StoreError::corrupt("plan", e))?;
    serde_json::from_str(&body).map_err(|e| StoreError::corrupt("plan", e))
}

fn summary_from_row(row: &AnyRow) -> Result<PlanRow, StoreError> {
    let bad = |e: &dyn std::fmt::Display| StoreError::corrupt("plan", e.to_string());
    let int = |name: &str| -> Result<u32, StoreError> {
        let v: i64 = row.try_get(name).map_err(|e| bad(&e))?;
        u32::try_from(v).map_err(|e| bad(&e))
    };
    let id: String = row.try_get("plan_id").map_err(|e| bad(&e))?;
    let imported_at: String = row.try_get("imported_at").map_err(|e| bad(&e))?;
    Ok(PlanRow {
        id: PlanId::parse(&id).map_err(|e| bad(&e))?,
        version: int("version")?,
        name: row.try_get("name").map_err(|e| bad(&e))?,
        steps: int("step_count")?,
        total_days: int("total_days")?,
        imported_at: parse_ts("plan", &imported_at)?,
    })
}

impl Store {
    /// The latest version of a plan.
    pub async fn plan_by_id(&self, id: &PlanId) -> Result<Option<Plan>, StoreError> {
        let row = sqlx::query("select body from plan where plan_id = $1 order by version desc limit 1")
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(plan_from_row).transpose()
    }

    /// One version of a plan.
    pub async fn plan_version(&self, id: &PlanId, version: u32) -> Result<Option<Plan>, StoreError> {
        let row = sqlx::query("select body from plan where plan_id = $1 and version = $2")
            .bind(id.as_str())
            .bind(i64::from(version))
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(plan_from_row).transpose()
    }

    /// The latest version of every stored plan, ordered by id.
    pub async fn plans(&self) -> Result<Vec<PlanRow>, StoreError> {
        let rows = sqlx::query(
            "select plan_id, version, name, step_count, total_days, imported_at from plan p \
             where version = (select max(version) from plan q where q.plan_id = p.plan_id) \
             order by plan_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(summary_from_row).collect()
    }
}
