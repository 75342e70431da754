//! SM2 keys: generation, ids, PEM, and signing/verifying an SM3 digest with the
//! default distinguishing identifier of GM/T 0009.

use sm2::SecretKey;
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::elliptic_curve::Generate as _;
use sm2::pkcs8::{
    DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _, LineEnding,
};

use crate::{SealError, sm3_hex};

/// GM/T 0009's default user id (ENTL 128 bits), used when the parties agreed no other.
const DIST_ID: &str = "1234567812345678";

/// A freshly generated private key as PKCS#8 PEM, and its public key as SPKI PEM.
pub(crate) struct NewKey {
    pub(crate) id: String,
    pub(crate) private_pem: String,
    pub(crate) public_pem: String,
}

/// Makes a new key pair from the operating system's randomness.
pub(crate) fn generate() -> Result<NewKey, SealError> {
    let secret = SecretKey::try_generate().map_err(|e| SealError::BadKey(format!("no randomness: {e}")))?;
    let private_pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| SealError::BadKey(format!("cannot encode the private key: {e}")))?
        .to_string();
    let public = secret.public_key();
    let public_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| SealError::BadKey(format!("cannot encode the public key: {e}")))?;
    let id = key_id(&public)?;
    Ok(NewKey { id, private_pem, public_pem })
}

/// First 16 hex characters of SM3 over the public key's DER (SubjectPublicKeyInfo).
fn key_id(public: &sm2::PublicKey) -> Result<String, SealError> {
    let der =
        public.to_public_key_der().map_err(|e| SealError::BadKey(format!("cannot encode the public key: {e}")))?;
    let mut id = sm3_hex(der.as_bytes());
    id.truncate(16);
    Ok(id)
}

/// The id of a public key given as SPKI PEM.
pub(crate) fn public_key_id(pem: &str) -> Result<String, SealError> {
    let public = sm2::PublicKey::from_public_key_pem(pem).map_err(|e| SealError::BadKey(e.to_string()))?;
    key_id(&public)
}

/// A loaded private key, ready to sign.
pub(crate) struct Signer(SigningKey);

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// Reads a PKCS#8 PEM private key.
    pub(crate) fn from_pem(pem: &str) -> Result<Signer, SealError> {
        let secret = SecretKey::from_pkcs8_pem(pem).map_err(|e| SealError::BadKey(e.to_string()))?;
        SigningKey::new(DIST_ID, &secret).map(Signer).map_err(|e| SealError::BadKey(e.to_string()))
    }

    /// The id of this key's public half.
    pub(crate) fn id(&self) -> Result<String, SealError> {
        key_id(&sm2::PublicKey::from(self.0.verifying_key()))
    }

    /// SM2 signature (r ‖ s, hex) over `digest` — deterministic (RFC 6979 nonces).
    pub(crate) fn sign(&self, digest: &[u8]) -> Result<String, SealError> {
        let signature: Signature =
            self.0.try_sign(digest).map_err(|e| SealError::BadKey(format!("cannot sign: {e}")))?;
        Ok(hex(&signature.to_bytes()))
    }
}

/// Checks an SM2 signature (hex r ‖ s) over `digest` against a public key PEM.
pub(crate) fn verify(pem: &str, digest: &[u8], signature_hex: &str) -> Result<(), String> {
    let public = sm2::PublicKey::from_public_key_pem(pem).map_err(|e| e.to_string())?;
    let key = VerifyingKey::new(DIST_ID, public).map_err(|e| e.to_string())?;
    let bytes = unhex(signature_hex).ok_or("signature is not hex")?;
    let signature = Signature::from_slice(&bytes).map_err(|e| e.to_string())?;
    key.verify(digest, &signature).map_err(|e| e.to_string())
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Lowercase hex back to bytes; `None` for anything else.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}
