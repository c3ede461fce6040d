//! A FHIR narrative (`text.div`, XHTML) as a sanitized block tree that any shell can render
//! without ever parsing record content as HTML ([`read_narrative`]), and as plain text for a
//! terminal ([`plain_text`](super::plain_text), in `plain_text.rs`). The rules are here and only here:
//!
//! - The `div` is read as XML by the project's parser (`crate::xml`: limits, no DTD, no
//!   entities beyond XML's five and character references). A `div` that is not well-formed,
//!   nested deeper than the parser's limit ([`crate::ccda::MAX_DEPTH`]), or whose root is not
//!   `div` in the XHTML namespace is **not read**: [`read_narrative`] says `None`, and a reader
//!   shows that the narrative could not be read (never the raw markup).
//! - Elements kept ([`Tag`]): `p`, `br`, `ul`, `ol`, `li`, `table`, `caption`, `thead`,
//!   `tbody`, `tfoot`, `tr`, `th`, `td`, `b`/`strong` (→ `strong`), `i`/`em` (→ `em`), `u`,
//!   `sub`, `sup`, `span`, `div`, `pre`, `code`, `blockquote`, `h1`–`h6` (→ `heading` with its
//!   level), `hr`, and `a` with a safe link. Other block elements of HTML (`section`,
//!   `article`, `dl`, `dt`, `dd`, `header`, `footer`, `address`, `figure`, …) become `div`.
//! - `script` and `style` are dropped with their content; `img` is replaced by its `alt` text;
//!   every other element (unknown, `iframe`, `object`, `embed`, `form`, `input`, `button`,
//!   `svg`, `math`, elements outside the XHTML namespace, …) is unwrapped: its markup goes, its
//!   text stays (losing clinical words is worse than losing markup), apart from the text around
//!   it when a browser shows the element as a box of its own (embedded content, form controls).
//! - No attribute is kept except a table cell's `colspan` and `rowspan` when they are whole
//!   numbers from 1 to [`MAX_SPAN`], and an `a`'s `href` when, trimmed, it starts with `http://`
//!   or `https://` (any case). Any other link (`javascript:`, `data:`, relative, `#…`, `http:`
//!   without `//`) is not a link: its text stays as plain text.
//! - White space is collapsed as HTML renders it: runs of spaces, tabs and line ends become one
//!   space, none at the start or end of a block; inside `pre` the text is kept as written.
//! - Elements nested deeper than [`MAX_NESTING`] keep their text without their markup.
//!
//! Reading never panics, whatever the input.

use serde::{Deserialize, Serialize};

use crate::xml::{parse_xml_keeping_space, Node};

/// The XHTML namespace a FHIR narrative `div` is in.
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// Elements nested deeper than this in the tree keep their text without their markup.
pub const MAX_NESTING: usize = 64;

/// The largest `colspan` or `rowspan` kept.
pub const MAX_SPAN: u16 = 1000;

/// An element a sanitized narrative may hold (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    /// A paragraph.
    P,
    /// A line break.
    Br,
    /// A list with bullets.
    Ul,
    /// A numbered list.
    Ol,
    /// A list item.
    Li,
    /// A table.
    Table,
    /// A table's caption.
    Caption,
    /// A table's head rows.
    Thead,
    /// A table's body rows.
    Tbody,
    /// A table's foot rows.
    Tfoot,
    /// A table row.
    Tr,
    /// A header cell.
    Th,
    /// A data cell.
    Td,
    /// Strong importance (`b`, `strong`).
    Strong,
    /// Emphasis (`i`, `em`).
    Em,
    /// Underlined text.
    U,
    /// Subscript.
    Sub,
    /// Superscript.
    Sup,
    /// An inline span.
    Span,
    /// A block.
    Div,
    /// Preformatted text (white space kept).
    Pre,
    /// Code.
    Code,
    /// A quotation block.
    Blockquote,
    /// A heading (`h1`–`h6`), its level in [`Narrative::Element::level`].
    Heading,
    /// A thematic break.
    Hr,
    /// A link to an `http:` or `https:` address.
    A,
}

impl Tag {
    /// Whether the element is a block (starts a new line) rather than inline text.
    ///
    /// # Example
    /// ```
    /// use emr_core::query::Tag;
    /// assert!(Tag::P.is_block() && !Tag::Strong.is_block());
    /// ```
    pub fn is_block(self) -> bool {
        !matches!(self, Tag::Strong | Tag::Em | Tag::U | Tag::Sub | Tag::Sup | Tag::Span | Tag::Code | Tag::A)
    }
}

