//! 送达方式 — how a decision was handed over: collected at the window, mailed with a
//! tracking number, or electronically (the sealed documents, downloadable by the applicant).
//!
//! Deliveries recorded before the methods were fixed hold free text ("窗口领取", "邮寄");
//! stored events are hashed as stored and never rewritten, so that text reads back as
//! [`DeliveryMethod::Legacy`] and is written back exactly as it was.

use serde::{Deserialize, Serialize};

/// Fewest characters of a tracking number (快递单号); China Post's are 13, SF's 12–15.
pub const MIN_TRACKING_NUMBER: usize = 6;
/// Most characters of a tracking number.
pub const MAX_TRACKING_NUMBER: usize = 32;
/// Most characters of a carrier's name (承运快递公司).
pub const MAX_CARRIER: usize = 32;

/// 送达方式 — how a decision was handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Stored", into = "Stored")]
pub enum DeliveryMethod {
    /// 窗口领取 — collected at the window.
    Window,
    /// 邮寄送达 — mailed.
    Mail {
        /// 快递单号: letters, digits and hyphens.
        tracking_number: String,
        /// The carrier (e.g. 中国邮政 EMS, 顺丰), if named.
        carrier: Option<String>,
    },
    /// 电子送达 — the sealed documents, downloadable by the applicant.
    Electronic,
    /// Free text recorded before the methods were fixed, kept as written. Read back only,
    /// never accepted in a new delivery.
    Legacy(String),
}

/// A delivery that cannot be recorded, naming the field at fault ([`DeliveryError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Not one of the three methods.
    #[error("unknown delivery method {0:?} (expected window, mail or electronic)")]
    UnknownMethod(String),
    /// A mailed delivery without its tracking number.
    #[error("a mailed delivery needs its tracking number")]
    MissingTrackingNumber,
    /// A tracking number of the wrong length or with other characters.
    #[error(
        "tracking number must be {MIN_TRACKING_NUMBER}–{MAX_TRACKING_NUMBER} letters, digits or hyphens, \
         starting with a letter or digit"
    )]
    BadTrackingNumber,
    /// A carrier's name too long or with control characters.
    #[error("carrier must be at most {MAX_CARRIER} characters on one line")]
    BadCarrier,
}

impl DeliveryError {
    /// The field at fault, as requests and forms call it.
    pub fn field(&self) -> &'static str {
        match self {
            Self::UnknownMethod(_) => "method",
            Self::MissingTrackingNumber | Self::BadTrackingNumber => "tracking_number",
            Self::BadCarrier => "carrier",
        }
    }

    /// A stable name for the rule broken, for messages keyed by it.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownMethod(_) => "unknown_method",
            Self::MissingTrackingNumber => "missing_tracking_number",
            Self::BadTrackingNumber => "bad_tracking_number",
            Self::BadCarrier => "bad_carrier",
        }
    }
}

