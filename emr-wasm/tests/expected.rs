//! The expected results of the Node suite, computed here by emr-core natively: one truth, two
//! runtimes. `tests/node/vectors-*.test.mjs` runs the same inputs through the built package and
//! must give the same bytes (hashes of texts) and the same values.
//!
//! - `expected/fhir.json`: every file of `tests/data/fhir` imported, exported (collection Bundle,
//!   IPS, NDJSON) and imported back;
//! - `expected/demo.json`: the demo clinics (`examples/demo`) imported and merged, with the
//!   merged record's timeline, glucose trend, current lists and exports;
//! - `expected/ccda.json`: the C-CDA documents of `tests/data/ccda` and `tests/data/ccda-invalid`
//!   imported (`@emr/wasm/ccda`'s `fromCcda`), and inputs that must fail with their code, position
//!   and message; `expected/ccda-shared.json`: the same for HL7's example documents in
//!   `../shared/data/ccda/hl7-c-cda-examples/Documents` (checked when that data is present; its
//!   absence fails the test under `EMR_REQUIRE_SHARED_DATA=1`);
//! - `expected/demo-passphrase.age`, `expected/demo-recipient.age`: that merged record sealed
//!   natively, with age's default passphrase work factor and with an X25519 recipient; the Node
//!   suite opens them in wasm (and seals in wasm what the `native` example opens natively).
//!
//! Set `EMR_UPDATE_GENERATED=1` to rewrite the files after a deliberate change (the sealed
//! bundles are re-sealed then too; they differ at each sealing, as encryption is randomized):
//! `EMR_UPDATE_GENERATED=1 cargo test --release -p emr-wasm --test expected` (release: scrypt at
//! work factor 18 takes minutes in a debug build, a second in release). Without it, the
//! passphrase bundle is checked by its header only, for the same reason; the recipient bundle,
//! sealed from the same record, is opened.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "the expected outputs are written as JSON trees for readable diffs; emr-wasm/clippy.toml bans that for the bindings"
)]

#[path = "../../tests/support/shared_data.rs"]
mod shared_data;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use emr_core::bundle::{open, seal, OpenKey, SealKey};
use emr_core::fhir::{import, to_bundle, to_ips, to_ndjson, ExportOptions, ImportOptions};
use emr_core::merge::{merge, MergeOptions};
use emr_core::model::Record;
use emr_core::query::{current_lists, summary, timeline, trend};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `now` of the imports and `timestamp` of the exports; the Node suite uses the same.
const NOW: &str = "2026-01-01T00:00:00Z";
/// The passphrase of the sealed demo bundle. (The recipient bundle's test-only identity is
/// generated when the bundles are sealed, and kept in `expected/bundles.json`.)
const PASSPHRASE: &str = "tulip-harbor-93";
/// The trend the suite compares: glucose, reported in mg/dL by one clinic and mmol/L by the other.
const GLUCOSE: &str = "2339-0";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn export_options() -> ExportOptions {
    ExportOptions { timestamp: NOW.parse().unwrap() }
}

fn updating() -> bool {
    std::env::var_os("EMR_UPDATE_GENERATED").is_some()
}

/// `{ sha256, bytes }` of a text: what the suite compares for large outputs.
fn digest(text: &str) -> Value {
    json!({ "sha256": format!("{:x}", Sha256::digest(text.as_bytes())), "bytes": text.len() })
}

fn record_json(record: &Record) -> String {
    serde_json::to_string(record).unwrap()
}

fn check_generated(name: &str, value: &Value) {
    let path = expected_dir().join(name);
    let text = serde_json::to_string_pretty(value).unwrap() + "\n";
    if updating() {
        std::fs::write(&path, text).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == text,
        "emr-wasm/tests/expected/{name} is out of date: rerun with EMR_UPDATE_GENERATED=1 cargo test -p emr-wasm --test expected"
    );
}

/// What the package's export functions give for `record`.
fn exports(record: &Record) -> Value {
    let options = export_options();
    let ips = match to_ips(record, &options) {
        Ok(text) => digest(&text),
        Err(_) => json!({ "error": "record.patient.missing" }),
    };
    let ndjson: BTreeMap<String, Value> =
        to_ndjson(record, &options).into_iter().map(|(ty, text)| (ty, digest(&text))).collect();
    json!({ "fhir": digest(&to_bundle(record, &options)), "ips": ips, "ndjson": ndjson })
}

