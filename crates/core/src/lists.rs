//! The published lists (清单) a center keeps public besides its catalog: the powers and
//! responsibilities (权责清单), the departments' duties (职责清单), the special fiscal funds
//! (财政专项资金管理清单) and the convenience services (便民服务事项).
//!
//! Each list is a table with the columns of its kind ([`ListKind::columns`]), imported from
//! a CSV file or a workbook's sheet and published as a whole new version. This module reads
//! and checks such a table — every problem of the file at once, each named by its line and
//! column — and writes entries back as the same cells, so an export imports again unchanged.
//!
//! ```
//! use std::collections::HashSet;
//! use tongban_core::lists::{ListKind, parse_table};
//! use tongban_core::table::Table;
//!
//! let csv = "code,department,duty,matters,legal_basis\nZZ-1,fgw,拟订发展规划,组织编制规划,三定规定\n";
//! let table = Table::from_csv(Some("duties.csv"), csv.as_bytes()).unwrap();
//! let known: HashSet<String> = ["fgw".to_owned()].into();
//! let entries = parse_table(ListKind::Duties, &table, &known).unwrap();
//! assert_eq!(entries[0].name(), "拟订发展规划");
//! let unknown = parse_table(ListKind::Duties, &table, &HashSet::new()).unwrap_err();
//! assert_eq!(unknown[0].to_string(), "duties.csv line 2, column department: unknown department fgw");
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::org::{DepartmentCode, OrgError, code_type};
use crate::table::{Columns, Row, RowError, Table};
use crate::text;

code_type!(
    /// An entry's code in its list (编码), e.g. `QL-FGW-0001`. Unique within a version.
    EntryCode, "entry code", 64
);

/// The most characters of an entry's name (or a duty's title).
pub const NAME_CHARS: usize = 200;

/// A kind of published list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 权责清单 — the administrative powers each department holds and the responsibility
    /// that comes with each.
    Powers,
    /// 职责清单 — each department's duties and the matters they cover.
    Duties,
    /// 财政专项资金管理清单 — special fiscal funds: who manages them, how much, for what.
    Funds,
    /// 便民服务事项 — convenience services: where, when and whom to call.
    Services,
}

/// A list kind that is not one of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown list {0:?}: one of powers, duties, funds, services")]
pub struct UnknownList(pub String);

impl ListKind {
    /// Every kind, in the order the lists are shown.
    pub const ALL: [ListKind; 4] = [ListKind::Powers, ListKind::Duties, ListKind::Funds, ListKind::Services];