/// One node of a sanitized narrative: a text, or an element of the closed set [`Tag`] with
/// its children (see the module documentation for the rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Narrative {
    /// Text, its white space already collapsed (to be shown as text, never as markup).
    Text {
        /// The text.
        text: String,
    },
    /// An element.
    Element {
        /// Which element.
        tag: Tag,
        /// A heading's level, 1 to 6 (for [`Tag::Heading`] only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        level: Option<u8>,
        /// A table cell's column span (1 to [`MAX_SPAN`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        colspan: Option<u16>,
        /// A table cell's row span (1 to [`MAX_SPAN`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rowspan: Option<u16>,
        /// A link's address: `http://` or `https://` only, trimmed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        href: Option<String>,
        /// The content.
        #[serde(default)]
        children: Vec<Narrative>,
    },
}

impl Narrative {
    /// The text of the node and its descendants, as one string (no separators added).
    ///
    /// # Example
    /// ```
    /// let n = emr_core::query::read_narrative(r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>A <b>b</b></p></div>"#).unwrap();
    /// assert_eq!(n[0].text(), "A b");
    /// ```
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        match self {
            Narrative::Text { text } => out.push_str(text),
            Narrative::Element { children, .. } => children.iter().for_each(|c| c.collect_text(out)),
        }
    }
}

/// Other block elements of HTML, kept as `div`.
const BLOCKS: &[&str] = &[
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "address",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "center",
    "fieldset",
    "legend",
    "hgroup",
];

/// Elements a browser shows as a box of their own (embedded content, form controls): unwrapped,
/// their text stays apart from the text around them.
const BOXES: &[&str] = &[
    "svg", "math", "iframe", "object", "embed", "video", "audio", "canvas", "textarea", "select", "button", "input",
    "label", "option",
];

/// The tag an XHTML element name is kept as, with a heading's level.
fn tag_of(name: &str) -> Option<(Tag, Option<u8>)> {
    let tag = match name {
        "p" => Tag::P,
        "br" => Tag::Br,
        "ul" => Tag::Ul,
        "ol" => Tag::Ol,
        "li" => Tag::Li,
        "table" => Tag::Table,
        "caption" => Tag::Caption,
        "thead" => Tag::Thead,
        "tbody" => Tag::Tbody,
        "tfoot" => Tag::Tfoot,
        "tr" => Tag::Tr,
        "th" => Tag::Th,
        "td" => Tag::Td,
        "b" | "strong" => Tag::Strong,
        "i" | "em" => Tag::Em,
        "u" => Tag::U,
        "sub" => Tag::Sub,
        "sup" => Tag::Sup,
        "span" => Tag::Span,
        "div" => Tag::Div,
        "pre" => Tag::Pre,
        "code" => Tag::Code,
        "blockquote" => Tag::Blockquote,
        "hr" => Tag::Hr,
        "a" => Tag::A,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            let level = name.get(1..).and_then(|l| l.parse().ok());
            return Some((Tag::Heading, level));
        }
        other if BLOCKS.contains(&other) => Tag::Div,
        _ => return None,
    };
    Some((tag, None))
}

/// A link's address if it is one a reader may follow: `http://` or `https://` (any case),
/// trimmed, with something after, and no control character.
fn safe_href(value: &str) -> Option<String> {
    let v = value.trim();
    let rest = v.find("://").filter(|&at| {
        v.get(..at).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
    })?;
    (v.len() > rest + 3 && !v.chars().any(char::is_control)).then(|| v.to_owned())
}

/// A table cell's span, when a whole number from 1 to [`MAX_SPAN`].
fn span(value: Option<&str>) -> Option<u16> {
    value.and_then(|v| v.trim().parse::<u16>().ok()).filter(|n| (1..=MAX_SPAN).contains(n))
}

