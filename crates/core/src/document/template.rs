//! Templates (文书模板): versioned text with `{{field}}` placeholders from a fixed list, one
//! paragraph a line. The administrator edits them; a refusal's template must name its
//! reasons and legal basis, and whatever it says, core appends the appeal rights.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DocumentKind;

/// The fields a template may name, with what each holds.
pub const FIELDS: [(&str, &str); 24] = [
    ("case_number", "办件编号"),
    ("applicant", "申请人名称"),
    ("applicant_id", "申请人证件号码（部分隐去）"),
    ("item_name", "事项名称"),
    ("item_code", "事项编码"),
    ("department", "承办部门"),
    ("item_legal_basis", "事项设定依据"),
    ("submitted_on", "申请日期"),
    ("accepted_on", "受理日期"),
    ("due_on", "承诺办结日期"),
    ("promised_limit", "承诺时限"),
    ("materials", "已提交材料"),
    ("missing", "需补正材料"),
    ("note", "补正说明"),
    ("reason", "理由"),
    ("legal_basis", "依据"),
    ("decision_note", "审批意见"),
    ("chain", "审批授权链"),
    ("bureau", "发文机关"),
    ("review_body", "行政复议机关"),
    ("court", "行政诉讼法院"),
    ("date", "发文日期"),
    ("licence", "证照名称"),
    ("validity", "有效期限"),
];

/// The longest template body accepted, in characters.
pub const MAX_BODY: usize = 8000;

/// A template's field values by name, as a document was rendered with (kept with it).
pub type Fields = BTreeMap<String, String>;

/// One version of the template of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The kind it lays out.
    pub kind: DocumentKind,
    /// Its version, from 1 (the built-in one).
    pub version: u32,
    /// The text: one paragraph a line, `{{field}}` placeholders.
    pub body: String,
}

/// Why a template is refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A placeholder names no known field.
    #[error("unknown field {{{{{0}}}}}")]
    UnknownField(String),
    /// A refusal's template lacks a field it must carry.
    #[error("a {kind} template must contain {{{{{field}}}}}")]
    Missing {
        /// The kind.
        kind: &'static str,
        /// The field it lacks.
        field: &'static str,
    },
    /// A `{{` without its `}}`.
    #[error("unclosed placeholder after {0:?}")]
    Unclosed(String),
    /// Nothing to print, or too much.
    #[error("the body must have 1 to {MAX_BODY} characters")]
    Length,
}

impl TemplateError {
    /// The field the error is about (`body` when it is the whole text).
    pub fn field(&self) -> &str {
        match self {
            Self::UnknownField(f) => f,
            Self::Missing { field, .. } => field,
            Self::Unclosed(_) | Self::Length => "body",
        }
    }
}

/// A piece of a template line.
enum Piece<'a> {
    Text(&'a str),
    Field(&'a str),
}

/// Splits a line into text and placeholders; an unclosed `{{` is an error.
fn pieces(line: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| TemplateError::Unclosed(rest[..open].to_owned()))?;
        out.push(Piece::Field(after[..close].trim()));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

impl Template {
    /// Checks `body` as version `version` of `kind`'s template: every placeholder a known
    /// field, and a refusal's naming `{{reason}}` and `{{legal_basis}}`.
    pub fn parse(kind: DocumentKind, version: u32, body: &str) -> Result<Template, TemplateError> {
        let body = body.replace("\r\n", "\n");
        let length = body.trim().chars().count();
        if length == 0 || length > MAX_BODY {
            return Err(TemplateError::Length);
        }
        let mut named = Vec::new();
        for line in body.lines() {
            for piece in pieces(line)? {
                if let Piece::Field(f) = piece {
                    if !FIELDS.iter().any(|(name, _)| *name == f) {
                        return Err(TemplateError::UnknownField(f.to_owned()));
                    }
                    named.push(f.to_owned());
                }
            }
        }
        if kind.is_refusal() {
            for field in ["reason", "legal_basis"] {
                if !named.iter().any(|n| n == field) {
                    return Err(TemplateError::Missing { kind: kind.as_str(), field });
                }
            }
        }
        Ok(Template { kind, version, body: body.trim().to_owned() })
    }

    /// The built-in template of `kind` (version 1).
    pub fn builtin(kind: DocumentKind) -> Template {
        Template { kind, version: 1, body: builtin_body(kind).to_owned() }
    }

    /// The paragraphs of the document: each line with its fields filled in (an unknown or
    /// absent field reads as empty), blank lines dropped; a refusal ends with the appeal
    /// rights whatever the template says.
    pub fn render(&self, fields: &Fields) -> Vec<String> {
        let mut out: Vec<String> = self
            .body
            .lines()
            .filter_map(|line| {
                let pieces = pieces(line).ok()?;
                let text: String = pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(t) => *t,
                        Piece::Field(f) => fields.get(*f).map_or("", String::as_str),
                    })
                    .collect();
                let text = text.trim().to_owned();
                (!text.is_empty()).then_some(text)
            })
            .collect();
        if self.kind.is_refusal() {
            out.push(appeal_rights(
                fields.get("review_body").map_or("", String::as_str),
                fields.get("court").map_or("", String::as_str),
            ));
        }
        out
    }
}

