//! Test vectors in `tests/data/`: valid records produce no errors; each invalid record triggers
//! the rule its file name names. All findings are kept as insta snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::json;
use emr_core::model::Record;
use emr_core::validate::{validate, Finding, Severity};

fn data(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Validation time of all vectors: fixed, so snapshots never depend on the clock.
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn load(path: &Path) -> (String, Record) {
    let text = std::fs::read_to_string(path).unwrap();
    let record: Record = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (text, record)
}

fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn valid_vectors_have_no_errors() {
    let files = data("valid");
    assert!(files.len() >= 4);
    for path in files {
        let (_, record) = load(&path);
        let findings = validate(&record, now());
        let errors: Vec<&Finding> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        insta::assert_json_snapshot!(format!("valid-{}", name(&path)), findings);
    }
}

#[test]
fn invalid_vectors_trigger_their_rule() {
    let files = data("invalid");
    assert!(files.len() >= 30, "one invalid vector per rule at least for 30 rules");
    for path in files {
        let (_, record) = load(&path);
        let findings = validate(&record, now());
        let code = name(&path);
        let code = code.split('+').next().unwrap_or_default();
        assert!(findings.iter().any(|f| f.code == code), "{}: no `{code}` finding in {findings:#?}", path.display());
        insta::assert_json_snapshot!(format!("invalid-{}", name(&path)), findings);
    }
}

#[test]
fn every_rule_has_an_invalid_vector() {
    let names: Vec<String> = data("invalid").iter().map(|p| name(p)).collect();
    let missing: Vec<_> = emr_core::validate::rules::ALL
        .iter()
        // Import rules (`fhir.*`) are about FHIR input, not records: `tests/fhir.rs` covers them.
        .filter(|r| !r.code.starts_with("fhir."))
        // C-CDA import rules (`ccda.*`): `tests/ccda.rs` covers them with `tests/data/ccda-invalid/`.
        .filter(|r| !r.code.starts_with("ccda."))
        // The NDJSON reader's rule (`ndjson.*`): `fhir::ndjson`'s tests and `tests/reimport.rs`.
        .filter(|r| !r.code.starts_with("ndjson."))
        .filter(|r| !names.iter().any(|n| n.split('+').next() == Some(r.code)))
        .map(|r| r.code)
        .collect();
    assert!(missing.is_empty(), "rules without an invalid vector: {missing:?}");
}

#[test]
fn records_round_trip_losslessly() {
    for path in data("valid").into_iter().chain(data("invalid")) {
        let (text, record) = load(&path);
        let again: Record = serde_json::from_str(&serde_json::to_string(&record).unwrap()).unwrap();
        assert_eq!(again, record, "{}", path.display());
        // Every resource is kept exactly: its compact text equals the input's, number text included.
        let input = json::parse(&text).unwrap();
        for (i, entry) in record.entries.iter().enumerate() {
            let original = input.pointer(&format!("/entries/{i}/resource")).unwrap();
            assert_eq!(entry.resource().as_str(), original.to_compact_string(), "{} entry {i}", path.display());
        }
    }
}

#[test]
fn messages_never_contain_patient_values() {
    for path in data("valid").into_iter().chain(data("invalid")) {
        let (_, record) = load(&path);
        let demographics = record.patient.as_ref().map(|p| p.demographics().clone()).unwrap_or_default();
        let mut secrets: Vec<String> =
            demographics.names.iter().flat_map(|n| n.given.iter().chain(n.family.iter())).cloned().collect();
        secrets.extend(demographics.birth_date.map(|d| d.to_string()));
        secrets.extend(demographics.identifiers.iter().filter_map(|i| i.value.clone()));
        for f in validate(&record, now()) {
            for s in secrets.iter().filter(|s| s.len() > 2) {
                assert!(!f.message.contains(s.as_str()), "{}: message leaks a patient value", path.display());
            }
        }
    }
}
