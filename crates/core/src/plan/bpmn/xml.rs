//! A small element tree read with quick-xml's namespace-aware reader, keeping each element's
//! line and column so errors can point at the source. Only what the BPMN importer needs:
//! resolved namespaces, attributes (normalized as XML requires) and direct text content.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::{BPMN_NS, TONGBAN_NS};

/// Deeper nesting than this is refused (real BPMN is a dozen levels deep at most).
const MAX_DEPTH: usize = 256;

/// The namespace of an element or attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// BPMN 2.0 model.
    Bpmn,
    /// tongban's extension namespace.
    Tongban,
    /// No namespace (an unprefixed attribute, or an element without a default namespace).
    None,
    /// Anything else: diagram interchange, vendor extensions …
    Other,
}

/// An attribute.
#[derive(Debug, Clone)]
pub(super) struct Attr {
    pub ns: Ns,
    pub name: String,
    pub value: String,
}

/// An element with its children and direct text.
#[derive(Debug, Clone)]
pub(super) struct Element {
    pub ns: Ns,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    pub text: String,
    pub line: u32,
    pub column: u32,
}

impl Element {
    /// True for an element of the BPMN model (or of no namespace: lenient for hand-written files).
    pub fn is_bpmn(&self) -> bool {
        matches!(self.ns, Ns::Bpmn | Ns::None)
    }

    /// An unqualified attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns == Ns::None && a.name == name).map(|a| a.value.as_str())
    }

    /// A `tongban:` attribute's value.
    pub fn tongban_attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| a.ns == Ns::Tongban && a.name == name).map(|a| a.value.as_str())
    }
}

/// Malformed XML, with the position where it was noticed (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct XmlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Byte offset → line and column.
struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn at(&self, offset: u64) -> (u32, u32) {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (to_u32(line), to_u32(column))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parses a whole document into its root element.
pub(super) fn parse(text: &str) -> Result<Element, XmlError> {
    let lines = Lines::new(text);
    let err = |offset: u64, message: String| {
        let (line, column) = lines.at(offset);
        XmlError { line, column, message }
    };
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (namespace(&ns), event),
            Err(e) => return Err(err(reader.error_position(), e.to_string())),
        };
        match event {
            Event::Start(start) => {
                let ns = ns.map_err(|m| err(pos, m))?;
                let (line, column) = lines.at(pos);
                let element = element(&reader, ns, &start, line, column).map_err(|m| err(pos, m))?;
                if stack.len() >= MAX_DEPTH {
                    return Err(err(pos, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                stack.push(element);
            }
            Event::Empty(start) => {
                let ns = ns.map_err(|m| err(pos, m))?;
                let (line, column) = lines.at(pos);
                let element = element(&reader, ns, &start, line, column).map_err(|m| err(pos, m))?;
                attach(&mut stack, &mut root, element).map_err(|m| err(pos, m))?;
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else {
                    return Err(err(pos, "closing tag without an opening tag".into()));
                };
                attach(&mut stack, &mut root, element).map_err(|m| err(pos, m))?;
            }
            Event::Text(t) => {
                let content = t.xml10_content().map_err(|e| err(pos, e.to_string()))?;
                add_text(&mut stack, &content).map_err(|m| err(pos, m))?;
            }
            Event::CData(t) => {
                let content = t.xml10_content().map_err(|e| err(pos, e.to_string()))?;
                add_text(&mut stack, &content).map_err(|m| err(pos, m))?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => Cow::Owned(c.to_string()),
                        Ok(None) => return Err(err(pos, "invalid character reference".into())),
                        Err(e) => return Err(err(pos, e.to_string())),
                    }
                } else {
                    let name = r.decode().map_err(|e| err(pos, e.to_string()))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => Cow::Borrowed(s),
                        None => return Err(err(pos, format!("unknown entity &{name};"))),
                    }
                };
                add_text(&mut stack, &resolved).map_err(|m| err(pos, m))?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            u64::try_from(text.len()).unwrap_or(u64::MAX),
            format!("the document ends before <{}> (line {}) is closed", open.name, open.line),
        ));
    }
    root.ok_or_else(|| err(0, "the document has no root element".into()))
}

fn namespace(ns: &ResolveResult<'_>) -> Result<Ns, String> {
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == BPMN_NS.as_bytes() => Ok(Ns::Bpmn),
        ResolveResult::Bound(n) if n.as_ref() == TONGBAN_NS.as_bytes() => Ok(Ns::Tongban),
        ResolveResult::Bound(_) => Ok(Ns::Other),
        ResolveResult::Unbound => Ok(Ns::None),
        ResolveResult::Unknown(prefix) => {
            Err(format!("undeclared namespace prefix {:?}", String::from_utf8_lossy(prefix)))
        }
    }
}

fn element(
    reader: &NsReader<&[u8]>,
    ns: Ns,
    start: &BytesStart<'_>,
    line: u32,
    column: u32,
) -> Result<Element, String> {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key = attr.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let value = attr.normalized_value(XmlVersion::Implicit1_0).map_err(|e| e.to_string())?;
        attrs.push(Attr {
            ns: namespace(&resolved)?,
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            value: value.into_owned(),
        });
    }
    Ok(Element { ns, name, attrs, children: Vec::new(), text: String::new(), line, column })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, element: Element) -> Result<(), String> {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(element);
        Ok(())
    } else if root.is_some() {
        Err("a second root element".into())
    } else {
        *root = Some(element);
        Ok(())
    }
}

fn add_text(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_lines_namespaces_and_text() {
        let doc = "<?xml version=\"1.0\"?>\n<a xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:t=\"urn:tongban:bpmn:1\">\n  <b id=\"x\" t:days=\"3\" name=\"A&amp;B&#10;C\"/>\n  <c>one &lt; two<![CDATA[ & three]]></c>\n</a>";
        let root = parse(doc).unwrap();
        assert_eq!((root.name.as_str(), root.ns, root.line), ("a", Ns::Bpmn, 2));
        let b = &root.children[0];
        assert_eq!((b.line, b.column), (3, 3));
        assert!(b.children.is_empty());
        assert_eq!(b.attr("id"), Some("x"));
        assert_eq!(b.tongban_attr("days"), Some("3"));
        assert_eq!(b.attr("name"), Some("A&B\nC"));
        assert_eq!(root.children[1].text, "one < two & three");
    }

    #[test]
    fn malformed_xml_reports_a_position() {
        for (doc, line) in [
            ("<a>\n<b></c>\n</a>", 2),
            ("<a>\n  <b>\n", 3),
            ("<a x=\"1\" x=\"2\"/>", 1),
            ("<a>\n<p:b/></a>", 2),
            ("", 1),
            ("<a/><b/>", 1),
            ("<a>&nope;</a>", 1),
        ] {
            let e = parse(doc).unwrap_err();
            assert_eq!(e.line, line, "{doc:?}: {e:?}");
        }
    }
}
