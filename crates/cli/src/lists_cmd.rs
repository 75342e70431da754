//! `tongban import lists` and `tongban export lists`: the published lists — 权责清单
//! (`powers`), 职责清单 (`duties`), 财政专项资金管理清单 (`funds`) and 便民服务事项
//! (`services`) — in and out as CSV or xlsx, through the same use cases as the API and
//! the pages. An import checks everything first and writes nothing if anything is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use tongban_core::lists::ListKind;
use tongban_server::app::lists::{ListImport, export, export_all, import_list, import_lists};

use crate::config::{Config, DbArgs};
use crate::org_cmd::{FileFormat, ImportFile, refused, write_sheets};

/// `tongban import lists`.
#[derive(Debug, clap::Args)]
pub struct ListsImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The file: `.csv` of one list (name it with --kind), or `.xlsx` whose sheets are named
    /// powers, duties, funds, services (any of them, each published; with --kind only that
    /// sheet, or the only sheet).
    pub file: PathBuf,
    /// The list: powers (权责清单), duties (职责清单), funds (财政专项资金管理清单) or
    /// services (便民服务事项).
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ListKind>,
    /// A label for the new version(s), e.g. "2026 年版".
    #[arg(long, default_value = "imported")]
    pub label: String,
    /// Check the file without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// `tongban export lists`.
#[derive(Debug, clap::Args)]
pub struct ListsExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only this list: powers, duties, funds or services [default: every published list].
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ListKind>,
    /// The version of the --kind list [default: the latest].
    #[arg(long, requires = "kind")]
    pub version: Option<u32>,
    /// `xlsx` (one workbook, a sheet per list; needs --output or a redirected standard
    /// output), or `csv` (one list with --kind; every list needs --output DIR).
    #[arg(long, value_enum, default_value = "xlsx")]
    pub format: FileFormat,
    /// The file to write (a directory for CSV of every list) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

fn parse_kind(text: &str) -> Result<ListKind, String> {
    ListKind::parse(text).map_err(|e| e.to_string())
}

/// Runs `tongban import lists`: exit 2 with every problem, one a line, when the file is
/// refused.
pub async fn import(config: &Config, args: ListsImportArgs) -> anyhow::Result<ExitCode> {
    let ListsImportArgs { db, file, kind, label, dry_run } = args;
    let file = ImportFile::read(&file)?;
    let app = crate::open_app(config, &db).await?;
    let console = tongban_server::auth::Principal::console();
    let done = async {
        let (upload, bytes) = (file.upload()?, &file.bytes);
        match kind {
            Some(kind) => import_list(&app, &console, kind, &upload, bytes, &label, dry_run).await.map(|d| vec![d]),
            None => import_lists(&app, &console, &upload, bytes, &label, dry_run).await,
        }
    }
    .await;
    match done {
        Ok(done) => {
            print!("{}", summary(&done, &label));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// One line per list published (or checked, on a dry run).
fn summary(done: &[ListImport], label: &str) -> String {
    let mut out = String::new();
    for d in done {
        match d.version {
            Some(v) => {
                out.push_str(&format!("published {} version {v} ({label}) with {} entries\n", d.kind, d.entries))
            }
            None => out.push_str(&format!("{}: {} entries checked\n", d.kind, d.entries)),
        }
    }
    if done.iter().all(|d| d.version.is_none()) {
        out.push_str("dry run: nothing was written\n");
    }
    out
}

/// Runs `tongban export lists`.
pub async fn export_lists(config: &Config, args: ListsExportArgs) -> anyhow::Result<ExitCode> {
    let ListsExportArgs { db, kind, version, format, output } = args;
    let app = crate::open_app(config, &db).await?;
    let sheets = match kind {
        Some(kind) => vec![export(&app, kind, version).await?.1],
        None => export_all(&app).await?.into_iter().map(|(_, sheet)| sheet).collect(),
    };
    if sheets.is_empty() {
        anyhow::bail!("no list has been published yet: import one first (tongban import lists FILE)");
    }
    write_sheets(&sheets, format, output.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_each_list_and_a_dry_run() {
        let done = [
            ListImport { kind: ListKind::Powers, version: Some(3), entries: 120 },
            ListImport { kind: ListKind::Funds, version: Some(1), entries: 12 },
        ];
        assert_eq!(
            summary(&done, "2026 年版"),
            "published powers version 3 (2026 年版) with 120 entries\npublished funds version 1 (2026 年版) with 12 entries\n"
        );
        let dry = [ListImport { kind: ListKind::Duties, version: None, entries: 40 }];
        assert_eq!(summary(&dry, "x"), "duties: 40 entries checked\ndry run: nothing was written\n");
    }
}
