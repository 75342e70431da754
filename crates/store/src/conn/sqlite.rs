//! The SQLite side of [`Conn`]: the writer's own `rusqlite` connection, its prepared
//! statements, and its values read back as [`Value`]s.

use std::sync::Arc;

use super::{Logged, Row, STATEMENT_CACHE, Sqlite, Value};
use crate::StoreError;

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
    pub(super) fn record(&mut self, readonly: bool, sql: &str, args: Vec<Value>) {
        if let (false, Some(log)) = (readonly, &mut self.log) {
            log.push(Logged { sql: sql.to_owned(), args });
        }
    }
}

/// The rows, and whether the statement only reads.
pub(super) fn sqlite_fetch(
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
pub(super) fn sqlite_statement<'c>(
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

pub(super) fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Result<Value, StoreError> {
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
