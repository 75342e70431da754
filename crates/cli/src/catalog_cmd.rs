//! `tongban import catalog` and `tongban export catalog`: the catalog as CSV.
//! An import checks every row first and writes nothing if any row is wrong.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::catalog::{self, RowError};

use crate::config::{Config, DbArgs};
use crate::open_store;

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
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = open_store(config, &db).await?;
    let departments: HashSet<String> = store.department_codes().await?.into_iter().map(String::from).collect();
    let divisions: HashSet<String> = store.division_codes().await?.into_iter().map(String::from).collect();
    let (rows, mut errors) = match catalog::parse_csv_lines(&text) {
        Ok(rows) => (rows, Vec::new()),
        Err(errors) => (Vec::new(), errors),
    };
    for (line, item) in &rows {
        if !departments.contains(item.department.as_str()) {
            errors.push(RowError {
                line: *line,
                column: Some("department".into()),
                message: format!("unknown department {}", item.department),
            });
        }
        if !divisions.contains(item.division.as_str()) {
            errors.push(RowError {
                line: *line,
                column: Some("division".into()),
                message: format!("unknown division {}", item.division),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        for e in &errors {
            eprintln!("{}: {e}", file.display());
        }
        eprintln!("nothing was imported: {} error(s)", errors.len());
        return Ok(ExitCode::from(2));
    }
    let items: Vec<_> = rows.into_iter().map(|(_, item)| item).collect();
    let count = items.len();
    let now = jiff::Timestamp::now();
    let version = store
        .write(move |conn| {
            Box::pin(async move {
                Ok::<_, anyhow::Error>(tongban_store::insert_catalog_version(conn, &label, &items, now).await?)
            })
        })
        .await?;
    println!("published catalog version {version} with {count} items");
    Ok(ExitCode::SUCCESS)
}

pub async fn export(config: &Config, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Catalog { db, version } = command;
    let store = open_store(config, &db).await?;
    let Some(version) = version.or(store.latest_catalog_version().await?) else {
        anyhow::bail!("the catalog is empty: import one first");
    };
    let items = store.items_in_version(version).await?;
    if items.is_empty() {
        anyhow::bail!("catalog version {version} does not exist or holds no items");
    }
    print!("{}", catalog::to_csv(&items));
    Ok(ExitCode::SUCCESS)
}
