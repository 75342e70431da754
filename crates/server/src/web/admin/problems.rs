//! An imported file's problems in the reader's language. Core words them in English — the
//! language of the command line and of the API's `errors` — and the pages say each known
//! shape of message with the words of `problem.<key>` in messages/*.toml, filling in the
//! values; a value that names a kind of record or a role is said too (`problem.noun.<value>`,
//! `role.<value>`). A message of no known shape is shown as it is, marked as English.

use crate::web::i18n::Lang;

/// The keys of the known shapes of message, the most specific first: each shape is the
/// English of `problem.<key>` (en.toml), `{name}` standing for a value.
const SHAPES: &[&str] = &[
    "item_twice",
    "twice",
    "second_table",
    "site_outside",
    "other_window",
    "applicant_login",
    "needs_department",
    "unknown_role",
    "empty_role",
    "category",
    "item_kind",
    "time_limit",
    "channel",
    "needs_promise",
    "no_promise",
    "promise_exceeds",
    "no_channel",
    "material_name",
    "material_twice",
    "material_cell",
    "fee_cell",
    "site_twice",
    "too_many_steps",
    "code_twice",
    "power_kind",
    "amount",
    "empty",
    "unknown_sheet",
    "in_use",
    "unknown_column",
    "unknown",
    "retired",
    "header",
    "column_twice",
    "fields",
    "malformed",
    "empty_file",
    "not_utf8",
    "not_xlsx",
    "no_sheet",
    "empty_workbook",
    "format",
    "whole_org_csv",
    "division_code",
    "wrong_parent",
    "bad_code",
    "length",
    "control",
    "too_long",
];

/// `message` in `lang`, and whether it was translated (else it is the English as given).
pub(super) fn say(lang: Lang, message: &str) -> (String, bool) {
    if lang == Lang::En {
        return (message.to_owned(), true);
    }
    for key in SHAPES {
        let shape_key = format!("problem.{key}");
        let Some(shape) = Lang::En.get(&shape_key) else { continue };
        if let Some(values) = matches(shape, message) {
            let words = lang.get(&shape_key);
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
    fn a_specific_shape_wins_over_a_general_one() {
        let (said, known) = say(Lang::Zh, "unknown column `shift`: the optional columns are check_in,mark");
        let words = Lang::Zh.get("problem.unknown_column").expect("a message");
        let expected = words.replace("{column}", "shift").replace("{columns}", "check_in,mark");
        assert!(known && said == expected, "{said}");
    }

    #[test]
    fn every_problem_the_organisation_check_words_is_said_in_chinese() {
        let mut messages = problems(
            OrgKind::Staff,
            "login,name,role,department,window,phone\na b,,clerk,,W1,\nb,B,reviewer,,,\nc,C,,x,,\nc,D,window_clerk,nope,,\n",
        );
        messages
            .extend(problems(OrgKind::Departments, "code,name,division,site\nfgw,DRC,12345,\nrsj,HR,620100,main\n"));
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
            "{header}\nA-1,A,fgw,620100,permit,soon,2x,,form|maybe|original,fee|x,fax,\n\
             A-2,B,fgw,620100,filing,time_limited,5d,9d,form|required|copy;form|required|copy,,,\n\
             A-3,C,fgw,620100,filing,same_day,,2d,,,window,\nA-3,D,fgw,620100,filing,time_limited,,,,,window,\n"
        );
        let (_, errors) = tongban_core::catalog::parse_csv_rows(&catalog);
        let mut messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
        let departments = ["fgw".to_owned()].into_iter().collect();
        for (kind, csv) in [
            (
                "powers",
                "code,name,kind,department,legal_basis,responsibility\nQ-1,A,permit,nope,,\nQ-1,B,permit,fgw,basis,duty\n",
            ),
            ("funds", "code,name,department,amount_yuan,purpose,legal_basis\nZ-1,Fund,fgw,1.234,aid,rules\n"),
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
        let zh = |k: &str| Lang::Zh.t(k);
        assert_eq!(
            said,
            zh("problem.unknown").replace("{what}", zh("problem.noun.department")).replace("{code}", "fgw")
        );
        let (said, _) = say(Lang::Zh, "window SC-01 belongs to department scjg, not zjj");
        assert!(said.contains("SC-01") && said.contains("scjg") && said.contains("zjj"), "{said}");
        assert!(!say(Lang::Zh, "something else").1);
        assert_eq!(say(Lang::En, "unknown department fgw").0, "unknown department fgw");
    }
}
