//! Exports other software accepts: reference closure of every export, measured by code that
//! reads only the exported text (not emr's model).
//!
//! For a Bundle (clinical view, IPS): references that resolve to no entry (by full URL, by
//! `Type/id` against an entry's type and id or its full URL's base, or `#id` to a contained
//! resource), conditional references (`Type?…`, valid only in a transaction), and full URLs that
//! are invalid for their scheme (a `urn:uuid:` that is not an RFC 4122 UUID). For NDJSON: `urn:`
//! references, ids duplicated within a type, and relative references that no line of the export
//! resolves.
//!
//! Run over the demo, every shared Synthea patient (whole, and split per source then merged
//! back) and the official R4 examples. Shared data: skipped when absent, failing instead when
//! `EMR_REQUIRE_SHARED_DATA=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, to_ips, to_ndjson, to_view_bundle, ExportOptions, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::merge::{merge, MergeOptions};
use emr_core::model::Record;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn options() -> ExportOptions {
    ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() }
}

fn shared(dir: &str) -> Option<PathBuf> {
    common::shared_data(dir)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn import_text(text: &str) -> Record {
    import(text, &ImportOptions::default(), now()).unwrap().record
}

/// What the closure check found in one export.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Closure {
    references: usize,
    /// References that resolve to nothing in the export (pointer, reference).
    unresolved: Vec<(String, String)>,
    /// Absolute `http(s):` references to no entry: allowed when the input had them.
    external: Vec<(String, String)>,
    /// `Type?query` references (pointer, reference).
    conditional: Vec<(String, String)>,
    /// Of those, the ones an entry's identifier matches (`Type?identifier=system|value`).
    conditional_held: Vec<(String, String)>,
    /// Full URLs invalid for their scheme.
    invalid_urls: Vec<String>,
    /// NDJSON: `urn:` references.
    urn: Vec<(String, String)>,
    /// NDJSON: (type, id) written more than once.
    duplicate_ids: Vec<String>,
}

impl Closure {
    fn problems(&self) -> usize {
        self.unresolved.len()
            + self.conditional.len()
            + self.invalid_urls.len()
            + self.urn.len()
            + self.duplicate_ids.len()
    }

    fn add(&mut self, other: Closure) {
        self.references += other.references;
        self.unresolved.extend(other.unresolved);
        self.external.extend(other.external);
        self.conditional.extend(other.conditional);
        self.conditional_held.extend(other.conditional_held);
        self.invalid_urls.extend(other.invalid_urls);
        self.urn.extend(other.urn);
        self.duplicate_ids.extend(other.duplicate_ids);
    }

    fn summary(&self) -> String {
        format!(
            "{} references: {} unresolved, {} conditional, {} invalid full URLs, {} urn: in NDJSON, {} duplicate ids, {} external; first unresolved: {:?}; first conditional: {:?}; first invalid: {:?}; first urn: {:?}; first duplicate: {:?}",
            self.references,
            self.unresolved.len(),
            self.conditional.len(),
            self.invalid_urls.len(),
            self.urn.len(),
            self.duplicate_ids.len(),
            self.external.len(),
            self.unresolved.iter().take(5).collect::<Vec<_>>(),
            self.conditional.iter().take(3).collect::<Vec<_>>(),
            self.invalid_urls.iter().take(3).collect::<Vec<_>>(),
            self.urn.iter().take(3).collect::<Vec<_>>(),
            self.duplicate_ids.iter().take(3).collect::<Vec<_>>(),
        )
    }
}

/// An RFC 4122 UUID, textually: 8-4-4-4-12 lower- or upper-case hex digits.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// A full URL valid for its scheme: `urn:uuid:` + UUID, `urn:oid:` + OID, or an absolute URL.
fn valid_full_url(url: &str) -> bool {
    if let Some(uuid) = url.strip_prefix("urn:uuid:") {
        return is_uuid(uuid);
    }
    if let Some(oid) = url.strip_prefix("urn:oid:") {
        return oid.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    }
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("urn:")
}

