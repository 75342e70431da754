//! An organisation from the spreadsheets a center already keeps: divisions, sites,
//! departments, windows and staff, each a table with fixed columns, checked whole — every
//! row's syntax and every reference (to the file's other rows or to what is stored)
//! together — before anything is written.
//!
//! Imports are keyed by code (login for staff): a row equal to what is stored changes
//! nothing, a changed row updates it, so importing the same file twice is harmless.
//! Editing one thing on a page or over the API is the same check on a one-row table.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;

use super::{Department, DepartmentCode, Position, Site, SiteCode, StaffId, Window, WindowCode, check_name};
use crate::division::{Division, DivisionCode, DivisionLevel};
use crate::identity::Role;
use crate::table::{Columns, Row, RowError, Table};

/// A kind of organisational record, named as its file or sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 行政区划.
    Divisions,
    /// 办事地点.
    Sites,
    /// 部门.
    Departments,
    /// 窗口.
    Windows,
    /// 工作人员.
    Staff,
}

impl OrgKind {
    /// Every kind, in the order references run (a site needs its division, …).
    pub const ALL: [OrgKind; 5] = [Self::Divisions, Self::Sites, Self::Departments, Self::Windows, Self::Staff];

    /// The file's or sheet's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Divisions => "divisions",
            Self::Sites => "sites",
            Self::Departments => "departments",
            Self::Windows => "windows",
            Self::Staff => "staff",
        }
    }

    /// Parses a name.
    pub fn parse(text: &str) -> Option<OrgKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// The columns of its table, in order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Divisions => &["code", "name", "parent"],
            Self::Sites => &["code", "name", "division", "address", "hours", "phone"],
            Self::Departments => &["code", "name", "division", "site"],
            Self::Windows => &["code", "name", "department", "site"],
            Self::Staff => &["login", "name", "role", "department", "window", "phone"],
        }
    }
}

/// A member of staff as the staff table lists them; their account is keyed by login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    /// Login name.
    pub login: StaffId,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Department (required for a department's staff).
    pub department: Option<DepartmentCode>,
    /// The window they sit at.
    pub window: Option<WindowCode>,
    /// Phone.
    pub phone: Option<String>,
}

impl StaffRecord {
    /// Where the record puts them in the delegation chain: a department head heads it.
    pub fn position(&self) -> Option<Position> {
        match self.role {
            Role::DepartmentHead => Some(Position::Head),
            r if r.is_department_staff() => Some(Position::Staff),
            _ => None,
        }
    }
}

/// One record of any kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Record {
    /// A division.
    Division(Division),
    /// A site.
    Site(Site),
    /// A department.
    Department(Department),
    /// A window.
    Window(Window),
    /// A member of staff.
    Staff(StaffRecord),
}

impl Record {
    /// Its kind.
    pub fn kind(&self) -> OrgKind {
        match self {
            Self::Division(_) => OrgKind::Divisions,
            Self::Site(_) => OrgKind::Sites,
            Self::Department(_) => OrgKind::Departments,
            Self::Window(_) => OrgKind::Windows,
            Self::Staff(_) => OrgKind::Staff,
        }
    }

    /// Its key: code, or login for staff.
    pub fn key(&self) -> &str {
        match self {
            Self::Division(d) => d.code.as_str(),
            Self::Site(s) => s.code.as_str(),
            Self::Department(d) => d.code.as_str(),
            Self::Window(w) => w.code.as_str(),
            Self::Staff(s) => s.login.as_str(),
        }
    }

    /// Its cells, in its table's column order (for exports).
    pub fn cells(&self) -> Vec<String> {
        let opt = |o: Option<&str>| o.unwrap_or("").to_owned();
        match self {
            Self::Division(d) => vec![d.code.to_string(), d.name.clone(), opt(d.parent.as_ref().map(|p| p.as_str()))],
            Self::Site(s) => vec![
                s.code.to_string(),
                s.name.clone(),
                s.division.to_string(),
                s.address.clone(),
                s.hours.clone(),
                s.phone.clone(),
            ],
            Self::Department(d) => {
                vec![
                    d.code.to_string(),
                    d.name.clone(),
                    d.division.to_string(),
                    opt(d.site.as_ref().map(|s| s.as_str())),
                ]
            }
            Self::Window(w) => vec![
                w.code.to_string(),
                w.name.clone(),
                opt(w.department.as_ref().map(|d| d.as_str())),
                opt(w.site.as_ref().map(|s| s.as_str())),
            ],
            Self::Staff(s) => vec![
                s.login.to_string(),
                s.name.clone(),
                s.role.to_string(),
                opt(s.department.as_ref().map(|d| d.as_str())),
                opt(s.window.as_ref().map(|w| w.as_str())),
                opt(s.phone.as_deref()),
            ],
        }
    }
}

