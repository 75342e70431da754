//! tongban-store — persistence for tongban on SQLite (the embedded default) and PostgreSQL.
//!
//! The store knows tables, not rules: it loads and saves core types, appends events and
//! runs migrations. Each query is written once (`$1` placeholders work on both backends);
//! the SQL that differs lives in the per-backend migrations and in a few `is_postgres`
//! branches. Reads and PostgreSQL go through sqlx's `Any` driver; SQLite writes go through
//! [`Conn`], which runs the same SQL on a direct `rusqlite` connection.
//!
//! Writes go through [`Store::write`]. On SQLite one writer thread owns the only writing
//! connection and commits queued writes in batches (group commit: one fsync for many
//! callers, each answered only after its batch is durable). On PostgreSQL each write is
//! its own transaction on a pooled connection.

mod activation;
mod assessment;
mod calendar;
mod cases;
mod catalog;
mod concerns;
mod conn;
mod documents;
mod figures;
mod follow_ups;
mod identity;
mod lease;
mod lists;
mod materials;
mod meetings;
mod migrate;
mod notices;
mod org;
mod plans;
mod project_service;
mod projects;
mod push;
mod ratings;
mod supervision;
mod tickets;
mod time;
mod writer;

use std::path::Path;
use std::str::FromStr;

use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

pub use activation::{
    ActivationCode, activation_code_for_use, insert_activation_code, mark_activation_code_used, void_activation_codes,
};
pub use assessment::{
    AnswerRow, AttendanceRow, DeliveredFacts, StaffPost, SubjectRow, SurveyRow, ThirdPartyRow, insert_answer,
    insert_survey, put_assessment_weights, put_attendance_day, put_third_party_score, record_check,
};
pub use calendar::{
    StoredClosure, StoredYear, delete_closure, lock_cases, mark_calendar_checked, put_calendar_year, put_closure,
};
pub use cases::{
    CaseFilter, CaseRow, EventCheck, MaterialFile, Reach, RecordedEvent, allocate_case_number, append_due_changes,
    append_events, insert_case, insert_case_row_raw, insert_material_file, insert_submitted_case, material_file_exists,
    material_usage,
};
pub use catalog::{
    CatalogVersion, ItemFilter, ItemRow, Page, insert_catalog_version, insert_department, insert_division,
    insert_staff, insert_window,
};
pub use concerns::{
    ConcernAbout, ConcernEntry, ConcernFilter, ConcernRecord, add_concern, clear_concerns, invalidate_concern_ledger,
    last_event_id_in, mark_concern_ledger_built, put_standing_concerns,
};
pub use conn::{Conn, Executed, FromValue, Param, Query, Row, Value};
pub use documents::{
    DocumentRow, RevocationRow, TemplateRow, allocate_document_seq, allocate_document_seqs, insert_document,
    insert_document_revocation, insert_document_template,
};
pub use figures::MonthFigures;
pub use follow_ups::{
    FollowUpFilter, FollowUpRow, NewFollowUp, close_follow_up, exit_project, insert_follow_up, set_follow_up_colour,
};
pub use identity::{
    Account, Mandate, OneTimeCode, SessionRow, Verified, answer_idempotency, append_audit, claim_idempotency,
    delete_one_time_code, delete_session, grant_mandate, idempotency_in, insert_account, insert_grant,
    insert_idempotency, insert_one_time_code, insert_session, insert_token, mark_one_time_code, newest_one_time_code,
    revoke_grant, revoke_mandate, revoke_token, role_facts, set_disabled, set_first_responsible, set_password,
    update_role, verify_identity,
};
pub use lease::Lease;
pub use lists::{ListVersion, insert_list_version};
pub use materials::{MaterialRead, insert_material_read};
pub use meetings::{
    AgendaRow, MeetingRow, TaskRow, close_roadmap_tasks_of, finish_roadmap_task, insert_agenda_project, insert_meeting,
    insert_roadmap_task,
};
pub use notices::{
    ChannelHealthRow, DueNotice, NewNotice, NoticeReach, NoticeRow, NoticeTemplateRow, cancel_notice,
    consume_wechat_consent, insert_notice_template, insert_notices, mark_notice_read, mark_notices_sending,
    put_notice_channel, record_notice_failed, record_notice_receipt, record_notice_retry, record_notice_sent,
    record_wechat_consent, requeue_notice, set_account_phone, set_contact_email, set_contact_openid,
    set_notice_consent,
};
pub use org::{put_record, retire_record};
pub use plans::{PlanRow, insert_plan};
pub use project_service::{
    CoordinationRow, ProblemCounts, ProblemFilter, ProblemRow, ProblemToInsert, TrainingRow, close_problem,
    insert_coordination, insert_problem, insert_training, problem_in, problem_source_exists,
};
pub use projects::{
    Consultation, ProjectRow, RunRow, insert_consultation, insert_project, insert_project_run, insert_step_case,
    run_for_case, update_project_record, update_project_run, update_project_stage,
};
pub use push::{
    NewPushSubscription, PushSubscriptionRow, delete_push_subscription, delete_push_subscription_of,
    push_subscription_rows, upsert_push_subscription,
};
pub use ratings::{
    AppealRow, RatingRow, RectificationRow, advance_rectification, insert_appeal, insert_rating, insert_rectification,
    mark_rectification_overdue, review_appeal, set_rectification_due, update_rating_score,
};
pub use supervision::{
    AccountabilityRow, AlertRow, TrackedCase, escalate_alert, insert_accountability, insert_alert,
    set_department_first_responsible, set_rule, update_accountability,
};
pub use tickets::{TicketRow, call_next_ticket, count_waiting_tickets, insert_ticket};
pub use time::{format_ts, parse_ts};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (WAL, group commit).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A store failure. Domain errors raised inside a write travel in the caller's own error type.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The SQLite writer's connection refused or failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique key already exists.
    #[error("{0} already exists")]
    Duplicate(String),
    /// Optimistic concurrency: the row changed since it was read.
    #[error("case {number} is at version {actual}, not {expected}")]
    Conflict {
        /// Case number.
        number: String,
        /// The version the caller read.
        expected: i64,
        /// The version now stored.
        actual: i64,
    },
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt stored value in {table}: {why}")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Why.
        why: String,
    },
    /// The URL names no supported database.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The write ran but its batch did not commit, so nothing it wrote was kept.
    #[error("the write was not committed: {0}")]
    NotCommitted(String),
    /// The writer task is gone (the store is shutting down).
    #[error("the store is shutting down")]
    Closed,
    /// A file beside the database (a lease's lock file) could not be used.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    pub(crate) fn corrupt(table: &'static str, why: impl ToString) -> Self {
        Self::Corrupt { table, why: why.to_string() }
    }

    /// Turns a unique-constraint violation into [`StoreError::Duplicate`] naming `what`.
    pub fn on_unique(e: impl Into<StoreError>, what: impl FnOnce() -> String) -> Self {
        /// SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
        const UNIQUE: [std::ffi::c_int; 2] = [2067, 1555];
        match e.into() {
            Self::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => Self::Duplicate(what()),
            Self::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if UNIQUE.contains(&f.extended_code) => {
                Self::Duplicate(what())
            }
            other => other,
        }
    }
}

