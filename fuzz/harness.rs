// The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (cargo-fuzz, nightly) and by
// `emr-core/tests/fuzz_replay.rs` (stable), which replays `tests/data/fuzz-corpus/<target>/`.
//
// This file is pulled in with `include!` inside a `mod`, so it holds items only: no inner
// attributes or `//!` docs. Every function takes arbitrary bytes and must return normally; a
// panic is either a panic inside emr-core (which must never panic) or a broken invariant
// checked here with `assert!`.

use emr_core::codes::{self, ucum::Unit, KnownSystem};
use emr_core::json::{self, Json};
use emr_core::model::{Entry, PartialDate, Patient, Provenance, Record, Source};
use emr_core::validate::{rules, validate, Finding};

/// The validation time of every fuzz run (2026-01-01T00:00:00Z), so runs are reproducible.
pub fn fuzz_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

/// Invariants of `validate` on one record: deterministic, sorted without duplicates, every
/// code a documented rule, every path a JSON pointer that resolves in the serialized record.
pub fn check_findings(record: &Record, now: chrono::DateTime<chrono::Utc>) -> Vec<Finding> {
    let findings = validate(record, now);
    assert_eq!(findings, validate(record, now), "validate is not deterministic");
    assert!(findings.windows(2).all(|w| w[0] < w[1]), "findings are not sorted and unique: {findings:#?}");
    let serialized = serde_json::to_string(record).expect("a record serializes");
    let tree = json::parse(&serialized).expect("a serialized record parses");
    for f in &findings {
        let rule = rules::ALL.iter().find(|r| r.code == f.code);
        assert!(rule.is_some_and(|r| r.severity == f.severity), "finding code is not in rules::ALL: {f:?}");
        assert!(resolves(&tree, &f.path, &findings), "finding path does not resolve in the record: {f:?}");
    }
    findings
}

