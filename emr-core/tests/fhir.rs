//! FHIR import and export on real data: lossless round trips, attribution, imperfect documents,
//! and the fidelity traps (decimals, primitive extensions with nulls, duplicate keys, R5 content).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, to_bundle, to_ndjson, ExportOptions, ImportError, ImportOptions, Imported};
use emr_core::json::{self, Json};
use emr_core::validate::Severity;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn options() -> ExportOptions {
    ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn repo_data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(dir)
}

fn shared(dir: &str) -> Option<PathBuf> {
    common::shared_data(dir)
}

/// Every resource of an input (Bundles unpacked, as import does), canonical text.
fn input_resources(tree: &Json<'_>, out: &mut Vec<String>) {
    if tree.get("resourceType").and_then(Json::as_str) == Some("Bundle") {
        for e in tree.get("entry").and_then(Json::as_array).unwrap_or_default() {
            if let Some(r) = e.get("resource").filter(|r| r.get("resourceType").is_some()) {
                input_resources(r, out);
            }
        }
    } else {
        out.push(tree.to_canonical_string());
    }
}

/// What a round trip gave: input resources found unchanged in the export, of how many; whether
/// the export imports back to the same record; how many entries the export declared.
struct RoundTrip {
    exact: usize,
    of: usize,
    same_record: bool,
    declared: usize,
}

