//! The public key file served at /verify/key and read by `tongban document verify --key`:
//! one SPKI PEM block per key, each after a `# key <id> created <time> [retired <time>]` line.

use crate::{PublicKey, SealError, keys};

/// The seal's own PEM file format for `--key FILE`: one or several PUBLIC KEY blocks, each
/// preceded by a "# key <id>" comment line (with its creation and retirement times).
pub fn public_keys_pem(keys: &[PublicKey]) -> String {
    let mut out = String::new();
    for key in keys {
        out.push_str(&format!("# key {} created {}", key.id, key.created_at));
        if let Some(retired) = &key.retired_at {
            out.push_str(&format!(" retired {retired}"));
        }
        out.push('\n');
        out.push_str(key.pem.trim_end());
        out.push('\n');
    }
    out
}

/// Reads the format of [`public_keys_pem`] back. Ids are recomputed from the keys; a
/// comment naming another id is an error. Bare PEM blocks without comments are accepted.
pub fn parse_public_keys(text: &str) -> Result<Vec<PublicKey>, SealError> {
    let mut keys = Vec::new();
    let mut comment: Option<Vec<&str>> = None;
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(pem) = block.as_mut() {
            pem.push_str(line);
            pem.push('\n');
            if line == "-----END PUBLIC KEY-----" {
                let pem = block.take().unwrap_or_default();
                keys.push(key(pem, comment.take())?);
            }
        } else if line == "-----BEGIN PUBLIC KEY-----" {
            block = Some(format!("{line}\n"));
        } else if let Some(rest) = line.strip_prefix("# key ") {
            comment = Some(rest.split_whitespace().collect());
        } else if !line.is_empty() && !line.starts_with('#') {
            return Err(SealError::BadKey(format!("unexpected line in key file: {line:?}")));
        }
    }
    if block.is_some() {
        return Err(SealError::BadKey("unterminated PUBLIC KEY block".into()));
    }
    if keys.is_empty() {
        return Err(SealError::BadKey("no PUBLIC KEY block".into()));
    }
    Ok(keys)
}

fn key(pem: String, comment: Option<Vec<&str>>) -> Result<PublicKey, SealError> {
    let id = keys::public_key_id(&pem)?;
    let words = comment.unwrap_or_default();
    if let Some(named) = words.first().filter(|named| **named != id) {
        return Err(SealError::BadKey(format!("key file names key {named} but holds key {id}")));
    }
    let after =
        |label: &str| words.iter().position(|w| *w == label).and_then(|i| words.get(i + 1)).map(|s| s.to_string());
    Ok(PublicKey { id, pem, created_at: after("created").unwrap_or_default(), retired_at: after("retired") })
}
