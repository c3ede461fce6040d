//! The parser: `quick-xml` tokens built into a [`Document`], with limits and well-formedness
//! checks. Over 500 lines for a reason: it is one state machine ([`Builder`]) whose methods share
//! its state and check well-formedness together; its lexical helpers are in `lexical.rs`.
//!
//! The tokens come from `quick-xml` (no DTD processing, no entity expansion beyond XML's five
//! and character references); the tree is built here, holding only what the mapping reads:
//! elements with their resolved namespaces and attributes (values normalized as XML says), and
//! text with its references resolved. Comments, processing instructions and text of white space
//! only are left out (the mapping reads words only); they still count towards the limits, and
//! the limits and the well-formedness checks are those of the XML and Namespaces
//! recommendations the previous DOM parser enforced: matching end tags, declared prefixes,
//! attributes given once, no `<` in attribute values, a single root element. One documented
//! leniency: the prefixes `xsi` and `sdtc` used without a declaration are bound to their
//! well-known namespaces (HL7's own examples do this), and reported (`Document::implicit`).

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::lexical::{
    declares_version, is_space, lead, line_column, malformed, markup_start, normalize_attribute, normalize_newlines,
    reason_of, reference_error, resolve_reference, scan_qname, scan_value, skip_space, split_at_colon, Malformed,
};
use super::tree::{same, Attr, Document, Implicit, Kind, NodeData, NONE, NO_NS, XML_NS_IDX};
use super::{XmlError, V3};

/// The namespace the `xml` prefix is bound to.
pub(super) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace the `xmlns` prefix is bound to.
pub(super) const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// The prefixes bound to their well-known namespace when used undeclared (see
/// `Builder::implicit`): XML Schema instance (`xsi:type` on values) and HL7's SDTC extensions.
const IMPLICIT: [(&str, &str); 2] =
    [("xsi", "http://www.w3.org/2001/XMLSchema-instance"), ("sdtc", "urn:hl7-org:sdtc")];

/// The largest input accepted, in bytes (documents with embedded PDFs reach tens of MB).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The deepest element nesting accepted (real documents stay under 40).
pub const MAX_DEPTH: usize = 256;
/// The most XML nodes accepted (bounds memory for hostile input).
const MAX_NODES: u32 = 8_000_000;

/// Parse `text` as XML with the limits above; DTDs are refused.
pub(crate) fn parse_xml(text: &str) -> Result<Document<'_>, XmlError> {
    parse_with(text, false)
}

/// [`parse_xml`], keeping the texts of white space only as text nodes (XHTML narrative, where
/// the space between two inline elements separates their words).
pub(crate) fn parse_xml_keeping_space(text: &str) -> Result<Document<'_>, XmlError> {
    parse_with(text, true)
}

