//! Construction projects (工程建设项目) of the project library (项目库): the records made
//! when staff visit a project unit before it applies (上门对接建库).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::division::DivisionCode;

/// Why a project record is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    /// Not a 投资项目统一代码: `why` names the part that is wrong.
    #[error("project code {code:?}: {why}; expected {CODE_FORMAT}")]
    BadCode {
        /// The text given.
        code: String,
        /// Which part is wrong, and how.
        why: String,
    },
    /// A blank or overlong text.
    #[error("the project's {0} must be 1–200 characters without line breaks")]
    BadText(&'static str),
    /// A planned start that is not a year and month.
    #[error("planned start {0:?} must be a year and month, e.g. 2027-03 (or a date such as 2027-03-15, or 2027年3月)")]
    BadPlannedStart(String),
}

/// The format of a 投资项目统一代码, as errors show it.
pub const CODE_FORMAT: &str = "YYYY-DDDDDD-II-TT-NNNNNN (year of assignment, 6-digit division code, \
     2-digit industry code 01–99, project type 01 审批 / 02 核准 / 03 备案, 6-digit serial), \
     e.g. 2025-620171-65-01-000318";

/// The first year a code can carry: the national online approval platform (全国投资项目在线审批
/// 监管平台) began assigning codes in 2014–2016; earlier years are typing errors.
pub const FIRST_CODE_YEAR: u16 = 2014;

/// The province-level prefixes of division codes (GB/T 2260): 11 北京 … 65 新疆, 71 台湾,
/// 81 香港, 82 澳门.
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
    64, 65, 71, 81, 82,
];

/// 项目代码 — the project's 投资项目统一代码 from the national online approval platform
/// (全国投资项目在线审批监管平台): `YYYY-DDDDDD-II-TT-NNNNNN`, the year the code was
/// assigned, the 6-digit division code of the project's place, the 2-digit industry code,
/// the 2-digit project type code (01 审批, 02 核准, 03 备案) and a 6-digit serial, e.g.
/// `2025-620171-65-01-000318`.
///
/// [`ProjectCode::parse`] checks every part. Codes read back from storage (and from JSON)
/// are taken as stored ([`ProjectCode::from_stored`]) so that a record kept before the
/// check still reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectCode(String);

impl ProjectCode {
    /// Parses and checks a code part by part; the error names the part that is wrong.
    ///
    /// ```
    /// use tongban_core::plan::ProjectCode;
    /// assert!(ProjectCode::parse("2025-620171-65-01-000318").is_ok());
    /// let e = ProjectCode::parse("2025-620171-65-04-000318").unwrap_err().to_string();
    /// assert!(e.contains("project type code 04"), "{e}");
    /// ```
    pub fn parse(text: &str) -> Result<Self, ProjectError> {
        let t = text.trim();
        let bad = |why: String| ProjectError::BadCode { code: text.to_owned(), why };
        let parts: Vec<&str> = t.split('-').collect();
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if t.is_empty() {
            return Err(bad("the code is empty".into()));
        }
        if parts.len() != 5 {
            return Err(bad(format!("{} parts separated by '-', a code has 5", parts.len())));
        }
        let (year, division, industry, kind, serial) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
        if !digits(year, 4) {
            return Err(bad(format!("the year {year:?} must be 4 digits")));
        }
        let y: u16 = year.parse().unwrap_or(0);
        if !(FIRST_CODE_YEAR..=2099).contains(&y) {
            return Err(bad(format!("the year {year} is not a year codes were assigned ({FIRST_CODE_YEAR}–2099)")));
        }
        if !digits(division, 6) {
            return Err(bad(format!("the division code {division:?} must be 6 digits")));
        }
        let province: u8 = division[..2].parse().unwrap_or(0);
        if !PROVINCES.contains(&province) {
            return Err(bad(format!("the division code {division} starts with {province:02}, not a province's code")));
        }
        if !digits(industry, 2) || industry == "00" {
            return Err(bad(format!("the industry code {industry:?} must be 2 digits, 01–99")));
        }
        if !matches!(kind, "01" | "02" | "03") {
            return Err(bad(format!("the project type code {kind} must be 01 (审批), 02 (核准) or 03 (备案)")));
        }
        if !digits(serial, 6) {
            return Err(bad(format!("the serial {serial:?} must be 6 digits")));
        }
        if serial == "000000" {
            return Err(bad("the serial 000000 is not a serial: they start at 000001".into()));
        }
        Ok(Self(t.to_owned()))
    }

