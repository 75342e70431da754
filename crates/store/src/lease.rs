//! A lease for work that exactly one server may do at a time (the supervision worker).
//! On PostgreSQL it is a session advisory lock on a dedicated connection: it is released
//! the moment the holder's connection dies, so another server takes over. On SQLite there
//! is one process, which always holds it.

use sqlx::{AnyConnection, Connection};

use crate::{Backend, Store, StoreError};

/// A held lease.
#[derive(Debug)]
pub enum Lease {
    /// The embedded database: one process, always the holder.
    Local,
    /// A PostgreSQL advisory lock held by this connection.
    Postgres(AnyConnection),
}

impl Lease {
    /// Whether the lease is still held (the connection answers).
    pub async fn is_held(&mut self) -> bool {
        match self {
            Lease::Local => true,
            Lease::Postgres(conn) => conn.ping().await.is_ok(),
        }
    }
}

impl Store {
    /// Tries to take the lease named `key`; none when another server holds it.
    pub async fn try_lease(&self, key: i64) -> Result<Option<Lease>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(Some(Lease::Local)),
            Backend::Postgres => {
                let mut conn = AnyConnection::connect(&self.url).await?;
                let held: bool =
                    sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(key).fetch_one(&mut conn).await?;
                Ok(held.then_some(Lease::Postgres(conn)))
            }
        }
    }
}
