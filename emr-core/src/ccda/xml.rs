//! The XML layer: parsing with limits into a small read-only tree, and accessors over HL7 v3
//! elements.
//!
//! The tokens come from `quick-xml` (no DTD processing, no entity expansion beyond XML's five
//! and character references); the tree is built here, holding only what the mapping reads:
//! elements with their resolved namespaces and attributes (values normalized as XML says), and
//! text with its references resolved. Comments, processing instructions and text of white space
//! only are left out (the mapping reads words only); they still count towards the limits, and
//! the limits and the well-formedness checks are those of the XML and Namespaces
//! recommendations the previous DOM parser enforced: matching end tags, declared prefixes,
//! attributes given once, no `<` in attribute values, a single root element.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::CcdaError;

/// The HL7 v3 namespace every C-CDA element is in.
pub(crate) const V3: &str = "urn:hl7-org:v3";
/// The namespace of `xsi:type`.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The namespace the `xml` prefix is bound to.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace the `xmlns` prefix is bound to.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// The largest input accepted, in bytes (documents with embedded PDFs reach tens of MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The deepest element nesting accepted (real documents stay under 40).
pub const MAX_DEPTH: usize = 256;
/// The most XML nodes accepted (bounds memory for hostile input).
const MAX_NODES: u32 = 8_000_000;

/// No node (links in the tree).
const NONE: u32 = u32::MAX;
/// The namespace index of "no namespace".
const NO_NS: u32 = 0;
/// The namespace index of the `xml` prefix's namespace.
const XML_NS_IDX: u32 = 1;

/// A parsed document: its nodes in document order (node 0 is the document itself).
pub(crate) struct Document<'i> {
    nodes: Vec<NodeData<'i>>,
    attrs: Vec<Attr<'i>>,
    /// Namespace names by index: 0 is none, 1 is `xml`'s; then one per declaration.
    namespaces: Vec<Cow<'i, str>>,
    /// The elements with an `ID` attribute, in document order.
    with_id: Vec<u32>,
}

struct NodeData<'i> {
    parent: u32,
    first_child: u32,
    next_sibling: u32,
    /// The node after this node's last descendant.
    subtree_end: u32,
    kind: Kind<'i>,
}

enum Kind<'i> {
    Root,
    Element {
        local: &'i str,
        /// In the HL7 v3 namespace or in none.
        v3: bool,
        attrs: (u32, u32),
    },
    Text(Cow<'i, str>),
}

struct Attr<'i> {
    ns: u32,
    local: &'i str,
    value: Cow<'i, str>,
}

/// What stands in for a node that does not exist (never reached: ids come from the tree).
static MISSING: NodeData<'static> =
    NodeData { parent: NONE, first_child: NONE, next_sibling: NONE, subtree_end: 0, kind: Kind::Root };

impl<'i> Document<'i> {
    /// The root element.
    pub(crate) fn root_element<'a>(&'a self) -> Node<'a, 'i> {
        let root = Node { doc: self, id: 0 };
        root.children().find(|n| n.is_element()).unwrap_or(root)
    }

    /// The elements with an `ID` attribute (the targets of narrative references), in document
    /// order.
    pub(crate) fn with_id<'a>(&'a self) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
        self.with_id.iter().map(move |&id| Node { doc: self, id })
    }

    /// Every node in document order (the document node first).
    #[cfg(test)]
    pub(crate) fn descendants<'a>(&'a self) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
        Node { doc: self, id: 0 }.descendants()
    }
}

/// A node of a [`Document`]: the document, an element or a text.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a, 'i> {
    doc: &'a Document<'i>,
    id: u32,
}

/// An element's name.
#[derive(Clone, Copy)]
pub(crate) struct TagName<'a> {
    name: &'a str,
}

impl<'a> TagName<'a> {
    /// The local name.
    pub(crate) fn name(self) -> &'a str {
        self.name
    }
}

impl<'a, 'i> Node<'a, 'i> {
    fn data(self) -> &'a NodeData<'i> {
        self.doc.nodes.get(self.id as usize).unwrap_or(&MISSING)
    }

    fn at(self, id: u32) -> Option<Node<'a, 'i>> {
        (id != NONE).then_some(Node { doc: self.doc, id })
    }

    /// The node's position in document order (unique in its document).
    pub(crate) fn index(self) -> usize {
        self.id as usize
    }

