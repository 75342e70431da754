//! The one way to write. On SQLite: a single writer thread that owns the only writing
//! connection and commits queued writes in batches (group commit). On PostgreSQL: a
//! transaction per write on one of the writer's own connections ([`PgConnections`]).

use std::sync::Arc;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

use crate::{Conn, StoreError, WriteFn};

/// Most writes committed together. Large enough that 64 concurrent submitters share one
/// fsync; small enough that one batch never holds the file for long.
const MAX_BATCH: usize = 256;

/// Called once the batch's fate is known: `Ok` when it committed, `Err` (saying why) when
/// it did not.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Runs a job on the writer's connection; says whether it succeeded and how to answer.
type RunFn = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// A type-erased write: `run` executes it and says whether it succeeded; `abort` answers
/// its caller when the batch breaks off before the job ran, or when the job panicked.
pub(crate) struct Job {
    run: RunFn,
    abort: Finish,
}

#[derive(Clone)]
pub(crate) enum Writer {
    /// The queue of the writer thread; the thread ends (closing its connection) when the
    /// last sender is dropped.
    Sqlite {
        queue: mpsc::Sender<Job>,
    },
    Postgres(Arc<PgConnections>),
}

/// The PostgreSQL connections writes run on, kept apart from sqlx's pool: the pool pings
/// every connection it takes back (a round trip per write). A connection that sat idle for
/// a while is checked before use instead; one that fails, or whose write ended in an
/// error the connection may not survive, is dropped, not kept.
pub(crate) struct PgConnections {
    options: sqlx::any::AnyConnectOptions,
    idle: std::sync::Mutex<Vec<(sqlx::AnyConnection, std::time::Instant)>>,
    /// At most this many connections at once.
    permits: Arc<tokio::sync::Semaphore>,
}

/// Idle longer than this, a connection is pinged before it is used again.
const CHECK_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(30);

impl PgConnections {
    pub(crate) fn new(options: sqlx::any::AnyConnectOptions, max: usize) -> Arc<PgConnections> {
        Arc::new(PgConnections {
            options,
            idle: std::sync::Mutex::new(Vec::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(max)),
        })
    }

    /// A connection, and the permit that counts it until it is put back or dropped.
    pub(crate) async fn take(&self) -> Result<(Conn, tokio::sync::OwnedSemaphorePermit), StoreError> {
        let permit = Arc::clone(&self.permits).acquire_owned().await.map_err(|_| StoreError::Closed)?;
        loop {
            let idle = self.idle.lock().map_or(None, |mut idle| idle.pop());
            let Some((mut c, since)) = idle else {
                let c = sqlx::ConnectOptions::connect(&self.options).await?;
                return Ok((Conn::owned(c), permit));
            };
            if since.elapsed() < CHECK_AFTER_IDLE || sqlx::Connection::ping(&mut c).await.is_ok() {
                return Ok((Conn::owned(c), permit));
            }
        }
    }

    /// Keeps a connection for the next write (unless the store is closing).
    pub(crate) fn put_back(&self, conn: Conn) {
        if self.permits.is_closed() {
            return;
        }
        if let (Some(c), Ok(mut idle)) = (conn.into_owned(), self.idle.lock()) {
            idle.push((c, std::time::Instant::now()));
        }
    }

    async fn close(&self) {
        self.permits.close();
        let idle = self.idle.lock().map(|mut idle| std::mem::take(&mut *idle)).unwrap_or_default();
        for (c, _) in idle {
            let _ = sqlx::Connection::close(c).await;
        }
    }
}

