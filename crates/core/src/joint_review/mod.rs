//! Joint review meetings (联审联批) of construction projects, held by a county or a
//! functional zone: the leaders, each window's chief representative (首席代表), the project
//! units, an agenda of projects and the decision on each — exit (退出), a roadmap (路线图) of
//! tasks followed until done, or unblocked (疏通, the project enters modular approval) — and
//! the minutes. `meeting` checks what is recorded, `roadmap` the tasks, `summary` the
//! figures computed from the records.

pub mod meeting;
pub mod roadmap;
pub mod summary;

pub use meeting::{Known, Meeting, MeetingInput, ProjectDecision, ProjectInput, Representative, RepresentativeInput};
pub use roadmap::{Deadline, RoadmapStatus, Task, TaskInput};
pub use summary::{DecidedRow, Summary, summarize};

use serde::{Deserialize, Serialize};

/// What a meeting decides for a project on its agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 退出 — the project leaves the approval process; the reasons are told to the investor.
    Exit,
    /// 路线图 — a roadmap of tasks, each with an owner department and a deadline.
    Roadmap,
    /// 疏通 — the blockages are solved; the project enters modular approval.
    Unblocked,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 3] = [Self::Exit, Self::Roadmap, Self::Unblocked];

    /// The stable name (stored, and in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exit => "exit",
            Self::Roadmap => "roadmap",
            Self::Unblocked => "unblocked",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == name)
    }
}

/// A field's error: the JSON path of the field and what is wrong with it.
pub type FieldError = (String, String);

/// A checked text: trimmed, 1–`max` characters, no control characters (line breaks only when
/// `multiline`).
pub(crate) fn text(t: &str, max: usize, multiline: bool) -> Result<String, String> {
    let t = t.trim();
    let bad_char = t.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    if t.is_empty() || t.chars().count() > max || bad_char {
        Err(if multiline {
            format!("1–{max} characters")
        } else {
            format!("1–{max} characters without line breaks")
        })
    } else {
        Ok(t.to_owned())
    }
}

#[cfg(test)]
mod tests;
