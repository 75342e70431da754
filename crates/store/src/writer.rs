//! The one way to write. On SQLite: a single writer task that commits queued writes in
//! batches (group commit). On PostgreSQL: a transaction per write on a pooled connection.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, WriteFn};

/// Most writes committed together. Large enough that 64 concurrent submitters share one
/// fsync; small enough that one batch never holds the file for long.
const MAX_BATCH: usize = 256;

/// Called once the batch's fate is known: `Ok` when it committed, `Err` when it did not.
type Finish = Box<dyn FnOnce(Result<(), sqlx::Error>) + Send>;

/// Runs a job on the writer's connection; says whether it succeeded and how to answer.
type RunFn = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// A type-erased write: `run` executes it and says whether it succeeded; `abort` answers
/// its caller when the batch breaks off before the job ran.
pub(crate) struct Job {
    run: RunFn,
    abort: Finish,
}

#[derive(Clone)]
pub(crate) enum Writer {
    /// The queue of the writer task; the task ends (closing its connection) when the
    /// last sender is dropped.
    Sqlite {
        queue: mpsc::Sender<Job>,
    },
    Postgres(AnyPool),
}

impl Writer {
    pub(crate) fn sqlite(conn: AnyConnection) -> Writer {
        let (queue, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run_writer(conn, rx));
        Writer::Sqlite { queue }
    }

    pub(crate) async fn write<T, E>(&self, f: WriteFn<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match self {
            Writer::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(StoreError::from)?;
                let value = f(&mut tx).await?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok(value)
            }
            Writer::Sqlite { queue, .. } => {
                let (reply, answer) = oneshot::channel::<Result<T, E>>();
                let reply = Arc::new(std::sync::Mutex::new(Some(reply)));
                let reply_on_abort = Arc::clone(&reply);
                let abort: Finish = Box::new(move |outcome| {
                    let e = outcome.err().unwrap_or(sqlx::Error::WorkerCrashed);
                    if let Some(reply) = reply_on_abort.lock().ok().and_then(|mut r| r.take()) {
                        let _ = reply.send(Err(E::from(StoreError::Database(e))));
                    }
                });
                let run = Box::new(job_fn(move |conn| {
                    Box::pin(async move {
                        let outcome = f(conn).await;
                        let ok = outcome.is_ok();
                        let finish: Finish = Box::new(move |committed| {
                            let result = match (outcome, committed) {
                                (Ok(v), Ok(())) => Ok(v),
                                (Ok(_), Err(e)) => Err(E::from(StoreError::Database(e))),
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

    /// Waits until every write queued before this call is committed.
    pub(crate) async fn close(&self) {
        if matches!(self, Writer::Sqlite { .. }) {
            let barrier: WriteFn<(), StoreError> = Box::new(|_| Box::pin(async { Ok(()) }));
            let _ = self.write(barrier).await;
        }
    }
}

/// Gives a closure the higher-ranked signature a [`Job`] needs.
fn job_fn<F>(f: F) -> F
where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Finish)> + Send,
{
    f
}

/// Takes whatever is queued (at least one job, at most [`MAX_BATCH`]) and commits it as one
/// transaction, each job inside its own savepoint. No timer: an idle writer commits a lone
/// job at once, and under load the queue fills while the previous batch is being fsynced.
async fn run_writer(mut conn: AnyConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = std::collections::VecDeque::with_capacity(MAX_BATCH);
    let mut incoming = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut incoming, MAX_BATCH).await > 0 {
        batch.extend(incoming.drain(..));
        let mut finishes = Vec::with_capacity(batch.len());
        let outcome = run_batch(&mut conn, &mut batch, &mut finishes).await;
        let outcome = match outcome {
            Ok(()) => conn.execute("commit").await.map(drop),
            Err(e) => {
                let _ = conn.execute("rollback").await;
                Err(e)
            }
        };
        if let Err(e) = &outcome {
            tracing::error!(error = %e, jobs = finishes.len(), "group commit failed; the batch was rolled back");
        }
        for finish in finishes {
            finish(clone_error(&outcome));
        }
        // Jobs never started because the batch broke off early get the same answer.
        for job in batch.drain(..) {
            (job.abort)(clone_error(&outcome).and(Err(sqlx::Error::WorkerCrashed)));
        }
    }
    let _ = conn.close().await;
}

async fn run_batch(
    conn: &mut AnyConnection,
    batch: &mut std::collections::VecDeque<Job>,
    finishes: &mut Vec<Finish>,
) -> Result<(), sqlx::Error> {
    conn.execute("begin immediate").await?;
    while let Some(job) = batch.pop_front() {
        if let Err(e) = conn.execute("savepoint job").await {
            finishes.push(job.abort);
            return Err(e);
        }
        let (ok, finish) = (job.run)(conn).await;
        finishes.push(finish);
        if ok {
            conn.execute("release job").await?;
        } else {
            conn.execute("rollback to job; release job").await?;
        }
    }
    Ok(())
}

fn clone_error(r: &Result<(), sqlx::Error>) -> Result<(), sqlx::Error> {
    match r {
        Ok(()) => Ok(()),
        Err(e) => Err(sqlx::Error::Protocol(format!("the batch was not committed: {e}"))),
    }
}
