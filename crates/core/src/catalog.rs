//! The versioned catalog (一本账): every item in one version, CSV import/export, and the
//! report of what a reform (三减一压缩) cut between two versions.
//!
//! A reform is a new version; items keep their code across versions, so the report can
//! say which items were removed, added or changed.

use std::collections::HashSet;

use crate::division::DivisionCode;
use crate::item::{
    Category, Channel, Fee, ItemCode, ItemError, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit,
};
use crate::org::DepartmentCode;

mod reform;

pub use reform::{Change, DepartmentReform, ItemRef, Measures, ReformReport, change_percent, steps_of};

pub use crate::table::RowError;
use crate::table::{Columns, Row, Table};

/// The CSV columns of a catalog file, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "code",
    "name",
    "department",
    "division",
    "kind",
    "category",
    "legal_limit",
    "promised_limit",
    "materials",
    "fees",
    "channels",
    "legal_basis",
];

/// Parses a catalog CSV. Checks every row; returns all items, or every bad row.
///
/// Cells: limits as `20d` / `4h` (empty for none); materials as
/// `name|required|original;name|optional|copy`; fees as `name|12.50` (yuan);
/// channels as `window;online`. Item codes must be unique in the file. Checking that
/// departments and divisions exist is the caller's job (they live in the store).
pub fn parse_csv(text: &str) -> Result<Vec<ServiceItem>, Vec<RowError>> {
    parse_csv_lines(text).map(|rows| rows.into_iter().map(|(_, item)| item).collect())
}

/// Like [`parse_csv`], keeping each item's line so later checks can name it.
pub fn parse_csv_lines(text: &str) -> Result<Vec<(u64, ServiceItem)>, Vec<RowError>> {
    let (items, errors) = parse_csv_rows(text);
    if errors.is_empty() { Ok(items) } else { Err(errors) }
}

/// Every good row with its line, and every bad row's errors, in one pass: a caller that
/// checks references (departments, divisions) on the good rows reports all of a file's
/// problems at once.
pub fn parse_csv_rows(text: &str) -> (Vec<(u64, ServiceItem)>, Vec<RowError>) {
    match Table::from_csv(None, text.as_bytes()) {
        Ok(table) => parse_table(&table),
        Err(errors) => (Vec::new(), errors),
    }
}

/// Like [`parse_csv_rows`] for a table read from a CSV file or a workbook's sheet.
pub fn parse_table(table: &Table) -> (Vec<(u64, ServiceItem)>, Vec<RowError>) {
    let columns = match table.columns(&CSV_COLUMNS, &[]) {
        Ok(c) => c,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for row in &table.rows {
        match item_from_row(&columns, row) {
            Ok(item) => {
                if !seen.insert(item.code.clone()) {
                    let why = format!("item code {} appears twice in the file", item.code);
                    errors.push(table.error(row.number, Some("code"), why));
                }
                items.push((row.number, item));
            }
            Err(es) => errors.extend(es.into_iter().map(|e| table.error(row.number, Some(e.field), e.message))),
        }
    }
    (items, errors)
}

fn item_from_row(columns: &Columns, row: &Row) -> Result<ServiceItem, Vec<ItemError>> {
    item_from_cells(|i| columns.get(row, CSV_COLUMNS[i]))
}

fn item_from_cells<'a>(cell: impl Fn(usize) -> &'a str) -> Result<ServiceItem, Vec<ItemError>> {
    let mut errors = Vec::new();
    fn keep<T>(errors: &mut Vec<ItemError>, r: Result<T, ItemError>) -> Option<T> {
        r.map_err(|e| errors.push(e)).ok()
    }
    let code = keep(&mut errors, ItemCode::parse(cell(0)).map_err(|e| ItemError::org("code", e)));
    let department = keep(&mut errors, DepartmentCode::parse(cell(2)).map_err(|e| ItemError::org("department", e)));
    let division =
        keep(&mut errors, DivisionCode::parse(cell(3)).map_err(|e| ItemError::new("division", e.to_string())));
    let kind = keep(&mut errors, ItemKind::parse(cell(4)));
    let category = keep(&mut errors, Category::parse(cell(5)));
    let legal_limit = keep(&mut errors, optional_limit("legal_limit", cell(6)));
    let promised_limit = keep(&mut errors, optional_limit("promised_limit", cell(7)));
    let materials = keep(&mut errors, parse_materials(cell(8)));
    let fees = keep(&mut errors, parse_fees(cell(9)));
    let channels = keep(&mut errors, parse_list(cell(10), Channel::parse));
    let (
        Some(code),
        Some(department),
        Some(division),
        Some(kind),
        Some(category),
        Some(legal_limit),
        Some(promised_limit),
        Some(materials),
        Some(fees),
        Some(channels),
    ) = (code, department, division, kind, category, legal_limit, promised_limit, materials, fees, channels)
    else {
        return Err(errors);
    };
    let item = ServiceItem {
        code,
        name: cell(1).trim().to_owned(),
        department,
        division,
        kind,
        category,
        legal_limit,
        promised_limit,
        materials,
        fees,
        legal_basis: cell(11).trim().to_owned(),
        channels,
    };
    item.validate()?;
    Ok(item)
}

