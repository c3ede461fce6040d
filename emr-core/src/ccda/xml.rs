//! The C-CDA import's view of the XML layer ([`crate::xml`], the project's parser): its tree
//! and parser, and accessors over HL7 v3 elements: children by name, paths, trimmed
//! attributes, `xsi:type`, templates and text content.

pub(crate) use crate::xml::{parse_xml, Document, Locations, Node};

/// The namespace of `xsi:type`.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Whether `node` is the HL7 v3 element `name` (or `name` in no namespace: stubs and
/// hand-written documents often leave the namespace out).
pub(crate) fn is(node: Node<'_, '_>, name: &str) -> bool {
    node.is_v3(name)
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
    let t = node.attribute_ns(XSI, "type")?;
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
