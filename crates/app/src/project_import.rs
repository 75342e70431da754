//! The project library at scale (项目库): the one check every entered project goes
//! through (one by one in [`crate::projects::create_project`], or a file of them), imports
//! from CSV and xlsx, the export that imports back, and the library as listed with its
//! screening (筛选: planned to start building next year or the year after) and each
//! project's count of door-to-door consultations (上门对接).
//!
//! A file has the columns `code,name,unit,project_type,investment_yuan,division,planned_start`
//! in that order, then any of `annual_investment_yuan,small_type,credit_code,phone`; the
//! Chinese headers offices use are read as these (项目代码, 项目名称, 项目单位, 项目类型,
//! 总投资, 建设地点 or 行政区划, 计划开工, 年度计划投资, 小型项目类型, 统一社会信用代码,
//! 联系电话). Types may be written in Chinese too (政府投资, 企业投资, 小型项目, or a small
//! type's name such as 停车场). Like the organisation's imports, every row is checked first
//! and any bad row — named by line (or sheet row) and column — means nothing is written;
//! rows are keyed by project code and created, updated or left unchanged, so importing the
//! same file again changes nothing.
//!
//! This year's joint-review candidates (联审联批) are the projects with an annual planned
//! investment: [`joint_review_candidates`].

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::calendar::CHINA_STANDARD_TIME;
use tongban_core::division::DivisionCode;
use tongban_core::org::import::Effect;
use tongban_core::plan::{PlannedStart, Project, ProjectCode, ProjectError, ProjectStage, ProjectType, SmallType};
use tongban_core::table::{Row, RowError, Table, column_of};
use tongban_store::{ProjectRow, append_audit, insert_project, update_project_record};

use crate::projects::NewProject;
use crate::tables::{Sheet, Upload};
use crate::{App, AppError, Principal, authorize};

/// The largest investment accepted, in yuan (it is stored in fen).
pub const MAX_INVESTMENT_YUAN: u64 = 10u64.pow(15);

/// The columns a file must start with, in order.
pub const REQUIRED: [&str; 7] =
    ["code", "name", "unit", "project_type", "investment_yuan", "division", "planned_start"];
/// The columns a file may add.
pub const OPTIONAL: [&str; 4] = ["annual_investment_yuan", "small_type", "credit_code", "phone"];

/// The Chinese headers each column goes by.
const LABELS: &[(&str, &[&str])] = &[
    ("code", &["项目代码", "投资项目统一代码", "项目统一代码", "project_code"]),
    ("name", &["项目名称"]),
    ("unit", &["项目单位", "建设单位"]),
    ("project_type", &["项目类型", "type"]),
    ("investment_yuan", &["总投资", "总投资（元）", "总投资(元)", "investment"]),
    ("division", &["建设地点", "建设地点/行政区划", "行政区划", "建设地点（行政区划）"]),
    ("planned_start", &["计划开工", "计划开工时间", "计划开工日期"]),
    ("annual_investment_yuan", &["年度计划投资", "年度计划投资（元）", "年度计划投资(元)", "annual_investment"]),
    ("small_type", &["小型项目类型", "小型项目类别"]),
    ("credit_code", &["统一社会信用代码", "信用代码"]),
    ("phone", &["联系电话", "电话"]),
];

/// The column a header cell names.
fn column_name(header: &str) -> String {
    let h = header.trim();
    match LABELS.iter().find(|(_, labels)| labels.contains(&h)) {
        Some((column, _)) => (*column).to_owned(),
        None => column_of(h).to_owned(),
    }
}

/// The divisions a project may be built in, looked up once each.
pub(crate) struct Divisions {
    center: Vec<DivisionCode>,
    seen: HashMap<DivisionCode, bool>,
}

impl Divisions {
    /// The center's divisions, read now.
    pub(crate) async fn load(state: &App) -> Result<Divisions, AppError> {
        Ok(Divisions { center: crate::public::division_codes(state).await?, seen: HashMap::new() })
    }

    /// The center's divisions and any division inside one (a county's project at the
    /// city's hall).
    async fn allows(&mut self, state: &App, d: &DivisionCode) -> Result<bool, AppError> {
        if let Some(&known) = self.seen.get(d) {
            return Ok(known);
        }
        let ok = self.center.iter().any(|u| d.is_within(u)) && crate::public::division_exists(state, d).await?;
        self.seen.insert(d.clone(), ok);
        Ok(ok)
    }
}

