//! `tongban import divisions|sites|departments|windows|staff|org FILE` and
//! `tongban export org`: a center's organisation from and to the spreadsheets it keeps.
//! An import checks every row first and writes nothing if any row is wrong (exit 2).

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use tongban_core::org::import::OrgKind;
use tongban_server::app::AppError;
use tongban_server::app::organisation::{OrgFile, OrgImport};
use tongban_server::app::tables::{self, Sheet, Upload};

use crate::config::{Config, DbArgs};

/// Options of an organisation import.
#[derive(Debug, clap::Args)]
pub struct OrgImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The file: `.csv`, or `.xlsx` (its sheet named as the kind, or its only sheet).
    pub file: PathBuf,
    /// Check the file and show what it would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A file format for exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook (.xlsx), as Excel and WPS open it.
    Xlsx,
}

/// Imports `file` as `what`.
pub async fn import(config: &Config, what: OrgFile, args: OrgImportArgs) -> anyhow::Result<ExitCode> {
    let OrgImportArgs { db, file, dry_run, json } = args;
    let file = ImportFile::read(&file)?;
    let app = crate::open_app(config, &db).await?;
    let console = tongban_server::auth::Principal::console();
    let done = async {
        tongban_server::app::organisation::import_org(&app, &console, what, &file.upload()?, &file.bytes, dry_run).await
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

/// A file to import, read from disk: its name (for errors) and its bytes.
pub struct ImportFile {
    /// The path as given.
    pub name: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

impl ImportFile {
    /// Reads the file.
    pub fn read(path: &Path) -> anyhow::Result<ImportFile> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(ImportFile { name: path.display().to_string(), bytes })
    }

    /// Its format, from its name: a name that is neither `.csv` nor `.xlsx` is a problem of
    /// the file (exit 2, through [`refused`]).
    pub fn upload(&self) -> Result<Upload<'_>, AppError> {
        Upload::file(&self.name).map_err(|e| AppError::Rows(vec![e]))
    }
}

/// Prints why a file was refused; exit 2 for the file's problems, an error otherwise.
pub fn refused(e: AppError) -> anyhow::Result<ExitCode> {
    match e {
        AppError::Rows(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("nothing was imported: {} error(s)", errors.len());
            Ok(ExitCode::from(2))
        }
        AppError::Invalid(fields) => {
            for (field, why) in fields {
                eprintln!("{field}: {why}");
            }
            eprintln!("nothing was imported");
            Ok(ExitCode::from(2))
        }
        e => Err(e.into()),
    }
}

/// What an import did, one line per kind, then the activation codes of new staff.
fn summary(report: &OrgImport) -> String {
    let mut out = String::new();
    let verb = if report.dry_run { "would be" } else { "were" };
    for (kind, c) in &report.counts {
        out.push_str(&format!(
            "{}: {} created, {} updated, {} unchanged\n",
            kind.as_str(),
            c.created,
            c.updated,
            c.unchanged
        ));
    }
    if report.dry_run {
        out.push_str(&format!("dry run: nothing {verb} written\n"));
    }
    for code in &report.activation_codes {
        out.push_str(&format!(
            "activation code for {}: {} (once, until {}; give it to its holder, who sets a password at /activate)\n",
            code.login, code.code, code.expires_at
        ));
    }
    out
}

/// `tongban export org`: a workbook of five sheets, or CSV files.
pub async fn export_org(
    config: &Config,
    db: &DbArgs,
    kind: Option<OrgKind>,
    format: FileFormat,
    output: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let app = crate::open_app(config, db).await?;
    let console = tongban_server::auth::Principal::console();
    let mut sheets = tongban_server::app::organisation::export_org(&app, &console).await?;
    if let Some(kind) = kind {
        sheets.retain(|s| s.name == kind.as_str());
    }
    write_sheets(&sheets, format, output.as_deref())
}

/// Writes sheets: xlsx as one workbook (to `output` or a redirected standard output); CSV
/// of one sheet to `output` or standard output, of several into the directory `output`,
/// one file per sheet.
pub fn write_sheets(sheets: &[Sheet], format: FileFormat, output: Option<&Path>) -> anyhow::Result<ExitCode> {
    match format {
        FileFormat::Xlsx => {
            let bytes = tables::write_xlsx(sheets).context("cannot write the workbook")?;
            emit(&bytes, output, true)
        }
        FileFormat::Csv if sheets.len() == 1 => emit(tables::write_csv(&sheets[0]).as_bytes(), output, false),
        FileFormat::Csv => {
            let Some(dir) = output else {
                anyhow::bail!(
                    "{} tables as CSV are {} files: name a directory with --output DIR, choose one with --kind, or use --format xlsx",
                    sheets.len(),
                    sheets.len()
                );
            };
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            for s in sheets {
                let path = dir.join(format!("{}.csv", s.name));
                std::fs::write(&path, tables::write_csv(s))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {} ({} rows)", path.display(), s.rows.len());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `bytes` to `output` or standard output; a binary file is not written to a terminal.
pub fn emit(bytes: &[u8], output: Option<&Path>, binary: bool) -> anyhow::Result<ExitCode> {
    match output {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None if binary && std::io::stdout().is_terminal() => {
            anyhow::bail!("an xlsx workbook is binary: write it with --output FILE or redirect standard output")
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
