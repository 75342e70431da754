//! `tongban report …`: reports read through the app. `report reform` is the reform report
//! (三减一压缩) between two catalog versions — the one the admin catalog page and
//! `GET /api/v1/catalog/reform` show — as text, the API's JSON, CSV or an xlsx workbook.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tongban_server::api::reform::{CountChange, MeanChange, ReformItem, ReformView};
use tongban_server::app::AppError;

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
        (false, Some(TableFormat::Csv)) => to_csv(&view)?.into_bytes(),
        (false, Some(TableFormat::Xlsx)) => {
            if output.is_none() && std::io::stdout().is_terminal() {
                anyhow::bail!("an xlsx workbook is binary: write it with --output FILE or redirect standard output");
            }
            to_xlsx(&view)?
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

/// The CSV (and xlsx) columns: one row per measure, for the whole catalog (`total`) and per
/// department (`department`).
const COLUMNS: [&str; 7] = ["scope", "department", "name", "measure", "before", "after", "change_percent"];

/// A value of a measure: a count, or a mean that may be undefined.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Value {
    Count(u64),
    Mean(Option<f64>),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
struct Row<'a> {
    scope: &'static str,
    department: &'a str,
    name: &'a str,
    measure: &'static str,
    before: Value,
    after: Value,
    change_percent: Option<f64>,
}

fn measures<'a>(
    scope: &'static str,
    department: &'a str,
    name: &'a str,
    m: [&'a CountChange; 3],
    days: &'a MeanChange,
) -> impl Iterator<Item = Row<'a>> {
    let count = move |measure, c: &CountChange| Row {
        scope,
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
            scope,
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
        measures("total", "", "", [&v.items, &v.materials, &v.steps], &v.average_promised_working_days).collect();
    for d in &v.departments {
        rows.extend(measures(
            "department",
            &d.department,
            &d.name,
            [&d.items, &d.materials, &d.steps],
            &d.average_promised_working_days,
        ));
    }
    rows
}

/// A value as a CSV cell: counts whole, means as stored, nothing for an undefined one.
fn cell(v: Value) -> String {
    match v {
        Value::Count(n) => n.to_string(),
        Value::Mean(m) => m.map(|m| m.to_string()).unwrap_or_default(),
    }
}

fn to_csv(v: &ReformView) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows(v) {
        let change = r.change_percent.map(|c| c.to_string()).unwrap_or_default();
        // Department names come from the store: neutralised so no cell runs as a formula.
        let name = tongban_core::text::csv_neutral(r.name);
        w.write_record([r.scope, r.department, &name, r.measure, &cell(r.before), &cell(r.after), &change])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn to_xlsx(v: &ReformView) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("reform")?;
    for (c, title) in (0u16..).zip(COLUMNS) {
        sheet.write_string_with_format(0, c, title, &bold)?;
    }
    for (r, row) in (1u32..).zip(rows(v)) {
        sheet.write_string(r, 0, row.scope)?;
        sheet.write_string(r, 1, row.department)?;
        sheet.write_string(r, 2, row.name)?;
        sheet.write_string(r, 3, row.measure)?;
        for (c, value) in [(4, row.before), (5, row.after)] {
            match value {
                Value::Count(n) => sheet.write_number(r, c, n as f64)?,
                Value::Mean(Some(m)) => sheet.write_number(r, c, m)?,
                Value::Mean(None) => sheet,
            };
        }
        if let Some(change) = row.change_percent {
            sheet.write_number(r, 6, change)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let sheet = book.add_worksheet().set_name("items")?;
    for (c, title) in (0u16..).zip(["change", "code", "name", "department"]) {
        sheet.write_string_with_format(0, c, title, &bold)?;
    }
    let listed = [("cut", &v.cut), ("added", &v.added), ("changed", &v.changed)];
    let items = listed.iter().flat_map(|(what, items)| items.iter().map(move |i| (*what, i)));
    for (r, (what, item)) in (1u32..).zip(items) {
        sheet.write_string(r, 0, what)?;
        sheet.write_string(r, 1, &item.code)?;
        sheet.write_string(r, 2, &item.name)?;
        sheet.write_string(r, 3, &item.department)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
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
    use tongban_server::api::reform::{DepartmentReformView, VersionRef};

    fn view() -> ReformView {
        let count = |before, after, change_percent| CountChange { before, after, change_percent };
        let days = MeanChange { before: Some(15.0), after: Some(8.0), change_percent: Some(-46.67) };
        let version = |version: u32| VersionRef { version, label: format!("v{version}"), published_at: String::new() };
        ReformView {
            from: version(1),
            to: version(2),
            items: count(4, 4, Some(0.0)),
            materials: count(8, 7, Some(-12.5)),
            steps: count(0, 0, None),
            average_promised_working_days: days.clone(),
            departments: vec![DepartmentReformView {
                department: "fgw".into(),
                name: "=发改委".into(),
                items: count(2, 2, Some(0.0)),
                materials: count(5, 4, Some(-20.0)),
                steps: count(0, 0, None),
                average_promised_working_days: MeanChange { before: None, after: Some(6.0), change_percent: None },
            }],
            cut: vec![ReformItem { code: "D".into(), name: "丁".into(), department: "scj".into() }],
            added: vec![],
            changed: vec![],
        }
    }

    #[test]
    fn the_csv_has_a_row_per_measure_and_department() {
        let csv = to_csv(&view()).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 4 + 4, "{csv}");
        assert_eq!(lines[2], "total,,,materials,8,7,-12.5");
        assert_eq!(lines[4], "total,,,average_promised_working_days,15,8,-46.67");
        assert_eq!(lines[8], "department,fgw,'=发改委,average_promised_working_days,,6,");
    }

    #[test]
    fn the_workbook_is_an_xlsx_file() {
        let bytes = to_xlsx(&view()).expect("xlsx");
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
