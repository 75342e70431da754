//! The hall's organisation: sites (办事地点), departments (部门), their windows (窗口) and
//! staff (工作人员); [`import`] reads and checks it from the spreadsheets a center keeps.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::division::DivisionCode;

pub mod import;
pub mod owner;

/// Why an identifier or name is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    /// An identifier with characters outside `A-Z a-z 0-9 - _ .` or of the wrong length.
    #[error("{what} {text:?} must be 1–{max} characters of A–Z, a–z, 0–9, '-', '_' or '.'")]
    BadCode {
        /// Which kind of identifier.
        what: &'static str,
        /// The rejected text.
        text: String,
        /// Maximum length.
        max: usize,
    },
    /// An empty or overlong name.
    #[error("{what} must be 1–{max} characters")]
    BadName {
        /// Which kind of name.
        what: &'static str,
        /// Maximum length in characters.
        max: usize,
    },
}

/// Checks an identifier: ASCII letters, digits, `-`, `_`, `.`, 1..=max long.
pub(crate) fn check_code(what: &'static str, text: &str, max: usize) -> Result<String, OrgError> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.len() <= max
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok { Ok(t.to_owned()) } else { Err(OrgError::BadCode { what, text: text.to_owned(), max }) }
}

/// Checks a human-readable name: trimmed, 1..=max characters.
pub(crate) fn check_name(what: &'static str, text: &str, max: usize) -> Result<String, OrgError> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 || n > max { Err(OrgError::BadName { what, max }) } else { Ok(t.to_owned()) }
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses and validates the identifier.
            pub fn parse(text: &str) -> Result<Self, OrgError> {
                $crate::org::check_code($what, text, $max).map(Self)
            }
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = OrgError;
            fn try_from(s: String) -> Result<Self, OrgError> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }
    };
}
pub(crate) use code_type;

code_type!(
    /// A department's code, e.g. `fgw` (发改委). Stable across catalog versions.
    DepartmentCode, "department code", 32
);
code_type!(
    /// A window's code, e.g. `W-07`.
    WindowCode, "window code", 32
);
code_type!(
    /// A staff member's login name / id, e.g. `zhang.wei`.
    StaffId, "staff id", 64
);

code_type!(
    /// A site's code, e.g. `main` (the main hall) or `bdc` (a real-estate registration 分中心).
    SiteCode, "site code", 32
);

/// A place where people are served (办事地点): the main hall, a branch (分中心) such as a
/// real-estate registration center, a county hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// Its code.
    pub code: SiteCode,
    /// Its name, e.g. 兰州市政务服务中心.
    pub name: String,
    /// The division it serves.
    pub division: DivisionCode,
    /// Street address.
    pub address: String,
    /// Opening hours as published, e.g. 周一至周五 9:00–17:00.
    pub hours: String,
    /// The phone people call.
    pub phone: String,
}

/// A department that moved its approval division into the hall (进驻部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Its code.
    pub code: DepartmentCode,
    /// Its name, e.g. 兰州市发展和改革委员会.
    pub name: String,
    /// The division it serves.
    pub division: DivisionCode,
    /// The site it works at, if placed.
    pub site: Option<SiteCode>,
}

/// A window (窗口) in the hall; a comprehensive window (综合窗口) serves many departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Its code.
    pub code: WindowCode,
    /// Its display name, e.g. 发改委窗口.
    pub name: String,
    /// The department it belongs to; none for a comprehensive window.
    pub department: Option<DepartmentCode>,
    /// The site it stands at, if placed.
    pub site: Option<SiteCode>,
}

/// Where a staff member sits in the delegation chain (逐级授权).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 主要领导 — department head.
    Head,
    /// 分管领导 — deputy in charge.
    Deputy,
    /// 处室负责人 — division chief.
    Chief,
    /// 一般工作人员 — staff (window clerks, reviewers).
    Staff,
}

impl Position {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Deputy => "deputy",
            Self::Chief => "chief",
            Self::Staff => "staff",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Position> {
        [Self::Head, Self::Deputy, Self::Chief, Self::Staff].into_iter().find(|p| p.as_str() == text)
    }

    /// How high in the chain: the head 3, a deputy 2, a chief 1, staff 0.
    pub fn rank(self) -> u8 {
        match self {
            Self::Head => 3,
            Self::Deputy => 2,
            Self::Chief => 1,
            Self::Staff => 0,
        }
    }
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Login name / id.
    pub id: StaffId,
    /// Full name, e.g. 王芳.
    pub name: String,
    /// Department.
    pub department: DepartmentCode,
    /// The window they sit at, if any.
    pub window: Option<WindowCode>,
    /// Position in the delegation chain.
    pub position: Position,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_refuse_spaces_and_overlong_text() {
        assert!(DepartmentCode::parse("fgw").is_ok());
        assert!(DepartmentCode::parse("f gw").is_err());
        assert!(DepartmentCode::parse("").is_err());
        assert!(DepartmentCode::parse(&"x".repeat(33)).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("name", " 王芳 ", 10).as_deref(), Ok("王芳"));
        assert!(check_name("name", "   ", 10).is_err());
        assert!(check_name("name", &"字".repeat(11), 10).is_err());
    }
}
