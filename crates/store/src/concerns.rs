//! The supervision ledger of concerns (其他监察事项台账): what core found wrong with a case or
//! an account, kept row by row as cases are written, with a count per department and kind.
//! Reading the newest concerns, one department's or one kind's is an index range, so the
//! supervision pages answer in the same time however many cases were closed before.

use crate::{Conn, Store, StoreError, format_ts, parse_ts};

/// What a concern is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcernAbout {
    /// A case: the subject is its number.
    Case,
    /// An account: the subject is its login.
    Account,
}

impl ConcernAbout {
    fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Account => "account",
        }
    }
}

/// A concern as written to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernEntry {
    /// A case number or a login.
    pub subject: String,
    /// Which of the two.
    pub about: ConcernAbout,
    /// Its kind (`tongban_core::supervision::Concern::kind`).
    pub kind: String,
    /// What in the subject raised it (a decision's position in the case's history, an audit
    /// entry); empty for a standing condition of the case.
    pub reference: String,
    /// The department it is reported to.
    pub department: String,
    /// The concern as core describes it (JSON).
    pub detail: String,
    /// When it arose.
    pub raised_at: jiff::Timestamp,
}

/// A concern as read from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcernRecord {
    /// Its id: newer concerns have larger ids (the cursor of [`ConcernFilter::before`]).
    pub id: i64,
    /// What was written.
    pub entry: ConcernEntry,
}

/// Which concerns to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct ConcernFilter {
    /// One department's only.
    pub department: Option<String>,
    /// One kind only.
    pub kind: Option<String>,
    /// Only those older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

const COLUMNS: &str = "concern_id, subject, about, kind, ref, department_code, detail, raised_at";

fn record(row: &crate::Row) -> Result<ConcernRecord, StoreError> {
    let about = match row.try_get::<String, _>("about")?.as_str() {
        "account" => ConcernAbout::Account,
        _ => ConcernAbout::Case,
    };
    Ok(ConcernRecord {
        id: row.try_get("concern_id")?,
        entry: ConcernEntry {
            subject: row.try_get("subject")?,
            about,
            kind: row.try_get("kind")?,
            reference: row.try_get("ref")?,
            department: row.try_get("department_code")?,
            detail: row.try_get("detail")?,
            raised_at: parse_ts("concern", &row.try_get::<String, _>("raised_at")?)?,
        },
    })
}

impl Store {
    /// Concerns matching `filter`, newest first.
    pub async fn concerns(&self, filter: &ConcernFilter) -> Result<Vec<ConcernRecord>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        // Each filter present is a condition of its own, so that the query is an index range
        // (by department, by kind, or the newest of all) rather than a plan for every case.
        let mut conditions = vec!["concern_id < $1".to_owned()];
        let mut args = Vec::new();
        for (column, value) in [("department_code", &filter.department), ("kind", &filter.kind)] {
            if let Some(v) = value {
                args.push(v.clone());
                conditions.push(format!("{column} = ${}", args.len() + 1));
            }
        }
        let sql = format!(
            "select {COLUMNS} from concern where {} order by concern_id desc limit ${}",
            conditions.join(" and "),
            args.len() + 2
        );
        let mut query = conn.query(&sql).bind(filter.before.unwrap_or(i64::MAX));
        for a in args {
            query = query.bind(a);
        }
        let rows = query.bind(i64::from(filter.limit)).fetch_all().await?;
        rows.iter().map(record).collect()
    }

    /// How many concerns of each kind there are, over the center or in one department.
    pub async fn concern_counts(&self, department: Option<&str>) -> Result<Vec<(String, i64)>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        let rows = conn
            .query(
                "select kind, sum(n) as n from concern_count where ($1 = '' or department_code = $1) \
                 group by kind order by kind",
            )
            .bind(department.unwrap_or_default())
            .fetch_all()
            .await?;
        rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("n")?))).collect()
    }

    /// When the ledger was built from the cases stored before it; none until it is.
    pub async fn concern_ledger_built(&self) -> Result<Option<jiff::Timestamp>, StoreError> {
        let mut conn = Conn::pooled(self.reader().acquire().await?);
        let built: Option<String> =
            conn.query("select built_at from concern_ledger where id = 1").scalar_optional().await?.flatten();
        built.map(|t| parse_ts("concern_ledger", &t)).transpose()
    }
}

async fn count(conn: &mut Conn, department: &str, kind: &str, by: i64) -> Result<(), StoreError> {
    // The proposed row of an upsert is checked before its conflict is found: a negative `n`
    // would break the check, so a decrease is a plain update of the row its increase made.
    if by < 0 {
        conn.query("update concern_count set n = n + $3 where department_code = $1 and kind = $2")
            .bind(department)
            .bind(kind)
            .bind(by)
            .execute()
            .await?;
        return Ok(());
    }
    conn.query(
        "insert into concern_count (department_code, kind, n) values ($1, $2, $3) \
         on conflict (department_code, kind) do update set n = concern_count.n + excluded.n",
    )
    .bind(department)
    .bind(kind)
    .bind(by)
    .execute()
    .await?;
    Ok(())
}

