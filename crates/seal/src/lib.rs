//! 电子印章 — sealed official documents.
//!
//! A [`Sheet`] (title, 文号, body, date) is laid out on A4 pages with the center's own CJK
//! font, the bureau's red circular seal is drawn over the date, and the PDF is signed SM2
//! over its SM3 hash. The signature rides after the final `%%EOF` as comment lines, so any
//! PDF reader shows the document and [`verify`] can check it offline.

mod font;
mod keyring;
mod keys;
mod pem;
mod render;
mod stamp;
mod trailer;
mod wrap;

pub use keyring::Keyring;
pub use pem::{parse_public_keys, public_keys_pem};

use sm3::Digest as _;

/// The bureau a seal belongs to: kept in `<data-dir>/seal/seal.toml` beside the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bureau {
    /// 发文机关 and the text around the seal, e.g. "兰州新区行政审批服务局".
    pub name: String,
    /// 文号 prefix (机关代字), e.g. "兰审批".
    pub prefix: String,
    /// 行政复议机关, e.g. "兰州新区管委会".
    pub review_body: String,
    /// 行政诉讼 court, e.g. "兰州新区人民法院".
    pub court: String,
}

/// What a sealed document says, laid out on A4 page(s) by the keyring's `seal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// e.g. "准予行政许可决定书".
    pub title: String,
    /// 文号, printed under the title.
    pub number: String,
    /// Salutation line, e.g. "张三：".
    pub addressee: Option<String>,
    /// Body text, wrapped to the page width with CJK line breaking.
    pub paragraphs: Vec<String>,
    /// Already formatted, e.g. "2026年12月7日".
    pub date: String,
    /// Printed as a QR code and as text.
    pub verify_url: String,
}

/// A sealed PDF and what was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The whole file, signature trailer included.
    pub pdf: Vec<u8>,
    /// SM3 of the signed bytes, lowercase hex.
    pub sm3: String,
    /// SM2 signature, lowercase hex (r ‖ s).
    pub signature: String,
    /// The signing key's id.
    pub key_id: String,
}

/// One public key of the keyring, current or retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// First 16 hex characters of SM3 over the key's DER.
    pub id: String,
    /// SubjectPublicKeyInfo PEM.
    pub pem: String,
    /// Date the key was made (YYYY-MM-DD).
    pub created_at: String,
    /// Date the key was retired by a rotation, if it was.
    pub retired_at: Option<String>,
}

/// What a valid sealed PDF says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// 文号.
    pub number: String,
    /// SM3 of the signed bytes, lowercase hex.
    pub sm3: String,
    /// The key that signed it.
    pub key_id: String,
}

/// Why the keyring or a render failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Reading or writing the keyring directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `open` found no keyring.
    #[error("no seal keyring in {0} (run `tongban seal init`)")]
    MissingKeyring(String),
    /// `init` found one already.
    #[error("a seal keyring already exists in {0}")]
    KeyringExists(String),
    /// seal.toml is not what `init` wrote.
    #[error("seal.toml: {0}")]
    BadConfig(String),
    /// A key file could not be read.
    #[error("bad key: {0}")]
    BadKey(String),
    /// Laying out or writing the PDF failed.
    #[error("cannot render the document: {0}")]
    Render(String),
}

/// Why a PDF does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// No `%TongbanSeal` trailer: not a sealed document.
    #[error("not a sealed document (no seal trailer)")]
    NotSealed,
    /// The trailer is malformed.
    #[error("the seal trailer is malformed")]
    BadTrailer,
    /// The signed bytes do not hash to the trailer's SM3.
    #[error("the document was altered after sealing (SM3 mismatch)")]
    Altered,
    /// The signing key is not among the given keys.
    #[error("signed by unknown key {0}")]
    UnknownKey(String),
    /// The signature does not match the key.
    #[error("the signature does not verify")]
    BadSignature,
}

/// Checks a sealed PDF against public keys (current and retired): unaltered and signed.
pub fn verify(pdf: &[u8], keys: &[PublicKey]) -> Result<Verified, VerifyError> {
    trailer::verify(pdf, keys)
}

/// SM3 of `bytes`, lowercase hex.
pub fn sm3_hex(bytes: &[u8]) -> String {
    keys::hex(&sm3_digest(bytes))
}

fn sm3_digest(bytes: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(bytes).into()
}
