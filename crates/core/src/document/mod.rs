//! Documents (文书): the written notices and decisions 行政许可法 requires — 受理通知书,
//! 不予受理通知书, 补正材料告知书, 准予/不予行政许可决定书 — and the licence (证照) an item
//! issues. Which event issues which document, how they are numbered (文号), what their
//! templates may say, and who may revoke one are decided here; rendering to a sealed PDF
//! is the seal crate's.

mod number;
mod template;

use serde::{Deserialize, Serialize};

pub use number::{BadDocumentNumber, DocumentNumber};
pub use template::{FIELDS, Fields, MAX_BODY, Template, TemplateError, appeal_rights};

use crate::case::CaseEvent;
use crate::identity::Role;
use crate::item::ServiceItem;

/// The kinds of document the bureau issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 受理通知书 — the case is accepted; the clock runs.
    Acceptance,
    /// 不予受理通知书 — the application is not accepted.
    NonAcceptance,
    /// 补正材料告知书 — what must be handed in (again), told once.
    Correction,
    /// 准予行政许可决定书 — the licence is granted.
    Approval,
    /// 不予行政许可决定书 — the licence is refused.
    Denial,
    /// 证照 — the licence itself, titled with the item's licence name (e.g. 食品经营许可证).
    Licence,
}

impl DocumentKind {
    /// All kinds.
    pub const ALL: [DocumentKind; 6] =
        [Self::Acceptance, Self::NonAcceptance, Self::Correction, Self::Approval, Self::Denial, Self::Licence];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acceptance => "acceptance",
            Self::NonAcceptance => "non_acceptance",
            Self::Correction => "correction",
            Self::Approval => "approval",
            Self::Denial => "denial",
            Self::Licence => "licence",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    /// The document's title; a licence is titled with its own name instead (证照名称).
    pub fn title_zh(self) -> &'static str {
        match self {
            Self::Acceptance => "受理通知书",
            Self::NonAcceptance => "不予受理通知书",
            Self::Correction => "补正材料告知书",
            Self::Approval => "准予行政许可决定书",
            Self::Denial => "不予行政许可决定书",
            Self::Licence => "证照",
        }
    }

    /// The kind's mark in the 文号, after the bureau's prefix (兰审批**许**〔2026〕1号).
    pub fn mark(self) -> &'static str {
        match self {
            Self::Acceptance => "受",
            Self::NonAcceptance => "不受",
            Self::Correction => "补",
            Self::Approval => "许",
            Self::Denial => "不许",
            Self::Licence => "证",
        }
    }

    /// Whether it refuses the applicant something: it must give reasons and legal basis,
    /// and it carries the appeal rights.
    pub fn is_refusal(self) -> bool {
        matches!(self, Self::NonAcceptance | Self::Denial)
    }

    /// Whether it records a decision (准予 or 不予), revocable by the decision's chain.
    pub fn is_decision(self) -> bool {
        matches!(self, Self::Approval | Self::Denial | Self::Licence)
    }
}

/// The documents an event issues, in the order they are numbered: the one place that says
/// which event needs which written notice.
pub fn kinds_for(event: &CaseEvent, item: &ServiceItem) -> Vec<DocumentKind> {
    match event {
        CaseEvent::Accepted { .. } => vec![DocumentKind::Acceptance],
        CaseEvent::Rejected { .. } => vec![DocumentKind::NonAcceptance],
        CaseEvent::CorrectionRequested { .. } => vec![DocumentKind::Correction],
        CaseEvent::Approved { .. } if item.issues_licence() => vec![DocumentKind::Approval, DocumentKind::Licence],
        CaseEvent::Approved { .. } => vec![DocumentKind::Approval],
        CaseEvent::Denied { .. } => vec![DocumentKind::Denial],
        _ => Vec::new(),
    }
}

/// Where a document stands, derived from its register's revocation entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// 有效.
    Valid,
    /// 已撤销 — revoked (withdrawn as wrongly issued).
    Revoked,
    /// 已注销 — cancelled (no longer in force, e.g. surrendered or expired).
    Cancelled,
}

impl DocumentStatus {
    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Revoked => "revoked",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a machine name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Valid, Self::Revoked, Self::Cancelled].into_iter().find(|s| s.as_str() == text.trim())
    }

    /// The Chinese word the verification page shows.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Valid => "有效",
            Self::Revoked => "已撤销",
            Self::Cancelled => "已注销",
        }
    }

    /// The status after `entries` (each 已撤销 or 已注销, oldest first): a revocation
    /// outweighs a cancellation, and nothing makes a document valid again.
    pub fn after(entries: impl IntoIterator<Item = DocumentStatus>) -> DocumentStatus {
        entries.into_iter().fold(Self::Valid, |now, e| match (now, e) {
            (Self::Revoked, _) | (_, Self::Revoked) => Self::Revoked,
            (_, Self::Cancelled) | (Self::Cancelled, _) => Self::Cancelled,
            _ => Self::Valid,
        })
    }
}

/// Why a document may not be revoked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevokeError {
    /// Neither in the chain nor an administrator.
    #[error("only those in the document's grant chain or an administrator may revoke it")]
    NotInChain,
    /// Already revoked.
    #[error("document {0} is already revoked")]
    AlreadyRevoked(String),
    /// No reason given, or too long.
    #[error("a revocation needs a reason of 1 to {max} characters")]
    Reason {
        /// The most characters allowed.
        max: usize,
    },
}