/// A write: runs on one connection inside a transaction owned by the store.
pub type WriteFn<T, E> = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send>;

/// The store: a pool of readers and one way to write.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    url: String,
    read: AnyPool,
    writer: writer::Writer,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// The URL of the embedded database in a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("tongban.db").display())
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        match backend {
            Backend::Sqlite => Self::open_sqlite(url).await,
            Backend::Postgres => Self::open_postgres(url).await,
        }
    }

    async fn open_sqlite(url: &str) -> Result<Store, StoreError> {
        let url = if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") };
        let path = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?.get_filename().to_owned();
        if url.contains(":memory:") || url.contains("mode=memory") || path.as_os_str().is_empty() {
            // The writer and the readers are separate connections: each would get a database
            // of its own.
            return Err(StoreError::UnsupportedUrl(format!("{url} (an in-memory database; give a file)")));
        }
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let mut conn = AnyConnection::connect_with(&options).await?;
        // WAL lets readers run beside the writer; synchronous=FULL makes every commit durable
        // (the WAL is fsynced at commit), so an acknowledged write survives a crash or power loss.
        conn.execute("pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on; pragma busy_timeout = 10000;").await?;
        migrate::run(&mut conn, Backend::Sqlite).await?;
        conn.close().await?;
        let writer = writer::Writer::sqlite(&path)?;
        let read = pool_options()
            .max_connections(8)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("pragma foreign_keys = on; pragma busy_timeout = 10000; pragma query_only = on;")
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { backend: Backend::Sqlite, url, read, writer })
    }

    async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = pool_options().max_connections(16).connect_with(options.clone()).await?;
        let mut conn = pool.acquire().await?;
        migrate::run(&mut conn, Backend::Postgres).await?;
        drop(conn);
        Ok(Store {
            backend: Backend::Postgres,
            url: url.to_owned(),
            read: pool.clone(),
            writer: writer::Writer::Postgres(writer::PgConnections::new(options, 16)),
        })
    }

    /// Writes queued for the SQLite writer and not yet started (always 0 on PostgreSQL,
    /// where each write takes a pooled connection of its own).
    pub fn queued_writes(&self) -> usize {
        self.writer.queued()
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Runs `f` in a transaction and commits it; answers only once the commit is durable.
    ///
    /// If `f` fails nothing it wrote is kept, and other writes are not affected: on SQLite a
    /// write that failed after writing is undone by rolling its batch back and running the
    /// writes before it again (see `writer.rs`).
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        self.writer.write(Box::new(f)).await
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("select 1").execute(&self.read).await.is_ok()
    }

    /// Waits for queued writes and closes the connections.
    pub async fn close(&self) {
        self.writer.close().await;
        self.read.close().await;
    }
}

#[cfg(feature = "testing")]
pub mod testing;

/// Pool settings shared by both backends. sqlx pings every connection it hands out by
/// default — a round trip before every read and every PostgreSQL write. Only a connection
/// that sat idle for a while (and may have been dropped by the server or a firewall
/// meanwhile) is checked; one that fails the check is discarded and another taken.
fn pool_options() -> AnyPoolOptions {
    AnyPoolOptions::new().test_before_acquire(false).before_acquire(|conn, meta| {
        Box::pin(async move {
            if meta.idle_for < std::time::Duration::from_secs(30) {
                return Ok(true);
            }
            Ok(conn.ping().await.is_ok())
        })
    })
}

/// Whether sqlx's backend name is PostgreSQL's.
pub(crate) fn is_postgres_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("postgresql") || name.eq_ignore_ascii_case("postgres")
}
