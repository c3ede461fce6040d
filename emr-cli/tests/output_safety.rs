//! The rules every file `emr` writes follows (emr-cli/src/output.rs), through the commands:
//! new files 0600, `--force` replaces atomically, an output is never one of the inputs, binary
//! never goes to a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{add_condition, emr, init, key};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn export(file: &Path, key: &Path, args: &[&str]) -> Output {
    emr().arg("export").arg(file).arg("-i").arg(key).args(args).output().unwrap()
}

#[test]
fn outputs_are_new_private_files_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (k, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    assert!(add_condition(&file, &k, "c1").status.success());
    let out_path = dir.path().join("view.json");
    let o = out_path.to_str().unwrap();
    assert!(export(&file, &k, &["--format", "fhir", "-o", o]).status.success());
    #[cfg(unix)]
    assert_eq!(mode(&out_path), 0o600);
    std::fs::write(&out_path, b"kept").unwrap();
    let out = export(&file, &k, &["--format", "fhir", "-o", o]);
    assert_eq!(out.status.code(), Some(14), "{}", stderr(&out));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&out_path).unwrap(), b"kept");
    let out = export(&file, &k, &["--format", "fhir", "-o", o, "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&out_path).unwrap().contains("\"resourceType\":\"Bundle\""));
    #[cfg(unix)]
    assert_eq!(mode(&out_path), 0o600, "replaced by a 0600 temporary file, renamed");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().contains(".tmp-")), "{names:?}");

    // keygen: the same rules.
    let out = emr().args(["keygen", "-o"]).arg(&out_path).output().unwrap();
    assert_eq!(out.status.code(), Some(14), "{}", stderr(&out));
}

#[test]
fn an_output_is_never_an_input_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (k, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    let before = std::fs::read(&file).unwrap();
    // Another spelling of the same path.
    let same = dir.path().join(".").join("chart.emr");
    for format in ["fhir", "ips"] {
        let out = export(&file, &k, &["--format", format, "--force", "-o", same.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{format}: {}", stderr(&out));
        assert!(stderr(&out).contains("the output is the same file as an input"), "{}", stderr(&out));
    }
    let out = emr().arg("merge").arg(&same).arg(&file).arg("-i").arg(&k).arg("--force").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the output is the same file as an input"), "{}", stderr(&out));
    let out = emr()
        .arg("trend")
        .arg(&file)
        .arg("4548-4")
        .arg("-i")
        .arg(&k)
        .arg("--svg")
        .arg(&same)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("the output is the same file as an input"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&file).unwrap(), before, "the record is untouched");
}

#[cfg(unix)]
#[test]
fn binary_is_refused_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (k, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    // `script` runs the command with a pseudo-terminal as its standard output.
    let command = format!(
        "{} export {} -i {} --format bundle -r {public} -o -",
        common::emr_bin().display(),
        file.display(),
        k.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("EMR_SCRYPT_WORK_FACTOR", "10")
        .output()
        .expect("`script` (util-linux) runs a command on a pseudo-terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("refusing to write a binary patient bundle to the terminal"), "{text}");
    assert!(!text.contains("age-encryption.org"), "{text}");

    // Redirected to a file, the same command writes the bundle.
    let bundle = dir.path().join("p.age");
    let out = std::process::Command::new(common::emr_bin())
        .arg("export")
        .arg(&file)
        .arg("-i")
        .arg(&k)
        .args(["--format", "bundle", "-r", &public, "-o", "-"])
        .stdout(std::fs::File::create(&bundle).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&bundle).unwrap().starts_with(b"age-encryption.org/"));
}

#[test]
fn ndjson_files_are_new_and_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (k, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    assert!(add_condition(&file, &k, "c1").status.success());
    let nd = dir.path().join("nd");
    let o = nd.to_str().unwrap();
    assert!(export(&file, &k, &["--format", "ndjson", "-o", o]).status.success());
    #[cfg(unix)]
    {
        assert_eq!(mode(&nd), 0o700);
        assert_eq!(mode(&nd.join("Condition.ndjson")), 0o600);
    }
    let out = export(&file, &k, &["--format", "ndjson", "-o", o]);
    assert_eq!(out.status.code(), Some(14), "{}", stderr(&out));
    std::fs::write(nd.join("Condition.ndjson"), b"old\n").unwrap();
    let out = export(&file, &k, &["--format", "ndjson", "-o", o, "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(nd.join("Condition.ndjson")).unwrap().contains("\"Condition\""));
    let names: Vec<_> = std::fs::read_dir(&nd).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().starts_with('.')), "{names:?}");
}
