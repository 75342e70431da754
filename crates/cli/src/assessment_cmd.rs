//! `tongban assessment …` — window assessment (窗口考核评议) from the command line: import the
//! attendance ledger and third-party scores (one pass, `line N, column C: why`, nothing
//! written on error, `--dry-run`), and print a month's assessment.

use std::path::PathBuf;
use std::process::ExitCode;

use tongban_core::assessment::{Grouping, Period};
use tongban_server::app::assessment::{assessment, ledger, sheet};
use tongban_server::app::tables::{write_csv, write_xlsx};

use crate::config::{Config, DbArgs};
use crate::org_cmd::{FileFormat, ImportFile, refused};

/// What to do.
#[derive(Debug, clap::Subcommand)]
pub enum AssessmentCommand {
    /// Import attendance (考勤台账): `account,day` then any of `check_in,check_out,mark`
    /// (HH:MM; leave, late or absent, or 请假, 迟到, 旷工).
    Attendance(ImportArgs),
    /// Import third-party assessment scores (第三方评估): `period,kind,code,score` then
    /// optionally `source` (kind: window, department, staff or site; score 0–100).
    Scores(ImportArgs),
    /// Print a month's assessment, best first.
    Report {
        #[command(flatten)]
        db: DbArgs,
        /// The month, YYYY-MM.
        #[arg(long)]
        period: String,
        /// window, department, staff or site.
        #[arg(long, default_value = "window")]
        by: String,
        /// `csv` (printed), or `xlsx` (needs --output).
        #[arg(long, value_enum, default_value = "csv")]
        format: FileFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A file to import.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The file: `.csv` or `.xlsx`.
    pub file: PathBuf,
    /// Check every row and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(config: &Config, command: AssessmentCommand) -> anyhow::Result<ExitCode> {
    let console = tongban_server::auth::Principal::console();
    match command {
        AssessmentCommand::Attendance(ImportArgs { db, file, dry_run, json }) => {
            let file = ImportFile::read(&file)?;
            let app = crate::open_app(config, &db).await?;
            let upload = match file.upload() {
                Ok(u) => u,
                Err(e) => return refused(e),
            };
            match ledger::import_attendance(&app, &console, &upload, &file.bytes, dry_run).await {
                Ok(done) => print_done(&done, json, "attendance day(s)"),
                Err(e) => refused(e),
            }
        }
        AssessmentCommand::Scores(ImportArgs { db, file, dry_run, json }) => {
            let file = ImportFile::read(&file)?;
            let app = crate::open_app(config, &db).await?;
            let upload = match file.upload() {
                Ok(u) => u,
                Err(e) => return refused(e),
            };
            match ledger::import_scores(&app, &console, &upload, &file.bytes, dry_run).await {
                Ok(done) => print_done(&done, json, "third-party score(s)"),
                Err(e) => refused(e),
            }
        }
        AssessmentCommand::Report { db, period, by, format, output } => {
            let period = Period::parse(&period)?;
            let by =
                Grouping::parse(&by).ok_or_else(|| anyhow::anyhow!("--by is window, department, staff or site"))?;
            let app = crate::open_app(config, &db).await?;
            let a = assessment(&app, &console, period, by).await?;
            let sheet = sheet(&a);
            let bytes = match format {
                FileFormat::Csv => write_csv(&sheet).into_bytes(),
                FileFormat::Xlsx => write_xlsx(&[sheet])?,
            };
            match output {
                Some(path) => std::fs::write(&path, bytes)?,
                None if format == FileFormat::Xlsx => anyhow::bail!("an xlsx report needs --output FILE"),
                None => print!("{}", String::from_utf8_lossy(&bytes)),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_done(done: &ledger::Imported, json: bool, what: &str) -> anyhow::Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(done)?);
    } else if done.dry_run {
        println!("{} {what} checked; nothing was written (dry run)", done.rows);
    } else {
        println!("{} {what} imported", done.rows);
    }
    Ok(ExitCode::SUCCESS)
}