fn parse_with(text: &str, keep_space: bool) -> Result<Document<'_>, XmlError> {
    if text.len() > MAX_BYTES {
        return Err(XmlError::TooLarge { size: text.len(), max: MAX_BYTES });
    }
    let mut builder = Builder::new(text);
    builder.keep_space = keep_space;
    builder.parse()
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
    /// Attributes of the element being read: (prefix, offset), beside them in the tree.
    scratch: Vec<(&'i str, usize)>,
    seen_root: bool,
    /// Whether texts of white space only become nodes ([`parse_xml_keeping_space`]).
    keep_space: bool,
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
                implicit: Vec::new(),
            },
            open: Vec::with_capacity(64),
            scope: Vec::with_capacity(8),
            pending: None,
            count: 1,
            too_deep: None,
            ns_v3: vec![false, false],
            scratch: Vec::with_capacity(16),
            seen_root: false,
            keep_space: false,
        }
    }

    fn parse(mut self) -> Result<Document<'i>, XmlError> {
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
            let before = match &event {
                Event::Text(_) => before,
                // Tags: the tokenizer hands out their content as a slice of the input, so
                // where it starts gives the tag's `<` without scanning the white space again.
                Event::Start(e) | Event::Empty(e) => {
                    let start = markup_start(text, before, after, e, 1);
                    self.white_space_before_tag(before, start).map_err(|m| self.error(m))?;
                    start
                }
                Event::End(e) => {
                    let start = markup_start(text, before, after, e, 2);
                    self.white_space_before_tag(before, start).map_err(|m| self.error(m))?;
                    start
                }
                _ => {
                    let start = lead(text, before, after);
                    if start > before {
                        self.white_space(before, start).map_err(|m| self.error(m))?;
                    }
                    start
                }
            };
            let step = match event {
                Event::Eof => break,
                Event::DocType(_) => {
                    let (line, column) = line_column(text, before);
                    return Err(XmlError::Doctype { line, column });
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
                Event::Start(_) => self.start(before, after, false),
                Event::Empty(_) => self.start(before, after, true),
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
            return Err(XmlError::TooDeep { max: MAX_DEPTH, line, column });
        }
        let end = u32::try_from(self.doc.nodes.len()).unwrap_or(NONE);
        if let Some(root) = self.doc.nodes.get_mut(0) {
            root.subtree_end = end;
        }
        Ok(self.doc)
    }

    fn error(&self, m: Malformed) -> XmlError {
        let (line, column) = line_column(self.text, m.offset);
        XmlError::Malformed { line, column, reason: m.reason }
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
        if !blank || (self.keep_space && !text.is_empty()) {
            self.push_node(Kind::Text(text));
        }
    }

    /// White space the tokenizer skipped before a tag, `before..start`: a text node of its own
    /// (counted, left out of the tree: the tag ends it), or the end of the text before it.
    fn white_space_before_tag(&mut self, before: usize, start: usize) -> Result<(), Malformed> {
        if start <= before || self.open.is_empty() {
            return Ok(());
        }
        let text = self.text;
        match &mut self.pending {
            None if self.keep_space => {
                self.add_text(before, Cow::Borrowed(text.get(before..start).unwrap_or_default()))
            }
            None => self.count_node(before, self.open.len() + 2),
            Some((_, pending)) => {
                pending.to_mut().push_str(text.get(before..start).unwrap_or_default());
                Ok(())
            }
        }
    }

    /// A start tag (`empty`: an empty-element tag) at `before..after`, read from the input: its
    /// name and attributes are scanned here (the tokenizer found where the tag ends, quotes
    /// considered), which is cheaper than the tokenizer's attribute iterator. Every split is at
    /// an ASCII byte (white space, `=`, `:`, a quote) or where a name stops (before a byte no
    /// name has; every byte of a non-ASCII character is a name byte), so on a character boundary.
    fn start(&mut self, before: usize, after: usize, empty: bool) -> Result<(), Malformed> {
        self.flush_text();
        if self.open.is_empty() {
            if self.seen_root {
                return Err(malformed(before, "more than one root element"));
            }
            self.seen_root = true;
        }
        self.count_node(before, self.open.len() + 2)?;
        let text = self.text;
        // `<` content `>` or `<` content `/>`
        let content_end = after.saturating_sub(if empty { 2 } else { 1 });
        let tag = text.get(before + 1..content_end).ok_or(Malformed { offset: before, reason: "malformed markup" })?;
        let bytes = tag.as_bytes();
        let invalid_name = Malformed { offset: before + 1, reason: "invalid name" };
        let (name_len, colon) = scan_qname(bytes, 0).ok_or(invalid_name)?;
        if !bytes.get(name_len).is_none_or(|&b| is_space(b)) {
            return Err(invalid_name);
        }
        let qname = tag.get(..name_len).unwrap_or_default();
        let (prefix, local) = split_at_colon(qname, colon, 0);
        let scope_from = self.scope.len();
        // Attributes: namespace declarations into scope, the others into the tree (their
        // namespaces resolved below, once the tag's declarations are known).
        let from = self.doc.attrs.len();
        self.scratch.clear();
        let mut declared_default = false;
        let mut i = name_len;
        loop {
            let spaced = i;
            i = skip_space(bytes, i);
            if i >= bytes.len() {
                break;
            }
            let offset = before + 1 + i;
            let key_start = i;
            let (key_end, colon) = scan_qname(bytes, i).ok_or(Malformed { offset, reason: "invalid name" })?;
            if !bytes.get(key_end).is_none_or(|&b| b == b'=' || is_space(b)) {
                return Err(malformed(offset, "invalid name"));
            }
            let (prefix, local) = split_at_colon(tag.get(key_start..key_end).unwrap_or_default(), colon, key_start);
            if spaced == key_start {
                return Err(malformed(offset, "unexpected character"));
            }
            i = skip_space(bytes, key_end);
            if bytes.get(i) != Some(&b'=') {
                return Err(malformed(before + 1 + i, "malformed attribute"));
            }
            i = skip_space(bytes, i + 1);
            let quote = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => return Err(malformed(before + 1 + i, "malformed attribute")),
            };
            let (value_end, special) = scan_value(bytes, i + 1, quote)
                .ok_or(Malformed { offset: before + 1 + i, reason: "malformed attribute" })?;
            let raw = tag.get(i + 1..value_end).unwrap_or_default();
            let value = if special { normalize_attribute(raw, before + 2 + i)? } else { Cow::Borrowed(raw) };
            i = value_end + 1;
            if prefix.is_empty() {
                if local == "xmlns" {
                    if value == XML_NS || value == XMLNS_NS {
                        return Err(malformed(offset, "misused xml or xmlns prefix"));
                    }
                    if declared_default {
                        return Err(malformed(offset, "namespace declared twice"));
                    }
                    declared_default = true;
                    self.declare("", value);
                } else {
                    self.doc.attrs.push(Attr { ns: NO_NS, local, value });
                    self.scratch.push((prefix, offset));
                }
            } else if prefix == "xmlns" {
                if value == XMLNS_NS || (local == "xml") != (value == XML_NS) {
                    return Err(malformed(offset, "misused xml or xmlns prefix"));
                }
                if self.scope.get(scope_from..).unwrap_or_default().iter().any(|(p, _)| *p == local) {
                    return Err(malformed(offset, "namespace declared twice"));
                }
                if local != "xml" {
                    self.declare(local, value);
                }
            } else {
                self.doc.attrs.push(Attr { ns: NO_NS, local, value });
                self.scratch.push((prefix, offset));
            }
        }
        // Attributes resolve before the element's own name (so errors come in that order).
        let mut has_id = false;
        for k in 0..self.scratch.len() {
            let Some(&(prefix, offset)) = self.scratch.get(k) else { break };
            let ns = match prefix {
                "" => NO_NS,
                "xml" => XML_NS_IDX,
                p => match self.resolve(p) {
                    Some(ns) => ns,
                    None => self.implicit(p, offset)?,
                },
            };
            let attrs = self.doc.attrs.get(from..).unwrap_or_default();
            let Some(local) = attrs.get(k).map(|a| a.local) else { continue };
            has_id |= ns == NO_NS && same(local, "ID");
            if attrs.iter().take(k).any(|a| same(a.local, local) && self.same_ns(a.ns, ns)) {
                return Err(malformed(offset, "attribute given twice"));
            }
            if let Some(a) = self.doc.attrs.get_mut(from + k) {
                a.ns = ns;
            }
        }
        let from = u32::try_from(from).unwrap_or(NONE);
        let to = u32::try_from(self.doc.attrs.len()).unwrap_or(NONE);
        let ns = match prefix {
            "" => self.resolve("").unwrap_or(NO_NS),
            "xml" => XML_NS_IDX,
            p => match self.resolve(p) {
                Some(ns) => ns,
                None => self.implicit(p, before + 1)?,
            },
        };
        let v3 = ns == NO_NS || self.ns_v3.get(ns as usize).copied().unwrap_or(false);
        let id = self.push_node(Kind::Element { local, v3, ns, attrs: (from, to) });
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

    /// The namespace of a prefix no declaration in scope binds: `xsi` and `sdtc` (which many
    /// HL7 examples and some real exports use without declaring) are bound to their well-known
    /// namespaces, and the binding is recorded in [`Document::implicit`] (with the element of
    /// its first use) so that the import reports it. Any other prefix is an error at `offset`.
    fn implicit(&mut self, prefix: &str, offset: usize) -> Result<u32, Malformed> {
        let Some(&(prefix, namespace)) = IMPLICIT.iter().find(|(p, _)| *p == prefix) else {
            return Err(malformed(offset, "undeclared namespace prefix"));
        };
        if let Some(bound) = self.doc.implicit.iter().find(|b| b.prefix == prefix) {
            return Ok(bound.ns);
        }
        let ns = u32::try_from(self.doc.namespaces.len()).unwrap_or(NONE);
        self.ns_v3.push(false);
        self.doc.namespaces.push(Cow::Borrowed(namespace));
        // The element being read is the next node.
        let node = u32::try_from(self.doc.nodes.len()).unwrap_or(NONE);
        self.doc.implicit.push(Implicit { prefix, ns, node });
        Ok(ns)
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
