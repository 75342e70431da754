//! [`Conn`], the connection a write runs on, and the small query API that runs the same SQL
//! (`$1` placeholders) on either backend.
//!
//! On SQLite a write runs on the writer thread's own `rusqlite` connection, in the caller's
//! thread: each statement is prepared once, cached and stepped in place. (sqlx's SQLite driver
//! sends every statement to a worker thread and waits for the answer, about 50 µs a
//! statement on a 2-core machine against about 6 µs here; the writer is bound by exactly
//! that cost, since its fsyncs are shared by whole batches.) On PostgreSQL a write runs on
//! one of the writer's own sqlx connections (see `writer.rs`), and a [`Conn`] can also wrap
//! a pooled reader.

use sqlx::Any;

use crate::StoreError;

mod any;
mod sqlite;
mod value;

use any::{fetch_any, raw_any, run_any};
pub(crate) use sqlite::open_rusqlite;
use sqlite::{sqlite_fetch, sqlite_statement};
pub use value::{Executed, FromValue, Param, Row, Value};

/// One connection, in or out of a transaction: what [`crate::Store::write`] hands a write,
/// and what functions shared by writes and reads take.
pub struct Conn(Inner);

enum Inner {
    /// The SQLite writer's connection (or a raw one, for baselines).
    Sqlite(Sqlite),
    /// A pooled sqlx connection, outside any transaction.
    Pooled(sqlx::pool::PoolConnection<Any>),
    /// A PostgreSQL writer's own connection (see `writer.rs`); the writer begins and ends
    /// its transactions.
    Owned(sqlx::AnyConnection),
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.0 {
            Inner::Sqlite(_) => "sqlite",
            Inner::Pooled(_) => "pooled",
            Inner::Owned(_) => "owned",
        };
        f.debug_tuple("Conn").field(&kind).finish()
    }
}

/// A direct SQLite connection and, while the writer runs a job, the job's writes.
struct Sqlite {
    conn: rusqlite::Connection,
    /// The statements that changed something, in order, when recording.
    log: Option<Vec<Logged>>,
}

/// A write statement as run: enough to run it again.
#[derive(Debug)]
pub(crate) struct Logged {
    sql: String,
    args: Vec<Value>,
}

/// How many prepared statements the SQLite connection keeps (more than the store has).
const STATEMENT_CACHE: usize = 512;

impl Conn {
    /// Opens a SQLite file directly, with the store's durability settings (WAL,
    /// `synchronous = FULL`, foreign keys on). The writer uses one; benchmarks use one as
    /// their raw baseline. The schema must already exist.
    pub fn open_sqlite(path: &std::path::Path) -> Result<Conn, StoreError> {
        Ok(Conn(Inner::Sqlite(Sqlite { conn: open_rusqlite(path)?, log: None })))
    }

    pub(crate) fn pooled(c: sqlx::pool::PoolConnection<Any>) -> Conn {
        Conn(Inner::Pooled(c))
    }

    pub(crate) fn owned(c: sqlx::AnyConnection) -> Conn {
        Conn(Inner::Owned(c))
    }

    /// The connection given to [`Conn::owned`], back.
    pub(crate) fn into_owned(self) -> Option<sqlx::AnyConnection> {
        match self.0 {
            Inner::Owned(c) => Some(c),
            Inner::Sqlite(_) | Inner::Pooled(_) => None,
        }
    }

    /// Whether this talks to PostgreSQL (for the few statements that differ).
    pub fn is_postgres(&self) -> bool {
        match &self.0 {
            Inner::Sqlite(_) => false,
            Inner::Pooled(c) => crate::is_postgres_name(c.backend_name()),
            Inner::Owned(c) => crate::is_postgres_name(c.backend_name()),
        }
    }

    /// Makes the rest of this transaction the only writer of `chain` (the audit chain, the
    /// catalog's versions, one plan's versions …) until it commits or rolls back. Needed
    /// wherever the next value is read from the rows before it: on PostgreSQL, `for update`
    /// on the last row does not stop a second writer from reading the same last row once
    /// the first commits, so both would take the same next number. SQLite has one writer
    /// at a time already.
    pub async fn serialize(&mut self, chain: &str) -> Result<(), StoreError> {
        if self.is_postgres() {
            self.query("select pg_advisory_xact_lock(hashtextextended($1, 0))").bind(chain).execute().await?;
        }
        Ok(())
    }