/// Whether a finding path resolves in the serialized record. Paths name members by key and a
/// pointer picks the *first* member of a name, so a path through the second member of a
/// duplicated key (itself reported as `json.key.duplicate`) cannot resolve: that is accepted.
pub fn resolves(tree: &Json<'_>, path: &str, findings: &[Finding]) -> bool {
    tree.pointer(path).is_some()
        || findings.iter().any(|d| {
            d.code == rules::JSON_KEY_DUPLICATE.code
                && path.strip_prefix(d.path.as_str()).is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Whether a serde_json error is its nesting limit (128), which emr's own parser (256) exceeds.
fn is_recursion_limit(e: &serde_json::Error) -> bool {
    e.to_string().contains("recursion limit")
}

/// The record invariants, plus a serde round trip and validation at the ends of time.
pub fn check_record(record: &Record) {
    check_findings(record, fuzz_now());
    let serialized = serde_json::to_string(record).expect("a record serializes");
    match serde_json::from_str::<Record>(&serialized) {
        Ok(back) => assert_eq!(&back, record, "record changes in a serde round trip"),
        Err(e) => assert!(is_recursion_limit(&e), "serialized record does not deserialize: {e}"),
    }
    let _ = validate(record, chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let _ = validate(record, chrono::DateTime::<chrono::Utc>::MAX_UTC);
}

/// Target `record`: bytes → UTF-8 → `Record` (serde_json) → `validate`.
///
/// Input that is not a record envelope but is a FHIR resource is validated as the one entry of
/// a record, and also as its patient.
pub fn record(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(record) = serde_json::from_str::<Record>(text) {
        check_record(&record);
        return;
    }
    if let Ok(entry) = Entry::from_text(Provenance::new("fuzz", "e1"), text) {
        let _ = (entry.kind(), entry.is_retracted(), entry.clinical(), entry.resource().resource_type());
        let patient = Patient::parse(
            r#"{"resourceType":"Patient","id":"p1","birthDate":"1970-03-02","deceasedDateTime":"2024-05-06"}"#,
        )
        .expect("the fixed patient parses");
        let mut record = Record::new(patient);
        record.sources.push(Source::new("fuzz", "Fuzz"));
        record.entries.push(entry);
        check_record(&record);
    }
    if let Ok(patient) = Patient::parse(text) {
        let _ = patient.demographics();
        check_record(&Record::new(patient));
    }
}

/// Target `json`: `parse_bytes`; when it succeeds, every writer's output re-parses to the same
/// tree, and the canonical form is a fixed point.
pub fn json(data: &[u8]) {
    let Ok(tree) = json::parse_bytes(data) else { return };
    let compact = tree.to_compact_string();
    let again = json::parse(&compact).expect("compact output parses");
    assert_eq!(again, tree, "compact output re-parses to another tree");
    assert_eq!(again.to_compact_string(), compact, "compact output is not a fixed point");
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(json::minify(text).ok().as_deref(), Some(compact.as_str()), "minify differs from compact");
    }

    let canonical = tree.to_canonical_string();
    let reparsed = json::parse(&canonical).expect("canonical output parses");
    assert_eq!(reparsed.to_canonical_string(), canonical, "canonical output is not stable");
    assert_eq!(again.to_canonical_string(), canonical, "canonical form depends on the input's layout");

    let pretty = tree.to_pretty_string();
    assert_eq!(json::parse(&pretty).ok().as_ref(), Some(&tree), "pretty output re-parses to another tree");

    // A duplicate inside the second member of a duplicated key has a pointer that resolves
    // through the first member of that name, so it may not resolve: documented, accepted.
    let dups = tree.duplicate_keys();
    for dup in &dups {
        let inside_duplicate = dups.iter().any(|d| dup.strip_prefix(d.as_str()).is_some_and(|r| r.starts_with('/')));
        assert!(tree.pointer(dup).is_some() || inside_duplicate, "duplicate-key pointer does not resolve");
    }
    let _ = serde_json::to_string(&tree);
    let _ = (tree.as_f64(), tree.as_i64(), tree.as_u64(), tree.clone().into_owned() == tree);
    if let Json::Object(members) = &tree {
        for (key, _) in members {
            let ptr = format!("/{}", json::escape_pointer_token(key));
            assert!(tree.pointer(&ptr).is_some(), "pointer to a member does not resolve");
        }
    }
}

/// One unit, date or code: UCUM, `PartialDate`, `codes::check` for every known system.
pub fn unit_like(s: &str) {
    let unit = Unit::parse(s);
    assert_eq!(codes::check(KnownSystem::Ucum, s).is_ok(), unit.is_ok(), "check(Ucum) and Unit::parse disagree");
    if let Err(e) = &unit {
        let _ = (e.to_string(), e.kind.rule());
    }
    if let Ok(date) = s.parse::<PartialDate>() {
        let shown = date.to_string();
        assert_eq!(shown.parse::<PartialDate>(), Ok(date), "date does not survive Display and parse");
        assert!(date.earliest() <= date.latest(), "date interval is reversed");
        assert!(date.may_overlap(&date), "date does not overlap itself");
        let _ = (date.year(), date.has_time());
    }
    for system in KnownSystem::ALL {
        if let Err(problem) = codes::check(system, s) {
            assert_eq!(problem.system(), system, "problem names another system");
            let _ = (problem.code(), problem.describe(), problem.to_string(), problem.is_definite_error());
        }
    }
    let _ = KnownSystem::from_uri(s);
}

/// Target `units`: the whole input, and each of its lines, as a unit, date and code.
pub fn units(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    unit_like(&text);
    for line in text.lines() {
        unit_like(line);
    }
}

/// The keys target `shl` decrypts with: the IG examples' key, and all zeros (the key of the
/// corpus's own files), so that committed files reach past the authentication tag.
pub fn shl_keys() -> [emr_core::shl::ShlKey; 2] {
    [
        emr_core::shl::ShlKey::parse("rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q").expect("the IG key parses"),
        emr_core::shl::ShlKey::from_bytes([0; 32]),
    ]
}

/// Target `shl`: bytes (lossy UTF-8) as a link, a JWE file, a manifest and a manifest request.
/// A link that decodes re-encodes to a link that decodes to the same payload; a file that
/// decrypts re-encrypts (with its own IV) to one that decrypts to the same content; a manifest
/// that parses survives its own JSON.
pub fn shl(data: &[u8]) {
    use emr_core::shl::{jwe, Manifest, ManifestRequest, ShlPayload};
    let text = String::from_utf8_lossy(data);
    if let Ok(payload) = ShlPayload::from_link(&text) {
        let again = ShlPayload::from_link(&payload.to_link()).expect("an encoded link decodes");
        assert_eq!(again, payload, "link round trip changes the payload");
        assert_eq!(again.to_link(), payload.to_link(), "link encoding is not a fixed point");
        let _ = (payload.check_usable(0), payload.check_usable(i64::MAX), payload.check_usable(i64::MIN));
        if let Some(prefix) = emr_core::shl::viewer_prefix(&text) {
            assert!(ShlPayload::from_link(&payload.to_viewer_link(prefix)).is_ok(), "viewer link does not decode");
        }
    }
    for key in shl_keys() {
        let Ok(file) = jwe::decrypt_with_limit(&text, &key, 1 << 24) else { continue };
        let iv: [u8; 12] = [7; 12];
        let options = jwe::EncryptOptions { content_type: file.content_type.as_deref(), deflate: file.deflated };
        let sealed = jwe::encrypt(&file.plaintext, &key, iv, options).expect("decrypted content re-encrypts");
        let back = jwe::decrypt(&sealed, &key).expect("re-encrypted file decrypts");
        assert_eq!(back, file, "file round trip changes the content");
    }
    if let Ok(manifest) = Manifest::parse(data) {
        assert_eq!(Manifest::parse(manifest.to_json().as_bytes()).ok(), Some(manifest), "manifest round trip");
    }
    if let Ok(request) = ManifestRequest::parse(data) {
        assert_eq!(ManifestRequest::parse(request.to_json().as_bytes()).ok(), Some(request), "request round trip");
    }
}

/// Target `ccda`: bytes → C-CDA import. Never panics; when the XML is accepted the FHIR it
/// makes is valid JSON, imports, is deterministic, and every finding is a documented rule.
pub fn ccda(data: &[u8]) {
    use emr_core::ccda;
    let _ = ccda::looks_like_ccda(data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(ccda::import_bytes(data, &Default::default(), fuzz_now()).is_err(), "non-UTF-8 input imported");
        return;
    };
    let Ok(converted) = ccda::to_fhir(text) else { return };
    assert_eq!(ccda::to_fhir(text).map(|c| c.bundle).ok().as_deref(), Some(converted.bundle.as_str()), "to_fhir is not deterministic");
    json::parse(&converted.bundle).expect("the bundle is valid JSON");
    let imported = ccda::import(text, &Default::default(), fuzz_now()).expect("an accepted document imports");
    for f in &imported.findings {
        assert!(rules::ALL.iter().any(|r| r.code == f.code), "finding code is not in rules::ALL: {f:?}");
    }
    check_findings(&imported.record, fuzz_now());
    // The documents view reads the Composition's narrative back (the sanitizer, on the XHTML
    // the import wrote): deterministic, and never unreadable (the import writes XHTML).
    let docs = emr_core::query::documents(&imported.record);
    assert_eq!(emr_core::query::documents(&imported.record), docs, "documents is not deterministic");
    fn readable(s: &emr_core::query::DocumentSection) -> bool {
        !s.narrative_unreadable && s.sections.iter().all(readable)
    }
    assert!(docs.iter().all(|d| d.sections.iter().all(readable)), "the import's narrative is unreadable");
}

/// Target `narrative`: bytes → the XHTML narrative sanitizer (`emr_core::query::read_narrative`)
/// and its plain text. Never panics; the result is deterministic, holds no link but `http(s)`,
/// and every word of its plain text is in the input's text.
pub fn narrative(data: &[u8]) {
    use emr_core::query::{plain_text, read_narrative, Narrative};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(nodes) = read_narrative(text) else { return };
    assert_eq!(read_narrative(text).as_ref(), Some(&nodes), "read_narrative is not deterministic");
    fn check(n: &Narrative) {
        if let Narrative::Element { href, children, .. } = n {
            if let Some(h) = href {
                let h = h.to_ascii_lowercase();
                assert!(h.starts_with("http:") || h.starts_with("https:"), "unsafe link kept");
            }
            children.iter().for_each(check);
        }
    }
    nodes.iter().for_each(check);
    let _ = plain_text(&nodes, 40);
    let _ = plain_text(&nodes, 0);
}

/// Target `ndjson`: bytes → Bulk Data NDJSON import (`emr_core::fhir::import_ndjson`). The input
/// is split into files at each NUL byte (`0.ndjson`, `1.ndjson`, …). Never panics; the import is
/// deterministic, every finding is a documented rule pointing at a file and line, and the
/// record's own NDJSON export imports again.
pub fn ndjson(data: &[u8]) {
    use emr_core::fhir::{import_ndjson, to_ndjson, ExportOptions};
    let Ok(text) = std::str::from_utf8(data) else { return };
    let names: Vec<String> = (0..text.split('\0').count()).map(|i| format!("{i}.ndjson")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(text.split('\0')).collect();
    let imported = import_ndjson(&files, &Default::default(), fuzz_now());
    let again = import_ndjson(&files, &Default::default(), fuzz_now());
    assert_eq!(imported.record, again.record, "import_ndjson is not deterministic");
    assert_eq!(imported.findings, again.findings, "import_ndjson findings are not deterministic");
    for f in &imported.findings {
        assert!(rules::ALL.iter().any(|r| r.code == f.code), "finding code is not in rules::ALL: {f:?}");
        assert!(f.path.is_empty() || f.path.contains(".ndjson:"), "finding points at no file and line: {f:?}");
    }
    check_findings(&imported.record, fuzz_now());
    let options = ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().expect("a valid timestamp") };
    let out = to_ndjson(&imported.record, &options);
    let named: Vec<(String, &str)> = out.iter().map(|(ty, t)| (format!("{ty}.ndjson"), t.as_str())).collect();
    let named: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let back = import_ndjson(&named, &Default::default(), fuzz_now());
    assert!(back.findings.iter().all(|f| f.code != "ndjson.line"), "the export wrote a line that is not a resource");
}
