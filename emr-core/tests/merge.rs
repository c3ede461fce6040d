//! The merge engine on realistic data: each shared Synthea patient is split into its clinics'
//! EMRs, real-world overlap is injected (see `inject_overlap`, the whole generator), and the
//! merged clinical view must equal the original patient's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::merge::{merge, view, EntryRef, MergeError, MergeOptions, Resolution};
use emr_core::model::{Entry, Patient, Provenance, Record, Resource, Source};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn synthea_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/fhir/Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json")];
    if let Some(shared) = common::shared_data("synthea") {
        files = std::fs::read_dir(shared)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.to_string_lossy().contains("Information"))
            .collect();
        files.sort();
    }
    files
}

/// Replace top-level members of a resource.
fn edit(resource: &Resource, changes: &[(&str, Json<'static>)]) -> Resource {
    let Json::Object(mut members) = resource.json().unwrap().into_owned() else { panic!() };
    for (k, v) in changes {
        match members.iter_mut().find(|(key, _)| key == k) {
            Some((_, slot)) => *slot = v.clone(),
            None => members.push(((*k).to_owned().into(), v.clone())),
        }
    }
    Resource::from_json(&Json::Object(members)).unwrap()
}

fn text(s: &str) -> Json<'static> {
    Json::String(s.to_owned().into())
}

/// What the test injects, to check the report.
#[derive(Default, Debug)]
struct Injected {
    copies: usize,
    criticality_conflicts: Vec<String>,
    unit_changes: usize,
    date_only: usize,
    retracted: Option<EntryRef>,
}

/// The overlap generator: clinic `b` re-reports clinic `a`'s allergies, medications and
/// immunizations under its own ids (some immunization dates as date-only, one allergy with a
/// higher criticality), re-reports glucose results in mmol/L, and reports one extra
/// immunization copy that it later marks entered-in-error.
fn inject_overlap(a: &Record, b: &mut Record) -> Injected {
    let mut inj = Injected::default();
    let b_source = b.sources[0].id.clone();
    let mut extra = Vec::new();
    for (n, e) in a.entries.iter().enumerate() {
        let ty = e.resource().resource_type();
        let new_id = format!("b-copy-{n}");
        let mut changes = vec![("id", text(&new_id))];
        match ty {
            "AllergyIntolerance" | "MedicationRequest" => {}
            "Immunization" => {
                if n % 2 == 0 {
                    let t = e
                        .resource()
                        .json()
                        .unwrap()
                        .get("occurrenceDateTime")
                        .and_then(Json::as_str)
                        .unwrap()
                        .to_owned();
                    changes.push(("occurrenceDateTime", text(&t[..10])));
                    inj.date_only += 1;
                }
            }
            "Observation" if e.clinical().code.as_ref().is_some_and(|c| c.has_code("http://loinc.org", "2339-0")) => {
                let tree = e.resource().json().unwrap();
                let mgdl: f64 = tree.pointer("/valueQuantity/value").unwrap().as_f64().unwrap();
                let mmol = format!("{:.2}", mgdl / 18.016);
                let q = json::parse(&format!(
                    r#"{{"value":{mmol},"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"}}"#
                ))
                .unwrap()
                .into_owned();
                changes.push(("valueQuantity", q));
                inj.unit_changes += 1;
            }
            _ => continue,
        }
        if ty == "AllergyIntolerance"
            && inj.criticality_conflicts.is_empty()
            && e.clinical().criticality.as_deref() != Some("high")
        {
            changes.push(("criticality", text("high")));
            inj.criticality_conflicts.push(e.provenance().id.to_string());
        }
        let resource = edit(e.resource(), &changes);
        extra.push(Entry::new(Provenance::new(b_source.as_str(), new_id), resource).unwrap());
        inj.copies += 1;
    }
    // One more immunization copy, later retracted by b: its source withdraws it, nothing else.
    if let Some(imm) = a.entries.iter().find(|e| e.resource().resource_type() == "Immunization") {
        let first = edit(imm.resource(), &[("id", text("b-mistake"))]);
        let retracted = edit(imm.resource(), &[("id", text("b-mistake")), ("status", text("entered-in-error"))]);
        extra.push(Entry::new(Provenance::new(b_source.as_str(), "b-mistake"), first).unwrap());
        extra.push(Entry::new(Provenance::new(b_source.as_str(), "b-mistake").with_version(2), retracted).unwrap());
        inj.retracted = Some(EntryRef { source: b_source.clone(), id: "b-mistake".into(), version: 2 });
    }
    b.entries.extend(extra);
    inj
}

#[test]
fn synthea_split_inject_and_merge_gives_back_the_original_view() {
    for path in synthea_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let original =
            import(&std::fs::read_to_string(&path).unwrap(), &ImportOptions::default(), now()).unwrap().record;
        let mut emrs = original.split_by_source();
        emrs.sort_by_key(|r| std::cmp::Reverse(r.entries.len()));
        if emrs.len() < 2 {
            continue;
        }
        let a = emrs[0].clone();
        let inj = inject_overlap(&a, &mut emrs[1]);
        let (merged, report) = merge(&emrs, &MergeOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));

        // Nothing lost: every input assertion is in the merged record.
        for r in &emrs {
            for e in &r.entries {
                assert!(merged.entries.iter().any(|m| m == e), "{name}: lost {:?}", EntryRef::of(e));
            }
        }
        // The clinical view equals the original's: every original live entry exactly once, no extras.
        let before = view(&original);
        let after = view(&merged);
        let mut seen: BTreeMap<EntryRef, usize> = BTreeMap::new();
        for item in &after.items {
            for m in &item.members {
                *seen.entry(m.clone()).or_default() += 1;
            }
            assert!(
                item.members.iter().any(|m| !m.id.starts_with("b-") && !m.id.starts_with("patient:"))
                    || item.kind == emr_core::model::EntryKind::Opaque,
                "{name}: an item made only of injected copies: {:?}",
                item.members
            );
        }
        for item in &before.items {
            for m in &item.members {
                assert_eq!(seen.get(m), Some(&1), "{name}: original entry {m:?} not present exactly once");
            }
        }
        let patient_items = after.items.iter().filter(|i| i.representative.id.starts_with("patient:")).count();
        assert_eq!(after.items.len() - patient_items, before.items.len(), "{name}: view sizes differ");

        // Injected conflicts and the retraction are reported.
        for id in &inj.criticality_conflicts {
            let c = report.conflicts.iter().find(|c| c.field == "criticality" && c.entries.iter().any(|e| &e.id == id));
            let c = c.unwrap_or_else(|| panic!("{name}: criticality conflict not reported"));
            assert_eq!(c.resolution, Resolution::MostSevere);
        }
        assert_eq!(report.retracted, inj.retracted.iter().cloned().collect::<Vec<_>>(), "{name}");
        assert!(inj.copies > 0 && report.folded.len() >= inj.copies.min(1), "{name}");
        eprintln!(
            "{name}: {} sources, {} copies injected ({} date-only, {} unit changes), {} folded, {} conflicts — {}",
            emrs.len(),
            inj.copies,
            inj.date_only,
            inj.unit_changes,
            report.folded.len(),
            report.conflicts.len(),
            report.summary
        );
    }
}