/// A project type as written: the stable names, or the Chinese ones; a small type's own
/// name (`parking_lot`, 停车场 …) in the type column is a small project of that type.
fn parse_project_type(kind: &str, small: Option<&str>, errors: &mut Vec<(String, String)>) -> Option<ProjectType> {
    let small_name = |name: &str| -> Option<SmallType> {
        SmallType::parse(name).or(match name {
            "停车场" | "停车设施" | "停车场项目" => Some(SmallType::ParkingLot),
            "煤改气" | "煤改气锅炉房" | "燃煤锅炉煤改气" => Some(SmallType::CoalToGasBoiler),
            "简易政府投资项目" | "简易政府投资" => Some(SmallType::SimpleGovernmentInvestment),
            "市政道路改造" | "市政道路" => Some(SmallType::MunicipalRoad),
            "其他" | "其他小型项目" => Some(SmallType::Other),
            _ => None,
        })
    };
    let small = match small.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => match small_name(name) {
            Some(s) => Some(s),
            None => {
                let names: Vec<&str> = SmallType::ALL.iter().map(|s| s.as_str()).collect();
                errors.push(("small_type".into(), format!("{name:?}: one of {}", names.join(", "))));
                return None;
            }
        },
    };
    let kind = kind.trim();
    let kind = match kind {
        "政府投资" | "政府投资项目" => "government_invested",
        "企业投资" | "企业投资项目" | "核准" | "备案" => "enterprise_invested",
        "小型项目" => "small",
        k => k,
    };
    if let Some(s) = small_name(kind).filter(|_| kind != "other") {
        return match small {
            Some(other) if other != s => {
                errors.push(("small_type".into(), format!("{} does not match the type {kind}", other.as_str())));
                None
            }
            _ => Some(ProjectType::Small(s)),
        };
    }
    match (kind, small) {
        ("government_invested", None) => Some(ProjectType::GovernmentInvested),
        ("enterprise_invested", None) => Some(ProjectType::EnterpriseInvested),
        ("small", Some(s)) => Some(ProjectType::Small(s)),
        ("small", None) => {
            errors.push(("small_type".into(), "a small project needs its small_type".into()));
            None
        }
        ("government_invested" | "enterprise_invested", Some(_)) => {
            errors.push(("small_type".into(), "only a small project has a small_type".into()));
            None
        }
        (other, _) => {
            errors.push((
                "project_type".into(),
                format!("{other:?}: government_invested, enterprise_invested or small (政府投资, 企业投资, 小型项目)"),
            ));
            None
        }
    }
}

/// A project checked: the record and the unit's contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub project: Project,
    pub credit_code: Option<String>,
    pub phone: Option<String>,
}

