//! Text as people send it: what any field may hold, and how long it may be.
//!
//! Every text that comes in (a name, a search, a note, a login) passes [`check`] with the
//! cap of its kind before anything else looks at it: control characters are refused (a NUL
//! byte cannot even be stored on PostgreSQL), and lengths are bounded so that no field can
//! carry megabytes. Tabs and line breaks are allowed where text may span lines.
//!
//! ```
//! use tongban_core::text::{self, TextError};
//!
//! assert!(text::check("兰州市城关区", text::NAME).is_ok());
//! assert_eq!(text::check("a\0b", text::NAME), Err(TextError::Control { at: 2, code: 0 }));
//! assert!(matches!(text::check(&"字".repeat(101), text::NAME), Err(TextError::TooLong { max: 100, .. })));
//! ```

/// A person's or an organisation's name, a title, a login.
pub const NAME: usize = 100;
/// A phone number as typed (digits, spaces, `+`, `-`).
pub const PHONE: usize = 30;
/// An identity number or a unified social credit code, as typed.
pub const ID_NUMBER: usize = 30;
/// What a search box takes.
pub const SEARCH: usize = 100;
/// A reason, a note, an answer: a few paragraphs.
pub const NOTE: usize = 2_000;
/// Any other single text field (a guide, a legal basis, an address list).
pub const FIELD: usize = 10_000;
/// A document pasted into a form (a BPMN file, a CSV sheet).
pub const DOCUMENT: usize = 4_000_000;
/// The highest page number a listing accepts.
pub const MAX_PAGE: u32 = 100_000;
/// The most rows a listing returns per page.
pub const MAX_PER_PAGE: u32 = 200;

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A control character (other than tab and line breaks) at 1-based character `at`.
    #[error("contains a control character (U+{code:04X}) at character {at}")]
    Control {
        /// 1-based character position.
        at: usize,
        /// The character's code point.
        code: u32,
    },
    /// Longer than the field takes.
    #[error("is {got} characters long; at most {max} are allowed")]
    TooLong {
        /// The cap.
        max: usize,
        /// The length sent.
        got: usize,
    },
}

/// Checks that `value` holds no control character other than tab, line feed and carriage
/// return, and at most `max_chars` characters.
pub fn check(value: &str, max_chars: usize) -> Result<(), TextError> {
    let mut count = 0;
    for (i, c) in value.chars().enumerate() {
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return Err(TextError::Control { at: i + 1, code: u32::from(c) });
        }
        count = i + 1;
    }
    if count > max_chars { Err(TextError::TooLong { max: max_chars, got: count }) } else { Ok(()) }
}

/// A search as typed, made safe to run as it is: control characters count as spaces, runs
/// of white space as one, and only the first [`SEARCH`] characters are kept. `None` when
/// nothing is left. (The API refuses what [`check`] refuses; the pages search for what
/// this keeps, so that a pasted paragraph still finds something.)
pub fn search_words(q: &str) -> Option<String> {
    let cleaned: String = q.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let joined: String = words.join(" ").chars().take(SEARCH).collect();
    let trimmed = joined.trim_end();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A file that is not UTF-8 text (most often a CSV saved by Excel or WPS as GBK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the file is not UTF-8 text (the first bad byte is at offset {at}); a spreadsheet saved as GBK must be saved again as \"CSV UTF-8\""
)]
pub struct NotUtf8 {
    /// Offset of the first byte that is not UTF-8.
    pub at: usize,
}

