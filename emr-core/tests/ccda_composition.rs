//! The Composition a C-CDA document becomes: on every complete shared C-CDA document, one
//! Composition section per C-CDA section (in document order, nested alike), each with text,
//! entries or subsections (FHIR's cmp-1), every narrative `div` well-formed XHTML (parsed by
//! roxmltree, not emr's parser) using only the elements and attributes the conversion may
//! write, every word of the section's narrative in it, every entry reference resolving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use emr_core::ccda;
use serde_json::Value;

const XHTML: &str = "http://www.w3.org/1999/xhtml";
const V3: &str = "urn:hl7-org:v3";
const ELEMENTS: &[&str] = &[
    "div", "span", "p", "ul", "ol", "li", "a", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "col",
    "colgroup", "br", "sub", "sup",
];
const ATTRIBUTES: &[&str] = &["id", "class", "href", "colspan", "rowspan"];

/// Whether `n` is the element `name` in the HL7 v3 namespace or in none (as many of HL7's
/// examples are written).
fn is(n: roxmltree::Node<'_, '_>, name: &str) -> bool {
    n.tag_name().name() == name && matches!(n.tag_name().namespace(), None | Some(V3))
}

fn words(n: roxmltree::Node<'_, '_>) -> Vec<String> {
    n.descendants()
        .filter(|d| d.is_text())
        .flat_map(|d| d.text().unwrap_or_default().split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Whether every word of `needle` occurs in `hay` in order (text split at element boundaries
/// may join or split words differently, so this compares the concatenation without spaces).
fn contains_in_order(hay: &[String], needle: &[String]) -> bool {
    let hay: String = hay.concat();
    let mut rest = hay.as_str();
    for w in needle {
        match rest.find(w.as_str()) {
            Some(at) => rest = &rest[at + w.len()..],
            None => return false,
        }
    }
    true
}

/// Check one `div`: well-formed, XHTML, only the allowed elements and attributes, safe links.
fn check_div(div: &str, at: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(div).unwrap_or_else(|e| panic!("{at}: not well-formed ({e}): {div}"));
    let root = doc.root_element();
    assert_eq!((root.tag_name().name(), root.tag_name().namespace()), ("div", Some(XHTML)), "{at}");
    for el in root.descendants().filter(roxmltree::Node::is_element) {
        assert!(ELEMENTS.contains(&el.tag_name().name()), "{at}: element {}", el.tag_name().name());
        assert_eq!(el.tag_name().namespace(), Some(XHTML), "{at}");
        for a in el.attributes() {
            assert!(ATTRIBUTES.contains(&a.name()), "{at}: attribute {}", a.name());
            if a.name() == "href" {
                let v = a.value().to_ascii_lowercase();
                assert!(v.starts_with("http://") || v.starts_with("https://") || v.starts_with('#'), "{at}: {v}");
            }
        }
    }
    words(root)
}

/// The C-CDA sections inside `parent` (the structured body or a section).
fn cda_sections<'a, 'i>(parent: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
    parent.children().filter(|c| is(*c, "component")).filter_map(|c| c.children().find(|s| is(*s, "section"))).collect()
}

/// Compare a C-CDA section list with the Composition's; returns the number of sections.
fn compare(cda: &[roxmltree::Node<'_, '_>], fhir: &[Value], urls: &BTreeSet<&str>, at: &str) -> usize {
    assert_eq!(cda.len(), fhir.len(), "{at}: sections");
    let mut n = 0;
    for (k, (c, f)) in cda.iter().zip(fhir).enumerate() {
        let at = format!("{at}/section[{k}]");
        n += 1;
        let title = c.children().find(|t| is(*t, "title")).map(|t| words(t).join(" "));
        assert_eq!(title.filter(|t| !t.is_empty()).as_deref(), f["title"].as_str(), "{at}: title");
        let inner = cda_sections(*c);
        let fhir_inner = f["section"].as_array().cloned().unwrap_or_default();
        assert!(
            f.get("text").is_some() || f.get("entry").is_some() || !fhir_inner.is_empty(),
            "{at}: cmp-1 (text, entries or sections)"
        );
        for e in f["entry"].as_array().into_iter().flatten() {
            let r = e["reference"].as_str().unwrap();
            assert!(urls.contains(r), "{at}: entry {r} does not resolve");
        }
        if let Some(div) = f["text"]["div"].as_str() {
            let got = check_div(div, &at);
            let text = c.children().find(|t| is(*t, "text"));
            let expected = text.map(words).unwrap_or_default();
            if expected.is_empty() {
                assert_eq!(f["text"]["status"], "generated", "{at}");
                assert!(f.get("emptyReason").is_some(), "{at}: empty section without emptyReason");
            } else {
                assert_eq!(f["text"]["status"], "additional", "{at}");
                assert!(contains_in_order(&got, &expected), "{at}: narrative words lost\n{expected:?}\n{got:?}");
            }
        }
        n += compare(&inner, &fhir_inner, urls, &at);
    }
    n
}

#[test]
fn every_shared_document_has_a_composition_with_every_section_and_its_narrative() {
    let Some(files) = common::ccda_documents() else { return };
    let (mut documents, mut composed, mut sections, mut narratives) = (0, 0, 0, 0);
    for (f, xml) in &files {
        let Ok(converted) = ccda::to_fhir(xml) else { continue };
        let declared = common::declared(xml);
        let Ok(cda) = roxmltree::Document::parse(&declared) else { continue };
        documents += 1;
        let at = f.display().to_string();
        let bundle: Value = serde_json::from_str(&converted.bundle).unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        let urls: BTreeSet<&str> = entries.iter().filter_map(|e| e["fullUrl"].as_str()).collect();
        let compositions: Vec<&Value> =
            entries.iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == "Composition").collect();
        let root = cda.root_element();
        let dated = root.children().find(|c| is(*c, "effectiveTime")).is_some_and(|e| e.attribute("value").is_some());
        assert_eq!(compositions.len(), usize::from(dated), "{at}: one Composition");
        let Some(composition) = compositions.first() else {
            eprintln!("no effectiveTime: {at}");
            continue;
        };
        composed += 1;
        // The subject is the Patient (a document without a recordTarget has none: an error).
        if let Some(patient) = entries.iter().find(|e| e["resource"]["resourceType"] == "Patient") {
            assert_eq!(composition["subject"]["reference"], patient["fullUrl"], "{at}: subject is the Patient");
        }
        for key in ["status", "type", "date", "author", "title"] {
            assert!(composition.get(key).is_some(), "{at}: {key}");
        }
        let body =
            root.children().find(|c| is(*c, "component")).and_then(|c| c.children().find(|b| is(*b, "structuredBody")));
        let cda_top = body.map(cda_sections).unwrap_or_default();
        let fhir_top = composition["section"].as_array().cloned().unwrap_or_default();
        sections += compare(&cda_top, &fhir_top, &urls, &at);
        narratives += converted.bundle.matches("\"status\":\"additional\"").count();
    }
    eprintln!("{documents} documents, {composed} with a Composition, {sections} sections, {narratives} narratives");
    assert!(documents >= 30, "the complete shared documents: {documents}");
    assert!(narratives > sections / 2, "most sections carry narrative: {narratives} of {sections}");
}

/// The IPS of a record holding an imported C-CDA Composition has one Composition, its own
/// (the IPS document type, first entry), not the imported one; the FHIR export keeps the
/// imported one, whose section entries stay resolvable.
#[test]
fn an_imported_composition_is_not_mistaken_for_the_ips_composition() {
    use chrono::TimeZone;
    use emr_core::fhir::{self, ExportOptions, ImportOptions};
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda/CCD.xml");
    let imported = ccda::import(&std::fs::read_to_string(path).unwrap(), &ImportOptions::default(), now).unwrap();
    assert_eq!(imported.record.entries.iter().filter(|e| e.resource().resource_type() == "Composition").count(), 1);
    let options = ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() };
    let ips: Value = serde_json::from_str(&fhir::to_ips(&imported.record, &options).unwrap()).unwrap();
    let compositions: Vec<&Value> = ips["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == "Composition")
        .collect();
    assert_eq!(compositions.len(), 1, "only the IPS's own Composition");
    assert_eq!(compositions[0]["type"]["coding"][0]["code"], "60591-5");
    assert_eq!(ips["entry"][0]["resource"]["resourceType"], "Composition");
    let bundle: Value = serde_json::from_str(&fhir::to_bundle(&imported.record, &options)).unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    let urls: BTreeSet<&str> = entries.iter().filter_map(|e| e["fullUrl"].as_str()).collect();
    let composition = entries.iter().map(|e| &e["resource"]).find(|r| r["resourceType"] == "Composition").unwrap();
    let mut refs = 0;
    let mut stack: Vec<&Value> = composition["section"].as_array().unwrap().iter().collect();
    while let Some(s) = stack.pop() {
        for e in s["entry"].as_array().into_iter().flatten() {
            refs += 1;
            assert!(urls.contains(e["reference"].as_str().unwrap()), "{e}");
        }
        stack.extend(s["section"].as_array().into_iter().flatten());
    }
    assert!(refs > 10, "{refs} section entries");
}
