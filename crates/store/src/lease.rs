//! A lease for work that exactly one server may do at a time (the supervision worker).
//! On PostgreSQL it is a session advisory lock on a dedicated connection: it is released
//! the moment the holder's connection dies, so another server takes over. On SQLite it is
//! an exclusive lock on a file beside the database (`<db>.lease-<key>`), which the
//! operating system releases when the holding process ends: two servers started on one
//! SQLite file by mistake never both run the worker.

use std::str::FromStr as _;

use sqlx::{AnyConnection, Connection};

use crate::{Backend, Store, StoreError};

/// A held lease.
#[derive(Debug)]
pub enum Lease {
    /// The embedded database: this process holds the lock on the lease file.
    Local(std::fs::File),
    /// A PostgreSQL advisory lock held by this connection.
    Postgres(AnyConnection),
}

impl Lease {
    /// Whether the lease is still held (the connection answers).
    pub async fn is_held(&mut self) -> bool {
        match self {
            Lease::Local(_) => true,
            Lease::Postgres(conn) => conn.ping().await.is_ok(),
        }
    }
}

impl Store {
    /// Tries to take the lease named `key`; none when another server holds it.
    pub async fn try_lease(&self, key: i64) -> Result<Option<Lease>, StoreError> {
        match self.backend {
            Backend::Sqlite => {
                let db = sqlx::sqlite::SqliteConnectOptions::from_str(&self.url)?.get_filename().to_owned();
                let mut name = db.into_os_string();
                name.push(format!(".lease-{key}"));
                let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name)?;
                match file.try_lock() {
                    Ok(()) => Ok(Some(Lease::Local(file))),
                    Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                    Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
                }
            }
            Backend::Postgres => {
                let mut conn = AnyConnection::connect(&self.url).await?;
                let held: bool =
                    sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(key).fetch_one(&mut conn).await?;
                Ok(held.then_some(Lease::Postgres(conn)))
            }
        }
    }
}