impl Writer {
    /// Starts the writer thread on the SQLite file at `path`. Jobs run on that thread, on a
    /// runtime of its own, so their statements step the connection directly, with no hop to
    /// another thread.
    pub(crate) fn sqlite(path: &std::path::Path) -> Result<Writer, StoreError> {
        // WAL checkpoints stay on this thread (SQLite's automatic ones, at commit): moved to a
        // thread of their own they let the WAL grow between them, and growing it cost the
        // writer more than checkpointing did.
        let conn = Conn::open_sqlite(path)?;
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::corrupt("writer", e))?;
        std::thread::Builder::new()
            .name("tongban-writer".into())
            .spawn(move || runtime.block_on(run_writer(conn, rx)))
            .map_err(|e| StoreError::corrupt("writer", e))?;
        Ok(Writer::Sqlite { queue })
    }

    pub(crate) async fn write<T, E>(&self, f: WriteFn<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match self {
            Writer::Postgres(connections) => {
                let (mut conn, _permit) = connections.take().await?;
                conn.execute_batch("begin").await?;
                match f(&mut conn).await {
                    Ok(value) => {
                        conn.execute_batch("commit").await?;
                        connections.put_back(conn);
                        Ok(value)
                    }
                    Err(e) => {
                        // A connection that cannot even roll back is not kept.
                        if conn.execute_batch("rollback").await.is_ok() {
                            connections.put_back(conn);
                        }
                        Err(e)
                    }
                }
            }
            Writer::Sqlite { queue, .. } => {
                let (reply, answer) = oneshot::channel::<Result<T, E>>();
                let reply = Arc::new(std::sync::Mutex::new(Some(reply)));
                let reply_on_abort = Arc::clone(&reply);
                let abort: Finish = Box::new(move |outcome| {
                    let why = outcome.err().unwrap_or_else(|| "the writer stopped".to_owned());
                    if let Some(reply) = reply_on_abort.lock().ok().and_then(|mut r| r.take()) {
                        let _ = reply.send(Err(E::from(StoreError::NotCommitted(why))));
                    }
                });
                let run = Box::new(job_fn(move |conn| {
                    Box::pin(async move {
                        let outcome = f(conn).await;
                        let ok = outcome.is_ok();
                        let finish: Finish = Box::new(move |committed| {
                            let result = match (outcome, committed) {
                                (Ok(v), Ok(())) => Ok(v),
                                (Ok(_), Err(why)) => Err(E::from(StoreError::NotCommitted(why))),
                                (Err(e), _) => Err(e),
                            };
                            // The caller may have gone away; its write stands regardless.
                            if let Some(reply) = reply.lock().ok().and_then(|mut r| r.take()) {
                                let _ = reply.send(result);
                            }
                        });
                        (ok, finish)
                    })
                }));
                let job = Job { run, abort };
                queue.send(job).await.map_err(|_| E::from(StoreError::Closed))?;
                answer.await.map_err(|_| E::from(StoreError::Closed))?
            }
        }
    }

    /// Writes waiting for the SQLite writer (0 on PostgreSQL).
    pub(crate) fn queued(&self) -> usize {
        match self {
            Writer::Sqlite { queue } => queue.max_capacity() - queue.capacity(),
            Writer::Postgres(_) => 0,
        }
    }

    /// On SQLite: waits until every write queued before this call is committed. On
    /// PostgreSQL: closes the idle connections; writes still running keep theirs, which are
    /// closed when they end.
    pub(crate) async fn close(&self) {
        match self {
            Writer::Sqlite { .. } => {
                let barrier: WriteFn<(), StoreError> = Box::new(|_| Box::pin(async { Ok(()) }));
                let _ = self.write(barrier).await;
            }
            Writer::Postgres(connections) => connections.close().await,
        }
    }
}

/// Gives a closure the higher-ranked signature a [`Job`] needs.
fn job_fn<F>(f: F) -> F
where
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, (bool, Finish)> + Send,
{
    f
}