/// The text of an uploaded CSV file: UTF-8, its byte-order mark (which Excel writes) dropped.
///
/// ```
/// use tongban_core::text::decode_csv;
/// assert_eq!(decode_csv(b"\xEF\xBB\xBFcode,name\n"), Ok("code,name\n"));
/// assert_eq!(decode_csv(b"code,\xC4\xFE\n").map_err(|e| e.at), Err(5), "GBK for 内");
/// ```
pub fn decode_csv(bytes: &[u8]) -> Result<&str, NotUtf8> {
    let text = std::str::from_utf8(bytes).map_err(|e| NotUtf8 { at: e.valid_up_to() })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// One cell of a report meant for a spreadsheet: quoted when it holds a separator, a quote
/// or a line break, and, when it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, prefixed with `'` so that a spreadsheet shows it as text instead of running it
/// as a formula (CSV injection).
pub fn csv_cell(value: &str) -> String {
    let neutral = csv_neutral(value).into_owned();
    if neutral.contains([',', '"', '\n', '\r']) || neutral.starts_with(' ') || neutral.ends_with(' ') {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// A cell's text made safe for a spreadsheet: `'` before a leading `=`, `+`, `-`, `@`, tab
/// or carriage return (the quoting is the CSV writer's). [`csv_unneutral`] undoes it.
pub fn csv_neutral(value: &str) -> std::borrow::Cow<'_, str> {
    const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    // A text that already looks neutralised gets its own mark too, so it reads back whole.
    let marked = value.strip_prefix('\'').is_some_and(|rest| rest.starts_with(FORMULA));
    if value.starts_with(FORMULA) || marked { format!("'{value}").into() } else { value.into() }
}

/// A cell read back from a file [`csv_neutral`] wrote (or a spreadsheet saved): the `'`
/// before a leading formula character dropped.
pub fn csv_unneutral(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if csv_neutral(rest).len() > rest.len() => rest,
        _ => value,
    }
}

/// Checks a page request: `page` in 1..=[`MAX_PAGE`], `per_page` in 1..=[`MAX_PER_PAGE`];
/// the error names the parameter.
pub fn check_page(page: u32, per_page: u32) -> Result<(), (&'static str, String)> {
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(("page", format!("page must be 1–{MAX_PAGE}")));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(("per_page", format!("per_page must be 1–{MAX_PER_PAGE}")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn line_breaks_and_tabs_pass_other_controls_do_not() {
        assert!(check("第一行\r\n第二行\t末", NOTE).is_ok());
        assert_eq!(check("\u{7f}", NOTE), Err(TextError::Control { at: 1, code: 0x7f }));
        assert_eq!(check("ab\u{1b}[2J", NOTE), Err(TextError::Control { at: 3, code: 0x1b }));
        assert_eq!(check("\u{85}", NOTE), Err(TextError::Control { at: 1, code: 0x85 }));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(check(&"办".repeat(NAME), NAME).is_ok());
        assert_eq!(check(&"办".repeat(NAME + 1), NAME), Err(TextError::TooLong { max: NAME, got: NAME + 1 }));
    }

    #[test]
    fn searches_are_cleaned_and_capped() {
        assert_eq!(search_words("  开\u{0}公司 \t\n 流程 ").as_deref(), Some("开 公司 流程"));
        assert_eq!(search_words("\u{0}  "), None);
        assert_eq!(search_words(&"证".repeat(50_000)).map(|s| s.chars().count()), Some(SEARCH));
    }

    #[test]
    fn report_cells_cannot_become_formulas_or_break_rows() {
        assert_eq!(csv_cell("fgw"), "fgw");
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        for lead in ["+1", "-1+2", "@SUM(A1)", "\tx"] {
            assert!(csv_cell(lead).trim_start_matches('"').starts_with('\''), "{lead}");
        }
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        for v in ["=1+1", "-3", "@x", "plain", "'quoted", "'=kept once"] {
            assert_eq!(csv_unneutral(&csv_neutral(v)), v, "{v} round-trips");
        }
        assert_eq!(csv_cell("两行\n文字"), "\"两行\n文字\"");
    }

    #[test]
    fn pages_are_bounded() {
        assert!(check_page(1, 1).is_ok());
        assert!(check_page(MAX_PAGE, MAX_PER_PAGE).is_ok());
        assert!(check_page(0, 20).is_err());
        assert!(check_page(MAX_PAGE + 1, 20).is_err());
        assert!(check_page(1, 0).is_err());
        assert!(check_page(1, MAX_PER_PAGE + 1).is_err());
        assert_eq!(check_page(0, 0).map_err(|(name, _)| name), Err("page"));
        assert_eq!(check_page(1, 0).map_err(|(name, _)| name), Err("per_page"));
    }

    proptest! {
        /// Whatever passes holds no character PostgreSQL or a terminal would choke on.
        #[test]
        fn what_passes_is_free_of_controls(s in any::<String>()) {
            if check(&s, usize::MAX).is_ok() {
                prop_assert!(!s.contains('\0'));
                prop_assert!(s.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')));
            }
        }
    }
}
