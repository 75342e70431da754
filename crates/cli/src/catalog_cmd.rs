//! `tongban import catalog` and `tongban export catalog`: the catalog as CSV.
//! An import checks every row first and writes nothing if any row is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use tongban_server::app::AppError;

use tongban_core::org::import::OrgKind;

use crate::config::{Config, DbArgs};
use crate::org_cmd::{self, FileFormat, OrgImportArgs};

/// What to import. Every import checks the whole file first — each problem as
/// `FILE line N, column C: why` or `sheet S, row N, column C: why` — and writes nothing
/// if any row is wrong (exit 2). Codes (logins for staff) are the keys: importing the
/// same file again changes nothing.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Divisions (行政区划): `code,name,parent`.
    Divisions(OrgImportArgs),
    /// Sites (办事地点): `code,name,division,address,hours,phone`.
    Sites(OrgImportArgs),
    /// Departments: `code,name,division,site`.
    Departments(OrgImportArgs),
    /// Windows: `code,name,department,site` (an empty department is a comprehensive window).
    Windows(OrgImportArgs),
    /// Staff: `login,name,role,department,window,phone`. New accounts get a one-time
    /// activation code (printed); files carry no passwords and re-imports never reset one.
    Staff(OrgImportArgs),
    /// A whole organisation: an .xlsx workbook with sheets named divisions, sites,
    /// departments, windows, staff (any of them).
    Org(OrgImportArgs),
    /// The published lists: 权责清单 (powers: code,name,kind,department,legal_basis,responsibility),
    /// 职责清单 (duties: code,department,duty,matters,legal_basis), 财政专项资金管理清单 (funds:
    /// code,name,department,amount_yuan,purpose,legal_basis) and 便民服务事项 (services:
    /// code,name,department,site,hours,phone,guide), each published as a new version.
    Lists(crate::lists_cmd::ListsImportArgs),
    /// Publish a file (.csv, or .xlsx) as a new catalog version (columns: code,name,department,division,kind,category,legal_limit,promised_limit,materials,fees,channels,legal_basis;
    /// then, optionally, the guide's sites,conditions,steps,contact — sites as `main;bdc`, steps as `受理;审查;决定;送达`).
    Catalog {
        #[command(flatten)]
        db: DbArgs,
        /// The file: .csv or .xlsx.
        file: PathBuf,
        /// A label for the new version, e.g. "2026 年改革版".
        #[arg(long, default_value = "imported")]
        label: String,
    },
}

/// What to export.
#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// A catalog version, in the columns `import catalog` reads.
    Catalog {
        #[command(flatten)]
        db: DbArgs,
        /// The version [default: the latest].
        #[arg(long)]
        version: Option<u32>,
        /// `csv` (printed), or `xlsx` (needs --output or a redirected standard output).
        #[arg(long, value_enum, default_value = "csv")]
        format: FileFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The published lists (权责清单, 职责清单, 财政专项资金管理清单, 便民服务事项), in the
    /// columns `import lists` reads: an xlsx workbook with a sheet per list, or CSV.
    Lists(crate::lists_cmd::ListsExportArgs),
    /// The organisation in service, in the sheets and columns the imports read: an xlsx
    /// workbook, or CSV (one kind with --kind, or a file per kind into --output DIR).
    Org {
        #[command(flatten)]
        db: DbArgs,
        /// Only this kind: divisions, sites, departments, windows or staff.
        #[arg(long, value_parser = parse_org_kind)]
        kind: Option<OrgKind>,
        /// `csv` or `xlsx`.
        #[arg(long, value_enum, default_value = "xlsx")]
        format: FileFormat,
        /// The file (xlsx, or CSV of one kind) or directory (CSV of every kind).
        #[arg(long, value_name = "PATH")]
        output: Option<PathBuf>,
    },
}

fn parse_org_kind(text: &str) -> Result<OrgKind, String> {
    OrgKind::parse(text).ok_or_else(|| "expected divisions, sites, departments, windows or staff".to_owned())
}

pub async fn import(config: &Config, command: ImportCommand) -> anyhow::Result<ExitCode> {
    use tongban_server::app::organisation::OrgFile;
    let (db, file, label) = match command {
        ImportCommand::Divisions(a) => return org_cmd::import(config, OrgFile::One(OrgKind::Divisions), a).await,
        ImportCommand::Sites(a) => return org_cmd::import(config, OrgFile::One(OrgKind::Sites), a).await,
        ImportCommand::Departments(a) => return org_cmd::import(config, OrgFile::One(OrgKind::Departments), a).await,
        ImportCommand::Windows(a) => return org_cmd::import(config, OrgFile::One(OrgKind::Windows), a).await,
        ImportCommand::Staff(a) => return org_cmd::import(config, OrgFile::One(OrgKind::Staff), a).await,
        ImportCommand::Org(a) => return org_cmd::import(config, OrgFile::Whole, a).await,
        ImportCommand::Lists(a) => return crate::lists_cmd::import(config, a).await,
        ImportCommand::Catalog { db, file, label } => (db, file, label),
    };
    let file = org_cmd::ImportFile::read(&file)?;
    // The same use case as the pages and the API: checked whole, stored and audited alike.
    let app = crate::open_app(config, &db).await?;
    let console = tongban_server::auth::Principal::console();
    let done =
        async { tongban_server::app::import_catalog(&app, &console, &label, &file.upload()?, &file.bytes).await };
    match done.await {
        Ok(published) => {
            println!("published catalog version {} with {} items", published.version, published.items);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => org_cmd::refused(e),
    }
}

pub async fn export(config: &Config, command: ExportCommand) -> anyhow::Result<ExitCode> {
    let (db, version, format, output) = match command {
        ExportCommand::Org { db, kind, format, output } => {
            return org_cmd::export_org(config, &db, kind, format, output).await;
        }
        ExportCommand::Lists(a) => return crate::lists_cmd::export_lists(config, a).await,
        ExportCommand::Catalog { db, version, format, output } => (db, version, format, output),
    };
    let app = crate::open_app(config, &db).await?;
    // The same sheet as `GET /api/v1/exports/catalog`: as CSV it is what `import catalog`
    // reads, and the workbook has the same cells, so it imports back as it is.
    let sheet = match tongban_server::app::export_catalog(&app, version).await {
        Ok((_, sheet)) => sheet,
        Err(AppError::NotFound(why)) => anyhow::bail!("{why}"),
        Err(e) => return Err(e.into()),
    };
    org_cmd::write_sheets(&[sheet], format, output.as_deref())
}