/// Commits queued jobs in batches of at most [`MAX_BATCH`], one transaction each. An idle
/// writer commits a lone job at once (no timer). Under load a batch also takes the jobs that
/// arrive while it runs, and the writer briefly waits for the callers it just answered to
/// come back (see [`GATHER_FOR`]), so that steady callers share one fsync per round.
async fn run_writer(mut conn: Conn, mut rx: mpsc::Receiver<Job>) {
    // How many callers the last commit answered, and when it ended.
    let (mut answered, mut committed_at) = (0, tokio::time::Instant::now());
    while let Some(first) = rx.recv().await {
        let under_load = answered > 1 && committed_at.elapsed() < GATHER_FOR;
        let mut intake = Intake {
            rx: &mut rx,
            first: Some(first),
            expect: if under_load { answered } else { 1 },
            deadline: tokio::time::Instant::now() + GATHER_FOR,
            taken: 1,
        };
        let mut finishes = Vec::with_capacity(MAX_BATCH);
        let outcome = match run_batch(&mut conn, &mut intake, &mut finishes).await {
            Ok(()) => conn.sqlite_exec("commit"),
            Err(e) => {
                let _ = conn.sqlite_exec("rollback");
                Err(e)
            }
        };
        let outcome = outcome.map_err(|e| format!("the batch was not committed: {e}"));
        if let Err(e) = &outcome {
            tracing::error!(error = %e, jobs = finishes.len(), "group commit failed; the batch was rolled back");
        }
        answered = finishes.len();
        for finish in finishes {
            finish(outcome.clone());
        }
        committed_at = tokio::time::Instant::now();
        // A first job never started because the batch broke off at once gets the same
        // answer; later jobs are still queued and go into the next batch.
        if let Some(job) = intake.first.take() {
            (job.abort)(outcome.clone().and(Err("the batch broke off before this write ran".to_owned())));
        }
    }
}

/// Under load, the longest a batch waits for the callers the last commit answered to come
/// back with their next writes. Without this wait a batch takes only the callers that
/// happened to be quick, and 64 steady callers end up split over two commits (two fsyncs)
/// per round. (PostgreSQL's `commit_delay` does the same, also only when other
/// transactions are active.)
const GATHER_FOR: std::time::Duration = std::time::Duration::from_millis(1);

/// Where a running batch takes its next job from.
struct Intake<'a> {
    rx: &'a mut mpsc::Receiver<Job>,
    /// The job that started the batch, until it runs.
    first: Option<Job>,
    /// Jobs the batch waits for (until `deadline`) before it commits with fewer.
    expect: usize,
    deadline: tokio::time::Instant,
    /// Jobs taken so far.
    taken: usize,
}

impl Intake<'_> {
    /// The next job for this batch: one already queued, else (while fewer than `expect`
    /// were taken and the deadline has not passed) the next to arrive; none when the batch
    /// is full or done.
    async fn next(&mut self) -> Option<Job> {
        if let Some(job) = self.first.take() {
            return Some(job);
        }
        if self.taken >= MAX_BATCH {
            return None;
        }
        let job = match self.rx.try_recv() {
            Ok(job) => job,
            Err(_) if self.taken < self.expect => {
                tokio::time::timeout_at(self.deadline, self.rx.recv()).await.ok().flatten()?
            }
            Err(_) => return None,
        };
        self.taken += 1;
        Some(job)
    }
}

async fn run_batch(conn: &mut Conn, intake: &mut Intake<'_>, finishes: &mut Vec<Finish>) -> Result<(), StoreError> {
    conn.sqlite_exec("begin immediate")?;
    // The write statements of each job that succeeded so far in this batch.
    let mut done = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = intake.next().await {
        let before = conn.total_changes();
        conn.start_recording();
        let Job { run, abort } = job;
        // A write that panics fails alone, like one that returns an error; the writer
        // thread, and every other write, carries on.
        let ok = match std::panic::AssertUnwindSafe(run(conn)).catch_unwind().await {
            Ok((ok, finish)) => {
                finishes.push(finish);
                ok
            }
            Err(_) => {
                tracing::error!("a write panicked; it was undone and its caller told so");
                abort(Err("the write panicked".to_owned()));
                false
            }
        };
        let recorded = conn.take_recording();
        if ok {
            done.push(recorded);
            continue;
        }
        if !conn.in_transaction() {
            return Err(StoreError::NotCommitted("SQLite rolled the batch back".into()));
        }
        if conn.total_changes() != before {
            // The failed job wrote something. Undo it: back to the start of the batch, then
            // run the jobs before it again, statement by statement; they ran on the same
            // state and saw nothing of the failed job, so they leave the same rows. (A
            // savepoint per job would make this unnecessary, but costs every job a copy of
            // each page it touches, about a fifth of the writer's time; a job that fails
            // after writing is rare.)
            conn.sqlite_exec("rollback")?;
            conn.sqlite_exec("begin immediate")?;
            for recorded in &done {
                conn.replay(recorded)?;
            }
        }
    }
    Ok(())
}
