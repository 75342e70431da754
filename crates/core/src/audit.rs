//! The audit log (审计日志): logins, grants, revocations, role changes and every case
//! decision, each entry holding the hash of the one before, so editing, deleting or
//! reordering any entry breaks the chain and [`verify`] names the first bad one.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, 1-based, without gaps.
    pub seq: u64,
    /// When, as stored text (RFC 3339), hashed exactly as stored.
    pub at: String,
    /// Who (account id, or `-` when unknown).
    pub actor: String,
    /// What, e.g. `login.success`, `grant.create`, `case.approve`.
    pub action: String,
    /// On what, e.g. a case number or grant id.
    pub subject: String,
    /// Details as JSON text.
    pub detail: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The hash of an entry's content chained to `prev_hash`. Fields are length-prefixed so no
/// two different entries can hash the same by shifting text between fields.
pub fn entry_hash(
    prev_hash: &str,
    seq: u64,
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    for field in [at, actor, action, subject, detail] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of a case event row as stored (its text fields exactly as stored), kept beside
/// it and named in the audit entry of the act that wrote it, so an edit to an event row
/// shows in `audit verify` and cannot be covered up without breaking the chain.
pub fn event_hash(
    case_number: &str,
    seq: u64,
    kind: &str,
    actor: &str,
    at: &str,
    payload: &str,
    authority: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    h.update(b"event");
    h.update(seq.to_be_bytes());
    for field in [case_number, kind, actor, at, payload, authority.unwrap_or("")] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.update([u8::from(authority.is_some())]);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why the chain is broken, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An entry's sequence number is not the one expected (deleted or reordered rows).
    #[error("entry {found} stands where entry {expected} should: entries were deleted or reordered")]
    Sequence {
        /// The seq expected at this position.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// An entry does not point at the hash of the one before.
    #[error("entry {seq} does not follow the entry before it: the log was cut or reordered")]
    Link {
        /// The bad entry.
        seq: u64,
    },
    /// An entry's content does not match its hash.
    #[error("entry {seq} was edited: its content does not match its hash")]
    Content {
        /// The bad entry.
        seq: u64,
    },
}

/// Walks the chain in order; returns the number of entries checked.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<u64, ChainError> {
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    for e in entries {
        if e.seq != expected {
            return Err(ChainError::Sequence { expected, found: e.seq });
        }
        if e.prev_hash != prev {
            return Err(ChainError::Link { seq: e.seq });
        }
        if entry_hash(&e.prev_hash, e.seq, &e.at, &e.actor, &e.action, &e.subject, &e.detail) != e.hash {
            return Err(ChainError::Content { seq: e.seq });
        }
        prev = e.hash.clone();
        expected += 1;
    }
    Ok(expected - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(n: u64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let (at, actor, action, subject, detail) = (
                    "2026-01-01T00:00:00.000000Z".to_owned(),
                    format!("u{seq}"),
                    "login.success".to_owned(),
                    "-".to_owned(),
                    "{}".to_owned(),
                );
                let hash = entry_hash(&prev, seq, &at, &actor, &action, &subject, &detail);
                let e =
                    AuditEntry { seq, at, actor, action, subject, detail, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&log(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn edits_deletions_and_swaps_are_found() {
        let mut edited = log(5);
        edited[2].actor = "mallory".into();
        assert_eq!(verify(&edited), Err(ChainError::Content { seq: 3 }));
        let mut deleted = log(5);
        deleted.remove(1);
        assert_eq!(verify(&deleted), Err(ChainError::Sequence { expected: 2, found: 3 }));
        let mut swapped = log(5);
        swapped.swap(1, 2);
        assert_eq!(verify(&swapped), Err(ChainError::Sequence { expected: 2, found: 3 }));
        let mut renumbered = log(5);
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(verify(&renumbered), Err(ChainError::Link { seq: 2 }));
        let mut truncated = log(5);
        truncated.remove(0);
        assert_eq!(verify(&truncated), Err(ChainError::Sequence { expected: 1, found: 2 }));
    }
}