    /// Whether this is an element.
    pub(crate) fn is_element(&self) -> bool {
        matches!(self.data().kind, Kind::Element { .. })
    }

    /// Whether this is a text.
    pub(crate) fn is_text(&self) -> bool {
        matches!(self.data().kind, Kind::Text(_))
    }

    /// An element's name (empty for other nodes).
    pub(crate) fn tag_name(self) -> TagName<'a> {
        match &self.data().kind {
            Kind::Element { local, .. } => TagName { name: local },
            _ => TagName { name: "" },
        }
    }

    fn namespace(self, ns: u32) -> Option<&'a str> {
        if ns == NO_NS {
            return None;
        }
        self.doc.namespaces.get(ns as usize).map(|n| &**n)
    }

    /// Whether this is the element `name` in the HL7 v3 namespace or in none.
    fn is_v3(self, name: &str) -> bool {
        matches!(&self.data().kind, Kind::Element { local, v3: true, .. } if same(local, name))
    }

    /// A text's text (`None` for other nodes).
    pub(crate) fn text(self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    fn attrs(self) -> &'a [Attr<'i>] {
        match self.data().kind {
            Kind::Element { attrs: (from, to), .. } => {
                self.doc.attrs.get(from as usize..to as usize).unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// The value of the attribute `name` in no namespace.
    pub(crate) fn attribute(self, name: &str) -> Option<&'a str> {
        self.attrs().iter().find(|a| a.ns == NO_NS && same(a.local, name)).map(|a| &*a.value)
    }

    /// The value of the attribute `name` in namespace `ns`.
    pub(crate) fn attribute_ns(self, ns: &str, name: &str) -> Option<&'a str> {
        self.attrs()
            .iter()
            .find(|a| a.local == name && a.ns != NO_NS && self.namespace(a.ns) == Some(ns))
            .map(|a| &*a.value)
    }

    /// The parent node.
    pub(crate) fn parent(self) -> Option<Node<'a, 'i>> {
        self.at(self.data().parent)
    }

    /// The node and its ancestors, nearest first.
    pub(crate) fn ancestors(self) -> impl Iterator<Item = Node<'a, 'i>> {
        std::iter::successors(Some(self), |n| n.parent())
    }

    /// The child nodes.
    pub(crate) fn children(self) -> impl Iterator<Item = Node<'a, 'i>> {
        std::iter::successors(self.at(self.data().first_child), |n| n.at(n.data().next_sibling))
    }

    /// The node and its descendants in document order.
    pub(crate) fn descendants(self) -> impl Iterator<Item = Node<'a, 'i>> {
        let doc = self.doc;
        (self.id..self.data().subtree_end.max(self.id + 1)).map(move |id| Node { doc, id })
    }
}

/// Parse `text` as XML with the limits above; DTDs are refused.
pub(crate) fn parse_xml(text: &str) -> Result<Document<'_>, CcdaError> {
    if text.len() > MAX_BYTES {
        return Err(CcdaError::TooLarge { size: text.len(), max: MAX_BYTES });
    }
    Builder::new(text).parse()
}

/// An open element while the tree is built.
struct Open<'i> {
    id: u32,
    last_child: u32,
    /// The raw qualified name, for the end tag.
    qname: &'i str,
    /// Where this element's namespace declarations start in `Builder::scope`.
    scope_from: usize,
}

