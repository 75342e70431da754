//! Files in the formats offices use: CSV, and xlsx workbooks as Excel and WPS save them.
//!
//! Every import reads its file here into [`Table`]s (one per CSV file, one per sheet) whose
//! rows know their line or row number, and every export writes its sheets here, so that
//! the organisation, the catalog and the published lists come in and go out alike.

use std::io::Cursor;

use calamine::{Data, Reader as _, Xlsx};
use tongban_core::table::{Origin, Row, RowError, Table};

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Comma-separated values, UTF-8.
    Csv,
    /// An Office Open XML workbook.
    Xlsx,
}

impl Format {
    /// The format a file name's extension says (`.csv`, `.xlsx`), case-insensitively.
    pub fn of_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Format::Xlsx)
        } else {
            None
        }
    }

    /// The format a content type names (`text/csv`, the xlsx media type); parameters such
    /// as `; charset=utf-8` are ignored.
    pub fn of_content_type(content_type: &str) -> Option<Format> {
        match content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
            "text/csv" | "application/csv" | "text/plain" => Some(Format::Csv),
            XLSX_TYPE => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The media type of files of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => XLSX_TYPE,
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The media type of an xlsx workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An uploaded or named file: its name (for errors) and its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upload<'a> {
    /// The file's name as the user knows it, if any.
    pub name: Option<&'a str>,
    /// Its format.
    pub format: Format,
}

impl<'a> Upload<'a> {
    /// A CSV text without a name (an API body, a form's text area).
    pub const CSV: Upload<'static> = Upload { name: None, format: Format::Csv };

    /// A file on disk, its format from its extension.
    pub fn file(name: &'a str) -> Result<Upload<'a>, RowError> {
        match Format::of_name(name) {
            Some(format) => Ok(Upload { name: Some(name), format }),
            None => Err(RowError {
                file: Some(name.to_owned()),
                sheet: None,
                line: 1,
                column: None,
                message: "only .csv and .xlsx files can be imported".into(),
            }),
        }
    }
}

/// Reads every table of a file: the CSV file's one table, or each sheet of a workbook.
pub fn read(file: &Upload<'_>, bytes: &[u8]) -> Result<Vec<Table>, Vec<RowError>> {
    match file.format {
        Format::Csv => Table::from_csv(file.name, bytes).map(|t| vec![t]),
        Format::Xlsx => read_xlsx(file.name, bytes),
    }
}

/// Reads the one table of kind `sheet`: the CSV file, or the workbook's sheet named
/// `sheet` (or its only sheet, whatever its name).
pub fn read_one(file: &Upload<'_>, bytes: &[u8], sheet: &str) -> Result<Table, Vec<RowError>> {
    let mut tables = read(file, bytes)?;
    if tables.len() == 1 {
        return Ok(tables.remove(0));
    }
    let names: Vec<String> = tables.iter().filter_map(|t| sheet_name(t).map(str::to_owned)).collect();
    match tables.iter().position(|t| sheet_name(t) == Some(sheet)) {
        Some(i) => Ok(tables.swap_remove(i)),
        None => Err(vec![workbook_error(
            file.name,
            format!("the workbook has no sheet named {sheet} (its sheets: {})", names.join(", ")),
        )]),
    }
}

/// The sheet name of a table read from a workbook.
pub fn sheet_name(table: &Table) -> Option<&str> {
    match &table.origin {
        Origin::Sheet(name) => Some(name),
        Origin::Csv(_) => None,
    }
}

/// A problem with the workbook as a whole (not a zip file, no sheets, a sheet unreadable).
pub fn workbook_error(file: Option<&str>, message: impl Into<String>) -> RowError {
    RowError { file: file.map(str::to_owned), sheet: None, line: 1, column: None, message: message.into() }
}

fn read_xlsx(name: Option<&str>, bytes: &[u8]) -> Result<Vec<Table>, Vec<RowError>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        vec![workbook_error(name, format!("not a readable xlsx workbook (save it again as .xlsx): {e}"))]
    };
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).map_err(|e| unreadable(&e))?;
        // Row numbers as the spreadsheet shows them: the used range may start below row 1.
        let first = range.start().map_or(0, |(row, _)| u64::from(row)) + 1;
        let mut rows = range.rows().zip(first..).map(|(cells, number)| Row {
            number,
            cells: cells.iter().map(|c| cell_text(c).trim().to_owned()).collect(),
        });
        let header = rows.by_ref().find(|r| r.cells.iter().any(|c| !c.is_empty()));
        let Some(header) = header else {
            // An empty sheet (a fresh workbook's Sheet2) is no table.
            continue;
        };
        tables.push(Table {
            origin: Origin::Sheet(sheet.clone()),
            header_number: header.number,
            header: header.cells,
            rows: rows.filter(|r| r.cells.iter().any(|c| !c.is_empty())).collect(),
        });
    }
    if tables.is_empty() {
        return Err(vec![workbook_error(name, "the workbook holds no data: every sheet is empty")]);
    }
    Ok(tables)
}

