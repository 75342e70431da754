//! Construction projects (工程建设项目) of the project library (项目库): the records made
//! when staff visit a project unit before it applies (上门对接建库).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::division::DivisionCode;

/// Why a project record is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectError {
    /// A code outside `A–Z a–z 0–9 -` or of the wrong length.
    #[error("project code {0:?} must be 1–64 characters of A–Z, a–z, 0–9 or '-' (e.g. 2026-620102-47-01-000123)")]
    BadCode(String),
    /// A blank or overlong text.
    #[error("the project's {0} must be 1–200 characters without line breaks")]
    BadText(&'static str),
}

/// 项目代码 — the project's code from the investment project platform, e.g.
/// `2026-620102-47-01-000123`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectCode(String);

impl ProjectCode {
    /// Parses and validates a code.
    pub fn parse(text: &str) -> Result<Self, ProjectError> {
        let t = text.trim();
        if !t.is_empty() && t.len() <= 64 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            Ok(Self(t.to_owned()))
        } else {
            Err(ProjectError::BadCode(text.to_owned()))
        }
    }
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
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
    fn try_from(s: String) -> Result<Self, ProjectError> {
        Self::parse(&s)
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
        })
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
}
