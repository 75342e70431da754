//! The stored working calendar: announced years a center imported, local closures (闭厅),
//! and the revision every server polls to pick changes up without a restart. A year not
//! stored is built in (2020–2026) or provisional.

use sqlx::Row as _;
use tongban_core::calendar::{CalendarSet, Closure, Schedule, WorkingCalendar};
use tongban_core::case::Case;
use tongban_core::division::DivisionCode;

use crate::{Conn, Store, StoreError, format_ts, parse_ts};

/// An imported year, as stored.
#[derive(Debug, Clone)]
pub struct StoredYear {
    /// The schedule.
    pub schedule: Schedule,
    /// When it was imported.
    pub imported_at: jiff::Timestamp,
    /// Who imported it.
    pub imported_by: String,
    /// The calendar revision the import made.
    pub revision: u64,
}

/// A stored closure with who made it.
#[derive(Debug, Clone)]
pub struct StoredClosure {
    /// The closure.
    pub closure: Closure,
    /// When it was entered.
    pub created_at: jiff::Timestamp,
    /// Who entered it.
    pub created_by: String,
}

fn revision_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A revision as its column value.
fn column(revision: u64) -> i64 {
    i64::try_from(revision).unwrap_or(i64::MAX)
}

/// Bumps the calendar revision and returns the new one.
async fn bump(conn: &mut Conn) -> Result<u64, StoreError> {
    let n: i64 =
        conn.query("update calendar_meta set revision = revision + 1 where id = 1 returning revision").scalar().await?;
    Ok(revision_of(n))
}

/// Stores `schedule` as its year (replacing an earlier import of it) and returns the new revision.
pub async fn put_calendar_year(
    conn: &mut Conn,
    schedule: &Schedule,
    at: jiff::Timestamp,
    by: &str,
) -> Result<u64, StoreError> {
    let revision = bump(conn).await?;
    conn.query(
        "insert into calendar_year (year, days, imported_at, imported_by, revision) values ($1, $2, $3, $4, $5) \
         on conflict (year) do update set days = excluded.days, imported_at = excluded.imported_at, \
         imported_by = excluded.imported_by, revision = excluded.revision",
    )
    .bind(i64::from(schedule.year()))
    .bind(schedule.to_csv())
    .bind(format_ts(at))
    .bind(by)
    .bind(column(revision))
    .execute()
    .await?;
    Ok(revision)
}

/// Adds (or renames) a closure and returns the new revision.
pub async fn put_closure(conn: &mut Conn, closure: &Closure, at: jiff::Timestamp, by: &str) -> Result<u64, StoreError> {
    let revision = bump(conn).await?;
    conn.query(
        "insert into calendar_closure (division_code, day, name, created_at, created_by, revision) \
         values ($1, $2, $3, $4, $5, $6) on conflict (division_code, day) do update set name = excluded.name, \
         created_at = excluded.created_at, created_by = excluded.created_by, revision = excluded.revision",
    )
    .bind(closure.division.as_str())
    .bind(closure.date.to_string())
    .bind(&closure.name)
    .bind(format_ts(at))
    .bind(by)
    .bind(column(revision))
    .execute()
    .await?;
    Ok(revision)
}

/// Lifts a closure; the new revision, or none when there was no such closure.
pub async fn delete_closure(
    conn: &mut Conn,
    division: &DivisionCode,
    date: jiff::civil::Date,
) -> Result<Option<u64>, StoreError> {
    let gone = conn
        .query("delete from calendar_closure where division_code = $1 and day = $2")
        .bind(division.as_str())
        .bind(date.to_string())
        .execute()
        .await?
        .rows_affected();
    if gone == 0 { Ok(None) } else { bump(conn).await.map(Some) }
}

/// Records that running cases' due times agree with calendar `revision` (no event: they did
/// not move).
pub async fn mark_calendar_checked(conn: &mut Conn, cases: &[&Case], revision: u64) -> Result<(), StoreError> {
    for chunk in cases.chunks(200) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "update service_case set calendar_revision = $1 where calendar_revision < $1 and case_number in ({})",
            marks.join(", ")
        );
        let mut q = conn.query(&sql).bind(column(revision));
        for case in chunk {
            q = q.bind(case.number.as_str());
        }
        q.execute().await?;
    }
    Ok(())
}

