//! (being written) the aliyun client.

#[allow(unused_imports)]
use super::gateway::Receipt;
use super::gateway::{Outgoing, SendError, Sent};

/// The aliyun client.
#[derive(Debug)]
pub struct Aliyun;

impl Aliyun {
    /// Sends `msg`.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let _ = msg;
        Err(SendError::Retry("not built yet".into()))
    }

    /// The provider's record of the message sent under `key` to `address` since `since`.
    pub async fn lookup(&self, key: &str, address: &str, since: jiff::Timestamp) -> Result<Option<Sent>, SendError> {
        let _ = (key, address, since);
        Ok(None)
    }

    /// Delivery reports since `since`.
    pub async fn receipts(&self, since: jiff::Timestamp) -> Result<Vec<Receipt>, SendError> {
        let _ = since;
        Ok(Vec::new())
    }
}