fn record(source: &str, patient: &str, resources: &[&str]) -> Record {
    let mut r = Record::new(Patient::parse(patient).unwrap());
    r.sources.push(Source::new(source, source.to_uppercase()));
    for (i, text) in resources.iter().enumerate() {
        r.entries.push(Entry::from_text(Provenance::new(source, format!("{source}-{i}")), text).unwrap());
    }
    r
}

const PATIENT: &str = r#"{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.3","value":"MRN-1"}],"name":[{"family":"Okafor","given":["Ada"]}],"birthDate":"1966-04-12","gender":"female"}"#;

#[test]
fn different_patients_are_refused_unless_forced() {
    let other = r#"{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.3","value":"MRN-2"}],"name":[{"family":"Brandt","given":["Kurt"]}],"birthDate":"1950-09-30","gender":"male"}"#;
    let a = record("a", PATIENT, &[]);
    let b = record("b", other, &[]);
    let err = merge(&[a.clone(), b.clone()], &MergeOptions::default()).unwrap_err();
    let MergeError::DifferentPatients { summary, .. } = &err else { panic!("{err}") };
    assert!(!err.to_string().contains("Okafor") && !err.to_string().contains("Brandt"), "{err}");
    assert!(summary.contains("different people"), "{summary}");
    let (_, report) = merge(&[a, b], &MergeOptions { force: true }).unwrap();
    assert!(report.identity.forced);
}