#[test]
fn fhir_vectors() {
    let dir = root().join("tests/data/fhir");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "tests/data/fhir has {} files", files.len());
    let mut vectors = BTreeMap::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let value = match import(&text, &ImportOptions::default(), now()) {
            Err(e) => json!({ "error": e.to_string() }),
            Ok(imported) => {
                let record = imported.record;
                let exported = to_bundle(&record, &export_options());
                let back = import(&exported, &ImportOptions::default(), now()).unwrap().record;
                json!({
                    "entries": record.entries.len(),
                    "record": digest(&record_json(&record)),
                    "findings": digest(&serde_json::to_string(&imported.findings).unwrap()),
                    "exports": exports(&record),
                    "roundTrip": digest(&record_json(&back)),
                })
            }
        };
        vectors.insert(name, value);
    }
    check_generated("fhir.json", &json!({ "now": NOW, "timestamp": NOW, "vectors": vectors }));
}

/// The demo clinics merged.
fn demo_merged() -> (Record, Value) {
    let read = |f: &str| std::fs::read_to_string(root().join("examples/demo").join(f)).unwrap();
    let a = import(&read("clinic-a.json"), &ImportOptions::default(), now()).unwrap();
    let b = import(&read("clinic-b.json"), &ImportOptions::default(), now()).unwrap();
    let (record, report) = merge(&[a.record.clone(), b.record.clone()], &MergeOptions::default()).unwrap();
    let value = json!({
        "inputs": {
            "clinic-a.json": { "record": digest(&record_json(&a.record)), "findings": a.findings },
            "clinic-b.json": { "record": digest(&record_json(&b.record)), "findings": b.findings },
        },
        "merged": {
            "record": digest(&record_json(&record)),
            "report": report,
            "timeline": timeline(&record),
            "trend": { "code": GLUCOSE, "value": trend(&record, GLUCOSE) },
            "currentLists": current_lists(&record),
            "summary": summary(&record),
            "exports": exports(&record),
        },
    });
    (record, value)
}

#[test]
fn demo_merge() {
    let (_, value) = demo_merged();
    check_generated("demo.json", &value);
}

#[test]
fn bundles_sealed_natively() {
    use age::secrecy::ExposeSecret;
    let (record, value) = demo_merged();
    let identity: String = if updating() {
        age::x25519::Identity::generate().to_string().expose_secret().to_owned()
    } else {
        let text = std::fs::read_to_string(expected_dir().join("bundles.json")).unwrap();
        serde_json::from_str::<Value>(&text).unwrap()["identity"].as_str().unwrap().to_owned()
    };
    let recipient = identity.parse::<age::x25519::Identity>().unwrap().to_public().to_string();
    let sealed = [
        ("demo-passphrase.age", OpenKey::Passphrase(PASSPHRASE)),
        ("demo-recipient.age", OpenKey::Identity(&identity)),
    ];
    if updating() {
        // Work factor 18: what age picks on an idle machine like this one (calibrated to a second;
        // `emr export` lets age pick) and its fallback in wasm, where `sealBundle` uses it.
        let passphrase = SealKey::Passphrase { passphrase: PASSPHRASE, work_factor: Some(18) };
        let recipients = [recipient.clone()];
        let timestamp = NOW.parse().unwrap();
        std::fs::write(expected_dir().join(sealed[0].0), seal(&record, &passphrase, timestamp).unwrap()).unwrap();
        let to_recipient = SealKey::Recipients(&recipients);
        std::fs::write(expected_dir().join(sealed[1].0), seal(&record, &to_recipient, timestamp).unwrap()).unwrap();
    }
    let mut opened_records = BTreeMap::new();
    for (file, key) in &sealed {
        let bytes = std::fs::read(expected_dir().join(file)).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"), "{file}");
        if matches!(key, OpenKey::Passphrase(_)) {
            assert!(bytes.windows(4).any(|w| w == b" 18\n"), "{file}: not sealed at work factor 18");
            if !updating() {
                let text = std::fs::read_to_string(expected_dir().join("bundles.json")).unwrap();
                let recorded = &serde_json::from_str::<Value>(&text).unwrap()["opened"][file];
                opened_records.insert(*file, recorded.clone());
                continue;
            }
        }
        let opened = open(&bytes, key, now()).unwrap();
        let value = json!({
            "record": digest(&record_json(&opened.record)),
            "entries": opened.record.entries.len(),
            "viewItems": view_items(&opened.record),
            "findings": digest(&serde_json::to_string(&opened.findings).unwrap()),
            "fhir": digest(&opened.fhir),
        });
        opened_records.insert(*file, value);
    }
    // Both bundles hold the same record.
    assert_eq!(opened_records[sealed[0].0], opened_records[sealed[1].0]);
    check_generated(
        "bundles.json",
        &json!({
            "passphrase": PASSPHRASE,
            "identity": identity,
            "recipient": recipient,
            "sealedRecord": value["merged"]["record"],
            "sealedViewItems": view_items(&record),
            "opened": opened_records,
        }),
    );
}

