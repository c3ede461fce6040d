//! The patient bundle: sealed with age, opened back losslessly, readable by any age tool and any
//! FHIR tool, and every kind of bad input refused with a clear error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Read;
use std::path::Path;

use age::secrecy::ExposeSecret;
use chrono::{TimeZone, Utc};
use emr_core::bundle::{open, seal, BundleError, OpenKey, SealKey};
use emr_core::fhir::{import, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::merge::{reconcile, view, Choice, Reconciliation};
use emr_core::model::{Entry, Provenance, Record, Source, SourceKind};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn record() -> Record {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data/fhir/Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json");
    import(&std::fs::read_to_string(path).unwrap(), &ImportOptions::default(), now()).unwrap().record
}

const PASS: SealKey<'static> = SealKey::Passphrase { passphrase: "tulip-harbor-93", work_factor: Some(10) };

#[test]
fn a_bundle_opens_back_to_the_same_clinical_record() {
    let r = record();
    let sealed = seal(&r, &PASS, "2026-11-01T00:00:00Z".parse().unwrap()).unwrap();
    let opened = open(&sealed, &OpenKey::Passphrase("tulip-harbor-93"), now()).unwrap();
    // Every assertion comes back, attributed to the same sources.
    assert_eq!(opened.record.entries.len(), r.entries.len());
    for e in &r.entries {
        let back = opened.record.entries.iter().find(|b| b.resource() == e.resource()).expect("entry lost");
        assert_eq!(back.provenance().source, e.provenance().source);
    }
    assert_eq!(
        opened.record.sources.iter().map(|s| &s.id).collect::<Vec<_>>(),
        r.sources.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert_eq!(view(&opened.record).items.len(), view(&r).items.len());
    // The IPS comes first.
    let tree = json::parse(&opened.fhir).unwrap();
    assert_eq!(tree.pointer("/entry/0/resource/type").and_then(Json::as_str), Some("document"));
}

#[test]
fn any_age_tool_and_any_fhir_reader_can_read_it() {
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let sealed = seal(&record(), &SealKey::Recipients(&[recipient]), "2026-11-01T00:00:00Z".parse().unwrap()).unwrap();
    // Decrypt with the age crate's own API (as `age -d` would), gunzip, parse as plain JSON.
    let gz = age::decrypt(&identity, &sealed).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut text).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["resourceType"], "Bundle");
    assert_eq!(v["type"], "collection");
    // And emr opens it with the identity string.
    let secret = identity.to_string();
    assert!(open(&sealed, &OpenKey::Identity(secret.expose_secret()), now()).is_ok());
}

#[test]
fn bad_input_gives_a_distinct_clear_error() {
    let sealed = seal(&record(), &PASS, "2026-11-01T00:00:00Z".parse().unwrap()).unwrap();
    let key = OpenKey::Passphrase("tulip-harbor-93");
    let err = |bytes: &[u8], key: &OpenKey<'_>| open(bytes, key, now()).unwrap_err();
    assert!(matches!(err(&sealed, &OpenKey::Passphrase("wrong")), BundleError::WrongKey));
    assert!(matches!(err(&sealed[..sealed.len() / 2], &key), BundleError::Corrupted));
    let mut flipped = sealed.clone();
    let at = flipped.len() - 100;
    flipped[at] ^= 0x01;
    assert!(matches!(err(&flipped, &key), BundleError::Corrupted));
    assert!(matches!(err(b"{\"resourceType\":\"Bundle\"}", &key), BundleError::NotAge));
    assert!(matches!(err(b"", &key), BundleError::NotAge | BundleError::Corrupted));
    assert!(matches!(err(&sealed, &OpenKey::Identity("not a key")), BundleError::BadIdentity));
    let other = age::x25519::Identity::generate().to_string();
    assert!(matches!(err(&sealed, &OpenKey::Identity(other.expose_secret())), BundleError::WrongKey));
    // Not our content inside a valid age file.
    let junk = age::encrypt(&age::scrypt::Recipient::new("tulip-harbor-93".to_owned().into()), b"hello").unwrap();
    assert!(matches!(err(&junk, &key), BundleError::NotABundle));
    // Messages name the problem, never content.
    for e in [BundleError::WrongKey, BundleError::Corrupted, BundleError::NotAge] {
        assert!(!e.to_string().contains("Rufus"));
    }
    assert!(matches!(
        seal(&record(), &SealKey::Recipients(&["age1nope".to_owned()]), "2026-01-01".parse().unwrap()),
        Err(BundleError::BadRecipient(0))
    ));
    assert!(matches!(seal(&Record::default(), &PASS, "2026-01-01".parse().unwrap()), Err(BundleError::NoPatient)));
}

/// The demo's two clinics merged: both sent some resources (a shared Practitioner, say) under
/// the same full URLs.
fn merged_demo() -> Record {
    let clinic = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo").join(format!("{name}.json"));
        import(&std::fs::read_to_string(path).unwrap(), &ImportOptions::default(), now()).unwrap().record
    };
    let (merged, _) =
        emr_core::merge::merge(&[clinic("clinic-a"), clinic("clinic-b")], &emr_core::merge::MergeOptions::default())
            .unwrap();
    merged
}

/// The record's assertions in a stable order.
fn sorted_entries(r: &Record) -> Vec<(emr_core::model::Provenance, String)> {
    let mut out: Vec<_> =
        r.entries.iter().map(|e| (e.provenance().clone(), e.resource().as_str().to_owned())).collect();
    out.sort_by(|a, b| (&a.0.source, &a.0.id, a.0.version).cmp(&(&b.0.source, &b.0.id, b.0.version)));
    out
}

