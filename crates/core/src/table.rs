//! Tables as offices keep them: a CSV file or a sheet of a workbook, a header row and
//! rows of text cells, each row knowing where it stands in its file so that every
//! problem can be named the way the clerk sees it — `FILE line N, column C: why` for a
//! CSV file (the header is line 1), `sheet S, row N, column C: why` for a workbook.
//!
//! Reading a workbook's bytes is the application's job (it holds the xlsx crate); this
//! module holds what every import shares: the table, the header check and the errors.
//!
//! ```
//! use tongban_core::table::Table;
//!
//! let t = Table::from_csv(Some("org.csv"), "code,name\nfgw,发改委\n\n,无名\n".as_bytes()).unwrap();
//! let cols = t.columns(&["code", "name"], &[]).unwrap();
//! assert_eq!(t.rows.len(), 2, "the blank line is skipped");
//! let last = &t.rows[1];
//! assert_eq!(last.number, 4);
//! let e = t.error(last.number, Some("code"), "is empty");
//! assert_eq!(e.to_string(), "org.csv line 4, column code: is empty");
//! assert_eq!(cols.get(last, "name"), "无名");
//! ```

use std::collections::HashMap;

use serde::Serialize;

/// One bad cell (or row) of an import: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The CSV file's name, when it has one (a command-line import).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The workbook's sheet, for an xlsx import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based line of the CSV file (the header is line 1), or 1-based row of the sheet.
    pub line: u64,
    /// The column at fault (its header), or none for the whole row.
    pub column: Option<String>,
    /// Why.
    pub message: String,
}

impl RowError {
    /// A problem at `line` of an unnamed CSV text.
    pub fn at(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        Self { file: None, sheet: None, line, column: column.map(str::to_owned), message: message.into() }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.sheet, &self.file) {
            (Some(sheet), _) => write!(f, "sheet {sheet}, row {}", self.line)?,
            (None, Some(file)) => write!(f, "{file} line {}", self.line)?,
            (None, None) => write!(f, "line {}", self.line)?,
        }
        match &self.column {
            Some(c) => write!(f, ", column {c}: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

/// Where a table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A CSV file, named when it has a name.
    Csv(Option<String>),
    /// A sheet of a workbook, by its name.
    Sheet(String),
}

/// A row: its number in the file (line or sheet row, 1-based) and its cells, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line of the CSV file or the row of the sheet.
    pub number: u64,
    /// The cells, in header order.
    pub cells: Vec<String>,
}

/// A header and its rows. Blank rows (every cell empty) are left out: spreadsheets keep
/// many after the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Where it came from.
    pub origin: Origin,
    /// The header row's cells, trimmed.
    pub header: Vec<String>,
    /// The line or row number of the header (1 unless a sheet starts lower).
    pub header_number: u64,
    /// The data rows.
    pub rows: Vec<Row>,
}

/// Which column holds which header, once the header has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    index: HashMap<String, usize>,
    /// Where the data starts in the table's rows: after a header found below title rows.
    first_row: usize,
}

impl Columns {
    /// The table's data rows: those after the header.
    pub fn rows<'t>(&self, table: &'t Table) -> &'t [Row] {
        table.rows.get(self.first_row..).unwrap_or_default()
    }

    /// The cell of `row` under `column`, empty when the column is absent or the row short.
    /// A cell a CSV export neutralised against formula injection (`'=…`) reads back as typed.
    pub fn get<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        self.index.get(column).and_then(|&i| row.cells.get(i)).map_or("", |c| crate::text::csv_unneutral(c))
    }

    /// Whether the file has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }
}