    /// The machine name, as in URLs, file names and sheet names.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Powers => "powers",
            ListKind::Duties => "duties",
            ListKind::Funds => "funds",
            ListKind::Services => "services",
        }
    }

    /// The list's Chinese name, e.g. 权责清单.
    pub fn zh(self) -> &'static str {
        match self {
            ListKind::Powers => "权责清单",
            ListKind::Duties => "职责清单",
            ListKind::Funds => "财政专项资金管理清单",
            ListKind::Services => "便民服务事项",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Result<ListKind, UnknownList> {
        let t = text.trim();
        Self::ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| UnknownList(t.to_owned()))
    }

    /// The columns of its file, in order (every one required in the header).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ListKind::Powers => &["code", "name", "kind", "department", "legal_basis", "responsibility"],
            ListKind::Duties => &["code", "department", "duty", "matters", "legal_basis"],
            ListKind::Funds => &["code", "name", "department", "amount_yuan", "purpose", "legal_basis"],
            ListKind::Services => &["code", "name", "department", "site", "hours", "phone", "guide"],
        }
    }

    /// The columns that may be left empty.
    fn optional_cells(self) -> &'static [&'static str] {
        match self {
            ListKind::Services => &["site"],
            ListKind::Powers | ListKind::Duties | ListKind::Funds => &[],
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of an administrative power (权力类型), as the lists name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PowerKind {
    /// 行政许可 — administrative licensing.
    Licensing,
    /// 行政处罚 — administrative penalty.
    Penalty,
    /// 行政强制 — administrative coercion (measures and enforcement).
    Coercion,
    /// 行政征收 — administrative levy.
    Levy,
    /// 行政给付 — administrative payment (benefits granted).
    Payment,
    /// 行政检查 — administrative inspection.
    Inspection,
    /// 行政确认 — administrative confirmation.
    Confirmation,
    /// 行政奖励 — administrative reward.
    Reward,
    /// 行政裁决 — administrative ruling on disputes.
    Ruling,
    /// 其他行政权力 — any other administrative power.
    Other,
}

impl PowerKind {
    /// Every kind, in the order the lists give them.
    pub const ALL: [PowerKind; 10] = [
        PowerKind::Licensing,
        PowerKind::Penalty,
        PowerKind::Coercion,
        PowerKind::Levy,
        PowerKind::Payment,
        PowerKind::Inspection,
        PowerKind::Confirmation,
        PowerKind::Reward,
        PowerKind::Ruling,
        PowerKind::Other,
    ];

    /// Its name as written in the lists (and in the `kind` column), e.g. 行政许可.
    pub fn zh(self) -> &'static str {
        match self {
            PowerKind::Licensing => "行政许可",
            PowerKind::Penalty => "行政处罚",
            PowerKind::Coercion => "行政强制",
            PowerKind::Levy => "行政征收",
            PowerKind::Payment => "行政给付",
            PowerKind::Inspection => "行政检查",
            PowerKind::Confirmation => "行政确认",
            PowerKind::Reward => "行政奖励",
            PowerKind::Ruling => "行政裁决",
            PowerKind::Other => "其他行政权力",
        }
    }

    /// Parses the name exactly as written; the error lists the ten names.
    pub fn parse(text: &str) -> Result<PowerKind, String> {
        let t = text.trim();
        Self::ALL.into_iter().find(|k| k.zh() == t).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.zh()).collect();
            format!("unknown kind {t:?}: one of {}", names.join(", "))
        })
    }
}

impl TryFrom<String> for PowerKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<PowerKind> for String {
    fn from(k: PowerKind) -> String {
        k.zh().to_owned()
    }
}

/// An entry of the powers list (权责清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Power {
    /// 权力编码.
    pub code: EntryCode,
    /// 权力名称.
    pub name: String,
    /// 权力类型.
    pub kind: PowerKind,
    /// 实施部门.
    pub department: DepartmentCode,
    /// 设定依据 — the laws that set the power.
    pub legal_basis: String,
    /// 责任事项 — what the department answers for in exercising it.
    pub responsibility: String,
}

/// An entry of the duties list (职责清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duty {
    /// 编码.
    pub code: EntryCode,
    /// 部门.
    pub department: DepartmentCode,
    /// 主要职责 — the duty.
    pub duty: String,
    /// 具体事项 — the matters it covers.
    pub matters: String,
    /// 职责依据 — where it is set (a 三定 provision, a law).
    pub legal_basis: String,
}

/// An entry of the special funds list (财政专项资金管理清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    /// 编码.
    pub code: EntryCode,
    /// 专项资金名称.
    pub name: String,
    /// 主管部门.
    pub department: DepartmentCode,
    /// 资金规模, in fen (the file gives yuan with at most two decimals).
    pub amount_fen: u64,
    /// 支持方向 — what it pays for.
    pub purpose: String,
    /// 设立依据.
    pub legal_basis: String,
}

/// An entry of the convenience services (便民服务事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// 编码.
    pub code: EntryCode,
    /// 服务名称.
    pub name: String,
    /// 提供部门.
    pub department: DepartmentCode,
    /// 办理地点, e.g. a window of the hall; empty when served by phone or online only.
    pub site: String,
    /// 服务时间.
    pub hours: String,
    /// 咨询电话.
    pub phone: String,
    /// 办事指引 — how to get it.
    pub guide: String,
}

/// An entry of any list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Of [`ListKind::Powers`].
    Power(Power),
    /// Of [`ListKind::Duties`].
    Duty(Duty),
    /// Of [`ListKind::Funds`].
    Fund(Fund),
    /// Of [`ListKind::Services`].
    Service(Service),
}

impl Entry {
    /// The list it belongs to.
    pub fn kind(&self) -> ListKind {
        match self {
            Entry::Power(_) => ListKind::Powers,
            Entry::Duty(_) => ListKind::Duties,
            Entry::Fund(_) => ListKind::Funds,
            Entry::Service(_) => ListKind::Services,
        }
    }