impl DeliveryMethod {
    /// The method's names, in the order forms offer them.
    pub const NAMES: [&'static str; 3] = ["window", "mail", "electronic"];

    /// Parses a delivery as typed or posted: `method` one of [`DeliveryMethod::NAMES`];
    /// for `mail` a tracking number (trimmed) and perhaps a carrier. A tracking number or
    /// carrier given with another method is ignored: a form shows the field whatever is
    /// selected.
    pub fn parse(method: &str, tracking_number: Option<&str>, carrier: Option<&str>) -> Result<Self, DeliveryError> {
        match method.trim() {
            "window" => Ok(Self::Window),
            "electronic" => Ok(Self::Electronic),
            "mail" => {
                let tracking_number = tracking_number.map(str::trim).filter(|t| !t.is_empty());
                let tracking_number = tracking_number.ok_or(DeliveryError::MissingTrackingNumber)?;
                check_tracking_number(tracking_number)?;
                let carrier = carrier.map(str::trim).filter(|c| !c.is_empty());
                if let Some(c) = carrier {
                    check_carrier(c)?;
                }
                Ok(Self::Mail { tracking_number: tracking_number.to_owned(), carrier: carrier.map(str::to_owned) })
            }
            other => Err(DeliveryError::UnknownMethod(other.to_owned())),
        }
    }

    /// Checks a delivery about to be recorded: a legacy text is refused, a mail's fields
    /// checked as [`DeliveryMethod::parse`] checks them.
    pub fn check(&self) -> Result<(), DeliveryError> {
        match self {
            Self::Window | Self::Electronic => Ok(()),
            Self::Mail { tracking_number, carrier } => {
                check_tracking_number(tracking_number)?;
                carrier.as_deref().map_or(Ok(()), check_carrier)
            }
            Self::Legacy(text) => Err(DeliveryError::UnknownMethod(text.clone())),
        }
    }

    /// The method's name (`window`, `mail`, `electronic`), or a legacy delivery's text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Window => "window",
            Self::Mail { .. } => "mail",
            Self::Electronic => "electronic",
            Self::Legacy(text) => text,
        }
    }

    /// The tracking number of a mailed delivery.
    pub fn tracking_number(&self) -> Option<&str> {
        match self {
            Self::Mail { tracking_number, .. } => Some(tracking_number),
            _ => None,
        }
    }

    /// The carrier of a mailed delivery, if named.
    pub fn carrier(&self) -> Option<&str> {
        match self {
            Self::Mail { carrier, .. } => carrier.as_deref(),
            _ => None,
        }
    }
}

fn check_tracking_number(t: &str) -> Result<(), DeliveryError> {
    let sane = (MIN_TRACKING_NUMBER..=MAX_TRACKING_NUMBER).contains(&t.len())
        && t.starts_with(|c: char| c.is_ascii_alphanumeric())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if sane { Ok(()) } else { Err(DeliveryError::BadTrackingNumber) }
}

fn check_carrier(c: &str) -> Result<(), DeliveryError> {
    let sane = c.chars().count() <= MAX_CARRIER && !c.chars().any(char::is_control) && c.trim() == c;
    if sane { Ok(()) } else { Err(DeliveryError::BadCarrier) }
}

/// A delivery as stored: flattened into the `delivered` event (and the `deliver` command)
/// beside its `type`, e.g. `{"type":"delivered","method":"mail","tracking_number":"…"}`.
/// Old events hold only `method`, free text.
#[derive(Serialize, Deserialize)]
struct Stored {
    method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    carrier: Option<String>,
}

impl From<Stored> for DeliveryMethod {
    fn from(s: Stored) -> Self {
        // Reading never fails: whatever is not one of the three methods, well formed, is
        // kept as the text it was.
        match (s.method.as_str(), s.tracking_number, s.carrier) {
            ("window", None, None) => Self::Window,
            ("electronic", None, None) => Self::Electronic,
            ("mail", Some(tracking_number), carrier) => Self::Mail { tracking_number, carrier },
            _ => Self::Legacy(s.method),
        }
    }
}

/// A method name as stored alone: `window` and `electronic` are those methods; anything
/// else (a mail needs its tracking number) is kept as legacy text, which
/// [`DeliveryMethod::check`] refuses for a new delivery.
impl From<&str> for DeliveryMethod {
    fn from(method: &str) -> Self {
        Stored { method: method.to_owned(), tracking_number: None, carrier: None }.into()
    }
}