/// Something stored, and whether it was retired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    /// The thing.
    pub value: T,
    /// Retired things keep their history but take no new references.
    pub retired: bool,
}

/// The organisation as stored now: what rows may refer to, and what they would change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Divisions by code.
    pub divisions: BTreeMap<DivisionCode, Stored<Division>>,
    /// Sites by code.
    pub sites: BTreeMap<SiteCode, Stored<Site>>,
    /// Departments by code.
    pub departments: BTreeMap<DepartmentCode, Stored<Department>>,
    /// Windows by code.
    pub windows: BTreeMap<WindowCode, Stored<Window>>,
    /// Staff accounts by login (disabled ones count as retired).
    pub staff: BTreeMap<String, Stored<StaffRecord>>,
    /// Logins held by applicants: no staff row may take one.
    pub applicant_logins: BTreeSet<String>,
}

/// What importing a record does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// It is new.
    Create,
    /// It exists and the row changes it (or brings a retired one back).
    Update,
    /// It exists exactly so.
    Unchanged,
}

impl Known {
    /// What storing `record` would do.
    pub fn effect_of(&self, record: &Record) -> Effect {
        fn of<K: Ord, T: PartialEq>(map: &BTreeMap<K, Stored<T>>, key: &K, value: &T) -> Effect {
            match map.get(key) {
                None => Effect::Create,
                Some(s) if !s.retired && &s.value == value => Effect::Unchanged,
                Some(_) => Effect::Update,
            }
        }
        match record {
            Record::Division(d) => of(&self.divisions, &d.code, d),
            Record::Site(s) => of(&self.sites, &s.code, s),
            Record::Department(d) => of(&self.departments, &d.code, d),
            Record::Window(w) => of(&self.windows, &w.code, w),
            Record::Staff(s) => of(&self.staff, &s.login.to_string(), s),
        }
    }

    /// Adds (or replaces) a record, as if it were stored: later rows see earlier ones.
    fn put(&mut self, record: Record) {
        match record {
            Record::Division(d) => drop(self.divisions.insert(d.code.clone(), Stored { value: d, retired: false })),
            Record::Site(s) => drop(self.sites.insert(s.code.clone(), Stored { value: s, retired: false })),
            Record::Department(d) => drop(self.departments.insert(d.code.clone(), Stored { value: d, retired: false })),
            Record::Window(w) => drop(self.windows.insert(w.code.clone(), Stored { value: w, retired: false })),
            Record::Staff(s) => drop(self.staff.insert(s.login.to_string(), Stored { value: s, retired: false })),
        }
    }
}

