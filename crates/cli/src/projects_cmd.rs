//! `tongban projects import FILE` and `tongban projects export`: the project library (项目库)
//! from and to the spreadsheets a center keeps, in the columns
//! `code,name,unit,project_type,investment_yuan,division,planned_start` then any of
//! `annual_investment_yuan,small_type,credit_code,phone` (Chinese headers too). An import
//! checks every row first and writes nothing if any row is wrong (exit 2, each bad row on
//! standard error by line and column); the same file imported again changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use tongban_server::app::project_import::ProjectImport;

use crate::config::{Config, DbArgs};
use crate::org_cmd::{FileFormat, ImportFile, refused, write_sheets};

/// The project library.
#[derive(Debug, clap::Subcommand)]
pub enum ProjectsCommand {
    /// Import projects from a .csv or .xlsx file (its sheet `projects`, or its only sheet); a refused file writes nothing (exit code 2).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The file: `.csv` or `.xlsx`.
        file: PathBuf,
        /// Check the file and show what it would change, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export the library in the columns the import reads.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// The file's format.
        #[arg(long, value_enum, default_value = "xlsx")]
        format: FileFormat,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Runs a `projects` command.
pub async fn run(config: &Config, command: ProjectsCommand) -> anyhow::Result<ExitCode> {
    let console = tongban_server::auth::Principal::console();
    match command {
        ProjectsCommand::Import { db, file, dry_run, json } => {
            let file = ImportFile::read(&file)?;
            let app = crate::open_app(config, &db).await?;
            let done = async {
                let upload = file.upload()?;
                tongban_server::app::project_import::import_projects(&app, &console, &upload, &file.bytes, dry_run)
                    .await
            };
            match done.await {
                Ok(report) => {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&report)?);
                    } else {
                        print!("{}", summary(&report));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
        ProjectsCommand::Export { db, format, output } => {
            let app = crate::open_app(config, &db).await?;
            let sheet = tongban_server::app::project_import::export_projects(&app, &console).await?;
            write_sheets(&[sheet], format, output.as_deref())
        }
    }
}

/// What an import did, in one line.
fn summary(report: &ProjectImport) -> String {
    let mut out =
        format!("projects: {} created, {} updated, {} unchanged\n", report.created, report.updated, report.unchanged);
    if report.dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    out
}