struct Builder<'i> {
    text: &'i str,
    doc: Document<'i>,
    open: Vec<Open<'i>>,
    /// Namespace declarations in scope: (prefix, index); "" is the default namespace.
    scope: Vec<(&'i str, u32)>,
    /// Text read since the last node (merged across references and CDATA sections).
    pending: Option<(usize, Cow<'i, str>)>,
    /// Every node the document has, the left-out ones included.
    count: u32,
    /// The first node nested deeper than [`MAX_DEPTH`], as a byte offset.
    too_deep: Option<usize>,
    /// Per namespace index: whether it is the HL7 v3 namespace.
    ns_v3: Vec<bool>,
    /// Attributes of the element being read: (prefix, local, value, offset).
    scratch: Vec<(&'i str, &'i str, Cow<'i, str>, usize)>,
    seen_root: bool,
}

/// A well-formedness error at a byte offset.
struct Malformed {
    offset: usize,
    reason: &'static str,
}

fn malformed(offset: usize, reason: &'static str) -> Malformed {
    Malformed { offset, reason }
}

impl<'i> Builder<'i> {
    fn new(text: &'i str) -> Builder<'i> {
        // Pretty-printed C-CDA has about one element per 40 bytes (less with long narrative or
        // embedded files): a first guess, the vectors grow from there.
        let guess = text.len() / 48 + 2;
        let root = NodeData { parent: NONE, first_child: NONE, next_sibling: NONE, subtree_end: 1, kind: Kind::Root };
        let mut nodes = Vec::with_capacity(guess);
        nodes.push(root);
        Builder {
            text,
            doc: Document {
                nodes,
                attrs: Vec::with_capacity(guess),
                namespaces: vec![Cow::Borrowed(""), Cow::Borrowed(XML_NS)],
                with_id: Vec::new(),
            },
            open: Vec::with_capacity(64),
            scope: Vec::with_capacity(8),
            pending: None,
            count: 1,
            too_deep: None,
            ns_v3: vec![false, false],
            scratch: Vec::with_capacity(16),
            seen_root: false,
        }
    }

    fn parse(mut self) -> Result<Document<'i>, CcdaError> {
        let text = self.text;
        // The tokenizer skips a byte order mark without counting it: offsets here count it.
        let base = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        let mut reader = Reader::from_str(text.get(base..).unwrap_or_default());
        {
            let config = reader.config_mut();
            config.check_end_names = false; // checked here, with the namespace-aware names
            config.check_comments = true;
            config.expand_empty_elements = false;
            // White space before markup is skipped by the tokenizer (no event of its own) and
            // read here as the text it is (see `lead`).
            config.trim_text_start = true;
            config.trim_text_end = false;
        }
        loop {
            let before = base + usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX - base);
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = base + usize::try_from(reader.error_position()).unwrap_or(0);
                    return Err(self.error(malformed(at, reason_of(&e))));
                }
            };
            let after = base + usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX - base);
            // Where the event's own markup starts: after the white space the tokenizer skipped,
            // which is a text like any other (it may separate words between references).
            let before = if matches!(event, Event::Text(_)) {
                before
            } else {
                let start = lead(text, before, after);
                if start > before {
                    self.white_space(before, start).map_err(|m| self.error(m))?;
                }
                start
            };
            let step = match event {
                Event::Eof => break,
                Event::DocType(_) => {
                    let (line, column) = line_column(text, before);
                    return Err(CcdaError::Doctype { line, column });
                }
                Event::Decl(_) => {
                    if !text.get(..before).is_some_and(|b| b.is_empty() || b == "\u{feff}") {
                        Err(malformed(before, "XML declaration not at the start"))
                    } else if !declares_version(text.get(before..after).unwrap_or_default()) {
                        Err(malformed(before, "malformed XML declaration"))
                    } else {
                        Ok(())
                    }
                }
                Event::Start(e) => self.start(&e, before, false),
                Event::Empty(e) => self.start(&e, before, true),
                Event::End(_) => self.end(before, after),
                Event::Text(_) => self.text_piece(before, after),
                Event::GeneralRef(r) => self.reference(&r, before),
                Event::CData(_) => {
                    // `<![CDATA[` … `]]>`
                    let raw = text.get(before + 9..after.saturating_sub(3)).unwrap_or_default();
                    self.add_text(before, normalize_newlines(raw))
                }
                Event::Comment(_) | Event::PI(_) => self.other_node(before),
            };
            step.map_err(|m| self.error(m))?;
        }
        if !self.seen_root {
            return Err(self.error(malformed(text.len(), "no root element")));
        }
        if !self.open.is_empty() {
            return Err(self.error(malformed(text.len(), "the input ends before the root element is closed")));
        }
        if let Some(offset) = self.too_deep {
            let (line, column) = line_column(text, offset);
            return Err(CcdaError::TooDeep { max: MAX_DEPTH, line, column });
        }
        let end = u32::try_from(self.doc.nodes.len()).unwrap_or(NONE);
        if let Some(root) = self.doc.nodes.get_mut(0) {
            root.subtree_end = end;
        }
        Ok(self.doc)
    }

    fn error(&self, m: Malformed) -> CcdaError {
        let (line, column) = line_column(self.text, m.offset);
        CcdaError::Xml { line, column, reason: m.reason.to_owned() }
    }

    /// Count a node (depth `depth`, counting the document as 1) starting at `offset`.
    fn count_node(&mut self, offset: usize, depth: usize) -> Result<(), Malformed> {
        self.count += 1;
        if self.count > MAX_NODES {
            return Err(malformed(offset, "too many nodes"));
        }
        if depth > MAX_DEPTH && self.too_deep.is_none() {
            self.too_deep = Some(offset);
        }
        Ok(())
    }

    /// A node left out of the tree (comment, processing instruction).
    fn other_node(&mut self, offset: usize) -> Result<(), Malformed> {
        self.flush_text();
        self.count_node(offset, self.open.len() + 2)
    }

    fn push_node(&mut self, kind: Kind<'i>) -> u32 {
        let id = u32::try_from(self.doc.nodes.len()).unwrap_or(NONE);
        let parent = self.open.last().map_or(0, |o| o.id);
        self.doc.nodes.push(NodeData { parent, first_child: NONE, next_sibling: NONE, subtree_end: id + 1, kind });
        let previous = match self.open.last_mut() {
            Some(o) => std::mem::replace(&mut o.last_child, id),
            None => {
                // A child of the document: link after the document's last child.
                let mut last = self.doc.nodes.first().map_or(NONE, |r| r.first_child);
                if last == NONE {
                    if let Some(r) = self.doc.nodes.first_mut() {
                        r.first_child = id;
                    }
                    return id;
                }
                while let Some(next) = self.doc.nodes.get(last as usize).map(|n| n.next_sibling).filter(|&n| n != NONE)
                {
                    last = next;
                }
                last
            }
        };
        if previous == NONE {
            if let Some(p) = self.doc.nodes.get_mut(parent as usize) {
                p.first_child = id;
            }
        } else if let Some(p) = self.doc.nodes.get_mut(previous as usize) {
            p.next_sibling = id;
        }
        id
    }

    fn add_text(&mut self, offset: usize, piece: Cow<'i, str>) -> Result<(), Malformed> {
        match &mut self.pending {
            None => {
                self.count_node(offset, self.open.len() + 2)?;
                self.pending = Some((offset, piece));
            }
            Some((_, text)) => text.to_mut().push_str(&piece),
        }
        Ok(())
    }

    fn text_piece(&mut self, before: usize, after: usize) -> Result<(), Malformed> {
        let raw = self.text.get(before..after).unwrap_or_default();
        if self.open.is_empty() {
            // Only white space (and a byte order mark at the start) outside the root element.
            let rest = if before == 0 { raw.trim_start_matches('\u{feff}') } else { raw };
            if rest.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                return Ok(());
            }
            return Err(malformed(before, "text outside the root element"));
        }
        self.add_text(before, normalize_newlines(raw))
    }

    /// White space the tokenizer skipped before markup: a text node of its own (left out of
    /// the tree), or part of the text before it.
    fn white_space(&mut self, before: usize, start: usize) -> Result<(), Malformed> {
        if self.open.is_empty() {
            return Ok(());
        }
        // Its line ends are not normalized: only the words of a text are read.
        self.add_text(before, Cow::Borrowed(self.text.get(before..start).unwrap_or_default()))
    }

    fn reference(&mut self, r: &quick_xml::events::BytesRef<'_>, before: usize) -> Result<(), Malformed> {
        if self.open.is_empty() {
            return Err(malformed(before, "text outside the root element"));
        }
        let c = resolve_reference(r).ok_or(Malformed { offset: before, reason: reference_error(r) })?;
        let mut buf = [0u8; 4];
        let piece: &str = c.encode_utf8(&mut buf);
        self.add_text(before, Cow::Owned(piece.to_owned()))
    }

    /// End the pending text: a node when it has a word.
    fn flush_text(&mut self) {
        let Some((_, text)) = self.pending.take() else { return };
        let blank = match text.bytes().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            None => true,
            Some(b) if b.is_ascii() => false,
            Some(_) => text.chars().all(char::is_whitespace),
        };
        if !blank {
            self.push_node(Kind::Text(text));
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, before: usize, empty: bool) -> Result<(), Malformed> {
        self.flush_text();
        if self.open.is_empty() {
            if self.seen_root {
                return Err(malformed(before, "more than one root element"));
            }
            self.seen_root = true;
        }
        self.count_node(before, self.open.len() + 2)?;
        let text = self.text;
        let qname = sub_str(text, e.name().as_ref()).ok_or(Malformed { offset: before, reason: "malformed markup" })?;
        let (prefix, local) = split_qname(qname).ok_or(Malformed { offset: before + 1, reason: "invalid name" })?;
        let scope_from = self.scope.len();
        // Attributes: namespace declarations first into scope, the others kept for resolving.
        self.scratch.clear();
        let mut declared_default = false;
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|err| {
                let at = match err {
                    quick_xml::events::attributes::AttrError::ExpectedEq(p)
                    | quick_xml::events::attributes::AttrError::ExpectedValue(p)
                    | quick_xml::events::attributes::AttrError::UnquotedValue(p)
                    | quick_xml::events::attributes::AttrError::ExpectedQuote(p, _)
                    | quick_xml::events::attributes::AttrError::Duplicated(p, _) => p,
                };
                malformed(before + at, "malformed attribute")
            })?;
            let key =
                sub_str(text, a.key.as_ref()).ok_or(Malformed { offset: before, reason: "malformed attribute" })?;
            let offset = offset_in(text, key);
            let (prefix, local) = split_qname(key).ok_or(Malformed { offset, reason: "invalid name" })?;
            if !offset.checked_sub(1).and_then(|p| text.as_bytes().get(p)).is_some_and(u8::is_ascii_whitespace) {
                return Err(malformed(offset, "unexpected character"));
            }
            let raw =
                sub_str(text, a.value.as_ref()).ok_or(Malformed { offset: before, reason: "malformed attribute" })?;
            let value = normalize_attribute(raw, offset_in(text, raw))?;
            if prefix == "xmlns" {
                if value == XMLNS_NS || (local == "xml") != (value == XML_NS) {
                    return Err(malformed(offset, "misused xml or xmlns prefix"));
                }
                if self.scope.get(scope_from..).unwrap_or_default().iter().any(|(p, _)| *p == local) {
                    return Err(malformed(offset, "namespace declared twice"));
                }
                if local != "xml" {
                    self.declare(local, value);
                }
            } else if prefix.is_empty() && local == "xmlns" {
                if value == XML_NS || value == XMLNS_NS {
                    return Err(malformed(offset, "misused xml or xmlns prefix"));
                }
                if declared_default {
                    return Err(malformed(offset, "namespace declared twice"));
                }
                declared_default = true;
                self.declare("", value);
            } else {
                self.scratch.push((prefix, local, value, offset));
            }
        }
        // Attributes resolve before the element's own name (so errors come in that order).
        let from = u32::try_from(self.doc.attrs.len()).unwrap_or(NONE);
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut has_id = false;
        for (k, (prefix, local, value, offset)) in scratch.drain(..).enumerate() {
            has_id |= prefix.is_empty() && same(local, "ID");
            let ns = match prefix {
                "" => NO_NS,
                "xml" => XML_NS_IDX,
                p => self.resolve(p).ok_or(Malformed { offset, reason: "undeclared namespace prefix" })?,
            };
            let earlier = self.doc.attrs.get(from as usize..).unwrap_or_default();
            if earlier.iter().take(k).any(|a| same(a.local, local) && self.same_ns(a.ns, ns)) {
                return Err(malformed(offset, "attribute given twice"));
            }
            self.doc.attrs.push(Attr { ns, local, value });
        }
        let to = u32::try_from(self.doc.attrs.len()).unwrap_or(NONE);
        let ns = match prefix {
            "" => self.resolve("").unwrap_or(NO_NS),
            "xml" => XML_NS_IDX,
            p => self.resolve(p).ok_or(Malformed { offset: before + 1, reason: "undeclared namespace prefix" })?,
        };
        let v3 = ns == NO_NS || self.ns_v3.get(ns as usize).copied().unwrap_or(false);
        let id = self.push_node(Kind::Element { local, v3, attrs: (from, to) });
        self.scratch = scratch;
        if has_id {
            self.doc.with_id.push(id);
        }
        if empty {
            self.scope.truncate(scope_from);
        } else {
            self.open.push(Open { id, last_child: NONE, qname, scope_from });
        }
        Ok(())
    }

    fn same_ns(&self, a: u32, b: u32) -> bool {
        a == b || self.doc.namespaces.get(a as usize) == self.doc.namespaces.get(b as usize)
    }

    fn declare(&mut self, prefix: &'i str, value: Cow<'i, str>) {
        // `xmlns=""` is kept as the empty namespace name (as the previous parser did: such an
        // element is not an HL7 v3 one).
        let idx = u32::try_from(self.doc.namespaces.len()).unwrap_or(NONE);
        self.ns_v3.push(value == V3);
        self.doc.namespaces.push(value);
        self.scope.push((prefix, idx));
    }

    fn resolve(&self, prefix: &str) -> Option<u32> {
        self.scope.iter().rev().find(|(p, _)| same(p, prefix)).map(|(_, i)| *i)
    }

    fn end(&mut self, before: usize, after: usize) -> Result<(), Malformed> {
        self.flush_text();
        // `</` name white space `>`
        let name = self.text.get(before + 2..after.saturating_sub(1)).unwrap_or_default().trim_end();
        let Some(open) = self.open.pop() else {
            return Err(malformed(before, "close tag does not match its open tag"));
        };
        if open.qname != name {
            return Err(malformed(before, "close tag does not match its open tag"));
        }
        self.scope.truncate(open.scope_from);
        let end = u32::try_from(self.doc.nodes.len()).unwrap_or(NONE);
        if let Some(n) = self.doc.nodes.get_mut(open.id as usize) {
            n.subtree_end = end;
        }
        Ok(())
    }
}