/// Import, export as a collection Bundle, count the input resources found unchanged in it, and
/// import it back.
fn round_trip(text: &str) -> Result<RoundTrip, ImportError> {
    let imported = import(text, &ImportOptions::default(), now())?;
    let exported = to_bundle(&imported.record, &options());
    let back = import(&exported, &ImportOptions::default(), now())?.record;
    let mut sources = imported.record.sources.clone();
    sources.sort();
    let same_record =
        back.patient == imported.record.patient && back.entries == imported.record.entries && back.sources == sources;
    let declared = exported.matches(r#""url":"urn:emr:assertion""#).count();
    let out = json::parse(&exported).unwrap();
    let mut have: BTreeMap<String, usize> = BTreeMap::new();
    for e in out.get("entry").and_then(Json::as_array).unwrap_or_default() {
        *have.entry(e.get("resource").unwrap().to_canonical_string()).or_default() += 1;
    }
    let mut want = Vec::new();
    input_resources(&json::parse(text).unwrap(), &mut want);
    let mut exact = 0;
    for r in &want {
        if let Some(n) = have.get_mut(r).filter(|n| **n > 0) {
            *n -= 1;
            exact += 1;
        }
    }
    Ok(RoundTrip { exact, of: want.len(), same_record, declared })
}

/// Round-trip every file of `dir`: every resource is exported unchanged, and the export imports
/// back to the same record. The number of files, and of entries the exports declared.
fn assert_all_round_trip(dir: &Path) -> (usize, usize) {
    let (mut total, mut declared) = (0, 0);
    let mut failures = Vec::new();
    for path in files(dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let r = round_trip(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        total += 1;
        declared += r.declared;
        if r.exact != r.of {
            failures.push(format!("{}: {} of {}", path.display(), r.exact, r.of));
        }
        if !r.same_record {
            failures.push(format!("{}: imports back to another record", path.display()));
        }
    }
    assert!(failures.is_empty(), "resources changed on export: {failures:#?}");
    (total, declared)
}

#[test]
fn repo_fhir_files_round_trip_exactly() {
    let (n, _) = assert_all_round_trip(&repo_data("fhir"));
    assert!(n >= 30);
}

#[test]
fn all_official_r4_examples_round_trip_exactly() {
    let Some(dir) = shared("fhir-r4-examples") else { return };
    let (n, _) = assert_all_round_trip(&dir);
    eprintln!("{n} of 697 official examples round-trip exactly");
    assert_eq!(n, 697);
}

#[test]
fn all_synthea_patients_round_trip_exactly() {
    let Some(dir) = shared("synthea") else { return };
    let (n, declared) = assert_all_round_trip(&dir);
    eprintln!("{n} Synthea files round-trip exactly");
    assert!(n >= 14);
    // Imported data comes back from its own resources and full URLs: nothing is declared.
    assert_eq!(declared, 0);
}

fn import_file(path: &Path) -> Imported {
    import(&std::fs::read_to_string(path).unwrap(), &ImportOptions::default(), now()).unwrap()
}

#[test]
fn synthea_patient_splits_into_one_emr_per_organization() {
    let imported = import_file(&repo_data("fhir").join("Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json"));
    let record = &imported.record;
    assert!(record.patient.is_some());
    let emrs = record.split_by_source();
    // Every source is an Organization of the bundle, and every encounter is attributed to its serviceProvider.
    assert!(emrs.len() >= 2, "{} sources", emrs.len());
    let total: usize = emrs.iter().map(|r| r.entries.len()).sum();
    assert_eq!(total, record.entries.len());
    for e in &record.entries {
        if e.resource().resource_type() == "Encounter" {
            let tree = e.resource().json().unwrap();
            let provider = tree.pointer("/serviceProvider/reference").and_then(Json::as_str).unwrap();
            assert_eq!(format!("urn:uuid:{}", e.provenance().source), provider);
        }
    }
    let errors: Vec<_> = imported.findings.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_shared_synthea_patient_attributes_all_entries() {
    let Some(dir) = shared("synthea") else { return };
    let mut multi = 0;
    for path in files(&dir).into_iter().filter(|p| !p.to_string_lossy().contains("Information")) {
        let imported = import_file(&path);
        let emrs = imported.record.split_by_source();
        multi += usize::from(emrs.len() > 1);
        // Nothing is attributed to the fallback "import" source: every entry has an organization.
        assert!(
            imported.record.entries.iter().all(|e| e.provenance().source.as_str() != "import"),
            "{}",
            path.display()
        );
    }
    eprintln!("{multi} of 12 Synthea patients see more than one organization");
    assert!(multi >= 8);
}

#[test]
fn connectathon_documents_import_or_are_rejected_with_a_reason() {
    let Some(dir) = shared("ips/connectathon") else { return };
    let (mut clean, mut with_findings, mut rejected) = (0, 0, Vec::new());
    for path in files(&dir) {
        let text = std::fs::read(&path).unwrap();
        match emr_core::fhir::import_bytes(&text, &ImportOptions::default(), now()) {
            Ok(i) if i.findings.is_empty() => clean += 1,
            Ok(_) => with_findings += 1,
            Err(e) => rejected.push(format!("{}: {e}", path.file_name().unwrap().to_string_lossy())),
        }
    }
    eprintln!(
        "connectathon: {clean} imported cleanly, {with_findings} imported with findings, {} rejected: {rejected:#?}",
        rejected.len()
    );
    assert_eq!(clean + with_findings + rejected.len(), 39);
}

#[test]
fn decimals_keep_their_lexical_form() {
    let text = r#"{"resourceType":"Observation","id":"d","status":"final","code":{"text":"x"},
        "valueQuantity":{"value":1.30},"component":[{"code":{"text":"y"},"valueQuantity":{"value":1e2}},
        {"code":{"text":"z"},"valueQuantity":{"value":-0.0}},{"code":{"text":"w"},"valueQuantity":{"value":12345678901234567890.123456789}}]}"#;
    let imported = import(text, &ImportOptions::default(), now()).unwrap();
    let out = to_bundle(&imported.record, &options());
    for lexical in ["1.30", "1e2", "-0.0", "12345678901234567890.123456789"] {
        assert!(out.contains(&format!("\"value\":{lexical}}}")), "{lexical}");
    }
}

#[test]
fn primitive_extension_arrays_with_nulls_survive() {
    let text = r#"{"resourceType":"Patient","id":"p","name":[{"given":["A",null],"_given":[null,{"extension":[{"url":"http://example.org/x","valueString":"B"}]}]}],"_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1970-01-01T10:00:00Z"}]}}"#;
    let imported = import(text, &ImportOptions::default(), now()).unwrap();
    let out = to_bundle(&imported.record, &options());
    assert!(out.contains(r#""given":["A",null],"_given":[null,{"extension""#));
    assert!(out.contains(r#""_birthDate":{"extension""#));
}

#[test]
fn duplicate_keys_are_reported_not_resolved() {
    let text = r#"{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"valueQuantity":{"value":5,"value":6}}"#;
    let imported = import(text, &ImportOptions::default(), now()).unwrap();
    let dup = imported.findings.iter().find(|f| f.code == "json.key.duplicate").expect("reported");
    assert_eq!(dup.path, "/valueQuantity/value");
    // Both members are kept verbatim; nothing is silently chosen.
    assert!(to_bundle(&imported.record, &options()).contains(r#""valueQuantity":{"value":5,"value":6}"#));
}

#[test]
fn unknown_elements_codes_and_r5_resources_are_kept_and_reported() {
    let text = r#"{"resourceType":"Bundle","type":"collection","entry":[
        {"resource":{"resourceType":"Condition","id":"c","subject":{"display":"x"},"futureElement":{"a":[1,2]},
          "code":{"coding":[{"system":"http://example.org/local","code":"ZZZ-not-standard"}]}}},
        {"resource":{"resourceType":"DeviceUsage","id":"r5","status":"active"}}]}"#;
    let imported = import(text, &ImportOptions::default(), now()).unwrap();
    let out = to_bundle(&imported.record, &options());
    assert!(out.contains(r#""futureElement":{"a":[1,2]}"#));
    assert!(out.contains("ZZZ-not-standard"));
    assert!(out.contains(r#""resourceType":"DeviceUsage""#));
    let r5 = imported.findings.iter().find(|f| f.code == "resource.type.unknown").expect("reported");
    assert_eq!(r5.path, "/entry/1/resource/resourceType");
    let unknown = imported.findings.iter().find(|f| f.code == "resource.element.unknown").expect("reported");
    assert_eq!(unknown.path, "/entry/0/resource/futureElement");
}

#[test]
fn bad_input_is_rejected_with_a_clear_reason() {
    for (text, want) in [
        ("", "not valid JSON"),
        ("{\"a\":", "not valid JSON"),
        ("[1,2]", "not a FHIR resource"),
        ("{}", "not a FHIR resource"),
    ] {
        let err = import(text, &ImportOptions::default(), now()).unwrap_err();
        assert!(err.to_string().contains(want), "{text}: {err}");
    }
}

#[test]
fn import_rule_vectors_trigger_their_rule() {
    let dir = repo_data("fhir-invalid");
    let mut codes = Vec::new();
    for path in files(&dir) {
        let code = path.file_stem().unwrap().to_string_lossy().split('+').next().unwrap().to_owned();
        let imported = import_file(&path);
        assert!(imported.findings.iter().any(|f| f.code == code), "{}: {:#?}", path.display(), imported.findings);
        // Nothing is lost: every resource of the input is in the record.
        codes.push(code);
    }
    for rule in emr_core::validate::rules::ALL.iter().filter(|r| r.code.starts_with("fhir.")) {
        assert!(codes.iter().any(|c| c == rule.code), "no vector for {}", rule.code);
    }
}

#[test]
fn ndjson_has_one_file_per_type_and_one_resource_per_line() {
    let imported = import_file(&repo_data("fhir").join("Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json"));
    let files = to_ndjson(&imported.record, &options());
    let lines: usize = files.values().map(|f| f.lines().count()).sum();
    let sources = imported.record.split_by_source().len();
    assert_eq!(lines, imported.record.entries.len() + 1 + sources);
    for (ty, content) in &files {
        for line in content.lines() {
            let tree = json::parse(line).unwrap();
            assert_eq!(tree.get("resourceType").and_then(Json::as_str), Some(ty.as_str()));
        }
    }
}

/// Equal texts, or a failure that shows where they first differ (not both whole documents).
fn assert_same(a: &str, b: &str, what: &str) {
    if a != b {
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        let ctx = |t: &str| t.get(at.saturating_sub(150)..(at + 150).min(t.len())).unwrap_or_default().to_owned();
        panic!("{what}: differ at byte {at}:\n first: …{}…\nsecond: …{}…", ctx(a), ctx(b));
    }
}

/// Structural IPS checks that need no terminology server.
fn check_ips(text: &str) {
    let b = json::parse(text).unwrap();
    assert_eq!(b.get("type").and_then(Json::as_str), Some("document"));
    assert!(b.get("identifier").is_some() && b.get("timestamp").is_some());
    let entries = b.get("entry").and_then(Json::as_array).unwrap();
    let urls: BTreeMap<&str, &Json<'_>> = entries
        .iter()
        .map(|e| (e.get("fullUrl").and_then(Json::as_str).unwrap(), e.get("resource").unwrap()))
        .collect();
    assert_eq!(urls.len(), entries.len(), "fullUrls are unique");
    let composition = entries[0].get("resource").unwrap();
    assert_eq!(composition.get("resourceType").and_then(Json::as_str), Some("Composition"));
    assert_eq!(composition.pointer("/type/coding/0/code").and_then(Json::as_str), Some("60591-5"));
    let target = |r: &Json<'_>| urls.get(r.get("reference").and_then(Json::as_str).unwrap()).copied();
    let subject = target(composition.get("subject").unwrap()).expect("subject resolves");
    assert_eq!(subject.get("resourceType").and_then(Json::as_str), Some("Patient"));
    let author = target(&composition.get("author").and_then(Json::as_array).unwrap()[0]).expect("author resolves");
    assert_eq!(author.get("resourceType").and_then(Json::as_str), Some("Organization"));
    let sections = composition.get("section").and_then(Json::as_array).unwrap();
    let codes: Vec<&str> =
        sections.iter().filter_map(|s| s.pointer("/code/coding/0/code").and_then(Json::as_str)).collect();
    for required in ["11450-4", "10160-0", "48765-2"] {
        assert!(codes.contains(&required), "required section {required}");
    }
    for section in sections {
        let div = section.pointer("/text/div").and_then(Json::as_str).unwrap();
        assert!(div.starts_with("<div xmlns=\"http://www.w3.org/1999/xhtml\">"));
        let refs = section.get("entry").and_then(Json::as_array).unwrap();
        assert!(!refs.is_empty());
        for r in refs {
            assert!(target(r).is_some(), "section entry resolves");
        }
    }
}

#[test]
fn ips_of_a_synthea_patient_is_structurally_valid_and_a_fixed_point() {
    let imported = import_file(&repo_data("fhir").join("Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json"));
    let first = emr_core::fhir::to_ips(&imported.record, &options()).unwrap();
    check_ips(&first);
    let again = import(&first, &ImportOptions::default(), now()).unwrap();
    let second = emr_core::fhir::to_ips(&again.record, &options()).unwrap();
    check_ips(&second);
    assert_same(&first, &second, "export → import → export is a fixed point");
    // The source content is in it: this patient's immunizations and allergies or their absence.
    assert!(first.contains("\"11369-6\""));
}

#[test]
fn official_and_connectathon_ips_documents_reexport_as_fixed_points() {
    let mut dirs = vec![repo_data("fhir")];
    dirs.extend(shared("ips/official"));
    dirs.extend(shared("ips/connectathon"));
    let mut documents = 0;
    for dir in dirs {
        for path in files(&dir) {
            let bytes = std::fs::read(&path).unwrap();
            let Ok(imported) = emr_core::fhir::import_bytes(&bytes, &ImportOptions::default(), now()) else { continue };
            if imported.record.patient.is_none() {
                continue;
            }
            let first = emr_core::fhir::to_ips(&imported.record, &options()).unwrap();
            check_ips(&first);
            let again = import(&first, &ImportOptions::default(), now()).unwrap();
            let second = emr_core::fhir::to_ips(&again.record, &options()).unwrap();
            assert_same(&first, &second, &format!("{}: not a fixed point", path.display()));
            documents += 1;
        }
    }
    eprintln!("{documents} documents re-exported as IPS fixed points");
    assert!(documents >= 5);
}

#[test]
fn ips_without_a_patient_is_refused() {
    let record = emr_core::model::Record::default();
    assert!(emr_core::fhir::to_ips(&record, &options()).is_err());
}

/// Regression: ids are unique per resource type only; a Medication and the MedicationStatement
/// that references it may share one (seen in an IPS connectathon document), and neither may
/// supersede the other.
#[test]
fn resources_of_different_types_with_one_id_are_distinct_entries() {
    let text = r#"{"resourceType":"Bundle","type":"collection","entry":[
        {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Medication","id":"m1","code":{"text":"Amlodipine 5 mg"}}},
        {"fullUrl":"urn:uuid:2","resource":{"resourceType":"MedicationStatement","id":"m1","status":"active",
          "medicationReference":{"reference":"urn:uuid:1"},"subject":{"display":"x"}}}]}"#;
    let imported = import(text, &ImportOptions::default(), now()).unwrap();
    let ids: Vec<&str> = imported.record.entries.iter().map(|e| e.provenance().id.as_str()).collect();
    assert_eq!(ids, ["Medication/m1", "MedicationStatement/m1"]);
    let v = emr_core::merge::view(&imported.record);
    assert_eq!(v.items.len(), 2);
    assert!(v.superseded.is_empty());
}

/// A bundle as exports before `urn:emr:assertion` wrote it: an entry renamed on export keeps its
/// original full URL in `urn:emr:fullUrl`, and its provenance is derived from the resource.
#[test]
fn bundles_of_earlier_exports_still_open_as_before() {
    let text = r#"{"resourceType":"Bundle","type":"collection","entry":[
        {"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p"}},
        {"fullUrl":"urn:uuid:shared","resource":{"resourceType":"Practitioner","id":"dr"}},
        {"fullUrl":"urn:uuid:renamed","resource":{"resourceType":"Practitioner","id":"dr","meta":{"versionId":"3","lastUpdated":"2024-02-01"}}},
        {"fullUrl":"urn:uuid:c","resource":{"resourceType":"Condition","id":"c1"}},
        {"fullUrl":"urn:uuid:pa","resource":{"resourceType":"Provenance","id":"pa","target":[{"reference":"urn:uuid:shared"},{"reference":"urn:uuid:c"}],
          "recorded":"2026-01-01T00:00:00Z","agent":[{"who":{"display":"Clinic A"}}],
          "entity":[{"role":"source","what":{"identifier":{"system":"urn:emr:source","value":"a"}}}]}},
        {"fullUrl":"urn:uuid:pb","resource":{"resourceType":"Provenance","id":"pb","target":[
          {"extension":[{"url":"urn:emr:fullUrl","valueUri":"urn:uuid:shared"}],"reference":"urn:uuid:renamed"}],
          "recorded":"2026-01-01T00:00:00Z","agent":[{"who":{"display":"Clinic B"}}],
          "entity":[{"role":"source","what":{"identifier":{"system":"urn:emr:source","value":"b"}}}]}}]}"#;
    let record = import(text, &ImportOptions::default(), now()).unwrap().record;
    let got: Vec<_> = record
        .entries
        .iter()
        .map(|e| {
            let p = e.provenance();
            (p.source.as_str(), p.id.as_str(), p.version, p.recorded.map(|t| t.to_string()), p.full_url.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", "Practitioner/dr", 1, None, Some("urn:uuid:shared")),
            ("b", "Practitioner/dr", 3, Some("2024-02-01".to_owned()), Some("urn:uuid:shared")),
            ("a", "Condition/c1", 1, None, Some("urn:uuid:c")),
        ]
    );
    let sources: Vec<_> = record.sources.iter().map(|s| (s.id.as_str(), s.name.as_deref(), s.kind)).collect();
    let org = emr_core::model::SourceKind::Organization;
    assert_eq!(sources, [("a", Some("Clinic A"), org), ("b", Some("Clinic B"), org)]);
}

/// A declaration that is not what emr writes is ignored, never a panic: the entry's provenance
/// is derived from its resource, as for any input.
#[test]
fn malformed_declarations_are_ignored() {
    let bundle = |declaration: &str, source: &str| {
        format!(
            r#"{{"resourceType":"Bundle","type":"collection","entry":[
            {{"fullUrl":"urn:uuid:c","resource":{{"resourceType":"Condition","id":"c1"}}}},
            {{"fullUrl":"urn:uuid:pa","resource":{{"resourceType":"Provenance","id":"pa",{source}
              "target":[{{"extension":[{declaration}],"reference":"urn:uuid:c"}}],"recorded":"2026-01-01T00:00:00Z",
              "agent":[{{"who":{{"display":"Clinic A"}}}}],
              "entity":[{{"role":"source","what":{{"identifier":{{"system":"urn:emr:source","value":"a"}}}}}}]}}}}]}}"#
        )
    };
    let entry = |declaration: &str| {
        let record = import(&bundle(declaration, ""), &ImportOptions::default(), now()).unwrap().record;
        assert_eq!(record.entries.len(), 1, "{declaration}");
        record.entries[0].provenance().clone()
    };
    // Well formed: taken as declared.
    let good = r#"{"url":"urn:emr:assertion","extension":[{"url":"id","valueString":"x"},{"url":"version","valuePositiveInt":2},
        {"url":"recorded","valueDateTime":"2025-03-04T05:06:07+01:00"},
        {"url":"decision","extension":[{"url":"action","valueCode":"reject"},
          {"url":"settles","extension":[{"url":"source","valueString":"b"},{"url":"id","valueString":"y"},{"url":"version","valuePositiveInt":1}]}]}]}"#;
    let p = entry(good);
    assert_eq!((p.id.as_str(), p.version, p.full_url.as_deref()), ("x", 2, None));
    assert_eq!(p.recorded.map(|t| t.to_string()).as_deref(), Some("2025-03-04T05:06:07+01:00"));
    let d = p.decision.unwrap();
    assert_eq!(d.action, emr_core::model::DecisionAction::Reject);
    assert_eq!((d.settles[0].source.as_str(), d.settles[0].id.as_str(), d.settles[0].version), ("b", "y", 1));
    // Malformed: derived from the resource and its full URL.
    let derived = |p: emr_core::model::Provenance| {
        (p.id.as_str().to_owned(), p.version, p.recorded, p.full_url, p.decision.is_none())
    };
    let want = ("Condition/c1".to_owned(), 1, None, Some("urn:uuid:c".to_owned()), true);
    let id = r#"{"url":"id","valueString":"x"}"#;
    let version = r#"{"url":"version","valuePositiveInt":2}"#;
    let settles = |version: &str| {
        format!(
            r#"{{"url":"settles","extension":[{{"url":"source","valueString":"b"}},{{"url":"id","valueString":"y"}},{version}]}}"#
        )
    };
    for bad in [
        r#"{"url":"urn:emr:assertion"}"#.to_owned(),
        r#"{"url":"urn:emr:assertion","extension":{"url":"id"}}"#.to_owned(),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{version}]}}"#),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{{"url":"id","valueString":7}},{version}]}}"#),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id}]}}"#),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id},{{"url":"version","valuePositiveInt":0}}]}}"#),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id},{{"url":"version","valuePositiveInt":-1}}]}}"#),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{{"url":"version","valuePositiveInt":4294967296}}]}}"#
        ),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id},{{"url":"version","valuePositiveInt":1.5}}]}}"#),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id},{{"url":"version","valueString":"2"}}]}}"#),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"recorded","valueDateTime":"2025-02-30"}}]}}"#
        ),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"recorded","valueDateTime":null}}]}}"#
        ),
        format!(r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"fullUrl","valueUri":["u"]}}]}}"#),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"decision","extension":[{{"url":"action","valueCode":"approve"}}]}}]}}"#
        ),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"decision","valueCode":"accept"}}]}}"#
        ),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"decision","extension":[{{"url":"action","valueCode":"edit"}},{}]}}]}}"#,
            settles(r#"{"url":"version","valuePositiveInt":0}"#)
        ),
        format!(
            r#"{{"url":"urn:emr:assertion","extension":[{id},{version},{{"url":"decision","extension":[{{"url":"action","valueCode":"edit"}},{}]}}]}}"#,
            settles("{}")
        ),
    ] {
        assert_eq!(derived(entry(&bad)), want, "{bad}");
    }
    // The source's kind and name, when present, replace the agent's display; an unknown kind is
    // an organization's.
    let source = |about: &str| {
        let record = import(&bundle(r#"{"url":"x"}"#, about), &ImportOptions::default(), now()).unwrap().record;
        let s = &record.sources[0];
        (s.name.clone(), s.kind)
    };
    use emr_core::model::SourceKind;
    let about = |parts: &str| format!(r#""extension":[{{"url":"urn:emr:source","extension":[{parts}]}}],"#);
    assert_eq!(source(""), (Some("Clinic A".to_owned()), SourceKind::Organization));
    assert_eq!(source(&about(r#"{"url":"kind","valueCode":"clinician"}"#)), (None, SourceKind::Clinician));
    assert_eq!(
        source(&about(r#"{"url":"kind","valueCode":"patient"},{"url":"name","valueString":"Ana"}"#)),
        (Some("Ana".to_owned()), SourceKind::Patient)
    );
    assert_eq!(source(&about(r#"{"url":"kind","valueCode":"robot"}"#)), (None, SourceKind::Organization));
    assert_eq!(
        source(&about(r#"{"url":"kind","valueCode":7},{"url":"name","valueString":3}"#)),
        (None, SourceKind::Organization)
    );
}

/// The sources each shared IPS document imports as: its author's organization (or custodian, or
/// the generating device) for what no entry attributes otherwise, plus the organizations entries
/// name themselves (AT_ELGA's 72 laboratories). Never a server request id (`#O32RiG8g36oLrv09`)
/// or a `meta.source` ahead of the author. `import` remains only where the document names no
/// organization at all (a practitioner author without a role, or no author).
#[test]
fn shared_ips_documents_import_as_the_sources_they_really_have() {
    let Some(root) = shared("ips") else { return };
    let expected: &[(&str, usize)] = &[
        ("official/Bundle-IPS-examples-Bundle-01.json", 2),
        ("official/Bundle-IPS-examples-Bundle-with-immunization.json", 2),
        ("official/Bundle-bundle-ips-all-sections.json", 1),
        ("official/Bundle-bundle-minimal.json", 1),
        ("official/Bundle-bundle-no-info-required-sections.json", 2),
        ("official/Composition-composition-minimal.json", 1),
        ("connectathon/AR_Repository_Example_02.json", 2),
        ("connectathon/AT_ELGA_GmbH_01.json", 72),
        ("connectathon/Bundle-NZPSNoClinicalInfoBundle.json", 1),
        ("connectathon/Bundle-aups-basicsummarywihpath.json", 1),
        ("connectathon/Bundle-aups-noknownx.json", 1),
        ("connectathon/Bundle-aups-referral-endoconsult-curated.json", 1),
        ("connectathon/CA-IPS-Bundle1Example.json", 1),
        ("connectathon/CA_DAVE_DEBRONKART_VERTO.json", 1),
        ("connectathon/CA_PuraJuniper_01-modified.json", 1),
        ("connectathon/CA_VERTO_DEBRONKART_DAVE_May2024.json", 1),
        ("connectathon/CA_VeroSource_colorful_balloon.json", 1),
        ("connectathon/CH_HL7CH_Examples_01.json", 1),
        ("connectathon/CY_249867.json", 2),
        ("connectathon/CY_Andreas_Ioannou_02.json", 1),
        ("connectathon/DE_no_info_with_Advance_Directive.json", 1),
        ("connectathon/DK_Jens_Villadsen_02.json", 1),
        ("connectathon/EU_Giorgio_Cangioli_02.json", 2),
        ("connectathon/HK_IPS_Sample1.json", 1),
        ("connectathon/HK_IPS_Sample3.json", 1),
        ("connectathon/IPS_IG_bundle-minimal.json", 1),
        ("connectathon/NL_Curavista_01.json", 1),
        ("connectathon/NL_core_patient_01.json", 1),
        ("connectathon/NZ_Peter_Jordan_AAA1234.json", 2),
        ("connectathon/NZ_Peter_Jordan_NNJ9186.json", 2),
        ("connectathon/TW_Li-Hui_Lee_01-modified.json", 1),
        ("connectathon/UK_NHSx_IPS_Example_02-modified.json", 1),
        ("connectathon/US_Epic_Jan_emptyReason.json", 1),
        ("connectathon/US_Epic_connectathon_May2024.json", 1),
        ("connectathon/US_Interoperability_Institute_Louis_Daniel_Saunders-IPS.json", 1),
        ("connectathon/US_Interoperability_Institute_Rose Cox Burnett-IPS.json", 1),
        ("connectathon/US_MEDITECH_ips_1.json", 2),
        ("connectathon/US_MEDITECH_ips_3.json", 1),
        ("connectathon/US_Washington_GDHP.json", 1),
        ("connectathon/US_Washington_May_2024.json", 1),
        ("connectathon/US_ePatientDave_medRequests_original_noNarrative.json", 1),
        ("connectathon/US_ePatientDave_medStatements_with_Narrative.json", 1),
        ("connectathon/full_ips.json", 2),
        ("connectathon/hl7_connectathon_may_2025_epic_example2.json", 1),
        ("connectathon/new_incomplete_IPS_Example.json", 2),
    ];
    let mut seen = 0;
    for dir in ["official", "connectathon"] {
        for path in files(&root.join(dir)) {
            let bytes = std::fs::read(&path).unwrap();
            let Ok(imported) = emr_core::fhir::import_bytes(&bytes, &ImportOptions::default(), now()) else { continue };
            if !String::from_utf8_lossy(&bytes).contains("\"Composition\"") {
                continue;
            }
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            let sources: Vec<&str> = imported.record.sources.iter().map(|s| s.id.as_str()).collect();
            let want = expected.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name}: not listed"));
            assert_eq!(sources.len(), want.1, "{name}: {sources:?}");
            assert!(sources.iter().all(|s| !s.starts_with('#')), "{name}: {sources:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, expected.len());
}

/// A Bundle that arrives inside another (a collection of messages, search responses) is kept
/// whole: its `type`, `identifier`, `timestamp`, `signature` and entry metadata survive import and
/// every export of all assertions; its entries are imported too, each once.
#[test]
fn nested_bundles_are_kept_whole() {
    let Some(dir) = shared("fhir-r4-examples") else { return };
    let mut nested = 0;
    for path in files(&dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = json::parse(&text).unwrap();
        let inner: Vec<String> = tree
            .get("entry")
            .and_then(Json::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.get("resource"))
            .filter(|r| r.get("resourceType").and_then(Json::as_str) == Some("Bundle"))
            .map(|r| r.to_canonical_string())
            .collect();
        if inner.is_empty() {
            continue;
        }
        nested += inner.len();
        let record = import(&text, &ImportOptions::default(), now()).unwrap().record;
        let kept: Vec<String> = record
            .entries
            .iter()
            .filter(|e| e.resource().resource_type() == "Bundle")
            .map(|e| json::parse(e.resource().as_str()).unwrap().to_canonical_string())
            .collect();
        for b in &inner {
            assert!(kept.contains(b), "{}: a nested Bundle was not kept whole", path.display());
        }
        let exported = to_bundle(&record, &options());
        let back = import(&exported, &ImportOptions::default(), now()).unwrap().record;
        assert_eq!(back.entries, record.entries, "{}", path.display());
    }
    // Bundle-72ac8493…'s 17 message Bundles and the three bundle-response examples.
    assert!(nested >= 20, "{nested} nested Bundles");
}
