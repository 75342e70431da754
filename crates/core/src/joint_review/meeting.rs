//! A joint review meeting (联审联批会议) as recorded: checked in one pass that reports every
//! bad field by its JSON path (`projects[2].reasons`), against what the store knows (the
//! projects, the departments, whether the division is the center's).

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::roadmap::{Task, TaskInput, check_task};
use super::{Decision, FieldError, text};
use crate::calendar::{CHINA_STANDARD_TIME, WorkingCalendar};
use crate::division::DivisionCode;
use crate::org::DepartmentCode;
use crate::plan::ProjectCode;

/// At most this many projects on one agenda.
pub const MAX_PROJECTS: usize = 500;
/// At most this many leaders, representatives or units.
pub const MAX_PEOPLE: usize = 100;
/// The longest minutes, in characters.
pub const MAX_MINUTES: usize = 20_000;

/// A chief representative (首席代表) as entered: a department's window representative, by
/// name or by staff login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepresentativeInput {
    /// The department (its code at the center).
    pub department: String,
    /// The representative's name.
    pub name: Option<String>,
    /// Or the staff account's login.
    pub account: Option<String>,
}

/// A chief representative (首席代表) at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representative {
    /// The department.
    pub department: DepartmentCode,
    /// The name, when given.
    pub name: Option<String>,
    /// The staff login, when given.
    pub account: Option<String>,
}

/// A decision as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectInput {
    /// 项目代码.
    pub project: String,
    /// `exit`, `roadmap` or `unblocked`.
    pub decision: String,
    /// Why (required for an exit: told to the investor).
    pub reasons: Option<String>,
    /// A roadmap's tasks.
    pub tasks: Vec<TaskInput>,
    /// The blockages solved, for an unblocked project.
    pub blockages: Vec<String>,
}

/// A meeting as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingInput {
    /// Title.
    pub title: String,
    /// The day it was held, `YYYY-MM-DD` (China Standard Time).
    pub date: String,
    /// The county or functional zone holding it (division code).
    pub division: String,
    /// The leaders who chaired it (names).
    pub leaders: Vec<String>,
    /// The windows' chief representatives.
    pub representatives: Vec<RepresentativeInput>,
    /// The project units attending (names).
    pub units: Vec<String>,
    /// The agenda (project codes); when given, every decided project must be on it.
    pub agenda: Option<Vec<String>>,
    /// 会议纪要 — the minutes.
    pub minutes: String,
    /// The decisions.
    pub projects: Vec<ProjectInput>,
}

/// What the store knows, for the check.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    /// Whether the (well-formed) division is one of the center's.
    pub division: bool,
    /// The library's projects among those named.
    pub projects: &'a BTreeSet<ProjectCode>,
    /// The center's departments.
    pub departments: &'a BTreeSet<DepartmentCode>,
    /// Today (China Standard Time): a meeting is not recorded before it is held.
    pub today: Date,
    /// The working calendar the roadmap's deadlines count on.
    pub calendar: &'a WorkingCalendar,
}

/// One agenda project's decision, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDecision {
    /// The project.
    pub project: ProjectCode,
    /// The decision.
    pub decision: Decision,
    /// The reasons (empty when none given).
    pub reasons: String,
    /// The blockages recorded as solved.
    pub blockages: Vec<String>,
    /// The roadmap's tasks.
    pub tasks: Vec<Task>,
}

/// A meeting, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Title.
    pub title: String,
    /// The day it was held.
    pub date: Date,
    /// The county or functional zone.
    pub division: DivisionCode,
    /// Leaders.
    pub leaders: Vec<String>,
    /// Chief representatives.
    pub representatives: Vec<Representative>,
    /// Project units.
    pub units: Vec<String>,
    /// The agenda: the given list, else the decided projects.
    pub agenda: Vec<ProjectCode>,
    /// Minutes (may be empty).
    pub minutes: String,
    /// The decisions, as entered.
    pub decisions: Vec<ProjectDecision>,
}