/// The offset of the first byte in `text[from..to]` that is not XML white space (`to` if none).
fn lead(text: &str, from: usize, to: usize) -> usize {
    let span = text.as_bytes().get(from..to).unwrap_or_default();
    from + span.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).count()
}

/// `part` (a slice of `text` handed out by the tokenizer) as a slice of `text` itself.
fn sub_str<'i>(text: &'i str, part: &str) -> Option<&'i str> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    text.get(start..start.checked_add(part.len())?)
}

/// The byte offset of `part` (a slice of `text`) in `text`.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// The prefix (empty when none) and local part of an XML qualified name: one or two names
/// (`prefix:local`) of a letter, `_` or a non-ASCII character, then letters, digits, `-`, `.`,
/// `_` or non-ASCII characters. `None` when `qname` is not one.
fn split_qname(qname: &str) -> Option<(&str, &str)> {
    let mut start = true;
    let mut colon = None;
    for (i, &b) in qname.as_bytes().iter().enumerate() {
        let class = NAME_BYTES.get(usize::from(b)).copied().unwrap_or(0);
        if start {
            if class & 1 == 0 {
                return None;
            }
            start = false;
        } else if b == b':' && colon.is_none() {
            colon = Some(i);
            start = true;
        } else if class & 2 == 0 {
            return None;
        }
    }
    if start {
        return None;
    }
    Some(match colon {
        Some(at) => (qname.get(..at)?, qname.get(at + 1..)?),
        None => ("", qname),
    })
}

