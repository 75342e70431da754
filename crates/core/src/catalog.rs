//! The versioned catalog (一本账): every item in one version, CSV import/export, and the
//! report of what a reform (三减一压缩) cut between two versions.
//!
//! A reform is a new version; items keep their code across versions, so the report can
//! say which items were removed, added or changed.

use std::collections::HashSet;

use crate::division::DivisionCode;
use crate::item::{
    Category, Channel, Fee, ItemCode, ItemError, ItemKind, MAX_CONDITIONS, MAX_CONTACT, Material, MaterialForm,
    ServiceItem, TimeLimit,
};
use crate::org::{DepartmentCode, SiteCode};

mod guide;
mod reform;

pub use guide::{Guide, Place, guide};

pub use reform::{Change, DepartmentReform, ItemRef, Measures, ReformReport, change_percent, steps_of};

pub use crate::table::RowError;
use crate::table::{Columns, Row, Table};

/// The columns every catalog file has, in order.
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

/// The guide's where, when and who: columns a catalog file may add after
/// [`CSV_COLUMNS`], in any order. A file without them imports as before, its items naming
/// no sites, conditions, steps or contact.
pub const GUIDE_COLUMNS: [&str; 4] = ["sites", "conditions", "steps", "contact"];

/// 证照名称 — a column a catalog file may add after the guide's: the licence an approval
/// of the item issues (empty: none). An export writes it only when some item issues one.
pub const LICENCE_COLUMN: &str = "licence";

/// The optional columns a catalog file may hold, in any order.
const OPTIONAL_COLUMNS: [&str; 5] = ["sites", "conditions", "steps", "contact", LICENCE_COLUMN];

/// Parses a catalog CSV. Checks every row; returns all items, or every bad row.
///
/// Cells: limits as `20d` / `4h` (empty for none); materials as
/// `name|required|original;name|optional|copy`; fees as `name|12.50` (yuan);
/// channels as `window;online`; the optional [`GUIDE_COLUMNS`]: sites as `main;bdc`, steps
/// as `受理;审查;决定;送达` (no empty step), conditions and contact as free text. Item
/// codes must be unique in the file. Checking that departments, divisions and sites exist
/// is the caller's job (they live in the store).
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
    let columns = match table.columns(&CSV_COLUMNS, &OPTIONAL_COLUMNS) {
        Ok(c) => c,
        Err(e) => return (Vec::new(), vec![e]),
    };
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for row in columns.rows(table) {
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
    item_from_cells(|i| match CSV_COLUMNS.get(i).or_else(|| OPTIONAL_COLUMNS.get(i - CSV_COLUMNS.len())) {
        Some(column) => columns.get(row, column),
        None => "",
    })
}

/// An item from its cells, `cell(i)` being the `i`th of [`CSV_COLUMNS`] then
/// [`GUIDE_COLUMNS`] (empty when the file lacks the column).
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
    let sites = keep(&mut errors, parse_sites(cell(12)));
    let steps = keep(&mut errors, parse_steps(cell(14)));
    // The free texts are checked here too, so that a file's every problem shows at once.
    let conditions = keep(&mut errors, free_text("conditions", cell(13), MAX_CONDITIONS));
    let contact = keep(&mut errors, free_text("contact", cell(15), MAX_CONTACT));
    let licence = Some(cell(16).trim()).filter(|l| !l.is_empty()).map(str::to_owned);
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
        Some(sites),
        Some(steps),
        Some(conditions),
        Some(contact),
    ) = (
        code,
        department,
        division,
        kind,
        category,
        legal_limit,
        promised_limit,
        materials,
        fees,
        channels,
        sites,
        steps,
        conditions,
        contact,
    )
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
        sites,
        conditions,
        steps,
        contact,
        licence,
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

fn free_text(field: &'static str, text: &str, max: usize) -> Result<String, ItemError> {
    let t = text.trim();
    crate::text::check(t, max).map(|()| t.to_owned()).map_err(|e| ItemError::new(field, format!("the {field} {e}")))
}

fn parse_sites(text: &str) -> Result<Vec<SiteCode>, ItemError> {
    parse_list(text, |s| SiteCode::parse(s).map_err(|e| ItemError::org("sites", e)))
}

/// Steps as `受理;审查;决定`: each trimmed, none empty (an empty cell is no steps at all).
fn parse_steps(text: &str) -> Result<Vec<String>, ItemError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .map(str::trim)
        .enumerate()
        .map(|(n, step)| {
            if step.is_empty() {
                Err(ItemError::new("steps", format!("step {} is empty; write steps as 受理;审查;决定;送达", n + 1)))
            } else {
                Ok(step.to_owned())
            }
        })
        .collect()
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

/// The columns an export of `items` has: [`CSV_COLUMNS`], [`GUIDE_COLUMNS`], and
/// [`LICENCE_COLUMN`] when some item issues a licence.
pub fn columns_for(items: &[ServiceItem]) -> Vec<&'static str> {
    let licence = items.iter().any(ServiceItem::issues_licence).then_some(LICENCE_COLUMN);
    CSV_COLUMNS.iter().chain(&GUIDE_COLUMNS).copied().chain(licence).collect()
}

/// An item's cells under [`columns_for`] the export it is in (`licence`: whether that has
/// the licence column).
pub fn cells_with(i: &ServiceItem, licence: bool) -> Vec<String> {
    let mut cells = cells(i);
    if licence {
        cells.push(i.licence.clone().unwrap_or_default());
    }
    cells
}

