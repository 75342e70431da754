//! The keyring directory (`<data-dir>/seal`):
//!
//! ```text
//! seal.toml          bureau fields, key list (created/retired), current key id
//! keys/<id>.key      PKCS#8 PEM private key, mode 0600
//! public/<id>.pem    SPKI PEM public key (kept after the key is retired)
//! ```

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::keys::{self, Signer};
use crate::{Bureau, PublicKey, SealError, Sealed, Sheet, render, sm3_digest, trailer};

const CONFIG: &str = "seal.toml";

#[derive(Debug, Serialize, Deserialize)]
struct Config {
    current: String,
    bureau: BureauToml,
    keys: Vec<KeyToml>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BureauToml {
    name: String,
    prefix: String,
    review_body: String,
    court: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyToml {
    id: String,
    created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retired_at: Option<String>,
}

/// A directory: seal.toml (bureau + key list), keys/<id>.key (0600), public/<id>.pem.
#[derive(Debug)]
pub struct Keyring {
    dir: PathBuf,
    bureau: Bureau,
    current: String,
    signer: Signer,
    keys: Vec<PublicKey>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SealError + '_ {
    move |source| SealError::Io { path: path.display().to_string(), source }
}

impl Keyring {
    /// Creates a keyring with one fresh key in `dir`; refuses if one exists there.
    pub fn init(dir: &Path, bureau: Bureau) -> Result<Keyring, SealError> {
        let config = dir.join(CONFIG);
        if config.exists() {
            return Err(SealError::KeyringExists(dir.display().to_string()));
        }
        for sub in ["keys", "public"] {
            let path = dir.join(sub);
            fs::create_dir_all(&path).map_err(io(&path))?;
        }
        let key = new_key(dir)?;
        let toml = Config {
            current: key.id.clone(),
            bureau: BureauToml {
                name: bureau.name,
                prefix: bureau.prefix,
                review_body: bureau.review_body,
                court: bureau.court,
            },
            keys: vec![key],
        };
        create_config(dir, &toml)?;
        Keyring::open(dir)
    }

    /// Opens the keyring in `dir`.
    pub fn open(dir: &Path) -> Result<Keyring, SealError> {
        let path = dir.join(CONFIG);
        if !path.exists() {
            return Err(SealError::MissingKeyring(dir.display().to_string()));
        }
        let text = fs::read_to_string(&path).map_err(io(&path))?;
        let config: Config = toml::from_str(&text).map_err(|e| SealError::BadConfig(e.to_string()))?;
        let mut keys = Vec::with_capacity(config.keys.len());
        for key in &config.keys {
            let path = dir.join("public").join(format!("{}.pem", safe_id(&key.id)?));
            let pem = fs::read_to_string(&path).map_err(io(&path))?;
            if keys::public_key_id(&pem)? != key.id {
                return Err(SealError::BadKey(format!("{} is not the key {}", path.display(), key.id)));
            }
            keys.push(PublicKey {
                id: key.id.clone(),
                pem,
                created_at: key.created_at.clone(),
                retired_at: key.retired_at.clone(),
            });
        }
        if !keys.iter().any(|k| k.id == config.current) {
            return Err(SealError::BadConfig(format!("current key {} is not in the key list", config.current)));
        }
        let path = dir.join("keys").join(format!("{}.key", safe_id(&config.current)?));
        let signer = Signer::from_pem(&fs::read_to_string(&path).map_err(io(&path))?)?;
        if signer.id()? != config.current {
            return Err(SealError::BadKey(format!("{} is not the key {}", path.display(), config.current)));
        }
        let b = config.bureau;
        Ok(Keyring {
            dir: dir.to_path_buf(),
            bureau: Bureau { name: b.name, prefix: b.prefix, review_body: b.review_body, court: b.court },
            current: config.current,
            signer,
            keys,
        })
    }

    /// Retires the current key (its public key stays, so its documents still verify) and
    /// makes a new one; returns the new key's id.
    pub fn rotate(&mut self) -> Result<String, SealError> {
        let key = new_key(&self.dir)?;
        let now = key.created_at.clone();
        let mut list: Vec<KeyToml> = self
            .keys
            .iter()
            .map(|k| KeyToml {
                id: k.id.clone(),
                created_at: k.created_at.clone(),
                retired_at: k.retired_at.clone().or_else(|| (k.id == self.current).then(|| now.clone())),
            })
            .collect();
        list.push(key.clone());
        let config = Config {
            current: key.id.clone(),
            bureau: BureauToml {
                name: self.bureau.name.clone(),
                prefix: self.bureau.prefix.clone(),
                review_body: self.bureau.review_body.clone(),
                court: self.bureau.court.clone(),
            },
            keys: list,
        };
        write_config(&self.dir, &config)?;
        *self = Keyring::open(&self.dir)?;
        Ok(key.id)
    }

    /// The bureau whose seal this is.
    pub fn bureau(&self) -> &Bureau {
        &self.bureau
    }

    /// The id of the key that signs new documents.
    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// Current and retired public keys, oldest first.
    pub fn public_keys(&self) -> Vec<PublicKey> {
        self.keys.clone()
    }

    /// Renders `sheet` with the bureau's seal, signs, and embeds the signature.
    pub fn seal(&self, sheet: &Sheet) -> Result<Sealed, SealError> {
        if sheet.number.chars().any(char::is_control) {
            return Err(SealError::Render("the document number contains control characters".into()));
        }
        let mut pdf = render::render(sheet, &self.bureau.name)?;
        let digest = sm3_digest(&pdf);
        let sm3 = keys::hex(&digest);
        let signature = self.signer.sign(&digest)?;
        pdf.extend_from_slice(trailer::line(&self.current, &sheet.number, &sm3, &signature).as_bytes());
        Ok(Sealed { pdf, sm3, signature, key_id: self.current.clone() })
    }
}

/// Key ids become file names: only what `key_id` makes (hex) is allowed.
fn safe_id(id: &str) -> Result<&str, SealError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id)
    } else {
        Err(SealError::BadConfig(format!("bad key id {id:?}")))
    }
}