#[test]
fn a_placeholder_patient_says_nothing_about_identity() {
    // A record made by `emr init` without a patient merges with anyone's, as import adds to it:
    // one identity rule (merge::identity::compare_each) for both.
    let a = record("a", PATIENT, &[]);
    let b = record("b", r#"{"resourceType":"Patient","id":"placeholder"}"#, &[]);
    let (_, report) = merge(&[a, b], &MergeOptions::default()).unwrap();
    assert!(report.identity.comparisons.is_empty() && !report.identity.forced);
}

#[test]
fn lab_values_that_differ_at_the_same_time_are_both_kept_and_flagged() {
    let obs = |v: &str, unit: &str| {
        format!(
            r#"{{"resourceType":"Observation","status":"final","category":[{{"coding":[{{"code":"laboratory"}}]}}],"code":{{"coding":[{{"system":"http://loinc.org","code":"2345-7"}}]}},"effectiveDateTime":"2024-02-01T08:00:00Z","valueQuantity":{{"value":{v},"system":"http://unitsofmeasure.org","code":"{unit}"}}}}"#
        )
    };
    let same = merge(
        &[record("a", PATIENT, &[&obs("99", "mg/dL")]), record("b", PATIENT, &[&obs("5.5", "mmol/L")])],
        &MergeOptions::default(),
    )
    .unwrap();
    assert_eq!(view(&same.0).items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Observation).count(), 1);
    assert!(same.1.conflicts.is_empty());
    let differ = merge(
        &[record("a", PATIENT, &[&obs("99", "mg/dL")]), record("b", PATIENT, &[&obs("7.9", "mmol/L")])],
        &MergeOptions::default(),
    )
    .unwrap();
    assert_eq!(view(&differ.0).items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Observation).count(), 2);
    assert_eq!(differ.1.conflicts.len(), 1);
    assert_eq!(differ.1.conflicts[0].resolution, Resolution::BothShown);
}

#[test]
fn condition_active_in_one_source_and_resolved_in_another_shows_the_latest() {
    let cond = |status: &str, recorded: &str| {
        format!(
            r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"{status}"}}]}},"code":{{"coding":[{{"system":"http://snomed.info/sct","code":"195662009"}}]}},"onsetDateTime":"2023-03-01","recordedDate":"{recorded}"}}"#
        )
    };
    let (m, report) = merge(
        &[
            record("a", PATIENT, &[&cond("active", "2023-03-02")]),
            record("b", PATIENT, &[&cond("resolved", "2023-04-20")]),
        ],
        &MergeOptions::default(),
    )
    .unwrap();
    let v = view(&m);
    let item = v.items.iter().find(|i| i.kind == emr_core::model::EntryKind::Condition).unwrap();
    assert_eq!(item.members.len(), 2);
    assert!(item.resource.as_str().contains("resolved"));
    assert_eq!(report.conflicts[0].field, "clinicalStatus");
    assert_eq!(report.conflicts[0].resolution, Resolution::Latest);
}

#[test]
fn medication_with_a_different_dose_is_shown_twice_and_flagged() {
    let med = |dose: &str| {
        format!(
            r#"{{"resourceType":"MedicationRequest","status":"active","intent":"order","medicationCodeableConcept":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975"}}]}},"authoredOn":"2024-01-10","dosageInstruction":[{{"doseAndRate":[{{"doseQuantity":{{"value":{dose},"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}}}]}}]}}"#
        )
    };
    let (m, report) =
        merge(&[record("a", PATIENT, &[&med("500")]), record("b", PATIENT, &[&med("1000")])], &MergeOptions::default())
            .unwrap();
    assert_eq!(view(&m).items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Medication).count(), 2);
    assert_eq!(report.conflicts[0].field, "dosage");
}