fn view_items(record: &Record) -> usize {
    emr_core::merge::view(record).items.len()
}

/// The demo's IPS shared as a SMART Health Link with a fixed key and IV (`createShl` takes them
/// as options), and the IG's published link and JWE: `expected/shl.json`. The package must give
/// the same link and file bytes, and open what emr-core wrote.
#[test]
fn shl_made_natively() {
    use emr_core::shl::{jwe, Flags, Manifest, ManifestFile, ManifestRequest, ShlKey, ShlPayload};
    let (record, _) = demo_merged();
    let ips = to_ips(&record, &export_options()).unwrap();
    let key_bytes: [u8; 32] = std::array::from_fn(|i| (i * 7 + 1) as u8);
    let iv: [u8; 12] = std::array::from_fn(|i| (200 - i) as u8);
    let key = ShlKey::from_bytes(key_bytes);
    let (url, label, expires) =
        ("https://shl.example.org/m/demo-1", "Demo summary for Dr. Lee", "2036-01-01T00:00:00Z");
    let exp = expires.parse::<DateTime<Utc>>().unwrap().timestamp();
    let payload = ShlPayload::new(url, key.clone())
        .unwrap()
        .with_flags(Flags { passcode: true, ..Flags::default() })
        .unwrap()
        .with_label(label)
        .unwrap()
        .with_exp(exp);
    let file = jwe::encrypt(ips.as_bytes(), &key, iv, jwe::EncryptOptions::default()).unwrap();
    let plain = jwe::encrypt(
        ips.as_bytes(),
        &key,
        iv,
        jwe::EncryptOptions { content_type: Some("text/plain"), deflate: false },
    )
    .unwrap();
    let manifest = Manifest { files: vec![ManifestFile::embedded(jwe::FHIR_JSON, file.clone())], list: None };
    let request =
        ManifestRequest { recipient: "Clinic B".into(), passcode: Some("1234".into()), embedded_length_max: None };
    assert_eq!(jwe::decrypt(&file, &key).unwrap().plaintext, ips.as_bytes());

    let shl_dir = root().join("tests/data/shl");
    let read = |f: &str| std::fs::read_to_string(shl_dir.join(f)).unwrap().trim().to_owned();
    let ig_link = read("ig-link-generation-shlink.txt");
    let ig_payload = ShlPayload::from_link(&ig_link).unwrap();
    let ig_file = read("ig-example-encryption.jwe");
    let ig_opened = jwe::decrypt(&ig_file, ig_payload.key()).unwrap();
    check_generated(
        "shl.json",
        &json!({
            "now": NOW,
            "url": url,
            "label": label,
            "expires": expires,
            "keyBytes": key_bytes.to_vec(),
            "iv": iv.to_vec(),
            "ips": digest(&ips),
            "link": payload.to_link(),
            "viewerLink": payload.to_viewer_link("https://viewer.example/"),
            "payload": serde_json::from_str::<Value>(&payload.to_json()).unwrap(),
            "file": file,
            "filePlain": digest(&plain),
            "manifest": digest(&manifest.to_json()),
            "request": request.to_json(),
            "ig": {
                "link": ig_link,
                "viewerLink": read("ig-link-generation-viewer.txt"),
                "payload": serde_json::from_str::<Value>(&ig_payload.to_json()).unwrap(),
                "file": ig_file,
                "fileContentType": ig_opened.content_type,
                "fileContent": digest(std::str::from_utf8(&ig_opened.plaintext).unwrap()),
            },
        }),
    );
}

