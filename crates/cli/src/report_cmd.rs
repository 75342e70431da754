//! `tongban report …`: reports read through the app. `report reform` is the reform report
//! (三减一压缩) between two catalog versions — the one the admin catalog page and
//! `GET /api/v1/catalog/reform` show — as text, the API's JSON, CSV or an xlsx workbook.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tongban_server::api::reform::{CountChange, MeanChange, ReformItem, ReformView};
use tongban_server::app::AppError;
use tongban_server::app::reform::{Reform, sheets};
use tongban_server::app::tables::{write_csv, write_xlsx};

use crate::config::{Config, DbArgs};

/// Reports.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// The reform report (三减一压缩) between two catalog versions: items, required materials
    /// (要件), steps (环节) and the average promised working days, before and after, overall
    /// and per department; and the items cut, added and changed. Exit code 2: no such version.
    Reform {
        #[command(flatten)]
        db: DbArgs,
        /// The catalog version before the reform.
        #[arg(long, value_name = "V1")]
        from: u32,
        /// The catalog version after it.
        #[arg(long, value_name = "V2")]
        to: u32,
        /// Print the JSON of `GET /api/v1/catalog/reform` instead of text.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Print a table instead of text: `csv`, or `xlsx` (a workbook; needs `--output` or a
        /// redirected standard output).
        #[arg(long, value_enum)]
        format: Option<TableFormat>,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A table format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Excel workbook (.xlsx).
    Xlsx,
}

