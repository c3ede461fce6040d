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
use emr_core::model::{arrival, Arrival, Entry, EntryRef, Record};
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
    // What recognizing costs beside importing the document (not asserted: a figure).
    let (mut reading, mut recognizing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for (name, record) in &records {
        let (n, w) = check_ips(name, record);
        total += n;
        without += w;
        let ips = to_ips(record, &options()).unwrap();
        let start = std::time::Instant::now();
        let document = import(&ips, &ImportOptions::default(), now()).unwrap().record;
        reading += start.elapsed();
        let start = std::time::Instant::now();
        assert!(own_ips_entries(record, &document).iter().all(|p| *p));
        recognizing += start.elapsed();
    }
    eprintln!(
        "{} Synthea records: {total} entries back from their IPS, 0 new to the records they came from \
         ({without} without recognizing their own IPS); importing the documents {reading:.2?}, \
         recognizing them {recognizing:.2?}",
        records.len()
    );
    assert!(without > 0);
}

/// The full URLs of `old`'s entries that `new` does not have, or has with another resource.
fn differing(old: &str, new: &str) -> Vec<String> {
    let entries = |ips: &str| -> BTreeMap<String, String> {
        let tree = emr_core::json::parse(ips).unwrap();
        tree.get("entry")
            .and_then(|e| e.as_array())
            .unwrap()
            .iter()
            .map(|e| {
                let url = e.get("fullUrl").and_then(|u| u.as_str()).unwrap().to_owned();
                (url, e.get("resource").unwrap().to_compact_string())
            })
            .collect()
    };
    let (old, new) = (entries(old), entries(new));
    old.iter().filter(|(url, text)| new.get(*url) != Some(*text)).map(|(url, _)| url.clone()).collect()
}

/// A current-list item of `record` whose entry in `document` (the record's IPS imported) the
/// record does not hold verbatim (another source asserted it, or the IPS rewrote its
/// references): its representative, and its full URL.
fn rewritten_list_item(record: &Record, document: &Record) -> (Entry, String) {
    let l = current_lists(record);
    for item in l.problems.iter().chain(&l.allergies).chain(&l.medications) {
        let held = record.entry(&item.representative).unwrap();
        let incoming = document.entries.iter().find(|e| e.provenance().id == held.provenance().id);
        if let Some(incoming) = incoming.filter(|e| arrival(e, &record.entries) != Arrival::Present) {
            return (held.clone(), incoming.provenance().full_url.clone().unwrap());
        }
    }
    panic!("no list item the IPS rewrote");
}

/// `record` after `emr import` added `entries` and `sources` (from [`imported_into`]) of `document`.
fn with_imported(record: &Record, document: &Record, entries: Vec<Entry>, sources: &[String]) -> Record {
    let mut after = record.clone();
    after.entries.extend(entries);
    after.sources.extend(document.sources.iter().filter(|s| sources.contains(&s.id.to_string())).cloned());
    after
}

/// `held` changed (`edit` applied to its resource text) as its source's next version,
/// recorded after the IPS was written.
fn next_version(held: &Entry, edit: impl Fn(&str) -> String) -> Entry {
    let p = held.provenance().clone();
    let recorded = Some("2026-11-15T00:00:00Z".parse().unwrap());
    let next = emr_core::model::Provenance { version: p.version + 1, recorded, ..p };
    Entry::from_text(next, &edit(held.resource().as_str())).unwrap()
}

