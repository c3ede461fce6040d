//! With `--json`, a failure is one JSON object on standard error, with emr-core's stable code
//! (the one `@emr/wasm` throws), the message, the hint and the exit status; never patient data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{emr, init, key, MARKER};

/// The `--json` error object (parsed into a typed struct: the shape is the contract).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    error: Body,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    code: String,
    message: String,
    hint: String,
    exit: i32,
}

/// The error of a failed command run with `--json`: one line on stderr, nothing on stdout, the
/// process status equal to the object's `exit`.
fn json_error(out: &Output) -> Body {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    let report: Report = serde_json::from_str(&stderr).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(Some(report.error.exit), out.status.code(), "{stderr}");
    assert!(!report.error.message.is_empty() && !report.error.hint.is_empty(), "{stderr}");
    assert!(!stderr.contains(MARKER) && !stderr.contains("Ana"), "patient data in: {stderr}");
    report.error
}

fn patient_file(dir: &Path, name: &str, family: &str, birth: &str) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    let text = format!(
        r#"{{"resourceType":"Patient","id":"{name}","name":[{{"family":"{family}","given":["Ana"]}}],"birthDate":"{birth}","gender":"female"}}"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = key(dir.path(), "k");
    let (wrong, _) = key(dir.path(), "other");
    let file = init(dir.path(), &public);
    let out = emr().arg("list").arg(&file).arg("-i").arg(&wrong).arg("--json").output().unwrap();
    let e = json_error(&out);
    assert_eq!((e.code.as_str(), e.exit), ("file.identity", 8), "{e:?}");
    assert!(e.message.contains("chart.emr"), "{e:?}");

    // The same failure without --json is the text report, with the same status.
    let out = emr().arg("list").arg(&file).arg("-i").arg(&wrong).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(8));
    assert!(text.starts_with("error: ") && text.contains("\n  hint: "), "{text}");
}

#[test]
fn malformed_input() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, format!(r#"{{"format": 1 "{MARKER}"}}"#)).unwrap();
    let e = json_error(&emr().arg("validate").arg(&bad).arg("--json").output().unwrap());
    assert_eq!((e.code.as_str(), e.exit), ("record.syntax", 2), "{e:?}");

    std::fs::write(&bad, format!(r#"{{"format": "{MARKER}"}}"#)).unwrap();
    let e = json_error(&emr().arg("validate").arg(&bad).arg("--json").output().unwrap());
    assert_eq!((e.code.as_str(), e.exit), ("record.shape", 2), "{e:?}");

    let xml = dir.path().join("bad.xml");
    std::fs::write(&xml, format!(r#"<ClinicalDocument xmlns="urn:hl7-org:v3"><title>{MARKER}</titl>"#)).unwrap();
    let e = json_error(&emr().arg("validate").arg(&xml).arg("--json").output().unwrap());
    assert_eq!((e.code.as_str(), e.exit), ("ccda.syntax", 2), "{e:?}");

    // A bad argument value of a --json command.
    let (k, public) = key(dir.path(), "k");
    let file = init(dir.path(), &public);
    let e = json_error(
        &emr().arg("list").arg(&file).arg("-i").arg(&k).args(["--since", "May", "--json"]).output().unwrap(),
    );
    assert_eq!((e.code.as_str(), e.exit), ("usage", 2), "{e:?}");
}

#[test]
fn refused_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (k, public) = key(dir.path(), "k");
    let mut files = Vec::new();
    for (name, family, birth) in [("a", MARKER, "1970-03-02"), ("b", "Otherfamily", "1991-11-23")] {
        let patient = patient_file(dir.path(), name, family, birth);
        let file = dir.path().join(format!("{name}.emr"));
        let out = emr()
            .arg("init")
            .arg(&file)
            .args(["-r", &public, "--source", name, "--patient"])
            .arg(&patient)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        files.push(file);
    }
    let ehr = dir.path().join("ehr.emr");
    let out =
        emr().arg("merge").arg(&ehr).arg(&files[0]).arg(&files[1]).arg("-i").arg(&k).arg("--json").output().unwrap();
    let e = json_error(&out);
    assert_eq!((e.code.as_str(), e.exit), ("merge.identity", 17), "{e:?}");
    assert!(!e.message.contains("Otherfamily") && !e.message.contains("1991"), "{e:?}");
    assert!(!ehr.exists());
}

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let (k, _) = key(dir.path(), "k");
    let missing = dir.path().join("missing.emr");
    let e = json_error(&emr().arg("list").arg(&missing).arg("-i").arg(&k).arg("--json").output().unwrap());
    assert_eq!((e.code.as_str(), e.exit), ("file.missing", 3), "{e:?}");
    let e = json_error(&emr().arg("validate").arg(dir.path().join("missing.json")).arg("--json").output().unwrap());
    assert_eq!((e.code.as_str(), e.exit), ("file.missing", 3), "{e:?}");
}
