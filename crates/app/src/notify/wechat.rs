//! (being written) the wechat client.

#[allow(unused_imports)]
use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// The wechat client.
#[derive(Debug)]
pub struct Wechat;

impl Wechat {
    /// Sends `msg`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let _ = msg;
        Err(SendError::Retry("not built yet".into()))
    }
}
