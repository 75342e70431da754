//! Identifiers of plans and steps. Both double as XML ids when a plan is written as BPMN,
//! so they follow a safe subset of XML's `NCName`: a letter or `_`, then letters, digits,
//! `-`, `_` or `.` (Unicode letters allowed), at most 128 characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an identifier is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {text:?} must be 1–128 characters: a letter or '_', then letters, digits, '-', '_' or '.'")]
pub struct BadId {
    /// Which kind of identifier.
    pub what: &'static str,
    /// The rejected text.
    pub text: String,
}

/// The longest identifier accepted.
pub const MAX_ID_LEN: usize = 128;

fn check(what: &'static str, text: &str) -> Result<String, BadId> {
    let mut chars = text.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if first_ok && rest_ok && text.chars().count() <= MAX_ID_LEN {
        Ok(text.to_owned())
    } else {
        Err(BadId { what, text: text.to_owned() })
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses and validates the identifier (no trimming: ids are exact).
            pub fn parse(text: &str) -> Result<Self, BadId> {
                check($what, text).map(Self)
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
            type Error = BadId;
            fn try_from(s: String) -> Result<Self, BadId> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = BadId;
            fn from_str(s: &str) -> Result<Self, BadId> {
                Self::parse(s)
            }
        }
    };
}

id_type!(
    /// A plan's id, e.g. `after-reform`. Stable across the plan's versions.
    PlanId, "plan id"
);
id_type!(
    /// A step's id within its plan (环节编号), e.g. `S07` or a BPMN task id `Activity_0wjwnuk`.
    StepId, "step id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_ncname_subset() {
        for ok in ["S1", "_x", "Activity_0wjwnuk", "sid-0b0aaa25.3", "立项1"] {
            assert!(StepId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "-a", "a b", "a:b", "a/b", " a"] {
            assert!(StepId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(PlanId::parse(&"a".repeat(MAX_ID_LEN)).is_ok());
        assert!(PlanId::parse(&"a".repeat(MAX_ID_LEN + 1)).is_err());
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<StepId>("\"S1\"").is_ok());
        assert!(serde_json::from_str::<StepId>("\"1 x\"").is_err());
    }
}
