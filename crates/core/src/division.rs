//! Administrative divisions (行政区划): province ⊃ city ⊃ county, keyed by their
//! six-digit GB/T 2260 code. Every department, item, case and figure belongs to one,
//! and figures roll up along the code.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A six-digit division code (行政区划代码), e.g. `620100` for 兰州市.
///
/// The first two digits name the province, the next two the city, the last two the
/// county; a city's code ends in `00`, a province's in `0000`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(String);

/// Why a text is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    /// Not exactly six ASCII digits.
    #[error("division code {0:?} must be exactly six digits")]
    Malformed(String),
    /// A parent that is not one level up in the code's own hierarchy.
    #[error("division {child} cannot lie within {parent}")]
    WrongParent {
        /// The child's code.
        child: DivisionCode,
        /// The claimed parent.
        parent: DivisionCode,
    },
    /// Level text other than province, city or county.
    #[error("unknown division level {0:?} (expected province, city or county)")]
    UnknownLevel(String),
}

impl DivisionCode {
    /// Parses a six-digit code.
    pub fn parse(text: &str) -> Result<Self, DivisionError> {
        let t = text.trim();
        if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_owned()))
        } else {
            Err(DivisionError::Malformed(text.to_owned()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level the code's shape says it has.
    pub fn level(&self) -> DivisionLevel {
        if self.0.ends_with("0000") {
            DivisionLevel::Province
        } else if self.0.ends_with("00") {
            DivisionLevel::City
        } else {
            DivisionLevel::County
        }
    }

    /// True when `self` is `other` or lies inside it (a county inside its city and province).
    pub fn is_within(&self, other: &DivisionCode) -> bool {
        let prefix = match other.level() {
            DivisionLevel::Province => &other.0[..2],
            DivisionLevel::City => &other.0[..4],
            DivisionLevel::County => &other.0[..],
        };
        self.0.starts_with(prefix)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> String {
        c.0
    }
}

/// The tier of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DivisionLevel {
    /// 省级 — province, autonomous region or municipality.
    Province,
    /// 市级 — prefecture-level city.
    City,
    /// 县级 — county, district or county-level city.
    County,
}

impl DivisionLevel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Result<Self, DivisionError> {
        match text.trim() {
            "province" => Ok(Self::Province),
            "city" => Ok(Self::City),
            "county" => Ok(Self::County),
            other => Err(DivisionError::UnknownLevel(other.to_owned())),
        }
    }
}

/// A division: 行政区划.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    /// Its code.
    pub code: DivisionCode,
    /// Its name, e.g. 城关区.
    pub name: String,
    /// The division it lies in; none for a province.
    pub parent: Option<DivisionCode>,
    /// Its tier. Taken from the source, since statistical codes such as 620171 兰州新区
    /// or 620201 do not always follow the code shape.
    pub level: DivisionLevel,
}

impl Division {
    /// Builds a division, checking that the parent contains it.
    pub fn new(
        code: DivisionCode,
        name: impl Into<String>,
        parent: Option<DivisionCode>,
        level: DivisionLevel,
    ) -> Result<Self, DivisionError> {
        if let Some(p) = &parent
            && (p == &code || !code.is_within(p))
        {
            return Err(DivisionError::WrongParent { child: code, parent: p.clone() });
        }
        Ok(Self { code, name: name.into(), parent, level })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("valid code in test")
    }

    #[test]
    fn codes_must_be_six_digits() {
        assert!(DivisionCode::parse("62010").is_err());
        assert!(DivisionCode::parse("62010a").is_err());
        assert!(DivisionCode::parse("6201000").is_err());
        assert_eq!(code(" 620100 ").as_str(), "620100");
    }

    #[test]
    fn a_county_lies_within_its_city_and_province() {
        assert!(code("620102").is_within(&code("620100")));
        assert!(code("620102").is_within(&code("620000")));
        assert!(!code("620102").is_within(&code("620200")));
        assert_eq!(code("620000").level(), DivisionLevel::Province);
        assert_eq!(code("620100").level(), DivisionLevel::City);
    }

    #[test]
    fn a_parent_must_contain_its_child() {
        let err = Division::new(code("620102"), "城关区", Some(code("620200")), DivisionLevel::County);
        assert!(matches!(err, Err(DivisionError::WrongParent { .. })));
    }
}
