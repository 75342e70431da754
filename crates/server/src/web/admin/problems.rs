//! An imported file's problems in the reader's language. Core words them in English — the
//! language of the command line and of the API's `errors` — and the pages say each known
//! shape of message with the words of `problem.<key>` in messages/*.toml, filling in the
//! values; a value that names a kind of record or a role is said too (`problem.noun.<value>`,
//! `role.<value>`). A message of no known shape is shown as it is, marked as English.

use crate::web::i18n::Lang;

/// Known shapes of message, the most specific first; `{name}` stands for a value.
const SHAPES: &[(&str, &str)] = &[
    ("item code {key} appears twice in the file", "twice"),
    ("{key} appears twice in the file", "twice"),
    ("a second {kind} table", "second_table"),
    ("site {site} is in division {in}, outside division {division}", "site_outside"),
    ("window {window} belongs to department {department}, not {theirs}", "other_window"),
    ("{login} is an applicant's login", "applicant_login"),
    ("a {role} belongs to a department: name it", "needs_department"),
    ("unknown role {role}; give one of {roles}", "unknown_role"),
    ("is empty; give one of {roles}", "empty_role"),
    ("unknown sheet {sheet}: name each sheet one of {sheets}", "unknown_sheet"),
    ("{what} {code} is still used by {things}: retire or move them first", "in_use"),
    ("unknown {what} {code}", "unknown"),
    ("{what} {code} is retired", "retired"),
    ("header must be `{expected}`, found `{found}`", "header"),
    ("malformed CSV: {n} fields, the header has {m}", "fields"),
    ("malformed CSV: {why}", "malformed"),
    ("the file is empty: it needs a header row", "empty_file"),
    (
        "the file is not UTF-8 text (the first bad byte is at offset {at}); a spreadsheet saved as GBK must be saved again as \"CSV UTF-8\"",
        "not_utf8",
    ),
    ("not a readable xlsx workbook (save it again as .xlsx): {why}", "not_xlsx"),
    ("the workbook has no sheet named {sheet} (its sheets: {sheets})", "no_sheet"),
    ("the workbook holds no data: every sheet is empty", "empty_workbook"),
    ("only .csv and .xlsx files can be imported", "format"),
    (
        "a whole organisation comes as an xlsx workbook with sheets {sheets}; import a CSV file by its kind",
        "whole_org_csv",
    ),
    ("division code {code} must be exactly six digits", "division_code"),
    ("division {child} cannot lie within {parent}", "wrong_parent"),
    ("{what} {text} must be 1–{max} characters of A–Z, a–z, 0–9, '-', '_' or '.'", "bad_code"),
    ("{what} must be 1–{max} characters", "length"),
    ("contains a control character ({code}) at character {at}", "control"),
    ("is {got} characters long; at most {max} are allowed", "too_long"),
];

/// `message` in `lang`, and whether it was translated (else it is the English as given).
pub(super) fn say(lang: Lang, message: &str) -> (String, bool) {
    if lang == Lang::En {
        return (message.to_owned(), true);
    }
    for (shape, key) in SHAPES {
        if let Some(values) = matches(shape, message) {
            let words = lang.get(&format!("problem.{key}"));
            let Some(words) = words else { continue };
            let mut text = words.to_owned();
            for (name, value) in values {
                text = text.replace(&format!("{{{name}}}"), &noun(lang, value));
            }
            return (text, true);
        }
    }
    (message.to_owned(), false)
}

/// A value as the reader would say it: kinds of record and roles by name, the rest as is.
fn noun(lang: Lang, value: &str) -> String {
    lang.get(&format!("problem.noun.{value}"))
        .or_else(|| lang.get(&format!("role.{value}")))
        .map_or_else(|| value.to_owned(), str::to_owned)
}

/// The values of `shape`'s placeholders if `message` has that shape. Each placeholder takes
/// the shortest text up to the next literal part (the last takes the rest).
fn matches<'s, 'm>(shape: &'s str, message: &'m str) -> Option<Vec<(&'s str, &'m str)>> {
    // Split the shape into literal parts and placeholder names, alternating.
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = shape;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        literals.push(&rest[..open]);
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    literals.push(rest);
    let mut text = message.strip_prefix(literals[0])?;
    let mut values = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let next = literals[i + 1];
        let end = if next.is_empty() {
            if i + 1 == names.len() { text.len() } else { return None }
        } else if i + 1 == names.len() {
            // The last literal closes the message.
            text.strip_suffix(next).map(str::len)?
        } else {
            text.find(next)?
        };
        let value = &text[..end];
        if value.is_empty() {
            return None;
        }
        values.push((*name, value));
        text = &text[end + next.len()..];
    }
    (text.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use tongban_core::org::import::{Known, OrgKind, check};
    use tongban_core::table::Table;

    use super::*;

    fn problems(kind: OrgKind, csv: &str) -> Vec<String> {
        let t = Table::from_csv(Some("f.csv"), csv.as_bytes()).expect("csv");
        check(&[(kind, &t)], &Known::default()).expect_err("refused").into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn every_problem_the_organisation_check_words_is_said_in_chinese() {
        let mut messages = problems(
            OrgKind::Staff,
            "login,name,role,department,window,phone\na b,,clerk,,W1,\nb,乙,reviewer,,,\nc,丙,,x,,\nc,丁,window_clerk,nope,,\n",
        );
        messages.extend(problems(
            OrgKind::Departments,
            "code,name,division,site\nfgw,发改委,12345,\nrsj,人社局,620100,main\n",
        ));
        messages.extend(problems(OrgKind::Sites, "code,name\n"));
        messages.extend(Table::from_csv(None, b"a,b\n1\n").expect_err("short").into_iter().map(|e| e.message));
        messages.extend(Table::from_csv(None, b"a,\xC4\n").expect_err("gbk").into_iter().map(|e| e.message));
        assert!(messages.len() >= 10, "{messages:#?}");
        for m in &messages {
            let (said, known) = say(Lang::Zh, m);
            assert!(known, "no Chinese for {m:?}");
            assert!(said.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{m:?} → {said:?}");
        }
    }

    #[test]
    fn values_are_filled_in_and_kinds_named() {
        let (said, _) = say(Lang::Zh, "unknown department fgw");
        assert_eq!(said, "未知的部门 fgw");
        let (said, _) = say(Lang::Zh, "window SC-01 belongs to department scjg, not zjj");
        assert!(said.contains("SC-01") && said.contains("scjg") && said.contains("zjj"), "{said}");
        assert!(!say(Lang::Zh, "something else").1);
        assert_eq!(say(Lang::En, "unknown department fgw").0, "unknown department fgw");
    }
}
