//! A section's narrative block (`section/text`, CDA's `StrucDoc.Text`) as FHIR XHTML: the
//! `div` of the Composition section's `text` (C-CDA on FHIR, *Section narrative*).
//!
//! Each CDA narrative element becomes its XHTML counterpart: `content` → `span`, `paragraph`
//! → `p`, `list` → `ul`/`ol` (its `caption` a `p` before it), `item` → `li`, the table elements
//! and `br`, `sub`, `sup` as they are, `linkHtml` → `a`, `footnote` → `span`, `footnoteRef` → a
//! `sup` linking to the footnote, `renderMultiMedia` → a text placeholder (no image is fetched).
//! The only attributes written are `id` (from `ID`), `class` (from `styleCode`, its tokens),
//! `href` (an `http(s)` URL or a `#` fragment; anything else, `javascript:` included, is not
//! written) and a table cell's numeric `colspan`/`rowspan`. Text and attribute values are
//! escaped; elements CDA does not define keep their text, without their markup. So the result
//! is well-formed XML within FHIR's XHTML rules (no script, no event or style attributes).

use super::xml::{attr, is, Node};

/// The XHTML namespace the `div` declares.
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// Elements nested deeper than this keep only their text, without their markup (the recursion
/// itself is bounded by the parser's depth limit, [`super::MAX_DEPTH`]).
const MAX_DEPTH: usize = 64;

/// Narrative elements written under the same name.
const SAME: &[&str] =
    &["table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "col", "colgroup", "br", "sub", "sup"];

/// Whether the narrative block has any words (what a reader would see).
pub(crate) fn has_words(text: Node<'_, '_>) -> bool {
    text.descendants().any(|n| n.is_text() && n.text().is_some_and(|x| x.split_whitespace().next().is_some()))
}

/// The narrative block `text` as a FHIR XHTML `div` (see the module documentation).
pub(crate) fn to_xhtml(text: Node<'_, '_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<div xmlns=\"");
    out.push_str(XHTML);
    out.push_str("\">");
    content(&mut out, text, 0);
    out.push_str("</div>");
    out
}

/// The children of `node`, converted.
fn content(out: &mut String, node: Node<'_, '_>, depth: usize) {
    for c in node.children() {
        if let Some(t) = c.text() {
            escape(out, t, false);
        } else if c.is_element() {
            element(out, c, depth + 1);
        }
    }
}

/// One element of the narrative block.
fn element(out: &mut String, el: Node<'_, '_>, depth: usize) {
    if depth > MAX_DEPTH {
        return content(out, el, depth);
    }
    let name = el.tag_name().name();
    let known = |n: &str| is(el, n);
    let tag = if known("content") || known("footnote") {
        "span"
    } else if known("paragraph") {
        "p"
    } else if known("item") {
        "li"
    } else if known("linkHtml") {
        "a"
    } else if known("list") {
        return list(out, el, depth);
    } else if known("footnoteRef") {
        return footnote_ref(out, el);
    } else if known("renderMultiMedia") {
        return multimedia(out, el, depth);
    } else if known("caption") && !el.parent().is_some_and(|p| is(p, "table")) {
        // A paragraph's caption (XHTML has captions only in tables).
        "span"
    } else if let Some(same) = SAME.iter().find(|s| known(s)) {
        same
    } else {
        // Not a narrative element: its text, without its markup.
        return content(out, el, depth);
    };
    open(out, tag, el);
    if tag == "a" {
        if let Some(href) = attr(el, "href").filter(|h| safe_href(h)) {
            attribute(out, "href", href);
        }
    }
    if matches!(name, "td" | "th") {
        for span in ["colspan", "rowspan"] {
            if let Some(n) = attr(el, span).filter(|n| n.len() < 4 && n.bytes().all(|b| b.is_ascii_digit())) {
                attribute(out, span, n);
            }
        }
    }
    if matches!(tag, "br" | "col") {
        // Empty elements: whatever a document puts inside is not markup XHTML allows.
        out.push_str("/>");
        return;
    }
    out.push('>');
    content(out, el, depth);
    close(out, tag);
}