/// Runs a `report` sub-command.
pub async fn run(config: &Config, command: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Reform { db, from, to, json, format, output } = command;
    let app = crate::open_app(config, &db).await?;
    let reform = match tongban_server::app::reform::catalog_reform(&app, from, to).await {
        Ok(r) => r,
        Err(AppError::NotFound(why)) => {
            eprintln!("error: {why}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let view = ReformView::from(&reform);
    let bytes = match (json, format) {
        (true, _) => {
            let mut text = serde_json::to_string_pretty(&view)?;
            text.push('\n');
            text.into_bytes()
        }
        (false, Some(TableFormat::Csv)) => to_csv(&reform).into_bytes(),
        (false, Some(TableFormat::Xlsx)) => {
            if output.is_none() && std::io::stdout().is_terminal() {
                anyhow::bail!("an xlsx workbook is binary: write it with --output FILE or redirect standard output");
            }
            to_xlsx(&reform)?
        }
        (false, None) => to_text(&view).into_bytes(),
    };
    match output {
        Some(path) => std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A value of a measure: a count, or a mean that may be undefined.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Count(u64),
    Mean(Option<f64>),
}

/// One row of the text's tables.
#[derive(Debug, Clone, PartialEq)]
struct Row<'a> {
    department: &'a str,
    name: &'a str,
    measure: &'static str,
    before: Value,
    after: Value,
    change_percent: Option<f64>,
}

fn measures<'a>(
    department: &'a str,
    name: &'a str,
    m: [&'a CountChange; 3],
    days: &'a MeanChange,
) -> impl Iterator<Item = Row<'a>> {
    let count = move |measure, c: &CountChange| Row {
        department,
        name,
        measure,
        before: Value::Count(c.before),
        after: Value::Count(c.after),
        change_percent: c.change_percent,
    };
    [
        count("items", m[0]),
        count("materials", m[1]),
        count("steps", m[2]),
        Row {
            department,
            name,
            measure: "average_promised_working_days",
            before: Value::Mean(days.before),
            after: Value::Mean(days.after),
            change_percent: days.change_percent,
        },
    ]
    .into_iter()
}

/// The rows: the whole catalog's measures, then each department's.
fn rows(v: &ReformView) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> =
        measures("", "", [&v.items, &v.materials, &v.steps], &v.average_promised_working_days).collect();
    for d in &v.departments {
        rows.extend(measures(
            &d.department,
            &d.name,
            [&d.items, &d.materials, &d.steps],
            &d.average_promised_working_days,
        ));
    }
    rows
}

/// The measures as CSV: the app's `reform` sheet, the one `GET /api/v1/exports/reform`
/// downloads (department names neutralised so that no cell runs as a formula).
fn to_csv(r: &Reform) -> String {
    sheets(r).first().map(write_csv).unwrap_or_default()
}

/// The app's two sheets, `reform` (counts, means and changes as numbers) and `items`, as
/// a workbook.
fn to_xlsx(r: &Reform) -> anyhow::Result<Vec<u8>> {
    Ok(write_xlsx(&sheets(r))?)
}

/// A value as text: counts whole, means with two decimals, `—` for an undefined one.
fn shown(v: Value) -> String {
    match v {
        Value::Count(n) => n.to_string(),
        Value::Mean(Some(m)) => format!("{m:.2}"),
        Value::Mean(None) => "—".to_owned(),
    }
}

fn to_text(v: &ReformView) -> String {
    let mut out = format!(
        "reform report (三减一压缩): catalog v{} {} → v{} {}\n",
        v.from.version, v.from.label, v.to.version, v.to.label
    );
    let table = |out: &mut String, rows: &[Row<'_>], indent: &str| {
        for r in rows {
            let change = r.change_percent.map_or_else(|| "—".to_owned(), |c| format!("{c:+.2}%"));
            out.push_str(&format!(
                "{indent}{:<30} {:>10} {:>10} {:>10}\n",
                r.measure,
                shown(r.before),
                shown(r.after),
                change
            ));
        }
    };
    out.push_str(&format!("{:<30} {:>10} {:>10} {:>10}\n", "measure", "before", "after", "change"));
    let all = rows(v);
    let (total, departments) = all.split_at(4.min(all.len()));
    table(&mut out, total, "");
    out.push_str("\nby department\n");
    for chunk in departments.chunks(4) {
        if let Some(first) = chunk.first() {
            out.push_str(&format!("  {} ({})\n", first.name, first.department));
        }
        table(&mut out, chunk, "  ");
    }
    let list = |out: &mut String, title: &str, items: &[ReformItem]| {
        out.push_str(&format!("\n{title} ({})\n", items.len()));
        for i in items {
            out.push_str(&format!("  {}  {}  [{}]\n", i.code, i.name, i.department));
        }
    };
    list(&mut out, "cut", &v.cut);
    list(&mut out, "added", &v.added);
    list(&mut out, "changed", &v.changed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_core::catalog::{Change, DepartmentReform, ItemRef, Measures, ReformReport};
    use tongban_core::item::ItemCode;
    use tongban_core::org::DepartmentCode;
    use tongban_server::app::CatalogVersion;
    use tongban_server::app::reform::COLUMNS;

    fn reform() -> Reform {
        let count = |before, after, change_percent| Change { before, after, change_percent };
        let at: jiff::Timestamp = "2026-03-02T02:00:00Z".parse().expect("a moment");
        let version = |number: u32| CatalogVersion { number, label: format!("v{number}"), published_at: at };
        let department = |code: &str| DepartmentCode::parse(code).expect("a code");
        let report = ReformReport {
            totals: Measures {
                items: count(4, 4, Some(0.0)),
                materials: count(8, 7, Some(-12.5)),
                steps: count(0, 0, None),
                average_promised_working_days: Change {
                    before: Some(15.0),
                    after: Some(8.0),
                    change_percent: Some(-46.67),
                },
            },
            departments: vec![DepartmentReform {
                department: department("fgw"),
                measures: Measures {
                    items: count(2, 2, Some(0.0)),
                    materials: count(5, 4, Some(-20.0)),
                    steps: count(0, 0, None),
                    average_promised_working_days: Change { before: None, after: Some(6.0), change_percent: None },
                },
            }],
            cut: vec![ItemRef {
                code: ItemCode::parse("D").expect("a code"),
                name: "丁".into(),
                department: department("scj"),
            }],
            added: vec![],
            changed: vec![],
            by_category: [(0, 0); 4],
        };
        Reform {
            from: version(1),
            to: version(2),
            report,
            department_names: [("fgw".to_owned(), "=发改委".to_owned())].into(),
        }
    }

    fn view() -> ReformView {
        ReformView::from(&reform())
    }

    #[test]
    fn the_csv_has_a_row_per_measure_and_department() {
        let csv = to_csv(&reform());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 4 + 4, "{csv}");
        assert_eq!(lines[2], "total,,,materials,8,7,-12.5");
        assert_eq!(lines[4], "total,,,average_promised_working_days,15,8,-46.67");
        assert_eq!(lines[8], "department,fgw,'=发改委,average_promised_working_days,,6,");
    }

    #[test]
    fn the_workbook_is_an_xlsx_file() {
        let bytes = to_xlsx(&reform()).expect("xlsx");
        assert_eq!(&bytes[..2], b"PK", "a zip container");
    }

    #[test]
    fn the_text_names_every_measure_and_the_cut_items() {
        let text = to_text(&view());
        assert!(text.contains("materials"), "{text}");
        assert!(text.contains("-12.50%"), "{text}");
        assert!(text.contains("=发改委 (fgw)"), "{text}");
        assert!(text.contains("cut (1)\n  D  丁  [scj]"), "{text}");
    }
}