impl From<DeliveryMethod> for Stored {
    fn from(m: DeliveryMethod) -> Self {
        let method = m.as_str().to_owned();
        match m {
            DeliveryMethod::Mail { tracking_number, carrier } => {
                Stored { method, tracking_number: Some(tracking_number), carrier }
            }
            _ => Stored { method, tracking_number: None, carrier: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseEvent;

    #[test]
    fn mail_needs_a_sane_tracking_number() {
        let parse = |t| DeliveryMethod::parse("mail", t, None);
        assert_eq!(parse(None), Err(DeliveryError::MissingTrackingNumber));
        assert_eq!(parse(Some("   ")), Err(DeliveryError::MissingTrackingNumber));
        let long = "9".repeat(33);
        for bad in ["SF12", "SF 123456789", "顺丰1234567890", "-SF1234567", &long] {
            assert_eq!(parse(Some(bad)), Err(DeliveryError::BadTrackingNumber), "{bad}");
        }
        assert_eq!(
            parse(Some(" EA123456789CN ")),
            Ok(DeliveryMethod::Mail { tracking_number: "EA123456789CN".into(), carrier: None })
        );
        assert_eq!(DeliveryError::BadTrackingNumber.field(), "tracking_number");
    }

    #[test]
    fn only_the_three_methods_are_accepted() {
        assert_eq!(DeliveryMethod::parse(" window ", None, None), Ok(DeliveryMethod::Window));
        assert_eq!(DeliveryMethod::parse("electronic", Some("ignored"), None), Ok(DeliveryMethod::Electronic));
        let refused = DeliveryMethod::parse("窗口领取", None, None);
        assert_eq!(refused, Err(DeliveryError::UnknownMethod("窗口领取".into())));
        assert_eq!(refused.map_err(|e| e.field()), Err("method"));
        assert!(DeliveryMethod::Legacy("窗口领取".into()).check().is_err());
    }

    #[test]
    fn a_carrier_is_optional_and_one_short_line() {
        let mail = DeliveryMethod::parse("mail", Some("SF1234567890"), Some(" 顺丰速运 ")).expect("valid");
        assert_eq!((mail.tracking_number(), mail.carrier()), (Some("SF1234567890"), Some("顺丰速运")));
        assert_eq!(
            DeliveryMethod::parse("mail", Some("SF1234567890"), Some("")).map(|m| m.carrier().is_none()),
            Ok(true)
        );
        let long = "快".repeat(MAX_CARRIER + 1);
        assert_eq!(DeliveryMethod::parse("mail", Some("SF1234567890"), Some(&long)), Err(DeliveryError::BadCarrier));
        assert_eq!(DeliveryMethod::parse("mail", Some("SF1234567890"), Some("a\nb")), Err(DeliveryError::BadCarrier));
    }

    #[test]
    fn a_delivery_is_stored_flat_beside_the_event_type() {
        let event = CaseEvent::Delivered {
            method: DeliveryMethod::Mail { tracking_number: "SF1234567890".into(), carrier: Some("顺丰".into()) },
        };
        let json = serde_json::to_string(&event).expect("serializes");
        assert_eq!(json, r#"{"type":"delivered","method":"mail","tracking_number":"SF1234567890","carrier":"顺丰"}"#);
        assert_eq!(serde_json::from_str::<CaseEvent>(&json).expect("reads back"), event);
        let window = serde_json::to_string(&CaseEvent::Delivered { method: DeliveryMethod::Electronic }).expect("ok");
        assert_eq!(window, r#"{"type":"delivered","method":"electronic"}"#);
    }

    #[test]
    fn old_free_text_deliveries_read_back_and_write_back_unchanged() {
        for stored in [
            r#"{"type":"delivered","method":"窗口领取"}"#,
            r#"{"type":"delivered","method":"邮寄"}"#,
            r#"{"type":"delivered","method":"window"}"#,
            r#"{"type":"delivered","method":"mail"}"#,
        ] {
            let event: CaseEvent = serde_json::from_str(stored).expect("an old event still reads");
            assert_eq!(serde_json::to_string(&event).expect("serializes"), stored);
        }
        let old: CaseEvent = serde_json::from_str(r#"{"type":"delivered","method":"窗口领取"}"#).expect("reads");
        assert_eq!(old, CaseEvent::Delivered { method: DeliveryMethod::Legacy("窗口领取".into()) });
    }
}
