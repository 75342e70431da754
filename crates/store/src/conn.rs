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

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::any::{AnyArguments, AnyRow, AnyTypeInfoKind};
use sqlx::{Any, Arguments as _, Row as _, ValueRef as _};

use crate::StoreError;

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

/// A direct connection to a SQLite file with the store's durability settings.
pub(crate) fn open_rusqlite(path: &std::path::Path) -> Result<rusqlite::Connection, StoreError> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(
        "pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on; pragma busy_timeout = 10000;",
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

impl Sqlite {
    fn record(&mut self, readonly: bool, sql: &str, args: Vec<Value>) {
        if let (false, Some(log)) = (readonly, &mut self.log) {
            log.push(Logged { sql: sql.to_owned(), args });
        }
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

/// Unprepared statements, possibly several (sqlx's simple-query path).
fn raw_any<'c>(c: &'c mut sqlx::AnyConnection, sql: &'c str) -> BoxFuture<'c, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::Executor::execute(c, sql).await?;
        Ok(())
    })
}

async fn run_any(c: &mut sqlx::AnyConnection, sql: &str, args: Vec<Value>) -> Result<u64, StoreError> {
    Ok(sqlx::query_with(sql, any_arguments(args)?).execute(c).await?.rows_affected())
}

async fn fetch_any(
    c: &mut sqlx::AnyConnection,
    sql: &str,
    args: Vec<Value>,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let query = sqlx::query_with(sql, any_arguments(args)?);
    let rows =
        if limit == 1 { query.fetch_optional(c).await?.into_iter().collect() } else { query.fetch_all(c).await? };
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    let names: Arc<[String]> = first.columns().iter().map(|c| sqlx::Column::name(c).to_owned()).collect();
    rows.iter().map(|r| Row::from_any_with(r, Arc::clone(&names))).collect()
}

/// The rows, and whether the statement only reads.
fn sqlite_fetch(
    c: &rusqlite::Connection,
    sql: &str,
    args: &[Value],
    limit: usize,
) -> Result<(Vec<Row>, bool), StoreError> {
    let mut stmt = sqlite_statement(c, sql, args)?;
    let readonly = stmt.readonly();
    let names: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let width = names.len();
    let mut out = Vec::new();
    let mut rows = stmt.raw_query();
    while out.len() < limit
        && let Some(r) = rows.next()?
    {
        let values = (0..width).map(|i| sqlite_value(r.get_ref(i)?)).collect::<Result<_, StoreError>>()?;
        out.push(Row { names: Arc::clone(&names), values });
    }
    Ok((out, readonly))
}

/// Prepares (or takes from the cache) `sql` and binds `args` to its `$n` parameters.
fn sqlite_statement<'c>(
    c: &'c rusqlite::Connection,
    sql: &str,
    args: &[Value],
) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let mut stmt = c.prepare_cached(sql)?;
    for i in 1..=stmt.parameter_count() {
        // `$n` names the n-th bound value wherever it appears; an anonymous `?` takes its position.
        let n = match stmt.parameter_name(i) {
            Some(name) => name.get(1..).and_then(|n| n.parse::<usize>().ok()).ok_or_else(|| {
                StoreError::corrupt("statement", format!("parameter {name} is not of the form $n in {sql}"))
            })?,
            None => i,
        };
        let value = n
            .checked_sub(1)
            .and_then(|k| args.get(k))
            .ok_or_else(|| StoreError::corrupt("statement", format!("parameter ${n} is not bound in {sql}")))?;
        match value {
            Value::Null => stmt.raw_bind_parameter(i, rusqlite::types::Null)?,
            Value::Int(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Real(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Text(v) => stmt.raw_bind_parameter(i, v)?,
            Value::Blob(v) => stmt.raw_bind_parameter(i, v)?,
        }
    }
    Ok(stmt)
}

fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Result<Value, StoreError> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(Some(i)),
        ValueRef::Real(f) => Value::Real(Some(f)),
        ValueRef::Text(t) => Value::Text(Some(
            String::from_utf8(t.to_vec()).map_err(|e| StoreError::corrupt("row", format!("text is not UTF-8: {e}")))?,
        )),
        ValueRef::Blob(b) => Value::Blob(Some(b.to_vec())),
    })
}

fn any_arguments(args: Vec<Value>) -> Result<AnyArguments<'static>, StoreError> {
    let mut out = AnyArguments::default();
    for v in args {
        let added = match v {
            Value::Null | Value::Text(None) => out.add(None::<String>),
            Value::Int(v) => out.add(v),
            Value::Real(v) => out.add(v),
            Value::Text(v) => out.add(v),
            Value::Blob(v) => out.add(v),
        };
        added.map_err(|e| StoreError::Database(sqlx::Error::Encode(e)))?;
    }
    Ok(out)
}