/// Assert two lists of assertions are equal, naming the ones that differ.
fn assert_same(got: &[(emr_core::model::Provenance, String)], want: &[(emr_core::model::Provenance, String)]) {
    let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).map(|w| &w.0).collect();
    let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).map(|g| &g.0).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:?}\nextra: {extra:?}");
    assert_eq!(got.len(), want.len());
}

#[test]
fn assertions_sharing_a_full_url_survive_export_and_the_bundle() {
    let r = merged_demo();
    let mut urls: Vec<_> = r.entries.iter().filter_map(|e| e.provenance().full_url.clone()).collect();
    let all = urls.len();
    urls.sort();
    urls.dedup();
    assert!(urls.len() < all, "the demo has assertions sharing a full URL (the case under test)");

    // The collection Bundle gives every entry its own full URL (FHIR bdl-7)…
    let text = emr_core::fhir::to_bundle(
        &r,
        &emr_core::fhir::ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() },
    );
    let tree = json::parse(&text).unwrap();
    let mut exported: Vec<&str> = tree
        .get("entry")
        .and_then(Json::as_array)
        .unwrap()
        .iter()
        .filter_map(|e| e.get("fullUrl").and_then(Json::as_str))
        .collect();
    let n = exported.len();
    exported.sort_unstable();
    exported.dedup();
    assert_eq!(exported.len(), n, "full URLs are unique in the exported Bundle");
    // …and imports back to the same assertions (each source's Patient kept as its `patient:`
    // entry), with the full URLs they came with, and the same sources.
    let back = import(&text, &ImportOptions::default(), now()).unwrap().record;
    assert_same(&sorted_entries(&back), &sorted_entries(&r));
    assert_eq!(back.sources, r.sources);
    assert_eq!(view(&back).items.len(), view(&r).items.len());

    // The same through the sealed patient bundle.
    let sealed = seal(&r, &PASS, "2026-11-01T00:00:00Z".parse().unwrap()).unwrap();
    let opened = open(&sealed, &OpenKey::Passphrase("tulip-harbor-93"), now()).unwrap();
    assert_same(&sorted_entries(&opened.record), &sorted_entries(&r));
    assert_eq!(opened.record.sources, r.sources);
    assert_eq!(view(&opened.record).items.len(), view(&r).items.len());
    assert_eq!(emr_core::query::timeline(&opened.record), emr_core::query::timeline(&r));
}

/// The merged demo after a clinician settled its first conflict, choosing the version the view
/// did not show, and after a clinic added a reading by hand as `emr add` does (a plain id, a
/// recording time, no full URL, two versions) under a source with no name. Sources sorted, as
/// import gives them.
fn decided_demo() -> Record {
    let r = merged_demo();
    let v = view(&r);
    let conflict = v.conflicts.first().expect("the demo has a conflict");
    let shown = v.items.iter().find(|i| i.members.contains(&conflict.entries[0])).unwrap();
    let other = conflict.entries.iter().find(|e| **e != shown.representative).unwrap().clone();
    let clinician = Source { kind: SourceKind::Clinician, ..Source::new("dr-lee", "Dr. Ana Lee") };
    let decision = Reconciliation {
        clinician,
        settles: conflict.entries.clone(),
        choice: Choice::Accept(other),
        recorded: "2026-10-02T09:30:00+02:00".parse().unwrap(),
    };
    let mut decided = reconcile(&r, &decision).unwrap();
    let reading = |value: u32| {
        format!(
            r#"{{"resourceType":"Observation","id":"bp-1","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"8480-6"}}]}},"effectiveDateTime":"2026-10-01T09:00:00Z","valueQuantity":{{"value":{value},"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}}}"#
        )
    };
    for (version, value, at) in [(1, 128, "2026-10-01T09:05:00Z"), (2, 132, "2026-10-01T09:40:00Z")] {
        let p = Provenance::new("local", "bp-1").with_version(version).with_recorded(at.parse().unwrap());
        decided.entries.push(Entry::from_text(p, &reading(value)).unwrap());
    }
    decided.sources.push(Source { name: None, ..Source::new("local", "") });
    decided.sources.sort();
    decided
}

#[test]
fn decisions_and_added_entries_survive_export_and_the_bundle() {
    let r = decided_demo();
    // The decision matters: it changes the view.
    assert_ne!(view(&r), view(&merged_demo()));
    let text = emr_core::fhir::to_bundle(
        &r,
        &emr_core::fhir::ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() },
    );
    let imported = import(&text, &ImportOptions::default(), now()).unwrap();
    let back = imported.record;
    assert_same(&sorted_entries(&back), &sorted_entries(&r));
    assert_eq!(back.sources, r.sources);
    assert_eq!(back, r);
    // The view honours the clinician's decision after the round trip.
    assert_eq!(view(&back), view(&r));
    // Every source keeps its Patient as an entry: none is reported as a second patient.
    assert!(!imported.findings.iter().any(|f| f.code == "fhir.patient.multiple"), "{:#?}", imported.findings);

    let sealed = seal(&r, &PASS, "2026-11-01T00:00:00Z".parse().unwrap()).unwrap();
    let opened = open(&sealed, &OpenKey::Passphrase("tulip-harbor-93"), now()).unwrap();
    assert_eq!(opened.record, r);
    assert_eq!(view(&opened.record), view(&r));
}
