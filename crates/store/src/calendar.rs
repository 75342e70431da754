//! The stored working calendar: holidays and make-up working days a center imported.
//! Empty means the calendar built into the binary.

use crate::Conn;
use sqlx::Row as _;
use tongban_core::calendar::{CalendarDay, DayKind};

use crate::{Store, StoreError};

/// Replaces the stored days of every year that `days` touches with `days`; other years stay.
pub async fn replace_calendar_days(conn: &mut Conn, days: &[CalendarDay]) -> Result<(), StoreError> {
    let mut years: Vec<i16> = days.iter().map(|d| d.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    for y in years {
        conn.query("delete from calendar_day where day >= $1 and day <= $2")
            .bind(format!("{y:04}-01-01"))
            .bind(format!("{y:04}-12-31"))
            .execute()
            .await?;
    }
    for d in days {
        conn.query("insert into calendar_day (day, kind, name) values ($1, $2, $3)")
            .bind(d.date.to_string())
            .bind(match d.kind {
                DayKind::Holiday => "holiday",
                DayKind::Workday => "workday",
            })
            .bind(&d.name)
            .execute()
            .await
            .map_err(|e| StoreError::on_unique(e, || format!("calendar day {}", d.date)))?;
    }
    Ok(())
}

/// Every stored day, in date order.
pub async fn calendar_days(store: &Store) -> Result<Vec<CalendarDay>, StoreError> {
    let rows = sqlx::query("select day, kind, name from calendar_day order by day").fetch_all(store.reader()).await?;
    rows.iter()
        .map(|r| {
            let day: String = r.try_get("day")?;
            let kind: String = r.try_get("kind")?;
            Ok(CalendarDay {
                date: day.parse().map_err(|e| StoreError::corrupt("calendar_day", e))?,
                kind: match kind.as_str() {
                    "holiday" => DayKind::Holiday,
                    "workday" => DayKind::Workday,
                    other => {
                        return Err(StoreError::corrupt("calendar_day", format!("kind {other:?}")));
                    }
                },
                name: r.try_get("name")?,
            })
        })
        .collect()
}