/// A problem with one field of a record: its column and why.
pub type FieldError = (&'static str, String);

/// Reads and checks every row of `tables` (each of its kind) against `known` and each
/// other, in one pass. Returns the records in reference order (divisions first), or every
/// problem of every table, in table then line order.
pub fn check(tables: &[(OrgKind, &Table)], known: &Known) -> Result<Vec<Record>, Vec<RowError>> {
    // Each error with its table's place in `tables`, to list them table by table, line by line.
    let mut errors: Vec<(usize, RowError)> = Vec::new();
    // Each table's good rows: its kind, place in `tables`, the table, and (line, record).
    type Parsed<'t> = (OrgKind, usize, &'t Table, Vec<(u64, Record)>);
    let mut parsed: Vec<Parsed> = Vec::new();
    let mut seen_kinds = HashSet::new();
    for (at, &(kind, table)) in tables.iter().enumerate() {
        if !seen_kinds.insert(kind) {
            errors.push((at, table.error(table.header_number, None, format!("a second {} table", kind.as_str()))));
            continue;
        }
        let columns = match table.columns(kind.columns(), &[]) {
            Ok(c) => c,
            Err(e) => {
                errors.push((at, e));
                continue;
            }
        };
        let mut rows = Vec::new();
        let mut keys = HashSet::new();
        for row in columns.rows(table) {
            match parse_row(kind, &columns, row) {
                Ok(record) => {
                    if !keys.insert(record.key().to_owned()) {
                        let column = kind.columns()[0];
                        let why = format!("{} appears twice in the file", record.key());
                        errors.push((at, table.error(row.number, Some(column), why)));
                    } else {
                        rows.push((row.number, record));
                    }
                }
                Err(es) => errors.extend(es.into_iter().map(|(c, m)| (at, table.error(row.number, Some(c), m)))),
            }
        }
        parsed.push((kind, at, table, rows));
    }
    // References resolve against what is stored overlaid with every good row of the file,
    // so a file may name a department defined further down or in another sheet.
    let mut view = known.clone();
    for (_, _, _, rows) in &parsed {
        for (_, record) in rows {
            view.put(record.clone());
        }
    }
    parsed.sort_by_key(|(kind, ..)| *kind);
    let mut records = Vec::new();
    for (_, at, table, rows) in parsed {
        for (number, record) in rows {
            let problems = references(&record, &view, known);
            if problems.is_empty() {
                records.push(record);
            } else {
                errors.extend(problems.into_iter().map(|(c, m)| (at, table.error(number, Some(c), m))));
            }
        }
    }
    if errors.is_empty() {
        return Ok(records);
    }
    errors.sort_by_key(|(at, e)| (*at, e.line));
    Err(errors.into_iter().map(|(_, e)| e).collect())
}

/// Reads one row of a `kind` table into a record, listing every bad cell.
pub fn parse_row(kind: OrgKind, columns: &Columns, row: &Row) -> Result<Record, Vec<FieldError>> {
    let mut errors = Vec::new();
    let cell = |c: &str| columns.get(row, c).trim();
    fn keep<T>(errors: &mut Vec<FieldError>, column: &'static str, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| errors.push((column, e))).ok()
    }
    let record = match kind {
        OrgKind::Divisions => {
            let code = keep(&mut errors, "code", DivisionCode::parse(cell("code")).map_err(|e| e.to_string()));
            let name = keep(&mut errors, "name", name("name", cell("name")));
            let parent = keep(
                &mut errors,
                "parent",
                optional(cell("parent"), |t| DivisionCode::parse(t).map_err(|e| e.to_string())),
            );
            match (code, name, parent) {
                (Some(code), Some(name), Some(parent)) => {
                    let level = match &parent {
                        None => code.level(),
                        Some(p) => match p.level() {
                            DivisionLevel::Province => DivisionLevel::City,
                            _ => DivisionLevel::County,
                        },
                    };
                    keep(&mut errors, "parent", Division::new(code, name, parent, level).map_err(|e| e.to_string()))
                        .map(Record::Division)
                }
                _ => None,
            }
        }
        OrgKind::Sites => {
            let code = keep(&mut errors, "code", SiteCode::parse(cell("code")).map_err(|e| e.to_string()));
            let name = keep(&mut errors, "name", name("name", cell("name")));
            let division =
                keep(&mut errors, "division", DivisionCode::parse(cell("division")).map_err(|e| e.to_string()));
            let address = keep(&mut errors, "address", text(cell("address"), crate::text::NOTE));
            let hours = keep(&mut errors, "hours", text(cell("hours"), crate::text::NAME));
            let phone = keep(&mut errors, "phone", text(cell("phone"), crate::text::PHONE));
            match (code, name, division, address, hours, phone) {
                (Some(code), Some(name), Some(division), Some(address), Some(hours), Some(phone)) => {
                    Some(Record::Site(Site { code, name, division, address, hours, phone }))
                }
                _ => None,
            }
        }
        OrgKind::Departments => {
            let code = keep(&mut errors, "code", DepartmentCode::parse(cell("code")).map_err(|e| e.to_string()));
            let name = keep(&mut errors, "name", name("name", cell("name")));
            let division =
                keep(&mut errors, "division", DivisionCode::parse(cell("division")).map_err(|e| e.to_string()));
            let site =
                keep(&mut errors, "site", optional(cell("site"), |t| SiteCode::parse(t).map_err(|e| e.to_string())));
            match (code, name, division, site) {
                (Some(code), Some(name), Some(division), Some(site)) => {
                    Some(Record::Department(Department { code, name, division, site }))
                }
                _ => None,
            }
        }
        OrgKind::Windows => {
            let code = keep(&mut errors, "code", WindowCode::parse(cell("code")).map_err(|e| e.to_string()));
            let name = keep(&mut errors, "name", name("name", cell("name")));
            let department = keep(
                &mut errors,
                "department",
                optional(cell("department"), |t| DepartmentCode::parse(t).map_err(|e| e.to_string())),
            );
            let site =
                keep(&mut errors, "site", optional(cell("site"), |t| SiteCode::parse(t).map_err(|e| e.to_string())));
            match (code, name, department, site) {
                (Some(code), Some(name), Some(department), Some(site)) => {
                    Some(Record::Window(Window { code, name, department, site }))
                }
                _ => None,
            }
        }
        OrgKind::Staff => {
            let login = keep(&mut errors, "login", StaffId::parse(cell("login")).map_err(|e| e.to_string()));
            let name = keep(&mut errors, "name", name("name", cell("name")));
            let role = keep(&mut errors, "role", staff_role(cell("role")));
            let department = keep(
                &mut errors,
                "department",
                optional(cell("department"), |t| DepartmentCode::parse(t).map_err(|e| e.to_string())),
            );
            let window = keep(
                &mut errors,
                "window",
                optional(cell("window"), |t| WindowCode::parse(t).map_err(|e| e.to_string())),
            );
            let phone = keep(&mut errors, "phone", optional(cell("phone"), |t| text(t, crate::text::PHONE)));
            match (login, name, role, department, window, phone) {
                (Some(login), Some(name), Some(role), Some(department), Some(window), Some(phone)) => {
                    if role.is_department_staff() && department.is_none() {
                        errors.push(("department", format!("a {role} belongs to a department: name it")));
                        None
                    } else {
                        Some(Record::Staff(StaffRecord { login, name, role, department, window, phone }))
                    }
                }
                _ => None,
            }
        }
    };
    match record {
        Some(r) if errors.is_empty() => Ok(r),
        _ => Err(errors),
    }
}

