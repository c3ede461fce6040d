//! `emr add` takes an entry's default id from emr-core, as the npm package's `addEntry` does: the
//! same draft (or the same resource without an id) gets the same id, the one emr-core derives.
//! The npm package's Node suite checks its own default id against the same expected value
//! (`emr-wasm/tests/expected/mirror.json`, written by emr-core), so the two agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::path::Path;

use common::*;
use emr_core::model::Resource;
use emr_core::validate::default_entry_id;

const NOW: &str = "2026-01-01T00:00:00Z";

/// The expected values the npm package is checked against.
fn mirror() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../emr-wasm/tests/expected/mirror.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `emr add FILE -i KEY --now NOW --print-json ARGS…`: the added entry's provenance, or the output.
fn add(file: &Path, key: &Path, args: &[&str]) -> Result<serde_json::Value, std::process::Output> {
    let out =
        emr().arg("add").arg(file).arg("-i").arg(key).args(["--now", NOW, "--print-json"]).args(args).output().unwrap();
    if out.status.success() {
        let row: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        Ok(row["provenance"].clone())
    } else {
        Err(out)
    }
}

#[test]
fn the_default_id_is_the_cores_and_the_packages() {
    let m = mirror();
    let draft = &m["draft"];
    let (default_id, patient) =
        (m["drafted"]["defaultId"].as_str().unwrap(), m["drafted"]["patientId"].as_str().unwrap());
    assert_eq!(draft["kind"], "observation");
    assert_eq!(patient, "p1", "common::init's patient");
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let flags = ["code", "display", "date", "value", "unit"]
        .iter()
        .flat_map(|f| [format!("--{f}"), draft[f].as_str().unwrap().to_owned()])
        .collect::<Vec<_>>();
    let mut args: Vec<&str> = vec!["--kind", "observation"];
    args.extend(flags.iter().map(String::as_str));

    let added = add(&file, &key, &args).unwrap();
    assert_eq!((added["id"].as_str(), added["version"].as_u64()), (Some(default_id), Some(1)));
    // The same draft again: the same id, so refused unless it is the next version.
    let out = add(&file, &key, &args).unwrap_err();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("already has an entry with this id"), "{}", stderr(&out));
    let next = add(&file, &key, &[&args[..], &["--new-version"]].concat()).unwrap();
    assert_eq!((next["id"].as_str(), next["version"].as_u64()), (Some(default_id), Some(2)));

    // The draft's resource written without an id, given as a file: the same rule, the same id.
    let written = m["drafted"]["resource"].as_str().unwrap().replace(r#""id":"hba1c-new","#, "");
    let resource = Resource::parse(&written).unwrap();
    assert_eq!(resource.id(), None);
    assert_eq!(default_entry_id(&resource), default_id);
    let json = dir.path().join("o.json");
    std::fs::write(&json, &written).unwrap();
    let other = add(&file, &key, &["--json", json.to_str().unwrap(), "--source", "clinic-b"]).unwrap();
    assert_eq!((other["id"].as_str(), other["source"].as_str()), (Some(default_id), Some("clinic-b")));
}

#[test]
fn findings_are_printed_before_the_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = key(dir.path(), "clinic");
    let file = init(dir.path(), &public);
    let before = std::fs::read(&file).unwrap();
    let args = ["--kind", "condition", "--code", "snomed|44054006", "--date", "2999-01-01"];
    let out = add(&file, &key, &args).unwrap_err();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let (finding, refusal) =
        (err.find("date.future").unwrap(), err.find("error: the entry has validation errors").unwrap());
    assert!(finding < refusal, "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    let kept = add(&file, &key, &[&args[..], &["--allow-invalid"]].concat()).unwrap();
    assert_eq!(kept["version"].as_u64(), Some(1));
}
