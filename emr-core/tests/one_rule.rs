//! Every clinical rule has one home: the lists a clinician reads (`query::current_lists`), the
//! IPS sections (`fhir::to_ips`) and the patient summary (`query::summary`, what the npm package
//! and the viewer show) agree on every shared Synthea patient, alone and split across clinics
//! then merged. (The npm package returns emr-core's results byte for byte: emr-wasm's expected
//! outputs check that.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, to_ips, ExportOptions, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::merge::{merge, MergeOptions};
use emr_core::model::Record;
use emr_core::query::{current_lists, summary};

/// The IPS sections that mirror the current lists: LOINC code, list name.
const SECTIONS: [(&str, &str); 3] = [("11450-4", "problems"), ("10160-0", "medications"), ("48765-2", "allergies")];

/// The number of entries of an IPS section that are not "no information" / "no known" entries.
fn section_size(ips: &Json<'_>, loinc: &str) -> usize {
    let entries = ips.get("entry").and_then(Json::as_array).unwrap();
    let resource = |url: &str| {
        entries.iter().find(|e| e.get("fullUrl").and_then(Json::as_str) == Some(url)).and_then(|e| e.get("resource"))
    };
    let composition = entries[0].get("resource").unwrap();
    let section = composition
        .get("section")
        .and_then(Json::as_array)
        .unwrap()
        .iter()
        .find(|s| s.pointer("/code/coding/0/code").and_then(Json::as_str) == Some(loinc));
    let Some(section) = section else { return 0 };
    section
        .get("entry")
        .and_then(Json::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("reference").and_then(Json::as_str))
                .filter(|url| !resource(url).unwrap().to_compact_string().contains(emr_core::codes::ABSENT_UNKNOWN))
                .count()
        })
        .unwrap_or(0)
}

fn check(name: &str, record: &Record) {
    let lists = current_lists(record);
    let s = summary(record);
    let text = to_ips(record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() }).unwrap();
    let ips = json::parse(&text).unwrap();
    for (loinc, list) in SECTIONS {
        let (listed, shown) = match list {
            "problems" => (lists.problems.len(), s.problems.len()),
            "medications" => (lists.medications.len(), s.medications.len()),
            _ => (lists.allergies.len(), s.allergies.len()),
        };
        assert_eq!(section_size(&ips, loinc), listed, "{name}: IPS {list} vs current lists");
        assert_eq!(shown, listed, "{name}: summary {list} vs current lists");
    }
}

#[test]
fn lists_ips_and_summary_agree_on_the_shared_patients() {
    let Some(dir) = common::shared_data("synthea") else { return };
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().contains("Information"))
        .collect();
    files.sort();
    assert!(files.len() >= 12);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let record = import(&std::fs::read_to_string(&f).unwrap(), &ImportOptions::default(), now).unwrap().record;
        check(&name, &record);
        let (merged, _) = merge(&record.split_by_source(), &MergeOptions::default()).unwrap();
        check(&format!("{name} (split and merged)"), &merged);
    }
}

#[test]
fn the_rules_agree_where_their_copies_used_to_differ() {
    use emr_core::model::{Entry, Patient, Provenance, Source};
    // A medication statement of unknown status (the IPS listed it, `emr lists` did not) and a
    // refuted problem and allergy (listed as active before).
    let mut r = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
    r.sources.push(Source::new("a", "A"));
    for (id, text) in [
        (
            "m",
            r#"{"resourceType":"MedicationStatement","id":"m","status":"unknown","medicationCodeableConcept":{"text":"Metformin"},"subject":{"reference":"Patient/p"}}"#,
        ),
        (
            "c",
            r#"{"resourceType":"Condition","id":"c","clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"text":"Asthma"},"subject":{"reference":"Patient/p"}}"#,
        ),
        (
            "x",
            r#"{"resourceType":"AllergyIntolerance","id":"x","verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"text":"Peanut"},"patient":{"reference":"Patient/p"}}"#,
        ),
    ] {
        r.entries.push(Entry::from_text(Provenance::new("a", id), text).unwrap());
    }
    check("synthetic", &r);
    let lists = current_lists(&r);
    assert_eq!((lists.problems.len(), lists.medications.len(), lists.allergies.len()), (0, 1, 0));
}
