//! Unit tests of the XML layer, comparing its trees and refusals with roxmltree's.

use super::lexical::{line_column, scan_value};
use super::locations::Locations;
use super::parse::parse_xml;
use super::tree::{Document, Kind};
use super::XmlError;
use super::V3;

#[test]
fn locations_name_positions_among_same_named_siblings() {
    let doc = parse_xml(r#"<a xmlns="urn:hl7-org:v3"><b/><c/><b><d/></b></a>"#).unwrap();
    let d = doc.descendants().find(|n| n.tag_name().name() == "d").unwrap();
    let mut locations = Locations::new();
    assert_eq!(locations.of(d), "/a/b[2]/d");
    assert_eq!(locations.of(doc.root_element()), "/a");
}

#[test]
fn attribute_values_are_scanned_as_byte_by_byte() {
    let naive = |bytes: &[u8], from: usize, quote: u8| {
        let end = from + bytes[from..].iter().position(|&b| b == quote)?;
        Some((end, bytes[from..end].iter().any(|&b| b < 0x20 || b == b'<' || b == b'&')))
    };
    let pieces = ["a", "\"", "'", "<", "&", "\t", "\n", "\r", "é", "€", " ", "\u{7f}", "xyz12345"];
    let mut seed = 7u64;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let bytes = text.as_bytes();
        for from in 0..=bytes.len().min(3) {
            for quote in [b'"', b'\''] {
                assert_eq!(scan_value(bytes, from, quote), naive(bytes, from, quote), "{text:?} from {from}");
            }
        }
    }
}

#[test]
fn locations_asked_in_any_order_are_those_asked_alone() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda/CCD.xml");
    let text = std::fs::read_to_string(path).unwrap();
    let doc = parse_xml(&text).unwrap();
    let nodes: Vec<_> = doc.descendants().collect();
    assert!(nodes.len() > 500);
    let alone: Vec<String> = nodes.iter().map(|&n| Locations::new().of(n)).collect();
    let mut shared = Locations::new();
    // Document order, then a scrambled order.
    for (n, want) in nodes.iter().zip(&alone) {
        assert_eq!(&shared.of(*n), want);
    }
    let mut seed = 3usize;
    for _ in 0..nodes.len() {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345) % 1_000_003;
        let i = seed % nodes.len();
        assert_eq!(shared.of(nodes[i]), alone[i]);
    }
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
///
/// The one documented leniency: `xsi` and `sdtc` used undeclared are bound (and reported only
/// then), so the tree must be roxmltree's of the document with those declarations added.
fn same_as_roxmltree(text: &str) -> Result<(), String> {
    let options = || roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    let declared = declare_well_known(text);
    match (parse_xml(text), roxmltree::Document::parse_with_options(&declared, options())) {
        (Ok(ours), Ok(_)) if ours.implicit.is_empty() != roxmltree::Document::parse(text).is_ok() => {
            Err(format!("undeclared xsi/sdtc reported: {}", !ours.implicit.is_empty()))
        }
        (Ok(ours), Ok(theirs)) => {
            let (a, b) = (outline(&ours), roxml_outline(&theirs));
            if a == b {
                Ok(())
            } else {
                let at = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                Err(format!("trees differ at line {at}: {:?} vs {:?}", a.lines().nth(at), b.lines().nth(at)))
            }
        }
        // (Positions as in the text given: the declarations added move them.)
        (Err(ours), Err(_)) => match (&ours, roxmltree::Document::parse_with_options(text, options())) {
            (XmlError::Malformed { line, column, .. }, Err(roxmltree::Error::UnknownNamespace(p, pos)))
                if p != "xsi" && p != "sdtc" && (*line, *column) != (pos.row, pos.col) =>
            {
                Err(format!("undeclared prefix at {line}:{column}, roxmltree says {pos}"))
            }
            _ => Ok(()),
        },
        (Ok(_), Err(e)) => Err(format!("accepted, roxmltree refuses: {e}")),
        (Err(e), Ok(_)) => Err(format!("refused ({e:?}), roxmltree accepts")),
    }
}

/// `text` with the `xsi` and `sdtc` prefixes declared on its root element (each unless the
/// root's tag declares it already).
fn declare_well_known(text: &str) -> String {
    let Some(root) = text.match_indices('<').map(|(i, _)| i + 1).find(|&i| text[i..].starts_with(char::is_alphabetic))
    else {
        return text.to_owned();
    };
    let tag = &text[root..text[root..].find('>').map_or(text.len(), |e| root + e)];
    let name_end = root + tag.find([' ', '\t', '\r', '\n', '/']).unwrap_or(tag.len());
    let mut out = text.to_owned();
    for (prefix, uri) in [("sdtc", "urn:hl7-org:sdtc"), ("xsi", "http://www.w3.org/2001/XMLSchema-instance")] {
        if !tag.contains(&format!("xmlns:{prefix}=")) {
            out.insert_str(name_end, &format!(" xmlns:{prefix}=\"{uri}\""));
        }
    }
    out
}

#[test]
fn undeclared_xsi_and_sdtc_are_bound_and_reported_others_refused() {
    let doc = parse_xml(r#"<a xmlns="urn:hl7-org:v3"><b xsi:type="CD"/><sdtc:c/><d xsi:nil="true"/></a>"#).unwrap();
    let bound: Vec<(&str, String)> =
        doc.implicit_prefixes().map(|(p, n)| (p, n.tag_name().name().to_owned())).collect();
    assert_eq!(bound, [("xsi", "b".to_owned()), ("sdtc", "c".to_owned())]);
    let b = doc.descendants().find(|n| n.tag_name().name() == "b").unwrap();
    assert!(b.attribute_ns("http://www.w3.org/2001/XMLSchema-instance", "type").is_some_and(|t| t.ends_with("CD")));
    let c = doc.descendants().find(|n| n.tag_name().name() == "c").unwrap();
    assert!(!c.is_v3("c"), "sdtc:c is in the SDTC namespace");
    // Declared prefixes are not reported, whatever their namespace.
    let doc = parse_xml(r#"<a xmlns:xsi="urn:x"><b xsi:type="CD"/></a>"#).unwrap();
    assert_eq!(doc.implicit_prefixes().count(), 0);
    // Any other prefix stays an error.
    for text in ["<a><q:b/></a>", "<a><b q:c=\"1\"/></a>", "<a><xsd:b/></a>"] {
        assert!(matches!(parse_xml(text), Err(XmlError::Malformed { .. })), "{text}");
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
        r#"<a><b xsi:type="x"/><sdtc:c/></a>"#,
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
        "<p:a:b xmlns:p=\"urn:x\"/>",
        "<p: a xmlns:p=\"urn:x\"/>",
        "<a b:=\"1\"/>",
        "<a p:b:c=\"1\" xmlns:p=\"urn:x\"/>",
        "<a p:-b=\"1\" xmlns:p=\"urn:x\"/>",
        "<a b = '1'\tc\n=\r\n\"2\"/>",
        "<a b=\"1\"/ >",
        "<a b=\"x'y\" c='x\"y'/>",
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