/// Whether an XML declaration (`<?xml` … `?>`) starts with `version="1.x"`.
fn declares_version(decl: &str) -> bool {
    let Some(rest) = decl.strip_prefix("<?xml") else { return false };
    let Some(rest) = rest.trim_start_matches([' ', '\t', '\r', '\n']).strip_prefix("version") else { return false };
    let Some(rest) = rest.trim_start_matches([' ', '\t', '\r', '\n']).strip_prefix('=') else { return false };
    let rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
    let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else { return false };
    let Some(rest) = rest.get(1..).and_then(|r| r.strip_prefix("1.")) else { return false };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest.get(digits..).is_some_and(|r| r.starts_with(quote))
}

/// Per byte: 1 when it may start a name part, 2 when it may continue one (ASCII letters,
/// digits, `-`, `.`, `_`; every byte of a non-ASCII character).
#[allow(clippy::indexing_slicing)] // evaluated at compile time, `b` < 256
const NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            3
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            2
        } else {
            0
        };
        b += 1;
    }
    table
};

/// String equality for the short names compared here (a loop beats a call to `memcmp`).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// XML's line ends: `\r\n` and a lone `\r` read as `\n`.
fn normalize_newlines(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The character a reference (`&amp;`, `&#x41;`) stands for.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().filter(|c| is_xml_char(*c));
    }
    predefined(r)
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