/// Checks a project as entered, listing every bad field (named as in [`NewProject`]).
pub(crate) async fn check_project(
    state: &App,
    divisions: &mut Divisions,
    req: &NewProject,
) -> Result<Result<Checked, Vec<(String, String)>>, AppError> {
    let mut errors = Vec::new();
    let code = ProjectCode::parse(&req.code).map_err(|e| errors.push(("code".into(), e.to_string()))).ok();
    let kind = parse_project_type(&req.project_type, req.small_type.as_deref(), &mut errors);
    if req.investment_yuan > MAX_INVESTMENT_YUAN {
        errors.push(("investment_yuan".into(), format!("at most {MAX_INVESTMENT_YUAN} yuan")));
    }
    if req.annual_investment_yuan > req.investment_yuan {
        errors.push((
            "annual_investment_yuan".into(),
            format!(
                "this year's {} yuan is more than the total investment of {} yuan",
                req.annual_investment_yuan, req.investment_yuan
            ),
        ));
    }
    let planned_start = match req.planned_start.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match PlannedStart::parse(s) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(("planned_start".into(), e.to_string()));
                None
            }
        },
    };
    let division = match DivisionCode::parse(&req.division) {
        Ok(d) if divisions.allows(state, &d).await? => Some(d),
        Ok(d) => {
            errors.push(("division".into(), format!("{d} is not one of the center's divisions")));
            None
        }
        Err(e) => {
            errors.push(("division".into(), e.to_string()));
            None
        }
    };
    let credit_code = req.credit_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    if credit_code.as_deref().is_some_and(|c| !tongban_core::identity::is_valid_credit_code(c)) {
        errors.push(("credit_code".into(), "not a valid 统一社会信用代码".into()));
    }
    let phone = req.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
    if phone.as_deref().is_some_and(|p| {
        p.len() > 32 || !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
    }) {
        errors.push(("phone".into(), "at most 32 digits, spaces, '-', '+', '(' or ')'".into()));
    }
    // Name and unit are checked even when another field is wrong, so every field is told.
    let probe = |what: &'static str, t: &str| {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
            Some((what.to_owned(), "1–200 characters without line breaks".to_owned()))
        } else {
            None
        }
    };
    errors.extend(probe("name", &req.name));
    errors.extend(probe("unit", &req.unit));
    let project = match (code, kind, division) {
        (Some(code), Some(kind), Some(division)) if errors.is_empty() => {
            match Project::new(code, &req.name, &req.unit, kind, req.investment_yuan, division) {
                Ok(mut p) => {
                    p.planned_start = planned_start;
                    p.annual_investment_yuan = req.annual_investment_yuan;
                    Some(p)
                }
                Err(ProjectError::BadText(field)) => {
                    errors.push((field.into(), "1–200 characters without line breaks".into()));
                    None
                }
                Err(e) => {
                    errors.push(("code".into(), e.to_string()));
                    None
                }
            }
        }
        _ => None,
    };
    Ok(match project.filter(|_| errors.is_empty()) {
        Some(project) => Ok(Checked { project, credit_code, phone }),
        None => Err(errors),
    })
}

/// What an import did, or on a dry run would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectImport {
    /// Whether nothing was written.
    pub dry_run: bool,
    /// New projects.
    pub created: u32,
    /// Projects the file changes.
    pub updated: u32,
    /// Projects exactly as stored.
    pub unchanged: u32,
    /// Each row's project and what storing it does, in file order.
    pub rows: Vec<ImportedProject>,
}

/// One row of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportedProject {
    /// The row's line (CSV) or sheet row.
    pub line: u64,
    /// 项目代码.
    pub code: String,
    /// What storing it does.
    pub effect: Effect,
}

/// A file's rows, each with the project it enters.
type Entered = Vec<(Row, NewProject)>;

/// Reads a table's rows as projects as entered, each with its row, and the cells that are
/// no amount or no planned start; a header not as [`REQUIRED`] then [`OPTIONAL`] is one
/// error.
fn rows_of(mut table: Table) -> Result<(Table, Entered, Vec<RowError>), Vec<RowError>> {
    table.header = table.header.iter().map(|h| column_name(h)).collect();
    // A title above the header: its labels read alike.
    for row in table.rows.iter_mut().take(5) {
        if row.cells.iter().any(|c| column_name(c) == "code") {
            row.cells = row.cells.iter().map(|c| column_name(c)).collect();
        }
    }
    let cols = table.columns(&REQUIRED, &OPTIONAL).map_err(|e| vec![e])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for row in cols.rows(&table) {
        let get = |c: &str| cols.get(row, c).trim().to_owned();
        let optional = |c: &str| Some(get(c)).filter(|s| !s.is_empty());
        let mut amount = |column: &str| -> u64 {
            match yuan(&get(column)) {
                Ok(n) => n,
                Err(why) => {
                    errors.push(table.error(row.number, Some(column), why));
                    0
                }
            }
        };
        let investment_yuan = amount("investment_yuan");
        let annual_investment_yuan = amount("annual_investment_yuan");
        let planned = get("planned_start");
        if planned.is_empty() {
            errors.push(table.error(
                row.number,
                Some("planned_start"),
                "计划开工 is required: a year and month, e.g. 2027-03",
            ));
        }
        out.push((
            row.clone(),
            NewProject {
                code: get("code"),
                name: get("name"),
                unit: get("unit"),
                project_type: get("project_type"),
                small_type: optional("small_type"),
                investment_yuan,
                division: get("division"),
                credit_code: optional("credit_code"),
                phone: optional("phone"),
                planned_start: Some(planned),
                annual_investment_yuan,
            },
        ));
    }
    Ok((table, out, errors))
}