impl Table {
    /// Reads a CSV file (UTF-8, with or without a byte-order mark; other encodings are
    /// refused with a hint to save as UTF-8). `file` names it in errors.
    pub fn from_csv(file: Option<&str>, bytes: &[u8]) -> Result<Table, Vec<RowError>> {
        let origin = Origin::Csv(file.map(str::to_owned));
        let blank = Table { origin, header: Vec::new(), header_number: 1, rows: Vec::new() };
        let text = crate::text::decode_csv(bytes).map_err(|e| {
            // Named by the line of the first byte that is not UTF-8.
            let line = bytes[..e.at.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            vec![blank.error(line, None, e.to_string())]
        })?;
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        // The reader's own line count skips blank lines; count line breaks before the
        // record's first byte instead, so the number is the line an editor shows.
        let breaks: Vec<usize> = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect();
        // A record's position may point at the blank lines before it.
        let line_at = |byte: u64| {
            let start = byte as usize;
            let skipped = text
                .as_bytes()
                .get(start..)
                .map_or(0, |rest| rest.iter().take_while(|&&b| b == b'\n' || b == b'\r').count());
            breaks.partition_point(|&i| i < start + skipped) as u64 + 1
        };
        let mut table = blank;
        let mut errors = Vec::new();
        let mut first = true;
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let number = r.position().map_or(0, |p| line_at(p.byte()));
                    let cells: Vec<String> = r.iter().map(|c| c.trim().to_owned()).collect();
                    if first {
                        table.header = cells;
                        table.header_number = number;
                        first = false;
                    } else if cells.len() != table.header.len() {
                        let why =
                            format!("malformed CSV: {} fields, the header has {}", cells.len(), table.header.len());
                        errors.push(table.error(number, None, why));
                    } else if cells.iter().any(|c| !c.is_empty()) {
                        table.rows.push(Row { number, cells });
                    }
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| line_at(p.byte()));
                    errors.push(table.error(line, None, format!("malformed CSV: {e}")));
                }
            }
        }
        if first && errors.is_empty() {
            errors.push(table.error(1, None, "the file is empty: it needs a header row"));
        }
        if errors.is_empty() { Ok(table) } else { Err(errors) }
    }

    /// A problem at row `number` of this table.
    pub fn error(&self, number: u64, column: Option<&str>, message: impl Into<String>) -> RowError {
        let (file, sheet) = match &self.origin {
            Origin::Csv(file) => (file.clone(), None),
            Origin::Sheet(name) => (None, Some(name.clone())),
        };
        RowError { file, sheet, line: number, column: column.map(str::to_owned), message: message.into() }
    }

    /// Checks the header: the `required` columns first, in order, then any of the
    /// `optional` ones, each at most once. Cells beyond are refused by name, so a typo
    /// in an optional header does not silently drop a column. Office templates often put a
    /// title above the header (`西宁市窗口一览表`): a header found in one of the first rows
    /// below is taken, and the data starts after it ([`Columns::rows`]).
    pub fn columns(&self, required: &[&str], optional: &[&str]) -> Result<Columns, RowError> {
        let starts = |cells: &[String]| {
            cells.len() >= required.len() && cells.iter().zip(required).all(|(h, r)| column_of(h) == *r)
        };
        let (header, first_row) = if starts(&self.header) {
            (&self.header, 0)
        } else {
            match self.rows.iter().take(TITLE_ROWS).position(|r| starts(&r.cells)) {
                Some(i) => (&self.rows[i].cells, i + 1),
                None => {
                    let mut expected = required.join(",");
                    if !optional.is_empty() {
                        expected.push_str(&format!(" (then any of {})", optional.join(",")));
                    }
                    let why = format!("header must be `{expected}`, found `{}`", self.header.join(","));
                    return Err(self.error(self.header_number, None, why));
                }
            }
        };
        let header_number = if first_row == 0 { self.header_number } else { self.rows[first_row - 1].number };
        let data = &self.rows[first_row..];
        let mut index: HashMap<String, usize> =
            required.iter().enumerate().map(|(i, c)| ((*c).to_owned(), i)).collect();
        for (i, h) in header.iter().enumerate().skip(required.len()) {
            let h = column_of(h);
            if h.is_empty() && data.iter().all(|r| r.cells.get(i).is_none_or(String::is_empty)) {
                continue;
            }
            if !optional.contains(&h) {
                let why = format!("unknown column `{h}`: the optional columns are {}", optional.join(","));
                return Err(self.error(header_number, Some(h), why));
            }
            if index.insert(h.to_owned(), i).is_some() {
                return Err(self.error(header_number, Some(h), format!("column `{h}` appears twice")));
            }
        }
        Ok(Columns { index, first_row })
    }
}

/// The column a header cell names: its own name, or the column a Chinese label stands for
/// (a center's own sheets say 编码, 名称, 所属部门 … rather than code, name, department).
pub fn column_of(header: &str) -> &str {
    let h = header.trim();
    COLUMN_LABELS.iter().find(|(_, labels)| labels.contains(&h)).map_or(h, |(column, _)| column)
}

