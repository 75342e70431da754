//! 文号 — a document's number: the bureau's prefix (机关代字), the kind's mark, the year in
//! 六角括号 and the sequence, e.g. `兰审批许〔2026〕123号`.

use std::fmt;

use super::DocumentKind;

/// A document's 文号, built by [`DocumentNumber::format`] or read back by
/// [`DocumentNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentNumber {
    /// 机关代字, e.g. 兰审批.
    pub prefix: String,
    /// The kind, by its mark.
    pub kind: DocumentKind,
    /// The year it was issued in (China Standard Time).
    pub year: i16,
    /// The sequence within prefix, kind and year, from 1.
    pub seq: u64,
}

/// Why a text is not a 文号.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("document number {0:?} must look like 兰审批许〔2026〕123号")]
pub struct BadDocumentNumber(pub String);

impl DocumentNumber {
    /// The 文号 of the `seq`th document of `kind` in `year` under `prefix`.
    pub fn format(prefix: &str, kind: DocumentKind, year: i16, seq: u64) -> String {
        Self { prefix: prefix.to_owned(), kind, year, seq }.to_string()
    }

    /// Reads a 文号 back (from a path or a form). Marks are tried longest first, so
    /// `不许` is read as a denial and not as a prefix ending in 不 with the mark 许.
    pub fn parse(text: &str) -> Result<Self, BadDocumentNumber> {
        let bad = || BadDocumentNumber(text.to_owned());
        let t = text.trim();
        let (head, rest) = t.split_once('〔').ok_or_else(bad)?;
        let (year, rest) = rest.split_once('〕').ok_or_else(bad)?;
        let seq = rest.strip_suffix('号').ok_or_else(bad)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(year) || year.len() != 4 || !digits(seq) || seq.starts_with('0') {
            return Err(bad());
        }
        let mut kinds = DocumentKind::ALL;
        kinds.sort_by_key(|k| std::cmp::Reverse(k.mark().chars().count()));
        let (prefix, kind) = kinds
            .iter()
            .find_map(|k| head.strip_suffix(k.mark()).filter(|p| !p.is_empty()).map(|p| (p, *k)))
            .ok_or_else(bad)?;
        Ok(Self {
            prefix: prefix.to_owned(),
            kind,
            year: year.parse().map_err(|_| bad())?,
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}〔{:04}〕{}号", self.prefix, self.kind.mark(), self.year, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_number_reads_as_the_bureau_writes_it() {
        assert_eq!(DocumentNumber::format("兰审批", DocumentKind::Approval, 2026, 123), "兰审批许〔2026〕123号");
        let n = DocumentNumber::parse("兰审批不许〔2026〕7号").expect("parses");
        assert_eq!((n.prefix.as_str(), n.kind, n.year, n.seq), ("兰审批", DocumentKind::Denial, 2026, 7));
        let n = DocumentNumber::parse("兰审批不受〔2027〕1号").expect("parses");
        assert_eq!(n.kind, DocumentKind::NonAcceptance);
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "兰审批许2026123号",
            "兰审批许〔2026〕号",
            "兰审批许〔26〕1号",
            "许〔2026〕1号",
            "兰审批许〔2026〕01号",
            "兰审批〔2026〕1号",
        ] {
            assert!(DocumentNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn format_and_parse_agree(seq in 1u64..10_000_000, year in 2000i16..2100, k in 0usize..6, prefix in "[兰审批州市]{1,4}") {
            let kind = DocumentKind::ALL[k];
            let text = DocumentNumber::format(&prefix, kind, year, seq);
            let back = DocumentNumber::parse(&text).expect("parses");
            prop_assert_eq!(back, DocumentNumber { prefix, kind, year, seq });
        }
    }
}
