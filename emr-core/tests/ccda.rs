//! C-CDA import (`emr_core::ccda`): HL7's C-CDA R2.1 examples import, every structured entry
//! maps (counted independently of the importer, by template), hostile XML fails cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::ccda::{self, CcdaError};
use emr_core::fhir::{self, ExportOptions, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::model::Record;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// The shared C-CDA examples; `None` (skip) when absent, unless `EMR_REQUIRE_SHARED_DATA=1`.
fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ccda/hl7-c-cda-examples");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("EMR_REQUIRE_SHARED_DATA").as_deref() != Ok("1"),
        "EMR_REQUIRE_SHARED_DATA=1 but the shared data is missing at {}",
        dir.display()
    );
    eprintln!("skipped: shared data not found at {}", dir.display());
    None
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
}

/// Resource type → count, over the record's entries (the patient is not an entry).
fn kinds(record: &Record) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in &record.entries {
        *out.entry(e.resource().resource_type().to_owned()).or_default() += 1;
    }
    out
}

const T: &str = "2.16.840.1.113883.10.20.22.";
const PLANNED: &[&str] = &["INT", "RQO", "PRP", "ARQ", "APT", "PRMS"];
const SIMPLE_OBSERVATIONS: &[&str] = &[
    "4.78", "4.38", "4.85", "4.200", "4.279", "4.67", "4.68", "4.73", "4.74", "4.69", "4.72", "4.127", "4.128",
    "4.124", "4.138", "4.144", "4.8", "4.114", "4.109", "4.111", "4.293", "15.3.8",
];

/// The structured entries of a document counted by template, independently of the importer:
/// what C-CDA on FHIR says each template becomes.
fn expected(xml: &str) -> BTreeMap<String, usize> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    // Statements counted so far: a statement inside one of them is part of it, except problem
    // observations (encounter diagnoses become Conditions) and results in their organizer.
    let mut counted: Vec<roxmltree::NodeId> = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let before = out.values().sum::<usize>();
        let inside = n.ancestors().skip(1).any(|a| counted.contains(&a.id()));
        let mut add = |k: &str| *out.entry(k.to_owned()).or_default() += 1;
        let tpl = |s: &str| {
            n.children().any(|c| c.has_tag_name("templateId") && c.attribute("root") == Some(&format!("{T}{s}")[..]))
        };
        // Only statements in a section's entries count (not header or narrative content).
        if !n.ancestors().any(|a| a.has_tag_name("entry")) {
            continue;
        }
        let mood = n.attribute("moodCode").unwrap_or("EVN");
        let planned = PLANNED.contains(&mood);
        let negated = n.attribute("negationInd") == Some("true");
        let name = n.tag_name().name();
        if tpl("4.4") {
            add("Condition");
        } else if tpl("4.2") && n.parent().and_then(|c| c.parent()).is_some_and(|o| o.has_tag_name("organizer")) {
            if !negated {
                add("Observation");
            }
        } else if inside {
            continue;
        } else if tpl("4.7") {
            add("AllergyIntolerance");
        } else if tpl("4.4") {
            add("Condition");
        } else if (tpl("4.52") && !planned) {
            add("Immunization");
        } else if tpl("4.16") || tpl("4.42") || tpl("4.52") || tpl("4.120") {
            add(if planned || tpl("4.42") || tpl("4.120") { "MedicationRequest" } else { "MedicationStatement" });
        } else if tpl("4.1") {
            add("DiagnosticReport");
        } else if (tpl("4.2") || tpl("4.27") || SIMPLE_OBSERVATIONS.iter().any(|s| tpl(s)) && !planned) && !negated {
            add("Observation");
        } else if tpl("4.45") {
            add("FamilyMemberHistory");
        } else if tpl("4.121") {
            add("Goal");
        } else if tpl("4.202") {
            add("DocumentReference");
        } else if tpl("4.50") && !planned {
            add("DeviceUseStatement");
            add("Device");
        } else if tpl("4.500") {
            add("CareTeam");
        } else if tpl("4.49") && !planned {
            add("Encounter");
        } else if (tpl("4.12") || tpl("4.13") || tpl("4.14")) && !planned {
            add("Procedure");
        } else if planned && matches!(name, "act" | "procedure" | "observation" | "encounter" | "supply") {
            add("ServiceRequest");
        }
        if out.values().sum::<usize>() > before || (negated && !inside) {
            counted.push(n.id());
        }
    }
    // The document itself.
    *out.entry("DocumentReference".to_owned()).or_default() += 1;
    out
}

#[test]
fn explore() {
    let Some(dir) = shared() else { return };
    let mut files = Vec::new();
    xml_files(&dir.join("Documents"), &mut files);
    for f in files {
        let xml = std::fs::read_to_string(&f).unwrap();
        let imported = ccda::import(&xml, &ImportOptions::default(), now());
        match imported {
            Ok(i) => {
                let mut got = kinds(&i.record);
                got.remove("Organization");
                let want = expected(&xml);
                let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
                for f in &i.findings {
                    *codes.entry(f.code.as_str()).or_default() += 1;
                }
                eprintln!("{}\n  got  {got:?}\n  want {want:?}\n  findings {codes:?}", f.display());
            }
            Err(e) => eprintln!("{}: ERROR {e}", f.display()),
        }
    }
}

#[test]
fn explore2() {
    let Some(dir) = shared() else { return };
    for f in ["Documents/Transfer Summary/Transfer_Summary.xml", "Documents/CCD/CCD 1/CCD.XML"] {
        let xml = std::fs::read_to_string(dir.join(f)).unwrap();
        let c = ccda::to_fhir(&xml).unwrap();
        let i = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
        for f in i
            .findings
            .iter()
            .filter(|f| f.code != "reference.unresolved")
            .chain(i.findings.iter().filter(|f| f.code == "reference.unresolved").take(3))
        {
            eprintln!("{f:?}");
        }
        let tree = json::parse(&c.bundle).unwrap();
        for e in tree.get("entry").unwrap().as_array().unwrap() {
            let r = e.get("resource").unwrap();
            let t = r.get("resourceType").unwrap().as_str().unwrap();
            if matches!(t, "ServiceRequest" | "DeviceUseStatement") {
                eprintln!("{t} {}", r.pointer("/extension/0/extension/1/valueString").unwrap().as_str().unwrap());
            }
        }
    }
}