/// Generates a key and writes keys/<id>.key (0600) and public/<id>.pem.
fn new_key(dir: &Path) -> Result<KeyToml, SealError> {
    let key = keys::generate()?;
    let private = dir.join("keys").join(format!("{}.key", key.id));
    write_private(&private, key.private_pem.as_bytes())?;
    let public = dir.join("public").join(format!("{}.pem", key.id));
    fs::write(&public, key.public_pem.as_bytes()).map_err(io(&public))?;
    Ok(KeyToml { id: key.id, created_at: now_rfc3339(), retired_at: None })
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SealError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// Creates seal.toml, never over another: two servers making the keyring at the same moment
/// get one keyring, and the loser `KeyringExists` (its unused key files stay behind).
fn create_config(dir: &Path, config: &Config) -> Result<(), SealError> {
    let text = toml::to_string(config).map_err(|e| SealError::BadConfig(e.to_string()))?;
    let tmp = dir.join(format!("seal.toml.{}.tmp", config.current));
    fs::write(&tmp, text).map_err(io(&tmp))?;
    let path = dir.join(CONFIG);
    let linked = fs::hard_link(&tmp, &path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(SealError::KeyringExists(dir.display().to_string()))
        }
        Err(e) => Err(io(&path)(e)),
    }
}

/// Writes seal.toml through a temporary file, so a crash leaves the old or the new list.
fn write_config(dir: &Path, config: &Config) -> Result<(), SealError> {
    let text = toml::to_string(config).map_err(|e| SealError::BadConfig(e.to_string()))?;
    let tmp = dir.join(format!("seal.toml.{}.tmp", config.current));
    fs::write(&tmp, text).map_err(io(&tmp))?;
    let path = dir.join(CONFIG);
    fs::rename(&tmp, &path).map_err(io(&path))
}

/// Key creation and retirement are stamped with the wall clock: they are records of when
/// an operator ran `init`/`rotate`, not part of any document.
fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_inits_at_once_make_one_keyring() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bureau =
            || Bureau { name: "某局".into(), prefix: "某".into(), review_body: "甲".into(), court: "乙".into() };
        let results = std::thread::scope(|s| {
            let a = s.spawn(|| Keyring::init(dir.path(), bureau()).map(|k| k.current_key_id().to_string()));
            let b = s.spawn(|| Keyring::init(dir.path(), bureau()).map(|k| k.current_key_id().to_string()));
            [a.join(), b.join()]
        });
        let current = Keyring::open(dir.path()).expect("open").current_key_id().to_string();
        for result in results {
            match result.expect("no panic") {
                Ok(id) => assert_eq!(id, current),
                Err(e) => assert!(matches!(e, SealError::KeyringExists(_)), "{e}"),
            }
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_794), (2026, 12, 7));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