fn reference_error(name: &str) -> &'static str {
    if name.starts_with('#') {
        "malformed entity or character reference"
    } else {
        "reference to an undefined entity"
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An attribute value normalized as XML says (references resolved, each raw white space
/// character read as a space, `\r\n` as one).
fn normalize_attribute(raw: &str, offset: usize) -> Result<Cow<'_, str>, Malformed> {
    // No early exit: the compiler turns this into vector compares (values are short).
    if !raw.bytes().fold(false, |hit, b| hit | matches!(b, b'<' | b'&' | b'\t' | b'\n' | b'\r')) {
        return Ok(Cow::Borrowed(raw));
    }
    if let Some(at) = raw.find('<') {
        return Err(malformed(offset + at, "attribute value contains '<'"));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let end = rest.find(';').ok_or(Malformed {
                    offset: offset + (raw.len() - rest.len()),
                    reason: "malformed entity or character reference",
                })?;
                let name = rest.get(1..end).unwrap_or_default();
                let at = offset + (raw.len() - rest.len());
                let resolved = if let Some(num) = name.strip_prefix('#') {
                    let parsed = match num.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    parsed
                        .and_then(char::from_u32)
                        .filter(|c| is_xml_char(*c))
                        .ok_or(Malformed { offset: at, reason: "malformed entity or character reference" })?
                } else {
                    predefined(name).ok_or(Malformed { offset: at, reason: reference_error(name) })?
                };
                out.push(resolved);
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '\r' => {
                out.push(' ');
                rest = rest.get(1..).unwrap_or_default();
                if rest.starts_with('\n') {
                    rest = rest.get(1..).unwrap_or_default();
                }
            }
            '\n' | '\t' => {
                out.push(' ');
                rest = rest.get(1..).unwrap_or_default();
            }
            c => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// The tokenizer's error in words of our own (its messages may quote the input).
fn reason_of(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::{IllFormedError as I, SyntaxError as S};
    use quick_xml::Error as E;
    match e {
        E::Syntax(S::InvalidBangMarkup) => "malformed markup",
        E::Syntax(_) => "the input ends inside markup",
        E::IllFormed(I::MismatchedEndTag { .. } | I::UnmatchedEndTag(_) | I::MissingEndTag(_)) => {
            "close tag does not match its open tag"
        }
        E::IllFormed(I::DoubleHyphenInComment) => "'--' inside a comment",
        E::IllFormed(I::UnclosedReference) => "malformed entity or character reference",
        E::IllFormed(_) => "malformed markup",
        E::InvalidAttr(_) => "malformed attribute",
        E::Escape(_) => "malformed entity or character reference",
        _ => "malformed markup",
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}

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
        let at = parent.index();
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
                let id = c.index();
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
            match self.position.get(n.index()) {
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
        let d = doc.descendants().find(|n| n.tag_name().name() == "d").unwrap();
        let mut locations = Locations::new();
        assert_eq!(locations.of(d), "/a/b[2]/d");
        assert_eq!(locations.of(doc.root_element()), "/a");
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncé<", 6), (2, 3));
    }

    /// The tree as text: elements (HL7 v3 or no namespace, else `other`) with their attributes
    /// and the words of their texts, for comparing with an independent parser.
    fn outline(doc: &Document<'_>) -> String {
        let mut out = String::new();
        for n in doc.descendants() {
            let depth = n.ancestors().count();
            if n.is_element() {
                let v3 = matches!(&n.data().kind, Kind::Element { v3: true, .. });
                out.push_str(&format!("{depth} <{} {v3}", n.tag_name().name()));
                for a in n.attrs() {
                    out.push_str(&format!(" {}{}={:?}", n.namespace(a.ns).unwrap_or(""), a.local, a.value));
                }
                out.push('\n');
            } else if let Some(t) = n.text() {
                out.push_str(&format!("{depth} {:?}\n", t.split_whitespace().collect::<Vec<_>>()));
            }
        }
        out
    }

    fn roxml_outline(doc: &roxmltree::Document<'_>) -> String {
        let mut out = String::new();
        for n in doc.descendants() {
            let depth = n.ancestors().count();
            if n.is_element() {
                let v3 = matches!(n.tag_name().namespace(), Some(V3) | None);
                out.push_str(&format!("{depth} <{} {v3}", n.tag_name().name()));
                for a in n.attributes() {
                    out.push_str(&format!(" {}{}={:?}", a.namespace().unwrap_or(""), a.name(), a.value()));
                }
                out.push('\n');
            } else if let Some(t) = n.text().filter(|_| n.is_text()) {
                if t.split_whitespace().next().is_some() {
                    out.push_str(&format!("{depth} {:?}\n", t.split_whitespace().collect::<Vec<_>>()));
                }
            }
        }
        out
    }

    /// Same tree as roxmltree (which the tests keep as an independent parser), or both refuse
    /// the input; an undeclared prefix is reported where roxmltree reports it.
    fn same_as_roxmltree(text: &str) -> Result<(), String> {
        let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
        match (parse_xml(text), roxmltree::Document::parse_with_options(text, options)) {
            (Ok(ours), Ok(theirs)) => {
                let (a, b) = (outline(&ours), roxml_outline(&theirs));
                if a == b {
                    Ok(())
                } else {
                    let at = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                    Err(format!("trees differ at line {at}: {:?} vs {:?}", a.lines().nth(at), b.lines().nth(at)))
                }
            }
            (Err(ours), Err(theirs)) => match (&ours, &theirs) {
                (CcdaError::Xml { line, column, .. }, roxmltree::Error::UnknownNamespace(_, pos))
                    if (*line, *column) != (pos.row, pos.col) =>
                {
                    Err(format!("undeclared prefix at {line}:{column}, roxmltree says {pos}"))
                }
                _ => Ok(()),
            },
            (Ok(_), Err(e)) => Err(format!("accepted, roxmltree refuses: {e}")),
            (Err(e), Ok(_)) => Err(format!("refused ({e}), roxmltree accepts")),
        }
    }

    #[test]
    fn trees_and_refusals_match_an_independent_parser() {
        let cases = [
            r#"<a xmlns="urn:hl7-org:v3"><b x="1"/>text &amp; more<c>x&#x41;y &lt;z&gt;</c></a>"#,
            "<a>one<![CDATA[two <b>]]>three<!-- c -->four<?pi x?>five</a>",
            "<a>&amp; &lt;<![CDATA[ ]]>&gt;</a>",
            "<a x=\"l1\nl2\r\nl3\tl4&#10;&#9;\" y='&quot;&apos;'/>",
            r#"<a xmlns:p="urn:x" xmlns="urn:hl7-org:v3"><p:b p:c="1" c="2"><d xmlns="">t</d></p:b></a>"#,
            r#"<a xmlns:p="urn:x" xmlns:q="urn:x"><b p:c="1" q:c="2"/></a>"#,
            r#"<a><b x="1" x="2"/></a>"#,
            r#"<a><p:b/></a>"#,
            "<a>\n  <b q:c=\"1\"/></a>",
            "<a></b>",
            "<a>",
            "<a/><b/>",
            "text<a/>",
            "\u{feff}<?xml version=\"1.0\"?>\n<a>x</a>\n",
            "<a x=\"<\"/>",
            "<a>&unknown;</a>",
            "<a>&#0;</a>",
            "<a>& b</a>",
            "",
            "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\" xml:lang=\"en\"/>",
            "<a xmlns:p=\"http://www.w3.org/XML/1998/namespace\"/>",
            "<a>\r\nx\ry\r\n</a>",
            "<a><!-- - - --><b>é ü</b></a>",
            "<a>x</ a>",
            "<a b=\"1\"c=\"2\"/>",
            "<a b!c=\"1\"/>",
            "<a 0b=\"1\"/>",
            "<a xmlns::p=\"urn:x\"/>",
            "<a<b/>",
            "<?xml version\"1.0\"?><a/>",
            "<?xml version='1.0' encoding='UTF-8'?><a/>",
            "<?xml  version = \"1.1\" ?><a/>",
            "<a-b.c_d é=\"1\"/>",
            "<a>x< /a>",
            "<a>  &amp;  <b/>  &lt;<!--c-->  x  </a >",
        ];
        let mut failures: Vec<String> =
            cases.iter().filter_map(|c| same_as_roxmltree(c).err().map(|e| format!("{c:?}: {e}"))).collect();
        // Every XML file of the shared C-CDA examples (documents and fragments).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ccda");
        let mut files = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
                    files.push(p);
                }
            }
        }
        if files.is_empty() {
            assert!(
                std::env::var("EMR_REQUIRE_SHARED_DATA").as_deref() != Ok("1"),
                "EMR_REQUIRE_SHARED_DATA=1 but no C-CDA examples under {}",
                dir.display()
            );
        } else {
            assert!(files.len() > 400, "{} files", files.len());
        }
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else { continue };
            if let Err(e) = same_as_roxmltree(&text) {
                failures.push(format!("{}: {e}", f.display()));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
