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
    // The catalog's items.
    ("unknown category {text} (expected one of on_the_spot, same_day, time_limited, agency)", "category"),
    ("unknown item kind {text} (expected licensing, confirmation, filing, public_service or other)", "item_kind"),
    (
        "time limit {text} must be a positive number followed by d (working days) or h (working hours), e.g. 20d or 4h",
        "time_limit",
    ),
    ("unknown channel {text} (expected window, online, kiosk, app or mail)", "channel"),
    ("a {category} item needs a promised time limit", "needs_promise"),
    ("a {category} item is due the same working day and takes no promised limit", "no_promise"),
    ("promised limit {promised} exceeds the legal limit {legal}", "promise_exceeds"),
    ("an item needs at least one channel", "no_channel"),
    ("every material needs a name of 1–100 characters", "material_name"),
    ("material {text} is listed twice", "material_twice"),
    ("material {text} must be name|required|original (or optional, copy, electronic)", "material_cell"),
    ("fee {text} must be name|amount in yuan with at most 2 decimals, e.g. 工本费|10.00", "fee_cell"),
    ("site {code} is listed twice", "site_twice"),
    ("{n} steps; at most {max} are allowed", "too_many_steps"),
    // The published lists.
    ("code {code} appears twice in the file (first at line {first})", "code_twice"),
    ("unknown kind {text}: one of {kinds}", "power_kind"),
    ("amount {text} must be yuan with at most two decimals, e.g. 1200000 or 350000.50", "amount"),
    ("is empty", "empty"),
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
    fn the_catalogs_and_the_lists_problems_are_said_in_chinese_too() {
        let header = tongban_core::catalog::CSV_COLUMNS.join(",");
        let catalog = format!(
            "{header}\nA-1,甲,fgw,620100,permit,soon,2x,,表|maybe|original,费|x,fax,\n\
             A-2,乙,fgw,620100,filing,time_limited,5d,9d,表|required|copy;表|required|copy,,,\n\
             A-3,丙,fgw,620100,filing,same_day,,2d,,,window,\nA-3,丁,fgw,620100,filing,time_limited,,,,,window,\n"
        );
        let (_, errors) = tongban_core::catalog::parse_csv_rows(&catalog);
        let mut messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
        let departments = ["fgw".to_owned()].into_iter().collect();
        for (kind, csv) in [
            (
                "powers",
                "code,name,kind,department,legal_basis,responsibility\nQ-1,甲,许可,nope,,\nQ-1,乙,行政许可,fgw,依据,责任\n",
            ),
            ("funds", "code,name,department,amount_yuan,purpose,legal_basis\nZ-1,基金,fgw,1.234,扶持,办法\n"),
        ] {
            let kind = tongban_core::lists::ListKind::parse(kind).expect("kind");
            let table = Table::from_csv(None, csv.as_bytes()).expect("csv");
            let errors = tongban_core::lists::parse_table(kind, &table, &departments).expect_err("refused");
            messages.extend(errors.into_iter().map(|e| e.message));
        }
        assert!(messages.len() >= 12, "{messages:#?}");
        for m in &messages {
            assert!(say(Lang::Zh, m).1, "no Chinese for {m:?}");
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
