//! The window workbench (clerks: the queue of their department's submitted cases, oldest
//! first, cases offered to them, cases to deliver) and the approver inbox (cases waiting for
//! a decision, with the authority held for each and its grant chain).
//!
//! Each page loads through [`crate::app`], builds its view model and draws it with a pure
//! `render` function.

mod inbox;
mod queue;

pub use queue::WorkbenchQuery;

/// This module's pages.
pub(super) fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/workbench", get(queue::queue))
        .route("/workbench/call", post(queue::call_next))
        .route("/inbox", get(inbox::inbox))
}
