//! The sqlx side of [`Conn`]: pooled and PostgreSQL connections, with [`Value`]s bound as
//! sqlx arguments.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::Arguments as _;
use sqlx::Row as _;
use sqlx::any::AnyArguments;

use super::{Row, Value};
use crate::StoreError;

/// Unprepared statements, possibly several (sqlx's simple-query path).
pub(super) fn raw_any<'c>(c: &'c mut sqlx::AnyConnection, sql: &'c str) -> BoxFuture<'c, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::Executor::execute(c, sql).await?;
        Ok(())
    })
}

pub(super) async fn run_any(c: &mut sqlx::AnyConnection, sql: &str, args: Vec<Value>) -> Result<u64, StoreError> {
    Ok(sqlx::query_with(sql, any_arguments(args)?).execute(c).await?.rows_affected())
}

pub(super) async fn fetch_any(
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

pub(super) fn any_arguments(args: Vec<Value>) -> Result<AnyArguments<'static>, StoreError> {
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