/// A `list` as `ul` or `ol`; its `caption` (which XHTML lists cannot hold) as a `p` before it.
fn list(out: &mut String, el: Node<'_, '_>, depth: usize) {
    for caption in el.children().filter(|c| is(*c, "caption")) {
        out.push_str("<p class=\"caption\">");
        content(out, caption, depth);
        out.push_str("</p>");
    }
    let tag = if attr(el, "listType") == Some("ordered") { "ol" } else { "ul" };
    open(out, tag, el);
    out.push('>');
    for c in el.children() {
        if is(c, "caption") {
            continue;
        }
        if c.is_element() && is(c, "item") {
            element(out, c, depth + 1);
        } else if c.is_element() || c.text().is_some_and(|t| !t.trim().is_empty()) {
            // Only `li` may sit in a list: anything else is wrapped in one.
            out.push_str("<li>");
            if let Some(t) = c.text() {
                escape(out, t, false);
            } else {
                element(out, c, depth + 1);
            }
            out.push_str("</li>");
        }
    }
    close(out, tag);
}

/// A `footnoteRef` as a superscript link to its footnote.
fn footnote_ref(out: &mut String, el: Node<'_, '_>) {
    let Some(target) = attr(el, "IDREF") else { return };
    out.push_str("<sup");
    class(out, el);
    out.push_str("><a href=\"#");
    escape(out, target, true);
    out.push_str("\">");
    escape(out, target, false);
    out.push_str("</a></sup>");
}

/// A `renderMultiMedia` as a placeholder naming what it shows (its caption), never the image.
fn multimedia(out: &mut String, el: Node<'_, '_>, depth: usize) {
    open(out, "span", el);
    out.push_str(">[multimedia");
    for caption in el.children().filter(|c| is(*c, "caption")) {
        out.push_str(": ");
        content(out, caption, depth);
    }
    out.push_str("]</span>");
}

/// `<tag` with the element's `id` and `class`, the start tag left open.
fn open(out: &mut String, tag: &str, el: Node<'_, '_>) {
    out.push('<');
    out.push_str(tag);
    if let Some(id) = attr(el, "ID") {
        attribute(out, "id", id);
    }
    class(out, el);
}

/// The element's `styleCode` tokens as a `class`.
fn class(out: &mut String, el: Node<'_, '_>) {
    let Some(style) = attr(el, "styleCode") else { return };
    let tokens: Vec<&str> = style
        .split_whitespace()
        .filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .collect();
    if !tokens.is_empty() {
        attribute(out, "class", &tokens.join(" "));
    }
}

fn close(out: &mut String, tag: &str) {
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// ` name="value"`, the value escaped.
fn attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    escape(out, value, true);
    out.push('"');
}

/// Whether a link target is safe to write: an `http(s)` URL or a fragment in the document.
fn safe_href(href: &str) -> bool {
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || href.starts_with('#')
}

