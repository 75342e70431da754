//! (being written) the push client.

#[allow(unused_imports)]
use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// The push client.
#[derive(Debug)]
pub struct WebPush;

impl WebPush {
    /// Sends `msg`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let _ = msg;
        Err(SendError::Retry("not built yet".into()))
    }
}