/// When a meeting's roadmap tasks start: the beginning of the meeting day (CST).
pub fn started(date: Date) -> Timestamp {
    date.to_zoned(CHINA_STANDARD_TIME.to_time_zone()).map(|z| z.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn names(path: &str, list: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    if list.len() > MAX_PEOPLE {
        errors.push((path.into(), format!("at most {MAX_PEOPLE}")));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, n) in list.iter().enumerate() {
        match text(n, 100, false) {
            Ok(n) => out.push(n),
            Err(m) => errors.push((format!("{path}[{i}]"), m)),
        }
    }
    out
}

fn optional(t: Option<&str>) -> Option<&str> {
    t.map(str::trim).filter(|t| !t.is_empty())
}

impl MeetingInput {
    /// Checks the whole meeting; every bad field is reported, by its JSON path.
    pub fn check(&self, known: &Known<'_>) -> Result<Meeting, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&self.title, 200, false).map_err(|m| errors.push(("title".into(), m))).ok();
        let date = match self.date.trim().parse::<Date>() {
            Ok(d) if d > known.today => {
                errors.push(("date".into(), format!("{d} is after today ({})", known.today)));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(("date".into(), format!("{:?} is not a date (YYYY-MM-DD)", self.date)));
                None
            }
        };
        let division = match DivisionCode::parse(&self.division) {
            Ok(d) if known.division => Some(d),
            Ok(d) => {
                errors.push(("division".into(), format!("{d} is not one of the center's divisions")));
                None
            }
            Err(e) => {
                errors.push(("division".into(), e.to_string()));
                None
            }
        };
        let leaders = names("leaders", &self.leaders, &mut errors);
        let units = names("units", &self.units, &mut errors);
        let representatives = self.representatives(known, &mut errors);
        let minutes = self.minutes.trim().to_owned();
        if minutes.chars().count() > MAX_MINUTES
            || minutes.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            errors.push(("minutes".into(), format!("at most {MAX_MINUTES} characters")));
        }
        let agenda = self.agenda(known, &mut errors);
        let decisions = self.decisions(known, agenda.as_ref(), date, &mut errors);
        match (title, date, division) {
            (Some(title), Some(date), Some(division)) if errors.is_empty() => {
                let agenda = agenda.unwrap_or_else(|| decisions.iter().map(|d| d.project.clone()).collect());
                Ok(Meeting { title, date, division, leaders, representatives, units, agenda, minutes, decisions })
            }
            _ => Err(errors),
        }
    }

    fn representatives(&self, known: &Known<'_>, errors: &mut Vec<FieldError>) -> Vec<Representative> {
        if self.representatives.len() > MAX_PEOPLE {
            errors.push(("representatives".into(), format!("at most {MAX_PEOPLE}")));
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, r) in self.representatives.iter().enumerate() {
            let path = format!("representatives[{i}]");
            let department = match DepartmentCode::parse(r.department.trim()) {
                Ok(d) if known.departments.contains(&d) => Some(d),
                _ => {
                    errors.push((
                        format!("{path}.department"),
                        format!("{:?} is not a department of the center", r.department),
                    ));
                    None
                }
            };
            let name = optional(r.name.as_deref()).map(|n| text(n, 100, false));
            let account = optional(r.account.as_deref()).map(|n| text(n, 64, false));
            if name.is_none() && account.is_none() {
                errors.push((format!("{path}.name"), "the representative's name or staff login".into()));
            }
            let name = match name.transpose() {
                Ok(n) => n,
                Err(m) => {
                    errors.push((format!("{path}.name"), m));
                    None
                }
            };
            let account = match account.transpose() {
                Ok(a) => a,
                Err(m) => {
                    errors.push((format!("{path}.account"), m));
                    None
                }
            };
            if let Some(department) = department {
                out.push(Representative { department, name, account });
            }
        }
        out
    }

    fn agenda(&self, known: &Known<'_>, errors: &mut Vec<FieldError>) -> Option<Vec<ProjectCode>> {
        let list = self.agenda.as_ref()?;
        if list.len() > MAX_PROJECTS {
            errors.push(("agenda".into(), format!("at most {MAX_PROJECTS} projects")));
            return Some(Vec::new());
        }
        let mut out: Vec<ProjectCode> = Vec::new();
        for (i, code) in list.iter().enumerate() {
            match ProjectCode::parse(code) {
                Ok(c) if !known.projects.contains(&c) => {
                    errors.push((format!("agenda[{i}]"), format!("project {c} is not in the library")))
                }
                Ok(c) if out.contains(&c) => {
                    errors.push((format!("agenda[{i}]"), format!("project {c} is listed twice")))
                }
                Ok(c) => out.push(c),
                Err(e) => errors.push((format!("agenda[{i}]"), e.to_string())),
            }
        }
        Some(out)
    }

    fn decisions(
        &self,
        known: &Known<'_>,
        agenda: Option<&Vec<ProjectCode>>,
        date: Option<Date>,
        errors: &mut Vec<FieldError>,
    ) -> Vec<ProjectDecision> {
        if self.projects.is_empty() && agenda.is_none_or(Vec::is_empty) {
            errors.push(("projects".into(), "decide at least one project".into()));
        }
        if self.projects.len() > MAX_PROJECTS {
            errors.push(("projects".into(), format!("at most {MAX_PROJECTS} projects")));
            return Vec::new();
        }
        let mut seen: BTreeMap<ProjectCode, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for (i, p) in self.projects.iter().enumerate() {
            let path = format!("projects[{i}]");
            let project = match ProjectCode::parse(&p.project) {
                Ok(c) if !known.projects.contains(&c) => {
                    errors.push((format!("{path}.project"), format!("project {c} is not in the library")));
                    None
                }
                Ok(c) if agenda.is_some_and(|a| !a.contains(&c)) => {
                    errors.push((format!("{path}.project"), format!("project {c} is not on the meeting's agenda")));
                    None
                }
                Ok(c) => match seen.insert(c.clone(), i) {
                    Some(first) => {
                        errors.push((
                            format!("{path}.project"),
                            format!("project {c} is decided twice (projects[{first}])"),
                        ));
                        None
                    }
                    None => Some(c),
                },
                Err(e) => {
                    errors.push((format!("{path}.project"), e.to_string()));
                    None
                }
            };
            let decision = Decision::parse(p.decision.trim());
            if decision.is_none() {
                errors.push((format!("{path}.decision"), format!("{:?}: exit, roadmap or unblocked", p.decision)));
            }
            let reasons = match optional(p.reasons.as_deref()).map(|r| text(r, 2000, true)).transpose() {
                Ok(r) => r,
                Err(m) => {
                    errors.push((format!("{path}.reasons"), m));
                    Some(String::new())
                }
            };
            if decision == Some(Decision::Exit) && reasons.is_none() {
                errors.push((format!("{path}.reasons"), "an exit needs the reasons told to the investor".into()));
            }
            let tasks = self.tasks(&path, p, decision, known, date, errors);
            let blockages = if decision != Some(Decision::Unblocked) && !p.blockages.is_empty() {
                errors.push((format!("{path}.blockages"), "only an unblocked project lists blockages solved".into()));
                Vec::new()
            } else {
                p.blockages
                    .iter()
                    .enumerate()
                    .filter_map(|(j, b)| {
                        text(b, 500, false).map_err(|m| errors.push((format!("{path}.blockages[{j}]"), m))).ok()
                    })
                    .collect()
            };
            if let (Some(project), Some(decision)) = (project, decision) {
                out.push(ProjectDecision { project, decision, reasons: reasons.unwrap_or_default(), blockages, tasks });
            }
        }
        out
    }

    fn tasks(
        &self,
        path: &str,
        p: &ProjectInput,
        decision: Option<Decision>,
        known: &Known<'_>,
        date: Option<Date>,
        errors: &mut Vec<FieldError>,
    ) -> Vec<Task> {
        match decision {
            Some(Decision::Roadmap) if p.tasks.is_empty() => {
                errors.push((format!("{path}.tasks"), "a roadmap needs at least one task".into()));
                Vec::new()
            }
            Some(Decision::Roadmap) if p.tasks.len() > MAX_PEOPLE => {
                errors.push((format!("{path}.tasks"), format!("at most {MAX_PEOPLE} tasks")));
                Vec::new()
            }
            Some(Decision::Roadmap) => p
                .tasks
                .iter()
                .enumerate()
                .filter_map(|(j, t)| check_task(&format!("{path}.tasks[{j}]"), t, known, date, errors))
                .collect(),
            _ if !p.tasks.is_empty() => {
                errors.push((format!("{path}.tasks"), "only a roadmap has tasks".into()));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
