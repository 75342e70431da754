//! Configuration: flag, then `TONGBAN_*` environment variable (both by clap), then the
//! optional TOML file, then the default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

/// Where the data lives; every sub-command that touches a database takes these.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Database URL: `sqlite://PATH` or `postgres://USER@HOST/DB` [default: DATA_DIR/tongban.db].
    #[arg(long, env = "TONGBAN_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// Directory of the embedded database [default: the platform data directory, e.g. ~/.local/share/tongban].
    #[arg(long, env = "TONGBAN_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The optional TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default `--listen`.
    pub listen: Option<SocketAddr>,
    /// Default `--database-url`.
    pub database_url: Option<String>,
    /// Default `--data-dir`.
    pub data_dir: Option<PathBuf>,
}

impl Config {
    /// Reads the TOML file, if one was named.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    /// The address to listen on.
    pub fn listen(&self, flag: Option<SocketAddr>) -> anyhow::Result<SocketAddr> {
        Ok(flag.or(self.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))))
    }

    /// The database URL; creates the data directory for the embedded default.
    pub fn database_url(&self, db: &DbArgs) -> anyhow::Result<String> {
        if let Some(url) = db.database_url.clone().or_else(|| self.database_url.clone()) {
            return Ok(url);
        }
        let dir = match db.data_dir.clone().or_else(|| self.data_dir.clone()) {
            Some(d) => d,
            None => directories::ProjectDirs::from("", "", "tongban")
                .map(|p| p.data_dir().to_path_buf())
                .context("no data directory: pass --data-dir or set TONGBAN_DATA_DIR")?,
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        Ok(tongban_store::sqlite_url(&dir))
    }
}

/// A URL fit for messages: any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }

    #[test]
    fn flags_win_over_the_file() {
        let c: Config = toml::from_str("listen = \"0.0.0.0:9000\"").expect("valid");
        assert_eq!(c.listen(None).expect("ok").port(), 9000);
        assert_eq!(c.listen(Some("127.0.0.1:1".parse().expect("valid"))).expect("ok").port(), 1);
        assert!(toml::from_str::<Config>("nonsense = 1").is_err());
    }
}