#[test]
fn no_known_allergies_never_cancels_a_positive_allergy() {
    let nka = r#"{"resourceType":"AllergyIntolerance","code":{"coding":[{"system":"http://snomed.info/sct","code":"716186003"}]},"patient":{"display":"x"}}"#;
    let peanut = r#"{"resourceType":"AllergyIntolerance","criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"91935009"}]},"patient":{"display":"x"}}"#;
    let no_info = r#"{"resourceType":"AllergyIntolerance","code":{"coding":[{"system":"http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips","code":"no-allergy-info"}]},"patient":{"display":"x"}}"#;
    let (m, report) = merge(
        &[record("a", PATIENT, &[nka]), record("b", PATIENT, &[peanut]), record("c", PATIENT, &[no_info])],
        &MergeOptions::default(),
    )
    .unwrap();
    let allergies: Vec<_> =
        view(&m).items.into_iter().filter(|i| i.kind == emr_core::model::EntryKind::Allergy).collect();
    assert_eq!(allergies.len(), 1);
    assert!(allergies[0].resource.as_str().contains("91935009"));
    assert_eq!(report.suppressed.len(), 2);
    // Without the positive entry, "no known" stands and "no information" is not evidence of anything.
    let (m, _) =
        merge(&[record("a", PATIENT, &[nka]), record("c", PATIENT, &[no_info])], &MergeOptions::default()).unwrap();
    let allergies: Vec<_> =
        view(&m).items.into_iter().filter(|i| i.kind == emr_core::model::EntryKind::Allergy).collect();
    assert_eq!(allergies.len(), 1);
    assert!(allergies[0].resource.as_str().contains("716186003"));
}

#[test]
fn a_retraction_withdraws_only_its_own_sources_assertion() {
    let imm = r#"{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2023-10-05"}"#;
    let wrong = imm.replace("completed", "entered-in-error");
    let mut b = record("b", PATIENT, &[imm]);
    b.entries.push(Entry::from_text(Provenance::new("b", "b-0").with_version(2), &wrong).unwrap());
    let (m, report) = merge(&[record("a", PATIENT, &[imm]), b], &MergeOptions::default()).unwrap();
    let items: Vec<_> =
        view(&m).items.into_iter().filter(|i| i.kind == emr_core::model::EntryKind::Immunization).collect();
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].members,
        vec![EntryRef { source: emr_core::model::SourceId::new("a"), id: "a-0".into(), version: 1 }]
    );
    assert_eq!(report.retracted.len(), 1);
}

#[test]
fn a_clinicians_decision_settles_a_conflict_and_survives_further_merges() {
    use emr_core::merge::{reconcile, versions, Choice, Reconciliation};
    use emr_core::model::SourceKind;
    let allergy = |c: &str| {
        format!(
            r#"{{"resourceType":"AllergyIntolerance","criticality":"{c}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"91936005"}}]}}}}"#
        )
    };
    let (a, b) = (record("a", PATIENT, &[&allergy("low")]), record("b", PATIENT, &[&allergy("high")]));
    let (ehr, report) = merge(&[a.clone(), b.clone()], &MergeOptions::default()).unwrap();
    let conflict = report.conflicts.iter().find(|c| c.field == "criticality").unwrap();
    // Side by side: each version with its source.
    let sides = versions(&ehr, &conflict.entries).unwrap();
    assert_eq!(sides.len(), 2);
    assert!(sides.iter().all(|v| v.source.is_some()));
    let clinician = Source { kind: SourceKind::Clinician, ..Source::new("dr-osei", "Dr. Osei") };
    let low = conflict.entries.iter().find(|r| r.source.as_str() == "a").unwrap().clone();
    let decided = reconcile(
        &ehr,
        &Reconciliation {
            clinician,
            settles: conflict.entries.clone(),
            choice: Choice::Accept(low),
            recorded: "2026-02-01T09:00:00Z".parse().unwrap(),
        },
    )
    .unwrap();
    let v = view(&decided);
    let items: Vec<_> = v.items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Allergy).collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].resource.as_str().contains(r#""criticality":"low""#));
    assert_eq!(items[0].representative.source.as_str(), "dr-osei");
    assert!(v.conflicts.iter().any(|c| c.resolution == Resolution::Clinician));
    assert!(!v.conflicts.iter().any(|c| c.field == "criticality"));
    // The decision is one more assertion: merging again, in any order, keeps it honoured.
    let again1 = merge(&[decided.clone(), a.clone(), b.clone()], &MergeOptions::default()).unwrap().0;
    let again2 = merge(&[b, decided.clone(), a], &MergeOptions::default()).unwrap().0;
    assert_eq!(serde_json::to_string(&again1).unwrap(), serde_json::to_string(&again2).unwrap());
    assert_eq!(view(&again1).items.len(), view(&decided).items.len());
}