/// What [`Query::execute`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed(u64);

impl Executed {
    /// Rows inserted, updated or deleted.
    pub fn rows_affected(self) -> u64 {
        self.0
    }
}

/// A bound or fetched value. A bound null keeps its type, which PostgreSQL checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A fetched SQL `NULL`.
    Null,
    /// An integer.
    Int(Option<i64>),
    /// A floating-point number.
    Real(Option<f64>),
    /// Text.
    Text(Option<String>),
    /// Bytes.
    Blob(Option<Vec<u8>>),
}

/// A value [`Query::bind`] accepts.
pub trait Param {
    /// The null of this type, bound for `None`.
    const NULL: Value;
    /// The value to bind.
    fn into_value(self) -> Value;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            const NULL: Value = Value::Int(None);
            fn into_value(self) -> Value {
                Value::Int(Some(i64::from(self)))
            }
        }
    )*};
}
int_param!(i64, i32, i16, u32, u16, u8, bool);

impl Param for f64 {
    const NULL: Value = Value::Real(None);
    fn into_value(self) -> Value {
        Value::Real(Some(self))
    }
}

impl Param for String {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self))
    }
}

impl Param for &str {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self.to_owned()))
    }
}

impl Param for &String {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self.clone()))
    }
}

impl Param for Vec<u8> {
    const NULL: Value = Value::Blob(None);
    fn into_value(self) -> Value {
        Value::Blob(Some(self))
    }
}

impl<T: Param> Param for Option<T> {
    const NULL: Value = T::NULL;
    fn into_value(self) -> Value {
        self.map_or(T::NULL, Param::into_value)
    }
}

/// A fetched row: its column names and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// The value of the column named `column`.
    pub fn try_get<T: FromValue, C: AsRef<str>>(&self, column: C) -> Result<T, StoreError> {
        let column = column.as_ref();
        let i = self
            .names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| StoreError::corrupt("row", format!("no column {column}")))?;
        self.get(i).map_err(|e| match e {
            StoreError::Corrupt { why, .. } => StoreError::corrupt("row", format!("column {column}: {why}")),
            other => other,
        })
    }

    /// The value of the `i`-th column (0-based).
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let v = self.values.get(i).ok_or_else(|| StoreError::corrupt("row", format!("no column {i}")))?;
        T::from_value(v).ok_or_else(|| StoreError::corrupt("row", format!("unexpected value {v:?}")))
    }

    /// Converts a row read through sqlx (a pooled read) to a [`Row`].
    pub fn from_any(row: &AnyRow) -> Result<Row, StoreError> {
        let names = row.columns().iter().map(|c| sqlx::Column::name(c).to_owned()).collect();
        Row::from_any_with(row, names)
    }

    fn from_any_with(row: &AnyRow, names: Arc<[String]>) -> Result<Row, StoreError> {
        let mut values = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                values.push(Value::Null);
                continue;
            }
            let kind = raw.type_info().kind();
            values.push(match kind {
                AnyTypeInfoKind::SmallInt => Value::Int(Some(i64::from(row.try_get::<i16, _>(i)?))),
                AnyTypeInfoKind::Integer => Value::Int(Some(i64::from(row.try_get::<i32, _>(i)?))),
                AnyTypeInfoKind::BigInt => Value::Int(Some(row.try_get::<i64, _>(i)?)),
                AnyTypeInfoKind::Bool => Value::Int(Some(i64::from(row.try_get::<bool, _>(i)?))),
                AnyTypeInfoKind::Real => Value::Real(Some(f64::from(row.try_get::<f32, _>(i)?))),
                AnyTypeInfoKind::Double => Value::Real(Some(row.try_get::<f64, _>(i)?)),
                AnyTypeInfoKind::Text => Value::Text(Some(row.try_get::<String, _>(i)?)),
                AnyTypeInfoKind::Null => Value::Null,
                AnyTypeInfoKind::Blob => Value::Blob(Some(row.try_get::<Vec<u8>, _>(i)?)),
            });
        }
        Ok(Row { names, values })
    }
}

/// A type [`Row::try_get`] reads.
pub trait FromValue: Sized {
    /// `None` when the value is of another type.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(Some(i)) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for i32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| i32::try_from(i).ok())
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(Some(f)) => Some(*f),
            // Counts and sums, far below 2^53: exact as f64.
            Value::Int(Some(i)) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(Some(s)) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(Some(b)) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null | Value::Int(None) | Value::Real(None) | Value::Text(None) | Value::Blob(None) => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}
