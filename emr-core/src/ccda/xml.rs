//! The XML layer: parsing with limits, and small accessors over HL7 v3 elements.

use roxmltree::{Document, Node, ParsingOptions};

use super::CcdaError;

/// The HL7 v3 namespace every C-CDA element is in.
pub(crate) const V3: &str = "urn:hl7-org:v3";
/// The namespace of `xsi:type`.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The largest input accepted, in bytes (documents with embedded PDFs reach tens of MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The deepest element nesting accepted (real documents stay under 40).
pub const MAX_DEPTH: usize = 256;
/// The most XML nodes accepted (bounds memory for hostile input).
const MAX_NODES: u32 = 8_000_000;

/// Parse `text` as XML with the limits above; DTDs are refused.
pub(crate) fn parse_xml(text: &str) -> Result<Document<'_>, CcdaError> {
    if text.len() > MAX_BYTES {
        return Err(CcdaError::TooLarge { size: text.len(), max: MAX_BYTES });
    }
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, options).map_err(|e| xml_error(text, &e))?;
    check_depth(&doc)?;
    Ok(doc)
}

/// Refuse trees nested deeper than [`MAX_DEPTH`] (the mapping recurses over elements).
fn check_depth(doc: &Document<'_>) -> Result<(), CcdaError> {
    // The open ancestors of the node in document order: its length is the node's depth.
    let mut open: Vec<roxmltree::NodeId> = Vec::with_capacity(64);
    for node in doc.descendants() {
        let parent = node.parent().map(|p| p.id());
        while open.last().is_some_and(|&top| Some(top) != parent) {
            open.pop();
        }
        open.push(node.id());
        // The document node is depth 1, the root element 2.
        if open.len() > MAX_DEPTH {
            let pos = doc.text_pos_at(node.range().start);
            return Err(CcdaError::TooDeep { max: MAX_DEPTH, line: pos.row, column: pos.col });
        }
    }
    Ok(())
}

/// The parser's error in words of our own (its messages may quote the input).
fn xml_error(text: &str, e: &roxmltree::Error) -> CcdaError {
    use roxmltree::Error as E;
    if matches!(e, E::DtdDetected) {
        let offset = text.find("<!DOCTYPE").unwrap_or(0);
        let (line, column) = line_column(text, offset);
        return CcdaError::Doctype { line, column };
    }
    let reason = match e {
        E::InvalidXmlPrefixUri(_)
        | E::UnexpectedXmlUri(_)
        | E::UnexpectedXmlnsUri(_)
        | E::InvalidElementNamePrefix(_) => "misused xml or xmlns prefix",
        E::DuplicatedNamespace(..) => "namespace declared twice",
        E::UnknownNamespace(..) => "undeclared namespace prefix",
        E::UnexpectedCloseTag(..) | E::UnexpectedEntityCloseTag(_) => "close tag does not match its open tag",
        E::UnknownEntityReference(..) => "reference to an undefined entity",
        E::MalformedEntityReference(_) => "malformed entity or character reference",
        E::EntityReferenceLoop(_) => "entity references nest too deep",
        E::InvalidAttributeValue(_) => "attribute value contains '<'",
        E::DuplicatedAttribute(..) => "attribute given twice",
        E::NoRootNode => "no root element",
        E::UnclosedRootNode => "the input ends before the root element is closed",
        E::UnexpectedDeclaration(_) => "XML declaration not at the start",
        E::NodesLimitReached => "too many nodes",
        E::AttributesLimitReached | E::NamespacesLimitReached => "too many attributes or namespaces",
        E::InvalidName(_) => "invalid name",
        E::NonXmlChar(..) => "character not allowed in XML",
        E::InvalidChar(..) | E::InvalidChar2(..) | E::InvalidString(..) => "unexpected character",
        E::UnexpectedEndOfStream => "the input ends inside markup",
        _ => "malformed markup",
    };
    let pos = e.pos();
    CcdaError::Xml { line: pos.row, column: pos.col, reason: reason.to_owned() }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

/// Whether `node` is the HL7 v3 element `name` (or `name` in no namespace: stubs and
/// hand-written documents often leave the namespace out).
pub(crate) fn is(node: Node<'_, '_>, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && matches!(node.tag_name().namespace(), Some(V3) | None)
}

/// The first child element `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, name))
}

/// The child elements `name`.
pub(crate) fn children<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, name))
}

