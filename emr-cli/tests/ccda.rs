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

#[test]
fn documents_shows_the_narrative_only_sections_of_an_imported_document() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = dir.path().join("c.emr");
    emr().arg("init").arg(&file).args(["-r", &public]).assert().success();
    let note = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda/Operative_Note.xml");
    let out = emr().arg("import").arg(&file).arg("-i").arg(&key).arg(&note).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = emr().arg("documents").arg(&file).arg("-i").arg(&key).args(["--width", "60"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.starts_with("Community Health and Hospitals: Operative Note (2012-09-16"), "{shown}");
    assert!(
        shown.contains("Type: Surgical operation note | Status: final\nAuthor: Henry Seven | 9 entries"),
        "{shown}"
    );
    // A section with narrative only (no entries), wrapped at 60 characters.
    assert!(shown.contains("PROCEDURE DESCRIPTION\n---------------------\nThe patient was brought to the operating room, placed in the\nsupine position,"), "{shown}");
    // A table as aligned columns.
    assert!(
        shown.contains("Planned Activity | Planned Date\n-----------------+-------------\nColonoscopy      | 20120512"),
        "{shown}"
    );
    assert!(
        shown.lines().all(|l| l.chars().count() <= 60 || l.starts_with("Community Health") || l.starts_with("====")),
        "{shown}"
    );
    // --json: emr-core's structure, the narrative as a block tree.
    let out = emr().arg("documents").arg(&file).arg("-i").arg(&key).arg("--json").output().unwrap();
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs.len(), 1);
    let description =
        docs[0]["sections"].as_array().unwrap().iter().find(|s| s["title"] == "PROCEDURE DESCRIPTION").unwrap();
    assert_eq!(description["entries"], 0);
    assert_eq!(description["narrativeUnreadable"], false);
    assert!(
        description["narrative"][0]["text"].as_str().unwrap().starts_with("The patient was brought"),
        "{description}"
    );
}

#[test]
fn documents_prints_hostile_narrative_inert() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    let div = "<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\"><p onclick=\\\"x()\\\">Take\u{9b}31m <script>steal()</script>aspirin <a href=\\\"javascript:alert(1)\\\">here</a> <img src=\\\"x\\\" onerror=\\\"alert(1)\\\" alt=\\\"ECG\\\"/></p></div>";
    let composition = format!(
        r#"{{"resourceType":"Composition","id":"c1","status":"final","type":{{"text":"Note"}},"date":"2024-01-02","title":"Hostile","author":[{{"display":"X"}}],
        "section":[{{"title":"Plan","text":{{"status":"generated","div":"{div}"}}}},{{"title":"Broken","text":{{"status":"generated","div":"<div>not xhtml</div>"}}}}]}}"#
    );
    let input = dir.path().join("c.json");
    std::fs::write(&input, composition).unwrap();
    let out = emr().arg("import").arg(&file).arg("-i").arg(&key).arg(&input).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = emr().arg("documents").arg(&file).arg("-i").arg(&key).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("Take 31m aspirin here ECG"), "{shown}");
    assert!(shown.contains("Broken\n------\n(the narrative could not be read)"), "{shown}");
    for bad in ["steal", "javascript", "onerror", "<div", "\u{9b}"] {
        assert!(!shown.contains(bad), "{bad:?} in {shown}");
    }
}
