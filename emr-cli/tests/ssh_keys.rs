//! SSH keys as recipients and identities (ed25519 and RSA), several recipients at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::Path;

use common::*;

fn ssh_keygen(dir: &Path, kind: &str, name: &str) -> Option<String> {
    let path = dir.join(name);
    let mut cmd = std::process::Command::new("ssh-keygen");
    cmd.args(["-q", "-t", kind, "-N", "", "-C", &format!("{name}@clinic"), "-f"]).arg(&path);
    if kind == "rsa" {
        cmd.args(["-b", "2048"]);
    }
    let ok = cmd.output().ok()?.status.success();
    ok.then(|| std::fs::read_to_string(path.with_extension("pub")).unwrap().trim().to_owned())
}

#[test]
fn ssh_ed25519_and_rsa_recipients() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(ed), Some(rsa)) = (ssh_keygen(dir.path(), "ed25519", "ed"), ssh_keygen(dir.path(), "rsa", "rsa")) else {
        eprintln!("skipped: ssh-keygen is not installed");
        return;
    };
    let (age_key, age_public) = key(dir.path(), "practice");
    let file = dir.path().join("c.emr");
    emr().arg("init").arg(&file).args(["-r", &ed, "-r", &rsa, "-r", &age_public]).assert().success();
    assert!(add_condition(&file, &dir.path().join("ed"), "c1").status.success());
    // Each of the three keys opens the file.
    for id in [dir.path().join("ed"), dir.path().join("rsa"), age_key] {
        assert_eq!(entries(&file, &id).len(), 1, "{}", id.display());
    }
    let out = emr().arg("recipients").arg("list").arg(&file).arg("-i").arg(dir.path().join("rsa")).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ssh-ed25519 ") && text.contains("ed@clinic"), "{text}");
    assert!(text.contains("ssh-rsa ") && text.contains("rsa@clinic"), "{text}");
    assert!(text.contains("age1"), "{text}");
    // An SSH public key is not an identity.
    let out = emr().arg("list").arg(&file).arg("-i").arg(dir.path().join("ed.pub")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
