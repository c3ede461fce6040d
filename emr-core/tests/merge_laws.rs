//! Merge laws, property-tested on generated records: commutative, associative, idempotent,
//! independent of input order (byte-identical output), and nothing lost. And the records, merged
//! or not, survive FHIR export and import unchanged.
//!
//! The generators are realistic: a small pool of real codes shared between sources, times that
//! are equal, near-equal or date-only, several versions of an entry, and retractions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use emr_core::fhir::{import, to_bundle, ExportOptions, ImportOptions};
use emr_core::merge::{merge, reconcile, view, view_ref, Choice, MergeOptions, Reconciliation};
use emr_core::model::{Entry, EntryRef, Patient, Provenance, Record, Source, SourceKind};
use proptest::prelude::*;

const PATIENT: &str = r#"{"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:oid:2.16.840.1.113883.4.1","value":"999-12-3456"}],"name":[{"family":"Haddad","given":["Omar"]}],"birthDate":"1958-11-02","gender":"male"}"#;
/// The same person as recorded by another clinic (same SSN, a typo in the name).
const PATIENT_B: &str = r#"{"resourceType":"Patient","id":"x7","identifier":[{"system":"urn:oid:2.16.840.1.113883.4.1","value":"999-12-3456"}],"name":[{"family":"Hadad","given":["Omar"]}],"birthDate":"1958-11-02","gender":"male"}"#;

const TIMES: &[&str] = &[
    "2021-03-04T09:00:00Z",
    "2021-03-04T09:20:00+00:00",
    "2021-03-04",
    "2021-03-05T10:00:00-05:00",
    "2021-04-20T12:00:00Z",
    "2022-01",
];

fn resource(kind: u8, code: usize, time: usize, variant: u8, status_error: bool) -> String {
    let t = TIMES[time % TIMES.len()];
    match kind % 5 {
        0 => {
            let (sys, codes) = ("http://snomed.info/sct", ["91936005", "300913006", "419474003"]);
            let crit = ["low", "high", "unable-to-assess"][usize::from(variant) % 3];
            let ver = if status_error { "entered-in-error" } else { "confirmed" };
            format!(
                r#"{{"resourceType":"AllergyIntolerance","criticality":"{crit}","verificationStatus":{{"coding":[{{"code":"{ver}"}}]}},"code":{{"coding":[{{"system":"{sys}","code":"{}"}}]}},"patient":{{"reference":"Patient/p1"}}}}"#,
                codes[code % 3]
            )
        }
        1 => {
            let codes = ["44054006", "38341003", "195662009"];
            let st = ["active", "resolved", "inactive"][usize::from(variant) % 3];
            let ver = if status_error { "entered-in-error" } else { "confirmed" };
            format!(
                r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"{st}"}}]}},"verificationStatus":{{"coding":[{{"code":"{ver}"}}]}},"code":{{"coding":[{{"system":"http://snomed.info/sct","code":"{}"}}]}},"subject":{{"reference":"Patient/p1"}},"onsetDateTime":"{t}"}}"#,
                codes[code % 3]
            )
        }
        2 => {
            let (codes, units) = (["2345-7", "2093-3", "4548-4"], ["mg/dL", "mmol/L"]);
            let value = ["98", "5.4", "7.9", "6.3"][usize::from(variant) % 4];
            let status = if status_error { "entered-in-error" } else { "final" };
            format!(
                r#"{{"resourceType":"Observation","status":"{status}","category":[{{"coding":[{{"code":"laboratory"}}]}}],"code":{{"coding":[{{"system":"http://loinc.org","code":"{}"}}]}},"subject":{{"reference":"Patient/p1"}},"effectiveDateTime":"{t}","valueQuantity":{{"value":{value},"system":"http://unitsofmeasure.org","code":"{}"}}}}"#,
                codes[code % 3],
                units[usize::from(variant) % 2]
            )
        }
        3 => {
            let status = if status_error { "entered-in-error" } else { "completed" };
            format!(
                r#"{{"resourceType":"Immunization","status":"{status}","vaccineCode":{{"coding":[{{"system":"http://hl7.org/fhir/sid/cvx","code":"{}"}}]}},"patient":{{"reference":"Patient/p1"}},"occurrenceDateTime":"{t}"}}"#,
                ["140", "208", "115"][code % 3]
            )
        }
        _ => {
            let status = if status_error { "entered-in-error" } else { "active" };
            let dose = ["500", "1000"][usize::from(variant) % 2];
            format!(
                r#"{{"resourceType":"MedicationRequest","status":"{status}","intent":"order","medicationCodeableConcept":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{}"}}]}},"subject":{{"reference":"Patient/p1"}},"authoredOn":"{t}","dosageInstruction":[{{"doseAndRate":[{{"doseQuantity":{{"value":{dose},"unit":"mg"}}}}]}}]}}"#,
                ["860975", "197361", "314076"][code % 3]
            )
        }
    }
}

/// (kind, code, time, variant, id, version, retracted)
type Spec = (u8, usize, usize, u8, u8, u8, bool);