/// The roles a staff table may give, by machine or Chinese name: every role but the
/// public's and applicants'.
fn staff_role(text: &str) -> Result<Role, String> {
    let staff: Vec<&str> =
        Role::ALL.into_iter().filter(|r| !matches!(r, Role::Public | Role::Applicant)).map(Role::as_str).collect();
    // A center's own staff list may name the role in Chinese (窗口人员).
    let role = Role::parse(text).or_else(|| Role::ALL.into_iter().find(|r| r.zh() == text.trim()));
    match role {
        Some(r) if staff.contains(&r.as_str()) => Ok(r),
        _ if text.is_empty() => Err(format!("is empty; give one of {}", staff.join(", "))),
        _ => Err(format!("unknown role {text:?}; give one of {}", staff.join(", "))),
    }
}

fn name(what: &'static str, text: &str) -> Result<String, String> {
    check_name(what, text, crate::text::NAME).map_err(|e| e.to_string())
}

fn text(value: &str, max: usize) -> Result<String, String> {
    crate::text::check(value, max).map(|()| value.to_owned()).map_err(|e| e.to_string())
}

fn optional<T>(text: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if text.is_empty() { Ok(None) } else { parse(text).map(Some) }
}

/// Whether `record`'s references hold in `view` (stored overlaid with the file); `known`
/// is what is stored, to refuse taking an applicant's login.
fn references(record: &Record, view: &Known, known: &Known) -> Vec<FieldError> {
    let mut errors = Vec::new();
    fn live<'a, K: Ord, T>(
        map: &'a BTreeMap<K, Stored<T>>,
        key: &K,
        what: &str,
        shown: &dyn std::fmt::Display,
    ) -> Result<&'a T, String> {
        match map.get(key) {
            None => Err(format!("unknown {what} {shown}")),
            Some(s) if s.retired => Err(format!("{what} {shown} is retired")),
            Some(s) => Ok(&s.value),
        }
    }
    // A site serves its division; what is placed at a site must belong to that division
    // or to a division it lies within.
    let site_within = |site: &SiteCode, division: &DivisionCode, errors: &mut Vec<FieldError>| match live(
        &view.sites,
        site,
        "site",
        site,
    ) {
        Ok(s) if !s.division.is_within(division) => {
            errors.push(("site", format!("site {site} is in division {}, outside division {division}", s.division)))
        }
        Ok(_) => {}
        Err(e) => errors.push(("site", e)),
    };
    match record {
        Record::Division(d) => {
            if let Some(p) = &d.parent
                && let Err(e) = live(&view.divisions, p, "division", p)
            {
                errors.push(("parent", e));
            }
        }
        Record::Site(s) => {
            if let Err(e) = live(&view.divisions, &s.division, "division", &s.division) {
                errors.push(("division", e));
            }
        }
        Record::Department(d) => {
            let division = live(&view.divisions, &d.division, "division", &d.division);
            match (&d.site, division) {
                (Some(site), Ok(_)) => site_within(site, &d.division, &mut errors),
                (site, Err(e)) => {
                    errors.push(("division", e));
                    // Whether the site lies within an unknown division cannot be said.
                    if let Some(site) = site
                        && let Err(e) = live(&view.sites, site, "site", site)
                    {
                        errors.push(("site", e));
                    }
                }
                (None, Ok(_)) => {}
            }
        }
        Record::Window(w) => {
            let department = match &w.department {
                Some(code) => match live(&view.departments, code, "department", code) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.push(("department", e));
                        None
                    }
                },
                None => None,
            };
            match (&w.site, department) {
                (Some(site), Some(d)) => site_within(site, &d.division, &mut errors),
                (Some(site), None) => {
                    if let Err(e) = live(&view.sites, site, "site", site) {
                        errors.push(("site", e));
                    }
                }
                _ => {}
            }
        }
        Record::Staff(s) => {
            if known.applicant_logins.contains(s.login.as_str()) {
                errors.push(("login", format!("{} is an applicant's login", s.login)));
            }
            if let Some(code) = &s.department
                && let Err(e) = live(&view.departments, code, "department", code)
            {
                errors.push(("department", e));
            }
            if let Some(code) = &s.window {
                match live(&view.windows, code, "window", code) {
                    Ok(w) => {
                        if let Some(wd) = &w.department
                            && s.department.as_ref() != Some(wd)
                        {
                            let theirs = s.department.as_ref().map_or("no department".to_owned(), |d| format!("{d}"));
                            errors.push(("window", format!("window {code} belongs to department {wd}, not {theirs}")));
                        }
                    }
                    Err(e) => errors.push(("window", e)),
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, text: &str) -> Table {
        Table::from_csv(Some(name), text.as_bytes()).expect("csv")
    }

    fn run(files: &[(OrgKind, &str)]) -> Result<Vec<Record>, Vec<String>> {
        let tables: Vec<Table> = files.iter().map(|(k, t)| table(&format!("{}.csv", k.as_str()), t)).collect();
        let pairs: Vec<(OrgKind, &Table)> = files.iter().map(|(k, _)| *k).zip(tables.iter()).collect();
        check(&pairs, &Known::default()).map_err(|es| es.iter().map(ToString::to_string).collect())
    }

    const DIVISIONS: &str =
        "code,name,parent\n620000,甘肃省,\n620100,兰州市,620000\n620102,城关区,620100\n630100,西宁市,\n";
    const SITES: &str = "code,name,division,address,hours,phone\nmain,市政务服务中心,620100,北滨河路,9:00-17:00,0931-1\nxn,西宁大厅,630100,,,\n";

    #[test]
    fn a_whole_organisation_checks_in_reference_order() {
        let records = run(&[
            (OrgKind::Staff, "login,name,role,department,window,phone\nfgw.wang,王芳,window_clerk,fgw,W1,\nfgw.li,李强,department_head,fgw,,\n"),
            (OrgKind::Windows, "code,name,department,site\nW1,发改窗口,fgw,main\nZH1,综合窗口一,,main\n"),
            (OrgKind::Departments, "code,name,division,site\nfgw,发改委,620100,main\n"),
            (OrgKind::Sites, SITES),
            (OrgKind::Divisions, DIVISIONS),
        ])
        .expect("valid");
        let kinds: Vec<OrgKind> = records.iter().map(Record::kind).collect();
        assert!(kinds.is_sorted(), "{kinds:?}");
        assert_eq!(records.len(), 4 + 2 + 1 + 2 + 2);
        let Record::Division(lz) = &records[1] else { panic!() };
        assert_eq!(lz.level, DivisionLevel::City);
    }

    #[test]
    fn every_problem_is_named_by_file_line_and_column_in_one_pass() {
        let e = run(&[
            (OrgKind::Divisions, DIVISIONS),
            (OrgKind::Sites, SITES),
            (OrgKind::Departments, "code,name,division,site\nfgw,发改委,620100,xn\nfgw,重复,620100,main\nrsj,,620100,\nzjj,住建局,999999,\n"),
            (OrgKind::Windows, "code,name,department,site\nW1,发改窗口,fgw,main\nW2,人社窗口,nope,main\n"),
            (OrgKind::Staff, "login,name,role,department,window,phone\na,甲,window_clerk,rsj,W1,\nb,乙,applicant,fgw,,\nc,丙,reviewer,,,\n"),
        ])
        .unwrap_err();
        let expected = [
            "departments.csv line 2, column site: site xn is in division 630100, outside division 620100",
            "departments.csv line 3, column code: fgw appears twice in the file",
            "departments.csv line 4, column name: name must be 1–100 characters",
            "departments.csv line 5, column division: unknown division 999999",
            "windows.csv line 3, column department: unknown department nope",
            "staff.csv line 2, column window: window W1 belongs to department fgw, not rsj",
            "staff.csv line 3, column role: unknown role \"applicant\"; give one of window_clerk, reviewer, approver, department_head, center_leader, supervisor, administrator",
            "staff.csv line 4, column department: a reviewer belongs to a department: name it",
        ];
        for x in expected {
            assert!(e.iter().any(|m| m == x), "missing {x:?} in {e:#?}");
        }
    }

    #[test]
    fn roles_may_be_named_in_chinese() {
        let records = run(&[
            (OrgKind::Divisions, DIVISIONS),
            (OrgKind::Departments, "code,name,division,site\nfgw,发改委,620100,\n"),
            (OrgKind::Staff, "login,name,role,department,window,phone\na,甲,窗口人员,fgw,,\nb,乙,系统管理员,,,\n"),
        ])
        .expect("valid");
        let roles: Vec<Role> =
            records.iter().filter_map(|r| if let Record::Staff(s) = r { Some(s.role) } else { None }).collect();
        assert_eq!(roles, [Role::WindowClerk, Role::Administrator]);
        assert!(run(&[(OrgKind::Staff, "login,name,role,department,window,phone\nc,丙,申请人,,,\n")]).is_err());
    }

    #[test]
    fn stored_records_compare_as_unchanged_updated_or_new() {
        let t = table("d.csv", DIVISIONS);
        let records = check(&[(OrgKind::Divisions, &t)], &Known::default()).expect("valid");
        let mut known = Known::default();
        for r in &records[..2] {
            known.put(r.clone());
        }
        let again = check(&[(OrgKind::Divisions, &t)], &known).expect("valid");
        let effects: Vec<Effect> = again.iter().map(|r| known.effect_of(r)).collect();
        assert_eq!(effects, [Effect::Unchanged, Effect::Unchanged, Effect::Create, Effect::Create]);
        let renamed = table("d.csv", "code,name,parent\n620100,兰州,620000\n");
        let r = check(&[(OrgKind::Divisions, &renamed)], &known).expect("valid");
        assert_eq!(known.effect_of(&r[0]), Effect::Update);
    }

    #[test]
    fn retired_things_take_no_new_references() {
        let mut known = Known::default();
        for r in run(&[(OrgKind::Divisions, DIVISIONS), (OrgKind::Sites, SITES)]).expect("valid") {
            known.put(r);
        }
        known.sites.get_mut(&SiteCode::parse("main").unwrap()).unwrap().retired = true;
        let t = table("departments.csv", "code,name,division,site\nfgw,发改委,620100,main\n");
        let e = check(&[(OrgKind::Departments, &t)], &known).unwrap_err();
        assert_eq!(e[0].to_string(), "departments.csv line 2, column site: site main is retired");
    }
}
