//! The audit log's integrity (留痕防篡改): its hash chain, and every case event an act's entry
//! names still there with the hash it was written with.

use std::collections::HashSet;

use tongban_core::access::Action;
use tongban_core::audit::{self, ChainError};

use crate::{App, AppError, Principal, authorize};

/// What [`verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries of an intact chain, or the first break.
    pub chain: Result<u64, ChainError>,
    /// Event rows read.
    pub events: u64,
    /// Event rows written before hashes were kept (cannot be checked).
    pub unhashed: u64,
    /// The first broken event row or history, or events the chain names that are missing.
    pub events_problem: Option<String>,
}

impl AuditCheck {
    /// Whether the chain and the events are both intact.
    pub fn ok(&self) -> bool {
        self.chain.is_ok() && self.events_problem.is_none()
    }
}

/// Walks the audit chain and the event log (administrators and supervisors).
pub async fn verify_audit(state: &App, principal: &Principal) -> Result<AuditCheck, AppError> {
    authorize(principal, Action::VerifyAudit)?;
    let entries = state.store.audit_entries().await?;
    let chain = audit::verify(&entries);
    // The events each act wrote are named in its entry; every one must still be there,
    // intact. Kept as 128-bit prefixes: a few bytes a case even for ten years of a city.
    let mut named: HashSet<u128> = entries
        .iter()
        .filter(|e| e.action.starts_with("case."))
        .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.detail).ok())
        .filter_map(|d| d.get("events").and_then(|v| v.as_array()).cloned())
        .flatten()
        .filter_map(|h| h.as_str().and_then(prefix))
        .collect();
    let events = state
        .store
        .check_events(|hash| {
            if let Some(p) = prefix(hash) {
                named.remove(&p);
            }
        })
        .await?;
    let events_problem = events.first_bad.clone().or_else(|| {
        (!named.is_empty()).then(|| {
            format!("{} events named in the audit chain are missing or were rewritten with a new hash", named.len())
        })
    });
    Ok(AuditCheck { chain, events: events.events, unhashed: events.unhashed, events_problem })
}

/// The first 128 bits of a hex SHA-256.
fn prefix(hash: &str) -> Option<u128> {
    u128::from_str_radix(hash.get(..32)?, 16).ok()
}
