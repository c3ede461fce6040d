//! Large C-CDA documents made from real ones, deterministically, for `tests/ccda_large.rs` and
//! `benches/ccda.rs` (which include this file with `#[path]`): a document whose Results section
//! holds its entries many times over, each copy with distinct ids, and an unstructured document
//! whose `nonXMLBody` embeds a large base64 payload. The XML is located with `roxmltree` (not
//! emr's parser) and spliced as text, so everything else in the document stays byte for byte.
#![allow(dead_code, clippy::panic, clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::ops::Range;

/// The Results section's template (C-CDA R2.1, entries required).
pub const RESULTS_SECTION: &str = "2.16.840.1.113883.10.20.22.2.3.1";

/// Elements whose `id` children identify an entry's statement (organizer, observation, act…):
/// those are the ids each copy rewrites. Ids of participants (authors, performers, specimens'
/// role players…) stay as they are: the same lab in every copy.
const STATEMENTS: &[&str] =
    &["organizer", "observation", "act", "procedure", "substanceAdministration", "supply", "encounter"];

fn parse(xml: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: u32::MAX, ..Default::default() };
    roxmltree::Document::parse_with_options(xml, options).unwrap_or_else(|e| panic!("generated XML: {e}"))
}

/// The Results section of a parsed document (its first section with [`RESULTS_SECTION`]).
pub fn results_section<'a, 'i>(doc: &'a roxmltree::Document<'i>) -> roxmltree::Node<'a, 'i> {
    doc.descendants()
        .find(|n| {
            n.has_tag_name("section")
                && n.children().any(|t| t.has_tag_name("templateId") && t.attribute("root") == Some(RESULTS_SECTION))
        })
        .expect("a Results section")
}

/// `xml` with the entries of its Results section repeated `copies` times in all (the first copy
/// is the original text; copy `k` has every statement id rewritten: its `extension` suffixed
/// with `.k`, or `extension="large-k"` added when it has none), so that each copy is a distinct
/// set of entries.
pub fn repeat_results(xml: &str, copies: usize) -> String {
    let doc = parse(xml);
    let section = results_section(&doc);
    let entries: Vec<roxmltree::Node> = section.children().filter(|n| n.has_tag_name("entry")).collect();
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else { panic!("no results entries") };
    let block = first.range().start..last.range().end;
    // Where to write in each statement id tag: just before `/>` or `>` (a new attribute), or
    // just before the closing quote of its `extension` value.
    let mut edits: Vec<(usize, bool)> = Vec::new();
    for id in section.descendants().filter(|n| n.has_tag_name("id")) {
        if id.range().start < block.start || id.range().end > block.end {
            continue;
        }
        if !id.parent_element().is_some_and(|p| STATEMENTS.contains(&p.tag_name().name())) {
            continue;
        }
        let tag = &xml[id.range()];
        let at = match tag.find("extension=") {
            Some(e) => {
                let quote = tag.as_bytes()[e + 10];
                let close = tag[e + 11..].find(char::from(quote)).expect("closed attribute");
                (id.range().start + e + 11 + close, false)
            }
            None => {
                let end = tag.find("/>").or_else(|| tag.find('>')).expect("tag end");
                (id.range().start + end, true)
            }
        };
        edits.push(at);
    }
    edits.sort_unstable();
    let original = &xml[block.clone()];
    let mut out = String::with_capacity(xml.len() + original.len() * copies);
    out.push_str(&xml[..block.end]);
    for k in 1..copies {
        out.push('\n');
        let mut from = block.start;
        for &(at, new) in &edits {
            out.push_str(&xml[from..at]);
            if new {
                out.push_str(&format!(" extension=\"large-{k}\""));
            } else {
                out.push_str(&format!(".{k}"));
            }
            from = at;
        }
        out.push_str(&xml[from..block.end]);
    }
    out.push_str(&xml[block.end..]);
    debug_assert!(original.len() <= out.len());
    out
}

/// The number of Results entries' statements in `xml`, counted with `roxmltree`: result
/// organizers (template 4.1) and result observations (4.2) in the Results section.
pub fn count_results(xml: &str) -> (usize, usize) {
    let doc = parse(xml);
    let section = results_section(&doc);
    let with = |template: &str| {
        section
            .descendants()
            .filter(|n| n.children().any(|t| t.has_tag_name("templateId") && t.attribute("root") == Some(template)))
            .count()
    };
    (with("2.16.840.1.113883.10.20.22.4.1"), with("2.16.840.1.113883.10.20.22.4.2"))
}

/// The byte range of the base64 text of `xml`'s `nonXMLBody/text` (the embedded document).
pub fn non_xml_text(xml: &str) -> Range<usize> {
    let doc = parse(xml);
    let text = doc
        .descendants()
        .find(|n| n.has_tag_name("text") && n.parent_element().is_some_and(|p| p.has_tag_name("nonXMLBody")))
        .expect("a nonXMLBody text");
    let child = text.first_child().filter(roxmltree::Node::is_text).expect("embedded content");
    child.range()
}

/// `xml` (an unstructured document) with its `nonXMLBody` content replaced by `payload` in
/// base64, in lines of 76 characters as MIME writes it.
pub fn embed(xml: &str, payload: &[u8]) -> String {
    let range = non_xml_text(xml);
    let encoded = base64(payload);
    let mut out = String::with_capacity(xml.len() + encoded.len() + encoded.len() / 76 + 2);
    out.push_str(&xml[..range.start]);
    for line in encoded.as_bytes().chunks(76) {
        out.push('\n');
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
    }
    out.push('\n');
    out.push_str(&xml[range.end..]);
    out
}

/// `seed` repeated to `len` bytes: a real file's bytes, made large.
pub fn repeated(seed: &[u8], len: usize) -> Vec<u8> {
    assert!(!seed.is_empty());
    seed.iter().copied().cycle().take(len).collect()
}

const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 (RFC 4648), written here rather than by emr.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(DIGITS[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode standard base64, skipping whitespace; `None` on any other character.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6 | u32::from(v)) & 0xffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}