/// Append `text` escaped for XML character data (or, with `quoted`, an attribute value).
/// Characters XML 1.0 does not allow cannot be in the input (it parsed as XML).
fn escape(out: &mut String, text: &str, quoted: bool) {
    let mut rest = text;
    // Runs without a character to escape are copied whole.
    while let Some(at) =
        rest.find(|c: char| matches!(c, '&' | '<' | '>') || quoted && matches!(c, '"' | '\t' | '\n' | '\r'))
    {
        let (run, tail) = rest.split_at(at);
        out.push_str(run);
        let mut chars = tail.chars();
        out.push_str(match chars.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            Some('"') => "&quot;",
            Some('\t') => "&#9;",
            Some('\n') => "&#10;",
            _ => "&#13;",
        });
        rest = chars.as_str();
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::super::xml::{child, parse_xml};
    use super::*;

    fn convert(body: &str) -> String {
        let xml = format!("<section xmlns=\"urn:hl7-org:v3\"><text>{body}</text></section>");
        let doc = parse_xml(&xml).unwrap_or_else(|e| panic!("{e:?}"));
        let text = child(doc.root_element(), "text").unwrap_or_else(|| panic!("no text"));
        let div = to_xhtml(text);
        // Well-formed, in the XHTML namespace, by a parser emr did not write.
        let parsed = roxmltree::Document::parse(&div).unwrap_or_else(|e| panic!("{e}: {div}"));
        assert_eq!(parsed.root_element().tag_name().namespace(), Some(XHTML));
        div
    }

    #[test]
    fn elements_map_to_xhtml() {
        let div = convert(
            "<paragraph ID=\"p1\" styleCode=\"Bold Italics\">Hi<br/>there<sub>2</sub><sup>3</sup></paragraph>\
             <content styleCode=\"Underline\">u</content>",
        );
        assert_eq!(
            div,
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p id=\"p1\" class=\"Bold Italics\">Hi<br/>there\
             <sub>2</sub><sup>3</sup></p><span class=\"Underline\">u</span></div>"
        );
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let div = convert(
            "<content ID=\"a&quot;b&lt;c\">1 &lt; 2 &amp;&amp; 3 &gt; 2 <![CDATA[<script>x</script>]]></content>",
        );
        assert!(
            div.contains(
                "<span id=\"a&quot;b&lt;c\">1 &lt; 2 &amp;&amp; 3 &gt; 2 &lt;script&gt;x&lt;/script&gt;</span>"
            ),
            "{div}"
        );
        assert!(!div.contains("<script"));
    }

    #[test]
    fn links_keep_only_safe_targets_and_no_other_attributes() {
        let div = convert(
            "<linkHtml href=\"javascript:alert(1)\" onclick=\"x()\">a</linkHtml>\
             <linkHtml href=\" JavaScript:alert(1)\">b</linkHtml>\
             <linkHtml href=\"HTTPS://example.org/?a=1&amp;b=2\" name=\"n\" title=\"t\">c</linkHtml>\
             <linkHtml href=\"#fn1\">d</linkHtml><linkHtml href=\"data:text/html,x\">e</linkHtml>\
             <content style=\"background:url(x)\" onmouseover=\"y\">f</content>",
        );
        assert_eq!(
            div,
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><a>a</a><a>b</a>\
             <a href=\"HTTPS://example.org/?a=1&amp;b=2\">c</a><a href=\"#fn1\">d</a><a>e</a><span>f</span></div>"
        );
    }

    #[test]
    fn nested_lists_and_tables() {
        let div = convert(
            "<list listType=\"ordered\"><caption>Meds</caption><item>one<list><item>a</item>stray</list></item>\
             <item><table border=\"1\"><caption>T</caption><colgroup><col width=\"5\"/></colgroup>\
             <thead><tr><th colspan=\"2\">H</th></tr></thead>\
             <tbody><tr><td rowspan=\"x\">1</td><td colspan=\"2\"><list><item>in</item></list></td></tr></tbody>\
             <tfoot><tr><td>f</td></tr></tfoot></table></item></list>",
        );
        assert_eq!(
            div,
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p class=\"caption\">Meds</p><ol><li>one<ul><li>a</li>\
             <li>stray</li></ul></li><li><table><caption>T</caption><colgroup><col/></colgroup>\
             <thead><tr><th colspan=\"2\">H</th></tr></thead><tbody><tr><td>1</td><td colspan=\"2\">\
             <ul><li>in</li></ul></td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table></li></ol></div>"
        );
    }

    #[test]
    fn footnotes_multimedia_and_unknown_elements() {
        let div = convert(
            "<paragraph><caption>C</caption>p</paragraph><footnote ID=\"fn1\">note</footnote><footnoteRef IDREF=\"fn1\"/>\
             <renderMultiMedia referencedObject=\"img1\"><caption>X-ray</caption></renderMultiMedia>\
             <x:script xmlns:x=\"urn:example\">kept as text</x:script><unknown>also</unknown>",
        );
        assert_eq!(
            div,
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><span>C</span>p</p><span id=\"fn1\">note</span><sup><a href=\"#fn1\">fn1</a></sup>\
             <span>[multimedia: X-ray]</span>kept as textalso</div>"
        );
    }

    #[test]
    fn attribute_white_space_is_kept_as_references() {
        let mut out = String::new();
        escape(&mut out, "a\tb\nc\rd\"e<>&é", true);
        assert_eq!(out, "a&#9;b&#10;c&#13;d&quot;e&lt;&gt;&amp;é");
        out.clear();
        escape(&mut out, "a\tb\"c", false);
        assert_eq!(out, "a\tb\"c");
    }

    #[test]
    fn deep_nesting_keeps_the_text() {
        let body = format!("{}deep{}", "<content>".repeat(100), "</content>".repeat(100));
        let div = convert(&body);
        assert!(div.contains("deep"));
        assert_eq!(div.matches("<span>").count(), MAX_DEPTH);
    }
}
