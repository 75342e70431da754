//! 对症下药开方 — a problem found on a project (at a training, a door-to-door consultation, a
//! coordination meeting, or otherwise), its class, and the prescription (药方) the class
//! calls for. An owner department answers for it within a number of working days; it is
//! supervised like a deadline until it is closed with a handling its class allows.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{FieldErrors, optional, required};
use crate::org::DepartmentCode;
use crate::text;

/// The longest deadline a problem may get, in working days.
pub const MAX_DEADLINE_DAYS: u32 = 365;

/// What kind of blockage it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemClass {
    /// 要件不全 — the application's materials are incomplete.
    MissingMaterials,
    /// 方案不优 — the design scheme is poor.
    PoorScheme,
    /// 用地指标不足/资金不到位 — no land quota, or the funds are not in place.
    LandOrFunds,
    /// 违法违规 — the project breaks the law or the rules.
    Illegal,
}

/// The prescription (药方) a class calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prescription {
    /// 补齐要件 — provide the missing materials (the department lists them).
    ProvideMaterials,
    /// 优化方案 — optimise the scheme as the departments' 药方 says.
    OptimiseScheme,
    /// 协调解决 — coordinate land quota or funds between departments.
    Coordinate,
    /// 退出或先整改 — exit the approval process, the reasons told to the investor, or
    /// rectify first.
    ExitOrRectify,
}

/// How a problem was handled when it was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    /// 要件已补齐.
    MaterialsProvided,
    /// 方案已优化.
    SchemeOptimised,
    /// 已协调解决.
    Coordinated,
    /// 已退出审批 — the project left the approval process.
    Exited,
    /// 已整改.
    Rectified,
}

impl ProblemClass {
    /// Every class, in the order reports list them.
    pub const ALL: [ProblemClass; 4] = [Self::MissingMaterials, Self::PoorScheme, Self::LandOrFunds, Self::Illegal];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingMaterials => "missing_materials",
            Self::PoorScheme => "poor_scheme",
            Self::LandOrFunds => "land_or_funds",
            Self::Illegal => "illegal",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The prescription this class calls for.
    pub fn prescription(self) -> Prescription {
        match self {
            Self::MissingMaterials => Prescription::ProvideMaterials,
            Self::PoorScheme => Prescription::OptimiseScheme,
            Self::LandOrFunds => Prescription::Coordinate,
            Self::Illegal => Prescription::ExitOrRectify,
        }
    }

    /// The handlings that close a problem of this class.
    pub fn handlings(self) -> &'static [Handling] {
        match self {
            Self::MissingMaterials => &[Handling::MaterialsProvided],
            Self::PoorScheme => &[Handling::SchemeOptimised],
            Self::LandOrFunds => &[Handling::Coordinated],
            Self::Illegal => &[Handling::Exited, Handling::Rectified],
        }
    }

    /// Whether `handling` closes a problem of this class.
    pub fn allows(self, handling: Handling) -> bool {
        self.handlings().contains(&handling)
    }
}

impl fmt::Display for ProblemClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Prescription {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvideMaterials => "provide_materials",
            Self::OptimiseScheme => "optimise_scheme",
            Self::Coordinate => "coordinate",
            Self::ExitOrRectify => "exit_or_rectify",
        }
    }
}

impl Handling {
    /// Every handling.
    pub const ALL: [Handling; 5] =
        [Self::MaterialsProvided, Self::SchemeOptimised, Self::Coordinated, Self::Exited, Self::Rectified];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaterialsProvided => "materials_provided",
            Self::SchemeOptimised => "scheme_optimised",
            Self::Coordinated => "coordinated",
            Self::Exited => "exited",
            Self::Rectified => "rectified",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|h| h.as_str() == name)
    }
}

impl fmt::Display for Handling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ProblemSource {
    /// At a training session (集中培训查堵), by its id.
    Training(i64),
    /// At a door-to-door consultation (上门对接), by its id.
    Consultation(i64),
    /// At a coordination meeting (协调会商), by its id.
    Coordination(i64),
    /// Elsewhere.
    Other,
}