    /// A code as stored: 1–64 characters of `A–Z a–z 0–9 -`, the rule before the format was
    /// checked, so that older records read back. New codes go through [`ProjectCode::parse`].
    pub fn from_stored(text: &str) -> Result<Self, ProjectError> {
        let t = text.trim();
        if !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(t.to_owned()))
        } else {
            Err(ProjectError::BadCode { code: text.to_owned(), why: "not a stored project code".into() })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 计划开工 — when a project plans to start building, to the month (the library records
/// plans as 2027年3月; a date given is kept as its month). Shown and stored as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlannedStart {
    year: i16,
    month: i8,
}

impl PlannedStart {
    /// A year and month (1–12), years 2000–2099.
    pub fn new(year: i16, month: i8) -> Option<Self> {
        ((2000..=2099).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// Parses `2027-03`, `2027-3`, `2027/03`, `2027.03`, a date (`2027-03-15`, kept as its
    /// month), `2027年3月` or `2027年3月15日`.
    pub fn parse(text: &str) -> Result<Self, ProjectError> {
        let bad = || ProjectError::BadPlannedStart(text.to_owned());
        let t = text.trim().trim_end_matches('日');
        let norm: String =
            t.chars().map(|c| if matches!(c, '年' | '月' | '/' | '.') { '-' } else { c }).collect::<String>();
        let parts: Vec<&str> = norm.trim_end_matches('-').split('-').collect();
        if !(2..=3).contains(&parts.len())
            || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        if parts[0].len() != 4 || parts[1].len() > 2 {
            return Err(bad());
        }
        let year: i16 = parts[0].parse().map_err(|_| bad())?;
        let month: i8 = parts[1].parse().map_err(|_| bad())?;
        let start = Self::new(year, month).ok_or_else(bad)?;
        if let Some(day) = parts.get(2) {
            let day: i8 = day.parse().map_err(|_| bad())?;
            jiff::civil::Date::new(year, month, day).map_err(|_| bad())?;
        }
        Ok(start)
    }

    /// The year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> i8 {
        self.month
    }
}

impl fmt::Display for PlannedStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}
impl TryFrom<String> for PlannedStart {
    type Error = ProjectError;
    fn try_from(s: String) -> Result<Self, ProjectError> {
        Self::parse(&s)
    }
}
impl From<PlannedStart> for String {
    fn from(p: PlannedStart) -> String {
        p.to_string()
    }
}

impl SmallType {
    /// Every small type.
    pub const ALL: [SmallType; 5] =
        [Self::ParkingLot, Self::CoalToGasBoiler, Self::SimpleGovernmentInvestment, Self::MunicipalRoad, Self::Other];

    /// The stable name (stored, and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ParkingLot => "parking_lot",
            Self::CoalToGasBoiler => "coal_to_gas_boiler",
            Self::SimpleGovernmentInvestment => "simple_government_investment",
            Self::MunicipalRoad => "municipal_road",
            Self::Other => "other",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for ProjectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for ProjectCode {
    type Error = ProjectError;
    /// As stored ([`ProjectCode::from_stored`]): runs and records kept before the format
    /// check read back.
    fn try_from(s: String) -> Result<Self, ProjectError> {
        Self::from_stored(&s)
    }
}
impl From<ProjectCode> for String {
    fn from(c: ProjectCode) -> String {
        c.0
    }
}

/// What kind of project it is; it decides which plan applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectType {
    /// 政府投资项目 — government-invested.
    GovernmentInvested,
    /// 企业投资项目 — enterprise-invested (核准 or 备案).
    EnterpriseInvested,
    /// 小型项目 — a small special type with a simplified plan.
    Small(SmallType),
}

/// Small special project types (小型项目) with simplified approval: each runs through a
/// streamlined plan of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallType {
    /// 停车场 — a parking lot.
    ParkingLot,
    /// 煤改气锅炉房 — a coal-to-gas boiler room conversion.
    CoalToGasBoiler,
    /// 简易政府投资项目 — a simple government-invested project.
    SimpleGovernmentInvestment,
    /// 市政道路改造 — a municipal road renovation.
    MunicipalRoad,
    /// 其他小型项目 — another small project.
    Other,
}