/// An item's cells, under [`CSV_COLUMNS`] then [`GUIDE_COLUMNS`], as a catalog file holds
/// them (not yet neutralised for a spreadsheet: the writer of the file does that).
pub fn cells(i: &ServiceItem) -> Vec<String> {
    let materials: Vec<String> = i
        .materials
        .iter()
        .map(|m| format!("{}|{}|{}", m.name, if m.required { "required" } else { "optional" }, m.form.as_str()))
        .collect();
    let fees: Vec<String> =
        i.fees.iter().map(|f| format!("{}|{}.{:02}", f.name, f.amount_fen / 100, f.amount_fen % 100)).collect();
    let channels: Vec<&str> = i.channels.iter().map(|c| c.as_str()).collect();
    let sites: Vec<&str> = i.sites.iter().map(|s| s.as_str()).collect();
    vec![
        i.code.as_str().to_owned(),
        i.name.clone(),
        i.department.as_str().to_owned(),
        i.division.as_str().to_owned(),
        i.kind.as_str().to_owned(),
        i.category.as_str().to_owned(),
        i.legal_limit.map(|l| l.to_string()).unwrap_or_default(),
        i.promised_limit.map(|l| l.to_string()).unwrap_or_default(),
        materials.join(";"),
        fees.join(";"),
        channels.join(";"),
        i.legal_basis.clone(),
        sites.join(";"),
        i.conditions.clone(),
        i.steps.join(";"),
        i.contact.clone(),
    ]
}

/// Writes items as a catalog CSV that [`parse_csv`] reads back to the same items.
pub fn to_csv(items: &[ServiceItem]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail; the results are checked for form's sake.
    let columns = columns_for(items);
    let licence = columns.contains(&LICENCE_COLUMN);
    let _ = w.write_record(&columns);
    for i in items {
        // Every cell neutralised (CSV injection): parse_csv drops the mark again.
        let _ = w.write_record(cells_with(i, licence).iter().map(|c| crate::text::csv_neutral(c).into_owned()));
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
    fn a_file_of_todays_twelve_columns_imports_with_no_guide() {
        let text = format!("{}\nA1,好,fgw,620100,filing,same_day,,,,,window,依据\n", CSV_COLUMNS.join(","));
        let items = parse_csv(&text).expect("parses");
        assert!(items[0].sites.is_empty() && items[0].steps.is_empty());
        assert!(items[0].conditions.is_empty() && items[0].contact.is_empty());
    }

    #[test]
    fn the_guide_columns_read_in_any_order_and_any_subset() {
        let text = format!(
            "{},steps,sites,contact\nA1,好,fgw,620100,filing,same_day,,,,,window,,受理 ; 审查;办结,main;bdc,0931-1\n",
            CSV_COLUMNS.join(",")
        );
        let items = parse_csv(&text).expect("parses");
        assert_eq!(items[0].steps, ["受理", "审查", "办结"]);
        assert_eq!(items[0].sites.iter().map(SiteCode::as_str).collect::<Vec<_>>(), ["main", "bdc"]);
        assert_eq!(items[0].contact, "0931-1");
        assert!(items[0].conditions.is_empty(), "an absent column reads empty");
        let typo = format!("{},step\n", CSV_COLUMNS.join(","));
        let e = &parse_csv(&typo).unwrap_err()[0];
        assert_eq!(
            e.to_string(),
            "line 1, column step: unknown column `step`: the optional columns are sites,conditions,steps,contact,licence"
        );
    }

    #[test]
    fn a_bad_site_an_empty_step_and_control_characters_are_named_by_column() {
        let text = format!(
            "{},{}\nA1,好,fgw,620100,filing,same_day,,,,,window,,main;b d c,,受理;;办结,\n\
             A2,好,fgw,620100,filing,same_day,,,,,window,,main,\"a\u{7}b\",受理;,\n",
            CSV_COLUMNS.join(","),
            GUIDE_COLUMNS.join(",")
        );
        let shown: Vec<String> = parse_csv(&text).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown.iter().map(|s| s.split(':').next().unwrap_or_default()).collect::<Vec<_>>(),
            ["line 2, column sites", "line 2, column steps", "line 3, column steps", "line 3, column conditions"],
            "{shown:?}"
        );
        assert!(shown[1].contains("step 2 is empty"), "{shown:?}");
        assert!(shown[2].contains("step 2 is empty"), "{shown:?}");
    }

    #[test]
    fn an_export_writes_sixteen_columns_that_import_back() {
        let mut plain = sample_item();
        plain.code = ItemCode::parse("620100-FGW-002").expect("valid");
        plain.sites.clear();
        plain.steps.clear();
        plain.conditions.clear();
        plain.contact.clear();
        let mut full = sample_item();
        full.conditions = "一、申请人为企业；\n二、项目已立项。".into();
        full.sites.push(SiteCode::parse("bdc").expect("valid"));
        let items = vec![full, plain];
        let text = to_csv(&items);
        let header = text.lines().next().unwrap_or_default();
        assert_eq!(header.split(',').count(), 16, "{header}");
        assert!(header.ends_with(",sites,conditions,steps,contact"), "{header}");
        assert!(text.contains(",main;bdc,") && text.contains(",受理;审查;决定;送达,"), "{text}");
        assert_eq!(parse_csv(&text), Ok(items.clone()));
        // An item that issues a licence (证照名称) adds the column, and it reads back.
        let mut licensed = items;
        licensed[1].licence = Some("企业投资项目备案证".into());
        let text = to_csv(&licensed);
        assert!(text.lines().next().unwrap_or_default().ends_with(",contact,licence"), "{text}");
        assert_eq!(parse_csv(&text), Ok(licensed));
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