impl ProblemSource {
    /// The kind's stable name.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Training(_) => "training",
            Self::Consultation(_) => "consultation",
            Self::Coordination(_) => "coordination",
            Self::Other => "other",
        }
    }

    /// The source record's id, if any.
    pub fn id(self) -> Option<i64> {
        match self {
            Self::Training(i) | Self::Consultation(i) | Self::Coordination(i) => Some(i),
            Self::Other => None,
        }
    }

    /// Rebuilds a source from its kind and id (as stored); none when they do not fit.
    pub fn from_parts(kind: &str, id: Option<i64>) -> Option<Self> {
        Some(match (kind, id) {
            ("training", Some(i)) => Self::Training(i),
            ("consultation", Some(i)) => Self::Consultation(i),
            ("coordination", Some(i)) => Self::Coordination(i),
            ("other", None) => Self::Other,
            _ => return None,
        })
    }
}

/// A problem as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemInput {
    /// The class's stable name.
    pub class: String,
    /// What blocks the project.
    pub description: String,
    /// 药方 — what the departments prescribe (required for a poor scheme).
    pub remedy: Option<String>,
    /// The owner department's code.
    pub department: String,
    /// Working days to solve it.
    pub days: u32,
    /// `training`, `consultation`, `coordination` or `other` (the default).
    pub source: Option<String>,
    /// The source record's id (not for `other`).
    pub source_id: Option<i64>,
}

/// A problem, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProblem {
    /// Its class.
    pub class: ProblemClass,
    /// What blocks the project.
    pub description: String,
    /// 药方 text, if given.
    pub remedy: Option<String>,
    /// The owner department.
    pub department: DepartmentCode,
    /// Working days to solve it (1..=365).
    pub days: u32,
    /// Where it was found.
    pub source: ProblemSource,
}

impl NewProblem {
    /// Checks a problem, listing every bad field (`class`, `description`, `remedy`,
    /// `department`, `days`, `source`, `source_id`). Whether the department and the source
    /// record exist is the caller's check.
    pub fn parse(input: &ProblemInput) -> Result<NewProblem, FieldErrors> {
        let mut errors = FieldErrors::new();
        let class = ProblemClass::parse(input.class.trim());
        if class.is_none() {
            let names: Vec<&str> = ProblemClass::ALL.iter().map(|c| c.as_str()).collect();
            errors.push(("class".into(), format!("{:?}: one of {}", input.class, names.join(", "))));
        }
        let description = required(&mut errors, "description", &input.description, text::NOTE);
        let remedy = optional(&mut errors, "remedy", input.remedy.as_deref(), text::NOTE);
        if class == Some(ProblemClass::PoorScheme) && remedy.is_none() {
            errors.push(("remedy".into(), "a poor scheme needs the departments' 药方 (how to optimise it)".into()));
        }
        let department = DepartmentCode::parse(&input.department)
            .map_err(|e| errors.push(("department".into(), e.to_string())))
            .ok();
        if input.days == 0 || input.days > MAX_DEADLINE_DAYS {
            errors.push(("days".into(), format!("1–{MAX_DEADLINE_DAYS} working days")));
        }
        let kind = input.source.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("other");
        let source = match (kind, input.source_id) {
            ("other", Some(_)) => {
                errors.push(("source_id".into(), "a problem found elsewhere has no source record".into()));
                None
            }
            ("training" | "consultation" | "coordination", None) => {
                errors.push(("source_id".into(), format!("which {kind} found it")));
                None
            }
            (k, id) => match ProblemSource::from_parts(k, id) {
                Some(s) => Some(s),
                None => {
                    errors.push(("source".into(), format!("{k:?}: training, consultation, coordination or other")));
                    None
                }
            },
        };
        match (class, department, source) {
            (Some(class), Some(department), Some(source)) if errors.is_empty() => {
                Ok(NewProblem { class, description, remedy, department, days: input.days, source })
            }
            _ => Err(errors),
        }
    }
}

/// How a problem is closed, checked against its class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    /// The handling.
    pub handling: Handling,
    /// What was done.
    pub note: String,
    /// For an exit: the reasons told to the investor.
    pub reasons: Option<String>,
}