#[test]
fn a_rejected_version_leaves_the_view() {
    use emr_core::merge::{reconcile, Choice, Reconciliation};
    use emr_core::model::SourceKind;
    let imm = |day: &str| {
        format!(
            r#"{{"resourceType":"Immunization","status":"completed","vaccineCode":{{"coding":[{{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}}]}},"occurrenceDateTime":"2023-10-{day}"}}"#
        )
    };
    let (ehr, _) =
        merge(&[record("a", PATIENT, &[&imm("05")]), record("b", PATIENT, &[&imm("19")])], &MergeOptions::default())
            .unwrap();
    assert_eq!(view(&ehr).items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Immunization).count(), 2);
    let wrong = EntryRef { source: emr_core::model::SourceId::new("b"), id: "b-0".into(), version: 1 };
    let clinician = Source { kind: SourceKind::Clinician, ..Source::new("dr-osei", "Dr. Osei") };
    let decided = reconcile(
        &ehr,
        &Reconciliation {
            clinician,
            settles: vec![],
            choice: Choice::Reject(wrong.clone()),
            recorded: "2026-02-01T09:00:00Z".parse().unwrap(),
        },
    );
    assert!(decided.is_err(), "a decision must settle something");
    let clinician = Source { kind: SourceKind::Clinician, ..Source::new("dr-osei", "Dr. Osei") };
    let decided = reconcile(
        &ehr,
        &Reconciliation {
            clinician,
            settles: vec![wrong.clone()],
            choice: Choice::Reject(wrong.clone()),
            recorded: "2026-02-01T09:00:00Z".parse().unwrap(),
        },
    )
    .unwrap();
    let v = view(&decided);
    assert_eq!(v.items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Immunization).count(), 1);
    assert!(v.suppressed.iter().any(|s| s.entry == wrong));
    // Nothing was removed from the record: the rejected entry is still there, as history.
    assert!(decided.entries.iter().any(|e| EntryRef::of(e) == wrong));
}

/// An active Condition, onset 2020-03-01, coded with `codings` (system, code).
fn condition(codings: &[(&str, &str)]) -> String {
    let codings: Vec<String> = codings.iter().map(|(s, c)| format!(r#"{{"system":"{s}","code":"{c}"}}"#)).collect();
    format!(
        r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"active"}}]}},"code":{{"coding":[{}]}},"onsetDateTime":"2020-03-01"}}"#,
        codings.join(",")
    )
}

/// The number of Condition items in the view of `records` merged.
fn conditions(records: &[Record]) -> usize {
    let (merged, _) = merge(records, &MergeOptions::default()).unwrap();
    view(&merged).items.iter().filter(|i| i.kind == emr_core::model::EntryKind::Condition).count()
}

#[test]
fn codes_of_other_systems_and_long_codes_fold_like_the_others() {
    // Codes of a system emr does not know, codes too long to keep in place, and entries with
    // more codes than are kept in place take the keyed-by-text path; a code shared with an entry
    // on the in-place path still meets it.
    let snomed = "http://snomed.info/sct";
    let long = "1".repeat(30);
    type Codings<'a> = Vec<(&'a str, &'a str)>;
    let cases: [(Codings, Codings, usize); 4] = [
        (vec![("http://example.org/local", "X1")], vec![("http://example.org/local", "X1")], 1),
        (vec![(snomed, &long)], vec![(snomed, &long)], 1),
        (
            vec![(snomed, "44054006"), ("http://example.org/a", "1"), ("http://example.org/b", "2")],
            vec![(snomed, "44054006")],
            1,
        ),
        (vec![(snomed, &long)], vec![(snomed, "111111111111111111")], 2),
    ];
    for (a, b, items) in cases {
        let n = conditions(&[record("a", PATIENT, &[&condition(&a)]), record("b", PATIENT, &[&condition(&b)])]);
        assert_eq!(n, items, "{a:?} / {b:?}");
    }
}

#[test]
fn codes_of_different_systems_fold_only_when_an_entry_carries_both() {
    // SNOMED CT 44054006 and ICD-10-CM E11.9 both mean type 2 diabetes, but emr does not map
    // between code systems: only an input that codes one entry in both says they are the same.
    let snomed = ("http://snomed.info/sct", "44054006");
    let icd = ("http://hl7.org/fhir/sid/icd-10-cm", "E11.9");
    let a = record("a", PATIENT, &[&condition(&[snomed])]);
    let b = record("b", PATIENT, &[&condition(&[icd])]);
    assert_eq!(conditions(&[a.clone(), b.clone()]), 2, "different systems alone never fold");
    let c = record("c", PATIENT, &[&condition(&[snomed, icd])]);
    assert_eq!(conditions(&[a, b, c]), 1, "a dual-coded entry says the codes are one concept");
}
