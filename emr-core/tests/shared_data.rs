//! Validation over the real shared data (`../shared/data`): zero false errors is the target.
//! Skipped, with a message, when the shared data is absent (a fresh clone tests `tests/data`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::json::{self, Json};
use emr_core::model::{Entry, Patient, Provenance, Record, Resource, Source};
use emr_core::validate::{validate, Severity};

fn shared() -> Option<PathBuf> {
    common::shared_data("")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// A record from a Synthea transaction Bundle: its Patient, and every other resource as an
/// entry of one source. (FHIR import with per-organization attribution is emr-core's `fhir` module.)
fn synthea_record(text: &str) -> Option<Record> {
    let tree = json::parse(text).unwrap();
    let entries = tree.get("entry")?.as_array()?;
    let mut record = Record::default();
    record.sources.push(Source::new("synthea", "Synthea"));
    for e in entries {
        let resource = e.get("resource").unwrap();
        let r = Resource::from_json(resource).unwrap();
        if r.resource_type() == "Patient" && record.patient.is_none() {
            record.patient = Some(Patient::new(r));
            continue;
        }
        let id = resource.get("id").and_then(Json::as_str).unwrap_or("no-id").to_owned();
        record.entries.push(Entry::new(Provenance::new("synthea", id), r).unwrap());
    }
    record.patient.is_some().then_some(record)
}

#[test]
fn synthea_patients_have_no_errors() {
    let Some(data) = shared() else { return };
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut patients = 0;
    let mut errors = Vec::new();
    for path in json_files(&data.join("synthea")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(record) = synthea_record(&text) else { continue };
        patients += 1;
        for f in validate(&record, now()) {
            *tally.entry(format!("{} {}", f.severity.as_str(), f.code)).or_default() += 1;
            if f.severity == Severity::Error {
                errors.push((path.file_name().unwrap().to_string_lossy().into_owned(), f));
            }
        }
    }
    eprintln!("{patients} Synthea patients validated; findings by code: {tally:#?}");
    assert!(patients >= 12);
    // The only real errors in this data: Synthea writes LOINC 34552-0 under the SNOMED CT system.
    let unexpected: Vec<_> = errors.iter().filter(|(_, f)| f.code != "code.snomed.looks-like-loinc").collect();
    assert!(
        unexpected.is_empty(),
        "{} false errors, first: {:#?}",
        unexpected.len(),
        unexpected.iter().take(5).collect::<Vec<_>>()
    );
}

#[test]
fn official_r4_examples_have_no_false_errors() {
    let Some(data) = shared() else { return };
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let files = json_files(&data.join("fhir-r4-examples"));
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let resource = Resource::parse(&text).unwrap();
        let mut record = Record::default();
        record.sources.push(Source::new("hl7", "HL7 examples"));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        record.entries.push(Entry::new(Provenance::new("hl7", name.clone()), resource).unwrap());
        for f in validate(&record, now()) {
            *tally.entry(format!("{} {}", f.severity.as_str(), f.code)).or_default() += 1;
            if f.severity == Severity::Error {
                errors.push((name.clone(), f.code, f.path));
            }
        }
    }
    eprintln!("{} official examples validated; findings by code: {tally:#?}", files.len());
    assert_eq!(files.len(), 697);
    let known = known_example_errors();
    let unexpected: Vec<_> = errors
        .iter()
        .filter(|(file, code, path)| !known.contains(&(file.as_str(), code.as_str(), path.as_str())))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} unexpected errors in official examples, first: {:#?}",
        unexpected.len(),
        unexpected.iter().take(5).collect::<Vec<_>>()
    );
}

/// Real errors in the official R4 examples, each checked by hand:
/// - dose units that are not UCUM under the UCUM system: `tbl`, `TAB`, `drop`, `ea` (no such
///   atoms; UCUM writes counts as `1` or annotations like `{tbl}`), `mEq` (UCUM is case-sensitive:
///   `meq`), `mcg` (UCUM: `ug`), `ml/hr` (UCUM: `mL/h`);
/// - `T-15460` is a SNOMED RT code, not a SNOMED CT identifier; `look up value` is no code;
/// - `6547210000124112` fails the SNOMED CT Verhoeff check.
fn known_example_errors() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![
        (
            "Bundle-father.json",
            "code.ucum.syntax",
            "/entries/0/resource/entry/5/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        ("Claim-760151.json", "code.ucum.syntax", "/entries/0/resource/item/0/quantity/code"),
        ("Claim-760152.json", "code.ucum.syntax", "/entries/0/resource/item/0/quantity/code"),
        ("ImagingStudy-example-xr.json", "code.snomed.shape", "/entries/0/resource/series/0/bodySite/code"),
        (
            "MedicationDispense-meddisp0309.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0313.json",
            "code.ucum.syntax",
            "/entries/0/resource/contained/0/ingredient/0/strength/numerator/code",
        ),
        (
            "MedicationDispense-meddisp0313.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0318.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0324.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0327.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0328.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationDispense-meddisp0329.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0304.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0314.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0319.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/rateQuantity/code",
        ),
        (
            "MedicationRequest-medrx0322.json",
            "code.ucum.syntax",
            "/entries/0/resource/contained/0/ingredient/0/strength/numerator/code",
        ),
        (
            "MedicationRequest-medrx0322.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0325.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0326.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0328.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0329.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0334.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "MedicationRequest-medrx0335.json",
            "code.ucum.syntax",
            "/entries/0/resource/dosageInstruction/0/doseAndRate/0/doseQuantity/code",
        ),
        (
            "NutritionOrder-enteralcontinuous.json",
            "code.snomed.check-digit",
            "/entries/0/resource/enteralFormula/baseFormulaType/coding/0/code",
        ),
        (
            "PlanDefinition-example-cardiology-os.json",
            "code.snomed.shape",
            "/entries/0/resource/useContext/0/valueCodeableConcept/coding/0/code",
        ),
    ]
}