/// Checks that `login` (in `role`) may revoke the document `number` (in `status`), issued
/// under the grant chain `chain` (every login in it: grantors, the grantee, whoever acted),
/// for `reason`.
pub fn check_revoke(
    number: &str,
    status: DocumentStatus,
    chain: &[String],
    login: &str,
    role: Role,
    reason: &str,
) -> Result<(), RevokeError> {
    if role != Role::Administrator && !chain.iter().any(|c| c == login) {
        return Err(RevokeError::NotInChain);
    }
    if status == DocumentStatus::Revoked {
        return Err(RevokeError::AlreadyRevoked(number.to_owned()));
    }
    let length = reason.trim().chars().count();
    if length == 0 || length > crate::text::NOTE {
        return Err(RevokeError::Reason { max: crate::text::NOTE });
    }
    Ok(())
}

/// A holder's name as the public verification page shows it: the first character kept,
/// the rest masked for a person (张** ), an enterprise's name kept whole but its middle
/// masked when long (兰州****公司).
pub fn mask_holder(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        n if n <= 4 => std::iter::once(chars[0]).chain(std::iter::repeat_n('*', n - 1)).collect(),
        n => chars[..2]
            .iter()
            .copied()
            .chain(std::iter::repeat_n('*', n - 4))
            .chain(chars[n - 2..].iter().copied())
            .collect(),
    }
}

/// A date as documents print it, in China Standard Time: `2026年12月7日`.
pub fn date_zh(t: jiff::Timestamp) -> String {
    let d = crate::calendar::local_date(t);
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(licence: Option<&str>) -> ServiceItem {
        let mut i = crate::item::tests::sample_item();
        i.licence = licence.map(str::to_owned);
        i
    }

    #[test]
    fn each_statutory_event_issues_its_notice_and_a_licence_comes_with_approval_when_the_item_issues_one() {
        let plain = item(None);
        let food = item(Some("食品经营许可证"));
        let approved = CaseEvent::Approved { note: String::new() };
        assert_eq!(kinds_for(&approved, &plain), [DocumentKind::Approval]);
        assert_eq!(kinds_for(&approved, &food), [DocumentKind::Approval, DocumentKind::Licence]);
        let denied = CaseEvent::Denied { reason: "r".into(), legal_basis: "b".into() };
        assert_eq!(kinds_for(&denied, &food), [DocumentKind::Denial]);
        assert_eq!(kinds_for(&CaseEvent::Rejected { reason: "r".into() }, &plain), [DocumentKind::NonAcceptance]);
        let correction = CaseEvent::CorrectionRequested { missing: vec![], note: String::new() };
        assert_eq!(kinds_for(&correction, &plain), [DocumentKind::Correction]);
        assert!(kinds_for(&CaseEvent::Suspended { reason: "专家评审".into() }, &food).is_empty());
    }

    #[test]
    fn names_and_marks_are_distinct() {
        for a in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).expect("json"), a.as_str());
            for b in DocumentKind::ALL.into_iter().filter(|b| *b != a) {
                assert_ne!(a.mark(), b.mark());
            }
        }
        assert_eq!(DocumentStatus::parse("cancelled"), Some(DocumentStatus::Cancelled));
    }

    #[test]
    fn status_follows_the_entries_and_revocation_wins() {
        use DocumentStatus as S;
        assert_eq!(S::after([]), S::Valid);
        assert_eq!(S::after([S::Cancelled]), S::Cancelled);
        assert_eq!(S::after([S::Cancelled, S::Revoked]), S::Revoked);
        assert_eq!(S::after([S::Revoked, S::Cancelled]), S::Revoked);
    }

    #[test]
    fn the_chain_or_an_administrator_revokes_with_a_reason() {
        let chain = vec!["head".to_owned(), "deputy".to_owned(), "clerk".to_owned()];
        let ok = |login, role| check_revoke("n", DocumentStatus::Valid, &chain, login, role, "错误");
        assert_eq!(ok("deputy", Role::Approver), Ok(()));
        assert_eq!(ok("admin", Role::Administrator), Ok(()));
        assert_eq!(ok("other", Role::Approver), Err(RevokeError::NotInChain));
        assert_eq!(
            check_revoke("n", DocumentStatus::Revoked, &chain, "head", Role::DepartmentHead, "x"),
            Err(RevokeError::AlreadyRevoked("n".into()))
        );
        assert!(check_revoke("n", DocumentStatus::Valid, &chain, "head", Role::DepartmentHead, " ").is_err());
    }

    #[test]
    fn holders_are_masked_for_the_public() {
        assert_eq!(mask_holder("张三"), "张*");
        assert_eq!(mask_holder("欧阳娜娜"), "欧***");
        assert_eq!(mask_holder("兰州某某餐饮有限公司"), "兰州******公司");
        assert_eq!(mask_holder(""), "");
    }

    #[test]
    fn dates_print_in_china_standard_time() {
        let t: jiff::Timestamp = "2026-12-06T16:30:00Z".parse().expect("time");
        assert_eq!(date_zh(t), "2026年12月7日");
    }
}
