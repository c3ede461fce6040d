//! No plaintext on disk: after every command the directory holds only the expected files,
//! none of them contains patient data or a database image in the clear, and no temporary
//! file was written anywhere.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::Path;

use common::*;

fn assert_clean(dir: &Path, tmp: &Path, expected: &[&str], after: &str) {
    assert_eq!(names(dir), expected, "after {after}: unexpected files");
    for name in names(dir) {
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(MARKER), "after {after}: {name} holds patient data in the clear");
        assert!(!text.contains("SQLite format 3"), "after {after}: {name} holds a database image in the clear");
    }
    assert!(names(tmp).is_empty(), "after {after}: temporary files {:?}", names(tmp));
}

#[test]
fn nothing_in_the_clear() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("work");
    let tmp = root.path().join("tmp");
    std::fs::create_dir(&dir).unwrap();
    std::fs::create_dir(&tmp).unwrap();
    let run = |args: &[&str]| {
        // SQLite and the standard library put temporary files in TMPDIR: it must stay empty.
        let out = emr().current_dir(&dir).env("TMPDIR", &tmp).env("SQLITE_TMPDIR", &tmp).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let public = run(&["keygen", "-o", "k.key"]).trim().to_owned();
    assert_clean(&dir, &tmp, &["k.key"], "keygen");
    let patient = root.path().join("patient.json");
    std::fs::write(&patient, format!(r#"{{"resourceType":"Patient","id":"p1","name":[{{"family":"{MARKER}"}}]}}"#))
        .unwrap();
    run(&["init", "c.emr", "-r", &public, "--patient", patient.to_str().unwrap()]);
    let files = ["c.emr", "c.emr.lock", "k.key"];
    assert_clean(&dir, &tmp, &files, "init");
    let display = format!("Diabetes {MARKER}");
    run(&[
        "add",
        "c.emr",
        "-i",
        "k.key",
        "--kind",
        "condition",
        "--code",
        "snomed|44054006",
        "--display",
        &display,
        "--id",
        "c1",
    ]);
    assert_clean(&dir, &tmp, &files, "add");
    let listed = run(&["list", "c.emr", "-i", "k.key", "--json"]);
    assert!(listed.contains(MARKER), "the data is there, encrypted");
    for args in [
        &["list", "c.emr", "-i", "k.key"][..],
        &["show", "c.emr", "c1", "-i", "k.key"],
        &["log", "c.emr", "-i", "k.key"],
        &["verify", "c.emr", "-i", "k.key"],
        &["validate", "c.emr", "-i", "k.key"],
        &["recipients", "list", "c.emr", "-i", "k.key"],
    ] {
        run(args);
        assert_clean(&dir, &tmp, &files, args[0]);
    }
    let (_, other) = key(root.path(), "other");
    run(&["recipients", "add", "c.emr", "-i", "k.key", "-r", &other]);
    assert_clean(&dir, &tmp, &files, "recipients add");
    run(&["recipients", "remove", "c.emr", "-i", "k.key", "-r", &other]);
    assert_clean(&dir, &tmp, &files, "recipients remove");

    // A passphrase file, and `passwd`.
    std::fs::write(root.path().join("pass"), "old words\n").unwrap();
    std::fs::write(root.path().join("new"), "new words\n").unwrap();
    let pass = root.path().join("pass");
    let new = root.path().join("new");
    run(&["init", "p.emr", "--passphrase-file", pass.to_str().unwrap(), "--patient", patient.to_str().unwrap()]);
    run(&[
        "add",
        "p.emr",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--kind",
        "allergy",
        "--code",
        "snomed|91936005",
        "--display",
        &display,
    ]);
    run(&[
        "passwd",
        "p.emr",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ]);
    let files = ["c.emr", "c.emr.lock", "k.key", "p.emr", "p.emr.lock"];
    assert_clean(&dir, &tmp, &files, "passwd");
    assert!(run(&["list", "p.emr", "--passphrase-file", new.to_str().unwrap(), "--json"]).contains(MARKER));
    run(&["man", "-o", "emr.1"]);
    assert_eq!(names(&dir).len(), files.len() + 1);
}
