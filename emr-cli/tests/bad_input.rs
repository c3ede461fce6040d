//! Every bad input gives its own message and exit code, and leaves the file byte-identical.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

struct Case {
    name: &'static str,
    code: i32,
    /// A phrase the message must contain.
    says: &'static str,
}

/// Run `list` (read) and `add` (write) on `file`; both must fail with `case.code`,
/// say `case.says`, and leave the bytes of `file` unchanged. Returns the `list` stderr.
fn check(case: &Case, file: &Path, args: &[&str]) -> String {
    let before = std::fs::read(file).ok();
    let list = emr().arg("list").arg(file).args(args).output().unwrap();
    let add = emr()
        .arg("add")
        .arg(file)
        .args(args)
        .args(["--kind", "condition", "--code", "snomed|44054006", "--lock-timeout", "1"])
        .output()
        .unwrap();
    for (what, out) in [("list", &list), ("add", &add)] {
        assert_eq!(out.status.code(), Some(case.code), "{}: {what}: {}", case.name, stderr(out));
        assert!(stderr(out).contains(case.says), "{}: {what}: {}", case.name, stderr(out));
        assert!(stderr(out).contains("hint: "), "{}: {what} gives no hint", case.name);
        assert!(!stderr(out).contains(MARKER), "{}: {what} leaks patient data", case.name);
    }
    assert_eq!(std::fs::read(file).ok(), before, "{}: the file changed", case.name);
    redact(&list, file.parent().unwrap())
}

fn redact(out: &Output, dir: &Path) -> String {
    stderr(out).replace(&dir.display().to_string(), "[DIR]")
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    assert!(add_condition(&file, &key, "c1").status.success());
    (dir, file, key, public)
}

#[test]
fn every_bad_input_has_its_own_error() {
    let (dir, good, key, public) = setup();
    let key_arg = key.to_str().unwrap();
    let mut report = String::new();
    let mut run = |case: Case, file: &Path, args: &[&str]| {
        let text = check(&case, file, args);
        report.push_str(&format!("== {} (exit {})\n{text}\n", case.name, case.code));
    };
    let variant = |name: &str, bytes: &[u8]| -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let bytes = std::fs::read(&good).unwrap();

    let (other, _) = common::key(dir.path(), "other");
    run(
        Case { name: "wrong identity", code: 8, says: "none of the given identities" },
        &good,
        &["-i", other.to_str().unwrap()],
    );
    run(Case { name: "no identity", code: 8, says: "no identity was given" }, &good, &[]);
    run(
        Case { name: "missing file", code: 3, says: "no such file" },
        &dir.path().join("missing.emr"),
        &["-i", key_arg],
    );
    run(Case { name: "empty file", code: 4, says: "empty" }, &variant("empty.emr", b""), &["-i", key_arg]);
    run(
        Case { name: "not an age file", code: 5, says: "not age-encrypted" },
        &variant("text.emr", b"{\"format\":1}"),
        &["-i", key_arg],
    );
    for (file, len) in [("cut-header", 40), ("cut-half", bytes.len() / 2), ("cut-last-byte", bytes.len() - 1)] {
        let f = variant(&format!("{file}.emr"), &bytes[..len]);
        run(Case { name: "truncated", code: 6, says: "truncated" }, &f, &["-i", key_arg]);
    }
    for (file, at) in [("flip-middle", bytes.len() / 2), ("flip-last", bytes.len() - 1)] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x01;
        let f = variant(&format!("{file}.emr"), &flipped);
        run(Case { name: "flipped byte", code: 7, says: "damaged" }, &f, &["-i", key_arg]);
    }
    let foreign = variant("foreign.emr", &encrypt(b"SQLite format 3\0 but not really a database", &public));
    run(
        Case { name: "not an emr database", code: 9, says: "does not hold an emr database" },
        &foreign,
        &["-i", key_arg],
    );

    // A database stamped with a newer format version (header offset 60).
    let mut plain = decrypt(&good, &key);
    plain[60..64].copy_from_slice(&2u32.to_be_bytes());
    let newer = variant("newer.emr", &encrypt(&plain, &public));
    run(Case { name: "newer format", code: 10, says: "newer than this emr reads" }, &newer, &["-i", key_arg]);

    // A passphrase file opened with a wrong passphrase.
    let pass = dir.path().join("pass.emr");
    emr().arg("init").arg(&pass).env("EMR_PASSPHRASE", "right horse").assert().success();
    let wrong = dir.path().join("wrong.txt");
    std::fs::write(&wrong, "wrong horse\n").unwrap();
    run(
        Case { name: "wrong passphrase", code: 8, says: "wrong passphrase" },
        &pass,
        &["--passphrase-file", wrong.to_str().unwrap()],
    );
    run(
        Case { name: "identity for a passphrase file", code: 8, says: "protected by a passphrase" },
        &pass,
        &["-i", key_arg],
    );

    insta::assert_snapshot!("bad_inputs", report);
}

