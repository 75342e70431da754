//! `tongban seal …` (the bureau's keyring in `<data-dir>/seal`) and `tongban document verify`
//! (checks a sealed PDF offline, against a key file or the keyring's public keys).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use tongban_seal::{Bureau, Keyring, SealError, VerifyError};

use crate::config::Config;

/// Where the keyring lives: `<data-dir>/seal`.
#[derive(Debug, Clone, clap::Args)]
pub struct SealDirArgs {
    /// Data directory; the keyring is its `seal` folder [default: the platform data directory].
    #[arg(long, env = "TONGBAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The electronic seal's keyring (电子印章).
#[derive(Debug, Subcommand)]
pub enum SealCommand {
    /// Create the keyring with a first SM2 key. Exit 1: a keyring already exists.
    Init {
        /// The bureau's name, set around the seal and under each document (发文机关).
        #[arg(long, value_name = "NAME")]
        bureau: String,
        /// 文号 prefix (机关代字), e.g. 兰审批.
        #[arg(long, value_name = "PREFIX")]
        prefix: String,
        /// Where applicants may apply for administrative review (行政复议机关).
        #[arg(long, value_name = "NAME", default_value = "本级人民政府")]
        review_body: String,
        /// Where applicants may sue (行政诉讼).
        #[arg(long, value_name = "NAME", default_value = "有管辖权的人民法院")]
        court: String,
        #[command(flatten)]
        dir: SealDirArgs,
    },
    /// Retire the current key (documents it sealed still verify) and make a new one.
    Rotate {
        #[command(flatten)]
        dir: SealDirArgs,
    },
    /// Print every public key, current and retired, as the PEM file `document verify --key` reads.
    Keys {
        /// A JSON array instead: id, created_at, retired_at, current, pem.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        dir: SealDirArgs,
    },
}

/// Sealed documents.
#[derive(Debug, Subcommand)]
pub enum DocumentCommand {
    /// Check a sealed PDF offline. Exit 0: genuine (prints the 文号, key and SM3); 1: altered,
    /// signed by an unknown key, or not sealed; 2: unreadable file or no keys.
    Verify {
        /// The PDF.
        file: PathBuf,
        /// Public keys as served at /verify/key [default: the data directory's keyring].
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        dir: SealDirArgs,
    },
}

/// The keyring directory: `<data-dir>/seal`, the data directory resolved as for the database.
pub fn seal_dir(config: &Config, data_dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match data_dir.map(Path::to_path_buf).or_else(|| config.data_dir.clone()) {
        Some(d) => d,
        None => directories::ProjectDirs::from("", "", "tongban")
            .map(|p| p.data_dir().to_path_buf())
            .context("no data directory: pass --data-dir or set TONGBAN_DATA_DIR")?,
    };
    Ok(dir.join("seal"))
}

pub fn seal(config: &Config, command: SealCommand) -> anyhow::Result<ExitCode> {
    match command {
        SealCommand::Init { bureau, prefix, review_body, court, dir } => {
            let dir = seal_dir(config, dir.data_dir.as_deref())?;
            match Keyring::init(&dir, Bureau { name: bureau, prefix, review_body, court }) {
                Ok(ring) => {
                    println!("seal keyring created in {} (key {})", dir.display(), ring.current_key_id());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e @ SealError::KeyringExists(_)) => {
                    eprintln!("error: {e}; use `tongban seal rotate` for a new key");
                    Ok(ExitCode::FAILURE)
                }
                Err(e) => Err(e.into()),
            }
        }
        SealCommand::Rotate { dir } => {
            let dir = seal_dir(config, dir.data_dir.as_deref())?;
            let mut ring = Keyring::open(&dir)?;
            let old = ring.current_key_id().to_string();
            let new = ring.rotate()?;
            println!("key {old} retired; new key {new}");
            Ok(ExitCode::SUCCESS)
        }
        SealCommand::Keys { json, dir } => {
            let ring = Keyring::open(&seal_dir(config, dir.data_dir.as_deref())?)?;
            let keys = ring.public_keys();
            if json {
                let list: Vec<_> = keys
                    .iter()
                    .map(|k| {
                        serde_json::json!({
                            "id": k.id,
                            "created_at": k.created_at,
                            "retired_at": k.retired_at,
                            "current": k.id == ring.current_key_id(),
                            "pem": k.pem,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                print!("{}", tongban_seal::public_keys_pem(&keys));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn document(config: &Config, command: DocumentCommand) -> anyhow::Result<ExitCode> {
    let DocumentCommand::Verify { file, key, json, dir } = command;
    let usage = |message: String| {
        if json {
            println!("{}", serde_json::json!({ "valid": false, "error": "usage", "detail": message }));
        }
        eprintln!("error: {message}");
        Ok(ExitCode::from(2))
    };
    let pdf = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) => return usage(format!("cannot read {}: {e}", file.display())),
    };
    let keys = match &key {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => match tongban_seal::parse_public_keys(&text) {
                Ok(keys) => keys,
                Err(e) => return usage(format!("{}: {e}", path.display())),
            },
            Err(e) => return usage(format!("cannot read {}: {e}", path.display())),
        },
        None => match Keyring::open(&seal_dir(config, dir.data_dir.as_deref())?) {
            Ok(ring) => ring.public_keys(),
            Err(e) => return usage(format!("{e}; pass the public keys with --key FILE")),
        },
    };
    match tongban_seal::verify(&pdf, &keys) {
        Ok(v) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "valid": true, "number": v.number, "key_id": v.key_id, "sm3": v.sm3 })
                );
            } else {
                println!("genuine: {} (key {}, SM3 {})", v.number, v.key_id, v.sm3);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "valid": false, "error": code(&e), "detail": e.to_string() }));
            } else {
                eprintln!("not genuine: {}: {e}", file.display());
            }
            Ok(ExitCode::FAILURE)
        }
    }
}

/// A stable word for scripts reading `--json`.
fn code(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::NotSealed => "not_sealed",
        VerifyError::BadTrailer | VerifyError::Altered => "altered",
        VerifyError::UnknownKey(_) => "unknown_key",
        VerifyError::BadSignature => "bad_signature",
    }
}