/// Where a project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStage {
    /// 前期咨询 — pre-consultation: recorded in the library, not yet applying.
    PreConsultation,
    /// 审批中 — being approved through a plan.
    InApproval,
    /// 在建 — approvals done, under construction.
    UnderConstruction,
    /// 竣工 — completed and accepted.
    Completed,
    /// 退出 — withdrawn from the library (e.g. by a joint review meeting).
    Exited,
}

impl ProjectStage {
    /// Every stage, in the order a project goes through them.
    pub const ALL: [ProjectStage; 5] =
        [Self::PreConsultation, Self::InApproval, Self::UnderConstruction, Self::Completed, Self::Exited];

    /// The stable name (stored, and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreConsultation => "pre_consultation",
            Self::InApproval => "in_approval",
            Self::UnderConstruction => "under_construction",
            Self::Completed => "completed",
            Self::Exited => "exited",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A project record of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Its code.
    pub code: ProjectCode,
    /// 项目名称.
    pub name: String,
    /// 项目单位 — the unit that builds it.
    pub unit: String,
    /// Its type.
    pub kind: ProjectType,
    /// 总投资 — total investment in yuan.
    pub investment_yuan: u64,
    /// 建设地点 — the division it is built in.
    pub division: DivisionCode,
    /// Where it stands.
    pub stage: ProjectStage,
    /// 绿色通道 — a key project: priority and the configured shortened limits.
    pub green_channel: bool,
    /// 计划开工 — the month it plans to start building, when known.
    #[serde(default)]
    pub planned_start: Option<PlannedStart>,
    /// 年度计划投资 — what it plans to invest this year, in yuan (0: none planned).
    #[serde(default)]
    pub annual_investment_yuan: u64,
}

