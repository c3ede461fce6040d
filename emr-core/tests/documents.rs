//! The documents view (`query::documents`) and its sanitized narrative (`query::read_narrative`):
//! on every complete shared C-CDA document, checked against an independent reading of the same
//! Composition XHTML by roxmltree (every word kept, in order; only the allowed elements; only
//! `http(s)` links); hostile XHTML made inert; an IPS document's sections shown.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use chrono::TimeZone;
use emr_core::query::{documents, plain_text, read_narrative, DocumentSection, Narrative, Tag};
use serde_json::Value;

const XHTML: &str = "http://www.w3.org/1999/xhtml";
const TAGS: &[&str] = &[
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "u",
    "sub",
    "sup",
    "span",
    "div",
    "pre",
    "code",
    "blockquote",
    "heading",
    "hr",
    "a",
];

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn div(body: &str) -> String {
    format!(r#"<div xmlns="{XHTML}">{body}</div>"#)
}

/// The words of the div as roxmltree reads it: every text node's words, in document order.
fn roxml_words(div: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(div).unwrap_or_else(|e| panic!("not well-formed ({e})"));
    doc.root_element()
        .descendants()
        .filter(|n| n.is_text())
        .flat_map(|n| n.text().unwrap_or_default().split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Whether every word occurs in `hay` in order (element boundaries may join words, so the
/// comparison is on the text without white space).
fn in_order(hay: &str, words: &[String]) -> Result<(), String> {
    let hay: String = hay.chars().filter(|c| !c.is_whitespace()).collect();
    let mut rest = hay.as_str();
    for w in words {
        match rest.find(w.as_str()) {
            Some(at) => rest = &rest[at + w.len()..],
            None => return Err(format!("word {w:?} missing or out of order")),
        }
    }
    Ok(())
}

/// Every node of the tree as JSON, checked: tags in the allowed set, links `http(s)` only,
/// no attribute but the allowed ones.
fn check_tree(nodes: &[Narrative], at: &str) {
    let json = serde_json::to_value(nodes).unwrap();
    fn walk(v: &Value, at: &str) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| walk(x, at)),
            Value::Object(m) => {
                if let Some(tag) = m.get("tag") {
                    assert!(TAGS.contains(&tag.as_str().unwrap()), "{at}: tag {tag}");
                    for k in m.keys() {
                        assert!(
                            ["tag", "level", "colspan", "rowspan", "href", "children"].contains(&k.as_str()),
                            "{at}: {k}"
                        );
                    }
                    if let Some(h) = m.get("href") {
                        let h = h.as_str().unwrap().to_ascii_lowercase();
                        assert!(h.starts_with("http:") || h.starts_with("https:"), "{at}: href {h}");
                    }
                    walk(&m["children"], at);
                } else {
                    assert_eq!(m.keys().collect::<Vec<_>>(), ["text"], "{at}");
                }
            }
            other => panic!("{at}: unexpected {other}"),
        }
    }
    walk(&json, at);
}

fn section_text(s: &DocumentSection) -> String {
    s.narrative.iter().map(Narrative::text).collect::<Vec<_>>().join(" ")
}

/// Compare the view's sections with the Composition's, recursively; returns the divs compared.
fn compare(view: &[DocumentSection], raw: &[Value], at: &str) -> usize {
    assert_eq!(view.len(), raw.len(), "{at}: section count");
    let mut n = 0;
    for (i, (v, r)) in view.iter().zip(raw).enumerate() {
        let at = format!("{at}/section[{i}]");
        assert_eq!(v.title.as_deref(), r["title"].as_str(), "{at}");
        assert_eq!(v.entries, r["entry"].as_array().map_or(0, Vec::len), "{at}");
        if let Some(div) = r["text"]["div"].as_str() {
            assert!(!v.narrative_unreadable, "{at}: narrative not read");
            check_tree(&v.narrative, &at);
            in_order(&section_text(v), &roxml_words(div)).unwrap_or_else(|e| panic!("{at}: {e}"));
            // The plain text keeps the words too.
            in_order(&plain_text(&v.narrative, 80), &roxml_words(div)).unwrap_or_else(|e| panic!("{at} plain: {e}"));
            n += 1;
        }
        n += compare(&v.sections, r["section"].as_array().map_or(&[][..], Vec::as_slice), &at);
    }
    n
}

#[test]
fn every_shared_document_shows_every_section_and_every_word_of_its_narrative() {
    let Some(files) = common::ccda_documents() else { return };
    assert!(files.len() > 20, "expected the shared C-CDA documents, found {}", files.len());
    let (mut docs, mut divs) = (0, 0);
    for (path, text) in &files {
        let at = path.display().to_string();
        let imported = emr_core::ccda::import(text, &Default::default(), now()).unwrap_or_else(|e| panic!("{at}: {e}"));
        let raw: Vec<Value> = imported
            .record
            .entries
            .iter()
            .filter(|e| e.resource().resource_type() == "Composition")
            .map(|e| serde_json::from_str(e.resource().as_str()).unwrap())
            .collect();
        let view = documents(&imported.record);
        assert_eq!(view.len(), raw.len(), "{at}: one document per Composition");
        for (v, r) in view.iter().zip(&raw) {
            assert_eq!(Some(v.title.as_str()), r["title"].as_str(), "{at}");
            assert!(v.date.is_some(), "{at}: date");
            assert!(!v.authors.is_empty() && !v.sources.is_empty(), "{at}: authors and sources: {}", r["author"]);
            divs += compare(&v.sections, r["section"].as_array().map_or(&[][..], Vec::as_slice), &at);
            docs += 1;
        }
        // Deterministic.
        assert_eq!(documents(&imported.record), view, "{at}");
    }
    assert!(docs > 20 && divs > 200, "{docs} documents, {divs} narratives");
}

fn read(body: &str) -> Vec<Narrative> {
    read_narrative(&div(body)).unwrap_or_else(|| panic!("not read: {body}"))
}

fn json(nodes: &[Narrative]) -> String {
    serde_json::to_string(nodes).unwrap()
}

#[test]
fn scripts_styles_and_event_attributes_are_dropped() {
    let n = read(
        r#"<p onclick="steal()" style="x" class="c" id="i">Take <script>window.__pwned=1</script>aspirin<style>p{}</style></p>"#,
    );
    assert_eq!(json(&n), r#"[{"tag":"p","children":[{"text":"Take aspirin"}]}]"#);
    let n = read(
        r#"<p>x</p><script type="text/javascript">alert(1)</script><iframe src="https://evil">frame text</iframe>"#,
    );
    assert_eq!(json(&n), r#"[{"tag":"p","children":[{"text":"x"}]},{"text":"frame text"}]"#);
}

#[test]
fn images_become_their_alt_text() {
    let n = read(r#"<p>See <img src="x" onerror="window.__pwned=1" alt="the ECG"/> today</p>"#);
    assert_eq!(json(&n), r#"[{"tag":"p","children":[{"text":"See the ECG today"}]}]"#);
    let n = read(r#"<p>No alt: <img src="x" onerror="alert(1)"/></p>"#);
    assert_eq!(n[0].text(), "No alt:");
}

#[test]
fn only_http_links_are_links() {
    for href in [
        "javascript:alert(1)",
        " JaVaScript:alert(1)",
        "\tjavascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "#footnote-1",
        "relative/page.html",
        "//evil.example/x",
        "http:",
        "http://",
        "http:evil.example/x",
        "https:\\\\evil.example",
        "javascript://example.org/%0Aalert(1)",
        "",
    ] {
        let escaped = href.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
        let n = read(&format!(r#"<p><a href="{escaped}" onclick="x()">the leaflet</a></p>"#));
        assert_eq!(json(&n), r#"[{"tag":"p","children":[{"text":"the leaflet"}]}]"#, "{href:?}");
    }
    let n = read(r#"<p><a href="  HTTPS://example.org/a?b=1&amp;c=2 ">leaflet</a></p>"#);
    assert_eq!(
        json(&n),
        r#"[{"tag":"p","children":[{"tag":"a","href":"HTTPS://example.org/a?b=1&c=2","children":[{"text":"leaflet"}]}]}]"#
    );
}

#[test]
fn unknown_elements_keep_their_text_and_spans_are_bounded() {
    let n = read(
        r#"<form><input value="v"/><button>Press</button></form><svg xmlns="http://www.w3.org/2000/svg"><text>chart</text></svg><x:y xmlns:x="urn:x">other ns</x:y>"#,
    );
    assert_eq!(n.iter().map(Narrative::text).collect::<String>(), "Press chart other ns");
    let n = read(
        r#"<table><tr><td colspan="2" rowspan="99999">a</td><td colspan="-1">b</td><td colspan=" 3 ">c</td></tr></table>"#,
    );
    assert_eq!(
        json(&n),
        r#"[{"tag":"table","children":[{"tag":"tr","children":[{"tag":"td","colspan":2,"children":[{"text":"a"}]},{"tag":"td","children":[{"text":"b"}]},{"tag":"td","colspan":3,"children":[{"text":"c"}]}]}]}]"#
    );
    let n = read("<h2>Plan</h2><section><dl><dt>A</dt><dd>B</dd></dl></section>");
    assert_eq!(
        json(&n),
        r#"[{"tag":"heading","level":2,"children":[{"text":"Plan"}]},{"tag":"div","children":[{"tag":"div","children":[{"tag":"div","children":[{"text":"A"}]},{"tag":"div","children":[{"text":"B"}]}]}]}]"#
    );
}

#[test]
fn white_space_is_collapsed_as_html_renders_it() {
    let n = read("\n  <p>\n  The   <b>patient</b> <i>was</i>\n seen. </p>\n <pre>  a\n   b </pre>");
    assert_eq!(
        json(&n),
        r#"[{"tag":"p","children":[{"text":"The "},{"tag":"strong","children":[{"text":"patient"}]},{"text":" "},{"tag":"em","children":[{"text":"was"}]},{"text":" seen."}]},{"tag":"pre","children":[{"text":"  a\n   b "}]}]"#
    );
    let n = read("<p>a<br/> b</p>");
    assert_eq!(json(&n), r#"[{"tag":"p","children":[{"text":"a"},{"tag":"br","children":[]},{"text":"b"}]}]"#);
}

#[test]
fn deep_malformed_or_foreign_narrative_is_not_read() {
    // Deeper than the parser's limit: not read (and no panic, no stack overflow).
    let deep = format!("{}x{}", "<span>".repeat(100_000), "</span>".repeat(100_000));
    assert_eq!(read_narrative(&div(&deep)), None);
    // Deep but within the parser's limit: the text stays, the markup is bounded.
    let nested = format!("{}deep text{}", "<span>".repeat(200), "</span>".repeat(200));
    let n = read(&nested);
    assert_eq!(n.iter().map(Narrative::text).collect::<String>(), "deep text");
    fn depth(n: &Narrative) -> usize {
        match n {
            Narrative::Text { .. } => 0,
            Narrative::Element { children, .. } => 1 + children.iter().map(depth).max().unwrap_or(0),
        }
    }
    assert!(n.iter().map(depth).max().unwrap() <= emr_core::query::MAX_NESTING);
    for bad in [
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>open</div>",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\">&nbsp;</div>",
        "<!DOCTYPE div [<!ENTITY a \"b\">]><div xmlns=\"http://www.w3.org/1999/xhtml\">&a;</div>",
        "<div>no namespace</div>",
        "<div xmlns=\"http://www.w3.org/2000/svg\">svg</div>",
        "<p xmlns=\"http://www.w3.org/1999/xhtml\">not a div</p>",
        "plain text",
        "",
        "<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script>",
    ] {
        assert_eq!(read_narrative(bad), None, "{bad}");
    }
}

#[test]
fn plain_text_separates_paragraphs_lists_tables_and_links() {
    let n = read(
        r#"<h3>History</h3><p>Seen for   chest pain, radiating to the left arm, since this morning at rest.</p>
        <ol><li>ECG<ul><li>sinus rhythm</li></ul></li><li>Troponin</li></ol>
        <table><caption>Labs</caption><thead><tr><th>Test</th><th>Result</th></tr></thead>
        <tbody><tr><td>Troponin</td><td>0.01 ng/mL</td></tr></tbody></table>
        <p>See <a href="https://example.org/x">guideline</a>.</p><hr/><pre>a  b
  c</pre>"#,
    );
    assert_eq!(
        plain_text(&n, 40),
        "History\n\nSeen for chest pain, radiating to the\nleft arm, since this morning at rest.\n\n1. ECG\n   - sinus rhythm\n2. Troponin\n\nLabs\nTest     | Result\n---------+-----------\nTroponin | 0.01 ng/mL\n\nSee guideline <https://example.org/x>.\n\n---\n\na  b\n  c"
    );
}

#[test]
fn a_table_wider_than_the_width_is_wrapped_not_aligned() {
    let n = read("<table><tr><th>Test</th><th>Result</th></tr><tr><td>Cholesterol in HDL in serum</td><td>1.39 mmol/L</td></tr></table>");
    assert_eq!(plain_text(&n, 80), "Test                        | Result\n----------------------------+------------\nCholesterol in HDL in serum | 1.39 mmol/L");
    assert_eq!(plain_text(&n, 24), "Test | Result\nCholesterol in HDL in\n  serum | 1.39 mmol/L");
}

#[test]
fn an_ips_document_shows_its_sections() {
    let Some(dir) = common::shared_data("ips/official") else { return };
    let text = std::fs::read_to_string(dir.join("Bundle-bundle-ips-all-sections.json")).unwrap();
    let bundle: Value = serde_json::from_str(&text).unwrap();
    let composition = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "Composition")
        .unwrap();
    let imported = emr_core::fhir::import(&text, &Default::default(), now()).unwrap();
    let docs = documents(&imported.record);
    assert_eq!(docs.len(), 1);
    assert_eq!(Some(docs[0].title.as_str()), composition["title"].as_str());
    let sections = composition["section"].as_array().unwrap();
    assert!(sections.len() > 10);
    let compared = compare(&docs[0].sections, sections, "ips");
    assert!(compared > 10, "{compared} narratives");
    assert!(docs[0]
        .sections
        .iter()
        .any(|s| s.narrative.iter().any(|n| matches!(n, Narrative::Element { tag: Tag::Table, .. }))));
}
