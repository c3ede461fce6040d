//! Large C-CDA documents import whole: documents made from HL7's real examples (see
//! `common/large_ccda.rs`) many times their size, as real exports are (years of results, an
//! embedded PDF), checked against counts and bytes taken independently of emr (`roxmltree`, a
//! base64 decoder written here). Sizes are kept small enough for debug builds; set
//! `EMR_LARGE_CCDA_MB` (e.g. 30, with `--release`) for the sizes real exports reach.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
#[path = "common/large_ccda.rs"]
mod large;

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use emr_core::ccda::{self, CcdaError};
use emr_core::fhir::{ImportOptions, Imported};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// The size the generated documents reach, in MB: `EMR_LARGE_CCDA_MB`, else 16 (a few seconds in
/// a debug build).
fn target_mb() -> usize {
    std::env::var("EMR_LARGE_CCDA_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(16)
}

/// A shared file under `ccda/hl7-c-cda-examples/` (as `common::declared` reads it); `None`
/// (skip) when the shared data is absent, unless `EMR_REQUIRE_SHARED_DATA=1`.
fn example(path: &str) -> Option<String> {
    let dir = common::shared_data("ccda/hl7-c-cda-examples")?;
    let text = std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    Some(common::declared(text.trim_start_matches('\u{feff}')))
}

fn count(imported: &Imported, kind: &str) -> usize {
    imported.record.entries.iter().filter(|e| e.resource().resource_type() == kind).count()
}

/// The XML the DocumentReference of the document holds, decoded from its attachment.
fn kept_xml(imported: &Imported) -> Vec<u8> {
    let docs: Vec<&str> = imported
        .record
        .entries
        .iter()
        .map(|e| e.resource().as_str())
        .filter(|r| r.contains("\"resourceType\":\"DocumentReference\"") && r.contains("\"application/xml\""))
        .collect();
    assert_eq!(docs.len(), 1, "one DocumentReference holding the XML");
    let at = docs[0].find("\"data\":\"").expect("attachment data") + 8;
    let end = docs[0][at..].find('"').expect("end of data") + at;
    large::unbase64(&docs[0][at..end]).expect("base64")
}

/// A CCD whose Results section holds its entries many times over (years of lab results), each
/// copy with distinct ids: every copy becomes its own DiagnosticReport and Observations, as
/// many as `roxmltree` counts in the generated XML, and the XML is kept byte for byte.
#[test]
fn many_results_import_whole() {
    let Some(ccd) = example("Documents/CCD/CCD 1/CCD.XML") else { return };
    let block = {
        let doc = roxmltree::Document::parse(&ccd).unwrap();
        let section = large::results_section(&doc);
        let entries: Vec<_> = section.children().filter(|n| n.has_tag_name("entry")).collect();
        entries.last().unwrap().range().end - entries[0].range().start
    };
    let copies = (target_mb() * 1_000_000).saturating_sub(ccd.len()) / block + 1;
    let xml = large::repeat_results(&ccd, copies);
    assert!(xml.len() >= target_mb() * 1_000_000, "{} bytes", xml.len());

    let (organizers, observations) = large::count_results(&ccd);
    assert!(organizers >= 1 && observations >= 2, "{organizers} organizers, {observations} observations");
    assert_eq!(large::count_results(&xml), (organizers * copies, observations * copies));

    let original = ccda::import(&ccd, &ImportOptions::default(), now()).unwrap();
    let imported = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
    let added = copies - 1;
    assert_eq!(
        count(&imported, "DiagnosticReport") - count(&original, "DiagnosticReport"),
        organizers * added,
        "a DiagnosticReport per result organizer"
    );
    assert_eq!(
        count(&imported, "Observation") - count(&original, "Observation"),
        observations * added,
        "an Observation per result observation"
    );
    // Distinct entries, each with its copy's ids, not one entry folded or repeated.
    let identified = |i: &Imported| -> Vec<String> {
        i.record
            .entries
            .iter()
            .filter(|e| matches!(e.resource().resource_type(), "Observation" | "DiagnosticReport"))
            .filter_map(|e| {
                let r = e.resource().as_str();
                let at = r.find("\"identifier\":[")?;
                Some(r[at..at + r[at..].find(']')?].to_owned())
            })
            .collect()
    };
    let ids = identified(&imported);
    assert_eq!(ids.len() - identified(&original).len(), (organizers + observations) * added);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "distinct identifiers");
    // Nothing new to report: the copies are as mappable as the original.
    let codes = |i: &Imported| i.findings.iter().map(|f| f.code.clone()).collect::<BTreeSet<_>>();
    assert_eq!(codes(&imported), codes(&original));
    assert!(kept_xml(&imported) == xml.as_bytes(), "the XML kept byte for byte");
}

/// An unstructured document (a discharge summary as a PDF) whose `nonXMLBody` embeds a large
/// payload (HL7's example PDF repeated): the DocumentReference keeps the XML byte for byte, and
/// the payload decoded from it is the one embedded.
#[test]
fn embedded_pdf_kept_whole() {
    let dir = "Unstructured/CDA with Embedded PDF 1";
    let Some(doc) = example(&format!("{dir}/Unstructured_Document_embed.xml")) else { return };
    let pdf =
        std::fs::read(common::shared_data("ccda/hl7-c-cda-examples").unwrap().join(dir).join("C-CDA_R2_UD_sample.pdf"))
            .unwrap();
    let payload = large::repeated(&pdf, target_mb() * 1_000_000 / 4 * 3);
    let xml = large::embed(&doc, &payload);
    assert!(xml.len() >= target_mb() * 1_000_000, "{} bytes", xml.len());

    let imported = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
    let kept = kept_xml(&imported);
    assert!(kept == xml.as_bytes(), "the XML kept byte for byte");
    let kept = String::from_utf8(kept).unwrap();
    let embedded = large::unbase64(&kept[large::non_xml_text(&kept)]).unwrap();
    assert!(embedded == payload, "the embedded PDF kept whole");
}

/// A real document just over [`ccda::MAX_BYTES`] is refused with the size error (before any
/// parsing), through both entry points, and the message names no content.
#[test]
fn just_over_the_limit_is_refused() {
    let Some(doc) = example("Documents/CCD/CCD 2/CCD.xml") else { return };
    let end = doc.rfind("</ClinicalDocument>").unwrap();
    let mut xml = String::with_capacity(ccda::MAX_BYTES + 1);
    xml.push_str(&doc[..end]);
    xml.push_str(&" ".repeat(ccda::MAX_BYTES + 1 - doc.len()));
    xml.push_str(&doc[end..]);
    assert_eq!(xml.len(), ccda::MAX_BYTES + 1);
    let err = ccda::import(&xml, &ImportOptions::default(), now()).unwrap_err();
    assert!(matches!(err, CcdaError::TooLarge { size, max } if size == xml.len() && max == ccda::MAX_BYTES), "{err}");
    let err = ccda::import_bytes(xml.as_bytes(), &ImportOptions::default(), now()).unwrap_err();
    assert!(matches!(err, CcdaError::TooLarge { .. }), "{err}");
    assert_eq!(err.code(), "ccda.size");
    assert!(!err.to_string().contains("Isabella"), "no patient data: {err}");
}
