//! Interoperability with the reference `age` command-line tool (Debian package `age`): what emr
//! encrypts, `age -d` decrypts, and what `age` encrypts, emr opens.
//!
//! Skipped (with a message) where no `age` binary is installed; `scripts/test-all.sh` installs it
//! and sets `EMR_REQUIRE_AGE_CLI=1`, which turns a missing tool into a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

/// Whether the `age` tool runs here; panics when it is required but missing.
fn age_cli() -> bool {
    let found = Command::new("age").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("EMR_REQUIRE_AGE_CLI").is_none(),
            "EMR_REQUIRE_AGE_CLI is set, but `age` does not run"
        );
        eprintln!("skipped: the age command-line tool is not installed (apt install age)");
    }
    found
}

/// `age -d -i IDENTITY FILE`: the plaintext.
fn age_decrypt(identity: &Path, file: &Path) -> Vec<u8> {
    let out = Command::new("age").arg("-d").arg("-i").arg(identity).arg(file).output().unwrap();
    assert!(out.status.success(), "age -d: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn gunzip(bytes: &[u8]) -> serde_json::Value {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn demo(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo").join(name)
}

fn record(dir: &Path, public: &str, key: &Path) -> std::path::PathBuf {
    let file = dir.join("chart.emr");
    emr().arg("init").arg(&file).args(["-r", public]).assert().success();
    emr().arg("import").arg(&file).arg("-i").arg(key).arg(demo("clinic-b.json")).assert().success();
    file
}

#[test]
fn age_decrypts_patient_bundles_for_x25519_and_ssh_recipients() {
    if !age_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = record(dir.path(), &public, &key);
    let ssh = dir.path().join("id_ed25519");
    let made =
        Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "dr@clinic", "-f"]).arg(&ssh).status();
    let ssh_public =
        made.is_ok_and(|s| s.success()).then(|| std::fs::read_to_string(ssh.with_extension("pub")).unwrap());
    let bundle = dir.path().join("p.age");
    let mut cmd = emr();
    cmd.arg("export").arg(&file).arg("-i").arg(&key).args(["--format", "bundle", "-r", &public]);
    if let Some(p) = &ssh_public {
        cmd.args(["-r", p.trim()]);
    }
    cmd.arg("-o").arg(&bundle).assert().success();

    let mut identities = vec![key.clone()];
    identities.extend(ssh_public.as_ref().map(|_| ssh.clone()));
    for identity in &identities {
        let fhir = gunzip(&age_decrypt(identity, &bundle));
        assert_eq!(fhir["resourceType"], "Bundle");
        let entries = fhir["entry"].as_array().unwrap();
        // The IPS document first, then the entries, and a Provenance for the source.
        assert_eq!(entries[0]["resource"]["type"], "document");
        assert_eq!(entries[0]["resource"]["entry"][0]["resource"]["resourceType"], "Composition");
        assert!(entries.iter().any(|e| e["resource"]["resourceType"] == "Provenance"));
        assert!(entries.iter().filter(|e| e["resource"]["resourceType"] == "AllergyIntolerance").count() >= 1);
    }
}

#[test]
fn age_decrypts_record_files_to_their_sqlite_image() {
    if !age_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = record(dir.path(), &public, &key);
    let image = age_decrypt(&key, &file);
    assert!(image.starts_with(b"SQLite format 3\0"));
}

#[test]
fn emr_imports_a_bundle_that_age_encrypted() {
    if !age_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "k");
    let file = dir.path().join("chart.emr");
    emr().arg("init").arg(&file).args(["-r", &public]).assert().success();
    // gzip(FHIR JSON), encrypted by the age tool: what another program could hand a patient.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(demo("clinic-b.json")).unwrap()).unwrap();
    let compressed = gz.finish().unwrap();
    let sealed = dir.path().join("from-age.age");
    let mut child = Command::new("age").args(["-r", &public, "-o"]).arg(&sealed).stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(&compressed).unwrap();
    assert!(child.wait().unwrap().success());
    let out = emr().arg("import").arg(&file).arg("-i").arg(&key).arg(&sealed).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(entries(&file, &key).len(), 30);
}
