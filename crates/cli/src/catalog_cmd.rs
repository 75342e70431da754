//! `tongban import catalog` and `tongban export catalog`: the catalog as CSV.
//! An import checks every row first and writes nothing if any row is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::catalog;
use tongban_server::app::AppError;

use crate::config::{Config, DbArgs};

/// What to import.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Publish a CSV file as a new catalog version (columns: code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis).
    Catalog {
        #[command(flatten)]
        db: DbArgs,
        /// The CSV file.
        file: PathBuf,
        /// A label for the new version, e.g. "2026 年改革版".
        #[arg(long, default_value = "imported")]
        label: String,
    },
}

/// What to export.
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Print a catalog version as CSV (the same columns `import catalog` reads).
    Catalog {
        #[command(flatten)]
        db: DbArgs,
        /// The version [default: the latest].
        #[arg(long)]
        version: Option<u32>,
    },
}

pub async fn import(config: &Config, command: ImportCommand) -> anyhow::Result<ExitCode> {
    let ImportCommand::Catalog { db, file, label } = command;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    // The same use case as the pages and the API: checked whole, stored and audited alike.
    let name = file.display().to_string();
    let upload = match tongban_server::app::tables::Upload::file(&name) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let app = crate::open_app(config, &db).await?;
    let console = tongban_server::auth::Principal::console();
    match tongban_server::app::import_catalog(&app, &console, &label, &upload, &bytes).await {
        Ok(published) => {
            println!("published catalog version {} with {} items", published.version, published.items);
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::Rows(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("nothing was imported: {} error(s)", errors.len());
            Ok(ExitCode::from(2))
        }
        Err(AppError::Invalid(fields)) => {
            for (field, why) in fields {
                eprintln!("{}: {field}: {why}", file.display());
            }
            eprintln!("nothing was imported");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn export(config: &Config, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Catalog { db, version } = command;
    let app = crate::open_app(config, &db).await?;
    let latest = tongban_server::app::public::catalog_versions(&app).await?.iter().map(|v| v.number).max();
    let Some(version) = version.or(latest) else {
        anyhow::bail!("the catalog is empty: import one first");
    };
    let items = tongban_server::app::public::items_in_version(&app, version).await?;
    if items.is_empty() {
        anyhow::bail!("catalog version {version} does not exist or holds no items");
    }
    print!("{}", catalog::to_csv(&items));
    Ok(ExitCode::SUCCESS)
}
