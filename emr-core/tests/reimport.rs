//! Exports imported back (issue 16, item 6). emr's NDJSON, imported into the record it came
//! from, adds nothing it holds (the "already present" rule, `model::arrival`, that `emr import`
//! applies); imported into a fresh record, it gives the clinical view it was written from, as
//! far as NDJSON carries it (asserted here precisely). emr's IPS, imported into a fresh record,
//! gives the same current lists; into the record it came from it adds nothing either (the
//! record recognizes its own document, `fhir::own_ips_entries`, which `emr import` applies
//! besides `model::arrival`), and after a change to the record it brings back exactly the
//! entries that changed, as its author's assertions.
//!
//! Run over the demo and every shared Synthea patient, whole and split per source then merged
//! back. Shared data: skipped when absent, failing instead when `EMR_REQUIRE_SHARED_DATA=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{TimeZone, Utc};
use emr_core::fhir::{
    import, import_ndjson, own_ips_entries, to_ips, to_ndjson, ExportOptions, ImportOptions, Imported,
};
use emr_core::merge::{merge, view, MergeOptions, ViewItem, PATIENT_ENTRY_PREFIX};
use emr_core::model::{arrival, Arrival, Entry, Record};
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

fn synthea_records() -> Option<Vec<(String, Record)>> {
    common::synthea_records()
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

/// The entries of `document` (an imported input) that `emr import` adds to `record`: neither
/// recognized as the record's own IPS (`own_ips_entries`, all `false` unless `own`) nor
/// already present (`model::arrival`); and the sources it adds (those it lacks that assert an
/// added entry: a source asserting only recognized entries is not added).
fn imported_into(record: &Record, document: &Record, own: bool) -> (Vec<Entry>, Vec<String>) {
    let present = if own { own_ips_entries(record, document) } else { vec![false; document.entries.len()] };
    let entries: Vec<Entry> = document
        .entries
        .iter()
        .zip(&present)
        .filter(|(e, own)| !**own && arrival(e, &record.entries) != Arrival::Present)
        .map(|(e, _)| e.clone())
        .collect();
    let sources = document
        .sources
        .iter()
        .filter(|s| record.source(&s.id).is_none())
        .filter(|s| {
            let asserted: Vec<bool> = document
                .entries
                .iter()
                .zip(&present)
                .filter(|(e, _)| e.provenance().source == s.id)
                .map(|(_, p)| *p)
                .collect();
            asserted.is_empty() || asserted.contains(&false)
        })
        .map(|s| s.id.to_string())
        .collect();
    (entries, sources)
}

fn ids(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| format!("{}/{}", e.provenance().source, e.provenance().id)).collect()
}

/// What an IPS round trip of `record` keeps, checked: imported into a fresh record, the same
/// current lists (what an IPS is for) and an IPS listing the same sections' entries; imported
/// into the record it came from, nothing new. Returns (entries imported, of them the ones the
/// record it came from would add again without the record recognizing its own IPS).
///
/// An IPS carries no `Provenance`: its entries are attributed to the document's author and
/// their references are written as the document's full URLs, so without `own_ips_entries` an
/// entry another source asserted, or whose references were rewritten, would come back as a new
/// assertion (counted, see docs/architecture.md).
fn check_ips(name: &str, record: &Record) -> (usize, usize) {
    let ips = to_ips(record, &options()).unwrap();
    let back = import(&ips, &ImportOptions::default(), now()).unwrap();
    // The list items' resources, but for their references (written as the document's full
    // URLs) and the IPS's own "no information about …" statements for an empty required
    // section, which a fresh record then lists (as the IPS did).
    let items = |r: &Record| {
        let l = current_lists(r);
        let mut v: Vec<String> = [&l.problems, &l.medications, &l.allergies]
            .iter()
            .flat_map(|items| items.iter().map(|i| i.resource.as_str().to_owned()))
            .filter(|t| !t.contains(emr_core::fhir::ABSENT_UNKNOWN))
            .map(|t| t.split("\"reference\":").next().unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(items(&back.record), items(record), "{name}: current lists");
    let again = to_ips(&back.record, &options()).unwrap();
    assert_eq!(section_entries(&again), section_entries(&ips), "{name}: IPS of the re-imported record");
    // Into the record it came from: every entry is recognized or already held; no source is new.
    let (entries, sources) = imported_into(record, &back.record, true);
    assert!(entries.is_empty() && sources.is_empty(), "{name}: would add {:?} and sources {sources:?}", ids(&entries));
    assert!(own_ips_entries(record, &back.record).iter().all(|p| *p), "{name}: an entry not recognized");
    // Into a fresh record (no patient yet): nothing is recognized, the lists above hold.
    assert!(own_ips_entries(&Record::default(), &back.record).iter().all(|p| !p), "{name}: fresh record");
    let (without, _) = imported_into(record, &back.record, false);
    (back.record.entries.len(), without.len())
}

/// The number of entries of each section of an IPS (by LOINC code).
fn section_entries(ips: &str) -> Vec<(String, usize)> {
    let tree = emr_core::json::parse(ips).unwrap();
    let composition = tree.pointer("/entry/0/resource").unwrap();
    composition
        .get("section")
        .and_then(|s| s.as_array())
        .unwrap()
        .iter()
        .map(|s| {
            let code = s.pointer("/code/coding/0/code").and_then(|c| c.as_str()).unwrap_or_default().to_owned();
            (code, s.get("entry").and_then(|e| e.as_array()).map_or(0, <[_]>::len))
        })
        .collect()
}

#[test]
fn demo_ips_imports_back_into_the_same_record_and_a_fresh_one() {
    let (n, without) = check_ips("demo", &demo());
    eprintln!(
        "demo: {n} entries back from the IPS, 0 new to the record it came from ({without} without recognizing its own IPS)"
    );
    assert!(n > 10);
    // The rule is what makes it a no-op: arrival alone would add entries.
    assert!(without > 0);
}

#[test]
fn synthea_ips_imports_back_into_the_same_record_and_a_fresh_one() {
    let Some(records) = synthea_records() else { return };
    let (mut total, mut without) = (0, 0);
    for (name, record) in &records {
        let (n, w) = check_ips(name, record);
        total += n;
        without += w;
    }
    eprintln!(
        "{} Synthea records: {total} entries back from their IPS, 0 new to the records they came from \
         ({without} without recognizing their own IPS)",
        records.len()
    );
    assert!(without > 0);
}