/// After one entry of the record changes, its old IPS brings back exactly the entries at
/// which it differs from what the record's IPS now writes (that entry as it was, and the
/// Composition, whose section lists the item in record order) and which the record does not
/// hold verbatim, attributed as any document's entries (here the document's author, the
/// combined record's organization): beside the source's newer assertion, never as a version
/// of it, so the change is not undone. A retraction stands for its source; a fact only the
/// retracting source asserted comes back listed as the old summary's statement (asserted at
/// the end: what a clinician then sets aside with a decision).
#[test]
fn demo_old_ips_brings_back_what_changed_as_its_authors_assertions() {
    let record = demo();
    let old_ips = to_ips(&record, &options()).unwrap();
    let document = import(&old_ips, &ImportOptions::default(), now()).unwrap().record;
    let author = document.entries.first().map(|e| e.provenance().source.clone()).unwrap();
    assert_eq!(document.entries.first().unwrap().resource().resource_type(), "Composition");
    let (held, url) = rewritten_list_item(&record, &document);
    let incoming = document.entries.iter().find(|e| e.provenance().full_url.as_deref() == Some(&url)).unwrap();
    assert_eq!(incoming.provenance().source, author, "{url}: attributed to the document's author");

    let text = held.resource().as_str();
    assert!(!text.contains("\"note\"") && text.contains(r#""code":"confirmed""#), "{text}");
    for (what, from, to) in [
        // A note added: the item stays on its list.
        ("note", "{", r#"{"note":[{"text":"reviewed"}],"#),
        // Marked entered in error: the item leaves its list (and the IPS).
        ("retracted", r#""code":"confirmed""#, r#""code":"entered-in-error""#),
    ] {
        let changed = next_version(&held, |t| t.replacen(from, to, 1));
        let mut now_record = record.clone();
        now_record.entries.push(changed.clone());
        let (entries, sources) = imported_into(&now_record, &document, true);
        let mut urls: Vec<String> = entries.iter().map(|e| e.provenance().full_url.clone().unwrap()).collect();
        urls.sort();
        // Exactly what differs and is not held verbatim: the changed entry as the old IPS had
        // it, and the old Composition.
        let now_ips = to_ips(&now_record, &options()).unwrap();
        let mut expected: Vec<String> = differing(&old_ips, &now_ips)
            .into_iter()
            .filter(|u| {
                let e = document.entries.iter().find(|e| e.provenance().full_url.as_deref() == Some(u.as_str()));
                e.is_some_and(|e| arrival(e, &now_record.entries) != Arrival::Present)
            })
            .collect();
        expected.sort();
        assert_eq!(urls, expected, "{what}");
        let composition = document.entries.first().unwrap().provenance().full_url.clone().unwrap();
        let mut both = vec![url.clone(), composition];
        both.sort();
        assert_eq!(urls, both, "{what}: {:?}", ids(&entries));
        assert!(entries.iter().all(|e| e.provenance().source == author), "{what}: {:?}", ids(&entries));
        assert_eq!(sources, vec![author.to_string()], "{what}");

        // In the record after the import: the clinic's newer version stays its latest; the
        // old summary's copy is one more member of the same item (same code), not a version.
        let after = with_imported(&now_record, &document, entries.clone(), &sources);
        let v = view(&after);
        let shown = |r: &EntryRef| format!("{}/{}/{}", r.source, r.id, r.version);
        let copy = entries.iter().find(|e| e.resource().resource_type() != "Composition").unwrap();
        let item =
            v.items.iter().find(|i| i.members.iter().any(|m| m.source == author && m.id == copy.provenance().id));
        let item = item.unwrap();
        let members: Vec<String> = item.members.iter().map(shown).collect();
        // Whether a current list shows the fact (by a member another source than the summary asserts).
        let listed = |r: &Record| {
            let l = current_lists(r);
            let mut items = l.allergies.iter().chain(&l.problems).chain(&l.medications);
            items.any(|i| i.members.iter().any(|m| m.source != author && item.members.contains(m)))
        };
        eprintln!(
            "{what}: item {} members {members:?}; listed before the import {}, after {}",
            shown(&item.representative),
            listed(&now_record),
            listed(&after)
        );
        match what {
            // The list shows the clinic's note (its newer assertion represents the item).
            "note" => {
                assert_eq!(item.representative.source, changed.provenance().source, "{members:?}");
                assert!(members.contains(&shown(&EntryRef::of(&changed))), "{members:?}");
            }
            // The clinic's retraction stands (its assertion is out of the view); the item stays
            // listed as before the import (another clinic asserts it too), now also as the
            // old summary reported it.
            _ => {
                assert!(v.retracted.iter().any(|r| shown(r) == shown(&EntryRef::of(&changed))));
                assert!(!members.contains(&shown(&EntryRef::of(&changed))), "{members:?}");
                assert!(listed(&now_record) && listed(&after));
            }
        }
    }
    // Without a change, the same document adds nothing.
    assert!(imported_into(&record, &document, true).0.is_empty());

    // A problem the IPS wrote as its clinic holds it (one source, references unchanged),
    // retracted: the old IPS's copy is that clinic's earlier version, already held, so only
    // the old Composition comes in and the problem stays off the list.
    let l = current_lists(&record);
    let problem = l.problems.iter().map(|i| record.entry(&i.representative).unwrap()).find(|held| {
        let incoming = document.entries.iter().find(|e| e.provenance().id == held.provenance().id).unwrap();
        arrival(incoming, &record.entries) == Arrival::Present
            && incoming.provenance().source == held.provenance().source
    });
    let problem = problem.expect("a problem held verbatim").clone();
    let retracted = next_version(&problem, |t| t.replacen(r#""code":"confirmed""#, r#""code":"entered-in-error""#, 1));
    let mut now_record = record.clone();
    now_record.entries.push(retracted);
    let (entries, sources) = imported_into(&now_record, &document, true);
    let types: Vec<&str> = entries.iter().map(|e| e.resource().resource_type()).collect();
    assert_eq!(types, ["Composition"]);
    let after = with_imported(&now_record, &document, entries, &sources);
    let listed =
        current_lists(&after).problems.iter().any(|i| i.members.iter().any(|m| m.id == problem.provenance().id));
    assert!(!listed);

    // An allergy only one clinic asserts, whose IPS entry differs from what the clinic holds
    // (references rewritten), retracted by that clinic: the old IPS's copy is a statement of
    // the summary's author, dated by the document, so the allergy is listed again, attributed
    // to the summary (the clinic's retraction stands for its own assertion). A clinician sets
    // it aside with a decision; emr does not drop what a document the user imported says.
    let (held, _) = rewritten_list_item(&record, &document);
    let bare = held.provenance().id.trim_start_matches("AllergyIntolerance/b-").to_owned();
    let mut single = record.clone();
    single
        .entries
        .retain(|e| !(e.provenance().id.ends_with(&bare) && e.provenance().source != held.provenance().source));
    let old_ips = to_ips(&single, &options()).unwrap();
    let document = import(&old_ips, &ImportOptions::default(), now()).unwrap().record;
    let retracted = next_version(&held, |t| t.replacen(r#""code":"confirmed""#, r#""code":"entered-in-error""#, 1));
    let mut now_record = single.clone();
    now_record.entries.push(retracted);
    let on_list = |r: &Record| {
        current_lists(r)
            .allergies
            .iter()
            .find(|i| i.members.iter().any(|m| m.id.ends_with(&bare)))
            .map(|i| i.representative.source.clone())
    };
    assert_eq!(on_list(&now_record), None);
    let (entries, sources) = imported_into(&now_record, &document, true);
    assert!(entries.iter().any(|e| e.provenance().id == held.provenance().id), "{:?}", ids(&entries));
    let after = with_imported(&now_record, &document, entries, &sources);
    assert_eq!(on_list(&after), Some(author));
}

/// IPS documents emr did not write (HL7's official examples, the connectathon's) are imported
/// exactly as before: imported into the record made from them, none is taken for the record's
/// own, whatever the record's IPS writes. emr's IPS of such a record, imported back into it,
/// adds nothing. Shared data as above.
#[test]
fn other_systems_ips_documents_are_never_taken_for_the_records_own() {
    let Some(official) = common::shared_data("ips/official") else { return };
    let Some(connectathon) = common::shared_data("ips/connectathon") else { return };
    let (mut documents, mut entries) = (0, 0);
    for dir in [official, connectathon] {
        let mut paths: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let Ok(imported) = emr_core::fhir::import_bytes(&bytes, &ImportOptions::default(), now()) else { continue };
            let record = imported.record;
            let Some(patient) = record.patient.as_ref() else { continue };
            let name = path.display();
            assert!(!emr_core::fhir::is_own_ips(&record, patient), "{name}");
            assert!(own_ips_entries(&record, &record).iter().all(|p| !p), "{name}");
            let ips = to_ips(&record, &options()).unwrap();
            let back = import(&ips, &ImportOptions::default(), now()).unwrap().record;
            let (added, sources) = imported_into(&record, &back, true);
            assert!(added.is_empty() && sources.is_empty(), "{name}: {:?} {sources:?}", ids(&added));
            documents += 1;
            entries += back.entries.len();
        }
    }
    eprintln!("{documents} documents of other systems: none taken for emr's; their records' IPS ({entries} entries) adds nothing back");
    assert!(documents >= 40, "{documents}");
}

/// emr's IPS edited by another system (one entry changed, the Composition kept) and imported
/// back: that entry comes in, attributed as any document's; everything else is present.
#[test]
fn demo_ips_edited_elsewhere_brings_in_the_edited_entry_only() {
    let record = demo();
    let ips = to_ips(&record, &options()).unwrap();
    let from = r#"{"resourceType":"AllergyIntolerance","#;
    let edited = ips.replacen(from, r#"{"resourceType":"AllergyIntolerance","note":[{"text":"edited elsewhere"}],"#, 1);
    assert_ne!(edited, ips);
    let document = import(&edited, &ImportOptions::default(), now()).unwrap().record;
    let (added, _) = imported_into(&record, &document, true);
    assert_eq!(added.len(), 1, "{:?}", ids(&added));
    assert!(added[0].resource().as_str().contains("edited elsewhere"));
}
