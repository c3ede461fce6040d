//! Exports imported back (issue 16, item 6): emr's NDJSON and IPS, imported into the record
//! they came from, add nothing it holds (the "already present" rule, `model::arrival`, that
//! `emr import` applies); imported into a fresh record, they give the clinical view they were
//! written from, as far as the format carries it (what is kept is asserted here precisely).
//!
//! Run over the demo and every shared Synthea patient, whole and split per source then merged
//! back. Shared data: skipped when absent, failing instead when `EMR_REQUIRE_SHARED_DATA=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, import_ndjson, to_ndjson, ExportOptions, ImportOptions, Imported};
use emr_core::merge::{merge, view, MergeOptions, ViewItem, PATIENT_ENTRY_PREFIX};
use emr_core::model::{arrival, Arrival, Record};
use emr_core::query::{current_lists, timeline};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn options() -> ExportOptions {
    ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() }
}

fn import_text(text: &str) -> Record {
    import(text, &ImportOptions::default(), now()).unwrap().record
}

fn demo() -> Record {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    let a = import_text(&std::fs::read_to_string(dir.join("clinic-a.json")).unwrap());
    let b = import_text(&std::fs::read_to_string(dir.join("clinic-b.json")).unwrap());
    merge(&[a, b], &MergeOptions::default()).unwrap().0
}

/// Whole and split-then-merged record of each shared Synthea patient.
fn synthea_records() -> Option<Vec<(String, Record)>> {
    let dir: PathBuf = common::shared_data("synthea")?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("hospitalInformation") || name.starts_with("practitionerInformation") {
            continue;
        }
        let record = import_text(&std::fs::read_to_string(&path).unwrap());
        let parts = record.split_by_source();
        let (merged, _) = merge(&parts, &MergeOptions { force: true }).unwrap();
        out.push((format!("{name} (merged from {} sources)", parts.len()), merged));
        out.push((name, record));
    }
    assert!(out.len() >= 24, "{} Synthea records", out.len());
    Some(out)
}

fn ndjson_back(record: &Record) -> Imported {
    let files = to_ndjson(record, &options());
    let named: Vec<(String, &str)> = files.iter().map(|(ty, text)| (format!("{ty}.ndjson"), text.as_str())).collect();
    let named: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    import_ndjson(&named, &ImportOptions::default(), now())
}

/// The entries of `back` that `record` does not hold already (by `model::arrival`), as
/// `emr import` would add them; and the sources it lacks.
fn added(record: &Record, back: &Record) -> (Vec<String>, Vec<String>) {
    let entries = back
        .entries
        .iter()
        .filter(|e| arrival(e, &record.entries) != Arrival::Present)
        .map(|e| format!("{}/{}", e.provenance().source, e.provenance().id))
        .collect();
    let sources = back.sources.iter().filter(|s| record.source(&s.id).is_none()).map(|s| s.id.to_string()).collect();
    (entries, sources)
}

/// An item as a fresh record can hold it again: kind, representative, its resource as received.
fn shown(item: &ViewItem, record: &Record) -> (String, String, String) {
    let r = &item.representative;
    let entry = record.entry(r).map(|e| e.resource().as_str().to_owned()).unwrap_or_default();
    (item.kind.to_string(), format!("{}/{}/{}", r.source, r.id, r.version), entry)
}

/// The view's items, but for each source's patient resource (NDJSON carries one Patient).
fn items(record: &Record) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = view(record)
        .items
        .iter()
        .filter(|i| !i.representative.id.as_str().starts_with(PATIENT_ENTRY_PREFIX))
        .map(|i| shown(i, record))
        .collect();
    v.sort();
    v
}

fn lists(record: &Record) -> BTreeMap<&'static str, Vec<(String, String, String)>> {
    let l = current_lists(record);
    let mut out = BTreeMap::new();
    for (name, items) in [("problems", &l.problems), ("medications", &l.medications), ("allergies", &l.allergies)] {
        out.insert(name, items.iter().map(|i| shown(i, record)).collect());
    }
    out
}

fn events(record: &Record) -> Vec<String> {
    timeline(record).iter().map(|e| format!("{} {} {} {:?}", e.time, e.kind, e.label, e.entry)).collect()
}

/// What an NDJSON round trip of `record` kept, checked; returns (entries re-imported, items
/// whose resolved fields the fresh record shows as received).
fn check_ndjson(name: &str, record: &Record) -> (usize, usize) {
    let back = ndjson_back(record);
    // Every line came back as the assertion it was written from.
    let errors: Vec<_> = back.findings.iter().filter(|f| f.code.starts_with("fhir.")).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    // Into the record it came from: nothing to add.
    let (entries, sources) = added(record, &back.record);
    assert!(entries.is_empty() && sources.is_empty(), "{name}: would add {entries:?} and sources {sources:?}");
    assert!(back.record.patient.is_some(), "{name}: no patient");
    // Into a fresh record: the same items (representatives, as received), current lists and
    // timeline, but for what NDJSON does not carry: the assertions folded into an item besides
    // its representative (so `members`, `reported_by` and fields resolution changed).
    let original = items(record);
    assert_eq!(items(&back.record), original, "{name}: items");
    assert_eq!(lists(&back.record), lists(record), "{name}: current lists");
    assert_eq!(events(&back.record), events(record), "{name}: timeline");
    let resolved = view(record).items.iter().filter(|i| !i.changed.is_empty()).count();
    (back.record.entries.len(), resolved)
}

#[test]
fn demo_ndjson_imports_back_into_the_same_record() {
    let (n, resolved) = check_ndjson("demo", &demo());
    eprintln!("demo: {n} entries back from NDJSON, {resolved} items with resolved fields");
    assert!(n > 40);
}

#[test]
fn synthea_ndjson_imports_back_into_the_same_record() {
    let Some(records) = synthea_records() else { return };
    let mut total = 0;
    for (name, record) in &records {
        total += check_ndjson(name, record).0;
    }
    eprintln!("{} Synthea records: {total} entries back from NDJSON", records.len());
}