/// An amount of yuan as a cell holds it: whole yuan (`680000000`, `680,000,000`, or
/// `680000000.00`); empty is 0.
fn yuan(cell: &str) -> Result<u64, String> {
    let t: String = cell.chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
    let t = t.trim_end_matches('元');
    if t.is_empty() {
        return Ok(0);
    }
    let whole = match t.split_once('.') {
        Some((w, frac)) if frac.bytes().all(|b| b == b'0') => w,
        Some(_) => return Err(format!("{cell:?}: whole yuan, without fen")),
        None => t,
    };
    match whole.parse::<u64>() {
        Ok(n) if n <= MAX_INVESTMENT_YUAN => Ok(n),
        Ok(_) => Err(format!("{cell:?}: at most {MAX_INVESTMENT_YUAN} yuan")),
        Err(_) => Err(format!("{cell:?}: an amount in yuan, digits only")),
    }
}

/// Whether `row` as stored already says what `c` says.
fn same(row: &ProjectRow, c: &Checked) -> bool {
    let (a, b) = (&row.project, &c.project);
    (&a.name, &a.unit, a.kind, a.investment_yuan, &a.division, a.planned_start, a.annual_investment_yuan)
        == (&b.name, &b.unit, b.kind, b.investment_yuan, &b.division, b.planned_start, b.annual_investment_yuan)
        && row.credit_code == c.credit_code
        && row.phone == c.phone
}

/// Imports a file of projects (those who manage projects): every row checked first, and
/// on any problem [`AppError::Rows`] lists them all in file order and nothing is written.
/// With `dry_run` nothing is written either way.
pub async fn import_projects(
    state: &App,
    principal: &Principal,
    file: &Upload<'_>,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ProjectImport, AppError> {
    authorize(principal, Action::ManageProjects)?;
    let actor = principal.require()?.id.clone();
    let table = crate::tables::read_one(file, bytes, "projects").map_err(AppError::Rows)?;
    let (table, rows, mut errors) = rows_of(table).map_err(AppError::Rows)?;
    if rows.is_empty() {
        return Err(AppError::Invalid(vec![("file".into(), "the file holds no rows".into())]));
    }
    let stored: BTreeMap<ProjectCode, ProjectRow> =
        state.store.projects(None).await?.into_iter().map(|r| (r.project.code.clone(), r)).collect();
    let mut divisions = Divisions::load(state).await?;
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut checked = Vec::new();
    for (row, req) in &rows {
        if let Some(first) = seen.insert(req.code.clone(), row.number) {
            errors.push(table.error(row.number, Some("code"), format!("{} is on line {first} already", req.code)));
            continue;
        }
        match check_project(state, &mut divisions, req).await? {
            Ok(c) => checked.push((row.number, c)),
            Err(fields) => {
                errors.extend(fields.into_iter().map(|(f, why)| table.error(row.number, Some(&f), why)));
            }
        }
    }
    if !errors.is_empty() {
        // In file order; within a row, the cells first, then the checks.
        errors.sort_by_key(|e| e.line);
        errors.dedup();
        return Err(AppError::Rows(errors));
    }
    let now = state.now();
    let mut report = ProjectImport { dry_run, created: 0, updated: 0, unchanged: 0, rows: Vec::new() };
    let mut changes = Vec::new();
    for (line, c) in checked {
        let effect = match stored.get(&c.project.code) {
            None => Effect::Create,
            Some(row) if same(row, &c) => Effect::Unchanged,
            Some(_) => Effect::Update,
        };
        match effect {
            Effect::Create => report.created += 1,
            Effect::Update => report.updated += 1,
            Effect::Unchanged => report.unchanged += 1,
        }
        report.rows.push(ImportedProject { line, code: c.project.code.to_string(), effect });
        if effect != Effect::Unchanged {
            let row = ProjectRow {
                project: c.project,
                credit_code: c.credit_code,
                phone: c.phone,
                created_by: actor.clone(),
                created_at: now,
                updated_at: now,
            };
            changes.push((effect, row));
        }
    }
    if dry_run || changes.is_empty() {
        return Ok(report);
    }
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                for (effect, row) in &changes {
                    let action = if *effect == Effect::Create {
                        insert_project(c, row).await?;
                        "project.create"
                    } else {
                        update_project_record(c, row, now).await?;
                        "project.update"
                    };
                    let detail = serde_json::json!({ "name": row.project.name, "import": true }).to_string();
                    append_audit(c, now, &actor, action, row.project.code.as_str(), &detail).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(report)
}

/// The library as one sheet `projects`, in the columns an import reads (those who read
/// projects).
pub async fn export_projects(state: &App, principal: &Principal) -> Result<Sheet, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let rows = state.store.projects(None).await?;
    let header: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
    let rows = rows
        .iter()
        .map(|r| {
            let p = &r.project;
            let (kind, small) = match p.kind {
                ProjectType::GovernmentInvested => ("government_invested", ""),
                ProjectType::EnterpriseInvested => ("enterprise_invested", ""),
                ProjectType::Small(s) => ("small", s.as_str()),
            };
            vec![
                p.code.to_string(),
                p.name.clone(),
                p.unit.clone(),
                kind.to_owned(),
                p.investment_yuan.to_string(),
                p.division.to_string(),
                p.planned_start.map(|s| s.to_string()).unwrap_or_default(),
                p.annual_investment_yuan.to_string(),
                small.to_owned(),
                r.credit_code.clone().unwrap_or_default(),
                r.phone.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Sheet::new("projects", &header, rows).with_numbers(&["investment_yuan", "annual_investment_yuan"]))
}

/// A project of the library as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryEntry {
    /// The project.
    pub row: ProjectRow,
    /// 筛选: planned to start building next year or the year after.
    pub screened: bool,
    /// How many door-to-door consultations (上门对接) it has on record.
    pub consultations: u64,
}

/// The year `now` falls in at the center (China Standard Time).
pub fn this_year(now: jiff::Timestamp) -> i16 {
    CHINA_STANDARD_TIME.to_datetime(now).year()
}

/// The library by code: of one stage when given, only the screened (or only the others)
/// when `screened` is given; screening is counted from the year of `state.now()`.
pub async fn library(
    state: &App,
    principal: &Principal,
    stage: Option<ProjectStage>,
    screened: Option<bool>,
) -> Result<Vec<LibraryEntry>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    let year = this_year(state.now());
    let counts = state.store.consultation_counts().await?;
    Ok(state
        .store
        .projects(stage)
        .await?
        .into_iter()
        .map(|row| LibraryEntry {
            screened: row.project.is_screened(year),
            consultations: counts.get(&row.project.code).copied().unwrap_or(0),
            row,
        })
        .filter(|e| screened.is_none_or(|s| e.screened == s))
        .collect())
}