/// 救济途径告知 — the rights every refusal states (行政许可法第三十八条第二款、行政复议法、行政诉讼法).
pub fn appeal_rights(review_body: &str, court: &str) -> String {
    format!(
        "如不服本决定，可以自收到本文书之日起六十日内向{review_body}申请行政复议，\
         也可以自收到本文书之日起六个月内依法向{court}提起行政诉讼。"
    )
}

fn builtin_body(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Acceptance => {
            "你（单位）于{{submitted_on}}提出的{{item_name}}（事项编码：{{item_code}}）申请，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，本机关决定予以受理，办件编号为{{case_number}}。
本机关将自受理之日起{{promised_limit}}内作出决定，承诺办结日期为{{due_on}}（依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在内）。
已提交材料：{{materials}}。
承办部门：{{department}}。设定依据：{{item_legal_basis}}。
特此通知。"
        }
        DocumentKind::NonAcceptance => {
            "你（单位）于{{submitted_on}}提出的{{item_name}}（事项编码：{{item_code}}）申请（办件编号：{{case_number}}），经审查，本机关决定不予受理。
理由：{{reason}}。
依据：{{legal_basis}}。
特此通知。"
        }
        DocumentKind::Correction => {
            "你（单位）于{{submitted_on}}提出的{{item_name}}（事项编码：{{item_code}}）申请（办件编号：{{case_number}}），申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现一次性告知你（单位）需要补正的全部内容：
需补正材料：{{missing}}。
说明：{{note}}
请补正后重新提交。补正期间不计入办理时限。
特此告知。"
        }
        DocumentKind::Approval => {
            "你（单位）于{{submitted_on}}提出的{{item_name}}（事项编码：{{item_code}}）申请（办件编号：{{case_number}}），本机关已于{{accepted_on}}依法受理。经审查，你（单位）的申请符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第一款和{{item_legal_basis}}的规定，本机关决定准予行政许可。
审批意见：{{decision_note}}。
承办部门：{{department}}。
审批授权：{{chain}}。"
        }
        DocumentKind::Denial => {
            "你（单位）于{{submitted_on}}提出的{{item_name}}（事项编码：{{item_code}}）申请（办件编号：{{case_number}}），本机关已于{{accepted_on}}依法受理。经审查，你（单位）的申请不符合法定条件、标准。根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。
理由：{{reason}}。
依据：{{legal_basis}}。
审批授权：{{chain}}。"
        }
        DocumentKind::Licence => {
            "持证主体：{{applicant}}
证件号码：{{applicant_id}}
许可事项：{{item_name}}（事项编码：{{item_code}}）
办件编号：{{case_number}}
有效期限：{{validity}}
发证机关：{{bureau}}
发证日期：{{date}}"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn every_builtin_template_parses_and_names_only_known_fields() {
        for kind in DocumentKind::ALL {
            let t = Template::builtin(kind);
            assert_eq!(Template::parse(kind, 1, &t.body), Ok(t), "{kind:?}");
        }
    }

    #[test]
    fn an_unknown_field_or_a_refusal_without_reasons_is_refused_by_name() {
        let e = Template::parse(DocumentKind::Approval, 2, "{{applicant}} {{nickname}}").expect_err("unknown");
        assert_eq!((e.field(), e.to_string().as_str()), ("nickname", "unknown field {{nickname}}"));
        let e = Template::parse(DocumentKind::Denial, 2, "理由：{{reason}}").expect_err("no basis");
        assert_eq!(e.field(), "legal_basis");
        let e = Template::parse(DocumentKind::NonAcceptance, 2, "依据：{{legal_basis}}").expect_err("no reason");
        assert_eq!(e.field(), "reason");
        assert!(Template::parse(DocumentKind::Approval, 2, "{{applicant").is_err());
        assert!(Template::parse(DocumentKind::Approval, 2, "  ").is_err());
        assert!(Template::parse(DocumentKind::Approval, 2, "准予 {{ applicant }}").is_ok());
    }

    #[test]
    fn a_refusal_always_ends_with_the_appeal_rights() {
        let t = Template::parse(DocumentKind::Denial, 2, "{{reason}}{{legal_basis}}").expect("valid");
        let p = t.render(&fields(&[
            ("reason", "不符合"),
            ("legal_basis", "第38条"),
            ("review_body", "兰州新区管委会"),
            ("court", "兰州新区人民法院"),
        ]));
        assert_eq!(p[0], "不符合第38条");
        let last = p.last().expect("appeal");
        for words in ["六十日", "行政复议", "六个月", "行政诉讼", "兰州新区管委会", "兰州新区人民法院"]
        {
            assert!(last.contains(words), "{words}: {last}");
        }
        let approval = Template::builtin(DocumentKind::Approval).render(&Fields::new());
        assert!(!approval.iter().any(|p| p.contains("行政复议")));
    }

    #[test]
    fn rendering_fills_fields_and_drops_empty_lines() {
        let t = Template::parse(DocumentKind::Approval, 3, "{{applicant}}：\n\n{{decision_note}}\n{{case_number}}号")
            .expect("valid");
        assert_eq!(t.render(&fields(&[("applicant", "张三"), ("case_number", "1")])), ["张三：", "1号"]);
    }
}
