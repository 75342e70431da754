//! A roadmap (路线图): the tasks a joint review meeting gives a project, each owned by a
//! department of the center (and optionally a person) with a deadline in working days or
//! by a date, supervised as a follow-up (督办) until done.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::meeting::{Known, started};
use super::{FieldError, text};
use crate::followup::{MAX_DAYS, due_after};
use crate::org::DepartmentCode;

/// A task as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    /// What is to be done.
    pub title: String,
    /// The owner department's code (required).
    pub owner: Option<String>,
    /// The person responsible, if named.
    pub person: Option<String>,
    /// The deadline in working days from the meeting day.
    pub days: Option<u32>,
    /// Or the deadline as a date, `YYYY-MM-DD`.
    pub due: Option<String>,
}

/// How a task's deadline was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// N working days (N个工作日).
    Days(u32),
    /// By a date.
    Date(Date),
}

/// A roadmap task, checked: its deadline counted over the working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// What is to be done.
    pub title: String,
    /// The owner department.
    pub department: DepartmentCode,
    /// The person responsible.
    pub person: Option<String>,
    /// When it starts: the meeting day.
    pub started_at: Timestamp,
    /// Its working days.
    pub days: u32,
    /// When it is due: the end of the `days`-th working day.
    pub due_at: Timestamp,
}

/// The working days from the meeting day to `due` (the number of working days after the
/// meeting day, up to and including `due`).
fn days_until(known: &Known<'_>, meeting: Date, due: Date) -> Option<u32> {
    let mut n = 0u32;
    let mut d = meeting;
    while d < due {
        d = d.tomorrow().ok()?;
        if known.calendar.is_working_day(d).ok()? {
            n += 1;
        }
        if n > MAX_DAYS {
            return None;
        }
    }
    Some(n)
}

/// Checks one task at `path` (`projects[i].tasks[j]`), adding its errors.
pub(crate) fn check_task(
    path: &str,
    t: &TaskInput,
    known: &Known<'_>,
    meeting: Option<Date>,
    errors: &mut Vec<FieldError>,
) -> Option<Task> {
    let title = text(&t.title, 200, false).map_err(|m| errors.push((format!("{path}.title"), m))).ok();
    let department = match t.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        None => {
            errors.push((format!("{path}.owner"), "a task needs its owner department".into()));
            None
        }
        Some(o) => match DepartmentCode::parse(o) {
            Ok(d) if known.departments.contains(&d) => Some(d),
            _ => {
                errors.push((format!("{path}.owner"), format!("{o:?} is not a department of the center")));
                None
            }
        },
    };
    let person = match t.person.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(|p| text(p, 100, false)) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(m)) => {
            errors.push((format!("{path}.person"), m));
            None
        }
    };
    let due_text = t.due.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let deadline = match (t.days, due_text) {
        (Some(_), Some(_)) => {
            errors.push((format!("{path}.days"), "give the working days or the due date, not both".into()));
            None
        }
        (None, None) => {
            errors.push((format!("{path}.days"), "a task needs its deadline: working days or a due date".into()));
            None
        }
        (Some(days), None) if days == 0 || days > MAX_DAYS => {
            errors.push((format!("{path}.days"), format!("1–{MAX_DAYS} working days")));
            None
        }
        (Some(days), None) => Some(Deadline::Days(days)),
        (None, Some(d)) => match d.parse::<Date>() {
            Ok(d) => Some(Deadline::Date(d)),
            Err(_) => {
                errors.push((format!("{path}.due"), format!("{d:?} is not a date (YYYY-MM-DD)")));
                None
            }
        },
    };
    let meeting = meeting?;
    let days = match deadline? {
        Deadline::Days(n) => n,
        Deadline::Date(d) => match days_until(known, meeting, d) {
            Some(n) if n >= 1 => n,
            _ => {
                errors.push((
                    format!("{path}.due"),
                    format!("{d} must be 1–{MAX_DAYS} working days after the meeting ({meeting})"),
                ));
                return None;
            }
        },
    };
    let started_at = started(meeting);
    let due_at = match due_after(known.calendar, started_at, days) {
        Ok(t) => t,
        Err(e) => {
            errors.push((format!("{path}.days"), e.to_string()));
            return None;
        }
    };
    Some(Task { title: title?, department: department?, person, started_at, days, due_at })
}

/// Where a roadmap stands: its tasks, those done, and those open past their deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoadmapStatus {
    /// Tasks.
    pub tasks: usize,
    /// Done.
    pub done: usize,
    /// Open and past due at the time asked.
    pub overdue: usize,
}

impl RoadmapStatus {
    /// The status of tasks given as (due, done at) at `now`.
    pub fn of(tasks: impl IntoIterator<Item = (Timestamp, Option<Timestamp>)>, now: Timestamp) -> RoadmapStatus {
        let mut s = RoadmapStatus::default();
        for (due, done) in tasks {
            s.tasks += 1;
            match done {
                Some(_) => s.done += 1,
                None if due < now => s.overdue += 1,
                None => {}
            }
        }
        s
    }

    /// Every task is done: a later meeting may unblock the project.
    pub fn all_done(&self) -> bool {
        self.tasks > 0 && self.done == self.tasks
    }
}