#[test]
fn lock_timeout() {
    let (_dir, file, key, _) = setup();
    let before = std::fs::read(&file).unwrap();
    let held = emr_cli::store::WriteLock::acquire(&file, std::time::Duration::from_secs(1)).unwrap();
    let out = emr()
        .arg("add")
        .arg(&file)
        .arg("-i")
        .arg(&key)
        .args(["--kind", "condition", "--code", "snomed|44054006", "--lock-timeout", "1"])
        .output()
        .unwrap();
    drop(held);
    assert_eq!(out.status.code(), Some(13), "{}", stderr(&out));
    assert!(stderr(&out).contains("another emr process is changing this file"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // Reading does not need the lock.
    let _ = emr_cli::store::WriteLock::acquire(&file, std::time::Duration::from_secs(1)).unwrap();
    assert_eq!(entries(&file, &key).len(), 1);
}

/// Run a shell script in a private mount namespace (root only); `None` when that is not possible here.
fn in_mount_namespace(script: &str, envs: &[(&str, &Path)]) -> Option<Output> {
    if !is_root() {
        return None;
    }
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "sh", "-c", script]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.env("EMR_ACTOR", "tester").env_remove("EMR_PASSPHRASE");
    let out = cmd.output().ok()?;
    // Exit 200: the script could not set up its mounts; "unshare:": no mount namespace here.
    let unusable = out.status.code() == Some(200) || String::from_utf8_lossy(&out.stderr).starts_with("unshare:");
    (!unusable).then_some(out)
}

#[test]
fn read_only_directory() {
    let (dir, file, key, _) = setup();
    let before = std::fs::read(&file).unwrap();
    let script = r#"mount --bind "$D" "$D" && mount -o remount,bind,ro "$D" || exit 200
"$EMR" add "$F" -i "$K" --kind condition --code 'snomed|44054006'"#;
    let out = if is_root() {
        in_mount_namespace(script, &[("D", dir.path()), ("F", &file), ("K", &key), ("EMR", &emr_bin())])
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let out = emr()
            .arg("add")
            .arg(&file)
            .arg("-i")
            .arg(&key)
            .args(["--kind", "condition", "--code", "snomed|1"])
            .output();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        out.ok()
    };
    let Some(out) = out else {
        eprintln!("skipped: cannot make a read-only directory here (needs root and unshare)");
        return;
    };
    assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write here"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn disk_full() {
    let (dir, file, key, _) = setup();
    let before = std::fs::read(&file).unwrap();
    // A small tmpfs holding the file, filled up; the lock file exists beforehand.
    let script = r#"mount -t tmpfs -o size=512k tmpfs "$M" || exit 200
cp "$F" "$M/chart.emr" && touch "$M/chart.emr.lock" || exit 200
dd if=/dev/zero of="$M/fill" bs=4096 2>/dev/null
"$EMR" add "$M/chart.emr" -i "$K" --kind condition --code 'snomed|44054006'
rc=$?
cmp -s "$F" "$M/chart.emr" || { echo "CHANGED" >&2; exit 99; }
ls -a "$M" >&2
exit $rc"#;
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let Some(out) = in_mount_namespace(script, &[("M", &mnt), ("F", &file), ("K", &key), ("EMR", &emr_bin())]) else {
        eprintln!("skipped: cannot mount a small file system here (needs root and unshare)");
        return;
    };
    assert_eq!(out.status.code(), Some(12), "{}", stderr(&out));
    assert!(stderr(&out).contains("no space left on the device"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(".tmp-"), "a temporary file was left: {}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn output_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let before = std::fs::read(&key).unwrap();
    let out = emr().arg("keygen").arg("-o").arg(&key).output().unwrap();
    assert_eq!(out.status.code(), Some(14));
    assert!(stderr(&out).contains("--force"));
    assert_eq!(std::fs::read(&key).unwrap(), before);
    let file = init(dir.path(), &public);
    let chart = std::fs::read(&file).unwrap();
    let out = emr().arg("init").arg(&file).args(["-r", &public]).output().unwrap();
    assert_eq!(out.status.code(), Some(14));
    assert_eq!(std::fs::read(&file).unwrap(), chart);
    emr().arg("keygen").arg("-o").arg(&key).arg("--force").assert().success();
    assert_ne!(std::fs::read(&key).unwrap(), before);
}

#[test]
fn bad_entry_input_is_refused() {
    let (dir, file, key, _) = setup();
    let before = std::fs::read(&file).unwrap();
    let json = dir.path().join("bad.json");
    let cases: [(&str, &[&str], &str); 5] = [
        ("{\"resourceType\": ", &[], "not valid JSON"),
        ("[1, 2]", &[], "not a JSON object"),
        ("{\"resourceType\":\"Patient\"}", &[], "the record's patient"),
        ("", &["--kind", "condition", "--code", "44054006"], "--code must be SYSTEM|CODE"),
        ("", &["--kind", "condition", "--code", "snomed|44054006", "--date", "2019-02-30"], "--date"),
    ];
    for (text, flags, says) in cases {
        let mut cmd = emr();
        cmd.arg("add").arg(&file).arg("-i").arg(&key).args(flags);
        if flags.is_empty() {
            std::fs::write(&json, text).unwrap();
            cmd.arg("--json").arg(&json);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{says}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }
    // A resource with validation errors is refused unless --allow-invalid.
    std::fs::write(
        &json,
        r#"{"resourceType":"Condition","id":"x","subject":{"reference":"Patient/p1"},"onsetDateTime":"2999-01-01"}"#,
    )
    .unwrap();
    let out = emr().arg("add").arg(&file).arg("-i").arg(&key).arg("--json").arg(&json).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("date.future"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    emr().arg("add").arg(&file).arg("-i").arg(&key).arg("--json").arg(&json).arg("--allow-invalid").assert().success();
    // The same id again needs --new-version.
    let out = emr()
        .arg("add")
        .arg(&file)
        .arg("-i")
        .arg(&key)
        .arg("--json")
        .arg(&json)
        .arg("--allow-invalid")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--new-version"));
    emr()
        .arg("add")
        .arg(&file)
        .arg("-i")
        .arg(&key)
        .arg("--json")
        .arg(&json)
        .args(["--allow-invalid", "--new-version"])
        .assert()
        .success();
    let versions: Vec<u64> = entries(&file, &key)
        .iter()
        .filter(|e| e["provenance"]["id"] == "x")
        .map(|e| e["provenance"]["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, vec![1, 2]);
}

#[test]
fn scrypt_work_factor_has_a_floor() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.emr");
    for bad in ["5", "23", "fast"] {
        let out = emr()
            .arg("init")
            .arg(&file)
            .env("EMR_PASSPHRASE", "x y z")
            .env("EMR_SCRYPT_WORK_FACTOR", bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("from 10 to 22") && stderr(&out).contains("tests only"), "{}", stderr(&out));
        assert!(!file.exists());
    }
}
