//! (being written) the smtp client.

#[allow(unused_imports)]
use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// The smtp client.
#[derive(Debug)]
pub struct Smtp;

impl Smtp {
    /// Sends `msg`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let _ = msg;
        Err(SendError::Retry("not built yet".into()))
    }
}
