//! The five modules (模块) and four sections (板块) of modular approval (DOMAIN.md §6).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A text that names no module or section.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {text:?} (expected one of {expected})")]
pub struct UnknownKind {
    /// Module or section.
    pub what: &'static str,
    /// The rejected text.
    pub text: String,
    /// The accepted machine names.
    pub expected: &'static str,
}

/// A module (审批模块) of a construction project's approval, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    /// 项目立项 — project initiation.
    Initiation,
    /// 土地利用 — land use.
    Land,
    /// 规划报建 — planning permission.
    Planning,
    /// 施工许可 — construction permit.
    Construction,
    /// 竣工验收 — completion acceptance.
    Acceptance,
}

impl Module {
    /// All modules, in order.
    pub const ALL: [Module; 5] = [Self::Initiation, Self::Land, Self::Planning, Self::Construction, Self::Acceptance];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initiation => "initiation",
            Self::Land => "land",
            Self::Planning => "planning",
            Self::Construction => "construction",
            Self::Acceptance => "acceptance",
        }
    }

    /// The short Chinese name (立项, 用地, 规划, 施工, 验收).
    pub fn zh(self) -> &'static str {
        match self {
            Self::Initiation => "立项",
            Self::Land => "用地",
            Self::Planning => "规划",
            Self::Construction => "施工",
            Self::Acceptance => "验收",
        }
    }

    /// The full Chinese name (项目立项, 土地利用, 规划报建, 施工许可, 竣工验收).
    pub fn zh_full(self) -> &'static str {
        match self {
            Self::Initiation => "项目立项",
            Self::Land => "土地利用",
            Self::Planning => "规划报建",
            Self::Construction => "施工许可",
            Self::Acceptance => "竣工验收",
        }
    }

    /// Parses a machine name (any case) or a short or full Chinese name.
    pub fn parse(text: &str) -> Result<Self, UnknownKind> {
        let t = text.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(t) || m.zh() == t || m.zh_full() == t)
            .ok_or_else(|| UnknownKind {
                what: "module",
                text: t.to_owned(),
                expected: "initiation, land, planning, construction, acceptance",
            })
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}

/// A section (板块) within a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// 前期辅导 — pre-application guidance.
    Guidance,
    /// 方案审查 — scheme review.
    SchemeReview,
    /// 行政审批 — administrative approval.
    Approval,
    /// 同步办理 — concurrent handling.
    Concurrent,
}

impl Section {
    /// All sections, in order.
    pub const ALL: [Section; 4] = [Self::Guidance, Self::SchemeReview, Self::Approval, Self::Concurrent];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guidance => "guidance",
            Self::SchemeReview => "scheme_review",
            Self::Approval => "approval",
            Self::Concurrent => "concurrent",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Guidance => "前期辅导",
            Self::SchemeReview => "方案审查",
            Self::Approval => "行政审批",
            Self::Concurrent => "同步办理",
        }
    }

    /// Parses a machine name (any case) or the Chinese name.
    pub fn parse(text: &str) -> Result<Self, UnknownKind> {
        let t = text.trim();
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(t) || s.zh() == t).ok_or_else(|| UnknownKind {
            what: "section",
            text: t.to_owned(),
            expected: "guidance, scheme_review, approval, concurrent",
        })
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_ordered_and_parse_every_name() {
        assert!(Module::Initiation < Module::Land && Module::Construction < Module::Acceptance);
        for m in Module::ALL {
            assert_eq!(Module::parse(m.as_str()), Ok(m));
            assert_eq!(Module::parse(m.zh()), Ok(m));
            assert_eq!(Module::parse(m.zh_full()), Ok(m));
        }
        assert_eq!(Module::parse("Planning"), Ok(Module::Planning));
        assert!(Module::parse("Subprocess").is_err());
    }

    #[test]
    fn sections_parse_every_name() {
        for s in Section::ALL {
            assert_eq!(Section::parse(s.as_str()), Ok(s));
            assert_eq!(Section::parse(s.zh()), Ok(s));
        }
        assert!(Section::parse("").is_err());
    }
}