    /// Its code.
    pub fn code(&self) -> &EntryCode {
        match self {
            Entry::Power(e) => &e.code,
            Entry::Duty(e) => &e.code,
            Entry::Fund(e) => &e.code,
            Entry::Service(e) => &e.code,
        }
    }

    /// What it is called: its name, or a duty's text.
    pub fn name(&self) -> &str {
        match self {
            Entry::Power(e) => &e.name,
            Entry::Duty(e) => &e.duty,
            Entry::Fund(e) => &e.name,
            Entry::Service(e) => &e.name,
        }
    }

    /// Its department.
    pub fn department(&self) -> &DepartmentCode {
        match self {
            Entry::Power(e) => &e.department,
            Entry::Duty(e) => &e.department,
            Entry::Fund(e) => &e.department,
            Entry::Service(e) => &e.department,
        }
    }

    /// Its cells, in the order of [`ListKind::columns`], as a file holds them; reading
    /// them back gives the same entry.
    pub fn cells(&self) -> Vec<String> {
        match self {
            Entry::Power(e) => vec![
                e.code.to_string(),
                e.name.clone(),
                e.kind.zh().to_owned(),
                e.department.to_string(),
                e.legal_basis.clone(),
                e.responsibility.clone(),
            ],
            Entry::Duty(e) => vec![
                e.code.to_string(),
                e.department.to_string(),
                e.duty.clone(),
                e.matters.clone(),
                e.legal_basis.clone(),
            ],
            Entry::Fund(e) => vec![
                e.code.to_string(),
                e.name.clone(),
                e.department.to_string(),
                yuan(e.amount_fen),
                e.purpose.clone(),
                e.legal_basis.clone(),
            ],
            Entry::Service(e) => vec![
                e.code.to_string(),
                e.name.clone(),
                e.department.to_string(),
                e.site.clone(),
                e.hours.clone(),
                e.phone.clone(),
                e.guide.clone(),
            ],
        }
    }

    /// What a search looks in, lower-cased: every cell and the department's name.
    pub fn search_text(&self, department_name: &str) -> String {
        let mut cells = self.cells();
        cells.push(department_name.to_owned());
        cells.join("\n").to_lowercase()
    }
}

/// The words of a search, lower-cased as [`Entry::search_text`] is: an entry matches when
/// its text holds every one. Empty for an empty search.
pub fn search_terms(q: &str) -> Vec<String> {
    text::search_words(q).map_or_else(Vec::new, |w| w.to_lowercase().split(' ').map(str::to_owned).collect())
}

/// Fen as yuan with two decimals, e.g. `1200000.00`.
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Reads and checks a list of `kind` from `table`: the header must be the kind's columns in
/// order; every row's code must be unique in the file, its required cells filled, its
/// department one of `departments` (codes), its power kind one of the ten and its amount
/// yuan with at most two decimals. Answers every entry in file order, or every problem,
/// by line and then column. A table without rows is refused too: a list is never empty.
pub fn parse_table(kind: ListKind, table: &Table, departments: &HashSet<String>) -> Result<Vec<Entry>, Vec<RowError>> {
    let columns = table.columns(kind.columns(), &[]).map_err(|e| vec![e])?;
    let rows = columns.rows(table);
    if rows.is_empty() {
        return Err(vec![table.error(
            table.header_number,
            None,
            "the list holds no entries: add rows under the header",
        )]);
    }
    let mut entries = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for row in rows {
        let mut cells = Cells { kind, columns: &columns, row, problems: Vec::new() };
        let entry = cells.entry(departments);
        let code = cells.get("code").to_owned();
        let mut problems = cells.problems;
        if !code.is_empty() {
            if let Some(first) = first_line.get(&code) {
                problems.push(("code", format!("code {code} appears twice in the file (first at line {first})")));
            } else {
                first_line.insert(code, row.number);
            }
        }
        let order = |c: &str| kind.columns().iter().position(|k| *k == c);
        problems.sort_by_key(|(c, _)| order(c));
        errors.extend(problems.into_iter().map(|(c, why)| table.error(row.number, Some(c), why)));
        entries.extend(entry);
    }
    if errors.is_empty() { Ok(entries) } else { Err(errors) }
}

