//! Helpers shared by the CLI tests: a clean `emr` command, keys, and small records.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A string that is only ever written inside encrypted files; finding it on disk is a leak.
pub const MARKER: &str = "Quixotic-Zebrafish-Marker";

/// `emr` with a clean environment: no inherited passphrase, cheap scrypt, a fixed actor.
pub fn emr() -> Command {
    let mut c = Command::cargo_bin("emr").unwrap();
    for var in ["EMR_PASSPHRASE", "EMR_NEW_PASSPHRASE", "EMR_ACTOR", "USER", "LOGNAME"] {
        c.env_remove(var);
    }
    c.env("EMR_SCRYPT_WORK_FACTOR", "10").env("EMR_ACTOR", "tester");
    c
}

/// The path of the `emr` binary, for spawning processes directly.
pub fn emr_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("emr")
}

/// A fresh X25519 identity written to `dir/NAME.key`; returns (path, public key).
pub fn key(dir: &Path, name: &str) -> (PathBuf, String) {
    let id = age::x25519::Identity::generate();
    let path = dir.join(format!("{name}.key"));
    use age::secrecy::ExposeSecret;
    std::fs::write(&path, format!("{}\n", id.to_string().expose_secret())).unwrap();
    (path, id.to_public().to_string())
}

/// The identity in a key file, for the age crate.
pub fn identity(path: &Path) -> age::x25519::Identity {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-")).unwrap().parse().unwrap()
}

/// A new `.emr` file encrypted to `public`, with a patient named after [`MARKER`].
pub fn init(dir: &Path, public: &str) -> PathBuf {
    let patient = dir.join("patient.json");
    std::fs::write(
        &patient,
        format!(r#"{{"resourceType":"Patient","id":"p1","name":[{{"family":"{MARKER}","given":["Ana"]}}],"birthDate":"1970-03-02"}}"#),
    )
    .unwrap();
    let file = dir.join("chart.emr");
    emr()
        .arg("init")
        .arg(&file)
        .args(["-r", public, "--source", "clinic-a", "--patient"])
        .arg(&patient)
        .assert()
        .success();
    std::fs::remove_file(&patient).unwrap();
    file
}

/// Add a condition with a display text containing [`MARKER`].
pub fn add_condition(file: &Path, key: &Path, id: &str) -> Output {
    emr()
        .arg("add")
        .arg(file)
        .arg("-i")
        .arg(key)
        .args(["--kind", "condition", "--code", "snomed|44054006", "--date", "2019-05", "--id", id])
        .args(["--display", &format!("Diabetes {MARKER}")])
        .output()
        .unwrap()
}

/// The entries of a file, via `emr list --json`.
pub fn entries(file: &Path, key: &Path) -> Vec<serde_json::Value> {
    let out = emr().arg("list").arg(file).arg("-i").arg(key).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Decrypt a file with the age crate (as any age tool could).
pub fn decrypt(file: &Path, key: &Path) -> Vec<u8> {
    age::decrypt(&identity(key), &std::fs::read(file).unwrap()).unwrap()
}

/// Encrypt bytes to a public key with the age crate.
pub fn encrypt(plain: &[u8], public: &str) -> Vec<u8> {
    let r: age::x25519::Recipient = public.parse().unwrap();
    age::encrypt(&r, plain).unwrap()
}

/// Run `f` on the decrypted database of `file` and write it back encrypted to `public`.
pub fn edit_database(file: &Path, key: &Path, public: &str, f: impl FnOnce(&rusqlite::Connection)) {
    let plain = decrypt(file, key);
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, &plain[..], plain.len(), false).unwrap();
    f(&conn);
    let image = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
    std::fs::write(file, encrypt(&image, public)).unwrap();
}

/// The names in a directory, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// True when running as root (tests that need a read-only or full file system use mounts then).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

#[path = "../../../tests/support/shared_data.rs"]
mod shared;

#[allow(unused_imports)] // not every test crate reads the shared data
pub use shared::shared_data;
