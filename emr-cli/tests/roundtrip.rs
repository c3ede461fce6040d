//! Store ↔ Record is lossless: the record JSON that comes out equals the one that went in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

use std::path::Path;

use emr_cli::store::{Filter, Key, Protection, RecipientKey, Stamp, Store};
use emr_core::model::Record;

fn records() -> Vec<(String, String)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data");
    let mut out = Vec::new();
    for sub in ["valid", "invalid"] {
        let mut paths: Vec<_> = std::fs::read_dir(data.join(sub)).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            // Only files that are records at all (a few invalid vectors are not).
            if serde_json::from_str::<Record>(&text).is_ok() {
                out.push((p.file_name().unwrap().to_string_lossy().into_owned(), text));
            }
        }
    }
    assert!(out.len() > 40, "test vectors found");
    out
}

#[test]
fn records_round_trip_through_an_encrypted_file() {
    let identity = age::x25519::Identity::generate();
    let recipient: RecipientKey = identity.to_public().to_string().parse().unwrap();
    let ids: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity)];
    let stamp = Stamp::now("tester");
    for (name, text) in records() {
        let record: Record = serde_json::from_str(&text).unwrap();
        let path = Path::new("x.emr");
        let mut store =
            Store::from_record(path, &record, Protection::Recipients(vec![recipient.clone()]), &stamp).unwrap();
        let bytes = store.encrypted().unwrap();
        let reopened = Store::open_bytes(path, &bytes, &Key::Identities(&ids)).unwrap();
        let back = reopened.to_record().unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), serde_json::to_string(&record).unwrap(), "{name}");
        assert_eq!(back, record, "{name}");

        // `list --json` renders each entry exactly as the record JSON does.
        let rows = reopened.entries(&Filter::default()).unwrap();
        let listed: serde_json::Value =
            serde_json::from_str(&emr_cli::render::entry::json_array(&rows).unwrap()).unwrap();
        assert_eq!(listed, serde_json::to_value(&record.entries).unwrap(), "{name}");
        for (row, entry) in rows.iter().zip(&record.entries) {
            assert_eq!(row.resource, entry.resource().as_str(), "{name}: resource text kept exactly");
        }
        let v = reopened.verify().unwrap();
        assert!(v.ok(), "{name}: {:?}", v.problems);
        assert_eq!(v.entries, record.entries.len());
    }
}

#[test]
fn passphrase_files_round_trip() {
    std::env::set_var("EMR_SCRYPT_WORK_FACTOR", "10");
    let (_, text) = records().into_iter().find(|(n, _)| n.starts_with("synthea-alexis")).unwrap();
    let record: Record = serde_json::from_str(&text).unwrap();
    let pass = age::secrecy::SecretString::from("correct horse battery staple".to_owned());
    let path = Path::new("p.emr");
    let mut store = Store::from_record(path, &record, Protection::Passphrase(pass.clone()), &Stamp::now("t")).unwrap();
    let bytes = store.encrypted().unwrap();
    assert_eq!(emr_cli::store::inspect(path, &bytes).unwrap(), emr_cli::store::KeyKind::Passphrase);
    let back = Store::open_bytes(path, &bytes, &Key::Passphrase(pass)).unwrap().to_record().unwrap();
    assert_eq!(back, record);
    let wrong = Key::Passphrase(age::secrecy::SecretString::from("wrong".to_owned()));
    assert!(matches!(Store::open_bytes(path, &bytes, &wrong), Err(emr_cli::store::StoreError::WrongPassphrase(_))));
}