/// HTML's white space (what it collapses).
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// The narrative `div` (FHIR XHTML, as text) as a sanitized tree: the `div`'s content; `None`
/// when it cannot be read (not well-formed, too deep, or not a `div` in the XHTML namespace).
/// The rules are in the module documentation.
///
/// # Example
/// ```
/// use emr_core::query::{read_narrative, Narrative, Tag};
/// let div = r#"<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">Plan:
///   <a href="javascript:alert(1)">call</a> <script>alert(1)</script></p></div>"#;
/// let n = read_narrative(div).unwrap();
/// assert_eq!(n, [Narrative::Element { tag: Tag::P, level: None, colspan: None, rowspan: None, href: None,
///     children: vec![Narrative::Text { text: "Plan: call".into() }] }]);
/// assert_eq!(read_narrative("<div>not XHTML</div>"), None);
/// assert_eq!(read_narrative("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>open"), None);
/// ```
pub fn read_narrative(div: &str) -> Option<Vec<Narrative>> {
    let doc = parse_xml_keeping_space(div).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "div" || root.namespace_uri() != Some(XHTML) {
        return None;
    }
    let mut reader = Reader { pending_space: false, line_start: true };
    let mut out = Vec::new();
    reader.children(root, 0, false, &mut out);
    Some(out)
}

/// The state of white-space collapsing while the tree is read.
struct Reader {
    /// White space was read and not yet written (it is written before the next word).
    pending_space: bool,
    /// At the start of a block (white space here is not written).
    line_start: bool,
}

impl Reader {
    fn children(&mut self, node: Node<'_, '_>, depth: usize, pre: bool, out: &mut Vec<Narrative>) {
        for c in node.children() {
            if let Some(t) = c.text() {
                self.text(t, pre, out);
            } else if c.is_element() {
                self.element(c, depth + 1, pre, out);
            }
        }
    }

    fn block_boundary(&mut self) {
        self.pending_space = false;
        self.line_start = true;
    }

    fn text(&mut self, t: &str, pre: bool, out: &mut Vec<Narrative>) {
        let mut s = String::new();
        if pre {
            s.push_str(t);
            if !t.is_empty() {
                self.line_start = false;
                self.pending_space = false;
            }
        } else {
            for c in t.chars() {
                if is_html_space(c) {
                    self.pending_space |= !self.line_start;
                } else {
                    if std::mem::take(&mut self.pending_space) {
                        s.push(' ');
                    }
                    s.push(c);
                    self.line_start = false;
                }
            }
        }
        push_text(out, s);
    }

    fn element(&mut self, el: Node<'_, '_>, depth: usize, pre: bool, out: &mut Vec<Narrative>) {
        let name = el.tag_name().name();
        let xhtml = el.namespace_uri() == Some(XHTML);
        if xhtml && matches!(name, "script" | "style") {
            return;
        }
        if xhtml && name == "img" {
            if let Some(alt) = el.attribute("alt") {
                self.text(alt, false, out);
            }
            return;
        }
        let known = if xhtml { tag_of(name) } else { None };
        let Some((tag, level)) = known.filter(|_| depth <= MAX_NESTING) else {
            // Unwrapped: the text stays (a block, or a box, still separates its words).
            let block = known.is_some_and(|(t, _)| t.is_block());
            let boxed = !block && BOXES.contains(&name);
            if block {
                self.block_boundary();
            }
            self.pending_space |= boxed && !self.line_start;
            self.children(el, depth, pre, out);
            self.pending_space |= boxed && !self.line_start;
            if block {
                self.block_boundary();
            }
            return;
        };
        let href = if tag == Tag::A { el.attribute("href").and_then(safe_href) } else { None };
        if tag == Tag::A && href.is_none() {
            // Not a link a reader may follow: its text only.
            return self.children(el, depth, pre, out);
        }
        let (colspan, rowspan) = if matches!(tag, Tag::Td | Tag::Th) {
            (span(el.attribute("colspan")), span(el.attribute("rowspan")))
        } else {
            (None, None)
        };
        let mut children = Vec::new();
        if tag.is_block() {
            self.block_boundary();
            self.children(el, depth, pre || tag == Tag::Pre, &mut children);
            self.block_boundary();
        } else {
            if std::mem::take(&mut self.pending_space) {
                push_text(out, " ".to_owned());
            }
            self.children(el, depth, pre, &mut children);
        }
        if tag == Tag::Br {
            self.block_boundary();
        }
        out.push(Narrative::Element { tag, level, colspan, rowspan, href, children });
    }
}

/// Add a text, merged with a text just before it.
fn push_text(out: &mut Vec<Narrative>, s: String) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Narrative::Text { text }) => text.push_str(&s),
        _ => out.push(Narrative::Text { text: s }),
    }
}