async fn insert(conn: &mut Conn, e: &ConcernEntry) -> Result<bool, StoreError> {
    let added = conn
        .query(
            "insert into concern (subject, about, kind, ref, department_code, detail, raised_at) \
             values ($1, $2, $3, $4, $5, $6, $7) on conflict (subject, kind, ref) do nothing",
        )
        .bind(&e.subject)
        .bind(e.about.as_str())
        .bind(&e.kind)
        .bind(&e.reference)
        .bind(&e.department)
        .bind(&e.detail)
        .bind(format_ts(e.raised_at))
        .execute()
        .await?
        .rows_affected()
        == 1;
    if added {
        count(conn, &e.department, &e.kind, 1).await?;
    }
    Ok(added)
}

/// Records a concern raised by one thing (`reference` not empty) unless it is recorded
/// already; answers whether it was new.
pub async fn add_concern(conn: &mut Conn, entry: &ConcernEntry) -> Result<bool, StoreError> {
    insert(conn, entry).await
}

/// Makes case `case`'s standing concerns (those with an empty reference) those of `standing`
/// ((kind, detail), each kind once): new ones are added as raised at `at`, those that still
/// hold keep when they arose and take the new detail, the others are removed.
pub async fn put_standing_concerns(
    conn: &mut Conn,
    case: &str,
    department: &str,
    standing: &[(String, String)],
    at: jiff::Timestamp,
) -> Result<(), StoreError> {
    let held = conn
        .query("select kind, detail, department_code from concern where subject = $1 and about = 'case' and ref = ''")
        .bind(case)
        .fetch_all()
        .await?;
    let mut kept = Vec::with_capacity(held.len());
    for row in &held {
        let (kind, detail, dept): (String, String, String) =
            (row.try_get("kind")?, row.try_get("detail")?, row.try_get("department_code")?);
        kept.push(kind.clone());
        match standing.iter().find(|(k, _)| *k == kind) {
            Some((_, new)) if *new == detail => {}
            Some((_, new)) => {
                conn.query(
                    "update concern set detail = $1 where subject = $2 and about = 'case' and kind = $3 and ref = ''",
                )
                .bind(new)
                .bind(case)
                .bind(&kind)
                .execute()
                .await?;
            }
            None => {
                conn.query("delete from concern where subject = $1 and about = 'case' and kind = $2 and ref = ''")
                    .bind(case)
                    .bind(&kind)
                    .execute()
                    .await?;
                count(conn, &dept, &kind, -1).await?;
            }
        }
    }
    // Only the kinds not held before are new rows.
    for (kind, detail) in standing.iter().filter(|(k, _)| !kept.contains(k)) {
        let entry = ConcernEntry {
            subject: case.to_owned(),
            about: ConcernAbout::Case,
            kind: kind.clone(),
            reference: String::new(),
            department: department.to_owned(),
            detail: detail.clone(),
            raised_at: at,
        };
        insert(conn, &entry).await?;
    }
    Ok(())
}

/// Empties the ledger, to build it again from the cases.
pub async fn clear_concerns(conn: &mut Conn) -> Result<(), StoreError> {
    conn.query("delete from concern").execute().await?;
    conn.query("delete from concern_count").execute().await?;
    Ok(())
}

/// Marks the ledger as to be built again from the cases (after a bulk load, which writes
/// histories without it).
pub async fn invalidate_concern_ledger(conn: &mut Conn) -> Result<(), StoreError> {
    conn.query("update concern_ledger set built_at = null where id = 1").execute().await?;
    Ok(())
}

/// Records that the ledger now holds every case stored before it existed.
pub async fn mark_concern_ledger_built(conn: &mut Conn, at: jiff::Timestamp) -> Result<(), StoreError> {
    conn.query("update concern_ledger set built_at = $1 where id = 1").bind(format_ts(at)).execute().await?;
    if conn.is_postgres() {
        // Freshly filled, the tables have no statistics until autovacuum gets to them, and
        // a department's page would be planned as a scan of all its rows meanwhile.
        conn.execute_batch("analyze concern; analyze concern_count").await?;
    }
    Ok(())
}

/// The highest event id so far (0 when none), inside a write: a build of the ledger from
/// what it read checks with it that no case changed since.
pub async fn last_event_id_in(conn: &mut Conn) -> Result<i64, StoreError> {
    conn.query("select coalesce(max(event_id), 0) from event").scalar::<i64>().await
}
