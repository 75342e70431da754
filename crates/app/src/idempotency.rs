//! `Idempotency-Key`: a retry of a creating request gets the first answer, never a second
//! effect. The key is reserved inside the transaction that does the request's work: each
//! creating use case calls [`claim`] first in its write, so the effect and the key commit
//! together or not at all. A parallel retry waits on the key (PostgreSQL blocks on the
//! uncommitted row; SQLite's writer runs one write at a time). A key reused with a
//! different body is refused. The HTTP face runs the request under [`answering`] and
//! stores its answer with [`store_answer`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tongban_store::{Conn, answer_idempotency, insert_idempotency};

use crate::actor::Principal;
use crate::credentials::digest;
use crate::{App, AppError};

/// An `Idempotency-Key` and the digest of the request it came with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The key.
    pub key: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
}

impl Idempotency {
    /// From the header value and the raw body.
    pub fn new(key: &str, body: &[u8]) -> Result<Self, AppError> {
        let key = key.trim();
        if key.is_empty() || key.len() > 200 {
            return Err(AppError::BadParameter("Idempotency-Key must be 1–200 characters".into()));
        }
        Ok(Self { key: key.to_owned(), request_hash: digest(&String::from_utf8_lossy(body)) })
    }
}

/// The stored answer to a repeated idempotent request, or a 422 when the key was used
/// with a different request.
pub async fn replay(state: &App, principal: &Principal, idem: &Idempotency) -> Result<Option<(u16, String)>, AppError> {
    let (key, who) = (idem.key.clone(), principal.id().to_owned());
    let found =
        state.store.write(move |c| Box::pin(async move { tongban_store::idempotency_in(c, &key, &who).await })).await?;
    match found {
        Some((hash, _, _)) if hash != idem.request_hash => Err(AppError::IdempotencyMismatch(idem.key.clone())),
        // Status 0: the key is reserved and the work done, its answer not stored yet.
        Some((_, 0, _)) | None => Ok(None),
        Some((_, status, body)) => Ok(Some((status, body))),
    }
}

/// The request being answered under a key, for [`claim`] in its use case's write.
#[derive(Debug, Clone)]
pub struct Pending {
    idem: Idempotency,
    who: String,
    claimed: Arc<AtomicBool>,
}

tokio::task_local! {
    static PENDING: Pending;
}

/// The key of the request this task is answering, if it came with one. Taken before a
/// write (the write may run on the store's writer task, where the task-local is not set).
pub fn pending() -> Option<Pending> {
    PENDING.try_with(Clone::clone).ok()
}

/// Inside a use case's write, before its work: reserves the key of `pending`. When the
/// key was used before, the write is refused with the first answer
/// ([`AppError::Replayed`], which is sent as it was), with [`AppError::InFlight`] when that
/// answer is not stored yet, or with a 422 when the key came with another body.
pub async fn claim(conn: &mut Conn, pending: Option<&Pending>, now: jiff::Timestamp) -> Result<(), AppError> {
    let Some(p) = pending else { return Ok(()) };
    p.claimed.store(true, Ordering::Relaxed);
    if tongban_store::claim_idempotency(conn, &p.idem.key, &p.who, &p.idem.request_hash, now).await? {
        return Ok(());
    }
    match tongban_store::idempotency_in(conn, &p.idem.key, &p.who).await? {
        Some((hash, _, _)) if hash != p.idem.request_hash => Err(AppError::IdempotencyMismatch(p.idem.key.clone())),
        Some((_, 0, _)) | None => Err(AppError::InFlight),
        Some((_, status, body)) => Err(AppError::Replayed { status, body }),
    }
}

impl Pending {
    /// The request under `idem` by `who`.
    pub fn new(idem: Idempotency, who: &str) -> Pending {
        Pending { idem, who: who.to_owned(), claimed: Arc::default() }
    }
}

/// Runs `work` as the answering of `pending`: the use cases it calls [`claim`] its key.
pub async fn answering<F: std::future::Future>(pending: Pending, work: F) -> F::Output {
    PENDING.scope(pending, work).await
}

/// Stores the answer (`status`, `body`) to the request of `pending` once it succeeded: on
/// the key its use case claimed, or — for a creating request whose use case claims none —
/// as a new key (a race lost there only loses the replay, never the work).
pub async fn store_answer(app: &App, pending: &Pending, status: u16, body: String) -> Result<(), AppError> {
    let (idem, who, now, claimed) =
        (pending.idem.clone(), pending.who.clone(), app.now(), pending.claimed.load(Ordering::Relaxed));
    app.store
        .write(move |c| {
            Box::pin(async move {
                if claimed {
                    answer_idempotency(c, &idem.key, &who, status, &body).await.map(|_| ())
                } else {
                    insert_idempotency(c, &idem.key, &who, &idem.request_hash, status, &body, now).await
                }
            })
        })
        .await
        .map_err(AppError::from)
        .or_else(|e| if claimed { Err(e) } else { Ok(()) })
}