/// The element at a path of child names.
pub(crate) fn path<'a, 'i>(node: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    names.iter().try_fold(node, |n, name| child(n, name))
}

/// An attribute (no namespace), trimmed; `None` when absent or empty.
pub(crate) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name).map(str::trim).filter(|v| !v.is_empty())
}

/// The `xsi:type` of an element, without a namespace prefix.
pub(crate) fn xsi_type<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    let t = node.attribute((XSI, "type"))?;
    Some(t.rsplit(':').next().unwrap_or(t))
}

/// The `templateId/@root`s of an element.
pub(crate) fn templates<'a>(node: Node<'a, '_>) -> impl Iterator<Item = &'a str> + 'a {
    node.children().filter(|c| is(*c, "templateId")).filter_map(|t| attr(t, "root"))
}

/// Whether an element declares the C-CDA template `4.N` (`2.16.840.1.113883.10.20.22.4.N`).
pub(crate) fn has_template(node: Node<'_, '_>, suffix: &str) -> bool {
    templates(node).any(|t| t.strip_prefix("2.16.840.1.113883.10.20.22.").is_some_and(|rest| rest == suffix))
}

/// The element's text content (all descendant text), with runs of white space collapsed.
pub(crate) fn text_of(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for t in node.descendants().filter(Node::is_text) {
        for word in t.text().unwrap_or_default().split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// XPath-like locations of elements: names from the root, with a 1-based position where an
/// element has siblings of the same name (`/ClinicalDocument/component/structuredBody/component[3]/section`).
///
/// The positions among an element's children are computed once, the first time one of them is
/// on a location's path, so a location costs its depth, not the number of its siblings (a
/// section with many thousand entries stays linear), and parts of the document no location
/// passes through cost nothing.
pub(crate) struct Locations {
    /// Per node id: the position among same-named element siblings, 0 when it has none.
    position: Vec<u32>,
    /// Per node id: whether its children's positions are in `position`.
    done: Vec<bool>,
}

impl Locations {
    pub(crate) fn new() -> Locations {
        Locations { position: Vec::new(), done: Vec::new() }
    }

    /// Fill in the positions of the element children of `parent`.
    fn compute(&mut self, parent: Node<'_, '_>) {
        let at = parent.id().get_usize();
        if self.done.get(at).copied().unwrap_or(false) {
            return;
        }
        if self.done.len() <= at {
            self.done.resize(at + 1, false);
        }
        if let Some(slot) = self.done.get_mut(at) {
            *slot = true;
        }
        // Element names among the children, with how many carry each: few distinct names, so
        // a short list beats a map.
        let mut counts: Vec<(&str, u32, u32)> = Vec::new();
        for c in parent.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            match counts.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => entry.1 += 1,
                None => counts.push((name, 1, 0)),
            }
        }
        for c in parent.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            let Some(entry) = counts.iter_mut().find(|(n, _, _)| *n == name) else { continue };
            entry.2 += 1;
            if entry.1 > 1 {
                let id = c.id().get_usize();
                if self.position.len() <= id {
                    self.position.resize(id + 1, 0);
                }
                if let Some(slot) = self.position.get_mut(id) {
                    *slot = entry.2;
                }
            }
        }
    }

    /// The location of `node`.
    pub(crate) fn of(&mut self, node: Node<'_, '_>) -> String {
        let mut steps: Vec<Node<'_, '_>> = node.ancestors().filter(Node::is_element).collect();
        steps.reverse();
        let mut out = String::with_capacity(steps.len() * 12);
        for n in steps {
            if let Some(parent) = n.parent() {
                self.compute(parent);
            }
            out.push('/');
            out.push_str(n.tag_name().name());
            match self.position.get(n.id().get_usize()) {
                Some(&p) if p > 0 => {
                    use std::fmt::Write as _;
                    let _ = write!(out, "[{p}]");
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_name_positions_among_same_named_siblings() {
        let doc = parse_xml(r#"<a xmlns="urn:hl7-org:v3"><b/><c/><b><d/></b></a>"#).unwrap();
        let d = doc.descendants().find(|n| n.has_tag_name("d")).unwrap();
        let mut locations = Locations::new();
        assert_eq!(locations.of(d), "/a/b[2]/d");
        assert_eq!(locations.of(doc.root_element()), "/a");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncé<", 6), (2, 3));
    }
}