/// What `fromCcda` must give for a document: its entries, the record's and the findings' bytes,
/// and the findings per code (readable in a diff).
fn ccda_vector(bytes: &[u8]) -> Value {
    match emr_core::ccda::import_bytes(bytes, &ImportOptions::default(), now()) {
        Err(e) => json!({ "error": e.code(), "message": e.to_string() }),
        Ok(imported) => {
            let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
            for f in &imported.findings {
                *codes.entry(f.code.as_str()).or_default() += 1;
            }
            json!({
                "entries": imported.record.entries.len(),
                "record": digest(&record_json(&imported.record)),
                "findings": digest(&serde_json::to_string(&imported.findings).unwrap()),
                "findingCodes": codes,
            })
        }
    }
}

/// The `.xml` files under `dir`, recursively, by path relative to `dir` (with `/`), sorted.
fn xml_files(dir: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
                let name = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(name, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Inputs `fromCcda` must refuse, each with a patient's name planted where a careless message
/// would repeat it. Bytes that are not UTF-8 are given as `bytes`.
fn ccda_refusals() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "close tag does not match",
            b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n  <recordTarget><patientRole><patient><name><given>Alexis</given><family>Toy</family></name></patient>\n</ClinicalDocument>".to_vec(),
        ),
        ("truncated", b"<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n  <title>Alexis Toy".to_vec()),
        ("undefined entity", b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n<title>&AlexisToy;</title></ClinicalDocument>".to_vec()),
        ("attribute with <", b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\" title=\"Alexis <Toy\"/>".to_vec()),
        ("empty", Vec::new()),
        (
            "DOCTYPE with an entity",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY name \"Alexis Toy\">]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">&name;</ClinicalDocument>".to_vec(),
        ),
        ("not a ClinicalDocument", b"<Bundle xmlns=\"urn:hl7-org:v3\"><name>Alexis Toy</name></Bundle>".to_vec()),
        ("FHIR JSON", b"{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"Alexis Toy\"}]}".to_vec()),
        (
            "nested too deep",
            format!("<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n{}Alexis Toy{}</ClinicalDocument>", "<a>".repeat(300), "</a>".repeat(300))
                .into_bytes(),
        ),
        ("not UTF-8", b"<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>Alexis \xff Toy</title></ClinicalDocument>".to_vec()),
    ]
}

#[test]
fn ccda_vectors() {
    let mut vectors = BTreeMap::new();
    for dir in ["ccda", "ccda-invalid"] {
        for (name, path) in xml_files(&root().join("tests/data").join(dir)) {
            vectors.insert(format!("{dir}/{name}"), ccda_vector(&std::fs::read(path).unwrap()));
        }
    }
    assert!(vectors.len() >= 10, "{} C-CDA vectors", vectors.len());
    let refusals: Vec<Value> = ccda_refusals()
        .into_iter()
        .map(|(what, bytes)| {
            let e = emr_core::ccda::import_bytes(&bytes, &ImportOptions::default(), now()).unwrap_err();
            let message = e.to_string();
            assert!(!message.contains("Alexis") && !message.contains("Toy"), "{what}: {message}");
            let input = match String::from_utf8(bytes) {
                Ok(text) => json!({ "text": text }),
                Err(e) => json!({ "bytes": e.into_bytes() }),
            };
            let (line, column) = e.position().map_or((Value::Null, Value::Null), |(l, c)| (json!(l), json!(c)));
            json!({ "what": what, "input": input, "code": e.code(), "line": line, "column": column, "message": message })
        })
        .collect();
    check_generated("ccda.json", &json!({ "now": NOW, "vectors": vectors, "refusals": refusals }));
}

/// HL7's example documents (`../shared/data/ccda/hl7-c-cda-examples/Documents`), by path under it.
#[test]
fn ccda_shared_documents() {
    let Some(dir) = shared_data::shared_data("ccda/hl7-c-cda-examples/Documents") else { return };
    let vectors: BTreeMap<String, Value> = xml_files(&dir)
        .into_iter()
        .map(|(name, path)| {
            let vector = ccda_vector(&std::fs::read(path).unwrap());
            assert!(vector.get("error").is_none(), "{name}: {vector}");
            (name, vector)
        })
        .collect();
    assert!(vectors.len() >= 12, "{} shared C-CDA documents", vectors.len());
    check_generated("ccda-shared.json", &json!({ "now": NOW, "vectors": vectors }));
}

