//! 集中培训查堵 — a concentrated training session: project units come to learn the
//! approval rules, receive the 审批政策包 (policy packs), and the staff find what blocks
//! their projects. Problems found there are recorded on their projects (see
//! [`super::problem`]) with the training as their source.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{FieldErrors, date, optional, required};
use crate::org::DepartmentCode;
use crate::plan::ProjectCode;
use crate::text;

/// The most people one session records.
pub const MAX_PEOPLE: usize = 2_000;
/// The most projects one session records.
pub const MAX_PROJECTS: usize = 1_000;
/// The most policy packs one session hands out.
pub const MAX_PACKS: usize = 100;

/// A person who attended (参训人员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// Name.
    pub name: String,
    /// The unit they came for (usually a project unit).
    pub unit: String,
    /// A phone to reach them.
    pub phone: Option<String>,
}

/// A training session, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    /// 培训主题.
    pub topic: String,
    /// The day it was held.
    pub date: jiff::civil::Date,
    /// The organising departments (at least one).
    pub departments: Vec<DepartmentCode>,
    /// The projects whose units attended.
    pub projects: Vec<ProjectCode>,
    /// The people who attended (at least one).
    pub people: Vec<Attendee>,
    /// 审批政策包 — the titles of the policy packs handed out.
    pub policy_packs: Vec<String>,
}

/// An attendee as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeInput {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Phone, optional.
    pub phone: Option<String>,
}

/// A training session as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingInput {
    /// Topic.
    pub topic: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Organising departments' codes.
    pub departments: Vec<String>,
    /// Project codes.
    pub projects: Vec<String>,
    /// People.
    pub people: Vec<AttendeeInput>,
    /// Policy pack titles.
    pub policy_packs: Vec<String>,
}

/// Checks a phone as typed: digits, spaces, `+`, `-`, parentheses, at most 30.
pub(crate) fn phone_ok(p: &str) -> bool {
    p.chars().count() <= text::PHONE
        && p.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
}

impl Training {
    /// Checks a session, listing every bad field. Departments and projects are checked for
    /// form and repetition here; whether they exist is the caller's check.
    pub fn parse(input: &TrainingInput) -> Result<Training, FieldErrors> {
        let mut errors = FieldErrors::new();
        let topic = required(&mut errors, "topic", &input.topic, 200);
        let date = date(&mut errors, "date", &input.date);
        if input.departments.is_empty() {
            errors.push(("departments".into(), "at least one organising department".into()));
        }
        let mut departments = Vec::new();
        for (i, d) in input.departments.iter().enumerate() {
            match DepartmentCode::parse(d) {
                Ok(d) if departments.contains(&d) => {
                    errors.push((format!("departments[{i}]"), format!("{d} is repeated")))
                }
                Ok(d) => departments.push(d),
                Err(e) => errors.push((format!("departments[{i}]"), e.to_string())),
            }
        }
        if input.projects.len() > MAX_PROJECTS {
            errors.push(("projects".into(), format!("at most {MAX_PROJECTS} projects")));
        }
        let mut projects = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, p) in input.projects.iter().enumerate() {
            match ProjectCode::parse(p) {
                Ok(p) if !seen.insert(p.clone()) => errors.push((format!("projects[{i}]"), format!("{p} is repeated"))),
                Ok(p) => projects.push(p),
                Err(e) => errors.push((format!("projects[{i}]"), e.to_string())),
            }
        }
        if input.people.is_empty() {
            errors.push(("people".into(), "at least one person attended".into()));
        } else if input.people.len() > MAX_PEOPLE {
            errors.push(("people".into(), format!("at most {MAX_PEOPLE} people")));
        }
        let people = input
            .people
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = required(&mut errors, &format!("people[{i}].name"), &a.name, text::NAME);
                let unit = required(&mut errors, &format!("people[{i}].unit"), &a.unit, 200);
                let phone = optional(&mut errors, &format!("people[{i}].phone"), a.phone.as_deref(), text::PHONE);
                if phone.as_deref().is_some_and(|p| !phone_ok(p)) {
                    errors.push((format!("people[{i}].phone"), "digits, spaces, '-', '+', '(' or ')'".into()));
                }
                Attendee { name, unit, phone }
            })
            .collect();
        if input.policy_packs.len() > MAX_PACKS {
            errors.push(("policy_packs".into(), format!("at most {MAX_PACKS} policy packs")));
        }
        let policy_packs = input
            .policy_packs
            .iter()
            .enumerate()
            .map(|(i, t)| required(&mut errors, &format!("policy_packs[{i}]"), t, 200))
            .collect();
        match date {
            Some(date) if errors.is_empty() => {
                Ok(Training { topic, date, departments, projects, people, policy_packs })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TrainingInput {
        TrainingInput {
            topic: "工程建设项目审批政策培训".into(),
            date: "2026-03-12".into(),
            departments: vec!["fgw".into(), "zjj".into()],
            projects: vec!["2026-620102-47-01-000052".into()],
            people: vec![AttendeeInput {
                name: "王芳".into(), unit: "兰州雁滩停车管理有限公司".into(), phone: None
            }],
            policy_packs: vec!["工程建设项目审批政策包（2026版）".into()],
        }
    }

    #[test]
    fn a_session_is_checked_and_kept() {
        let t = Training::parse(&input()).unwrap();
        assert_eq!((t.people.len(), t.projects.len(), t.departments.len()), (1, 1, 2));
    }

    #[test]
    fn every_bad_field_of_a_session_is_named() {
        let mut i = input();
        i.topic = " ".into();
        i.date = "2026-13-01".into();
        i.departments = vec!["fgw".into(), "fgw".into()];
        i.projects.push("bad code".into());
        i.people.push(AttendeeInput { name: "".into(), unit: "x".into(), phone: Some("call me".into()) });
        let errors = Training::parse(&i).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["topic", "date", "departments[1]", "projects[1]", "people[1].name", "people[1].phone"]);
    }

    #[test]
    fn a_session_needs_people_and_a_department() {
        let mut i = input();
        i.people.clear();
        i.departments.clear();
        let errors = Training::parse(&i).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["departments", "people"]);
    }
}