/// Reads cases inside a write, as they are now, and on PostgreSQL locks their rows until the
/// transaction ends, so that what is decided from them cannot be overtaken.
pub async fn lock_cases(conn: &mut Conn, numbers: &[String]) -> Result<Vec<Case>, StoreError> {
    let mut cases = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(200) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 1)).collect();
        let lock = if conn.is_postgres() { " order by case_number for update" } else { "" };
        let sql = format!("select snapshot from service_case where case_number in ({}){lock}", marks.join(", "));
        let mut q = conn.query(&sql);
        for n in chunk {
            q = q.bind(n.as_str());
        }
        for row in q.fetch_all().await? {
            let snapshot: String = row.try_get("snapshot")?;
            cases.push(serde_json::from_str(&snapshot).map_err(|e| StoreError::corrupt("service_case", e))?);
        }
    }
    Ok(cases)
}

impl Store {
    /// Whether the division is known.
    pub async fn division_exists(&self, division: &DivisionCode) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("select count(*) from division where division_code = $1")
            .bind(division.as_str())
            .fetch_one(self.reader())
            .await?;
        Ok(n > 0)
    }

    /// The calendar's current revision (0 until the first import or closure).
    pub async fn calendar_revision(&self) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("select revision from calendar_meta where id = 1").fetch_one(self.reader()).await?;
        Ok(revision_of(n))
    }

    /// The center's calendars: the built-in schedules, replaced year by year by the imported
    /// ones, every other year provisional; closures per division; at the stored revision.
    pub async fn calendar_set(&self) -> Result<CalendarSet, StoreError> {
        let revision = self.calendar_revision().await?;
        let schedules = self.calendar_schedules().await?;
        let closures: Vec<Closure> = self.calendar_closures().await?.into_iter().map(|c| c.closure).collect();
        let corrupt = |e| StoreError::corrupt("calendar_year", e);
        let base = WorkingCalendar::from_schedules(&schedules, Default::default(), &[]).map_err(corrupt)?;
        CalendarSet::new(base.with_revision(revision), closures).map_err(corrupt)
    }

    /// The announced schedules: the built-in ones, then the imported ones (which replace a
    /// built-in year, see [`WorkingCalendar::from_schedules`]).
    pub async fn calendar_schedules(&self) -> Result<Vec<Schedule>, StoreError> {
        let mut schedules: Vec<Schedule> = WorkingCalendar::builtin_schedules().to_vec();
        schedules.extend(self.calendar_years().await?.into_iter().map(|y| y.schedule));
        Ok(schedules)
    }

    /// Every imported year, by year.
    pub async fn calendar_years(&self) -> Result<Vec<StoredYear>, StoreError> {
        let rows =
            sqlx::query("select year, days, imported_at, imported_by, revision from calendar_year order by year")
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| {
                let year: i64 = r.try_get("year")?;
                let year = i16::try_from(year).map_err(|e| StoreError::corrupt("calendar_year", e))?;
                let days: String = r.try_get("days")?;
                let rows = WorkingCalendar::parse_csv(&days).map_err(|e| StoreError::corrupt("calendar_year", e))?;
                Ok(StoredYear {
                    schedule: Schedule::stored(year, rows),
                    imported_at: parse_ts("calendar_year", &r.try_get::<String, _>("imported_at")?)?,
                    imported_by: r.try_get("imported_by")?,
                    revision: revision_of(r.try_get("revision")?),
                })
            })
            .collect()
    }

    /// Every closure, by division and day.
    pub async fn calendar_closures(&self) -> Result<Vec<StoredClosure>, StoreError> {
        let rows = sqlx::query(
            "select division_code, day, name, created_at, created_by from calendar_closure order by division_code, day",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let division: String = r.try_get("division_code")?;
                let day: String = r.try_get("day")?;
                Ok(StoredClosure {
                    closure: Closure {
                        division: DivisionCode::parse(&division)
                            .map_err(|e| StoreError::corrupt("calendar_closure", e))?,
                        date: day.parse().map_err(|e| StoreError::corrupt("calendar_closure", e))?,
                        name: r.try_get("name")?,
                    },
                    created_at: parse_ts("calendar_closure", &r.try_get::<String, _>("created_at")?)?,
                    created_by: r.try_get("created_by")?,
                })
            })
            .collect()
    }

    /// The numbers of the running cases (accepted, in process, suspended) whose due time
    /// was last computed or checked with a calendar revision older than `revision`, in
    /// order (read them with [`lock_cases`] inside the write that recomputes them).
    pub async fn running_cases_behind(&self, revision: u64) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "select case_number from service_case where state in ('accepted', 'in_process', 'suspended') \
             and calendar_revision < $1 order by case_number",
        )
        .bind(column(revision))
        .fetch_all(self.reader())
        .await?)
    }
}