/// What the functions that mirror the core's clinical rules give on the merged demo:
/// `expected/mirror.json` — its view, conflicts with their sides, demographics, the identity
/// check of the two clinics (and of a different patient), a clinician's decision settling the
/// first conflict, a drafted entry and that entry added, and code checks.
#[test]
fn mirror() {
    use emr_core::clinical::{DraftKind, EntryDraft};
    use emr_core::codes::{check_code, expand_code, shorten_code};
    use emr_core::merge::{conflict_sides, identity_check, resolve, view, SideChoice};
    use emr_core::model::{Source, SourceId};
    use emr_core::validate::{add_entry, draft_resource, AddOptions};
    let (record, _) = demo_merged();
    let read = |f: &str| std::fs::read_to_string(root().join(f)).unwrap();
    let a = import(&read("examples/demo/clinic-a.json"), &ImportOptions::default(), now()).unwrap().record;
    let b = import(&read("examples/demo/clinic-b.json"), &ImportOptions::default(), now()).unwrap().record;
    let other = import(&read("tests/data/fhir/Patient-example.json"), &ImportOptions::default(), now()).unwrap().record;
    let conflicts = conflict_sides(&record);
    let first = conflicts.iter().find(|c| !c.settled).expect("the demo has an open conflict");
    let clinician = "Dr. Ana Lee";
    let decided = resolve(
        &record,
        &first.conflict.id,
        &SideChoice::Accept(1),
        &Source::clinician(clinician),
        NOW.parse().unwrap(),
    )
    .unwrap();
    let draft = EntryDraft {
        code: "loinc|4548-4".into(),
        display: Some("Hemoglobin A1c".into()),
        date: Some("2025-12-01".into()),
        value: Some("6.30".into()),
        unit: Some("%".into()),
        ..EntryDraft::new(DraftKind::Observation)
    };
    let options = AddOptions {
        source: SourceId::new("local"),
        id: Some("hba1c-new".into()),
        recorded: NOW.parse().unwrap(),
        now: now(),
        new_version: false,
        allow_invalid: false,
    };
    let patient_id = record.patient.as_ref().and_then(|p| p.resource().id());
    let added = add_entry(&record, draft_resource(&draft, Some("hba1c-new"), patient_id.as_deref()).unwrap(), &options)
        .unwrap();
    // Without an id: the core's default, derived from the draft's resource (as `emr add` derives it).
    let by_default = add_entry(
        &record,
        draft_resource(&draft, None, patient_id.as_deref()).unwrap(),
        &AddOptions { id: None, ..options.clone() },
    )
    .unwrap();
    let drafted = draft.to_resource("hba1c-new", Some("p1")).unwrap();
    let codes: Vec<&str> = vec![
        "loinc|4548-4",
        "http://loinc.org|4548-5",
        "snomed|44054006",
        "http://example.org|x",
        "ucum|mcg",
        "4548-4",
    ];
    check_generated(
        "mirror.json",
        &json!({
            "now": NOW,
            "view": digest(&serde_json::to_string(&view(&record)).unwrap()),
            "viewItems": view(&record).items.len(),
            "conflicts": digest(&serde_json::to_string(&conflicts).unwrap()),
            "conflictCount": conflicts.len(),
            "demographics": record.patient.as_ref().map(|p| p.demographics()),
            "identity": identity_check(&[a.clone(), b]),
            "identityOther": identity_check(&[a, other]),
            "reconcile": {
                "conflict": first.conflict.id,
                "clinician": clinician,
                "accept": 1,
                "recorded": NOW,
                "record": digest(&record_json(&decided)),
            },
            "draft": draft,
            "drafted": {
                "id": "hba1c-new",
                "patientId": "p1",
                "resource": drafted.as_str(),
                "defaultId": draft_resource(&draft, None, Some("p1")).unwrap().id(),
            },
            "added": {
                "id": "hba1c-new",
                "record": digest(&record_json(&added.record)),
                "entry": added.entry,
                "findings": added.findings,
                "defaultId": by_default.entry.id,
            },
            "codes": codes.iter().map(|c| json!({
                "text": c,
                "expanded": expand_code(c),
                "shortened": shorten_code(c),
                "check": check_code(c),
            })).collect::<Vec<_>>(),
        }),
    );
}
