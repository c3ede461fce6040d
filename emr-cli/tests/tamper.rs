//! Editing the database outside emr (decrypt, change, re-encrypt) is caught by `emr verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    for (id, value) in [("o1", "6.30"), ("o2", "7.1")] {
        emr()
            .arg("add")
            .arg(&file)
            .arg("-i")
            .arg(&key)
            .args(["--kind", "observation", "--code", "loinc|4548-4", "--value", value, "--unit", "%", "--id", id])
            .assert()
            .success();
    }
    (dir, file, key, public)
}

/// `emr verify --json` → (exit code, problem codes).
fn verify(file: &Path, key: &Path) -> (i32, Vec<String>) {
    let out = emr().arg("verify").arg(file).arg("-i").arg(key).arg("--json").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = v["problems"].as_array().unwrap();
    let codes = problems
        .iter()
        .map(|p| format!("{} {}", p["code"].as_str().unwrap(), p["message"].as_str().unwrap()))
        .collect();
    (out.status.code().unwrap(), codes)
}

#[test]
fn intact_file_verifies() {
    let (_dir, file, key, _) = setup();
    assert_eq!(verify(&file, &key), (0, vec![]));
}

#[test]
fn changed_entry_is_detected() {
    let (_dir, file, key, public) = setup();
    edit_database(&file, &key, &public, |db| {
        let n = db
            .execute("UPDATE entries SET resource = replace(resource, '6.30', '9.30') WHERE source_id = 'o1'", [])
            .unwrap();
        assert_eq!(n, 1);
    });
    let (code, problems) = verify(&file, &key);
    assert_eq!(code, 1);
    assert_eq!(
        problems,
        vec!["row.changed entry:0: the row differs from its last logged version (changed outside emr)"]
    );
    // The human report says FAILED, names the row and never the value.
    let out = emr().arg("verify").arg(&file).arg("-i").arg(&key).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FAILED") && text.contains("entry:0") && !text.contains("9.30"), "{text}");
}

#[test]
fn changed_derived_column_is_detected() {
    let (_dir, file, key, public) = setup();
    edit_database(&file, &key, &public, |db| {
        db.execute("UPDATE entries SET status = 'entered-in-error' WHERE source_id = 'o2'", []).unwrap();
    });
    let (code, problems) = verify(&file, &key);
    assert_eq!(code, 1);
    assert_eq!(problems, vec!["index.stale entry:1: its query columns do not match its resource"]);
}

#[test]
fn removed_inserted_and_patient_rows_are_detected() {
    let (_dir, file, key, public) = setup();
    edit_database(&file, &key, &public, |db| {
        db.execute("DELETE FROM entries WHERE source_id = 'o2'", []).unwrap();
        db.execute(
            "INSERT INTO entries
             SELECT 7, source, 'forged', version, provenance, resource, kind, code, display, date, date_start,
                    date_end, status FROM entries WHERE source_id = 'o1'",
            [],
        )
        .unwrap();
        db.execute("UPDATE patient SET resource = replace(resource, 'Ana', 'Eve')", []).unwrap();
    });
    let (code, problems) = verify(&file, &key);
    assert_eq!(code, 1);
    let codes: Vec<&str> = problems.iter().map(|p| p.split(' ').next().unwrap()).collect();
    assert_eq!(codes, vec!["row.unlogged", "row.changed", "row.missing"], "{problems:?}");
}

#[test]
fn edited_audit_log_is_detected() {
    let (_dir, file, key, public) = setup();
    edit_database(&file, &key, &public, |db| {
        db.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;").unwrap();
        db.execute("UPDATE audit SET actor = 'someone-else' WHERE seq = 4", []).unwrap();
        db.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    });
    let (code, problems) = verify(&file, &key);
    assert_eq!(code, 1);
    let codes: Vec<&str> = problems.iter().map(|p| p.split(' ').next().unwrap()).collect();
    assert!(
        codes.contains(&"audit.hash") && codes.contains(&"audit.sequence") && codes.contains(&"audit.prev"),
        "{problems:?}"
    );
}

#[test]
fn any_age_tool_decrypts_the_file_to_sqlite() {
    let (_dir, file, key, _) = setup();
    let plain = decrypt(&file, &key);
    assert!(plain.starts_with(b"SQLite format 3\0"));
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, &plain[..], plain.len(), false).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    let app: u32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app, emr_cli::store::APPLICATION_ID);
}