fn record_strategy(source: &'static str) -> impl Strategy<Value = Record> {
    let spec = (0u8..5, 0usize..3, 0usize..TIMES.len(), 0u8..4, 0u8..6, 1u8..3, proptest::bool::weighted(0.1));
    let decide = proptest::option::weighted(0.2, 0u8..3);
    (proptest::collection::vec(spec, 0..8), any::<bool>(), decide).prop_map(
        move |(specs, other_patient, decision): (Vec<Spec>, bool, Option<u8>)| {
            let mut r = Record::new(Patient::parse(if other_patient { PATIENT_B } else { PATIENT }).unwrap());
            r.sources.push(Source::new(source, source.to_uppercase()));
            for (kind, code, time, variant, id, version, retracted) in specs {
                let text = resource(kind, code, time, variant, retracted);
                let p = Provenance::new(source, format!("{source}-{id}")).with_version(u32::from(version));
                r.entries.push(Entry::from_text(p, &text).unwrap());
            }
            // Sometimes a clinician has already reconciled this record: accept, reject or edit its first entry.
            if let (Some(action), Some(first)) = (decision, r.entries.first().map(EntryRef::of)) {
                let clinician =
                    Source { kind: SourceKind::Clinician, ..Source::new(format!("dr-{source}"), "Dr. Reviewer") };
                let choice = match action {
                    0 => Choice::Accept(first.clone()),
                    1 => Choice::Reject(first.clone()),
                    _ => Choice::Edit(r.entries[0].resource().clone()),
                };
                let decision = Reconciliation {
                    clinician,
                    settles: vec![first],
                    choice,
                    recorded: "2025-06-01T08:00:00Z".parse().unwrap(),
                };
                r = reconcile(&r, &decision).unwrap();
            }
            r
        },
    )
}

fn ser(r: &Record) -> String {
    serde_json::to_string(r).unwrap()
}

fn m(records: &[Record]) -> Record {
    merge(records, &MergeOptions::default()).unwrap().0
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn commutative(a in record_strategy("a"), b in record_strategy("b")) {
        prop_assert_eq!(ser(&m(&[a.clone(), b.clone()])), ser(&m(&[b, a])));
    }

    #[test]
    fn associative(a in record_strategy("a"), b in record_strategy("b"), c in record_strategy("c")) {
        let left = m(&[m(&[a.clone(), b.clone()]), c.clone()]);
        let right = m(&[a.clone(), m(&[b.clone(), c.clone()])]);
        prop_assert_eq!(ser(&left), ser(&right));
        prop_assert_eq!(ser(&left), ser(&m(&[a, b, c])));
    }

    #[test]
    fn idempotent(a in record_strategy("a"), b in record_strategy("b")) {
        let ab = m(&[a, b]);
        prop_assert_eq!(ser(&m(&[ab.clone(), ab.clone()])), ser(&ab));
        prop_assert_eq!(ser(&m(std::slice::from_ref(&ab))), ser(&ab));
    }

    #[test]
    fn independent_of_input_and_entry_order(a in record_strategy("a"), b in record_strategy("b"), c in record_strategy("c"), seed in any::<u64>()) {
        let reference = m(&[a.clone(), b.clone(), c.clone()]);
        // Shuffle the inputs and the entries inside them.
        let mut inputs = vec![a, b, c];
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 33) as usize };
        for r in &mut inputs {
            for i in (1..r.entries.len()).rev() { let j = next() % (i + 1); r.entries.swap(i, j); }
        }
        for i in (1..inputs.len()).rev() { let j = next() % (i + 1); inputs.swap(i, j); }
        let shuffled = m(&inputs);
        prop_assert_eq!(ser(&shuffled), ser(&reference));
        prop_assert_eq!(view(&shuffled), view(&reference));
    }

    #[test]
    fn nothing_is_lost(a in record_strategy("a"), b in record_strategy("b")) {
        let (merged, report) = merge(&[a.clone(), b.clone()], &MergeOptions::default()).unwrap();
        for r in [&a, &b] {
            for e in &r.entries {
                prop_assert!(merged.entries.iter().any(|x| x == e), "assertion lost");
            }
            let patient = r.patient.as_ref().unwrap().resource();
            prop_assert!(merged.entries.iter().any(|x| x.resource() == patient), "a source's patient resource was lost");
        }
        // Every live assertion is in exactly one view item, or reported suppressed, or is a
        // clinician's rejection (a decision, not a fact to show).
        let v = view(&merged);
        let listed: usize = v.items.iter().map(|i| i.members.len()).sum::<usize>() + v.suppressed.len();
        let rejections = merged
            .entries
            .iter()
            .filter(|e| e.provenance().decision.as_ref().is_some_and(|d| d.action == emr_core::model::DecisionAction::Reject))
            .filter(|e| !v.suppressed.iter().any(|s| s.entry == EntryRef::of(e)))
            .count();
        let live = merged.entries.len() - v.retracted.len() - v.superseded.len() - rejections;
        prop_assert_eq!(listed, live);
        prop_assert_eq!(report.retracted, v.retracted);
        // The report, built from the borrowed view, lists what the owned view shows.
        prop_assert_eq!(report.view_items, v.items.len());
        prop_assert_eq!(report.folded, v.folded);
        prop_assert_eq!(report.conflicts, v.conflicts);
        prop_assert_eq!(report.suppressed, v.suppressed);
        // The borrowed view hands out the record's own entries.
        let borrowed = view_ref(&merged);
        prop_assert_eq!(borrowed.len(), v.items.len());
        for item in borrowed.items() {
            for e in item.members().chain([item.representative()]) {
                prop_assert!(merged.entries.iter().any(|x| std::ptr::eq(x, e)), "not an entry of the record");
            }
        }
    }
}