impl Closing {
    /// Checks how a problem of `class` is closed: the handling must be one its class allows,
    /// and an exit needs the reasons told to the investor. `prefix` goes before each field
    /// name (e.g. `solved[2].`).
    pub fn parse(
        class: ProblemClass,
        handling: &str,
        note: &str,
        reasons: Option<&str>,
        prefix: &str,
    ) -> Result<Closing, FieldErrors> {
        let mut errors = FieldErrors::new();
        let allowed: Vec<&str> = class.handlings().iter().map(|h| h.as_str()).collect();
        let handling = match Handling::parse(handling.trim()) {
            Some(h) if class.allows(h) => Some(h),
            Some(h) => {
                errors.push((
                    format!("{prefix}handling"),
                    format!("{h} does not close a {class} problem; its prescription allows {}", allowed.join(" or ")),
                ));
                None
            }
            None => {
                errors.push((format!("{prefix}handling"), format!("{handling:?}: one of {}", allowed.join(", "))));
                None
            }
        };
        let note = note.trim();
        if let Err(e) = text::check(note, text::NOTE) {
            errors.push((format!("{prefix}note"), e.to_string()));
        }
        let reasons = optional(&mut errors, &format!("{prefix}reasons"), reasons, text::NOTE);
        if handling == Some(Handling::Exited) && reasons.is_none() {
            errors.push((format!("{prefix}reasons"), "an exit needs the reasons told to the investor".into()));
        }
        match handling {
            Some(handling) if errors.is_empty() => Ok(Closing {
                handling,
                note: note.to_owned(),
                reasons: reasons.filter(|_| handling == Handling::Exited),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(class: &str) -> ProblemInput {
        ProblemInput {
            class: class.into(),
            description: "缺少用地预审意见".into(),
            remedy: None,
            department: "zrzy".into(),
            days: 5,
            source: Some("training".into()),
            source_id: Some(3),
        }
    }

    #[test]
    fn each_class_gets_its_prescription() {
        let got: Vec<&str> = ProblemClass::ALL.iter().map(|c| c.prescription().as_str()).collect();
        assert_eq!(got, ["provide_materials", "optimise_scheme", "coordinate", "exit_or_rectify"]);
    }

    #[test]
    fn only_the_handlings_of_its_prescription_close_a_problem() {
        use Handling::*;
        use ProblemClass::*;
        for (class, ok) in [
            (MissingMaterials, vec![MaterialsProvided]),
            (PoorScheme, vec![SchemeOptimised]),
            (LandOrFunds, vec![Coordinated]),
            (Illegal, vec![Exited, Rectified]),
        ] {
            for h in Handling::ALL {
                assert_eq!(class.allows(h), ok.contains(&h), "{class} {h}");
            }
        }
        let e = Closing::parse(MissingMaterials, "coordinated", "", None, "").unwrap_err();
        assert_eq!(e[0].0, "handling");
        assert!(e[0].1.contains("materials_provided"), "{e:?}");
    }

    #[test]
    fn an_exit_needs_its_reasons() {
        let e = Closing::parse(ProblemClass::Illegal, "exited", "", Some("  "), "solved[1].").unwrap_err();
        assert_eq!(
            e,
            vec![("solved[1].reasons".to_owned(), "an exit needs the reasons told to the investor".to_owned())]
        );
        let c = Closing::parse(ProblemClass::Illegal, "exited", "告知投资人", Some("未批先建"), "").unwrap();
        assert_eq!((c.handling, c.reasons.as_deref()), (Handling::Exited, Some("未批先建")));
        let r = Closing::parse(ProblemClass::Illegal, "rectified", "", Some("ignored"), "").unwrap();
        assert_eq!(r.reasons, None);
    }

    #[test]
    fn a_problem_is_checked_field_by_field() {
        let p = NewProblem::parse(&input("missing_materials")).unwrap();
        assert_eq!((p.class, p.source), (ProblemClass::MissingMaterials, ProblemSource::Training(3)));
        let mut bad = input("poor_scheme");
        bad.days = 0;
        bad.department = "bad code!".into();
        bad.source = Some("rumour".into());
        let fields: Vec<String> = NewProblem::parse(&bad).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["remedy", "department", "days", "source"]);
        let mut bad = input("nonsense");
        bad.days = 366;
        bad.source = None;
        let fields: Vec<String> = NewProblem::parse(&bad).unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["class", "days", "source_id"]);
    }
}
