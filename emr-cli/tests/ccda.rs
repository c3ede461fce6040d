//! `emr import` and `emr validate` recognise a C-CDA document by its content.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn ccd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda/CCD.xml")
}

#[test]
fn import_reads_a_ccda_document_into_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = dir.path().join("c.emr");
    emr().arg("init").arg(&file).args(["-r", &public]).assert().success();
    let out = emr().arg("import").arg(&file).arg("-i").arg(&key).arg(ccd()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("imported 37 entries") && shown.contains("patient set"), "{shown}");
    let list = entries(&file, &key);
    // The 18 entries made before participants were mapped, the 2 practitioners they name and
    // the role of one of them (its provider taxonomy code), and the header's: the author (a
    // third practitioner) and her role, the care team, the organization the care team's member
    // acts for with the PractitionerRole saying so, two related people, and the document's
    // Composition (its sections' narrative), the software that wrote it (a Device), and the
    // people the Composition names beyond its authors: the data enterer, the informant (with
    // the organization and role he acts for) and the intended recipient (likewise).
    assert_eq!(list.len(), 37);
    let text = serde_json::to_string(&list).unwrap();
    for kind in [
        "AllergyIntolerance",
        "DiagnosticReport",
        "Observation",
        "Procedure",
        "DocumentReference",
        "Composition",
        "Practitioner",
        "CareTeam",
        "PractitionerRole",
        "Device",
    ] {
        assert!(text.contains(kind), "no {kind} in {text}");
    }
    // The same document again adds nothing: its entries' ids are stable.
    let out = emr().arg("import").arg(&file).arg("-i").arg(&key).arg(ccd()).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("imported 0 entries") && shown.contains("37 already present"), "{shown}");
}

#[test]
fn validate_reports_a_ccda_document_findings_with_locations() {
    let out = emr().arg("validate").arg(ccd()).arg("--json").output().unwrap();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 1), "{}", stderr(&out));
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(findings.iter().any(|f| f["code"] == "ccda.section.no-information"
        && f["path"].as_str().unwrap().starts_with("/ClinicalDocument/component/structuredBody/component")));
    let bad = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(bad.path(), "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><x></ClinicalDocument>").unwrap();
    let out = emr().arg("validate").arg(bad.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not well-formed XML at line 1"), "{}", stderr(&out));
}