/// Every run not yet complete, by project code (those who read projects).
pub async fn running(state: &App, principal: &Principal) -> Result<Vec<tongban_store::RunRow>, AppError> {
    authorize(principal, Action::ReadProjects)?;
    Ok(state.store.running_project_runs().await?.into_iter().map(|(run, _)| run).collect())
}

/// This year's joint-review candidates (联审联批): the projects with an annual planned
/// investment (年度计划投资 above 0), in the order given.
pub fn joint_review_candidates(rows: &[ProjectRow]) -> Vec<&ProjectRow> {
    rows.iter().filter(|r| r.project.annual_investment_yuan > 0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_types_read_as_offices_write_them() {
        assert_eq!(yuan("680,000,000"), Ok(680_000_000));
        assert_eq!(yuan("12000000.00"), Ok(12_000_000));
        assert_eq!(yuan(""), Ok(0));
        assert!(yuan("12.5").is_err());
        assert!(yuan("lots").is_err());
        let mut errors = Vec::new();
        assert_eq!(parse_project_type("政府投资", None, &mut errors), Some(ProjectType::GovernmentInvested));
        assert_eq!(parse_project_type("停车场", None, &mut errors), Some(ProjectType::Small(SmallType::ParkingLot)));
        assert_eq!(
            parse_project_type("small", Some("municipal_road"), &mut errors),
            Some(ProjectType::Small(SmallType::MunicipalRoad))
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(parse_project_type("private", None, &mut errors), None);
        assert_eq!(errors[0].0, "project_type");
        assert_eq!(column_name("项目代码"), "code");
        assert_eq!(column_name("行政区划"), "division");
        assert_eq!(column_name("计划开工"), "planned_start");
    }
}
