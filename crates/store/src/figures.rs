//! Read-only queries for the public pages: open figures per month (volume, on-time), the
//! distribution of ratings (好差评), department names, and cases offered to someone.
//!
//! The store supplies facts and core decides: each case row carries the months it was
//! submitted and closed in (China Standard Time) and, once delivered, whether it kept its
//! due time, all written from core's rules ([`tongban_core::supervision::month_of`],
//! [`tongban_core::supervision::on_time`]) when the case is stored; these queries only count.

use serde::Serialize;
use sqlx::Row;
use tongban_core::case::Case;

use crate::{Store, StoreError};

/// One month's open figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// Cases submitted in the month (收件).
    pub received: u64,
    /// Cases delivered in the month (办结).
    pub delivered: u64,
    /// Of those, delivered at or before their due time (按时办结).
    pub on_time: u64,
}

fn count(row: &sqlx::any::AnyRow, column: &str) -> Result<u64, StoreError> {
    let n: Option<i64> = row.try_get(column)?;
    Ok(u64::try_from(n.unwrap_or(0)).unwrap_or(0))
}

impl Store {
    /// Figures per month, oldest first: received by submission month, delivered and on time
    /// by delivery month.
    pub async fn monthly_figures(&self) -> Result<Vec<MonthFigures>, StoreError> {
        let received =
            sqlx::query("select submitted_month as month, count(*) as n from service_case group by submitted_month")
                .fetch_all(self.reader())
                .await?;
        let delivered = sqlx::query(
            "select closed_month as month, count(*) as n, sum(delivered_on_time) as on_time \
             from service_case where delivered_on_time is not null group by closed_month",
        )
        .fetch_all(self.reader())
        .await?;
        let mut months = std::collections::BTreeMap::<String, MonthFigures>::new();
        for row in &received {
            let Some(month) = row.try_get::<Option<String>, _>("month")? else { continue };
            months.entry(month.clone()).or_insert_with(|| MonthFigures { month, ..Default::default() }).received =
                count(row, "n")?;
        }
        for row in &delivered {
            let Some(month) = row.try_get::<Option<String>, _>("month")? else { continue };
            let entry = months.entry(month.clone()).or_insert_with(|| MonthFigures { month, ..Default::default() });
            entry.delivered = count(row, "n")?;
            entry.on_time = count(row, "on_time")?;
        }
        Ok(months.into_values().collect())
    }

    /// How many ratings gave 1, 2, 3, 4 and 5 (index 0 is score 1).
    pub async fn rating_counts(&self) -> Result<[u64; 5], StoreError> {
        let mut out = [0u64; 5];
        for (score, slot) in (1u8..=5).zip(out.iter_mut()) {
            // The payload is the event's JSON, `{"type":"rated","score":N,…}`; a comment
            // cannot fake the pattern because its quotes are escaped.
            let n: i64 = sqlx::query_scalar("select count(*) from event where kind = 'rated' and payload like $1")
                .bind(format!("%\"score\":{score},%"))
                .fetch_one(self.reader())
                .await?;
            *slot = u64::try_from(n).unwrap_or(0);
        }
        Ok(out)
    }

    /// Every department's code and name, by code.
    pub async fn department_names(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as("select department_code, name from department order by department_code")
            .fetch_all(self.reader())
            .await?)
    }

    /// Open cases being handed over to `account` (at most 100, newest first).
    pub async fn cases_offered_to(&self, account: &str) -> Result<Vec<Case>, StoreError> {
        // The pending receiver lives only in the snapshot; the pattern narrows the scan and
        // the exact check below decides (`_` in a login is a LIKE wildcard).
        let rows = sqlx::query(
            "select snapshot from service_case where state not in ('rejected', 'delivered') \
             and snapshot like $1 order by submitted_at desc limit 100",
        )
        .bind(format!("%\"pending_handover\":\"{account}\"%"))
        .fetch_all(self.reader())
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let text: String = row.try_get("snapshot")?;
            let case: Case = serde_json::from_str(&text).map_err(|e| StoreError::corrupt("service_case", e))?;
            if case.pending_handover.as_deref() == Some(account) {
                out.push(case);
            }
        }
        Ok(out)
    }
}