/// A cell as the text the person typed: whole numbers without a decimal point (a division
/// code or a phone number typed into a number cell), dates as ISO 8601.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            match (d.as_f64() < 1.0, (h, mi, s) == (0, 0, 0)) {
                // A time of day alone (opening hours typed as 8:30).
                (true, _) => format!("{h:02}:{mi:02}"),
                (false, true) => format!("{y:04}-{mo:02}-{day:02}"),
                (false, false) => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}"),
            }
        }
        other => other.to_string(),
    }
}

/// A sheet to write: its name, header and rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name (at most 31 characters, as Excel allows).
    pub name: String,
    /// The header row.
    pub header: Vec<String>,
    /// The data rows.
    pub rows: Vec<Vec<String>>,
    /// Per column, whether it holds numbers (counts, means, percentages) that a workbook
    /// stores as numbers; every other column is text, so that codes such as `620100` keep
    /// their form. Missing entries are text.
    pub numeric: Vec<bool>,
}

impl Sheet {
    /// A sheet from a header and rows, every column text.
    pub fn new(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Sheet {
        Sheet {
            name: name.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows,
            numeric: Vec::new(),
        }
    }

    /// The same sheet with the columns named in `columns` marked as numbers.
    pub fn with_numbers(mut self, columns: &[&str]) -> Sheet {
        self.numeric = self.header.iter().map(|h| columns.contains(&h.as_str())).collect();
        self
    }

    /// The number in column `column` of a row, when the column holds numbers and the cell
    /// is one (an empty cell or any other text is not).
    fn number(&self, column: usize, cell: &str) -> Option<f64> {
        if !self.numeric.get(column).copied().unwrap_or(false) {
            return None;
        }
        cell.parse::<f64>().ok().filter(|n| n.is_finite())
    }
}

/// One sheet as CSV (UTF-8; cells that a spreadsheet would run as a formula are neutralised,
/// except the numbers of numeric columns, such as `-12.5`, written as they are).
pub fn write_csv(sheet: &Sheet) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let neutral = |cells: &[String], numbers: bool| -> Vec<String> {
        (0..)
            .zip(cells)
            .map(|(c, cell)| match sheet.number(c, cell).filter(|_| numbers) {
                Some(_) => cell.clone(),
                None => tongban_core::text::csv_neutral(cell).into_owned(),
            })
            .collect()
    };
    // Writing to a Vec cannot fail, and every row is text.
    let _ = w.write_record(neutral(&sheet.header, false));
    for row in &sheet.rows {
        let _ = w.write_record(neutral(row, true));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Sheets as an xlsx workbook: every cell text (so that codes keep their leading zeros)
/// except the numbers of the columns marked numeric, the header bold and frozen, columns
/// fitted to their text.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    for s in sheets {
        let sheet = book.add_worksheet().set_name(&s.name)?;
        for (c, title) in (0u16..).zip(&s.header) {
            sheet.write_string_with_format(0, c, title, &bold)?;
        }
        for (r, row) in (1u32..).zip(&s.rows) {
            for ((c, i), cell) in (0u16..).zip(0usize..).zip(row) {
                match s.number(i, cell) {
                    Some(n) => {
                        sheet.write_number(r, c, n)?;
                    }
                    None if !cell.is_empty() => {
                        sheet.write_string(r, c, cell)?;
                    }
                    None => {}
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_with_sheet_rows() {
        let sheets = [
            Sheet::new(
                "divisions",
                &["code", "name", "parent"],
                vec![vec!["620100".into(), "兰州市".into(), String::new()]],
            ),
            Sheet::new(
                "sites",
                &["code", "name"],
                vec![vec!["main".into(), "'=1+1".into()], vec!["b".into(), "分中心".into()]],
            ),
        ];
        let bytes = write_xlsx(&sheets).unwrap();
        let tables = read(&Upload { name: Some("org.xlsx"), format: Format::Xlsx }, &bytes).unwrap();
        assert_eq!(tables.len(), 2);
        assert_eq!(sheet_name(&tables[0]), Some("divisions"));
        assert_eq!(tables[0].header, ["code", "name", "parent"]);
        assert_eq!(tables[0].rows[0].cells, ["620100", "兰州市", ""]);
        assert_eq!(tables[1].rows.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 3]);
        let e = tables[1].error(3, Some("name"), "bad");
        assert_eq!(e.to_string(), "sheet sites, row 3, column name: bad");
    }

    #[test]
    fn a_truncated_workbook_is_one_clear_error() {
        let bytes = write_xlsx(&[Sheet::new("staff", &["login"], vec![])]).unwrap();
        let cut = &bytes[..bytes.len() / 2];
        let e = read(&Upload { name: Some("org.xlsx"), format: Format::Xlsx }, cut).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].to_string().starts_with("org.xlsx line 1: not a readable xlsx workbook"), "{}", e[0]);
    }

    #[test]
    fn formats_come_from_names_and_content_types() {
        assert_eq!(Format::of_name("机构.XLSX"), Some(Format::Xlsx));
        assert_eq!(Format::of_name("a.xls"), None);
        assert_eq!(Format::of_content_type("text/csv; charset=utf-8"), Some(Format::Csv));
        assert_eq!(Format::of_content_type(XLSX_TYPE), Some(Format::Xlsx));
        assert_eq!(Format::of_content_type("application/json"), None);
    }

    #[test]
    fn numeric_columns_hold_numbers_and_the_rest_stays_text() {
        let sheet = Sheet::new(
            "reform",
            &["code", "before", "change_percent"],
            vec![vec!["620100".into(), "8".into(), "-12.5".into()], vec!["=1+1".into(), String::new(), "n/a".into()]],
        )
        .with_numbers(&["before", "change_percent"]);
        assert_eq!(write_csv(&sheet), "code,before,change_percent\n620100,8,-12.5\n'=1+1,,n/a\n");
        let bytes = write_xlsx(std::slice::from_ref(&sheet)).unwrap();
        let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("reform").unwrap();
        assert_eq!(range.get_value((1, 0)), Some(&Data::String("620100".into())), "a code stays text");
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(8.0)));
        assert_eq!(range.get_value((1, 2)), Some(&Data::Float(-12.5)));
        assert_eq!(range.get_value((2, 2)), Some(&Data::String("n/a".into())), "text in a numeric column stays text");
        let tables = read(&Upload { name: None, format: Format::Xlsx }, &write_xlsx(&[sheet]).unwrap()).unwrap();
        assert_eq!(tables[0].rows[0].cells, ["620100", "8", "-12.5"], "numbers read back as typed");
    }

    #[test]
    fn csv_cells_are_neutralised_against_formulas() {
        let csv = write_csv(&Sheet::new("x", &["a"], vec![vec!["=HYPERLINK(1)".into()]]));
        assert_eq!(csv, "a\n'=HYPERLINK(1)\n");
    }
}