/// One row being read: its cells by column, and the problems found so far.
struct Cells<'a> {
    kind: ListKind,
    columns: &'a Columns,
    row: &'a Row,
    problems: Vec<(&'static str, String)>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> &str {
        self.columns.get(self.row, column)
    }

    /// The text of `column`, checked: filled (unless optional) and within `max` characters.
    fn text(&mut self, column: &'static str, max: usize) -> Option<String> {
        let value = self.get(column).to_owned();
        if value.is_empty() && !self.kind.optional_cells().contains(&column) {
            self.problems.push((column, "is empty".into()));
            return None;
        }
        match text::check(&value, max) {
            Ok(()) => Some(value),
            Err(e) => {
                self.problems.push((column, e.to_string()));
                None
            }
        }
    }

    fn parsed<T>(&mut self, column: &'static str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let value = self.text(column, text::FIELD)?;
        parse(&value).map_err(|why| self.problems.push((column, why))).ok()
    }

    fn department(&mut self, known: &HashSet<String>) -> Option<DepartmentCode> {
        let code = self.parsed("department", |t| DepartmentCode::parse(t).map_err(|e: OrgError| e.to_string()))?;
        if known.contains(code.as_str()) {
            Some(code)
        } else {
            self.problems.push(("department", format!("unknown department {code}")));
            None
        }
    }

    /// The row's entry, or none with the problems recorded. Every cell is checked, so a
    /// row with several problems names them all.
    fn entry(&mut self, departments: &HashSet<String>) -> Option<Entry> {
        let code = self.parsed("code", |t| EntryCode::parse(t).map_err(|e| e.to_string()));
        let department = self.department(departments);
        let field = text::FIELD;
        Some(match self.kind {
            ListKind::Powers => {
                let name = self.text("name", NAME_CHARS);
                let kind = self.parsed("kind", PowerKind::parse);
                let (legal_basis, responsibility) =
                    (self.text("legal_basis", field), self.text("responsibility", field));
                Entry::Power(Power {
                    code: code?,
                    name: name?,
                    kind: kind?,
                    department: department?,
                    legal_basis: legal_basis?,
                    responsibility: responsibility?,
                })
            }
            ListKind::Duties => {
                let (duty, matters) = (self.text("duty", field), self.text("matters", field));
                let legal_basis = self.text("legal_basis", field);
                Entry::Duty(Duty {
                    code: code?,
                    department: department?,
                    duty: duty?,
                    matters: matters?,
                    legal_basis: legal_basis?,
                })
            }
            ListKind::Funds => {
                let name = self.text("name", NAME_CHARS);
                let amount = self.parsed("amount_yuan", |t| {
                    parse_amount(t).ok_or_else(|| {
                        format!("amount {t:?} must be yuan with at most two decimals, e.g. 1200000 or 350000.50")
                    })
                });
                let (purpose, legal_basis) = (self.text("purpose", field), self.text("legal_basis", field));
                Entry::Fund(Fund {
                    code: code?,
                    name: name?,
                    department: department?,
                    amount_fen: amount?,
                    purpose: purpose?,
                    legal_basis: legal_basis?,
                })
            }
            ListKind::Services => {
                let name = self.text("name", NAME_CHARS);
                let site = self.text("site", text::NOTE);
                let hours = self.text("hours", text::NOTE);
                let phone = self.text("phone", text::NAME);
                let guide = self.text("guide", field);
                Entry::Service(Service {
                    code: code?,
                    name: name?,
                    department: department?,
                    site: site?,
                    hours: hours?,
                    phone: phone?,
                    guide: guide?,
                })
            }
        })
    }
}

