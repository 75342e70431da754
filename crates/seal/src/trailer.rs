//! The signature trailer after the PDF's `%%EOF`, and offline verification.
//!
//! ```text
//! <PDF bytes ending in %%EOF\n>%TongbanSeal 1 key=<id> number=<文号 %-encoded> sm3=<hex> sig=<hex>\n%%EOF\n
//! ```
//! PDF readers ignore comments after `%%EOF`. The SM3 covers everything before the trailer;
//! the trailer must be exactly what sealing writes (so no byte of it can change unnoticed),
//! and its 文号 must be the one in the signed PDF's metadata.

use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::keys::{self, unhex};
use crate::{PublicKey, Verified, VerifyError, sm3_digest};

const MAGIC: &str = "%TongbanSeal";
const EOF: &[u8] = b"%%EOF\n";

/// The trailer line (with its newline and final `%%EOF`) for the given fields.
pub(crate) fn line(key_id: &str, number: &str, sm3: &str, signature: &str) -> String {
    let number = utf8_percent_encode(number, NON_ALPHANUMERIC);
    format!("{MAGIC} 1 key={key_id} number={number} sm3={sm3} sig={signature}\n%%EOF\n")
}

/// How the 文号 appears in the signed PDF's XMP metadata (dc:description, as krilla's
/// xmp-writer escapes it): the trailer's 文号 is not signed itself, so it must match this.
fn metadata_needle(number: &str) -> Vec<u8> {
    let mut escaped = String::with_capacity(number.len());
    for c in number.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '\'' => escaped.push_str("&apos;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    format!("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{escaped}</rdf:li>").into_bytes()
}

struct Fields {
    key: String,
    number: String,
    sm3: String,
    signature: String,
}

/// Splits a sealed file into the signed bytes and the trailer's fields.
fn split(pdf: &[u8]) -> Result<(&[u8], Fields), VerifyError> {
    let body = pdf.strip_suffix(EOF).ok_or(VerifyError::NotSealed)?;
    let body = body.strip_suffix(b"\n").ok_or(VerifyError::NotSealed)?;
    let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let (signed, raw) = body.split_at(start);
    if !raw.starts_with(MAGIC.as_bytes()) {
        return Err(VerifyError::NotSealed);
    }
    if !signed.ends_with(EOF) {
        return Err(VerifyError::BadTrailer);
    }
    let text = std::str::from_utf8(raw).map_err(|_| VerifyError::BadTrailer)?;
    let parts: Vec<&str> = text.split(' ').collect();
    let [magic, "1", key, number, sm3, sig] = parts.as_slice() else {
        return Err(VerifyError::BadTrailer);
    };
    let field = |s: &str, name: &str| s.strip_prefix(name).map(str::to_string).ok_or(VerifyError::BadTrailer);
    let key = field(key, "key=")?;
    let number =
        percent_decode_str(&field(number, "number=")?).decode_utf8().map_err(|_| VerifyError::BadTrailer)?.into_owned();
    let fields = Fields { key, number, sm3: field(sm3, "sm3=")?, signature: field(sig, "sig=")? };
    let hexlen = |s: &str, n: usize| s.len() == n && unhex(s).is_some();
    if *magic != MAGIC || !hexlen(&fields.key, 16) || !hexlen(&fields.sm3, 64) || !hexlen(&fields.signature, 128) {
        return Err(VerifyError::BadTrailer);
    }
    // Only the canonical spelling is accepted: e.g. `%e5` for `%E5` is a changed byte.
    let canonical = line(&fields.key, &fields.number, &fields.sm3, &fields.signature);
    if canonical.as_bytes() != &pdf[start..] {
        return Err(VerifyError::BadTrailer);
    }
    Ok((signed, fields))
}

/// See [`crate::verify`].
pub(crate) fn verify(pdf: &[u8], keys: &[PublicKey]) -> Result<Verified, VerifyError> {
    let (signed, fields) = split(pdf)?;
    let digest = sm3_digest(signed);
    if keys::hex(&digest) != fields.sm3 {
        return Err(VerifyError::Altered);
    }
    let needle = metadata_needle(&fields.number);
    if !signed.windows(needle.len()).any(|w| w == needle.as_slice()) {
        return Err(VerifyError::Altered);
    }
    let key = keys.iter().find(|k| k.id == fields.key).ok_or_else(|| VerifyError::UnknownKey(fields.key.clone()))?;
    keys::verify(&key.pem, &digest, &fields.signature).map_err(|_| VerifyError::BadSignature)?;
    Ok(Verified { number: fields.number, sm3: fields.sm3, key_id: fields.key })
}