/// Every `reference` string in a resource tree, with its JSON pointer.
fn references<'j>(tree: &'j Json<'_>, pointer: String, out: &mut Vec<(String, &'j str)>) {
    match tree {
        Json::Object(members) => {
            for (k, v) in members {
                let at = format!("{pointer}/{k}");
                match (k.as_ref(), v) {
                    ("reference", Json::String(r)) => out.push((at, r.as_ref())),
                    _ => references(v, at, out),
                }
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                references(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn contained_ids(resource: &Json<'_>) -> BTreeSet<String> {
    resource
        .get("contained")
        .and_then(Json::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.get("id").and_then(Json::as_str).map(str::to_owned))
        .collect()
}

/// `Type/id` of a reference or URL (its last two path segments, history stripped).
fn type_id(reference: &str) -> Option<(&str, &str)> {
    let path = reference.split("/_history/").next().unwrap_or(reference);
    let mut parts = path.rsplit('/');
    let (id, ty) = (parts.next()?, parts.next()?);
    (ty.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !id.is_empty()).then_some((ty, id))
}

/// The closure of a Bundle's text.
fn bundle_closure(text: &str) -> Closure {
    let tree = json::parse(text).unwrap();
    let mut c = Closure::default();
    let entries = tree.get("entry").and_then(Json::as_array).unwrap_or_default();
    let mut urls = BTreeSet::new();
    let mut ids = BTreeSet::new();
    // `Type?identifier=system|value` of every entry's identifiers.
    let mut by_identifier = BTreeSet::new();
    for e in entries {
        let url = e.get("fullUrl").and_then(Json::as_str);
        match url {
            Some(u) if valid_full_url(u) => {}
            other => c.invalid_urls.push(other.unwrap_or("(none)").to_owned()),
        }
        if let Some(u) = url {
            urls.insert(u.to_owned());
        }
        let r = e.get("resource");
        let ty = r.and_then(|r| r.get("resourceType")).and_then(Json::as_str);
        let id = r.and_then(|r| r.get("id")).and_then(Json::as_str);
        if let (Some(ty), Some(id)) = (ty, id) {
            ids.insert(format!("{ty}/{id}"));
        }
        let identifiers = r.and_then(|r| r.get("identifier"));
        let identifiers = match identifiers {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        for i in identifiers {
            let system = i.get("system").and_then(Json::as_str).unwrap_or_default();
            let value = i.get("value").and_then(Json::as_str).unwrap_or_default();
            by_identifier.insert(format!("{}?identifier={system}|{value}", ty.unwrap_or_default()));
        }
    }
    for (k, e) in entries.iter().enumerate() {
        let Some(resource) = e.get("resource") else { continue };
        // A Bundle entry (kept whole, as received) resolves its references among its own
        // entries: checked as a Bundle of its own (its full URLs are the input's business).
        if resource.get("resourceType").and_then(Json::as_str) == Some("Bundle") {
            let inner = bundle_closure(&resource.to_compact_string());
            c.references += inner.references;
            c.unresolved.extend(inner.unresolved);
            c.external.extend(inner.external);
            c.conditional.extend(inner.conditional);
            c.conditional_held.extend(inner.conditional_held);
            continue;
        }
        let base = e.get("fullUrl").and_then(Json::as_str).and_then(|u| {
            let (ty, id) = type_id(u)?;
            u.strip_suffix(&format!("{ty}/{id}"))
        });
        let contained = contained_ids(resource);
        let mut refs = Vec::new();
        references(resource, format!("/entry/{k}/resource"), &mut refs);
        for (at, r) in refs {
            c.references += 1;
            if let Some(local) = r.strip_prefix('#') {
                if local.is_empty() || contained.contains(local) {
                    continue;
                }
                c.unresolved.push((at, r.to_owned()));
                continue;
            }
            if r.contains('?') {
                let decoded = r.replace("%7C", "|").replace("%7c", "|");
                if by_identifier.contains(&decoded) {
                    c.conditional_held.push((at.clone(), r.to_owned()));
                }
                c.conditional.push((at, r.to_owned()));
                continue;
            }
            let plain = r.split("/_history/").next().unwrap_or(r);
            if urls.contains(plain) {
                continue;
            }
            if !r.contains(':') {
                if let Some((ty, id)) = type_id(r) {
                    if ids.contains(&format!("{ty}/{id}"))
                        || base.is_some_and(|b| urls.contains(&format!("{b}{ty}/{id}")))
                    {
                        continue;
                    }
                }
            }
            if r.starts_with("http://") || r.starts_with("https://") {
                c.external.push((at, r.to_owned()));
            } else {
                c.unresolved.push((at, r.to_owned()));
            }
        }
    }
    c
}

/// The closure of an NDJSON export (type → text).
fn ndjson_closure(files: &BTreeMap<String, String>) -> Closure {
    let mut c = Closure::default();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut trees = Vec::new();
    for (ty, text) in files {
        for (n, line) in text.lines().enumerate() {
            let tree = json::parse(line).unwrap();
            let id = tree.get("id").and_then(Json::as_str).unwrap_or_default().to_owned();
            if !ids.insert(format!("{ty}/{id}")) || id.is_empty() {
                c.duplicate_ids.push(format!("{ty}/{id}"));
            }
            trees.push((format!("{ty}.ndjson:{}", n + 1), line.to_owned()));
        }
    }
    for (at, line) in &trees {
        let tree = json::parse(line).unwrap();
        let contained = contained_ids(&tree);
        let mut refs = Vec::new();
        references(&tree, at.clone(), &mut refs);
        for (at, r) in refs {
            c.references += 1;
            if let Some(local) = r.strip_prefix('#') {
                if !(local.is_empty() || contained.contains(local)) {
                    c.unresolved.push((at, r.to_owned()));
                }
            } else if r.starts_with("urn:") {
                c.urn.push((at, r.to_owned()));
            } else if r.starts_with("http://") || r.starts_with("https://") {
                c.external.push((at, r.to_owned()));
            } else if r.contains('?') {
                c.conditional.push((at, r.to_owned()));
            } else if !type_id(r).is_some_and(|(ty, id)| ids.contains(&format!("{ty}/{id}"))) {
                c.unresolved.push((at, r.to_owned()));
            }
        }
    }
    c
}

/// Every export other software reads, of one record: clinical view, IPS (when the record has a
/// patient) and NDJSON.
fn exports(record: &Record) -> (Closure, Closure, Closure) {
    let view = bundle_closure(&to_view_bundle(record, &options()));
    let ips = match to_ips(record, &options()) {
        Ok(text) => bundle_closure(&text),
        Err(_) => Closure::default(),
    };
    let ndjson = ndjson_closure(&to_ndjson(record, &options()));
    (view, ips, ndjson)
}

fn synthea_records() -> Option<Vec<(String, Record)>> {
    common::synthea_records()
}

fn demo() -> Record {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo");
    let a = import_text(&std::fs::read_to_string(dir.join("clinic-a.json")).unwrap());
    let b = import_text(&std::fs::read_to_string(dir.join("clinic-b.json")).unwrap());
    merge(&[a, b], &MergeOptions::default()).unwrap().0
}

fn assert_closed(what: &str, totals: [(&str, Closure); 3]) {
    let mut failed = Vec::new();
    for (kind, c) in &totals {
        eprintln!("{what}, {kind}: {}", c.summary());
        if c.problems() > 0 {
            failed.push(format!("{kind}: {}", c.summary()));
        }
    }
    assert!(failed.is_empty(), "{what}: exports not closed:\n{}", failed.join("\n"));
}

#[test]
fn the_checker_finds_what_it_should() {
    let bundle = r##"{"resourceType":"Bundle","type":"collection","entry":[
      {"fullUrl":"urn:uuid:b-1","resource":{"resourceType":"Patient","id":"p"}},
      {"fullUrl":"http://x.org/fhir/Observation/o","resource":{"resourceType":"Observation","id":"o",
        "contained":[{"resourceType":"Device","id":"d"}],
        "subject":{"reference":"Patient/p"},"device":{"reference":"#d"},"focus":[{"reference":"#e"}],
        "performer":[{"reference":"Practitioner?identifier=x|1"},{"reference":"Practitioner/nope"},{"reference":"http://elsewhere/Practitioner/1"}],
        "hasMember":[{"reference":"Observation/o"},{"reference":"urn:uuid:b-1"}]}}]}"##;
    let c = bundle_closure(bundle);
    assert_eq!(c.references, 8);
    assert_eq!(c.invalid_urls, vec!["urn:uuid:b-1".to_owned()]);
    assert_eq!(c.conditional.len(), 1);
    assert_eq!(c.external.len(), 1);
    let unresolved: Vec<&str> = c.unresolved.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(unresolved, vec!["#e", "Practitioner/nope"]);

    let mut files = BTreeMap::new();
    files.insert(
        "Patient".to_owned(),
        "{\"resourceType\":\"Patient\",\"id\":\"p\"}\n{\"resourceType\":\"Patient\",\"id\":\"p\"}\n".to_owned(),
    );
    files.insert(
        "Observation".to_owned(),
        "{\"resourceType\":\"Observation\",\"id\":\"o\",\"subject\":{\"reference\":\"Patient/p\"},\"focus\":[{\"reference\":\"urn:uuid:x\"},{\"reference\":\"Encounter/e\"}]}\n".to_owned(),
    );
    let c = ndjson_closure(&files);
    assert_eq!(c.duplicate_ids, vec!["Patient/p".to_owned()]);
    assert_eq!(c.urn.len(), 1);
    assert_eq!(c.unresolved.len(), 1);
}

#[test]
fn demo_exports_are_closed() {
    let (view, ips, ndjson) = exports(&demo());
    assert_closed("demo", [("clinical view", view), ("IPS", ips), ("NDJSON", ndjson)]);
}

#[test]
fn synthea_exports_are_closed_whole_and_merged() {
    let Some(records) = synthea_records() else { return };
    let (mut view, mut ips, mut ndjson) = (Closure::default(), Closure::default(), Closure::default());
    for (name, record) in &records {
        let (v, i, n) = exports(record);
        if v.problems() + i.problems() + n.problems() > 0 {
            eprintln!("{name}: view {} / IPS {} / NDJSON {} problems", v.problems(), i.problems(), n.problems());
        }
        view.add(v);
        ips.add(i);
        ndjson.add(n);
    }
    assert_closed("shared Synthea patients", [("clinical view", view), ("IPS", ips), ("NDJSON", ndjson)]);
}

#[test]
fn official_examples_export_no_worse_than_they_came() {
    let Some(dir) = shared("fhir-r4-examples") else { return };
    let files = json_files(&dir);
    assert_eq!(files.len(), 697);
    let (mut view, mut ips, mut ndjson) = (Closure::default(), Closure::default(), Closure::default());
    let mut worse = Vec::new();
    let (mut conditional_inputs, mut conditional_held) = (0, 0);
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let record = import_text(&text);
        // What the input itself leaves unresolved (a lone resource: every outside reference)
        // the export may keep as received; it may add nothing.
        let tree = json::parse(&text).unwrap();
        let input = if tree.get("resourceType").and_then(Json::as_str) == Some("Bundle") {
            bundle_closure(&text)
        } else {
            let wrapped = format!(r#"{{"resourceType":"Bundle","type":"collection","entry":[{{"resource":{text}}}]}}"#);
            bundle_closure(&wrapped)
        };
        // A conditional reference whose target the input holds must be resolved by the export.
        let held: BTreeSet<&str> = input.conditional_held.iter().map(|(_, r)| r.as_str()).collect();
        let could_not: BTreeSet<&str> = input
            .unresolved
            .iter()
            .chain(&input.conditional)
            .map(|(_, r)| r.as_str())
            .filter(|r| !held.contains(r))
            .collect();
        conditional_inputs += input.conditional.len();
        conditional_held += held.len();
        let (mut v, mut i, mut n) = exports(&record);
        for c in [&mut v, &mut i] {
            c.unresolved.retain(|(_, r)| !could_not.contains(r.as_str()));
            c.conditional.retain(|(_, r)| !could_not.contains(r.as_str()));
        }
        // NDJSON writes relative references: a reference the input left unresolved is one too.
        let could_not_relative: BTreeSet<String> =
            could_not.iter().filter_map(|r| type_id(r).map(|(t, id)| format!("{t}/{id}"))).collect();
        n.unresolved.retain(|(_, r)| !could_not.contains(r.as_str()) && !could_not_relative.contains(r.as_str()));
        n.conditional.retain(|(_, r)| !could_not.contains(r.as_str()));
        n.urn.retain(|(_, r)| !could_not.contains(r.as_str()));
        if v.problems() + i.problems() + n.problems() > 0 {
            eprintln!("{name}: view {} / IPS {} / NDJSON {}", v.summary(), i.summary(), n.summary());
            worse.push(name);
        }
        view.add(v);
        ips.add(i);
        ndjson.add(n);
    }
    eprintln!("conditional references in the inputs: {conditional_inputs}, of which the input holds the target: {conditional_held}");
    eprintln!(
        "files whose export is less closed than the input: {}: {:?}",
        worse.len(),
        worse.iter().take(10).collect::<Vec<_>>()
    );
    assert_closed("official R4 examples", [("clinical view", view), ("IPS", ips), ("NDJSON", ndjson)]);
}

/// A transaction as Synthea's HIV modules write it: conditional references to the
/// practitioner, organization and location the Bundle itself holds, and one to a practitioner
/// it does not hold.
const CONDITIONAL: &str = r#"{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111","resource":{"resourceType":"Patient","id":"11111111-1111-4111-8111-111111111111"},"request":{"method":"POST","url":"Patient"}},
 {"fullUrl":"urn:uuid:22222222-2222-4222-8222-222222222222","resource":{"resourceType":"Practitioner","id":"22222222-2222-4222-8222-222222222222","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999951"}]},"request":{"method":"POST","url":"Practitioner","ifNoneExist":"identifier=http://hl7.org/fhir/sid/us-npi|9999951"}},
 {"fullUrl":"urn:uuid:33333333-3333-4333-8333-333333333333","resource":{"resourceType":"Organization","id":"33333333-3333-4333-8333-333333333333","identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"org-1"}],"name":"Clinic"},"request":{"method":"POST","url":"Organization"}},
 {"fullUrl":"urn:uuid:44444444-4444-4444-8444-444444444444","resource":{"resourceType":"Encounter","id":"44444444-4444-4444-8444-444444444444","status":"finished","class":{"code":"AMB"},"subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"},
   "participant":[{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999951"}},{"individual":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|0000000"}}],
   "serviceProvider":{"reference":"Organization?identifier=https://github.com/synthetichealth/synthea%7Corg-1"}},"request":{"method":"POST","url":"Encounter"}},
 {"fullUrl":"urn:uuid:55555555-5555-4555-8555-555555555555","resource":{"resourceType":"Condition","id":"55555555-5555-4555-8555-555555555555","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}]},
   "subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"},"encounter":{"reference":"urn:uuid:44444444-4444-4444-8444-444444444444"},
   "asserter":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999951"}}},"request":{"method":"POST","url":"Condition"}}]}"#;

#[test]
fn conditional_and_logical_references_resolve_to_the_held_target_and_others_are_reported() {
    let record = import_text(CONDITIONAL);
    let out = emr_core::fhir::export_view(&record, &options());
    let c = bundle_closure(&out.output);
    assert!(c.conditional.iter().all(|(_, r)| r.ends_with("|0000000")), "{}", c.summary());
    assert_eq!(c.conditional.len(), 1, "{}", c.summary());
    assert!(c.unresolved.is_empty(), "{}", c.summary());
    assert!(out.output.contains(r#""individual":{"reference":"urn:uuid:22222222-2222-4222-8222-222222222222"}"#));
    assert!(out.output.contains(r#""serviceProvider":{"reference":"urn:uuid:33333333-3333-4333-8333-333333333333"}"#));
    // The logical reference gains the reference to the held practitioner, its identifier kept.
    assert!(out.output.contains(
        r#""asserter":{"reference":"urn:uuid:22222222-2222-4222-8222-222222222222","identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999951"}}"#
    ));
    // The one the record does not hold: kept as received, and reported by path only.
    assert_eq!(out.references.unresolved(), 1);
    let kept = &out.references.kept[0];
    assert_eq!((kept.path.as_str(), kept.reason), ("/participant/1/individual", emr_core::fhir::Unresolved::NotHeld));
    let ndjson = ndjson_closure(&to_ndjson(&record, &options()));
    assert_eq!(
        (ndjson.urn.len(), ndjson.unresolved.len(), ndjson.conditional.len()),
        (0, 0, 1),
        "{}",
        ndjson.summary()
    );
}

#[test]
fn a_reference_to_a_folded_assertion_reaches_the_item_whose_provenance_names_it() {
    let clinic = |source: &str, obs: &str, report: &str| {
        let text = format!(
            r#"{{"resourceType":"Bundle","type":"collection","entry":[
             {{"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111","resource":{{"resourceType":"Patient","id":"11111111-1111-4111-8111-111111111111","birthDate":"1970-01-01","name":[{{"family":"Doe","given":["Jo"]}}]}}}},
             {{"fullUrl":"urn:uuid:{obs}","resource":{{"resourceType":"Observation","id":"{obs}","status":"final","category":[{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}}]}}],"code":{{"coding":[{{"system":"http://loinc.org","code":"4548-4"}}]}},"subject":{{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"}},"effectiveDateTime":"2025-01-02T10:00:00Z","valueQuantity":{{"value":6.1,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}}}}},
             {{"fullUrl":"urn:uuid:{report}","resource":{{"resourceType":"DiagnosticReport","id":"{report}","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"4548-4"}}]}},"subject":{{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"}},"effectiveDateTime":"2025-01-02T10:00:00Z","result":[{{"reference":"urn:uuid:{obs}"}}]}}}}]}}"#
        );
        let mut r =
            import(&text, &ImportOptions { default_source: Some(emr_core::model::Source::new(source, source)) }, now())
                .unwrap()
                .record;
        r.sources.retain(|s| s.id.as_str() == source);
        r
    };
    let a = clinic("a", "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002");
    let b = clinic("b", "bbbbbbbb-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002");
    let (ehr, _) = merge(&[a, b], &MergeOptions::default()).unwrap();
    let out = emr_core::fhir::export_view(&ehr, &options());
    let c = bundle_closure(&out.output);
    assert_eq!(c.problems(), 0, "{}", c.summary());
    let tree: serde_json::Value = serde_json::from_str(&out.output).unwrap();
    let observations: Vec<&serde_json::Value> = tree["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"].as_str() == Some("Observation"))
        .collect();
    assert_eq!(observations.len(), 1, "the two clinics' HbA1c is one item");
    let item_url = observations[0]["fullUrl"].as_str().unwrap();
    // Both reports (or the one item they fold into) reach that item.
    for e in tree["entry"].as_array().unwrap() {
        if e["resource"]["resourceType"].as_str() == Some("DiagnosticReport") {
            assert_eq!(e["resource"]["result"][0]["reference"].as_str(), Some(item_url));
        }
    }
    // The item's Provenance names each assertion it stands for, one per source.
    let folded: Vec<String> = tree["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"].as_str() == Some("Provenance"))
        .flat_map(|e| e["resource"]["target"].as_array().unwrap().iter())
        .filter(|t| t["reference"].as_str() == Some(item_url))
        .flat_map(|t| {
            t.get("extension").and_then(serde_json::Value::as_array).map(Vec::as_slice).unwrap_or_default().iter()
        })
        .filter(|x| x["url"].as_str() == Some("urn:emr:folded"))
        .map(|x| x["extension"][0]["valueString"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        folded,
        vec!["Observation/aaaaaaaa-0000-4000-8000-000000000001", "Observation/bbbbbbbb-0000-4000-8000-000000000001"]
    );
}

/// All shared Synthea patients (each split per clinic and merged back) written as one NDJSON
/// set, as `emr export --format ndjson -o DIR *.emr` does: closed across the whole set (ids
/// unique across patients, one Patient per person, every relative reference resolving). Written
/// to `$EMR_POPULATION_NDJSON` when set, for `tests/interop/duckdb_join.py`
/// (`scripts/test-interop.sh`).
#[test]
fn population_ndjson_of_all_synthea_patients_is_closed() {
    let Some(records) = synthea_records() else { return };
    let mut writer = emr_core::fhir::NdjsonWriter::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut people = 0;
    // Throughput (a figure, not a timed test): the export beside a plain copy of its bytes.
    let started = std::time::Instant::now();
    let mut bytes = 0usize;
    for (name, record) in records.iter().filter(|(name, _)| name.contains("(merged")) {
        let out = writer.add(record, &options());
        bytes += out.output.values().map(String::len).sum::<usize>();
        assert_eq!(out.references.unresolved(), 0, "{name}");
        for (ty, text) in out.output {
            files.entry(ty).or_default().push_str(&text);
        }
        people += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let copy = {
        let dir = std::env::temp_dir().join(format!("emr-ndjson-copy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let all: String = files.values().map(String::as_str).collect();
        std::fs::write(dir.join("a"), &all).unwrap();
        let t = std::time::Instant::now();
        std::fs::copy(dir.join("a"), dir.join("b")).unwrap();
        let s = t.elapsed().as_secs_f64();
        std::fs::remove_dir_all(&dir).unwrap();
        s
    };
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "population NDJSON: {people} patients, {mb:.1} MB in {elapsed:.3} s = {:.0} MB/s (file copy of the same bytes: {:.0} MB/s)",
        mb / elapsed,
        mb / copy
    );
    let c = ndjson_closure(&files);
    assert_eq!(c.problems(), 0, "{}", c.summary());
    assert_eq!(files["Patient"].lines().count(), people, "one Patient per person");
    if let Some(dir) = std::env::var_os("EMR_POPULATION_NDJSON") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (ty, text) in &files {
            std::fs::write(dir.join(format!("{ty}.ndjson")), text).unwrap();
        }
        eprintln!("wrote {} NDJSON files for {people} patients to {}", files.len(), dir.display());
    }
}

/// Every kind of export (clinical view, `--all-assertions`, IPS, NDJSON) of the demo and of
/// every shared Synthea patient (whole, and split per clinic then merged) — with
/// `EMR_INTEROP_EXPORTS_ALL` set, of every official R4 example, shared IPS document and
/// complete shared C-CDA document too — written to
/// `$EMR_INTEROP_EXPORTS` for the validators emr did not write (`tests/interop/medplum`, run by
/// `scripts/test-interop.sh`). Without the variable: nothing to do.
#[test]
fn write_exports_for_independent_validators() {
    let Some(dir) = std::env::var_os("EMR_INTEROP_EXPORTS").map(PathBuf::from) else { return };
    let mut records = vec![("demo".to_owned(), demo())];
    records.extend(synthea_records().unwrap_or_default());
    // The official R4 examples and the shared IPS documents, when asked for.
    if std::env::var_os("EMR_INTEROP_EXPORTS_ALL").is_some() {
        for dir in ["fhir-r4-examples", "ips/official", "ips/connectathon"] {
            let Some(d) = shared(dir) else { continue };
            for path in json_files(&d) {
                let bytes = std::fs::read(&path).unwrap();
                let Ok(imported) = emr_core::fhir::import_bytes(&bytes, &ImportOptions::default(), now()) else {
                    continue;
                };
                let name = format!("{}_{}", dir.replace('/', "-"), path.file_name().unwrap().to_string_lossy());
                records.push((name, imported.record));
            }
        }
    }
    // Every complete shared C-CDA document (as `bench-ccda.sh` selects them), imported: what
    // the C-CDA on FHIR mapping makes goes through the same independent validator.
    if std::env::var_os("EMR_INTEROP_EXPORTS_ALL").is_some() {
        let documents = common::ccda_documents().expect("the shared C-CDA examples");
        let before = records.len();
        for (path, text) in documents {
            let imported = emr_core::ccda::import_bytes(text.as_bytes(), &ImportOptions::default(), now())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.to_string_lossy().replace(['/', ' '], "_");
            records.push((format!("ccda_{name}"), imported.record));
        }
        assert!(records.len() - before >= 30, "every complete shared C-CDA document");
    }
    for (name, record) in &records {
        let stem: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        let out = dir.join(stem);
        std::fs::create_dir_all(out.join("ndjson")).unwrap();
        std::fs::write(out.join("view.json"), to_view_bundle(record, &options())).unwrap();
        std::fs::write(out.join("all-assertions.json"), emr_core::fhir::to_bundle(record, &options())).unwrap();
        if let Ok(ips) = to_ips(record, &options()) {
            std::fs::write(out.join("ips.json"), ips).unwrap();
        }
        for (ty, text) in to_ndjson(record, &options()) {
            std::fs::write(out.join("ndjson").join(format!("{ty}.ndjson")), text).unwrap();
        }
    }
    eprintln!("wrote the exports of {} records to {}", records.len(), dir.display());
}
