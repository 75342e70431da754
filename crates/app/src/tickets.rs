//! Queue tickets (排队号): taken at the kiosk for a department's windows or the
//! comprehensive window (综合窗口), called at a window, oldest first.

use tongban_store::TicketRow;

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;
use tongban_core::access::Action;

pub use tongban_core::queue::{COMPREHENSIVE, queue_letter, ticket_day};

/// A ticket just taken, and how many of its queue wait before it.
#[derive(Debug, Clone)]
pub struct TakenTicket {
    /// The ticket.
    pub ticket: TicketRow,
    /// Tickets of the same queue waiting before it.
    pub ahead: i64,
}

/// Takes the next ticket of `queue` (a department code or [`COMPREHENSIVE`]).
pub async fn take_ticket(state: &App, principal: &Principal, queue: &str) -> Result<TakenTicket, AppError> {
    authorize(principal, Action::TakeTicket)?;
    state.rate(crate::limits::Rated::Ticket, principal)?;
    let queue = queue.trim().to_owned();
    if queue != COMPREHENSIVE {
        let departments = state.store.department_names().await?;
        if !departments.iter().any(|(code, _)| *code == queue) {
            return Err(AppError::Invalid(vec![("queue".into(), format!("no department {queue:?}"))]));
        }
    }
    let now = state.now();
    let day = ticket_day(now);
    let letter = queue_letter(&queue);
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let ticket = tongban_store::insert_ticket(c, &day, letter, &queue, now).await?;
                let ahead = tongban_store::count_waiting_tickets(c, &day, &[queue.as_str()], Some(ticket.seq)).await?;
                Ok::<_, AppError>(TakenTicket { ticket, ahead })
            })
        })
        .await
}

/// The queues a staff member calls: their department's and the comprehensive window's.
fn queues_of(principal: &Principal) -> Result<Vec<String>, AppError> {
    let account = principal.require()?;
    let department = account
        .department
        .as_ref()
        .ok_or_else(|| AppError::Forbidden(format!("{} belongs to no department", account.id)))?;
    Ok(vec![department.to_string(), COMPREHENSIVE.to_owned()])
}

/// Calls the oldest waiting ticket of the caller's department or the comprehensive window;
/// none when nobody waits.
pub async fn call_next_ticket(state: &App, principal: &Principal) -> Result<Option<TicketRow>, AppError> {
    authorize(principal, Action::CallTicket)?;
    let queues = queues_of(principal)?;
    let caller = principal.id().to_owned();
    let now = state.now();
    let day = ticket_day(now);
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                let refs: Vec<&str> = queues.iter().map(String::as_str).collect();
                Ok::<_, AppError>(tongban_store::call_next_ticket(c, &day, &refs, &caller, now).await?)
            })
        })
        .await
}

/// How many tickets the caller's queues hold today, waiting to be called.
pub async fn waiting_for(state: &App, principal: &Principal) -> Result<i64, AppError> {
    authorize(principal, Action::CallTicket)?;
    let queues = queues_of(principal)?;
    let refs: Vec<&str> = queues.iter().map(String::as_str).collect();
    Ok(state.store.waiting_tickets(&ticket_day(state.now()), &refs).await?)
}