    /// Runs statements without parameters or results (`begin`, pragmas, …).
    pub async fn execute_batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.0 {
            Inner::Sqlite(c) => Ok(c.conn.execute_batch(sql)?),
            Inner::Pooled(c) => raw_any(c, sql).await,
            Inner::Owned(c) => raw_any(c, sql).await,
        }
    }

    /// Runs one statement without parameters or results on SQLite, prepared once: the
    /// writer's own `begin` / `commit` / `rollback`.
    pub(crate) fn sqlite_exec(&mut self, sql: &str) -> Result<(), StoreError> {
        match &mut self.0 {
            Inner::Sqlite(c) => {
                c.conn.prepare_cached(sql)?.raw_execute()?;
                Ok(())
            }
            Inner::Pooled(_) | Inner::Owned(_) => {
                Err(StoreError::corrupt("connection", "a SQLite batch statement on a sqlx connection"))
            }
        }
    }

    /// Starts recording the write statements run on this SQLite connection (dropping any
    /// earlier record).
    pub(crate) fn start_recording(&mut self) {
        if let Inner::Sqlite(c) = &mut self.0 {
            c.log = Some(Vec::new());
        }
    }

    /// The write statements run since [`Conn::start_recording`].
    pub(crate) fn take_recording(&mut self) -> Vec<Logged> {
        match &mut self.0 {
            Inner::Sqlite(c) => c.log.take().unwrap_or_default(),
            Inner::Pooled(_) | Inner::Owned(_) => Vec::new(),
        }
    }

    /// Rows changed on this SQLite connection since it opened (0 elsewhere).
    pub(crate) fn total_changes(&self) -> u64 {
        match &self.0 {
            Inner::Sqlite(c) => c.conn.total_changes(),
            Inner::Pooled(_) | Inner::Owned(_) => 0,
        }
    }

    /// Whether a transaction is open on this SQLite connection (false elsewhere). SQLite
    /// rolls a whole transaction back by itself on some errors, e.g. a full disk.
    pub(crate) fn in_transaction(&self) -> bool {
        match &self.0 {
            Inner::Sqlite(c) => !c.conn.is_autocommit(),
            Inner::Pooled(_) | Inner::Owned(_) => false,
        }
    }

    /// Runs recorded write statements again, in order.
    pub(crate) fn replay(&mut self, logged: &[Logged]) -> Result<(), StoreError> {
        let Inner::Sqlite(c) = &mut self.0 else {
            return Err(StoreError::corrupt("connection", "replay on a sqlx connection"));
        };
        for l in logged {
            let mut stmt = sqlite_statement(&c.conn, &l.sql, &l.args)?;
            let mut rows = stmt.raw_query();
            while rows.next()?.is_some() {}
        }
        Ok(())
    }

    /// A statement; bind its `$n` parameters in order, then run it.
    pub fn query<'c, 'q>(&'c mut self, sql: &'q str) -> Query<'c, 'q> {
        Query { conn: self, sql, args: Vec::new() }
    }
}

/// A statement being bound; see [`Conn::query`].
#[must_use = "a query does nothing until it is executed or fetched"]
pub struct Query<'c, 'q> {
    conn: &'c mut Conn,
    sql: &'q str,
    args: Vec<Value>,
}

impl Query<'_, '_> {
    /// Binds the next parameter (`$1`, then `$2`, …).
    pub fn bind(mut self, value: impl Param) -> Self {
        self.args.push(value.into_value());
        self
    }

    /// Runs the statement; answers how many rows it changed.
    pub async fn execute(self) -> Result<Executed, StoreError> {
        let Query { conn, sql, args } = self;
        match &mut conn.0 {
            Inner::Sqlite(c) => {
                let mut stmt = sqlite_statement(&c.conn, sql, &args)?;
                let changed = stmt.raw_execute()?;
                let readonly = stmt.readonly();
                drop(stmt);
                c.record(readonly, sql, args);
                Ok(Executed(u64::try_from(changed).unwrap_or(u64::MAX)))
            }
            Inner::Pooled(c) => Ok(Executed(run_any(c, sql, args).await?)),
            Inner::Owned(c) => Ok(Executed(run_any(c, sql, args).await?)),
        }
    }

    /// All rows.
    pub async fn fetch_all(self) -> Result<Vec<Row>, StoreError> {
        self.fetch(usize::MAX).await
    }

    /// The first row, if any.
    pub async fn fetch_optional(self) -> Result<Option<Row>, StoreError> {
        Ok(self.fetch(1).await?.into_iter().next())
    }

    /// The first row; an error when there is none.
    pub async fn fetch_one(self) -> Result<Row, StoreError> {
        self.fetch_optional().await?.ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// The first column of the first row.
    pub async fn scalar<T: FromValue>(self) -> Result<T, StoreError> {
        self.fetch_one().await?.get(0)
    }

    /// The first column of the first row, if there is a row.
    pub async fn scalar_optional<T: FromValue>(self) -> Result<Option<T>, StoreError> {
        self.fetch_optional().await?.map(|r| r.get(0)).transpose()
    }

    async fn fetch(self, limit: usize) -> Result<Vec<Row>, StoreError> {
        let Query { conn, sql, args } = self;
        match &mut conn.0 {
            Inner::Sqlite(c) => {
                let (rows, readonly) = sqlite_fetch(&c.conn, sql, &args, limit)?;
                c.record(readonly, sql, args);
                Ok(rows)
            }
            Inner::Pooled(c) => fetch_any(c, sql, args, limit).await,
            Inner::Owned(c) => fetch_any(c, sql, args, limit).await,
        }
    }
}
