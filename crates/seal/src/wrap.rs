//! Line breaking for Chinese official documents (GB/T 9704 style).
//!
//! A line may break between any two CJK characters, but never before closing punctuation
//! (，。、；：）」》…) nor after opening punctuation (（「《“…); runs of ASCII letters and
//! digits stay together unless a run is longer than a whole line. Lines that are not a
//! paragraph's last are justified by the caller.

/// Punctuation that may not begin a line (避头点).
const NO_LINE_START: &str = "，。、；：？！）」』》〕】〉”’…—·．％,.;:?!)]}%";
/// Punctuation that may not end a line (避尾点).
const NO_LINE_END: &str = "（「『《〔【〈“‘([{";

/// One wrapped line: the text and whether it should be stretched to the full width.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// The characters on the line.
    pub(crate) text: String,
    /// Inset from the left edge, in em (the first line's two-character indent).
    pub(crate) indent: f32,
    /// False for a paragraph's last line, which stays ragged.
    pub(crate) justify: bool,
}

/// Wraps `text` into lines `width` em wide, the first indented by `first_indent` em;
/// `advance` gives a character's width in em.
pub(crate) fn wrap(text: &str, first_indent: f32, width: f32, advance: impl Fn(char) -> f32) -> Vec<Line> {
    let units = units(text);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut used = 0.0_f32;
    let mut indent = first_indent;
    for unit in units {
        let w: f32 = unit.chars().map(&advance).sum();
        let room = width - indent;
        if used + w > room + 1e-3 && !current.is_empty() {
            lines.push(Line { text: trim_end(&current), indent, justify: true });
            current.clear();
            used = 0.0;
            indent = 0.0;
        }
        if current.is_empty() && unit.trim().is_empty() {
            continue; // a space never starts a line
        }
        if w > width - indent + 1e-3 {
            // A unit wider than a line (a long URL or number): break it by characters.
            for c in unit.chars() {
                let cw = advance(c);
                if used + cw > width - indent + 1e-3 && !current.is_empty() {
                    lines.push(Line { text: current.clone(), indent, justify: true });
                    current.clear();
                    used = 0.0;
                    indent = 0.0;
                }
                current.push(c);
                used += cw;
            }
            continue;
        }
        current.push_str(&unit);
        used += w;
    }
    if !current.trim().is_empty() || lines.is_empty() {
        lines.push(Line { text: trim_end(&current), indent, justify: false });
    } else if let Some(last) = lines.last_mut() {
        last.justify = false;
    }
    lines
}

fn trim_end(s: &str) -> String {
    s.trim_end().to_string()
}

/// Splits text into pieces no line break may enter: a CJK character with the closing
/// punctuation after it and the opening punctuation before it, an ASCII word, a space.
fn units(text: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut pending_open = String::new();
    let mut prev_word = false;
    for c in text.chars() {
        let word = c.is_ascii_alphanumeric();
        if NO_LINE_END.contains(c) {
            pending_open.push(c);
            prev_word = false;
            continue;
        }
        let joins = pending_open.is_empty() && (NO_LINE_START.contains(c) || (word && prev_word));
        if let Some(last) = units.last_mut().filter(|_| joins) {
            last.push(c);
            prev_word = word;
            continue;
        }
        let mut unit = std::mem::take(&mut pending_open);
        unit.push(c);
        units.push(unit);
        prev_word = word;
    }
    if !pending_open.is_empty() {
        units.push(pending_open);
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width(c: char) -> f32 {
        if c.is_ascii() { 0.5 } else { 1.0 }
    }

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn cjk_breaks_between_any_characters_and_indents_the_first_line() {
        let lines = wrap("一二三四五六七八九十", 2.0, 4.0, width);
        assert_eq!(texts(&lines), ["一二", "三四五六", "七八九十"]);
        assert_eq!(lines[0].indent, 2.0);
        assert_eq!(lines[1].indent, 0.0);
        assert!(lines[0].justify && lines[1].justify && !lines[2].justify);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let lines = wrap("一二三，四五", 0.0, 3.0, width);
        assert_eq!(texts(&lines), ["一二", "三，四", "五"]);
        let lines = wrap("一二三》。四", 0.0, 3.0, width);
        assert_eq!(texts(&lines), ["一二", "三》。", "四"]);
    }

    #[test]
    fn opening_punctuation_never_ends_a_line() {
        let lines = wrap("一二《三》", 0.0, 3.0, width);
        assert_eq!(texts(&lines), ["一二", "《三》"]);
    }

    #[test]
    fn ascii_words_stay_whole_and_overlong_ones_break() {
        let lines = wrap("依据 ABCD 办理", 0.0, 4.0, width);
        assert_eq!(texts(&lines), ["依据", "ABCD 办", "理"]);
        let lines = wrap("abcdefghij", 0.0, 2.0, width);
        assert_eq!(texts(&lines), ["abcd", "efgh", "ij"]);
    }
}