fn optional_limit(field: &'static str, text: &str) -> Result<Option<TimeLimit>, ItemError> {
    if text.trim().is_empty() { Ok(None) } else { TimeLimit::parse(field, text).map(Some) }
}

fn parse_list<T>(text: &str, parse: impl Fn(&str) -> Result<T, ItemError>) -> Result<Vec<T>, ItemError> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(parse).collect()
}

fn parse_materials(text: &str) -> Result<Vec<Material>, ItemError> {
    parse_list(text, |m| {
        let bad = || {
            ItemError::new(
                "materials",
                format!("material {m:?} must be name|required|original (or optional, copy, electronic)"),
            )
        };
        let mut parts = m.split('|').map(str::trim);
        let (Some(name), Some(req), Some(form), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let required = match req {
            "required" => true,
            "optional" => false,
            _ => return Err(bad()),
        };
        let form = match form {
            "original" => MaterialForm::Original,
            "copy" => MaterialForm::Copy,
            "electronic" => MaterialForm::Electronic,
            _ => return Err(bad()),
        };
        Ok(Material { name: name.to_owned(), required, form })
    })
}

fn parse_fees(text: &str) -> Result<Vec<Fee>, ItemError> {
    parse_list(text, |f| {
        let bad = || {
            ItemError::new(
                "fees",
                format!("fee {f:?} must be name|amount in yuan with at most 2 decimals, e.g. 工本费|10.00"),
            )
        };
        let (name, amount) = f.split_once('|').ok_or_else(bad)?;
        Ok(Fee { name: name.trim().to_owned(), amount_fen: parse_yuan(amount.trim()).ok_or_else(bad)? })
    })
}

/// Parses a non-negative yuan amount with at most two decimals into fen, exactly.
pub(crate) fn parse_yuan(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_fen: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.parse::<u64>().ok()?.checked_mul(100)?.checked_add(frac_fen)
}

/// Writes items as a catalog CSV that [`parse_csv`] reads back to the same items.
pub fn to_csv(items: &[ServiceItem]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; the results are checked for form's sake.
    let _ = w.write_record(CSV_COLUMNS);
    for i in items {
        let materials: Vec<String> = i
            .materials
            .iter()
            .map(|m| format!("{}|{}|{}", m.name, if m.required { "required" } else { "optional" }, m.form.as_str()))
            .collect();
        let fees: Vec<String> =
            i.fees.iter().map(|f| format!("{}|{}.{:02}", f.name, f.amount_fen / 100, f.amount_fen % 100)).collect();
        let channels: Vec<&str> = i.channels.iter().map(|c| c.as_str()).collect();
        // Every cell neutralised (CSV injection): parse_csv drops the mark again.
        let _ = w.write_record(
            [
                i.code.as_str(),
                &i.name,
                i.department.as_str(),
                i.division.as_str(),
                i.kind.as_str(),
                i.category.as_str(),
                &i.legal_limit.map(|l| l.to_string()).unwrap_or_default(),
                &i.promised_limit.map(|l| l.to_string()).unwrap_or_default(),
                &materials.join(";"),
                &fees.join(";"),
                &channels.join(";"),
                &i.legal_basis,
            ]
            .map(|c| crate::text::csv_neutral(c).into_owned()),
        );
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::tests::sample_item;

    #[test]
    fn csv_round_trips() {
        let mut item = sample_item();
        item.fees.push(Fee { name: "工本费".into(), amount_fen: 1050 });
        // A text a spreadsheet would run as a formula goes out neutralised and comes back whole.
        item.legal_basis = "=HYPERLINK(\"http://evil.example\")".into();
        let text = to_csv(std::slice::from_ref(&item));
        assert!(text.contains("'=HYPERLINK") && !text.contains(",=HYPERLINK"), "{text}");
        assert_eq!(parse_csv(&text), Ok(vec![item]));
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        let text = format!(
            "{}\nA1,好,fgw,620100,filing,time_limited,20d,5d,,,window,\nA2,坏,fgw,62010,filing,fast,0d,5d,,,window,\nA1,重复,fgw,620100,filing,same_day,,,,,window,\n",
            CSV_COLUMNS.join(",")
        );
        let errors = parse_csv(&text).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(shown.iter().any(|e| e.starts_with("line 3, column division:")), "{shown:?}");
        assert!(shown.iter().any(|e| e.starts_with("line 3, column category:")), "{shown:?}");
        assert!(shown.iter().any(|e| e.starts_with("line 3, column legal_limit:")), "{shown:?}");
        assert!(shown.iter().any(|e| e.starts_with("line 4, column code:") && e.contains("twice")), "{shown:?}");
    }

    #[test]
    fn malformed_csv_and_wrong_header_are_refused() {
        assert_eq!(parse_csv("a,b\n1,2\n").unwrap_err()[0].line, 1);
        let text = format!("{}\nA1,x\n", CSV_COLUMNS.join(","));
        assert!(parse_csv(&text).unwrap_err()[0].message.contains("malformed"));
    }

    #[test]
    fn yuan_amounts_are_exact() {
        assert_eq!(parse_yuan("10"), Some(1000));
        assert_eq!(parse_yuan("10.5"), Some(1050));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan("1.005"), None);
        assert_eq!(parse_yuan("-1"), None);
        assert_eq!(parse_yuan(""), None);
    }
}