/// The Chinese labels each column goes by in offices' sheets.
const COLUMN_LABELS: &[(&str, &[&str])] = &[
    ("code", &["编码", "代码", "编号", "事项编码"]),
    ("name", &["名称", "姓名", "事项名称"]),
    ("parent", &["上级", "上级区划", "上级代码"]),
    ("division", &["行政区划", "区划", "区划代码"]),
    ("address", &["地址"]),
    ("hours", &["办公时间", "工作时间"]),
    ("phone", &["电话", "联系电话"]),
    ("department", &["部门", "所属部门", "实施部门"]),
    ("site", &["办事地点", "地点"]),
    ("window", &["窗口"]),
    ("login", &["登录名", "账号"]),
    ("role", &["角色"]),
    ("kind", &["类型", "事项类型", "权力类型"]),
    ("category", &["承诺类别", "类别"]),
    ("legal_limit", &["法定时限"]),
    ("promised_limit", &["承诺时限"]),
    ("materials", &["申请材料", "材料"]),
    ("fees", &["收费", "收费标准"]),
    ("channels", &["办理渠道", "渠道"]),
    ("legal_basis", &["设定依据", "法律依据", "依据"]),
    ("sites", &["办理地点"]),
    ("conditions", &["受理条件"]),
    ("steps", &["办理流程", "环节"]),
    ("contact", &["咨询电话", "咨询方式"]),
    ("licence", &["证照名称", "证照"]),
    ("responsibility", &["责任事项"]),
    ("duty", &["职责"]),
    ("matters", &["具体事项"]),
    ("amount_yuan", &["金额", "金额（元）", "金额(元)"]),
    ("purpose", &["用途"]),
    ("guide", &["办事指南", "指南"]),
];

/// How many rows above the header a table may hold (a title, a date, a blank line).
const TITLE_ROWS: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_the_header_and_quoted_breaks_span_lines() {
        let t = Table::from_csv(None, "a,b\n\"x\ny\",1\nz,2\n".as_bytes()).unwrap();
        assert_eq!(t.rows.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 4]);
        let e = Table::from_csv(Some("f.csv"), "a,b\n1,2\n3\n".as_bytes()).unwrap_err();
        assert_eq!(e[0].to_string(), "f.csv line 3: malformed CSV: 1 fields, the header has 2");
    }

    #[test]
    fn the_header_must_start_with_the_required_columns_in_order() {
        let t = Table::from_csv(Some("f.csv"), "name,code\n".as_bytes()).unwrap();
        let e = t.columns(&["code", "name"], &[]).unwrap_err();
        assert_eq!(e.to_string(), "f.csv line 1: header must be `code,name`, found `name,code`");
        let t = Table::from_csv(None, "code,name,phone,extra\n".as_bytes()).unwrap();
        let e = t.columns(&["code", "name"], &["phone"]).unwrap_err();
        assert_eq!(e.to_string(), "line 1, column extra: unknown column `extra`: the optional columns are phone");
        let t = Table::from_csv(None, "code,name,phone\n1,2,3\n".as_bytes()).unwrap();
        let cols = t.columns(&["code", "name"], &["phone", "hours"]).unwrap();
        assert_eq!(cols.get(&t.rows[0], "phone"), "3");
        assert_eq!(cols.get(&t.rows[0], "hours"), "", "an absent optional column reads empty");
    }

    #[test]
    fn chinese_labels_name_their_columns() {
        let t = Table::from_csv(None, "编码,名称,所属部门,电话\nW1,一号窗口,fgw,0931\n".as_bytes()).unwrap();
        let cols = t.columns(&["code", "name", "department"], &["phone"]).unwrap();
        assert_eq!(cols.get(&t.rows[0], "department"), "fgw");
        assert_eq!(cols.get(&t.rows[0], "phone"), "0931");
    }

    #[test]
    fn a_title_above_the_header_is_passed_over() {
        let t = Table::from_csv(Some("f.csv"), "Windows of the hall,\n,\ncode,name\nW1,One\n".as_bytes()).unwrap();
        let cols = t.columns(&["code", "name"], &[]).unwrap();
        let rows = cols.rows(&t);
        assert_eq!((rows.len(), rows[0].number, cols.get(&rows[0], "name")), (1, 4, "One"));
    }

    #[test]
    fn gbk_is_refused_at_its_first_line_and_an_empty_file_at_line_one() {
        let gbk = [0xb7u8, 0xa2, 0xb8, 0xc4, b',', b'a', b'\n'];
        let e = Table::from_csv(Some("g.csv"), &gbk).unwrap_err();
        assert!(e[0].to_string().starts_with("g.csv line 1: "), "{}", e[0]);
        let e = Table::from_csv(Some("g.csv"), b"code,name\nfgw,\xb7\xa2\n").unwrap_err();
        assert!(e[0].to_string().starts_with("g.csv line 2: "), "{}", e[0]);
        let e = Table::from_csv(None, b"").unwrap_err();
        assert_eq!(e[0].line, 1);
    }

    #[test]
    fn sheet_errors_name_the_sheet_and_row() {
        let t = Table { origin: Origin::Sheet("staff".into()), header: vec![], header_number: 1, rows: vec![] };
        assert_eq!(
            t.error(7, Some("window"), "unknown window W9").to_string(),
            "sheet staff, row 7, column window: unknown window W9"
        );
    }
}