impl Project {
    /// A new library record at the pre-consultation stage; name and unit are checked.
    pub fn new(
        code: ProjectCode,
        name: &str,
        unit: &str,
        kind: ProjectType,
        investment_yuan: u64,
        division: DivisionCode,
    ) -> Result<Project, ProjectError> {
        let text = |what: &'static str, t: &str| {
            let t = t.trim();
            if t.is_empty() || t.chars().count() > 200 || t.chars().any(char::is_control) {
                Err(ProjectError::BadText(what))
            } else {
                Ok(t.to_owned())
            }
        };
        Ok(Project {
            code,
            name: text("name", name)?,
            unit: text("unit", unit)?,
            kind,
            investment_yuan,
            division,
            stage: ProjectStage::PreConsultation,
            green_channel: false,
            planned_start: None,
            annual_investment_yuan: 0,
        })
    }

    /// 筛选 — whether the project is screened in `this_year` (the center's current year):
    /// it plans to start building next year or the year after.
    pub fn is_screened(&self, this_year: i16) -> bool {
        self.planned_start.is_some_and(|p| p.year() == this_year + 1 || p.year() == this_year + 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_start_at_pre_consultation_and_check_their_texts() {
        let code = ProjectCode::parse("2026-620102-47-01-000123").unwrap();
        let division = DivisionCode::parse("620102").unwrap();
        let p = Project::new(
            code.clone(),
            " 城关区智慧停车场 ",
            "兰州某停车管理有限公司",
            ProjectType::Small(SmallType::ParkingLot),
            12_000_000,
            division.clone(),
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.stage, p.green_channel),
            ("城关区智慧停车场", ProjectStage::PreConsultation, false)
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains("\"small\":\"parking_lot\""), "{json}");
        assert_eq!(serde_json::from_str::<Project>(&json).unwrap(), p);
        assert_eq!(
            Project::new(code, "x", "\n", ProjectType::GovernmentInvested, 0, division),
            Err(ProjectError::BadText("unit"))
        );
        assert!(ProjectCode::parse("2026 620102").is_err());
    }

    #[test]
    fn codes_are_checked_part_by_part() {
        for good in [
            "2025-620171-65-01-000318",
            "2026-620100-83-01-000009",
            "2026-620102-47-01-000052",
            "2026-620123-44-02-000017",
            " 2019-110105-70-03-123456 ",
        ] {
            assert!(ProjectCode::parse(good).is_ok(), "{good}");
        }
        for (bad, part) in [
            ("", "empty"),
            ("2025620171650100031", "1 parts"),
            ("2025-620171-65-01", "4 parts"),
            ("25-620171-65-01-000318", "the year"),
            ("2013-620171-65-01-000318", "the year 2013"),
            ("2025-62017-65-01-000318", "the division code"),
            ("2025-6201a1-65-01-000318", "the division code"),
            ("2025-990171-65-01-000318", "not a province"),
            ("2025-620171-00-01-000318", "the industry code"),
            ("2025-620171-6-01-000318", "the industry code"),
            ("2025-620171-65-04-000318", "project type code 04"),
            ("2025-620171-65-00-000318", "project type code 00"),
            ("2025-620171-65-01-00318", "the serial"),
            ("2025-620171-65-01-000000", "serial 000000"),
            ("2025 620171 65 01 000318", "1 parts"),
        ] {
            let e = ProjectCode::parse(bad).unwrap_err().to_string();
            assert!(e.contains(part), "{bad}: {e}");
            assert!(e.contains("expected YYYY-DDDDDD-II-TT-NNNNNN"), "{bad}: {e}");
        }
        // Stored codes from before the check still read back, from a row or from JSON.
        assert!(ProjectCode::from_stored("P-1").is_ok());
        assert_eq!(serde_json::from_str::<ProjectCode>("\"P-1\"").unwrap().as_str(), "P-1");
    }

    #[test]
    fn planned_starts_are_months_and_screening_looks_two_years_ahead() {
        for (text, shown) in [
            ("2027-03", "2027-03"),
            ("2027-3", "2027-03"),
            ("2027/11", "2027-11"),
            ("2027-03-15", "2027-03"),
            ("2027年3月", "2027-03"),
            ("2027年3月15日", "2027-03"),
        ] {
            assert_eq!(PlannedStart::parse(text).map(|p| p.to_string()), Ok(shown.to_owned()), "{text}");
        }
        for bad in ["", "2027", "2027-13", "2027-02-30", "27-03", "next year", "2027-03-01-01"] {
            assert!(PlannedStart::parse(bad).is_err(), "{bad}");
        }
        let mut p = Project::new(
            ProjectCode::parse("2026-620102-47-01-000123").unwrap(),
            "n",
            "u",
            ProjectType::GovernmentInvested,
            1,
            DivisionCode::parse("620102").unwrap(),
        )
        .unwrap();
        assert!(!p.is_screened(2026), "no planned start");
        for (year, screened) in [(2026, false), (2027, true), (2028, true), (2029, false)] {
            p.planned_start = PlannedStart::new(year, 6);
            assert_eq!(p.is_screened(2026), screened, "{year}");
        }
    }
}