/// Yuan as typed into a list, into fen: digits with at most two decimals; thousands
/// separators (`1,200,000.00`, as a spreadsheet shows money) are allowed.
fn parse_amount(text: &str) -> Option<u64> {
    let plain: String = text.chars().filter(|c| *c != ',').collect();
    crate::catalog::parse_yuan(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<String> {
        ["fgw".to_owned(), "zjj".to_owned()].into()
    }

    fn read(kind: ListKind, csv: &str) -> Result<Vec<Entry>, Vec<String>> {
        let shown = |e: Vec<RowError>| e.iter().map(ToString::to_string).collect::<Vec<_>>();
        let table = Table::from_csv(None, csv.as_bytes()).map_err(shown)?;
        parse_table(kind, &table, &known()).map_err(shown)
    }

    #[test]
    fn a_powers_file_reads_into_typed_entries_that_write_back_the_same_cells() {
        let csv = "code,name,kind,department,legal_basis,responsibility\n\
                   QL-1,企业投资项目核准,行政许可,fgw,《企业投资项目核准和备案管理条例》,受理责任；审查责任\n";
        let entries = read(ListKind::Powers, csv).expect("valid");
        let Entry::Power(p) = &entries[0] else { panic!("a power") };
        assert_eq!((p.kind, p.department.as_str()), (PowerKind::Licensing, "fgw"));
        let again = csv.lines().nth(1).expect("row").split(',').collect::<Vec<_>>();
        assert_eq!(entries[0].cells(), again);
    }

    #[test]
    fn every_problem_of_a_file_is_named_by_line_and_column_in_one_pass() {
        let csv = "code,name,kind,department,legal_basis,responsibility\n\
                   QL-1,甲,行政许可,fgw,法,责\n\
                   QL-2,乙,行政审批,nosuch,法,责\n\
                   \n\
                   QL-1,丙,行政处罚,zjj,,责\n";
        let errors = read(ListKind::Powers, csv).unwrap_err();
        assert_eq!(
            errors,
            [
                "line 3, column kind: unknown kind \"行政审批\": one of 行政许可, 行政处罚, 行政强制, 行政征收, \
                 行政给付, 行政检查, 行政确认, 行政奖励, 行政裁决, 其他行政权力",
                "line 3, column department: unknown department nosuch",
                "line 5, column code: code QL-1 appears twice in the file (first at line 2)",
                "line 5, column legal_basis: is empty",
            ]
        );
    }

    #[test]
    fn amounts_are_exact_yuan_and_stored_as_fen() {
        let head = "code,name,department,amount_yuan,purpose,legal_basis\n";
        let ok = read(ListKind::Funds, &format!("{head}ZJ-1,基金,fgw,\"1,200,000.50\",扶持,办法\n")).expect("valid");
        let Entry::Fund(f) = &ok[0] else { panic!("a fund") };
        assert_eq!(f.amount_fen, 120_000_050);
        assert_eq!(ok[0].cells()[3], "1200000.50");
        for bad in ["12.345", "-5", "一百万", "1e6"] {
            let errors = read(ListKind::Funds, &format!("{head}ZJ-1,基金,fgw,{bad},扶持,办法\n")).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
            assert!(errors[0].starts_with("line 2, column amount_yuan: amount "), "{}", errors[0]);
        }
    }

    #[test]
    fn a_service_may_leave_its_site_empty_but_not_its_phone() {
        let head = "code,name,department,site,hours,phone,guide\n";
        let ok = read(ListKind::Services, &format!("{head}BM-1,社保查询,zjj,,工作日 9:00-17:00,0931-12333,网上查询\n"));
        assert!(ok.is_ok(), "{ok:?}");
        let errors = read(ListKind::Services, &format!("{head}BM-1,社保查询,zjj,,全天,,网上查询\n")).unwrap_err();
        assert_eq!(errors, ["line 2, column phone: is empty"]);
    }

    #[test]
    fn a_wrong_header_or_an_empty_list_is_refused_at_the_header() {
        let errors = read(ListKind::Duties, "code,duty\nA,b\n").unwrap_err();
        assert!(errors[0].starts_with("line 1: header must be `code,department,duty,matters,legal_basis`"));
        let errors = read(ListKind::Duties, "code,department,duty,matters,legal_basis\n").unwrap_err();
        assert_eq!(errors, ["line 1: the list holds no entries: add rows under the header"]);
    }

    #[test]
    fn kinds_parse_by_machine_name_and_search_terms_are_lower_case_words() {
        assert_eq!(ListKind::parse("funds"), Ok(ListKind::Funds));
        assert!(ListKind::parse("权责清单").unwrap_err().to_string().contains("powers, duties, funds, services"));
        assert_eq!(search_terms("  Fire  检查\u{7} "), ["fire", "检查"]);
        assert!(search_terms(" ").is_empty());
    }
}