/// How a generated entry is made to look as FHIR import makes entries (see [`imported_look`]):
/// (resource id, full URL, `meta.versionId`, `meta.lastUpdated`, whether the recording time
/// agrees with it, version, whether the entry keeps its own id).
type Look = (Option<u8>, Option<u8>, Option<u8>, bool, bool, u8, bool);

fn looks() -> impl Strategy<Value = Vec<Look>> {
    let look = (
        proptest::option::weighted(0.8, 0u8..2),
        proptest::option::weighted(0.9, 0u8..6),
        proptest::option::weighted(0.3, 0u8..3),
        any::<bool>(),
        proptest::bool::weighted(0.8),
        prop_oneof![2 => Just(1u8), 1 => Just(2u8)],
        proptest::bool::weighted(0.1),
    );
    proptest::collection::vec(look, 0..24)
}

/// `r` with entries made to look imported, so that an export writes some of them plainly and
/// declares the others: a resource id and the entry id `Type/id` (ids, full URLs and versions
/// drawn from small pools, so they repeat), and a `meta.versionId` and `meta.lastUpdated` that
/// agree with the provenance or not.
fn imported_look(mut r: Record, looks: &[Look]) -> Record {
    const LAST_UPDATED: &str = "2024-05-01T10:00:00Z";
    for (e, &(id, url, version_id, last_updated, agrees, version, keep_id)) in r.entries.iter_mut().zip(looks) {
        let Some(id) = id else { continue };
        let mut meta = Vec::new();
        meta.extend(version_id.map(|v| format!(r#""versionId":"{v}""#)));
        meta.extend(last_updated.then(|| format!(r#""lastUpdated":"{LAST_UPDATED}""#)));
        let meta = if meta.is_empty() { String::new() } else { format!(r#""meta":{{{}}},"#, meta.join(",")) };
        let text = e.resource().as_str().replacen('{', &format!(r#"{{"id":"r{id}",{meta}"#), 1);
        let mut p = e.provenance().clone();
        if !keep_id {
            p.id = format!("{}/r{id}", e.resource().resource_type()).into();
        }
        p.version = u32::from(version);
        p.full_url = url.map(|u| format!("urn:uuid:00000000-0000-4000-8000-00000000000{u}"));
        p.recorded = match (last_updated, agrees) {
            (true, true) => Some(LAST_UPDATED),
            (false, true) => None,
            // The same instant, written with another offset: not what import would give.
            (true, false) => Some("2024-05-01T12:00:00+02:00"),
            (false, false) => Some("2025-01-02"),
        }
        .map(|t| t.parse().unwrap());
        *e = Entry::from_text(p, &text).unwrap();
    }
    r
}

/// Export as a FHIR collection Bundle and import it back: the same patient, the same entries in
/// the same order (provenance, decisions included, and resource), the same sources (those that
/// assert an entry: a Provenance names at least one target), and so the same view.
fn assert_fhir_round_trip(r: &Record) -> Result<(), TestCaseError> {
    let timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let text = to_bundle(r, &ExportOptions { timestamp });
    let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
    let back = import(&text, &ImportOptions::default(), now).unwrap().record;
    prop_assert_eq!(&back.patient, &r.patient);
    prop_assert_eq!(&back.entries, &r.entries);
    // Written alike too (equal dates may differ in their offsets).
    prop_assert_eq!(serde_json::to_string(&back.entries).unwrap(), serde_json::to_string(&r.entries).unwrap());
    let mut sources: Vec<Source> =
        r.sources.iter().filter(|s| r.entries.iter().any(|e| e.provenance().source == s.id)).cloned().collect();
    sources.sort();
    prop_assert_eq!(&back.sources, &sources);
    prop_assert_eq!(view(&back), view(r));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fhir_export_then_import_gives_the_record_back(
        a in record_strategy("a"),
        b in record_strategy("b"),
        looks in looks(),
        no_patient in proptest::bool::weighted(0.2),
    ) {
        assert_fhir_round_trip(&imported_look(a.clone(), &looks))?;
        // Merged: each source's patient is an entry, and a decision may settle another source's.
        let mut merged = imported_look(m(&[a, b]), &looks);
        if no_patient {
            merged.patient = None;
        }
        assert_fhir_round_trip(&merged)?;
    }
}
